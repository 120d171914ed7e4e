/*
 * The SUT process of a conformance suite (conform_int.h): started with /bin/sh -c in a process group of its
 * own, fed on a pipe, read with poll() against a deadline, so a SUT that hangs, floods, crashes or exits early
 * is a failure with a reason and never a hang of mynasim. It is stopped by its own process group (the id of the
 * process started, never a name) and always reaped.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conform/conform_int.h"

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Describes how the process ended (after waitpid). */
static void describe_status(int status, char *out, size_t cap)
{
    if (WIFEXITED(status))
        snprintf(out, cap, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, cap, "was killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(out, cap, "ended");
}

bool conform_sut_start(struct conform_sut *s, const char *command)
{
    memset(s, 0, sizeof *s);
    s->in = s->out = -1;
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0) {
        snprintf(s->why, sizeof s->why, "cannot make a pipe: %s", strerror(errno));
        return false;
    }
    if (pipe(from_child) != 0) {
        snprintf(s->why, sizeof s->why, "cannot make a pipe: %s", strerror(errno));
        close(to_child[0]);
        close(to_child[1]);
        return false;
    }
    /* our ends must not leak into the SUT (nor into a second SUT started later) */
    for (int i = 0; i < 2; i++) {
        (void)fcntl(to_child[i], F_SETFD, FD_CLOEXEC);
        (void)fcntl(from_child[i], F_SETFD, FD_CLOEXEC);
    }
    s->buf = malloc(CONFORM_LINE_MAX + 1);
    pid_t pid = s->buf != NULL ? fork() : -1;
    if (pid < 0) {
        snprintf(s->why, sizeof s->why, "cannot start the SUT: %s", strerror(errno));
        close(to_child[0]);
        close(to_child[1]);
        close(from_child[0]);
        close(from_child[1]);
        free(s->buf);
        s->buf = NULL;
        return false;
    }
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        if (dup2(to_child[0], STDIN_FILENO) < 0 || dup2(from_child[1], STDOUT_FILENO) < 0)
            _exit(126);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid); /* both sides, so the group exists whichever runs first */
    close(to_child[0]);
    close(from_child[1]);
    s->pid = pid;
    s->in = to_child[1];
    s->out = from_child[0];
    (void)fcntl(s->in, F_SETFL, fcntl(s->in, F_GETFL) | O_NONBLOCK);
    (void)fcntl(s->out, F_SETFL, fcntl(s->out, F_GETFL) | O_NONBLOCK);
    return true;
}

/* Reaps the process if it has ended; describes how in s->why after `prefix`. */
static void reap_reason(struct conform_sut *s, const char *prefix)
{
    int status = 0;
    char how[96] = "";
    if (s->pid > 0) {
        /* its stdout closed: give it a moment to be reaped, never waiting without bound */
        for (int i = 0; i < 100; i++) {
            pid_t r = waitpid(s->pid, &status, WNOHANG);
            if (r == s->pid) {
                s->pid = 0;
                describe_status(status, how, sizeof how);
                break;
            }
            struct timespec t = {0, 10 * 1000 * 1000};
            nanosleep(&t, NULL);
        }
    }
    snprintf(s->why, sizeof s->why, "%s%s%s", prefix, how[0] ? ": it " : "", how);
}

