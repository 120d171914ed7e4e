/*
 * reception.c: the wire path of one visit (clinic.h, section "reception"). The desk reads the card only with
 * APDUs through a pcsc reader, asks the eligibility service only with request messages, reads its answers
 * with the hardened parser, and decides with the same clinic_decide as the rules path. So the wire path and
 * the rules path must agree, and a bug anywhere on the wire shows as a different visit outcome.
 *
 * The card route's answer where no request can go (no reader, the reader or online check down, a reader
 * fault) is reader_down, made here as the check makes it; every other answer comes from a response message.
 * A response that does not parse, or that answers another request, reads as service_down: the check did not
 * work (MESSAGES.md). One exception: an answer that the card route's nonce expired (MYNE4002) is the reader's
 * delay, so it draws a fresh nonce and asks once more; a second expiry reads as service_down (MESSAGES.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "clinic/clinic.h"
#include "iso7816/iso7816.h"
#include "pcsc/pcsc.h"

/* ---- the reader device ------------------------------------------------------------------------------- */

struct clinic_device {
    char id[33];
    EVP_PKEY *key;
    uint8_t *spki;
    size_t spki_len;
};

static int crypto_fail(struct core_error *err, const char *what)
{
    return core_error_set(err, CORE_ECRYPTO, NULL, 0, 0, "reception: %s failed", what);
}

/* A P-256 key from a 32-byte seed: the scalar is seed mod (n - 1) + 1, never zero. */
static CORE_MUST_USE int device_key(const uint8_t seed[32], EVP_PKEY **out, struct core_error *err)
{
    int rc = CORE_ECRYPTO;
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    BN_CTX *bctx = BN_CTX_new();
    BIGNUM *d = BN_bin2bn(seed, 32, NULL), *nm1 = BN_new();
    EC_POINT *pub = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    uint8_t pub_oct[65];
    *out = NULL;
    if (group == NULL || bctx == NULL || d == NULL || nm1 == NULL ||
        BN_copy(nm1, EC_GROUP_get0_order(group)) == NULL || !BN_sub_word(nm1, 1) ||
        !BN_nnmod(d, d, nm1, bctx) || !BN_add_word(d, 1) || (pub = EC_POINT_new(group)) == NULL ||
        !EC_POINT_mul(group, pub, d, NULL, NULL, bctx) ||
        EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, pub_oct, sizeof pub_oct, bctx) !=
            sizeof pub_oct ||
        (bld = OSSL_PARAM_BLD_new()) == NULL ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub_oct, sizeof pub_oct) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL || EVP_PKEY_fromdata_init(pctx) <= 0 ||
        EVP_PKEY_fromdata(pctx, out, EVP_PKEY_KEYPAIR, params) <= 0)
        rc = crypto_fail(err, "making the reader's key");
    else
        rc = CORE_OK;
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EC_POINT_free(pub);
    BN_clear_free(d);
    BN_free(nm1);
    BN_CTX_free(bctx);
    EC_GROUP_free(group);
    return rc;
}

int clinic_device_new(const char *clinic_id, struct clinic_device **out, struct core_error *err)
{
    if (clinic_id == NULL || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "reception: no clinic for the reader");
    *out = NULL;
    struct clinic_device *dev = calloc(1, sizeof *dev);
    if (dev == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "reception: out of memory");
    char label[160];
    int n = snprintf(label, sizeof label, "mynasim reader device %s", clinic_id);
    uint8_t seed[32];
    unsigned int sl = 0;
    if (n < 0 || (size_t)n >= sizeof label ||
        EVP_Digest(label, (size_t)n, seed, &sl, EVP_sha256(), NULL) != 1) {
        free(dev);
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "reception: clinic name too long");
    }
    snprintf(dev->id, sizeof dev->id, "RDR-%016llx",
             (unsigned long long)core_hash64(clinic_id, strlen(clinic_id), 0x5EAD));
    int rc = device_key(seed, &dev->key, err);
    if (rc == CORE_OK) {
        int len = i2d_PUBKEY(dev->key, &dev->spki);
        if (len <= 0)
            rc = crypto_fail(err, "encoding the reader's public key");
        else
            dev->spki_len = (size_t)len;
    }
    if (rc != CORE_OK) {
        clinic_device_free(dev);
        return rc;
    }
    *out = dev;
    return CORE_OK;
}

