/* Tests of sim/clinic/reception.c: the wire path of a visit (APDUs to the virtual card through the in-process
 * reader, request and response messages through the eligibility service, clinic_decide) against the rules
 * path's decision (the registry's check and clinic_decide called directly, as sim/world/judge.c does). */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/x509.h>

#include "card/card.h"
#include "clinic/clinic.h"
#include "pcsc/pcsc.h"

#define INSURER "112334"
#define INSTITUTION "1312345678"

static core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

/* One resident: a card in a reader, a person in the registry. */
struct resident {
    struct card *card;
    struct pcsc_reader *reader;
    uint64_t serial;
    struct eligibility_numbers numbers;
    core_day born;
    char pin[17];
};

struct fixture {
    struct policy *policy;
    struct eligibility_registry *reg;
    struct eligibility_service *svc;
    struct clinic_device *device;
    struct resident normal, face_only, blocked, stranger;
};

static uint64_t serial_of(struct card *c)
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

/* A card from a shipped profile (another id gives another card with the same holder); filed with the registry
 * unless `stranger` (J-LIS never issued it). */
static void make_resident(struct fixture *f, struct resident *r, const char *profile_name, const char *id,
                          const char *number, bool stranger)
{
    struct core_error err;
    char path[1024];
    struct card_profile prof;
    assert_int_equal(policy_find_data(profile_name, path, sizeof path, &err), CORE_OK);
    card_profile_init(&prof);
    if (card_profile_load(path, &prof, &err) != CORE_OK)
        fail_msg("%s: %s", path, err.message);
    if (id != NULL)
        snprintf(prof.id, sizeof prof.id, "%s", id);
    if (card_new(&prof, f->policy, &r->card, &err) != CORE_OK)
        fail_msg("card_new: %s", err.message);
    assert_int_equal(pcsc_reader_open_card(r->card, &r->reader, &err), CORE_OK);
    r->serial = serial_of(r->card);
    r->born = prof.holder.born;
    snprintf(r->pin, sizeof r->pin, "%s", prof.auth_pin);
    snprintf(r->numbers.insurer_number, sizeof r->numbers.insurer_number, "%s", INSURER);
    snprintf(r->numbers.symbol, sizeof r->numbers.symbol, "12");
    snprintf(r->numbers.number, sizeof r->numbers.number, "%s", number);
    snprintf(r->numbers.branch, sizeof r->numbers.branch, "00");
    if (stranger)
        return;
    uint32_t person, membership;
    assert_int_equal(eligibility_person_add(f->reg, r->born, &person), CORE_OK);
    struct eligibility_enrollment e;
    memset(&e, 0, sizeof e);
    e.numbers = r->numbers;
    e.start = D("2020-04-01");
    assert_int_equal(
        eligibility_file_enrollment(f->reg, person, &e, D("2020-04-01"), D("2020-04-01"), &membership),
        CORE_OK);
    const struct card_state *st = card_state(r->card);
    static uint64_t next_id = 100;
    assert_int_equal(eligibility_card_issue(f->reg, person, next_id++, st->issued, st->expires, r->serial,
                                            st->cert_expires),
                     CORE_OK);
    assert_int_equal(eligibility_file_registration(f->reg, person, D("2024-05-01")), CORE_OK);
}

