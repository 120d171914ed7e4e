/*
 * The check of the eligibility system: MYNA-3's results in their precedence order, the qualification found,
 * the reader's warnings (AMEND-3), and the co-payment bracket the response carries (COPAY).
 *
 * What "reflected" means here: a filing is known from the day it is visible. A person has a change in
 * progress on day D when an enrollment covering D is filed but not visible, or a loss taking effect by D is
 * filed but not visible; a new membership is blocked while an old one still shows as valid beside it (the old
 * insurer has not filed, or the system not yet shown, the loss). Both answer not_reflected. With no change in
 * progress, exactly one visible membership covering D answers ok; none answers no_qualification.
 */
#include <string.h>

#include "eligibility/eligibility_int.h"

/* The results are made from scenario.h's list, so a value is the scenario's and so is its word. */
const char *eligibility_result_name(enum eligibility_result r)
{
    return scenario_check_word((enum scenario_check_result)r);
}

/* ---- COPAY -------------------------------------------------------------------------------------------- */

static CORE_MUST_USE int param(const struct policy *p, int id, core_day on, int *out)
{
    long long v;
    int rc = policy_int_id(p, id, on, &v);
    if (rc == CORE_OK)
        *out = (int)v;
    return rc;
}

/* The first day of the elderly bracket: the 1st of the month after the birthday, or the birthday itself when
 * it falls on a 1st (the age is reached the day before, in the previous month). */
static core_day elderly_start_of(core_day born, int age)
{
    core_day b = core_date_birthday(born, age);
    int y, m, d;
    core_date_to_ymd(b, &y, &m, &d);
    if (d == 1)
        return b;
    core_day first;
    /* Cannot fail: month and day are in range and the year is a day's year (+1). */
    CORE_DROP(core_date_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1, &first));
    return first;
}

/* The same, remembered for the last person asked (per thread): the desk and the check ask for the same
 * person again and again, and the answer is a pure function of (born, age). */
static core_day elderly_start(core_day born, int age)
{
    static _Thread_local struct {
        bool valid;
        core_day born;
        int age;
        core_day start;
    } last;
    if (!last.valid || last.born != born || last.age != age) {
        last.valid = true;
        last.born = born;
        last.age = age;
        last.start = elderly_start_of(born, age);
    }
    return last.start;
}

/* The last preschool day: the first 31 March on or after the day the school age is reached, which under
 * the civil law is the day before the birthday (so a child born on 1 April starts school a year earlier
 * than one born on 2 April, as Japanese schools do). */
static core_day preschool_end(core_day born, int school_age)
{
    core_day reached = core_date_birthday(born, school_age) - 1;
    int y, m, d;
    core_date_to_ymd(reached, &y, &m, &d);
    core_day end;
    /* Cannot fail: month and day are in range and the year is a day's year (+1). */
    CORE_DROP(core_date_from_ymd(m > 3 ? y + 1 : y, 3, 31, &end));
    return end;
}

/* The COPAY parameters, in the order eligibility_copay_percent reads them: the desk asks for the co-payment
 * at every decision, so they are asked for by id. */
#define COPAY_PARAMS 9
static const int copay_ids[COPAY_PARAMS] = {
    POLICY_COPAY_SCHOOL_AGE,  POLICY_COPAY_PRESCHOOL_PERCENT, POLICY_COPAY_PERCENT,
    POLICY_COPAY_ELDERLY_AGE, POLICY_COPAY_ELDERLY_PERCENT,   POLICY_COPAY_ELDERLY_HIGH_PERCENT,
    POLICY_COPAY_LATTER_AGE,  POLICY_COPAY_LATTER_PERCENT,    POLICY_COPAY_LATTER_HIGH_PERCENT,
};

