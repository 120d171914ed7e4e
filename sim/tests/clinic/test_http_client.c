/* Tests of sim/clinic/http_client.c: the desk's HTTP/1.1 client for `mynasim serve`.
 *
 * Against the real service over loopback (eligibility_http_start in this process, on a free port): health,
 * nonces, request messages, the control routes and a whole visit through the reception hooks. Against a tiny
 * scripted server thread in this test (one canned answer per connection): every way an answer can be wrong
 * (closed early, a bad status line, no or a bad Content-Length, a body or headers over the limits, a server
 * that never answers: the client's timeout, set short here). Nothing sleeps: the scripted server is listening
 * before a request is made, and a stuck server is released by closing a pipe. */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/x509.h>

#include "card/card.h"
#include "clinic/clinic.h"
#include "pcsc/pcsc.h"
#include "clinic_test.h"

/* ---- a scripted server: one canned answer per connection --------------------------------------------- */

enum fake_mode {
    FAKE_SEND,  /* send `data` (then `pad` bytes of 'x'), close */
    FAKE_CLOSE, /* close at once without answering */
    FAKE_HANG,  /* read the request, then answer nothing until released */
};

struct fake_reply {
    enum fake_mode mode;
    const char *data;
    size_t pad;
};

struct fake {
    int lfd;
    uint16_t port;
    char addr[32];
    pthread_t thread;
    const struct fake_reply *replies;
    size_t n;
    int release[2];     /* FAKE_HANG waits until release[1] is closed */
    char request[4096]; /* the last request's head and body, as received */
    size_t request_len;
};

/* Reads one request: the head up to the blank line, then Content-Length bytes of body. */
static void fake_read_request(struct fake *fs, int cfd)
{
    size_t got = 0, need = SIZE_MAX;
    while (got < sizeof fs->request - 1 && got < need) {
        ssize_t n = recv(cfd, fs->request + got, sizeof fs->request - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        fs->request[got] = '\0';
        char *end = strstr(fs->request, "\r\n\r\n");
        if (end != NULL && need == SIZE_MAX) {
            const char *cl = strstr(fs->request, "Content-Length: ");
            size_t body = cl != NULL && cl < end ? strtoul(cl + 16, NULL, 10) : 0;
            need = (size_t)(end + 4 - fs->request) + body;
        }
    }
    fs->request_len = got;
}

static void *fake_main(void *arg)
{
    struct fake *fs = arg;
    for (size_t i = 0; i < fs->n; i++) {
        int cfd = accept(fs->lfd, NULL, NULL);
        if (cfd < 0)
            break;
        const struct fake_reply *r = &fs->replies[i];
        if (r->mode != FAKE_CLOSE)
            fake_read_request(fs, cfd);
        if (r->mode == FAKE_HANG) {
            char c;
            while (read(fs->release[0], &c, 1) > 0) {
            }
        } else if (r->mode == FAKE_SEND) {
            (void)send(cfd, r->data, strlen(r->data), MSG_NOSIGNAL);
            char block[4096];
            memset(block, 'x', sizeof block);
            for (size_t left = r->pad; left > 0;) {
                size_t k = left < sizeof block ? left : sizeof block;
                if (send(cfd, block, k, MSG_NOSIGNAL) <= 0)
                    break;
                left -= k;
            }
        }
        close(cfd);
    }
    return NULL;
}

/* Listens on a free loopback port before returning, so a request made next always finds it. */
static void fake_start(struct fake *fs, const struct fake_reply *replies, size_t n)
{
    memset(fs, 0, sizeof *fs);
    fs->replies = replies;
    fs->n = n;
    assert_int_equal(pipe(fs->release), 0);
    fs->lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fs->lfd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fs->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fs->lfd, 8), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(fs->lfd, (struct sockaddr *)&a, &al), 0);
    fs->port = ntohs(a.sin_port);
    snprintf(fs->addr, sizeof fs->addr, "127.0.0.1:%u", (unsigned)fs->port);
    assert_int_equal(pthread_create(&fs->thread, NULL, fake_main, fs), 0);
}

