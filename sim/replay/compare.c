/*
 * compare.c: one scenario replayed under two policies, day ranges set side by side (replay.h, comparing).
 *
 * Each world already keeps, per resident, maximal day ranges with an INV-1 verdict and the rule behind it;
 * the comparison intersects the two lists of ranges (never a loop over days) and keeps the pieces on which
 * the day is a gap under one side and not the other. Adjacent pieces with the same verdicts and rules are one
 * range, so a range splits only where something a reader would care about changes.
 *
 * Which rule "kept" the other side insured: a grace day is AMEND-1's by definition (the world names it on the
 * range). A usable day needs a look at what the world did: the online check on the range's first day passing
 * on an expired certificate with the grace warning is AMEND-3's; else the latest event for that resident, on
 * or before the range ends, whose rule is an amendment (AMEND-2's certificate mailed to an elderly member).
 * Probes change nothing (world.h), so the comparison stays pure. When none is found the field stays empty and the report shows the gap
 * side's cause alone, rather than a guess.
 *
 * Visits: both worlds replay the same file, so their `visit` events are the same list; each is matched with its
 * twin by day, scenario line and clinic, and kept when the desk's decision or the card's online check differs.
 * Mailings: the engine's certificate_mailed and notice_mailed events of a resident, matched as multisets on
 * (day, what, detail), so one mailing sent a day later is one mailing only under each side. Expectations:
 * replay_run checked each under its side; the comparison keeps all of them with both results.
 */
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"
#include "scenario/scenario.h"
#include "world/world.h"

static void rule_copy(char out[16], const char *rule)
{
    size_t n = rule != NULL ? strlen(rule) : 0;
    if (n > 15)
        n = 15;
    if (n > 0)
        memcpy(out, rule, n);
    out[n] = '\0';
}

static bool is_amendment(const char *rule)
{
    return rule != NULL && strncmp(rule, "AMEND-", 6) == 0;
}

/* The rule that keeps `w`'s resident insured on [.., to] when the other world has a gap there. */
static const char *kept_by(const struct world *w, int resident, const struct world_range *kept, core_day from,
                           core_day to)
{
    if (kept->verdict == WORLD_DAY_GRACE)
        return "AMEND-1"; /* a grace day is one that only AMEND-1's look-up makes usable (INV-1) */
    if (is_amendment(kept->rule))
        return kept->rule;
    /* AMEND-3: the card passes the check on an expired certificate, with the grace warning. */
    struct eligibility_answer ans;
    struct core_error err;
    core_error_clear(&err);
    if (kept->verdict == WORLD_DAY_USABLE &&
        world_probe_check(w, resident, from, SCENARIO_NONE, &ans, &err) == CORE_OK &&
        ans.result == ELIGIBILITY_OK && (ans.warnings & ELIGIBILITY_WARN_CERT_IN_GRACE) != 0)
        return "AMEND-3";
    const char *found = "";
    size_t n = world_event_count(w);
    for (size_t i = 0; i < n; i++) {
        const struct world_event *ev = world_event_at(w, i);
        if (ev->day > to)
            break;
        if (ev->resident == resident && is_amendment(ev->rule))
            found = ev->rule;
    }
    return found;
}

static bool is_gap(int verdict)
{
    return verdict == WORLD_DAY_GAP;
}

/* Appends [from, to] or extends the last range when it continues it with the same verdicts and rules. */
static CORE_MUST_USE int add_piece(struct replay_diff_resident *r, size_t *cap,
                                   const struct replay_diff_range *p)
{
    if (r->range_count > 0) {
        struct replay_diff_range *last = &r->ranges[r->range_count - 1];
        if (last->to + 1 == p->from && last->gap_side == p->gap_side && last->verdict[0] == p->verdict[0] &&
            last->verdict[1] == p->verdict[1] && strcmp(last->rule[0], p->rule[0]) == 0 &&
            strcmp(last->rule[1], p->rule[1]) == 0 && strcmp(last->kept_by, p->kept_by) == 0) {
            last->to = p->to;
            return CORE_OK;
        }
    }
    if (r->range_count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        struct replay_diff_range *grown = realloc(r->ranges, ncap * sizeof *grown);
        if (grown == NULL)
            return CORE_ENOMEM;
        r->ranges = grown;
        *cap = ncap;
    }
    r->ranges[r->range_count++] = *p;
    return CORE_OK;
}

