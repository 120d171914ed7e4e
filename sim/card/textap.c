/*
 * textap.c: the card-info input support application (券面事項入力補助AP, AID D3 92 10 00 31 00 01 01 04 08).
 *
 *   EF    content                                               READ BINARY
 *   0011  card-info PIN (4 digits, 3 tries)                     never; VERIFY target
 *   0001  My Number: DF 10 0C + the 12 ASCII digits             after the card-info PIN
 *   0002  basic four information (基本4情報), BER-TLV:           after the card-info PIN
 *           FF 20 L {
 *             DF 21 02  01 04         header: layout version 1, four items follow
 *             DF 22 L   name          UTF-8, as printed on the card
 *             DF 23 L   address       UTF-8
 *             DF 24 08  birth date    ASCII YYYYMMDD
 *             DF 25 01  sex           ASCII '1' male, '2' female
 *           }
 * This follows the real card's tag order (DF21 a header, then name, address, birth date, sex), so tools
 * written for real cards read it. A face-only card has no PIN, so these EFs stay unreadable (VERIFY 6A88).
 */
#include <stdlib.h>
#include <string.h>

#include "card/card_int.h"
#include "iso7816/iso7816.h"

static const uint8_t textap_aid[] = {0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08};

int card_textap_encode_basic4(const struct card_holder *holder, uint8_t *out, size_t cap, size_t *len)
{
    uint8_t inner[sizeof holder->name + sizeof holder->address + 64];
    size_t n = 0, used;
    static const uint8_t header[2] = {0x01, 0x04};
    char birth[11];
    core_date_format(holder->born, birth); /* YYYY-MM-DD */
    uint8_t ymd[8] = {(uint8_t)birth[0], (uint8_t)birth[1], (uint8_t)birth[2], (uint8_t)birth[3],
                      (uint8_t)birth[5], (uint8_t)birth[6], (uint8_t)birth[8], (uint8_t)birth[9]};
    uint8_t sex = holder->sex == CARD_SEX_FEMALE ? '2' : '1';
    struct {
        uint32_t tag;
        const uint8_t *v;
        size_t len;
    } items[] = {
        {0xDF21, header, sizeof header},
        {0xDF22, (const uint8_t *)holder->name, strnlen(holder->name, sizeof holder->name)},
        {0xDF23, (const uint8_t *)holder->address, strnlen(holder->address, sizeof holder->address)},
        {0xDF24, ymd, sizeof ymd},
        {0xDF25, &sex, 1},
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        if (iso7816_tlv_encode(items[i].tag, items[i].v, items[i].len, inner + n, sizeof inner - n, &used) !=
            0)
            return CORE_EINVAL;
        n += used;
    }
    if (iso7816_tlv_encode(0xFF20, inner, n, out, cap, len) != 0)
        return CORE_EINVAL;
    return CORE_OK;
}

int card_textap_build(struct card *card, struct core_error *err)
{
    struct card_app *app = &card->apps[CARD_APP_TEXT];
    size_t cap = sizeof card->holder.name + sizeof card->holder.address + 80;
    card->basic4_ef = malloc(cap);
    card->my_number_ef = malloc(3 + 12);
    if (card->basic4_ef == NULL || card->my_number_ef == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "card: out of memory");
    if (card_textap_encode_basic4(&card->holder, card->basic4_ef, cap, &card->basic4_len) != CORE_OK)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card: cannot encode the basic four information");
    card->my_number_ef[0] = 0xDF;
    card->my_number_ef[1] = 0x10;
    card->my_number_ef[2] = 12;
    memcpy(card->my_number_ef + 3, card->holder.my_number, 12);
    card->my_number_len = 15;

    app->aid = textap_aid;
    app->aid_len = sizeof textap_aid;
    app->ef_count = 3;
    app->efs[0] = (struct card_ef){
        .fid = 0x0011, .type = CARD_EF_PIN, .access = CARD_ACCESS_ALWAYS, .pin = CARD_PIN_TEXT};
    app->efs[1] = (struct card_ef){.fid = 0x0001,
                                   .type = CARD_EF_BINARY,
                                   .access = CARD_PIN_TEXT,
                                   .data = card->my_number_ef,
                                   .len = card->my_number_len};
    app->efs[2] = (struct card_ef){.fid = 0x0002,
                                   .type = CARD_EF_BINARY,
                                   .access = CARD_PIN_TEXT,
                                   .data = card->basic4_ef,
                                   .len = card->basic4_len};
    return CORE_OK;
}
