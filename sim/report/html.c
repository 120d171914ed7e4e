/*
 * html.c: the report for people who look (docs/REPORTS.md): one self-contained HTML file — inline CSS and
 * inline SVG, no script, no font, no link to anything outside the file — written whole on close, so the failed
 * expectations of every run can come first:
 *
 *   summary line ("scenarios: P passed, F failed", as the text report ends)
 *   failed expectations: each file:line:column, its message, and a link to its resident's timeline (the
 *     scenario's section for `who: all`)
 *   files that could not be run, each problem file:line:column
 *   per scenario: its summary, its expectations, then
 *     for a population: charts (the usage rate by month against the mix's published figures and the file's
 *       usage_rate bounds, gap / grace / degraded days by month, days lost by rule, cards held and registered
 *       at the start and the end);
 *     per named resident: a timeline (below).
 *
 * A timeline is one SVG over the scenario's period: a row of days coloured by INV-1's verdict (usable, grace,
 * gap, not insured, before checks), a row of degraded days (INV-2), one row per document in hand (solid when
 * usable, pale when in hand but not usable), and a row of marks: events (circles) and visits (diamonds),
 * each with an SVG <title> — the browser's tooltip — giving the day, the rule, the outcome, the route and the
 * fee. The policy's key dates are vertical lines; they are read from the scenario's policy (the date
 * parameters and the days a dated switch turns), never written here.
 *
 * Everything from input files (scenario names, ids, file names, messages) is escaped (& < > " ') after
 * invalid UTF-8 is repaired (report_utf8_dup); ids of elements are built from indexes only. Coordinates are
 * integers and percentages integer millionths, so the same runs give the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

/* ---- shared with compare.c ------------------------------------------------------------------------------ */

void report_html_text(FILE *f, const char *s)
{
    char *fixed = NULL;
    if (s == NULL)
        return;
    if (!report_utf8_valid(s)) {
        fixed = report_utf8_dup(s);
        s = fixed != NULL ? fixed : "?";
    }
    for (const char *p = s; *p != '\0'; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default: /* a control character is an HTML parse error, even as a reference: U+FFFD instead */
            if (((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7F)
                fputs("&#xFFFD;", f);
            else
                fputc(*p, f);
        }
    }
    free(fixed);
}

static const char html_style[] =
    "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;max-width:1100px}"
    "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em}"
    "h3{font-size:1em;margin:.8em 0 .2em}"
    "code{font-size:.9em}.pass{color:#2e7d32}.fail{color:#c62828}"
    "section.scenario{margin-top:2em}ul.results{margin:.2em 0;padding-left:1.2em}"
    "li.failure{margin:.3em 0}table{border-collapse:collapse;margin:.5em 0}"
    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f4f4f4}"
    "td.l,th.l{text-align:left}"
    "svg{display:block;margin:.3em 0;background:#fff}svg text{font-size:11px;fill:#333}"
    ".usable{fill:#66bb6a}.grace{fill:#ffb300}.gap{fill:#e53935}.not_insured{fill:#bdbdbd}"
    ".before_checks{fill:#eeeeee}.degraded{fill:#8e24aa}.doc-usable{fill:#42a5f5}"
    ".doc-unusable{fill:#cfd8dc}.event{fill:#546e7a}.event.failed{fill:#c62828}"
    ".visit{fill:#1e88e5;stroke:#0d47a1}.visit.not_insured,.visit.self_pay{fill:#e53935}"
    ".visit.claim_error{stroke:#c62828;stroke-width:2}"
    "line.keydate{stroke:#6a1b9a;stroke-dasharray:4 3}line.axis{stroke:#999}line.grid{stroke:#eee}"
    ".bar-usage{fill:#42a5f5}.published{fill:#000}.expected{fill:#fff59d;opacity:.7}"
    ".held{fill:#26a69a}.registered{fill:#7e57c2}"
    ".legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}";

void report_html_begin(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
    report_html_text(f, title);
    fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", html_style);
    report_html_text(f, title);
    fputs("</h1>\n", f);
}

void report_html_end(FILE *f)
{
    fputs("</body>\n</html>\n", f);
}

/* The legend of the timelines' colours. */
void report_html_legend(FILE *f)
{
    fputs("<p class=\"legend\">days:<span class=\"l-usable\" style=\"background:#66bb6a\"></span>usable"
          "<span style=\"background:#ffb300\"></span>grace (AMEND-1 look-up)"
          "<span style=\"background:#e53935\"></span>gap"
          "<span style=\"background:#bdbdbd\"></span>not insured"
          "<span style=\"background:#eeeeee\"></span>before checks"
          "<span style=\"background:#8e24aa\"></span>degraded (INV-2)"
          " documents:<span style=\"background:#42a5f5\"></span>usable"
          "<span style=\"background:#cfd8dc\"></span>in hand, not usable"
          " — hover a bar or a mark for its rule, outcome, route and fee</p>\n",
          f);
}

/* ---- geometry ------------------------------------------------------------------------------------------- */

enum { TL_WIDTH = 1000, TL_LEFT = 120, TL_PLOT = 860, TL_ROW = 16, TL_GAP = 4, TL_TOP = 34 };

/* The x of the start of day `d` in a period of `n` days from `from`. */
static long tl_x(core_day d, core_day from, long n)
{
    long long off = (long long)d - (long long)from;
    if (off < 0)
        off = 0;
    if (off > n)
        off = n;
    return TL_LEFT + (long)(off * TL_PLOT / n);
}

static long tl_row_y(int row)
{
    return TL_TOP + row * (TL_ROW + TL_GAP);
}

/* A bar over days [from, to] on a row, at least one pixel wide, with its tooltip begun (the caller writes
 * the title's text and closes it with report_html_bar_end). */