static CORE_MUST_USE int compare_resident(const struct world *const w[REPLAY_SIDES], int res,
                                          struct replay_diff_resident *out)
{
    out->resident = res;
    for (int s = 0; s < REPLAY_SIDES; s++) {
        out->gap[s] = world_gap_days(w[s], res);
        out->grace[s] = world_grace_days(w[s], res);
        out->degraded[s] = world_degraded_days(w[s], res);
    }
    size_t cap = 0, ia = 0, ib = 0;
    size_t na = world_range_count(w[0], res), nb = world_range_count(w[1], res);
    while (ia < na && ib < nb) {
        const struct world_range *ra = world_range_at(w[0], res, ia), *rb = world_range_at(w[1], res, ib);
        if (ra == NULL || rb == NULL)
            break;
        core_day from = ra->from > rb->from ? ra->from : rb->from;
        core_day to = ra->to < rb->to ? ra->to : rb->to;
        if (from <= to && is_gap(ra->verdict) != is_gap(rb->verdict)) {
            struct replay_diff_range p;
            memset(&p, 0, sizeof p);
            p.from = from;
            p.to = to;
            p.gap_side = is_gap(ra->verdict) ? REPLAY_SIDE_A : REPLAY_SIDE_B;
            p.verdict[0] = (int)ra->verdict;
            p.verdict[1] = (int)rb->verdict;
            rule_copy(p.rule[0], ra->rule);
            rule_copy(p.rule[1], rb->rule);
            int kept = p.gap_side == REPLAY_SIDE_A ? REPLAY_SIDE_B : REPLAY_SIDE_A;
            rule_copy(p.kept_by, kept_by(w[kept], res, kept == REPLAY_SIDE_A ? ra : rb, from, to));
            if (add_piece(out, &cap, &p) != CORE_OK)
                return CORE_ENOMEM;
            out->only[p.gap_side] += (long)(to - from) + 1;
        }
        if (ra->to < rb->to)
            ia++;
        else if (rb->to < ra->to)
            ib++;
        else {
            ia++;
            ib++;
        }
    }
    return CORE_OK;
}

/* ---- visits ------------------------------------------------------------------------------------------- */

static void visit_side(const struct world_visit *v, struct replay_visit_side *out)
{
    memset(out, 0, sizeof *out);
    out->present = true;
    out->outcome = (int)v->decision.outcome;
    out->route = (int)v->decision.route;
    out->card_check = (int)v->card_check;
    out->warnings = v->warnings;
    out->fee_charged = v->decision.fee_charged;
    out->fee_total = v->decision.fee_total;
    out->copay = v->decision.copay;
    out->claim_error = v->claim_error;
    rule_copy(out->rule, v->decision.rule);
}

static unsigned visit_differs(const struct replay_visit_side *a, const struct replay_visit_side *b)
{
    if (!a->present || !b->present)
        return REPLAY_VISIT_MISSING;
    unsigned d = 0;
    if (a->outcome != b->outcome)
        d |= REPLAY_VISIT_OUTCOME;
    if (a->route != b->route)
        d |= REPLAY_VISIT_ROUTE;
    if (a->fee_charged != b->fee_charged || a->fee_total != b->fee_total || a->copay != b->copay)
        d |= REPLAY_VISIT_FEE;
    if (a->card_check != b->card_check || a->warnings != b->warnings)
        d |= REPLAY_VISIT_CHECK;
    if (a->claim_error != b->claim_error)
        d |= REPLAY_VISIT_CLAIM;
    if (d == 0 && strcmp(a->rule, b->rule) != 0)
        d |= REPLAY_VISIT_RULE;
    return d;
}

