/*
 * clinic: the reception desk. `clinic_decide` is a pure function that decides one visit (docs/RULES.md DESK-1)
 * from what the resident presents, the clinic's reader and whether its online check works that day, the
 * eligibility check's answers (for the card route and, per document, for the number route), the desk's own
 * record of this patient's earlier visits, the policy and the date. It returns the outcome, the route that
 * succeeded, the rule that decided, the fee and co-payment, and whether the high-cost limit applied.
 *
 * The desk record (`struct clinic_record`) is the caller's: clinic_decide only reads it, so a probe leaves no
 * trace; `clinic_record_visit` applies a decision when a visit really happens.
 *
 * clinic never knows the world: no resident, insurer or ground truth, only the documents shown and what the
 * check answered. Its decision may therefore differ from the truth (a claim error, DESK-2); the world judges.
 */
#ifndef MYNASIM_CLINIC_H
#define MYNASIM_CLINIC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/core.h"
#include "eligibility/eligibility.h"
#include "policy/policy.h"
#include "scenario/scenario.h"

enum clinic_reader {
    CLINIC_READER_FACE,
    CLINIC_READER_PIN,
    CLINIC_READER_NONE, /* no reader and no online check */
};

enum clinic_visit {
    CLINIC_VISIT_FIRST,
    CLINIC_VISIT_REVISIT,
    CLINIC_VISIT_DISPENSING,
};
#define CLINIC_VISIT_KINDS 3

/* The outcomes and DESK-1's routes are the scenario's vocabulary (scenario.h, SCENARIO_OUTCOMES and
 * SCENARIO_ROUTES): CLINIC_x has the value of SCENARIO_OUTCOME_x, CLINIC_ROUTE_x that of SCENARIO_ROUTE_x. */
#define CLINIC_OUTCOME_ENUM(name, word) CLINIC_##name,
enum clinic_outcome { SCENARIO_OUTCOMES(CLINIC_OUTCOME_ENUM) };

#define CLINIC_ROUTE_ENUM(name, word) CLINIC_ROUTE_##name,
enum clinic_route {
    CLINIC_ROUTE_NONE = -1, /* no route succeeded: self_pay */
    SCENARIO_ROUTES(CLINIC_ROUTE_ENUM)
};

/* What the resident shows at the desk. The world fills it from the documents brought, never from its own
 * records: the numbers and dates are what is printed. */
struct clinic_presented {
    bool card;           /* the My Number card is shown */
    bool card_face_only; /* a face-authentication card (no PIN) */

    bool paper_card;
    struct eligibility_numbers paper_numbers;
    core_day paper_expiry; /* printed expiry; CORE_DAY_NONE when none is printed (PAPER-2's cap applies) */

    bool certificate;
    struct eligibility_numbers certificate_numbers;
    core_day certificate_from, certificate_to; /* printed validity, both days included */

    bool notice;
    char notice_type; /* 'A' or 'B' (NOTICE-6); the desk treats both alike */
    struct eligibility_numbers notice_numbers;

    bool portal;                     /* the portal's eligibility screen or PDF */
    bool portal_shows_qualification; /* it shows a current qualification (reflected, NOTICE-4) */

    /* The co-payment inputs as printed (birth date; higher income as the elderly recipient certificate
     * shows), used only when no check answered with a qualification. */
    core_day born;
    bool high_income;
};

/* The check's answers; NULL when not asked. Where the clinic's online check works, the card's answer is
 * needed when the card is shown, and each document's number-route answer when that document is shown. */
struct clinic_answers {
    const struct eligibility_answer *card;
    const struct eligibility_answer *certificate;
    const struct eligibility_answer *paper_card;
    const struct eligibility_answer *notice;
};

/* The desk's own record of one patient at one clinic: the month (year * 12 + month - 1, plus one; 0 = never)
 * in which each visit kind's fee was last charged. Zero-initialise a new one. */
struct clinic_record {
    int32_t last_charged_month[CLINIC_VISIT_KINDS];
};

struct clinic_input {
    core_day on;
    enum clinic_visit visit;
    enum clinic_reader reader;
    bool online_ok; /* the clinic's reader and online check work today */
    const struct clinic_presented *presented;
    struct clinic_answers answers;
    const struct clinic_record *record; /* NULL: no earlier visit */
    const struct policy *policy;
    /* Only what the visit gets (outcome, route, rule, grace): no fee, no co-payment (left zero). For the
     * world's daily invariants, which ask whether care is insured on a day, not what it costs. */
    bool outcome_only;
};

struct clinic_decision {
    enum clinic_outcome outcome;
    enum clinic_route route;
    const char *rule; /* the rule id that decided: "DESK-1", "NOTICE-2", "AMEND-1", ... (static string) */
    enum clinic_visit visit;
    bool card_used;   /* the card route succeeded (マイナ保険証 used) */
    bool fee_charged; /* the fee was charged this visit (a frequency limit may waive it) */
    long fee_total;   /* yen */
    long copay;       /* yen: the patient's share (all of it when self_pay) */
    int copay_percent;
    bool limit_applied; /* MYNA-10 */
    bool grace;         /* the AMEND-1 look-up got the visit insured */
};

