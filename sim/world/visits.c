/*
 * Visits: what a resident's documents get at a desk on a day, read from the world's history (history.c). A
 * visit hands clinic_decide only what the resident shows (struct clinic_presented) and what the registry
 * answers; the world then compares the decision with its truth (claim errors, DESK-2). The probes of
 * expectations (a visit, an online check) ask the same desk and change nothing. Readings taken are in
 * docs/WORLD.md (Readings taken: faults, claim errors).
 */
#include <string.h>

#include "stage/stage.h"
#include "world/world_int.h"

int w_desk(const struct world *w, const struct wres *r, unsigned bring, const struct w_desk_env *env,
           const struct w_day *day, struct w_desk_out *o)
{
    core_day d = env->day;
    /* Every field set here but the numbers of documents not shown, which nothing reads: a decision is made
     * some thirty times per resident, and zeroing these structures whole was a seventh of a population's
     * time. An answer is read only once its check has filled it (clinic_decide reads the documents' answers
     * only where the clinic checks, and then they were asked; the world reads the card's as set below). */
    struct clinic_presented p;
    p.card = p.card_face_only = p.paper_card = p.certificate = p.notice = false;
    p.portal = p.portal_shows_qualification = false;
    p.paper_expiry = p.certificate_from = p.certificate_to = CORE_DAY_NONE;
    p.notice_type = 0;
    p.born = r->sr->born;
    p.high_income = r->sr->income == SCENARIO_INCOME_HIGH;
    o->card.result = ELIGIBILITY_NO_CARD;
    o->card.warnings = 0;
    o->card.has_qualification = false;
    o->card_shown = false;
    struct eligibility_answer a_paper, a_cert, a_notice;
    struct clinic_answers ans = {NULL, NULL, NULL, NULL};
    bool check = env->reader != CLINIC_READER_NONE && env->online_ok;
    bool ask = check || !env->outcome_only;
    const struct wcard *c = day->card;
    if ((bring & SCENARIO_DOC_BIT(SCENARIO_DOC_CARD)) && c != NULL) {
        p.card = true;
        p.card_face_only = c->face_only;
        o->card_shown = true;
        struct eligibility_card_request req;
        memset(&req, 0, sizeof req);
        req.on = d;
        req.card_in_hand = true;
        req.reader_down = !env->online_ok || env->reader == CLINIC_READER_NONE;
        req.service_down = env->service_down;
        const struct wcert *ct = w_cert_on(c, d);
        /* A card without a certificate sends none: serial 0, which J-LIS never issues (cert_revoked). */
        /* A borrowed certificate or a replayed request presents a serial J-LIS never issued (cert_revoked). */
        bool bad_cert = env->fault.borrowed_certificate || env->fault.replayed_request;
        req.cert_serial = bad_cert ? UINT64_MAX : ct != NULL ? ct->serial : 0;
        req.auth = clinic_reader_auth(env->reader, c->face_only, env->fault.face_mismatch);
        req.pin_blocked = w_pin_blocked(r, c->id, d);
        if (ask && eligibility_check_card(w->reg, &req, &o->card) != CORE_OK)
            return CORE_EINVAL;
        ans.card = &o->card;
    }
    /* DESK-1 tries the card first: when it passes the check, what the other documents would answer is never
     * read (clinic_decide takes the card route; the world bills the card's answer), so on the rules path they
     * are not asked. The wire path asks as its desk does. */
    bool card_decides =
        check && p.card && o->card.result == ELIGIBILITY_OK && !(env->wire && w->wire != NULL);
    for (int k = 0; k < SCENARIO_DOC_COUNT; k++)
        o->docs[k] = -1;
    for (int k = SCENARIO_DOC_PAPER_CARD; k <= SCENARIO_DOC_NOTICE; k++) {
        if (k == SCENARIO_DOC_CARD || !(bring & SCENARIO_DOC_BIT(k)))
            continue;
        int di = day->pick[k];
        o->docs[k] = di;
        if (di < 0)
            continue;
        const struct wdoc *doc = &r->docs[di];
        const struct eligibility_numbers *nums = &r->mems[doc->mem].numbers;
        struct eligibility_answer *a = k == SCENARIO_DOC_PAPER_CARD    ? &a_paper
                                       : k == SCENARIO_DOC_CERTIFICATE ? &a_cert
                                                                       : &a_notice;
        struct eligibility_number_request req = {d, !env->online_ok, env->service_down, *nums, r->sr->born};
        if (ask && !card_decides && eligibility_check_numbers(w->reg, &req, a) != CORE_OK)
            return CORE_EINVAL;
        if (k == SCENARIO_DOC_PAPER_CARD) {
            p.paper_card = true;
            p.paper_numbers = *nums;
            p.paper_expiry = doc->to;
            ans.paper_card = a;
        } else if (k == SCENARIO_DOC_CERTIFICATE) {
            p.certificate = true;
            p.certificate_numbers = *nums;
            p.certificate_from = doc->from;
            p.certificate_to = doc->to;
            ans.certificate = a;
        } else {
            p.notice = true;
            p.notice_numbers = *nums;
            p.notice_type = doc->notice_type ? doc->notice_type : 'B';
            ans.notice = a;
        }
    }
    if (!card_decides && (bring & SCENARIO_DOC_BIT(SCENARIO_DOC_PORTAL)) && day->portal) {
        struct eligibility_answer pa;
        p.portal = true;
        if (eligibility_check_person(w->reg, r->person, d, &pa) == CORE_OK)
            p.portal_shows_qualification = pa.result == ELIGIBILITY_OK;
    }
    if (!check) {
        ans.paper_card = ans.certificate = ans.notice = NULL;
        if (!p.card)
            ans.card = NULL;
    }
    struct clinic_input in = {.on = d,
                              .visit = env->kind,
                              .reader = env->reader,
                              .online_ok = env->online_ok,
                              .presented = &p,
                              .answers = ans,
                              .record = env->record,
                              .policy = w->policy,
                              .outcome_only = env->outcome_only};
    if (env->wire && w->wire != NULL) {
        struct w_wire_visit wv = {(int)(r - w->res),
                                  c,
                                  c != NULL ? w_cert_on(c, d) : NULL,
                                  env->clinic,
                                  env->faults,
                                  env->service_down,
                                  c != NULL && w_pin_blocked(r, c->id, d),
                                  &in,
                                  env->pin_typed};
        return w_wire_desk(w, &wv, &o->card, &o->decision);
    }
    return clinic_decide(&in, &o->decision);
}

