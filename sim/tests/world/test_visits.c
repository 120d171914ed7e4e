/* Tests of sim/world: visits and probes — faults (docs/SCENARIO-FORMAT.md: face_mismatch, reader_fault, unshowable_name,
 * borrowed_certificate, replayed_request), clinic_down days and INV-2's degraded days, the scenario outage
 * (service_down), and probes that leave no trace (no fee history, no PIN tries). Fees under national from
 * 2024-12-01: 10 yen, revisit at most once in three months (AMEND-4). */
#include "world_test.h"

static const char *visits_yaml =
    "scenario: visits\n"
    "period: {from: 2025-12-02, to: 2026-03-31}\n"
    "outages: [{from: 2026-03-02, to: 2026-03-03}]\n"
    "insurers: [{id: kyo, kind: kyokai, number: \"01110014\"}]\n"
    "clinics:\n"
    "  - {id: cf, reader: face}\n"
    "  - {id: cp, reader: pin}\n"
    "  - {id: cn, reader: none}\n"
    "  - {id: cd, reader: face, down: [{from: 2026-01-05, to: 2026-01-06}]}\n"
    "residents:\n"
    "  - {id: r1, born: 1979-08-08, insurer: kyo, card: {issued: 2022-11-01},\n"
    "     registered: 2022-12-01, holds: [notice]}\n"
    "  - {id: r2, born: 1980-08-08, insurer: kyo, card: {issued: 2022-11-01},\n"
    "     registered: 2022-12-01}\n"
    "  - {id: r3, born: 1981-08-08, insurer: kyo, card: {issued: 2022-11-01, face_only: true},\n"
    "     registered: 2022-12-01}\n"
    "events:\n"
    "  - {date: 2026-01-10, who: r2, do: wrong_pin, times: 3}\n"
    "  - {date: 2026-01-15, who: r1, do: visit, clinic: cp, bring: [card], kind: revisit}\n"
    "  - {date: 2026-01-15, who: r1, do: visit, clinic: cp, bring: [card], kind: revisit}\n"
    "  - {date: 2026-01-16, who: r2, do: visit, clinic: cf, bring: [card], kind: dispensing}\n"
    "  - {date: 2026-01-16, who: r2, do: visit, clinic: cf, bring: [card], kind: dispensing}\n"
    "  - {date: 2026-01-16, who: r2, do: visit, clinic: cp, bring: [card], kind: dispensing,\n"
    "     faults: [face_mismatch]}\n"
    "  - {date: 2026-02-01, do: clinic_down, clinic: cf, until: 2026-02-03}\n"
    "  - {date: 2026-02-02, who: r1, do: visit, clinic: cf, bring: [card], kind: first}\n"
    "  - {date: 2026-02-02, who: r1, do: visit, clinic: cf, bring: [card, notice], kind: first}\n"
    "  - {date: 2026-02-10, who: r1, do: visit, clinic: cp, bring: [card, notice], kind: first,\n"
    "     faults: [reader_fault]}\n"
    "  - {date: 2026-02-11, who: r3, do: visit, clinic: cf, kind: first, faults: [borrowed_certificate]}\n";

#define CF 0
#define CP 1
#define CN 2
#define CD 3

/* face_mismatch: the face reader falls back to the PIN (DESK-3); with the PIN blocked the card route fails. A
 * face-only card is checked visually, so a failed match does not matter. */
static void fault_face_mismatch_falls_back_to_pin(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, visits_yaml);
    struct world_visit v =
        probe(r.w, 0, "2026-01-20", CF, DOC(CARD), SCENARIO_VISIT_FIRST, FAULT(FACE_MISMATCH));
    assert_int_equal(v.card_check, ELIGIBILITY_OK);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_CARD);
    v = probe(r.w, 1, "2026-01-20", CF, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.card_check, ELIGIBILITY_OK);
    v = probe(r.w, 1, "2026-01-20", CF, DOC(CARD), SCENARIO_VISIT_FIRST, FAULT(FACE_MISMATCH));
    assert_int_equal(v.card_check, ELIGIBILITY_PIN_LOCKED);
    assert_int_equal(v.decision.outcome, CLINIC_INSURED_BY_DECLARATION);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_DECLARATION);
    v = probe(r.w, 2, "2026-01-20", CF, DOC(CARD), SCENARIO_VISIT_FIRST, FAULT(FACE_MISMATCH));
    assert_int_equal(v.card_check, ELIGIBILITY_OK);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_CARD);
    run_free(&r);
}

