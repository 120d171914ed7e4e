/*
 * Between the check's answer and the response message: which MYNA-3 result travels as which
 * QualificationValidity, ProcessingResultStatus, SegmentOfResult and ErrorCode, and how the clinic reads them
 * back. One table (docs/MESSAGES.md shows it) serves both ways.
 *
 * Qualification results end normally (SegmentOfResult 1, ProcessingResultStatus 1): ok is valid (1), a change
 * in progress is "invalid" (2) without a loss in effect, a lost membership asked by its numbers is "invalid"
 * (2) or "invalid, a newer one exists" (3) with its old record, and no qualification is "no such
 * qualification" (4). Everything else is an abnormal end (9, status 2) with
 * mynasim's ErrorCode. AMEND-3's warnings ride in ProcessingResultCode whatever the result.
 */
#include <stdio.h>
#include <string.h>

#include "eligibility/message_int.h"

struct result_row {
    enum eligibility_result result;
    int validity;     /* 0: an abnormal end with `code` */
    const char *code; /* ErrorCode */
    const char *message;
};

static const struct result_row rows[] = {
    {ELIGIBILITY_NO_CARD, 0, "MYNE1001", "no card was presented"},
    {ELIGIBILITY_READER_DOWN, 0, "MYNE1002", "the card reader or online check is out of order"},
    {ELIGIBILITY_SERVICE_DOWN, 0, "MYNE9001", "the eligibility system is out of order"},
    {ELIGIBILITY_CARD_SUSPENDED, 0, "MYNE2001", "the card is suspended"},
    {ELIGIBILITY_CARD_EXPIRED, 0, "MYNE2002", "the card has expired"},
    {ELIGIBILITY_CERT_REVOKED, 0, "MYNE2003", "the certificate is revoked or unknown"},
    {ELIGIBILITY_CERT_EXPIRED, 0, "MYNE2004", "the certificate has expired"},
    {ELIGIBILITY_PIN_LOCKED, 0, "MYNE2005", "the PIN is blocked"},
    {ELIGIBILITY_NOT_REGISTERED, 0, "MYNE2006", "the card is not registered for insurance use"},
    {ELIGIBILITY_NOT_REFLECTED, 2, "", ""},
    {ELIGIBILITY_NO_QUALIFICATION, 4, "", ""},
    {ELIGIBILITY_OK, 1, "", ""},
};

static const char *const limit_flags[] = {
    [ELIGIBILITY_LIMIT_GENERAL] = "A03",
    [ELIGIBILITY_LIMIT_HIGH] = "A01",
    [ELIGIBILITY_LIMIT_ELDERLY_GENERAL] = "B04",
    [ELIGIBILITY_LIMIT_ELDERLY_HIGH] = "B01",
};

static void copy_header(const struct eligibility_request_msg *req, struct eligibility_response_msg *out)
{
    if (req == NULL)
        return;
    out->date = req->date;
    if (strnlen(req->institution, sizeof req->institution) == 10)
        memcpy(out->institution, req->institution, sizeof out->institution);
    if (strnlen(req->file_id, sizeof req->file_id) < sizeof req->file_id)
        memcpy(out->file_id, req->file_id, sizeof out->file_id);
    if (req->kind == ELIGIBILITY_REQUEST_CARD || req->kind == ELIGIBILITY_REQUEST_NUMBERS)
        out->reference = (int)req->kind;
    out->encoding = req->encoding == ELIGIBILITY_ENC_CP932 ? ELIGIBILITY_ENC_CP932 : ELIGIBILITY_ENC_UTF8;
}

static void blank(struct eligibility_response_msg *out, const char *process_time)
{
    memset(out, 0, sizeof *out);
    out->date = CORE_DAY_NONE;
    out->qualification.elderly_percent = out->qualification.copay_percent = -1;
    out->qualification.card_valid = out->qualification.card_expires = CORE_DAY_NONE;
    out->qualification.elderly_from = out->qualification.elderly_to = CORE_DAY_NONE;
    snprintf(out->process_time, sizeof out->process_time, "%s", process_time ? process_time : "");
}

