/*
 * eligibility: the online eligibility system (オンライン資格確認等システム) as a registry and a check.
 *
 * The REGISTRY holds what was filed with the system, each filing with the day it was filed and the day it
 * becomes visible: the insurers' filings (enrollment with the insurer and member numbers and the copay
 * inputs, loss, registration of a card for insurance use, withdrawal) and the issuer's (J-LIS) card records
 * (issue, reissue, return, renewal of certificates, suspension after loss). Filings are kept per person in
 * compact pools (index-linked chains), so a population of a million costs a few hundred bytes a person.
 *
 * The CHECK answers "as of day D, for this card (by the certificate the reader read) or for these insurance
 * numbers (insurer number, symbol, number, branch and birth date: the route a clinic types in for a paper
 * card, a certificate, a notice, and the AMEND-1 look-up)" with one result of docs/RULES.md MYNA-3 in its
 * precedence order, the qualification found and the reader's warnings (AMEND-3). It computes on dates, never
 * loops over days: a check costs one hash lookup and a walk over the person's few filings.
 *
 * What the system cannot know comes in with the request, because the reader or the desk knows it: whether a
 * card is in hand, whether the clinic's reader works, whether the service itself is out (a scenario outage),
 * which authentication the reader used and whether the card answered that its PIN is blocked.
 *
 * eligibility never knows the world's truth (only what was filed, from the day it is visible) and never the
 * card's internals (only J-LIS's dates and serial numbers).
 */
#ifndef MYNASIM_ELIGIBILITY_H
#define MYNASIM_ELIGIBILITY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "policy/policy.h"
#include "scenario/scenario.h"

/* MYNA-3's results, in its precedence order: when several apply the lowest value is answered; ELIGIBILITY_OK is
 * last. Made from the scenario's list (scenario.h, SCENARIO_CHECKS): ELIGIBILITY_x has the value of
 * SCENARIO_CHECK_x. */
#define ELIGIBILITY_RESULT_ENUM(name, word) ELIGIBILITY_##name,
enum eligibility_result { SCENARIO_CHECKS(ELIGIBILITY_RESULT_ENUM) };

/* Reader warnings (AMEND-3), a bit set: ELIGIBILITY_WARN_x is 1u << SCENARIO_WARNING_x (SCENARIO_WARNINGS). */
#define ELIGIBILITY_WARN_BIT(name, word) ELIGIBILITY_WARN_##name = 1u << SCENARIO_WARNING_##name,
enum { SCENARIO_WARNINGS(ELIGIBILITY_WARN_BIT) };

enum eligibility_role {
    ELIGIBILITY_INSURED,
    ELIGIBILITY_DEPENDENT,
};

/* The high-cost limit category the response carries (MYNA-10), from age bracket and income. */
enum eligibility_limit {
    ELIGIBILITY_LIMIT_GENERAL,
    ELIGIBILITY_LIMIT_HIGH,
    ELIGIBILITY_LIMIT_ELDERLY_GENERAL,
    ELIGIBILITY_LIMIT_ELDERLY_HIGH,
};

/* How the reader authenticated the holder (DESK-3): only PIN can meet a blocked PIN. */
enum eligibility_auth {
    ELIGIBILITY_AUTH_FACE,
    ELIGIBILITY_AUTH_PIN,
    ELIGIBILITY_AUTH_VISUAL,
};

/* Insurance numbers as printed on a paper card, certificate or notice. NUL-terminated. */
struct eligibility_numbers {
    char insurer_number[9]; /* 6 (NHI) or 8 digits; messages may pad 6 to 8 (docs/MESSAGES.md) */
    char symbol[32];        /* 記号: digits or text (UTF-8) */
    char number[32];        /* 番号 */
    char branch[3];         /* 枝番: 2 digits */
};

/* An enrollment as an insurer files it. */
struct eligibility_enrollment {
    struct eligibility_numbers numbers;
    enum eligibility_role role;
    core_day start;   /* qualification date: the first day of the membership */
    bool high_income; /* COPAY: higher income brackets */
    bool tax_arrears; /* MYNA-10: NHI tax in arrears */
};

/* COPAY's age bands, on the day asked: which of the answer's fields carries the co-payment (docs/MESSAGES.md,
 * "The person and the co-payment"). */
enum eligibility_band {
    ELIGIBILITY_BAND_GENERAL,   /* nothing: the desk derives the rate from the birth date and the policy */
    ELIGIBILITY_BAND_PRESCHOOL, /* PreschoolClassification 1: the desk derives the preschool rate */
    ELIGIBILITY_BAND_ELDERLY,   /* 70-74: ElderlyRecipientCertificateInfo with its ratio */
    ELIGIBILITY_BAND_LATTER, /* from 75: InsuredPartialContributionRatio (the latter-stage elderly ratio) */
};

