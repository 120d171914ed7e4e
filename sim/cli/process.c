/*
 * process.c: the processes of `mynasim run --process` (docs/WIRE.md, "The run starts its own processes"). The
 * remote wire path (`run --service --card-control`) is run against processes the run starts itself:
 *
 *   pcscd -f -c DIR/reader.conf.d            a private pcscd with vpcd on its own port
 *   mynasim at --clock DIR/clock -- mynasim card serve --vpcd 127.0.0.1:PORT --control DIR/card.sock
 *   mynasim at --clock DIR/clock -- mynasim serve --listen 127.0.0.1:0 --control [--policy P] FILE   (per FILE)
 *
 * pcscd's socket is the fixed /run/pcscd/pcscd.comm, so the run first enters a mount namespace of its own with a
 * tmpfs there (as sim/tests/pcsc/lib.sh does for the tests), and a network namespace of its own whose loopback
 * holds vpcd's and the service's ports: no other program can take them or reach them. Every child is in that
 * pair of namespaces, reads /dev/null, writes a log in DIR (the service's stdout is a pipe: its "listening on"
 * line says it is ready), and gets SIGTERM if the run dies (PR_SET_PDEATHSIG). The run waits on readiness — a
 * socket there, a port listening, the card in the reader, the service's line — each check repeated when a
 * child's pidfd says it is still alive 20 ms on, up to a deadline; a child that exits first is reported with
 * the end of its log. The clock file (`mynasim at --clock`) is rewritten by rename before each visit whose date
 * or time of day differs from the last, at the visit's `time:` (10:00 Japan time when not given). Every child is
 * stopped by its PID: at the end, on an error, and on SIGINT or SIGTERM (the handler stops them, removes DIR's
 * files and dies of the same signal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "pcsc/pcsc.h"
#include "world/world.h"

/* vpcd's port: in the run's own network namespace no other program has one. */
#define PROCESS_VPCD_PORT 35963
/* The reader vpcd gives pcscd (the reader.conf entry's FRIENDLYNAME, slot 0). */
#define PROCESS_READER "Virtual PCD 00 00"
/* How long a process may take to be ready, and to exit after SIGTERM before it is killed. */
#define PROCESS_READY_SECONDS 60
#define PROCESS_STOP_SECONDS 10
/* How often readiness is looked at again while the child lives. */
#define PROCESS_POLL_MS 20
/* The clock's time of day on each date: a visit's default time (docs/WIRE.md). */
#define PROCESS_DAY_TIME "T10:00"
/* The most arguments a child is started with. */
#define PROCESS_ARGS_MAX 24

enum { PROC_PCSCD, PROC_CARD, PROC_SERVICE, PROC_COUNT };
static const char *const proc_names[PROC_COUNT] = {"pcscd", "the card server", "the eligibility service"};
static const char *const proc_logs[PROC_COUNT] = {"pcscd.log", "card.log", "service.log"};

enum { FILE_CONF_DIR, FILE_CONF, FILE_CLOCK, FILE_CONTROL, FILE_LOG0, FILE_COUNT = FILE_LOG0 + PROC_COUNT };

struct cli_process {
    char dir[256];              /* the run's private directory (mkdtemp) */
    char path[FILE_COUNT][320]; /* its files, removed last to first, then dir */
    char self[PATH_MAX];        /* this mynasim */
    char pcscd[PATH_MAX];
    char service[64]; /* the service's HOST:PORT */
    int service_out;  /* the read end of the service's stdout, or -1 */
    bool verbose, progress;
};

/* What the signal handler stops and removes (only this process's own children, by PID). */
static volatile pid_t g_pid[PROC_COUNT];
static struct cli_process *volatile g_proc;

/* Removes `name` under the directory `parent` and everything in it (not following symbolic links), with
 * async-signal-safe calls only: the signal handler uses it. The stage's own temporary directory (the card
 * profiles of a visit, docs/WIRE.md) is inside the run's, since the run points TMPDIR there. */
