/*
 * Unit tests for sim/iso7816/tlv.c: tags of 1 to 4 bytes (5 refused), each definite length form and its
 * boundaries, the refused forms (80 indefinite, 85.., lengths beyond the buffer), sibling search, and
 * encoding with the shortest length form. Objects are written as bytes, as a card's file would hold them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iso7816/iso7816.h"

static uint8_t big[0x10000 + 16];
static uint8_t enc[0x10000 + 16];

static struct iso7816_tlv parse_ok(const uint8_t *buf, size_t len, size_t want_consumed)
{
    struct iso7816_tlv t;
    size_t used = 0;
    assert_int_equal(iso7816_tlv_parse(buf, len, &t, &used), 0);
    assert_int_equal(used, want_consumed);
    assert_int_equal(t.header_len + t.len, used);
    assert_ptr_equal(t.value, buf + t.header_len);
    return t;
}

static void assert_refused(const uint8_t *buf, size_t len)
{
    struct iso7816_tlv t;
    size_t used = 12345;
    assert_int_equal(iso7816_tlv_parse(buf, len, &t, &used), -1);
    assert_int_equal(used, 12345);
}

static void assert_encodes_to(uint32_t tag, const uint8_t *value, size_t len, const uint8_t *want,
                              size_t want_len)
{
    size_t n = 0;
    assert_int_equal(iso7816_tlv_encode(tag, value, len, enc, sizeof enc, &n), 0);
    assert_int_equal(n, want_len);
    assert_memory_equal(enc, want, want_len);
    assert_int_equal(iso7816_tlv_header_size(tag, len), want_len - len);
}

/* ---- tags ---------------------------------------------------------------------------------------------- */

static void one_byte_tag_short_length(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x04, 0x03, 'a', 'b', 'c'};
    struct iso7816_tlv t = parse_ok(b, sizeof b, 5);
    assert_int_equal(t.tag, 0x04);
    assert_false(t.constructed);
    assert_int_equal(t.len, 3);
    assert_int_equal(t.header_len, 2);
    assert_memory_equal(t.value, "abc", 3);
}

static void bit_6_of_the_first_tag_byte_marks_constructed(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    struct iso7816_tlv t = parse_ok(b, sizeof b, 5);
    assert_int_equal(t.tag, 0x30);
    assert_true(t.constructed);
    static const uint8_t ff20[] = {0xFF, 0x20, 0x00};
    assert_true(parse_ok(ff20, sizeof ff20, 3).constructed);
}

static void two_byte_tag_when_low_five_bits_are_all_set(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x5F, 0x20, 0x02, 'J', 'P'};
    struct iso7816_tlv t = parse_ok(b, sizeof b, 5);
    assert_int_equal(t.tag, 0x5F20);
    assert_false(t.constructed);
    assert_int_equal(t.header_len, 3);
    static const uint8_t df21[] = {0xDF, 0x21, 0x01, 0x00};
    t = parse_ok(df21, sizeof df21, 4);
    assert_int_equal(t.tag, 0xDF21);
    assert_false(t.constructed);
}

static void card_basic_info_ff20_is_a_valid_constructed_tag(void **state)
{
    (void)state;
    /* The My Number card's basic-4-info file starts FF 20: FF must not be taken for padding. */
    static const uint8_t b[] = {0xFF, 0x20, 0x06, 0xDF, 0x21, 0x01, 'x', 0xDF, 0x22, 0x00};
    struct iso7816_tlv t = parse_ok(b, 9, 9);
    assert_int_equal(t.tag, 0xFF20);
    assert_true(t.constructed);
    struct iso7816_tlv inner;
    assert_int_equal(iso7816_tlv_find(t.value, t.len, 0xDF21, &inner), 0);
    assert_int_equal(inner.len, 1);
    assert_int_equal(inner.value[0], 'x');
}

