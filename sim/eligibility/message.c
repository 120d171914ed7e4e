/*
 * The eligibility messages in XML: one table per message names every element, its form and where its value
 * lives in the struct, and both the encoder and the parser walk that table. So the two cannot drift, and the
 * encoder can prove what it wrote by parsing it back.
 *
 * Hardening. The input is checked before libxml2 sees it (size, a UTF-8 or ASCII-compatible start), and the
 * parser runs with XML_PARSE_NONET and without entity substitution, DTD loading or XInclude. On top of that
 * the SAX callbacks that would let a hostile document grow are replaced: a DOCTYPE stops the parser at its
 * name, before any internal subset (so billion laughs, quadratic blowup and XXE never get a declaration in),
 * and so do entity references, processing instructions and CDATA; every start tag is counted for depth,
 * namespaces (XInclude lives in one) and attributes before the tree grows. What survives is walked against the
 * table: unknown elements, duplicates, order, missing elements and every value are checked, then the fields
 * that depend on each other.
 *
 * CP932. libxml2 converts through iconv; "Shift_JIS" (what the files declare) is aliased to iconv's CP932 so
 * that the wave dash, NEC and IBM extensions convert as Windows writes them. A character CP932 cannot hold is
 * written as ● (U+25CF), as the real system shows names it cannot display (message_cp932.c).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>

#include "eligibility/message_int.h"

#define XC(s) ((const xmlChar *)(s))

/* ---- codes -------------------------------------------------------------------------------------------- */

const char *eligibility_msg_code_string(int code)
{
    static const char *const names[] = {
        "MYNE3001", "MYNE3002", "MYNE3003", "MYNE3004", "MYNE3005", "MYNE3006", "MYNE3007",
        "MYNE3008", "MYNE3009", "MYNE3010", "MYNE3011", "MYNE3012", "MYNE3013",
    };
    if (code == ELIGIBILITY_MSG_OK)
        return "";
    if (code < ELIGIBILITY_MSG_TOO_LARGE || code > ELIGIBILITY_MSG_ORDER)
        return names[1];
    return names[code - ELIGIBILITY_MSG_TOO_LARGE];
}

static int fail(struct eligibility_msg_error *err, int code, int line, const char *element, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));

