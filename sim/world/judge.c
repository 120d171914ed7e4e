/*
 * The judge: what a resident's documents get at a desk on a day, read from the world's history, and the
 * invariants on day ranges. A visit hands clinic_decide only what the resident shows (struct clinic_presented)
 * and what the registry answers; the world then compares the decision with its truth (claim errors, DESK-2).
 *
 * INV-1/INV-2 never loop over days: every day on which anything of a resident can change (a document got,
 * lost or expiring, a membership's bounds, a filing filed or becoming visible, a card or certificate date, a
 * PIN block, a registration, an outage, a change of a dated policy row) is a breakpoint, and each segment
 * between breakpoints is judged once, on its first day.
 */
#include <stdlib.h>
#include <string.h>

#include "world/world_int.h"

struct desk_env {
    core_day day;
    enum clinic_reader reader;
    bool online_ok;
    bool service_down;
    bool face_mismatch, reader_fault, bad_cert;
    enum clinic_visit kind;
    const struct clinic_record *record;
    bool wire;       /* a visit or probe: the wire path when the world has one (wire.c) */
    int clinic;      /* for the wire path's reader device */
    unsigned faults; /* for the wire path: the faults produced for real */
    /* The invariants: only whether care is insured (clinic_input.outcome_only); where the clinic has no
     * online check the registry is not asked at all, since clinic_decide would not read its answers. */
    bool outcome_only;
};

struct desk_out {
    struct clinic_decision decision;
    struct eligibility_answer card;
    int docs[SCENARIO_DOC_COUNT];
    bool card_shown;
};

static int desk(const struct world *w, const struct wres *r, unsigned bring, const struct desk_env *env,
                const struct w_day *day, struct desk_out *o)
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
        req.cert_serial = env->bad_cert ? UINT64_MAX : ct != NULL ? ct->serial : 0;
        req.auth = clinic_reader_auth(env->reader, c->face_only, env->face_mismatch);
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
                                  &in};
        return w_wire_desk(w, &wv, &o->card, &o->decision);
    }
    return clinic_decide(&in, &o->decision);
}

/* DESK-2: insured care billed to a membership that was not the resident's that day, or refused on a valid one. */
static bool claim_error(const struct wres *r, const struct desk_out *o, core_day d)
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

/* The desk record of a resident at a clinic from the visits strictly before `day`. */
static void record_before(const struct world *w, int ri, int clinic, core_day day, struct clinic_record *rec)
{
    memset(rec, 0, sizeof *rec);
    for (size_t i = 0; i < w->nvisit; i++) {
        const struct world_visit *v = &w->visits[i];
        if (v->resident == ri && v->clinic == clinic && v->day < day)
            clinic_record_visit(rec, &v->decision, v->day);
    }
}

static int visit_eval(const struct world *w, int ri, core_day day, const struct scenario_visit *v, int line,
                      struct world_visit *out, struct core_error *err)
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
    struct desk_env env;
    memset(&env, 0, sizeof env);
    env.day = day;
    env.reader = v->clinic >= 0 ? (enum clinic_reader)w->scn->clinics[v->clinic].reader : CLINIC_READER_FACE;
    env.face_mismatch = (v->faults & SCENARIO_FAULT_BIT(SCENARIO_FAULT_FACE_MISMATCH)) != 0;
    env.reader_fault = (v->faults & SCENARIO_FAULT_BIT(SCENARIO_FAULT_READER_FAULT)) != 0;
    env.bad_cert = (v->faults & (SCENARIO_FAULT_BIT(SCENARIO_FAULT_BORROWED_CERTIFICATE) |
                                 SCENARIO_FAULT_BIT(SCENARIO_FAULT_REPLAYED_REQUEST))) != 0;
    env.online_ok = !w_clinic_down(w, v->clinic, day) && !env.reader_fault;
    env.service_down = w_in_outage(w, day);
    env.kind = (enum clinic_visit)v->kind;
    env.record = &rec;
    env.wire = true;
    env.clinic = v->clinic;
    env.faults = v->faults;
    struct desk_out o;
    int rc = desk(w, r, bring & hand, &env, &today, &o);
    if (rc != CORE_OK)
        return core_error_set(err, rc, w->scn->file, line, 0, "world: the desk could not decide");
    out->card_check = o.card_shown ? o.card.result : ELIGIBILITY_NO_CARD;
    out->warnings = o.card_shown ? o.card.warnings : 0;
    out->decision = o.decision;
    out->claim_error = claim_error(r, &o, day);
    return CORE_OK;
}

int w_visit(struct world *w, int ri, core_day day, const struct scenario_visit *v, int line,
            struct world_visit *out, struct core_error *err)
{
    int rc = visit_eval(w, ri, day, v, line, out, err);
    if (rc == CORE_OK && out->claim_error)
        w->res[ri].claims++;
    return rc;
}

