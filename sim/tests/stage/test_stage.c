/* Tests of sim/stage, the wire path's set, driven directly in process: a card made from a profile is presented
 * at a clinic's reader and the stage gives the card's answer and the desk's decision — every reader, no card,
 * each fault, the system down, a blocked PIN (and no trace left after it), a face-only card, a card J-LIS
 * issued but not registered — and the error paths of the local and the remote stage (what is unreachable is
 * named). The remote stage's visits run against real processes in ctest scenarios.wire_pcsc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "scenario/scenario.h"
#include "stage/stage.h"
#include "stage_test.h"

#define INSURER STAGE_TEST_INSURER
#define D stage_test_day

#define CLINIC_DEFAULT 0
#define CLINIC_A 1
#define CLINIC_B 2

struct fixture {
    struct policy *policy;
    struct eligibility_registry *reg;
    struct stage *stage;
    struct stage_card normal, face_only, unregistered;
};

/* A card from a shipped profile, with its own id and the serial J-LIS records; filed with the registry (a
 * person insured since 2020, the card issued, registered for insurance use unless `unregistered`). */
static void make_card(struct fixture *f, struct stage_card *c, const char *profile_name, uint64_t id,
                      const char *number, bool registered)
{
    stage_test_card(c, profile_name, id, "stage-test", 0x5A6E0000u);
    stage_test_file(f->reg, f->policy, c, number, registered);
}

static const struct stage_clinic clinics[] = {
    {"default-face-clinic", "1300000001"},
    {"stage-clinic-a", "1312345678"},
    {"stage-clinic-b", "1398765432"},
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    struct core_error err;
    if (policy_load_named("national", &f->policy, &err) != CORE_OK)
        fail_msg("policy: %s", err.message);
    assert_int_equal(eligibility_registry_new(f->policy, &f->reg), CORE_OK);
    make_card(f, &f->normal, "cards/issued_2021.yaml", 1, "1001", true);
    make_card(f, &f->face_only, "cards/face_only.yaml", 2, "1002", true);
    make_card(f, &f->unregistered, "cards/issued_2021.yaml", 3, "1003", false);
    if (stage_new_local(f->reg, f->policy, clinics, 3, &f->stage, &err) != CORE_OK)
        fail_msg("stage: %s", err.message);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    stage_free(f->stage);
    eligibility_registry_free(f->reg);
    policy_free(f->policy);
    free(f);
    return 0;
}

/* ---- one visit ------------------------------------------------------------------------------------------ */

struct visit {
    size_t clinic;
    const struct stage_card *card; /* shown when not NULL */
    enum clinic_reader reader;
    bool online_ok;
    struct clinic_faults faults;
    bool service_down, pin_blocked;
    const char *on;
    const char *pin_typed;
};

struct outcome {
    int rc;
    struct eligibility_answer card;
    struct clinic_decision decision;
};

static struct outcome run(struct fixture *f, const struct visit *vv)
{
    struct clinic_presented p;
    memset(&p, 0, sizeof p);
    p.card = vv->card != NULL;
    p.card_face_only = vv->card != NULL && vv->card->profile.kind == CARD_KIND_FACE_ONLY;
    p.born = vv->card != NULL ? vv->card->profile.holder.born : D("1980-04-01");
    p.paper_expiry = CORE_DAY_NONE;
    struct clinic_input in;
    memset(&in, 0, sizeof in);
    in.on = D(vv->on != NULL ? vv->on : "2025-06-02");
    in.visit = CLINIC_VISIT_FIRST;
    in.reader = vv->reader;
    in.online_ok = vv->online_ok;
    in.presented = &p;
    in.policy = f->policy;
    struct stage_visit v;
    memset(&v, 0, sizeof v);
    v.clinic = vv->clinic;
    v.card = vv->card;
    v.faults = vv->faults;
    v.service_down = vv->service_down;
    v.pin_blocked = vv->pin_blocked;
    v.holder_name = vv->card != NULL ? vv->card->profile.holder.name : NULL;
    v.in = &in;
    v.pin_typed = vv->pin_typed;
    struct outcome o;
    memset(&o, 0, sizeof o);
    o.card.result = ELIGIBILITY_NO_CARD; /* untouched unless the card was shown */
    struct core_error err;
    core_error_clear(&err);
    o.rc = stage_desk(f->stage, &v, &o.card, &o.decision, &err);
    return o;
}