void clinic_device_free(struct clinic_device *dev)
{
    if (dev == NULL)
        return;
    EVP_PKEY_free(dev->key);
    OPENSSL_free(dev->spki);
    free(dev);
}

const char *clinic_device_id(const struct clinic_device *dev)
{
    return dev->id;
}

int clinic_device_public_key(const struct clinic_device *dev, const uint8_t **spki, size_t *len)
{
    if (dev == NULL || spki == NULL || len == NULL)
        return CORE_EINVAL;
    *spki = dev->spki;
    *len = dev->spki_len;
    return CORE_OK;
}

int clinic_device_register(const struct clinic_device *dev, struct eligibility_service *svc,
                           struct core_error *err)
{
    if (dev == NULL || svc == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "reception: no reader or service");
    return eligibility_service_register_reader(svc, dev->id, dev->spki, dev->spki_len, err);
}

/* The reader's ECDSA P-256 signature with SHA-256 over what the service expects
 * (eligibility_reader_signed_data: nonce || certificate || match result). */
static CORE_MUST_USE int device_sign(const struct clinic_device *dev, struct eligibility_card_auth *card,
                                     struct core_error *err)
{
    size_t cap = sizeof card->nonce + sizeof card->certificate + 1u, len = 0;
    uint8_t *data = malloc(cap);
    if (data == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "reception: out of memory");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t sig_len = sizeof card->reader_signature;
    int ok = ctx != NULL && eligibility_reader_signed_data(card, data, cap, &len) == CORE_OK &&
             EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, dev->key) == 1 &&
             EVP_DigestSign(ctx, card->reader_signature, &sig_len, data, len) == 1;
    EVP_MD_CTX_free(ctx);
    free(data);
    if (!ok)
        return crypto_fail(err, "the reader's signature");
    card->reader_signature_len = sig_len;
    return CORE_OK;
}

/* ---- the card ---------------------------------------------------------------------------------------- */

static const uint8_t surface_aid[] = {0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02};

/* One short APDU; *sw gets the status word, data is copied to out (cap bytes). */
static CORE_MUST_USE int apdu(struct pcsc_reader *reader, uint8_t ins, uint8_t p1, uint8_t p2,
                              const uint8_t *data, size_t nc, size_t ne, uint8_t *out, size_t cap,
                              size_t *out_len, uint16_t *sw, struct core_error *err)
{
    struct iso7816_apdu a = {
        .cla = 0x00, .ins = ins, .p1 = p1, .p2 = p2, .data = data, .nc = nc, .ne = ne, .has_le = ne > 0};
    uint8_t capdu[4 + 1 + 255 + 1];
    size_t clen = 0, rlen = 0;
    if (iso7816_apdu_encode(&a, capdu, sizeof capdu, &clen) != 0)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "reception: cannot encode an APDU");
    uint8_t rapdu[CARD_RAPDU_MAX];
    int rc = pcsc_reader_transmit(reader, capdu, clen, rapdu, sizeof rapdu, &rlen, err);
    if (rc != CORE_OK)
        return rc;
    const uint8_t *d = NULL;
    size_t dl = 0;
    if (iso7816_rapdu_split(rapdu, rlen, &d, &dl, sw) != 0)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "reception: a response without a status word");
    if (out_len != NULL) {
        if (dl > cap)
            return core_error_set(err, CORE_EIO, NULL, 0, 0, "reception: a response longer than asked");
        memcpy(out, d, dl);
        *out_len = dl;
    }
    return CORE_OK;
}

