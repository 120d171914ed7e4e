/* Tests of sim/eligibility/service.c: the card route's proofs (nonce, chain, the card's and the reader's
 * signatures), the registry's answers through messages, outages and bad requests. The cards are driven by
 * APDUs only (SELECT, READ BINARY, VERIFY, COMPUTE DIGITAL SIGNATURE), as a clinic's terminal drives them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "card/card.h"
#include "eligibility/eligibility.h"

static core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

#define INSURER "112334"
#define CERT_EXPIRY "2026-04-01" /* the default card's certificates (fixtures/cards/default.yaml) */

/* ---- the card, by APDUs ------------------------------------------------------------------------------ */

static struct card *make_card(const char *id, uint64_t seed, const struct policy *policy)
{
    struct card_profile prof;
    struct core_error err;
    if (card_profile_load(MYNASIM_SOURCE_DIR "/fixtures/cards/default.yaml", &prof, &err) != CORE_OK)
        fail_msg("profile: %s", err.message);
    snprintf(prof.id, sizeof prof.id, "%s", id);
    prof.seed = seed;
    struct card *c = NULL;
    if (card_new(&prof, policy, &c, &err) != CORE_OK)
        fail_msg("card_new: %s", err.message);
    return c;
}

static size_t apdu(struct card *c, const uint8_t *cmd, size_t len, uint8_t *r, uint16_t want_sw)
{
    size_t rlen = 0;
    assert_int_equal(card_transmit(c, cmd, len, r, CARD_RAPDU_MAX, &rlen), CORE_OK);
    assert_true(rlen >= 2);
    assert_int_equal((r[rlen - 2] << 8) | r[rlen - 1], want_sw);
    return rlen - 2;
}

static void select_jpki_ef(struct card *c, uint8_t hi, uint8_t lo)
{
    static const uint8_t sel_ap[] = {0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0,
                                     0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01};
    uint8_t r[CARD_RAPDU_MAX];
    apdu(c, sel_ap, sizeof sel_ap, r, 0x9000);
    const uint8_t sel_ef[] = {0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo};
    apdu(c, sel_ef, sizeof sel_ef, r, 0x9000);
}

/* The auth certificate (EF 000A) by READ BINARY: its length from the DER header, then 255-byte chunks. */
static size_t read_auth_cert(struct card *c, uint8_t *out, size_t cap)
{
    uint8_t r[CARD_RAPDU_MAX];
    select_jpki_ef(c, 0x00, 0x0A);
    const uint8_t head[] = {0x00, 0xB0, 0x00, 0x00, 0x04};
    assert_int_equal(apdu(c, head, sizeof head, r, 0x9000), 4);
    assert_int_equal(r[0], 0x30);
    assert_int_equal(r[1], 0x82);
    size_t total = (size_t)((r[2] << 8) | r[3]) + 4u;
    assert_true(total <= cap);
    for (size_t off = 0; off < total;) {
        size_t n = total - off > 255 ? 255 : total - off;
        const uint8_t rb[] = {0x00, 0xB0, (uint8_t)(off >> 8), (uint8_t)off, (uint8_t)n};
        size_t got = apdu(c, rb, sizeof rb, r, 0x9000);
        assert_int_equal(got, n);
        memcpy(out + off, r, n);
        off += n;
    }
    return total;
}

/* VERIFY the auth PIN, then COMPUTE DIGITAL SIGNATURE with the auth key over DigestInfo(SHA-256(nonce)). */
static size_t card_sign_nonce(struct card *c, const uint8_t *nonce, size_t nlen, uint8_t *sig)
{
    uint8_t r[CARD_RAPDU_MAX];
    select_jpki_ef(c, 0x00, 0x18);
    const uint8_t verify[] = {0x00, 0x20, 0x00, 0x80, 0x04, '1', '2', '3', '4'};
    apdu(c, verify, sizeof verify, r, 0x9000);
    const uint8_t sel_key[] = {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17};
    apdu(c, sel_key, sizeof sel_key, r, 0x9000);
    uint8_t cmd[5 + ELIGIBILITY_DIGEST_INFO_LEN + 1] = {0x80, 0x2A, 0x00, 0x80, ELIGIBILITY_DIGEST_INFO_LEN};
    assert_int_equal(eligibility_card_digest_info(nonce, nlen, cmd + 5), CORE_OK);
    cmd[sizeof cmd - 1] = 0x00;
    size_t n = apdu(c, cmd, sizeof cmd, r, 0x9000);
    assert_int_equal(n, 256);
    memcpy(sig, r, n);
    return n;
}

