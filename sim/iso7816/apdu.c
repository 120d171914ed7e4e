/*
 * apdu.c: command APDU parsing and encoding (ISO/IEC 7816-4:2020 5.1), response APDU splitting.
 *
 * A command APDU is a 4-byte header (CLA INS P1 P2) and an optional body. The body's length alone says which
 * of the four cases it is and whether it is short or extended, so parsing is a decision on `len` and at most
 * three bytes after the header:
 *
 *   case 1          header
 *   case 2 short    header Le                        Le 01..FF, 00 = 256
 *   case 3 short    header Lc data                   Lc 01..FF
 *   case 4 short    header Lc data Le
 *   case 2 extended header 00 Le1 Le2                Le 0000 = 65536
 *   case 3 extended header 00 Lc1 Lc2 data           Lc 0001..FFFF
 *   case 4 extended header 00 Lc1 Lc2 data Le1 Le2   (no second 00 before Le: Lc already said "extended")
 *
 * A short Lc of 00 does not exist: a 00 in the first body byte of anything longer than 5 bytes announces the
 * extended form, and an extended Lc of 0000 is refused rather than guessed at. Any other length is
 * inconsistent and answered with 6700, the one status word a card gives for a body it cannot split.
 *
 * The mapping is a bijection between valid byte strings and field sets (with `extended` chosen), which is
 * what lets the fuzz target demand that encode(parse(x)) == x.
 */
#include "iso7816/iso7816.h"

#include <string.h>

#define HEADER_LEN 4u
#define SHORT_LE_MAX 256u
#define EXTENDED_LE_MAX 65536u

static size_t get_u16(const uint8_t *p)
{
    return ((size_t)p[0] << 8) | p[1];
}

static void put_u16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Le as it travels: 00 (short) or 0000 (extended) stands for the maximum, which cannot be written otherwise.
 */
static size_t decode_short_le(uint8_t b)
{
    return b == 0 ? SHORT_LE_MAX : b;
}

static size_t decode_extended_le(const uint8_t *p)
{
    size_t v = get_u16(p);
    return v == 0 ? EXTENDED_LE_MAX : v;
}

static int case_of(size_t nc, bool has_le)
{
    if (nc == 0)
        return has_le ? 2 : 1;
    return has_le ? 4 : 3;
}

static void set_body(struct iso7816_apdu *out, const uint8_t *data, size_t nc, size_t ne, bool extended)
{
    out->data = data;
    out->nc = nc;
    out->ne = ne;
    out->has_le = ne != 0;
    out->extended = extended;
    out->apdu_case = case_of(nc, out->has_le);
}

/* Extended body: buf[4] is 00 and len > 5 (so at least buf[5] exists). */
static CORE_MUST_USE int parse_extended(const uint8_t *buf, size_t len, struct iso7816_apdu *out)
{
    if (len == HEADER_LEN + 3u) {
        set_body(out, buf + len, 0, decode_extended_le(buf + 5), true);
        return 0;
    }
    if (len < HEADER_LEN + 3u)
        return ISO7816_SW_WRONG_LENGTH;
    size_t nc = get_u16(buf + 5);
    /* 00 0000 would be "extended, no data": ISO 7816-4 gives Lc no zero value, and accepting it would give
     * cases 1 and 2 a second encoding each (and break the bijection the fuzz target checks). */
    if (nc == 0)
        return ISO7816_SW_WRONG_LENGTH;
    size_t rest = len - (HEADER_LEN + 3u);
    if (rest == nc) {
        set_body(out, buf + HEADER_LEN + 3u, nc, 0, true);
        return 0;
    }
    if (rest == nc + 2u) {
        set_body(out, buf + HEADER_LEN + 3u, nc, decode_extended_le(buf + len - 2u), true);
        return 0;
    }
    return ISO7816_SW_WRONG_LENGTH;
}

