/* One member enrolled at one insurer, as the tests of eligibility and of every component above it (clinic,
 * stage, terminal) set up their registry: a person, and one membership filed by the test insurer from
 * 2020-04-01. It lives with the lowest component those tests share (ci/layers: eligibility sits below clinic,
 * stage and terminal); they include it as "../eligibility/member_test.h". Test code only; all static inline.
 * It defines no D() so that it sits beside the helpers that do (eligibility_test.h, clinic_test.h). */
#ifndef MYNASIM_TESTS_ELIGIBILITY_MEMBER_TEST_H
#define MYNASIM_TESTS_ELIGIBILITY_MEMBER_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "eligibility/eligibility.h"

/* The insurer every test member belongs to. */
#define MEMBER_TEST_INSURER "112334"

/* The day every test membership starts and is filed (2020-04-01). */
static inline core_day member_test_start(void)
{
    core_day d = CORE_DAY_NONE;
    assert_int_equal(core_date_parse("2020-04-01", 10, &d), CORE_OK);
    return d;
}

/* The numbers of a member of MEMBER_TEST_INSURER: 記号 `symbol`, 番号 `number`, 枝番 `branch` ("" for none). */
static inline struct eligibility_numbers member_test_numbers(const char *symbol, const char *number,
                                                             const char *branch)
{
    struct eligibility_numbers n;
    memset(&n, 0, sizeof n);
    snprintf(n.insurer_number, sizeof n.insurer_number, "%s", MEMBER_TEST_INSURER);
    snprintf(n.symbol, sizeof n.symbol, "%s", symbol);
    snprintf(n.number, sizeof n.number, "%s", number);
    snprintf(n.branch, sizeof n.branch, "%s", branch);
    return n;
}

/* A person born `born` added to `reg`, insured under `numbers` from 2020-04-01, filed that day and visible
 * from `visible` (CORE_DAY_NONE: the policy's reflection lag). The person's id; the membership's in
 * *membership when it is not NULL. The test fails on any refusal. */
static inline uint32_t member_test_enrol(struct eligibility_registry *reg, core_day born,
                                         const struct eligibility_numbers *numbers, core_day visible,
                                         uint32_t *membership)
{
    uint32_t person = 0, m = 0;
    assert_int_equal(eligibility_person_add(reg, born, &person), CORE_OK);
    struct eligibility_enrollment e;
    memset(&e, 0, sizeof e);
    e.numbers = *numbers;
    e.start = member_test_start();
    assert_int_equal(eligibility_file_enrollment(reg, person, &e, e.start, visible, &m), CORE_OK);
    if (membership != NULL)
        *membership = m;
    return person;
}

#endif
