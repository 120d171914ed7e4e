/*
 * text.c: the report for people. Per run: one summary line (verdict, scenario, file, policy, residents,
 * expectations passed and failed, gap, grace and degraded days, claim errors), then the failures, then the
 * passes, then a population's aggregates (when the file has one), then each named resident's timeline: one
 * line per run of days that shows the same (resident_ranges), each followed by the resident's events and
 * visits of those days. Runs are separated by a blank line and written
 * as they are added, so a long replay shows its results as it goes. A file that could not be run is
 * "INVALID FILE: N problems" and each problem on its own line. The report ends with its closing summary,
 * "scenarios: P passed, F failed" (", I invalid" when a file could not be run), the line CI logs are
 * searched for; no times, so the same runs give the same bytes.
 *
 * Lines of a result read `file:line:column: form: message` (`form "NAME": message` when the expectation has
 * a name), the shape editors and CI jump to.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report/report_int.h"

static CORE_MUST_USE int text_open(struct report *rep, struct core_error *err)
{
    (void)rep;
    (void)err;
    return CORE_OK;
}

static void result_line(FILE *f, const struct scenario *scn, const struct replay_result *r)
{
    /* The message names the rule already. */
    const char *name = r->expect != NULL ? r->expect->name : NULL;
    fprintf(f, "  %s:%d:%d: %s%s%s%s: %s\n", scn->file, r->pos.line, r->pos.column,
            r->form != NULL ? r->form : "?", name != NULL ? " \"" : "", name != NULL ? name : "",
            name != NULL ? "\"" : "", r->message);
}

#define LAST_DAY ((core_day)INT32_MAX) /* after every day: whatever remains */

/* The document AMEND-1's look-up used on a grace range: the desk's order (an expired paper card, else the
 * notice), each probed alone on the range's first day at the default clinic; "" when neither is in hand or
 * neither alone is looked up (the range is then named by its rule only). */
static const char *grace_document(const struct world *w, int res, const struct world_range *rg)
{
    if (rg->verdict != WORLD_DAY_GRACE)
        return "";
    static const enum scenario_document order[] = {SCENARIO_DOC_PAPER_CARD, SCENARIO_DOC_NOTICE};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if ((rg->in_hand & SCENARIO_DOC_BIT(order[i])) == 0)
            continue;
        struct scenario_visit v = {
            .clinic = SCENARIO_NONE, .bring_given = true, .bring = SCENARIO_DOC_BIT(order[i])};
        struct world_visit out;
        struct core_error err;
        core_error_clear(&err);
        if (world_probe_visit(w, res, rg->from, &v, &out, &err) == CORE_OK &&
            out.decision.route == CLINIC_ROUTE_LOOKUP)
            return scenario_document_word(order[i]);
    }
    return "";
}

/* What the text shows of a range: two ranges that show the same are one line. */
struct shown_range {
    core_day from, to;
    int verdict, insurer;
    unsigned holds;
    bool degraded;
    const char *rule;
    const char *looked_up; /* grace_document */
};

static bool shown_same(const struct shown_range *a, const struct shown_range *b)
{
    return a->verdict == b->verdict && a->insurer == b->insurer && a->holds == b->holds &&
           a->degraded == b->degraded && strcmp(a->rule, b->rule) == 0 &&
           strcmp(a->looked_up, b->looked_up) == 0;
}

static void shown_line(FILE *f, const struct scenario *scn, const struct shown_range *r)
{
    char from[11], to[11], docs[96];
    report_day(r->from, from);
    report_day(r->to, to);
    scenario_documents_format(r->holds, ",", docs, sizeof docs);
    fprintf(f, "  %s..%s  %-13s %-10s %s", from, to, report_verdict_word(r->verdict),
            r->insurer >= 0 && (size_t)r->insurer < scn->insurer_count ? scn->insurers[r->insurer].id : "-",
            docs[0] != '\0' ? docs : "-");
    if (r->degraded)
        fprintf(f, " (degraded)");
    if (r->rule[0] != '\0')
        fprintf(f, " [%s]", r->rule);
    if (r->looked_up[0] != '\0')
        fprintf(f, " looked up by the %s%s", r->looked_up,
                strcmp(r->looked_up, "paper_card") == 0 ? " (expired)" : "");
    fputc('\n', f);
}

