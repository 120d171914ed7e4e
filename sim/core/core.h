/*
 * core: the bottom of mynasim. Civil dates in Japan time, the check digits of insurer numbers and My Numbers,
 * errors that carry a position, a seeded random number generator, and the YAML reader that every file format
 * of mynasim (card profiles, policies, mixes, scenarios) is read through.
 *
 * core knows nothing of cards, insurance or clinics. It never prints and never exits: every failure is an
 * error code plus a `struct core_error` that names the file, line, column and what was wrong.
 */
#ifndef MYNASIM_CORE_H
#define MYNASIM_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- errors ------------------------------------------------------------------------------------------- */

/* CORE_MUST_USE marks a function whose result says whether it worked (a CORE_* status, or a bool "it worked"):
 * the compiler refuses a call that drops it (-Werror), so a failure can never pass unnoticed (docs/DESIGN.md,
 * "No result is dropped"). It goes before the declaration in every public and internal header. Where dropping
 * one is truly right, CORE_DROP(call) says so, with a comment saying why: GCC ignores a plain (void) cast of
 * such a call, while it (and Clang) accept the negation that CORE_DROP hides. */
#if defined(__GNUC__) || defined(__clang__)
#define CORE_MUST_USE __attribute__((warn_unused_result))
#else
#define CORE_MUST_USE
#endif
#define CORE_DROP(call) ((void)!(call))

enum core_status {
    CORE_OK = 0,
    CORE_EINVAL = -1,    /* bad input: a value, a file, an argument */
    CORE_ENOMEM = -2,    /* allocation failed */
    CORE_EIO = -3,       /* a file or socket could not be read or written */
    CORE_ENOTFOUND = -4, /* a named thing (file, key, parameter) does not exist */
    CORE_ECRYPTO = -5,   /* OpenSSL refused */
    CORE_ESTATE = -6,    /* the operation is not allowed in the current state */
};

/* Where something went wrong. `file` empty and `line` 0 when there is no position. */
struct core_error {
    int code;
    int line;
    int column;
    char file[512];
    char message[512];
};

void core_error_clear(struct core_error *err);
/* Sets err (when not NULL) and returns code, so callers can `return core_error_set(...)`. */
int core_error_set(struct core_error *err, int code, const char *file, int line, int column, const char *fmt,
                   ...) __attribute__((format(printf, 6, 7)));
int core_error_vset(struct core_error *err, int code, const char *file, int line, int column, const char *fmt,
                    va_list ap) __attribute__((format(printf, 6, 0)));
/* "file:line:column: message", or "file: message", or "message". Returns the length it wanted. */
size_t core_error_format(const struct core_error *err, char *buf, size_t cap);
const char *core_status_name(int code);

/* ---- civil dates, Japan time ------------------------------------------------------------------------- */

/* Japan time is UTC+9 all year (no daylight saving time since 1951): the one offset every reading uses. */
#define CORE_JST_OFFSET_SECONDS (9 * 3600)

/* A civil date as days since 1970-01-01 (proleptic Gregorian). Japan has no daylight saving time, so a
 * Japan date is UTC+9 and never depends on TZ. */
typedef int32_t core_day;
#define CORE_DAY_NONE INT32_MIN

bool core_date_valid(int year, int month, int day);
/* Returns CORE_EINVAL for an impossible date. */
CORE_MUST_USE int core_date_from_ymd(int year, int month, int day, core_day *out);
void core_date_to_ymd(core_day d, int *year, int *month, int *day);
/* Strict `YYYY-MM-DD` (years 1900..9999). */
CORE_MUST_USE int core_date_parse(const char *s, size_t len, core_day *out);
/* Writes `YYYY-MM-DD` and a NUL (11 bytes). */
void core_date_format(core_day d, char out[11]);
/* The Japan date of a POSIX time. */
core_day core_date_from_time(time_t t);
/* The Japan date now (time(), so libfaketime moves it). */
core_day core_date_today(void);
int core_date_weekday(core_day d); /* 0 = Sunday */
int core_date_days_in_month(int year, int month);
/* Same day `months` later (or earlier), clamped to the end of the month. */
core_day core_date_add_months(core_day d, int months);
/* The day on which someone born on `born` reaches `age`: their birthday that year. A 29 February birthday
 * falls on 1 March in common years (civil-law reading, docs/RULES.md AGE-75). */
