/* Private to sim/conform: the SUT process (sut.c) shared with the suite (issuance.c). */
#ifndef MYNASIM_CONFORM_INT_H
#define MYNASIM_CONFORM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conform/conform.h"

#define CONFORM_LINE_MAX 65536

/* A SUT process: /bin/sh -c COMMAND in a process group of its own, its stdin and stdout on pipes. */
struct conform_sut {
    pid_t pid;   /* 0 when none is running */
    int in, out; /* our ends: we write `in`, read `out`; -1 when closed */
    char *buf;   /* what was read and not yet taken as lines */
    size_t len;
    bool eof;
    char why[200]; /* the failure, when one of the calls below returned false */
};

/* Starts the command. False (why set) when it cannot be started. */
CORE_MUST_USE bool conform_sut_start(struct conform_sut *s, const char *command);
/* Writes `text` then a newline, and reads lines until `on_line` returns 1 (the day's end) within timeout_ms of
 * the call. on_line returns 0 to go on, 1 at the end, -1 to stop with s->why set by it. False on a failure. */
CORE_MUST_USE bool conform_sut_exchange(struct conform_sut *s, const char *text, int timeout_ms,
                                        int (*on_line)(void *ctx, const char *line, struct conform_sut *s),
                                        void *ctx);
/* Closes its stdin and waits (timeout_ms) for it to exit with status 0 and no more output. False otherwise. */
CORE_MUST_USE bool conform_sut_finish(struct conform_sut *s, int timeout_ms);
/* Kills its process group (when still running), reaps it, closes the pipes. Always safe to call. */
void conform_sut_stop(struct conform_sut *s);

#endif