static bool same_visit(const struct world_visit *a, const struct world_visit *b)
{
    return a->day == b->day && a->line == b->line && a->clinic == b->clinic && a->resident == b->resident;
}

static CORE_MUST_USE int visit_add(struct replay_diff_resident *r, size_t *cap,
                                   const struct replay_diff_visit *v)
{
    if (r->visit_count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        struct replay_diff_visit *grown = realloc(r->visits, ncap * sizeof *grown);
        if (grown == NULL)
            return CORE_ENOMEM;
        r->visits = grown;
        *cap = ncap;
    }
    r->visits[r->visit_count++] = *v;
    return CORE_OK;
}

/* The resident's visits under side A, each with its twin under B (or none), then B's without a twin. */
static CORE_MUST_USE int compare_visits(const struct world *const w[REPLAY_SIDES], int res,
                                        struct replay_diff_resident *out, size_t *compared)
{
    size_t cap = 0;
    for (int pass = 0; pass < REPLAY_SIDES; pass++) {
        const struct world *self = w[pass], *other = w[1 - pass];
        size_t n = world_visit_count(self), no = world_visit_count(other);
        for (size_t i = 0; i < n; i++) {
            const struct world_visit *v = world_visit_at(self, i);
            if (v == NULL || v->resident != res)
                continue;
            const struct world_visit *twin = NULL;
            for (size_t k = 0; k < no && twin == NULL; k++) {
                const struct world_visit *t = world_visit_at(other, k);
                if (t != NULL && same_visit(v, t))
                    twin = t;
            }
            if (pass == 1 && twin != NULL)
                continue; /* matched on the first pass */
            struct replay_diff_visit d;
            memset(&d, 0, sizeof d);
            d.day = v->day;
            d.clinic = v->clinic;
            d.line = v->line;
            visit_side(v, &d.side[pass]);
            if (twin != NULL)
                visit_side(twin, &d.side[1 - pass]);
            d.differs = visit_differs(&d.side[0], &d.side[1]);
            ++*compared;
            if (d.differs != 0 && visit_add(out, &cap, &d) != CORE_OK)
                return CORE_ENOMEM;
        }
    }
    return CORE_OK;
}

/* ---- mailings ----------------------------------------------------------------------------------------- */

static bool is_mailing(const struct world_event *ev)
{
    return strcmp(ev->what, "certificate_mailed") == 0 || strcmp(ev->what, "notice_mailed") == 0;
}

static bool same_mailing(const struct world_event *a, const struct world_event *b)
{
    return a->day == b->day && a->resident == b->resident && strcmp(a->what, b->what) == 0 &&
           strcmp(a->detail != NULL ? a->detail : "", b->detail != NULL ? b->detail : "") == 0;
}

static void text_copy(char *out, size_t cap, const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n >= cap)
        n = cap - 1; /* cut: the report shows what fits */
    if (n > 0)
        memcpy(out, s, n);
    out[n] = '\0';
}

static CORE_MUST_USE int mailing_add(struct replay_diff_resident *r, size_t *cap, int side,
                                     const struct world_event *ev)
{
    if (r->mailing_count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        struct replay_diff_mailing *grown = realloc(r->mailings, ncap * sizeof *grown);
        if (grown == NULL)
            return CORE_ENOMEM;
        r->mailings = grown;
        *cap = ncap;
    }
    struct replay_diff_mailing *m = &r->mailings[r->mailing_count++];
    memset(m, 0, sizeof *m);
    m->side = side;
    m->day = ev->day;
    text_copy(m->what, sizeof m->what, ev->what);
    text_copy(m->detail, sizeof m->detail, ev->detail);
    rule_copy(m->rule, ev->rule);
    return CORE_OK;
}

/* The resident's mailings under each side, those without a twin under the other kept. A mailing matches at
 * most one twin: the k-th of identical mailings under A matches the k-th under B. */