core_day core_date_birthday(core_day born, int age);
/* Age in whole years on day `on`. */
int core_date_age(core_day born, core_day on);
/* The n-th birthday strictly after day `after` (n >= 1). */
core_day core_date_nth_birthday_after(core_day born, core_day after, int n);

/* ---- check digits (docs/RULES.md, Numbers) ----------------------------------------------------------------- */

/* Insurer number: 6 (NHI) or 8 digits, the last a check digit (weights 2,1,2,1... from the right). */
bool core_insurer_number_valid(const char *s, size_t len);
/* The check digit for `len` leading digits; -1 when they are not all digits. */
int core_insurer_check_digit(const char *digits, size_t len);
/* My Number: 12 digits, the last a check digit over the first 11. */
bool core_my_number_valid(const char *s, size_t len);
int core_my_number_check_digit(const char *first11);

/* Strings on hot paths, without snprintf's cost: core_strlcpy copies src into dst (cap bytes), always
 * NUL-terminated, truncating; core_put_uint writes v in decimal, zero-padded to `width` digits, truncated to
 * fit cap. Both return the length the whole result needs (not counting the NUL), as snprintf does. */
size_t core_strlcpy(char *dst, const char *src, size_t cap);
size_t core_put_uint(char *dst, size_t cap, unsigned long long v, int width);

/* ---- seeded random numbers --------------------------------------------------------------------------- */

/* xoshiro256** seeded through splitmix64: the same seed gives the same stream on every machine. */
struct core_rng {
    uint64_t s[4];
};
void core_rng_seed(struct core_rng *rng, uint64_t seed);
/* A child stream, independent of the parent's later draws: for per-resident or per-card streams. */
void core_rng_fork(struct core_rng *child, const struct core_rng *parent, uint64_t stream);
uint64_t core_rng_next(struct core_rng *rng);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint64_t core_rng_below(struct core_rng *rng, uint64_t n);
void core_rng_bytes(struct core_rng *rng, void *out, size_t len);
/* A 64-bit hash of bytes (FNV-1a then a splitmix finaliser): for seeds derived from names. */
uint64_t core_hash64(const void *data, size_t len, uint64_t seed);

/* ---- files (docs/FILES.md) ------------------------------------------------------------------------- */

/* What a stat mode is, for messages: "a regular file", "a FIFO", "a character device", "a directory"... */
const char *core_file_kind(unsigned mode);
/* Opens a file to read, following symlinks, without ever blocking on the open: anything but a regular file
 * (a FIFO, a device, a socket, a directory) is refused "PATH: not a regular file (a FIFO)". Every file
 * mynasim reads goes through here (core_file_read, and so the YAML reader). *fd is blocking, O_CLOEXEC. */
CORE_MUST_USE int core_file_open_regular(const char *path, int *fd, struct core_error *err);
/* Reads a whole regular file (at most max_size bytes) into a NUL-terminated heap buffer. */
CORE_MUST_USE int core_file_read(const char *path, size_t max_size, char **out, size_t *len,
                                 struct core_error *err);

/*
 * The one writer of whole files: reports (--out), a card's --state, caches, and the answer files a terminal
 * drops into a watched folder. A reader or a folder watcher sees the old file or the new one, never a part.
 *
 * core_file_out_open decides once, on the path as it stands (not following a symlink):
 *   - absent or a regular file: written to a temporary file in the same directory, created exclusively
 *     (O_CREAT|O_EXCL|O_NOFOLLOW, mode 0666 less the umask, or the replaced file's permission bits) under a
 *     fresh random name ".NAME.tmp-XXXXXXXXXXXX" — hidden, and never ending in the target's extension, so a
 *     watcher of "*.xml" never sees it; a planted file or symlink at a temporary name is never opened or
 *     followed. Commit fsyncs it, checks the target is still absent or regular, renames it over the target
 *     and fsyncs the directory. Two writers of one path each write their own temporary file: both commits
 *     succeed, the last rename wins, and the target is always one writer's whole file;
 *   - this process's own stdout or stderr however named (/dev/stdout, /dev/fd/1, /proc/self/fd/2), or a
 *     character device (/dev/null, a terminal) named directly or through a symlink: written through, opened
 *     without O_CREAT or O_TRUNC, never replaced (a write through cannot be undone by abort);
 *   - anything else is refused with what it is: a symbolic link to a file or to nothing ("not followed and
 *     not replaced"), a FIFO, a socket, a block device, a directory.
 * Every error path removes the temporary file. core_file_out_abort after a failed open or after commit does
 * nothing, so `abort` may always be called on the way out. A struct zeroed or left by abort/commit is closed.
 */
