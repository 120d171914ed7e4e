/* The remote stage's visits against a real card server: run by stage_remote.sh inside its private pcscd with
 * `mynasim card serve --control` (STAGE_CARD_CONTROL, the control socket; STAGE_READER, the PC/SC reader). The
 * service is sim/eligibility's HTTP server in process, on a loopback port the kernel picks; the card server's
 * control channel is reached through a relay in this process that can refuse a chosen command, the way a card
 * server that fails mid-visit would. Each visit gives the card's real answer, a card server or a service that
 * stops answering between two visits fails the visit with its message, and the stage goes on once it answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "stage/stage.h"
#include "stage_test.h"

#define INSURER STAGE_TEST_INSURER
#define D stage_test_day

/* ---- a relay to the card server's control channel ------------------------------------------------------- */

struct relay {
    char path[108];
    const char *upstream;
    int fd;
    pthread_t thread;
    pthread_mutex_t lock;
    char refuse[32]; /* a command ("save", "issue", "restore") answered ERR instead of relayed; "" none */
    int restores;    /* "restore" lines seen */
    int client;      /* the connection being served; -1 none */
};

/* One line (without its '\n') into buf; false at the end of the stream. */
static bool read_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    for (;;) {
        char ch;
        ssize_t got = read(fd, &ch, 1);
        if (got <= 0)
            return false;
        if (ch == '\n')
            break;
        if (n + 1 < cap)
            buf[n++] = ch;
    }
    buf[n] = '\0';
    return true;
}