/* The face image from the card-surface AP with PIN-B. CORE_ESTATE when the card refuses. */
#define FACE_MAX 2048u
static CORE_MUST_USE int read_face(struct pcsc_reader *reader, const struct clinic_card_surface *s,
                                   uint8_t *face, size_t *face_len, struct core_error *err)
{
    int by, bm, bd, ey, em, ed;
    core_date_to_ymd(s->born, &by, &bm, &bd);
    core_date_to_ymd(s->card_expires, &ey, &em, &ed);
    char pinb[32];
    snprintf(pinb, sizeof pinb, "%02d%02d%02d%04d%.4s", by % 100, bm % 100, bd % 100, ey % 10000,
             s->security_code);
    static const uint8_t pin_ef[2] = {0x00, 0x12}, face_ef[2] = {0x00, 0x02};
    uint16_t sw = 0;
    int rc = apdu(reader, 0xA4, 0x04, 0x0C, surface_aid, sizeof surface_aid, 0, NULL, 0, NULL, &sw, err);
    if (rc == CORE_OK && sw == ISO7816_SW_OK)
        rc = apdu(reader, 0xA4, 0x02, 0x0C, pin_ef, 2, 0, NULL, 0, NULL, &sw, err);
    if (rc == CORE_OK && sw == ISO7816_SW_OK)
        rc = apdu(reader, 0x20, 0x00, 0x80, (const uint8_t *)pinb, strlen(pinb), 0, NULL, 0, NULL, &sw, err);
    if (rc == CORE_OK && sw == ISO7816_SW_OK)
        rc = apdu(reader, 0xA4, 0x02, 0x0C, face_ef, 2, 0, NULL, 0, NULL, &sw, err);
    if (rc != CORE_OK)
        return rc;
    if (sw != ISO7816_SW_OK)
        return core_error_set(err, CORE_ESTATE, NULL, 0, 0, "reception: the card-surface AP answered %04X",
                              sw);
    size_t have = 0;
    while (have < FACE_MAX) {
        size_t want = FACE_MAX - have > 256 ? 256 : FACE_MAX - have, got = 0;
        rc = apdu(reader, 0xB0, (uint8_t)(have >> 8), (uint8_t)have, NULL, 0, want, face + have,
                  FACE_MAX - have, &got, &sw, err);
        if (rc != CORE_OK)
            return rc;
        if (sw != ISO7816_SW_OK && sw != ISO7816_SW_END_OF_FILE)
            break;
        have += got;
        if (got < want || sw == ISO7816_SW_END_OF_FILE)
            break;
    }
    struct iso7816_tlv t;
    size_t used = 0;
    if (have == 0 || iso7816_tlv_parse(face, have, &t, &used) != 0 || t.tag != 0x5F2E || t.len < 13 ||
        memcmp(t.value, "P5\n", 3) != 0)
        return core_error_set(err, CORE_ESTATE, NULL, 0, 0, "reception: no face image on the card");
    memmove(face, t.value, t.len);
    *face_len = t.len;
    return CORE_OK;
}

/* The simulated match: the camera's face against the card's photo. The image must be a whole 32x32 PGM; the
 * person in front of the camera is the holder unless the scenario makes the match fail. */
static bool face_matches(const uint8_t *face, size_t len, bool mismatch)
{
    static const char header[] = "P5\n32 32\n255\n";
    if (len != sizeof header - 1 + 32 * 32 || memcmp(face, header, sizeof header - 1) != 0)
        return false;
    return !mismatch;
}

/* ---- messages ---------------------------------------------------------------------------------------- */

struct flow {
    const struct clinic_reception *in;
    struct clinic_reception_result *out;
    struct core_error *err;
    char buf[ELIGIBILITY_MSG_MAX_BYTES];
    size_t len;
};

static void answer_only(struct eligibility_answer *a, enum eligibility_result r)
{
    memset(a, 0, sizeof *a);
    a->result = r;
}

static void header(const struct flow *f, struct eligibility_request_msg *m, const char *kind)
{
    m->date = f->in->on;
    snprintf(m->institution, sizeof m->institution, "%s",
             f->in->institution != NULL && strlen(f->in->institution) == 10 ? f->in->institution
                                                                            : "1310000001");
    int y, mo, d;
    core_date_to_ymd(f->in->on, &y, &mo, &d);
    snprintf(m->file_id, sizeof m->file_id, "RCP%04d%02d%02d-%s-%d", y, mo, d, kind, f->out->requests + 1);
}