static void bar_begin(FILE *f, const char *cls, core_day from, core_day to, core_day pfrom, long n, int row)
{
    long x0 = tl_x(from, pfrom, n), x1 = tl_x(to + 1, pfrom, n);
    fprintf(f, "<rect class=\"%s\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%d\"><title>", cls, x0,
            tl_row_y(row), x1 - x0 > 0 ? x1 - x0 : 1, TL_ROW);
}

static void days_text(FILE *f, core_day from, core_day to)
{
    char a[11], b[11];
    report_day(from, a);
    report_day(to, b);
    fprintf(f, "%s..%s (%ld day%s)", a, b, (long)(to - from + 1), to == from ? "" : "s");
}

void report_html_row_label(FILE *f, int row, const char *label)
{
    fprintf(f, "<text x=\"4\" y=\"%ld\">%s</text>", tl_row_y(row) + TL_ROW - 4, label);
}

/* The month axis at `y`: a tick at each first of a month, labelled (every month, or every third when there
 * are more than 18). */
void report_html_month_axis(FILE *f, core_day from, core_day to, long y)
{
    long n = (long)(to - from + 1);
    int yy, mm, dd;
    core_date_to_ymd(from, &yy, &mm, &dd);
    long months = 0;
    for (core_day d = from; d <= to; d++) {
        core_date_to_ymd(d, &yy, &mm, &dd);
        months += dd == 1;
    }
    int every = months > 18 ? 3 : 1, k = 0;
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%ld\" x2=\"%d\" y2=\"%ld\"/>", TL_LEFT, y,
            TL_LEFT + TL_PLOT, y);
    for (core_day d = from; d <= to; d++) {
        core_date_to_ymd(d, &yy, &mm, &dd);
        if (dd != 1)
            continue;
        long x = tl_x(d, from, n);
        fprintf(f, "<line class=\"axis\" x1=\"%ld\" y1=\"%ld\" x2=\"%ld\" y2=\"%ld\"/>", x, y, x, y + 4);
        if (k++ % every == 0)
            fprintf(f, "<text x=\"%ld\" y=\"%ld\">%04d-%02d</text>", x + 2, y + 14, yy % 10000, mm % 100);
    }
}

/* ---- the policy's key dates -------------------------------------------------------------------------- */

/* The parameters whose dates a timeline marks: a date parameter is a line after its day (`end`: the last day
 * something holds) or on it; a switch (a dated boolean) is a line on each day it turns. The dates are the
 * policy's; only the choice of parameters and their labels is here. */
struct keydate_param {
    enum policy_param id;
    bool end;          /* a date parameter naming a last day: the line is drawn after it */
    const char *label; /* for people */
};
static const struct keydate_param keydate_params[] = {
    {POLICY_PAPER_CARD_LAST_ISSUE, true, "last day a paper card is issued (D-2)"},
    {POLICY_PAPER_CARD_LATEST_EXPIRY, true, "NHI paper cards' printed expiry (D-6)"},
    {POLICY_PAPER_CARD_CAP, true, "last day any paper card is usable (D-7)"},
    {POLICY_LOOKUP_GRACE_ENABLED, false, "AMEND-1 look-up grace"},
    {POLICY_CERTIFICATE_ALL_ELDERLY, false, "AMEND-2 certificates to all latter-stage elderly"},
};

#define KEYDATES_MAX 32
struct keydate {
    core_day line; /* the line is drawn at the start of this day */
    char label[120];
};

/* "LABEL: to DAY" (`to`: the last day it holds) or "LABEL: from DAY". */
static size_t keydate_add(struct keydate *k, size_t n, core_day line, const char *label, bool to,
                          const char *day)
{
    if (n >= KEYDATES_MAX)
        return n;
    k[n].line = line;
    snprintf(k[n].label, sizeof k[n].label, "%s: %s %s", label, to ? "to" : "from", day);
    return n + 1;
}

/* The key dates of `p` within [from, to + 1], in the order of keydate_params. */
static size_t keydates(const struct policy *p, core_day from, core_day to, struct keydate *k)
{
    size_t n = 0;
    if (p == NULL)
        return 0;
    for (size_t i = 0; i < sizeof keydate_params / sizeof keydate_params[0]; i++) {
        const struct keydate_param *kp = &keydate_params[i];
        int id = (int)kp->id;
        core_day v;
        bool b0, b1;
        char day[11];
        if (policy_date_id(p, id, from, &v) == CORE_OK) {
            core_day line = kp->end ? v + 1 : v;
            report_day(v, day);
            if (line >= from && line <= to + 1)
                n = keydate_add(k, n, line, kp->label, kp->end, day);
            continue;
        }
        /* a switch: each day within the period on which its value turns */
        core_day d = from;
        while (d <= to && policy_bool_id(p, id, d, &b0) == CORE_OK) {
            core_day sf, st;
            policy_span(p, &id, 1, d, &sf, &st);
            if (st >= to)
                break;
            if (policy_bool_id(p, id, st + 1, &b1) != CORE_OK)
                break;
            if (b1 != b0) {
                report_day(b1 ? st + 1 : st, day);
                n = keydate_add(k, n, st + 1, kp->label, !b1, day);
            }
            d = st + 1;
        }
    }
    return n;
}

/* Draws the key dates as lines from y0 to y1, their labels on two alternating heights above y0; dates that
 * fall on the same line share it (their labels joined in its tooltip). The label shown is the first's day as
 * the policy gives it ("to 2025-07-31", "from 2025-08-01"). */