static int fail(struct eligibility_msg_error *err, int code, int line, const char *element, const char *fmt,
                ...)
{
    if (err != NULL && err->code == ELIGIBILITY_MSG_OK) {
        err->code = code;
        err->line = line;
        snprintf(err->element, sizeof err->element, "%s", element ? element : "");
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return CORE_EINVAL;
}

static void error_clear(struct eligibility_msg_error *err)
{
    if (err != NULL)
        memset(err, 0, sizeof *err);
}

/* ---- the tables --------------------------------------------------------------------------------------- */

enum ftype {
    T_GROUP,
    T_DIGITS,  /* a digit string of min..max digits, into char[size] */
    T_TEXT,    /* min..max bytes of UTF-8 without control characters, into char[size] */
    T_ID,      /* min..max of [0-9A-Za-z_.-], into char[size] */
    T_FILEID,  /* min..max printable ASCII characters other than space (what real clients send), char[size] */
    T_INSURER, /* 6 digits, or 8: digits, or 6 digits after two spaces or two zeros; stored as 6 or 8 digits,
                * written space-padded to 8 when `absent` is 1 (the answers) */
    T_DATE,    /* YYYYMMDD into core_day, CORE_DAY_NONE when absent */
    T_TIME,    /* YYYYMMDDhhmmss into char[15] */
    T_INT,     /* min..max digits into int, written zero-padded to min; `absent` when absent */
    T_B64,     /* base64 of min..max bytes into uint8_t[size], length into the size_t at `aux` */
};

struct group;

struct field {
    const char *name;
    enum ftype type;
    bool required;
    uint16_t min, max;
    size_t off, size, aux;
    int absent; /* T_INT: the value meaning absent; T_INSURER: 1 pads; T_GROUP: 1 may repeat (rest skipped) */
    const struct group *group;
};

struct group {
    const struct field *fields;
    size_t n;
    /* Optional groups: whether the struct holds one (encode) and marking that the message had one (parse). */
    bool (*present)(const void *m);
    void (*mark)(void *m);
    /* Open groups (the answer's) skip and count elements they do not know; closed ones refuse them. */
    bool open;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define STR(name, type, req, lo, hi, s, f)                                                                   \
    {                                                                                                        \
        name, type, req, lo, hi, offsetof(s, f), sizeof(((s *)0)->f), 0, 0, NULL                             \
    }
#define DATE(name, req, s, f)                                                                                \
    {                                                                                                        \
        name, T_DATE, req, 8, 8, offsetof(s, f), sizeof(core_day), 0, 0, NULL                                \
    }
#define INT(name, req, lo, hi, s, f, absent)                                                                 \
    {                                                                                                        \
        name, T_INT, req, lo, hi, offsetof(s, f), sizeof(int), 0, absent, NULL                               \
    }
#define B64(name, req, lo, hi, s, f, lenf)                                                                   \
    {                                                                                                        \
        name, T_B64, req, lo, hi, offsetof(s, f), sizeof(((s *)0)->f), offsetof(s, lenf), 0, NULL            \
    }
#define GROUP(name, req, g)                                                                                  \
    {                                                                                                        \
        name, T_GROUP, req, 0, 0, 0, 0, 0, 0, &g                                                             \
    }
#define GROUPS(name, req, g)                                                                                 \
    {                                                                                                        \
        name, T_GROUP, req, 0, 0, 0, 0, 0, 1, &g                                                             \
    }
#define INSURER(name, pad, s, f)                                                                             \
    {                                                                                                        \
        name, T_INSURER, true, 6, 8, offsetof(s, f), sizeof(((s *)0)->f), 0, pad, NULL                       \
    }

typedef struct eligibility_request_msg REQ;
typedef struct eligibility_response_msg RES;

static const struct field req_header_f[] = {
    DATE("QualificationConfirmationDate", true, REQ, date),
    STR("MedicalInstitutionCode", T_DIGITS, true, 10, 10, REQ, institution),
    STR("ArbitraryFileIdentifier", T_FILEID, true, 1, ELIGIBILITY_MSG_FILE_ID_MAX, REQ, file_id),
};
static const struct group req_header = {req_header_f, N(req_header_f), NULL, NULL, false};

static const struct field req_numbers_f[] = {
    INSURER("InsurerNumber", 0, REQ, numbers.insurer_number),
    STR("InsuredCardSymbol", T_TEXT, false, 1, 31, REQ, numbers.symbol),
    STR("InsuredIdentificationNumber", T_TEXT, true, 1, 31, REQ, numbers.number),
    STR("InsuredBranchNumber", T_DIGITS, false, 2, 2, REQ, numbers.branch),
    DATE("Birthdate", true, REQ, born),
    INT("LimitApplicationCertificateRelatedConsFlg", true, 1, 1, REQ, limit_consent, -1),
    STR("ArbitraryIdentifier", T_FILEID, false, 1, ELIGIBILITY_MSG_FILE_ID_MAX, REQ, arbitrary_id),
};

static bool req_is_numbers(const void *m)
{
    return ((const REQ *)m)->kind == ELIGIBILITY_REQUEST_NUMBERS;
}
static void req_mark_numbers(void *m)
{
    ((REQ *)m)->kind = ELIGIBILITY_REQUEST_NUMBERS;
}
static bool req_is_card(const void *m)
{
    return ((const REQ *)m)->kind == ELIGIBILITY_REQUEST_CARD;
}
static void req_mark_card(void *m)
{
    ((REQ *)m)->kind = ELIGIBILITY_REQUEST_CARD;
}

static const struct group req_numbers = {req_numbers_f, N(req_numbers_f), req_is_numbers, req_mark_numbers,
                                         false};

/* mynasim's own: the card route (docs/MESSAGES.md). */
static const struct field req_card_f[] = {
    INT("AuthenticationClassification", true, 1, 1, REQ, card.auth_class, -1),
    B64("UserAuthenticationCertificate", true, 1, ELIGIBILITY_MSG_CERT_MAX, REQ, card.certificate,
        card.certificate_len),
    B64("Nonce", true, ELIGIBILITY_MSG_NONCE_MIN, ELIGIBILITY_MSG_NONCE_MAX, REQ, card.nonce, card.nonce_len),
    B64("CardSignature", false, 1, ELIGIBILITY_MSG_SIGNATURE_MAX, REQ, card.signature, card.signature_len),
    INT("PinBlockedFlg", true, 1, 1, REQ, card.pin_blocked, -1),
    STR("ReaderIdentifier", T_ID, true, 1, 32, REQ, card.reader_id),
    INT("FaceMatchResult", false, 1, 1, REQ, card.face_match, 0),
    B64("ReaderSignature", false, 1, ELIGIBILITY_MSG_READER_SIGNATURE_MAX, REQ, card.reader_signature,
        card.reader_signature_len),
    INT("LimitApplicationCertificateRelatedConsFlg", true, 1, 1, REQ, limit_consent, -1),
    STR("ArbitraryIdentifier", T_FILEID, false, 1, ELIGIBILITY_MSG_FILE_ID_MAX, REQ, arbitrary_id),
};
static const struct group req_card = {req_card_f, N(req_card_f), req_is_card, req_mark_card, false};

static const struct field req_body_f[] = {
    GROUP("QualificationConfirmSearchInfo", false, req_numbers),
    GROUP("CardAuthenticationInfo", false, req_card),
};
static const struct group req_body = {req_body_f, N(req_body_f), NULL, NULL, false};

static const struct field req_root_f[] = {
    GROUP("MessageHeader", true, req_header),
    GROUP("MessageBody", true, req_body),
};
static const struct group req_root = {req_root_f, N(req_root_f), NULL, NULL, false};

static const struct field res_header_f[] = {
    STR("ProcessExecutionTime", T_TIME, true, 14, 14, RES, process_time),
    DATE("QualificationConfirmationDate", false, RES, date),
    STR("MedicalInstitutionCode", T_DIGITS, false, 10, 10, RES, institution),
    STR("ArbitraryFileIdentifier", T_FILEID, false, 1, ELIGIBILITY_MSG_FILE_ID_MAX, RES, file_id),
    INT("ReferenceClassification", false, 1, 1, RES, reference, 0),
    INT("SegmentOfResult", true, 1, 1, RES, segment, -1),
    STR("ErrorCode", T_ID, false, 1, 8, RES, error_code),
    STR("ErrorMessage", T_TEXT, false, 1, 120, RES, error_message),
    INT("CharacterCodeIdentifier", true, 1, 1, RES, encoding, -1),
};
static const struct group res_header = {res_header_f, N(res_header_f), NULL, NULL, true};

#define Q(f) qualification.f
static const struct field res_limit_f[] = {
    STR("LimitApplicationCertificateClassificationFlag", T_ID, true, 3, 3, RES, Q(limit_flag)),
};
static bool res_has_limit(const void *m)
{
    return ((const RES *)m)->qualification.limit_flag[0] != '\0';
}
static const struct group res_limit = {res_limit_f, N(res_limit_f), res_has_limit, NULL, true};

static const struct field res_elderly_f[] = {
    DATE("ElderlyRecipientValidStartDate", false, RES, Q(elderly_from)),
    DATE("ElderlyRecipientValidEndDate", false, RES, Q(elderly_to)),
    INT("ElderlyRecipientContributionRatio", true, 3, 3, RES, Q(elderly_percent), -1),
};
static bool res_has_elderly(const void *m)
{
    return ((const RES *)m)->qualification.elderly_percent >= 0;
}
static const struct group res_elderly = {res_elderly_f, N(res_elderly_f), res_has_elderly, NULL, true};

static const struct field res_qual_f[] = {
    STR("InsuredCardClassification", T_DIGITS, true, 2, 2, RES, Q(card_class)),
    INSURER("InsurerNumber", 1, RES, Q(numbers.insurer_number)),
    STR("InsurerName", T_TEXT, false, 1, 120, RES, Q(insurer_name)),
    STR("InsuredCardSymbol", T_TEXT, false, 1, 31, RES, Q(numbers.symbol)),
    STR("InsuredIdentificationNumber", T_TEXT, true, 1, 31, RES, Q(numbers.number)),
    STR("InsuredBranchNumber", T_DIGITS, false, 2, 2, RES, Q(numbers.branch)),
    INT("PersonalFamilyClassification", true, 1, 1, RES, Q(family), -1),
    STR("InsuredName", T_TEXT, false, 1, 120, RES, Q(insured_name)),
    STR("Name", T_TEXT, false, 1, 120, RES, Q(name)),
    STR("NameKana", T_TEXT, false, 1, 120, RES, Q(name_kana)),
    INT("Sex1", false, 1, 1, RES, Q(sex), 0),
    DATE("Birthdate", true, RES, Q(born)),
    DATE("QualificationDate", true, RES, Q(qualification_date)),
    DATE("DisqualificationDate", false, RES, Q(disqualification_date)),
    DATE("InsuredCardValidDate", false, RES, Q(card_valid)),
    DATE("InsuredCardExpirationDate", false, RES, Q(card_expires)),
    INT("InsuredPartialContributionRatio", false, 3, 3, RES, Q(copay_percent), -1),
    INT("PreschoolClassification", false, 1, 1, RES, Q(preschool), 0),
    GROUP("ElderlyRecipientCertificateInfo", false, res_elderly),
    GROUP("LimitApplicationCertificateRelatedInfo", false, res_limit),
    INT("TaxArrearsClassification", false, 1, 1, RES, Q(tax_arrears), -1),
};
static const struct group res_qual = {res_qual_f, N(res_qual_f), NULL, NULL, true};

static const struct field res_list_f[] = {
    GROUPS("ResultOfQualificationConfirmation", true, res_qual),
};
static bool res_has_list(const void *m)
{
    return ((const RES *)m)->has_qualification;
}
static void res_mark_list(void *m)
{
    ((RES *)m)->has_qualification = true;
}
static const struct group res_list = {res_list_f, N(res_list_f), res_has_list, res_mark_list, true};

static const struct field res_body_f[] = {
    INT("ProcessingResultStatus", true, 1, 1, RES, status, -1),
    STR("ProcessingResultCode", T_ID, false, 1, 8, RES, result_code),
    STR("ProcessingResultMessage", T_TEXT, false, 1, 120, RES, result_message),
    INT("QualificationValidity", false, 1, 1, RES, validity, 0),
    GROUP("ResultList", false, res_list),
};
static const struct group res_body = {res_body_f, N(res_body_f), NULL, NULL, true};

static const struct field res_root_f[] = {
    GROUP("MessageHeader", true, res_header),
    GROUP("MessageBody", true, res_body),
};
static const struct group res_root = {res_root_f, N(res_root_f), NULL, NULL, true};

/* ---- values ------------------------------------------------------------------------------------------- */

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static bool id_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           c == '.' || c == '-';
}

static int digits_value(const char *s, size_t len)
{
    int v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static CORE_MUST_USE bool ymd(const char *s, core_day *out)
{
    int y = digits_value(s, 4), m = digits_value(s + 4, 2), d = digits_value(s + 6, 2);
    return y >= 1900 && core_date_from_ymd(y, m, d, out) == CORE_OK;
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* A certificate and a signature are some 2,000 base64 characters per request: ranges, not a strchr each. */
static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Strict base64: no whitespace, padded to a multiple of 4, '=' only at the end. */
static CORE_MUST_USE bool b64_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *outlen)
{
    if (len % 4 != 0)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            if (s[i + k] == '=' && i + 4 == len && k >= 2 && (k == 3 || s[i + 3] == '=')) {
                v[k] = 0;
                pad++;
                continue;
            }
            v[k] = b64val((unsigned char)s[i + k]);
            if (v[k] < 0 || pad > 0)
                return false;
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        uint8_t bytes[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
        /* Canonical form only: the bits a padded group drops must be zero, so one value has one text. */
        if ((pad == 1 && bytes[2] != 0) || (pad == 2 && bytes[1] != 0))
            return false;
        for (int k = 0; k < 3 - pad; k++) {
            if (o == cap)
                return false;
            out[o++] = bytes[k];
        }
    }
    *outlen = o;
    return true;
}

static size_t b64_encode(const uint8_t *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t w = (uint32_t)in[i] << 16;
        if (i + 1 < len)
            w |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len)
            w |= in[i + 2];
        out[o++] = b64chars[w >> 18 & 63];
        out[o++] = b64chars[w >> 12 & 63];
        out[o++] = i + 1 < len ? b64chars[w >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? b64chars[w & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

/* Largest text a field can hold: base64 of the certificate. */
#define VALUE_MAX (ELIGIBILITY_MSG_CERT_MAX / 3 * 4 + 8)

/* Checks one value and stores it. Text is what libxml2 handed over: UTF-8, NUL-free, of length len. */
static CORE_MUST_USE int store(const struct field *f, const char *v, size_t len, void *base, int line,
                               struct eligibility_msg_error *err)
{
    char *p = (char *)base + f->off;
    bool ok = len >= f->min && len <= f->max;
    switch (f->type) {
    case T_DIGITS:
    case T_INT:
        ok = ok && all_digits(v, len);
        break;
    case T_ID:
        for (size_t i = 0; ok && i < len; i++)
            ok = id_char(v[i]);
        break;
    case T_FILEID:
        for (size_t i = 0; ok && i < len; i++)
            ok = v[i] > 0x20 && v[i] < 0x7f;
        break;
    case T_INSURER:
        /* The same insurer, however written: 6 digits, or padded to 8 with two spaces (as the answers write
         * it) or two zeros. No 8-digit number starts with 00 (the first two digits are a law number). */
        if (len == 8 && ((v[0] == ' ' && v[1] == ' ') || (v[0] == '0' && v[1] == '0'))) {
            v += 2;
            len = 6;
        }
        ok = (len == 6 || len == 8) && all_digits(v, len);
        break;
    case T_TEXT:
        for (size_t i = 0; ok && i < len; i++)
            ok = (unsigned char)v[i] >= 0x20 && v[i] != 0x7f;
        break;
    case T_DATE:
        ok = ok && all_digits(v, len) && ymd(v, (core_day *)(void *)p);
        break;
    case T_TIME:
        ok = ok && all_digits(v, len) && ymd(v, &(core_day){0}) && digits_value(v + 8, 2) < 24 &&
             digits_value(v + 10, 2) < 60 && digits_value(v + 12, 2) < 60;
        break;
    case T_B64: {
        size_t n = 0;
        ok = b64_decode(v, len, (uint8_t *)p, f->size, &n) && n >= f->min && n <= f->max;
        if (ok)
            *(size_t *)(void *)((char *)base + f->aux) = n;
        break;
    }
    case T_GROUP:
        ok = false;
        break;
    }
    if (!ok)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, line, f->name, "value of the wrong form or length");
    if (f->type == T_INT)
        *(int *)(void *)p = digits_value(v, len);
    else if (f->type != T_DATE && f->type != T_B64) {
        memcpy(p, v, len);
        p[len] = '\0';
    }
    return CORE_OK;
}

/* Formats a field for writing; false when absent. A value too long for its array becomes a value every type
 * refuses, so write_group's check refuses it before anything is written. */
static CORE_MUST_USE bool format_value(const struct field *f, const void *base, char *out, size_t cap)
{
    const char *p = (const char *)base + f->off;
    switch (f->type) {
    case T_DATE: {
        core_day d = *(const core_day *)(const void *)p;
        if (d == CORE_DAY_NONE)
            return false;
        int y, m, dd;
        core_date_to_ymd(d, &y, &m, &dd);
        snprintf(out, cap, "%04d%02d%02d", y, m, dd);
        return true;
    }
    case T_INT: {
        int v = *(const int *)(const void *)p;
        if (v == f->absent)
            return false;
        snprintf(out, cap, "%0*d", (int)f->min, v);
        return true;
    }
    case T_B64: {
        size_t n = *(const size_t *)(const void *)((const char *)base + f->aux);
        if (n == 0)
            return false;
        if (n > f->size)
            snprintf(out, cap, "!"); /* refused on the parse back; never read past the array */
        else
            b64_encode((const uint8_t *)p, n, out);
        return true;
    }
    default: {
        size_t n = strnlen(p, f->size);
        if (n == 0)
            return false;
        if (n == f->size) {
            snprintf(out, cap, "\x7f"); /* not terminated: a character every type refuses */
            return true;
        }
        if (f->type == T_INSURER && f->absent == 1 && n == 6 && cap > 8) {
            snprintf(out, cap, "  %s", p); /* the answers' form: 6 digits right-aligned in 8 */
            return true;
        }
        memcpy(out, p, n);
        out[n] = '\0';
        return true;
    }
    }
}

/* ---- parsing ------------------------------------------------------------------------------------------ */

struct guard {
    int code;
    int line;
    int depth;
    char what[48];
    startElementNsSAX2Func start;
    endElementNsSAX2Func end;
    char xml_error[120];
    int xml_line;
};

static void guard_stop(void *ctx, int code, const char *what)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct guard *g = ctxt->_private;
    if (g->code == 0) {
        g->code = code;
        g->line = xmlSAX2GetLineNumber(ctxt);
        snprintf(g->what, sizeof g->what, "%s", what);
    }
    xmlStopParser(ctxt);
}

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nb_ns,
                     const xmlChar **ns, int nb_attr, int nb_defaulted, const xmlChar **attrs)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct guard *g = ctxt->_private;
    if (++g->depth > ELIGIBILITY_MSG_MAX_DEPTH)
        guard_stop(ctx, ELIGIBILITY_MSG_TOO_DEEP, (const char *)local);
    else if (uri != NULL || prefix != NULL || nb_ns > 0)
        guard_stop(ctx, ELIGIBILITY_MSG_FORBIDDEN, "namespace");
    else if (nb_attr > ELIGIBILITY_MSG_MAX_ATTRIBUTES)
        guard_stop(ctx, ELIGIBILITY_MSG_ATTRIBUTE, (const char *)local);
    else
        g->start(ctx, local, prefix, uri, nb_ns, ns, nb_attr, nb_defaulted, attrs);
}

