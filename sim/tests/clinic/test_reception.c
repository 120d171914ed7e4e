/* Tests of sim/clinic/reception.c: the wire path of a visit (APDUs to the virtual card through the in-process
 * reader, request and response messages through the eligibility service, clinic_decide) against the rules
 * path's decision (the registry's check and clinic_decide called directly, as sim/world/visits.c does). */
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
#include "clinic_test.h"
#include "../eligibility/member_test.h"

#define INSTITUTION "1312345678"

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
    r->numbers = member_test_numbers("12", number, "00");
    if (stranger)
        return;
    uint32_t person = member_test_enrol(f->reg, r->born, &r->numbers, D("2020-04-01"), NULL);
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
    make_resident(f, &f->normal, "cards/issued_2021.yaml", NULL, "1001", false);
    make_resident(f, &f->face_only, "cards/face_only.yaml", NULL, "1002", false);
    make_resident(f, &f->blocked, "cards/pin_blocked.yaml", NULL, "1003", false);
    make_resident(f, &f->stranger, "cards/issued_2021.yaml", "reception-stranger", "1004", true);
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
    SPOIL_EMPTY,
    SPOIL_OTHER_DATE, /* a well-formed answer for another day */
    SPOIL_OTHER_KIND, /* a well-formed answer to the other kind of request */
    SPOIL_NULL,       /* CORE_OK and no response at all */
    SPOIL_OVERSIZED,  /* the answer padded beyond ELIGIBILITY_MSG_MAX_BYTES */
    SPOIL_EXPIRE,     /* a card request's nonce pushed out of the window (`expire` times) before it arrives */
};
struct hostile {
    struct eligibility_service *svc;
    enum spoil how;
    int expire;         /* SPOIL_EXPIRE: how many card requests arrive too late */
    int card_sent;      /* card requests that reached the service */
    char nonces[2][45]; /* SPOIL_EXPIRE: the Nonce element of the first two card requests */
};

