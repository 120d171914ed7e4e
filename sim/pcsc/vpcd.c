/*
 * vpcd.c: the pure half of the vpcd protocol. A frame decoder over a byte stream and a dispatcher from one
 * frame to the card's answer.
 *
 * vpcd's messages are a 2-byte big-endian length and a payload. TCP gives no message boundaries: vpcd's two
 * writes (length, then payload) may arrive apart, and its presence polls may arrive glued ("00 01 02 00 01
 * 04"). The decoder is therefore a small state machine that consumes bytes up to the end of one frame at a
 * time and keeps the partial frame in its own buffer; it never allocates, and since the length prefix is 16
 * bits the buffer always fits. No I/O here: the server (serve.c) owns the socket, the fuzzer owns the bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcsc/pcsc.h"

void pcsc_vpcd_decoder_init(struct pcsc_vpcd_decoder *dec)
{
    dec->have = 0;
    dec->need = 0;
}

bool pcsc_vpcd_decoder_idle(const struct pcsc_vpcd_decoder *dec)
{
    return dec->have == 0;
}

size_t pcsc_vpcd_decoder_feed(struct pcsc_vpcd_decoder *dec, const uint8_t *data, size_t len,
                              const uint8_t **frame, size_t *frame_len)
{
    size_t used = 0;
    *frame = NULL;
    *frame_len = 0;
    while (used < len) {
        if (dec->have < 2) {
            dec->buf[dec->have++] = data[used++];
            if (dec->have == 2)
                dec->need = ((size_t)dec->buf[0] << 8) | dec->buf[1];
            else
                continue;
        } else {
            size_t want = 2 + dec->need - dec->have;
            size_t take = len - used < want ? len - used : want;
            memcpy(dec->buf + dec->have, data + used, take);
            dec->have += take;
            used += take;
        }
        if (dec->have == 2 + dec->need) {
            *frame = dec->buf + 2;
            *frame_len = dec->need;
            dec->have = 0;
            dec->need = 0;
            return used;
        }
    }
    return used;
}

size_t pcsc_vpcd_frame_encode(const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
    if (len > PCSC_VPCD_FRAME_MAX || cap < len + 2)
        return 0;
    out[0] = (uint8_t)(len >> 8);
    out[1] = (uint8_t)len;
    if (len > 0)
        memcpy(out + 2, payload, len);
    return len + 2;
}

enum pcsc_vpcd_action pcsc_vpcd_dispatch(const struct pcsc_card_ops *ops, void *ctx, const uint8_t *frame,
                                         size_t len, uint8_t *reply, size_t cap, size_t *reply_len,
                                         int *card_rc, struct core_error *err)
{
    *reply_len = 0;
    *card_rc = 0;
    if (len == 0 || cap < PCSC_VPCD_REPLY_MAX)
        return PCSC_VPCD_MALFORMED;
    if (len == 1) {
        switch (frame[0]) {
        case PCSC_VPCD_CTRL_OFF:
            ops->power_off(ctx);
            return PCSC_VPCD_NO_REPLY;
        case PCSC_VPCD_CTRL_ON:
            ops->power_on(ctx);
            return PCSC_VPCD_NO_REPLY;
        case PCSC_VPCD_CTRL_RESET:
            ops->reset(ctx);
            return PCSC_VPCD_NO_REPLY;
        case PCSC_VPCD_CTRL_ATR: {
            size_t n = ops->atr(ctx, reply + 2, 33);
            *reply_len = pcsc_vpcd_frame_encode(reply + 2, n, reply, cap);
            return PCSC_VPCD_REPLY;
        }
        default:
            return PCSC_VPCD_MALFORMED;
        }
    }
    size_t rlen = 0;
    *card_rc = ops->transmit(ctx, frame, len, reply + 2, cap - 2, &rlen, err);
    if (rlen < 2 || rlen > cap - 2) {
        /* A card that answered nothing still owes vpcd a status word, or pcscd waits for ever. */
        reply[2] = 0x6F;
        reply[3] = 0x00;
        rlen = 2;
    }
    reply[0] = (uint8_t)(rlen >> 8);
    reply[1] = (uint8_t)rlen;
    *reply_len = rlen + 2;
    return PCSC_VPCD_REPLY;
}

int pcsc_parse_host_port(const char *s, char *host, size_t cap, unsigned *port, struct core_error *err)
{
    const char *colon = s != NULL ? strrchr(s, ':') : NULL;
    if (colon == NULL || colon == s || colon[1] == '\0')
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "'%s': expected HOST:PORT", s ? s : "");
    size_t hlen = (size_t)(colon - s);
    const char *h = s;
    if (hlen >= 2 && s[0] == '[' && colon[-1] == ']') { /* [::1]:port */
        h++;
        hlen -= 2;
    }
    if (hlen + 1 > cap)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "'%s': host name too long", s);
    char *end = NULL;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (end == NULL || *end != '\0' || p == 0 || p > 65535 || colon[1] < '0' || colon[1] > '9')
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "'%s': port must be 1..65535", s);
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (unsigned)p;
    return CORE_OK;
}
