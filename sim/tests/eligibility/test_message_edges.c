/* Edge cases of sim/eligibility/message.c not in test_message.c: the character sets of identifiers and base64,
 * canonical padding, control characters, the response's time stamp, limit flags and card classes at their
 * bounds, byte order marks, whitespace between elements, prefixes, missing arguments, and the encoder's
 * refusals (output buffer, a CP932 text grown past its length by black circles). Each document starts from
 * the encoder's own output with one value changed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "eligibility/eligibility.h"
#include "eligibility_test.h"

static void numbers_request(struct eligibility_request_msg *m)
{
    request_header(m, ELIGIBILITY_REQUEST_NUMBERS, "2025-01-15", "req-0001");
    m->limit_consent = 1;
    snprintf(m->numbers.insurer_number, sizeof m->numbers.insurer_number, "06130215");
    snprintf(m->numbers.symbol, sizeof m->numbers.symbol, "12");
    snprintf(m->numbers.number, sizeof m->numbers.number, "345");
    m->born = D("1980-04-02");
}

static void card_request(struct eligibility_request_msg *m)
{
    request_header(m, ELIGIBILITY_REQUEST_CARD, "2025-01-15", "card-0001");
    m->limit_consent = 1;
    m->born = CORE_DAY_NONE;
    m->card.auth_class = ELIGIBILITY_MSG_AUTH_PIN;
    memset(m->card.certificate, 0x42, 100);
    m->card.certificate_len = 100;
    memset(m->card.nonce, 0x17, 32);
    m->card.nonce_len = 32;
    memset(m->card.signature, 0xA5, 256);
    m->card.signature_len = 256;
    snprintf(m->card.reader_id, sizeof m->card.reader_id, "reader-17");
}

static void ok_response(struct eligibility_response_msg *res)
{
    struct eligibility_request_msg req;
    numbers_request(&req);
    struct eligibility_answer a;
    memset(&a, 0, sizeof a);
    a.result = ELIGIBILITY_OK;
    a.has_qualification = true;
    snprintf(a.qualification.numbers.insurer_number, sizeof a.qualification.numbers.insurer_number, "112334");
    snprintf(a.qualification.numbers.number, sizeof a.qualification.numbers.number, "778");
    a.qualification.born = D("1950-05-05");
    a.qualification.start = D("2019-05-05");
    a.qualification.end = CORE_DAY_NONE;
    a.qualification.copay_percent = 20;
    a.qualification.limit = ELIGIBILITY_LIMIT_ELDERLY_GENERAL;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115093000", res), CORE_OK);
}

/* A request (`req`) or a response (`res`, when `req` is NULL) encoded in UTF-8: a new NUL-terminated string. */
static char *encode(const struct eligibility_request_msg *req, const struct eligibility_response_msg *res)
{
    char *buf = malloc(ELIGIBILITY_MSG_MAX_BYTES + 1);
    assert_non_null(buf);
    if (buf == NULL)
        return NULL;
    size_t len = 0;
    struct eligibility_msg_error err;
    int rc = req != NULL ? eligibility_request_encode(req, ELIGIBILITY_ENC_UTF8, buf,
                                                      ELIGIBILITY_MSG_MAX_BYTES, &len, &err)
                         : eligibility_response_encode(res, ELIGIBILITY_ENC_UTF8, buf,
                                                       ELIGIBILITY_MSG_MAX_BYTES, &len, &err);
    if (rc != CORE_OK)
        fail_msg("encode: %s %s", eligibility_msg_code_string(err.code), err.message);
    buf[len] = '\0';
    return buf;
}

static char *encode_request(const struct eligibility_request_msg *m)
{
    return encode(m, NULL);
}

static char *encode_response(const struct eligibility_response_msg *m)
{
    return encode(NULL, m);
}

