/*
 * tearing.c: pulls the card out in the middle of a wrong-PIN VERIFY, over and over, and checks that it never
 * buys a guess (docs/CARD.md, "Evidence").
 *
 * The program plays vpcd: it listens on a private loopback port (the kernel picks it) and starts the real
 * `mynasim card serve --vpcd 127.0.0.1:PORT --state FILE`, which connects to it as it would to pcscd's vpcd
 * driver. Readiness is that connection, nothing else. Speaking vpcd's framing directly (2-byte length,
 * payload; 1-byte power controls) keeps a round at one process start and a few APDUs: through a real pcscd,
 * every restart would wait for its 0.4 s presence poll and the sweep would not fit its budget.
 *
 *   tearing MYNASIM [ROUNDS_PER_POINT [POINTS]]
 *     First, uncut, watching the state file's directory with inotify: a right and a wrong VERIFY must each
 *     have made the state durable exactly twice before their answer is read (the count, then the outcome),
 *     a blocked PIN not at all. This is what closes the timing channel: the old card answered a right PIN
 *     without writing anything and a wrong one after a flush, so killing the server when an answer was late
 *     tested a PIN for free. (That card fails here: "a right VERIFY answered 9000 after 0 durable writes".)
 *     Then the sweep. One round: start the server, power on, SELECT JPKI, SELECT EF 0018, an empty VERIFY (the tries the
 *     card says it has), then a wrong VERIFY and SIGKILL of the server at one point: right after sending it,
 *     or after a delay taken from a sweep through the time an uncut wrong VERIFY takes (measured first, not
 *     asserted). After every kill, the next round's empty VERIFY must show that the try was spent whenever
 *     an answer arrived, that at most one try went, and that none came back. When the card is blocked the
 *     right PIN must get 6983, and a fresh card starts. Wrong answers per card never exceed its 3 tries.
 *     Temporaries left by a kill must be gone once the next server is up. POINTS (default 4: right
 *     after sending, a third, two thirds and all of the command's time) x ROUNDS_PER_POINT (default 100)
 *     rounds. A round costs a process start (~0.1 s on a loaded 2-core machine, mostly loading the binary
 *     and making the card), so 4 x 100 keeps the test near a minute; more points are for runs by hand.
 *
 *   tearing fail MYNASIM STATEFILE BREAK_CMD FIX_CMD
 *     The disk under STATEFILE breaks (BREAK_CMD, e.g. fill it, remount it read-only) while the server runs:
 *     a wrong and a right VERIFY both answer 6581 and the tries do not move; SIGTERM ends the server with
 *     exit status 1 and a logged warning. After FIX_CMD a new server finds every try still there.
 *
 * Exit 0 when every check held, 1 with a message on the first that did not.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_DEADLINE_MS 30000
#define ANSWER_DEADLINE_MS 30000
#define TRIES 3 /* the auth PIN's tries (docs/RULES.md MYNA-7) */
#define POINTS_MAX 16

static const char *mynasim;
static char workdir[256];
static char log_path[512];
static int lfd = -1;
static unsigned port;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tearing: FAIL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (server log: %s)\n", log_path);
    va_end(ap);
    exit(1);
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct server {
    pid_t pid;
    int fd; /* our end of its vpcd connection */
};

static void listen_private(void)
{
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = 0};
    socklen_t al = sizeof a;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 4) != 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &al) != 0)
        fail("cannot listen on loopback: %s", strerror(errno));
    port = ntohs(a.sin_port);
}

/* Starts the server and waits for it to connect; a server that exits first is a failure. */
static struct server start(const char *state)
{
    char vpcd[32];
    snprintf(vpcd, sizeof vpcd, "127.0.0.1:%u", port);
    struct server s = {.fd = -1};
    s.pid = fork();
    if (s.pid < 0)
        fail("fork: %s", strerror(errno));
    if (s.pid == 0) {
        int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(mynasim, mynasim, "card", "serve", "--vpcd", vpcd, "--state", state, (char *)NULL);
        _exit(127);
    }
    int64_t deadline = now_us() + START_DEADLINE_MS * 1000LL;
    while (s.fd < 0) {
        struct pollfd p = {.fd = lfd, .events = POLLIN};
        int n = poll(&p, 1, 100); /* bounded slices only to notice a server that died */
        if (n > 0) {
            s.fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            break;
        }
        int status;
        if (waitpid(s.pid, &status, WNOHANG) == s.pid)
            fail("the server exited before connecting (status %d)", status);
        if (now_us() > deadline)
            fail("the server did not connect within %d ms", START_DEADLINE_MS);
    }
    int one = 1;
    setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return s;
}

