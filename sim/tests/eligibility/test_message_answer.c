/* Tests of sim/eligibility/message_answer.c: the check's answer as a response message and back (docs/MESSAGES.md's
 * table), the response to a refused request, and the number request a message asks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "eligibility/eligibility.h"
#include "eligibility_test.h"

static void number_request(struct eligibility_request_msg *m)
{
    request_header(m, ELIGIBILITY_REQUEST_NUMBERS, "2025-06-02", "F-1");
    m->encoding = ELIGIBILITY_ENC_CP932;
    snprintf(m->numbers.insurer_number, sizeof m->numbers.insurer_number, "112334");
    snprintf(m->numbers.symbol, sizeof m->numbers.symbol, "12");
    snprintf(m->numbers.number, sizeof m->numbers.number, "34");
    snprintf(m->numbers.branch, sizeof m->numbers.branch, "01");
    m->born = D("1980-04-01");
}

static void ok_answer(struct eligibility_answer *a)
{
    memset(a, 0, sizeof *a);
    a->result = ELIGIBILITY_OK;
    a->has_qualification = true;
    struct eligibility_qualification *q = &a->qualification;
    snprintf(q->numbers.insurer_number, sizeof q->numbers.insurer_number, "112334");
    snprintf(q->numbers.number, sizeof q->numbers.number, "34");
    q->role = ELIGIBILITY_DEPENDENT;
    q->born = D("1950-04-01");
    q->start = D("2020-04-01");
    q->end = D("2025-06-30");
    q->copay_percent = 20;
    q->band = ELIGIBILITY_BAND_LATTER; /* 75 in 2025: InsuredPartialContributionRatio */
    q->limit = ELIGIBILITY_LIMIT_ELDERLY_HIGH;
    q->tax_arrears = true;
}

/* The person's text as answers show it (docs/MESSAGES.md, "The person and the co-payment"). */
static void names_are_shown_in_jis_x_0208_and_kana_in_half_width(void **state)
{
    (void)state;
    char out[ELIGIBILITY_PERSON_TEXT_MAX];
    assert_int_equal(eligibility_name_showable("佐々木\u3000花子", out, sizeof out), CORE_OK);
    assert_string_equal(out, "佐々木\u3000花子");
    /* IBM extension, NEC special, JIS X 0212, beyond the BMP, Latin: one ● each */
    assert_int_equal(eligibility_name_showable("髙①～𠮷A", out, sizeof out), CORE_OK);
    assert_string_equal(out, "●●●●●");
    assert_int_equal(eligibility_name_showable("\xff", out, sizeof out), CORE_EINVAL);
    assert_int_equal(eligibility_name_showable("ABCD", out, 12), CORE_EINVAL); /* 4 x 3 bytes and a NUL */
    assert_int_equal(eligibility_kana_half_width("ガッコウ　ヴィーナス ぱぴぷ", out, sizeof out), CORE_OK);
    assert_string_equal(out, "ｶﾞｯｺｳ ｳﾞｨｰﾅｽ ﾊﾟﾋﾟﾌﾟ");
    assert_int_equal(eligibility_kana_half_width("ｼﾝﾘｮｳ ﾀﾛｳ", out, sizeof out), CORE_OK);
    assert_string_equal(out, "ｼﾝﾘｮｳ ﾀﾛｳ");
    assert_int_equal(eligibility_kana_half_width("山田", out, sizeof out), CORE_EINVAL);
    assert_string_equal(out, "");
}

