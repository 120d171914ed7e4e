/* Tests of sim/clinic/desk.c: DESK-1's routes and fallbacks, DESK-2's number check, DESK-3's readers,
 * NOTICE-2..4, MYNA-4, AMEND-1's look-up, the fee tables of both policies with AMEND-4's frequency limits,
 * the co-payment and MYNA-10. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "clinic/clinic.h"

static core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

static struct policy *named(const char *name)
{
    struct policy *p = NULL;
    struct core_error err;
    if (policy_load_named(name, &p, &err) != CORE_OK)
        fail_msg("%s: %s:%d:%d: %s", name, err.file, err.line, err.column, err.message);
    return p;
}

static struct policy *national, *announced;

static CORE_MUST_USE int load_policies(void **state)
{
    (void)state;
    national = named("national");
    announced = named("as-announced-2024");
    return 0;
}

static CORE_MUST_USE int free_policies(void **state)
{
    (void)state;
    policy_free(national);
    policy_free(announced);
    return 0;
}

static struct eligibility_answer answer(enum eligibility_result r, bool has_q)
{
    struct eligibility_answer a;
    memset(&a, 0, sizeof a);
    a.result = r;
    a.has_qualification = has_q;
    a.qualification.copay_percent = 30;
    a.qualification.end = CORE_DAY_NONE;
    return a;
}

static const struct eligibility_answer *OK_ANSWER, *NOT_REFLECTED_OLD, *NOT_REFLECTED_NEW, *NO_QUAL,
    *CARD_EXPIRED, *READER_DOWN, *SERVICE_DOWN;
static struct eligibility_answer answers_store[7];

static CORE_MUST_USE int make_answers(void **state)
{
    answers_store[0] = answer(ELIGIBILITY_OK, true);
    answers_store[1] = answer(ELIGIBILITY_NOT_REFLECTED, true);
    answers_store[2] = answer(ELIGIBILITY_NOT_REFLECTED, false);
    answers_store[3] = answer(ELIGIBILITY_NO_QUALIFICATION, false);
    answers_store[4] = answer(ELIGIBILITY_CARD_EXPIRED, false);
    answers_store[5] = answer(ELIGIBILITY_READER_DOWN, false);
    answers_store[6] = answer(ELIGIBILITY_SERVICE_DOWN, false);
    OK_ANSWER = &answers_store[0];
    NOT_REFLECTED_OLD = &answers_store[1];
    NOT_REFLECTED_NEW = &answers_store[2];
    NO_QUAL = &answers_store[3];
    CARD_EXPIRED = &answers_store[4];
    READER_DOWN = &answers_store[5];
    SERVICE_DOWN = &answers_store[6];
    return load_policies(state);
}

/* A visit under construction: a face reader that works, nothing shown, a 45-year-old. */
struct visit {
    struct clinic_presented shown;
    struct clinic_input in;
    struct clinic_decision out;
};

static void visit_init(struct visit *v, const struct policy *p, const char *day)
{
    memset(v, 0, sizeof *v);
    v->shown.paper_expiry = CORE_DAY_NONE;
    v->shown.born = D("1980-05-10");
    v->in.on = D(day);
    v->in.visit = CLINIC_VISIT_FIRST;
    v->in.reader = CLINIC_READER_FACE;
    v->in.online_ok = true;
    v->in.presented = &v->shown;
    v->in.policy = p;
}

static void show_card(struct visit *v, const struct eligibility_answer *a)
{
    v->shown.card = true;
    v->in.answers.card = a;
}

static void show_certificate(struct visit *v, const char *from, const char *to,
                             const struct eligibility_answer *a)
{
    v->shown.certificate = true;
    v->shown.certificate_from = D(from);
    v->shown.certificate_to = D(to);
    v->in.answers.certificate = a;
}

static void show_paper(struct visit *v, const char *expiry, const struct eligibility_answer *a)
{
    v->shown.paper_card = true;
    v->shown.paper_expiry = expiry == NULL ? CORE_DAY_NONE : D(expiry);
    v->in.answers.paper_card = a;
}

static void show_notice(struct visit *v, const struct eligibility_answer *a)
{
    v->shown.notice = true;
    v->shown.notice_type = 'B';
    v->in.answers.notice = a;
}

static void decide(struct visit *v)
{
    assert_int_equal(clinic_decide(&v->in, &v->out), CORE_OK);
}