static void free_resident(struct resident *r)
{
    pcsc_reader_close(r->reader);
    card_free(r->card);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    struct core_error err;
    if (policy_load_named("national", &f->policy, &err) != CORE_OK)
        fail_msg("policy: %s", err.message);
    assert_int_equal(eligibility_registry_new(f->policy, &f->reg), CORE_OK);
    make_resident(f, &f->normal, "cards/default.yaml", NULL, "1001", false);
    make_resident(f, &f->face_only, "cards/face_only.yaml", NULL, "1002", false);
    make_resident(f, &f->blocked, "cards/pin_blocked.yaml", NULL, "1003", false);
    make_resident(f, &f->stranger, "cards/default.yaml", "reception-stranger", "1004", true);
    if (eligibility_service_new(f->reg, f->policy, &f->svc, &err) != CORE_OK)
        fail_msg("service: %s", err.message);
    eligibility_service_seed(f->svc, 7);
    if (clinic_device_new("clinic-a", &f->device, &err) != CORE_OK)
        fail_msg("device: %s", err.message);
    assert_int_equal(clinic_device_register(f->device, f->svc, &err), CORE_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    free_resident(&f->normal);
    free_resident(&f->face_only);
    free_resident(&f->blocked);
    free_resident(&f->stranger);
    clinic_device_free(f->device);
    eligibility_service_free(f->svc);
    eligibility_registry_free(f->reg);
    policy_free(f->policy);
    free(f);
    return 0;
}

/* ---- one visit both ways ----------------------------------------------------------------------------- */

struct visit {
    const char *on;
    enum clinic_reader reader;
    bool online_ok, service_down;
    bool card, paper_card, certificate, notice;
    bool paper_expired; /* the paper card's printed expiry has passed (AMEND-1's look-up) */
    bool bad_numbers;   /* the paper card's insurer number has a wrong check digit */
    const char *pin;    /* NULL: the resident's own */
    struct clinic_faults faults;
    const char *holder_name;
};

static void presented(const struct resident *r, const struct visit *v, struct clinic_presented *p)
{
    memset(p, 0, sizeof *p);
    p->card = v->card;
    p->card_face_only = card_state(r->card)->kind == CARD_KIND_FACE_ONLY;
    p->paper_card = v->paper_card;
    p->paper_numbers = r->numbers;
    if (v->bad_numbers)
        p->paper_numbers.insurer_number[5] = p->paper_numbers.insurer_number[5] == '9' ? '0' : '9';
    p->paper_expiry = v->paper_expired ? D("2025-07-31") : CORE_DAY_NONE;
    p->certificate = v->certificate;
    p->certificate_numbers = r->numbers;
    p->certificate_from = D("2025-01-01");
    p->certificate_to = D("2026-07-31");
    p->notice = v->notice;
    p->notice_numbers = r->numbers;
    p->notice_type = 'B';
    p->born = r->born;
}

/* A hostile or broken service: the real one's answer, then spoiled. */
enum spoil {
    SPOIL_NONE,
    SPOIL_TRUNCATE,
    SPOIL_GARBAGE,
    SPOIL_XXE,
    SPOIL_OTHER_FILE,
    SPOIL_FAIL,
    SPOIL_EMPTY
};
struct hostile {
    struct eligibility_service *svc;
    enum spoil how;
};

static int hostile_transport(void *ctx, const uint8_t *req, size_t len, uint8_t **resp, size_t *resp_len)
{
    struct hostile *h = ctx;
    if (h->how == SPOIL_FAIL)
        return CORE_EIO;
    int rc = eligibility_service_handle(h->svc, req, len, resp, resp_len);
    if (rc != CORE_OK)
        return rc;
    const char *replace = NULL;
    switch (h->how) {
    case SPOIL_TRUNCATE:
        *resp_len /= 2;
        break;
    case SPOIL_GARBAGE:
        for (size_t i = 0; i < *resp_len; i += 7)
            (*resp)[i] ^= 0x5A;
        break;
    case SPOIL_XXE:
        replace = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM "
                  "\"file:///etc/passwd\">]><XmlMsg>&e;</XmlMsg>";
        break;
    case SPOIL_OTHER_FILE: {
        /* A well-formed answer to another request: the file identifier differs. */
        char *p = memmem(*resp, *resp_len, "<ArbitraryFileIdentifier>", 25);
        if (p != NULL)
            p[25] = p[25] == 'X' ? 'Y' : 'X';
        break;
    }
    case SPOIL_EMPTY:
        *resp_len = 0;
        break;
    default:
        break;
    }
    if (replace != NULL) {
        free(*resp);
        *resp_len = strlen(replace);
        *resp = malloc(*resp_len);
        assert_non_null(*resp);
        memcpy(*resp, replace, *resp_len);
    }
    return CORE_OK;
}

/* What sim/world/judge.c decides for the same visit. */
static void rules_path(struct fixture *f, const struct resident *r, const struct visit *v,
                       struct clinic_decision *dec, struct eligibility_answer *card)
{
    core_day on = D(v->on);
    struct clinic_presented p;
    presented(r, v, &p);
    bool online = v->online_ok && !v->faults.reader_fault;
    bool check = v->reader != CLINIC_READER_NONE && online;
    struct eligibility_answer paper, cert, notice;
    struct clinic_answers ans = {NULL, NULL, NULL, NULL};
    if (v->paper_card && check) {
        struct eligibility_number_request nr = {on, false, v->service_down, p.paper_numbers, r->born};
        assert_int_equal(eligibility_check_numbers(f->reg, &nr, &paper), CORE_OK);
        ans.paper_card = &paper;
    }
    if (v->certificate && check) {
        struct eligibility_number_request nr = {on, false, v->service_down, p.certificate_numbers, r->born};
        assert_int_equal(eligibility_check_numbers(f->reg, &nr, &cert), CORE_OK);
        ans.certificate = &cert;
    }
    if (v->notice && check) {
        struct eligibility_number_request nr = {on, false, v->service_down, p.notice_numbers, r->born};
        assert_int_equal(eligibility_check_numbers(f->reg, &nr, &notice), CORE_OK);
        ans.notice = &notice;
    }
    memset(card, 0, sizeof *card);
    if (v->card) {
        struct eligibility_card_request req;
        memset(&req, 0, sizeof req);
        req.on = on;
        req.card_in_hand = true;
        req.reader_down = !check;
        req.service_down = v->service_down;
        req.cert_serial =
            v->faults.borrowed_certificate || v->faults.replayed_request ? UINT64_MAX : r->serial;
        req.auth = clinic_reader_auth(v->reader, p.card_face_only, v->faults.face_mismatch);
        req.pin_blocked = card_state(r->card)->tries_left[CARD_PIN_AUTH] == 0 &&
                          card_state(r->card)->tries_max[CARD_PIN_AUTH] > 0;
        assert_int_equal(eligibility_check_card(f->reg, &req, card), CORE_OK);
        ans.card = card;
    }
    struct clinic_input in;
    memset(&in, 0, sizeof in);
    in.on = on;
    in.visit = CLINIC_VISIT_FIRST;
    in.reader = v->reader;
    in.online_ok = online;
    in.presented = &p;
    in.answers = ans;
    in.policy = f->policy;
    assert_int_equal(clinic_decide(&in, dec), CORE_OK);
}

static struct hostile *current_hostile; /* set by a test: requests go through it */

static void wire_path(struct fixture *f, struct resident *r, const struct visit *v,
                      struct clinic_reception_result *out)
{
    struct clinic_presented p;
    presented(r, v, &p);
    eligibility_service_set_date(f->svc, D(v->on));
    eligibility_service_set_down(f->svc, v->service_down);
    struct clinic_reception in;
    memset(&in, 0, sizeof in);
    in.on = D(v->on);
    in.visit = CLINIC_VISIT_FIRST;
    in.reader = v->reader;
    in.online_ok = v->online_ok;
    in.presented = &p;
    in.card = r->reader;
    in.surface.born = card_holder(r->card)->born;
    in.surface.card_expires = card_state(r->card)->expires;
    memcpy(in.surface.security_code, card_holder(r->card)->security_code, 5);
    in.pin = v->pin != NULL ? v->pin : r->pin;
    in.faults = v->faults;
    const uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(card_cert_der(f->stranger.card, CARD_CERT_AUTH, &der, &len), CORE_OK);
    in.borrowed_cert = der;
    in.borrowed_cert_len = len;
    in.holder_name = v->holder_name;
    in.service = f->svc;
    in.device = f->device;
    if (current_hostile != NULL) {
        in.transport = hostile_transport;
        in.transport_ctx = current_hostile;
    }
    in.institution = INSTITUTION;
    in.policy = f->policy;
    struct core_error err;
    core_error_clear(&err);
    if (clinic_reception_run(&in, out, &err) != CORE_OK)
        fail_msg("reception: %s", err.message);
    eligibility_service_set_down(f->svc, false);
}

/* Runs the visit both ways, requires the same decision and card answer; returns the wire result. */
static struct clinic_reception_result both(struct fixture *f, struct resident *r, const struct visit *v)
{
    struct clinic_decision rules;
    struct eligibility_answer rules_card;
    rules_path(f, r, v, &rules, &rules_card);
    struct clinic_reception_result wire;
    wire_path(f, r, v, &wire);
    assert_int_equal(wire.decision.outcome, rules.outcome);
    assert_int_equal(wire.decision.route, rules.route);
    assert_string_equal(wire.decision.rule, rules.rule);
    assert_int_equal(wire.decision.fee_total, rules.fee_total);
    assert_int_equal(wire.decision.copay, rules.copay);
    assert_int_equal(wire.decision.copay_percent, rules.copay_percent);
    assert_int_equal(wire.decision.card_used, rules.card_used);
    assert_int_equal(wire.decision.fee_charged, rules.fee_charged);
    assert_int_equal(wire.decision.limit_applied, rules.limit_applied);
    assert_int_equal(wire.decision.grace, rules.grace);
    if (v->card) {
        assert_true(wire.card_asked);
        assert_int_equal(wire.card.result, rules_card.result);
        assert_int_equal(wire.card.warnings, rules_card.warnings);
        assert_int_equal(wire.card.has_qualification, rules_card.has_qualification);
        if (rules_card.has_qualification)
            assert_memory_equal(&wire.card.qualification.numbers, &rules_card.qualification.numbers,
                                sizeof rules_card.qualification.numbers);
    }
    return wire;
}

/* ---- the routes -------------------------------------------------------------------------------------- */

static void pin_route_is_accepted_and_decided_like_the_rules_path(void **state)
{
    struct fixture *f = *state;
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_PIN, .online_ok = true, .card = true};
    struct clinic_reception_result r = both(f, &f->normal, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.auth, ELIGIBILITY_AUTH_PIN);
    assert_int_equal(r.decision.route, CLINIC_ROUTE_CARD);
    assert_true(r.decision.card_used);
    assert_int_equal(r.requests, 1);
    /* The PIN was verified with the right PIN: its counter is whole. */
    assert_int_equal(card_state(f->normal.card)->tries_left[CARD_PIN_AUTH],
                     card_state(f->normal.card)->tries_max[CARD_PIN_AUTH]);
    /* Again the next day: a fresh nonce each time. */
    v.on = "2025-06-03";
    r = both(f, &f->normal, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
}

static void blocked_pin_is_pin_locked_and_the_face_route_still_works(void **state)
{
    struct fixture *f = *state;
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_PIN, .online_ok = true, .card = true};
    struct clinic_reception_result r = both(f, &f->blocked, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_PIN_LOCKED);
    assert_false(r.decision.card_used);
    v.reader = CLINIC_READER_FACE;
    r = both(f, &f->blocked, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.auth, ELIGIBILITY_AUTH_FACE);
    assert_true(r.decision.card_used);
    /* With the paper card as well, the PIN reader falls back to it. */
    v.reader = CLINIC_READER_PIN;
    v.paper_card = true;
    r = both(f, &f->blocked, &v);
    assert_int_equal(r.decision.route, CLINIC_ROUTE_PAPER_CARD);
}

