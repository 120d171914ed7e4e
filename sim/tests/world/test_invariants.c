/* Tests of sim/world: the invariants and the world's own guarantees — INV-1 verdicts on ranges (usable, gap
 * with its rule, not insured, before the checks), INV-3 (a document issued against the rules is flagged),
 * determinism (the same file gives the same events, ranges, visits and identities), and the API's guards. */
#include "world_test.h"

/* INV-3: a resident who starts with a certificate (to 2025-07-31) beside an NHI paper card printed to
 * 2025-07-20 — a starting state that already breaks CERT-3. The certificate's renewal (CERT-4) is mailed
 * 2025-07-17, while the paper card is still usable and not as its advance mailing (the certificate covers
 * the paper card's end): the world issues it, as CERT-4 asks, and INV-3 flags it. */
static void inv3_flags_document_to_paper_card_holder(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: inv3\n"
                 "period: {from: 2025-01-01, to: 2025-12-31}\n"
                 "insurers: [{id: kita, kind: nhi, number: \"112334\"}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1970-05-10, insurer: kita,\n"
                 "     paper_card: {issued: 2024-08-01, expires: 2025-07-20}, holds: [certificate]}\n");
    assert_true(has_event(r.w, 0, "certificate_mailed", "CERT-4", D("2025-07-17")));
    const struct world_event *e = find_event(r.w, 0, "unlawful_document", "INV-3", D("2025-07-17"));
    assert_non_null(e);
    assert_true(e->failed);
    assert_non_null(strstr(e->detail, "usable paper card"));
    assert_int_equal(unlawful(r.w, 0), 1);
    assert_int_equal(world_gap_days(r.w, 0), 0);
    run_free(&r);
}

/* INV-1 verdicts on ranges: before 2024-12-02 no check; a paper card lost after D-3 without マイナ保険証 is a
 * gap (PAPER-4: no reissue; the certificate comes on application, 7 days); a resident who leaves without
 * joining is not insured. */
static void inv1_verdicts(void **state)
{
    (void)state;
    struct run r;
    run_yaml(&r, "scenario: inv1\n"
                 "period: {from: 2024-11-01, to: 2025-06-30}\n"
                 "insurers: [{id: soc, kind: society}]\n"
                 "residents:\n"
                 "  - {id: r1, born: 1980-01-10, insurer: soc, paper_card: {issued: 2024-04-01}}\n"
                 "  - {id: r2, born: 1981-01-10, insurer: soc, paper_card: {issued: 2024-04-01}}\n"
                 "events:\n"
                 "  - {date: 2025-03-10, who: r1, do: lose_paper_card}\n"
                 "  - {date: 2025-03-10, who: r1, do: apply_certificate, reason: C}\n"
                 "  - {date: 2025-03-11, who: r1, do: lose_paper_card}\n"
                 "  - {date: 2025-04-01, who: r2, do: leave}\n");
    assert_int_equal(range_on(r.w, 0, "2024-11-15")->verdict, WORLD_DAY_BEFORE_CHECKS);
    assert_int_equal(range_on(r.w, 0, "2024-12-02")->verdict, WORLD_DAY_USABLE);
    assert_true(find_event(r.w, 0, "lose_document", "PAPER-4", D("2025-03-11"))->failed);
    assert_int_equal(world_gap_days(r.w, 0), 7);
    assert_int_equal(world_first_gap(r.w, 0), D("2025-03-10"));
    const struct world_range *g = range_on(r.w, 0, "2025-03-10");
    assert_int_equal(g->verdict, WORLD_DAY_GAP);
    assert_int_equal(g->to, D("2025-03-16"));
    assert_true(g->degraded);
    assert_int_equal(received(r.w, 0, SCENARIO_DOC_CERTIFICATE, "2025-06-30"), D("2025-03-17"));
    assert_int_equal(range_on(r.w, 0, "2025-03-17")->verdict, WORLD_DAY_USABLE);
    assert_int_equal(range_on(r.w, 1, "2025-04-01")->verdict, WORLD_DAY_NOT_INSURED);
    assert_int_equal(range_on(r.w, 1, "2025-04-01")->insurer, SCENARIO_NONE);
    assert_int_equal(range_on(r.w, 1, "2025-03-31")->verdict, WORLD_DAY_USABLE);
    assert_int_equal(world_gap_days(r.w, 1), 0);
    assert_int_equal(world_gap_days(r.w, SCENARIO_WHO_ALL), 7);
    /* Ranges tile the period without overlap. */
    for (int res = 0; res < 2; res++) {
        core_day next = D("2024-11-01");
        for (size_t i = 0; i < world_range_count(r.w, res); i++) {
            const struct world_range *x = world_range_at(r.w, res, i);
            assert_int_equal(x->from, next);
            assert_true(x->to >= x->from);
            next = x->to + 1;
        }
        assert_int_equal(next, D("2025-07-01"));
    }
    run_free(&r);
}

