/*
 * cert.c: the card's X.509 certificates, issued at personalisation by the TEST ONLY J-LIS CAs of
 * fixtures/pki/ (auth-ca.* for user authentication, sign-ca.* for signatures).
 *
 * Everything in a certificate is a function of the profile, so identical profiles give byte-identical
 * certificates: the serial number is a hash of (id, seed, which certificate, issue date), the validity runs
 * from the issue date 00:00:00 JST to the last valid day 23:59:59 JST (docs/RULES.md card dates: "each 'to'
 * includes that birthday"), and RSA PKCS#1 v1.5 signatures by the CA are deterministic.
 *
 * The user authentication certificate: subject C=JP, O=mynasim TEST ONLY, CN=<16 hex digits derived from
 * the holder>; keyUsage digitalSignature; extKeyUsage clientAuth. Like the real one it carries no name,
 * address or My Number.
 * The signature certificate: subject C=JP, L=<address>, CN=<name> (UTF-8); keyUsage digitalSignature,
 * nonRepudiation. The My Number never appears in a certificate.
 */
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card/card_int.h"

#define PEM_MAX_BYTES (64u * 1024u) /* a test CA certificate or key: a few KiB; anything larger is not one */

struct card_ca {
    X509 *cert;
    EVP_PKEY *key;
};

static CORE_MUST_USE int cert_read_pem(const char *relative, X509 **cert, EVP_PKEY **key,
                                       struct core_error *err)
{
    char path[1024];
    int rc = policy_find_data(relative, path, sizeof path, err);
    if (rc != CORE_OK)
        return rc;
    /* Read through core (a FIFO or device is refused at once, never waited on), then parsed from memory. */
    char *pem = NULL;
    size_t pem_len = 0;
    rc = core_file_read(path, PEM_MAX_BYTES, &pem, &pem_len, err);
    if (rc != CORE_OK)
        return rc;
    BIO *bio = BIO_new_mem_buf(pem, (int)pem_len);
    if (cert != NULL)
        *cert = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    else
        *key = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    free(pem);
    if ((cert != NULL && *cert == NULL) || (key != NULL && *key == NULL))
        return core_error_set(err, CORE_ECRYPTO, path, 0, 0, "not a PEM %s",
                              cert ? "certificate" : "private key");
    return CORE_OK;
}

int card_ca_load(const char *which, struct card_ca **out, struct core_error *err)
{
    char crt[64], key[64];
    snprintf(crt, sizeof crt, "pki/%s-ca.crt.pem", which);
    snprintf(key, sizeof key, "pki/%s-ca.key.pem", which);
    struct card_ca *ca = calloc(1, sizeof *ca);
    if (ca == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = cert_read_pem(crt, &ca->cert, NULL, err);
    if (rc == CORE_OK)
        rc = cert_read_pem(key, NULL, &ca->key, err);
    if (rc == CORE_OK && X509_check_private_key(ca->cert, ca->key) != 1)
        rc = core_error_set(err, CORE_ECRYPTO, crt, 0, 0, "the test CA's key does not match its certificate");
    if (rc != CORE_OK) {
        card_ca_free(ca);
        return rc;
    }
    *out = ca;
    return CORE_OK;
}

void card_ca_free(struct card_ca *ca)
{
    if (ca == NULL)
        return;
    X509_free(ca->cert);
    EVP_PKEY_free(ca->key);
    free(ca);
}

static CORE_MUST_USE int cert_to_der(X509 *x, uint8_t **der, size_t *len, struct core_error *err)
{
    int n = i2d_X509(x, NULL);
    if (n <= 0)
        return core_error_set(err, CORE_ECRYPTO, NULL, 0, 0, "card: cannot encode a certificate");
    uint8_t *buf = malloc((size_t)n);
    if (buf == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    uint8_t *p = buf;
    if (i2d_X509(x, &p) != n) {
        free(buf);
        return core_error_set(err, CORE_ECRYPTO, NULL, 0, 0, "card: cannot encode a certificate");
    }
    *der = buf;
    *len = (size_t)n;
    return CORE_OK;
}

int card_ca_cert_der(const struct card_ca *ca, uint8_t **der, size_t *len, struct core_error *err)
{
    return cert_to_der(ca->cert, der, len, err);
}

static CORE_MUST_USE bool cert_add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
    if (ext == NULL)
        return false;
    int ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1;
}

static CORE_MUST_USE bool cert_set_time(X509 *x, bool before, time_t t)
{
    ASN1_TIME *at = ASN1_TIME_set(NULL, t);
    if (at == NULL)
        return false;
    int ok = before ? X509_set1_notBefore(x, at) : X509_set1_notAfter(x, at);
    ASN1_TIME_free(at);
    return ok == 1;
}

static CORE_MUST_USE bool cert_name_add(X509_NAME *name, const char *field, const char *value)
{
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, (const unsigned char *)value, -1, -1, 0) ==
           1;
}

