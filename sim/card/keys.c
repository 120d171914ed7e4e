/*
 * keys.c: every named card's own RSA-2048 keys, derived deterministically from (profile id, seed, slot).
 *
 * Why derived and not generated: a scenario replayed twice must give byte-identical certificates and
 * signatures, and no card's signature may verify under another card's certificate. So the primes come from
 * a core_rng stream keyed by a hash of the id and seed, forked per slot: 128 random bytes with the top two
 * bits set (so n has exactly 2048 bits) and the low bit set, then the next probable prime found by an
 * incremental search, sieved by the small primes below 2000 before BN_check_prime() runs (OpenSSL's
 * Miller-Rabin with its own witness count: the answer is "prime" or "not", whatever its random witnesses).
 * p and q must also have gcd(p-1, e) = 1 for e = 65537. d is e^-1 mod lcm(p-1, q-1), as FIPS 186-4 has
 * it, and the CRT parameters are precomputed so signing stays at OpenSSL's full speed.
 *
 * Deriving a key takes a fraction of a second (longer under sanitizers), so the result is cached as PEM under
 * the cache directory: keys/v1-<hash>-<slot>.pem, whose first line names the id (hex), seed and slot it was
 * made for. A cache file that does not match, does not parse or fails the pairwise check is ignored and
 * rewritten. No cache directory writable: no cache, same keys. The version in the name changes whenever the
 * derivation does.
 */
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "card/card_int.h"

#define KEY_PRIME_BYTES 128
#define KEY_SIEVE_LIMIT 2000
#define KEY_SEARCH_SPAN 65536 /* odd numbers tried from one start before drawing another */
#define KEY_CACHE_MAX (64u * 1024u)

bool card_key_cache_dir(char *out, size_t cap)
{
    const char *dir = getenv("MYNASIM_CACHE_DIR");
    int n;
    if (dir != NULL && dir[0] != '\0') {
        n = snprintf(out, cap, "%s", dir);
    } else if ((dir = getenv("XDG_CACHE_HOME")) != NULL && dir[0] == '/') {
        n = snprintf(out, cap, "%s/mynasim", dir);
    } else if ((dir = getenv("HOME")) != NULL && dir[0] != '\0') {
        n = snprintf(out, cap, "%s/.cache/mynasim", dir);
    } else {
        return false;
    }
    return n > 0 && (size_t)n < cap;
}

/* mkdir -p; false when the directory cannot be made. */
static CORE_MUST_USE bool key_mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0700);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return false;
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST;
}

static int key_small_primes(unsigned *primes)
{
    int n = 0;
    for (unsigned c = 3; c < KEY_SIEVE_LIMIT; c += 2) {
        bool prime = true;
        for (int i = 0; i < n && primes[i] * primes[i] <= c; i++)
            if (c % primes[i] == 0) {
                prime = false;
                break;
            }
        if (prime)
            primes[n++] = c;
    }
    return n;
}

/* The next probable prime from the stream, with gcd(p - 1, 65537) = 1. */
static CORE_MUST_USE int key_prime(struct core_rng *rng, BIGNUM *p, BN_CTX *ctx)
{
    unsigned primes[KEY_SIEVE_LIMIT / 2] = {0};
    unsigned residue[KEY_SIEVE_LIMIT / 2];
    int nprimes = key_small_primes(primes);
    uint8_t buf[KEY_PRIME_BYTES];
    for (;;) {
        core_rng_bytes(rng, buf, sizeof buf);
        buf[0] |= 0xC0;
        buf[sizeof buf - 1] |= 1;
        if (BN_bin2bn(buf, sizeof buf, p) == NULL)
            return CORE_ECRYPTO;
        for (int i = 0; i < nprimes; i++) {
            BN_ULONG r = BN_mod_word(p, primes[i]);
            if (r == (BN_ULONG)-1)
                return CORE_ECRYPTO;
            residue[i] = (unsigned)r;
        }
        for (unsigned delta = 0; delta < 2u * KEY_SEARCH_SPAN; delta += 2) {
            bool sieved = false;
            for (int i = 0; i < nprimes && !sieved; i++)
                sieved = (residue[i] + delta) % primes[i] == 0;
            if (sieved)
                continue;
            BIGNUM *cand = BN_dup(p);
            if (cand == NULL || !BN_add_word(cand, delta)) {
                BN_free(cand);
                return CORE_ECRYPTO;
            }
            int is_prime = BN_mod_word(cand, 65537) != 1 ? BN_check_prime(cand, ctx, NULL) : 0;
            if (is_prime == 1) {
                int ok = BN_copy(p, cand) != NULL;
                BN_free(cand);
                return ok ? CORE_OK : CORE_ECRYPTO;
            }
            BN_free(cand);
            if (is_prime < 0)
                return CORE_ECRYPTO;
        }
    }
}

