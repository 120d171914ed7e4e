/* Tests of sim/pcsc/jpki.c and the in-process reader (reader.c, reader_card.c): the JPKI client against the
 * real virtual card, and the same bytes through a struct card and through a pcsc_slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pcsc/pcsc.h"

struct fixture {
    struct policy *policy;
    struct card *card;
    struct pcsc_reader *reader;
    char profile[4096];
};

static CORE_MUST_USE int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(policy_find_data("cards/issued_2021.yaml", fx->profile, sizeof fx->profile, &err), 0);
    assert_int_equal(policy_load_named("national", &fx->policy, &err), 0);
    struct card_profile profile;
    card_profile_init(&profile);
    assert_int_equal(card_profile_load(fx->profile, &profile, &err), 0);
    assert_int_equal(card_new(&profile, fx->policy, &fx->card, &err), 0);
    assert_int_equal(pcsc_reader_open_card(fx->card, &fx->reader, &err), 0);
    *state = fx;
    return 0;
}

static CORE_MUST_USE int teardown(void **state)
{
    struct fixture *fx = *state;
    pcsc_reader_close(fx->reader);
    card_free(fx->card);
    policy_free(fx->policy);
    free(fx);
    return 0;
}

static void reads_the_auth_certificate_in_chunks(void **state)
{
    struct fixture *fx = *state;
    struct core_error err;
    core_error_clear(&err);
    uint8_t buf[8192];
    size_t len = 0;
    uint16_t sw = 0;
    assert_int_equal(pcsc_jpki_select(fx->reader, &sw, &err), 0);
    assert_int_equal(sw, 0x9000);
    assert_int_equal(pcsc_jpki_read_cert(fx->reader, CARD_CERT_AUTH, buf, sizeof buf, &len, &sw, &err), 0);
    const uint8_t *der;
    size_t der_len;
    assert_int_equal(card_cert_der(fx->card, CARD_CERT_AUTH, &der, &der_len), 0);
    assert_true(der_len > 256); /* more than one chunk */
    assert_int_equal(len, der_len);
    assert_memory_equal(buf, der, len);
    assert_int_equal(pcsc_jpki_read_cert(fx->reader, CARD_CERT_AUTH_CA, buf, sizeof buf, &len, &sw, &err), 0);
    assert_int_equal(card_cert_der(fx->card, CARD_CERT_AUTH_CA, &der, &der_len), 0);
    assert_int_equal(len, der_len);
    assert_memory_equal(buf, der, len);
}

static void a_buffer_too_small_for_the_certificate_is_an_error(void **state)
{
    struct fixture *fx = *state;
    struct core_error err;
    core_error_clear(&err);
    uint8_t buf[100];
    size_t len = 1;
    assert_int_equal(pcsc_jpki_select(fx->reader, NULL, &err), 0);
    assert_int_equal(pcsc_jpki_read_cert(fx->reader, CARD_CERT_AUTH, buf, sizeof buf, &len, NULL, &err),
                     CORE_EINVAL);
    assert_int_equal(len, 0);
}

static void the_signature_certificate_needs_the_password(void **state)
{
    struct fixture *fx = *state;
    struct core_error err;
    core_error_clear(&err);
    uint8_t buf[8192];
    size_t len = 0;
    uint16_t sw = 0;
    int tries = -1;
    assert_int_equal(pcsc_jpki_select(fx->reader, NULL, &err), 0);
    assert_int_equal(pcsc_jpki_read_cert(fx->reader, CARD_CERT_SIGN, buf, sizeof buf, &len, &sw, &err),
                     CORE_ESTATE);
    assert_int_equal(sw, 0x6982);
    assert_int_equal(pcsc_jpki_verify(fx->reader, PCSC_JPKI_SIGN, "SIGN1234", &tries, &sw, &err), 0);
    assert_int_equal(pcsc_jpki_read_cert(fx->reader, CARD_CERT_SIGN, buf, sizeof buf, &len, &sw, &err), 0);
    const uint8_t *der;
    size_t der_len;
    assert_int_equal(card_cert_der(fx->card, CARD_CERT_SIGN, &der, &der_len), 0);
    assert_int_equal(len, der_len);
    assert_memory_equal(buf, der, len);
}

