/* Tests of sim/core/digits.c: insurer number and My Number check digits (docs/RULES.md, Numbers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"

static void insurer_number_from_rules_md_is_valid(void **state)
{
    (void)state;
    assert_true(core_insurer_number_valid("112334", 6));
    assert_int_equal(core_insurer_check_digit("11233", 5), 4);
}

static void insurer_number_check_digit_by_hand(void **state)
{
    (void)state;
    /* 0113001: weights from the right 2,1,2,1,2,1,2: 1*2=2, 0, 0*2=0, 3, 1*2=2, 1, 0 -> 8 -> check 2 */
    assert_int_equal(core_insurer_check_digit("0113001", 7), 2);
    assert_true(core_insurer_number_valid("01130012", 8));
    /* products of two digits add their digits: 9*2 = 18 -> 1 + 8 */
    assert_int_equal(core_insurer_check_digit("9", 1), 1);
    assert_int_equal(core_insurer_check_digit("0", 1), 0);
}

static void insurer_number_rejects_wrong_length_digit_or_characters(void **state)
{
    (void)state;
    assert_false(core_insurer_number_valid("112335", 6));
    assert_false(core_insurer_number_valid("1123345", 7));
    assert_false(core_insurer_number_valid("11233", 5));
    assert_false(core_insurer_number_valid("11a334", 6));
    assert_false(core_insurer_number_valid(NULL, 6));
    assert_int_equal(core_insurer_check_digit("1x", 2), -1);
    assert_int_equal(core_insurer_check_digit(NULL, 0), -1);
}

static void my_number_check_digit_matches_the_formula(void **state)
{
    (void)state;
    /* 12345678901: from the right P1=1,P2=0,P3=9,... Q = 2..7 then 2..6. */
    const char *first11 = "12345678901";
    int sum = 0;
    for (int n = 1; n <= 11; n++)
        sum += (first11[11 - n] - '0') * (n <= 6 ? n + 1 : n - 5);
    int expect = sum % 11 <= 1 ? 0 : 11 - sum % 11;
    assert_int_equal(core_my_number_check_digit(first11), expect);
    assert_int_equal(expect, 8);
    assert_true(core_my_number_valid("123456789018", 12));
    assert_false(core_my_number_valid("123456789019", 12));
}

static void my_number_remainder_zero_or_one_gives_zero(void **state)
{
    (void)state;
    /* all zeros: sum 0, remainder 0 -> 0 */
    assert_int_equal(core_my_number_check_digit("00000000000"), 0);
    /* find a prefix with remainder 1 and check it gives 0 */
    char buf[12] = "00000000000";
    int found = 0;
    for (int v = 0; v < 10 && !found; v++) {
        buf[10] = (char)('0' + v);
        buf[9] = '3';
        int sum = 0;
        for (int n = 1; n <= 11; n++)
            sum += (buf[11 - n] - '0') * (n <= 6 ? n + 1 : n - 5);
        if (sum % 11 == 1) {
            assert_int_equal(core_my_number_check_digit(buf), 0);
            found = 1;
        }
    }
    assert_true(found);
}

static void my_number_rejects_bad_shapes(void **state)
{
    (void)state;
    assert_false(core_my_number_valid("12345678901", 11));
    assert_false(core_my_number_valid("12345678901a", 12));
    assert_false(core_my_number_valid(NULL, 12));
    assert_int_equal(core_my_number_check_digit("1234567890a"), -1);
    assert_int_equal(core_my_number_check_digit(NULL), -1);
}

/* snprintf's results, without snprintf: truncation keeps the NUL and the return is the length wanted. */
static void strings_are_copied_and_numbers_written_as_snprintf_would(void **state)
{
    (void)state;
    char b[8];
    assert_int_equal(core_strlcpy(b, "abc", sizeof b), 3);
    assert_string_equal(b, "abc");
    assert_int_equal(core_strlcpy(b, "abcdefghij", sizeof b), 10);
    assert_string_equal(b, "abcdefg");
    assert_int_equal(core_strlcpy(b, "", sizeof b), 0);
    assert_string_equal(b, "");
    b[0] = 'x';
    assert_int_equal(core_strlcpy(b, "abc", 0), 3);
    assert_int_equal(b[0], 'x');
    const struct {
        unsigned long long v;
        int width;
        const char *want;
    } cases[] = {{0, 1, "0"},         {7, 2, "07"}, {42, 4, "0042"},
                 {12345, 2, "12345"}, {0, 0, "0"},  {1000, 1, "1000"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[32];
        int n = snprintf(want, sizeof want, "%0*llu", cases[i].width, cases[i].v);
        assert_string_equal(want, cases[i].want);
        assert_int_equal(core_put_uint(b, sizeof b, cases[i].v, cases[i].width), (size_t)n);
        assert_string_equal(b, cases[i].want);
    }
    char big[32];
    assert_int_equal(core_put_uint(big, sizeof big, 18446744073709551615ull, 1), 20);
    assert_string_equal(big, "18446744073709551615");
    assert_int_equal(core_put_uint(b, sizeof b, 123456789, 1), 9); /* truncated as snprintf truncates */
    assert_string_equal(b, "1234567");
    assert_int_equal(core_put_uint(b, 1, 5, 1), 1);
    assert_string_equal(b, "");
    b[0] = 'x';
    assert_int_equal(core_put_uint(b, 0, 5, 3), 3);
    assert_int_equal(b[0], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strings_are_copied_and_numbers_written_as_snprintf_would),
        cmocka_unit_test(insurer_number_from_rules_md_is_valid),
        cmocka_unit_test(insurer_number_check_digit_by_hand),
        cmocka_unit_test(insurer_number_rejects_wrong_length_digit_or_characters),
        cmocka_unit_test(my_number_check_digit_matches_the_formula),
        cmocka_unit_test(my_number_remainder_zero_or_one_gives_zero),
        cmocka_unit_test(my_number_rejects_bad_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
