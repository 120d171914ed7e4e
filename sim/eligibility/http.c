/*
 * http.c: the eligibility service over HTTP (libmicrohttpd), for `mynasim serve`. The same
 * eligibility_service_handle answers in process and here; this file only moves bytes and enforces limits.
 *
 *   GET  /health           200 "ok": the service is ready
 *   POST /nonce            200, a fresh nonce in base64 (the card route's first step)
 *   POST /eligibility      a request message in, the response message out (200; 413 with a MYNE3001
 *                          response when the body is over the options' body_max, which is at most and by
 *                          default ELIGIBILITY_MSG_MAX_BYTES)
 * With control on, from loopback clients only (403 otherwise):
 *   POST /control/date     body YYYY-MM-DD: the service's date; "clock": the process clock again
 *   POST /control/down     body 1 or 0: the outage
 *   POST /control/reader/ID  body the reader's DER SubjectPublicKeyInfo (ECDSA P-256): registers reader ID
 *
 * Limits (docs/WIRE.md, "Slow and greedy clients"): the body (bytes beyond the limit are read and dropped,
 * never stored); a total deadline per request, counted from the connection's accept or its previous answer
 * and never reset by a byte that arrives (a watchdog thread shuts down the socket of a connection past it,
 * and MHD then closes it as any connection its peer dropped); MHD's idle timeout as well; many connection
 * slots (epoll, no FD_SETSIZE bound; the open-file limit is raised to fit them); a per-address limit wide
 * enough for a clinic's terminals behind one address; and MHD's per-connection memory pool for the request
 * line and headers (an oversized header gets 431/400 from MHD). One internal polling thread serves every
 * connection; a lock around the service keeps it correct should MHD use more.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "eligibility/eligibility.h"

#define CONTROL_BODY_MAX 4096u
#define DEFAULT_MAX_CONNECTIONS 4096u
#define DEFAULT_PER_ADDRESS 1024u
#define SPARE_FDS 64u /* descriptors kept for the listen socket, epoll, the process's own files */

/* One open connection, MHD's socket context: when its current request began and whether it is answered. */
struct watched {
    struct watched *prev, *next;
    int fd;
    struct timespec began;
    bool answering; /* the request is complete and its answer queued: the deadline no longer applies */
};

struct eligibility_http {
    struct MHD_Daemon *daemon;
    struct eligibility_service *svc;
    pthread_mutex_t lock;
    /* the deadline watchdog */
    pthread_mutex_t conns_lock;
    pthread_cond_t wake;
    pthread_t watchdog;
    bool watchdog_running, stopping;
    struct watched *conns;
    unsigned deadline_seconds;
    bool control;
    size_t body_max;
    uint16_t port;
};

/* One request's body as it arrives. */
struct upload {
    size_t len, cap, limit;
    bool over; /* more than `limit` bytes came: the rest was dropped */
    uint8_t *data;
};

static struct timespec mono_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct eligibility_http *h = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct watched *w = calloc(1, sizeof *w);
        if (w == NULL || ci == NULL) {
            /* Unwatched, the connection still has MHD's idle timeout. */
            free(w);
            *socket_context = NULL;
            return;
        }
        w->fd = ci->connect_fd;
        w->began = mono_now();
        pthread_mutex_lock(&h->conns_lock);
        w->next = h->conns;
        if (h->conns != NULL)
            h->conns->prev = w;
        h->conns = w;
        pthread_mutex_unlock(&h->conns_lock);
        *socket_context = w;
        return;
    }
    /* Closed: MHD tells before it closes the descriptor, so the watchdog never shuts down a reused one. */
    struct watched *w = *socket_context;
    if (w == NULL)
        return;
    pthread_mutex_lock(&h->conns_lock);
    if (w->prev != NULL)
        w->prev->next = w->next;
    else
        h->conns = w->next;
    if (w->next != NULL)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&h->conns_lock);
    free(w);
    *socket_context = NULL;
}

static struct watched *watched_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci != NULL ? ci->socket_context : NULL;
}