/* COPAY: the rate, and the band with (for the elderly band) its first and last day. */
static CORE_MUST_USE int copay(const struct policy *policy, core_day born, bool high_income, core_day on,
                               int *percent, enum eligibility_band *band, core_day *band_from,
                               core_day *band_to)
{
    /* The parameters stay the same over the policy's spans between dated rows, and the desk asks on day after
     * day of the same span: they are read again only when the policy or the span changes (per thread). */
    static _Thread_local struct {
        uint64_t serial;
        core_day from, to;
        int v[COPAY_PARAMS];
    } params;
    uint64_t serial = policy_serial(policy);
    if (params.serial != serial || on < params.from || on > params.to) {
        params.serial = 0;
        for (size_t i = 0; i < COPAY_PARAMS; i++) {
            long long v;
            int rc = policy_int_id(policy, copay_ids[i], on, &v);
            if (rc != CORE_OK)
                return rc;
            params.v[i] = (int)v;
        }
        policy_span(policy, copay_ids, COPAY_PARAMS, on, &params.from, &params.to);
        params.serial = serial;
    }
    const int school = params.v[0], pre = params.v[1], gen = params.v[2], eld_age = params.v[3],
              eld = params.v[4], eld_hi = params.v[5], lat_age = params.v[6], lat = params.v[7],
              lat_hi = params.v[8];
    /* The brackets' days are a pure function of (born, ages): the desk asks for the same person again and
     * again, so the last person's days are kept (per thread) rather than recomputed from the calendar. */
    static _Thread_local struct {
        bool valid;
        core_day born;
        int school, lat_age, eld_age;
        core_day preschool_end, latter_start, elderly_start;
    } last;
    if (!last.valid || last.born != born || last.school != school || last.lat_age != lat_age ||
        last.eld_age != eld_age) {
        last.valid = true;
        last.born = born;
        last.school = school;
        last.lat_age = lat_age;
        last.eld_age = eld_age;
        last.preschool_end = preschool_end(born, school);
        last.latter_start = core_date_birthday(born, lat_age);
        last.elderly_start = elderly_start(born, eld_age);
    }
    /* COPAY */
    *band_from = *band_to = CORE_DAY_NONE;
    if (on <= last.preschool_end) {
        *percent = pre;
        *band = ELIGIBILITY_BAND_PRESCHOOL;
    } else if (on >= last.latter_start) {
        *percent = high_income ? lat_hi : lat;
        *band = ELIGIBILITY_BAND_LATTER;
    } else if (on >= last.elderly_start) {
        *percent = high_income ? eld_hi : eld;
        *band = ELIGIBILITY_BAND_ELDERLY;
        *band_from = last.elderly_start;
        *band_to = last.latter_start - 1;
    } else {
        *percent = gen;
        *band = ELIGIBILITY_BAND_GENERAL;
    }
    return CORE_OK;
}

int eligibility_copay_percent(const struct policy *policy, core_day born, bool high_income, core_day on,
                              int *percent)
{
    if (policy == NULL || percent == NULL)
        return CORE_EINVAL;
    enum eligibility_band band;
    core_day from, to;
    return copay(policy, born, high_income, on, percent, &band, &from, &to);
}

/* ---- AMEND-3 ------------------------------------------------------------------------------------------ */

core_day eligibility_cert_grace_end(core_day expiry, int grace_months)
{
    if (grace_months <= 0)
        return expiry;
    int y, m, d;
    core_date_to_ymd(expiry + 1, &y, &m, &d); /* the month of the first invalid day */
    long total = (long)y * 12 + (m - 1) + grace_months + 1;
    core_day next_first;
    /* Cannot fail: month and day are in range and the year is a day's year (+1). */
    CORE_DROP(core_date_from_ymd((int)(total / 12), (int)(total % 12) + 1, 1, &next_first));
    return next_first - 1;
}

/* One reading for the check and the world (docs/RULES.md, AMEND-3, "A grace is fixed when it begins"): the
 * grace begins on the first day after the expiry on which the value then in force gives a grace reaching that
 * day, and that value fixes its end; a later row neither lengthens nor shortens it. */
int eligibility_cert_grace(const struct policy *p, core_day expiry, core_day *from, core_day *to)
{
    static const int id = POLICY_ONLINE_CERT_EXPIRY_GRACE_MONTHS;
    *from = expiry + 1;
    *to = expiry;
    for (core_day d = expiry + 1;;) {
        int months = 0;
        int rc = param(p, id, d, &months);
        if (rc != CORE_OK)
            return rc;
        core_day end = eligibility_cert_grace_end(expiry, months);
        if (months > 0 && end >= d) {
            *from = d;
            *to = end;
            return CORE_OK;
        }
        core_day a, b;
        policy_span(p, &id, 1, d, &a, &b);
        if (b >= INT32_MAX) /* no later row: no grace */
            return CORE_OK;
        d = b + 1;
    }
}

