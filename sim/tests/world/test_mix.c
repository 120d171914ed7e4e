/* Tests of the population mix reader (sim/world/mix.c): the shipped mix loads, and every kind of bad field
 * is refused with its position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"
#include "world/mix_int.h"

static void national_text(char **text, size_t *len)
{
    struct core_error err;
    *text = NULL;
    assert_int_equal(
        core_file_read(MYNASIM_SOURCE_DIR "/fixtures/mixes/national.yaml", 1 << 20, text, len, &err),
        CORE_OK);
}

/* Loads the national mix with `from` replaced by `to` (once); returns the load's status and the error. */
static CORE_MUST_USE int load_edited(const char *from, const char *to, struct core_error *err)
{
    size_t len;
    char *text;
    national_text(&text, &len);
    char *at = strstr(text, from);
    assert_non_null(at);
    size_t flen = strlen(from), tlen = strlen(to);
    char *edited = malloc(len - flen + tlen + 1);
    assert_non_null(edited);
    size_t head = (size_t)(at - text);
    memcpy(edited, text, head);
    memcpy(edited + head, to, tlen);
    memcpy(edited + head + tlen, at + flen, len - head - flen + 1);
    struct world_mix *m = NULL;
    core_error_clear(err);
    int rc = world_mix_load_buffer("edited.yaml", edited, len - flen + tlen, &m, err);
    world_mix_free(m);
    free(edited);
    free(text);
    return rc;
}

static void shipped_national_mix_loads_by_name(void **state)
{
    (void)state;
    struct world_mix *m = NULL;
    struct core_error err;
    assert_int_equal(world_mix_load("national", NULL, &m, &err), CORE_OK);
    assert_string_equal(world_mix_name(m), "national");
    assert_int_equal(m->age.n, 8);
    assert_int_equal(m->household_max, 6);
    assert_true(m->present.n >= 2);
    assert_true(mix_age_value(&m->visits, 80) > mix_age_value(&m->visits, 30));
    core_day oct;
    assert_int_equal(core_date_parse("2025-10-15", 10, &oct), CORE_OK);
    assert_true(mix_month_value(&m->present, oct) > 0.5);
    /* The generator's dates and card issue years (were literals in population.c; the output is unchanged). */
    assert_int_equal(m->issued_before_start.n, 9);
    assert_int_equal(m->issued_before_start.year[0], 2016);
    assert_int_equal(m->issued_before_start.year[8], 2024);
    assert_true(m->issued_before_start.share[6] == 0.35);
    core_day d;
    assert_int_equal(core_date_parse("2021-10-20", 10, &d), CORE_OK);
    assert_int_equal(m->registration_opened, d);
    assert_int_equal(core_date_parse("2024-08-01", 10, &d), CORE_OK);
    assert_int_equal(m->regional_renewal, d);
    assert_int_equal(core_date_parse("2019-04-01", 10, &d), CORE_OK);
    assert_int_equal(m->employee_joined_from, d);
    assert_int_equal(m->employee_joined_days_before_start, 30);
    /* published: the usage rate by month as data, each row with its source (CALIBRATION.md's table) */
    assert_int_equal(world_mix_published_count(m), 11);
    struct world_published pub;
    assert_int_equal(world_mix_published_usage(m, 2, &pub), CORE_OK);
    assert_int_equal(core_date_parse("2024-12-01", 10, &d), CORE_OK);
    assert_int_equal(pub.month, d);
    assert_int_equal(pub.ppm, 254200);
    assert_non_null(strstr(pub.source, "CALIBRATION.md"));
    assert_int_equal(world_mix_published_usage(m, 11, &pub), CORE_ENOTFOUND);
    world_mix_free(m);
}

static void unknown_mix_name_is_not_found(void **state)
{
    (void)state;
    struct world_mix *m = NULL;
    struct core_error err;
    assert_int_equal(world_mix_load("no-such-mix", NULL, &m, &err), CORE_ENOTFOUND);
    assert_null(m);
    assert_non_null(strstr(err.message, "no-such-mix"));
}

struct bad_case {
    const char *from, *to, *says;
};