static const char *det_pre = "scenario: det\n"
                             "period: {from: 2024-10-01, to: 2026-03-31}\n"
                             "seed: ";
static const char *det_yaml =
    "insurers: [{id: soc, kind: society}, {id: kyo, kind: kyokai}, {id: kita, kind: nhi}]\n"
    "clinics: [{id: cf, reader: face}, {id: cp, reader: pin}]\n"
    "residents:\n"
    "  - {id: r1, born: 1950-06-15, insurer: soc, paper_card: {issued: 2024-04-01},\n"
    "     card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
    "  - {id: r2, born: 1955-01-01, insurer: soc, role: dependent, of: r1,\n"
    "     paper_card: {issued: 2024-04-01}}\n"
    "  - {id: r3, born: 1985-03-03, insurer: kita, paper_card: {issued: 2024-08-01},\n"
    "     card: {issued: 2022-06-01}, registered: 2023-02-01}\n"
    "events:\n"
    "  - {date: 2025-02-01, who: r3, do: leave, processed: 2025-03-01}\n"
    "  - {date: 2025-02-01, who: r3, do: enroll, insurer: kyo}\n"
    "  - {date: 2025-02-05, who: r3, do: visit, clinic: cf, kind: first}\n"
    "  - {date: 2025-09-01, who: r3, do: wrong_pin, times: 3}\n"
    "  - {date: 2025-09-02, who: r3, do: visit, clinic: cp, kind: revisit}\n"
    "  - {date: 2025-10-01, who: r3, do: return_card}\n";

