/*
 * Unit tests for sim/iso7816/apdu.c: the four cases in short and extended form, each length boundary
 * (Lc 255/256, Le 256/65536), and every inconsistent length the parser must answer with 6700. Byte strings
 * are written out in full so each test reads as the APDU it is about.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iso7816/iso7816.h"

/* Large enough for the largest command APDU; static so no test puts 64 KiB on the stack. */
static uint8_t big[ISO7816_MAX_CAPDU + 8];
static uint8_t enc[ISO7816_MAX_CAPDU + 8];

static struct iso7816_apdu parse_ok(const uint8_t *buf, size_t len)
{
    struct iso7816_apdu a;
    memset(&a, 0xA5, sizeof a);
    assert_int_equal(iso7816_apdu_parse(buf, len, &a), 0);
    return a;
}

static void assert_wrong_length(const uint8_t *buf, size_t len)
{
    struct iso7816_apdu a;
    memset(&a, 0xA5, sizeof a);
    struct iso7816_apdu before = a;
    assert_int_equal(iso7816_apdu_parse(buf, len, &a), ISO7816_SW_WRONG_LENGTH);
    assert_memory_equal(&a, &before, sizeof a);
}

/* Encodes `a` and requires the exact bytes `want`. */
static void assert_encodes_to(const struct iso7816_apdu *a, const uint8_t *want, size_t want_len)
{
    size_t n = 0;
    assert_int_equal(iso7816_apdu_encode(a, enc, sizeof enc, &n), 0);
    assert_int_equal(n, want_len);
    assert_memory_equal(enc, want, want_len);
}

/* A parse of `buf` re-encodes to the same bytes: the codec is a bijection on valid APDUs. */
static void assert_round_trips(const uint8_t *buf, size_t len)
{
    struct iso7816_apdu a = parse_ok(buf, len);
    assert_encodes_to(&a, buf, len);
}

/* Fills `big` with header + 00 + Lc(2) + nc data bytes (+ Le(2) when with_le). Returns the length. */
static size_t make_extended(size_t nc, bool with_le, uint16_t le)
{
    static const uint8_t hdr[] = {0x80, 0x2A, 0x00, 0x80, 0x00};
    memcpy(big, hdr, sizeof hdr);
    big[5] = (uint8_t)(nc >> 8);
    big[6] = (uint8_t)nc;
    for (size_t i = 0; i < nc; i++)
        big[7 + i] = (uint8_t)(i * 7u + 1u);
    size_t len = 7 + nc;
    if (with_le) {
        big[len++] = (uint8_t)(le >> 8);
        big[len++] = (uint8_t)le;
    }
    return len;
}

/* ---- parse: the four cases, short ---------------------------------------------------------------------- */

static void case1_is_header_only(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0x20, 0x00, 0x80};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.cla, 0x00);
    assert_int_equal(a.ins, 0x20);
    assert_int_equal(a.p1, 0x00);
    assert_int_equal(a.p2, 0x80);
    assert_int_equal(a.apdu_case, 1);
    assert_int_equal(a.nc, 0);
    assert_int_equal(a.ne, 0);
    assert_false(a.has_le);
    assert_false(a.extended);
    assert_non_null(a.data);
    assert_round_trips(b, sizeof b);
}

static void five_bytes_is_case2_short(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xB0, 0x00, 0x00, 0x04};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 2);
    assert_int_equal(a.nc, 0);
    assert_true(a.has_le);
    assert_int_equal(a.ne, 4);
    assert_false(a.extended);
    assert_non_null(a.data);
    assert_round_trips(b, sizeof b);
}

static void short_case2_with_le_00_means_256(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xB0, 0x00, 0x00, 0x00};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 2);
    assert_int_equal(a.ne, 256);
    assert_false(a.extended);
    assert_round_trips(b, sizeof b);
}

static void short_case2_with_le_ff_means_255(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xB0, 0x00, 0x00, 0xFF};
    assert_int_equal(parse_ok(b, sizeof b).ne, 255);
}

static void short_case3_carries_lc_data_bytes(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 3);
    assert_int_equal(a.nc, 2);
    assert_ptr_equal(a.data, b + 5);
    assert_false(a.has_le);
    assert_int_equal(a.ne, 0);
    assert_false(a.extended);
    assert_round_trips(b, sizeof b);
}

