/*
 * Tests of sim/report's writers on runs built by hand against the fake world (fake_world.c): every field and
 * shape of text, JSON and JUnit (a population with rules, days and months; ranges without an insurer or
 * documents; visits of every kind at the default clinic; results without a form or resident), odd
 * characters in file names, messages and details escaped in JSON and XML and read back unchanged, failures
 * listed first, empty reports, refused arguments, and write failures (/dev/full) reported as CORE_EIO with
 * their message.
 */
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_world.h"
#include "replay/replay.h"
#include "report/report.h"

/* A file name with every character XML and JSON escape, a tab and UTF-8. */
#define ODD_FILE "odd \"<&>'\t名前.yaml"
#define ODD_MESSAGE "expected <card> & \"notice\", got 'none'\n\x01 end ✓"

static const char shapes_yaml[] = "format: 1\n"
                                  "scenario: shapes\n"
                                  "period: {from: 2025-01-01, to: 2025-04-30}\n"
                                  "insurers: [{id: kyo, kind: kyokai, number: \"01110014\"}]\n"
                                  "clinics: [{id: c1, reader: face}]\n"
                                  "residents:\n"
                                  "  - {id: r1, born: 1980-01-01, insurer: kyo}\n"
                                  "  - {id: r2, born: 1981-01-01}\n"
                                  "population: {size: 10}\n"
                                  "expect:\n"
                                  "  - {who: all, usage_rate: {month: 2025-01, min: 0.3, max: 0.5}}\n"
                                  "  - {who: all, usage_rate: {month: 2025-02, min: 0.3, max: 0.5}}\n"
                                  "  - {who: all, usage_rate: {month: 2025-03, min: 0.3}}\n";

static struct scenario *load_shapes(void)
{
    struct scenario *s = NULL;
    struct scenario_diags d;
    scenario_diags_init(&d);
    int rc = scenario_load_buffer(ODD_FILE, shapes_yaml, strlen(shapes_yaml), NULL, &s, &d);
    if (rc != CORE_OK)
        fail_msg("shapes: %s", d.count > 0 ? d.items[0].message : "?");
    scenario_diags_clear(&d);
    return s;
}

/* The hand-made run: results, the fake world and a population. */
struct shapes {
    struct scenario *scn;
    struct replay_result results[4];
    struct replay_run_result run;
    struct world_population pop;
    long long gap[10], grace[10], degraded[10], claims[10];
    struct world_pop_month months[4];
    int alive; /* worlds alive before */
};

