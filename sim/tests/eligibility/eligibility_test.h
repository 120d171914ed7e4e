/* Shared helpers of the sim/eligibility tests: dates, a request's header, an answer's result, the test J-LIS
 * CA's key and certificate (fixtures/pki) and a reader device's signature. All static inline: a test includes
 * this header and uses what it needs. */
#ifndef MYNASIM_TESTS_ELIGIBILITY_TEST_H
#define MYNASIM_TESTS_ELIGIBILITY_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "eligibility/eligibility.h"

/* "YYYY-MM-DD" as a day; the test fails on anything else. */
static inline core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

/* A cleared request of `kind` from clinic 1312345678 on `date`, file id `file_id`. */
static inline void request_header(struct eligibility_request_msg *m, enum eligibility_request_kind kind,
                                  const char *date, const char *file_id)
{
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->date = D(date);
    snprintf(m->institution, sizeof m->institution, "1312345678");
    snprintf(m->file_id, sizeof m->file_id, "%s", file_id);
}

/* The check's result a response carries. */
static inline enum eligibility_result result_of(const struct eligibility_response_msg *res)
{
    struct eligibility_answer a;
    assert_int_equal(eligibility_response_to_answer(res, &a), CORE_OK);
    return a.result;
}

#define assert_result(res, want)                                                                             \
    assert_string_equal(eligibility_result_name(result_of(res)), eligibility_result_name(want))

/* The test J-LIS CA's private key (fixtures/pki/auth-ca.key.pem). */
static inline EVP_PKEY *load_ca_key(void)
{
    FILE *fp = fopen(MYNASIM_SOURCE_DIR "/fixtures/pki/auth-ca.key.pem", "r");
    assert_non_null(fp);
    if (fp == NULL)
        return NULL;
    EVP_PKEY *k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
    fclose(fp);
    assert_non_null(k);
    return k;
}

/* The test J-LIS CA's certificate (fixtures/pki/auth-ca.crt.pem). */
static inline X509 *load_ca_cert(void)
{
    FILE *fp = fopen(MYNASIM_SOURCE_DIR "/fixtures/pki/auth-ca.crt.pem", "r");
    assert_non_null(fp);
    if (fp == NULL)
        return NULL;
    X509 *x = PEM_read_X509(fp, NULL, NULL, NULL);
    fclose(fp);
    assert_non_null(x);
    return x;
}

/* The reader device's ECDSA signature (SHA-256, `key`) over what eligibility_reader_signed_data gives for
 * `c`, into c->reader_signature. */
static inline void reader_sign(EVP_PKEY *key, struct eligibility_card_auth *c)
{
    static uint8_t data[32 + ELIGIBILITY_MSG_CERT_MAX + 1];
    size_t len = 0;
    assert_int_equal(eligibility_reader_signed_data(c, data, sizeof data, &len), CORE_OK);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t siglen = sizeof c->reader_signature;
    assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestSign(ctx, c->reader_signature, &siglen, data, len), 1);
    c->reader_signature_len = siglen;
    EVP_MD_CTX_free(ctx);
}

#endif