static int hostile_transport(void *ctx, const uint8_t *req, size_t len, uint8_t **resp, size_t *resp_len)
{
    struct hostile *h = ctx;
    if (h->how == SPOIL_FAIL)
        return CORE_EIO;
    if (h->how == SPOIL_NULL) {
        *resp = NULL;
        *resp_len = 0;
        return CORE_OK;
    }
    const char *nonce = memmem(req, len, "<Nonce>", 7);
    if (nonce != NULL) {
        if (h->how == SPOIL_EXPIRE && h->card_sent < 2) {
            const char *end = memmem(nonce, len - (size_t)(nonce - (const char *)req), "</Nonce>", 8);
            assert_non_null(end);
            if (end != NULL)
                snprintf(h->nonces[h->card_sent], sizeof h->nonces[0], "%.*s", (int)(end - nonce - 7),
                         nonce + 7);
        }
        if (h->how == SPOIL_EXPIRE && h->card_sent < h->expire) {
            /* Other readers draw the whole window's worth of nonces while this request is on its way. */
            uint8_t later[32];
            for (uint32_t i = 0; i < ELIGIBILITY_NONCE_WINDOW; i++)
                assert_int_equal(eligibility_service_nonce(h->svc, later), CORE_OK);
        }
        h->card_sent++;
    }
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
    case SPOIL_OTHER_DATE: {
        char *p = memmem(*resp, *resp_len, "<QualificationConfirmationDate>", 31);
        assert_non_null(p);
        if (p != NULL)
            p[31 + 3] = p[31 + 3] == '4' ? '3' : '4'; /* 2025 -> 2024 */
        break;
    }
    case SPOIL_OTHER_KIND: {
        char *p = memmem(*resp, *resp_len, "<ReferenceClassification>", 25);
        assert_non_null(p);
        if (p != NULL)
            p[25] = p[25] == '1' ? '2' : '1';
        break;
    }
    case SPOIL_OVERSIZED: {
        size_t big = (size_t)ELIGIBILITY_MSG_MAX_BYTES + 100u;
        uint8_t *b = realloc(*resp, big);
        assert_non_null(b);
        if (b == NULL)
            break;
        memset(b + *resp_len, ' ', big - *resp_len);
        *resp = b;
        *resp_len = big;
        break;
    }
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

/* What sim/world/visits.c decides for the same visit. */
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

static struct hostile *current_hostile;                    /* set by a test: requests go through it */
static void (*current_tweak)(struct clinic_reception *in); /* set by a test: changes the visit's inputs */

static void wire_path(struct fixture *f, struct resident *r, const struct visit *v,
                      struct clinic_reception_result *out)
{
    struct clinic_presented p;
    presented(r, v, &p);
    assert_int_equal(eligibility_service_set_date(f->svc, D(v->on)), CORE_OK);
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
    if (current_tweak != NULL)
        current_tweak(&in);
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
    enum spoil spoils[] = {SPOIL_TRUNCATE, SPOIL_GARBAGE,    SPOIL_XXE,  SPOIL_OTHER_FILE, SPOIL_FAIL,
                           SPOIL_EMPTY,    SPOIL_OTHER_DATE, SPOIL_NULL, SPOIL_OVERSIZED,  SPOIL_OTHER_KIND};
    for (size_t i = 0; i < sizeof spoils / sizeof spoils[0]; i++) {
        struct hostile h = {.svc = f->svc, .how = spoils[i]};
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
    struct hostile h = {.svc = f->svc, .how = SPOIL_NONE};
    current_hostile = &h;
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_PIN, .online_ok = true, .card = true};
    struct clinic_reception_result r = both(f, &f->normal, &v);
    current_hostile = NULL;
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
}

/* A nonce that expires before its request arrives (the service answers MYNE4002): the reader draws a fresh
 * one, signs again and asks once more, and the visit goes on as if nothing happened; a second expiry is a
 * check that did not work, service_down (docs/MESSAGES.md). On the PIN route the card signs again without a
 * second VERIFY; on the face route the reader signs again. */
static void an_expired_nonce_is_drawn_again_once(void **state)
{
    struct fixture *f = *state;
    enum clinic_reader readers[] = {CLINIC_READER_PIN, CLINIC_READER_FACE};
    for (size_t i = 0; i < 2; i++) {
        struct hostile h = {.svc = f->svc, .how = SPOIL_EXPIRE, .expire = 1};
        current_hostile = &h;
        struct visit v = {.on = "2025-06-02", .reader = readers[i], .online_ok = true, .card = true};
        struct clinic_reception_result r = both(f, &f->normal, &v);
        current_hostile = NULL;
        assert_int_equal(r.card.result, ELIGIBILITY_OK);
        assert_true(r.decision.card_used);
        assert_int_equal(r.requests, 2);
        assert_int_equal(h.card_sent, 2);
        assert_string_not_equal(h.nonces[0], h.nonces[1]); /* a fresh nonce, not the expired one again */
        /* The right PIN's counter is whole: no second VERIFY was needed, none was wrong. */
        assert_int_equal(card_state(f->normal.card)->tries_left[CARD_PIN_AUTH],
                         card_state(f->normal.card)->tries_max[CARD_PIN_AUTH]);
    }
    /* Late twice: no third try; the check did not work. */
    struct hostile h = {.svc = f->svc, .how = SPOIL_EXPIRE, .expire = 2};
    current_hostile = &h;
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_PIN, .online_ok = true, .card = true};
    struct clinic_reception_result r;
    wire_path(f, &f->normal, &v, &r);
    current_hostile = NULL;
    assert_int_equal(r.card.result, ELIGIBILITY_SERVICE_DOWN);
    assert_false(r.decision.card_used);
    assert_int_equal(r.requests, 2);
    assert_int_equal(h.card_sent, 2);
    /* The same visit, the service in time: the card is used again. */
    r = both(f, &f->normal, &v);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.requests, 1);
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

/* The normal resident's card state saved into `saved` (its size in *len), and a visit at a PIN reader with a
 * PIN that is not theirs. */
static struct visit wrong_pin_visit(struct fixture *f, uint8_t saved[CARD_STATE_MAX], size_t *len)
{
    assert_int_equal(card_state_save(f->normal.card, saved, CARD_STATE_MAX, len), CORE_OK);
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_PIN, .online_ok = true, .card = true};
    v.pin = strcmp(f->normal.pin, "0000") == 0 ? "9999" : "0000";
    return v;
}