/* reader_fault: the reader fails for that visit (reader_down); card + notice still gets insured care
 * (NOTICE-3), the card alone (no portal brought) needs the declaration. reader_down precedes service_down. */
static void fault_reader_fault_is_reader_down(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, visits_yaml);
    struct world_visit v =
        probe(r.w, 0, "2026-01-20", CF, DOC(CARD) | DOC(NOTICE), SCENARIO_VISIT_FIRST, FAULT(READER_FAULT));
    assert_int_equal(v.card_check, ELIGIBILITY_READER_DOWN);
    assert_int_equal(v.decision.outcome, CLINIC_INSURED);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_CARD_NOTICE);
    v = probe(r.w, 0, "2026-01-20", CF, DOC(CARD), SCENARIO_VISIT_FIRST, FAULT(READER_FAULT));
    assert_int_equal(v.decision.outcome, CLINIC_INSURED_BY_DECLARATION);
    v = probe(r.w, 0, "2026-03-02", CF, DOC(CARD), SCENARIO_VISIT_FIRST, FAULT(READER_FAULT));
    assert_int_equal(v.card_check, ELIGIBILITY_READER_DOWN);
    /* The visit event with the fault is recorded with the same answer. */
    const struct world_visit *e = visit_on(r.w, "2026-02-10");
    assert_int_equal(e->card_check, ELIGIBILITY_READER_DOWN);
    assert_int_equal(e->decision.route, CLINIC_ROUTE_CARD_NOTICE);
    assert_false(e->claim_error);
    run_free(&r);
}

/* unshowable_name: the desk still decides; nothing changes. */
static void fault_unshowable_name_has_no_effect(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, visits_yaml);
    for (int res = 0; res < 3; res++) {
        struct world_visit a = probe(r.w, res, "2026-01-20", CP, 0, SCENARIO_VISIT_FIRST, 0);
        struct world_visit b =
            probe(r.w, res, "2026-01-20", CP, 0, SCENARIO_VISIT_FIRST, FAULT(UNSHOWABLE_NAME));
        assert_int_equal(a.card_check, b.card_check);
        assert_int_equal(a.decision.outcome, b.decision.outcome);
        assert_int_equal(a.decision.route, b.decision.route);
        assert_int_equal(a.decision.fee_total, b.decision.fee_total);
        assert_int_equal(a.decision.copay, b.decision.copay);
        assert_int_equal(a.brought, b.brought);
    }
    run_free(&r);
}

/* borrowed_certificate / replayed_request: the service refuses the card route (cert_revoked). */
static void fault_borrowed_or_replayed_is_cert_revoked(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, visits_yaml);
    unsigned faults[] = {FAULT(BORROWED_CERTIFICATE), FAULT(REPLAYED_REQUEST)};
    for (int i = 0; i < 2; i++) {
        struct world_visit v =
            probe(r.w, 0, "2026-01-20", CF, DOC(CARD) | DOC(NOTICE), SCENARIO_VISIT_FIRST, faults[i]);
        assert_int_equal(v.card_check, ELIGIBILITY_CERT_REVOKED);
        assert_int_equal(v.decision.outcome, CLINIC_INSURED);
        assert_int_equal(v.decision.route, CLINIC_ROUTE_CARD_NOTICE);
        assert_false(v.decision.card_used);
        v = probe(r.w, 2, "2026-01-20", CF, DOC(CARD), SCENARIO_VISIT_FIRST, faults[i]);
        assert_int_equal(v.card_check, ELIGIBILITY_CERT_REVOKED);
        assert_int_equal(v.decision.outcome, CLINIC_INSURED_BY_DECLARATION);
    }
    const struct world_visit *e = world_visit_at(r.w, world_visit_count(r.w) - 1);
    assert_int_equal(e->resident, 2);
    assert_int_equal(e->card_check, ELIGIBILITY_CERT_REVOKED);
    assert_int_equal(e->decision.outcome, CLINIC_INSURED_BY_DECLARATION);
    run_free(&r);
}