/* Sends the encoded request in f->buf and reads the answer. Everything wrong with the answer is service_down:
 * unreadable, or answering another request (file identifier, date or kind not echoed). */
static CORE_MUST_USE int exchange(struct flow *f, int reference, const char *file_id,
                                  struct eligibility_response_msg *res, struct eligibility_answer *a)
{
    uint8_t *rbuf = NULL;
    size_t rlen = 0;
    f->out->requests++;
    answer_only(a, ELIGIBILITY_SERVICE_DOWN);
    memset(res, 0, sizeof *res);
    int rc = f->in->transport != NULL
                 ? f->in->transport(f->in->transport_ctx, (const uint8_t *)f->buf, f->len, &rbuf, &rlen)
                 : eligibility_service_handle(f->in->service, (const uint8_t *)f->buf, f->len, &rbuf, &rlen);
    if (rc != CORE_OK || rbuf == NULL) {
        free(rbuf);
        return CORE_OK;
    }
    struct eligibility_msg_error merr;
    memset(&merr, 0, sizeof merr);
    rc = eligibility_response_parse(rbuf, rlen, res, &merr);
    free(rbuf);
    if (rc != CORE_OK || (res->file_id[0] != '\0' && strcmp(res->file_id, file_id) != 0) ||
        (res->date != CORE_DAY_NONE && res->date != f->in->on) ||
        (res->reference != 0 && res->reference != reference)) {
        memset(res, 0, sizeof *res);
        return CORE_OK;
    }
    if (eligibility_response_to_answer(res, a) != CORE_OK)
        answer_only(a, ELIGIBILITY_SERVICE_DOWN);
    return CORE_OK;
}

static CORE_MUST_USE int encode(struct flow *f, const struct eligibility_request_msg *m)
{
    struct eligibility_msg_error merr;
    memset(&merr, 0, sizeof merr);
    if (eligibility_request_encode(m, ELIGIBILITY_ENC_UTF8, f->buf, sizeof f->buf, &f->len, &merr) != CORE_OK)
        return core_error_set(f->err, CORE_EINVAL, NULL, 0, 0, "reception: cannot write the request: %s %s",
                              eligibility_msg_code_string(merr.code), merr.message);
    return CORE_OK;
}

static CORE_MUST_USE int number_request(struct flow *f, const struct eligibility_numbers *nums,
                                        const char *kind, struct eligibility_answer *a)
{
    struct eligibility_request_msg m;
    memset(&m, 0, sizeof m);
    m.kind = ELIGIBILITY_REQUEST_NUMBERS;
    header(f, &m, kind);
    m.numbers = *nums;
    m.born = f->in->presented->born;
    int rc = encode(f, &m);
    if (rc != CORE_OK) {
        /* What is printed cannot even be typed in (a malformed number): the system finds nothing. */
        answer_only(a, ELIGIBILITY_NO_QUALIFICATION);
        return CORE_OK;
    }
    struct eligibility_response_msg res;
    return exchange(f, ELIGIBILITY_REQUEST_NUMBERS, m.file_id, &res, a);
}

/* The name the desk's screen shows: the face-reader session's answer travels as Shift_JIS, where a
 * character CP932 cannot hold arrives as ●. */
static void show_name(struct flow *f, const struct eligibility_response_msg *res)
{
    if (f->in->holder_name == NULL || !res->has_qualification)
        return;
    struct eligibility_response_msg copy = *res;
    snprintf(copy.qualification.name, sizeof copy.qualification.name, "%s", f->in->holder_name);
    struct eligibility_msg_error merr;
    size_t len = 0;
    if (eligibility_response_encode(&copy, ELIGIBILITY_ENC_CP932, f->buf, sizeof f->buf, &len, &merr) !=
            CORE_OK ||
        eligibility_response_parse(f->buf, len, &copy, &merr) != CORE_OK)
        return;
    snprintf(f->out->shown_name, sizeof f->out->shown_name, "%s", copy.qualification.name);
}

/* ---- the card route ---------------------------------------------------------------------------------- */