static void a_wrong_pin_is_not_a_signature(void **state)
{
    struct fixture *f = *state;
    uint8_t saved[CARD_STATE_MAX];
    size_t len = 0;
    struct visit v = wrong_pin_visit(f, saved, &len);
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

/* ---- more inputs, faults and broken cards ------------------------------------------------------------ */

static void tweak_no_institution(struct clinic_reception *in)
{
    in->institution = NULL;
}
static void tweak_short_institution(struct clinic_reception *in)
{
    in->institution = "12345";
}
static void tweak_no_pin(struct clinic_reception *in)
{
    in->pin = NULL;
}
static int failing_nonce(void *ctx, uint8_t out[32])
{
    (void)ctx;
    memset(out, 0, 32);
    return CORE_EIO;
}
static void tweak_failing_nonce(struct clinic_reception *in)
{
    in->nonce = failing_nonce;
}
static void tweak_no_borrowed_cert(struct clinic_reception *in)
{
    in->borrowed_cert = NULL;
}
static void tweak_empty_borrowed_cert(struct clinic_reception *in)
{
    in->borrowed_cert_len = 0;
}
static void tweak_huge_borrowed_cert(struct clinic_reception *in)
{
    in->borrowed_cert_len = 1u << 20;
}
static void tweak_bad_name(struct clinic_reception *in)
{
    in->holder_name = "\xff\xfe not UTF-8";
}

static void institution_pin_and_nonce_inputs(void **state)
{
    struct fixture *f = *state;
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_PIN, .online_ok = true, .card = true};
    /* Without a valid institution code the desk still writes a well-formed request. */
    void (*tweaks[])(struct clinic_reception *) = {tweak_no_institution, tweak_short_institution};
    for (size_t i = 0; i < 2; i++) {
        current_tweak = tweaks[i];
        struct clinic_reception_result r = both(f, &f->normal, &v);
        current_tweak = NULL;
        assert_int_equal(r.card.result, ELIGIBILITY_OK);
        assert_int_equal(r.requests, 1);
    }
    /* No PIN keyed: the holder does not authenticate, nothing is sent, the counter is untouched. */
    current_tweak = tweak_no_pin;
    struct clinic_reception_result r;
    wire_path(f, &f->normal, &v, &r);
    current_tweak = NULL;
    assert_int_equal(r.card.result, ELIGIBILITY_PIN_LOCKED);
    assert_int_equal(r.requests, 0);
    assert_int_equal(card_state(f->normal.card)->tries_left[CARD_PIN_AUTH],
                     card_state(f->normal.card)->tries_max[CARD_PIN_AUTH]);
    /* The nonce cannot be had: the check did not work (service_down), on every route; nothing is sent. */
    enum clinic_reader readers[] = {CLINIC_READER_PIN, CLINIC_READER_FACE};
    for (size_t i = 0; i < 2; i++) {
        v.reader = readers[i];
        v.paper_card = true;
        current_tweak = tweak_failing_nonce;
        wire_path(f, &f->normal, &v, &r);
        current_tweak = NULL;
        assert_int_equal(r.card.result, ELIGIBILITY_SERVICE_DOWN);
        assert_int_equal(r.paper_card.result, ELIGIBILITY_OK); /* the number route needs no nonce */
        assert_int_equal(r.requests, 1);
        assert_false(r.decision.card_used);
        assert_int_equal(r.decision.route, CLINIC_ROUTE_PAPER_CARD);
    }
}

static void a_borrowed_certificate_that_is_not_there_is_not_sent(void **state)
{
    struct fixture *f = *state;
    void (*tweaks[])(struct clinic_reception *) = {tweak_no_borrowed_cert, tweak_empty_borrowed_cert,
                                                   tweak_huge_borrowed_cert};
    for (size_t i = 0; i < 3; i++) {
        struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_FACE, .online_ok = true, .card = true};
        v.faults.borrowed_certificate = true;
        current_tweak = tweaks[i];
        struct clinic_reception_result r;
        wire_path(f, &f->normal, &v, &r);
        current_tweak = NULL;
        assert_int_equal(r.card.result, ELIGIBILITY_OK); /* the card's own certificate went */
        assert_int_equal(r.auth, ELIGIBILITY_AUTH_FACE);
        assert_int_equal(r.requests, 1);
    }
}