static void three_byte_tag_follows_the_continuation_bit(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x5F, 0x81, 0x01, 0x00};
    struct iso7816_tlv t = parse_ok(b, sizeof b, 4);
    assert_int_equal(t.tag, 0x5F8101);
    assert_int_equal(t.header_len, 4);
}

static void four_byte_tag_is_the_longest_accepted(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x7F, 0x81, 0x82, 0x03, 0x01, 0xEE};
    struct iso7816_tlv t = parse_ok(b, sizeof b, 6);
    assert_int_equal(t.tag, 0x7F818203);
    assert_true(t.constructed);
    assert_int_equal(t.header_len, 5);
    assert_int_equal(t.value[0], 0xEE);
}

static void five_byte_tag_is_refused(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x5F, 0x81, 0x82, 0x83, 0x04, 0x00};
    assert_refused(b, sizeof b);
}

static void tag_truncated_inside_its_continuation_is_refused(void **state)
{
    (void)state;
    static const uint8_t one[] = {0x5F};
    static const uint8_t two[] = {0x5F, 0x81};
    static const uint8_t three[] = {0x5F, 0x81, 0x81};
    assert_refused(one, sizeof one);
    assert_refused(two, sizeof two);
    assert_refused(three, sizeof three);
}

static void tag_without_length_byte_is_refused(void **state)
{
    (void)state;
    static const uint8_t one[] = {0x04};
    static const uint8_t two[] = {0x5F, 0x20};
    assert_refused(one, sizeof one);
    assert_refused(two, sizeof two);
}

static void tag_00_is_refused_as_padding(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0x00};
    assert_refused(b, sizeof b);
}

static void tag_with_leading_zero_subsequent_byte_80_is_refused(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x5F, 0x80, 0x20, 0x00};
    assert_refused(b, sizeof b);
}

/* ---- lengths ------------------------------------------------------------------------------------------- */

static void zero_length_value_points_past_the_header(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x04, 0x00};
    struct iso7816_tlv t = parse_ok(b, sizeof b, 2);
    assert_int_equal(t.len, 0);
    assert_non_null(t.value);
}

static void length_7f_is_the_largest_short_form(void **state)
{
    (void)state;
    big[0] = 0x04;
    big[1] = 0x7F;
    struct iso7816_tlv t = parse_ok(big, 2 + 0x7F, 2 + 0x7F);
    assert_int_equal(t.len, 0x7F);
}

static void length_81_takes_one_byte(void **state)
{
    (void)state;
    big[0] = 0x04;
    big[1] = 0x81;
    big[2] = 0x80;
    struct iso7816_tlv t = parse_ok(big, 3 + 0x80, 3 + 0x80);
    assert_int_equal(t.len, 0x80);
    assert_int_equal(t.header_len, 3);
}

static void length_82_takes_two_bytes(void **state)
{
    (void)state;
    /* The certificate header OpenSC reads first: 30 82 HH LL. */
    big[0] = 0x30;
    big[1] = 0x82;
    big[2] = 0x04;
    big[3] = 0x00;
    struct iso7816_tlv t = parse_ok(big, 4 + 0x400, 4 + 0x400);
    assert_int_equal(t.len, 0x400);
    assert_int_equal(t.header_len, 4);
}

static void length_83_takes_three_bytes(void **state)
{
    (void)state;
    big[0] = 0x04;
    big[1] = 0x83;
    big[2] = 0x01;
    big[3] = 0x00;
    big[4] = 0x00;
    struct iso7816_tlv t = parse_ok(big, 5 + 0x10000, 5 + 0x10000);
    assert_int_equal(t.len, 0x10000);
}

static void length_84_takes_four_bytes(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x04, 0x84, 0x00, 0x00, 0x00, 0x02, 0xAB, 0xCD};
    struct iso7816_tlv t = parse_ok(b, sizeof b, 8);
    assert_int_equal(t.len, 2);
    assert_int_equal(t.header_len, 6);
}

static void length_84_ffffffff_beyond_the_buffer_is_refused(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};
    assert_refused(b, sizeof b);
}

