/*
 * jpki.c: the JPKI application (公的個人認証 AP, AID D3 92 F0 00 26 01 00 00 00 01) and COMPUTE DIGITAL
 * SIGNATURE.
 *
 *   EF    content                               READ BINARY
 *   000A  user authentication certificate (DER) always
 *   000B  its CA certificate (test J-LIS)      always
 *   0001  signature certificate (DER)          after the signature password (6982 before, as a real card)
 *   0002  its CA certificate                   always
 *   0006  token "JPKIAPICCTOKEN2"               always
 *   0017  auth private key                     never (6982); signs after the auth PIN
 *   001A  signature private key                never (6982); signs after the signature password
 *   0018  auth PIN (4 digits)                  never; VERIFY target
 *   001B  signature password (6-16 A-Z 0-9)    never; VERIFY target
 * A face-only card (MYNA-2) has no signature certificate, key or password: 0001, 001A and 001B are absent
 * (SELECT answers 6A82) and VERIFY of 0018 answers 6A88.
 *
 * COMPUTE DIGITAL SIGNATURE 80 2A 00 80 Lc DigestInfo Le: the card pads PKCS#1 v1.5 type 1 itself and answers
 * the whole 256-byte RSA-2048 signature and 9000 in one response (OpenSC loses data split by 61xx). The data
 * is signed as given: like the real card it does not parse the DigestInfo.
 */
#include <openssl/rsa.h>
#include <string.h>

#include "card/card_int.h"
#include "iso7816/iso7816.h"

static const uint8_t jpki_aid[] = {0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01};
static const uint8_t jpki_token[] = "JPKIAPICCTOKEN2";

#define RSA2048_BYTES 256u
#define PKCS1_TYPE1_MAX_INPUT (RSA2048_BYTES - 11u)

static void jpki_add(struct card_app *app, uint16_t fid, enum card_ef_type type, int access, int pin, int key,
                     const uint8_t *data, size_t len)
{
    struct card_ef *ef = &app->efs[app->ef_count++];
    ef->fid = fid;
    ef->type = type;
    ef->access = access;
    ef->pin = pin;
    ef->key = key;
    ef->data = data;
    ef->len = len;
}

int card_jpki_build(struct card *card, struct core_error *err)
{
    struct card_app *app = &card->apps[CARD_APP_JPKI];
    bool face_only = card->state.kind == CARD_KIND_FACE_ONLY;
    if (card->cert_der[CARD_CERT_AUTH] == NULL || card->cert_der[CARD_CERT_AUTH_CA] == NULL ||
        card->cert_der[CARD_CERT_SIGN_CA] == NULL || (!face_only && card->cert_der[CARD_CERT_SIGN] == NULL))
        return core_error_set(err, CORE_ESTATE, NULL, 0, 0, "card: JPKI built before its certificates");
    app->aid = jpki_aid;
    app->aid_len = sizeof jpki_aid;
    app->ef_count = 0;
    jpki_add(app, 0x000A, CARD_EF_BINARY, CARD_ACCESS_ALWAYS, 0, 0, card->cert_der[CARD_CERT_AUTH],
             card->cert_len[CARD_CERT_AUTH]);
    jpki_add(app, 0x000B, CARD_EF_BINARY, CARD_ACCESS_ALWAYS, 0, 0, card->cert_der[CARD_CERT_AUTH_CA],
             card->cert_len[CARD_CERT_AUTH_CA]);
    jpki_add(app, 0x0002, CARD_EF_BINARY, CARD_ACCESS_ALWAYS, 0, 0, card->cert_der[CARD_CERT_SIGN_CA],
             card->cert_len[CARD_CERT_SIGN_CA]);
    jpki_add(app, 0x0006, CARD_EF_BINARY, CARD_ACCESS_ALWAYS, 0, 0, jpki_token, sizeof jpki_token - 1);
    jpki_add(app, 0x0017, CARD_EF_KEY, CARD_ACCESS_ALWAYS, CARD_PIN_AUTH, CARD_KEY_AUTH, NULL, 0);
    jpki_add(app, 0x0018, CARD_EF_PIN, CARD_ACCESS_ALWAYS, CARD_PIN_AUTH, 0, NULL, 0);
    if (!face_only) {
        jpki_add(app, 0x0001, CARD_EF_BINARY, CARD_PIN_SIGN, 0, 0, card->cert_der[CARD_CERT_SIGN],
                 card->cert_len[CARD_CERT_SIGN]);
        jpki_add(app, 0x001A, CARD_EF_KEY, CARD_ACCESS_ALWAYS, CARD_PIN_SIGN, CARD_KEY_SIGN, NULL, 0);
        jpki_add(app, 0x001B, CARD_EF_PIN, CARD_ACCESS_ALWAYS, CARD_PIN_SIGN, 0, NULL, 0);
    }
    return CORE_OK;
}

uint16_t card_cmd_sign(struct card *card, const struct iso7816_apdu *apdu, uint8_t *out, size_t *out_len)
{
    if (apdu->p1 != 0x00 || apdu->p2 != 0x80)
        return ISO7816_SW_INCORRECT_P1P2;
    const struct card_ef *ef = card_current_ef(card);
    if (ef == NULL || ef->type != CARD_EF_KEY)
        return ISO7816_SW_NO_CURRENT_EF;
    if (!(card->verified & (1u << ef->pin)))
        return ISO7816_SW_SECURITY_NOT_SATISFIED;
    if (apdu->nc == 0 || apdu->nc > PKCS1_TYPE1_MAX_INPUT)
        return ISO7816_SW_WRONG_LENGTH;
    if (apdu->has_le && apdu->ne < RSA2048_BYTES)
        return ISO7816_SW_WRONG_LENGTH;
    EVP_PKEY_CTX *ctx = card->sign_ctx[ef->key];
    if (ctx == NULL)
        return ISO7816_SW_UNKNOWN;
    size_t siglen = RSA2048_BYTES;
    if (EVP_PKEY_sign(ctx, out, &siglen, apdu->data, apdu->nc) != 1 || siglen != RSA2048_BYTES)
        return ISO7816_SW_UNKNOWN;
    *out_len = siglen;
    return ISO7816_SW_OK;
}
