/*
 * reader.c: a reader with a card in it, behind one small operations table with two rows: the in-process card
 * (a function call) and a real PC/SC reader (libpcsclite: SCardConnect T=1, SCardTransmit, SCardReconnect).
 *
 * Everything above (the JPKI client, the clinic's reception later) sends the same bytes through either, which
 * is what lets a test demand byte-identical results from both: the only thing that differs is the wire.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <winscard.h>

#include "pcsc/pcsc.h"

struct reader_ops {
    int (*transmit)(struct pcsc_reader *r, const uint8_t *capdu, size_t len, uint8_t *rapdu, size_t cap,
                    size_t *rlen, struct core_error *err);
    int (*reset)(struct pcsc_reader *r, struct core_error *err);
    int (*atr)(struct pcsc_reader *r, uint8_t *out, size_t cap, size_t *len, struct core_error *err);
    void (*close)(struct pcsc_reader *r);
};

struct pcsc_reader {
    const struct reader_ops *ops;
    char name[256];
    /* in process */
    const struct pcsc_card_ops *card_ops;
    void *card_ctx;
    uint8_t *scratch; /* CARD_RAPDU_MAX, for callers with smaller buffers */
    /* PC/SC */
    SCARDCONTEXT context;
    SCARDHANDLE handle;
    DWORD protocol;
};

/* ---- in process: any card behind pcsc_card_ops ------------------------------------------------------- */

static CORE_MUST_USE int ops_backend_transmit(struct pcsc_reader *r, const uint8_t *capdu, size_t len,
                                              uint8_t *rapdu, size_t cap, size_t *rlen,
                                              struct core_error *err)
{
    size_t n = 0;
    int rc = r->card_ops->transmit(r->card_ctx, capdu, len, r->scratch, CARD_RAPDU_MAX, &n, err);
    if (rc != CORE_OK)
        return rc;
    if (n > cap)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "%s: response of %zu bytes exceeds the buffer",
                              r->name, n);
    memcpy(rapdu, r->scratch, n);
    *rlen = n;
    return CORE_OK;
}

static CORE_MUST_USE int ops_backend_reset(struct pcsc_reader *r, struct core_error *err)
{
    (void)err;
    r->card_ops->reset(r->card_ctx);
    return CORE_OK;
}

static CORE_MUST_USE int ops_backend_atr(struct pcsc_reader *r, uint8_t *out, size_t cap, size_t *len,
                                         struct core_error *err)
{
    (void)err;
    *len = r->card_ops->atr(r->card_ctx, out, cap);
    return CORE_OK;
}

static void ops_backend_close(struct pcsc_reader *r)
{
    free(r->scratch);
}

static const struct reader_ops ops_backend = {
    ops_backend_transmit,
    ops_backend_reset,
    ops_backend_atr,
    ops_backend_close,
};

int pcsc_reader_open_ops(const struct pcsc_card_ops *ops, void *ctx, struct pcsc_reader **out,
                         struct core_error *err)
{
    *out = NULL;
    struct pcsc_reader *r = calloc(1, sizeof *r);
    uint8_t *scratch = malloc(CARD_RAPDU_MAX);
    if (r == NULL || scratch == NULL) {
        free(r);
        free(scratch);
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    }
    r->ops = &ops_backend;
    r->card_ops = ops;
    r->card_ctx = ctx;
    r->scratch = scratch;
    snprintf(r->name, sizeof r->name, "in-process card");
    ops->power_on(ctx);
    *out = r;
    return CORE_OK;
}

/* ---- PC/SC --------------------------------------------------------------------------------------------- */

static int pcsc_fail(struct core_error *err, const char *what, const char *reader, LONG rv)
{
    return core_error_set(err, CORE_EIO, NULL, 0, 0, "%s%s%s: %s (0x%08lX)", reader ? reader : "",
                          reader ? ": " : "", what, pcsc_stringify_error(rv), (unsigned long)rv);
}

static CORE_MUST_USE int pcsc_backend_transmit(struct pcsc_reader *r, const uint8_t *capdu, size_t len,
                                               uint8_t *rapdu, size_t cap, size_t *rlen,
                                               struct core_error *err)
{
    DWORD n = (DWORD)(cap > 65538 ? 65538 : cap);
    const SCARD_IO_REQUEST *pci = r->protocol == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    LONG rv = SCardTransmit(r->handle, pci, capdu, (DWORD)len, NULL, rapdu, &n);
    if (rv != SCARD_S_SUCCESS)
        return pcsc_fail(err, "SCardTransmit", r->name, rv);
    *rlen = n;
    return CORE_OK;
}

