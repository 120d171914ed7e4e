/* Tests of sim/replay/extract.c (`mynasim run --extract DIR`): the library's 10,000-resident population and a
 * test population where people change jobs and move often (data/extract/) are run with extraction into a fresh
 * directory; every resident with a gap day is a file there, and each file, read and replayed alone, gives every
 * resident of its household the same days (verdict by verdict, range by range) as the population run did. A
 * second extraction into the same directory is refused, --force replaces. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "replay/replay.h"
#include "scenario/scenario.h"
#include "world/world.h"

#define POPULATION MYNASIM_SOURCE_DIR "/scenarios/national-population-usage-rate-by-month.yaml"
#define GAPS MYNASIM_SOURCE_DIR "/sim/tests/replay/data/extract/population-with-gaps.yaml"
#define MAX_KEPT 400

/* The days of one resident of the population run, as ranges "from to verdict;" in a string. */
struct kept {
    char id[SCENARIO_ID_MAX];
    char file_resident[SCENARIO_ID_MAX]; /* the resident whose file holds this household ("" none) */
    char *days;
};

struct recorder {
    struct kept kept[MAX_KEPT];
    size_t count;
    size_t with_gaps;
};

static char *days_of(const struct world *w, int ri)
{
    size_t n = world_range_count(w, ri), cap = n * 40 + 1, len = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const struct world_range *rg = world_range_at(w, ri, i);
        char a[11], b[11];
        core_date_format(rg->from, a);
        core_date_format(rg->to, b);
        len +=
            (size_t)snprintf(s + len, cap - len, "%s %s %d %d;", a, b, (int)rg->verdict, (int)rg->degraded);
    }
    return s;
}

/* Keeps the days of every resident of each household with a gap day (after extract wrote its files). */
static CORE_MUST_USE int record(void *ctx, const struct world_pop_household *hh, struct core_error *err)
{
    (void)err;
    struct recorder *r = ctx;
    const char *gap = NULL;
    for (size_t i = 0; i < hh->scn->resident_count; i++)
        if (world_gap_days(hh->world, (int)i) > 0) {
            r->with_gaps++;
            if (gap == NULL)
                gap = hh->scn->residents[i].id;
        }
    if (gap == NULL)
        return CORE_OK;
    for (size_t i = 0; i < hh->scn->resident_count && r->count < MAX_KEPT; i++) {
        struct kept *k = &r->kept[r->count++];
        snprintf(k->id, sizeof k->id, "%s", hh->scn->residents[i].id);
        snprintf(k->file_resident, sizeof k->file_resident, "%s", gap);
        k->days = days_of(hh->world, (int)i);
    }
    return CORE_OK;
}

static char dir[256];

static CORE_MUST_USE int extract_into(const char *population, bool force, struct recorder *rec,
                                      size_t *written, struct core_error *err)
{
    struct scenario_diags d;
    scenario_diags_init(&d);
    struct scenario *s = NULL;
    assert_int_equal(scenario_load_file(population, &s, &d), CORE_OK);
    struct replay_extract ex = {.dir = dir, .force = force, .population = s, .next = record, .next_ctx = rec};
    struct replay_run_options ro = {.population_detail = replay_extract_household,
                                    .population_detail_ctx = &ex};
    struct replay_run_result res;
    int rc = replay_extract_dir(dir, err);
    if (rc == CORE_OK)
        rc = replay_run_with(s, &ro, &res, err);
    replay_run_result_free(&res);
    scenario_free(s);
    *written = ex.written;
    return rc;
}

static void recorder_free(struct recorder *r)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->kept[i].days);
    r->count = 0;
    r->with_gaps = 0;
}

