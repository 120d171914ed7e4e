/* Tests of sim/world's history readers (history.c, world_int.h): the one answer to "what a resident has on day D"
 * that the engine, the desk, the invariants and the queries share. Pins the edges where the copies these readers
 * replaced differed: a card with no certificate (the desk read a zeroed certificate, the engine none) and a
 * registration through the portal with a blocked PIN (the engine's try counter, the desk's PIN blocks). */
#include "world_test.h"
#include "world/world_int.h"

static const char *card_yaml = "scenario: history\n"
                               "period: {from: 2025-12-02, to: 2026-03-31}\n"
                               "insurers: [{id: kyo, kind: kyokai, number: \"01110014\"}]\n"
                               "residents:\n"
                               "  - {id: r1, born: 1979-08-08, insurer: kyo, card: {issued: 2022-11-01},\n"
                               "     registered: 2022-12-01}\n"
                               "events:\n"
                               "  - {date: 2026-01-10, who: r1, do: renew_cert}\n";

/* The certificate on a day is the latest issued by then; before the card's first, the first (a card in hand
 * always has it: it is issued with the card). */
static void cert_on_latest_issued(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, card_yaml);
    const struct wcard *c = w_card_in_hand(&r.w->res[0], D("2026-01-09"));
    assert_non_null(c);
    assert_int_equal(c->ncert, 2);
    assert_ptr_equal(w_cert_on(c, D("2026-01-09")), &c->cert[0]);
    assert_ptr_equal(w_cert_on(c, D("2026-01-10")), &c->cert[1]);
    assert_ptr_equal(w_cert_on(c, D("2026-03-31")), &c->cert[1]);
    assert_ptr_equal(w_cert_on(c, D("2022-10-31")), &c->cert[0]);
    assert_int_equal(check(r.w, 0, "2026-01-09"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2026-01-10"), ELIGIBILITY_OK);
    run_free(&r);
}

/* A card that carries no certificate has none to read on any day (MYNA-8: the clinic reads the certificate):
 * no マイナ保険証, and the check answers as for a certificate J-LIS never issued (cert_revoked, MYNA-3), at a
 * probe and at the desk alike. The engine never makes such a card; the readers must still agree on it. */
static void card_without_certificate(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, card_yaml);
    struct wres *res = &r.w->res[0];
    struct wcard *c = &res->cards[0];
    assert_true(w_has_myna(r.w, res, D("2026-02-02")));
    int n = c->ncert;
    c->ncert = 0;
    assert_null(w_cert_on(c, D("2026-02-02")));
    assert_null(w_cert_on(c, D("2022-11-01")));
    assert_false(w_has_myna(r.w, res, D("2026-02-02")));
    assert_ptr_equal(w_card_in_hand(res, D("2026-02-02")), c); /* the card is still in hand */
    assert_true(holds(r.w, 0, "2026-02-02", DOC(CARD)));
    assert_int_equal(check(r.w, 0, "2026-02-02"), ELIGIBILITY_CERT_REVOKED);
    struct world_visit v = probe(r.w, 0, "2026-02-02", SCENARIO_NONE, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_true(v.card_check == ELIGIBILITY_CERT_REVOKED);
    assert_int_not_equal(v.decision.route, CLINIC_ROUTE_CARD);
    c->ncert = n;
    assert_int_equal(check(r.w, 0, "2026-02-02"), ELIGIBILITY_OK);
    run_free(&r);
}

/* MYNA-7: one answer to "is the PIN blocked": a registration through the portal is refused while the
 * authentication PIN is blocked and accepted after the reset the same day; the portal opens and closes on the
 * same days; a blocked signing password blocks nothing here. */
static void pin_blocked_one_answer(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: pin\n"
                 "period: {from: 2025-12-02, to: 2026-03-31}\n"
                 "insurers: [{id: kyo, kind: kyokai, number: \"01110014\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1979-08-08, insurer: kyo, card: {issued: 2022-11-01}}\n"
                 "events:\n"
                 "  - {date: 2026-01-05, who: r1, do: wrong_pin, times: 5, pin: sign}\n"
                 "  - {date: 2026-01-10, who: r1, do: wrong_pin, times: 3}\n"
                 "  - {date: 2026-01-12, who: r1, do: register, via: portal}\n"
                 "  - {date: 2026-01-20, who: r1, do: reset_pin}\n"
                 "  - {date: 2026-01-20, who: r1, do: register, via: portal}\n");
    const struct wres *res = &r.w->res[0];
    uint64_t id = res->cards[0].id;
    assert_false(w_pin_blocked(res, id, D("2026-01-09")));
    assert_true(w_pin_blocked(res, id, D("2026-01-10")));
    assert_true(w_pin_blocked(res, id, D("2026-01-19")));
    assert_false(w_pin_blocked(res, id, D("2026-01-20")));
    assert_true(find_event(r.w, 0, "register", "MYNA-7", D("2026-01-12"))->failed);
    assert_false(find_event(r.w, 0, "register", "MYNA-1", D("2026-01-20"))->failed);
    assert_false(w_registered(res, D("2026-01-19")));
    assert_true(w_registered(res, D("2026-01-20")));
    assert_false(w_portal(res, D("2026-01-19")));
    assert_true(w_portal(res, D("2026-01-20")));
    assert_true(holds(r.w, 0, "2026-01-20", DOC(PORTAL)));
    assert_int_equal(check(r.w, 0, "2026-01-20"), ELIGIBILITY_OK);
    run_free(&r);
}

/* The membership in force, and the day's reading shared by visits and invariants (w_day_of) against the
 * public readers. */
static void day_of_matches_queries(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: day\n"
                 "period: {from: 2025-12-02, to: 2026-03-31}\n"
                 "insurers: [{id: kyo, kind: kyokai, number: \"01110014\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1979-08-08, insurer: kyo, holds: [certificate]}\n"
                 "events:\n"
                 "  - {date: 2026-02-01, who: r1, do: leave}\n");
    const struct wres *res = &r.w->res[0];
    assert_int_equal(w_mem_on(res, D("2026-01-31")), 0);
    assert_int_equal(w_mem_on(res, D("2026-02-01")), SCENARIO_NONE);
    struct w_day day;
    w_day_of(res, D("2026-01-31"), &day);
    assert_true(day.pick[SCENARIO_DOC_CERTIFICATE] >= 0);
    assert_null(day.card);
    assert_int_equal(day.holds, world_holds(r.w, 0, D("2026-01-31")));
    assert_true(day.holds & DOC(CERTIFICATE));
    /* Still in hand after leaving, no longer usable (CERT-3). */
    w_day_of(res, D("2026-02-01"), &day);
    assert_int_equal(day.in_hand, world_in_hand(r.w, 0, D("2026-02-01")));
    assert_true(day.in_hand & DOC(CERTIFICATE));
    assert_false(day.holds & DOC(CERTIFICATE));
    assert_false(w_holds_doc(res, SCENARIO_DOC_CERTIFICATE, -1, D("2026-02-01")));
    assert_true(w_holds_doc(res, SCENARIO_DOC_CERTIFICATE, 0, D("2026-01-31")));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cert_on_latest_issued),
        cmocka_unit_test(card_without_certificate),
        cmocka_unit_test(pin_blocked_one_answer),
        cmocka_unit_test(day_of_matches_queries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
