/*
 * Fuzz target: the eligibility service's certificate handling (sim/eligibility/service.c). The input is the
 * DER of the user authentication certificate of a PIN-route card request: the request carries it base64-
 * encoded with a nonce the service issued and a signature that cannot verify, and goes through
 * eligibility_service_handle like any request. Whatever the bytes (a real certificate, a truncated or mutated
 * one, not DER at all), the service answers a well-formed response to this request and never crashes; a card
 * request with a forged proof is never answered with a qualification. The certificate cache keeps what it saw
 * across inputs, as in a long-running service.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eligibility/eligibility.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct policy *policy;
static struct eligibility_registry *reg;
static struct eligibility_service *svc;
static core_day today;

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_cert: %s\n", why);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct core_error err;
    if (policy_load_named("national", &policy, &err) != CORE_OK ||
        eligibility_registry_new(policy, &reg) != CORE_OK ||
        eligibility_service_new(reg, policy, &svc, &err) != CORE_OK ||
        core_date_parse("2025-06-02", 10, &today) != CORE_OK) {
        fprintf(stderr, "fuzz_cert: setup failed (MYNASIM_DATA_DIR?): %s\n", err.message);
        abort();
    }
    eligibility_service_seed(svc, 1);
    if (eligibility_service_set_date(svc, today) != CORE_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct eligibility_request_msg m;
    static struct eligibility_response_msg res;
    static char buf[ELIGIBILITY_MSG_MAX_BYTES];
    memset(&m, 0, sizeof m);
    m.kind = ELIGIBILITY_REQUEST_CARD;
    m.date = today;
    snprintf(m.institution, sizeof m.institution, "1312345678");
    snprintf(m.file_id, sizeof m.file_id, "FUZZCERT1");
    m.born = CORE_DAY_NONE;
    m.card.auth_class = ELIGIBILITY_MSG_AUTH_PIN;
    snprintf(m.card.reader_id, sizeof m.card.reader_id, "RDR-0000000000000000");
    /* The message carries 1..ELIGIBILITY_MSG_CERT_MAX bytes: an empty input is one zero byte. */
    m.card.certificate_len = size == 0                         ? 1
                             : size > ELIGIBILITY_MSG_CERT_MAX ? ELIGIBILITY_MSG_CERT_MAX
                                                               : size;
    if (size > 0)
        memcpy(m.card.certificate, data, m.card.certificate_len);
    if (eligibility_service_nonce(svc, m.card.nonce) != CORE_OK)
        fail("no nonce");
    m.card.nonce_len = 32;
    for (size_t i = 0; i < 256; i++) /* any signature: it cannot verify */
        m.card.signature[i] = (uint8_t)(i * 37u + size);
    m.card.signature_len = 256;
    size_t len = 0;
    struct eligibility_msg_error err;
    if (eligibility_request_encode(&m, ELIGIBILITY_ENC_UTF8, buf, sizeof buf, &len, &err) != CORE_OK)
        fail(err.message); /* a certificate of up to 4096 bytes always fits */
    uint8_t *resp = NULL;
    size_t resp_len = 0;
    if (eligibility_service_handle(svc, (const uint8_t *)buf, len, &resp, &resp_len) != CORE_OK ||
        resp == NULL)
        fail("no response");
    if (eligibility_response_parse(resp, resp_len, &res, &err) != CORE_OK)
        fail(err.message); /* not a well-formed response */
    if (res.reference != ELIGIBILITY_REQUEST_CARD || strcmp(res.file_id, "FUZZCERT1") != 0)
        fail("the response answers another request");
    struct eligibility_answer a;
    if (eligibility_response_to_answer(&res, &a) != CORE_OK || a.result == ELIGIBILITY_OK ||
        res.has_qualification)
        fail("a forged proof got through");
    free(resp);
    return 0;
}