static void a_name_that_cannot_be_encoded_is_not_shown(void **state)
{
    struct fixture *f = *state;
    struct visit v = {.on = "2025-06-02", .reader = CLINIC_READER_FACE, .online_ok = true, .card = true};
    v.faults.unshowable_name = true;
    v.holder_name = "placeholder";
    current_tweak = tweak_bad_name;
    struct clinic_reception_result r;
    wire_path(f, &f->normal, &v, &r);
    current_tweak = NULL;
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_string_equal(r.shown_name, "");
    /* With no qualification in the answer there is no name to show either. */
    v.on = "2019-06-03";
    v.holder_name = "\xe5\xb1\xb1\xe7\x94\xb0";
    wire_path(f, &f->normal, &v, &r);
    assert_int_not_equal(r.card.result, ELIGIBILITY_OK);
    assert_string_equal(r.shown_name, "");
}

static void the_last_wrong_pin_blocks_and_the_service_is_told(void **state)
{
    struct fixture *f = *state;
    uint8_t saved[CARD_STATE_MAX];
    size_t len = 0;
    struct visit v = wrong_pin_visit(f, saved, &len);
    int max = card_state(f->normal.card)->tries_max[CARD_PIN_AUTH];
    assert_true(max >= 1);
    struct clinic_reception_result r;
    for (int i = 1; i < max; i++) {
        wire_path(f, &f->normal, &v, &r);
        assert_int_equal(r.card.result, ELIGIBILITY_PIN_LOCKED);
        assert_int_equal(r.requests, 0);
        assert_int_equal(card_state(f->normal.card)->tries_left[CARD_PIN_AUTH], max - i);
    }
    /* The last try: the PIN is now blocked, and the request says so (the service answers pin_locked). */
    wire_path(f, &f->normal, &v, &r);
    assert_int_equal(card_state(f->normal.card)->tries_left[CARD_PIN_AUTH], 0);
    assert_int_equal(r.card.result, ELIGIBILITY_PIN_LOCKED);
    assert_int_equal(r.requests, 1);
    assert_int_equal(r.auth, ELIGIBILITY_AUTH_PIN);
    /* The right PIN no longer helps: blocked before any VERIFY. */
    v.pin = NULL;
    wire_path(f, &f->normal, &v, &r);
    assert_int_equal(r.card.result, ELIGIBILITY_PIN_LOCKED);
    assert_int_equal(r.requests, 1);
    struct core_error err;
    assert_int_equal(card_state_restore(f->normal.card, saved, len, &err), CORE_OK);
}

/* A card behind a spy: the real card answers, except where a test spoils one APDU or the face file. */
enum spy_how { SPY_NONE, SPY_FAIL, SPY_SW, SPY_SHORT };
enum spy_face {
    FACE_REAL,
    FACE_NOT_FOUND,
    FACE_GARBAGE,
    FACE_TINY,
    FACE_WRONG_SIZE,
    FACE_EOF,
    FACE_FLOOD,
    FACE_OVERLONG
};
struct spy {
    struct pcsc_reader *real;
    int n, at;
    int fail_ins; /* when not 0: every APDU with this INS fails at the reader */
    enum spy_how how;
    enum spy_face face;
    bool surface; /* the card-surface AP is selected */
};

