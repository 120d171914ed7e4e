/*
 * service.c: the online eligibility system as a service: one request message in, one response message out.
 *
 * The card route is mynasim's own (docs/MESSAGES.md, "The card route's proofs"). Before the registry is
 * asked, a card request must prove three things, each refused as cert_revoked (docs/SCENARIO-FORMAT.md,
 * Faults: a borrowed certificate and a replayed request are refused that way):
 *   - the nonce is one this service issued and nobody has used: nonces are a counter and a MAC under a key
 *     derived from the service's seed, so issuing costs no memory and a run is reproducible; a sliding bitmap
 *     of NONCE_WINDOW counters remembers which were used (older ones are refused as stale);
 *   - the certificate chains to the test J-LIS user authentication CA and its serial fits the registry's
 *     64 bits. Chain checks are cached by the SHA-256 of the DER: a certificate already seen costs one hash
 *     and one lookup, and its parsed public key comes with it;
 *   - the signature: PIN route, the card's RSA PKCS#1 v1.5 SHA-256 signature over the nonce with the key of
 *     the certificate presented (a certificate with another card's signature is borrowed); face and visual
 *     routes, a registered reader's ECDSA P-256 SHA-256 signature over nonce, certificate and match result.
 * A nonce this service issued that fell out of the window is not the card's fault: it is answered with its own
 * ErrorCode, ELIGIBILITY_NONCE_EXPIRED_CODE (docs/MESSAGES.md), so the reader can draw a fresh one.
 * Then eligibility_check_card decides with the registry's J-LIS records (revocation, suspension, expiry and
 * AMEND-3's grace) on the service's date, and the qualification as the registry showed it on the request's
 * QualificationConfirmationDate (the number route likewise; a date after the service's own is refused with
 * ELIGIBILITY_FUTURE_DATE_CODE); the certificate's own dates are J-LIS's records too, so only its
 * start is checked here (a certificate from the future was never issued).
 *
 * Not thread-safe: one service per thread, or a lock around eligibility_service_handle (http.c holds one).
 */
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eligibility/eligibility.h"

#define NONCE_LEN 32u
#define NONCE_WINDOW ELIGIBILITY_NONCE_WINDOW /* nonces outstanding at once; a bit each */
#define CERT_CACHE_SIZE 4096u                 /* a power of two; cleared when three quarters full */
#define PEM_MAX_BYTES (64u * 1024u) /* the test CA certificate: a few KiB; anything larger is not one */

struct cert_entry {
    uint8_t hash[32];
    bool used;
    bool chain_ok; /* chains to the auth CA, serial fits 64 bits */
    uint64_t serial;
    core_day not_before;
    EVP_PKEY *pkey;       /* the certificate's public key (NULL when the chain failed) */
    EVP_PKEY_CTX *verify; /* made at its first signature, kept: a visit then costs one RSA public operation */
};

struct reader {
    char id[33];
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *verify; /* as for certificates */
};

struct eligibility_service {
    const struct eligibility_registry *reg;
    const struct policy *policy;
    X509 *auth_ca;
    EVP_PKEY *auth_ca_key;
    /* SHA-256 fetched once and one digest context reused: every request hashes a nonce, a certificate and the
     * signed data, and OpenSSL 3 fetches the algorithm anew for each implicit use. */
    EVP_MD *sha256;
    EVP_MD_CTX *md;
    core_day date; /* CORE_DAY_NONE: the process clock, Japan time */
    bool down;
    /* nonces */
    uint8_t nonce_key[32];
    uint64_t nonce_next;
    uint64_t seedings;   /* eligibility_service_seed calls so far: part of the key */
    uint8_t *nonce_used; /* NONCE_WINDOW bits */
    /* certificates */
    struct cert_entry *certs;
    size_t cert_count;
    /* readers */
    struct reader *readers;
    size_t reader_count, reader_cap;
    /* the response being written */
    char out[ELIGIBILITY_MSG_MAX_BYTES];
};

