/* Every answer mynasim's service gives, held against what public parsers of the real answer files require
 * (docs/MESSAGES.md, "What real reception systems read"). The checker below is written from those facts, in
 * this project's words, on the bytes of the answer: it does not use mynasim's parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <iconv.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "eligibility/eligibility.h"
#include "eligibility_test.h"

/* A base64-like identifier with '=', as real clients send. */
#define FILE_ID "ArnHCeDfNjMCFzg="

/* ---- the checker ------------------------------------------------------------------------------------- */

struct leaf {
    const char *parent, *name;
    char value[160];
};

struct answer_doc {
    struct leaf leaves[64];
    size_t n;
    int results; /* ResultOfQualificationConfirmation elements */
};

static void collect(const xmlNode *node, struct answer_doc *d)
{
    for (const xmlNode *c = node->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, "ResultOfQualificationConfirmation") == 0)
            d->results++;
        bool leaf = c->children == NULL || (c->children->type == XML_TEXT_NODE && c->children->next == NULL);
        if (!leaf) {
            collect(c, d);
            continue;
        }
        assert_true(d->n < sizeof d->leaves / sizeof d->leaves[0]);
        struct leaf *l = &d->leaves[d->n++];
        l->parent = (const char *)node->name;
        l->name = (const char *)c->name;
        xmlChar *v = xmlNodeGetContent(c);
        snprintf(l->value, sizeof l->value, "%s", v ? (const char *)v : "");
        xmlFree(v);
    }
}

static const char *get(const struct answer_doc *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->leaves[i].name, name) == 0)
            return d->leaves[i].value;
    return NULL;
}

static bool digits(const char *s, size_t n)
{
    if (s == NULL || strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool one_of(const char *s, const char *const *codes)
{
    for (; s != NULL && *codes != NULL; codes++)
        if (strcmp(s, *codes) == 0)
            return true;
    return false;
}

/* A real calendar day written YYYYMMDD, from 1900. */
static bool real_date(const char *s)
{
    if (!digits(s, 8))
        return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[4] - '0') * 10 + (s[5] - '0'), d = (s[6] - '0') * 10 + (s[7] - '0');
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= (m == 2 && !leap ? 28 : days[m - 1]);
}

/* The next code point of UTF-8 `*s` (advanced past it); 0 at the end or on a bad byte. */
static unsigned next_cp(const unsigned char **s)
{
    const unsigned char *p = *s;
    unsigned c = p[0];
    if (c == 0)
        return 0;
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (n == 0)
        return 0;
    unsigned v = n == 1 ? c : c & (0x3F >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3F);
    }
    *s = p + n;
    return v;
}

/* NameKana as real answers carry it (myclinic-ts's face-file test: "ｼﾝﾘｮｳ ﾀﾛｳ"): half-width katakana,
 * family and given names parted by an ASCII space. */
static bool half_width_kana(const char *s)
{
    if (s == NULL)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    bool any = false;
    for (unsigned cp; (cp = next_cp(&p)) != 0;) {
        if (!((cp >= 0xFF66 && cp <= 0xFF9F) || cp == ' '))
            return false;
        any = true;
    }
    return any && *p == '\0';
}

/* Every character of a name in JIS X 0208 (the real system shows the others as ●, itself in JIS X 0208):
 * EUC-JP writes exactly those as two bytes of A1..FE. */
