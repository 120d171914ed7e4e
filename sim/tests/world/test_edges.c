/* Tests of sim/world: edges of the engine's rules — renewals that must not happen (the holder left), the July
 * renewal for a lost certificate, AGE-75 for residents not insured or already latter-stage elderly, triggers
 * that fell before the period, applications while not insured, claim errors (DESK-2) when not insured, and
 * given identities. Policy values as in the other world tests (lead 14, detection 30, application 7 days). */
#include "world_test.h"

/* CERT-4: renewed "while the person stays insured" — r1 leaves NHI on 2025-07-10, so the certificate ending
 * 2025-07-31 is not renewed and no July mailing comes. r2 loses hers on 2025-07-01: the July renewal (D-5)
 * still sends the next one on 2025-07-17. */
static void renewal_only_while_insured(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: renew-edges\n"
                 "period: {from: 2025-06-01, to: 2025-12-31}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1970-05-10, insurer: kita, holds: [certificate]}\n"
                 "  - {id: r2, born: 1971-05-10, insurer: kita, holds: [certificate]}\n"
                 "events:\n"
                 "  - {date: 2025-07-01, who: r2, do: lose_document, document: certificate}\n"
                 "  - {date: 2025-07-10, who: r1, do: leave}\n");
    assert_int_equal(count_events(r.w, 0, "certificate_mailed", NULL, CORE_DAY_NONE), 0);
    assert_int_equal(range_on(r.w, 0, "2025-07-10")->verdict, WORLD_DAY_NOT_INSURED);
    assert_int_equal(range_on(r.w, 0, "2025-07-09")->verdict, WORLD_DAY_USABLE);
    assert_false(holds(r.w, 0, "2025-07-10", DOC(CERTIFICATE))); /* CERT-3: not usable after leaving */
    assert_false(find_event(r.w, 1, "lose_document", "", D("2025-07-01"))->failed);
    assert_true(has_event(r.w, 1, "certificate_mailed", "D-5", D("2025-07-17")));
    assert_int_equal(count_events(r.w, 1, "certificate_mailed", NULL, CORE_DAY_NONE), 1);
    assert_true(holds(r.w, 1, "2025-08-01", DOC(CERTIFICATE)));
    assert_int_equal(world_first_gap(r.w, 1), D("2025-07-01"));
    run_free(&r);
}

/* AGE-75 applies to a member of NHI or employee insurance: r1 left NHI before the birthday (not insured: no
 * move, no mailing), r2 is already latter-stage elderly (no move). */
static void age75_only_from_nhi_or_employee(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: age75-edges\n"
                 "period: {from: 2025-01-01, to: 2025-12-31}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}, {id: kouki, kind: latter_elderly}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1950-06-15, insurer: kita, holds: [certificate]}\n"
                 "  - {id: r2, born: 1950-06-16, insurer: kouki, holds: [certificate]}\n"
                 "events:\n"
                 "  - {date: 2025-05-01, who: r1, do: leave}\n");
    assert_int_equal(count_events(r.w, 0, "certificate_mailed", NULL, CORE_DAY_NONE), 0);
    assert_int_equal(count_events(r.w, 0, "enroll", NULL, CORE_DAY_NONE), 0);
    assert_int_equal(count_events(r.w, 1, "enroll", NULL, CORE_DAY_NONE), 0);
    assert_int_equal(world_insurer_count(r.w), 2);
    assert_int_equal(range_on(r.w, 1, "2025-06-16")->insurer, 1);
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
    run_free(&r);
}

/* CERT-5 (card body expiry) whose detection day (2025-01-31 + 1 + 30 = 2025-03-03) falls before the period
 * (from 2025-06-01): the certificate is mailed on the period's first day, valid to 2025-07-31 (NHI), then
 * renewed on 2025-07-17 (CERT-4). */
static void trigger_before_period_runs_on_first_day(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: early-trigger\n"
                 "period: {from: 2025-06-01, to: 2025-12-31}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1990-01-31, insurer: kita,\n"
                 "     card: {issued: 2015-02-01, expires: 2025-01-31, cert_expires: 2025-01-31},\n"
                 "     registered: 2021-01-10, holds: [notice]}\n");
    const struct world_event *e = find_event(r.w, 0, "certificate_mailed", "CERT-5", D("2025-06-01"));
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "valid 2025-06-01..2025-07-31"));
    e = find_event(r.w, 0, "certificate_mailed", "CERT-4", D("2025-07-17"));
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "valid 2025-08-01..2026-07-31"));
    assert_int_equal(check(r.w, 0, "2025-06-01"), ELIGIBILITY_CARD_EXPIRED);
    assert_int_equal(world_gap_days(r.w, 0), 0);
    run_free(&r);
}

