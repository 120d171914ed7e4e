/* Private to sim/world: the world's records and the functions its files share. A resident's life is kept as
 * intervals: memberships, documents (with the days they were in hand), cards and their certificates, PIN blocks
 * and registrations. The engine (engine.c) writes them; history.c reads them as of a day, and everything else
 * (the desk and probes in visits.c, the invariants in invariants.c, the public readers in queries.c) asks
 * history.c. Functions shared across files carry the w_ prefix and are declared here only. */
#ifndef MYNASIM_WORLD_INT_H
#define MYNASIM_WORLD_INT_H

#include "world/world.h"

#define W_NEVER INT32_MAX
#define W_CERTS_MAX 8

struct wmem {
    int insurer;
    enum scenario_role role;
    int of;
    core_day from, to; /* to: last day, W_NEVER while open */
    struct eligibility_numbers numbers;
    uint32_t reg_id;
    core_day loss_filed; /* CORE_DAY_NONE while no loss is filed */
};

struct wdoc {
    enum scenario_document kind; /* paper card, certificate or notice */
    int mem;                     /* the membership printed on it */
    core_day got, lost;          /* in hand from `got` to `lost` - 1 */
    core_day from, to;           /* printed validity (paper card: issue .. last usable by PAPER-2) */
    char notice_type;            /* 'A' / 'B' */
    bool mailed;                 /* a mailing (received), not a document held at the start */
    bool carer;                  /* a certificate applied for under CERT-5 B (CERT-8): renewed as one */
};

struct wcert {
    uint64_t serial;
    core_day from, expires;
    core_day grace_from,
        grace_to; /* AMEND-3's grace past `expires` (none: grace_to < grace_from), w_cert_grace */
};

struct wcard {
    uint64_t id;
    core_day got, lost; /* in hand from got to lost - 1 */
    bool face_only;
    core_day expires;
    int ncert;
    struct wcert cert[W_CERTS_MAX];
    /* Tries left now (during the run), by enum scenario_pin: auth, info, sign. */
    int tries[SCENARIO_PIN_COUNT];
};

struct wblock {
    uint64_t card;
    int pin;           /* enum scenario_pin */
    core_day from, to; /* to: last blocked day, W_NEVER while blocked */
};

struct wreg {
    core_day from, until; /* registered (truth as the registry shows it) from .. until - 1 */
};

struct wres {
    const struct scenario_resident *sr;
    uint32_t person;
    char my_number[13];
    struct wmem *mems;
    size_t nmem, capmem;
    struct wdoc *docs;
    size_t ndoc, capdoc;
    struct wcard *cards;
    size_t ncard, capcard;
    struct wblock *blocks;
    size_t nblock, capblock;
    struct wreg *regs;
    size_t nreg, capreg;
    struct world_range *ranges;
    size_t nrange, caprange;
    long gap, grace, degraded, claims;
    core_day first_gap;
    uint32_t vfirst, vlast; /* this resident's recorded visits: 1 + index into world's visits, chained by
                             * the world's vnext in the order recorded; 0 none (visits.c) */
};

struct winsurer {
    char id[SCENARIO_ID_MAX];
    enum scenario_insurer_kind kind;
    char number[9];
    const struct policy *policy;
    int next_member;
};

struct wevent {
    struct world_event pub;
    char detail[96];
    uint32_t seq;
};

struct wclinic {
    struct scenario_period *down;
    size_t ndown, capdown;
};

struct wact {
    core_day day;
    uint32_t seq;
    int kind;
    int res;
    int arg;
    bool done;
};

