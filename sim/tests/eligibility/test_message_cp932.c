/* Tests of sim/eligibility/message_cp932.c: what a CP932 message can hold (docs/MESSAGES.md, "CP932"). A character
 * CP932 lacks becomes ●, one for each; text that is not UTF-8 (overlong forms, surrogates, past U+10FFFF,
 * stray or missing continuation bytes) and output that does not fit are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "eligibility/message_int.h"

#define BLACK_CIRCLE "\xE2\x97\x8F"

static void what_cp932_holds_is_kept(void **state)
{
    (void)state;
    char out[128];
    static const char *const kept[] = {
        "",
        "abc 123",
        "\xE5\xB1\xB1\xE7\x94\xB0\xE5\xA4\xAA\xE9\x83\x8E", /* 山田太郎 */
        "\xE2\x91\xA0\xE9\xAB\x99",                         /* ① 髙: NEC and IBM extensions */
        "\xEF\xBD\x9E",                                     /* ～ U+FF5E */
        "\xEF\xBD\xB1",                                     /* ｱ half-width katakana */
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        memset(out, 'z', sizeof out);
        assert_int_equal(elig_cp932_safe(kept[i], out, sizeof out), CORE_OK);
        assert_string_equal(out, kept[i]);
    }
}

static void what_cp932_lacks_becomes_black_circles(void **state)
{
    (void)state;
    char out[128];
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"\xF0\xA0\xAE\xB7", BLACK_CIRCLE},                              /* 𠮷: four bytes */
        {"caf\xC3\xA9", "caf" BLACK_CIRCLE},                             /* é: two bytes */
        {"\xF0\x9F\x98\x80\xF0\x9F\x98\x80", BLACK_CIRCLE BLACK_CIRCLE}, /* two emoji, two circles */
        {"a\xE0\xA4\x85z", "a" BLACK_CIRCLE "z"},                        /* अ: three bytes */
        {"\xF4\x8F\xBF\xBF", BLACK_CIRCLE},                              /* U+10FFFF, the last one */
        {"\xE5\xB1\xB1\xF0\xA0\xAE\xB7", "\xE5\xB1\xB1" BLACK_CIRCLE},   /* 山𠮷 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(elig_cp932_safe(cases[i].in, out, sizeof out), CORE_OK);
        assert_string_equal(out, cases[i].out);
    }
}

static void text_that_is_not_utf8_is_refused(void **state)
{
    (void)state;
    char out[64];
    static const char *const bad[] = {
        "\x80",             /* a continuation byte first */
        "\xC0\x80",         /* overlong NUL */
        "\xC1\xBF",         /* overlong */
        "\xC3",             /* cut short */
        "\xC3\x28",         /* not a continuation */
        "\xE0\x80\x80",     /* overlong three bytes */
        "\xE0\x9F\xBF",     /* overlong, just below U+0800 */
        "\xED\xA0\x80",     /* a surrogate, U+D800 */
        "\xED\xBF\xBF",     /* a surrogate, U+DFFF */
        "\xE3\x81",         /* cut short */
        "\xF0\x80\x80\x80", /* overlong four bytes */
        "\xF0\x8F\xBF\xBF", /* overlong, just below U+10000 */
        "\xF4\x90\x80\x80", /* past U+10FFFF */
        "\xF5\x80\x80\x80", /* no such lead byte */
        "\xFF",             /* no such byte */
        "ok\xF0\x9F\x98",   /* cut short after good text */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(out, 'z', sizeof out);
        assert_int_equal(elig_cp932_safe(bad[i], out, sizeof out), CORE_EINVAL);
        assert_non_null(memchr(out, '\0', sizeof out)); /* what was written is still a string */
    }
    /* What came before the fault is kept. */
    assert_int_equal(elig_cp932_safe("ab\xED\xA0\x80", out, sizeof out), CORE_EINVAL);
    assert_string_equal(out, "ab");
}

static void output_that_does_not_fit_is_refused(void **state)
{
    (void)state;
    char out[8];
    /* "abcdefg" and the NUL fit in eight bytes; one more character does not. */
    assert_int_equal(elig_cp932_safe("abcdefg", out, sizeof out), CORE_OK);
    assert_string_equal(out, "abcdefg");
    memset(out, 'z', sizeof out);
    assert_int_equal(elig_cp932_safe("abcdefgh", out, sizeof out), CORE_EINVAL);
    assert_string_equal(out, "abcdefg");
    /* A ● takes three bytes where the character took two: "é" fits in four bytes as ●, not in three. */
    assert_int_equal(elig_cp932_safe("\xC3\xA9", out, 4), CORE_OK);
    assert_string_equal(out, BLACK_CIRCLE);
    memset(out, 'z', sizeof out);
    assert_int_equal(elig_cp932_safe("\xC3\xA9", out, 3), CORE_EINVAL);
    assert_string_equal(out, "");
    /* No room at all: nothing written. */
    memset(out, 'z', sizeof out);
    assert_int_equal(elig_cp932_safe("a", out, 0), CORE_EINVAL);
    assert_int_equal(out[0], 'z');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(what_cp932_holds_is_kept),
        cmocka_unit_test(what_cp932_lacks_becomes_black_circles),
        cmocka_unit_test(text_that_is_not_utf8_is_refused),
        cmocka_unit_test(output_that_does_not_fit_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