#define ELIGIBILITY_PERSON_TEXT_MAX 121 /* a name, kana or insurer name: 120 bytes of UTF-8 and a NUL */

/* The qualification a check found. */
struct eligibility_qualification {
    struct eligibility_numbers numbers;
    enum eligibility_role role;
    core_day born;
    core_day start;
    core_day end;      /* last day (a visible loss's day - 1), or CORE_DAY_NONE while open */
    int copay_percent; /* COPAY on the day asked; -1 when read from a message that leaves it to the desk */
    enum eligibility_band band;
    core_day band_from, band_to; /* ELIGIBILITY_BAND_ELDERLY: the elderly certificate's first and last day */
    enum eligibility_limit limit;
    bool tax_arrears;
    /* The person as the insurer filed it (eligibility_answer_add_person fills these; the checks leave them
     * empty, so a population's million checks copy no text): `person` is the registry's person. */
    uint32_t person;
    char name[ELIGIBILITY_PERSON_TEXT_MAX];         /* Name: JIS X 0208 only, others shown as ● */
    char kana[ELIGIBILITY_PERSON_TEXT_MAX];         /* NameKana: half-width katakana, "" when not known */
    int sex;                                        /* Sex1: 1 male, 2 female, 3 unset; 0 not filled */
    char insurer_name[ELIGIBILITY_PERSON_TEXT_MAX]; /* InsurerName */
};

struct eligibility_answer {
    enum eligibility_result result;
    unsigned warnings; /* ELIGIBILITY_WARN_* */
    /* A visible qualification covering the day was found (always for OK; for NOT_REFLECTED when the change in
     * progress is a loss or a blocked enrollment, whose old qualification the system still shows). */
    bool has_qualification;
    /* NO_QUALIFICATION by numbers whose membership the system shows lost (the loss visible and effective by the
     * day): `qualification` then holds that old record, `end` set, though has_qualification is false (nothing
     * the desk may use). The answer carries it as QualificationValidity 2, or 3 when newer_known: the person
     * holds a visible qualification covering the day (docs/MESSAGES.md). */
    bool lost_record;
    bool newer_known;
    struct eligibility_qualification qualification;
};

/* The card route: what the reader read and what the desk knows. */
struct eligibility_card_request {
    core_day on;
    bool card_in_hand;    /* false: no_card (lost, returned, never issued) */
    bool reader_down;     /* the clinic's reader or online check is out of order */
    bool service_down;    /* the eligibility system is out (scenario outage) */
    uint64_t cert_serial; /* the user authentication certificate read from the card */
    enum eligibility_auth auth;
    bool pin_blocked; /* the card answered that the user authentication PIN is blocked */
    /* The day the qualification is asked for (the request's QualificationConfirmationDate), when has_asked:
     * the card, its certificate and its registration are judged on `on` (the card is in the reader now), the
     * qualification as the registry showed it on `asked`, no filing visible later counted. asked > on is
     * CORE_EINVAL (the service refuses such a request first: docs/MESSAGES.md). Without has_asked: `on`. */
    bool has_asked;
    core_day asked;
};

/* The number route. */
struct eligibility_number_request {
    core_day on;
    bool reader_down;
    bool service_down;
    struct eligibility_numbers numbers;
    core_day born;
};

struct eligibility_registry;

/* A registry reading its lags and grace from `policy` (which must outlive it). */
CORE_MUST_USE int eligibility_registry_new(const struct policy *policy, struct eligibility_registry **out);
void eligibility_registry_free(struct eligibility_registry *reg);

/* A person (the system's record behind a My Number). Persons are numbered densely from 0. */
CORE_MUST_USE int eligibility_person_add(struct eligibility_registry *reg, core_day born, uint32_t *person);

/*
 * The person's data as the insurers filed it, for the answers' Name, NameKana and Sex1 (docs/MESSAGES.md, "The
 * person and the co-payment"). `name` (UTF-8, at most 120 bytes; NULL or "": generated) is shown with every
 * character outside JIS X 0208 as ●; `kana` (katakana or hiragana, full- or half-width, family and given names
 * parted by a space; NULL or "": generated with a generated name, none with a given one) is answered in
 * half-width katakana; `sex` 1 male, 2 female, 3 unset, 0 generated. Generated values come from `seed` alone
 * (eligibility_person_generate). A person never given data answers as generated from its number. CORE_EINVAL
 * for a name or kana too long or not UTF-8, or a kana that is not kana.
 */