/* An application while not insured fails (CERT-5); DESK-2: a paper card of an ended membership shown at a
 * clinic without a reader is taken at face value — insured care while not insured, a claim error; a notice
 * type filter that does not match finds no mailing; a given My Number is used. */
static void not_insured_edges(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r,
             "scenario: not-insured\n"
             "period: {from: 2024-10-01, to: 2025-06-30}\n"
             "insurers: [{id: soc, kind: society}]\n"
             "clinics: [{id: cn, reader: none}, {id: cf, reader: face}]\n"
             "residents:\n"
             "  - {id: r1, born: 1980-01-10, insurer: soc, paper_card: {issued: 2024-04-01},\n"
             "     card: {issued: 2022-06-01}, registered: 2023-02-01, my_number: \"123456789018\"}\n"
             "events:\n"
             "  - {date: 2025-04-01, who: r1, do: leave}\n"
             "  - {date: 2025-04-02, who: r1, do: apply_certificate, reason: B}\n"
             "  - {date: 2025-04-03, who: r1, do: visit, clinic: cn, bring: [paper_card], kind: first}\n");
    const struct world_event *e = find_event(r.w, 0, "apply_certificate", "CERT-5", D("2025-04-02"));
    assert_non_null(e);
    assert_true(e->failed);
    assert_string_equal(e->detail, "not insured");
    assert_int_equal(world_visit_count(r.w), 1);
    const struct world_visit *v = world_visit_at(r.w, 0);
    assert_int_equal(v->decision.outcome, CLINIC_INSURED);
    assert_int_equal(v->decision.route, CLINIC_ROUTE_PAPER_CARD);
    assert_true(v->claim_error);
    assert_int_equal(world_claim_errors(r.w, 0), 1);
    /* At a face reader the loss (filed 2025-04-01) is visible from 2025-04-06: no_qualification, self_pay. */
    struct world_visit p = probe(r.w, 0, "2025-04-06", 1, DOC(PAPER_CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(p.decision.outcome, CLINIC_SELF_PAY);
    assert_false(p.claim_error);
    /* Before it is visible the number check passes: insured, a claim error (DESK-2). */
    p = probe(r.w, 0, "2025-04-03", 1, DOC(PAPER_CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(p.decision.outcome, CLINIC_INSURED);
    assert_true(p.claim_error);
    /* The declaration while not insured is a claim error too. */
    p = probe(r.w, 0, "2025-04-10", 1, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(p.decision.outcome, CLINIC_INSURED_BY_DECLARATION);
    assert_true(p.claim_error);
    /* NOTICE-6: the D-1 notice is type A, mailed 2024-10-31; no type B came. */
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_NOTICE, D("2025-06-30"), SCENARIO_NOTICE_A),
                     D("2024-10-31"));
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_NOTICE, D("2025-06-30"), SCENARIO_NOTICE_B),
                     CORE_DAY_NONE);
    assert_int_equal(world_received(r.w, 0, SCENARIO_DOC_NOTICE, D("2024-10-30"), SCENARIO_NOTICE_A),
                     CORE_DAY_NONE);
    run_free(&r);
}

/* MYNA-7: a blocked signing password is reset at the office like the user PIN. */
static void reset_signing_password(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: sign\n"
                 "period: {from: 2025-12-02, to: 2026-01-31}\n"
                 "insurers: [{id: kyo, kind: kyokai, number: \"01110014\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1979-08-08, insurer: kyo, card: {issued: 2022-11-01},\n"
                 "     registered: 2022-12-01}\n"
                 "events:\n"
                 "  - {date: 2026-01-05, who: r1, do: wrong_pin, times: 5, pin: sign}\n"
                 "  - {date: 2026-01-06, who: r1, do: wrong_pin, times: 1, pin: sign}\n"
                 "  - {date: 2026-01-07, who: r1, do: reset_pin, pin: sign}\n"
                 "  - {date: 2026-01-08, who: r1, do: wrong_pin, times: 4, pin: sign}\n");
    assert_string_equal(find_event(r.w, 0, "wrong_pin", "MYNA-7", D("2026-01-05"))->detail, "PIN blocked");
    assert_string_equal(find_event(r.w, 0, "wrong_pin", "MYNA-7", D("2026-01-06"))->detail, "0 tries left");
    assert_false(find_event(r.w, 0, "reset_pin", "MYNA-7", D("2026-01-07"))->failed);
    /* Five tries again after the reset: four leave one. */
    assert_string_equal(find_event(r.w, 0, "wrong_pin", "MYNA-7", D("2026-01-08"))->detail, "1 tries left");
    assert_true(holds(r.w, 0, "2026-01-06", DOC(PORTAL)));
    run_free(&r);
}