void report_html_keydates(FILE *f, const struct policy *p, core_day from, core_day to, long y0, long y1)
{
    struct keydate k[KEYDATES_MAX];
    size_t n = keydates(p, from, to, k), shown = 0;
    long days = (long)(to - from + 1);
    bool done[KEYDATES_MAX] = {false};
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        long x = tl_x(k[i].line, from, days), up = shown % 2 == 0 ? 22 : 10;
        shown++;
        const char *colon = strrchr(k[i].label, ':');
        fprintf(f,
                "<g class=\"keydate\"><line class=\"keydate\" x1=\"%ld\" y1=\"%ld\" x2=\"%ld\" y2=\"%ld\"/>",
                x, y0 - up, x, y1);
        fprintf(f, "<text x=\"%ld\" y=\"%ld\">", x + 2, y0 - up - 2);
        report_html_text(f, colon != NULL ? colon + 2 : k[i].label);
        fputs("</text><title>", f);
        for (size_t j = i; j < n; j++)
            if (!done[j] && k[j].line == k[i].line) {
                if (j != i)
                    fputs("; ", f);
                report_html_text(f, k[j].label);
                done[j] = true;
            }
        fputs("</title></g>", f);
    }
}

/* ---- a resident's timeline ------------------------------------------------------------------------------ */

enum { ROW_DAYS, ROW_DEGRADED, ROW_DOCS, ROW_MARKS = ROW_DOCS + SCENARIO_DOC_COUNT, ROWS };

static const char *docs_or_dash(unsigned docs, char *buf, size_t cap)
{
    scenario_documents_format(docs, ", ", buf, cap);
    return buf[0] != '\0' ? buf : "none";
}

/* What a timeline draws of one resident: copies of the world's ranges, events and visits, with the names
 * they point at (an insurer per range, a clinic per visit). A named resident's view points into its world; a
 * population resident's into storage the report owns (its household's world is gone by then). */
struct tl_view {
    const char *id;
    long gap, grace, degraded, claims;
    size_t nranges, nevents, nvisits;
    struct world_range *ranges;
    const char **insurers; /* per range */
    struct world_event *events;
    struct world_visit *visits;
    const char **clinics; /* per visit */
};

static void view_free(struct tl_view *v)
{
    free(v->ranges);
    free(v->insurers);
    free(v->events);
    free(v->visits);
    free(v->clinics);
    memset(v, 0, sizeof *v);
}

/* The view of resident `res` of world `w` (the world's own visits, or `visits[0..nvisits)` when given: a
 * population's probes). CORE_ENOMEM, the view freed, when out of memory. */
static CORE_MUST_USE int view_of(struct tl_view *v, const struct scenario *scn, const struct world *w,
                                 int res, const struct world_visit *visits, size_t nvisits)
{
    memset(v, 0, sizeof *v);
    v->id = scn->residents[res].id;
    v->gap = world_gap_days(w, res);
    v->grace = world_grace_days(w, res);
    v->degraded = world_degraded_days(w, res);
    v->claims = world_claim_errors(w, res);
    size_t nr = world_range_count(w, res), ne = world_event_count(w),
           nv = visits != NULL ? nvisits : world_visit_count(w);
    v->ranges = calloc(nr + 1, sizeof *v->ranges);
    v->insurers = calloc(nr + 1, sizeof *v->insurers);
    v->events = calloc(ne + 1, sizeof *v->events);
    v->visits = calloc(nv + 1, sizeof *v->visits);
    v->clinics = calloc(nv + 1, sizeof *v->clinics);
    if (v->ranges == NULL || v->insurers == NULL || v->events == NULL || v->visits == NULL ||
        v->clinics == NULL) {
        view_free(v);
        return CORE_ENOMEM;
    }
    for (size_t i = 0; i < nr; i++) {
        const struct world_range *rg = world_range_at(w, res, i);
        v->ranges[v->nranges] = *rg;
        v->insurers[v->nranges++] = rg->insurer >= 0 && (size_t)rg->insurer < world_insurer_count(w)
                                        ? world_insurer_id(w, rg->insurer)
                                        : "none";
    }
    for (size_t i = 0; i < ne; i++) {
        const struct world_event *ev = world_event_at(w, i);
        if (ev->resident == res)
            v->events[v->nevents++] = *ev;
    }
    for (size_t i = 0; i < nv; i++) {
        const struct world_visit *x = visits != NULL ? &visits[i] : world_visit_at(w, i);
        if (x->resident != res)
            continue;
        v->visits[v->nvisits] = *x;
        v->clinics[v->nvisits++] = report_clinic(scn, x->clinic);
    }
    return CORE_OK;
}

static void range_title(FILE *f, const struct world_range *rg, const char *insurer)
{
    char a[96], b[96];
    days_text(f, rg->from, rg->to);
    fprintf(f, " %s", report_verdict_word(rg->verdict));
    if (rg->degraded)
        fputs(" (degraded)", f);
    if (rg->rule != NULL && rg->rule[0] != '\0') {
        fputs(" rule ", f);
        report_html_text(f, rg->rule);
    }
    fputs("; insurer ", f);
    report_html_text(f, insurer);
    fprintf(f, "; usable %s; in hand %s", docs_or_dash(rg->holds, a, sizeof a),
            docs_or_dash(rg->in_hand, b, sizeof b));
}

static void doc_bars(FILE *f, const struct tl_view *v, core_day pfrom, long n, int doc)
{
    unsigned bit = SCENARIO_DOC_BIT(doc);
    for (size_t i = 0; i < v->nranges;) {
        const struct world_range *rg = &v->ranges[i];
        if (!(rg->in_hand & bit)) {
            i++;
            continue;
        }
        bool usable = (rg->holds & bit) != 0;
        core_day from = rg->from, to = rg->to;
        size_t j = i + 1;
        for (; j < v->nranges; j++) { /* merge while the document's own state stays */
            const struct world_range *nx = &v->ranges[j];
            if (!(nx->in_hand & bit) || ((nx->holds & bit) != 0) != usable || nx->from != to + 1)
                break;
            to = nx->to;
        }
        bar_begin(f, usable ? "doc doc-usable" : "doc doc-unusable", from, to, pfrom, n, ROW_DOCS + doc);
        fprintf(f, "%s ", scenario_document_word((enum scenario_document)doc));
        days_text(f, from, to);
        fprintf(f, ": %s</title></rect>", usable ? "in hand, usable" : "in hand, not usable");
        i = j;
    }
}

