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
 *
 * The remote mode (world_set_wire_remote; docs/WIRE.md) runs the same reception code against real processes:
 * the requests and nonces go over HTTP to `mynasim serve --control` (replaying the same scenario, so its
 * registry is the world's), whose date and outage are set for each visit and with which the clinics' reader
 * devices are registered once; the card is read through pcscd from `mynasim card serve`, into whose slot
 * each visit puts this resident's card over the card server's control channel: `save` the slot, `issue` the
 * card (a profile file written from what the world knows of it, the serial J-LIS recorded, and the state of the
 * world's own in-process card, which stays the source of truth), the visit, then `restore` the slot. The card
 * component learns nothing of insurance on the way: a profile and a certificate serial are what a card is made
 * of anyway.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    bool profile_written; /* remote: its profile file exists (card-<index>.yaml in the remote's directory) */
};

/* The remote mode: the service over HTTP, the card through PC/SC and the card server's control channel. */
struct wire_remote {
    struct clinic_http *http;
    struct pcsc_control *control;
    struct pcsc_reader *reader;
    char dir[PATH_MAX]; /* a private temporary directory: the profiles and the state file the server reads */
    core_day date;      /* what the service was last told; CORE_DAY_NONE: nothing yet */
    int down;           /* likewise; -1: nothing yet */
    char error[512];    /* the first failure on the way, for the run's error message */
};

struct world_wire {
    struct eligibility_service *svc;
    struct clinic_device **devices; /* [clinic + 1]: 0 is the default face-reader clinic */
    size_t ndevices;
    struct wire_card *cards;
    size_t ncards, capcards;
    struct card *stranger;      /* a card J-LIS never recorded: the borrowed certificate */
    struct wire_remote *remote; /* NULL: everything in process */
};

static void remote_free(struct wire_remote *r, size_t ncards)
{
    if (r == NULL)
        return;
    pcsc_reader_close(r->reader);
    pcsc_control_close(r->control);
    clinic_http_close(r->http);
    if (r->dir[0] != '\0') {
        char path[PATH_MAX + 32];
        for (size_t i = 0; i < ncards; i++) {
            snprintf(path, sizeof path, "%s/card-%zu.yaml", r->dir, i);
            (void)unlink(path);
        }
        snprintf(path, sizeof path, "%s/state", r->dir);
        (void)unlink(path);
        (void)rmdir(r->dir);
    }
    free(r);
}

void w_wire_free(struct world_wire *wire)
{
    if (wire == NULL)
        return;
    remote_free(wire->remote, wire->ncards);
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

/* The profile of one certificate of one of the world's cards; pin gets the auth PIN ("" for face-only). */
static void card_profile_of(const struct world *w, int ri, const struct wcard *c, const struct wcert *cert,
                            struct card_profile *out, char pin[5])
{
    const struct wres *r = &w->res[ri];
    const struct scenario_resident *sr = r->sr;
    card_profile_init(out);
    pin[0] = '\0';
    size_t n = 0;
    for (const char *s = sr->id; *s != '\0' && n < 40; s++) {
        char ch = *s;
        bool ok = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  ch == '-' || ch == '_' || ch == '.';
        out->id[n++] = ok ? ch : '_';
    }
    snprintf(out->id + n, sizeof out->id - n, "-w%llu", (unsigned long long)c->id);
    out->seed = 1;
    snprintf(out->holder.name, sizeof out->holder.name, "%s",
             sr->identity.name != NULL && sr->identity.name[0] != '\0' ? sr->identity.name : "住民 一");
    snprintf(out->holder.address, sizeof out->holder.address, "%s",
             sr->identity.address != NULL && sr->identity.address[0] != '\0' ? sr->identity.address
                                                                             : "東京都千代田区");
    out->holder.born = sr->born;
    out->holder.sex = sr->identity.sex == SCENARIO_SEX_FEMALE ? CARD_SEX_FEMALE : CARD_SEX_MALE;
    memcpy(out->holder.my_number, r->my_number, sizeof out->holder.my_number);
    uint64_t h = hash_str(out->id, 0x9150);
    if (strlen(sr->identity.security_code) == 4)
        memcpy(out->holder.security_code, sr->identity.security_code, 5);
    else
        snprintf(out->holder.security_code, sizeof out->holder.security_code, "%04u", (unsigned)(h % 10000u));
    out->kind = c->face_only ? CARD_KIND_FACE_ONLY : CARD_KIND_NORMAL;
    out->issued = cert->from;
    out->expires = c->expires;
    out->cert_expires = cert->expires;
    out->auth_cert_serial = cert->serial;
    if (!c->face_only) {
        snprintf(pin, 5, "%04u", (unsigned)((h >> 16) % 10000u));
        snprintf(out->auth_pin, sizeof out->auth_pin, "%s", pin);
        snprintf(out->text_pin, sizeof out->text_pin, "%s", pin);
        snprintf(out->sign_password, sizeof out->sign_password, "W%07u", (unsigned)((h >> 32) % 10000000u));
    }
}

/* The card as personalised for one certificate of one of the world's cards. */
static int make_card(const struct world *w, int ri, const struct wcard *c, const struct wcert *cert,
                     struct wire_card *out, struct core_error *err)
{
    struct card_profile p;
    card_profile_of(w, ri, c, cert, &p, out->pin);
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
static int block_pin(struct pcsc_reader *rd, const char *pin, struct core_error *err)
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
    return rc == CORE_OK ? core_error_set(err, CORE_ESTATE, NULL, 0, 0, "world: the PIN would not block")
                         : rc;
}

/* ---- the remote mode ---------------------------------------------------------------------------------- */

/* Keeps the first failure's message (world.c's callers only see the code). */
static int remote_fail(struct wire_remote *r, int rc, const struct core_error *err)
{
    if (r->error[0] == '\0')
        core_error_format(err, r->error, sizeof r->error);
    return rc;
}

static void yaml_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7F)
            fputc(' ', f);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

/* The profile file (fixtures/cards/README.md's format) of the card the world personalised in process. */
static int write_profile(const struct world *w, const struct w_wire_visit *v, const char *path,
                         struct core_error *err)
{
    struct card_profile p;
    char pin[5];
    card_profile_of(w, v->resident, v->card, v->cert, &p, pin);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot write a card profile: %s", strerror(errno));
    char d[3][11];
    core_date_format(p.holder.born, d[0]);
    core_date_format(p.issued, d[1]);
    fprintf(f, "id: %s\nseed: %llu\nholder:\n  name: ", p.id, (unsigned long long)p.seed);
    yaml_quoted(f, p.holder.name);
    fputs("\n  address: ", f);
    yaml_quoted(f, p.holder.address);
    fprintf(f, "\n  born: %s\n  sex: %s\n  my_number: \"%s\"\n  security_code: \"%s\"\n", d[0],
            p.holder.sex == CARD_SEX_FEMALE ? "female" : "male", p.holder.my_number, p.holder.security_code);
    fprintf(f, "card:\n  kind: %s\n  issued: %s\n", p.kind == CARD_KIND_FACE_ONLY ? "face_only" : "normal",
            d[1]);
    if (p.expires != CORE_DAY_NONE) {
        core_date_format(p.expires, d[2]);
        fprintf(f, "  expires: %s\n", d[2]);
    }
    if (p.cert_expires != CORE_DAY_NONE) {
        core_date_format(p.cert_expires, d[2]);
        fprintf(f, "  cert_expires: %s\n", d[2]);
    }
    if (p.kind != CARD_KIND_FACE_ONLY)
        fprintf(f, "pins:\n  auth: \"%s\"\n  text: \"%s\"\n  sign: %s\n", p.auth_pin, p.text_pin,
                p.sign_password);
    if (fclose(f) != 0)
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot write a card profile");
    return CORE_OK;
}

/* Puts the resident's card in the served slot: save the slot as it is, then issue this card with the state of
 * the world's in-process card (the truth). The caller restores the slot after the visit (remote_card_out). */
static int remote_card_in(const struct world *w, const struct w_wire_visit *v, struct wire_card *wc,
                          const uint8_t *state, size_t state_len, struct core_error *err)
{
    struct wire_remote *r = w->wire->remote;
    char profile[PATH_MAX + 32], statef[PATH_MAX + 32], line[3 * PATH_MAX + 128];
    snprintf(profile, sizeof profile, "%s/card-%zu.yaml", r->dir, (size_t)(wc - w->wire->cards));
    snprintf(statef, sizeof statef, "%s/state", r->dir);
    int rc = CORE_OK;
    if (!wc->profile_written && (rc = write_profile(w, v, profile, err)) == CORE_OK)
        wc->profile_written = true;
    if (rc == CORE_OK)
        rc = core_file_write_atomic(statef, state, state_len, err);
    if (rc == CORE_OK)
        rc = pcsc_control_send(r->control, "save wire-visit", NULL, 0, err);
    if (rc == CORE_OK) {
        snprintf(line, sizeof line, "issue %s %llu %s", profile, (unsigned long long)wc->serial, statef);
        rc = pcsc_control_send(r->control, line, NULL, 0, err);
        if (rc != CORE_OK) /* the slot may hold anything now: put it back */
            (void)pcsc_control_send(r->control, "restore wire-visit", NULL, 0, NULL);
    }
    return rc == CORE_OK ? CORE_OK : remote_fail(r, rc, err);
}

static int remote_card_out(struct wire_remote *r)
{
    struct core_error err;
    core_error_clear(&err);
    int rc = pcsc_control_send(r->control, "restore wire-visit", NULL, 0, &err);
    return rc == CORE_OK ? CORE_OK : remote_fail(r, rc, &err);
}

/* The service's date and outage for the visit (told only when they change). */
static int remote_service(struct wire_remote *r, core_day on, bool down, struct core_error *err)
{
    int rc = CORE_OK;
    if (r->date != on) {
        if ((rc = clinic_http_set_date(r->http, on, err)) != CORE_OK)
            return remote_fail(r, rc, err);
        r->date = on;
    }
    if (r->down != (down ? 1 : 0)) {
        if ((rc = clinic_http_set_down(r->http, down, err)) != CORE_OK)
            return remote_fail(r, rc, err);
        r->down = down ? 1 : 0;
    }
    return CORE_OK;
}

int world_set_wire_remote(struct world *w, const struct world_wire_remote *remote, struct core_error *err)
{
    if (w == NULL || remote == NULL || remote->service == NULL || remote->card_control == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "world: the remote wire path needs a service and a card control socket");
    if (w->ran)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: the wire path is chosen before the run");
    int rc = world_set_fidelity(w, WORLD_FIDELITY_WIRE, err);
    if (rc != CORE_OK)
        return rc;
    struct world_wire *wire = w->wire;
    remote_free(wire->remote, wire->ncards);
    wire->remote = NULL;
    struct wire_remote *r = calloc(1, sizeof *r);
    if (r == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory");
    r->date = CORE_DAY_NONE;
    r->down = -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(r->dir, sizeof r->dir, "%s/mynasim-wire.XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
    if (mkdtemp(r->dir) == NULL) {
        int e = errno;
        r->dir[0] = '\0';
        rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "world: cannot make a temporary directory: %s",
                            strerror(e));
    }
    if (rc == CORE_OK && (rc = clinic_http_open(remote->service, &r->http, err)) != CORE_OK)
        rc = core_error_set(err, rc, NULL, 0, 0, "the eligibility service at %s is not reachable: %s",
                            remote->service, err != NULL ? err->message : "");
    if (rc == CORE_OK && (rc = pcsc_control_open(remote->card_control, &r->control, err)) != CORE_OK)
        rc = core_error_set(err, rc, NULL, 0, 0, "the card server's control channel %s is not reachable: %s",
                            remote->card_control, err != NULL ? err->message : "");
    char status[512];
    if (rc == CORE_OK &&
        (rc = pcsc_control_send(r->control, "status", status, sizeof status, err)) != CORE_OK)
        rc = core_error_set(err, rc, NULL, 0, 0, "the card server at %s does not answer: %s",
                            remote->card_control, err != NULL ? err->message : "");
    if (rc == CORE_OK && strstr(status, "profile=") == NULL)
        rc = core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                            "%s is not the control channel of `mynasim card serve` (status: %s)",
                            remote->card_control, status);
    if (rc == CORE_OK && (rc = pcsc_reader_open_pcsc(remote->reader, &r->reader, err)) != CORE_OK)
        rc = core_error_set(err, rc, NULL, 0, 0, "no card in a PC/SC reader named '%s': %s",
                            remote->reader != NULL ? remote->reader : "", err != NULL ? err->message : "");
    for (size_t i = 0; rc == CORE_OK && i < wire->ndevices; i++)
        rc = clinic_http_register_reader(r->http, wire->devices[i], err);
    if (rc != CORE_OK) {
        remote_free(r, 0);
        return rc;
    }
    wire->remote = r;
    return CORE_OK;
}

const char *world_wire_error(const struct world *w)
{
    return w != NULL && w->wire != NULL && w->wire->remote != NULL && w->wire->remote->error[0] != '\0'
               ? w->wire->remote->error
               : NULL;
}

/* ---- one visit ---------------------------------------------------------------------------------------- */

int w_wire_desk(const struct world *w, const struct w_wire_visit *v, struct eligibility_answer *card,
                struct clinic_decision *out)
{
    struct world_wire *wire = w->wire;
    struct core_error err;
    core_error_clear(&err);
    const struct clinic_input *ci = v->in;
    const struct scenario_resident *sr = w->res[v->resident].sr;
    struct wire_remote *remote = wire->remote;
    (void)eligibility_service_set_date(wire->svc, ci->on); /* a scenario's days are always in range */
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
    /* Whether any request can go: only then does the remote mode reach the service and the served card. */
    bool online = in.reader != CLINIC_READER_NONE && in.online_ok && !in.faults.reader_fault;
    if (remote != NULL) {
        in.service = NULL;
        in.transport = clinic_http_transport;
        in.transport_ctx = remote->http;
        in.nonce = clinic_http_nonce;
        in.nonce_ctx = remote->http;
        if (online) {
            int src = remote_service(remote, ci->on, v->service_down, &err);
            if (src != CORE_OK)
                return src;
        }
    }
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
    bool served = false; /* the remote slot holds this card until remote_card_out */
    /* Where no request can go the desk never reads the card (reception answers reader_down): it is not made. */
    if (ci->presented->card && v->card != NULL && v->cert != NULL && online) {
        if ((rc = wire_card_get(w, v->resident, v->card, v->cert, &wc, &err)) != CORE_OK)
            return rc;
        if (card_state_save(wc->card, saved, sizeof saved, &saved_len) != CORE_OK)
            return CORE_ESTATE;
        if (in.faults.borrowed_certificate &&
            (rc = stranger_cert(w, &in.borrowed_cert, &in.borrowed_cert_len, &err)) != CORE_OK)
            return rc;
        struct pcsc_reader *rd = wc->reader;
        if (remote != NULL) {
            if ((rc = remote_card_in(w, v, wc, saved, saved_len, &err)) != CORE_OK)
                goto restore;
            served = true;
            rd = remote->reader;
        }
        if (v->pin_blocked && !v->card->face_only && (rc = block_pin(rd, wc->pin, &err)) != CORE_OK)
            goto restore;
        /* A new visit is a new session: the card is powered up afresh in the reader. */
        if ((rc = pcsc_reader_reset(rd, &err)) != CORE_OK)
            goto restore;
        in.card = rd;
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
    if (rc != CORE_OK && remote != NULL)
        remote_fail(remote, rc, &err);
    if (served) {
        int orc = remote_card_out(remote);
        if (rc == CORE_OK)
            rc = orc;
    }
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
