/* Tests of sim/replay/run.c, the expectation checks, against the fake world (sim/tests/report/fake_world.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../report/fake_world.h"
#include "replay/replay.h"
#include "scenario/scenario.h"

struct fixture {
    struct scenario *scn;
    struct replay_run_result res;
};

static CORE_MUST_USE int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    f.scn = fake_scenario_load("basic.yaml");
    if (f.scn == NULL)
        return -1;
    fake_world_basic();
    *state = &f;
    return 0;
}

static CORE_MUST_USE int teardown(void **state)
{
    struct fixture *f = *state;
    replay_run_result_free(&f->res);
    scenario_free(f->scn);
    assert_int_equal(fake_world.worlds_alive, 0);
    return 0;
}

static const struct replay_result *run(struct fixture *f, size_t i)
{
    struct core_error err;
    core_error_clear(&err);
    replay_run_result_free(&f->res);
    assert_int_equal(replay_run(f->scn, &f->res, &err), CORE_OK);
    assert_true(i < f->res.count);
    return &f->res.results[i];
}

static void every_expectation_gives_one_result_then_the_invariants(void **state)
{
    struct fixture *f = *state;
    run(f, 0);
    assert_int_equal(f->res.count, f->scn->expect_count + 1);
    assert_int_equal(f->res.passed, 8);
    assert_int_equal(f->res.failed, 7);
    for (size_t i = 0; i < f->scn->expect_count; i++) {
        assert_ptr_equal(f->res.results[i].expect, &f->scn->expects[i]);
        assert_int_equal(f->res.results[i].pos.line, f->scn->expects[i].pos.line);
    }
}

static void holds_passes_when_every_document_is_usable(void **state)
{
    const struct replay_result *r = run(*state, 0);
    assert_true(r->passed);
    assert_string_equal(r->form, "holds");
    assert_string_equal(r->message,
                        "r1 on 2025-01-10: holds paper_card,card usable (holds paper_card,card,portal)");
}

static void holds_fails_naming_the_missing_document(void **state)
{
    const struct replay_result *r = run(*state, 1);
    assert_false(r->passed);
    assert_string_equal(r->message,
                        "r1 on 2025-09-20: expected to hold card usable, got nothing (missing card)");
}

static void lacks_fails_with_the_rule_given(void **state)
{
    assert_true(run(*state, 2)->passed);
    const struct replay_result *r = run(*state, 3);
    assert_false(r->passed);
    assert_string_equal(r->rule, "PAPER-2");
    assert_string_equal(
        r->message, "r1 on 2025-01-10: expected to lack paper_card, got paper_card usable (rule PAPER-2)");
}

static void visit_checks_outcome_route_and_fee_and_takes_the_desk_rule(void **state)
{
    const struct replay_result *r = run(*state, 4);
    assert_true(r->passed);
    assert_string_equal(r->rule, "DESK-1");
    fake_world.probe_decision.fee_total = 20;
    fake_world.probe_decision.route = CLINIC_ROUTE_CERTIFICATE;
    fake_world.probe_decision.outcome = CLINIC_SELF_PAY;
    r = run(*state, 4);
    assert_false(r->passed);
    assert_string_equal(r->message,
                        "r1 on 2025-01-10: visit at clinic-a: expected insured, got self_pay; expected "
                        "route card, got certificate; expected fee {total: 10, copay: 3}, got {total: "
                        "20, copay: 3} (rule DESK-1)");
}

static void visit_bringing_what_is_not_in_hand_fails_naming_it(void **state)
{
    const struct replay_result *r = run(*state, 5);
    assert_false(r->passed);
    assert_string_equal(r->rule, "MYNA-6");
    assert_non_null(strstr(r->message, "brings card, not in hand that day"));
}

static void visit_probe_error_fails_the_expectation_not_the_run(void **state)
{
    fake_world.probe_visit_rc = CORE_ESTATE;
    const struct replay_result *r = run(*state, 4);
    assert_false(r->passed);
    assert_non_null(strstr(r->message, "got no answer: fake: the probe fails"));
}

static void online_check_absent_warning_means_none(void **state)
{
    assert_true(run(*state, 6)->passed);
    const struct replay_result *r = run(*state, 7);
    assert_false(r->passed);
    assert_string_equal(r->message,
                        "r1 on 2025-01-10: online check at a working face-reader clinic: expected warning "
                        "cert_expires_soon, got none (rule MYNA-3)");
    fake_world.probe_answer.warnings = ELIGIBILITY_WARN_CERT_EXPIRES_SOON;
    assert_true(run(*state, 7)->passed);
    r = run(*state, 6);
    assert_false(r->passed);
    assert_non_null(strstr(r->message, "expected warning none, got cert_expires_soon"));
    fake_world.probe_answer.result = ELIGIBILITY_CARD_SUSPENDED;
    r = run(*state, 7);
    assert_non_null(strstr(r->message, "expected ok, got card_suspended"));
}

static void received_is_checked_by_its_date(void **state)
{
    assert_true(run(*state, 8)->passed);
    fake_world.received[0] = fake_day("2025-10-01");
    const struct replay_result *r = run(*state, 8);
    assert_false(r->passed);
    assert_string_equal(r->message, "r1: expected a certificate received by 2025-09-30, got none");
}

static void counts_compare_exact_and_ranges_and_sum_over_all(void **state)
{
    assert_true(run(*state, 9)->passed);
    assert_true(run(*state, 10)->passed);
    const struct replay_result *r = run(*state, 11);
    assert_false(r->passed);
    assert_string_equal(r->message, "all residents: expected degraded_days 0, got 15 (rule INV-2)");
    assert_true(run(*state, 12)->passed);
    fake_world.grace_days[0] = 6;
    r = run(*state, 10);
    assert_string_equal(r->message, "r1: expected grace_days 1..5, got 6 (rule AMEND-1)");
}

static void usage_rate_of_named_residents_fails_saying_why(void **state)
{
    const struct replay_result *r = run(*state, 13);
    assert_false(r->passed);
    assert_non_null(strstr(r->message, "this scenario has no population"));
}

static void gap_days_the_file_does_not_expect_fail_the_run(void **state)
{
    struct fixture *f = *state;
    const struct replay_result *r = run(f, 14);
    assert_false(r->passed);
    assert_null(r->expect);
    assert_string_equal(r->form, "invariant");
    assert_string_equal(r->rule, "INV-1");
    assert_int_equal(r->pos.line, f->scn->residents[1].pos.line);
    assert_string_equal(r->message, "r2: expected no gap days (the file has no gap_days expectation for this "
                                    "resident), got 30 from 2025-12-02, caused by PAPER-2 (rule INV-1)");
    /* a gap_days expectation for them, even one that fails, takes the place of the invariant */
    f->scn->expects[9].resident = 1;
    run(f, 0);
    assert_int_equal(f->res.count, f->scn->expect_count);
    f->scn->expects[9].resident = SCENARIO_WHO_ALL;
    run(f, 0);
    assert_int_equal(f->res.count, f->scn->expect_count);
}