int eligibility_response_from_answer(const struct eligibility_request_msg *req,
                                     const struct eligibility_answer *a, const char *process_time,
                                     struct eligibility_response_msg *out)
{
    if (req == NULL || a == NULL || out == NULL || (unsigned)a->result > ELIGIBILITY_OK ||
        a->warnings == (ELIGIBILITY_WARN_CERT_EXPIRES_SOON | ELIGIBILITY_WARN_CERT_IN_GRACE) ||
        a->warnings > ELIGIBILITY_WARN_CERT_IN_GRACE ||
        (a->has_qualification && a->result != ELIGIBILITY_OK && a->result != ELIGIBILITY_NOT_REFLECTED) ||
        (a->lost_record && (a->has_qualification || a->result != ELIGIBILITY_NO_QUALIFICATION ||
                            a->qualification.end == CORE_DAY_NONE)) ||
        (!a->has_qualification && a->result == ELIGIBILITY_OK))
        return CORE_EINVAL;
    blank(out, process_time);
    copy_header(req, out);
    const struct result_row *r = &rows[a->result];
    out->segment = r->validity ? 1 : 9;
    out->status = r->validity ? 1 : 2;
    out->validity = a->lost_record ? (a->newer_known ? 3 : 2) : r->validity;
    snprintf(out->error_code, sizeof out->error_code, "%s", r->code);
    snprintf(out->error_message, sizeof out->error_message, "%s", r->message);
    if (a->warnings & ELIGIBILITY_WARN_CERT_EXPIRES_SOON) {
        snprintf(out->result_code, sizeof out->result_code, "%s", ELIGIBILITY_CODE_CERT_EXPIRES_SOON);
        snprintf(out->result_message, sizeof out->result_message, "the certificate expires soon");
    } else if (a->warnings & ELIGIBILITY_WARN_CERT_IN_GRACE) {
        snprintf(out->result_code, sizeof out->result_code, "%s", ELIGIBILITY_CODE_CERT_IN_GRACE);
        snprintf(out->result_message, sizeof out->result_message, "the certificate has expired: renew it");
    }
    out->has_qualification = a->has_qualification || a->lost_record;
    if (!out->has_qualification)
        return CORE_OK;
    const struct eligibility_qualification *q = &a->qualification;
    struct eligibility_qualification_msg *m = &out->qualification;
    /* The rate must be known where the answer carries it (from 70); before, the desk derives it. */
    bool carried = q->band == ELIGIBILITY_BAND_LATTER || q->band == ELIGIBILITY_BAND_ELDERLY;
    if ((unsigned)q->limit > ELIGIBILITY_LIMIT_ELDERLY_HIGH || (unsigned)q->band > ELIGIBILITY_BAND_LATTER ||
        q->copay_percent > 100 || (carried && q->copay_percent < 0))
        return CORE_EINVAL;
    memcpy(m->card_class, "01", 3);
    m->numbers = q->numbers;
    m->family = q->role == ELIGIBILITY_DEPENDENT ? 2 : 1;
    m->born = q->born;
    m->qualification_date = q->start;
    m->disqualification_date = q->end == CORE_DAY_NONE ? CORE_DAY_NONE : q->end + 1;
    /* The person: as eligibility_answer_add_person filled it; an answer built without it (a test's) gets one
     * generated from its person number, so every qualification carries Name, Sex1 and InsurerName. */
    if (q->name[0] != '\0') {
        memcpy(m->name, q->name, sizeof m->name);
        memcpy(m->name_kana, q->kana, sizeof m->name_kana);
        m->sex = q->sex >= 1 && q->sex <= 3 ? q->sex : 3;
    } else {
        char name[ELIGIBILITY_PERSON_TEXT_MAX], kana[ELIGIBILITY_PERSON_TEXT_MAX];
        eligibility_person_generate(q->person, q->sex, name, kana, &m->sex);
        if (eligibility_name_showable(name, m->name, sizeof m->name) != CORE_OK ||
            eligibility_kana_half_width(kana, m->name_kana, sizeof m->name_kana) != CORE_OK)
            return CORE_EINVAL;
    }
    if (q->insurer_name[0] != '\0')
        memcpy(m->insurer_name, q->insurer_name, sizeof m->insurer_name);
    else
        snprintf(m->insurer_name, sizeof m->insurer_name, "保険者%.8s", q->numbers.insurer_number);
    /* The document the qualification gives is valid from the membership's first day; its last day is the
     * loss's eve when the loss is known (mynasim's reading: docs/MESSAGES.md). */
    m->card_valid = q->start;
    m->card_expires = q->end;
    /* COPAY as real answers carry it: only the latter-stage elderly ratio in InsuredPartialContributionRatio,
     * the 70-74 ratio in ElderlyRecipientCertificateInfo, PreschoolClassification before school age; the desk
     * derives the rest from the birth date and the policy. */
    m->copay_percent = q->band == ELIGIBILITY_BAND_LATTER ? q->copay_percent : -1;
    m->preschool = q->band == ELIGIBILITY_BAND_PRESCHOOL ? 1 : 0;
    if (q->band == ELIGIBILITY_BAND_ELDERLY) {
        m->elderly_percent = q->copay_percent;
        m->elderly_from = q->band_from;
        m->elderly_to = q->band_to;
    }
    memcpy(m->limit_flag, limit_flags[q->limit], 4);
    m->tax_arrears = q->tax_arrears ? 1 : 0;
    return CORE_OK;
}

