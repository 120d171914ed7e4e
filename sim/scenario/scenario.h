/*
 * scenario: the reader of scenario files (docs/SCENARIO-FORMAT.md). A YAML file becomes a fully validated, typed
 * `struct scenario`: insurers, clinics, residents, events, expectations and an optional population, every
 * reference resolved to an index, every date a core_day, every word an enum, every node's position kept so
 * that the engine can report a failed expectation at its `file:line:column`.
 *
 * Reading is strict because the format is a public contract: unknown keys, wrong types, bad words, bad check
 * digits, dangling references, events out of date order and starting states that break docs/RULES.md are errors.
 * The reader does not stop at the first: it collects every problem it can find (up to SCENARIO_DIAGS_MAX) as
 * `struct core_error` items, sorted by position, so `mynasim check` can list them all at once.
 *
 * What the reader must never know: how a card works inside (PINs, certificates, APDUs), how a clinic decides
 * a visit, what the eligibility system answers. An event the rules make fail (registering a face-only card at
 * the portal) is a valid event; only the engine that replays it knows it fails. The reader only consults the
 * policy for the starting state's own rules (a paper card issued after `paper_card.last_issue`).
 *
 * Readings taken where docs/SCENARIO-FORMAT.md leaves a question open are in docs/SCENARIO-FORMAT-NOTES.md.
 */
#ifndef MYNASIM_SCENARIO_H
#define MYNASIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "policy/policy.h"

/* The newest `format:` this reader understands. */
#define SCENARIO_FORMAT_VERSION 2
/* Problems kept per file; more are counted in `omitted`. */
#define SCENARIO_DIAGS_MAX 100
/* Longest id (insurer, clinic, resident), in bytes. */
#define SCENARIO_ID_MAX 64
/* The reader's limits (docs/SCENARIO-FORMAT.md, "Limits"): what real use needs many times over, so that memory
 * and time stay proportional to a file that may come from anyone. A list longer than its limit is one problem
 * naming the limit; the file's size is limited by the YAML reader (CORE_YAML_MAX_SIZE, 16 MiB). Reader
 * limits, not policy: they hold before any policy is read (a scenario names its policy), and no rule of the
 * insurance system depends on them. */
#define SCENARIO_MAX_RESIDENTS 100000
#define SCENARIO_MAX_CLINICS 10000
#define SCENARIO_MAX_INSURERS 10000
#define SCENARIO_MAX_EVENTS 1000000
/* `who: all` in an expectation. */
#define SCENARIO_WHO_ALL (-2)
/* No reference (an optional clinic, a resident without `of`). */
#define SCENARIO_NONE (-1)

/* Every problem found in one file, sorted by line and column. */
struct scenario_diags {
    struct core_error *items;
    size_t count;
    size_t cap;
    size_t omitted; /* problems found beyond SCENARIO_DIAGS_MAX */
};

void scenario_diags_init(struct scenario_diags *d);
void scenario_diags_clear(struct scenario_diags *d);

/* Where a node starts in the file (1-based). */
struct scenario_pos {
    int line;
    int column;
};

/* A period {from, to}, both ends included. */
struct scenario_period {
    struct scenario_pos pos;
    core_day from;
    core_day to;
};

/* ---- vocabulary (docs/SCENARIO-FORMAT.md, Vocabulary) ------------------------------------------------------------- */

/*
 * The vocabularies that cross components are defined once, here, as X-macros in the manner of POLICY_PARAMS:
 * X(NAME, "word") per value, in value order. The scenario's enums, the reader's word tables and the printers
 * below are made from them; so are the clinic's outcomes and routes (clinic.h) and eligibility's check results
 * and warning bits (eligibility.h), whose name functions return these words. A word is spelled only here, and
 * SCENARIO_X and CLINIC_X (or ELIGIBILITY_X) are the same value by construction; the replay compares values
 * and checks that with _Static_asserts (sim/replay/run.c). The order is part of the definition: the reader's
 * "is not one of" messages list the words in it.
 */
#define SCENARIO_OUTCOMES(X)                                                                                 \
    X(INSURED, "insured")                                                                                    \
    X(INSURED_BY_DECLARATION, "insured_by_declaration")                                                      \
    X(SELF_PAY, "self_pay")

