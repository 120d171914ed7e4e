/*
 * world: the ground truth of a scenario. Residents, households, insurers and their memberships over time,
 * the documents each resident holds (paper card, My Number card, certificate, notice, portal) with the days
 * they are usable, the card's life (issue, registration, withdrawal, loss, suspension, reissue, return,
 * certificate and card expiry, PIN blocks, face-only cards), and the rules of docs/RULES.md that issue documents
 * and file changes with the eligibility registry. Every event the engine makes carries the id of the rule
 * that caused it.
 *
 * The world drives the other actors the way reality does: it files with the registry (sim/eligibility) and
 * hands the desk (sim/clinic) only what a resident shows, then judges the desk's decision against its own
 * truth (claim errors, DESK-2). The daily invariants INV-1..3 are computed on day ranges, after each day's
 * events, for every resident from 2024-12-02: never a loop over days.
 *
 * After world_run() the world is read-only: the queries below answer "as of day D, after all of D's events"
 * from the history the world keeps, so a probe (an expectation's visit or online check) changes nothing.
 *
 * The world never prints, never reads a clock (the period is virtual), and never reaches inside the card:
 * the rules path reads the card's state as a plain struct (card_profile_check), PINs included.
 */
#ifndef MYNASIM_WORLD_H
#define MYNASIM_WORLD_H

#include "clinic/clinic.h"
#include "core/core.h"
#include "eligibility/eligibility.h"
#include "policy/policy.h"
#include "scenario/scenario.h"

struct world;

/* Builds the world of a validated scenario (its residents, insurers, clinics, events; populations later). */
CORE_MUST_USE int world_new(const struct scenario *scn, struct world **out, struct core_error *err);
/* Replays the whole period: engine events and the scenario's events in date order (same-day scenario events
 * in file order), filings with the registry, visits, then the invariants. */
CORE_MUST_USE int world_run(struct world *w, struct core_error *err);
void world_free(struct world *w);

/* The path visits and probes of named residents take (docs/DESIGN.md, the two paths): RULES calls the registry's
 * check and clinic_decide directly; WIRE runs the reception flow (sim/clinic reception.c: APDUs to a virtual
 * card per card the world issues, request and response messages through an eligibility service over the
 * world's registry). Both must decide alike. Chosen after world_new, before world_run; the invariants always
 * take the rules path. Default RULES. */
enum world_fidelity {
    WORLD_FIDELITY_RULES,
    WORLD_FIDELITY_WIRE,
};
CORE_MUST_USE int world_set_fidelity(struct world *w, enum world_fidelity fidelity, struct core_error *err);

/* The wire path against real processes (docs/WIRE.md): the same reception flow, its request messages and
 * nonces over HTTP to `mynasim serve --control` replaying the same scenario (the date and the outage set for each
 * visit, the clinics' reader devices registered once), the card read through PC/SC from `mynasim card serve
 * --control`, whose slot gets each visit's card (issued from what the world knows of it, with the state of the
 * world's in-process card) between a `save` and a `restore` of the slot. Implies WORLD_FIDELITY_WIRE; chosen
 * after world_new, before world_run. Fails with a message naming what is unreachable. */
struct world_wire_remote {
    const char *service;      /* "HOST:PORT" of the eligibility service (IPv4) */
    const char *reader;       /* a part of the PC/SC reader's name ("Virtual PCD"); NULL or "": the first */
    const char *card_control; /* the card server's control socket (a path) */
    /* Called with each new date of the service, before it is told (stage.h, struct stage_remote): `mynasim run
     * --process` steps its processes' clock file there. NULL: none. */
    int (*on_date)(void *ctx, core_day on, struct core_error *err);
    void *on_date_ctx;
    /* Called instead of on_date when given (struct stage_remote's on_time): with the visit's time of day too
     * (`time:`, minutes after midnight Japan time, SCENARIO_VISIT_TIME_DEFAULT when the file gives none; -1 for
     * an online check alone), each time the date or the time changes. */
    int (*on_time)(void *ctx, core_day on, int minute, struct core_error *err);
};
CORE_MUST_USE int world_set_wire_remote(struct world *w, const struct world_wire_remote *remote,
                                        struct core_error *err);