struct core_file_out {
    int fd;           /* write here (core_file_out_write, or a FILE * of fdopen(dup(fd))) */
    int dirfd;        /* the target's directory */
    char *path;       /* the target, as given */
    const char *base; /* its last component, inside path */
    char tmp[256];    /* the temporary file's name in dirfd; "" when written through */
};
CORE_MUST_USE int core_file_out_open(struct core_file_out *o, const char *path, struct core_error *err);
CORE_MUST_USE int core_file_out_write(struct core_file_out *o, const void *data, size_t len,
                                      struct core_error *err);
/* fsync, close, rename into place, fsync the directory; on any failure the temporary file is removed and
 * the target is untouched. Closes o either way. */
CORE_MUST_USE int core_file_out_commit(struct core_file_out *o, struct core_error *err);
/* Closes o and removes the temporary file: the target is untouched. */
void core_file_out_abort(struct core_file_out *o);
/* open + write + commit: what a terminal's answer file or a card's state file calls. */
CORE_MUST_USE int core_file_write_atomic(const char *path, const void *data, size_t len,
                                         struct core_error *err);
/* Is the directory entry `name` one of the writer's temporaries for a file named `base` (".BASE.tmp-" and 12
 * letters or digits)? The writer owns its naming: a caller cleaning up after a kill asks here. */
bool core_file_is_temporary_of(const char *name, const char *base);
/* Removes the temporary files of `path` left by a writer that was killed (".NAME.tmp-" and 12 letters).
 * Only for a caller that is the file's one writer (a card server at start): it would remove a concurrent
 * writer's file. */
CORE_MUST_USE int core_file_remove_temporaries(const char *path, struct core_error *err);

/* ---- Japan time of day and the clock file (sim/core/clock.c, docs/TIME.md) ----------------------------- */

/* POSIX seconds of a Japan time, strictly "YYYY-MM-DDThh:mm", "YYYY-MM-DDThh:mm:ss" or "YYYY-MM-DD" (00:00:00);
 * UTC+9, never TZ. CORE_EINVAL for anything else. */
CORE_MUST_USE int core_time_parse_japan(const char *s, size_t len, int64_t *out);
/* "YYYY-MM-DDThh:mm:ss" and a NUL (20 bytes): the Japan time of POSIX seconds t. */
void core_time_format_japan(int64_t t, char out[20]);
/* The real CLOCK_REALTIME, read by the system call so that libfaketime in this process does not move it. */
void core_clock_real_now(struct timespec *out);
/* Writes target - real_now as libfaketime's relative offset, "+S.NNNNNNNNN" or "-S.NNNNNNNNN". */
CORE_MUST_USE int core_clock_offset_format(int64_t target, const struct timespec *real_now, char *buf,
                                           size_t cap);
/* Writes the clock file for libfaketime's FAKETIME_TIMESTAMP_FILE atomically (core_file_write_atomic): line 1
 * the offset from the real clock that makes it `target` now, line 2 a comment naming the Japan time. */
CORE_MUST_USE int core_clock_file_write(const char *path, int64_t target, const struct timespec *real_now,
                                        struct core_error *err);
/* Checks a clock file's text as core_clock_file_write writes it (one offset line, then comment lines); the
 * error names `name`, the line and the column. */
CORE_MUST_USE int core_clock_file_parse(const char *name, const char *text, size_t len,
                                        struct core_error *err);

/* ---- YAML --------------------------------------------------------------------------------------------- */