/* DESK-1's routes, in its order. "Not given" (SCENARIO_ROUTE_NONE, CLINIC_ROUTE_NONE) is -1, outside the list. */
#define SCENARIO_ROUTES(X)                                                                                   \
    X(CARD, "card")                                                                                          \
    X(CERTIFICATE, "certificate")                                                                            \
    X(PAPER_CARD, "paper_card")                                                                              \
    X(CARD_NOTICE, "card_notice")                                                                            \
    X(CARD_PORTAL, "card_portal")                                                                            \
    X(LOOKUP, "lookup")                                                                                      \
    X(DECLARATION, "declaration")

/* MYNA-3's online check results, in its precedence order: when several apply the lowest value is answered, and
 * ok is last (eligibility bounds its results by it). */
#define SCENARIO_CHECKS(X)                                                                                   \
    X(NO_CARD, "no_card")                                                                                    \
    X(READER_DOWN, "reader_down")                                                                            \
    X(SERVICE_DOWN, "service_down")                                                                          \
    X(CARD_SUSPENDED, "card_suspended")                                                                      \
    X(CARD_EXPIRED, "card_expired")                                                                          \
    X(CERT_REVOKED, "cert_revoked")                                                                          \
    X(CERT_EXPIRED, "cert_expired")                                                                          \
    X(PIN_LOCKED, "pin_locked")                                                                              \
    X(NOT_REGISTERED, "not_registered")                                                                      \
    X(NOT_REFLECTED, "not_reflected")                                                                        \
    X(NO_QUALIFICATION, "no_qualification")                                                                  \
    X(OK, "ok")

/* The reader's warnings (AMEND-3). Eligibility answers them as a bit set, 1u << SCENARIO_WARNING_x. */
#define SCENARIO_WARNINGS(X)                                                                                 \
    X(CERT_EXPIRES_SOON, "cert_expires_soon")                                                                \
    X(CERT_IN_GRACE, "cert_in_grace")

/* A visit's faults (docs/SCENARIO-FORMAT.md, Events: visit), a bit set 1u << SCENARIO_FAULT_x. */
#define SCENARIO_FAULTS(X)                                                                                   \
    X(FACE_MISMATCH, "face_mismatch")                                                                        \
    X(READER_FAULT, "reader_fault")                                                                          \
    X(UNSHOWABLE_NAME, "unshowable_name")                                                                    \
    X(BORROWED_CERTIFICATE, "borrowed_certificate")                                                          \
    X(REPLAYED_REQUEST, "replayed_request")

/* The PINs of `wrong_pin` and `reset_pin`: the card's auth PIN, its card-info input support PIN (the card's
 * "text" PIN) and its signature password. The card names its PINs itself (card.h, CARD_PINS). */
#define SCENARIO_PINS(X)                                                                                     \
    X(AUTH, "auth")                                                                                          \
    X(INFO, "info")                                                                                          \
    X(SIGN, "sign")

/* Helpers for the lists above: the word of an entry (a table: { SCENARIO_OUTCOMES(SCENARIO_WORD) NULL }), and a
 * count (enum { N = 0 SCENARIO_OUTCOMES(SCENARIO_PLUS_ONE) }). */
#define SCENARIO_WORD(name, word) word,
#define SCENARIO_PLUS_ONE(name, word) +1

enum scenario_document {
    SCENARIO_DOC_PAPER_CARD,
    SCENARIO_DOC_CARD,
    SCENARIO_DOC_CERTIFICATE,
    SCENARIO_DOC_NOTICE,
    SCENARIO_DOC_PORTAL,
    SCENARIO_DOC_COUNT
};
/* A set of documents is a bit mask: 1u << SCENARIO_DOC_x. */
#define SCENARIO_DOC_BIT(d) (1u << (unsigned)(d))

enum scenario_insurer_kind {
    SCENARIO_INSURER_NHI,
    SCENARIO_INSURER_LATTER_ELDERLY,
    SCENARIO_INSURER_SOCIETY,
    SCENARIO_INSURER_KYOKAI,
    SCENARIO_INSURER_MUTUAL_AID,
};

enum scenario_reader {
    SCENARIO_READER_FACE,
    SCENARIO_READER_PIN,
    SCENARIO_READER_NONE,
};

enum scenario_role {
    SCENARIO_ROLE_INSURED,
    SCENARIO_ROLE_DEPENDENT,
};

