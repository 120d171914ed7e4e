/* The oracle of the invariants' day ranges (issue 16). INV-1 and INV-2 are judged once per segment between
 * breakpoints (invariants.c): a breakpoint that is missed (a new dated parameter, an event date) makes a whole
 * segment take the verdict of its first day, silently. Here every day of every range is asked again from
 * scratch through the public probes — a visit bringing everything in hand to a working face-reader clinic
 * (INV-1), the same with `reader_fault` (INV-2), and world_holds / world_in_hand — and must agree with its
 * range: over the scenario library (under the policy each file names, and under the other shipped one) and a
 * random 400-resident population (households' worlds handed over by world_population_run_detail). */
#include <dirent.h>
#include <unistd.h>

#include "world_test.h"

struct tally {
    long long days, probes;
};

/* Every day of every range of resident `ri` against the probes; fails naming the first day that differs. */
static void check_resident(const struct world *w, int ri, const char *where, struct tally *t)
{
    struct core_error err;
    core_error_clear(&err);
    for (size_t i = 0; i < world_range_count(w, ri); i++) {
        const struct world_range *g = world_range_at(w, ri, i);
        for (core_day d = g->from; d <= g->to; d++) {
            char day[11];
            core_date_format(d, day);
            t->days++;
            if (world_holds(w, ri, d) != g->holds || world_in_hand(w, ri, d) != g->in_hand)
                fail_msg("%s: resident %d on %s: the range %d.. says holds %#x in hand %#x, the day %#x %#x",
                         where, ri, day, (int)g->from, g->holds, g->in_hand, world_holds(w, ri, d),
                         world_in_hand(w, ri, d));
            if (g->verdict != WORLD_DAY_USABLE && g->verdict != WORLD_DAY_GRACE &&
                g->verdict != WORLD_DAY_GAP)
                continue;
            struct scenario_visit v;
            memset(&v, 0, sizeof v);
            v.clinic = SCENARIO_NONE;
            v.bring_given = true;
            v.bring = world_in_hand(w, ri, d);
            v.kind = SCENARIO_VISIT_FIRST;
            struct world_visit o, o2;
            if (world_probe_visit(w, ri, d, &v, &o, &err) != CORE_OK)
                fail_msg("%s: resident %d on %s: probe: %s", where, ri, day, err.message);
            v.faults = FAULT(READER_FAULT);
            if (world_probe_visit(w, ri, d, &v, &o2, &err) != CORE_OK)
                fail_msg("%s: resident %d on %s: probe: %s", where, ri, day, err.message);
            t->probes += 2;
            enum world_verdict want = o.decision.outcome != CLINIC_INSURED ? WORLD_DAY_GAP
                                      : o.decision.grace                   ? WORLD_DAY_GRACE
                                                                           : WORLD_DAY_USABLE;
            bool degraded = o2.decision.outcome != CLINIC_INSURED;
            if (want != g->verdict || degraded != g->degraded) {
                char a[11], b[11];
                core_date_format(g->from, a);
                core_date_format(g->to, b);
                fail_msg(
                    "%s: resident %d on %s: the range %s..%s says verdict %d degraded %d, the day's probes "
                    "%d %d (a breakpoint missed?)",
                    where, ri, day, a, b, (int)g->verdict, g->degraded, (int)want, degraded);
            }
        }
    }
}

static void check_scenario(const char *path, const char *policy, struct tally *t)
{
    struct scenario *s = NULL;
    struct scenario_diags diags;
    scenario_diags_init(&diags);
    int rc = policy != NULL ? scenario_load_file_with_policy(path, policy, &s, &diags)
                            : scenario_load_file(path, &s, &diags);
    scenario_diags_clear(&diags);
    if (rc != CORE_OK)
        return; /* files with per-insurer overrides cannot take another policy (SCENARIO-FORMAT.md) */
    if (s->has_population) {
        scenario_free(s);
        return;
    }
    struct world *w = NULL;
    struct core_error err;
    core_error_clear(&err);
    if (world_new(s, &w, &err) != CORE_OK || world_run(w, &err) != CORE_OK)
        fail_msg("%s: world: %s", path, err.message);
    char where[600];
    snprintf(where, sizeof where, "%s (%s)", path, policy != NULL ? policy : "its policy");
    for (size_t ri = 0; ri < s->resident_count; ri++)
        check_resident(w, (int)ri, where, t);
    world_free(w);
    scenario_free(s);
}

