/* Tests of the population mix reader (sim/world/mix.c) on a small mix of its own (tiny[] below, 42 lines): every
 * malformed field is refused with the exact file:line:column and message (the first problem found), bands,
 * months, shares and lists are validated at their edges, and mix files are found by name, absolute path or
 * relative to a base directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/core.h"
#include "world/mix_int.h"

static const char *const tiny[] = {
    "mix: tiny",
    "description: a small mix for the tests",
    "age_pyramid:",
    "  - {from: 0, to: 64, share: 0.8}",
    "  - {from: 65, to: 99, share: 0.2}",
    "household_sizes:",
    "  - {size: 1, share: 0.5}",
    "  - {size: 2, share: 0.5}",
    "insurer_kinds:",
    "  - {from: 0, to: 74, nhi: 0.5, latter_elderly: 0, society: 0.2, kyokai: 0.2, mutual_aid: 0.1}",
    "  - {from: 75, to: 99, nhi: 0, latter_elderly: 1, society: 0, kyokai: 0, mutual_aid: 0}",
    "dependents: {adult_share: 0.45}",
    "income: {general: 0.9, high: 0.1}",
    "card:",
    "  ownership:",
    "    - {from: 0, to: 99, share: 0.8}",
    "  registration:",
    "    - {from: 0, to: 99, share: 0.7}",
    "  face_only: 0.01",
    "  monthly:",
    "    - {month: 2024-12, get_card: 0.006, register: 0.035}",
    "    - {month: 2025-03, get_card: 0.004, register: 0.025}",
    "  issued_before_start: [{year: 2020, share: 0.25}, {year: 2023, share: 0.75}]",
    "  registration_opened: 2021-10-20",
    "presentation:",
    "  - {month: 2024-12, share: 0.3}",
    "  - {month: 2025-06, share: 0.5}",
    ("yearly: {job_change: 0.05, move: 0.04, card_loss: 0.01, withdrawal: 0.002, card_return: 0.001, "
     "pin_block: 0.01, cert_renewal: 0.85}"), /* one line: Clang's -Wstring-concatenation wants it bracketed */
    "visits:",
    "  per_year:",
    "    - {from: 0, to: 99, visits: 10}",
    "  readers: {face: 0.9, pin: 0.05, none: 0.05}",
    "desk_faults: {reader_fault: 0.005, unshowable_name: 0.002, before_reflection: 0.05}",
    "lags:",
    "  loss_filing: [{days: 0, share: 0.5}, {days: 5, share: 0.5}]",
    "  reissue: [{days: 30, share: 1}]",
    "  pin_reset: [{days: 14, share: 1}]",
    "  renewal_ahead: [{days: 30, share: 1}]",
    "paper_card:",
    "  regional_renewal: 2024-08-01",
    "  employee_joined_from: 2019-04-01",
    "  employee_joined_days_before_start: 30",
};

#define TINY_LINES (sizeof tiny / sizeof tiny[0])

/* tiny[] with lines first..last (1-based, inclusive) replaced by `with` (NULL: tiny[] as is); malloc'd. */
static char *tiny_text(size_t first, size_t last, const char *with)
{
    size_t cap = 64 + (with != NULL ? strlen(with) : 0);
    for (size_t i = 0; i < TINY_LINES; i++)
        cap += strlen(tiny[i]) + 1;
    char *s = malloc(cap);
    assert_non_null(s);
    if (s == NULL)
        return NULL;
    s[0] = '\0';
    for (size_t i = 1; i <= TINY_LINES; i++) {
        if (with != NULL && i == first) {
            strcat(s, with);
            strcat(s, "\n");
        }
        if (with != NULL && i >= first && i <= last)
            continue;
        strcat(s, tiny[i - 1]);
        strcat(s, "\n");
    }
    return s;
}

static CORE_MUST_USE int load_tiny(size_t first, size_t last, const char *with, struct world_mix **m,
                                   struct core_error *err)
{
    char *s = tiny_text(first, last, with);
    if (s == NULL)
        return CORE_ENOMEM;
    core_error_clear(err);
    int rc = world_mix_load_buffer("tiny.yaml", s, strlen(s), m, err);
    free(s);
    return rc;
}

