/*
 * json.c: the report for tools, built with jansson and dumped on close with sorted keys and a two-space
 * indent, so the same runs give the same bytes.
 *
 * Shape: {"format": 1, "runs": [RUN, ...], "totals": TOTALS} with one RUN per file, in the order replayed
 * (sorted paths), and TOTALS the sums over the runs:
 *   TOTALS = {scenarios {total, passed, failed, invalid}, expectations {total, passed, failed} (invariants
 *             included, as in each summary), residents, gap_days, grace_days, degraded_days, claim_errors}
 *   RUN = {file, scenario, policy, period {from, to}, seed (or null), passed, summary {...},
 *          expectations [{name, form, file, line, column, rule, who, date, passed, message}],
 *          residents [{id, identity {my_number, members [{insurer, role, insurer_number, symbol, number,
 *                      branch, from, to}], cards [{serial, issued, certificates [serial]}]},
 *                      gap_days, grace_days, degraded_days, claim_errors, first_gap,
 *                      ranges [{from, to, verdict, holds [...], in_hand [...], insurer, degraded, rule}],
 *                      events [{date, what, rule, detail, failed, line}],
 *                      visits [{date, clinic, kind, brought, missing, card_check, outcome, route, rule,
 *                               fee {total, copay}, copay_percent, limit_applied, grace, claim_error, line}]}],
 *          events [clinic events, the same shape as a resident's],
 *          population (only with one) {residents, households, visits, mix, size, peak_household,
 *                      gap_days, grace_days, degraded_days, claim_errors,
 *                      rules [{rule, gap_days, grace_days, degraded_days, claim_errors}] (sorted by rule),
 *                      days [{date, gap_days, grace_days, degraded_days, claim_errors}] (days with any),
 *                      months [{month, visits, online_checks, card_checks, usage_ppm (null: no check),
 *                               usage_expected {min_ppm, max_ppm, passed} or null,
 *                               mailed {certificate, notice}}],
 *                      cards {start {held, registered}, end {held, registered}} (residents)}}
 * A file that could not be run is RUN = {file, invalid: true, passed: false, problems [{line, column,
 * message}], problems_omitted}.
 * Rates are integers in millionths (usage_ppm), so the bytes never depend on how a double prints.
 * An array of runs (rather than an object keyed by file) keeps one shape for one file and many, and keeps
 * the replay order.
 *
 * Nothing is dropped: text that is not valid UTF-8 (a file name is any bytes) is written with U+FFFD in place
 * of each invalid sequence (report_utf8_dup), valid text as it is; every value built and every append is
 * checked, and the first one that fails is the error, naming what could not be built and why.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

#define REPORT_JSON_FORMAT 1

static const char *str(const char *s)
{
    return s != NULL ? s : "";
}

static json_t *day_or_null(struct report_jb *b, core_day d)
{
    if (d == CORE_DAY_NONE)
        return json_null();
    char s[11];
    core_date_format(d, s);
    return report_jb_new(b, "a date", json_string(s));
}

static json_t *documents(struct report_jb *b, unsigned docs)
{
    json_t *a = report_jb_new(b, "a list of documents", json_array());
    for (int d = 0; d < SCENARIO_DOC_COUNT; d++)
        if (docs & SCENARIO_DOC_BIT(d))
            report_jb_append(
                b, "a document", a,
                report_jb_string(b, "a document", scenario_document_word((enum scenario_document)d)));
    return a;
}

static json_t *event_json(struct report_jb *b, const struct world_event *ev)
{
    return REPORT_PACK(b, "an event", "{s:o, s:s, s:s, s:s, s:b, s:i}", "date", day_or_null(b, ev->day),
                       "what", report_u8(b, str(ev->what)), "rule", report_u8(b, str(ev->rule)), "detail",
                       report_u8(b, str(ev->detail)), "failed", (int)ev->failed, "line", ev->line);
}

static const char *visit_kind_word(enum scenario_visit_kind k)
{
    return k == SCENARIO_VISIT_REVISIT ? "revisit" : k == SCENARIO_VISIT_DISPENSING ? "dispensing" : "first";
}

static json_t *visit_json(struct report_jb *b, const struct scenario *scn, const struct world_visit *v)
{
    const struct clinic_decision *d = &v->decision;
    return REPORT_PACK(
        b, "a visit",
        "{s:o, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:{s:I, s:I}, s:i, s:b, s:b, s:b, s:b, s:i}", "date",
        day_or_null(b, v->day), "clinic", report_u8(b, report_clinic(scn, v->clinic)), "kind",
        visit_kind_word(v->kind), "brought", documents(b, v->brought), "missing", documents(b, v->missing),
        "card_check", report_u8(b, eligibility_result_name(v->card_check)), "outcome",
        report_u8(b, clinic_outcome_name(d->outcome)), "route", report_u8(b, clinic_route_name(d->route)),
        "rule", report_u8(b, str(d->rule)), "fee", "total", (json_int_t)d->fee_total, "copay",
        (json_int_t)d->copay, "copay_percent", d->copay_percent, "fee_charged", (int)d->fee_charged,
        "limit_applied", (int)d->limit_applied, "grace", (int)d->grace, "claim_error", (int)v->claim_error,
        "line", v->line);
}

static json_t *serial_json(struct report_jb *b, uint64_t serial)
{
    char s[24];
    snprintf(s, sizeof s, "%" PRIu64, serial);
    return report_jb_new(b, "a serial", json_string(s));
}

/* What a user types into their own system to ask about this resident: the My Number, each membership's
 * numbers (the insurer number as the registry holds it, 6 or 8 digits), each card's serial and its
 * certificates' serials (decimal strings: 64 bits do not fit every JSON reader's numbers). */
