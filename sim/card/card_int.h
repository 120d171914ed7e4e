/*
 * card_int.h: the inside of the virtual My Number card, shared by the files of sim/card only.
 *
 * A card is three applications (JPKI, card-info input support, card surface), each a flat table of
 * elementary files. An EF is one of three types:
 *   - binary: bytes read with READ BINARY, either freely or once a named PIN is verified in this session;
 *   - PIN: the reference data of one PIN; VERIFY acts on the PIN EF currently selected (P2 = 80);
 *   - key: an RSA private key; COMPUTE DIGITAL SIGNATURE uses the key EF currently selected, once its PIN
 *     is verified. Key and PIN EFs can be selected but never read.
 * The mutable part of a card (power, selection, security state, PIN counters) is small and flat so that
 * card_state_save() can write it whole; everything else is fixed at personalisation.
 */
#ifndef MYNASIM_CARD_INT_H
#define MYNASIM_CARD_INT_H

#include <openssl/evp.h>

#include "card/card.h"

enum card_app_id {
    CARD_APP_JPKI,
    CARD_APP_TEXT,
    CARD_APP_SURFACE,
    CARD_APP_COUNT,
};

enum card_ef_type {
    CARD_EF_BINARY,
    CARD_EF_PIN,
    CARD_EF_KEY,
};

enum card_key_slot {
    CARD_KEY_AUTH, /* JPKI EF 0017, used after the auth PIN */
    CARD_KEY_SIGN, /* JPKI EF 001A, used after the signature password */
    CARD_KEY_COUNT,
};

#define CARD_ACCESS_ALWAYS (-1)
#define CARD_APP_NONE (-1)
#define CARD_EF_NONE (-1)
#define CARD_EF_MAX 10
#define CARD_PIN_MAX_LEN 16

struct card_ef {
    uint16_t fid;
    enum card_ef_type type;
    int access;          /* binary: CARD_ACCESS_ALWAYS or the enum card_pin to verify first */
    int pin;             /* PIN EF: which PIN; key EF: the PIN that unlocks it */
    int key;             /* key EF: enum card_key_slot */
    const uint8_t *data; /* binary: points into card-owned memory */
    size_t len;
};

struct card_app {
    const uint8_t *aid;
    size_t aid_len;
    struct card_ef efs[CARD_EF_MAX];
    size_t ef_count;
};

struct card {
    struct card_profile profile;
    struct card_holder holder;
    struct card_state state;
    uint64_t identity; /* binds a saved state to this card */

    struct card_app apps[CARD_APP_COUNT];

    /* PIN reference data (NUL-terminated); pin_set false = no PIN on this card (face-only). */
    char pin_value[CARD_PIN_COUNT][CARD_PIN_MAX_LEN + 1];
    bool pin_set[CARD_PIN_COUNT];

    /* Owned buffers the EFs point into. */
    uint8_t *cert_der[CARD_CERT_COUNT];
    size_t cert_len[CARD_CERT_COUNT];
    uint8_t *my_number_ef;
    size_t my_number_len;
    uint8_t *basic4_ef;
    size_t basic4_len;
    uint8_t *face_ef;
    size_t face_len;

    EVP_PKEY *key[CARD_KEY_COUNT];
    EVP_PKEY_CTX *sign_ctx[CARD_KEY_COUNT]; /* initialised once: signing stays cheap */

    /* GET CHALLENGE's source: seeded from the profile's id and seed at card_new, so the same profile gives the
     * same challenges in every run (a simulator's reproducibility, not a real card's secrecy: docs/CARD.md).
     * Not part of the saved state. */
    struct core_rng rng;

    /* Mutable, saved by card_state_save. */
    bool powered;
    int cur_app;      /* enum card_app_id or CARD_APP_NONE */
    int cur_ef;       /* index into apps[cur_app].efs or CARD_EF_NONE */
    uint8_t verified; /* bit (1 << enum card_pin): verified since the last application SELECT or reset */

    /* Where the state is made durable (card_set_persist); NULL: nowhere. */
    card_persist_fn *persist;
    void *persist_ctx;
};

/* A command handler: writes response data into out (room for CARD_RAPDU_MAX - 2 bytes), sets *out_len, and
 * returns the status word. */
struct iso7816_apdu;
typedef uint16_t card_cmd_fn(struct card *card, const struct iso7816_apdu *apdu, uint8_t *out,
                             size_t *out_len);

/* card.c */
void card_security_clear(struct card *card);
/* Hands the whole state to the persist hook: CORE_OK when it is durable (or there is no hook), CORE_EIO. */
CORE_MUST_USE int card_persist(struct card *card);
const struct card_ef *card_current_ef(const struct card *card);
CORE_MUST_USE int card_app_find_ef(const struct card_app *app, uint16_t fid);

/* pin.c */
card_cmd_fn card_cmd_verify;
/* Checks a PIN's format (auth and text: 4 digits; sign: 6-16 of A-Z 0-9; surface: 14 digits). */
bool card_pin_format_ok(enum card_pin pin, const char *value);

/* jpki.c */
card_cmd_fn card_cmd_sign;
CORE_MUST_USE int card_jpki_build(struct card *card, struct core_error *err);

/* textap.c */
CORE_MUST_USE int card_textap_build(struct card *card, struct core_error *err);
/* The basic four information EF: FF 20 { DF21 header, DF22 name, DF23 address, DF24 birth, DF25 sex }. */
CORE_MUST_USE int card_textap_encode_basic4(const struct card_holder *holder, uint8_t *out, size_t cap,
                                            size_t *len);

/* surface.c */
CORE_MUST_USE int card_surface_build(struct card *card, struct core_error *err);
/* PIN-B: birth date YYMMDD + the card's expiry year YYYY + the 4-digit security code. */
void card_surface_pin_b(const struct card_holder *holder, core_day card_expires, char out[15]);

/* keys.c: RSA-2048 keys derived from (profile id, seed, slot), cached on disk. */
CORE_MUST_USE int card_key_derive(const char *id, uint64_t seed, int slot, EVP_PKEY **out,
                                  struct core_error *err);
/* The cache directory ($MYNASIM_CACHE_DIR, $XDG_CACHE_HOME/mynasim, $HOME/.cache/mynasim); false if none. */
CORE_MUST_USE bool card_key_cache_dir(char *out, size_t cap);

/* cert.c */
struct card_ca;
CORE_MUST_USE int card_ca_load(const char *which, struct card_ca **out, struct core_error *err);
void card_ca_free(struct card_ca *ca);
CORE_MUST_USE int card_ca_cert_der(const struct card_ca *ca, uint8_t **der, size_t *len,
                                   struct core_error *err);
/* Issues the holder's certificate for `key` from `ca`, valid from `issued` 00:00 JST to `expires` 23:59:59
 * JST. `sign` selects the signature certificate profile (name and address in the subject). */
CORE_MUST_USE int card_cert_issue(const struct card_ca *ca, const struct card_profile *profile, EVP_PKEY *key,
                                  bool sign, core_day issued, core_day expires, uint8_t **der, size_t *len,
                                  struct core_error *err);

#endif
