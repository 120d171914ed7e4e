/*
 * The folder exchange of the clinic's eligibility terminal (terminal.h; docs/TERMINAL.md).
 *
 * One pass (terminal_scan) lists req/, sorts the requests' names byte-wise and answers each in turn: open it
 * as a regular file without blocking (core_file_open_regular: a FIFO or a directory named like a request is an
 * error answer, never a hang), read at most ELIGIBILITY_MSG_MAX_BYTES, ask the service, write the answer with
 * core_file_write_atomic, then remove the request only if it is still the file that was read (same inode,
 * size and modification time): a request the reception system replaced meanwhile is answered again, never
 * lost. A request that disappears before it is opened was taken back by the reception system: logged, no
 * answer. The watch (inotify on IN_CLOSE_WRITE and IN_MOVED_TO, or a timer with --poll) only says when to
 * pass again; every pass answers what is there, so a lost or overflowed event costs nothing.
 */
#define _GNU_SOURCE /* O_CLOEXEC spelt by glibc, inotify */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "terminal/terminal.h"

struct terminal {
    /* Held around the service (its date, its answers) and the face folder's numbering: a control thread may
     * set the date or present a card while the watch answers. */
    pthread_mutex_t lock;
    struct eligibility_service *svc;
    enum eligibility_encoding encoding;
    bool poll;
    unsigned poll_ms;
    FILE *log;
    char *req;  /* DIR/req */
    char *res;  /* DIR/res */
    char *face; /* DIR/face: the face reader's results, checked when one is written */
    /* Names of req/ that are not requests, already logged (sorted), so each is logged once while it stays. */
    char **ignored;
    size_t nignored;
    /* Requests answered that could not be removed (a directory that is not empty): not answered again while
     * they stay. */
    char **stuck;
    size_t nstuck;
    /* terminal_set_time: the time set minus the process clock then, so that it ticks on. */
    bool timed;
    int64_t offset;
};

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (p == NULL)
        return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

