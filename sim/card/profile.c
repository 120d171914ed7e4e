/*
 * profile.c: card profile files (the YAML files of fixtures/cards/) into struct card_profile.
 *
 *   id: default                  # required; [A-Za-z0-9._-], at most 63; with seed it names the card's keys
 *   seed: 1                      # optional, 0 when absent; a non-negative integer
 *   holder:                      # required
 *     name: "山田 太郎"            #   UTF-8, at most 64 characters (it goes in the signature certificate)
 *     address: "東京都..."         #   UTF-8, at most 128 characters
 *     born: 1980-04-01
 *     sex: male                  #   male | female
 *     my_number: "123456789018"  #   quoted, 12 digits, check digit valid (docs/RULES.md Numbers)
 *     security_code: "1234"      #   quoted, 4 digits (part of PIN-B of the surface AP)
 *   card:                        # required
 *     kind: normal               #   normal | face_only; normal when absent
 *     issued: 2021-04-01         #   required: a date, or {days_before_today: N} (0..365): the card is issued N
 *                                #   days before the day the profile is dated (card_profile_date; the file
 *                                #   loader dates it at the process's Japan date), so its certificates are
 *                                #   valid on that day whatever the clock says (docs/CARD.md)
 *     expires: 2031-03-31        #   optional: derived by docs/RULES.md card dates when absent
 *     cert_expires: 2026-03-31   #   optional: derived likewise; both refused with a relative `issued`
 *   pins:                        # required for normal cards, refused for face_only (MYNA-2)
 *     auth: "1234"               #   4 digits, quoted
 *     text: "1234"               #   4 digits, quoted
 *     sign: SIGN1234             #   6-16 upper-case letters and digits
 *   tries:                       # optional: tries left now, 0 = blocked; absent = the policy's maximum
 *     auth: 0                    #   auth | sign | text | surface, 0..15
 *
 * Every problem is reported at its node as file:line:column with the field's dotted name: unknown keys, wrong
 * types, impossible dates, bad check digits, PINs of the wrong form. Checks that need the policy (tries above
 * the maximum) happen in card_profile_check().
 */
#include <limits.h>
#include <string.h>

#include "card/card_int.h"

static const char *const profile_keys[] = {"id", "seed", "holder", "card", "pins", "tries", NULL};
static const char *const holder_keys[] = {"name",      "address",       "born", "sex",
                                          "my_number", "security_code", NULL};
static const char *const card_keys[] = {"kind", "issued", "expires", "cert_expires", NULL};
static const char *const relative_keys[] = {"days_before_today", NULL};
#define PROFILE_DAYS_BEFORE_TODAY_MAX                                                                        \
    365 /* less than any certificate validity: valid on the day it is dated */
static const char *const pin_keys[] = {"auth", "text", "sign", NULL};
#define TRIES_KEY(name, word, label) word,
static const char *const tries_keys[] = {CARD_PINS(TRIES_KEY) NULL};
static const char *const sex_words[] = {"male", "female", NULL};
static const char *const kind_words[] = {"normal", "face_only", NULL};

static CORE_MUST_USE int profile_string(const struct core_yaml_doc *doc, const struct core_yaml_node *map,
                                        const char *key, const char *field, char *out, size_t cap,
                                        struct core_error *err)
{
    const struct core_yaml_node *n;
    int rc = core_yaml_require(doc, map, key, &n, err);
    if (rc == CORE_OK)
        rc = core_yaml_string(doc, n, field, out, cap, err);
    if (rc == CORE_OK && out[0] == '\0')
        rc = core_yaml_error(doc, n, err, CORE_EINVAL, "field '%s': must not be empty", field);
    return rc;
}

static CORE_MUST_USE int profile_date(const struct core_yaml_doc *doc, const struct core_yaml_node *map,
                                      const char *key, const char *field, bool required, core_day *out,
                                      struct core_error *err)
{
    const struct core_yaml_node *n = core_yaml_get(map, key);
    if (n == NULL || core_yaml_is_null(n)) {
        if (required)
            return core_yaml_require(doc, map, key, &n, err);
        *out = CORE_DAY_NONE;
        return CORE_OK;
    }
    return core_yaml_date(doc, n, field, out, err);
}

