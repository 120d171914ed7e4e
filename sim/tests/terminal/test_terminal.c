/*
 * Tests of the terminal by folders (sim/terminal; docs/TERMINAL.md). The terminal is handed a real service
 * over a small registry (one member, at a fixed date) and real folders; the watch runs on its own thread,
 * stopped through a pipe; readiness is its "watching" line, and answers are waited for with an inotify watch
 * on res/ (bounded: a minute without any event fails), never by sleeping.
 */
#define _GNU_SOURCE /* inotify, pipe2, mkdtemp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "eligibility/eligibility.h"
#include "policy/policy.h"
#include "terminal/terminal.h"
#include "../eligibility/member_test.h"

#define INSURER MEMBER_TEST_INSURER
#define BURST 1000

struct fixture {
    struct policy *policy;
    struct eligibility_registry *reg;
    struct eligibility_service *svc;
    char dir[64];
    char req[80];
    char res[80];
    FILE *log;
};

static core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    struct core_error err;
    if (policy_load_named("national", &f->policy, &err) != CORE_OK)
        fail_msg("policy: %s", err.message);
    assert_int_equal(eligibility_registry_new(f->policy, &f->reg), CORE_OK);
    const struct eligibility_numbers numbers = member_test_numbers("12", "34", "00");
    (void)member_test_enrol(f->reg, D("1980-04-01"), &numbers, CORE_DAY_NONE, NULL);
    if (eligibility_service_new(f->reg, f->policy, &f->svc, &err) != CORE_OK)
        fail_msg("service: %s", err.message);
    assert_int_equal(eligibility_service_set_date(f->svc, D("2025-06-02")), CORE_OK);
    /* tmpfs when there is one: the writer fsyncs every answer, and a thousand of them on a shared disk is
     * the disk's test, not the terminal's. */
    snprintf(f->dir, sizeof f->dir, "%s",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm/mynasim-terminal-XXXXXX"
                                           : "/tmp/mynasim-terminal-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->req, sizeof f->req, "%s/req", f->dir);
    snprintf(f->res, sizeof f->res, "%s/res", f->dir);
    assert_int_equal(mkdir(f->req, 0700), 0);
    assert_int_equal(mkdir(f->res, 0700), 0);
    f->log = tmpfile();
    assert_non_null(f->log);
    *state = f;
    return 0;
}

static void remove_all(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    remove_all(f->req);
    remove_all(f->res);
    rmdir(f->dir);
    fclose(f->log);
    eligibility_service_free(f->svc);
    eligibility_registry_free(f->reg);
    policy_free(f->policy);
    free(f);
    return 0;
}

/* A number request for the member (`member`) or for numbers nobody holds, file id `id`, in `enc`. */
static size_t make_request(char *buf, size_t cap, const char *id, bool member, enum eligibility_encoding enc)
{
    struct eligibility_request_msg m;
    memset(&m, 0, sizeof m);
    m.kind = ELIGIBILITY_REQUEST_NUMBERS;
    m.date = D("2025-06-02");
    snprintf(m.institution, sizeof m.institution, "1312345678");
    snprintf(m.file_id, sizeof m.file_id, "%s", id);
    snprintf(m.numbers.insurer_number, sizeof m.numbers.insurer_number, "%s", INSURER);
    snprintf(m.numbers.symbol, sizeof m.numbers.symbol, "12");
    snprintf(m.numbers.number, sizeof m.numbers.number, "%s", member ? "34" : "99");
    snprintf(m.numbers.branch, sizeof m.numbers.branch, "00");
    m.born = D("1980-04-01");
    size_t len = 0;
    struct eligibility_msg_error err;
    if (eligibility_request_encode(&m, enc, buf, cap, &len, &err) != CORE_OK)
        fail_msg("request: %s", err.message);
    return len;
}

