/* The reception's one retry after an expired nonce (docs/MESSAGES.md, MYNE4002), over real HTTP alone: the
 * service behind eligibility_http_start on a free loopback port in this process, the desk's HTTP client for
 * every nonce (POST /nonce) and every request message (POST /eligibility). The nonce falls out of the service's
 * window the way it does in a busy service: other readers draw 2^20 (ELIGIBILITY_NONCE_WINDOW) nonces while
 * the request is on its way. Those are drawn from the service in this process (2^20 HTTP requests would take
 * minutes), between the desk's nonce and its request, while the server is idle: this test's desk is its only
 * client and waits for each answer. Nothing sleeps; the server is listening when eligibility_http_start
 * returns. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "card/card.h"
#include "clinic/clinic.h"
#include "pcsc/pcsc.h"
#include "clinic_test.h"

struct served {
    struct policy *policy;
    struct eligibility_registry *reg;
    struct eligibility_service *svc;
    struct eligibility_http *server;
    char addr[32];
    struct card *card; /* a face-only card: the visual route at a PIN reader, signed by the reader device */
    struct pcsc_reader *reader;
    struct eligibility_numbers numbers;
    core_day born;
};

static void served_start(struct served *w)
{
    memset(w, 0, sizeof *w);
    struct core_error err;
    if (policy_load_named("national", &w->policy, &err) != CORE_OK)
        fail_msg("policy: %s", err.message);
    assert_int_equal(eligibility_registry_new(w->policy, &w->reg), CORE_OK);
    char path[1024];
    struct card_profile prof;
    assert_int_equal(policy_find_data("cards/face_only.yaml", path, sizeof path, &err), CORE_OK);
    card_profile_init(&prof);
    if (card_profile_load(path, &prof, &err) != CORE_OK)
        fail_msg("%s: %s", path, err.message);
    if (card_new(&prof, w->policy, &w->card, &err) != CORE_OK)
        fail_msg("card_new: %s", err.message);
    assert_int_equal(pcsc_reader_open_card(w->card, &w->reader, &err), CORE_OK);
    w->born = prof.holder.born;
    snprintf(w->numbers.insurer_number, sizeof w->numbers.insurer_number, "%s", INSURER);
    snprintf(w->numbers.symbol, sizeof w->numbers.symbol, "12");
    snprintf(w->numbers.number, sizeof w->numbers.number, "2001");
    snprintf(w->numbers.branch, sizeof w->numbers.branch, "00");
    uint32_t person, membership;
    assert_int_equal(eligibility_person_add(w->reg, w->born, &person), CORE_OK);
    struct eligibility_enrollment e;
    memset(&e, 0, sizeof e);
    e.numbers = w->numbers;
    e.start = D("2020-04-01");
    assert_int_equal(
        eligibility_file_enrollment(w->reg, person, &e, D("2020-04-01"), D("2020-04-01"), &membership),
        CORE_OK);
    const struct card_state *st = card_state(w->card);
    assert_int_equal(eligibility_card_issue(w->reg, person, 500, st->issued, st->expires, serial_of(w->card),
                                            st->cert_expires),
                     CORE_OK);
    assert_int_equal(eligibility_file_registration(w->reg, person, D("2024-05-01")), CORE_OK);
    if (eligibility_service_new(w->reg, w->policy, &w->svc, &err) != CORE_OK)
        fail_msg("service: %s", err.message);
    eligibility_service_seed(w->svc, 17);
    assert_int_equal(eligibility_service_set_date(w->svc, D("2025-06-02")), CORE_OK);
    struct eligibility_http_options o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.control = true; /* the reader device is registered over the control route */
    if (eligibility_http_start(w->svc, &o, &w->server, &err) != CORE_OK)
        fail_msg("http: %s", err.message);
    snprintf(w->addr, sizeof w->addr, "127.0.0.1:%u", (unsigned)eligibility_http_port(w->server));
}

static void served_stop(struct served *w)
{
    eligibility_http_stop(w->server);
    eligibility_service_free(w->svc);
    pcsc_reader_close(w->reader);
    card_free(w->card);
    eligibility_registry_free(w->reg);
    policy_free(w->policy);
}

/* The desk's hooks, wrapped: every nonce and every request still goes over HTTP; the wrapper counts them and,
 * for the first `expire` card requests, lets other readers exhaust the window before the request leaves. */
struct late {
    struct served *w;
    struct clinic_http *http;
    int expire;
    int nonces;        /* nonces the desk drew over HTTP */
    int card_sent;     /* card requests sent over HTTP */
    char sent[3][45];  /* the Nonce element of each card request */
    int answered_4002; /* answers carrying MYNE4002 */
};

