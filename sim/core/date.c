/*
 * Civil dates in Japan time. A date is a day number (days since 1970-01-01, proleptic Gregorian), so ranges
 * of days are plain integer ranges and the engine can compute on day ranges rather than loop over days.
 * Conversions use Howard Hinnant's days-from-civil algorithm: exact for every year, no tables, no libc time
 * zone machinery. Japan has had no daylight saving time since 1951, so "today in Japan" is UTC+9 of time().
 */
#include <string.h>

#include "core/core.h"

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int core_date_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

bool core_date_valid(int year, int month, int day)
{
    return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
           day <= core_date_days_in_month(year, month);
}

static core_day days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (core_day)(era * 146097 + doe - 719468);
}

int core_date_from_ymd(int year, int month, int day, core_day *out)
{
    if (!core_date_valid(year, month, day))
        return CORE_EINVAL;
    *out = days_from_civil(year, month, day);
    return CORE_OK;
}

void core_date_to_ymd(core_day z, int *year, int *month, int *day)
{
    int32_t zz = z + 719468;
    const int32_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
    const int32_t doe = zz - era * 146097;
    const int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int32_t y = yoe + era * 400;
    const int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int32_t mp = (5 * doy + 2) / 153;
    const int32_t d = doy - (153 * mp + 2) / 5 + 1;
    const int32_t m = mp + (mp < 10 ? 3 : -9);
    *year = (int)(y + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

static int digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int core_date_parse(const char *s, size_t len, core_day *out)
{
    if (s == NULL || len != 10 || s[4] != '-' || s[7] != '-')
        return CORE_EINVAL;
    int y = digits_value(s, 4), m = digits_value(s + 5, 2), d = digits_value(s + 8, 2);
    if (y < 1900 || m < 0 || d < 0)
        return CORE_EINVAL;
    return core_date_from_ymd(y, m, d, out);
}

void core_date_format(core_day d, char out[11])
{
    int y, m, dd;
    core_date_to_ymd(d, &y, &m, &dd);
    if (y < 0 || y > 9999) {
        memcpy(out, "0000-00-00", 11);
        return;
    }
    /* Written digit by digit: the compiler can then see the result always fits 11 bytes. */
    const int parts[3] = {y, m, dd};
    const int widths[3] = {4, 2, 2};
    size_t pos = 0;
    for (int p = 0; p < 3; p++) {
        if (p > 0)
            out[pos++] = '-';
        int v = parts[p];
        for (int i = widths[p] - 1; i >= 0; i--) {
            out[pos + (size_t)i] = (char)('0' + v % 10);
            v /= 10;
        }
        pos += (size_t)widths[p];
    }
    out[pos] = '\0';
}

core_day core_date_from_time(time_t t)
{
    long long s = (long long)t + CORE_JST_OFFSET_SECONDS;
    long long days = s / 86400;
    if (s % 86400 < 0)
        days -= 1;
    return (core_day)days;
}

core_day core_date_today(void)
{
    return core_date_from_time(time(NULL));
}

int core_date_weekday(core_day d)
{
    /* 1970-01-01 was a Thursday (4). */
    int w = (int)((d % 7 + 7 + 4) % 7);
    return w;
}

core_day core_date_add_months(core_day d, int months)
{
    int y, m, dd;
    core_date_to_ymd(d, &y, &m, &dd);
    long total = (long)y * 12 + (m - 1) + months;
    int ny = (int)(total / 12), nm = (int)(total % 12) + 1;
    int dim = core_date_days_in_month(ny, nm);
    return days_from_civil(ny, nm, dd > dim ? dim : dd);
}

core_day core_date_birthday(core_day born, int age)
{
    int y, m, d;
    core_date_to_ymd(born, &y, &m, &d);
    int ty = y + age;
    /* 29 February in a common year: the age is reached at the end of 28 February, so the day is 1 March. */
    if (m == 2 && d == 29 && !is_leap(ty))
        return days_from_civil(ty, 3, 1);
    return days_from_civil(ty, m, d);
}

int core_date_age(core_day born, core_day on)
{
    int by, bm, bd, y, m, d;
    core_date_to_ymd(born, &by, &bm, &bd);
    core_date_to_ymd(on, &y, &m, &d);
    int age = y - by;
    if (core_date_birthday(born, age) > on)
        age--;
    return age;
}

core_day core_date_nth_birthday_after(core_day born, core_day after, int n)
{
    int age = core_date_age(born, after) + 1;
    if (age < 1)
        age = 1;
    return core_date_birthday(born, age + n - 1);
}
