/* Tests of sim/world: the starting state, mailings, losses and lags, AGE-75 and the amendments, judged on
 * day ranges (docs/RULES.md outcomes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "world/world.h"

static core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

struct run {
    struct scenario *scn;
    struct world *w;
};

static void run_yaml(struct run *r, const char *yaml)
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
    if (world_new(r->scn, &r->w, &err) != CORE_OK || world_run(r->w, &err) != CORE_OK)
        fail_msg("world: %s", err.message);
}

static void run_free(struct run *r)
{
    world_free(r->w);
    scenario_free(r->scn);
}

static bool has_event(const struct world *w, int res, const char *what, const char *rule, core_day day)
{
    for (size_t i = 0; i < world_event_count(w); i++) {
        const struct world_event *e = world_event_at(w, i);
        if (e->resident == res && strcmp(e->what, what) == 0 &&
            (rule == NULL || strcmp(e->rule, rule) == 0) && (day == CORE_DAY_NONE || e->day == day))
            return true;
    }
    return false;
}

#define DOC(x) SCENARIO_DOC_BIT(SCENARIO_DOC_##x)

/* CERT-1/CERT-2: an Aisho NHI member without a card gets a certificate 14 days before 2025-07-31, valid from
 * 2025-08-01 to 2026-07-31 (CERT-4), and has no gap day. */
static void nhi_member_without_card_gets_certificate_before_paper_ends(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: aisho\n"
                 "period: {from: 2024-12-01, to: 2025-12-31}\n"
                 "insurers: [{id: aisho, kind: nhi, number: \"112334\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1960-05-10, insurer: aisho, paper_card: {issued: 2024-08-01}}\n");
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_CERTIFICATE, D("2025-07-17"), SCENARIO_NOTICE_ANY),
                     D("2025-07-17"));
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_CERTIFICATE, D("2025-07-16"), SCENARIO_NOTICE_ANY),
                     CORE_DAY_NONE);
    assert_true(has_event(r.w, 0, "certificate_mailed", "CERT-2", D("2025-07-17")));
    assert_true(world_holds(r.w, 0, D("2025-07-31")) & DOC(PAPER_CARD));
    assert_false(world_holds(r.w, 0, D("2025-08-01")) & DOC(PAPER_CARD));
    assert_true(world_holds(r.w, 0, D("2025-08-01")) & DOC(CERTIFICATE));
    assert_true(world_in_hand(r.w, 0, D("2025-08-01")) & DOC(PAPER_CARD));
    assert_int_equal(world_gap_days(r.w, 0), 0);
    struct scenario_visit v = {SCENARIO_NONE, false, 0, true, SCENARIO_VISIT_FIRST, 0};
    struct world_visit out;
    struct core_error err;
    assert_int_equal(world_probe_visit(r.w, 0, D("2025-09-01"), &v, &out, &err), CORE_OK);
    assert_int_equal(out.decision.outcome, CLINIC_INSURED);
    assert_int_equal(out.decision.route, CLINIC_ROUTE_CERTIFICATE);
    run_free(&r);
}

static enum eligibility_result check(const struct world *w, int res, const char *day)
{
    struct eligibility_answer a;
    struct core_error err;
    assert_int_equal(world_probe_check(w, res, D(day), SCENARIO_NONE, &a, &err), CORE_OK);
    return a.result;
}

/* PAPER-2: an employee-insurance paper card without printed expiry is usable to the cap, 2025-12-01. */
static void employee_paper_card_unusable_from_2025_12_02(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: society\n"
                 "period: {from: 2024-10-01, to: 2025-12-31}\n"
                 "insurers: [{id: soc, kind: society}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1980-01-10, insurer: soc, paper_card: {issued: 2024-04-01},\n"
                 "     card: {issued: 2022-06-01}, registered: 2023-02-01}\n");
    assert_true(world_holds(r.w, 0, D("2025-12-01")) & DOC(PAPER_CARD));
    assert_false(world_holds(r.w, 0, D("2025-12-02")) & DOC(PAPER_CARD));
    /* NOTICE-6: a society member holding a card receives the D-1 type A notice. */
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_NOTICE, D("2025-01-01"), SCENARIO_NOTICE_A),
                     D("2024-10-31"));
    assert_int_equal(check(r.w, 0, "2025-12-02"), ELIGIBILITY_OK);
    assert_int_equal(world_gap_days(r.w, 0), 0);
    run_free(&r);
}

/* MYNA-6 + AMEND-1: a lost card is suspended and not in hand (no_card); with the notice alone the days until
 * the certificate applied for arrives are grace days under national and gap days under as-announced-2024. */
