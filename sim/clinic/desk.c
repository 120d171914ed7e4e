/*
 * The desk's decision (clinic.h): DESK-1's routes tried in order, each a small test over what was shown and
 * what the check answered, then the fee of the visit and the patient's share.
 *
 * A route that does not succeed may leave a refusal (the rule that turned the document down); when every
 * route fails, the last refusal names the rule of the self_pay outcome ("NOTICE-2" for a notice alone,
 * "PAPER-2" for an expired paper card, "AMEND-1" for a look-up that found nothing), and "DESK-1" when nothing
 * was shown.
 */
#include <string.h>

#include "clinic/clinic.h"

/* The enums are made from scenario.h's lists, so a value is the scenario's and so is its word. */
const char *clinic_outcome_name(enum clinic_outcome o)
{
    return scenario_outcome_word((enum scenario_outcome)o);
}

const char *clinic_route_name(enum clinic_route r)
{
    return scenario_route_word((enum scenario_route)r);
}

enum eligibility_auth clinic_reader_auth(enum clinic_reader reader, bool face_only, bool face_mismatch)
{
    /* DESK-3: a face reader matches the face and falls back to the PIN when the match fails; a face-only card
     * has no PIN, so it is matched or checked visually; a PIN reader checks a face-only card visually. */
    if (face_only)
        return reader == CLINIC_READER_FACE && !face_mismatch ? ELIGIBILITY_AUTH_FACE
                                                              : ELIGIBILITY_AUTH_VISUAL;
    if (reader == CLINIC_READER_FACE && !face_mismatch)
        return ELIGIBILITY_AUTH_FACE;
    return ELIGIBILITY_AUTH_PIN;
}

/* The month as a count, plus one so that a zeroed record means "never". */
static int32_t month_of(core_day d)
{
    int y, m, dd;
    core_date_to_ymd(d, &y, &m, &dd);
    return (int32_t)(y * 12 + (m - 1) + 1);
}

void clinic_record_visit(struct clinic_record *record, const struct clinic_decision *decision, core_day on)
{
    if (record == NULL || decision == NULL || (unsigned)decision->visit >= CLINIC_VISIT_KINDS)
        return;
    if (decision->fee_charged)
        record->last_charged_month[decision->visit] = month_of(on);
}

/* DESK-2: a document that looks usable is checked by its numbers where the clinic has an online check, and
 * accepted unless the check answers no_qualification; without a check it is taken at face value. */
static bool numbers_accept(bool check, const struct eligibility_answer *a)
{
    return !check || a->result != ELIGIBILITY_NO_QUALIFICATION;
}

/* AMEND-1: the look-up succeeds when the system shows a qualification valid on the day. */
static bool lookup_finds(const struct eligibility_answer *a)
{
    return a->has_qualification && a->result != ELIGIBILITY_NO_QUALIFICATION;
}

/* The fee parameters of each visit kind: with the card, without, and the frequency limit. */
static const int fee_params[CLINIC_VISIT_KINDS][3] = {
    {POLICY_FEES_FIRST_CARD, POLICY_FEES_FIRST_NO_CARD, POLICY_FEES_FIRST_INTERVAL_MONTHS},
    {POLICY_FEES_REVISIT_CARD, POLICY_FEES_REVISIT_NO_CARD, POLICY_FEES_REVISIT_INTERVAL_MONTHS},
    {POLICY_FEES_DISPENSING_CARD, POLICY_FEES_DISPENSING_NO_CARD, POLICY_FEES_DISPENSING_INTERVAL_MONTHS},
};

/* The fee of the visit and whether a frequency limit waives it (AMEND-4: "once in N months" means not when
 * the same clinic charged it in this calendar month or the N - 1 before). */
