/*
 * jpki.c: a JPKI client (公的個人認証), the reader side of the card's JPKI application. It sends the APDUs
 * OpenSC's jpki driver sends (docs/PLATFORM.md), short APDUs only, so what works here works for the
 * reference client too:
 *   select AP       00 A4 04 0C 0A D392F000260100000001
 *   select EF       00 A4 02 0C 02 FID
 *   read            00 B0 00 00 04 for the DER header, then 00 B0 HH LL Le in chunks of at most 256 bytes
 *   PIN status      select the PIN EF, then an empty 00 20 00 80 answering 63Cx
 *   verify          00 20 00 80 Lc ASCII-PIN
 *   sign            select the key EF, then 80 2A 00 80 Lc DigestInfo 00: 256 bytes + 9000 in one response
 * No call selects the AP implicitly: selecting the AP clears the security state, so "select, verify, sign" is
 * the caller's sequence and a verified PIN survives reading certificates in between.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "iso7816/iso7816.h"
#include "pcsc/pcsc.h"

static const uint8_t jpki_aid[] = {0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01};

static const uint16_t cert_fid[CARD_CERT_COUNT] = {
    [CARD_CERT_AUTH] = 0x000A,
    [CARD_CERT_AUTH_CA] = 0x000B,
    [CARD_CERT_SIGN] = 0x0001,
    [CARD_CERT_SIGN_CA] = 0x0002,
};

struct jpki_key_files {
    uint16_t key;
    uint16_t pin;
    const char *what;
};

static const struct jpki_key_files key_files[] = {
    [PCSC_JPKI_AUTH] = {0x0017, 0x0018, "authentication PIN"},
    [PCSC_JPKI_SIGN] = {0x001A, 0x001B, "signature password"},
};

/* One exchange: encode, transmit, split. */
static CORE_MUST_USE int jpki_exchange(struct pcsc_reader *reader, uint8_t cla, uint8_t ins, uint8_t p1,
                                       uint8_t p2, const uint8_t *data, size_t nc, size_t ne, uint8_t *rapdu,
                                       size_t cap, const uint8_t **rdata, size_t *rdata_len, uint16_t *sw,
                                       struct core_error *err)
{
    struct iso7816_apdu apdu = {
        .cla = cla, .ins = ins, .p1 = p1, .p2 = p2, .data = data, .nc = nc, .ne = ne, .has_le = ne > 0};
    uint8_t capdu[4 + 1 + 255 + 1];
    size_t clen = 0;
    if (nc > 255 || ne > 256 || iso7816_apdu_encode(&apdu, capdu, sizeof capdu, &clen) != 0)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "cannot encode APDU %02X %02X", cla, ins);
    size_t rlen = 0;
    int rc = pcsc_reader_transmit(reader, capdu, clen, rapdu, cap, &rlen, err);
    if (rc != CORE_OK)
        return rc;
    if (iso7816_rapdu_split(rapdu, rlen, rdata, rdata_len, sw) != 0)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "%s: response without a status word",
                              pcsc_reader_name(reader));
    return CORE_OK;
}

static int refused(struct core_error *err, const char *what, uint16_t sw)
{
    return core_error_set(err, CORE_ESTATE, NULL, 0, 0, "%s: card answered %04X", what, sw);
}

int pcsc_jpki_select(struct pcsc_reader *reader, uint16_t *sw, struct core_error *err)
{
    uint8_t r[CARD_RAPDU_MAX];
    const uint8_t *d = NULL;
    size_t dl = 0;
    uint16_t s = 0;
    int rc = jpki_exchange(reader, 0x00, 0xA4, 0x04, 0x0C, jpki_aid, sizeof jpki_aid, 0, r, sizeof r, &d, &dl,
                           &s, err);
    if (sw != NULL)
        *sw = s;
    if (rc == CORE_OK && s != ISO7816_SW_OK)
        rc = refused(err, "select JPKI AP", s);
    return rc;
}

static CORE_MUST_USE int select_ef(struct pcsc_reader *reader, uint16_t fid, uint16_t *sw,
                                   struct core_error *err)
{
    uint8_t r[CARD_RAPDU_MAX];
    const uint8_t *d = NULL;
    size_t dl = 0;
    const uint8_t id[2] = {(uint8_t)(fid >> 8), (uint8_t)fid};
    int rc = jpki_exchange(reader, 0x00, 0xA4, 0x02, 0x0C, id, 2, 0, r, sizeof r, &d, &dl, sw, err);
    if (rc == CORE_OK && *sw != ISO7816_SW_OK) {
        char what[32];
        snprintf(what, sizeof what, "select EF %04X", fid);
        rc = refused(err, what, *sw);
    }
    return rc;
}