/* ---- the world: a registry with one person holding the card ------------------------------------------ */

struct fixture {
    struct policy *policy;
    struct eligibility_registry *reg;
    struct eligibility_service *svc;
    struct card *card;
    uint8_t cert[ELIGIBILITY_MSG_CERT_MAX];
    size_t cert_len;
    EVP_PKEY *reader_key;
};

static uint64_t cert_serial(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    assert_non_null(x);
    uint64_t serial = 0;
    assert_int_equal(ASN1_INTEGER_get_uint64(&serial, X509_get0_serialNumber(x)), 1);
    X509_free(x);
    return serial;
}

static void setup_named(struct fixture *f, const char *policy_name)
{
    memset(f, 0, sizeof *f);
    struct core_error err;
    if (policy_load_named(policy_name, &f->policy, &err) != CORE_OK)
        fail_msg("policy: %s", err.message);
    assert_int_equal(eligibility_registry_new(f->policy, &f->reg), CORE_OK);
    f->card = make_card("service-test", 1, f->policy);
    f->cert_len = read_auth_cert(f->card, f->cert, sizeof f->cert);

    uint32_t person, membership;
    assert_int_equal(eligibility_person_add(f->reg, D("1980-04-01"), &person), CORE_OK);
    struct eligibility_enrollment e;
    memset(&e, 0, sizeof e);
    snprintf(e.numbers.insurer_number, sizeof e.numbers.insurer_number, "%s", INSURER);
    snprintf(e.numbers.symbol, sizeof e.numbers.symbol, "12");
    snprintf(e.numbers.number, sizeof e.numbers.number, "34");
    snprintf(e.numbers.branch, sizeof e.numbers.branch, "00");
    e.start = D("2020-04-01");
    assert_int_equal(
        eligibility_file_enrollment(f->reg, person, &e, D("2020-04-01"), CORE_DAY_NONE, &membership),
        CORE_OK);
    assert_int_equal(eligibility_card_issue(f->reg, person, 77, D("2021-04-01"), D("2031-04-01"),
                                            cert_serial(f->cert, f->cert_len), D(CERT_EXPIRY)),
                     CORE_OK);
    assert_int_equal(eligibility_file_registration(f->reg, person, D("2021-05-01")), CORE_OK);

    if (eligibility_service_new(f->reg, f->policy, &f->svc, &err) != CORE_OK)
        fail_msg("service: %s", err.message);
    eligibility_service_seed(f->svc, 42);
    eligibility_service_set_date(f->svc, D("2025-06-02"));

    f->reader_key = EVP_EC_gen("P-256");
    assert_non_null(f->reader_key);
    uint8_t *spki = NULL;
    int n = i2d_PUBKEY(f->reader_key, &spki);
    assert_true(n > 0);
    assert_int_equal(
        eligibility_service_register_reader(f->svc, "reader-1312345678-01", spki, (size_t)n, &err), CORE_OK);
    OPENSSL_free(spki);
}

static int setup_national(void **state)
{
    struct fixture *f = malloc(sizeof *f);
    setup_named(f, "national");
    *state = f;
    return 0;
}

static int setup_announced(void **state)
{
    struct fixture *f = malloc(sizeof *f);
    setup_named(f, "as-announced-2024");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    EVP_PKEY_free(f->reader_key);
    eligibility_service_free(f->svc);
    card_free(f->card);
    eligibility_registry_free(f->reg);
    policy_free(f->policy);
    free(f);
    return 0;
}

/* ---- requests and answers ---------------------------------------------------------------------------- */

static void header(struct eligibility_request_msg *m)
{
    m->date = D("2025-06-02");
    snprintf(m->institution, sizeof m->institution, "1312345678");
    snprintf(m->file_id, sizeof m->file_id, "20250602093000001");
    m->limit_consent = 1;
}

