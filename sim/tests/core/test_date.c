/* Tests of sim/core/date.c: civil dates in Japan time, birthdays, ages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"

static core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

static void epoch_is_day_zero(void **state)
{
    (void)state;
    assert_int_equal(D("1970-01-01"), 0);
    assert_int_equal(D("1970-01-02"), 1);
    assert_int_equal(D("1969-12-31"), -1);
}

static void round_trips_every_day_of_four_centuries(void **state)
{
    (void)state;
    core_day start = D("1900-01-01"), end = D("2300-12-31");
    int py = 1899, pm = 12, pd = 31;
    for (core_day d = start; d <= end; d++) {
        int y, m, dd;
        core_date_to_ymd(d, &y, &m, &dd);
        core_day back;
        assert_int_equal(core_date_from_ymd(y, m, dd, &back), CORE_OK);
        assert_int_equal(back, d);
        /* consecutive */
        if (dd == 1)
            assert_true((m == 1 && pm == 12 && y == py + 1) || (m == pm + 1 && y == py));
        else
            assert_true(dd == pd + 1 && m == pm && y == py);
        py = y;
        pm = m;
        pd = dd;
    }
}

static void parse_rejects_malformed_and_impossible_dates(void **state)
{
    (void)state;
    core_day d;
    const char *bad[] = {"2025-02-29",  "2025-13-01", "2025-00-10", "2025-01-00", "2025-1-01",
                         "20250101",    "2025/01/01", "2025-01-32", "1899-12-31", "abcd-ef-gh",
                         "2025-01-01x", "",           "2025-04-31"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(core_date_parse(bad[i], strlen(bad[i]), &d), CORE_EINVAL);
    assert_int_equal(core_date_parse(NULL, 0, &d), CORE_EINVAL);
    assert_int_equal(core_date_parse("2024-02-29", 10, &d), CORE_OK);
    assert_int_equal(core_date_parse("2000-02-29", 10, &d), CORE_OK);
    assert_int_equal(core_date_parse("1900-02-29", 10, &d), CORE_EINVAL);
}

static void format_writes_iso_dates(void **state)
{
    (void)state;
    char buf[11];
    core_date_format(D("2025-07-31"), buf);
    assert_string_equal(buf, "2025-07-31");
    core_date_format(D("1900-01-01"), buf);
    assert_string_equal(buf, "1900-01-01");
    core_date_format(INT32_MIN / 2, buf);
    assert_string_equal(buf, "0000-00-00");
}

static void japan_date_is_utc_plus_nine_whatever_tz(void **state)
{
    (void)state;
    /* 2025-07-31 14:59:59 UTC is 23:59:59 in Japan; one second later it is 2025-08-01. */
    time_t t = 1753973999;
    assert_int_equal(core_date_from_time(t), D("2025-07-31"));
    assert_int_equal(core_date_from_time(t + 1), D("2025-08-01"));
    /* Before 1970 */
    assert_int_equal(core_date_from_time(-9 * 3600 - 1), D("1969-12-31"));
    assert_int_equal(core_date_from_time(-9 * 3600), D("1970-01-01"));
    assert_true(core_date_today() > D("2020-01-01"));
}

static void weekday_of_known_days(void **state)
{
    (void)state;
    assert_int_equal(core_date_weekday(D("2024-12-02")), 1); /* Monday */
    assert_int_equal(core_date_weekday(D("1970-01-01")), 4);
    assert_int_equal(core_date_weekday(D("1969-12-28")), 0);
}

static void month_arithmetic_clamps_to_month_end(void **state)
{
    (void)state;
    assert_int_equal(core_date_add_months(D("2025-01-31"), 1), D("2025-02-28"));
    assert_int_equal(core_date_add_months(D("2024-01-31"), 1), D("2024-02-29"));
    assert_int_equal(core_date_add_months(D("2025-05-15"), -5), D("2024-12-15"));
    assert_int_equal(core_date_add_months(D("2025-12-01"), 12), D("2026-12-01"));
    assert_int_equal(core_date_days_in_month(2025, 13), 0);
    assert_false(core_date_valid(0, 1, 1));
}

static void leap_day_birthday_falls_on_first_of_march_in_common_years(void **state)
{
    (void)state;
    core_day born = D("1952-02-29");
    assert_int_equal(core_date_birthday(born, 75), D("2027-03-01"));
    assert_int_equal(core_date_birthday(born, 72), D("2024-02-29"));
    assert_int_equal(core_date_age(born, D("2027-02-28")), 74);
    assert_int_equal(core_date_age(born, D("2027-03-01")), 75);
}

static void age_changes_on_the_birthday(void **state)
{
    (void)state;
    core_day born = D("1950-05-10");
    assert_int_equal(core_date_age(born, D("2025-05-09")), 74);
    assert_int_equal(core_date_age(born, D("2025-05-10")), 75);
    assert_int_equal(core_date_age(born, born), 0);
}

static void nth_birthday_after_is_strictly_after(void **state)
{
    (void)state;
    core_day born = D("1980-04-01");
    /* issued on the birthday itself: the 5th birthday after is five years on */
    assert_int_equal(core_date_nth_birthday_after(born, D("2024-04-01"), 5), D("2029-04-01"));
    assert_int_equal(core_date_nth_birthday_after(born, D("2024-03-31"), 1), D("2024-04-01"));
    assert_int_equal(core_date_nth_birthday_after(born, D("2024-04-02"), 10), D("2034-04-01"));
    assert_int_equal(core_date_nth_birthday_after(D("2000-02-29"), D("2024-03-01"), 5), D("2029-03-01"));
    assert_int_equal(core_date_nth_birthday_after(born, D("1970-01-01"), 1), D("1981-04-01"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(epoch_is_day_zero),
        cmocka_unit_test(round_trips_every_day_of_four_centuries),
        cmocka_unit_test(parse_rejects_malformed_and_impossible_dates),
        cmocka_unit_test(format_writes_iso_dates),
        cmocka_unit_test(japan_date_is_utc_plus_nine_whatever_tz),
        cmocka_unit_test(weekday_of_known_days),
        cmocka_unit_test(month_arithmetic_clamps_to_month_end),
        cmocka_unit_test(leap_day_birthday_falls_on_first_of_march_in_common_years),
        cmocka_unit_test(age_changes_on_the_birthday),
        cmocka_unit_test(nth_birthday_after_is_strictly_after),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
