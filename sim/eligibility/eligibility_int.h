/* Private to sim/eligibility: the registry's pools, shared by the filings (registry.c) and the check
 * (check.c). Nothing outside this directory includes it. */
#ifndef MYNASIM_ELIGIBILITY_INT_H
#define MYNASIM_ELIGIBILITY_INT_H

#include "eligibility/eligibility.h"

#define ELIG_NIL UINT32_MAX
#define ELIG_NEVER INT32_MAX

struct elig_person {
    core_day born;
    uint32_t data; /* index into the registry's pdata, ELIG_NIL when nothing was given */
    uint64_t seed; /* what generated identity fields come from (eligibility_person_generate) */
    int sex;       /* 1, 2, 3; 0: generated */
    uint32_t mem_head, mem_tail;
    uint32_t reg_head, reg_tail;
    uint32_t card_head, card_tail;
};

struct elig_pdata {
    char name[ELIGIBILITY_PERSON_TEXT_MAX]; /* "" generated */
    char kana[ELIGIBILITY_PERSON_TEXT_MAX]; /* half-width already; "" none (or generated with the name) */
};

struct elig_insurer {
    char number[9];
    char name[ELIGIBILITY_PERSON_TEXT_MAX];
};

struct elig_mem {
    struct eligibility_enrollment e;
    uint32_t person;
    uint32_t next;     /* the person's next membership */
    uint32_t next_key; /* next membership with the same number hash */
    core_day filed, visible;
    core_day loss_first, loss_filed, loss_visible; /* ELIG_NEVER while no loss is filed */
};

struct elig_regev {
    uint32_t next;
    core_day day; /* effective (registration) or visible (withdrawal) */
    bool registered;
};

struct elig_card {
    uint64_t id;
    uint32_t person, next;
    uint32_t cert; /* the current certificate */
    core_day issued, expiry;
    core_day suspended, returned, replaced; /* ELIG_NEVER unless it happened */
};

struct elig_cert {
    uint64_t serial;
    uint32_t card;
    core_day issued, expiry, revoked;
};

/* uint64 -> uint32, open addressing with linear probing; an empty slot holds ELIG_NIL. */
struct elig_map {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap, count; /* cap: a power of two */
};

struct eligibility_registry {
    const struct policy *policy;
    struct elig_person *persons;
    size_t n_persons, cap_persons;
    struct elig_mem *mems;
    size_t n_mems, cap_mems;
    struct elig_regev *regs;
    size_t n_regs, cap_regs;
    struct elig_card *cards;
    size_t n_cards, cap_cards;
    struct elig_cert *certs;
    size_t n_certs, cap_certs;
    struct elig_map by_card, by_cert, by_numbers;
    struct elig_pdata *pdata; /* the persons' given names and kana (eligibility_person_set_data) */
    size_t n_pdata, cap_pdata;
    struct elig_insurer *insurers; /* eligibility_insurer_set_name */
    size_t n_insurers, cap_insurers;
};

/* registry.c's pool growth, shared with person.c. */
CORE_MUST_USE int elig_pool_reserve(void **items, size_t *cap, size_t need, size_t size);
uint32_t elig_map_get(const struct elig_map *m, uint64_t key);
uint64_t elig_numbers_hash(const struct eligibility_numbers *n);
bool elig_numbers_eq(const struct eligibility_numbers *a, const struct eligibility_numbers *b);

#endif