static void the_tiny_mix_loads_with_every_value(void **state)
{
    (void)state;
    struct world_mix *m = NULL;
    struct core_error err;
    assert_int_equal(load_tiny(0, 0, NULL, &m, &err), CORE_OK);
    assert_non_null(m);
    if (m == NULL)
        return;
    assert_string_equal(world_mix_name(m), "tiny");
    assert_int_equal(m->age.n, 2);
    assert_int_equal(m->age.to[1], 99);
    assert_true(m->age.v[0] == 0.8);
    assert_int_equal(m->household_max, 2);
    assert_true(m->household[1] == 0.5 && m->household[2] == 0.5);
    assert_int_equal(m->nkinds, 2);
    assert_int_equal(m->kinds_from[1], 75);
    assert_true(m->kinds[0][0] == 0.5 && m->kinds[1][1] == 1);
    assert_true(m->adult_dependent == 0.45);
    assert_true(m->income_high == 0.1);
    assert_true(m->own.v[0] == 0.8 && m->reg.v[0] == 0.7);
    assert_true(m->face_only == 0.01);
    assert_int_equal(m->get_card.n, 2);
    assert_int_equal(m->register_monthly.n, 2);
    assert_true(m->register_monthly.v[1] == 0.025);
    assert_int_equal(m->register_monthly.month[1], m->get_card.month[1]);
    assert_int_equal(m->present.n, 2);
    assert_int_equal(m->issued_before_start.n, 2);
    assert_int_equal(m->issued_before_start.year[0], 2020);
    assert_int_equal(m->issued_before_start.year[1], 2023);
    assert_true(m->issued_before_start.share[0] == 0.25 && m->issued_before_start.share[1] == 0.75);
    core_day when;
    assert_int_equal(core_date_parse("2021-10-20", 10, &when), CORE_OK);
    assert_int_equal(m->registration_opened, when);
    assert_int_equal(core_date_parse("2024-08-01", 10, &when), CORE_OK);
    assert_int_equal(m->regional_renewal, when);
    assert_int_equal(core_date_parse("2019-04-01", 10, &when), CORE_OK);
    assert_int_equal(m->employee_joined_from, when);
    assert_int_equal(m->employee_joined_days_before_start, 30);
    assert_true(m->rate[MIX_RATE_CERT_RENEWAL] == 0.85 && m->rate[MIX_RATE_WITHDRAWAL] == 0.002);
    assert_true(m->visits.v[0] == 10);
    assert_true(m->reader[0] == 0.9 && m->reader[2] == 0.05);
    assert_true(m->fault[MIX_FAULT_BEFORE_REFLECTION] == 0.05);
    assert_int_equal(m->lag[MIX_LAG_LOSS_FILING].n, 2);
    assert_int_equal(m->lag[MIX_LAG_LOSS_FILING].days[1], 5);
    assert_int_equal(m->lag[MIX_LAG_RENEWAL_AHEAD].days[0], 30);
    /* Values by age and by month: the last band beyond its end, the first row before it. */
    assert_true(mix_age_value(&m->age, 0) == 0.8);
    assert_true(mix_age_value(&m->age, 64) == 0.8);
    assert_true(mix_age_value(&m->age, 65) == 0.2);
    assert_true(mix_age_value(&m->age, 110) == 0.2);
    core_day d;
    assert_int_equal(core_date_parse("2024-01-15", 10, &d), CORE_OK);
    assert_true(mix_month_value(&m->present, d) == 0.3);
    assert_int_equal(core_date_parse("2025-05-31", 10, &d), CORE_OK);
    assert_true(mix_month_value(&m->present, d) == 0.3);
    assert_int_equal(core_date_parse("2025-06-01", 10, &d), CORE_OK);
    assert_true(mix_month_value(&m->present, d) == 0.5);
    assert_int_equal(core_date_parse("2030-01-01", 10, &d), CORE_OK);
    assert_true(mix_month_value(&m->present, d) == 0.5);
    world_mix_free(m);
    /* Empty tables answer 0. */
    struct mix_ages none_ages;
    memset(&none_ages, 0, sizeof none_ages);
    assert_true(mix_age_value(&none_ages, 40) == 0);
    struct mix_months none_months;
    memset(&none_months, 0, sizeof none_months);
    assert_true(mix_month_value(&none_months, d) == 0);
}

struct bad {
    size_t first, last; /* lines of tiny[] replaced */
    const char *with;
    int line, column;
    const char *message;
};

#define MANY25                                                                                               \
    "{from: 0, to: 0, share: 0.04}, {from: 1, to: 1, share: 0.04}, {from: 2, to: 2, share: 0.04}, {from: "   \
    "3, to: 3, share: 0.04}, {from: 4, to: 4, share: 0.04}, {from: 5, to: 5, share: 0.04}, {from: 6, to: "   \
    "6, share: 0.04}, {from: 7, to: 7, share: 0.04}, {from: 8, to: 8, share: 0.04}, {from: 9, to: 9, "       \
    "share: 0.04}, {from: 10, to: 10, share: 0.04}, {from: 11, to: 11, share: 0.04}, {from: 12, to: 12, "    \
    "share: 0.04}, {from: 13, to: 13, share: 0.04}, {from: 14, to: 14, share: 0.04}, {from: 15, to: 15, "    \
    "share: 0.04}, {from: 16, to: 16, share: 0.04}, {from: 17, to: 17, share: 0.04}, {from: 18, to: 18, "    \
    "share: 0.04}, {from: 19, to: 19, share: 0.04}, {from: 20, to: 20, share: 0.04}, {from: 21, to: 21, "    \
    "share: 0.04}, {from: 22, to: 22, share: 0.04}, {from: 23, to: 23, share: 0.04}, {from: 24, to: 24, "    \
    "share: 0.04}"
