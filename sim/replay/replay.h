/*
 * replay: replaying a validated scenario (sim/scenario) through the world (sim/world) and checking every
 * expectation of the file and the run's invariants against the world's queries (`mynasim run`); and comparing
 * one file replayed under two policies, day range against day range (`mynasim compare`). Readings taken where
 * docs/SCENARIO-FORMAT.md is silent are in docs/SCENARIO-RUNNING-NOTES.md.
 *
 * replay builds and runs worlds and then only asks them questions through world.h's queries: a probe (an
 * expectation's visit or online check) changes nothing, so expectations are checked in file order after the
 * whole run. It produces results (pass or fail, position, rule, a message for people) and comparisons; it
 * never prints them (sim/report does) and never exits.
 *
 * What replay must never know: how the world keeps its history or judges a day (only world.h's queries), how
 * a card, a clinic or the eligibility system works inside, how a file is parsed (the reader gives it a
 * validated `struct scenario`), how results are rendered (sim/report), or the command line (sim/cli).
 */
#ifndef MYNASIM_REPLAY_H
#define MYNASIM_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "scenario/scenario.h"

struct world;
struct world_population;
struct world_pop_household;

/* ==== running (sim/replay/run.c) ======================================================================= */

/* One checked expectation, or an invariant the run broke (a gap day the file does not expect). */
struct replay_result {
    const struct scenario_expect *expect; /* NULL for an invariant */
    struct scenario_pos pos;              /* the expectation's position (an invariant: the resident's) */
    const char *form;                     /* the form's word ("holds", "visit", ...) or "invariant" */
    int resident;                         /* index, SCENARIO_WHO_ALL or SCENARIO_NONE */
    core_day date;                        /* the day checked, CORE_DAY_NONE for totals */
    char rule[16];                        /* the expectation's `rule:`, else the rule the world names; "" */
    bool passed;
    char message[640]; /* "expected X, got Y" naming the resident, the day and the rule */
};

struct replay_run_result {
    struct world *world; /* the replayed world, owned: reports read it */
    struct replay_result *results;
    size_t count; /* expectations in file order, then invariants in resident order */
    size_t passed;
    size_t failed;
    size_t deselected;                   /* expectations left out by replay_run_options.rule */
    struct world_population *population; /* a population's aggregates (world.h); NULL without one */
};

/* Builds and runs the world of `scn` and checks every expectation. CORE_OK when the run could be made,
 * whatever the results (out->failed counts the failures); an error code when the world could not be built
 * or run (err says why). Free `out` with replay_run_result_free in either case. */
CORE_MUST_USE int replay_run(const struct scenario *scn, struct replay_run_result *out,
                             struct core_error *err);

/* What a run may be asked besides its results. */
struct replay_run_options {
    /* Per-resident detail of a population (`mynasim run --detail`): called with each finished household, in
     * order (world.h, world_population_run_detail); anything but CORE_OK stops the run. NULL: none. */
    int (*population_detail)(void *ctx, const struct world_pop_household *hh, struct core_error *err);
    void *population_detail_ctx;
    /* `mynasim run --fidelity wire` (the command's default): the named residents' visits and probes take the
     * wire path (world.h, world_set_fidelity). false (this struct's zero, and replay_run): the rules path.
     * Populations always take the rules path. */
    bool wire;
    /* Called with the world after world_new and the fidelity, before world_run: `mynasim run --service` makes
     * its wire path remote there (world.h, world_set_wire_remote; docs/WIRE.md). Anything but CORE_OK stops
     * the run with that code. NULL: none. */
    int (*prepare)(void *ctx, struct world *w, struct core_error *err);
    void *prepare_ctx;
    /* `mynasim run --rule ID`: only the expectations pinning that rule (`rule: ID`) are checked. The
     * invariants are judged whatever it says (a gap day the file does not expect is never filtered away).
     * NULL: every expectation. */
    const char *rule;
};
/* replay_run with options (NULL: none). */
CORE_MUST_USE int replay_run_with(const struct scenario *scn, const struct replay_run_options *opt,
                                  struct replay_run_result *out, struct core_error *err);
void replay_run_result_free(struct replay_run_result *r);

/* ==== comparing (sim/replay/compare.c) ================================================================= */
/*
 * The same scenario replayed under two policies (`mynasim compare`), set side by side: everything the scenario
 * produces. For each resident, the days that are gap days (INV-1) under one policy and not the other, grouped
 * into ranges, each with the rules that make the difference; the visits (`visit` events) whose outcome, route,
 * fee, online check with the card, claim error or deciding rule differ; the mailings (certificates, notices)
 * sent under one policy and not the other. For the file, each expectation checked under both policies, its
 * pass or fail and message under each (a file's expectations are written for its own policy: under the other
 * some fail by design, which is what a reader wants to see). Under `national` against `as-announced-2024`
 * this is who the amendments kept insured, and how. Pure: it reads two replayed worlds (and their checked
 * expectations) through world.h's queries and prints nothing.
 */

