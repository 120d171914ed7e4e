/* Tests of sim/replay/compare.c's refusals: two readings that are not one file (resident counts or ids that
 * differ) and a file without named residents (nothing to compare, no error). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "replay/replay.h"
#include "replay_test.h"

#define DATA MYNASIM_SOURCE_DIR "/sim/tests/replay/data"
/* A file of the reader's tests: one without named residents. */
#define VALID MYNASIM_SOURCE_DIR "/sim/tests/scenario/data/valid"

static void different_resident_counts_are_refused(void **state)
{
    (void)state;
    struct scenario *a = load_in(DATA, "compare/lost-card-in-september.yaml", "national");
    struct scenario *b = load_in(DATA, "compare-more/one-resident.yaml", "national");
    struct replay_comparison c;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(replay_compare(a, b, &c, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "read under two policies, the file has 2 and 1 residents"));
    assert_int_equal(c.resident_count, 0);
    replay_comparison_free(&c);
    scenario_free(a);
    scenario_free(b);
}

static void different_resident_ids_are_refused_at_the_resident(void **state)
{
    (void)state;
    struct scenario *a = load_in(DATA, "compare/insurer-overrides-lag.yaml", "national");
    struct scenario *b = load_in(DATA, "compare-more/one-resident.yaml", "national");
    struct replay_comparison c;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(replay_compare(a, b, &c, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "read under two policies, resident 1 is 'r1' and 'other'"));
    assert_true(err.line > 0);
    replay_comparison_free(&c);
    scenario_free(a);
    scenario_free(b);
}

static void no_named_residents_compares_to_nothing(void **state)
{
    (void)state;
    struct scenario *a = load_in(VALID, "population-only.yaml", "national");
    struct scenario *b = load_in(VALID, "population-only.yaml", "as-announced-2024");
    struct replay_comparison c;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(replay_compare(a, b, &c, &err), CORE_OK);
    assert_int_equal(c.resident_count, 0);
    assert_null(c.residents);
    replay_comparison_free(&c);
    replay_comparison_free(NULL);
    scenario_free(a);
    scenario_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(different_resident_counts_are_refused),
        cmocka_unit_test(different_resident_ids_are_refused_at_the_resident),
        cmocka_unit_test(no_named_residents_compares_to_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
