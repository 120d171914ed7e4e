/*
 * json.c: the report for tools, built with jansson and dumped on close with sorted keys and a two-space
 * indent, so the same runs give the same bytes.
 *
 * Shape: {"format": 1, "runs": [RUN, ...]} with one RUN per file, in the order replayed (sorted paths):
 *   RUN = {file, scenario, policy, period {from, to}, seed (or null), passed, summary {...},
 *          expectations [{name, form, file, line, column, rule, who, date, passed, message}],
 *          residents [{id, gap_days, grace_days, degraded_days, claim_errors, first_gap,
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
 * Rates are integers in millionths (usage_ppm), so the bytes never depend on how a double prints.
 * An array of runs (rather than an object keyed by file) keeps one shape for one file and many, and keeps
 * the replay order.
 */
#include <jansson.h>
#include <stdlib.h>

#include "report/report_int.h"

#define REPORT_JSON_FORMAT 1

static int oom(struct core_error *err)
{
    return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory building JSON");
}

static json_t *day_or_null(core_day d)
{
    if (d == CORE_DAY_NONE)
        return json_null();
    char s[11];
    core_date_format(d, s);
    return json_string(s);
}

static json_t *documents(unsigned docs)
{
    json_t *a = json_array();
    for (int d = 0; d < SCENARIO_DOC_COUNT; d++)
        if (docs & SCENARIO_DOC_BIT(d))
            json_array_append_new(a, json_string(scenario_document_word((enum scenario_document)d)));
    return a;
}

static const char *str(const char *s)
{
    return s != NULL ? s : "";
}

static json_t *event_json(const struct world_event *ev)
{
    return json_pack("{s:o, s:s, s:s, s:s, s:b, s:i}", "date", day_or_null(ev->day), "what", str(ev->what),
                     "rule", str(ev->rule), "detail", str(ev->detail), "failed", (int)ev->failed, "line",
                     ev->line);
}

static const char *visit_kind_word(enum scenario_visit_kind k)
{
    return k == SCENARIO_VISIT_REVISIT ? "revisit" : k == SCENARIO_VISIT_DISPENSING ? "dispensing" : "first";
}

static json_t *visit_json(const struct scenario *scn, const struct world_visit *v)
{
    const struct clinic_decision *d = &v->decision;
    return json_pack(
        "{s:o, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:{s:I, s:I}, s:i, s:b, s:b, s:b, s:b, s:i}", "date",
        day_or_null(v->day), "clinic", report_clinic(scn, v->clinic), "kind", visit_kind_word(v->kind),
        "brought", documents(v->brought), "missing", documents(v->missing), "card_check",
        eligibility_result_name(v->card_check), "outcome", clinic_outcome_name(d->outcome), "route",
        clinic_route_name(d->route), "rule", str(d->rule), "fee", "total", (json_int_t)d->fee_total, "copay",
        (json_int_t)d->copay, "copay_percent", d->copay_percent, "fee_charged", (int)d->fee_charged,
        "limit_applied", (int)d->limit_applied, "grace", (int)d->grace, "claim_error", (int)v->claim_error,
        "line", v->line);
}

static json_t *resident_json(const struct scenario *scn, const struct world *w, int res)
{
    json_t *ranges = json_array(), *events = json_array(), *visits = json_array();
    size_t n = world_range_count(w, res);
    for (size_t i = 0; i < n; i++) {
        const struct world_range *rg = world_range_at(w, res, i);
        json_array_append_new(
            ranges, json_pack("{s:o, s:o, s:s, s:o, s:o, s:s?, s:b, s:s}", "from", day_or_null(rg->from),
                              "to", day_or_null(rg->to), "verdict", report_verdict_word(rg->verdict), "holds",
                              documents(rg->holds), "in_hand", documents(rg->in_hand), "insurer",
                              rg->insurer >= 0 && (size_t)rg->insurer < scn->insurer_count
                                  ? scn->insurers[rg->insurer].id
                                  : NULL,
                              "degraded", (int)rg->degraded, "rule", str(rg->rule)));
    }
    n = world_event_count(w);
    for (size_t i = 0; i < n; i++) {
        const struct world_event *ev = world_event_at(w, i);
        if (ev->resident == res)
            json_array_append_new(events, event_json(ev));
    }
    n = world_visit_count(w);
    for (size_t i = 0; i < n; i++) {
        const struct world_visit *v = world_visit_at(w, i);
        if (v->resident == res)
            json_array_append_new(visits, visit_json(scn, v));
    }
    return json_pack(
        "{s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}", "id", scn->residents[res].id, "gap_days",
        (json_int_t)world_gap_days(w, res), "grace_days", (json_int_t)world_grace_days(w, res),
        "degraded_days", (json_int_t)world_degraded_days(w, res), "claim_errors",
        (json_int_t)world_claim_errors(w, res), "first_gap", day_or_null(world_first_gap(w, res)), "ranges",
        ranges, "events", events, "visits", visits);
}