/* Generated persons depend on the seed alone; a given sex picks the given name's table. */
static void generated_persons_depend_on_the_seed_alone(void **state)
{
    (void)state;
    char n1[ELIGIBILITY_PERSON_TEXT_MAX], k1[ELIGIBILITY_PERSON_TEXT_MAX], n2[ELIGIBILITY_PERSON_TEXT_MAX],
        k2[ELIGIBILITY_PERSON_TEXT_MAX], shown[ELIGIBILITY_PERSON_TEXT_MAX],
        half[ELIGIBILITY_PERSON_TEXT_MAX];
    int s1, s2;
    eligibility_person_generate(42, 0, n1, k1, &s1);
    eligibility_person_generate(42, 0, n2, k2, &s2);
    assert_string_equal(n1, n2);
    assert_string_equal(k1, k2);
    assert_int_equal(s1, s2);
    assert_true(s1 == 1 || s1 == 2);
    /* Every generated name is shown unchanged, every kana converts. */
    for (uint64_t seed = 0; seed < 256; seed++) {
        eligibility_person_generate(seed, (int)(seed % 4), n1, k1, &s1);
        assert_int_equal(eligibility_name_showable(n1, shown, sizeof shown), CORE_OK);
        assert_string_equal(shown, n1);
        assert_int_equal(eligibility_kana_half_width(k1, half, sizeof half), CORE_OK);
        if (seed % 4 != 0)
            assert_int_equal(s1, (int)(seed % 4));
    }
}

/* The registry's person data: given text kept, bad text refused, the answer filled only when it shows one. */
static void the_registry_fills_the_answers_person(void **state)
{
    (void)state;
    struct policy *pol;
    struct core_error err;
    assert_int_equal(policy_load_named("national", &pol, &err), CORE_OK);
    struct eligibility_registry *reg;
    assert_int_equal(eligibility_registry_new(pol, &reg), CORE_OK);
    uint32_t p;
    assert_int_equal(eligibility_person_add(reg, D("1980-01-01"), &p), CORE_OK);
    struct eligibility_person_data bad = {"山田\x01", NULL, 0, 1};
    assert_int_equal(eligibility_person_set_data(reg, p, &bad), CORE_EINVAL);
    bad = (struct eligibility_person_data){"山田\u3000太郎", "Yamada", 0, 1};
    assert_int_equal(eligibility_person_set_data(reg, p, &bad), CORE_EINVAL);
    bad.kana = NULL;
    bad.sex = 4;
    assert_int_equal(eligibility_person_set_data(reg, p, &bad), CORE_EINVAL);
    struct eligibility_person_data pd = {"山田\u3000太郎", NULL, 1, 1};
    assert_int_equal(eligibility_person_set_data(reg, p, &pd), CORE_OK);
    assert_int_equal(eligibility_insurer_set_name(reg, "  112334", "北本市国民健康保険"), CORE_OK);
    assert_int_equal(eligibility_insurer_set_name(reg, "11233", "x"), CORE_EINVAL);
    struct eligibility_answer a;
    ok_answer(&a);
    a.qualification.person = p;
    assert_int_equal(eligibility_answer_add_person(reg, &a), CORE_OK);
    assert_string_equal(a.qualification.name, "山田\u3000太郎");
    assert_string_equal(a.qualification.kana, ""); /* a given name's reading is not guessed */
    assert_int_equal(a.qualification.sex, 1);
    assert_string_equal(a.qualification.insurer_name, "北本市国民健康保険");
    snprintf(a.qualification.numbers.insurer_number, sizeof a.qualification.numbers.insurer_number,
             "06130215");
    assert_int_equal(eligibility_answer_add_person(reg, &a), CORE_OK);
    assert_string_equal(a.qualification.insurer_name, "保険者06130215");
    a.qualification.person = p + 1;
    assert_int_equal(eligibility_answer_add_person(reg, &a), CORE_EINVAL);
    a.has_qualification = false; /* nothing shown: nothing filled */
    assert_int_equal(eligibility_answer_add_person(reg, &a), CORE_OK);
    eligibility_registry_free(reg);
    policy_free(pol);
}

/* Face-reader result files: named as real terminals name them (agents match `..._yyyyMMddHHmmss.xml`, Japan
 * time), written in either encoding with CharacterCodeIdentifier agreeing. */