static void pin_counts_down_and_blocks(void **state)
{
    struct fixture *fx = *state;
    struct core_error err;
    core_error_clear(&err);
    int tries = -1;
    uint16_t sw = 0;
    assert_int_equal(pcsc_jpki_select(fx->reader, NULL, &err), 0);
    assert_int_equal(pcsc_jpki_pin_status(fx->reader, PCSC_JPKI_AUTH, &tries, &sw, &err), 0);
    assert_int_equal(tries, 3);
    assert_int_equal(pcsc_jpki_pin_status(fx->reader, PCSC_JPKI_SIGN, &tries, &sw, &err), 0);
    assert_int_equal(tries, 5);
    for (int left = 2; left >= 0; left--) {
        assert_int_equal(pcsc_jpki_verify(fx->reader, PCSC_JPKI_AUTH, "9999", &tries, &sw, &err),
                         CORE_ESTATE);
        assert_int_equal(tries, left);
    }
    assert_int_equal(pcsc_jpki_pin_status(fx->reader, PCSC_JPKI_AUTH, &tries, &sw, &err), 0);
    assert_int_equal(tries, 0);
    assert_int_equal(sw, 0x63C0);
    assert_int_equal(pcsc_jpki_verify(fx->reader, PCSC_JPKI_AUTH, "1234", &tries, &sw, &err), CORE_ESTATE);
    assert_int_equal(tries, 0);
    assert_int_equal(sw, 0x6983);
    assert_int_equal(pcsc_jpki_verify(fx->reader, PCSC_JPKI_AUTH, "", &tries, &sw, &err), CORE_EINVAL);
}

static void signs_a_digest_info_that_the_certificate_verifies(void **state)
{
    struct fixture *fx = *state;
    struct core_error err;
    core_error_clear(&err);
    const char msg[] = "a message";
    uint8_t di[PCSC_JPKI_DIGEST_INFO_LEN], sig[512];
    size_t sig_len = 0;
    int tries;
    uint16_t sw;
    assert_int_equal(pcsc_jpki_digest_info_sha256((const uint8_t *)msg, strlen(msg), di, &err), 0);
    assert_int_equal(pcsc_jpki_select(fx->reader, NULL, &err), 0);
    assert_int_equal(
        pcsc_jpki_sign(fx->reader, PCSC_JPKI_AUTH, di, sizeof di, sig, sizeof sig, &sig_len, &sw, &err),
        CORE_ESTATE);
    assert_int_equal(sw, 0x6982);
    assert_int_equal(pcsc_jpki_verify(fx->reader, PCSC_JPKI_AUTH, "1234", &tries, &sw, &err), 0);
    assert_int_equal(
        pcsc_jpki_sign(fx->reader, PCSC_JPKI_AUTH, di, sizeof di, sig, sizeof sig, &sig_len, &sw, &err), 0);
    assert_int_equal(sig_len, 256);
    const uint8_t *der;
    size_t der_len;
    assert_int_equal(card_cert_der(fx->card, CARD_CERT_AUTH, &der, &der_len), 0);
    X509 *x = d2i_X509(NULL, &der, (long)der_len);
    assert_non_null(x);
    EVP_PKEY *key = X509_get0_pubkey(x);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestVerify(md, sig, sig_len, (const uint8_t *)msg, strlen(msg)), 1);
    EVP_MD_CTX_free(md);
    X509_free(x);
    /* selecting the AP again clears the PIN: signing is refused */
    assert_int_equal(pcsc_jpki_select(fx->reader, NULL, &err), 0);
    assert_int_equal(
        pcsc_jpki_sign(fx->reader, PCSC_JPKI_AUTH, di, sizeof di, sig, sizeof sig, &sig_len, &sw, &err),
        CORE_ESTATE);
}

