/*
 * card.c: the chip's operating system. Power and reset, the ATR, the instruction table and the two
 * file-system commands every application shares (SELECT, READ BINARY).
 *
 * Dispatch is a table: a command is looked up by INS, then its CLA is checked. The order of checks follows
 * ISO 7816-4 and what OpenSC's probing expects (docs/PLATFORM.md): an unparseable APDU gets 6700, a CLA
 * other than 00/80 gets 6E00, an unknown INS 6D00 (so GET DATA 00 CA / 00 CB probes fail cleanly), a known
 * INS under the wrong CLA 6E00. SELECT never answers 9000 except for the three applications of this card,
 * or an EF of the application currently selected: a 9000 to a foreign AID would make another OpenSC driver
 * claim the card.
 *
 * The security state (which PINs were verified) lives only until the next SELECT of an application, reset,
 * power-on or power-off; PIN counters live on (they are the card's persistent memory).
 */
#include <stdlib.h>
#include <string.h>

#include "card/card_int.h"
#include "iso7816/iso7816.h"

static const uint8_t card_atr_default[] = {0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14};

static card_cmd_fn card_cmd_select;
static card_cmd_fn card_cmd_read_binary;
static card_cmd_fn card_cmd_get_challenge;

static const struct card_ins {
    uint8_t cla;
    uint8_t ins;
    card_cmd_fn *fn;
} card_ins_table[] = {
    {0x00, 0xA4, card_cmd_select},        /* SELECT */
    {0x00, 0xB0, card_cmd_read_binary},   /* READ BINARY */
    {0x00, 0x20, card_cmd_verify},        /* VERIFY */
    {0x00, 0x84, card_cmd_get_challenge}, /* GET CHALLENGE */
    {0x80, 0x2A, card_cmd_sign},          /* COMPUTE DIGITAL SIGNATURE (JPKI, proprietary class) */
};

#define CARD_DATA_MAX (CARD_RAPDU_MAX - 2u)

void card_security_clear(struct card *card)
{
    card->verified = 0;
}

void card_set_persist(struct card *card, card_persist_fn *fn, void *ctx)
{
    if (card == NULL)
        return;
    card->persist = fn;
    card->persist_ctx = ctx;
}

int card_persist(struct card *card)
{
    if (card->persist == NULL)
        return CORE_OK;
    uint8_t buf[CARD_STATE_MAX];
    size_t len = 0;
    if (card_state_save(card, buf, sizeof buf, &len) != CORE_OK)
        return CORE_EIO;
    return card->persist(card->persist_ctx, buf, len) == 0 ? CORE_OK : CORE_EIO;
}

size_t card_atr(const struct card *card, uint8_t *out, size_t cap)
{
    (void)card;
    if (out == NULL || cap < sizeof card_atr_default)
        return 0;
    memcpy(out, card_atr_default, sizeof card_atr_default);
    return sizeof card_atr_default;
}

/* Power-on and reset both leave the card with the master file selected (no application), no PIN verified. */
static void card_cold_state(struct card *card)
{
    card->cur_app = CARD_APP_NONE;
    card->cur_ef = CARD_EF_NONE;
    card_security_clear(card);
}

void card_power_on(struct card *card)
{
    if (card == NULL)
        return;
    card->powered = true;
    card_cold_state(card);
}

void card_power_off(struct card *card)
{
    if (card == NULL)
        return;
    card->powered = false;
    card_cold_state(card);
}

void card_reset(struct card *card)
{
    if (card == NULL)
        return;
    card->powered = true;
    card_cold_state(card);
}

bool card_powered(const struct card *card)
{
    return card != NULL && card->powered;
}

const struct card_state *card_state(const struct card *card)
{
    return card ? &card->state : NULL;
}

const struct card_holder *card_holder(const struct card *card)
{
    return card ? &card->holder : NULL;
}

int card_cert_der(const struct card *card, enum card_cert which, const uint8_t **der, size_t *len)
{
    if (card == NULL || der == NULL || len == NULL || (int)which < 0 || which >= CARD_CERT_COUNT)
        return CORE_EINVAL;
    if (card->cert_der[which] == NULL)
        return CORE_ENOTFOUND; /* a face-only card has no signature certificate */
    *der = card->cert_der[which];
    *len = card->cert_len[which];
    return CORE_OK;
}

void card_free(struct card *card)
{
    if (card == NULL)
        return;
    for (int i = 0; i < CARD_KEY_COUNT; i++) {
        EVP_PKEY_CTX_free(card->sign_ctx[i]);
        EVP_PKEY_free(card->key[i]);
    }
    for (int i = 0; i < CARD_CERT_COUNT; i++)
        free(card->cert_der[i]);
    free(card->my_number_ef);
    free(card->basic4_ef);
    free(card->face_ef);
    /* PINs and keys must not linger in freed memory. */
    memset(card->pin_value, 0, sizeof card->pin_value);
    memset(&card->profile, 0, sizeof card->profile);
    free(card);
}