static void face_files_are_named_and_encoded_as_terminals_write_them(void **state)
{
    (void)state;
    char name[ELIGIBILITY_FACE_NAME_MAX];
    int64_t t;
    /* 2025-07-31 15:00:00 UTC is already 2025-08-01 00:00:00 in Japan. */
    assert_int_equal(core_time_parse_japan("2025-08-01T00:00:00", 19, &t), CORE_OK);
    assert_int_equal(eligibility_face_file_name("v1-0003", t, name, sizeof name), CORE_OK);
    assert_string_equal(name, "OQSsiquc01res_face_v1-0003_20250801000000.xml");
    assert_int_equal(eligibility_face_file_name("visit", t + 86399, name, sizeof name), CORE_OK);
    assert_string_equal(name, "OQSsiquc01res_face_visit_20250801235959.xml");
    char longest[ELIGIBILITY_FACE_VISIT_MAX + 2];
    memset(longest, 'a', ELIGIBILITY_FACE_VISIT_MAX);
    longest[ELIGIBILITY_FACE_VISIT_MAX] = '\0';
    assert_int_equal(eligibility_face_file_name(longest, t, name, sizeof name), CORE_OK);
    longest[ELIGIBILITY_FACE_VISIT_MAX] = 'a';
    longest[ELIGIBILITY_FACE_VISIT_MAX + 1] = '\0';
    assert_int_equal(eligibility_face_file_name(longest, t, name, sizeof name), CORE_EINVAL);
    assert_string_equal(name, "");
    static const char *const bad[] = {"", "a_b", "../x", "a.b", "a b", "a/b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(eligibility_face_file_name(bad[i], t, name, sizeof name), CORE_EINVAL);
    assert_int_equal(eligibility_face_file_name("v", t, name, ELIGIBILITY_FACE_NAME_MAX - 1), CORE_EINVAL);
    assert_int_equal(eligibility_face_file_name(NULL, t, name, sizeof name), CORE_EINVAL);
    assert_int_equal(eligibility_face_file_name("v", INT64_MAX, name, sizeof name), CORE_EINVAL);
    assert_int_equal(eligibility_face_file_name("v", INT64_MIN, name, sizeof name), CORE_EINVAL);

    /* The file's encoding is the caller's choice; CharacterCodeIdentifier always agrees with it. */
    struct eligibility_request_msg req;
    number_request(&req);
    struct eligibility_answer a;
    ok_answer(&a);
    struct eligibility_response_msg res, back;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250801000000", &res), CORE_OK);
    for (int enc = ELIGIBILITY_ENC_UTF8; enc <= ELIGIBILITY_ENC_CP932; enc++) {
        static char buf[ELIGIBILITY_MSG_MAX_BYTES];
        size_t len = 0;
        struct eligibility_msg_error err;
        assert_int_equal(
            eligibility_response_encode(&res, (enum eligibility_encoding)enc, buf, sizeof buf, &len, &err),
            CORE_OK);
        assert_int_equal(eligibility_response_parse(buf, len, &back, &err), CORE_OK);
        assert_int_equal(back.encoding, enc);
        assert_non_null(strstr(buf, enc == ELIGIBILITY_ENC_CP932 ? "Shift_JIS" : "UTF-8"));
    }
}

static void every_result_travels_and_reads_back(void **state)
{
    (void)state;
    struct eligibility_request_msg req;
    number_request(&req);
    static const struct {
        enum eligibility_result result;
        int segment, status, validity;
        const char *code;
    } rows[] = {
        {ELIGIBILITY_NO_CARD, 9, 2, 0, "MYNE1001"},        {ELIGIBILITY_READER_DOWN, 9, 2, 0, "MYNE1002"},
        {ELIGIBILITY_SERVICE_DOWN, 9, 2, 0, "MYNE9001"},   {ELIGIBILITY_CARD_SUSPENDED, 9, 2, 0, "MYNE2001"},
        {ELIGIBILITY_CARD_EXPIRED, 9, 2, 0, "MYNE2002"},   {ELIGIBILITY_CERT_REVOKED, 9, 2, 0, "MYNE2003"},
        {ELIGIBILITY_CERT_EXPIRED, 9, 2, 0, "MYNE2004"},   {ELIGIBILITY_PIN_LOCKED, 9, 2, 0, "MYNE2005"},
        {ELIGIBILITY_NOT_REGISTERED, 9, 2, 0, "MYNE2006"}, {ELIGIBILITY_NOT_REFLECTED, 1, 1, 2, ""},
        {ELIGIBILITY_NO_QUALIFICATION, 1, 1, 4, ""},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct eligibility_answer a, back;
        memset(&a, 0, sizeof a);
        a.result = rows[i].result;
        a.warnings = i % 2 ? ELIGIBILITY_WARN_CERT_IN_GRACE : 0;
        struct eligibility_response_msg res;
        assert_int_equal(eligibility_response_from_answer(&req, &a, "20250602093000", &res), CORE_OK);
        assert_int_equal(res.segment, rows[i].segment);
        assert_int_equal(res.status, rows[i].status);
        assert_int_equal(res.validity, rows[i].validity);
        assert_string_equal(res.error_code, rows[i].code);
        assert_string_equal(res.result_code, i % 2 ? ELIGIBILITY_CODE_CERT_IN_GRACE : "");
        assert_false(res.has_qualification);
        assert_int_equal(res.encoding, ELIGIBILITY_ENC_CP932);
        assert_int_equal(res.reference, 2);
        assert_string_equal(res.institution, "1312345678");
        assert_string_equal(res.file_id, "F-1");
        assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
        assert_int_equal(back.result, rows[i].result);
        assert_int_equal(back.warnings, a.warnings);
    }
}

static void a_qualification_travels_and_reads_back(void **state)
{
    (void)state;
    struct eligibility_request_msg req;
    number_request(&req);
    struct eligibility_answer a, back;
    ok_answer(&a);
    a.warnings = ELIGIBILITY_WARN_CERT_EXPIRES_SOON;
    struct eligibility_response_msg res;
    assert_int_equal(eligibility_response_from_answer(&req, &a, NULL, &res), CORE_OK);
    assert_string_equal(res.process_time, "");
    assert_true(res.has_qualification);
    assert_string_equal(res.qualification.card_class, "01");
    assert_int_equal(res.qualification.family, 2);
    assert_int_equal(res.qualification.disqualification_date, D("2025-07-01")); /* the first day without */
    assert_string_equal(res.qualification.limit_flag, "B01");
    assert_int_equal(res.qualification.tax_arrears, 1);
    assert_string_equal(res.result_code, ELIGIBILITY_CODE_CERT_EXPIRES_SOON);
    assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
    assert_int_equal(back.result, ELIGIBILITY_OK);
    assert_int_equal(back.warnings, ELIGIBILITY_WARN_CERT_EXPIRES_SOON);
    assert_true(back.has_qualification);
    assert_int_equal(back.qualification.role, ELIGIBILITY_DEPENDENT);
    assert_int_equal(back.qualification.end, D("2025-06-30"));
    assert_int_equal(back.qualification.copay_percent, 20);
    assert_int_equal(back.qualification.limit, ELIGIBILITY_LIMIT_ELDERLY_HIGH);
    assert_true(back.qualification.tax_arrears);
    assert_string_equal(back.qualification.numbers.insurer_number, "112334");

    /* An open qualification of an insured; a change in progress that still shows the old one. */
    a.qualification.end = CORE_DAY_NONE;
    a.qualification.role = ELIGIBILITY_INSURED;
    a.qualification.tax_arrears = false;
    a.result = ELIGIBILITY_NOT_REFLECTED;
    a.warnings = 0;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250602093000", &res), CORE_OK);
    assert_int_equal(res.validity, 2);
    assert_true(res.has_qualification);
    assert_int_equal(res.qualification.disqualification_date, CORE_DAY_NONE);
    assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
    assert_int_equal(back.result, ELIGIBILITY_NOT_REFLECTED);
    assert_true(back.has_qualification);
    assert_int_equal(back.qualification.end, CORE_DAY_NONE);
    assert_int_equal(back.qualification.role, ELIGIBILITY_INSURED);
    assert_false(back.qualification.tax_arrears);

    /* Each limit category has its flag and reads back as itself. */
    static const struct {
        enum eligibility_limit limit;
        const char *flag;
    } limits[] = {
        {ELIGIBILITY_LIMIT_GENERAL, "A03"},
        {ELIGIBILITY_LIMIT_HIGH, "A01"},
        {ELIGIBILITY_LIMIT_ELDERLY_GENERAL, "B04"},
        {ELIGIBILITY_LIMIT_ELDERLY_HIGH, "B01"},
    };
    a.result = ELIGIBILITY_OK;
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        a.qualification.limit = limits[i].limit;
        assert_int_equal(eligibility_response_from_answer(&req, &a, "20250602093000", &res), CORE_OK);
        assert_string_equal(res.qualification.limit_flag, limits[i].flag);
        assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
        assert_int_equal(back.qualification.limit, limits[i].limit);
    }
}