static bool jis_x_0208_only(const char *s)
{
    if (s == NULL)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    iconv_t cd = iconv_open("EUC-JP", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    bool ok = *p != '\0';
    while (ok && *p != '\0') {
        const unsigned char *start = p;
        if (next_cp(&p) == 0) {
            ok = false;
            break;
        }
        char one[4], out[8];
        memcpy(one, start, (size_t)(p - start));
        char *ip = one, *op = out;
        size_t il = (size_t)(p - start), ol = sizeof out;
        ok = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && sizeof out - ol == 2 &&
             (unsigned char)out[0] >= 0xA1 && (unsigned char)out[0] <= 0xFE &&
             (unsigned char)out[1] >= 0xA1 && (unsigned char)out[1] <= 0xFE;
    }
    iconv_close(cd);
    return ok;
}

/* Three digits, 000 to 100 (030 is 30 %). */
static bool ratio(const char *s)
{
    return digits(s, 3) && (s[0] == '0' || strcmp(s, "100") == 0);
}

/* Whole years of age on `on` of a person born `born` (both YYYYMMDD). */
static int age_on(const char *born, const char *on)
{
    if (!digits(born, 8) || !digits(on, 8))
        return -1;
    int by = 0, oy = 0;
    for (int i = 0; i < 4; i++) {
        by = by * 10 + (born[i] - '0');
        oy = oy * 10 + (on[i] - '0');
    }
    return oy - by - (strncmp(on + 4, born + 4, 4) < 0 ? 1 : 0);
}

/* Elements real parsers require in every result (one refuses the record without them). */
static const char *const required_in_result[] = {
    "InsuredCardClassification", "Name", "Sex1", "Birthdate", "InsurerName", NULL};

/* Checks one answer; `file_id` is what the request carried (NULL: the request was unreadable, so nothing of
 * its header can be echoed). Fails the test with the element at fault. */
static void check_answer(const uint8_t *buf, size_t len, const char *file_id, const char *date)
{
    xmlDocPtr doc =
        xmlReadMemory((const char *)buf, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    assert_non_null(doc);
    static const char *const seg[] = {"1", "2", "9", NULL}, *const status[] = {"1", "2", NULL},
                             *const cci[] = {"0", "1", NULL}, *const ref[] = {"1", "2", NULL},
                             *const validity[] = {"1", "2", "3", "4", "5", NULL},
                             *const card_class[] = {"01", "02", "03", "04", "05", "06", "07", NULL},
                             *const family[] = {"1", "2", NULL}, *const sex[] = {"1", "2", "3", NULL};
    struct answer_doc d = {0};
    const xmlNode *root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "XmlMsg");
    collect(root, &d);
    /* Header: required by the real parsers, codes in their tables. */
    if (!digits(get(&d, "ProcessExecutionTime"), 14))
        fail_msg("ProcessExecutionTime");
    if (!one_of(get(&d, "SegmentOfResult"), seg))
        fail_msg("SegmentOfResult");
    if (!one_of(get(&d, "CharacterCodeIdentifier"), cci))
        fail_msg("CharacterCodeIdentifier");
    bool shift_jis = strcmp(get(&d, "CharacterCodeIdentifier"), "1") == 0;
    if (shift_jis != (doc->encoding != NULL && strcmp((const char *)doc->encoding, "Shift_JIS") == 0))
        fail_msg("CharacterCodeIdentifier disagrees with the file's encoding");
    if ((strcmp(get(&d, "SegmentOfResult"), "9") == 0) != (get(&d, "ErrorCode") != NULL))
        fail_msg("ErrorCode exactly with SegmentOfResult 9");
    if (file_id != NULL) { /* echoed, refusals and outages included */
        if (get(&d, "ArbitraryFileIdentifier") == NULL || strcmp(get(&d, "ArbitraryFileIdentifier"), file_id))
            fail_msg("ArbitraryFileIdentifier not echoed");
        if (get(&d, "QualificationConfirmationDate") == NULL ||
            strcmp(get(&d, "QualificationConfirmationDate"), date) != 0)
            fail_msg("QualificationConfirmationDate not echoed");
        if (!digits(get(&d, "MedicalInstitutionCode"), 10))
            fail_msg("MedicalInstitutionCode");
        if (!one_of(get(&d, "ReferenceClassification"), ref))
            fail_msg("ReferenceClassification");
    }
    /* Body. */
    if (!one_of(get(&d, "ProcessingResultStatus"), status))
        fail_msg("ProcessingResultStatus");
    const char *v = get(&d, "QualificationValidity");
    if (v != NULL && !one_of(v, validity))
        fail_msg("QualificationValidity %s", v);
    if (d.results > 0) {
        if (!one_of(get(&d, "InsuredCardClassification"), card_class))
            fail_msg("InsuredCardClassification");
        if (!digits(get(&d, "Birthdate"), 8))
            fail_msg("Birthdate");
        const char *ins = get(&d, "InsurerNumber");
        if (ins != NULL && !digits(ins, 8) && !(strncmp(ins, "  ", 2) == 0 && digits(ins + 2, 6)))
            fail_msg("InsurerNumber \"%s\": 8 digits, or 6 space-padded to 8", ins);
        if (get(&d, "PersonalFamilyClassification") &&
            !one_of(get(&d, "PersonalFamilyClassification"), family))
            fail_msg("PersonalFamilyClassification");
        if (get(&d, "Sex1") && !one_of(get(&d, "Sex1"), sex))
            fail_msg("Sex1");
        const char *loss = get(&d, "DisqualificationDate");
        if (v != NULL && (strcmp(v, "2") == 0 || strcmp(v, "3") == 0) && loss != NULL && !digits(loss, 8))
            fail_msg("DisqualificationDate");
        for (const char *const *g = required_in_result; *g != NULL; g++)
            if (get(&d, *g) == NULL || get(&d, *g)[0] == '\0')
                fail_msg("%s missing from a result", *g);
        if (!jis_x_0208_only(get(&d, "Name")))
            fail_msg("Name \"%s\": a character outside JIS X 0208", get(&d, "Name"));
        if (get(&d, "NameKana") != NULL && !half_width_kana(get(&d, "NameKana")))
            fail_msg("NameKana \"%s\": half-width katakana", get(&d, "NameKana"));
        /* COPAY as real answers carry it: the latter-stage ratio from 75 only, the elderly certificate from
         * 70 to 74, PreschoolClassification 1 for the very young. */
        const char *asked = get(&d, "QualificationConfirmationDate");
        int age = asked != NULL ? age_on(get(&d, "Birthdate"), asked) : -1;
        const char *lat = get(&d, "InsuredPartialContributionRatio");
        if (lat != NULL && (!ratio(lat) || (age >= 0 && age < 75)))
            fail_msg("InsuredPartialContributionRatio %s at %d: the latter-stage ratio, from 75", lat, age);
        if (age >= 75 && lat == NULL)
            fail_msg("no InsuredPartialContributionRatio at %d", age);
        const char *eld = get(&d, "ElderlyRecipientContributionRatio");
        if (eld != NULL && (!ratio(eld) || (age >= 0 && (age < 70 || age >= 75))))
            fail_msg("ElderlyRecipientContributionRatio %s at %d", eld, age);
        if (age > 70 && age < 75 && eld == NULL)
            fail_msg("no ElderlyRecipientCertificateInfo at %d", age);
        const char *pre = get(&d, "PreschoolClassification");
        if (pre != NULL && (strcmp(pre, "1") != 0 || age > 6))
            fail_msg("PreschoolClassification %s at %d", pre, age);
        if (age >= 0 && age < 6 && pre == NULL)
            fail_msg("no PreschoolClassification at %d", age);
    }
    /* Dates, wherever they are: real calendar days. */
    for (size_t i = 0; i < d.n; i++) {
        size_t n = strlen(d.leaves[i].name);
        if (n > 4 && strcmp(d.leaves[i].name + n - 4, "Date") == 0 && !real_date(d.leaves[i].value))
            fail_msg("%s \"%s\": YYYYMMDD", d.leaves[i].name, d.leaves[i].value);
        if (strcmp(d.leaves[i].name, "ElderlyRecipientContributionRatio") == 0 &&
            strcmp(d.leaves[i].parent, "ElderlyRecipientCertificateInfo") != 0)
            fail_msg("ElderlyRecipientContributionRatio outside ElderlyRecipientCertificateInfo");
    }
    xmlFreeDoc(doc);
}

/* ---- the service ------------------------------------------------------------------------------------- */

struct fixture {
    struct policy *policy;
    struct eligibility_registry *reg;
    struct eligibility_service *svc;
};

static void enroll(struct fixture *f, const char *born, const char *insurer, const char *number,
                   const char *start, const char *lost, uint32_t *person_io)
{
    if (*person_io == UINT32_MAX)
        assert_int_equal(eligibility_person_add(f->reg, D(born), person_io), CORE_OK);
    struct eligibility_enrollment e;
    memset(&e, 0, sizeof e);
    snprintf(e.numbers.insurer_number, sizeof e.numbers.insurer_number, "%s", insurer);
    snprintf(e.numbers.number, sizeof e.numbers.number, "%s", number);
    e.start = D(start);
    uint32_t m;
    assert_int_equal(eligibility_file_enrollment(f->reg, *person_io, &e, D(start), D(start), &m), CORE_OK);
    if (lost != NULL)
        assert_int_equal(eligibility_file_loss(f->reg, m, D(lost), D(lost), D(lost)), CORE_OK);
}

static CORE_MUST_USE int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct core_error err;
    if (policy_load_named("national", &f->policy, &err) != CORE_OK)
        fail_msg("policy: %s", err.message);
    assert_int_equal(eligibility_registry_new(f->policy, &f->reg), CORE_OK);
    uint32_t a = UINT32_MAX, b = UINT32_MAX, c = UINT32_MAX;
    enroll(f, "1980-04-01", "112334", "34", "2020-04-01", NULL, &a);         /* valid */
    enroll(f, "1970-01-01", "112334", "56", "2020-04-01", "2025-04-01", &b); /* lost, nothing newer */
    enroll(f, "1960-01-01", "112334", "78", "2020-04-01", "2025-04-01", &c); /* lost, moved on */
    enroll(f, "1960-01-01", "06130215", "9", "2025-04-01", NULL, &c);
    /* The person fields and the co-payment's bands: a given name with characters outside JIS X 0208, 72
     * (elderly certificate), 76 (latter-stage ratio), 3 (preschool). */
    uint32_t g = UINT32_MAX, e = UINT32_MAX, l = UINT32_MAX, k = UINT32_MAX;
    enroll(f, "1990-02-03", "112334", "101", "2020-04-01", NULL, &g);
    struct eligibility_person_data pd = {"髙橋\u3000𠮷子", "タカハシ ヨシコ", 2, 1};
    assert_int_equal(eligibility_person_set_data(f->reg, g, &pd), CORE_OK);
    enroll(f, "1953-01-10", "112334", "102", "2020-04-01", NULL, &e);
    enroll(f, "1949-03-03", "112334", "103", "2024-03-03", NULL, &l);
    enroll(f, "2022-01-01", "112334", "104", "2022-01-01", NULL, &k);
    assert_int_equal(eligibility_insurer_set_name(f->reg, "112334", "北本市国民健康保険"), CORE_OK);
    if (eligibility_service_new(f->reg, f->policy, &f->svc, &err) != CORE_OK)
        fail_msg("service: %s", err.message);
    eligibility_service_seed(f->svc, 7);
    assert_int_equal(eligibility_service_set_date(f->svc, D("2025-06-02")), CORE_OK);
    *state = f;
    return 0;
}