static void on_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct guard *g = ctxt->_private;
    g->depth--;
    g->end(ctx, local, prefix, uri);
}

static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    (void)name, (void)ext, (void)sys;
    guard_stop(ctx, ELIGIBILITY_MSG_FORBIDDEN, "DOCTYPE");
}

static void on_reference(void *ctx, const xmlChar *name)
{
    (void)name;
    guard_stop(ctx, ELIGIBILITY_MSG_FORBIDDEN, "entity reference");
}

static xmlEntityPtr on_get_entity(void *ctx, const xmlChar *name)
{
    (void)name;
    guard_stop(ctx, ELIGIBILITY_MSG_FORBIDDEN, "entity reference");
    return NULL;
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    (void)target, (void)data;
    guard_stop(ctx, ELIGIBILITY_MSG_FORBIDDEN, "processing instruction");
}

static void on_cdata(void *ctx, const xmlChar *value, int len)
{
    (void)value, (void)len;
    guard_stop(ctx, ELIGIBILITY_MSG_FORBIDDEN, "CDATA section");
}

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    xmlParserCtxtPtr ctxt = ctx;
    struct guard *g = ctxt->_private;
    if (g->xml_error[0] == '\0' && e != NULL) {
        snprintf(g->xml_error, sizeof g->xml_error, "%s", e->message ? e->message : "XML error");
        g->xml_error[strcspn(g->xml_error, "\n")] = '\0';
        g->xml_line = e->line;
    }
}

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
    xmlInitParser();
    /* CP932 behind every name the files use for Shift_JIS (libxml2 looks aliases up case-blind). */
    xmlAddEncodingAlias("CP932", "SHIFT_JIS");
    xmlAddEncodingAlias("CP932", "SHIFT-JIS");
    xmlAddEncodingAlias("CP932", "SJIS");
    xmlAddEncodingAlias("CP932", "WINDOWS-31J");
}