/* Decides a visit. CORE_EINVAL for a missing input (or an answer missing where the check works);
 * CORE_ENOTFOUND when the policy lacks a fee or co-payment parameter. */
CORE_MUST_USE int clinic_decide(const struct clinic_input *in, struct clinic_decision *out);

/* Applies a visit that happened to the desk's record (the fee's frequency limits). */
void clinic_record_visit(struct clinic_record *record, const struct clinic_decision *decision, core_day on);

/* DESK-3: how a reader of this kind authenticates this card; `face_mismatch` when the face match fails. */
enum eligibility_auth clinic_reader_auth(enum clinic_reader reader, bool face_only, bool face_mismatch);

/* The words of docs/SCENARIO-FORMAT.md (scenario.h's lists): "none" for CLINIC_ROUTE_NONE, "?" out of range. */
const char *clinic_outcome_name(enum clinic_outcome o);
const char *clinic_route_name(enum clinic_route r);

/* ==== reception (reception.c) =================================================================================
 *
 * The wire path of one visit, as a real desk runs it: the clinic's reader talks to the resident's card in APDUs
 * (through a pcsc reader: the in-process card or PC/SC, the same code), the clinic asks the eligibility service
 * with request messages and reads its response messages (hardened parser: a broken or hostile answer reads as
 * service_down), then decides with clinic_decide. The routes (docs/RULES.md DESK-3, docs/MESSAGES.md):
 *   PIN route   read the auth certificate, get a nonce, verify the auth PIN (63C0: pin blocked), the CARD signs
 *               a SHA-256 DigestInfo of the nonce; AuthenticationClassification 2.
 *   face route  read the face image from the card-surface AP with PIN-B (keyed from the surface: birth YYMMDD,
 *               the card's expiry year, the security code), match it (face_mismatch: the match fails and the
 *               desk falls back to the PIN, or to a visual check for a face-only card), read the certificate,
 *               the READER signs nonce, certificate and match result; classification 1.
 *   visual      a face-only card at a PIN reader or after a failed match: the certificate, the reader signs; 3.
 * Paper documents (paper card, certificate, notice) go by number requests; clinic_decide then asks nothing more.
 *
 * The desk never sees the world: only the card (through the reader), what is printed, and the service.
 */
struct pcsc_reader;
struct eligibility_service;

/* The clinic's registered reader device: an ECDSA P-256 key made deterministically from the clinic's name. */
struct clinic_device;
CORE_MUST_USE int clinic_device_new(const char *clinic_id, struct clinic_device **out,
                                    struct core_error *err);
void clinic_device_free(struct clinic_device *dev);
/* The identifier the device signs as (ReaderIdentifier): "RDR-" and 16 hex digits of the name's hash. */
const char *clinic_device_id(const struct clinic_device *dev);
/* Its public key (SubjectPublicKeyInfo, DER), for eligibility_service_register_reader. */
CORE_MUST_USE int clinic_device_public_key(const struct clinic_device *dev, const uint8_t **spki,
                                           size_t *len);
/* Registers it with the service. */
CORE_MUST_USE int clinic_device_register(const struct clinic_device *dev, struct eligibility_service *svc,
                                         struct core_error *err);

/* The reader signs with ECDSA P-256 / SHA-256 what eligibility_reader_signed_data says (nonce, certificate,
 * match result); the card signs eligibility_card_digest_info of the nonce (COMPUTE DIGITAL SIGNATURE). */

/* Faults produced for real on the wire (docs/SCENARIO-FORMAT.md, Faults). */
struct clinic_faults {
    bool face_mismatch;        /* the face match fails */
    bool reader_fault;         /* the reader does not read: no request is sent (reader_down) */
    bool unshowable_name;      /* the answer's name holds a character CP932 cannot show: it arrives as ● */
    bool borrowed_certificate; /* another card's certificate sent with this card's signature */
    bool replayed_request;     /* an old request is sent again */
};

/* What is printed on the card's surface that the desk keys for PIN-B. */
struct clinic_card_surface {
    core_day born;
    core_day card_expires; /* the card body's expiry (its year is printed) */
    char security_code[5];
};