static json_t *identity_json(struct report_jb *b, const struct scenario *scn, const struct world *w, int res)
{
    json_t *members = report_jb_new(b, "a resident's memberships", json_array());
    json_t *cards = report_jb_new(b, "a resident's cards", json_array());
    size_t n = world_membership_count(w, res);
    for (size_t i = 0; i < n; i++) {
        struct world_membership m;
        if (world_membership_at(w, res, i, &m) != CORE_OK)
            continue;
        report_jb_append(
            b, "a membership", members,
            REPORT_PACK(b, "a membership", "{s:s?, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "insurer",
                        m.insurer >= 0 && (size_t)m.insurer < scn->insurer_count
                            ? report_u8(b, scn->insurers[m.insurer].id)
                            : NULL,
                        "role", m.role == SCENARIO_ROLE_DEPENDENT ? "dependent" : "insured", "insurer_number",
                        report_u8(b, m.numbers.insurer_number), "symbol", report_u8(b, m.numbers.symbol),
                        "number", report_u8(b, m.numbers.number), "branch", report_u8(b, m.numbers.branch),
                        "from", day_or_null(b, m.from), "to", day_or_null(b, m.to)));
    }
    n = world_card_count(w, res);
    for (size_t i = 0; i < n; i++) {
        struct world_card c;
        if (world_card_at(w, res, i, &c) != CORE_OK)
            continue;
        json_t *certs = report_jb_new(b, "a card's certificates", json_array());
        for (size_t k = 0; k < c.cert_count; k++)
            report_jb_append(b, "a certificate", certs, serial_json(b, c.cert_serial[k]));
        report_jb_append(b, "a card", cards,
                         REPORT_PACK(b, "a card", "{s:o, s:o, s:o}", "serial", serial_json(b, c.id), "issued",
                                     day_or_null(b, c.got), "certificates", certs));
    }
    return REPORT_PACK(b, "an identity", "{s:s, s:o, s:o}", "my_number",
                       report_u8(b, world_my_number(w, res)), "members", members, "cards", cards);
}