static CORE_MUST_USE int folder_check(const char *path, struct core_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return core_error_set(err, CORE_EINVAL, path, 0, 0, "the exchange folder cannot be used: %s",
                              strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return core_error_set(err, CORE_EINVAL, path, 0, 0, "the exchange folder is %s, not a directory",
                              core_file_kind((unsigned)st.st_mode));
    return CORE_OK;
}

int terminal_new(struct eligibility_service *svc, const struct terminal_options *o, struct terminal **out,
                 struct core_error *err)
{
    if (out != NULL)
        *out = NULL;
    if (svc == NULL || o == NULL || o->folder == NULL || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "terminal: missing argument");
    if (o->encoding != ELIGIBILITY_ENC_UTF8 && o->encoding != ELIGIBILITY_ENC_CP932)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "terminal: unknown encoding %d",
                              (int)o->encoding);
    struct terminal *t = calloc(1, sizeof *t);
    if (t == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    pthread_mutex_init(&t->lock, NULL);
    t->svc = svc;
    t->encoding = o->encoding;
    t->poll = o->poll;
    t->poll_ms = o->poll_ms != 0 ? o->poll_ms : 500;
    t->log = o->log != NULL ? o->log : stderr;
    t->req = join(o->folder, "req");
    t->res = join(o->folder, "res");
    t->face = join(o->folder, "face");
    if (t->req == NULL || t->res == NULL || t->face == NULL) {
        terminal_free(t);
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    }
    int rc = folder_check(t->req, err);
    if (rc == CORE_OK)
        rc = folder_check(t->res, err);
    if (rc != CORE_OK) {
        terminal_free(t);
        return rc;
    }
    *out = t;
    return CORE_OK;
}

static void ignored_clear(struct terminal *t)
{
    for (size_t i = 0; i < t->nignored; i++)
        free(t->ignored[i]);
    free(t->ignored);
    t->ignored = NULL;
    t->nignored = 0;
}

void terminal_free(struct terminal *t)
{
    if (t == NULL)
        return;
    ignored_clear(t);
    for (size_t i = 0; i < t->nstuck; i++)
        free(t->stuck[i]);
    free(t->stuck);
    free(t->req);
    free(t->res);
    free(t->face);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static void logf_line(struct terminal *t, const char *what, const char *dir, const char *name,
                      const char *more)
{
    fprintf(t->log, "mynasim terminal: %-7s %s/%s%s%s\n", what, dir, name, more[0] != '\0' ? ": " : "", more);
    fflush(t->log);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ProcessExecutionTime of an error answer the terminal makes itself, as the service makes its own: the
 * service's day at midnight when its date is fixed to another day than today, else the Japan time now. */
static void process_time(const struct terminal *t, char out[15])
{
    char jst[20];
    core_time_format_japan((int64_t)time(NULL), jst);
    core_day day = eligibility_service_date(t->svc);
    if (day != core_date_from_time(time(NULL))) {
        int y, m, d;
        core_date_to_ymd(day, &y, &m, &d);
        snprintf(out, 15, "%04d%02d%02d000000", y, m, d);
        return;
    }
    static const unsigned char digit_at[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    for (size_t i = 0; i < sizeof digit_at; i++)
        out[i] = jst[digit_at[i]];
    out[14] = '\0';
}

/* The request's bytes (at most ELIGIBILITY_MSG_MAX_BYTES + 1, so one too many says "too large") and what it was
 * when read. CORE_ENOTFOUND: gone; CORE_EIO with err: cannot be read (a FIFO, a directory, an I/O error). */
static CORE_MUST_USE int read_request(const char *path, uint8_t **buf, size_t *len, struct stat *st,
                                      struct core_error *err)
{
    *buf = NULL;
    *len = 0;
    int fd;
    int rc = core_file_open_regular(path, &fd, err);
    if (rc != CORE_OK)
        return rc;
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot read: %s", strerror(e));
    }
    size_t cap = ELIGIBILITY_MSG_MAX_BYTES + 1;
    uint8_t *b = malloc(cap);
    if (b == NULL) {
        close(fd);
        return core_error_set(err, CORE_ENOMEM, path, 0, 0, "out of memory");
    }
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, b + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            free(b);
            return core_error_set(err, CORE_EIO, path, 0, 0, "cannot read: %s", strerror(e));
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    *buf = b;
    *len = got;
    return CORE_OK;
}

/* The answer in the terminal's encoding: the service answers in the request's, so an answer in the other one
 * is read back and written again (the encoder checks its own output). */
static CORE_MUST_USE int reencode(const struct terminal *t, uint8_t **resp, size_t *resp_len)
{
    struct eligibility_response_msg *m = malloc(sizeof *m);
    char *buf = malloc(ELIGIBILITY_MSG_MAX_BYTES);
    struct eligibility_msg_error e;
    int rc = CORE_ENOMEM;
    if (m == NULL || buf == NULL)
        goto done;
    rc = eligibility_response_parse(*resp, *resp_len, m, &e);
    if (rc != CORE_OK || m->encoding == (int)t->encoding)
        goto done;
    size_t n = 0;
    rc = eligibility_response_encode(m, t->encoding, buf, ELIGIBILITY_MSG_MAX_BYTES, &n, &e);
    if (rc != CORE_OK)
        goto done;
    free(*resp);
    *resp = (uint8_t *)buf;
    *resp_len = n;
    buf = NULL;
done:
    free(m);
    free(buf);
    return rc;
}

/* An error answer of the terminal's own, for a request it could not read. */
static CORE_MUST_USE int error_answer(const struct terminal *t, int code, const char *why, uint8_t **resp,
                                      size_t *resp_len)
{
    struct eligibility_msg_error e;
    memset(&e, 0, sizeof e);
    e.code = code;
    core_strlcpy(e.message, why, sizeof e.message);
    struct eligibility_response_msg *m = malloc(sizeof *m);
    char *buf = malloc(ELIGIBILITY_MSG_MAX_BYTES);
    if (m == NULL || buf == NULL) {
        free(m);
        free(buf);
        return CORE_ENOMEM;
    }
    char when[15];
    process_time(t, when);
    eligibility_response_for_error(NULL, &e, when, m);
    size_t n = 0;
    struct eligibility_msg_error ee;
    int rc = eligibility_response_encode(m, t->encoding, buf, ELIGIBILITY_MSG_MAX_BYTES, &n, &ee);
    free(m);
    if (rc != CORE_OK) {
        free(buf);
        return rc;
    }
    *resp = (uint8_t *)buf;
    *resp_len = n;
    return CORE_OK;
}

/* What the log says of an answer: its SegmentOfResult and ErrorCode, or QualificationValidity. */
static void describe(const uint8_t *resp, size_t len, char *out, size_t cap)
{
    struct eligibility_response_msg *m = malloc(sizeof *m);
    struct eligibility_msg_error e;
    if (m == NULL || eligibility_response_parse(resp, len, m, &e) != CORE_OK) {
        snprintf(out, cap, "%zu bytes", len);
    } else if (m->segment == 9) {
        snprintf(out, cap, "%zu bytes, error %s", len, m->error_code);
    } else {
        snprintf(out, cap, "%zu bytes, validity %d", len, m->validity);
    }
    free(m);
}

/* Answers one request. *written: an answer was put in place. CORE_EIO only when the answer cannot be written. */
static CORE_MUST_USE int answer_one(struct terminal *t, const char *name, const char *id, bool *written,
                                    struct core_error *err)
{
    *written = false;
    char *path = join(t->req, name);
    char resname[sizeof TERMINAL_RESPONSE_PREFIX + TERMINAL_ID_MAX + sizeof TERMINAL_SUFFIX];
    if (path == NULL || terminal_response_name(id, resname, sizeof resname) != CORE_OK) {
        free(path);
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    }
    char *out = join(t->res, resname);
    uint8_t *req = NULL, *resp = NULL;
    size_t req_len = 0, resp_len = 0;
    struct stat st;
    memset(&st, 0, sizeof st);
    struct core_error rerr;
    core_error_clear(&rerr);
    int rc = out == NULL ? CORE_ENOMEM : read_request(path, &req, &req_len, &st, &rerr);
    char more[600];
    struct stat link;
    if (rc == CORE_ENOTFOUND && lstat(path, &link) != 0) {
        logf_line(t, "gone", "req", name, "taken back before it was read; no answer");
        rc = CORE_OK;
        goto done;
    }
    if (rc == CORE_ENOTFOUND) /* the name is there but leads nowhere (a dangling link): unreadable */
        rc = CORE_EIO;
    if (rc == CORE_ENOMEM)
        goto done;
    pthread_mutex_lock(&t->lock);
    if (rc != CORE_OK) {
        logf_line(t, "in", "req", name, rerr.message);
        rc = error_answer(t, ELIGIBILITY_MSG_MALFORMED, rerr.message, &resp, &resp_len);
    } else if (req_len > ELIGIBILITY_MSG_MAX_BYTES) {
        snprintf(more, sizeof more, "more than %d bytes", ELIGIBILITY_MSG_MAX_BYTES);
        logf_line(t, "in", "req", name, more);
        rc = error_answer(t, ELIGIBILITY_MSG_TOO_LARGE, "the request is larger than the limit", &resp,
                          &resp_len);
    } else {
        snprintf(more, sizeof more, "%zu bytes", req_len);
        logf_line(t, "in", "req", name, more);
        rc = eligibility_service_handle(t->svc, req, req_len, &resp, &resp_len);
        /* An answer not read back or not written again: the service's own answer stands. Out of memory is no
         * such reading: it is this request's error. */
        if (rc == CORE_OK && reencode(t, &resp, &resp_len) == CORE_ENOMEM)
            rc = CORE_ENOMEM;
    }
    pthread_mutex_unlock(&t->lock);
    if (rc != CORE_OK) {
        rc = core_error_set(err, rc, path, 0, 0, "no answer could be made (%s)", core_status_name(rc));
        goto done;
    }
    rc = core_file_write_atomic(out, resp, resp_len, err);
    if (rc != CORE_OK)
        goto done;
    *written = true;
    describe(resp, resp_len, more, sizeof more);
    logf_line(t, "out", "res", resname, more);
    /* The request goes only if it is still the file that was read; one replaced meanwhile is answered again. */
    struct stat now;
    if (st.st_ino != 0 && lstat(path, &now) == 0) {
        if (now.st_ino == st.st_ino && now.st_dev == st.st_dev && now.st_size == st.st_size &&
            now.st_mtim.tv_sec == st.st_mtim.tv_sec && now.st_mtim.tv_nsec == st.st_mtim.tv_nsec)
            (void)unlink(path); /* ENOENT: the reception system took it meanwhile, which is fine */
        else
            logf_line(t, "changed", "req", name, "replaced while answered; answered again");
    } else if (st.st_ino == 0) {
        /* Not a regular file (a FIFO, a directory): answered, and removed so it is not answered forever; a
         * directory that is not empty stays and is answered again at the next pass (the log says so). */
        if (unlink(path) != 0 && rmdir(path) != 0 && errno != ENOENT) {
            logf_line(t, "stays", "req", name, "cannot be removed; not answered again while it stays");
            char **grown = realloc(t->stuck, (t->nstuck + 1) * sizeof *grown);
            char *copy = strdup(name);
            if (grown != NULL)
                t->stuck = grown;
            if (grown != NULL && copy != NULL)
                t->stuck[t->nstuck++] = copy;
            else
                free(copy);
        }
    }
done:
    free(req);
    free(resp);
    free(path);
    free(out);
    return rc;
}

/* The names of req/ (or res/), read whole; *names sorted byte-wise. */
static CORE_MUST_USE int list_dir(const char *dir, char ***names, size_t *count, struct core_error *err)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return core_error_set(err, CORE_EIO, dir, 0, 0, "cannot list the folder: %s", strerror(errno));
    size_t cap = 0;
    int rc = CORE_OK;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (de == NULL) {
            if (errno != 0)
                rc = core_error_set(err, CORE_EIO, dir, 0, 0, "cannot list the folder: %s", strerror(errno));
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (*count == cap) {
            size_t ncap = cap != 0 ? cap * 2 : 64;
            char **n = realloc(*names, ncap * sizeof *n);
            if (n == NULL) {
                rc = core_error_set(err, CORE_ENOMEM, dir, 0, 0, "out of memory");
                break;
            }
            *names = n;
            cap = ncap;
        }
        char *s = strdup(de->d_name);
        if (s == NULL) {
            rc = core_error_set(err, CORE_ENOMEM, dir, 0, 0, "out of memory");
            break;
        }
        (*names)[(*count)++] = s;
    }
    closedir(d);
    if (rc == CORE_OK && *count > 1)
        qsort(*names, *count, sizeof **names, cmp_str);
    return rc;
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* Logs the names of req/ that are not requests, each once while it stays; keeps the list for the next pass. */
static void note_ignored(struct terminal *t, char **names, size_t count)
{
    char **now = NULL;
    size_t n = 0;
    char id[TERMINAL_ID_MAX + 1];
    for (size_t i = 0; i < count; i++) {
        if (terminal_name_classify(names[i], strlen(names[i]), id) != TERMINAL_NAME_OTHER)
            continue;
        if (t->ignored == NULL ||
            bsearch(&names[i], t->ignored, t->nignored, sizeof *t->ignored, cmp_str) == NULL)
            logf_line(t, "ignored", "req", names[i],
                      "not a request's name (" TERMINAL_REQUEST_PREFIX "<id>" TERMINAL_SUFFIX
                      ", docs/TERMINAL.md)");
        char **grown = realloc(now, (n + 1) * sizeof *now);
        char *s = strdup(names[i]);
        if (grown == NULL || s == NULL) {
            free(s);
            now = grown != NULL ? grown : now;
            break; /* out of memory: a name may be logged again, nothing worse */
        }
        now = grown;
        now[n++] = s;
    }
    ignored_clear(t);
    t->ignored = now;
    t->nignored = n;
}

static CORE_MUST_USE int pass(struct terminal *t, bool recovering, size_t *answered, struct core_error *err)
{
    char **names = NULL;
    size_t count = 0;
    int rc = list_dir(t->req, &names, &count, err);
    if (rc != CORE_OK) {
        free_names(names, count);
        return rc;
    }
    note_ignored(t, names, count);
    /* Forget the stuck entries that went; skip those that stay. */
    size_t kept = 0;
    for (size_t k = 0; k < t->nstuck; k++) {
        if (bsearch(&t->stuck[k], names, count, sizeof *names, cmp_str) != NULL)
            t->stuck[kept++] = t->stuck[k];
        else
            free(t->stuck[k]);
    }
    t->nstuck = kept;
    char id[TERMINAL_ID_MAX + 1];
    for (size_t i = 0; i < count && rc == CORE_OK; i++) {
        if (terminal_name_classify(names[i], strlen(names[i]), id) != TERMINAL_NAME_REQUEST)
            continue;
        bool stuck = false;
        for (size_t k = 0; k < t->nstuck && !stuck; k++)
            stuck = strcmp(t->stuck[k], names[i]) == 0;
        if (stuck)
            continue;
        if (recovering) {
            /* Answered before a stop that came between the answer and the removal: not answered twice. */
            char resname[sizeof TERMINAL_RESPONSE_PREFIX + TERMINAL_ID_MAX + sizeof TERMINAL_SUFFIX];
            char *rp = join(t->req, names[i]);
            char *sp =
                terminal_response_name(id, resname, sizeof resname) == CORE_OK ? join(t->res, resname) : NULL;
            struct stat rq, rs;
            bool done = rp != NULL && sp != NULL && lstat(rp, &rq) == 0 && S_ISREG(rq.st_mode) &&
                        lstat(sp, &rs) == 0 && S_ISREG(rs.st_mode) &&
                        (rs.st_mtim.tv_sec > rq.st_mtim.tv_sec || (rs.st_mtim.tv_sec == rq.st_mtim.tv_sec &&
                                                                   rs.st_mtim.tv_nsec >= rq.st_mtim.tv_nsec));
            if (done) {
                (void)unlink(rp);
                logf_line(t, "done", "req", names[i],
                          "answered before the restart; removed, not answered twice");
            }
            free(rp);
            free(sp);
            if (done)
                continue;
        }
        bool written = false;
        rc = answer_one(t, names[i], id, &written, err);
        if (written && answered != NULL)
            (*answered)++;
    }
    free_names(names, count);
    return rc;
}

int terminal_scan(struct terminal *t, size_t *answered, struct core_error *err)
{
    if (answered != NULL)
        *answered = 0;
    if (t == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "terminal: missing argument");
    return pass(t, false, answered, err);
}

int terminal_recover(struct terminal *t, size_t *answered, struct core_error *err)
{
    if (answered != NULL)
        *answered = 0;
    if (t == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "terminal: missing argument");
    /* The writer's temporaries of a terminal that was killed mid-write: this terminal is res/'s one writer. */
    char **names = NULL;
    size_t count = 0;
    int rc = list_dir(t->res, &names, &count, err);
    char id[TERMINAL_ID_MAX + 1];
    for (size_t i = 0; rc == CORE_OK && i < count; i++) {
        const char *tmp = strstr(names[i], ".tmp-");
        if (names[i][0] != '.' || tmp == NULL)
            continue;
        char base[sizeof TERMINAL_RESPONSE_PREFIX + TERMINAL_ID_MAX + sizeof TERMINAL_SUFFIX];
        size_t n = (size_t)(tmp - names[i]) - 1;
        if (n >= sizeof base)
            continue;
        memcpy(base, names[i] + 1, n);
        base[n] = '\0';
        const size_t pre = sizeof TERMINAL_RESPONSE_PREFIX - 1;
        if (strncmp(base, TERMINAL_RESPONSE_PREFIX, pre) != 0 || !core_file_is_temporary_of(names[i], base))
            continue;
        /* The answer's name read as a request's, to check its id with the one classifier. */
        char as_req[sizeof base];
        snprintf(as_req, sizeof as_req, "%s%s", TERMINAL_REQUEST_PREFIX, base + pre);
        if (terminal_name_classify(as_req, strlen(as_req), id) != TERMINAL_NAME_REQUEST)
            continue;
        char *p = join(t->res, names[i]);
        if (p != NULL && unlink(p) == 0)
            logf_line(t, "cleaned", "res", names[i], "a temporary left by a terminal that was stopped");
        free(p);
    }
    free_names(names, count);
    if (rc != CORE_OK)
        return rc;
    return pass(t, true, answered, err);
}

static CORE_MUST_USE int write_all(int fd, const char *s)
{
    size_t len = strlen(s), off = 0;
    while (off < len) {
        ssize_t n = write(fd, s + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return CORE_EIO;
        off += (size_t)n;
    }
    return CORE_OK;
}

int terminal_run(struct terminal *t, int stop_fd, int ready_fd, struct core_error *err)
{
    if (t == NULL || stop_fd < 0)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "terminal: missing argument");
    int in = -1;
    if (!t->poll) {
        /* The watch first, then the pass over what is there: nothing arrives unseen between the two. */
        in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (in < 0 ||
            inotify_add_watch(
                in, t->req, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR) < 0) {
            int e = errno;
            if (in >= 0)
                close(in);
            return core_error_set(err, CORE_EIO, t->req, 0, 0,
                                  "cannot watch the folder: %s (--poll scans it instead)", strerror(e));
        }
    }
    int rc = terminal_recover(t, NULL, err);
    if (rc == CORE_OK && ready_fd >= 0) {
        char line[4200];
        snprintf(line, sizeof line, "watching %s%s\n", t->req, t->poll ? " (polling)" : "");
        if (write_all(ready_fd, line) != CORE_OK)
            rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "terminal: cannot say it is ready: %s",
                                strerror(errno));
    }
    while (rc == CORE_OK) {
        struct pollfd pf[2] = {{.fd = stop_fd, .events = POLLIN}, {.fd = in, .events = POLLIN}};
        int n = poll(pf, in >= 0 ? 2 : 1, in >= 0 ? -1 : (int)t->poll_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "terminal: poll: %s", strerror(errno));
            break;
        }
        if (pf[0].revents != 0)
            break;
        if (in >= 0) {
            if (pf[1].revents == 0)
                continue;
            /* Drain every event: each pass answers all that is there, so one pass follows any number. */
            char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
            bool gone = false;
            for (;;) {
                ssize_t got = read(in, buf, sizeof buf);
                if (got <= 0)
                    break;
                for (char *p = buf; p < buf + got;) {
                    const struct inotify_event *ev = (const struct inotify_event *)p;
                    if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED))
                        gone = true;
                    p += sizeof *ev + ev->len;
                }
            }
            if (gone) {
                rc = core_error_set(err, CORE_EIO, t->req, 0, 0, "the request folder was removed or moved");
                break;
            }
        }
        rc = pass(t, false, NULL, err);
    }
    if (in >= 0)
        close(in);
    return rc;
}