#define assert_decided(v, outcome_word, route_word, rule_id)                                                 \
    do {                                                                                                     \
        decide(v);                                                                                           \
        assert_string_equal(clinic_outcome_name((v)->out.outcome), outcome_word);                            \
        assert_string_equal(clinic_route_name((v)->out.route), route_word);                                  \
        assert_string_equal((v)->out.rule, rule_id);                                                         \
    } while (0)

/* ---- DESK-1 routes ------------------------------------------------------------------------------------ */

static void card_that_passes_the_check_is_the_card_route(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, national, "2025-03-03");
    show_card(&v, OK_ANSWER);
    show_certificate(&v, "2025-01-01", "2025-12-31", OK_ANSWER);
    show_paper(&v, NULL, OK_ANSWER);
    assert_decided(&v, "insured", "card", "MYNA-1");
    assert_true(v.out.card_used);
    assert_true(v.out.limit_applied);
    assert_false(v.out.grace);
}

static void failing_card_falls_back_to_the_certificate_then_the_paper_card(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, national, "2025-03-03");
    show_card(&v, CARD_EXPIRED);
    show_certificate(&v, "2025-01-01", "2025-12-31", OK_ANSWER);
    show_paper(&v, NULL, OK_ANSWER);
    assert_decided(&v, "insured", "certificate", "CERT-7");
    assert_false(v.out.card_used);
    assert_false(v.out.limit_applied); /* MYNA-10 needs the card route */
    v.shown.certificate = false;
    assert_decided(&v, "insured", "paper_card", "DESK-2");
}

static void certificate_alone_gets_insured_care(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, announced, "2025-09-20");
    show_certificate(&v, "2025-09-19", "2026-07-31", OK_ANSWER);
    assert_decided(&v, "insured", "certificate", "CERT-7");
    /* outside its printed validity it does not look usable */
    v.in.on = D("2025-09-18");
    assert_decided(&v, "self_pay", "none", "CERT-4");
    v.in.on = D("2026-08-01");
    assert_decided(&v, "self_pay", "none", "CERT-4");
}

static void certificate_during_the_reflection_lag_is_accepted_unless_no_qualification(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, national, "2025-04-02");
    show_certificate(&v, "2025-04-01", "2026-03-31", NOT_REFLECTED_NEW);
    assert_decided(&v, "insured", "certificate", "CERT-7");
    v.in.answers.certificate = NO_QUAL;
    assert_decided(&v, "self_pay", "none", "DESK-2");
}

static void paper_card_of_a_holder_who_left_passes_until_the_loss_is_reflected(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, announced, "2025-05-10");
    show_paper(&v, "2025-07-31", OK_ANSWER); /* loss unfiled: a claim error the world will mark */
    assert_decided(&v, "insured", "paper_card", "DESK-2");
    v.in.answers.paper_card = NOT_REFLECTED_OLD;
    assert_decided(&v, "insured", "paper_card", "DESK-2");
    v.in.answers.paper_card = NO_QUAL;
    assert_decided(&v, "self_pay", "none", "DESK-2");
    /* a clinic without a reader takes paper at face value */
    v.in.reader = CLINIC_READER_NONE;
    v.in.answers.paper_card = NULL;
    assert_decided(&v, "insured", "paper_card", "DESK-2");
    /* so does a clinic whose check is down that day */
    v.in.reader = CLINIC_READER_PIN;
    v.in.online_ok = false;
    assert_decided(&v, "insured", "paper_card", "DESK-2");
}

static void paper_card_is_usable_to_its_printed_expiry_and_never_after_the_cap(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, announced, "2025-07-31");
    show_paper(&v, "2025-07-31", OK_ANSWER);
    assert_decided(&v, "insured", "paper_card", "DESK-2");
    v.in.on = D("2025-08-01");
    assert_decided(&v, "self_pay", "none", "PAPER-2");
    show_paper(&v, NULL, OK_ANSWER); /* employee insurance: no printed expiry, the cap */
    v.in.on = D("2025-12-01");
    assert_decided(&v, "insured", "paper_card", "DESK-2");
    v.in.on = D("2025-12-02");
    assert_decided(&v, "self_pay", "none", "PAPER-2");
    show_paper(&v, "2026-03-31", OK_ANSWER);
    assert_decided(&v, "self_pay", "none", "PAPER-2");
}