static void inconsistent_answers_are_refused(void **state)
{
    (void)state;
    struct eligibility_request_msg req;
    number_request(&req);
    struct eligibility_answer a;
    struct eligibility_response_msg res;
    ok_answer(&a);
    assert_int_equal(eligibility_response_from_answer(NULL, &a, "", &res), CORE_EINVAL);
    assert_int_equal(eligibility_response_from_answer(&req, NULL, "", &res), CORE_EINVAL);
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", NULL), CORE_EINVAL);
    a.result = (enum eligibility_result)(ELIGIBILITY_OK + 1);
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", &res), CORE_EINVAL);
    ok_answer(&a);
    a.warnings = ELIGIBILITY_WARN_CERT_EXPIRES_SOON | ELIGIBILITY_WARN_CERT_IN_GRACE; /* never both */
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", &res), CORE_EINVAL);
    a.warnings = 4;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", &res), CORE_EINVAL);
    ok_answer(&a);
    a.result = ELIGIBILITY_CARD_SUSPENDED; /* a qualification only with ok and not_reflected */
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", &res), CORE_EINVAL);
    a.result = ELIGIBILITY_NO_QUALIFICATION;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", &res), CORE_EINVAL);
    ok_answer(&a);
    a.has_qualification = false; /* ok without a qualification */
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", &res), CORE_EINVAL);
    ok_answer(&a);
    a.qualification.limit = (enum eligibility_limit)(ELIGIBILITY_LIMIT_ELDERLY_HIGH + 1);
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", &res), CORE_EINVAL);
    ok_answer(&a);
    a.qualification.copay_percent = -1;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", &res), CORE_EINVAL);
    a.qualification.copay_percent = 101;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", &res), CORE_EINVAL);
    a.qualification.copay_percent = 100;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", &res), CORE_OK);
    a.qualification.copay_percent = 0;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "", &res), CORE_OK);
}

