/* Tests of sim/report/compare.c: comparisons built by hand (every field of a range set or left empty), rendered
 * as text and JSON, the refusal of JUnit, and a stream that cannot be written. */
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
#include "report/report.h"
#include "scenario/scenario.h"
#include "world/world.h"

static const char yaml[] = "format: 1\n"
                           "scenario: by-hand\n"
                           "period: {from: 2025-01-01, to: 2025-12-31}\n"
                           "insurers:\n"
                           "  - {id: acme-kenpo, kind: society, number: \"06130017\"}\n"
                           "residents:\n"
                           "  - {id: r1, born: 1980-04-02, insurer: acme-kenpo}\n"
                           "  - {id: r2, born: 1981-04-02, insurer: acme-kenpo}\n";

static struct scenario *load(void)
{
    struct scenario *s = NULL;
    struct scenario_diags d;
    scenario_diags_init(&d);
    assert_int_equal(scenario_load_buffer("by-hand.yaml", yaml, strlen(yaml), NULL, &s, &d), CORE_OK);
    scenario_diags_clear(&d);
    assert_non_null(s);
    return s;
}

static core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

/* r1: one day gap under A with rules on both sides and kept_by; r2: three days gap under B, no rules. */
static void build(struct replay_comparison *c, struct replay_diff_range ranges[2],
                  struct replay_diff_resident res[2])
{
    memset(c, 0, sizeof *c);
    memset(ranges, 0, 2 * sizeof ranges[0]);
    memset(res, 0, 2 * sizeof res[0]);
    ranges[0].from = D("2025-03-01");
    ranges[0].to = D("2025-03-01");
    ranges[0].gap_side = REPLAY_SIDE_A;
    ranges[0].verdict[0] = WORLD_DAY_GAP;
    ranges[0].verdict[1] = WORLD_DAY_USABLE;
    strcpy(ranges[0].rule[0], "PAPER-2");
    strcpy(ranges[0].rule[1], "CERT-5");
    strcpy(ranges[0].kept_by, "AMEND-3");
    ranges[1].from = D("2025-04-01");
    ranges[1].to = D("2025-04-03");
    ranges[1].gap_side = REPLAY_SIDE_B;
    ranges[1].verdict[0] = WORLD_DAY_GRACE;
    ranges[1].verdict[1] = WORLD_DAY_GAP;
    res[0].resident = 0;
    res[0].ranges = &ranges[0];
    res[0].range_count = 1;
    res[0].only[REPLAY_SIDE_A] = 1;
    res[0].gap[REPLAY_SIDE_A] = 1;
    res[1].resident = 1;
    res[1].ranges = &ranges[1];
    res[1].range_count = 1;
    res[1].only[REPLAY_SIDE_B] = 3;
    res[1].gap[REPLAY_SIDE_B] = 3;
    res[1].grace[REPLAY_SIDE_A] = 3;
    c->residents = res;
    c->resident_count = 2;
    c->only[0] = 1;
    c->only[1] = 3;
    c->gap[0] = 1;
    c->gap[1] = 3;
    c->grace[0] = 3;
    c->residents_only[0] = 1;
    c->residents_only[1] = 1;
}

static char *render(enum report_format fmt, const struct scenario *s, const struct replay_comparison *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    struct report_compare *rep = NULL;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(report_compare_open(fmt, out, "national", "as-announced-2024", &rep, &err), CORE_OK);
    assert_int_equal(report_compare_add(rep, s, c, &err), CORE_OK);
    assert_int_equal(report_compare_close(rep, &err), CORE_OK);
    fclose(out);
    return buf;
}

static void text_names_rules_kept_by_and_singulars(void **state)
{
    (void)state;
    struct scenario *s = load();
    struct replay_comparison c;
    struct replay_diff_range ranges[2];
    struct replay_diff_resident res[2];
    build(&c, ranges, res);
    char *t = render(REPORT_TEXT, s, &c);
    assert_non_null(strstr(t, "DIFF by-hand (by-hand.yaml): 2 residents, 2 differ; gap days national 1, "
                              "as-announced-2024 3; grace days 3, 0; degraded days 0, 0\n"));
    assert_non_null(strstr(t, "  r1: 0 gap days only under as-announced-2024, 1 only under national\n"));
    assert_non_null(strstr(t,
                           "    2025-03-01..2025-03-01 (1 day): gap under national [PAPER-2], usable under "
                           "as-announced-2024 [CERT-5]; kept insured by AMEND-3\n"));
    assert_non_null(strstr(t, "  r2: 3 gap days only under as-announced-2024, 0 only under national\n"));
    assert_non_null(strstr(t, "    2025-04-01..2025-04-03 (3 days): gap under as-announced-2024, grace under "
                              "national\n"));
    assert_non_null(strstr(t, "total: 1 file, 2 residents\n"));
    assert_non_null(strstr(t, "kept insured by national and not by as-announced-2024: 1 resident, 3 days\n"));
    assert_non_null(strstr(t, "kept insured by as-announced-2024 and not by national: 1 resident, 1 day\n"));
    free(t);
    scenario_free(s);
}

static void json_has_every_range_field(void **state)
{
    (void)state;
    struct scenario *s = load();
    struct replay_comparison c;
    struct replay_diff_range ranges[2];
    struct replay_diff_resident res[2];
    build(&c, ranges, res);
    char *t = render(REPORT_JSON, s, &c);
    assert_non_null(strstr(t, "\"kept_by\": \"AMEND-3\""));
    assert_non_null(strstr(t, "\"PAPER-2\""));
    assert_non_null(strstr(t, "\"CERT-5\""));
    assert_non_null(strstr(t, "\"2025-04-03\""));
    assert_non_null(strstr(t, "\"as-announced-2024\""));
    free(t);
    scenario_free(s);
}

