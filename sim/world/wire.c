/*
 * wire.c: the world's glue to the stage (sim/stage) for the wire path (`--fidelity wire`). When chosen, the
 * visits and probes of named residents run through the stage instead of calling the registry's check
 * directly; the daily invariants stay on the rules path. The stage knows nothing of the world: this file
 * translates what the world knows into what the stage takes —
 *   - the clinics: one per scenario clinic plus the default face-reader clinic (index 0), each with its reader
 *     device's name and an institution code derived from the clinic's id;
 *   - a card: the world's card id and the profile of one of its certificates, personalised from the resident's
 *     identity and My Number, the serial J-LIS recorded, and PINs derived from the card's id (the holder keys
 *     the PIN: what the world knows is used only where reality puts it);
 *   - a visit: the clinic, the faults of `faults:`, the outage, whether the PIN is blocked that day, the name
 *     the registry's answer carries, and the clinic_input the rules path hands clinic_decide.
 * A local stage answers over the world's registry; world_set_wire_remote makes a remote one (docs/WIRE.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card/card.h"
#include "stage/stage.h"
#include "world/world_int.h"

struct world_wire {
    struct stage *stage;
    bool remote; /* the stage is remote (world_wire_error reports its failures) */
};

void w_wire_free(struct world_wire *wire)
{
    if (wire == NULL)
        return;
    stage_free(wire->stage);
    free(wire);
}

static uint64_t hash_str(const char *s, uint64_t seed)
{
    return core_hash64(s, strlen(s), seed);
}

static void institution_of(const char *id, char out[11])
{
    snprintf(out, 11, "13%08llu", (unsigned long long)(hash_str(id, 13) % 100000000ull));
}

int world_clinic_institution(const struct world *w, int clinic, char out[11])
{
    if (w == NULL || out == NULL || clinic < SCENARIO_NONE ||
        (clinic >= 0 && (size_t)clinic >= w->scn->clinic_count))
        return CORE_EINVAL;
    institution_of(clinic >= 0 ? w->scn->clinics[clinic].id : "default", out);
    return CORE_OK;
}

/* The stage's clinics: [0] the default face-reader clinic, [i] the scenario's clinic i - 1. */
static int make_stage(const struct world *w, const struct world_wire_remote *remote, struct stage **out,
                      struct core_error *err)
{
    size_t n = w->scn->clinic_count + 1;
    struct stage_clinic *clinics = calloc(n, sizeof *clinics);
    char(*inst)[11] = calloc(n, sizeof *inst);
    int rc = clinics == NULL || inst == NULL
                 ? core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory")
                 : CORE_OK;
    for (size_t i = 0; rc == CORE_OK && i < n; i++) {
        const char *id = i == 0 ? "default" : w->scn->clinics[i - 1].id;
        institution_of(id, inst[i]);
        clinics[i].device = i == 0 ? "default-face-clinic" : id;
        clinics[i].institution = inst[i];
    }
    if (rc == CORE_OK && remote == NULL)
        rc = stage_new_local(w->reg, w->policy, clinics, n, out, err);
    else if (rc == CORE_OK) {
        struct stage_remote r = {remote->service, remote->reader,      remote->card_control,
                                 remote->on_date, remote->on_date_ctx, remote->on_time};
        rc = stage_new_remote(&r, w->policy, clinics, n, out, err);
    }
    free(inst);
    free(clinics);
    return rc;
}

