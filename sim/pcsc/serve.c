/*
 * serve.c: the vpcd server. One thread, one poll loop over four kinds of descriptor: the stop descriptor, the
 * connection to vpcd, the control channel's listening socket and its clients.
 *
 * Why it is shaped this way:
 *   - vpcd listens and the card connects, so "pcscd restarted" and "card removed" both look like a closed
 *     socket from here. We reconnect with a doubling backoff (20 ms .. 500 ms by default) computed into the
 *     poll timeout: no busy loop while pcscd is away, and well under pcscd's 0.4 s presence poll when it is
 *     back.
 *   - Debian's vpcd writes a message's length and its payload in two send() calls without TCP_NODELAY. The
 *     second write waits for our ACK of the first, and Linux delays that ACK by up to 40 ms: about 21 APDU/s.
 *     TCP_QUICKACK is not sticky (the kernel leaves quick-ack mode on its own), so it is re-armed after every
 *     recv(). Our own replies go out in one send() with TCP_NODELAY, so we never cause the same stall on
 *     vpcd's side.
 *   - A malformed frame (empty, or an unknown control code) means the byte stream cannot be trusted any more:
 *     the connection is dropped and made again, and the card, which never saw the frame, keeps its state.
 *   - Removal as a reader sees it is a closed socket (vpcd then reports no card at its next presence poll);
 *     insertion is a new connection. Swapping cards goes through ops->control and never touches the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "pcsc/pcsc.h"

#define SERVE_MAX_CLIENTS 8
#define SERVE_LINE_MAX 1024
#define SERVE_CONNECT_TIMEOUT_MS 1000

struct serve_client {
    int fd;
    size_t len;
    char buf[SERVE_LINE_MAX];
};

struct serve {
    const struct pcsc_serve_config *cfg;
    const struct pcsc_card_ops *ops;
    void *ctx;
    int vfd;
    bool inserted;
    unsigned backoff_ms;
    int64_t next_try_ms;
    int lfd;
    struct serve_client clients[SERVE_MAX_CLIENTS];
    unsigned long long apdus;
    unsigned long long connections;
    unsigned long long card_failures; /* commands the card failed (a state it could not save) */
    struct pcsc_vpcd_decoder dec;
    uint8_t reply[PCSC_VPCD_REPLY_MAX];
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void serve_log(struct serve *s, enum pcsc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void serve_log(struct serve *s, enum pcsc_log_level level, const char *fmt, ...)
{
    if (s->cfg->log == NULL)
        return;
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s->cfg->log(s->cfg->log_ctx, level, msg);
}

static unsigned backoff_min(const struct serve *s)
{
    return s->cfg->backoff_min_ms ? s->cfg->backoff_min_ms : 20;
}

static unsigned backoff_max(const struct serve *s)
{
    return s->cfg->backoff_max_ms ? s->cfg->backoff_max_ms : 500;
}

static bool stop_requested(const struct serve *s, int timeout_ms)
{
    if (s->cfg->stop_fd < 0)
        return false;
    struct pollfd p = {.fd = s->cfg->stop_fd, .events = POLLIN};
    return poll(&p, 1, timeout_ms) > 0;
}

/* ---- the connection to vpcd ---------------------------------------------------------------------------- */

static void set_opt(int fd, int level, int name)
{
    int one = 1;
    (void)setsockopt(fd, level, name, &one, sizeof one);
}

/* Connects without blocking beyond SERVE_CONNECT_TIMEOUT_MS, and without missing a stop request. */
static CORE_MUST_USE int vpcd_connect(struct serve *s)
{
    char port[8];
    snprintf(port, sizeof port, "%u", s->cfg->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    if (getaddrinfo(s->cfg->host, port, &hints, &res) != 0 || res == NULL)
        return -1;
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            bool ok = false;
            if (errno == EINPROGRESS) {
                struct pollfd p[2] = {{.fd = fd, .events = POLLOUT},
                                      {.fd = s->cfg->stop_fd, .events = POLLIN}};
                int n = poll(p, s->cfg->stop_fd >= 0 ? 2 : 1, SERVE_CONNECT_TIMEOUT_MS);
                int soerr = 0;
                socklen_t sl = sizeof soerr;
                if (n > 0 && (p[0].revents & (POLLOUT | POLLERR | POLLHUP)) &&
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
                    ok = true;
            }
            if (!ok) {
                close(fd);
                fd = -1;
            }
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return -1;
    int flags = fcntl(fd, F_GETFL);
    (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    set_opt(fd, IPPROTO_TCP, TCP_NODELAY);
    set_opt(fd, IPPROTO_TCP, TCP_QUICKACK);
    struct timeval tv = {.tv_sec = 2, .tv_usec = 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

static void vpcd_close(struct serve *s, unsigned retry_in_ms)
{
    if (s->vfd >= 0)
        close(s->vfd);
    s->vfd = -1;
    pcsc_vpcd_decoder_init(&s->dec);
    s->next_try_ms = now_ms() + retry_in_ms;
}

static CORE_MUST_USE int send_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static void vpcd_try_connect(struct serve *s)
{
    int fd = vpcd_connect(s);
    if (fd < 0) {
        s->next_try_ms = now_ms() + s->backoff_ms;
        s->backoff_ms = s->backoff_ms * 2 > backoff_max(s) ? backoff_max(s) : s->backoff_ms * 2;
        return;
    }
    s->vfd = fd;
    s->backoff_ms = backoff_min(s);
    s->connections++;
    pcsc_vpcd_decoder_init(&s->dec);
    serve_log(s, PCSC_LOG_INFO, "connected to vpcd at %s:%u", s->cfg->host, s->cfg->port);
}

/* Reads what is there, answers every whole frame in it, one send() per answer. */
static void vpcd_readable(struct serve *s)
{
    uint8_t in[8192];
    ssize_t n = recv(s->vfd, in, sizeof in, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        serve_log(s, PCSC_LOG_INFO, "vpcd closed the connection; reconnecting");
        vpcd_close(s, 0);
        return;
    }
    set_opt(s->vfd, IPPROTO_TCP, TCP_QUICKACK);
    size_t off = 0;
    while (off < (size_t)n) {
        const uint8_t *frame;
        size_t flen;
        off += pcsc_vpcd_decoder_feed(&s->dec, in + off, (size_t)n - off, &frame, &flen);
        if (frame == NULL)
            break;
        size_t rlen = 0;
        int card_rc = 0;
        struct core_error cerr;
        core_error_clear(&cerr);
        enum pcsc_vpcd_action act = pcsc_vpcd_dispatch(s->ops, s->ctx, frame, flen, s->reply, sizeof s->reply,
                                                       &rlen, &card_rc, &cerr);
        if (act == PCSC_VPCD_MALFORMED) {
            serve_log(s, PCSC_LOG_WARN, "malformed vpcd frame (%zu bytes%s); dropping the connection", flen,
                      flen == 1 ? ", unknown control code" : "");
            vpcd_close(s, backoff_min(s));
            return;
        }
        if (flen > 1)
            s->apdus++;
        if (card_rc != 0) {
            char buf[1200];
            core_error_format(&cerr, buf, sizeof buf);
            serve_log(s, PCSC_LOG_WARN, "card: %s", buf);
            s->card_failures++;
        }
        if (act == PCSC_VPCD_REPLY && send_all(s->vfd, s->reply, rlen) != 0) {
            serve_log(s, PCSC_LOG_INFO, "vpcd connection lost while replying; reconnecting");
            vpcd_close(s, 0);
            return;
        }
    }
}

/* ---- the control channel ------------------------------------------------------------------------------- */

static CORE_MUST_USE int control_listen(const char *path, struct core_error *err)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path)
        return core_error_set(err, CORE_EINVAL, path, 0, 0, "control socket path too long");
    memcpy(addr.sun_path, path, strlen(path) + 1);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return core_error_set(err, CORE_EINVAL, path, 0, 0, "exists and is not a socket");
        unlink(path); /* a stale socket of an earlier run */
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return core_error_set(err, CORE_EIO, path, 0, 0, "socket: %s", strerror(errno));
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 8) != 0) {
        int e = errno;
        close(fd);
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot listen: %s", strerror(e));
    }
    (void)chmod(path, 0600);
    return fd;
}

static void client_close(struct serve_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->len = 0;
}

static void client_reply(struct serve_client *c, bool ok, const char *detail)
{
    char line[SERVE_LINE_MAX + 16];
    int n = snprintf(line, sizeof line, "%s%s%s\n", ok ? "OK" : "ERR", detail[0] ? " " : "", detail);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    line[len - 1] = '\n';
    if (send_all(c->fd, (const uint8_t *)line, len) != 0)
        client_close(c);
}

static void control_command(struct serve *s, struct serve_client *c, char *line)
{
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        line[--len] = '\0';
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line == '\0')
        return;
    char detail[SERVE_LINE_MAX];
    detail[0] = '\0';
    if (strcmp(line, "insert") == 0) {
        if (!s->inserted) {
            s->inserted = true;
            s->backoff_ms = backoff_min(s);
            s->next_try_ms = now_ms();
            serve_log(s, PCSC_LOG_INFO, "card inserted");
        }
        client_reply(c, true, "");
        return;
    }
    if (strcmp(line, "remove") == 0) {
        if (s->inserted) {
            s->inserted = false;
            vpcd_close(s, 0);
            s->ops->power_off(s->ctx);
            serve_log(s, PCSC_LOG_INFO, "card removed");
        }
        client_reply(c, true, "");
        return;
    }
    if (strcmp(line, "status") == 0) {
        char card[SERVE_LINE_MAX / 2] = "";
        if (s->ops->control != NULL) {
            struct core_error cerr;
            core_error_clear(&cerr);
            if (s->ops->control(s->ctx, "state", card, sizeof card, &cerr) != 0)
                card[0] = '\0';
        }
        snprintf(detail, sizeof detail, "inserted=%s connected=%s apdus=%llu connections=%llu%s%s",
                 s->inserted ? "yes" : "no", s->vfd >= 0 ? "yes" : "no", s->apdus, s->connections,
                 card[0] ? " " : "", card);
        client_reply(c, true, detail);
        return;
    }
    if (s->ops->control == NULL) {
        client_reply(c, false, "unknown command (insert, remove, status)");
        return;
    }
    struct core_error cerr;
    core_error_clear(&cerr);
    if (s->ops->control(s->ctx, line, detail, sizeof detail, &cerr) != 0) {
        core_error_format(&cerr, detail, sizeof detail);
        client_reply(c, false, detail);
        return;
    }
    serve_log(s, PCSC_LOG_INFO, "control: %s", line);
    client_reply(c, true, detail);
}

static void client_readable(struct serve *s, struct serve_client *c)
{
    ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        client_close(c);
        return;
    }
    c->len += (size_t)n;
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl == NULL)
            break;
        *nl = '\0';
        size_t consumed = (size_t)(nl - c->buf) + 1;
        char line[SERVE_LINE_MAX];
        memcpy(line, c->buf, consumed);
        memmove(c->buf, c->buf + consumed, c->len - consumed);
        c->len -= consumed;
        control_command(s, c, line);
        if (c->fd < 0)
            return;
    }
    if (c->len == sizeof c->buf - 1) {
        client_reply(c, false, "line too long");
        client_close(c);
    }
}

