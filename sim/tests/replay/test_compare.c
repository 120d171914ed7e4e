/* Tests of sim/replay/compare.c and of reading a file under another policy (scenario.c): small files
 * (data/compare/) replayed by the real world under national and as-announced-2024. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "replay/replay.h"
#include "replay_test.h"

#define DATA MYNASIM_SOURCE_DIR "/sim/tests/replay/data/compare"

static struct scenario *load(const char *name, const char *policy)
{
    return load_in(DATA, name, policy);
}

static void compare_file(const char *name, const char *a, const char *b, struct scenario **sa,
                         struct scenario **sb, struct replay_comparison *cmp)
{
    *sa = load(name, a);
    *sb = load(name, b);
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(replay_compare(*sa, *sb, cmp, &err), CORE_OK);
}

static void lost_card_is_nine_gap_days_only_under_as_announced_kept_by_amend_1(void **state)
{
    (void)state;
    struct scenario *a, *b;
    struct replay_comparison c;
    compare_file("lost-card-in-september.yaml", "national", "as-announced-2024", &a, &b, &c);
    assert_int_equal(c.resident_count, 2);
    const struct replay_diff_resident *r1 = &c.residents[0], *r2 = &c.residents[1];
    assert_int_equal(r1->only[REPLAY_SIDE_A], 0);
    assert_int_equal(r1->only[REPLAY_SIDE_B], 9);
    assert_int_equal(r1->grace[REPLAY_SIDE_A], 9);
    assert_int_equal(r1->gap[REPLAY_SIDE_B], 9);
    assert_int_equal(r1->range_count, 1);
    const struct replay_diff_range *d = &r1->ranges[0];
    char from[11], to[11];
    core_date_format(d->from, from);
    core_date_format(d->to, to);
    assert_string_equal(from, "2025-09-10");
    assert_string_equal(to, "2025-09-18");
    assert_int_equal(d->gap_side, REPLAY_SIDE_B);
    assert_string_equal(d->kept_by, "AMEND-1");
    assert_string_equal(d->rule[REPLAY_SIDE_A], "AMEND-1");
    assert_true(d->rule[REPLAY_SIDE_B][0] != '\0'); /* the gap's cause */
    /* the neighbour who keeps her card is the same under both */
    assert_int_equal(r2->range_count, 0);
    assert_int_equal(r2->only[0] + r2->only[1], 0);
    assert_int_equal(c.residents_only[REPLAY_SIDE_B], 1);
    assert_int_equal(c.residents_only[REPLAY_SIDE_A], 0);
    assert_int_equal(c.only[REPLAY_SIDE_B], 9);
    replay_comparison_free(&c);
    scenario_free(a);
    scenario_free(b);
}

static void swapped_policies_put_the_gap_on_side_a(void **state)
{
    (void)state;
    struct scenario *a, *b;
    struct replay_comparison c;
    compare_file("lost-card-in-september.yaml", "as-announced-2024", "national", &a, &b, &c);
    assert_int_equal(c.only[REPLAY_SIDE_A], 9);
    assert_int_equal(c.only[REPLAY_SIDE_B], 0);
    assert_int_equal(c.residents[0].ranges[0].gap_side, REPLAY_SIDE_A);
    assert_string_equal(c.residents[0].ranges[0].kept_by, "AMEND-1");
    replay_comparison_free(&c);
    scenario_free(a);
    scenario_free(b);
}

static void the_same_policy_twice_differs_nowhere(void **state)
{
    (void)state;
    struct scenario *a, *b;
    struct replay_comparison c;
    compare_file("lost-card-in-september.yaml", "national", "national", &a, &b, &c);
    for (size_t i = 0; i < c.resident_count; i++)
        assert_int_equal(c.residents[i].range_count, 0);
    assert_int_equal(c.only[0] + c.only[1], 0);
    assert_int_equal(c.grace[0], c.grace[1]);
    replay_comparison_free(&c);
    scenario_free(a);
    scenario_free(b);
}