static const struct bad_case bad_cases[] = {
    {"\nmix: national\n", "\nmix: national\nbogus: 1\n", "unknown key 'bogus'"},
    {"face_only: 0.01", "face_only: lots", "expected a number"},
    {"face_only: 0.01", "face_only: \"0.01\"", "expected a number"},
    {"face_only: 0.01", "face_only: 1.5", "outside"},
    {"{size: 1, share: 0.380}", "{size: 1, share: 0.480}", "sum to"},
    {"{from: 15, to: 29, share: 0.136}", "{from: 16, to: 29, share: 0.136}", "contiguous"},
    {"{month: 2025-02, share: 0.48}", "{month: 2024-11, share: 0.48}", "ascending"},
    {"{month: 2025-02, share: 0.48}", "{month: 2025-13, share: 0.48}", "YYYY-MM"},
    {"{days: 0, share: 0.5}", "{days: 0, share: 0.6}", "sum to"},
    {"nhi: 0.158,", "nhi: 0.258,", "sum to"},
    {"readers: {face: 0.93, pin: 0.04, none: 0.03}", "readers: {face: 0.93, pin: 0.04}",
     "missing field 'none'"},
    {"income: {general: 0.93, high: 0.07}", "income: [0.93]", "mapping"},
    {"  job_change: 0.05", "  job_change: 0.05\n  strikes: 0.1", "unknown key 'strikes'"},
    {"{year: 2022, share: 0.35}", "{year: 2022, share: 0.45}", "field 'issued_before_start': shares sum to"},
    {"{year: 2022, share: 0.35}", "{year: 2019, share: 0.35}", "years must be in ascending order"},
    {"{year: 2016, share: 0.03}", "{year: 16, share: 0.03}", "field 'year': 16 is out of range"},
    {"registration_opened: 2021-10-20", "registration_opened: 2021-10", "field 'registration_opened'"},
    {"registration_opened: 2021-10-20", "registration_opened_on: 2021-10-20", "unknown key"},
    {"regional_renewal: 2024-08-01", "regional_renewal: 08-01", "field 'regional_renewal'"},
    {"employee_joined_from: 2019-04-01", "employee_joined_from: 2019", "field 'employee_joined_from'"},
    {"employee_joined_days_before_start: 30", "employee_joined_days_before_start: -30",
     "field 'employee_joined_days_before_start'"},
    {"\npaper_card:\n", "\npaper_cards:\n", "unknown key 'paper_cards'"},
    /* published: (optional) figures with their sources */
    {"\npublished:\n  usage_rate:\n", "\npublished:\n  usage_rates:\n", "unknown key 'usage_rates'"},
    {"{month: 2024-10, rate: 0.1567,", "{month: 2024-10, rate: 15.67,",
     "field 'rate': 15.67 is outside 0..1"},
    {"{month: 2024-11, rate: 0.1852,", "{month: 2024-09, rate: 0.1852,", "months must be in ascending order"},
    {"{month: 2024-12, rate: 0.2542, source: \"MHLW monthly figure, as reported (CALIBRATION.md, Usage rate "
     "by "
     "month)\"}",
     "{month: 2024-12, rate: 0.2542}", "missing field 'source'"},
    {"{month: 2024-12, rate: 0.2542, source: \"MHLW monthly figure, as reported (CALIBRATION.md, Usage rate "
     "by "
     "month)\"}",
     "{month: 2024-12, rate: 0.2542, source: \"\"}", "field 'source': expected where the figure comes from"},
    {"{month: 2025-02, rate: 0.2662,", "{month: 2025-2, rate: 0.2662,", "field 'month': expected a month"},
};

static void every_bad_field_is_refused_with_its_position(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        struct core_error err;
        int rc = load_edited(bad_cases[i].from, bad_cases[i].to, &err);
        if (rc != CORE_EINVAL || strstr(err.message, bad_cases[i].says) == NULL || err.line <= 0)
            fail_msg("case %zu (%s): rc %d, line %d, message '%s'", i, bad_cases[i].to, rc, err.line,
                     err.message);
        assert_string_equal(err.file, "edited.yaml");
    }
}

static void published_is_optional(void **state)
{
    (void)state;
    size_t len;
    char *text;
    national_text(&text, &len);
    char *at = strstr(text, "\n# Published figures");
    assert_non_null(at);
    *at = '\0';
    struct world_mix *m = NULL;
    struct core_error err;
    assert_int_equal(world_mix_load_buffer("bare.yaml", text, strlen(text), &m, &err), CORE_OK);
    assert_int_equal(world_mix_published_count(m), 0);
    world_mix_free(m);
    /* present, it is a mapping: anything else is refused at its line */
    char *more = malloc(strlen(text) + 32);
    assert_non_null(more);
    int n = sprintf(more, "%s\npublished: 3\n", text);
    m = NULL;
    assert_int_equal(world_mix_load_buffer("bare.yaml", more, (size_t)n, &m, &err), CORE_EINVAL);
    assert_null(m);
    assert_non_null(strstr(err.message, "field 'published': expected a mapping"));
    assert_true(err.line > 100);
    free(more);
    free(text);
}

static void an_empty_or_scalar_file_is_refused(void **state)
{
    (void)state;
    struct world_mix *m = NULL;
    struct core_error err;
    assert_int_equal(world_mix_load_buffer("x.yaml", "42\n", 3, &m, &err), CORE_EINVAL);
    assert_null(m);
    assert_int_equal(world_mix_load_buffer("x.yaml", "", 0, &m, &err), CORE_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_national_mix_loads_by_name),
        cmocka_unit_test(unknown_mix_name_is_not_found),
        cmocka_unit_test(published_is_optional),
        cmocka_unit_test(every_bad_field_is_refused_with_its_position),
        cmocka_unit_test(an_empty_or_scalar_file_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
