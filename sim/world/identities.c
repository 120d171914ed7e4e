/*
 * identities.c: read-only accessors for a resident's identities (world.h): the numbers a user types into a
 * reception system of their own to ask the eligibility service about the same person the run knows.
 */
#include <string.h>

#include "world/world_int.h"

_Static_assert(W_CERTS_MAX <= sizeof(((struct world_card *)0)->cert_serial) / sizeof(uint64_t),
               "world_card holds every certificate of a card");

const char *world_my_number(const struct world *w, int resident)
{
    return w_res_ok(w, resident) ? w->res[resident].my_number : "";
}

size_t world_membership_count(const struct world *w, int resident)
{
    return w_res_ok(w, resident) ? w->res[resident].nmem : 0;
}

int world_membership_at(const struct world *w, int resident, size_t i, struct world_membership *out)
{
    if (out == NULL || !w_res_ok(w, resident) || i >= w->res[resident].nmem)
        return CORE_EINVAL;
    const struct wmem *m = &w->res[resident].mems[i];
    memset(out, 0, sizeof *out);
    out->insurer = m->insurer;
    out->role = m->role;
    out->of = m->of;
    out->from = m->from;
    out->to = m->to == W_NEVER ? CORE_DAY_NONE : m->to;
    out->numbers = m->numbers;
    return CORE_OK;
}

size_t world_card_count(const struct world *w, int resident)
{
    return w_res_ok(w, resident) ? w->res[resident].ncard : 0;
}

int world_card_at(const struct world *w, int resident, size_t i, struct world_card *out)
{
    if (out == NULL || !w_res_ok(w, resident) || i >= w->res[resident].ncard)
        return CORE_EINVAL;
    const struct wcard *c = &w->res[resident].cards[i];
    memset(out, 0, sizeof *out);
    out->id = c->id;
    out->got = c->got;
    for (int k = 0; k < c->ncert && k < W_CERTS_MAX; k++)
        out->cert_serial[out->cert_count++] = c->cert[k].serial;
    return CORE_OK;
}
