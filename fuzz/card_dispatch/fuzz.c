/*
 * Fuzz target: the card's command dispatcher, fed whole APDU sequences.
 *
 * Input: records, one after another. A record is a length byte L then L bytes of command APDU (cut short
 * at the end of the input); L = 0 is followed by a control byte instead: 0 reset, 1 power off and on.
 * Every input starts from the same card state (the default profile, personalised once in
 * LLVMFuzzerInitialize, keys and all; card_state_restore before each input), so no RSA key generation
 * runs in the loop.
 *
 * The harness keeps its own model of the session, from the APDUs and status words alone (never the card's
 * internals), and aborts when the card:
 *   - answers 9000 to a SELECT of anything but its three applications or an EF within the selected one;
 *   - answers 9000 to a VERIFY whose data is not the right PIN of the PIN EF selected;
 *   - returns data from EF 0001 of the JPKI AP (signature certificate) without the signature password, from
 *     EF 0001/0002 of the card-info AP without its PIN, from the face image without PIN-B, or ever from a
 *     PIN or key EF — "verified" meaning a successful VERIFY since the last application SELECT or reset;
 *   - answers 9000 to COMPUTE DIGITAL SIGNATURE without the PIN of the key EF selected;
 *   - answers GET CHALLENGE other than 00 84 00 00 with no data and Ne <= 256, or with other than Ne bytes;
 *   - answers 9000 to an APDU that does not parse, or returns fewer than two bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card/card.h"
#include "iso7816/iso7816.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct card *card;
static uint8_t initial[CARD_STATE_MAX];
static size_t initial_len;
static char pin[CARD_PIN_COUNT][32];

static const uint8_t aid[3][10] = {
    {0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}, /* JPKI */
    {0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08}, /* card-info */
    {0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02}, /* surface */
};

#define NEVER (-2)
#define FREE (-1)

/* What the harness believes protects (app, fid): FREE, a PIN, or NEVER (keys and PINs). */
static int protection(int app, int fid)
{
    static const struct {
        int app, fid, need;
    } table[] = {
        {0, 0x0001, CARD_PIN_SIGN}, {0, 0x0017, NEVER},
        {0, 0x001A, NEVER},         {0, 0x0018, NEVER},
        {0, 0x001B, NEVER},         {1, 0x0011, NEVER},
        {1, 0x0001, CARD_PIN_TEXT}, {1, 0x0002, CARD_PIN_TEXT},
        {2, 0x0012, NEVER},         {2, 0x0002, CARD_PIN_SURFACE},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].app == app && table[i].fid == fid)
            return table[i].need;
    return FREE;
}

static int pin_of_ef(int app, int fid)
{
    if (app == 0 && fid == 0x0018)
        return CARD_PIN_AUTH;
    if (app == 0 && fid == 0x001B)
        return CARD_PIN_SIGN;
    if (app == 1 && fid == 0x0011)
        return CARD_PIN_TEXT;
    if (app == 2 && fid == 0x0012)
        return CARD_PIN_SURFACE;
    return -1;
}