/* AMEND-3: while the expired user certificate is in its grace the card counts as マイナ保険証 for mailings — the
 * July renewal (2025-07-17) sends a notice; CERT-5 F starts when the grace ends. Expiry 2025-05-31: first
 * invalid day 2025-06-01, grace to 2025-09-30, cert_expired from 2025-10-01, certificate 30 days later on
 * 2025-10-31. As announced (no grace): cert_expired from 2025-06-01, certificate on 2025-07-01 valid to
 * 2025-07-31 (NHI), renewed on 2025-07-17 from 2025-08-01 (CERT-4), no July notice. Insured since 2020, so
 * the day before the period (2025-05-31) has a qualification to answer. */
static void cert_grace_counts_for_mailings(void **state)
{
    (void)state;
    const char *pre = "scenario: grace-mail\nperiod: {from: 2025-06-01, to: 2025-12-31}\npolicy: ";
    const char *post = "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                       "residents:\n"
                       "  - {id: r1, born: 1970-05-10, insurer: kita, insured_since: 2020-04-01,\n"
                       "     card: {issued: 2022-06-01, cert_expires: 2025-05-31},\n"
                       "     registered: 2023-02-01, holds: [notice]}\n";
    struct run r;
    run_policy(&r, pre, "national", post);
    assert_int_equal(check(r.w, 0, "2025-09-30"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2025-10-01"), ELIGIBILITY_CERT_EXPIRED);
    assert_true(has_event(r.w, 0, "notice_mailed", "D-5", D("2025-07-17")));
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-10-30"), CORE_DAY_NONE);
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-10-31"), D("2025-10-31"));
    assert_true(has_event(r.w, 0, "certificate_mailed", "CERT-5", D("2025-10-31")));
    assert_int_equal(world_gap_days(r.w, 0), 0);
    assert_int_equal(unlawful(r.w, 0), 0);
    run_free(&r);
    run_policy(&r, pre, "as-announced-2024", post);
    assert_int_equal(check(r.w, 0, "2025-05-31"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2025-06-01"), ELIGIBILITY_CERT_EXPIRED);
    const struct world_event *e = find_event(r.w, 0, "certificate_mailed", "CERT-5", D("2025-07-01"));
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "valid 2025-07-01..2025-07-31"));
    e = find_event(r.w, 0, "certificate_mailed", "CERT-4", D("2025-07-17"));
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "valid 2025-08-01..2026-07-31"));
    assert_int_equal(count_events(r.w, 0, "notice_mailed", NULL, CORE_DAY_NONE), 0);
    assert_int_equal(count_events(r.w, 0, "certificate_mailed", NULL, CORE_DAY_NONE), 2);
    assert_int_equal(world_gap_days(r.w, 0), 0);
    assert_int_equal(unlawful(r.w, 0), 0);
    run_free(&r);
}

/* CERT-6 / CERT-4 for employee insurance: enrolling at kyokai on 2025-03-01 without a card gives a certificate
 * that day, valid to 2026-02-28 (12 months, the day before 2026-03-01), renewed 14 days before its end, on
 * 2026-02-14, valid 2026-03-01..2027-02-28. */
/* The QualificationDate answers carry: the day the membership began — insured_since, else the paper card's
 * issue day, else the period's first day — never the birth date (docs/SCENARIO-FORMAT.md, residents). */
static void qualification_date_is_when_the_membership_began(void **state)
{
    (void)state;
    const char *pre = "scenario: since\nperiod: {from: 2025-06-01, to: 2025-06-30}\npolicy: ";
    const char *post =
        "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
        "residents:\n"
        "  - {id: r1, born: 1970-05-10, insurer: kita, insured_since: 2010-04-01,\n"
        "     paper_card: {issued: 2024-08-01}, card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
        "  - {id: r2, born: 1970-05-10, insurer: kita, paper_card: {issued: 2024-08-01},\n"
        "     card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
        "  - {id: r3, born: 1970-05-10, insurer: kita, card: {issued: 2022-06-01},\n"
        "     registered: 2023-02-01}\n";
    static const char *const want[] = {"2010-04-01", "2024-08-01", "2025-06-01"};
    struct run r;
    run_policy(&r, pre, "national", post);
    for (int i = 0; i < 3; i++) {
        struct eligibility_answer a;
        struct core_error err;
        core_error_clear(&err);
        assert_int_equal(world_probe_check(r.w, i, D("2025-06-10"), SCENARIO_NONE, &a, &err), CORE_OK);
        assert_int_equal(a.result, ELIGIBILITY_OK);
        assert_true(a.has_qualification);
        assert_int_equal(a.qualification.start, D(want[i]));
        assert_int_equal(a.qualification.born, D("1970-05-10"));
    }
    run_free(&r);
}