static void notice_alone_is_self_pay_under_as_announced(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, announced, "2025-09-11");
    show_notice(&v, OK_ANSWER);
    assert_decided(&v, "self_pay", "none", "NOTICE-2");
    assert_int_equal(v.out.copay, v.out.fee_total);
    assert_int_equal(v.out.copay_percent, 100);
}

static void notice_alone_is_looked_up_in_september_2025_under_national(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, national, "2025-09-11");
    show_notice(&v, OK_ANSWER);
    assert_decided(&v, "insured", "lookup", "AMEND-1");
    assert_true(v.out.grace);
    assert_false(v.out.card_used);
    assert_false(v.out.limit_applied);
    /* before the grace opens and after it closes */
    v.in.on = D("2025-07-31");
    assert_decided(&v, "self_pay", "none", "NOTICE-2");
    v.in.on = D("2026-04-01");
    assert_decided(&v, "self_pay", "none", "NOTICE-2");
}

static void expired_paper_card_in_august_2025_is_lookup_grace_under_national(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, national, "2025-08-01");
    show_paper(&v, "2025-07-31", OK_ANSWER);
    assert_decided(&v, "insured", "lookup", "AMEND-1");
    assert_true(v.out.grace);
    v.in.on = D("2026-03-31");
    assert_decided(&v, "insured", "lookup", "AMEND-1");
    /* the same card under the 2024 plan */
    v.in.policy = announced;
    v.in.on = D("2025-08-01");
    assert_decided(&v, "self_pay", "none", "PAPER-2");
}

static void lookup_of_a_voided_paper_card_finds_nothing_once_the_loss_is_reflected(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, national, "2025-09-01");
    show_paper(&v, "2025-07-31", NOT_REFLECTED_OLD); /* loss filed, not yet visible: still found */
    assert_decided(&v, "insured", "lookup", "AMEND-1");
    v.in.answers.paper_card = NO_QUAL;
    assert_decided(&v, "self_pay", "none", "AMEND-1");
    /* a new membership's notice during the lag: nothing to find yet */
    v.shown.paper_card = false;
    show_notice(&v, NOT_REFLECTED_NEW);
    assert_decided(&v, "self_pay", "none", "AMEND-1");
}

static void lookup_needs_a_working_online_check(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, national, "2025-09-01");
    show_paper(&v, "2025-07-31", NULL);
    v.in.reader = CLINIC_READER_NONE;
    assert_decided(&v, "self_pay", "none", "PAPER-2");
    v.in.reader = CLINIC_READER_FACE;
    v.in.online_ok = false;
    assert_decided(&v, "self_pay", "none", "PAPER-2");
    v.in.online_ok = true;
    v.in.answers.paper_card = SERVICE_DOWN; /* the system itself is out */
    assert_decided(&v, "self_pay", "none", "AMEND-1");
}

static void card_with_notice_is_insured_when_the_check_fails(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, announced, "2025-04-02");
    show_card(&v, answers_store + 1); /* not_reflected */
    show_notice(&v, NOT_REFLECTED_NEW);
    assert_decided(&v, "insured", "card_notice", "NOTICE-3");
    /* reader out of order */
    v.in.online_ok = false;
    v.in.answers.card = READER_DOWN;
    assert_decided(&v, "insured", "card_notice", "NOTICE-3");
    /* clinic not equipped: taken at face value */
    v.in.reader = CLINIC_READER_NONE;
    v.in.online_ok = true;
    v.in.answers.card = NULL;
    v.in.answers.notice = NULL;
    assert_decided(&v, "insured", "card_notice", "NOTICE-3");
}

static void card_with_notice_of_an_ended_membership_falls_to_the_declaration(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, announced, "2025-06-02");
    show_card(&v, NO_QUAL);
    show_notice(&v, NO_QUAL);
    assert_decided(&v, "insured_by_declaration", "declaration", "MYNA-4");
    assert_false(v.out.limit_applied);
}

static void card_with_portal_screen_is_insured_only_when_it_shows_the_qualification(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, national, "2025-06-02");
    show_card(&v, READER_DOWN);
    v.shown.portal = true;
    v.shown.portal_shows_qualification = true;
    assert_decided(&v, "insured", "card_portal", "NOTICE-4");
    v.shown.portal_shows_qualification = false;
    assert_decided(&v, "insured_by_declaration", "declaration", "MYNA-4");
    /* the portal without the card is like a notice alone */
    v.shown.card = false;
    v.in.answers.card = NULL;
    v.shown.portal_shows_qualification = true;
    assert_decided(&v, "self_pay", "none", "NOTICE-2");
}