static void send_frame(const struct server *s, const uint8_t *payload, size_t len)
{
    uint8_t buf[300];
    buf[0] = (uint8_t)(len >> 8);
    buf[1] = (uint8_t)len;
    memcpy(buf + 2, payload, len);
    if (send(s->fd, buf, len + 2, MSG_NOSIGNAL) != (ssize_t)(len + 2))
        fail("send to the server: %s", strerror(errno));
}

/* Reads one reply frame; returns its status word, or -1 on EOF (the server is gone) before a whole frame. */
static int read_reply(const struct server *s)
{
    uint8_t buf[4096];
    size_t have = 0, need = 2;
    int64_t deadline = now_us() + ANSWER_DEADLINE_MS * 1000LL;
    while (have < need) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        int left = (int)((deadline - now_us()) / 1000);
        if (left <= 0 || poll(&p, 1, left) <= 0)
            fail("no answer within %d ms", ANSWER_DEADLINE_MS);
        ssize_t n = recv(s->fd, buf + have, need - have, 0);
        if (n <= 0)
            return -1;
        have += (size_t)n;
        if (have == 2)
            need = 2 + ((size_t)buf[0] << 8 | buf[1]);
        if (need > sizeof buf || need < 4)
            fail("bad reply frame length %zu", need);
    }
    return buf[need - 2] << 8 | buf[need - 1];
}

static int apdu(const struct server *s, const char *what, const uint8_t *c, size_t len)
{
    send_frame(s, c, len);
    int sw = read_reply(s);
    if (sw < 0)
        fail("%s: the server closed the connection", what);
    return sw;
}

static const uint8_t power_on[] = {0x01};
static const uint8_t select_jpki[] = {0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0,
                                      0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01};
static const uint8_t select_auth_pin[] = {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18};
static const uint8_t verify_empty[] = {0x00, 0x20, 0x00, 0x80};
static const uint8_t verify_wrong[] = {0x00, 0x20, 0x00, 0x80, 0x04, '0', '0', '0', '0'};
static const uint8_t verify_right[] = {0x00, 0x20, 0x00, 0x80, 0x04, '1', '2', '3', '4'};

/* The state file's renames into place (core_file_write_atomic's last step), as inotify saw them: the rename
 * happens inside the server before it sends its answer, so once the answer is read its event is queued.
 * Counted on the temporary's side (IN_MOVED_FROM, a new name each time): inotify merges identical
 * consecutive events, and two IN_MOVED_TO "card.state" in a row are identical. */
static int watch_fd = -1;

static void watch_state_dir(void)
{
    watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (watch_fd < 0 || inotify_add_watch(watch_fd, workdir, IN_MOVED_FROM) < 0)
        fail("inotify on %s: %s", workdir, strerror(errno));
}

static unsigned state_renames(void)
{
    unsigned n = 0;
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    ssize_t len;
    while ((len = read(watch_fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            if (e->len > 0 && strstr(e->name, "card.state") != NULL && strcmp(e->name, "card.state") != 0)
                n++;
            p += sizeof *e + e->len;
        }
    }
    return n;
}

/* One VERIFY, uncut: its status word, and how many times the state file was made durable before the answer
 * was read. */
static int verify_counting_writes(const struct server *s, const uint8_t *c, size_t len, unsigned *writes)
{
    (void)state_renames();
    int sw = apdu(s, "VERIFY", c, len);
    *writes = state_renames();
    return sw;
}

/* Powers on, selects the auth PIN and returns its tries (empty VERIFY). */
static int prepare(const struct server *s)
{
    send_frame(s, power_on, sizeof power_on); /* no reply */
    if (apdu(s, "SELECT JPKI", select_jpki, sizeof select_jpki) != 0x9000)
        fail("SELECT JPKI refused");
    if (apdu(s, "SELECT EF 0018", select_auth_pin, sizeof select_auth_pin) != 0x9000)
        fail("SELECT EF 0018 refused");
    int sw = apdu(s, "empty VERIFY", verify_empty, sizeof verify_empty);
    if ((sw & 0xFFF0) != 0x63C0)
        fail("empty VERIFY answered %04X", sw);
    return sw & 0x0F;
}

static int stop(struct server *s, int sig)
{
    kill(s->pid, sig);
    int status = 0;
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

static void pause_us(int64_t us)
{
    if (us <= 0)
        return;
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
        ;
}

/* Temporaries of the state file in the work directory (names as core_file_write_atomic makes them). */
static unsigned temporaries(void)
{
    DIR *d = opendir(workdir);
    unsigned n = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "card.state.", 11) == 0 || strncmp(e->d_name, ".card.state", 11) == 0)
            n++;
    if (d != NULL)
        closedir(d);
    return n;
}