static void event_mark(FILE *f, const struct world_event *ev, core_day pfrom, long n)
{
    long x = (tl_x(ev->day, pfrom, n) + tl_x(ev->day + 1, pfrom, n)) / 2,
         y = tl_row_y(ROW_MARKS) + TL_ROW / 2;
    char day[11];
    report_day(ev->day, day);
    fprintf(f, "<circle class=\"mark event%s\" cx=\"%ld\" cy=\"%ld\" r=\"4\"><title>%s ",
            ev->failed ? " failed" : "", x, y - 4, day);
    report_html_text(f, ev->what);
    if (ev->rule != NULL && ev->rule[0] != '\0') {
        fputs(" — rule ", f);
        report_html_text(f, ev->rule);
    }
    if (ev->detail != NULL && ev->detail[0] != '\0') {
        fputs(" — ", f);
        report_html_text(f, ev->detail);
    }
    if (ev->failed)
        fputs(" — failed", f);
    if (ev->line > 0)
        fprintf(f, " (line %d)", ev->line);
    fputs("</title></circle>", f);
}

static void visit_mark(FILE *f, const struct world_visit *v, const char *clinic, core_day pfrom, long n)
{
    const struct clinic_decision *d = &v->decision;
    long x = (tl_x(v->day, pfrom, n) + tl_x(v->day + 1, pfrom, n)) / 2,
         y = tl_row_y(ROW_MARKS) + TL_ROW / 2 + 3;
    char day[11], docs[96];
    report_day(v->day, day);
    fprintf(f,
            "<polygon class=\"mark visit %s%s\" points=\"%ld,%ld %ld,%ld %ld,%ld %ld,%ld\"><title>%s visit ",
            clinic_outcome_name(d->outcome), v->claim_error ? " claim_error" : "", x, y - 5, x + 5, y, x,
            y + 5, x - 5, y, day);
    report_html_text(f, clinic);
    fprintf(f, " (%s), brought %s — outcome %s, route %s, rule ",
            v->kind == SCENARIO_VISIT_REVISIT      ? "revisit"
            : v->kind == SCENARIO_VISIT_DISPENSING ? "dispensing"
                                                   : "first",
            docs_or_dash(v->brought, docs, sizeof docs), clinic_outcome_name(d->outcome),
            clinic_route_name(d->route));
    report_html_text(f, d->rule != NULL && d->rule[0] != '\0' ? d->rule : "none");
    if (d->fee_charged)
        fprintf(f, ", fee %ld yen (co-payment %ld yen, %d %%)", d->fee_total, d->copay, d->copay_percent);
    else
        fprintf(f, ", no fee charged (co-payment %ld yen, %d %%)", d->copay, d->copay_percent);
    fprintf(f, ", card check %s", eligibility_result_name(v->card_check));
    if (d->grace)
        fputs(", AMEND-1 grace", f);
    if (v->claim_error)
        fputs(", CLAIM ERROR (DESK-2)", f);
    if (v->line > 0)
        fprintf(f, " (line %d)", v->line);
    fputs("</title></polygon>", f);
}

/* One resident's timeline under the id `anchor` (built from indexes only) and one SVG. */
static void timeline(FILE *f, const char *anchor, const struct scenario *scn, const struct tl_view *v)
{
    core_day from = scn->period.from, to = scn->period.to;
    long n = (long)(to - from + 1);
    if (n <= 0)
        return;
    long height = tl_row_y(ROWS) + 22;
    fprintf(f, "<div class=\"timeline\" id=\"%s\"><h3>resident ", anchor);
    report_html_text(f, v->id);
    fprintf(f, ": gap days %ld, grace days %ld, degraded days %ld, claim errors %ld</h3>\n", v->gap, v->grace,
            v->degraded, v->claims);
    fprintf(f, "<svg class=\"timeline\" width=\"%d\" height=\"%ld\" viewBox=\"0 0 %d %ld\" role=\"img\">",
            TL_WIDTH, height, TL_WIDTH, height);
    report_html_row_label(f, ROW_DAYS, "days");
    report_html_row_label(f, ROW_DEGRADED, "degraded");
    for (int d = 0; d < SCENARIO_DOC_COUNT; d++)
        report_html_row_label(f, ROW_DOCS + d, scenario_document_word((enum scenario_document)d));
    report_html_row_label(f, ROW_MARKS, "events, visits");
    for (size_t i = 0; i < v->nranges; i++) {
        const struct world_range *rg = &v->ranges[i];
        char cls[48];
        snprintf(cls, sizeof cls, "day %s", report_verdict_word(rg->verdict));
        bar_begin(f, cls, rg->from, rg->to, from, n, ROW_DAYS);
        range_title(f, rg, v->insurers[i]);
        fputs("</title></rect>", f);
        if (rg->degraded) {
            bar_begin(f, "day degraded", rg->from, rg->to, from, n, ROW_DEGRADED);
            range_title(f, rg, v->insurers[i]);
            fputs("</title></rect>", f);
        }
    }
    for (int d = 0; d < SCENARIO_DOC_COUNT; d++)
        doc_bars(f, v, from, n, d);
    for (size_t i = 0; i < v->nevents; i++)
        if (v->events[i].day >= from && v->events[i].day <= to)
            event_mark(f, &v->events[i], from, n);
    for (size_t i = 0; i < v->nvisits; i++)
        if (v->visits[i].day >= from && v->visits[i].day <= to)
            visit_mark(f, &v->visits[i], v->clinics[i], from, n);
    report_html_keydates(f, scn->policy, from, to, TL_TOP, tl_row_y(ROWS));
    report_html_month_axis(f, from, to, tl_row_y(ROWS) + 2);
    fputs("</svg></div>\n", f);
}

