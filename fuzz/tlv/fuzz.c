/*
 * Fuzz target for the BER-TLV codec (sim/iso7816/tlv.c). Besides crashes it aborts on any broken property, so
 * the fuzzer finds logic bugs too:
 *
 *  1. The first TLV of the input: its parts lie inside the input and add up; encoding its tag and value gives
 *     the minimal header (the input's own bytes when the input used the minimal form), and parsing that gives
 *     the same tag, constructed bit, length and value.
 *  2. The siblings of the input, and recursively those inside constructed values: iso7816_tlv_find returns
 * the first sibling with each tag, never a later one.
 *  3. The first 4 bytes as a tag number: header_size says 0 exactly when encode refuses it, and an accepted
 * tag parses back to itself — encode and parse agree on which tags exist.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iso7816/iso7816.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DEPTH 8
#define MAX_SIBLINGS 64

static uint8_t out[1u << 20];

static void check(bool ok)
{
    if (!ok)
        abort();
}

static void first_tlv_round_trips(const uint8_t *buf, size_t len)
{
    struct iso7816_tlv t;
    size_t used = 0;
    if (iso7816_tlv_parse(buf, len, &t, &used) != 0)
        return;
    check(used <= len && t.header_len + t.len == used && t.value == buf + t.header_len);
    check(t.header_len >= 2 && t.header_len <= 4 + 5);
    size_t h = iso7816_tlv_header_size(t.tag, t.len);
    check(h != 0 && h <= t.header_len);
    check(t.constructed == ((buf[0] & 0x20) != 0));
    if (h + t.len > sizeof out)
        return;
    size_t n = 0;
    check(iso7816_tlv_encode(t.tag, t.value, t.len, out, sizeof out, &n) == 0);
    check(n == h + t.len);
    if (h == t.header_len)
        check(memcmp(out, buf, n) == 0);
    struct iso7816_tlv u;
    size_t used2 = 0;
    check(iso7816_tlv_parse(out, n, &u, &used2) == 0);
    check(used2 == n && u.tag == t.tag && u.constructed == t.constructed && u.len == t.len &&
          u.header_len == h && memcmp(u.value, t.value, t.len) == 0);
}

static void siblings_are_found_first_first(const uint8_t *buf, size_t len, int depth)
{
    struct iso7816_tlv seen[MAX_SIBLINGS];
    size_t count = 0, off = 0;
    while (off < len && count < MAX_SIBLINGS) {
        struct iso7816_tlv t;
        size_t used;
        if (iso7816_tlv_parse(buf + off, len - off, &t, &used) != 0)
            break;
        check(used > 0 && used <= len - off);
        const uint8_t *first = t.value;
        for (size_t i = 0; i < count; i++) {
            if (seen[i].tag == t.tag) {
                first = seen[i].value;
                break;
            }
        }
        struct iso7816_tlv f;
        check(iso7816_tlv_find(buf, len, t.tag, &f) == 0);
        check(f.tag == t.tag && f.value == first);
        if (t.constructed && depth < MAX_DEPTH)
            siblings_are_found_first_first(t.value, t.len, depth + 1);
        seen[count++] = t;
        off += used;
    }
}

static void tag_rules_agree(const uint8_t *buf, size_t len)
{
    if (len < 4)
        return;
    uint32_t tag = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
    /* Shift off leading zero bytes by the count in the low bits of byte 0, so 1-, 2- and 3-byte tags occur.
     */
    tag >>= 8u * (buf[0] & 3u);
    const uint8_t *value = buf + 4;
    size_t vlen = len - 4;
    size_t h = iso7816_tlv_header_size(tag, vlen);
    size_t n = 0;
    int rc = iso7816_tlv_encode(tag, value, vlen, out, sizeof out, &n);
    if (h == 0 || h + vlen > sizeof out) {
        check(rc == -1);
        return;
    }
    check(rc == 0 && n == h + vlen);
    struct iso7816_tlv t;
    size_t used;
    check(iso7816_tlv_parse(out, n, &t, &used) == 0);
    check(t.tag == tag && t.len == vlen && used == n && memcmp(t.value, value, vlen) == 0);
    /* One byte less room must be refused. */
    check(iso7816_tlv_encode(tag, value, vlen, out, n - 1, &n) == -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    first_tlv_round_trips(data, size);
    siblings_are_found_first_first(data, size, 0);
    tag_rules_agree(data, size);
    return 0;
}
