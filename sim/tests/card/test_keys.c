/* Tests of sim/card/keys.c: deterministic RSA-2048 keys per (id, seed, slot), and their disk cache. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include "card_test.h"
#include "card/card_int.h"

static char cache[1024];

static CORE_MUST_USE int setup(void **state)
{
    (void)state;
    snprintf(cache, sizeof cache, "%s/card-keys-test-%ld", MYNASIM_BINARY_DIR, (long)getpid());
    setenv("MYNASIM_CACHE_DIR", cache, 1);
    return 0;
}

static CORE_MUST_USE int teardown(void **state)
{
    (void)state;
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static EVP_PKEY *derive(const char *id, uint64_t seed, int slot)
{
    EVP_PKEY *k = NULL;
    struct core_error err;
    core_error_clear(&err);
    if (card_key_derive(id, seed, slot, &k, &err) != CORE_OK)
        fail_msg("%s", err.message);
    assert_int_equal(EVP_PKEY_get_bits(k), 2048);
    return k;
}

static void cache_file(const char *id, uint64_t seed, int slot, char *out, size_t cap)
{
    snprintf(out, cap, "%s/keys/v1-%016llx-%d.pem", cache,
             (unsigned long long)core_hash64(id, strlen(id), seed), slot);
}

static void same_inputs_same_key_with_or_without_cache(void **state)
{
    (void)state;
    EVP_PKEY *a = derive("keys-test", 42, 0);
    char path[1200];
    cache_file("keys-test", 42, 0, path, sizeof path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);     /* cached */
    EVP_PKEY *b = derive("keys-test", 42, 0); /* from the cache */
    assert_int_equal(EVP_PKEY_eq(a, b), 1);
    assert_int_equal(unlink(path), 0);
    EVP_PKEY *c = derive("keys-test", 42, 0); /* derived again */
    assert_int_equal(EVP_PKEY_eq(a, c), 1);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    EVP_PKEY_free(c);
}

static void different_id_seed_or_slot_different_key(void **state)
{
    (void)state;
    EVP_PKEY *a = derive("keys-test", 42, 0);
    EVP_PKEY *b = derive("keys-test", 43, 0);
    EVP_PKEY *c = derive("keys-test", 42, 1);
    EVP_PKEY *d = derive("keys-test2", 42, 0);
    assert_int_not_equal(EVP_PKEY_eq(a, b), 1);
    assert_int_not_equal(EVP_PKEY_eq(a, c), 1);
    assert_int_not_equal(EVP_PKEY_eq(a, d), 1);
    /* e = 65537 and CRT parameters present. */
    BIGNUM *e = NULL, *dp = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_RSA_E, &e), 1);
    assert_true(BN_is_word(e, 65537));
    assert_int_equal(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_RSA_EXPONENT1, &dp), 1);
    BN_free(e);
    BN_free(dp);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    EVP_PKEY_free(c);
    EVP_PKEY_free(d);
}

static void corrupt_or_foreign_cache_is_ignored(void **state)
{
    (void)state;
    EVP_PKEY *a = derive("keys-test", 42, 0);
    char path[1200];
    cache_file("keys-test", 42, 0, path, sizeof path);
    struct core_error err;
    assert_int_equal(core_file_write_atomic(path, "garbage", 7, &err), CORE_OK);
    EVP_PKEY *b = derive("keys-test", 42, 0);
    assert_int_equal(EVP_PKEY_eq(a, b), 1);
    /* Another key's file under this name (a hash collision, or tampering): the header does not match. */
    char other[1200];
    cache_file("keys-test", 42, 1, other, sizeof other);
    EVP_PKEY *s = derive("keys-test", 42, 1);
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(core_file_read(other, 65536, &data, &len, &err), CORE_OK);
    assert_int_equal(core_file_write_atomic(path, data, len, &err), CORE_OK);
    free(data);
    EVP_PKEY *c = derive("keys-test", 42, 0);
    assert_int_equal(EVP_PKEY_eq(a, c), 1);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    EVP_PKEY_free(c);
    EVP_PKEY_free(s);
}

/* A cache file with the right header whose key's parts do not fit together (n is another key's): refused,
 * and the key derived again. */
