/* Tests of sim/card/state.c: saving and restoring the card's mutable state, and refusing bad state. */
#define CT_DEFAULT_CARD /* the file works on `card`: a fresh default card per test */
#include "card_test.h"

static size_t save(struct card *c, uint8_t *buf)
{
    size_t len = 0;
    assert_int_equal(card_state_save(c, buf, CARD_STATE_MAX, &len), CORE_OK);
    assert_true(len > 0 && len <= CARD_STATE_MAX);
    return len;
}

static void round_trip_keeps_counters_selection_and_security(void **state)
{
    (void)state;
    uint8_t buf[CARD_STATE_MAX], again[CARD_STATE_MAX];
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "0000"), 0x63C2);
    assert_int_equal(ct_select_ef(card, 0x001B), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "SIGN1234"), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0001), ISO7816_SW_OK);
    size_t len = save(card, buf);
    /* Change everything, then restore. */
    card_reset(card);
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "0000"), 0x63C1);
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(card_state_restore(card, buf, len, &err), CORE_OK);
    assert_int_equal(card_state(card)->tries_left[CARD_PIN_AUTH], 2);
    /* The signature certificate is selected and readable again: the password was verified. */
    CT_SW(card, "00B0000004", ISO7816_SW_OK);
    assert_int_equal(save(card, again), len);
    assert_memory_equal(buf, again, len);
}

static void restore_into_a_fresh_card_of_the_same_profile(void **state)
{
    (void)state;
    uint8_t buf[CARD_STATE_MAX];
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    for (int i = 0; i < 3; i++)
        ct_verify(card, "0000");
    card_power_off(card);
    size_t len = save(card, buf);
    struct card *fresh = ct_card("issued_2021");
    struct core_error err;
    assert_int_equal(card_state_restore(fresh, buf, len, &err), CORE_OK);
    assert_false(card_powered(fresh));
    assert_int_equal(card_state(fresh)->tries_left[CARD_PIN_AUTH], 0);
    card_power_on(fresh);
    CT_SW(fresh, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(fresh, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(fresh, NULL), 0x63C0);
    card_free(fresh);
}

static void every_corruption_is_refused_and_leaves_the_card_alone(void **state)
{
    (void)state;
    uint8_t buf[CARD_STATE_MAX], before[CARD_STATE_MAX], after[CARD_STATE_MAX];
    CT_SW(card, CT_TEXT, ISO7816_SW_OK);
    size_t len = save(card, buf);
    size_t blen = save(card, before);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            uint8_t bad[CARD_STATE_MAX];
            memcpy(bad, buf, len);
            bad[i] ^= (uint8_t)(1u << bit);
            struct core_error err;
            core_error_clear(&err);
            assert_int_equal(card_state_restore(card, bad, len, &err), CORE_EINVAL);
            assert_true(strstr(err.message, "card state") != NULL);
            assert_int_equal(save(card, after), blen);
            assert_memory_equal(before, after, blen);
        }
    }
    /* Truncated, extended, empty. */
    struct core_error err;
    for (size_t n = 0; n < len; n++)
        assert_int_equal(card_state_restore(card, buf, n, &err), CORE_EINVAL);
    uint8_t longer[CARD_STATE_MAX + 1];
    memcpy(longer, buf, len);
    longer[len] = 0;
    assert_int_equal(card_state_restore(card, longer, len + 1, &err), CORE_EINVAL);
    assert_int_equal(card_state_restore(card, NULL, 0, &err), CORE_EINVAL);
    assert_int_equal(card_state_restore(NULL, buf, len, &err), CORE_EINVAL);
}

static void another_cards_state_is_refused(void **state)
{
    (void)state;
    uint8_t buf[CARD_STATE_MAX];
    struct card *other = ct_card("pin_blocked");
    size_t len = save(other, buf);
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(card_state_restore(card, buf, len, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "another card"));
    assert_int_equal(card_state(card)->tries_left[CARD_PIN_AUTH], 3);
    card_free(other);
}

static void save_needs_room(void **state)
{
    (void)state;
    uint8_t buf[8];
    size_t len = 99;
    assert_int_equal(card_state_save(card, buf, sizeof buf, &len), CORE_EINVAL);
    assert_int_equal(len, 0);
    assert_int_equal(card_state_save(NULL, buf, sizeof buf, &len), CORE_EINVAL);
}

/* Well-formed (checksum right) but impossible states: a forged file must not unlock anything. */
static uint64_t h(const uint8_t *b)
{
    return core_hash64(b, 29, 0x4D594E4153494D31ull);
}

static void reseal(uint8_t *b)
{
    uint64_t v = h(b);
    for (int i = 0; i < 8; i++)
        b[29 + i] = (uint8_t)(v >> (56 - 8 * i));
}

static void forged_states_are_refused(void **state)
{
    (void)state;
    uint8_t buf[CARD_STATE_MAX];
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    size_t len = save(card, buf);
    assert_int_equal(len, 37);
    static const struct {
        size_t at;
        uint8_t value;
        const char *says;
    } cases[] = {
        {4, 2, "version"},
        {6, 38, "length"},
        {7, 0x03, "flags"},
        {16, 7, "no application"},
        {17, 0x12, "EF"},
        {19, 0x10, "unknown PIN bits"},
        {19, 0x04, "text PIN marked verified"}, /* text PIN in the JPKI application */
        {20, 5, "PINs"},
        {21, 4, "tries"},
        {25, 4, "maximum"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t bad[CARD_STATE_MAX];
        memcpy(bad, buf, len);
        bad[cases[i].at] = cases[i].value;
        reseal(bad);
        struct core_error err;
        core_error_clear(&err);
        assert_int_equal(card_state_restore(card, bad, len, &err), CORE_EINVAL);
        if (strstr(err.message, cases[i].says) == NULL)
            fail_msg("case %zu: '%s' does not say '%s'", i, err.message, cases[i].says);
    }
    /* Verified on an unpowered card; application on an unpowered card; blocked yet verified. */
    uint8_t bad[CARD_STATE_MAX];
    struct core_error err;
    memcpy(bad, buf, len);
    bad[7] = 0;
    reseal(bad);
    assert_int_equal(card_state_restore(card, bad, len, &err), CORE_EINVAL);
    memcpy(bad, buf, len);
    bad[19] = 0x01;
    bad[21] = 0;
    reseal(bad);
    assert_int_equal(card_state_restore(card, bad, len, &err), CORE_EINVAL);
    memcpy(bad, buf, len);
    bad[16] = 0xFF;
    bad[19] = 0x01;
    reseal(bad);
    assert_int_equal(card_state_restore(card, bad, len, &err), CORE_EINVAL);
    /* A legitimate verified state restores. */
    memcpy(bad, buf, len);
    bad[19] = 0x01;
    reseal(bad);
    assert_int_equal(card_state_restore(card, bad, len, &err), CORE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(round_trip_keeps_counters_selection_and_security, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(restore_into_a_fresh_card_of_the_same_profile, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(every_corruption_is_refused_and_leaves_the_card_alone, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(another_cards_state_is_refused, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(save_needs_room, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(forged_states_are_refused, ct_setup, ct_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
