/* Tests of sim/card/personalise.c: derived card dates (docs/RULES.md card dates), tries, profile checks, card_new.
 */
#include "card_test.h"

static void base(struct card_profile *p)
{
    card_profile_init(p);
    snprintf(p->id, sizeof p->id, "personalise-test");
    p->seed = 7;
    snprintf(p->holder.name, sizeof p->holder.name, "Test Holder");
    snprintf(p->holder.address, sizeof p->holder.address, "Chiyoda, Tokyo");
    p->holder.born = ct_day("1980-04-01");
    p->holder.sex = CARD_SEX_FEMALE;
    memcpy(p->holder.my_number, "123456789018", 13);
    memcpy(p->holder.security_code, "0000", 5);
    p->issued = ct_day("2021-04-01");
    memcpy(p->auth_pin, "1234", 5);
    memcpy(p->text_pin, "1234", 5);
    memcpy(p->sign_password, "SIGN1234", 9);
}

static void check_ok(const struct card_profile *p, struct card_state *s)
{
    struct core_error err;
    core_error_clear(&err);
    if (card_profile_check(p, ct_policy(), s, &err) != CORE_OK)
        fail_msg("%s", err.message);
}

static void check_fails(const struct card_profile *p, const char *needle)
{
    struct card_state s;
    struct core_error err;
    core_error_clear(&err);
    assert_int_not_equal(card_profile_check(p, ct_policy(), &s, &err), CORE_OK);
    if (strstr(err.message, needle) == NULL)
        fail_msg("'%s' does not say '%s'", err.message, needle);
}

static void adult_card_runs_to_10th_birthday_and_certs_to_5th(void **state)
{
    (void)state;
    struct card_profile p;
    struct card_state s;
    base(&p);
    check_ok(&p, &s);
    assert_int_equal(s.issued, ct_day("2021-04-01"));
    /* The birthday on the issue day itself is not "after" it. */
    assert_int_equal(s.expires, ct_day("2031-04-01"));
    assert_int_equal(s.cert_issued, ct_day("2021-04-01"));
    assert_int_equal(s.cert_expires, ct_day("2026-04-01"));
    p.issued = ct_day("2021-03-31");
    check_ok(&p, &s);
    assert_int_equal(s.expires, ct_day("2030-04-01"));
    assert_int_equal(s.cert_expires, ct_day("2025-04-01"));
    assert_int_equal(s.kind, CARD_KIND_NORMAL);
    assert_int_equal(s.tries_max[CARD_PIN_AUTH], 3);
    assert_int_equal(s.tries_max[CARD_PIN_SIGN], 5);
    assert_int_equal(s.tries_max[CARD_PIN_TEXT], 3);
    assert_int_equal(s.tries_max[CARD_PIN_SURFACE], 10);
    assert_int_equal(s.tries_left[CARD_PIN_SIGN], 5);
}

static void leap_day_birthday_falls_on_1_march(void **state)
{
    (void)state;
    struct card_profile p;
    struct card_state s;
    base(&p);
    p.holder.born = ct_day("2000-02-29");
    p.issued = ct_day("2021-01-10");
    check_ok(&p, &s);
    /* 10th birthday after 2021-01-10: 2030, a common year: 1 March. */
    assert_int_equal(s.expires, ct_day("2030-03-01"));
    assert_int_equal(s.cert_expires, ct_day("2025-03-01"));
    p.issued = ct_day("2019-05-01");
    check_ok(&p, &s);
    assert_int_equal(s.expires, ct_day("2029-03-01"));
    assert_int_equal(s.cert_expires, ct_day("2024-02-29")); /* a leap year: the day itself */
}

static void minor_card_runs_to_5th_birthday(void **state)
{
    (void)state;
    struct card_profile p;
    struct card_state s;
    base(&p);
    p.holder.born = ct_day("2010-05-05");
    p.issued = ct_day("2020-01-15");
    check_ok(&p, &s);
    assert_int_equal(s.expires, ct_day("2024-05-05"));
    assert_int_equal(s.cert_expires, ct_day("2024-05-05"));
    /* 17 on the issue day: still a minor. 18 that day: an adult. */
    p.holder.born = ct_day("2003-06-01");
    p.issued = ct_day("2021-05-31");
    check_ok(&p, &s);
    assert_int_equal(s.expires, ct_day("2025-06-01"));
    p.issued = ct_day("2021-06-01");
    check_ok(&p, &s);
    assert_int_equal(s.expires, ct_day("2031-06-01"));
}

static void given_dates_win(void **state)
{
    (void)state;
    struct card_profile p;
    struct card_state s;
    base(&p);
    p.expires = ct_day("2029-12-31");
    p.cert_expires = ct_day("2024-12-31");
    check_ok(&p, &s);
    assert_int_equal(s.expires, ct_day("2029-12-31"));
    assert_int_equal(s.cert_expires, ct_day("2024-12-31"));
}

