/* End-to-end tests of sim/replay/run.c: small scenario files (data/run/) replayed by the real world. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "replay/replay.h"
#include "scenario/scenario.h"
#include "world/world.h"

#define DATA MYNASIM_SOURCE_DIR "/sim/tests/replay/data/run"
/* Files outside data/run/: run_exit_codes.sh runs that directory whole and compares it with its three files. */
#define MORE "../run-more/"

struct run {
    struct scenario *scn;
    struct replay_run_result res;
};

static void run_file(const char *name, struct run *r)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DATA, name);
    struct scenario_diags d;
    scenario_diags_init(&d);
    assert_int_equal(scenario_load_file(path, &r->scn, &d), CORE_OK);
    scenario_diags_clear(&d);
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(replay_run(r->scn, &r->res, &err), CORE_OK);
}

static void run_free(struct run *r)
{
    replay_run_result_free(&r->res);
    scenario_free(r->scn);
}

static void every_expectation_of_a_good_file_holds(void **state)
{
    (void)state;
    struct run r;
    run_file("passes.yaml", &r);
    for (size_t i = 0; i < r.res.count; i++)
        if (!r.res.results[i].passed)
            fail_msg("%s", r.res.results[i].message);
    assert_int_equal(r.res.count, r.scn->expect_count);
    assert_int_equal(r.res.failed, 0);
    assert_int_equal(r.res.passed, r.scn->expect_count);
    run_free(&r);
}

static void a_wrong_outcome_fails_naming_resident_day_and_rule(void **state)
{
    (void)state;
    struct run r;
    run_file("fails.yaml", &r);
    assert_int_equal(r.res.failed, 1);
    const struct replay_result *f = NULL;
    for (size_t i = 0; i < r.res.count; i++)
        if (!r.res.results[i].passed)
            f = &r.res.results[i];
    assert_non_null(f);
    if (f == NULL) /* for the compiler: assert_non_null does not return on NULL */
        return;
    assert_string_equal(f->form, "visit");
    assert_int_equal(f->pos.line, 22);
    assert_non_null(
        strstr(f->message, "r1 on 2025-01-10: visit at clinic-a: expected self_pay, got insured"));
    assert_non_null(strstr(f->message, "(rule "));
    run_free(&r);
}

static void gap_days_the_file_does_not_expect_fail(void **state)
{
    (void)state;
    struct run r;
    run_file("unexpected-gap.yaml", &r);
    assert_int_equal(r.res.count, r.scn->expect_count + 1);
    const struct replay_result *inv = &r.res.results[r.res.count - 1];
    assert_false(inv->passed);
    assert_string_equal(inv->form, "invariant");
    assert_string_equal(inv->rule, "INV-1");
    assert_int_equal(inv->pos.line, r.scn->residents[0].pos.line);
    assert_non_null(strstr(inv->message, "expected no gap days"));
    run_free(&r);
}

static void every_difference_of_a_visit_is_named_in_one_message(void **state)
{
    (void)state;
    struct run r;
    run_file(MORE "mismatches.yaml", &r);
    assert_int_equal(r.res.count, 5);
    assert_int_equal(r.res.failed, 4);
    assert_int_equal(r.res.passed, 1);
    const struct replay_result *v = &r.res.results[0];
    assert_false(v->passed);
    assert_int_equal(v->pos.line, 14);
    assert_int_equal(v->pos.column, 5);
    assert_string_equal(
        v->message,
        "r1 on 2025-02-03: visit at clinic-a: expected fee {total: 99, copay: 9}, got {total: 10, "
        "copay: 3}; expected claim_error true, got false (rule MYNA-1)");
    assert_string_equal(v->rule, "MYNA-1");
    /* the card applies the high-cost limit at the counter (MYNA-10): limit_applied false is the difference */
    const struct replay_result *w = &r.res.results[1];
    assert_false(w->passed);
    assert_string_equal(
        w->message,
        "r1 on 2025-02-03: visit at clinic-a: expected limit_applied false, got true (rule MYNA-1)");
    const struct replay_result *g = &r.res.results[2];
    assert_false(g->passed);
    assert_string_equal(g->form, "gap_days");
    assert_string_equal(g->message, "r1: expected first_gap 2025-03-01, got none (rule INV-1)");
    assert_string_equal(g->rule, "INV-1");
    const struct replay_result *c = &r.res.results[3];
    assert_false(c->passed);
    assert_string_equal(c->message, "r1: expected grace_days 1..2, got 0 (rule AMEND-1)");
    assert_string_equal(c->rule, "AMEND-1");
    const struct replay_result *d = &r.res.results[4];
    assert_true(d->passed);
    assert_string_equal(d->message, "r1: degraded_days 0 (rule INV-2)");
    assert_string_equal(d->rule, "INV-2");
    run_free(&r);
}

