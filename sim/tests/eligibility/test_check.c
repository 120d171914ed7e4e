/* Tests of sim/eligibility: the registry's filings and lags, MYNA-3's results and their precedence, AMEND-3's
 * grace and warnings, the number route and the COPAY brackets the answer carries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "eligibility/eligibility.h"

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

static struct eligibility_numbers nums(const char *insurer, const char *symbol, const char *number,
                                       const char *branch)
{
    struct eligibility_numbers n;
    memset(&n, 0, sizeof n);
    snprintf(n.insurer_number, sizeof n.insurer_number, "%s", insurer);
    snprintf(n.symbol, sizeof n.symbol, "%s", symbol);
    snprintf(n.number, sizeof n.number, "%s", number);
    snprintf(n.branch, sizeof n.branch, "%s", branch);
    return n;
}

static struct eligibility_enrollment enrollment(const char *insurer, const char *number, core_day start)
{
    struct eligibility_enrollment e;
    memset(&e, 0, sizeof e);
    e.numbers = nums(insurer, "12", number, "00");
    e.role = ELIGIBILITY_INSURED;
    e.start = start;
    return e;
}

/* A test world: one policy, one registry, one registered person with a card and an NHI membership. */
struct fixture {
    struct policy *policy;
    struct eligibility_registry *reg;
    uint32_t person, membership;
    core_day born;
};

#define CARD_ID 1001u
#define CERT 5001u
#define BORN "1980-05-10"

static void setup_named(struct fixture *f, const char *policy)
{
    memset(f, 0, sizeof *f);
    f->policy = named(policy);
    assert_int_equal(eligibility_registry_new(f->policy, &f->reg), CORE_OK);
    f->born = D(BORN);
    assert_int_equal(eligibility_person_add(f->reg, f->born, &f->person), CORE_OK);
    struct eligibility_enrollment e = enrollment("112334", "1", D("2020-04-01"));
    assert_int_equal(
        eligibility_file_enrollment(f->reg, f->person, &e, D("2020-04-01"), CORE_DAY_NONE, &f->membership),
        CORE_OK);
    assert_int_equal(eligibility_card_issue(f->reg, f->person, CARD_ID, D("2022-06-01"), D("2032-05-10"),
                                            CERT, D("2027-05-10")),
                     CORE_OK);
    assert_int_equal(eligibility_file_registration(f->reg, f->person, D("2023-02-01")), CORE_OK);
}

static void teardown(struct fixture *f)
{
    eligibility_registry_free(f->reg);
    policy_free(f->policy);
}

static struct eligibility_card_request card_req(core_day on)
{
    struct eligibility_card_request r;
    memset(&r, 0, sizeof r);
    r.on = on;
    r.card_in_hand = true;
    r.cert_serial = CERT;
    r.auth = ELIGIBILITY_AUTH_FACE;
    return r;
}

static enum eligibility_result card_on(const struct fixture *f, const char *day)
{
    struct eligibility_card_request r = card_req(D(day));
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_card(f->reg, &r, &a), CORE_OK);
    return a.result;
}

static struct eligibility_answer numbers_on(const struct fixture *f, const char *day, const char *insurer,
                                            const char *number)
{
    struct eligibility_number_request r;
    memset(&r, 0, sizeof r);
    r.on = D(day);
    r.numbers = nums(insurer, "12", number, "00");
    r.born = f->born;
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_numbers(f->reg, &r, &a), CORE_OK);
    return a;
}

#define assert_result(got, want)                                                                             \
    assert_string_equal(eligibility_result_name(got), eligibility_result_name(want))

/* ---- names and basics ---------------------------------------------------------------------------------- */

static void result_names_are_the_scenario_words_in_precedence_order(void **state)
{
    (void)state;
    static const char *const want[] = {
        "no_card",      "reader_down", "service_down",   "card_suspended", "card_expired",     "cert_revoked",
        "cert_expired", "pin_locked",  "not_registered", "not_reflected",  "no_qualification", "ok"};
    for (int i = 0; i <= ELIGIBILITY_OK; i++)
        assert_string_equal(eligibility_result_name((enum eligibility_result)i), want[i]);
    assert_string_equal(eligibility_result_name((enum eligibility_result)99), "?");
}

static void registered_card_with_reflected_membership_answers_ok_with_its_qualification(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    struct eligibility_card_request r = card_req(D("2025-01-15"));
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_OK);
    assert_true(a.has_qualification);
    assert_string_equal(a.qualification.numbers.insurer_number, "112334");
    assert_string_equal(a.qualification.numbers.number, "1");
    assert_int_equal(a.qualification.role, ELIGIBILITY_INSURED);
    assert_int_equal(a.qualification.start, D("2020-04-01"));
    assert_int_equal(a.qualification.end, CORE_DAY_NONE);
    assert_int_equal(a.qualification.born, f.born);
    assert_int_equal(a.qualification.copay_percent, 30);
    assert_int_equal(a.qualification.limit, ELIGIBILITY_LIMIT_GENERAL);
    assert_false(a.qualification.tax_arrears);
    assert_int_equal(a.warnings, 0);
    teardown(&f);
}