int world_set_fidelity(struct world *w, enum world_fidelity fidelity, struct core_error *err)
{
    if (w == NULL || w->ran)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: fidelity is chosen before the run");
    if (fidelity == WORLD_FIDELITY_RULES) {
        w_wire_free(w->wire);
        w->wire = NULL;
        return CORE_OK;
    }
    if (w->wire != NULL)
        return CORE_OK;
    struct world_wire *wire = calloc(1, sizeof *wire);
    if (wire == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory");
    int rc = make_stage(w, NULL, &wire->stage, err);
    if (rc != CORE_OK) {
        w_wire_free(wire);
        return rc;
    }
    w->wire = wire;
    return CORE_OK;
}

int world_set_wire_remote(struct world *w, const struct world_wire_remote *remote, struct core_error *err)
{
    if (w == NULL || remote == NULL || remote->service == NULL || remote->card_control == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "world: the remote wire path needs a service and a card control socket");
    if (w->ran)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: the wire path is chosen before the run");
    if (w->wire != NULL && w->wire->remote) { /* chosen again: from the in-process stage, as the first time */
        w_wire_free(w->wire);
        w->wire = NULL;
    }
    int rc = world_set_fidelity(w, WORLD_FIDELITY_WIRE, err);
    if (rc != CORE_OK)
        return rc;
    struct stage *s = NULL;
    if ((rc = make_stage(w, remote, &s, err)) != CORE_OK)
        return rc;
    stage_free(w->wire->stage);
    w->wire->stage = s;
    w->wire->remote = true;
    return CORE_OK;
}

const char *world_wire_error(const struct world *w)
{
    return w != NULL && w->wire != NULL && w->wire->remote ? stage_error(w->wire->stage) : NULL;
}

/* The holder's name and sex on the card's face: the same person the registry's answers show (Name, Sex1:
 * eligibility_answer_add_person over the person the world filed with the resident's name, kana and sex, each
 * generated from the resident's id when not given), so a reception system comparing the card's face data with
 * the answer sees one person. A given name is printed as given (the answer shows it in JIS X 0208, ● for the
 * rest); a name left to the registry is its generated one. */
static void holder_person(const struct world *w, const struct wres *r, struct card_holder *h)
{
    const struct scenario_identity *id = &r->sr->identity;
    struct eligibility_answer a;
    memset(&a, 0, sizeof a);
    a.has_qualification = true;
    a.qualification.person = r->person;
    /* the person was added when the world was made, so the registry knows it; should it not, the scenario's
     * own fields are all there is */
    bool known = eligibility_answer_add_person(w->reg, &a) == CORE_OK;
    const char *name = id->name != NULL && id->name[0] != '\0' ? id->name : known ? a.qualification.name : "";
    snprintf(h->name, sizeof h->name, "%s", name);
    int sex = known ? a.qualification.sex : id->sex == SCENARIO_SEX_FEMALE ? 2 : 1;
    h->sex = sex == 2 ? CARD_SEX_FEMALE : CARD_SEX_MALE;
}

int world_card_face(const struct world *w, int resident, core_day day, char name[256], int *sex)
{
    if (!w_res_ok(w, resident) || name == NULL || sex == NULL)
        return CORE_EINVAL;
    const struct wres *r = &w->res[resident];
    if (w_card_in_hand(r, day) == NULL)
        return CORE_EINVAL;
    struct card_holder h;
    memset(&h, 0, sizeof h);
    holder_person(w, r, &h);
    memcpy(name, h.name, sizeof h.name);
    *sex = (int)h.sex;
    return CORE_OK;
}

/* The card of one certificate of one of the world's cards. */
static void stage_card_of(const struct world *w, int ri, const struct wcard *c, const struct wcert *cert,
                          struct stage_card *out)
{
    const struct wres *r = &w->res[ri];
    const struct scenario_resident *sr = r->sr;
    struct card_profile *p = &out->profile;
    out->id = c->id;
    card_profile_init(p);
    size_t n = 0;
    for (const char *s = sr->id; *s != '\0' && n < 40; s++) {
        char ch = *s;
        bool ok = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  ch == '-' || ch == '_' || ch == '.';
        p->id[n++] = ok ? ch : '_';
    }
    snprintf(p->id + n, sizeof p->id - n, "-w%llu", (unsigned long long)c->id);
    p->seed = 1;
    holder_person(w, r, &p->holder);
    snprintf(p->holder.address, sizeof p->holder.address, "%s",
             sr->identity.address != NULL && sr->identity.address[0] != '\0' ? sr->identity.address
                                                                             : "東京都千代田区");
    p->holder.born = sr->born;
    memcpy(p->holder.my_number, r->my_number, sizeof p->holder.my_number);
    uint64_t h = hash_str(p->id, 0x9150);
    if (strlen(sr->identity.security_code) == 4)
        memcpy(p->holder.security_code, sr->identity.security_code, 5);
    else
        snprintf(p->holder.security_code, sizeof p->holder.security_code, "%04u", (unsigned)(h % 10000u));
    p->kind = c->face_only ? CARD_KIND_FACE_ONLY : CARD_KIND_NORMAL;
    p->issued = cert->from;
    p->expires = c->expires;
    p->cert_expires = cert->expires;
    p->auth_cert_serial = cert->serial;
    if (!c->face_only) {
        snprintf(p->auth_pin, sizeof p->auth_pin, "%04u", (unsigned)((h >> 16) % 10000u));
        snprintf(p->text_pin, sizeof p->text_pin, "%s", p->auth_pin);
        snprintf(p->sign_password, sizeof p->sign_password, "W%07u", (unsigned)((h >> 32) % 10000000u));
    }
}

/* The stage's clinic: SCENARIO_NONE is the default face-reader clinic. */
static size_t stage_clinic_of(int clinic)
{
    return clinic >= 0 ? (size_t)clinic + 1 : 0;
}

int w_wire_desk(const struct world *w, const struct w_wire_visit *v, struct eligibility_answer *card,
                struct clinic_decision *out)
{
    struct core_error err;
    core_error_clear(&err);
    const struct scenario_resident *sr = w->res[v->resident].sr;
    struct stage_card sc;
    struct stage_visit sv;
    memset(&sv, 0, sizeof sv);
    sv.clinic = stage_clinic_of(v->clinic);
    if (v->card != NULL && v->in->presented->card) {
        /* The engine gives every card its certificate; a card without one has nothing the reader could read
         * on the wire (the rules path answers cert_revoked), so it is refused, never taken as no card. */
        if (v->cert == NULL)
            return CORE_EINVAL;
        stage_card_of(w, v->resident, v->card, v->cert, &sc);
        sv.card = &sc;
    }
    sv.faults = stage_faults(v->faults);
    sv.service_down = v->service_down;
    sv.pin_blocked = v->pin_blocked;
    sv.holder_name = sr->identity.name;
    sv.in = v->in;
    sv.pin_typed = v->pin_typed;
    sv.timed = w->visit_minute >= 0;
    sv.minute = w->visit_minute;
    return stage_desk(w->wire->stage, &sv, card, out, &err);
}

int w_wire_check(const struct world *w, int resident, const struct wcard *card, core_day day, int clinic,
                 enum clinic_reader reader, bool online_ok, bool service_down, bool pin_blocked,
                 struct eligibility_answer *out)
{
    /* The certificate the card carries that day (history.c); none: refused, as in w_wire_desk. */
    const struct wcert *cert = w_cert_on(card, day);
    if (cert == NULL)
        return CORE_EINVAL;
    struct stage_card sc;
    stage_card_of(w, resident, card, cert, &sc);
    struct stage_check_input in = {
        stage_clinic_of(clinic), &sc, day, reader, online_ok, service_down, pin_blocked};
    struct core_error err;
    core_error_clear(&err);
    return stage_check(w->wire->stage, &in, out, &err);
}