#define MANY61                                                                                               \
    "{month: 2020-01, share: 0.5}, {month: 2020-02, share: 0.5}, {month: 2020-03, share: 0.5}, {month: "     \
    "2020-04, share: 0.5}, {month: 2020-05, share: 0.5}, {month: 2020-06, share: 0.5}, {month: 2020-07, "    \
    "share: 0.5}, {month: 2020-08, share: 0.5}, {month: 2020-09, share: 0.5}, {month: 2020-10, share: "      \
    "0.5}, {month: 2020-11, share: 0.5}, {month: 2020-12, share: 0.5}, {month: 2021-01, share: 0.5}, "       \
    "{month: 2021-02, share: 0.5}, {month: 2021-03, share: 0.5}, {month: 2021-04, share: 0.5}, {month: "     \
    "2021-05, share: 0.5}, {month: 2021-06, share: 0.5}, {month: 2021-07, share: 0.5}, {month: 2021-08, "    \
    "share: 0.5}, {month: 2021-09, share: 0.5}, {month: 2021-10, share: 0.5}, {month: 2021-11, share: "      \
    "0.5}, {month: 2021-12, share: 0.5}, {month: 2022-01, share: 0.5}, {month: 2022-02, share: 0.5}, "       \
    "{month: 2022-03, share: 0.5}, {month: 2022-04, share: 0.5}, {month: 2022-05, share: 0.5}, {month: "     \
    "2022-06, share: 0.5}, {month: 2022-07, share: 0.5}, {month: 2022-08, share: 0.5}, {month: 2022-09, "    \
    "share: 0.5}, {month: 2022-10, share: 0.5}, {month: 2022-11, share: 0.5}, {month: 2022-12, share: "      \
    "0.5}, {month: 2023-01, share: 0.5}, {month: 2023-02, share: 0.5}, {month: 2023-03, share: 0.5}, "       \
    "{month: 2023-04, share: 0.5}, {month: 2023-05, share: 0.5}, {month: 2023-06, share: 0.5}, {month: "     \
    "2023-07, share: 0.5}, {month: 2023-08, share: 0.5}, {month: 2023-09, share: 0.5}, {month: 2023-10, "    \
    "share: 0.5}, {month: 2023-11, share: 0.5}, {month: 2023-12, share: 0.5}, {month: 2024-01, share: "      \
    "0.5}, {month: 2024-02, share: 0.5}, {month: 2024-03, share: 0.5}, {month: 2024-04, share: 0.5}, "       \
    "{month: 2024-05, share: 0.5}, {month: 2024-06, share: 0.5}, {month: 2024-07, share: 0.5}, {month: "     \
    "2024-08, share: 0.5}, {month: 2024-09, share: 0.5}, {month: 2024-10, share: 0.5}, {month: 2024-11, "    \
    "share: 0.5}, {month: 2024-12, share: 0.5}, {month: 2025-01, share: 0.5}"
#define LAG17                                                                                                \
    "{days: 0, share: 0.0625}, {days: 1, share: 0.0625}, {days: 2, share: 0.0625}, {days: 3, share: "        \
    "0.0625}, {days: 4, share: 0.0625}, {days: 5, share: 0.0625}, {days: 6, share: 0.0625}, {days: 7, "      \
    "share: 0.0625}, {days: 8, share: 0.0625}, {days: 9, share: 0.0625}, {days: 10, share: 0.0625}, {days: " \
    "11, share: 0.0625}, {days: 12, share: 0.0625}, {days: 13, share: 0.0625}, {days: 14, share: 0.0625}, "  \
    "{days: 15, share: 0.0625}, {days: 16, share: 0.0625}"

/* 33 rows, one more than card.issued_before_start takes. */
#define YEARS33                                                                                              \
    "{year: 1990, share: 0.04}, {year: 1991, share: 0.04}, {year: 1992, share: 0.04}, {year: 1993, share: "  \
    "0.04}, {year: 1994, share: 0.04}, {year: 1995, share: 0.04}, {year: 1996, share: 0.04}, {year: 1997, "  \
    "share: 0.04}, {year: 1998, share: 0.04}, {year: 1999, share: 0.04}, {year: 2000, share: 0.04}, {year: " \
    "2001, share: 0.04}, {year: 2002, share: 0.04}, {year: 2003, share: 0.04}, {year: 2004, share: 0.04}, "  \
    "{year: 2005, share: 0.04}, {year: 2006, share: 0.04}, {year: 2007, share: 0.04}, {year: 2008, share: "  \
    "0.04}, {year: 2009, share: 0.04}, {year: 2010, share: 0.04}, {year: 2011, share: 0.04}, {year: 2012, "  \
    "share: 0.04}, {year: 2013, share: 0.04}, {year: 2014, share: 0.04}, {year: 2015, share: 0}, {year: "    \
    "2016, share: 0}, {year: 2017, share: 0}, {year: 2018, share: 0}, {year: 2019, share: 0}, {year: 2020, " \
    "share: 0}, {year: 2021, share: 0}, {year: 2022, share: 0}"