static void bad_arguments_are_refused(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    struct eligibility_registry *reg;
    assert_int_equal(eligibility_registry_new(NULL, &reg), CORE_EINVAL);
    uint32_t id;
    assert_int_equal(eligibility_person_add(f.reg, CORE_DAY_NONE, &id), CORE_EINVAL);
    struct eligibility_enrollment e = enrollment("112334", "9", D("2025-01-01"));
    assert_int_equal(eligibility_file_enrollment(f.reg, 77, &e, D("2025-01-01"), CORE_DAY_NONE, &id),
                     CORE_EINVAL);
    assert_int_equal(eligibility_file_enrollment(f.reg, f.person, &e, CORE_DAY_NONE, CORE_DAY_NONE, &id),
                     CORE_EINVAL);
    /* a visible day before the filing */
    assert_int_equal(eligibility_file_enrollment(f.reg, f.person, &e, D("2025-01-05"), D("2025-01-04"), &id),
                     CORE_EINVAL);
    memset(e.numbers.symbol, 'x', sizeof e.numbers.symbol); /* not terminated */
    assert_int_equal(eligibility_file_enrollment(f.reg, f.person, &e, D("2025-01-05"), CORE_DAY_NONE, &id),
                     CORE_EINVAL);
    assert_int_equal(eligibility_file_loss(f.reg, 99, D("2025-01-01"), D("2025-01-01"), CORE_DAY_NONE),
                     CORE_EINVAL);
    assert_int_equal(
        eligibility_file_loss(f.reg, f.membership, D("2025-01-01"), D("2025-01-01"), CORE_DAY_NONE), CORE_OK);
    assert_int_equal(
        eligibility_file_loss(f.reg, f.membership, D("2025-01-01"), D("2025-01-01"), CORE_DAY_NONE),
        CORE_ESTATE);
    assert_int_equal(eligibility_file_registration(f.reg, 99, D("2025-01-01")), CORE_EINVAL);
    assert_int_equal(eligibility_file_withdrawal(f.reg, 99, D("2025-01-01"), CORE_DAY_NONE), CORE_EINVAL);
    /* duplicate card id and certificate serial, unknown cards */
    assert_int_equal(eligibility_card_issue(f.reg, f.person, CARD_ID, D("2025-01-01"), D("2035-01-01"), 1,
                                            D("2030-01-01")),
                     CORE_EINVAL);
    assert_int_equal(
        eligibility_card_issue(f.reg, f.person, 2, D("2025-01-01"), D("2035-01-01"), CERT, D("2030-01-01")),
        CORE_EINVAL);
    assert_int_equal(eligibility_card_renew_cert(f.reg, 999, D("2025-01-01"), 7, D("2030-01-01")),
                     CORE_EINVAL);
    assert_int_equal(eligibility_card_renew_cert(f.reg, CARD_ID, D("2025-01-01"), CERT, D("2030-01-01")),
                     CORE_EINVAL);
    assert_int_equal(eligibility_card_return(f.reg, 999, D("2025-01-01")), CORE_EINVAL);
    assert_int_equal(eligibility_card_suspend(f.reg, 999, D("2025-01-01")), CORE_EINVAL);
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_card(NULL, NULL, &a), CORE_EINVAL);
    assert_int_equal(eligibility_check_numbers(f.reg, NULL, &a), CORE_EINVAL);
    assert_int_equal(eligibility_check_person(f.reg, 99, D("2025-01-01"), &a), CORE_EINVAL);
    int pct;
    assert_int_equal(eligibility_copay_percent(NULL, f.born, false, D("2025-01-01"), &pct), CORE_EINVAL);
    eligibility_registry_free(NULL);
    teardown(&f);
}