static void non_minimal_long_length_is_accepted(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x04, 0x81, 0x01, 0x7A};
    struct iso7816_tlv t = parse_ok(b, sizeof b, 4);
    assert_int_equal(t.len, 1);
    assert_int_equal(t.header_len, 3);
}

static void indefinite_length_80_is_refused(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x30, 0x80, 0x04, 0x00, 0x00, 0x00};
    assert_refused(b, sizeof b);
}

static void length_85_and_above_is_refused(void **state)
{
    (void)state;
    static const uint8_t b85[] = {0x04, 0x85, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00};
    static const uint8_t bff[] = {0x04, 0xFF, 0x00};
    assert_refused(b85, sizeof b85);
    assert_refused(bff, sizeof bff);
}

static void long_length_truncated_inside_its_bytes_is_refused(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x04, 0x82, 0x01};
    assert_refused(b, sizeof b);
}

static void value_shorter_than_its_length_is_refused(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x04, 0x03, 'a', 'b'};
    assert_refused(b, sizeof b);
}

static void trailing_bytes_after_one_tlv_are_left_unconsumed(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x04, 0x01, 'a', 0x99, 0x99};
    struct iso7816_tlv t = parse_ok(b, sizeof b, 3);
    assert_int_equal(t.len, 1);
}

static void empty_and_null_input_is_refused(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x04, 0x00};
    struct iso7816_tlv t;
    size_t used;
    assert_int_equal(iso7816_tlv_parse(b, 0, &t, &used), -1);
    assert_int_equal(iso7816_tlv_parse(NULL, 2, &t, &used), -1);
    assert_int_equal(iso7816_tlv_parse(b, sizeof b, NULL, &used), -1);
    assert_int_equal(iso7816_tlv_parse(b, sizeof b, &t, NULL), -1);
}

/* ---- find ---------------------------------------------------------------------------------------------- */

static const uint8_t siblings[] = {0xDF, 0x21, 0x02, 'n',  'm', 0xDF, 0x22, 0x01,
                                   'a',  0xDF, 0x22, 0x01, 'b', 0x04, 0x00};

static void find_returns_a_later_sibling(void **state)
{
    (void)state;
    struct iso7816_tlv t;
    assert_int_equal(iso7816_tlv_find(siblings, sizeof siblings, 0x04, &t), 0);
    assert_int_equal(t.len, 0);
    assert_int_equal(iso7816_tlv_find(siblings, sizeof siblings, 0xDF21, &t), 0);
    assert_memory_equal(t.value, "nm", 2);
}

static void find_returns_the_first_of_repeated_tags(void **state)
{
    (void)state;
    struct iso7816_tlv t;
    assert_int_equal(iso7816_tlv_find(siblings, sizeof siblings, 0xDF22, &t), 0);
    assert_int_equal(t.value[0], 'a');
}

static void find_of_an_absent_tag_fails(void **state)
{
    (void)state;
    struct iso7816_tlv t;
    assert_int_equal(iso7816_tlv_find(siblings, sizeof siblings, 0xDF25, &t), -1);
    assert_int_equal(iso7816_tlv_find(siblings, 0, 0xDF21, &t), -1);
    assert_int_equal(iso7816_tlv_find(NULL, 4, 0xDF21, &t), -1);
}

static void find_does_not_descend_into_constructed_values(void **state)
{
    (void)state;
    static const uint8_t b[] = {0xFF, 0x20, 0x03, 0xDF, 0x21, 0x00};
    assert_int_equal(iso7816_tlv_find(b, sizeof b, 0xDF21, NULL), -1);
    assert_int_equal(iso7816_tlv_find(b, sizeof b, 0xFF20, NULL), 0);
}

static void find_fails_on_garbage_before_the_tag(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x04, 0x05, 0x00, 0xDF, 0x21, 0x00};
    assert_int_equal(iso7816_tlv_find(b, sizeof b, 0xDF21, NULL), -1);
}