int report_html_timeline(FILE *f, const char *anchor, const char *caption, const struct scenario *scn,
                         const struct world *w, int res)
{
    struct tl_view v;
    if (view_of(&v, scn, w, res, NULL, 0) != CORE_OK)
        return CORE_ENOMEM;
    if (caption != NULL)
        v.id = caption;
    timeline(f, anchor, scn, &v);
    view_free(&v);
    return CORE_OK;
}

/* ---- a population's residents with a gap day or a claim error -------------------------------------------- */

/* At most this many are drawn (the first in household order); the report says how many there were. */
#define POP_TIMELINES_MAX 100

/* The population's residents drawn as their households finish (the household's world is freed after). */
struct pop_timelines {
    const struct scenario *scn; /* the population's file: its period and policy */
    FILE *out;                  /* a memory stream: the count goes before the timelines */
    size_t run;
    long long found, drawn;
};

/* Called with each finished household (world_population_run_detail): draws each of its residents with a gap
 * day or a claim error at once (the household's world is freed after the call), up to POP_TIMELINES_MAX. */
static CORE_MUST_USE int pop_household(void *ctx, const struct world_pop_household *hh,
                                       struct core_error *err)
{
    struct pop_timelines *t = ctx;
    for (size_t k = 0; k < hh->scn->resident_count; k++) {
        struct tl_view v;
        if (view_of(&v, hh->scn, hh->world, (int)k, hh->visits, hh->visit_count) != CORE_OK)
            return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory drawing a population");
        long claims = 0;
        for (size_t i = 0; i < v.nvisits; i++)
            claims += v.visits[i].claim_error;
        v.claims = claims; /* the population's probes, not the household world's own visits */
        if (v.gap > 0 || v.claims > 0) {
            t->found++;
            if (t->drawn < POP_TIMELINES_MAX) {
                char anchor[64];
                snprintf(anchor, sizeof anchor, "s%zu-p%lld", t->run, t->drawn);
                t->drawn++;
                timeline(t->out, anchor, t->scn, &v);
            }
        }
        view_free(&v);
    }
    return CORE_OK;
}

/* ---- charts of a population ------------------------------------------------------------------------- */

enum { CH_WIDTH = 1000, CH_LEFT = 60, CH_PLOT = 900, CH_TOP = 20, CH_HEIGHT = 180 };

/* "12.34" from millionths. */
static void pct(FILE *f, long ppm)
{
    if (ppm < 0)
        ppm = 0;
    fprintf(f, "%ld.%02ld", ppm / 10000, (ppm % 10000) / 100);
}

/* The smallest of 1, 2, 5 × 10^k that is at least v (v > 0). */
static long long nice_max(long long v)
{
    long long s = 1;
    while (s < v) {
        if (s * 2 >= v)
            return s * 2;
        if (s * 5 >= v)
            return s * 5;
        s *= 10;
    }
    return s;
}

static long ch_y(long long v, long long max)
{
    return CH_TOP + CH_HEIGHT - (long)(v * CH_HEIGHT / max);
}

static void chart_begin(FILE *f, const char *cls, const char *title, long long max, bool percent)
{
    fprintf(f, "<h3>%s</h3>\n<svg class=\"chart %s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
            title, cls, CH_WIDTH, CH_TOP + CH_HEIGHT + 24, CH_WIDTH, CH_TOP + CH_HEIGHT + 24);
    for (int i = 0; i <= 4; i++) {
        long long v = max * i / 4;
        long y = ch_y(v, max);
        fprintf(f, "<line class=\"grid\" x1=\"%d\" y1=\"%ld\" x2=\"%d\" y2=\"%ld\"/><text x=\"4\" y=\"%ld\">",
                CH_LEFT, y, CH_LEFT + CH_PLOT, y, y + 4);
        if (percent) {
            pct(f, (long)v);
            fputs(" %", f);
        } else
            fprintf(f, "%lld", v);
        fputs("</text>", f);
    }
}

static void month_label(FILE *f, core_day month, long x)
{
    int y, m, d;
    core_date_to_ymd(month, &y, &m, &d);
    fprintf(f, "<text x=\"%ld\" y=\"%d\">%04d-%02d</text>", x, CH_TOP + CH_HEIGHT + 16, y % 10000, m % 100);
}

static void usage_chart(FILE *f, const struct scenario *scn, const struct world_population *p,
                        const struct world_mix *mix)
{
    size_t nm = p->nmonths, npub = world_mix_published_count(mix);
    if (nm == 0)
        return;
    long long max = 1;
    for (size_t i = 0; i < nm; i++) {
        long u = report_pop_usage_ppm(&p->months[i]);
        const struct scenario_expect *e = report_usage_expect(scn, p->months[i].month);
        if (u > max)
            max = u;
        if (e != NULL && (long long)e->max_ppm > max)
            max = e->max_ppm;
    }
    for (size_t i = 0; i < npub; i++) {
        struct world_published pub;
        if (world_mix_published_usage(mix, i, &pub) == CORE_OK && pub.ppm > max)
            max = pub.ppm;
    }
    max = max >= 1000000 ? 1000000 : nice_max((max + 99999) / 100000) * 100000;
    if (max > 1000000)
        max = 1000000;
    chart_begin(f, "usage", "Usage rate by month: simulated (bars), published (dots), expected (band)", max,
                true);
    long slot = CH_PLOT / (long)nm, bw = slot * 3 / 5;
    for (size_t i = 0; i < nm; i++) {
        const struct world_pop_month *m = &p->months[i];
        long x = CH_LEFT + (long)i * slot, u = report_pop_usage_ppm(m);
        const struct scenario_expect *e = report_usage_expect(scn, m->month);
        char day[11];
        report_day(m->month, day);
        if (e != NULL) {
            fprintf(f, "<rect class=\"expected\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\"><title>",
                    x + 1, ch_y(e->max_ppm, max), slot - 2,
                    ch_y(e->min_ppm, max) - ch_y(e->max_ppm, max) + 1);
            fprintf(f, "%.7s expected ", day);
            pct(f, (long)e->min_ppm);
            fputs(" % to ", f);
            pct(f, (long)e->max_ppm);
            fputs(" % (usage_rate expectation)</title></rect>", f);
        }
        if (u >= 0) {
            fprintf(
                f,
                "<rect class=\"bar bar-usage\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\"><title>%.7s "
                "simulated ",
                x + (slot - bw) / 2, ch_y(u, max), bw, CH_TOP + CH_HEIGHT - ch_y(u, max), day);
            pct(f, u);
            fprintf(f, " %% (%lld card-route checks of %lld online checks)</title></rect>", m->card_checks,
                    m->online_checks);
        }
        month_label(f, m->month, x);
        core_day next = i + 1 < nm ? p->months[i + 1].month : p->months_end;
        for (size_t k = 0; k < npub; k++) {
            struct world_published pub;
            if (world_mix_published_usage(mix, k, &pub) != CORE_OK || pub.month < m->month ||
                pub.month >= next)
                continue;
            fprintf(f, "<circle class=\"published\" cx=\"%ld\" cy=\"%ld\" r=\"5\"><title>%.7s published ",
                    x + slot / 2, ch_y(pub.ppm, max), day);
            pct(f, pub.ppm);
            fputs(" % — source: ", f);
            report_html_text(f, pub.source);
            fputs("</title></circle>", f);
        }
    }
    fputs("</svg>\n", f);
}

