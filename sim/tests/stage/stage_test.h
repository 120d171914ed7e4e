/* Shared by the stage's tests (test_stage.c in process, test_stage_remote.c against a real card server): cards
 * made from shipped profiles and filed with a registry as J-LIS and an insurer would file them. Test code only. */
#ifndef MYNASIM_STAGE_TEST_H
#define MYNASIM_STAGE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "card/card.h"
#include "eligibility/eligibility.h"
#include "stage/stage.h"
#include "../eligibility/member_test.h"

/* A unix socket listening at `path` (a stand-in for a card server's control channel). */
static inline CORE_MUST_USE int stage_test_listen_unix(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 4), 0);
    return fd;
}

/* The insurer every test card's holder belongs to. */
#define STAGE_TEST_INSURER MEMBER_TEST_INSURER

static inline core_day stage_test_day(const char *s)
{
    core_day d = CORE_DAY_NONE;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

/* A card from a shipped profile (`cards/issued_2021.yaml`), with its own id, profile id `PREFIX-ID` and the serial
 * J-LIS records (`serial_base` + id). */
static inline void stage_test_card(struct stage_card *c, const char *profile_name, uint64_t id,
                                   const char *prefix, uint64_t serial_base)
{
    struct core_error err;
    char path[1024];
    assert_int_equal(policy_find_data(profile_name, path, sizeof path, &err), CORE_OK);
    card_profile_init(&c->profile);
    if (card_profile_load(path, &c->profile, &err) != CORE_OK)
        fail_msg("%s: %s", path, err.message);
    c->id = id;
    snprintf(c->profile.id, sizeof c->profile.id, "%s-%llu", prefix, (unsigned long long)id);
    c->profile.auth_cert_serial = serial_base + id;
}

/* Files the card's holder with the registry: a person insured since 2020 under `number`, the card issued and,
 * when `registered`, registered for insurance use. */
static inline void stage_test_file(struct eligibility_registry *reg, const struct policy *policy,
                                   const struct stage_card *c, const char *number, bool registered)
{
    struct core_error err;
    struct card_state st;
    if (card_profile_check(&c->profile, policy, &st, &err) != CORE_OK)
        fail_msg("profile: %s", err.message);
    const struct eligibility_numbers numbers = member_test_numbers("12", number, "00");
    uint32_t person =
        member_test_enrol(reg, c->profile.holder.born, &numbers, stage_test_day("2020-04-01"), NULL);
    assert_int_equal(eligibility_card_issue(reg, person, c->id, st.issued, st.expires,
                                            c->profile.auth_cert_serial, st.cert_expires),
                     CORE_OK);
    if (registered)
        assert_int_equal(eligibility_file_registration(reg, person, stage_test_day("2024-05-01")), CORE_OK);
}

#endif