static CORE_MUST_USE int late_nonce(void *ctx, uint8_t out[32])
{
    struct late *l = ctx;
    l->nonces++;
    return clinic_http_nonce(l->http, out);
}

static CORE_MUST_USE int late_transport(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
                                        size_t *resp_len)
{
    struct late *l = ctx;
    const char *nonce = memmem(req, len, "<Nonce>", 7);
    if (nonce != NULL) {
        const char *end = memmem(nonce, len - (size_t)(nonce - (const char *)req), "</Nonce>", 8);
        assert_non_null(end);
        if (end != NULL && l->card_sent < 3)
            snprintf(l->sent[l->card_sent], sizeof l->sent[0], "%.*s", (int)(end - nonce - 7), nonce + 7);
        if (l->card_sent < l->expire) {
            uint8_t other[32];
            for (uint32_t i = 0; i < ELIGIBILITY_NONCE_WINDOW; i++)
                assert_int_equal(eligibility_service_nonce(l->w->svc, other), CORE_OK);
        }
        l->card_sent++;
    }
    int rc = clinic_http_transport(l->http, req, len, resp, resp_len);
    if (rc == CORE_OK && *resp != NULL && memmem(*resp, *resp_len, "MYNE4002", 8) != NULL)
        l->answered_4002++;
    return rc;
}

/* One visit over HTTP: the face-only card at a PIN reader (the visual route: the reader signs). */
static void visit(struct late *l, const struct clinic_device *dev, struct clinic_reception_result *out)
{
    struct clinic_presented p;
    memset(&p, 0, sizeof p);
    p.card = true;
    p.card_face_only = true;
    p.paper_expiry = CORE_DAY_NONE;
    p.born = l->w->born;
    struct clinic_reception in;
    memset(&in, 0, sizeof in);
    in.on = D("2025-06-02");
    in.visit = CLINIC_VISIT_FIRST;
    in.reader = CLINIC_READER_PIN;
    in.online_ok = true;
    in.presented = &p;
    in.card = l->w->reader;
    in.transport = late_transport;
    in.transport_ctx = l;
    in.nonce = late_nonce;
    in.nonce_ctx = l;
    in.device = dev;
    in.institution = "1312345678";
    in.policy = l->w->policy;
    struct core_error err;
    if (clinic_reception_run(&in, out, &err) != CORE_OK)
        fail_msg("reception: %s", err.message);
}

static void an_expired_nonce_is_drawn_again_once_over_http(void **state)
{
    (void)state;
    struct served w;
    served_start(&w);
    struct core_error err;
    struct clinic_http *h = NULL;
    assert_int_equal(clinic_http_open(w.addr, &h, &err), CORE_OK);
    if (h == NULL)
        return;
    struct clinic_device *dev = NULL;
    assert_int_equal(clinic_device_new("clinic-nonce-http", &dev, &err), CORE_OK);
    assert_int_equal(clinic_http_register_reader(h, dev, &err), CORE_OK);

    /* In time: one nonce, one request, accepted. */
    struct late l = {.w = &w, .http = h, .expire = 0};
    struct clinic_reception_result r;
    visit(&l, dev, &r);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(l.nonces, 1);
    assert_int_equal(l.card_sent, 1);
    assert_int_equal(l.answered_4002, 0);

    /* Late once: the service answers MYNE4002; the desk draws a fresh nonce over HTTP, the reader signs again,
     * the second request is accepted and the visit goes on as if nothing happened. */
    l = (struct late){.w = &w, .http = h, .expire = 1};
    visit(&l, dev, &r);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.auth, ELIGIBILITY_AUTH_VISUAL);
    assert_true(r.decision.card_used);
    assert_int_equal(r.decision.outcome, CLINIC_INSURED);
    assert_int_equal(r.requests, 2);
    assert_int_equal(l.nonces, 2);
    assert_int_equal(l.card_sent, 2);
    assert_int_equal(l.answered_4002, 1);
    assert_string_not_equal(l.sent[0], l.sent[1]); /* a fresh nonce, not the expired one again */

    /* Late twice: no third try; the check did not work (service_down), and the card is not used. */
    l = (struct late){.w = &w, .http = h, .expire = 2};
    visit(&l, dev, &r);
    assert_int_equal(r.card.result, ELIGIBILITY_SERVICE_DOWN);
    assert_false(r.decision.card_used);
    assert_int_equal(r.requests, 2);
    assert_int_equal(l.nonces, 2);
    assert_int_equal(l.card_sent, 2);
    assert_int_equal(l.answered_4002, 2);

    /* The service in time again: the card is used. */
    l = (struct late){.w = &w, .http = h, .expire = 0};
    visit(&l, dev, &r);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(l.card_sent, 1);

    clinic_device_free(dev);
    clinic_http_close(h);
    served_stop(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_expired_nonce_is_drawn_again_once_over_http),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