static bool write_line(int fd, const char *line)
{
    size_t len = strlen(line);
    return write(fd, line, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
}

static int connect_unix(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void *relay_run(void *arg)
{
    struct relay *rl = arg;
    for (;;) {
        int c = accept(rl->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        pthread_mutex_lock(&rl->lock);
        rl->client = c;
        pthread_mutex_unlock(&rl->lock);
        int up = connect_unix(rl->upstream);
        char line[8192], reply[8192];
        while (up >= 0 && read_line(c, line, sizeof line)) {
            pthread_mutex_lock(&rl->lock);
            size_t rlen = strlen(rl->refuse);
            bool refused =
                rlen > 0 && strncmp(line, rl->refuse, rlen) == 0 && (line[rlen] == ' ' || line[rlen] == '\0');
            if (strncmp(line, "restore", 7) == 0)
                rl->restores++;
            pthread_mutex_unlock(&rl->lock);
            if (refused) {
                snprintf(reply, sizeof reply, "ERR refused by the test: %.*s", 4000, line);
            } else if (!write_line(up, line) || !read_line(up, reply, sizeof reply)) {
                break;
            }
            if (!write_line(c, reply))
                break;
        }
        if (up >= 0)
            close(up);
        pthread_mutex_lock(&rl->lock);
        rl->client = -1;
        pthread_mutex_unlock(&rl->lock);
        close(c);
    }
}

static void relay_start(struct relay *rl, const char *upstream)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(rl->path, sizeof rl->path, "%s/stage-remote-%d.sock",
             tmp != NULL && tmp[0] == '/' ? tmp : "/tmp", (int)getpid());
    unlink(rl->path);
    rl->upstream = upstream;
    rl->refuse[0] = '\0';
    rl->restores = 0;
    rl->client = -1;
    assert_int_equal(pthread_mutex_init(&rl->lock, NULL), 0);
    rl->fd = stage_test_listen_unix(rl->path);
    assert_int_equal(pthread_create(&rl->thread, NULL, relay_run, rl), 0);
}

static void relay_refuse(struct relay *rl, const char *command)
{
    pthread_mutex_lock(&rl->lock);
    snprintf(rl->refuse, sizeof rl->refuse, "%s", command);
    pthread_mutex_unlock(&rl->lock);
}

static int relay_restores(struct relay *rl)
{
    pthread_mutex_lock(&rl->lock);
    int n = rl->restores;
    pthread_mutex_unlock(&rl->lock);
    return n;
}

/* Ends the connection being served too (a stage a failed test left open). */
static void relay_stop(struct relay *rl)
{
    pthread_mutex_lock(&rl->lock);
    if (rl->client >= 0)
        shutdown(rl->client, SHUT_RDWR);
    pthread_mutex_unlock(&rl->lock);
    shutdown(rl->fd, SHUT_RDWR);
    close(rl->fd);
    pthread_join(rl->thread, NULL);
    pthread_mutex_destroy(&rl->lock);
    unlink(rl->path);
}

/* ---- the fixture ---------------------------------------------------------------------------------------- */

struct fixture {
    struct policy *policy;
    struct eligibility_registry *reg;
    struct eligibility_service *svc;
    struct eligibility_http *http;
    char service[32];
    struct relay relay;
    struct stage_card quoted, face_only;
};

static void make_card(struct stage_card *c, const char *profile_name, uint64_t id)
{
    stage_test_card(c, profile_name, id, "stage-remote", 0x5A6F0000u);
}

static void file_card(struct fixture *f, struct stage_card *c, const char *number)
{
    stage_test_file(f->reg, f->policy, c, number, true);
}

static void http_start(struct fixture *f)
{
    struct core_error err;
    struct eligibility_http_options o = {.host = "127.0.0.1", .control = true};
    if (eligibility_http_start(f->svc, &o, &f->http, &err) != CORE_OK)
        fail_msg("http: %s", err.message);
    snprintf(f->service, sizeof f->service, "127.0.0.1:%u", (unsigned)eligibility_http_port(f->http));
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    struct core_error err;
    if (policy_load_named("national", &f->policy, &err) != CORE_OK)
        fail_msg("policy: %s", err.message);
    assert_int_equal(eligibility_registry_new(f->policy, &f->reg), CORE_OK);
    /* A holder's name with what YAML must escape in the profile file the card server reads. */
    make_card(&f->quoted, "cards/issued_2021.yaml", 1);
    snprintf(f->quoted.profile.holder.name, sizeof f->quoted.profile.holder.name, "山田 \"太\\郎\"");
    file_card(f, &f->quoted, "3001");
    /* A face-only card with its dates printed in its profile. */
    make_card(&f->face_only, "cards/face_only.yaml", 2);
    f->face_only.profile.expires = D("2031-04-01");
    f->face_only.profile.cert_expires = D("2026-04-01");
    file_card(f, &f->face_only, "3002");
    assert_int_equal(eligibility_service_new(f->reg, f->policy, &f->svc, &err), CORE_OK);
    http_start(f);
    relay_start(&f->relay, getenv("STAGE_CARD_CONTROL"));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    relay_stop(&f->relay);
    if (f->http != NULL)
        eligibility_http_stop(f->http);
    eligibility_service_free(f->svc);
    eligibility_registry_free(f->reg);
    policy_free(f->policy);
    free(f);
    return 0;
}

static const struct stage_clinic clinics[] = {
    {"stage-remote-clinic", "1312345678"},
};

static struct stage *open_stage(struct fixture *f)
{
    struct stage_remote r = {
        .service = f->service, .reader = getenv("STAGE_READER"), .card_control = f->relay.path};
    struct stage *s = NULL;
    struct core_error err;
    if (stage_new_remote(&r, f->policy, clinics, 1, &s, &err) != CORE_OK)
        fail_msg("remote stage: %s", err.message);
    assert_string_equal(stage_kind(s), "remote");
    return s;
}

static int check(struct stage *s, const struct stage_card *c, const char *on, bool down,
                 struct eligibility_answer *a, struct core_error *err)
{
    struct stage_check_input in = {0, c, D(on), CLINIC_READER_PIN, true, down, false};
    core_error_clear(err);
    return stage_check(s, &in, a, err);
}

/* ---- the visits ----------------------------------------------------------------------------------------- */

static void visits_through_the_card_server(void **state)
{
    struct fixture *f = *state;
    struct stage *s = open_stage(f);
    struct eligibility_answer a;
    struct core_error err;
    for (int round = 0; round < 2; round++) { /* the second time, the profiles are written already */
        if (check(s, &f->quoted, "2025-06-02", false, &a, &err) != CORE_OK)
            fail_msg("visit: %s", err.message);
        assert_int_equal(a.result, ELIGIBILITY_OK);
        assert_string_equal(a.qualification.numbers.number, "3001");
        if (check(s, &f->face_only, "2025-06-03", false, &a, &err) != CORE_OK)
            fail_msg("visit: %s", err.message);
        assert_int_equal(a.result, ELIGIBILITY_OK);
        assert_string_equal(a.qualification.numbers.number, "3002");
    }
    /* The system down that day, then up again. */
    assert_int_equal(check(s, &f->quoted, "2025-06-03", true, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_SERVICE_DOWN);
    assert_int_equal(check(s, &f->quoted, "2025-06-03", false, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_OK);
    assert_null(stage_error(s));
    stage_free(s);
}

/* The card server refuses a step of the visit: the visit fails with its answer, the slot is put back. */
static void a_card_server_that_refuses(void **state)
{
    struct fixture *f = *state;
    struct stage *s = open_stage(f);
    struct eligibility_answer a;
    struct core_error err;
    relay_refuse(&f->relay, "save");
    assert_int_not_equal(check(s, &f->quoted, "2025-06-02", false, &a, &err), CORE_OK);
    assert_non_null(strstr(err.message, "refused by the test: save wire-visit"));
    assert_non_null(stage_error(s));
    assert_non_null(strstr(stage_error(s), "refused by the test: save wire-visit"));

    int restores = relay_restores(&f->relay);
    relay_refuse(&f->relay, "issue");
    assert_int_not_equal(check(s, &f->quoted, "2025-06-02", false, &a, &err), CORE_OK);
    assert_non_null(strstr(err.message, "refused by the test: issue "));
    assert_int_equal(relay_restores(&f->relay), restores + 1);  /* the slot was put back */
    assert_non_null(strstr(stage_error(s), "save wire-visit")); /* the first failure is kept */

    /* The visit is decided, but the slot cannot be put back: the visit fails with that. */
    relay_refuse(&f->relay, "restore");
    assert_int_not_equal(check(s, &f->quoted, "2025-06-02", false, &a, &err), CORE_OK);
    assert_non_null(strstr(err.message, "refused by the test: restore wire-visit"));
    /* Put the slot back as the stage could not, straight to the card server. */
    int up = connect_unix(f->relay.upstream);
    assert_true(up >= 0);
    char reply[512];
    assert_true(write_line(up, "restore wire-visit") && read_line(up, reply, sizeof reply));
    close(up);
    assert_string_equal(reply, "OK");

    relay_refuse(&f->relay, "");
    assert_int_equal(check(s, &f->quoted, "2025-06-02", false, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_OK);
    stage_free(s);
}

/* The service stops answering between two visits: the visit that must tell it the outage, or the day, fails;
 * once it answers again (on a new port, a new stage) the visits go on. */
static void a_service_that_stops_answering(void **state)
{
    struct fixture *f = *state;
    struct stage *s = open_stage(f);
    struct eligibility_answer a;
    struct core_error err;
    if (check(s, &f->quoted, "2025-06-02", false, &a, &err) != CORE_OK)
        fail_msg("visit: %s", err.message);
    assert_int_equal(a.result, ELIGIBILITY_OK);
    eligibility_http_stop(f->http);
    f->http = NULL;
    /* The same day, the outage to tell. */
    assert_int_not_equal(check(s, &f->quoted, "2025-06-02", true, &a, &err), CORE_OK);
    assert_true(err.message[0] != '\0');
    assert_non_null(stage_error(s));
    assert_string_equal(stage_error(s), err.message);
    /* Another day to tell. */
    char first[sizeof err.message];
    snprintf(first, sizeof first, "%s", err.message);
    assert_int_not_equal(check(s, &f->quoted, "2025-06-04", false, &a, &err), CORE_OK);
    assert_true(err.message[0] != '\0');
    assert_string_equal(stage_error(s), first);
    stage_free(s);
    http_start(f);
    s = open_stage(f);
    assert_int_equal(check(s, &f->quoted, "2025-06-04", false, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_OK);
    stage_free(s);
}

int main(void)
{
    if (getenv("STAGE_CARD_CONTROL") == NULL) {
        fprintf(stderr, "test_stage_remote: run by stage_remote.sh (STAGE_CARD_CONTROL unset)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(visits_through_the_card_server),
        cmocka_unit_test(a_card_server_that_refuses),
        cmocka_unit_test(a_service_that_stops_answering),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
