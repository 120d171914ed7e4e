/*
 * eligibility: the online eligibility system (オンライン資格確認等システム) as a registry and a check.
 *
 * The REGISTRY holds what was filed with the system, each filing with the day it was filed and the day it
 * becomes visible: the insurers' filings (enrollment with the insurer and member numbers and the copay
 * inputs, loss, registration of a card for insurance use, withdrawal) and the issuer's (J-LIS) card records
 * (issue, reissue, return, renewal of certificates, suspension after loss). Filings are kept per person in
 * compact pools (index-linked chains), so a population of a million costs a few hundred bytes a person.
 *
 * The CHECK answers "as of day D, for this card (by the certificate the reader read) or for these insurance
 * numbers (insurer number, symbol, number, branch and birth date: the route a clinic types in for a paper
 * card, a certificate, a notice, and the AMEND-1 look-up)" with one result of RULES.md MYNA-3 in its
 * precedence order, the qualification found and the reader's warnings (AMEND-3). It computes on dates, never
 * loops over days: a check costs one hash lookup and a walk over the person's few filings.
 *
 * What the system cannot know comes in with the request, because the reader or the desk knows it: whether a
 * card is in hand, whether the clinic's reader works, whether the service itself is out (a scenario outage),
 * which authentication the reader used and whether the card answered that its PIN is blocked.
 *
 * eligibility never knows the world's truth (only what was filed, from the day it is visible) and never the
 * card's internals (only J-LIS's dates and serial numbers).
 */
#ifndef MYNASIM_ELIGIBILITY_H
#define MYNASIM_ELIGIBILITY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "policy/policy.h"

/* MYNA-3's results, in its precedence order: when several apply the lowest value is answered. */
enum eligibility_result {
    ELIGIBILITY_NO_CARD,
    ELIGIBILITY_READER_DOWN,
    ELIGIBILITY_SERVICE_DOWN,
    ELIGIBILITY_CARD_SUSPENDED,
    ELIGIBILITY_CARD_EXPIRED,
    ELIGIBILITY_CERT_REVOKED,
    ELIGIBILITY_CERT_EXPIRED,
    ELIGIBILITY_PIN_LOCKED,
    ELIGIBILITY_NOT_REGISTERED,
    ELIGIBILITY_NOT_REFLECTED,
    ELIGIBILITY_NO_QUALIFICATION,
    ELIGIBILITY_OK,
};

/* Reader warnings (AMEND-3), a bit set. */
enum {
    ELIGIBILITY_WARN_CERT_EXPIRES_SOON = 1u << 0,
    ELIGIBILITY_WARN_CERT_IN_GRACE = 1u << 1,
};

enum eligibility_role {
    ELIGIBILITY_INSURED,
    ELIGIBILITY_DEPENDENT,
};

/* The high-cost limit category the response carries (MYNA-10), from age bracket and income. */
enum eligibility_limit {
    ELIGIBILITY_LIMIT_GENERAL,
    ELIGIBILITY_LIMIT_HIGH,
    ELIGIBILITY_LIMIT_ELDERLY_GENERAL,
    ELIGIBILITY_LIMIT_ELDERLY_HIGH,
};

/* How the reader authenticated the holder (DESK-3): only PIN can meet a blocked PIN. */
enum eligibility_auth {
    ELIGIBILITY_AUTH_FACE,
    ELIGIBILITY_AUTH_PIN,
    ELIGIBILITY_AUTH_VISUAL,
};

/* Insurance numbers as printed on a paper card, certificate or notice. NUL-terminated. */
struct eligibility_numbers {
    char insurer_number[9]; /* 6 (NHI) or 8 digits */
    char symbol[32];        /* 記号: digits or text (UTF-8) */
    char number[32];        /* 番号 */
    char branch[3];         /* 枝番: 2 digits */
};

/* An enrollment as an insurer files it. */
struct eligibility_enrollment {
    struct eligibility_numbers numbers;
    enum eligibility_role role;
    core_day start;   /* qualification date: the first day of the membership */
    bool high_income; /* COPAY: higher income brackets */
    bool tax_arrears; /* MYNA-10: NHI tax in arrears */
};

/* The qualification a check found. */
struct eligibility_qualification {
    struct eligibility_numbers numbers;
    enum eligibility_role role;
    core_day born;
    core_day start;
    core_day end;      /* last day (a visible loss's day - 1), or CORE_DAY_NONE while open */
    int copay_percent; /* InsuredPartialContributionRatio, on the day asked */
    enum eligibility_limit limit;
    bool tax_arrears;
};