/* ---- invariants on ranges -------------------------------------------------------------------------- */

struct days {
    core_day *d;
    size_t n, cap;
};

static void add_day(struct days *b, core_day d, int *rc)
{
    if (d == CORE_DAY_NONE || d == W_NEVER || d == W_NEVER - 1)
        return;
    if (w_grow((void **)&b->d, &b->cap, b->n + 1, sizeof *b->d) != CORE_OK) {
        *rc = CORE_ENOMEM;
        return;
    }
    b->d[b->n++] = d;
}

/* Ascending days. A resident has a few dozen breakpoints, and most arrive nearly in order: an insertion sort
 * beats qsort's indirect comparisons there (qsort beyond 64). */
static int day_cmp(const void *a, const void *b)
{
    core_day x = *(const core_day *)a, y = *(const core_day *)b;
    return x < y ? -1 : x > y;
}

static void sort_days(core_day *d, size_t n)
{
    if (n > 64) {
        qsort(d, n, sizeof *d, day_cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        core_day x = d[i];
        size_t j = i;
        for (; j > 0 && d[j - 1] > x; j--)
            d[j] = d[j - 1];
        d[j] = x;
    }
}

/* The parameters the invariants' decisions read (clinic_decide with outcome_only, the check's grace). */
static const int judged_params[] = {POLICY_LOOKUP_GRACE_ENABLED, POLICY_ONLINE_CERT_EXPIRY_GRACE_MONTHS,
                                    POLICY_PAPER_CARD_CAP};

/* Dated policy rows of those parameters in [from, to]: breakpoints of every resident. */
static void policy_breaks(const struct world *w, core_day from, core_day to, struct days *out, int *rc)
{
    core_day d = from;
    while (d <= to) {
        core_day a, b;
        policy_span(w->policy, judged_params, sizeof judged_params / sizeof judged_params[0], d, &a, &b);
        if (b >= to)
            break;
        add_day(out, b + 1, rc);
        d = b + 1;
    }
}

/* The rule a gap day is charged to; `today` is what the resident has on d (w_day_of). */
static const char *gap_rule(const struct wres *r, core_day d, const struct w_day *today, const struct desk_out *o)
{
    if (today->card == NULL && r->ncard > 0 && r->cards[r->ncard - 1].lost <= d)
        return "MYNA-6";
    if (o->docs[SCENARIO_DOC_PAPER_CARD] >= 0 && !(today->holds & SCENARIO_DOC_BIT(SCENARIO_DOC_PAPER_CARD)))
        return "PAPER-2";
    if (o->card_shown && o->card.result != ELIGIBILITY_OK)
        return "MYNA-3";
    return o->decision.rule ? o->decision.rule : "INV-1";
}

static int judge_resident(struct world *w, int ri)
{
    struct wres *r = &w->res[ri];
    const struct scenario *s = w->scn;
    struct days b = {NULL, 0, 0};
    int rc = CORE_OK;
    add_day(&b, s->period.from, &rc);
    add_day(&b, w->checks_from, &rc);
    add_day(&b, s->period.to + 1, &rc);
    for (size_t i = 0; i < r->nmem; i++) {
        add_day(&b, r->mems[i].from, &rc);
        long long rl = 0;
        (void)policy_int_id(w->policy, POLICY_ONLINE_REFLECTION_LAG_DAYS, r->mems[i].from, &rl);
        add_day(&b, r->mems[i].from + (core_day)rl, &rc);
        if (r->mems[i].loss_filed != CORE_DAY_NONE) {
            (void)policy_int_id(w->policy, POLICY_ONLINE_REFLECTION_LAG_DAYS, r->mems[i].loss_filed, &rl);
            add_day(&b, r->mems[i].loss_filed, &rc);
            add_day(&b, r->mems[i].loss_filed + (core_day)rl, &rc);
        }
        if (r->mems[i].to != W_NEVER)
            add_day(&b, r->mems[i].to + 1, &rc);
    }
    for (size_t i = 0; i < r->ndoc; i++) {
        const struct wdoc *d = &r->docs[i];
        add_day(&b, d->got, &rc);
        add_day(&b, d->lost, &rc);
        add_day(&b, d->from, &rc);
        if (d->to != W_NEVER)
            add_day(&b, d->to + 1, &rc);
    }
    for (size_t i = 0; i < r->ncard; i++) {
        const struct wcard *c = &r->cards[i];
        add_day(&b, c->got, &rc);
        add_day(&b, c->lost, &rc);
        add_day(&b, c->expires + 1, &rc);
        for (int k = 0; k < c->ncert; k++) {
            add_day(&b, c->cert[k].from, &rc);
            add_day(&b, c->cert[k].expires + 1, &rc);
            long long months = 0;
            (void)policy_int_id(w->policy, POLICY_ONLINE_CERT_EXPIRY_GRACE_MONTHS, c->cert[k].expires + 1,
                                &months);
            add_day(&b, eligibility_cert_grace_end(c->cert[k].expires, (int)months) + 1, &rc);
            (void)policy_int_id(w->policy, POLICY_ONLINE_CERT_EXPIRY_GRACE_MONTHS, s->period.to, &months);
            add_day(&b, eligibility_cert_grace_end(c->cert[k].expires, (int)months) + 1, &rc);
        }
    }
    for (size_t i = 0; i < r->nblock; i++) {
        add_day(&b, r->blocks[i].from, &rc);
        if (r->blocks[i].to != W_NEVER)
            add_day(&b, r->blocks[i].to + 1, &rc);
    }
    for (size_t i = 0; i < r->nreg; i++) {
        add_day(&b, r->regs[i].from, &rc);
        add_day(&b, r->regs[i].until, &rc);
    }
    for (size_t i = 0; i < s->outage_count; i++) {
        add_day(&b, s->outages[i].from, &rc);
        add_day(&b, s->outages[i].to + 1, &rc);
    }
    /* The registry's own days: filings filed and visible (reflection and withdrawal lags). */
    long long lag = 0, wlag = 0;
    for (size_t i = 0; i < w->nevent; i++) {
        const struct world_event *e = &w->events[i].pub;
        if (e->resident != ri)
            continue;
        (void)policy_int_id(w->policy, POLICY_ONLINE_REFLECTION_LAG_DAYS, e->day, &lag);
        (void)policy_int_id(w->policy, POLICY_REGISTRATION_WITHDRAWAL_LAG_DAYS, e->day, &wlag);
        add_day(&b, e->day, &rc);
        add_day(&b, e->day + (core_day)lag, &rc);
        add_day(&b, e->day + (core_day)wlag, &rc);
    }
    policy_breaks(w, s->period.from, s->period.to, &b, &rc);
    if (rc != CORE_OK) {
        free(b.d);
        return rc;
    }
    sort_days(b.d, b.n);
    size_t u = 0;
    for (size_t i = 0; i < b.n; i++)
        if (b.d[i] >= s->period.from && b.d[i] <= s->period.to + 1 && (u == 0 || b.d[u - 1] != b.d[i]))
            b.d[u++] = b.d[i];
    b.n = u;
    for (size_t i = 0; i + 1 < b.n && rc == CORE_OK; i++) {
        core_day from = b.d[i], to = b.d[i + 1] - 1;
        struct world_range g;
        memset(&g, 0, sizeof g);
        g.from = from;
        g.to = to;
        struct w_day today;
        w_day_of(r, from, &today);
        g.holds = today.holds;
        g.in_hand = today.in_hand;
        int mi = w_mem_on(r, from);
        g.insurer = mi >= 0 ? r->mems[mi].insurer : SCENARIO_NONE;
        g.rule = "";
        if (from < w->checks_from) {
            g.verdict = WORLD_DAY_BEFORE_CHECKS;
        } else if (mi < 0) {
            g.verdict = WORLD_DAY_NOT_INSURED;
        } else {
            struct desk_env env;
            memset(&env, 0, sizeof env);
            env.day = from;
            env.reader = CLINIC_READER_FACE;
            env.online_ok = true;
            env.service_down = w_in_outage(w, from);
            env.kind = CLINIC_VISIT_FIRST;
            env.outcome_only = true;
            struct desk_out o;
            rc = desk(w, r, g.in_hand, &env, &today, &o);
            if (rc != CORE_OK)
                break;
            long days = (long)(to - from + 1);
            if (o.decision.outcome == CLINIC_INSURED && !o.decision.grace) {
                g.verdict = WORLD_DAY_USABLE;
            } else if (o.decision.outcome == CLINIC_INSURED) {
                g.verdict = WORLD_DAY_GRACE;
                g.rule = "AMEND-1";
                r->grace += days;
            } else {
                g.verdict = WORLD_DAY_GAP;
                g.rule = gap_rule(r, from, &today, &o);
                r->gap += days;
                if (r->first_gap == CORE_DAY_NONE)
                    r->first_gap = from;
            }
            /* INV-2: the clinic's reader and online check down. */
            env.online_ok = false;
            struct desk_out o2;
            rc = desk(w, r, g.in_hand, &env, &today, &o2);
            if (rc != CORE_OK)
                break;
            if (o2.decision.outcome != CLINIC_INSURED) {
                g.degraded = true;
                r->degraded += days;
                if (g.rule[0] == '\0')
                    g.rule = o2.decision.rule ? o2.decision.rule : "INV-2";
            }
        }
        struct world_range *last = r->nrange ? &r->ranges[r->nrange - 1] : NULL;
        if (last != NULL && last->to + 1 == g.from && last->holds == g.holds && last->in_hand == g.in_hand &&
            last->insurer == g.insurer && last->verdict == g.verdict && last->degraded == g.degraded &&
            strcmp(last->rule, g.rule) == 0) {
            last->to = g.to;
            continue;
        }
        if (w_grow((void **)&r->ranges, &r->caprange, r->nrange + 1, sizeof *r->ranges) != CORE_OK) {
            rc = CORE_ENOMEM;
            break;
        }
        r->ranges[r->nrange++] = g;
    }
    free(b.d);
    return rc;
}

int w_judge(struct world *w, struct core_error *err)
{
    for (size_t i = 0; i < w->nres; i++) {
        int rc = judge_resident(w, (int)i);
        if (rc != CORE_OK)
            return core_error_set(err, rc, NULL, 0, 0, "world: cannot judge %s", w->res[i].sr->id);
    }
    return CORE_OK;
}

/* ---- the public reads ------------------------------------------------------------------------------- */

size_t world_range_count(const struct world *w, int resident)
{
    return w_res_ok(w, resident) ? w->res[resident].nrange : 0;
}

const struct world_range *world_range_at(const struct world *w, int resident, size_t i)
{
    return w_res_ok(w, resident) && i < w->res[resident].nrange ? &w->res[resident].ranges[i] : NULL;
}

static long total(const struct world *w, int resident, int which)
{
    if (w == NULL)
        return 0;
    long sum = 0;
    for (size_t i = 0; i < w->nres; i++) {
        if (resident != SCENARIO_WHO_ALL && (int)i != resident)
            continue;
        const struct wres *r = &w->res[i];
        sum += which == 0 ? r->gap : which == 1 ? r->grace : which == 2 ? r->degraded : r->claims;
    }
    return sum;
}

long world_gap_days(const struct world *w, int resident)
{
    return total(w, resident, 0);
}

long world_grace_days(const struct world *w, int resident)
{
    return total(w, resident, 1);
}

long world_degraded_days(const struct world *w, int resident)
{
    return total(w, resident, 2);
}

long world_claim_errors(const struct world *w, int resident)
{
    return total(w, resident, 3);
}

core_day world_first_gap(const struct world *w, int resident)
{
    if (w == NULL)
        return CORE_DAY_NONE;
    core_day best = CORE_DAY_NONE;
    for (size_t i = 0; i < w->nres; i++) {
        if (resident != SCENARIO_WHO_ALL && (int)i != resident)
            continue;
        core_day f = w->res[i].first_gap;
        if (f != CORE_DAY_NONE && (best == CORE_DAY_NONE || f < best))
            best = f;
    }
    return best;
}

size_t world_visit_count(const struct world *w)
{
    return w ? w->nvisit : 0;
}

const struct world_visit *world_visit_at(const struct world *w, size_t i)
{
    return w && i < w->nvisit ? &w->visits[i] : NULL;
}

unsigned world_holds(const struct world *w, int resident, core_day day)
{
    return w_res_ok(w, resident) ? w_holds(&w->res[resident], day) : 0;
}

unsigned world_in_hand(const struct world *w, int resident, core_day day)
{
    return w_res_ok(w, resident) ? w_in_hand(&w->res[resident], day) : 0;
}

int world_probe_visit(const struct world *w, int resident, core_day day, const struct scenario_visit *visit,
                      struct world_visit *out, struct core_error *err)
{
    if (!w_res_ok(w, resident) || visit == NULL || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: bad probe");
    return visit_eval(w, resident, day, visit, 0, out, err);
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

core_day world_received(const struct world *w, int resident, enum scenario_document doc, core_day by,
                        int notice_type)
{
    if (!w_res_ok(w, resident))
        return CORE_DAY_NONE;
    const struct wres *r = &w->res[resident];
    core_day best = CORE_DAY_NONE;
    for (size_t i = 0; i < r->ndoc; i++) {
        const struct wdoc *d = &r->docs[i];
        if (!d->mailed || d->kind != doc || d->got > by)
            continue;
        if (doc == SCENARIO_DOC_NOTICE && notice_type != SCENARIO_NOTICE_ANY &&
            d->notice_type != (notice_type == SCENARIO_NOTICE_A ? 'A' : 'B'))
            continue;
        if (best == CORE_DAY_NONE || d->got < best)
            best = d->got;
    }
    return best;
}