static void assert_answer(const struct outcome *o, enum eligibility_result want)
{
    assert_int_equal(o->rc, CORE_OK);
    if (o->card.result != want)
        fail_msg("answer %s, want %s", eligibility_result_name(o->card.result),
                 eligibility_result_name(want));
}

static void the_card_route_at_every_reader(void **state)
{
    struct fixture *f = *state;
    struct visit v = {.clinic = CLINIC_A, .card = &f->normal, .reader = CLINIC_READER_PIN, .online_ok = true};
    struct outcome o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
    assert_true(o.card.has_qualification);
    assert_string_equal(o.card.qualification.numbers.number, "1001");
    assert_int_equal(o.decision.outcome, CLINIC_INSURED);
    assert_int_equal(o.decision.route, CLINIC_ROUTE_CARD);
    assert_true(o.decision.card_used);
    assert_true(o.decision.fee_charged);
    assert_true(o.decision.fee_total > 0);
    /* The face reader, at the default clinic and at another. */
    v.reader = CLINIC_READER_FACE;
    v.clinic = CLINIC_DEFAULT;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
    assert_int_equal(o.decision.route, CLINIC_ROUTE_CARD);
    v.clinic = CLINIC_B;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
    /* A face-only card: the face route, and the visual check at a PIN reader. */
    v.card = &f->face_only;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
    assert_string_equal(o.card.qualification.numbers.number, "1002");
    v.reader = CLINIC_READER_PIN;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
    assert_int_equal(o.decision.route, CLINIC_ROUTE_CARD);
    /* Issued but not registered for insurance use. */
    v.card = &f->unregistered;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_NOT_REGISTERED);
    assert_int_not_equal(o.decision.route, CLINIC_ROUTE_CARD);
    assert_false(o.decision.card_used);
    /* The certificate expired on 2026-04-01: within three months, answered with a warning (the grace);
     * after them, refused. */
    v.card = &f->normal;
    v.on = "2026-06-01";
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
    assert_true(o.card.warnings & ELIGIBILITY_WARN_CERT_IN_GRACE);
    v.on = "2027-01-04";
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_CERT_EXPIRED);
    assert_string_equal(stage_kind(f->stage), "local");
    assert_null(stage_error(f->stage));
}

static void no_card_and_no_check(void **state)
{
    struct fixture *f = *state;
    /* Nothing shown: the card's answer is untouched, the desk decides without it. */
    struct visit v = {.clinic = CLINIC_A, .reader = CLINIC_READER_PIN, .online_ok = true};
    struct outcome o = run(f, &v);
    assert_int_equal(o.rc, CORE_OK);
    assert_int_equal(o.card.result, ELIGIBILITY_NO_CARD);
    assert_int_equal(o.decision.outcome, CLINIC_SELF_PAY);
    assert_int_equal(o.decision.route, CLINIC_ROUTE_NONE);
    /* No request can go: no reader, the online check down, the reader fault. */
    v.card = &f->normal;
    v.reader = CLINIC_READER_NONE;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_READER_DOWN);
    assert_false(o.decision.card_used);
    v.reader = CLINIC_READER_FACE;
    v.online_ok = false;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_READER_DOWN);
    v.online_ok = true;
    v.faults.reader_fault = true;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_READER_DOWN);
    /* The system down. */
    v.faults.reader_fault = false;
    v.service_down = true;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_SERVICE_DOWN);
    assert_false(o.decision.card_used);
    /* Up again the next visit. */
    v.service_down = false;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
}

static void faults_for_real(void **state)
{
    struct fixture *f = *state;
    struct visit v = {
        .clinic = CLINIC_A, .card = &f->normal, .reader = CLINIC_READER_FACE, .online_ok = true};
    v.faults.borrowed_certificate = true; /* a certificate J-LIS never recorded */
    struct outcome o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_CERT_REVOKED);
    assert_false(o.decision.card_used);
    v.faults.borrowed_certificate = false;
    v.faults.replayed_request = true; /* the nonce is spent */
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_CERT_REVOKED);
    v.faults.replayed_request = false;
    v.faults.face_mismatch = true; /* falls back to the PIN */
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
    assert_int_equal(o.decision.route, CLINIC_ROUTE_CARD);
    v.faults.face_mismatch = false;
    v.faults.unshowable_name = true; /* shown as ●: the answer stands */
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
    assert_int_equal(o.decision.outcome, CLINIC_INSURED);
    assert_null(stage_error(f->stage));
}

