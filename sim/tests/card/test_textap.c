/* Tests of sim/card/textap.c: the card-info input support application (My Number, basic four information). */
#define CT_DEFAULT_CARD /* the file works on `card`: a fresh default card per test */
#include "card_test.h"
#include "card/card_int.h"

static void my_number_and_basic_four_need_the_pin(void **state)
{
    (void)state;
    CT_SW(card, CT_TEXT, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0001), ISO7816_SW_OK);
    CT_SW(card, "00B0000000", ISO7816_SW_SECURITY_NOT_SATISFIED);
    assert_int_equal(ct_select_ef(card, 0x0002), ISO7816_SW_OK);
    CT_SW(card, "00B0000000", ISO7816_SW_SECURITY_NOT_SATISFIED);
    assert_int_equal(ct_select_ef(card, 0x0011), ISO7816_SW_OK);
    CT_SW(card, "00B0000000", ISO7816_SW_SECURITY_NOT_SATISFIED);
    assert_int_equal(ct_verify(card, NULL), 0x63C3);
    assert_int_equal(ct_verify(card, "4321"), 0x63C2);
    assert_int_equal(card_state(card)->tries_left[CARD_PIN_TEXT], 2);
    /* A JPKI PIN does not open this application (and selecting it clears the state anyway). */
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
    CT_SW(card, CT_TEXT, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0001), ISO7816_SW_OK);
    CT_SW(card, "00B0000000", ISO7816_SW_SECURITY_NOT_SATISFIED);
}

static void my_number_reads_after_the_pin(void **state)
{
    (void)state;
    uint8_t d[64];
    size_t n = 0;
    CT_SW(card, CT_TEXT, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0011), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0001), ISO7816_SW_OK);
    assert_int_equal(ct_read_all(card, d, sizeof d, &n), ISO7816_SW_OK);
    assert_int_equal(n, 15);
    assert_memory_equal(d,
                        "\xDF\x10\x0C"
                        "123456789018",
                        15);
}

static void basic_four_is_ff20_with_df21_to_df25(void **state)
{
    (void)state;
    uint8_t d[2048];
    size_t n = 0;
    CT_SW(card, CT_TEXT, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0011), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0002), ISO7816_SW_OK);
    assert_int_equal(ct_read_all(card, d, sizeof d, &n), ISO7816_SW_OK);
    struct iso7816_tlv outer, t;
    size_t used;
    assert_int_equal(iso7816_tlv_parse(d, n, &outer, &used), 0);
    assert_int_equal(used, n);
    assert_int_equal(outer.tag, 0xFF20);
    assert_int_equal(iso7816_tlv_find(outer.value, outer.len, 0xDF21, &t), 0);
    assert_int_equal(t.len, 2);
    assert_int_equal(iso7816_tlv_find(outer.value, outer.len, 0xDF22, &t), 0);
    assert_int_equal(t.len, strlen("山田 太郎"));
    assert_memory_equal(t.value, "山田 太郎", t.len);
    assert_int_equal(iso7816_tlv_find(outer.value, outer.len, 0xDF23, &t), 0);
    assert_memory_equal(t.value, "東京都", strlen("東京都"));
    assert_int_equal(iso7816_tlv_find(outer.value, outer.len, 0xDF24, &t), 0);
    assert_int_equal(t.len, 8);
    assert_memory_equal(t.value, "19800401", 8);
    assert_int_equal(iso7816_tlv_find(outer.value, outer.len, 0xDF25, &t), 0);
    assert_int_equal(t.len, 1);
    assert_int_equal(t.value[0], '1');
}

static void basic_four_encoding_bounds(void **state)
{
    (void)state;
    struct card_holder h = *card_holder(card);
    uint8_t out[2048];
    size_t len;
    assert_int_equal(card_textap_encode_basic4(&h, out, 10, &len), CORE_EINVAL);
    h.sex = CARD_SEX_FEMALE;
    memset(h.name, 'N', sizeof h.name - 1);
    memset(h.address, 'A', sizeof h.address - 1);
    assert_int_equal(card_textap_encode_basic4(&h, out, sizeof out, &len), CORE_OK);
    assert_int_equal(out[len - 1], '2');
}

static void face_only_card_keeps_its_card_info_closed(void **state)
{
    (void)state;
    struct card *f = ct_card("face_only");
    CT_SW(f, CT_TEXT, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(f, 0x0011), ISO7816_SW_OK);
    assert_int_equal(ct_verify(f, NULL), ISO7816_SW_REF_DATA_NOT_FOUND);
    assert_int_equal(ct_verify(f, "1234"), ISO7816_SW_REF_DATA_NOT_FOUND);
    assert_int_equal(ct_select_ef(f, 0x0001), ISO7816_SW_OK);
    CT_SW(f, "00B0000000", ISO7816_SW_SECURITY_NOT_SATISFIED);
    card_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(my_number_and_basic_four_need_the_pin, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(my_number_reads_after_the_pin, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(basic_four_is_ff20_with_df21_to_df25, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(basic_four_encoding_bounds, ct_setup, ct_teardown),
        cmocka_unit_test(face_only_card_keeps_its_card_info_closed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
