/* Tests of sim/pcsc/vpcd.c: the vpcd frame decoder over split and glued byte streams, the frame encoder, and
 * the dispatcher of one frame to a card (a test double here: the decoder must not depend on the real card).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pcsc/pcsc.h"

/* ---- a test double card ---- */
struct double_card {
    int on, off, resets, apdus;
};

static size_t dc_atr(void *ctx, uint8_t *out, size_t cap)
{
    (void)ctx;
    static const uint8_t atr[] = {0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};
    assert_true(cap >= sizeof atr);
    memcpy(out, atr, sizeof atr);
    return sizeof atr;
}
static void dc_on(void *ctx)
{
    ((struct double_card *)ctx)->on++;
}
static void dc_off(void *ctx)
{
    ((struct double_card *)ctx)->off++;
}
static void dc_reset(void *ctx)
{
    ((struct double_card *)ctx)->resets++;
}
static CORE_MUST_USE int dc_transmit(void *ctx, const uint8_t *capdu, size_t len, uint8_t *rapdu, size_t cap,
                                     size_t *rlen, struct core_error *err)
{
    (void)err;
    ((struct double_card *)ctx)->apdus++;
    assert_true(cap >= len + 2);
    memcpy(rapdu, capdu, len); /* echo, then 9000 */
    rapdu[len] = 0x90;
    rapdu[len + 1] = 0x00;
    *rlen = len + 2;
    return 0;
}
static const struct pcsc_card_ops dc_ops = {dc_atr, dc_on, dc_off, dc_reset, dc_transmit, NULL};

/* Feeds a whole stream in chunks of `chunk` bytes and collects the frames' payloads concatenated, each
 * preceded by its length as one byte (the tests' frames are short). */
static size_t decode_all(const uint8_t *in, size_t len, size_t chunk, uint8_t *out, size_t *frames)
{
    struct pcsc_vpcd_decoder *dec = malloc(sizeof *dec);
    assert_non_null(dec);
    pcsc_vpcd_decoder_init(dec);
    size_t o = 0;
    *frames = 0;
    for (size_t at = 0; at < len; at += chunk) {
        size_t n = len - at < chunk ? len - at : chunk;
        size_t used = 0;
        while (used < n) {
            const uint8_t *f;
            size_t fl;
            size_t u = pcsc_vpcd_decoder_feed(dec, in + at + used, n - used, &f, &fl);
            assert_true(u > 0);
            used += u;
            if (f != NULL) {
                out[o++] = (uint8_t)fl;
                memcpy(out + o, f, fl);
                o += fl;
                ++*frames;
            }
        }
    }
    assert_true(pcsc_vpcd_decoder_idle(dec));
    free(dec);
    return o;
}

static void glued_control_codes_decode_as_separate_frames(void **state)
{
    (void)state;
    const uint8_t in[] = {0x00, 0x01, 0x02, 0x00, 0x01, 0x04};
    uint8_t out[16];
    size_t frames;
    size_t n = decode_all(in, sizeof in, sizeof in, out, &frames);
    assert_int_equal(frames, 2);
    assert_int_equal(n, 4);
    const uint8_t want[] = {1, 0x02, 1, 0x04};
    assert_memory_equal(out, want, sizeof want);
}

static void frames_split_at_every_byte_decode_the_same(void **state)
{
    (void)state;
    const uint8_t in[] = {0x00, 0x05, 0x00, 0xA4, 0x04, 0x00, 0x00, 0x00, 0x01,
                          0x04, 0x00, 0x00, 0x00, 0x04, 0x00, 0xB0, 0x00, 0x00};
    uint8_t one[64], split[64];
    size_t f1, f2;
    size_t n1 = decode_all(in, sizeof in, sizeof in, one, &f1);
    for (size_t chunk = 1; chunk < sizeof in; chunk++) {
        size_t n2 = decode_all(in, sizeof in, chunk, split, &f2);
        assert_int_equal(f1, f2);
        assert_int_equal(n1, n2);
        assert_memory_equal(one, split, n1);
    }
    assert_int_equal(f1, 4); /* an APDU, a get-ATR, an empty frame, a 4-byte APDU */
}