/* A blocked PIN is made on the card for the visit and gone after it: the stage's card keeps its state. */
static void pin_blocked_leaves_no_trace(void **state)
{
    struct fixture *f = *state;
    struct visit v = {.clinic = CLINIC_A,
                      .card = &f->normal,
                      .reader = CLINIC_READER_PIN,
                      .online_ok = true,
                      .pin_blocked = true};
    struct outcome o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_PIN_LOCKED);
    assert_false(o.decision.card_used);
    /* At a face reader with a failed match the desk falls back to the blocked PIN too. */
    v.reader = CLINIC_READER_FACE;
    v.faults.face_mismatch = true;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_PIN_LOCKED);
    v.faults.face_mismatch = false;
    v.pin_blocked = false;
    v.reader = CLINIC_READER_PIN;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
    /* A face-only card has no PIN to block: the visual check. */
    v.card = &f->face_only;
    v.pin_blocked = true;
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
}

static void the_online_check_alone(void **state)
{
    struct fixture *f = *state;
    struct eligibility_answer a;
    struct core_error err;
    struct stage_check_input c = {CLINIC_A, &f->normal, D("2025-06-02"), CLINIC_READER_PIN, true,
                                  false,    false};
    assert_int_equal(stage_check(f->stage, &c, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_OK);
    assert_string_equal(a.qualification.numbers.number, "1001");
    c.pin_blocked = true;
    assert_int_equal(stage_check(f->stage, &c, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_PIN_LOCKED);
    c.pin_blocked = false;
    c.service_down = true;
    assert_int_equal(stage_check(f->stage, &c, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_SERVICE_DOWN);
    c.service_down = false;
    c.online_ok = false;
    assert_int_equal(stage_check(f->stage, &c, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_READER_DOWN);
    c.card = &f->unregistered;
    c.online_ok = true;
    assert_int_equal(stage_check(f->stage, &c, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_NOT_REGISTERED);
    assert_int_equal(stage_check(f->stage, &c, NULL, &err), CORE_EINVAL);
    c.card = NULL;
    assert_int_equal(stage_check(f->stage, &c, &a, &err), CORE_EINVAL);
    assert_int_equal(stage_check(NULL, &c, &a, &err), CORE_EINVAL);
}

static void the_faults_of_a_scenario(void **state)
{
    (void)state;
    struct clinic_faults x = stage_faults(0);
    assert_false(x.face_mismatch || x.reader_fault || x.unshowable_name || x.borrowed_certificate ||
                 x.replayed_request);
    x = stage_faults(SCENARIO_FAULT_BIT(SCENARIO_FAULT_FACE_MISMATCH) |
                     SCENARIO_FAULT_BIT(SCENARIO_FAULT_REPLAYED_REQUEST));
    assert_true(x.face_mismatch && x.replayed_request);
    assert_false(x.reader_fault || x.unshowable_name || x.borrowed_certificate);
    x = stage_faults(SCENARIO_FAULT_BIT(SCENARIO_FAULT_READER_FAULT) |
                     SCENARIO_FAULT_BIT(SCENARIO_FAULT_UNSHOWABLE_NAME) |
                     SCENARIO_FAULT_BIT(SCENARIO_FAULT_BORROWED_CERTIFICATE));
    assert_true(x.reader_fault && x.unshowable_name && x.borrowed_certificate);
    assert_false(x.face_mismatch || x.replayed_request);
}

/* More cards than the stage first makes room for: each is made once and keeps answering as itself once the
 * stage has grown; a card whose PIN is "0000" is blocked as surely as any other (the wrong PIN tried differs). */
static void many_cards_each_answer_as_themselves(void **state)
{
    struct fixture *f = *state;
    struct core_error err;
    struct stage *s = NULL;
    if (stage_new_local(f->reg, f->policy, clinics, 3, &s, &err) != CORE_OK)
        fail_msg("stage: %s", err.message);
    enum { NCARDS = 20 };
    struct stage_card cards[NCARDS];
    char number[8];
    for (size_t i = 0; i < NCARDS; i++) {
        snprintf(number, sizeof number, "%zu", 2000 + i);
        make_card(f, &cards[i], "cards/issued_2021.yaml", 100 + i, number, true);
    }
    snprintf(cards[NCARDS - 1].profile.auth_pin, sizeof cards[NCARDS - 1].profile.auth_pin, "0000");
    struct eligibility_answer a;
    for (size_t round = 0; round < 2; round++)
        for (size_t i = 0; i < NCARDS; i++) {
            struct stage_check_input c = {CLINIC_B, &cards[i], D("2025-06-02"), CLINIC_READER_PIN, true,
                                          false,    false};
            if (stage_check(s, &c, &a, &err) != CORE_OK)
                fail_msg("card %zu: %s", i, err.message);
            assert_int_equal(a.result, ELIGIBILITY_OK);
            snprintf(number, sizeof number, "%zu", 2000 + i);
            assert_string_equal(a.qualification.numbers.number, number);
        }
    /* The "0000" card: blocked for the visit (by wrong tries of "9999"), whole again after it. */
    struct stage_check_input c = {
        CLINIC_A, &cards[NCARDS - 1], D("2025-06-02"), CLINIC_READER_PIN, true, false, true};
    assert_int_equal(stage_check(s, &c, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_PIN_LOCKED);
    c.pin_blocked = false;
    assert_int_equal(stage_check(s, &c, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_OK);
    assert_null(stage_error(s));
    stage_free(s);
}

/* What the reception refuses is the stage's failure: a card said to be shown but not in hand at a working
 * reader, a visit without the policy. The first failure is the one kept; the stage goes on afterwards. */
static void refused_receptions_keep_the_first_failure(void **state)
{
    struct fixture *f = *state;
    struct core_error err;
    struct stage *s = NULL;
    if (stage_new_local(f->reg, f->policy, clinics, 3, &s, &err) != CORE_OK)
        fail_msg("stage: %s", err.message);
    struct clinic_presented p;
    memset(&p, 0, sizeof p);
    p.card = true;
    p.born = f->normal.profile.holder.born;
    p.paper_expiry = CORE_DAY_NONE;
    struct clinic_input in;
    memset(&in, 0, sizeof in);
    in.on = D("2025-06-02");
    in.visit = CLINIC_VISIT_FIRST;
    in.reader = CLINIC_READER_PIN;
    in.online_ok = true;
    in.presented = &p;
    in.policy = f->policy;
    struct stage_visit v;
    memset(&v, 0, sizeof v);
    v.clinic = CLINIC_A;
    v.in = &in; /* shown, but v.card is NULL: nothing in the reader */
    struct eligibility_answer a;
    a.result = ELIGIBILITY_NO_CARD;
    struct clinic_decision d;
    core_error_clear(&err);
    assert_int_equal(stage_desk(s, &v, &a, &d, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "the card is shown but not in a reader"));
    assert_int_equal(a.result, ELIGIBILITY_NO_CARD);
    assert_non_null(stage_error(s));
    assert_non_null(strstr(stage_error(s), "the card is shown but not in a reader"));
    /* No policy: refused by the reception after the card was put in and taken out again. */
    v.card = &f->normal;
    in.policy = NULL;
    core_error_clear(&err);
    assert_int_equal(stage_desk(s, &v, &a, &d, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "reception: missing input"));
    assert_non_null(strstr(stage_error(s), "the card is shown but not in a reader"));
    /* The same card answers afterwards. */
    in.policy = f->policy;
    assert_int_equal(stage_desk(s, &v, &a, &d, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_OK);
    assert_int_equal(d.outcome, CLINIC_INSURED);
    /* Missing pieces with a stage. */
    assert_int_equal(stage_desk(s, NULL, &a, &d, &err), CORE_EINVAL);
    assert_int_equal(stage_check(s, NULL, &a, &err), CORE_EINVAL);
    stage_free(s);
}

/* ---- errors --------------------------------------------------------------------------------------------- */

static void bad_visits_are_refused(void **state)
{
    struct fixture *f = *state;
    struct visit vv = {.clinic = 3, .card = &f->normal, .reader = CLINIC_READER_PIN, .online_ok = true};
    struct outcome o = run(f, &vv); /* no such clinic */
    assert_int_equal(o.rc, CORE_EINVAL);
    struct eligibility_answer a;
    struct clinic_decision d;
    struct core_error err;
    assert_int_equal(stage_desk(NULL, NULL, &a, &d, &err), CORE_EINVAL);
    struct stage_visit v;
    memset(&v, 0, sizeof v);
    assert_int_equal(stage_desk(f->stage, &v, &a, &d, &err), CORE_EINVAL); /* no clinic_input */
    struct clinic_input in;
    memset(&in, 0, sizeof in);
    v.in = &in;
    assert_int_equal(stage_desk(f->stage, &v, &a, &d, &err), CORE_EINVAL); /* nothing presented */
    struct clinic_presented p;
    memset(&p, 0, sizeof p);
    in.presented = &p;
    assert_int_equal(stage_desk(f->stage, &v, NULL, &d, &err), CORE_EINVAL);
    assert_int_equal(stage_desk(f->stage, &v, &a, NULL, &err), CORE_EINVAL);
    /* A card its profile cannot make: the stage's machinery fails, the visit is not decided. */
    struct stage_card bad = f->normal;
    bad.id = 99;
    bad.profile.auth_cert_serial = 99;
    snprintf(bad.profile.holder.my_number, sizeof bad.profile.holder.my_number, "123456789019");
    vv.clinic = CLINIC_A;
    vv.card = &bad;
    o = run(f, &vv);
    assert_int_not_equal(o.rc, CORE_OK);
    /* A day the service cannot carry: kept as the stage's first failure. */
    core_day first;
    assert_int_equal(core_date_from_ymd(1900, 1, 1, &first), CORE_OK);
    struct stage_check_input c = {CLINIC_A, &f->normal, first - 1, CLINIC_READER_PIN, true, false, false};
    core_error_clear(&err);
    assert_int_equal(stage_check(f->stage, &c, &a, &err), CORE_EINVAL);
    assert_non_null(stage_error(f->stage));
    assert_non_null(strstr(stage_error(f->stage), "date"));
    /* The same card answers again on a good day. */
    c.on = D("2025-06-02");
    assert_int_equal(stage_check(f->stage, &c, &a, &err), CORE_OK);
    assert_int_equal(a.result, ELIGIBILITY_OK);
}

static void bad_stages_are_refused(void **state)
{
    struct fixture *f = *state;
    struct stage *s = NULL;
    struct core_error err;
    assert_int_equal(stage_new_local(NULL, f->policy, clinics, 3, &s, &err), CORE_EINVAL);
    assert_null(s);
    assert_int_equal(stage_new_local(f->reg, f->policy, NULL, 3, &s, &err), CORE_EINVAL);
    assert_int_equal(stage_new_local(f->reg, f->policy, clinics, 3, NULL, &err), CORE_EINVAL);
    struct stage_clinic bad[] = {{"x", "12345"}};
    assert_int_equal(stage_new_local(f->reg, f->policy, bad, 1, &s, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "institution"));
    bad[0].institution = "13000000x1";
    assert_int_equal(stage_new_local(f->reg, f->policy, bad, 1, &s, &err), CORE_EINVAL);
    bad[0].institution = NULL;
    assert_int_equal(stage_new_local(f->reg, f->policy, bad, 1, &s, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "clinic 0 needs a device name"));
    bad[0].institution = "1300000001";
    bad[0].device = NULL;
    assert_int_equal(stage_new_local(f->reg, f->policy, bad, 1, &s, &err), CORE_EINVAL);
    /* A reader device whose name is too long to derive its key from (the second clinic's). */
    char longname[200];
    memset(longname, 'r', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    struct stage_clinic two[] = {{"stage-clinic-ok", "1300000001"}, {longname, "1300000002"}};
    assert_int_equal(stage_new_local(f->reg, f->policy, two, 2, &s, &err), CORE_EINVAL);
    assert_null(s);
    assert_non_null(strstr(err.message, "clinic name too long"));
    /* A stage with no clinic: made, and every visit refused. */
    assert_int_equal(stage_new_local(f->reg, f->policy, NULL, 0, &s, &err), CORE_OK);
    struct stage_check_input c = {0, &f->normal, D("2025-06-02"), CLINIC_READER_PIN, true, false, false};
    struct eligibility_answer a;
    assert_int_equal(stage_check(s, &c, &a, &err), CORE_EINVAL);
    stage_free(s);
    stage_free(NULL);
    assert_null(stage_kind(NULL));
    assert_null(stage_error(NULL));
}

/* ---- the remote stage's refusals ------------------------------------------------------------------------- */

/* A unix socket that answers every line with `reply` (a card server's control channel, or not). */
struct fake_control {
    char path[108];
    const char *reply;
    int fd;
    pthread_t thread;
};

static void *fake_control_run(void *arg)
{
    struct fake_control *fc = arg;
    for (;;) {
        int c = accept(fc->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char buf[512];
        ssize_t n;
        while ((n = read(c, buf, sizeof buf)) > 0)
            if (memchr(buf, '\n', (size_t)n) != NULL && write(c, fc->reply, strlen(fc->reply)) < 0)
                break;
        close(c);
    }
}

static void fake_control_start(struct fake_control *fc, const char *reply)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(fc->path, sizeof fc->path, "%s/stage-test-%d.sock", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp",
             (int)getpid());
    unlink(fc->path);
    fc->reply = reply;
    fc->fd = stage_test_listen_unix(fc->path);
    assert_int_equal(pthread_create(&fc->thread, NULL, fake_control_run, fc), 0);
}

static void fake_control_stop(struct fake_control *fc)
{
    shutdown(fc->fd, SHUT_RDWR);
    close(fc->fd);
    pthread_join(fc->thread, NULL);
    unlink(fc->path);
}

static void remote_pieces_that_do_not_answer_are_named(void **state)
{
    struct fixture *f = *state;
    struct stage *s = NULL;
    struct core_error err;
    assert_int_equal(stage_new_remote(NULL, f->policy, clinics, 3, &s, &err), CORE_EINVAL);
    struct stage_remote r = {.card_control = "/nonexistent/stage-test.sock"};
    assert_int_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, &err), CORE_EINVAL);
    r.service = "127.0.0.1:1";
    r.card_control = NULL;
    assert_int_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, &err), CORE_EINVAL);
    r.reader = "stage-test-no-such-reader";
    r.card_control = "/nonexistent/stage-test.sock";
    assert_int_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, NULL), CORE_EIO); /* no error wanted */
    assert_int_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, &err), CORE_EIO);
    assert_null(s);
    assert_non_null(strstr(err.message, "the eligibility service at 127.0.0.1:1 is not reachable"));
    /* The private temporary directory: under $TMPDIR when it is an absolute path (refused, named, when it
     * cannot be made there), else under /tmp. */
    const char *tmpdir = getenv("TMPDIR");
    char saved_tmpdir[1024] = "";
    if (tmpdir != NULL)
        snprintf(saved_tmpdir, sizeof saved_tmpdir, "%s", tmpdir);
    assert_int_equal(setenv("TMPDIR", "/nonexistent/stage-test-tmp", 1), 0);
    assert_int_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, &err), CORE_EIO);
    assert_null(s);
    assert_non_null(strstr(err.message, "stage: cannot make a temporary directory"));
    assert_int_equal(setenv("TMPDIR", "relative/stage-test-tmp", 1), 0);
    assert_int_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, &err), CORE_EIO);
    assert_non_null(strstr(err.message, "the eligibility service at 127.0.0.1:1 is not reachable"));
    if (tmpdir != NULL)
        assert_int_equal(setenv("TMPDIR", saved_tmpdir, 1), 0);
    else
        assert_int_equal(unsetenv("TMPDIR"), 0);

    /* A service that answers (the HTTP server of sim/eligibility with its control routes). */
    struct eligibility_service *svc = NULL;
    assert_int_equal(eligibility_service_new(f->reg, f->policy, &svc, &err), CORE_OK);
    struct eligibility_http_options o = {.host = "127.0.0.1", .control = true};
    struct eligibility_http *h = NULL;
    if (eligibility_http_start(svc, &o, &h, &err) != CORE_OK)
        fail_msg("http: %s", err.message);
    char service[32];
    snprintf(service, sizeof service, "127.0.0.1:%u", (unsigned)eligibility_http_port(h));
    r.service = service;
    assert_int_not_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, &err), CORE_OK);
    assert_non_null(strstr(err.message, "the card server's control channel /nonexistent/stage-test.sock is "
                                        "not reachable"));
    assert_int_not_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, NULL),
                         CORE_OK); /* no error wanted */
    assert_null(s);
    /* A socket that answers, but not as a card server. */
    struct fake_control fc = {.fd = -1};
    fake_control_start(&fc, "OK hello\n");
    r.card_control = fc.path;
    assert_int_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "is not the control channel of `mynasim card serve`"));
    fake_control_stop(&fc);
    /* One that refuses the status. */
    fake_control_start(&fc, "ERR no\n");
    assert_int_not_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, &err), CORE_OK);
    assert_non_null(strstr(err.message, "does not answer"));
    assert_int_not_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, NULL), CORE_OK);
    assert_null(s);
    fake_control_stop(&fc);
    /* A card server, but no such PC/SC reader. */
    fake_control_start(&fc, "OK inserted=yes connected=yes apdus=0 profile=default\n");
    assert_int_not_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, &err), CORE_OK);
    assert_null(s);
    assert_non_null(strstr(err.message, "no card in a PC/SC reader named 'stage-test-no-such-reader'"));
    assert_int_not_equal(stage_new_remote(&r, f->policy, clinics, 3, &s, NULL), CORE_OK);
    assert_null(s);
    r.reader = NULL;
    if (stage_new_remote(&r, f->policy, clinics, 3, &s, &err) == CORE_OK) {
        /* A PC/SC reader with a card exists on this machine: the stage is made and registered. */
        assert_string_equal(stage_kind(s), "remote");
        stage_free(s);
    } else {
        assert_non_null(strstr(err.message, "no card in a PC/SC reader named ''"));
    }
    fake_control_stop(&fc);
    eligibility_http_stop(h);
    eligibility_service_free(svc);
}