struct eligibility_person_data {
    const char *name;
    const char *kana;
    int sex;
    uint64_t seed;
};
CORE_MUST_USE int eligibility_person_set_data(struct eligibility_registry *reg, uint32_t person,
                                              const struct eligibility_person_data *d);
/* A name, its full-width kana and a sex (1 or 2 when `sex` is 0) drawn from `seed` alone, through a fixed
 * table: no clock, no shared random state. The name's family and given names are parted by U+3000, the kana's
 * by a space. */
void eligibility_person_generate(uint64_t seed, int sex, char name[ELIGIBILITY_PERSON_TEXT_MAX],
                                 char kana[ELIGIBILITY_PERSON_TEXT_MAX], int *sex_out);
/* The name an insurer's answers carry as InsurerName (UTF-8, at most 120 bytes; copied). An insurer never
 * named answers "保険者" and its number. CORE_EINVAL for a bad number or name. */
CORE_MUST_USE int eligibility_insurer_set_name(struct eligibility_registry *reg, const char *insurer_number,
                                               const char *name);
/* Fills an answer's qualification with its person (name, kana, sex) and insurer name, when it shows one
 * (has_qualification or lost_record); nothing otherwise. */
CORE_MUST_USE int eligibility_answer_add_person(const struct eligibility_registry *reg,
                                                struct eligibility_answer *a);
/* `in` with every character outside JIS X 0208 as ● (U+25CF), as the real system shows names: CORE_EINVAL when
 * `in` is not UTF-8 or the result does not fit `cap`. */
CORE_MUST_USE int eligibility_name_showable(const char *in, char *out, size_t cap);
/* Katakana or hiragana (full- or half-width, with ー and spaces) as half-width katakana, as NameKana carries
 * it; CORE_EINVAL for any other character or when the result does not fit `cap`. */
CORE_MUST_USE int eligibility_kana_half_width(const char *in, char *out, size_t cap);

/*
 * Insurers' filings. `visible` is the day the filing becomes visible; CORE_DAY_NONE means the policy's lag
 * (online.reflection_lag_days for enrollments and losses, registration.withdrawal_lag_days for withdrawals,
 * read on the day filed). Populations pass their own drawn lags this way.
 */
CORE_MUST_USE int eligibility_file_enrollment(struct eligibility_registry *reg, uint32_t person,
                                              const struct eligibility_enrollment *e, core_day filed,
                                              core_day visible, uint32_t *membership);
/* Loss of a membership: `first_day_without` is the 資格喪失日 (the last day of membership is one before). */
CORE_MUST_USE int eligibility_file_loss(struct eligibility_registry *reg, uint32_t membership,
                                        core_day first_day_without, core_day filed, core_day visible);
/* Registration for insurance use takes effect the day it is made. */
CORE_MUST_USE int eligibility_file_registration(struct eligibility_registry *reg, uint32_t person,
                                                core_day day);
CORE_MUST_USE int eligibility_file_withdrawal(struct eligibility_registry *reg, uint32_t person,
                                              core_day filed, core_day visible);

/*
 * The issuer's card records, in force from their day. Issuing a card to a person who already has one is a
 * reissue: the earlier cards' certificates answer cert_revoked from that day. card_id and cert_serial are
 * unique across the registry.
 */
CORE_MUST_USE int eligibility_card_issue(struct eligibility_registry *reg, uint32_t person, uint64_t card_id,
                                         core_day day, core_day card_expiry, uint64_t cert_serial,
                                         core_day cert_expiry);
/* New certificates on the same card: the old one answers cert_revoked from `day`. */
CORE_MUST_USE int eligibility_card_renew_cert(struct eligibility_registry *reg, uint64_t card_id,
                                              core_day day, uint64_t cert_serial, core_day cert_expiry);
CORE_MUST_USE int eligibility_card_return(struct eligibility_registry *reg, uint64_t card_id, core_day day);
CORE_MUST_USE int eligibility_card_suspend(struct eligibility_registry *reg, uint64_t card_id, core_day day);

/* The checks. CORE_EINVAL only for NULL arguments (and a card request asking after its `on`); every answer,
 * failing or not, is CORE_OK. */
CORE_MUST_USE int eligibility_check_card(const struct eligibility_registry *reg,
                                         const struct eligibility_card_request *req,
                                         struct eligibility_answer *out);
CORE_MUST_USE int eligibility_check_numbers(const struct eligibility_registry *reg,
                                            const struct eligibility_number_request *req,
                                            struct eligibility_answer *out);
/* The person's own record as the system shows it on `on` (the portal's eligibility screen, NOTICE-4): only
 * the qualification results (ok, not_reflected, no_qualification). */