static const struct bad bads[] = {
    {1, 42, "- tiny", 1, 1, "a mix file is a mapping with 'mix: NAME'"},
    {1, 2, "description: no name", 1, 1, "missing field 'mix'"},
    {1, 1, "mix: [tiny]", 1, 6, "field 'mix': expected text, found a list"},
    {2, 2, "description: [a, b]", 2, 14, "field 'description': expected text"},
    {2, 2, "description: a\nbogus: 1", 3, 1,
     "unknown key 'bogus' (expected one of: mix, description, age_pyramid, household_sizes, insurer_kinds, "
     "dependents, income, card, presentation, yearly, visits, desk_faults, lags, paper_card, published)"},
    {4, 4, "  - {from: 0, to: 64, share: .}", 4, 30, "field 'share': expected a number"},
    {4, 4, "  - {from: 0, to: 64, share: 1e999}", 4, 30, "field 'share': expected a number"},
    {4, 4, "  - {from: 0, to: 64, share: 0.8.1}", 4, 30, "field 'share': expected a number"},
    {4, 4, "  - {from: 0, to: 64, share: 0x1}", 4, 30, "field 'share': expected a number"},
    {4, 4, "  - {from: 0, to: 64, share: ''}", 4, 30, "field 'share': expected a number"},
    {4, 4, "  - {from: 0, to: 64, share: 0.80000000000000000000000000000000000000001}", 4, 30,
     "field 'share': expected a number"},
    {4, 4, "  - {from: 0, to: 64, share: -0.1}", 4, 30, "field 'share': -0.1 is outside 0..1"},
    {4, 4, "  - {from: 0, to: 64, share: {v: 1}}", 4, 30, "field 'share': expected a number"},
    {4, 4, "  - {from: 0, to: 64, share: [0.8]}", 4, 30, "field 'share': expected a number"},
    {4, 4, "  - {from: 0, to: 64}", 4, 5, "missing field 'share'"},
    {4, 4, "  - {from: 0, to: 64, share: 0.8, weight: 1}", 4, 35,
     "unknown key 'weight' (expected one of: from, to, share)"},
    {4, 4, "  - {from: zero, to: 64, share: 0.8}", 4, 12, "field 'from': expected an integer, found 'zero'"},
    {4, 4, "  - {from: 0, to: 121, share: 0.8}", 4, 19, "field 'to': 121 is out of range (0..120)"},
    {4, 4, "  - 0.8", 4, 5, "expected a mapping, found a single value"},
    {5, 5, "  - {from: 65, to: 60, share: 0.2}", 5, 5, "field 'age_pyramid': 'to' 60 is before 'from' 65"},
    {5, 5, "  - {from: 66, to: 99, share: 0.2}", 5, 5,
     "field 'age_pyramid': band starts at 66, expected 65 (bands are contiguous from 0)"},
    {5, 5, "  - {from: 65, to: 99, share: 0.1}", 4, 3,
     "field 'age_pyramid': shares sum to 0.9000, not 1 (tolerance 0.001)"},
    {3, 5, "age_pyramid: {from: 0}", 3, 14, "field 'age_pyramid': expected a list"},
    {3, 5, "age_pyramid: []", 3, 14, "field 'age_pyramid': empty list"},
    {3, 5, "age_pyramid:", 3, 13, "field 'age_pyramid': expected a list"},
    {3, 5, "age_pyramid: [" MANY25 "]", 3, 14, "field 'age_pyramid': more than 24 rows"},
    {7, 7, "  - {size: 0, share: 0.5}", 7, 12, "field 'size': 0 is out of range (1..8)"},
    {7, 7, "  - {size: 9, share: 0.5}", 7, 12, "field 'size': 9 is out of range (1..8)"},
    {8, 8, "  - {size: 1, share: 0.5}", 8, 5,
     "field 'household_sizes': size 1 again or out of ascending order"},
    {7, 8, "  - {size: 2, share: 0.5}\n  - {size: 1, share: 0.5}", 8, 5,
     "field 'household_sizes': size 1 again or out of ascending order"},
    {8, 8, "  - {size: 2, share: 0.5, members: 2}", 8, 27,
     "unknown key 'members' (expected one of: size, share)"},
    {8, 8, "  - {size: 2, share: x}", 8, 22, "field 'share': expected a number"},
    {8, 8, "  - {size: 2, share: 0.6}", 7, 3,
     "field 'household_sizes': shares sum to 1.1000, not 1 (tolerance 0.001)"},
    {7, 8, "  - {size: 1, share: 0}\n  - {size: 1, share: 1}", 8, 5,
     "field 'household_sizes': size 1 again or out of ascending order"},
    {10, 10, "  - {from: 1, to: 74, nhi: 0.5, latter_elderly: 0, society: 0.2, kyokai: 0.2, mutual_aid: 0.1}",
     10, 5, "field 'insurer_kinds': band 1..74, expected one starting at 0"},
    {10, 10, "  - {from: 0, to: 74, nhi: 0.5, latter_elderly: 0, society: 0.2, kyokai: 0.2}", 10, 5,
     "missing field 'mutual_aid'"},
    {10, 10, "  - {from: 0, to: 74, nhi: 0.5, latter_elderly: 0, society: 0.2, kyokai: 0.2, mutual_aid: 0.2}",
     10, 5, "field 'insurer_kinds': shares sum to 1.1000, not 1 (tolerance 0.001)"},
    {10, 10,
     "  - {from: 0, to: 74, nhi: 0.5, latter_elderly: 0, society: 0.2, kyokai: 0.2, mutual_aid: 0.1, "
     "elderly: 0}",
     10, 96,
     "unknown key 'elderly' (expected one of: from, to, nhi, latter_elderly, society, kyokai, mutual_aid)"},
    {10, 10, "  - {from: 0, to: x, nhi: 0.5, latter_elderly: 0, society: 0.2, kyokai: 0.2, mutual_aid: 0.1}",
     10, 19, "field 'to': expected an integer, found 'x'"},
    {10, 10, "  - {to: 74, nhi: 0.5, latter_elderly: 0, society: 0.2, kyokai: 0.2, mutual_aid: 0.1}", 10, 5,
     "missing field 'from'"},
    {11, 11, "  - {from: 75, to: 70, nhi: 0, latter_elderly: 1, society: 0, kyokai: 0, mutual_aid: 0}", 11, 5,
     "field 'insurer_kinds': band 75..70, expected one starting at 75"},
    {11, 11, "  - {from: 75, to: 99, nhi: 0, latter_elderly: 2, society: 0, kyokai: 0, mutual_aid: 0}", 11,
     48, "field 'latter_elderly': 2 is outside 0..1"},
    {9, 11, "insurer_kinds: nhi", 9, 16, "field 'insurer_kinds': expected a list"},
    {9, 11, "insurer_kinds: []", 9, 16, "field 'insurer_kinds': empty list"},
    {12, 12, "dependents: {adult_share: 1.2}", 12, 27, "field 'adult_share': 1.2 is outside 0..1"},
    {12, 12, "dependents: [0.45]", 12, 13, "expected a mapping, found a list"},
    {12, 12, "dependents: {}", 12, 13, "missing field 'adult_share'"},
    {12, 12, "dependents: {adult_share: 0.45, child_share: 1}", 12, 33,
     "unknown key 'child_share' (expected one of: adult_share)"},
    {13, 13, "income: {general: 0.9, high: 0.2}", 13, 9,
     "field 'income': shares sum to 1.1000, not 1 (tolerance 0.001)"},
    {13, 13, "income: {general: 0.9}", 13, 9, "missing field 'high'"},
    {14, 14, "card:\n  colour: gold", 15, 3,
     "unknown key 'colour' (expected one of: ownership, registration, face_only, monthly, "
     "issued_before_start, "
     "registration_opened)"},
    {15, 16, "  owner:\n    - {from: 0, to: 99, share: 0.8}", 15, 3,
     "unknown key 'owner' (expected one of: ownership, registration, face_only, monthly, "
     "issued_before_start, "
     "registration_opened)"},
    {15, 16, "  ownership: 0.8", 15, 14, "field 'ownership': expected a list"},
    {16, 16, "    - {from: 0, to: 99, share: 1.1}", 16, 32, "field 'share': 1.1 is outside 0..1"},
    {18, 18, "    - {from: 1, to: 99, share: 0.7}", 18, 7,
     "field 'registration': band starts at 1, expected 0 (bands are contiguous from 0)"},
    {19, 19, "  face_only: none", 19, 14, "field 'face_only': expected a number"},
    {19, 19, "  face_only: 0.01\n  face_only: 0.02", 20, 3, "duplicate key 'face_only' (first at line 19)"},
    {21, 21, "    - {month: 2024-12, get_card: 0.006}", 21, 7, "missing field 'register'"},
    {21, 21, "    - {month: 2024-12, get_card: x, register: 0.035}", 21, 34,
     "field 'get_card': expected a number"},
    {21, 21, "    - {month: 2024-12, get_card: 0.006, register: 1.5}", 21, 51,
     "field 'register': 1.5 is outside 0..1"},
    {21, 21, "    - {month: 2024-3, get_card: 0.006, register: 0.035}", 21, 15,
     "field 'month': expected a month YYYY-MM"},
    {21, 21, "    - {month: 2024/12, get_card: 0.006, register: 0.035}", 21, 15,
     "field 'month': expected a month YYYY-MM"},
    {21, 21, "    - {month: 2024-1x, get_card: 0.006, register: 0.035}", 21, 15,
     "field 'month': expected a month YYYY-MM"},
    {21, 21, "    - {month: [2024-12], get_card: 0.006, register: 0.035}", 21, 15,
     "field 'month': expected a month YYYY-MM"},
    {21, 21, "    - {get_card: 0.006, register: 0.035}", 21, 7, "missing field 'month'"},
    {21, 21, "    - {month: 2024-12, get_card: 0.006, register: 0.035, share: 0.1}", 21, 58,
     "unknown key 'share' (expected one of: month, get_card, register)"},
    {22, 22, "    - {month: 2024-12, get_card: 0.004, register: 0.025}", 22, 15,
     "field 'month': months must be in ascending order"},
    {22, 22, "    - {month: 2024-11, get_card: 0.004, register: 0.025}", 22, 15,
     "field 'month': months must be in ascending order"},
    {20, 22, "  monthly: []", 20, 12, "field 'monthly': empty list"},
    {27, 27, "  - {month: 2024-12, share: 0.5}", 27, 13, "field 'month': months must be in ascending order"},
    {27, 27, "  - {month: 2025-06, share: 0.5, get_card: 0.1}", 27, 34,
     "unknown key 'get_card' (expected one of: month, share)"},
    {27, 27, "  - {month: 2025-06}", 27, 5, "missing field 'share'"},
    {25, 27, "presentation: {month: 2025-06}", 25, 15, "field 'presentation': expected a list"},
    {25, 27, "presentation: [" MANY61 "]", 25, 15, "field 'presentation': more than 60 rows"},
    {28, 28,
     "yearly: {job_change: 0.05, move: 0.04, card_loss: 0.01, withdrawal: 0.002, card_return: 0.001, "
     "pin_block: 0.01}",
     28, 9, "missing field 'cert_renewal'"},
    {28, 28,
     "yearly: {job_change: 1.05, move: 0.04, card_loss: 0.01, withdrawal: 0.002, card_return: 0.001, "
     "pin_block: 0.01, cert_renewal: 0.85}",
     28, 22, "field 'job_change': 1.05 is outside 0..1"},
    {29, 32,
     "visits: {per_year: [{from: 0, to: 99, visits: 10}], readers: {face: 0.9, pin: 0.05, none: 0.05}, "
     "emergency: 1}",
     29, 98, "unknown key 'emergency' (expected one of: per_year, readers)"},
    {31, 31, "    - {from: 0, to: 99, visits: 367}", 31, 33, "field 'visits': 367 is outside 0..366"},
    {30, 31, "  per_years: []", 30, 3, "unknown key 'per_years' (expected one of: per_year, readers)"},
    {30, 31, "  per_year: 10", 30, 13, "field 'per_year': expected a list"},
    {32, 32, "  readers: {face: 0.9, pin: 0.05, none: 0.06}", 32, 12,
     "field 'readers': shares sum to 1.0100, not 1 (tolerance 0.001)"},
    {32, 32, "  readers: {face: 0.9, pin: 0.1}", 32, 12, "missing field 'none'"},
    {32, 32, "  reader: {face: 0.9, pin: 0.05, none: 0.05}", 32, 3,
     "unknown key 'reader' (expected one of: per_year, readers)"},
    {29, 32, "visits: 10", 29, 9, "expected a mapping, found a single value"},
    {33, 33, "desk_faults: {reader_fault: 2, unshowable_name: 0.002, before_reflection: 0.05}", 33, 29,
     "field 'reader_fault': 2 is outside 0..1"},
    {33, 33, "desk_faults: {reader_fault: 0.005, unshowable_name: 0.002}", 33, 14,
     "missing field 'before_reflection'"},
    {35, 35, "  loss_filing: [{days: 0, share: 0.5}, {days: 5, share: 0.4}]", 35, 16,
     "field 'loss_filing': shares sum to 0.9000, not 1 (tolerance 0.001)"},
    {35, 35, "  loss_filing: [{days: -1, share: 0.5}, {days: 5, share: 0.5}]", 35, 24,
     "field 'days': -1 is out of range (0..3650)"},
    {35, 35, "  loss_filing: [{days: 0, share: 0.5}, {days: 3651, share: 0.5}]", 35, 47,
     "field 'days': 3651 is out of range (0..3650)"},
    {35, 35, "  loss_filing: [{days: 0, share: 0.5}, {days: 5, share: 0.5, note: x}]", 35, 62,
     "unknown key 'note' (expected one of: days, share)"},
    {35, 35, "  loss_filing: [{days: 0, share: 0.5}, {days: 5, share: x}]", 35, 57,
     "field 'share': expected a number"},
    {35, 35, "  loss_filing: [{days: 0, share: 0.5}, {share: 0.5}]", 35, 40, "missing field 'days'"},
    {35, 35, "  loss_filing: 0", 35, 16, "field 'loss_filing': expected a list"},
    {35, 35, "  loss_filing: []", 35, 16, "field 'loss_filing': empty list"},
    {35, 35, "  loss_filing: [" LAG17 "]", 35, 16, "field 'loss_filing': more than 16 rows"},
    {36, 36, "  reissue: [{days: 30, share: 1}]\n  pin_reset: [{days: 14, share: 1}]", 38, 3,
     "duplicate key 'pin_reset' (first at line 37)"},
    {38, 38, "  renewal_behind: [{days: 30, share: 1}]", 38, 3,
     "unknown key 'renewal_behind' (expected one of: loss_filing, reissue, pin_reset, renewal_ahead)"},
    {38, 38, "", 35, 3, "missing field 'renewal_ahead'"},
    {38, 38, "  renewal_ahead: [{days: 30, share: 0.5}]", 38, 18,
     "field 'renewal_ahead': shares sum to 0.5000, not 1 (tolerance 0.001)"},
    {34, 38, "lags: []", 34, 7, "expected a mapping, found a list"},
    {3, 5, "age_pyramid: x", 3, 14, "field 'age_pyramid': expected a list"},
    /* card.issued_before_start: {year, share} rows, ascending years, shares summing to 1. */
    {23, 23, "  issued_before_start: [{year: 2020, share: 0.25}, {year: 2023, share: 0.7}]", 23, 24,
     "field 'issued_before_start': shares sum to 0.9500, not 1 (tolerance 0.001)"},
    {23, 23, "  issued_before_start: [{year: 2023, share: 0.25}, {year: 2020, share: 0.75}]", 23, 59,
     "field 'year': years must be in ascending order"},
    {23, 23, "  issued_before_start: [{year: 2020, share: 0.25}, {year: 2020, share: 0.75}]", 23, 59,
     "field 'year': years must be in ascending order"},
    {23, 23, "  issued_before_start: [{year: 1899, share: 0.25}, {year: 2023, share: 0.75}]", 23, 32,
     "field 'year': 1899 is out of range (1900..9999)"},
    {23, 23, "  issued_before_start: [{year: 2020, share: 0.25}, {year: 10000, share: 0.75}]", 23, 59,
     "field 'year': 10000 is out of range (1900..9999)"},
    {23, 23, "  issued_before_start: [{year: 2020-01, share: 0.25}, {year: 2023, share: 0.75}]", 23, 32,
     "field 'year': expected an integer, found '2020-01'"},
    {23, 23, "  issued_before_start: [{year: 2020, share: 1.25}, {year: 2023, share: 0.75}]", 23, 45,
     "field 'share': 1.25 is outside 0..1"},
    {23, 23, "  issued_before_start: [{year: 2020, share: x}, {year: 2023, share: 0.75}]", 23, 45,
     "field 'share': expected a number"},
    {23, 23, "  issued_before_start: [{year: 2020}, {year: 2023, share: 0.75}]", 23, 25,
     "missing field 'share'"},
    {23, 23, "  issued_before_start: [{share: 0.25}, {year: 2023, share: 0.75}]", 23, 25,
     "missing field 'year'"},
    {23, 23, "  issued_before_start: [{year: 2020, share: 0.25, month: 4}, {year: 2023, share: 0.75}]", 23,
     51, "unknown key 'month' (expected one of: year, share)"},
    {23, 23, "  issued_before_start: 2020", 23, 24, "field 'issued_before_start': expected a list"},
    {23, 23, "  issued_before_start: []", 23, 24, "field 'issued_before_start': empty list"},
    {23, 23, "  issued_before_start: [" YEARS33 "]", 23, 24,
     "field 'issued_before_start': more than 32 rows"},
    {23, 23, "  issued_before_start: [0.25, 0.75]", 23, 25, "expected a mapping, found a single value"},
    {23, 23, "", 15, 3, "missing field 'issued_before_start'"},
    /* card.registration_opened: a date. */
    {24, 24, "  registration_opened: 2021-10-32", 24, 24,
     "field 'registration_opened': '2021-10-32' is not a date (YYYY-MM-DD)"},
    {24, 24, "  registration_opened: 2021-10", 24, 24,
     "field 'registration_opened': '2021-10' is not a date (YYYY-MM-DD)"},
    {24, 24, "  registration_opened: [2021-10-20]", 24, 24,
     "field 'registration_opened': expected a date YYYY-MM-DD, found a list"},
    {24, 24, "", 15, 3, "missing field 'registration_opened'"},
    /* paper_card: two dates and a number of days. */
    {39, 42, "", 1, 1, "missing field 'paper_card'"},
    {39, 42, "paper_card: 2024-08-01", 39, 13, "expected a mapping, found a single value"},
    {39, 42, "paper_card: [2024-08-01]", 39, 13, "expected a mapping, found a list"},
    {40, 40, "  regional_renewal: 2024-08-01\n  employee_joined_to: 2024-11-01", 41, 3,
     "unknown key 'employee_joined_to' (expected one of: regional_renewal, employee_joined_from, "
     "employee_joined_days_before_start)"},
    {40, 40, "  regional_renewal: 08-01", 40, 21,
     "field 'regional_renewal': '08-01' is not a date (YYYY-MM-DD)"},
    {40, 40, "  regional_renewal: 2024-02-30", 40, 21,
     "field 'regional_renewal': '2024-02-30' is not a date (YYYY-MM-DD)"},
    {40, 40, "", 41, 3, "missing field 'regional_renewal'"},
    {41, 41, "  employee_joined_from: 1899-12-31", 41, 25,
     "field 'employee_joined_from': '1899-12-31' is not a date (YYYY-MM-DD)"},
    {41, 41, "  employee_joined_from: {year: 2019}", 41, 25,
     "field 'employee_joined_from': expected a date YYYY-MM-DD, found a mapping"},
    {41, 41, "", 40, 3, "missing field 'employee_joined_from'"},
    {42, 42, "  employee_joined_days_before_start: -1", 42, 38,
     "field 'employee_joined_days_before_start': -1 is out of range (0..3650)"},
    {42, 42, "  employee_joined_days_before_start: 3651", 42, 38,
     "field 'employee_joined_days_before_start': 3651 is out of range (0..3650)"},
    {42, 42, "  employee_joined_days_before_start: 30.5", 42, 38,
     "field 'employee_joined_days_before_start': expected an integer, found '30.5'"},
    {42, 42, "", 40, 3, "missing field 'employee_joined_days_before_start'"},
};

