/*
 * Fuzz target for the parsers of sim/core/clock.c: the Japan time of `mynasim at DATETIME` and the clock file
 * `mynasim at --clock FILE` checks before libfaketime reads it (docs/TIME.md). Besides crashes it aborts on a
 * broken property:
 *  1. An accepted Japan time formats back to the input (seconds added when the input had none, "T00:00:00" when
 *     it was a date alone): parse and format agree, and nothing else is accepted.
 *  2. An accepted clock file's first line is an offset only: a sign, digits, at most one '.', and no character
 *     libfaketime reads as a modifier; every refusal names line 1 or 2 and a column inside the input.
 *  3. An offset written for the parsed time and any real clock is itself an accepted clock file line.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    int64_t t;
    if (core_time_parse_japan(s, size, &t) == CORE_OK) {
        char out[20];
        core_time_format_japan(t, out);
        char want[20];
        memcpy(want, "0000-00-00T00:00:00", 20);
        check(size == 10 || size == 16 || size == 19);
        memcpy(want, s, size);
        check(memcmp(out, want, 19) == 0);
        struct timespec now = {.tv_sec = (time_t)(size * 977),
                               .tv_nsec = (long)(size * 1234567) % 1000000000L};
        char line[64];
        check(core_clock_offset_format(t, &now, line, sizeof line - 1) == CORE_OK);
        strcat(line, "\n");
        struct core_error err;
        check(core_clock_file_parse("f", line, strlen(line), &err) == CORE_OK);
    }
    struct core_error err;
    core_error_clear(&err);
    if (core_clock_file_parse("f", s, size, &err) == CORE_OK) {
        const char *nl = memchr(s, '\n', size);
        check(nl != NULL && (s[0] == '+' || s[0] == '-'));
        int dots = 0;
        for (const char *p = s + 1; p < nl; p++) {
            check((*p >= '0' && *p <= '9') || *p == '.');
            dots += *p == '.';
        }
        check(dots <= 1);
    } else {
        check(err.line == 1 || err.line == 2);
        check(err.column >= 1 && (size_t)err.column <= size + 1);
    }
    return 0;
}
