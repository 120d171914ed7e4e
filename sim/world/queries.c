/*
 * The public readers of a run world (world.h): events, insurers, the registry, day ranges and totals, visits,
 * the documents held and in hand on a day (history.c), and mailings received. They change nothing.
 */
#include "world/world_int.h"

size_t world_event_count(const struct world *w)
{
    return w ? w->nevent : 0;
}

const struct world_event *world_event_at(const struct world *w, size_t i)
{
    return w && i < w->nevent ? &w->events[i].pub : NULL;
}

size_t world_insurer_count(const struct world *w)
{
    return w ? w->nins : 0;
}

const char *world_insurer_id(const struct world *w, int insurer)
{
    return w && insurer >= 0 && (size_t)insurer < w->nins ? w->ins[insurer].id : "";
}

const char *world_insurer_number(const struct world *w, int insurer)
{
    return w && insurer >= 0 && (size_t)insurer < w->nins ? w->ins[insurer].number : "";
}

const struct eligibility_registry *world_registry(const struct world *w)
{
    return w != NULL ? w->reg : NULL;
}

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