static CORE_MUST_USE int teardown(void **state)
{
    struct fixture *f = *state;
    eligibility_service_free(f->svc);
    eligibility_registry_free(f->reg);
    policy_free(f->policy);
    free(f);
    return 0;
}

static void numbers(struct eligibility_request_msg *m, const char *insurer, const char *number,
                    const char *born)
{
    request_header(m, ELIGIBILITY_REQUEST_NUMBERS, "2025-06-02", FILE_ID);
    m->limit_consent = 1;
    snprintf(m->numbers.insurer_number, sizeof m->numbers.insurer_number, "%s", insurer);
    snprintf(m->numbers.number, sizeof m->numbers.number, "%s", number);
    m->born = D(born);
}

/* Asks `req` (raw bytes, asking for `date`, YYYYMMDD), checks the answer against the checker and parses it
 * with mynasim's parser. */
static void ask_raw_on(struct fixture *f, const char *req, size_t len, const char *file_id, const char *date,
                       struct eligibility_response_msg *res)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    assert_int_equal(eligibility_service_handle(f->svc, (const uint8_t *)req, len, &out, &out_len), CORE_OK);
    check_answer(out, out_len, file_id, date);
    struct eligibility_msg_error merr;
    if (eligibility_response_parse(out, out_len, res, &merr) != CORE_OK)
        fail_msg("mynasim's parser refuses its service's answer: %s", merr.message);
    free(out);
}