static void declaration_needs_the_card_to_have_been_presented(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, national, "2025-06-02");
    show_card(&v, CARD_EXPIRED);
    assert_decided(&v, "insured_by_declaration", "declaration", "MYNA-4");
    v.in.reader = CLINIC_READER_NONE;
    v.in.answers.card = NULL;
    assert_decided(&v, "insured_by_declaration", "declaration", "MYNA-4");
    v.shown.card = false;
    assert_decided(&v, "self_pay", "none", "DESK-1");
}

static void card_at_a_clinic_without_reader_is_not_the_card_route(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, national, "2025-06-02");
    show_card(&v, OK_ANSWER); /* whatever the system would say, there is no reader */
    v.in.reader = CLINIC_READER_NONE;
    show_certificate(&v, "2025-01-01", "2025-12-31", NULL);
    assert_decided(&v, "insured", "certificate", "CERT-7");
    assert_int_equal(v.out.copay_percent, 30); /* from the printed birth date */
}

/* ---- DESK-3 readers ----------------------------------------------------------------------------------- */

static void readers_authenticate_by_face_pin_or_visual_check(void **state)
{
    (void)state;
    assert_int_equal(clinic_reader_auth(CLINIC_READER_FACE, false, false), ELIGIBILITY_AUTH_FACE);
    assert_int_equal(clinic_reader_auth(CLINIC_READER_FACE, false, true), ELIGIBILITY_AUTH_PIN);
    assert_int_equal(clinic_reader_auth(CLINIC_READER_FACE, true, false), ELIGIBILITY_AUTH_FACE);
    assert_int_equal(clinic_reader_auth(CLINIC_READER_FACE, true, true), ELIGIBILITY_AUTH_VISUAL);
    assert_int_equal(clinic_reader_auth(CLINIC_READER_PIN, false, false), ELIGIBILITY_AUTH_PIN);
    assert_int_equal(clinic_reader_auth(CLINIC_READER_PIN, true, false), ELIGIBILITY_AUTH_VISUAL);
}

/* ---- fees (Fees table, AMEND-4) ------------------------------------------------------------------------ */

struct fee_row {
    const char *policy, *day;
    enum clinic_visit visit;
    bool card;
    long total, copay;
};