enum scenario_income {
    SCENARIO_INCOME_GENERAL,
    SCENARIO_INCOME_HIGH,
};

enum scenario_sex {
    SCENARIO_SEX_UNSET, /* generated from the seed */
    SCENARIO_SEX_MALE,
    SCENARIO_SEX_FEMALE,
};

enum scenario_visit_kind {
    SCENARIO_VISIT_FIRST,
    SCENARIO_VISIT_REVISIT,
    SCENARIO_VISIT_DISPENSING,
};

#define SCENARIO_FAULT_ENUM(name, word) SCENARIO_FAULT_##name,
enum scenario_fault { SCENARIO_FAULTS(SCENARIO_FAULT_ENUM) };
enum { SCENARIO_FAULT_COUNT = 0 SCENARIO_FAULTS(SCENARIO_PLUS_ONE) };
#define SCENARIO_FAULT_BIT(f) (1u << (unsigned)(f))

#define SCENARIO_OUTCOME_ENUM(name, word) SCENARIO_OUTCOME_##name,
enum scenario_outcome { SCENARIO_OUTCOMES(SCENARIO_OUTCOME_ENUM) };
enum { SCENARIO_OUTCOME_COUNT = 0 SCENARIO_OUTCOMES(SCENARIO_PLUS_ONE) };

#define SCENARIO_ROUTE_ENUM(name, word) SCENARIO_ROUTE_##name,
enum scenario_route {
    SCENARIO_ROUTE_NONE = -1, /* not given */
    SCENARIO_ROUTES(SCENARIO_ROUTE_ENUM)
};
enum { SCENARIO_ROUTE_COUNT = 0 SCENARIO_ROUTES(SCENARIO_PLUS_ONE) };

#define SCENARIO_CHECK_ENUM(name, word) SCENARIO_CHECK_##name,
enum scenario_check_result { SCENARIO_CHECKS(SCENARIO_CHECK_ENUM) };
enum { SCENARIO_CHECK_COUNT = 0 SCENARIO_CHECKS(SCENARIO_PLUS_ONE) };

#define SCENARIO_WARNING_ENUM(name, word) SCENARIO_WARNING_##name,
enum scenario_warning {
    SCENARIO_WARNING_NONE = -1, /* not given: the check must not warn */
    SCENARIO_WARNINGS(SCENARIO_WARNING_ENUM)
};
enum { SCENARIO_WARNING_COUNT = 0 SCENARIO_WARNINGS(SCENARIO_PLUS_ONE) };

enum scenario_register_via {
    SCENARIO_VIA_PORTAL,
    SCENARIO_VIA_ATM,
    SCENARIO_VIA_CLINIC,
    SCENARIO_VIA_OFFICE,
};

#define SCENARIO_PIN_ENUM(name, word) SCENARIO_PIN_##name,
enum scenario_pin { SCENARIO_PINS(SCENARIO_PIN_ENUM) };
enum { SCENARIO_PIN_COUNT = 0 SCENARIO_PINS(SCENARIO_PLUS_ONE) };

/* CERT-5 targets A..G. */
enum scenario_cert_reason {
    SCENARIO_REASON_A,
    SCENARIO_REASON_B,
    SCENARIO_REASON_C,
    SCENARIO_REASON_D,
    SCENARIO_REASON_E,
    SCENARIO_REASON_F,
    SCENARIO_REASON_G,
};

enum scenario_notice_type {
    SCENARIO_NOTICE_ANY = -1, /* not given */
    SCENARIO_NOTICE_A,
    SCENARIO_NOTICE_B,
};

/* ---- the setting ------------------------------------------------------------------------------------- */

struct scenario_insurer {
    struct scenario_pos pos;
    char id[SCENARIO_ID_MAX];
    enum scenario_insurer_kind kind;
    char number[9];        /* 6 (nhi) or 8 digits, check digit valid; "" when absent (generated) */
    struct policy *policy; /* the scenario's policy with this insurer's overrides; NULL when it has none */
    struct scenario_pos policy_pos;
};

struct scenario_clinic {
    struct scenario_pos pos;
    char id[SCENARIO_ID_MAX];
    enum scenario_reader reader;
    size_t down_count;
    struct scenario_period *down;
};

