/* Tests of sim/world: the insurers' mailings — the July annual renewal (D-5, NOTICE-5, CERT-4), AMEND-2 under
 * both policies, dependents moving with the insured (enroll) and joining NHI when the insured turns 75
 * (AGE-75, with 29 February and 1st-of-month birthdays), and CERT-3 holding renewals back while a usable
 * paper card is held. Policy values: certificate.lead_days 14 (31 July - 14 = 17 July), max_validity_months
 * 12, application_lag_days 7; certificate.all_elderly true from 2025-04-03 to 2026-07-31 under national. */
#include "world_test.h"

/* D-5 / NOTICE-5: an NHI member with マイナ保険証 and no paper card is sent the July renewal notice (type B) on
 * 2025-07-17; a member holding a certificate gets its renewal (CERT-4) the same day, valid 2025-08-01 to
 * 2026-07-31. The notice held at the start is not a mailing. */
static void july_renewal_nhi(void **state)
{
    (void)state;
    static const char *pols[] = {"national", "as-announced-2024"};
    for (int p = 0; p < 2; p++) {
        struct run r;
        run_policy(&r, "scenario: july\nperiod: {from: 2025-06-01, to: 2025-12-31}\npolicy: ", pols[p],
                   "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                   "residents:\n"
                   "  - {id: r1, born: 1970-05-10, insurer: kita, card: {issued: 2022-06-01},\n"
                   "     registered: 2023-02-01, holds: [notice]}\n"
                   "  - {id: r2, born: 1971-05-10, insurer: kita, holds: [certificate]}\n");
        assert_int_equal(received(r.w, 0, SCENARIO_DOC_NOTICE, "2025-07-16"), CORE_DAY_NONE);
        assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_NOTICE, D("2025-07-17"), SCENARIO_NOTICE_B),
                         D("2025-07-17"));
        assert_true(has_event(r.w, 0, "notice_mailed", "D-5", D("2025-07-17")));
        assert_int_equal(count_events(r.w, 0, "notice_mailed", NULL, CORE_DAY_NONE), 1);
        assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-12-31"), CORE_DAY_NONE);
        const struct world_event *e = find_event(r.w, 1, "certificate_mailed", "CERT-4", D("2025-07-17"));
        assert_non_null(e);
        assert_non_null(strstr(e->detail, "valid 2025-08-01..2026-07-31"));
        assert_int_equal(count_events(r.w, 1, "certificate_mailed", NULL, CORE_DAY_NONE), 1);
        assert_true(holds(r.w, 1, "2025-07-31", DOC(CERTIFICATE)));
        assert_true(holds(r.w, 1, "2025-08-01", DOC(CERTIFICATE)));
        assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
        assert_int_equal(unlawful(r.w, 0) + unlawful(r.w, 1), 0);
        run_free(&r);
    }
}

/* AMEND-2: a latter-stage elderly member with マイナ保険証 gets a certificate at the July 2025 renewal under
 * national (no notice), a notice (D-5) as announced in 2024. A 75th birthday on 2025-10-20: the new insurer's
 * document reaches the resident by 2025-09-30, a certificate under national (AMEND-2), a notice as announced. */