/* The request on `conn` is complete: its answer is being sent, the deadline stops counting. */
static void mark_answering(struct eligibility_http *h, struct MHD_Connection *conn, bool answering)
{
    struct watched *w = watched_of(conn);
    if (w == NULL)
        return;
    pthread_mutex_lock(&h->conns_lock);
    w->answering = answering;
    if (!answering)
        w->began = mono_now(); /* the next request on a kept-alive connection starts its own deadline */
    pthread_mutex_unlock(&h->conns_lock);
}

/* Once a second: every connection whose request has taken longer than the deadline in all, however steadily
 * its bytes trickle in, is shut down. MHD sees the end of the stream and closes it itself. */
static void *watchdog_main(void *arg)
{
    struct eligibility_http *h = arg;
    pthread_mutex_lock(&h->conns_lock);
    while (!h->stopping) {
        struct timespec until = mono_now();
        until.tv_sec += 1;
        pthread_cond_timedwait(&h->wake, &h->conns_lock, &until);
        if (h->stopping)
            break;
        struct timespec now = mono_now();
        for (struct watched *w = h->conns; w != NULL; w = w->next) {
            if (w->answering || w->fd < 0)
                continue;
            long long ms = (long long)(now.tv_sec - w->began.tv_sec) * 1000LL +
                           (now.tv_nsec - w->began.tv_nsec) / 1000000L;
            if (ms >= (long long)h->deadline_seconds * 1000LL) {
                shutdown(w->fd, SHUT_RDWR);
                w->fd = -1; /* once */
            }
        }
    }
    pthread_mutex_unlock(&h->conns_lock);
    return NULL;
}

/* Raises the soft open-file limit toward the hard one so `want` connections fit; returns how many fit. */
static unsigned fit_descriptors(unsigned want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return want;
    rlim_t need = (rlim_t)want + SPARE_FDS;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rlim_t raised = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
        struct rlimit up = {raised, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl.rlim_cur = raised;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
        return rl.rlim_cur > 2u * SPARE_FDS ? (unsigned)(rl.rlim_cur - SPARE_FDS)
                                            : (unsigned)(rl.rlim_cur / 2u);
    return want;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *type, const void *body,
                             size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, mode);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result text(struct MHD_Connection *conn, unsigned status, const char *msg)
{
    return reply(conn, status, "text/plain; charset=utf-8", msg, strlen(msg), MHD_RESPMEM_PERSISTENT);
}

static bool from_loopback(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL)
        return false;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        struct sockaddr_in in;
        memcpy(&in, sa, sizeof in);
        return (ntohl(in.sin_addr.s_addr) >> 24) == 127u;
    }
    if (sa->sa_family == AF_INET6) {
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof in6);
        return IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr);
    }
    return false;
}

static CORE_MUST_USE bool upload_add(struct upload *u, const char *data, size_t n)
{
    if (u->over || n > u->limit - u->len) {
        /* Keep up to the limit + 1 bytes and drop the rest: an over-long body is answered as too large. */
        size_t room = u->limit + 1u - u->len;
        n = n < room ? n : room;
        u->over = true;
    }
    if (n == 0)
        return true;
    if (u->len + n > u->cap) {
        size_t cap = u->cap ? u->cap : 4096u;
        while (cap < u->len + n)
            cap *= 2u;
        uint8_t *d = realloc(u->data, cap);
        if (d == NULL)
            return false;
        u->data = d;
        u->cap = cap;
    }
    memcpy(u->data + u->len, data, n);
    u->len += n;
    return true;
}