static void find_ignores_garbage_after_the_match(void **state)
{
    (void)state;
    static const uint8_t b[] = {0xDF, 0x21, 0x00, 0x04, 0x80};
    assert_int_equal(iso7816_tlv_find(b, sizeof b, 0xDF21, NULL), 0);
}

/* ---- encode -------------------------------------------------------------------------------------------- */

static void encode_short_length(void **state)
{
    (void)state;
    static const uint8_t want[] = {0x5F, 0x20, 0x02, 'J', 'P'};
    assert_encodes_to(0x5F20, (const uint8_t *)"JP", 2, want, sizeof want);
}

static void encode_empty_value_may_be_null(void **state)
{
    (void)state;
    static const uint8_t want[] = {0xDF, 0x22, 0x00};
    assert_encodes_to(0xDF22, NULL, 0, want, sizeof want);
}

static void encode_length_127_is_one_byte_and_128_takes_81(void **state)
{
    (void)state;
    memset(big, 0x33, 0x80);
    size_t n;
    assert_int_equal(iso7816_tlv_encode(0x04, big, 0x7F, enc, sizeof enc, &n), 0);
    assert_int_equal(n, 2 + 0x7F);
    assert_int_equal(enc[1], 0x7F);
    assert_int_equal(iso7816_tlv_encode(0x04, big, 0x80, enc, sizeof enc, &n), 0);
    assert_int_equal(n, 3 + 0x80);
    assert_int_equal(enc[1], 0x81);
    assert_int_equal(enc[2], 0x80);
}

static void encode_length_255_is_81_and_256_takes_82(void **state)
{
    (void)state;
    size_t n;
    assert_int_equal(iso7816_tlv_encode(0x30, big, 0xFF, enc, sizeof enc, &n), 0);
    assert_int_equal(n, 3 + 0xFF);
    assert_memory_equal(enc, "\x30\x81\xFF", 3);
    assert_int_equal(iso7816_tlv_encode(0x30, big, 0x100, enc, sizeof enc, &n), 0);
    assert_int_equal(n, 4 + 0x100);
    assert_memory_equal(enc, "\x30\x82\x01\x00", 4);
}

static void encode_length_65536_takes_83(void **state)
{
    (void)state;
    size_t n;
    assert_int_equal(iso7816_tlv_encode(0x04, big, 0x10000, enc, sizeof enc, &n), 0);
    assert_int_equal(n, 5 + 0x10000);
    assert_memory_equal(enc, "\x04\x83\x01\x00\x00", 5);
}

static void header_size_picks_the_minimal_length_form(void **state)
{
    (void)state;
    assert_int_equal(iso7816_tlv_header_size(0x04, 0), 2);
    assert_int_equal(iso7816_tlv_header_size(0x04, 0x7F), 2);
    assert_int_equal(iso7816_tlv_header_size(0x04, 0x80), 3);
    assert_int_equal(iso7816_tlv_header_size(0x04, 0xFF), 3);
    assert_int_equal(iso7816_tlv_header_size(0x04, 0x100), 4);
    assert_int_equal(iso7816_tlv_header_size(0x04, 0xFFFF), 4);
    assert_int_equal(iso7816_tlv_header_size(0x04, 0x10000), 5);
    assert_int_equal(iso7816_tlv_header_size(0x04, 0xFFFFFF), 5);
    assert_int_equal(iso7816_tlv_header_size(0x04, 0x1000000), 6);
    assert_int_equal(iso7816_tlv_header_size(0x04, 0xFFFFFFFFu), 6);
    assert_int_equal(iso7816_tlv_header_size(0x7F818203, 0x1000000), 9);
}