static void amend2_both_policies(void **state)
{
    (void)state;
    const char *post = "insurers: [{id: kouki, kind: latter_elderly}, {id: kita, kind: nhi}]\n"
                       "residents:\n"
                       "  - {id: r1, born: 1945-03-03, insurer: kouki, card: {issued: 2022-06-01},\n"
                       "     registered: 2023-02-01, holds: [notice]}\n"
                       "  - {id: r2, born: 1950-10-20, insurer: kita, card: {issued: 2022-06-01},\n"
                       "     registered: 2023-02-01, holds: [notice]}\n";
    const char *pre = "scenario: amend2\nperiod: {from: 2025-06-01, to: 2025-12-31}\npolicy: ";
    struct run r;
    run_policy(&r, pre, "national", post);
    const struct world_event *e = find_event(r.w, 0, "certificate_mailed", "AMEND-2", D("2025-07-17"));
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "valid 2025-08-01..2026-07-31"));
    assert_int_equal(count_events(r.w, 0, "notice_mailed", NULL, CORE_DAY_NONE), 0);
    assert_true(holds(r.w, 0, "2025-08-01", DOC(CERTIFICATE)));
    assert_int_equal(received(r.w, 1, SCENARIO_DOC_CERTIFICATE, "2025-09-29"), CORE_DAY_NONE);
    assert_int_equal(received(r.w, 1, SCENARIO_DOC_CERTIFICATE, "2025-09-30"), D("2025-09-30"));
    assert_true(has_event(r.w, 1, "certificate_mailed", "AMEND-2", D("2025-09-30")));
    assert_false(holds(r.w, 1, "2025-10-19", DOC(CERTIFICATE)));
    assert_true(holds(r.w, 1, "2025-10-20", DOC(CERTIFICATE)));
    assert_true(has_event(r.w, 1, "enroll", "AGE-75", D("2025-10-20")));
    assert_int_equal(range_on(r.w, 1, "2025-10-19")->insurer, 1);
    assert_int_equal(range_on(r.w, 1, "2025-10-20")->insurer, 0);
    assert_int_equal(check(r.w, 1, "2025-10-20"), ELIGIBILITY_NOT_REFLECTED);
    assert_int_equal(check(r.w, 1, "2025-10-25"), ELIGIBILITY_OK);
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
    assert_int_equal(unlawful(r.w, 0) + unlawful(r.w, 1), 0);
    run_free(&r);

    run_policy(&r, pre, "as-announced-2024", post);
    assert_true(has_event(r.w, 0, "notice_mailed", "D-5", D("2025-07-17")));
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-12-31"), CORE_DAY_NONE);
    assert_true(has_event(r.w, 1, "notice_mailed", "AGE-75", D("2025-09-30")));
    assert_int_equal(received(r.w, 1, SCENARIO_DOC_CERTIFICATE, "2025-12-31"), CORE_DAY_NONE);
    /* The new membership's notice with the card while the enrollment is not reflected (NOTICE-3). */
    struct world_visit v = probe(r.w, 1, "2025-10-21", SCENARIO_NONE, 0, SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.decision.outcome, CLINIC_INSURED);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_CARD_NOTICE);
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
    run_free(&r);
}

/* Dependents move with the insured (docs/SCENARIO-FORMAT.md): r1 joins kyokai on 2025-03-01, r2 (a dependent without a
 * card) moves the same day as a dependent, gets a certificate that day (CERT-6), and her society paper card
 * stops being usable that day (PAPER-3). r1 (with マイナ保険証) gets a notice that day (NOTICE-1). */
static void dependents_move_with_insured(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: deps\n"
                 "period: {from: 2025-01-01, to: 2025-12-31}\n"
                 "insurers: [{id: soc, kind: society}, {id: kyo, kind: kyokai}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1980-01-10, insurer: soc, paper_card: {issued: 2024-04-01},\n"
                 "     card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
                 "  - {id: r2, born: 2010-05-05, insurer: soc, role: dependent, of: r1,\n"
                 "     paper_card: {issued: 2024-04-01}}\n"
                 "events:\n"
                 "  - {date: 2025-03-01, who: r1, do: enroll, insurer: kyo}\n");
    assert_true(has_event(r.w, 1, "enroll", "MYNA-9", D("2025-03-01")));
    assert_true(holds(r.w, 1, "2025-02-28", DOC(PAPER_CARD)));
    assert_false(holds(r.w, 1, "2025-03-01", DOC(PAPER_CARD)));
    assert_int_equal(received(r.w, 1, SCENARIO_DOC_CERTIFICATE, "2025-03-01"), D("2025-03-01"));
    assert_true(has_event(r.w, 1, "certificate_mailed", "CERT-6", D("2025-03-01")));
    assert_true(holds(r.w, 1, "2025-03-01", DOC(CERTIFICATE)));
    assert_int_equal(range_on(r.w, 1, "2025-02-28")->insurer, 0);
    assert_int_equal(range_on(r.w, 1, "2025-03-01")->insurer, 1);
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_NOTICE, D("2025-03-01"), SCENARIO_NOTICE_B),
                     D("2025-03-01"));
    assert_false(holds(r.w, 0, "2025-03-01", DOC(PAPER_CARD)));
    /* The certificate of the new membership passes the number check before it is reflected (DESK-2). */
    struct world_visit v =
        probe(r.w, 1, "2025-03-02", SCENARIO_NONE, DOC(CERTIFICATE), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.decision.outcome, CLINIC_INSURED);
    assert_false(v.claim_error);
    /* The old paper card shown after the move is billed to the ended membership: a claim error while the loss
     * is not visible (filed 2025-03-01, visible 2025-03-06), refused after. */
    v = probe(r.w, 1, "2025-03-02", SCENARIO_NONE, DOC(PAPER_CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.decision.outcome, CLINIC_INSURED);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_PAPER_CARD);
    assert_true(v.claim_error);
    v = probe(r.w, 1, "2025-03-06", SCENARIO_NONE, DOC(PAPER_CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.decision.outcome, CLINIC_SELF_PAY);
    assert_false(v.claim_error);
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
    assert_int_equal(unlawful(r.w, 0) + unlawful(r.w, 1), 0);
    run_free(&r);
}

