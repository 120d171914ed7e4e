/* compare.c beyond gap days, on library scenarios whose policies differ (the *-as-announced-2024 pairs of
 * scenarios/): visits whose fee differs, mailings sent under one policy only (AMEND-2's certificate against the
 * type B notice), each expectation's pass or fail under both (a file's own policy passes all of them, the other
 * fails those the amendments change), and nothing at all differing under one policy twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "replay/replay.h"
#include "replay_test.h"

#define LIBRARY MYNASIM_SOURCE_DIR "/scenarios"

struct pair {
    struct scenario *a, *b;
    struct replay_comparison c;
};

static void compare_library(const char *name, const char *a, const char *b, struct pair *p)
{
    p->a = load_in(LIBRARY, name, a);
    p->b = load_in(LIBRARY, name, b);
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(replay_compare(p->a, p->b, &p->c, &err), CORE_OK);
}

static void pair_free(struct pair *p)
{
    replay_comparison_free(&p->c);
    scenario_free(p->a);
    scenario_free(p->b);
}

/* The expectation at `line` of the file. */
static const struct replay_diff_expect *expect_at(const struct replay_comparison *c, int line)
{
    for (size_t i = 0; i < c->expect_count; i++)
        if (c->expects[i].pos.line == line)
            return &c->expects[i];
    fail_msg("no expectation at line %d", line);
    static const struct replay_diff_expect none; /* not reached: fail_msg ends the test */
    return &none;
}

static void lost_card_look_up_visit_passes_under_national_only(void **state)
{
    (void)state;
    struct pair p;
    compare_library("nhi-card-lost-in-september-certificate-on-application.yaml", "national",
                    "as-announced-2024", &p);
    assert_int_equal(p.c.expect_count, p.a->expect_count);
    assert_int_equal(p.c.expects_passed[REPLAY_SIDE_A], p.c.expect_count); /* the file's own policy */
    assert_true(p.c.expects_passed[REPLAY_SIDE_B] < p.c.expect_count);
    assert_int_equal(p.c.expects_differ, p.c.expect_count - p.c.expects_passed[REPLAY_SIDE_B]);
    /* the look-up visit of 2025-09-11 (line 33): insured by AMEND-1 under national, self-pay without it */
    const struct replay_diff_expect *e = expect_at(&p.c, 33);
    assert_string_equal(e->form, "visit");
    assert_true(e->passed[REPLAY_SIDE_A]);
    assert_false(e->passed[REPLAY_SIDE_B]);
    assert_non_null(strstr(e->message[REPLAY_SIDE_B], "expected insured, got self_pay"));
    assert_non_null(strstr(e->message[REPLAY_SIDE_A], "route lookup"));
    /* the same mailing (her certificate on application) under both: none of one side only */
    assert_int_equal(p.c.mailings[REPLAY_SIDE_A], p.c.mailings[REPLAY_SIDE_B]);
    assert_int_equal(p.c.mailings_only[REPLAY_SIDE_A] + p.c.mailings_only[REPLAY_SIDE_B], 0);
    assert_int_equal(p.c.residents_differ, 1); /* her nine days */
    pair_free(&p);
}

static void the_as_announced_file_passes_under_its_own_policy_only(void **state)
{
    (void)state;
    struct pair p;
    compare_library("nhi-card-lost-in-september-certificate-on-application-as-announced-2024.yaml",
                    "national", "as-announced-2024", &p);
    assert_int_equal(p.c.expects_passed[REPLAY_SIDE_B], p.c.expect_count);
    assert_true(p.c.expects_passed[REPLAY_SIDE_A] < p.c.expect_count);
    const struct replay_diff_expect *e = expect_at(&p.c, 28); /* self_pay on 2025-09-11 without AMEND-1 */
    assert_false(e->passed[REPLAY_SIDE_A]);
    assert_true(e->passed[REPLAY_SIDE_B]);
    assert_non_null(strstr(e->message[REPLAY_SIDE_A], "expected self_pay, got insured"));
    pair_free(&p);
}