static void length_beyond_32_bits_has_no_header_and_does_not_encode(void **state)
{
    (void)state;
    if (sizeof(size_t) <= 4)
        skip();
    size_t huge = (size_t)UINT32_MAX + 1u, n = 5;
    assert_int_equal(iso7816_tlv_header_size(0x04, huge), 0);
    /* Refused before the value is touched, so the small buffer behind `big` is never read. */
    assert_int_equal(iso7816_tlv_encode(0x04, big, huge, enc, SIZE_MAX, &n), -1);
    assert_int_equal(n, 5);
}

static void header_size_of_an_invalid_tag_is_zero(void **state)
{
    (void)state;
    assert_int_equal(iso7816_tlv_header_size(0x00, 1), 0);       /* 00 is padding */
    assert_int_equal(iso7816_tlv_header_size(0x1F, 1), 0);       /* needs a second byte */
    assert_int_equal(iso7816_tlv_header_size(0x3020, 1), 0);     /* 30 is a one-byte tag */
    assert_int_equal(iso7816_tlv_header_size(0x5F81, 1), 0);     /* last byte says "more" */
    assert_int_equal(iso7816_tlv_header_size(0x5F2001, 1), 0);   /* middle byte says "last" */
    assert_int_equal(iso7816_tlv_header_size(0x5F8001, 1), 0);   /* leading zero in the tag number */
    assert_int_equal(iso7816_tlv_header_size(0x7F818283, 1), 0); /* would need a fifth byte */
}

static void encode_refuses_invalid_tags(void **state)
{
    (void)state;
    size_t n;
    assert_int_equal(iso7816_tlv_encode(0x00, NULL, 0, enc, sizeof enc, &n), -1);
    assert_int_equal(iso7816_tlv_encode(0x5F, NULL, 0, enc, sizeof enc, &n), -1);
    assert_int_equal(iso7816_tlv_encode(0x9F7F81, NULL, 0, enc, sizeof enc, &n), -1);
}

static void encode_four_byte_tag(void **state)
{
    (void)state;
    static const uint8_t want[] = {0x7F, 0x81, 0x82, 0x03, 0x01, 0xEE};
    assert_encodes_to(0x7F818203, (const uint8_t *)"\xEE", 1, want, sizeof want);
}

static void encode_fails_when_one_byte_short(void **state)
{
    (void)state;
    size_t n = 77;
    assert_int_equal(iso7816_tlv_encode(0x5F20, (const uint8_t *)"JP", 2, enc, 4, &n), -1);
    assert_int_equal(iso7816_tlv_encode(0x5F20, (const uint8_t *)"JP", 2, enc, 1, &n), -1);
    assert_int_equal(n, 77);
    assert_int_equal(iso7816_tlv_encode(0x5F20, (const uint8_t *)"JP", 2, enc, 5, &n), 0);
    assert_int_equal(n, 5);
}

static void encode_refuses_null_arguments(void **state)
{
    (void)state;
    size_t n;
    assert_int_equal(iso7816_tlv_encode(0x04, NULL, 1, enc, sizeof enc, &n), -1);
    assert_int_equal(iso7816_tlv_encode(0x04, NULL, 0, NULL, sizeof enc, &n), -1);
    assert_int_equal(iso7816_tlv_encode(0x04, NULL, 0, enc, sizeof enc, NULL), -1);
}

static void encode_wraps_a_value_built_in_place(void **state)
{
    (void)state;
    /* Build DF21 "abc" at out + header_size, then wrap it without a second buffer. */
    uint8_t buf[16];
    size_t h = iso7816_tlv_header_size(0xDF21, 3);
    memcpy(buf + h, "abc", 3);
    size_t n;
    assert_int_equal(iso7816_tlv_encode(0xDF21, buf + h, 3, buf, sizeof buf, &n), 0);
    static const uint8_t want[] = {0xDF, 0x21, 0x03, 'a', 'b', 'c'};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
}

