/*
 * personalise.c: making a card from a profile (card_new), the profile's defaults and its checks.
 *
 * Personalisation is what the issuer does once: check the holder's data, fix the dates, make the keys, issue
 * the certificates and write the files. Dates not given are derived by docs/RULES.md "Card dates" (J-LIS
 * practice): the card runs to the holder's 10th birthday after the issue day (card.validity_years), or the
 * 5th (card.validity_years_minor) when the holder is under card.minor_age at issue; the certificates run to
 * the 5th birthday after the issue day (card.cert_validity_years). Each "to" includes that birthday, and a 29
 * February birthday falls on 1 March in common years (core_date_nth_birthday_after). The tries come from
 * card.pin_tries.{auth,sign,text,surface} (MYNA-7). With no policy the built-in values are docs/RULES.md's.
 *
 * card_profile_check() does all of this but the keys and certificates, so the rules path (and the profile
 * fuzzer) get a card's state without paying for RSA.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rsa.h>

#include "card/card_int.h"

struct card_params {
    long long tries[CARD_PIN_COUNT];
    long long validity_years;
    long long validity_years_minor;
    long long minor_age;
    long long cert_validity_years;
};

static const struct card_param_row {
    const char *name;
    size_t offset;
    long long builtin;
    long long min, max;
} card_param_table[] = {
    {"card.pin_tries.auth", offsetof(struct card_params, tries[CARD_PIN_AUTH]), 3, 1, 15},
    {"card.pin_tries.sign", offsetof(struct card_params, tries[CARD_PIN_SIGN]), 5, 1, 15},
    {"card.pin_tries.text", offsetof(struct card_params, tries[CARD_PIN_TEXT]), 3, 1, 15},
    {"card.pin_tries.surface", offsetof(struct card_params, tries[CARD_PIN_SURFACE]), 10, 1, 15},
    {"card.validity_years", offsetof(struct card_params, validity_years), 10, 1, 100},
    {"card.validity_years_minor", offsetof(struct card_params, validity_years_minor), 5, 1, 100},
    {"card.minor_age", offsetof(struct card_params, minor_age), 18, 0, 150},
    {"card.cert_validity_years", offsetof(struct card_params, cert_validity_years), 5, 1, 100},
};

static CORE_MUST_USE int card_params_get(const struct policy *policy, core_day on, struct card_params *out,
                                         struct core_error *err)
{
    for (size_t i = 0; i < sizeof card_param_table / sizeof card_param_table[0]; i++) {
        const struct card_param_row *row = &card_param_table[i];
        long long v = row->builtin;
        if (policy != NULL && policy_int(policy, row->name, on, &v) != CORE_OK) {
            char day[11];
            core_date_format(on, day);
            return core_error_set(err, CORE_ENOTFOUND, NULL, 0, 0, "card: policy '%s' has no %s on %s",
                                  policy_name(policy), row->name, day);
        }
        if (v < row->min || v > row->max)
            return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                                  "card: policy %s = %lld is out of range %lld..%lld", row->name, v, row->min,
                                  row->max);
        memcpy((char *)out + row->offset, &v, sizeof v);
    }
    return CORE_OK;
}

void card_profile_init(struct card_profile *profile)
{
    if (profile == NULL)
        return;
    memset(profile, 0, sizeof *profile);
    profile->holder.born = CORE_DAY_NONE;
    profile->holder.sex = CARD_SEX_MALE;
    profile->kind = CARD_KIND_NORMAL;
    profile->issued = CORE_DAY_NONE;
    profile->issued_days_before_today = -1;
    profile->expires = CORE_DAY_NONE;
    profile->cert_expires = CORE_DAY_NONE;
    for (int i = 0; i < CARD_PIN_COUNT; i++)
        profile->tries_left[i] = -1;
}

int card_profile_date(struct card_profile *profile, core_day today, struct core_error *err)
{
    if (profile == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card: no profile");
    if (profile->issued_days_before_today < 0)
        return CORE_OK;
    if (today == CORE_DAY_NONE)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: no day to date the profile at",
                              profile->id);
    core_day issued = today - profile->issued_days_before_today;
    if (profile->holder.born != CORE_DAY_NONE && issued < profile->holder.born) {
        char day[11];
        core_date_format(issued, day);
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "card %s: issued %d days before today is %s, before the holder was born",
                              profile->id, profile->issued_days_before_today, day);
    }
    profile->issued = issued;
    return CORE_OK;
}

static bool all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Characters in a UTF-8 string; -1 when it is not valid UTF-8 (the card stores and certifies it as UTF-8). */
static long utf8_chars(const char *s)
{
    long n = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        int extra = *u < 0x80             ? 0
                    : (*u & 0xE0) == 0xC0 ? 1
                    : (*u & 0xF0) == 0xE0 ? 2
                    : (*u & 0xF8) == 0xF0 ? 3
                                          : -1;
        if (extra < 0 || (extra == 1 && *u < 0xC2))
            return -1;
        u++;
        for (int i = 0; i < extra; i++, u++)
            if ((*u & 0xC0) != 0x80)
                return -1;
        n++;
    }
    return n;
}