static void cert_cache_clear(struct eligibility_service *svc)
{
    for (size_t i = 0; i < CERT_CACHE_SIZE; i++) {
        EVP_PKEY_CTX_free(svc->certs[i].verify);
        EVP_PKEY_free(svc->certs[i].pkey);
        memset(&svc->certs[i], 0, sizeof svc->certs[i]);
    }
    svc->cert_count = 0;
}

int eligibility_service_new(const struct eligibility_registry *reg, const struct policy *policy,
                            struct eligibility_service **out, struct core_error *err)
{
    if (reg == NULL || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "eligibility_service_new: NULL argument");
    *out = NULL;
    char path[1024];
    int rc = policy_find_data("pki/auth-ca.crt.pem", path, sizeof path, err);
    if (rc != CORE_OK)
        return rc;
    struct eligibility_service *svc = calloc(1, sizeof *svc);
    if (svc == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    svc->reg = reg;
    svc->policy = policy;
    svc->date = CORE_DAY_NONE;
    svc->nonce_used = calloc(NONCE_WINDOW / 8u, 1);
    svc->certs = calloc(CERT_CACHE_SIZE, sizeof *svc->certs);
    svc->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    svc->md = EVP_MD_CTX_new();
    if (svc->nonce_used == NULL || svc->certs == NULL || svc->sha256 == NULL || svc->md == NULL) {
        eligibility_service_free(svc);
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    }
    /* Read through core (a FIFO or device is refused at once, never waited on), then parsed from memory. */
    char *pem = NULL;
    size_t pem_len = 0;
    rc = core_file_read(path, PEM_MAX_BYTES, &pem, &pem_len, err);
    if (rc != CORE_OK) {
        eligibility_service_free(svc);
        return rc;
    }
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
    svc->auth_ca = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    free(pem);
    if (svc->auth_ca == NULL || (svc->auth_ca_key = X509_get_pubkey(svc->auth_ca)) == NULL) {
        eligibility_service_free(svc);
        return core_error_set(err, CORE_ECRYPTO, path, 0, 0, "not a PEM certificate");
    }
    eligibility_service_seed(svc, 0);
    *out = svc;
    return CORE_OK;
}

void eligibility_service_free(struct eligibility_service *svc)
{
    if (svc == NULL)
        return;
    if (svc->certs != NULL)
        cert_cache_clear(svc);
    free(svc->certs);
    free(svc->nonce_used);
    for (size_t i = 0; i < svc->reader_count; i++) {
        EVP_PKEY_CTX_free(svc->readers[i].verify);
        EVP_PKEY_free(svc->readers[i].pkey);
    }
    free(svc->readers);
    EVP_MD_CTX_free(svc->md);
    EVP_MD_free(svc->sha256);
    EVP_PKEY_free(svc->auth_ca_key);
    X509_free(svc->auth_ca);
    free(svc);
}

int eligibility_service_set_date(struct eligibility_service *svc, core_day on)
{
    if (svc == NULL)
        return CORE_EINVAL;
    core_day first = 0, last = 0;
    if (on != CORE_DAY_NONE &&
        (core_date_from_ymd(1900, 1, 1, &first) != CORE_OK ||
         core_date_from_ymd(9999, 12, 31, &last) != CORE_OK || on < first || on > last))
        return CORE_EINVAL;
    svc->date = on;
    return CORE_OK;
}

core_day eligibility_service_date(const struct eligibility_service *svc)
{
    if (svc == NULL)
        return CORE_DAY_NONE;
    return svc->date != CORE_DAY_NONE ? svc->date : core_date_today();
}

void eligibility_service_set_down(struct eligibility_service *svc, bool down)
{
    if (svc != NULL)
        svc->down = down;
}

/* ---- nonces ------------------------------------------------------------------------------------------ */

/* SHA-256 of a || b || c (c may be empty). */
static CORE_MUST_USE bool sha256_parts(const struct eligibility_service *svc, const void *a, size_t alen,
                                       const void *b, size_t blen, const void *c, size_t clen,
                                       uint8_t out[32])
{
    return EVP_DigestInit_ex2(svc->md, svc->sha256, NULL) == 1 && EVP_DigestUpdate(svc->md, a, alen) == 1 &&
           EVP_DigestUpdate(svc->md, b, blen) == 1 &&
           (clen == 0 || EVP_DigestUpdate(svc->md, c, clen) == 1) &&
           EVP_DigestFinal_ex(svc->md, out, NULL) == 1;
}

void eligibility_service_seed(struct eligibility_service *svc, uint64_t seed)
{
    if (svc == NULL)
        return;
    static const char label[] = "mynasim eligibility nonce key";
    /* The seed, then how many times the service was seeded: the same seed again is another key, so a nonce
     * issued before can never verify again. */
    svc->seedings++;
    uint8_t s[16];
    for (int i = 0; i < 8; i++) {
        s[i] = (uint8_t)(seed >> (8 * i));
        s[8 + i] = (uint8_t)(svc->seedings >> (8 * i));
    }
    if (!sha256_parts(svc, label, sizeof label - 1, s, sizeof s, NULL, 0, svc->nonce_key))
        memset(svc->nonce_key, 0, sizeof svc->nonce_key);
    /* A new key makes every nonce issued before unverifiable; the window starts afresh. */
    svc->nonce_next = 0;
    memset(svc->nonce_used, 0, NONCE_WINDOW / 8u);
}

/* The nonce of counter c: c (8 bytes, big-endian) and the first 24 bytes of SHA-256(key || c). */
static CORE_MUST_USE bool nonce_make(const struct eligibility_service *svc, uint64_t c,
                                     uint8_t nonce[NONCE_LEN])
{
    uint8_t mac[32];
    for (int i = 0; i < 8; i++)
        nonce[i] = (uint8_t)(c >> (56 - 8 * i));
    if (!sha256_parts(svc, svc->nonce_key, sizeof svc->nonce_key, nonce, 8, NULL, 0, mac))
        return false;
    memcpy(nonce + 8, mac, NONCE_LEN - 8);
    return true;
}

int eligibility_service_nonce(struct eligibility_service *svc, uint8_t nonce[32])
{
    if (svc == NULL || nonce == NULL)
        return CORE_EINVAL;
    uint64_t c = svc->nonce_next;
    if (!nonce_make(svc, c, nonce))
        return CORE_ECRYPTO;
    svc->nonce_next++;
    /* Counter c takes the bit counter c - NONCE_WINDOW had: that one is stale from now on. */
    svc->nonce_used[(c % NONCE_WINDOW) / 8u] &= (uint8_t) ~(1u << (c % 8u));
    return CORE_OK;
}

/* What a presented nonce is. */
enum nonce_verdict {
    NONCE_SPENT,   /* ours, within the window and unused: spent now */
    NONCE_REFUSED, /* never issued (the MAC does not match, a counter not reached yet), or already used */
    NONCE_EXPIRED, /* ours (the MAC matches) but more than NONCE_WINDOW were issued after it: too late */
};

static enum nonce_verdict nonce_spend(struct eligibility_service *svc, const uint8_t *nonce, size_t len)
{
    if (len != NONCE_LEN)
        return NONCE_REFUSED;
    uint64_t c = 0;
    for (int i = 0; i < 8; i++)
        c = c << 8 | nonce[i];
    if (c >= svc->nonce_next)
        return NONCE_REFUSED;
    /* The MAC before the window: only a nonce this service really issued can be called expired, so a forged
     * counter learns nothing and is refused like any other forgery. */
    uint8_t want[NONCE_LEN];
    if (!nonce_make(svc, c, want) || CRYPTO_memcmp(want, nonce, NONCE_LEN) != 0)
        return NONCE_REFUSED;
    if (svc->nonce_next - c > NONCE_WINDOW)
        return NONCE_EXPIRED; /* its bit now belongs to a newer nonce: whether it was used is not known */
    uint8_t *byte = &svc->nonce_used[(c % NONCE_WINDOW) / 8u];
    uint8_t bit = (uint8_t)(1u << (c % 8u));
    if (*byte & bit)
        return NONCE_REFUSED;
    *byte |= bit;
    return NONCE_SPENT;
}

/* ---- readers ----------------------------------------------------------------------------------------- */

static struct reader *reader_find(const struct eligibility_service *svc, const char *id)
{
    for (size_t i = 0; i < svc->reader_count; i++)
        if (strcmp(svc->readers[i].id, id) == 0)
            return &svc->readers[i];
    return NULL;
}

int eligibility_service_register_reader(struct eligibility_service *svc, const char *device_id,
                                        const uint8_t *spki_der, size_t len, struct core_error *err)
{
    if (svc == NULL || device_id == NULL || spki_der == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "register_reader: NULL argument");
    size_t idlen = strlen(device_id);
    if (idlen == 0 || idlen > 32)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "reader id must be 1-32 characters");
    for (size_t i = 0; i < idlen; i++) {
        char ch = device_id[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_' ||
              ch == '.' || ch == '-'))
            return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "reader id: only [0-9A-Za-z_.-]");
    }
    if (len > 4096)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "reader key too long");
    const unsigned char *p = spki_der;
    EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)len);
    char group[32] = "";
    size_t glen = 0;
    if (pkey == NULL || p != spki_der + len || !EVP_PKEY_is_a(pkey, "EC") ||
        EVP_PKEY_get_group_name(pkey, group, sizeof group, &glen) != 1 || strcmp(group, "prime256v1") != 0) {
        EVP_PKEY_free(pkey);
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "reader key: not an ECDSA P-256 public key");
    }
    struct reader *r = reader_find(svc, device_id);
    if (r == NULL) {
        if (svc->reader_count == svc->reader_cap) {
            size_t cap = svc->reader_cap ? svc->reader_cap * 2 : 8;
            struct reader *nr = realloc(svc->readers, cap * sizeof *nr);
            if (nr == NULL) {
                EVP_PKEY_free(pkey);
                return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
            }
            svc->readers = nr;
            svc->reader_cap = cap;
        }
        r = &svc->readers[svc->reader_count++];
        memcpy(r->id, device_id, idlen + 1);
    } else {
        EVP_PKEY_CTX_free(r->verify); /* re-registration replaces the key */
        EVP_PKEY_free(r->pkey);
    }
    r->pkey = pkey;
    r->verify = NULL;
    return CORE_OK;
}