int card_app_find_ef(const struct card_app *app, uint16_t fid)
{
    for (size_t i = 0; i < app->ef_count; i++)
        if (app->efs[i].fid == fid)
            return (int)i;
    return CARD_EF_NONE;
}

const struct card_ef *card_current_ef(const struct card *card)
{
    if (card->cur_app == CARD_APP_NONE || card->cur_ef == CARD_EF_NONE)
        return NULL;
    return &card->apps[card->cur_app].efs[card->cur_ef];
}

/* The FCI returned to a SELECT with P2 00 or 04 when the command asked for data (Le present):
 * 6F { 84 AID } for an application, 6F { 83 FID, 80 size, 82 descriptor } for an EF. */
static uint16_t card_fci(const struct card *card, int app, int ef, uint8_t *out, size_t *out_len)
{
    uint8_t inner[64];
    size_t n = 0, used;
    if (ef == CARD_EF_NONE) {
        const struct card_app *a = &card->apps[app];
        if (iso7816_tlv_encode(0x84, a->aid, a->aid_len, inner, sizeof inner, &used) != 0)
            return ISO7816_SW_UNKNOWN;
        n = used;
    } else {
        const struct card_ef *e = &card->apps[app].efs[ef];
        uint8_t fid[2] = {(uint8_t)(e->fid >> 8), (uint8_t)e->fid};
        size_t size = e->type == CARD_EF_BINARY ? e->len : 0;
        uint8_t sz[2] = {(uint8_t)(size >> 8), (uint8_t)size};
        /* 01: transparent working EF; 08: internal EF (PIN and key files). */
        uint8_t desc = e->type == CARD_EF_BINARY ? 0x01 : 0x08;
        if (iso7816_tlv_encode(0x83, fid, 2, inner, sizeof inner, &used) != 0)
            return ISO7816_SW_UNKNOWN;
        n = used;
        if (iso7816_tlv_encode(0x80, sz, 2, inner + n, sizeof inner - n, &used) != 0)
            return ISO7816_SW_UNKNOWN;
        n += used;
        if (iso7816_tlv_encode(0x82, &desc, 1, inner + n, sizeof inner - n, &used) != 0)
            return ISO7816_SW_UNKNOWN;
        n += used;
    }
    if (iso7816_tlv_encode(0x6F, inner, n, out, CARD_DATA_MAX, out_len) != 0)
        return ISO7816_SW_UNKNOWN;
    return ISO7816_SW_OK;
}

static uint16_t card_cmd_select(struct card *card, const struct iso7816_apdu *apdu, uint8_t *out,
                                size_t *out_len)
{
    /* P2: 00 FCI, 04 FCP, 0C no response data. Next-occurrence and the rest are not supported. */
    if (apdu->p2 != 0x00 && apdu->p2 != 0x04 && apdu->p2 != 0x0C)
        return ISO7816_SW_INCORRECT_P1P2;
    bool want_fci = apdu->p2 != 0x0C && apdu->has_le;
    switch (apdu->p1) {
    case 0x04: { /* by DF name (AID) */
        if (apdu->nc < 1 || apdu->nc > 16)
            return ISO7816_SW_WRONG_LENGTH;
        for (int i = 0; i < CARD_APP_COUNT; i++) {
            const struct card_app *a = &card->apps[i];
            if (a->aid_len == apdu->nc && memcmp(a->aid, apdu->data, apdu->nc) == 0) {
                card->cur_app = i;
                card->cur_ef = CARD_EF_NONE;
                card_security_clear(card);
                return want_fci ? card_fci(card, i, CARD_EF_NONE, out, out_len) : ISO7816_SW_OK;
            }
        }
        return ISO7816_SW_FILE_NOT_FOUND;
    }
    case 0x02: { /* EF under the current DF */
        if (apdu->nc != 2)
            return ISO7816_SW_WRONG_LENGTH;
        if (card->cur_app == CARD_APP_NONE)
            return ISO7816_SW_FILE_NOT_FOUND;
        uint16_t fid = (uint16_t)(apdu->data[0] << 8 | apdu->data[1]);
        int ef = card_app_find_ef(&card->apps[card->cur_app], fid);
        if (ef == CARD_EF_NONE)
            return ISO7816_SW_FILE_NOT_FOUND;
        card->cur_ef = ef;
        return want_fci ? card_fci(card, card->cur_app, ef, out, out_len) : ISO7816_SW_OK;
    }
    case 0x00: /* MF or file id */
    case 0x01: /* child DF */
    case 0x03: /* parent DF */
    case 0x08: /* path from MF */
    case 0x09: /* path from current DF */
        /* The card's master file holds nothing a client may select: probes of other cards' files fail. */
        return ISO7816_SW_FILE_NOT_FOUND;
    default:
        return ISO7816_SW_INCORRECT_P1P2;
    }
}