/* `doc` with the text of the first <element> replaced by `value` (a new string). */
static char *with(const char *doc, const char *element, const char *value)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", element);
    snprintf(close, sizeof close, "</%s>", element);
    const char *a = strstr(doc, open);
    assert_non_null(a);
    if (a == NULL)
        return NULL;
    a += strlen(open);
    const char *b = strstr(a, close);
    assert_non_null(b);
    if (b == NULL)
        return NULL;
    size_t n = (size_t)(a - doc), vlen = strlen(value), rest = strlen(b);
    char *out = malloc(n + vlen + rest + 1);
    assert_non_null(out);
    if (out == NULL)
        return NULL;
    memcpy(out, doc, n);
    memcpy(out + n, value, vlen);
    memcpy(out + n + vlen, b, rest + 1);
    return out;
}

static CORE_MUST_USE int parse_request_text(const char *text, struct eligibility_msg_error *err)
{
    static struct eligibility_request_msg m;
    return eligibility_request_parse(text, strlen(text), &m, err);
}

static CORE_MUST_USE int parse_response_text(const char *text, struct eligibility_msg_error *err)
{
    static struct eligibility_response_msg m;
    return eligibility_response_parse(text, strlen(text), &m, err);
}

/* The document `doc` (read by `parse`) with `element` set to each of `values`: refused with `code` (0:
 * accepted). */
static void expect_values(int (*parse)(const char *, struct eligibility_msg_error *), const char *doc,
                          const char *element, const char *const *values, size_t n, int code)
{
    for (size_t i = 0; i < n; i++) {
        char *text = with(doc, element, values[i]);
        struct eligibility_msg_error err;
        memset(&err, 0, sizeof err);
        int rc = parse(text, &err);
        if (code == 0 ? rc != CORE_OK : (rc != CORE_EINVAL || err.code != code))
            fail_msg("%s = \"%s\": rc %d code %d (%s), want code %d", element, values[i], rc, err.code,
                     err.message, code);
        free(text);
    }
}

#define expect_request_values(...) expect_values(parse_request_text, __VA_ARGS__)
#define expect_response_values(...) expect_values(parse_response_text, __VA_ARGS__)

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- tests -------------------------------------------------------------------------------------------- */

static void identifiers_take_their_characters_only(void **state)
{
    (void)state;
    struct eligibility_request_msg m;
    numbers_request(&m);
    char *doc = encode_request(&m);
    /* What real clients send: base64-like, '=' included, and long (docs/MESSAGES.md): printable ASCII but
     * space, 1 to ELIGIBILITY_MSG_FILE_ID_MAX characters. */
    /* ELIGIBILITY_MSG_FILE_ID_MAX characters, and one more (named: Clang takes two literals in a row inside a
     * list of strings for a missing comma). */
    static const char longest[] =
        "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
        "0123456789012345678901234567";
    static const char too_long[] =
        "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
        "01234567890123456789012345678";
    static const char *const good[] = {
        "a",        "Z9_.-", "0123456789abcdefABCDEF_.-xyzXYZ_", "AZaz09", "ArnHCeDfNjMCFzg=", "a/b+c==",
        "a:b@c~{}", longest};
    static const char *const bad[] = {"a b", "\xC3\xA9", "a\tb", too_long};
    expect_request_values(doc, "ArbitraryFileIdentifier", good, N(good), 0);
    expect_request_values(doc, "ArbitraryFileIdentifier", bad, N(bad), ELIGIBILITY_MSG_BAD_VALUE);
    free(doc);
}

static void text_refuses_control_characters(void **state)
{
    (void)state;
    struct eligibility_request_msg m;
    numbers_request(&m);
    char *doc = encode_request(&m);
    static const char *const good[] = {" 12", "~", "\xE8\xA8\x98\xE5\x8F\xB7"};
    static const char *const bad[] = {"1\x7f", "\x7f", "&#x7f;", "1&#9;2", "1\t2", "1\r\n2"};
    static const char *const not_xml[] = {"1&#x1;2", "1\x01"
                                                     "2"};
    expect_request_values(doc, "InsuredCardSymbol", good, N(good), 0);
    expect_request_values(doc, "InsuredCardSymbol", bad, N(bad), ELIGIBILITY_MSG_BAD_VALUE);
    /* Characters XML itself does not allow are not well-formed. */
    expect_request_values(doc, "InsuredCardSymbol", not_xml, N(not_xml), ELIGIBILITY_MSG_MALFORMED);
    free(doc);
}