static void no_policy_means_the_rules_values(void **state)
{
    (void)state;
    struct card_profile p;
    struct card_state s;
    base(&p);
    assert_int_equal(card_profile_check(&p, NULL, &s, NULL), CORE_OK);
    assert_int_equal(s.expires, ct_day("2031-04-01"));
    assert_int_equal(s.tries_max[CARD_PIN_SIGN], 5);
}

static void tries_from_the_profile(void **state)
{
    (void)state;
    struct card_profile p;
    struct card_state s;
    base(&p);
    p.tries_left[CARD_PIN_AUTH] = 0;
    p.tries_left[CARD_PIN_SIGN] = 2;
    check_ok(&p, &s);
    assert_int_equal(s.tries_left[CARD_PIN_AUTH], 0);
    assert_int_equal(s.tries_left[CARD_PIN_SIGN], 2);
    p.tries_left[CARD_PIN_AUTH] = 4;
    check_fails(&p, "auth tries 4 out of range 0..3");
    p.tries_left[CARD_PIN_AUTH] = -2;
    check_fails(&p, "auth tries");
}

static void face_only_has_no_pins(void **state)
{
    (void)state;
    struct card_profile p;
    struct card_state s;
    base(&p);
    p.kind = CARD_KIND_FACE_ONLY;
    check_fails(&p, "face_only card has no auth PIN");
    p.auth_pin[0] = p.text_pin[0] = p.sign_password[0] = '\0';
    check_ok(&p, &s);
    assert_int_equal(s.kind, CARD_KIND_FACE_ONLY);
    assert_int_equal(s.tries_max[CARD_PIN_AUTH], 0);
    assert_int_equal(s.tries_left[CARD_PIN_AUTH], 0);
    assert_int_equal(s.tries_max[CARD_PIN_SURFACE], 10);
    p.tries_left[CARD_PIN_AUTH] = 1;
    check_fails(&p, "auth tries 1 out of range 0..0");
}

static void bad_profiles_are_refused_with_a_reason(void **state)
{
    (void)state;
    struct card_profile p;
    base(&p);
    memcpy(p.holder.my_number, "123456789019", 13);
    check_fails(&p, "My Number");
    base(&p);
    memcpy(p.holder.my_number, "12345678901", 12);
    check_fails(&p, "My Number");
    base(&p);
    p.id[0] = '\0';
    check_fails(&p, "id missing");
    base(&p);
    p.holder.name[0] = '\0';
    check_fails(&p, "name missing");
    base(&p);
    p.holder.address[0] = '\0';
    check_fails(&p, "address missing");
    base(&p);
    p.holder.born = CORE_DAY_NONE;
    check_fails(&p, "birth date missing");
    base(&p);
    p.holder.sex = (enum card_sex)3;
    check_fails(&p, "sex");
    base(&p);
    memcpy(p.holder.security_code, "12a4", 5);
    check_fails(&p, "security code");
    base(&p);
    p.kind = (enum card_kind)9;
    check_fails(&p, "kind");
    base(&p);
    p.issued = CORE_DAY_NONE;
    check_fails(&p, "issue date missing");
    base(&p);
    p.issued = ct_day("1979-01-01");
    check_fails(&p, "before the holder was born");
    base(&p);
    p.expires = ct_day("2021-03-31");
    check_fails(&p, "card expires before it is issued");
    base(&p);
    p.cert_expires = ct_day("2021-03-31");
    check_fails(&p, "certificates expire before");
    base(&p);
    memcpy(p.auth_pin, "123", 4);
    check_fails(&p, "auth PIN must be 4 digits");
    base(&p);
    memcpy(p.sign_password, "sign1234", 9);
    check_fails(&p, "sign PIN must be 6 to 16");
    base(&p);
    memcpy(p.text_pin, "12345", 6);
    check_fails(&p, "text PIN");
    base(&p);
    memset(p.holder.name, 'x', 65);
    check_fails(&p, "64 characters");
    base(&p);
    memset(p.holder.address, 'x', 129);
    check_fails(&p, "128 characters");
    base(&p);
    memcpy(p.holder.name, "\xff\xfe", 3);
    check_fails(&p, "UTF-8");
    struct core_error err;
    assert_int_equal(card_profile_check(NULL, NULL, NULL, &err), CORE_EINVAL);
}

static void card_new_refuses_a_bad_profile_and_null(void **state)
{
    (void)state;
    struct card_profile p;
    struct card *card = (struct card *)&p;
    struct core_error err;
    base(&p);
    memcpy(p.holder.my_number, "123456789019", 13);
    assert_int_equal(card_new(&p, ct_policy(), &card, &err), CORE_EINVAL);
    assert_null(card);
    assert_int_equal(card_new(&p, ct_policy(), NULL, &err), CORE_EINVAL);
    card_profile_init(NULL);
}

