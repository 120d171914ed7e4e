/*
 * The registry of the eligibility system and its check (eligibility.h).
 *
 * Storage: one pool per kind of record (persons, memberships, registration events, cards, certificates), each
 * a growing array of small fixed-size structs. A person's records form index-linked chains in filing order,
 * so a person costs no allocation of its own and a million persons are a handful of arrays. Two hash maps
 * (open addressing, 64-bit keys) find a card's certificate by serial and a card by id; a third finds
 * memberships by the hash of their insurance numbers, colliding memberships chained through `next_key`.
 *
 * Every "has it happened by day D" test compares dates; a record that never happened holds ELIG_NEVER (the
 * largest day), so `x <= D` is false for it without a special case. Nothing loops over days.
 */
#include <stdlib.h>
#include <string.h>

#include "eligibility/eligibility_int.h"

/* ---- small containers --------------------------------------------------------------------------------- */

int elig_pool_reserve(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return CORE_OK;
    if (need >= ELIG_NIL)
        return CORE_ENOMEM;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *p = realloc(*items, n * size);
    if (p == NULL)
        return CORE_ENOMEM;
    *items = p;
    *cap = n;
    return CORE_OK;
}

#define POOL_ADD(reg, arr, n, cap, out)                                                                      \
    elig_pool_reserve((void **)&(reg)->arr, &(reg)->cap, (reg)->n + 1, sizeof *(reg)->arr) != CORE_OK        \
        ? CORE_ENOMEM                                                                                        \
        : (*(out) = (uint32_t)(reg)->n++, CORE_OK)

static size_t map_slot(const struct elig_map *m, uint64_t key)
{
    /* splitmix64's finaliser spreads sequential ids over the table. */
    uint64_t h = key;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return (size_t)h & (m->cap - 1);
}

uint32_t elig_map_get(const struct elig_map *m, uint64_t key)
{
    if (m->cap == 0)
        return ELIG_NIL;
    for (size_t i = map_slot(m, key);; i = (i + 1) & (m->cap - 1)) {
        if (m->vals[i] == ELIG_NIL)
            return ELIG_NIL;
        if (m->keys[i] == key)
            return m->vals[i];
    }
}

static CORE_MUST_USE int map_put(struct elig_map *m, uint64_t key, uint32_t val);

static CORE_MUST_USE int map_grow(struct elig_map *m)
{
    struct elig_map n = {0};
    n.cap = m->cap ? m->cap * 2 : 64;
    n.keys = malloc(n.cap * sizeof *n.keys);
    n.vals = malloc(n.cap * sizeof *n.vals);
    if (n.keys == NULL || n.vals == NULL) {
        free(n.keys);
        free(n.vals);
        return CORE_ENOMEM;
    }
    memset(n.vals, 0xff, n.cap * sizeof *n.vals);
    for (size_t i = 0; i < m->cap; i++)
        if (m->vals[i] != ELIG_NIL)
            CORE_DROP(map_put(&n, m->keys[i], m->vals[i])); /* cannot grow: n is at most half full */
    free(m->keys);
    free(m->vals);
    *m = n;
    return CORE_OK;
}