struct world {
    const struct scenario *scn;
    const struct policy *policy;
    struct eligibility_registry *reg;
    struct core_rng rng;
    int visit_minute; /* the visit event being run: its time of day (minutes, Japan time); -1 otherwise */
    struct wres *res;
    size_t nres;
    struct winsurer *ins;
    size_t nins, capins;
    struct wclinic *clinics;
    struct wevent *events;
    size_t nevent, capevent;
    struct world_visit *visits;
    size_t nvisit, capvisit;
    uint32_t *vnext; /* parallel to visits: 1 + the same resident's next recorded visit, 0 none */
    size_t capvnext;
    struct wact *acts;
    size_t nact, capact;
    uint32_t seq;
    core_day checks_from; /* D-3: the day after paper_card.last_issue */
    uint64_t next_card;
    bool ran;
    struct world_wire *wire; /* --fidelity wire (wire.c); NULL on the rules path */
};

/* ---- the engine (engine.c) ---- */

CORE_MUST_USE int w_grow(void **p, size_t *cap, size_t need, size_t size);

/* ---- as of day D (history.c): one reader per question ---- */

/* `resident` is an index of the world's residents. */
bool w_res_ok(const struct world *w, int resident);
/* The membership in force on d (the latest opened when two overlap), or SCENARIO_NONE. */
int w_mem_on(const struct wres *r, core_day d);
/* The My Number card in hand on d (got <= d < lost), or NULL. */
const struct wcard *w_card_in_hand(const struct wres *r, core_day d);
/* The card's certificate on d: the latest issued on or before d (the first before then; a card gets its first
 * with the card). NULL when the card carries none: it then has no certificate to read on any day. */
const struct wcert *w_cert_on(const struct wcard *c, core_day d);
/* Registered for insurance use on d (MYNA-1; a withdrawal ends it when it reaches the system, MYNA-5). */
bool w_registered(const struct wres *r, core_day d);
/* The card's authentication PIN is blocked on d (MYNA-7). */
bool w_pin_blocked(const struct wres *r, uint64_t card, core_day d);
/* Sets c->grace_from/grace_to from c->expires: the check's own reading (eligibility_cert_grace; docs/RULES.md,
 * AMEND-3: a grace is fixed when it begins). Called once when the certificate is made. */
CORE_MUST_USE int w_cert_grace(const struct world *w, struct wcert *c);
/* The last day the certificate passes the check: its expiry, or the end of its grace when it gets one. */
core_day w_cert_pass_end(const struct world *w, const struct wcert *c);
/* The certificate passes the check's dates on d (MYNA-3: not yet expired, or inside its AMEND-3 grace). */
bool w_cert_passes(const struct wcert *c, core_day d);
/* マイナ保険証 on d: a registered card in hand whose body and certificate (with AMEND-3's grace) pass. */
bool w_has_myna(const struct world *w, const struct wres *r, core_day d);
/* The document is usable on d: in hand, inside its printed validity, its membership in force (PAPER-3, CERT-3). */
bool w_doc_usable(const struct wres *r, const struct wdoc *doc, core_day d);
/* A usable document of that kind (of membership `mem`, or any when mem < 0) on d. */
bool w_holds_doc(const struct wres *r, enum scenario_document kind, int mem, core_day d);
/* A certificate of membership `mem` in hand on d whose printed validity has not ended by d. */
bool w_cert_covering(const struct wres *r, int mem, core_day d);
/* A notice of membership `mem` not lost by d (in hand, or mailed to arrive later). */
bool w_notice_of(const struct wres *r, int mem, core_day d);
/* The portal opens on d: a card in hand with a PIN, not blocked, and registered. */
bool w_portal(const struct wres *r, core_day d);
/* A scenario `outage` (the eligibility system down) on d. */
bool w_in_outage(const struct world *w, core_day d);
/* The clinic's reader and online check are down on d (`clinic_down`); false for SCENARIO_NONE. */
bool w_clinic_down(const struct world *w, int clinic, core_day d);

/* What a resident has on a day, read once and shared by the invariants' and a visit's questions: which
 * document of each kind is shown (a usable one when there is, else the latest in hand), the usable kinds
 * (holds) and the kinds in hand, the card in hand, and whether the portal opens. */