int card_cert_issue(const struct card_ca *ca, const struct card_profile *profile, EVP_PKEY *key, bool sign,
                    core_day issued, core_day expires, uint8_t **der, size_t *len, struct core_error *err)
{
    const char *what = sign ? "signature" : "user authentication";
    int rc = CORE_ECRYPTO;
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    ASN1_INTEGER *serial = NULL;
    BIGNUM *bn = NULL;
    if (x == NULL || name == NULL || X509_set_version(x, 2) != 1)
        goto done;

    /* The serial: positive, never zero, unique per (id, seed, certificate, issue date). */
    uint64_t h = core_hash64(profile->id, strlen(profile->id),
                             profile->seed ^ (sign ? 0x5349474E00000000ull : 0x4155544800000000ull) ^
                                 (uint64_t)(uint32_t)issued);
    uint8_t sbytes[8];
    for (int i = 0; i < 8; i++)
        sbytes[i] = (uint8_t)(h >> (56 - 8 * i));
    sbytes[0] = (uint8_t)((sbytes[0] & 0x7F) | 0x01);
    /* A serial J-LIS already recorded (the world's registry) is used as it is. */
    if (!sign && profile->auth_cert_serial != 0)
        for (int i = 0; i < 8; i++)
            sbytes[i] = (uint8_t)(profile->auth_cert_serial >> (56 - 8 * i));
    if ((bn = BN_bin2bn(sbytes, sizeof sbytes, NULL)) == NULL ||
        (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL || X509_set_serialNumber(x, serial) != 1)
        goto done;

    if (X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) != 1)
        goto done;
    if (!cert_name_add(name, "C", "JP"))
        goto done;
    if (sign) {
        if (!cert_name_add(name, "L", profile->holder.address) ||
            !cert_name_add(name, "CN", profile->holder.name)) {
            rc = core_error_set(
                err, CORE_EINVAL, NULL, 0, 0,
                "card: the holder's name (64 characters at most) or address (128 at most) does "
                "not fit a certificate");
            goto done;
        }
    } else {
        char cn[17];
        uint64_t holder =
            core_hash64(profile->holder.my_number, strlen(profile->holder.my_number), profile->seed);
        snprintf(cn, sizeof cn, "%016llX", (unsigned long long)holder);
        if (!cert_name_add(name, "O", "mynasim TEST ONLY") || !cert_name_add(name, "CN", cn))
            goto done;
    }
    if (X509_set_subject_name(x, name) != 1)
        goto done;

    /* Japan time is UTC+9 (no DST): day D 00:00 JST is D-1 15:00 UTC. */
    time_t from = (time_t)issued * 86400 - 9 * 3600;
    time_t to = ((time_t)expires + 1) * 86400 - 9 * 3600 - 1;
    if (!cert_set_time(x, true, from) || !cert_set_time(x, false, to))
        goto done;
    if (X509_set_pubkey(x, key) != 1)
        goto done;

    X509V3_CTX v3;
    X509V3_set_ctx(&v3, ca->cert, x, NULL, NULL, 0);
    if (!cert_add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") ||
        !cert_add_ext(x, &v3, NID_key_usage,
                      sign ? "critical,digitalSignature,nonRepudiation" : "critical,digitalSignature") ||
        !cert_add_ext(x, &v3, NID_subject_key_identifier, "hash") ||
        !cert_add_ext(x, &v3, NID_authority_key_identifier, "keyid") ||
        (!sign && !cert_add_ext(x, &v3, NID_ext_key_usage, "clientAuth")))
        goto done;
    if (X509_sign(x, ca->key, EVP_sha256()) <= 0)
        goto done;
    rc = cert_to_der(x, der, len, err);
done:
    if (rc == CORE_ECRYPTO)
        core_error_set(err, rc, NULL, 0, 0, "card: issuing the %s certificate failed", what);
    BN_free(bn);
    ASN1_INTEGER_free(serial);
    X509_NAME_free(name);
    X509_free(x);
    return rc;
}