static CORE_MUST_USE int visit_fee(const struct clinic_input *in, bool card_used, long *total, bool *charged)
{
    const int *ids = fee_params[in->visit];
    long long fee, interval;
    int rc = policy_int_id(in->policy, ids[card_used ? 0 : 1], in->on, &fee);
    if (rc == CORE_OK)
        rc = policy_int_id(in->policy, ids[2], in->on, &interval);
    if (rc != CORE_OK)
        return rc;
    bool waived = false;
    if (interval > 0 && in->record != NULL) {
        int32_t last = in->record->last_charged_month[in->visit];
        waived = last != 0 && last >= month_of(in->on) - (int32_t)(interval - 1);
    }
    *charged = fee > 0 && !waived;
    *total = *charged ? (long)fee : 0;
    return CORE_OK;
}

static CORE_MUST_USE int check_inputs(const struct clinic_input *in, bool check)
{
    const struct clinic_presented *pr = in->presented;
    if ((unsigned)in->visit >= CLINIC_VISIT_KINDS || (unsigned)in->reader > CLINIC_READER_NONE)
        return CORE_EINVAL;
    if (!check)
        return CORE_OK;
    if ((pr->card && in->answers.card == NULL) || (pr->certificate && in->answers.certificate == NULL) ||
        (pr->paper_card && in->answers.paper_card == NULL) || (pr->notice && in->answers.notice == NULL))
        return CORE_EINVAL;
    return CORE_OK;
}