static void fee_rows_match_the_tables_of_both_policies(void **state)
{
    (void)state;
    static const struct fee_row rows[] = {
        /* docs/RULES.md Fees, 2023-04 ... 2023-12 */
        {"a", "2023-12-31", CLINIC_VISIT_FIRST, true, 20, 6},
        {"a", "2023-12-31", CLINIC_VISIT_FIRST, false, 60, 18},
        {"a", "2023-12-31", CLINIC_VISIT_REVISIT, true, 0, 0},
        {"a", "2023-12-31", CLINIC_VISIT_REVISIT, false, 20, 6},
        {"a", "2023-12-31", CLINIC_VISIT_DISPENSING, true, 10, 3},
        {"a", "2023-12-31", CLINIC_VISIT_DISPENSING, false, 40, 12},
        /* from 2024-01, and for the whole run under as-announced-2024 */
        {"a", "2024-01-01", CLINIC_VISIT_FIRST, true, 20, 6},
        {"a", "2024-01-01", CLINIC_VISIT_FIRST, false, 40, 12},
        {"a", "2024-01-01", CLINIC_VISIT_REVISIT, true, 0, 0},
        {"a", "2024-01-01", CLINIC_VISIT_REVISIT, false, 0, 0},
        {"a", "2024-01-01", CLINIC_VISIT_DISPENSING, true, 10, 3},
        {"a", "2024-01-01", CLINIC_VISIT_DISPENSING, false, 30, 9},
        {"a", "2024-06-01", CLINIC_VISIT_FIRST, false, 40, 12},
        {"a", "2024-06-01", CLINIC_VISIT_REVISIT, false, 0, 0},
        {"a", "2024-12-01", CLINIC_VISIT_FIRST, true, 20, 6},
        {"a", "2024-12-01", CLINIC_VISIT_FIRST, false, 40, 12},
        {"a", "2025-09-01", CLINIC_VISIT_DISPENSING, false, 30, 9},
        /* national: the 2024-01 table until 2024-05-31 */
        {"n", "2024-05-31", CLINIC_VISIT_FIRST, true, 20, 6},
        {"n", "2024-05-31", CLINIC_VISIT_FIRST, false, 40, 12},
        {"n", "2024-05-31", CLINIC_VISIT_REVISIT, true, 0, 0},
        {"n", "2024-05-31", CLINIC_VISIT_REVISIT, false, 0, 0},
        {"n", "2024-05-31", CLINIC_VISIT_DISPENSING, true, 10, 3},
        {"n", "2024-05-31", CLINIC_VISIT_DISPENSING, false, 30, 9},
        /* AMEND-4 from 2024-06-01: 1 / 3 points first, 1 / 2 revisit, 1 / 3 dispensing */
        {"n", "2024-06-01", CLINIC_VISIT_FIRST, true, 10, 3},
        {"n", "2024-06-01", CLINIC_VISIT_FIRST, false, 30, 9},
        {"n", "2024-06-01", CLINIC_VISIT_REVISIT, true, 10, 3},
        {"n", "2024-06-01", CLINIC_VISIT_REVISIT, false, 20, 6},
        {"n", "2024-06-01", CLINIC_VISIT_DISPENSING, true, 10, 3},
        {"n", "2024-06-01", CLINIC_VISIT_DISPENSING, false, 30, 9},
        {"n", "2024-11-30", CLINIC_VISIT_FIRST, false, 30, 9},
        /* from 2024-12-01: 1 point either way */
        {"n", "2024-12-01", CLINIC_VISIT_FIRST, true, 10, 3},
        {"n", "2024-12-01", CLINIC_VISIT_FIRST, false, 10, 3},
        {"n", "2024-12-01", CLINIC_VISIT_REVISIT, true, 10, 3},
        {"n", "2024-12-01", CLINIC_VISIT_REVISIT, false, 10, 3},
        {"n", "2024-12-01", CLINIC_VISIT_DISPENSING, true, 10, 3},
        {"n", "2024-12-01", CLINIC_VISIT_DISPENSING, false, 10, 3},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct fee_row *r = &rows[i];
        struct visit v;
        visit_init(&v, r->policy[0] == 'n' ? national : announced, r->day);
        v.in.visit = r->visit;
        if (r->card)
            show_card(&v, OK_ANSWER);
        else
            show_certificate(&v, "2023-01-01", "2026-12-31", OK_ANSWER);
        decide(&v);
        if (v.out.fee_total != r->total || v.out.copay != r->copay || v.out.card_used != r->card)
            fail_msg("row %zu (%s %s visit %d card %d): got %ld/%ld, want %ld/%ld", i, r->policy, r->day,
                     r->visit, r->card, v.out.fee_total, v.out.copay, r->total, r->copay);
        assert_int_equal(v.out.fee_charged, r->total > 0);
    }
}

/* Visits the same clinic on each day, applying each visit to the record; returns the totals charged. */
static void visit_series(const struct policy *p, enum clinic_visit kind, const char *const *days, size_t n,
                         long *totals)
{
    struct clinic_record record;
    memset(&record, 0, sizeof record);
    for (size_t i = 0; i < n; i++) {
        struct visit v;
        visit_init(&v, p, days[i]);
        v.in.visit = kind;
        v.in.record = &record;
        show_card(&v, OK_ANSWER);
        struct clinic_record before = record;
        decide(&v);
        assert_memory_equal(&before, &record, sizeof record); /* a decision is a probe */
        clinic_record_visit(&record, &v.out, v.in.on);
        totals[i] = v.out.fee_total;
    }
}

static void revisit_fee_is_charged_once_in_three_months_under_national(void **state)
{
    (void)state;
    static const char *const days[] = {"2024-07-10", "2024-07-20", "2024-08-01", "2024-09-30",
                                       "2024-10-01", "2024-12-15", "2025-02-28", "2025-03-01"};
    long t[8];
    visit_series(national, CLINIC_VISIT_REVISIT, days, 8, t);
    long want[8] = {10, 0, 0, 0, 10, 0, 10, 0};
    for (int i = 0; i < 8; i++)
        assert_int_equal(t[i], want[i]);
}

static void dispensing_fee_limit_is_six_months_then_twelve_under_national(void **state)
{
    (void)state;
    /* a June 2024 charge blocks to November under the 6-month limit, and to May 2025 once the limit is 12 */
    static const char *const days[] = {"2024-06-03", "2024-11-30", "2024-12-01", "2025-05-31",
                                       "2025-06-01", "2026-05-31", "2026-06-01"};
    long t[7];
    visit_series(national, CLINIC_VISIT_DISPENSING, days, 7, t);
    long want[7] = {10, 0, 0, 0, 10, 0, 10};
    for (int i = 0; i < 7; i++)
        assert_int_equal(t[i], want[i]);
}

