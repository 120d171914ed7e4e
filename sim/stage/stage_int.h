/* Private to sim/stage: the stage and the ops table through which its shared code (stage.c) reaches the local
 * (stage_local.c) or the remote (stage_remote.c) implementation, the way OpenSC reaches a card driver through
 * its operations table. Shared code never asks which one it has. */
#ifndef MYNASIM_STAGE_INT_H
#define MYNASIM_STAGE_INT_H

#include "pcsc/pcsc.h"
#include "stage/stage.h"

/* A card the stage made: its in-process card (the source of truth) in its in-process reader. */
struct stage_slot {
    uint64_t id, serial;
    struct card *card;
    struct pcsc_reader *reader;
    char pin[17]; /* what the holder keys; "" for a face-only card */
};

struct stage_clinic_dev {
    struct clinic_device *device;
    char institution[11];
};

struct stage_ops {
    const char *name;
    /* Makes the implementation's part (s->impl) from `how` (the registry, or a struct stage_remote), once the
     * clinics' devices exist; on failure stage_free follows. */
    int (*open)(struct stage *s, const void *how, struct core_error *err);
    /* Where the desk's requests and nonces go (sets the service, or the transport and nonce hooks). */
    void (*connect)(struct stage *s, struct clinic_reception *in);
    /* The service's date and outage for a visit where a request can go. */
    int (*set_service)(struct stage *s, core_day on, bool down, struct core_error *err);
    /* Puts the slot's card, in the state `state`, where the desk reads it; *reader gets that reader. */
    int (*card_in)(struct stage *s, struct stage_slot *slot, const struct card_profile *profile,
                   const uint8_t *state, size_t state_len, struct pcsc_reader **reader,
                   struct core_error *err);
    /* Takes it out after the visit (card_in succeeded). */
    int (*card_out)(struct stage *s, struct stage_slot *slot, struct core_error *err);
    /* Frees s->impl (and what it made on the way: files, connections). */
    void (*free)(struct stage *s);
};

extern const struct stage_ops stage_local_ops;
extern const struct stage_ops stage_remote_ops;

struct stage {
    const struct stage_ops *ops;
    void *impl;
    const struct policy *policy;
    struct stage_clinic_dev *clinics;
    size_t nclinics;
    struct stage_slot *slots;
    size_t nslots, capslots;
    struct card *stranger; /* a card J-LIS never recorded: the borrowed certificate */
    char error[512];       /* the first failure of a visit */
    int minute;            /* the visit being run: its time of day (stage_visit), -1 when not timed */
};

/* Keeps the first failure's message; returns rc. */
int stage_fail(struct stage *s, int rc, const struct core_error *err);

#endif
