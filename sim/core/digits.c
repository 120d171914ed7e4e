/*
 * Check digits of the numbers a clinic types or reads (docs/RULES.md, Numbers). Both algorithms are the
 * published ones: the insurer number's is a Luhn-style weighted digit sum, the My Number's a mod-11 sum.
 */
#include <string.h>

#include "core/core.h"

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int core_insurer_check_digit(const char *digits, size_t len)
{
    if (digits == NULL || !all_digits(digits, len))
        return -1;
    /* Weights 2, 1, 2, 1, ... from the rightmost digit; add the digits of each product. */
    int sum = 0;
    for (size_t i = 0; i < len; i++) {
        int v = digits[len - 1 - i] - '0';
        int p = v * (i % 2 == 0 ? 2 : 1);
        sum += p / 10 + p % 10;
    }
    return (10 - sum % 10) % 10;
}

bool core_insurer_number_valid(const char *s, size_t len)
{
    if (s == NULL || (len != 6 && len != 8) || !all_digits(s, len))
        return false;
    return core_insurer_check_digit(s, len - 1) == s[len - 1] - '0';
}

int core_my_number_check_digit(const char *first11)
{
    if (first11 == NULL || !all_digits(first11, 11))
        return -1;
    /* Pn is the n-th digit from the right of the first 11; Qn = n + 1 (n <= 6), n - 5 (n >= 7). */
    int sum = 0;
    for (int n = 1; n <= 11; n++) {
        int p = first11[11 - n] - '0';
        int q = n <= 6 ? n + 1 : n - 5;
        sum += p * q;
    }
    int r = sum % 11;
    return r <= 1 ? 0 : 11 - r;
}

bool core_my_number_valid(const char *s, size_t len)
{
    if (s == NULL || len != 12 || !all_digits(s, 12))
        return false;
    return core_my_number_check_digit(s) == s[11] - '0';
}

size_t core_strlcpy(char *dst, const char *src, size_t cap)
{
    size_t n = strlen(src);
    if (cap > 0) {
        size_t k = n < cap - 1 ? n : cap - 1;
        memcpy(dst, src, k);
        dst[k] = '\0';
    }
    return n;
}

size_t core_put_uint(char *dst, size_t cap, unsigned long long v, int width)
{
    char t[24]; /* 20 digits at most, padded to at most 23 */
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while ((int)n < width && n < sizeof t)
        t[n++] = '0';
    if (cap == 0)
        return n;
    size_t k = n < cap ? n : cap - 1; /* the digits that fit before the NUL */
    for (size_t i = 0; i < k; i++)
        dst[i] = t[n - 1 - i];
    dst[k] = '\0';
    return n;
}