static void every_malformed_field_is_refused_at_its_position(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        const struct bad *b = &bads[i];
        struct world_mix *m = NULL;
        struct core_error err;
        int rc = load_tiny(b->first, b->last, b->with, &m, &err);
        if (rc != CORE_EINVAL || m != NULL || err.line != b->line || err.column != b->column ||
            strcmp(err.message, b->message) != 0 || strcmp(err.file, "tiny.yaml") != 0)
            fail_msg("case %zu (%s): rc %d, %s:%d:%d: %s", i, b->with, rc, err.file, err.line, err.column,
                     err.message);
        world_mix_free(m);
    }
}

/* A mix file is found by a shipped name, by an absolute path, or relative to the base directory (the
 * scenario's); errors name the path read. */
static void mix_files_are_found_by_path(void **state)
{
    (void)state;
    char dir[] = "/tmp/mynasim-mix-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], bad_path[256];
    snprintf(path, sizeof path, "%s/tiny.yaml", dir);
    snprintf(bad_path, sizeof bad_path, "%s/Bad_Mix.yaml", dir);
    char *text = tiny_text(0, 0, NULL), *bad_text = tiny_text(19, 19, "  face_only: 2");
    struct core_error err;
    assert_int_equal(core_file_write_atomic(path, text, strlen(text), &err), CORE_OK);
    assert_int_equal(core_file_write_atomic(bad_path, bad_text, strlen(bad_text), &err), CORE_OK);
    free(text);
    free(bad_text);

    struct world_mix *m = NULL;
    assert_int_equal(world_mix_load("tiny.yaml", dir, &m, &err), CORE_OK); /* relative to base_dir */
    assert_string_equal(world_mix_name(m), "tiny");
    world_mix_free(m);
    m = NULL;
    assert_int_equal(world_mix_load(path, "/nonexistent", &m, &err), CORE_OK); /* absolute: base ignored */
    assert_string_equal(world_mix_name(m), "tiny");
    world_mix_free(m);

    /* A name with anything but [a-z0-9-] is a path, here relative to the base directory. */
    m = NULL;
    core_error_clear(&err);
    assert_int_equal(world_mix_load("Bad_Mix.yaml", dir, &m, &err), CORE_EINVAL);
    assert_null(m);
    assert_string_equal(err.file, bad_path);
    assert_int_equal(err.line, 19);
    assert_int_equal(err.column, 14);
    assert_string_equal(err.message, "field 'face_only': 2 is outside 0..1");

    /* No base directory (NULL or empty): the path as given. */
    core_error_clear(&err);
    assert_int_not_equal(world_mix_load("no-such-dir/tiny.yaml", NULL, &m, &err), CORE_OK);
    assert_null(m);
    assert_string_equal(err.file, "no-such-dir/tiny.yaml");
    core_error_clear(&err);
    assert_int_not_equal(world_mix_load("no-such-dir/tiny.yaml", "", &m, &err), CORE_OK);
    assert_string_equal(err.file, "no-such-dir/tiny.yaml");

    /* A base directory and name too long for a path. */
    char *longdir = malloc(8192);
    assert_non_null(longdir);
    if (longdir == NULL)
        return;
    memset(longdir, 'd', 8191);
    longdir[0] = '/';
    longdir[8191] = '\0';
    core_error_clear(&err);
    assert_int_equal(world_mix_load("x/tiny.yaml", longdir, &m, &err), CORE_EINVAL);
    assert_null(m);
    assert_string_equal(err.file, "x/tiny.yaml");
    assert_string_equal(err.message, "path too long");
    free(longdir);

    /* A shipped name that is not shipped. */
    core_error_clear(&err);
    assert_int_equal(world_mix_load("tiny", dir, &m, &err), CORE_ENOTFOUND);
    assert_string_equal(err.message, "no shipped mix named 'tiny' (shipped: national)");

    assert_int_equal(unlink(path), 0);
    assert_int_equal(unlink(bad_path), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_tiny_mix_loads_with_every_value),
        cmocka_unit_test(every_malformed_field_is_refused_at_its_position),
        cmocka_unit_test(mix_files_are_found_by_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