static void library_ranges_equal_day_by_day_probes(void **state)
{
    (void)state;
    const char *dirs[] = {MYNASIM_SOURCE_DIR "/scenarios", MYNASIM_SOURCE_DIR "/docs/examples"};
    struct tally t = {0, 0};
    int files = 0;
    for (size_t k = 0; k < 2; k++) {
        DIR *dir = opendir(dirs[k]);
        assert_non_null(dir);
        for (struct dirent *e; (e = readdir(dir)) != NULL;) {
            size_t n = strlen(e->d_name);
            if (e->d_name[0] == '.' || n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
                continue;
            char path[1024];
            snprintf(path, sizeof path, "%s/%s", dirs[k], e->d_name);
            check_scenario(path, NULL, &t);
            check_scenario(path, "national", &t);
            check_scenario(path, "as-announced-2024", &t);
            files++;
        }
        closedir(dir);
    }
    assert_true(files >= 46);
    assert_true(t.probes > 10000);
    print_message("oracle: %d files, %lld days, %lld probes\n", files, t.days, t.probes);
}

static CORE_MUST_USE int household(void *ctx, const struct world_pop_household *hh, struct core_error *err)
{
    (void)err;
    struct tally *t = ctx;
    char where[64];
    snprintf(where, sizeof where, "population household %lld", hh->index);
    for (size_t ri = 0; ri < hh->scn->resident_count; ri++)
        check_resident(hh->world, (int)ri, where, t);
    return CORE_OK;
}

static void population_ranges_equal_day_by_day_probes(void **state)
{
    (void)state;
    static const char *const policies[] = {"national", "as-announced-2024"};
    for (size_t k = 0; k < 2; k++) {
        char text[512];
        int n =
            snprintf(text, sizeof text,
                     "scenario: oracle\nperiod: {from: 2024-10-01, to: 2026-06-30}\nseed: %zu\npolicy: %s\n"
                     "population: {size: 400, mix: national}\n",
                     20261207 + k, policies[k]);
        struct scenario *s = NULL;
        struct scenario_diags d;
        scenario_diags_init(&d);
        if (scenario_load_buffer("oracle.yaml", text, (size_t)n, NULL, &s, &d) != CORE_OK)
            fail_msg("scenario: %s", d.count ? d.items[0].message : "?");
        scenario_diags_clear(&d);
        struct world_mix *m = NULL;
        struct core_error err;
        assert_int_equal(world_mix_load("national", NULL, &m, &err), CORE_OK);
        struct world_population *p = NULL;
        struct tally t = {0, 0};
        if (world_population_run_detail(s, m, 1, household, &t, &p, &err) != CORE_OK)
            fail_msg("population: %s", err.message);
        assert_true(p->residents >= 400);
        assert_true(t.probes > 10000);
        print_message("oracle: %s population, %lld residents, %lld days, %lld probes\n", policies[k],
                      p->residents, t.days, t.probes);
        world_population_free(p);
        world_mix_free(m);
        scenario_free(s);
    }
}

/* The library's dated rows fall on days that are breakpoints anyway (AMEND-1 starts the day after NHI paper
 * cards end): a policy whose rows fall on days nothing else marks is the case that shows a missed one. A
 * look-up grace from 2025-09-10 to 2025-10-20 for a kyokai member left with her notice alone (no July renewal), and AMEND-3's grace
 * changing twice while a certificate is expired. */
static const char *off_policy =
    "policy: oracle-off-dates\n"
    "extends: national\n"
    "lookup_grace:\n"
    "  enabled: [{value: false}, {from: 2025-09-10, value: true}, {from: 2025-10-21, value: false}]\n"
    "online:\n"
    "  cert_expiry_grace_months: [{value: 0}, {from: 2025-03-15, value: 2}, {from: 2025-06-20, value: 5}]\n";

static const char *off_scenario =
    "scenario: oracle-off-dates\n"
    "period: {from: 2025-01-01, to: 2026-02-28}\n"
    "policy: oracle-off-dates.yaml\n"
    "insurers:\n"
    "  - {id: kyo, kind: kyokai, number: \"01110014\"}\n"
    "residents:\n"
    "  - {id: r1, born: 1970-12-01, insurer: kyo, card: {issued: 2022-06-01},\n"
    "     registered: 2023-02-01, holds: [notice]}\n"
    "  - {id: r2, born: 1979-08-08, insurer: kyo, card: {issued: 2020-06-01, cert_expires: 2025-04-30},\n"
    "     registered: 2021-03-01}\n"
    "events:\n"
    "  - {date: 2025-06-05, who: r1, do: lose_card}\n";

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static void off_date_policy_rows_are_breakpoints(void **state)
{
    (void)state;
    char dir[] = "/tmp/mynasim-oracle-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "oracle-off-dates.yaml", off_policy);
    write_file(dir, "s.yaml", off_scenario);
    char path[600];
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    struct tally t = {0, 0};
    check_scenario(path, NULL, &t);
    assert_true(t.days > 0);
    /* and the verdicts the rows make: grace days only inside the window */
    struct scenario *s = NULL;
    struct scenario_diags diags;
    scenario_diags_init(&diags);
    assert_int_equal(scenario_load_file(path, &s, &diags), CORE_OK);
    scenario_diags_clear(&diags);
    struct world *w = NULL;
    struct core_error err;
    assert_int_equal(world_new(s, &w, &err), CORE_OK);
    assert_int_equal(world_run(w, &err), CORE_OK);
    assert_int_equal(world_grace_days(w, 0), 41); /* 2025-09-10 .. 2025-10-20 */
    world_free(w);
    scenario_free(s);
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/oracle-off-dates.yaml", dir);
    remove(path);
    rmdir(dir);
}

/* AMEND-3's grace changing while certificates are in it (no shipped policy does; docs/RULES.md, AMEND-3, "A grace
 * is fixed when it begins"): lengthened for r1's running grace, shortened for r2's, introduced after r3's and
 * r4's certificates expired (r3's still reached, r4's never). The world's ground truth (world_has_myna, the
 * certificate's last passing day), the check's answers (a probe bringing the card alone) and the ranges
 * (check_scenario) agree on every day, and on the days the reading fixes. */
static const char *grace_policy = "policy: grace-mid\n"
                                  "extends: national\n"
                                  "online:\n"
                                  "  cert_expiry_grace_months: [{value: 0}, {from: 2025-03-15, value: 2},\n"
                                  "    {from: 2025-06-20, value: 5}, {from: 2025-08-10, value: 1}]\n";

static const char *grace_scenario =
    "scenario: grace-changes-mid-grace\n"
    "period: {from: 2025-01-01, to: 2026-02-28}\n"
    "policy: grace-mid.yaml\n"
    "insurers:\n"
    "  - {id: kyo, kind: kyokai, number: \"01110014\"}\n"
    "residents:\n"
    "  - {id: r1, born: 1979-08-08, insurer: kyo, card: {issued: 2020-06-01, cert_expires: 2025-04-30},\n"
    "     registered: 2021-03-01}\n"
    "  - {id: r2, born: 1979-08-08, insurer: kyo, card: {issued: 2020-06-01, cert_expires: 2025-07-15},\n"
    "     registered: 2021-03-01}\n"
    "  - {id: r3, born: 1979-08-08, insurer: kyo, card: {issued: 2020-06-01, cert_expires: 2025-02-10},\n"
    "     registered: 2021-03-01}\n"
    "  - {id: r4, born: 1979-08-08, insurer: kyo, card: {issued: 2020-06-01, cert_expires: 2024-10-05},\n"
    "     registered: 2021-03-01}\n";

static core_day ymd(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

static void grace_changing_mid_grace_is_fixed_when_it_begins(void **state)
{
    (void)state;
    char dir[] = "/tmp/mynasim-oracle-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "grace-mid.yaml", grace_policy);
    write_file(dir, "s.yaml", grace_scenario);
    char path[600];
    snprintf(path, sizeof path, "%s/s.yaml", dir);
    struct tally t = {0, 0};
    check_scenario(path, NULL, &t);
    assert_true(t.days > 0);
    struct scenario *s = NULL;
    struct scenario_diags diags;
    scenario_diags_init(&diags);
    assert_int_equal(scenario_load_file(path, &s, &diags), CORE_OK);
    scenario_diags_clear(&diags);
    struct world *w = NULL;
    struct core_error err;
    assert_int_equal(world_new(s, &w, &err), CORE_OK);
    assert_int_equal(world_run(w, &err), CORE_OK);
    /* the first and last day each certificate passes past its expiry (none: r4) */
    static const struct {
        const char *first, *last;
    } want[] = {{"2025-05-01", "2025-07-31"}, /* 2 months, fixed on 05-01: not lengthened on 06-20 */
                {"2025-07-16", "2025-12-31"}, /* 5 months, fixed on 07-16: not shortened on 08-10 */
                {"2025-03-15", "2025-04-30"}, /* none on 02-11; the grace of 03-15 still reaches */
                {NULL, NULL}};                /* expired 2024-10-05: no later grace reaches it */
    for (int ri = 0; ri < 4; ri++) {
        struct world_card_info card;
        core_day cert_expires = CORE_DAY_NONE;
        int passing = 0;
        core_day first = CORE_DAY_NONE, last = CORE_DAY_NONE;
        for (core_day d = s->period.from; d <= s->period.to; d++) {
            char day[11];
            core_date_format(d, day);
            assert_true(world_card_on(w, ri, d, &card));
            cert_expires = card.cert_expires;
            struct scenario_visit v;
            memset(&v, 0, sizeof v);
            v.clinic = SCENARIO_NONE;
            v.bring_given = true;
            v.bring = SCENARIO_DOC_BIT(SCENARIO_DOC_CARD);
            v.kind = SCENARIO_VISIT_FIRST;
            struct world_visit o;
            if (world_probe_visit(w, ri, d, &v, &o, &err) != CORE_OK)
                fail_msg("r%d on %s: probe: %s", ri + 1, day, err.message);
            bool check_passes = o.card_check == ELIGIBILITY_OK;
            bool world_passes = world_has_myna(w, ri, d);
            if (check_passes != world_passes)
                fail_msg("r%d on %s: the world says %d (last passing day %d), the check %s", ri + 1, day,
                         world_passes, (int)card.cert_pass_end, eligibility_result_name(o.card_check));
            bool in_grace = d > card.cert_expires && check_passes;
            if (in_grace != (o.card_check == ELIGIBILITY_OK && (o.warnings & ELIGIBILITY_WARN_CERT_IN_GRACE)))
                fail_msg("r%d on %s: passing after the expiry without the cert_in_grace warning", ri + 1,
                         day);
            if (in_grace) {
                passing++;
                if (first == CORE_DAY_NONE)
                    first = d;
                last = d;
            }
        }
        if (want[ri].first == NULL) {
            assert_int_equal(passing, 0);
            assert_int_equal(card.cert_pass_end, cert_expires);
            continue;
        }
        assert_int_equal(first, ymd(want[ri].first));
        assert_int_equal(last, ymd(want[ri].last));
        assert_int_equal(passing, last - first + 1); /* one run of days */
        assert_int_equal(card.cert_pass_end, last);
    }
    world_free(w);
    scenario_free(s);
    remove(path);
    snprintf(path, sizeof path, "%s/grace-mid.yaml", dir);
    remove(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(library_ranges_equal_day_by_day_probes),
        cmocka_unit_test(population_ranges_equal_day_by_day_probes),
        cmocka_unit_test(off_date_policy_rows_are_breakpoints),
        cmocka_unit_test(grace_changing_mid_grace_is_fixed_when_it_begins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
