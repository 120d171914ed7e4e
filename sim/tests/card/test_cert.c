/* Tests of sim/card/cert.c: the certificates a card is personalised with, checked with OpenSSL. */
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "card_test.h"
#include "card/card_int.h"

static X509 *cert_of(const struct card *c, enum card_cert which)
{
    const uint8_t *der;
    size_t len;
    assert_int_equal(card_cert_der(c, which, &der, &len), CORE_OK);
    X509 *x = d2i_X509(NULL, &der, (long)len);
    assert_non_null(x);
    return x;
}

static time_t jst(const char *day, int hh, int mm, int ss)
{
    return (time_t)ct_day(day) * 86400 - 9 * 3600 + hh * 3600 + mm * 60 + ss;
}

static void certificates_chain_to_the_test_ca_with_the_card_dates(void **state)
{
    (void)state;
    struct card *card = ct_card("issued_2021");
    static const struct {
        enum card_cert leaf, ca;
    } pairs[] = {{CARD_CERT_AUTH, CARD_CERT_AUTH_CA}, {CARD_CERT_SIGN, CARD_CERT_SIGN_CA}};
    for (size_t i = 0; i < 2; i++) {
        X509 *leaf = cert_of(card, pairs[i].leaf), *ca = cert_of(card, pairs[i].ca);
        assert_int_equal(X509_verify(leaf, X509_get0_pubkey(ca)), 1);
        assert_int_equal(X509_check_issued(ca, leaf), X509_V_OK);
        /* From the issue day 00:00 JST to the 5th birthday after it, 23:59:59 JST. */
        time_t nb = jst("2021-04-01", 0, 0, 0), na = jst("2026-04-01", 23, 59, 59);
        /* X509_cmp_time: -1 when the certificate's time is at or before the given one, 1 after it. */
        time_t nb1 = nb - 1, na1 = na - 1;
        assert_int_equal(X509_cmp_time(X509_get0_notBefore(leaf), &nb), -1);
        assert_int_equal(X509_cmp_time(X509_get0_notBefore(leaf), &nb1), 1);
        assert_int_equal(X509_cmp_time(X509_get0_notAfter(leaf), &na), -1);
        assert_int_equal(X509_cmp_time(X509_get0_notAfter(leaf), &na1), 1);
        X509_free(leaf);
        X509_free(ca);
    }
    card_free(card);
}

static void subjects_and_key_usage(void **state)
{
    (void)state;
    struct card *card = ct_card("issued_2021");
    X509 *auth = cert_of(card, CARD_CERT_AUTH), *sign = cert_of(card, CARD_CERT_SIGN);
    char buf[512];
    /* No personal data in the auth certificate; name and address in the signature certificate. */
    X509_NAME_oneline(X509_get_subject_name(auth), buf, sizeof buf);
    assert_null(strstr(buf, "123456789018"));
    assert_non_null(strstr(buf, "TEST ONLY"));
    X509_NAME *sn = X509_get_subject_name(sign);
    assert_true(X509_NAME_get_text_by_NID(sn, NID_commonName, buf, sizeof buf) > 0);
    assert_string_equal(buf, "山田 太郎");
    assert_true(X509_NAME_get_text_by_NID(sn, NID_localityName, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "千代田区"));
    assert_true(X509_get_key_usage(auth) & KU_DIGITAL_SIGNATURE);
    assert_false(X509_get_key_usage(auth) & KU_NON_REPUDIATION);
    assert_true(X509_get_key_usage(sign) & KU_NON_REPUDIATION);
    assert_true(X509_get_extended_key_usage(auth) & XKU_SSL_CLIENT);
    /* Serial numbers are positive and differ between the two. */
    assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(auth), X509_get0_serialNumber(sign)), 0);
    assert_int_equal(X509_check_ca(auth), 0);
    X509_free(auth);
    X509_free(sign);
    card_free(card);
}

static void another_holder_gets_another_certificate(void **state)
{
    (void)state;
    struct card *a = ct_card("issued_2021"), *b = ct_card("cert_expired");
    X509 *xa = cert_of(a, CARD_CERT_AUTH), *xb = cert_of(b, CARD_CERT_AUTH);
    assert_int_not_equal(X509_cmp(xa, xb), 0);
    assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(xa), X509_get0_serialNumber(xb)), 0);
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(xa), X509_get0_pubkey(xb)), 0);
    X509_free(xa);
    X509_free(xb);
    card_free(a);
    card_free(b);
}

static void missing_ca_is_a_clear_error(void **state)
{
    (void)state;
    struct card_ca *ca = NULL;
    struct core_error err;
    core_error_clear(&err);
    assert_int_not_equal(card_ca_load("nonexistent", &ca, &err), CORE_OK);
    assert_null(ca);
    assert_true(err.message[0] != '\0');
    card_ca_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(certificates_chain_to_the_test_ca_with_the_card_dates),
        cmocka_unit_test(subjects_and_key_usage),
        cmocka_unit_test(another_holder_gets_another_certificate),
        cmocka_unit_test(missing_ca_is_a_clear_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
