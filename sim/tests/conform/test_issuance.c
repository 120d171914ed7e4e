/* sim/conform/issuance.c and sut.c: the day JSON, the SUT's lines, the comparison, and a SUT that fails in every
 * way docs/CONFORMANCE.md lists (hangs, crashes, garbage, early exit, lingering) — each a failure with a reason,
 * never a hang of mynasim, and no process left behind. The deadlines here only bound a broken SUT; nothing is
 * asserted about time. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conform/conform.h"

#define SUTDIR MYNASIM_BINARY_DIR "/scenarios/conformance/sut/"
#define LIBRARY MYNASIM_SOURCE_DIR "/scenarios/"

static core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

static struct scenario *load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s", LIBRARY, name);
    struct scenario_diags diags;
    scenario_diags_init(&diags);
    struct scenario *s = NULL;
    assert_int_equal(scenario_load_file(path, &s, &diags), CORE_OK);
    scenario_diags_clear(&diags);
    return s;
}

static const char paper_ends[] = "nhi-paper-card-ends-2025-07-31-certificate-arrives.yaml";

static void run_case(const char *file, const char *sut, const char *from, const char *to, int timeout_ms,
                     struct conform_case *c)
{
    struct scenario *s = load(file);
    struct conform_issuance_options o = {.sut = sut,
                                         .from = from ? D(from) : CORE_DAY_NONE,
                                         .to = to ? D(to) : CORE_DAY_NONE,
                                         .day_timeout_ms = timeout_ms};
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(conform_issuance_run(s, &o, c, &err), CORE_OK);
    scenario_free(s);
}

static void test_reference_matches(void **state)
{
    (void)state;
    struct conform_case c;
    run_case(paper_ends, SUTDIR "issuance-ref", NULL, NULL, 10000, &c);
    assert_false(c.sut_failed);
    assert_int_equal(c.ndiff, 0);
    assert_int_equal(c.days, 122); /* 2025-06-01..2025-09-30 */
    assert_int_equal(c.engine_mailings, 1);
    assert_int_equal(c.sut_mailings, 1);
    assert_int_equal(conform_exit_code(&c, 1), CONFORM_EXIT_MATCH);
    conform_case_free(&c);
}

static void test_mutant_caught_with_rule(void **state)
{
    (void)state;
    struct conform_case c;
    run_case(paper_ends, SUTDIR "issuance-mutant-no-advance", NULL, NULL, 10000, &c);
    assert_false(c.sut_failed);
    assert_int_equal(c.ndiff, 1);
    assert_int_equal(c.diffs[0].day, D("2025-07-17")); /* 2025-07-31 - lead_days 14 */
    assert_string_equal(c.diffs[0].what, "missing");
    assert_string_equal(c.diffs[0].rule, "CERT-2");
    assert_string_equal(c.diffs[0].expected, "r1: certificate of kitamoto-nhi valid 2025-08-01..2026-07-31");
    assert_int_equal(conform_exit_code(&c, 1), CONFORM_EXIT_DIFFER);
    conform_case_free(&c);
}

/* A SUT that mails a wrong certificate once: a "differs" with CERT-4, and an unexpected one judged by INV-3. */
static void test_wrong_mailings_named(void **state)
{
    (void)state;
    struct conform_case c;
    const char *sut =
        "n=0; while read -r line; do n=$((n+1)); "
        "d=$(printf '%s' \"$line\" | sed 's/.*\"day\":\"\\([0-9-]*\\)\".*/\\1/'); "
        "if [ $d = 2025-07-17 ]; then echo '{\"who\":\"r1\",\"document\":\"certificate\","
        "\"insurer\":\"kitamoto-nhi\",\"valid_from\":\"2025-08-01\",\"valid_to\":\"2026-08-01\"}'; fi; "
        "if [ $d = 2025-07-18 ]; then echo '{\"who\":\"r1\",\"document\":\"notice\","
        "\"insurer\":\"kitamoto-nhi\",\"type\":\"B\",\"valid_from\":\"2025-07-18\"}'; fi; "
        "echo \"{\\\"end_of_day\\\":\\\"$d\\\"}\"; done";
    run_case(paper_ends, sut, "2025-07-16", "2025-07-19", 10000, &c);
    assert_false(c.sut_failed);
    assert_int_equal(c.days, 4);
    assert_int_equal(c.ndiff, 2);
    assert_string_equal(c.diffs[0].what, "differs");
    assert_string_equal(c.diffs[0].rule, "CERT-4");
    assert_string_equal(c.diffs[1].what, "unexpected");
    assert_string_equal(c.diffs[1].rule, "INV-3"); /* a notice to someone without マイナ保険証 */
    assert_int_equal(c.days_differing, 2);
    conform_case_free(&c);
}

