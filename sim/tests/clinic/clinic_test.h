/* Shared helpers of the sim/clinic tests: dates, the insurer of the test worlds, and a card's certificate
 * serial (what J-LIS files for the card). All static inline. */
#ifndef MYNASIM_TESTS_CLINIC_TEST_H
#define MYNASIM_TESTS_CLINIC_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/x509.h>

#include "card/card.h"
#include "core/core.h"

#define INSURER "112334"

/* "YYYY-MM-DD" as a day; the test fails on anything else. */
static inline core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

/* The serial of card `c`'s authentication certificate, read from its DER. */
static inline uint64_t serial_of(struct card *c)
{
    const uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(card_cert_der(c, CARD_CERT_AUTH, &der, &len), CORE_OK);
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    assert_non_null(x);
    uint64_t serial = 0;
    assert_int_equal(ASN1_INTEGER_get_uint64(&serial, X509_get0_serialNumber(x)), 1);
    X509_free(x);
    return serial;
}

#endif
