/* End-to-end tests of sim/scenario/run.c: small scenario files (data/run/) replayed by the real world. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scenario/scenario.h"

#define DATA MYNASIM_SOURCE_DIR "/sim/tests/scenario/data/run"

struct run {
    struct scenario *scn;
    struct scenario_run_result res;
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
    assert_int_equal(scenario_run(r->scn, &r->res, &err), CORE_OK);
}

static void run_free(struct run *r)
{
    scenario_run_result_free(&r->res);
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
    const struct scenario_result *f = NULL;
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
    const struct scenario_result *inv = &r.res.results[r.res.count - 1];
    assert_false(inv->passed);
    assert_string_equal(inv->form, "invariant");
    assert_string_equal(inv->rule, "INV-1");
    assert_int_equal(inv->pos.line, r.scn->residents[0].pos.line);
    assert_non_null(strstr(inv->message, "expected no gap days"));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_expectation_of_a_good_file_holds),
        cmocka_unit_test(a_wrong_outcome_fails_naming_resident_day_and_rule),
        cmocka_unit_test(gap_days_the_file_does_not_expect_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