static void face_route_with_and_without_a_failed_match(void **state)
{
    struct fixture *f = *state;
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_FACE, .online_ok = true, .card = true};
    struct clinic_reception_result r = both(f, &f->normal, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.auth, ELIGIBILITY_AUTH_FACE);
    v.faults.face_mismatch = true; /* falls back to the PIN */
    r = both(f, &f->normal, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.auth, ELIGIBILITY_AUTH_PIN);
    r = both(f, &f->blocked, &v); /* and the blocked PIN then fails */
    assert_int_equal(r.card.result, ELIGIBILITY_PIN_LOCKED);
}

static void face_only_card_is_checked_visually(void **state)
{
    struct fixture *f = *state;
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_PIN, .online_ok = true, .card = true};
    struct clinic_reception_result r = both(f, &f->face_only, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.auth, ELIGIBILITY_AUTH_VISUAL);
    v.reader = CLINIC_READER_FACE;
    r = both(f, &f->face_only, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.auth, ELIGIBILITY_AUTH_FACE);
    v.faults.face_mismatch = true;
    r = both(f, &f->face_only, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.auth, ELIGIBILITY_AUTH_VISUAL);
}

static void borrowed_certificate_and_replayed_request_are_refused(void **state)
{
    struct fixture *f = *state;
    enum clinic_reader readers[] = {CLINIC_READER_PIN, CLINIC_READER_FACE};
    for (size_t i = 0; i < 2; i++) {
        struct visit v = {.on = "2025-06-02", .reader = readers[i], .online_ok = true, .card = true};
        v.faults.borrowed_certificate = true;
        struct clinic_reception_result r = both(f, &f->normal, &v);
        assert_int_equal(r.card.result, ELIGIBILITY_CERT_REVOKED);
        v.faults.borrowed_certificate = false;
        v.faults.replayed_request = true;
        r = both(f, &f->normal, &v);
        assert_int_equal(r.card.result, ELIGIBILITY_CERT_REVOKED);
        assert_int_equal(r.requests, 2);
    }
}

