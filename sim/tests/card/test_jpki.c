/* Tests of sim/card/jpki.c: the JPKI application's files and COMPUTE DIGITAL SIGNATURE, checked with OpenSSL.
 */
#include <openssl/evp.h>
#include <openssl/x509.h>

#define CT_DEFAULT_CARD /* the file works on `card`: a fresh default card per test */
#include "card_test.h"

static const char msg[] = "mynasim: the eligibility request to sign";

/* 80 2A 00 80 Lc DigestInfo(SHA-256 of msg) 00, as OpenSC sends it. */
static size_t sign_apdu(uint8_t *out)
{
    static const uint8_t prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
    unsigned int mdlen = 0;
    uint8_t md[EVP_MAX_MD_SIZE];
    assert_int_equal(EVP_Digest(msg, strlen(msg), md, &mdlen, EVP_sha256(), NULL), 1);
    size_t n = 0;
    out[n++] = 0x80;
    out[n++] = 0x2A;
    out[n++] = 0x00;
    out[n++] = 0x80;
    out[n++] = (uint8_t)(sizeof prefix + mdlen);
    memcpy(out + n, prefix, sizeof prefix);
    n += sizeof prefix;
    memcpy(out + n, md, mdlen);
    n += mdlen;
    out[n++] = 0x00;
    return n;
}

/* An independent check: EVP_DigestVerify of msg with SHA-256 under the certificate's public key. */
static bool verifies_under(const struct card *c, enum card_cert which, const uint8_t *sig, size_t siglen)
{
    const uint8_t *der;
    size_t len;
    assert_int_equal(card_cert_der(c, which, &der, &len), CORE_OK);
    X509 *x = d2i_X509(NULL, &der, (long)len);
    assert_non_null(x);
    EVP_PKEY *pub = X509_get0_pubkey(x);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub), 1);
    int ok = EVP_DigestVerify(md, sig, siglen, (const uint8_t *)msg, strlen(msg));
    EVP_MD_CTX_free(md);
    X509_free(x);
    return ok == 1;
}

static uint16_t sign_with(struct card *c, uint16_t pin_ef, const char *pin, uint16_t key_ef, uint8_t *sig,
                          size_t *siglen)
{
    uint8_t apdu[128];
    CT_SW(c, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(c, pin_ef), ISO7816_SW_OK);
    assert_int_equal(ct_verify(c, pin), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(c, key_ef), ISO7816_SW_OK);
    return ct_send(c, apdu, sign_apdu(apdu), sig, siglen);
}

static void auth_signature_verifies_with_the_auth_certificate(void **state)
{
    (void)state;
    uint8_t sig[CARD_RAPDU_MAX];
    size_t n = 0;
    assert_int_equal(sign_with(card, 0x0018, "1234", 0x0017, sig, &n), ISO7816_SW_OK);
    assert_int_equal(n, 256); /* whole, in one response */
    assert_true(verifies_under(card, CARD_CERT_AUTH, sig, n));
    assert_false(verifies_under(card, CARD_CERT_SIGN, sig, n));
    /* The PIN stays verified for further signatures in the session; deterministic padding, same signature. */
    uint8_t apdu[128], again[CARD_RAPDU_MAX];
    size_t m;
    assert_int_equal(ct_send(card, apdu, sign_apdu(apdu), again, &m), ISO7816_SW_OK);
    assert_int_equal(m, 256);
    assert_memory_equal(sig, again, 256);
}

static void sign_signature_verifies_with_the_sign_certificate(void **state)
{
    (void)state;
    uint8_t sig[CARD_RAPDU_MAX];
    size_t n = 0;
    assert_int_equal(sign_with(card, 0x001B, "SIGN1234", 0x001A, sig, &n), ISO7816_SW_OK);
    assert_int_equal(n, 256);
    assert_true(verifies_under(card, CARD_CERT_SIGN, sig, n));
    assert_false(verifies_under(card, CARD_CERT_AUTH, sig, n));
}

static void signature_does_not_verify_under_another_cards_certificate(void **state)
{
    (void)state;
    struct card_profile p;
    ct_profile("issued_2021", &p);
    snprintf(p.id, sizeof p.id, "default-other");
    struct card *other = ct_card_from(&p);
    uint8_t sig[CARD_RAPDU_MAX], sig2[CARD_RAPDU_MAX];
    size_t n, m;
    assert_int_equal(sign_with(other, 0x0018, "1234", 0x0017, sig, &n), ISO7816_SW_OK);
    assert_true(verifies_under(other, CARD_CERT_AUTH, sig, n));
    assert_false(verifies_under(card, CARD_CERT_AUTH, sig, n));
    assert_int_equal(sign_with(card, 0x0018, "1234", 0x0017, sig2, &m), ISO7816_SW_OK);
    assert_false(verifies_under(other, CARD_CERT_AUTH, sig2, m));
    card_free(other);
}

static void signing_needs_the_pin_of_that_key(void **state)
{
    (void)state;
    uint8_t apdu[128];
    size_t len = sign_apdu(apdu);
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_send(card, apdu, len, NULL, NULL), ISO7816_SW_NO_CURRENT_EF);
    assert_int_equal(ct_select_ef(card, 0x0017), ISO7816_SW_OK);
    assert_int_equal(ct_send(card, apdu, len, NULL, NULL), ISO7816_SW_SECURITY_NOT_SATISFIED);
    /* The auth PIN does not open the signature key. */
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x001A), ISO7816_SW_OK);
    assert_int_equal(ct_send(card, apdu, len, NULL, NULL), ISO7816_SW_SECURITY_NOT_SATISFIED);
    /* Nor does a certificate EF sign. */
    assert_int_equal(ct_select_ef(card, 0x000A), ISO7816_SW_OK);
    assert_int_equal(ct_send(card, apdu, len, NULL, NULL), ISO7816_SW_NO_CURRENT_EF);
}

