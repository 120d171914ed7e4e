/* Shared helpers of the sim/world tests: load a scenario from a string, build and run its world, and read
 * events, checks and probes. Every expected date in the tests is computed by hand from the policy values in
 * fixtures/policies/ (the YAML files) (lags: N days after D is D + N; dates inclusive). */
#ifndef MYNASIM_TESTS_WORLD_TEST_H
#define MYNASIM_TESTS_WORLD_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "world/world.h"

#define DOC(x) SCENARIO_DOC_BIT(SCENARIO_DOC_##x)
#define FAULT(x) SCENARIO_FAULT_BIT(SCENARIO_FAULT_##x)

static inline core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

struct run {
    struct scenario *scn;
    struct world *w;
};

/* Loads `yaml`, builds its world on the given path (world_set_fidelity) and runs it. */
static inline void run_yaml_fidelity(struct run *r, const char *yaml, enum world_fidelity fidelity)
{
    struct scenario_diags diags;
    scenario_diags_init(&diags);
    int rc = scenario_load_buffer("test.yaml", yaml, strlen(yaml), NULL, &r->scn, &diags);
    if (rc != CORE_OK)
        fail_msg("scenario: %d:%d: %s", diags.count ? diags.items[0].line : 0,
                 diags.count ? diags.items[0].column : 0, diags.count ? diags.items[0].message : "?");
    scenario_diags_clear(&diags);
    struct core_error err;
    core_error_clear(&err);
    if (world_new(r->scn, &r->w, &err) != CORE_OK || world_set_fidelity(r->w, fidelity, &err) != CORE_OK ||
        world_run(r->w, &err) != CORE_OK)
        fail_msg("world: %s", err.message);
}

static inline void run_yaml(struct run *r, const char *yaml)
{
    run_yaml_fidelity(r, yaml, WORLD_FIDELITY_RULES);
}

/* The scenario `pre` + policy name + `post` (both policies are run from one text). */
static inline void run_policy(struct run *r, const char *pre, const char *policy, const char *post)
{
    size_t n = strlen(pre) + strlen(policy) + strlen(post) + 4;
    char *buf = malloc(n);
    assert_non_null(buf);
    snprintf(buf, n, "%s%s\n%s", pre, policy, post);
    run_yaml(r, buf);
    free(buf);
}

static inline void run_free(struct run *r)
{
    world_free(r->w);
    scenario_free(r->scn);
}

/* The number of events matching (NULL / CORE_DAY_NONE: any). */
static inline int count_events(const struct world *w, int res, const char *what, const char *rule,
                               core_day day)
{
    int n = 0;
    for (size_t i = 0; i < world_event_count(w); i++) {
        const struct world_event *e = world_event_at(w, i);
        if (e->resident == res && (what == NULL || strcmp(e->what, what) == 0) &&
            (rule == NULL || strcmp(e->rule, rule) == 0) && (day == CORE_DAY_NONE || e->day == day))
            n++;
    }
    return n;
}

static inline bool has_event(const struct world *w, int res, const char *what, const char *rule, core_day day)
{
    return count_events(w, res, what, rule, day) > 0;
}

/* The first matching event; the test fails when there is none. */
static inline const struct world_event *find_event(const struct world *w, int res, const char *what,
                                                   const char *rule, core_day day)
{
    static const struct world_event none = {
        .day = CORE_DAY_NONE, .resident = -1, .what = "", .rule = "", .detail = ""};
    for (size_t i = 0; i < world_event_count(w); i++) {
        const struct world_event *e = world_event_at(w, i);
        if (e->resident == res && (what == NULL || strcmp(e->what, what) == 0) &&
            (rule == NULL || strcmp(e->rule, rule) == 0) && (day == CORE_DAY_NONE || e->day == day))
            return e;
    }
    fail_msg("no event %s (rule %s) for resident %d", what ? what : "*", rule ? rule : "*", res);
    return &none;
}

/* Online check with the resident's card at `clinic` (SCENARIO_NONE: a working face reader). */
static inline enum eligibility_result check_at(const struct world *w, int res, const char *day, int clinic)
{
    struct eligibility_answer a;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(world_probe_check(w, res, D(day), clinic, &a, &err), CORE_OK);
    return a.result;
}

static inline enum eligibility_result check(const struct world *w, int res, const char *day)
{
    return check_at(w, res, day, SCENARIO_NONE);
}

/* A probe visit; bring 0 = everything held. */
static inline struct world_visit probe(const struct world *w, int res, const char *day, int clinic,
                                       unsigned bring, enum scenario_visit_kind kind, unsigned faults)
{
    struct scenario_visit v;
    memset(&v, 0, sizeof v);
    v.clinic = clinic;
    v.bring_given = bring != 0;
    v.bring = bring;
    v.kind_given = true;
    v.kind = kind;
    v.faults = faults;
    struct world_visit out;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(world_probe_visit(w, res, D(day), &v, &out, &err), CORE_OK);
    return out;
}

static inline core_day received(const struct world *w, int res, enum scenario_document doc, const char *by)
{
    return world_received(w, res, doc, D(by), SCENARIO_NOTICE_ANY);
}

static inline bool holds(const struct world *w, int res, const char *day, unsigned docs)
{
    return (world_holds(w, res, D(day)) & docs) == docs;
}

/* The range covering a day; the test fails when there is none. */
static inline const struct world_range *range_on(const struct world *w, int res, const char *day)
{
    static const struct world_range none = {
        .from = CORE_DAY_NONE, .to = CORE_DAY_NONE, .insurer = -1, .rule = ""};
    core_day d = D(day);
    for (size_t i = 0; i < world_range_count(w, res); i++) {
        const struct world_range *g = world_range_at(w, res, i);
        if (g != NULL && g->from <= d && d <= g->to)
            return g;
    }
    fail_msg("no range on %s for resident %d", day, res);
    return &none;
}

/* The visit event of a day; the test fails when there is none. */
static inline const struct world_visit *visit_on(const struct world *w, const char *day)
{
    static const struct world_visit none;
    for (size_t i = 0; i < world_visit_count(w); i++) {
        const struct world_visit *v = world_visit_at(w, i);
        if (v != NULL && v->day == D(day))
            return v;
    }
    fail_msg("no visit on %s", day);
    return &none;
}

/* INV-3: no document was flagged as issued against the rules. */
static inline int unlawful(const struct world *w, int res)
{
    return count_events(w, res, "unlawful_document", "INV-3", CORE_DAY_NONE);
}

#endif