static CORE_MUST_USE int pcsc_backend_reset(struct pcsc_reader *r, struct core_error *err)
{
    LONG rv =
        SCardReconnect(r->handle, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1, SCARD_RESET_CARD, &r->protocol);
    if (rv != SCARD_S_SUCCESS)
        return pcsc_fail(err, "SCardReconnect", r->name, rv);
    return CORE_OK;
}

static CORE_MUST_USE int pcsc_backend_atr(struct pcsc_reader *r, uint8_t *out, size_t cap, size_t *len,
                                          struct core_error *err)
{
    BYTE atr[MAX_ATR_SIZE];
    DWORD atr_len = sizeof atr, state = 0, proto = 0, name_len = 0;
    LONG rv = SCardStatus(r->handle, NULL, &name_len, &state, &proto, atr, &atr_len);
    if (rv != SCARD_S_SUCCESS)
        return pcsc_fail(err, "SCardStatus", r->name, rv);
    if (atr_len > cap)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "%s: ATR longer than the buffer", r->name);
    memcpy(out, atr, atr_len);
    *len = atr_len;
    return CORE_OK;
}

static void pcsc_backend_close(struct pcsc_reader *r)
{
    if (r->handle != 0)
        SCardDisconnect(r->handle, SCARD_LEAVE_CARD);
    SCardReleaseContext(r->context);
}

static const struct reader_ops pcsc_backend = {
    pcsc_backend_transmit,
    pcsc_backend_reset,
    pcsc_backend_atr,
    pcsc_backend_close,
};

int pcsc_reader_open_pcsc(const char *name, struct pcsc_reader **out, struct core_error *err)
{
    *out = NULL;
    struct pcsc_reader *r = calloc(1, sizeof *r);
    if (r == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    r->ops = &pcsc_backend;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &r->context);
    if (rv != SCARD_S_SUCCESS) {
        free(r);
        return pcsc_fail(err, "SCardEstablishContext", NULL, rv);
    }
    DWORD len = 0;
    rv = SCardListReaders(r->context, NULL, NULL, &len);
    char *names = NULL;
    if (rv == SCARD_S_SUCCESS) {
        names = malloc(len ? len : 1);
        if (names == NULL)
            rv = SCARD_E_NO_MEMORY;
        else
            rv = SCardListReaders(r->context, NULL, names, &len);
    }
    if (rv != SCARD_S_SUCCESS) {
        free(names);
        SCardReleaseContext(r->context);
        free(r);
        return pcsc_fail(err, "SCardListReaders", NULL, rv);
    }
    LONG last = SCARD_E_UNKNOWN_READER;
    const char *last_name = NULL;
    for (const char *p = names; p < names + len && *p != '\0'; p += strlen(p) + 1) {
        if (name != NULL && name[0] != '\0' && strstr(p, name) == NULL)
            continue;
        last_name = p;
        last = SCardConnect(r->context, p, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1, &r->handle, &r->protocol);
        if (last == SCARD_S_SUCCESS) {
            snprintf(r->name, sizeof r->name, "%s", p);
            break;
        }
        r->handle = 0;
    }
    if (last != SCARD_S_SUCCESS) {
        int rc = last_name == NULL ? core_error_set(err, CORE_ENOTFOUND, NULL, 0, 0, "no PC/SC reader%s%s%s",
                                                    name && name[0] ? " named like '" : "",
                                                    name && name[0] ? name : "", name && name[0] ? "'" : "")
                                   : pcsc_fail(err, "SCardConnect", last_name, last);
        free(names);
        SCardReleaseContext(r->context);
        free(r);
        return rc;
    }
    free(names);
    *out = r;
    return CORE_OK;
}

/* ---- either -------------------------------------------------------------------------------------------- */

const char *pcsc_reader_name(const struct pcsc_reader *reader)
{
    return reader->name;
}

int pcsc_reader_transmit(struct pcsc_reader *reader, const uint8_t *capdu, size_t len, uint8_t *rapdu,
                         size_t cap, size_t *rlen, struct core_error *err)
{
    *rlen = 0;
    int rc = reader->ops->transmit(reader, capdu, len, rapdu, cap, rlen, err);
    if (rc == CORE_OK && *rlen < 2)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "%s: response without a status word", reader->name);
    return rc;
}

int pcsc_reader_reset(struct pcsc_reader *reader, struct core_error *err)
{
    return reader->ops->reset(reader, err);
}

int pcsc_reader_atr(struct pcsc_reader *reader, uint8_t *out, size_t cap, size_t *len, struct core_error *err)
{
    return reader->ops->atr(reader, out, cap, len, err);
}

void pcsc_reader_close(struct pcsc_reader *reader)
{
    if (reader == NULL)
        return;
    reader->ops->close(reader);
    free(reader);
}