static void a_partial_frame_is_not_idle_and_yields_nothing(void **state)
{
    (void)state;
    struct pcsc_vpcd_decoder *dec = malloc(sizeof *dec);
    assert_non_null(dec);
    pcsc_vpcd_decoder_init(dec);
    const uint8_t in[] = {0x01, 0x00, 0xAA};
    const uint8_t *f;
    size_t fl;
    assert_int_equal(pcsc_vpcd_decoder_feed(dec, in, sizeof in, &f, &fl), 3);
    assert_null(f);
    assert_false(pcsc_vpcd_decoder_idle(dec));
    free(dec);
}

static void the_longest_frame_fits(void **state)
{
    (void)state;
    size_t len = 2 + PCSC_VPCD_FRAME_MAX;
    uint8_t *in = malloc(len);
    assert_non_null(in);
    memset(in, 0x5A, len);
    in[0] = 0xFF;
    in[1] = 0xFF;
    struct pcsc_vpcd_decoder *dec = malloc(sizeof *dec);
    assert_non_null(dec);
    pcsc_vpcd_decoder_init(dec);
    const uint8_t *f;
    size_t fl;
    assert_int_equal(pcsc_vpcd_decoder_feed(dec, in, len, &f, &fl), len);
    assert_non_null(f);
    assert_int_equal(fl, PCSC_VPCD_FRAME_MAX);
    assert_int_equal(f[PCSC_VPCD_FRAME_MAX - 1], 0x5A);
    free(dec);
    free(in);
}

static void encode_writes_the_big_endian_length(void **state)
{
    (void)state;
    uint8_t out[8];
    const uint8_t p[] = {0x90, 0x00};
    assert_int_equal(pcsc_vpcd_frame_encode(p, 2, out, sizeof out), 4);
    const uint8_t want[] = {0x00, 0x02, 0x90, 0x00};
    assert_memory_equal(out, want, 4);
    assert_int_equal(pcsc_vpcd_frame_encode(p, 2, out, 3), 0);
    assert_int_equal(pcsc_vpcd_frame_encode(NULL, 0, out, 2), 2);
}

static enum pcsc_vpcd_action dispatch(struct double_card *dc, const uint8_t *f, size_t n, uint8_t *reply,
                                      size_t *rlen)
{
    int card_rc = 0;
    struct core_error err;
    core_error_clear(&err);
    enum pcsc_vpcd_action a =
        pcsc_vpcd_dispatch(&dc_ops, dc, f, n, reply, PCSC_VPCD_REPLY_MAX, rlen, &card_rc, &err);
    assert_int_equal(card_rc, 0);
    return a;
}

static void control_codes_reach_the_card_without_reply(void **state)
{
    (void)state;
    struct double_card dc = {0};
    uint8_t *reply = malloc(PCSC_VPCD_REPLY_MAX);
    assert_non_null(reply);
    size_t rlen;
    const uint8_t on = 1, off = 0, rst = 2;
    assert_int_equal(dispatch(&dc, &on, 1, reply, &rlen), PCSC_VPCD_NO_REPLY);
    assert_int_equal(dispatch(&dc, &off, 1, reply, &rlen), PCSC_VPCD_NO_REPLY);
    assert_int_equal(dispatch(&dc, &rst, 1, reply, &rlen), PCSC_VPCD_NO_REPLY);
    assert_int_equal(rlen, 0);
    assert_int_equal(dc.on, 1);
    assert_int_equal(dc.off, 1);
    assert_int_equal(dc.resets, 1);
    free(reply);
}