bool conform_sut_exchange(struct conform_sut *s, const char *text, int timeout_ms,
                          int (*on_line)(void *ctx, const char *line, struct conform_sut *s), void *ctx)
{
    size_t tlen = strlen(text);
    char *msg = malloc(tlen + 1);
    if (msg == NULL) {
        snprintf(s->why, sizeof s->why, "out of memory");
        return false;
    }
    memcpy(msg, text, tlen);
    msg[tlen] = '\n';
    size_t sent = 0, total = tlen + 1;
    long long deadline = now_ms() + timeout_ms;
    bool ok = false;
    /* The SUT closed its input (EPIPE): stop writing, but read on, so that a SUT that exits says so the same way
     * whichever of the two pipes the kernel reports first. */
    bool input_gone = false;
    for (;;) {
        /* lines already read */
        char *nl;
        while ((nl = memchr(s->buf, '\n', s->len)) != NULL) {
            *nl = '\0';
            size_t used = (size_t)(nl - s->buf) + 1;
            int r = on_line(ctx, s->buf, s);
            memmove(s->buf, s->buf + used, s->len - used);
            s->len -= used;
            if (r < 0)
                goto out;
            if (r > 0) {
                if (sent < total) {
                    snprintf(s->why, sizeof s->why, "ended the day before reading all of it");
                    goto out;
                }
                ok = true;
                goto out;
            }
        }
        if (s->len >= CONFORM_LINE_MAX) {
            snprintf(s->why, sizeof s->why, "wrote a line longer than %d bytes", CONFORM_LINE_MAX);
            goto out;
        }
        if (s->eof) {
            reap_reason(s, s->len ? "stopped in the middle of a line"
                                  : "closed its output before the day's end");
            goto out;
        }
        long long left = deadline - now_ms();
        if (left <= 0) {
            snprintf(s->why, sizeof s->why, "%sgave no end of day within %d ms",
                     input_gone ? "stopped reading its input and " : "", timeout_ms);
            goto out;
        }
        struct pollfd p[2] = {{s->out, POLLIN, 0}, {sent < total && !input_gone ? s->in : -1, POLLOUT, 0}};
        int n = poll(p, 2, (int)left);
        if (n < 0 && errno != EINTR) {
            snprintf(s->why, sizeof s->why, "poll: %s", strerror(errno));
            goto out;
        }
        if (n <= 0)
            continue;
        if (p[1].revents & (POLLOUT | POLLERR | POLLHUP)) {
            ssize_t w = write(s->in, msg + sent, total - sent);
            if (w > 0) {
                sent += (size_t)w;
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                input_gone = true;
            }
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = read(s->out, s->buf + s->len, CONFORM_LINE_MAX - s->len);
            if (r > 0)
                s->len += (size_t)r;
            else if (r == 0)
                s->eof = true;
            else if (errno != EAGAIN && errno != EINTR)
                s->eof = true;
        }
    }
out:
    free(msg);
    return ok;
}

bool conform_sut_finish(struct conform_sut *s, int timeout_ms)
{
    close_fd(&s->in);
    long long deadline = now_ms() + timeout_ms;
    while (!s->eof) {
        if (s->len > 0) {
            snprintf(s->why, sizeof s->why, "wrote after the last day's end");
            return false;
        }
        long long left = deadline - now_ms();
        if (left <= 0) {
            snprintf(s->why, sizeof s->why, "did not exit within %d ms of its input's end", timeout_ms);
            return false;
        }
        struct pollfd p = {s->out, POLLIN, 0};
        int n = poll(&p, 1, (int)left);
        if (n <= 0)
            continue;
        ssize_t r = read(s->out, s->buf + s->len, CONFORM_LINE_MAX - s->len);
        if (r > 0)
            s->len += (size_t)r;
        else if (r == 0 || (errno != EAGAIN && errno != EINTR))
            s->eof = true;
    }
    if (s->len > 0) {
        snprintf(s->why, sizeof s->why, "wrote after the last day's end");
        return false;
    }
    /* its output is closed: it is exiting; wait for it, still against the deadline */
    while (s->pid > 0) {
        int status = 0;
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid) {
            s->pid = 0;
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return true;
            char how[96];
            describe_status(status, how, sizeof how);
            snprintf(s->why, sizeof s->why, "%s after the last day", how);
            return false;
        }
        if (now_ms() >= deadline) {
            snprintf(s->why, sizeof s->why, "did not exit within %d ms of its input's end", timeout_ms);
            return false;
        }
        struct timespec t = {0, 5 * 1000 * 1000};
        nanosleep(&t, NULL);
    }
    return true;
}

void conform_sut_stop(struct conform_sut *s)
{
    close_fd(&s->in);
    close_fd(&s->out);
    if (s->pid > 0) {
        kill(-s->pid, SIGKILL); /* its process group: the shell and what it started */
        kill(s->pid, SIGKILL);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        s->pid = 0;
    }
    free(s->buf);
    s->buf = NULL;
    s->len = 0;
}