/* The first failure on the remote wire path during the run (world_run's error then says only that the desk
 * could not decide), or NULL. */
const char *world_wire_error(const struct world *w);

/* ---- what happened --------------------------------------------------------------------------------- */

/* One event, from the scenario or made by the engine. Strings are static or owned by the world. */
struct world_event {
    core_day day;
    int resident; /* index into the scenario's residents; SCENARIO_NONE for a clinic's event */
    const char
        *what; /* a word: "enroll", "certificate_mailed", "notice_mailed", "paper_card_unusable", ... */
    const char *rule;   /* the rule that caused or governed it ("CERT-2", "AGE-75"); "" for none */
    const char *detail; /* for people: "type B", "valid 2025-08-01..2026-07-31", why it failed, ... */
    bool failed;        /* an event the rules made fail (a face-only card registering at the portal) */
    int line;           /* the scenario line of a scenario event; 0 for an engine event */
};
size_t world_event_count(const struct world *w);
/* In date order; within a day, in the order they happened. */
const struct world_event *world_event_at(const struct world *w, size_t i);

/* INV-1's verdict on a day. */
enum world_verdict {
    WORLD_DAY_USABLE,        /* documents in hand get insured care at a face-reader clinic */
    WORLD_DAY_GRACE,         /* only through AMEND-1's look-up: a grace day */
    WORLD_DAY_GAP,           /* insured, but nothing in hand gets insured care: a gap day */
    WORLD_DAY_NOT_INSURED,   /* not insured that day: INV-1 does not apply */
    WORLD_DAY_BEFORE_CHECKS, /* before 2024-12-02 (or before the period) */
};

/* A maximal run of days on which, for one resident, nothing the report shows changes. */
struct world_range {
    core_day from;
    core_day to;      /* included */
    unsigned holds;   /* SCENARIO_DOC_BIT set: documents held usable */
    unsigned in_hand; /* documents in hand, usable or not */
    int insurer;      /* the insurer (index) of the membership in force, SCENARIO_NONE when none */
    enum world_verdict verdict;
    bool degraded; /* INV-2: at a clinic whose reader or online check is down, not insured without the
                         declaration */
    const char
        *rule; /* for a gap or degraded range: the rule that explains it ("PAPER-2", "MYNA-6"); else "" */
};
size_t world_range_count(const struct world *w, int resident);
const struct world_range *world_range_at(const struct world *w, int resident, size_t i);

/* A resident's identities as the run gave them, for a user to type into their own system (identities.c; the
 * JSON report's `identity`): the My Number, each membership's numbers, each card's id and certificates. */
struct world_membership {
    int insurer; /* scenario index */
    enum scenario_role role;
    int of;            /* a dependent's insured (resident index); SCENARIO_NONE otherwise */
    core_day from, to; /* the first and last day; to is CORE_DAY_NONE while open */
    struct eligibility_numbers numbers;
};
struct world_card {
    uint64_t id;             /* the card's serial */
    core_day got;            /* the day it was issued */
    size_t cert_count;       /* its user authentication certificates, oldest first */
    uint64_t cert_serial[8]; /* their serials (what the card route presents) */
};
const char *world_my_number(const struct world *w, int resident); /* 12 digits; "" for no such resident */
size_t world_membership_count(const struct world *w, int resident);
CORE_MUST_USE int world_membership_at(const struct world *w, int resident, size_t i,
                                      struct world_membership *out);
size_t world_card_count(const struct world *w, int resident);
CORE_MUST_USE int world_card_at(const struct world *w, int resident, size_t i, struct world_card *out);