static int sweep(int rounds_per_point, int points)
{
    char state[512];
    snprintf(state, sizeof state, "%s/card.state", workdir);
    listen_private();

    /* Uncut, first: right and wrong PINs are both made durable twice before their answer (the count, then
     * the outcome), so no answer can come before the try is counted and neither is cheaper than the other;
     * a blocked PIN writes nothing. And how long an uncut wrong VERIFY takes here: only to place the
     * sweep's points. */
    watch_state_dir();
    struct server s = start(state);
    if (prepare(&s) != TRIES)
        fail("a fresh card does not have %d tries", TRIES);
    unsigned writes = 0;
    int sw = verify_counting_writes(&s, verify_right, sizeof verify_right, &writes);
    if (sw != 0x9000 || writes != 2)
        fail("a right VERIFY answered %04X after %u durable writes, not 9000 after 2", sw, writes);
    int64_t took[TRIES];
    for (int i = 0; i < TRIES; i++) {
        int64_t t0 = now_us();
        sw = verify_counting_writes(&s, verify_wrong, sizeof verify_wrong, &writes);
        took[i] = now_us() - t0;
        if (sw != (0x63C0 | (TRIES - 1 - i)) || writes != 2)
            fail("uncut wrong VERIFY %d answered %04X after %u durable writes, not 63C%d after 2", i + 1, sw,
                 writes, TRIES - 1 - i);
    }
    sw = verify_counting_writes(&s, verify_right, sizeof verify_right, &writes);
    if (sw != 0x6983 || writes != 0)
        fail("the right PIN after %d wrong ones answered %04X after %u writes, not 6983 after none", TRIES,
             sw, writes);
    stop(&s, SIGKILL);
    int64_t verify_us = took[0] > took[1] ? took[0] : took[1];
    if (took[2] > verify_us)
        verify_us = took[2];
    unlink(state);

    /* Point 0: kill right after sending. Points 1..points-1: delays evenly through the command's time. */
    int64_t delay[POINTS_MAX];
    delay[0] = 0;
    for (int p = 1; p < points; p++)
        delay[p] = points > 1 ? verify_us * p / (points - 1) : 0;
    unsigned answered[POINTS_MAX] = {0}, counted_unanswered[POINTS_MAX] = {0}, untouched[POINTS_MAX] = {0};
    unsigned temps_left = 0, cards = 0, rounds = 0;
    int64_t t_start = now_us();

    int tries = -1; /* what the card had before the round's wrong VERIFY; -1: a new card */
    bool answered_last = false;
    int last_p = 0;
    unsigned wrong_answers = 0; /* on the current card */
    for (int r = 0; r < rounds_per_point * points; r++) {
        int p = r % points;
        s = start(state);
        if (temporaries() != 0)
            fail("a temporary state file is still there after a restart");
        int now = prepare(&s);
        if (tries >= 0) {
            if (!answered_last && now == tries - 1)
                counted_unanswered[last_p]++;
            else if (!answered_last && now == tries)
                untouched[last_p]++;
            if (now > tries)
                fail("round %d: tries went up from %d to %d across a kill", r, tries, now);
            if (now < tries - 1)
                fail("round %d: more than one try went in one VERIFY (%d to %d)", r, tries, now);
            if (answered_last && now != tries - 1)
                fail("round %d: an answered wrong VERIFY did not spend its try (%d, then %d)", r, tries, now);
        }
        if (now == 0) { /* blocked: the right PIN must not open it; then a new card */
            int rsw = apdu(&s, "right VERIFY", verify_right, sizeof verify_right);
            if (rsw != 0x6983)
                fail("round %d: the right PIN on a blocked card answered %04X", r, rsw);
            if (wrong_answers > TRIES)
                fail("%u wrong answers on one card of %d tries", wrong_answers, TRIES);
            stop(&s, SIGKILL);
            unlink(state);
            cards++;
            tries = -1;
            answered_last = false;
            wrong_answers = 0;
            r--; /* this start was not a torn VERIFY */
            continue;
        }
        int pre = now;
        send_frame(&s, verify_wrong, sizeof verify_wrong);
        pause_us(delay[p]);
        stop(&s, SIGKILL);
        sw = read_reply(&s); /* whatever arrived before the kill; EOF after */
        close(s.fd);
        if (temporaries() != 0)
            temps_left++;
        answered_last = sw >= 0;
        if (answered_last) {
            if (sw != (0x63C0 | (pre - 1)))
                fail("round %d: wrong VERIFY answered %04X with %d tries", r, sw, pre);
            answered[p]++;
            wrong_answers++;
        }
        tries = pre;
        last_p = p;
        rounds++; /* what an unanswered VERIFY did is seen at the next start */
    }
    s = start(state);
    int last = prepare(&s);
    stop(&s, SIGKILL);
    close(s.fd);
    if (last > tries || last < tries - 1 || (answered_last && last != tries - 1))
        fail("the last round: %d tries before, %d after (answered: %d)", tries, last, answered_last);
    if (!answered_last)
        (last == tries ? untouched : counted_unanswered)[last_p]++;
    printf("tearing: %u torn wrong VERIFYs (%d points x %d), %u cards blocked, %.1f s; an uncut wrong VERIFY "
           "took %lld us\n",
           rounds, points, rounds_per_point, cards, (double)(now_us() - t_start) / 1e6, (long long)verify_us);
    printf("tearing: point  delay_us  answered  counted-no-answer  untouched\n");
    for (int p = 0; p < points; p++)
        printf("tearing: %5d  %8lld  %8u  %17u  %9u\n", p, (long long)delay[p], answered[p],
               counted_unanswered[p], untouched[p]);
    printf("tearing: %u kills left a temporary state file; every one was gone at the next start\n",
           temps_left);
    printf(
        "tearing: PASS: no answered wrong VERIFY without its try spent, at most %d wrong answers per card, "
        "blocked stays blocked\n",
        TRIES);
    return 0;
}