static void fake_stop(struct fake *fs)
{
    close(fs->release[1]);
    assert_int_equal(pthread_join(fs->thread, NULL), 0);
    close(fs->release[0]);
    close(fs->lfd);
}

static const struct fake_reply health_ok = {FAKE_SEND, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", 0};

/* A scripted server started with `replies` (the first must be health_ok) and a client opened on it. */
static struct clinic_http *fake_open(struct fake *fs, const struct fake_reply *replies, size_t n)
{
    fake_start(fs, replies, n);
    struct core_error err;
    struct clinic_http *h = NULL;
    assert_int_equal(clinic_http_open(fs->addr, &h, &err), CORE_OK);
    return h;
}

/* Opens a client on the scripted server (its first reply must be health_ok) and makes one request. */
static CORE_MUST_USE int fake_request(const struct fake_reply *reply, int *status, char *body, size_t cap,
                                      char *msg, size_t msg_cap)
{
    struct fake_reply replies[2] = {health_ok, *reply};
    struct fake fs;
    struct clinic_http *h = fake_open(&fs, replies, 2);
    struct core_error err;
    core_error_clear(&err);
    clinic_http_set_timeout_ms(h, 200);
    uint8_t *b = NULL;
    size_t blen = 0;
    *status = -1;
    int rc = clinic_http_request(h, "POST", "/eligibility", "<x/>", 4, status, &b, &blen, &err);
    if (body != NULL && cap > 0) {
        snprintf(body, cap, "%s", b != NULL ? (const char *)b : "");
    }
    if (rc == CORE_OK)
        assert_non_null(b);
    else
        assert_null(b);
    free(b);
    clinic_http_close(h);
    fake_stop(&fs);
    /* The request went out as HTTP/1.1 with its body. */
    if (reply->mode != FAKE_CLOSE) {
        assert_non_null(strstr(fs.request, "POST /eligibility HTTP/1.1\r\n"));
        assert_non_null(strstr(fs.request, "Content-Type: application/xml\r\n"));
        assert_non_null(strstr(fs.request, "\r\n\r\n<x/>"));
    }
    snprintf(msg, msg_cap, "%.200s", err.message);
    return rc;
}

static void answers_are_read_by_content_length_or_to_the_end(void **state)
{
    (void)state;
    int status = 0;
    char body[64], msg[256];
    struct fake_reply r = {FAKE_SEND, "HTTP/1.1 201 Created\r\ncontent-length:\t 5 \r\n\r\nhello and more",
                           0};
    assert_int_equal(fake_request(&r, &status, body, sizeof body, msg, sizeof msg), CORE_OK);
    assert_int_equal(status, 201);
    assert_string_equal(body, "hello");
    /* No Content-Length: the body ends where the connection does. */
    r.data = "HTTP/1.0 404 Not Found\r\nX-Other: 1\r\n\r\nnot here";
    assert_int_equal(fake_request(&r, &status, body, sizeof body, msg, sizeof msg), CORE_OK);
    assert_int_equal(status, 404);
    assert_string_equal(body, "not here");
    /* An empty body. */
    r.data = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(fake_request(&r, &status, body, sizeof body, msg, sizeof msg), CORE_OK);
    assert_int_equal(status, 204);
    assert_string_equal(body, "");
}

static void broken_answers_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",                                                      /* closed without a word (see below too) */
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n",              /* the head never ends */
        "HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n",            /* not HTTP/1.x */
        "FTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",           /* not HTTP */
        "HTTP/1.1_200 OK\r\nContent-Length: 0\r\n\r\n",          /* no space after the version */
        "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",          /* a status that is not a number */
        "HTTP/1.1 20",                                           /* too short */
        "HTTP\r\n\r\n",                                          /* too short for a status line */
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",    /* cut short */
        "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",           /* an empty length */
        "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\nab",       /* not a number */
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nab",       /* not a number */
        "HTTP/1.1 200 OK\r\nContent-Length: 1234567890\r\n\r\n", /* ten digits */
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n", /* chunks */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int status = 0;
        char msg[256];
        struct fake_reply r = {FAKE_SEND, bad[i], 0};
        assert_int_equal(fake_request(&r, &status, NULL, 0, msg, sizeof msg), CORE_EIO);
        char want[64];
        snprintf(want, sizeof want, "%s", "not an HTTP answer");
        if (strstr(msg, want) == NULL)
            fail_msg("answer %zu: '%s'", i, msg);
        assert_int_equal(status, 0);
    }
    /* A server that closes the connection before answering. */
    int status = 0;
    char msg[256];
    struct fake_reply closed = {FAKE_CLOSE, NULL, 0};
    int rc = fake_request(&closed, &status, NULL, 0, msg, sizeof msg);
    assert_int_equal(rc, CORE_EIO);
    assert_non_null(strstr(msg, "http: 127.0.0.1:"));
}