struct w_day {
    int pick[SCENARIO_DOC_COUNT]; /* -1: none of that kind in hand */
    unsigned holds, in_hand;
    const struct wcard *card;
    bool portal;
};
void w_day_of(const struct wres *r, core_day d, struct w_day *out);
/* SCENARIO_DOC_BIT sets of w_day_of: usable (held) and in hand. */
unsigned w_holds(const struct wres *r, core_day d);
unsigned w_in_hand(const struct wres *r, core_day d);

/* ---- visits (visits.c) ---- */

/* One desk decision (visits.c): where, what the clinic can do, the visit and its faults. */
struct w_desk_env {
    core_day day;
    enum clinic_reader reader;
    bool online_ok;
    bool service_down;
    struct clinic_faults fault; /* `faults` as the desk reads them (stage_faults) */
    enum clinic_visit kind;
    const struct clinic_record *record;
    bool wire;       /* a visit or probe: the wire path when the world has one (wire.c) */
    int clinic;      /* for the wire path's reader device */
    unsigned faults; /* SCENARIO_FAULT_BIT set, for the wire path: the faults produced for real */
    /* The invariants: only whether care is insured (clinic_input.outcome_only); where the clinic has no
     * online check the registry is not asked at all, since clinic_decide would not read its answers. */
    bool outcome_only;
    const char *pin_typed; /* the wire path: the PIN the holder types (stage.h); NULL: their own */
};

/* What the desk decided, the card's answer, and which document of each kind was shown (-1: none). */
struct w_desk_out {
    struct clinic_decision decision;
    struct eligibility_answer card;
    int docs[SCENARIO_DOC_COUNT];
    bool card_shown;
};

/* What the desk decides for resident r, who brings `bring` (SCENARIO_DOC_BIT set) of what `day` (w_day_of on
 * env->day) says is in hand: clinic_decide on the rules path, the reception flow when env->wire and the world
 * has a wire path. */
CORE_MUST_USE int w_desk(const struct world *w, const struct wres *r, unsigned bring,
                         const struct w_desk_env *env, const struct w_day *day, struct w_desk_out *o);

/* A visit event of resident `ri` on `day` (scenario line `line`): the desk's decision and the claim error
 * (DESK-2), counted against the resident. */
CORE_MUST_USE int w_visit(struct world *w, int ri, core_day day, const struct scenario_visit *v, int line,
                          struct world_visit *out, struct core_error *err);

/* ---- invariants (invariants.c) ---- */

/* INV-1/INV-2 for every resident on day ranges, after the run. */
CORE_MUST_USE int w_judge(struct world *w, struct core_error *err);

/* ---- the wire path (wire.c) ---- */
struct world_wire;
struct w_wire_visit {
    int resident;
    const struct wcard *card; /* in hand, or NULL */
    const struct wcert *cert; /* its certificate that day */
    int clinic;               /* SCENARIO_NONE: the default face-reader clinic */
    unsigned faults;          /* SCENARIO_FAULT_BIT set */
    bool service_down;
    bool pin_blocked;
    const struct clinic_input
        *in;               /* what the rules path hands clinic_decide (presented, reader, record...) */
    const char *pin_typed; /* the PIN the holder types (stage.h); NULL: their own */
};
/* Records visit `v` (its resident's) after the others, indexed by resident so that a desk record reads only
 * that resident's visits (visits.c). */
CORE_MUST_USE int w_visit_keep(struct world *w, const struct world_visit *v);

/* The visit on the wire: the card's answer (when the card was shown) and the decision. */
CORE_MUST_USE int w_wire_desk(const struct world *w, const struct w_wire_visit *v,
                              struct eligibility_answer *card, struct clinic_decision *out);
/* The online check alone with the card in hand (world_probe_check on the wire path). */
CORE_MUST_USE int w_wire_check(const struct world *w, int resident, const struct wcard *card, core_day day,
                               int clinic, enum clinic_reader reader, bool online_ok, bool service_down,
                               bool pin_blocked, struct eligibility_answer *out);
void w_wire_free(struct world_wire *wire);

#endif