/* The smallest visit number n >= 1 no entry of `dir` uses as "OQSsiquc01res_face_<n>_" (temporaries included). */
static CORE_MUST_USE int face_visit(const char *dir, unsigned long *visit, struct core_error *err)
{
    char **names = NULL;
    size_t count = 0;
    int rc = list_dir(dir, &names, &count, err);
    unsigned long n = 1;
    for (bool clash = true; rc == CORE_OK && clash; n += clash) {
        clash = false;
        char want[64];
        int w = snprintf(want, sizeof want, "%s%lu_", TERMINAL_FACE_PREFIX, n);
        for (size_t i = 0; i < count && !clash; i++) {
            const char *s = names[i][0] == '.' ? names[i] + 1 : names[i];
            clash = strncmp(s, want, (size_t)w) == 0;
        }
    }
    free_names(names, count);
    *visit = n;
    return rc;
}

/* Does an entry of `dir` (temporaries included) already hold a result of visit `visit`? */
static CORE_MUST_USE int face_taken(const char *dir, const char *visit, bool *taken, struct core_error *err)
{
    char **names = NULL;
    size_t count = 0;
    int rc = list_dir(dir, &names, &count, err);
    char want[sizeof TERMINAL_FACE_PREFIX + TERMINAL_ID_MAX + 1];
    int w = snprintf(want, sizeof want, "%s%s_", TERMINAL_FACE_PREFIX, visit);
    *taken = false;
    for (size_t i = 0; rc == CORE_OK && i < count && !*taken; i++) {
        const char *s = names[i][0] == '.' ? names[i] + 1 : names[i];
        *taken = strncmp(s, want, (size_t)w) == 0;
    }
    free_names(names, count);
    return rc;
}