/* The total length of a DER object from its first bytes (definite lengths of up to two bytes). */
static CORE_MUST_USE int der_total(const uint8_t *h, size_t n, size_t *total)
{
    if (n < 2 || h[0] != 0x30)
        return -1;
    if (h[1] < 0x80) {
        *total = 2u + h[1];
        return 0;
    }
    if (h[1] == 0x81 && n >= 3) {
        *total = 3u + h[2];
        return 0;
    }
    if (h[1] == 0x82 && n >= 4) {
        *total = 4u + (((size_t)h[2] << 8) | h[3]);
        return 0;
    }
    return -1;
}

int pcsc_jpki_read_cert(struct pcsc_reader *reader, enum card_cert which, uint8_t *out, size_t cap,
                        size_t *len, uint16_t *sw, struct core_error *err)
{
    uint16_t s = 0;
    *len = 0;
    if ((unsigned)which >= CARD_CERT_COUNT)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "no such certificate");
    uint8_t r[CARD_RAPDU_MAX];
    const uint8_t *d = NULL;
    size_t dl = 0;
    int rc = select_ef(reader, cert_fid[which], &s, err);
    if (rc == CORE_OK)
        rc = jpki_exchange(reader, 0x00, 0xB0, 0x00, 0x00, NULL, 0, 4, r, sizeof r, &d, &dl, &s, err);
    if (rc == CORE_OK && s != ISO7816_SW_OK && s != ISO7816_SW_END_OF_FILE)
        rc = refused(err, "read certificate header", s);
    size_t total = 0;
    if (rc == CORE_OK && der_total(d, dl, &total) != 0)
        rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "EF %04X does not start with a DER SEQUENCE",
                            cert_fid[which]);
    if (rc == CORE_OK && total > cap)
        rc = core_error_set(err, CORE_EINVAL, NULL, 0, 0, "certificate of %zu bytes exceeds the buffer",
                            total);
    if (rc == CORE_OK && total > 0x7FFF)
        rc =
            core_error_set(err, CORE_EIO, NULL, 0, 0, "certificate of %zu bytes: too long to address", total);
    size_t got = 0;
    while (rc == CORE_OK && got < total) {
        size_t want = total - got > 256 ? 256 : total - got;
        rc = jpki_exchange(reader, 0x00, 0xB0, (uint8_t)(got >> 8), (uint8_t)got, NULL, 0, want, r, sizeof r,
                           &d, &dl, &s, err);
        if (rc != CORE_OK)
            break;
        if (s != ISO7816_SW_OK && s != ISO7816_SW_END_OF_FILE) {
            rc = refused(err, "read certificate", s);
            break;
        }
        if (dl > want) {
            rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "READ BINARY returned %zu bytes for Le %zu", dl,
                                want);
            break;
        }
        memcpy(out + got, d, dl);
        got += dl;
        if (s == ISO7816_SW_END_OF_FILE || dl == 0)
            break; /* a short file: what the header promised is not there */
    }
    if (rc == CORE_OK && got != total)
        rc = core_error_set(err, CORE_EIO, NULL, 0, 0, "certificate truncated: %zu of %zu bytes", got, total);
    if (sw != NULL)
        *sw = s;
    if (rc == CORE_OK)
        *len = got;
    return rc;
}

int pcsc_jpki_pin_status(struct pcsc_reader *reader, enum pcsc_jpki_key key, int *tries_left, uint16_t *sw,
                         struct core_error *err)
{
    uint16_t s = 0;
    *tries_left = -1;
    if ((unsigned)key > PCSC_JPKI_SIGN)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "no such key");
    uint8_t r[CARD_RAPDU_MAX];
    const uint8_t *d = NULL;
    size_t dl = 0;
    int rc = select_ef(reader, key_files[key].pin, &s, err);
    if (rc == CORE_OK)
        rc = jpki_exchange(reader, 0x00, 0x20, 0x00, 0x80, NULL, 0, 0, r, sizeof r, &d, &dl, &s, err);
    if (sw != NULL)
        *sw = s;
    if (rc != CORE_OK)
        return rc;
    if ((s & 0xFFF0) == ISO7816_SW_VERIFY_FAILED)
        *tries_left = s & 0x0F;
    else if (s == ISO7816_SW_AUTH_BLOCKED)
        *tries_left = 0;
    else if (s == ISO7816_SW_REF_DATA_NOT_FOUND)
        return core_error_set(err, CORE_ENOTFOUND, NULL, 0, 0, "the card has no %s", key_files[key].what);
    else if (s != ISO7816_SW_OK)
        return refused(err, key_files[key].what, s);
    return CORE_OK;
}

