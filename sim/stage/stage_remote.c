/*
 * stage_remote.c: the remote stage (docs/WIRE.md). The requests and nonces go over HTTP to `mynasim serve
 * --control`, whose date and outage are set for each visit (only when they change) and with which the clinics'
 * reader devices are registered once; the card is read through pcscd from `mynasim card serve --control`, into
 * whose slot each visit puts its card over the card server's control channel: `save` the slot, `issue` the card
 * (its profile file, written once to a private temporary directory, the certificate serial J-LIS recorded, and
 * the state of the stage's in-process card, which stays the source of truth), the visit, then `restore` the slot.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stage/stage_int.h"

struct remote {
    struct clinic_http *http;
    struct pcsc_control *control;
    struct pcsc_reader *reader;
    char dir[PATH_MAX]; /* a private temporary directory: the profiles and the state file the server reads */
    bool *written;      /* [slot]: its profile file (card-SLOT.yaml) exists */
    size_t capwritten;
    core_day date; /* what the service was last told; CORE_DAY_NONE: nothing yet */
    int down;      /* likewise; -1: nothing yet */
    int (*on_date)(void *ctx, core_day on, struct core_error *err); /* stage_remote's hook, or NULL */
    void *on_date_ctx;
    int (*on_time)(void *ctx, core_day on, int minute, struct core_error *err); /* likewise */
    int minute; /* the time of day on_time was last given; -2: nothing yet */
};

static void remote_free(struct stage *s)
{
    struct remote *r = s->impl;
    pcsc_reader_close(r->reader);
    pcsc_control_close(r->control);
    clinic_http_close(r->http);
    if (r->dir[0] != '\0') {
        char path[PATH_MAX + 32];
        for (size_t i = 0; i < r->capwritten; i++)
            if (r->written[i]) {
                snprintf(path, sizeof path, "%s/card-%zu.yaml", r->dir, i);
                (void)unlink(path);
            }
        snprintf(path, sizeof path, "%s/state", r->dir);
        (void)unlink(path);
        (void)rmdir(r->dir);
    }
    free(r->written);
    free(r);
    s->impl = NULL;
}