static void employee_certificate_dates(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: employee-cert\n"
                 "period: {from: 2025-01-01, to: 2026-06-30}\n"
                 "insurers: [{id: soc, kind: society}, {id: kyo, kind: kyokai}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1985-01-01, insurer: soc, paper_card: {issued: 2024-04-01}}\n"
                 "events:\n"
                 "  - {date: 2025-03-01, who: r1, do: enroll, insurer: kyo}\n");
    const struct world_event *e = find_event(r.w, 0, "certificate_mailed", "CERT-6", D("2025-03-01"));
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "kyo valid 2025-03-01..2026-02-28"));
    e = find_event(r.w, 0, "certificate_mailed", "CERT-4", D("2026-02-14"));
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "valid 2026-03-01..2027-02-28"));
    assert_int_equal(count_events(r.w, 0, "certificate_mailed", NULL, CORE_DAY_NONE), 2);
    assert_true(holds(r.w, 0, "2026-02-28", DOC(CERTIFICATE)));
    assert_true(holds(r.w, 0, "2026-03-01", DOC(CERTIFICATE)));
    assert_int_equal(world_gap_days(r.w, 0), 0);
    assert_int_equal(unlawful(r.w, 0), 0);
    run_free(&r);
}

/* CERT-8 / CERT-4: a member with マイナ保険証 who finds the card hard to use applies (B) on 2025-09-01 and
 * receives a certificate 7 days later, 2025-09-08, valid to 2026-07-31 (NHI). Renewed before expiry while
 * insured (CERT-4): on 2026-07-17 a certificate again (not the notice a card holder otherwise gets), valid
 * 2026-08-01..2027-07-31. A member who received a certificate for lack of a card (CERT-1) and registers later
 * gets the notice at renewal instead. */
static void carer_certificate_renewed_as_certificate(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: carer\n"
                 "period: {from: 2025-08-01, to: 2026-12-31}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1960-01-10, insurer: kita, card: {issued: 2022-06-01},\n"
                 "     registered: 2023-02-01, holds: [notice]}\n"
                 "  - {id: r2, born: 1961-01-10, insurer: kita, holds: [certificate]}\n"
                 "events:\n"
                 "  - {date: 2025-08-10, who: r2, do: get_card}\n"
                 "  - {date: 2025-08-11, who: r2, do: register, via: portal}\n"
                 "  - {date: 2025-09-01, who: r1, do: apply_certificate, reason: B}\n");
    const struct world_event *e = find_event(r.w, 0, "certificate_mailed", "CERT-5", D("2025-09-08"));
    assert_non_null(strstr(e->detail, "valid 2025-09-08..2026-07-31"));
    e = find_event(r.w, 0, "certificate_mailed", "CERT-8", D("2026-07-17"));
    assert_non_null(strstr(e->detail, "valid 2026-08-01..2027-07-31"));
    assert_int_equal(count_events(r.w, 0, "notice_mailed", NULL, CORE_DAY_NONE), 0);
    assert_true(holds(r.w, 0, "2026-08-01", DOC(CERTIFICATE)));
    /* r2's certificate (held from 2025-08-01 to 2026-07-31) is followed by a notice. */
    assert_true(has_event(r.w, 1, "notice_mailed", "D-5", D("2026-07-17")));
    assert_int_equal(count_events(r.w, 1, "certificate_mailed", NULL, CORE_DAY_NONE), 0);
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
    assert_int_equal(unlawful(r.w, 0) + unlawful(r.w, 1), 0);
    run_free(&r);
}

/* Card events in between: a new card replaces the one in hand (its certificate is revoked, the new one works,
 * the registration stays); a reissue keeps a face-only card face-only; registering twice is harmless;
 * applications F (certificate expired, as announced: no grace) and D/F without a card; a lost paper card gets
 * no CERT-2 mailing (PAPER-4: the holder applies); given member numbers are used. */
