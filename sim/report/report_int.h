/*
 * report_int.h: what the three formats share inside sim/report. Not a public header.
 */
#ifndef MYNASIM_REPORT_INT_H
#define MYNASIM_REPORT_INT_H

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
void report_summarize(const struct scenario *scn, const struct scenario_run_result *run,
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
/* "visit:12" — the name of a result in JUnit and JSON: its form and its line. */
void report_result_name(const struct scenario_result *r, char *out, size_t cap);

/* Each format: one per-run state (text writes at once; json and junit keep a tree until close). */
struct report_ops {
    int (*open)(struct report *rep, struct core_error *err);
    int (*add)(struct report *rep, const struct scenario *scn, const struct scenario_run_result *run,
               struct core_error *err);
    int (*close)(struct report *rep, struct core_error *err);
};

struct report {
    enum report_format format;
    FILE *out;
    const struct report_ops *ops;
    void *state; /* the format's own */
    size_t runs;
};

extern const struct report_ops report_text_ops;
extern const struct report_ops report_json_ops;
extern const struct report_ops report_junit_ops;

#endif