static void insurer_overrides_apply_on_top_of_the_given_policy(void **state)
{
    (void)state;
    struct scenario *s = load("insurer-overrides-lag.yaml", "national");
    assert_string_equal(s->policy_ref, "national");
    bool on = false;
    core_day day;
    assert_int_equal(core_date_parse("2025-09-01", 10, &day), CORE_OK);
    /* national's AMEND-1 is in force for the insurer, and so is the insurer's own lag */
    assert_int_equal(policy_bool(scenario_insurer_policy(s, 0), "lookup_grace.enabled", day, &on), CORE_OK);
    assert_true(on);
    long long lag = 0;
    assert_int_equal(policy_int(scenario_insurer_policy(s, 0), "certificate.application_lag_days", day, &lag),
                     CORE_OK);
    assert_int_equal(lag, 10);
    scenario_free(s);
    /* the file's own policy (as-announced-2024) when none is given */
    s = load("insurer-overrides-lag.yaml", NULL);
    assert_string_equal(s->policy_ref, "as-announced-2024");
    assert_int_equal(policy_bool(scenario_insurer_policy(s, 0), "lookup_grace.enabled", day, &on), CORE_OK);
    assert_false(on);
    scenario_free(s);
}

static void overrides_make_the_difference_twelve_days(void **state)
{
    (void)state;
    struct scenario *a, *b;
    struct replay_comparison c;
    compare_file("insurer-overrides-lag.yaml", "national", "as-announced-2024", &a, &b, &c);
    assert_int_equal(c.only[REPLAY_SIDE_B], 12);
    assert_string_equal(c.residents[0].ranges[0].kept_by, "AMEND-1");
    replay_comparison_free(&c);
    scenario_free(a);
    scenario_free(b);
}

static void an_unknown_given_policy_is_a_problem_of_the_file(void **state)
{
    (void)state;
    struct scenario_diags d;
    scenario_diags_init(&d);
    struct scenario *s = NULL;
    assert_int_equal(
        scenario_load_file_with_policy(DATA "/lost-card-in-september.yaml", "no-such-policy", &s, &d),
        CORE_EINVAL);
    assert_null(s);
    assert_int_equal(d.count, 1);
    assert_non_null(strstr(d.items[0].message, "policy 'no-such-policy' given in place of the file's"));
    scenario_diags_clear(&d);
}

static void the_buffer_reader_takes_a_policy_too(void **state)
{
    (void)state;
    static const char text[] = "format: 1\nscenario: b\nperiod: {from: 2025-08-01, to: 2025-08-31}\n"
                               "insurers:\n  - {id: i, kind: nhi, policy: {paper_card: {latest_expiry: "
                               "2025-07-31}}}\n"
                               "residents:\n  - {id: r1, born: 1970-01-01, insurer: i}\n";
    struct scenario_diags d;
    scenario_diags_init(&d);
    struct scenario *s = NULL;
    assert_int_equal(
        scenario_load_buffer_with_policy("b.yaml", text, sizeof text - 1, NULL, "as-announced-2024", &s, &d),
        CORE_OK);
    assert_string_equal(s->policy_ref, "as-announced-2024");
    assert_string_equal(policy_name(scenario_insurer_policy(s, 0)), "as-announced-2024");
    scenario_free(s);
    scenario_diags_clear(&d);
}

int main(void)
{
#define T(f) cmocka_unit_test(f)
    const struct CMUnitTest tests[] = {
        T(lost_card_is_nine_gap_days_only_under_as_announced_kept_by_amend_1),
        T(swapped_policies_put_the_gap_on_side_a),
        T(the_same_policy_twice_differs_nowhere),
        T(insurer_overrides_apply_on_top_of_the_given_policy),
        T(overrides_make_the_difference_twelve_days),
        T(an_unknown_given_policy_is_a_problem_of_the_file),
        T(the_buffer_reader_takes_a_policy_too),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