static enum MHD_Result serve_eligibility(struct eligibility_http *h, struct MHD_Connection *conn,
                                         const struct upload *u)
{
    /* A body over the limit is answered as the codec answers a message too large (MYNE3001), whatever the
     * limit: what was kept of it is not the message, and a limit below the codec's would otherwise read as a
     * truncated (malformed) one. The parser refuses on the length alone, before reading a byte. */
    static const uint8_t too_large[ELIGIBILITY_MSG_MAX_BYTES + 1];
    const uint8_t *body = u->over ? too_large : u->data;
    size_t len = u->over ? sizeof too_large : u->len;
    uint8_t *out = NULL;
    size_t out_len = 0;
    pthread_mutex_lock(&h->lock);
    int rc = eligibility_service_handle(h->svc, body, len, &out, &out_len);
    pthread_mutex_unlock(&h->lock);
    if (rc != CORE_OK)
        return text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "the service could not answer\n");
    return reply(conn, u->over ? MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_OK, "application/xml", out, out_len,
                 MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result serve_nonce(struct eligibility_http *h, struct MHD_Connection *conn)
{
    uint8_t nonce[32];
    char *b64 = malloc(48);
    if (b64 == NULL)
        return MHD_NO;
    pthread_mutex_lock(&h->lock);
    int rc = eligibility_service_nonce(h->svc, nonce);
    pthread_mutex_unlock(&h->lock);
    if (rc != CORE_OK) {
        free(b64);
        return text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "no nonce\n");
    }
    int n = EVP_EncodeBlock((unsigned char *)b64, nonce, sizeof nonce);
    return reply(conn, MHD_HTTP_OK, "text/plain; charset=utf-8", b64, (size_t)n, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result serve_control(struct eligibility_http *h, struct MHD_Connection *conn, const char *url,
                                     const struct upload *u)
{
    if (!from_loopback(conn))
        return text(conn, MHD_HTTP_FORBIDDEN, "control is for loopback clients only\n");
    if (u->over)
        return text(conn, MHD_HTTP_CONTENT_TOO_LARGE, "body too large\n");
    size_t len = u->len;
    while (len > 0 && (u->data[len - 1] == '\n' || u->data[len - 1] == '\r'))
        len--;
    const char *body = (const char *)u->data;
    int rc = CORE_OK;
    pthread_mutex_lock(&h->lock);
    if (strcmp(url, "/control/date") == 0) {
        core_day d = CORE_DAY_NONE;
        if (len == 5 && memcmp(body, "clock", 5) == 0)
            rc = eligibility_service_set_date(h->svc, CORE_DAY_NONE);
        else if ((rc = core_date_parse(len ? body : "", len, &d)) == CORE_OK)
            rc = eligibility_service_set_date(h->svc, d);
    } else if (strcmp(url, "/control/down") == 0) {
        if (len == 1 && (body[0] == '0' || body[0] == '1'))
            eligibility_service_set_down(h->svc, body[0] == '1');
        else
            rc = CORE_EINVAL;
    } else if (strncmp(url, "/control/reader/", 16) == 0) {
        struct core_error err;
        rc = eligibility_service_register_reader(h->svc, url + 16, u->data, u->len, &err);
    } else {
        rc = CORE_ENOTFOUND;
    }
    pthread_mutex_unlock(&h->lock);
    if (rc == CORE_ENOTFOUND)
        return text(conn, MHD_HTTP_NOT_FOUND, "no such control\n");
    if (rc != CORE_OK)
        return text(conn, MHD_HTTP_BAD_REQUEST, "bad control value\n");
    return text(conn, MHD_HTTP_OK, "ok\n");
}

/* What the header lines say about the request's framing (docs/WIRE.md, "Malformed requests"). */
struct header_scan {
    const char *content_length;
    size_t content_length_len;
    bool conflicting; /* two Content-Length headers with different values */
    bool nul;         /* a NUL byte inside a header's name or value */
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                   const char *value, size_t value_size)
{
    (void)kind;
    struct header_scan *scan = cls;
    if (key == NULL || strlen(key) != key_size || (value != NULL && strlen(value) != value_size))
        scan->nul = true;
    if (key != NULL && strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0 && value != NULL) {
        if (scan->content_length == NULL) {
            scan->content_length = value;
            scan->content_length_len = value_size;
        } else if (scan->content_length_len != value_size ||
                   memcmp(scan->content_length, value, value_size) != 0) {
            scan->conflicting = true;
        }
    }
    return MHD_YES;
}

/* True when the request is malformed in a way libmicrohttpd lets through: different Content-Length headers
 * (which one frames the body is ambiguous: the classic request-smuggling opening), a NUL in a header, an
 * HTTP/1.1 request without Host (RFC 9112 requires one). */
static bool malformed(struct MHD_Connection *conn, const char *url, const char *version)
{
    struct header_scan scan;
    memset(&scan, 0, sizeof scan);
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, scan_header, &scan);
    bool no_host = version != NULL && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
                   MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST) == NULL;
    return scan.conflicting || scan.nul || no_host || url == NULL || url[0] != '/';
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct eligibility_http *h = cls;
    bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    bool is_control = h->control && strncmp(url, "/control/", 9) == 0;
    if (*con_cls == NULL) {
        if (malformed(conn, url, version))
            return text(conn, MHD_HTTP_BAD_REQUEST, "malformed request\n");
        if (strcmp(url, "/health") == 0) {
            if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
                return text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /health\n");
            return text(conn, MHD_HTTP_OK, "ok\n");
        }
        if (strcmp(url, "/eligibility") != 0 && strcmp(url, "/nonce") != 0 && !is_control)
            return text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
        if (!post)
            return text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "POST only\n");
        struct upload *u = calloc(1, sizeof *u);
        if (u == NULL)
            return MHD_NO;
        u->limit = is_control ? CONTROL_BODY_MAX : h->body_max;
        *con_cls = u;
        return MHD_YES;
    }
    struct upload *u = *con_cls;
    if (*upload_data_size > 0) {
        bool ok = upload_add(u, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return ok ? MHD_YES : MHD_NO;
    }
    mark_answering(h, conn, true);
    if (strcmp(url, "/eligibility") == 0)
        return serve_eligibility(h, conn, u);
    if (strcmp(url, "/nonce") == 0)
        return serve_nonce(h, conn);
    return serve_control(h, conn, url, u);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    mark_answering(cls, conn, false);
    struct upload *u = *con_cls;
    if (u != NULL) {
        free(u->data);
        free(u);
        *con_cls = NULL;
    }
}