static void reader_fault_reads_nothing(void **state)
{
    struct fixture *f = *state;
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_FACE, .online_ok = true, .card = true};
    v.faults.reader_fault = true;
    struct clinic_reception_result r = both(f, &f->normal, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_READER_DOWN);
    assert_int_equal(r.requests, 0);
    v.paper_card = true;
    r = both(f, &f->normal, &v);
    assert_int_equal(r.requests, 0);
    /* No reader at all, and a service outage. */
    v.faults.reader_fault = false;
    v.reader = CLINIC_READER_NONE;
    both(f, &f->normal, &v);
    v.reader = CLINIC_READER_PIN;
    v.service_down = true;
    r = both(f, &f->normal, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_SERVICE_DOWN);
}

static void number_route_for_a_paper_card(void **state)
{
    struct fixture *f = *state;
    struct visit v = {
        .on = "2025-06-02", .reader = CLINIC_READER_FACE, .online_ok = true, .paper_card = true};
    struct clinic_reception_result r = both(f, &f->normal, &v);
    assert_int_equal(r.paper_card.result, ELIGIBILITY_OK);
    assert_int_equal(r.decision.route, CLINIC_ROUTE_PAPER_CARD);
    assert_int_equal(r.requests, 1);
    /* Numbers the registry does not know: DESK-2 refuses. */
    struct resident ghost = f->stranger;
    r = both(f, &ghost, &v);
    assert_int_equal(r.paper_card.result, ELIGIBILITY_NO_QUALIFICATION);
}