static int run_cmd(const char *cmd)
{
    int rc = system(cmd);
    return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Whether the server's log has a line with `needle`; prints its warnings ("card:" lines and the last). */
static bool log_has(const char *needle)
{
    FILE *f = fopen(log_path, "r");
    char line[2048];
    bool found = false;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        found = found || strstr(line, needle) != NULL;
        if (strstr(line, "card:") != NULL || strstr(line, "failed in the card") != NULL)
            printf("tearing: server log: %s", line);
    }
    if (f != NULL)
        fclose(f);
    return found;
}

static int broken_disk(const char *state, const char *break_cmd, const char *fix_cmd)
{
    listen_private();
    struct server s = start(state);
    int t0 = prepare(&s);
    if (t0 != TRIES)
        fail("a fresh card does not have %d tries (%d)", TRIES, t0);
    if (run_cmd(break_cmd) != 0)
        fail("'%s' failed", break_cmd);
    int sw = apdu(&s, "wrong VERIFY", verify_wrong, sizeof verify_wrong);
    if (sw != 0x6581)
        fail("a wrong VERIFY on a broken disk answered %04X, not 6581", sw);
    sw = apdu(&s, "right VERIFY", verify_right, sizeof verify_right);
    if (sw != 0x6581)
        fail("a right VERIFY on a broken disk answered %04X, not 6581", sw);
    int t1 = apdu(&s, "empty VERIFY", verify_empty, sizeof verify_empty);
    if (t1 != (0x63C0 | t0))
        fail("the tries moved in memory: %04X", t1);
    int status = stop(&s, SIGTERM);
    close(s.fd);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 1)
        fail("the server ended with status %d after failed saves, not exit 1", status);
    if (!log_has("6581"))
        fail("the server's log does not name the failed command (6581)");
    if (run_cmd(fix_cmd) != 0)
        fail("'%s' failed", fix_cmd);
    s = start(state);
    int t2 = prepare(&s);
    if (t2 != t0)
        fail("tries %d after the restart, %d before: a try was lost", t2, t0);
    if ((sw = apdu(&s, "wrong VERIFY", verify_wrong, sizeof verify_wrong)) != (0x63C0 | (t0 - 1)))
        fail("a wrong VERIFY on the mended disk answered %04X", sw);
    if ((sw = apdu(&s, "right VERIFY", verify_right, sizeof verify_right)) != 0x9000)
        fail("the right PIN on the mended disk answered %04X", sw);
    status = stop(&s, SIGTERM);
    close(s.fd);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("a server with no failure ended with status %d", status);
    printf("tearing: PASS: '%s': 6581, no try moved, exit 1, logged; after '%s' all %d tries there\n",
           break_cmd, fix_cmd, t0);
    return 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    snprintf(workdir, sizeof workdir, "%s/mynasim-tearing.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(workdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(log_path, sizeof log_path, "%s/serve.log", workdir);
    int rc;
    if (argc == 6 && strcmp(argv[1], "fail") == 0) {
        mynasim = argv[2];
        rc = broken_disk(argv[3], argv[4], argv[5]);
    } else if (argc >= 2 && argc <= 4) {
        mynasim = argv[1];
        int rounds = argc >= 3 ? atoi(argv[2]) : 100;
        int points = argc >= 4 ? atoi(argv[3]) : 4;
        if (rounds <= 0 || points <= 0 || points > POINTS_MAX) {
            fprintf(stderr, "tearing: ROUNDS_PER_POINT must be positive, POINTS 1..%d\n", POINTS_MAX);
            return 2;
        }
        rc = sweep(rounds, points);
    } else {
        fprintf(stderr, "usage: tearing MYNASIM [ROUNDS_PER_POINT [POINTS]]\n"
                        "       tearing fail MYNASIM STATEFILE BREAK_CMD FIX_CMD\n");
        return 2;
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
    if (rc == 0)
        (void)system(cmd);
    return rc;
}
