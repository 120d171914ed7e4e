/* Tests of sim/pcsc/serve.c: the server loop against a fake vpcd (a listening TCP socket in the test), with a
 * test double card. Glued and split frames, a malformed frame that drops the connection but not the card, the
 * reconnect, the control channel's insert/remove/status and a card-specific command, and a clean stop. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcsc/pcsc.h"

struct double_card {
    int on, off, resets, apdus;
};

static size_t dc_atr(void *ctx, uint8_t *out, size_t cap)
{
    (void)ctx;
    (void)cap;
    static const uint8_t atr[] = {0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};
    memcpy(out, atr, sizeof atr);
    return sizeof atr;
}
static void dc_on(void *ctx)
{
    ((struct double_card *)ctx)->on++;
}
static void dc_off(void *ctx)
{
    ((struct double_card *)ctx)->off++;
}
static void dc_reset(void *ctx)
{
    ((struct double_card *)ctx)->resets++;
}
static CORE_MUST_USE int dc_transmit(void *ctx, const uint8_t *capdu, size_t len, uint8_t *rapdu, size_t cap,
                                     size_t *rlen, struct core_error *err)
{
    (void)capdu;
    (void)len;
    (void)cap;
    (void)err;
    struct double_card *dc = ctx;
    dc->apdus++;
    rapdu[0] = (uint8_t)dc->apdus;
    rapdu[1] = 0x90;
    rapdu[2] = 0x00;
    *rlen = 3;
    return 0;
}
static CORE_MUST_USE int dc_control(void *ctx, const char *line, char *reply, size_t cap,
                                    struct core_error *err)
{
    (void)ctx;
    if (strcmp(line, "state") == 0) {
        snprintf(reply, cap, "double=yes");
        return 0;
    }
    if (strcmp(line, "ping") == 0) {
        snprintf(reply, cap, "pong");
        return 0;
    }
    return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "unknown command '%s'", line);
}
static const struct pcsc_card_ops dc_ops = {dc_atr, dc_on, dc_off, dc_reset, dc_transmit, dc_control};

struct fixture {
    int listener;
    unsigned port;
    int stop[2];
    char dir[64];
    char control[128];
    struct double_card card;
    struct pcsc_serve_config cfg;
    pthread_t thread;
    int rc;
};

static void *serve_thread(void *arg)
{
    struct fixture *fx = arg;
    struct core_error err;
    core_error_clear(&err);
    fx->rc = pcsc_serve_run(&fx->cfg, &dc_ops, &fx->card, &err);
    return NULL;
}

static CORE_MUST_USE int accept_within(int listener, int ms)
{
    struct pollfd p = {.fd = listener, .events = POLLIN};
    if (poll(&p, 1, ms) <= 0)
        return -1;
    return accept(listener, NULL, NULL);
}

static void read_exact(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_true(poll(&p, 1, 5000) == 1);
        ssize_t n = recv(fd, buf + got, len - got, 0);
        assert_true(n > 0);
        got += (size_t)n;
    }
}

static bool closed_within(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, ms) != 1)
        return false;
    uint8_t b;
    return recv(fd, &b, 1, 0) == 0;
}

static CORE_MUST_USE int control_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    for (int i = 0; i < 500; i++) { /* the server creates it before its first poll */
        if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
            return fd;
        usleep(10000);
    }
    fail_msg("cannot connect to %s", path);
    return -1;
}

static void control_ask(int fd, const char *cmd, char *reply, size_t cap)
{
    assert_int_equal(send(fd, cmd, strlen(cmd), 0), (ssize_t)strlen(cmd));
    size_t got = 0;
    while (got + 1 < cap) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        assert_true(poll(&p, 1, 5000) == 1);
        ssize_t n = recv(fd, reply + got, 1, 0);
        assert_true(n == 1);
        if (reply[got] == '\n')
            break;
        got++;
    }
    reply[got] = '\0';
}

static CORE_MUST_USE int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fx->listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fx->listener, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fx->listener, 4), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(fx->listener, (struct sockaddr *)&a, &al), 0);
    fx->port = ntohs(a.sin_port);
    assert_int_equal(pipe(fx->stop), 0);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/mynasim-serve-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->control, sizeof fx->control, "%s/control", fx->dir);
    fx->cfg = (struct pcsc_serve_config){.host = "127.0.0.1",
                                         .port = fx->port,
                                         .control_path = fx->control,
                                         .stop_fd = fx->stop[0],
                                         .backoff_min_ms = 5,
                                         .backoff_max_ms = 50};
    assert_int_equal(pthread_create(&fx->thread, NULL, serve_thread, fx), 0);
    *state = fx;
    return 0;
}