static void header_fields_echo_only_when_they_passed(void **state)
{
    (void)state;
    struct eligibility_request_msg req;
    number_request(&req);
    struct eligibility_answer a;
    memset(&a, 0, sizeof a);
    a.result = ELIGIBILITY_NO_QUALIFICATION;
    struct eligibility_response_msg res;
    /* A half-read request: an institution code cut short, a file id filling its buffer unterminated, no
     * kind, UTF-8. */
    snprintf(req.institution, sizeof req.institution, "13123");
    memset(req.file_id, 'x', sizeof req.file_id);
    req.kind = (enum eligibility_request_kind)0;
    req.encoding = ELIGIBILITY_ENC_UTF8;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250602093000", &res), CORE_OK);
    assert_string_equal(res.institution, "");
    assert_string_equal(res.file_id, "");
    assert_int_equal(res.reference, 0);
    assert_int_equal(res.encoding, ELIGIBILITY_ENC_UTF8);
    assert_int_equal(res.date, D("2025-06-02"));
    req.kind = ELIGIBILITY_REQUEST_CARD;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250602093000", &res), CORE_OK);
    assert_int_equal(res.reference, 1);
}

static void refused_requests_get_their_code(void **state)
{
    (void)state;
    struct eligibility_request_msg req;
    number_request(&req);
    struct eligibility_response_msg res;
    struct eligibility_msg_error err;
    memset(&err, 0, sizeof err);
    err.code = ELIGIBILITY_MSG_CHECK_DIGIT;
    snprintf(err.element, sizeof err.element, "InsurerNumber");
    eligibility_response_for_error(&req, &err, "20250602093000", &res);
    assert_int_equal(res.segment, 9);
    assert_int_equal(res.status, 2);
    assert_string_equal(res.error_code, "MYNE3010");
    assert_string_equal(res.error_message, "message refused: InsurerNumber");
    assert_string_equal(res.file_id, "F-1");
    assert_int_equal(res.encoding, ELIGIBILITY_ENC_CP932);
    assert_string_equal(res.process_time, "20250602093000");
    /* The element name came from the input: only its letters and digits are echoed. */
    snprintf(err.element, sizeof err.element, "<Bad&Name \"x\">/\xe2\x97\x8f_9");
    eligibility_response_for_error(NULL, &err, NULL, &res);
    assert_string_equal(res.error_message, "message refused: BadNamex9");
    assert_int_equal(res.date, CORE_DAY_NONE);
    assert_string_equal(res.file_id, "");
    assert_string_equal(res.process_time, "");
    /* An element name of only symbols, a full-length one, none. */
    snprintf(err.element, sizeof err.element, "<>&;");
    eligibility_response_for_error(NULL, &err, "20250602093000", &res);
    assert_string_equal(res.error_message, "message refused");
    memset(err.element, 'E', sizeof err.element - 1);
    err.element[sizeof err.element - 1] = '\0';
    eligibility_response_for_error(NULL, &err, "20250602093000", &res);
    assert_int_equal(strlen(res.error_message), strlen("message refused: ") + sizeof err.element - 1);
    /* No error, or an error without a code: malformed. */
    eligibility_response_for_error(NULL, NULL, "20250602093000", &res);
    assert_string_equal(res.error_code, "MYNE3002");
    assert_string_equal(res.error_message, "message refused");
    memset(&err, 0, sizeof err);
    eligibility_response_for_error(NULL, &err, "20250602093000", &res);
    assert_string_equal(res.error_code, "MYNE3002");
    eligibility_response_for_error(NULL, &err, "20250602093000", NULL); /* nowhere to write: nothing */
    /* What the clinic reads from a message error: the check did not work. */
    struct eligibility_answer a;
    assert_int_equal(eligibility_response_to_answer(&res, &a), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_SERVICE_DOWN);
}

