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
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include "card/card.h"
#include "eligibility/eligibility.h"
#include "eligibility_test.h"
#include "member_test.h"

#define INSURER MEMBER_TEST_INSURER
#define CERT_EXPIRY "2026-04-01" /* the default card's certificates (fixtures/cards/issued_2021.yaml) */

/* ---- the card, by APDUs ------------------------------------------------------------------------------ */

static struct card *make_card(const char *id, uint64_t seed, const struct policy *policy)
{
    struct card_profile prof;
    struct core_error err;
    if (card_profile_load(MYNASIM_SOURCE_DIR "/fixtures/cards/issued_2021.yaml", &prof, &err) != CORE_OK)
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
    uint32_t membership; /* the person's one membership, from 2020-04-01 */
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

    const struct eligibility_numbers numbers = member_test_numbers("12", "34", "00");
    uint32_t person = member_test_enrol(f->reg, D("1980-04-01"), &numbers, CORE_DAY_NONE, &f->membership);
    assert_int_equal(eligibility_card_issue(f->reg, person, 77, D("2021-04-01"), D("2031-04-01"),
                                            cert_serial(f->cert, f->cert_len), D(CERT_EXPIRY)),
                     CORE_OK);
    assert_int_equal(eligibility_file_registration(f->reg, person, D("2021-05-01")), CORE_OK);

    if (eligibility_service_new(f->reg, f->policy, &f->svc, &err) != CORE_OK)
        fail_msg("service: %s", err.message);
    eligibility_service_seed(f->svc, 42);
    assert_int_equal(eligibility_service_set_date(f->svc, D("2025-06-02")), CORE_OK);

    f->reader_key = EVP_EC_gen("P-256");
    assert_non_null(f->reader_key);
    uint8_t *spki = NULL;
    int n = i2d_PUBKEY(f->reader_key, &spki);
    assert_true(n > 0);
    assert_int_equal(
        eligibility_service_register_reader(f->svc, "reader-1312345678-01", spki, (size_t)n, &err), CORE_OK);
    OPENSSL_free(spki);
}

static int setup_with(void **state, const char *policy_name)
{
    struct fixture *f = malloc(sizeof *f);
    setup_named(f, policy_name);
    *state = f;
    return 0;
}

static int setup_national(void **state)
{
    return setup_with(state, "national");
}