static void remove_tree(int parent, const char *name, int depth)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        char buf[4096];
        long n;
        while (depth < 8 && (n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
            for (long off = 0; off < n;) {
                unsigned short reclen; /* struct linux_dirent64: d_reclen at 16, d_name at 19 */
                memcpy(&reclen, buf + off + 16, sizeof reclen);
                const char *entry = buf + off + 19;
                off += reclen;
                if (strcmp(entry, ".") == 0 || strcmp(entry, "..") == 0)
                    continue;
                if (unlinkat(fd, entry, 0) != 0 && errno == EISDIR)
                    remove_tree(fd, entry, depth + 1);
            }
        close(fd);
    }
    (void)unlinkat(parent, name, AT_REMOVEDIR);
}

static void remove_files(const struct cli_process *p)
{
    if (p->dir[0] != '\0')
        remove_tree(AT_FDCWD, p->dir, 0);
}

/* SIGINT, SIGTERM, SIGHUP: stop every child by its PID, remove the files, die of the same signal. Only
 * async-signal-safe calls. */
static void on_signal(int sig)
{
    for (int i = PROC_COUNT - 1; i >= 0; i--)
        if (g_pid[i] > 0)
            (void)kill(g_pid[i], SIGTERM);
    for (int i = PROC_COUNT - 1; i >= 0; i--)
        if (g_pid[i] > 0)
            while (waitpid(g_pid[i], NULL, 0) < 0 && errno == EINTR)
                ;
    if (g_proc != NULL)
        remove_files(g_proc);
    struct sigaction sa = {.sa_handler = SIG_DFL};
    sigemptyset(&sa.sa_mask);
    (void)sigaction(sig, &sa, NULL);
    (void)raise(sig); /* delivered when the handler returns: the run dies of it, as it would have */
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};

static void handle_signals(bool on)
{
    struct sigaction sa = {.sa_handler = on ? on_signal : SIG_DFL};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        sigaddset(&sa.sa_mask, stop_signals[i]);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        (void)sigaction(stop_signals[i], &sa, NULL);
}

static void say(const struct cli_process *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct cli_process *p, const char *fmt, ...)
{
    if (!p->verbose && !p->progress)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (p->progress && !p->verbose) { /* one progress line, overwritten */
        fputs("\r\033[K", stderr);
        vfprintf(stderr, fmt, ap);
    } else {
        fputs("mynasim run: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    va_end(ap);
}

/* The last lines of a child's log on stderr, after an error naming the child. */
static void log_tail(const struct cli_process *p, int which)
{
    FILE *f = fopen(p->path[FILE_LOG0 + which], "r");
    if (f == NULL)
        return;
    char lines[12][256];
    size_t n = 0;
    while (fgets(lines[n % 12], sizeof lines[0], f) != NULL)
        n++;
    fclose(f);
    if (n == 0)
        return;
    fprintf(stderr, "mynasim run: the end of %s's output:\n", proc_names[which]);
    for (size_t i = n > 12 ? n - 12 : 0; i < n; i++) {
        const char *l = lines[i % 12];
        fprintf(stderr, "  %s%s", l, l[strlen(l) - (l[0] != '\0')] == '\n' ? "" : "\n");
    }
}

/* Starts argv as child `which`: stdin /dev/null, stdout `out_fd` (or the log), stderr the log, its own process
 * group (a terminal's ^C reaches the run, which stops it), SIGTERM when the run dies. */
static int spawn(struct cli_process *p, int which, const char *const argv[], int out_fd,
                 struct core_error *err)
{
    char *args[PROCESS_ARGS_MAX + 1]; /* execv's type; nothing writes them */
    size_t argc = 0;
    while (argc < PROCESS_ARGS_MAX && argv[argc] != NULL)
        argc++;
    memcpy(args, argv, argc * sizeof *args);
    args[argc] = NULL;
    int log = open(p->path[FILE_LOG0 + which], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log < 0)
        return core_error_set(err, CORE_EIO, p->path[FILE_LOG0 + which], 0, 0, "cannot write %s's log: %s",
                              proc_names[which], strerror(errno));
    sigset_t block, old;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
        sigaddset(&block, stop_signals[i]);
    sigprocmask(SIG_BLOCK, &block, &old); /* the PID is recorded before a signal can look for it */
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        struct sigaction sa = {.sa_handler = SIG_DFL};
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof stop_signals / sizeof stop_signals[0]; i++)
            (void)sigaction(stop_signals[i], &sa, NULL);
        (void)prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) /* the run died before the line above */
            _exit(127);
        (void)setpgid(0, 0);
        int in = open("/dev/null", O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0 || dup2(out_fd >= 0 ? out_fd : log, 1) < 0 || dup2(log, 2) < 0)
            _exit(127);
        sigprocmask(SIG_SETMASK, &old, NULL);
        execv(args[0], args);
        dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int e = errno;
    if (pid > 0)
        g_pid[which] = pid;
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(log);
    if (pid < 0)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "cannot start %s: %s", proc_names[which],
                              strerror(e));
    say(p, "started %s (pid %ld)", proc_names[which], (long)pid);
    return CORE_OK;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits up to `seconds` for child `which` to exit (its pidfd, else waitpid with WNOHANG between polls). Returns
 * whether it did; *status its wait status. */