static void the_clinic_reads_odd_responses_as_service_down(void **state)
{
    (void)state;
    struct eligibility_request_msg req;
    number_request(&req);
    struct eligibility_answer a;
    ok_answer(&a);
    struct eligibility_response_msg good, res;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250602093000", &good), CORE_OK);
    struct eligibility_answer back;
    assert_int_equal(eligibility_response_to_answer(NULL, &back), CORE_EINVAL);
    assert_int_equal(eligibility_response_to_answer(&good, NULL), CORE_EINVAL);

    static const int bad_validity[] = {-1, 0, 6, 99};
    for (size_t i = 0; i < sizeof bad_validity / sizeof bad_validity[0]; i++) {
        res = good;
        res.validity = bad_validity[i];
        assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
        assert_int_equal(back.result, ELIGIBILITY_SERVICE_DOWN);
        assert_false(back.has_qualification);
    }
    res = good;
    res.segment = 2; /* in progress */
    assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
    assert_int_equal(back.result, ELIGIBILITY_SERVICE_DOWN);
    res = good;
    res.status = 2; /* a normal end with an error status */
    assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
    assert_int_equal(back.result, ELIGIBILITY_SERVICE_DOWN);
    res = good;
    res.has_qualification = false; /* valid, but no qualification shown */
    assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
    assert_int_equal(back.result, ELIGIBILITY_SERVICE_DOWN);
    res = good;
    res.segment = 9;
    snprintf(res.error_code, sizeof res.error_code, "MYNE4242"); /* not in the table */
    assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
    assert_int_equal(back.result, ELIGIBILITY_SERVICE_DOWN);
    res = good;
    res.validity = 3; /* invalid, a newer qualification exists: the old record, nothing the desk may use */
    assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
    assert_int_equal(back.result, ELIGIBILITY_NO_QUALIFICATION);
    assert_false(back.has_qualification);
    assert_true(back.lost_record);
    assert_true(back.newer_known);
    res.has_qualification = false;
    assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
    assert_int_equal(back.result, ELIGIBILITY_NO_QUALIFICATION);
    assert_false(back.has_qualification);
    assert_false(back.lost_record);
    res = good;
    res.validity = 5; /* several match: none the desk can use */
    assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
    assert_int_equal(back.result, ELIGIBILITY_NO_QUALIFICATION);
    assert_false(back.has_qualification);
    res = good;
    snprintf(res.result_code, sizeof res.result_code, "MYNW9999"); /* unknown warnings are ignored */
    assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
    assert_int_equal(back.result, ELIGIBILITY_OK);
    assert_int_equal(back.warnings, 0u);

    /* Every flag of the two ranges reads as its bracket; no flag reads as general. */
    static const struct {
        const char *flag;
        enum eligibility_limit limit;
    } flags[] = {
        {"A01", ELIGIBILITY_LIMIT_HIGH},
        {"A02", ELIGIBILITY_LIMIT_HIGH},
        {"A03", ELIGIBILITY_LIMIT_GENERAL},
        {"A06", ELIGIBILITY_LIMIT_GENERAL},
        {"B01", ELIGIBILITY_LIMIT_ELDERLY_HIGH},
        {"B02", ELIGIBILITY_LIMIT_ELDERLY_HIGH},
        {"B03", ELIGIBILITY_LIMIT_ELDERLY_HIGH},
        {"B04", ELIGIBILITY_LIMIT_ELDERLY_GENERAL},
        {"B10", ELIGIBILITY_LIMIT_ELDERLY_GENERAL},
        {"", ELIGIBILITY_LIMIT_GENERAL},
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        res = good;
        snprintf(res.qualification.limit_flag, sizeof res.qualification.limit_flag, "%s", flags[i].flag);
        assert_int_equal(eligibility_response_to_answer(&res, &back), CORE_OK);
        assert_int_equal(back.qualification.limit, flags[i].limit);
    }
}