/* The service's answer that the request's nonce expired (ELIGIBILITY_NONCE_EXPIRED_CODE). */
static bool nonce_expired(const struct eligibility_response_msg *res)
{
    return res->segment == 9 && strcmp(res->error_code, ELIGIBILITY_NONCE_EXPIRED_CODE) == 0;
}

/* A fresh nonce into the request, signed again as its route signs: by the card (its auth PIN is still
 * verified: a second COMPUTE DIGITAL SIGNATURE needs no second VERIFY) or by the reader. *ready when the
 * request can go; otherwise *a is the visit's answer: service_down when no nonce comes, reader_down when the
 * card stops answering. Errors only of the desk's own machinery. */
static CORE_MUST_USE int sign_again(struct flow *f, struct eligibility_request_msg *mp,
                                    enum eligibility_auth auth, struct eligibility_answer *a, bool *ready)
{
    const struct clinic_reception *in = f->in;
    struct core_error cerr;
    memset(&cerr, 0, sizeof cerr);
    *ready = false;
    answer_only(a, ELIGIBILITY_SERVICE_DOWN);
    if ((in->nonce != NULL ? in->nonce(in->nonce_ctx, mp->card.nonce)
                           : eligibility_service_nonce(in->service, mp->card.nonce)) != CORE_OK)
        return CORE_OK; /* no fresh nonce: service_down, nothing sent */
    mp->card.nonce_len = 32;
    if (auth != ELIGIBILITY_AUTH_PIN) {
        int rc = device_sign(in->device, &mp->card, f->err);
        *ready = rc == CORE_OK;
        return rc;
    }
    if (!mp->card.pin_blocked) { /* blocked: nothing to sign, the service answers pin_locked */
        uint8_t di[ELIGIBILITY_DIGEST_INFO_LEN];
        if (eligibility_card_digest_info(mp->card.nonce, mp->card.nonce_len, di) != CORE_OK)
            return crypto_fail(f->err, "the DigestInfo");
        uint16_t sw = 0;
        if (pcsc_jpki_sign(in->card, PCSC_JPKI_AUTH, di, sizeof di, mp->card.signature,
                           sizeof mp->card.signature, &mp->card.signature_len, &sw, &cerr) != CORE_OK) {
            answer_only(a, ELIGIBILITY_READER_DOWN); /* the card stopped answering */
            return CORE_OK;
        }
    }
    *ready = true;
    return CORE_OK;
}