/* The identity fields a resident may give; empty strings (and SCENARIO_SEX_UNSET) are generated lazily. */
struct scenario_identity {
    const char *name;
    const char *kana;
    enum scenario_sex sex;
    const char *address;
    char my_number[13];
    const char *member_symbol;
    char member_number[17];
    char member_branch[3];
    char security_code[5];
};

struct scenario_resident {
    struct scenario_pos pos;
    char id[SCENARIO_ID_MAX];
    core_day born;
    int insurer; /* index, or SCENARIO_NONE when not insured at the start */
    enum scenario_role role;
    int of; /* dependent: the index of the resident depended on; else SCENARIO_NONE */
    bool has_paper_card;
    struct scenario_pos paper_card_pos;
    core_day paper_card_issued;
    core_day paper_card_expires; /* CORE_DAY_NONE: PAPER-2 decides */
    /* The first day of the starting membership (format 2, `insured_since`): the QualificationDate answers carry.
     * CORE_DAY_NONE: not given, the world takes the paper card's `issued`, else the period's first day. */
    core_day insured_since;
    bool has_card;
    struct scenario_pos card_pos;
    core_day card_issued;
    bool card_face_only;
    core_day card_expires;      /* CORE_DAY_NONE: derived (docs/RULES.md, card dates) */
    core_day card_cert_expires; /* CORE_DAY_NONE: derived */
    core_day registered;        /* CORE_DAY_NONE: not registered */
    unsigned holds;             /* SCENARIO_DOC_BIT set: certificate, notice */
    bool tax_arrears;
    enum scenario_income income;
    struct scenario_identity identity;
};

/* ---- events (docs/SCENARIO-FORMAT.md, Events) ------------------------------------------------------------------- */

enum scenario_event_kind {
    SCENARIO_EVENT_ENROLL,
    SCENARIO_EVENT_LEAVE,
    SCENARIO_EVENT_GET_CARD,
    SCENARIO_EVENT_REGISTER,
    SCENARIO_EVENT_WITHDRAW,
    SCENARIO_EVENT_LOSE_CARD,
    SCENARIO_EVENT_LOSE_PAPER_CARD,
    SCENARIO_EVENT_LOSE_DOCUMENT,
    SCENARIO_EVENT_REISSUE_CARD,
    SCENARIO_EVENT_RETURN_CARD,
    SCENARIO_EVENT_RENEW_CERT,
    SCENARIO_EVENT_APPLY_CERTIFICATE,
    SCENARIO_EVENT_WRONG_PIN,
    SCENARIO_EVENT_RESET_PIN,
    SCENARIO_EVENT_VISIT,
    SCENARIO_EVENT_CLINIC_DOWN,
};

/* A visit, as an event or as an expectation's probe. */
struct scenario_visit {
    int clinic;
    bool bring_given; /* false: bring everything held that day */
    unsigned bring;   /* SCENARIO_DOC_BIT set */
    bool kind_given;
    enum scenario_visit_kind kind; /* SCENARIO_VISIT_FIRST when not given */
    unsigned faults;               /* SCENARIO_FAULT_BIT set */
};
/* 10:00 Japan time: a visit event's time of day when it gives none (docs/SCENARIO-FORMAT.md, Events). */
#define SCENARIO_VISIT_TIME_DEFAULT (10 * 60)

struct scenario_event {
    struct scenario_pos pos;
    enum scenario_event_kind kind;
    core_day date;
    int resident; /* index; SCENARIO_NONE for clinic_down */
    /* enroll */
    int insurer;
    enum scenario_role role;
    int of;
    /* leave: the day the loss is filed (the event's day when not given) */
    core_day processed;
    /* get_card */
    bool face_only;
    /* register */
    enum scenario_register_via via;
    /* lose_document */
    enum scenario_document document;
    /* apply_certificate */
    enum scenario_cert_reason reason;
    /* wrong_pin, reset_pin */
    int times;
    enum scenario_pin pin;
    /* visit (clinic also for clinic_down) */
    struct scenario_visit visit;
    /* clinic_down: last day down */
    core_day until;
    /* visit: its time of day (`time: HH:MM`, format 2) in minutes after midnight Japan time; the terminal's
     * face results and the process mode's clocks use it, the timeline's order never does (same-day events
     * stay in file order). SCENARIO_VISIT_TIME_DEFAULT (10:00) when not given. */
    bool time_given;
    int minute;
};

