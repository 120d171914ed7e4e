/*
 * Fuzz target: the eligibility response parser (sim/eligibility/message.c) — a clinic must survive a hostile
 * or broken service. Any input is parsed or refused with a documented code; a parsed response is written
 * again and must parse back to the same struct; the answer the clinic reads from it must travel again as a
 * response the codec accepts.
 */
#include <stdlib.h>
#include <string.h>

#include "eligibility/eligibility.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char buf1[ELIGIBILITY_MSG_MAX_BYTES], buf2[ELIGIBILITY_MSG_MAX_BYTES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct eligibility_response_msg m1, m2, m3;
    struct eligibility_msg_error err;
    if (eligibility_response_parse(data, size, &m1, &err) != CORE_OK) {
        if (err.code < ELIGIBILITY_MSG_TOO_LARGE || err.code > ELIGIBILITY_MSG_ORDER)
            abort();
        return 0;
    }
    m1.unknown_elements = m1.extra_results = 0; /* what was skipped is not written again */
    size_t n1, n2;
    enum eligibility_encoding enc = (enum eligibility_encoding)m1.encoding;
    if (eligibility_response_encode(&m1, enc, buf1, sizeof buf1, &n1, &err) != CORE_OK) {
        if (enc != ELIGIBILITY_ENC_CP932 || err.code != ELIGIBILITY_MSG_BAD_VALUE)
            abort();
        return 0;
    }
    if (eligibility_response_parse(buf1, n1, &m2, &err) != CORE_OK)
        abort();
    if (enc == ELIGIBILITY_ENC_UTF8 && memcmp(&m1, &m2, sizeof m1) != 0)
        abort();
    if (eligibility_response_encode(&m2, enc, buf2, sizeof buf2, &n2, &err) != CORE_OK || n1 != n2 ||
        memcmp(buf1, buf2, n1) != 0)
        abort();

    struct eligibility_answer a;
    if (eligibility_response_to_answer(&m1, &a) != CORE_OK)
        abort();
    struct eligibility_request_msg req;
    memset(&req, 0, sizeof req);
    req.kind = ELIGIBILITY_REQUEST_NUMBERS;
    req.date = 20000;
    memcpy(req.institution, "1312345678", 11);
    memcpy(req.file_id, "fuzz", 5);
    if (eligibility_response_from_answer(&req, &a, "20250115093000", &m3) != CORE_OK ||
        eligibility_response_encode(&m3, ELIGIBILITY_ENC_UTF8, buf2, sizeof buf2, &n2, &err) != CORE_OK)
        abort();
    /* The person and the co-payment travel as the message had them (docs/MESSAGES.md, "The person and the
     * co-payment"): the latter-stage ratio first, else the elderly certificate's, else PreschoolClassification;
     * a name given with its kana, sex and insurer name. */
    if (m1.has_qualification && m3.has_qualification) {
        const struct eligibility_qualification_msg *q1 = &m1.qualification, *q3 = &m3.qualification;
        if (q1->copay_percent != q3->copay_percent)
            abort();
        if (q1->copay_percent < 0 && q1->elderly_percent != q3->elderly_percent)
            abort();
        if (q1->copay_percent < 0 && q1->elderly_percent < 0 && q1->preschool != q3->preschool)
            abort();
        if (q1->name[0] != '\0' &&
            (strcmp(q1->name, q3->name) != 0 || strcmp(q1->name_kana, q3->name_kana) != 0 ||
             q3->sex != (q1->sex >= 1 && q1->sex <= 3 ? q1->sex : 3)))
            abort();
        if (q1->insurer_name[0] != '\0' && strcmp(q1->insurer_name, q3->insurer_name) != 0)
            abort();
        if (q3->name[0] == '\0' || q3->insurer_name[0] == '\0' || q3->sex < 1 || q3->sex > 3)
            abort(); /* every qualification the codec writes carries Name, Sex1 and InsurerName */
    }
    return 0;
}
