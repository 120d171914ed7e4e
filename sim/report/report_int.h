/*
 * report_int.h: what the three formats share inside sim/report. Not a public header.
 */
#ifndef MYNASIM_REPORT_INT_H
#define MYNASIM_REPORT_INT_H

#include <jansson.h>

#include "report/report.h"
#include "world/world.h"

/* The totals of one run, for summaries. */
struct report_summary {
    size_t residents;    /* named residents plus a population's */
    size_t expectations; /* results, invariants included */
    size_t passed;
    size_t failed;
    long gap_days;
    long grace_days;
    long degraded_days;
    long claim_errors;
};
void report_summarize(const struct scenario *scn, const struct replay_run_result *run,
                      struct report_summary *out);

/* A population's rules sorted by name (JSON) or by days and claim errors, most first (text); `out` holds
 * WORLD_POP_RULES_MAX pointers. Returns how many. */
size_t report_pop_rules(const struct world_population *p, bool by_name, const struct world_pop_rule **out);
/* A month's usage rate in millionths (card-route checks / online checks), -1 when no online check. */
long report_pop_usage_ppm(const struct world_pop_month *m);
/* The `usage_rate` expectation of the file for the month of `month` (who: all), or NULL. */
const struct scenario_expect *report_usage_expect(const struct scenario *scn, core_day month);

/* The id of a resident index, "all" or "-". */
const char *report_who(const struct scenario *scn, int resident);
const char *report_clinic(const struct scenario *scn, int clinic);
/* "2025-09-11", or "" for CORE_DAY_NONE. */
void report_day(core_day d, char out[11]);
/* The expectation's `name:` when it has one, else "visit:12" (its form and its line): the name of a result
 * in JSON. */
void report_result_name(const struct replay_result *r, char *out, size_t cap);
/* Who, what and when: the expectation's `name:` when it has one, else "r1 visit clinic-a 2025-09-11",
 * "r1 holds card,certificate 2025-01-01", "all gap_days", "all usage_rate 2025-09", "r1 no unexpected gap
 * day" (an invariant): the name of a JUnit testcase. */
void report_result_title(const struct scenario *scn, const struct replay_result *r, char *out, size_t cap);

/*
 * Text the reports were given is written as UTF-8 (JSON and XML must be; jansson refuses anything else), yet a
 * file name on Linux is any bytes. Each invalid UTF-8 sequence becomes U+FFFD, one per maximal subpart
 * (Unicode 15, 3.9 "U+FFFD substitution of maximal subparts", as browsers do): a lone continuation byte, a
 * lead byte whose sequence is cut short (also at the end), an overlong form (C0, C1, E0 80..9F, F0 80..8F), an
 * encoded surrogate (ED A0..BF) and anything above U+10FFFF (F4 90.., F5..FF). Valid text is unchanged.
 */
/* Whether `s` (NULL: yes) is valid UTF-8. */
bool report_utf8_valid(const char *s);
/* A copy of `s` (NULL: "") with each invalid sequence replaced (malloc'd, the caller frees); NULL only when
 * out of memory. */
char *report_utf8_dup(const char *s);

/* One build of JSON values: the repaired copies of invalid UTF-8 text (alive until the values are packed)
 * and the first failure. */
struct report_jb {
    char **owned;
    size_t owned_count, owned_cap;
    int code;        /* CORE_OK until something fails */
    char what[300];  /* what could not be built, and why */
    json_error_t je; /* json_pack_ex's */
};

/* The first failure of a build is its cause: `code` and `what` (later ones only see its NULL). */
void report_jb_fail(struct report_jb *b, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Frees the repaired copies (after the values holding them are packed: jansson copies strings). */
void report_jb_free(struct report_jb *b);
/* `s` as jansson takes it: `s` itself when valid UTF-8 (or NULL), else a repaired copy the build owns; NULL
 * (and the build failed) when out of memory. */
const char *report_u8(struct report_jb *b, const char *s);
/* `v` (what built `what`), recording the failure when NULL: json_pack_ex's reason, or out of memory. */
json_t *report_jb_packed(struct report_jb *b, const char *what, json_t *v);
#define REPORT_PACK(b, what, ...) report_jb_packed((b), (what), json_pack_ex(&(b)->je, 0, __VA_ARGS__))
json_t *report_jb_new(struct report_jb *b, const char *what, json_t *v);
/* A JSON string of `s` repaired. */
json_t *report_jb_string(struct report_jb *b, const char *what, const char *s);
/* Appends `v` (stolen, NULL: a failure) to `a`. */
void report_jb_append(struct report_jb *b, const char *what, json_t *a, json_t *v);
/* Sets `key` of `o` to `v` (stolen, NULL: a failure); -1 on failure. */
CORE_MUST_USE int report_jb_set(struct report_jb *b, const char *what, json_t *o, const char *key, json_t *v);
/* Sets err to "report: WHAT of FILE could not be built: CAUSE" with the build's code and frees the build. */
int report_jb_error(struct report_jb *b, const char *what, const char *file, struct core_error *err);

/* Each format: one per-run state (text writes at once; json and junit keep a tree until close). */
struct report_ops {
    int (*open)(struct report *rep, struct core_error *err);
    int (*add)(struct report *rep, const struct scenario *scn, const struct replay_run_result *run,
               struct core_error *err);
    int (*close)(struct report *rep, struct core_error *err);
    int (*invalid)(struct report *rep, const char *file, const struct core_error *problems, size_t count,
                   size_t omitted, struct core_error *err);
};

struct report {
    enum report_format format;
    FILE *out;
    const struct report_ops *ops;
    void *state;                    /* the format's own */
    size_t runs;                    /* runs and files that could not be run, added so far */
    size_t passed, failed, invalid; /* scenarios, for the closing summary */
    bool timings;                   /* report_options.timings */
    double seconds;                 /* the run being added (report_add_timed) */
};

extern const struct report_ops report_text_ops;
extern const struct report_ops report_json_ops;
extern const struct report_ops report_junit_ops;
extern const struct report_ops report_html_ops;

/* HTML (html.c; compare.c draws with the same parts). `s` as HTML text: invalid UTF-8 repaired, then & < > " '
 * escaped and control characters other than tab, newline and carriage return written as U+FFFD; NULL writes
 * nothing. */
void report_html_text(FILE *f, const char *s);
/* The page's head (title, inline style) and its end. */
void report_html_begin(FILE *f, const char *title);
void report_html_end(FILE *f);
/* The colours of the timelines. */
void report_html_legend(FILE *f);
/* A timeline's parts: a row's label, the month axis at y, and the policy's key dates as lines from y0 to y1
 * (read from `p`: its date parameters and the days its dated switches turn). */
void report_html_row_label(FILE *f, int row, const char *label);
void report_html_month_axis(FILE *f, core_day from, core_day to, long y);
void report_html_keydates(FILE *f, const struct policy *p, core_day from, core_day to, long y0, long y1);
/* A resident's whole timeline (as `mynasim run --report html` draws it) under the element id `anchor`, headed
 * "resident CAPTION" (NULL: the resident's id; the caption is escaped). CORE_ENOMEM when out of memory. */
CORE_MUST_USE int report_html_timeline(FILE *f, const char *anchor, const char *caption,
                                       const struct scenario *scn, const struct world *w, int res);

#endif