static CORE_MUST_USE int card_route(struct flow *f)
{
    const struct clinic_reception *in = f->in;
    struct eligibility_answer *a = &f->out->card;
    struct pcsc_reader *rd = in->card;
    struct core_error cerr;
    memset(&cerr, 0, sizeof cerr);

    struct eligibility_request_msg *mp = calloc(1, sizeof *mp); /* large: on the heap */
    if (mp == NULL)
        return core_error_set(f->err, CORE_ENOMEM, NULL, 0, 0, "reception: out of memory");
    int rc = CORE_OK;
    mp->kind = ELIGIBILITY_REQUEST_CARD;
    header(f, mp, "card");
    snprintf(mp->card.reader_id, sizeof mp->card.reader_id, "%s", clinic_device_id(in->device));

    /* DESK-3: a face reader tries the face first. */
    bool face = false;
    if (in->reader == CLINIC_READER_FACE) {
        uint8_t img[FACE_MAX];
        size_t img_len = 0;
        if (read_face(rd, &in->surface, img, &img_len, &cerr) == CORE_OK &&
            face_matches(img, img_len, in->faults.face_mismatch))
            face = true;
    }
    /* The JPKI AP: the certificate, and whether the card has an auth PIN at all (a face-only card: 6A88). */
    uint16_t sw = 0;
    size_t cert_len = 0;
    int tries = -1;
    if (pcsc_jpki_select(rd, &sw, &cerr) != CORE_OK ||
        pcsc_jpki_read_cert(rd, CARD_CERT_AUTH, mp->card.certificate, sizeof mp->card.certificate, &cert_len,
                            &sw, &cerr) != CORE_OK) {
        /* The card does not answer: the reader cannot go on, as with a reader fault. */
        answer_only(a, ELIGIBILITY_READER_DOWN);
        goto done;
    }
    mp->card.certificate_len = cert_len;
    int prc = face ? CORE_OK : pcsc_jpki_pin_status(rd, PCSC_JPKI_AUTH, &tries, &sw, &cerr);
    if (prc != CORE_OK && prc != CORE_ENOTFOUND) {
        answer_only(a, ELIGIBILITY_READER_DOWN); /* the card stopped answering */
        goto done;
    }
    bool has_pin = !face && prc != CORE_ENOTFOUND;
    enum eligibility_auth auth = face                                            ? ELIGIBILITY_AUTH_FACE
                                 : (has_pin && in->reader != CLINIC_READER_NONE) ? ELIGIBILITY_AUTH_PIN
                                                                                 : ELIGIBILITY_AUTH_VISUAL;
    f->out->auth = auth;
    if ((in->nonce != NULL ? in->nonce(in->nonce_ctx, mp->card.nonce)
                           : eligibility_service_nonce(in->service, mp->card.nonce)) != CORE_OK) {
        answer_only(a, ELIGIBILITY_SERVICE_DOWN);
        goto done;
    }
    mp->card.nonce_len = 32;

    if (auth == ELIGIBILITY_AUTH_PIN) {
        mp->card.auth_class = ELIGIBILITY_MSG_AUTH_PIN;
        bool blocked = prc == CORE_OK && tries == 0;
        if (!blocked) {
            int left = -1;
            sw = 0;
            int vrc = pcsc_jpki_verify(rd, PCSC_JPKI_AUTH, in->pin != NULL ? in->pin : "", &left, &sw, &cerr);
            if (vrc != CORE_OK && vrc != CORE_ESTATE && vrc != CORE_EINVAL && vrc != CORE_ENOTFOUND) {
                /* The card stopped answering during VERIFY: the reader cannot go on (not the holder's PIN). */
                answer_only(a, ELIGIBILITY_READER_DOWN);
                goto done;
            }
            if (vrc != CORE_OK)
                blocked = left == 0;
            if (!blocked && (vrc != CORE_OK || sw != ISO7816_SW_OK)) {
                /* A wrong PIN with tries left: the holder cannot authenticate today. */
                answer_only(a, ELIGIBILITY_PIN_LOCKED);
                goto done;
            }
        }
        mp->card.pin_blocked = blocked ? 1 : 0;
        if (!blocked) {
            uint8_t di[ELIGIBILITY_DIGEST_INFO_LEN];
            if (eligibility_card_digest_info(mp->card.nonce, mp->card.nonce_len, di) != CORE_OK) {
                rc = crypto_fail(f->err, "the DigestInfo");
                goto done;
            }
            if (pcsc_jpki_sign(rd, PCSC_JPKI_AUTH, di, sizeof di, mp->card.signature,
                               sizeof mp->card.signature, &mp->card.signature_len, &sw, &cerr) != CORE_OK) {
                answer_only(a, ELIGIBILITY_READER_DOWN);
                goto done;
            }
        }
    } else {
        mp->card.auth_class =
            auth == ELIGIBILITY_AUTH_FACE ? ELIGIBILITY_MSG_AUTH_FACE : ELIGIBILITY_MSG_AUTH_VISUAL;
        mp->card.face_match = 1; /* matched by the camera, or by the staff's eyes */
    }
    /* A borrowed certificate: another card's, sent with what this card (or reader) signed. */
    if (in->faults.borrowed_certificate && in->borrowed_cert != NULL && in->borrowed_cert_len > 0 &&
        in->borrowed_cert_len <= sizeof mp->card.certificate) {
        memcpy(mp->card.certificate, in->borrowed_cert, in->borrowed_cert_len);
        mp->card.certificate_len = in->borrowed_cert_len;
    }
    if (auth != ELIGIBILITY_AUTH_PIN) {
        if ((rc = device_sign(in->device, &mp->card, f->err)) != CORE_OK)
            goto done;
    }
    if ((rc = encode(f, mp)) != CORE_OK)
        goto done;
    struct eligibility_response_msg *res = calloc(1, sizeof *res);
    if (res == NULL) {
        rc = core_error_set(f->err, CORE_ENOMEM, NULL, 0, 0, "reception: out of memory");
        goto done;
    }
    rc = exchange(f, ELIGIBILITY_REQUEST_CARD, mp->file_id, res, a);
    if (rc == CORE_OK && nonce_expired(res)) {
        /* The nonce fell out of the service's window before the request arrived (docs/MESSAGES.md, MYNE4002):
         * the reader's delay, not the card's fault. As a real reader does, once: a fresh nonce, signed again,
         * a new request. A second expiry stays what eligibility_response_to_answer reads it as: the check did
         * not work (service_down). */
        header(f, mp, "card"); /* a new request: its own ArbitraryFileIdentifier */
        bool ready = false;
        rc = sign_again(f, mp, auth, a, &ready);
        if (rc != CORE_OK || !ready)
            goto answered; /* nothing sent again: *a says why */
        if ((rc = encode(f, mp)) == CORE_OK)
            rc = exchange(f, ELIGIBILITY_REQUEST_CARD, mp->file_id, res, a);
    }
    if (rc == CORE_OK && in->faults.replayed_request) {
        /* The same bytes again (the nonce already spent): what the service answers is the visit's answer. */
        rc = exchange(f, ELIGIBILITY_REQUEST_CARD, mp->file_id, res, a);
    }
    if (rc == CORE_OK && in->faults.unshowable_name)
        show_name(f, res);
answered:
    free(res);
done:
    free(mp);
    return rc;
}