static CORE_MUST_USE int compare_mailings(const struct world *const w[REPLAY_SIDES], int res,
                                          struct replay_diff_resident *out, size_t sent[REPLAY_SIDES])
{
    size_t cap = 0;
    size_t n[REPLAY_SIDES] = {world_event_count(w[0]), world_event_count(w[1])};
    for (int s = 0; s < REPLAY_SIDES; s++) {
        for (size_t i = 0; i < n[s]; i++) {
            const struct world_event *ev = world_event_at(w[s], i);
            if (ev == NULL || ev->resident != res || !is_mailing(ev))
                continue;
            sent[s]++;
            /* the rank of this mailing among its identical ones on its side, and whether the other has as many */
            size_t rank = 0, twins = 0;
            for (size_t k = 0; k < i; k++) {
                const struct world_event *e2 = world_event_at(w[s], k);
                if (e2 != NULL && same_mailing(ev, e2))
                    rank++;
            }
            for (size_t k = 0; k < n[1 - s]; k++) {
                const struct world_event *e2 = world_event_at(w[1 - s], k);
                if (e2 != NULL && e2->day > ev->day)
                    break;
                if (e2 != NULL && same_mailing(ev, e2))
                    twins++;
            }
            if (rank >= twins && mailing_add(out, &cap, s, ev) != CORE_OK)
                return CORE_ENOMEM;
        }
    }
    /* in date order, A's before B's on a day (each side's list is in date order already) */
    for (size_t i = 1; i < out->mailing_count; i++) {
        struct replay_diff_mailing m = out->mailings[i];
        size_t k = i;
        while (k > 0 && (out->mailings[k - 1].day > m.day ||
                         (out->mailings[k - 1].day == m.day && out->mailings[k - 1].side > m.side))) {
            out->mailings[k] = out->mailings[k - 1];
            k--;
        }
        out->mailings[k] = m;
    }
    return CORE_OK;
}

int replay_compare_worlds(const struct scenario *scn, const struct world *a, const struct world *b,
                          struct replay_comparison *out, struct core_error *err)
{
    memset(out, 0, sizeof *out);
    if (scn->resident_count == 0)
        return CORE_OK;
    out->residents = calloc(scn->resident_count, sizeof *out->residents);
    if (out->residents == NULL)
        return core_error_set(err, CORE_ENOMEM, scn->file, 0, 0, "out of memory comparing");
    out->resident_count = scn->resident_count;
    const struct world *const w[REPLAY_SIDES] = {a, b};
    for (size_t i = 0; i < scn->resident_count; i++) {
        struct replay_diff_resident *r = &out->residents[i];
        size_t sent[REPLAY_SIDES] = {0, 0};
        if (compare_resident(w, (int)i, r) != CORE_OK ||
            compare_visits(w, (int)i, r, &out->visits) != CORE_OK ||
            compare_mailings(w, (int)i, r, sent) != CORE_OK)
            return core_error_set(err, CORE_ENOMEM, scn->file, 0, 0, "out of memory comparing");
        out->visits_differ += r->visit_count;
        if (r->range_count > 0 || r->visit_count > 0 || r->mailing_count > 0)
            out->residents_differ++;
        for (size_t k = 0; k < r->mailing_count; k++)
            out->mailings_only[r->mailings[k].side]++;
        for (int s = 0; s < REPLAY_SIDES; s++)
            out->mailings[s] += sent[s];
        for (int s = 0; s < REPLAY_SIDES; s++) {
            out->only[s] += r->only[s];
            out->gap[s] += r->gap[s];
            out->grace[s] += r->grace[s];
            out->degraded[s] += r->degraded[s];
            if (r->only[s] > 0)
                out->residents_only[s]++;
        }
    }
    return CORE_OK;
}