static size_t spy_atr(void *ctx, uint8_t *out, size_t cap)
{
    return mute_atr(ctx, out, cap);
}
static int spy_transmit(void *ctx, const uint8_t *capdu, size_t len, uint8_t *rapdu, size_t cap, size_t *rlen,
                        struct core_error *err)
{
    struct spy *s = ctx;
    s->n++;
    if (s->fail_ins != 0 && len >= 2 && capdu[1] == s->fail_ins)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "the reader hiccups");
    if (s->n == s->at && s->how == SPY_FAIL)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "the reader hiccups");
    if (s->n == s->at && s->how == SPY_SW) {
        rapdu[0] = 0x6F;
        rapdu[1] = 0x00;
        *rlen = 2;
        return CORE_OK;
    }
    if (s->n == s->at && s->how == SPY_SHORT) {
        rapdu[0] = 0x90;
        *rlen = 1;
        return CORE_OK;
    }
    if (len >= 5 && capdu[1] == 0xA4 && capdu[2] == 0x04)
        s->surface = len >= 15 && capdu[4] == 10 && capdu[5] == 0xD3 && capdu[6] == 0x92 && capdu[7] == 0x10;
    if (s->surface && s->face != FACE_REAL && len >= 4 && capdu[1] == 0xB0) {
        size_t n = 0;
        uint16_t sw = 0x9000;
        switch (s->face) {
        case FACE_NOT_FOUND:
            sw = 0x6A82;
            break;
        case FACE_GARBAGE:
            memset(rapdu, 0x42, 10);
            n = 10;
            break;
        case FACE_TINY: { /* an image tag too short for a PGM */
            static const uint8_t t[] = {0x5F, 0x2E, 0x05, 'P', '5', '\n', '1', ' '};
            memcpy(rapdu, t, sizeof t);
            n = sizeof t;
            break;
        }
        case FACE_WRONG_SIZE: { /* a PGM header, but 16x16 */
            static const uint8_t t[] = {0x5F, 0x2E, 0x0F, 'P', '5', '\n', '1',  '6', ' ',
                                        '1',  '6',  '\n', '2', '5', '5',  '\n', 0,   0};
            memcpy(rapdu, t, sizeof t);
            n = sizeof t;
            break;
        }
        case FACE_EOF:
            memset(rapdu, 0, 256);
            n = 256;
            sw = 0x6282;
            break;
        case FACE_FLOOD:
            memset(rapdu, 0x5F, 256);
            n = 256;
            break;
        case FACE_OVERLONG:
            memset(rapdu, 0x5F, 257);
            n = 257;
            break;
        default:
            break;
        }
        assert_true(n + 2 <= cap);
        rapdu[n] = (uint8_t)(sw >> 8);
        rapdu[n + 1] = (uint8_t)sw;
        *rlen = n + 2;
        return CORE_OK;
    }
    return pcsc_reader_transmit(s->real, capdu, len, rapdu, cap, rlen, err);
}
static const struct pcsc_card_ops spy_ops = {spy_atr, mute_power, mute_power, mute_power, spy_transmit, NULL};

static struct clinic_reception_result spy_visit(struct fixture *f, struct resident *r, struct spy *s,
                                                enum clinic_reader reader)
{
    struct core_error err;
    struct resident spied = *r;
    s->real = r->reader;
    s->n = 0;
    s->surface = false;
    assert_int_equal(pcsc_reader_open_ops(&spy_ops, s, &spied.reader, &err), CORE_OK);
    struct visit v = {.on = "2025-06-02", .reader = reader, .online_ok = true, .card = true};
    struct clinic_reception_result out;
    wire_path(f, &spied, &v, &out);
    pcsc_reader_close(spied.reader);
    return out;
}

static void a_face_file_that_does_not_match_falls_back(void **state)
{
    struct fixture *f = *state;
    enum spy_face faces[] = {FACE_NOT_FOUND, FACE_GARBAGE, FACE_TINY,    FACE_WRONG_SIZE,
                             FACE_EOF,       FACE_FLOOD,   FACE_OVERLONG};
    for (size_t i = 0; i < sizeof faces / sizeof faces[0]; i++) {
        struct spy s = {.face = faces[i]};
        struct clinic_reception_result r = spy_visit(f, &f->normal, &s, CLINIC_READER_FACE);
        if (r.card.result != ELIGIBILITY_OK || r.auth != ELIGIBILITY_AUTH_PIN)
            fail_msg("face %zu: result %d auth %d", i, (int)r.card.result, (int)r.auth);
        assert_int_equal(r.requests, 1);
        r = spy_visit(f, &f->face_only, &s, CLINIC_READER_FACE);
        if (r.card.result != ELIGIBILITY_OK || r.auth != ELIGIBILITY_AUTH_VISUAL)
            fail_msg("face-only %zu: result %d auth %d", i, (int)r.card.result, (int)r.auth);
    }
    /* Untouched, the spy is the card itself. */
    struct spy s = {.face = FACE_REAL};
    struct clinic_reception_result r = spy_visit(f, &f->normal, &s, CLINIC_READER_FACE);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.auth, ELIGIBILITY_AUTH_FACE);
}