/* ---- qualification ------------------------------------------------------------------------------------ */

/* A visible membership that covers D and whose loss, if any, is not yet both effective and visible. */
static bool covers_visible(const struct elig_mem *m, core_day on)
{
    return m->visible <= on && m->e.start <= on && !(m->loss_visible <= on && m->loss_first <= on);
}

/* An enrollment covering D that is filed and not yet visible. */
static bool pending_enrollment(const struct elig_mem *m, core_day on)
{
    return m->filed <= on && on < m->visible && m->e.start <= on &&
           !(m->loss_filed <= on && m->loss_first <= on);
}

/* A loss effective by D that is filed and not yet visible, on a membership the system still shows. */
static bool pending_loss(const struct elig_mem *m, core_day on)
{
    return covers_visible(m, on) && m->loss_filed <= on && on < m->loss_visible && m->loss_first <= on;
}

struct person_state {
    bool change_in_progress;
    int covering;
    uint32_t latest; /* the covering membership that started last */
};

static void person_state(const struct eligibility_registry *reg, uint32_t person, core_day on,
                         struct person_state *s)
{
    *s = (struct person_state){false, 0, ELIG_NIL};
    for (uint32_t i = reg->persons[person].mem_head; i != ELIG_NIL; i = reg->mems[i].next) {
        const struct elig_mem *m = &reg->mems[i];
        if (pending_enrollment(m, on) || pending_loss(m, on))
            s->change_in_progress = true;
        if (covers_visible(m, on)) {
            s->covering++;
            if (s->latest == ELIG_NIL || m->e.start >= reg->mems[s->latest].e.start)
                s->latest = i;
        }
    }
}

/* `age`: the policy's copay.elderly_age on the day asked. */
static enum eligibility_limit limit_of(const struct elig_mem *m, core_day born, core_day on, int age)
{
    bool elderly = on >= elderly_start(born, age);
    if (elderly)
        return m->e.high_income ? ELIGIBILITY_LIMIT_ELDERLY_HIGH : ELIGIBILITY_LIMIT_ELDERLY_GENERAL;
    return m->e.high_income ? ELIGIBILITY_LIMIT_HIGH : ELIGIBILITY_LIMIT_GENERAL;
}

static CORE_MUST_USE int fill_qualification(const struct eligibility_registry *reg, uint32_t mi, core_day on,
                                            struct eligibility_answer *out)
{
    const struct elig_mem *m = &reg->mems[mi];
    core_day born = reg->persons[m->person].born;
    struct eligibility_qualification *q = &out->qualification;
    q->numbers = m->e.numbers;
    q->role = m->e.role;
    q->born = born;
    q->start = m->e.start;
    q->end = m->loss_visible <= on ? m->loss_first - 1 : CORE_DAY_NONE;
    q->tax_arrears = m->e.tax_arrears;
    int age;
    int rc = param(reg->policy, POLICY_COPAY_ELDERLY_AGE, on, &age);
    if (rc != CORE_OK)
        return rc;
    q->limit = limit_of(m, born, on, age);
    q->person = m->person;
    out->has_qualification = true;
    return copay(reg->policy, born, m->e.high_income, on, &q->copay_percent, &q->band, &q->band_from,
                 &q->band_to);
}

static CORE_MUST_USE int answer_person(const struct eligibility_registry *reg, uint32_t person, core_day on,
                                       struct eligibility_answer *out)
{
    struct person_state s;
    person_state(reg, person, on, &s);
    if (s.change_in_progress || s.covering > 1)
        out->result = ELIGIBILITY_NOT_REFLECTED; /* MYNA-3: a change is in progress, or the new one blocked */
    else if (s.covering == 1)
        out->result = ELIGIBILITY_OK;
    else
        out->result = ELIGIBILITY_NO_QUALIFICATION;
    return s.latest == ELIG_NIL ? CORE_OK : fill_qualification(reg, s.latest, on, out);
}

/* Every field, the numbers as empty strings: the check answers dozens of times per resident of a population,
 * and a memset of the whole answer cost more than the answer. */
