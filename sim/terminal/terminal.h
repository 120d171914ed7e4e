/*
 * terminal: the clinic's eligibility terminal as clinics connect it to their reception systems, by folders
 * (docs/TERMINAL.md). A reception system writes a request OQSsiquc01req_<id>.xml into DIR/req; the terminal
 * answers it with OQSsiquc01res_<id>.xml in DIR/res, asking the eligibility service it is handed
 * (eligibility_service_handle, at the service's date: a fixed one or the process clock in Japan time, read for
 * each request), and removes the request once the answer is in place.
 *
 * Every answer is written by core's one writer (core_file_write_atomic): a hidden temporary name in res/ that
 * never ends in ".xml", renamed into place, so a watcher of res/ sees whole answers only. Requests are taken
 * in file-name order; a request that cannot be read gets an error answer (SegmentOfResult 9), never silence;
 * a name that is not a request's is left alone and logged once. The terminal knows nothing of the world: it
 * is handed a service and answers what the service answers. The service is used under the terminal's lock:
 * terminal_set_date and terminal_write_face may be called from another thread while terminal_run answers.
 */
#ifndef MYNASIM_TERMINAL_H
#define MYNASIM_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core.h"
#include "eligibility/eligibility.h"
#include "scenario/scenario.h"

/* A request id: 1..TERMINAL_ID_MAX of [0-9A-Za-z_-] (docs/TERMINAL.md, "Names"). */
#define TERMINAL_ID_MAX 100

#define TERMINAL_REQUEST_PREFIX "OQSsiquc01req_"
#define TERMINAL_RESPONSE_PREFIX "OQSsiquc01res_"
#define TERMINAL_SUFFIX ".xml"
#define TERMINAL_FACE_PREFIX "OQSsiquc01res_face_"

enum terminal_name_kind {
    TERMINAL_NAME_REQUEST, /* OQSsiquc01req_<id>.xml: answered */
    TERMINAL_NAME_HIDDEN,  /* starts with '.': a temporary or a dotfile, ignored without a word */
    TERMINAL_NAME_OTHER,   /* anything else: ignored, logged once */
};

/* What the directory entry `name` (len bytes, not NUL-terminated necessarily) is. For a request, the id and a
 * NUL go into id (TERMINAL_ID_MAX + 1 bytes); id is "" otherwise. A NUL inside name makes it OTHER. */
enum terminal_name_kind terminal_name_classify(const char *name, size_t len, char id[TERMINAL_ID_MAX + 1]);
/* "OQSsiquc01res_<id>.xml" into out (cap bytes); CORE_EINVAL when id is not an id or it does not fit. */
CORE_MUST_USE int terminal_response_name(const char *id, char *out, size_t cap);

/* The face reader's result file of visit `visit` (an id as above) at POSIX time `when`:
 * "OQSsiquc01res_face_<visit>_yyyyMMddHHmmss.xml" in Japan time, the pattern real agents match, built by
 * eligibility_face_file_name. CORE_EINVAL when visit is not an id (nor one that builder takes: no '_'), the
 * year is outside 1900..9999 or cap is under ELIGIBILITY_FACE_NAME_MAX. */
CORE_MUST_USE int terminal_face_name(const char *visit, int64_t when, char *out, size_t cap);

struct terminal_options {
    const char *folder;                 /* DIR: DIR/req and DIR/res must exist */
    enum eligibility_encoding encoding; /* the answers' encoding, whatever the request's */
    bool poll;                          /* scan every poll_ms instead of inotify (network shares) */
    unsigned poll_ms;                   /* 0: 500 */
    FILE *log;                          /* one line per file in and out; NULL: stderr */
};

struct terminal;

/* The service must outlive the terminal. CORE_EINVAL (err filled) when DIR/req or DIR/res is not a folder. */
CORE_MUST_USE int terminal_new(struct eligibility_service *svc, const struct terminal_options *o,
                               struct terminal **out, struct core_error *err);
void terminal_free(struct terminal *t);

/* The restart's pass: removes the writer's temporaries left in res/ by a terminal that was killed, and every
 * request whose answer is already in res/ (written no earlier than the request: answered before a stop, so
 * not answered twice). Then answers what is left, as terminal_scan does. */
CORE_MUST_USE int terminal_recover(struct terminal *t, size_t *answered, struct core_error *err);
/* Answers every request now in req/, in file-name order. *answered (may be NULL) is how many answers were
 * written. CORE_EIO only when req/ cannot be listed or an answer cannot be written. */
CORE_MUST_USE int terminal_scan(struct terminal *t, size_t *answered, struct core_error *err);
/* terminal_recover, then waits on req/ (inotify, or every poll_ms) and answers until `stop_fd` is readable
 * (a signalfd, a pipe). `ready_fd` >= 0 gets one line "watching DIR/req\n" once the watch is in place and the pending
 * requests are answered. */