/* A PIN-route request: a fresh nonce, signed by `signer` (the fixture's card when NULL). */
static void pin_request(struct fixture *f, struct card *signer, struct eligibility_request_msg *m)
{
    memset(m, 0, sizeof *m);
    header(m);
    m->kind = ELIGIBILITY_REQUEST_CARD;
    m->card.auth_class = ELIGIBILITY_MSG_AUTH_PIN;
    memcpy(m->card.certificate, f->cert, f->cert_len);
    m->card.certificate_len = f->cert_len;
    assert_int_equal(eligibility_service_nonce(f->svc, m->card.nonce), CORE_OK);
    m->card.nonce_len = 32;
    m->card.signature_len = card_sign_nonce(signer ? signer : f->card, m->card.nonce, 32, m->card.signature);
    snprintf(m->card.reader_id, sizeof m->card.reader_id, "reader-1312345678-01");
}

static void reader_sign(EVP_PKEY *key, struct eligibility_card_auth *c)
{
    uint8_t data[32 + ELIGIBILITY_MSG_CERT_MAX + 1];
    size_t len = 0;
    assert_int_equal(eligibility_reader_signed_data(c, data, sizeof data, &len), CORE_OK);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t siglen = sizeof c->reader_signature;
    assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestSign(ctx, c->reader_signature, &siglen, data, len), 1);
    c->reader_signature_len = siglen;
    EVP_MD_CTX_free(ctx);
}

static void face_request(struct fixture *f, EVP_PKEY *key, const char *reader, int auth,
                         struct eligibility_request_msg *m)
{
    memset(m, 0, sizeof *m);
    header(m);
    m->kind = ELIGIBILITY_REQUEST_CARD;
    m->card.auth_class = auth;
    memcpy(m->card.certificate, f->cert, f->cert_len);
    m->card.certificate_len = f->cert_len;
    assert_int_equal(eligibility_service_nonce(f->svc, m->card.nonce), CORE_OK);
    m->card.nonce_len = 32;
    snprintf(m->card.reader_id, sizeof m->card.reader_id, "%s", reader);
    m->card.face_match = 1;
    reader_sign(key, &m->card);
}

static void ask_raw(struct fixture *f, const void *req, size_t len, struct eligibility_response_msg *res)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(eligibility_service_handle(f->svc, req, len, &out, &out_len), CORE_OK);
    struct eligibility_msg_error merr;
    if (eligibility_response_parse(out, out_len, res, &merr) != CORE_OK)
        fail_msg("response does not parse: %s %s", eligibility_msg_code_string(merr.code), merr.message);
    free(out);
}

static void ask(struct fixture *f, const struct eligibility_request_msg *m, enum eligibility_encoding enc,
                struct eligibility_response_msg *res)
{
    static char buf[ELIGIBILITY_MSG_MAX_BYTES];
    size_t len = 0;
    struct eligibility_msg_error merr;
    if (eligibility_request_encode(m, enc, buf, sizeof buf, &len, &merr) != CORE_OK)
        fail_msg("encode: %s %s", eligibility_msg_code_string(merr.code), merr.message);
    ask_raw(f, buf, len, res);
}

static enum eligibility_result result_of(const struct eligibility_response_msg *res)
{
    struct eligibility_answer a;
    assert_int_equal(eligibility_response_to_answer(res, &a), CORE_OK);
    return a.result;
}

#define assert_result(res, want)                                                                             \
    assert_string_equal(eligibility_result_name(result_of(res)), eligibility_result_name(want))

/* ---- tests ------------------------------------------------------------------------------------------- */

static void pin_route_with_the_cards_signature_is_accepted(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_OK);
    assert_int_equal(res.reference, 1);
    assert_true(res.has_qualification);
    assert_string_equal(res.qualification.numbers.insurer_number, INSURER);
    assert_string_equal(res.process_time, "20250602000000");
    assert_string_equal(res.file_id, "20250602093000001");
    /* The same certificate again (a cache hit), in CP932: answered in CP932. */
    pin_request(f, NULL, &m);
    ask(f, &m, ELIGIBILITY_ENC_CP932, &res);
    assert_result(&res, ELIGIBILITY_OK);
    assert_int_equal(res.encoding, ELIGIBILITY_ENC_CP932);
}

static void replayed_nonce_is_refused(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_OK);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    assert_string_equal(res.error_code, "MYNE2003");
}