static void expired_paper_card_gets_the_lookup(void **state)
{
    struct fixture *f = *state;
    struct visit v = {.on = "2025-09-01",
                      .reader = CLINIC_READER_PIN,
                      .online_ok = true,
                      .paper_card = true,
                      .paper_expired = true};
    struct clinic_reception_result r = both(f, &f->normal, &v);
    assert_int_equal(r.paper_card.result, ELIGIBILITY_OK);
    assert_int_equal(r.decision.route, CLINIC_ROUTE_LOOKUP);
    assert_true(r.decision.grace);
    assert_int_equal(r.requests, 1);
}

static void unshowable_name_shows_as_a_black_circle(void **state)
{
    struct fixture *f = *state;
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_FACE, .online_ok = true, .card = true};
    v.faults.unshowable_name = true;
    v.holder_name = "\xf0\xa0\xae\xb7\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e"; /* 𠮷田 太郎 */
    struct clinic_reception_result r = both(f, &f->normal, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_string_equal(r.shown_name, "\xe2\x97\x8f\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e"); /* ●田 太郎 */
}

static void a_broken_service_reads_as_service_down(void **state)
{
    struct fixture *f = *state;
    enum spoil spoils[] = {SPOIL_TRUNCATE,   SPOIL_GARBAGE, SPOIL_XXE,
                           SPOIL_OTHER_FILE, SPOIL_FAIL,    SPOIL_EMPTY};
    for (size_t i = 0; i < sizeof spoils / sizeof spoils[0]; i++) {
        struct hostile h = {f->svc, spoils[i]};
        current_hostile = &h;
        struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_PIN, .online_ok = true, .card = true};
        v.paper_card = true;
        /* The rules path with the service out decides what the desk must decide here. */
        struct clinic_decision rules;
        struct eligibility_answer rules_card;
        struct visit down = v;
        down.service_down = true;
        rules_path(f, &f->normal, &down, &rules, &rules_card);
        struct clinic_reception_result r;
        wire_path(f, &f->normal, &v, &r);
        current_hostile = NULL;
        assert_int_equal(r.card.result, ELIGIBILITY_SERVICE_DOWN);
        assert_int_equal(r.paper_card.result, ELIGIBILITY_SERVICE_DOWN);
        assert_int_equal(r.decision.outcome, rules.outcome);
        assert_int_equal(r.decision.route, rules.route);
        assert_string_equal(r.decision.rule, rules.rule);
    }
    /* Untouched, the same transport gives the service's real answer. */
    struct hostile h = {f->svc, SPOIL_NONE};
    current_hostile = &h;
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_PIN, .online_ok = true, .card = true};
    struct clinic_reception_result r = both(f, &f->normal, &v);
    current_hostile = NULL;
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
}