static void short_case3_with_lc_1_is_six_bytes(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xA4, 0x02, 0x0C, 0x01, 0x3F};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 3);
    assert_int_equal(a.nc, 1);
    assert_int_equal(a.data[0], 0x3F);
}

static void short_case4_has_trailing_le(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x80, 0x2A, 0x00, 0x80, 0x03, 0x01, 0x02, 0x03, 0x10};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 4);
    assert_int_equal(a.nc, 3);
    assert_ptr_equal(a.data, b + 5);
    assert_true(a.has_le);
    assert_int_equal(a.ne, 0x10);
    assert_false(a.extended);
    assert_round_trips(b, sizeof b);
}

static void short_case4_with_le_00_means_256(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x80, 0x2A, 0x00, 0x80, 0x01, 0xAA, 0x00};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 4);
    assert_int_equal(a.nc, 1);
    assert_int_equal(a.ne, 256);
    assert_round_trips(b, sizeof b);
}

static void short_case3_with_lc_255_is_the_largest_short_body(void **state)
{
    (void)state;
    big[0] = 0x00;
    big[1] = 0xD6;
    big[2] = 0x00;
    big[3] = 0x00;
    big[4] = 0xFF;
    memset(big + 5, 0x5A, 255);
    struct iso7816_apdu a = parse_ok(big, 5 + 255);
    assert_int_equal(a.apdu_case, 3);
    assert_int_equal(a.nc, 255);
    assert_false(a.extended);
    assert_round_trips(big, 5 + 255);
    big[5 + 255] = 0x00;
    a = parse_ok(big, 5 + 255 + 1);
    assert_int_equal(a.apdu_case, 4);
    assert_int_equal(a.ne, 256);
    assert_round_trips(big, 5 + 255 + 1);
}

/* ---- parse: the four cases, extended ------------------------------------------------------------------- */

static void seven_bytes_with_00_after_header_is_case2_extended(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x00};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 2);
    assert_true(a.extended);
    assert_true(a.has_le);
    assert_int_equal(a.ne, 256);
    assert_int_equal(a.nc, 0);
    assert_non_null(a.data);
    assert_round_trips(b, sizeof b);
}

static void extended_case2_with_le_0000_means_65536(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 2);
    assert_int_equal(a.ne, 65536);
    assert_true(a.extended);
    assert_round_trips(b, sizeof b);
}

static void extended_case2_with_le_ffff_means_65535(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xB0, 0x00, 0x00, 0x00, 0xFF, 0xFF};
    assert_int_equal(parse_ok(b, sizeof b).ne, 65535);
}

static void extended_case3_carries_two_byte_lc(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x02, 0xCA, 0xFE};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 3);
    assert_true(a.extended);
    assert_int_equal(a.nc, 2);
    assert_ptr_equal(a.data, b + 7);
    assert_false(a.has_le);
    assert_round_trips(b, sizeof b);
}

static void extended_case3_with_lc_1_is_eight_bytes(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x01, 0x42};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 3);
    assert_int_equal(a.nc, 1);
    assert_true(a.extended);
}

static void extended_case4_has_two_byte_le_without_leading_00(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x80, 0x2A, 0x00, 0x80, 0x00, 0x00, 0x01, 0x33, 0x01, 0x00};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 4);
    assert_true(a.extended);
    assert_int_equal(a.nc, 1);
    assert_int_equal(a.data[0], 0x33);
    assert_int_equal(a.ne, 256);
    assert_round_trips(b, sizeof b);
}

static void extended_case4_with_le_0000_means_65536(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x80, 0x2A, 0x00, 0x80, 0x00, 0x00, 0x02, 0x01, 0x02, 0x00, 0x00};
    struct iso7816_apdu a = parse_ok(b, sizeof b);
    assert_int_equal(a.apdu_case, 4);
    assert_int_equal(a.ne, 65536);
    assert_round_trips(b, sizeof b);
}

static void extended_case3_with_lc_256_is_the_smallest_body_that_needs_extended(void **state)
{
    (void)state;
    size_t len = make_extended(256, false, 0);
    struct iso7816_apdu a = parse_ok(big, len);
    assert_int_equal(a.apdu_case, 3);
    assert_int_equal(a.nc, 256);
    assert_true(a.extended);
    assert_round_trips(big, len);
}