/* The requests written in this file ask for the service's day. */
static void ask_raw(struct fixture *f, const char *req, size_t len, const char *file_id,
                    struct eligibility_response_msg *res)
{
    ask_raw_on(f, req, len, file_id, "20250602", res);
}

static void ask(struct fixture *f, const struct eligibility_request_msg *m, enum eligibility_encoding enc,
                struct eligibility_response_msg *res)
{
    static char buf[ELIGIBILITY_MSG_MAX_BYTES];
    size_t len = 0;
    struct eligibility_msg_error merr;
    assert_int_equal(eligibility_request_encode(m, enc, buf, sizeof buf, &len, &merr), CORE_OK);
    int y, mo, d;
    core_date_to_ymd(m->date, &y, &mo, &d);
    char date[16];
    snprintf(date, sizeof date, "%04d%02d%02d", y, mo, d);
    ask_raw_on(f, buf, len, FILE_ID, date, res);
}

/* ---- tests ------------------------------------------------------------------------------------------- */

static void every_answer_passes_the_checker(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    for (int enc = 0; enc <= 1; enc++) {
        numbers(&m, "112334", "34", "1980-04-01");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        assert_int_equal(res.validity, 1);
        numbers(&m, "112334", "56", "1970-01-01");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        assert_int_equal(res.validity, 2);
        numbers(&m, "112334", "78", "1960-01-01");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        assert_int_equal(res.validity, 3);
        numbers(&m, "112334", "99", "1960-01-01");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        assert_int_equal(res.validity, 4);
        assert_false(res.has_qualification);
        /* An outage keeps the header. */
        eligibility_service_set_down(f->svc, true);
        numbers(&m, "112334", "34", "1980-04-01");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        assert_string_equal(res.error_code, "MYNE9001");
        eligibility_service_set_down(f->svc, false);
        /* A day after the service's: refused, the header echoed. */
        numbers(&m, "112334", "34", "1980-04-01");
        m.date = D("2025-06-03");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        assert_string_equal(res.error_code, ELIGIBILITY_FUTURE_DATE_CODE);
        assert_int_equal(res.date, D("2025-06-03"));
    }
}