CORE_MUST_USE int eligibility_check_person(const struct eligibility_registry *reg, uint32_t person,
                                           core_day on, struct eligibility_answer *out);

/* COPAY: the co-payment percent of a person born `born` on day `on`. CORE_ENOTFOUND when the policy lacks a
 * bracket parameter. */
CORE_MUST_USE int eligibility_copay_percent(const struct policy *policy, core_day born, bool high_income,
                                            core_day on, int *percent);

/* The last day of AMEND-3's grace for a certificate valid to `expiry`: the end of the `grace_months`-th month
 * after the month of its first invalid day; `expiry` itself when grace_months is 0. */
core_day eligibility_cert_grace_end(core_day expiry, int grace_months);
/* The days [*from, *to] after `expiry` on which a certificate still passes under AMEND-3's grace (none: *to <
 * *from), for the check and the world alike: the grace begins on the first day after the expiry on which the
 * value of `online.cert_expiry_grace_months` then in force gives one reaching that day, and that value fixes
 * its end (docs/RULES.md, AMEND-3). CORE_ENOTFOUND when the policy lacks the parameter. */
CORE_MUST_USE int eligibility_cert_grace(const struct policy *policy, core_day expiry, core_day *from,
                                         core_day *to);

/* The words of docs/SCENARIO-FORMAT.md (scenario.h, SCENARIO_CHECKS): "no_card", ..., "ok"; "?" out of range. */
const char *eligibility_result_name(enum eligibility_result r);

/* ==== messages (message.c) ====================================================================================
 *
 * The request and response messages of the online eligibility interface in XML, with the real interface's
 * element names (docs/MESSAGES.md has the element table, the codes and
 * the hardening rules). Files are UTF-8 or CP932 (declared "Shift_JIS", CharacterCodeIdentifier 1).
 *
 * The structs below are the messages as they travel: fields are the wire's values (digit strings, codes,
 * dates), NUL-terminated strings, "" for an absent optional element, CORE_DAY_NONE for an absent date.
 * The card route's body (CardAuthenticationInfo) is mynasim's own: the real leg has no public specification.
 *
 * Parsing never crashes and never allocates more than a bounded multiple of ELIGIBILITY_MSG_MAX_BYTES: no
 * DOCTYPE (so no entities, internal or external), no processing instructions, no CDATA, no namespaces (so no
 * XInclude), no attributes, depth at most ELIGIBILITY_MSG_MAX_DEPTH, and every element known and checked.
 * Encoding writes only what the parser accepts (it parses its own output before handing it back).
 */

#define ELIGIBILITY_MSG_MAX_BYTES 65536
#define ELIGIBILITY_MSG_MAX_DEPTH 8
#define ELIGIBILITY_MSG_MAX_ATTRIBUTES 0
#define ELIGIBILITY_MSG_CERT_MAX 4096
#define ELIGIBILITY_MSG_NONCE_MIN 16
#define ELIGIBILITY_MSG_NONCE_MAX 64
#define ELIGIBILITY_MSG_SIGNATURE_MAX 512
#define ELIGIBILITY_MSG_READER_SIGNATURE_MAX 128
#define ELIGIBILITY_MSG_TEXT_MAX 121 /* names and messages: 120 bytes of UTF-8 and a NUL */
/* ArbitraryFileIdentifier and ArbitraryIdentifier: what real clients send (base64-like, '=' included), 1..128
 * printable ASCII characters other than space (docs/MESSAGES.md). */
#define ELIGIBILITY_MSG_FILE_ID_MAX 128

enum eligibility_encoding {
    ELIGIBILITY_ENC_UTF8,  /* CharacterCodeIdentifier 0 */
    ELIGIBILITY_ENC_CP932, /* CharacterCodeIdentifier 1, declared "Shift_JIS", converted as CP932 */
};

/* ReferenceClassification. */
enum eligibility_request_kind {
    ELIGIBILITY_REQUEST_CARD = 1,
    ELIGIBILITY_REQUEST_NUMBERS = 2,
};

/* Why a message was refused: mynasim's own ErrorCode values "MYNE3001"... (eligibility_msg_code_string). The
 * service answers a refused request with SegmentOfResult 9 and this code. */