static void cache_with_inconsistent_key_parts_is_ignored(void **state)
{
    (void)state;
    EVP_PKEY *a = derive("keys-test-parts", 7, 0);
    EVP_PKEY *other = derive("keys-test-parts", 7, 1);
    char path[1200];
    cache_file("keys-test-parts", 7, 0, path, sizeof path);
    /* the header the cache wrote, kept; the key after it replaced */
    char *data = NULL;
    size_t len = 0;
    struct core_error err;
    assert_int_equal(core_file_read(path, 65536, &data, &len, &err), CORE_OK);
    char *nl = data != NULL ? memchr(data, '\n', len) : NULL;
    assert_non_null(nl);
    if (nl == NULL)
        return;
    size_t hlen = (size_t)(nl - data) + 1;
    BIGNUM *n = NULL, *e = NULL, *d = NULL, *p = NULL, *q = NULL, *dp = NULL, *dq = NULL, *qi = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(other, OSSL_PKEY_PARAM_RSA_N, &n), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_RSA_E, &e), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_RSA_D, &d), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_RSA_FACTOR1, &p), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_RSA_FACTOR2, &q), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_RSA_EXPONENT1, &dp), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_RSA_EXPONENT2, &dq), 1);
    assert_int_equal(EVP_PKEY_get_bn_param(a, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &qi), 1);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    assert_non_null(bld);
    if (bld == NULL)
        return;
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi), 1);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *fc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    EVP_PKEY *bad = NULL;
    assert_int_equal(EVP_PKEY_fromdata_init(fc), 1);
    assert_int_equal(EVP_PKEY_fromdata(fc, &bad, EVP_PKEY_KEYPAIR, params), 1);
    BIO *bio = BIO_new(BIO_s_mem());
    assert_int_equal(BIO_write(bio, data, (int)hlen), (int)hlen);
    assert_int_equal(PEM_write_bio_PrivateKey(bio, bad, NULL, NULL, 0, NULL, NULL), 1);
    char *pem = NULL;
    long pem_len = BIO_get_mem_data(bio, &pem);
    assert_true(pem_len > 0);
    assert_int_equal(core_file_write_atomic(path, pem, (size_t)pem_len, &err), CORE_OK);
    EVP_PKEY *b = derive("keys-test-parts", 7, 0);
    assert_int_equal(EVP_PKEY_eq(a, b), 1);
    BIO_free(bio);
    EVP_PKEY_free(bad);
    EVP_PKEY_CTX_free(fc);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    BN_free(d);
    BN_free(p);
    BN_free(q);
    BN_free(dp);
    BN_free(dq);
    BN_free(qi);
    free(data);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    EVP_PKEY_free(other);
}

static void no_cache_directory_still_works(void **state)
{
    (void)state;
    char saved_home[1024];
    const char *home = getenv("HOME");
    snprintf(saved_home, sizeof saved_home, "%s", home ? home : "");
    unsetenv("MYNASIM_CACHE_DIR");
    unsetenv("XDG_CACHE_HOME");
    unsetenv("HOME");
    char dir[256];
    assert_false(card_key_cache_dir(dir, sizeof dir));
    EVP_PKEY *a = derive("keys-test-nocache", 1, 0);
    /* An unwritable cache directory: no cache, same key. */
    setenv("MYNASIM_CACHE_DIR", "/proc/mynasim-no-such-dir", 1);
    EVP_PKEY *b = derive("keys-test-nocache", 1, 0);
    assert_int_equal(EVP_PKEY_eq(a, b), 1);
    setenv("XDG_CACHE_HOME", "/xdg", 1);
    unsetenv("MYNASIM_CACHE_DIR");
    assert_true(card_key_cache_dir(dir, sizeof dir));
    assert_string_equal(dir, "/xdg/mynasim");
    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", "/home/x", 1);
    assert_true(card_key_cache_dir(dir, sizeof dir));
    assert_string_equal(dir, "/home/x/.cache/mynasim");
    if (saved_home[0])
        setenv("HOME", saved_home, 1);
    setenv("MYNASIM_CACHE_DIR", cache, 1);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
}

static void overlong_id_is_refused(void **state)
{
    (void)state;
    char id[400];
    memset(id, 'a', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    EVP_PKEY *k = NULL;
    struct core_error err;
    assert_int_equal(card_key_derive(id, 1, 0, &k, &err), CORE_EINVAL);
    assert_null(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(same_inputs_same_key_with_or_without_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(different_id_seed_or_slot_different_key, setup, teardown),
        cmocka_unit_test_setup_teardown(corrupt_or_foreign_cache_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(cache_with_inconsistent_key_parts_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(no_cache_directory_still_works, setup, teardown),
        cmocka_unit_test_setup_teardown(overlong_id_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