/* ---- the visit --------------------------------------------------------------------------------------- */

int clinic_reception_run(const struct clinic_reception *in, struct clinic_reception_result *out,
                         struct core_error *err)
{
    if (in == NULL || out == NULL || in->presented == NULL || in->policy == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "reception: missing input");
    memset(out, 0, sizeof *out);
    const struct clinic_presented *p = in->presented;
    bool online = in->online_ok && !in->faults.reader_fault;
    bool check = in->reader != CLINIC_READER_NONE && online;
    if (check &&
        ((in->service == NULL && (in->transport == NULL || in->nonce == NULL)) || in->device == NULL))
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "reception: a working reader needs a service");
    if (p->card && check && in->card == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "reception: the card is shown but not in a reader");

    struct flow *f = calloc(1, sizeof *f);
    if (f == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "reception: out of memory");
    f->in = in;
    f->out = out;
    f->err = err;
    int rc = CORE_OK;
    struct clinic_answers ans = {NULL, NULL, NULL, NULL};
    if (check) {
        if (p->paper_card && rc == CORE_OK) {
            rc = number_request(f, &p->paper_numbers, "paper", &out->paper_card);
            ans.paper_card = &out->paper_card;
        }
        if (p->certificate && rc == CORE_OK) {
            rc = number_request(f, &p->certificate_numbers, "cert", &out->certificate);
            ans.certificate = &out->certificate;
        }
        if (p->notice && rc == CORE_OK) {
            rc = number_request(f, &p->notice_numbers, "notice", &out->notice);
            ans.notice = &out->notice;
        }
    }
    if (p->card && rc == CORE_OK) {
        out->card_asked = true;
        if (check)
            rc = card_route(f);
        else
            answer_only(&out->card, ELIGIBILITY_READER_DOWN);
        ans.card = &out->card;
    }
    free(f);
    if (rc != CORE_OK)
        return rc;
    struct clinic_input ci;
    memset(&ci, 0, sizeof ci);
    ci.on = in->on;
    ci.visit = in->visit;
    ci.reader = in->reader;
    ci.online_ok = online;
    ci.presented = p;
    ci.answers = ans;
    ci.record = in->record;
    ci.policy = in->policy;
    rc = clinic_decide(&ci, &out->decision);
    if (rc != CORE_OK)
        return core_error_set(err, rc, NULL, 0, 0, "reception: the desk could not decide");
    return CORE_OK;
}