/* clinic_down (event and scenario `down:`): the clinic answers reader_down on its down days, inclusive. The
 * card alone needs the declaration there; card + notice is insured (NOTICE-3). */
static void clinic_down_days(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, visits_yaml);
    assert_true(has_event(r.w, SCENARIO_NONE, "clinic_down", "MYNA-3", D("2026-02-01")));
    assert_int_equal(check_at(r.w, 0, "2026-01-31", CF), ELIGIBILITY_OK);
    assert_int_equal(check_at(r.w, 0, "2026-02-01", CF), ELIGIBILITY_READER_DOWN);
    assert_int_equal(check_at(r.w, 0, "2026-02-03", CF), ELIGIBILITY_READER_DOWN);
    assert_int_equal(check_at(r.w, 0, "2026-02-04", CF), ELIGIBILITY_OK);
    assert_int_equal(check_at(r.w, 0, "2026-02-02", CP), ELIGIBILITY_OK);
    assert_int_equal(check_at(r.w, 0, "2026-01-04", CD), ELIGIBILITY_OK);
    assert_int_equal(check_at(r.w, 0, "2026-01-05", CD), ELIGIBILITY_READER_DOWN);
    assert_int_equal(check_at(r.w, 0, "2026-01-06", CD), ELIGIBILITY_READER_DOWN);
    assert_int_equal(check_at(r.w, 0, "2026-01-07", CD), ELIGIBILITY_OK);
    assert_int_equal(check_at(r.w, 0, "2026-01-07", CN), ELIGIBILITY_READER_DOWN);
    int n = 0;
    for (size_t i = 0; i < world_visit_count(r.w); i++) {
        const struct world_visit *v = world_visit_at(r.w, i);
        if (v->day != D("2026-02-02"))
            continue;
        assert_int_equal(v->card_check, ELIGIBILITY_READER_DOWN);
        if (v->brought & DOC(NOTICE)) {
            assert_int_equal(v->decision.route, CLINIC_ROUTE_CARD_NOTICE);
            assert_int_equal(v->decision.outcome, CLINIC_INSURED);
        } else {
            assert_int_equal(v->decision.outcome, CLINIC_INSURED_BY_DECLARATION);
        }
        n++;
    }
    assert_int_equal(n, 2);
    /* A clinic without a reader takes card + notice at face value (DESK-3). */
    struct world_visit v = probe(r.w, 0, "2026-01-20", CN, DOC(CARD) | DOC(NOTICE), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.decision.outcome, CLINIC_INSURED);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_CARD_NOTICE);
    run_free(&r);
}

/* INV-2: every day of the run is asked. r1 (card + notice) and r2 (card + portal) stay insured at a down
 * clinic except r2's PIN-blocked days (from 2026-01-10 to the end, 81 days: no reset); r3 (face-only card,
 * no portal) needs the declaration every day: 2025-12-02..2026-03-31 is 120 days. */
static void degraded_days(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, visits_yaml);
    assert_int_equal(world_degraded_days(r.w, 0), 0);
    assert_int_equal(world_degraded_days(r.w, 1), 81);
    assert_int_equal(world_degraded_days(r.w, 2), 120);
    assert_int_equal(world_degraded_days(r.w, SCENARIO_WHO_ALL), 201);
    const struct world_range *g = range_on(r.w, 1, "2026-01-09");
    assert_false(g->degraded);
    g = range_on(r.w, 1, "2026-01-10");
    assert_true(g->degraded);
    assert_int_equal(g->verdict, WORLD_DAY_USABLE);
    run_free(&r);
}

