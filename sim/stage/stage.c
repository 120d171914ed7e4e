/*
 * stage.c: what both stages share — the clinics' reader devices, the cards (made once per id and certificate
 * serial, kept with their in-process readers), the card J-LIS never recorded, the PIN block, and one visit:
 * the reception's inputs, the card saved before and restored after, the rest through the ops table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "stage/stage_int.h"

static CORE_MUST_USE int stage_open(const struct stage_ops *ops, const void *how, const struct policy *policy,
                                    const struct stage_clinic *clinics, size_t nclinics, struct stage **out,
                                    struct core_error *err)
{
    if (out == NULL || how == NULL || (clinics == NULL && nclinics > 0))
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "stage: missing argument");
    *out = NULL;
    struct stage *s = calloc(1, sizeof *s);
    if (s == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "stage: out of memory");
    s->ops = ops;
    s->policy = policy;
    s->clinics = nclinics > 0 ? calloc(nclinics, sizeof *s->clinics) : NULL;
    int rc = nclinics > 0 && s->clinics == NULL
                 ? core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "stage: out of memory")
                 : CORE_OK;
    for (size_t i = 0; rc == CORE_OK && i < nclinics; i++) {
        const char *inst = clinics[i].institution;
        if (clinics[i].device == NULL || inst == NULL || strlen(inst) != 10 ||
            strspn(inst, "0123456789") != 10) {
            rc = core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                                "stage: clinic %zu needs a device name and a "
                                "10-digit institution code",
                                i);
            break;
        }
        memcpy(s->clinics[i].institution, inst, 11);
        rc = clinic_device_new(clinics[i].device, &s->clinics[i].device, err);
        if (rc == CORE_OK)
            s->nclinics++;
    }
    if (rc == CORE_OK)
        rc = ops->open(s, how, err);
    if (rc != CORE_OK) {
        stage_free(s);
        return rc;
    }
    *out = s;
    return CORE_OK;
}

int stage_new_local(const struct eligibility_registry *reg, const struct policy *policy,
                    const struct stage_clinic *clinics, size_t nclinics, struct stage **out,
                    struct core_error *err)
{
    return stage_open(&stage_local_ops, reg, policy, clinics, nclinics, out, err);
}

int stage_new_remote(const struct stage_remote *remote, const struct policy *policy,
                     const struct stage_clinic *clinics, size_t nclinics, struct stage **out,
                     struct core_error *err)
{
    if (remote == NULL || remote->service == NULL || remote->card_control == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "stage: the remote stage needs a service and a card control socket");
    return stage_open(&stage_remote_ops, remote, policy, clinics, nclinics, out, err);
}

void stage_free(struct stage *s)
{
    if (s == NULL)
        return;
    if (s->impl != NULL)
        s->ops->free(s);
    for (size_t i = 0; i < s->nslots; i++) {
        pcsc_reader_close(s->slots[i].reader);
        card_free(s->slots[i].card);
    }
    free(s->slots);
    for (size_t i = 0; i < s->nclinics; i++)
        clinic_device_free(s->clinics[i].device);
    free(s->clinics);
    card_free(s->stranger);
    free(s);
}

const char *stage_kind(const struct stage *s)
{
    return s != NULL ? s->ops->name : NULL;
}

const char *stage_error(const struct stage *s)
{
    return s != NULL && s->error[0] != '\0' ? s->error : NULL;
}

int stage_fail(struct stage *s, int rc, const struct core_error *err)
{
    if (s->error[0] == '\0')
        core_error_format(err, s->error, sizeof s->error);
    return rc;
}

/* Every fault of SCENARIO_FAULTS is produced below: a new one must be added here. */
_Static_assert(SCENARIO_FAULT_COUNT == 5, "stage_faults maps every scenario fault");

struct clinic_faults stage_faults(unsigned f)
{
    struct clinic_faults out;
    out.face_mismatch = (f & SCENARIO_FAULT_BIT(SCENARIO_FAULT_FACE_MISMATCH)) != 0;
    out.reader_fault = (f & SCENARIO_FAULT_BIT(SCENARIO_FAULT_READER_FAULT)) != 0;
    out.unshowable_name = (f & SCENARIO_FAULT_BIT(SCENARIO_FAULT_UNSHOWABLE_NAME)) != 0;
    out.borrowed_certificate = (f & SCENARIO_FAULT_BIT(SCENARIO_FAULT_BORROWED_CERTIFICATE)) != 0;
    out.replayed_request = (f & SCENARIO_FAULT_BIT(SCENARIO_FAULT_REPLAYED_REQUEST)) != 0;
    return out;
}

/* ---- the cards ------------------------------------------------------------------------------------------- */