static CORE_MUST_USE int key_generate(const char *id, uint64_t seed, int slot, EVP_PKEY **out)
{
    struct core_rng base, rng;
    core_rng_seed(&base, core_hash64(id, strlen(id), seed));
    core_rng_fork(&rng, &base, 0x4B455900u + (uint64_t)slot); /* "KEY" + slot */

    int rc = CORE_ECRYPTO;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = BN_new(), *q = BN_new(), *n = BN_new(), *e = BN_new(), *d = BN_new();
    BIGNUM *p1 = BN_new(), *q1 = BN_new(), *g = BN_new(), *lcm = BN_new(), *phi = BN_new();
    BIGNUM *dmp1 = BN_new(), *dmq1 = BN_new(), *iqmp = BN_new();
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    if (ctx == NULL || p == NULL || q == NULL || n == NULL || e == NULL || d == NULL || p1 == NULL ||
        q1 == NULL || g == NULL || lcm == NULL || phi == NULL || dmp1 == NULL || dmq1 == NULL || iqmp == NULL)
        goto done;
    if (!BN_set_word(e, 65537))
        goto done;
    if ((rc = key_prime(&rng, p, ctx)) != CORE_OK)
        goto done;
    do {
        if ((rc = key_prime(&rng, q, ctx)) != CORE_OK)
            goto done;
    } while (BN_cmp(p, q) == 0);
    rc = CORE_ECRYPTO;
    if (BN_cmp(p, q) < 0) /* p > q, the usual CRT convention */
        BN_swap(p, q);
    if (!BN_mul(n, p, q, ctx) || BN_num_bits(n) != 2048)
        goto done;
    if (!BN_sub(p1, p, BN_value_one()) || !BN_sub(q1, q, BN_value_one()) || !BN_mul(phi, p1, q1, ctx) ||
        !BN_gcd(g, p1, q1, ctx) || !BN_div(lcm, NULL, phi, g, ctx))
        goto done;
    if (BN_mod_inverse(d, e, lcm, ctx) == NULL || !BN_mod(dmp1, d, p1, ctx) || !BN_mod(dmq1, d, q1, ctx) ||
        BN_mod_inverse(iqmp, q, p, ctx) == NULL)
        goto done;
    if ((bld = OSSL_PARAM_BLD_new()) == NULL || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
        goto done;
    if ((pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL || EVP_PKEY_fromdata_init(pctx) != 1 ||
        EVP_PKEY_fromdata(pctx, out, EVP_PKEY_KEYPAIR, params) != 1)
        goto done;
    rc = CORE_OK;
done:
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(p);
    BN_clear_free(q);
    BN_free(n);
    BN_free(e);
    BN_clear_free(d);
    BN_clear_free(p1);
    BN_clear_free(q1);
    BN_clear_free(g);
    BN_clear_free(lcm);
    BN_clear_free(phi);
    BN_clear_free(dmp1);
    BN_clear_free(dmq1);
    BN_clear_free(iqmp);
    BN_CTX_free(ctx);
    return rc;
}

/* "mynasim-key v1 id=<hex> seed=<n> slot=<n>\n": what a cache file must start with. */
static CORE_MUST_USE bool key_cache_header(const char *id, uint64_t seed, int slot, char *out, size_t cap)
{
    size_t idlen = strlen(id);
    int n = snprintf(out, cap, "mynasim-key v1 id=");
    if (n < 0 || (size_t)n + 2 * idlen + 64 > cap)
        return false;
    size_t pos = (size_t)n;
    for (size_t i = 0; i < idlen; i++)
        pos += (size_t)snprintf(out + pos, cap - pos, "%02x", (unsigned char)id[i]);
    n = snprintf(out + pos, cap - pos, " seed=%llu slot=%d\n", (unsigned long long)seed, slot);
    return n > 0 && (size_t)n < cap - pos;
}

static CORE_MUST_USE bool key_cache_path(const char *id, uint64_t seed, int slot, char *out, size_t cap,
                                         bool make_dir)
{
    char dir[1024];
    if (!card_key_cache_dir(dir, sizeof dir - 8))
        return false;
    strcat(dir, "/keys");
    if (make_dir && !key_mkdirs(dir))
        return false;
    int n = snprintf(out, cap, "%s/v1-%016llx-%d.pem", dir,
                     (unsigned long long)core_hash64(id, strlen(id), seed), slot);
    return n > 0 && (size_t)n < cap;
}

/* A cached key is one this program wrote; what can go wrong is a damaged or foreign file. The parts must fit
 * together: n = p q and e d = 1 modulo p - 1 and q - 1. That is a few multiplications, where OpenSSL's
 * pairwise check also tests p and q for primality (tens of milliseconds a key, most of a wire run's time). */
static bool key_consistent(const EVP_PKEY *key)
{
    BIGNUM *n = NULL, *e = NULL, *d = NULL, *p = NULL, *q = NULL, *t = NULL, *r = NULL;
    BN_CTX *ctx = BN_CTX_new();
    bool ok = ctx != NULL && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
              EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
              EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_D, &d) == 1 &&
              EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR1, &p) == 1 &&
              EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR2, &q) == 1 && (t = BN_new()) != NULL &&
              (r = BN_new()) != NULL && BN_mul(t, p, q, ctx) == 1 && BN_cmp(t, n) == 0 &&
              BN_mul(t, e, d, ctx) == 1 && BN_sub_word(p, 1) == 1 && BN_sub_word(q, 1) == 1 &&
              BN_mod(r, t, p, ctx) == 1 && BN_is_one(r) && BN_mod(r, t, q, ctx) == 1 && BN_is_one(r);
    BN_free(n);
    BN_free(e);
    BN_clear_free(d);
    BN_clear_free(p);
    BN_clear_free(q);
    BN_clear_free(t);
    BN_clear_free(r);
    BN_CTX_free(ctx);
    return ok;
}