enum eligibility_msg_code {
    ELIGIBILITY_MSG_OK = 0,
    ELIGIBILITY_MSG_TOO_LARGE = 3001,       /* more than ELIGIBILITY_MSG_MAX_BYTES, or the output buffer */
    ELIGIBILITY_MSG_MALFORMED = 3002,       /* not well-formed XML */
    ELIGIBILITY_MSG_FORBIDDEN = 3003,       /* DOCTYPE, entity, PI, CDATA, namespace (XInclude) */
    ELIGIBILITY_MSG_TOO_DEEP = 3004,        /* nesting beyond ELIGIBILITY_MSG_MAX_DEPTH */
    ELIGIBILITY_MSG_ATTRIBUTE = 3005,       /* more attributes than ELIGIBILITY_MSG_MAX_ATTRIBUTES */
    ELIGIBILITY_MSG_UNKNOWN_ELEMENT = 3006, /* an element the schema does not have there */
    ELIGIBILITY_MSG_MISSING = 3007,         /* a required element is absent */
    ELIGIBILITY_MSG_DUPLICATE = 3008,       /* an element given twice */
    ELIGIBILITY_MSG_BAD_VALUE = 3009,       /* a value of the wrong form, length or range */
    ELIGIBILITY_MSG_CHECK_DIGIT = 3010,     /* an insurer number whose check digit is wrong */
    ELIGIBILITY_MSG_ENCODING = 3011,   /* neither UTF-8 nor Shift_JIS, or CharacterCodeIdentifier disagrees */
    ELIGIBILITY_MSG_WRONG_KIND = 3012, /* both or neither request bodies; inconsistent fields */
    ELIGIBILITY_MSG_ORDER = 3013,      /* elements out of the schema's order */
};

struct eligibility_msg_error {
    int code;          /* enum eligibility_msg_code */
    int line;          /* 1-based line of the input, 0 when unknown */
    char element[48];  /* the element concerned, "" when none */
    char message[160]; /* what was wrong, in English */
};

/* "MYNE3001" for ELIGIBILITY_MSG_TOO_LARGE, ..., "" for ELIGIBILITY_MSG_OK, "MYNE3002" for unknown codes. */
const char *eligibility_msg_code_string(int code);

/* mynasim's ProcessingResultCode warnings and ErrorCode values for the check's results (docs/MESSAGES.md). */
#define ELIGIBILITY_CODE_CERT_EXPIRES_SOON "MYNW0001"
#define ELIGIBILITY_CODE_CERT_IN_GRACE "MYNW0002"

/* AuthenticationClassification (mynasim's own): how the reader authenticated the holder. */
enum eligibility_msg_auth {
    ELIGIBILITY_MSG_AUTH_FACE = 1,
    ELIGIBILITY_MSG_AUTH_PIN = 2,
    ELIGIBILITY_MSG_AUTH_VISUAL = 3,
};

/* CardAuthenticationInfo: the card route's body, mynasim's own (docs/MESSAGES.md). */
struct eligibility_card_auth {
    int auth_class;                                   /* AuthenticationClassification */
    uint8_t certificate[ELIGIBILITY_MSG_CERT_MAX];    /* UserAuthenticationCertificate: DER, base64 */
    size_t certificate_len;                           /* 1..ELIGIBILITY_MSG_CERT_MAX */
    uint8_t nonce[ELIGIBILITY_MSG_NONCE_MAX];         /* Nonce: the service's single-use nonce, base64 */
    size_t nonce_len;                                 /* ELIGIBILITY_MSG_NONCE_MIN..MAX */
    uint8_t signature[ELIGIBILITY_MSG_SIGNATURE_MAX]; /* CardSignature (PIN route) */
    size_t signature_len;                             /* 0: absent */
    int pin_blocked;                                  /* PinBlockedFlg 0/1: the card answered PIN blocked */
    char reader_id[33];                               /* ReaderIdentifier: the registered reader */
    int face_match;                                   /* FaceMatchResult: 1 matched, 2 not, 0 absent (PIN) */
    uint8_t reader_signature[ELIGIBILITY_MSG_READER_SIGNATURE_MAX]; /* ReaderSignature: ECDSA P-256, DER */
    size_t reader_signature_len;                                    /* 0: absent */
};

struct eligibility_request_msg {
    enum eligibility_request_kind kind; /* which body the message has */
    enum eligibility_encoding encoding; /* set by parse: what the file was written in */
    /* MessageHeader */
    core_day date;                                 /* QualificationConfirmationDate */
    char institution[11];                          /* MedicalInstitutionCode: 10 digits */
    char file_id[ELIGIBILITY_MSG_FILE_ID_MAX + 1]; /* ArbitraryFileIdentifier: printable ASCII, no space */
    /* both bodies */
    int limit_consent;                                  /* LimitApplicationCertificateRelatedConsFlg 0/1 */
    char arbitrary_id[ELIGIBILITY_MSG_FILE_ID_MAX + 1]; /* ArbitraryIdentifier, optional, as file_id */
    /* QualificationConfirmSearchInfo */
    struct eligibility_numbers numbers; /* InsurerNumber (check digit), InsuredCardSymbol (optional),
                                           InsuredIdentificationNumber, InsuredBranchNumber (optional) */
    core_day born;                      /* Birthdate */
    /* CardAuthenticationInfo */
    struct eligibility_card_auth card;
};

