/*
 * compare.c: renders `mynasim compare` (report.h, comparisons): scenario files each read under two policies,
 * A and B, and the days that are gap days (INV-1) under one and not the other, with the rules that make the
 * difference.
 *
 * Text is for people and names the policies; one line per file, then each resident whose days differ and
 * the ranges, then the totals:
 *   DIFF nhi-card-lost-in-september (scenarios/x.yaml): 1 resident, 1 differs; gap days national 0,
 *        as-announced-2024 9; grace days 9, 0; degraded days 9, 9
 *     r1: 9 gap days only under as-announced-2024, 0 only under national
 *       2025-09-10..2025-09-18 (9 days): gap under as-announced-2024 [PAPER-2], grace under national
 *       [AMEND-1]; kept insured by AMEND-1
 * JSON is for tools and keys the sides "a" and "b" (two policies may share a name):
 *   {"format": 1, "policies": {"a", "b"}, "totals": TOTALS,
 *    "files": [{file, scenario, policy (as the file gives it), period {from, to}, totals: TOTALS,
 *               residents [{id, a: SIDE, b: SIDE,
 *                           ranges [{from, to, days, gap_under: "a"|"b", kept_by,
 *                                    a: {verdict, rule}, b: {verdict, rule}}]}]}]}
 *   SIDE = {gap_days, grace_days, degraded_days, gap_only_days}
 *   TOTALS = {files, residents, a: SIDE + {residents_gap_only}, b: ..., kept_by_a {residents, days},
 *             kept_by_b {...}} (kept_by_a: the residents and days with a gap under b only)
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

struct report_compare {
    enum report_format format;
    FILE *out;
    const char *policy[REPLAY_SIDES];
    size_t files;
    size_t residents;
    long only[REPLAY_SIDES], gap[REPLAY_SIDES], grace[REPLAY_SIDES], degraded[REPLAY_SIDES];
    size_t residents_only[REPLAY_SIDES];
    json_t *json_files; /* JSON: the files, dumped on close */
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
        fputs(": days that are gap days (INV-1) under one policy and not the other; expectations are not "
              "checked</p>\n",
              out);
        report_html_legend(out);
    } else {
        fprintf(out,
                "mynasim compare: %s against %s: days that are gap days (INV-1) under one policy and not "
                "the other; expectations are not checked\n\n",
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

static void text_add(struct report_compare *rep, const struct scenario *scn,
                     const struct replay_comparison *cmp)
{
    size_t differ = 0;
    for (size_t i = 0; i < cmp->resident_count; i++)
        if (cmp->residents[i].range_count > 0)
            differ++;
    fprintf(rep->out,
            "%s %s (%s): %zu resident%s, %zu differ%s; gap days %s %ld, %s %ld; grace days %ld, %ld; "
            "degraded days %ld, %ld\n",
            differ > 0 ? "DIFF" : "SAME", scn->name, scn->file, cmp->resident_count,
            cmp->resident_count == 1 ? "" : "s", differ, differ == 1 ? "s" : "", rep->policy[0], cmp->gap[0],
            rep->policy[1], cmp->gap[1], cmp->grace[0], cmp->grace[1], cmp->degraded[0], cmp->degraded[1]);
    for (size_t i = 0; i < cmp->resident_count; i++) {
        const struct replay_diff_resident *r = &cmp->residents[i];
        if (r->range_count == 0)
            continue;
        fprintf(rep->out, "  %s: %ld gap day%s only under %s, %ld only under %s\n",
                report_who(scn, r->resident), r->only[1], r->only[1] == 1 ? "" : "s", rep->policy[1],
                r->only[0], rep->policy[0]);
        for (size_t k = 0; k < r->range_count; k++)
            text_range(rep, &r->ranges[k]);
    }
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

/* The worlds of both sides, replayed again for their whole timelines; NULL each when `scn_b` is NULL. */
static int html_worlds(const struct scenario *scn, const struct scenario *scn_b,
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

static int html_add(const struct report_compare *rep, const struct scenario *scn,
                    const struct scenario *scn_b, const struct replay_comparison *cmp, struct core_error *err)
{
    struct world *w[REPLAY_SIDES];
    int rc = html_worlds(scn, scn_b, w, err);
    if (rc != CORE_OK)
        return rc;
    FILE *o = rep->out;
    size_t differ = 0, file = rep->files - 1;
    for (size_t i = 0; i < cmp->resident_count; i++)
        if (cmp->residents[i].range_count > 0)
            differ++;
    fprintf(o, "<section class=\"scenario %s\" id=\"c%zu\">\n<h2>%s ", differ > 0 ? "differs" : "same", file,
            differ > 0 ? "DIFF" : "SAME");
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
    for (size_t i = 0; i < cmp->resident_count && rc == CORE_OK; i++) {
        const struct replay_diff_resident *r = &cmp->residents[i];
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
    fputs("</table></section>\n", o);
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

static json_t *resident_json(struct report_jb *b, const struct scenario *scn,
                             const struct replay_diff_resident *r)
{
    json_t *ranges = report_jb_new(b, "a resident's ranges", json_array());
    for (size_t k = 0; ranges != NULL && k < r->range_count; k++)
        report_jb_append(b, "a range", ranges, range_json(b, &r->ranges[k]));
    json_t *o = REPORT_PACK(b, "a resident", "{s:s, s:o}", "id", report_u8(b, report_who(scn, r->resident)),
                            "ranges", ranges);
    for (int s = 0; o != NULL && s < REPLAY_SIDES; s++)
        /* b keeps the first failure (report_jb_fail); the caller reports it through b->code. */
        CORE_DROP(report_jb_set(b, "a resident", o, side_key[s],
                                side_json(b, r->gap[s], r->grace[s], r->degraded[s], r->only[s])));
    return o;
}

/* TOTALS of report.h's shape, for one file (files = 1) or for all. */
static json_t *totals_json(struct report_jb *b, size_t files, size_t residents, const long only[REPLAY_SIDES],
                           const long gap[REPLAY_SIDES], const long grace[REPLAY_SIDES],
                           const long degraded[REPLAY_SIDES], const size_t residents_only[REPLAY_SIDES])
{
    json_t *o = REPORT_PACK(b, "the totals", "{s:I, s:I}", "files", (json_int_t)files, "residents",
                            (json_int_t)residents);
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

static int json_add(struct report_compare *rep, const struct scenario *scn,
                    const struct replay_comparison *cmp, struct core_error *err)
{
    struct report_jb b = {.code = CORE_OK};
    json_t *residents = report_jb_new(&b, "the residents", json_array());
    for (size_t i = 0; residents != NULL && i < cmp->resident_count; i++)
        report_jb_append(&b, "a resident", residents, resident_json(&b, scn, &cmp->residents[i]));
    json_t *f = REPORT_PACK(
        &b, "the file", "{s:s, s:s, s:s, s:{s:o, s:o}, s:o, s:o}", "file", report_u8(&b, scn->file),
        "scenario", report_u8(&b, scn->name != NULL ? scn->name : ""), "policy",
        report_u8(&b, scn->policy_ref != NULL ? scn->policy_ref : ""), "period", "from",
        day_json(&b, scn->period.from), "to", day_json(&b, scn->period.to), "residents", residents, "totals",
        totals_json(&b, 1, cmp->resident_count, cmp->only, cmp->gap, cmp->grace, cmp->degraded,
                    cmp->residents_only));
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

static int json_close(const struct report_compare *rep, struct core_error *err)
{
    struct report_jb b = {.code = CORE_OK};
    json_t *doc = REPORT_PACK(&b, "the document", "{s:i, s:{s:s, s:s}, s:O, s:o}", "format",
                              REPORT_COMPARE_FORMAT, "policies", "a", report_u8(&b, rep->policy[0]), "b",
                              report_u8(&b, rep->policy[1]), "files", rep->json_files, "totals",
                              totals_json(&b, rep->files, rep->residents, rep->only, rep->gap, rep->grace,
                                          rep->degraded, rep->residents_only));
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