static void null_and_undated_arguments_and_a_bad_lag_are_refused(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    uint32_t id;
    struct eligibility_enrollment e = enrollment("112334", "9", D("2025-01-01"));
    assert_int_equal(eligibility_person_add(NULL, f.born, &id), CORE_EINVAL);
    assert_int_equal(eligibility_person_add(f.reg, f.born, NULL), CORE_EINVAL);
    assert_int_equal(eligibility_file_enrollment(NULL, 0, &e, D("2025-01-01"), CORE_DAY_NONE, &id),
                     CORE_EINVAL);
    assert_int_equal(eligibility_file_enrollment(f.reg, 0, NULL, D("2025-01-01"), CORE_DAY_NONE, &id),
                     CORE_EINVAL);
    e.start = CORE_DAY_NONE;
    assert_int_equal(eligibility_file_enrollment(f.reg, 0, &e, D("2025-01-01"), CORE_DAY_NONE, &id),
                     CORE_EINVAL);
    assert_int_equal(eligibility_file_loss(NULL, 0, D("2025-01-01"), D("2025-01-01"), CORE_DAY_NONE),
                     CORE_EINVAL);
    assert_int_equal(eligibility_file_loss(f.reg, 0, CORE_DAY_NONE, D("2025-01-01"), CORE_DAY_NONE),
                     CORE_EINVAL);
    assert_int_equal(eligibility_file_loss(f.reg, 0, D("2025-01-01"), CORE_DAY_NONE, CORE_DAY_NONE),
                     CORE_EINVAL);
    assert_int_equal(eligibility_file_registration(NULL, 0, D("2025-01-01")), CORE_EINVAL);
    assert_int_equal(eligibility_file_registration(f.reg, 0, CORE_DAY_NONE), CORE_EINVAL);
    assert_int_equal(eligibility_file_withdrawal(NULL, 0, D("2025-01-01"), CORE_DAY_NONE), CORE_EINVAL);
    assert_int_equal(eligibility_file_withdrawal(f.reg, 0, CORE_DAY_NONE, CORE_DAY_NONE), CORE_EINVAL);
    assert_int_equal(eligibility_card_issue(NULL, 0, 9, D("2025-01-01"), D("2035-01-01"), 9, D("2030-01-01")),
                     CORE_EINVAL);
    assert_int_equal(eligibility_card_issue(f.reg, 0, 9, CORE_DAY_NONE, D("2035-01-01"), 9, D("2030-01-01")),
                     CORE_EINVAL);
    assert_int_equal(eligibility_card_issue(f.reg, 0, 9, D("2025-01-01"), CORE_DAY_NONE, 9, D("2030-01-01")),
                     CORE_EINVAL);
    assert_int_equal(eligibility_card_issue(f.reg, 0, 9, D("2025-01-01"), D("2035-01-01"), 9, CORE_DAY_NONE),
                     CORE_EINVAL);
    assert_int_equal(eligibility_card_renew_cert(NULL, CARD_ID, D("2025-01-01"), 9, D("2030-01-01")),
                     CORE_EINVAL);
    assert_int_equal(eligibility_card_renew_cert(f.reg, CARD_ID, CORE_DAY_NONE, 9, D("2030-01-01")),
                     CORE_EINVAL);
    assert_int_equal(eligibility_card_renew_cert(f.reg, CARD_ID, D("2025-01-01"), 9, CORE_DAY_NONE),
                     CORE_EINVAL);
    assert_int_equal(eligibility_card_return(NULL, CARD_ID, D("2025-01-01")), CORE_EINVAL);
    assert_int_equal(eligibility_card_return(f.reg, CARD_ID, CORE_DAY_NONE), CORE_EINVAL);
    assert_int_equal(eligibility_card_suspend(NULL, CARD_ID, D("2025-01-01")), CORE_EINVAL);
    assert_int_equal(eligibility_card_suspend(f.reg, CARD_ID, CORE_DAY_NONE), CORE_EINVAL);
    struct eligibility_answer a;
    struct eligibility_card_request cr = card_req(D("2025-01-01"));
    struct eligibility_number_request nr;
    memset(&nr, 0, sizeof nr);
    assert_int_equal(eligibility_check_card(f.reg, &cr, NULL), CORE_EINVAL);
    assert_int_equal(eligibility_check_card(f.reg, NULL, &a), CORE_EINVAL);
    assert_int_equal(eligibility_check_numbers(NULL, &nr, &a), CORE_EINVAL);
    assert_int_equal(eligibility_check_numbers(f.reg, &nr, NULL), CORE_EINVAL);
    assert_int_equal(eligibility_check_person(NULL, 0, D("2025-01-01"), &a), CORE_EINVAL);
    assert_int_equal(eligibility_check_person(f.reg, 0, D("2025-01-01"), NULL), CORE_EINVAL);
    assert_int_equal(eligibility_copay_percent(f.policy, f.born, false, D("2025-01-01"), NULL), CORE_EINVAL);
    teardown(&f);

    /* a policy whose lag is negative refuses filings that rely on it */
    static const char text[] = "online: {reflection_lag_days: -1}\n";
    struct core_yaml_doc *doc;
    struct core_error err;
    struct policy *base = named("national"), *bad;
    assert_int_equal(core_yaml_load_buffer("override", text, sizeof text - 1, &doc, &err), CORE_OK);
    assert_int_equal(policy_override(base, doc, doc->root, &bad, &err), CORE_OK);
    core_yaml_free(doc);
    struct eligibility_registry *reg;
    assert_int_equal(eligibility_registry_new(bad, &reg), CORE_OK);
    uint32_t p;
    assert_int_equal(eligibility_person_add(reg, D("1980-01-01"), &p), CORE_OK);
    e.start = D("2025-01-01");
    assert_int_equal(eligibility_file_enrollment(reg, p, &e, D("2025-01-01"), CORE_DAY_NONE, &id),
                     CORE_EINVAL);
    assert_int_equal(eligibility_file_enrollment(reg, p, &e, D("2025-01-01"), D("2025-01-02"), &id), CORE_OK);
    assert_int_equal(eligibility_file_loss(reg, id, D("2025-02-01"), D("2025-02-01"), CORE_DAY_NONE),
                     CORE_EINVAL);
    eligibility_registry_free(reg);
    policy_free(bad);
    policy_free(base);
}

/* ---- MYNA-3's results and precedence ----------------------------------------------------------------- */

static void desk_inputs_answer_first_no_card_then_reader_down_then_service_down(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    /* every card-level fault at once: suspended, expired, revoked */
    assert_int_equal(eligibility_card_suspend(f.reg, CARD_ID, D("2025-01-01")), CORE_OK);
    struct eligibility_card_request r = card_req(D("2040-01-01"));
    r.card_in_hand = false;
    r.reader_down = true;
    r.service_down = true;
    r.auth = ELIGIBILITY_AUTH_PIN;
    r.pin_blocked = true;
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_NO_CARD);
    r.card_in_hand = true;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_READER_DOWN);
    r.reader_down = false;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_SERVICE_DOWN);
    r.service_down = false;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_CARD_SUSPENDED);
    teardown(&f);
}

static void lost_card_is_suspended_from_the_day_and_stays_so_after_reissue(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    assert_int_equal(eligibility_card_suspend(f.reg, CARD_ID, D("2025-09-10")), CORE_OK);
    assert_int_equal(eligibility_card_suspend(f.reg, CARD_ID, D("2025-09-20")), CORE_OK); /* earliest kept */
    assert_result(card_on(&f, "2025-09-09"), ELIGIBILITY_OK);
    assert_result(card_on(&f, "2025-09-10"), ELIGIBILITY_CARD_SUSPENDED);
    assert_int_equal(eligibility_card_issue(f.reg, f.person, 2002, D("2025-11-20"), D("2035-05-10"), 6002,
                                            D("2030-05-10")),
                     CORE_OK);
    /* the old card is suspended and replaced: suspension comes first */
    assert_result(card_on(&f, "2025-11-21"), ELIGIBILITY_CARD_SUSPENDED);
    /* the new card carries the registration over */
    struct eligibility_card_request r = card_req(D("2025-11-20"));
    r.cert_serial = 6002;
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_OK);
    r.on = D("2025-11-19"); /* before J-LIS issued it */
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_CERT_REVOKED);
    teardown(&f);
}