static const char *card_profile_pin(const struct card_profile *p, int pin)
{
    switch (pin) {
    case CARD_PIN_AUTH:
        return p->auth_pin;
    case CARD_PIN_SIGN:
        return p->sign_password;
    case CARD_PIN_TEXT:
        return p->text_pin;
    default:
        return "";
    }
}

static const char *const card_pin_rule[CARD_PIN_COUNT] = {
    [CARD_PIN_AUTH] = "4 digits",
    [CARD_PIN_SIGN] = "6 to 16 upper-case letters and digits",
    [CARD_PIN_TEXT] = "4 digits",
    [CARD_PIN_SURFACE] = "14 digits",
};

int card_profile_check(const struct card_profile *p, const struct policy *policy, struct card_state *out,
                       struct core_error *err)
{
    if (p == NULL || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card: no profile");
    const char *id = p->id;
    if (strnlen(p->id, sizeof p->id) == sizeof p->id || p->id[0] == '\0')
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card: profile id missing or too long");
    const struct card_holder *h = &p->holder;
    if (strnlen(h->name, sizeof h->name) == sizeof h->name || h->name[0] == '\0')
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: holder name missing", id);
    if (strnlen(h->address, sizeof h->address) == sizeof h->address || h->address[0] == '\0')
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: holder address missing", id);
    /* X.509 upper bounds: commonName 64 characters, localityName 128 (the signature certificate). */
    long name_chars = utf8_chars(h->name), address_chars = utf8_chars(h->address);
    if (name_chars < 0 || name_chars > 64)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "card %s: holder name must be UTF-8, 64 characters at most", id);
    if (address_chars < 0 || address_chars > 128)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "card %s: holder address must be UTF-8, 128 characters at most", id);
    if (h->born == CORE_DAY_NONE)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: holder birth date missing", id);
    if (h->sex != CARD_SEX_MALE && h->sex != CARD_SEX_FEMALE)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: holder sex must be male or female", id);
    if (!core_my_number_valid(h->my_number, strnlen(h->my_number, sizeof h->my_number)))
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "card %s: My Number must be 12 digits with a valid check digit", id);
    if (!all_digits(h->security_code, 4))
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: security code must be 4 digits", id);
    if (p->kind != CARD_KIND_NORMAL && p->kind != CARD_KIND_FACE_ONLY)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: unknown card kind", id);
    if (p->issued == CORE_DAY_NONE && p->issued_days_before_today >= 0)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "card %s: issued %d days before today, but not dated (card_profile_date)", id,
                              p->issued_days_before_today);
    if (p->issued == CORE_DAY_NONE)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: issue date missing", id);
    if (p->issued < h->born)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: issued before the holder was born", id);

    struct card_params params;
    int rc = card_params_get(policy, p->issued, &params, err);
    if (rc != CORE_OK)
        return rc;

    memset(out, 0, sizeof *out);
    out->kind = p->kind;
    out->issued = p->issued;
    out->cert_issued = p->issued;
    /* Card dates (docs/RULES.md): to the n-th birthday after issue, that birthday included. */
    bool minor = core_date_age(h->born, p->issued) < params.minor_age;
    out->expires =
        p->expires != CORE_DAY_NONE
            ? p->expires
            : core_date_nth_birthday_after(
                  h->born, p->issued, (int)(minor ? params.validity_years_minor : params.validity_years));
    out->cert_expires =
        p->cert_expires != CORE_DAY_NONE
            ? p->cert_expires
            : core_date_nth_birthday_after(h->born, p->issued, (int)params.cert_validity_years);
    if (out->expires < p->issued)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: the card expires before it is issued",
                              id);
    if (out->cert_expires < p->issued)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "card %s: the certificates expire before they are issued", id);

    for (int i = 0; i < CARD_PIN_COUNT; i++) {
        /* MYNA-2: a face-only card has no PIN the holder chose; PIN-B (the surface's) always exists. */
        bool has = i == CARD_PIN_SURFACE || p->kind == CARD_KIND_NORMAL;
        const char *value = card_profile_pin(p, i);
        if (i != CARD_PIN_SURFACE) {
            if (has && !card_pin_format_ok((enum card_pin)i, value))
                return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: %s PIN must be %s", id,
                                      card_pin_name((enum card_pin)i), card_pin_rule[i]);
            if (!has && value[0] != '\0')
                return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: a face_only card has no %s PIN",
                                      id, card_pin_name((enum card_pin)i));
        }
        int max = has ? (int)params.tries[i] : 0;
        int left = p->tries_left[i];
        if (left < -1 || left > max || (!has && left > 0))
            return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card %s: %s tries %d out of range 0..%d", id,
                                  card_pin_name((enum card_pin)i), left, max);
        out->tries_max[i] = (uint8_t)max;
        out->tries_left[i] = (uint8_t)(left < 0 ? max : left);
    }
    return CORE_OK;
}