static void certificate_and_notice_go_by_numbers(void **state)
{
    struct fixture *f = *state;
    struct visit v = {
        .on = "2025-06-02", .reader = CLINIC_READER_PIN, .online_ok = true, .certificate = true};
    struct clinic_reception_result r = both(f, &f->normal, &v);
    assert_int_equal(r.certificate.result, ELIGIBILITY_OK);
    v.certificate = false;
    v.notice = true;
    v.card = true;
    v.faults.borrowed_certificate = true; /* the card is refused: the notice alone does not do (NOTICE-2) */
    r = both(f, &f->normal, &v);
    assert_int_equal(r.notice.result, ELIGIBILITY_OK);
    assert_int_equal(r.requests, 2);
    /* Numbers that cannot even be written (a wrong check digit): nothing found, as the rules path says. */
    struct visit bad = {.on = "2025-06-02",
                        .reader = CLINIC_READER_PIN,
                        .online_ok = true,
                        .paper_card = true,
                        .bad_numbers = true};
    r = both(f, &f->normal, &bad);
    assert_int_equal(r.paper_card.result, ELIGIBILITY_NO_QUALIFICATION);
    assert_int_equal(r.requests, 0);
}

static void a_wrong_pin_is_not_a_signature(void **state)
{
    struct fixture *f = *state;
    uint8_t saved[CARD_STATE_MAX];
    size_t len = 0;
    assert_int_equal(card_state_save(f->normal.card, saved, sizeof saved, &len), CORE_OK);
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_PIN, .online_ok = true, .card = true};
    v.pin = strcmp(f->normal.pin, "0000") == 0 ? "9999" : "0000";
    struct clinic_reception_result r;
    wire_path(f, &f->normal, &v, &r);
    assert_int_equal(r.card.result, ELIGIBILITY_PIN_LOCKED);
    assert_int_equal(r.requests, 0);
    assert_false(r.decision.card_used);
    struct core_error err;
    assert_int_equal(card_state_restore(f->normal.card, saved, len, &err), CORE_OK);
}

/* A card that answers nothing useful (6A82 to every command), or whose reader fails outright. */
static size_t mute_atr(void *ctx, uint8_t *out, size_t cap)
{
    (void)ctx;
    static const uint8_t atr[] = {0x3B, 0x00};
    size_t n = cap < sizeof atr ? cap : sizeof atr;
    memcpy(out, atr, n);
    return n;
}
static void mute_power(void *ctx)
{
    (void)ctx;
}
static int mute_transmit(void *ctx, const uint8_t *capdu, size_t len, uint8_t *rapdu, size_t cap,
                         size_t *rlen, struct core_error *err)
{
    (void)capdu;
    (void)len;
    (void)cap;
    if (ctx != NULL)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "the reader is unplugged");
    rapdu[0] = 0x6A;
    rapdu[1] = 0x82;
    *rlen = 2;
    return CORE_OK;
}
static const struct pcsc_card_ops mute_ops = {mute_atr,   mute_power,    mute_power,
                                              mute_power, mute_transmit, NULL};

