/* Tests of sim/replay/compare.c beyond AMEND-1's grace: a gap that the other policy keeps insured on a usable
 * day (AMEND-2's certificate mailed to every latter-stage elderly member, named from the world's events), a
 * gap that no amendment explains (a policy file of the test's own, read in place of the file's), ranges that
 * continue one another merged into one, and many ranges for one resident. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "replay/replay.h"
#include "replay_test.h"
#include "world/world.h"

#define DATA MYNASIM_SOURCE_DIR "/sim/tests/replay/data"
#define SLOW DATA "/compare-policies/slow-certificates.yaml"

static struct scenario *load(const char *rel, const char *policy)
{
    return load_in(DATA, rel, policy);
}

struct pair {
    struct scenario *a, *b;
    struct replay_comparison c;
};

static void compare(struct pair *p, const char *rel, const char *a, const char *b)
{
    p->a = load(rel, a);
    p->b = load(rel, b);
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(replay_compare(p->a, p->b, &p->c, &err), CORE_OK);
}

static void pair_free(struct pair *p)
{
    replay_comparison_free(&p->c);
    scenario_free(p->a);
    scenario_free(p->b);
}

static void assert_range(const struct replay_diff_range *r, const char *from, const char *to)
{
    char f[11], t[11];
    core_date_format(r->from, f);
    core_date_format(r->to, t);
    assert_string_equal(f, from);
    assert_string_equal(t, to);
}

static void a_certificate_mailed_to_all_elderly_is_kept_by_amend_2(void **state)
{
    (void)state;
    struct pair p;
    compare(&p, "compare-more/latter-elderly-lost-card.yaml", "as-announced-2024", "national");
    assert_int_equal(p.c.resident_count, 2);
    assert_int_equal(p.c.residents[1].range_count, 0); /* r2: the same mailing, no loss */
    const struct replay_diff_resident *r = &p.c.residents[0];
    assert_int_equal(r->resident, 0);
    assert_int_equal(r->range_count, 1);
    const struct replay_diff_range *d = &r->ranges[0];
    assert_range(d, "2025-09-10", "2025-11-30");
    assert_int_equal(d->gap_side, REPLAY_SIDE_A);
    assert_int_equal(d->verdict[REPLAY_SIDE_A], WORLD_DAY_GAP);
    assert_int_equal(d->verdict[REPLAY_SIDE_B], WORLD_DAY_USABLE);
    assert_string_equal(d->rule[REPLAY_SIDE_A], "MYNA-6");
    assert_string_equal(d->rule[REPLAY_SIDE_B], ""); /* a usable range names no rule */
    assert_string_equal(d->kept_by, "AMEND-2");      /* from the July mailing, not a guess */
    assert_int_equal(r->only[REPLAY_SIDE_A], 82);
    assert_int_equal(r->only[REPLAY_SIDE_B], 0);
    assert_int_equal(r->gap[REPLAY_SIDE_A], 82);
    assert_int_equal(r->gap[REPLAY_SIDE_B], 0);
    assert_int_equal(r->grace[REPLAY_SIDE_B], 0); /* usable days, not AMEND-1's grace */
    assert_int_equal(p.c.only[REPLAY_SIDE_A], 82);
    assert_int_equal(p.c.residents_only[REPLAY_SIDE_A], 1);
    assert_int_equal(p.c.residents_only[REPLAY_SIDE_B], 0);
    pair_free(&p);
}

static void swapped_the_amend_2_gap_is_on_side_b_kept_by_side_a(void **state)
{
    (void)state;
    struct pair p;
    compare(&p, "compare-more/latter-elderly-lost-card.yaml", "national", "as-announced-2024");
    const struct replay_diff_range *d = &p.c.residents[0].ranges[0];
    assert_int_equal(p.c.residents[0].range_count, 1);
    assert_range(d, "2025-09-10", "2025-11-30");
    assert_int_equal(d->gap_side, REPLAY_SIDE_B);
    assert_int_equal(d->verdict[REPLAY_SIDE_A], WORLD_DAY_USABLE);
    assert_string_equal(d->rule[REPLAY_SIDE_B], "MYNA-6");
    assert_string_equal(d->kept_by, "AMEND-2");
    assert_int_equal(p.c.only[REPLAY_SIDE_B], 82);
    assert_int_equal(p.c.residents_only[REPLAY_SIDE_B], 1);
    pair_free(&p);
}