static void same_file_twice_is_same_with_no_ranges(void **state)
{
    (void)state;
    struct scenario *s = load();
    struct replay_comparison c;
    memset(&c, 0, sizeof c);
    char *t = render(REPORT_TEXT, s, &c);
    assert_non_null(strstr(t, "SAME by-hand (by-hand.yaml): 0 residents, 0 differ;"));
    assert_non_null(strstr(t, "total: 1 file, 0 residents\n"));
    free(t);
    t = render(REPORT_JSON, s, &c);
    assert_non_null(strstr(t, "\"files\""));
    free(t);
    scenario_free(s);
}

static void junit_is_refused(void **state)
{
    (void)state;
    struct report_compare *rep = (struct report_compare *)1;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(report_compare_open(REPORT_JUNIT, stdout, "a", "b", &rep, &err), CORE_EINVAL);
    assert_null(rep);
    assert_non_null(strstr(err.message, "a comparison is reported as text, json or html, not junit"));
    assert_int_equal(report_compare_close(NULL, &err), CORE_OK);
}

static void a_full_disk_is_a_write_error(void **state)
{
    (void)state;
    FILE *full = fopen("/dev/full", "w");
    if (full == NULL)
        skip();
    struct scenario *s = load();
    struct replay_comparison c;
    struct replay_diff_range ranges[2];
    struct replay_diff_resident res[2];
    build(&c, ranges, res);
    enum report_format fmts[] = {REPORT_TEXT, REPORT_JSON};
    for (size_t i = 0; i < 2; i++) {
        struct report_compare *rep = NULL;
        struct core_error err;
        core_error_clear(&err);
        assert_int_equal(report_compare_open(fmts[i], full, "a", "b", &rep, &err), CORE_OK);
        /* The stream refuses writes: whether add already says so depends on stdio's buffer; close must. */
        CORE_DROP(report_compare_add(rep, s, &c, &err));
        core_error_clear(&err);
        assert_int_equal(report_compare_close(rep, &err), CORE_EIO);
        assert_non_null(strstr(err.message, "cannot write the comparison"));
        clearerr(full);
    }
    fclose(full);
    scenario_free(s);
}

/* One resident with one gap day under the second policy only: every count in the singular. */
static void text_singulars_of_one_resident_and_one_day(void **state)
{
    (void)state;
    struct scenario *s = load();
    struct replay_comparison c;
    struct replay_diff_range ranges[2];
    struct replay_diff_resident res[2];
    build(&c, ranges, res);
    res[1].only[REPLAY_SIDE_B] = 1;
    ranges[1].to = ranges[1].from;
    c.residents = &res[1];
    c.resident_count = 1;
    c.only[0] = 0;
    c.only[1] = 1;
    c.residents_only[0] = 0;
    char *t = render(REPORT_TEXT, s, &c);
    assert_non_null(strstr(t, "DIFF by-hand (by-hand.yaml): 1 resident, 1 differs; "));
    assert_non_null(strstr(t, "  r2: 1 gap day only under as-announced-2024, 0 only under national\n"));
    assert_non_null(strstr(t, "    2025-04-01..2025-04-01 (1 day): gap under as-announced-2024, grace under "
                              "national\n"));
    assert_non_null(strstr(t, "total: 1 file, 1 resident\n"));
    assert_non_null(strstr(t, "kept insured by national and not by as-announced-2024: 1 resident, 1 day\n"));
    assert_non_null(
        strstr(t, "kept insured by as-announced-2024 and not by national: 0 residents, 0 days\n"));
    free(t);
    scenario_free(s);
}

/* Unbuffered, the failure shows where it happens: at the text's add, at the JSON's dump on close. */
static void an_unbuffered_full_disk_fails_at_the_write(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0)
        skip();
    struct scenario *s = load();
    struct replay_comparison c;
    struct replay_diff_range ranges[2];
    struct replay_diff_resident res[2];
    build(&c, ranges, res);
    enum report_format fmts[] = {REPORT_TEXT, REPORT_JSON};
    for (size_t i = 0; i < 2; i++) {
        FILE *out = fopen("/dev/full", "w");
        assert_non_null(out);
        if (out == NULL)
            return;
        setvbuf(out, NULL, _IONBF, 0);
        struct report_compare *rep = NULL;
        struct core_error err;
        core_error_clear(&err);
        assert_int_equal(report_compare_open(fmts[i], out, "a", "b", &rep, &err), CORE_OK);
        assert_int_equal(report_compare_add(rep, s, &c, &err), fmts[i] == REPORT_TEXT ? CORE_EIO : CORE_OK);
        if (fmts[i] == REPORT_TEXT)
            assert_string_equal(err.message, "report: cannot write the comparison");
        core_error_clear(&err);
        assert_int_equal(report_compare_close(rep, &err), CORE_EIO);
        assert_string_equal(err.message, "report: cannot write the comparison");
        fclose(out);
    }
    scenario_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_names_rules_kept_by_and_singulars),
        cmocka_unit_test(json_has_every_range_field),
        cmocka_unit_test(same_file_twice_is_same_with_no_ranges),
        cmocka_unit_test(junit_is_refused),
        cmocka_unit_test(a_full_disk_is_a_write_error),
        cmocka_unit_test(text_singulars_of_one_resident_and_one_day),
        cmocka_unit_test(an_unbuffered_full_disk_fails_at_the_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