static CORE_MUST_USE int teardown(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(write(fx->stop[1], "x", 1), 1);
    pthread_join(fx->thread, NULL);
    assert_int_equal(fx->rc, 0);
    struct stat st;
    assert_int_not_equal(stat(fx->control, &st), 0); /* the server removed its socket */
    close(fx->listener);
    close(fx->stop[0]);
    close(fx->stop[1]);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void glued_and_split_frames_are_answered_in_order(void **state)
{
    struct fixture *fx = *state;
    int c = accept_within(fx->listener, 5000);
    assert_true(c >= 0);
    const uint8_t glued[] = {0x00, 0x01, 0x01, 0x00, 0x01, 0x04};
    assert_int_equal(send(c, glued, sizeof glued, 0), (ssize_t)sizeof glued);
    uint8_t r[16];
    read_exact(c, r, 11);
    const uint8_t atr[] = {0x00, 0x09, 0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};
    assert_memory_equal(r, atr, sizeof atr);
    /* An APDU whose length and payload come in separate writes, as Debian's vpcd sends them. */
    const uint8_t len[] = {0x00, 0x05};
    const uint8_t apdu[] = {0x00, 0xB0, 0x00, 0x00, 0x04};
    assert_int_equal(send(c, len, sizeof len, 0), 2);
    usleep(20000);
    assert_int_equal(send(c, apdu, sizeof apdu, 0), 5);
    read_exact(c, r, 5);
    const uint8_t want[] = {0x00, 0x03, 0x01, 0x90, 0x00};
    assert_memory_equal(r, want, sizeof want);
    assert_int_equal(fx->card.on, 1);
    close(c);
}

static void a_malformed_frame_drops_the_connection_not_the_card(void **state)
{
    struct fixture *fx = *state;
    int c = accept_within(fx->listener, 5000);
    assert_true(c >= 0);
    const uint8_t apdu[] = {0x00, 0x04, 0x00, 0xA4, 0x04, 0x00};
    assert_int_equal(send(c, apdu, sizeof apdu, 0), (ssize_t)sizeof apdu);
    uint8_t r[8];
    read_exact(c, r, 5);
    assert_int_equal(r[2], 1);
    const uint8_t bad[] = {0x00, 0x01, 0x03};
    assert_int_equal(send(c, bad, sizeof bad, 0), 3);
    assert_true(closed_within(c, 5000));
    close(c);
    c = accept_within(fx->listener, 5000); /* it comes back by itself */
    assert_true(c >= 0);
    assert_int_equal(send(c, apdu, sizeof apdu, 0), (ssize_t)sizeof apdu);
    read_exact(c, r, 5);
    assert_int_equal(r[2], 2); /* the card kept its count */
    close(c);
}

static void closing_the_socket_makes_it_reconnect(void **state)
{
    struct fixture *fx = *state;
    int c = accept_within(fx->listener, 5000);
    assert_true(c >= 0);
    close(c);
    c = accept_within(fx->listener, 5000);
    assert_true(c >= 0);
    close(c);
}

static void control_remove_and_insert_close_and_reopen_the_connection(void **state)
{
    struct fixture *fx = *state;
    int c = accept_within(fx->listener, 5000);
    assert_true(c >= 0);
    int ctl = control_connect(fx->control);
    char line[512];
    control_ask(ctl, "status\n", line, sizeof line);
    assert_non_null(strstr(line, "OK inserted=yes connected=yes"));
    assert_non_null(strstr(line, "double=yes"));
    control_ask(ctl, "remove\n", line, sizeof line);
    assert_string_equal(line, "OK");
    assert_true(closed_within(c, 5000));
    close(c);
    assert_int_equal(accept_within(fx->listener, 300), -1); /* stays out while removed */
    assert_true(fx->card.off >= 1);
    control_ask(ctl, "status\n", line, sizeof line);
    assert_non_null(strstr(line, "OK inserted=no connected=no"));
    control_ask(ctl, "insert\n", line, sizeof line);
    assert_string_equal(line, "OK");
    c = accept_within(fx->listener, 5000);
    assert_true(c >= 0);
    close(c);
    close(ctl);
}

static void control_hands_other_commands_to_the_card(void **state)
{
    struct fixture *fx = *state;
    int ctl = control_connect(fx->control);
    char line[512];
    control_ask(ctl, "ping\r\n", line, sizeof line);
    assert_string_equal(line, "OK pong");
    control_ask(ctl, "bogus\n", line, sizeof line);
    assert_true(strncmp(line, "ERR ", 4) == 0);
    /* two commands glued in one write get two replies */
    control_ask(ctl, "ping\nping\n", line, sizeof line);
    assert_string_equal(line, "OK pong");
    control_ask(ctl, "", line, sizeof line);
    assert_string_equal(line, "OK pong");
    close(ctl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(glued_and_split_frames_are_answered_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(a_malformed_frame_drops_the_connection_not_the_card, setup, teardown),
        cmocka_unit_test_setup_teardown(closing_the_socket_makes_it_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(control_remove_and_insert_close_and_reopen_the_connection, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(control_hands_other_commands_to_the_card, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
