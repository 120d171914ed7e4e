/* Tests of sim/card/pin.c: VERIFY, the PIN counters through blocking (MYNA-7), the office reset. */
#define CT_DEFAULT_CARD /* the file works on `card`: a fresh default card per test */
#include "card_test.h"
#include "card/card_int.h"

static void empty_verify_answers_tries_left(void **state)
{
    (void)state;
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, NULL), 0x63C3);
    assert_int_equal(ct_select_ef(card, 0x001B), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, NULL), 0x63C5);
    /* Even once verified: OpenSC binds only on 63Cx. */
    assert_int_equal(ct_verify(card, "SIGN1234"), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, NULL), 0x63C5);
    /* Case 2 form (Le, no data) is an empty VERIFY as well. */
    CT_SW(card, "0020008000", 0x63C5);
}

static void auth_pin_counts_down_and_blocks_after_three(void **state)
{
    (void)state;
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "0000"), 0x63C2);
    assert_int_equal(card_state(card)->tries_left[CARD_PIN_AUTH], 2);
    assert_int_equal(ct_verify(card, NULL), 0x63C2);
    assert_int_equal(ct_verify(card, "1235"), 0x63C1);
    assert_int_equal(ct_verify(card, "12345"), 0x63C0); /* wrong length counts too */
    assert_int_equal(card_state(card)->tries_left[CARD_PIN_AUTH], 0);
    /* Blocked: data answers 6983, even the right PIN; empty VERIFY 63C0. */
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_AUTH_BLOCKED);
    assert_int_equal(ct_verify(card, NULL), 0x63C0);
    /* A reset does not unblock. */
    card_reset(card);
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, NULL), 0x63C0);
    /* The signing key stays locked. */
    assert_int_equal(ct_select_ef(card, 0x0017), ISO7816_SW_OK);
    CT_SW(card, "802A00800330313000", ISO7816_SW_SECURITY_NOT_SATISFIED);
    /* The other PINs are untouched. */
    assert_int_equal(ct_select_ef(card, 0x001B), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, NULL), 0x63C5);
}

static void right_pin_restores_the_counter(void **state)
{
    (void)state;
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "9999"), 0x63C2);
    assert_int_equal(ct_verify(card, "9999"), 0x63C1);
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, NULL), 0x63C3);
    assert_int_equal(card_state(card)->tries_left[CARD_PIN_AUTH], 3);
}

static void sign_password_has_five_tries(void **state)
{
    (void)state;
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x001B), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "sign1234"), 0x63C4); /* lower case is wrong */
    assert_int_equal(ct_verify(card, "SIGN12345"), 0x63C3);
    assert_int_equal(ct_verify(card, "SIGN"), 0x63C2);
    assert_int_equal(ct_verify(card, "AAAAAAAAAAAAAAAAAAAAAAAA"), 0x63C1); /* longer than 16 */
    assert_int_equal(ct_verify(card, "X"), 0x63C0);
    assert_int_equal(ct_verify(card, "SIGN1234"), ISO7816_SW_AUTH_BLOCKED);
}

static void wrong_pin_clears_an_earlier_verification(void **state)
{
    (void)state;
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x001B), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "SIGN1234"), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "WRONG1"), 0x63C4);
    assert_int_equal(ct_select_ef(card, 0x0001), ISO7816_SW_OK);
    CT_SW(card, "00B0000004", ISO7816_SW_SECURITY_NOT_SATISFIED);
}

static void verify_errors(void **state)
{
    (void)state;
    CT_SW(card,
          "0020008004"
          "31323334",
          ISO7816_SW_NO_CURRENT_EF); /* nothing selected */
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    CT_SW(card,
          "0020008004"
          "31323334",
          ISO7816_SW_NO_CURRENT_EF); /* application, no EF */
    assert_int_equal(ct_select_ef(card, 0x000A), ISO7816_SW_OK);
    CT_SW(card,
          "0020008004"
          "31323334",
          ISO7816_SW_NO_CURRENT_EF); /* not a PIN EF */
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    CT_SW(card,
          "0020008104"
          "31323334",
          ISO7816_SW_INCORRECT_P1P2);
    CT_SW(card, "0020FF80", ISO7816_SW_INCORRECT_P1P2);
    assert_int_equal(card_state(card)->tries_left[CARD_PIN_AUTH], 3);
}