static void the_number_request_a_message_asks(void **state)
{
    (void)state;
    struct eligibility_request_msg req;
    number_request(&req);
    struct eligibility_number_request nr;
    assert_int_equal(eligibility_request_to_number_request(NULL, &nr), CORE_EINVAL);
    assert_int_equal(eligibility_request_to_number_request(&req, NULL), CORE_EINVAL);
    req.kind = ELIGIBILITY_REQUEST_CARD;
    assert_int_equal(eligibility_request_to_number_request(&req, &nr), CORE_EINVAL);
    req.kind = ELIGIBILITY_REQUEST_NUMBERS;
    memset(&nr, 0xA5, sizeof nr);
    assert_int_equal(eligibility_request_to_number_request(&req, &nr), CORE_OK);
    assert_int_equal(nr.on, D("2025-06-02"));
    assert_int_equal(nr.born, D("1980-04-01"));
    assert_false(nr.reader_down);
    assert_false(nr.service_down);
    assert_string_equal(nr.numbers.insurer_number, "112334");
    assert_string_equal(nr.numbers.symbol, "12");
    assert_string_equal(nr.numbers.number, "34");
    assert_string_equal(nr.numbers.branch, "01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_result_travels_and_reads_back),
        cmocka_unit_test(a_qualification_travels_and_reads_back),
        cmocka_unit_test(names_are_shown_in_jis_x_0208_and_kana_in_half_width),
        cmocka_unit_test(generated_persons_depend_on_the_seed_alone),
        cmocka_unit_test(the_registry_fills_the_answers_person),
        cmocka_unit_test(inconsistent_answers_are_refused),
        cmocka_unit_test(header_fields_echo_only_when_they_passed),
        cmocka_unit_test(refused_requests_get_their_code),
        cmocka_unit_test(the_clinic_reads_odd_responses_as_service_down),
        cmocka_unit_test(the_number_request_a_message_asks),
        cmocka_unit_test(face_files_are_named_and_encoded_as_terminals_write_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