/* Drops a request as a reception system should: a hidden temporary name, then a rename into req/. */
static void drop(const struct fixture *f, const char *name, const void *data, size_t len)
{
    char tmp[256], path[256];
    snprintf(tmp, sizeof tmp, "%s/.%s.part", f->req, name);
    snprintf(path, sizeof path, "%s/%s", f->req, name);
    FILE *fp = fopen(tmp, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(rename(tmp, path), 0);
}

static void drop_request(const struct fixture *f, const char *id, bool member, enum eligibility_encoding enc)
{
    char buf[ELIGIBILITY_MSG_MAX_BYTES];
    size_t len = make_request(buf, sizeof buf, id, member, enc);
    char name[160];
    snprintf(name, sizeof name, "OQSsiquc01req_%s.xml", id);
    drop(f, name, buf, len);
}

/* The answer to request `id`, parsed; false when there is none. */
static bool read_answer(const struct fixture *f, const char *id, struct eligibility_response_msg *m,
                        char **raw)
{
    char path[256];
    snprintf(path, sizeof path, "%s/OQSsiquc01res_%s.xml", f->res, id);
    char *buf = NULL;
    size_t len = 0;
    struct core_error err;
    if (core_file_read(path, ELIGIBILITY_MSG_MAX_BYTES, &buf, &len, &err) != CORE_OK)
        return false;
    struct eligibility_msg_error merr;
    if (eligibility_response_parse(buf, len, m, &merr) != CORE_OK)
        fail_msg("answer %s does not parse: %s", id, merr.message);
    if (raw != NULL)
        *raw = buf;
    else
        free(buf);
    return true;
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

static bool exists(const char *dir, const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    struct stat st;
    return lstat(p, &st) == 0;
}

/* ---- the watch on its own thread --------------------------------------------------------------------- */

struct runner {
    struct terminal *t;
    int stop[2];
    int ready[2];
    pthread_t thread;
    int rc;
    struct core_error err;
};

static void *run_thread(void *arg)
{
    struct runner *r = arg;
    r->rc = terminal_run(r->t, r->stop[0], r->ready[1], &r->err);
    return NULL;
}

static void runner_start(struct runner *r, struct fixture *f, bool poll_mode)
{
    memset(r, 0, sizeof *r);
    struct terminal_options o = {
        .folder = f->dir, .encoding = ELIGIBILITY_ENC_UTF8, .poll = poll_mode, .poll_ms = 20, .log = f->log};
    struct core_error err;
    if (terminal_new(f->svc, &o, &r->t, &err) != CORE_OK)
        fail_msg("terminal: %s", err.message);
    assert_int_equal(pipe2(r->stop, O_CLOEXEC), 0);
    assert_int_equal(pipe2(r->ready, O_CLOEXEC), 0);
    assert_int_equal(pthread_create(&r->thread, NULL, run_thread, r), 0);
    /* Readiness: the "watching" line (a read that blocks until it comes). */
    char line[512];
    ssize_t n = read(r->ready[0], line, sizeof line - 1);
    assert_true(n > 0);
    line[n] = '\0';
    assert_non_null(strstr(line, "watching "));
}

static int runner_stop(struct runner *r)
{
    assert_int_equal(write(r->stop[1], "x", 1), 1);
    assert_int_equal(pthread_join(r->thread, NULL), 0);
    for (int i = 0; i < 2; i++) {
        close(r->stop[i]);
        close(r->ready[i]);
    }
    terminal_free(r->t);
    return r->rc;
}

/* Events of an inotify watch on res/: answers that arrived by rename, and any *.xml written in place. */
struct res_watch {
    int fd;
    size_t moved_xml;
    size_t written_xml;
};

static bool ends_xml(const char *name)
{
    size_t n = strlen(name);
    return n >= 4 && strcmp(name + n - 4, ".xml") == 0;
}

/* Reads events until `want` answers arrived, by rename or written in place (the caller asserts which);
 * fails after a minute without any event. */
static void res_wait(struct res_watch *w, size_t want)
{
    char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
    while (w->moved_xml + w->written_xml < want) {
        struct pollfd pf = {.fd = w->fd, .events = POLLIN};
        int n = poll(&pf, 1, 60000);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            fail_msg("no answer within a minute: %zu of %zu", w->moved_xml, want);
        assert_true(n > 0);
        ssize_t got = read(w->fd, buf, sizeof buf);
        assert_true(got > 0);
        for (char *p = buf; p < buf + got;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            assert_false(ev->mask & IN_Q_OVERFLOW);
            if (ev->len > 0 && ends_xml(ev->name)) {
                if (ev->mask & IN_MOVED_TO)
                    w->moved_xml++;
                if (ev->mask & IN_CLOSE_WRITE)
                    w->written_xml++;
            }
            p += sizeof *ev + ev->len;
        }
    }
}

/* ---- the tests ---------------------------------------------------------------------------------------- */

/* A thousand requests dropped at once: a thousand answers, each arriving in res/ only by a rename. */
static void test_burst_answered_by_rename(void **state)
{
    struct fixture *f = *state;
    struct res_watch w = {.fd = inotify_init1(IN_CLOEXEC)};
    assert_true(w.fd >= 0);
    assert_true(inotify_add_watch(w.fd, f->res, IN_CLOSE_WRITE | IN_MOVED_TO) >= 0);
    struct runner r;
    runner_start(&r, f, false);
    for (int i = 0; i < BURST; i++) {
        char id[16];
        snprintf(id, sizeof id, "%04d", i);
        drop_request(f, id, i % 2 == 0, ELIGIBILITY_ENC_UTF8);
    }
    res_wait(&w, BURST);
    assert_int_equal(runner_stop(&r), CORE_OK);
    close(w.fd);
    assert_int_equal(w.moved_xml, BURST);
    assert_int_equal(w.written_xml, 0);
    assert_int_equal(count_entries(f->req), 0);
    assert_int_equal(count_entries(f->res), BURST);
    for (int i = 0; i < BURST; i++) {
        char id[16];
        snprintf(id, sizeof id, "%04d", i);
        struct eligibility_response_msg m;
        assert_true(read_answer(f, id, &m, NULL));
        assert_string_equal(m.file_id, id);
        assert_int_equal(m.segment, 1);
        assert_int_equal(m.validity, i % 2 == 0 ? 1 : 4);
    }
}

/* The --poll fallback answers as the watch does. */
static void test_poll_mode(void **state)
{
    struct fixture *f = *state;
    struct res_watch w = {.fd = inotify_init1(IN_CLOEXEC)};
    assert_true(w.fd >= 0);
    assert_true(inotify_add_watch(w.fd, f->res, IN_CLOSE_WRITE | IN_MOVED_TO) >= 0);
    struct runner r;
    runner_start(&r, f, true);
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "p%d", i);
        drop_request(f, id, true, ELIGIBILITY_ENC_UTF8);
    }
    res_wait(&w, 5);
    assert_int_equal(runner_stop(&r), CORE_OK);
    close(w.fd);
    assert_int_equal(w.written_xml, 0);
    assert_int_equal(count_entries(f->req), 0);
}

