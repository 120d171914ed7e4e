/*
 * text.c: the report for people. Per run: one summary line (verdict, scenario, file, policy, residents,
 * expectations passed and failed, gap, grace and degraded days, claim errors), then the failures, then the
 * passes, then a population's aggregates (when the file has one), then each named resident's day ranges, one
 * line a range. Runs are separated by a blank line and written
 * as they are added, so a long replay shows its results as it goes. A file that could not be run is
 * "INVALID FILE: N problems" and each problem on its own line. The report ends with its closing summary,
 * "scenarios: P passed, F failed" (", I invalid" when a file could not be run), the line CI logs are
 * searched for; no times, so the same runs give the same bytes.
 *
 * Lines of a result read `file:line:column: form: message` (`form "NAME": message` when the expectation has
 * a name), the shape editors and CI jump to.
 */
#include <stdio.h>

#include "report/report_int.h"

static int text_open(struct report *rep, struct core_error *err)
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

static void resident_ranges(FILE *f, const struct scenario *scn, const struct world *w, int res)
{
    const struct scenario_resident *sr = &scn->residents[res];
    fprintf(f, "resident %s:\n", sr->id);
    size_t n = world_range_count(w, res);
    for (size_t i = 0; i < n; i++) {
        const struct world_range *rg = world_range_at(w, res, i);
        char from[11], to[11], docs[96];
        report_day(rg->from, from);
        report_day(rg->to, to);
        scenario_documents_format(rg->holds, ",", docs, sizeof docs);
        fprintf(f, "  %s..%s  %-13s %-10s %s", from, to, report_verdict_word(rg->verdict),
                rg->insurer >= 0 && (size_t)rg->insurer < scn->insurer_count ? scn->insurers[rg->insurer].id
                                                                             : "-",
                docs[0] != '\0' ? docs : "-");
        if (rg->degraded)
            fprintf(f, " (degraded)");
        if (rg->rule != NULL && rg->rule[0] != '\0')
            fprintf(f, " [%s]", rg->rule);
        fputc('\n', f);
    }
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

static int text_add(struct report *rep, const struct scenario *scn, const struct replay_run_result *run,
                    struct core_error *err)
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

static int text_invalid(struct report *rep, const char *file, const struct core_error *problems, size_t count,
                        size_t omitted, struct core_error *err)
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

static int text_close(struct report *rep, struct core_error *err)
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
