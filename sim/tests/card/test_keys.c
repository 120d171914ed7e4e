/* Tests of sim/card/keys.c: deterministic RSA-2048 keys per (id, seed, slot), and their disk cache. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "card_test.h"
#include "card/card_int.h"

static char cache[1024];

static int setup(void **state)
{
    (void)state;
    snprintf(cache, sizeof cache, "%s/card-keys-test-%ld", MYNASIM_BINARY_DIR, (long)getpid());
    setenv("MYNASIM_CACHE_DIR", cache, 1);
    return 0;
}

static int teardown(void **state)
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
        cmocka_unit_test_setup_teardown(no_cache_directory_still_works, setup, teardown),
        cmocka_unit_test_setup_teardown(overlong_id_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