/* A restart: the writer's temporaries go, a request already answered is not answered twice, the others are
 * answered once, and a second pass finds nothing. */
static void test_restart_answers_pending_once(void **state)
{
    struct fixture *f = *state;
    /* Left by a terminal stopped after the answer to "done" was in place, before the request was removed. */
    drop_request(f, "done", true, ELIGIBILITY_ENC_UTF8);
    char path[256];
    snprintf(path, sizeof path, "%s/OQSsiquc01res_done.xml", f->res);
    struct core_error err;
    assert_int_equal(core_file_write_atomic(path, "earlier answer", 14, &err), CORE_OK);
    snprintf(path, sizeof path, "%s/.OQSsiquc01res_a.xml.tmp-abcdef123456", f->res);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    /* Not the writer's: stays. */
    snprintf(path, sizeof path, "%s/.keep", f->res);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    drop_request(f, "a", true, ELIGIBILITY_ENC_UTF8);
    drop_request(f, "b", false, ELIGIBILITY_ENC_UTF8);

    struct terminal_options o = {.folder = f->dir, .encoding = ELIGIBILITY_ENC_UTF8, .log = f->log};
    struct terminal *t = NULL;
    assert_int_equal(terminal_new(f->svc, &o, &t, &err), CORE_OK);
    size_t answered = 99;
    assert_int_equal(terminal_recover(t, &answered, &err), CORE_OK);
    assert_int_equal(answered, 2);
    assert_int_equal(count_entries(f->req), 0);
    assert_false(exists(f->res, ".OQSsiquc01res_a.xml.tmp-abcdef123456"));
    assert_true(exists(f->res, ".keep"));
    char *raw = NULL;
    struct eligibility_response_msg m;
    assert_true(read_answer(f, "a", &m, NULL));
    assert_int_equal(m.validity, 1);
    assert_true(read_answer(f, "b", &m, NULL));
    assert_int_equal(m.validity, 4);
    size_t len = 0;
    snprintf(path, sizeof path, "%s/OQSsiquc01res_done.xml", f->res);
    assert_int_equal(core_file_read(path, 100, &raw, &len, &err), CORE_OK);
    assert_string_equal(raw, "earlier answer");
    free(raw);
    assert_int_equal(terminal_recover(t, &answered, &err), CORE_OK);
    assert_int_equal(answered, 0);
    terminal_free(t);
}

/* Requests that cannot be read get an error answer; names that are not requests are left alone. */
static void test_unreadable_requests_get_error_answers(void **state)
{
    struct fixture *f = *state;
    drop(f, "OQSsiquc01req_junk.xml", "not xml at all", 14);
    drop(f, "OQSsiquc01req_empty.xml", "", 0);
    char *big = malloc(ELIGIBILITY_MSG_MAX_BYTES + 10);
    assert_non_null(big);
    memset(big, ' ', ELIGIBILITY_MSG_MAX_BYTES + 10);
    drop(f, "OQSsiquc01req_big.xml", big, ELIGIBILITY_MSG_MAX_BYTES + 10);
    free(big);
    char path[256];
    snprintf(path, sizeof path, "%s/OQSsiquc01req_fifo.xml", f->req);
    assert_int_equal(mkfifo(path, 0600), 0);
    snprintf(path, sizeof path, "%s/OQSsiquc01req_dir.xml", f->req);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/OQSsiquc01req_full.xml", f->req);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/OQSsiquc01req_full.xml/inside", f->req);
    FILE *in = fopen(path, "w");
    assert_non_null(in);
    fclose(in);
    snprintf(path, sizeof path, "%s/OQSsiquc01req_link.xml", f->req);
    assert_int_equal(symlink("nowhere", path), 0);
    drop(f, "notes.txt", "x", 1);
    drop(f, "OQSsiquc01req_a b.xml", "x", 1);

    struct terminal_options o = {.folder = f->dir, .encoding = ELIGIBILITY_ENC_UTF8, .log = f->log};
    struct terminal *t = NULL;
    struct core_error err;
    assert_int_equal(terminal_new(f->svc, &o, &t, &err), CORE_OK);
    size_t answered = 0;
    assert_int_equal(terminal_scan(t, &answered, &err), CORE_OK);
    assert_int_equal(answered, 7);
    static const char *const ids[] = {"junk", "empty", "big", "fifo", "dir", "link", "full"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        struct eligibility_response_msg m;
        if (!read_answer(f, ids[i], &m, NULL))
            fail_msg("no answer to %s", ids[i]);
        assert_int_equal(m.segment, 9);
        assert_int_equal(m.status, 2);
        assert_true(strncmp(m.error_code, "MYNE", 4) == 0);
    }
    struct eligibility_response_msg m;
    assert_true(read_answer(f, "big", &m, NULL));
    assert_string_equal(m.error_code, "MYNE3001");
    assert_true(read_answer(f, "fifo", &m, NULL));
    assert_string_equal(m.error_code, "MYNE3002");
    assert_true(read_answer(f, "dir", &m, NULL));
    assert_string_equal(m.error_code, "MYNE3002");
    assert_true(read_answer(f, "link", &m, NULL));
    assert_string_equal(m.error_code, "MYNE3002");
    assert_true(exists(f->req, "notes.txt"));
    assert_true(exists(f->req, "OQSsiquc01req_a b.xml"));
    /* A directory that is not empty stays, answered once. */
    assert_true(exists(f->req, "OQSsiquc01req_full.xml"));
    assert_int_equal(count_entries(f->req), 3);
    assert_int_equal(count_entries(f->res), 7);
    /* Logged once, not at every pass. */
    assert_int_equal(terminal_scan(t, &answered, &err), CORE_OK);
    assert_int_equal(answered, 0);
    terminal_free(t);
    fflush(f->log);
    rewind(f->log);
    char line[1024];
    int notes = 0;
    while (fgets(line, sizeof line, f->log) != NULL)
        notes += strstr(line, "ignored req/notes.txt") != NULL;
    assert_int_equal(notes, 1);
    snprintf(path, sizeof path, "%s/OQSsiquc01req_full.xml/inside", f->req);
    assert_int_equal(unlink(path), 0);
    snprintf(path, sizeof path, "%s/OQSsiquc01req_full.xml", f->req);
    assert_int_equal(rmdir(path), 0);
}

