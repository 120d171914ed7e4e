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
static int add_piece(struct replay_diff_resident *r, size_t *cap, const struct replay_diff_range *p)
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

static int compare_resident(const struct world *const w[REPLAY_SIDES], int res,
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
        if (compare_resident(w, (int)i, r) != CORE_OK)
            return core_error_set(err, CORE_ENOMEM, scn->file, 0, 0, "out of memory comparing");
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
    struct world *w[REPLAY_SIDES] = {NULL, NULL};
    int rc = CORE_OK;
    for (int s = 0; s < REPLAY_SIDES && rc == CORE_OK; s++) {
        struct core_error inner;
        core_error_clear(&inner);
        rc = world_new(scn[s], &w[s], &inner);
        if (rc == CORE_OK)
            rc = world_run(w[s], &inner);
        if (rc != CORE_OK) {
            char buf[1200];
            core_error_format(&inner, buf, sizeof buf);
            core_error_set(err, rc, "", 0, 0, "under policy '%s': %s", scn[s]->policy_ref, buf);
        }
    }
    if (rc == CORE_OK)
        rc = replay_compare_worlds(a, w[0], w[1], out, err);
    for (int s = 0; s < REPLAY_SIDES; s++)
        world_free(w[s]);
    return rc;
}

void replay_comparison_free(struct replay_comparison *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->resident_count; i++)
        free(c->residents[i].ranges);
    free(c->residents);
    memset(c, 0, sizeof *c);
}