/* A scenario outage: the check answers service_down on its days, inclusive. Card + notice is insured; the
 * face-only holder with the card alone has only the declaration: gap days (docs/WORLD.md, INV-1 reading). */
static void outage_is_service_down(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, visits_yaml);
    assert_int_equal(check(r.w, 0, "2026-03-01"), ELIGIBILITY_OK);
    assert_int_equal(check(r.w, 0, "2026-03-02"), ELIGIBILITY_SERVICE_DOWN);
    assert_int_equal(check(r.w, 0, "2026-03-03"), ELIGIBILITY_SERVICE_DOWN);
    assert_int_equal(check(r.w, 0, "2026-03-04"), ELIGIBILITY_OK);
    struct world_visit v = probe(r.w, 0, "2026-03-02", CF, DOC(CARD) | DOC(NOTICE), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.card_check, ELIGIBILITY_SERVICE_DOWN);
    assert_int_equal(v.decision.outcome, CLINIC_INSURED);
    assert_int_equal(v.decision.route, CLINIC_ROUTE_CARD_NOTICE);
    assert_int_equal(world_gap_days(r.w, 0), 0);
    assert_int_equal(world_gap_days(r.w, 2), 2);
    assert_int_equal(world_first_gap(r.w, 2), D("2026-03-02"));
    assert_int_equal(world_first_gap(r.w, SCENARIO_WHO_ALL), D("2026-03-02"));
    run_free(&r);
}

/* Probes change nothing: two revisit probes in a row are both charged (no fee history), a visit event is
 * (AMEND-4: once in three months at the same clinic); probes spend no PIN tries; events, visits and ranges
 * are the same after any number of probes. */
/* AMEND-4 counts an earlier charge the same day: the second revisit (or dispensing) of a day at the same clinic
 * is not charged again; another clinic the same day is (the limit is per clinic or pharmacy). r2's PIN is
 * blocked, so the face-mismatch dispensing at cp goes by the declaration, which still bears the fee. */
static void same_day_frequency_limit(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, visits_yaml);
    const struct world_visit *v0 = world_visit_at(r.w, 0), *v1 = world_visit_at(r.w, 1);
    assert_int_equal(v0->day, D("2026-01-15"));
    assert_int_equal(v1->day, D("2026-01-15"));
    assert_true(v0->decision.fee_charged);
    assert_int_equal(v0->decision.fee_total, 10);
    assert_false(v1->decision.fee_charged);
    assert_int_equal(v1->decision.fee_total, 0);
    const struct world_visit *d0 = world_visit_at(r.w, 2), *d1 = world_visit_at(r.w, 3),
                             *d2 = world_visit_at(r.w, 4);
    assert_int_equal(d0->decision.visit, CLINIC_VISIT_DISPENSING);
    assert_true(d0->decision.fee_charged);
    assert_false(d1->decision.fee_charged);
    assert_int_equal(d2->clinic, CP);
    assert_true(d2->decision.fee_charged);
    /* A first visit has no limit: charged again the same day. */
    struct world_visit f = probe(r.w, 1, "2026-01-16", CF, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_true(f.decision.fee_charged);
    run_free(&r);
}

