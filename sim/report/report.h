/*
 * report: renders scenario runs for people (text), for tools (JSON, with jansson) and for CI (JUnit XML, with
 * libxml2's xmlTextWriter). A run is the validated scenario, the replayed world and the results of checking
 * its expectations (sim/replay, replay_run).
 *
 * A report covers one or more runs, added in the order the command replays the files (sorted paths): open,
 * add each run (or each file that could not be run), close. The text report ends with its closing summary,
 * "scenarios: P passed, F failed" (", I invalid" when a file could not be run): a scenario passes when every
 * expectation checked and every invariant holds. Text is written as each run is added; JSON and JUnit are written whole on close
 * (JSON: one object {"runs": [...]} with one element per file; JUnit: <testsuites> with one <testsuite>
 * per file). The same runs always give byte-identical output: no timestamps, no pointers, no host names,
 * JSON keys sorted.
 *
 * report only reads the world through world.h's queries and never changes it. It prints: that is its job.
 * It never exits.
 */
#ifndef MYNASIM_REPORT_H
#define MYNASIM_REPORT_H

#include <stdio.h>

#include "core/core.h"
#include "replay/replay.h"
#include "scenario/scenario.h"

enum report_format {
    REPORT_TEXT,
    REPORT_JSON,
    REPORT_JUNIT,
    REPORT_HTML,
};

/* "text", "json", "junit", "html" → the format; CORE_EINVAL for any other word. */
CORE_MUST_USE int report_format_parse(const char *word, enum report_format *out);
const char *report_format_word(enum report_format f);

struct report;

/* What a report may be asked besides its format. */
struct report_options {
    /* `mynasim run --timings`: JUnit's time attributes carry each file's replay time (report_add_timed).
     * false: every time is "0", so the same runs give the same bytes. Text and JSON never show times. */
    bool timings;
};

/* A report written to `out` (which the caller owns and closes). */
CORE_MUST_USE int report_open(enum report_format format, FILE *out, struct report **rep,
                              struct core_error *err);
/* The same with options (NULL: none). */
CORE_MUST_USE int report_open_with(enum report_format format, FILE *out, const struct report_options *opt,
                                   struct report **rep, struct core_error *err);
/* Adds one run. The scenario and the run result are read now; they may be freed after the call. */
CORE_MUST_USE int report_add(struct report *rep, const struct scenario *scn,
                             const struct replay_run_result *run, struct core_error *err);
/* The same with the replay's wall time in seconds (written only with report_options.timings). */
CORE_MUST_USE int report_add_timed(struct report *rep, const struct scenario *scn,
                                   const struct replay_run_result *run, double seconds,
                                   struct core_error *err);
/*
 * Adds a file that could not be run: not valid (every problem the reader found, `omitted` more not kept) or
 * not replayable (one problem saying why). The other files of the run are reported as usual; the file is an
 * error in every format: text "INVALID FILE: N problems" and each problem as file:line:column: what, JSON a
 * run {"file", "invalid": true, "passed": false, "problems": [{line, column, message}]}, JUnit a testsuite
 * with errors="1" and one testcase holding an <error>.
 */
CORE_MUST_USE int report_add_invalid(struct report *rep, const char *file, const struct core_error *problems,
                                     size_t count, size_t omitted, struct core_error *err);
/* Writes what remains and frees the report (also on error). CORE_EIO when `out` could not be written. */
CORE_MUST_USE int report_close(struct report *rep, struct core_error *err);

/*
 * Per-resident detail of populations (`mynasim run --detail`): JSON Lines, one compact object per generated
 * resident with sorted keys, written as each household finishes (replay_run_options.population_detail with
 * a struct report_detail as its context), never held:
 *   {born, claim_errors, degraded_days, events [...], file, first_gap, gap_days, grace_days, household, id,
 *    insurer, ranges [...], visits [...]}
 * ranges, events and visits have the shapes of the JSON report's residents; visits are the population's
 * (with routes and outcomes). Ids are "h<household>-<n>": the same size, mix and seed give the same lines.
 */
struct world_pop_household;
struct report_detail {
    FILE *out;
    const char *file; /* the scenario file, in every line */
};
CORE_MUST_USE int report_detail_household(void *ctx, const struct world_pop_household *hh,
                                          struct core_error *err);

/* The word of an INV-1 verdict (enum world_verdict): "usable", "grace", "gap", "not_insured",
 * "before_checks". */
const char *report_verdict_word(int verdict);

/*
 * Comparisons (`mynasim compare`): one scenario file read under two policies and set side by side
 * (replay.h, comparing). Text, JSON or HTML (CORE_EINVAL for junit: a comparison has no pass or fail). The
 * text and the HTML are written as each file is added; the JSON is one object written on close:
 *   {"format": 1, "policies": {"a": NAME, "b": NAME}, "files": [FILE, ...], "totals": TOTALS}
 * with keys sorted and a two-space indent, so the same input gives the same bytes.
 */
struct report_compare;

CORE_MUST_USE int report_compare_open(enum report_format format, FILE *out, const char *policy_a,
                                      const char *policy_b, struct report_compare **rep,
                                      struct core_error *err);
/* Adds one file's comparison (`scn` is the file as read under the first policy). */
CORE_MUST_USE int report_compare_add(struct report_compare *rep, const struct scenario *scn,
                                     const struct replay_comparison *cmp, struct core_error *err);
/* The same with the file as read under the second policy too (`scn_b`, NULL: none): the HTML report then also
 * draws each differing resident's whole timeline under each policy, replaying both worlds again (a comparison
 * keeps only its differences). Text and JSON are exactly report_compare_add's. */
CORE_MUST_USE int report_compare_add_sides(struct report_compare *rep, const struct scenario *scn,
                                           const struct scenario *scn_b, const struct replay_comparison *cmp,
                                           struct core_error *err);
/* Writes the totals (and, for JSON, everything) and frees the report (also on error). */
CORE_MUST_USE int report_compare_close(struct report_compare *rep, struct core_error *err);

#endif
