/*
 * clinic: the reception desk. `clinic_decide` is a pure function that decides one visit (docs/RULES.md DESK-1)
 * from what the resident presents, the clinic's reader and whether its online check works that day, the
 * eligibility check's answers (for the card route and, per document, for the number route), the desk's own
 * record of this patient's earlier visits, the policy and the date. It returns the outcome, the route that
 * succeeded, the rule that decided, the fee and co-payment, and whether the high-cost limit applied.
 *
 * The desk record (`struct clinic_record`) is the caller's: clinic_decide only reads it, so a probe leaves no
 * trace; `clinic_record_visit` applies a decision when a visit really happens.
 *
 * clinic never knows the world: no resident, insurer or ground truth, only the documents shown and what the
 * check answered. Its decision may therefore differ from the truth (a claim error, DESK-2); the world judges.
 */
#ifndef MYNASIM_CLINIC_H
#define MYNASIM_CLINIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "eligibility/eligibility.h"
#include "policy/policy.h"

enum clinic_reader {
    CLINIC_READER_FACE,
    CLINIC_READER_PIN,
    CLINIC_READER_NONE, /* no reader and no online check */
};

enum clinic_visit {
    CLINIC_VISIT_FIRST,
    CLINIC_VISIT_REVISIT,
    CLINIC_VISIT_DISPENSING,
};
#define CLINIC_VISIT_KINDS 3

enum clinic_outcome {
    CLINIC_INSURED,
    CLINIC_INSURED_BY_DECLARATION,
    CLINIC_SELF_PAY,
};

/* DESK-1's routes, in its order. */
enum clinic_route {
    CLINIC_ROUTE_CARD,
    CLINIC_ROUTE_CERTIFICATE,
    CLINIC_ROUTE_PAPER_CARD,
    CLINIC_ROUTE_CARD_NOTICE,
    CLINIC_ROUTE_CARD_PORTAL,
    CLINIC_ROUTE_LOOKUP,
    CLINIC_ROUTE_DECLARATION,
    CLINIC_ROUTE_NONE,
};

/* What the resident shows at the desk. The world fills it from the documents brought, never from its own
 * records: the numbers and dates are what is printed. */
struct clinic_presented {
    bool card;           /* the My Number card is shown */
    bool card_face_only; /* a face-authentication card (no PIN) */

    bool paper_card;
    struct eligibility_numbers paper_numbers;
    core_day paper_expiry; /* printed expiry; CORE_DAY_NONE when none is printed (PAPER-2's cap applies) */

    bool certificate;
    struct eligibility_numbers certificate_numbers;
    core_day certificate_from, certificate_to; /* printed validity, both days included */

    bool notice;
    char notice_type; /* 'A' or 'B' (NOTICE-6); the desk treats both alike */
    struct eligibility_numbers notice_numbers;

    bool portal;                     /* the portal's eligibility screen or PDF */
    bool portal_shows_qualification; /* it shows a current qualification (reflected, NOTICE-4) */

    /* The co-payment inputs as printed (birth date; higher income as the elderly recipient certificate
     * shows), used only when no check answered with a qualification. */
    core_day born;
    bool high_income;
};

/* The check's answers; NULL when not asked. Where the clinic's online check works, the card's answer is
 * needed when the card is shown, and each document's number-route answer when that document is shown. */
struct clinic_answers {
    const struct eligibility_answer *card;
    const struct eligibility_answer *certificate;
    const struct eligibility_answer *paper_card;
    const struct eligibility_answer *notice;
};

/* The desk's own record of one patient at one clinic: the month (year * 12 + month - 1, plus one; 0 = never)
 * in which each visit kind's fee was last charged. Zero-initialise a new one. */
struct clinic_record {
    int32_t last_charged_month[CLINIC_VISIT_KINDS];
};

struct clinic_input {
    core_day on;
    enum clinic_visit visit;
    enum clinic_reader reader;
    bool online_ok; /* the clinic's reader and online check work today */
    const struct clinic_presented *presented;
    struct clinic_answers answers;
    const struct clinic_record *record; /* NULL: no earlier visit */
    const struct policy *policy;
};

struct clinic_decision {
    enum clinic_outcome outcome;
    enum clinic_route route;
    const char *rule; /* the rule id that decided: "DESK-1", "NOTICE-2", "AMEND-1", ... (static string) */
    enum clinic_visit visit;
    bool card_used;   /* the card route succeeded (マイナ保険証 used) */
    bool fee_charged; /* the fee was charged this visit (a frequency limit may waive it) */
    long fee_total;   /* yen */
    long copay;       /* yen: the patient's share (all of it when self_pay) */
    int copay_percent;
    bool limit_applied; /* MYNA-10 */
    bool grace;         /* the AMEND-1 look-up got the visit insured */
};

/* Decides a visit. CORE_EINVAL for a missing input (or an answer missing where the check works);
 * CORE_ENOTFOUND when the policy lacks a fee or co-payment parameter. */
int clinic_decide(const struct clinic_input *in, struct clinic_decision *out);

/* Applies a visit that happened to the desk's record (the fee's frequency limits). */
void clinic_record_visit(struct clinic_record *record, const struct clinic_decision *decision, core_day on);

/* DESK-3: how a reader of this kind authenticates this card; `face_mismatch` when the face match fails. */
enum eligibility_auth clinic_reader_auth(enum clinic_reader reader, bool face_only, bool face_mismatch);

/* The words of docs/SCENARIO-FORMAT.md. */
const char *clinic_outcome_name(enum clinic_outcome o);
const char *clinic_route_name(enum clinic_route r);

#endif
