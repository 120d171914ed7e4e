/*
 * Fuzz target for the command APDU codec (sim/iso7816/apdu.c). Crashes are not the only failure: the codec is
 * a bijection between valid APDUs and field sets, so every property below that does not hold aborts, and the
 * fuzzer finds logic bugs (a wrong case, a lost Le, an encoding that parses back differently) as well.
 *
 *  1. The whole input as a C-APDU: either 6700, or fields within range and consistent, data inside the input,
 *     encode(parse(x)) == x byte for byte, and parse(encode) gives the same fields.
 *  2. The input as a field description (see fields_from): encode either refuses fields that are out of range
 *     or produces bytes that parse back to exactly those fields, in the form the rules choose.
 *  3. The input as an R-APDU: the split puts the status word in the last two bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iso7816/iso7816.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[ISO7816_MAX_CAPDU];

static void check(bool ok)
{
    if (!ok)
        abort();
}

static bool same_fields(const struct iso7816_apdu *a, const struct iso7816_apdu *b)
{
    return a->cla == b->cla && a->ins == b->ins && a->p1 == b->p1 && a->p2 == b->p2 && a->nc == b->nc &&
           a->ne == b->ne && a->has_le == b->has_le && a->extended == b->extended &&
           a->apdu_case == b->apdu_case && (a->nc == 0 || memcmp(a->data, b->data, a->nc) == 0);
}

static void check_consistent(const struct iso7816_apdu *a, const uint8_t *buf, size_t len)
{
    check(a->nc <= ISO7816_EXTENDED_MAX_LC && a->ne <= 65536u);
    check(a->has_le == (a->ne != 0));
    check(a->apdu_case == (a->nc == 0 ? (a->has_le ? 2 : 1) : (a->has_le ? 4 : 3)));
    check(a->extended || (a->nc <= ISO7816_SHORT_MAX_LC && a->ne <= 256u));
    check(a->data != NULL && a->data >= buf && a->nc <= len && a->data <= buf + len - a->nc);
}

static void parse_as_command(const uint8_t *buf, size_t len)
{
    struct iso7816_apdu a;
    int rc = iso7816_apdu_parse(buf, len, &a);
    if (rc != 0) {
        check(rc == ISO7816_SW_WRONG_LENGTH);
        return;
    }
    check_consistent(&a, buf, len);
    size_t n = 0;
    check(iso7816_apdu_encode(&a, out, sizeof out, &n) == 0);
    check(n == len && memcmp(out, buf, len) == 0);
    struct iso7816_apdu b;
    check(iso7816_apdu_parse(out, n, &b) == 0);
    check(same_fields(&a, &b));
}

/* Reads a field set from the input: CLA INS P1 P2, a flags byte (bit 0 extended, bit 1 Le present, bit 2
 * "state the case"), Nc and Ne as 3 bytes each (so values past the limits occur), then the data. Returns
 * false when the input is too short to describe one. */
static bool fields_from(const uint8_t *buf, size_t len, struct iso7816_apdu *a)
{
    if (len < 11)
        return false;
    memset(a, 0, sizeof *a);
    a->cla = buf[0];
    a->ins = buf[1];
    a->p1 = buf[2];
    a->p2 = buf[3];
    a->extended = (buf[4] & 1u) != 0;
    a->has_le = (buf[4] & 2u) != 0;
    a->nc = ((size_t)buf[5] << 16 | (size_t)buf[6] << 8 | buf[7]) % 0x10100u;
    a->ne = ((size_t)buf[8] << 16 | (size_t)buf[9] << 8 | buf[10]) % 0x10100u;
    if (a->nc > len - 11)
        a->nc = len - 11;
    a->data = a->nc > 0 ? buf + 11 : NULL;
    if (buf[4] & 4u)
        a->apdu_case = (buf[4] >> 3) & 7;
    return true;
}

static void encode_fields(const uint8_t *buf, size_t len)
{
    struct iso7816_apdu a;
    if (!fields_from(buf, len, &a))
        return;
    bool valid = a.nc <= ISO7816_EXTENDED_MAX_LC && a.ne <= 65536u && a.has_le == (a.ne != 0);
    int want_case = a.nc == 0 ? (a.has_le ? 2 : 1) : (a.has_le ? 4 : 3);
    valid = valid && (a.apdu_case == 0 || a.apdu_case == want_case);
    size_t n = 0;
    int rc = iso7816_apdu_encode(&a, out, sizeof out, &n);
    check((rc == 0) == valid);
    if (rc != 0)
        return;
    struct iso7816_apdu b;
    check(iso7816_apdu_parse(out, n, &b) == 0);
    /* What the parse must report: the case, and extended exactly when asked for or needed (never for case 1).
     */
    a.apdu_case = want_case;
    a.extended = want_case != 1 && (a.extended || a.nc > ISO7816_SHORT_MAX_LC || a.ne > 256u);
    check(same_fields(&a, &b));
    /* The length it reported is exactly what it needs: one byte less must be refused, out_len untouched. */
    size_t m = n;
    check(iso7816_apdu_encode(&a, out, n - 1, &m) == -1 && m == n);
}

static void split_as_response(const uint8_t *buf, size_t len)
{
    const uint8_t *d = NULL;
    size_t dl = 0;
    uint16_t sw = 0;
    int rc = iso7816_rapdu_split(buf, len, &d, &dl, &sw);
    if (len < 2) {
        check(rc == -1);
        return;
    }
    check(rc == 0 && d == buf && dl == len - 2);
    check(sw == (uint16_t)(buf[len - 2] << 8 | buf[len - 1]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse_as_command(data, size);
    encode_fields(data, size);
    split_as_response(data, size);
    return 0;
}
