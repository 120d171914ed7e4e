/*
 * conform: conformance suites that put a vendor's system — the system under test (SUT) — in the place of one
 * party of the transition and judge it against the world's ground truth (docs/CONFORMANCE.md).
 *
 * Two suites: the reception suite in folder mode (`mynasim conform reception`, below) and the insurer-systems
 * suite (`mynasim conform issuance`): for each day of a scenario's period the
 * SUT is given, as one line of JSON on its standard input, what an insurer's system knows that morning (the
 * members, their documents and cards, the policy's parameters in force) and that day's events; it answers with
 * the certificates (資格確認書) and notices (資格情報のお知らせ) it mails that day, one JSON line each, then an
 * end-of-day line. Those are compared with the mailings the engine (sim/world) sent that day, and every
 * difference names the rule behind it. The SUT is one long-lived process started with /bin/sh -c, in a process
 * group of its own; every wait on it has a deadline, and it is always killed (by that group) and reaped.
 *
 * conform knows the world only through its public, read-only readers (world.h); it never changes a world and
 * never decides an insurer's mailing or a desk's decision itself: the engine is the oracle. The reception suite
 * reaches its SUT only through files and a terminal (terminal.h) over the world's registry.
 */
#ifndef MYNASIM_CONFORM_H
#define MYNASIM_CONFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/core.h"
#include "scenario/scenario.h"
#include "world/world.h"

/* Exit codes of `mynasim conform` (docs/CONFORMANCE.md). */
enum {
    CONFORM_EXIT_MATCH = 0,  /* every day of every case matched */
    CONFORM_EXIT_DIFFER = 1, /* some mailing differed */
    CONFORM_EXIT_USAGE = 2,  /* bad usage or an invalid scenario */
    CONFORM_EXIT_SUT = 3,    /* the SUT failed: would not start, hung, crashed, wrote garbage, exited early */
};

struct conform_issuance_options {
    const char *sut; /* the command, run with /bin/sh -c */
    core_day from,
        to; /* days judged; CORE_DAY_NONE: the period's first / last day. The SUT is given every day
                         * from the period's first (those before `from` marked not judged) to `to`. */
    int day_timeout_ms; /* the deadline for a day's answer (and for the SUT's exit after the last day) */
};

/* One difference between the engine's mailings and the SUT's on a day. */
struct conform_difference {
    core_day day;
    char who[SCENARIO_ID_MAX];
    char what[12];      /* "missing" (the engine mailed it, the SUT did not), "unexpected", "differs" */
    char expected[128]; /* the engine's mailing, "" for unexpected */
    char got[128];      /* the SUT's mailing, "" for missing */
    char rule[16];      /* the rule behind it (CERT-*, NOTICE-*, AGE-75, AMEND-2, D-5, INV-3) */
    char why[192];      /* in the user's terms */
};

/* One case: one scenario file against the SUT. */
struct conform_case {
    char name[128];  /* the scenario's name */
    char file[512];  /* its path */
    char policy[64]; /* the policy it was replayed under */
    core_day from, to;
    long days;            /* days given to the SUT and judged */
    long engine_mailings; /* the engine's mailings on those days */
    long sut_mailings;    /* the SUT's */
    long days_differing;
    struct conform_difference *diffs;
    size_t ndiff;
    bool sut_failed;
    core_day failure_day; /* CORE_DAY_NONE: at start or after the last day */
    char failure[256];
    double seconds; /* wall time of the case (reports leave it out; ci/bench-conform prints it) */
};

/* Replays `scn` through the world and runs the SUT over the chosen days. A SUT failure is a result
 * (out->sut_failed), not an error; an error (CORE_EINVAL on a range outside the period, a world that cannot be
 * replayed, out of memory) leaves nothing to free. */
CORE_MUST_USE int conform_issuance_run(const struct scenario *scn, const struct conform_issuance_options *o,
                                       struct conform_case *out, struct core_error *err);
void conform_case_free(struct conform_case *c);

/* The day JSON the SUT is given for `day` (one line, no newline; the caller frees it), `judged` false for a day
 * before --from (given so that the SUT has the history, not compared): for tests and for `mynasim conform
 * issuance --dump-days`. NULL on an error. */
char *conform_issuance_day_json(const struct scenario *scn, const struct world *w, core_day day, bool judged);

/* One line of a SUT's answer (docs/CONFORMANCE.md, "The SUT's answer"): a mailing, or the end of the day. */
struct conform_mailing {
    bool end_of_day;
    char who[SCENARIO_ID_MAX];
    char document[12]; /* "certificate" or "notice" */
    char insurer[SCENARIO_ID_MAX];
    core_day from, to; /* to: CORE_DAY_NONE for a notice */
    char type;         /* a notice's 'A' / 'B'; 0 for a certificate */
    char rule[16];     /* the rule the SUT names (informative; "" when none) */
};
/* Reads one line the SUT wrote on `day`: CORE_OK, or CORE_EINVAL with `why` saying what is wrong (not JSON, not
 * an object, a resident the scenario does not have, a field missing or of the wrong kind, another day's end). */