static int setup_announced(void **state)
{
    return setup_with(state, "as-announced-2024");
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

/* A cleared request of `kind` with this file's header. */
static void header(struct eligibility_request_msg *m, enum eligibility_request_kind kind)
{
    request_header(m, kind, "2025-06-02", "20250602093000001");
    m->limit_consent = 1;
}

/* A cleared card request with the fixture's card's certificate, its `auth` class and a fresh nonce. */
static void card_header(struct fixture *f, int auth, const uint8_t *cert, size_t cert_len,
                        struct eligibility_request_msg *m)
{
    header(m, ELIGIBILITY_REQUEST_CARD);
    m->card.auth_class = auth;
    memcpy(m->card.certificate, cert, cert_len);
    m->card.certificate_len = cert_len;
    assert_int_equal(eligibility_service_nonce(f->svc, m->card.nonce), CORE_OK);
    m->card.nonce_len = 32;
}

/* A PIN-route request: a fresh nonce, signed by `signer` (the fixture's card when NULL). */
static void pin_request(struct fixture *f, struct card *signer, struct eligibility_request_msg *m)
{
    card_header(f, ELIGIBILITY_MSG_AUTH_PIN, f->cert, f->cert_len, m);
    m->card.signature_len = card_sign_nonce(signer ? signer : f->card, m->card.nonce, 32, m->card.signature);
    snprintf(m->card.reader_id, sizeof m->card.reader_id, "reader-1312345678-01");
}

static void face_request(struct fixture *f, EVP_PKEY *key, const char *reader, int auth,
                         struct eligibility_request_msg *m)
{
    card_header(f, auth, f->cert, f->cert_len, m);
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

/* `m` asked in UTF-8: the answer in `res`, its result `want`. */
static void ask_expect(struct fixture *f, const struct eligibility_request_msg *m,
                       enum eligibility_result want, struct eligibility_response_msg *res)
{
    ask(f, m, ELIGIBILITY_ENC_UTF8, res);
    assert_result(res, want);
}

/* ---- tests ------------------------------------------------------------------------------------------- */

static void pin_route_with_the_cards_signature_is_accepted(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
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
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    assert_string_equal(res.error_code, "MYNE2003");
}

static void nonce_never_issued_is_refused(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    m.card.nonce[31] ^= 1; /* the MAC no longer matches */
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    /* A nonce of a counter not yet issued (a guess ahead) is refused too. */
    pin_request(f, NULL, &m);
    m.card.nonce[0] = 0x7F;
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    /* A reseeded service no longer knows its old nonces. */
    pin_request(f, NULL, &m);
    eligibility_service_seed(f->svc, 43);
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    /* Not even under the same seed again: the nonce issued before is not issued again, nor accepted. */
    struct eligibility_request_msg old;
    eligibility_service_seed(f->svc, 44);
    pin_request(f, NULL, &old); /* the first nonce of seed 44 */
    eligibility_service_seed(f->svc, 44);
    struct eligibility_request_msg fresh;
    pin_request(f, NULL, &fresh);
    assert_memory_not_equal(fresh.card.nonce, old.card.nonce, 32);
    ask_expect(f, &old, ELIGIBILITY_CERT_REVOKED, &res);
    ask_expect(f, &fresh, ELIGIBILITY_OK, &res);
}

/* The messages carry years 1900..9999 only (ProcessExecutionTime): a service date outside is refused and the
 * service keeps answering for its date. */
static void a_service_date_the_messages_cannot_carry_is_refused(void **state)
{
    struct fixture *f = *state;
    core_day before = eligibility_service_date(f->svc);
    assert_int_equal(eligibility_service_set_date(f->svc, D("1900-01-01") - 1), CORE_EINVAL);
    assert_int_equal(eligibility_service_set_date(f->svc, D("9999-12-31") + 1), CORE_EINVAL);
    assert_int_equal(eligibility_service_date(f->svc), before);
    assert_int_equal(eligibility_service_set_date(f->svc, D("1900-01-01")), CORE_OK);
    assert_int_equal(eligibility_service_set_date(f->svc, D("9999-12-31")), CORE_OK);
    assert_int_equal(eligibility_service_set_date(NULL, D("2025-06-02")), CORE_EINVAL);
    assert_int_equal(eligibility_service_set_date(f->svc, before), CORE_OK);
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
}

static void borrowed_certificate_is_refused(void **state)
{
    struct fixture *f = *state;
    struct card *other = make_card("service-test-other", 2, f->policy);
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, other, &m); /* this card's certificate, the other card's signature */
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    card_free(other);
}

static void certificate_not_from_jlis_is_refused(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    m.card.certificate[m.card.certificate_len - 1] ^= 0x01; /* the CA's signature no longer verifies */
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    /* Not a certificate at all. */
    pin_request(f, NULL, &m);
    m.card.certificate_len = 40;
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    /* Before the certificate's first day. */
    assert_int_equal(eligibility_service_set_date(f->svc, D("2021-03-01")), CORE_OK);
    pin_request(f, NULL, &m);
    m.date = D("2021-03-01"); /* asked for that day too: a later day is refused (MYNE4001) */
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
}

static void expired_certificate_under_national_passes_in_grace(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    assert_int_equal(eligibility_service_set_date(f->svc, D("2026-05-15")), CORE_OK);
    pin_request(f, NULL, &m);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    assert_string_equal(res.result_code, ELIGIBILITY_CODE_CERT_IN_GRACE);
    assert_int_equal(eligibility_service_set_date(f->svc, D("2027-01-15")), CORE_OK);
    pin_request(f, NULL, &m);
    ask_expect(f, &m, ELIGIBILITY_CERT_EXPIRED, &res);
    assert_string_equal(res.error_code, "MYNE2004");
}

static void expired_certificate_as_announced_is_refused(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    assert_int_equal(eligibility_service_set_date(f->svc, D("2026-05-15")), CORE_OK);
    pin_request(f, NULL, &m);
    ask_expect(f, &m, ELIGIBILITY_CERT_EXPIRED, &res);
}

static void blocked_pin_answers_pin_locked(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    m.card.pin_blocked = 1;
    m.card.signature_len = 0;
    ask_expect(f, &m, ELIGIBILITY_PIN_LOCKED, &res);
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
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    /* The reader's signature covers the match result: flipping it breaks the signature. */
    face_request(f, f->reader_key, "reader-1312345678-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    m.card.face_match = 2;
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    /* A failed match, honestly signed, proves nothing either. */
    face_request(f, f->reader_key, "reader-1312345678-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    m.card.face_match = 2;
    reader_sign(f->reader_key, &m.card);
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
}

static void unregistered_reader_is_refused(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    face_request(f, f->reader_key, "reader-9999999999-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    /* A registered id, but a key the service does not know. */
    EVP_PKEY *rogue = EVP_EC_gen("P-256");
    face_request(f, rogue, "reader-1312345678-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
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
    ask_expect(f, &m, ELIGIBILITY_SERVICE_DOWN, &res);
    assert_string_equal(res.error_code, "MYNE9001");
    ask_raw(f, "garbage", 7, &res);
    assert_string_equal(res.error_code, "MYNE9001");
    /* The nonce was not spent during the outage. */
    eligibility_service_set_down(f->svc, false);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
}

static void number_request_is_answered(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    header(&m, ELIGIBILITY_REQUEST_NUMBERS);
    snprintf(m.numbers.insurer_number, sizeof m.numbers.insurer_number, "%s", INSURER);
    snprintf(m.numbers.symbol, sizeof m.numbers.symbol, "12");
    snprintf(m.numbers.number, sizeof m.numbers.number, "34");
    snprintf(m.numbers.branch, sizeof m.numbers.branch, "00");
    m.born = D("1980-04-01");
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    assert_int_equal(res.reference, 2);
    snprintf(m.numbers.number, sizeof m.numbers.number, "35");
    ask(f, &m, ELIGIBILITY_ENC_CP932, &res);
    assert_result(&res, ELIGIBILITY_NO_QUALIFICATION);
}

static void assert_error_code(const struct eligibility_response_msg *res, const char *code)
{
    assert_int_equal(res->segment, 9);
    assert_int_equal(res->status, 2);
    assert_string_equal(res->error_code, code);
}

/* A refusal with `code` that echoes `req`'s header (file id, institution, date, reference classification) so
 * that the clinic can pair it, carries no qualification, and reads as a check that did not work
 * (service_down), never as an answer about the person (docs/MESSAGES.md). */
static void assert_refusal_echoing(const struct eligibility_response_msg *res,
                                   const struct eligibility_request_msg *req, const char *code)
{
    assert_error_code(res, code);
    assert_string_equal(res->file_id, req->file_id);
    assert_string_equal(res->institution, req->institution);
    assert_int_equal(res->date, req->date);
    assert_int_equal(res->reference, (int)req->kind);
    assert_false(res->has_qualification);
    assert_result(res, ELIGIBILITY_SERVICE_DOWN);
}

/* The service answers as the registry stood on the request's QualificationConfirmationDate: a loss filed
 * after that day is not counted, one filed but not yet visible is a change in progress; a day after the
 * service's own is refused with MYNE4001, the header echoed (docs/MESSAGES.md). */
static void the_request_date_is_answered(void **state)
{
    struct fixture *f = *state;
    /* Leaves on 2025-05-01 (the first day without); the insurer files on 05-20, visible on 05-25. */
    assert_int_equal(
        eligibility_file_loss(f->reg, f->membership, D("2025-05-01"), D("2025-05-20"), D("2025-05-25")),
        CORE_OK);
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    header(&m, ELIGIBILITY_REQUEST_NUMBERS);
    snprintf(m.numbers.insurer_number, sizeof m.numbers.insurer_number, "%s", INSURER);
    snprintf(m.numbers.symbol, sizeof m.numbers.symbol, "12");
    snprintf(m.numbers.number, sizeof m.numbers.number, "34");
    snprintf(m.numbers.branch, sizeof m.numbers.branch, "00");
    m.born = D("1980-04-01");
    /* The service's today (2025-06-02): the loss shows; the old record, validity 2. */
    ask_expect(f, &m, ELIGIBILITY_NO_QUALIFICATION, &res);
    assert_int_equal(res.validity, 2);
    assert_int_equal(res.qualification.disqualification_date, D("2025-05-01"));
    /* 2025-05-10: the loss was filed ten days later, so the registry still showed the member. */
    m.date = D("2025-05-10");
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    assert_int_equal(res.date, D("2025-05-10"));
    assert_int_equal(res.qualification.disqualification_date, CORE_DAY_NONE);
    /* 2025-05-22: filed, not yet visible: a change in progress. */
    m.date = D("2025-05-22");
    ask_expect(f, &m, ELIGIBILITY_NOT_REFLECTED, &res);
    /* The card route likewise: the card is judged today, the qualification on the day asked. */
    pin_request(f, NULL, &m);
    m.date = D("2025-05-10");
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    pin_request(f, NULL, &m);
    ask_expect(f, &m, ELIGIBILITY_NO_QUALIFICATION, &res);
    /* A day after the service's: refused, the header kept so the clinic can pair the answer. */
    pin_request(f, NULL, &m);
    m.date = D("2025-06-03");
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_refusal_echoing(&res, &m, ELIGIBILITY_FUTURE_DATE_CODE);
    assert_int_equal(res.date, D("2025-06-03"));
    assert_int_equal(res.reference, ELIGIBILITY_REQUEST_CARD);
    /* An outage answers as an outage whatever the day asked. */
    eligibility_service_set_down(f->svc, true);
    header(&m, ELIGIBILITY_REQUEST_NUMBERS);
    m.date = D("2025-06-03");
    snprintf(m.numbers.insurer_number, sizeof m.numbers.insurer_number, "%s", INSURER);
    snprintf(m.numbers.number, sizeof m.numbers.number, "34");
    m.born = D("1980-04-01");
    ask_expect(f, &m, ELIGIBILITY_SERVICE_DOWN, &res);
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

/* ---- certificates minted with the test J-LIS CA's key (fixtures/pki) ----------------------------------- */

/* A certificate for `key`, issued under `issuer` (the CA's subject, or a name of its own when NULL), signed
 * by `signer`, serial `serial_hex`, valid from `from` (YYYYMMDDhhmmssZ) for ten years. Returns its DER size. */
static size_t mint_cert(EVP_PKEY *key, const X509 *issuer, EVP_PKEY *signer, const char *serial_hex,
                        const char *from, uint8_t *out, size_t cap)
{
    X509 *x = X509_new();
    assert_non_null(x);
    if (x == NULL)
        return 0;
    assert_int_equal(X509_set_version(x, 2), 1);
    BIGNUM *bn = NULL;
    assert_true(BN_hex2bn(&bn, serial_hex) > 0);
    ASN1_INTEGER *serial = BN_to_ASN1_INTEGER(bn, NULL);
    assert_int_equal(X509_set_serialNumber(x, serial), 1);
    ASN1_INTEGER_free(serial);
    BN_free(bn);
    ASN1_TIME *t = ASN1_TIME_new();
    assert_int_equal(ASN1_TIME_set_string_X509(t, from), 1);
    assert_int_equal(X509_set1_notBefore(x, t), 1);
    assert_int_equal(ASN1_TIME_set_string_X509(t, "20400101000000Z"), 1);
    assert_int_equal(X509_set1_notAfter(x, t), 1);
    ASN1_TIME_free(t);
    X509_NAME *subject = X509_NAME_new();
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, (const unsigned char *)"mynasim test holder", -1,
                               -1, 0);
    assert_int_equal(X509_set_subject_name(x, subject), 1);
    if (issuer != NULL) {
        assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(issuer)), 1);
    } else {
        X509_NAME *other = X509_NAME_new();
        X509_NAME_add_entry_by_txt(other, "CN", MBSTRING_ASC, (const unsigned char *)"not J-LIS", -1, -1, 0);
        assert_int_equal(X509_set_issuer_name(x, other), 1);
        X509_NAME_free(other);
    }
    X509_NAME_free(subject);
    assert_int_equal(X509_set_pubkey(x, key), 1);
    assert_true(X509_sign(x, signer, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0 && (size_t)n <= cap);
    memcpy(out, der, (size_t)n);
    OPENSSL_free(der);
    X509_free(x);
    return (size_t)n;
}

/* A PIN-route request with the certificate `der`, its nonce signed by `key` (RSA PKCS#1 v1.5, SHA-256). */
static void minted_pin_request(struct fixture *f, const uint8_t *der, size_t len, EVP_PKEY *key,
                               struct eligibility_request_msg *m)
{
    card_header(f, ELIGIBILITY_MSG_AUTH_PIN, der, len, m);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t siglen = sizeof m->card.signature;
    assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestSign(ctx, m->card.signature, &siglen, m->card.nonce, 32), 1);
    EVP_MD_CTX_free(ctx);
    m->card.signature_len = siglen;
    snprintf(m->card.reader_id, sizeof m->card.reader_id, "reader-1312345678-01");
}

/* A certificate minted as mint_cert does (holder's key `holder`), sent in a PIN-route request signed by
 * `holder` and asked in UTF-8: the answer in `res`, its result `want`. */
static void ask_minted(struct fixture *f, EVP_PKEY *holder, const X509 *issuer, EVP_PKEY *signer,
                       const char *serial_hex, const char *from, enum eligibility_result want,
                       struct eligibility_response_msg *res)
{
    static uint8_t der[ELIGIBILITY_MSG_CERT_MAX];
    struct eligibility_request_msg m;
    size_t n = mint_cert(holder, issuer, signer, serial_hex, from, der, sizeof der);
    minted_pin_request(f, der, n, holder, &m);
    ask_expect(f, &m, want, res);
}

/* A second person in the registry, holding card `card_id` with the certificate of serial `serial`. */
static uint32_t add_holder(struct fixture *f, uint64_t card_id, uint64_t serial, const char *symbol,
                           bool registered)
{
    char number[24];
    snprintf(number, sizeof number, "%llu", (unsigned long long)card_id);
    const struct eligibility_numbers numbers = member_test_numbers(symbol, number, "");
    uint32_t person = member_test_enrol(f->reg, D("1990-01-01"), &numbers, CORE_DAY_NONE, NULL);
    assert_int_equal(eligibility_card_issue(f->reg, person, card_id, D("2021-04-01"), D("2031-04-01"), serial,
                                            D("2030-04-01")),
                     CORE_OK);
    if (registered)
        assert_int_equal(eligibility_file_registration(f->reg, person, D("2021-05-01")), CORE_OK);
    return person;
}

static void registry_answers_for_minted_certificates(void **state)
{
    struct fixture *f = *state;
    EVP_PKEY *ca = load_ca_key();
    X509 *ca_cert = load_ca_cert();
    EVP_PKEY *holder = EVP_RSA_gen(2048);
    assert_non_null(holder);
    struct eligibility_response_msg res;

    /* Chains to the CA, signed by the holder's key, but J-LIS has no record of serial 0x1000: unknown. */
    ask_minted(f, holder, ca_cert, ca, "1000", "20200101000000Z", ELIGIBILITY_CERT_REVOKED, &res);
    assert_error_code(&res, "MYNE2003");

    /* The registry's records decide once the proofs hold: ok, then not registered, suspended, expired card,
     * renewed certificate. */
    add_holder(f, 501, 0x1001, "7", true);
    ask_minted(f, holder, ca_cert, ca, "1001", "20200101000000Z", ELIGIBILITY_OK, &res);
    assert_string_equal(res.qualification.numbers.number, "501");
    assert_string_equal(res.qualification.numbers.symbol, "7");
    assert_string_equal(res.result_code, "");

    add_holder(f, 502, 0x1002, "7", false);
    ask_minted(f, holder, ca_cert, ca, "1002", "20200101000000Z", ELIGIBILITY_NOT_REGISTERED, &res);
    assert_error_code(&res, "MYNE2006");

    add_holder(f, 503, 0x1003, "7", true);
    assert_int_equal(eligibility_card_suspend(f->reg, 503, D("2025-05-01")), CORE_OK);
    ask_minted(f, holder, ca_cert, ca, "1003", "20200101000000Z", ELIGIBILITY_CARD_SUSPENDED, &res);
    assert_error_code(&res, "MYNE2001");

    add_holder(f, 504, 0x1004, "7", true);
    assert_int_equal(eligibility_card_renew_cert(f->reg, 504, D("2025-05-01"), 0x1005, D("2030-04-01")),
                     CORE_OK);
    ask_minted(f, holder, ca_cert, ca, "1004", "20200101000000Z", ELIGIBILITY_CERT_REVOKED, &res);
    assert_error_code(&res, "MYNE2003");
    ask_minted(f, holder, ca_cert, ca, "1005", "20200101000000Z", ELIGIBILITY_OK, &res);

    /* The card itself past its expiry (2031-04-01): card_expired. */
    assert_int_equal(eligibility_service_set_date(f->svc, D("2031-06-01")), CORE_OK);
    ask_minted(f, holder, ca_cert, ca, "1001", "20200101000000Z", ELIGIBILITY_CARD_EXPIRED, &res);
    assert_error_code(&res, "MYNE2002");

    EVP_PKEY_free(holder);
    X509_free(ca_cert);
    EVP_PKEY_free(ca);
}

static void certificate_expiring_soon_carries_the_warning(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    /* The fixture card's certificate expires 2026-04-01: a month before, the reader is warned (AMEND-3). */
    assert_int_equal(eligibility_service_set_date(f->svc, D("2026-03-01")), CORE_OK);
    pin_request(f, NULL, &m);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    assert_string_equal(res.result_code, ELIGIBILITY_CODE_CERT_EXPIRES_SOON);
    /* The last day of the grace (national: AMEND-3) passes, the day after does not. */
    core_day last = eligibility_cert_grace_end(D(CERT_EXPIRY), 3);
    assert_int_equal(eligibility_service_set_date(f->svc, last), CORE_OK);
    pin_request(f, NULL, &m);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    assert_string_equal(res.result_code, ELIGIBILITY_CODE_CERT_IN_GRACE);
    assert_int_equal(eligibility_service_set_date(f->svc, last + 1), CORE_OK);
    pin_request(f, NULL, &m);
    ask_expect(f, &m, ELIGIBILITY_CERT_EXPIRED, &res);
    assert_error_code(&res, "MYNE2004");
}

static void certificates_the_ca_did_not_issue_are_refused(void **state)
{
    struct fixture *f = *state;
    EVP_PKEY *ca = load_ca_key();
    X509 *ca_cert = load_ca_cert();
    EVP_PKEY *holder = EVP_RSA_gen(2048);
    EVP_PKEY *rogue_ca = EVP_RSA_gen(2048);
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    assert_non_null(holder);
    assert_non_null(rogue_ca);
    assert_non_null(ec);
    static uint8_t der[ELIGIBILITY_MSG_CERT_MAX];
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    add_holder(f, 601, 0x2001, "8", true);

    /* The control: the CA's own certificate for serial 0x2001 passes. */
    ask_minted(f, holder, ca_cert, ca, "2001", "20200101000000Z", ELIGIBILITY_OK, &res);

    /* Issued under another name (not the CA's). */
    ask_minted(f, holder, NULL, ca, "2001", "20200101000000Z", ELIGIBILITY_CERT_REVOKED, &res);
    /* The CA's name, another key's signature: the wrong chain. */
    ask_minted(f, holder, ca_cert, rogue_ca, "2001", "20200101000000Z", ELIGIBILITY_CERT_REVOKED, &res);
    /* A serial wider than the registry's 64 bits. */
    ask_minted(f, holder, ca_cert, ca, "100000000000000002001", "20200101000000Z", ELIGIBILITY_CERT_REVOKED,
               &res);
    /* Not valid yet on the service's date (2025-06-02): from 2025-06-03. */
    size_t n = mint_cert(holder, ca_cert, ca, "2001", "20250603000000Z", der, sizeof der);
    minted_pin_request(f, der, n, holder, &m);
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    /* ... and accepted on that day (the same certificate, now cached). */
    assert_int_equal(eligibility_service_set_date(f->svc, D("2025-06-03")), CORE_OK);
    minted_pin_request(f, der, n, holder, &m);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    /* A user authentication certificate holds an RSA key; an EC one is not J-LIS's. */
    n = mint_cert(ec, ca_cert, ca, "2001", "20200101000000Z", der, sizeof der);
    face_request(f, f->reader_key, "reader-1312345678-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    memcpy(m.card.certificate, der, n);
    m.card.certificate_len = n;
    reader_sign(f->reader_key, &m.card);
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);

    EVP_PKEY_free(ec);
    EVP_PKEY_free(rogue_ca);
    EVP_PKEY_free(holder);
    X509_free(ca_cert);
    EVP_PKEY_free(ca);
}

static void nonce_of_the_wrong_length_is_refused(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    m.card.nonce_len = 16; /* a well-formed Nonce element, but not one of this service's 32-byte nonces */
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    m.card.nonce_len = 33;
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
}

/* A request with counter 0's nonce, then `more` nonces issued, then a request with a fresh one: the old
 * request is answered `want_old` (its answer in *old_res, its request in *old), the fresh one ok. */
static void stale_nonce_case(struct fixture *f, uint32_t more, enum eligibility_result want_old,
                             struct eligibility_request_msg *old, struct eligibility_response_msg *old_res)
{
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, old); /* counter 0 */
    uint8_t nonce[32];
    for (uint32_t i = 0; i < more; i++)
        assert_int_equal(eligibility_service_nonce(f->svc, nonce), CORE_OK);
    pin_request(f, NULL, &m);
    ask_expect(f, old, want_old, old_res);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
}

/* ELIGIBILITY_NONCE_WINDOW issued since counter 0 (the fresh one included): counter 0 has left the window. The
 * card did nothing wrong, so not cert_revoked: MYNE4002 (ELIGIBILITY_NONCE_EXPIRED_CODE), the header echoed,
 * which the clinic reads as a check that did not work unless it asks again (docs/MESSAGES.md). */
static void expired_nonce_has_its_own_code(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg old;
    struct eligibility_response_msg res;
    stale_nonce_case(f, ELIGIBILITY_NONCE_WINDOW - 1u, ELIGIBILITY_SERVICE_DOWN, &old, &res);
    assert_refusal_echoing(&res, &old, ELIGIBILITY_NONCE_EXPIRED_CODE);
    assert_string_equal(res.error_code, "MYNE4002");
    assert_string_equal(res.error_message, "Nonce expired: draw a fresh one and ask again");
    assert_int_equal(res.reference, ELIGIBILITY_REQUEST_CARD);
    /* In the request's encoding, like every answer. */
    ask(f, &old, ELIGIBILITY_ENC_CP932, &res);
    assert_int_equal(res.encoding, ELIGIBILITY_ENC_CP932);
    assert_string_equal(res.error_code, ELIGIBILITY_NONCE_EXPIRED_CODE);
    /* Only a nonce the service really issued is called expired: the same old counter with a MAC that does not
     * match is a forgery, refused as before. */
    old.card.nonce[31] ^= 1;
    ask_expect(f, &old, ELIGIBILITY_CERT_REVOKED, &res);
    assert_string_equal(res.error_code, "MYNE2003");
    /* An outage answers service_down before looking at the nonce. */
    old.card.nonce[31] ^= 1;
    eligibility_service_set_down(f->svc, true);
    ask(f, &old, ELIGIBILITY_ENC_UTF8, &res);
    assert_string_equal(res.error_code, "MYNE9001");
}

static void stale_nonce_boundary(void **state)
{
    /* Counter ELIGIBILITY_NONCE_WINDOW - 1 issued: counter 0 is the oldest still in the window, and unused. */
    struct eligibility_request_msg old;
    struct eligibility_response_msg res;
    stale_nonce_case(*state, ELIGIBILITY_NONCE_WINDOW - 2u, ELIGIBILITY_OK, &old, &res);
    assert_int_equal(res.segment, 1);
}

static void certificate_cache_starts_again_when_full(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    pin_request(f, NULL, &m);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    /* 3,100 distinct non-certificates: each one checked and cached, the cache cleared past 3,072 entries
     * (colliding slots probed on the way). */
    for (unsigned i = 0; i < 3100u; i++) {
        pin_request(f, NULL, &m);
        m.card.certificate[0] = (uint8_t)(i >> 8);
        m.card.certificate[1] = (uint8_t)i;
        m.card.certificate_len = 2;
        ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
        assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    }
    /* The card's certificate, checked afresh, still passes, and a bad one still fails. */
    pin_request(f, NULL, &m);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    pin_request(f, NULL, &m);
    m.card.certificate[0] = 0;
    m.card.certificate[1] = 5;
    m.card.certificate_len = 2;
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
}

static void reader_registration_is_checked(void **state)
{
    struct fixture *f = *state;
    struct core_error err;
    EVP_PKEY *p384 = EVP_EC_gen("P-384");
    EVP_PKEY *fresh = EVP_EC_gen("P-256");
    assert_non_null(p384);
    assert_non_null(fresh);
    uint8_t *spki = NULL, *spki384 = NULL;
    int n = i2d_PUBKEY(fresh, &spki);
    int n384 = i2d_PUBKEY(p384, &spki384);
    assert_true(n > 0 && n384 > 0);
    assert_int_equal(eligibility_service_register_reader(NULL, "r", spki, (size_t)n, &err), CORE_EINVAL);
    assert_int_equal(eligibility_service_register_reader(f->svc, NULL, spki, (size_t)n, &err), CORE_EINVAL);
    assert_int_equal(eligibility_service_register_reader(f->svc, "r", NULL, (size_t)n, &err), CORE_EINVAL);
    assert_int_equal(eligibility_service_register_reader(f->svc, "", spki, (size_t)n, &err), CORE_EINVAL);
    assert_string_equal(err.message, "reader id must be 1-32 characters");
    assert_int_equal(eligibility_service_register_reader(f->svc, "123456789012345678901234567890123", spki,
                                                         (size_t)n, &err),
                     CORE_EINVAL);
    assert_string_equal(err.message, "reader id must be 1-32 characters");
    static const char *const bad_ids[] = {"a b", "a/b", "a:b", "a@b", "a[b", "a`b", "a{b", "caf\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        assert_int_equal(eligibility_service_register_reader(f->svc, bad_ids[i], spki, (size_t)n, &err),
                         CORE_EINVAL);
        assert_string_equal(err.message, "reader id: only [0-9A-Za-z_.-]");
    }
    static uint8_t big[4097];
    assert_int_equal(eligibility_service_register_reader(f->svc, "r", big, sizeof big, &err), CORE_EINVAL);
    assert_string_equal(err.message, "reader key too long");
    assert_int_equal(eligibility_service_register_reader(f->svc, "r", spki384, (size_t)n384, &err),
                     CORE_EINVAL);
    assert_string_equal(err.message, "reader key: not an ECDSA P-256 public key");
    /* A P-256 key with a byte after it; a truncated one; not DER at all. */
    uint8_t padded[512];
    memcpy(padded, spki, (size_t)n);
    padded[n] = 0;
    assert_int_equal(eligibility_service_register_reader(f->svc, "r", padded, (size_t)n + 1, &err),
                     CORE_EINVAL);
    assert_int_equal(eligibility_service_register_reader(f->svc, "r", spki, (size_t)n - 1, &err),
                     CORE_EINVAL);
    assert_int_equal(eligibility_service_register_reader(f->svc, "r", big, 10, &err), CORE_EINVAL);

    /* Re-keying the fixture's reader: the old key no longer vouches, the new one does. */
    assert_int_equal(
        eligibility_service_register_reader(f->svc, "reader-1312345678-01", spki, (size_t)n, &err), CORE_OK);
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    face_request(f, f->reader_key, "reader-1312345678-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);
    face_request(f, fresh, "reader-1312345678-01", ELIGIBILITY_MSG_AUTH_FACE, &m);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);

    /* Many readers (past the first allocation of eight), each with its own key: the last one vouches. */
    for (int i = 0; i < 12; i++) {
        char id[16];
        snprintf(id, sizeof id, "R_%02d.x-y", i);
        assert_int_equal(eligibility_service_register_reader(f->svc, id, spki, (size_t)n, &err), CORE_OK);
    }
    face_request(f, fresh, "R_11.x-y", ELIGIBILITY_MSG_AUTH_VISUAL, &m);
    ask_expect(f, &m, ELIGIBILITY_OK, &res);
    face_request(f, fresh, "R_12.x-y", ELIGIBILITY_MSG_AUTH_VISUAL, &m);
    ask_expect(f, &m, ELIGIBILITY_CERT_REVOKED, &res);

    OPENSSL_free(spki);
    OPENSSL_free(spki384);
    EVP_PKEY_free(fresh);
    EVP_PKEY_free(p384);
}

static void a_registry_value_the_codec_cannot_carry_is_an_error(void **state)
{
    struct fixture *f = *state;
    EVP_PKEY *ca = load_ca_key();
    X509 *ca_cert = load_ca_cert();
    EVP_PKEY *holder = EVP_RSA_gen(2048);
    assert_non_null(holder);
    struct eligibility_response_msg res;
    /* An insurer filed a symbol with a control character: the response cannot carry it (MYNE3009), and the
     * answer is still a well-formed response with the request's header. */
    add_holder(f, 701, 0x3001,
               "1\x01"
               "2",
               true);
    /* ELIGIBILITY_SERVICE_DOWN: what the clinic reads from it */
    ask_minted(f, holder, ca_cert, ca, "3001", "20200101000000Z", ELIGIBILITY_SERVICE_DOWN, &res);
    assert_error_code(&res, "MYNE3009");
    assert_string_equal(res.file_id, "20250602093000001");
    assert_int_equal(res.reference, 1);
    EVP_PKEY_free(holder);
    X509_free(ca_cert);
    EVP_PKEY_free(ca);
}

static void null_and_edge_arguments(void **state)
{
    struct fixture *f = *state;
    struct core_error err;
    struct eligibility_service *svc = (struct eligibility_service *)1;
    assert_int_equal(eligibility_service_new(NULL, f->policy, &svc, &err), CORE_EINVAL);
    assert_int_equal(eligibility_service_new(f->reg, f->policy, NULL, &err), CORE_EINVAL);
    eligibility_service_free(NULL);
    assert_int_equal(eligibility_service_set_date(NULL, D("2025-01-01")), CORE_EINVAL);
    eligibility_service_set_down(NULL, true);
    eligibility_service_seed(NULL, 1);
    assert_int_equal(eligibility_service_date(NULL), CORE_DAY_NONE);
    uint8_t nonce[32];
    assert_int_equal(eligibility_service_nonce(NULL, nonce), CORE_EINVAL);
    assert_int_equal(eligibility_service_nonce(f->svc, NULL), CORE_EINVAL);
    uint8_t di[ELIGIBILITY_DIGEST_INFO_LEN];
    assert_int_equal(eligibility_card_digest_info(NULL, 32, di), CORE_EINVAL);
    assert_int_equal(eligibility_card_digest_info(nonce, 32, NULL), CORE_EINVAL);
    /* The DigestInfo of SHA-256(""): the fixed prefix, then the well-known digest. */
    assert_int_equal(eligibility_card_digest_info(nonce, 0, di), CORE_OK);
    assert_int_equal(di[0], 0x30);
    assert_int_equal(di[18], 0x20);
    assert_int_equal(di[19], 0xe3);
    assert_int_equal(di[50], 0x55);

    static struct eligibility_card_auth c;
    memset(&c, 0, sizeof c);
    c.nonce_len = 32;
    c.certificate_len = 10;
    c.face_match = 2;
    uint8_t out[64];
    size_t len = 0;
    assert_int_equal(eligibility_reader_signed_data(NULL, out, sizeof out, &len), CORE_EINVAL);
    assert_int_equal(eligibility_reader_signed_data(&c, NULL, sizeof out, &len), CORE_EINVAL);
    assert_int_equal(eligibility_reader_signed_data(&c, out, sizeof out, NULL), CORE_EINVAL);
    assert_int_equal(eligibility_reader_signed_data(&c, out, 42, &len), CORE_EINVAL); /* 43 needed */
    assert_int_equal(eligibility_reader_signed_data(&c, out, 43, &len), CORE_OK);
    assert_int_equal(len, 43);
    assert_int_equal(out[42], 2);
    c.nonce_len = sizeof c.nonce + 1;
    assert_int_equal(eligibility_reader_signed_data(&c, out, sizeof out, &len), CORE_EINVAL);
    c.nonce_len = 32;
    c.certificate_len = sizeof c.certificate + 1;
    assert_int_equal(eligibility_reader_signed_data(&c, out, sizeof out, &len), CORE_EINVAL);

    uint8_t *resp = NULL;
    size_t resp_len = 0;
    assert_int_equal(eligibility_service_handle(f->svc, (const uint8_t *)"x", 1, NULL, &resp_len),
                     CORE_EINVAL);
    assert_int_equal(eligibility_service_handle(f->svc, (const uint8_t *)"x", 1, &resp, NULL), CORE_EINVAL);
    /* No request at all: a malformed one, answered as such. */
    assert_int_equal(eligibility_service_handle(f->svc, NULL, 0, &resp, &resp_len), CORE_OK);
    struct eligibility_response_msg res;
    struct eligibility_msg_error merr;
    assert_int_equal(eligibility_response_parse(resp, resp_len, &res, &merr), CORE_OK);
    free(resp);
    assert_error_code(&res, "MYNE3002");
    assert_int_equal(res.date, CORE_DAY_NONE);
    assert_int_equal(res.reference, 0);
}

static void the_process_clock_dates_the_answer(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    assert_int_equal(eligibility_service_set_date(f->svc, CORE_DAY_NONE), CORE_OK);
    core_day before = core_date_today();
    assert_true(eligibility_service_date(f->svc) >= before);
    header(&m, ELIGIBILITY_REQUEST_NUMBERS);
    snprintf(m.numbers.insurer_number, sizeof m.numbers.insurer_number, "%s", INSURER);
    snprintf(m.numbers.number, sizeof m.numbers.number, "34");
    m.born = D("1980-04-01");
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    core_day after = core_date_today();
    /* ProcessExecutionTime is the clock's Japan date and time: 14 digits, a day between before and after. */
    assert_int_equal(strlen(res.process_time), 14);
    char ymd[11];
    snprintf(ymd, sizeof ymd, "%.4s-%.2s-%.2s", res.process_time, res.process_time + 4, res.process_time + 6);
    core_day when = D(ymd);
    assert_true(when >= before && when <= after);
    int hh = (res.process_time[8] - '0') * 10 + (res.process_time[9] - '0');
    int mm = (res.process_time[10] - '0') * 10 + (res.process_time[11] - '0');
    assert_true(hh < 24 && mm < 60);
}

static void a_broken_test_ca_stops_the_service_from_starting(void **state)
{
    struct fixture *f = *state;
    char dir[] = "/tmp/mynasim-svc-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/pki", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/pki/auth-ca.crt.pem", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    if (fp == NULL)
        return;
    fputs("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n", fp);
    fclose(fp);
    const char *old = getenv("MYNASIM_DATA_DIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("MYNASIM_DATA_DIR", dir, 1);
    struct eligibility_service *svc = NULL;
    struct core_error err;
    int rc = eligibility_service_new(f->reg, f->policy, &svc, &err);
    if (saved != NULL) {
        setenv("MYNASIM_DATA_DIR", saved, 1);
        free(saved);
    } else {
        unsetenv("MYNASIM_DATA_DIR");
    }
    unlink(path);
    snprintf(path, sizeof path, "%s/pki", dir);
    rmdir(path);
    rmdir(dir);
    assert_int_equal(rc, CORE_ECRYPTO);
    assert_null(svc);
    assert_string_equal(err.message, "not a PEM certificate");
}

int main(void)
{
#define NATIONAL(test) cmocka_unit_test_setup_teardown(test, setup_national, teardown)
    const struct CMUnitTest tests[] = {
        NATIONAL(pin_route_with_the_cards_signature_is_accepted),
        NATIONAL(replayed_nonce_is_refused),
        NATIONAL(nonce_never_issued_is_refused),
        NATIONAL(a_service_date_the_messages_cannot_carry_is_refused),
        NATIONAL(borrowed_certificate_is_refused),
        NATIONAL(certificate_not_from_jlis_is_refused),
        NATIONAL(the_request_date_is_answered),
        NATIONAL(expired_certificate_under_national_passes_in_grace),
        cmocka_unit_test_setup_teardown(expired_certificate_as_announced_is_refused, setup_announced,
                                        teardown),
        NATIONAL(blocked_pin_answers_pin_locked),
        NATIONAL(registered_reader_vouches_for_face_and_visual),
        NATIONAL(unregistered_reader_is_refused),
        NATIONAL(outage_answers_service_down),
        NATIONAL(number_request_is_answered),
        NATIONAL(bad_requests_get_error_codes),
        NATIONAL(samples_are_answered),
        NATIONAL(registry_answers_for_minted_certificates),
        NATIONAL(certificate_expiring_soon_carries_the_warning),
        NATIONAL(certificates_the_ca_did_not_issue_are_refused),
        NATIONAL(nonce_of_the_wrong_length_is_refused),
        NATIONAL(expired_nonce_has_its_own_code),
        NATIONAL(stale_nonce_boundary),
        NATIONAL(certificate_cache_starts_again_when_full),
        NATIONAL(reader_registration_is_checked),
        NATIONAL(a_registry_value_the_codec_cannot_carry_is_an_error),
        NATIONAL(null_and_edge_arguments),
        NATIONAL(the_process_clock_dates_the_answer),
        NATIONAL(a_broken_test_ca_stops_the_service_from_starting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