int terminal_write_face(struct terminal *t, const struct terminal_face *f, char *name, size_t cap,
                        struct core_error *err)
{
    return terminal_write_face_visit(t, f, NULL, name, cap, err);
}

int terminal_write_face_visit(struct terminal *t, const struct terminal_face *f, const char *visit_id,
                              char *name, size_t cap, struct core_error *err)
{
    if (t == NULL || f == NULL || f->answer == NULL || f->institution == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "terminal: missing argument");
    char probe[ELIGIBILITY_FACE_NAME_MAX];
    if (visit_id != NULL && terminal_face_name(visit_id, f->when, probe, sizeof probe) != CORE_OK)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "terminal: the visit id is not 1 to %d letters, digits or '-'",
                              TERMINAL_ID_MAX);
    const char *dir = t->face;
    pthread_mutex_lock(&t->lock);
    int rc = folder_check(dir, err);
    unsigned long visit = 0;
    bool taken = false;
    if (rc == CORE_OK && visit_id == NULL)
        rc = face_visit(dir, &visit, err);
    else if (rc == CORE_OK && (rc = face_taken(dir, visit_id, &taken, err)) == CORE_OK && taken)
        rc = core_error_set(err, CORE_ESTATE, dir, 0, 0, "visit %s already has a face result", visit_id);
    struct eligibility_request_msg *req = calloc(1, sizeof *req);
    struct eligibility_response_msg *m = calloc(1, sizeof *m);
    char *buf = malloc(ELIGIBILITY_MSG_MAX_BYTES);
    char *path = NULL;
    if (rc == CORE_OK && (req == NULL || m == NULL || buf == NULL))
        rc = core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    char vid[TERMINAL_ID_MAX + 1], fname[ELIGIBILITY_FACE_NAME_MAX];
    if (rc == CORE_OK) {
        if (visit_id != NULL)
            core_strlcpy(vid, visit_id, sizeof vid);
        else
            snprintf(vid, sizeof vid, "%lu", visit);
        if (terminal_face_name(vid, f->when, fname, sizeof fname) != CORE_OK)
            rc = core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                                "terminal: the face result's time cannot be named");
    }
    if (rc == CORE_OK) {
        req->kind = ELIGIBILITY_REQUEST_CARD;
        req->date = f->on;
        core_strlcpy(req->institution, f->institution, sizeof req->institution);
        snprintf(req->file_id, sizeof req->file_id, "face%s", vid);
        char jst[20], when[15];
        core_time_format_japan(f->when, jst);
        static const unsigned char digit_at[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
        for (size_t i = 0; i < sizeof digit_at; i++)
            when[i] = jst[digit_at[i]];
        when[14] = '\0';
        size_t n = 0;
        struct eligibility_msg_error e;
        if (eligibility_response_from_answer(req, f->answer, when, m) != CORE_OK ||
            eligibility_response_encode(m, t->encoding, buf, ELIGIBILITY_MSG_MAX_BYTES, &n, &e) != CORE_OK)
            rc = core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                                "terminal: the card's answer cannot be a message");
        else if ((path = join(dir, fname)) == NULL)
            rc = core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
        else
            rc = core_file_write_atomic(path, buf, n, err);
        if (rc == CORE_OK) {
            char more[64];
            describe((const uint8_t *)buf, n, more, sizeof more);
            logf_line(t, "out", "face", fname, more);
            if (name != NULL && cap > 0)
                core_strlcpy(name, fname, cap);
        }
    }
    pthread_mutex_unlock(&t->lock);
    free(path);
    free(buf);
    free(m);
    free(req);
    return rc;
}