/* ResultOfQualificationConfirmation. */
struct eligibility_qualification_msg {
    char card_class[3];                          /* InsuredCardClassification "01".."07" */
    char insurer_name[ELIGIBILITY_MSG_TEXT_MAX]; /* InsurerName, optional */
    struct eligibility_numbers numbers;
    int family;                                  /* PersonalFamilyClassification: 1 insured, 2 dependent */
    char insured_name[ELIGIBILITY_MSG_TEXT_MAX]; /* InsuredName (the insured's, for a dependent), optional */
    char name[ELIGIBILITY_MSG_TEXT_MAX];         /* Name (mynasim always writes it), optional when read */
    char name_kana[ELIGIBILITY_MSG_TEXT_MAX];    /* NameKana, half-width katakana, optional */
    int sex;                                     /* Sex1: 1 male, 2 female, 3 unset, 0 absent */
    core_day born;                               /* Birthdate */
    core_day qualification_date;                 /* QualificationDate: the first day */
    core_day disqualification_date;              /* DisqualificationDate: the first day without, or NONE */
    core_day card_valid;                         /* InsuredCardValidDate, optional */
    core_day card_expires;                       /* InsuredCardExpirationDate, optional */
    int copay_percent; /* InsuredPartialContributionRatio (latter-stage elderly), three digits; -1 absent */
    int preschool;     /* PreschoolClassification 1; 0 absent */
    /* ElderlyRecipientCertificateInfo (ages 70-74): ElderlyRecipientContributionRatio, three digits, -1 when
     * the group is absent; ElderlyRecipientValidStartDate / EndDate, optional */
    int elderly_percent;
    core_day elderly_from, elderly_to;
    char limit_flag[4]; /* LimitApplicationCertificateClassificationFlag A01..A06, B01..B10; "" absent */
    int tax_arrears;    /* TaxArrearsClassification 0/1, -1 absent (mynasim's own, optional: MYNA-10) */
};

struct eligibility_response_msg {
    int encoding; /* CharacterCodeIdentifier (enum eligibility_encoding); encode writes its argument's */
    /* MessageHeader */
    char process_time[15]; /* ProcessExecutionTime YYYYMMDDhhmmss */
    core_day date;         /* QualificationConfirmationDate, NONE when the request was unreadable */
    char institution[11];  /* MedicalInstitutionCode, "" likewise */
    char file_id[ELIGIBILITY_MSG_FILE_ID_MAX + 1]; /* ArbitraryFileIdentifier, "" likewise */
    int reference;      /* ReferenceClassification: 1 card, 2 numbers, 0 unknown (unreadable request) */
    int segment;        /* SegmentOfResult: 1 normal end, 2 in progress, 9 abnormal end */
    char error_code[9]; /* ErrorCode with segment 9: MYNE...; "" otherwise */
    char error_message[ELIGIBILITY_MSG_TEXT_MAX];
    /* MessageBody */
    int status;          /* ProcessingResultStatus: 1 normal, 2 error */
    char result_code[9]; /* ProcessingResultCode: a warning (MYNW...) or "" */
    char result_message[ELIGIBILITY_MSG_TEXT_MAX];
    int validity;              /* QualificationValidity 1..5, 0 absent (errors) */
    bool has_qualification;    /* ResultList present */
    unsigned unknown_elements; /* parse: elements mynasim does not know, skipped (real answers carry many) */
    unsigned extra_results;    /* parse: ResultOfQualificationConfirmation after the first (validity 5) */
    struct eligibility_qualification_msg qualification;
};

/* Encoders write into buf (cap bytes, at most ELIGIBILITY_MSG_MAX_BYTES used) and set *len. CORE_EINVAL with
 * err filled when the struct holds a value the parser would refuse or the output does not fit. */
CORE_MUST_USE int eligibility_request_encode(const struct eligibility_request_msg *m,
                                             enum eligibility_encoding enc, char *buf, size_t cap,
                                             size_t *len, struct eligibility_msg_error *err);
CORE_MUST_USE int eligibility_response_encode(const struct eligibility_response_msg *m,
                                              enum eligibility_encoding enc, char *buf, size_t cap,
                                              size_t *len, struct eligibility_msg_error *err);
/* Parsers: CORE_OK, or CORE_EINVAL with err set (the struct then holds what was read before the fault). */
CORE_MUST_USE int eligibility_request_parse(const void *buf, size_t len, struct eligibility_request_msg *out,
                                            struct eligibility_msg_error *err);