static const char *lost_card_yaml_pre = "scenario: lost\n"
                                        "period: {from: 2025-08-01, to: 2025-12-31}\n"
                                        "policy: ";
static const char *lost_card_yaml_post =
    "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
    "clinics: [{id: c1, reader: face}]\n"
    "residents:\n"
    "  - {id: r1, born: 1958-05-10, insurer: kita, card: {issued: 2022-06-01},\n"
    "     registered: 2023-02-01, holds: [notice]}\n"
    "events:\n"
    "  - {date: 2025-09-10, who: r1, do: lose_card}\n"
    "  - {date: 2025-09-12, who: r1, do: apply_certificate, reason: A}\n";

static void lost_card_grace_days_national_gap_days_2024(void **state)
{
    (void)state;
    char buf[1024];
    struct run r;
    snprintf(buf, sizeof buf, "%s%s\n%s", lost_card_yaml_pre, "national", lost_card_yaml_post);
    run_yaml(&r, buf);
    assert_true(has_event(r.w, 0, "lose_card", "MYNA-6", D("2025-09-10")));
    assert_int_equal(check(r.w, 0, "2025-09-09"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2025-09-11"), ELIGIBILITY_NO_CARD);
    assert_false(world_in_hand(r.w, 0, D("2025-09-10")) & DOC(CARD));
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_CERTIFICATE, D("2025-12-31"), SCENARIO_NOTICE_ANY),
                     D("2025-09-19"));
    assert_int_equal(world_grace_days(r.w, 0), 9);
    assert_int_equal(world_gap_days(r.w, 0), 0);
    struct scenario_visit v = {0, true, DOC(NOTICE), true, SCENARIO_VISIT_FIRST, 0};
    struct world_visit out;
    struct core_error err;
    assert_int_equal(world_probe_visit(r.w, 0, D("2025-09-11"), &v, &out, &err), CORE_OK);
    assert_int_equal(out.decision.outcome, CLINIC_INSURED);
    assert_int_equal(out.decision.route, CLINIC_ROUTE_LOOKUP);
    run_free(&r);

    snprintf(buf, sizeof buf, "%s%s\n%s", lost_card_yaml_pre, "as-announced-2024", lost_card_yaml_post);
    run_yaml(&r, buf);
    assert_int_equal(world_grace_days(r.w, 0), 0);
    assert_int_equal(world_gap_days(r.w, 0), 9);
    assert_int_equal(world_first_gap(r.w, 0), D("2025-09-10"));
    run_free(&r);
}

/* MYNA-3 / DESK-2: a loss filed late leaves the new membership blocked (not_reflected) and lets the old paper
 * card pass the number check: a claim error. */
static void late_loss_filing_not_reflected_and_claim_error(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r,
             "scenario: late-loss\n"
             "period: {from: 2024-12-01, to: 2025-06-30}\n"
             "insurers: [{id: soc, kind: society}, {id: kyo, kind: kyokai}]\n"
             "clinics: [{id: c1, reader: face}]\n"
             "residents:\n"
             "  - {id: r1, born: 1985-03-03, insurer: soc, paper_card: {issued: 2024-04-01},\n"
             "     card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
             "events:\n"
             "  - {date: 2025-03-01, who: r1, do: leave, processed: 2025-04-15}\n"
             "  - {date: 2025-03-01, who: r1, do: enroll, insurer: kyo}\n"
             "  - {date: 2025-03-10, who: r1, do: visit, clinic: c1, bring: [paper_card], kind: first}\n");
    assert_int_equal(check(r.w, 0, "2025-03-10"), ELIGIBILITY_NOT_REFLECTED);
    assert_int_equal(check(r.w, 0, "2025-05-01"), ELIGIBILITY_OK);
    assert_int_equal(world_visit_count(r.w), 1);
    const struct world_visit *v = world_visit_at(r.w, 0);
    assert_int_equal(v->decision.outcome, CLINIC_INSURED);
    assert_int_equal(v->decision.route, CLINIC_ROUTE_PAPER_CARD);
    assert_true(v->claim_error);
    assert_int_equal(world_claim_errors(r.w, 0), 1);
    /* PAPER-3: the old card is not usable from the enrollment day; NOTICE-1 at enrollment. */
    assert_false(world_holds(r.w, 0, D("2025-03-01")) & DOC(PAPER_CARD));
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_NOTICE, D("2025-03-01"), SCENARIO_NOTICE_B),
                     D("2025-03-01"));
    run_free(&r);
}

