/*
 * policy: the rules' numbers as data. A policy file (YAML, fixtures/policies/NAME.yaml) gives every parameter
 * of docs/RULES.md a value, or a list of dated values, so that an amendment is a new row and never new code:
 *
 *   policy: national
 *   extends: as-announced-2024
 *   card:
 *     pin_tries: {auth: 3, text: 3, sign: 5}
 *     validity_years: 10
 *   paper_card:
 *     latest_expiry: 2025-07-31
 *   online:
 *     cert_expiry_grace_months:
 *       - {from: 2024-12-02, value: 3}
 *
 * Parameter names are dotted paths ("card.pin_tries.auth"). The set of known parameters and their types is
 * POLICY_PARAMS below; a file naming an unknown parameter, or giving a value of the wrong type, is refused with
 * its position. A file without `extends:` (a root policy) must give every parameter from the beginning, or it
 * is refused naming the first one it lacks. A file may `extends:` another (by name or path) and override single
 * parameters, which is how insurer and scenario overrides work too (a dated list keeps the base's rows before
 * its first `from`).
 *
 * policy knows nothing of cards, clinics or residents: it only answers "what is parameter P on day D".
 */
#ifndef MYNASIM_POLICY_H
#define MYNASIM_POLICY_H

#include "core/core.h"

enum policy_type {
    POLICY_INT,
    POLICY_DATE,
    POLICY_BOOL,
};

/*
 * Every parameter mynasim knows: X(ID, "dotted.name", type, "what it means"), by component. Adding a parameter
 * adds a row here and a value in the shipped files. Code asks for a parameter by its id (POLICY_<ID>, an
 * enum policy_param) on hot paths, or by its name.
 */