int terminal_set_date(struct terminal *t, core_day on)
{
    if (t == NULL)
        return CORE_EINVAL;
    pthread_mutex_lock(&t->lock);
    int rc = eligibility_service_set_date(t->svc, on);
    if (rc == CORE_OK)
        t->timed = false;
    pthread_mutex_unlock(&t->lock);
    return rc;
}

int terminal_set_time(struct terminal *t, int64_t at)
{
    if (t == NULL)
        return CORE_EINVAL;
    core_day day = core_date_from_time((time_t)at);
    pthread_mutex_lock(&t->lock);
    int rc = eligibility_service_set_date(t->svc, day);
    if (rc == CORE_OK) {
        t->timed = true;
        t->offset = at - (int64_t)time(NULL);
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

int64_t terminal_now(struct terminal *t)
{
    int64_t now = (int64_t)time(NULL);
    if (t == NULL)
        return now;
    pthread_mutex_lock(&t->lock);
    int64_t at = now + t->offset;
    if (!t->timed) {
        core_day day = eligibility_service_date(t->svc);
        at = now + ((int64_t)day - (int64_t)core_date_from_time((time_t)now)) * 86400;
    }
    pthread_mutex_unlock(&t->lock);
    return at;
}

core_day terminal_date(struct terminal *t)
{
    if (t == NULL)
        return CORE_DAY_NONE;
    pthread_mutex_lock(&t->lock);
    core_day d = eligibility_service_date(t->svc);
    pthread_mutex_unlock(&t->lock);
    return d;
}