/* The resident's events and visits on or before `to` from *ev and *vi on, each on a line of its own. */
static void happenings(FILE *f, const struct scenario *scn, const struct world *w, int res, core_day to,
                       size_t *ev, size_t *vi)
{
    size_t ne = world_event_count(w), nv = world_visit_count(w);
    for (;;) {
        const struct world_event *e = NULL;
        const struct world_visit *v = NULL;
        for (; *ev < ne; ++*ev) { /* the next of the resident's events */
            e = world_event_at(w, *ev);
            if (e != NULL && e->resident == res)
                break;
            e = NULL;
        }
        for (; *vi < nv; ++*vi) { /* and visits */
            v = world_visit_at(w, *vi);
            if (v != NULL && v->resident == res)
                break;
            v = NULL;
        }
        if (e != NULL && e->day > to)
            e = NULL;
        if (v != NULL && v->day > to)
            v = NULL;
        if (e == NULL && v == NULL)
            return;
        char day[11];
        if (e != NULL && (v == NULL || e->day <= v->day)) { /* a day's events come before its visits */
            report_day(e->day, day);
            fprintf(f, "      %s  %s%s", day, e->what != NULL ? e->what : "?", e->failed ? " FAILED" : "");
            if (e->rule != NULL && e->rule[0] != '\0')
                fprintf(f, " [%s]", e->rule);
            if (e->detail != NULL && e->detail[0] != '\0')
                fprintf(f, ": %s", e->detail);
            fputc('\n', f);
            ++*ev;
        } else {
            report_day(v->day, day);
            fprintf(f, "      %s  visit %s: %s by route %s", day, report_clinic(scn, v->clinic),
                    clinic_outcome_name(v->decision.outcome), clinic_route_name(v->decision.route));
            if (v->decision.fee_charged)
                fprintf(f, ", fee {total: %ld, copay: %ld}", v->decision.fee_total, v->decision.copay);
            else
                fprintf(f, ", no fee charged");
            if (v->claim_error)
                fprintf(f, ", claim error");
            if (v->decision.rule != NULL && v->decision.rule[0] != '\0')
                fprintf(f, " [%s]", v->decision.rule);
            fputc('\n', f);
            ++*vi;
        }
    }
}

/* The resident's timeline: one line per run of days that shows the same (the world's ranges merged where only
 * what the line does not show changed, such as an unusable document leaving the hand), each followed by the
 * resident's events and visits of those days; then the totals. */
static void resident_ranges(FILE *f, const struct scenario *scn, const struct world *w, int res)
{
    const struct scenario_resident *sr = &scn->residents[res];
    fprintf(f, "resident %s:\n", sr->id);
    size_t n = world_range_count(w, res), ev = 0, vi = 0;
    struct shown_range cur;
    bool open = false;
    for (size_t i = 0; i < n; i++) {
        const struct world_range *rg = world_range_at(w, res, i);
        if (rg == NULL)
            break;
        struct shown_range next = {rg->from,
                                   rg->to,
                                   (int)rg->verdict,
                                   rg->insurer,
                                   rg->holds,
                                   rg->degraded,
                                   rg->rule != NULL ? rg->rule : "",
                                   grace_document(w, res, rg)};
        if (open && cur.to + 1 == next.from && shown_same(&cur, &next)) {
            cur.to = next.to;
            continue;
        }
        if (open) {
            shown_line(f, scn, &cur);
            happenings(f, scn, w, res, cur.to, &ev, &vi);
        }
        cur = next;
        open = true;
    }
    if (open) {
        shown_line(f, scn, &cur);
        happenings(f, scn, w, res, LAST_DAY, &ev, &vi);
    } else
        happenings(f, scn, w, res, LAST_DAY, &ev, &vi);
    fprintf(f, "  gap days %ld, grace days %ld, degraded days %ld, claim errors %ld\n",
            world_gap_days(w, res), world_grace_days(w, res), world_degraded_days(w, res),
            world_claim_errors(w, res));
}

