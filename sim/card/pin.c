/*
 * pin.c: the card's PINs and VERIFY (00 20 00 80), which acts on the PIN EF currently selected.
 *
 *   no PIN EF selected, or the EF is not a PIN    6986
 *   the card has no such PIN (face-only card)     6A88, with data or empty (MYNA-2: a face-auth card has no
 *                                                 PIN, so no counter either; docs/CARD.md)
 *   empty VERIFY (no data)                        63Cx, x = tries left (63C0 once blocked), whatever the
 *                                                 security state: OpenSC binds only on 63Cx
 *   data, PIN blocked                             6983
 *   data, wrong                                   63Cx: one try less, that PIN's security state cleared
 *   data, right                                   9000: tries back to the maximum, PIN verified
 *   data, the state cannot be written             6581 (what a failed write leaves: docs/CARD.md)
 *
 * MYNA-7: the tries are fixed per PIN by the policy (auth 3, sign 5, text 3; PIN-B of the surface AP 10). A
 * block is lifted only by the municipal office (card_pin_reset), never by an APDU.
 * The comparison runs in constant time over the whole reference, as a chip would, and the try is counted in
 * persistent memory before it (card_cmd_verify below); a write that fails answers 6581.
 */
#include <string.h>

#include "card/card_int.h"
#include "iso7816/iso7816.h"

#define PIN_WORD(name, word, label) word,
#define PIN_LABEL(name, word, label) label,
static const char *const card_pin_names[CARD_PIN_COUNT] = {CARD_PINS(PIN_WORD)};
static const char *const card_pin_labels[CARD_PIN_COUNT] = {CARD_PINS(PIN_LABEL)};

const char *card_pin_name(enum card_pin pin)
{
    return (int)pin >= 0 && pin < CARD_PIN_COUNT ? card_pin_names[pin] : "?";
}

const char *card_pin_label(enum card_pin pin)
{
    return (int)pin >= 0 && pin < CARD_PIN_COUNT ? card_pin_labels[pin] : "?";
}

static bool all_in(const char *s, size_t min, size_t max, bool letters)
{
    size_t n = strlen(s);
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool digit = s[i] >= '0' && s[i] <= '9';
        bool upper = s[i] >= 'A' && s[i] <= 'Z';
        if (!digit && !(letters && upper))
            return false;
    }
    return true;
}

bool card_pin_format_ok(enum card_pin pin, const char *value)
{
    if (value == NULL)
        return false;
    switch (pin) {
    case CARD_PIN_AUTH:
    case CARD_PIN_TEXT:
        return all_in(value, 4, 4, false);
    case CARD_PIN_SIGN:
        return all_in(value, 6, 16, true);
    case CARD_PIN_SURFACE:
        return all_in(value, 14, 14, false);
    default:
        return false;
    }
}

static bool card_pin_equal(const char *ref, const uint8_t *data, size_t len)
{
    size_t ref_len = strlen(ref);
    unsigned diff = (unsigned)(ref_len ^ len);
    for (size_t i = 0; i < CARD_PIN_MAX_LEN; i++) {
        uint8_t a = i < ref_len ? (uint8_t)ref[i] : 0;
        uint8_t b = i < len ? data[i] : 0;
        diff |= (unsigned)(a ^ b);
    }
    return diff == 0 && len <= CARD_PIN_MAX_LEN;
}

/*
 * VERIFY with data, as a chip that survives tearing does it (docs/CARD.md):
 *   1. count the try first: the counter one less and the PIN's security state cleared, made durable through
 *      the persist hook before the PIN is looked at. Cutting the power from here on cannot save the try.
 *   2. compare in constant time.
 *   3. write the counter again, right or wrong: back to the maximum after a right PIN, the counted value after
 *      a wrong one. Both answers cost two writes and run the same instructions (the outcome is selected with
 *      masks, not branches), so neither timing nor a cut tells a right PIN from a wrong one before the answer.
 * A failed write answers 6581. At step 1 nothing has changed: the counter and the security state are put
 * back. At step 3 the counted try is already durable, so memory keeps it (not verified), as the file does.
 */
uint16_t card_cmd_verify(struct card *card, const struct iso7816_apdu *apdu, uint8_t *out, size_t *out_len)
{
    (void)out;
    (void)out_len;
    if (apdu->p1 != 0x00 || apdu->p2 != 0x80)
        return ISO7816_SW_INCORRECT_P1P2;
    const struct card_ef *ef = card_current_ef(card);
    if (ef == NULL || ef->type != CARD_EF_PIN)
        return ISO7816_SW_NO_CURRENT_EF;
    int pin = ef->pin;
    if (!card->pin_set[pin])
        return ISO7816_SW_REF_DATA_NOT_FOUND;
    uint8_t *tries = &card->state.tries_left[pin];
    if (apdu->nc == 0)
        return (uint16_t)(ISO7816_SW_VERIFY_FAILED | (*tries > 15 ? 15 : *tries));
    if (*tries == 0)
        return ISO7816_SW_AUTH_BLOCKED;

    const uint8_t bit = (uint8_t)(1u << pin);
    const uint8_t before = *tries;
    const uint8_t verified_before = card->verified;
    *tries = (uint8_t)(before - 1);
    card->verified &= (uint8_t)~bit;
    if (card_persist(card) != CORE_OK) {
        *tries = before;
        card->verified = verified_before;
        return ISO7816_SW_MEMORY_FAILURE;
    }

    const uint8_t counted = *tries;
    const uint8_t right =
        (uint8_t)(0u - (unsigned)card_pin_equal(card->pin_value[pin], apdu->data, apdu->nc));
    *tries = (uint8_t)((card->state.tries_max[pin] & right) | (counted & (uint8_t)~right));
    card->verified |= (uint8_t)(bit & right);
    if (card_persist(card) != CORE_OK) {
        *tries = counted;
        card->verified &= (uint8_t)~bit;
        return ISO7816_SW_MEMORY_FAILURE;
    }
    uint16_t wrong_sw = (uint16_t)(ISO7816_SW_VERIFY_FAILED | (counted > 15 ? 15 : counted));
    uint16_t right16 = (uint16_t)(right | right << 8);
    return (uint16_t)((ISO7816_SW_OK & right16) | (wrong_sw & (uint16_t)~right16));
}

void card_pin_reset(struct card *card, enum card_pin pin)
{
    if (card == NULL || (int)pin < 0 || pin >= CARD_PIN_COUNT)
        return;
    card->state.tries_left[pin] = card->state.tries_max[pin];
    card->verified &= (uint8_t) ~(1u << pin);
}
