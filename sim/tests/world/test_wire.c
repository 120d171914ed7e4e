/* Tests of sim/world/wire.c, the wire path (world_set_fidelity(WORLD_FIDELITY_WIRE)): the same scenario replayed
 * on the rules path and on the wire path decides every visit and probe alike — every clinic reader, every fault
 * of `faults:`, a blocked PIN, a face-only card, a scenario outage, a down clinic, a reissued card — and the
 * choice of fidelity is refused once the world has run. Residents carry odd ids and their own identity (name,
 * address, sex, security code), which the wire path prints on the virtual card. */
#include "world_test.h"

static const char *wire_yaml =
    "scenario: wire\n"
    "period: {from: 2025-12-02, to: 2026-03-31}\n"
    "outages: [{from: 2026-03-02, to: 2026-03-03}]\n"
    "insurers: [{id: kyo, kind: kyokai, number: \"01110014\"}]\n"
    "clinics:\n"
    "  - {id: cf, reader: face}\n"
    "  - {id: cp, reader: pin}\n"
    "  - {id: cn, reader: none}\n"
    "  - {id: cd, reader: face, down: [{from: 2026-01-05, to: 2026-01-06}]}\n"
    "residents:\n"
    "  - {id: R.1_x, born: 1979-08-08, insurer: kyo, card: {issued: 2022-11-01},\n"
    "     registered: 2022-12-01, holds: [notice], name: 山田 花子, address: 大阪府大阪市北区,\n"
    "     sex: female, security_code: \"4321\"}\n"
    "  - {id: r2, born: 1980-08-08, insurer: kyo, card: {issued: 2022-11-01},\n"
    "     registered: 2022-12-01, sex: male}\n"
    "  - {id: r3, born: 1981-08-08, insurer: kyo, card: {issued: 2022-11-01, face_only: true},\n"
    "     registered: 2022-12-01}\n"
    "  - {id: r4, born: 1982-08-08, insurer: kyo, card: {issued: 2022-11-01}}\n"
    "  - {id: resident-with-an-id-longer-than-the-card-profile-id-0123, born: 1983-08-08, insurer: kyo,\n"
    "     card: {issued: 2022-11-01}, registered: 2022-12-01}\n"
    "events:\n"
    "  - {date: 2026-01-10, who: r2, do: wrong_pin, times: 3}\n"
    "  - {date: 2026-01-12, who: r3, do: wrong_pin, times: 3}\n"
    "  - {date: 2026-01-15, who: R.1_x, do: visit, clinic: cp, bring: [card], kind: revisit}\n"
    "  - {date: 2026-02-02, who: R.1_x, do: visit, clinic: cf, bring: [card, notice], kind: first,\n"
    "     faults: [borrowed_certificate]}\n"
    "  - {date: 2026-02-03, who: r2, do: visit, clinic: cf, kind: first, faults: [face_mismatch]}\n"
    "  - {date: 2026-02-04, who: r3, do: visit, clinic: cp, kind: dispensing, faults: [replayed_request]}\n"
    "  - {date: 2026-02-05, who: R.1_x, do: lose_card}\n"
    "  - {date: 2026-02-05, who: R.1_x, do: reissue_card}\n"
    "  - {date: 2026-02-20, who: R.1_x, do: visit, clinic: cf, bring: [card], kind: first}\n";

#define CF 0
#define CP 1
#define CN 2
#define CD 3

static void assert_same_visit(const struct world_visit *a, const struct world_visit *b, const char *what)
{
    if (a->card_check != b->card_check || a->decision.outcome != b->decision.outcome ||
        a->decision.route != b->decision.route || a->decision.fee_total != b->decision.fee_total ||
        a->decision.copay != b->decision.copay || a->claim_error != b->claim_error ||
        a->warnings != b->warnings || a->missing != b->missing)
        fail_msg("%s: rules %s/%s/%s fee %d/%d, wire %s/%s/%s fee %d/%d", what,
                 eligibility_result_name(a->card_check), clinic_outcome_name(a->decision.outcome),
                 clinic_route_name(a->decision.route), (int)a->decision.fee_total, (int)a->decision.copay,
                 eligibility_result_name(b->card_check), clinic_outcome_name(b->decision.outcome),
                 clinic_route_name(b->decision.route), (int)b->decision.fee_total, (int)b->decision.copay);
}