int clinic_decide(const struct clinic_input *in, struct clinic_decision *out)
{
    if (in == NULL || out == NULL || in->presented == NULL || in->policy == NULL)
        return CORE_EINVAL;
    const struct clinic_presented *pr = in->presented;
    const struct clinic_answers *ans = &in->answers;
    bool check = in->reader != CLINIC_READER_NONE && in->online_ok;
    int rc = check_inputs(in, check);
    if (rc != CORE_OK)
        return rc;
    memset(out, 0, sizeof *out);
    out->visit = in->visit;
    out->outcome = CLINIC_INSURED;
    out->route = CLINIC_ROUTE_NONE;
    const char *refusal = "DESK-1";
    const struct eligibility_answer *basis = NULL; /* the answer that admitted the visit, if any */

    bool paper_usable = false;
    if (pr->paper_card) {
        core_day cap;
        if (policy_date_id(in->policy, POLICY_PAPER_CARD_CAP, in->on, &cap) != CORE_OK)
            return CORE_ENOTFOUND;
        /* PAPER-2: usable to its printed expiry, never after the cap. */
        paper_usable = in->on <= cap && (pr->paper_expiry == CORE_DAY_NONE || in->on <= pr->paper_expiry);
    }

    /* DESK-1, in order. */
    if (pr->card && check && ans->card->result == ELIGIBILITY_OK) {
        out->route = CLINIC_ROUTE_CARD;
        out->rule = "MYNA-1";
        basis = ans->card;
    }
    if (out->route == CLINIC_ROUTE_NONE && pr->certificate) {
        if (in->on < pr->certificate_from || in->on > pr->certificate_to) {
            refusal = "CERT-4";
        } else if (numbers_accept(check, ans->certificate)) {
            out->route = CLINIC_ROUTE_CERTIFICATE;
            out->rule = "CERT-7";
            basis = check ? ans->certificate : NULL;
        } else {
            refusal = "DESK-2";
        }
    }
    if (out->route == CLINIC_ROUTE_NONE && pr->paper_card) {
        if (!paper_usable) {
            refusal = "PAPER-2";
        } else if (numbers_accept(check, ans->paper_card)) {
            out->route = CLINIC_ROUTE_PAPER_CARD;
            out->rule = "DESK-2";
            basis = check ? ans->paper_card : NULL;
        } else {
            refusal = "DESK-2";
        }
    }
    if (out->route == CLINIC_ROUTE_NONE && pr->notice) {
        if (!pr->card) {
            refusal = "NOTICE-2"; /* a notice alone gets no insured care */
        } else if (numbers_accept(check, ans->notice)) {
            /* NOTICE-3, MYNA-4 (2): the card failed (whatever the cause), the notice stands in. */
            out->route = CLINIC_ROUTE_CARD_NOTICE;
            out->rule = "NOTICE-3";
            basis = check ? ans->notice : NULL;
        } else {
            refusal = "DESK-2";
        }
    }
    if (out->route == CLINIC_ROUTE_NONE && pr->portal) {
        if (!pr->card) {
            refusal = "NOTICE-2";
        } else if (pr->portal_shows_qualification) {
            out->route = CLINIC_ROUTE_CARD_PORTAL;
            out->rule = "NOTICE-4"; /* MYNA-4 (3) */
        } else {
            refusal = "NOTICE-4";
        }
    }
    bool grace_on = false;
    if (out->route == CLINIC_ROUTE_NONE && check && (pr->notice || (pr->paper_card && !paper_usable)) &&
        policy_bool_id(in->policy, POLICY_LOOKUP_GRACE_ENABLED, in->on, &grace_on) == CORE_OK && grace_on) {
        /* AMEND-1: an expired paper card, or a notice, looked up by the numbers printed on it. */
        const struct eligibility_answer *found = NULL;
        if (pr->paper_card && !paper_usable && lookup_finds(ans->paper_card))
            found = ans->paper_card;
        else if (pr->notice && lookup_finds(ans->notice))
            found = ans->notice;
        if (found != NULL) {
            out->route = CLINIC_ROUTE_LOOKUP;
            out->rule = "AMEND-1";
            out->grace = true;
            basis = found;
        } else {
            refusal = "AMEND-1";
        }
    }
    if (out->route == CLINIC_ROUTE_NONE && pr->card) {
        /* MYNA-4 (4): the card was shown and nothing else got insured care: the declaration, written here. */
        out->route = CLINIC_ROUTE_DECLARATION;
        out->outcome = CLINIC_INSURED_BY_DECLARATION;
        out->rule = "MYNA-4";
    }
    if (out->route == CLINIC_ROUTE_NONE) {
        out->outcome = CLINIC_SELF_PAY;
        out->rule = refusal;
    }

    out->card_used = out->route == CLINIC_ROUTE_CARD;
    if (in->outcome_only)
        return CORE_OK;
    rc = visit_fee(in, out->card_used, &out->fee_total, &out->fee_charged);
    if (rc != CORE_OK)
        return rc;
    if (out->outcome == CLINIC_SELF_PAY) {
        out->copay_percent = 100;
        out->copay = out->fee_total;
        return CORE_OK;
    }
    if (basis != NULL && basis->has_qualification && basis->qualification.copay_percent >= 0) {
        /* The ratio the answer carries: the latter-stage elderly one, or the elderly certificate's. */
        out->copay_percent = basis->qualification.copay_percent;
    } else if (basis != NULL && basis->has_qualification) {
        /* COPAY: the answer leaves the rate to the desk (before 70): from its birth date and the policy, as
         * reception systems derive it. */
        rc = eligibility_copay_percent(in->policy, basis->qualification.born, pr->high_income, in->on,
                                       &out->copay_percent);
        if (rc != CORE_OK)
            return rc;
    } else {
        if (pr->born == CORE_DAY_NONE)
            return CORE_EINVAL;
        rc = eligibility_copay_percent(in->policy, pr->born, pr->high_income, in->on, &out->copay_percent);
        if (rc != CORE_OK)
            return rc;
    }
    long long unit;
    rc = policy_int_id(in->policy, POLICY_COPAY_ROUNDING_YEN, in->on, &unit);
    if (rc != CORE_OK)
        return rc;
    if (unit < 1)
        return CORE_EINVAL;
    /* COPAY: the rate of the total, rounded half up to a multiple of `unit` yen. */
    out->copay = (long)(((long long)out->fee_total * out->copay_percent + 50 * unit) / (100 * unit) * unit);
    /* MYNA-10: the high-cost limit at the counter with the card, unless NHI tax is in arrears. */
    out->limit_applied = out->card_used && !basis->qualification.tax_arrears;
    return CORE_OK;
}