/* Gap, grace and degraded days summed by month, stacked. */
static void days_chart(FILE *f, const struct world_population *p)
{
    size_t nm = p->nmonths;
    if (nm == 0)
        return;
    long long(*sum)[3] = calloc(nm, sizeof *sum);
    if (sum == NULL)
        return;
    size_t m = 0;
    for (size_t d = 0; d < p->ndays; d++) {
        core_day day = p->from + (core_day)d;
        while (m + 1 < nm && day >= p->months[m + 1].month)
            m++;
        if (day < p->months[0].month || day >= p->months_end)
            continue;
        sum[m][0] += p->gap_by_day[d];
        sum[m][1] += p->grace_by_day[d];
        sum[m][2] += p->degraded_by_day[d];
    }
    long long max = 1;
    for (size_t i = 0; i < nm; i++)
        if (sum[i][0] + sum[i][1] + sum[i][2] > max)
            max = sum[i][0] + sum[i][1] + sum[i][2];
    max = nice_max(max);
    chart_begin(f, "days", "Gap, grace and degraded days by month (resident-days)", max, false);
    static const char *const cls[3] = {"gap", "grace", "degraded"};
    long slot = CH_PLOT / (long)nm, bw = slot * 3 / 5;
    for (size_t i = 0; i < nm; i++) {
        long x = CH_LEFT + (long)i * slot + (slot - bw) / 2;
        long long base = 0;
        char day[11];
        report_day(p->months[i].month, day);
        for (int k = 0; k < 3; k++) {
            if (sum[i][k] == 0)
                continue;
            long y0 = ch_y(base, max), y1 = ch_y(base + sum[i][k], max);
            fprintf(
                f,
                "<rect class=\"bar %s\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\"><title>%.7s: %lld "
                "%s days</title></rect>",
                cls[k], x, y1, bw, y0 - y1 > 0 ? y0 - y1 : 1, day, sum[i][k], cls[k]);
            base += sum[i][k];
        }
        month_label(f, p->months[i].month, CH_LEFT + (long)i * slot);
    }
    fputs("</svg>\n", f);
    free(sum);
}

/* Who lost days, by the rule that explains them: one bar a rule, stacked gap / grace / degraded. */
static void rules_chart(FILE *f, const struct world_population *p)
{
    const struct world_pop_rule *rules[WORLD_POP_RULES_MAX];
    size_t n = report_pop_rules(p, false, rules);
    fputs("<h3>Days lost by rule</h3>\n", f);
    if (n == 0) {
        fprintf(f,
                "<svg class=\"chart rules\" width=\"%d\" height=\"24\" viewBox=\"0 0 %d 24\"><text x=\"4\" "
                "y=\"16\">No rule cost anyone a day.</text></svg>\n",
                CH_WIDTH, CH_WIDTH);
        return;
    }
    long long max = 1;
    for (size_t i = 0; i < n; i++)
        if (rules[i]->gap + rules[i]->grace + rules[i]->degraded > max)
            max = rules[i]->gap + rules[i]->grace + rules[i]->degraded;
    max = nice_max(max);
    long h = 20 * (long)n + 10;
    fprintf(f, "<svg class=\"chart rules\" width=\"%d\" height=\"%ld\" viewBox=\"0 0 %d %ld\">", CH_WIDTH, h,
            CH_WIDTH, h);
    for (size_t i = 0; i < n; i++) {
        const struct world_pop_rule *r = rules[i];
        long y = 4 + 20 * (long)i, x = 120;
        fputs("<text x=\"4\" y=\"", f);
        fprintf(f, "%ld\">", y + 12);
        report_html_text(f, r->rule);
        fputs("</text>", f);
        const long long v[3] = {r->gap, r->grace, r->degraded};
        static const char *const cls[3] = {"gap", "grace", "degraded"};
        for (int k = 0; k < 3; k++) {
            if (v[k] == 0)
                continue;
            long w = (long)(v[k] * 760 / max);
            fprintf(f, "<rect class=\"bar %s\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"14\"><title>",
                    cls[k], x, y, w > 0 ? w : 1);
            report_html_text(f, r->rule);
            fprintf(f, ": %lld %s days</title></rect>", v[k], cls[k]);
            x += w > 0 ? w : 1;
        }
        fprintf(f, "<text x=\"%ld\" y=\"%ld\">%lld days, %lld claim errors</text>", x + 6, y + 12,
                r->gap + r->grace + r->degraded, r->claims);
    }
    fputs("</svg>\n", f);
}

