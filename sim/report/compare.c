/*
 * compare.c: renders `mynasim compare` (report.h, comparisons): scenario files each read under two policies,
 * A and B, and the days that are gap days (INV-1) under one and not the other, with the rules that make the
 * difference; the visits whose outcome, route, fee, card check, claim error or rule differ; the mailings of one
 * policy only; and each expectation's pass or fail under each.
 *
 * Text is for people and names the policies; one line per file, then each resident whose days differ and
 * the ranges, then the totals:
 *   DIFF nhi-card-lost-in-september (scenarios/x.yaml): 1 resident, 1 differs; gap days national 0,
 *        as-announced-2024 9; grace days 9, 0; degraded days 9, 9
 *     r1: 9 gap days only under as-announced-2024, 0 only under national
 *       2025-09-10..2025-09-18 (9 days): gap under as-announced-2024 [PAPER-2], grace under national
 *       [AMEND-1]; kept insured by AMEND-1
 *       visit 2025-09-11 at clinic-a (line 31): outcome, route, fee differ
 *         national: insured by route lookup, fee {total: 10, copay: 3}, card check ... [AMEND-1]
 *         as-announced-2024: not_insured by route none, ...
 *       2025-07-17 certificate_mailed saitama-kouki valid 2025-08-01..2026-07-31 only under national [AMEND-2]
 *     FILE:LINE:COLUMN: visit: r1 on 2025-09-11: passes under national, fails under as-announced-2024
 *       national: MESSAGE
 *       as-announced-2024: MESSAGE
 * JSON is for tools and keys the sides "a" and "b" (two policies may share a name):
 *   {"format": 1, "policies": {"a", "b"}, "totals": TOTALS,
 *    "files": [{file, scenario, policy (as the file gives it), period {from, to}, totals: TOTALS,
 *               residents [{id, a: SIDE, b: SIDE,
 *                           ranges [{from, to, days, gap_under: "a"|"b", kept_by,
 *                                    a: {verdict, rule}, b: {verdict, rule}}],
 *                           visits [{date, clinic, line, differs [words], a: VISIT, b: VISIT}],
 *                           mailings [{date, what, detail, rule, only_under: "a"|"b"}]}],
 *               expectations [{name, form, line, column, who, date, differs,
 *                              a: {passed, rule, message}, b: {...}}]}]}
 *   VISIT = {outcome, route, fee_charged, fee_total, copay, card_check, warnings [...], claim_error, rule}, or
 *           null when the visit did not happen under that side; differs: outcome, route, fee, online_check,
 *           claim_error, rule (only when nothing else differs), missing
 *   SIDE = {gap_days, grace_days, degraded_days, gap_only_days}
 *   TOTALS = {files, residents, a: SIDE + {residents_gap_only}, b: ..., kept_by_a {residents, days},
 *             kept_by_b {...}, residents_differ, visits {compared, differ}, mailings {a, b, a_only, b_only},
 *             expectations {count, a_passed, b_passed, differ}} (kept_by_a: the residents and days with a gap
 *             under b only; residents_differ: with a differing range, visit or mailing)
 * Every resident is listed in JSON, so a tool sees the totals of those that do not differ too.
 * HTML (docs/REPORTS.md) is the text's content as a page: per file, the two policies side by side (their gap,
 * grace and degraded days), then each resident whose days differ with a two-row timeline — the differing
 * ranges coloured by each policy's verdict, tooltips naming the rules and what kept the resident insured —
 * over the policy's key dates, and (report_compare_add_sides) the resident's whole timeline under each policy;
 * the totals close the page. Written as each file is added.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

#define REPORT_COMPARE_FORMAT 1

/* What a comparison counts beyond days: for one file (cmp_more_of) or summed over files. */
struct cmp_more {
    size_t residents_differ; /* residents with a differing range, visit or mailing */
    size_t visits, visits_differ;
    size_t mailings[REPLAY_SIDES], mailings_only[REPLAY_SIDES];
    size_t expects, expects_passed[REPLAY_SIDES], expects_differ;
};

/* Whether a resident of the comparison differs in anything: days, visits or mailings. */
static bool resident_differs(const struct replay_diff_resident *r)
{
    return r->range_count > 0 || r->visit_count > 0 || r->mailing_count > 0;
}

/* The residents that differ, counted from the residents themselves (a comparison built by hand need not set
 * residents_differ). */
static size_t residents_differing(const struct replay_comparison *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->resident_count; i++)
        n += resident_differs(&c->residents[i]) ? 1 : 0;
    return n;
}

static void cmp_more_of(const struct replay_comparison *c, struct cmp_more *m)
{
    memset(m, 0, sizeof *m);
    m->residents_differ = residents_differing(c);
    m->visits = c->visits;
    m->visits_differ = c->visits_differ;
    m->expects = c->expect_count;
    m->expects_differ = c->expects_differ;
    for (int s = 0; s < REPLAY_SIDES; s++) {
        m->mailings[s] = c->mailings[s];
        m->mailings_only[s] = c->mailings_only[s];
        m->expects_passed[s] = c->expects_passed[s];
    }
}

static void cmp_more_add(struct cmp_more *sum, const struct cmp_more *m)
{
    sum->residents_differ += m->residents_differ;
    sum->visits += m->visits;
    sum->visits_differ += m->visits_differ;
    sum->expects += m->expects;
    sum->expects_differ += m->expects_differ;
    for (int s = 0; s < REPLAY_SIDES; s++) {
        sum->mailings[s] += m->mailings[s];
        sum->mailings_only[s] += m->mailings_only[s];
        sum->expects_passed[s] += m->expects_passed[s];
    }
}

