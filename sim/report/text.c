/*
 * text.c: the report for people. Per run: one summary line (verdict, scenario, file, policy, residents,
 * expectations passed and failed, gap, grace and degraded days, claim errors), then the failures, then the
 * passes, then each resident's day ranges, one line a range. Runs are separated by a blank line and written
 * as they are added, so a long replay shows its results as it goes.
 *
 * Lines of a result read `file:line:column: form: message`, the shape editors and CI jump to.
 */
#include <stdio.h>

#include "report/report_int.h"

static int text_open(struct report *rep, struct core_error *err)
{
    (void)rep;
    (void)err;
    return CORE_OK;
}

static void result_line(FILE *f, const struct scenario *scn, const struct scenario_result *r)
{
    /* The message names the rule already. */
    fprintf(f, "  %s:%d:%d: %s: %s\n", scn->file, r->pos.line, r->pos.column, r->form != NULL ? r->form : "?",
            r->message);
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

static int text_add(struct report *rep, const struct scenario *scn, const struct scenario_run_result *run,
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
    if (run->world != NULL)
        for (size_t k = 0; k < scn->resident_count; k++)
            resident_ranges(f, scn, run->world, (int)k);
    return CORE_OK;
}

static int text_close(struct report *rep, struct core_error *err)
{
    (void)rep;
    (void)err;
    return CORE_OK;
}

const struct report_ops report_text_ops = {text_open, text_add, text_close};
