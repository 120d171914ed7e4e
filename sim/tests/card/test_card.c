/* Tests of sim/card/card.c: ATR, power, the instruction table, SELECT and READ BINARY, OpenSC's probes. */
#define CT_DEFAULT_CARD /* the file works on `card`: a fresh default card per test */
#include "card_test.h"

static void atr_is_the_jpki_atr(void **state)
{
    (void)state;
    static const uint8_t want[] = {0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};
    uint8_t atr[33];
    assert_int_equal(card_atr(card, atr, sizeof atr), sizeof want);
    assert_memory_equal(atr, want, sizeof want);
    assert_int_equal(card_atr(card, atr, 4), 0);
}

static void new_card_is_powered_and_power_off_stops_it(void **state)
{
    (void)state;
    uint8_t c[] = {0x00, 0xA4, 0x04, 0x0C, 0x01, 0xD3}, r[CARD_RAPDU_MAX];
    size_t rlen = 99;
    assert_true(card_powered(card));
    card_power_off(card);
    assert_false(card_powered(card));
    assert_int_equal(card_transmit(card, c, sizeof c, r, sizeof r, &rlen), CORE_ESTATE);
    assert_int_equal(rlen, 0);
    card_power_on(card);
    assert_true(card_powered(card));
    card_power_off(card);
    card_reset(card); /* a warm reset powers the card too */
    assert_true(card_powered(card));
}

static void transmit_refuses_small_buffers_and_null(void **state)
{
    (void)state;
    uint8_t c[] = {0x00, 0xB0, 0x00, 0x00, 0x00}, r[CARD_RAPDU_MAX];
    size_t rlen;
    assert_int_equal(card_transmit(card, c, sizeof c, r, CARD_RAPDU_MAX - 1, &rlen), CORE_EINVAL);
    assert_int_equal(card_transmit(NULL, c, sizeof c, r, sizeof r, &rlen), CORE_EINVAL);
    assert_int_equal(card_transmit(card, NULL, 3, r, sizeof r, &rlen), CORE_EINVAL);
    assert_int_equal(card_transmit(card, c, sizeof c, r, sizeof r, NULL), CORE_EINVAL);
}

static void malformed_apdus_answer_6700(void **state)
{
    (void)state;
    uint8_t c[8] = {0x00, 0xA4, 0x04, 0x0C, 0x05, 0xD3, 0x92};
    assert_int_equal(ct_send(card, c, 0, NULL, NULL), ISO7816_SW_WRONG_LENGTH);
    assert_int_equal(ct_send(card, c, 3, NULL, NULL), ISO7816_SW_WRONG_LENGTH);
    assert_int_equal(ct_send(card, c, 7, NULL, NULL), ISO7816_SW_WRONG_LENGTH); /* Lc 5, 2 bytes */
}

static void bad_cla_unknown_ins_and_wrong_class_are_refused(void **state)
{
    (void)state;
    CT_SW(card, "FFA4040C0AD392F000260100000001", ISO7816_SW_CLA_NOT_SUPPORTED);
    CT_SW(card, "0CB0000000", ISO7816_SW_CLA_NOT_SUPPORTED);
    CT_SW(card, "00CADF3000", ISO7816_SW_INS_NOT_SUPPORTED);                     /* GET DATA probe */
    CT_SW(card, "00CB3FFF00", ISO7816_SW_INS_NOT_SUPPORTED);                     /* GET DATA (odd) probe */
    CT_SW(card, "00C0000000", ISO7816_SW_INS_NOT_SUPPORTED);                     /* GET RESPONSE */
    CT_SW(card, "80A4040C0AD392F000260100000001", ISO7816_SW_CLA_NOT_SUPPORTED); /* SELECT under 80 */
    CT_SW(card, "002A008001AA00", ISO7816_SW_CLA_NOT_SUPPORTED);                 /* PSO under 00 */
}

