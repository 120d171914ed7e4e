/*
 * fake_world.h: a test double of sim/world (world.h) with canned answers, so the runner (sim/replay) and the
 * reports can be tested without the engine. Tests fill `fake_world` before replay_run; every world.h
 * function answers from it. Linked only into test executables, never into the library.
 */
#ifndef MYNASIM_TESTS_FAKE_WORLD_H
#define MYNASIM_TESTS_FAKE_WORLD_H

#include "world/world.h"

#define FAKE_RESIDENTS 4
#define FAKE_RANGES 8
#define FAKE_EVENTS 16
#define FAKE_VISITS 8

struct fake_world_data {
    int new_rc, run_rc; /* what world_new and world_run return (CORE_OK by default) */
    size_t event_count;
    struct world_event events[FAKE_EVENTS];
    size_t range_count[FAKE_RESIDENTS];
    struct world_range ranges[FAKE_RESIDENTS][FAKE_RANGES];
    long gap_days[FAKE_RESIDENTS], grace_days[FAKE_RESIDENTS], degraded_days[FAKE_RESIDENTS],
        claim_errors[FAKE_RESIDENTS];
    core_day first_gap[FAKE_RESIDENTS];
    size_t visit_count;
    struct world_visit visits[FAKE_VISITS];
    /* probes */
    int probe_visit_rc;
    struct clinic_decision probe_decision; /* every probe visit's decision */
    bool probe_claim_error;
    int probe_check_rc;
    struct eligibility_answer probe_answer;
    core_day received[FAKE_RESIDENTS]; /* the day a mailing arrived (any document), CORE_DAY_NONE: none */
    /* counters, for tests */
    int worlds_alive;
};

extern struct fake_world_data fake_world;
/* Resets fake_world to an empty world: no ranges, no events, probes answering ok / insured by card. */
void fake_world_reset(void);

/* The date of "YYYY-MM-DD" (the tests' literals are valid). */
core_day fake_day(const char *ymd);
/* Reads sim/tests/report/data/NAME and loads it as a scenario named NAME (so reports name no host path). */
struct scenario *fake_scenario_load(const char *name);
/* The canned world of data/basic.yaml: r1 holds its paper card and card, loses the card on 2025-09-10 and
 * is on AMEND-1's grace after; r2's paper card runs out on 2025-12-01 and it has 30 gap days the file does
 * not expect. Probes answer: a visit insured by card, fee 10 / 3; online check ok without warnings; r1
 * received a certificate on 2025-09-25. */
void fake_world_basic(void);

#endif
