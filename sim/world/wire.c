/*
 * wire.c: the wire path of the world (`--fidelity wire`). When chosen, the visits and probes of named
 * residents run sim/clinic's reception flow instead of calling the registry's check directly: each card the
 * world issues exists as a real virtual card (struct card, personalised from the resident's identity, its
 * auth certificate carrying the serial J-LIS recorded in the registry), read through the in-process pcsc
 * reader; each clinic has a registered reader device; one eligibility service answers over the world's
 * registry on the day of the visit. The daily invariants stay on the rules path.
 *
 * What the world knows and a real desk would not is only used where reality puts it: the resident's PIN (the
 * holder keys it), a PIN block (the holder mistyped it: wrong PINs are sent until the card answers 63C0), the
 * card surface (printed). A visit or probe leaves no trace on the card: its state is saved before and restored
 * after (card_state_save / card_state_restore).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card/card.h"
#include "pcsc/pcsc.h"
#include "world/world_int.h"

struct wire_card {
    int resident;
    uint64_t card_id;
    uint64_t serial;
    struct card *card;
    struct pcsc_reader *reader;
    char pin[5];
};

struct world_wire {
    struct eligibility_service *svc;
    struct clinic_device **devices; /* [clinic + 1]: 0 is the default face-reader clinic */
    size_t ndevices;
    struct wire_card *cards;
    size_t ncards, capcards;
    struct card *stranger; /* a card J-LIS never recorded: the borrowed certificate */
};

void w_wire_free(struct world_wire *wire)
{
    if (wire == NULL)
        return;
    for (size_t i = 0; i < wire->ncards; i++) {
        pcsc_reader_close(wire->cards[i].reader);
        card_free(wire->cards[i].card);
    }
    free(wire->cards);
    for (size_t i = 0; i < wire->ndevices; i++)
        clinic_device_free(wire->devices[i]);
    free(wire->devices);
    card_free(wire->stranger);
    eligibility_service_free(wire->svc);
    free(wire);
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
    wire->ndevices = w->scn->clinic_count + 1;
    wire->devices = calloc(wire->ndevices, sizeof *wire->devices);
    int rc = wire->devices == NULL ? core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory")
                                   : eligibility_service_new(w->reg, w->policy, &wire->svc, err);
    for (size_t i = 0; rc == CORE_OK && i < wire->ndevices; i++) {
        char name[SCENARIO_ID_MAX + 16];
        snprintf(name, sizeof name, "%s", i == 0 ? "default-face-clinic" : w->scn->clinics[i - 1].id);
        rc = clinic_device_new(name, &wire->devices[i], err);
        if (rc == CORE_OK)
            rc = clinic_device_register(wire->devices[i], wire->svc, err);
    }
    if (rc != CORE_OK) {
        w_wire_free(wire);
        return rc;
    }
    eligibility_service_seed(wire->svc, 1);
    w->wire = wire;
    return CORE_OK;
}

static uint64_t hash_str(const char *s, uint64_t seed)
{
    return core_hash64(s, strlen(s), seed);
}

/* The card as personalised for one certificate of one of the world's cards. */
static int make_card(const struct world *w, int ri, const struct wcard *c, const struct wcert *cert,
                     struct wire_card *out, struct core_error *err)
{
    const struct wres *r = &w->res[ri];
    const struct scenario_resident *sr = r->sr;
    struct card_profile p;
    card_profile_init(&p);
    size_t n = 0;
    for (const char *s = sr->id; *s != '\0' && n < 40; s++) {
        char ch = *s;
        bool ok = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  ch == '-' || ch == '_' || ch == '.';
        p.id[n++] = ok ? ch : '_';
    }
    snprintf(p.id + n, sizeof p.id - n, "-w%llu", (unsigned long long)c->id);
    p.seed = 1;
    snprintf(p.holder.name, sizeof p.holder.name, "%s",
             sr->identity.name != NULL && sr->identity.name[0] != '\0' ? sr->identity.name : "住民 一");
    snprintf(p.holder.address, sizeof p.holder.address, "%s",
             sr->identity.address != NULL && sr->identity.address[0] != '\0' ? sr->identity.address
                                                                             : "東京都千代田区");
    p.holder.born = sr->born;
    p.holder.sex = sr->identity.sex == SCENARIO_SEX_FEMALE ? CARD_SEX_FEMALE : CARD_SEX_MALE;
    memcpy(p.holder.my_number, r->my_number, sizeof p.holder.my_number);
    uint64_t h = hash_str(p.id, 0x9150);
    if (strlen(sr->identity.security_code) == 4)
        memcpy(p.holder.security_code, sr->identity.security_code, 5);
    else
        snprintf(p.holder.security_code, sizeof p.holder.security_code, "%04u", (unsigned)(h % 10000u));
    p.kind = c->face_only ? CARD_KIND_FACE_ONLY : CARD_KIND_NORMAL;
    p.issued = cert->from;
    p.expires = c->expires;
    p.cert_expires = cert->expires;
    p.auth_cert_serial = cert->serial;
    if (!c->face_only) {
        snprintf(out->pin, sizeof out->pin, "%04u", (unsigned)((h >> 16) % 10000u));
        snprintf(p.auth_pin, sizeof p.auth_pin, "%s", out->pin);
        snprintf(p.text_pin, sizeof p.text_pin, "%s", out->pin);
        snprintf(p.sign_password, sizeof p.sign_password, "W%07u", (unsigned)((h >> 32) % 10000000u));
    }
    out->resident = ri;
    out->card_id = c->id;
    out->serial = cert->serial;
    int rc = card_new(&p, w->policy, &out->card, err);
    if (rc == CORE_OK)
        rc = pcsc_reader_open_card(out->card, &out->reader, err);
    return rc;
}

