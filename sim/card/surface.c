/*
 * surface.c: the card-surface application (券面AP, AID D3 92 10 00 31 00 01 01 04 02), which face-
 * authentication readers use: they read the photo and compare it with the face in front of them.
 *
 *   EF    content                                                 READ BINARY
 *   0012  PIN-B (10 tries): birth date YYMMDD, then the year        never; VERIFY target
 *         (YYYY) of the card's own expiry, then the 4-digit security
 *         code; 14 ASCII digits. A reader keys it from the surface.
 *   0002  face image: 5F 2E L (biometric data) holding a 32x32        after PIN-B
 *         8-bit greyscale binary PGM ("P5\n32 32\n255\n" + 1024
 *         bytes), deterministic from the profile id and seed.
 * PIN-B exists on face-only cards too: the face route works without a PIN the holder chose (MYNA-2).
 * The expiry year is the card body's (card_state.expires), the one printed on the surface.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card/card_int.h"
#include "iso7816/iso7816.h"

static const uint8_t surface_aid[] = {0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02};

#define FACE_SIDE 32
#define FACE_HEADER "P5\n32 32\n255\n"

void card_surface_pin_b(const struct card_holder *holder, core_day card_expires, char out[15])
{
    int by, bm, bd, ey, em, ed;
    core_date_to_ymd(holder->born, &by, &bm, &bd);
    core_date_to_ymd(card_expires, &ey, &em, &ed);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%02d%02d%02d%04d%.4s", by % 100, bm % 100, bd % 100, ey % 10000,
             holder->security_code);
    memcpy(out, tmp, 14);
    out[14] = '\0';
}

int card_surface_build(struct card *card, struct core_error *err)
{
    struct card_app *app = &card->apps[CARD_APP_SURFACE];
    size_t image_len = sizeof FACE_HEADER - 1 + FACE_SIDE * FACE_SIDE;
    uint8_t *image = malloc(image_len);
    card->face_ef = malloc(image_len + 8);
    if (image == NULL || card->face_ef == NULL) {
        free(image);
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "card: out of memory");
    }
    memcpy(image, FACE_HEADER, sizeof FACE_HEADER - 1);
    /* A smooth, holder-specific pattern: a gradient plus noise from the card's own stream. */
    struct core_rng rng;
    core_rng_seed(&rng, core_hash64(card->profile.id, strlen(card->profile.id), card->profile.seed ^ 0xFACE));
    uint8_t *px = image + sizeof FACE_HEADER - 1;
    for (int y = 0; y < FACE_SIDE; y++)
        for (int x = 0; x < FACE_SIDE; x++)
            px[y * FACE_SIDE + x] = (uint8_t)(64 + 4 * ((x + y) % 32) + (int)core_rng_below(&rng, 32));
    int rc = iso7816_tlv_encode(0x5F2E, image, image_len, card->face_ef, image_len + 8, &card->face_len);
    free(image);
    if (rc != 0)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card: cannot encode the face image");

    app->aid = surface_aid;
    app->aid_len = sizeof surface_aid;
    app->ef_count = 2;
    app->efs[0] = (struct card_ef){
        .fid = 0x0012, .type = CARD_EF_PIN, .access = CARD_ACCESS_ALWAYS, .pin = CARD_PIN_SURFACE};
    app->efs[1] = (struct card_ef){.fid = 0x0002,
                                   .type = CARD_EF_BINARY,
                                   .access = CARD_PIN_SURFACE,
                                   .data = card->face_ef,
                                   .len = card->face_len};
    return CORE_OK;
}
