/*
 * Fuzz target: the eligibility request parser (sim/eligibility/message.c). Any input is parsed or refused with
 * a documented code; a parsed request is written again in the encoding it came in, which must succeed (for
 * UTF-8) and parse back to the same struct, and writing that gives the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "eligibility/eligibility.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char buf1[ELIGIBILITY_MSG_MAX_BYTES], buf2[ELIGIBILITY_MSG_MAX_BYTES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct eligibility_request_msg m1, m2;
    struct eligibility_msg_error err;
    if (eligibility_request_parse(data, size, &m1, &err) != CORE_OK) {
        if (err.code < ELIGIBILITY_MSG_TOO_LARGE || err.code > ELIGIBILITY_MSG_ORDER)
            abort();
        return 0;
    }
    size_t n1, n2;
    if (eligibility_request_encode(&m1, m1.encoding, buf1, sizeof buf1, &n1, &err) != CORE_OK) {
        /* Only CP932's ● replacement may grow a text field past its length. */
        if (m1.encoding != ELIGIBILITY_ENC_CP932 || err.code != ELIGIBILITY_MSG_BAD_VALUE)
            abort();
        return 0;
    }
    if (eligibility_request_parse(buf1, n1, &m2, &err) != CORE_OK)
        abort();
    if (m1.encoding == ELIGIBILITY_ENC_UTF8 && memcmp(&m1, &m2, sizeof m1) != 0)
        abort();
    if (eligibility_request_encode(&m2, m2.encoding, buf2, sizeof buf2, &n2, &err) != CORE_OK || n1 != n2 ||
        memcmp(buf1, buf2, n1) != 0)
        abort();
    struct eligibility_number_request nr;
    /* Either answer is right here: the target looks for crashes, not for a verdict. */
    CORE_DROP(eligibility_request_to_number_request(&m1, &nr));
    return 0;
}