/* Side 0 is the first policy (A), side 1 the second (B). */
enum { REPLAY_SIDE_A = 0, REPLAY_SIDE_B = 1, REPLAY_SIDES = 2 };

/* A maximal run of days that are gap days under one side only, with the same verdicts and rules throughout. */
struct replay_diff_range {
    core_day from;
    core_day to;                 /* included */
    int gap_side;                /* REPLAY_SIDE_A or _B: the side on which these are gap days */
    int verdict[REPLAY_SIDES];   /* enum world_verdict under each side */
    char rule[REPLAY_SIDES][16]; /* each side's range rule: the gap's cause, AMEND-1 for grace, or "" */
    char kept_by[16];            /* the rule that keeps the other side insured ("AMEND-1"), or "" */
};

/* What may differ in a visit (replay_diff_visit.differs). */
enum {
    REPLAY_VISIT_OUTCOME = 1u << 0,
    REPLAY_VISIT_ROUTE = 1u << 1,
    REPLAY_VISIT_FEE = 1u << 2,     /* fee_total, copay or whether it was charged */
    REPLAY_VISIT_CHECK = 1u << 3,   /* the online check with the card: its result or warnings */
    REPLAY_VISIT_CLAIM = 1u << 4,   /* DESK-2's claim error */
    REPLAY_VISIT_RULE = 1u << 5,    /* the rule that decided (when nothing above differs) */
    REPLAY_VISIT_MISSING = 1u << 6, /* the visit happened under one side only (cannot be, from one file) */
};

/* One side of a visit. */
struct replay_visit_side {
    bool present;      /* false: no such visit on this side (REPLAY_VISIT_MISSING) */
    int outcome;       /* enum clinic_outcome (clinic_outcome_name) */
    int route;         /* enum clinic_route (clinic_route_name) */
    int card_check;    /* enum eligibility_result (eligibility_result_name); ELIGIBILITY_NO_CARD: no card */
    unsigned warnings; /* ELIGIBILITY_WARN_* */
    bool fee_charged;
    long fee_total, copay;
    bool claim_error;
    char rule[16]; /* the rule that decided */
};

/* A `visit` event that came out differently under the two sides. */
struct replay_diff_visit {
    core_day day;
    int clinic;       /* index, SCENARIO_NONE: the default clinic */
    int line;         /* the scenario line of the visit event */
    unsigned differs; /* REPLAY_VISIT_* bits */
    struct replay_visit_side side[REPLAY_SIDES];
};

/* A mailing (certificate_mailed, notice_mailed) sent under one side and not the other: the same day, what and
 * detail (insurer, validity or notice type) are the same mailing. */
struct replay_diff_mailing {
    int side; /* the side that sent it */
    core_day day;
    char what[24]; /* "certificate_mailed", "notice_mailed" */
    char
        detail[120]; /* the world's detail: "kitamoto-nhi valid 2025-09-19..2026-09-18", "aisho-nhi type B" */
    char rule[16];   /* the rule that sent it */
};

/* One expectation of the file, checked under both sides. */
struct replay_diff_expect {
    size_t index; /* into the scenario's expects */
    struct scenario_pos pos;
    const char *form; /* the form's word */
    int resident;     /* index, SCENARIO_WHO_ALL or SCENARIO_NONE */
    core_day date;    /* CORE_DAY_NONE for totals */
    bool passed[REPLAY_SIDES];
    char rule[REPLAY_SIDES][16];
    char message[REPLAY_SIDES][640]; /* replay_result.message under each side */
};

struct replay_diff_resident {
    int resident;            /* index into the scenario's residents */
    long only[REPLAY_SIDES]; /* gap days under this side and not the other */
    long gap[REPLAY_SIDES];  /* the world's totals under each side */
    long grace[REPLAY_SIDES];
    long degraded[REPLAY_SIDES];
    size_t range_count;
    struct replay_diff_range *ranges; /* in date order */
    size_t visit_count;
    struct replay_diff_visit *visits; /* the visits that differ, in date order */
    size_t mailing_count;
    struct replay_diff_mailing
        *mailings; /* the mailings of one side only, in date order (A's first on a day) */
};

struct replay_comparison {
    size_t resident_count;
    struct replay_diff_resident *residents; /* every resident, in the scenario's order */
    long only[REPLAY_SIDES];                /* sums over residents */
    long gap[REPLAY_SIDES];
    long grace[REPLAY_SIDES];
    long degraded[REPLAY_SIDES];
    size_t residents_only[REPLAY_SIDES]; /* residents with a gap day under this side only */
    size_t residents_differ;             /* residents with a differing range, visit or mailing */
    size_t visits;                       /* `visit` events compared, and those that differ */
    size_t visits_differ;
    size_t mailings[REPLAY_SIDES]; /* mailings sent under each side, and those under this side only */
    size_t mailings_only[REPLAY_SIDES];
    /* Expectations (replay_compare_runs, replay_compare; none from replay_compare_worlds): every one of the
     * file in file order, passed under each side, and those whose pass or fail differs. */
    size_t expect_count;
    struct replay_diff_expect *expects;
    size_t expects_passed[REPLAY_SIDES];
    size_t expects_differ;
};