struct eligibility_answer {
    enum eligibility_result result;
    unsigned warnings; /* ELIGIBILITY_WARN_* */
    /* A visible qualification covering the day was found (always for OK; for NOT_REFLECTED when the change in
     * progress is a loss or a blocked enrollment, whose old qualification the system still shows). */
    bool has_qualification;
    struct eligibility_qualification qualification;
};

/* The card route: what the reader read and what the desk knows. */
struct eligibility_card_request {
    core_day on;
    bool card_in_hand;    /* false: no_card (lost, returned, never issued) */
    bool reader_down;     /* the clinic's reader or online check is out of order */
    bool service_down;    /* the eligibility system is out (scenario outage) */
    uint64_t cert_serial; /* the user authentication certificate read from the card */
    enum eligibility_auth auth;
    bool pin_blocked; /* the card answered that the user authentication PIN is blocked */
};

/* The number route. */
struct eligibility_number_request {
    core_day on;
    bool reader_down;
    bool service_down;
    struct eligibility_numbers numbers;
    core_day born;
};

struct eligibility_registry;

/* A registry reading its lags and grace from `policy` (which must outlive it). */
int eligibility_registry_new(const struct policy *policy, struct eligibility_registry **out);
void eligibility_registry_free(struct eligibility_registry *reg);

/* A person (the system's record behind a My Number). Persons are numbered densely from 0. */
int eligibility_person_add(struct eligibility_registry *reg, core_day born, uint32_t *person);

/*
 * Insurers' filings. `visible` is the day the filing becomes visible; CORE_DAY_NONE means the policy's lag
 * (online.reflection_lag_days for enrollments and losses, registration.withdrawal_lag_days for withdrawals,
 * read on the day filed). Populations pass their own drawn lags this way.
 */
int eligibility_file_enrollment(struct eligibility_registry *reg, uint32_t person,
                                const struct eligibility_enrollment *e, core_day filed, core_day visible,
                                uint32_t *membership);
/* Loss of a membership: `first_day_without` is the 資格喪失日 (the last day of membership is one before). */
int eligibility_file_loss(struct eligibility_registry *reg, uint32_t membership, core_day first_day_without,
                          core_day filed, core_day visible);
/* Registration for insurance use takes effect the day it is made. */
int eligibility_file_registration(struct eligibility_registry *reg, uint32_t person, core_day day);
int eligibility_file_withdrawal(struct eligibility_registry *reg, uint32_t person, core_day filed,
                                core_day visible);

/*
 * The issuer's card records, in force from their day. Issuing a card to a person who already has one is a
 * reissue: the earlier cards' certificates answer cert_revoked from that day. card_id and cert_serial are
 * unique across the registry.
 */
int eligibility_card_issue(struct eligibility_registry *reg, uint32_t person, uint64_t card_id, core_day day,
                           core_day card_expiry, uint64_t cert_serial, core_day cert_expiry);
/* New certificates on the same card: the old one answers cert_revoked from `day`. */
int eligibility_card_renew_cert(struct eligibility_registry *reg, uint64_t card_id, core_day day,
                                uint64_t cert_serial, core_day cert_expiry);
int eligibility_card_return(struct eligibility_registry *reg, uint64_t card_id, core_day day);
int eligibility_card_suspend(struct eligibility_registry *reg, uint64_t card_id, core_day day);

/* The checks. CORE_EINVAL only for NULL arguments; every answer, failing or not, is CORE_OK. */
int eligibility_check_card(const struct eligibility_registry *reg, const struct eligibility_card_request *req,
                           struct eligibility_answer *out);
int eligibility_check_numbers(const struct eligibility_registry *reg,
                              const struct eligibility_number_request *req, struct eligibility_answer *out);
/* The person's own record as the system shows it on `on` (the portal's eligibility screen, NOTICE-4): only
 * the qualification results (ok, not_reflected, no_qualification). */
int eligibility_check_person(const struct eligibility_registry *reg, uint32_t person, core_day on,
                             struct eligibility_answer *out);

/* COPAY: the co-payment percent of a person born `born` on day `on`. CORE_ENOTFOUND when the policy lacks a
 * bracket parameter. */
int eligibility_copay_percent(const struct policy *policy, core_day born, bool high_income, core_day on,
                              int *percent);

/* The last day of AMEND-3's grace for a certificate valid to `expiry`: the end of the `grace_months`-th month
 * after the month of its first invalid day; `expiry` itself when grace_months is 0. */
core_day eligibility_cert_grace_end(core_day expiry, int grace_months);

/* The words of SCENARIOS.md: "ok", "not_reflected", ... */
const char *eligibility_result_name(enum eligibility_result r);

#endif
