/*
 * The world's history read as of a day: one function per question (the membership in force, the card in hand,
 * its certificate, registration, a blocked PIN, documents usable, held and in hand, the portal, outages, a
 * clinic down). The engine, the desk, the invariants and the queries all ask these and nothing else, so "what a
 * resident has on day D" has one answer. Readings taken are in docs/WORLD.md (Model).
 */
#include "world/world_int.h"

bool w_res_ok(const struct world *w, int resident)
{
    return w != NULL && resident >= 0 && (size_t)resident < w->nres;
}

int w_mem_on(const struct wres *r, core_day d)
{
    for (size_t i = r->nmem; i-- > 0;)
        if (r->mems[i].from <= d && d <= r->mems[i].to)
            return (int)i;
    return SCENARIO_NONE;
}

const struct wcard *w_card_in_hand(const struct wres *r, core_day d)
{
    for (size_t i = r->ncard; i-- > 0;)
        if (r->cards[i].got <= d && d < r->cards[i].lost)
            return &r->cards[i];
    return NULL;
}

const struct wcert *w_cert_on(const struct wcard *c, core_day d)
{
    if (c->ncert <= 0)
        return NULL; /* no certificate on the card: nothing for the reader to read (MYNA-8) */
    for (int i = c->ncert; i-- > 0;)
        if (c->cert[i].from <= d)
            return &c->cert[i];
    return &c->cert[0];
}

bool w_registered(const struct wres *r, core_day d)
{
    for (size_t i = 0; i < r->nreg; i++)
        if (r->regs[i].from <= d && d < r->regs[i].until)
            return true;
    return false;
}

bool w_pin_blocked(const struct wres *r, uint64_t card, core_day d)
{
    for (size_t i = 0; i < r->nblock; i++)
        if (r->blocks[i].card == card && r->blocks[i].pin == SCENARIO_PIN_AUTH && r->blocks[i].from <= d &&
            d <= r->blocks[i].to)
            return true;
    return false;
}

int w_cert_grace(const struct world *w, struct wcert *c)
{
    return eligibility_cert_grace(w->policy, c->expires, &c->grace_from, &c->grace_to);
}

core_day w_cert_pass_end(const struct world *w, const struct wcert *c)
{
    (void)w;
    return c->grace_to >= c->grace_from ? c->grace_to : c->expires;
}

bool w_cert_passes(const struct wcert *c, core_day d)
{
    return d <= c->expires || (c->grace_from <= d && d <= c->grace_to);
}

bool w_has_myna(const struct world *w, const struct wres *r, core_day d)
{
    (void)w; /* the certificate carries its grace (w_cert_grace) */
    const struct wcard *c = w_card_in_hand(r, d);
    if (c == NULL || d > c->expires || !w_registered(r, d))
        return false;
    const struct wcert *ct = w_cert_on(c, d);
    return ct != NULL && w_cert_passes(ct, d);
}

bool w_doc_usable(const struct wres *r, const struct wdoc *doc, core_day d)
{
    if (d < doc->got || d >= doc->lost || d < doc->from || d > doc->to)
        return false;
    const struct wmem *m = &r->mems[doc->mem];
    return m->from <= d && d <= m->to;
}

bool w_holds_doc(const struct wres *r, enum scenario_document kind, int mem, core_day d)
{
    for (size_t i = 0; i < r->ndoc; i++)
        if (r->docs[i].kind == kind && (mem < 0 || r->docs[i].mem == mem) && w_doc_usable(r, &r->docs[i], d))
            return true;
    return false;
}

bool w_cert_covering(const struct wres *r, int mem, core_day d)
{
    for (size_t i = 0; i < r->ndoc; i++) {
        const struct wdoc *doc = &r->docs[i];
        if (doc->kind == SCENARIO_DOC_CERTIFICATE && doc->mem == mem && doc->got <= d && d < doc->lost &&
            doc->to >= d)
            return true;
    }
    return false;
}

bool w_notice_of(const struct wres *r, int mem, core_day d)
{
    for (size_t i = 0; i < r->ndoc; i++)
        if (r->docs[i].kind == SCENARIO_DOC_NOTICE && r->docs[i].mem == mem && r->docs[i].lost > d)
            return true;
    return false;
}

bool w_portal(const struct wres *r, core_day d)
{
    const struct wcard *c = w_card_in_hand(r, d);
    if (c == NULL || c->face_only || w_pin_blocked(r, c->id, d))
        return false;
    return w_registered(r, d);
}

bool w_in_outage(const struct world *w, core_day d)
{
    for (size_t i = 0; i < w->scn->outage_count; i++)
        if (w->scn->outages[i].from <= d && d <= w->scn->outages[i].to)
            return true;
    return false;
}

bool w_clinic_down(const struct world *w, int clinic, core_day d)
{
    if (clinic < 0)
        return false;
    const struct wclinic *c = &w->clinics[clinic];
    for (size_t i = 0; i < c->ndown; i++)
        if (c->down[i].from <= d && d <= c->down[i].to)
            return true;
    return false;
}

void w_day_of(const struct wres *r, core_day d, struct w_day *out)
{
    bool usable[SCENARIO_DOC_COUNT];
    for (int k = 0; k < SCENARIO_DOC_COUNT; k++) {
        out->pick[k] = -1;
        usable[k] = false;
    }
    out->holds = out->in_hand = 0;
    for (size_t i = 0; i < r->ndoc; i++) {
        const struct wdoc *doc = &r->docs[i];
        bool u = w_doc_usable(r, doc, d);
        if (u)
            out->holds |= SCENARIO_DOC_BIT(doc->kind);
        int k = (int)doc->kind;
        if (k < SCENARIO_DOC_PAPER_CARD || k > SCENARIO_DOC_NOTICE || k == SCENARIO_DOC_CARD ||
            d < doc->got || d >= doc->lost)
            continue;
        int best = out->pick[k];
        if (u ? (best < 0 || !usable[k] || r->docs[best].got <= doc->got)
              : (best < 0 || (!usable[k] && r->docs[best].got <= doc->got))) {
            out->pick[k] = (int)i;
            usable[k] = u;
        }
    }
    for (int k = SCENARIO_DOC_PAPER_CARD; k <= SCENARIO_DOC_NOTICE; k++)
        if (k != SCENARIO_DOC_CARD && out->pick[k] >= 0)
            out->in_hand |= SCENARIO_DOC_BIT(k);
    out->card = w_card_in_hand(r, d);
    out->portal = w_portal(r, d);
    if (out->card != NULL) {
        out->in_hand |= SCENARIO_DOC_BIT(SCENARIO_DOC_CARD);
        if (d <= out->card->expires) {
            out->holds |= SCENARIO_DOC_BIT(SCENARIO_DOC_CARD);
            if (out->portal)
                out->holds |= SCENARIO_DOC_BIT(SCENARIO_DOC_PORTAL);
        }
    }
    if (out->portal)
        out->in_hand |= SCENARIO_DOC_BIT(SCENARIO_DOC_PORTAL);
}

unsigned w_holds(const struct wres *r, core_day d)
{
    struct w_day day;
    w_day_of(r, d, &day);
    return day.holds;
}

unsigned w_in_hand(const struct wres *r, core_day d)
{
    struct w_day day;
    w_day_of(r, d, &day);
    return day.in_hand;
}