/* The words of REPLAY_VISIT_* bits, in this order. */
static const char *const visit_diff_word[] = {"outcome",     "route", "fee",    "online_check",
                                              "claim_error", "rule",  "missing"};
enum { VISIT_DIFF_WORDS = sizeof visit_diff_word / sizeof visit_diff_word[0] };

/* "outcome, route, fee" of REPLAY_VISIT_* bits. */
static void visit_differs_format(unsigned bits, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < VISIT_DIFF_WORDS; i++)
        if (bits & (1u << i)) {
            int n = snprintf(out + len, cap - len, "%s%s", len > 0 ? ", " : "", visit_diff_word[i]);
            if (n < 0 || (size_t)n >= cap - len)
                return;
            len += (size_t)n;
        }
}

/* One side of a visit for people: "insured by route lookup, fee {total: 10, copay: 3}, card check ok [AMEND-1]". */
static void visit_side_format(const struct replay_visit_side *v, char *out, size_t cap)
{
    if (!v->present) {
        snprintf(out, cap, "no such visit");
        return;
    }
    char fee[64];
    if (v->fee_charged)
        snprintf(fee, sizeof fee, "fee {total: %ld, copay: %ld}", v->fee_total, v->copay);
    else
        snprintf(fee, sizeof fee, "no fee charged");
    snprintf(out, cap, "%s by route %s, %s, card check %s%s%s%s%s",
             clinic_outcome_name((enum clinic_outcome)v->outcome),
             clinic_route_name((enum clinic_route)v->route), fee,
             eligibility_result_name((enum eligibility_result)v->card_check),
             v->claim_error ? ", claim error" : "", v->rule[0] != '\0' ? " [" : "", v->rule,
             v->rule[0] != '\0' ? "]" : "");
}

/* The form's word without "-": "online check" for people. The expectation's position as file:line:column. */
static const char *expect_who(const struct scenario *scn, const struct replay_diff_expect *e)
{
    return report_who(scn, e->resident);
}

struct report_compare {
    enum report_format format;
    FILE *out;
    const char *policy[REPLAY_SIDES];
    size_t files;
    size_t residents;
    long only[REPLAY_SIDES], gap[REPLAY_SIDES], grace[REPLAY_SIDES], degraded[REPLAY_SIDES];
    size_t residents_only[REPLAY_SIDES];
    struct cmp_more more; /* visits, mailings, expectations: sums over files */
    json_t *json_files;   /* JSON: the files, dumped on close */
};

static const char *const side_key[REPLAY_SIDES] = {"a", "b"};

static int oom(struct core_error *err)
{
    return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory building the comparison");
}

static int write_failed(struct core_error *err)
{
    return core_error_set(err, CORE_EIO, "", 0, 0, "report: cannot write the comparison");
}

int report_compare_open(enum report_format format, FILE *out, const char *policy_a, const char *policy_b,
                        struct report_compare **rep, struct core_error *err)
{
    *rep = NULL;
    if (format != REPORT_TEXT && format != REPORT_JSON && format != REPORT_HTML)
        return core_error_set(err, CORE_EINVAL, "", 0, 0,
                              "a comparison is reported as text, json or html, not %s",
                              report_format_word(format));
    struct report_compare *r = calloc(1, sizeof *r);
    if (r == NULL)
        return oom(err);
    r->format = format;
    r->out = out;
    r->policy[0] = policy_a;
    r->policy[1] = policy_b;
    if (format == REPORT_JSON) {
        r->json_files = json_array();
        if (r->json_files == NULL) {
            free(r);
            return oom(err);
        }
    } else if (format == REPORT_HTML) {
        report_html_begin(out, "mynasim compare");
        fputs("<p class=\"summary\">", out);
        report_html_text(out, policy_a);
        fputs(" against ", out);
        report_html_text(out, policy_b);
        fputs(
            ": gap days (INV-1) under one policy and not the other, visits, online checks and mailings that "
            "differ, and the expectations that pass under one policy only</p>\n",
            out);
        report_html_legend(out);
    } else {
        fprintf(out,
                "mynasim compare: %s against %s: gap days (INV-1) under one policy and not the other, "
                "visits, online checks and mailings that differ, and the expectations that pass under one "
                "policy only\n\n",
                policy_a, policy_b);
    }
    *rep = r;
    return CORE_OK;
}

/* ---- text ------------------------------------------------------------------------------------------- */

static void text_range(const struct report_compare *rep, const struct replay_diff_range *d)
{
    char from[11], to[11];
    report_day(d->from, from);
    report_day(d->to, to);
    int gap = d->gap_side, kept = 1 - gap;
    long days = (long)(d->to - d->from) + 1;
    fprintf(rep->out, "    %s..%s (%ld day%s): gap under %s", from, to, days, days == 1 ? "" : "s",
            rep->policy[gap]);
    if (d->rule[gap][0] != '\0')
        fprintf(rep->out, " [%s]", d->rule[gap]);
    fprintf(rep->out, ", %s under %s", report_verdict_word(d->verdict[kept]), rep->policy[kept]);
    if (d->rule[kept][0] != '\0')
        fprintf(rep->out, " [%s]", d->rule[kept]);
    if (d->kept_by[0] != '\0')
        fprintf(rep->out, "; kept insured by %s", d->kept_by);
    fputc('\n', rep->out);
}

static void text_visit(const struct report_compare *rep, const struct scenario *scn,
                       const struct replay_diff_visit *v)
{
    char day[11], what[96];
    report_day(v->day, day);
    visit_differs_format(v->differs, what, sizeof what);
    fprintf(rep->out, "    visit %s at %s (line %d): %s differ%s\n", day, report_clinic(scn, v->clinic),
            v->line, what, (v->differs & (v->differs - 1)) != 0 ? "" : "s");
    for (int s = 0; s < REPLAY_SIDES; s++) {
        char side[240];
        visit_side_format(&v->side[s], side, sizeof side);
        fprintf(rep->out, "      %s: %s\n", rep->policy[s], side);
    }
}