/* The answers' encoding is the terminal's, whatever the request's. */
static void test_shift_jis_answers(void **state)
{
    struct fixture *f = *state;
    drop_request(f, "u", true, ELIGIBILITY_ENC_UTF8);
    drop_request(f, "s", true, ELIGIBILITY_ENC_CP932);
    drop(f, "OQSsiquc01req_junk.xml", "<", 1);
    struct terminal_options o = {.folder = f->dir, .encoding = ELIGIBILITY_ENC_CP932, .log = f->log};
    struct terminal *t = NULL;
    struct core_error err;
    assert_int_equal(terminal_new(f->svc, &o, &t, &err), CORE_OK);
    size_t answered = 0;
    assert_int_equal(terminal_scan(t, &answered, &err), CORE_OK);
    assert_int_equal(answered, 3);
    terminal_free(t);
    static const char *const ids[] = {"u", "s", "junk"};
    for (size_t i = 0; i < 3; i++) {
        struct eligibility_response_msg m;
        char *raw = NULL;
        assert_true(read_answer(f, ids[i], &m, &raw));
        assert_int_equal(m.encoding, ELIGIBILITY_ENC_CP932);
        assert_non_null(strstr(raw, "encoding=\"Shift_JIS\""));
        assert_non_null(strstr(raw, "<CharacterCodeIdentifier>1</CharacterCodeIdentifier>"));
        assert_int_equal(m.validity, i < 2 ? 1 : 0);
        free(raw);
    }
}

/* The request folder taken away ends the watch with an error, not a spin. */
static void test_request_folder_removed(void **state)
{
    struct fixture *f = *state;
    struct runner r;
    runner_start(&r, f, false);
    assert_int_equal(rmdir(f->req), 0);
    assert_int_equal(pthread_join(r.thread, NULL), 0);
    assert_int_equal(r.rc, CORE_EIO);
    for (int i = 0; i < 2; i++) {
        close(r.stop[i]);
        close(r.ready[i]);
    }
    terminal_free(r.t);
}

static void test_bad_folders(void **state)
{
    struct fixture *f = *state;
    struct terminal *t = NULL;
    struct core_error err;
    struct terminal_options o = {.folder = f->req, .encoding = ELIGIBILITY_ENC_UTF8};
    assert_int_equal(terminal_new(f->svc, &o, &t, &err), CORE_EINVAL);
    assert_null(t);
    assert_non_null(strstr(err.message, "exchange folder"));
    o.folder = f->dir;
    o.encoding = (enum eligibility_encoding)7;
    assert_int_equal(terminal_new(f->svc, &o, &t, &err), CORE_EINVAL);
}