static void cards_chart(FILE *f, const struct world_population *p)
{
    long long n = p->residents > 0 ? p->residents : 1;
    const long long v[4] = {p->cards_start, p->cards_end, p->registered_start, p->registered_end};
    static const char *const label[4] = {"cards held, start", "cards held, end", "registered, start",
                                         "registered, end"};
    fputs("<h3>Cards held and registered for insurance use (share of residents)</h3>\n", f);
    fprintf(f, "<svg class=\"chart cards\" width=\"%d\" height=\"94\" viewBox=\"0 0 %d 94\">", CH_WIDTH,
            CH_WIDTH);
    for (int i = 0; i < 4; i++) {
        long ppm = (long)(v[i] * 1000000 / n), y = 4 + 22 * i, w = (long)(v[i] * 760 / n);
        fprintf(f,
                "<text x=\"4\" y=\"%ld\">%s</text><rect class=\"bar %s\" x=\"120\" y=\"%ld\" width=\"%ld\" "
                "height=\"16\"><title>%s: %lld of %lld residents</title></rect><text x=\"%ld\" y=\"%ld\">",
                y + 12, label[i], i < 2 ? "held" : "registered", y, w > 0 ? w : 1, label[i], v[i],
                p->residents, 126 + w, y + 12);
        pct(f, ppm);
        fputs(" %</text>", f);
    }
    fputs("</svg>\n", f);
}

/*
 * The residents of a population with a gap day or a claim error, at most POP_TIMELINES_MAX, in household
 * order. The run kept only aggregates, so the population is generated again from the same (size, mix, seed)
 * — deterministic by construction (docs/POPULATIONS.md) — on one thread with a detail callback; its aggregates
 * must equal the run's, else the report refuses rather than draw residents of another population.
 */
static CORE_MUST_USE int population_timelines(FILE *f, const struct scenario *scn,
                                              const struct world_population *p, const struct world_mix *mix,
                                              size_t run, struct core_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (mem == NULL)
        return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory drawing a population");
    struct pop_timelines t = {.scn = scn, .out = mem, .run = run};
    struct world_population *again = NULL;
    int rc = world_population_run_detail(scn, mix, 1, pop_household, &t, &again, err);
    bool bad = fclose(mem) != 0;
    if (rc == CORE_OK && bad)
        rc = core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory drawing a population");
    if (rc == CORE_OK &&
        (again->residents != p->residents || again->gap != p->gap || again->grace != p->grace ||
         again->degraded != p->degraded || again->claims != p->claims))
        rc = core_error_set(err, CORE_EINVAL, scn->file, 0, 0,
                            "report: the population generated again for its timelines differs from the run's "
                            "(%lld residents, %lld gap days against %lld, %lld)",
                            again->residents, again->gap, p->residents, p->gap);
    world_population_free(again);
    if (rc == CORE_OK) {
        fprintf(
            f,
            "<h3 class=\"pop-timelines\">Residents with a gap day or a claim error: %lld (%s%lld drawn, in "
            "household order)</h3>\n",
            t.found, t.found > t.drawn ? "the first " : "", t.drawn);
        fwrite(buf, 1, len, f);
    }
    free(buf);
    return rc;
}

static CORE_MUST_USE int population_charts(FILE *f, const struct scenario *scn,
                                           const struct world_population *p, size_t run,
                                           struct core_error *err)
{
    struct world_mix *mix = NULL;
    int rc =
        world_mix_load(scn->population.mix != NULL ? scn->population.mix : "national", scn->dir, &mix, err);
    if (rc != CORE_OK)
        return rc;
    fprintf(
        f,
        "<div class=\"population\"><h3>Population: %lld residents in %lld households, %lld visits; gap days "
        "%lld, grace days %lld, degraded days %lld, claim errors %lld</h3>\n",
        p->residents, p->households, p->visits, p->gap, p->grace, p->degraded, p->claims);
    usage_chart(f, scn, p, mix);
    days_chart(f, p);
    rules_chart(f, p);
    cards_chart(f, p);
    rc = population_timelines(f, scn, p, mix, run, err);
    if (rc != CORE_OK) {
        world_mix_free(mix);
        return rc;
    }
    if (world_mix_published_count(mix) > 0) {
        fputs("<p>Published figures: mix <code>", f);
        report_html_text(f, world_mix_name(mix));
        fputs("</code>'s <code>published:</code> block, each dot's tooltip naming its source.</p>\n", f);
    }
    fputs("</div>\n", f);
    world_mix_free(mix);
    return CORE_OK;
}

/* ---- the report ---------------------------------------------------------------------------------------- */

struct html_state {
    FILE *fail, *invalid, *body; /* memory streams, joined on close */
    char *fail_buf, *invalid_buf, *body_buf;
    size_t fail_len, invalid_len, body_len;
    size_t failures;
};

static CORE_MUST_USE int html_open(struct report *rep, struct core_error *err)
{
    struct html_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory");
    s->fail = open_memstream(&s->fail_buf, &s->fail_len);
    s->invalid = open_memstream(&s->invalid_buf, &s->invalid_len);
    s->body = open_memstream(&s->body_buf, &s->body_len);
    if (s->fail == NULL || s->invalid == NULL || s->body == NULL) {
        if (s->fail != NULL)
            fclose(s->fail);
        if (s->invalid != NULL)
            fclose(s->invalid);
        if (s->body != NULL)
            fclose(s->body);
        free(s->fail_buf);
        free(s->invalid_buf);
        free(s->body_buf);
        free(s);
        return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory");
    }
    rep->state = s;
    return CORE_OK;
}

static void position(FILE *f, const char *file, int line, int column)
{
    fputs("<code class=\"pos\">", f);
    report_html_text(f, file);
    fprintf(f, ":%d:%d</code>", line, column);
}