static void expired_card_answers_card_expired_before_certificate_results(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    uint32_t p;
    assert_int_equal(eligibility_person_add(f.reg, D("1990-01-01"), &p), CORE_OK);
    assert_int_equal(
        eligibility_card_issue(f.reg, p, 3003, D("2015-01-01"), D("2025-01-01"), 7003, D("2020-01-01")),
        CORE_OK);
    assert_int_equal(eligibility_card_return(f.reg, 3003, D("2025-06-01")), CORE_OK);
    struct eligibility_card_request r = card_req(D("2025-01-01"));
    r.cert_serial = 7003;
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result,
                  ELIGIBILITY_CERT_EXPIRED); /* last day of the card: the certificate is long dead */
    r.on = D("2025-01-02");
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_CARD_EXPIRED);
    r.on = D("2025-07-01"); /* expired and returned */
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_CARD_EXPIRED);
    teardown(&f);
}

static void returned_card_renewed_and_unknown_certificates_answer_cert_revoked(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    assert_int_equal(eligibility_card_renew_cert(f.reg, CARD_ID, D("2025-03-01"), 5002, D("2030-05-10")),
                     CORE_OK);
    assert_result(card_on(&f, "2025-02-28"), ELIGIBILITY_OK);
    assert_result(card_on(&f, "2025-03-01"), ELIGIBILITY_CERT_REVOKED);
    struct eligibility_card_request r = card_req(D("2025-03-01"));
    r.cert_serial = 5002;
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_OK);
    assert_int_equal(eligibility_card_return(f.reg, CARD_ID, D("2025-04-01")), CORE_OK);
    assert_int_equal(eligibility_card_return(f.reg, CARD_ID, D("2025-05-01")), CORE_OK);
    r.on = D("2025-03-31");
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_OK);
    r.on = D("2025-04-01");
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_CERT_REVOKED);
    r.cert_serial = 424242; /* a certificate J-LIS never issued (borrowed, forged) */
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_CERT_REVOKED);
    teardown(&f);
}

static void reissue_revokes_the_old_cards_certificate_from_its_day(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    assert_int_equal(eligibility_card_issue(f.reg, f.person, 2002, D("2025-06-01"), D("2035-05-10"), 6002,
                                            D("2030-05-10")),
                     CORE_OK);
    assert_result(card_on(&f, "2025-05-31"), ELIGIBILITY_OK);
    assert_result(card_on(&f, "2025-06-01"), ELIGIBILITY_CERT_REVOKED);
    teardown(&f);
}

static void revoked_certificate_precedes_expired_one(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "as-announced-2024");
    assert_int_equal(eligibility_card_renew_cert(f.reg, CARD_ID, D("2027-06-01"), 5002, D("2032-05-10")),
                     CORE_OK);
    assert_result(card_on(&f, "2027-05-11"), ELIGIBILITY_CERT_EXPIRED);
    assert_result(card_on(&f, "2027-06-01"), ELIGIBILITY_CERT_REVOKED);
    teardown(&f);
}

static void expired_certificate_fails_the_next_day_under_as_announced(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "as-announced-2024");
    assert_result(card_on(&f, "2027-05-10"), ELIGIBILITY_OK);
    assert_result(card_on(&f, "2027-05-11"), ELIGIBILITY_CERT_EXPIRED);
    teardown(&f);
}

static struct eligibility_answer cert_check(const struct fixture *f, uint64_t serial, const char *day)
{
    struct eligibility_card_request r = card_req(D(day));
    r.cert_serial = serial;
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_card(f->reg, &r, &a), CORE_OK);
    return a;
}

static void expired_certificate_passes_to_the_end_of_the_third_month_under_national(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    uint32_t p;
    struct eligibility_enrollment e = enrollment("112334", "2", D("2020-04-01"));
    assert_int_equal(eligibility_person_add(f.reg, f.born, &p), CORE_OK);
    assert_int_equal(eligibility_file_enrollment(f.reg, p, &e, D("2020-04-01"), CORE_DAY_NONE, NULL),
                     CORE_OK);
    assert_int_equal(eligibility_file_registration(f.reg, p, D("2021-01-01")), CORE_OK);
    /* valid to 31 March: the first invalid day is 1 April, so the grace runs to 31 July */
    assert_int_equal(
        eligibility_card_issue(f.reg, p, 11, D("2020-04-01"), D("2030-03-31"), 111, D("2025-03-31")),
        CORE_OK);
    struct eligibility_answer a = cert_check(&f, 111, "2025-04-01");
    assert_result(a.result, ELIGIBILITY_OK);
    assert_int_equal(a.warnings, ELIGIBILITY_WARN_CERT_IN_GRACE);
    a = cert_check(&f, 111, "2025-07-31");
    assert_result(a.result, ELIGIBILITY_OK);
    assert_int_equal(a.warnings, ELIGIBILITY_WARN_CERT_IN_GRACE);
    a = cert_check(&f, 111, "2025-08-01");
    assert_result(a.result, ELIGIBILITY_CERT_EXPIRED);
    assert_int_equal(a.warnings, 0);
    /* valid to 30 April: the first invalid day is 1 May, so the grace runs to 31 August */
    assert_int_equal(
        eligibility_card_issue(f.reg, p, 12, D("2020-05-01"), D("2030-04-30"), 112, D("2025-04-30")),
        CORE_OK);
    assert_result(cert_check(&f, 111, "2025-06-01").result, ELIGIBILITY_CERT_REVOKED); /* card 11 replaced */
    assert_result(cert_check(&f, 112, "2025-08-31").result, ELIGIBILITY_OK);
    assert_result(cert_check(&f, 112, "2025-09-01").result, ELIGIBILITY_CERT_EXPIRED);
    teardown(&f);
}