/* The visit events of the file come out alike on both paths, with the answers the rules give. */
static void visit_events_decide_alike_on_both_paths(void **state)
{
    (void)state;
    struct run rules, wire;
    run_yaml_fidelity(&rules, wire_yaml, WORLD_FIDELITY_RULES);
    run_yaml_fidelity(&wire, wire_yaml, WORLD_FIDELITY_WIRE);
    assert_int_equal(world_visit_count(rules.w), 5);
    assert_int_equal(world_visit_count(wire.w), 5);
    for (size_t i = 0; i < world_visit_count(rules.w); i++) {
        char what[32];
        snprintf(what, sizeof what, "visit %zu", i);
        assert_same_visit(world_visit_at(rules.w, i), world_visit_at(wire.w, i), what);
    }
    /* Pinned: the borrowed certificate is refused by the service; the face mismatch falls back to a blocked
     * PIN; a replayed request is refused; the reissued card works at the face reader. */
    assert_int_equal(visit_on(wire.w, "2026-01-15")->card_check, ELIGIBILITY_OK);
    const struct world_visit *v = visit_on(wire.w, "2026-02-02");
    assert_int_equal(v->card_check, ELIGIBILITY_CERT_REVOKED);
    assert_int_equal(v->decision.outcome, CLINIC_INSURED);
    assert_int_equal(v->decision.route, CLINIC_ROUTE_CARD_NOTICE);
    v = visit_on(wire.w, "2026-02-03");
    assert_int_equal(v->card_check, ELIGIBILITY_PIN_LOCKED);
    assert_int_equal(v->decision.outcome, CLINIC_INSURED_BY_DECLARATION);
    assert_int_equal(visit_on(wire.w, "2026-02-04")->card_check, ELIGIBILITY_CERT_REVOKED);
    v = visit_on(wire.w, "2026-02-20");
    assert_int_equal(v->card_check, ELIGIBILITY_OK);
    assert_int_equal(v->decision.route, CLINIC_ROUTE_CARD);
    run_free(&rules);
    run_free(&wire);
}

/* Probes over residents, clinics (default, face, pin, none, down), faults and days (an outage, a down day, a
 * blocked PIN, after a reissue) answer alike, and leave no trace (asked twice, the same answer). */