void elig_msg_init(void)
{
    pthread_once(&init_once, init_libxml);
}

static CORE_MUST_USE int encoding_of(const xmlDoc *doc, enum eligibility_encoding *out)
{
    const char *e = (const char *)doc->encoding;
    if (e == NULL || xmlStrcasecmp(doc->encoding, XC("UTF-8")) == 0) {
        *out = ELIGIBILITY_ENC_UTF8;
        return CORE_OK;
    }
    static const char *const sjis[] = {"Shift_JIS", "Shift-JIS", "SJIS", "CP932", "Windows-31J"};
    for (size_t i = 0; i < N(sjis); i++)
        if (xmlStrcasecmp(XC(e), XC(sjis[i])) == 0) {
            *out = ELIGIBILITY_ENC_CP932;
            return CORE_OK;
        }
    return CORE_EINVAL;
}

/* What an open group skipped: elements mynasim does not know, and repeats of a repeating group. */
struct skipped {
    unsigned unknown, extra;
};

static CORE_MUST_USE int walk_group(const xmlNode *node, const struct group *g, void *base,
                                    struct skipped *sk, struct eligibility_msg_error *err);

static CORE_MUST_USE int walk_leaf(const xmlNode *node, const struct field *f, void *base,
                                   struct eligibility_msg_error *err)
{
    char value[VALUE_MAX + 1];
    size_t len = 0;
    int line = (int)xmlGetLineNo(node);
    for (const xmlNode *c = node->children; c != NULL; c = c->next) {
        if (c->type == XML_COMMENT_NODE)
            continue;
        if (c->type != XML_TEXT_NODE)
            return fail(err, ELIGIBILITY_MSG_UNKNOWN_ELEMENT, line, f->name, "a value holds no elements");
        size_t n = strlen((const char *)c->content);
        if (n > VALUE_MAX - len)
            return fail(err, ELIGIBILITY_MSG_BAD_VALUE, line, f->name, "value too long");
        memcpy(value + len, c->content, n);
        len += n;
    }
    value[len] = '\0';
    return store(f, value, len, base, line, err);
}

