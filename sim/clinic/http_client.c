/*
 * http_client.c: the desk's HTTP/1.1 client for `mynasim serve` (clinic.h, section "the HTTP client").
 *
 * Deliberately small: one connection per request with "Connection: close", a Content-Length body, the answer
 * read whole into a bounded buffer (headers and body limits), then the status line, the header block and the
 * Content-Length checked. Nothing here knows a message's content: the reception flow parses the response
 * message with the hardened parser, and anything wrong on the way reads as service_down there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "clinic/clinic.h"

#define HTTP_HEAD_MAX (16u * 1024u)
#define HTTP_BODY_MAX ((size_t)ELIGIBILITY_MSG_MAX_BYTES + 4096u)
#define HTTP_TIMEOUT_S 10

struct clinic_http {
    struct sockaddr_in addr;
    char host[64];
    unsigned port;
    unsigned timeout_ms; /* every send and receive; HTTP_TIMEOUT_S by default */
};

static CORE_MUST_USE int parse_host_port(const char *s, struct clinic_http *h, struct core_error *err)
{
    const char *colon = s != NULL ? strrchr(s, ':') : NULL;
    if (colon == NULL || colon == s || (size_t)(colon - s) >= sizeof h->host)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "service address '%s': expected HOST:PORT",
                              s != NULL ? s : "");
    memcpy(h->host, s, (size_t)(colon - s));
    h->host[colon - s] = '\0';
    char *end = NULL;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (errno != 0 || end == colon + 1 || *end != '\0' || p == 0 || p > 65535 || colon[1] == '-' ||
        colon[1] == '+')
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "service address '%s': port 1-65535 expected", s);
    h->port = (unsigned)p;
    memset(&h->addr, 0, sizeof h->addr);
    h->addr.sin_family = AF_INET;
    h->addr.sin_port = htons((uint16_t)p);
    if (inet_pton(AF_INET, h->host, &h->addr.sin_addr) != 1)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "service address '%s': not an IPv4 address", s);
    return CORE_OK;
}

static CORE_MUST_USE int send_all(int fd, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The value of header `name` in the header block [head, head + len), or NULL. */
static const char *header_value(const char *head, size_t len, const char *name, size_t *vlen)
{
    size_t nlen = strlen(name);
    const char *p = memchr(head, '\n', len), *end = head + len;
    while (p != NULL && p + 1 < end) {
        const char *line = p + 1;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (eol == NULL)
            eol = end;
        if ((size_t)(eol - line) > nlen && line[nlen] == ':' && strncasecmp(line, name, nlen) == 0) {
            const char *v = line + nlen + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            const char *ve = eol;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            *vlen = (size_t)(ve - v);
            return v;
        }
        p = eol < end ? eol : NULL;
    }
    return NULL;
}

/* Splits a whole answer into status and body. */
static CORE_MUST_USE int parse_answer(const char *buf, size_t len, int *status, size_t *body_off,
                                      size_t *body_len)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 3 < len && i < HTTP_HEAD_MAX; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
            sep = buf + i;
            break;
        }
    if (sep == NULL || len < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
        return CORE_EIO;
    int code = 0;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return CORE_EIO;
        code = code * 10 + (buf[i] - '0');
    }
    size_t head_len = (size_t)(sep - buf) + 2;
    size_t off = head_len + 2, have = len - off;
    size_t vlen = 0;
    const char *cl = header_value(buf, head_len, "Content-Length", &vlen);
    if (cl != NULL) {
        size_t n = 0;
        if (vlen == 0 || vlen > 9)
            return CORE_EIO;
        for (size_t i = 0; i < vlen; i++) {
            if (cl[i] < '0' || cl[i] > '9')
                return CORE_EIO;
            n = n * 10 + (size_t)(cl[i] - '0');
        }
        if (n > have)
            return CORE_EIO; /* cut short */
        have = n;
    } else {
        size_t tlen = 0;
        if (header_value(buf, head_len, "Transfer-Encoding", &tlen) != NULL)
            return CORE_EIO; /* we never ask for chunks; "Connection: close" bodies end at EOF */
    }
    *status = code;
    *body_off = off;
    *body_len = have;
    return CORE_OK;
}