static void answers_over_the_limits_are_refused(void **state)
{
    (void)state;
    int status = 0;
    char msg[256];
    size_t body_max = (size_t)ELIGIBILITY_MSG_MAX_BYTES + 4096u;
    /* A body one byte over the limit (no Content-Length: read to the end). */
    struct fake_reply r = {FAKE_SEND, "HTTP/1.1 200 OK\r\n\r\n", body_max + 1};
    assert_int_equal(fake_request(&r, &status, NULL, 0, msg, sizeof msg), CORE_EIO);
    char want[64];
    snprintf(want, sizeof want, "body over %zu bytes", body_max);
    assert_non_null(strstr(msg, want));
    /* Exactly at the limit it is read whole. */
    r.pad = body_max;
    assert_int_equal(fake_request(&r, &status, NULL, 0, msg, sizeof msg), CORE_OK);
    assert_int_equal(status, 200);
    /* Headers that never end within 16 KiB. */
    r.data = "HTTP/1.1 200 OK\r\nX-Long: ";
    r.pad = 17u * 1024u;
    assert_int_equal(fake_request(&r, &status, NULL, 0, msg, sizeof msg), CORE_EIO);
    assert_non_null(strstr(msg, "not an HTTP answer"));
    /* More than the buffer holds: the read stops there. */
    r.data = "HTTP/1.1 200 OK\r\n\r\n";
    r.pad = 16u * 1024u + body_max + 100u;
    assert_int_equal(fake_request(&r, &status, NULL, 0, msg, sizeof msg), CORE_EIO);
    snprintf(want, sizeof want, "answer over %zu bytes", 16u * 1024u + body_max);
    assert_non_null(strstr(msg, want));
}

static void a_server_that_never_answers_times_out(void **state)
{
    (void)state;
    int status = 0;
    char msg[256];
    struct fake_reply r = {FAKE_HANG, NULL, 0};
    assert_int_equal(fake_request(&r, &status, NULL, 0, msg, sizeof msg), CORE_EIO);
    assert_non_null(strstr(msg, ": no answer in time"));
    /* A zero timeout is the default again (not "no timeout at all"): nothing to observe but no crash. */
    clinic_http_set_timeout_ms(NULL, 5);
}

