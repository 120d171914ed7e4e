/* Tests of sim/card/surface.c: the card-surface application, PIN-B and the face image. */
#include "card_test.h"
#include "card/card_int.h"

static void pin_b_is_birth_expiry_year_and_security_code(void **state)
{
    (void)state;
    struct card_holder h;
    memset(&h, 0, sizeof h);
    h.born = ct_day("1980-04-01");
    memcpy(h.security_code, "1234", 5);
    char pin[15];
    card_surface_pin_b(&h, ct_day("2031-04-01"), pin);
    assert_string_equal(pin, "80040120311234");
    h.born = ct_day("2008-03-03");
    card_surface_pin_b(&h, ct_day("2020-03-03"), pin);
    assert_string_equal(pin, "08030320201234");
}

static void face_image_reads_after_pin_b(void **state)
{
    (void)state;
    struct card *card = ct_card("issued_2021");
    uint8_t d[4096];
    size_t n = 0;
    CT_SW(card, CT_SURFACE, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0002), ISO7816_SW_OK);
    CT_SW(card, "00B0000000", ISO7816_SW_SECURITY_NOT_SATISFIED);
    assert_int_equal(ct_select_ef(card, 0x0012), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, NULL), 0x63CA);
    assert_int_equal(ct_verify(card, "80040120311235"), 0x63C9);
    assert_int_equal(ct_verify(card, "1234"), 0x63C8); /* the auth PIN is not PIN-B */
    assert_int_equal(ct_verify(card, "80040120311234"), ISO7816_SW_OK);
    assert_int_equal(card_state(card)->tries_left[CARD_PIN_SURFACE], 10);
    assert_int_equal(ct_select_ef(card, 0x0002), ISO7816_SW_OK);
    assert_int_equal(ct_read_all(card, d, sizeof d, &n), ISO7816_SW_OK);
    struct iso7816_tlv t;
    size_t used;
    assert_int_equal(iso7816_tlv_parse(d, n, &t, &used), 0);
    assert_int_equal(t.tag, 0x5F2E);
    assert_int_equal(t.len, 13 + 32 * 32);
    assert_memory_equal(t.value, "P5\n32 32\n255\n", 13);
    /* Deterministic: the same profile gives the same image. */
    struct card *again = ct_card("issued_2021");
    uint8_t d2[4096];
    size_t n2;
    CT_SW(again, CT_SURFACE, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(again, 0x0012), ISO7816_SW_OK);
    assert_int_equal(ct_verify(again, "80040120311234"), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(again, 0x0002), ISO7816_SW_OK);
    assert_int_equal(ct_read_all(again, d2, sizeof d2, &n2), ISO7816_SW_OK);
    assert_int_equal(n, n2);
    assert_memory_equal(d, d2, n);
    card_free(again);
    card_free(card);
}

static void face_only_card_opens_with_pin_b(void **state)
{
    (void)state;
    struct card *f = ct_card("face_only");
    char pin[15];
    card_surface_pin_b(card_holder(f), card_state(f)->expires, pin);
    CT_SW(f, CT_SURFACE, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(f, 0x0012), ISO7816_SW_OK);
    assert_int_equal(ct_verify(f, pin), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(f, 0x0002), ISO7816_SW_OK);
    CT_SW(f, "00B0000004", ISO7816_SW_OK);
    card_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pin_b_is_birth_expiry_year_and_security_code),
        cmocka_unit_test(face_image_reads_after_pin_b),
        cmocka_unit_test(face_only_card_opens_with_pin_b),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