static void extended_case4_with_lc_65535_and_le_65536_is_the_largest_apdu(void **state)
{
    (void)state;
    size_t len = make_extended(65535, true, 0);
    /* 4 + 3 + 65535 + 2: ISO7816_MAX_CAPDU (one byte more) is a buffer size that holds it. */
    assert_int_equal(len, 65544);
    assert_true(len <= ISO7816_MAX_CAPDU);
    struct iso7816_apdu a = parse_ok(big, len);
    assert_int_equal(a.apdu_case, 4);
    assert_int_equal(a.nc, 65535);
    assert_int_equal(a.ne, 65536);
    assert_round_trips(big, len);
}

static void extended_form_may_carry_short_sized_lengths(void **state)
{
    (void)state;
    /* Extended with Lc 2 and Le 3: legal, and re-encodes extended because the flag is kept. */
    size_t len = make_extended(2, true, 3);
    struct iso7816_apdu a = parse_ok(big, len);
    assert_true(a.extended);
    assert_int_equal(a.ne, 3);
    assert_round_trips(big, len);
}

/* ---- parse: inconsistent lengths ----------------------------------------------------------------------- */

static void fewer_than_four_bytes_is_wrong_length(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xA4, 0x04};
    assert_wrong_length(b, 0);
    assert_wrong_length(b, 1);
    assert_wrong_length(b, 3);
}

static void null_buffer_is_wrong_length(void **state)
{
    (void)state;
    struct iso7816_apdu a;
    assert_int_equal(iso7816_apdu_parse(NULL, 10, &a), ISO7816_SW_WRONG_LENGTH);
}

static void null_output_is_unknown_error(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xA4, 0x04, 0x00};
    assert_int_equal(iso7816_apdu_parse(b, sizeof b, NULL), ISO7816_SW_UNKNOWN);
}

static void six_bytes_with_00_after_header_is_wrong_length(void **state)
{
    (void)state;
    /* Not case 3 short with Lc 0 (no such thing), and too short for any extended body. */
    static const uint8_t b[] = {0x00, 0xA4, 0x04, 0x00, 0x00, 0x01};
    assert_wrong_length(b, sizeof b);
}

static void short_lc_with_truncated_data_is_wrong_length(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0};
    assert_wrong_length(b, sizeof b);
}

static void short_case4_with_trailing_garbage_is_wrong_length(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A, 0x00, 0x00};
    assert_wrong_length(b, sizeof b);
}

static void extended_lc_0000_is_wrong_length(void **state)
{
    (void)state;
    static const uint8_t no_le[] = {0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t with_le[] = {0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00};
    assert_wrong_length(no_le, sizeof no_le);
    assert_wrong_length(with_le, sizeof with_le);
}

static void extended_lc_with_truncated_data_is_wrong_length(void **state)
{
    (void)state;
    size_t len = make_extended(300, false, 0);
    assert_wrong_length(big, len - 1);
    static const uint8_t b[] = {0x00, 0xD6, 0x00, 0x00, 0x00, 0x01, 0x00, 0xAA};
    assert_wrong_length(b, sizeof b);
}

static void extended_case4_with_one_byte_le_is_wrong_length(void **state)
{
    (void)state;
    size_t len = make_extended(4, false, 0);
    big[len] = 0x10;
    assert_wrong_length(big, len + 1);
}

static void extended_case4_with_trailing_garbage_is_wrong_length(void **state)
{
    (void)state;
    size_t len = make_extended(4, true, 0x100);
    big[len] = 0x00;
    assert_wrong_length(big, len + 1);
}

static void extended_lc_larger_than_the_buffer_is_wrong_length(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0xD6, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x01, 0x02, 0x03};
    assert_wrong_length(b, sizeof b);
}

/* ---- encode -------------------------------------------------------------------------------------------- */

static void encode_case1(void **state)
{
    (void)state;
    struct iso7816_apdu a = {.cla = 0x00, .ins = 0x20, .p1 = 0x00, .p2 = 0x80};
    static const uint8_t want[] = {0x00, 0x20, 0x00, 0x80};
    assert_encodes_to(&a, want, sizeof want);
}

static void encode_case1_ignores_the_extended_flag(void **state)
{
    (void)state;
    struct iso7816_apdu a = {.cla = 0x00, .ins = 0x20, .p1 = 0x00, .p2 = 0x80, .extended = true};
    static const uint8_t want[] = {0x00, 0x20, 0x00, 0x80};
    assert_encodes_to(&a, want, sizeof want);
}