static json_t *resident_json(struct report_jb *b, const struct scenario *scn, const struct world *w, int res)
{
    json_t *ranges = report_jb_new(b, "a resident's ranges", json_array());
    json_t *events = report_jb_new(b, "a resident's events", json_array());
    json_t *visits = report_jb_new(b, "a resident's visits", json_array());
    size_t n = world_range_count(w, res);
    for (size_t i = 0; i < n; i++) {
        const struct world_range *rg = world_range_at(w, res, i);
        report_jb_append(b, "a range", ranges,
                         REPORT_PACK(b, "a range", "{s:o, s:o, s:s, s:o, s:o, s:s?, s:b, s:s}", "from",
                                     day_or_null(b, rg->from), "to", day_or_null(b, rg->to), "verdict",
                                     report_verdict_word(rg->verdict), "holds", documents(b, rg->holds),
                                     "in_hand", documents(b, rg->in_hand), "insurer",
                                     rg->insurer >= 0 && (size_t)rg->insurer < scn->insurer_count
                                         ? report_u8(b, scn->insurers[rg->insurer].id)
                                         : NULL,
                                     "degraded", (int)rg->degraded, "rule", report_u8(b, str(rg->rule))));
    }
    n = world_event_count(w);
    for (size_t i = 0; i < n; i++) {
        const struct world_event *ev = world_event_at(w, i);
        if (ev->resident == res)
            report_jb_append(b, "an event", events, event_json(b, ev));
    }
    n = world_visit_count(w);
    for (size_t i = 0; i < n; i++) {
        const struct world_visit *v = world_visit_at(w, i);
        if (v->resident == res)
            report_jb_append(b, "a visit", visits, visit_json(b, scn, v));
    }
    return REPORT_PACK(
        b, "a resident", "{s:s, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "id",
        report_u8(b, scn->residents[res].id), "identity", identity_json(b, scn, w, res), "gap_days",
        (json_int_t)world_gap_days(w, res), "grace_days", (json_int_t)world_grace_days(w, res),
        "degraded_days", (json_int_t)world_degraded_days(w, res), "claim_errors",
        (json_int_t)world_claim_errors(w, res), "first_gap", day_or_null(b, world_first_gap(w, res)),
        "ranges", ranges, "events", events, "visits", visits);
}

/* ---- per-resident detail of populations (JSON Lines) ---------------------------------------------- */

static json_t *detail_resident(struct report_jb *b, const struct report_detail *d,
                               const struct world_pop_household *hh, int res)
{
    const struct scenario *scn = hh->scn;
    const struct world *w = hh->world;
    json_t *r = resident_json(b, scn, w, res); /* ranges, events; its visits are the world's own: none */
    if (r == NULL)
        return NULL;
    json_t *visits = report_jb_new(b, "a resident's visits", json_array());
    long long claims = 0;
    for (size_t i = 0; i < hh->visit_count; i++) {
        const struct world_visit *v = &hh->visits[i];
        if (v->resident != res)
            continue;
        claims += v->claim_error;
        report_jb_append(b, "a visit", visits, visit_json(b, scn, v));
    }
    const struct scenario_resident *sr = &scn->residents[res];
    int fail = report_jb_set(b, "a resident", r, "visits", visits);
    fail |= report_jb_set(b, "a resident", r, "claim_errors", json_integer((json_int_t)claims));
    fail |= report_jb_set(b, "a resident", r, "household", json_integer((json_int_t)hh->index));
    fail |= report_jb_set(b, "a resident", r, "born", day_or_null(b, sr->born));
    fail |= report_jb_set(b, "a resident", r, "insurer",
                          sr->insurer >= 0 && (size_t)sr->insurer < scn->insurer_count
                              ? report_jb_string(b, "an insurer", scn->insurers[sr->insurer].id)
                              : json_null());
    fail |= report_jb_set(b, "a resident", r, "file", report_jb_string(b, "the file", str(d->file)));
    if (fail != 0 || b->code != CORE_OK) {
        json_decref(r);
        return NULL;
    }
    return r;
}

int report_detail_household(void *ctx, const struct world_pop_household *hh, struct core_error *err)
{
    const struct report_detail *d = ctx;
    for (size_t k = 0; k < hh->scn->resident_count; k++) {
        struct report_jb b = {.code = CORE_OK};
        json_t *r = detail_resident(&b, d, hh, (int)k);
        if (r == NULL)
            return report_jb_error(&b, "the detail", d->file, err);
        int rc = json_dumpf(r, d->out, JSON_SORT_KEYS | JSON_COMPACT);
        json_decref(r);
        report_jb_free(&b);
        if (rc != 0 || fputc('\n', d->out) == EOF)
            return core_error_set(err, CORE_EIO, "", 0, 0, "report: the detail could not be written");
    }
    return CORE_OK;
}