static void first_visit_fee_has_no_frequency_limit(void **state)
{
    (void)state;
    static const char *const days[] = {"2025-01-06", "2025-01-07", "2025-01-08"};
    long t[3];
    visit_series(national, CLINIC_VISIT_FIRST, days, 3, t);
    for (int i = 0; i < 3; i++)
        assert_int_equal(t[i], 10);
    visit_series(announced, CLINIC_VISIT_FIRST, days, 3, t);
    for (int i = 0; i < 3; i++)
        assert_int_equal(t[i], 20);
}

static void as_announced_has_no_frequency_limits(void **state)
{
    (void)state;
    static const char *const days[] = {"2024-07-10", "2024-07-11", "2024-08-01"};
    long t[3];
    visit_series(announced, CLINIC_VISIT_DISPENSING, days, 3, t);
    for (int i = 0; i < 3; i++)
        assert_int_equal(t[i], 10);
}

static void record_ignores_uncharged_visits_and_bad_arguments(void **state)
{
    (void)state;
    struct clinic_record record;
    memset(&record, 0, sizeof record);
    struct clinic_decision d;
    memset(&d, 0, sizeof d);
    d.visit = CLINIC_VISIT_REVISIT;
    clinic_record_visit(&record, &d, D("2025-01-01"));
    assert_int_equal(record.last_charged_month[CLINIC_VISIT_REVISIT], 0);
    d.fee_charged = true;
    clinic_record_visit(NULL, &d, D("2025-01-01"));
    clinic_record_visit(&record, NULL, D("2025-01-01"));
    d.visit = (enum clinic_visit)7;
    clinic_record_visit(&record, &d, D("2025-01-01"));
    d.visit = CLINIC_VISIT_REVISIT;
    clinic_record_visit(&record, &d, D("2025-01-01"));
    assert_int_equal(record.last_charged_month[CLINIC_VISIT_REVISIT], 2025 * 12 + 1);
}

/* ---- co-payment and MYNA-10 --------------------------------------------------------------------------- */

static void copay_uses_the_rate_the_answer_carries(void **state)
{
    (void)state;
    struct eligibility_answer latter = answer(ELIGIBILITY_OK, true);
    latter.qualification.copay_percent = 10;
    struct visit v;
    visit_init(&v, announced, "2025-06-02");
    v.in.visit = CLINIC_VISIT_FIRST;
    show_certificate(&v, "2025-01-01", "2025-12-31", &latter);
    decide(&v);
    assert_int_equal(v.out.fee_total, 40);
    assert_int_equal(v.out.copay, 4);
    assert_int_equal(v.out.copay_percent, 10);
}

/* An answer that carries no rate (before 70: no latter-stage ratio, no elderly certificate) leaves it to the
 * desk: from the answer's birth date and the policy, not from what was printed (docs/DESK-AND-CHECK.md). */
static void copay_the_answer_leaves_to_the_desk_follows_its_birth_date(void **state)
{
    (void)state;
    struct eligibility_answer child = answer(ELIGIBILITY_OK, true);
    child.qualification.copay_percent = -1;
    child.qualification.band = ELIGIBILITY_BAND_PRESCHOOL;
    child.qualification.born = D("2021-01-01");
    struct visit v;
    visit_init(&v, announced, "2025-06-02");
    v.in.visit = CLINIC_VISIT_FIRST;
    show_certificate(&v, "2025-01-01", "2025-12-31", &child);
    v.shown.born = D("1980-01-01"); /* what was printed does not count: the answer admitted the visit */
    decide(&v);
    assert_int_equal(v.out.fee_total, 40);
    assert_int_equal(v.out.copay_percent, 20);
    assert_int_equal(v.out.copay, 8);
    struct eligibility_answer adult = child;
    adult.qualification.band = ELIGIBILITY_BAND_GENERAL;
    adult.qualification.born = D("1980-01-01");
    show_certificate(&v, "2025-01-01", "2025-12-31", &adult);
    v.shown.born = D("2021-01-01");
    decide(&v);
    assert_int_equal(v.out.copay_percent, 30);
    assert_int_equal(v.out.copay, 12);
}