/* The slot of a card: made the first time (personalised, in its in-process reader). NULL with *rc on failure. */
static struct stage_slot *slot_get(struct stage *s, const struct stage_card *c, int *rc,
                                   struct core_error *err)
{
    for (size_t i = 0; i < s->nslots; i++)
        if (s->slots[i].id == c->id && s->slots[i].serial == c->profile.auth_cert_serial)
            return &s->slots[i];
    if (s->nslots == s->capslots) {
        size_t cap = s->capslots == 0 ? 16 : 2 * s->capslots;
        struct stage_slot *p = realloc(s->slots, cap * sizeof *p);
        if (p == NULL) {
            *rc = core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "stage: out of memory");
            return NULL;
        }
        s->slots = p;
        s->capslots = cap;
    }
    struct stage_slot *sl = &s->slots[s->nslots];
    memset(sl, 0, sizeof *sl);
    sl->id = c->id;
    sl->serial = c->profile.auth_cert_serial;
    if (c->profile.kind != CARD_KIND_FACE_ONLY)
        snprintf(sl->pin, sizeof sl->pin, "%s", c->profile.auth_pin);
    *rc = card_new(&c->profile, s->policy, &sl->card, err);
    if (*rc == CORE_OK)
        *rc = pcsc_reader_open_card(sl->card, &sl->reader, err);
    if (*rc != CORE_OK) {
        pcsc_reader_close(sl->reader);
        card_free(sl->card);
        return NULL;
    }
    s->nslots++;
    return sl;
}

/* The auth certificate of a card J-LIS never recorded (the same one for every borrowed_certificate). */
static CORE_MUST_USE int stranger_cert(struct stage *s, const uint8_t **der, size_t *len,
                                       struct core_error *err)
{
    if (s->stranger == NULL) {
        struct card_profile p;
        card_profile_init(&p);
        snprintf(p.id, sizeof p.id, "wire-borrowed");
        p.seed = 1;
        snprintf(p.holder.name, sizeof p.holder.name, "他人 借子");
        snprintf(p.holder.address, sizeof p.holder.address, "東京都千代田区");
        p.holder.sex = CARD_SEX_FEMALE;
        /* Cannot fail: two constant dates in the form core_date_parse reads. */
        CORE_DROP(core_date_parse("1980-01-01", 10, &p.holder.born));
        CORE_DROP(core_date_parse("2024-01-05", 10, &p.issued));
        snprintf(p.holder.my_number, sizeof p.holder.my_number, "123456789018");
        snprintf(p.holder.security_code, sizeof p.holder.security_code, "1111");
        snprintf(p.auth_pin, sizeof p.auth_pin, "1111");
        snprintf(p.text_pin, sizeof p.text_pin, "1111");
        snprintf(p.sign_password, sizeof p.sign_password, "BORROW11");
        int rc = card_new(&p, s->policy, &s->stranger, err);
        if (rc != CORE_OK)
            return rc;
    }
    return card_cert_der(s->stranger, CARD_CERT_AUTH, der, len);
}

/* The holder mistyped the PIN until the card blocked it. */
static CORE_MUST_USE int block_pin(struct pcsc_reader *rd, const char *pin, struct core_error *err)
{
    const char *wrong = strcmp(pin, "0000") == 0 ? "9999" : "0000";
    uint16_t sw = 0;
    int rc = pcsc_jpki_select(rd, &sw, err);
    for (int i = 0; rc == CORE_OK && i < 32; i++) {
        int left = -1;
        struct core_error ignored;
        if (pcsc_jpki_verify(rd, PCSC_JPKI_AUTH, wrong, &left, &sw, &ignored) == CORE_ENOTFOUND || left == 0)
            return CORE_OK;
    }
    return rc == CORE_OK ? core_error_set(err, CORE_ESTATE, NULL, 0, 0, "stage: the PIN would not block")
                         : rc;
}

/* ---- one visit ------------------------------------------------------------------------------------------- */