static void encode_ne_256_short_is_le_00(void **state)
{
    (void)state;
    struct iso7816_apdu a = {.ins = 0xB0, .ne = 256, .has_le = true, .apdu_case = 2};
    static const uint8_t want[] = {0x00, 0xB0, 0x00, 0x00, 0x00};
    assert_encodes_to(&a, want, sizeof want);
}

static void encode_ne_257_switches_to_extended(void **state)
{
    (void)state;
    struct iso7816_apdu a = {.ins = 0xB0, .ne = 257, .has_le = true};
    static const uint8_t want[] = {0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x01};
    assert_encodes_to(&a, want, sizeof want);
}

static void encode_ne_65536_is_extended_le_0000(void **state)
{
    (void)state;
    struct iso7816_apdu a = {.ins = 0xB0, .ne = 65536, .has_le = true};
    static const uint8_t want[] = {0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00};
    assert_encodes_to(&a, want, sizeof want);
}

static void encode_case3_short(void **state)
{
    (void)state;
    static const uint8_t fid[] = {0x00, 0x0A};
    struct iso7816_apdu a = {.ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .data = fid, .nc = 2, .apdu_case = 3};
    static const uint8_t want[] = {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A};
    assert_encodes_to(&a, want, sizeof want);
}

static void encode_case4_short(void **state)
{
    (void)state;
    static const uint8_t d[] = {0x01};
    struct iso7816_apdu a = {
        .cla = 0x80, .ins = 0x2A, .p2 = 0x80, .data = d, .nc = 1, .ne = 256, .has_le = true};
    static const uint8_t want[] = {0x80, 0x2A, 0x00, 0x80, 0x01, 0x01, 0x00};
    assert_encodes_to(&a, want, sizeof want);
}

static void encode_case3_extended_when_asked(void **state)
{
    (void)state;
    static const uint8_t d[] = {0xCA, 0xFE};
    struct iso7816_apdu a = {.ins = 0xD6, .data = d, .nc = 2, .extended = true};
    static const uint8_t want[] = {0x00, 0xD6, 0x00, 0x00, 0x00, 0x00, 0x02, 0xCA, 0xFE};
    assert_encodes_to(&a, want, sizeof want);
}

static void encode_case4_with_lc_256_switches_to_extended(void **state)
{
    (void)state;
    static uint8_t d[256];
    memset(d, 0x11, sizeof d);
    struct iso7816_apdu a = {.cla = 0x80, .ins = 0x2A, .data = d, .nc = 256, .ne = 2, .has_le = true};
    size_t n = 0;
    assert_int_equal(iso7816_apdu_encode(&a, enc, sizeof enc, &n), 0);
    assert_int_equal(n, 4 + 3 + 256 + 2);
    assert_int_equal(enc[4], 0x00);
    assert_int_equal(enc[5], 0x01);
    assert_int_equal(enc[6], 0x00);
    assert_int_equal(enc[7 + 256], 0x00);
    assert_int_equal(enc[8 + 256], 0x02);
}

static void encode_fails_when_the_buffer_is_one_byte_short(void **state)
{
    (void)state;
    static const uint8_t d[] = {0x01, 0x02};
    struct iso7816_apdu a = {.ins = 0xD6, .data = d, .nc = 2, .ne = 1, .has_le = true};
    size_t n = 99;
    assert_int_equal(iso7816_apdu_encode(&a, enc, 7, &n), -1);
    assert_int_equal(n, 99);
    assert_int_equal(iso7816_apdu_encode(&a, enc, 8, &n), 0);
    assert_int_equal(n, 8);
}

static void encode_rejects_out_of_range_fields(void **state)
{
    (void)state;
    size_t n;
    struct iso7816_apdu a = {.ins = 0xD6, .data = big, .nc = 65536};
    assert_int_equal(iso7816_apdu_encode(&a, enc, sizeof enc, &n), -1);
    struct iso7816_apdu b = {.ins = 0xB0, .ne = 65537, .has_le = true};
    assert_int_equal(iso7816_apdu_encode(&b, enc, sizeof enc, &n), -1);
}

static void encode_rejects_has_le_disagreeing_with_ne(void **state)
{
    (void)state;
    size_t n;
    struct iso7816_apdu a = {.ins = 0xB0, .ne = 4};
    assert_int_equal(iso7816_apdu_encode(&a, enc, sizeof enc, &n), -1);
    struct iso7816_apdu b = {.ins = 0xB0, .has_le = true};
    assert_int_equal(iso7816_apdu_encode(&b, enc, sizeof enc, &n), -1);
}