static bool blank(const xmlChar *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* Elements are read in any order: real answers do not keep one (docs/MESSAGES.md). */
static CORE_MUST_USE int walk_group(const xmlNode *node, const struct group *g, void *base,
                                    struct skipped *sk, struct eligibility_msg_error *err)
{
    uint32_t seen = 0;
    for (const xmlNode *c = node->children; c != NULL; c = c->next) {
        int line = (int)xmlGetLineNo(c);
        if (c->type == XML_COMMENT_NODE)
            continue;
        if (c->type == XML_TEXT_NODE) {
            if (!blank(c->content))
                return fail(err, ELIGIBILITY_MSG_BAD_VALUE, line, (const char *)node->name,
                            "text between elements");
            continue;
        }
        if (c->type != XML_ELEMENT_NODE)
            return fail(err, ELIGIBILITY_MSG_FORBIDDEN, line, (const char *)node->name, "node of type %d",
                        (int)c->type);
        size_t i = 0;
        while (i < g->n && strcmp(g->fields[i].name, (const char *)c->name) != 0)
            i++;
        if (i == g->n && g->open) {
            sk->unknown++; /* skipped whole; the guard has already held its depth and attributes */
            continue;
        }
        if (i == g->n)
            return fail(err, ELIGIBILITY_MSG_UNKNOWN_ELEMENT, line, (const char *)c->name, "unknown in %s",
                        (const char *)node->name);
        const struct field *f = &g->fields[i];
        if ((seen & (1u << i)) && f->type == T_GROUP && f->absent == 1) {
            sk->extra++;
            continue;
        }
        if (seen & (1u << i))
            return fail(err, ELIGIBILITY_MSG_DUPLICATE, line, (const char *)c->name, "given twice");
        seen |= 1u << i;
        int rc;
        if (f->type == T_GROUP) {
            if (f->group->mark != NULL)
                f->group->mark(base);
            rc = walk_group(c, f->group, base, sk, err);
        } else {
            rc = walk_leaf(c, f, base, err);
        }
        if (rc != CORE_OK)
            return rc;
    }
    for (size_t i = 0; i < g->n; i++)
        if (g->fields[i].required && !(seen & (1u << i)))
            return fail(err, ELIGIBILITY_MSG_MISSING, (int)xmlGetLineNo(node), g->fields[i].name,
                        "missing in %s", (const char *)node->name);
    return CORE_OK;
}

/* Parses buf into a tree under the guard, then walks it against root. */
static CORE_MUST_USE int parse_doc(const void *buf, size_t len, const struct group *root, void *base,
                                   enum eligibility_encoding *enc, struct skipped *sk,
                                   struct eligibility_msg_error *err)
{
    elig_msg_init();
    if (buf == NULL && len > 0)
        return fail(err, ELIGIBILITY_MSG_MALFORMED, 0, NULL, "no input");
    if (len > ELIGIBILITY_MSG_MAX_BYTES)
        return fail(err, ELIGIBILITY_MSG_TOO_LARGE, 0, NULL, "%zu bytes, at most %d", len,
                    ELIGIBILITY_MSG_MAX_BYTES);
    const unsigned char *b = buf;
    size_t start = len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
    if (len - start < 2)
        return fail(err, ELIGIBILITY_MSG_MALFORMED, 1, NULL, "no document");
    /* UTF-16 and UCS-4 (by BOM or by a zero byte after '<') and EBCDIC never reach libxml2. */
    if (b[start] != '<' || b[start + 1] == 0)
        return fail(err, ELIGIBILITY_MSG_ENCODING, 1, NULL, "not UTF-8 or Shift_JIS XML");

    xmlParserCtxtPtr ctxt = xmlCreateMemoryParserCtxt((const char *)buf, (int)len);
    if (ctxt == NULL)
        return fail(err, ELIGIBILITY_MSG_MALFORMED, 0, NULL, "out of memory");
    struct guard g;
    memset(&g, 0, sizeof g);
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    ctxt->_private = &g;
    g.start = ctxt->sax->startElementNs;
    g.end = ctxt->sax->endElementNs;
    ctxt->sax->startElementNs = on_start;
    ctxt->sax->endElementNs = on_end;
    ctxt->sax->internalSubset = on_doctype;
    ctxt->sax->externalSubset = on_doctype;
    ctxt->sax->reference = on_reference;
    ctxt->sax->getEntity = on_get_entity;
    ctxt->sax->getParameterEntity = on_get_entity;
    ctxt->sax->processingInstruction = on_pi;
    ctxt->sax->cdataBlock = on_cdata;
    ctxt->sax->serror = on_xml_error;

    xmlGenericErrorFunc old_err = xmlGenericError;
    void *old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, silent);
    xmlParseDocument(ctxt);
    xmlSetGenericErrorFunc(old_ctx, old_err);

    xmlDocPtr doc = ctxt->myDoc;
    ctxt->myDoc = NULL;
    bool well_formed = ctxt->wellFormed != 0;
    xmlFreeParserCtxt(ctxt);

    int rc = CORE_OK;
    if (g.code != 0)
        rc = fail(err, g.code, g.line, g.what, "%s refused", g.what);
    else if (!well_formed || doc == NULL)
        rc = fail(err, ELIGIBILITY_MSG_MALFORMED, g.xml_line, NULL, "%s",
                  g.xml_error[0] ? g.xml_error : "not XML");
    else if (encoding_of(doc, enc) != CORE_OK)
        rc = fail(err, ELIGIBILITY_MSG_ENCODING, 1, NULL, "encoding %s", (const char *)doc->encoding);
    else {
        const xmlNode *top = xmlDocGetRootElement(doc);
        if (top == NULL || strcmp((const char *)top->name, "XmlMsg") != 0)
            rc = fail(err, ELIGIBILITY_MSG_UNKNOWN_ELEMENT, top ? (int)xmlGetLineNo(top) : 1,
                      top ? (const char *)top->name : "", "the root must be XmlMsg");
        else
            rc = walk_group(top, root, base, sk, err);
    }
    xmlFreeDoc(doc);
    return rc;
}

