/*
 * The invariants INV-1 and INV-2 on day ranges. They never loop over days: every day on which anything of a
 * resident can change (a document got, lost or expiring, a membership's bounds, a filing filed or becoming
 * visible, a card or certificate date, a PIN block, a registration, an outage, a change of a dated policy row)
 * is a breakpoint, and each segment between breakpoints is judged once, on its first day, at the desk of
 * visits.c. Readings taken are in docs/WORLD.md (Model: invariants; INV-1, INV-2).
 */
#include <stdlib.h>
#include <string.h>

#include "world/world_int.h"

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

/* What the policy contributes, the same for every resident: every day in the period on which any dated row of
 * the world's policy (the one the desk and the registry read) changes, whatever the parameter, so a dated
 * parameter added later can never be missed. (AMEND-3's grace is a certificate's own: its first and last days
 * are fixed when it begins, eligibility_cert_grace, and are each certificate's breakpoints below.) A change of a
 * parameter the judged decision does not read only splits a segment that merges back (judge_resident). */
struct policy_days {
    struct days rows;
};

static CORE_MUST_USE int policy_days_of(const struct world *w, core_day from, core_day to,
                                        struct policy_days *out)
{
    int rc = CORE_OK;
    memset(out, 0, sizeof *out);
    for (core_day d = from; d <= to && rc == CORE_OK;) {
        core_day a, b;
        policy_span(w->policy, NULL, 0, d, &a, &b);
        if (b >= to)
            break;
        add_day(&out->rows, b + 1, &rc);
        d = b + 1;
    }
    return rc;
}

/* The rule a gap day is charged to; `today` is what the resident has on d (w_day_of). */
static const char *gap_rule(const struct wres *r, core_day d, const struct w_day *today,
                            const struct w_desk_out *o)
{
    if (today->card == NULL && r->ncard > 0 && r->cards[r->ncard - 1].lost <= d)
        return "MYNA-6";
    if (o->docs[SCENARIO_DOC_PAPER_CARD] >= 0 && !(today->holds & SCENARIO_DOC_BIT(SCENARIO_DOC_PAPER_CARD)))
        return "PAPER-2";
    if (o->card_shown && o->card.result != ELIGIBILITY_OK)
        return "MYNA-3";
    return o->decision.rule ? o->decision.rule : "INV-1";
}

static CORE_MUST_USE int judge_resident(struct world *w, int ri, const struct policy_days *pd)
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
        if (rc == CORE_OK)
            rc = policy_int_id(w->policy, POLICY_ONLINE_REFLECTION_LAG_DAYS, r->mems[i].from, &rl);
        add_day(&b, r->mems[i].from + (core_day)rl, &rc);
        if (r->mems[i].loss_filed != CORE_DAY_NONE) {
            if (rc == CORE_OK)
                rc = policy_int_id(w->policy, POLICY_ONLINE_REFLECTION_LAG_DAYS, r->mems[i].loss_filed, &rl);
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
            add_day(&b, c->cert[k].grace_from, &rc); /* AMEND-3's grace, as the check reads it */
            add_day(&b, c->cert[k].grace_to + 1, &rc);
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
        if (rc == CORE_OK)
            rc = policy_int_id(w->policy, POLICY_ONLINE_REFLECTION_LAG_DAYS, e->day, &lag);
        if (rc == CORE_OK)
            rc = policy_int_id(w->policy, POLICY_REGISTRATION_WITHDRAWAL_LAG_DAYS, e->day, &wlag);
        add_day(&b, e->day, &rc);
        add_day(&b, e->day + (core_day)lag, &rc);
        add_day(&b, e->day + (core_day)wlag, &rc);
    }
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
    /* The policy's days join as 2 * day + 1, the resident's as 2 * day (all inside the period, so no overflow):
     * sorted, a day marked by both keeps the resident's mark, and an odd entry is a day only a dated row of the
     * policy marks. */
    for (size_t i = 0; i < b.n; i++)
        b.d[i] *= 2;
    for (size_t i = 0; i < pd->rows.n; i++)
        add_day(&b, pd->rows.d[i] * 2 + 1, &rc);
    if (rc != CORE_OK) {
        free(b.d);
        return rc;
    }
    sort_days(b.d, b.n);
    u = 0;
    for (size_t i = 0; i < b.n; i++)
        if (u == 0 || b.d[u - 1] / 2 != b.d[i] / 2)
            b.d[u++] = b.d[i];
    b.n = u;
    uint64_t reads = 0; /* the parameters the last judged segment read (policy_reads_take) */
    for (size_t i = 0; i + 1 < b.n && rc == CORE_OK; i++) {
        core_day from = b.d[i] / 2, to = b.d[i + 1] / 2 - 1;
        /* A day that only a dated row marks, of a parameter the previous segment's judging did not read:
         * nothing that decided that segment changed, so it goes on (the same verdict, its days counted). */
        if ((b.d[i] & 1) != 0 && r->nrange > 0 && (policy_changes_on(w->policy, from) & reads) == 0) {
            struct world_range *last = &r->ranges[r->nrange - 1];
            long days = (long)(to - from + 1);
            last->to = to;
            r->grace += last->verdict == WORLD_DAY_GRACE ? days : 0;
            r->gap += last->verdict == WORLD_DAY_GAP ? days : 0;
            r->degraded += last->degraded ? days : 0;
            continue;
        }
        (void)policy_reads_take();
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
            struct w_desk_env env;
            memset(&env, 0, sizeof env);
            env.day = from;
            env.reader = CLINIC_READER_FACE;
            env.online_ok = true;
            env.service_down = w_in_outage(w, from);
            env.kind = CLINIC_VISIT_FIRST;
            env.outcome_only = true;
            struct w_desk_out o;
            rc = w_desk(w, r, g.in_hand, &env, &today, &o);
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
            struct w_desk_out o2;
            rc = w_desk(w, r, g.in_hand, &env, &today, &o2);
            if (rc != CORE_OK)
                break;
            if (o2.decision.outcome != CLINIC_INSURED) {
                g.degraded = true;
                r->degraded += days;
                if (g.rule[0] == '\0')
                    g.rule = o2.decision.rule ? o2.decision.rule : "INV-2";
            }
        }
        reads = policy_reads_take();
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
    struct policy_days pd;
    int rc = policy_days_of(w, w->scn->period.from, w->scn->period.to, &pd);
    if (rc != CORE_OK) {
        free(pd.rows.d);
        return core_error_set(err, rc, NULL, 0, 0, "world: cannot read the policy's dated rows");
    }
    for (size_t i = 0; i < w->nres && rc == CORE_OK; i++) {
        rc = judge_resident(w, (int)i, &pd);
        if (rc != CORE_OK)
            core_error_set(err, rc, NULL, 0, 0, "world: cannot judge %s", w->res[i].sr->id);
    }
    free(pd.rows.d);
    return rc;
}