static CORE_MUST_USE int card_sign_ctx(struct card *card, int slot, struct core_error *err)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, card->key[slot], NULL);
    if (ctx == NULL || EVP_PKEY_sign_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1) {
        EVP_PKEY_CTX_free(ctx);
        return core_error_set(err, CORE_ECRYPTO, NULL, 0, 0, "card: cannot prepare the signing key");
    }
    card->sign_ctx[slot] = ctx;
    return CORE_OK;
}

static CORE_MUST_USE int card_personalise(struct card *card, struct core_error *err)
{
    const struct card_profile *p = &card->profile;
    bool face_only = p->kind == CARD_KIND_FACE_ONLY;
    struct card_ca *auth_ca = NULL, *sign_ca = NULL;
    int rc;

    if ((rc = card_key_derive(p->id, p->seed, CARD_KEY_AUTH, &card->key[CARD_KEY_AUTH], err)) != CORE_OK)
        return rc;
    if ((rc = card_sign_ctx(card, CARD_KEY_AUTH, err)) != CORE_OK)
        return rc;
    if (!face_only) {
        if ((rc = card_key_derive(p->id, p->seed, CARD_KEY_SIGN, &card->key[CARD_KEY_SIGN], err)) != CORE_OK)
            return rc;
        if ((rc = card_sign_ctx(card, CARD_KEY_SIGN, err)) != CORE_OK)
            return rc;
    }
    if ((rc = card_ca_load("auth", &auth_ca, err)) != CORE_OK ||
        (rc = card_ca_load("sign", &sign_ca, err)) != CORE_OK)
        goto done;
    if ((rc = card_ca_cert_der(auth_ca, &card->cert_der[CARD_CERT_AUTH_CA],
                               &card->cert_len[CARD_CERT_AUTH_CA], err)) != CORE_OK ||
        (rc = card_ca_cert_der(sign_ca, &card->cert_der[CARD_CERT_SIGN_CA],
                               &card->cert_len[CARD_CERT_SIGN_CA], err)) != CORE_OK)
        goto done;
    if ((rc = card_cert_issue(auth_ca, p, card->key[CARD_KEY_AUTH], false, card->state.cert_issued,
                              card->state.cert_expires, &card->cert_der[CARD_CERT_AUTH],
                              &card->cert_len[CARD_CERT_AUTH], err)) != CORE_OK)
        goto done;
    if (!face_only &&
        (rc = card_cert_issue(sign_ca, p, card->key[CARD_KEY_SIGN], true, card->state.cert_issued,
                              card->state.cert_expires, &card->cert_der[CARD_CERT_SIGN],
                              &card->cert_len[CARD_CERT_SIGN], err)) != CORE_OK)
        goto done;
    if ((rc = card_jpki_build(card, err)) != CORE_OK || (rc = card_textap_build(card, err)) != CORE_OK ||
        (rc = card_surface_build(card, err)) != CORE_OK)
        goto done;
done:
    card_ca_free(auth_ca);
    card_ca_free(sign_ca);
    return rc;
}

int card_new(const struct card_profile *profile, const struct policy *policy, struct card **out,
             struct core_error *err)
{
    if (out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "card: no output");
    *out = NULL;
    struct card_state state;
    int rc = card_profile_check(profile, policy, &state, err);
    if (rc != CORE_OK)
        return rc;
    struct card *card = calloc(1, sizeof *card);
    if (card == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    card->profile = *profile;
    card->holder = profile->holder;
    card->state = state;
    for (int i = 0; i < CARD_PIN_COUNT; i++)
        card->pin_set[i] = state.tries_max[i] > 0;
    if (card->pin_set[CARD_PIN_AUTH]) {
        memcpy(card->pin_value[CARD_PIN_AUTH], profile->auth_pin, sizeof profile->auth_pin);
        memcpy(card->pin_value[CARD_PIN_SIGN], profile->sign_password, sizeof profile->sign_password);
        memcpy(card->pin_value[CARD_PIN_TEXT], profile->text_pin, sizeof profile->text_pin);
    }
    card_surface_pin_b(&card->holder, state.expires, card->pin_value[CARD_PIN_SURFACE]);

    /* The identity a saved state is bound to: who the card is for and when it was made. */
    uint64_t id = core_hash64(profile->id, strlen(profile->id), profile->seed);
    id = core_hash64(profile->holder.my_number, strlen(profile->holder.my_number), id);
    /* A card issued relative to today is the same card on every day it is dated (its certificates follow the
     * day, its counters do not): its state is bound to the relative rule, not to the day. */
    if (profile->issued_days_before_today >= 0) {
        int32_t relative = -1 - profile->issued_days_before_today;
        card->identity = core_hash64(&relative, sizeof relative, id ^ (uint64_t)state.kind);
    } else {
        card->identity = core_hash64(&state.issued, sizeof state.issued, id ^ (uint64_t)state.kind);
    }

    core_rng_seed(&card->rng, core_hash64(profile->id, strlen(profile->id), profile->seed ^ 0x4348414Cull));
    rc = card_personalise(card, err);
    if (rc != CORE_OK) {
        card_free(card);
        return rc;
    }
    card_power_on(card);
    *out = card;
    return CORE_OK;
}
