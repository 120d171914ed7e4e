/*
 * state.c: the card's mutable state as bytes (card_state_save) and back (card_state_restore), for
 * `--state` files that keep PIN counters across restarts and for probes that must leave no trace.
 *
 * Format, version 1, 37 bytes, integers big-endian:
 *    0  4  magic "MYNC"
 *    4  1  version (1)
 *    5  2  total length (37)
 *    7  1  flags: bit 0 powered; other bits zero
 *    8  8  identity of the card it was saved from (hash of profile id, seed, My Number, issue date, kind)
 *   16  1  current application: 0 JPKI, 1 card-info, 2 surface, FF none
 *   17  2  current EF id, FFFF none
 *   19  1  verified PINs, bit (1 << enum card_pin)
 *   20  1  number of PINs (4)
 *   21  4  tries left, per PIN (auth, sign, text, surface)
 *   25  4  tries maximum, per PIN: must equal the card's (the policy it was made under)
 *   29  8  checksum: core_hash64 of bytes 0..28
 * Restore checks every field against this card before it changes anything: a state from another card, a
 * selection that names no file, a counter above its maximum, a PIN marked verified that could not be
 * (blocked, absent, or the card unpowered) are refused with a message naming the byte offset, and the card is
 * left as it was. Keys, PIN values and certificates are never in the state: they are the card, not its state.
 */
#include <string.h>

#include "card/card_int.h"

#define STATE_MAGIC "MYNC"
#define STATE_VERSION 1
#define STATE_LEN 37u
#define STATE_BODY 29u
#define STATE_HASH_SEED 0x4D594E4153494D31ull /* "MYNASIM1" */

int card_state_save(const struct card *card, uint8_t *out, size_t cap, size_t *len)
{
    if (len != NULL)
        *len = 0;
    if (card == NULL || out == NULL || len == NULL || cap < STATE_LEN)
        return CORE_EINVAL;
    uint8_t *b = out;
    memcpy(b, STATE_MAGIC, 4);
    b[4] = STATE_VERSION;
    b[5] = 0;
    b[6] = STATE_LEN;
    b[7] = card->powered ? 1 : 0;
    for (int i = 0; i < 8; i++)
        b[8 + i] = (uint8_t)(card->identity >> (56 - 8 * i));
    const struct card_ef *ef = card_current_ef(card);
    b[16] = card->cur_app == CARD_APP_NONE ? 0xFF : (uint8_t)card->cur_app;
    uint16_t fid = ef ? ef->fid : 0xFFFF;
    b[17] = (uint8_t)(fid >> 8);
    b[18] = (uint8_t)fid;
    b[19] = card->verified;
    b[20] = CARD_PIN_COUNT;
    for (int i = 0; i < CARD_PIN_COUNT; i++) {
        b[21 + i] = card->state.tries_left[i];
        b[25 + i] = card->state.tries_max[i];
    }
    uint64_t h = core_hash64(b, STATE_BODY, STATE_HASH_SEED);
    for (int i = 0; i < 8; i++)
        b[STATE_BODY + i] = (uint8_t)(h >> (56 - 8 * i));
    *len = STATE_LEN;
    return CORE_OK;
}

static uint64_t get64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

#define BAD(off, ...) core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card state: byte " #off ": " __VA_ARGS__)

int card_state_restore(struct card *card, const uint8_t *buf, size_t len, struct core_error *err)
{
    if (card == NULL || (buf == NULL && len > 0))
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card state: nothing to restore");
    if (len < 7 || memcmp(buf, STATE_MAGIC, 4) != 0)
        return BAD(0, "not a mynasim card state (magic \"MYNC\" missing)");
    if (buf[4] != STATE_VERSION)
        return BAD(4, "version %u is not supported (only %u)", buf[4], STATE_VERSION);
    size_t declared = (size_t)buf[5] << 8 | buf[6];
    if (declared != STATE_LEN || len != STATE_LEN)
        return BAD(5, "length %zu (declared %zu), version 1 has %u", len, declared, STATE_LEN);
    if (get64(buf + STATE_BODY) != core_hash64(buf, STATE_BODY, STATE_HASH_SEED))
        return BAD(29, "checksum mismatch: the state is corrupted");
    if (buf[7] & ~1u)
        return BAD(7, "unknown flags 0x%02x", buf[7]);
    bool powered = buf[7] & 1;
    if (get64(buf + 8) != card->identity)
        return BAD(8, "the state belongs to another card");
    int app = buf[16] == 0xFF ? CARD_APP_NONE : buf[16];
    if (app != CARD_APP_NONE && app >= CARD_APP_COUNT)
        return BAD(16, "no application %d", app);
    uint16_t fid = (uint16_t)(buf[17] << 8 | buf[18]);
    int ef = CARD_EF_NONE;
    if (fid != 0xFFFF) {
        if (app == CARD_APP_NONE || (ef = card_app_find_ef(&card->apps[app], fid)) == CARD_EF_NONE)
            return BAD(17, "EF %04X is not in the selected application", fid);
    }
    if (buf[20] != CARD_PIN_COUNT)
        return BAD(20, "%u PINs, this card has %d", buf[20], CARD_PIN_COUNT);
    for (int i = 0; i < CARD_PIN_COUNT; i++) {
        if (buf[25 + i] != card->state.tries_max[i])
            return BAD(25, "%s PIN maximum %u differs from the card's %u", card_pin_name((enum card_pin)i),
                       buf[25 + i], card->state.tries_max[i]);
        if (buf[21 + i] > buf[25 + i])
            return BAD(21, "%s PIN tries %u above the maximum %u", card_pin_name((enum card_pin)i),
                       buf[21 + i], buf[25 + i]);
    }
    uint8_t verified = buf[19];
    if (verified >> CARD_PIN_COUNT)
        return BAD(19, "unknown PIN bits 0x%02x", verified);
    if (verified != 0 && (!powered || app == CARD_APP_NONE))
        return BAD(19, "PINs verified on a card with no application selected");
    static const int pin_app[CARD_PIN_COUNT] = {
        [CARD_PIN_AUTH] = CARD_APP_JPKI,
        [CARD_PIN_SIGN] = CARD_APP_JPKI,
        [CARD_PIN_TEXT] = CARD_APP_TEXT,
        [CARD_PIN_SURFACE] = CARD_APP_SURFACE,
    };
    for (int i = 0; i < CARD_PIN_COUNT; i++)
        if ((verified & (1u << i)) && (!card->pin_set[i] || buf[21 + i] != buf[25 + i] || pin_app[i] != app))
            return BAD(19, "%s PIN marked verified but it cannot be", card_pin_name((enum card_pin)i));
    if (!powered && app != CARD_APP_NONE)
        return BAD(16, "an application selected on an unpowered card");

    card->powered = powered;
    card->cur_app = app;
    card->cur_ef = ef;
    card->verified = verified;
    for (int i = 0; i < CARD_PIN_COUNT; i++)
        card->state.tries_left[i] = buf[21 + i];
    return CORE_OK;
}