/* What OpenSC's other drivers send before the JPKI driver gets its turn: none may answer 9000. */
static void opensc_probes_never_get_9000(void **state)
{
    (void)state;
    static const char *const probes[] = {
        "00A4040007A000000308000000",                 /* PIV */
        "00A404000BA000000308000010000100",           /* PIV with version */
        "00A4040C09A00000039742544659",               /* BT feitian */
        "00A40000023F00",                             /* MF */
        "00A4000C023F00",                             /* MF, no response */
        "00A40800045000503100",                       /* path */
        "00A4040C06D27600012401",                     /* OpenPGP */
        "00A4040C0FD2330000010000010000000000000000", /* eOI-ish */
        "00A4040009E80704007F00070302",               /* CAC */
        "00CA7F6800",
        "00CA010100",
        "80CA9F7F2D",
    };
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        uint16_t sw = ct_tx(card, probes[i], NULL, NULL);
        assert_true(sw != ISO7816_SW_OK);
        assert_true((sw & 0xFF00) != 0x6100);
    }
}

/* GET CHALLENGE (ISO 7816-4): Ne bytes from the card's seeded RNG, the same stream for the same profile, on
 * any application or none; wrong P1/P2 6A86, command data or no Le or Ne above 256 6700. */
static void get_challenge_answers_from_the_seeded_rng(void **state)
{
    (void)state;
    uint8_t a[300], b[300];
    size_t alen = 0, blen = 0;
    assert_int_equal(ct_tx(card, "0084000008", a, &alen), ISO7816_SW_OK);
    assert_int_equal(alen, 8);
    assert_int_equal(ct_tx(card, "0084000008", b, &blen), ISO7816_SW_OK);
    assert_int_equal(blen, 8);
    assert_memory_not_equal(a, b, 8); /* the stream moves on */
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_tx(card, "0084000000", a, &alen), ISO7816_SW_OK); /* Le 00: 256 */
    assert_int_equal(alen, 256);
    assert_int_equal(ct_tx(card, "008400000000FF", a, &alen), ISO7816_SW_OK); /* extended Le 255 */
    assert_int_equal(alen, 255);

    /* Deterministic under the profile's seed: a second card of the same profile gives the same bytes, one of
     * another seed does not. */
    struct card *same = ct_card("issued_2021");
    assert_int_equal(ct_tx(same, "0084000008", b, &blen), ISO7816_SW_OK);
    struct card *again = ct_card("issued_2021");
    assert_int_equal(ct_tx(again, "0084000008", a, &alen), ISO7816_SW_OK);
    assert_memory_equal(a, b, 8);
    struct card_profile p;
    ct_profile("issued_2021", &p);
    p.seed = 2;
    struct card *other = ct_card_from(&p);
    assert_int_equal(ct_tx(other, "0084000008", a, &alen), ISO7816_SW_OK);
    assert_memory_not_equal(a, b, 8);
    card_free(same);
    card_free(again);
    card_free(other);

    CT_SW(card, "0084010008", ISO7816_SW_INCORRECT_P1P2);
    CT_SW(card, "0084000108", ISO7816_SW_INCORRECT_P1P2);
    CT_SW(card, "0084000001AA08", ISO7816_SW_WRONG_LENGTH);   /* command data */
    CT_SW(card, "0084000001AA", ISO7816_SW_WRONG_LENGTH);     /* command data, no Le */
    CT_SW(card, "00840000", ISO7816_SW_WRONG_LENGTH);         /* no Le */
    CT_SW(card, "0084000000000101", ISO7816_SW_WRONG_LENGTH); /* extended Le 257 */
    CT_SW(card, "8084000008", ISO7816_SW_CLA_NOT_SUPPORTED);
}

