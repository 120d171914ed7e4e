/*
 * run.c: replaying a scenario and checking what it expects (docs/SCENARIO-FORMAT.md, Expectations and Running;
 * replay.h, running).
 *
 * The world is built and run once; every expectation is then a question to the read-only world, asked "as of
 * its day, after all of that day's events" (world.h). Probes (a visit or an online check an expectation
 * names) change nothing, so expectations can be checked in file order after the whole run.
 *
 * Each expectation gives one result: pass or fail, its position, its rule and a message for people that
 * names the resident, the day, what was expected and what the world gave. After the expectations come the
 * invariants the file does not state: a resident with gap days (INV-1) and no `gap_days` expectation covering
 * them fails the run, and so does a population with gap days and no `who: all` gap_days expectation. Readings taken where the contract is silent are in docs/SCENARIO-RUNNING-NOTES.md.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"
#include "scenario/scenario.h"
#include "world/world.h"

/* ---- words --------------------------------------------------------------------------------------------- */

/* An expectation's values are compared with the desk's and the check's as values: the clinic's and
 * eligibility's enums are made from the scenario's lists (scenario.h), and these keep every value aligned. */
#define SAME_OUTCOME(name, word)                                                                             \
    _Static_assert((int)SCENARIO_OUTCOME_##name == (int)CLINIC_##name, "outcome " word);
#define SAME_ROUTE(name, word)                                                                               \
    _Static_assert((int)SCENARIO_ROUTE_##name == (int)CLINIC_ROUTE_##name, "route " word);
#define SAME_CHECK(name, word)                                                                               \
    _Static_assert((int)SCENARIO_CHECK_##name == (int)ELIGIBILITY_##name, "check result " word);
#define SAME_WARNING(name, word)                                                                             \
    _Static_assert(1u << SCENARIO_WARNING_##name == ELIGIBILITY_WARN_##name, "warning " word);
SCENARIO_OUTCOMES(SAME_OUTCOME)
SCENARIO_ROUTES(SAME_ROUTE)
SCENARIO_CHECKS(SAME_CHECK)
SCENARIO_WARNINGS(SAME_WARNING)
_Static_assert((int)SCENARIO_ROUTE_NONE == (int)CLINIC_ROUTE_NONE, "route none");

/* The warnings of an answer (ELIGIBILITY_WARN_* bits, in the order of scenario_warning) as words. */
static void warnings_format(unsigned warnings, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < (unsigned)SCENARIO_WARNING_COUNT; i++)
        if (warnings & (1u << i)) {
            int n = snprintf(out + len, cap - len, "%s%s", len > 0 ? "," : "",
                             scenario_warning_word((enum scenario_warning)i));
            if (n < 0 || (size_t)n >= cap - len)
                return;
            len += (size_t)n;
        }
    if (len == 0)
        snprintf(out, cap, "none");
}

/* ---- results -------------------------------------------------------------------------------------------- */

struct checker {
    const struct scenario *scn;
    const struct world *w;
    struct replay_run_result *out;
    size_t cap;
};

static struct replay_result *result_add(struct checker *c)
{
    if (c->out->count == c->cap) {
        size_t cap = c->cap == 0 ? 16 : c->cap * 2;
        struct replay_result *r = realloc(c->out->results, cap * sizeof *r);
        if (r == NULL)
            return NULL;
        c->out->results = r;
        c->cap = cap;
    }
    struct replay_result *r = &c->out->results[c->out->count++];
    memset(r, 0, sizeof *r);
    r->resident = SCENARIO_NONE;
    r->date = CORE_DAY_NONE;
    return r;
}

static void set_rule(struct replay_result *r, const char *rule)
{
    snprintf(r->rule, sizeof r->rule, "%s", rule != NULL ? rule : "");
}

/* "r1 on 2025-09-11" or "all residents" or "r1": who and when, the start of every message. */
static void who_when(const struct checker *c, const struct replay_result *r, char *out, size_t cap)
{
    const char *who = r->resident == SCENARIO_WHO_ALL ? "all residents"
                      : r->resident >= 0 && (size_t)r->resident < c->scn->resident_count
                          ? c->scn->residents[r->resident].id
                          : "?";
    if (r->date != CORE_DAY_NONE) {
        char day[11];
        core_date_format(r->date, day);
        snprintf(out, cap, "%s on %s", who, day);
    } else {
        snprintf(out, cap, "%s", who);
    }
}

/* Sets the message: "<who, when>: <body> (rule X)". */
static void message(const struct checker *c, struct replay_result *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void message(const struct checker *c, struct replay_result *r, const char *fmt, ...)
{
    char head[128], body[512];
    who_when(c, r, head, sizeof head);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    /* A message longer than the buffer is cut: it is for people, and the position says where to look. */
    int n = r->rule[0] != '\0'
                ? snprintf(r->message, sizeof r->message, "%s: %s (rule %s)", head, body, r->rule)
                : snprintf(r->message, sizeof r->message, "%s: %s", head, body);
    if (n < 0)
        r->message[0] = '\0';
}

/* Appends "; " and a formatted part to a buffer of mismatches. */
static void part(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void part(char *buf, size_t cap, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len > 0 && len + 2 < cap) {
        memcpy(buf + len, "; ", 3);
        len += 2;
    }
    if (len >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, cap - len, fmt, ap);
    va_end(ap);
}

static const char *clinic_word(const struct scenario *s, int clinic)
{
    return clinic >= 0 && (size_t)clinic < s->clinic_count ? s->clinics[clinic].id
                                                           : "a working face-reader clinic";
}

/* ---- the forms ------------------------------------------------------------------------------------------- */

static void check_holds(struct checker *c, const struct scenario_expect *e, struct replay_result *r)
{
    unsigned held = world_holds(c->w, e->resident, e->date);
    unsigned wrong = e->kind == SCENARIO_EXPECT_HOLDS ? e->documents & ~held : e->documents & held;
    char want[96], got[96], bad[96];
    scenario_documents_format(e->documents, ",", want, sizeof want);
    scenario_documents_format(held, ",", got, sizeof got);
    scenario_documents_format(wrong, ",", bad, sizeof bad);
    r->passed = wrong == 0;
    if (r->passed)
        message(c, r, "%s %s usable (holds %s)", e->kind == SCENARIO_EXPECT_HOLDS ? "holds" : "lacks", want,
                got[0] != '\0' ? got : "nothing");
    else if (e->kind == SCENARIO_EXPECT_HOLDS)
        message(c, r, "expected to hold %s usable, got %s (missing %s)", want,
                got[0] != '\0' ? got : "nothing", bad);
    else
        message(c, r, "expected to lack %s, got %s usable", want, bad);
}

static void check_visit(struct checker *c, const struct scenario_expect *e, struct replay_result *r)
{
    struct world_visit v;
    struct core_error err;
    core_error_clear(&err);
    memset(&v, 0, sizeof v);
    if (world_probe_visit(c->w, e->resident, e->date, &e->visit, &v, &err) != CORE_OK) {
        char why[600];
        core_error_format(&err, why, sizeof why);
        r->passed = false;
        message(c, r, "expected a visit at %s, got no answer: %s", clinic_word(c->scn, e->visit.clinic), why);
        return;
    }
    if (r->rule[0] == '\0')
        set_rule(r, v.decision.rule);
    char bad[480] = "";
    if (v.missing != 0) {
        char docs[96];
        scenario_documents_format(v.missing, ",", docs, sizeof docs);
        part(bad, sizeof bad, "brings %s, not in hand that day", docs);
    }
    const char *got_outcome = clinic_outcome_name(v.decision.outcome);
    if ((int)e->outcome != (int)v.decision.outcome)
        part(bad, sizeof bad, "expected %s, got %s", scenario_outcome_word(e->outcome), got_outcome);
    const char *got_route = clinic_route_name(v.decision.route);
    if (e->route != SCENARIO_ROUTE_NONE && (int)e->route != (int)v.decision.route)
        part(bad, sizeof bad, "expected route %s, got %s", scenario_route_word(e->route), got_route);
    if (e->fee_given && (e->fee_total != v.decision.fee_total || e->fee_copay != v.decision.copay))
        part(bad, sizeof bad, "expected fee {total: %lld, copay: %lld}, got {total: %ld, copay: %ld}",
             e->fee_total, e->fee_copay, v.decision.fee_total, v.decision.copay);
    if (e->limit_applied_given && e->limit_applied != v.decision.limit_applied)
        part(bad, sizeof bad, "expected limit_applied %s, got %s", e->limit_applied ? "true" : "false",
             v.decision.limit_applied ? "true" : "false");
    if (e->claim_error_given && e->claim_error != v.claim_error)
        part(bad, sizeof bad, "expected claim_error %s, got %s", e->claim_error ? "true" : "false",
             v.claim_error ? "true" : "false");
    r->passed = bad[0] == '\0';
    if (r->passed)
        message(c, r, "visit at %s: %s by route %s, fee {total: %ld, copay: %ld}",
                clinic_word(c->scn, e->visit.clinic), got_outcome, got_route, v.decision.fee_total,
                v.decision.copay);
    else
        message(c, r, "visit at %s: %s", clinic_word(c->scn, e->visit.clinic), bad);
}

static void check_online(struct checker *c, const struct scenario_expect *e, struct replay_result *r)
{
    struct eligibility_answer a;
    struct core_error err;
    core_error_clear(&err);
    memset(&a, 0, sizeof a);
    if (r->rule[0] == '\0')
        set_rule(r, "MYNA-3");
    if (world_probe_check(c->w, e->resident, e->date, e->clinic, &a, &err) != CORE_OK) {
        char why[600];
        core_error_format(&err, why, sizeof why);
        r->passed = false;
        message(c, r, "expected online check %s at %s, got no answer: %s", scenario_check_word(e->check),
                clinic_word(c->scn, e->clinic), why);
        return;
    }
    const char *got = eligibility_result_name(a.result);
    /* An absent `warning` means the reader must not warn (scenario.h: SCENARIO_WARNING_NONE). */
    unsigned want_warn = e->warning == SCENARIO_WARNING_NONE ? 0u : 1u << (unsigned)e->warning;
    char got_warn[64];
    warnings_format(a.warnings, got_warn, sizeof got_warn);
    char bad[400] = "";
    if ((int)e->check != (int)a.result)
        part(bad, sizeof bad, "expected %s, got %s", scenario_check_word(e->check), got);
    if (want_warn != a.warnings)
        part(bad, sizeof bad, "expected warning %s, got %s", scenario_warning_word(e->warning), got_warn);
    r->passed = bad[0] == '\0';
    if (r->passed)
        message(c, r, "online check at %s: %s, warning %s", clinic_word(c->scn, e->clinic), got, got_warn);
    else
        message(c, r, "online check at %s: %s", clinic_word(c->scn, e->clinic), bad);
}

static void check_received(struct checker *c, const struct scenario_expect *e, struct replay_result *r)
{
    core_day got = world_received(c->w, e->resident, e->received, e->by, (int)e->notice_type);
    char by[11], what[48];
    core_date_format(e->by, by);
    if (e->notice_type != SCENARIO_NOTICE_ANY)
        snprintf(what, sizeof what, "%s (type %c)", scenario_document_word(e->received),
                 e->notice_type == SCENARIO_NOTICE_A ? 'A' : 'B');
    else
        snprintf(what, sizeof what, "%s", scenario_document_word(e->received));
    r->passed = got != CORE_DAY_NONE;
    if (r->passed) {
        char day[11];
        core_date_format(got, day);
        message(c, r, "received a %s on %s, by %s", what, day, by);
    } else {
        message(c, r, "expected a %s received by %s, got none", what, by);
    }
}

static void range_format(const struct scenario_range *rg, char *out, size_t cap)
{
    if (rg->min == rg->max)
        snprintf(out, cap, "%lld", rg->min);
    else if (rg->max == LLONG_MAX)
        snprintf(out, cap, "at least %lld", rg->min);
    else if (rg->min == 0)
        snprintf(out, cap, "at most %lld", rg->max);
    else
        snprintf(out, cap, "%lld..%lld", rg->min, rg->max);
}

static void check_count(struct checker *c, const struct scenario_expect *e, struct replay_result *r)
{
    long got;
    const char *rule;
    switch (e->kind) {
    case SCENARIO_EXPECT_GAP_DAYS:
        got = world_gap_days(c->w, e->resident);
        rule = "INV-1";
        break;
    case SCENARIO_EXPECT_DEGRADED_DAYS:
        got = world_degraded_days(c->w, e->resident);
        rule = "INV-2";
        break;
    case SCENARIO_EXPECT_GRACE_DAYS:
        got = world_grace_days(c->w, e->resident);
        rule = "AMEND-1";
        break;
    default:
        got = world_claim_errors(c->w, e->resident);
        rule = "DESK-2";
        break;
    }
    const struct world_population *pop = c->out->population;
    if (pop != NULL && e->resident == SCENARIO_WHO_ALL) /* named residents plus the population */
        got += (long)(e->kind == SCENARIO_EXPECT_GAP_DAYS        ? pop->gap
                      : e->kind == SCENARIO_EXPECT_DEGRADED_DAYS ? pop->degraded
                      : e->kind == SCENARIO_EXPECT_GRACE_DAYS    ? pop->grace
                                                                 : pop->claims);
    if (r->rule[0] == '\0')
        set_rule(r, rule);
    const char *form = scenario_expect_word(e->kind);
    char want[64];
    range_format(&e->count, want, sizeof want);
    char bad[300] = "";
    if ((long long)got < e->count.min || (long long)got > e->count.max)
        part(bad, sizeof bad, "expected %s %s, got %ld", form, want, got);
    if (e->kind == SCENARIO_EXPECT_GAP_DAYS && e->first_gap != CORE_DAY_NONE) {
        core_day first = world_first_gap(c->w, e->resident);
        if (first != e->first_gap) {
            char w1[11], g1[11] = "none";
            core_date_format(e->first_gap, w1);
            if (first != CORE_DAY_NONE)
                core_date_format(first, g1);
            part(bad, sizeof bad, "expected first_gap %s, got %s", w1, g1);
        }
    }
    r->passed = bad[0] == '\0';
    if (r->passed)
        message(c, r, "%s %ld", form, got);
    else
        message(c, r, "%s", bad);
}

static void check_usage_rate(struct checker *c, const struct scenario_expect *e, struct replay_result *r)
{
    int y, m, d;
    core_date_to_ymd(e->month, &y, &m, &d);
    if (c->out->population != NULL) {
        long ppm = world_population_usage_ppm(c->out->population, e->month);
        r->passed = ppm >= 0 && (uint32_t)ppm >= e->min_ppm && (uint32_t)ppm <= e->max_ppm;
        if (ppm < 0)
            message(c, r, "expected a usage_rate in %04d-%02d, got none: no online checks that month", y, m);
        else
            message(c, r, "usage_rate in %04d-%02d: got %.4f, expected %.4f..%.4f", y, m, (double)ppm / 1e6,
                    (double)e->min_ppm / 1e6, (double)e->max_ppm / 1e6);
        return;
    }
    /* SCENARIO-FORMAT.md: the usage rate is a population's measure (card-route checks over all online checks
     * of its generated residents' visits). A scenario of named residents has none, and a silently skipped
     * expectation would look like a pass: it fails, saying why. */
    r->passed = false;
    message(c, r,
            "expected a usage_rate in %04d-%02d, got none: the usage rate is measured over a population's "
            "visits and this scenario has no population",
            y, m);
}

static void check_one(struct checker *c, const struct scenario_expect *e, struct replay_result *r)
{
    r->expect = e;
    r->pos = e->pos;
    r->form = scenario_expect_word(e->kind);
    r->resident = e->resident;
    r->date = e->date;
    set_rule(r, e->rule);
    switch (e->kind) {
    case SCENARIO_EXPECT_HOLDS:
    case SCENARIO_EXPECT_LACKS:
        check_holds(c, e, r);
        break;
    case SCENARIO_EXPECT_VISIT:
        check_visit(c, e, r);
        break;
    case SCENARIO_EXPECT_ONLINE_CHECK:
        check_online(c, e, r);
        break;
    case SCENARIO_EXPECT_RECEIVED:
        r->date = CORE_DAY_NONE; /* `by` is in the message */
        check_received(c, e, r);
        break;
    case SCENARIO_EXPECT_GAP_DAYS:
    case SCENARIO_EXPECT_DEGRADED_DAYS:
    case SCENARIO_EXPECT_GRACE_DAYS:
    case SCENARIO_EXPECT_CLAIM_ERRORS:
        r->date = CORE_DAY_NONE;
        check_count(c, e, r);
        break;
    case SCENARIO_EXPECT_USAGE_RATE:
        r->date = CORE_DAY_NONE; /* the month is in the message */
        check_usage_rate(c, e, r);
        break;
    }
}

/* docs/SCENARIO-FORMAT.md, Running: gap days the file does not expect fail the run. A `gap_days` expectation for the
 * resident, or for `all`, says the file has thought about them (whether it holds is its own result). */
static CORE_MUST_USE int check_unexpected_gaps(struct checker *c)
{
    const struct scenario *s = c->scn;
    bool all = false;
    for (size_t i = 0; i < s->expect_count; i++)
        if (s->expects[i].kind == SCENARIO_EXPECT_GAP_DAYS && s->expects[i].resident == SCENARIO_WHO_ALL)
            all = true;
    if (all)
        return CORE_OK;
    const struct world_population *pop = c->out->population;
    if (pop != NULL && pop->gap > 0) { /* a population's gap days are expected only by `who: all` */
        struct replay_result *r = result_add(c);
        if (r == NULL)
            return CORE_ENOMEM;
        r->pos = s->population.pos;
        r->form = "invariant";
        r->resident = SCENARIO_WHO_ALL;
        set_rule(r, "INV-1");
        /* The rules with most gap days, most first (the first named among equals). */
        const struct world_pop_rule *top[3] = {NULL, NULL, NULL};
        for (size_t i = 0; i < pop->nrules && i < WORLD_POP_RULES_MAX; i++) {
            const struct world_pop_rule *pr = &pop->rules[i];
            if (pr->gap <= 0)
                continue;
            for (size_t k = 0; k < 3; k++)
                if (top[k] == NULL || pr->gap > top[k]->gap) {
                    for (size_t m = 2; m > k; m--)
                        top[m] = top[m - 1];
                    top[k] = pr;
                    break;
                }
        }
        char rules[160] = "";
        for (size_t k = 0, len = 0; k < 3 && top[k] != NULL && len < sizeof rules; k++) {
            int w = snprintf(rules + len, sizeof rules - len, "%s%s (%lld)", k > 0 ? ", " : "", top[k]->rule,
                             top[k]->gap);
            len += w > 0 ? (size_t)w : 0;
        }
        r->passed = false;
        message(c, r,
                "expected no gap days in the population (the file has no `who: all` gap_days expectation), "
                "got %lld%s%s",
                pop->gap, rules[0] != '\0' ? ", caused most by " : "", rules);
    }
    for (size_t k = 0; k < s->resident_count; k++) {
        int res = (int)k;
        long gaps = world_gap_days(c->w, res);
        if (gaps <= 0)
            continue;
        bool expected = false;
        for (size_t i = 0; i < s->expect_count && !expected; i++)
            expected = s->expects[i].kind == SCENARIO_EXPECT_GAP_DAYS && s->expects[i].resident == res;
        if (expected)
            continue;
        struct replay_result *r = result_add(c);
        if (r == NULL)
            return CORE_ENOMEM;
        r->pos = s->residents[k].pos;
        r->form = "invariant";
        r->resident = res;
        set_rule(r, "INV-1");
        const char *why = "";
        core_day first = world_first_gap(c->w, res);
        size_t n = world_range_count(c->w, res);
        for (size_t i = 0; i < n; i++) {
            const struct world_range *rg = world_range_at(c->w, res, i);
            if (rg->verdict == WORLD_DAY_GAP) {
                why = rg->rule != NULL ? rg->rule : "";
                break;
            }
        }
        char day[11] = "?";
        if (first != CORE_DAY_NONE)
            core_date_format(first, day);
        r->passed = false;
        message(c, r,
                "expected no gap days (the file has no gap_days expectation for this resident), got %ld from "
                "%s%s%s",
                gaps, day, why[0] != '\0' ? ", caused by " : "", why);
    }
    return CORE_OK;
}

int replay_run(const struct scenario *scn, struct replay_run_result *out, struct core_error *err)
{
    return replay_run_with(scn, NULL, out, err);
}

int replay_run_with(const struct scenario *scn, const struct replay_run_options *opt,
                    struct replay_run_result *out, struct core_error *err)
{
    memset(out, 0, sizeof *out);
    if (scn == NULL)
        return core_error_set(err, CORE_EINVAL, "", 0, 0, "replay_run: no scenario");
    int rc = world_new(scn, &out->world, err);
    if (rc != CORE_OK)
        return rc;
    if (opt != NULL && opt->wire &&
        (rc = world_set_fidelity(out->world, WORLD_FIDELITY_WIRE, err)) != CORE_OK)
        return rc;
    if (opt != NULL && opt->prepare != NULL &&
        (rc = opt->prepare(opt->prepare_ctx, out->world, err)) != CORE_OK)
        return rc;
    rc = world_run(out->world, err);
    if (rc != CORE_OK)
        return rc;
    if (scn->has_population) { /* docs/SCENARIO-FORMAT.md, Populations: generated, run and kept as aggregates */
        struct world_mix *mix = NULL;
        rc = world_mix_load(scn->population.mix, scn->dir, &mix, err);
        if (rc == CORE_OK)
            rc = opt != NULL && opt->population_detail != NULL
                     ? world_population_run_detail(scn, mix, 2, opt->population_detail,
                                                   opt->population_detail_ctx, &out->population, err)
                     : world_population_run(scn, mix, 2, &out->population, err);
        world_mix_free(mix);
        if (rc != CORE_OK)
            return rc;
    }
    struct checker c = {.scn = scn, .w = out->world, .out = out, .cap = 0};
    for (size_t i = 0; i < scn->expect_count; i++) {
        if (opt != NULL && opt->rule != NULL && strcmp(scn->expects[i].rule, opt->rule) != 0) {
            out->deselected++;
            continue;
        }
        struct replay_result *r = result_add(&c);
        if (r == NULL)
            return core_error_set(err, CORE_ENOMEM, scn->file, 0, 0, "out of memory checking expectations");
        check_one(&c, &scn->expects[i], r);
    }
    if (check_unexpected_gaps(&c) != CORE_OK)
        return core_error_set(err, CORE_ENOMEM, scn->file, 0, 0, "out of memory checking invariants");
    for (size_t i = 0; i < out->count; i++) {
        if (out->results[i].passed)
            out->passed++;
        else
            out->failed++;
    }
    return CORE_OK;
}

void replay_run_result_free(struct replay_run_result *r)
{
    if (r == NULL)
        return;
    if (r->world != NULL)
        world_free(r->world);
    world_population_free(r->population);
    free(r->results);
    memset(r, 0, sizeof *r);
}