static void encode_then_parse_returns_the_same_object(void **state)
{
    (void)state;
    static const uint32_t tags[] = {0x01, 0x30, 0x5F20, 0xDF21, 0xFF20, 0x9F7F, 0x5F8101, 0x7F818203};
    static const size_t lens[] = {0, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000};
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 31u);
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        for (size_t j = 0; j < sizeof lens / sizeof lens[0]; j++) {
            size_t n;
            assert_int_equal(iso7816_tlv_encode(tags[i], big, lens[j], enc, sizeof enc, &n), 0);
            struct iso7816_tlv t = parse_ok(enc, n, n);
            assert_int_equal(t.tag, tags[i]);
            assert_int_equal(t.len, lens[j]);
            assert_int_equal(t.header_len, iso7816_tlv_header_size(tags[i], lens[j]));
            assert_memory_equal(t.value, big, lens[j]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_byte_tag_short_length),
        cmocka_unit_test(bit_6_of_the_first_tag_byte_marks_constructed),
        cmocka_unit_test(two_byte_tag_when_low_five_bits_are_all_set),
        cmocka_unit_test(card_basic_info_ff20_is_a_valid_constructed_tag),
        cmocka_unit_test(three_byte_tag_follows_the_continuation_bit),
        cmocka_unit_test(four_byte_tag_is_the_longest_accepted),
        cmocka_unit_test(five_byte_tag_is_refused),
        cmocka_unit_test(tag_truncated_inside_its_continuation_is_refused),
        cmocka_unit_test(tag_without_length_byte_is_refused),
        cmocka_unit_test(tag_00_is_refused_as_padding),
        cmocka_unit_test(tag_with_leading_zero_subsequent_byte_80_is_refused),
        cmocka_unit_test(zero_length_value_points_past_the_header),
        cmocka_unit_test(length_7f_is_the_largest_short_form),
        cmocka_unit_test(length_81_takes_one_byte),
        cmocka_unit_test(length_82_takes_two_bytes),
        cmocka_unit_test(length_83_takes_three_bytes),
        cmocka_unit_test(length_84_takes_four_bytes),
        cmocka_unit_test(length_84_ffffffff_beyond_the_buffer_is_refused),
        cmocka_unit_test(non_minimal_long_length_is_accepted),
        cmocka_unit_test(indefinite_length_80_is_refused),
        cmocka_unit_test(length_85_and_above_is_refused),
        cmocka_unit_test(long_length_truncated_inside_its_bytes_is_refused),
        cmocka_unit_test(value_shorter_than_its_length_is_refused),
        cmocka_unit_test(trailing_bytes_after_one_tlv_are_left_unconsumed),
        cmocka_unit_test(empty_and_null_input_is_refused),
        cmocka_unit_test(find_returns_a_later_sibling),
        cmocka_unit_test(find_returns_the_first_of_repeated_tags),
        cmocka_unit_test(find_of_an_absent_tag_fails),
        cmocka_unit_test(find_does_not_descend_into_constructed_values),
        cmocka_unit_test(find_fails_on_garbage_before_the_tag),
        cmocka_unit_test(find_ignores_garbage_after_the_match),
        cmocka_unit_test(encode_short_length),
        cmocka_unit_test(encode_empty_value_may_be_null),
        cmocka_unit_test(encode_length_127_is_one_byte_and_128_takes_81),
        cmocka_unit_test(encode_length_255_is_81_and_256_takes_82),
        cmocka_unit_test(encode_length_65536_takes_83),
        cmocka_unit_test(header_size_picks_the_minimal_length_form),
        cmocka_unit_test(length_beyond_32_bits_has_no_header_and_does_not_encode),
        cmocka_unit_test(header_size_of_an_invalid_tag_is_zero),
        cmocka_unit_test(encode_refuses_invalid_tags),
        cmocka_unit_test(encode_four_byte_tag),
        cmocka_unit_test(encode_fails_when_one_byte_short),
        cmocka_unit_test(encode_refuses_null_arguments),
        cmocka_unit_test(encode_wraps_a_value_built_in_place),
        cmocka_unit_test(encode_then_parse_returns_the_same_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