static void nonces_must_be_32_bytes_of_base64(void **state)
{
    (void)state;
    static const struct {
        const char *answer;
        int rc;
    } cases[] = {
        {"HTTP/1.1 200 OK\r\n\r\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n", CORE_OK},
        {"HTTP/1.1 500 Oops\r\n\r\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", CORE_EIO},
        {"HTTP/1.1 200 OK\r\n\r\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", CORE_EIO},  /* 43 */
        {"HTTP/1.1 200 OK\r\n\r\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", CORE_EIO}, /* no '=' */
        {"HTTP/1.1 200 OK\r\n\r\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", CORE_EIO}, /* 31 bytes */
        {"HTTP/1.1 200 OK\r\n\r\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH!8=", CORE_EIO}, /* not base64 */
        {"HTTP/1.1 200 OK\r\n\r\n", CORE_EIO},                                             /* empty */
        {"HTTP/1.1 200", CORE_EIO},                                                        /* not HTTP */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fake_reply replies[2] = {health_ok, {FAKE_SEND, cases[i].answer, 0}};
        struct fake fs;
        struct clinic_http *h = fake_open(&fs, replies, 2);
        uint8_t nonce[32];
        memset(nonce, 0xEE, sizeof nonce);
        int rc = clinic_http_nonce(h, nonce);
        clinic_http_close(h);
        fake_stop(&fs);
        if (rc != cases[i].rc)
            fail_msg("nonce answer %zu: %d", i, rc);
        assert_non_null(strstr(fs.request, "POST /nonce HTTP/1.1\r\n"));
        assert_non_null(strstr(fs.request, "Content-Type: text/plain\r\n"));
        if (rc == CORE_OK)
            for (int k = 0; k < 32; k++)
                assert_int_equal(nonce[k], k);
    }
}

static void transport_takes_200_and_413_only(void **state)
{
    (void)state;
    static const struct {
        const char *answer;
        int rc;
    } cases[] = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n<a/>", CORE_OK},
        {"HTTP/1.1 413 Too Large\r\nContent-Length: 4\r\n\r\n<a/>", CORE_OK},
        {"HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\n<a/>", CORE_EIO},
        {"HTTP/1.1 404 Not Found\r\n\r\n", CORE_EIO},
        {"garbage", CORE_EIO},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct fake_reply replies[2] = {health_ok, {FAKE_SEND, cases[i].answer, 0}};
        struct fake fs;
        struct clinic_http *h = fake_open(&fs, replies, 2);
        static uint8_t untouched[] = "not touched";
        uint8_t *resp = untouched;
        size_t resp_len = 99;
        int rc = clinic_http_transport(h, (const uint8_t *)"<r/>", 4, &resp, &resp_len);
        clinic_http_close(h);
        fake_stop(&fs);
        assert_int_equal(rc, cases[i].rc);
        if (rc == CORE_OK) {
            assert_int_equal(resp_len, 4);
            assert_non_null(resp);
            if (resp == NULL)
                return;
            assert_memory_equal(resp, "<a/>", 4);
        } else {
            assert_null(resp);
            assert_int_equal(resp_len, 0);
        }
        free(resp);
    }
}