/* AGE-75: the insured turns 75 on 2025-06-15; the latter-stage elderly document reaches him by 2025-05-31; his
 * dependent spouse (under 75) joins NHI — created as `nhi` — on the birthday and gets its certificate that day
 * (valid to 2025-07-31, CERT-4), renewed on 2025-07-17 from 2025-08-01. */
static void dependent_joins_nhi_when_insured_turns_75(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: seventy-five-deps\n"
                 "period: {from: 2025-01-01, to: 2025-12-31}\n"
                 "insurers: [{id: soc, kind: society}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1950-06-15, insurer: soc, paper_card: {issued: 2024-04-01},\n"
                 "     card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
                 "  - {id: r2, born: 1955-01-01, insurer: soc, role: dependent, of: r1,\n"
                 "     paper_card: {issued: 2024-04-01}}\n");
    assert_int_equal(world_insurer_count(r.w), 3);
    assert_string_equal(world_insurer_id(r.w, 1), "latter-elderly");
    assert_string_equal(world_insurer_id(r.w, 2), "nhi");
    assert_int_equal(strlen(world_insurer_number(r.w, 2)), 6);
    assert_int_equal(strlen(world_insurer_number(r.w, 1)), 8);
    /* r1 holds マイナ保険証: under national (AMEND-2 from 2025-04-03) a certificate, by the end of May. */
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-05-31"), D("2025-05-31"));
    assert_true(holds(r.w, 0, "2025-06-14", DOC(PAPER_CARD)));
    assert_false(holds(r.w, 0, "2025-06-15", DOC(PAPER_CARD)));
    assert_true(has_event(r.w, 0, "enroll", "AGE-75", D("2025-06-15")));
    /* r2 */
    assert_true(has_event(r.w, 1, "enroll", "AGE-75", D("2025-06-15")));
    assert_true(holds(r.w, 1, "2025-06-14", DOC(PAPER_CARD)));
    assert_false(holds(r.w, 1, "2025-06-15", DOC(PAPER_CARD)));
    const struct world_event *e = find_event(r.w, 1, "certificate_mailed", "CERT-6", D("2025-06-15"));
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "valid 2025-06-15..2025-07-31"));
    assert_int_equal(range_on(r.w, 1, "2025-06-15")->insurer, 2);
    assert_int_equal(range_on(r.w, 1, "2025-06-14")->insurer, 0);
    e = find_event(r.w, 1, "certificate_mailed", "CERT-4", D("2025-07-17"));
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "valid 2025-08-01..2026-07-31"));
    assert_true(holds(r.w, 1, "2025-08-01", DOC(CERTIFICATE)));
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
    assert_int_equal(unlawful(r.w, 0) + unlawful(r.w, 1), 0);
    run_free(&r);
}

/* AGE-75 with a 29 February birthday: born 1952-02-29, the 75th birthday is 2027-03-01 (common year), a
 * birthday on the 1st, so the document arrives by the end of the month before the month before: 2027-01-31. */
static void age75_born_29_february(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: leap-75\n"
                 "period: {from: 2026-09-01, to: 2027-04-30}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1952-02-29, insurer: kita, holds: [certificate]}\n");
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2027-01-30"), CORE_DAY_NONE);
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2027-01-31"), D("2027-01-31"));
    assert_true(has_event(r.w, 0, "certificate_mailed", "AGE-75", D("2027-01-31")));
    assert_false(has_event(r.w, 0, "enroll", "AGE-75", D("2027-02-28")));
    assert_true(has_event(r.w, 0, "enroll", "AGE-75", D("2027-03-01")));
    assert_int_equal(range_on(r.w, 0, "2027-02-28")->insurer, 0);
    assert_int_equal(range_on(r.w, 0, "2027-03-01")->insurer, 1);
    assert_true(holds(r.w, 0, "2027-03-01", DOC(CERTIFICATE)));
    assert_int_equal(world_gap_days(r.w, 0), 0);
    run_free(&r);
}