/* ---- per-resident detail of populations (JSON Lines) ---------------------------------------------- */

static json_t *detail_resident(const struct report_detail *d, const struct world_pop_household *hh, int res)
{
    const struct scenario *scn = hh->scn;
    const struct world *w = hh->world;
    json_t *r = resident_json(scn, w, res); /* ranges, events; its visits are the world's own: none */
    if (r == NULL)
        return NULL;
    json_t *visits = json_array();
    long long claims = 0;
    for (size_t i = 0; i < hh->visit_count; i++) {
        const struct world_visit *v = &hh->visits[i];
        if (v->resident != res)
            continue;
        claims += v->claim_error;
        json_array_append_new(visits, visit_json(scn, v));
    }
    const struct scenario_resident *sr = &scn->residents[res];
    int fail = json_object_set_new(r, "visits", visits);
    fail |= json_object_set_new(r, "claim_errors", json_integer((json_int_t)claims));
    fail |= json_object_set_new(r, "household", json_integer((json_int_t)hh->index));
    fail |= json_object_set_new(r, "born", day_or_null(sr->born));
    fail |= json_object_set_new(r, "insurer",
                                sr->insurer >= 0 && (size_t)sr->insurer < scn->insurer_count
                                    ? json_string(scn->insurers[sr->insurer].id)
                                    : json_null());
    fail |= json_object_set_new(r, "file", json_string(str(d->file)));
    if (fail != 0) {
        json_decref(r);
        return NULL;
    }
    return r;
}

int report_detail_household(void *ctx, const struct world_pop_household *hh, struct core_error *err)
{
    const struct report_detail *d = ctx;
    for (size_t k = 0; k < hh->scn->resident_count; k++) {
        json_t *r = detail_resident(d, hh, (int)k);
        if (r == NULL)
            return oom(err);
        int rc = json_dumpf(r, d->out, JSON_SORT_KEYS | JSON_COMPACT);
        json_decref(r);
        if (rc != 0 || fputc('\n', d->out) == EOF)
            return core_error_set(err, CORE_EIO, "", 0, 0, "report: the detail could not be written");
    }
    return CORE_OK;
}

static json_t *result_json(const struct scenario *scn, const struct scenario_result *r)
{
    char name[64];
    report_result_name(r, name, sizeof name);
    return json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:o, s:b, s:s}", "name", name, "form", str(r->form),
                     "file", scn->file, "line", r->pos.line, "column", r->pos.column, "rule", r->rule, "who",
                     report_who(scn, r->resident), "date", day_or_null(r->date), "passed", (int)r->passed,
                     "message", r->message);
}