CORE_MUST_USE int eligibility_response_parse(const void *buf, size_t len,
                                             struct eligibility_response_msg *out,
                                             struct eligibility_msg_error *err);

/* The service's answer as a response message: header echoed from the request, process_time (14 digits) as
 * given, results mapped as docs/MESSAGES.md's table says. CORE_EINVAL when the answer is inconsistent. */
CORE_MUST_USE int eligibility_response_from_answer(const struct eligibility_request_msg *req,
                                                   const struct eligibility_answer *a,
                                                   const char *process_time,
                                                   struct eligibility_response_msg *out);
/* The name of a face-reader result file as real terminals write it, so the agents that watch the folder for
 * `…_yyyyMMddHHmmss.xml` take it: "OQSsiquc01res_face_<visit>_yyyyMMddHHmmss.xml", the time `t` (seconds since
 * the epoch) in Japan time. `visit` is 1..ELIGIBILITY_FACE_VISIT_MAX of [0-9A-Za-z-] (it tells apart two files
 * of one second). CORE_OK, or CORE_EINVAL (a bad visit, a time the name cannot carry, `cap` too small: at
 * least ELIGIBILITY_FACE_NAME_MAX) with buf "" (docs/MESSAGES.md, "Face-reader result files"). */
#define ELIGIBILITY_FACE_VISIT_MAX 64
#define ELIGIBILITY_FACE_NAME_MAX                                                                            \
    (sizeof "OQSsiquc01res_face__yyyyMMddHHmmss.xml" + ELIGIBILITY_FACE_VISIT_MAX)
CORE_MUST_USE int eligibility_face_file_name(const char *visit, int64_t t, char *buf, size_t cap);
/* The response to a refused request: SegmentOfResult 9, ErrorCode from err; req's header fields are echoed
 * where they passed (req may be NULL). */
void eligibility_response_for_error(const struct eligibility_request_msg *req,
                                    const struct eligibility_msg_error *err, const char *process_time,
                                    struct eligibility_response_msg *out);
/* What the clinic reads from a response: a check result, warnings and the qualification. A response that is an
 * error of the message (MYNE3xxx, MYNE9xxx, unknown codes) reads as service_down. */
CORE_MUST_USE int eligibility_response_to_answer(const struct eligibility_response_msg *m,
                                                 struct eligibility_answer *out);
/* The number request a message asks (the desk's reader_down / service_down are false). */
CORE_MUST_USE int eligibility_request_to_number_request(const struct eligibility_request_msg *m,
                                                        struct eligibility_number_request *out);

/* ==== service (service.c) =====================================================================================
 *
 * The online eligibility system answering request messages: the checks a real one makes on the card route
 * (docs/MESSAGES.md, "The card route's proofs": a nonce it issued and nobody used, a certificate chaining to
 * the test J-LIS user authentication CA, the card's or a registered reader's signature), then
 * eligibility_check_card / eligibility_check_numbers on the service's date. A refused proof answers
 * cert_revoked (docs/SCENARIO-FORMAT.md, Faults: borrowed_certificate, replayed_request); a nonce it issued
 * that expired, ELIGIBILITY_NONCE_EXPIRED_CODE. The registry and
 * policy must outlive the service. Not thread-safe: one per thread, or a lock around
 * eligibility_service_handle.
 */
struct eligibility_service;

/* Loads the test J-LIS user authentication CA (policy_find_data("pki/auth-ca.crt.pem")). Seed 0, the
 * process clock's date, up. */
CORE_MUST_USE int eligibility_service_new(const struct eligibility_registry *reg, const struct policy *policy,
                                          struct eligibility_service **out, struct core_error *err);
void eligibility_service_free(struct eligibility_service *svc);
/* The service's "today"; CORE_DAY_NONE: the process clock in Japan time (core_date_today, so libfaketime
 * moves it). CORE_EINVAL, the date unchanged, for a day outside 1900-01-01 .. 9999-12-31: the messages cannot
 * carry it (ProcessExecutionTime), and a service must always be able to answer. */
CORE_MUST_USE int eligibility_service_set_date(struct eligibility_service *svc, core_day on);
/* The day the service answers for now. */
core_day eligibility_service_date(const struct eligibility_service *svc);
/* Outage: every request is answered service_down (no nonce is spent). */
void eligibility_service_set_down(struct eligibility_service *svc, bool down);
/* A fresh single-use nonce (32 bytes): a counter and a MAC under a key derived from the seed, so runs are
 * reproducible. At most ELIGIBILITY_NONCE_WINDOW are outstanding: an older one presented is expired
 * (ELIGIBILITY_NONCE_EXPIRED_CODE). No limit on how fast one client draws them (docs/WIRE.md). */