static void encode_rejects_data_null_with_nc(void **state)
{
    (void)state;
    size_t n;
    struct iso7816_apdu a = {.ins = 0xD6, .nc = 1};
    assert_int_equal(iso7816_apdu_encode(&a, enc, sizeof enc, &n), -1);
}

static void encode_rejects_a_case_that_disagrees_with_the_fields(void **state)
{
    (void)state;
    size_t n;
    struct iso7816_apdu a = {.ins = 0xB0, .ne = 4, .has_le = true, .apdu_case = 4};
    assert_int_equal(iso7816_apdu_encode(&a, enc, sizeof enc, &n), -1);
}

static void encode_rejects_null_arguments(void **state)
{
    (void)state;
    size_t n;
    struct iso7816_apdu a = {.ins = 0xB0};
    assert_int_equal(iso7816_apdu_encode(NULL, enc, sizeof enc, &n), -1);
    assert_int_equal(iso7816_apdu_encode(&a, NULL, sizeof enc, &n), -1);
    assert_int_equal(iso7816_apdu_encode(&a, enc, sizeof enc, NULL), -1);
}

static void encode_accepts_data_already_inside_the_output(void **state)
{
    (void)state;
    /* Data built where a short case-3 body goes (offset 5): re-encoding in place must leave it intact. */
    uint8_t buf[16] = {0};
    memcpy(buf + 5, "\x01\x02\x03", 3);
    struct iso7816_apdu a = {.ins = 0xD6, .data = buf + 5, .nc = 3};
    size_t n;
    assert_int_equal(iso7816_apdu_encode(&a, buf, sizeof buf, &n), 0);
    static const uint8_t want[] = {0x00, 0xD6, 0x00, 0x00, 0x03, 0x01, 0x02, 0x03};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(buf, want, sizeof want);
}

/* ---- response APDUs ------------------------------------------------------------------------------------ */

static void rapdu_split_separates_data_and_status_word(void **state)
{
    (void)state;
    static const uint8_t r[] = {0x30, 0x82, 0x04, 0x00, 0x90, 0x00};
    const uint8_t *d = NULL;
    size_t dl = 0;
    uint16_t sw = 0;
    assert_int_equal(iso7816_rapdu_split(r, sizeof r, &d, &dl, &sw), 0);
    assert_ptr_equal(d, r);
    assert_int_equal(dl, 4);
    assert_int_equal(sw, ISO7816_SW_OK);
}

static void rapdu_split_of_bare_status_word_has_no_data(void **state)
{
    (void)state;
    static const uint8_t r[] = {0x63, 0xC3};
    size_t dl = 99;
    uint16_t sw = 0;
    assert_int_equal(iso7816_rapdu_split(r, sizeof r, NULL, &dl, &sw), 0);
    assert_int_equal(dl, 0);
    assert_int_equal(sw, ISO7816_SW_VERIFY_FAILED | 3);
    assert_int_equal(iso7816_rapdu_split(r, sizeof r, NULL, NULL, NULL), 0);
}

static void rapdu_split_refuses_fewer_than_two_bytes(void **state)
{
    (void)state;
    static const uint8_t r[] = {0x90};
    uint16_t sw = 0x1234;
    assert_int_equal(iso7816_rapdu_split(r, sizeof r, NULL, NULL, &sw), -1);
    assert_int_equal(iso7816_rapdu_split(r, 0, NULL, NULL, &sw), -1);
    assert_int_equal(iso7816_rapdu_split(NULL, 2, NULL, NULL, &sw), -1);
    assert_int_equal(sw, 0x1234);
}

/* ---- exhaustive: every short APDU shape up to 8 bytes -------------------------------------------------- */