int clinic_http_request(struct clinic_http *h, const char *method, const char *path, const void *req,
                        size_t len, int *status, uint8_t **body, size_t *body_len, struct core_error *err)
{
    if (body != NULL)
        *body = NULL;
    if (body_len != NULL)
        *body_len = 0;
    if (h == NULL || method == NULL || path == NULL || status == NULL || (req == NULL && len > 0))
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "http: missing argument");
    *status = 0;
    char head[512];
    int hn = snprintf(head, sizeof head,
                      "%s %s HTTP/1.1\r\nHost: %s:%u\r\nConnection: close\r\nContent-Type: %s\r\n"
                      "Content-Length: %zu\r\n\r\n",
                      method, path, h->host, h->port,
                      strncmp(path, "/eligibility", 12) == 0 ? "application/xml" : "text/plain", len);
    if (hn < 0 || (size_t)hn >= sizeof head)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "http: path too long");
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "http: socket: %s", strerror(errno));
    struct timeval tv = {.tv_sec = (time_t)(h->timeout_ms / 1000u),
                         .tv_usec = (suseconds_t)(h->timeout_ms % 1000u) * 1000};
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (const struct sockaddr *)&h->addr, sizeof h->addr) != 0) {
        int e = errno;
        close(fd);
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "http: cannot connect to %s:%u: %s", h->host,
                              h->port, strerror(e));
    }
    if (send_all(fd, head, (size_t)hn) != 0 || (len > 0 && send_all(fd, req, len) != 0)) {
        int e = errno;
        close(fd);
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "http: %s:%u: cannot send: %s", h->host, h->port,
                              strerror(e));
    }
    size_t cap = HTTP_HEAD_MAX + HTTP_BODY_MAX, got = 0;
    char *buf = malloc(cap + 1);
    if (buf == NULL) {
        close(fd);
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "http: out of memory");
    }
    int rc = CORE_OK;
    for (;;) {
        if (got == cap) {
            rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "http: %s:%u: answer over %zu bytes", h->host,
                                h->port, cap);
            break;
        }
        ssize_t n = recv(fd, buf + got, cap - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "http: %s:%u: %s", h->host, h->port,
                                errno == EAGAIN || errno == EWOULDBLOCK ? "no answer in time"
                                                                        : strerror(errno));
            break;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    size_t off = 0, blen = 0;
    if (rc == CORE_OK && parse_answer(buf, got, status, &off, &blen) != CORE_OK)
        rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "http: %s:%u: not an HTTP answer", h->host, h->port);
    if (rc == CORE_OK && blen > HTTP_BODY_MAX)
        rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "http: %s:%u: body over %zu bytes", h->host, h->port,
                            (size_t)HTTP_BODY_MAX);
    if (rc == CORE_OK && body != NULL) {
        uint8_t *b = malloc(blen + 1);
        if (b == NULL) {
            rc = core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "http: out of memory");
        } else {
            memcpy(b, buf + off, blen);
            b[blen] = '\0';
            *body = b;
            if (body_len != NULL)
                *body_len = blen;
        }
    }
    free(buf);
    return rc;
}

int clinic_http_open(const char *host_port, struct clinic_http **out, struct core_error *err)
{
    if (out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "http: missing argument");
    *out = NULL;
    struct clinic_http *h = calloc(1, sizeof *h);
    if (h == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "http: out of memory");
    h->timeout_ms = HTTP_TIMEOUT_S * 1000u;
    int rc = parse_host_port(host_port, h, err);
    int status = 0;
    if (rc == CORE_OK)
        rc = clinic_http_request(h, "GET", "/health", NULL, 0, &status, NULL, NULL, err);
    if (rc == CORE_OK && status != 200)
        rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "http: %s: GET /health answered %d, not 200",
                            host_port, status);
    if (rc != CORE_OK) {
        free(h);
        return rc;
    }
    *out = h;
    return CORE_OK;
}

void clinic_http_close(struct clinic_http *h)
{
    free(h);
}

void clinic_http_set_timeout_ms(struct clinic_http *h, unsigned ms)
{
    if (h != NULL)
        h->timeout_ms = ms > 0 ? ms : HTTP_TIMEOUT_S * 1000u;
}

int clinic_http_transport(void *ctx, const uint8_t *request, size_t len, uint8_t **response,
                          size_t *response_len)
{
    int status = 0;
    struct core_error err;
    core_error_clear(&err);
    *response = NULL;
    *response_len = 0;
    int rc =
        clinic_http_request(ctx, "POST", "/eligibility", request, len, &status, response, response_len, &err);
    if (rc == CORE_OK && status != 200 && status != 413) {
        free(*response);
        *response = NULL;
        *response_len = 0;
        rc = CORE_EIO;
    }
    return rc;
}

int clinic_http_nonce(void *ctx, uint8_t out[32])
{
    int status = 0;
    uint8_t *body = NULL;
    size_t len = 0;
    struct core_error err;
    core_error_clear(&err);
    int rc = clinic_http_request(ctx, "POST", "/nonce", NULL, 0, &status, &body, &len, &err);
    while (rc == CORE_OK && len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r'))
        len--;
    /* 32 bytes are 44 characters of base64, the last one '='. */
    uint8_t raw[48];
    if (rc == CORE_OK && (status != 200 || len != 44 || body[43] != '=' || body[42] == '=' ||
                          EVP_DecodeBlock(raw, body, 44) != 33))
        rc = CORE_EIO;
    if (rc == CORE_OK)
        memcpy(out, raw, 32);
    free(body);
    return rc;
}

static CORE_MUST_USE int control(struct clinic_http *h, const char *path, const void *body, size_t len,
                                 struct core_error *err)
{
    int status = 0;
    int rc = clinic_http_request(h, "POST", path, body, len, &status, NULL, NULL, err);
    if (rc == CORE_OK && status != 200)
        rc = core_error_set(err, CORE_ESTATE, NULL, 0, 0,
                            "http: %s:%u: POST %s answered %d (is the service started with --control?)",
                            h->host, h->port, path, status);
    return rc;
}

int clinic_http_set_date(struct clinic_http *h, core_day day, struct core_error *err)
{
    char d[16];
    core_date_format(day, d);
    return control(h, "/control/date", d, strlen(d), err);
}

int clinic_http_set_down(struct clinic_http *h, bool down, struct core_error *err)
{
    return control(h, "/control/down", down ? "1" : "0", 1, err);
}

int clinic_http_register_reader(struct clinic_http *h, const struct clinic_device *dev,
                                struct core_error *err)
{
    const uint8_t *spki = NULL;
    size_t len = 0;
    if (dev == NULL || clinic_device_public_key(dev, &spki, &len) != CORE_OK)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "http: no reader device to register");
    char path[96];
    snprintf(path, sizeof path, "/control/reader/%s", clinic_device_id(dev));
    return control(h, path, spki, len, err);
}