int replay_compare_runs(const struct scenario *scn, const struct replay_run_result *a,
                        const struct replay_run_result *b, struct replay_comparison *out,
                        struct core_error *err)
{
    int rc = replay_compare_worlds(scn, a->world, b->world, out, err);
    if (rc != CORE_OK)
        return rc;
    const struct replay_run_result *run[REPLAY_SIDES] = {a, b};
    size_t n = scn->expect_count;
    for (int s = 0; s < REPLAY_SIDES; s++)
        if (run[s]->deselected != 0 || run[s]->count < n)
            return core_error_set(err, CORE_EINVAL, scn->file, 0, 0,
                                  "comparing: the run under side %c checked %zu of %zu expectations", 'A' + s,
                                  run[s]->count - run[s]->deselected, n);
    if (n == 0)
        return CORE_OK;
    out->expects = calloc(n, sizeof *out->expects);
    if (out->expects == NULL)
        return core_error_set(err, CORE_ENOMEM, scn->file, 0, 0, "out of memory comparing");
    out->expect_count = n;
    for (size_t i = 0; i < n; i++) {
        struct replay_diff_expect *e = &out->expects[i];
        const struct replay_result *ra = &a->results[i];
        e->index = i;
        e->pos = ra->pos;
        e->form = ra->form;
        e->resident = ra->resident;
        e->date = ra->date;
        for (int s = 0; s < REPLAY_SIDES; s++) {
            const struct replay_result *r = &run[s]->results[i];
            if (r->expect == NULL || r->pos.line != ra->pos.line || r->pos.column != ra->pos.column)
                return core_error_set(err, CORE_EINVAL, scn->file, ra->pos.line, ra->pos.column,
                                      "comparing: the two runs do not hold the same expectations");
            e->passed[s] = r->passed;
            rule_copy(e->rule[s], r->rule);
            text_copy(e->message[s], sizeof e->message[s], r->message);
            if (r->passed)
                out->expects_passed[s]++;
        }
        if (e->passed[0] != e->passed[1])
            out->expects_differ++;
    }
    return CORE_OK;
}

int replay_compare(const struct scenario *a, const struct scenario *b, struct replay_comparison *out,
                   struct core_error *err)
{
    memset(out, 0, sizeof *out);
    if (a->resident_count != b->resident_count)
        return core_error_set(err, CORE_EINVAL, a->file, 0, 0,
                              "read under two policies, the file has %zu and %zu residents",
                              a->resident_count, b->resident_count);
    for (size_t i = 0; i < a->resident_count; i++)
        if (strcmp(a->residents[i].id, b->residents[i].id) != 0)
            return core_error_set(err, CORE_EINVAL, a->file, a->residents[i].pos.line,
                                  a->residents[i].pos.column,
                                  "read under two policies, resident %zu is '%s' and '%s'", i + 1,
                                  a->residents[i].id, b->residents[i].id);
    const struct scenario *scn[REPLAY_SIDES] = {a, b};
    struct replay_run_result run[REPLAY_SIDES];
    memset(run, 0, sizeof run);
    int rc = CORE_OK;
    for (int s = 0; s < REPLAY_SIDES && rc == CORE_OK; s++) {
        struct core_error inner;
        core_error_clear(&inner);
        rc = replay_run(scn[s], &run[s], &inner);
        if (rc != CORE_OK) {
            char buf[1200];
            core_error_format(&inner, buf, sizeof buf);
            core_error_set(err, rc, "", 0, 0, "under policy '%s': %s", scn[s]->policy_ref, buf);
        }
    }
    if (rc == CORE_OK)
        rc = replay_compare_runs(a, &run[0], &run[1], out, err);
    for (int s = 0; s < REPLAY_SIDES; s++)
        replay_run_result_free(&run[s]);
    return rc;
}

void replay_comparison_free(struct replay_comparison *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->resident_count; i++) {
        free(c->residents[i].ranges);
        free(c->residents[i].visits);
        free(c->residents[i].mailings);
    }
    free(c->residents);
    free(c->expects);
    memset(c, 0, sizeof *c);
}
