/*
 * stage: the set of the wire path. For each visit it puts the holder's virtual card in a reader, gives the
 * clinic its registered reader device, sets the eligibility service's date and outage, and runs the clinic's
 * reception flow (sim/clinic/reception.c); out come the card's eligibility answer and the desk's decision.
 * Two stages behind one ops table (stage_int.h), chosen when the stage is made:
 *   local   the card is a `struct card` read through the in-process pcsc reader; the service is an
 *           eligibility_service over a given registry, in process.
 *   remote  the same reception code against real processes (docs/WIRE.md): the service over HTTP (`mynasim serve
 *           --control`: its date, its outage and the clinics' reader devices set through its control routes),
 *           the card read through PC/SC from `mynasim card serve --control`, whose slot gets each visit's card
 *           between a `save` and a `restore` of the slot (`issue PROFILE SERIAL STATEFILE`).
 * Either way the stage's own in-process card is the source of truth: its state is saved before and restored
 * after every visit, so a visit leaves no trace on any card. Faults are produced for real (struct
 * clinic_faults): a borrowed certificate is the certificate of a card J-LIS never recorded, a PIN block is
 * made by sending wrong PINs until the card answers 63C0, an unshowable name gets a character CP932 cannot
 * show.
 *
 * The stage never knows the world: no resident, insurer, membership, document history or ground truth. A
 * card is a stable id and a card profile (what any card is made of); a visit is a clinic, the clinic_input
 * the rules path would hand clinic_decide, the faults, the outage and whether the PIN is blocked.
 */
#ifndef MYNASIM_STAGE_H
#define MYNASIM_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card/card.h"
#include "clinic/clinic.h"
#include "core/core.h"
#include "eligibility/eligibility.h"
#include "policy/policy.h"

struct stage;

/* A clinic of the stage: a reader device registered with the service, and the institution code its requests
 * carry. Clinics are named by their index in the array the stage was made with. */
struct stage_clinic {
    const char *device;      /* the reader device's name: its key is derived from it (clinic_device_new) */
    const char *institution; /* MedicalInstitutionCode: 10 digits */
};

/* Where the remote stage's processes are (docs/WIRE.md). */
struct stage_remote {
    const char *service; /* "HOST:PORT" (IPv4) of `mynasim serve --control` */
    const char *reader;  /* a part of the PC/SC reader's name; NULL or "": the first reader with a card */
    const char *card_control; /* the control socket of `mynasim card serve --control` */
    /* Called with each new date before the service is told it (`mynasim run --process` steps its processes'
     * clock file there; docs/WIRE.md). Anything but CORE_OK stops the visit with that error. NULL: none. */
    int (*on_date)(void *ctx, core_day on, struct core_error *err);
    void *on_date_ctx;
    /* Called instead of on_date (with on_date_ctx) when given: with the date and the visit's time of day
     * (stage_visit's minute; -1 for a visit without one, as the online check alone) each time either changes,
     * before the service is told the date: `mynasim run --process` sets its clock file to the visit's time. */
    int (*on_time)(void *ctx, core_day on, int minute, struct core_error *err);
};

/* A local stage: the service answers over `reg` (not owned; it must outlive the stage). The cards are made
 * with `policy` (not owned). The clinics are copied. */
CORE_MUST_USE int stage_new_local(const struct eligibility_registry *reg, const struct policy *policy,
                                  const struct stage_clinic *clinics, size_t nclinics, struct stage **out,
                                  struct core_error *err);
/* A remote stage: checks every process answers (refused with a message naming what is unreachable: the
 * service, the card server's control channel, a socket that is not a card server's, no card in the PC/SC
 * reader) and registers the clinics' reader devices with the service. */
CORE_MUST_USE int stage_new_remote(const struct stage_remote *remote, const struct policy *policy,
                                   const struct stage_clinic *clinics, size_t nclinics, struct stage **out,
                                   struct core_error *err);
void stage_free(struct stage *s);
/* "local" or "remote". */
const char *stage_kind(const struct stage *s);
/* The first failure of a visit on the way (a process that stopped answering, a card the server refused), for a
 * run's error message; NULL when none. */