static void base64_is_strict_and_canonical(void **state)
{
    (void)state;
    struct eligibility_request_msg m;
    card_request(&m);
    char *doc = encode_request(&m);
    /* Sixteen zero bytes; eighteen bytes of every high character; seventeen bytes, padded by one. */
    static const char *const good[] = {"AAAAAAAAAAAAAAAAAAAAAA==", "/+/+/+/+/+/+/+/+/+/+/+/+",
                                       "zZzZ09azAZ+/zZzZ09azAA==", "AAAAAAAAAAAAAAAAAAAAAAA="};
    static const char *const bad[] = {
        "AAAAAAAAAAAAAAAAAAAAAB==", /* the bits the padding drops are not zero */
        "AAAAAAAAAAAAAAAAAAAAAAB=", /* likewise, padded by one */
        "AAAAAAAAAAAAAAAAAAAAA{==", /* a character above 'z' */
        "AAAAAAAAAAAAAAAAAAAAA~==",
        "AAAAAAAAAAAAAAAAAAAAA-==",
        "AAAAAAAAAAAAAAAAAAAAA_==",
        "AAAAAAAAAAAAAAAAAAAA=AAA", /* '=' in the middle */
        "AAAAAAAAAAAAAAAAAAAAA=A=",
        "AAAAAAAAAAAAAAAAAAAA====",
        "AAAAAAAAAAAAAAAAAAAAAA=",  /* not padded to four */
        "AAAAAAAAAAAAAAAAAAAAAA",   /* not padded at all */
        "AAAA AAAAAAAAAAAAAAAAAAA", /* whitespace */
        "AAAAAAAAAAA=",             /* 8 bytes: below the nonce's 16 */
        "",
    };
    expect_request_values(doc, "Nonce", good, N(good), 0);
    expect_request_values(doc, "Nonce", bad, N(bad), ELIGIBILITY_MSG_BAD_VALUE);
    /* 65 bytes: above the nonce's 64. */
    char big[89 + 1];
    memset(big, 'A', 88);
    big[87] = '='; /* 21 groups of three and one of two */
    big[88] = '\0';
    const char *const too_long[] = {big};
    expect_request_values(doc, "Nonce", too_long, 1, ELIGIBILITY_MSG_BAD_VALUE);
    big[86] = '='; /* 64 bytes: the most */
    expect_request_values(doc, "Nonce", too_long, 1, 0);
    free(doc);
}

static void the_response_time_stamp_is_checked(void **state)
{
    (void)state;
    struct eligibility_response_msg res;
    ok_response(&res);
    char *doc = encode_response(&res);
    static const char *const good[] = {"20250115000000", "20250115235959", "20240229120000"};
    static const char *const bad[] = {
        "20250115240000", "20250115236000",  "20250115235960", "20250230120000", "2025011512000a",
        "2025011512000",  "202501151200000", "20250115 12000", "18991231120000", ""};
    expect_response_values(doc, "ProcessExecutionTime", good, N(good), 0);
    expect_response_values(doc, "ProcessExecutionTime", bad, N(bad), ELIGIBILITY_MSG_BAD_VALUE);
    free(doc);
}

static void limit_flags_and_card_classes_at_their_bounds(void **state)
{
    (void)state;
    struct eligibility_response_msg res;
    ok_response(&res);
    char *doc = encode_response(&res);
    static const char *const good_flags[] = {"A01", "A06", "B01", "B10"};
    static const char *const bad_flags[] = {"A00", "A07", "B00", "B11",  "C01",
                                            "a01", "A1x", "A0",  "A010", ""};
    expect_response_values(doc, "LimitApplicationCertificateClassificationFlag", good_flags, N(good_flags),
                           0);
    expect_response_values(doc, "LimitApplicationCertificateClassificationFlag", bad_flags, N(bad_flags),
                           ELIGIBILITY_MSG_BAD_VALUE);
    static const char *const good_classes[] = {"01", "07"};
    static const char *const bad_classes[] = {"00", "08", "1", "001", "0a", ""};
    expect_response_values(doc, "InsuredCardClassification", good_classes, N(good_classes), 0);
    expect_response_values(doc, "InsuredCardClassification", bad_classes, N(bad_classes),
                           ELIGIBILITY_MSG_BAD_VALUE);
    free(doc);
}