static void probes_leave_no_trace(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, visits_yaml);
    size_t ne = world_event_count(r.w), nv = world_visit_count(r.w), nr = world_range_count(r.w, 0);
    struct world_visit a = probe(r.w, 0, "2026-01-10", CP, DOC(CARD), SCENARIO_VISIT_REVISIT, 0);
    struct world_visit b = probe(r.w, 0, "2026-01-11", CP, DOC(CARD), SCENARIO_VISIT_REVISIT, 0);
    assert_true(a.decision.fee_charged);
    assert_true(b.decision.fee_charged);
    assert_int_equal(b.decision.fee_total, 10);
    assert_int_equal(b.decision.copay, 3);
    /* The visit event of 2026-01-15 was charged; a revisit after it in the same window is not. */
    const struct world_visit *e = world_visit_at(r.w, 0);
    assert_int_equal(e->day, D("2026-01-15"));
    assert_true(e->decision.fee_charged);
    struct world_visit c = probe(r.w, 0, "2026-01-20", CP, DOC(CARD), SCENARIO_VISIT_REVISIT, 0);
    assert_false(c.decision.fee_charged);
    assert_int_equal(c.decision.fee_total, 0);
    /* A probe is asked at the end of its day: it sees that day's visit events (docs/WORLD.md), not the next
     * day's. */
    c = probe(r.w, 0, "2026-01-15", CP, DOC(CARD), SCENARIO_VISIT_REVISIT, 0);
    assert_false(c.decision.fee_charged);
    c = probe(r.w, 0, "2026-01-14", CP, DOC(CARD), SCENARIO_VISIT_REVISIT, 0);
    assert_true(c.decision.fee_charged);
    /* PIN route probes many times: no tries spent. */
    for (int i = 0; i < 5; i++) {
        struct world_visit p =
            probe(r.w, 0, "2026-01-12", CP, DOC(CARD), SCENARIO_VISIT_FIRST, FAULT(FACE_MISMATCH));
        assert_int_equal(p.card_check, ELIGIBILITY_OK);
    }
    assert_int_equal(check_at(r.w, 0, "2026-03-31", CP), ELIGIBILITY_OK);
    assert_int_equal(world_event_count(r.w), ne);
    assert_int_equal(world_visit_count(r.w), nv);
    assert_int_equal(world_range_count(r.w, 0), nr);
    assert_int_equal(world_claim_errors(r.w, SCENARIO_WHO_ALL), 0);
    /* Bringing what is not in hand is reported as missing. */
    struct world_visit m =
        probe(r.w, 2, "2026-01-20", CF, DOC(CARD) | DOC(CERTIFICATE), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(m.missing, DOC(CERTIFICATE));
    /* Bad probe arguments. */
    struct world_visit out;
    struct eligibility_answer ans;
    struct core_error err;
    struct scenario_visit sv;
    memset(&sv, 0, sizeof sv);
    assert_int_not_equal(world_probe_visit(r.w, 7, D("2026-01-20"), &sv, &out, &err), CORE_OK);
    assert_int_not_equal(world_probe_visit(r.w, 0, D("2026-01-20"), NULL, &out, &err), CORE_OK);
    assert_int_not_equal(world_probe_check(r.w, -1, D("2026-01-20"), SCENARIO_NONE, &ans, &err), CORE_OK);
    assert_int_equal(world_holds(r.w, 9, D("2026-01-20")), 0);
    assert_int_equal(world_in_hand(NULL, 0, D("2026-01-20")), 0);
    assert_int_equal(world_range_count(r.w, 9), 0);
    assert_null(world_range_at(r.w, 0, 9999));
    assert_null(world_event_at(r.w, ne));
    assert_null(world_visit_at(r.w, nv));
    assert_int_equal(world_received(r.w, 9, SCENARIO_DOC_NOTICE, D("2026-01-20"), SCENARIO_NOTICE_ANY),
                     CORE_DAY_NONE);
    assert_string_equal(world_insurer_id(r.w, 5), "");
    assert_string_equal(world_insurer_number(r.w, -1), "");
    assert_int_equal(world_gap_days(NULL, 0), 0);
    assert_int_equal(world_first_gap(NULL, 0), CORE_DAY_NONE);
    assert_int_equal(world_event_count(NULL), 0);
    assert_int_equal(world_visit_count(NULL), 0);
    assert_int_equal(world_insurer_count(NULL), 0);
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fault_face_mismatch_falls_back_to_pin),
        cmocka_unit_test(fault_reader_fault_is_reader_down),
        cmocka_unit_test(fault_unshowable_name_has_no_effect),
        cmocka_unit_test(fault_borrowed_or_replayed_is_cert_revoked),
        cmocka_unit_test(clinic_down_days),
        cmocka_unit_test(degraded_days),
        cmocka_unit_test(outage_is_service_down),
        cmocka_unit_test(same_day_frequency_limit),
        cmocka_unit_test(probes_leave_no_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