static double share(long long part, long long whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

#define TOP_GAP_DAYS 5

/* The days with most gap days, most first (earliest first among equals); zero days are left out. */
static void top_gap_days(FILE *f, const struct world_population *p)
{
    size_t top[TOP_GAP_DAYS], n = 0;
    for (size_t d = 0; d < p->ndays; d++) {
        long long v = p->gap_by_day[d];
        if (v <= 0)
            continue;
        size_t at = n;
        while (at > 0 && p->gap_by_day[top[at - 1]] < v)
            at--;
        if (at >= TOP_GAP_DAYS)
            continue;
        if (n < TOP_GAP_DAYS)
            n++;
        for (size_t k = n - 1; k > at; k--)
            top[k] = top[k - 1];
        top[at] = d;
    }
    fprintf(f, "  days with most gaps:");
    if (n == 0)
        fprintf(f, " none");
    for (size_t i = 0; i < n; i++) {
        char day[11];
        report_day(p->from + (core_day)top[i], day);
        fprintf(f, "%s %s (%lld)", i > 0 ? "," : "", day, p->gap_by_day[top[i]]);
    }
    fputc('\n', f);
}

static void population_section(FILE *f, const struct scenario *scn, const struct world_population *p)
{
    char seed[32] = "none";
    if (scn->seed_given)
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)scn->seed);
    fprintf(f, "population: %lld residents in %lld households (mix %s, seed %s), %lld visits\n", p->residents,
            p->households, scn->population.mix != NULL ? scn->population.mix : "national", seed, p->visits);
    fprintf(f, "  gap days %lld, grace days %lld, degraded days %lld, claim errors %lld\n", p->gap, p->grace,
            p->degraded, p->claims);
    const struct world_pop_rule *rules[WORLD_POP_RULES_MAX];
    size_t n = report_pop_rules(p, false, rules);
    if (n > 0) {
        fprintf(f, "  by rule:        %10s %10s %10s %12s\n", "gap days", "grace days", "degraded",
                "claim errors");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "    %-12s  %10lld %10lld %10lld %12lld\n", rules[i]->rule, rules[i]->gap,
                    rules[i]->grace, rules[i]->degraded, rules[i]->claims);
    }
    top_gap_days(f, p);
    fprintf(f, "  month    %8s %8s %8s %7s  %-20s %12s %8s\n", "visits", "online", "card", "usage",
            "expected", "certificates", "notices");
    for (size_t i = 0; i < p->nmonths; i++) {
        const struct world_pop_month *m = &p->months[i];
        int y, mo, d;
        core_date_to_ymd(m->month, &y, &mo, &d);
        long ppm = report_pop_usage_ppm(m);
        char usage[16] = "-", expected[32] = "-";
        if (ppm >= 0)
            snprintf(usage, sizeof usage, "%.4f", (double)ppm / 1e6);
        const struct scenario_expect *e = report_usage_expect(scn, m->month);
        if (e != NULL)
            snprintf(expected, sizeof expected, "%.4f..%.4f %s", (double)e->min_ppm / 1e6,
                     (double)e->max_ppm / 1e6,
                     ppm >= 0 && (uint32_t)ppm >= e->min_ppm && (uint32_t)ppm <= e->max_ppm ? "ok" : "FAIL");
        fprintf(f, "  %04d-%02d  %8lld %8lld %8lld %7s  %-20s %12lld %8lld\n", y, mo, m->visits,
                m->online_checks, m->card_checks, usage, expected, m->mailed[SCENARIO_DOC_CERTIFICATE],
                m->mailed[SCENARIO_DOC_NOTICE]);
    }
    fprintf(f,
            "  cards: held by %.1f%% when checks start, %.1f%% at the end; registered %.1f%% and %.1f%% "
            "(residents %lld, largest household %lld)\n",
            share(p->cards_start, p->residents), share(p->cards_end, p->residents),
            share(p->registered_start, p->residents), share(p->registered_end, p->residents), p->residents,
            p->peak_household);
}

static CORE_MUST_USE int text_add(struct report *rep, const struct scenario *scn,
                                  const struct replay_run_result *run, struct core_error *err)
{
    (void)err;
    FILE *f = rep->out;
    struct report_summary s;
    report_summarize(scn, run, &s);
    if (rep->runs > 0)
        fputc('\n', f);
    fprintf(
        f,
        "%s %s (%s): policy %s, %zu resident%s, expectations %zu passed %zu failed, gap days %ld, grace days "
        "%ld, degraded days %ld, claim errors %ld\n",
        s.failed == 0 ? "PASS" : "FAIL", scn->name, scn->file, scn->policy_ref, s.residents,
        s.residents == 1 ? "" : "s", s.passed, s.failed, s.gap_days, s.grace_days, s.degraded_days,
        s.claim_errors);
    if (s.failed > 0) {
        fprintf(f, "failed:\n");
        for (size_t i = 0; i < run->count; i++)
            if (!run->results[i].passed)
                result_line(f, scn, &run->results[i]);
    }
    if (s.passed > 0) {
        fprintf(f, "passed:\n");
        for (size_t i = 0; i < run->count; i++)
            if (run->results[i].passed)
                result_line(f, scn, &run->results[i]);
    }
    if (run->population != NULL)
        population_section(f, scn, run->population);
    if (run->world != NULL)
        for (size_t k = 0; k < scn->resident_count; k++)
            resident_ranges(f, scn, run->world, (int)k);
    return CORE_OK;
}

static CORE_MUST_USE int text_invalid(struct report *rep, const char *file, const struct core_error *problems,
                                      size_t count, size_t omitted, struct core_error *err)
{
    (void)err;
    FILE *f = rep->out;
    if (rep->runs > 0)
        fputc('\n', f);
    size_t n = count + omitted;
    fprintf(f, "INVALID %s: %zu problem%s\n", file, n, n == 1 ? "" : "s");
    for (size_t i = 0; i < count; i++) {
        char buf[1200];
        core_error_format(&problems[i], buf, sizeof buf);
        fprintf(f, "  %s\n", buf);
    }
    if (omitted > 0)
        fprintf(f, "  %zu more problems not shown\n", omitted);
    return CORE_OK;
}

static CORE_MUST_USE int text_close(struct report *rep, struct core_error *err)
{
    (void)err;
    FILE *f = rep->out;
    if (rep->runs > 0)
        fputc('\n', f);
    fprintf(f, "scenarios: %zu passed, %zu failed", rep->passed, rep->failed);
    if (rep->invalid > 0)
        fprintf(f, ", %zu invalid", rep->invalid);
    fputc('\n', f);
    return CORE_OK;
}

const struct report_ops report_text_ops = {text_open, text_add, text_close, text_invalid};