static void a_slower_policy_gives_gaps_no_amendment_explains(void **state)
{
    (void)state;
    struct pair p;
    compare(&p, "compare-more/certificate-lost-five-times.yaml", SLOW, "national");
    assert_string_equal(p.a->policy_ref, SLOW);
    assert_int_equal(p.c.resident_count, 2);
    const struct replay_diff_resident *r1 = &p.c.residents[0], *r2 = &p.c.residents[1];
    /* five cycles, each 13 days (the 8th to the 20th), each a range of its own: more than the first
     * allocation of ranges holds */
    assert_int_equal(r1->range_count, 5);
    static const char *const want[5][2] = {{"2025-02-08", "2025-02-20"},
                                           {"2025-03-08", "2025-03-20"},
                                           {"2025-04-08", "2025-04-20"},
                                           {"2025-05-08", "2025-05-20"},
                                           {"2025-06-08", "2025-06-20"}};
    for (size_t i = 0; i < 5; i++) {
        const struct replay_diff_range *d = &r1->ranges[i];
        assert_range(d, want[i][0], want[i][1]);
        assert_int_equal(d->gap_side, REPLAY_SIDE_A);
        assert_int_equal(d->verdict[REPLAY_SIDE_A], WORLD_DAY_GAP);
        assert_int_equal(d->verdict[REPLAY_SIDE_B], WORLD_DAY_USABLE);
        assert_string_equal(d->rule[REPLAY_SIDE_A], "MYNA-6");
        assert_string_equal(d->kept_by, ""); /* national's certificate came sooner: no amendment did it */
    }
    assert_int_equal(r1->only[REPLAY_SIDE_A], 65);
    assert_int_equal(r1->only[REPLAY_SIDE_B], 0);
    /* the days both sides are gaps (the first 7 of each cycle) are in the totals, not in the ranges */
    assert_int_equal(r1->gap[REPLAY_SIDE_A], 100);
    assert_int_equal(r1->gap[REPLAY_SIDE_B], 35);
    assert_int_equal(r1->degraded[REPLAY_SIDE_A], 100);
    assert_int_equal(r1->degraded[REPLAY_SIDE_B], 35);
    assert_int_equal(r2->range_count, 0);
    assert_null(r2->ranges);
    assert_int_equal(r2->gap[REPLAY_SIDE_A] + r2->gap[REPLAY_SIDE_B], 0);
    assert_int_equal(p.c.only[REPLAY_SIDE_A], 65);
    assert_int_equal(p.c.gap[REPLAY_SIDE_A], 100);
    assert_int_equal(p.c.gap[REPLAY_SIDE_B], 35);
    assert_int_equal(p.c.degraded[REPLAY_SIDE_A], 100);
    assert_int_equal(p.c.residents_only[REPLAY_SIDE_A], 1);
    assert_int_equal(p.c.residents_only[REPLAY_SIDE_B], 0);
    pair_free(&p);
}