static void extracted_files_give_the_same_days_alone(const char *population, const char *name, size_t least,
                                                     bool again)
{
    snprintf(dir, sizeof dir, "%s/extract-test-%ld/a/b", MYNASIM_BINARY_DIR, (long)getpid());
    static struct recorder rec;
    struct core_error err;
    core_error_clear(&err);
    size_t written = 0;
    assert_int_equal(extract_into(population, false, &rec, &written, &err), CORE_OK);
    print_message("%s: %zu residents with gap days, %zu files\n", name, rec.with_gaps, written);
    assert_true(written >= least);
    assert_int_equal(written, rec.with_gaps);
    size_t checked = 0;
    for (size_t i = 0; i < rec.count; i++) {
        const struct kept *k = &rec.kept[i];
        char path[1024];
        snprintf(path, sizeof path, "%s/%s-%s.yaml", dir, name, k->file_resident);
        struct scenario_diags d;
        scenario_diags_init(&d);
        struct scenario *s = NULL;
        int rc = scenario_load_file(path, &s, &d);
        if (rc != CORE_OK && d.count > 0) {
            char buf[1200];
            core_error_format(&d.items[0], buf, sizeof buf);
            fail_msg("%s", buf);
        }
        assert_int_equal(rc, CORE_OK);
        assert_false(s->has_population);
        int ri = scenario_find_resident(s, k->id);
        assert_true(ri >= 0);
        struct replay_run_result res;
        assert_int_equal(replay_run(s, &res, &err), CORE_OK);
        char *days = days_of(res.world, ri);
        assert_string_equal(days, k->days);
        /* Run alone, the file fails on the resident's gap days, as INV-1. */
        if (strcmp(k->id, k->file_resident) == 0) {
            assert_true(res.failed > 0);
            bool named = false;
            for (size_t j = 0; j < res.count; j++)
                named = named || (!res.results[j].passed && res.results[j].resident == ri &&
                                  strcmp(res.results[j].form, "invariant") == 0);
            assert_true(named);
        }
        free(days);
        replay_run_result_free(&res);
        scenario_free(s);
        checked++;
    }
    assert_true(checked > 0);
    recorder_free(&rec);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/extract-test-%ld'", MYNASIM_BINARY_DIR, (long)getpid());
    if (!again) {
        assert_int_equal(system(cmd), 0);
        return;
    }
    /* Again into the same directory: refused, nothing replaced; --force replaces. */
    core_error_clear(&err);
    assert_int_equal(extract_into(population, false, &rec, &written, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "not overwritten"));
    recorder_free(&rec);
    assert_int_equal(extract_into(population, true, &rec, &written, &err), CORE_OK);
    assert_true(written >= least);
    recorder_free(&rec);
    assert_int_equal(system(cmd), 0);
}

static void library_population(void **state)
{
    (void)state;
    extracted_files_give_the_same_days_alone(POPULATION, "national-population-usage-rate-by-month", 1, false);
}

static void population_where_people_change_jobs_and_move(void **state)
{
    (void)state;
    extracted_files_give_the_same_days_alone(GAPS, "population-with-gaps", 10, true);
}

/* The directory --extract writes into: made with its parents, and every way it cannot be is an error naming it. */
static void the_directory_is_made_or_refused(void **state)
{
    (void)state;
    struct core_error err;
    char base[512], path[5000];
    snprintf(base, sizeof base, "%s/extract-dir-%ld", MYNASIM_BINARY_DIR, (long)getpid());
    core_error_clear(&err);
    assert_int_equal(replay_extract_dir(NULL, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "no directory given"));
    core_error_clear(&err);
    assert_int_equal(replay_extract_dir("", &err), CORE_EINVAL);
    memset(path, 'a', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    core_error_clear(&err);
    assert_int_equal(replay_extract_dir(path, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "too long"));
    /* parents made: base/a/b */
    snprintf(path, sizeof path, "%s/a/b", base);
    core_error_clear(&err);
    assert_int_equal(replay_extract_dir(path, &err), CORE_OK);
    assert_int_equal(replay_extract_dir(path, &err), CORE_OK); /* again: it exists, fine */
    /* a file where the directory should be, and a file where a parent should be */
    snprintf(path, sizeof path, "%s/file", base);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    core_error_clear(&err);
    assert_int_equal(replay_extract_dir(path, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "not a directory"));
    snprintf(path, sizeof path, "%s/file/below", base);
    core_error_clear(&err);
    assert_int_equal(replay_extract_dir(path, &err), CORE_EIO);
    assert_non_null(strstr(err.message, "cannot create the directory"));
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_directory_is_made_or_refused),
        cmocka_unit_test(library_population),
        cmocka_unit_test(population_where_people_change_jobs_and_move),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