/* Totals over the period; `resident` may be SCENARIO_WHO_ALL for the sum over residents. */
long world_gap_days(const struct world *w, int resident);
long world_grace_days(const struct world *w, int resident);
long world_degraded_days(const struct world *w, int resident);
long world_claim_errors(const struct world *w, int resident);
/* The first gap day, or CORE_DAY_NONE. */
core_day world_first_gap(const struct world *w, int resident);

/* A visit: one that happened (a `visit` event) or a probe's answer. */
struct world_visit {
    core_day day;
    int resident;
    int clinic; /* index; SCENARIO_NONE: the default working face-reader clinic */
    enum scenario_visit_kind kind;
    unsigned brought; /* documents brought (SCENARIO_DOC_BIT set) */
    unsigned missing; /* brought but not in hand that day: the visit's expectation fails naming them */
    enum eligibility_result card_check; /* what the card route answered; ELIGIBILITY_NO_CARD when no card */
    unsigned warnings;                  /* ELIGIBILITY_WARN_* */
    struct clinic_decision decision;
    bool claim_error; /* DESK-2: decided against the world's truth */
    int line;         /* the scenario line of a visit event; 0 for a probe */
};
size_t world_visit_count(const struct world *w);
const struct world_visit *world_visit_at(const struct world *w, size_t i);

/* Insurers: the scenario's (same indexes) then any the engine created (AGE-75's `latter-elderly`, `nhi`). */
size_t world_insurer_count(const struct world *w);
const char *world_insurer_id(const struct world *w, int insurer);
/* The insurer number in use (given, or generated from the seed). */
const char *world_insurer_number(const struct world *w, int insurer);

/* ---- probes: as of a day, after all its events; they change nothing --------------------------------- */

unsigned world_holds(const struct world *w, int resident, core_day day);   /* usable documents */
unsigned world_in_hand(const struct world *w, int resident, core_day day); /* in hand, usable or not */
/* What a visit that day would come to (the desk's record as of that day, faults applied). */
CORE_MUST_USE int world_probe_visit(const struct world *w, int resident, core_day day,
                                    const struct scenario_visit *visit, struct world_visit *out,
                                    struct core_error *err);
/* The online check with the resident's card that day at `clinic` (SCENARIO_NONE: a working face-reader
 * clinic). */
CORE_MUST_USE int world_probe_check(const struct world *w, int resident, core_day day, int clinic,
                                    struct eligibility_answer *out, struct core_error *err);
/* A session at a live terminal's reader (`mynasim terminal`, docs/TERMINAL.md): world_probe_visit on the wire
 * path (required: CORE_EINVAL otherwise), with the PIN the holder types (NULL: their own; given: the PIN route,
 * and the card keeps what the VERIFY did to its tries: stage.h, pin_typed, the one trace a session leaves).
 * *card gets the card's answer when the card was read (out->card_check says; zeroed otherwise). */
CORE_MUST_USE int world_session(const struct world *w, int resident, core_day day,
                                const struct scenario_visit *visit, const char *pin_typed,
                                struct world_visit *out, struct eligibility_answer *card,
                                struct core_error *err);
/* The 10-digit institution code the wire path gives clinic `clinic` (SCENARIO_NONE: the default face-reader
 * clinic) on its requests, derived from the clinic's id: what a terminal playing that clinic is told. out gets
 * 11 bytes; CORE_EINVAL for no such clinic. */
CORE_MUST_USE int world_clinic_institution(const struct world *w, int clinic, char out[11]);
/* The holder's name (UTF-8, at most 255 bytes) and sex (1 male, 2 female) the wire path prints on the resident's
 * card in hand on `day`: the person the registry's answers show (docs/WIRE.md). CORE_EINVAL for no card that
 * day or a bad resident. */
CORE_MUST_USE int world_card_face(const struct world *w, int resident, core_day day, char name[256],
                                  int *sex);
/* The first day on or before `by` on which a mailing of `doc` (certificate or notice; notice_type
 * SCENARIO_NOTICE_ANY, _A or _B) reached the resident; CORE_DAY_NONE when none did. */
