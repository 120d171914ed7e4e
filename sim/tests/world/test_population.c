/* Tests of populations (sim/world/population.c): deterministic from (size, mix, seed) whatever the
 * threads, households streamed (one held at a time), aggregates that add up, and the usage rate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scenario/scenario.h"
#include "world/world.h"

static struct scenario *scenario_of(long long size, uint64_t seed)
{
    char text[512];
    int n = snprintf(text, sizeof text,
                     "scenario: pop\nperiod: {from: 2024-12-01, to: 2025-12-31}\nseed: %llu\n"
                     "population: {size: %lld, mix: national}\n",
                     (unsigned long long)seed, size);
    struct scenario *s = NULL;
    struct scenario_diags d;
    scenario_diags_init(&d);
    int rc = scenario_load_buffer("pop.yaml", text, (size_t)n, NULL, &s, &d);
    if (rc != CORE_OK)
        fail_msg("scenario: %s", d.count ? d.items[0].message : "?");
    scenario_diags_clear(&d);
    return s;
}

static struct world_population *run(long long size, uint64_t seed, int threads)
{
    struct scenario *s = scenario_of(size, seed);
    struct world_mix *m = NULL;
    struct core_error err;
    assert_int_equal(world_mix_load("national", NULL, &m, &err), CORE_OK);
    struct world_population *p = NULL;
    if (world_population_run(s, m, threads, &p, &err) != CORE_OK)
        fail_msg("population: %s", err.message);
    world_mix_free(m);
    scenario_free(s);
    return p;
}

static void same_size_mix_and_seed_give_the_same_population_on_one_or_two_threads(void **state)
{
    (void)state;
    struct world_population *a = run(600, 7, 1), *b = run(600, 7, 2), *c = run(600, 8, 2);
    assert_int_equal(a->residents, 600);
    assert_int_equal(b->residents, 600);
    assert_int_equal(a->households, b->households);
    assert_int_equal(a->gap, b->gap);
    assert_int_equal(a->grace, b->grace);
    assert_int_equal(a->visits, b->visits);
    assert_int_equal(a->cards_start, b->cards_start);
    for (size_t i = 0; i < a->nmonths; i++) {
        assert_int_equal(a->months[i].online_checks, b->months[i].online_checks);
        assert_int_equal(a->months[i].card_checks, b->months[i].card_checks);
    }
    assert_memory_equal(a->gap_by_day, b->gap_by_day, a->ndays * sizeof *a->gap_by_day);
    /* Another seed, other residents. */
    assert_true(a->visits != c->visits || a->cards_start != c->cards_start);
    world_population_free(a);
    world_population_free(b);
    world_population_free(c);
}

static void households_are_streamed_one_at_a_time(void **state)
{
    (void)state;
    struct world_population *p = run(2000, 3, 2);
    /* Only one household's world exists at a time per thread: the largest held is a household, not the
     * population (the mix's households have at most 6 members). */
    assert_true(p->peak_household >= 1 && p->peak_household <= 6);
    assert_true(p->households > 2000 / 6);
    assert_int_equal(p->residents, 2000);
    world_population_free(p);
}

static void aggregates_add_up_by_day_by_rule_and_by_month(void **state)
{
    (void)state;
    struct world_population *p = run(1500, 11, 2);
    long long gap = 0, grace = 0, degraded = 0, claims = 0;
    for (size_t i = 0; i < p->ndays; i++) {
        gap += p->gap_by_day[i];
        grace += p->grace_by_day[i];
        degraded += p->degraded_by_day[i];
        claims += p->claims_by_day[i];
    }
    assert_int_equal(gap, p->gap);
    assert_int_equal(grace, p->grace);
    assert_int_equal(degraded, p->degraded);
    assert_int_equal(claims, p->claims);
    long long rg = 0, rgr = 0, rd = 0, rc = 0;
    for (size_t i = 0; i < p->nrules; i++) {
        rg += p->rules[i].gap;
        rgr += p->rules[i].grace;
        rd += p->rules[i].degraded;
        rc += p->rules[i].claims;
    }
    assert_int_equal(rg, p->gap);
    assert_int_equal(rgr, p->grace);
    assert_int_equal(rd, p->degraded);
    assert_int_equal(rc, p->claims);
    long long visits = 0, mailed = 0;
    for (size_t i = 0; i < p->nmonths; i++) {
        visits += p->months[i].visits;
        mailed += p->months[i].mailed[SCENARIO_DOC_CERTIFICATE] + p->months[i].mailed[SCENARIO_DOC_NOTICE];
        assert_true(p->months[i].card_checks <= p->months[i].online_checks);
    }
    assert_int_equal(visits, p->visits);
    assert_true(mailed > 0);
    assert_true(p->cards_start > 0 && p->cards_start <= p->residents);
    assert_true(p->registered_start <= p->cards_start);
    assert_int_equal(p->nmonths, 13);
    world_population_free(p);
}

static void usage_rate_is_card_checks_over_online_checks_of_the_month(void **state)
{
    (void)state;
    struct world_population p;
    memset(&p, 0, sizeof p);
    struct world_pop_month months[3];
    memset(months, 0, sizeof months);
    assert_int_equal(core_date_parse("2025-01-01", 10, &p.from), CORE_OK);
    assert_int_equal(core_date_parse("2025-03-31", 10, &p.to), CORE_OK);
    p.months = months;
    p.nmonths = 3;
    months[0].online_checks = 4;
    months[0].card_checks = 1;
    months[1].online_checks = 0;
    months[2].online_checks = 3;
    months[2].card_checks = 3;
    core_day jan20, feb, mar31, apr;
    assert_int_equal(core_date_parse("2025-01-20", 10, &jan20), CORE_OK);
    assert_int_equal(core_date_parse("2025-02-01", 10, &feb), CORE_OK);
    assert_int_equal(core_date_parse("2025-03-31", 10, &mar31), CORE_OK);
    assert_int_equal(core_date_parse("2025-04-01", 10, &apr), CORE_OK);
    assert_int_equal(world_population_usage_ppm(&p, jan20), 250000);
    assert_int_equal(world_population_usage_ppm(&p, feb), -1);
    assert_int_equal(world_population_usage_ppm(&p, mar31), 1000000);
    assert_int_equal(world_population_usage_ppm(&p, apr), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_size_mix_and_seed_give_the_same_population_on_one_or_two_threads),
        cmocka_unit_test(households_are_streamed_one_at_a_time),
        cmocka_unit_test(aggregates_add_up_by_day_by_rule_and_by_month),
        cmocka_unit_test(usage_rate_is_card_checks_over_online_checks_of_the_month),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