static void control_accept(struct serve *s)
{
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0)
        return;
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    for (size_t i = 0; i < SERVE_MAX_CLIENTS; i++) {
        if (s->clients[i].fd < 0) {
            s->clients[i].fd = fd;
            s->clients[i].len = 0;
            return;
        }
    }
    const char busy[] = "ERR too many control clients\n";
    (void)send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL);
    close(fd);
}

/* ---- the loop ------------------------------------------------------------------------------------------ */

int pcsc_serve_run(const struct pcsc_serve_config *cfg, const struct pcsc_card_ops *ops, void *ctx,
                   struct core_error *err)
{
    if (cfg->host == NULL || cfg->port == 0 || cfg->port > 65535)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "vpcd address missing");
    struct serve *s = calloc(1, sizeof *s);
    if (s == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    s->cfg = cfg;
    s->ops = ops;
    s->ctx = ctx;
    s->vfd = -1;
    s->lfd = -1;
    s->inserted = true;
    s->backoff_ms = backoff_min(s);
    s->next_try_ms = now_ms();
    for (size_t i = 0; i < SERVE_MAX_CLIENTS; i++)
        s->clients[i].fd = -1;
    pcsc_vpcd_decoder_init(&s->dec);
    if (cfg->control_path != NULL) {
        int fd = control_listen(cfg->control_path, err);
        if (fd < 0) {
            free(s);
            return fd;
        }
        s->lfd = fd;
        serve_log(s, PCSC_LOG_INFO, "control channel on %s", cfg->control_path);
    }

    int rc = CORE_OK;
    for (;;) {
        if (s->vfd < 0 && s->inserted && now_ms() >= s->next_try_ms) {
            if (stop_requested(s, 0))
                break;
            vpcd_try_connect(s);
        }
        struct pollfd p[3 + SERVE_MAX_CLIENTS];
        size_t np = 0, i_stop = SIZE_MAX, i_v = SIZE_MAX, i_l = SIZE_MAX, i_c[SERVE_MAX_CLIENTS];
        if (cfg->stop_fd >= 0) {
            i_stop = np;
            p[np++] = (struct pollfd){.fd = cfg->stop_fd, .events = POLLIN};
        }
        if (s->vfd >= 0) {
            i_v = np;
            p[np++] = (struct pollfd){.fd = s->vfd, .events = POLLIN};
        }
        if (s->lfd >= 0) {
            i_l = np;
            p[np++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
        }
        for (size_t i = 0; i < SERVE_MAX_CLIENTS; i++) {
            i_c[i] = SIZE_MAX;
            if (s->clients[i].fd >= 0) {
                i_c[i] = np;
                p[np++] = (struct pollfd){.fd = s->clients[i].fd, .events = POLLIN};
            }
        }
        int timeout = -1;
        if (s->vfd < 0 && s->inserted) {
            int64_t wait = s->next_try_ms - now_ms();
            timeout = wait < 0 ? 0 : (int)wait;
        }
        int n = poll(p, (nfds_t)np, timeout);
        if (n < 0 && errno != EINTR) {
            rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "poll: %s", strerror(errno));
            break;
        }
        if (n <= 0)
            continue;
        if (i_stop != SIZE_MAX && p[i_stop].revents)
            break;
        if (i_v != SIZE_MAX && s->vfd >= 0 && p[i_v].revents)
            vpcd_readable(s);
        for (size_t i = 0; i < SERVE_MAX_CLIENTS; i++)
            if (i_c[i] != SIZE_MAX && s->clients[i].fd >= 0 && p[i_c[i]].revents)
                client_readable(s, &s->clients[i]);
        if (i_l != SIZE_MAX && p[i_l].revents)
            control_accept(s);
    }

    if (s->vfd >= 0)
        close(s->vfd);
    for (size_t i = 0; i < SERVE_MAX_CLIENTS; i++)
        client_close(&s->clients[i]);
    if (s->lfd >= 0) {
        close(s->lfd);
        unlink(cfg->control_path);
    }
    serve_log(s, PCSC_LOG_INFO, "stopped after %llu APDUs", s->apdus);
    if (rc == CORE_OK && s->card_failures > 0)
        rc = core_error_set(err, CORE_ESTATE, NULL, 0, 0,
                            "%llu of %llu APDUs failed in the card (each is logged above: a state that "
                            "could not be saved answers 6581)",
                            s->card_failures, s->apdus);
    free(s);
    return rc;
}

