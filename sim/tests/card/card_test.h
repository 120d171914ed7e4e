/*
 * card_test.h: helpers shared by the card's unit tests: make a card from a shipped profile, send an APDU
 * written in hex and get its status word and data back.
 */
#ifndef MYNASIM_CARD_TEST_H
#define MYNASIM_CARD_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "card/card.h"
#include "iso7816/iso7816.h"

#define CT_JPKI "00A4040C0AD392F000260100000001"
#define CT_TEXT "00A4040C0AD3921000310001010408"
#define CT_SURFACE "00A4040C0AD3921000310001010402"

static inline struct policy *ct_policy(void)
{
    static struct policy *policy;
    if (policy == NULL) {
        struct core_error err;
        core_error_clear(&err);
        if (policy_load_named("national", &policy, &err) != CORE_OK)
            fail_msg("policy: %s", err.message);
    }
    return policy;
}

static inline void ct_profile(const char *name, struct card_profile *p)
{
    char rel[128], path[1024];
    struct core_error err;
    core_error_clear(&err);
    snprintf(rel, sizeof rel, "cards/%s.yaml", name);
    if (policy_find_data(rel, path, sizeof path, &err) != CORE_OK)
        fail_msg("%s: %s", rel, err.message);
    if (card_profile_load(path, p, &err) != CORE_OK) {
        char buf[1200];
        core_error_format(&err, buf, sizeof buf);
        fail_msg("%s", buf);
    }
}

static inline struct card *ct_card_from(const struct card_profile *p)
{
    struct card *card = NULL;
    struct core_error err;
    core_error_clear(&err);
    if (card_new(p, ct_policy(), &card, &err) != CORE_OK)
        fail_msg("card_new: %s", err.message);
    return card;
}

static inline struct card *ct_card(const char *name)
{
    struct card_profile p;
    ct_profile(name, &p);
    return ct_card_from(&p);
}

static inline size_t ct_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (const char *s = hex; *s;) {
        if (*s == ' ') {
            s++;
            continue;
        }
        unsigned v = 0;
        if (n >= cap || sscanf(s, "%2x", &v) != 1)
            fail_msg("bad hex %s", hex);
        out[n++] = (uint8_t)v;
        s += 2;
    }
    return n;
}

/* Sends raw bytes; returns the status word, copies the data (if data != NULL). */
static inline uint16_t ct_send(struct card *card, const uint8_t *capdu, size_t len, uint8_t *data,
                               size_t *dlen)
{
    static uint8_t r[CARD_RAPDU_MAX];
    size_t rlen = 0;
    assert_int_equal(card_transmit(card, capdu, len, r, sizeof r, &rlen), CORE_OK);
    assert_true(rlen >= 2);
    if (data != NULL)
        memcpy(data, r, rlen - 2);
    if (dlen != NULL)
        *dlen = rlen - 2;
    return (uint16_t)(r[rlen - 2] << 8 | r[rlen - 1]);
}

static inline uint16_t ct_tx(struct card *card, const char *hex, uint8_t *data, size_t *dlen)
{
    uint8_t c[600];
    size_t n = ct_hex(hex, c, sizeof c);
    return ct_send(card, c, n, data, dlen);
}

/* Sends and checks the status word; no data expected unless dlen is given. */
#define CT_SW(card, hex, sw) assert_int_equal(ct_tx((card), (hex), NULL, NULL), (sw))

/* SELECT an EF of the current application by id. */
static inline uint16_t ct_select_ef(struct card *card, uint16_t fid)
{
    uint8_t c[7] = {0x00, 0xA4, 0x02, 0x0C, 0x02, (uint8_t)(fid >> 8), (uint8_t)fid};
    return ct_send(card, c, sizeof c, NULL, NULL);
}

/* VERIFY with an ASCII PIN (NULL: empty VERIFY). */
static inline uint16_t ct_verify(struct card *card, const char *pin)
{
    uint8_t c[5 + 32] = {0x00, 0x20, 0x00, 0x80};
    size_t n = pin ? strlen(pin) : 0;
    if (n == 0)
        return ct_send(card, c, 4, NULL, NULL);
    c[4] = (uint8_t)n;
    memcpy(c + 5, pin, n);
    return ct_send(card, c, 5 + n, NULL, NULL);
}

/* Reads the whole current EF as OpenSC does for a certificate-like file: 256-byte chunks until 6282/6B00.
 * Returns the final status word of the first failing read, or 9000 with *len set. */
static inline uint16_t ct_read_all(struct card *card, uint8_t *out, size_t cap, size_t *len)
{
    size_t off = 0;
    for (;;) {
        uint8_t c[5] = {0x00, 0xB0, (uint8_t)(off >> 8), (uint8_t)off, 0x00};
        size_t n = 0;
        uint8_t buf[CARD_RAPDU_MAX];
        uint16_t sw = ct_send(card, c, sizeof c, buf, &n);
        if (sw == ISO7816_SW_WRONG_P1P2 && off > 0)
            break;
        if (sw != ISO7816_SW_OK && sw != ISO7816_SW_END_OF_FILE)
            return sw;
        assert_true(off + n <= cap);
        memcpy(out + off, buf, n);
        off += n;
        if (sw == ISO7816_SW_END_OF_FILE)
            break;
    }
    *len = off;
    return ISO7816_SW_OK;
}

static inline core_day ct_day(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

#ifdef CT_DEFAULT_CARD
/* The card a test file works on when it defines CT_DEFAULT_CARD before including this header: a fresh card of
 * the default profile before every test (ct_setup), freed after it (ct_teardown). */
static struct card *card;

static CORE_MUST_USE int ct_setup(void **state)
{
    (void)state;
    card = ct_card("issued_2021");
    return 0;
}

static CORE_MUST_USE int ct_teardown(void **state)
{
    (void)state;
    card_free(card);
    card = NULL;
    return 0;
}
#endif

#endif