CORE_MUST_USE int terminal_run(struct terminal *t, int stop_fd, int ready_fd, struct core_error *err);

/* The terminal's day (eligibility_service_set_date on its service, under the terminal's lock, so a control
 * thread may move it while the watch answers); CORE_DAY_NONE: the process clock. CORE_EINVAL out of range. */
CORE_MUST_USE int terminal_set_date(struct terminal *t, core_day on);
/* The day it answers for now. */
core_day terminal_date(struct terminal *t);

/* ---- the face reader's result files (docs/TERMINAL.md, "Face-reader results") ---------------------------- */

/* One session at the face reader: the card's answer (from the reader flow run elsewhere, through the stage),
 * the day asked, the clinic's institution code (10 digits) and the time the result is made. */
struct terminal_face {
    const struct eligibility_answer *answer;
    core_day on;
    const char *institution;
    int64_t when; /* POSIX seconds */
};
/* Writes the session's result as a response message (card route, ReferenceClassification 1) in the terminal's
 * encoding into DIR/face, named by terminal_face_name with the smallest visit number no file of DIR/face uses
 * yet (so two sessions in one second cannot collide), atomically like every answer. *name (cap bytes, may be
 * NULL) gets the file's name. CORE_EINVAL when DIR/face is not a folder or the answer cannot be a message. */
CORE_MUST_USE int terminal_write_face(struct terminal *t, const struct terminal_face *f, char *name,
                                      size_t cap, struct core_error *err);
/* terminal_write_face with the visit's own id (an id as above, without '_') in the name instead of a number:
 * "OQSsiquc01res_face_<visit>_yyyyMMddHHmmss.xml". CORE_EINVAL when visit is not such an id; CORE_ESTATE when
 * DIR/face already holds a result of that visit (each visit has one). visit NULL: terminal_write_face. */
CORE_MUST_USE int terminal_write_face_visit(struct terminal *t, const struct terminal_face *f,
                                            const char *visit, char *name, size_t cap,
                                            struct core_error *err);

/* ---- the terminal's clock (docs/TERMINAL.md, "Control"; docs/TIME.md) ------------------------------------ */

/* Sets the terminal to a Japan time `at` (POSIX seconds) that ticks on with the process clock from now: the day
 * is at's Japan day (terminal_set_date), face results are timed from it. CORE_EINVAL out of range. */
CORE_MUST_USE int terminal_set_time(struct terminal *t, int64_t at);
/* The terminal's time now (POSIX seconds): the time set by terminal_set_time ticking on; else the process
 * clock, moved to the terminal's day when a date is set (terminal_set_date clears a time set before). */
int64_t terminal_now(struct terminal *t);

/* ---- the control endpoint's bodies (docs/TERMINAL.md, "Control"); fuzz/terminal_control ------------------- */

#define TERMINAL_CONTROL_BODY_MAX 4096
#define TERMINAL_PIN_MAX 16

/* POST /control/present: who puts the card on the reader, and how. */
struct terminal_present_body {
    char resident[SCENARIO_ID_MAX]; /* "resident": required */
    bool bring_given;               /* "bring": [card, paper_card, certificate, notice], each once */
    unsigned bring;                 /* SCENARIO_DOC_BIT set; without "bring", every document held that day */
    unsigned faults;                /* "faults": the scenario's fault words (SCENARIO_FAULT_BIT set) */
    bool pin_given; /* "pin": 4..16 digits typed on the reader (the PIN route); "face" or absent */
    char pin[TERMINAL_PIN_MAX + 1]; /*   the face first, as a face reader does */
    bool
        visit_given; /* "visit": the visit's id (1..ELIGIBILITY_FACE_VISIT_MAX of [0-9A-Za-z-]) in the face */
    char visit[TERMINAL_ID_MAX + 1]; /*   result's name; absent: the smallest free number */
    bool kind_given;                 /* "kind": first (default), revisit, dispensing */
    enum scenario_visit_kind kind;
};
/* POST /control/time: {"date": "YYYY-MM-DD" | "YYYY-MM-DDThh:mm[:ss]" | null}. */
struct terminal_time_body {
    bool clock;      /* null: the process clock again */
    core_day day;    /* the Japan day given (CORE_DAY_NONE with clock) */
    bool time_given; /* a time of day was given: at is that Japan time */
    int64_t at;
};
/* Parse a body of len bytes (any bytes; at most TERMINAL_CONTROL_BODY_MAX). CORE_EINVAL with `why` (cap bytes)
 * naming the field and what was expected; *out is then unspecified. */
CORE_MUST_USE int terminal_present_parse(const char *body, size_t len, struct terminal_present_body *out,
                                         char *why, size_t cap);
CORE_MUST_USE int terminal_time_parse(const char *body, size_t len, struct terminal_time_body *out, char *why,
                                      size_t cap);

#endif
