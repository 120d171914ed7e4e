/* Tests of sim/eligibility's message codec (message.c, message_cp932.c, message_answer.c): both request kinds
 * and the response in UTF-8 and CP932, the hardened parser against hostile documents, every field check, the
 * mapping of the check's answers, and the shipped schemas and sample files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "eligibility/eligibility.h"
#include "eligibility_test.h"

#define BUFSZ ELIGIBILITY_MSG_MAX_BYTES

static void numbers_request(struct eligibility_request_msg *m)
{
    memset(m, 0, sizeof *m);
    m->kind = ELIGIBILITY_REQUEST_NUMBERS;
    m->date = D("2025-01-15");
    memcpy(m->institution, "1312345678", 11);
    memcpy(m->file_id, "req-0001", 9);
    m->limit_consent = 1;
    memcpy(m->numbers.insurer_number, "06130215", 9);
    memcpy(m->numbers.symbol, "記号12", sizeof "記号12");
    memcpy(m->numbers.number, "345", 4);
    memcpy(m->numbers.branch, "01", 3);
    m->born = D("1980-04-02");
    m->card.auth_class = -1;
    m->card.pin_blocked = -1;
}

static void card_request(struct eligibility_request_msg *m, int auth)
{
    memset(m, 0, sizeof *m);
    m->kind = ELIGIBILITY_REQUEST_CARD;
    m->date = D("2025-01-15");
    memcpy(m->institution, "1312345678", 11);
    memcpy(m->file_id, "card-0001", 10);
    m->limit_consent = 1;
    m->born = CORE_DAY_NONE;
    m->card.auth_class = auth;
    for (size_t i = 0; i < 900; i++)
        m->card.certificate[i] = (uint8_t)(i * 7);
    m->card.certificate_len = 900;
    for (size_t i = 0; i < 32; i++)
        m->card.nonce[i] = (uint8_t)(255 - i);
    m->card.nonce_len = 32;
    m->card.pin_blocked = 0;
    memcpy(m->card.reader_id, "reader-17", 10);
    if (auth == ELIGIBILITY_MSG_AUTH_PIN) {
        memset(m->card.signature, 0xA5, 256);
        m->card.signature_len = 256;
    } else {
        m->card.face_match = 1;
        memset(m->card.reader_signature, 0x30, 71);
        m->card.reader_signature_len = 71;
    }
}

static struct eligibility_answer ok_answer(void)
{
    struct eligibility_answer a;
    memset(&a, 0, sizeof a);
    a.result = ELIGIBILITY_OK;
    a.has_qualification = true;
    memcpy(a.qualification.numbers.insurer_number, "112334", 7);
    memcpy(a.qualification.numbers.symbol, "北本", sizeof "北本");
    memcpy(a.qualification.numbers.number, "778", 4);
    memcpy(a.qualification.numbers.branch, "00", 3);
    a.qualification.role = ELIGIBILITY_DEPENDENT;
    a.qualification.born = D("2019-05-05");
    a.qualification.start = D("2019-05-05");
    a.qualification.end = D("2025-03-31");
    a.qualification.copay_percent = 20;
    a.qualification.band = ELIGIBILITY_BAND_PRESCHOOL; /* born 2019: the desk derives the rate */
    a.qualification.limit = ELIGIBILITY_LIMIT_HIGH;
    a.qualification.tax_arrears = true;
    return a;
}

static const void *find_bytes(const void *hay, size_t n, const void *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp((const char *)hay + i, needle, m) == 0)
            return (const char *)hay + i;
    return NULL;
}

static CORE_MUST_USE int parse_req(const char *text, struct eligibility_request_msg *m,
                                   struct eligibility_msg_error *err)
{
    return eligibility_request_parse(text, strlen(text), m, err);
}

/* ---- requests ----------------------------------------------------------------------------------------- */

static void numbers_request_round_trips_in_utf8(void **state)
{
    (void)state;
    struct eligibility_request_msg m, back;
    struct eligibility_msg_error err;
    numbers_request(&m);
    static char buf[BUFSZ];
    size_t len;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_OK);
    assert_non_null(strstr(buf, "<InsurerNumber>06130215</InsurerNumber>"));
    assert_non_null(strstr(buf, "<QualificationConfirmationDate>20250115</QualificationConfirmationDate>"));
    assert_int_equal(eligibility_request_parse(buf, len, &back, &err), CORE_OK);
    assert_int_equal(back.kind, ELIGIBILITY_REQUEST_NUMBERS);
    assert_int_equal(back.encoding, ELIGIBILITY_ENC_UTF8);
    assert_int_equal(back.date, m.date);
    assert_int_equal(back.born, m.born);
    assert_string_equal(back.numbers.symbol, "記号12");
    assert_string_equal(back.numbers.branch, "01");
    assert_int_equal(back.limit_consent, 1);
    assert_memory_equal(&back.numbers, &m.numbers, sizeof m.numbers);

    struct eligibility_number_request nr;
    assert_int_equal(eligibility_request_to_number_request(&back, &nr), CORE_OK);
    assert_int_equal(nr.on, m.date);
    assert_string_equal(nr.numbers.insurer_number, "06130215");
    assert_int_equal(eligibility_request_to_number_request(NULL, &nr), CORE_EINVAL);
}

static void card_requests_round_trip_for_every_route(void **state)
{
    (void)state;
    static char buf[BUFSZ];
    for (int auth = 1; auth <= 3; auth++) {
        struct eligibility_request_msg m, back;
        struct eligibility_msg_error err;
        card_request(&m, auth);
        size_t len;
        assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                         CORE_OK);
        assert_int_equal(eligibility_request_parse(buf, len, &back, &err), CORE_OK);
        assert_int_equal(back.kind, ELIGIBILITY_REQUEST_CARD);
        assert_int_equal(back.card.auth_class, auth);
        assert_int_equal(back.card.certificate_len, 900);
        assert_memory_equal(back.card.certificate, m.card.certificate, 900);
        assert_memory_equal(back.card.nonce, m.card.nonce, 32);
        assert_int_equal(back.card.signature_len, m.card.signature_len);
        assert_int_equal(back.card.reader_signature_len, m.card.reader_signature_len);
        assert_string_equal(back.card.reader_id, "reader-17");
        assert_int_equal(back.born, CORE_DAY_NONE);
    }
}

static void pin_route_with_blocked_pin_carries_no_signature(void **state)
{
    (void)state;
    static char buf[BUFSZ];
    struct eligibility_request_msg m, back;
    struct eligibility_msg_error err;
    size_t len;
    card_request(&m, ELIGIBILITY_MSG_AUTH_PIN);
    m.card.pin_blocked = 1;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_WRONG_KIND);
    m.card.signature_len = 0;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_OK);
    assert_int_equal(eligibility_request_parse(buf, len, &back, &err), CORE_OK);
    assert_int_equal(back.card.pin_blocked, 1);
}