int pcsc_jpki_verify(struct pcsc_reader *reader, enum pcsc_jpki_key key, const char *pin, int *tries_left,
                     uint16_t *sw, struct core_error *err)
{
    uint16_t s = 0;
    *tries_left = -1;
    if (sw != NULL)
        *sw = 0; /* no status word: nothing was sent */
    if ((unsigned)key > PCSC_JPKI_SIGN)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "no such key");
    size_t n = strlen(pin);
    if (n == 0 || n > 16)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "a %s has 1 to 16 characters",
                              key_files[key].what);
    uint8_t r[CARD_RAPDU_MAX];
    const uint8_t *d = NULL;
    size_t dl = 0;
    int rc = select_ef(reader, key_files[key].pin, &s, err);
    if (rc == CORE_OK)
        rc = jpki_exchange(reader, 0x00, 0x20, 0x00, 0x80, (const uint8_t *)pin, n, 0, r, sizeof r, &d, &dl,
                           &s, err);
    if (sw != NULL)
        *sw = s;
    if (rc != CORE_OK || s == ISO7816_SW_OK)
        return rc;
    if ((s & 0xFFF0) == ISO7816_SW_VERIFY_FAILED) {
        *tries_left = s & 0x0F;
        return core_error_set(err, CORE_ESTATE, NULL, 0, 0, "wrong %s: %d tries left", key_files[key].what,
                              *tries_left);
    }
    if (s == ISO7816_SW_AUTH_BLOCKED) {
        *tries_left = 0;
        return core_error_set(err, CORE_ESTATE, NULL, 0, 0, "the %s is blocked", key_files[key].what);
    }
    if (s == ISO7816_SW_REF_DATA_NOT_FOUND)
        return core_error_set(err, CORE_ENOTFOUND, NULL, 0, 0, "the card has no %s", key_files[key].what);
    return refused(err, key_files[key].what, s);
}

int pcsc_jpki_sign(struct pcsc_reader *reader, enum pcsc_jpki_key key, const uint8_t *digest_info, size_t len,
                   uint8_t *sig, size_t cap, size_t *sig_len, uint16_t *sw, struct core_error *err)
{
    uint16_t s = 0;
    *sig_len = 0;
    if ((unsigned)key > PCSC_JPKI_SIGN)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "no such key");
    if (len == 0 || len > 255)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "a DigestInfo of %zu bytes", len);
    uint8_t r[CARD_RAPDU_MAX];
    const uint8_t *d = NULL;
    size_t dl = 0;
    int rc = select_ef(reader, key_files[key].key, &s, err);
    if (rc == CORE_OK)
        rc = jpki_exchange(reader, 0x80, 0x2A, 0x00, 0x80, digest_info, len, 256, r, sizeof r, &d, &dl, &s,
                           err);
    if (sw != NULL)
        *sw = s;
    if (rc != CORE_OK)
        return rc;
    if (s == ISO7816_SW_SECURITY_NOT_SATISFIED)
        return core_error_set(err, CORE_ESTATE, NULL, 0, 0, "sign: the %s is not verified",
                              key_files[key].what);
    if (s != ISO7816_SW_OK)
        return refused(err, "sign", s);
    if (dl > cap)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "signature of %zu bytes exceeds the buffer", dl);
    memcpy(sig, d, dl);
    *sig_len = dl;
    return CORE_OK;
}

int pcsc_jpki_digest_info_sha256(const uint8_t *data, size_t len, uint8_t out[PCSC_JPKI_DIGEST_INFO_LEN],
                                 struct core_error *err)
{
    static const uint8_t prefix[19] = {0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                       0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
    memcpy(out, prefix, sizeof prefix);
    unsigned int n = 0;
    if (EVP_Digest(data, len, out + sizeof prefix, &n, EVP_sha256(), NULL) != 1 || n != 32)
        return core_error_set(err, CORE_ECRYPTO, NULL, 0, 0, "SHA-256 failed");
    return CORE_OK;
}