static void nonce_never_issued_is_refused(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    m.card.nonce[31] ^= 1; /* the MAC no longer matches */
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    /* A nonce of a counter not yet issued (a guess ahead) is refused too. */
    pin_request(f, NULL, &m);
    m.card.nonce[0] = 0x7F;
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    /* A reseeded service no longer knows its old nonces. */
    pin_request(f, NULL, &m);
    eligibility_service_seed(f->svc, 43);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
}

static void borrowed_certificate_is_refused(void **state)
{
    struct fixture *f = *state;
    struct card *other = make_card("service-test-other", 2, f->policy);
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, other, &m); /* this card's certificate, the other card's signature */
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    card_free(other);
}

static void certificate_not_from_jlis_is_refused(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    m.card.certificate[m.card.certificate_len - 1] ^= 0x01; /* the CA's signature no longer verifies */
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    /* Not a certificate at all. */
    pin_request(f, NULL, &m);
    m.card.certificate_len = 40;
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    /* Before the certificate's first day. */
    eligibility_service_set_date(f->svc, D("2021-03-01"));
    pin_request(f, NULL, &m);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
}

static void expired_certificate_under_national_passes_in_grace(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    eligibility_service_set_date(f->svc, D("2026-05-15"));
    pin_request(f, NULL, &m);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_OK);
    assert_string_equal(res.result_code, ELIGIBILITY_CODE_CERT_IN_GRACE);
    eligibility_service_set_date(f->svc, D("2027-01-15"));
    pin_request(f, NULL, &m);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_EXPIRED);
    assert_string_equal(res.error_code, "MYNE2004");
}

static void expired_certificate_as_announced_is_refused(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    eligibility_service_set_date(f->svc, D("2026-05-15"));
    pin_request(f, NULL, &m);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_EXPIRED);
}

static void blocked_pin_answers_pin_locked(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    m.card.pin_blocked = 1;
    m.card.signature_len = 0;
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_PIN_LOCKED);
}