/* ---- certificates ------------------------------------------------------------------------------------ */

static core_day asn1_day(const ASN1_TIME *t)
{
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return CORE_DAY_NONE;
    time_t s = timegm(&tm);
    return core_date_from_time(s);
}

static void cert_check(const struct eligibility_service *svc, const uint8_t *der, size_t len,
                       struct cert_entry *e)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL || p != der + len)
        goto done;
    /* Chains to the test J-LIS user authentication CA: issued by it and signed with its key. */
    if (X509_check_issued(svc->auth_ca, x) != X509_V_OK || X509_verify(x, svc->auth_ca_key) != 1)
        goto done;
    if (ASN1_INTEGER_get_uint64(&e->serial, X509_get0_serialNumber(x)) != 1)
        goto done;
    e->not_before = asn1_day(X509_get0_notBefore(x));
    if (e->not_before == CORE_DAY_NONE)
        goto done;
    e->pkey = X509_get_pubkey(x);
    e->chain_ok = e->pkey != NULL && EVP_PKEY_is_a(e->pkey, "RSA");
done:
    X509_free(x);
}

/* The cached verdict on a certificate (checked now when not yet seen); NULL only when hashing failed. */
static struct cert_entry *cert_lookup(struct eligibility_service *svc, const uint8_t *der, size_t len)
{
    uint8_t hash[32];
    if (!sha256_parts(svc, der, len, NULL, 0, NULL, 0, hash))
        return NULL;
    if (svc->cert_count >= CERT_CACHE_SIZE / 4u * 3u)
        cert_cache_clear(svc); /* bounded memory: a full cache starts again */
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h << 8 | hash[i];
    size_t i = (size_t)(h & (CERT_CACHE_SIZE - 1u));
    while (svc->certs[i].used) {
        if (memcmp(svc->certs[i].hash, hash, sizeof hash) == 0)
            return &svc->certs[i];
        i = (i + 1u) & (CERT_CACHE_SIZE - 1u);
    }
    struct cert_entry *e = &svc->certs[i];
    memset(e, 0, sizeof *e);
    memcpy(e->hash, hash, sizeof hash);
    e->used = true;
    cert_check(svc, der, len, e);
    if (!e->chain_ok) {
        EVP_PKEY_free(e->pkey);
        e->pkey = NULL;
    }
    svc->cert_count++;
    return e;
}