static void probes_decide_alike_on_both_paths(void **state)
{
    (void)state;
    struct run rules, wire;
    run_yaml_fidelity(&rules, wire_yaml, WORLD_FIDELITY_RULES);
    run_yaml_fidelity(&wire, wire_yaml, WORLD_FIDELITY_WIRE);
    static const char *const days[] = {"2025-12-10", "2026-01-05", "2026-01-20", "2026-02-10", "2026-03-02"};
    static const unsigned faults[] = {0,
                                      FAULT(FACE_MISMATCH),
                                      FAULT(READER_FAULT),
                                      FAULT(UNSHOWABLE_NAME),
                                      FAULT(BORROWED_CERTIFICATE),
                                      FAULT(REPLAYED_REQUEST),
                                      FAULT(FACE_MISMATCH) | FAULT(UNSHOWABLE_NAME)};
    static const int clinics[] = {SCENARIO_NONE, CF, CP, CN, CD};
    int compared = 0;
    for (int res = 0; res < 4; res++)
        for (size_t d = 0; d < sizeof days / sizeof days[0]; d++)
            for (size_t c = 0; c < sizeof clinics / sizeof clinics[0]; c++)
                for (size_t f = 0; f < sizeof faults / sizeof faults[0]; f++) {
                    unsigned bring = res == 0 && f % 2 == 1 ? DOC(CARD) | DOC(NOTICE) : 0;
                    enum scenario_visit_kind kind = f == 2 ? SCENARIO_VISIT_REVISIT : SCENARIO_VISIT_FIRST;
                    struct world_visit a = probe(rules.w, res, days[d], clinics[c], bring, kind, faults[f]);
                    struct world_visit b = probe(wire.w, res, days[d], clinics[c], bring, kind, faults[f]);
                    struct world_visit b2 = probe(wire.w, res, days[d], clinics[c], bring, kind, faults[f]);
                    char what[96];
                    snprintf(what, sizeof what, "resident %d day %s clinic %d faults %#x", res, days[d],
                             clinics[c], faults[f]);
                    assert_same_visit(&a, &b, what);
                    assert_same_visit(&b, &b2, what);
                    compared++;
                }
    assert_int_equal(compared, 4 * 5 * 5 * 7);
    /* A few answers pinned. */
    struct world_visit v = probe(wire.w, 0, "2026-01-20", CF, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.card_check, ELIGIBILITY_OK);
    v = probe(wire.w, 0, "2026-01-20", CF, DOC(CARD), SCENARIO_VISIT_FIRST, FAULT(BORROWED_CERTIFICATE));
    assert_int_equal(v.card_check, ELIGIBILITY_CERT_REVOKED);
    v = probe(wire.w, 1, "2026-01-20", CP, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.card_check, ELIGIBILITY_PIN_LOCKED);
    v = probe(wire.w, 2, "2026-01-20", CP, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.card_check, ELIGIBILITY_OK); /* face-only: checked by eye, no PIN to block */
    v = probe(wire.w, 3, "2026-01-20", CF, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.card_check, ELIGIBILITY_NOT_REGISTERED);
    /* A 57-character id: the card's profile id takes its first 40 characters. */
    struct world_visit a = probe(rules.w, 4, "2026-01-20", CP, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    v = probe(wire.w, 4, "2026-01-20", CP, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_same_visit(&a, &v, "the long id");
    assert_int_equal(v.card_check, ELIGIBILITY_OK);
    v = probe(wire.w, 0, "2026-03-02", CF, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.card_check, ELIGIBILITY_SERVICE_DOWN);
    v = probe(wire.w, 0, "2026-01-05", CD, DOC(CARD), SCENARIO_VISIT_FIRST, 0);
    assert_int_equal(v.card_check, ELIGIBILITY_READER_DOWN);
    run_free(&rules);
    run_free(&wire);
}

/* The online check alone (world_probe_check) on the wire path answers as on the rules path. */
static void online_checks_answer_alike_on_both_paths(void **state)
{
    (void)state;
    struct run rules, wire;
    run_yaml_fidelity(&rules, wire_yaml, WORLD_FIDELITY_RULES);
    run_yaml_fidelity(&wire, wire_yaml, WORLD_FIDELITY_WIRE);
    static const char *const days[] = {"2025-12-02", "2026-01-05", "2026-01-20", "2026-02-05", "2026-03-03"};
    static const int clinics[] = {SCENARIO_NONE, CF, CP, CD};
    for (int res = 0; res < 4; res++)
        for (size_t d = 0; d < sizeof days / sizeof days[0]; d++)
            for (size_t c = 0; c < sizeof clinics / sizeof clinics[0]; c++) {
                enum eligibility_result a = check_at(rules.w, res, days[d], clinics[c]);
                enum eligibility_result b = check_at(wire.w, res, days[d], clinics[c]);
                if (a != b)
                    fail_msg("resident %d day %s clinic %d: rules %s, wire %s", res, days[d], clinics[c],
                             eligibility_result_name(a), eligibility_result_name(b));
            }
    assert_int_equal(check(wire.w, 0, "2026-01-20"), ELIGIBILITY_OK);
    assert_int_equal(check(wire.w, 0, "2026-02-05"), ELIGIBILITY_OK); /* the reissued card */
    assert_int_equal(check(wire.w, 1, "2026-01-20"), ELIGIBILITY_OK); /* face reader: no PIN asked */
    assert_int_equal(check_at(wire.w, 1, "2026-01-20", CP), ELIGIBILITY_PIN_LOCKED);
    assert_int_equal(check(wire.w, 3, "2026-01-20"), ELIGIBILITY_NOT_REGISTERED);
    assert_int_equal(check(wire.w, 0, "2026-03-03"), ELIGIBILITY_SERVICE_DOWN);
    run_free(&rules);
    run_free(&wire);
}

/* The card's face shows the person the answers show: a resident without a name or sex (r3, r4, the long id)
 * gets the registry's generated person on both, one with a sex alone (r2) keeps it on both, and a given name
 * (R.1_x) is printed as given. */
static void card_face_is_the_answers_person(void **state)
{
    (void)state;
    struct run wire;
    run_yaml_fidelity(&wire, wire_yaml, WORLD_FIDELITY_WIRE);
    int compared = 0;
    for (int res = 0; res < 5; res++) {
        struct eligibility_answer a;
        struct core_error err;
        core_error_clear(&err);
        assert_int_equal(world_probe_check(wire.w, res, D("2026-01-20"), CF, &a, &err), CORE_OK);
        if (!a.has_qualification) /* r4 is not registered: the answer shows no person */
            continue;
        compared++;
        char name[256];
        int sex = 0;
        assert_int_equal(world_card_face(wire.w, res, D("2026-01-20"), name, &sex), CORE_OK);
        /* the answer shows the name in JIS X 0208 (● for the rest, here R.1_x's ASCII space): so does the
         * card's, when shown the same way */
        char shown[ELIGIBILITY_PERSON_TEXT_MAX];
        assert_int_equal(eligibility_name_showable(name, shown, sizeof shown), CORE_OK);
        if (strcmp(shown, a.qualification.name) != 0 || sex != a.qualification.sex)
            fail_msg("resident %d: card %s sex %d, answer %s sex %d", res, name, sex, a.qualification.name,
                     a.qualification.sex);
        assert_string_not_equal(name, "住民 一"); /* the fixed name the card once fell back to */
    }
    assert_true(compared >= 3);
    /* the long id: no name, no sex, and compared above */
    assert_int_equal(check(wire.w, 4, "2026-01-20"), ELIGIBILITY_OK);
    char name[256];
    int sex = 0;
    assert_int_equal(world_card_face(wire.w, 0, D("2026-01-20"), name, &sex), CORE_OK);
    assert_string_equal(name, "山田 花子");
    assert_int_equal(sex, 2);
    assert_int_equal(world_card_face(wire.w, 1, D("2026-01-20"), name, &sex), CORE_OK);
    assert_int_equal(sex, 1);
    /* the generated person depends on the resident's id alone: the rules path's world files the same one */
    struct run rules;
    run_yaml_fidelity(&rules, wire_yaml, WORLD_FIDELITY_RULES);
    char again[256];
    int sex2 = 0;
    assert_int_equal(world_card_face(wire.w, 2, D("2026-01-20"), name, &sex), CORE_OK);
    assert_int_equal(world_card_face(rules.w, 2, D("2026-01-20"), again, &sex2), CORE_OK);
    assert_string_equal(name, again);
    assert_int_equal(sex, sex2);
    /* no card in hand: refused */
    assert_int_equal(world_card_face(wire.w, 0, D("2021-01-01"), name, &sex), CORE_EINVAL);
    assert_int_equal(world_card_face(wire.w, 99, D("2026-01-20"), name, &sex), CORE_EINVAL);
    run_free(&rules);
    run_free(&wire);
}

/* Fidelity is chosen after world_new and before world_run: choosing it later, or for no world, is refused;
 * choosing WIRE twice keeps one wire; going back to RULES drops it and the rules path decides. */
static void fidelity_is_chosen_before_the_run(void **state)
{
    (void)state;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(world_set_fidelity(NULL, WORLD_FIDELITY_WIRE, &err), CORE_EINVAL);
    assert_string_equal(err.message, "world: fidelity is chosen before the run");

    struct run r;
    run_yaml_fidelity(&r, wire_yaml, WORLD_FIDELITY_RULES);
    core_error_clear(&err);
    assert_int_equal(world_set_fidelity(r.w, WORLD_FIDELITY_WIRE, &err), CORE_EINVAL);
    assert_string_equal(err.message, "world: fidelity is chosen before the run");
    assert_int_equal(world_set_fidelity(r.w, WORLD_FIDELITY_RULES, &err), CORE_EINVAL);
    run_free(&r);

    struct scenario_diags diags;
    scenario_diags_init(&diags);
    assert_int_equal(scenario_load_buffer("wire.yaml", wire_yaml, strlen(wire_yaml), NULL, &r.scn, &diags),
                     CORE_OK);
    scenario_diags_clear(&diags);
    assert_int_equal(world_new(r.scn, &r.w, &err), CORE_OK);
    assert_int_equal(world_set_fidelity(r.w, WORLD_FIDELITY_WIRE, &err), CORE_OK);
    assert_int_equal(world_set_fidelity(r.w, WORLD_FIDELITY_WIRE, &err), CORE_OK);
    assert_int_equal(world_set_fidelity(r.w, WORLD_FIDELITY_RULES, &err), CORE_OK);
    assert_int_equal(world_set_fidelity(r.w, WORLD_FIDELITY_RULES, &err), CORE_OK);
    assert_int_equal(world_run(r.w, &err), CORE_OK);
    assert_int_equal(world_visit_count(r.w), 5);
    assert_int_equal(visit_on(r.w, "2026-02-02")->card_check, ELIGIBILITY_CERT_REVOKED);
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(visit_events_decide_alike_on_both_paths),
        cmocka_unit_test(probes_decide_alike_on_both_paths),
        cmocka_unit_test(online_checks_answer_alike_on_both_paths),
        cmocka_unit_test(fidelity_is_chosen_before_the_run),
        cmocka_unit_test(card_face_is_the_answers_person),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
