/*
 * tlv.c: BER-TLV data objects as ISO/IEC 7816-4:2020 5.2 uses them (a subset of X.690 8.1).
 *
 * Tag: one byte, or when its low five bits are 11111 a first byte followed by bytes whose bit 8 says "another
 * follows". We keep tags of up to 4 bytes (the largest uint32_t), so the tag travels as the big-endian number
 * of its bytes (5F20, DF21, FF20, 7F4E...). Refused: a tag starting with 00 (ISO 7816-4 calls 00 and FF
 * between objects padding, and X.690 reserves tag 0 for end-of-contents; FF is kept because the card's own
 * files use FF20), and a first subsequent byte of 80, which would be a leading zero in the tag number
 * (X.690 8.1.2.4.2 c).
 *
 * Length: definite only. 00..7F in one byte; 81..84 followed by 1 to 4 length bytes. 80 (indefinite)
 * and 85..FF are refused: nothing on a card is streamed, and a length we cannot hold is a length we must not
 * trust. Non-minimal long forms (81 05) are accepted on parse, as BER allows and some cards send; encoding
 * always picks the shortest form, so re-encoding such an object shortens its header but keeps its tag and
 * value.
 *
 * The same tag rules serve parse and encode (tag_split), so whatever encode accepts parse reads back.
 */
#include "iso7816/iso7816.h"

#include <string.h>

#define TAG_MAX_BYTES 4u
#define TAG_MULTI_BYTE 0x1Fu
#define TAG_MORE 0x80u
#define TAG_CONSTRUCTED 0x20u
#define LEN_LONG 0x80u
#define LEN_MAX_BYTES 4u

/* Splits a tag number into its bytes, most significant first. Returns how many, or 0 when tlv_parse would
 * refuse those bytes: tag 00, a one-byte tag with bytes behind it, a multi-byte tag whose continuation bits
 * disagree with where it ends, or whose first subsequent byte is 80. */
static size_t tag_split(uint32_t tag, uint8_t bytes[TAG_MAX_BYTES])
{
    size_t n = 1;
    while (n < TAG_MAX_BYTES && (tag >> (8u * n)) != 0)
        n++;
    bytes[0] = (uint8_t)(tag >> (8u * (n - 1u)));
    for (size_t i = 1; i < n; i++)
        bytes[i] = (uint8_t)(tag >> (8u * (n - 1u - i)));
    if (bytes[0] == 0)
        return 0;
    bool multi = (bytes[0] & TAG_MULTI_BYTE) == TAG_MULTI_BYTE;
    if (!multi)
        return n == 1 ? 1 : 0;
    if (n == 1 || bytes[1] == TAG_MORE)
        return 0;
    for (size_t i = 1; i < n; i++) {
        bool more = (bytes[i] & TAG_MORE) != 0;
        if (more != (i + 1u < n))
            return 0;
    }
    return n;
}

static size_t length_size(size_t len)
{
    if (len < LEN_LONG)
        return 1;
    if (len <= 0xFFu)
        return 2;
    if (len <= 0xFFFFu)
        return 3;
    if (len <= 0xFFFFFFu)
        return 4;
    if ((uint64_t)len <= UINT32_MAX)
        return 5;
    return 0;
}

size_t iso7816_tlv_header_size(uint32_t tag, size_t len)
{
    uint8_t bytes[TAG_MAX_BYTES];
    size_t t = tag_split(tag, bytes);
    size_t l = length_size(len);
    if (t == 0 || l == 0)
        return 0;
    return t + l;
}

/* Reads the tag at buf[0..len). Returns its byte count, or 0 when malformed or truncated. */
static size_t tag_read(const uint8_t *buf, size_t len, uint32_t *tag)
{
    if (buf[0] == 0)
        return 0;
    uint32_t t = buf[0];
    size_t n = 1;
    if ((buf[0] & TAG_MULTI_BYTE) == TAG_MULTI_BYTE) {
        for (;;) {
            if (n == len || n == TAG_MAX_BYTES)
                return 0; /* truncated, or a fifth tag byte would be needed */
            uint8_t b = buf[n];
            if (n == 1 && b == TAG_MORE)
                return 0;
            t = (t << 8) | b;
            n++;
            if ((b & TAG_MORE) == 0)
                break;
        }
    }
    *tag = t;
    return n;
}

int iso7816_tlv_parse(const uint8_t *buf, size_t len, struct iso7816_tlv *out, size_t *consumed)
{
    if (buf == NULL || len == 0 || out == NULL || consumed == NULL)
        return -1;
    uint32_t tag;
    size_t pos = tag_read(buf, len, &tag);
    if (pos == 0 || pos == len)
        return -1;
    size_t vlen = buf[pos++];
    if (vlen & LEN_LONG) {
        size_t nbytes = vlen & ~(size_t)LEN_LONG;
        if (nbytes == 0 || nbytes > LEN_MAX_BYTES || nbytes > len - pos)
            return -1;
        /* At most 4 bytes: fits uint32_t, and so size_t, whatever the platform. */
        uint32_t v = 0;
        for (size_t i = 0; i < nbytes; i++)
            v = (v << 8) | buf[pos++];
        vlen = v;
    }
    if (vlen > len - pos)
        return -1;
    out->tag = tag;
    out->constructed = (buf[0] & TAG_CONSTRUCTED) != 0;
    out->value = buf + pos;
    out->len = vlen;
    out->header_len = pos;
    *consumed = pos + vlen;
    return 0;
}

int iso7816_tlv_find(const uint8_t *buf, size_t len, uint32_t tag, struct iso7816_tlv *out)
{
    if (buf == NULL)
        return -1;
    size_t off = 0;
    while (off < len) {
        struct iso7816_tlv t;
        size_t used;
        if (iso7816_tlv_parse(buf + off, len - off, &t, &used) != 0)
            return -1;
        if (t.tag == tag) {
            if (out != NULL)
                *out = t;
            return 0;
        }
        off += used;
    }
    return -1;
}

int iso7816_tlv_encode(uint32_t tag, const uint8_t *value, size_t len, uint8_t *out, size_t cap,
                       size_t *out_len)
{
    if (out == NULL || out_len == NULL || (value == NULL && len != 0))
        return -1;
    uint8_t tag_bytes[TAG_MAX_BYTES];
    size_t t = tag_split(tag, tag_bytes);
    size_t l = length_size(len);
    if (t == 0 || l == 0 || len > cap || t + l > cap - len)
        return -1;
    /* The value goes first, with memmove: a caller may build the value in place at out + header_size and
     * wrap it afterwards. */
    if (len != 0)
        memmove(out + t + l, value, len);
    memcpy(out, tag_bytes, t);
    uint8_t *p = out + t;
    if (l == 1) {
        *p = (uint8_t)len;
    } else {
        *p++ = (uint8_t)(LEN_LONG | (l - 1u));
        for (size_t i = l - 1u; i > 0; i--)
            *p++ = (uint8_t)(len >> (8u * (i - 1u)));
    }
    *out_len = t + l + len;
    return 0;
}