static void copay_without_an_answer_follows_the_printed_birth_date(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, announced, "2025-06-02");
    v.in.reader = CLINIC_READER_NONE;
    show_paper(&v, "2025-07-31", NULL);
    v.shown.born = D("2021-01-01"); /* preschool */
    decide(&v);
    assert_int_equal(v.out.copay_percent, 20);
    assert_int_equal(v.out.copay, 8); /* 40 yen */
    v.shown.born = D("1950-06-15");   /* 75 on 2025-06-15 */
    decide(&v);
    assert_int_equal(v.out.copay_percent, 20);
    v.in.on = D("2025-06-15");
    decide(&v);
    assert_int_equal(v.out.copay_percent, 10);
    v.shown.high_income = true;
    decide(&v);
    assert_int_equal(v.out.copay_percent, 30);
    v.shown.born = CORE_DAY_NONE;
    assert_int_equal(clinic_decide(&v.in, &v.out), CORE_EINVAL);
}

static void copay_rounding_follows_the_policy(void **state)
{
    (void)state;
    static const char text[] = "copay: {rounding_yen: 10}\n";
    struct core_yaml_doc *doc;
    struct core_error err;
    assert_int_equal(core_yaml_load_buffer("override", text, sizeof text - 1, &doc, &err), CORE_OK);
    struct policy *p;
    assert_int_equal(policy_override(announced, doc, doc->root, &p, &err), CORE_OK);
    core_yaml_free(doc);
    struct visit v;
    visit_init(&v, p, "2025-06-02");
    show_card(&v, OK_ANSWER);
    decide(&v);
    assert_int_equal(v.out.fee_total, 20);
    assert_int_equal(v.out.copay, 10); /* 6 yen rounds to 10 */
    v.in.visit = CLINIC_VISIT_DISPENSING;
    decide(&v);
    assert_int_equal(v.out.copay, 0); /* 3 yen rounds to 0 */
    policy_free(p);
}

static void high_cost_limit_applies_with_the_card_unless_tax_is_in_arrears(void **state)
{
    (void)state;
    struct eligibility_answer arrears = answer(ELIGIBILITY_OK, true);
    arrears.qualification.tax_arrears = true;
    struct visit v;
    visit_init(&v, national, "2025-06-02");
    show_card(&v, OK_ANSWER);
    decide(&v);
    assert_true(v.out.limit_applied);
    v.in.answers.card = &arrears;
    decide(&v);
    assert_false(v.out.limit_applied);
    assert_true(v.out.card_used);
}

/* ---- inputs and names --------------------------------------------------------------------------------- */

static void missing_inputs_are_refused(void **state)
{
    (void)state;
    struct visit v;
    visit_init(&v, national, "2025-06-02");
    assert_int_equal(clinic_decide(NULL, &v.out), CORE_EINVAL);
    assert_int_equal(clinic_decide(&v.in, NULL), CORE_EINVAL);
    v.shown.card = true; /* no card answer where the check works */
    assert_int_equal(clinic_decide(&v.in, &v.out), CORE_EINVAL);
    v.shown.card = false;
    v.shown.notice = true;
    assert_int_equal(clinic_decide(&v.in, &v.out), CORE_EINVAL);
    v.shown.notice = false;
    v.in.visit = (enum clinic_visit)9;
    assert_int_equal(clinic_decide(&v.in, &v.out), CORE_EINVAL);
    v.in.visit = CLINIC_VISIT_FIRST;
    v.in.policy = NULL;
    assert_int_equal(clinic_decide(&v.in, &v.out), CORE_EINVAL);
}

static void outcome_and_route_names_are_the_scenario_words(void **state)
{
    (void)state;
    assert_string_equal(clinic_outcome_name(CLINIC_INSURED), "insured");
    assert_string_equal(clinic_outcome_name(CLINIC_INSURED_BY_DECLARATION), "insured_by_declaration");
    assert_string_equal(clinic_outcome_name(CLINIC_SELF_PAY), "self_pay");
    assert_string_equal(clinic_outcome_name((enum clinic_outcome)9), "?");
    assert_string_equal(clinic_route_name(CLINIC_ROUTE_CARD), "card");
    assert_string_equal(clinic_route_name(CLINIC_ROUTE_DECLARATION), "declaration");
    assert_string_equal(clinic_route_name(CLINIC_ROUTE_NONE), "none");
    assert_string_equal(clinic_route_name((enum clinic_route)99), "?");
    /* Every value, by the one list: the clinic's enumerator names the scenario's word. */
#define ROUTE_WORD(name, word) assert_string_equal(clinic_route_name(CLINIC_ROUTE_##name), word);
    SCENARIO_ROUTES(ROUTE_WORD)
#undef ROUTE_WORD
}