static void test_names(void **state)
{
    (void)state;
    char id[TERMINAL_ID_MAX + 1];
    assert_int_equal(terminal_name_classify("OQSsiquc01req_card_pin_1.xml", 28, id), TERMINAL_NAME_REQUEST);
    assert_string_equal(id, "card_pin_1");
    assert_int_equal(terminal_name_classify(".OQSsiquc01req_1.xml", 20, id), TERMINAL_NAME_HIDDEN);
    assert_string_equal(id, "");
    assert_int_equal(terminal_name_classify("OQSsiquc01req_1.XML", 19, id), TERMINAL_NAME_OTHER);
    assert_int_equal(terminal_name_classify("OQSsiquc01req_.xml", 18, id), TERMINAL_NAME_OTHER);
    assert_int_equal(terminal_name_classify("OQSsiquc01req_1.xml.part", 24, id), TERMINAL_NAME_OTHER);
    assert_int_equal(terminal_name_classify("OQSsiquc01res_1.xml", 19, id), TERMINAL_NAME_OTHER);
    char out[32];
    assert_int_equal(terminal_response_name("x-1", out, sizeof out), CORE_OK);
    assert_string_equal(out, "OQSsiquc01res_x-1.xml");
    assert_int_equal(terminal_response_name("../x", out, sizeof out), CORE_EINVAL);
    assert_int_equal(terminal_response_name("x", out, 19), CORE_EINVAL);
    int64_t when;
    assert_int_equal(core_time_parse_japan("2025-12-31T23:59:59", 19, &when), CORE_OK);
    char face[ELIGIBILITY_FACE_NAME_MAX];
    assert_int_equal(terminal_face_name("7", when, face, sizeof face), CORE_OK);
    assert_string_equal(face, "OQSsiquc01res_face_7_20251231235959.xml");
    assert_int_equal(terminal_face_name("a/b", when, face, sizeof face), CORE_EINVAL);
    assert_int_equal(terminal_face_name("7", when, face, 39), CORE_EINVAL);
    assert_int_equal(terminal_face_name("7", (int64_t)400000 * 366 * 86400, face, sizeof face), CORE_EINVAL);
}

/* The registry's answer for the fixture's member asked by numbers on 2025-06-02 (what a face reader shows):
 * the request in *nr, the answer in *a. */
static void member_answer(struct fixture *f, struct eligibility_number_request *nr,
                          struct eligibility_answer *a)
{
    memset(nr, 0, sizeof *nr);
    nr->on = D("2025-06-02");
    nr->numbers = member_test_numbers("12", "34", "00");
    nr->born = D("1980-04-01");
    assert_int_equal(eligibility_check_numbers(f->reg, nr, a), CORE_OK);
}