static void fail(const char *what)
{
    fprintf(stderr, "card_dispatch: %s\n", what);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[1024];
    struct core_error err;
    struct card_profile p;
    struct policy *policy = NULL;
    core_error_clear(&err);
    if (policy_find_data("cards/issued_2021.yaml", path, sizeof path, &err) != CORE_OK ||
        card_profile_load(path, &p, &err) != CORE_OK) {
        fprintf(stderr, "card_dispatch: %s\n", err.message);
        abort();
    }
    if (policy_load_named("national", &policy, &err) != CORE_OK)
        policy = NULL; /* RULES.md's built-in values */
    if (card_new(&p, policy, &card, &err) != CORE_OK) {
        fprintf(stderr, "card_dispatch: %s\n", err.message);
        abort();
    }
    policy_free(policy);
    snprintf(pin[CARD_PIN_AUTH], sizeof pin[0], "%s", p.auth_pin);
    snprintf(pin[CARD_PIN_SIGN], sizeof pin[0], "%s", p.sign_password);
    snprintf(pin[CARD_PIN_TEXT], sizeof pin[0], "%s", p.text_pin);
    /* PIN-B, from what is printed on the card: birth YYMMDD, expiry year, security code. */
    int by, bm, bd, ey, em, ed;
    core_date_to_ymd(p.holder.born, &by, &bm, &bd);
    core_date_to_ymd(card_state(card)->expires, &ey, &em, &ed);
    snprintf(pin[CARD_PIN_SURFACE], sizeof pin[0], "%02d%02d%02d%04d%.4s", by % 100, bm % 100, bd % 100,
             ey % 10000, p.holder.security_code);
    if (card_state_save(card, initial, sizeof initial, &initial_len) != CORE_OK)
        fail("cannot save the initial state");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct core_error err;
    if (card_state_restore(card, initial, initial_len, &err) != CORE_OK)
        fail("cannot restore the initial state");
    card_reset(card);
    int app = -1, fid = -1;
    unsigned verified = 0;
    static uint8_t r[CARD_RAPDU_MAX];
    size_t pos = 0;
    while (pos < size) {
        size_t len = data[pos++];
        if (len == 0) {
            if (pos < size && data[pos] <= 1) {
                if (data[pos] == 0) {
                    card_reset(card);
                } else {
                    card_power_off(card);
                    card_power_on(card);
                }
                app = fid = -1;
                verified = 0;
            }
            pos++; /* any other control byte does nothing */
            continue;
        }
        if (len > size - pos)
            len = size - pos;
        const uint8_t *c = data + pos;
        pos += len;
        size_t rlen = 0;
        if (card_transmit(card, c, len, r, sizeof r, &rlen) != CORE_OK || rlen < 2)
            fail("transmit failed on a powered card");
        uint16_t sw = (uint16_t)(r[rlen - 2] << 8 | r[rlen - 1]);
        size_t dlen = rlen - 2;
        struct iso7816_apdu a;
        if (iso7816_apdu_parse(c, len, &a) != 0) {
            if (sw == ISO7816_SW_OK || dlen)
                fail("9000 or data for an unparseable APDU");
            continue;
        }
        bool ok = sw == ISO7816_SW_OK;
        if (a.cla == 0x00 && a.ins == 0xA4 && ok) {
            if (a.p1 == 0x04) {
                int found = -1;
                for (int i = 0; i < 3; i++)
                    if (a.nc == 10 && memcmp(a.data, aid[i], 10) == 0)
                        found = i;
                if (found < 0)
                    fail("9000 to a SELECT of a foreign AID");
                app = found;
                fid = -1;
                verified = 0;
            } else if (a.p1 == 0x02) {
                if (app < 0 || a.nc != 2)
                    fail("9000 to a SELECT of an EF with no application");
                fid = a.data[0] << 8 | a.data[1];
            } else {
                fail("9000 to an unexpected SELECT");
            }
        } else if (a.cla == 0x00 && a.ins == 0x20 && ok) {
            int which = pin_of_ef(app, fid);
            if (which < 0 || a.nc == 0 || a.nc != strlen(pin[which]) || memcmp(a.data, pin[which], a.nc) != 0)
                fail("9000 to a VERIFY without the right PIN");
            verified |= 1u << which;
        } else if (a.cla == 0x00 && a.ins == 0xB0 && dlen > 0) {
            int need = protection(app, fid);
            if (need == NEVER)
                fail("data read from a key or PIN EF");
            if (need >= 0 && !(verified & (1u << need)))
                fail("a protected EF read without its PIN");
        } else if (a.cla == 0x80 && a.ins == 0x2A && (ok || dlen)) {
            int need = app == 0 && fid == 0x0017   ? CARD_PIN_AUTH
                       : app == 0 && fid == 0x001A ? CARD_PIN_SIGN
                                                   : -1;
            if (need < 0 || !(verified & (1u << need)))
                fail("a signature without the PIN of its key");
        } else if (a.ins == 0x84 && (ok || dlen)) {
            /* GET CHALLENGE: only 00 84 00 00 with no data and Ne <= 256, and then exactly Ne bytes. */
            if (!ok || a.cla != 0x00 || a.p1 != 0x00 || a.p2 != 0x00 || a.nc != 0 || a.ne == 0 ||
                a.ne > 256 || dlen != a.ne)
                fail("GET CHALLENGE answered out of ISO 7816-4's form");
        } else if (ok && (a.ins == 0xA4 || a.ins == 0x20 || a.ins == 0x2A)) {
            fail("9000 under the wrong class");
        }
    }
    return 0;
}