static void byte_order_marks_whitespace_and_prefixes(void **state)
{
    (void)state;
    struct eligibility_request_msg m;
    numbers_request(&m);
    char *doc = encode_request(&m);
    const char *xml = strstr(doc, "<XmlMsg>");
    assert_non_null(xml);
    if (xml == NULL)
        return;
    struct eligibility_msg_error err;
    size_t n = strlen(xml);
    char *buf = malloc(n + 64);
    assert_non_null(buf);
    if (buf == NULL)
        return;
    /* A UTF-8 byte order mark is skipped; part of one is not XML. */
    static const struct {
        const char *mark;
        int rc, code;
    } marks[] = {
        {"\xEF\xBB\xBF", CORE_OK, ELIGIBILITY_MSG_OK},
        {"\xEF\xBB", CORE_EINVAL, ELIGIBILITY_MSG_ENCODING},
        {"\xEF", CORE_EINVAL, ELIGIBILITY_MSG_ENCODING},
    };
    for (size_t i = 0; i < N(marks); i++) {
        size_t k = strlen(marks[i].mark);
        memcpy(buf, marks[i].mark, k);
        memcpy(buf + k, xml, n + 1);
        assert_int_equal(parse_request_text(buf, &err), marks[i].rc);
        if (marks[i].rc != CORE_OK)
            assert_int_equal(err.code, marks[i].code);
    }
    memcpy(buf, "\xEF\xBB\xBF", 4); /* a mark and nothing else */
    assert_int_equal(parse_request_text(buf, &err), CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_MALFORMED);
    free(buf);
    /* Whitespace of every kind between elements is ignored; other text is not. */
    char *spaced = with(doc, "MessageHeader",
                        "\t\r\n <QualificationConfirmationDate>20250115"
                        "</QualificationConfirmationDate>\r\n\t<MedicalInstitutionCode>"
                        "1312345678</MedicalInstitutionCode> <ArbitraryFileIdentifier>"
                        "req-0001</ArbitraryFileIdentifier>\t");
    assert_int_equal(parse_request_text(spaced, &err), CORE_OK);
    free(spaced);
    spaced = with(doc, "MessageHeader",
                  "\t.<QualificationConfirmationDate>20250115"
                  "</QualificationConfirmationDate><MedicalInstitutionCode>"
                  "1312345678</MedicalInstitutionCode><ArbitraryFileIdentifier>"
                  "req-0001</ArbitraryFileIdentifier>");
    assert_int_equal(parse_request_text(spaced, &err), CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_BAD_VALUE);
    free(spaced);
    /* A prefix, declared or not, and a default namespace: forbidden (XInclude lives in one). */
    static const char *const prefixed[] = {
        "<x:XmlMsg xmlns:x=\"urn:x\"/>",
        "<XmlMsg xmlns=\"urn:x\"/>",
        "<XmlMsg><x:MessageHeader xmlns:x=\"urn:x\"/></XmlMsg>",
        "<x:XmlMsg/>",
    };
    for (size_t i = 0; i < N(prefixed); i++) {
        assert_int_equal(parse_request_text(prefixed[i], &err), CORE_EINVAL);
        assert_int_equal(err.code, ELIGIBILITY_MSG_FORBIDDEN);
        assert_string_equal(err.message, "namespace refused");
    }
    free(doc);
}

