/*
 * Fault injection for sim/card: every OpenSSL allocation can fail (a real card personalisation system runs
 * out of memory too). OpenSSL's allocator is replaced before anything else runs, and loading the test CA,
 * issuing certificates and signing are repeated with the Nth allocation failing, for every N until a run
 * completes without reaching N. (Key derivation is left out: a failure there re-derives a key, which costs
 * a fraction of a second per run.) Each run must end in a clean error (or success), never a crash, and
 * under ASan never a leak: this is what proves the error paths release what they took.
 */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <execinfo.h>
#include <openssl/crypto.h>

#include "card/card_int.h"
#include "card_test.h"

static long fault_at = -1; /* fail the allocation with this number; -1: none */
static long fault_count;

/* OpenSSL 3.0's X509_sign frees a pointer it never allocated when an allocation inside it fails (ASan saw it
 * here): a fault in the library, not in the card. An allocation made inside X509_sign is therefore never the
 * one that fails; the fault moves on to the next allocation, so the sweep still covers everything after. */
static bool fault_inside_x509_sign(void)
{
    void *frames[64];
    int n = backtrace(frames, 64);
    for (int i = 0; i < n; i++) {
        Dl_info info;
        if (dladdr(frames[i], &info) && info.dli_sname != NULL && strcmp(info.dli_sname, "X509_sign") == 0)
            return true;
    }
    return false;
}

static bool fault_now(void)
{
    if (fault_at < 0 || ++fault_count != fault_at)
        return false;
    if (fault_inside_x509_sign()) {
        fault_at++;
        return false;
    }
    return true;
}

static void *fault_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return fault_now() ? NULL : malloc(n);
}

static void *fault_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    return fault_now() ? NULL : realloc(p, n);
}

static void fault_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    free(p);
}

static void fault_arm(long n)
{
    fault_count = 0;
    fault_at = n;
}

/* True when the last armed run reached its failing allocation. */
static bool fault_fired(void)
{
    return fault_at >= 0 && fault_count >= fault_at;
}

/* Runs `step` with allocation 1, 2, 3 ... failing until a run no longer reaches its failing allocation. Every
 * run must return CORE_OK or an error with a message. Returns how many runs failed. */
static int fault_sweep(int (*step)(void *ctx, struct core_error *err), void *ctx)
{
    int failures = 0;
    for (long n = 1;; n++) {
        struct core_error err;
        core_error_clear(&err);
        fault_arm(n);
        int rc = step(ctx, &err);
        bool fired = fault_fired();
        fault_arm(-1);
        if (rc != CORE_OK) {
            assert_true(err.message[0] != '\0');
            failures++;
        }
        if (!fired)
            return failures;
        assert_true(n < 1000000);
    }
}

static CORE_MUST_USE int step_ca_load(void *ctx, struct core_error *err)
{
    (void)ctx;
    struct card_ca *ca = NULL;
    int rc = card_ca_load("auth", &ca, err);
    if (rc == CORE_OK) {
        uint8_t *der = NULL;
        size_t len = 0;
        rc = card_ca_cert_der(ca, &der, &len, err);
        OPENSSL_free(der);
    }
    card_ca_free(ca);
    return rc;
}

static void loading_the_test_ca_survives_every_failing_allocation(void **state)
{
    (void)state;
    assert_true(fault_sweep(step_ca_load, NULL) > 0);
}

struct issue_ctx {
    struct card_ca *ca;
    struct card_profile profile;
    EVP_PKEY *key;
    bool sign;
};

static CORE_MUST_USE int step_issue(void *ctx, struct core_error *err)
{
    struct issue_ctx *c = ctx;
    uint8_t *der = NULL;
    size_t len = 0;
    int rc = card_cert_issue(c->ca, &c->profile, c->key, c->sign, c->profile.issued, c->profile.issued + 1800,
                             &der, &len, err);
    if (rc == CORE_OK)
        assert_true(len > 0);
    OPENSSL_free(der);
    return rc;
}