static int wire_card_get(const struct world *w, int ri, const struct wcard *c, const struct wcert *cert,
                         struct wire_card **out, struct core_error *err)
{
    struct world_wire *wire = w->wire;
    for (size_t i = 0; i < wire->ncards; i++)
        if (wire->cards[i].resident == ri && wire->cards[i].card_id == c->id &&
            wire->cards[i].serial == cert->serial) {
            *out = &wire->cards[i];
            return CORE_OK;
        }
    if (w_grow((void **)&wire->cards, &wire->capcards, wire->ncards + 1, sizeof *wire->cards) != CORE_OK)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory");
    struct wire_card *wc = &wire->cards[wire->ncards];
    memset(wc, 0, sizeof *wc);
    int rc = make_card(w, ri, c, cert, wc, err);
    if (rc != CORE_OK) {
        pcsc_reader_close(wc->reader);
        card_free(wc->card);
        return rc;
    }
    wire->ncards++;
    *out = wc;
    return CORE_OK;
}

static int stranger_cert(const struct world *w, const uint8_t **der, size_t *len, struct core_error *err)
{
    struct world_wire *wire = w->wire;
    if (wire->stranger == NULL) {
        struct card_profile p;
        card_profile_init(&p);
        snprintf(p.id, sizeof p.id, "wire-borrowed");
        p.seed = 1;
        snprintf(p.holder.name, sizeof p.holder.name, "他人 借子");
        snprintf(p.holder.address, sizeof p.holder.address, "東京都千代田区");
        p.holder.sex = CARD_SEX_FEMALE;
        (void)core_date_parse("1980-01-01", 10, &p.holder.born);
        (void)core_date_parse("2024-01-05", 10, &p.issued);
        snprintf(p.holder.my_number, sizeof p.holder.my_number, "123456789018");
        snprintf(p.holder.security_code, sizeof p.holder.security_code, "1111");
        snprintf(p.auth_pin, sizeof p.auth_pin, "1111");
        snprintf(p.text_pin, sizeof p.text_pin, "1111");
        snprintf(p.sign_password, sizeof p.sign_password, "BORROW11");
        int rc = card_new(&p, w->policy, &wire->stranger, err);
        if (rc != CORE_OK)
            return rc;
    }
    return card_cert_der(wire->stranger, CARD_CERT_AUTH, der, len);
}

/* The holder mistyped the PIN until the card blocked it. */
static int block_pin(struct wire_card *wc, struct core_error *err)
{
    const char *wrong = strcmp(wc->pin, "0000") == 0 ? "9999" : "0000";
    uint16_t sw = 0;
    int rc = pcsc_jpki_select(wc->reader, &sw, err);
    for (int i = 0; rc == CORE_OK && i < 32; i++) {
        int left = -1;
        struct core_error ignored;
        if (pcsc_jpki_verify(wc->reader, PCSC_JPKI_AUTH, wrong, &left, &sw, &ignored) == CORE_ENOTFOUND ||
            left == 0)
            return CORE_OK;
    }
    return rc == CORE_OK ? core_error_set(err, CORE_ESTATE, NULL, 0, 0, "world: the PIN would not block")
                         : rc;
}

int w_wire_desk(const struct world *w, const struct w_wire_visit *v, struct eligibility_answer *card,
                struct clinic_decision *out)
{
    struct world_wire *wire = w->wire;
    struct core_error err;
    core_error_clear(&err);
    const struct clinic_input *ci = v->in;
    const struct scenario_resident *sr = w->res[v->resident].sr;
    eligibility_service_set_date(wire->svc, ci->on);
    eligibility_service_set_down(wire->svc, v->service_down);