static void select_by_aid_answers_9000_or_fci(void **state)
{
    (void)state;
    uint8_t d[300];
    size_t n = 7;
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_tx(card, "00A4040C0AD392F000260100000001", d, &n), ISO7816_SW_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ct_tx(card, "00A404000AD392F00026010000000100", d, &n), ISO7816_SW_OK);
    static const uint8_t fci[] = {0x6F, 0x0C, 0x84, 0x0A, 0xD3, 0x92, 0xF0,
                                  0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01};
    assert_int_equal(n, sizeof fci);
    assert_memory_equal(d, fci, sizeof fci);
    /* P2 00 without Le: 9000 and no data. */
    assert_int_equal(ct_tx(card, "00A404000AD392F000260100000001", d, &n), ISO7816_SW_OK);
    assert_int_equal(n, 0);
    CT_SW(card, CT_TEXT, ISO7816_SW_OK);
    CT_SW(card, CT_SURFACE, ISO7816_SW_OK);
}

static void select_errors(void **state)
{
    (void)state;
    CT_SW(card, "00A4040C0AD392F000260100000002", ISO7816_SW_FILE_NOT_FOUND); /* unknown AID */
    CT_SW(card, "00A4040C09D392F0002601000000", ISO7816_SW_FILE_NOT_FOUND);   /* a prefix is not a match */
    CT_SW(card, "00A4040C", ISO7816_SW_WRONG_LENGTH);                         /* no AID */
    CT_SW(card, "00A4040C11D392F000260100000001000000000000000000", ISO7816_SW_WRONG_LENGTH);
    CT_SW(card,
          "00A40402"
          "0AD392F000260100000001",
          ISO7816_SW_INCORRECT_P1P2); /* next occurrence */
    CT_SW(card, "00A4050C020001", ISO7816_SW_INCORRECT_P1P2);
    /* EF before any application: the MF has no such file. */
    card_reset(card);
    CT_SW(card, "00A4020C02000A", ISO7816_SW_FILE_NOT_FOUND);
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    CT_SW(card, "00A4020C021234", ISO7816_SW_FILE_NOT_FOUND);
    CT_SW(card, "00A4020C03000A00", ISO7816_SW_WRONG_LENGTH);
    CT_SW(card, "00A4020C01000A", ISO7816_SW_WRONG_LENGTH);
    CT_SW(card, "00A4010C020001", ISO7816_SW_FILE_NOT_FOUND);
    CT_SW(card, "00A4030C", ISO7816_SW_FILE_NOT_FOUND);
    CT_SW(card, "00A40900020001", ISO7816_SW_FILE_NOT_FOUND);
}

static void failed_select_keeps_the_current_ef(void **state)
{
    (void)state;
    uint8_t d[8];
    size_t n = 0;
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x000A), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x7777), ISO7816_SW_FILE_NOT_FOUND);
    assert_int_equal(ct_tx(card, "00B0000004", d, &n), ISO7816_SW_OK);
    assert_int_equal(d[0], 0x30);
}

static void select_ef_with_p2_00_gives_fci(void **state)
{
    (void)state;
    uint8_t d[64];
    size_t n = 0;
    const uint8_t *der;
    size_t len;
    assert_int_equal(card_cert_der(card, CARD_CERT_AUTH, &der, &len), CORE_OK);
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_tx(card, "00A4020002000A00", d, &n), ISO7816_SW_OK);
    uint8_t want[] = {0x6F,         0x0B, 0x83, 0x02, 0x00, 0x0A, 0x80, 0x02, (uint8_t)(len >> 8),
                      (uint8_t)len, 0x82, 0x01, 0x01};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(d, want, sizeof want);
    assert_int_equal(ct_tx(card, "00A4020402001800", d, &n), ISO7816_SW_OK); /* FCP of the PIN EF */
    assert_int_equal(d[n - 1], 0x08);
    assert_int_equal(ct_tx(card, "00A4020002000A", d, &n), ISO7816_SW_OK); /* no Le: no data */
    assert_int_equal(n, 0);
}

