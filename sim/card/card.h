/*
 * card: the virtual My Number card (マイナンバーカード). An ISO 7816 chip with three applications:
 *   - JPKI (D392F000260100000001): auth and signature certificates, their CAs, RSA-2048 keys, the auth PIN
 *     (4 digits, EF 0018) and the signature password (6-16, EF 001B), token EF 0006;
 *   - card-info input support (D3921000310001010408): PIN EF 0011, My Number EF 0001, basic four info EF
 * 0002;
 *   - card surface (D3921000310001010402): the face image, readable with PIN-B.
 * Everything outside reaches it with APDUs through card_transmit(); nothing else reads keys or PINs.
 *
 * The card knows nothing of insurance (docs/RULES.md MYNA-8): no insurer, no qualification, no clinic. Its dates
 * live on the certificates and in `struct card_state`, which the engine's rules path reads directly; the
 * chip itself has no clock.
 */
#ifndef MYNASIM_CARD_H
#define MYNASIM_CARD_H

#include "core/core.h"
#include "policy/policy.h"

enum card_kind {
    CARD_KIND_NORMAL,
    CARD_KIND_FACE_ONLY, /* 顔認証マイナンバーカード: no PIN set, VERIFY answers 6A88, no signature
                            certificate */
};

/* The card's PINs, defined once: X(NAME, "word", "label") in value order. The word names a PIN in profiles
 * (`tries:`), in the card server's state line and in messages; the label is what `mynasim card info` prints.
 *   AUTH     JPKI user authentication PIN, EF 0018
 *   SIGN     JPKI signature password, EF 001B
 *   TEXT     card-info input support PIN, EF 0011
 *   SURFACE  card-surface PIN-B (birth YYMMDD + expiry year + security code) */
#define CARD_PINS(X)                                                                                         \
    X(AUTH, "auth", "auth PIN")                                                                              \
    X(SIGN, "sign", "sign password")                                                                         \
    X(TEXT, "text", "text PIN")                                                                              \
    X(SURFACE, "surface", "surface PIN-B")

#define CARD_PIN_ENUM(name, word, label) CARD_PIN_##name,
enum card_pin {
    CARD_PINS(CARD_PIN_ENUM) CARD_PIN_COUNT,
};

/* A PIN's word ("auth", "sign", "text", "surface") and label ("auth PIN", ...); "?" out of range. */
const char *card_pin_name(enum card_pin pin);
const char *card_pin_label(enum card_pin pin);

enum card_cert {
    CARD_CERT_AUTH,
    CARD_CERT_AUTH_CA,
    CARD_CERT_SIGN,
    CARD_CERT_SIGN_CA,
    CARD_CERT_COUNT,
};

enum card_sex {
    CARD_SEX_MALE = 1,
    CARD_SEX_FEMALE = 2,
};

/* The holder as printed on the card surface and stored in the card-info application. UTF-8. */
struct card_holder {
    char name[256];
    char address[512];
    core_day born;
    enum card_sex sex;
    char my_number[13];    /* 12 digits, check digit valid */
    char security_code[5]; /* 4 digits, for PIN-B */
};

/* What a card is made from: a card profile file (fixtures/cards/NAME.yaml) or a resident of a scenario. */
struct card_profile {
    char id[64]; /* names the profile; with `seed` it keys the cached keys */
    uint64_t seed;
    struct card_holder holder;
    enum card_kind kind;
    core_day issued;              /* CORE_DAY_NONE while issued_days_before_today is set and not yet dated */
    int issued_days_before_today; /* -1: `issued` is a date; else issued that many days before the day the
                                     profile is dated (card_profile_date; docs/CARD.md, the default card) */
    core_day expires;             /* CORE_DAY_NONE: derived (docs/RULES.md card dates) */
    core_day cert_expires;        /* CORE_DAY_NONE: derived */
    char auth_pin[17];
    char sign_password[17];
    char text_pin[17];
    int tries_left[CARD_PIN_COUNT]; /* -1: the policy's maximum; 0: blocked */
    uint64_t auth_cert_serial;      /* the auth certificate's serial as J-LIS records it; 0: derived */
};

/* The card's state as a plain struct: the engine reads it, the --state file stores the counters. */
struct card_state {
    enum card_kind kind;
    core_day issued;
    core_day expires; /* last valid day of the card body */
    core_day cert_issued;
    core_day cert_expires; /* last valid day of the auth and signature certificates */
    uint8_t tries_left[CARD_PIN_COUNT];
    uint8_t tries_max[CARD_PIN_COUNT]; /* 0: no such PIN on this card (a face-only card's auth, sign, text) */
};