/* AGE-75 with a birthday on the 1st: born 1950-07-01, 75 on 2025-07-01; the document arrives by 2025-05-31; the
 * NHI paper card is usable to 2025-06-30 (PAPER-3), not to its printed 2025-07-31, and its CERT-2 mailing is
 * not sent (the membership ended). */
static void age75_born_on_the_first(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: first-75\n"
                 "period: {from: 2025-01-01, to: 2025-12-31}\n"
                 "insurers: [{id: aisho, kind: nhi}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1950-07-01, insurer: aisho, paper_card: {issued: 2024-08-01}}\n");
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-05-30"), CORE_DAY_NONE);
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-05-31"), D("2025-05-31"));
    assert_true(holds(r.w, 0, "2025-06-30", DOC(PAPER_CARD)));
    assert_false(holds(r.w, 0, "2025-07-01", DOC(PAPER_CARD)));
    assert_true(holds(r.w, 0, "2025-07-01", DOC(CERTIFICATE)));
    assert_int_equal(count_events(r.w, 0, "certificate_mailed", "CERT-2", CORE_DAY_NONE), 0);
    assert_true(holds(r.w, 0, "2025-08-01", DOC(CERTIFICATE)));
    assert_int_equal(world_gap_days(r.w, 0), 0);
    assert_int_equal(unlawful(r.w, 0), 0);
    run_free(&r);
}

/* CERT-3: a certificate is not renewed while the holder keeps a paper card that is still usable after it —
 * the paper card's own advance mailing (CERT-2, 14 days before its last day) brings the next one. r1's
 * certificate ends 2025-07-31 and her NHI paper card 2025-11-30: one certificate, mailed 2025-11-16, valid
 * from 2025-12-01. r2's paper card and certificate both end 2025-07-31: one certificate (CERT-2), not two. */
static void certificate_renewal_held_back_by_paper_card(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: renewal-paper\n"
                 "period: {from: 2025-01-01, to: 2025-12-31}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1970-05-10, insurer: kita,\n"
                 "     paper_card: {issued: 2024-08-01, expires: 2025-11-30}, holds: [certificate]}\n"
                 "  - {id: r2, born: 1971-05-10, insurer: kita, paper_card: {issued: 2024-08-01},\n"
                 "     holds: [certificate]}\n");
    assert_int_equal(count_events(r.w, 0, "certificate_mailed", NULL, CORE_DAY_NONE), 1);
    const struct world_event *e = find_event(r.w, 0, "certificate_mailed", "CERT-2", D("2025-11-16"));
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "valid 2025-12-01..2026-07-31"));
    assert_true(holds(r.w, 0, "2025-11-30", DOC(PAPER_CARD)));
    assert_true(holds(r.w, 0, "2025-12-01", DOC(CERTIFICATE)));
    assert_int_equal(count_events(r.w, 1, "certificate_mailed", NULL, CORE_DAY_NONE), 1);
    assert_true(has_event(r.w, 1, "certificate_mailed", "CERT-2", D("2025-07-17")));
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
    assert_int_equal(unlawful(r.w, 0), 0);
    assert_int_equal(unlawful(r.w, 1), 0);
    run_free(&r);
}

/* Applications (CERT-5 A–G): each reason is checked against the resident's state; a refused one is a failed
 * event, an accepted one arrives 7 days later; an application not insured on arrival is refused then. */