/* The invariants ask only what a visit gets: the same outcome, route, rule and grace as a full decision, and
 * no fee or co-payment. */
static void outcome_only_decides_alike_without_fee_or_copay(void **state)
{
    (void)state;
    const char *days[] = {"2025-03-03", "2025-08-10", "2025-12-02"};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        struct visit full, brief;
        visit_init(&full, national, days[i]);
        show_card(&full, CARD_EXPIRED);
        show_paper(&full, "2025-07-31", NOT_REFLECTED_OLD);
        show_notice(&full, OK_ANSWER);
        brief = full;
        brief.in.presented = &brief.shown;
        brief.in.outcome_only = true;
        decide(&full);
        decide(&brief);
        assert_int_equal(brief.out.outcome, full.out.outcome);
        assert_int_equal(brief.out.route, full.out.route);
        assert_string_equal(brief.out.rule, full.out.rule);
        assert_int_equal(brief.out.grace, full.out.grace);
        assert_int_equal(brief.out.card_used, full.out.card_used);
        assert_true(full.out.fee_total > 0);
        assert_int_equal(brief.out.fee_total, 0);
        assert_int_equal(brief.out.copay, 0);
        assert_int_equal(brief.out.copay_percent, 0);
        assert_false(brief.out.fee_charged);
        assert_false(brief.out.limit_applied);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(card_that_passes_the_check_is_the_card_route),
        cmocka_unit_test(failing_card_falls_back_to_the_certificate_then_the_paper_card),
        cmocka_unit_test(certificate_alone_gets_insured_care),
        cmocka_unit_test(certificate_during_the_reflection_lag_is_accepted_unless_no_qualification),
        cmocka_unit_test(paper_card_of_a_holder_who_left_passes_until_the_loss_is_reflected),
        cmocka_unit_test(paper_card_is_usable_to_its_printed_expiry_and_never_after_the_cap),
        cmocka_unit_test(notice_alone_is_self_pay_under_as_announced),
        cmocka_unit_test(notice_alone_is_looked_up_in_september_2025_under_national),
        cmocka_unit_test(expired_paper_card_in_august_2025_is_lookup_grace_under_national),
        cmocka_unit_test(lookup_of_a_voided_paper_card_finds_nothing_once_the_loss_is_reflected),
        cmocka_unit_test(lookup_needs_a_working_online_check),
        cmocka_unit_test(card_with_notice_is_insured_when_the_check_fails),
        cmocka_unit_test(card_with_notice_of_an_ended_membership_falls_to_the_declaration),
        cmocka_unit_test(card_with_portal_screen_is_insured_only_when_it_shows_the_qualification),
        cmocka_unit_test(declaration_needs_the_card_to_have_been_presented),
        cmocka_unit_test(card_at_a_clinic_without_reader_is_not_the_card_route),
        cmocka_unit_test(readers_authenticate_by_face_pin_or_visual_check),
        cmocka_unit_test(fee_rows_match_the_tables_of_both_policies),
        cmocka_unit_test(revisit_fee_is_charged_once_in_three_months_under_national),
        cmocka_unit_test(dispensing_fee_limit_is_six_months_then_twelve_under_national),
        cmocka_unit_test(first_visit_fee_has_no_frequency_limit),
        cmocka_unit_test(as_announced_has_no_frequency_limits),
        cmocka_unit_test(record_ignores_uncharged_visits_and_bad_arguments),
        cmocka_unit_test(copay_uses_the_rate_the_answer_carries),
        cmocka_unit_test(copay_the_answer_leaves_to_the_desk_follows_its_birth_date),
        cmocka_unit_test(copay_without_an_answer_follows_the_printed_birth_date),
        cmocka_unit_test(copay_rounding_follows_the_policy),
        cmocka_unit_test(high_cost_limit_applies_with_the_card_unless_tax_is_in_arrears),
        cmocka_unit_test(missing_inputs_are_refused),
        cmocka_unit_test(outcome_only_decides_alike_without_fee_or_copay),
        cmocka_unit_test(outcome_and_route_names_are_the_scenario_words),
    };
    return cmocka_run_group_tests(tests, make_answers, free_policies);
}
