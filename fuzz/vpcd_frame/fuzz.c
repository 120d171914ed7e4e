/*
 * fuzz/vpcd_frame: the vpcd frame decoder (sim/pcsc/vpcd.c) over a byte stream. The first four bytes seed the
 * chunk sizes, the rest is what vpcd would send. The stream is decoded once in one piece and once in random
 * chunks (1..64 bytes, including splits inside the length prefix); both must give the same frames, and each
 * frame re-encoded must give back the bytes it came from. Every frame also goes through the dispatcher
 * against a card that only counts, which must never read past the frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcsc/pcsc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pcsc_vpcd_decoder whole_dec, split_dec;
static uint8_t reply[PCSC_VPCD_REPLY_MAX];

static size_t count_atr(void *ctx, uint8_t *out, size_t cap)
{
    (void)ctx;
    if (cap < 2)
        return 0;
    out[0] = 0x3B;
    out[1] = 0x00;
    return 2;
}
static void count_power(void *ctx)
{
    ++*(unsigned *)ctx;
}
static int count_transmit(void *ctx, const uint8_t *capdu, size_t len, uint8_t *rapdu, size_t cap,
                          size_t *rlen, struct core_error *err)
{
    (void)err;
    ++*(unsigned *)ctx;
    if (cap < 3 || len == 0)
        return 0;
    rapdu[0] = capdu[len - 1]; /* touches the last byte: ASan checks the bound */
    rapdu[1] = 0x90;
    rapdu[2] = 0x00;
    *rlen = 3;
    return 0;
}
static const struct pcsc_card_ops count_ops = {count_atr,   count_power,    count_power,
                                               count_power, count_transmit, NULL};

/* Serialises frames as prefix + payload: exactly the bytes they came from. */
static size_t decode(struct pcsc_vpcd_decoder *dec, const uint8_t *in, size_t len, uint32_t seed,
                     uint8_t *out, size_t *frames)
{
    pcsc_vpcd_decoder_init(dec);
    size_t o = 0, at = 0;
    *frames = 0;
    while (at < len) {
        size_t chunk = len - at;
        if (seed != 0) {
            seed = seed * 1103515245u + 12345u;
            size_t c = 1 + (seed >> 16) % 64;
            if (c < chunk)
                chunk = c;
        }
        size_t used = 0;
        while (used < chunk) {
            const uint8_t *f;
            size_t fl;
            size_t u = pcsc_vpcd_decoder_feed(dec, in + at + used, chunk - used, &f, &fl);
            if (u == 0)
                abort(); /* no progress would hang the server */
            used += u;
            if (f != NULL) {
                o += pcsc_vpcd_frame_encode(f, fl, out + o, len + 2 - o);
                ++*frames;
            }
        }
        at += chunk;
    }
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint32_t seed =
        ((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3]) | 1u;
    const uint8_t *in = data + 4;
    size_t len = size - 4;
    uint8_t *a = malloc(len + 2), *b = malloc(len + 2);
    if (a == NULL || b == NULL)
        abort();
    size_t fa, fb;
    size_t na = decode(&whole_dec, in, len, 0, a, &fa);
    size_t nb = decode(&split_dec, in, len, seed, b, &fb);
    if (na != nb || fa != fb || memcmp(a, b, na) != 0)
        abort();
    if (memcmp(a, in, na) != 0) /* frames are the stream's own bytes, in order */
        abort();
    if (pcsc_vpcd_decoder_idle(&whole_dec) != (na == len) ||
        pcsc_vpcd_decoder_idle(&whole_dec) != pcsc_vpcd_decoder_idle(&split_dec))
        abort();
    /* dispatch every frame */
    unsigned calls = 0;
    for (size_t at = 0; at < na;) {
        size_t fl = ((size_t)a[at] << 8) | a[at + 1];
        uint8_t *frame = malloc(fl ? fl : 1);
        if (frame == NULL)
            abort();
        memcpy(frame, a + at + 2, fl);
        size_t rlen = 0;
        int card_rc = 0;
        struct core_error err;
        core_error_clear(&err);
        enum pcsc_vpcd_action act =
            pcsc_vpcd_dispatch(&count_ops, &calls, frame, fl, reply, sizeof reply, &rlen, &card_rc, &err);
        if (act == PCSC_VPCD_REPLY &&
            (rlen < 2 || rlen > sizeof reply || ((size_t)reply[0] << 8 | reply[1]) != rlen - 2))
            abort();
        if ((fl == 0) != (act == PCSC_VPCD_MALFORMED) && fl != 1)
            abort();
        free(frame);
        at += 2 + fl;
    }
    free(a);
    free(b);
    return 0;
}
