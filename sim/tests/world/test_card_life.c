/* Tests of sim/world: the My Number card's life — withdrawal (MYNA-5, CERT-5 E), return (CERT-5 G), card
 * body and certificate expiry (CERT-5, card dates), PIN blocks and resets (MYNA-7, DESK-3), face-only cards
 * (MYNA-2). Policy values: registration.withdrawal_lag_days 45, certificate.detection_lag_days 30,
 * certificate.application_lag_days 7, certificate.lead_days 14, card.pin_tries auth 3 / sign 5 / text 3. */
#include "world_test.h"

/* MYNA-5 / CERT-5 E: a withdrawal filed on 2025-10-01 reaches the system 45 days later, on 2025-11-15 (the card
 * answers not_registered from that day); the ex-officio certificate arrives 30 days after that, 2025-12-15,
 * valid to the first 31 July on or after its start (CERT-4, NHI). Card + notice bridges the days between. */
static void withdrawal_reaches_system_after_lag_then_certificate(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: withdraw\n"
                 "period: {from: 2025-09-01, to: 2026-03-31}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1970-05-10, insurer: kita, card: {issued: 2022-06-01},\n"
                 "     registered: 2023-02-01, holds: [notice]}\n"
                 "events:\n"
                 "  - {date: 2025-10-01, who: r1, do: withdraw}\n"
                 "  - {date: 2025-10-02, who: r1, do: withdraw}\n");
    const struct world_event *e = find_event(r.w, 0, "withdraw", "MYNA-5", D("2025-10-01"));
    assert_non_null(e);
    assert_false(e->failed);
    assert_int_equal(check(r.w, 0, "2025-11-14"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2025-11-15"), ELIGIBILITY_NOT_REGISTERED);
    assert_true(holds(r.w, 0, "2025-11-14", DOC(PORTAL)));
    assert_false(holds(r.w, 0, "2025-11-15", DOC(PORTAL)));
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-12-14"), CORE_DAY_NONE);
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2026-03-31"), D("2025-12-15"));
    assert_true(has_event(r.w, 0, "certificate_mailed", "CERT-5", D("2025-12-15")));
    assert_int_equal(count_events(r.w, 0, "certificate_mailed", NULL, CORE_DAY_NONE), 1);
    assert_false(holds(r.w, 0, "2025-12-14", DOC(CERTIFICATE)));
    assert_true(holds(r.w, 0, "2025-12-15", DOC(CERTIFICATE)));
    assert_true(holds(r.w, 0, "2026-03-31", DOC(CERTIFICATE)));
    const struct world_event *m = find_event(r.w, 0, "certificate_mailed", "CERT-5", D("2025-12-15"));
    assert_non_null(strstr(m->detail, "valid 2025-12-15..2026-07-31"));
    /* MYNA-4 (2): card + notice while the check answers not_registered. */
    struct world_visit v =
        probe(r.w, 0, "2025-11-20", SCENARIO_NONE, DOC(CARD) | DOC(NOTICE), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.card_check, ELIGIBILITY_NOT_REGISTERED);
    assert_int_equal(v.decision.outcome, CLINIC_INSURED);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_CARD_NOTICE);
    assert_int_equal(world_gap_days(r.w, 0), 0);
    /* A second withdrawal while the first is on its way is still a withdrawal of a registration in force. */
    assert_int_equal(unlawful(r.w, 0), 0);
    run_free(&r);
}

/* CERT-3 / CERT-5 E: the ex-officio certificate that would arrive 2025-05-15 (withdrawal visible 2025-04-15)
 * is held back while the NHI paper card is usable (to 2025-07-31); the certificate comes with the advance
 * mailing of CERT-2, 14 days before the paper card's last day (2025-07-17), valid from 2025-08-01. An
 * application (reason E) while the paper card is usable is refused (CERT-3). */