/* DESK-2: insured care billed to a membership that was not the resident's that day, or refused on a valid one. */
static bool claim_error(const struct wres *r, const struct w_desk_out *o, core_day d)
{
    int truth = w_mem_on(r, d);
    const struct clinic_decision *dec = &o->decision;
    const struct eligibility_numbers *billed = NULL;
    switch (dec->route) {
    case CLINIC_ROUTE_CARD:
    case CLINIC_ROUTE_CARD_PORTAL:
        billed = o->card.has_qualification ? &o->card.qualification.numbers : NULL;
        break;
    case CLINIC_ROUTE_CERTIFICATE:
        billed = o->docs[SCENARIO_DOC_CERTIFICATE] >= 0
                     ? &r->mems[r->docs[o->docs[SCENARIO_DOC_CERTIFICATE]].mem].numbers
                     : NULL;
        break;
    case CLINIC_ROUTE_PAPER_CARD:
        billed = o->docs[SCENARIO_DOC_PAPER_CARD] >= 0
                     ? &r->mems[r->docs[o->docs[SCENARIO_DOC_PAPER_CARD]].mem].numbers
                     : NULL;
        break;
    case CLINIC_ROUTE_CARD_NOTICE:
        billed = o->docs[SCENARIO_DOC_NOTICE] >= 0
                     ? &r->mems[r->docs[o->docs[SCENARIO_DOC_NOTICE]].mem].numbers
                     : NULL;
        break;
    case CLINIC_ROUTE_LOOKUP: {
        int di = o->docs[SCENARIO_DOC_PAPER_CARD] >= 0 ? o->docs[SCENARIO_DOC_PAPER_CARD]
                                                       : o->docs[SCENARIO_DOC_NOTICE];
        billed = di >= 0 ? &r->mems[r->docs[di].mem].numbers : NULL;
        break;
    }
    case CLINIC_ROUTE_DECLARATION:
        return truth < 0;
    default:
        break;
    }
    if (dec->outcome == CLINIC_INSURED) {
        if (truth < 0)
            return true;
        return billed != NULL && memcmp(billed, &r->mems[truth].numbers, sizeof *billed) != 0;
    }
    /* Refused by the number check on a document of the membership in force. */
    if (dec->outcome == CLINIC_SELF_PAY && truth >= 0 && dec->rule != NULL &&
        strcmp(dec->rule, "DESK-2") == 0)
        for (int k = 0; k < SCENARIO_DOC_COUNT; k++)
            if (o->docs[k] >= 0 && r->docs[o->docs[k]].mem == truth)
                return true;
    return false;
}