#define POLICY_PARAMS(X)                                                                                     \
    /* card: the chip (MYNA-7) and J-LIS card dates (docs/RULES.md, Card dates) */                           \
    X(CARD_PIN_TRIES_AUTH, "card.pin_tries.auth", POLICY_INT,                                                \
      "tries of the user authentication PIN before it blocks (MYNA-7)")                                      \
    X(CARD_PIN_TRIES_SIGN, "card.pin_tries.sign", POLICY_INT, "tries of the signature password (MYNA-7)")    \
    X(CARD_PIN_TRIES_TEXT, "card.pin_tries.text", POLICY_INT,                                                \
      "tries of the card-info input support PIN (MYNA-7)")                                                   \
    X(CARD_PIN_TRIES_SURFACE, "card.pin_tries.surface", POLICY_INT, "tries of the card-surface PIN-B")       \
    X(CARD_VALIDITY_YEARS, "card.validity_years", POLICY_INT,                                                \
      "card body valid to this birthday after issue (adults)")                                               \
    X(CARD_VALIDITY_YEARS_MINOR, "card.validity_years_minor", POLICY_INT,                                    \
      "card body valid to this birthday after issue (minors)")                                               \
    X(CARD_MINOR_AGE, "card.minor_age", POLICY_INT,                                                          \
      "holders under this age at issue get the minors' validity")                                            \
    X(CARD_CERT_VALIDITY_YEARS, "card.cert_validity_years", POLICY_INT,                                      \
      "certificates valid to this birthday after issue")                                                     \
    /* paper card (PAPER-1, PAPER-2, D-2, D-6, D-7) */                                                       \
    X(PAPER_CARD_LAST_ISSUE, "paper_card.last_issue", POLICY_DATE,                                           \
      "last day a paper card can be issued (D-2)")                                                           \
    X(PAPER_CARD_CAP, "paper_card.cap", POLICY_DATE, "last day any paper card is usable (D-7)")              \
    X(PAPER_CARD_LATEST_EXPIRY, "paper_card.latest_expiry", POLICY_DATE,                                     \
      "printed expiry of NHI paper cards when a scenario gives none (D-6)")                                  \
    /* certificate of eligibility (CERT-2, CERT-4, CERT-5) */                                                \
    X(NOTICE_TYPE_A_DAY, "notice.type_a_day", POLICY_DATE,                                                   \
      "day health societies mail the type A notice to card holders (D-1)")                                   \
    X(CERTIFICATE_LEAD_DAYS, "certificate.lead_days", POLICY_INT,                                            \
      "days before the paper card's last usable day a mailing arrives")                                      \
    X(CERTIFICATE_MAX_VALIDITY_MONTHS, "certificate.max_validity_months", POLICY_INT,                        \
      "longest validity of a certificate (CERT-4)")                                                          \
    X(CERTIFICATE_DETECTION_LAG_DAYS, "certificate.detection_lag_days", POLICY_INT,                          \
      "days until an ex-officio certificate arrives (CERT-5)")                                               \
    X(CERTIFICATE_APPLICATION_LAG_DAYS, "certificate.application_lag_days", POLICY_INT,                      \
      "days until a certificate applied for arrives")                                                        \
    X(CERTIFICATE_ALL_ELDERLY, "certificate.all_elderly", POLICY_BOOL,                                       \
      "latter-stage elderly insurers send every member a certificate (AMEND-2)")                             \
    /* online check (MYNA-3, MYNA-5, AMEND-3) */                                                             \
    X(ONLINE_REFLECTION_LAG_DAYS, "online.reflection_lag_days", POLICY_INT,                                  \
      "days until a filed enrollment or loss is visible (MYNA-3)")                                           \
    X(ONLINE_CERT_EXPIRY_GRACE_MONTHS, "online.cert_expiry_grace_months", POLICY_INT,                        \
      "months an expired auth certificate still passes (AMEND-3)")                                           \
    X(REGISTRATION_WITHDRAWAL_LAG_DAYS, "registration.withdrawal_lag_days", POLICY_INT,                      \
      "days until a withdrawal reaches the system (MYNA-5)")                                                 \
    X(ONLINE_CERT_WARNING_MONTHS, "online.cert_warning_months", POLICY_INT,                                  \
      "months before its expiry the reader warns of the certificate (AMEND-3)")                              \
    /* desk (AMEND-1) */                                                                                     \
    X(LOOKUP_GRACE_ENABLED, "lookup_grace.enabled", POLICY_BOOL,                                             \
      "expired paper card or notice looked up by numbers (AMEND-1)")                                         \
    /* co-payment brackets (COPAY) */                                                                        \
    X(COPAY_SCHOOL_AGE, "copay.school_age", POLICY_INT,                                                      \
      "preschool rate to the first 31 March on or after reaching this age")                                  \
    X(COPAY_PRESCHOOL_PERCENT, "copay.preschool_percent", POLICY_INT,                                        \
      "co-payment before school age, percent")                                                               \
    X(COPAY_PERCENT, "copay.percent", POLICY_INT,                                                            \
      "co-payment from school age to the elderly bracket, percent")                                          \
    X(COPAY_ELDERLY_AGE, "copay.elderly_age", POLICY_INT,                                                    \
      "elderly bracket from the 1st of the month after this birthday")                                       \
    X(COPAY_ELDERLY_PERCENT, "copay.elderly_percent", POLICY_INT,                                            \
      "co-payment in the elderly bracket, percent")                                                          \
    X(COPAY_ELDERLY_HIGH_PERCENT, "copay.elderly_high_percent", POLICY_INT,                                  \
      "co-payment in the elderly bracket, higher incomes, percent")                                          \
    X(COPAY_LATTER_AGE, "copay.latter_age", POLICY_INT, "latter-stage elderly bracket from this birthday")   \
    X(COPAY_LATTER_PERCENT, "copay.latter_percent", POLICY_INT,                                              \
      "co-payment from the latter-stage elderly age, percent")                                               \
    X(COPAY_LATTER_HIGH_PERCENT, "copay.latter_high_percent", POLICY_INT,                                    \
      "co-payment from the latter-stage elderly age, higher incomes")                                        \
    X(COPAY_ROUNDING_YEN, "copay.rounding_yen", POLICY_INT,                                                  \
      "the co-payment is rounded half up to a multiple of this many yen")                                    \
    /* the information-acquisition fee per visit kind, in yen, with and without the card (Fees, AMEND-4) */  \
    X(FEES_FIRST_CARD, "fees.first.card", POLICY_INT, "first visit, card route used, yen")                   \
    X(FEES_FIRST_NO_CARD, "fees.first.no_card", POLICY_INT, "first visit, card route not used, yen")         \
    X(FEES_FIRST_INTERVAL_MONTHS, "fees.first.interval_months", POLICY_INT,                                  \
      "first visit: charged once in this many months (0: every visit)")                                      \
    X(FEES_REVISIT_CARD, "fees.revisit.card", POLICY_INT, "revisit, card route used, yen")                   \
    X(FEES_REVISIT_NO_CARD, "fees.revisit.no_card", POLICY_INT, "revisit, card route not used, yen")         \
    X(FEES_REVISIT_INTERVAL_MONTHS, "fees.revisit.interval_months", POLICY_INT,                              \
      "revisit: charged once in this many months (0: every visit)")                                          \
    X(FEES_DISPENSING_CARD, "fees.dispensing.card", POLICY_INT, "dispensing, card route used, yen")          \
    X(FEES_DISPENSING_NO_CARD, "fees.dispensing.no_card", POLICY_INT,                                        \
      "dispensing, card route not used, yen")                                                                \
    X(FEES_DISPENSING_INTERVAL_MONTHS, "fees.dispensing.interval_months", POLICY_INT,                        \
      "dispensing: charged once in this many months (0: every visit)")