static void read_binary_offsets_and_end_of_file(void **state)
{
    (void)state;
    const uint8_t *der;
    size_t len;
    uint8_t d[CARD_RAPDU_MAX], all[4096];
    size_t n = 0;
    assert_int_equal(card_cert_der(card, CARD_CERT_AUTH, &der, &len), CORE_OK);
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x000A), ISO7816_SW_OK);
    /* The header OpenSC reads first: 30 82 HH LL. */
    assert_int_equal(ct_tx(card, "00B0000004", d, &n), ISO7816_SW_OK);
    assert_int_equal(n, 4);
    assert_int_equal(d[0], 0x30);
    assert_int_equal(d[1], 0x82);
    assert_int_equal((size_t)(d[2] << 8 | d[3]) + 4, len);
    /* An offset in P1P2. */
    assert_int_equal(ct_tx(card, "00B0010010", d, &n), ISO7816_SW_OK);
    assert_int_equal(n, 16);
    assert_memory_equal(d, der + 256, 16);
    /* Fewer bytes than Le remain: what remains, 6282. */
    char hex[16];
    size_t off = len - 10;
    snprintf(hex, sizeof hex, "00B0%02X%02X20", (unsigned)(off >> 8), (unsigned)(off & 0xFF));
    assert_int_equal(ct_tx(card, hex, d, &n), ISO7816_SW_END_OF_FILE);
    assert_int_equal(n, 10);
    assert_memory_equal(d, der + off, 10);
    /* Exactly the rest: 9000. */
    snprintf(hex, sizeof hex, "00B0%02X%02X0A", (unsigned)(off >> 8), (unsigned)(off & 0xFF));
    assert_int_equal(ct_tx(card, hex, d, &n), ISO7816_SW_OK);
    assert_int_equal(n, 10);
    /* At and past the end: 6B00, no data. */
    snprintf(hex, sizeof hex, "00B0%02X%02X01", (unsigned)(len >> 8), (unsigned)(len & 0xFF));
    assert_int_equal(ct_tx(card, hex, d, &n), ISO7816_SW_WRONG_P1P2);
    assert_int_equal(n, 0);
    CT_SW(card, "00B07FFF01", ISO7816_SW_WRONG_P1P2);
    /* The whole file in 256-byte chunks. */
    assert_int_equal(ct_read_all(card, all, sizeof all, &n), ISO7816_SW_OK);
    assert_int_equal(n, len);
    assert_memory_equal(all, der, len);
    /* An extended Le reads it in one go. */
    assert_int_equal(ct_tx(card, "00B00000000000", d, &n), ISO7816_SW_END_OF_FILE);
    assert_int_equal(n, len);
}

static void read_binary_errors(void **state)
{
    (void)state;
    card_reset(card);
    CT_SW(card, "00B0000004", ISO7816_SW_NO_CURRENT_EF);
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    CT_SW(card, "00B0000004", ISO7816_SW_NO_CURRENT_EF);
    assert_int_equal(ct_select_ef(card, 0x000A), ISO7816_SW_OK);
    CT_SW(card, "00B08A0004", ISO7816_SW_INCORRECT_P1P2); /* short EF id */
    CT_SW(card, "00B00000", ISO7816_SW_WRONG_LENGTH);     /* no Le */
    CT_SW(card, "00B0000001AA", ISO7816_SW_WRONG_LENGTH); /* data */
    /* Keys and PINs are never read. */
    static const uint16_t secret[] = {0x0017, 0x001A, 0x0018, 0x001B};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(ct_select_ef(card, secret[i]), ISO7816_SW_OK);
        CT_SW(card, "00B0000000", ISO7816_SW_SECURITY_NOT_SATISFIED);
    }
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0017), ISO7816_SW_OK);
    CT_SW(card, "00B0000000", ISO7816_SW_SECURITY_NOT_SATISFIED);
}