#define ELIGIBILITY_NONCE_WINDOW (1u << 20)
CORE_MUST_USE int eligibility_service_nonce(struct eligibility_service *svc, uint8_t nonce[32]);
/* A new seed: nonces issued before it are refused from now on, even under the same seed again (each seeding
 * is counted into the key). */
void eligibility_service_seed(struct eligibility_service *svc, uint64_t seed);
/* Registers (or re-keys) a reader device's public key (DER SubjectPublicKeyInfo, ECDSA P-256) under a device
 * id ([0-9A-Za-z_.-], 1-32); only registered readers may vouch for face matches and visual checks. */
CORE_MUST_USE int eligibility_service_register_reader(struct eligibility_service *svc, const char *device_id,
                                                      const uint8_t *spki_der, size_t len,
                                                      struct core_error *err);
/* The ErrorCode of the answer to a request whose QualificationConfirmationDate is after the service's date
 * (SegmentOfResult 9, the header echoed; docs/MESSAGES.md). */
#define ELIGIBILITY_FUTURE_DATE_CODE "MYNE4001"
/* The ErrorCode of the answer to a card request whose Nonce this service issued but which fell out of the
 * window (more than ELIGIBILITY_NONCE_WINDOW issued after it): SegmentOfResult 9, the header echoed, nothing
 * else checked (docs/MESSAGES.md). Not the card's fault: the reader draws a fresh nonce and asks again. */
#define ELIGIBILITY_NONCE_EXPIRED_CODE "MYNE4002"
/* One request message in (UTF-8 or CP932), one response message out in the request's encoding (UTF-8 when
 * unreadable): always a well-formed response, an error code for a bad request. CORE_OK, or CORE_ENOMEM /
 * CORE_EINVAL (NULL arguments) with no response. The caller frees *response with free(). */
CORE_MUST_USE int eligibility_service_handle(struct eligibility_service *svc, const uint8_t *request,
                                             size_t len, uint8_t **response, size_t *response_len);

/* What the clinic's terminal sends the card to sign on the PIN route (COMPUTE DIGITAL SIGNATURE with the
 * auth key): the DER DigestInfo of SHA-256(nonce), 51 bytes. The card's PKCS#1 v1.5 signature over it is
 * CardSignature. */
#define ELIGIBILITY_DIGEST_INFO_LEN 51
CORE_MUST_USE int eligibility_card_digest_info(const uint8_t *nonce, size_t len,
                                               uint8_t out[ELIGIBILITY_DIGEST_INFO_LEN]);
/* What a reader signs on the face and visual routes (ECDSA P-256 with SHA-256, DER signature as
 * ReaderSignature): Nonce || UserAuthenticationCertificate (DER) || one byte FaceMatchResult, from
 * card->nonce, certificate and face_match. CORE_EINVAL when it does not fit `cap`. */
CORE_MUST_USE int eligibility_reader_signed_data(const struct eligibility_card_auth *card, uint8_t *out,
                                                 size_t cap, size_t *len);

/* ---- the service over HTTP (http.c, libmicrohttpd): what `mynasim serve` runs. Routes and limits are
 * described at the top of http.c: GET /health, POST /nonce, POST /eligibility, and with `control` the
 * loopback-only POST /control/date, /control/down, /control/reader/ID. */
struct eligibility_http_options {
    const char *host;         /* IPv4 address to listen on, "127.0.0.1" */
    uint16_t port;            /* 0: any free port (eligibility_http_port tells which) */
    bool control;             /* the /control/ endpoints */
    size_t body_max;          /* at most (and 0:) ELIGIBILITY_MSG_MAX_BYTES; more is read and dropped */
    unsigned timeout_seconds; /* total deadline of one request, from accept or the previous answer (and
                                 MHD's idle timeout); 0: 10 */
    unsigned max_connections; /* 0: 4096, fewer if the open-file limit cannot be raised to fit them */
    unsigned per_address;     /* connections from one client address; 0: 1024 (docs/WIRE.md) */
};
struct eligibility_http;
/* Starts serving `svc` on its own thread; the service must outlive the server. */
CORE_MUST_USE int eligibility_http_start(struct eligibility_service *svc,
                                         const struct eligibility_http_options *o,
                                         struct eligibility_http **out, struct core_error *err);
uint16_t eligibility_http_port(const struct eligibility_http *h);
/* Stops listening, closes every connection, and frees the server (not the service). */
void eligibility_http_stop(struct eligibility_http *h);

#endif