/* ---- a control-channel client -------------------------------------------------------------------------- */

struct pcsc_control {
    int fd;
    size_t len; /* bytes after the last reply line, kept for the next */
    char buf[SERVE_LINE_MAX + 16];
};

int pcsc_control_open(const char *socket_path, struct pcsc_control **out, struct core_error *err)
{
    if (socket_path == NULL || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "control: no socket");
    *out = NULL;
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof addr.sun_path)
        return core_error_set(err, CORE_EINVAL, socket_path, 0, 0, "control socket path too long");
    memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return core_error_set(err, CORE_EIO, socket_path, 0, 0, "cannot reach the card's control channel: %s",
                              strerror(e));
    }
    struct timeval tv = {.tv_sec = 60, .tv_usec = 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct pcsc_control *c = calloc(1, sizeof *c);
    if (c == NULL) {
        close(fd);
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    }
    c->fd = fd;
    *out = c;
    return CORE_OK;
}

int pcsc_control_send(struct pcsc_control *c, const char *line, char *reply, size_t cap,
                      struct core_error *err)
{
    if (reply != NULL && cap > 0)
        reply[0] = '\0';
    if (c == NULL || line == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "control: nothing to send");
    size_t n = strlen(line);
    if (n + 1 >= SERVE_LINE_MAX || memchr(line, '\n', n) != NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "control: command too long or has a newline");
    char out[SERVE_LINE_MAX + 1];
    memcpy(out, line, n);
    out[n] = '\n';
    if (send_all(c->fd, (const uint8_t *)out, n + 1) != 0)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "control: cannot send '%s': %s", line,
                              strerror(errno));
    char *nl;
    while ((nl = memchr(c->buf, '\n', c->len)) == NULL) {
        if (c->len >= sizeof c->buf - 1)
            return core_error_set(err, CORE_EIO, NULL, 0, 0, "control: reply line too long");
        ssize_t got = recv(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return core_error_set(err, CORE_EIO, NULL, 0, 0, "control: no answer to '%s'", line);
        c->len += (size_t)got;
    }
    *nl = '\0';
    size_t used = (size_t)(nl - c->buf) + 1;
    char answer[SERVE_LINE_MAX + 16];
    memcpy(answer, c->buf, used);
    memmove(c->buf, c->buf + used, c->len - used);
    c->len -= used;
    size_t alen = strlen(answer);
    if (alen > 0 && answer[alen - 1] == '\r')
        answer[--alen] = '\0';
    if (strncmp(answer, "OK", 2) == 0 && (answer[2] == '\0' || answer[2] == ' ')) {
        if (reply != NULL && cap > 0)
            snprintf(reply, cap, "%s", answer[2] == ' ' ? answer + 3 : "");
        return CORE_OK;
    }
    return core_error_set(err, CORE_ESTATE, NULL, 0, 0, "control '%s': %s", line,
                          strncmp(answer, "ERR ", 4) == 0 ? answer + 4 : answer);
}

void pcsc_control_close(struct pcsc_control *c)
{
    if (c == NULL)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}