static void text_mailing(const struct report_compare *rep, const struct replay_diff_mailing *m)
{
    char day[11];
    report_day(m->day, day);
    fprintf(rep->out, "    %s %s %s only under %s", day, m->what, m->detail, rep->policy[m->side]);
    if (m->rule[0] != '\0')
        fprintf(rep->out, " [%s]", m->rule);
    fputc('\n', rep->out);
}

static void text_expect(const struct report_compare *rep, const struct scenario *scn,
                        const struct replay_diff_expect *e)
{
    char day[11];
    report_day(e->date, day);
    int pass = e->passed[0] ? 0 : 1;
    fprintf(rep->out, "  %s:%d:%d: %s: %s%s%s: passes under %s, fails under %s\n", scn->file, e->pos.line,
            e->pos.column, e->form, expect_who(scn, e), day[0] != '\0' ? " on " : "", day, rep->policy[pass],
            rep->policy[1 - pass]);
    for (int s = 0; s < REPLAY_SIDES; s++)
        fprintf(rep->out, "    %s: %s\n", rep->policy[s], e->message[s]);
}

static void text_add(struct report_compare *rep, const struct scenario *scn,
                     const struct replay_comparison *cmp)
{
    size_t differ = residents_differing(cmp);
    bool any = differ > 0 || cmp->expects_differ > 0;
    fprintf(rep->out,
            "%s %s (%s): %zu resident%s, %zu differ%s; gap days %s %ld, %s %ld; grace days %ld, %ld; "
            "degraded days %ld, %ld\n",
            any ? "DIFF" : "SAME", scn->name, scn->file, cmp->resident_count,
            cmp->resident_count == 1 ? "" : "s", differ, differ == 1 ? "s" : "", rep->policy[0], cmp->gap[0],
            rep->policy[1], cmp->gap[1], cmp->grace[0], cmp->grace[1], cmp->degraded[0], cmp->degraded[1]);
    fprintf(
        rep->out,
        "  expectations passed %s %zu, %s %zu of %zu (%zu differ); visits %zu (%zu differ); mailings %s %zu, "
        "%s %zu (%zu only under %s, %zu only under %s)\n",
        rep->policy[0], cmp->expects_passed[0], rep->policy[1], cmp->expects_passed[1], cmp->expect_count,
        cmp->expects_differ, cmp->visits, cmp->visits_differ, rep->policy[0], cmp->mailings[0],
        rep->policy[1], cmp->mailings[1], cmp->mailings_only[0], rep->policy[0], cmp->mailings_only[1],
        rep->policy[1]);
    for (size_t i = 0; i < cmp->resident_count; i++) {
        const struct replay_diff_resident *r = &cmp->residents[i];
        if (!resident_differs(r))
            continue;
        fprintf(rep->out, "  %s: %ld gap day%s only under %s, %ld only under %s\n",
                report_who(scn, r->resident), r->only[1], r->only[1] == 1 ? "" : "s", rep->policy[1],
                r->only[0], rep->policy[0]);
        for (size_t k = 0; k < r->range_count; k++)
            text_range(rep, &r->ranges[k]);
        for (size_t k = 0; k < r->visit_count; k++)
            text_visit(rep, scn, &r->visits[k]);
        for (size_t k = 0; k < r->mailing_count; k++)
            text_mailing(rep, &r->mailings[k]);
    }
    for (size_t i = 0; i < cmp->expect_count; i++)
        if (cmp->expects[i].passed[0] != cmp->expects[i].passed[1])
            text_expect(rep, scn, &cmp->expects[i]);
}

static void text_close(const struct report_compare *rep)
{
    FILE *o = rep->out;
    fprintf(o, "\ntotal: %zu file%s, %zu resident%s\n", rep->files, rep->files == 1 ? "" : "s",
            rep->residents, rep->residents == 1 ? "" : "s");
    for (int s = 0; s < REPLAY_SIDES; s++)
        fprintf(o, "  kept insured by %s and not by %s: %zu resident%s, %ld day%s\n", rep->policy[s],
                rep->policy[1 - s], rep->residents_only[1 - s], rep->residents_only[1 - s] == 1 ? "" : "s",
                rep->only[1 - s], rep->only[1 - s] == 1 ? "" : "s");
    fprintf(o, "  gap days: %s %ld, %s %ld\n", rep->policy[0], rep->gap[0], rep->policy[1], rep->gap[1]);
    fprintf(o, "  grace days: %s %ld, %s %ld\n", rep->policy[0], rep->grace[0], rep->policy[1],
            rep->grace[1]);
    fprintf(o, "  degraded days: %s %ld, %s %ld\n", rep->policy[0], rep->degraded[0], rep->policy[1],
            rep->degraded[1]);
    const struct cmp_more *m = &rep->more;
    fprintf(o, "  expectations passed: %s %zu, %s %zu of %zu (%zu differ)\n", rep->policy[0],
            m->expects_passed[0], rep->policy[1], m->expects_passed[1], m->expects, m->expects_differ);
    fprintf(o, "  visits that differ: %zu of %zu\n", m->visits_differ, m->visits);
    fprintf(o, "  mailings: %s %zu, %s %zu (%zu only under %s, %zu only under %s)\n", rep->policy[0],
            m->mailings[0], rep->policy[1], m->mailings[1], m->mailings_only[0], rep->policy[0],
            m->mailings_only[1], rep->policy[1]);
}