/* Runs a SUT that must fail; returns the reason. */
static void expect_failure(const char *sut, const char *reason_part)
{
    struct conform_case c;
    run_case(paper_ends, sut, "2025-07-16", "2025-07-18", 300, &c);
    if (!c.sut_failed || strstr(c.failure, reason_part) == NULL)
        fail_msg("SUT %s: failed %d, reason '%s', wanted '%s'", sut, c.sut_failed, c.failure, reason_part);
    assert_int_equal(conform_exit_code(&c, 1), CONFORM_EXIT_SUT);
    conform_case_free(&c);
}

static void test_sut_failures(void **state)
{
    (void)state;
    expect_failure("read -r x; sleep 30", "gave no end of day within 300 ms");
    expect_failure("cat >/dev/null", "gave no end of day");
    expect_failure("read -r x; echo garbage", "not a JSON object");
    expect_failure("read -r x; echo '[1]'", "not a JSON object");
    expect_failure("read -r x; echo '{\"who\":\"nobody\",\"document\":\"notice\"}'", "not a resident");
    /* the first day given is the period's first: the days before --from come too, not judged */
    expect_failure("read -r x; echo '{\"end_of_day\":\"2025-07-17\"}'", "not \"2025-06-01\"");
    expect_failure("read -r x; kill -SEGV $$", "signal 11");
    expect_failure("exit 0", "closed its output before the day's end: it exited with status 0");
    expect_failure("read -r x; printf '{\"end_of'", "stopped in the middle of a line");
    expect_failure("head -c 70000 /dev/zero | tr '\\0' x", "longer than");
    expect_failure("/nonexistent/sut", "status 127");
    /* the days pass, then it misbehaves at the end */
    expect_failure(SUTDIR "issuance-ref; exit 4", "exited with status 4 after the last day");
    expect_failure(SUTDIR "issuance-ref; echo extra", "wrote after the last day's end");
    expect_failure(SUTDIR "issuance-ref; sleep 30", "did not exit within 300 ms");
}

/* A SUT that hangs is killed and reaped: its process is gone when the run returns. */
static void test_no_process_left(void **state)
{
    (void)state;
    char pidfile[] = "/tmp/mynasim-conform-pid.XXXXXX";
    int fd = mkstemp(pidfile);
    assert_true(fd >= 0);
    close(fd);
    char sut[256];
    snprintf(sut, sizeof sut, "echo $$ > %s; exec sleep 30", pidfile);
    struct conform_case c;
    run_case(paper_ends, sut, "2025-07-16", "2025-07-16", 300, &c);
    assert_true(c.sut_failed);
    conform_case_free(&c);
    FILE *f = fopen(pidfile, "r");
    assert_non_null(f);
    long pid = 0;
    assert_int_equal(fscanf(f, "%ld", &pid), 1);
    fclose(f);
    unlink(pidfile);
    assert_true(pid > 1);
    assert_int_equal(kill((pid_t)pid, 0), -1);
    assert_int_equal(errno, ESRCH);
}

/* The day JSON is the morning's: the certificate mailed on 2025-07-17 is in hand only from the next day. */
static void test_day_json_is_the_morning(void **state)
{
    (void)state;
    struct scenario *s = load(paper_ends);
    struct world *w = NULL;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(world_new(s, &w, &err), CORE_OK);
    assert_int_equal(world_run(w, &err), CORE_OK);
    char *a = conform_issuance_day_json(s, w, D("2025-07-17"), true);
    char *b = conform_issuance_day_json(s, w, D("2025-07-18"), false);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(strstr(a, "\"protocol\":\"mynasim-issuance/1\""));
    assert_non_null(strstr(a, "\"judged\":true"));
    assert_non_null(strstr(b, "\"judged\":false"));
    assert_non_null(strstr(a, "\"certificate.lead_days\":14"));
    assert_non_null(strstr(a, "\"transition_from\":\"2024-12-02\""));
    assert_null(strstr(a, "\"document\":\"certificate\""));
    assert_non_null(strstr(b, "\"document\":\"certificate\""));
    assert_non_null(strstr(b, "\"valid_to\":\"2026-07-31\""));
    free(a);
    free(b);
    world_free(w);
    scenario_free(s);
}