static void get_atr_answers_a_framed_atr(void **state)
{
    (void)state;
    struct double_card dc = {0};
    uint8_t *reply = malloc(PCSC_VPCD_REPLY_MAX);
    assert_non_null(reply);
    size_t rlen;
    const uint8_t atr = 4;
    assert_int_equal(dispatch(&dc, &atr, 1, reply, &rlen), PCSC_VPCD_REPLY);
    const uint8_t want[] = {0x00, 0x09, 0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};
    assert_int_equal(rlen, sizeof want);
    assert_memory_equal(reply, want, sizeof want);
    free(reply);
}

static void an_apdu_is_answered_by_a_framed_rapdu(void **state)
{
    (void)state;
    struct double_card dc = {0};
    uint8_t *reply = malloc(PCSC_VPCD_REPLY_MAX);
    assert_non_null(reply);
    size_t rlen;
    const uint8_t apdu[] = {0x00, 0xB0, 0x00, 0x00, 0x04};
    assert_int_equal(dispatch(&dc, apdu, sizeof apdu, reply, &rlen), PCSC_VPCD_REPLY);
    const uint8_t want[] = {0x00, 0x07, 0x00, 0xB0, 0x00, 0x00, 0x04, 0x90, 0x00};
    assert_int_equal(rlen, sizeof want);
    assert_memory_equal(reply, want, sizeof want);
    assert_int_equal(dc.apdus, 1);
    free(reply);
}

static void empty_frames_and_unknown_control_codes_are_malformed(void **state)
{
    (void)state;
    struct double_card dc = {0};
    uint8_t *reply = malloc(PCSC_VPCD_REPLY_MAX);
    assert_non_null(reply);
    size_t rlen;
    const uint8_t three = 3, ff = 0xFF;
    assert_int_equal(dispatch(&dc, NULL, 0, reply, &rlen), PCSC_VPCD_MALFORMED);
    assert_int_equal(dispatch(&dc, &three, 1, reply, &rlen), PCSC_VPCD_MALFORMED);
    assert_int_equal(dispatch(&dc, &ff, 1, reply, &rlen), PCSC_VPCD_MALFORMED);
    assert_int_equal(dc.on + dc.off + dc.resets + dc.apdus, 0);
    free(reply);
}

static void host_port_parses_and_rejects(void **state)
{
    (void)state;
    char host[64];
    unsigned port = 0;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(pcsc_parse_host_port("127.0.0.1:35963", host, sizeof host, &port, &err), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 35963);
    assert_int_equal(pcsc_parse_host_port("[::1]:99", host, sizeof host, &port, &err), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 99);
    assert_int_not_equal(pcsc_parse_host_port("localhost", host, sizeof host, &port, &err), 0);
    assert_int_not_equal(pcsc_parse_host_port("localhost:0", host, sizeof host, &port, &err), 0);
    assert_int_not_equal(pcsc_parse_host_port("localhost:65536", host, sizeof host, &port, &err), 0);
    assert_int_not_equal(pcsc_parse_host_port("localhost:12x", host, sizeof host, &port, &err), 0);
    assert_int_not_equal(pcsc_parse_host_port(":12", host, sizeof host, &port, &err), 0);
    assert_int_not_equal(pcsc_parse_host_port("localhost:-1", host, sizeof host, &port, &err), 0);
    assert_int_not_equal(pcsc_parse_host_port("averyveryveryverylonghostname:1", host, 8, &port, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(glued_control_codes_decode_as_separate_frames),
        cmocka_unit_test(frames_split_at_every_byte_decode_the_same),
        cmocka_unit_test(a_partial_frame_is_not_idle_and_yields_nothing),
        cmocka_unit_test(the_longest_frame_fits),
        cmocka_unit_test(encode_writes_the_big_endian_length),
        cmocka_unit_test(control_codes_reach_the_card_without_reply),
        cmocka_unit_test(get_atr_answers_a_framed_atr),
        cmocka_unit_test(an_apdu_is_answered_by_a_framed_rapdu),
        cmocka_unit_test(empty_frames_and_unknown_control_codes_are_malformed),
        cmocka_unit_test(host_port_parses_and_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