/* The desk record of a resident at a clinic: every visit recorded so far up to and including `day` (AMEND-4's
 * "charged it in that calendar month" includes an earlier charge the same day). A visit event is evaluated
 * before it is recorded, so it sees the visits of its day that the file lists before it; a probe is asked
 * after the whole timeline, so it sees all of its day's visits (an expectation is checked after all events of
 * its day: docs/WORLD.md, Readings taken). Later days are never read. */
static void record_before(const struct world *w, int ri, int clinic, core_day day, struct clinic_record *rec)
{
    memset(rec, 0, sizeof *rec);
    /* Only this resident's visits, in the order recorded (w_visit_keep): a lookup costs that resident's
     * visits, not the whole world's. */
    for (uint32_t i = w->res[ri].vfirst; i != 0; i = w->vnext[i - 1]) {
        const struct world_visit *v = &w->visits[i - 1];
        if (v->clinic == clinic && v->day <= day)
            clinic_record_visit(rec, &v->decision, v->day);
    }
}

int w_visit_keep(struct world *w, const struct world_visit *v)
{
    if (w->nvisit >= UINT32_MAX - 1 || !w_res_ok(w, v->resident))
        return CORE_EINVAL;
    if (w_grow((void **)&w->visits, &w->capvisit, w->nvisit + 1, sizeof *w->visits) != CORE_OK ||
        w_grow((void **)&w->vnext, &w->capvnext, w->nvisit + 1, sizeof *w->vnext) != CORE_OK)
        return CORE_ENOMEM;
    struct wres *r = &w->res[v->resident];
    uint32_t id = (uint32_t)w->nvisit + 1;
    w->visits[w->nvisit] = *v;
    w->vnext[w->nvisit] = 0;
    w->nvisit++;
    if (r->vlast != 0)
        w->vnext[r->vlast - 1] = id;
    else
        r->vfirst = id;
    r->vlast = id;
    return CORE_OK;
}

