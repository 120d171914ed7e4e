/* Tests of sim/pcsc/slot.c: the served card with its --state file, snapshots and swaps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/x509.h>

#include "pcsc/pcsc.h"

struct fixture {
    char dir[64];
    char state[128];
    char profile[4096];
    char other[4096];
    struct pcsc_slot *slot;
};

static CORE_MUST_USE int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/mynasim-slot-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->state, sizeof fx->state, "%s/card.state", fx->dir);
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(policy_find_data("cards/issued_2021.yaml", fx->profile, sizeof fx->profile, &err), 0);
    assert_int_equal(policy_find_data("cards/cert_expired.yaml", fx->other, sizeof fx->other, &err), 0);
    *state = fx;
    return 0;
}

static CORE_MUST_USE int teardown(void **state)
{
    struct fixture *fx = *state;
    pcsc_slot_free(fx->slot);
    unlink(fx->state);
    char other[160];
    snprintf(other, sizeof other, "%s/other.state", fx->dir);
    unlink(other);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void open_slot(struct fixture *fx, const char *state_path)
{
    struct core_error err;
    core_error_clear(&err);
    struct pcsc_slot_config cfg = {.profile_path = fx->profile, .state_path = state_path};
    pcsc_slot_free(fx->slot);
    fx->slot = NULL;
    int rc = pcsc_slot_open(&cfg, &fx->slot, &err);
    if (rc != 0)
        fail_msg("pcsc_slot_open: %s", err.message);
    pcsc_slot_ops.power_on(fx->slot);
}

static uint16_t send_apdu(struct fixture *fx, const char *hex)
{
    uint8_t c[300], r[CARD_RAPDU_MAX];
    size_t n = 0, rlen = 0;
    for (const char *p = hex; p[0] && p[1]; p += 2) {
        while (*p == ' ')
            p++;
        unsigned v;
        assert_int_equal(sscanf(p, "%2x", &v), 1);
        c[n++] = (uint8_t)v;
    }
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(pcsc_slot_ops.transmit(fx->slot, c, n, r, sizeof r, &rlen, &err), 0);
    assert_true(rlen >= 2);
    return (uint16_t)(r[rlen - 2] << 8 | r[rlen - 1]);
}

#define SELECT_JPKI "00A4040C0AD392F000260100000001"
#define SELECT_AUTH_PIN "00A4020C020018"
#define WRONG_PIN "002000800439393939"

static int auth_tries(struct fixture *fx)
{
    return card_state(pcsc_slot_card(fx->slot))->tries_left[CARD_PIN_AUTH];
}

static char *control(struct fixture *fx, const char *line, int want_rc)
{
    static char reply[1024];
    static struct core_error err;
    core_error_clear(&err);
    int rc = pcsc_slot_control(fx->slot, line, reply, sizeof reply, &err);
    if ((rc == 0) != (want_rc == 0))
        fail_msg("'%s' returned %d: %s", line, rc, err.message);
    return rc == 0 ? reply : err.message;
}

static void the_state_file_keeps_a_wrong_pin_across_a_restart(void **state)
{
    struct fixture *fx = *state;
    open_slot(fx, fx->state);
    struct stat st;
    assert_int_equal(stat(fx->state, &st), 0); /* written at start */
    assert_int_equal(send_apdu(fx, SELECT_JPKI), 0x9000);
    assert_int_equal(send_apdu(fx, SELECT_AUTH_PIN), 0x9000);
    assert_int_equal(send_apdu(fx, WRONG_PIN), 0x63C2);
    open_slot(fx, fx->state);
    assert_int_equal(auth_tries(fx), 2);
}