static void withdrawal_certificate_held_back_while_paper_card_usable(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: withdraw-paper\n"
                 "period: {from: 2025-01-01, to: 2025-12-31}\n"
                 "insurers: [{id: aisho, kind: nhi}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1965-04-04, insurer: aisho, paper_card: {issued: 2024-08-01},\n"
                 "     card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
                 "events:\n"
                 "  - {date: 2025-03-01, who: r1, do: withdraw}\n"
                 "  - {date: 2025-05-01, who: r1, do: apply_certificate, reason: E}\n");
    assert_int_equal(check(r.w, 0, "2025-04-14"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2025-04-15"), ELIGIBILITY_NOT_REGISTERED);
    const struct world_event *e = find_event(r.w, 0, "apply_certificate", "CERT-3", D("2025-05-01"));
    assert_non_null(e);
    assert_true(e->failed);
    assert_int_equal(count_events(r.w, 0, "certificate_mailed", NULL, CORE_DAY_NONE), 1);
    assert_int_equal(count_events(r.w, 0, "certificate_mailed", "CERT-5", CORE_DAY_NONE), 0);
    assert_true(has_event(r.w, 0, "certificate_mailed", "CERT-2", D("2025-07-17")));
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-07-16"), CORE_DAY_NONE);
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-07-17"), D("2025-07-17"));
    assert_false(holds(r.w, 0, "2025-07-31", DOC(CERTIFICATE)));
    assert_true(holds(r.w, 0, "2025-07-31", DOC(PAPER_CARD)));
    assert_true(holds(r.w, 0, "2025-08-01", DOC(CERTIFICATE)));
    assert_false(holds(r.w, 0, "2025-08-01", DOC(PAPER_CARD)));
    assert_true(has_event(r.w, 0, "paper_card_unusable", "PAPER-2", D("2025-08-01")));
    assert_int_equal(world_gap_days(r.w, 0), 0);
    assert_int_equal(unlawful(r.w, 0), 0);
    run_free(&r);
}

/* CERT-5 G: a card returned on 2025-10-10 is not in hand (no_card) from that day; the certificate arrives 30
 * days later, 2025-11-09. Between, the notice alone gets care only through AMEND-1's look-up: 30 grace days
 * under national, 30 gap days under as-announced-2024. */
static const char *return_pre = "scenario: card-return\n"
                                "period: {from: 2025-09-01, to: 2026-03-31}\n"
                                "policy: ";
static const char *return_post = "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                                 "residents:\n"
                                 "  - {id: r1, born: 1970-05-10, insurer: kita, card: {issued: 2022-06-01},\n"
                                 "     registered: 2023-02-01, holds: [notice]}\n"
                                 "events:\n"
                                 "  - {date: 2025-10-10, who: r1, do: return_card}\n"
                                 "  - {date: 2025-10-20, who: r1, do: return_card}\n";

static void returned_card_certificate_ex_officio(void **state)
{
    (void)state;
    struct run r;
    run_policy(&r, return_pre, "national", return_post);
    assert_int_equal(check(r.w, 0, "2025-10-09"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2025-10-10"), ELIGIBILITY_NO_CARD);
    assert_false(world_in_hand(r.w, 0, D("2025-10-10")) & DOC(CARD));
    assert_true(has_event(r.w, 0, "return_card", "CERT-5", D("2025-10-10")));
    const struct world_event *e = find_event(r.w, 0, "return_card", "CERT-5", D("2025-10-20"));
    assert_non_null(e);
    assert_true(e->failed); /* nothing left to return */
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-11-08"), CORE_DAY_NONE);
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2026-03-31"), D("2025-11-09"));
    assert_true(has_event(r.w, 0, "certificate_mailed", "CERT-5", D("2025-11-09")));
    assert_int_equal(world_grace_days(r.w, 0), 30);
    assert_int_equal(world_gap_days(r.w, 0), 0);
    run_free(&r);

    run_policy(&r, return_pre, "as-announced-2024", return_post);
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2026-03-31"), D("2025-11-09"));
    assert_int_equal(world_grace_days(r.w, 0), 0);
    assert_int_equal(world_gap_days(r.w, 0), 30);
    assert_int_equal(world_first_gap(r.w, 0), D("2025-10-10"));
    const struct world_range *g = range_on(r.w, 0, "2025-10-10");
    assert_non_null(g);
    assert_int_equal(g->verdict, WORLD_DAY_GAP);
    assert_int_equal(g->from, D("2025-10-10"));
    assert_int_equal(g->to, D("2025-11-08"));
    assert_int_equal(range_on(r.w, 0, "2025-11-09")->verdict, WORLD_DAY_USABLE);
    run_free(&r);
}

/* CERT-5 (card body expiry, 004): a card whose body expires 2025-10-20 answers card_expired from 2025-10-21;
 * the ex-officio certificate arrives 30 days later, 2025-11-20. */
static void card_body_expiry_certificate(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: body-expiry\n"
                 "period: {from: 2025-09-01, to: 2025-12-31}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1990-10-20, insurer: kita,\n"
                 "     card: {issued: 2015-11-01, expires: 2025-10-20, cert_expires: 2025-10-20},\n"
                 "     registered: 2021-01-10, holds: [notice]}\n");
    assert_int_equal(check(r.w, 0, "2025-10-20"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2025-10-21"), ELIGIBILITY_CARD_EXPIRED);
    assert_true(holds(r.w, 0, "2025-10-20", DOC(CARD)));
    assert_false(holds(r.w, 0, "2025-10-21", DOC(CARD)));
    assert_true(world_in_hand(r.w, 0, D("2025-10-21")) & DOC(CARD));
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-11-19"), CORE_DAY_NONE);
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-12-31"), D("2025-11-20"));
    assert_int_equal(count_events(r.w, 0, "certificate_mailed", "CERT-5", CORE_DAY_NONE), 1);
    assert_int_equal(world_gap_days(r.w, 0), 0);
    run_free(&r);
}

/* Card dates with a 29 February birthday (AGE-75's civil-law reading applies to card dates): born 1960-02-29,
 * card issued 2022-06-01 — the user certificate runs to the 5th birthday after issue, 2027-03-01 (2027 is a
 * common year), that day included. As announced (no AMEND-3 grace), cert_expired from 2027-03-02, and the
 * CERT-5 F certificate arrives 30 days later, 2027-04-01. */
static void card_dates_29_february(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: leap\n"
                 "period: {from: 2027-01-01, to: 2027-06-30}\n"
                 "policy: as-announced-2024\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1960-02-29, insurer: kita, card: {issued: 2022-06-01},\n"
                 "     registered: 2023-02-01, holds: [notice]}\n");
    assert_int_equal(check(r.w, 0, "2027-03-01"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2027-03-02"), ELIGIBILITY_CERT_EXPIRED);
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2027-06-30"), D("2027-04-01"));
    assert_true(has_event(r.w, 0, "certificate_mailed", "CERT-5", D("2027-04-01")));
    run_free(&r);
}

/* MYNA-7 / DESK-3: three wrong user PINs block it: pin_locked at a PIN reader, the face reader still works,
 * the portal (PIN) is not in hand; reset at the office restores it that day. A blocked signing password or
 * card-info PIN does not touch the user PIN. INV-2: without a notice, the blocked days are degraded (no
 * portal to stand in at a down clinic). */
static void pin_block_and_reset(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: pin\n"
                 "period: {from: 2025-12-02, to: 2026-02-28}\n"
                 "insurers: [{id: kyo, kind: kyokai, number: \"01110014\"}]\n"
                 "clinics: [{id: cf, reader: face}, {id: cp, reader: pin}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1979-08-08, insurer: kyo, card: {issued: 2022-11-01},\n"
                 "     registered: 2022-12-01, holds: [notice]}\n"
                 "  - {id: r2, born: 1979-08-09, insurer: kyo, card: {issued: 2022-11-01},\n"
                 "     registered: 2022-12-01}\n"
                 "events:\n"
                 "  - {date: 2026-01-05, who: r1, do: wrong_pin, times: 2}\n"
                 "  - {date: 2026-01-10, who: r1, do: wrong_pin, times: 1}\n"
                 "  - {date: 2026-01-10, who: r2, do: wrong_pin, times: 3}\n"
                 "  - {date: 2026-01-11, who: r1, do: wrong_pin, times: 1}\n"
                 "  - {date: 2026-01-12, who: r1, do: register, via: portal}\n"
                 "  - {date: 2026-01-20, who: r1, do: reset_pin}\n"
                 "  - {date: 2026-01-20, who: r2, do: reset_pin}\n"
                 "  - {date: 2026-01-25, who: r1, do: wrong_pin, times: 5, pin: sign}\n"
                 "  - {date: 2026-01-26, who: r1, do: wrong_pin, times: 3, pin: info}\n");
    const int cf = 0, cp = 1;
    const struct world_event *e = find_event(r.w, 0, "wrong_pin", "MYNA-7", D("2026-01-05"));
    assert_non_null(e);
    assert_string_equal(e->detail, "1 tries left");
    assert_string_equal(find_event(r.w, 0, "wrong_pin", "MYNA-7", D("2026-01-10"))->detail, "PIN blocked");
    assert_int_equal(check_at(r.w, 0, "2026-01-05", cp), ELIGIBILITY_OK);
    assert_int_equal(check_at(r.w, 0, "2026-01-09", cp), ELIGIBILITY_OK);
    assert_int_equal(check_at(r.w, 0, "2026-01-10", cp), ELIGIBILITY_PIN_LOCKED);
    assert_int_equal(check_at(r.w, 0, "2026-01-10", cf), ELIGIBILITY_OK);
    assert_int_equal(check_at(r.w, 0, "2026-01-19", cp), ELIGIBILITY_PIN_LOCKED);
    assert_int_equal(check_at(r.w, 0, "2026-01-20", cp), ELIGIBILITY_OK);
    assert_true(holds(r.w, 0, "2026-01-09", DOC(PORTAL)));
    assert_false(world_in_hand(r.w, 0, D("2026-01-10")) & DOC(PORTAL));
    assert_true(holds(r.w, 0, "2026-01-20", DOC(PORTAL)));
    /* A registration through the portal needs the PIN (MYNA-7). */
    e = find_event(r.w, 0, "register", "MYNA-7", D("2026-01-12"));
    assert_non_null(e);
    assert_true(e->failed);
    /* The face route works; a failed face match falls back to the blocked PIN (DESK-3). */
    struct world_visit v = probe(r.w, 0, "2026-01-15", cf, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_CARD);
    v = probe(r.w, 0, "2026-01-15", cf, DOC(CARD), SCENARIO_VISIT_FIRST, FAULT(FACE_MISMATCH));
    assert_int_equal(v.card_check, ELIGIBILITY_PIN_LOCKED);
    assert_int_equal(v.decision.outcome, CLINIC_INSURED_BY_DECLARATION);
    v = probe(r.w, 0, "2026-01-15", cp, DOC(CARD) | DOC(NOTICE), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_CARD_NOTICE);
    /* Signing password and card-info PIN blocks leave the user PIN working. */
    assert_string_equal(find_event(r.w, 0, "wrong_pin", "MYNA-7", D("2026-01-25"))->detail, "PIN blocked");
    assert_int_equal(check_at(r.w, 0, "2026-01-27", cp), ELIGIBILITY_OK);
    assert_true(holds(r.w, 0, "2026-01-27", DOC(PORTAL)));
    assert_int_equal(world_gap_days(r.w, 0), 0);
    assert_int_equal(world_degraded_days(r.w, 0), 0);
    /* r2 holds only the card: on the ten blocked days (01-10..01-19) a down clinic needs the declaration. */
    assert_int_equal(world_gap_days(r.w, 1), 0);
    assert_int_equal(world_degraded_days(r.w, 1), 10);
    const struct world_range *g = range_on(r.w, 1, "2026-01-10");
    assert_true(g->degraded);
    assert_int_equal(g->from, D("2026-01-10"));
    assert_int_equal(g->to, D("2026-01-19"));
    assert_int_equal(world_degraded_days(r.w, SCENARIO_WHO_ALL), 10);
    run_free(&r);
}

/* MYNA-2: a face-only card cannot register through the portal or an ATM (failed events), and PIN operations
 * fail; at a clinic reader or the municipal office it registers, and the card route works, a PIN reader
 * checking it visually (DESK-3). The portal is never in hand for a face-only card. */
static void face_only_card_registration_routes(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: face-only\n"
                 "period: {from: 2025-09-01, to: 2026-03-31}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                 "clinics: [{id: cf, reader: face}, {id: cp, reader: pin}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1960-01-10, insurer: kita, holds: [certificate]}\n"
                 "  - {id: r2, born: 1961-01-10, insurer: kita, holds: [certificate]}\n"
                 "events:\n"
                 "  - {date: 2025-10-01, who: r1, do: get_card, face_only: true}\n"
                 "  - {date: 2025-10-01, who: r2, do: get_card, face_only: true}\n"
                 "  - {date: 2025-10-02, who: r1, do: register, via: portal}\n"
                 "  - {date: 2025-10-02, who: r1, do: register, via: atm}\n"
                 "  - {date: 2025-10-03, who: r1, do: wrong_pin, times: 1}\n"
                 "  - {date: 2025-10-03, who: r1, do: reset_pin}\n"
                 "  - {date: 2025-10-03, who: r1, do: renew_cert}\n"
                 "  - {date: 2025-10-05, who: r1, do: register, via: clinic}\n"
                 "  - {date: 2025-10-06, who: r2, do: register, via: office}\n");
    assert_int_equal(count_events(r.w, 0, "register", "MYNA-2", D("2025-10-02")), 2);
    for (size_t i = 0; i < world_event_count(r.w); i++) {
        const struct world_event *e = world_event_at(r.w, i);
        if (e->resident == 0 && e->day == D("2025-10-02"))
            assert_true(e->failed);
    }
    assert_true(find_event(r.w, 0, "wrong_pin", "MYNA-2", D("2025-10-03"))->failed);
    assert_true(find_event(r.w, 0, "reset_pin", "MYNA-2", D("2025-10-03"))->failed);
    assert_true(find_event(r.w, 0, "renew_cert", NULL, D("2025-10-03"))->failed);
    assert_int_equal(check(r.w, 0, "2025-10-04"), ELIGIBILITY_NOT_REGISTERED);
    const struct world_event *e = find_event(r.w, 0, "register", "MYNA-1", D("2025-10-05"));
    assert_non_null(e);
    assert_false(e->failed);
    assert_int_equal(check(r.w, 0, "2025-10-05"), ELIGIBILITY_OK);
    assert_int_equal(check_at(r.w, 0, "2025-10-05", 1), ELIGIBILITY_OK);
    assert_false(world_in_hand(r.w, 0, D("2025-10-05")) & DOC(PORTAL));
    struct world_visit v = probe(r.w, 0, "2025-10-07", 1, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_CARD);
    assert_true(v.decision.card_used);
    assert_false(find_event(r.w, 1, "register", "MYNA-1", D("2025-10-06"))->failed);
    assert_int_equal(check(r.w, 1, "2025-10-05"), ELIGIBILITY_NOT_REGISTERED);
    assert_int_equal(check(r.w, 1, "2025-10-06"), ELIGIBILITY_OK);
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 0);
    run_free(&r);
}

/* Events on a resident without a card fail with their rule; a lost card is suspended (MYNA-6) and a reissue
 * carries the registration over with a fresh PIN counter. */
static void card_events_without_card_fail(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: no-card\n"
                 "period: {from: 2025-09-01, to: 2026-03-31}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                 "clinics: [{id: cp, reader: pin}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1960-01-10, insurer: kita, holds: [certificate]}\n"
                 "  - {id: r2, born: 1961-01-10, insurer: kita, card: {issued: 2022-06-01},\n"
                 "     registered: 2023-02-01, holds: [notice]}\n"
                 "events:\n"
                 "  - {date: 2025-10-01, who: r2, do: wrong_pin, times: 3}\n"
                 "  - {date: 2025-10-02, who: r1, do: register, via: office}\n"
                 "  - {date: 2025-10-02, who: r1, do: lose_card}\n"
                 "  - {date: 2025-10-02, who: r1, do: wrong_pin, times: 1}\n"
                 "  - {date: 2025-10-02, who: r1, do: reset_pin}\n"
                 "  - {date: 2025-10-02, who: r1, do: renew_cert}\n"
                 "  - {date: 2025-10-02, who: r1, do: withdraw}\n"
                 "  - {date: 2025-10-02, who: r1, do: lose_document, document: notice}\n"
                 "  - {date: 2025-10-03, who: r2, do: lose_document, document: card}\n"
                 "  - {date: 2025-10-03, who: r2, do: apply_certificate, reason: B}\n"
                 "  - {date: 2025-10-03, who: r2, do: apply_certificate, reason: A}\n"
                 "  - {date: 2025-11-01, who: r2, do: reissue_card}\n"
                 "  - {date: 2025-11-02, who: r2, do: renew_cert}\n");
    for (size_t i = 0; i < world_event_count(r.w); i++) {
        const struct world_event *e = world_event_at(r.w, i);
        if (e->resident == 0 && e->day == D("2025-10-02"))
            assert_true(e->failed);
    }
    assert_true(has_event(r.w, 0, "withdraw", "MYNA-5", D("2025-10-02")));
    assert_true(has_event(r.w, 1, "lose_card", "MYNA-6", D("2025-10-03")));
    assert_int_equal(check(r.w, 1, "2025-10-03"), ELIGIBILITY_NO_CARD);
    assert_true(find_event(r.w, 1, "apply_certificate", "CERT-5", D("2025-10-03"))->failed == true);
    assert_int_equal(count_events(r.w, 1, "apply_certificate", "CERT-5", D("2025-10-03")), 2);
    assert_int_equal(received(r.w, 1, SCENARIO_DOC_CERTIFICATE, "2026-03-31"), D("2025-10-10"));
    /* The reissued card is registered (carried over) and its PIN works again at a PIN reader. */
    assert_int_equal(check_at(r.w, 1, "2025-11-01", 0), ELIGIBILITY_OK);
    assert_int_equal(check_at(r.w, 1, "2025-10-02", 0), ELIGIBILITY_PIN_LOCKED);
    assert_true(has_event(r.w, 1, "renew_cert", "MYNA-3", D("2025-11-02")));
    assert_int_equal(check(r.w, 1, "2025-11-02"), ELIGIBILITY_OK);
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(withdrawal_reaches_system_after_lag_then_certificate),
        cmocka_unit_test(withdrawal_certificate_held_back_while_paper_card_usable),
        cmocka_unit_test(returned_card_certificate_ex_officio),
        cmocka_unit_test(card_body_expiry_certificate),
        cmocka_unit_test(card_dates_29_february),
        cmocka_unit_test(pin_block_and_reset),
        cmocka_unit_test(face_only_card_registration_routes),
        cmocka_unit_test(card_events_without_card_fail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
