/* Tests of sim/replay/shrink.c (`mynasim shrink`): a planted failure among 30 residents shrinks to the two
 * residents that matter, and the result, read and replayed again, fails the same way (the same failed forms,
 * residents and dates, the same gap days); the same input gives the same bytes; a file where nothing fails
 * and a population are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "replay/replay.h"
#include "replay_test.h"
#include "scenario/scenario.h"
#include "world/world.h"

#define DATA MYNASIM_SOURCE_DIR "/sim/tests/replay/data"

/* "form resident date" of every failed result, and the resident's gap days, one string. */
static void failures(const struct scenario *s, const struct replay_run_result *r, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->count; i++) {
        const struct replay_result *x = &r->results[i];
        if (x->passed)
            continue;
        char day[11] = "-";
        if (x->date != CORE_DAY_NONE)
            core_date_format(x->date, day);
        const char *id = x->resident >= 0 ? s->residents[x->resident].id : "all";
        len += (size_t)snprintf(out + len, cap - len, "%s %s %s gap %ld;", x->form, id, day,
                                x->resident >= 0 ? world_gap_days(r->world, x->resident) : 0L);
    }
}

static void planted_failure_shrinks_to_the_residents_that_matter(void **state)
{
    (void)state;
    struct scenario *s = load_in(DATA "/shrink", "planted-thirty-residents.yaml", NULL);
    assert_int_equal(s->resident_count, 30);
    struct core_error err;
    core_error_clear(&err);
    struct replay_run_result before;
    assert_int_equal(replay_run(s, &before, &err), CORE_OK);
    char want[2048];
    failures(s, &before, want, sizeof want);
    assert_true(before.failed == 2);
    struct replay_shrink_options so = {.wire = false};
    struct replay_shrink_result res;
    assert_int_equal(replay_shrink(s, &so, &res, &err), CORE_OK);
    assert_int_equal(res.before[0], 30);
    assert_int_equal(res.after[0], 2);
    assert_int_equal(res.after[2], 0); /* no visit matters */
    assert_true(res.after[1] <= 2);
    assert_true(res.after[3] == 1); /* r22's failing expectation; r07's passing one goes */
    struct scenario_diags d;
    scenario_diags_init(&d);
    struct scenario *t = NULL;
    assert_int_equal(scenario_load_buffer("shrunk", res.text, res.len, DATA "/shrink", &t, &d), CORE_OK);
    assert_int_equal(t->resident_count, 2);
    assert_true(scenario_find_resident(t, "r07") >= 0);
    assert_true(scenario_find_resident(t, "r22") >= 0);
    struct replay_run_result after;
    assert_int_equal(replay_run_with(t, &(struct replay_run_options){.wire = true}, &after, &err), CORE_OK);
    char got[2048];
    failures(t, &after, got, sizeof got);
    assert_string_equal(got, want);
    /* Deterministic: the same input, the same bytes. */
    struct replay_shrink_result again;
    assert_int_equal(replay_shrink(s, &so, &again, &err), CORE_OK);
    assert_int_equal(again.len, res.len);
    assert_memory_equal(again.text, res.text, res.len);
    replay_shrink_result_free(&again);
    replay_run_result_free(&after);
    replay_run_result_free(&before);
    replay_shrink_result_free(&res);
    scenario_free(t);
    scenario_free(s);
}

static void a_passing_file_is_refused(void **state)
{
    (void)state;
    struct scenario *s = load_in(DATA "/run", "passes.yaml", NULL);
    struct replay_shrink_result res;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(replay_shrink(s, NULL, &res, &err), CORE_ESTATE);
    assert_non_null(strstr(err.message, "nothing fails"));
    assert_null(res.text);
    scenario_free(s);
}

static void a_population_is_refused(void **state)
{
    (void)state;
    struct scenario *s =
        load_in(MYNASIM_SOURCE_DIR "/scenarios", "national-population-usage-rate-by-month.yaml", NULL);
    struct replay_shrink_result res;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(replay_shrink(s, NULL, &res, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "--extract"));
    scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(planted_failure_shrinks_to_the_residents_that_matter),
        cmocka_unit_test(a_passing_file_is_refused),
        cmocka_unit_test(a_population_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