static void card_events_in_between(void **state)
{
    (void)state;
    struct run r;
    run_yaml(
        &r,
        "scenario: between\n"
        "period: {from: 2025-01-01, to: 2025-12-31}\n"
        "policy: as-announced-2024\n"
        "insurers: [{id: kita, kind: nhi, number: \"112334\"}, {id: kyo, kind: kyokai}]\n"
        "clinics: [{id: cp, reader: pin}]\n"
        "residents:\n"
        "  - {id: r1, born: 1970-05-10, insurer: kita, card: {issued: 2022-06-01}, registered: 2023-02-01,\n"
        "     holds: [notice], member: {symbol: \"K-1\", number: \"4711\", branch: \"02\"}}\n"
        "  - {id: r2, born: 1971-05-10, insurer: kita, card: {issued: 2022-06-01, face_only: true},\n"
        "     registered: 2023-02-01, holds: [notice]}\n"
        "  - {id: r3, born: 1972-05-10, insurer: kita, card: {issued: 2020-04-01, cert_expires: "
        "2025-03-31},\n"
        "     registered: 2023-02-01, holds: [notice]}\n"
        "  - {id: r4, born: 1973-05-10, insurer: kyo, paper_card: {issued: 2024-04-01}}\n"
        "events:\n"
        "  - {date: 2025-02-01, who: r1, do: register, via: office}\n"
        "  - {date: 2025-02-01, who: r4, do: apply_certificate, reason: D}\n"
        "  - {date: 2025-02-01, who: r4, do: apply_certificate, reason: F}\n"
        "  - {date: 2025-02-02, who: r1, do: wrong_pin, times: 3, pin: info}\n"
        "  - {date: 2025-02-03, who: r1, do: reset_pin, pin: info}\n"
        "  - {date: 2025-03-01, who: r1, do: get_card}\n"
        "  - {date: 2025-03-01, who: r2, do: lose_card}\n"
        "  - {date: 2025-03-05, who: r2, do: reissue_card}\n"
        "  - {date: 2025-04-10, who: r3, do: apply_certificate, reason: F}\n"
        "  - {date: 2025-06-01, who: r4, do: lose_paper_card}\n");
    assert_false(find_event(r.w, 0, "register", "MYNA-1", D("2025-02-01"))->failed);
    assert_int_equal(check_at(r.w, 0, "2025-02-02", 0), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2025-02-28"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2025-03-01"), ELIGIBILITY_OK); /* the new card */
    assert_true(holds(r.w, 0, "2025-03-01", DOC(CARD) | DOC(PORTAL)));
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-12-31"), CORE_DAY_NONE);
    /* r2: the reissued card is face-only again: the PIN reader checks it visually, no portal. */
    assert_true(has_event(r.w, 1, "reissue_card", "MYNA-6", D("2025-03-05")));
    assert_int_equal(check_at(r.w, 1, "2025-03-04", 0), ELIGIBILITY_NO_CARD);
    assert_int_equal(check_at(r.w, 1, "2025-03-05", 0), ELIGIBILITY_OK);
    assert_false(world_in_hand(r.w, 1, D("2025-03-05")) & DOC(PORTAL));
    /* r3: cert_expired from 2025-04-01; F applies on 2025-04-10 (arrives 04-17), before the ex-officio one
     * (2025-05-01), which then finds a certificate covering the day. */
    assert_int_equal(check(r.w, 2, "2025-04-01"), ELIGIBILITY_CERT_EXPIRED);
    assert_false(find_event(r.w, 2, "apply_certificate", "CERT-5", D("2025-04-10"))->failed);
    assert_int_equal(received(r.w, 2, SCENARIO_DOC_CERTIFICATE, "2025-12-31"), D("2025-04-17"));
    assert_int_equal(count_events(r.w, 2, "certificate_mailed", "CERT-5", CORE_DAY_NONE), 1);
    /* r4: D and F need a card. */
    assert_int_equal(count_events(r.w, 3, "apply_certificate", "CERT-5", D("2025-02-01")), 2);
    assert_true(find_event(r.w, 3, "apply_certificate", "CERT-5", D("2025-02-01"))->failed);
    assert_false(holds(r.w, 3, "2025-06-01", DOC(PAPER_CARD)));
    assert_int_equal(received(r.w, 3, SCENARIO_DOC_CERTIFICATE, "2025-12-31"), CORE_DAY_NONE);
    assert_int_equal(world_first_gap(r.w, 3), D("2025-06-01"));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(renewal_only_while_insured),
        cmocka_unit_test(age75_only_from_nhi_or_employee),
        cmocka_unit_test(trigger_before_period_runs_on_first_day),
        cmocka_unit_test(not_insured_edges),
        cmocka_unit_test(reset_signing_password),
        cmocka_unit_test(cert_grace_counts_for_mailings),
        cmocka_unit_test(qualification_date_is_when_the_membership_began),
        cmocka_unit_test(employee_certificate_dates),
        cmocka_unit_test(carer_certificate_renewed_as_certificate),
        cmocka_unit_test(card_events_in_between),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