static void encoder_refuses_what_the_parser_would_refuse(void **state)
{
    (void)state;
    static char buf[BUFSZ];
    struct eligibility_request_msg m;
    struct eligibility_msg_error err;
    size_t len;

    numbers_request(&m);
    m.numbers.insurer_number[7] = '9'; /* check digit */
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_CHECK_DIGIT);
    assert_string_equal(eligibility_msg_code_string(err.code), "MYNE3010");

    numbers_request(&m);
    memcpy(m.numbers.insurer_number, "1234567", 8);
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_BAD_VALUE);

    numbers_request(&m);
    memcpy(m.institution, "13123", 6);
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_BAD_VALUE);
    assert_string_equal(err.element, "MedicalInstitutionCode");

    numbers_request(&m);
    memset(m.file_id, 'x', sizeof m.file_id); /* not terminated */
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);

    numbers_request(&m);
    m.born = CORE_DAY_NONE;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_MISSING);

    numbers_request(&m);
    m.limit_consent = 2;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);

    numbers_request(&m);
    m.kind = (enum eligibility_request_kind)0;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_WRONG_KIND);

    numbers_request(&m);
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, 100, &len, &err), CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_TOO_LARGE);
    assert_int_equal(
        eligibility_request_encode(&m, (enum eligibility_encoding)7, buf, sizeof buf, &len, &err),
        CORE_EINVAL);
    assert_int_equal(eligibility_request_encode(NULL, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);

    card_request(&m, ELIGIBILITY_MSG_AUTH_FACE);
    m.card.certificate_len = ELIGIBILITY_MSG_CERT_MAX + 1;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_BAD_VALUE);

    card_request(&m, ELIGIBILITY_MSG_AUTH_FACE);
    m.card.nonce_len = 8;
    assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);

    static const struct {
        int auth, pin_blocked, face_match;
        size_t sig, reader_sig;
    } bad[] = {
        {4, 0, 1, 0, 71}, {0, 0, 1, 0, 71}, {1, 2, 1, 0, 71}, {1, 0, 3, 0, 71},
        {1, 0, 0, 0, 71}, {1, 0, 1, 0, 0},  {1, 0, 1, 9, 71}, {1, 1, 1, 0, 71},
        {2, 0, 1, 9, 0},  {2, 0, 0, 9, 71}, {2, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        card_request(&m, ELIGIBILITY_MSG_AUTH_FACE);
        m.card.auth_class = bad[i].auth;
        m.card.pin_blocked = bad[i].pin_blocked;
        m.card.face_match = bad[i].face_match;
        m.card.signature_len = bad[i].sig;
        m.card.reader_signature_len = bad[i].reader_sig;
        assert_int_equal(eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                         CORE_EINVAL);
    }
}

/* ---- hostile and broken documents --------------------------------------------------------------------- */

#define HEAD                                                                                                 \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader>"                                    \
    "<QualificationConfirmationDate>20250115</QualificationConfirmationDate>"                                \
    "<MedicalInstitutionCode>1312345678</MedicalInstitutionCode>"                                            \
    "<ArbitraryFileIdentifier>f1</ArbitraryFileIdentifier></MessageHeader><MessageBody>"
#define SEARCH_OPEN "<QualificationConfirmSearchInfo><InsurerNumber>06130215</InsurerNumber>"
#define SEARCH_REST                                                                                          \
    "<InsuredIdentificationNumber>345</InsuredIdentificationNumber><Birthdate>19800402</Birthdate>"          \
    "<LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>"               \
    "</QualificationConfirmSearchInfo>"
#define TAIL "</MessageBody></XmlMsg>\n"
#define GOOD HEAD SEARCH_OPEN SEARCH_REST TAIL

static void expect_refused(const char *text, int code)
{
    struct eligibility_request_msg m;
    struct eligibility_msg_error err;
    int rc = parse_req(text, &m, &err);
    if (rc != CORE_EINVAL || err.code != code)
        fail_msg("expected %d, got rc %d code %d (%s: %s) for\n%s", code, rc, err.code, err.element,
                 err.message, text);
}

static void minimal_numbers_request_parses_and_comments_are_ignored(void **state)
{
    (void)state;
    struct eligibility_request_msg m;
    struct eligibility_msg_error err;
    assert_int_equal(parse_req(GOOD, &m, &err), CORE_OK);
    assert_string_equal(m.numbers.symbol, "");
    assert_string_equal(m.numbers.branch, "");
    assert_int_equal(
        parse_req(HEAD "<!-- a comment -->" SEARCH_OPEN
                       "<InsuredIdentificationNumber>3<!-- x -->45</InsuredIdentificationNumber>"
                       "<Birthdate>19800402</Birthdate><LimitApplicationCertificateRelatedConsFlg>0"
                       "</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>" TAIL,
                  &m, &err),
        CORE_OK);
    assert_string_equal(m.numbers.number, "345");
    /* A UTF-8 byte order mark and no XML declaration are both fine. */
    const char *bom =
        "\xEF\xBB\xBF<XmlMsg><MessageHeader>"
        "<QualificationConfirmationDate>20250115</QualificationConfirmationDate>"
        "<MedicalInstitutionCode>1312345678</MedicalInstitutionCode>"
        "<ArbitraryFileIdentifier>f1</ArbitraryFileIdentifier></MessageHeader><MessageBody>" SEARCH_OPEN
            SEARCH_REST TAIL;
    assert_int_equal(parse_req(bom, &m, &err), CORE_OK);
    /* Predefined entities and character references are values, not entity expansion. */
    assert_int_equal(
        parse_req(HEAD SEARCH_OPEN
                  "<InsuredIdentificationNumber>A&amp;&#x42;</InsuredIdentificationNumber>"
                  "<Birthdate>19800402</Birthdate><LimitApplicationCertificateRelatedConsFlg>1"
                  "</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>" TAIL,
                  &m, &err),
        CORE_OK);
    assert_string_equal(m.numbers.number, "A&B");
}

static void billion_laughs_is_refused_at_the_doctype(void **state)
{
    (void)state;
    expect_refused("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
                   " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
                   " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
                   " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
                   "]>\n<XmlMsg>&lol3;</XmlMsg>\n",
                   ELIGIBILITY_MSG_FORBIDDEN);
}