/* A card request whose nonce the service issued but then pushed out of its window: refused with MYNE4002
 * (ELIGIBILITY_NONCE_EXPIRED_CODE), an answer the real parsers accept, the header echoed so the reader can
 * pair it and ask again. The nonce is checked first, so the certificate and signature need not be real. */
static void an_expired_nonce_is_refused_with_the_header(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    for (int enc = 0; enc <= 1; enc++) {
        request_header(&m, ELIGIBILITY_REQUEST_CARD, "2025-06-02", FILE_ID);
        m.limit_consent = 1;
        m.card.auth_class = ELIGIBILITY_MSG_AUTH_PIN;
        assert_int_equal(eligibility_service_nonce(f->svc, m.card.nonce), CORE_OK);
        m.card.nonce_len = 32;
        uint8_t later[32];
        for (uint32_t i = 0; i < ELIGIBILITY_NONCE_WINDOW; i++)
            assert_int_equal(eligibility_service_nonce(f->svc, later), CORE_OK);
        memset(m.card.certificate, 0x30, 64);
        m.card.certificate_len = 64;
        memset(m.card.signature, 0x5A, 256);
        m.card.signature_len = 256;
        snprintf(m.card.reader_id, sizeof m.card.reader_id, "reader-1312345678-01");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        assert_int_equal(res.segment, 9);
        assert_string_equal(res.error_code, ELIGIBILITY_NONCE_EXPIRED_CODE);
        assert_int_equal(res.reference, ELIGIBILITY_REQUEST_CARD);
        assert_int_equal(res.encoding, enc);
    }
}