static json_t *population_json(const struct scenario *scn, const struct world_population *p)
{
    json_t *rules = json_array(), *days = json_array(), *months = json_array();
    const struct world_pop_rule *sorted[WORLD_POP_RULES_MAX];
    size_t n = report_pop_rules(p, true, sorted);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rules, json_pack("{s:s, s:I, s:I, s:I, s:I}", "rule", sorted[i]->rule,
                                               "gap_days", (json_int_t)sorted[i]->gap, "grace_days",
                                               (json_int_t)sorted[i]->grace, "degraded_days",
                                               (json_int_t)sorted[i]->degraded, "claim_errors",
                                               (json_int_t)sorted[i]->claims));
    for (size_t d = 0; d < p->ndays; d++) {
        long long g = p->gap_by_day[d], gr = p->grace_by_day[d], dg = p->degraded_by_day[d],
                  c = p->claims_by_day[d];
        if (g == 0 && gr == 0 && dg == 0 && c == 0)
            continue;
        json_array_append_new(days, json_pack("{s:o, s:I, s:I, s:I, s:I}", "date",
                                              day_or_null(p->from + (core_day)d), "gap_days", (json_int_t)g,
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
                : json_pack("{s:I, s:I, s:b}", "min_ppm", (json_int_t)e->min_ppm, "max_ppm",
                            (json_int_t)e->max_ppm, "passed",
                            (int)(ppm >= 0 && (uint32_t)ppm >= e->min_ppm && (uint32_t)ppm <= e->max_ppm));
        json_array_append_new(months, json_pack("{s:s, s:I, s:I, s:I, s:o, s:o, s:{s:I, s:I}}", "month",
                                                month, "visits", (json_int_t)m->visits, "online_checks",
                                                (json_int_t)m->online_checks, "card_checks",
                                                (json_int_t)m->card_checks, "usage_ppm",
                                                ppm >= 0 ? json_integer((json_int_t)ppm) : json_null(),
                                                "usage_expected", expected, "mailed", "certificate",
                                                (json_int_t)m->mailed[SCENARIO_DOC_CERTIFICATE], "notice",
                                                (json_int_t)m->mailed[SCENARIO_DOC_NOTICE]));
    }
    return json_pack(
        "{s:I, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:{s:{s:I, s:I}, "
        "s:{s:I, s:I}}}",
        "residents", (json_int_t)p->residents, "households", (json_int_t)p->households, "visits",
        (json_int_t)p->visits, "mix", scn->population.mix != NULL ? scn->population.mix : "national", "size",
        (json_int_t)scn->population.size, "peak_household", (json_int_t)p->peak_household, "gap_days",
        (json_int_t)p->gap, "grace_days", (json_int_t)p->grace, "degraded_days", (json_int_t)p->degraded,
        "claim_errors", (json_int_t)p->claims, "rules", rules, "days", days, "months", months, "cards",
        "start", "held", (json_int_t)p->cards_start, "registered", (json_int_t)p->registered_start, "end",
        "held", (json_int_t)p->cards_end, "registered", (json_int_t)p->registered_end);
}

static json_t *run_json(const struct scenario *scn, const struct scenario_run_result *run)
{
    struct report_summary s;
    report_summarize(scn, run, &s);
    json_t *expects = json_array(), *residents = json_array(), *events = json_array();
    for (size_t i = 0; i < run->count; i++)
        json_array_append_new(expects, result_json(scn, &run->results[i]));
    if (run->world != NULL) {
        for (size_t k = 0; k < scn->resident_count; k++)
            json_array_append_new(residents, resident_json(scn, run->world, (int)k));
        size_t n = world_event_count(run->world);
        for (size_t i = 0; i < n; i++) {
            const struct world_event *ev = world_event_at(run->world, i);
            if (ev->resident < 0)
                json_array_append_new(events, event_json(ev));
        }
    }
    json_t *seed = scn->seed_given ? json_integer((json_int_t)scn->seed) : json_null();
    json_t *r = json_pack(
        "{s:s, s:s, s:s, s:{s:o, s:o}, s:o, s:b, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o, "
        "s:o, s:o}",
        "file", scn->file, "scenario", str(scn->name), "policy", str(scn->policy_ref), "period", "from",
        day_or_null(scn->period.from), "to", day_or_null(scn->period.to), "seed", seed, "passed",
        (int)(s.failed == 0), "summary", "residents", (json_int_t)s.residents, "expectations",
        (json_int_t)s.expectations, "passed", (json_int_t)s.passed, "failed", (json_int_t)s.failed,
        "gap_days", (json_int_t)s.gap_days, "grace_days", (json_int_t)s.grace_days, "degraded_days",
        (json_int_t)s.degraded_days, "claim_errors", (json_int_t)s.claim_errors, "expectations", expects,
        "residents", residents, "events", events);
    if (r != NULL && run->population != NULL &&
        json_object_set_new(r, "population", population_json(scn, run->population)) != 0) {
        json_decref(r);
        return NULL;
    }
    return r;
}

static int json_open(struct report *rep, struct core_error *err)
{
    rep->state = json_array();
    return rep->state != NULL ? CORE_OK : oom(err);
}

static int json_add(struct report *rep, const struct scenario *scn, const struct scenario_run_result *run,
                    struct core_error *err)
{
    json_t *r = run_json(scn, run);
    if (r == NULL || json_array_append_new(rep->state, r) != 0)
        return oom(err);
    return CORE_OK;
}

static int json_close(struct report *rep, struct core_error *err)
{
    json_t *runs = rep->state;
    json_t *root = json_pack("{s:i, s:o}", "format", REPORT_JSON_FORMAT, "runs", runs);
    if (root == NULL)
        return oom(err);
    int rc = json_dumpf(root, rep->out, JSON_SORT_KEYS | JSON_INDENT(2)) == 0 ? CORE_OK : CORE_EIO;
    json_decref(root);
    if (rc != CORE_OK)
        return core_error_set(err, rc, "", 0, 0, "report: the JSON report could not be written");
    if (fputc('\n', rep->out) == EOF)
        return core_error_set(err, CORE_EIO, "", 0, 0, "report: the JSON report could not be written");
    return CORE_OK;
}

const struct report_ops report_json_ops = {json_open, json_add, json_close};