static void amend_2_mails_a_certificate_where_the_plan_mailed_a_notice(void **state)
{
    (void)state;
    struct pair p;
    compare_library("latter-elderly-july-2025-renewal-certificate-to-all.yaml", "national",
                    "as-announced-2024", &p);
    const struct replay_diff_resident *r = &p.c.residents[0];
    assert_int_equal(r->range_count, 0); /* the notice is usable too: no gap day either way */
    assert_int_equal(r->mailing_count, 2);
    assert_int_equal(p.c.mailings_only[REPLAY_SIDE_A], 1);
    assert_int_equal(p.c.mailings_only[REPLAY_SIDE_B], 1);
    const struct replay_diff_mailing *cert = &r->mailings[0], *notice = &r->mailings[1];
    assert_int_equal(cert->side, REPLAY_SIDE_A);
    assert_string_equal(cert->what, "certificate_mailed");
    assert_string_equal(cert->rule, "AMEND-2");
    assert_int_equal(notice->side, REPLAY_SIDE_B);
    assert_string_equal(notice->what, "notice_mailed");
    assert_non_null(strstr(notice->detail, "type B"));
    assert_int_equal(cert->day, notice->day); /* the same mailing day, another document */
    assert_int_equal(p.c.residents_differ, 1);
    pair_free(&p);
}

static void the_2024_fee_revision_changes_a_visits_fee(void **state)
{
    (void)state;
    struct pair p;
    compare_library("fees-before-and-after-2024-revisions.yaml", "national", "as-announced-2024", &p);
    assert_true(p.c.visits >= 1);
    assert_int_equal(p.c.visits_differ, 1);
    const struct replay_diff_resident *r = &p.c.residents[0];
    assert_int_equal(r->visit_count, 1);
    const struct replay_diff_visit *v = &r->visits[0];
    char day[11];
    core_date_format(v->day, day);
    assert_string_equal(day, "2025-01-15");
    assert_int_equal(v->differs, REPLAY_VISIT_FEE); /* the same outcome, route and check: only the fee */
    assert_true(v->side[REPLAY_SIDE_A].present && v->side[REPLAY_SIDE_B].present);
    assert_true(v->side[REPLAY_SIDE_A].fee_charged);
    assert_int_equal(v->side[REPLAY_SIDE_A].fee_total, 10);
    assert_int_equal(v->side[REPLAY_SIDE_A].copay, 3);
    assert_false(v->side[REPLAY_SIDE_B].fee_charged);
    assert_int_equal(v->side[REPLAY_SIDE_A].outcome, v->side[REPLAY_SIDE_B].outcome);
    assert_int_equal(v->side[REPLAY_SIDE_A].card_check, v->side[REPLAY_SIDE_B].card_check);
    pair_free(&p);
}

static void one_policy_twice_differs_in_nothing(void **state)
{
    (void)state;
    static const char *const files[] = {"fees-before-and-after-2024-revisions.yaml",
                                        "latter-elderly-july-2025-renewal-certificate-to-all.yaml",
                                        "nhi-card-lost-in-september-certificate-on-application.yaml"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        struct pair p;
        compare_library(files[f], "as-announced-2024", "as-announced-2024", &p);
        assert_int_equal(p.c.visits_differ, 0);
        assert_int_equal(p.c.mailings_only[0] + p.c.mailings_only[1], 0);
        assert_int_equal(p.c.mailings[0], p.c.mailings[1]);
        assert_int_equal(p.c.expects_differ, 0);
        assert_int_equal(p.c.expects_passed[0], p.c.expects_passed[1]);
        assert_int_equal(p.c.residents_differ, 0);
        for (size_t i = 0; i < p.c.expect_count; i++)
            assert_string_equal(p.c.expects[i].message[0], p.c.expects[i].message[1]);
        pair_free(&p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lost_card_look_up_visit_passes_under_national_only),
        cmocka_unit_test(the_as_announced_file_passes_under_its_own_policy_only),
        cmocka_unit_test(amend_2_mails_a_certificate_where_the_plan_mailed_a_notice),
        cmocka_unit_test(the_2024_fee_revision_changes_a_visits_fee),
        cmocka_unit_test(one_policy_twice_differs_in_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