static CORE_MUST_USE int remote_open(struct stage *s, const void *how, struct core_error *err)
{
    const struct stage_remote *remote = how;
    struct remote *r = calloc(1, sizeof *r);
    if (r == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "stage: out of memory");
    s->impl = r;
    r->date = CORE_DAY_NONE;
    r->down = -1;
    r->on_date = remote->on_date;
    r->on_date_ctx = remote->on_date_ctx;
    r->on_time = remote->on_time;
    r->minute = -2;
    int rc = CORE_OK;
    const char *tmp = getenv("TMPDIR");
    snprintf(r->dir, sizeof r->dir, "%s/mynasim-wire.XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
    if (mkdtemp(r->dir) == NULL) {
        int e = errno;
        r->dir[0] = '\0';
        rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "stage: cannot make a temporary directory: %s",
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
    for (size_t i = 0; rc == CORE_OK && i < s->nclinics; i++)
        rc = clinic_http_register_reader(r->http, s->clinics[i].device, err);
    return rc;
}

static void remote_connect(struct stage *s, struct clinic_reception *in)
{
    struct remote *r = s->impl;
    in->service = NULL;
    in->transport = clinic_http_transport;
    in->transport_ctx = r->http;
    in->nonce = clinic_http_nonce;
    in->nonce_ctx = r->http;
}

/* The service's date and outage for the visit (told only when they change). */
static CORE_MUST_USE int remote_set_service(struct stage *s, core_day on, bool down, struct core_error *err)
{
    struct remote *r = s->impl;
    int rc = CORE_OK;
    if (r->on_time != NULL && (r->date != on || r->minute != s->minute)) {
        if ((rc = r->on_time(r->on_date_ctx, on, s->minute, err)) != CORE_OK)
            return rc;
        r->minute = s->minute;
    }
    if (r->date != on) {
        if (r->on_time == NULL && r->on_date != NULL && (rc = r->on_date(r->on_date_ctx, on, err)) != CORE_OK)
            return rc;
        if ((rc = clinic_http_set_date(r->http, on, err)) != CORE_OK)
            return rc;
        r->date = on;
    }
    if (r->down != (down ? 1 : 0)) {
        if ((rc = clinic_http_set_down(r->http, down, err)) != CORE_OK)
            return rc;
        r->down = down ? 1 : 0;
    }
    return CORE_OK;
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

/* The profile file (fixtures/cards/README.md's format) of the card the stage personalised in process. */
static CORE_MUST_USE int write_profile(const struct card_profile *p, const char *path, struct core_error *err)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot write a card profile: %s", strerror(errno));
    char d[3][11];
    core_date_format(p->holder.born, d[0]);
    core_date_format(p->issued, d[1]);
    fprintf(f, "id: %s\nseed: %llu\nholder:\n  name: ", p->id, (unsigned long long)p->seed);
    yaml_quoted(f, p->holder.name);
    fputs("\n  address: ", f);
    yaml_quoted(f, p->holder.address);
    fprintf(f, "\n  born: %s\n  sex: %s\n  my_number: \"%s\"\n  security_code: \"%s\"\n", d[0],
            p->holder.sex == CARD_SEX_FEMALE ? "female" : "male", p->holder.my_number,
            p->holder.security_code);
    fprintf(f, "card:\n  kind: %s\n  issued: %s\n", p->kind == CARD_KIND_FACE_ONLY ? "face_only" : "normal",
            d[1]);
    if (p->expires != CORE_DAY_NONE) {
        core_date_format(p->expires, d[2]);
        fprintf(f, "  expires: %s\n", d[2]);
    }
    if (p->cert_expires != CORE_DAY_NONE) {
        core_date_format(p->cert_expires, d[2]);
        fprintf(f, "  cert_expires: %s\n", d[2]);
    }
    if (p->kind != CARD_KIND_FACE_ONLY)
        fprintf(f, "pins:\n  auth: \"%s\"\n  text: \"%s\"\n  sign: %s\n", p->auth_pin, p->text_pin,
                p->sign_password);
    if (fclose(f) != 0)
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot write a card profile");
    return CORE_OK;
}

/* Puts the card in the served slot: save the slot as it is, then issue this card with the state of the stage's
 * in-process card (the truth). remote_card_out restores the slot after the visit. */
static CORE_MUST_USE int remote_card_in(struct stage *s, struct stage_slot *slot,
                                        const struct card_profile *profile, const uint8_t *state,
                                        size_t state_len, struct pcsc_reader **reader, struct core_error *err)
{
    struct remote *r = s->impl;
    size_t index = (size_t)(slot - s->slots);
    if (index >= r->capwritten) {
        size_t cap = s->capslots > index ? s->capslots : index + 1;
        bool *p = realloc(r->written, cap * sizeof *p);
        if (p == NULL)
            return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "stage: out of memory");
        memset(p + r->capwritten, 0, (cap - r->capwritten) * sizeof *p);
        r->written = p;
        r->capwritten = cap;
    }
    char path[PATH_MAX + 32], statef[PATH_MAX + 32], line[3 * PATH_MAX + 128];
    snprintf(path, sizeof path, "%s/card-%zu.yaml", r->dir, index);
    snprintf(statef, sizeof statef, "%s/state", r->dir);
    int rc = CORE_OK;
    if (!r->written[index] && (rc = write_profile(profile, path, err)) == CORE_OK)
        r->written[index] = true;
    if (rc == CORE_OK)
        rc = core_file_write_atomic(statef, state, state_len, err);
    if (rc == CORE_OK)
        rc = pcsc_control_send(r->control, "save wire-visit", NULL, 0, err);
    if (rc == CORE_OK) {
        snprintf(line, sizeof line, "issue %s %llu %s", path, (unsigned long long)slot->serial, statef);
        rc = pcsc_control_send(r->control, line, NULL, 0, err);
        /* The slot may hold anything now: put it back, best effort. The failure is the one reported; a
         * restore that fails too leaves the slot refused by the next issue, which reports it then. */
        if (rc != CORE_OK)
            CORE_DROP(pcsc_control_send(r->control, "restore wire-visit", NULL, 0, NULL));
    }
    if (rc == CORE_OK)
        *reader = r->reader;
    return rc;
}

static CORE_MUST_USE int remote_card_out(struct stage *s, struct stage_slot *slot, struct core_error *err)
{
    (void)slot;
    struct remote *r = s->impl;
    return pcsc_control_send(r->control, "restore wire-visit", NULL, 0, err);
}

const struct stage_ops stage_remote_ops = {
    .name = "remote",
    .open = remote_open,
    .connect = remote_connect,
    .set_service = remote_set_service,
    .card_in = remote_card_in,
    .card_out = remote_card_out,
    .free = remote_free,
};