static void answer_clear(struct eligibility_answer *out, enum eligibility_result r)
{
    out->result = r;
    out->warnings = 0;
    out->has_qualification = false;
    out->lost_record = out->newer_known = false;
    struct eligibility_qualification *q = &out->qualification;
    q->numbers.insurer_number[0] = q->numbers.symbol[0] = q->numbers.number[0] = q->numbers.branch[0] = '\0';
    q->role = (enum eligibility_role)0;
    q->born = q->start = 0;
    q->end = CORE_DAY_NONE;
    q->copay_percent = 0;
    q->band = ELIGIBILITY_BAND_GENERAL;
    q->band_from = q->band_to = CORE_DAY_NONE;
    q->limit = (enum eligibility_limit)0;
    q->tax_arrears = false;
    q->person = 0;
    q->name[0] = q->kana[0] = q->insurer_name[0] = '\0';
    q->sex = 0;
}

int eligibility_check_person(const struct eligibility_registry *reg, uint32_t person, core_day on,
                             struct eligibility_answer *out)
{
    if (reg == NULL || out == NULL || person >= reg->n_persons)
        return CORE_EINVAL;
    answer_clear(out, ELIGIBILITY_NO_QUALIFICATION);
    return answer_person(reg, person, on, out);
}

/* ---- registration ------------------------------------------------------------------------------------- */

/* Registered on D: the registration event with the latest day on or before D decides (filing order breaks
 * ties); registrations take effect the day made, withdrawals the day they reach the system. */
static bool registered_on(const struct eligibility_registry *reg, uint32_t person, core_day on)
{
    bool registered = false;
    core_day best = CORE_DAY_NONE;
    for (uint32_t i = reg->persons[person].reg_head; i != ELIG_NIL; i = reg->regs[i].next) {
        const struct elig_regev *r = &reg->regs[i];
        if (r->day <= on && r->day >= best) {
            best = r->day;
            registered = r->registered;
        }
    }
    return registered;
}

/* ---- the card route ----------------------------------------------------------------------------------- */

int eligibility_check_card(const struct eligibility_registry *reg, const struct eligibility_card_request *req,
                           struct eligibility_answer *out)
{
    if (reg == NULL || req == NULL || out == NULL)
        return CORE_EINVAL;
    core_day on = req->on;
    core_day asked = req->has_asked ? req->asked : on;
    if (asked > on)
        return CORE_EINVAL;
    /* MYNA-3: each test below is one result, in the rule's precedence order. */
    if (!req->card_in_hand) {
        answer_clear(out, ELIGIBILITY_NO_CARD);
        return CORE_OK;
    }
    if (req->reader_down) {
        answer_clear(out, ELIGIBILITY_READER_DOWN);
        return CORE_OK;
    }
    if (req->service_down) {
        answer_clear(out, ELIGIBILITY_SERVICE_DOWN);
        return CORE_OK;
    }
    uint32_t ci = elig_map_get(&reg->by_cert, req->cert_serial);
    /* A certificate J-LIS never issued (or not yet, on D) fails as a revoked one would: the system cannot
     * validate it. */
    if (ci == ELIG_NIL || reg->certs[ci].issued > on) {
        answer_clear(out, ELIGIBILITY_CERT_REVOKED);
        return CORE_OK;
    }
    const struct elig_cert *cert = &reg->certs[ci];
    const struct elig_card *card = &reg->cards[cert->card];
    if (card->suspended <= on) {
        answer_clear(out, ELIGIBILITY_CARD_SUSPENDED);
        return CORE_OK;
    }
    if (card->expiry < on) {
        answer_clear(out, ELIGIBILITY_CARD_EXPIRED);
        return CORE_OK;
    }
    if (cert->revoked <= on || card->returned <= on || card->replaced <= on) {
        answer_clear(out, ELIGIBILITY_CERT_REVOKED);
        return CORE_OK;
    }
    int warn = 0;
    int prc = param(reg->policy, POLICY_ONLINE_CERT_WARNING_MONTHS, on, &warn);
    if (prc != CORE_OK)
        return prc;
    unsigned warnings = 0;
    if (warn > 0 && on <= cert->expiry && on >= core_date_add_months(cert->expiry, -warn))
        warnings |= ELIGIBILITY_WARN_CERT_EXPIRES_SOON;
    if (cert->expiry < on) {
        /* AMEND-3: an expired certificate passes, with a warning, through its grace (fixed when it begins). */
        core_day grace_from, grace_to;
        prc = eligibility_cert_grace(reg->policy, cert->expiry, &grace_from, &grace_to);
        if (prc != CORE_OK)
            return prc;
        if (on < grace_from || on > grace_to) {
            answer_clear(out, ELIGIBILITY_CERT_EXPIRED);
            return CORE_OK;
        }
        warnings |= ELIGIBILITY_WARN_CERT_IN_GRACE;
    }
    if (req->auth == ELIGIBILITY_AUTH_PIN && req->pin_blocked) {
        answer_clear(out, ELIGIBILITY_PIN_LOCKED);
        out->warnings = warnings;
        return CORE_OK;
    }
    if (!registered_on(reg, card->person, on)) {
        answer_clear(out, ELIGIBILITY_NOT_REGISTERED);
        out->warnings = warnings;
        return CORE_OK;
    }
    answer_clear(out, ELIGIBILITY_NO_QUALIFICATION);
    out->warnings = warnings;
    return answer_person(reg, card->person, asked, out);
}