core_day world_received(const struct world *w, int resident, enum scenario_document doc, core_day by,
                        int notice_type);
/* The eligibility registry the world filed with (read-only; owned by the world, valid until world_free):
 * what `mynasim serve` answers from. */
const struct eligibility_registry *world_registry(const struct world *w);

/* ==== populations (sim/world/mix.c, sim/world/population.c) ============================================ */
/*
 * A mix (docs/POPULATIONS.md; fixtures/mixes/national.yaml) says, as data, who a population is made of. A
 * population is generated from (size, mix, seed) one household at a time, each household a small world run
 * through world_new/world_run exactly like named residents, then folded into aggregates and freed: memory
 * stays bounded whatever the size. Households are split over threads in two disjoint ranges; every draw of a
 * household comes from its own stream (core_rng_fork by household index), so the result does not depend on
 * the split.
 */
struct world_mix;

/* A name ([a-z0-9-]+) is a shipped mix (mixes/NAME.yaml, found by policy_find_data); anything else is a path
 * relative to base_dir (may be NULL). Errors carry file:line:column. */
CORE_MUST_USE int world_mix_load(const char *name_or_path, const char *base_dir, struct world_mix **out,
                                 struct core_error *err);
CORE_MUST_USE int world_mix_load_buffer(const char *name, const char *buf, size_t len, struct world_mix **out,
                                        struct core_error *err);
void world_mix_free(struct world_mix *m);
const char *world_mix_name(const struct world_mix *m);
/* The figures a mix's optional `published:` block sets a population against (docs/POPULATIONS.md): the usage
 * rate by month, ascending, each with its source. Generation never reads them; reports draw them. */
struct world_published {
    core_day month;     /* first day of the month */
    long ppm;           /* the published rate, in millionths */
    const char *source; /* where it comes from (owned by the mix) */
};
size_t world_mix_published_count(const struct world_mix *m);
/* Row i (< world_mix_published_count); CORE_ENOTFOUND beyond. */
CORE_MUST_USE int world_mix_published_usage(const struct world_mix *m, size_t i, struct world_published *out);

#define WORLD_POP_RULES_MAX 48
/* Totals of one rule (the rule a gap/grace/degraded range or a claim error's decision names). */
struct world_pop_rule {
    char rule[16];
    long long gap, grace, degraded, claims;
};

struct world_pop_month {
    core_day month;                       /* first day */
    long long online_checks, card_checks; /* usage rate = card_checks / online_checks */
    long long visits;
    long long mailed[SCENARIO_DOC_COUNT]; /* documents mailed (certificate, notice) by kind */
};

struct world_population {
    long long households, residents, visits;
    core_day from, to;
    long long gap, grace, degraded, claims;
    size_t ndays; /* from..to */
    long long *gap_by_day, *grace_by_day, *degraded_by_day, *claims_by_day;
    size_t nrules;
    struct world_pop_rule rules[WORLD_POP_RULES_MAX]; /* in order of first appearance, household order */
    size_t nmonths;
    struct world_pop_month *months;
    core_day months_end; /* the first day after the last month */
    long long cards_start, registered_start, cards_end, registered_end; /* residents holding / registered */
    long long peak_household; /* largest household (residents) held at once */
};

/* Generates and runs scn->population (the scenario's period, policy, outages and seed) with `mix`, on
 * `threads` threads (1 or 2). Free with world_population_free. */
CORE_MUST_USE int world_population_run(const struct scenario *scn, const struct world_mix *mix, int threads,
                                       struct world_population **out, struct core_error *err);
void world_population_free(struct world_population *p);

