/*
 * Japan date and time of day as POSIX seconds, and the clock file that `mynasim at --clock` hands to libfaketime
 * (docs/TIME.md). Japan time is UTC+9 computed here, never through TZ.
 *
 * The clock file holds an offset from the real clock, not an absolute time: libfaketime 0.9.10 reads an
 * absolute "@YYYY-MM-DD hh:mm:ss" with mktime() in the reading program's TZ and starts it afresh in every
 * process (a child of the program would begin again at the step's time), while an offset means the same
 * instant to every process that reads it, whatever its TZ (docs/TIME.md, "What libfaketime does").
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/core.h"

#define NSEC 1000000000L

static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

int core_time_parse_japan(const char *s, size_t len, int64_t *out)
{
    core_day d;
    if (s == NULL || len < 10 || core_date_parse(s, 10, &d) != CORE_OK)
        return CORE_EINVAL;
    int h = 0, m = 0, sec = 0;
    if (len > 10) {
        if ((len != 16 && len != 19) || s[10] != 'T' || s[13] != ':')
            return CORE_EINVAL;
        h = two_digits(s + 11);
        m = two_digits(s + 14);
        if (len == 19) {
            if (s[16] != ':')
                return CORE_EINVAL;
            sec = two_digits(s + 17);
        }
        if (h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 59)
            return CORE_EINVAL;
    }
    *out = (int64_t)d * 86400 + h * 3600 + m * 60 + sec - CORE_JST_OFFSET_SECONDS;
    return CORE_OK;
}

void core_time_format_japan(int64_t t, char out[20])
{
    core_day day = core_date_from_time((time_t)t);
    int64_t rem = t + CORE_JST_OFFSET_SECONDS - (int64_t)day * 86400; /* seconds into that Japan day */
    core_date_format(day, out);
    out[10] = 'T';
    core_put_uint(out + 11, 3, (unsigned long long)(rem / 3600), 2);
    out[13] = ':';
    core_put_uint(out + 14, 3, (unsigned long long)(rem / 60 % 60), 2);
    out[16] = ':';
    core_put_uint(out + 17, 3, (unsigned long long)(rem % 60), 2);
    out[19] = '\0';
}

void core_clock_real_now(struct timespec *out)
{
    /* The system call itself, not libc's clock_gettime: libfaketime replaces the latter in a process it is
     * preloaded into, and an offset must be taken from the real clock. */
    if (syscall(SYS_clock_gettime, CLOCK_REALTIME, out) != 0)
        clock_gettime(CLOCK_REALTIME, out);
}

int core_clock_offset_format(int64_t target, const struct timespec *real_now, char *buf, size_t cap)
{
    /* target - now as seconds and nanoseconds in [0, NSEC), then written sign and magnitude */
    int64_t sec = target - (int64_t)real_now->tv_sec;
    long nsec = 0;
    if (real_now->tv_nsec > 0) {
        sec -= 1;
        nsec = NSEC - real_now->tv_nsec;
    }
    bool negative = sec < 0;
    if (negative && nsec > 0) {
        sec += 1;
        nsec = NSEC - nsec;
    }
    unsigned long long mag = negative ? (unsigned long long)(-(sec + 1)) + 1 : (unsigned long long)sec;
    int n = snprintf(buf, cap, "%c%llu.%09ld", negative ? '-' : '+', mag, nsec);
    return n < 0 || (size_t)n >= cap ? CORE_EINVAL : CORE_OK;
}

int core_clock_file_write(const char *path, int64_t target, const struct timespec *real_now,
                          struct core_error *err)
{
    char offset[48], when[20], text[256];
    if (core_clock_offset_format(target, real_now, offset, sizeof offset) != CORE_OK)
        return core_error_set(err, CORE_EINVAL, path, 0, 0, "the clock's offset does not fit");
    core_time_format_japan(target, when);
    /* libfaketime reads the first line only; the second is for people. It must hold no 'x' or 'i' in the
     * first line (libfaketime's speed and step modifiers), hence nothing but the number there. */
    int n = snprintf(text, sizeof text,
                     "%s\n# %s+09:00 Japan time, as an offset from the real clock when set\n", offset, when);
    if (n < 0 || (size_t)n >= sizeof text)
        return core_error_set(err, CORE_EINVAL, path, 0, 0, "the clock file does not fit");
    return core_file_write_atomic(path, text, (size_t)n, err);
}

int core_clock_file_parse(const char *name, const char *text, size_t len, struct core_error *err)
{
    size_t i = 0;
    if (len == 0)
        return core_error_set(err, CORE_EINVAL, name, 1, 1,
                              "empty clock file (libfaketime would use the real time)");
    if (text[0] != '+' && text[0] != '-')
        return core_error_set(err, CORE_EINVAL, name, 1, 1,
                              "expected an offset: +SECONDS.NNNNNNNNN or -SECONDS.NNNNNNNNN");
    i = 1;
    size_t digits = 0;
    while (i < len && text[i] >= '0' && text[i] <= '9' && digits < 12) {
        i++;
        digits++;
    }
    if (digits == 0 || (i < len && text[i] >= '0' && text[i] <= '9'))
        return core_error_set(err, CORE_EINVAL, name, 1, 2, "expected 1 to 12 digits of seconds");
    if (i < len && text[i] == '.') {
        size_t frac = 0;
        i++;
        while (i < len && text[i] >= '0' && text[i] <= '9' && frac < 9) {
            i++;
            frac++;
        }
        if (frac == 0 || (i < len && text[i] >= '0' && text[i] <= '9'))
            return core_error_set(err, CORE_EINVAL, name, 1, (int)i + 1, "expected 1 to 9 digits after '.'");
    }
    if (i >= len || text[i] != '\n')
        return core_error_set(err, CORE_EINVAL, name, 1, (int)i + 1,
                              "expected the end of the line after the offset");
    i++;
    if (i < len && text[i] != '#')
        return core_error_set(err, CORE_EINVAL, name, 2, 1, "expected a comment line starting with '#'");
    for (size_t k = i; k < len; k++)
        if (text[k] == '\0')
            return core_error_set(err, CORE_EINVAL, name, 2, 1, "a NUL byte in the clock file");
    return CORE_OK;
}
