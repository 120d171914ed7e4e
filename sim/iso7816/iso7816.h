/*
 * iso7816: the ISO/IEC 7816-4 command/response codec and BER-TLV codec. Pure functions over caller-owned
 * buffers: no allocation, no I/O, every length checked before it is used. The card, the PC/SC client and the
 * fuzzers all go through here, so a malformed APDU is rejected in one place.
 *
 * It knows nothing of My Number cards, JPKI or insurance.
 */
#ifndef MYNASIM_ISO7816_H
#define MYNASIM_ISO7816_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* Status words the card and its clients use. */
enum {
    ISO7816_SW_OK = 0x9000,
    ISO7816_SW_END_OF_FILE = 0x6282,    /* fewer bytes than Le: end of file reached */
    ISO7816_SW_VERIFY_FAILED = 0x63C0,  /* | tries left in the low nibble */
    ISO7816_SW_MEMORY_FAILURE = 0x6581, /* the card could not write its persistent memory */
    ISO7816_SW_WRONG_LENGTH = 0x6700,
    ISO7816_SW_SECURITY_NOT_SATISFIED = 0x6982,
    ISO7816_SW_AUTH_BLOCKED = 0x6983,
    ISO7816_SW_CONDITIONS_NOT_SATISFIED = 0x6985,
    ISO7816_SW_NO_CURRENT_EF = 0x6986,
    ISO7816_SW_WRONG_DATA = 0x6A80,
    ISO7816_SW_FUNC_NOT_SUPPORTED = 0x6A81,
    ISO7816_SW_FILE_NOT_FOUND = 0x6A82,
    ISO7816_SW_INCORRECT_P1P2 = 0x6A86,
    ISO7816_SW_REF_DATA_NOT_FOUND = 0x6A88,
    ISO7816_SW_WRONG_P1P2 = 0x6B00, /* also: offset beyond the end of the file */
    ISO7816_SW_INS_NOT_SUPPORTED = 0x6D00,
    ISO7816_SW_CLA_NOT_SUPPORTED = 0x6E00,
    ISO7816_SW_UNKNOWN = 0x6F00,
};

#define ISO7816_SHORT_MAX_LC 255u
#define ISO7816_EXTENDED_MAX_LC 65535u
#define ISO7816_MAX_CAPDU (4u + 3u + 65535u + 3u)
#define ISO7816_MAX_RAPDU (65536u + 2u)

/* A parsed command APDU. `data` points into the caller's buffer (never NULL after a parse, even when nc is
 * 0). `ne` is the expected response length: 0 when absent (cases 1 and 3); an encoded Le of 00 means 256
 * (short) or 65536 (extended), so has_le == (ne != 0) always. */
struct iso7816_apdu {
    uint8_t cla;
    uint8_t ins;
    uint8_t p1;
    uint8_t p2;
    const uint8_t *data;
    size_t nc; /* Lc: number of data bytes */
    size_t ne; /* Le decoded (0..65536) */
    bool has_le;
    bool extended;
    int apdu_case; /* 1, 2, 3 or 4 */
};

/* Parses a command APDU (ISO 7816-4 5.1, short and extended). Returns 0, or the status word a card should
 * answer for an unparseable command (ISO7816_SW_WRONG_LENGTH; ISO7816_SW_UNKNOWN if out is NULL). A body
 * starting 00 in an APDU longer than 5 bytes is extended; an extended Lc of 0000 is refused. *out is written
 * only on success. */
CORE_MUST_USE int iso7816_apdu_parse(const uint8_t *buf, size_t len, struct iso7816_apdu *out);
/* Encodes an APDU: short when nc <= 255 and ne <= 256 unless `extended` is set (ignored for case 1, which has
 * no extended form). The case follows from nc and has_le; apdu_case may be 0, otherwise it must agree.
 * Returns 0, or -1 when it does not fit `cap` or the fields are out of range or inconsistent: has_le must
 * equal ne != 0, nc <= 65535, ne <= 65536, data non-NULL when nc > 0. `data` may lie inside `out`. */
CORE_MUST_USE int iso7816_apdu_encode(const struct iso7816_apdu *apdu, uint8_t *out, size_t cap,
                                      size_t *out_len);

/* Splits a response APDU into data and status word (any output may be NULL). Returns 0, or -1 when shorter
 * than 2 bytes. */
CORE_MUST_USE int iso7816_rapdu_split(const uint8_t *buf, size_t len, const uint8_t **data, size_t *data_len,
                                      uint16_t *sw);

/* ---- BER-TLV (ISO 7816-4 5.2 / X.690) ---------------------------------------------------------------- */

struct iso7816_tlv {
    uint32_t tag; /* the tag bytes as a big-endian number: 0x5F20, 0xDF21, 0x30, ... */
    bool constructed;
    const uint8_t *value;
    size_t len;
    size_t header_len; /* tag + length bytes */
};

/* Parses one TLV at the start of buf. Tags up to 4 bytes, definite lengths up to 4 bytes (81, 82, 83, 84);
 * indefinite length refused, as are a first tag byte of 00 and a first subsequent tag byte of 80.
 * Non-minimal long lengths are accepted (BER). Returns 0 and sets *consumed, or -1 on malformed or truncated
 * input. `value` is never NULL on success. */
CORE_MUST_USE int iso7816_tlv_parse(const uint8_t *buf, size_t len, struct iso7816_tlv *out,
                                    size_t *consumed);
/* Finds the first TLV with `tag` among the TLVs that fill buf exactly (not recursive). 0, or -1 when absent
 * or when a malformed TLV comes before it (what follows the match is not checked). out may be NULL. */
CORE_MUST_USE int iso7816_tlv_find(const uint8_t *buf, size_t len, uint32_t tag, struct iso7816_tlv *out);
/* Encodes tag + length + value (value may be NULL when len is 0), with the shortest length form. Returns 0,
 * or -1 when it does not fit or the tag is one tlv_parse would refuse. `value` may lie inside `out` (build it
 * at out + iso7816_tlv_header_size(), then wrap it). */
CORE_MUST_USE int iso7816_tlv_encode(uint32_t tag, const uint8_t *value, size_t len, uint8_t *out, size_t cap,
                                     size_t *out_len);
/* Number of bytes the header of a TLV with this tag and length needs; 0 for an invalid tag or a length
 * above 0xFFFFFFFF. */
size_t iso7816_tlv_header_size(uint32_t tag, size_t len);

#endif