/* Every APDU of a visit in turn fails, answers 6F00, or answers one byte: the visit always ends in an answer
 * (never an error, never a request with a half-read card), and a failure before the request means none. */
static void any_apdu_can_fail_and_the_visit_still_ends(void **state)
{
    struct fixture *f = *state;
    struct resident *cards[] = {&f->normal, &f->face_only};
    enum clinic_reader readers[] = {CLINIC_READER_PIN, CLINIC_READER_FACE};
    enum spy_how hows[] = {SPY_FAIL, SPY_SW, SPY_SHORT};
    uint8_t saved[CARD_STATE_MAX];
    size_t len = 0;
    assert_int_equal(card_state_save(f->normal.card, saved, sizeof saved, &len), CORE_OK);
    for (size_t c = 0; c < 2; c++)
        for (size_t k = 0; k < 2; k++) {
            struct spy clean = {.how = SPY_NONE};
            struct clinic_reception_result r = spy_visit(f, cards[c], &clean, readers[k]);
            assert_int_equal(r.card.result, ELIGIBILITY_OK);
            int total = clean.n;
            assert_true(total >= 3);
            for (size_t h = 0; h < 3; h++)
                for (int at = 1; at <= total; at++) {
                    struct spy s = {.how = hows[h], .at = at};
                    r = spy_visit(f, cards[c], &s, readers[k]);
                    enum eligibility_result res = r.card.result;
                    if (res != ELIGIBILITY_OK && res != ELIGIBILITY_READER_DOWN &&
                        res != ELIGIBILITY_PIN_LOCKED && res != ELIGIBILITY_CERT_REVOKED)
                        fail_msg("card %zu reader %zu how %zu at %d: %d", c, k, h, at, (int)res);
                    if (res == ELIGIBILITY_READER_DOWN)
                        assert_int_equal(r.requests, 0);
                    assert_true(r.requests <= 1);
                    assert_int_equal(r.decision.card_used, res == ELIGIBILITY_OK);
                    struct core_error err;
                    assert_int_equal(card_state_restore(f->normal.card, saved, len, &err), CORE_OK);
                }
            /* The first APDU of a PIN reader's visit selects the JPKI AP: without it nothing goes. */
            if (readers[k] == CLINIC_READER_PIN) {
                struct spy s = {.how = SPY_FAIL, .at = 1};
                r = spy_visit(f, cards[c], &s, readers[k]);
                assert_int_equal(r.card.result, ELIGIBILITY_READER_DOWN);
                assert_int_equal(r.requests, 0);
            }
        }
    /* The PIN route's last APDU is the signature: a reader failing there sends nothing. */
    struct spy clean = {.how = SPY_NONE};
    spy_visit(f, &f->normal, &clean, CLINIC_READER_PIN);
    struct spy s = {.how = SPY_FAIL, .at = clean.n};
    struct clinic_reception_result r = spy_visit(f, &f->normal, &s, CLINIC_READER_PIN);
    assert_int_equal(r.card.result, ELIGIBILITY_READER_DOWN);
    assert_int_equal(r.requests, 0);
}

/* The reader failing during VERIFY is the reader's fault, not the holder's PIN: reader_down, nothing sent,
 * and the card's PIN counter untouched. */
