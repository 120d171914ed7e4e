/*
 * Read-only exports of a run world (world.h, "read-only exports"): documents, the card of a day and
 * the engine's mailings as plain values, for the conformance suites (sim/conform, docs/CONFORMANCE.md). Nothing
 * here changes the world or decides anything: every answer is read from the records engine.c wrote, through
 * history.c's readers.
 */
#include <stdio.h>
#include <string.h>

#include "world/world_int.h"

static core_day day_or_none(core_day d)
{
    return d == W_NEVER ? CORE_DAY_NONE : d;
}

size_t world_document_count(const struct world *w, int resident)
{
    return w_res_ok(w, resident) ? w->res[resident].ndoc : 0;
}

bool world_document_at(const struct world *w, int resident, size_t i, struct world_document_info *out)
{
    if (!w_res_ok(w, resident) || i >= w->res[resident].ndoc || out == NULL)
        return false;
    const struct wres *r = &w->res[resident];
    const struct wdoc *d = &r->docs[i];
    out->kind = d->kind;
    out->membership = (size_t)d->mem;
    out->insurer = r->mems[d->mem].insurer;
    out->got = d->got;
    out->lost = day_or_none(d->lost);
    out->from = d->from;
    out->to = day_or_none(d->to);
    out->notice_type = d->kind == SCENARIO_DOC_NOTICE ? d->notice_type : 0;
    out->carer = d->carer;
    out->mailed = d->mailed;
    return true;
}

bool world_card_on(const struct world *w, int resident, core_day day, struct world_card_info *out)
{
    if (!w_res_ok(w, resident) || out == NULL)
        return false;
    const struct wcard *c = w_card_in_hand(&w->res[resident], day);
    if (c == NULL)
        return false;
    memset(out, 0, sizeof *out);
    out->got = c->got;
    out->expires = c->expires;
    out->face_only = c->face_only;
    const struct wcert *ct = w_cert_on(c, day);
    out->has_cert = ct != NULL;
    out->cert_expires = ct != NULL ? ct->expires : CORE_DAY_NONE;
    out->cert_pass_end = ct != NULL ? w_cert_pass_end(w, ct) : CORE_DAY_NONE;
    return true;
}

bool world_registered_on(const struct world *w, int resident, core_day day)
{
    return w_res_ok(w, resident) && w_registered(&w->res[resident], day);
}

bool world_has_myna(const struct world *w, int resident, core_day day)
{
    return w_res_ok(w, resident) && w_has_myna(w, &w->res[resident], day);
}

enum scenario_insurer_kind world_insurer_kind(const struct world *w, int insurer)
{
    return w && insurer >= 0 && (size_t)insurer < w->nins ? w->ins[insurer].kind : SCENARIO_INSURER_NHI;
}

const struct policy *world_insurer_policy(const struct world *w, int insurer)
{
    if (w == NULL)
        return NULL;
    if (insurer >= 0 && (size_t)insurer < w->nins && w->ins[insurer].policy != NULL)
        return w->ins[insurer].policy;
    return w->policy;
}

core_day world_checks_from(const struct world *w)
{
    return w ? w->checks_from : CORE_DAY_NONE;
}

/* The document a mailing event made: the resident's certificate or notice received that day, of the insurer
 * the event names first in its detail ("ID valid A..B" / "ID type T"), with the same validity or type. */
bool world_event_mailing(const struct world *w, size_t i, struct world_mailing *out)
{
    if (w == NULL || i >= w->nevent || out == NULL)
        return false;
    const struct world_event *e = &w->events[i].pub;
    bool cert = strcmp(e->what, "certificate_mailed") == 0;
    if (!cert && strcmp(e->what, "notice_mailed") != 0)
        return false;
    if (!w_res_ok(w, e->resident))
        return false;
    const struct wres *r = &w->res[e->resident];
    const char *detail = w->events[i].detail;
    for (size_t k = 0; k < r->ndoc; k++) {
        const struct wdoc *d = &r->docs[k];
        if (d->got != e->day || d->kind != (cert ? SCENARIO_DOC_CERTIFICATE : SCENARIO_DOC_NOTICE))
            continue;
        const char *id = w->ins[r->mems[d->mem].insurer].id;
        size_t n = strlen(id);
        if (strncmp(detail, id, n) != 0 || detail[n] != ' ')
            continue;
        char want[40];
        if (cert) {
            char a[11], b[11];
            core_date_format(d->from, a);
            core_date_format(d->to, b);
            (void)snprintf(want, sizeof want, "valid %s..%s", a, b);
        } else {
            (void)snprintf(want, sizeof want, "type %c", d->notice_type);
        }
        if (strncmp(detail + n + 1, want, strlen(want)) != 0)
            continue;
        out->day = e->day;
        out->resident = e->resident;
        out->kind = d->kind;
        out->insurer = r->mems[d->mem].insurer;
        out->from = d->from;
        out->to = cert ? d->to : CORE_DAY_NONE;
        out->notice_type = cert ? 0 : d->notice_type;
        out->rule = e->rule;
        return true;
    }
    return false;
}