static void grace_end_counts_from_the_month_of_the_first_invalid_day(void **state)
{
    (void)state;
    assert_int_equal(eligibility_cert_grace_end(D("2025-03-31"), 3), D("2025-07-31"));
    assert_int_equal(eligibility_cert_grace_end(D("2025-04-15"), 3), D("2025-07-31"));
    assert_int_equal(eligibility_cert_grace_end(D("2025-04-30"), 3), D("2025-08-31"));
    assert_int_equal(eligibility_cert_grace_end(D("2025-10-31"), 3), D("2026-02-28"));
    assert_int_equal(eligibility_cert_grace_end(D("2025-11-30"), 3), D("2026-03-31"));
    assert_int_equal(eligibility_cert_grace_end(D("2025-09-30"), 3), D("2026-01-31"));
    assert_int_equal(eligibility_cert_grace_end(D("2025-04-30"), 0), D("2025-04-30"));
}

static void grace_starts_on_2024_12_02_under_national(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    uint32_t p;
    assert_int_equal(eligibility_person_add(f.reg, f.born, &p), CORE_OK);
    struct eligibility_enrollment e = enrollment("112334", "3", D("2020-04-01"));
    assert_int_equal(eligibility_file_enrollment(f.reg, p, &e, D("2020-04-01"), CORE_DAY_NONE, NULL),
                     CORE_OK);
    assert_int_equal(eligibility_file_registration(f.reg, p, D("2021-01-01")), CORE_OK);
    assert_int_equal(
        eligibility_card_issue(f.reg, p, 13, D("2019-11-01"), D("2029-10-15"), 113, D("2024-10-15")),
        CORE_OK);
    assert_result(cert_check(&f, 113, "2024-12-01").result, ELIGIBILITY_CERT_EXPIRED);
    assert_result(cert_check(&f, 113, "2024-12-02").result, ELIGIBILITY_OK); /* to the end of January */
    assert_result(cert_check(&f, 113, "2025-01-31").result, ELIGIBILITY_OK);
    assert_result(cert_check(&f, 113, "2025-02-01").result, ELIGIBILITY_CERT_EXPIRED);
    teardown(&f);
}

static void reader_warns_from_three_months_before_the_certificate_expires(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    /* certificate valid to 2027-05-10 */
    assert_int_equal(cert_check(&f, CERT, "2027-02-09").warnings, 0);
    assert_int_equal(cert_check(&f, CERT, "2027-02-10").warnings, ELIGIBILITY_WARN_CERT_EXPIRES_SOON);
    assert_int_equal(cert_check(&f, CERT, "2027-05-10").warnings, ELIGIBILITY_WARN_CERT_EXPIRES_SOON);
    teardown(&f);
    /* The warning is AMEND-3's (docs/RULES.md): the 2024 plan's reader gives none. */
    setup_named(&f, "as-announced-2024");
    assert_int_equal(cert_check(&f, CERT, "2027-02-10").warnings, 0);
    assert_int_equal(cert_check(&f, CERT, "2027-05-10").warnings, 0);
    teardown(&f);
}

static void blocked_pin_fails_only_the_pin_route(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    struct eligibility_card_request r = card_req(D("2025-03-01"));
    r.pin_blocked = true;
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_OK); /* face route */
    r.auth = ELIGIBILITY_AUTH_VISUAL;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_OK);
    r.auth = ELIGIBILITY_AUTH_PIN;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_PIN_LOCKED);
    /* the expired certificate comes before the PIN; the PIN before registration */
    r.on = D("2027-09-01");
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_CERT_EXPIRED);
    assert_int_equal(eligibility_file_withdrawal(f.reg, f.person, D("2025-04-01"), D("2025-04-01")), CORE_OK);
    r.on = D("2025-04-02");
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_PIN_LOCKED);
    teardown(&f);
}

static void registration_takes_effect_the_day_made(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    uint32_t p;
    assert_int_equal(eligibility_person_add(f.reg, f.born, &p), CORE_OK);
    struct eligibility_enrollment e = enrollment("112334", "4", D("2020-04-01"));
    assert_int_equal(eligibility_file_enrollment(f.reg, p, &e, D("2020-04-01"), CORE_DAY_NONE, NULL),
                     CORE_OK);
    assert_int_equal(
        eligibility_card_issue(f.reg, p, 14, D("2024-01-01"), D("2034-01-01"), 114, D("2029-01-01")),
        CORE_OK);
    assert_result(cert_check(&f, 114, "2025-03-09").result, ELIGIBILITY_NOT_REGISTERED);
    assert_int_equal(eligibility_file_registration(f.reg, p, D("2025-03-10")), CORE_OK);
    assert_result(cert_check(&f, 114, "2025-03-09").result, ELIGIBILITY_NOT_REGISTERED);
    assert_result(cert_check(&f, 114, "2025-03-10").result, ELIGIBILITY_OK);
    teardown(&f);
}

static void withdrawal_reaches_the_system_after_the_policy_lag(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    /* 45 days (registration.withdrawal_lag_days) */
    assert_int_equal(eligibility_file_withdrawal(f.reg, f.person, D("2025-03-01"), CORE_DAY_NONE), CORE_OK);
    assert_result(card_on(&f, "2025-04-14"), ELIGIBILITY_OK);
    assert_result(card_on(&f, "2025-04-15"), ELIGIBILITY_NOT_REGISTERED);
    /* registering again later makes the card a マイナ保険証 again */
    assert_int_equal(eligibility_file_registration(f.reg, f.person, D("2025-06-01")), CORE_OK);
    assert_result(card_on(&f, "2025-05-31"), ELIGIBILITY_NOT_REGISTERED);
    assert_result(card_on(&f, "2025-06-01"), ELIGIBILITY_OK);
    teardown(&f);
}