static json_t *result_json(struct report_jb *b, const struct scenario *scn, const struct replay_result *r)
{
    char name[64];
    report_result_name(r, name, sizeof name);
    return REPORT_PACK(
        b, "an expectation", "{s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:o, s:b, s:s}", "name", report_u8(b, name),
        "form", report_u8(b, str(r->form)), "file", report_u8(b, scn->file), "line", r->pos.line, "column",
        r->pos.column, "rule", report_u8(b, r->rule), "who", report_u8(b, report_who(scn, r->resident)),
        "date", day_or_null(b, r->date), "passed", (int)r->passed, "message", report_u8(b, r->message));
}

static json_t *population_json(struct report_jb *b, const struct scenario *scn,
                               const struct world_population *p)
{
    json_t *rules = report_jb_new(b, "the population's rules", json_array());
    json_t *days = report_jb_new(b, "the population's days", json_array());
    json_t *months = report_jb_new(b, "the population's months", json_array());
    const struct world_pop_rule *sorted[WORLD_POP_RULES_MAX];
    size_t n = report_pop_rules(p, true, sorted);
    for (size_t i = 0; i < n; i++)
        report_jb_append(b, "a population rule", rules,
                         REPORT_PACK(b, "a population rule", "{s:s, s:I, s:I, s:I, s:I}", "rule",
                                     report_u8(b, sorted[i]->rule), "gap_days", (json_int_t)sorted[i]->gap,
                                     "grace_days", (json_int_t)sorted[i]->grace, "degraded_days",
                                     (json_int_t)sorted[i]->degraded, "claim_errors",
                                     (json_int_t)sorted[i]->claims));
    for (size_t d = 0; d < p->ndays; d++) {
        long long g = p->gap_by_day[d], gr = p->grace_by_day[d], dg = p->degraded_by_day[d],
                  c = p->claims_by_day[d];
        if (g == 0 && gr == 0 && dg == 0 && c == 0)
            continue;
        report_jb_append(b, "a population day", days,
                         REPORT_PACK(b, "a population day", "{s:o, s:I, s:I, s:I, s:I}", "date",
                                     day_or_null(b, p->from + (core_day)d), "gap_days", (json_int_t)g,
                                     "grace_days", (json_int_t)gr, "degraded_days", (json_int_t)dg,
                                     "claim_errors", (json_int_t)c));
    }
    for (size_t i = 0; i < p->nmonths; i++) {
        const struct world_pop_month *m = &p->months[i];
        int y, mo, d;
        core_date_to_ymd(m->month, &y, &mo, &d);
        char month[16];
        snprintf(month, sizeof month, "%04d-%02d", y % 10000, mo % 100);
        long ppm = report_pop_usage_ppm(m);
        const struct scenario_expect *e = report_usage_expect(scn, m->month);
        json_t *expected =
            e == NULL
                ? json_null()
                : REPORT_PACK(b, "a usage expectation", "{s:I, s:I, s:b}", "min_ppm", (json_int_t)e->min_ppm,
                              "max_ppm", (json_int_t)e->max_ppm, "passed",
                              (int)(ppm >= 0 && (uint32_t)ppm >= e->min_ppm && (uint32_t)ppm <= e->max_ppm));
        report_jb_append(
            b, "a population month", months,
            REPORT_PACK(b, "a population month", "{s:s, s:I, s:I, s:I, s:o, s:o, s:{s:I, s:I}}", "month",
                        month, "visits", (json_int_t)m->visits, "online_checks", (json_int_t)m->online_checks,
                        "card_checks", (json_int_t)m->card_checks, "usage_ppm",
                        ppm >= 0 ? report_jb_new(b, "a usage rate", json_integer((json_int_t)ppm))
                                 : json_null(),
                        "usage_expected", expected, "mailed", "certificate",
                        (json_int_t)m->mailed[SCENARIO_DOC_CERTIFICATE], "notice",
                        (json_int_t)m->mailed[SCENARIO_DOC_NOTICE]));
    }
    return REPORT_PACK(b, "the population",
                       "{s:I, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:{s:{s:I, s:I}, "
                       "s:{s:I, s:I}}}",
                       "residents", (json_int_t)p->residents, "households", (json_int_t)p->households,
                       "visits", (json_int_t)p->visits, "mix",
                       report_u8(b, scn->population.mix != NULL ? scn->population.mix : "national"), "size",
                       (json_int_t)scn->population.size, "peak_household", (json_int_t)p->peak_household,
                       "gap_days", (json_int_t)p->gap, "grace_days", (json_int_t)p->grace, "degraded_days",
                       (json_int_t)p->degraded, "claim_errors", (json_int_t)p->claims, "rules", rules, "days",
                       days, "months", months, "cards", "start", "held", (json_int_t)p->cards_start,
                       "registered", (json_int_t)p->registered_start, "end", "held", (json_int_t)p->cards_end,
                       "registered", (json_int_t)p->registered_end);
}