static int visit_eval_as(const struct world *w, int ri, core_day day, const struct scenario_visit *v,
                         int line, const char *pin_typed, struct world_visit *out,
                         struct eligibility_answer *card, struct core_error *err)
{
    const struct wres *r = &w->res[ri];
    memset(out, 0, sizeof *out);
    out->day = day;
    out->resident = ri;
    out->clinic = v->clinic;
    out->kind = v->kind;
    out->line = line;
    struct w_day today;
    w_day_of(r, day, &today);
    unsigned held = today.holds, hand = today.in_hand;
    unsigned bring = v->bring_given ? v->bring : held;
    out->brought = bring;
    out->missing = bring & ~hand;
    struct clinic_record rec;
    record_before(w, ri, v->clinic, day, &rec);
    struct w_desk_env env;
    memset(&env, 0, sizeof env);
    env.day = day;
    env.reader = v->clinic >= 0 ? (enum clinic_reader)w->scn->clinics[v->clinic].reader : CLINIC_READER_FACE;
    env.fault = stage_faults(v->faults);
    env.online_ok = !w_clinic_down(w, v->clinic, day) && !env.fault.reader_fault;
    env.service_down = w_in_outage(w, day);
    env.kind = (enum clinic_visit)v->kind;
    env.record = &rec;
    env.wire = true;
    env.clinic = v->clinic;
    env.faults = v->faults;
    env.pin_typed = pin_typed;
    struct w_desk_out o;
    memset(&o, 0, sizeof o);
    int rc = w_desk(w, r, bring & hand, &env, &today, &o);
    if (rc != CORE_OK)
        return core_error_set(err, rc, w->scn->file, line, 0, "world: the desk could not decide");
    out->card_check = o.card_shown ? o.card.result : ELIGIBILITY_NO_CARD;
    out->warnings = o.card_shown ? o.card.warnings : 0;
    out->decision = o.decision;
    out->claim_error = claim_error(r, &o, day);
    if (card != NULL)
        *card = o.card;
    return CORE_OK;
}

static int visit_eval(const struct world *w, int ri, core_day day, const struct scenario_visit *v, int line,
                      struct world_visit *out, struct core_error *err)
{
    return visit_eval_as(w, ri, day, v, line, NULL, out, NULL, err);
}

int w_visit(struct world *w, int ri, core_day day, const struct scenario_visit *v, int line,
            struct world_visit *out, struct core_error *err)
{
    int rc = visit_eval(w, ri, day, v, line, out, err);
    if (rc == CORE_OK && out->claim_error)
        w->res[ri].claims++;
    return rc;
}

/* ---- probes ---------------------------------------------------------------------------------------------- */

int world_probe_visit(const struct world *w, int resident, core_day day, const struct scenario_visit *visit,
                      struct world_visit *out, struct core_error *err)
{
    if (!w_res_ok(w, resident) || visit == NULL || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: bad probe");
    return visit_eval(w, resident, day, visit, 0, out, err);
}

int world_session(const struct world *w, int resident, core_day day, const struct scenario_visit *visit,
                  const char *pin_typed, struct world_visit *out, struct eligibility_answer *card,
                  struct core_error *err)
{
    if (!w_res_ok(w, resident) || visit == NULL || out == NULL || card == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: bad session");
    if (w->wire == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: a session needs the wire path");
    memset(card, 0, sizeof *card);
    return visit_eval_as(w, resident, day, visit, 0, pin_typed, out, card, err);
}

int world_probe_check(const struct world *w, int resident, core_day day, int clinic,
                      struct eligibility_answer *out, struct core_error *err)
{
    if (!w_res_ok(w, resident) || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: bad probe");
    const struct wres *r = &w->res[resident];
    const struct wcard *c = w_card_in_hand(r, day);
    memset(out, 0, sizeof *out);
    struct eligibility_card_request req;
    memset(&req, 0, sizeof req);
    req.on = day;
    req.card_in_hand = c != NULL;
    enum clinic_reader reader =
        clinic >= 0 ? (enum clinic_reader)w->scn->clinics[clinic].reader : CLINIC_READER_FACE;
    req.reader_down = reader == CLINIC_READER_NONE || w_clinic_down(w, clinic, day);
    req.service_down = w_in_outage(w, day);
    if (c != NULL) {
        const struct wcert *ct = w_cert_on(c, day);
        req.cert_serial = ct != NULL ? ct->serial : 0; /* none on the card: J-LIS never issues serial 0 */
        req.auth = clinic_reader_auth(reader, c->face_only, false);
        req.pin_blocked = w_pin_blocked(r, c->id, day);
        if (w->wire != NULL) /* the wire path: the reception flow's card route (wire.c) */
            return w_wire_check(w, resident, c, day, clinic, reader, !w_clinic_down(w, clinic, day),
                                req.service_down, req.pin_blocked, out);
    }
    return eligibility_check_card(w->reg, &req, out);
}