static void new_enrollment_is_not_reflected_during_the_lag(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    /* job change on 2025-04-01: the old insurer files the loss, the new one the enrollment, both that day */
    assert_int_equal(
        eligibility_file_loss(f.reg, f.membership, D("2025-04-01"), D("2025-04-01"), CORE_DAY_NONE), CORE_OK);
    struct eligibility_enrollment e = enrollment("06139997", "77", D("2025-04-01"));
    uint32_t m;
    assert_int_equal(eligibility_file_enrollment(f.reg, f.person, &e, D("2025-04-01"), CORE_DAY_NONE, &m),
                     CORE_OK);
    assert_result(card_on(&f, "2025-03-31"), ELIGIBILITY_OK);
    assert_result(card_on(&f, "2025-04-01"), ELIGIBILITY_NOT_REFLECTED);
    assert_result(card_on(&f, "2025-04-05"), ELIGIBILITY_NOT_REFLECTED);
    struct eligibility_card_request r = card_req(D("2025-04-06")); /* 5 days: online.reflection_lag_days */
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_card(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_OK);
    assert_string_equal(a.qualification.numbers.insurer_number, "06139997");
    /* by numbers: the new certificate's numbers during the lag, and the old card's after */
    struct eligibility_answer n = numbers_on(&f, "2025-04-02", "06139997", "77");
    assert_result(n.result, ELIGIBILITY_NOT_REFLECTED);
    assert_false(n.has_qualification);
    n = numbers_on(&f, "2025-04-02", "112334", "1");
    assert_result(n.result, ELIGIBILITY_NOT_REFLECTED);
    assert_true(n.has_qualification);
    n = numbers_on(&f, "2025-04-06", "112334", "1");
    assert_result(n.result, ELIGIBILITY_NO_QUALIFICATION);
    assert_false(n.has_qualification);
    n = numbers_on(&f, "2025-03-31", "06139997", "77"); /* not yet started */
    assert_result(n.result, ELIGIBILITY_NO_QUALIFICATION);
    teardown(&f);
}

static void loss_filed_late_keeps_old_card_passing_until_reflected(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    /* left on 2025-05-01 (first day without), the insurer processes it on 2025-05-21 */
    assert_int_equal(
        eligibility_file_loss(f.reg, f.membership, D("2025-05-01"), D("2025-05-21"), CORE_DAY_NONE), CORE_OK);
    struct eligibility_answer n = numbers_on(&f, "2025-05-10", "112334", "1");
    assert_result(n.result, ELIGIBILITY_OK); /* unfiled as of that day: the system still shows it */
    n = numbers_on(&f, "2025-05-21", "112334", "1");
    assert_result(n.result, ELIGIBILITY_NOT_REFLECTED);
    assert_true(n.has_qualification);
    assert_int_equal(n.qualification.end, CORE_DAY_NONE);
    n = numbers_on(&f, "2025-05-25", "112334", "1");
    assert_result(n.result, ELIGIBILITY_NOT_REFLECTED);
    n = numbers_on(&f, "2025-05-26", "112334", "1");
    assert_result(n.result, ELIGIBILITY_NO_QUALIFICATION);
    assert_result(card_on(&f, "2025-05-26"), ELIGIBILITY_NO_QUALIFICATION);
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_person(f.reg, f.person, D("2025-05-22"), &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_NOT_REFLECTED);
    teardown(&f);
}

static void new_membership_is_blocked_while_the_old_loss_is_unfiled(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    struct eligibility_enrollment e = enrollment("06139997", "77", D("2025-04-01"));
    uint32_t m;
    assert_int_equal(eligibility_file_enrollment(f.reg, f.person, &e, D("2025-04-01"), CORE_DAY_NONE, &m),
                     CORE_OK);
    /* the old insurer files the loss only on 2025-05-01 */
    assert_int_equal(
        eligibility_file_loss(f.reg, f.membership, D("2025-04-01"), D("2025-05-01"), CORE_DAY_NONE), CORE_OK);
    assert_result(card_on(&f, "2025-04-10"), ELIGIBILITY_NOT_REFLECTED);
    struct eligibility_answer n = numbers_on(&f, "2025-04-10", "06139997", "77");
    assert_result(n.result, ELIGIBILITY_NOT_REFLECTED);
    assert_true(n.has_qualification);
    assert_result(card_on(&f, "2025-05-05"), ELIGIBILITY_NOT_REFLECTED);
    assert_result(card_on(&f, "2025-05-06"), ELIGIBILITY_OK);
    assert_result(numbers_on(&f, "2025-05-06", "06139997", "77").result, ELIGIBILITY_OK);
    teardown(&f);
}

static void person_without_membership_answers_no_qualification(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    uint32_t p;
    assert_int_equal(eligibility_person_add(f.reg, f.born, &p), CORE_OK);
    assert_int_equal(
        eligibility_card_issue(f.reg, p, 15, D("2024-01-01"), D("2034-01-01"), 115, D("2029-01-01")),
        CORE_OK);
    assert_int_equal(eligibility_file_registration(f.reg, p, D("2024-02-01")), CORE_OK);
    struct eligibility_answer a = cert_check(&f, 115, "2025-01-01");
    assert_result(a.result, ELIGIBILITY_NO_QUALIFICATION);
    assert_false(a.has_qualification);
    teardown(&f);
}

static void explicit_visible_day_overrides_the_policy_lag(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    assert_int_equal(
        eligibility_file_loss(f.reg, f.membership, D("2025-04-01"), D("2025-04-01"), D("2025-04-03")),
        CORE_OK);
    assert_result(card_on(&f, "2025-04-02"), ELIGIBILITY_NOT_REFLECTED);
    assert_result(card_on(&f, "2025-04-03"), ELIGIBILITY_NO_QUALIFICATION);
    teardown(&f);
}

static void loss_filed_in_advance_ends_the_qualification_on_its_day(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    assert_int_equal(
        eligibility_file_loss(f.reg, f.membership, D("2025-07-01"), D("2025-06-01"), CORE_DAY_NONE), CORE_OK);
    struct eligibility_answer a = numbers_on(&f, "2025-06-30", "112334", "1");
    assert_result(a.result, ELIGIBILITY_OK);
    assert_int_equal(a.qualification.end, D("2025-06-30"));
    assert_result(numbers_on(&f, "2025-07-01", "112334", "1").result, ELIGIBILITY_NO_QUALIFICATION);
    teardown(&f);
}