/* Inserts or replaces. */
static CORE_MUST_USE int map_put(struct elig_map *m, uint64_t key, uint32_t val)
{
    if ((m->count + 1) * 2 > m->cap && map_grow(m) != CORE_OK)
        return CORE_ENOMEM;
    size_t i = map_slot(m, key);
    while (m->vals[i] != ELIG_NIL && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    if (m->vals[i] == ELIG_NIL)
        m->count++;
    m->keys[i] = key;
    m->vals[i] = val;
    return CORE_OK;
}

static void map_free(struct elig_map *m)
{
    free(m->keys);
    free(m->vals);
}

static uint64_t mix64(uint64_t h)
{
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

/* One field, eight bytes at a time up to its NUL (the bytes after it are masked off, never mixed in), its
 * length mixed in so that ("12","3") and ("1","23") differ. A multiplication per eight bytes instead of one
 * per byte: the check hashes the numbers of every document it is asked about. Keys only (the registry
 * confirms every hit with elig_numbers_eq), so the value may differ between byte orders. */
static uint64_t field_hash(const char *f, size_t cap, uint64_t h)
{
    for (size_t i = 0; i < cap; i += 8) {
        uint64_t w = 0;
        if (i + 8 <= cap)
            memcpy(&w, f + i, 8);
        else
            for (size_t k = 0; i + k < cap; k++)
                w |= (uint64_t)(unsigned char)f[i + k] << (8 * k);
        /* the lowest zero byte of w, if any (exact for the lowest one) */
        uint64_t z = (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
        if (z != 0 || i + 8 >= cap) {
            unsigned b = z != 0 ? (unsigned)__builtin_ctzll(z) / 8 : (unsigned)(cap - i);
            if (b < 8)
                w &= b != 0 ? ~0ull >> (64 - 8 * b) : 0;
            return mix64(h ^ w ^ ((uint64_t)(i + b) << 56));
        }
        h = mix64(h ^ w);
    }
    return mix64(h);
}

uint64_t elig_numbers_hash(const struct eligibility_numbers *n)
{
    uint64_t h = field_hash(n->insurer_number, sizeof n->insurer_number, 7);
    h = field_hash(n->symbol, sizeof n->symbol, h);
    h = field_hash(n->number, sizeof n->number, h);
    return field_hash(n->branch, sizeof n->branch, h);
}

static bool field_eq(const char *a, const char *b, size_t cap)
{
    return strncmp(a, b, cap) == 0;
}

bool elig_numbers_eq(const struct eligibility_numbers *a, const struct eligibility_numbers *b)
{
    return field_eq(a->insurer_number, b->insurer_number, sizeof a->insurer_number) &&
           field_eq(a->symbol, b->symbol, sizeof a->symbol) &&
           field_eq(a->number, b->number, sizeof a->number) &&
           field_eq(a->branch, b->branch, sizeof a->branch);
}

static bool numbers_terminated(const struct eligibility_numbers *n)
{
    return memchr(n->insurer_number, 0, sizeof n->insurer_number) != NULL &&
           memchr(n->symbol, 0, sizeof n->symbol) != NULL && memchr(n->number, 0, sizeof n->number) != NULL &&
           memchr(n->branch, 0, sizeof n->branch) != NULL;
}

/* ---- the registry ------------------------------------------------------------------------------------- */

int eligibility_registry_new(const struct policy *policy, struct eligibility_registry **out)
{
    if (policy == NULL || out == NULL)
        return CORE_EINVAL;
    struct eligibility_registry *reg = calloc(1, sizeof *reg);
    if (reg == NULL)
        return CORE_ENOMEM;
    reg->policy = policy;
    *out = reg;
    return CORE_OK;
}

void eligibility_registry_free(struct eligibility_registry *reg)
{
    if (reg == NULL)
        return;
    free(reg->persons);
    free(reg->mems);
    free(reg->regs);
    free(reg->cards);
    free(reg->certs);
    free(reg->pdata);
    free(reg->insurers);
    map_free(&reg->by_card);
    map_free(&reg->by_cert);
    map_free(&reg->by_numbers);
    free(reg);
}

int eligibility_person_add(struct eligibility_registry *reg, core_day born, uint32_t *person)
{
    if (reg == NULL || person == NULL || born == CORE_DAY_NONE)
        return CORE_EINVAL;
    uint32_t i;
    if (POOL_ADD(reg, persons, n_persons, cap_persons, &i) != CORE_OK)
        return CORE_ENOMEM;
    reg->persons[i] = (struct elig_person){born,     ELIG_NIL, i,        0,        ELIG_NIL,
                                           ELIG_NIL, ELIG_NIL, ELIG_NIL, ELIG_NIL, ELIG_NIL};
    *person = i;
    return CORE_OK;
}

/* The visible day of a filing: given, or filed + the policy's lag on the day filed. */
static CORE_MUST_USE int visible_day(const struct eligibility_registry *reg, int lag_param, core_day filed,
                                     core_day visible, core_day *out)
{
    if (filed == CORE_DAY_NONE)
        return CORE_EINVAL;
    if (visible != CORE_DAY_NONE) {
        if (visible < filed)
            return CORE_EINVAL;
        *out = visible;
        return CORE_OK;
    }
    long long lag;
    int rc = policy_int_id(reg->policy, lag_param, filed, &lag);
    if (rc != CORE_OK)
        return rc;
    if (lag < 0)
        return CORE_EINVAL;
    *out = filed + (core_day)lag;
    return CORE_OK;
}

int eligibility_file_enrollment(struct eligibility_registry *reg, uint32_t person,
                                const struct eligibility_enrollment *e, core_day filed, core_day visible,
                                uint32_t *membership)
{
    if (reg == NULL || e == NULL || person >= reg->n_persons || e->start == CORE_DAY_NONE ||
        !numbers_terminated(&e->numbers))
        return CORE_EINVAL;
    core_day vis;
    int rc = visible_day(reg, POLICY_ONLINE_REFLECTION_LAG_DAYS, filed, visible, &vis);
    if (rc != CORE_OK)
        return rc;
    uint32_t i;
    if (POOL_ADD(reg, mems, n_mems, cap_mems, &i) != CORE_OK)
        return CORE_ENOMEM;
    uint64_t h = elig_numbers_hash(&e->numbers);
    uint32_t same = elig_map_get(&reg->by_numbers, h);
    if (map_put(&reg->by_numbers, h, i) != CORE_OK) {
        reg->n_mems--;
        return CORE_ENOMEM;
    }
    struct elig_mem *m = &reg->mems[i];
    *m = (struct elig_mem){*e, person, ELIG_NIL, same, filed, vis, ELIG_NEVER, ELIG_NEVER, ELIG_NEVER};
    struct elig_person *p = &reg->persons[person];
    if (p->mem_tail == ELIG_NIL)
        p->mem_head = i;
    else
        reg->mems[p->mem_tail].next = i;
    p->mem_tail = i;
    if (membership != NULL)
        *membership = i;
    return CORE_OK;
}

int eligibility_file_loss(struct eligibility_registry *reg, uint32_t membership, core_day first_day_without,
                          core_day filed, core_day visible)
{
    if (reg == NULL || membership >= reg->n_mems || first_day_without == CORE_DAY_NONE)
        return CORE_EINVAL;
    struct elig_mem *m = &reg->mems[membership];
    if (m->loss_filed != ELIG_NEVER)
        return CORE_ESTATE;
    core_day vis;
    int rc = visible_day(reg, POLICY_ONLINE_REFLECTION_LAG_DAYS, filed, visible, &vis);
    if (rc != CORE_OK)
        return rc;
    m->loss_first = first_day_without;
    m->loss_filed = filed;
    m->loss_visible = vis;
    return CORE_OK;
}

static CORE_MUST_USE int add_regev(struct eligibility_registry *reg, uint32_t person, core_day day,
                                   bool registered)
{
    uint32_t i;
    if (POOL_ADD(reg, regs, n_regs, cap_regs, &i) != CORE_OK)
        return CORE_ENOMEM;
    reg->regs[i] = (struct elig_regev){ELIG_NIL, day, registered};
    struct elig_person *p = &reg->persons[person];
    if (p->reg_tail == ELIG_NIL)
        p->reg_head = i;
    else
        reg->regs[p->reg_tail].next = i;
    p->reg_tail = i;
    return CORE_OK;
}

int eligibility_file_registration(struct eligibility_registry *reg, uint32_t person, core_day day)
{
    if (reg == NULL || person >= reg->n_persons || day == CORE_DAY_NONE)
        return CORE_EINVAL;
    return add_regev(reg, person, day, true);
}

int eligibility_file_withdrawal(struct eligibility_registry *reg, uint32_t person, core_day filed,
                                core_day visible)
{
    if (reg == NULL || person >= reg->n_persons)
        return CORE_EINVAL;
    core_day vis;
    int rc = visible_day(reg, POLICY_REGISTRATION_WITHDRAWAL_LAG_DAYS, filed, visible, &vis);
    if (rc != CORE_OK)
        return rc;
    return add_regev(reg, person, vis, false);
}

static CORE_MUST_USE int add_cert(struct eligibility_registry *reg, uint32_t card, core_day day,
                                  uint64_t serial, core_day expiry)
{
    uint32_t i; /* callers have checked that the serial is new */
    if (POOL_ADD(reg, certs, n_certs, cap_certs, &i) != CORE_OK)
        return CORE_ENOMEM;
    if (map_put(&reg->by_cert, serial, i) != CORE_OK) {
        reg->n_certs--;
        return CORE_ENOMEM;
    }
    reg->certs[i] = (struct elig_cert){serial, card, day, expiry, ELIG_NEVER};
    reg->cards[card].cert = i;
    return CORE_OK;
}

int eligibility_card_issue(struct eligibility_registry *reg, uint32_t person, uint64_t card_id, core_day day,
                           core_day card_expiry, uint64_t cert_serial, core_day cert_expiry)
{
    if (reg == NULL || person >= reg->n_persons || day == CORE_DAY_NONE || card_expiry == CORE_DAY_NONE ||
        cert_expiry == CORE_DAY_NONE || elig_map_get(&reg->by_card, card_id) != ELIG_NIL ||
        elig_map_get(&reg->by_cert, cert_serial) != ELIG_NIL)
        return CORE_EINVAL;
    uint32_t i;
    if (POOL_ADD(reg, cards, n_cards, cap_cards, &i) != CORE_OK)
        return CORE_ENOMEM;
    if (map_put(&reg->by_card, card_id, i) != CORE_OK) {
        reg->n_cards--;
        return CORE_ENOMEM;
    }
    reg->cards[i] = (struct elig_card){card_id,     person,     ELIG_NIL,   ELIG_NIL,  day,
                                       card_expiry, ELIG_NEVER, ELIG_NEVER, ELIG_NEVER};
    struct elig_person *p = &reg->persons[person];
    /* A reissue: every earlier card of the person is replaced from this day (MYNA-3 cert_revoked). */
    for (uint32_t c = p->card_head; c != ELIG_NIL; c = reg->cards[c].next)
        if (reg->cards[c].replaced > day)
            reg->cards[c].replaced = day;
    if (p->card_tail == ELIG_NIL)
        p->card_head = i;
    else
        reg->cards[p->card_tail].next = i;
    p->card_tail = i;
    return add_cert(reg, i, day, cert_serial, cert_expiry);
}

static struct elig_card *card_by_id(struct eligibility_registry *reg, uint64_t card_id)
{
    uint32_t i = elig_map_get(&reg->by_card, card_id);
    return i == ELIG_NIL ? NULL : &reg->cards[i];
}

int eligibility_card_renew_cert(struct eligibility_registry *reg, uint64_t card_id, core_day day,
                                uint64_t cert_serial, core_day cert_expiry)
{
    if (reg == NULL || day == CORE_DAY_NONE || cert_expiry == CORE_DAY_NONE)
        return CORE_EINVAL;
    struct elig_card *card = card_by_id(reg, card_id);
    if (card == NULL || elig_map_get(&reg->by_cert, cert_serial) != ELIG_NIL)
        return CORE_EINVAL;
    /* Only the card's current certificate can still be live: earlier ones were revoked when it came. */
    struct elig_cert *old = &reg->certs[card->cert];
    if (old->revoked > day)
        old->revoked = day;
    return add_cert(reg, (uint32_t)(card - reg->cards), day, cert_serial, cert_expiry);
}

int eligibility_card_return(struct eligibility_registry *reg, uint64_t card_id, core_day day)
{
    struct elig_card *card = reg == NULL ? NULL : card_by_id(reg, card_id);
    if (card == NULL || day == CORE_DAY_NONE)
        return CORE_EINVAL;
    if (card->returned > day)
        card->returned = day;
    return CORE_OK;
}

int eligibility_card_suspend(struct eligibility_registry *reg, uint64_t card_id, core_day day)
{
    struct elig_card *card = reg == NULL ? NULL : card_by_id(reg, card_id);
    if (card == NULL || day == CORE_DAY_NONE)
        return CORE_EINVAL;
    if (card->suspended > day)
        card->suspended = day;
    return CORE_OK;
}
