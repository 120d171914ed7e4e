/* Tests of sim/eligibility/http.c: the service over HTTP, driven in process on a loopback port the kernel
 * picks, with a small socket client. Every route and method, the body limits (413 with a MYNE3001 response),
 * the control endpoints (date, clock, outage, reader registration, bad values, loopback only) and the start
 * options. The card route runs end to end: a nonce from POST /nonce, a reader registered over
 * /control/reader/ID, a certificate minted with the test J-LIS CA's key (fixtures/pki). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <errno.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "eligibility/eligibility.h"
#include "eligibility_test.h"

#define INSURER "112334"
#define SERIAL 0x4001u

/* ---- a tiny HTTP/1.1 client ------------------------------------------------------------------------------ */

struct reply {
    int status;
    char *body; /* NUL-terminated (the bytes may hold NULs before it: body_len tells) */
    size_t body_len;
};

static void reply_free(struct reply *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

static CORE_MUST_USE int connect_to(const char *ip, uint16_t port, const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    if (from != NULL) {
        struct sockaddr_in src;
        memset(&src, 0, sizeof src);
        src.sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, from, &src.sin_addr), 1);
        assert_int_equal(bind(fd, (const struct sockaddr *)&src, sizeof src), 0);
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    assert_int_equal(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
    assert_int_equal(connect(fd, (const struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static void send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        assert_true(n > 0);
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

/* Reads the whole answer (the server closes: every request says Connection: close); 10 s at most. */
static void read_reply(int fd, struct reply *r)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    if (buf == NULL)
        return;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, 10000);
        assert_int_equal(ready, 1);
        if (len == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap + 1);
            assert_non_null(nb);
            if (nb == NULL)
                break;
            buf = nb;
        }
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        assert_true(n >= 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    close(fd);
    assert_true(len > 12);
    assert_memory_equal(buf, "HTTP/1.1 ", 9);
    r->status = atoi(buf + 9);
    const char *sep = strstr(buf, "\r\n\r\n");
    assert_non_null(sep);
    if (sep == NULL)
        return;
    size_t off = (size_t)(sep + 4 - buf);
    r->body_len = len - off;
    r->body = malloc(r->body_len + 1);
    assert_non_null(r->body);
    if (r->body == NULL)
        return;
    memcpy(r->body, buf + off, r->body_len);
    r->body[r->body_len] = '\0';
    free(buf);
}

static void request_from(const char *ip, const char *from, uint16_t port, const char *method,
                         const char *path, const void *body, size_t len, struct reply *r)
{
    int fd = connect_to(ip, port, from);
    char head[512];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n",
                     method, path, len);
    assert_true(n > 0 && (size_t)n < sizeof head);
    send_all(fd, head, (size_t)n);
    if (len > 0)
        send_all(fd, body, len);
    read_reply(fd, r);
}

static void request(uint16_t port, const char *method, const char *path, const void *body, size_t len,
                    struct reply *r)
{
    request_from("127.0.0.1", NULL, port, method, path, body, len, r);
}

/* The body in chunks of `chunk` bytes (Transfer-Encoding: chunked): the server sees it in several pieces. */
static void request_chunked(uint16_t port, const char *path, const void *body, size_t len, size_t chunk,
                            struct reply *r)
{
    int fd = connect_to("127.0.0.1", port, NULL);
    static const char head[] =
        "POST %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n";
    char line[256];
    int n = snprintf(line, sizeof line, head, path);
    send_all(fd, line, (size_t)n);
    const char *p = body;
    for (size_t off = 0; off < len; off += chunk) {
        size_t k = len - off < chunk ? len - off : chunk;
        n = snprintf(line, sizeof line, "%zx\r\n", k);
        send_all(fd, line, (size_t)n);
        send_all(fd, p + off, k);
        send_all(fd, "\r\n", 2);
    }
    send_all(fd, "0\r\n\r\n", 5);
    read_reply(fd, r);
}

static void post_text(uint16_t port, const char *path, const char *body, struct reply *r)
{
    request(port, "POST", path, body, strlen(body), r);
}

/* ---- the world: one person by numbers, one by a minted certificate --------------------------------------- */

struct fixture {
    struct policy *policy;
    struct eligibility_registry *reg;
    struct eligibility_service *svc;
    struct eligibility_http *http;
    uint16_t port;
    EVP_PKEY *holder;
    uint8_t cert[ELIGIBILITY_MSG_CERT_MAX];
    size_t cert_len;
};

static size_t mint_cert(EVP_PKEY *key, uint64_t serial, uint8_t *out, size_t cap)
{
    EVP_PKEY *ca = load_ca_key();
    X509 *ca_cert = load_ca_cert();
    if (ca_cert == NULL)
        return 0;
    X509 *x = X509_new();
    assert_int_equal(X509_set_version(x, 2), 1);
    assert_int_equal(ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial), 1);
    assert_int_equal(ASN1_TIME_set_string_X509(X509_getm_notBefore(x), "20200101000000Z"), 1);
    assert_int_equal(ASN1_TIME_set_string_X509(X509_getm_notAfter(x), "20400101000000Z"), 1);
    assert_int_equal(X509_set_issuer_name(x, X509_get_subject_name(ca_cert)), 1);
    assert_int_equal(X509_set_subject_name(x, X509_get_subject_name(ca_cert)), 1);
    assert_int_equal(X509_set_pubkey(x, key), 1);
    assert_true(X509_sign(x, ca, EVP_sha256()) > 0);
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    assert_true(n > 0 && (size_t)n <= cap);
    memcpy(out, der, (size_t)n);
    OPENSSL_free(der);
    X509_free(x);
    X509_free(ca_cert);
    EVP_PKEY_free(ca);
    return (size_t)n;
}

static void start(struct fixture *f, const char *host, bool control)
{
    struct eligibility_http_options o;
    memset(&o, 0, sizeof o);
    o.host = host;
    o.port = 0;
    o.control = control;
    o.body_max = 8192; /* small enough that a too-large body costs little */
    o.timeout_seconds = 5;
    o.max_connections = 32;
    struct core_error err;
    if (eligibility_http_start(f->svc, &o, &f->http, &err) != CORE_OK)
        fail_msg("http: %s", err.message);
    f->port = eligibility_http_port(f->http);
    assert_true(f->port != 0);
}

static void make_world(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    struct core_error err;
    if (policy_load_named("national", &f->policy, &err) != CORE_OK)
        fail_msg("policy: %s", err.message);
    assert_int_equal(eligibility_registry_new(f->policy, &f->reg), CORE_OK);
    for (int i = 0; i < 2; i++) {
        uint32_t person, membership;
        assert_int_equal(eligibility_person_add(f->reg, D("1980-04-01"), &person), CORE_OK);
        struct eligibility_enrollment e;
        memset(&e, 0, sizeof e);
        snprintf(e.numbers.insurer_number, sizeof e.numbers.insurer_number, "%s", INSURER);
        snprintf(e.numbers.number, sizeof e.numbers.number, "%d", 34 + i);
        e.start = D("2020-04-01");
        assert_int_equal(
            eligibility_file_enrollment(f->reg, person, &e, D("2020-04-01"), CORE_DAY_NONE, &membership),
            CORE_OK);
        if (i == 1) {
            assert_int_equal(eligibility_card_issue(f->reg, person, 88, D("2021-04-01"), D("2031-04-01"),
                                                    SERIAL, D("2030-04-01")),
                             CORE_OK);
            assert_int_equal(eligibility_file_registration(f->reg, person, D("2021-05-01")), CORE_OK);
        }
    }
    if (eligibility_service_new(f->reg, f->policy, &f->svc, &err) != CORE_OK)
        fail_msg("service: %s", err.message);
    eligibility_service_seed(f->svc, 7);
    assert_int_equal(eligibility_service_set_date(f->svc, D("2025-06-02")), CORE_OK);
    f->holder = EVP_RSA_gen(2048);
    assert_non_null(f->holder);
    f->cert_len = mint_cert(f->holder, SERIAL, f->cert, sizeof f->cert);
}

static CORE_MUST_USE int setup_with(void **state, bool control)
{
    struct fixture *f = malloc(sizeof *f);
    make_world(f);
    start(f, "127.0.0.1", control);
    *state = f;
    return 0;
}

static CORE_MUST_USE int setup(void **state)
{
    return setup_with(state, true);
}

static CORE_MUST_USE int setup_no_control(void **state)
{
    return setup_with(state, false);
}

static CORE_MUST_USE int teardown(void **state)
{
    struct fixture *f = *state;
    eligibility_http_stop(f->http);
    EVP_PKEY_free(f->holder);
    eligibility_service_free(f->svc);
    eligibility_registry_free(f->reg);
    policy_free(f->policy);
    free(f);
    return 0;
}

/* ---- messages ----------------------------------------------------------------------------------------------- */

static size_t number_request(char *buf, size_t cap)
{
    struct eligibility_request_msg m;
    request_header(&m, ELIGIBILITY_REQUEST_NUMBERS, "2025-06-02", "http-1");
    snprintf(m.numbers.insurer_number, sizeof m.numbers.insurer_number, "%s", INSURER);
    snprintf(m.numbers.number, sizeof m.numbers.number, "34");
    m.born = D("1980-04-01");
    size_t len = 0;
    struct eligibility_msg_error merr;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, cap, &len, &merr), CORE_OK);
    return len;
}