static void open_refuses_bad_addresses_and_silent_or_strange_servers(void **state)
{
    (void)state;
    struct core_error err;
    struct clinic_http *h = (struct clinic_http *)&err;
    static const struct {
        const char *addr, *message;
    } bad[] = {
        {"127.0.0.1", "service address '127.0.0.1': expected HOST:PORT"},
        {":8080", "service address ':8080': expected HOST:PORT"},
        {"127.0.0.1:", "service address '127.0.0.1:': port 1-65535 expected"},
        {"127.0.0.1:0", "service address '127.0.0.1:0': port 1-65535 expected"},
        {"127.0.0.1:65536", "service address '127.0.0.1:65536': port 1-65535 expected"},
        {"127.0.0.1:+80", "service address '127.0.0.1:+80': port 1-65535 expected"},
        {"127.0.0.1:8o", "service address '127.0.0.1:8o': port 1-65535 expected"},
        {"127.0.0.1:99999999999999999999999", "port 1-65535 expected"},
        {"localhost:80", "service address 'localhost:80': not an IPv4 address"},
        {"0123456789012345678901234567890123456789012345678901234567890123456789:80", "expected HOST:PORT"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        core_error_clear(&err);
        assert_int_equal(clinic_http_open(bad[i].addr, &h, &err), CORE_EINVAL);
        assert_null(h);
        if (strstr(err.message, bad[i].message) == NULL)
            fail_msg("%s: '%s'", bad[i].addr, err.message);
    }
    assert_int_equal(clinic_http_open(NULL, &h, &err), CORE_EINVAL);
    assert_string_equal(err.message, "service address '': expected HOST:PORT");
    assert_int_equal(clinic_http_open("127.0.0.1:80", NULL, &err), CORE_EINVAL);

    /* Nothing listens: a port just freed. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    close(fd);
    char addr[32], want[96];
    snprintf(addr, sizeof addr, "127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    assert_int_equal(clinic_http_open(addr, &h, &err), CORE_EIO);
    assert_null(h);
    snprintf(want, sizeof want, "http: cannot connect to %s: %s", addr, strerror(ECONNREFUSED));
    assert_string_equal(err.message, want);

    /* Something else answers /health. */
    struct fake_reply other = {FAKE_SEND, "HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n", 0};
    struct fake fs;
    fake_start(&fs, &other, 1);
    assert_int_equal(clinic_http_open(fs.addr, &h, &err), CORE_EIO);
    fake_stop(&fs);
    assert_null(h);
    snprintf(want, sizeof want, "http: %s: GET /health answered 503, not 200", fs.addr);
    assert_string_equal(err.message, want);
    assert_non_null(strstr(fs.request, "GET /health HTTP/1.1\r\n"));
    assert_non_null(strstr(fs.request, "Connection: close\r\n"));
}

static void requests_with_missing_arguments_are_refused(void **state)
{
    (void)state;
    struct fake fs;
    struct clinic_http *h = fake_open(&fs, &health_ok, 1);
    struct core_error err;
    fake_stop(&fs);
    int status = 7;
    static uint8_t untouched[] = "x";
    uint8_t *body = untouched;
    size_t blen = 9;
    assert_int_equal(clinic_http_request(NULL, "GET", "/", NULL, 0, &status, &body, &blen, &err),
                     CORE_EINVAL);
    assert_string_equal(err.message, "http: missing argument");
    assert_null(body);
    assert_int_equal(blen, 0);
    assert_int_equal(clinic_http_request(h, NULL, "/", NULL, 0, &status, NULL, NULL, &err), CORE_EINVAL);
    assert_int_equal(clinic_http_request(h, "GET", NULL, NULL, 0, &status, NULL, NULL, &err), CORE_EINVAL);
    assert_int_equal(clinic_http_request(h, "GET", "/", NULL, 0, NULL, NULL, NULL, &err), CORE_EINVAL);
    assert_int_equal(clinic_http_request(h, "POST", "/", NULL, 3, &status, NULL, NULL, &err), CORE_EINVAL);
    char path[600];
    memset(path, 'a', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    assert_int_equal(clinic_http_request(h, "GET", path, NULL, 0, &status, NULL, NULL, &err), CORE_EINVAL);
    assert_string_equal(err.message, "http: path too long");
    assert_int_equal(clinic_http_register_reader(h, NULL, &err), CORE_EINVAL);
    assert_string_equal(err.message, "http: no reader device to register");
    clinic_http_close(h);
    clinic_http_close(NULL);
}

/* ---- against the real service ------------------------------------------------------------------------ */

struct world {
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

static void world_start(struct world *w, bool control)
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
    eligibility_service_seed(w->svc, 11);
    assert_int_equal(eligibility_service_set_date(w->svc, D("2025-06-02")), CORE_OK);
    struct eligibility_http_options o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.control = control;
    if (eligibility_http_start(w->svc, &o, &w->server, &err) != CORE_OK)
        fail_msg("http: %s", err.message);
    snprintf(w->addr, sizeof w->addr, "127.0.0.1:%u", (unsigned)eligibility_http_port(w->server));
}

static void world_stop(struct world *w)
{
    eligibility_http_stop(w->server);
    eligibility_service_free(w->svc);
    pcsc_reader_close(w->reader);
    card_free(w->card);
    eligibility_registry_free(w->reg);
    policy_free(w->policy);
}

/* One visit over HTTP: the face-only card at a PIN reader (the visual route) and the paper card. */
static void visit(struct world *w, struct clinic_http *h, const struct clinic_device *dev, const char *on,
                  struct clinic_reception_result *out)
{
    struct clinic_presented p;
    memset(&p, 0, sizeof p);
    p.card = true;
    p.card_face_only = true;
    p.paper_card = true;
    p.paper_numbers = w->numbers;
    p.paper_expiry = CORE_DAY_NONE;
    p.born = w->born;
    struct clinic_reception in;
    memset(&in, 0, sizeof in);
    in.on = D(on);
    in.visit = CLINIC_VISIT_FIRST;
    in.reader = CLINIC_READER_PIN;
    in.online_ok = true;
    in.presented = &p;
    in.card = w->reader;
    in.transport = clinic_http_transport;
    in.transport_ctx = h;
    in.nonce = clinic_http_nonce;
    in.nonce_ctx = h;
    in.device = dev;
    in.institution = "1312345678";
    in.policy = w->policy;
    struct core_error err;
    if (clinic_reception_run(&in, out, &err) != CORE_OK)
        fail_msg("reception: %s", err.message);
}

static void a_visit_over_http_with_the_control_routes(void **state)
{
    (void)state;
    struct world w;
    world_start(&w, true);
    struct core_error err;
    struct clinic_http *h = NULL;
    assert_int_equal(clinic_http_open(w.addr, &h, &err), CORE_OK);
    if (h == NULL)
        return;
    int status = 0;
    uint8_t *body = NULL;
    size_t blen = 0;
    assert_int_equal(clinic_http_request(h, "GET", "/health", NULL, 0, &status, &body, &blen, &err), CORE_OK);
    assert_int_equal(status, 200);
    assert_string_equal((const char *)body, "ok\n");
    free(body);
    assert_int_equal(clinic_http_request(h, "GET", "/nowhere", NULL, 0, &status, NULL, NULL, &err), CORE_OK);
    assert_int_equal(status, 404);

    /* Nonces: fresh each time. */
    uint8_t n1[32], n2[32];
    assert_int_equal(clinic_http_nonce(h, n1), CORE_OK);
    assert_int_equal(clinic_http_nonce(h, n2), CORE_OK);
    assert_memory_not_equal(n1, n2, 32);

    struct clinic_device *dev = NULL;
    assert_int_equal(clinic_device_new("clinic-http", &dev, &err), CORE_OK);

    /* The reader is not registered yet: the card route is refused, the paper card goes through. */
    struct clinic_reception_result r;
    visit(&w, h, dev, "2025-06-02", &r);
    assert_int_equal(r.requests, 2);
    assert_int_equal(r.paper_card.result, ELIGIBILITY_OK);
    assert_int_not_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_not_equal(r.card.result, ELIGIBILITY_SERVICE_DOWN);
    assert_false(r.decision.card_used);
    assert_int_equal(r.decision.route, CLINIC_ROUTE_PAPER_CARD);

    /* Registered over the control route: the visual route is accepted. */
    assert_int_equal(clinic_http_register_reader(h, dev, &err), CORE_OK);
    visit(&w, h, dev, "2025-06-02", &r);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.auth, ELIGIBILITY_AUTH_VISUAL);
    assert_true(r.decision.card_used);
    assert_int_equal(r.decision.route, CLINIC_ROUTE_CARD);

    /* The service's date: before the enrolment began, nothing is found. */
    assert_int_equal(clinic_http_set_date(h, D("2019-06-03"), &err), CORE_OK);
    assert_int_equal(eligibility_service_date(w.svc), D("2019-06-03"));
    visit(&w, h, dev, "2019-06-03", &r);
    assert_int_equal(r.paper_card.result, ELIGIBILITY_NO_QUALIFICATION);
    assert_false(r.decision.card_used);
    assert_int_equal(clinic_http_set_date(h, D("2025-06-02"), &err), CORE_OK);

    /* The outage, and back. */
    assert_int_equal(clinic_http_set_down(h, true, &err), CORE_OK);
    visit(&w, h, dev, "2025-06-02", &r);
    assert_int_equal(r.card.result, ELIGIBILITY_SERVICE_DOWN);
    assert_int_equal(r.paper_card.result, ELIGIBILITY_SERVICE_DOWN);
    assert_int_equal(clinic_http_set_down(h, false, &err), CORE_OK);
    visit(&w, h, dev, "2025-06-02", &r);
    assert_int_equal(r.card.result, ELIGIBILITY_OK);
    assert_int_equal(r.paper_card.result, ELIGIBILITY_OK);

    /* A request over the service's limit: 413 with its MYNE3001 response, which the transport hands on. */
    size_t big_len = (size_t)ELIGIBILITY_MSG_MAX_BYTES + 10u;
    uint8_t *big = malloc(big_len);
    assert_non_null(big);
    if (big == NULL)
        return;
    memset(big, 'x', big_len);
    uint8_t *resp = NULL;
    size_t resp_len = 0;
    assert_int_equal(clinic_http_transport(h, big, big_len, &resp, &resp_len), CORE_OK);
    free(big);
    assert_non_null(resp);
    if (resp == NULL)
        return;
    struct eligibility_response_msg *res = calloc(1, sizeof *res);
    assert_non_null(res);
    if (res == NULL)
        return;
    struct eligibility_msg_error merr;
    memset(&merr, 0, sizeof merr);
    assert_int_equal(eligibility_response_parse(resp, resp_len, res, &merr), CORE_OK);
    assert_non_null(memmem(resp, resp_len, "3001", 4));
    free(res);
    free(resp);

    /* A refused control value: CORE_ESTATE naming the route. */
    assert_int_equal(clinic_http_set_date(h, CORE_DAY_NONE, &err), CORE_ESTATE);
    assert_non_null(strstr(err.message, "POST /control/date answered 400"));

    clinic_device_free(dev);
    clinic_http_close(h);
    world_stop(&w);
}

static void control_routes_need_a_service_started_with_control(void **state)
{
    (void)state;
    struct world w;
    world_start(&w, false);
    struct core_error err;
    struct clinic_http *h = NULL;
    assert_int_equal(clinic_http_open(w.addr, &h, &err), CORE_OK);
    char want[160];
    assert_int_equal(clinic_http_set_down(h, true, &err), CORE_ESTATE);
    snprintf(want, sizeof want,
             "http: %s: POST /control/down answered 404 (is the service started with --control?)", w.addr);
    assert_string_equal(err.message, want);
    assert_int_equal(clinic_http_set_date(h, D("2025-06-02"), &err), CORE_ESTATE);
    struct clinic_device *dev = NULL;
    assert_int_equal(clinic_device_new("clinic-http", &dev, &err), CORE_OK);
    assert_int_equal(clinic_http_register_reader(h, dev, &err), CORE_ESTATE);
    assert_non_null(strstr(err.message, "POST /control/reader/RDR-"));
    clinic_device_free(dev);
    clinic_http_close(h);
    world_stop(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answers_are_read_by_content_length_or_to_the_end),
        cmocka_unit_test(broken_answers_are_refused),
        cmocka_unit_test(answers_over_the_limits_are_refused),
        cmocka_unit_test(a_server_that_never_answers_times_out),
        cmocka_unit_test(nonces_must_be_32_bytes_of_base64),
        cmocka_unit_test(transport_takes_200_and_413_only),
        cmocka_unit_test(open_refuses_bad_addresses_and_silent_or_strange_servers),
        cmocka_unit_test(requests_with_missing_arguments_are_refused),
        cmocka_unit_test(a_visit_over_http_with_the_control_routes),
        cmocka_unit_test(control_routes_need_a_service_started_with_control),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
