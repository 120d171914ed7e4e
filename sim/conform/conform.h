/*
 * conform: conformance suites that put a vendor's system — the system under test (SUT) — in the place of one
 * party of the transition and judge it against the world's ground truth (docs/CONFORMANCE.md).
 *
 * This slice is the insurer-systems suite (`mynasim conform issuance`): for each day of a scenario's period the
 * SUT is given, as one line of JSON on its standard input, what an insurer's system knows that morning (the
 * members, their documents and cards, the policy's parameters in force) and that day's events; it answers with
 * the certificates (資格確認書) and notices (資格情報のお知らせ) it mails that day, one JSON line each, then an
 * end-of-day line. Those are compared with the mailings the engine (sim/world) sent that day, and every
 * difference names the rule behind it. The SUT is one long-lived process started with /bin/sh -c, in a process
 * group of its own; every wait on it has a deadline, and it is always killed (by that group) and reaped.
 *
 * conform knows the world only through its public, read-only readers (world.h); it never changes a world and
 * never decides an insurer's mailing itself: the engine is the oracle.
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

#endif