static json_t *run_json(struct report_jb *b, const struct scenario *scn, const struct replay_run_result *run)
{
    struct report_summary s;
    report_summarize(scn, run, &s);
    json_t *expects = report_jb_new(b, "the expectations", json_array());
    json_t *residents = report_jb_new(b, "the residents", json_array());
    json_t *events = report_jb_new(b, "the clinic events", json_array());
    for (size_t i = 0; i < run->count; i++)
        report_jb_append(b, "an expectation", expects, result_json(b, scn, &run->results[i]));
    if (run->world != NULL) {
        for (size_t k = 0; k < scn->resident_count; k++)
            report_jb_append(b, "a resident", residents, resident_json(b, scn, run->world, (int)k));
        size_t n = world_event_count(run->world);
        for (size_t i = 0; i < n; i++) {
            const struct world_event *ev = world_event_at(run->world, i);
            if (ev->resident < 0)
                report_jb_append(b, "a clinic event", events, event_json(b, ev));
        }
    }
    json_t *seed =
        scn->seed_given ? report_jb_new(b, "the seed", json_integer((json_int_t)scn->seed)) : json_null();
    json_t *r = REPORT_PACK(
        b, "the run",
        "{s:s, s:s, s:s, s:{s:o, s:o}, s:o, s:b, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o, "
        "s:o, s:o}",
        "file", report_u8(b, scn->file), "scenario", report_u8(b, str(scn->name)), "policy",
        report_u8(b, str(scn->policy_ref)), "period", "from", day_or_null(b, scn->period.from), "to",
        day_or_null(b, scn->period.to), "seed", seed, "passed", (int)(s.failed == 0), "summary", "residents",
        (json_int_t)s.residents, "expectations", (json_int_t)s.expectations, "passed", (json_int_t)s.passed,
        "failed", (json_int_t)s.failed, "gap_days", (json_int_t)s.gap_days, "grace_days",
        (json_int_t)s.grace_days, "degraded_days", (json_int_t)s.degraded_days, "claim_errors",
        (json_int_t)s.claim_errors, "expectations", expects, "residents", residents, "events", events);
    if (r != NULL && run->population != NULL)
        /* b keeps the first failure (report_jb_fail); the caller reports it through b->code. */
        CORE_DROP(report_jb_set(b, "the run", r, "population", population_json(b, scn, run->population)));
    if (b->code != CORE_OK) { /* nothing that failed is left out silently */
        json_decref(r);
        return NULL;
    }
    return r;
}

static CORE_MUST_USE int json_open(struct report *rep, struct core_error *err)
{
    rep->state = json_array();
    return rep->state != NULL
               ? CORE_OK
               : core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory starting the JSON report");
}