static void apdus_that_change_no_counter_do_not_rewrite_the_file(void **state)
{
    struct fixture *fx = *state;
    open_slot(fx, fx->state);
    struct stat before, after;
    assert_int_equal(stat(fx->state, &before), 0);
    assert_int_equal(send_apdu(fx, SELECT_JPKI), 0x9000);
    assert_int_equal(send_apdu(fx, "00A4020C02000A"), 0x9000);
    assert_int_equal(send_apdu(fx, "00B0000004"), 0x9000);
    assert_int_equal(stat(fx->state, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino); /* an atomic write would have renamed a new file in */
    assert_int_equal(send_apdu(fx, SELECT_AUTH_PIN), 0x9000);
    char *old_bytes = NULL, *new_bytes = NULL;
    size_t old_len = 0, new_len = 0;
    assert_int_equal(core_file_read(fx->state, 4096, &old_bytes, &old_len, NULL), CORE_OK);
    assert_int_equal(send_apdu(fx, WRONG_PIN), 0x63C2);
    /* Not the inode: VERIFY writes twice, and the second temporary may reuse the first file's inode number. */
    assert_int_equal(core_file_read(fx->state, 4096, &new_bytes, &new_len, NULL), CORE_OK);
    assert_int_equal(old_len, new_len);
    assert_memory_not_equal(old_bytes, new_bytes, old_len);
    free(old_bytes);
    free(new_bytes);
}

static void a_garbage_state_file_is_refused_with_its_name(void **state)
{
    struct fixture *fx = *state;
    FILE *f = fopen(fx->state, "wb");
    assert_non_null(f);
    fputs("not a card state", f);
    fclose(f);
    struct core_error err;
    core_error_clear(&err);
    struct pcsc_slot_config cfg = {.profile_path = fx->profile, .state_path = fx->state};
    assert_int_not_equal(pcsc_slot_open(&cfg, &fx->slot, &err), 0);
    assert_null(fx->slot);
    char msg[1200];
    core_error_format(&err, msg, sizeof msg);
    assert_non_null(strstr(msg, "card.state"));
}

static void a_missing_profile_is_refused(void **state)
{
    (void)state;
    struct core_error err;
    core_error_clear(&err);
    struct pcsc_slot *slot = NULL;
    struct pcsc_slot_config cfg = {.profile_path = "/nonexistent/card.yaml"};
    assert_int_not_equal(pcsc_slot_open(&cfg, &slot, &err), 0);
    assert_null(slot);
    struct pcsc_slot_config none = {0};
    assert_int_equal(pcsc_slot_open(&none, &slot, &err), CORE_EINVAL);
}

static void save_and_restore_leave_no_trace(void **state)
{
    struct fixture *fx = *state;
    open_slot(fx, NULL);
    assert_int_equal(send_apdu(fx, SELECT_JPKI), 0x9000);
    control(fx, "save before", 0);
    assert_int_equal(send_apdu(fx, SELECT_AUTH_PIN), 0x9000);
    assert_int_equal(send_apdu(fx, WRONG_PIN), 0x63C2);
    assert_int_equal(auth_tries(fx), 2);
    control(fx, "restore before", 0);
    assert_int_equal(auth_tries(fx), 3);
    /* the selection came back too: the AP is still selected, so the PIN EF is found without selecting it */
    assert_int_equal(send_apdu(fx, SELECT_AUTH_PIN), 0x9000);
    assert_int_equal(send_apdu(fx, "0020008000"), 0x63C3);
    control(fx, "restore nosuch", -1);
    control(fx, "save bad/name", -1);
    control(fx, "save", -1);
}

static void swap_serves_another_card_and_restore_brings_the_first_back(void **state)
{
    struct fixture *fx = *state;
    open_slot(fx, NULL);
    const uint8_t *der;
    size_t len;
    assert_int_equal(card_cert_der(pcsc_slot_card(fx->slot), CARD_CERT_AUTH, &der, &len), 0);
    uint8_t *first = malloc(len);
    assert_non_null(first);
    memcpy(first, der, len);
    size_t first_len = len;
    control(fx, "save first", 0);
    char line[8500];
    snprintf(line, sizeof line, "swap %s", fx->other);
    assert_non_null(strstr(control(fx, line, 0), "cert_expired.yaml"));
    assert_true(card_powered(pcsc_slot_card(fx->slot)));
    assert_int_equal(card_cert_der(pcsc_slot_card(fx->slot), CARD_CERT_AUTH, &der, &len), 0);
    assert_false(len == first_len && memcmp(der, first, len) == 0);
    assert_non_null(strstr(control(fx, "state", 0), "cert_expired.yaml"));
    control(fx, "restore first", 0);
    assert_int_equal(card_cert_der(pcsc_slot_card(fx->slot), CARD_CERT_AUTH, &der, &len), 0);
    assert_int_equal(len, first_len);
    assert_memory_equal(der, first, len);
    free(first);
    control(fx, "swap /nonexistent/x.yaml", -1);
    control(fx, "swap", -1);
    control(fx, "frobnicate", -1);
    control(fx, "state extra", -1);
}

static void swap_with_a_state_file_loads_and_keeps_it(void **state)
{
    struct fixture *fx = *state;
    /* a state file with one wrong PIN, made by a first slot */
    open_slot(fx, fx->state);
    assert_int_equal(send_apdu(fx, SELECT_JPKI), 0x9000);
    assert_int_equal(send_apdu(fx, SELECT_AUTH_PIN), 0x9000);
    assert_int_equal(send_apdu(fx, WRONG_PIN), 0x63C2);
    open_slot(fx, NULL);
    assert_int_equal(auth_tries(fx), 3);
    char line[8500];
    snprintf(line, sizeof line, "swap %s", fx->state);
    control(fx, line, 0);
    assert_int_equal(auth_tries(fx), 2);
    /* swap PROFILE STATEFILE: a new file is created and follows the card's counters */
    char other_state[160];
    snprintf(other_state, sizeof other_state, "%s/other.state", fx->dir);
    snprintf(line, sizeof line, "swap %s %s", fx->profile, other_state);
    control(fx, line, 0);
    assert_int_equal(auth_tries(fx), 3);
    struct stat st;
    assert_int_equal(stat(other_state, &st), 0);
    assert_int_equal(send_apdu(fx, SELECT_JPKI), 0x9000);
    assert_int_equal(send_apdu(fx, SELECT_AUTH_PIN), 0x9000);
    assert_int_equal(send_apdu(fx, WRONG_PIN), 0x63C2);
    snprintf(line, sizeof line, "swap %s %s", fx->profile, other_state);
    control(fx, line, 0);
    assert_int_equal(auth_tries(fx), 2);
}

/* ---- issue PROFILE SERIAL [STATEFILE] ---------------------------------------------------------------- */

static uint64_t served_serial(struct fixture *fx)
{
    const uint8_t *der = NULL;
    size_t len = 0;
    assert_int_equal(card_cert_der(pcsc_slot_card(fx->slot), CARD_CERT_AUTH, &der, &len), 0);
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    assert_non_null(x);
    uint64_t serial = 0;
    assert_int_equal(ASN1_INTEGER_get_uint64(&serial, X509_get0_serialNumber(x)), 1);
    X509_free(x);
    return serial;
}

static void issue_gives_the_auth_certificate_its_serial_and_snapshots_keep_it(void **state)
{
    struct fixture *fx = *state;
    /* a state file with one wrong PIN, made by a first slot */
    open_slot(fx, fx->state);
    assert_int_equal(send_apdu(fx, SELECT_JPKI), 0x9000);
    assert_int_equal(send_apdu(fx, SELECT_AUTH_PIN), 0x9000);
    assert_int_equal(send_apdu(fx, WRONG_PIN), 0x63C2);
    open_slot(fx, NULL);
    uint64_t derived = served_serial(fx);
    assert_true(derived != 123456789u);
    control(fx, "save derived", 0);

    char line[8500], want[8500];
    snprintf(line, sizeof line, "issue %s 123456789", fx->profile);
    snprintf(want, sizeof want, "profile %s serial 123456789", fx->profile);
    assert_string_equal(control(fx, line, 0), want);
    assert_int_equal(served_serial(fx), 123456789u);
    assert_true(card_powered(pcsc_slot_card(fx->slot))); /* reset */
    assert_int_equal(auth_tries(fx), 3);
    snprintf(want, sizeof want, "profile=%s", fx->profile);
    assert_non_null(strstr(control(fx, "state", 0), want));
    control(fx, "save issued", 0);

    /* Another profile: another card (its state file is refused as another card's), the largest serial. */
    snprintf(line, sizeof line, "issue %s 9223372036854775807 %s", fx->other, fx->state);
    assert_string_equal(control(fx, line, -1), "card state: byte 8: the state belongs to another card");
    snprintf(line, sizeof line, "issue %s 9223372036854775807", fx->other);
    snprintf(want, sizeof want, "profile %s serial 9223372036854775807", fx->other);
    assert_string_equal(control(fx, line, 0), want);
    assert_int_equal(served_serial(fx), 9223372036854775807ull);
    control(fx, "save other", 0);
    /* The same profile with its state from the file once (one wrong PIN). */
    snprintf(line, sizeof line, "issue %s 77 %s", fx->profile, fx->state);
    snprintf(want, sizeof want, "profile %s serial 77", fx->profile);
    assert_string_equal(control(fx, line, 0), want);
    assert_int_equal(served_serial(fx), 77u);
    assert_int_equal(auth_tries(fx), 2);
    /* The file is not written back: a wrong PIN now leaves it as it was. */
    struct stat before, after;
    assert_int_equal(stat(fx->state, &before), 0);
    assert_int_equal(send_apdu(fx, SELECT_JPKI), 0x9000);
    assert_int_equal(send_apdu(fx, SELECT_AUTH_PIN), 0x9000);
    assert_int_equal(send_apdu(fx, WRONG_PIN), 0x63C1);
    assert_int_equal(stat(fx->state, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
    assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);

    /* Restoring brings back the same card with the same serial. */
    control(fx, "restore issued", 0);
    assert_int_equal(served_serial(fx), 123456789u);
    assert_int_equal(auth_tries(fx), 3);
    snprintf(want, sizeof want, "profile=%s", fx->profile);
    assert_non_null(strstr(control(fx, "state", 0), want));
    control(fx, "restore other", 0);
    assert_int_equal(served_serial(fx), 9223372036854775807ull);
    control(fx, "restore derived", 0);
    assert_int_equal(served_serial(fx), derived);
    /* The same serial again on the same profile: the same certificate. */
    snprintf(line, sizeof line, "issue %s 123456789", fx->profile);
    control(fx, line, 0);
    assert_int_equal(served_serial(fx), 123456789u);
    control(fx, "restore issued", 0);
    assert_int_equal(served_serial(fx), 123456789u);
}

static void issue_refuses_bad_arguments_and_keeps_the_card(void **state)
{
    struct fixture *fx = *state;
    open_slot(fx, NULL);
    uint64_t serial = served_serial(fx);
    char line[8500];
    static const char usage[] = "usage: issue PROFILE.yaml SERIAL [STATEFILE]";
    assert_string_equal(control(fx, "issue", -1), usage);
    snprintf(line, sizeof line, "issue %s", fx->profile);
    assert_string_equal(control(fx, line, -1), usage);
    assert_string_equal(control(fx, "issue card.state 5", -1), usage);
    static const char *const serials[] = {
        "abc", "0", "-1", "+-1", "12x", "9223372036854775808", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof serials / sizeof serials[0]; i++) {
        char want[128];
        snprintf(line, sizeof line, "issue %s %s", fx->profile, serials[i]);
        snprintf(want, sizeof want, "issue: SERIAL must be a number 1..2^63-1: %s", serials[i]);
        assert_string_equal(control(fx, line, -1), want);
    }
    snprintf(line, sizeof line, "issue %s 5 %s extra", fx->profile, fx->state);
    assert_string_equal(control(fx, line, -1), "issue: too many arguments");
    /* A profile that cannot be read. */
    struct core_error err;
    core_error_clear(&err);
    char reply[256];
    assert_int_not_equal(
        pcsc_slot_control(fx->slot, "issue /nonexistent/x.yaml 5", reply, sizeof reply, &err), 0);
    assert_true(err.message[0] != '\0');
    assert_true(strstr(err.file, "/nonexistent/x.yaml") != NULL ||
                strstr(err.message, "/nonexistent/x.yaml") != NULL);
    /* A path too long for the slot. */
    char longp[4200];
    memset(longp, 'a', sizeof longp);
    memcpy(longp + sizeof longp - 6, ".yaml", 6);
    snprintf(line, sizeof line, "issue %s 5", longp);
    assert_string_equal(control(fx, line, -1), "path too long");
    /* A state file that cannot be read, and one that is not a card state. */
    snprintf(line, sizeof line, "issue %s 5 %s/missing.state", fx->profile, fx->dir);
    core_error_clear(&err);
    assert_int_not_equal(pcsc_slot_control(fx->slot, line, reply, sizeof reply, &err), 0);
    assert_non_null(strstr(err.file, "missing.state"));
    FILE *fp = fopen(fx->state, "w");
    assert_non_null(fp);
    if (fp == NULL)
        return;
    fputs("not a card state\n", fp);
    fclose(fp);
    snprintf(line, sizeof line, "issue %s 5 %s", fx->profile, fx->state);
    core_error_clear(&err);
    assert_int_not_equal(pcsc_slot_control(fx->slot, line, reply, sizeof reply, &err), 0);
    assert_string_equal(err.file, fx->state);
    /* Nothing was replaced. */
    assert_int_equal(served_serial(fx), serial);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_state_file_keeps_a_wrong_pin_across_a_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(apdus_that_change_no_counter_do_not_rewrite_the_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_garbage_state_file_is_refused_with_its_name, setup, teardown),
        cmocka_unit_test_setup_teardown(a_missing_profile_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(save_and_restore_leave_no_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(swap_serves_another_card_and_restore_brings_the_first_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(swap_with_a_state_file_loads_and_keeps_it, setup, teardown),
        cmocka_unit_test_setup_teardown(issue_gives_the_auth_certificate_its_serial_and_snapshots_keep_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(issue_refuses_bad_arguments_and_keeps_the_card, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