static void certificate_applications(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r,
             "scenario: apply\n"
             "period: {from: 2025-09-01, to: 2026-03-31}\n"
             "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
             "residents:\n"
             "  - {id: r1, born: 1970-05-10, insurer: kita, card: {issued: 2022-06-01}, holds: [notice]}\n"
             "  - {id: r2, born: 1971-05-10, insurer: kita, card: {issued: 2022-06-01},\n"
             "     registered: 2023-02-01, holds: [notice]}\n"
             "  - {id: r3, born: 1972-05-10, insurer: kita, holds: [certificate]}\n"
             "events:\n"
             "  - {date: 2025-10-01, who: r1, do: apply_certificate, reason: A}\n"
             "  - {date: 2025-10-01, who: r1, do: apply_certificate, reason: C}\n"
             "  - {date: 2025-10-01, who: r1, do: apply_certificate, reason: E}\n"
             "  - {date: 2025-10-01, who: r1, do: apply_certificate, reason: F}\n"
             "  - {date: 2025-10-01, who: r1, do: apply_certificate, reason: G}\n"
             "  - {date: 2025-10-01, who: r1, do: apply_certificate, reason: D}\n"
             "  - {date: 2025-10-01, who: r2, do: apply_certificate, reason: D}\n"
             "  - {date: 2025-10-01, who: r2, do: withdraw}\n"
             "  - {date: 2025-10-01, who: r3, do: apply_certificate, reason: C}\n"
             "  - {date: 2025-10-02, who: r2, do: apply_certificate, reason: E}\n"
             "  - {date: 2025-10-03, who: r3, do: leave}\n");
    int refused = 0;
    for (size_t i = 0; i < world_event_count(r.w); i++) {
        const struct world_event *e = world_event_at(r.w, i);
        if (strcmp(e->what, "apply_certificate") == 0 && e->failed)
            refused++;
    }
    assert_int_equal(refused, 6); /* r1: A, C, E, F, G; r2: D */
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-10-08"), D("2025-10-08"));
    assert_int_equal(received(r.w, 1, SCENARIO_DOC_CERTIFICATE, "2025-10-09"), D("2025-10-09"));
    assert_true(has_event(r.w, 2, "certificate_refused", "CERT-5", D("2025-10-08")));
    assert_int_equal(count_events(r.w, 2, "certificate_mailed", NULL, CORE_DAY_NONE), 0);
    run_free(&r);
}

/* PAPER-1 / PAPER-2: up to 2024-12-01 an insurer still issues a paper card at enrollment (CERT-6 and NOTICE-1
 * apply from 2024-12-02). r1 joins kyokai on 2024-11-15 without a card: a kyokai paper card that day, usable to
 * the cap (2025-12-01), then the CERT-2 certificate on 2025-11-17 valid from 2025-12-02; her dependent r2 moves
 * with her and gets one too. r3 joins NHI on 2024-11-20 with マイナ保険証: an NHI paper card to 2025-07-31
 * (paper_card.latest_expiry) and the NOTICE-5 notice on 2025-07-17. No gap day. */
static void enrollment_before_d3_gets_paper_card(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: early-enroll\n"
                 "period: {from: 2024-10-01, to: 2025-12-31}\n"
                 "insurers: [{id: soc, kind: society}, {id: kyo, kind: kyokai}, {id: kita, kind: nhi}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1972-05-10, insurer: soc, paper_card: {issued: 2024-08-01}}\n"
                 "  - {id: r2, born: 2012-05-10, insurer: soc, role: dependent, of: r1,\n"
                 "     paper_card: {issued: 2024-08-01}}\n"
                 "  - {id: r3, born: 1973-05-10, insurer: soc, paper_card: {issued: 2024-08-01},\n"
                 "     card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
                 "events:\n"
                 "  - {date: 2024-11-15, who: r1, do: enroll, insurer: kyo}\n"
                 "  - {date: 2024-11-20, who: r3, do: enroll, insurer: kita}\n");
    for (int res = 0; res < 2; res++) {
        const struct world_event *e = find_event(r.w, res, "paper_card_issued", "PAPER-1", D("2024-11-15"));
        assert_string_equal(e->detail, "kyo to 2025-12-01");
        assert_true(holds(r.w, res, "2024-11-15", DOC(PAPER_CARD)));
        assert_true(holds(r.w, res, "2025-12-01", DOC(PAPER_CARD)));
        assert_false(holds(r.w, res, "2025-12-02", DOC(PAPER_CARD)));
        assert_int_equal(range_on(r.w, res, "2025-06-01")->insurer, 1);
        e = find_event(r.w, res, "certificate_mailed", "CERT-2", D("2025-11-17"));
        assert_non_null(strstr(e->detail, "kyo valid 2025-12-02..2026-12-01"));
        assert_int_equal(count_events(r.w, res, "certificate_mailed", NULL, CORE_DAY_NONE), 1);
    }
    assert_string_equal(find_event(r.w, 2, "paper_card_issued", "PAPER-1", D("2024-11-20"))->detail,
                        "kita to 2025-07-31");
    assert_true(holds(r.w, 2, "2025-07-31", DOC(PAPER_CARD)));
    assert_false(holds(r.w, 2, "2025-08-01", DOC(PAPER_CARD)));
    assert_true(has_event(r.w, 2, "notice_mailed", "NOTICE-5", D("2025-07-17")));
    assert_int_equal(count_events(r.w, 2, "certificate_mailed", NULL, CORE_DAY_NONE), 0);
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
    for (int res = 0; res < 3; res++)
        assert_int_equal(unlawful(r.w, res), 0);
    run_free(&r);
}