enum policy_param {
#define X(id, name, type, doc) POLICY_##id,
    POLICY_PARAMS(X)
#undef X
        POLICY_PARAM_COUNT
};

struct policy;

/* Loads a policy file. Relative `extends:` names are resolved against the file's directory, then as shipped
 * names. */
CORE_MUST_USE int policy_load_file(const char *path, struct policy **out, struct core_error *err);
/* Loads a shipped policy by name (`national`, `as-announced-2024`), found by policy_find_data. */
CORE_MUST_USE int policy_load_named(const char *name, struct policy **out, struct core_error *err);
/* A shipped name (policy_is_shipped_name) is a shipped policy; anything else is a path relative to `base_dir`
 * (may be NULL). */
CORE_MUST_USE int policy_load(const char *name_or_path, const char *base_dir, struct policy **out,
                              struct core_error *err);
/* Applies overrides given as a YAML mapping of the same shape (e.g. an insurer's `policy:` field) to a copy.
 */
/* The parameters this thread has looked up (by id or by name, any policy) since its last call, one bit per
 * enum policy_param (1 << id): what a decision read, so that a caller can tell whether a dated row can change
 * it (world/invariants.c). */
uint64_t policy_reads_take(void);
/* The parameters (bits as above) of `p` with a dated row starting on `day`. */
uint64_t policy_changes_on(const struct policy *p, core_day day);
CORE_MUST_USE int policy_override(const struct policy *base, const struct core_yaml_doc *doc,
                                  const struct core_yaml_node *map, struct policy **out,
                                  struct core_error *err);
void policy_free(struct policy *p);
const char *policy_name(const struct policy *p);

/* The value in force on `on`. CORE_ENOTFOUND when the parameter is unknown or has no value on that day. */
CORE_MUST_USE int policy_int(const struct policy *p, const char *param, core_day on, long long *out);
CORE_MUST_USE int policy_date(const struct policy *p, const char *param, core_day on, core_day *out);
CORE_MUST_USE int policy_bool(const struct policy *p, const char *param, core_day on, bool *out);
/* The same by a parameter's id, for hot paths that ask for the same parameter many times: policy_param_id
 * resolves a name once (-1 when unknown; an id is stable for the life of the program), and the _id lookups
 * answer exactly as the named ones do (CORE_ENOTFOUND for -1 or a parameter of another type). */
int policy_param_id(const char *param);
CORE_MUST_USE int policy_int_id(const struct policy *p, int id, core_day on, long long *out);
CORE_MUST_USE int policy_date_id(const struct policy *p, int id, core_day on, core_day *out);
CORE_MUST_USE int policy_bool_id(const struct policy *p, int id, core_day on, bool *out);
/* For caches of values derived from a policy: a number unique to this policy object for the life of the
 * program (unlike its address, never reused), and the days around `on` over which none of the parameters
 * `ids[0..n)` (ids NULL: every parameter) has a dated row, both included (INT32_MIN + 1 and INT32_MAX at the
 * open ends): over a span every lookup of those parameters answers the same. */
uint64_t policy_serial(const struct policy *p);
void policy_span(const struct policy *p, const int *ids, size_t n, core_day on, core_day *from, core_day *to);

/*
 * Shipped data (policies, card profiles, the test PKI) found wherever mynasim runs: $MYNASIM_DATA_DIR, then
 * <dir of the executable>/../share/mynasim, then the install prefix's share/mynasim, then the source tree's
 * fixtures/. `relative` is e.g. "policies/national.yaml". Writes the path found into out.
 */
CORE_MUST_USE int policy_find_data(const char *relative, char *out, size_t cap, struct core_error *err);
/* Whether `s` names shipped data rather than a file: one or more of [a-z0-9-] (`national`,
 * `as-announced-2024`). Every "a shipped name or a path" argument asks this one question (a policy, a
 * population mix, `extends:`); a shipped name is then looked up with policy_find_data under its folder
 * (policies/NAME.yaml, mixes/NAME.yaml), anything else is a path. `s` may not be NULL. */
bool policy_is_shipped_name(const char *s);

#endif