int stage_desk(struct stage *s, const struct stage_visit *v, struct eligibility_answer *card,
               struct clinic_decision *out, struct core_error *err)
{
    if (s == NULL || v == NULL || v->in == NULL || v->in->presented == NULL || card == NULL || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "stage: missing argument");
    if (v->clinic >= s->nclinics)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "stage: no clinic %zu (the stage has %zu)",
                              v->clinic, s->nclinics);
    const struct clinic_input *ci = v->in;
    s->minute = v->timed && v->minute >= 0 && v->minute < 24 * 60 ? v->minute : -1;
    struct clinic_reception in;
    memset(&in, 0, sizeof in);
    in.on = ci->on;
    in.visit = ci->visit;
    in.reader = ci->reader;
    in.online_ok = ci->online_ok;
    in.presented = ci->presented;
    in.faults = v->faults;
    /* The holder chose the PIN at a face reader's screen: the camera is skipped, the PIN asked. */
    if (v->pin_typed != NULL && in.reader == CLINIC_READER_FACE)
        in.faults.face_mismatch = true;
    char shown[300];
    snprintf(shown, sizeof shown, "\xF0\xA0\xAE\xB7%s",
             v->holder_name != NULL && v->holder_name[0] != '\0' ? v->holder_name : "田 太郎");
    in.holder_name = shown;
    in.device = s->clinics[v->clinic].device;
    in.institution = s->clinics[v->clinic].institution;
    in.record = ci->record;
    in.policy = ci->policy;
    s->ops->connect(s, &in);
    /* Whether any request can go: only then is the service told the day, or the card read. */
    bool online = in.reader != CLINIC_READER_NONE && in.online_ok && !in.faults.reader_fault;
    int rc = CORE_OK;
    if (online && (rc = s->ops->set_service(s, ci->on, v->service_down, err)) != CORE_OK)
        return stage_fail(s, rc, err);

    struct stage_slot *slot = NULL;
    uint8_t saved[CARD_STATE_MAX];
    size_t saved_len = 0;
    bool in_reader = false; /* card_in succeeded: card_out follows */
    /* Where no request can go the desk never reads the card (reception answers reader_down): it is not made. */
    if (ci->presented->card && v->card != NULL && online) {
        if ((slot = slot_get(s, v->card, &rc, err)) == NULL)
            return rc;
        if (card_state_save(slot->card, saved, sizeof saved, &saved_len) != CORE_OK)
            return core_error_set(err, CORE_ESTATE, NULL, 0, 0, "stage: cannot save the card's state");
        if (in.faults.borrowed_certificate &&
            (rc = stranger_cert(s, &in.borrowed_cert, &in.borrowed_cert_len, err)) != CORE_OK)
            return rc;
        struct pcsc_reader *rd = NULL;
        if ((rc = s->ops->card_in(s, slot, &v->card->profile, saved, saved_len, &rd, err)) != CORE_OK)
            goto restore;
        in_reader = true;
        if (v->pin_blocked && v->card->profile.kind != CARD_KIND_FACE_ONLY &&
            (rc = block_pin(rd, slot->pin, err)) != CORE_OK)
            goto restore;
        /* A new visit is a new session: the card is powered up afresh in the reader. */
        if ((rc = pcsc_reader_reset(rd, err)) != CORE_OK)
            goto restore;
        in.card = rd;
        in.surface.born = card_holder(slot->card)->born;
        in.surface.card_expires = card_state(slot->card)->expires;
        memcpy(in.surface.security_code, card_holder(slot->card)->security_code, 5);
        in.pin = v->pin_typed != NULL ? v->pin_typed : slot->pin;
    }
    struct clinic_reception_result res;
    rc = clinic_reception_run(&in, &res, err);
    if (rc == CORE_OK) {
        *out = res.decision;
        if (res.card_asked)
            *card = res.card;
    }
restore:
    if (rc != CORE_OK)
        stage_fail(s, rc, err);
    if (in_reader) {
        struct core_error oerr;
        core_error_clear(&oerr);
        int orc = s->ops->card_out(s, slot, &oerr);
        if (orc != CORE_OK) {
            stage_fail(s, orc, &oerr);
            if (rc == CORE_OK) {
                rc = orc;
                if (err != NULL)
                    *err = oerr;
            }
        }
    }
    /* A PIN the holder typed leaves its tries on the card (stage.h, pin_typed); nothing else does. */
    if (slot != NULL && !(v->pin_typed != NULL && rc == CORE_OK)) {
        struct core_error rerr;
        if (card_state_restore(slot->card, saved, saved_len, &rerr) != CORE_OK && rc == CORE_OK)
            rc = core_error_set(err, CORE_ESTATE, NULL, 0, 0, "stage: cannot restore the card's state");
    }
    return rc;
}

int stage_check(struct stage *s, const struct stage_check_input *c, struct eligibility_answer *out,
                struct core_error *err)
{
    if (s == NULL || c == NULL || c->card == NULL || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "stage: missing argument");
    struct clinic_presented p;
    memset(&p, 0, sizeof p);
    p.card = true;
    p.card_face_only = c->card->profile.kind == CARD_KIND_FACE_ONLY;
    p.born = c->card->profile.holder.born;
    p.paper_expiry = CORE_DAY_NONE;
    struct clinic_input in;
    memset(&in, 0, sizeof in);
    in.on = c->on;
    in.visit = CLINIC_VISIT_FIRST;
    in.reader = c->reader;
    in.online_ok = c->online_ok;
    in.presented = &p;
    in.policy = s->policy;
    struct stage_visit v;
    memset(&v, 0, sizeof v);
    v.clinic = c->clinic;
    v.card = c->card;
    v.service_down = c->service_down;
    v.pin_blocked = c->pin_blocked;
    v.in = &in;
    struct clinic_decision dec;
    memset(out, 0, sizeof *out);
    return stage_desk(s, &v, out, &dec, err);
}