static void result_item(FILE *f, const struct scenario *scn, size_t run, const struct replay_result *r,
                        bool link)
{
    char title[200];
    report_result_title(scn, r, title, sizeof title);
    fprintf(f, "<li class=\"%s\">", r->passed ? "result pass" : "result fail failure");
    if (link) {
        if (r->resident >= 0 && (size_t)r->resident < scn->resident_count)
            fprintf(f, "<a href=\"#s%zu-r%d\">", run, r->resident);
        else
            fprintf(f, "<a href=\"#s%zu\">", run);
        report_html_text(f, title);
        fputs("</a> ", f);
    } else {
        report_html_text(f, title);
        fputc(' ', f);
    }
    position(f, scn->file, r->pos.line, r->pos.column);
    fputs(": ", f);
    report_html_text(f, r->message);
    fputs("</li>\n", f);
}

static CORE_MUST_USE int html_add(struct report *rep, const struct scenario *scn,
                                  const struct replay_run_result *run, struct core_error *err)
{
    struct html_state *s = rep->state;
    FILE *f = s->body;
    size_t id = rep->runs;
    struct report_summary sum;
    report_summarize(scn, run, &sum);
    for (size_t i = 0; i < run->count; i++)
        if (!run->results[i].passed) {
            result_item(s->fail, scn, id, &run->results[i], true);
            s->failures++;
        }
    fprintf(f, "<section class=\"scenario %s\" id=\"s%zu\">\n<h2><span class=\"%s\">%s</span> ",
            sum.failed == 0 ? "passed" : "failed", id, sum.failed == 0 ? "pass" : "fail",
            sum.failed == 0 ? "PASS" : "FAIL");
    report_html_text(f, scn->name);
    fputs("</h2>\n<p><code>", f);
    report_html_text(f, scn->file);
    fputs("</code>: policy ", f);
    report_html_text(f, scn->policy_ref);
    char a[11], b[11];
    report_day(scn->period.from, a);
    report_day(scn->period.to, b);
    fprintf(
        f,
        ", period %s..%s, %zu resident%s, expectations %zu passed %zu failed, gap days %ld, grace days %ld, "
        "degraded days %ld, claim errors %ld</p>\n",
        a, b, sum.residents, sum.residents == 1 ? "" : "s", sum.passed, sum.failed, sum.gap_days,
        sum.grace_days, sum.degraded_days, sum.claim_errors);
    if (run->count > 0) {
        fputs("<details><summary>expectations</summary><ul class=\"results\">\n", f);
        for (size_t i = 0; i < run->count; i++)
            result_item(f, scn, id, &run->results[i], true);
        fputs("</ul></details>\n", f);
    }
    if (run->population != NULL) {
        int rc = population_charts(f, scn, run->population, id, err);
        if (rc != CORE_OK)
            return rc;
    }
    if (run->world != NULL)
        for (size_t k = 0; k < scn->resident_count; k++) {
            struct tl_view v;
            char anchor[64];
            if (view_of(&v, scn, run->world, (int)k, NULL, 0) != CORE_OK)
                return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory drawing a timeline");
            snprintf(anchor, sizeof anchor, "s%zu-r%zu", id, k);
            timeline(f, anchor, scn, &v);
            view_free(&v);
        }
    fputs("</section>\n", f);
    return CORE_OK;
}

static CORE_MUST_USE int html_invalid(struct report *rep, const char *file, const struct core_error *problems,
                                      size_t count, size_t omitted, struct core_error *err)
{
    (void)err;
    struct html_state *s = rep->state;
    FILE *f = s->invalid;
    size_t n = count + omitted;
    fprintf(f, "<li class=\"invalid\" id=\"s%zu\"><code>", rep->runs);
    report_html_text(f, file);
    fprintf(f, "</code>: %zu problem%s<ul>\n", n, n == 1 ? "" : "s");
    for (size_t i = 0; i < count; i++) {
        fputs("<li>", f);
        position(f, problems[i].file[0] != '\0' ? problems[i].file : file, problems[i].line,
                 problems[i].column);
        fputs(": ", f);
        report_html_text(f, problems[i].message);
        fputs("</li>\n", f);
    }
    if (omitted > 0)
        fprintf(f, "<li>%zu more problems not shown</li>\n", omitted);
    fputs("</ul></li>\n", f);
    return CORE_OK;
}

static void state_free(struct html_state *s)
{
    free(s->fail_buf);
    free(s->invalid_buf);
    free(s->body_buf);
    free(s);
}

static CORE_MUST_USE int html_close(struct report *rep, struct core_error *err)
{
    struct html_state *s = rep->state;
    bool bad = fclose(s->fail) != 0;
    bad |= fclose(s->invalid) != 0;
    bad |= fclose(s->body) != 0;
    if (bad) {
        state_free(s);
        return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory building the HTML report");
    }
    FILE *f = rep->out;
    report_html_begin(f, "mynasim report");
    fprintf(f, "<p class=\"summary\">scenarios: %zu passed, %zu failed", rep->passed, rep->failed);
    if (rep->invalid > 0)
        fprintf(f, ", %zu invalid", rep->invalid);
    fputs("</p>\n", f);
    fprintf(f, "<section id=\"failures\"><h2>Failed expectations (%zu)</h2>\n", s->failures);
    if (s->failures > 0) {
        fputs("<ol class=\"failures\">\n", f);
        fwrite(s->fail_buf, 1, s->fail_len, f);
        fputs("</ol>\n", f);
    } else
        fputs("<p>None.</p>\n", f);
    fputs("</section>\n", f);
    if (rep->invalid > 0) {
        fprintf(
            f, "<section id=\"invalid\"><h2>Files that could not be run (%zu)</h2>\n<ul class=\"invalid\">\n",
            rep->invalid);
        fwrite(s->invalid_buf, 1, s->invalid_len, f);
        fputs("</ul></section>\n", f);
    }
    report_html_legend(f);
    fwrite(s->body_buf, 1, s->body_len, f);
    report_html_end(f);
    state_free(s);
    return CORE_OK;
}

const struct report_ops report_html_ops = {html_open, html_add, html_close, html_invalid};