static void sign_command_errors(void **state)
{
    (void)state;
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0017), ISO7816_SW_OK);
    CT_SW(card, "802A009E0330313000", ISO7816_SW_INCORRECT_P1P2);
    CT_SW(card, "802A008000", ISO7816_SW_WRONG_LENGTH);         /* no data */
    CT_SW(card, "802A00800330313080", ISO7816_SW_WRONG_LENGTH); /* Le 128 < 256 */
    /* 246 bytes: more than PKCS#1 type 1 padding leaves room for. */
    uint8_t big[5 + 246 + 1] = {0x80, 0x2A, 0x00, 0x80, 246};
    assert_int_equal(ct_send(card, big, sizeof big, NULL, NULL), ISO7816_SW_WRONG_LENGTH);
    /* 245 is the most, and no Le is accepted too. */
    uint8_t most[5 + 245] = {0x80, 0x2A, 0x00, 0x80, 245};
    size_t n = 0;
    uint8_t sig[CARD_RAPDU_MAX];
    assert_int_equal(ct_send(card, most, sizeof most, sig, &n), ISO7816_SW_OK);
    assert_int_equal(n, 256);
}

static void signature_certificate_read_needs_the_password(void **state)
{
    (void)state;
    const uint8_t *der;
    size_t len, n;
    uint8_t all[4096];
    assert_int_equal(card_cert_der(card, CARD_CERT_SIGN, &der, &len), CORE_OK);
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0001), ISO7816_SW_OK);
    CT_SW(card, "00B0000004", ISO7816_SW_SECURITY_NOT_SATISFIED);
    /* The auth PIN is not enough. */
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0001), ISO7816_SW_OK);
    CT_SW(card, "00B0000004", ISO7816_SW_SECURITY_NOT_SATISFIED);
    assert_int_equal(ct_select_ef(card, 0x001B), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "SIGN1234"), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0001), ISO7816_SW_OK);
    assert_int_equal(ct_read_all(card, all, sizeof all, &n), ISO7816_SW_OK);
    assert_int_equal(n, len);
    assert_memory_equal(all, der, len);
}

static void auth_certificate_reads_without_pin(void **state)
{
    (void)state;
    const uint8_t *der;
    size_t len, n;
    uint8_t all[4096];
    assert_int_equal(card_cert_der(card, CARD_CERT_AUTH, &der, &len), CORE_OK);
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x000A), ISO7816_SW_OK);
    assert_int_equal(ct_read_all(card, all, sizeof all, &n), ISO7816_SW_OK);
    assert_int_equal(n, len);
    assert_memory_equal(all, der, len);
}

static void face_only_card_has_no_pin_and_no_signature(void **state)
{
    (void)state;
    struct card *f = ct_card("face_only");
    const uint8_t *der;
    size_t len;
    uint8_t apdu[128];
    assert_int_equal(card_state(f)->kind, CARD_KIND_FACE_ONLY);
    assert_int_equal(card_cert_der(f, CARD_CERT_SIGN, &der, &len), CORE_ENOTFOUND);
    assert_int_equal(card_cert_der(f, CARD_CERT_AUTH, &der, &len), CORE_OK);
    CT_SW(f, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(f, 0x0001), ISO7816_SW_FILE_NOT_FOUND);
    assert_int_equal(ct_select_ef(f, 0x001A), ISO7816_SW_FILE_NOT_FOUND);
    assert_int_equal(ct_select_ef(f, 0x001B), ISO7816_SW_FILE_NOT_FOUND);
    assert_int_equal(ct_select_ef(f, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(f, NULL), ISO7816_SW_REF_DATA_NOT_FOUND);
    assert_int_equal(ct_verify(f, "1234"), ISO7816_SW_REF_DATA_NOT_FOUND);
    assert_int_equal(ct_select_ef(f, 0x0017), ISO7816_SW_OK);
    assert_int_equal(ct_send(f, apdu, sign_apdu(apdu), NULL, NULL), ISO7816_SW_SECURITY_NOT_SATISFIED);
    /* The auth certificate still reads: the face route uses it. */
    assert_int_equal(ct_select_ef(f, 0x000A), ISO7816_SW_OK);
    uint8_t all[4096];
    size_t n = 0;
    assert_int_equal(ct_read_all(f, all, sizeof all, &n), ISO7816_SW_OK);
    assert_int_equal(n, len);
    card_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(auth_signature_verifies_with_the_auth_certificate, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(sign_signature_verifies_with_the_sign_certificate, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(signature_does_not_verify_under_another_cards_certificate, ct_setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(signing_needs_the_pin_of_that_key, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(sign_command_errors, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(signature_certificate_read_needs_the_password, ct_setup, ct_teardown),
        cmocka_unit_test_setup_teardown(auth_certificate_reads_without_pin, ct_setup, ct_teardown),
        cmocka_unit_test(face_only_card_has_no_pin_and_no_signature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