/* CERT-4: an NHI certificate issued at enrollment on 2025-07-20 runs to 2025-07-31; its renewal (due 14 days
 * before, 2025-07-17, already past) is mailed at once, on the enrollment day, valid 2025-08-01..2026-07-31 —
 * never before the enrollment. The July renewal of 2025-07-17 did not reach her (not yet a member). */
static void late_july_enrollment_renewed_at_once(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: late-july\n"
                 "period: {from: 2025-06-01, to: 2025-12-31}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}, {id: kyo, kind: kyokai}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1972-05-10, insurer: kyo, holds: [certificate]}\n"
                 "events:\n"
                 "  - {date: 2025-07-20, who: r1, do: enroll, insurer: kita}\n");
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-07-19"), CORE_DAY_NONE);
    const struct world_event *e = find_event(r.w, 0, "certificate_mailed", "CERT-6", D("2025-07-20"));
    assert_non_null(strstr(e->detail, "kita valid 2025-07-20..2025-07-31"));
    e = find_event(r.w, 0, "certificate_mailed", "CERT-4", CORE_DAY_NONE);
    assert_int_equal(e->day, D("2025-07-20"));
    assert_non_null(strstr(e->detail, "kita valid 2025-08-01..2026-07-31"));
    assert_int_equal(count_events(r.w, 0, "certificate_mailed", NULL, CORE_DAY_NONE), 2);
    assert_true(holds(r.w, 0, "2025-08-01", DOC(CERTIFICATE)));
    assert_int_equal(world_gap_days(r.w, 0), 0);
    assert_int_equal(unlawful(r.w, 0), 0);
    run_free(&r);
}

/* A dependent who enrolls on her own the day the insured moves does not move with him as well (one
 * membership, not two: the registry would see two memberships covering the day and answer not_reflected for
 * ever). r1 leaves the society and joins NHI on 2025-02-01; r2, his dependent, joins the same NHI as an
 * insured person that day, before him in the file. */
