/*
 * Tests of the PIN counters as persistent memory (sim/card/pin.c card_cmd_verify, card_set_persist): the try is
 * made durable before the comparison, right and wrong PINs cost the same writes, and a write that fails
 * answers 6581 with the card's memory equal to what was last made durable. Every PIN, every failing write.
 */
#include "card_test.h"

/* A persist hook that keeps the last state it accepted (the "disk") and fails its n-th call. */
struct disk {
    unsigned calls;
    unsigned fail_at; /* 0: never */
    uint8_t bytes[CARD_STATE_MAX];
    size_t len;
    uint8_t first_tries[CARD_PIN_COUNT]; /* the counters of the first write since the last reset of calls */
};

static CORE_MUST_USE int disk_write(void *ctx, const uint8_t *state, size_t len)
{
    struct disk *d = ctx;
    d->calls++;
    if (d->calls == d->fail_at)
        return -1;
    assert_true(len <= sizeof d->bytes);
    if (d->calls % 2 == 1)
        memcpy(d->first_tries, state + 21, CARD_PIN_COUNT); /* state bytes 21..24: tries left */
    memcpy(d->bytes, state, len);
    d->len = len;
    return 0;
}

static size_t memory_of(const struct card *card, uint8_t *out)
{
    size_t len = 0;
    assert_int_equal(card_state_save(card, out, CARD_STATE_MAX, &len), CORE_OK);
    return len;
}

/* The card's memory is what the disk holds: a restart from the disk finds the same card. */
static void assert_memory_is_durable(const struct card *card, const struct disk *d)
{
    uint8_t now[CARD_STATE_MAX];
    size_t len = memory_of(card, now);
    assert_int_equal(len, d->len);
    assert_memory_equal(now, d->bytes, len);
}

static const struct pin_case {
    enum card_pin pin;
    const char *select_app;
    uint16_t ef;
    const char *right;
    const char *wrong;
} pins[] = {
    {CARD_PIN_AUTH, CT_JPKI, 0x0018, "1234", "0000"},
    {CARD_PIN_SIGN, CT_JPKI, 0x001B, "SIGN1234", "SIGN0000"},
    {CARD_PIN_TEXT, CT_TEXT, 0x0011, "1234", "4321"},
    {CARD_PIN_SURFACE, CT_SURFACE, 0x0012, "80040120311234", "80040120311235"},
};

/* A fresh default card with a disk, the PIN's EF selected, the disk holding its state. */
static struct card *card_on_disk(const struct pin_case *pc, struct disk *d)
{
    struct card *card = ct_card("issued_2021");
    memset(d, 0, sizeof *d);
    CT_SW(card, pc->select_app, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, pc->ef), ISO7816_SW_OK);
    d->len = memory_of(card, d->bytes); /* what the server writes at start */
    card_set_persist(card, disk_write, d);
    return card;
}

static void right_and_wrong_pins_cost_the_same_two_writes(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof pins / sizeof pins[0]; p++) {
        struct disk d;
        struct card *card = card_on_disk(&pins[p], &d);
        uint8_t max = card_state(card)->tries_max[pins[p].pin];
        assert_int_equal(ct_verify(card, pins[p].wrong), 0x63C0 | (max - 1));
        assert_int_equal(d.calls, 2);
        assert_int_equal(d.first_tries[pins[p].pin], max - 1); /* counted first */
        assert_memory_is_durable(card, &d);
        assert_int_equal(ct_verify(card, pins[p].right), ISO7816_SW_OK);
        assert_int_equal(d.calls, 4);
        /* A right PIN is counted first too (max - 2 after the wrong one): before the card had compared, its
         * durable memory already held the try, so an answer, fast or slow, cannot come before it. */
        assert_int_equal(d.first_tries[pins[p].pin], max - 2);
        assert_int_equal(card_state(card)->tries_left[pins[p].pin], max);
        assert_memory_is_durable(card, &d);
        /* An empty VERIFY and a blocked PIN write nothing. */
        assert_int_equal(ct_verify(card, NULL), 0x63C0 | max);
        assert_int_equal(d.calls, 4);
        card_free(card);
    }
}