/* ---- the fields that depend on each other -------------------------------------------------------------- */

static CORE_MUST_USE int check_request(const REQ *m, struct eligibility_msg_error *err)
{
    if (m->kind != ELIGIBILITY_REQUEST_NUMBERS && m->kind != ELIGIBILITY_REQUEST_CARD)
        return fail(err, ELIGIBILITY_MSG_WRONG_KIND, 0, "MessageBody",
                    "one of QualificationConfirmSearchInfo and CardAuthenticationInfo is needed");
    if (m->limit_consent > 1)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "LimitApplicationCertificateRelatedConsFlg", "0 or 1");
    if (m->kind == ELIGIBILITY_REQUEST_NUMBERS) {
        const char *in = m->numbers.insurer_number;
        size_t n = strnlen(in, sizeof m->numbers.insurer_number);
        if (n != 6 && n != 8)
            return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "InsurerNumber", "6 or 8 digits");
        if (!core_insurer_number_valid(in, n))
            return fail(err, ELIGIBILITY_MSG_CHECK_DIGIT, 0, "InsurerNumber", "check digit wrong");
        return CORE_OK;
    }
    const struct eligibility_card_auth *c = &m->card;
    if (c->auth_class < ELIGIBILITY_MSG_AUTH_FACE || c->auth_class > ELIGIBILITY_MSG_AUTH_VISUAL)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "AuthenticationClassification", "1, 2 or 3");
    if (c->pin_blocked > 1)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "PinBlockedFlg", "0 or 1");
    if (c->face_match > 2)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "FaceMatchResult", "1 or 2");
    if (c->auth_class == ELIGIBILITY_MSG_AUTH_PIN) {
        if (c->face_match != 0 || c->reader_signature_len != 0)
            return fail(err, ELIGIBILITY_MSG_WRONG_KIND, 0, "FaceMatchResult",
                        "the PIN route has no face match and no reader signature");
        if ((c->signature_len == 0) != (c->pin_blocked == 1))
            return fail(err, ELIGIBILITY_MSG_WRONG_KIND, 0, "CardSignature",
                        "the PIN route has a card signature unless the PIN is blocked");
        return CORE_OK;
    }
    if (c->face_match == 0 || c->reader_signature_len == 0 || c->signature_len != 0 || c->pin_blocked != 0)
        return fail(err, ELIGIBILITY_MSG_WRONG_KIND, 0, "ReaderSignature",
                    "face and visual routes carry the match result and the reader's signature only");
    return CORE_OK;
}

static bool limit_flag_valid(const char *s)
{
    if (strlen(s) != 3 || (s[0] != 'A' && s[0] != 'B') || !all_digits(s + 1, 2))
        return false;
    int n = digits_value(s + 1, 2);
    return n >= 1 && n <= (s[0] == 'A' ? 6 : 10);
}