/* AGE-75: the latter-stage elderly certificate arrives by the end of the month before the birthday, the NHI
 * paper card stops on the birthday, and the `latter-elderly` insurer is created. */
static void turning_75_moves_to_latter_elderly(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: seventy-five\n"
                 "period: {from: 2024-12-01, to: 2025-12-31}\n"
                 "insurers: [{id: aisho, kind: nhi}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1950-06-15, insurer: aisho, paper_card: {issued: 2024-08-01}}\n");
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_CERTIFICATE, D("2025-12-31"), SCENARIO_NOTICE_ANY),
                     D("2025-05-31"));
    assert_true(world_holds(r.w, 0, D("2025-06-14")) & DOC(PAPER_CARD));
    assert_false(world_holds(r.w, 0, D("2025-06-15")) & DOC(PAPER_CARD));
    assert_true(world_holds(r.w, 0, D("2025-06-15")) & DOC(CERTIFICATE));
    assert_int_equal(world_insurer_count(r.w), 2);
    assert_string_equal(world_insurer_id(r.w, 1), "latter-elderly");
    assert_true(has_event(r.w, 0, "enroll", "AGE-75", D("2025-06-15")));
    assert_int_equal(world_gap_days(r.w, 0), 0);
    run_free(&r);
}

/* AMEND-3: an expired user certificate passes to the end of the third month after under national. */
static const char *amend3_yaml_pre = "scenario: cert-grace\n"
                                     "period: {from: 2025-01-01, to: 2025-12-31}\n"
                                     "policy: ";
static const char *amend3_yaml_post = "insurers: [{id: kita, kind: nhi}]\n"
                                      "residents:\n"
                                      "  - {id: r1, born: 1970-05-10, insurer: kita,\n"
                                      "     card: {issued: 2020-04-01, cert_expires: 2025-03-31},\n"
                                      "     registered: 2023-02-01, holds: [notice]}\n";

static void expired_cert_grace_under_national(void **state)
{
    (void)state;
    char buf[1024];
    struct run r;
    snprintf(buf, sizeof buf, "%s%s\n%s", amend3_yaml_pre, "national", amend3_yaml_post);
    run_yaml(&r, buf);
    assert_int_equal(check(r.w, 0, "2025-07-31"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2025-08-01"), ELIGIBILITY_CERT_EXPIRED);
    /* CERT-5 F: the certificate arrives detection_lag_days after the first cert_expired day. */
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_CERTIFICATE, D("2025-12-31"), SCENARIO_NOTICE_ANY),
                     D("2025-08-31"));
    run_free(&r);
    snprintf(buf, sizeof buf, "%s%s\n%s", amend3_yaml_pre, "as-announced-2024", amend3_yaml_post);
    run_yaml(&r, buf);
    assert_int_equal(check(r.w, 0, "2025-04-01"), ELIGIBILITY_CERT_EXPIRED);
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_CERTIFICATE, D("2025-12-31"), SCENARIO_NOTICE_ANY),
                     D("2025-05-01"));
    /* MYNA-4 (2): card + notice still gets insured care while the check answers cert_expired. */
    assert_int_equal(world_gap_days(r.w, 0), 0);
    run_free(&r);
}

/* Determinism: the same scenario and seed give the same generated numbers and ranges. */
static void same_seed_same_world(void **state)
{
    (void)state;
    const char *y = "scenario: det\nperiod: {from: 2024-12-01, to: 2025-12-31}\nseed: 7\n"
                    "insurers: [{id: a, kind: kyokai}]\n"
                    "residents: [{id: r1, born: 1990-01-01, insurer: a, paper_card: {issued: 2024-01-01}}]\n";
    struct run a, b;
    run_yaml(&a, y);
    run_yaml(&b, y);
    assert_string_equal(world_insurer_number(a.w, 0), world_insurer_number(b.w, 0));
    assert_int_equal(world_range_count(a.w, 0), world_range_count(b.w, 0));
    assert_int_equal(world_event_count(a.w), world_event_count(b.w));
    run_free(&a);
    run_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nhi_member_without_card_gets_certificate_before_paper_ends),
        cmocka_unit_test(employee_paper_card_unusable_from_2025_12_02),
        cmocka_unit_test(lost_card_grace_days_national_gap_days_2024),
        cmocka_unit_test(late_loss_filing_not_reflected_and_claim_error),
        cmocka_unit_test(turning_75_moves_to_latter_elderly),
        cmocka_unit_test(expired_cert_grace_under_national),
        cmocka_unit_test(same_seed_same_world),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