static void first_gap_is_compared(void **state)
{
    struct fixture *f = *state;
    f->scn->expects[9].resident = 1;
    f->scn->expects[9].count.min = 30;
    f->scn->expects[9].count.max = 30;
    f->scn->expects[9].first_gap = fake_day("2025-12-01");
    const struct replay_result *r = run(f, 9);
    assert_false(r->passed);
    assert_string_equal(r->message, "r2: expected first_gap 2025-12-01, got 2025-12-02 (rule INV-1)");
    f->scn->expects[9].first_gap = fake_day("2025-12-02");
    assert_true(run(f, 9)->passed);
}

static void a_world_that_cannot_be_built_is_an_error(void **state)
{
    struct fixture *f = *state;
    struct core_error err;
    core_error_clear(&err);
    fake_world.run_rc = CORE_EINVAL;
    assert_int_equal(replay_run(f->scn, &f->res, &err), CORE_EINVAL);
    assert_string_equal(err.message, "fake: world_run fails");
    replay_run_result_free(&f->res);
    fake_world.run_rc = CORE_OK;
    fake_world.new_rc = CORE_ENOMEM;
    assert_int_equal(replay_run(f->scn, &f->res, &err), CORE_ENOMEM);
}

/* The reader's values (scenario.h) are the ones the desk and the check answer with, and so are their words: run.c
 * compares values and prints words. Every entry of each list, by the list itself. */
static void values_and_words_agree_with_the_desk_and_the_check(void **state)
{
    (void)state;
#define OUTCOME(name, word)                                                                                  \
    assert_int_equal(SCENARIO_OUTCOME_##name, CLINIC_##name);                                                \
    assert_string_equal(scenario_outcome_word(SCENARIO_OUTCOME_##name), word);                               \
    assert_string_equal(clinic_outcome_name(CLINIC_##name), word);
#define ROUTE(name, word)                                                                                    \
    assert_int_equal(SCENARIO_ROUTE_##name, CLINIC_ROUTE_##name);                                            \
    assert_string_equal(scenario_route_word(SCENARIO_ROUTE_##name), word);                                   \
    assert_string_equal(clinic_route_name(CLINIC_ROUTE_##name), word);
#define CHECK(name, word)                                                                                    \
    assert_int_equal(SCENARIO_CHECK_##name, ELIGIBILITY_##name);                                             \
    assert_string_equal(scenario_check_word(SCENARIO_CHECK_##name), word);                                   \
    assert_string_equal(eligibility_result_name(ELIGIBILITY_##name), word);
#define WARNING(name, word)                                                                                  \
    assert_int_equal(1u << SCENARIO_WARNING_##name, ELIGIBILITY_WARN_##name);                                \
    assert_string_equal(scenario_warning_word(SCENARIO_WARNING_##name), word);
    SCENARIO_OUTCOMES(OUTCOME)
    SCENARIO_ROUTES(ROUTE)
    SCENARIO_CHECKS(CHECK)
    SCENARIO_WARNINGS(WARNING)
#undef OUTCOME
#undef ROUTE
#undef CHECK
#undef WARNING
    assert_int_equal(SCENARIO_ROUTE_NONE, CLINIC_ROUTE_NONE);
    assert_string_equal(clinic_route_name(CLINIC_ROUTE_NONE), scenario_route_word(SCENARIO_ROUTE_NONE));
    assert_int_equal(SCENARIO_CHECK_COUNT, ELIGIBILITY_OK + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(every_expectation_gives_one_result_then_the_invariants),
        T(holds_passes_when_every_document_is_usable),
        T(holds_fails_naming_the_missing_document),
        T(lacks_fails_with_the_rule_given),
        T(visit_checks_outcome_route_and_fee_and_takes_the_desk_rule),
        T(visit_bringing_what_is_not_in_hand_fails_naming_it),
        T(visit_probe_error_fails_the_expectation_not_the_run),
        T(online_check_absent_warning_means_none),
        T(received_is_checked_by_its_date),
        T(counts_compare_exact_and_ranges_and_sum_over_all),
        T(usage_rate_of_named_residents_fails_saying_why),
        T(gap_days_the_file_does_not_expect_fail_the_run),
        T(first_gap_is_compared),
        T(a_world_that_cannot_be_built_is_an_error),
        T(values_and_words_agree_with_the_desk_and_the_check),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
