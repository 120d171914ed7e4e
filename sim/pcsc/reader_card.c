/*
 * reader_card.c: the in-process card as a reader. A struct card behind pcsc_card_ops, so that the reader's
 * in-process back end and the vpcd server drive a card through the same five calls.
 */
#include "pcsc/pcsc.h"

static size_t rc_atr(void *ctx, uint8_t *out, size_t cap)
{
    return card_atr(ctx, out, cap);
}

/* Opening a reader is inserting the card: it powers up once, as a reader's power-on does; later "power on"
 * requests of the same session do not reset it. */
static void rc_power_on(void *ctx)
{
    if (!card_powered(ctx))
        card_power_on(ctx);
}

static void rc_power_off(void *ctx)
{
    card_power_off(ctx);
}

static void rc_reset(void *ctx)
{
    card_reset(ctx);
}

static CORE_MUST_USE int rc_transmit(void *ctx, const uint8_t *capdu, size_t len, uint8_t *rapdu, size_t cap,
                                     size_t *rlen, struct core_error *err)
{
    if (card_transmit(ctx, capdu, len, rapdu, cap, rlen) != CORE_OK)
        return core_error_set(err, CORE_EIO, NULL, 0, 0, "card_transmit failed");
    return CORE_OK;
}

static const struct pcsc_card_ops reader_card_ops = {
    .atr = rc_atr,
    .power_on = rc_power_on,
    .power_off = rc_power_off,
    .reset = rc_reset,
    .transmit = rc_transmit,
    .control = NULL,
};

int pcsc_reader_open_card(struct card *card, struct pcsc_reader **out, struct core_error *err)
{
    return pcsc_reader_open_ops(&reader_card_ops, card, out, err);
}
