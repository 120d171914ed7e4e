/* Tests of sim/core/clock.c: Japan date and time of day as POSIX seconds (UTC+9, never TZ), libfaketime's
 * offset written exactly, and the clock file written and checked (docs/TIME.md). */
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

static int64_t japan(const char *s)
{
    int64_t t = 0;
    assert_int_equal(core_time_parse_japan(s, strlen(s), &t), CORE_OK);
    return t;
}

static void parses_japan_time_as_utc_plus_nine(void **state)
{
    (void)state;
    setenv("TZ", "America/Los_Angeles", 1); /* never read */
    assert_int_equal(japan("2025-08-01T08:55"), 1754006100);
    assert_int_equal(japan("2025-08-01T08:55:00"), 1754006100);
    assert_int_equal(japan("2025-08-01T09:00:01"), 1754006401);
    assert_int_equal(japan("2025-08-01"), 1753974000); /* 00:00 JST = 15:00 UTC the day before */
    assert_int_equal(japan("1970-01-01T09:00"), 0);
    assert_int_equal(japan("1960-01-01T00:00"), -315651600);
    int64_t t;
    const char *bad[] = {"2025-08-01 08:55",
                         "2025-08-01T8:55",
                         "2025-08-01T24:00",
                         "2025-08-01T23:60",
                         "2025-08-01T23:59:60",
                         "2025-02-29T00:00",
                         "2025-08-01T08:55:0",
                         "2025-08-01T08",
                         "2025-08-01T08:55Z",
                         "1899-12-31",
                         "",
                         "2025-8-1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(core_time_parse_japan(bad[i], strlen(bad[i]), &t), CORE_EINVAL);
    assert_int_equal(core_time_parse_japan(NULL, 0, &t), CORE_EINVAL);
}

static void formats_japan_time(void **state)
{
    (void)state;
    char out[20];
    core_time_format_japan(1754006100, out);
    assert_string_equal(out, "2025-08-01T08:55:00");
    core_time_format_japan(1754060399, out); /* 23:59:59 JST */
    assert_string_equal(out, "2025-08-01T23:59:59");
    core_time_format_japan(-315651600, out);
    assert_string_equal(out, "1960-01-01T00:00:00");
    core_time_format_japan(-1, out);
    assert_string_equal(out, "1970-01-01T08:59:59");
}

static void offset(int64_t target, long long sec, long nsec, const char *want)
{
    struct timespec now = {.tv_sec = (time_t)sec, .tv_nsec = nsec};
    char buf[48];
    assert_int_equal(core_clock_offset_format(target, &now, buf, sizeof buf), CORE_OK);
    assert_string_equal(buf, want);
}

static void writes_offsets_exactly(void **state)
{
    (void)state;
    offset(1000, 1000, 0, "+0.000000000");
    offset(1000, 999, 250000000, "+0.750000000");
    offset(1000, 1000, 250000000, "-0.250000000");
    offset(1000, 1001, 0, "-1.000000000");
    offset(1000, 1002, 1, "-2.000000001");
    offset(1754006100, 1796670000, 999999999, "-42663900.999999999");
    offset(1754006100, 1700000000, 1, "+54006099.999999999");
    char tiny[4];
    struct timespec now = {.tv_sec = 0, .tv_nsec = 0};
    assert_int_equal(core_clock_offset_format(100000, &now, tiny, sizeof tiny), CORE_EINVAL);
}

static void clock_file_round_trips(void **state)
{
    (void)state;
    char dir[] = "/tmp/mynasim-clock-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/clock", dir);
    struct timespec now = {.tv_sec = 1796670000, .tv_nsec = 500000000};
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(core_clock_file_write(path, japan("2025-08-01T08:55"), &now, &err), CORE_OK);
    char *text;
    size_t len;
    assert_int_equal(core_file_read(path, 4096, &text, &len, &err), CORE_OK);
    assert_string_equal(
        text, "-42663900.500000000\n"
              "# 2025-08-01T08:55:00+09:00 Japan time, as an offset from the real clock when set\n");
    /* the first line must hold nothing libfaketime reads as a modifier ('x' speed, 'i' step) */
    assert_null(memchr(text, 'x', (size_t)(strchr(text, '\n') - text)));
    assert_null(memchr(text, 'i', (size_t)(strchr(text, '\n') - text)));
    assert_int_equal(core_clock_file_parse(path, text, len, &err), CORE_OK);
    free(text);
    char missing[160];
    snprintf(missing, sizeof missing, "%s/none/clock", dir);
    assert_int_equal(core_clock_file_write(missing, 0, &now, &err), CORE_EIO);
    unlink(path);
    rmdir(dir);
}

static void clock_file_parse_refuses_what_libfaketime_would_misread(void **state)
{
    (void)state;
    struct core_error err;
    const char *good[] = {"+0\n", "-5.5\n", "+1.000000001\n# a comment\n", "-123456789012\n#\n#\n"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(core_clock_file_parse("c", good[i], strlen(good[i]), &err), CORE_OK);
    struct {
        const char *text;
        int line, column;
        const char *what;
    } bad[] = {
        {"", 1, 1, "empty"},
        {"@2025-08-01 08:55:00\n", 1, 1, "expected an offset"},
        {"+\n", 1, 2, "digits of seconds"},
        {"+1234567890123\n", 1, 2, "digits of seconds"},
        {"+1.\n", 1, 4, "after '.'"},
        {"+1.0000000001\n", 1, 13, "after '.'"},
        {"+1 x2\n", 1, 3, "end of the line"},
        {"+1", 1, 3, "end of the line"},
        {"+1\nmore\n", 2, 1, "comment line"},
        {"+1\n#\0\n", 2, 1, "NUL"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i].text);
        if (strcmp(bad[i].what, "NUL") == 0)
            len = 6;
        core_error_clear(&err);
        assert_int_equal(core_clock_file_parse("c", bad[i].text, len, &err), CORE_EINVAL);
        assert_string_equal(err.file, "c");
        assert_int_equal(err.line, bad[i].line);
        assert_int_equal(err.column, bad[i].column);
        assert_non_null(strstr(err.message, bad[i].what));
    }
}

static void real_clock_is_read(void **state)
{
    (void)state;
    struct timespec a;
    core_clock_real_now(&a);
    assert_true(a.tv_nsec >= 0 && a.tv_nsec < 1000000000L);
    assert_true(a.tv_sec > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_japan_time_as_utc_plus_nine),
        cmocka_unit_test(formats_japan_time),
        cmocka_unit_test(writes_offsets_exactly),
        cmocka_unit_test(clock_file_round_trips),
        cmocka_unit_test(clock_file_parse_refuses_what_libfaketime_would_misread),
        cmocka_unit_test(real_clock_is_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