/* ---- html ------------------------------------------------------------------------------------------- */

enum { CMP_LEFT = 120, CMP_PLOT = 860, CMP_TOP = 34, CMP_ROW = 16 };

static long cmp_x(core_day d, core_day from, long n)
{
    long long off = (long long)d - (long long)from;
    off = off < 0 ? 0 : off > n ? n : off;
    return CMP_LEFT + (long)(off * CMP_PLOT / n);
}

static void html_side_cells(FILE *o, long gap, long grace, long degraded)
{
    fprintf(o, "<td>%ld</td><td>%ld</td><td>%ld</td>", gap, grace, degraded);
}

static void html_resident(const struct report_compare *rep, const struct scenario *scn, size_t file,
                          const struct replay_diff_resident *r)
{
    FILE *o = rep->out;
    core_day from = scn->period.from, to = scn->period.to;
    long n = (long)(to - from + 1);
    if (n <= 0)
        return;
    fprintf(o, "<div class=\"timeline differs\" id=\"c%zu-r%d\"><h3>resident ", file, r->resident);
    report_html_text(o, report_who(scn, r->resident));
    fprintf(o, ": %ld gap day%s only under ", r->only[1], r->only[1] == 1 ? "" : "s");
    report_html_text(o, rep->policy[1]);
    fprintf(o, ", %ld only under ", r->only[0]);
    report_html_text(o, rep->policy[0]);
    long height = CMP_TOP + 2 * (CMP_ROW + 4) + 22;
    fprintf(o,
            "</h3>\n<svg class=\"timeline compare\" width=\"1000\" height=\"%ld\" viewBox=\"0 0 1000 %ld\">",
            height, height);
    for (int side = 0; side < REPLAY_SIDES; side++) {
        long y = CMP_TOP + side * (CMP_ROW + 4);
        fprintf(o, "<text x=\"4\" y=\"%ld\">", y + CMP_ROW - 4);
        report_html_text(o, rep->policy[side]);
        fputs("</text>", o);
        fprintf(o,
                "<rect class=\"day usable\" x=\"%d\" y=\"%ld\" width=\"%d\" height=\"%d\" opacity=\"0.25\">"
                "<title>the same under both policies outside the marked ranges</title></rect>",
                CMP_LEFT, y, CMP_PLOT, CMP_ROW);
        for (size_t k = 0; k < r->range_count; k++) {
            const struct replay_diff_range *d = &r->ranges[k];
            long x0 = cmp_x(d->from, from, n), x1 = cmp_x(d->to + 1, from, n);
            char a[11], b[11];
            report_day(d->from, a);
            report_day(d->to, b);
            fprintf(
                o, "<rect class=\"day %s\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%d\"><title>%s..%s: %s",
                report_verdict_word(d->verdict[side]), x0, y, x1 - x0 > 0 ? x1 - x0 : 1, CMP_ROW, a, b,
                report_verdict_word(d->verdict[side]));
            if (d->rule[side][0] != '\0') {
                fputs(" [", o);
                report_html_text(o, d->rule[side]);
                fputc(']', o);
            }
            fputs(" under ", o);
            report_html_text(o, rep->policy[side]);
            if (d->kept_by[0] != '\0' && side != d->gap_side) {
                fputs("; kept insured by ", o);
                report_html_text(o, d->kept_by);
            }
            fputs("</title></rect>", o);
        }
    }
    report_html_keydates(o, scn->policy, from, to, CMP_TOP, CMP_TOP + 2 * (CMP_ROW + 4));
    report_html_month_axis(o, from, to, CMP_TOP + 2 * (CMP_ROW + 4) + 2);
    fputs("</svg></div>\n", o);
}