/* Determinism: the same file (and seed) gives the same events, details, ranges, visits and numbers. */
static void same_input_same_world(void **state)
{
    (void)state;
    const char *seeds[] = {"0", "42"};
    for (int s = 0; s < 2; s++) {
        struct run a, b;
        run_policy(&a, det_pre, seeds[s], det_yaml);
        run_policy(&b, det_pre, seeds[s], det_yaml);
        assert_int_equal(world_event_count(a.w), world_event_count(b.w));
        for (size_t i = 0; i < world_event_count(a.w); i++) {
            const struct world_event *x = world_event_at(a.w, i), *y = world_event_at(b.w, i);
            assert_int_equal(x->day, y->day);
            assert_int_equal(x->resident, y->resident);
            assert_string_equal(x->what, y->what);
            assert_string_equal(x->rule, y->rule);
            assert_string_equal(x->detail, y->detail);
            assert_int_equal(x->failed, y->failed);
            assert_int_equal(x->line, y->line);
            if (i > 0)
                assert_true(world_event_at(a.w, i - 1)->day <= x->day);
        }
        for (int res = 0; res < 3; res++) {
            assert_int_equal(world_range_count(a.w, res), world_range_count(b.w, res));
            for (size_t i = 0; i < world_range_count(a.w, res); i++) {
                const struct world_range *x = world_range_at(a.w, res, i), *y = world_range_at(b.w, res, i);
                assert_non_null(x);
                assert_non_null(y);
                if (x == NULL || y == NULL)
                    continue;
                assert_int_equal(x->from, y->from);
                assert_int_equal(x->to, y->to);
                assert_int_equal(x->holds, y->holds);
                assert_int_equal(x->in_hand, y->in_hand);
                assert_int_equal(x->insurer, y->insurer);
                assert_int_equal(x->verdict, y->verdict);
                assert_int_equal(x->degraded, y->degraded);
                assert_string_equal(x->rule, y->rule);
            }
            assert_int_equal(world_gap_days(a.w, res), world_gap_days(b.w, res));
            assert_int_equal(world_degraded_days(a.w, res), world_degraded_days(b.w, res));
            assert_int_equal(world_grace_days(a.w, res), world_grace_days(b.w, res));
        }
        assert_int_equal(world_visit_count(a.w), 2);
        assert_int_equal(world_visit_count(a.w), world_visit_count(b.w));
        for (size_t i = 0; i < world_visit_count(a.w); i++) {
            const struct world_visit *x = world_visit_at(a.w, i), *y = world_visit_at(b.w, i);
            assert_int_equal(x->decision.outcome, y->decision.outcome);
            assert_int_equal(x->decision.route, y->decision.route);
            assert_int_equal(x->decision.fee_total, y->decision.fee_total);
            assert_int_equal(x->claim_error, y->claim_error);
        }
        assert_int_equal(world_insurer_count(a.w), world_insurer_count(b.w));
        for (size_t i = 0; i < world_insurer_count(a.w); i++) {
            assert_string_equal(world_insurer_id(a.w, (int)i), world_insurer_id(b.w, (int)i));
            assert_string_equal(world_insurer_number(a.w, (int)i), world_insurer_number(b.w, (int)i));
            for (size_t j = 0; j < i; j++)
                assert_string_not_equal(world_insurer_number(a.w, (int)i), world_insurer_number(a.w, (int)j));
        }
        /* The late loss leaves r3 blocked until it is filed and visible (2025-03-01 + 5 days). */
        assert_int_equal(check(a.w, 2, "2025-03-05"), ELIGIBILITY_NOT_REFLECTED);
        assert_int_equal(check(a.w, 2, "2025-03-06"), ELIGIBILITY_OK);
        assert_true(has_event(a.w, 2, "leave", "MYNA-3", D("2025-02-01")));
        assert_int_equal(world_claim_errors(a.w, SCENARIO_WHO_ALL),
                         world_claim_errors(b.w, SCENARIO_WHO_ALL));
        run_free(&a);
        run_free(&b);
    }
}

/* The API's guards: no scenario, a second run. */
static void api_guards(void **state)
{
    (void)state;
    struct core_error err;
    core_error_clear(&err);
    struct world *w = NULL;
    assert_int_not_equal(world_new(NULL, &w, &err), CORE_OK);
    assert_int_not_equal(world_run(NULL, &err), CORE_OK);
    world_free(NULL);
    struct run r;
    run_yaml(&r, "scenario: twice\nperiod: {from: 2025-01-01, to: 2025-01-31}\n"
                 "insurers: [{id: a, kind: mutual_aid}]\n"
                 "residents: [{id: r1, born: 1990-01-01, insurer: a}]\n");
    assert_int_equal(world_run(r.w, &err), CORE_ESTATE);
    assert_int_equal(strncmp(world_insurer_number(r.w, 0), "31", 2), 0);
    /* Insured without any document from the start: every day a gap, degraded too. */
    assert_int_equal(world_gap_days(r.w, 0), 31);
    assert_int_equal(world_degraded_days(r.w, 0), 31);
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inv3_flags_document_to_paper_card_holder),
        cmocka_unit_test(inv1_verdicts),
        cmocka_unit_test(same_input_same_world),
        cmocka_unit_test(api_guards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