static CORE_MUST_USE int check_response(const RES *m, struct eligibility_msg_error *err)
{
    if (m->encoding != ELIGIBILITY_ENC_UTF8 && m->encoding != ELIGIBILITY_ENC_CP932)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "CharacterCodeIdentifier", "0 or 1");
    if (m->reference > 2)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "ReferenceClassification", "1 or 2");
    if (m->segment != 1 && m->segment != 2 && m->segment != 9)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "SegmentOfResult", "1, 2 or 9");
    if (m->status != 1 && m->status != 2)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "ProcessingResultStatus", "1 or 2");
    if (m->validity > 5)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "QualificationValidity", "1 to 5");
    if ((m->segment == 9) != (m->error_code[0] != '\0'))
        return fail(err, ELIGIBILITY_MSG_WRONG_KIND, 0, "ErrorCode",
                    "an error code with SegmentOfResult 9 only");
    if (!m->has_qualification)
        return CORE_OK;
    const struct eligibility_qualification_msg *q = &m->qualification;
    int cls = digits_value(q->card_class, 2);
    if (cls < 1 || cls > 7)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "InsuredCardClassification", "01 to 07");
    size_t n = strnlen(q->numbers.insurer_number, sizeof q->numbers.insurer_number);
    if (n != 6 && n != 8)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "InsurerNumber", "6 or 8 digits");
    if (!core_insurer_number_valid(q->numbers.insurer_number, n))
        return fail(err, ELIGIBILITY_MSG_CHECK_DIGIT, 0, "InsurerNumber", "check digit wrong");
    if (q->family != 1 && q->family != 2)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "PersonalFamilyClassification", "1 or 2");
    if (q->sex > 3)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "Sex1", "1, 2 or 3");
    if (q->copay_percent > 100)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "InsuredPartialContributionRatio", "000 to 100");
    if (q->elderly_percent > 100)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "ElderlyRecipientContributionRatio", "000 to 100");
    if (q->preschool > 1)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "PreschoolClassification", "1");
    if (q->elderly_from != CORE_DAY_NONE && q->elderly_to != CORE_DAY_NONE && q->elderly_to < q->elderly_from)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "ElderlyRecipientValidEndDate",
                    "on or after ElderlyRecipientValidStartDate");
    if (q->card_valid != CORE_DAY_NONE && q->card_expires != CORE_DAY_NONE && q->card_expires < q->card_valid)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "InsuredCardExpirationDate",
                    "on or after InsuredCardValidDate");
    if (q->tax_arrears > 1)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "TaxArrearsClassification", "0 or 1");
    if (q->limit_flag[0] != '\0' && !limit_flag_valid(q->limit_flag))
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "LimitApplicationCertificateClassificationFlag",
                    "A01..A06 or B01..B10");
    if (q->disqualification_date != CORE_DAY_NONE && q->disqualification_date <= q->qualification_date)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, "DisqualificationDate", "after QualificationDate");
    return CORE_OK;
}

static void request_blank(REQ *m)
{
    memset(m, 0, sizeof *m);
    m->date = m->born = CORE_DAY_NONE;
    m->limit_consent = m->card.auth_class = m->card.pin_blocked = -1;
}

static void response_blank(RES *m)
{
    memset(m, 0, sizeof *m);
    m->date = m->qualification.born = m->qualification.qualification_date = CORE_DAY_NONE;
    m->qualification.disqualification_date = CORE_DAY_NONE;
    m->qualification.card_valid = m->qualification.card_expires = CORE_DAY_NONE;
    m->qualification.elderly_from = m->qualification.elderly_to = CORE_DAY_NONE;
    m->qualification.elderly_percent = -1;
    m->segment = m->status = m->qualification.family = m->qualification.copay_percent = -1;
    m->qualification.tax_arrears = -1;
    m->encoding = -1;
}

int eligibility_request_parse(const void *buf, size_t len, struct eligibility_request_msg *out,
                              struct eligibility_msg_error *err)
{
    error_clear(err);
    if (out == NULL)
        return fail(err, ELIGIBILITY_MSG_MALFORMED, 0, NULL, "no output");
    request_blank(out);
    enum eligibility_encoding enc = ELIGIBILITY_ENC_UTF8;
    struct skipped sk = {0, 0};
    int rc = parse_doc(buf, len, &req_root, out, &enc, &sk, err);
    out->encoding = enc;
    /* Whichever body came last marked the kind; a message with both holds the other's required fields. */
    if (rc == CORE_OK && out->born != CORE_DAY_NONE && out->card.auth_class != -1)
        rc = fail(err, ELIGIBILITY_MSG_WRONG_KIND, 0, "MessageBody", "two request bodies");
    if (rc == CORE_OK)
        rc = check_request(out, err);
    return rc;
}

int eligibility_response_parse(const void *buf, size_t len, struct eligibility_response_msg *out,
                               struct eligibility_msg_error *err)
{
    error_clear(err);
    if (out == NULL)
        return fail(err, ELIGIBILITY_MSG_MALFORMED, 0, NULL, "no output");
    response_blank(out);
    enum eligibility_encoding enc = ELIGIBILITY_ENC_UTF8;
    struct skipped sk = {0, 0};
    int rc = parse_doc(buf, len, &res_root, out, &enc, &sk, err);
    out->unknown_elements = sk.unknown;
    out->extra_results = sk.extra;
    if (rc == CORE_OK && out->encoding != (int)enc)
        rc = fail(err, ELIGIBILITY_MSG_ENCODING, 0, "CharacterCodeIdentifier",
                  "disagrees with the file's encoding");
    if (rc == CORE_OK)
        rc = check_response(out, err);
    out->encoding = enc;
    return rc;
}

/* ---- encoding ----------------------------------------------------------------------------------------- */

/*
 * Writes group g of base. Every value written is first checked as the parser will check it when it reads the
 * message (store, into `scratch`, a blank message of the same kind), and a required element missing is
 * refused as the parser refuses it: nothing leaves that the other side would refuse, without parsing the
 * document back (which doubled the XML work of a visit). The fuzz targets check the round trip itself.
 */