static void build(struct shapes *s)
{
    memset(s, 0, sizeof *s);
    s->alive = fake_world.worlds_alive;
    s->scn = load_shapes();
    assert_non_null(s->scn);
    if (s->scn == NULL)
        return;
    fake_world_reset();
    /* r1: a range without an insurer or documents, degraded, with a rule; one with no rule (NULL). r2: one
     * range with an insurer index out of the scenario's. */
    struct world_range *g = &fake_world.ranges[0][0];
    g->from = fake_day("2025-01-01");
    g->to = fake_day("2025-01-31");
    g->insurer = SCENARIO_NONE;
    g->verdict = WORLD_DAY_GAP;
    g->degraded = true;
    g->rule = "PAPER-2";
    g = &fake_world.ranges[0][1];
    g->from = fake_day("2025-02-01");
    g->to = fake_day("2025-04-30");
    g->insurer = 0;
    g->holds = SCENARIO_DOC_BIT(SCENARIO_DOC_CARD) | SCENARIO_DOC_BIT(SCENARIO_DOC_PORTAL);
    g->in_hand = g->holds;
    g->verdict = WORLD_DAY_USABLE;
    g->rule = NULL;
    fake_world.range_count[0] = 2;
    g = &fake_world.ranges[1][0];
    g->from = fake_day("2025-01-01");
    g->to = fake_day("2025-04-30");
    g->insurer = 7;
    g->verdict = WORLD_DAY_NOT_INSURED;
    g->rule = "";
    fake_world.range_count[1] = 1;
    fake_world.gap_days[0] = 31;
    fake_world.first_gap[0] = fake_day("2025-01-01");
    fake_world.degraded_days[0] = 31;
    fake_world.claim_errors[1] = 2;
    struct world_event *e = &fake_world.events[0];
    e->day = fake_day("2025-01-02");
    e->resident = 0;
    e->what = "lose_card";
    e->rule = "MYNA-6";
    e->detail = ODD_MESSAGE;
    e->failed = true;
    e->line = 12;
    e = &fake_world.events[1];
    e->day = fake_day("2025-01-03");
    e->resident = SCENARIO_NONE;
    e->what = "clinic_down";
    e->rule = NULL;
    e->detail = NULL;
    fake_world.event_count = 2;
    static const enum scenario_visit_kind kinds[] = {SCENARIO_VISIT_FIRST, SCENARIO_VISIT_REVISIT,
                                                     SCENARIO_VISIT_DISPENSING};
    for (int i = 0; i < 3; i++) {
        struct world_visit *v = &fake_world.visits[i];
        v->day = fake_day("2025-02-10") + i;
        v->resident = i == 2 ? 1 : 0;
        v->clinic = i == 0 ? 0 : SCENARIO_NONE;
        v->kind = kinds[i];
        v->brought = i == 0 ? SCENARIO_DOC_BIT(SCENARIO_DOC_CARD) : 0;
        v->missing = i == 1 ? SCENARIO_DOC_BIT(SCENARIO_DOC_NOTICE) : 0;
        v->card_check = i == 0 ? ELIGIBILITY_OK : ELIGIBILITY_NO_CARD;
        v->decision.outcome = i == 0 ? CLINIC_INSURED : CLINIC_SELF_PAY;
        v->decision.route = i == 0 ? CLINIC_ROUTE_CARD : CLINIC_ROUTE_NONE;
        v->decision.rule = i == 0 ? "DESK-1" : NULL;
        v->decision.fee_total = 10 * i;
        v->decision.copay = 3 * i;
        v->decision.limit_applied = i == 1;
        v->decision.grace = i == 2;
        v->claim_error = i == 2;
        v->line = i == 0 ? 20 : 0;
    }
    fake_world.visit_count = 3;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(world_new(s->scn, &s->run.world, &err), CORE_OK);

    /* Results: a failure, a pass without a form or resident, a failure with an odd message, a pass. */
    static const bool passed[] = {false, true, false, true};
    for (int i = 0; i < 4; i++) {
        struct replay_result *r = &s->results[i];
        r->pos.line = 11 + i;
        r->pos.column = 5;
        r->form = i == 1 ? NULL : i == 3 ? "invariant" : "holds";
        r->resident = i == 1 ? SCENARIO_NONE : i == 2 ? SCENARIO_WHO_ALL : 0;
        r->date = i == 0 ? fake_day("2025-01-10") : CORE_DAY_NONE;
        snprintf(r->rule, sizeof r->rule, "%s", i == 0 ? "PAPER-2" : "");
        r->passed = passed[i];
        snprintf(r->message, sizeof r->message, "%s", i == 2 ? ODD_MESSAGE : i == 0 ? "r1 lacks card" : "ok");
    }
    s->run.results = s->results;
    s->run.count = 4;
    s->run.passed = 2;
    s->run.failed = 2;

    /* The population: 3 rules (two with equal gap days, two equal in gap and total), 10 days of gaps, four
     * months (in range, out of range, no online check with an expectation, no expectation). */
    struct world_population *p = &s->pop;
    p->households = 4;
    p->residents = 10;
    p->visits = 55;
    p->from = fake_day("2025-01-01");
    p->to = p->from + 9;
    p->ndays = 10;
    static const long long gaps[10] = {5, 1, 7, 7, 3, 9, 2, 0, 4, 8};
    for (int d = 0; d < 10; d++) {
        s->gap[d] = gaps[d];
        p->gap += gaps[d];
    }
    s->grace[7] = 2;
    s->claims[1] = 1;
    p->grace = 2;
    p->claims = 1;
    p->gap_by_day = s->gap;
    p->grace_by_day = s->grace;
    p->degraded_by_day = s->degraded;
    p->claims_by_day = s->claims;
    p->nrules = 4;
    snprintf(p->rules[0].rule, sizeof p->rules[0].rule, "MYNA-6");
    p->rules[0].gap = 10;
    p->rules[0].claims = 1;
    snprintf(p->rules[1].rule, sizeof p->rules[1].rule, "PAPER-2");
    p->rules[1].gap = 10;
    p->rules[1].grace = 5;
    snprintf(p->rules[2].rule, sizeof p->rules[2].rule, "CERT-5");
    p->rules[2].gap = 10;
    p->rules[2].grace = 1;
    snprintf(p->rules[3].rule, sizeof p->rules[3].rule, "AMEND-1");
    p->rules[3].grace = 2;
    for (int i = 0; i < 4; i++) {
        s->months[i].month = fake_day(i == 0   ? "2025-01-01"
                                      : i == 1 ? "2025-02-01"
                                      : i == 2 ? "2025-03-01"
                                               : "2025-04-01");
        s->months[i].visits = 10 + i;
        s->months[i].online_checks = i == 2 ? 0 : 100;
        s->months[i].card_checks = i == 0 ? 40 : i == 1 ? 60 : i == 2 ? 0 : 25;
        s->months[i].mailed[SCENARIO_DOC_CERTIFICATE] = i;
        s->months[i].mailed[SCENARIO_DOC_NOTICE] = 2 * i;
    }
    p->nmonths = 4;
    p->months = s->months;
    p->cards_start = 8;
    p->registered_start = 5;
    p->cards_end = 9;
    p->registered_end = 7;
    p->peak_household = 4;
    s->run.population = p;
}