static CORE_MUST_USE int profile_holder(const struct core_yaml_doc *doc, const struct core_yaml_node *map,
                                        struct card_holder *h, struct core_error *err)
{
    const struct core_yaml_node *n;
    int rc, sex;
    if ((rc = core_yaml_check_keys(doc, map, holder_keys, err)) != CORE_OK ||
        (rc = profile_string(doc, map, "name", "holder.name", h->name, sizeof h->name, err)) != CORE_OK ||
        (rc = profile_string(doc, map, "address", "holder.address", h->address, sizeof h->address, err)) !=
            CORE_OK ||
        (rc = profile_date(doc, map, "born", "holder.born", true, &h->born, err)) != CORE_OK)
        return rc;
    if ((rc = core_yaml_require(doc, map, "sex", &n, err)) != CORE_OK ||
        (rc = core_yaml_enum(doc, n, "holder.sex", sex_words, &sex, err)) != CORE_OK)
        return rc;
    h->sex = sex == 1 ? CARD_SEX_FEMALE : CARD_SEX_MALE;
    if ((rc = core_yaml_require(doc, map, "my_number", &n, err)) != CORE_OK ||
        (rc = core_yaml_digits(doc, n, "holder.my_number", 12, 12, h->my_number, sizeof h->my_number, err)) !=
            CORE_OK)
        return rc;
    if (!core_my_number_valid(h->my_number, 12))
        return core_yaml_error(doc, n, err, CORE_EINVAL,
                               "field 'holder.my_number': check digit should be %d, not %c",
                               core_my_number_check_digit(h->my_number), h->my_number[11]);
    if ((rc = core_yaml_require(doc, map, "security_code", &n, err)) != CORE_OK ||
        (rc = core_yaml_digits(doc, n, "holder.security_code", 4, 4, h->security_code,
                               sizeof h->security_code, err)) != CORE_OK)
        return rc;
    return CORE_OK;
}

static CORE_MUST_USE int profile_pins(const struct core_yaml_doc *doc, const struct core_yaml_node *map,
                                      struct card_profile *out, struct core_error *err)
{
    const struct core_yaml_node *n;
    int rc;
    if ((rc = core_yaml_check_keys(doc, map, pin_keys, err)) != CORE_OK)
        return rc;
    if ((rc = core_yaml_require(doc, map, "auth", &n, err)) != CORE_OK ||
        (rc = core_yaml_digits(doc, n, "pins.auth", 4, 4, out->auth_pin, sizeof out->auth_pin, err)) !=
            CORE_OK)
        return rc;
    if ((rc = core_yaml_require(doc, map, "text", &n, err)) != CORE_OK ||
        (rc = core_yaml_digits(doc, n, "pins.text", 4, 4, out->text_pin, sizeof out->text_pin, err)) !=
            CORE_OK)
        return rc;
    if ((rc = core_yaml_require(doc, map, "sign", &n, err)) != CORE_OK)
        return rc;
    char sign[64];
    if (core_yaml_string(doc, n, "pins.sign", sign, sizeof sign, err) != CORE_OK ||
        !card_pin_format_ok(CARD_PIN_SIGN, sign))
        return core_yaml_error(doc, n, err, CORE_EINVAL,
                               "field 'pins.sign': must be 6 to 16 upper-case letters and digits");
    memcpy(out->sign_password, sign, strlen(sign) + 1);
    return CORE_OK;
}

static CORE_MUST_USE int profile_tries(const struct core_yaml_doc *doc, const struct core_yaml_node *map,
                                       struct card_profile *out, struct core_error *err)
{
    int rc = core_yaml_check_keys(doc, map, tries_keys, err);
    if (rc != CORE_OK)
        return rc;
    static const struct {
        const char *key, *field;
        enum card_pin pin;
    } rows[] = {
#define TRIES_ROW(name, word, label) {word, "tries." word, CARD_PIN_##name},
        CARD_PINS(TRIES_ROW)
#undef TRIES_ROW
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct core_yaml_node *n = core_yaml_get(map, rows[i].key);
        long long v;
        if (n == NULL)
            continue;
        if ((rc = core_yaml_int(doc, n, rows[i].field, 0, 15, &v, err)) != CORE_OK)
            return rc;
        out->tries_left[rows[i].pin] = (int)v;
    }
    return CORE_OK;
}