static CORE_MUST_USE int write_group(xmlTextWriterPtr w, const struct group *g, const void *base,
                                     void *scratch, enum eligibility_encoding enc,
                                     struct eligibility_msg_error *err)
{
    char value[VALUE_MAX + 1];
    for (size_t i = 0; i < g->n; i++) {
        const struct field *f = &g->fields[i];
        if (f->type == T_GROUP) {
            if (f->group->present != NULL && !f->group->present(base)) {
                if (f->required)
                    return fail(err, ELIGIBILITY_MSG_MISSING, 0, f->name, "missing");
                continue;
            }
            if (f->group->mark != NULL)
                f->group->mark(scratch);
            int rc = CORE_OK;
            if (xmlTextWriterStartElement(w, XC(f->name)) < 0 ||
                (rc = write_group(w, f->group, base, scratch, enc, err)) != CORE_OK ||
                xmlTextWriterEndElement(w) < 0)
                return rc != CORE_OK ? rc : fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, f->name, "cannot write");
            continue;
        }
        if (!format_value(f, base, value, sizeof value)) {
            if (f->required)
                return fail(err, ELIGIBILITY_MSG_MISSING, 0, f->name, "missing");
            continue;
        }
        const char *text = value;
        char safe[ELIGIBILITY_MSG_TEXT_MAX * 3];
        if (enc == ELIGIBILITY_ENC_CP932 && f->type == T_TEXT) {
            if (elig_cp932_safe(value, safe, sizeof safe) != CORE_OK)
                return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, f->name, "not UTF-8");
            text = safe;
        }
        int rc = CORE_OK;
        if (f->type == T_B64) {
            /* Written from the bytes just now, canonical by construction: decoding it again would only
             * measure the length, which is here. */
            size_t n = *(const size_t *)(const void *)((const char *)base + f->aux);
            if (n < f->min || n > f->max || n > f->size)
                rc = fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, f->name, "value of the wrong form or length");
        } else {
            rc = store(f, text, strlen(text), scratch, 0, err);
        }
        if (rc != CORE_OK)
            return rc;
        if (xmlTextWriterWriteElement(w, XC(f->name), XC(text)) < 0)
            return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, f->name, "cannot write");
    }
    return CORE_OK;
}

/* Writes the document, then parses it back into `scratch` with `parse`, so nothing leaves that the parser
 * would refuse. */
static CORE_MUST_USE int encode_doc(const struct group *root, const void *base, void *scratch,
                                    enum eligibility_encoding enc, char *buf, size_t cap, size_t *len,
                                    struct eligibility_msg_error *err)
{
    elig_msg_init();
    if (buf == NULL || len == NULL || (enc != ELIGIBILITY_ENC_UTF8 && enc != ELIGIBILITY_ENC_CP932))
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, NULL, "bad arguments");
    xmlBufferPtr out = xmlBufferCreate();
    xmlTextWriterPtr w = out ? xmlNewTextWriterMemory(out, 0) : NULL;
    int rc = CORE_OK;
    if (w == NULL)
        rc = fail(err, ELIGIBILITY_MSG_TOO_LARGE, 0, NULL, "out of memory");
    else {
        xmlTextWriterSetIndent(w, 1);
        xmlTextWriterSetIndentString(w, XC("  "));
        if (xmlTextWriterStartDocument(w, "1.0", enc == ELIGIBILITY_ENC_CP932 ? "Shift_JIS" : "UTF-8", NULL) <
                0 ||
            xmlTextWriterStartElement(w, XC("XmlMsg")) < 0)
            rc = fail(err, ELIGIBILITY_MSG_ENCODING, 0, NULL, "cannot start the document");
        else if ((rc = write_group(w, root, base, scratch, enc, err)) == CORE_OK &&
                 xmlTextWriterEndDocument(w) < 0)
            rc = fail(err, ELIGIBILITY_MSG_ENCODING, 0, NULL, "cannot end the document");
        xmlFreeTextWriter(w);
    }
    if (rc == CORE_OK) {
        /* libxml2 declares the encoder's own name; the files declare Shift_JIS whatever converts them. */
        static const char as_written[] = "<?xml version=\"1.0\" encoding=\"CP932\"?>";
        static const char declared[] = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>";
        const char *text = (const char *)xmlBufferContent(out);
        size_t n = (size_t)xmlBufferLength(out), skip = 0;
        const char *head = "";
        if (n >= sizeof as_written - 1 && memcmp(text, as_written, sizeof as_written - 1) == 0) {
            skip = sizeof as_written - 1;
            head = declared;
        }
        size_t hn = strlen(head), total = hn + n - skip;
        if (total > ELIGIBILITY_MSG_MAX_BYTES || total > cap)
            rc = fail(err, ELIGIBILITY_MSG_TOO_LARGE, 0, NULL, "%zu bytes do not fit", total);
        else {
            memcpy(buf, head, hn);
            memcpy(buf + hn, text + skip, n - skip);
            *len = total;
        }
    }
    if (out != NULL)
        xmlBufferFree(out);
    return rc;
}

int eligibility_request_encode(const struct eligibility_request_msg *m, enum eligibility_encoding enc,
                               char *buf, size_t cap, size_t *len, struct eligibility_msg_error *err)
{
    error_clear(err);
    if (m == NULL)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, NULL, "no message");
    if (check_request(m, err) != CORE_OK)
        return CORE_EINVAL;
    REQ *scratch = malloc(sizeof *scratch);
    if (scratch == NULL)
        return fail(err, ELIGIBILITY_MSG_TOO_LARGE, 0, NULL, "out of memory");
    request_blank(scratch);
    int rc = encode_doc(&req_root, m, scratch, enc, buf, cap, len, err);
    free(scratch);
    return rc;
}

int eligibility_response_encode(const struct eligibility_response_msg *m, enum eligibility_encoding enc,
                                char *buf, size_t cap, size_t *len, struct eligibility_msg_error *err)
{
    error_clear(err);
    if (m == NULL)
        return fail(err, ELIGIBILITY_MSG_BAD_VALUE, 0, NULL, "no message");
    RES *copy = malloc(sizeof *copy);
    if (copy == NULL)
        return fail(err, ELIGIBILITY_MSG_TOO_LARGE, 0, NULL, "out of memory");
    memcpy(copy, m, sizeof *copy);
    copy->encoding = (int)enc;
    int rc = check_response(copy, err);
    RES *scratch = NULL;
    if (rc == CORE_OK) {
        scratch = malloc(sizeof *scratch);
        if (scratch == NULL) {
            rc = fail(err, ELIGIBILITY_MSG_TOO_LARGE, 0, NULL, "out of memory");
        } else {
            response_blank(scratch);
            rc = encode_doc(&res_root, copy, scratch, enc, buf, cap, len, err);
        }
    }
    free(scratch);
    free(copy);
    return rc;
}