static void registered_reader_vouches_for_face_and_visual(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    face_request(f, f->reader_key, "reader-1312345678-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    ask(f, &m, ELIGIBILITY_ENC_CP932, &res);
    assert_result(&res, ELIGIBILITY_OK);
    face_request(f, f->reader_key, "reader-1312345678-01", ELIGIBILITY_MSG_AUTH_VISUAL, &m);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_OK);
    /* The reader's signature covers the match result: flipping it breaks the signature. */
    face_request(f, f->reader_key, "reader-1312345678-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    m.card.face_match = 2;
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    /* A failed match, honestly signed, proves nothing either. */
    face_request(f, f->reader_key, "reader-1312345678-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    m.card.face_match = 2;
    reader_sign(f->reader_key, &m.card);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
}

static void unregistered_reader_is_refused(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    face_request(f, f->reader_key, "reader-9999999999-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    /* A registered id, but a key the service does not know. */
    EVP_PKEY *rogue = EVP_EC_gen("P-256");
    face_request(f, rogue, "reader-1312345678-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    EVP_PKEY_free(rogue);
    /* Only P-256 keys register. */
    EVP_PKEY *rsa = EVP_RSA_gen(1024);
    uint8_t *spki = NULL;
    int n = i2d_PUBKEY(rsa, &spki);
    struct core_error err;
    assert_int_equal(eligibility_service_register_reader(f->svc, "reader-rsa", spki, (size_t)n, &err),
                     CORE_EINVAL);
    assert_int_equal(eligibility_service_register_reader(f->svc, "bad id!", spki, (size_t)n, &err),
                     CORE_EINVAL);
    OPENSSL_free(spki);
    EVP_PKEY_free(rsa);
}

static void outage_answers_service_down(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    eligibility_service_set_down(f->svc, true);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_SERVICE_DOWN);
    assert_string_equal(res.error_code, "MYNE9001");
    ask_raw(f, "garbage", 7, &res);
    assert_string_equal(res.error_code, "MYNE9001");
    /* The nonce was not spent during the outage. */
    eligibility_service_set_down(f->svc, false);
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_OK);
}

static void number_request_is_answered(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    memset(&m, 0, sizeof m);
    header(&m);
    m.kind = ELIGIBILITY_REQUEST_NUMBERS;
    snprintf(m.numbers.insurer_number, sizeof m.numbers.insurer_number, "%s", INSURER);
    snprintf(m.numbers.symbol, sizeof m.numbers.symbol, "12");
    snprintf(m.numbers.number, sizeof m.numbers.number, "34");
    snprintf(m.numbers.branch, sizeof m.numbers.branch, "00");
    m.born = D("1980-04-01");
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_result(&res, ELIGIBILITY_OK);
    assert_int_equal(res.reference, 2);
    snprintf(m.numbers.number, sizeof m.numbers.number, "35");
    ask(f, &m, ELIGIBILITY_ENC_CP932, &res);
    assert_result(&res, ELIGIBILITY_NO_QUALIFICATION);
}

static void bad_requests_get_error_codes(void **state)
{
    struct fixture *f = *state;
    struct eligibility_response_msg res;
    static const struct {
        const char *text;
        const char *code;
    } cases[] = {
        {"", "MYNE3002"},
        {"not xml at all", "MYNE3011"},
        {"<XmlMsg><MessageHeader>", "MYNE3002"},
        {"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><XmlMsg/>", "MYNE3003"},
        {"<Other/>", "MYNE3006"},
        {"<XmlMsg a=\"1\"/>", "MYNE3005"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ask_raw(f, cases[i].text, strlen(cases[i].text), &res);
        assert_int_equal(res.segment, 9);
        assert_int_equal(res.status, 2);
        assert_string_equal(res.error_code, cases[i].code);
    }
    size_t big = ELIGIBILITY_MSG_MAX_BYTES + 1;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    huge[0] = '<';
    ask_raw(f, huge, big, &res);
    assert_string_equal(res.error_code, "MYNE3001");
    free(huge);
    uint8_t *out = NULL;
    size_t out_len;
    assert_int_equal(eligibility_service_handle(NULL, (const uint8_t *)"x", 1, &out, &out_len), CORE_EINVAL);
    assert_int_equal(eligibility_service_handle(f->svc, NULL, 1, &out, &out_len), CORE_EINVAL);
}

static void samples_are_answered(void **state)
{
    struct fixture *f = *state;
    static const char *const names[] = {
        "OQSsiquc01req_20250115093000001.xml",
        "OQSsiquc01req_card_pin_20250115093000003.xml",
        "OQSsiquc01req_card_face_20250115093000005.xml",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[1024], *buf = NULL;
        size_t len = 0;
        struct core_error err;
        snprintf(path, sizeof path, "%s/fixtures/messages/%s", MYNASIM_SOURCE_DIR, names[i]);
        assert_int_equal(core_file_read(path, ELIGIBILITY_MSG_MAX_BYTES, &buf, &len, &err), CORE_OK);
        struct eligibility_response_msg res;
        ask_raw(f, buf, len, &res);
        assert_int_equal(res.date, D("2025-01-15"));
        if (i > 0) /* the samples' nonces were never issued by this service */
            assert_result(&res, ELIGIBILITY_CERT_REVOKED);
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pin_route_with_the_cards_signature_is_accepted, setup_national,
                                        teardown),
        cmocka_unit_test_setup_teardown(replayed_nonce_is_refused, setup_national, teardown),
        cmocka_unit_test_setup_teardown(nonce_never_issued_is_refused, setup_national, teardown),
        cmocka_unit_test_setup_teardown(borrowed_certificate_is_refused, setup_national, teardown),
        cmocka_unit_test_setup_teardown(certificate_not_from_jlis_is_refused, setup_national, teardown),
        cmocka_unit_test_setup_teardown(expired_certificate_under_national_passes_in_grace, setup_national,
                                        teardown),
        cmocka_unit_test_setup_teardown(expired_certificate_as_announced_is_refused, setup_announced,
                                        teardown),
        cmocka_unit_test_setup_teardown(blocked_pin_answers_pin_locked, setup_national, teardown),
        cmocka_unit_test_setup_teardown(registered_reader_vouches_for_face_and_visual, setup_national,
                                        teardown),
        cmocka_unit_test_setup_teardown(unregistered_reader_is_refused, setup_national, teardown),
        cmocka_unit_test_setup_teardown(outage_answers_service_down, setup_national, teardown),
        cmocka_unit_test_setup_teardown(number_request_is_answered, setup_national, teardown),
        cmocka_unit_test_setup_teardown(bad_requests_get_error_codes, setup_national, teardown),
        cmocka_unit_test_setup_teardown(samples_are_answered, setup_national, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