int eligibility_face_file_name(const char *visit, int64_t t, char *buf, size_t cap)
{
    if (buf != NULL && cap > 0)
        buf[0] = '\0';
    if (visit == NULL || buf == NULL || cap < ELIGIBILITY_FACE_NAME_MAX)
        return CORE_EINVAL;
    size_t n = strlen(visit);
    if (n == 0 || n > ELIGIBILITY_FACE_VISIT_MAX)
        return CORE_EINVAL;
    for (size_t i = 0; i < n; i++) {
        char c = visit[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-'))
            return CORE_EINVAL; /* '_' would make the agents' pattern ambiguous; '/', '.' no file name */
    }
    /* "YYYY-MM-DDThh:mm:ss" in Japan time; years the 14 digits cannot carry are refused. */
    static const char first[] = "1900-01-01T00:00:00", last[] = "9999-12-31T23:59:59";
    int64_t lo, hi;
    if (core_time_parse_japan(first, sizeof first - 1, &lo) != CORE_OK ||
        core_time_parse_japan(last, sizeof last - 1, &hi) != CORE_OK || t < lo || t > hi)
        return CORE_EINVAL;
    char jst[20];
    core_time_format_japan(t, jst);
    static const unsigned char digit_at[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
    char stamp[15];
    for (size_t i = 0; i < sizeof digit_at; i++) {
        stamp[i] = jst[digit_at[i]];
        if (stamp[i] < '0' || stamp[i] > '9')
            return CORE_EINVAL;
    }
    stamp[14] = '\0';
    if (jst[4] != '-' || strlen(jst) != 19)
        return CORE_EINVAL;
    snprintf(buf, cap, "OQSsiquc01res_face_%s_%s.xml", visit, stamp);
    return CORE_OK;
}

void eligibility_response_for_error(const struct eligibility_request_msg *req,
                                    const struct eligibility_msg_error *err, const char *process_time,
                                    struct eligibility_response_msg *out)
{
    if (out == NULL)
        return;
    blank(out, process_time);
    copy_header(req, out);
    out->segment = 9;
    out->status = 2;
    int code = err != NULL && err->code != ELIGIBILITY_MSG_OK ? err->code : ELIGIBILITY_MSG_MALFORMED;
    snprintf(out->error_code, sizeof out->error_code, "%s", eligibility_msg_code_string(code));
    /* The message is ASCII the codec wrote; the element name came from the input, so only its safe form. */
    char element[sizeof err->element];
    size_t n = 0;
    for (const char *s = err ? err->element : ""; *s && n + 1 < sizeof element; s++)
        if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
            element[n++] = *s;
    element[n] = '\0';
    snprintf(out->error_message, sizeof out->error_message, "message refused%s%s", n ? ": " : "", element);
}

int eligibility_response_to_answer(const struct eligibility_response_msg *m, struct eligibility_answer *out)
{
    if (m == NULL || out == NULL)
        return CORE_EINVAL;
    memset(out, 0, sizeof *out);
    out->result = ELIGIBILITY_SERVICE_DOWN;
    if (strcmp(m->result_code, ELIGIBILITY_CODE_CERT_EXPIRES_SOON) == 0)
        out->warnings = ELIGIBILITY_WARN_CERT_EXPIRES_SOON;
    else if (strcmp(m->result_code, ELIGIBILITY_CODE_CERT_IN_GRACE) == 0)
        out->warnings = ELIGIBILITY_WARN_CERT_IN_GRACE;
    if (m->segment == 9) {
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            if (rows[i].validity == 0 && strcmp(rows[i].code, m->error_code) == 0)
                out->result = rows[i].result;
        return CORE_OK;
    }
    if (m->segment != 1 || m->status != 1)
        return CORE_OK;
    /* 5 (several match) finds none the desk can use; 2 and 3 are read below. */
    static const enum eligibility_result by_validity[] = {
        ELIGIBILITY_SERVICE_DOWN,     ELIGIBILITY_OK,
        ELIGIBILITY_NOT_REFLECTED,    ELIGIBILITY_NOT_REFLECTED,
        ELIGIBILITY_NO_QUALIFICATION, ELIGIBILITY_NO_QUALIFICATION,
    };
    if (m->validity < 0 || m->validity > 5)
        return CORE_OK;
    out->result = by_validity[m->validity];
    /* 2 with a loss in effect on the day asked, and 3, are a lost record: no qualification, the old one shown
     * for the record (docs/MESSAGES.md). 2 without one is mynasim's change in progress. */
    core_day asked = m->date;
    if (asked == CORE_DAY_NONE && strlen(m->process_time) == 14)
        /* A process time whose first 8 characters are not a date leaves `asked` CORE_DAY_NONE, as wanted. */
        CORE_DROP(core_date_from_ymd((m->process_time[0] - '0') * 1000 + (m->process_time[1] - '0') * 100 +
                                         (m->process_time[2] - '0') * 10 + (m->process_time[3] - '0'),
                                     (m->process_time[4] - '0') * 10 + (m->process_time[5] - '0'),
                                     (m->process_time[6] - '0') * 10 + (m->process_time[7] - '0'), &asked));
    core_day lost = m->qualification.disqualification_date;
    if (m->has_qualification && lost != CORE_DAY_NONE &&
        (m->validity == 3 || (m->validity == 2 && asked != CORE_DAY_NONE && lost <= asked))) {
        out->result = ELIGIBILITY_NO_QUALIFICATION;
        out->lost_record = true;
        out->newer_known = m->validity == 3;
    } else if (m->validity == 3) {
        out->result = ELIGIBILITY_NO_QUALIFICATION;
        out->newer_known = true;
    }
    bool shows = m->has_qualification && (out->result == ELIGIBILITY_OK ||
                                          out->result == ELIGIBILITY_NOT_REFLECTED || out->lost_record);
    if (out->result == ELIGIBILITY_OK && !shows) {
        out->result = ELIGIBILITY_SERVICE_DOWN; /* "valid" without a qualification: a broken service */
        return CORE_OK;
    }
    if (!shows)
        return CORE_OK;
    const struct eligibility_qualification_msg *q = &m->qualification;
    struct eligibility_qualification *a = &out->qualification;
    out->has_qualification = !out->lost_record;
    a->numbers = q->numbers;
    a->role = q->family == 2 ? ELIGIBILITY_DEPENDENT : ELIGIBILITY_INSURED;
    a->born = q->born;
    a->start = q->qualification_date;
    a->end = q->disqualification_date == CORE_DAY_NONE ? CORE_DAY_NONE : q->disqualification_date - 1;
    /* COPAY: the ratio the answer carries (latter-stage, or the elderly certificate's); otherwise -1, and the
     * desk derives it from the birth date and the policy (docs/RULES.md, COPAY). */
    a->band_from = a->band_to = CORE_DAY_NONE;
    if (q->copay_percent >= 0) {
        a->band = ELIGIBILITY_BAND_LATTER;
        a->copay_percent = q->copay_percent;
    } else if (q->elderly_percent >= 0) {
        a->band = ELIGIBILITY_BAND_ELDERLY;
        a->copay_percent = q->elderly_percent;
        a->band_from = q->elderly_from;
        a->band_to = q->elderly_to;
    } else {
        a->band = q->preschool == 1 ? ELIGIBILITY_BAND_PRESCHOOL : ELIGIBILITY_BAND_GENERAL;
        a->copay_percent = -1;
    }
    memcpy(a->name, q->name, sizeof a->name);
    memcpy(a->kana, q->name_kana, sizeof a->kana);
    a->sex = q->sex;
    memcpy(a->insurer_name, q->insurer_name, sizeof a->insurer_name);
    bool elderly = q->limit_flag[0] == 'B';
    bool high = strcmp(q->limit_flag, "A01") == 0 || strcmp(q->limit_flag, "A02") == 0 ||
                strcmp(q->limit_flag, "B01") == 0 || strcmp(q->limit_flag, "B02") == 0 ||
                strcmp(q->limit_flag, "B03") == 0;
    a->limit = elderly ? (high ? ELIGIBILITY_LIMIT_ELDERLY_HIGH : ELIGIBILITY_LIMIT_ELDERLY_GENERAL)
                       : (high ? ELIGIBILITY_LIMIT_HIGH : ELIGIBILITY_LIMIT_GENERAL);
    a->tax_arrears = q->tax_arrears == 1;
    return CORE_OK;
}

int eligibility_request_to_number_request(const struct eligibility_request_msg *m,
                                          struct eligibility_number_request *out)
{
    if (m == NULL || out == NULL || m->kind != ELIGIBILITY_REQUEST_NUMBERS)
        return CORE_EINVAL;
    memset(out, 0, sizeof *out);
    out->on = m->date;
    out->numbers = m->numbers;
    out->born = m->born;
    return CORE_OK;
}
