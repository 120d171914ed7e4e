/*
 * Fuzz target: CP932 conversion in the eligibility messages (message.c, message_cp932.c). The input is used
 * twice: as the bytes of a text value inside a document declared Shift_JIS (libxml2's iconv conversion in),
 * and as a UTF-8 name written out in CP932 (the ● replacement and iconv out). Neither may crash; a value read
 * from CP932 must survive being written in CP932 and read again unchanged, and a written name reads back with one
 * character for each it had (● for the unshowable), stable from the first trip on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eligibility/eligibility.h"
#include "eligibility/message_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char doc[ELIGIBILITY_MSG_MAX_BYTES], out[ELIGIBILITY_MSG_MAX_BYTES];

static const char head[] = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<XmlMsg><MessageHeader>"
                           "<ProcessExecutionTime>20250115093000</ProcessExecutionTime>"
                           "<SegmentOfResult>1</SegmentOfResult>"
                           "<CharacterCodeIdentifier>1</CharacterCodeIdentifier></MessageHeader><MessageBody>"
                           "<ProcessingResultStatus>1</ProcessingResultStatus><ProcessingResultMessage>";
static const char tail[] = "</ProcessingResultMessage></MessageBody></XmlMsg>\n";

static void cp932_in(const uint8_t *data, size_t size)
{
    if (size > 200)
        return;
    size_t n = 0;
    memcpy(doc, head, sizeof head - 1);
    n += sizeof head - 1;
    memcpy(doc + n, data, size);
    n += size;
    memcpy(doc + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    static struct eligibility_response_msg m1, m2;
    struct eligibility_msg_error err;
    if (eligibility_response_parse(doc, n, &m1, &err) != CORE_OK)
        return;
    size_t len;
    bool refs = memchr(data, '&', size) != NULL;
    if (eligibility_response_encode(&m1, ELIGIBILITY_ENC_CP932, out, sizeof out, &len, &err) != CORE_OK) {
        if (!refs)
            abort();
        return;
    }
    if (eligibility_response_parse(out, len, &m2, &err) != CORE_OK)
        abort();
    if (!refs && strcmp(m1.result_message, m2.result_message) != 0)
        abort();
}

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void cp932_out(const uint8_t *data, size_t size)
{
    static struct eligibility_response_msg m, back;
    memset(&m, 0, sizeof m);
    if (size == 0 || size >= sizeof m.result_message || memchr(data, 0, size) != NULL)
        return;
    memcpy(m.result_message, data, size);
    memcpy(m.process_time, "20250115093000", 15);
    m.date = CORE_DAY_NONE;
    m.segment = 1;
    m.status = 1;
    char safe[ELIGIBILITY_MSG_TEXT_MAX * 3];
    int safe_rc = elig_cp932_safe(m.result_message, safe, sizeof safe);
    struct eligibility_msg_error err;
    size_t len;
    if (eligibility_response_encode(&m, ELIGIBILITY_ENC_CP932, out, sizeof out, &len, &err) != CORE_OK)
        return;
    /* Unicode's JIS-side forms (U+301C, U+2016, U+2212, U+00A2, ...) come back as Windows' (U+FF5E, ...):
     * one character for one, and a second trip changes nothing. */
    if (safe_rc != CORE_OK || eligibility_response_parse(out, len, &back, &err) != CORE_OK ||
        chars(back.result_message) != chars(safe))
        abort();
    static struct eligibility_response_msg again;
    if (eligibility_response_encode(&back, ELIGIBILITY_ENC_CP932, out, sizeof out, &len, &err) != CORE_OK ||
        eligibility_response_parse(out, len, &again, &err) != CORE_OK ||
        strcmp(again.result_message, back.result_message) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cp932_in(data, size);
    cp932_out(data, size);
    return 0;
}