struct clinic_reception {
    core_day on;
    enum clinic_visit visit;
    enum clinic_reader reader;
    bool online_ok; /* the clinic's reader and online check work today (reader_fault makes it false too) */
    const struct clinic_presented *presented;
    struct pcsc_reader *card; /* the card in the reader when presented->card; NULL otherwise */
    struct clinic_card_surface surface;
    const char *pin; /* what the resident keys on a PIN reader */
    struct clinic_faults faults;
    const uint8_t *borrowed_cert; /* borrowed_certificate: the other card's auth certificate (DER) */
    size_t borrowed_cert_len;
    const char *holder_name; /* unshowable_name: the name the answer carries (UTF-8); NULL: none */
    struct eligibility_service *service; /* issues the nonces; answers requests unless `transport` is set */
    /* How request messages travel: NULL hands them to `service` in process (eligibility_service_handle); else
     * this (an HTTP client, a test's hostile service) returns CORE_OK and a malloc'd response, or fails. */
    int (*transport)(void *ctx, const uint8_t *request, size_t len, uint8_t **response, size_t *response_len);
    void *transport_ctx;
    /* Where the card route's nonce comes from: NULL takes it from `service` (eligibility_service_nonce); else
     * this (clinic_http_nonce: POST /nonce of a remote service) fills 32 bytes and returns CORE_OK, or fails
     * (the card route then reads service_down). With both `transport` and `nonce` set, `service` may be NULL. */
    int (*nonce)(void *ctx, uint8_t out[32]);
    void *nonce_ctx;
    const struct clinic_device *device; /* the clinic's registered reader; NULL when reader NONE */
    const char *institution;            /* MedicalInstitutionCode, 10 digits */
    const struct clinic_record *record;
    const struct policy *policy;
};

struct clinic_reception_result {
    struct clinic_decision decision;
    bool card_asked; /* the card was shown (an answer for it exists: card) */
    struct eligibility_answer card, paper_card, certificate, notice;
    enum eligibility_auth auth; /* how the card route authenticated the holder (when a request went) */
    int requests;               /* request messages sent */
    char shown_name[128];       /* the name the desk's screen showed (unshowable_name), UTF-8 */
};

/* Runs one visit. CORE_OK with the decision (every refusal of the card or the service is an answer, not an
 * error); CORE_EINVAL for missing inputs; CORE_EIO / CORE_ECRYPTO when the desk's own machinery fails. */
CORE_MUST_USE int clinic_reception_run(const struct clinic_reception *in, struct clinic_reception_result *out,
                                       struct core_error *err);

/* ==== the HTTP client (http_client.c) =========================================================================
 *
 * The desk's side of `mynasim serve` (sim/eligibility/http.c): request messages to POST /eligibility, nonces
 * from POST /nonce, and, against a service started with --control (loopback only), its date, its outage and
 * the registration of reader devices. HTTP/1.1 over plain IPv4 sockets, one connection per request
 * (Connection: close), the body sized by Content-Length; the answer is read with limits (headers 16 KiB, the
 * body ELIGIBILITY_MSG_MAX_BYTES + 4 KiB) and a timeout on every send and receive (10 s unless set), so a
 * hostile or stuck server costs a bounded wait and a bounded buffer, never a hang or a crash.
 */
struct clinic_http;
/* "HOST:PORT" (an IPv4 address). Checks the service answers GET /health with 200: CORE_EIO naming the address
 * when it does not (nothing listens, or something else does). */
CORE_MUST_USE int clinic_http_open(const char *host_port, struct clinic_http **out, struct core_error *err);
void clinic_http_close(struct clinic_http *h);
/* The timeout on every later send and receive, in milliseconds (0: the default 10 s). A stuck server then
 * costs at most this per send or receive; the request fails with CORE_EIO "no answer in time". */
void clinic_http_set_timeout_ms(struct clinic_http *h, unsigned ms);
/* One request: method and path, a body (may be NULL with len 0). *status is the HTTP status; *body a malloc'd
 * copy of the response body (NUL-terminated beyond *body_len) when body is not NULL. CORE_EIO when the
 * exchange fails or the answer is not HTTP within the limits. */
CORE_MUST_USE int clinic_http_request(struct clinic_http *h, const char *method, const char *path,
                                      const void *req, size_t len, int *status, uint8_t **body,
                                      size_t *body_len, struct core_error *err);
/* The reception's hooks (ctx = the struct clinic_http). transport: POST /eligibility; a 200 or a 413 (the
 * service's MYNE3001 answer) gives the response message, anything else fails. nonce: POST /nonce, base64. */
CORE_MUST_USE int clinic_http_transport(void *ctx, const uint8_t *request, size_t len, uint8_t **response,
                                        size_t *response_len);
CORE_MUST_USE int clinic_http_nonce(void *ctx, uint8_t out[32]);
/* The control routes of `mynasim serve --control`: CORE_ESTATE when the service refuses (not 200). */
CORE_MUST_USE int clinic_http_set_date(struct clinic_http *h, core_day day, struct core_error *err);
CORE_MUST_USE int clinic_http_set_down(struct clinic_http *h, bool down, struct core_error *err);
CORE_MUST_USE int clinic_http_register_reader(struct clinic_http *h, const struct clinic_device *dev,
                                              struct core_error *err);

#endif