static bool reap(int which, double seconds, int *status)
{
    pid_t pid = g_pid[which];
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    double deadline = now_seconds() + seconds;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid || (r < 0 && errno != EINTR)) {
            g_pid[which] = 0;
            if (fd >= 0)
                close(fd);
            return true;
        }
        double left = deadline - now_seconds();
        if (left <= 0)
            break;
        if (fd >= 0) {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            (void)poll(&pfd, 1, (int)(left * 1000) + 1);
        } else {
            struct timespec ts = {0, PROCESS_POLL_MS * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    if (fd >= 0)
        close(fd);
    return false;
}

/* SIGTERM by PID and wait (SIGKILL after PROCESS_STOP_SECONDS). Returns the exit status, or -1 for a signal. */
static int stop_one(struct cli_process *p, int which)
{
    pid_t pid = g_pid[which];
    if (pid <= 0)
        return 0;
    (void)kill(pid, SIGTERM);
    int status = 0;
    if (!reap(which, PROCESS_STOP_SECONDS, &status)) {
        (void)kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        g_pid[which] = 0;
    }
    say(p, "stopped %s (pid %ld)", proc_names[which], (long)pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Whether something listens on TCP `port` (in this network namespace: /proc/net is the reader's). */
static bool port_listening(unsigned port)
{
    static const char *const tables[] = {"/proc/net/tcp", "/proc/net/tcp6"};
    for (size_t t = 0; t < 2; t++) {
        FILE *f = fopen(tables[t], "r");
        if (f == NULL)
            continue;
        char line[512];
        bool found = false;
        while (!found && fgets(line, sizeof line, f) != NULL) {
            unsigned lport, state;
            if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x", &lport, &state) == 2)
                found = lport == port && state == 0x0A; /* TCP_LISTEN */
        }
        fclose(f);
        if (found)
            return true;
    }
    return false;
}

static bool pcscd_ready(struct cli_process *p)
{
    (void)p;
    struct stat st;
    return stat("/run/pcscd/pcscd.comm", &st) == 0 && S_ISSOCK(st.st_mode) &&
           port_listening(PROCESS_VPCD_PORT);
}

/* The card server answers on its control channel and pcscd sees its card in the reader. */
static bool card_ready(struct cli_process *p)
{
    struct core_error err;
    struct pcsc_control *c;
    if (pcsc_control_open(p->path[FILE_CONTROL], &c, &err) != CORE_OK)
        return false;
    char status[512];
    bool ok = pcsc_control_send(c, "status", status, sizeof status, &err) == CORE_OK &&
              strstr(status, "profile=") != NULL;
    pcsc_control_close(c);
    struct pcsc_reader *r;
    if (!ok || pcsc_reader_open_pcsc(PROCESS_READER, &r, &err) != CORE_OK)
        return false;
    pcsc_reader_close(r);
    return true;
}

/* Waits until ready(p), child `which` still running; an error naming it (and the end of its log on stderr)
 * when it exits first or the deadline passes. */
static int wait_ready(struct cli_process *p, int which, const char *what, bool (*ready)(struct cli_process *),
                      struct core_error *err)
{
    say(p, "waiting for %s: %s", proc_names[which], what);
    double deadline = now_seconds() + PROCESS_READY_SECONDS;
    for (;;) {
        if (ready(p))
            return CORE_OK;
        int status = 0;
        if (reap(which, PROCESS_POLL_MS / 1000.0, &status)) {
            log_tail(p, which);
            return core_error_set(err, CORE_EIO, NULL, 0, 0, "%s exited (%s %d) before %s", proc_names[which],
                                  WIFEXITED(status) ? "status" : "signal",
                                  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), what);
        }
        if (now_seconds() > deadline) {
            log_tail(p, which);
            return core_error_set(err, CORE_EIO, NULL, 0, 0, "%s did not get ready within %d s (%s)",
                                  proc_names[which], PROCESS_READY_SECONDS, what);
        }
    }
}

/* A mount namespace with its own /run/pcscd, and a network namespace with its loopback up. */
static int enter_namespaces(struct core_error *err)
{
    if (unshare(CLONE_NEWNS | CLONE_NEWNET) != 0)
        return core_error_set(err, CORE_EIO, NULL, 0, 0,
                              "a private pcscd needs a mount and a network namespace of the run's own, which "
                              "cannot be made (%s): run it as root",
                              strerror(errno));
    /* Private propagation, so the tmpfs below never shows outside. In a chroot "/" is not a mount point and
     * this fails; there, with no mount shared with another namespace, the copies are private already. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        FILE *f = fopen("/proc/self/mountinfo", "r");
        char line[4096];
        bool shared = false;
        while (f != NULL && !shared && fgets(line, sizeof line, f) != NULL)
            shared = strstr(line, " shared:") != NULL;
        if (f != NULL)
            fclose(f);
        if (shared)
            return core_error_set(err, CORE_EIO, NULL, 0, 0,
                                  "cannot make the mounts private (%s) and some are shared", strerror(errno));
    }
    if (mkdir("/run/pcscd", 0755) != 0 && errno != EEXIST)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "cannot make /run/pcscd: %s", strerror(errno));
    if (mount("tmpfs", "/run/pcscd", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "cannot mount a private /run/pcscd: %s",
                              strerror(errno));
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    bool up = s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    ifr.ifr_flags |= IFF_UP;
    up = up && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    int e = errno;
    if (s >= 0)
        close(s);
    if (!up)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "cannot bring up the private loopback: %s",
                              strerror(e));
    return CORE_OK;
}

/* The first of `places` that exists (`env`'s value alone when set). */
static const char *find_tool(const char *env, const char *const *places, size_t n, const char **wanted)
{
    const char *given = getenv(env);
    if (given != NULL && given[0] != '\0') {
        *wanted = given;
        return access(given, R_OK) == 0 ? given : NULL;
    }
    *wanted = places[0];
    for (size_t i = 0; i < n; i++)
        if (access(places[i], R_OK) == 0)
            return places[i];
    return NULL;
}

/* pcscd, vpcd and libfaketime, each named with its Debian package when it is missing. */
static bool find_tools(struct cli_process *p)
{
    static const char *const pcscds[] = {"/usr/sbin/pcscd", "/usr/local/sbin/pcscd", "/sbin/pcscd"};
    static const char *const vpcds[] = {
        "/usr/lib/pcsc/drivers/serial/libifdvpcd.so",
        "/usr/lib64/pcsc/drivers/serial/libifdvpcd.so",
        "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so",
    };
    const char *wanted;
    const char *pcscd = find_tool("MYNASIM_PCSCD", pcscds, 3, &wanted);
    if (pcscd == NULL || access(pcscd, X_OK) != 0) {
        fprintf(stderr,
                "mynasim run: --process: pcscd not found (%s): install the Debian package pcscd, or name it "
                "with MYNASIM_PCSCD=PATH\n",
                wanted);
        return false;
    }
    snprintf(p->pcscd, sizeof p->pcscd, "%s", pcscd);
    const char *vpcd = find_tool("MYNASIM_VPCD", vpcds, 3, &wanted);
    if (vpcd == NULL) {
        fprintf(stderr,
                "mynasim run: --process: vpcd not found (%s): install the Debian package vsmartcard-vpcd, or "
                "name the driver with MYNASIM_VPCD=PATH\n",
                wanted);
        return false;
    }
    if (cli_find_libfaketime(&wanted) == NULL) {
        fprintf(stderr,
                "mynasim run: --process: libfaketime not found (%s): install the Debian package libfaketime, "
                "or name the library with MYNASIM_LIBFAKETIME=PATH\n",
                wanted);
        return false;
    }
    FILE *f = fopen(p->path[FILE_CONF], "w");
    if (f == NULL) {
        fprintf(stderr, "mynasim run: %s: %s\n", p->path[FILE_CONF], strerror(errno));
        return false;
    }
    fprintf(f, "FRIENDLYNAME \"Virtual PCD\"\nDEVICENAME   /dev/null:%d\nLIBPATH      %s\nCHANNELID    %d\n",
            PROCESS_VPCD_PORT, vpcd, PROCESS_VPCD_PORT);
    return fclose(f) == 0;
}

/* Rewrites the clock file (by rename) so that it reads `on` at the visit's time of day (`minute` after
 * midnight Japan time; -1, a check without a visit: 10:00) now. */
static int step_clock_at(void *ctx, core_day on, int minute, struct core_error *err)
{
    struct cli_process *p = ctx;
    char text[32];
    core_date_format(on, text);
    if (minute >= 0 && minute < 24 * 60)
        snprintf(text + strlen(text), sizeof text - strlen(text), "T%02d:%02d", minute / 60, minute % 60);
    else
        strcat(text, PROCESS_DAY_TIME);
    int64_t t;
    int rc = core_time_parse_japan(text, strlen(text), &t);
    struct timespec real;
    core_clock_real_now(&real);
    if (rc == CORE_OK)
        rc = core_clock_file_write(p->path[FILE_CLOCK], t, &real, err);
    else
        core_error_set(err, rc, NULL, 0, 0, "the clock cannot be set to %s", text);
    if (rc == CORE_OK && p->verbose)
        say(p, "clock %s", text);
    return rc;
}

/* The clock at 10:00 on `on`: before the first visit. */
static int step_clock(void *ctx, core_day on, struct core_error *err)
{
    return step_clock_at(ctx, on, -1, err);
}

static int start_children(struct cli_process *p, core_day first, struct core_error *err)
{
    int rc = enter_namespaces(err);
    if (rc == CORE_OK)
        rc = step_clock(p, first, err);
    const char *pcscd[] = {p->pcscd, "-f", "-c", p->path[FILE_CONF_DIR], NULL};
    if (rc == CORE_OK && (rc = spawn(p, PROC_PCSCD, pcscd, -1, err)) == CORE_OK)
        rc = wait_ready(p, PROC_PCSCD, "its socket and vpcd's port", pcscd_ready, err);
    char vpcd[32];
    snprintf(vpcd, sizeof vpcd, "127.0.0.1:%d", PROCESS_VPCD_PORT);
    const char *card[] = {p->self,  "at", "--clock",   p->path[FILE_CLOCK],   "--", p->self, "card", "serve",
                          "--vpcd", vpcd, "--control", p->path[FILE_CONTROL], NULL};
    if (rc == CORE_OK && (rc = spawn(p, PROC_CARD, card, -1, err)) == CORE_OK)
        rc = wait_ready(p, PROC_CARD, "its control channel and its card in " PROCESS_READER, card_ready, err);
    return rc;
}

struct cli_process *cli_process_start(core_day first, bool verbose, bool progress)
{
    struct cli_process *p = calloc(1, sizeof *p);
    if (p == NULL) {
        fprintf(stderr, "mynasim run: out of memory\n");
        return NULL;
    }
    p->service_out = -1;
    p->verbose = verbose;
    p->progress = progress;
    /* the client library would follow it to another pcscd than the run's */
    unsetenv("PCSCLITE_CSOCK_NAME");
    ssize_t n = readlink("/proc/self/exe", p->self, sizeof p->self - 1);
    const char *tmp = getenv("TMPDIR");
    int w = snprintf(p->dir, sizeof p->dir, "%s/mynasim-process.XXXXXX",
                     tmp != NULL && tmp[0] == '/' && strlen(tmp) < 64 ? tmp : "/tmp");
    if (n <= 0 || w <= 0 || mkdtemp(p->dir) == NULL) {
        fprintf(stderr, "mynasim run: --process: cannot make a private directory in %s: %s\n",
                n <= 0 ? "/proc/self/exe" : p->dir, strerror(errno));
        p->dir[0] = '\0';
        free(p);
        return NULL;
    }
    static const char *const names[FILE_COUNT] = {"reader.conf.d", "reader.conf.d/vpcd", "clock",
                                                  "card.sock"};
    for (int i = 0; i < FILE_COUNT; i++)
        snprintf(p->path[i], sizeof p->path[i], "%s/%s", p->dir,
                 i < FILE_LOG0 ? names[i] : proc_logs[i - FILE_LOG0]);
    g_proc = p;
    handle_signals(true);
    /* the stage's temporary files go inside the run's directory, removed with it even on a signal */
    if (setenv("TMPDIR", p->dir, 1) != 0) {
        fprintf(stderr, "mynasim run: out of memory\n");
        cli_process_stop(p);
        return NULL;
    }
    struct core_error err;
    core_error_clear(&err);
    bool made = mkdir(p->path[FILE_CONF_DIR], 0700) == 0;
    if (!made)
        fprintf(stderr, "mynasim run: %s: %s\n", p->path[FILE_CONF_DIR], strerror(errno));
    if (!made || !find_tools(p)) {
        cli_process_stop(p);
        return NULL;
    }
    if (start_children(p, first, &err) != CORE_OK) {
        cli_print_error_in("mynasim run", "--process", &err);
        cli_process_stop(p);
        return NULL;
    }
    cli_progress_clear(progress && !verbose);
    p->progress = false; /* from here the progress line is the runner's "[i/n] FILE" */
    return p;
}

/* Reads the service's "listening on http://HOST:PORT" line from its stdout, the child still running. */
static bool service_ready(struct cli_process *p)
{
    char *have = p->service;
    size_t len = strlen(have);
    struct pollfd pfd = {.fd = p->service_out, .events = POLLIN};
    while (len + 1 < sizeof p->service && poll(&pfd, 1, 0) > 0) {
        ssize_t r = read(p->service_out, have + len, 1);
        if (r <= 0)
            return false;
        have[++len] = '\0';
        if (have[len - 1] == '\n')
            return true;
    }
    return false;
}

int cli_process_service_start(struct cli_process *p, const char *file, const char *policy, core_day first,
                              struct world_wire_remote *remote, struct core_error *err)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "cannot make a pipe: %s", strerror(errno));
    p->service_out = fds[0];
    p->service[0] = '\0';
    int rc = step_clock(p, first, err);
    const char *argv[16] = {p->self, "at",    "--clock",  p->path[FILE_CLOCK], "--",
                            p->self, "serve", "--listen", "127.0.0.1:0",       "--control"};
    size_t n = 10;
    if (policy != NULL) {
        argv[n++] = "--policy";
        argv[n++] = policy;
    }
    argv[n++] = file;
    argv[n] = NULL;
    if (rc == CORE_OK)
        rc = spawn(p, PROC_SERVICE, argv, fds[1], err);
    close(fds[1]);
    if (rc == CORE_OK)
        rc = wait_ready(p, PROC_SERVICE, "its \"listening on\" line", service_ready, err);
    static const char prefix[] = "listening on http://";
    size_t len = strlen(p->service);
    if (rc == CORE_OK && (strncmp(p->service, prefix, sizeof prefix - 1) != 0 || len < sizeof prefix + 1))
        rc = core_error_set(err, CORE_EIO, NULL, 0, 0,
                            "the eligibility service said '%s', not where it listens", p->service);
    if (rc != CORE_OK) {
        CORE_DROP(cli_process_service_stop(p, NULL)); /* the first error is the one reported */
        return rc;
    }
    p->service[len - 1] = '\0';
    memmove(p->service, p->service + sizeof prefix - 1, len - (sizeof prefix - 1));
    *remote = (struct world_wire_remote){.service = p->service,
                                         .reader = PROCESS_READER,
                                         .card_control = p->path[FILE_CONTROL],
                                         .on_date = step_clock,
                                         .on_date_ctx = p,
                                         .on_time = step_clock_at};
    return CORE_OK;
}

int cli_process_service_stop(struct cli_process *p, struct core_error *err)
{
    int status = stop_one(p, PROC_SERVICE);
    if (p->service_out >= 0)
        close(p->service_out);
    p->service_out = -1;
    if (status != 0)
        return core_error_set(err, CORE_EIO, NULL, 0, 0,
                              "the eligibility service ended with %s %d on SIGTERM",
                              status < 0 ? "a signal, not status" : "status", status);
    return CORE_OK;
}

void cli_process_stop(struct cli_process *p)
{
    if (p == NULL)
        return;
    CORE_DROP(
        cli_process_service_stop(p, NULL)); /* at the end: a service still running is stopped, quietly */
    for (int i = PROC_CARD; i >= PROC_PCSCD; i--)
        (void)stop_one(p, i);
    handle_signals(false);
    remove_files(p);
    g_proc = NULL;
    free(p);
}