static void refusals_keep_the_header(void **state)
{
    struct fixture *f = *state;
    struct eligibility_response_msg res;
    /* A wrong check digit: refused, the header echoed. */
    static const char bad[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader>"
        "<ArbitraryFileIdentifier>" FILE_ID "</ArbitraryFileIdentifier>"
        "<MedicalInstitutionCode>1312345678</MedicalInstitutionCode>"
        "<QualificationConfirmationDate>20250602</QualificationConfirmationDate></MessageHeader><MessageBody>"
        "<QualificationConfirmSearchInfo><InsurerNumber>112335</InsurerNumber>"
        "<InsuredIdentificationNumber>34</InsuredIdentificationNumber><Birthdate>19800401</Birthdate>"
        "<LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg>"
        "</QualificationConfirmSearchInfo></MessageBody></XmlMsg>";
    ask_raw(f, bad, sizeof bad - 1, FILE_ID, &res);
    assert_string_equal(res.error_code, "MYNE3010");
    assert_string_equal(res.file_id, FILE_ID);
    /* Unreadable: nothing to echo, still a checked answer. */
    ask_raw(f, "garbage", 7, NULL, &res);
    assert_int_equal(res.segment, 9);
}

static void padded_and_unpadded_insurer_numbers_find_the_same_member(void **state)
{
    struct fixture *f = *state;
    static const char *const forms[] = {"112334", "  112334", "00112334"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char req[1024];
        int n = snprintf(req, sizeof req,
                         "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader>"
                         "<QualificationConfirmationDate>20250602</QualificationConfirmationDate>"
                         "<MedicalInstitutionCode>1312345678</MedicalInstitutionCode>"
                         "<ArbitraryFileIdentifier>%s</ArbitraryFileIdentifier></MessageHeader><MessageBody>"
                         "<QualificationConfirmSearchInfo><InsurerNumber>%s</InsurerNumber>"
                         "<InsuredIdentificationNumber>34</InsuredIdentificationNumber>"
                         "<Birthdate>19800401</Birthdate><LimitApplicationCertificateRelatedConsFlg>0"
                         "</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>"
                         "</MessageBody></XmlMsg>",
                         FILE_ID, forms[i]);
        struct eligibility_response_msg res;
        ask_raw(f, req, (size_t)n, FILE_ID, &res);
        assert_int_equal(res.validity, 1);
        assert_true(res.has_qualification);
        assert_string_equal(res.qualification.numbers.insurer_number, "112334");
        assert_string_equal(res.qualification.numbers.number, "34");
    }
}

static void a_leaver_gets_the_old_record(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    struct eligibility_answer a;
    numbers(&m, "112334", "56", "1970-01-01");
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_int_equal(res.validity, 2);
    assert_true(res.has_qualification);
    assert_int_equal(res.qualification.disqualification_date, D("2025-04-01"));
    assert_int_equal(eligibility_response_to_answer(&res, &a), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_NO_QUALIFICATION);
    assert_false(a.has_qualification);
    assert_true(a.lost_record);
    /* The rules path decides alike. */
    struct eligibility_number_request nr;
    assert_int_equal(eligibility_request_to_number_request(&m, &nr), CORE_OK);
    struct eligibility_answer direct;
    assert_int_equal(eligibility_check_numbers(f->reg, &nr, &direct), CORE_OK);
    assert_int_equal(direct.result, a.result);
    assert_true(direct.lost_record && !direct.newer_known);

    numbers(&m, "112334", "78", "1960-01-01");
    ask(f, &m, ELIGIBILITY_ENC_UTF8, &res);
    assert_int_equal(res.validity, 3);
    assert_int_equal(res.qualification.disqualification_date, D("2025-04-01"));
    assert_int_equal(eligibility_response_to_answer(&res, &a), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_NO_QUALIFICATION);
    assert_true(a.newer_known);
}

/* A real-shaped answer: any order, elements mynasim does not know, no TaxArrearsClassification. */
static void real_shaped_answers_are_read(void **state)
{
    (void)state;
    static const char real[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<XmlMsg>\n<MessageHeader>"
        "<ProcessExecutionTime>20250602093000</ProcessExecutionTime><CharacterCodeIdentifier>0"
        "</CharacterCodeIdentifier><SegmentOfResult>1</"
        "SegmentOfResult><QualificationConfirmationDate>20250602"
        "</QualificationConfirmationDate><ReferenceClassification>1</ReferenceClassification>"
        "<ArbitraryFileIdentifier>" FILE_ID "</ArbitraryFileIdentifier><MedicalInstitutionCode>1312345678"
        "</MedicalInstitutionCode></"
        "MessageHeader><MessageBody><ResultList><ResultOfQualificationConfirmation>"
        "<Address>x</Address><PersonalFamilyClassification>1</PersonalFamilyClassification><Sex1>1</Sex1>"
        "<InsurerNumber>  112334</InsurerNumber><InsuredCardValidDate>20191001</InsuredCardValidDate>"
        "<InsuredCardClassification>01</InsuredCardClassification><Birthdate>19800401</Birthdate>"
        "<InsuredIdentificationNumber>34</InsuredIdentificationNumber><QualificationDate>20200401"
        "</QualificationDate><InsuredPartialContributionRatio>030</InsuredPartialContributionRatio>"
        "<LimitApplicationCertificateRelatedInfo><LimitApplicationCertificateClassification>01"
        "</LimitApplicationCertificateClassification><LimitApplicationCertificateClassificationFlag>A03"
        "</LimitApplicationCertificateClassificationFlag></LimitApplicationCertificateRelatedInfo>"
        "<ElderlyRecipientCertificateInfo><ElderlyRecipientContributionRatio>020"
        "</ElderlyRecipientContributionRatio></ElderlyRecipientCertificateInfo>"
        "</ResultOfQualificationConfirmation></ResultList><ProcessingResultStatus>1</ProcessingResultStatus>"
        "<QualificationValidity>1</QualificationValidity></MessageBody></XmlMsg>";
    struct eligibility_response_msg res;
    struct eligibility_msg_error err;
    if (eligibility_response_parse(real, sizeof real - 1, &res, &err) != CORE_OK)
        fail_msg("%s %s", err.element, err.message);
    assert_int_equal(res.unknown_elements, 2); /* Address, LimitApplicationCertificateClassification */
    assert_int_equal(res.qualification.card_valid, D("2019-10-01"));
    assert_int_equal(res.qualification.elderly_percent, 20);
    assert_string_equal(res.qualification.numbers.insurer_number, "112334");
    assert_string_equal(res.qualification.limit_flag, "A03");
    assert_int_equal(res.qualification.tax_arrears, -1);
    struct eligibility_answer a;
    assert_int_equal(eligibility_response_to_answer(&res, &a), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_OK);
    assert_false(a.qualification.tax_arrears);
}

/* The person as real answers carry it, and the co-payment where the real interface puts it; the clinic reads
 * them back, and leaves the rate to the desk where the answer does. */
static void the_person_and_the_copay_travel_as_real_answers_carry_them(void **state)
{
    struct fixture *f = *state;
    struct eligibility_request_msg m;
    struct eligibility_response_msg res;
    struct eligibility_answer a;
    for (int enc = 0; enc <= 1; enc++) {
        numbers(&m, "112334", "101", "1990-02-03");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        assert_string_equal(res.qualification.name, "●橋\u3000●子");
        assert_string_equal(res.qualification.name_kana, "ﾀｶﾊｼ ﾖｼｺ");
        assert_int_equal(res.qualification.sex, 2);
        assert_string_equal(res.qualification.insurer_name, "北本市国民健康保険");
        assert_int_equal(res.qualification.card_valid, D("2020-04-01"));
        assert_int_equal(res.qualification.copay_percent, -1);
        assert_int_equal(res.qualification.elderly_percent, -1);
        assert_int_equal(res.qualification.preschool, 0);
        assert_int_equal(eligibility_response_to_answer(&res, &a), CORE_OK);
        assert_int_equal(a.qualification.copay_percent, -1); /* the desk derives 30 % */
        assert_int_equal(a.qualification.band, ELIGIBILITY_BAND_GENERAL);
        assert_string_equal(a.qualification.kana, "ﾀｶﾊｼ ﾖｼｺ");

        numbers(&m, "112334", "102", "1953-01-10");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        assert_int_equal(res.qualification.elderly_percent, 20);
        assert_int_equal(res.qualification.elderly_from, D("2023-02-01")); /* the month after the 70th */
        assert_int_equal(res.qualification.elderly_to, D("2028-01-09"));   /* the eve of the 75th */
        assert_int_equal(res.qualification.copay_percent, -1);
        assert_int_equal(eligibility_response_to_answer(&res, &a), CORE_OK);
        assert_int_equal(a.qualification.copay_percent, 20);
        assert_int_equal(a.qualification.band, ELIGIBILITY_BAND_ELDERLY);

        numbers(&m, "112334", "103", "1949-03-03");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        assert_int_equal(res.qualification.copay_percent, 10);
        assert_int_equal(res.qualification.elderly_percent, -1);
        assert_int_equal(eligibility_response_to_answer(&res, &a), CORE_OK);
        assert_int_equal(a.qualification.copay_percent, 10);
        assert_int_equal(a.qualification.band, ELIGIBILITY_BAND_LATTER);

        numbers(&m, "112334", "104", "2022-01-01");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        assert_int_equal(res.qualification.preschool, 1);
        assert_int_equal(res.qualification.copay_percent, -1);
        assert_int_equal(eligibility_response_to_answer(&res, &a), CORE_OK);
        assert_int_equal(a.qualification.band, ELIGIBILITY_BAND_PRESCHOOL);

        /* Generated: a name and kana of the fixed table, the same on every ask. */
        numbers(&m, "112334", "34", "1980-04-01");
        ask(f, &m, (enum eligibility_encoding)enc, &res);
        char name[ELIGIBILITY_PERSON_TEXT_MAX], kana[ELIGIBILITY_PERSON_TEXT_MAX],
            half[ELIGIBILITY_PERSON_TEXT_MAX];
        int sex;
        eligibility_person_generate(0, 0, name, kana, &sex); /* person 0, never given data */
        assert_string_equal(res.qualification.name, name);
        assert_int_equal(eligibility_kana_half_width(kana, half, sizeof half), CORE_OK);
        assert_string_equal(res.qualification.name_kana, half);
        assert_int_equal(res.qualification.sex, sex);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_answer_passes_the_checker, setup, teardown),
        cmocka_unit_test_setup_teardown(refusals_keep_the_header, setup, teardown),
        cmocka_unit_test_setup_teardown(an_expired_nonce_is_refused_with_the_header, setup, teardown),
        cmocka_unit_test_setup_teardown(padded_and_unpadded_insurer_numbers_find_the_same_member, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_leaver_gets_the_old_record, setup, teardown),
        cmocka_unit_test(real_shaped_answers_are_read),
        cmocka_unit_test_setup_teardown(the_person_and_the_copay_travel_as_real_answers_carry_them, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