/*
 * A YAML document read with libyaml into a tree that keeps line and column (1-based) for every node.
 * Anchors and aliases, tags and multiple documents are refused (mynasim's formats need none, and aliases are
 * how YAML bombs are built). Duplicate keys are refused. Mapping keys must be plain scalars.
 * The getters below check types and report `file:line:column: field 'name': what was expected`.
 */
enum core_yaml_kind {
    CORE_YAML_SCALAR,
    CORE_YAML_MAP,
    CORE_YAML_SEQ,
};

struct core_yaml_node {
    enum core_yaml_kind kind;
    int line;
    int column;
    bool quoted; /* scalar written quoted or as a block: never a number, bool or null */
    /* scalar: the text (NUL-terminated, may contain NUL only if the file did: len is authoritative) */
    const char *value;
    size_t len;
    /* map: keys[i] -> items[i]; seq: items[i]. */
    size_t count;
    struct core_yaml_node **keys;
    struct core_yaml_node **items;
};

struct core_yaml_doc {
    char *file;                  /* name used in messages */
    struct core_yaml_node *root; /* NULL for an empty document */
    void *arena;                 /* private */
    size_t budget;               /* private: bytes the tree may still take */
};

/* Limits: documents larger than this are refused, as are nestings deeper than CORE_YAML_MAX_DEPTH. 16 MiB:
 * every format of mynasim (a scenario of 100,000 residents, a policy, a mix, a card profile) fits many times.
 * The tree may take at most CORE_YAML_TREE_FACTOR times the document's size plus CORE_YAML_TREE_SLACK bytes:
 * a document denser in nodes than any real one (millions of one-character items) is refused, naming where
 * the budget ran out, so that memory stays proportional to the input (docs/SCENARIO-FORMAT.md, "Limits"). */
#define CORE_YAML_TREE_FACTOR 16u
#define CORE_YAML_TREE_SLACK (4u * 1024u * 1024u)
#define CORE_YAML_MAX_SIZE (16u * 1024u * 1024u)
#define CORE_YAML_MAX_DEPTH 64

CORE_MUST_USE int core_yaml_load_file(const char *path, struct core_yaml_doc **out, struct core_error *err);
CORE_MUST_USE int core_yaml_load_buffer(const char *name, const char *buf, size_t len,
                                        struct core_yaml_doc **out, struct core_error *err);
void core_yaml_free(struct core_yaml_doc *doc);

/* Sets an error at a node's position. Returns code. */
int core_yaml_error(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                    struct core_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The value of `key` in a mapping, or NULL. */
const struct core_yaml_node *core_yaml_get(const struct core_yaml_node *map, const char *key);
/* Fails on the first key of `map` not in the NULL-terminated `allowed` list ("unknown key 'x'"), or when
 * `map` is not a mapping. */
CORE_MUST_USE int core_yaml_check_keys(const struct core_yaml_doc *doc, const struct core_yaml_node *map,
                                       const char *const *allowed, struct core_error *err);
/* Fails when a required key is absent ("missing field 'x'"). */
CORE_MUST_USE int core_yaml_require(const struct core_yaml_doc *doc, const struct core_yaml_node *map,
                                    const char *key, const struct core_yaml_node **out,
                                    struct core_error *err);

/* Typed reads of a scalar node; `field` names it in messages. */
bool core_yaml_is_null(const struct core_yaml_node *node);
CORE_MUST_USE int core_yaml_int(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                                const char *field, long long min, long long max, long long *out,
                                struct core_error *err);
CORE_MUST_USE int core_yaml_bool(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                                 const char *field, bool *out, struct core_error *err);
CORE_MUST_USE int core_yaml_date(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                                 const char *field, core_day *out, struct core_error *err);
/* Any scalar as text (copied, NUL-terminated, truncated never: fails when it does not fit `cap`). */
CORE_MUST_USE int core_yaml_string(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                                   const char *field, char *out, size_t cap, struct core_error *err);
/* A quoted string of digits whose length is in [min_len, max_len]. */
CORE_MUST_USE int core_yaml_digits(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                                   const char *field, size_t min_len, size_t max_len, char *out, size_t cap,
                                   struct core_error *err);
/* One of a NULL-terminated list of words; *out is its index. */
CORE_MUST_USE int core_yaml_enum(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                                 const char *field, const char *const *words, int *out,
                                 struct core_error *err);

#endif