static void every_small_apdu_either_round_trips_or_is_wrong_length(void **state)
{
    (void)state;
    /* All body bytes drawn from the values that steer the parser (00, 01, 02, 03, FF), all lengths 4..9. */
    static const uint8_t vals[] = {0x00, 0x01, 0x02, 0x03, 0xFF};
    uint8_t b[9] = {0x00, 0xB0, 0x00, 0x00};
    for (size_t len = 4; len <= sizeof b; len++) {
        size_t body = len - 4, combos = 1;
        for (size_t i = 0; i < body; i++)
            combos *= sizeof vals;
        for (size_t c = 0; c < combos; c++) {
            size_t k = c;
            for (size_t i = 0; i < body; i++, k /= sizeof vals)
                b[4 + i] = vals[k % sizeof vals];
            struct iso7816_apdu a;
            int rc = iso7816_apdu_parse(b, len, &a);
            if (rc != 0) {
                assert_int_equal(rc, ISO7816_SW_WRONG_LENGTH);
                continue;
            }
            assert_true(a.data >= b && a.data + a.nc <= b + len);
            assert_encodes_to(&a, b, len);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(case1_is_header_only),
        cmocka_unit_test(five_bytes_is_case2_short),
        cmocka_unit_test(short_case2_with_le_00_means_256),
        cmocka_unit_test(short_case2_with_le_ff_means_255),
        cmocka_unit_test(short_case3_carries_lc_data_bytes),
        cmocka_unit_test(short_case3_with_lc_1_is_six_bytes),
        cmocka_unit_test(short_case4_has_trailing_le),
        cmocka_unit_test(short_case4_with_le_00_means_256),
        cmocka_unit_test(short_case3_with_lc_255_is_the_largest_short_body),
        cmocka_unit_test(seven_bytes_with_00_after_header_is_case2_extended),
        cmocka_unit_test(extended_case2_with_le_0000_means_65536),
        cmocka_unit_test(extended_case2_with_le_ffff_means_65535),
        cmocka_unit_test(extended_case3_carries_two_byte_lc),
        cmocka_unit_test(extended_case3_with_lc_1_is_eight_bytes),
        cmocka_unit_test(extended_case4_has_two_byte_le_without_leading_00),
        cmocka_unit_test(extended_case4_with_le_0000_means_65536),
        cmocka_unit_test(extended_case3_with_lc_256_is_the_smallest_body_that_needs_extended),
        cmocka_unit_test(extended_case4_with_lc_65535_and_le_65536_is_the_largest_apdu),
        cmocka_unit_test(extended_form_may_carry_short_sized_lengths),
        cmocka_unit_test(fewer_than_four_bytes_is_wrong_length),
        cmocka_unit_test(null_buffer_is_wrong_length),
        cmocka_unit_test(null_output_is_unknown_error),
        cmocka_unit_test(six_bytes_with_00_after_header_is_wrong_length),
        cmocka_unit_test(short_lc_with_truncated_data_is_wrong_length),
        cmocka_unit_test(short_case4_with_trailing_garbage_is_wrong_length),
        cmocka_unit_test(extended_lc_0000_is_wrong_length),
        cmocka_unit_test(extended_lc_with_truncated_data_is_wrong_length),
        cmocka_unit_test(extended_case4_with_one_byte_le_is_wrong_length),
        cmocka_unit_test(extended_case4_with_trailing_garbage_is_wrong_length),
        cmocka_unit_test(extended_lc_larger_than_the_buffer_is_wrong_length),
        cmocka_unit_test(encode_case1),
        cmocka_unit_test(encode_case1_ignores_the_extended_flag),
        cmocka_unit_test(encode_ne_256_short_is_le_00),
        cmocka_unit_test(encode_ne_257_switches_to_extended),
        cmocka_unit_test(encode_ne_65536_is_extended_le_0000),
        cmocka_unit_test(encode_case3_short),
        cmocka_unit_test(encode_case4_short),
        cmocka_unit_test(encode_case3_extended_when_asked),
        cmocka_unit_test(encode_case4_with_lc_256_switches_to_extended),
        cmocka_unit_test(encode_fails_when_the_buffer_is_one_byte_short),
        cmocka_unit_test(encode_rejects_out_of_range_fields),
        cmocka_unit_test(encode_rejects_has_le_disagreeing_with_ne),
        cmocka_unit_test(encode_rejects_data_null_with_nc),
        cmocka_unit_test(encode_rejects_a_case_that_disagrees_with_the_fields),
        cmocka_unit_test(encode_rejects_null_arguments),
        cmocka_unit_test(encode_accepts_data_already_inside_the_output),
        cmocka_unit_test(rapdu_split_separates_data_and_status_word),
        cmocka_unit_test(rapdu_split_of_bare_status_word_has_no_data),
        cmocka_unit_test(rapdu_split_refuses_fewer_than_two_bytes),
        cmocka_unit_test(every_small_apdu_either_round_trips_or_is_wrong_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