static void test_parse_line(void **state)
{
    (void)state;
    struct scenario *s = load(paper_ends);
    struct conform_mailing m;
    char why[160];
    core_day day = D("2025-07-17");
    assert_int_equal(
        conform_issuance_parse_line(s, day, "{\"end_of_day\":\"2025-07-17\"}", &m, why, sizeof why), CORE_OK);
    assert_true(m.end_of_day);
    assert_int_equal(
        conform_issuance_parse_line(s, day,
                                    "{\"who\":\"r1\",\"document\":\"notice\",\"insurer\":\"x\","
                                    "\"type\":\"B\",\"valid_from\":\"2025-08-01\",\"rule\":\"D-5\"}",
                                    &m, why, sizeof why),
        CORE_OK);
    assert_false(m.end_of_day);
    assert_int_equal(m.type, 'B');
    assert_int_equal(m.to, CORE_DAY_NONE);
    assert_string_equal(m.rule, "D-5");
    static const char *const bad[] = {
        "",
        "{",
        "{\"end_of_day\":1}",
        "{\"who\":\"r1\",\"who\":\"r1\"}",
        "{\"who\":\"r1\",\"document\":\"paper_card\",\"insurer\":\"x\",\"valid_from\":\"2025-08-01\"}",
        "{\"who\":\"r1\",\"document\":\"certificate\",\"insurer\":\"x\",\"valid_from\":\"2025-08-01\"}",
        "{\"who\":\"r1\",\"document\":\"certificate\",\"insurer\":\"x\",\"valid_from\":\"2025-02-30\","
        "\"valid_to\":\"2026-07-31\"}",
        "{\"who\":\"r1\",\"document\":\"notice\",\"insurer\":\"x\",\"valid_from\":\"2025-08-01\",\"type\":"
        "\"C\"}",
        "{\"who\":\"r1\",\"document\":\"notice\",\"insurer\":\"\",\"valid_from\":\"2025-08-01\",\"type\":"
        "\"B\"}",
        "{\"who\":\"r1\",\"document\":\"notice\",\"insurer\":\"x\",\"valid_from\":\"2025-08-01\",\"type\":"
        "\"B\","
        "\"rule\":7}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        if (conform_issuance_parse_line(s, day, bad[i], &m, why, sizeof why) != CORE_EINVAL || why[0] == '\0')
            fail_msg("accepted or gave no reason: %s", bad[i]);
    }
    scenario_free(s);
}

static void test_range_outside_period(void **state)
{
    (void)state;
    struct scenario *s = load(paper_ends);
    struct conform_issuance_options o = {
        .sut = "true", .from = D("2025-05-31"), .to = CORE_DAY_NONE, .day_timeout_ms = 1000};
    struct conform_case c;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(conform_issuance_run(s, &o, &c, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "period"));
    scenario_free(s);
}

static void test_reports(void **state)
{
    (void)state;
    struct conform_case c;
    run_case(paper_ends, SUTDIR "issuance-mutant-no-advance", NULL, NULL, 10000, &c);
    char *buf = NULL;
    size_t len = 0;
    for (int fmt = CONFORM_TEXT; fmt <= CONFORM_JUNIT; fmt++) {
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        assert_int_equal(conform_report(f, (enum conform_format)fmt, &c, 1), CORE_OK);
        fclose(f);
        assert_non_null(strstr(buf, "CERT-2"));
        if (fmt == CONFORM_JSON)
            assert_non_null(strstr(buf, "\"verdict\": \"differs\""));
        if (fmt == CONFORM_JUNIT)
            assert_non_null(strstr(buf, "failures=\"1\""));
        free(buf);
        buf = NULL;
    }
    conform_case_free(&c);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_matches),
        cmocka_unit_test(test_mutant_caught_with_rule),
        cmocka_unit_test(test_wrong_mailings_named),
        cmocka_unit_test(test_sut_failures),
        cmocka_unit_test(test_no_process_left),
        cmocka_unit_test(test_day_json_is_the_morning),
        cmocka_unit_test(test_parse_line),
        cmocka_unit_test(test_range_outside_period),
        cmocka_unit_test(test_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