/* ---- expectations (docs/SCENARIO-FORMAT.md, Expectations) ------------------------------------------------------- */

enum scenario_expect_kind {
    SCENARIO_EXPECT_HOLDS,
    SCENARIO_EXPECT_LACKS,
    SCENARIO_EXPECT_VISIT,
    SCENARIO_EXPECT_ONLINE_CHECK,
    SCENARIO_EXPECT_RECEIVED,
    SCENARIO_EXPECT_GAP_DAYS,
    SCENARIO_EXPECT_DEGRADED_DAYS,
    SCENARIO_EXPECT_GRACE_DAYS,
    SCENARIO_EXPECT_CLAIM_ERRORS,
    SCENARIO_EXPECT_USAGE_RATE,
};

/* A count: exact (min == max) or a range with either end open. */
struct scenario_range {
    long long min; /* 0 when open */
    long long max; /* LLONG_MAX when open */
};

struct scenario_expect {
    struct scenario_pos pos;
    enum scenario_expect_kind kind;
    core_day date;    /* CORE_DAY_NONE for the forms without a date */
    int resident;     /* index, or SCENARIO_WHO_ALL */
    char rule[16];    /* `rule: ID`, "" when absent */
    const char *name; /* `name:` (format 2), what reports call it; NULL when absent */
    /* holds / lacks */
    unsigned documents;
    /* visit */
    struct scenario_visit visit;
    enum scenario_outcome outcome;
    bool fee_given;
    long long fee_total, fee_copay;
    enum scenario_route route;
    bool limit_applied_given, limit_applied;
    bool claim_error_given, claim_error;
    /* online_check: clinic SCENARIO_NONE = a working clinic with a face-auth reader */
    enum scenario_check_result check;
    int clinic;
    enum scenario_warning warning;
    /* received */
    enum scenario_document received;
    core_day by;
    enum scenario_notice_type notice_type;
    /* gap_days, degraded_days, grace_days, claim_errors */
    struct scenario_range count;
    core_day first_gap; /* gap_days: CORE_DAY_NONE when not given */
    /* usage_rate: the first day of the month, and the bounds in millionths (0..1000000) */
    core_day month;
    uint32_t min_ppm, max_ppm;
};

/* ---- population -------------------------------------------------------------------------------------- */

struct scenario_population {
    struct scenario_pos pos;
    long long size;
    const char *mix; /* a shipped mix name or a path relative to the scenario file (resolved by the engine) */
    bool insurers_generated;
};

/* ---- the whole file ---------------------------------------------------------------------------------- */

struct scenario {
    const char *file; /* the name used in messages */
    const char *dir;  /* the file's directory: relative policy and mix paths start here */
    int format;
    const char *name;
    const char *description; /* "" when absent */
    size_t tag_count;        /* `tags:` (format 2), in file order; `mynasim run --tags` selects by them */
    const char **tags;
    struct scenario_period period;
    const char *policy_ref; /* as written, "national" when absent */
    struct policy *policy;
    bool seed_given;
    uint64_t seed;
    size_t outage_count;
    struct scenario_period *outages;
    size_t insurer_count;
    struct scenario_insurer *insurers;
    size_t clinic_count;
    struct scenario_clinic *clinics;
    size_t resident_count;
    struct scenario_resident *residents;
    size_t event_count;
    struct scenario_event *events; /* in date order, same-day in file order */
    size_t expect_count;
    struct scenario_expect *expects; /* in file order */
    bool has_population;
    struct scenario_population population;
    void *arena; /* private */
};

/*
 * Reads and validates a scenario file. On success *out is the scenario (free with scenario_free) and diags is
 * empty. On failure (CORE_EINVAL: the file is not valid; CORE_EIO: unreadable; CORE_ENOMEM) *out is NULL and
 * diags holds every problem found, each with file, line and column where there is one.
 */
CORE_MUST_USE int scenario_load_file(const char *path, struct scenario **out, struct scenario_diags *diags);
/* The same from a buffer; `name` is used in messages and `base_dir` resolves relative policy paths (NULL: the
 * current directory). */
CORE_MUST_USE int scenario_load_buffer(const char *name, const char *buf, size_t len, const char *base_dir,
                                       struct scenario **out, struct scenario_diags *diags);