/* ---- the number route --------------------------------------------------------------------------------- */

/* How well one membership answers for its numbers on D: ok > not_reflected > no_qualification. */
static enum eligibility_result membership_result(const struct eligibility_registry *reg, uint32_t mi,
                                                 core_day on, bool *found)
{
    const struct elig_mem *m = &reg->mems[mi];
    *found = false;
    if (covers_visible(m, on)) {
        struct person_state s;
        person_state(reg, m->person, on, &s);
        *found = true;
        return s.change_in_progress || s.covering > 1 ? ELIGIBILITY_NOT_REFLECTED : ELIGIBILITY_OK;
    }
    if (pending_enrollment(m, on))
        return ELIGIBILITY_NOT_REFLECTED;
    return ELIGIBILITY_NO_QUALIFICATION;
}

static int rank(enum eligibility_result r)
{
    return r == ELIGIBILITY_OK ? 2 : r == ELIGIBILITY_NOT_REFLECTED ? 1 : 0;
}

int eligibility_check_numbers(const struct eligibility_registry *reg,
                              const struct eligibility_number_request *req, struct eligibility_answer *out)
{
    if (reg == NULL || req == NULL || out == NULL)
        return CORE_EINVAL;
    if (req->reader_down) {
        answer_clear(out, ELIGIBILITY_READER_DOWN);
        return CORE_OK;
    }
    if (req->service_down) {
        answer_clear(out, ELIGIBILITY_SERVICE_DOWN);
        return CORE_OK;
    }
    answer_clear(out, ELIGIBILITY_NO_QUALIFICATION);
    uint32_t best = ELIG_NIL;
    bool best_found = false;
    for (uint32_t i = elig_map_get(&reg->by_numbers, elig_numbers_hash(&req->numbers)); i != ELIG_NIL;
         i = reg->mems[i].next_key) {
        const struct elig_mem *m = &reg->mems[i];
        if (m->filed > req->on || reg->persons[m->person].born != req->born ||
            !elig_numbers_eq(&m->e.numbers, &req->numbers))
            continue;
        bool found;
        enum eligibility_result r = membership_result(reg, i, req->on, &found);
        if (best == ELIG_NIL || rank(r) > rank(out->result)) {
            out->result = r;
            best = i;
            best_found = found;
        }
    }
    if (best_found)
        return fill_qualification(reg, best, req->on, out);
    /* Asked by the numbers of a membership the system shows lost: the old record, with its loss date. */
    const struct elig_mem *m = best != ELIG_NIL ? &reg->mems[best] : NULL;
    if (out->result != ELIGIBILITY_NO_QUALIFICATION || m == NULL || m->visible > req->on ||
        m->loss_visible > req->on || m->loss_first > req->on)
        return CORE_OK;
    int rc = fill_qualification(reg, best, req->on, out);
    struct person_state s;
    person_state(reg, m->person, req->on, &s);
    out->has_qualification = false;
    out->lost_record = true;
    out->newer_known = s.covering > 0;
    return rc;
}
