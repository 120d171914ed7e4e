/* Tests of sim/cli/cmd_check.c, `mynasim check`, run in process with stdout and stderr captured. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "scenario/scenario.h"

#define DATA MYNASIM_SOURCE_DIR "/sim/tests/scenario/data"

static char out[1 << 16], err[1 << 16];

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Runs `mynasim check ARGS...` and returns its exit status; out and err hold what it printed. */
static int run(int argc, const char **argv)
{
    char o[300], e[300];
    snprintf(o, sizeof o, "%s/check-out.txt", MYNASIM_BINARY_DIR);
    snprintf(e, sizeof e, "%s/check-err.txt", MYNASIM_BINARY_DIR);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0600), fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(so >= 0 && se >= 0 && fo >= 0 && fe >= 0);
    dup2(fo, 1);
    dup2(fe, 2);
    char *args[16];
    for (int i = 0; i < argc; i++)
        args[i] = (char *)(uintptr_t)argv[i];
    int rc = cli_check_main(argc, args);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    close(fo);
    close(fe);
    slurp(o, out, sizeof out);
    slurp(e, err, sizeof err);
    return rc;
}

static void valid_files_exit_0_with_a_summary(void **state)
{
    (void)state;
    const char *argv[] = {"check", DATA "/valid"};
    assert_int_equal(run(2, argv), 0);
    assert_string_equal(out, "mynasim check: 3 files, all valid\n");
    assert_string_equal(err, "");
    const char *one[] = {"check", "--", DATA "/valid/every-field.yaml"};
    assert_int_equal(run(3, one), 0);
    assert_string_equal(out, "mynasim check: 1 file, all valid\n");
}

static void every_problem_is_printed_as_file_line_column(void **state)
{
    (void)state;
    const char *argv[] = {"check", DATA "/invalid/many-problems.yaml", DATA "/valid/every-field.yaml"};
    assert_int_equal(run(3, argv), 2);
    assert_non_null(
        strstr(err, DATA "/invalid/many-problems.yaml:2:11: field 'scenario': 'Many' is not a name"));
    assert_non_null(strstr(err, DATA "/invalid/many-problems.yaml:17:40: field 'gap_days'"));
    size_t lines = 0;
    for (const char *p = err; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 7);
    assert_string_equal(out, "mynasim check: 2 files, 1 not valid (7 problems)\n");
}

static void a_file_with_more_problems_than_the_cap_says_how_many_more(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/check-capped.yaml", MYNASIM_BINARY_DIR);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "scenario: capped\nperiod: {from: 2024-12-01, to: 2025-12-31}\nresidents: []\nevents:\n");
    for (int i = 0; i < SCENARIO_DIAGS_MAX + 1; i++)
        fprintf(f, "  - {date: 2025-01-01, who: x%d, do: lose_card}\n", i);
    fclose(f);
    const char *argv[] = {"check", path};
    assert_int_equal(run(2, argv), 2);
    assert_non_null(strstr(err, ": 1 more problems not shown\n"));
    assert_non_null(strstr(out, "(101 problems)"));
    remove(path);
}

static void usage_errors_exit_2(void **state)
{
    (void)state;
    const char *none[] = {"check"};
    assert_int_equal(run(1, none), 2);
    assert_non_null(strstr(err, "usage: mynasim check"));
    const char *opt[] = {"check", "--strict", DATA "/valid"};
    assert_int_equal(run(3, opt), 2);
    assert_non_null(strstr(err, "unknown option '--strict'"));
    const char *missing[] = {"check", DATA "/missing.yaml"};
    assert_int_equal(run(2, missing), 2);
    assert_non_null(strstr(err, "missing.yaml: cannot open: No such file or directory"));
    const char *empty[] = {"check", MYNASIM_SOURCE_DIR "/sim/scenario"};
    assert_int_equal(run(2, empty), 2);
    assert_non_null(strstr(err, "no *.yaml files found"));
}

static void help_exits_0(void **state)
{
    (void)state;
    const char *argv[] = {"check", "--help"};
    assert_int_equal(run(2, argv), 0);
    assert_non_null(strstr(out, "usage: mynasim check FILE|DIR..."));
    const char *h[] = {"check", DATA "/valid", "-h"};
    assert_int_equal(run(3, h), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_files_exit_0_with_a_summary),
        cmocka_unit_test(every_problem_is_printed_as_file_line_column),
        cmocka_unit_test(a_file_with_more_problems_than_the_cap_says_how_many_more),
        cmocka_unit_test(usage_errors_exit_2),
        cmocka_unit_test(help_exits_0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