static void office_reset_unblocks(void **state)
{
    (void)state;
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    for (int i = 0; i < 3; i++)
        ct_verify(card, "0000");
    assert_int_equal(ct_verify(card, NULL), 0x63C0);
    card_pin_reset(card, CARD_PIN_AUTH);
    assert_int_equal(ct_verify(card, NULL), 0x63C3);
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
    card_pin_reset(card, CARD_PIN_AUTH); /* and it drops the verification */
    assert_int_equal(ct_select_ef(card, 0x0017), ISO7816_SW_OK);
    CT_SW(card, "802A00800330313000", ISO7816_SW_SECURITY_NOT_SATISFIED);
    card_pin_reset(card, CARD_PIN_COUNT);
    card_pin_reset(NULL, CARD_PIN_AUTH);
}

static void blocked_profile_starts_blocked(void **state)
{
    (void)state;
    struct card *b = ct_card("pin_blocked");
    assert_int_equal(card_state(b)->tries_left[CARD_PIN_AUTH], 0);
    CT_SW(b, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(b, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(b, NULL), 0x63C0);
    assert_int_equal(ct_verify(b, "5678"), ISO7816_SW_AUTH_BLOCKED);
    assert_int_equal(ct_select_ef(b, 0x001B), ISO7816_SW_OK);
    assert_int_equal(ct_verify(b, "BLOCKED99"), ISO7816_SW_OK);
    card_free(b);
}

static void pin_formats(void **state)
{
    (void)state;
    assert_true(card_pin_format_ok(CARD_PIN_AUTH, "0000"));
    assert_false(card_pin_format_ok(CARD_PIN_AUTH, "000"));
    assert_false(card_pin_format_ok(CARD_PIN_AUTH, "00a0"));
    assert_true(card_pin_format_ok(CARD_PIN_TEXT, "9876"));
    assert_true(card_pin_format_ok(CARD_PIN_SIGN, "ABC123"));
    assert_true(card_pin_format_ok(CARD_PIN_SIGN, "ABCDEFGHIJ123456"));
    assert_false(card_pin_format_ok(CARD_PIN_SIGN, "ABC12"));
    assert_false(card_pin_format_ok(CARD_PIN_SIGN, "ABCDEFGHIJ1234567"));
    assert_false(card_pin_format_ok(CARD_PIN_SIGN, "abc123"));
    assert_true(card_pin_format_ok(CARD_PIN_SURFACE, "80040120311234"));
    assert_false(card_pin_format_ok(CARD_PIN_SURFACE, "8004012031123"));
    assert_false(card_pin_format_ok(CARD_PIN_COUNT, "1234"));
    assert_false(card_pin_format_ok(CARD_PIN_AUTH, NULL));
    assert_string_equal(card_pin_name(CARD_PIN_SIGN), "sign");
    assert_string_equal(card_pin_name(CARD_PIN_COUNT), "?");
    assert_string_equal(card_pin_label(CARD_PIN_SURFACE), "surface PIN-B");
    assert_string_equal(card_pin_label((enum card_pin) - 1), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(empty_verify_answers_tries_left, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(auth_pin_counts_down_and_blocks_after_three, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(right_pin_restores_the_counter, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(sign_password_has_five_tries, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(wrong_pin_clears_an_earlier_verification, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(verify_errors, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(office_reset_unblocks, ct_setup, ct_teardown),
        cmocka_unit_test(blocked_profile_starts_blocked),
        cmocka_unit_test(pin_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