static EVP_PKEY *key_cache_read(const char *path, const char *header)
{
    char *buf = NULL;
    size_t len = 0;
    struct core_error ignored;
    if (core_file_read(path, KEY_CACHE_MAX, &buf, &len, &ignored) != CORE_OK)
        return NULL;
    size_t hlen = strlen(header);
    EVP_PKEY *key = NULL;
    if (len > hlen && memcmp(buf, header, hlen) == 0) {
        BIO *bio = BIO_new_mem_buf(buf + hlen, (int)(len - hlen));
        if (bio != NULL)
            key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
        BIO_free(bio);
    }
    free(buf);
    if (key != NULL) {
        bool ok = EVP_PKEY_is_a(key, "RSA") && EVP_PKEY_get_bits(key) == 2048 && key_consistent(key);
        if (!ok) {
            EVP_PKEY_free(key);
            key = NULL;
        }
    }
    return key;
}

static void key_cache_write(const char *path, const char *header, EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return;
    if (BIO_write(bio, header, (int)strlen(header)) == (int)strlen(header) &&
        PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) == 1) {
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        struct core_error ignored;
        if (n > 0)
            CORE_DROP(core_file_write_atomic(path, data, (size_t)n, &ignored)); /* no cache is not an error */
    }
    BIO_free(bio);
}

int card_key_derive(const char *id, uint64_t seed, int slot, EVP_PKEY **out, struct core_error *err)
{
    char header[512], path[1200];
    *out = NULL;
    if (!key_cache_header(id, seed, slot, header, sizeof header))
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card: profile id too long for a key");
    bool cached = key_cache_path(id, seed, slot, path, sizeof path, false);
    if (cached && (*out = key_cache_read(path, header)) != NULL)
        return CORE_OK;
    if (key_generate(id, seed, slot, out) != CORE_OK)
        return core_error_set(err, CORE_ECRYPTO, NULL, 0, 0, "card: deriving the RSA key of '%s' failed", id);
    if (key_cache_path(id, seed, slot, path, sizeof path, true))
        key_cache_write(path, header, *out);
    return CORE_OK;
}