static void card_new_fails_cleanly_without_the_test_ca(void **state)
{
    (void)state;
    struct card_profile p;
    struct card *card = NULL;
    struct core_error err;
    ct_profile("issued_2021", &p);
    const char *old = getenv("MYNASIM_DATA_DIR");
    char saved[1024];
    snprintf(saved, sizeof saved, "%s", old ? old : "");
    setenv("MYNASIM_DATA_DIR", MYNASIM_SOURCE_DIR "/sim/tests/card/data/no-pki", 1);
    int rc = card_new(&p, ct_policy(), &card, &err);
    setenv("MYNASIM_DATA_DIR", saved, 1);
    /* Either the CA is not found at all, or a fallback location has it: never a crash or a half card. */
    if (rc != CORE_OK)
        assert_null(card);
    card_free(card);
}

static void identical_profiles_give_identical_cards(void **state)
{
    (void)state;
    struct card *a = ct_card("issued_2021"), *b = ct_card("issued_2021");
    for (int i = 0; i < CARD_CERT_COUNT; i++) {
        const uint8_t *da, *db;
        size_t la, lb;
        assert_int_equal(card_cert_der(a, (enum card_cert)i, &da, &la), CORE_OK);
        assert_int_equal(card_cert_der(b, (enum card_cert)i, &db, &lb), CORE_OK);
        assert_int_equal(la, lb);
        assert_memory_equal(da, db, la);
    }
    assert_memory_equal(card_state(a), card_state(b), sizeof(struct card_state));
    card_free(a);
    card_free(b);
}

static void fixture_profiles_have_their_states(void **state)
{
    (void)state;
    struct card_profile p;
    struct card_state s;
    ct_profile("cert_expired", &p);
    check_ok(&p, &s);
    assert_int_equal(s.cert_expires, ct_day("2023-06-10"));
    assert_int_equal(s.expires, ct_day("2028-06-10"));
    ct_profile("card_expired", &p);
    check_ok(&p, &s);
    assert_int_equal(s.expires, ct_day("2020-03-03"));
    assert_int_equal(s.cert_expires, ct_day("2020-03-03"));
    ct_profile("pin_blocked", &p);
    check_ok(&p, &s);
    assert_int_equal(s.tries_left[CARD_PIN_AUTH], 0);
    assert_int_equal(s.tries_left[CARD_PIN_SIGN], 5);
    ct_profile("face_only", &p);
    check_ok(&p, &s);
    assert_int_equal(s.kind, CARD_KIND_FACE_ONLY);
    /* An expired card still answers: the chip has no clock. */
    struct card *c = ct_card("card_expired");
    CT_SW(c, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(c, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(c, "1357"), ISO7816_SW_OK);
    card_free(c);
}

static void policy_without_card_values_or_out_of_range_is_an_error(void **state)
{
    (void)state;
    static const struct {
        const char *file, *says;
    } cases[] = {
        {"policy_no_card.yaml", "has no card."},
        {"policy_bad_tries.yaml", "out of range"},
    };
    for (size_t i = 0; i < 2; i++) {
        char path[1024];
        struct policy *policy = NULL;
        struct core_error err;
        core_error_clear(&err);
        snprintf(path, sizeof path, "%s/sim/tests/card/data/%s", MYNASIM_SOURCE_DIR, cases[i].file);
        if (policy_load_file(path, &policy, &err) != CORE_OK) {
            /* The policy loader itself may refuse it: that is a clear error too. */
            assert_true(err.message[0] != '\0');
            continue;
        }
        struct card_profile p;
        struct card_state s;
        base(&p);
        assert_int_not_equal(card_profile_check(&p, policy, &s, &err), CORE_OK);
        if (strstr(err.message, cases[i].says) == NULL)
            fail_msg("%s: '%s'", cases[i].file, err.message);
        policy_free(policy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(adult_card_runs_to_10th_birthday_and_certs_to_5th),
        cmocka_unit_test(leap_day_birthday_falls_on_1_march),
        cmocka_unit_test(minor_card_runs_to_5th_birthday),
        cmocka_unit_test(given_dates_win),
        cmocka_unit_test(no_policy_means_the_rules_values),
        cmocka_unit_test(tries_from_the_profile),
        cmocka_unit_test(face_only_has_no_pins),
        cmocka_unit_test(bad_profiles_are_refused_with_a_reason),
        cmocka_unit_test(card_new_refuses_a_bad_profile_and_null),
        cmocka_unit_test(card_new_fails_cleanly_without_the_test_ca),
        cmocka_unit_test(identical_profiles_give_identical_cards),
        cmocka_unit_test(fixture_profiles_have_their_states),
        cmocka_unit_test(policy_without_card_values_or_out_of_range_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