static void a_month_without_online_checks_has_no_usage_rate(void **state)
{
    (void)state;
    struct run r;
    run_file(MORE "population-quiet-month.yaml", &r);
    assert_non_null(r.res.population);
    assert_int_equal(r.res.count, 2);
    assert_true(r.res.results[0].passed);
    const struct replay_result *q = &r.res.results[1];
    assert_false(q->passed);
    assert_int_equal(q->resident, SCENARIO_WHO_ALL);
    assert_string_equal(
        q->message, "all residents: expected a usage_rate in 2025-04, got none: no online checks that month");
    run_free(&r);
}

static void a_population_s_gap_days_fail_naming_the_rules_most_first(void **state)
{
    (void)state;
    struct run r;
    run_file(MORE "population-gaps.yaml", &r);
    const struct world_population *pop = r.res.population;
    assert_non_null(pop);
    if (pop == NULL)
        return;
    assert_true(pop->gap > 0);
    assert_int_equal(r.res.count, 1);
    const struct replay_result *inv = &r.res.results[0];
    assert_false(inv->passed);
    assert_string_equal(inv->form, "invariant");
    assert_int_equal(inv->resident, SCENARIO_WHO_ALL);
    assert_string_equal(inv->rule, "INV-1");
    assert_int_equal(inv->pos.line, 9); /* at `population:` */
    /* the rule with most gap days is named first, with its count */
    const struct world_pop_rule *most = NULL;
    size_t causes = 0;
    for (size_t i = 0; i < pop->nrules; i++)
        if (pop->rules[i].gap > 0) {
            causes++;
            if (most == NULL || pop->rules[i].gap > most->gap)
                most = &pop->rules[i];
        }
    assert_non_null(most);
    if (most == NULL)
        return;
    assert_true(causes >= 2);
    char want[300];
    snprintf(want, sizeof want,
             "all residents: expected no gap days in the population (the file has no `who: all` gap_days "
             "expectation), got %lld, caused most by %s (%lld)",
             pop->gap, most->rule, most->gap);
    assert_true(strncmp(inv->message, want, strlen(want)) == 0);
    /* every cause of gap days is named, up to three */
    for (size_t i = 0; i < pop->nrules; i++)
        if (pop->rules[i].gap > 0 && causes <= 3) {
            snprintf(want, sizeof want, "%s (%lld)", pop->rules[i].rule, pop->rules[i].gap);
            assert_non_null(strstr(inv->message, want));
        }
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_expectation_of_a_good_file_holds),
        cmocka_unit_test(a_wrong_outcome_fails_naming_resident_day_and_rule),
        cmocka_unit_test(gap_days_the_file_does_not_expect_fail),
        cmocka_unit_test(every_difference_of_a_visit_is_named_in_one_message),
        cmocka_unit_test(a_month_without_online_checks_has_no_usage_rate),
        cmocka_unit_test(a_population_s_gap_days_fail_naming_the_rules_most_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