static void quadratic_blowup_is_refused(void **state)
{
    (void)state;
    static char doc[40000];
    size_t n = (size_t)snprintf(doc, sizeof doc, "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"");
    for (int i = 0; i < 20000; i++)
        doc[n++] = 'a';
    n += (size_t)snprintf(doc + n, sizeof doc - n, "\">]><XmlMsg>");
    for (int i = 0; i < 1000 && n + 20 < sizeof doc; i++)
        n += (size_t)snprintf(doc + n, sizeof doc - n, "&a;");
    snprintf(doc + n, sizeof doc - n, "</XmlMsg>");
    expect_refused(doc, ELIGIBILITY_MSG_FORBIDDEN);
}

static void external_entities_and_doctypes_are_refused(void **state)
{
    (void)state;
    expect_refused("<?xml version=\"1.0\"?><!DOCTYPE XmlMsg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                   "<XmlMsg>&xxe;</XmlMsg>",
                   ELIGIBILITY_MSG_FORBIDDEN);
    expect_refused("<?xml version=\"1.0\"?><!DOCTYPE XmlMsg SYSTEM \"http://127.0.0.1:1/x.dtd\"><XmlMsg/>",
                   ELIGIBILITY_MSG_FORBIDDEN);
    expect_refused("<!DOCTYPE XmlMsg><XmlMsg/>", ELIGIBILITY_MSG_FORBIDDEN);
    /* An undeclared entity is a reference to something that does not exist. */
    struct eligibility_request_msg m;
    struct eligibility_msg_error err;
    assert_int_equal(parse_req("<XmlMsg>&undeclared;</XmlMsg>", &m, &err), CORE_EINVAL);
    assert_true(err.code == ELIGIBILITY_MSG_FORBIDDEN || err.code == ELIGIBILITY_MSG_MALFORMED);
}

static void xinclude_and_namespaces_are_refused(void **state)
{
    (void)state;
    expect_refused(
        "<XmlMsg xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"/etc/passwd\"/></XmlMsg>",
        ELIGIBILITY_MSG_FORBIDDEN);
    expect_refused("<XmlMsg><MessageHeader xmlns=\"urn:x\"/></XmlMsg>", ELIGIBILITY_MSG_FORBIDDEN);
}

static void deep_nesting_is_refused(void **state)
{
    (void)state;
    static char doc[20000];
    size_t n = 0;
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(doc + n, sizeof doc - n, "<a>");
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(doc + n, sizeof doc - n, "</a>");
    expect_refused(doc, ELIGIBILITY_MSG_TOO_DEEP);
}

static void attributes_pis_and_cdata_are_refused(void **state)
{
    (void)state;
    expect_refused("<XmlMsg version=\"1\"/>", ELIGIBILITY_MSG_ATTRIBUTE);
    expect_refused("<XmlMsg><?evil data?></XmlMsg>", ELIGIBILITY_MSG_FORBIDDEN);
    expect_refused("<XmlMsg><![CDATA[x]]></XmlMsg>", ELIGIBILITY_MSG_FORBIDDEN);
}

static void size_and_encoding_limits_hold(void **state)
{
    (void)state;
    struct eligibility_request_msg m;
    struct eligibility_msg_error err;
    static char big[ELIGIBILITY_MSG_MAX_BYTES + 2];
    memset(big, ' ', sizeof big);
    big[0] = '<';
    assert_int_equal(eligibility_request_parse(big, sizeof big, &m, &err), CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_TOO_LARGE);
    static const char utf16[] = "\xFF\xFE<\0X\0/\0>\0";
    assert_int_equal(eligibility_request_parse(utf16, sizeof utf16 - 1, &m, &err), CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_ENCODING);
    static const char utf16nobom[] = "<\0X\0/\0>\0";
    assert_int_equal(eligibility_request_parse(utf16nobom, sizeof utf16nobom - 1, &m, &err), CORE_EINVAL);
    assert_int_equal(eligibility_request_parse("", 0, &m, &err), CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_MALFORMED);
    assert_int_equal(eligibility_request_parse(NULL, 5, &m, &err), CORE_EINVAL);
    assert_int_equal(eligibility_request_parse(GOOD, strlen(GOOD), NULL, &err), CORE_EINVAL);
    expect_refused("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><XmlMsg/>", ELIGIBILITY_MSG_ENCODING);
    expect_refused("<XmlMsg><unclosed></XmlMsg>", ELIGIBILITY_MSG_MALFORMED);
    expect_refused("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><XmlMsg>\x81</XmlMsg>",
                   ELIGIBILITY_MSG_MALFORMED);
}

static void structure_faults_get_their_codes(void **state)
{
    (void)state;
    expect_refused("<Other/>", ELIGIBILITY_MSG_UNKNOWN_ELEMENT);
    expect_refused(HEAD SEARCH_OPEN "<Extra>1</Extra>" SEARCH_REST TAIL, ELIGIBILITY_MSG_UNKNOWN_ELEMENT);
    expect_refused(HEAD SEARCH_OPEN "<InsurerNumber>06130215</InsurerNumber>" SEARCH_REST TAIL,
                   ELIGIBILITY_MSG_DUPLICATE);
    /* Any order inside a parent: real messages keep none (docs/MESSAGES.md). */
    struct eligibility_request_msg any;
    struct eligibility_msg_error aerr;
    assert_int_equal(
        parse_req(HEAD "<QualificationConfirmSearchInfo><InsuredIdentificationNumber>345"
                       "</InsuredIdentificationNumber><InsurerNumber>06130215</InsurerNumber>"
                       "<Birthdate>19800402</Birthdate><LimitApplicationCertificateRelatedConsFlg>1"
                       "</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>" TAIL,
                  &any, &aerr),
        CORE_OK);
    assert_string_equal(any.numbers.insurer_number, "06130215");
    assert_string_equal(any.numbers.number, "345");
    expect_refused(HEAD "<QualificationConfirmSearchInfo><InsurerNumber>06130215</InsurerNumber>"
                        "<Birthdate>19800402</Birthdate><LimitApplicationCertificateRelatedConsFlg>1"
                        "</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>" TAIL,
                   ELIGIBILITY_MSG_MISSING);
    expect_refused(HEAD TAIL, ELIGIBILITY_MSG_WRONG_KIND);
    expect_refused(HEAD "stray text" SEARCH_OPEN SEARCH_REST TAIL, ELIGIBILITY_MSG_BAD_VALUE);
    expect_refused(HEAD SEARCH_OPEN "<InsuredIdentificationNumber><b/></InsuredIdentificationNumber>"
                                    "<Birthdate>19800402</Birthdate></QualificationConfirmSearchInfo>" TAIL,
                   ELIGIBILITY_MSG_UNKNOWN_ELEMENT);
    /* Both bodies at once. */
    expect_refused(HEAD SEARCH_OPEN SEARCH_REST
                   "<CardAuthenticationInfo><AuthenticationClassification>2</AuthenticationClassification>"
                   "<UserAuthenticationCertificate>AAAA</UserAuthenticationCertificate>"
                   "<Nonce>AAAAAAAAAAAAAAAAAAAAAA==</Nonce><CardSignature>AAAA</CardSignature>"
                   "<PinBlockedFlg>0</PinBlockedFlg><ReaderIdentifier>r</ReaderIdentifier>"
                   "<LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>"
                   "</CardAuthenticationInfo>" TAIL,
                   ELIGIBILITY_MSG_WRONG_KIND);
}

static void every_value_is_checked(void **state)
{
    (void)state;
    static const char *const bad_birthdates[] = {"20250230", "2025011",  "202501155", "2025-1-1",
                                                 "18991231", "20251301", "20250100",  ""};
    static char doc[4096];
    for (size_t i = 0; i < sizeof bad_birthdates / sizeof bad_birthdates[0]; i++) {
        snprintf(doc, sizeof doc,
                 HEAD SEARCH_OPEN
                 "<InsuredIdentificationNumber>345</InsuredIdentificationNumber><Birthdate>%s"
                 "</Birthdate><LimitApplicationCertificateRelatedConsFlg>1"
                 "</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>" TAIL,
                 bad_birthdates[i]);
        expect_refused(doc, ELIGIBILITY_MSG_BAD_VALUE);
    }
    static const char *const bad_insurers[] = {"0613021", "06130215X", "0613a215", "061302150"};
    for (size_t i = 0; i < sizeof bad_insurers / sizeof bad_insurers[0]; i++) {
        snprintf(doc, sizeof doc,
                 HEAD "<QualificationConfirmSearchInfo><InsurerNumber>%s</InsurerNumber>" SEARCH_REST TAIL,
                 bad_insurers[i]);
        expect_refused(doc, ELIGIBILITY_MSG_BAD_VALUE);
    }
    expect_refused(HEAD
                   "<QualificationConfirmSearchInfo><InsurerNumber>06130216</InsurerNumber>" SEARCH_REST TAIL,
                   ELIGIBILITY_MSG_CHECK_DIGIT);
    expect_refused(HEAD
                   "<QualificationConfirmSearchInfo><InsurerNumber>112335</InsurerNumber>" SEARCH_REST TAIL,
                   ELIGIBILITY_MSG_CHECK_DIGIT);
    expect_refused(HEAD SEARCH_OPEN
                   "<InsuredIdentificationNumber>3\t5</InsuredIdentificationNumber>"
                   "<Birthdate>19800402</Birthdate><LimitApplicationCertificateRelatedConsFlg>1"
                   "</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>" TAIL,
                   ELIGIBILITY_MSG_BAD_VALUE);
    expect_refused(HEAD SEARCH_OPEN
                   "<InsuredIdentificationNumber>345</InsuredIdentificationNumber>"
                   "<InsuredBranchNumber>1</InsuredBranchNumber>"
                   "<Birthdate>19800402</Birthdate><LimitApplicationCertificateRelatedConsFlg>1"
                   "</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>" TAIL,
                   ELIGIBILITY_MSG_BAD_VALUE);
    expect_refused(HEAD SEARCH_OPEN
                   "<InsuredIdentificationNumber>345</InsuredIdentificationNumber>"
                   "<Birthdate>19800402</Birthdate><LimitApplicationCertificateRelatedConsFlg>2"
                   "</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>" TAIL,
                   ELIGIBILITY_MSG_BAD_VALUE);
    expect_refused(HEAD SEARCH_OPEN
                   "<InsuredIdentificationNumber>345</InsuredIdentificationNumber>"
                   "<Birthdate>19800402</Birthdate><LimitApplicationCertificateRelatedConsFlg>1"
                   "</LimitApplicationCertificateRelatedConsFlg><ArbitraryIdentifier>a b"
                   "</ArbitraryIdentifier></QualificationConfirmSearchInfo>" TAIL,
                   ELIGIBILITY_MSG_BAD_VALUE);
    /* Base64: strict form. */
    static const char *const bad_b64[] = {"AAA", "AA=A", "A===", "AB==", "AAB=", "A A=", "!!!!", "AA==AAAA"};
    for (size_t i = 0; i < sizeof bad_b64 / sizeof bad_b64[0]; i++) {
        snprintf(doc, sizeof doc,
                 HEAD
                 "<CardAuthenticationInfo><AuthenticationClassification>2</AuthenticationClassification>"
                 "<UserAuthenticationCertificate>%s</UserAuthenticationCertificate>"
                 "<Nonce>AAAAAAAAAAAAAAAAAAAAAA==</Nonce><CardSignature>AAAA</CardSignature>"
                 "<PinBlockedFlg>0</PinBlockedFlg><ReaderIdentifier>r</ReaderIdentifier>"
                 "<LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>"
                 "</CardAuthenticationInfo>" TAIL,
                 bad_b64[i]);
        expect_refused(doc, ELIGIBILITY_MSG_BAD_VALUE);
    }
    snprintf(doc, sizeof doc,
             HEAD "<CardAuthenticationInfo><AuthenticationClassification>2</AuthenticationClassification>"
                  "<UserAuthenticationCertificate>AA==</UserAuthenticationCertificate>"
                  "<Nonce>AAAAAAAAAAAAAAAAAAAAAA==</Nonce><CardSignature>AAE=</CardSignature>"
                  "<PinBlockedFlg>0</PinBlockedFlg><ReaderIdentifier>r</ReaderIdentifier>"
                  "<LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>"
                  "</CardAuthenticationInfo>" TAIL);
    struct eligibility_request_msg m;
    struct eligibility_msg_error err;
    assert_int_equal(parse_req(doc, &m, &err), CORE_OK);
    assert_int_equal(m.card.certificate_len, 1);
    assert_int_equal(m.card.signature_len, 2);
    assert_int_equal(m.card.nonce_len, 16);
}

static void oversized_values_are_refused_before_they_are_stored(void **state)
{
    (void)state;
    static char doc[16384], cert[8192];
    /* Base64 of 4098 bytes: fits the text buffer, not the certificate's. Then a value longer than any field. */
    static const size_t lengths[] = {5464, 7000};
    for (size_t k = 0; k < 2; k++) {
        memset(cert, 'A', lengths[k]);
        cert[lengths[k]] = '\0';
        snprintf(doc, sizeof doc,
                 HEAD
                 "<CardAuthenticationInfo><AuthenticationClassification>2</AuthenticationClassification>"
                 "<UserAuthenticationCertificate>%s</UserAuthenticationCertificate>"
                 "<Nonce>AAAAAAAAAAAAAAAAAAAAAA==</Nonce><CardSignature>AAAA</CardSignature>"
                 "<PinBlockedFlg>0</PinBlockedFlg><ReaderIdentifier>r</ReaderIdentifier>"
                 "<LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>"
                 "</CardAuthenticationInfo>" TAIL,
                 cert);
        expect_refused(doc, ELIGIBILITY_MSG_BAD_VALUE);
    }
}

static void error_codes_have_documented_strings(void **state)
{
    (void)state;
    assert_string_equal(eligibility_msg_code_string(ELIGIBILITY_MSG_OK), "");
    assert_string_equal(eligibility_msg_code_string(ELIGIBILITY_MSG_TOO_LARGE), "MYNE3001");
    assert_string_equal(eligibility_msg_code_string(ELIGIBILITY_MSG_ORDER), "MYNE3013");
    assert_string_equal(eligibility_msg_code_string(42), "MYNE3002");
}

/* ---- responses ---------------------------------------------------------------------------------------- */

static void ok_answer_travels_and_reads_back_the_same(void **state)
{
    (void)state;
    static char buf[BUFSZ];
    struct eligibility_request_msg req;
    numbers_request(&req);
    struct eligibility_answer a = ok_answer(), back_a;
    a.warnings = ELIGIBILITY_WARN_CERT_IN_GRACE;
    struct eligibility_response_msg res, back;
    struct eligibility_msg_error err;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115093000", &res), CORE_OK);
    size_t len;
    assert_int_equal(eligibility_response_encode(&res, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_OK);
    /* A preschool child: PreschoolClassification, no latter-stage ratio (docs/MESSAGES.md). */
    assert_null(strstr(buf, "<InsuredPartialContributionRatio>"));
    assert_non_null(strstr(buf, "<PreschoolClassification>1</PreschoolClassification>"));
    assert_non_null(strstr(buf, "<QualificationValidity>1</QualificationValidity>"));
    assert_non_null(strstr(buf, "<ProcessingResultCode>MYNW0002</ProcessingResultCode>"));
    assert_non_null(strstr(buf, "<DisqualificationDate>20250401</DisqualificationDate>"));
    assert_non_null(strstr(buf, "<PersonalFamilyClassification>2</PersonalFamilyClassification>"));
    assert_int_equal(eligibility_response_parse(buf, len, &back, &err), CORE_OK);
    assert_int_equal(back.reference, ELIGIBILITY_REQUEST_NUMBERS);
    assert_string_equal(back.file_id, "req-0001");
    assert_int_equal(eligibility_response_to_answer(&back, &back_a), CORE_OK);
    assert_int_equal(back_a.result, ELIGIBILITY_OK);
    assert_int_equal(back_a.warnings, ELIGIBILITY_WARN_CERT_IN_GRACE);
    assert_true(back_a.has_qualification);
    assert_memory_equal(&back_a.qualification.numbers, &a.qualification.numbers,
                        sizeof a.qualification.numbers);
    assert_int_equal(back_a.qualification.role, ELIGIBILITY_DEPENDENT);
    assert_int_equal(back_a.qualification.born, a.qualification.born);
    assert_int_equal(back_a.qualification.start, a.qualification.start);
    assert_int_equal(back_a.qualification.end, a.qualification.end);
    assert_int_equal(back_a.qualification.copay_percent, -1); /* left to the desk */
    assert_int_equal(back_a.qualification.band, ELIGIBILITY_BAND_PRESCHOOL);
    assert_int_equal(back_a.qualification.limit, ELIGIBILITY_LIMIT_HIGH);
    assert_true(back_a.qualification.tax_arrears);
}

static void every_result_and_limit_maps_both_ways(void **state)
{
    (void)state;
    static char buf[BUFSZ];
    struct eligibility_request_msg req;
    card_request(&req, ELIGIBILITY_MSG_AUTH_PIN);
    for (int r = 0; r <= ELIGIBILITY_OK; r++) {
        for (int lim = 0; lim <= ELIGIBILITY_LIMIT_ELDERLY_HIGH; lim++) {
            struct eligibility_answer a = ok_answer(), back_a;
            a.result = (enum eligibility_result)r;
            a.has_qualification = r == ELIGIBILITY_OK || r == ELIGIBILITY_NOT_REFLECTED;
            a.qualification.limit = (enum eligibility_limit)lim;
            a.qualification.end = lim % 2 ? CORE_DAY_NONE : a.qualification.end;
            a.qualification.role = ELIGIBILITY_INSURED;
            a.qualification.tax_arrears = false;
            a.warnings = r >= ELIGIBILITY_PIN_LOCKED ? ELIGIBILITY_WARN_CERT_EXPIRES_SOON : 0;
            struct eligibility_response_msg res, back;
            struct eligibility_msg_error err;
            assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115235959", &res), CORE_OK);
            size_t len;
            assert_int_equal(
                eligibility_response_encode(&res, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                CORE_OK);
            assert_int_equal(eligibility_response_parse(buf, len, &back, &err), CORE_OK);
            assert_int_equal(eligibility_response_to_answer(&back, &back_a), CORE_OK);
            assert_int_equal(back_a.result, r);
            assert_int_equal(back_a.warnings, a.warnings);
            assert_int_equal(back_a.has_qualification, a.has_qualification);
            if (a.has_qualification) {
                assert_int_equal(back_a.qualification.limit, lim);
                assert_int_equal(back_a.qualification.end, a.qualification.end);
                assert_int_equal(back_a.qualification.role, ELIGIBILITY_INSURED);
            }
        }
    }
}

static void inconsistent_answers_are_not_sent(void **state)
{
    (void)state;
    struct eligibility_request_msg req;
    numbers_request(&req);
    struct eligibility_response_msg res;
    struct eligibility_answer a = ok_answer();
    a.warnings = 3;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115000000", &res), CORE_EINVAL);
    a = ok_answer();
    a.has_qualification = false;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115000000", &res), CORE_EINVAL);
    a = ok_answer();
    a.result = ELIGIBILITY_CERT_REVOKED;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115000000", &res), CORE_EINVAL);
    a = ok_answer();
    a.qualification.copay_percent = 101;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115000000", &res), CORE_EINVAL);
    a = ok_answer();
    a.qualification.limit = (enum eligibility_limit)9;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115000000", &res), CORE_EINVAL);
    a = ok_answer();
    a.warnings = 4;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115000000", &res), CORE_EINVAL);
    assert_int_equal(eligibility_response_from_answer(NULL, &a, "20250115000000", &res), CORE_EINVAL);
    assert_int_equal(eligibility_response_to_answer(NULL, &a), CORE_EINVAL);
}

static void refused_request_gets_an_error_response(void **state)
{
    (void)state;
    static char buf[BUFSZ];
    struct eligibility_request_msg req;
    struct eligibility_msg_error err;
    /* The header was read before the body's fault: it is echoed. */
    const char *text =
        HEAD "<QualificationConfirmSearchInfo><InsurerNumber>06130216</InsurerNumber>" SEARCH_REST TAIL;
    assert_int_equal(parse_req(text, &req, &err), CORE_EINVAL);
    struct eligibility_response_msg res, back;
    eligibility_response_for_error(&req, &err, "20250115120000", &res);
    size_t len;
    struct eligibility_msg_error err2;
    assert_int_equal(eligibility_response_encode(&res, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err2),
                     CORE_OK);
    assert_non_null(strstr(buf, "<ErrorCode>MYNE3010</ErrorCode>"));
    assert_non_null(strstr(buf, "<SegmentOfResult>9</SegmentOfResult>"));
    assert_non_null(strstr(buf, "<MedicalInstitutionCode>1312345678</MedicalInstitutionCode>"));
    assert_int_equal(eligibility_response_parse(buf, len, &back, &err2), CORE_OK);
    struct eligibility_answer a;
    assert_int_equal(eligibility_response_to_answer(&back, &a), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_SERVICE_DOWN);
    /* Nothing readable at all: no header to echo. */
    assert_int_equal(parse_req("<<<", &req, &err), CORE_EINVAL);
    eligibility_response_for_error(NULL, &err, "20250115120000", &res);
    assert_int_equal(eligibility_response_encode(&res, ELIGIBILITY_ENC_CP932, buf, sizeof buf, &len, &err2),
                     CORE_OK);
    assert_null(strstr(buf, "MedicalInstitutionCode"));
    eligibility_response_for_error(NULL, NULL, "20250115120000", &res);
    assert_string_equal(res.error_code, "MYNE3002");
    eligibility_response_for_error(NULL, NULL, NULL, NULL);
}

#define RHEAD "<XmlMsg><MessageHeader><ProcessExecutionTime>20250115093000</ProcessExecutionTime>"
#define RSEG(seg, code) "<SegmentOfResult>" seg "</SegmentOfResult>" code
#define RCHAR "<CharacterCodeIdentifier>0</CharacterCodeIdentifier></MessageHeader><MessageBody>"
#define QUAL2(extra, after)                                                                                  \
    "<ResultList><ResultOfQualificationConfirmation><InsuredCardClassification>01</"                         \
    "InsuredCardClassification>"                                                                             \
    "<InsurerNumber>112334</InsurerNumber><InsuredIdentificationNumber>1</InsuredIdentificationNumber>"      \
    "<PersonalFamilyClassification>1</PersonalFamilyClassification><Birthdate>19500101</Birthdate>"          \
    "<QualificationDate>20200101</QualificationDate>" extra                                                  \
    "<InsuredPartialContributionRatio>010</InsuredPartialContributionRatio>" after                           \
    "<TaxArrearsClassification>0</TaxArrearsClassification></ResultOfQualificationConfirmation></"           \
    "ResultList>"
#define QUAL(extra) QUAL2(extra, "")

static CORE_MUST_USE int parse_res(const char *text, struct eligibility_response_msg *m,
                                   struct eligibility_msg_error *err)
{
    return eligibility_response_parse(text, strlen(text), m, err);
}

static void broken_services_are_survived(void **state)
{
    (void)state;
    struct eligibility_response_msg m;
    struct eligibility_msg_error err;
    struct eligibility_answer a;
    /* Valid without a qualification: read as the service failing. */
    assert_int_equal(parse_res(RHEAD RSEG("1", "") RCHAR
                               "<ProcessingResultStatus>1</ProcessingResultStatus>"
                               "<QualificationValidity>1</QualificationValidity></MessageBody></XmlMsg>",
                               &m, &err),
                     CORE_OK);
    assert_int_equal(eligibility_response_to_answer(&m, &a), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_SERVICE_DOWN);
    /* Validity 3 and 5, in progress, error status with a normal end, an unknown error code. */
    static const struct {
        const char *text;
        enum eligibility_result result;
    } cases[] = {
        {RHEAD RSEG("1", "") RCHAR
         "<ProcessingResultStatus>1</ProcessingResultStatus><QualificationValidity>3"
         "</QualificationValidity>" QUAL("") "</MessageBody></XmlMsg>",
         ELIGIBILITY_NO_QUALIFICATION},
        {RHEAD RSEG("1", "") RCHAR
         "<ProcessingResultStatus>1</ProcessingResultStatus><QualificationValidity>5"
         "</QualificationValidity></MessageBody></XmlMsg>",
         ELIGIBILITY_NO_QUALIFICATION},
        {RHEAD RSEG("2", "") RCHAR
         "<ProcessingResultStatus>1</ProcessingResultStatus></MessageBody></XmlMsg>",
         ELIGIBILITY_SERVICE_DOWN},
        {RHEAD RSEG("1", "") RCHAR
         "<ProcessingResultStatus>2</ProcessingResultStatus></MessageBody></XmlMsg>",
         ELIGIBILITY_SERVICE_DOWN},
        {RHEAD RSEG("9", "<ErrorCode>XYZ</ErrorCode>") RCHAR
         "<ProcessingResultStatus>2</ProcessingResultStatus></MessageBody></XmlMsg>",
         ELIGIBILITY_SERVICE_DOWN},
        {RHEAD RSEG("9", "<ErrorCode>MYNE2004</ErrorCode>") RCHAR
         "<ProcessingResultStatus>2</ProcessingResultStatus><ProcessingResultCode>OTHER</"
         "ProcessingResultCode>"
         "</MessageBody></XmlMsg>",
         ELIGIBILITY_CERT_EXPIRED},
        {RHEAD RSEG("1", "") RCHAR
         "<ProcessingResultStatus>1</ProcessingResultStatus><QualificationValidity>4"
         "</QualificationValidity>" QUAL2(
             "", "<LimitApplicationCertificateRelatedInfo>"
                 "<LimitApplicationCertificateClassificationFlag>B10"
                 "</LimitApplicationCertificateClassificationFlag>"
                 "</LimitApplicationCertificateRelatedInfo>") "</MessageBody></XmlMsg>",
         ELIGIBILITY_NO_QUALIFICATION},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (parse_res(cases[i].text, &m, &err) != CORE_OK)
            fail_msg("case %zu: %d %s %s", i, err.code, err.element, err.message);
        assert_int_equal(eligibility_response_to_answer(&m, &a), CORE_OK);
        assert_int_equal(a.result, cases[i].result);
    }
    static const struct {
        const char *text;
        int code;
    } bad[] = {
        {RHEAD RSEG("3", "") RCHAR
         "<ProcessingResultStatus>1</ProcessingResultStatus></MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_BAD_VALUE},
        {RHEAD RSEG("1", "") RCHAR
         "<ProcessingResultStatus>3</ProcessingResultStatus></MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_BAD_VALUE},
        {RHEAD RSEG("1", "") RCHAR
         "<ProcessingResultStatus>1</ProcessingResultStatus><QualificationValidity>6"
         "</QualificationValidity></MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_BAD_VALUE},
        {RHEAD RSEG("9", "") RCHAR
         "<ProcessingResultStatus>2</ProcessingResultStatus></MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_WRONG_KIND},
        {RHEAD "<ReferenceClassification>3</ReferenceClassification>" RSEG("1", "") RCHAR
         "<ProcessingResultStatus>1</ProcessingResultStatus></MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_BAD_VALUE},
        {RHEAD RSEG("1",
                    "") "<CharacterCodeIdentifier>2</CharacterCodeIdentifier></MessageHeader><MessageBody>"
                        "<ProcessingResultStatus>1</ProcessingResultStatus></MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_ENCODING},
        {RHEAD RSEG("1",
                    "") "<CharacterCodeIdentifier>1</CharacterCodeIdentifier></MessageHeader><MessageBody>"
                        "<ProcessingResultStatus>1</ProcessingResultStatus></MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_ENCODING},
        {"<XmlMsg><MessageHeader><ProcessExecutionTime>20250115240000</ProcessExecutionTime>" RSEG("1", "")
             RCHAR "<ProcessingResultStatus>1</ProcessingResultStatus></MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_BAD_VALUE},
        {RHEAD RSEG("1", "") RCHAR "<ProcessingResultStatus>1</ProcessingResultStatus>" QUAL(
             "<DisqualificationDate>20200101</DisqualificationDate>") "</MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_BAD_VALUE},
        {RHEAD RSEG("1", "") RCHAR "<ProcessingResultStatus>1</ProcessingResultStatus>" QUAL2(
             "", "<LimitApplicationCertificateRelatedInfo><LimitApplicationCertificateClassificationFlag>"
                 "A07"
                 "</LimitApplicationCertificateClassificationFlag></"
                 "LimitApplicationCertificateRelatedInfo>") "</MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_BAD_VALUE},
        {RHEAD RSEG("1", "") RCHAR "<ProcessingResultStatus>1</ProcessingResultStatus>" QUAL2(
             "", "<LimitApplicationCertificateRelatedInfo><LimitApplicationCertificateClassificationFlag>"
                 "C01"
                 "</LimitApplicationCertificateClassificationFlag></"
                 "LimitApplicationCertificateRelatedInfo>") "</MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_BAD_VALUE},
        {RHEAD RSEG("1", "") RCHAR "<ProcessingResultStatus>1</ProcessingResultStatus>" QUAL(
             "<Sex1>4</Sex1>") "</MessageBody></XmlMsg>",
         ELIGIBILITY_MSG_BAD_VALUE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse_res(bad[i].text, &m, &err);
        if (rc != CORE_EINVAL || err.code != bad[i].code)
            fail_msg("bad case %zu: rc %d code %d %s %s", i, rc, err.code, err.element, err.message);
    }
}

static void response_field_checks_hold_on_encode(void **state)
{
    (void)state;
    static char buf[BUFSZ];
    struct eligibility_request_msg req;
    numbers_request(&req);
    struct eligibility_answer a = ok_answer();
    struct eligibility_response_msg res, m;
    struct eligibility_msg_error err;
    size_t len;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115093000", &res), CORE_OK);
    m = res;
    memcpy(m.qualification.card_class, "08", 3);
    assert_int_equal(eligibility_response_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    m = res;
    m.qualification.family = 3;
    assert_int_equal(eligibility_response_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    m = res;
    m.qualification.sex = 4;
    assert_int_equal(eligibility_response_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    m = res;
    m.qualification.copay_percent = 101;
    assert_int_equal(eligibility_response_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    m = res;
    m.qualification.tax_arrears = 2;
    assert_int_equal(eligibility_response_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    m = res;
    memcpy(m.qualification.numbers.insurer_number, "112335", 7);
    assert_int_equal(eligibility_response_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    assert_int_equal(err.code, ELIGIBILITY_MSG_CHECK_DIGIT);
    m = res;
    memcpy(m.qualification.numbers.insurer_number, "11233", 6);
    assert_int_equal(eligibility_response_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    m = res;
    m.qualification.sex = 2;
    memcpy(m.qualification.name, "山田 花子", sizeof "山田 花子");
    memcpy(m.qualification.name_kana, "ﾔﾏﾀﾞ ﾊﾅｺ", sizeof "ﾔﾏﾀﾞ ﾊﾅｺ");
    memcpy(m.qualification.insurer_name, "北本市", sizeof "北本市");
    memcpy(m.qualification.insured_name, "山田 太郎", sizeof "山田 太郎");
    assert_int_equal(eligibility_response_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_OK);
    struct eligibility_response_msg back;
    assert_int_equal(eligibility_response_parse(buf, len, &back, &err), CORE_OK);
    assert_string_equal(back.qualification.name_kana, "ﾔﾏﾀﾞ ﾊﾅｺ");
    assert_int_equal(back.qualification.sex, 2);
    assert_int_equal(eligibility_response_encode(NULL, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    m = res;
    m.encoding = 5;
    assert_int_equal(
        eligibility_response_encode(&m, (enum eligibility_encoding)5, buf, sizeof buf, &len, &err),
        CORE_EINVAL);
}

/* ---- CP932 -------------------------------------------------------------------------------------------- */

static void cp932_names_round_trip_and_unshowable_characters_become_black_circles(void **state)
{
    (void)state;
    static char buf[BUFSZ];
    struct eligibility_request_msg req;
    numbers_request(&req);
    req.encoding = ELIGIBILITY_ENC_CP932;
    struct eligibility_answer a = ok_answer();
    struct eligibility_response_msg res, back;
    struct eligibility_msg_error err;
    assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115093000", &res), CORE_OK);
    assert_int_equal(res.encoding, ELIGIBILITY_ENC_CP932);
    snprintf(res.qualification.name, sizeof res.qualification.name, "山田 太郎");
    /* U+FF5E (CP932's wave dash), NEC's circled one, IBM's 髙 (U+9AD9), and 𠮷 (U+20BB7) which CP932 lacks. */
    snprintf(res.qualification.name_kana, sizeof res.qualification.name_kana, "ヤマダ～①髙𠮷");
    size_t len;
    assert_int_equal(eligibility_response_encode(&res, ELIGIBILITY_ENC_CP932, buf, sizeof buf, &len, &err),
                     CORE_OK);
    assert_non_null(strstr(buf, "encoding=\"Shift_JIS\""));
    assert_non_null(find_bytes(buf, len, "\x8E\x52\x93\x63\x20\x91\xBE\x98\x59", 9)); /* 山田 太郎 */
    assert_non_null(find_bytes(buf, len, "\x81\x60\x87\x40\xFB\xFC\x81\x9C", 8));     /* ～①髙● */
    assert_null(find_bytes(buf, len, "&#", 2));
    assert_int_equal(eligibility_response_parse(buf, len, &back, &err), CORE_OK);
    assert_int_equal(back.encoding, ELIGIBILITY_ENC_CP932);
    assert_string_equal(back.qualification.name, "山田 太郎");
    assert_string_equal(back.qualification.name_kana, "ヤマダ～①髙●");
    assert_string_equal(back.qualification.numbers.symbol, "北本");

    /* A CP932 request round trips too, and its text fields are checked the same way. */
    struct eligibility_request_msg r2;
    assert_int_equal(eligibility_request_encode(&req, ELIGIBILITY_ENC_CP932, buf, sizeof buf, &len, &err),
                     CORE_OK);
    assert_int_equal(eligibility_request_parse(buf, len, &r2, &err), CORE_OK);
    assert_int_equal(r2.encoding, ELIGIBILITY_ENC_CP932);
    assert_string_equal(r2.numbers.symbol, "記号12");

    /* Not UTF-8 in the struct: refused rather than written. */
    snprintf(req.numbers.symbol, sizeof req.numbers.symbol, "\xC3\x28");
    assert_int_equal(eligibility_request_encode(&req, ELIGIBILITY_ENC_CP932, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
    /* A name of unshowable characters that outgrows its field once replaced is refused. */
    memset(res.qualification.name, 0, sizeof res.qualification.name);
    for (int i = 0; i < 60; i++)
        memcpy(res.qualification.name + 2 * i, "\xC3\xA9", 2); /* é */
    assert_int_equal(eligibility_response_encode(&res, ELIGIBILITY_ENC_CP932, buf, sizeof buf, &len, &err),
                     CORE_EINVAL);
}

static void shift_jis_declared_files_convert_as_cp932(void **state)
{
    (void)state;
    /* A hand-written file as a face reader leaves it: declared Shift_JIS, holding CP932's wave dash. */
    const char *text = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n" RHEAD RSEG(
        "1", "") "<CharacterCodeIdentifier>1</CharacterCodeIdentifier></MessageHeader><MessageBody>"
                 "<ProcessingResultStatus>1</ProcessingResultStatus><ProcessingResultMessage>\x81\x60\x87\x40"
                 "</ProcessingResultMessage></MessageBody></XmlMsg>";
    struct eligibility_response_msg m;
    struct eligibility_msg_error err;
    assert_int_equal(parse_res(text, &m, &err), CORE_OK);
    assert_string_equal(m.result_message, "～①");
    const char *cp = "<?xml version=\"1.0\" encoding=\"windows-31j\"?>\n" RHEAD RSEG(
        "1", "") "<CharacterCodeIdentifier>1</CharacterCodeIdentifier></MessageHeader><MessageBody>"
                 "<ProcessingResultStatus>1</ProcessingResultStatus></MessageBody></XmlMsg>";
    assert_int_equal(parse_res(cp, &m, &err), CORE_OK);
}

/* ---- schemas and samples ------------------------------------------------------------------------------ */

static xmlSchemaPtr load_schema(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/fixtures/messages/%s", MYNASIM_SOURCE_DIR, name);
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
    assert_non_null(pc);
    xmlSchemaPtr s = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    if (s == NULL)
        fail_msg("%s does not load", path);
    return s;
}

static void quiet(void *ctx, xmlErrorPtr e)
{
    (void)ctx, (void)e;
}

static CORE_MUST_USE int validate(xmlSchemaPtr schema, const char *buf, size_t len)
{
    xmlDocPtr doc = xmlReadMemory(buf, (int)len, NULL, NULL, XML_PARSE_NONET);
    if (doc == NULL)
        return -1;
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    xmlSchemaSetValidStructuredErrors(vc, quiet, NULL);
    int rc = xmlSchemaValidateDoc(vc, doc);
    xmlSchemaFreeValidCtxt(vc);
    xmlFreeDoc(doc);
    return rc;
}

static void encoder_output_is_valid_against_the_schemas(void **state)
{
    (void)state;
    static char buf[BUFSZ];
    xmlSchemaPtr rq = load_schema("request.xsd"), rs = load_schema("response.xsd");
    struct eligibility_msg_error err;
    size_t len;
    for (int enc = 0; enc <= 1; enc++) {
        struct eligibility_request_msg req;
        numbers_request(&req);
        assert_int_equal(
            eligibility_request_encode(&req, (enum eligibility_encoding)enc, buf, sizeof buf, &len, &err),
            CORE_OK);
        assert_int_equal(validate(rq, buf, len), 0);
        for (int auth = 1; auth <= 3; auth++) {
            card_request(&req, auth);
            assert_int_equal(
                eligibility_request_encode(&req, (enum eligibility_encoding)enc, buf, sizeof buf, &len, &err),
                CORE_OK);
            assert_int_equal(validate(rq, buf, len), 0);
        }
        for (int r = 0; r <= ELIGIBILITY_OK; r++) {
            struct eligibility_answer a = ok_answer();
            a.result = (enum eligibility_result)r;
            a.has_qualification = r >= ELIGIBILITY_NOT_REFLECTED && r != ELIGIBILITY_NO_QUALIFICATION;
            struct eligibility_response_msg res;
            assert_int_equal(eligibility_response_from_answer(&req, &a, "20250115093000", &res), CORE_OK);
            assert_int_equal(eligibility_response_encode(&res, (enum eligibility_encoding)enc, buf,
                                                         sizeof buf, &len, &err),
                             CORE_OK);
            assert_int_equal(validate(rs, buf, len), 0);
        }
    }
    /* The schema refuses what the parser refuses: a sample of faults. */
    assert_int_not_equal(validate(rq, HEAD TAIL, strlen(HEAD TAIL)), 0);
    const char *cd =
        HEAD "<QualificationConfirmSearchInfo><InsurerNumber>0613021</InsurerNumber>" SEARCH_REST TAIL;
    assert_int_not_equal(validate(rq, cd, strlen(cd)), 0);
    xmlSchemaFree(rq);
    xmlSchemaFree(rs);
}

static void every_sample_is_valid_and_parses(void **state)
{
    (void)state;
    xmlSchemaPtr rq = load_schema("request.xsd"), rs = load_schema("response.xsd");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/fixtures/messages", MYNASIM_SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    int requests = 0, responses = 0, cp932 = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 4, ".xml") != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text;
        size_t len;
        struct core_error cerr;
        assert_int_equal(core_file_read(path, ELIGIBILITY_MSG_MAX_BYTES, &text, &len, &cerr), CORE_OK);
        bool is_req = strstr(e->d_name, "req_") != NULL;
        assert_true(is_req || strstr(e->d_name, "res_") != NULL);
        if (validate(is_req ? rq : rs, text, len) != 0)
            fail_msg("%s is not valid against its schema", e->d_name);
        struct eligibility_msg_error err;
        if (is_req) {
            struct eligibility_request_msg m;
            if (eligibility_request_parse(text, len, &m, &err) != CORE_OK)
                fail_msg("%s: %s %s", e->d_name, err.element, err.message);
            cp932 += m.encoding == ELIGIBILITY_ENC_CP932;
            requests++;
        } else {
            struct eligibility_response_msg m;
            if (eligibility_response_parse(text, len, &m, &err) != CORE_OK)
                fail_msg("%s: %s %s", e->d_name, err.element, err.message);
            cp932 += m.encoding == ELIGIBILITY_ENC_CP932;
            responses++;
        }
        free(text);
    }
    closedir(d);
    assert_true(requests >= 4);
    assert_true(responses >= 4);
    assert_true(cp932 >= 4);
    xmlSchemaFree(rq);
    xmlSchemaFree(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_request_round_trips_in_utf8),
        cmocka_unit_test(card_requests_round_trip_for_every_route),
        cmocka_unit_test(pin_route_with_blocked_pin_carries_no_signature),
        cmocka_unit_test(encoder_refuses_what_the_parser_would_refuse),
        cmocka_unit_test(minimal_numbers_request_parses_and_comments_are_ignored),
        cmocka_unit_test(billion_laughs_is_refused_at_the_doctype),
        cmocka_unit_test(quadratic_blowup_is_refused),
        cmocka_unit_test(external_entities_and_doctypes_are_refused),
        cmocka_unit_test(xinclude_and_namespaces_are_refused),
        cmocka_unit_test(deep_nesting_is_refused),
        cmocka_unit_test(attributes_pis_and_cdata_are_refused),
        cmocka_unit_test(size_and_encoding_limits_hold),
        cmocka_unit_test(structure_faults_get_their_codes),
        cmocka_unit_test(every_value_is_checked),
        cmocka_unit_test(oversized_values_are_refused_before_they_are_stored),
        cmocka_unit_test(error_codes_have_documented_strings),
        cmocka_unit_test(ok_answer_travels_and_reads_back_the_same),
        cmocka_unit_test(every_result_and_limit_maps_both_ways),
        cmocka_unit_test(inconsistent_answers_are_not_sent),
        cmocka_unit_test(refused_request_gets_an_error_response),
        cmocka_unit_test(broken_services_are_survived),
        cmocka_unit_test(response_field_checks_hold_on_encode),
        cmocka_unit_test(cp932_names_round_trip_and_unshowable_characters_become_black_circles),
        cmocka_unit_test(shift_jis_declared_files_convert_as_cp932),
        cmocka_unit_test(encoder_output_is_valid_against_the_schemas),
        cmocka_unit_test(every_sample_is_valid_and_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