/* Compares two replayed worlds of the same scenario file (read under two policies: the same residents).
 * CORE_OK, or CORE_ENOMEM / CORE_EINVAL (the worlds do not have the same residents). Free `out` with
 * replay_comparison_free in either case. */
CORE_MUST_USE int replay_compare_worlds(const struct scenario *scn, const struct world *a,
                                        const struct world *b, struct replay_comparison *out,
                                        struct core_error *err);
/* replay_compare_worlds on the two runs' worlds, then their expectations side by side (the runs checked every
 * expectation: no replay_run_options.rule). CORE_EINVAL when the runs do not hold the same expectations. */
CORE_MUST_USE int replay_compare_runs(const struct scenario *scn, const struct replay_run_result *a,
                                      const struct replay_run_result *b, struct replay_comparison *out,
                                      struct core_error *err);
/* Replays `a` and `b` (one file read under two policies) with replay_run, checking every expectation under
 * each, and compares them (replay_compare_runs). An error when a world cannot be built or run (err says which
 * policy) or the files differ in residents. */
CORE_MUST_USE int replay_compare(const struct scenario *a, const struct scenario *b,
                                 struct replay_comparison *out, struct core_error *err);
void replay_comparison_free(struct replay_comparison *c);

/* ==== extracting (sim/replay/extract.c) ================================================================
 * `mynasim run --extract DIR` (docs/POPULATIONS.md, "From a population failure to a scenario"): every resident
 * of a population with a gap day becomes a standalone named-resident scenario file, DIR/<scenario>-<resident>.yaml,
 * holding the resident's household as generated (residents, insurers, clinics, documents, events; My Numbers as
 * the population gave them) under the population's period, policy and outages. Run alone it gives every
 * resident of the household the same days. Pass replay_extract_household as replay_run_options'
 * population_detail with a struct replay_extract as its context. */
struct replay_extract {
    const char *dir;                   /* where the files go (replay_extract_dir makes it) */
    bool force;                        /* replace a file that exists; else it is refused (an error) */
    const struct scenario *population; /* the population's file, named in each file's description */
    const char *policy; /* `mynasim run --policy`: a path there is relative to the current directory; NULL */
    size_t written;     /* files written so far */
    /* Called after each household (the per-resident detail of --detail); NULL: none. */
    int (*next)(void *ctx, const struct world_pop_household *hh, struct core_error *err);
    void *next_ctx;
};
/* Creates `dir` and its missing parents; an error when it cannot be made or is not a directory. */
CORE_MUST_USE int replay_extract_dir(const char *dir, struct core_error *err);
/* The population_detail callback: writes the household's residents with gap days (core_file_write_atomic),
 * then calls ex->next. */
CORE_MUST_USE int replay_extract_household(void *ctx, const struct world_pop_household *hh,
                                           struct core_error *err);

/* ==== shrinking (sim/replay/shrink.c) ==================================================================
 * `mynasim shrink` (docs/POPULATIONS.md, "From a population failure to a scenario"): a failing named-resident
 * scenario reduced by delta debugging (ddmin over the residents, then the events, then the visits, then the
 * expectations that passed) to the fewest that still fail the same way: the same set of (form, resident,
 * date) of the failed results and the same gap days of the residents they name. Every candidate is written
 * (scenario_write), read back and replayed in this process; the order is fixed, so the result is too.
 * CORE_ESTATE when nothing fails ("nothing fails"), CORE_EINVAL for a population (extract it first). */
struct replay_shrink_options {
    bool wire; /* replay candidates on the wire path (world.h, WORLD_FIDELITY_WIRE); false: the rules path */
    /* Called after each candidate: the class being reduced, candidates replayed so far, items of the class
     * left. NULL: none (mynasim shrink shows it on a terminal only). */
    void (*progress)(void *ctx, const char *phase, size_t runs, size_t left);
    void *progress_ctx;
};
struct replay_shrink_result {
    char *text; /* the reduced scenario (YAML), heap */
    size_t len;
    size_t before[4], after[4]; /* residents, events (not visits), visits, expectations */
    size_t failures;            /* entries of the failure's signature */
    size_t runs;                /* replays made */
};
CORE_MUST_USE int replay_shrink(const struct scenario *scn, const struct replay_shrink_options *opt,
                                struct replay_shrink_result *out, struct core_error *err);
void replay_shrink_result_free(struct replay_shrink_result *r);

#endif