static void issuing_certificates_survives_every_failing_allocation(void **state)
{
    (void)state;
    struct issue_ctx c = {0};
    struct core_error err;
    ct_profile("issued_2021", &c.profile);
    assert_int_equal(card_ca_load("sign", &c.ca, &err), CORE_OK);
    assert_int_equal(card_key_derive(c.profile.id, c.profile.seed, 1, &c.key, &err), CORE_OK);
    c.sign = false;
    assert_true(fault_sweep(step_issue, &c) > 0);
    c.sign = true;
    assert_true(fault_sweep(step_issue, &c) > 0);
    EVP_PKEY_free(c.key);
    card_ca_free(c.ca);
}

static void signing_survives_every_failing_allocation(void **state)
{
    (void)state;
    struct card *card = ct_card("issued_2021");
    uint8_t digest_info[51];
    size_t dlen = ct_hex("3031300d060960864801650304020105000420"
                         "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                         digest_info, sizeof digest_info);
    long n;
    for (n = 1; n < 100000; n++) {
        card_reset(card);
        CT_SW(card, CT_JPKI, ISO7816_SW_OK);
        assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
        assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
        assert_int_equal(ct_select_ef(card, 0x0017), ISO7816_SW_OK);
        uint8_t apdu[5 + 51 + 1] = {0x80, 0x2A, 0x00, 0x80, (uint8_t)dlen};
        memcpy(apdu + 5, digest_info, dlen);
        apdu[5 + dlen] = 0x00;
        uint8_t sig[300];
        size_t slen = 0;
        fault_arm(n);
        uint16_t sw = ct_send(card, apdu, 5 + dlen + 1, sig, &slen);
        bool fired = fault_fired();
        fault_arm(-1);
        /* Either a whole signature or an error status word: never a partial answer. */
        if (sw == ISO7816_SW_OK)
            assert_int_equal(slen, 256);
        else
            assert_int_equal(slen, 0);
        if (!fired)
            break;
    }
    assert_true(n < 100000);
    card_free(card);
}

/* OpenSSL initialises providers, error strings and method tables once per process, and a failure there is
 * remembered for good: so everything the sweeps do is done once without faults first, and the sweeps test
 * the card's own error paths, not OpenSSL's start-up. */
static CORE_MUST_USE int warm_up(void **state)
{
    (void)state;
    struct issue_ctx c = {0};
    struct core_error err;
    ct_profile("issued_2021", &c.profile);
    assert_int_equal(card_ca_load("auth", &c.ca, &err), CORE_OK);
    assert_int_equal(card_key_derive(c.profile.id, c.profile.seed, 0, &c.key, &err), CORE_OK);
    assert_int_equal(step_issue(&c, &err), CORE_OK);
    c.sign = true;
    assert_int_equal(step_issue(&c, &err), CORE_OK);
    EVP_PKEY_free(c.key);
    card_ca_free(c.ca);
    struct card *card = ct_card("issued_2021");
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0017), ISO7816_SW_OK);
    CT_SW(card,
          "802A0080333031300d060960864801650304020105000420"
          "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00",
          ISO7816_SW_OK);
    card_free(card);
    return 0;
}

int main(void)
{
    /* backtrace() allocates the first time it runs (it loads libgcc_s): not inside the allocator, please. */
    void *frames[4];
    (void)backtrace(frames, 4);
    /* Must come before OpenSSL allocates anything. */
    if (!CRYPTO_set_mem_functions(fault_malloc, fault_realloc, fault_free)) {
        fprintf(stderr, "cannot install the fault-injecting allocator\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loading_the_test_ca_survives_every_failing_allocation),
        cmocka_unit_test(issuing_certificates_survives_every_failing_allocation),
        cmocka_unit_test(signing_survives_every_failing_allocation),
    };
    return cmocka_run_group_tests(tests, warm_up, NULL);
}