static void adjacent_ranges_kept_by_different_means_stay_apart(void **state)
{
    (void)state;
    /* as-announced-2024 with slow certificates against national: AMEND-1's grace keeps r1 insured from the
     * loss (09-10) until national's certificate arrives (09-19); the certificate keeps her insured until the
     * slow one arrives (10-02). Two ranges that touch, not one. */
    struct pair p;
    compare(&p, "compare/lost-card-in-september.yaml", DATA "/compare-policies/slow-as-announced.yaml",
            "national");
    const struct replay_diff_resident *r1 = &p.c.residents[0];
    assert_int_equal(r1->range_count, 2);
    assert_range(&r1->ranges[0], "2025-09-10", "2025-09-18");
    assert_int_equal(r1->ranges[0].verdict[REPLAY_SIDE_B], WORLD_DAY_GRACE);
    assert_string_equal(r1->ranges[0].rule[REPLAY_SIDE_B], "AMEND-1");
    assert_string_equal(r1->ranges[0].kept_by, "AMEND-1");
    assert_range(&r1->ranges[1], "2025-09-19", "2025-10-01");
    assert_int_equal(r1->ranges[1].verdict[REPLAY_SIDE_B], WORLD_DAY_USABLE);
    assert_string_equal(r1->ranges[1].kept_by, "");
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(r1->ranges[i].gap_side, REPLAY_SIDE_A);
        assert_int_equal(r1->ranges[i].verdict[REPLAY_SIDE_A], WORLD_DAY_GAP);
        assert_string_equal(r1->ranges[i].rule[REPLAY_SIDE_A], "MYNA-6");
    }
    assert_int_equal(r1->only[REPLAY_SIDE_A], 22);
    assert_int_equal(r1->grace[REPLAY_SIDE_B], 9);
    assert_int_equal(p.c.residents[1].range_count, 0);
    pair_free(&p);
}

static void ranges_that_split_on_both_sides_alike_stay_one(void **state)
{
    (void)state;
    /* Each world splits r1's ranges on 02-12 (she loses her notice), inside the first 13-day difference. */
    struct scenario *s = load("compare-more/certificate-lost-five-times.yaml", SLOW);
    struct world *w = NULL;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(world_new(s, &w, &err), CORE_OK);
    assert_int_equal(world_run(w, &err), CORE_OK);
    bool split = false;
    for (size_t i = 0; i < world_range_count(w, 0); i++) {
        const struct world_range *wr = world_range_at(w, 0, i);
        assert_non_null(wr);
        if (wr == NULL)
            return;
        char f[11];
        core_date_format(wr->from, f);
        if (strcmp(f, "2025-02-12") == 0)
            split = wr->verdict == WORLD_DAY_GAP;
    }
    assert_true(split);
    world_free(w);
    /* ... and the comparison of two worlds built here gives the one range */
    struct scenario *n = load("compare-more/certificate-lost-five-times.yaml", "national");
    struct world *wa = NULL, *wb = NULL;
    assert_int_equal(world_new(s, &wa, &err), CORE_OK);
    assert_int_equal(world_run(wa, &err), CORE_OK);
    assert_int_equal(world_new(n, &wb, &err), CORE_OK);
    assert_int_equal(world_run(wb, &err), CORE_OK);
    struct replay_comparison c;
    assert_int_equal(replay_compare_worlds(s, wa, wb, &c, &err), CORE_OK);
    assert_range(&c.residents[0].ranges[0], "2025-02-08", "2025-02-20");
    assert_int_equal(c.only[REPLAY_SIDE_A], 65);
    /* the worlds the other way round: the same ranges, on side B */
    struct replay_comparison back;
    assert_int_equal(replay_compare_worlds(s, wb, wa, &back, &err), CORE_OK);
    assert_int_equal(back.residents[0].range_count, 5);
    assert_int_equal(back.residents[0].ranges[4].gap_side, REPLAY_SIDE_B);
    assert_int_equal(back.only[REPLAY_SIDE_B], 65);
    assert_int_equal(back.only[REPLAY_SIDE_A], 0);
    replay_comparison_free(&back);
    replay_comparison_free(&c);
    world_free(wa);
    world_free(wb);
    scenario_free(n);
    scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_certificate_mailed_to_all_elderly_is_kept_by_amend_2),
        cmocka_unit_test(swapped_the_amend_2_gap_is_on_side_b_kept_by_side_a),
        cmocka_unit_test(a_slower_policy_gives_gaps_no_amendment_explains),
        cmocka_unit_test(adjacent_ranges_kept_by_different_means_stay_apart),
        cmocka_unit_test(ranges_that_split_on_both_sides_alike_stay_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