int iso7816_apdu_parse(const uint8_t *buf, size_t len, struct iso7816_apdu *out)
{
    if (out == NULL)
        return ISO7816_SW_UNKNOWN;
    if (buf == NULL || len < HEADER_LEN)
        return ISO7816_SW_WRONG_LENGTH;
    struct iso7816_apdu a = {.cla = buf[0], .ins = buf[1], .p1 = buf[2], .p2 = buf[3]};
    int rc = 0;
    if (len == HEADER_LEN) {
        set_body(&a, buf + HEADER_LEN, 0, 0, false);
    } else if (len == HEADER_LEN + 1u) {
        set_body(&a, buf + len, 0, decode_short_le(buf[4]), false);
    } else if (buf[4] == 0) {
        rc = parse_extended(buf, len, &a);
    } else {
        size_t nc = buf[4];
        size_t rest = len - (HEADER_LEN + 1u);
        if (rest == nc)
            set_body(&a, buf + HEADER_LEN + 1u, nc, 0, false);
        else if (rest == nc + 1u)
            set_body(&a, buf + HEADER_LEN + 1u, nc, decode_short_le(buf[len - 1u]), false);
        else
            rc = ISO7816_SW_WRONG_LENGTH;
    }
    /* The caller's struct is written only on success, so a rejected command leaves no half-parsed fields. */
    if (rc == 0)
        *out = a;
    return rc;
}

int iso7816_apdu_encode(const struct iso7816_apdu *apdu, uint8_t *out, size_t cap, size_t *out_len)
{
    if (apdu == NULL || out == NULL || out_len == NULL)
        return -1;
    size_t nc = apdu->nc, ne = apdu->ne;
    /* ne == 0 is how "no Le" is spelled (Le 00 decodes to 256), so has_le and ne must agree. */
    if (nc > ISO7816_EXTENDED_MAX_LC || ne > EXTENDED_LE_MAX || apdu->has_le != (ne != 0))
        return -1;
    if (nc > 0 && apdu->data == NULL)
        return -1;
    /* apdu_case 0 lets a caller leave the case to the fields; a stated case must agree with them. */
    if (apdu->apdu_case != 0 && apdu->apdu_case != case_of(nc, apdu->has_le))
        return -1;
    /* Case 1 has no length field, so it has no extended form: the flag has nothing to change there. */
    bool extended = (apdu->extended || nc > ISO7816_SHORT_MAX_LC || ne > SHORT_LE_MAX) && (nc > 0 || ne > 0);
    size_t need = HEADER_LEN;
    if (extended)
        need += 1u + (nc > 0 ? 2u + nc : 0u) + (ne > 0 ? 2u : 0u);
    else
        need += (nc > 0 ? 1u + nc : 0u) + (ne > 0 ? 1u : 0u);
    if (need > cap)
        return -1;

    uint8_t *p = out;
    *p++ = apdu->cla;
    *p++ = apdu->ins;
    *p++ = apdu->p1;
    *p++ = apdu->p2;
    if (extended) {
        *p++ = 0;
        if (nc > 0) {
            put_u16(p, nc);
            p += 2;
        }
    } else if (nc > 0) {
        *p++ = (uint8_t)nc;
    }
    if (nc > 0) {
        /* memmove: a caller may re-encode an APDU whose data already sits in `out`. */
        memmove(p, apdu->data, nc);
        p += nc;
    }
    if (ne > 0) {
        /* The maximum wraps to 00 / 0000 by truncation, which is exactly its encoding. */
        if (extended) {
            put_u16(p, ne & 0xFFFFu);
            p += 2;
        } else {
            *p++ = (uint8_t)ne;
        }
    }
    *out_len = (size_t)(p - out);
    return 0;
}

int iso7816_rapdu_split(const uint8_t *buf, size_t len, const uint8_t **data, size_t *data_len, uint16_t *sw)
{
    if (buf == NULL || len < 2u)
        return -1;
    /* Each output is optional: a caller checking only the status word passes NULL for the rest. */
    if (data != NULL)
        *data = buf;
    if (data_len != NULL)
        *data_len = len - 2u;
    if (sw != NULL)
        *sw = (uint16_t)((buf[len - 2u] << 8) | buf[len - 1u]);
    return 0;
}