static void number_route_needs_the_right_birth_date_and_a_working_check(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    struct eligibility_number_request r;
    memset(&r, 0, sizeof r);
    r.on = D("2025-01-01");
    r.numbers = nums("112334", "12", "1", "00");
    r.born = D("1980-05-11");
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_numbers(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_NO_QUALIFICATION);
    r.born = f.born;
    r.numbers = nums("112334", "12", "1", "01"); /* another branch */
    assert_int_equal(eligibility_check_numbers(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_NO_QUALIFICATION);
    r.numbers = nums("112334", "12", "1", "00");
    assert_int_equal(eligibility_check_numbers(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_OK);
    r.service_down = true;
    assert_int_equal(eligibility_check_numbers(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_SERVICE_DOWN);
    r.reader_down = true;
    assert_int_equal(eligibility_check_numbers(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_READER_DOWN);
    teardown(&f);
}

static void reused_numbers_answer_for_the_membership_valid_that_day(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    /* leaves in 2025-02 and re-enrolls with the same numbers in 2025-06 */
    assert_int_equal(
        eligibility_file_loss(f.reg, f.membership, D("2025-02-01"), D("2025-02-01"), CORE_DAY_NONE), CORE_OK);
    struct eligibility_enrollment e = enrollment("112334", "1", D("2025-06-01"));
    assert_int_equal(eligibility_file_enrollment(f.reg, f.person, &e, D("2025-06-01"), CORE_DAY_NONE, NULL),
                     CORE_OK);
    assert_result(numbers_on(&f, "2025-01-31", "112334", "1").result, ELIGIBILITY_OK);
    assert_result(numbers_on(&f, "2025-03-01", "112334", "1").result, ELIGIBILITY_NO_QUALIFICATION);
    assert_result(numbers_on(&f, "2025-06-03", "112334", "1").result, ELIGIBILITY_NOT_REFLECTED);
    struct eligibility_answer a = numbers_on(&f, "2025-06-06", "112334", "1");
    assert_result(a.result, ELIGIBILITY_OK);
    assert_int_equal(a.qualification.start, D("2025-06-01"));
    teardown(&f);
}

static void answer_carries_copay_limit_category_and_tax_arrears(void **state)
{
    (void)state;
    struct fixture f;
    setup_named(&f, "national");
    uint32_t p;
    assert_int_equal(eligibility_person_add(f.reg, D("1953-03-15"), &p), CORE_OK);
    struct eligibility_enrollment e = enrollment("112334", "5", D("2020-04-01"));
    e.high_income = true;
    e.tax_arrears = true;
    e.role = ELIGIBILITY_DEPENDENT;
    assert_int_equal(eligibility_file_enrollment(f.reg, p, &e, D("2020-04-01"), CORE_DAY_NONE, NULL),
                     CORE_OK);
    struct eligibility_number_request r;
    memset(&r, 0, sizeof r);
    r.on = D("2023-04-01"); /* 70 on 2023-03-15: elderly from April */
    r.numbers = e.numbers;
    r.born = D("1953-03-15");
    struct eligibility_answer a;
    assert_int_equal(eligibility_check_numbers(f.reg, &r, &a), CORE_OK);
    assert_result(a.result, ELIGIBILITY_OK);
    assert_int_equal(a.qualification.copay_percent, 30);
    assert_int_equal(a.qualification.limit, ELIGIBILITY_LIMIT_ELDERLY_HIGH);
    assert_true(a.qualification.tax_arrears);
    assert_int_equal(a.qualification.role, ELIGIBILITY_DEPENDENT);
    r.on = D("2023-03-31");
    assert_int_equal(eligibility_check_numbers(f.reg, &r, &a), CORE_OK);
    assert_int_equal(a.qualification.limit, ELIGIBILITY_LIMIT_HIGH);
    teardown(&f);
}

/* ---- COPAY brackets ----------------------------------------------------------------------------------- */

static int copay(const struct policy *p, const char *born, bool high, const char *on)
{
    int pct = -1;
    assert_int_equal(eligibility_copay_percent(p, D(born), high, D(on), &pct), CORE_OK);
    return pct;
}

static void preschool_rate_ends_on_the_31_march_of_the_school_year_reached_at_six(void **state)
{
    (void)state;
    struct policy *p = named("national");
    /* born 2 April: six on 2024-04-02, starts school in April 2025 */
    assert_int_equal(copay(p, "2018-04-02", false, "2025-03-31"), 20);
    assert_int_equal(copay(p, "2018-04-02", false, "2025-04-01"), 30);
    /* born 1 April: the age is reached on 31 March (civil law), school starts in April 2024 */
    assert_int_equal(copay(p, "2018-04-01", false, "2024-03-31"), 20);
    assert_int_equal(copay(p, "2018-04-01", false, "2024-04-01"), 30);
    assert_int_equal(copay(p, "2018-03-31", false, "2024-03-31"), 20);
    assert_int_equal(copay(p, "2018-03-31", false, "2024-04-01"), 30);
    assert_int_equal(copay(p, "2024-12-01", true, "2025-01-01"), 20); /* income does not matter */
    policy_free(p);
}

static void elderly_rate_starts_the_month_after_the_70th_birthday_or_that_month_on_the_1st(void **state)
{
    (void)state;
    struct policy *p = named("as-announced-2024");
    assert_int_equal(copay(p, "1955-06-01", false, "2025-05-31"), 30);
    assert_int_equal(copay(p, "1955-06-01", false, "2025-06-01"), 20);
    assert_int_equal(copay(p, "1955-06-02", false, "2025-06-30"), 30);
    assert_int_equal(copay(p, "1955-06-02", false, "2025-07-01"), 20);
    assert_int_equal(copay(p, "1955-12-15", false, "2025-12-31"), 30);
    assert_int_equal(copay(p, "1955-12-15", false, "2026-01-01"), 20);
    assert_int_equal(copay(p, "1955-06-02", true, "2025-07-01"), 30);
    policy_free(p);
}

static void latter_elderly_rate_starts_on_the_75th_birthday(void **state)
{
    (void)state;
    struct policy *p = named("national");
    assert_int_equal(copay(p, "1950-06-15", false, "2025-06-14"), 20);
    assert_int_equal(copay(p, "1950-06-15", false, "2025-06-15"), 10);
    assert_int_equal(copay(p, "1950-06-15", true, "2025-06-14"), 30);
    assert_int_equal(copay(p, "1950-06-15", true, "2025-06-15"), 30);
    /* 29 February: the birthday falls on 1 March in common years */
    assert_int_equal(copay(p, "1952-02-29", false, "2027-02-28"), 20);
    assert_int_equal(copay(p, "1952-02-29", false, "2027-03-01"), 10);
    policy_free(p);
}

/* ---- scale -------------------------------------------------------------------------------------------- */

static void many_persons_are_found_by_card_and_by_numbers(void **state)
{
    (void)state;
    struct policy *pol = named("national");
    struct eligibility_registry *reg;
    assert_int_equal(eligibility_registry_new(pol, &reg), CORE_OK);
    enum { N = 20000 };
    for (uint32_t i = 0; i < N; i++) {
        uint32_t p;
        assert_int_equal(eligibility_person_add(reg, D("1980-01-01") + (core_day)(i % 9000), &p), CORE_OK);
        assert_int_equal(p, i);
        char num[16];
        snprintf(num, sizeof num, "%u", i);
        struct eligibility_enrollment e = enrollment("112334", num, D("2020-04-01"));
        assert_int_equal(eligibility_file_enrollment(reg, p, &e, D("2020-04-01"), CORE_DAY_NONE, NULL),
                         CORE_OK);
        assert_int_equal(eligibility_card_issue(reg, p, 100000 + i, D("2022-01-01"), D("2032-01-01"),
                                                900000 + i, D("2027-01-01")),
                         CORE_OK);
        assert_int_equal(eligibility_file_registration(reg, p, D("2022-02-01")), CORE_OK);
    }
    for (uint32_t i = 0; i < N; i += 997) {
        struct eligibility_card_request r = card_req(D("2025-06-01"));
        r.cert_serial = 900000 + i;
        struct eligibility_answer a;
        assert_int_equal(eligibility_check_card(reg, &r, &a), CORE_OK);
        assert_result(a.result, ELIGIBILITY_OK);
        char num[16];
        snprintf(num, sizeof num, "%u", i);
        assert_string_equal(a.qualification.numbers.number, num);
        struct eligibility_number_request q;
        memset(&q, 0, sizeof q);
        q.on = D("2025-06-01");
        q.numbers = nums("112334", "12", num, "00");
        q.born = D("1980-01-01") + (core_day)(i % 9000);
        assert_int_equal(eligibility_check_numbers(reg, &q, &a), CORE_OK);
        assert_result(a.result, ELIGIBILITY_OK);
    }
    eligibility_registry_free(reg);
    policy_free(pol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(result_names_are_the_scenario_words_in_precedence_order),
        cmocka_unit_test(registered_card_with_reflected_membership_answers_ok_with_its_qualification),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(null_and_undated_arguments_and_a_bad_lag_are_refused),
        cmocka_unit_test(desk_inputs_answer_first_no_card_then_reader_down_then_service_down),
        cmocka_unit_test(lost_card_is_suspended_from_the_day_and_stays_so_after_reissue),
        cmocka_unit_test(expired_card_answers_card_expired_before_certificate_results),
        cmocka_unit_test(returned_card_renewed_and_unknown_certificates_answer_cert_revoked),
        cmocka_unit_test(reissue_revokes_the_old_cards_certificate_from_its_day),
        cmocka_unit_test(revoked_certificate_precedes_expired_one),
        cmocka_unit_test(expired_certificate_fails_the_next_day_under_as_announced),
        cmocka_unit_test(expired_certificate_passes_to_the_end_of_the_third_month_under_national),
        cmocka_unit_test(grace_end_counts_from_the_month_of_the_first_invalid_day),
        cmocka_unit_test(grace_starts_on_2024_12_02_under_national),
        cmocka_unit_test(reader_warns_from_three_months_before_the_certificate_expires),
        cmocka_unit_test(blocked_pin_fails_only_the_pin_route),
        cmocka_unit_test(registration_takes_effect_the_day_made),
        cmocka_unit_test(withdrawal_reaches_the_system_after_the_policy_lag),
        cmocka_unit_test(new_enrollment_is_not_reflected_during_the_lag),
        cmocka_unit_test(loss_filed_late_keeps_old_card_passing_until_reflected),
        cmocka_unit_test(new_membership_is_blocked_while_the_old_loss_is_unfiled),
        cmocka_unit_test(person_without_membership_answers_no_qualification),
        cmocka_unit_test(explicit_visible_day_overrides_the_policy_lag),
        cmocka_unit_test(loss_filed_in_advance_ends_the_qualification_on_its_day),
        cmocka_unit_test(number_route_needs_the_right_birth_date_and_a_working_check),
        cmocka_unit_test(reused_numbers_answer_for_the_membership_valid_that_day),
        cmocka_unit_test(answer_carries_copay_limit_category_and_tax_arrears),
        cmocka_unit_test(preschool_rate_ends_on_the_31_march_of_the_school_year_reached_at_six),
        cmocka_unit_test(elderly_rate_starts_the_month_after_the_70th_birthday_or_that_month_on_the_1st),
        cmocka_unit_test(latter_elderly_rate_starts_on_the_75th_birthday),
        cmocka_unit_test(many_persons_are_found_by_card_and_by_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