static void parse_response(const struct reply *r, struct eligibility_response_msg *res)
{
    struct eligibility_msg_error merr;
    if (eligibility_response_parse(r->body, r->body_len, res, &merr) != CORE_OK)
        fail_msg("response does not parse: %s %s", eligibility_msg_code_string(merr.code), merr.message);
}

/* POST /eligibility with the number request; the response parsed. */
static void ask_numbers(struct fixture *f, struct eligibility_response_msg *res)
{
    static char buf[ELIGIBILITY_MSG_MAX_BYTES];
    size_t len = number_request(buf, sizeof buf);
    struct reply r;
    request(f->port, "POST", "/eligibility", buf, len, &r);
    assert_int_equal(r.status, 200);
    parse_response(&r, res);
    reply_free(&r);
}

/* ---- tests ------------------------------------------------------------------------------------------------- */

static void routes_and_methods(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    request(f->port, "GET", "/health", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    reply_free(&r);
    request(f->port, "HEAD", "/health", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, ""); /* HEAD: headers only */
    reply_free(&r);
    static const struct {
        const char *method, *path, *body;
        int status;
    } cases[] = {
        {"POST", "/health", "GET /health\n", 405},      {"DELETE", "/health", "GET /health\n", 405},
        {"GET", "/eligibility", "POST only\n", 405},    {"PUT", "/eligibility", "POST only\n", 405},
        {"GET", "/nonce", "POST only\n", 405},          {"GET", "/control/date", "POST only\n", 405},
        {"GET", "/nope", "not found\n", 404},           {"POST", "/", "not found\n", 404},
        {"POST", "/eligibility/x", "not found\n", 404},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        request(f->port, cases[i].method, cases[i].path, NULL, 0, &r);
        assert_int_equal(r.status, cases[i].status);
        assert_string_equal(r.body, cases[i].body);
        reply_free(&r);
    }
}

static void eligibility_requests_are_answered(void **state)
{
    struct fixture *f = *state;
    struct eligibility_response_msg res;
    ask_numbers(f, &res);
    assert_result(&res, ELIGIBILITY_OK);
    assert_string_equal(res.file_id, "http-1");
    assert_string_equal(res.process_time, "20250602000000");
    /* The same request in small chunks: the body is put together before it is answered. */
    static char buf[ELIGIBILITY_MSG_MAX_BYTES];
    size_t len = number_request(buf, sizeof buf);
    struct reply r;
    request_chunked(f->port, "/eligibility", buf, len, 97, &r);
    assert_int_equal(r.status, 200);
    parse_response(&r, &res);
    reply_free(&r);
    assert_result(&res, ELIGIBILITY_OK);
    /* A bad message: 200 with the message error. An empty body: malformed. */
    post_text(f->port, "/eligibility", "<XmlMsg a=\"1\"/>", &r);
    assert_int_equal(r.status, 200);
    parse_response(&r, &res);
    reply_free(&r);
    assert_int_equal(res.segment, 9);
    assert_string_equal(res.error_code, "MYNE3005");
    post_text(f->port, "/eligibility", "", &r);
    assert_int_equal(r.status, 200);
    parse_response(&r, &res);
    reply_free(&r);
    assert_string_equal(res.error_code, "MYNE3002");
}

static void oversized_bodies_get_413(void **state)
{
    struct fixture *f = *state;
    /* body_max is 8192: one byte more is refused with a MYNE3001 response, in one piece or in chunks. */
    size_t big = 8193;
    char *body = malloc(100000);
    assert_non_null(body);
    if (body == NULL)
        return;
    memset(body, ' ', 100000);
    body[0] = '<';
    struct reply r;
    struct eligibility_response_msg res;
    request(f->port, "POST", "/eligibility", body, big, &r);
    assert_int_equal(r.status, 413);
    parse_response(&r, &res);
    reply_free(&r);
    assert_string_equal(res.error_code, "MYNE3001");
    request_chunked(f->port, "/eligibility", body, 100000, 3000, &r);
    assert_int_equal(r.status, 413);
    parse_response(&r, &res);
    reply_free(&r);
    assert_string_equal(res.error_code, "MYNE3001");
    /* Exactly the limit is read whole: not 413 (a malformed message, answered 200). */
    request(f->port, "POST", "/eligibility", body, 8192, &r);
    assert_int_equal(r.status, 200);
    parse_response(&r, &res);
    reply_free(&r);
    assert_string_equal(res.error_code, "MYNE3002");
    /* Control bodies have their own limit (4096 bytes). */
    request(f->port, "POST", "/control/date", body, 4097, &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.body, "body too large\n");
    reply_free(&r);
    free(body);
    /* The service still answers. */
    ask_numbers(f, &res);
    assert_result(&res, ELIGIBILITY_OK);
}

static void control_date_and_clock(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    struct eligibility_response_msg res;
    post_text(f->port, "/control/date", "2025-07-01\r\n", &r); /* line ends are trimmed */
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    reply_free(&r);
    assert_int_equal(eligibility_service_date(f->svc), D("2025-07-01"));
    ask_numbers(f, &res);
    assert_string_equal(res.process_time, "20250701000000");
    static const char *const bad[] = {"2025-02-30", "", "\n", "clock2", "clocx", "2025-7-1", "yesterday"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        post_text(f->port, "/control/date", bad[i], &r);
        assert_int_equal(r.status, 400);
        assert_string_equal(r.body, "bad control value\n");
        reply_free(&r);
    }
    assert_int_equal(eligibility_service_date(f->svc), D("2025-07-01"));
    /* "clock": the process clock's Japan date again. */
    core_day before = core_date_today();
    post_text(f->port, "/control/date", "clock\n", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    core_day now = eligibility_service_date(f->svc);
    assert_true(now >= before && now <= core_date_today());
    post_text(f->port, "/control/date", "2025-06-02", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    assert_int_equal(eligibility_service_date(f->svc), D("2025-06-02"));
}

static void control_down(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    struct eligibility_response_msg res;
    post_text(f->port, "/control/down", "1\n", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    ask_numbers(f, &res);
    assert_result(&res, ELIGIBILITY_SERVICE_DOWN);
    assert_string_equal(res.error_code, "MYNE9001");
    static const char *const bad[] = {"2", "", "10", "yes", "\r"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        post_text(f->port, "/control/down", bad[i], &r);
        assert_int_equal(r.status, 400);
        assert_string_equal(r.body, "bad control value\n");
        reply_free(&r);
    }
    ask_numbers(f, &res); /* still down */
    assert_string_equal(res.error_code, "MYNE9001");
    post_text(f->port, "/control/down", "0", &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    ask_numbers(f, &res);
    assert_result(&res, ELIGIBILITY_OK);
    post_text(f->port, "/control/nope", "1", &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, "no such control\n");
    reply_free(&r);
    post_text(f->port, "/control/", "1", &r);
    assert_int_equal(r.status, 404);
    reply_free(&r);
}

/* POST /nonce, decoded. */
static void get_nonce(struct fixture *f, uint8_t nonce[32])
{
    struct reply r;
    request(f->port, "POST", "/nonce", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 44);
    uint8_t raw[48];
    assert_int_equal(EVP_DecodeBlock(raw, (const unsigned char *)r.body, 44), 33); /* 32 and one pad */
    memcpy(nonce, raw, 32);
    reply_free(&r);
}

static void face_request_over_http(struct fixture *f, EVP_PKEY *reader, const char *reader_id,
                                   struct eligibility_response_msg *res)
{
    struct eligibility_request_msg m;
    request_header(&m, ELIGIBILITY_REQUEST_CARD, "2025-06-02", "http-face");
    m.card.auth_class = ELIGIBILITY_MSG_AUTH_FACE;
    memcpy(m.card.certificate, f->cert, f->cert_len);
    m.card.certificate_len = f->cert_len;
    get_nonce(f, m.card.nonce);
    m.card.nonce_len = 32;
    snprintf(m.card.reader_id, sizeof m.card.reader_id, "%s", reader_id);
    m.card.face_match = 1;
    reader_sign(reader, &m.card);
    static char buf[ELIGIBILITY_MSG_MAX_BYTES];
    size_t blen = 0;
    struct eligibility_msg_error merr;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_CP932, buf, sizeof buf, &blen, &merr),
                     CORE_OK);
    struct reply r;
    request(f->port, "POST", "/eligibility", buf, blen, &r);
    assert_int_equal(r.status, 200);
    parse_response(&r, res);
    reply_free(&r);
    assert_int_equal(res->encoding, ELIGIBILITY_ENC_CP932);
}

static void readers_register_over_control(void **state)
{
    struct fixture *f = *state;
    EVP_PKEY *reader = EVP_EC_gen("P-256");
    EVP_PKEY *p384 = EVP_EC_gen("P-384");
    assert_non_null(reader);
    assert_non_null(p384);
    uint8_t *spki = NULL, *spki384 = NULL;
    int n = i2d_PUBKEY(reader, &spki);
    int n384 = i2d_PUBKEY(p384, &spki384);
    assert_true(n > 0 && n384 > 0);
    struct reply r;
    struct eligibility_response_msg res;
    /* Not registered yet: the reader's word is worth nothing. */
    face_request_over_http(f, reader, "reader-http-01", &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    assert_string_equal(res.error_code, "MYNE2003");
    /* Bad keys and bad ids are refused. */
    request(f->port, "POST", "/control/reader/reader-http-01", spki384, (size_t)n384, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "bad control value\n");
    reply_free(&r);
    post_text(f->port, "/control/reader/reader-http-01", "not a key", &r);
    assert_int_equal(r.status, 400);
    reply_free(&r);
    request(f->port, "POST", "/control/reader/bad!id", spki, (size_t)n, &r);
    assert_int_equal(r.status, 400);
    reply_free(&r);
    request(f->port, "POST", "/control/reader/", spki, (size_t)n, &r);
    assert_int_equal(r.status, 400);
    reply_free(&r);
    face_request_over_http(f, reader, "reader-http-01", &res);
    assert_result(&res, ELIGIBILITY_CERT_REVOKED);
    /* Registered: the face route passes, end to end. */
    request(f->port, "POST", "/control/reader/reader-http-01", spki, (size_t)n, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    reply_free(&r);
    face_request_over_http(f, reader, "reader-http-01", &res);
    assert_result(&res, ELIGIBILITY_OK);
    assert_string_equal(res.qualification.numbers.number, "35");
    assert_string_equal(res.file_id, "http-face");
    OPENSSL_free(spki);
    OPENSSL_free(spki384);
    EVP_PKEY_free(p384);
    EVP_PKEY_free(reader);
}

static void control_is_off_unless_asked(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    post_text(f->port, "/control/down", "1", &r);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, "not found\n");
    reply_free(&r);
    struct eligibility_response_msg res;
    ask_numbers(f, &res);
    assert_result(&res, ELIGIBILITY_OK);
}

/* This host's first IPv4 address that is not loopback; false when it has none. */
static bool outside_address(char *out, size_t cap)
{
    struct ifaddrs *ifs = NULL;
    if (getifaddrs(&ifs) != 0)
        return false;
    bool found = false;
    for (struct ifaddrs *i = ifs; i != NULL && !found; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
            continue;
        struct sockaddr_in in;
        memcpy(&in, i->ifa_addr, sizeof in);
        if ((ntohl(in.sin_addr.s_addr) >> 24) == 127u)
            continue;
        found = inet_ntop(AF_INET, &in.sin_addr, out, (socklen_t)cap) != NULL;
    }
    freeifaddrs(ifs);
    return found;
}

static void control_is_for_loopback_clients_only(void **state)
{
    struct fixture *f = *state;
    char ip[INET_ADDRSTRLEN];
    if (!outside_address(ip, sizeof ip))
        skip(); /* a host with loopback only cannot be reached from elsewhere */
    eligibility_http_stop(f->http);
    start(f, "0.0.0.0", true);
    struct reply r;
    request_from(ip, ip, f->port, "POST", "/control/down", "1", 1, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(r.body, "control is for loopback clients only\n");
    reply_free(&r);
    /* The other routes serve anyone; loopback may still control. */
    request_from(ip, ip, f->port, "GET", "/health", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    request_from("127.0.0.1", NULL, f->port, "POST", "/control/down", "0", 1, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
}

static void start_options_and_errors(void **state)
{
    struct fixture *f = *state;
    struct eligibility_http_options o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    struct eligibility_http *h = (struct eligibility_http *)1;
    struct core_error err;
    assert_int_equal(eligibility_http_start(NULL, &o, &h, &err), CORE_EINVAL);
    assert_int_equal(eligibility_http_start(f->svc, NULL, &h, &err), CORE_EINVAL);
    assert_int_equal(eligibility_http_start(f->svc, &o, NULL, &err), CORE_EINVAL);
    o.host = NULL;
    assert_int_equal(eligibility_http_start(f->svc, &o, &h, &err), CORE_EINVAL);
    o.host = "localhost";
    assert_int_equal(eligibility_http_start(f->svc, &o, &h, &err), CORE_EINVAL);
    assert_string_equal(err.message, "not an IPv4 address: localhost");
    assert_null(h);
    /* The port the fixture's server holds is taken. */
    o.host = "127.0.0.1";
    o.port = f->port;
    h = (struct eligibility_http *)1;
    assert_int_equal(eligibility_http_start(f->svc, &o, &h, &err), CORE_EIO);
    assert_null(h);
    char want[64];
    snprintf(want, sizeof want, "cannot listen on 127.0.0.1:%u", (unsigned)f->port);
    assert_string_equal(err.message, want);
    assert_int_equal(eligibility_http_port(NULL), 0);
    eligibility_http_stop(NULL);
    /* All defaults (body limit 64 KiB, deadline 10 s, 4096 connections, 1024 per address): a second server answers too. */
    o.port = 0;
    assert_int_equal(eligibility_http_start(f->svc, &o, &h, &err), CORE_OK);
    uint16_t port = eligibility_http_port(h);
    assert_true(port != 0 && port != f->port);
    struct reply r;
    request(port, "GET", "/health", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    char *body = malloc(ELIGIBILITY_MSG_MAX_BYTES + 1);
    assert_non_null(body);
    if (body == NULL)
        return;
    memset(body, ' ', ELIGIBILITY_MSG_MAX_BYTES + 1);
    body[0] = '<';
    request(port, "POST", "/eligibility", body, ELIGIBILITY_MSG_MAX_BYTES, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    request(port, "POST", "/eligibility", body, ELIGIBILITY_MSG_MAX_BYTES + 1, &r);
    assert_int_equal(r.status, 413);
    reply_free(&r);
    eligibility_http_stop(h);
    /* A body limit above the codec's is brought down to it: what the codec refuses as too large is a 413. */
    o.body_max = 4u * ELIGIBILITY_MSG_MAX_BYTES;
    assert_int_equal(eligibility_http_start(f->svc, &o, &h, &err), CORE_OK);
    port = eligibility_http_port(h);
    request(port, "POST", "/eligibility", body, ELIGIBILITY_MSG_MAX_BYTES + 1, &r);
    assert_int_equal(r.status, 413);
    struct eligibility_response_msg res;
    parse_response(&r, &res);
    reply_free(&r);
    assert_string_equal(res.error_code, "MYNE3001");
    free(body);
    eligibility_http_stop(h);
}

/* Sends `raw` as it is on a fresh connection and reads the answer's status (0: the server closed it). */
static int raw_status(uint16_t port, const char *raw, size_t len)
{
    int fd = connect_to("127.0.0.1", port, NULL);
    send_all(fd, raw, len);
    struct reply r;
    read_reply(fd, &r);
    int status = r.status;
    reply_free(&r);
    return status;
}

#define RAW(s) (s), sizeof(s) - 1

static void malformed_requests_get_400(void **state)
{
    struct fixture *f = *state;
    /* Two different Content-Length headers: which one frames the body is ambiguous. */
    assert_int_equal(raw_status(f->port, RAW("POST /nonce HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                                             "Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello")),
                     400);
    /* The same value twice frames the body one way only: answered (RFC 9110 lets it be taken as one). */
    assert_int_equal(raw_status(f->port, RAW("POST /nonce HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                                             "Content-Length: 0\r\nContent-Length: 0\r\n\r\n")),
                     200);
    /* HTTP/1.1 without Host; HTTP/1.0 needs none. */
    assert_int_equal(raw_status(f->port, RAW("GET /health HTTP/1.1\r\nConnection: close\r\n\r\n")), 400);
    assert_int_equal(raw_status(f->port, RAW("GET /health HTTP/1.0\r\n\r\n")), 200);
    /* A NUL byte in a header's name: 400. In a value, libmicrohttpd 0.9.75 cuts the value at the NUL and hands
     * mynasim the shorter text with its shorter length: mynasim cannot tell, the request is answered
     * (docs/WIRE.md). In the request line, the target is cut at the NUL: "/hea" is not found. */
    assert_int_equal(raw_status(f->port, RAW("GET /health HTTP/1.1\r\nHost: t\r\nX-\0A: b\r\n"
                                             "Connection: close\r\n\r\n")),
                     400);
    assert_int_equal(raw_status(f->port, RAW("GET /health HTTP/1.1\r\nHost: t\r\nX-A: a\0b\r\n"
                                             "Connection: close\r\n\r\n")),
                     200);
    assert_int_equal(
        raw_status(f->port, RAW("GET /hea\0lth HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")), 404);
    /* Bare LF line ends: libmicrohttpd 0.9.75 takes them as line ends and hands mynasim the same headers as
     * CR LF would; mynasim cannot tell (docs/WIRE.md, "Malformed requests"), so the request is answered. */
    assert_int_equal(raw_status(f->port, RAW("GET /health HTTP/1.1\nHost: t\nConnection: close\n\n")), 200);
}

/* ---- slow and greedy clients (docs/WIRE.md) ---------------------------------------------------------------- */

#define SLOW_ADDRESSES 8 /* 127.0.0.2 to 127.0.0.9 */
#define SLOW_PER_ADDRESS 100
#define SLOW_TOTAL (SLOW_ADDRESSES * SLOW_PER_ADDRESS)
#define SLOW_ROUNDS 3
#define SLOW_DEADLINE 10 /* well past the three rounds, even on a loaded or sanitizer build */

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* True when the server has closed (or reset) the connection: readable and recv gives 0 or an error. */
static bool closed_by_server(int fd, int wait_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, wait_ms) <= 0)
        return false;
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Counts the slow connections the server still holds open. */
static size_t still_open(const int *fds, size_t n)
{
    size_t open = 0;
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0 && !closed_by_server(fds[i], 0))
            open++;
    return open;
}

static void slow_clients_do_not_starve_others(void **state)
{
    struct fixture *f = *state;
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    rlim_t want = 2u * SLOW_TOTAL + 512u; /* both ends of every connection live in this process */
    if (rl.rlim_cur < want) {
        if (rl.rlim_max < want)
            skip(); /* the hard limit cannot hold the test: nothing to learn */
        rl.rlim_cur = want;
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
    struct eligibility_http_options o;
    memset(&o, 0, sizeof o);
    o.host = "127.0.0.1";
    o.timeout_seconds = SLOW_DEADLINE;
    o.max_connections = 2u * SLOW_TOTAL;
    o.per_address = SLOW_PER_ADDRESS + 20u;
    struct eligibility_http *h = NULL;
    struct core_error err;
    if (eligibility_http_start(f->svc, &o, &h, &err) != CORE_OK)
        fail_msg("http: %s", err.message);
    uint16_t port = eligibility_http_port(h);
    uint16_t fixture_port = f->port;
    f->port = port; /* ask_numbers and get_nonce ask this server */

    /* Hundreds of clients from eight other addresses start a request and trickle its headers. */
    static int slow[SLOW_TOTAL];
    static const char start_line[] = "POST /eligibility HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (size_t i = 0; i < SLOW_TOTAL; i++) {
        char from[16];
        snprintf(from, sizeof from, "127.0.0.%u", 2u + (unsigned)(i / SLOW_PER_ADDRESS));
        slow[i] = connect_to("127.0.0.1", port, from);
        send_all(slow[i], start_line, sizeof start_line - 1);
    }
    /* A health check from 127.0.0.1 is answered once MHD has taken in every connection before it. */
    struct reply r;
    request(port, "GET", "/health", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);

    double worst_ms = 0, total_ms = 0;
    size_t answered = 0;
    struct eligibility_response_msg res;
    for (int round = 0; round < SLOW_ROUNDS; round++) {
        /* One header line each, the next round a second later: MHD's idle timeout never fires. */
        for (size_t i = 0; i < SLOW_TOTAL; i++)
            send_all(slow[i], "X-Slow: 1\r\n", 11);
        for (int k = 0; k < 10; k++) {
            struct timespec t0;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            ask_numbers(f, &res);
            double ms = ms_since(&t0);
            assert_result(&res, ELIGIBILITY_OK);
            uint8_t nonce[32];
            get_nonce(f, nonce);
            answered++;
            total_ms += ms;
            worst_ms = ms > worst_ms ? ms : worst_ms;
        }
        size_t held = still_open(slow, SLOW_TOTAL);
        /* The valid requests were answered while every slow client was still connected. */
        assert_int_equal(held, SLOW_TOTAL);
        /* Wait for the next trickle; a slow connection the server closes early ends the wait (and fails). */
        struct pollfd p = {slow[0], POLLIN, 0};
        (void)poll(&p, 1, 1000);
    }
    printf("slow clients: %d connections held from %d addresses; %zu valid requests answered, "
           "latency mean %.1f ms, worst %.1f ms\n",
           SLOW_TOTAL, SLOW_ADDRESSES, answered, total_ms / (double)answered, worst_ms);

    /* The total deadline: however steadily they trickle, the slow requests are cut off once it passes. */
    size_t open = SLOW_TOTAL;
    for (int tick = 0; tick < 4 * SLOW_DEADLINE && open > 0; tick++) {
        for (size_t i = 0; i < SLOW_TOTAL; i++) {
            if (slow[i] < 0)
                continue;
            if (closed_by_server(slow[i], 0) || send(slow[i], "X-Slow: 1\r\n", 11, MSG_NOSIGNAL) < 0) {
                close(slow[i]);
                slow[i] = -1;
                open--;
            }
        }
        struct pollfd p = {-1, 0, 0};
        for (size_t i = 0; i < SLOW_TOTAL && p.fd < 0; i++)
            p.fd = slow[i];
        p.events = POLLIN;
        if (p.fd >= 0)
            (void)poll(&p, 1, 1000);
    }
    assert_int_equal(open, 0);

    /* The per-address limit: connections from one address beyond it are closed at once, others still served. */
    static int greedy[SLOW_PER_ADDRESS + 40];
    size_t refused = 0;
    for (size_t i = 0; i < sizeof greedy / sizeof greedy[0]; i++)
        greedy[i] = connect_to("127.0.0.1", port, "127.0.0.2");
    request(port, "GET", "/health", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    for (size_t i = 0; i < sizeof greedy / sizeof greedy[0]; i++)
        if (closed_by_server(greedy[i], i >= o.per_address ? 5000 : 0))
            refused++;
    assert_int_equal(refused, sizeof greedy / sizeof greedy[0] - o.per_address);
    for (size_t i = 0; i < sizeof greedy / sizeof greedy[0]; i++)
        close(greedy[i]);
    eligibility_http_stop(h);
    f->port = fixture_port;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(routes_and_methods, setup, teardown),
        cmocka_unit_test_setup_teardown(eligibility_requests_are_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(oversized_bodies_get_413, setup, teardown),
        cmocka_unit_test_setup_teardown(control_date_and_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(control_down, setup, teardown),
        cmocka_unit_test_setup_teardown(readers_register_over_control, setup, teardown),
        cmocka_unit_test_setup_teardown(control_is_off_unless_asked, setup_no_control, teardown),
        cmocka_unit_test_setup_teardown(control_is_for_loopback_clients_only, setup, teardown),
        cmocka_unit_test_setup_teardown(start_options_and_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_requests_get_400, setup, teardown),
        cmocka_unit_test_setup_teardown(slow_clients_do_not_starve_others, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