/* The n-th write fails, for n through both writes of one VERIFY and the one after. */
static void a_failing_write_answers_6581_and_changes_nothing(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof pins / sizeof pins[0]; p++) {
        for (int right = 0; right <= 1; right++) {
            for (unsigned n = 1; n <= 3; n++) {
                struct disk d;
                struct card *card = card_on_disk(&pins[p], &d);
                enum card_pin pin = pins[p].pin;
                uint8_t max = card_state(card)->tries_max[pin];
                uint8_t before[CARD_STATE_MAX];
                size_t before_len = memory_of(card, before);
                d.fail_at = n;
                uint16_t sw = ct_verify(card, right ? pins[p].right : pins[p].wrong);
                uint8_t left = card_state(card)->tries_left[pin];
                if (n == 1) { /* the count itself failed: nothing changed, no try spent */
                    assert_int_equal(sw, ISO7816_SW_MEMORY_FAILURE);
                    uint8_t after[CARD_STATE_MAX];
                    assert_int_equal(memory_of(card, after), before_len);
                    assert_memory_equal(after, before, before_len);
                    assert_int_equal(left, max);
                } else if (n ==
                           2) { /* the try is durable; the outcome's write failed: counted, not verified */
                    assert_int_equal(sw, ISO7816_SW_MEMORY_FAILURE);
                    assert_int_equal(left, max - 1);
                    uint8_t now[CARD_STATE_MAX];
                    memory_of(card, now);
                    assert_int_equal(now[19] & (1u << pin), 0); /* state byte 19: verified PINs */
                } else {
                    assert_int_equal(sw, right ? ISO7816_SW_OK : (0x63C0 | (max - 1)));
                    assert_int_equal(left, right ? max : max - 1);
                }
                assert_memory_is_durable(card, &d);
                card_free(card);
            }
        }
    }
}

/* A guesser whose every k-th write fails never gets more wrong answers (63Cx) than the PIN has tries, and the
 * right PIN afterwards finds the PIN blocked. */
static void failing_writes_never_buy_a_guess(void **state)
{
    (void)state;
    for (size_t p = 0; p < sizeof pins / sizeof pins[0]; p++) {
        for (unsigned n = 2; n <= 24; n++) {
            struct disk d;
            struct card *card = card_on_disk(&pins[p], &d);
            enum card_pin pin = pins[p].pin;
            uint8_t max = card_state(card)->tries_max[pin];
            unsigned wrong_answers = 0, failures = 0;
            for (unsigned guess = 0; guess < 64; guess++) {
                /* fail the count (1), the outcome's write (2) or nothing (0) */
                unsigned which = guess % n == 0 ? 1 : guess % 3 == 1 ? 2 : 0;
                d.fail_at = which ? d.calls + which : 0;
                uint16_t sw = ct_verify(card, pins[p].wrong);
                assert_memory_is_durable(card, &d);
                if (sw == ISO7816_SW_AUTH_BLOCKED)
                    break;
                if (sw == ISO7816_SW_MEMORY_FAILURE)
                    failures++;
                else {
                    assert_int_equal(sw & 0xFFF0, 0x63C0);
                    wrong_answers++;
                }
            }
            assert_true(wrong_answers <= max);
            assert_int_equal(card_state(card)->tries_left[pin], 0);
            d.fail_at = 0;
            assert_int_equal(ct_verify(card, pins[p].right), ISO7816_SW_AUTH_BLOCKED);
            assert_int_equal(ct_verify(card, NULL), 0x63C0);
            /* a restart from the disk: still blocked */
            struct card *again = ct_card("issued_2021");
            assert_int_equal(card_state_restore(again, d.bytes, d.len, NULL), CORE_OK);
            assert_int_equal(card_state(again)->tries_left[pin], 0);
            card_free(again);
            card_free(card);
            assert_true(failures > 0);
        }
    }
}

/* Without a hook (an in-process card, no --state file) every write succeeds: behaviour as before. */
static void no_hook_no_failure(void **state)
{
    (void)state;
    struct card *card = ct_card("issued_2021");
    CT_SW(card, CT_JPKI, ISO7816_SW_OK);
    assert_int_equal(ct_select_ef(card, 0x0018), ISO7816_SW_OK);
    assert_int_equal(ct_verify(card, "0000"), 0x63C2);
    assert_int_equal(ct_verify(card, "1234"), ISO7816_SW_OK);
    card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(right_and_wrong_pins_cost_the_same_two_writes),
        cmocka_unit_test(a_failing_write_answers_6581_and_changes_nothing),
        cmocka_unit_test(failing_writes_never_buy_a_guess),
        cmocka_unit_test(no_hook_no_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
