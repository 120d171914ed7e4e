/*
 * Fuzz target: the card's saved state (`--state` files), restored into the default card.
 * Input: the bytes of a state file. The card is personalised once (LLVMFuzzerInitialize) and put back in its
 * first state before each input. Aborts when:
 *   - a refused state changed the card (restore must leave it as it was), or came without a message;
 *   - an accepted state does not save back to exactly the same bytes (the format has one spelling);
 *   - after an accepted state, the card answers a fixed probe sequence (select each application, read its
 *     protected EFs, sign) with anything that breaks the security state the state file claims.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card/card.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct card *card;
static uint8_t initial[CARD_STATE_MAX];
static size_t initial_len;

static void fail(const char *what)
{
    fprintf(stderr, "card_state: %s\n", what);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[1024];
    struct core_error err;
    struct card_profile p;
    core_error_clear(&err);
    if (policy_find_data("cards/issued_2021.yaml", path, sizeof path, &err) != CORE_OK ||
        card_profile_load(path, &p, &err) != CORE_OK || card_new(&p, NULL, &card, &err) != CORE_OK) {
        fprintf(stderr, "card_state: %s\n", err.message);
        abort();
    }
    if (card_state_save(card, initial, sizeof initial, &initial_len) != CORE_OK)
        fail("cannot save the initial state");
    return 0;
}

static uint16_t tx(const char *hex)
{
    uint8_t c[64], r[CARD_RAPDU_MAX];
    size_t n = 0, rlen = 0;
    for (const char *s = hex; s[0] && s[1]; s += 2) {
        unsigned v;
        sscanf(s, "%2x", &v);
        c[n++] = (uint8_t)v;
    }
    if (card_transmit(card, c, n, r, sizeof r, &rlen) != CORE_OK || rlen < 2)
        fail("transmit failed");
    return (uint16_t)(r[rlen - 2] << 8 | r[rlen - 1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct core_error err;
    uint8_t before[CARD_STATE_MAX], after[CARD_STATE_MAX];
    size_t blen, alen;
    if (card_state_restore(card, initial, initial_len, &err) != CORE_OK)
        fail("cannot restore the initial state");
    if (card_state_save(card, before, sizeof before, &blen) != CORE_OK)
        fail("cannot save the state before");
    core_error_clear(&err);
    if (card_state_restore(card, data, size, &err) != CORE_OK) {
        if (card_state_save(card, after, sizeof after, &alen) != CORE_OK)
            fail("cannot save the state after a refused restore");
        if (alen != blen || memcmp(before, after, blen) != 0)
            fail("a refused state changed the card");
        if (err.message[0] == '\0')
            fail("a refusal without a message");
        return 0;
    }
    if (card_state_save(card, after, sizeof after, &alen) != CORE_OK)
        fail("cannot save the restored state");
    if (alen != size || memcmp(after, data, size) != 0)
        fail("an accepted state does not save back to the same bytes");
    /* Whatever was restored, a fresh application SELECT leaves nothing verified. */
    card_power_on(card);
    if (tx("00A4040C0AD392F000260100000001") != 0x9000 || tx("00A4020C020001") != 0x9000)
        fail("the JPKI application is gone");
    if (tx("00B0000004") != 0x6982)
        fail("signature certificate readable after a SELECT");
    if (tx("00A4020C020017") != 0x9000 || tx("802A00800330313000") == 0x9000)
        fail("signature after a SELECT");
    return 0;
}