static void dependent_enrolled_on_her_own_does_not_move_twice(void **state)
{
    (void)state;
    struct run r;
    run_yaml(
        &r,
        "scenario: own-enroll\n"
        "period: {from: 2025-01-01, to: 2025-06-30}\n"
        "insurers: [{id: kita, kind: nhi, number: \"112334\"}, {id: soc, kind: society}]\n"
        "residents:\n"
        "  - {id: r1, born: 1960-05-10, insurer: soc, card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
        "  - {id: r2, born: 1990-05-10, insurer: soc, role: dependent, of: r1, card: {issued: 2022-06-01},\n"
        "     registered: 2023-02-01}\n"
        "events:\n"
        "  - {date: 2025-02-01, who: r1, do: leave}\n"
        "  - {date: 2025-02-01, who: r2, do: enroll, insurer: kita}\n"
        "  - {date: 2025-02-01, who: r1, do: enroll, insurer: kita}\n");
    assert_int_equal(count_events(r.w, 1, "enroll", NULL, CORE_DAY_NONE), 1);
    assert_int_equal(count_events(r.w, 1, "notice_mailed", "NOTICE-1", CORE_DAY_NONE), 1);
    assert_int_equal(check(r.w, 1, "2025-02-05"), ELIGIBILITY_NOT_REFLECTED);
    assert_int_equal(check(r.w, 1, "2025-02-06"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2025-02-06"), ELIGIBILITY_OK);
    assert_int_equal(range_on(r.w, 1, "2025-03-01")->insurer, 0);
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
    run_free(&r);
}

/* NOTICE-6: the health society mails the type A notice on D-1 (2024-10-31) to its members holding a card that
 * day. r1 left for kyokai on 2024-10-15: no type A notice from the society (and, before D-3, a kyokai paper
 * card at enrollment, PAPER-1). r2 stays: type A on 2024-10-31. */
static void type_a_notice_only_to_members_on_d1(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: d1\n"
                 "period: {from: 2024-10-01, to: 2025-03-31}\n"
                 "insurers: [{id: soc, kind: society}, {id: kyo, kind: kyokai}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1980-01-10, insurer: soc, paper_card: {issued: 2024-04-01},\n"
                 "     card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
                 "  - {id: r2, born: 1981-01-10, insurer: soc, paper_card: {issued: 2024-04-01},\n"
                 "     card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
                 "events:\n"
                 "  - {date: 2024-10-15, who: r1, do: enroll, insurer: kyo}\n");
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_NOTICE, D("2025-03-31"), SCENARIO_NOTICE_ANY),
                     CORE_DAY_NONE);
    assert_int_equal(count_events(r.w, 0, "notice_mailed", NULL, CORE_DAY_NONE), 0);
    assert_true(has_event(r.w, 0, "paper_card_issued", "PAPER-1", D("2024-10-15")));
    assert_int_equal(world_received(r.w, 1, SCENARIO_DOC_NOTICE, D("2024-10-31"), SCENARIO_NOTICE_A),
                     D("2024-10-31"));
    assert_false(holds(r.w, 1, "2024-10-30", DOC(NOTICE)));
    assert_true(holds(r.w, 1, "2024-10-31", DOC(NOTICE)));
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
    run_free(&r);
}

/* Dependents follow the insured across a gap: r1 leaves the society on 2025-04-01 (first day without) and joins
 * kyokai on 2025-04-15; r2, his dependent, left with him and joins kyokai as his dependent on 2025-04-15, with
 * her certificate (CERT-6). Between, neither is insured. */
static void dependents_follow_after_a_gap(void **state)
{
    (void)state;
    struct run r;
    run_yaml(
        &r,
        "scenario: gap-move\n"
        "period: {from: 2025-01-01, to: 2025-06-30}\n"
        "insurers: [{id: soc, kind: society}, {id: kyo, kind: kyokai}]\n"
        "residents:\n"
        "  - {id: r1, born: 1980-01-10, insurer: soc, card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
        "  - {id: r2, born: 2012-05-05, insurer: soc, role: dependent, of: r1}\n"
        "events:\n"
        "  - {date: 2025-04-01, who: r1, do: leave}\n"
        "  - {date: 2025-04-15, who: r1, do: enroll, insurer: kyo}\n");
    assert_int_equal(range_on(r.w, 1, "2025-03-31")->insurer, 0);
    assert_int_equal(range_on(r.w, 1, "2025-04-01")->verdict, WORLD_DAY_NOT_INSURED);
    assert_int_equal(range_on(r.w, 1, "2025-04-14")->verdict, WORLD_DAY_NOT_INSURED);
    assert_true(has_event(r.w, 1, "enroll", "MYNA-9", D("2025-04-15")));
    assert_int_equal(range_on(r.w, 1, "2025-04-15")->insurer, 1);
    assert_true(has_event(r.w, 1, "certificate_mailed", "CERT-6", D("2025-04-15")));
    assert_true(holds(r.w, 1, "2025-04-15", DOC(CERTIFICATE)));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(july_renewal_nhi),
        cmocka_unit_test(amend2_both_policies),
        cmocka_unit_test(dependents_move_with_insured),
        cmocka_unit_test(dependent_joins_nhi_when_insured_turns_75),
        cmocka_unit_test(age75_born_29_february),
        cmocka_unit_test(age75_born_on_the_first),
        cmocka_unit_test(certificate_renewal_held_back_by_paper_card),
        cmocka_unit_test(certificate_applications),
        cmocka_unit_test(enrollment_before_d3_gets_paper_card),
        cmocka_unit_test(late_july_enrollment_renewed_at_once),
        cmocka_unit_test(dependent_enrolled_on_her_own_does_not_move_twice),
        cmocka_unit_test(type_a_notice_only_to_members_on_d1),
        cmocka_unit_test(dependents_follow_after_a_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