/* The face reader's results: named by the pattern real agents match, two in one second never colliding. */
static void test_face_results(void **state)
{
    struct fixture *f = *state;
    struct terminal_options o = {.folder = f->dir, .encoding = ELIGIBILITY_ENC_CP932, .log = f->log};
    struct terminal *t = NULL;
    struct core_error err;
    assert_int_equal(terminal_new(f->svc, &o, &t, &err), CORE_OK);
    struct eligibility_number_request nr;
    struct eligibility_answer a;
    member_answer(f, &nr, &a);
    int64_t when;
    assert_int_equal(core_time_parse_japan("2025-06-02T09:00:05", 19, &when), CORE_OK);
    struct terminal_face face = {.answer = &a, .on = nr.on, .institution = "1312345678", .when = when};
    char name[128];
    /* No DIR/face: refused, nothing written. */
    assert_int_equal(terminal_write_face(t, &face, name, sizeof name, &err), CORE_EINVAL);
    char dir[128];
    snprintf(dir, sizeof dir, "%s/face", f->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(terminal_write_face(t, &face, name, sizeof name, &err), CORE_OK);
    assert_string_equal(name, "OQSsiquc01res_face_1_20250602090005.xml");
    assert_int_equal(terminal_write_face(t, &face, name, sizeof name, &err), CORE_OK);
    assert_string_equal(name, "OQSsiquc01res_face_2_20250602090005.xml");
    /* A writer's temporary holds its number too. */
    char p[256];
    snprintf(p, sizeof p, "%s/.OQSsiquc01res_face_3_20250602090005.xml.tmp-abcdef123456", dir);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(terminal_write_face(t, &face, name, sizeof name, &err), CORE_OK);
    assert_string_equal(name, "OQSsiquc01res_face_4_20250602090005.xml");
    snprintf(p, sizeof p, "%s/%s", dir, name);
    char *raw = NULL;
    size_t len = 0;
    assert_int_equal(core_file_read(p, ELIGIBILITY_MSG_MAX_BYTES, &raw, &len, &err), CORE_OK);
    struct eligibility_response_msg m;
    struct eligibility_msg_error merr;
    assert_int_equal(eligibility_response_parse(raw, len, &m, &merr), CORE_OK);
    assert_int_equal(m.encoding, ELIGIBILITY_ENC_CP932);
    assert_int_equal(m.reference, 1);
    assert_int_equal(m.validity, 1);
    assert_string_equal(m.process_time, "20250602090005");
    assert_string_equal(m.institution, "1312345678");
    free(raw);
    terminal_free(t);
    remove_all(dir);
}

/* The control bodies (docs/TERMINAL.md, "Control"): every field read, every refusal naming its field. */
static void test_control_bodies(void **state)
{
    (void)state;
    struct terminal_present_body p;
    char why[300];
#define PRESENT(body) terminal_present_parse(body, strlen(body), &p, why, sizeof why)
    assert_int_equal(PRESENT("{\"resident\":\"r-card\"}"), CORE_OK);
    assert_string_equal(p.resident, "r-card");
    assert_false(p.bring_given || p.pin_given || p.visit_given || p.kind_given);
    assert_int_equal(p.faults, 0);
    assert_int_equal(p.kind, SCENARIO_VISIT_FIRST);
    assert_int_equal(
        PRESENT("{\"resident\":\"r1\",\"bring\":[\"card\",\"notice\",\"paper_card\",\"certificate\"],"
                "\"faults\":[\"reader_fault\",\"replayed_request\"],\"pin\":\"0123\",\"visit\":\"v-9\","
                "\"kind\":\"dispensing\"}"),
        CORE_OK);
    assert_true(p.bring_given);
    assert_int_equal(p.bring, SCENARIO_DOC_BIT(SCENARIO_DOC_CARD) | SCENARIO_DOC_BIT(SCENARIO_DOC_NOTICE) |
                                  SCENARIO_DOC_BIT(SCENARIO_DOC_PAPER_CARD) |
                                  SCENARIO_DOC_BIT(SCENARIO_DOC_CERTIFICATE));
    assert_int_equal(p.faults, SCENARIO_FAULT_BIT(SCENARIO_FAULT_READER_FAULT) |
                                   SCENARIO_FAULT_BIT(SCENARIO_FAULT_REPLAYED_REQUEST));
    assert_true(p.pin_given);
    assert_string_equal(p.pin, "0123");
    assert_true(p.visit_given);
    assert_string_equal(p.visit, "v-9");
    assert_true(p.kind_given);
    assert_int_equal(p.kind, SCENARIO_VISIT_DISPENSING);
    assert_int_equal(PRESENT("{\"resident\":\"r1\",\"pin\":\"face\",\"bring\":[]}"), CORE_OK);
    assert_false(p.pin_given);
    assert_true(p.bring_given);
    assert_int_equal(p.bring, 0);
    static const struct {
        const char *body, *why;
    } bad[] = {
        {"{}", "field 'resident': missing"},
        {"{\"resident\":7}", "field 'resident': expected"},
        {"{\"resident\":\"a b\"}", "field 'resident': expected"},
        {"{\"resident\":\"\"}", "field 'resident': expected"},
        {"{\"resident\":\"r\",\"bring\":\"card\"}", "field 'bring': expected a list"},
        {"{\"resident\":\"r\",\"bring\":[\"portal\"]}", "field 'bring': item 1"},
        {"{\"resident\":\"r\",\"bring\":[\"card\",3]}", "field 'bring': item 2"},
        {"{\"resident\":\"r\",\"bring\":[\"card\",\"card\"]}", "field 'bring': 'card' is listed twice"},
        {"{\"resident\":\"r\",\"faults\":[\"gremlins\"]}", "field 'faults': item 1"},
        {"{\"resident\":\"r\",\"pin\":1234}", "field 'pin'"},
        {"{\"resident\":\"r\",\"pin\":\"123\"}", "field 'pin'"},
        {"{\"resident\":\"r\",\"pin\":\"12345678901234567\"}", "field 'pin'"},
        {"{\"resident\":\"r\",\"pin\":\"12a4\"}", "field 'pin'"},
        {"{\"resident\":\"r\",\"pin\":\"Face\"}", "field 'pin'"},
        {"{\"resident\":\"r\",\"visit\":\"a_b\"}", "field 'visit'"},
        {"{\"resident\":\"r\",\"visit\":null}", "field 'visit'"},
        {"{\"resident\":\"r\",\"kind\":\"second\"}", "field 'kind'"},
        {"{\"resident\":\"r\",\"kind\":1}", "field 'kind'"},
        {"{\"resident\":\"r\",\"who\":\"r\"}", "field 'who': not a field of /control/present"},
        {"{\"resident\":\"r\",\"resident\":\"s\"}", "not a JSON object"},
        {"[\"r\"]", "not a JSON object"},
        {"", "not a JSON object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        if (PRESENT(bad[i].body) != CORE_EINVAL || strstr(why, bad[i].why) == NULL)
            fail_msg("%s: '%s', expected '%s'", bad[i].body, why, bad[i].why);
    }
    /* a visit id is as long as a face result's name can carry (the fuzzer found a longer one taken) */
    char body[200];
    snprintf(body, sizeof body, "{\"resident\":\"r\",\"visit\":\"%0*d\"}", ELIGIBILITY_FACE_VISIT_MAX, 7);
    assert_int_equal(PRESENT(body), CORE_OK);
    char face[ELIGIBILITY_FACE_NAME_MAX];
    assert_int_equal(terminal_face_name(p.visit, 0, face, sizeof face), CORE_OK);
    snprintf(body, sizeof body, "{\"resident\":\"r\",\"visit\":\"%0*d\"}", ELIGIBILITY_FACE_VISIT_MAX + 1, 7);
    assert_int_equal(PRESENT(body), CORE_EINVAL);
    assert_non_null(strstr(why, "field 'visit'"));
    char big[TERMINAL_CONTROL_BODY_MAX + 2];
    memset(big, ' ', sizeof big);
    assert_int_equal(terminal_present_parse(big, sizeof big, &p, why, sizeof why), CORE_EINVAL);
    assert_non_null(strstr(why, "larger than"));
    assert_int_equal(terminal_present_parse("{}", 2, NULL, why, sizeof why), CORE_EINVAL);
    assert_int_equal(terminal_present_parse("{}", 2, &p, NULL, 0), CORE_EINVAL); /* no room for a reason */
#undef PRESENT

    struct terminal_time_body t;
#define TIME(body) terminal_time_parse(body, strlen(body), &t, why, sizeof why)
    assert_int_equal(TIME("{\"date\":\"2025-08-01\"}"), CORE_OK);
    assert_false(t.clock || t.time_given);
    assert_int_equal(t.day, D("2025-08-01"));
    assert_int_equal(TIME("{\"date\":\"2025-08-01T08:55\"}"), CORE_OK);
    assert_true(t.time_given);
    assert_int_equal(t.day, D("2025-08-01"));
    int64_t at;
    assert_int_equal(core_time_parse_japan("2025-08-01T08:55:00", 19, &at), CORE_OK);
    assert_true(t.at == at);
    /* 00:05 JST is still the day before in UTC: the Japan day counts */
    assert_int_equal(TIME("{\"date\":\"2025-08-01T00:05:30\"}"), CORE_OK);
    assert_int_equal(t.day, D("2025-08-01"));
    assert_int_equal(TIME("{\"date\":null}"), CORE_OK);
    assert_true(t.clock);
    assert_int_equal(t.day, CORE_DAY_NONE);
    static const char *const bad_time[] = {
        "{\"date\":\"2025-08-01T24:00\"}",
        "{\"date\":\"2025-02-30\"}",
        "{\"date\":\"2025-08-01 08:55\"}",
        "{\"date\":20250801}",
        "{\"date\":\"2025-08-01\",\"x\":1}",
        "{\"when\":\"2025-08-01\"}",
        "{\"date\":true}",
        "{}",
    };
    for (size_t i = 0; i < sizeof bad_time / sizeof bad_time[0]; i++) {
        why[0] = '\0';
        if (TIME(bad_time[i]) != CORE_EINVAL || strstr(why, "field 'date'") == NULL)
            fail_msg("%s: '%s'", bad_time[i], why);
    }
    assert_int_equal(TIME("nope"), CORE_EINVAL);
    assert_non_null(strstr(why, "not a JSON object"));
    assert_int_equal(terminal_time_parse("{}", 2, NULL, why, sizeof why), CORE_EINVAL);
#undef TIME
}

/* The terminal's clock: a Japan time set ticks on from there; a date alone follows the process clock's time of
 * day on that day. Bounds only, no timing: the tick is checked to be forward and under an hour. */
static void test_clock(void **state)
{
    struct fixture *f = *state;
    struct terminal_options o = {.folder = f->dir, .encoding = ELIGIBILITY_ENC_UTF8, .log = f->log};
    struct terminal *t = NULL;
    struct core_error err;
    assert_int_equal(terminal_new(f->svc, &o, &t, &err), CORE_OK);
    int64_t at;
    assert_int_equal(core_time_parse_japan("2025-08-01T00:05", 16, &at), CORE_OK);
    assert_int_equal(terminal_set_time(t, at), CORE_OK);
    assert_int_equal(terminal_date(t), D("2025-08-01"));
    int64_t now = terminal_now(t);
    assert_true(now >= at && now - at < 3600);
    assert_int_equal(core_time_parse_japan("2025-08-01T09:00", 16, &at), CORE_OK);
    assert_int_equal(terminal_set_time(t, at), CORE_OK);
    assert_int_equal(core_date_from_time((time_t)terminal_now(t)), D("2025-08-01"));
    /* a date alone: the process clock's time of day, on that day */
    assert_int_equal(terminal_set_date(t, D("2025-12-02")), CORE_OK);
    assert_int_equal(core_date_from_time((time_t)terminal_now(t)), D("2025-12-02"));
    assert_int_equal(terminal_set_time(t, (int64_t)-3000000000), CORE_EINVAL); /* 1874 */
    assert_int_equal(terminal_date(t), D("2025-12-02"));
    assert_int_equal(terminal_set_time(NULL, at), CORE_EINVAL);
    assert_int_equal(terminal_set_date(NULL, D("2025-12-02")), CORE_EINVAL);
    assert_int_equal(terminal_date(NULL), CORE_DAY_NONE);
    assert_true(terminal_now(NULL) > 0);
    terminal_free(t);
}

/* A face result named by its visit's id: one per visit, temporaries included; ids that cannot name a file refused. */
static void test_face_visit_ids(void **state)
{
    struct fixture *f = *state;
    struct terminal_options o = {.folder = f->dir, .encoding = ELIGIBILITY_ENC_UTF8, .log = f->log};
    struct terminal *t = NULL;
    struct core_error err;
    assert_int_equal(terminal_new(f->svc, &o, &t, &err), CORE_OK);
    struct eligibility_number_request nr;
    struct eligibility_answer a;
    member_answer(f, &nr, &a);
    int64_t when;
    assert_int_equal(core_time_parse_japan("2025-06-02T23:55", 16, &when), CORE_OK);
    struct terminal_face face = {.answer = &a, .on = nr.on, .institution = "1312345678", .when = when};
    char dir[128], name[128];
    snprintf(dir, sizeof dir, "%s/face", f->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(terminal_write_face_visit(t, &face, "L12", name, sizeof name, &err), CORE_OK);
    assert_string_equal(name, "OQSsiquc01res_face_L12_20250602235500.xml");
    assert_int_equal(terminal_write_face_visit(t, &face, "L12", name, sizeof name, &err), CORE_ESTATE);
    assert_non_null(strstr(err.message, "already has a face result"));
    /* L1 is not L12's prefix: "L1_" is looked for */
    assert_int_equal(terminal_write_face_visit(t, &face, "L1", name, sizeof name, &err), CORE_OK);
    assert_string_equal(name, "OQSsiquc01res_face_L1_20250602235500.xml");
    char p[256];
    snprintf(p, sizeof p, "%s/.OQSsiquc01res_face_v7_20250602235500.xml.tmp-abcdef123456", dir);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(terminal_write_face_visit(t, &face, "v7", name, sizeof name, &err), CORE_ESTATE);
    assert_int_equal(terminal_write_face_visit(t, &face, "a_b", name, sizeof name, &err), CORE_EINVAL);
    assert_int_equal(terminal_write_face_visit(t, &face, "../x", name, sizeof name, &err), CORE_EINVAL);
    assert_int_equal(terminal_write_face_visit(t, NULL, "v8", name, sizeof name, &err), CORE_EINVAL);
    /* NULL: numbered, as terminal_write_face */
    assert_int_equal(terminal_write_face_visit(t, &face, NULL, name, sizeof name, &err), CORE_OK);
    assert_string_equal(name, "OQSsiquc01res_face_1_20250602235500.xml");
    terminal_free(t);
    remove_all(dir);
}

/* Folders that are files; an error answer made on the process clock's day carries the Japan time now. */
static void test_folders_that_are_files_and_the_clock_day(void **state)
{
    struct fixture *f = *state;
    struct core_error err;
    struct terminal *t = NULL;
    char face[128];
    snprintf(face, sizeof face, "%s/face", f->dir);
    FILE *fp = fopen(face, "w"); /* DIR/face a file */
    assert_non_null(fp);
    fclose(fp);
    struct terminal_options o = {.folder = f->dir, .encoding = ELIGIBILITY_ENC_UTF8, .log = f->log};
    assert_int_equal(terminal_new(f->svc, &o, &t, &err), CORE_OK);
    struct eligibility_answer a;
    memset(&a, 0, sizeof a);
    struct terminal_face fa = {.answer = &a, .on = D("2025-06-02"), .institution = "1312345678", .when = 0};
    assert_int_equal(terminal_write_face(t, &fa, NULL, 0, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "not a directory"));
    assert_int_equal(unlink(face), 0);
    /* the process clock's day: the error answer's ProcessExecutionTime is today's, in Japan time */
    assert_int_equal(terminal_set_date(t, CORE_DAY_NONE), CORE_OK);
    drop(f, "OQSsiquc01req_j.xml", "junk", 4);
    size_t n = 0;
    assert_int_equal(terminal_scan(t, &n, &err), CORE_OK);
    assert_int_equal(n, 1);
    char p[256];
    snprintf(p, sizeof p, "%s/OQSsiquc01res_j.xml", f->res);
    char *raw = NULL;
    size_t len = 0;
    assert_int_equal(core_file_read(p, ELIGIBILITY_MSG_MAX_BYTES, &raw, &len, &err), CORE_OK);
    struct eligibility_response_msg m;
    struct eligibility_msg_error merr;
    assert_int_equal(eligibility_response_parse(raw, len, &m, &merr), CORE_OK);
    assert_int_equal(m.segment, 9);
    char today[11];
    core_date_format(core_date_today(), today);
    assert_memory_equal(m.process_time, today, 4); /* the year: the rest may roll over meanwhile */
    free(raw);
    terminal_free(t);
    /* DIR/req a file */
    assert_int_equal(rmdir(f->req), 0);
    fp = fopen(f->req, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(terminal_new(f->svc, &o, &t, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "not a directory"));
    assert_int_equal(unlink(f->req), 0);
    assert_int_equal(mkdir(f->req, 0700), 0);
}

/* Missing arguments are refused, never followed. */
static void test_missing_arguments(void **state)
{
    struct fixture *f = *state;
    struct core_error err;
    size_t n = 7;
    assert_int_equal(terminal_scan(NULL, &n, &err), CORE_EINVAL);
    assert_int_equal(n, 0);
    n = 7;
    assert_int_equal(terminal_recover(NULL, &n, &err), CORE_EINVAL);
    assert_int_equal(n, 0);
    assert_int_equal(terminal_run(NULL, 0, -1, &err), CORE_EINVAL);
    struct terminal *t = NULL;
    assert_int_equal(terminal_new(NULL, NULL, &t, &err), CORE_EINVAL);
    struct terminal_options o = {.folder = f->dir, .encoding = ELIGIBILITY_ENC_UTF8, .log = f->log};
    assert_int_equal(terminal_new(f->svc, &o, &t, &err), CORE_OK);
    assert_int_equal(terminal_run(t, -1, -1, &err), CORE_EINVAL);
    assert_int_equal(terminal_write_face(t, NULL, NULL, 0, &err), CORE_EINVAL);
    char out[8];
    assert_int_equal(terminal_response_name(NULL, out, sizeof out), CORE_EINVAL);
    terminal_free(t);
    terminal_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test_setup_teardown(test_bad_folders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_requests_get_error_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shift_jis_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_answers_pending_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poll_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_folder_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_face_results, setup, teardown),
        cmocka_unit_test(test_control_bodies),
        cmocka_unit_test_setup_teardown(test_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_face_visit_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folders_that_are_files_and_the_clock_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_burst_answered_by_rename, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