/* Per-resident detail (`mynasim run --detail`): one finished household, handed over before it is freed. */
struct world_pop_household {
    long long index;                  /* 0, 1, ... in generation order; residents are "h<index>-<n>" */
    const struct scenario *scn;       /* the household as a scenario: residents, insurers, clinics */
    const struct world *world;        /* its replayed world (ranges, events) */
    const struct world_visit *visits; /* the population's visits of this household (probes), in plan order */
    size_t visit_count;
};
/* Called once per household, in household order; anything but CORE_OK stops the run with that code. */
typedef int (*world_population_detail_fn)(void *ctx, const struct world_pop_household *hh,
                                          struct core_error *err);
/* world_population_run, calling `detail` (when not NULL) with each finished household. With `detail`, one
 * thread runs the households in order, so the calls come in a deterministic order and memory stays one
 * household; the aggregates are the same. */
CORE_MUST_USE int world_population_run_detail(const struct scenario *scn, const struct world_mix *mix,
                                              int threads, world_population_detail_fn detail,
                                              void *detail_ctx, struct world_population **out,
                                              struct core_error *err);
/* Card-route checks / all online checks in the month of `month`, in millionths; -1 when no online check. */
long world_population_usage_ppm(const struct world_population *p, core_day month);

/* ==== read-only exports (sim/world/export.c) ==============================================================
 * The records of a run world as plain values, for the conformance suites (sim/conform): what an insurer's
 * system knows of its members on a day, and the mailings the engine sent. They change nothing; indexes are
 * those of the scenario's residents and of world_insurer_id. */

/* Memberships: world_membership_count / world_membership_at above (identities.c), one record for both uses. */

/* A document (paper card, certificate, notice) the resident held or was mailed. */
struct world_document_info {
    enum scenario_document kind;
    size_t membership; /* index for world_membership_at */
    int insurer;
    core_day got, lost; /* in hand from got to lost - 1; lost CORE_DAY_NONE: never lost */
    core_day from, to;  /* printed validity; to CORE_DAY_NONE: none printed (a notice) */
    char notice_type;   /* 'A' / 'B' for a notice, 0 otherwise */
    bool carer;         /* a certificate applied for under CERT-5 B (renewed as one, CERT-8) */
    bool mailed;        /* received by post during the run (not held at the start, not a paper card) */
};
size_t world_document_count(const struct world *w, int resident);
bool world_document_at(const struct world *w, int resident, size_t i, struct world_document_info *out);

/* The My Number card in hand on a day and its certificate that day. */
struct world_card_info {
    core_day got, expires;
    bool face_only;
    bool has_cert;          /* false: the card carries no certificate */
    core_day cert_expires;  /* the certificate's expiry */
    core_day cert_pass_end; /* its last day passing the check (AMEND-3's grace) */
};
bool world_card_on(const struct world *w, int resident, core_day day, struct world_card_info *out);
/* Registered for insurance use on the day (MYNA-1, MYNA-5), and マイナ保険証 that day (registered card in hand,
 * body and certificate passing). */
bool world_registered_on(const struct world *w, int resident, core_day day);
bool world_has_myna(const struct world *w, int resident, core_day day);

enum scenario_insurer_kind world_insurer_kind(const struct world *w, int insurer);
/* The policy an insurer's decisions read (its overrides applied); the world's policy for SCENARIO_NONE. */
const struct policy *world_insurer_policy(const struct world *w, int insurer);
/* D-3: the first day of the transition (paper_card.last_issue + 1, or the period's first day). */
core_day world_checks_from(const struct world *w);

/* A mailing the engine sent (a certificate or a notice), with the rule that sent it. */
struct world_mailing {
    core_day day;
    int resident;
    enum scenario_document kind; /* SCENARIO_DOC_CERTIFICATE or SCENARIO_DOC_NOTICE */
    int insurer;
    core_day from, to; /* to: CORE_DAY_NONE for a notice */
    char notice_type;  /* 'A' / 'B' for a notice */
    const char *rule;
};
/* Whether event i (world_event_at) is a mailing (certificate_mailed, notice_mailed), and then what was mailed. */
CORE_MUST_USE bool world_event_mailing(const struct world *w, size_t i, struct world_mailing *out);
#endif