CORE_MUST_USE int conform_issuance_parse_line(const struct scenario *scn, core_day day, const char *line,
                                              struct conform_mailing *out, char *why, size_t cap);

enum conform_format { CONFORM_TEXT, CONFORM_JSON, CONFORM_JUNIT };
/* Writes the report of `n` cases. Returns CORE_OK or CORE_EIO. */
CORE_MUST_USE int conform_report(FILE *f, enum conform_format format, const struct conform_case *cases,
                                 size_t n);
/* The exit code the cases come to (CONFORM_EXIT_*). */
int conform_exit_code(const struct conform_case *cases, size_t n);

/* ==== the reception suite (reception.c; docs/CONFORMANCE.md, "Reception systems"; the contract
 * docs/RECEPTION-INTERFACE.md) =================================================================================
 *
 * Folder mode: a reception system (the SUT) watches the terminal's exchange folders DIR and writes its decision
 * for each visit as DIR2/<visit>.json. For each case — one `visit` expectation of a scenario file — mynasim
 * replays the scenario (the world is the oracle), puts its registry behind a terminal answering DIR/req in
 * DIR/res at the visit's day, and brings the patient: for the card, the face reader's result file in DIR/face
 * (the visit id in its name), then the visit file DIR/paper/<visit>.json (the documents handed over, printed
 * numbers and expiry). It waits for the decision against a deadline, checks it against the decision schema and
 * judges it against the world's decision for that visit; every request the SUT sent is judged too (taken from
 * DIR/req before the terminal answers it). */

/* What a case comes to. */
enum conform_verdict {
    CONFORM_PASS,
    CONFORM_FAIL,    /* a wrong decision or a wrong request */
    CONFORM_SUT_ERR, /* no decision in time, garbage, the SUT exited */
};

/* One visit judged. Strings are UTF-8 (a SUT's bytes cleaned by the report). */
struct conform_visit {
    char visit[16];  /* the id given to the SUT: "v0001", ... in the order of the run */
    char name[128];  /* the scenario's name */
    char file[512];  /* its path */
    int line;        /* the expectation's line */
    char policy[64]; /* the policy it was replayed under */
    char who[SCENARIO_ID_MAX];
    core_day day;
    char presents[12];  /* "card" or "documents" */
    char expected[200]; /* the world's decision, as the decision JSON's fields */
    char got[200];      /* the SUT's, "" when none */
    enum conform_verdict verdict;
    char rule[16];     /* the rule (or the suite's check, RCP-*) a failure names */
    char why[320];     /* in the user's terms */
    unsigned requests; /* requests the SUT sent during the case */
    double seconds;    /* wall time (reports leave it out) */
};

struct conform_reception_options {
    const char *folders;   /* DIR: DIR/req, DIR/res, DIR/face and DIR/paper must exist */
    const char *decisions; /* DIR2: where the SUT writes DIR2/<visit>.json */
    const char *sut;       /* a command started once with /bin/sh -c, or NULL: a SUT already watching */
    const char *policy;    /* MYNASIM_POLICY in the SUT's environment */
    int timeout_ms;        /* the deadline for each decision */
};

struct conform_reception;
/* Checks the folders and starts the SUT (when given). CORE_EINVAL (err filled) on a missing folder. */
CORE_MUST_USE int conform_reception_open(const struct conform_reception_options *o,
                                         struct conform_reception **out, struct core_error *err);
/* Kills the SUT's process group (when started), reaps it, removes the private folder. */
void conform_reception_close(struct conform_reception *s);

/* Runs the `visit` expectations of `scn` on lines[0..n) (every one of them when n is 0; *count gets how many
 * were run) against the SUT: out has room for `cap` cases. A SUT failure is a verdict, not an error; an error
 * is a world that cannot be replayed, a line that is not a visit expectation (CORE_EINVAL) or a folder mynasim
 * cannot write (CORE_EIO). */
CORE_MUST_USE int conform_reception_scenario(struct conform_reception *s, const struct scenario *scn,
                                             const int *lines, size_t n, struct conform_visit *out,
                                             size_t cap, size_t *count, struct core_error *err);

/* Reads a decision (docs/schemas/reception-decision.schema.json) for `visit`: CORE_OK, or CORE_EINVAL with
 * `why` naming the field that is wrong. For the fuzz target and the suite. */
struct conform_decision {
    char outcome[24];
    char route[16]; /* "" for none */
    char insurer_number[9];
    char symbol[40];
    char number[40];
    char branch[3];
    int copay_percent; /* 0 when absent */
};
CORE_MUST_USE int conform_decision_parse(const char *text, size_t len, const char *visit,
                                         struct conform_decision *out, char *why, size_t cap);

/* The report of a reception run (text, JSON or JUnit), and its exit code (CONFORM_EXIT_*). */
CORE_MUST_USE int conform_reception_report(FILE *f, enum conform_format format, const struct conform_visit *v,
                                           size_t n);
int conform_reception_exit_code(const struct conform_visit *v, size_t n);

#endif