/* The client's whole session, as bytes, through one reader. */
static size_t session(struct pcsc_reader *reader, uint8_t *out, size_t cap)
{
    struct core_error err;
    core_error_clear(&err);
    size_t o = 0, len = 0;
    int tries = -1;
    uint8_t di[PCSC_JPKI_DIGEST_INFO_LEN];
    assert_int_equal(pcsc_jpki_digest_info_sha256((const uint8_t *)"x", 1, di, &err), 0);
    assert_int_equal(pcsc_jpki_select(reader, NULL, &err), 0);
    for (int c = 0; c < CARD_CERT_COUNT; c++) {
        if (c == CARD_CERT_SIGN)
            continue;
        assert_int_equal(pcsc_jpki_read_cert(reader, (enum card_cert)c, out + o, cap - o, &len, NULL, &err),
                         0);
        o += len;
    }
    assert_int_equal(pcsc_jpki_pin_status(reader, PCSC_JPKI_AUTH, &tries, NULL, &err), 0);
    out[o++] = (uint8_t)tries;
    assert_int_equal(pcsc_jpki_verify(reader, PCSC_JPKI_AUTH, "1234", &tries, NULL, &err), 0);
    assert_int_equal(
        pcsc_jpki_sign(reader, PCSC_JPKI_AUTH, di, sizeof di, out + o, cap - o, &len, NULL, &err), 0);
    o += len;
    return o;
}

static void a_card_and_a_slot_of_the_same_profile_give_the_same_bytes(void **state)
{
    struct fixture *fx = *state;
    struct core_error err;
    core_error_clear(&err);
    struct pcsc_slot_config cfg = {.profile_path = fx->profile};
    struct pcsc_slot *slot = NULL;
    assert_int_equal(pcsc_slot_open(&cfg, &slot, &err), 0);
    struct pcsc_reader *r2 = NULL;
    assert_int_equal(pcsc_reader_open_ops(&pcsc_slot_ops, slot, &r2, &err), 0);
    uint8_t *a = malloc(65536), *b = malloc(65536);
    assert_non_null(a);
    assert_non_null(b);
    size_t na = session(fx->reader, a, 65536);
    size_t nb = session(r2, b, 65536);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
    uint8_t atr1[40], atr2[40];
    size_t l1, l2;
    assert_int_equal(pcsc_reader_atr(fx->reader, atr1, sizeof atr1, &l1, &err), 0);
    assert_int_equal(pcsc_reader_atr(r2, atr2, sizeof atr2, &l2, &err), 0);
    assert_int_equal(l1, l2);
    assert_memory_equal(atr1, atr2, l1);
    assert_int_equal(pcsc_reader_reset(r2, &err), 0);
    free(a);
    free(b);
    pcsc_reader_close(r2);
    pcsc_slot_free(slot);
}

static void a_missing_reader_is_a_clear_error(void **state)
{
    (void)state;
    struct core_error err;
    core_error_clear(&err);
    struct pcsc_reader *r = NULL;
    /* no pcscd, or no reader of that name: either way an error naming what failed, never a crash */
    assert_int_not_equal(pcsc_reader_open_pcsc("no such reader anywhere", &r, &err), 0);
    assert_null(r);
    assert_true(err.message[0] != '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_the_auth_certificate_in_chunks, setup, teardown),
        cmocka_unit_test_setup_teardown(a_buffer_too_small_for_the_certificate_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(the_signature_certificate_needs_the_password, setup, teardown),
        cmocka_unit_test_setup_teardown(pin_counts_down_and_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(signs_a_digest_info_that_the_certificate_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(a_card_and_a_slot_of_the_same_profile_give_the_same_bytes, setup,
                                        teardown),
        cmocka_unit_test(a_missing_reader_is_a_clear_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