/* A resident's visits and mailings that differ, as a table: what, when, and each policy's side. */
static void html_resident_diffs(const struct report_compare *rep, const struct scenario *scn, size_t file,
                                const struct replay_diff_resident *r)
{
    FILE *o = rep->out;
    fprintf(o, "<table class=\"diffs\" id=\"c%zu-r%d-diffs\"><caption>resident ", file, r->resident);
    report_html_text(o, report_who(scn, r->resident));
    fputs(": visits and mailings that differ</caption>\n<tr><th class=\"l\">day</th><th class=\"l\">what</th>"
          "<th class=\"l\">",
          o);
    report_html_text(o, rep->policy[0]);
    fputs("</th><th class=\"l\">", o);
    report_html_text(o, rep->policy[1]);
    fputs("</th></tr>\n", o);
    for (size_t k = 0; k < r->visit_count; k++) {
        const struct replay_diff_visit *v = &r->visits[k];
        char day[11], what[96];
        report_day(v->day, day);
        visit_differs_format(v->differs, what, sizeof what);
        fprintf(o, "<tr class=\"visit\"><td class=\"l\">%s</td><td class=\"l\">visit at ", day);
        report_html_text(o, report_clinic(scn, v->clinic));
        fprintf(o, " (line %d): ", v->line);
        report_html_text(o, what);
        fputs("</td>", o);
        for (int s = 0; s < REPLAY_SIDES; s++) {
            char side[240];
            visit_side_format(&v->side[s], side, sizeof side);
            fputs("<td class=\"l\">", o);
            report_html_text(o, side);
            fputs("</td>", o);
        }
        fputs("</tr>\n", o);
    }
    for (size_t k = 0; k < r->mailing_count; k++) {
        const struct replay_diff_mailing *m = &r->mailings[k];
        char day[11];
        report_day(m->day, day);
        fprintf(o, "<tr class=\"mailing\"><td class=\"l\">%s</td><td class=\"l\">", day);
        report_html_text(o, m->what);
        fputc(' ', o);
        report_html_text(o, m->detail);
        fputs("</td>", o);
        for (int s = 0; s < REPLAY_SIDES; s++) {
            fputs("<td class=\"l\">", o);
            if (s == m->side) {
                fputs("mailed", o);
                if (m->rule[0] != '\0') {
                    fputs(" [", o);
                    report_html_text(o, m->rule);
                    fputc(']', o);
                }
            } else
                fputs("not mailed", o);
            fputs("</td>", o);
        }
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
}

/* The expectations whose pass or fail differs, each with both messages. */
static void html_expects(const struct report_compare *rep, const struct scenario *scn,
                         const struct replay_comparison *cmp)
{
    FILE *o = rep->out;
    fputs("<table class=\"diffs expectations\"><caption>expectations that pass under one policy "
          "only</caption>\n"
          "<tr><th class=\"l\">expectation</th><th class=\"l\">",
          o);
    report_html_text(o, rep->policy[0]);
    fputs("</th><th class=\"l\">", o);
    report_html_text(o, rep->policy[1]);
    fputs("</th></tr>\n", o);
    for (size_t i = 0; i < cmp->expect_count; i++) {
        const struct replay_diff_expect *e = &cmp->expects[i];
        if (e->passed[0] == e->passed[1])
            continue;
        fputs("<tr><td class=\"l\"><code>", o);
        report_html_text(o, scn->file);
        fprintf(o, ":%d:%d</code> ", e->pos.line, e->pos.column);
        report_html_text(o, e->form);
        for (int s = 0; s < REPLAY_SIDES; s++) {
            fprintf(o, "</td><td class=\"l %s\">%s: ", e->passed[s] ? "pass" : "fail",
                    e->passed[s] ? "PASS" : "FAIL");
            report_html_text(o, e->message[s]);
        }
        fputs("</td></tr>\n", o);
    }
    fputs("</table>\n", o);
}

/* The worlds of both sides, replayed again for their whole timelines; NULL each when `scn_b` is NULL. */
static CORE_MUST_USE int html_worlds(const struct scenario *scn, const struct scenario *scn_b,
                                     struct world *w[REPLAY_SIDES], struct core_error *err)
{
    const struct scenario *side[REPLAY_SIDES] = {scn, scn_b};
    w[0] = w[1] = NULL;
    if (scn_b == NULL)
        return CORE_OK;
    for (int s = 0; s < REPLAY_SIDES; s++) {
        int rc = world_new(side[s], &w[s], err);
        if (rc == CORE_OK)
            rc = world_run(w[s], err);
        if (rc != CORE_OK) {
            world_free(w[0]);
            world_free(w[1]);
            w[0] = w[1] = NULL;
            return rc;
        }
    }
    return CORE_OK;
}

static CORE_MUST_USE int html_add(const struct report_compare *rep, const struct scenario *scn,
                                  const struct scenario *scn_b, const struct replay_comparison *cmp,
                                  struct core_error *err)
{
    struct world *w[REPLAY_SIDES];
    int rc = html_worlds(scn, scn_b, w, err);
    if (rc != CORE_OK)
        return rc;
    FILE *o = rep->out;
    size_t differ = residents_differing(cmp), file = rep->files - 1;
    bool any = differ > 0 || cmp->expects_differ > 0;
    fprintf(o, "<section class=\"scenario %s\" id=\"c%zu\">\n<h2>%s ", any ? "differs" : "same", file,
            any ? "DIFF" : "SAME");
    report_html_text(o, scn->name);
    fputs("</h2>\n<p><code>", o);
    report_html_text(o, scn->file);
    fprintf(o, "</code>: %zu resident%s, %zu differ%s</p>\n", cmp->resident_count,
            cmp->resident_count == 1 ? "" : "s", differ, differ == 1 ? "s" : "");
    fputs("<table class=\"sides\"><tr><th class=\"l\">policy</th><th>gap days</th><th>grace days</th>"
          "<th>degraded days</th><th>gap days only here</th></tr>\n",
          o);
    for (int side = 0; side < REPLAY_SIDES; side++) {
        fputs("<tr><td class=\"l\">", o);
        report_html_text(o, rep->policy[side]);
        fputs("</td>", o);
        html_side_cells(o, cmp->gap[side], cmp->grace[side], cmp->degraded[side]);
        fprintf(o, "<td>%ld</td></tr>\n", cmp->only[side]);
    }
    fputs("</table>\n", o);
    fprintf(o, "<p class=\"more\">expectations passed: %zu under ", cmp->expects_passed[0]);
    report_html_text(o, rep->policy[0]);
    fprintf(o, ", %zu under ", cmp->expects_passed[1]);
    report_html_text(o, rep->policy[1]);
    fprintf(o,
            " of %zu (%zu differ); visits that differ: %zu of %zu; mailings of one policy only: %zu under ",
            cmp->expect_count, cmp->expects_differ, cmp->visits_differ, cmp->visits, cmp->mailings_only[0]);
    report_html_text(o, rep->policy[0]);
    fprintf(o, ", %zu under ", cmp->mailings_only[1]);
    report_html_text(o, rep->policy[1]);
    fputs("</p>\n", o);
    for (size_t i = 0; i < cmp->resident_count && rc == CORE_OK; i++) {
        const struct replay_diff_resident *r = &cmp->residents[i];
        if (r->visit_count > 0 || r->mailing_count > 0)
            html_resident_diffs(rep, scn, file, r);
        if (r->range_count == 0)
            continue;
        html_resident(rep, scn, file, r);
        for (int s = 0; s < REPLAY_SIDES && w[s] != NULL && rc == CORE_OK; s++) {
            char anchor[64], caption[300];
            snprintf(anchor, sizeof anchor, "c%zu-r%d-%s", file, r->resident, side_key[s]);
            snprintf(caption, sizeof caption, "%s under %s", report_who(scn, r->resident), rep->policy[s]);
            if (report_html_timeline(o, anchor, caption, s == 0 ? scn : scn_b, w[s], r->resident) != CORE_OK)
                rc = oom(err);
        }
    }
    if (cmp->expects_differ > 0)
        html_expects(rep, scn, cmp);
    fputs("</section>\n", o);
    world_free(w[0]);
    world_free(w[1]);
    return rc;
}

static void html_close(const struct report_compare *rep)
{
    FILE *o = rep->out;
    fprintf(o,
            "<section id=\"totals\"><h2>Total: %zu file%s, %zu resident%s</h2>\n<table class=\"sides\">"
            "<tr><th class=\"l\">policy</th><th>gap days</th><th>grace days</th><th>degraded days</th>"
            "<th>kept insured where the other is not: residents</th><th>days</th></tr>\n",
            rep->files, rep->files == 1 ? "" : "s", rep->residents, rep->residents == 1 ? "" : "s");
    for (int s = 0; s < REPLAY_SIDES; s++) {
        fputs("<tr><td class=\"l\">", o);
        report_html_text(o, rep->policy[s]);
        fputs("</td>", o);
        html_side_cells(o, rep->gap[s], rep->grace[s], rep->degraded[s]);
        fprintf(o, "<td>%zu</td><td>%ld</td></tr>\n", rep->residents_only[1 - s], rep->only[1 - s]);
    }
    fputs("</table>\n", o);
    const struct cmp_more *m = &rep->more;
    fprintf(o, "<table class=\"diffs totals\"><tr><th class=\"l\">policy</th><th>expectations passed</th>"
               "<th>mailings</th><th>mailings only here</th></tr>\n");
    for (int s = 0; s < REPLAY_SIDES; s++) {
        fputs("<tr><td class=\"l\">", o);
        report_html_text(o, rep->policy[s]);
        fprintf(o, "</td><td>%zu of %zu</td><td>%zu</td><td>%zu</td></tr>\n", m->expects_passed[s],
                m->expects, m->mailings[s], m->mailings_only[s]);
    }
    fprintf(o,
            "</table>\n<p class=\"more\">expectations that differ: %zu; visits that differ: %zu of %zu; "
            "residents "
            "that differ: %zu</p></section>\n",
            m->expects_differ, m->visits_differ, m->visits, m->residents_differ);
    report_html_end(o);
}

/* ---- json ------------------------------------------------------------------------------------------- */

static json_t *day_json(struct report_jb *b, core_day d)
{
    if (d == CORE_DAY_NONE)
        return json_null();
    char s[11];
    core_date_format(d, s);
    return report_jb_new(b, "a date", json_string(s));
}

static json_t *side_json(struct report_jb *b, long gap, long grace, long degraded, long only)
{
    return REPORT_PACK(b, "a side", "{s:I, s:I, s:I, s:I}", "gap_days", (json_int_t)gap, "grace_days",
                       (json_int_t)grace, "degraded_days", (json_int_t)degraded, "gap_only_days",
                       (json_int_t)only);
}

static json_t *range_json(struct report_jb *b, const struct replay_diff_range *d)
{
    json_t *o = REPORT_PACK(b, "a range", "{s:o, s:o, s:I, s:s, s:s}", "from", day_json(b, d->from), "to",
                            day_json(b, d->to), "days", (json_int_t)(d->to - d->from) + 1, "gap_under",
                            side_key[d->gap_side], "kept_by", report_u8(b, d->kept_by));
    for (int s = 0; o != NULL && s < REPLAY_SIDES; s++)
        /* b keeps the first failure (report_jb_fail); the caller reports it through b->code. */
        CORE_DROP(
            report_jb_set(b, "a range", o, side_key[s],
                          REPORT_PACK(b, "a range's side", "{s:s, s:s}", "verdict",
                                      report_verdict_word(d->verdict[s]), "rule", report_u8(b, d->rule[s]))));
    return o;
}

static json_t *visit_side_json(struct report_jb *b, const struct replay_visit_side *v)
{
    if (!v->present)
        return json_null();
    static const struct
    { /* ELIGIBILITY_WARN_* are the scenario's warning bits (docs/DESIGN.md, Vocabularies) */
        unsigned bit;
        const char *word;
    } warns[] = {
#define REPORT_WARN_ROW(id, word) {1u << SCENARIO_WARNING_##id, word},
        SCENARIO_WARNINGS(REPORT_WARN_ROW)
#undef REPORT_WARN_ROW
    };
    json_t *w = report_jb_new(b, "a visit's warnings", json_array());
    for (size_t i = 0; w != NULL && i < sizeof warns / sizeof warns[0]; i++)
        if (v->warnings & warns[i].bit)
            report_jb_append(b, "a warning", w, report_jb_string(b, "a warning", warns[i].word));
    return REPORT_PACK(b, "a visit's side", "{s:s, s:s, s:b, s:I, s:I, s:s, s:o, s:b, s:s}", "outcome",
                       clinic_outcome_name((enum clinic_outcome)v->outcome), "route",
                       clinic_route_name((enum clinic_route)v->route), "fee_charged", v->fee_charged,
                       "fee_total", (json_int_t)v->fee_total, "copay", (json_int_t)v->copay, "card_check",
                       eligibility_result_name((enum eligibility_result)v->card_check), "warnings", w,
                       "claim_error", v->claim_error, "rule", report_u8(b, v->rule));
}

static json_t *visit_json(struct report_jb *b, const struct scenario *scn, const struct replay_diff_visit *v)
{
    json_t *differs = report_jb_new(b, "a visit's differences", json_array());
    for (size_t i = 0; differs != NULL && i < VISIT_DIFF_WORDS; i++)
        if (v->differs & (1u << i))
            report_jb_append(b, "a difference", differs,
                             report_jb_string(b, "a difference", visit_diff_word[i]));
    return REPORT_PACK(b, "a visit", "{s:o, s:s, s:i, s:o, s:o, s:o}", "date", day_json(b, v->day), "clinic",
                       report_u8(b, report_clinic(scn, v->clinic)), "line", v->line, "differs", differs, "a",
                       visit_side_json(b, &v->side[0]), "b", visit_side_json(b, &v->side[1]));
}

static json_t *mailing_json(struct report_jb *b, const struct replay_diff_mailing *m)
{
    return REPORT_PACK(b, "a mailing", "{s:o, s:s, s:s, s:s, s:s}", "date", day_json(b, m->day), "what",
                       report_u8(b, m->what), "detail", report_u8(b, m->detail), "rule",
                       report_u8(b, m->rule), "only_under", side_key[m->side]);
}

static json_t *expect_json(struct report_jb *b, const struct scenario *scn,
                           const struct replay_diff_expect *e)
{
    const struct scenario_expect *x = e->index < scn->expect_count ? &scn->expects[e->index] : NULL;
    char name[160];
    if (x != NULL && x->name != NULL)
        snprintf(name, sizeof name, "%s", x->name);
    else
        snprintf(name, sizeof name, "%s:%d", e->form != NULL ? e->form : "?", e->pos.line);
    json_t *o = REPORT_PACK(b, "an expectation", "{s:s, s:s, s:i, s:i, s:s, s:o, s:b}", "name",
                            report_u8(b, name), "form", e->form != NULL ? e->form : "", "line", e->pos.line,
                            "column", e->pos.column, "who", report_u8(b, expect_who(scn, e)), "date",
                            day_json(b, e->date), "differs", e->passed[0] != e->passed[1]);
    for (int s = 0; o != NULL && s < REPLAY_SIDES; s++)
        /* b keeps the first failure (report_jb_fail); the caller reports it through b->code. */
        CORE_DROP(report_jb_set(b, "an expectation", o, side_key[s],
                                REPORT_PACK(b, "an expectation's side", "{s:b, s:s, s:s}", "passed",
                                            e->passed[s], "rule", report_u8(b, e->rule[s]), "message",
                                            report_u8(b, e->message[s]))));
    return o;
}

static json_t *resident_json(struct report_jb *b, const struct scenario *scn,
                             const struct replay_diff_resident *r)
{
    json_t *ranges = report_jb_new(b, "a resident's ranges", json_array());
    for (size_t k = 0; ranges != NULL && k < r->range_count; k++)
        report_jb_append(b, "a range", ranges, range_json(b, &r->ranges[k]));
    json_t *visits = report_jb_new(b, "a resident's visits", json_array());
    for (size_t k = 0; visits != NULL && k < r->visit_count; k++)
        report_jb_append(b, "a visit", visits, visit_json(b, scn, &r->visits[k]));
    json_t *mailings = report_jb_new(b, "a resident's mailings", json_array());
    for (size_t k = 0; mailings != NULL && k < r->mailing_count; k++)
        report_jb_append(b, "a mailing", mailings, mailing_json(b, &r->mailings[k]));
    json_t *o =
        REPORT_PACK(b, "a resident", "{s:s, s:o, s:o, s:o}", "id", report_u8(b, report_who(scn, r->resident)),
                    "ranges", ranges, "visits", visits, "mailings", mailings);
    for (int s = 0; o != NULL && s < REPLAY_SIDES; s++)
        /* b keeps the first failure (report_jb_fail); the caller reports it through b->code. */
        CORE_DROP(report_jb_set(b, "a resident", o, side_key[s],
                                side_json(b, r->gap[s], r->grace[s], r->degraded[s], r->only[s])));
    return o;
}

/* TOTALS of report.h's shape, for one file (files = 1) or for all. */
static json_t *totals_json(struct report_jb *b, size_t files, size_t residents, const long only[REPLAY_SIDES],
                           const long gap[REPLAY_SIDES], const long grace[REPLAY_SIDES],
                           const long degraded[REPLAY_SIDES], const size_t residents_only[REPLAY_SIDES],
                           const struct cmp_more *m)
{
    json_t *o = REPORT_PACK(
        b, "the totals", "{s:I, s:I, s:I, s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I}}",
        "files", (json_int_t)files, "residents", (json_int_t)residents, "residents_differ",
        (json_int_t)m->residents_differ, "visits", "compared", (json_int_t)m->visits, "differ",
        (json_int_t)m->visits_differ, "mailings", "a", (json_int_t)m->mailings[0], "b",
        (json_int_t)m->mailings[1], "a_only", (json_int_t)m->mailings_only[0], "b_only",
        (json_int_t)m->mailings_only[1], "expectations", "count", (json_int_t)m->expects, "a_passed",
        (json_int_t)m->expects_passed[0], "b_passed", (json_int_t)m->expects_passed[1], "differ",
        (json_int_t)m->expects_differ);
    for (int s = 0; o != NULL && s < REPLAY_SIDES; s++) {
        json_t *side = side_json(b, gap[s], grace[s], degraded[s], only[s]);
        if (side != NULL)
            /* b keeps the first failure (report_jb_fail); the caller reports it through b->code. */
            CORE_DROP(
                report_jb_set(b, "the totals", side, "residents_gap_only",
                              report_jb_new(b, "the totals", json_integer((json_int_t)residents_only[s]))));
        /* b keeps the first failure (report_jb_fail); the caller reports it through b->code. */
        CORE_DROP(report_jb_set(b, "the totals", o, side_key[s], side));
        /* kept by this side: the gap days and residents of the other side only */
        char key[16];
        snprintf(key, sizeof key, "kept_by_%s", side_key[s]);
        /* b keeps the first failure (report_jb_fail); the caller reports it through b->code. */
        CORE_DROP(
            report_jb_set(b, "the totals", o, key,
                          REPORT_PACK(b, "the totals", "{s:I, s:I}", "residents",
                                      (json_int_t)residents_only[1 - s], "days", (json_int_t)only[1 - s])));
    }
    return o;
}

static CORE_MUST_USE int json_add(struct report_compare *rep, const struct scenario *scn,
                                  const struct replay_comparison *cmp, struct core_error *err)
{
    struct report_jb b = {.code = CORE_OK};
    json_t *residents = report_jb_new(&b, "the residents", json_array());
    for (size_t i = 0; residents != NULL && i < cmp->resident_count; i++)
        report_jb_append(&b, "a resident", residents, resident_json(&b, scn, &cmp->residents[i]));
    json_t *expects = report_jb_new(&b, "the expectations", json_array());
    for (size_t i = 0; expects != NULL && i < cmp->expect_count; i++)
        report_jb_append(&b, "an expectation", expects, expect_json(&b, scn, &cmp->expects[i]));
    struct cmp_more m;
    cmp_more_of(cmp, &m);
    json_t *f =
        REPORT_PACK(&b, "the file", "{s:s, s:s, s:s, s:{s:o, s:o}, s:o, s:o, s:o}", "file",
                    report_u8(&b, scn->file), "scenario", report_u8(&b, scn->name != NULL ? scn->name : ""),
                    "policy", report_u8(&b, scn->policy_ref != NULL ? scn->policy_ref : ""), "period", "from",
                    day_json(&b, scn->period.from), "to", day_json(&b, scn->period.to), "residents",
                    residents, "expectations", expects, "totals",
                    totals_json(&b, 1, cmp->resident_count, cmp->only, cmp->gap, cmp->grace, cmp->degraded,
                                cmp->residents_only, &m));
    if (f != NULL && b.code != CORE_OK) { /* nothing that failed is left out silently */
        json_decref(f);
        f = NULL;
    }
    if (f != NULL)
        report_jb_append(&b, "the file", rep->json_files, f);
    if (f == NULL || b.code != CORE_OK)
        return report_jb_error(&b, "the JSON comparison", scn->file, err);
    report_jb_free(&b);
    return CORE_OK;
}

static CORE_MUST_USE int json_close(const struct report_compare *rep, struct core_error *err)
{
    struct report_jb b = {.code = CORE_OK};
    json_t *doc = REPORT_PACK(&b, "the document", "{s:i, s:{s:s, s:s}, s:O, s:o}", "format",
                              REPORT_COMPARE_FORMAT, "policies", "a", report_u8(&b, rep->policy[0]), "b",
                              report_u8(&b, rep->policy[1]), "files", rep->json_files, "totals",
                              totals_json(&b, rep->files, rep->residents, rep->only, rep->gap, rep->grace,
                                          rep->degraded, rep->residents_only, &rep->more));
    if (doc != NULL && b.code != CORE_OK) {
        json_decref(doc);
        doc = NULL;
    }
    if (doc == NULL)
        return report_jb_error(&b, "the JSON comparison", "the files", err);
    report_jb_free(&b);
    int rc = json_dumpf(doc, rep->out, JSON_SORT_KEYS | JSON_INDENT(2)) == 0 ? CORE_OK : write_failed(err);
    json_decref(doc);
    if (rc == CORE_OK && fputc('\n', rep->out) == EOF)
        rc = write_failed(err);
    return rc;
}

/* ---- both ------------------------------------------------------------------------------------------- */

int report_compare_add(struct report_compare *rep, const struct scenario *scn,
                       const struct replay_comparison *cmp, struct core_error *err)
{
    return report_compare_add_sides(rep, scn, NULL, cmp, err);
}

int report_compare_add_sides(struct report_compare *rep, const struct scenario *scn,
                             const struct scenario *scn_b, const struct replay_comparison *cmp,
                             struct core_error *err)
{
    rep->files++;
    rep->residents += cmp->resident_count;
    for (int s = 0; s < REPLAY_SIDES; s++) {
        rep->only[s] += cmp->only[s];
        rep->gap[s] += cmp->gap[s];
        rep->grace[s] += cmp->grace[s];
        rep->degraded[s] += cmp->degraded[s];
        rep->residents_only[s] += cmp->residents_only[s];
    }
    struct cmp_more m;
    cmp_more_of(cmp, &m);
    cmp_more_add(&rep->more, &m);
    if (rep->format == REPORT_JSON)
        return json_add(rep, scn, cmp, err);
    if (rep->format == REPORT_HTML) {
        int rc = html_add(rep, scn, scn_b, cmp, err);
        if (rc != CORE_OK)
            return rc;
    } else
        text_add(rep, scn, cmp);
    return ferror(rep->out) ? write_failed(err) : CORE_OK;
}

int report_compare_close(struct report_compare *rep, struct core_error *err)
{
    if (rep == NULL)
        return CORE_OK;
    int rc = CORE_OK;
    if (rep->format == REPORT_JSON)
        rc = json_close(rep, err);
    else if (rep->format == REPORT_HTML)
        html_close(rep);
    else
        text_close(rep);
    if (rc == CORE_OK && (fflush(rep->out) != 0 || ferror(rep->out)))
        rc = write_failed(err);
    json_decref(rep->json_files);
    free(rep);
    return rc;
}