static CORE_MUST_USE int json_add(struct report *rep, const struct scenario *scn,
                                  const struct replay_run_result *run, struct core_error *err)
{
    struct report_jb b = {.code = CORE_OK};
    json_t *r = run_json(&b, scn, run);
    if (r != NULL)
        report_jb_append(&b, "the run", rep->state, r);
    if (r == NULL || b.code != CORE_OK)
        return report_jb_error(&b, "the JSON report", scn->file, err);
    report_jb_free(&b);
    return CORE_OK;
}

static CORE_MUST_USE int json_invalid(struct report *rep, const char *file, const struct core_error *problems,
                                      size_t count, size_t omitted, struct core_error *err)
{
    struct report_jb b = {.code = CORE_OK};
    json_t *list = report_jb_new(&b, "the problems", json_array());
    for (size_t i = 0; i < count; i++)
        report_jb_append(&b, "a problem", list,
                         REPORT_PACK(&b, "a problem", "{s:i, s:i, s:s}", "line", problems[i].line, "column",
                                     problems[i].column, "message", report_u8(&b, problems[i].message)));
    json_t *r =
        REPORT_PACK(&b, "an invalid file", "{s:s, s:b, s:b, s:o, s:I}", "file", report_u8(&b, file),
                    "invalid", 1, "passed", 0, "problems", list, "problems_omitted", (json_int_t)omitted);
    if (r != NULL)
        report_jb_append(&b, "the run", rep->state, r);
    if (r == NULL || b.code != CORE_OK)
        return report_jb_error(&b, "the JSON report", file, err);
    report_jb_free(&b);
    return CORE_OK;
}

/* A run's summary field, 0 when absent (an invalid file has no summary). */
static json_int_t summary_field(json_t *run, const char *key)
{
    json_t *v = json_object_get(json_object_get(run, "summary"), key);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* TOTALS: the sums over the runs, so a tool reads the whole report's result in one place. */
static json_t *totals_json(const struct report *rep, json_t *runs)
{
    static const char *const summed[] = {"residents", "gap_days", "grace_days", "degraded_days",
                                         "claim_errors"};
    json_int_t sum[sizeof summed / sizeof summed[0]] = {0};
    json_int_t expectations = 0, passed = 0, failed = 0;
    size_t i;
    json_t *run;
    json_array_foreach(runs, i, run)
    {
        for (size_t k = 0; k < sizeof summed / sizeof summed[0]; k++)
            sum[k] += summary_field(run, summed[k]);
        expectations += summary_field(run, "expectations");
        passed += summary_field(run, "passed");
        failed += summary_field(run, "failed");
    }
    json_t *t =
        json_pack("{s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I}}", "scenarios", "total",
                  (json_int_t)(rep->passed + rep->failed + rep->invalid), "passed", (json_int_t)rep->passed,
                  "failed", (json_int_t)rep->failed, "invalid", (json_int_t)rep->invalid, "expectations",
                  "total", expectations, "passed", passed, "failed", failed);
    for (size_t k = 0; t != NULL && k < sizeof summed / sizeof summed[0]; k++)
        if (json_object_set_new(t, summed[k], json_integer(sum[k])) != 0) {
            json_decref(t);
            t = NULL;
        }
    return t;
}

static CORE_MUST_USE int json_close(struct report *rep, struct core_error *err)
{
    json_t *runs = rep->state;
    json_t *totals = totals_json(rep, runs);
    json_t *root = totals == NULL ? NULL
                                  : json_pack("{s:i, s:O, s:o}", "format", REPORT_JSON_FORMAT, "runs", runs,
                                              "totals", totals);
    json_decref(runs); /* the root holds its own reference (s:O), or there is no root */
    if (root == NULL)
        return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory finishing the JSON report");
    int rc = json_dumpf(root, rep->out, JSON_SORT_KEYS | JSON_INDENT(2)) == 0 ? CORE_OK : CORE_EIO;
    json_decref(root);
    if (rc != CORE_OK)
        return core_error_set(err, rc, "", 0, 0, "report: the JSON report could not be written");
    if (fputc('\n', rep->out) == EOF)
        return core_error_set(err, CORE_EIO, "", 0, 0, "report: the JSON report could not be written");
    return CORE_OK;
}

const struct report_ops report_json_ops = {json_open, json_add, json_close, json_invalid};