/* ---- signatures -------------------------------------------------------------------------------------- */

/* A SHA-256 signature over a || b || c by pkey (RSA PKCS#1 v1.5 or ECDSA), with the verifying context kept in
 * *verify for the next time. */
static CORE_MUST_USE bool verify_sha256(const struct eligibility_service *svc, EVP_PKEY *pkey,
                                        EVP_PKEY_CTX **verify, const uint8_t *sig, size_t siglen,
                                        const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                                        const uint8_t *c, size_t clen)
{
    uint8_t digest[32];
    if (!sha256_parts(svc, a, alen, b, blen, c, clen, digest))
        return false;
    if (*verify == NULL) {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        if (ctx == NULL || EVP_PKEY_verify_init(ctx) != 1 ||
            (EVP_PKEY_is_a(pkey, "RSA") && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1) ||
            EVP_PKEY_CTX_set_signature_md(ctx, svc->sha256) != 1) {
            EVP_PKEY_CTX_free(ctx);
            return false;
        }
        *verify = ctx;
    }
    return EVP_PKEY_verify(*verify, sig, siglen, digest, sizeof digest) == 1;
}

int eligibility_card_digest_info(const uint8_t *nonce, size_t len, uint8_t out[ELIGIBILITY_DIGEST_INFO_LEN])
{
    /* DigestInfo for SHA-256 (RFC 8017 section 9.2, note 1): the prefix, then the 32-byte digest. */
    static const uint8_t prefix[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                       0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
    if (nonce == NULL || out == NULL)
        return CORE_EINVAL;
    memcpy(out, prefix, sizeof prefix);
    if (EVP_Digest(nonce, len, out + sizeof prefix, NULL, EVP_sha256(), NULL) != 1)
        return CORE_ECRYPTO;
    return CORE_OK;
}

int eligibility_reader_signed_data(const struct eligibility_card_auth *card, uint8_t *out, size_t cap,
                                   size_t *len)
{
    if (card == NULL || out == NULL || len == NULL || card->nonce_len > sizeof card->nonce ||
        card->certificate_len > sizeof card->certificate)
        return CORE_EINVAL;
    size_t n = card->nonce_len + card->certificate_len + 1u;
    if (n > cap)
        return CORE_EINVAL;
    memcpy(out, card->nonce, card->nonce_len);
    memcpy(out + card->nonce_len, card->certificate, card->certificate_len);
    out[n - 1] = (uint8_t)card->face_match;
    *len = n;
    return CORE_OK;
}

/* ---- requests ---------------------------------------------------------------------------------------- */

/* The card route's proofs; false: refused (cert_revoked), or *expired set when the nonce was ours but fell out
 * of the window (answered ELIGIBILITY_NONCE_EXPIRED_CODE, nothing else looked at). *serial is the
 * certificate's on success. */
static CORE_MUST_USE bool card_proofs_hold(struct eligibility_service *svc,
                                           const struct eligibility_card_auth *c, core_day on,
                                           uint64_t *serial, bool *expired)
{
    /* The nonce first: a request that presents one spends it, whatever follows. */
    enum nonce_verdict nv = nonce_spend(svc, c->nonce, c->nonce_len);
    if (nv == NONCE_EXPIRED)
        *expired = true;
    if (nv != NONCE_SPENT)
        return false; /* replayed, expired or never issued */
    struct cert_entry *e = cert_lookup(svc, c->certificate, c->certificate_len);
    if (e == NULL || !e->chain_ok || on < e->not_before)
        return false; /* J-LIS never issued it (or not yet) */
    *serial = e->serial;
    if (c->auth_class == ELIGIBILITY_MSG_AUTH_PIN) {
        if (c->pin_blocked)
            return true; /* no signature: the registry answers pin_locked */
        return verify_sha256(svc, e->pkey, &e->verify, c->signature, c->signature_len, c->nonce, c->nonce_len,
                             NULL, 0, NULL, 0);
    }
    /* Face and visual routes: a registered reader vouches for the match; a failed match proves nothing. */
    struct reader *r = reader_find(svc, c->reader_id);
    if (r == NULL || c->face_match != 1)
        return false;
    uint8_t match = (uint8_t)c->face_match;
    return verify_sha256(svc, r->pkey, &r->verify, c->reader_signature, c->reader_signature_len, c->nonce,
                         c->nonce_len, c->certificate, c->certificate_len, &match, 1);
}

static void process_time(const struct eligibility_service *svc, char out[15])
{
    int y, m, d;
    if (svc->date != CORE_DAY_NONE) {
        core_date_to_ymd(svc->date, &y, &m, &d);
        snprintf(out, 15, "%04d%02d%02d000000", y, m, d);
        return;
    }
    /* Japan time through core, like every other clock reading (UTC+9, never TZ): "YYYY-MM-DDThh:mm:ss" read
     * back as the message's "YYYYMMDDhhmmss". */
    char jst[20];
    core_time_format_japan((int64_t)time(NULL), jst);
    static const unsigned char digit_at[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    for (size_t i = 0; i < sizeof digit_at; i++)
        out[i] = jst[digit_at[i]];
    out[14] = '\0';
}

/* The check's answer to a parsed request; *nonce_expired set (the answer then meaningless) when the card route's
 * nonce was ours but expired. */
static CORE_MUST_USE int answer(struct eligibility_service *svc, const struct eligibility_request_msg *req,
                                core_day on, struct eligibility_answer *a, bool *nonce_expired)
{
    memset(a, 0, sizeof *a);
    *nonce_expired = false;
    if (svc->down) {
        a->result = ELIGIBILITY_SERVICE_DOWN;
        return CORE_OK;
    }
    if (req->kind == ELIGIBILITY_REQUEST_NUMBERS) {
        struct eligibility_number_request nr;
        int rc = eligibility_request_to_number_request(req, &nr);
        if (rc != CORE_OK)
            return rc;
        nr.on = req->date; /* the registry as it stood on the day asked (docs/MESSAGES.md) */
        return eligibility_check_numbers(svc->reg, &nr, a);
    }
    struct eligibility_card_request cr;
    memset(&cr, 0, sizeof cr);
    cr.on = on; /* the card is in the reader today; its qualification is asked for the request's day */
    cr.has_asked = true;
    cr.asked = req->date;
    cr.card_in_hand = true;
    if (!card_proofs_hold(svc, &req->card, on, &cr.cert_serial, nonce_expired)) {
        a->result = ELIGIBILITY_CERT_REVOKED; /* SCENARIO-FORMAT.md, Faults */
        return CORE_OK;
    }
    cr.auth = req->card.auth_class == ELIGIBILITY_MSG_AUTH_PIN    ? ELIGIBILITY_AUTH_PIN
              : req->card.auth_class == ELIGIBILITY_MSG_AUTH_FACE ? ELIGIBILITY_AUTH_FACE
                                                                  : ELIGIBILITY_AUTH_VISUAL;
    cr.pin_blocked = req->card.pin_blocked != 0;
    return eligibility_check_card(svc->reg, &cr, a);
}

static CORE_MUST_USE int emit(struct eligibility_service *svc, const struct eligibility_response_msg *res,
                              enum eligibility_encoding enc, uint8_t **response, size_t *response_len)
{
    size_t len = 0;
    struct eligibility_msg_error merr;
    if (eligibility_response_encode(res, enc, svc->out, sizeof svc->out, &len, &merr) != CORE_OK)
        return CORE_EINVAL;
    uint8_t *buf = malloc(len ? len : 1);
    if (buf == NULL)
        return CORE_ENOMEM;
    memcpy(buf, svc->out, len);
    *response = buf;
    *response_len = len;
    return CORE_OK;
}

/* A refusal of a well-formed request with the service's own ErrorCode (MYNE4001, MYNE4002: docs/MESSAGES.md):
 * the header echoed, SegmentOfResult 9, in the request's encoding. */
CORE_MUST_USE static int refuse(struct eligibility_service *svc, const struct eligibility_request_msg *req,
                                const char *when, const char *code, const char *message,
                                struct eligibility_response_msg *res, uint8_t **response,
                                size_t *response_len)
{
    eligibility_response_for_error(req, NULL, when, res);
    snprintf(res->error_code, sizeof res->error_code, "%s", code);
    snprintf(res->error_message, sizeof res->error_message, "%s", message);
    return emit(svc, res, req->encoding, response, response_len);
}

int eligibility_service_handle(struct eligibility_service *svc, const uint8_t *request, size_t len,
                               uint8_t **response, size_t *response_len)
{
    if (svc == NULL || response == NULL || response_len == NULL || (request == NULL && len > 0))
        return CORE_EINVAL;
    *response = NULL;
    *response_len = 0;
    char when[15];
    process_time(svc, when);
    core_day on = eligibility_service_date(svc);

    struct eligibility_request_msg *req = calloc(1, sizeof *req);
    struct eligibility_response_msg *res = calloc(1, sizeof *res);
    int rc = CORE_ENOMEM;
    if (req == NULL || res == NULL)
        goto done;
    struct eligibility_msg_error merr;
    memset(&merr, 0, sizeof merr);
    int prc = eligibility_request_parse(request != NULL ? request : (const uint8_t *)"", len, req, &merr);
    struct eligibility_answer a;
    if (prc == CORE_OK && !svc->down && req->date > on) {
        /* Asked for a day after the service's today: what the registry will show then is not known yet. */
        rc = refuse(svc, req, when, ELIGIBILITY_FUTURE_DATE_CODE,
                    "QualificationConfirmationDate is after the service's date", res, response, response_len);
        goto done;
    }
    bool expired = false;
    int arc = prc == CORE_OK ? answer(svc, req, on, &a, &expired) : CORE_EINVAL;
    if (prc == CORE_OK && arc == CORE_OK && expired) {
        /* The nonce was ours but too many were issued after it: the reader was slow, the card did nothing
         * wrong. Its own code, so the reader draws a fresh nonce instead of blaming the card. */
        rc = refuse(svc, req, when, ELIGIBILITY_NONCE_EXPIRED_CODE,
                    "Nonce expired: draw a fresh one and ask again", res, response, response_len);
        goto done;
    }
    if (prc == CORE_OK && arc == CORE_OK)
        arc = eligibility_answer_add_person(svc->reg, &a); /* Name, NameKana, Sex1, InsurerName */
    if (prc == CORE_OK && arc == CORE_OK && eligibility_response_from_answer(req, &a, when, res) == CORE_OK) {
        rc = emit(svc, res, req->encoding, response, response_len);
        if (rc != CORE_ENOMEM && rc != CORE_OK) { /* a response the codec refuses: answer with an error */
            prc = CORE_EINVAL;
            merr.code = ELIGIBILITY_MSG_BAD_VALUE;
        }
    } else if (prc == CORE_OK) {
        prc = CORE_EINVAL; /* the registry refused the question: a value out of its range */
        merr.code = ELIGIBILITY_MSG_BAD_VALUE;
    }
    if (prc != CORE_OK) {
        if (svc->down) {
            memset(&a, 0, sizeof a);
            a.result = ELIGIBILITY_SERVICE_DOWN;
            if (eligibility_response_from_answer(req, &a, when, res) != CORE_OK)
                eligibility_response_for_error(req, &merr, when, res);
        } else {
            eligibility_response_for_error(req, &merr, when, res);
        }
        rc = emit(svc, res, (enum eligibility_encoding)res->encoding, response, response_len);
        if (rc == CORE_EINVAL) { /* a header field the encoder refuses: answer without the header */
            eligibility_response_for_error(NULL, &merr, when, res);
            rc = emit(svc, res, ELIGIBILITY_ENC_UTF8, response, response_len);
        }
    }
done:
    free(req);
    free(res);
    return rc;
}