static void missing_arguments(void **state)
{
    (void)state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    struct eligibility_msg_error err;
    assert_int_equal(eligibility_request_parse(NULL, 5, &m, &err), CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_MALFORMED);
    assert_int_equal(eligibility_request_parse(NULL, 0, &m, &err), CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_MALFORMED);
    assert_int_equal(eligibility_request_parse("<XmlMsg/>", 9, NULL, &err), CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_MALFORMED);
    assert_int_equal(eligibility_response_parse("<XmlMsg/>", 9, NULL, &err), CORE_EINVAL);
    /* Without an error to fill, the answer is the same. */
    assert_int_equal(eligibility_request_parse("garbage", 7, &m, NULL), CORE_EINVAL);
    assert_int_equal(eligibility_request_parse("<XmlMsg a='1'/>", 15, &m, NULL), CORE_EINVAL);
    assert_int_equal(eligibility_response_parse("<Other/>", 8, &res, NULL), CORE_EINVAL);

    numbers_request(&m);
    char buf[4096];
    size_t len = 0;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, NULL, sizeof buf, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, NULL, &err),
                     CORE_EINVAL);
    assert_int_equal(
        eligibility_request_encode(&m, (enum eligibility_encoding)7, buf, sizeof buf, &len, &err),
        CORE_EINVAL);
    assert_int_equal(eligibility_request_encode(NULL, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    ok_response(&res);
    assert_int_equal(
        eligibility_response_encode(&res, (enum eligibility_encoding) - 1, buf, sizeof buf, &len, &err),
        CORE_EINVAL);
    assert_int_equal(eligibility_response_encode(NULL, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, NULL),
                     CORE_OK);

    /* Codes outside the table read as malformed; OK as nothing. */
    assert_string_equal(eligibility_msg_code_string(3014), "MYNE3002");
    assert_string_equal(eligibility_msg_code_string(9999), "MYNE3002");
    assert_string_equal(eligibility_msg_code_string(-1), "MYNE3002");
    assert_string_equal(eligibility_msg_code_string(3000), "MYNE3002");
    assert_string_equal(eligibility_msg_code_string(ELIGIBILITY_MSG_ORDER), "MYNE3013");
    assert_string_equal(eligibility_msg_code_string(ELIGIBILITY_MSG_OK), "");
}

static void the_encoder_refuses_what_does_not_fit(void **state)
{
    (void)state;
    struct eligibility_request_msg m;
    numbers_request(&m);
    struct eligibility_msg_error err;
    static char buf[ELIGIBILITY_MSG_MAX_BYTES];
    size_t len = 0;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_OK);
    size_t need = len;
    /* One byte short of the document: too large for the buffer. */
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, need - 1, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_TOO_LARGE);
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, need, &len, &err), CORE_OK);
    assert_int_equal(len, need);
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, 10, &len, &err), CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_TOO_LARGE);

    /* An insurer name of 40 'é' (80 bytes) is 40 black circles (120 bytes) in CP932: it fits. One more does
     * not (123 bytes past the 120 allowed). */
    struct eligibility_response_msg res;
    ok_response(&res);
    char name[ELIGIBILITY_MSG_TEXT_MAX];
    for (int i = 0; i < 40; i++)
        memcpy(name + 2 * i, "\xC3\xA9", 2);
    name[80] = '\0';
    snprintf(res.qualification.insurer_name, sizeof res.qualification.insurer_name, "%s", name);
    assert_int_equal(eligibility_response_encode(&res, ELIGIBILITY_ENC_CP932, buf, sizeof buf, &len, &err),
                     CORE_OK);
    struct eligibility_response_msg back;
    assert_int_equal(eligibility_response_parse(buf, len, &back, &err), CORE_OK);
    assert_int_equal(strlen(back.qualification.insurer_name), 120);
    assert_memory_equal(back.qualification.insurer_name, "\xE2\x97\x8F", 3);
    memcpy(name + 80, "\xC3\xA9", 3);
    snprintf(res.qualification.insurer_name, sizeof res.qualification.insurer_name, "%s", name);
    assert_int_equal(eligibility_response_encode(&res, ELIGIBILITY_ENC_CP932, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_BAD_VALUE);
    assert_string_equal(err.element, "InsurerName");
    /* In UTF-8 the same 82 bytes are fine. */
    assert_int_equal(eligibility_response_encode(&res, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identifiers_take_their_characters_only),
        cmocka_unit_test(text_refuses_control_characters),
        cmocka_unit_test(base64_is_strict_and_canonical),
        cmocka_unit_test(the_response_time_stamp_is_checked),
        cmocka_unit_test(limit_flags_and_card_classes_at_their_bounds),
        cmocka_unit_test(byte_order_marks_whitespace_and_prefixes),
        cmocka_unit_test(missing_arguments),
        cmocka_unit_test(the_encoder_refuses_what_does_not_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