int card_profile_load_doc(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                          struct card_profile *out, struct core_error *err)
{
    if (doc == NULL || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card profile: nothing to read");
    if (node == NULL)
        return core_error_set(err, CORE_EINVAL, doc->file, 0, 0, "card profile: the file is empty");
    struct card_profile p;
    card_profile_init(&p);
    const struct core_yaml_node *n;
    int rc;
    if ((rc = core_yaml_check_keys(doc, node, profile_keys, err)) != CORE_OK)
        return rc;

    if ((rc = profile_string(doc, node, "id", "id", p.id, sizeof p.id, err)) != CORE_OK)
        return rc;
    for (const char *c = p.id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
              *c == '_' || *c == '-'))
            return core_yaml_error(doc, core_yaml_get(node, "id"), err, CORE_EINVAL,
                                   "field 'id': only letters, digits, '.', '_' and '-'");
    if ((n = core_yaml_get(node, "seed")) != NULL) {
        long long seed;
        if ((rc = core_yaml_int(doc, n, "seed", 0, LLONG_MAX, &seed, err)) != CORE_OK)
            return rc;
        p.seed = (uint64_t)seed;
    }

    if ((rc = core_yaml_require(doc, node, "holder", &n, err)) != CORE_OK ||
        (rc = profile_holder(doc, n, &p.holder, err)) != CORE_OK)
        return rc;

    const struct core_yaml_node *card;
    if ((rc = core_yaml_require(doc, node, "card", &card, err)) != CORE_OK ||
        (rc = core_yaml_check_keys(doc, card, card_keys, err)) != CORE_OK)
        return rc;
    if ((n = core_yaml_get(card, "kind")) != NULL) {
        int kind;
        if ((rc = core_yaml_enum(doc, n, "card.kind", kind_words, &kind, err)) != CORE_OK)
            return rc;
        p.kind = kind == 1 ? CARD_KIND_FACE_ONLY : CARD_KIND_NORMAL;
    }
    const struct core_yaml_node *issued = core_yaml_get(card, "issued");
    if (issued != NULL && issued->kind == CORE_YAML_MAP) {
        /* Issued relative to the day the profile is dated: the default card, usable on any date. */
        long long days;
        if ((rc = core_yaml_check_keys(doc, issued, relative_keys, err)) != CORE_OK ||
            (rc = core_yaml_require(doc, issued, "days_before_today", &n, err)) != CORE_OK ||
            (rc = core_yaml_int(doc, n, "card.issued.days_before_today", 0, PROFILE_DAYS_BEFORE_TODAY_MAX,
                                &days, err)) != CORE_OK)
            return rc;
        p.issued_days_before_today = (int)days;
        static const char *const dated_only[] = {"expires", "cert_expires"};
        for (size_t i = 0; i < sizeof dated_only / sizeof dated_only[0]; i++)
            if ((n = core_yaml_get(card, dated_only[i])) != NULL)
                return core_yaml_error(doc, n, err, CORE_EINVAL,
                                       "field 'card.%s': only with a dated 'card.issued' (a card issued "
                                       "relative to today derives its dates)",
                                       dated_only[i]);
    } else if ((rc = profile_date(doc, card, "issued", "card.issued", true, &p.issued, err)) != CORE_OK) {
        return rc;
    }
    if ((rc = profile_date(doc, card, "expires", "card.expires", false, &p.expires, err)) != CORE_OK ||
        (rc = profile_date(doc, card, "cert_expires", "card.cert_expires", false, &p.cert_expires, err)) !=
            CORE_OK)
        return rc;
    if (p.issued != CORE_DAY_NONE && p.issued < p.holder.born)
        return core_yaml_error(doc, core_yaml_get(card, "issued"), err, CORE_EINVAL,
                               "field 'card.issued': before the holder was born");
    if (p.expires != CORE_DAY_NONE && p.expires < p.issued)
        return core_yaml_error(doc, core_yaml_get(card, "expires"), err, CORE_EINVAL,
                               "field 'card.expires': before the card was issued");
    if (p.cert_expires != CORE_DAY_NONE && p.cert_expires < p.issued)
        return core_yaml_error(doc, core_yaml_get(card, "cert_expires"), err, CORE_EINVAL,
                               "field 'card.cert_expires': before the card was issued");

    const struct core_yaml_node *pins = core_yaml_get(node, "pins");
    if (p.kind == CARD_KIND_FACE_ONLY && pins != NULL)
        return core_yaml_error(doc, pins, err, CORE_EINVAL,
                               "field 'pins': a face_only card has no PIN (MYNA-2)");
    if (p.kind == CARD_KIND_NORMAL) {
        if ((rc = core_yaml_require(doc, node, "pins", &pins, err)) != CORE_OK ||
            (rc = profile_pins(doc, pins, &p, err)) != CORE_OK)
            return rc;
    }
    if ((n = core_yaml_get(node, "tries")) != NULL && (rc = profile_tries(doc, n, &p, err)) != CORE_OK)
        return rc;

    /* What the file cannot show by position (name length in characters, ...) is checked as card_new will. */
    struct card_state state;
    struct card_profile dated = p; /* a relative profile is checked as it would be dated today */
    if ((rc = card_profile_date(&dated, core_date_today(), err)) == CORE_OK)
        rc = card_profile_check(&dated, NULL, &state, err);
    if (rc != CORE_OK) {
        if (err != NULL && err->file[0] == '\0') {
            char message[sizeof err->message];
            memcpy(message, err->message, sizeof message);
            core_yaml_error(doc, node, err, rc, "%s", message);
        }
        return rc;
    }
    *out = p;
    return CORE_OK;
}

int card_profile_load(const char *path, struct card_profile *out, struct core_error *err)
{
    struct core_yaml_doc *doc = NULL;
    int rc = core_yaml_load_file(path, &doc, err);
    if (rc != CORE_OK)
        return rc;
    rc = card_profile_load_doc(doc, doc->root, out, err);
    core_yaml_free(doc);
    if (rc == CORE_OK && (rc = card_profile_date(out, core_date_today(), err)) != CORE_OK)
        core_error_set(err, rc, path, 0, 0, "%s", err != NULL ? err->message : "");
    return rc;
}