const char *stage_error(const struct stage *s);

/* A card to present. The same id and profile.auth_cert_serial are the same card: it is personalised once
 * (card_new with the stage's policy) and kept for the stage's life. The holder keys profile.auth_pin (a
 * face-only card has none); the desk keys PIN-B from the holder's birth date, security code and the card's
 * expiry as printed. */
struct stage_card {
    uint64_t id;
    struct card_profile profile;
};

/* One visit. */
struct stage_visit {
    size_t clinic; /* index of the stage's clinic */
    const struct stage_card
        *card; /* the card in hand, or NULL; in->presented->card says whether it is shown */
    struct clinic_faults faults;
    bool service_down;             /* the eligibility system is down that day */
    bool pin_blocked;              /* the holder mistyped the PIN until the card blocked it */
    const char *holder_name;       /* the holder's name as the service's answer carries it; NULL or "": a
                                      placeholder (unshowable_name prefixes a character CP932 cannot show) */
    const struct clinic_input *in; /* what the rules path hands clinic_decide: on, visit, reader, online_ok,
                                      presented, record, policy (its answers are not read) */
    /* The PIN the holder types, as at a live terminal (`mynasim terminal`'s present, docs/TERMINAL.md); NULL:
     * the holder keys their own PIN where the reader asks for one, and the face is tried first at a face
     * reader. Given: the PIN route (a face reader skips the camera, as the holder chooses PIN at its screen),
     * and the card keeps what the VERIFY did to its counter after the visit (a wrong PIN uses a try, a right
     * one resets them), as a real card does; everything else of the visit leaves no trace, as always. */
    const char *pin_typed;
    /* The visit's time of day in minutes after midnight Japan time (0..1439) when `timed`; the remote stage's
     * on_time hook gets it. Not timed: -1 to the hook. */
    bool timed;
    int minute;
};

/* Runs the visit: *out gets the decision, *card the card's answer when the card was shown (else untouched).
 * CORE_OK for every answer of the card or the service (a refusal is an answer); CORE_EINVAL for a bad input;
 * else the failure of the stage's own machinery (card, reader, process), also kept for stage_error. */
CORE_MUST_USE int stage_desk(struct stage *s, const struct stage_visit *v, struct eligibility_answer *card,
                             struct clinic_decision *out, struct core_error *err);

/* The online check alone (a first visit showing only the card, no faults). */
struct stage_check_input {
    size_t clinic;
    const struct stage_card *card; /* required */
    core_day on;
    enum clinic_reader reader;
    bool online_ok; /* the clinic's reader and online check work that day */
    bool service_down;
    bool pin_blocked;
};
/* *out gets the card's answer (cleared first). */
CORE_MUST_USE int stage_check(struct stage *s, const struct stage_check_input *c,
                              struct eligibility_answer *out, struct core_error *err);

/* The scenario's PINs (scenario.h, SCENARIO_PINS) are the card's (card.h, CARD_PINS): X(SCENARIO_NAME, CARD_NAME),
 * one entry for each scenario PIN. `info` is the card-info input support PIN, the card's "text" PIN. */
#define STAGE_PINS(X) X(AUTH, AUTH) X(INFO, TEXT) X(SIGN, SIGN)
#define STAGE_PIN_COUNTED(s, c) +1
#define STAGE_PIN_NAMED(s, c)                                                                                \
    _Static_assert((int)SCENARIO_PIN_##s < (int)SCENARIO_PIN_COUNT &&                                        \
                       (int)CARD_PIN_##c < (int)CARD_PIN_COUNT,                                              \
                   "PIN " #s);
_Static_assert(0 STAGE_PINS(STAGE_PIN_COUNTED) == SCENARIO_PIN_COUNT, "STAGE_PINS names every scenario PIN");
STAGE_PINS(STAGE_PIN_NAMED)

/* SCENARIO_FAULT_BIT set (docs/SCENARIO-FORMAT.md `faults:`) → the faults the reception produces. */
struct clinic_faults stage_faults(unsigned scenario_faults);

#endif