/* The PIN the holder types at a live terminal (stage.h, pin_typed): the PIN route even at a face reader; a wrong
 * PIN is the card's real answer and uses a try that stays on the card, a right one resets the tries; three wrong
 * block it, after which the right PIN no longer helps but the face still does. */
static void a_typed_pin_uses_the_cards_tries(void **state)
{
    struct fixture *f = *state;
    struct stage_card c;
    make_card(f, &c, "cards/issued_2021.yaml", 9, "1009", true);
    char right[17];
    snprintf(right, sizeof right, "%s", c.profile.auth_pin);
    const char *wrong = strcmp(right, "0000") == 0 ? "9999" : "0000";
    struct visit v = {
        .clinic = CLINIC_A, .card = &c, .reader = CLINIC_READER_FACE, .online_ok = true, .pin_typed = right};
    struct outcome o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
    v.pin_typed = wrong;
    for (int i = 0; i < 2; i++) {
        o = run(f, &v);
        assert_answer(&o, ELIGIBILITY_PIN_LOCKED);
    }
    v.pin_typed = right; /* two tries used, one left: the right PIN still works and resets them */
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
    v.pin_typed = wrong;
    for (int i = 0; i < 3; i++)
        o = run(f, &v);
    v.pin_typed = right; /* blocked by the three wrong PINs kept on the card */
    o = run(f, &v);
    assert_int_equal(o.rc, CORE_OK);
    assert_int_not_equal(o.card.result, ELIGIBILITY_OK);
    v.pin_typed = NULL; /* the face needs no PIN */
    o = run(f, &v);
    assert_answer(&o, ELIGIBILITY_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_card_route_at_every_reader),
        cmocka_unit_test(no_card_and_no_check),
        cmocka_unit_test(faults_for_real),
        cmocka_unit_test(pin_blocked_leaves_no_trace),
        cmocka_unit_test(the_online_check_alone),
        cmocka_unit_test(the_faults_of_a_scenario),
        cmocka_unit_test(many_cards_each_answer_as_themselves),
        cmocka_unit_test(refused_receptions_keep_the_first_failure),
        cmocka_unit_test(bad_visits_are_refused),
        cmocka_unit_test(bad_stages_are_refused),
        cmocka_unit_test(remote_pieces_that_do_not_answer_are_named),
        cmocka_unit_test(a_typed_pin_uses_the_cards_tries),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