static void token_and_ca_files_read_freely(void **state)
{
    (void)state;
    uint8_t d[4096];
    size_t n = 0;
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0006), ISO7816_SW_OK);
    assert_int_equal(ct_read_all(card, d, sizeof d, &n), ISO7816_SW_OK);
    assert_int_equal(n, 15);
    assert_memory_equal(d, "JPKIAPICCTOKEN2", 15);
    static const struct {
        uint16_t fid;
        enum card_cert which;
    } ca[] = {{0x000B, CARD_CERT_AUTH_CA}, {0x0002, CARD_CERT_SIGN_CA}};
    for (size_t i = 0; i < 2; i++) {
        const uint8_t *der;
        size_t len;
        assert_int_equal(card_cert_der(card, ca[i].which, &der, &len), CORE_OK);
        assert_int_equal(ct_select_ef(card, ca[i].fid), ISO7816_SW_OK);
        assert_int_equal(ct_read_all(card, d, sizeof d, &n), ISO7816_SW_OK);
        assert_int_equal(n, len);
        assert_memory_equal(d, der, len);
    }
}

static void security_state_cleared_by_select_reset_and_power(void **state)
{
    (void)state;
    uint8_t d[8];
    size_t n = 0;
    void (*clear[])(struct card *) = {NULL, card_reset, card_power_off};
    for (size_t i = 0; i < 3; i++) {
        CT_SW(card, CT_JPKI, ISO7816_SW_OK);
        assert_int_equal(ct_select_ef(card, 0x001B), ISO7816_SW_OK);
        assert_int_equal(ct_verify(card, "SIGN1234"), ISO7816_SW_OK);
        assert_int_equal(ct_select_ef(card, 0x0001), ISO7816_SW_OK);
        assert_int_equal(ct_tx(card, "00B0000004", d, &n), ISO7816_SW_OK);
        if (clear[i] == NULL) {
            CT_SW(card, CT_JPKI, ISO7816_SW_OK); /* re-selecting the same application clears too */
        } else {
            clear[i](card);
            card_power_on(card);
            /* Selection is gone as well. */
            CT_SW(card, "00B0000004", ISO7816_SW_NO_CURRENT_EF);
            CT_SW(card, CT_JPKI, ISO7816_SW_OK);
        }
        assert_int_equal(ct_select_ef(card, 0x0001), ISO7816_SW_OK);
        CT_SW(card, "00B0000004", ISO7816_SW_SECURITY_NOT_SATISFIED);
    }
    /* Selecting another application clears it as well. */
    assert_int_equal(ct_select_ef(card, 0x001B), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "SIGN1234"), ISO7816_SW_OK);
    CT_SW(card, CT_TEXT, ISO7816_SW_OK);
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0001), ISO7816_SW_OK);
    CT_SW(card, "00B0000004", ISO7816_SW_SECURITY_NOT_SATISFIED);
}

static void accessors_refuse_nonsense(void **state)
{
    (void)state;
    const uint8_t *der;
    size_t len;
    assert_int_equal(card_cert_der(card, CARD_CERT_COUNT, &der, &len), CORE_EINVAL);
    assert_int_equal(card_cert_der(NULL, CARD_CERT_AUTH, &der, &len), CORE_EINVAL);
    assert_null(card_state(NULL));
    assert_null(card_holder(NULL));
    assert_false(card_powered(NULL));
    card_power_on(NULL);
    card_power_off(NULL);
    card_reset(NULL);
    card_free(NULL);
    assert_string_equal(card_holder(card)->my_number, "123456789018");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(atr_is_the_jpki_atr, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(new_card_is_powered_and_power_off_stops_it, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(transmit_refuses_small_buffers_and_null, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(malformed_apdus_answer_6700, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(bad_cla_unknown_ins_and_wrong_class_are_refused, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(opensc_probes_never_get_9000, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(get_challenge_answers_from_the_seeded_rng, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(select_by_aid_answers_9000_or_fci, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(select_errors, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(failed_select_keeps_the_current_ef, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(select_ef_with_p2_00_gives_fci, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(read_binary_offsets_and_end_of_file, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(read_binary_errors, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(token_and_ca_files_read_freely, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(security_state_cleared_by_select_reset_and_power, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(accessors_refuse_nonsense, ct_setup, ct_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