    struct clinic_reception in;
    memset(&in, 0, sizeof in);
    in.on = ci->on;
    in.visit = ci->visit;
    in.reader = ci->reader;
    in.online_ok = ci->online_ok;
    in.presented = ci->presented;
    in.faults.face_mismatch = (v->faults & SCENARIO_FAULT_BIT(SCENARIO_FAULT_FACE_MISMATCH)) != 0;
    in.faults.reader_fault = (v->faults & SCENARIO_FAULT_BIT(SCENARIO_FAULT_READER_FAULT)) != 0;
    in.faults.unshowable_name = (v->faults & SCENARIO_FAULT_BIT(SCENARIO_FAULT_UNSHOWABLE_NAME)) != 0;
    in.faults.borrowed_certificate =
        (v->faults & SCENARIO_FAULT_BIT(SCENARIO_FAULT_BORROWED_CERTIFICATE)) != 0;
    in.faults.replayed_request = (v->faults & SCENARIO_FAULT_BIT(SCENARIO_FAULT_REPLAYED_REQUEST)) != 0;
    char shown[300];
    snprintf(shown, sizeof shown, "\xF0\xA0\xAE\xB7%s",
             sr->identity.name != NULL && sr->identity.name[0] != '\0' ? sr->identity.name : "田 太郎");
    in.holder_name = shown;
    in.service = wire->svc;
    size_t di = (size_t)(v->clinic + 1);
    in.device = di < wire->ndevices ? wire->devices[di] : wire->devices[0];
    char inst[11];
    snprintf(inst, sizeof inst, "13%08llu",
             (unsigned long long)(hash_str(v->clinic >= 0 ? w->scn->clinics[v->clinic].id : "default", 13) %
                                  100000000ull));
    in.institution = inst;
    in.record = ci->record;
    in.policy = ci->policy;

    struct wire_card *wc = NULL;
    uint8_t saved[CARD_STATE_MAX];
    size_t saved_len = 0;
    int rc = CORE_OK;
    if (ci->presented->card && v->card != NULL && v->cert != NULL) {
        if ((rc = wire_card_get(w, v->resident, v->card, v->cert, &wc, &err)) != CORE_OK)
            return rc;
        if (card_state_save(wc->card, saved, sizeof saved, &saved_len) != CORE_OK)
            return CORE_ESTATE;
        if (in.faults.borrowed_certificate &&
            (rc = stranger_cert(w, &in.borrowed_cert, &in.borrowed_cert_len, &err)) != CORE_OK)
            return rc;
        if (v->pin_blocked && !v->card->face_only && (rc = block_pin(wc, &err)) != CORE_OK)
            goto restore;
        /* A new visit is a new session: the card is powered up afresh in the reader. */
        if ((rc = pcsc_reader_reset(wc->reader, &err)) != CORE_OK)
            goto restore;
        in.card = wc->reader;
        in.surface.born = card_holder(wc->card)->born;
        in.surface.card_expires = card_state(wc->card)->expires;
        memcpy(in.surface.security_code, card_holder(wc->card)->security_code, 5);
        in.pin = wc->pin;
    }
    struct clinic_reception_result res;
    rc = clinic_reception_run(&in, &res, &err);
    if (rc == CORE_OK) {
        *out = res.decision;
        if (res.card_asked)
            *card = res.card;
    }
restore:
    if (wc != NULL) {
        struct core_error rerr;
        if (card_state_restore(wc->card, saved, saved_len, &rerr) != CORE_OK && rc == CORE_OK)
            rc = CORE_ESTATE;
    }
    eligibility_service_set_down(wire->svc, false);
    return rc;
}

int w_wire_check(const struct world *w, int resident, const struct wcard *card, core_day day, int clinic,
                 enum clinic_reader reader, bool online_ok, bool service_down, bool pin_blocked,
                 struct eligibility_answer *out)
{
    /* The online check alone: the card shown at the desk, nothing else. */
    struct clinic_presented p;
    memset(&p, 0, sizeof p);
    p.card = true;
    p.card_face_only = card->face_only;
    p.born = w->res[resident].sr->born;
    p.paper_expiry = CORE_DAY_NONE;
    const struct wcert *cert = &card->cert[0];
    for (int i = card->ncert; i-- > 0;)
        if (card->cert[i].from <= day) {
            cert = &card->cert[i];
            break;
        }
    struct clinic_input in;
    memset(&in, 0, sizeof in);
    in.on = day;
    in.visit = CLINIC_VISIT_FIRST;
    in.reader = reader;
    in.online_ok = online_ok;
    in.presented = &p;
    in.policy = w->policy;
    struct w_wire_visit v = {resident, card, cert, clinic, 0, service_down, pin_blocked, &in};
    struct clinic_decision dec;
    memset(out, 0, sizeof *out);
    return w_wire_desk(w, &v, out, &dec);
}