static void a_card_that_does_not_answer_is_a_reader_fault(void **state)
{
    struct fixture *f = *state;
    static int unplugged;
    void *ctxs[] = {NULL, &unplugged};
    for (size_t i = 0; i < 2; i++) {
        struct core_error err;
        struct resident mute = f->normal;
        assert_int_equal(pcsc_reader_open_ops(&mute_ops, ctxs[i], &mute.reader, &err), CORE_OK);
        enum clinic_reader readers[] = {CLINIC_READER_FACE, CLINIC_READER_PIN};
        for (size_t k = 0; k < 2; k++) {
            struct visit v = {.on = "2025-06-02", .reader = readers[k], .online_ok = true, .card = true};
            struct clinic_reception_result r;
            wire_path(f, &mute, &v, &r);
            assert_int_equal(r.card.result, ELIGIBILITY_READER_DOWN);
            assert_int_equal(r.requests, 0);
        }
        pcsc_reader_close(mute.reader);
    }
}

static void bad_inputs_are_refused(void **state)
{
    struct fixture *f = *state;
    struct core_error err;
    struct clinic_reception_result r;
    assert_int_equal(clinic_reception_run(NULL, &r, &err), CORE_EINVAL);
    struct clinic_presented p;
    memset(&p, 0, sizeof p);
    p.card = true;
    struct clinic_reception in;
    memset(&in, 0, sizeof in);
    in.on = D("2025-06-02");
    in.reader = CLINIC_READER_PIN;
    in.online_ok = true;
    in.presented = &p;
    in.policy = f->policy;
    assert_int_equal(clinic_reception_run(&in, &r, &err), CORE_EINVAL); /* no service */
    in.service = f->svc;
    in.device = f->device;
    assert_int_equal(clinic_reception_run(&in, &r, &err), CORE_EINVAL); /* the card not in a reader */
    assert_int_equal(clinic_device_new(NULL, NULL, &err), CORE_EINVAL);
    assert_int_equal(clinic_device_register(NULL, f->svc, &err), CORE_EINVAL);
    assert_int_equal(clinic_device_public_key(NULL, NULL, NULL), CORE_EINVAL);
    clinic_device_free(NULL);
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_FACE, .online_ok = true, .card = true};
    v.faults.unshowable_name = true; /* with no name to show, nothing is shown */
    r = both(f, &f->normal, &v);
    assert_string_equal(r.shown_name, "");
}

static void device_keys_are_deterministic(void **state)
{
    (void)state;
    struct core_error err;
    struct clinic_device *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(clinic_device_new("clinic-x", &a, &err), CORE_OK);
    assert_int_equal(clinic_device_new("clinic-x", &b, &err), CORE_OK);
    assert_int_equal(clinic_device_new("clinic-y", &c, &err), CORE_OK);
    const uint8_t *ka, *kb, *kc;
    size_t la, lb, lc;
    assert_int_equal(clinic_device_public_key(a, &ka, &la), CORE_OK);
    assert_int_equal(clinic_device_public_key(b, &kb, &lb), CORE_OK);
    assert_int_equal(clinic_device_public_key(c, &kc, &lc), CORE_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(ka, kb, la);
    assert_true(la != lc || memcmp(ka, kc, la) != 0);
    assert_string_equal(clinic_device_id(a), clinic_device_id(b));
    assert_string_not_equal(clinic_device_id(a), clinic_device_id(c));
    clinic_device_free(a);
    clinic_device_free(b);
    clinic_device_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pin_route_is_accepted_and_decided_like_the_rules_path),
        cmocka_unit_test(blocked_pin_is_pin_locked_and_the_face_route_still_works),
        cmocka_unit_test(face_route_with_and_without_a_failed_match),
        cmocka_unit_test(face_only_card_is_checked_visually),
        cmocka_unit_test(borrowed_certificate_and_replayed_request_are_refused),
        cmocka_unit_test(reader_fault_reads_nothing),
        cmocka_unit_test(number_route_for_a_paper_card),
        cmocka_unit_test(expired_paper_card_gets_the_lookup),
        cmocka_unit_test(unshowable_name_shows_as_a_black_circle),
        cmocka_unit_test(a_broken_service_reads_as_service_down),
        cmocka_unit_test(certificate_and_notice_go_by_numbers),
        cmocka_unit_test(a_wrong_pin_is_not_a_signature),
        cmocka_unit_test(a_card_that_does_not_answer_is_a_reader_fault),
        cmocka_unit_test(bad_inputs_are_refused),
        cmocka_unit_test(device_keys_are_deterministic),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
