/* Private to sim/world: the world's records, shared by the engine (world.c) and the judge (judge.c). A
 * resident's life is kept as intervals: memberships, documents (with the days they were in hand), cards and
 * their certificates, PIN blocks and registrations. Everything the probes answer is read from these. */
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
};

struct wcard {
    uint64_t id;
    core_day got, lost; /* in hand from got to lost - 1 */
    bool face_only;
    core_day expires;
    int ncert;
    struct wcert cert[W_CERTS_MAX];
    int tries[3]; /* auth, info, sign: tries left now (during the run) */
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
    struct wres *res;
    size_t nres;
    struct winsurer *ins;
    size_t nins, capins;
    struct wclinic *clinics;
    struct wevent *events;
    size_t nevent, capevent;
    struct world_visit *visits;
    size_t nvisit, capvisit;
    struct wact *acts;
    size_t nact, capact;
    uint32_t seq;
    core_day checks_from; /* D-3: the day after paper_card.last_issue */
    uint64_t next_card;
    bool ran;
    struct world_wire *wire; /* --fidelity wire (wire.c); NULL on the rules path */
};

int w_grow(void **p, size_t *cap, size_t need, size_t size);

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
        *in; /* what the rules path hands clinic_decide (presented, reader, record...) */
};
/* The visit on the wire: the card's answer (when the card was shown) and the decision. */
int w_wire_desk(const struct world *w, const struct w_wire_visit *v, struct eligibility_answer *card,
                struct clinic_decision *out);
/* The online check alone with the card in hand (world_probe_check on the wire path). */
int w_wire_check(const struct world *w, int resident, const struct wcard *card, core_day day, int clinic,
                 enum clinic_reader reader, bool online_ok, bool service_down, bool pin_blocked,
                 struct eligibility_answer *out);
void w_wire_free(struct world_wire *wire);

#endif