static void a_reader_failing_during_verify_is_a_reader_fault(void **state)
{
    struct fixture *f = *state;
    int tries = card_state(f->normal.card)->tries_left[CARD_PIN_AUTH];
    assert_true(tries > 0);
    struct spy s = {.how = SPY_NONE, .fail_ins = 0x20};
    struct clinic_reception_result r = spy_visit(f, &f->normal, &s, CLINIC_READER_PIN);
    assert_int_equal(r.card.result, ELIGIBILITY_READER_DOWN);
    assert_int_equal(r.requests, 0);
    assert_false(r.decision.card_used);
    assert_int_equal(card_state(f->normal.card)->tries_left[CARD_PIN_AUTH], tries);
}

static void more_bad_inputs_are_refused(void **state)
{
    struct fixture *f = *state;
    struct core_error err;
    struct clinic_reception_result r;
    struct clinic_presented p;
    memset(&p, 0, sizeof p);
    struct clinic_reception in;
    memset(&in, 0, sizeof in);
    in.on = D("2025-06-02");
    in.reader = CLINIC_READER_PIN;
    in.online_ok = true;
    in.policy = f->policy;
    assert_int_equal(clinic_reception_run(&in, &r, &err), CORE_EINVAL); /* nothing presented */
    assert_string_equal(err.message, "reception: missing input");
    in.presented = &p;
    in.policy = NULL;
    assert_int_equal(clinic_reception_run(&in, &r, &err), CORE_EINVAL);
    in.policy = f->policy;
    assert_int_equal(clinic_reception_run(&in, NULL, &err), CORE_EINVAL);
    /* A transport without a nonce source, or no reader device. */
    in.transport = hostile_transport;
    in.device = f->device;
    assert_int_equal(clinic_reception_run(&in, &r, &err), CORE_EINVAL);
    assert_string_equal(err.message, "reception: a working reader needs a service");
    in.transport = NULL;
    in.service = f->svc;
    in.device = NULL;
    assert_int_equal(clinic_reception_run(&in, &r, &err), CORE_EINVAL);
    /* A reader that does not work needs neither: the desk decides offline. */
    in.online_ok = false;
    in.service = NULL;
    p.paper_card = true;
    p.paper_numbers = f->normal.numbers;
    p.paper_expiry = CORE_DAY_NONE;
    p.born = f->normal.born;
    assert_int_equal(clinic_reception_run(&in, &r, &err), CORE_OK);
    assert_int_equal(r.requests, 0);
    assert_int_equal(r.decision.route, CLINIC_ROUTE_PAPER_CARD);
    /* Device names: too long for the label, or no place for the device. */
    char name[200];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    struct clinic_device *dev = (struct clinic_device *)&err;
    assert_int_equal(clinic_device_new(name, &dev, &err), CORE_EINVAL);
    assert_null(dev);
    assert_string_equal(err.message, "reception: clinic name too long");
    assert_int_equal(clinic_device_new("clinic-z", NULL, &err), CORE_EINVAL);
    const uint8_t *spki = NULL;
    size_t len = 0;
    assert_int_equal(clinic_device_public_key(f->device, NULL, &len), CORE_EINVAL);
    assert_int_equal(clinic_device_public_key(f->device, &spki, NULL), CORE_EINVAL);
    assert_int_equal(clinic_device_register(f->device, NULL, &err), CORE_EINVAL);
    assert_string_equal(err.message, "reception: no reader or service");
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
        cmocka_unit_test(an_expired_nonce_is_drawn_again_once),
        cmocka_unit_test(a_wrong_pin_is_not_a_signature),
        cmocka_unit_test(a_card_that_does_not_answer_is_a_reader_fault),
        cmocka_unit_test(bad_inputs_are_refused),
        cmocka_unit_test(device_keys_are_deterministic),
        cmocka_unit_test(institution_pin_and_nonce_inputs),
        cmocka_unit_test(a_borrowed_certificate_that_is_not_there_is_not_sent),
        cmocka_unit_test(a_name_that_cannot_be_encoded_is_not_shown),
        cmocka_unit_test(the_last_wrong_pin_blocks_and_the_service_is_told),
        cmocka_unit_test(a_face_file_that_does_not_match_falls_back),
        cmocka_unit_test(any_apdu_can_fail_and_the_visit_still_ends),
        cmocka_unit_test(a_reader_failing_during_verify_is_a_reader_fault),
        cmocka_unit_test(more_bad_inputs_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