static uint16_t card_cmd_read_binary(struct card *card, const struct iso7816_apdu *apdu, uint8_t *out,
                                     size_t *out_len)
{
    const struct card_ef *ef = card_current_ef(card);
    if (ef == NULL)
        return ISO7816_SW_NO_CURRENT_EF;
    if (ef->type != CARD_EF_BINARY)
        return ISO7816_SW_SECURITY_NOT_SATISFIED; /* PIN and key files: access condition NEVER */
    if (ef->access != CARD_ACCESS_ALWAYS && !(card->verified & (1u << ef->access)))
        return ISO7816_SW_SECURITY_NOT_SATISFIED;
    if (apdu->p1 & 0x80)
        return ISO7816_SW_INCORRECT_P1P2; /* short EF identifiers are not supported */
    if (apdu->nc != 0 || !apdu->has_le)
        return ISO7816_SW_WRONG_LENGTH;
    size_t offset = (size_t)apdu->p1 << 8 | apdu->p2;
    if (offset >= ef->len)
        return ISO7816_SW_WRONG_P1P2;
    size_t remain = ef->len - offset;
    size_t n = apdu->ne < remain ? apdu->ne : remain;
    if (n > CARD_DATA_MAX)
        n = CARD_DATA_MAX;
    memcpy(out, ef->data + offset, n);
    *out_len = n;
    return apdu->ne > remain ? ISO7816_SW_END_OF_FILE : ISO7816_SW_OK;
}

/* GET CHALLENGE (ISO 7816-4): 00 84 00 00 Le, no command data; the answer is Ne bytes from the card's RNG
 * (Le 00 = 256). P1 00 asks for no particular algorithm and is the only one this card knows, P2 is RFU:
 * anything else 6A86. Command data or no Le: 6700, as is an extended Le above 256 (the card's most). The
 * challenge is not kept: this card has no EXTERNAL AUTHENTICATE that would use it. */
#define CARD_CHALLENGE_MAX 256u

static uint16_t card_cmd_get_challenge(struct card *card, const struct iso7816_apdu *apdu, uint8_t *out,
                                       size_t *out_len)
{
    if (apdu->p1 != 0x00 || apdu->p2 != 0x00)
        return ISO7816_SW_INCORRECT_P1P2;
    if (apdu->nc != 0 || !apdu->has_le || apdu->ne > CARD_CHALLENGE_MAX)
        return ISO7816_SW_WRONG_LENGTH;
    core_rng_bytes(&card->rng, out, apdu->ne);
    *out_len = apdu->ne;
    return ISO7816_SW_OK;
}

static uint16_t card_dispatch(struct card *card, const struct iso7816_apdu *apdu, uint8_t *out,
                              size_t *out_len)
{
    if (apdu->cla != 0x00 && apdu->cla != 0x80)
        return ISO7816_SW_CLA_NOT_SUPPORTED;
    bool known = false;
    for (size_t i = 0; i < sizeof card_ins_table / sizeof card_ins_table[0]; i++) {
        if (card_ins_table[i].ins != apdu->ins)
            continue;
        known = true;
        if (card_ins_table[i].cla == apdu->cla)
            return card_ins_table[i].fn(card, apdu, out, out_len);
    }
    return known ? ISO7816_SW_CLA_NOT_SUPPORTED : ISO7816_SW_INS_NOT_SUPPORTED;
}

int card_transmit(struct card *card, const uint8_t *capdu, size_t len, uint8_t *rapdu, size_t cap,
                  size_t *rlen)
{
    if (rlen != NULL)
        *rlen = 0;
    if (card == NULL || (capdu == NULL && len > 0) || rapdu == NULL || rlen == NULL || cap < CARD_RAPDU_MAX)
        return CORE_EINVAL;
    if (!card->powered)
        return CORE_ESTATE;
    struct iso7816_apdu apdu;
    size_t n = 0;
    uint16_t sw;
    int rc = iso7816_apdu_parse(capdu, len, &apdu);
    if (rc != 0)
        sw = rc > 0 && rc <= 0xFFFF ? (uint16_t)rc : ISO7816_SW_WRONG_LENGTH;
    else
        sw = card_dispatch(card, &apdu, rapdu, &n);
    if ((sw & 0xFF00) != 0x9000 && sw != ISO7816_SW_END_OF_FILE)
        n = 0; /* an error carries no data */
    rapdu[n] = (uint8_t)(sw >> 8);
    rapdu[n + 1] = (uint8_t)sw;
    *rlen = n + 2;
    return CORE_OK;
}