static void watchdog_stop(struct eligibility_http *h)
{
    if (h->watchdog_running) {
        pthread_mutex_lock(&h->conns_lock);
        h->stopping = true;
        pthread_cond_signal(&h->wake);
        pthread_mutex_unlock(&h->conns_lock);
        pthread_join(h->watchdog, NULL);
        h->watchdog_running = false;
    }
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->conns_lock);
}

int eligibility_http_start(struct eligibility_service *svc, const struct eligibility_http_options *o,
                           struct eligibility_http **out, struct core_error *err)
{
    if (svc == NULL || o == NULL || out == NULL || o->host == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "eligibility_http_start: NULL argument");
    *out = NULL;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(o->port);
    if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "not an IPv4 address: %s", o->host);
    struct eligibility_http *h = calloc(1, sizeof *h);
    if (h == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    h->svc = svc;
    h->control = o->control;
    /* Never above the codec's own limit: a body the codec refuses as too large gets 413 too. */
    h->body_max =
        o->body_max && o->body_max < ELIGIBILITY_MSG_MAX_BYTES ? o->body_max : ELIGIBILITY_MSG_MAX_BYTES;
    pthread_mutex_init(&h->lock, NULL);
    pthread_mutex_init(&h->conns_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->wake, &ca);
    pthread_condattr_destroy(&ca);
    unsigned timeout = o->timeout_seconds ? o->timeout_seconds : 10u;
    h->deadline_seconds = timeout;
    unsigned limit = fit_descriptors(o->max_connections ? o->max_connections : DEFAULT_MAX_CONNECTIONS);
    unsigned per_address = o->per_address ? o->per_address : DEFAULT_PER_ADDRESS;
    if (per_address > limit)
        per_address = limit;
    if (pthread_create(&h->watchdog, NULL, watchdog_main, h) == 0)
        h->watchdog_running = true;
    h->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
        (const struct sockaddr *)&addr, MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_CONNECTION_LIMIT,
        limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_address, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)32768, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, h, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
    if (h->daemon == NULL || !h->watchdog_running) {
        if (h->daemon != NULL)
            MHD_stop_daemon(h->daemon);
        watchdog_stop(h);
        pthread_mutex_destroy(&h->lock);
        free(h);
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "cannot listen on %s:%u", o->host,
                              (unsigned)o->port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di != NULL ? di->port : o->port;
    *out = h;
    return CORE_OK;
}

uint16_t eligibility_http_port(const struct eligibility_http *h)
{
    return h != NULL ? h->port : 0;
}

void eligibility_http_stop(struct eligibility_http *h)
{
    if (h == NULL)
        return;
    MHD_stop_daemon(h->daemon);
    watchdog_stop(h);
    pthread_mutex_destroy(&h->lock);
    free(h);
}