struct card;

/* Fills a profile with defaults (tries from the policy, dates none) before a loader or a caller sets fields.
 */
void card_profile_init(struct card_profile *profile);
/* Reads a card profile file; every problem is reported with file:line:column. A profile issued relative to
 * today (`issued: {days_before_today: N}`) is dated at the process's Japan date (core_date_today, so
 * libfaketime moves it): its certificates are valid on the day it is loaded. */
CORE_MUST_USE int card_profile_load(const char *path, struct card_profile *out, struct core_error *err);
/* Reads a profile from a YAML node without dating it: a relative profile keeps issued = CORE_DAY_NONE until
 * card_profile_date (its checks use today's date). */
CORE_MUST_USE int card_profile_load_doc(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                                        struct card_profile *out, struct core_error *err);
/* Dates a profile issued relative to today: issued = today - issued_days_before_today. Nothing to do for a
 * profile with an issue date. Refused when the holder would not yet be born on that day. */
CORE_MUST_USE int card_profile_date(struct card_profile *profile, core_day today, struct core_error *err);
/* Checks a profile and computes the state card_new would start from (derived dates, tries) without making
 * keys or certificates: cheap, for the rules path and for validating profiles. policy NULL: docs/RULES.md's
 * values. */
CORE_MUST_USE int card_profile_check(const struct card_profile *profile, const struct policy *policy,
                                     struct card_state *out, struct core_error *err);

/* Personalises a card: derives missing dates by the policy, makes its keys (deterministic from the profile id
 * and seed, cached on disk), issues its certificates from the test J-LIS CA. */
CORE_MUST_USE int card_new(const struct card_profile *profile, const struct policy *policy, struct card **out,
                           struct core_error *err);
void card_free(struct card *card);

/* The ATR (at most 33 bytes). Default 3B E0 00 FF 81 31 FE 45 14. */
size_t card_atr(const struct card *card, uint8_t *out, size_t cap);
/* Power-on, reset and power-off all clear the security state and the current selection. */
void card_power_on(struct card *card);
void card_power_off(struct card *card);
void card_reset(struct card *card);
bool card_powered(const struct card *card);

/* One command APDU in, one response APDU out (data + SW1 SW2). Never fails for bad input: a malformed command
 * gets a status word. Returns 0, or CORE_EINVAL when `cap` is smaller than CARD_RAPDU_MAX, or CORE_ESTATE
 * (and no response) when the card is not powered. card_new returns a powered card. */
#define CARD_RAPDU_MAX (4096u + 2u)
CORE_MUST_USE int card_transmit(struct card *card, const uint8_t *capdu, size_t len, uint8_t *rapdu,
                                size_t cap, size_t *rlen);

const struct card_state *card_state(const struct card *card);
const struct card_holder *card_holder(const struct card *card);
/* A certificate's DER, for `mynasim card cert` and for tests' independent checks. */
CORE_MUST_USE int card_cert_der(const struct card *card, enum card_cert which, const uint8_t **der,
                                size_t *len);

/* The municipal office's PIN reset (MYNA-7): restores a PIN's tries. Not reachable by APDU. */
void card_pin_reset(struct card *card, enum card_pin pin);

/* The card's persistent memory. A card with a persist hook hands it its whole state (card_state_save's bytes)
 * every time a PIN counter must become durable, and goes on only when the hook returns 0: VERIFY with data
 * counts the try through the hook before it compares, and writes the counter again after (docs/CARD.md).
 * When the hook fails, the command answers 6581 (memory failure) and the card's memory keeps what was last
 * made durable. No hook (the default): nothing to write, every save succeeds. */
typedef int card_persist_fn(void *ctx, const uint8_t *state, size_t len);
void card_set_persist(struct card *card, card_persist_fn *fn, void *ctx);

/* The card's whole mutable state (counters, security state, selection, power) as bytes, and back.
 * For --state files and for probes that must leave no trace. The format is versioned and checked. */
CORE_MUST_USE int card_state_save(const struct card *card, uint8_t *out, size_t cap, size_t *len);
CORE_MUST_USE int card_state_restore(struct card *card, const uint8_t *buf, size_t len,
                                     struct core_error *err);
#define CARD_STATE_MAX 256u

#endif