static void unbuild(struct shapes *s)
{
    world_free(s->run.world);
    scenario_free(s->scn);
    assert_int_equal(fake_world.worlds_alive, s->alive);
}

/* Renders `n` runs (0: an empty report) into a malloc'd string. */
static char *render(enum report_format format, struct shapes *s, int n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct report *rep = NULL;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(report_open(format, f, &rep, &err), CORE_OK);
    for (int i = 0; i < n; i++)
        assert_int_equal(report_add(rep, s->scn, &s->run, &err), CORE_OK);
    assert_int_equal(report_close(rep, &err), CORE_OK);
    fclose(f);
    return buf;
}

static void text_has_every_field_failures_first(void **state)
{
    (void)state;
    struct shapes s;
    build(&s);
    char *t = render(REPORT_TEXT, &s, 1);
    static const char *const lines[] = {
        "FAIL shapes (" ODD_FILE "): policy national, 12 residents, expectations 2 passed 2 failed, gap days "
        "77, grace days 2, degraded days 31, claim errors 3\n"
        "failed:\n"
        "  " ODD_FILE ":11:5: holds: r1 lacks card\n"
        "  " ODD_FILE ":13:5: holds: " ODD_MESSAGE "\n"
        "passed:\n"
        "  " ODD_FILE ":12:5: ?: ok\n"
        "  " ODD_FILE ":14:5: invariant: ok\n"
        "population: 10 residents in 4 households (mix national, seed none), 55 visits\n"
        "  gap days 46, grace days 2, degraded days 0, claim errors 1\n",
        /* by gap days, then by all days and claims, then by name */
        "    PAPER-2               10          5          0            0\n"
        "    CERT-5                10          1          0            0\n"
        "    MYNA-6                10          0          0            1\n"
        "    AMEND-1                0          2          0            0\n",
        "  days with most gaps: 2025-01-06 (9), 2025-01-10 (8), 2025-01-03 (7), 2025-01-04 (7), 2025-01-01 "
        "(5)\n",
        "  2025-01        10      100       40  0.4000  0.3000..0.5000 ok               0        0\n"
        "  2025-02        11      100       60  0.6000  0.3000..0.5000 FAIL             1        2\n"
        "  2025-03        12        0        0       -  0.3000..1.0000 FAIL             2        4\n"
        "  2025-04        13      100       25  0.2500  -                               3        6\n",
        "  cards: held by 80.0% when checks start, 90.0% at the end; registered 50.0% and 70.0% (residents "
        "10, "
        "largest household 4)\n"
        /* each range, then the resident's events and visits of its days (a clinic's event is no one's) */
        "resident r1:\n"
        "  2025-01-01..2025-01-31  gap           -          - (degraded) [PAPER-2]\n"
        "      2025-01-02  lose_card FAILED [MYNA-6]: " ODD_MESSAGE "\n"
        "  2025-02-01..2025-04-30  usable        kyo        card,portal\n"
        "      2025-02-10  visit c1: insured by route card, no fee charged [DESK-1]\n"
        "      2025-02-11  visit default: self_pay by route none, no fee charged\n"
        "  gap days 31, grace days 0, degraded days 31, claim errors 0\n"
        "resident r2:\n"
        "  2025-01-01..2025-04-30  not_insured   -          -\n"
        "      2025-02-12  visit default: self_pay by route none, no fee charged, claim error\n"
        "  gap days 0, grace days 0, degraded days 0, claim errors 2\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (strstr(t, lines[i]) == NULL)
            fail_msg("missing:\n%s\nin the report:\n%s", lines[i], t);
    /* the failures come before the passes, the rules' header before the rules */
    assert_true(strstr(t, "failed:\n") < strstr(t, "passed:\n"));
    assert_true(strstr(t, "by rule:") < strstr(t, "    PAPER-2               10"));
    free(t);
    unbuild(&s);
}

static json_t *parse(const char *s)
{
    json_error_t jerr;
    json_t *root = json_loads(s, 0, &jerr);
    if (root == NULL)
        fail_msg("JSON: %s at %d", jerr.text, jerr.line);
    return root;
}

#define JGET(o, k) json_object_get((o), (k))
#define JSTR(o, k) json_string_value(JGET((o), (k)))
#define JINT(o, k) json_integer_value(JGET((o), (k)))

static void json_has_every_field_and_escapes(void **state)
{
    (void)state;
    struct shapes s;
    build(&s);
    char *t = render(REPORT_JSON, &s, 1);
    /* escaped on the way out */
    assert_non_null(strstr(t, "\"file\": \"odd \\\"<&>'\\t名前.yaml\""));
    assert_non_null(strstr(t, "\\n\\u0001 end ✓"));
    json_t *root = parse(t);
    json_t *run = json_array_get(JGET(root, "runs"), 0);
    assert_string_equal(JSTR(run, "file"), ODD_FILE);
    assert_true(json_is_null(JGET(run, "seed")));
    assert_true(json_is_false(JGET(run, "passed")));
    json_t *sum = JGET(run, "summary");
    assert_int_equal(JINT(sum, "residents"), 12);
    assert_int_equal(JINT(sum, "gap_days"), 77);
    assert_int_equal(JINT(sum, "claim_errors"), 3);
    json_t *ex = JGET(run, "expectations");
    assert_int_equal(json_array_size(ex), 4);
    json_t *e1 = json_array_get(ex, 1);
    assert_string_equal(JSTR(e1, "name"), "?:12");
    assert_string_equal(JSTR(e1, "form"), "");
    assert_string_equal(JSTR(e1, "who"), "-");
    assert_true(json_is_null(JGET(e1, "date")));
    json_t *e2 = json_array_get(ex, 2);
    assert_string_equal(JSTR(e2, "message"), ODD_MESSAGE);
    assert_string_equal(JSTR(e2, "who"), "all");
    assert_string_equal(JSTR(e2, "file"), ODD_FILE);
    assert_string_equal(JSTR(json_array_get(ex, 0), "date"), "2025-01-10");
    /* residents */
    json_t *r1 = json_array_get(JGET(run, "residents"), 0), *r2 = json_array_get(JGET(run, "residents"), 1);
    assert_string_equal(JSTR(r1, "first_gap"), "2025-01-01");
    assert_true(json_is_null(JGET(r2, "first_gap")));
    json_t *g = json_array_get(JGET(r1, "ranges"), 0);
    assert_true(json_is_null(JGET(g, "insurer")));
    assert_true(json_is_true(JGET(g, "degraded")));
    assert_int_equal(json_array_size(JGET(g, "holds")), 0);
    g = json_array_get(JGET(r1, "ranges"), 1);
    assert_string_equal(JSTR(g, "insurer"), "kyo");
    assert_string_equal(JSTR(g, "rule"), "");
    assert_string_equal(json_string_value(json_array_get(JGET(g, "holds"), 1)), "portal");
    assert_true(json_is_null(JGET(json_array_get(JGET(r2, "ranges"), 0), "insurer")));
    json_t *ev = json_array_get(JGET(r1, "events"), 0);
    assert_string_equal(JSTR(ev, "detail"), ODD_MESSAGE);
    assert_true(json_is_true(JGET(ev, "failed")));
    assert_int_equal(JINT(ev, "line"), 12);
    json_t *clinic_ev = json_array_get(JGET(run, "events"), 0);
    assert_string_equal(JSTR(clinic_ev, "rule"), "");
    assert_string_equal(JSTR(clinic_ev, "detail"), "");
    json_t *v = JGET(r1, "visits");
    assert_int_equal(json_array_size(v), 2);
    assert_string_equal(JSTR(json_array_get(v, 0), "clinic"), "c1");
    assert_string_equal(JSTR(json_array_get(v, 0), "kind"), "first");
    assert_string_equal(JSTR(json_array_get(v, 1), "clinic"), "default");
    assert_string_equal(JSTR(json_array_get(v, 1), "kind"), "revisit");
    assert_string_equal(JSTR(json_array_get(v, 1), "rule"), "");
    assert_string_equal(json_string_value(json_array_get(JGET(json_array_get(v, 1), "missing"), 0)),
                        "notice");
    assert_true(json_is_true(JGET(json_array_get(v, 1), "limit_applied")));
    json_t *v2 = json_array_get(JGET(r2, "visits"), 0);
    assert_string_equal(JSTR(v2, "kind"), "dispensing");
    assert_true(json_is_true(JGET(v2, "grace")));
    assert_true(json_is_true(JGET(v2, "claim_error")));
    assert_int_equal(JINT(JGET(v2, "fee"), "total"), 20);
    assert_int_equal(JINT(JGET(v2, "fee"), "copay"), 6);
    /* population */
    json_t *p = JGET(run, "population");
    assert_string_equal(JSTR(p, "mix"), "national");
    assert_int_equal(JINT(p, "size"), 10);
    assert_int_equal(JINT(p, "peak_household"), 4);
    json_t *rules = JGET(p, "rules");
    assert_int_equal(json_array_size(rules), 4);
    assert_string_equal(JSTR(json_array_get(rules, 0), "rule"), "AMEND-1"); /* by name */
    assert_string_equal(JSTR(json_array_get(rules, 3), "rule"), "PAPER-2");
    json_t *days = JGET(p, "days");
    assert_int_equal(json_array_size(days), 10); /* day 8 has grace only */
    assert_string_equal(JSTR(json_array_get(days, 7), "date"), "2025-01-08");
    assert_int_equal(JINT(json_array_get(days, 7), "gap_days"), 0);
    assert_int_equal(JINT(json_array_get(days, 7), "grace_days"), 2);
    json_t *months = JGET(p, "months");
    assert_int_equal(json_array_size(months), 4);
    json_t *m = json_array_get(months, 0);
    assert_string_equal(JSTR(m, "month"), "2025-01");
    assert_int_equal(JINT(m, "usage_ppm"), 400000);
    assert_true(json_is_true(JGET(JGET(m, "usage_expected"), "passed")));
    assert_int_equal(JINT(JGET(m, "usage_expected"), "min_ppm"), 300000);
    assert_true(json_is_false(JGET(JGET(json_array_get(months, 1), "usage_expected"), "passed")));
    m = json_array_get(months, 2);
    assert_true(json_is_null(JGET(m, "usage_ppm")));
    assert_true(json_is_false(JGET(JGET(m, "usage_expected"), "passed")));
    assert_int_equal(JINT(JGET(m, "usage_expected"), "max_ppm"), 1000000);
    m = json_array_get(months, 3);
    assert_true(json_is_null(JGET(m, "usage_expected")));
    assert_int_equal(JINT(JGET(m, "mailed"), "certificate"), 3);
    assert_int_equal(JINT(JGET(m, "mailed"), "notice"), 6);
    json_t *cards = JGET(p, "cards");
    assert_int_equal(JINT(JGET(cards, "start"), "held"), 8);
    assert_int_equal(JINT(JGET(cards, "end"), "registered"), 7);
    json_decref(root);
    free(t);
    unbuild(&s);
}

static xmlChar *prop(xmlNodePtr n, const char *name)
{
    return xmlGetProp(n, (const xmlChar *)name);
}

static void assert_prop(xmlNodePtr n, const char *name, const char *want)
{
    xmlChar *v = prop(n, name);
    assert_non_null(v);
    assert_string_equal((const char *)v, want);
    xmlFree(v);
}

static xmlNodePtr first_element(xmlNodePtr n, const char *name)
{
    for (; n != NULL; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
            return n;
    return NULL;
}

static void junit_has_every_field_and_escapes(void **state)
{
    (void)state;
    struct shapes s;
    build(&s);
    char *t = render(REPORT_JUNIT, &s, 1);
    assert_non_null(strstr(t, "file=\"odd &quot;&lt;&amp;&gt;'&#9;名前.yaml\""));
    xmlDocPtr doc = xmlReadMemory(t, (int)strlen(t), "junit.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    assert_non_null(doc);
    if (doc == NULL)
        return;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_prop(root, "tests", "4");
    assert_prop(root, "failures", "2");
    xmlNodePtr suite = first_element(root->children, "testsuite");
    assert_non_null(suite);
    if (suite == NULL)
        return;
    assert_prop(suite, "name", "shapes (national)");
    assert_prop(suite, "file", ODD_FILE);
    assert_prop(suite, "time", "0");
    xmlNodePtr props = first_element(suite->children, "properties");
    assert_non_null(props);
    if (props == NULL)
        return;
    xmlNodePtr pr = first_element(props->children, "property");
    static const char *const before[][2] = {{"file", ODD_FILE}, {"scenario", "shapes"}};
    for (size_t k = 0; k < 2; k++) {
        assert_non_null(pr);
        if (pr == NULL)
            return;
        assert_prop(pr, "name", before[k][0]);
        assert_prop(pr, "value", before[k][1]);
        pr = first_element(pr->next, "property");
    }
    assert_non_null(pr);
    if (pr == NULL)
        return;
    assert_prop(pr, "name", "policy");
    assert_prop(pr, "value", "national");
    pr = first_element(pr->next, "property");
    assert_non_null(pr);
    if (pr == NULL)
        return;
    assert_prop(pr, "name", "population");
    assert_prop(pr, "value", "10");
    int i = 0;
    for (xmlNodePtr c = first_element(suite->children, "testcase"); c != NULL;
         c = first_element(c->next, "testcase"), i++) {
        /* who, what and when, from the result when it carries no expectation */
        static const char *const names[] = {"r1 holds 2025-01-10", "- ?", "all holds",
                                            "r1 no unexpected gap day"};
        assert_true(i < 4);
        assert_prop(c, "name", names[i]);
        assert_prop(c, "classname", "national.shapes");
        assert_prop(c, "time", "0");
        xmlNodePtr o = first_element(c->children, "system-out");
        assert_non_null(o);
        xmlNodePtr f = first_element(c->children, "failure");
        if (i == 1 || i == 3) {
            assert_null(f);
            continue;
        }
        assert_non_null(f);
        if (f == NULL)
            return;
        xmlChar *text = xmlNodeGetContent(f);
        if (i == 0) {
            assert_prop(f, "type", "PAPER-2");
            assert_prop(f, "message", "r1 lacks card");
            assert_string_equal((const char *)text, ODD_FILE ":11:5: holds: r1 lacks card");
        } else {
            assert_prop(f, "type", "expectation");
            /* \x01 cannot be in XML 1.0, even as &#1;: it is written as '?'. */
            assert_prop(f, "message", "expected <card> & \"notice\", got 'none'\n? end ✓");
            assert_string_equal((const char *)text,
                                ODD_FILE ":13:5: holds: expected <card> & \"notice\", got 'none'\n? end ✓");
        }
        xmlFree(text);
    }
    assert_int_equal(i, 4);
    xmlFreeDoc(doc);
    free(t);
    unbuild(&s);
}

/* A run without a world (it could not be built) and without a population: the summary and results only. */
static void a_run_without_world_or_population(void **state)
{
    (void)state;
    struct shapes s;
    build(&s);
    struct world *w = s.run.world;
    s.run.world = NULL;
    s.run.population = NULL;
    s.run.count = 1;
    s.run.passed = 0;
    s.run.failed = 1;
    char *t = render(REPORT_TEXT, &s, 1);
    assert_string_equal(t,
                        "FAIL shapes (" ODD_FILE "): policy national, 2 residents, expectations 0 passed 1 "
                        "failed, gap days 0, grace days 0, degraded days 0, claim errors 0\n"
                        "failed:\n"
                        "  " ODD_FILE ":11:5: holds: r1 lacks card\n"
                        "\n"
                        "scenarios: 0 passed, 1 failed\n");
    free(t);
    t = render(REPORT_JSON, &s, 1);
    json_t *root = parse(t);
    json_t *run = json_array_get(JGET(root, "runs"), 0);
    assert_int_equal(json_array_size(JGET(run, "residents")), 0);
    assert_int_equal(json_array_size(JGET(run, "events")), 0);
    assert_null(JGET(run, "population"));
    json_decref(root);
    free(t);
    t = render(REPORT_JUNIT, &s, 1);
    assert_null(strstr(t, "name=\"population\""));
    free(t);
    /* A passing run lists no failures. */
    s.results[0].passed = true;
    s.run.passed = 1;
    s.run.failed = 0;
    t = render(REPORT_TEXT, &s, 1);
    assert_non_null(strstr(t, "PASS shapes"));
    assert_null(strstr(t, "failed:"));
    free(t);
    s.run.world = w;
    unbuild(&s);
}

/* HTML against the fake world: the file name and messages escaped (a control character as U+FFFD), the
 * failures first linking to the resident's timeline, one timeline per resident, an invalid file listed with
 * its problems; an empty report; a full disk. */
static void html_escapes_and_orders(void **state)
{
    (void)state;
    struct shapes s;
    build(&s);
    s.run.population = NULL; /* a population is generated again by the HTML report: not with a fake world */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct report *rep = NULL;
    struct core_error err, problem;
    core_error_clear(&err);
    core_error_set(&problem, CORE_EINVAL, "<b>.yaml", 3, 7, "field 'scenario': <script> is no name");
    assert_int_equal(report_open(REPORT_HTML, f, &rep, &err), CORE_OK);
    assert_int_equal(report_add(rep, s.scn, &s.run, &err), CORE_OK);
    assert_int_equal(report_add_invalid(rep, "<b>.yaml", &problem, 1, 2, &err), CORE_OK);
    assert_int_equal(report_close(rep, &err), CORE_OK);
    fclose(f);
    assert_non_null(strstr(buf, "<!DOCTYPE html>"));
    assert_null(strstr(buf, "<script"));
    assert_null(strstr(buf, "<b>"));
    assert_non_null(strstr(buf,
                           "odd &quot;&lt;&amp;&gt;&#39;\t名前.yaml:13:5</code>: expected &lt;card&gt; &amp; "
                           "&quot;notice&quot;, got &#39;none&#39;\n&#xFFFD; end ✓"));
    assert_non_null(strstr(buf, "<code class=\"pos\">&lt;b&gt;.yaml:3:7</code>: field &#39;scenario&#39;: "
                                "&lt;script&gt; is no name"));
    assert_non_null(strstr(buf, "&lt;b&gt;.yaml</code>: 3 problems"));
    assert_non_null(strstr(buf, "2 more problems not shown"));
    assert_non_null(strstr(buf, "scenarios: 0 passed, 1 failed, 1 invalid"));
    char *failures = strstr(buf, "id=\"failures\""), *section = strstr(buf, "<section class=\"scenario");
    assert_non_null(failures);
    assert_non_null(section);
    assert_true(failures < section);
    assert_non_null(strstr(failures, "<a href=\"#s0-r0\">r1 holds 2025-01-10</a>"));
    assert_non_null(strstr(failures, "<a href=\"#s0\">all holds</a>")); /* who: all: the scenario */
    assert_non_null(strstr(buf, "<div class=\"timeline\" id=\"s0-r0\">"));
    assert_non_null(strstr(buf, "<div class=\"timeline\" id=\"s0-r1\">"));
    free(buf);
    char *t = render(REPORT_HTML, NULL, 0);
    assert_non_null(strstr(t, "scenarios: 0 passed, 0 failed</p>"));
    assert_non_null(strstr(t, "Failed expectations (0)"));
    assert_non_null(strstr(t, "</html>\n"));
    free(t);
    if (access("/dev/full", W_OK) == 0) {
        f = fopen("/dev/full", "w");
        assert_non_null(f);
        assert_int_equal(report_open(REPORT_HTML, f, &rep, &err), CORE_OK);
        assert_int_equal(report_add(rep, s.scn, &s.run, &err), CORE_OK);
        assert_int_equal(report_close(rep, &err), CORE_EIO);
        assert_string_equal(err.message, "report: the output could not be written");
        fclose(f);
    }
    unbuild(&s);
}

/* The JSON report's totals: the runs' summaries summed, the scenarios passed, failed and invalid. */
static void json_totals_sum_the_runs(void **state)
{
    (void)state;
    struct shapes s;
    build(&s);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct report *rep = NULL;
    struct core_error err, problem;
    core_error_clear(&err);
    core_error_set(&problem, CORE_EINVAL, "bad.yaml", 3, 7, "field 'scenario': no name");
    assert_int_equal(report_open(REPORT_JSON, f, &rep, &err), CORE_OK);
    assert_int_equal(report_add(rep, s.scn, &s.run, &err), CORE_OK);
    assert_int_equal(report_add(rep, s.scn, &s.run, &err), CORE_OK);
    assert_int_equal(report_add_invalid(rep, "bad.yaml", &problem, 1, 0, &err), CORE_OK);
    assert_int_equal(report_close(rep, &err), CORE_OK);
    fclose(f);
    json_t *root = parse(buf);
    json_t *sum = JGET(json_array_get(JGET(root, "runs"), 0), "summary");
    json_t *totals = JGET(root, "totals");
    assert_non_null(totals);
    json_t *sc = JGET(totals, "scenarios");
    assert_int_equal(JINT(sc, "total"), 3);
    assert_int_equal(JINT(sc, "passed"), 0);
    assert_int_equal(JINT(sc, "failed"), 2);
    assert_int_equal(JINT(sc, "invalid"), 1);
    json_t *ex = JGET(totals, "expectations");
    assert_int_equal(JINT(ex, "total"), 2 * JINT(sum, "expectations"));
    assert_int_equal(JINT(ex, "passed"), 2 * JINT(sum, "passed"));
    assert_int_equal(JINT(ex, "failed"), 2 * JINT(sum, "failed"));
    assert_int_equal(JINT(totals, "residents"), 2 * 12);
    assert_int_equal(JINT(totals, "gap_days"), 2 * 77);
    assert_int_equal(JINT(totals, "grace_days"), 2 * JINT(sum, "grace_days"));
    assert_int_equal(JINT(totals, "degraded_days"), 2 * 31);
    assert_int_equal(JINT(totals, "claim_errors"), 2 * 3);
    json_decref(root);
    free(buf);
    unbuild(&s);
}

static void empty_reports(void **state)
{
    (void)state;
    char *t = render(REPORT_TEXT, NULL, 0);
    assert_string_equal(t, "scenarios: 0 passed, 0 failed\n");
    free(t);
    t = render(REPORT_JSON, NULL, 0);
    json_t *root = parse(t);
    assert_int_equal(json_array_size(JGET(root, "runs")), 0);
    json_t *totals = JGET(root, "totals");
    assert_int_equal(JINT(JGET(totals, "scenarios"), "total"), 0);
    assert_int_equal(JINT(JGET(totals, "expectations"), "total"), 0);
    assert_int_equal(JINT(totals, "gap_days"), 0);
    json_decref(root);
    free(t);
    t = render(REPORT_JUNIT, NULL, 0);
    assert_string_equal(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<testsuites name=\"mynasim\" tests=\"0\" failures=\"0\" errors=\"0\" "
                           "time=\"0\"/>\n");
    free(t);
}

static void refused_arguments(void **state)
{
    (void)state;
    struct core_error err;
    struct report *rep = NULL;
    core_error_clear(&err);
    assert_int_equal(report_open((enum report_format)7, stdout, &rep, &err), CORE_EINVAL);
    assert_null(rep);
    assert_string_equal(err.message, "report: unknown format 7");
    assert_string_equal(report_format_word((enum report_format)7), "?");
    assert_string_equal(report_format_word(REPORT_JUNIT), "junit");
    assert_string_equal(report_verdict_word(42), "?");
    assert_string_equal(report_verdict_word(WORLD_DAY_BEFORE_CHECKS), "before_checks");
    assert_string_equal(report_verdict_word(WORLD_DAY_NOT_INSURED), "not_insured");
    assert_int_equal(report_close(NULL, &err), CORE_OK);
    struct shapes s;
    build(&s);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(report_open(REPORT_JSON, out, &rep, &err), CORE_OK);
    core_error_clear(&err);
    assert_int_equal(report_add(rep, NULL, &s.run, &err), CORE_EINVAL);
    assert_string_equal(err.message, "report_add: missing argument");
    assert_int_equal(report_add(rep, s.scn, NULL, &err), CORE_EINVAL);
    assert_int_equal(report_add(NULL, s.scn, &s.run, &err), CORE_EINVAL);
    assert_int_equal(report_close(rep, &err), CORE_OK);
    fclose(out);
    json_t *root = parse(buf); /* nothing was added */
    assert_int_equal(json_array_size(JGET(root, "runs")), 0);
    assert_int_equal(JINT(JGET(JGET(root, "totals"), "scenarios"), "total"), 0);
    json_decref(root);
    free(buf);
    unbuild(&s);
}

/* /dev/full: buffered, the failure shows at the final flush; unbuffered, at the format's own write. */
static void a_full_disk_is_a_write_error(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    struct shapes s;
    build(&s);
    /* [unbuffered][format]: text checks at the final flush; JSON is larger than stdio's buffer, so its dump
     * fails either way; the JUnit writer's own failure shows when every write reaches the file. */
    static const char *const messages[2][3] = {
        {"report: the output could not be written", "report: the JSON report could not be written",
         "report: the output could not be written"},
        {"report: the output could not be written", "report: the JSON report could not be written",
         "report: the JUnit report could not be written"},
    };
    for (int unbuffered = 0; unbuffered < 2; unbuffered++)
        for (int f = REPORT_TEXT; f <= REPORT_JUNIT; f++) {
            FILE *out = fopen("/dev/full", "w");
            assert_non_null(out);
            if (out == NULL)
                return;
            if (unbuffered)
                setvbuf(out, NULL, _IONBF, 0);
            struct report *rep = NULL;
            struct core_error err;
            core_error_clear(&err);
            assert_int_equal(report_open((enum report_format)f, out, &rep, &err), CORE_OK);
            assert_int_equal(report_add(rep, s.scn, &s.run, &err), CORE_OK);
            assert_int_equal(report_close(rep, &err), CORE_EIO);
            assert_string_equal(err.message, messages[unbuffered][f]);
            fclose(out);
        }
    unbuild(&s);
}

/* Per-resident detail lines: one compact JSON object per resident with the household's visits; a full disk
 * stops with CORE_EIO. */
static void detail_lines_and_their_write_error(void **state)
{
    (void)state;
    struct shapes s;
    build(&s);
    struct world_pop_household hh;
    memset(&hh, 0, sizeof hh);
    hh.index = 3;
    hh.scn = s.scn;
    hh.world = s.run.world;
    hh.visits = fake_world.visits;
    hh.visit_count = fake_world.visit_count;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct report_detail d = {f, ODD_FILE};
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(report_detail_household(&d, &hh, &err), CORE_OK);
    fclose(f);
    char *nl = strchr(buf, '\n');
    assert_non_null(nl);
    if (nl == NULL)
        return;
    assert_string_equal(nl + 1 + strcspn(nl + 1, "\n"), "\n"); /* two lines */
    *nl = '\0';
    json_t *r1 = parse(buf), *r2 = parse(nl + 1);
    assert_string_equal(JSTR(r1, "id"), "r1");
    assert_string_equal(JSTR(r1, "file"), ODD_FILE);
    assert_string_equal(JSTR(r1, "born"), "1980-01-01");
    assert_string_equal(JSTR(r1, "insurer"), "kyo");
    assert_int_equal(JINT(r1, "household"), 3);
    assert_int_equal(json_array_size(JGET(r1, "visits")), 2);
    assert_int_equal(JINT(r1, "claim_errors"), 0);
    assert_true(json_is_null(JGET(r2, "insurer")));
    assert_int_equal(json_array_size(JGET(r2, "visits")), 1);
    assert_int_equal(JINT(r2, "claim_errors"), 1);
    json_decref(r1);
    json_decref(r2);
    free(buf);

    FILE *full = fopen("/dev/full", "w");
    if (full != NULL) {
        setvbuf(full, NULL, _IONBF, 0);
        d.out = full;
        core_error_clear(&err);
        assert_int_equal(report_detail_household(&d, &hh, &err), CORE_EIO);
        assert_string_equal(err.message, "report: the detail could not be written");
        fclose(full);
    }
    unbuild(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_has_every_field_failures_first),
        cmocka_unit_test(json_has_every_field_and_escapes),
        cmocka_unit_test(junit_has_every_field_and_escapes),
        cmocka_unit_test(a_run_without_world_or_population),
        cmocka_unit_test(html_escapes_and_orders),
        cmocka_unit_test(json_totals_sum_the_runs),
        cmocka_unit_test(empty_reports),
        cmocka_unit_test(refused_arguments),
        cmocka_unit_test(a_full_disk_is_a_write_error),
        cmocka_unit_test(detail_lines_and_their_write_error),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