/*
 * The same, replayed under another policy: `policy` (a shipped name, or a path relative to the current
 * directory; NULL: the file's own) replaces the file's policy, and each insurer's `policy:` overrides apply on
 * top of it, as they would on the file's own. The file's own policy is still loaded, so a file that
 * scenario_load_file refuses is refused here too; policy_ref becomes `policy`. `mynasim run --policy` and
 * `mynasim compare` read files through these.
 */
CORE_MUST_USE int scenario_load_file_with_policy(const char *path, const char *policy, struct scenario **out,
                                                 struct scenario_diags *diags);
CORE_MUST_USE int scenario_load_buffer_with_policy(const char *name, const char *buf, size_t len,
                                                   const char *base_dir, const char *policy,
                                                   struct scenario **out, struct scenario_diags *diags);
void scenario_free(struct scenario *s);

/* The policy in force for an insurer: its own overrides, else the scenario's. */
const struct policy *scenario_insurer_policy(const struct scenario *s, int insurer);
/* An index by id, or SCENARIO_NONE. */
int scenario_find_insurer(const struct scenario *s, const char *id);
int scenario_find_clinic(const struct scenario *s, const char *id);
int scenario_find_resident(const struct scenario *s, const char *id);

/* Words of the vocabulary, for reports (the YAML word of each enum value). */
const char *scenario_document_word(enum scenario_document d);
const char *scenario_event_word(enum scenario_event_kind k);
const char *scenario_expect_word(enum scenario_expect_kind k);
/* Words of docs/SCENARIO-FORMAT.md for the expectation values, for messages and reports: the same tables the
 * reader parses with. "none" for SCENARIO_ROUTE_NONE and SCENARIO_WARNING_NONE, "?" out of range. */
const char *scenario_outcome_word(enum scenario_outcome o);
const char *scenario_route_word(enum scenario_route r);
const char *scenario_check_word(enum scenario_check_result c);
const char *scenario_warning_word(enum scenario_warning w);
/* "paper_card,card": the documents of a set, in vocabulary order, joined by `sep`; "" for none. Returns the
 * length the whole text needs, as snprintf does. */
size_t scenario_documents_format(unsigned docs, const char *sep, char *out, size_t cap);

/* Replaces the file's policy with `name_or_path` (a shipped name, or a path relative to the current
 * directory): `mynasim run --policy`. Refused (CORE_EINVAL) when an insurer overrides policy parameters,
 * since those overrides were applied to the file's policy when it was read. `name_or_path` is kept as
 * policy_ref: it must outlive the scenario. */
CORE_MUST_USE int scenario_policy_replace(struct scenario *s, const char *name_or_path,
                                          struct core_error *err);

/*
 * Expands FILE|DIR arguments into a sorted list of files: a FILE is taken as given, a DIR contributes every
 * `*.yaml` file below it (recursively; names starting with '.' are skipped). Sorted by path, duplicates
 * removed, so a run over a directory is the same on every machine. Free with scenario_paths_free.
 */
CORE_MUST_USE int scenario_paths_expand(char *const *args, size_t nargs, char ***out, size_t *count,
                                        struct core_error *err);
void scenario_paths_free(char **paths, size_t count);

/* ==== writing (sim/scenario/write.c) ===================================================================
 * A validated scenario as YAML the reader takes again (docs/POPULATIONS.md, "From a population failure to a
 * scenario"): every field the struct holds, ids by name, one flow mapping per item; reading the text gives the
 * same scenario (positions aside). `sel` (NULL: everything) leaves out residents, events or expectations:
 * NULL arrays keep all; an event or expectation of a resident left out is left out too. Refused (CORE_EINVAL):
 * an insurer with `policy:` overrides, which the struct keeps merged, not as written. *out is a heap buffer
 * (free it), NUL-terminated, *len its length without the NUL. */
struct scenario_write_select {
    const bool *residents; /* resident_count entries, or NULL */
    const bool *events;    /* event_count entries, or NULL */
    const bool *expects;   /* expect_count entries, or NULL */
};
CORE_MUST_USE int scenario_write(const struct scenario *s, const struct scenario_write_select *sel,
                                 char **out, size_t *len, struct core_error *err);

#endif
