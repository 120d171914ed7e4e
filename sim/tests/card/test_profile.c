/* Tests of sim/card/profile.c: card profile files, and their errors with file:line:column. */
#include "card_test.h"

static const char good[] = "id: inline\n"
                           "seed: 3\n"
                           "holder:\n"
                           "  name: \"Test\"\n"
                           "  address: \"Tokyo\"\n"
                           "  born: 1980-04-01\n"
                           "  sex: female\n"
                           "  my_number: \"123456789018\"\n"
                           "  security_code: \"1234\"\n"
                           "card:\n"
                           "  issued: 2021-04-01\n"
                           "pins: {auth: \"1234\", text: \"4321\", sign: ABCDEF}\n";

static CORE_MUST_USE int load_buffer(const char *text, struct card_profile *p, struct core_error *err)
{
    struct core_yaml_doc *doc = NULL;
    core_error_clear(err);
    int rc = core_yaml_load_buffer("inline.yaml", text, strlen(text), &doc, err);
    if (rc != CORE_OK)
        return rc;
    rc = card_profile_load_doc(doc, doc->root, p, err);
    core_yaml_free(doc);
    return rc;
}

static void default_profile_loads(void **state)
{
    (void)state;
    struct card_profile p;
    ct_profile("issued_2021", &p);
    assert_string_equal(p.id, "default");
    assert_int_equal(p.seed, 1);
    assert_string_equal(p.holder.name, "山田 太郎");
    assert_int_equal(p.holder.born, ct_day("1980-04-01"));
    assert_int_equal(p.holder.sex, CARD_SEX_MALE);
    assert_string_equal(p.holder.my_number, "123456789018");
    assert_string_equal(p.auth_pin, "1234");
    assert_string_equal(p.text_pin, "1234");
    assert_string_equal(p.sign_password, "SIGN1234");
    assert_int_equal(p.kind, CARD_KIND_NORMAL);
    assert_int_equal(p.issued, ct_day("2021-04-01"));
    assert_int_equal(p.expires, CORE_DAY_NONE);
    assert_int_equal(p.cert_expires, CORE_DAY_NONE);
    for (int i = 0; i < CARD_PIN_COUNT; i++)
        assert_int_equal(p.tries_left[i], -1);
}

static void other_fixture_profiles_load(void **state)
{
    (void)state;
    struct card_profile p;
    ct_profile("face_only", &p);
    assert_int_equal(p.kind, CARD_KIND_FACE_ONLY);
    assert_string_equal(p.auth_pin, "");
    assert_int_equal(p.holder.sex, CARD_SEX_FEMALE);
    ct_profile("pin_blocked", &p);
    assert_int_equal(p.tries_left[CARD_PIN_AUTH], 0);
    assert_int_equal(p.tries_left[CARD_PIN_SIGN], -1);
    ct_profile("cert_expired", &p);
    ct_profile("card_expired", &p);
}

static void inline_profile_with_everything(void **state)
{
    (void)state;
    struct card_profile p;
    struct core_error err;
    char text[2048];
    snprintf(text, sizeof text, "%s%s", good, "tries: {auth: 1, sign: 0, text: 2, surface: 9}\n");
    assert_int_equal(load_buffer(text, &p, &err), CORE_OK);
    assert_int_equal(p.seed, 3);
    assert_int_equal(p.tries_left[CARD_PIN_AUTH], 1);
    assert_int_equal(p.tries_left[CARD_PIN_SIGN], 0);
    assert_int_equal(p.tries_left[CARD_PIN_TEXT], 2);
    assert_int_equal(p.tries_left[CARD_PIN_SURFACE], 9);
    /* Given dates, and null for "derive". */
    char *issued = strstr(text, "  issued: 2021-04-01\n");
    assert_non_null(issued);
    snprintf(text, sizeof text, "%.*s  issued: 2021-04-01\n  expires: 2030-01-01\n  cert_expires: ~\n%s",
             (int)(strstr(good, "  issued") - good), good, strstr(good, "pins:"));
    assert_int_equal(load_buffer(text, &p, &err), CORE_OK);
    assert_int_equal(p.expires, ct_day("2030-01-01"));
    assert_int_equal(p.cert_expires, CORE_DAY_NONE);
}

static void file_errors_name_the_place(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        int line, column;
        const char *says;
    } cases[] = {
        {"bad_check_digit.yaml", 8, 14, "check digit should be 8"},
        {"bad_date.yaml", 6, 9, "holder.born"},
        {"unknown_key.yaml", 12, 3, "colour"},
        {"wrong_type.yaml", 3, 9, ""},
        {"face_only_with_pins.yaml", 13, 7, "face_only"},
        {"expires_before_issue.yaml", 12, 12, "card.expires"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024];
        struct card_profile p;
        struct core_error err;
        core_error_clear(&err);
        snprintf(path, sizeof path, "%s/sim/tests/card/data/%s", MYNASIM_SOURCE_DIR, cases[i].file);
        assert_int_not_equal(card_profile_load(path, &p, &err), CORE_OK);
        char msg[1200];
        core_error_format(&err, msg, sizeof msg);
        if (strstr(err.file, cases[i].file) == NULL || err.line != cases[i].line ||
            err.column != cases[i].column || strstr(err.message, cases[i].says) == NULL)
            fail_msg("%s: got '%s', want line %d column %d saying '%s'", cases[i].file, msg, cases[i].line,
                     cases[i].column, cases[i].says);
    }
}

static void inline_errors(void **state)
{
    (void)state;
    static const struct {
        const char *from, *to; /* replace `from` in the good profile by `to` */
        int line;
        const char *says;
    } cases[] = {
        {"id: inline", "id: \"bad id!\"", 1, "only letters"},
        {"id: inline", "id: \"\"", 1, "must not be empty"},
        {"id: inline\n", "", 1, "id"},
        {"seed: 3", "seed: -1", 2, "seed"},
        {"seed: 3", "seed: many", 2, "seed"},
        {"  sex: female", "  sex: other", 7, "holder.sex"},
        {"  sex: female\n", "", 4, "missing field 'sex'"},
        {"\"123456789018\"", "123456789018", 8, "holder.my_number"},
        {"\"123456789018\"", "\"12345678901\"", 8, "holder.my_number"},
        {"  security_code: \"1234\"", "  security_code: \"12345\"", 9, "holder.security_code"},
        {"sign: ABCDEF", "sign: abcdef", 12, "pins.sign"},
        {"sign: ABCDEF", "sign: ABCDE", 12, "pins.sign"},
        {"sign: ABCDEF", "sign: [A]", 12, "pins.sign"},
        {"auth: \"1234\"", "auth: \"12\"", 12, "pins.auth"},
        {"text: \"4321\"", "text: 4321", 12, "pins.text"},
        {"pins: {auth: \"1234\", text: \"4321\", sign: ABCDEF}\n", "", 1, "pins"},
        {"pins: {", "tries: {auth: 16}\npins: {", 12, "tries.auth"},
        {"pins: {", "tries: {pin: 1}\npins: {", 12, "pin"},
        {"  issued: 2021-04-01", "  issued: 1970-01-01", 11, "before the holder was born"},
        {"  issued: 2021-04-01", "  issued: 2021-04-01\n  cert_expires: 2020-01-01", 12, "card.cert_expires"},
        {"  issued: 2021-04-01", "  kind: both\n  issued: 2021-04-01", 11, "card.kind"},
        {"card:\n  issued: 2021-04-01\n", "card: 5\n", 10, ""},
        {"  name: \"Test\"",
         "  name: \"0123456789012345678901234567890123456789012345678901234567890123456789\"", 1,
         "64 characters"},
        {"seed: 3", "seed: 3\nseed: 4", 3, ""}, /* duplicate key */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[2048];
        const char *at = strstr(good, cases[i].from);
        assert_non_null(at);
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good, cases[i].to,
                 at + strlen(cases[i].from));
        struct card_profile p;
        struct core_error err;
        assert_int_not_equal(load_buffer(text, &p, &err), CORE_OK);
        char msg[1200];
        core_error_format(&err, msg, sizeof msg);
        if (err.line != cases[i].line || strstr(msg, cases[i].says) == NULL ||
            strstr(msg, "inline.yaml") == NULL)
            fail_msg("case %zu: got '%s', want line %d saying '%s'", i, msg, cases[i].line, cases[i].says);
    }
}

/* fixtures/cards/default.yaml read without dating it: issued 30 days before the day it is dated. */
static void load_default_undated(struct card_profile *p)
{
    char path[1024];
    struct core_error err;
    struct core_yaml_doc *doc = NULL;
    core_error_clear(&err);
    assert_int_equal(policy_find_data("cards/default.yaml", path, sizeof path, &err), CORE_OK);
    assert_int_equal(core_yaml_load_file(path, &doc, &err), CORE_OK);
    if (card_profile_load_doc(doc, doc->root, p, &err) != CORE_OK)
        fail_msg("%s", err.message);
    core_yaml_free(doc);
}

/* The default card follows the day it is dated at: issued 30 days before, certificates to the 5th birthday
 * after that (docs/CARD.md), valid on that day at every date; its counters' identity does not change. */
static void default_profile_is_dated_by_the_day(void **state)
{
    (void)state;
    struct card_profile p;
    load_default_undated(&p);
    assert_string_equal(p.id, "default");
    assert_int_equal(p.issued, CORE_DAY_NONE);
    assert_int_equal(p.issued_days_before_today, 30);
    struct card_state st;
    struct core_error err;
    assert_int_equal(card_profile_check(&p, ct_policy(), &st, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "not dated"));

    static const struct {
        const char *today, *issued, *cert_expires;
    } days[] = {
        {"2025-01-15", "2024-12-16", "2029-04-01"},
        {"2026-06-01", "2026-05-02", "2031-04-01"},
        {"2030-03-01", "2030-01-30", "2034-04-01"},
    };
    uint8_t saved[CARD_STATE_MAX];
    size_t saved_len = 0;
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        struct card_profile d = p;
        assert_int_equal(card_profile_date(&d, ct_day(days[i].today), &err), CORE_OK);
        assert_int_equal(d.issued, ct_day(days[i].issued));
        struct card *card = ct_card_from(&d);
        const struct card_state *cs = card_state(card);
        assert_int_equal(cs->cert_issued, ct_day(days[i].issued));
        assert_int_equal(cs->cert_expires, ct_day(days[i].cert_expires));
        assert_true(cs->cert_issued <= ct_day(days[i].today) && ct_day(days[i].today) <= cs->cert_expires);
        /* A state saved on one day restores on another: the same card, re-dated. */
        if (i > 0)
            assert_int_equal(card_state_restore(card, saved, saved_len, &err), CORE_OK);
        assert_int_equal(card_state_save(card, saved, sizeof saved, &saved_len), CORE_OK);
        card_free(card);
    }

    /* The file loader dates it at the process's Japan date. */
    ct_profile("default", &p);
    assert_int_equal(p.issued, core_date_today() - 30);

    /* A holder not yet born on the issue day: refused. */
    struct card_profile young = p;
    young.issued = CORE_DAY_NONE;
    young.holder.born = ct_day("2030-01-01");
    assert_int_equal(card_profile_date(&young, ct_day("2030-01-15"), &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "before the holder was born"));
}

static void relative_issue_errors(void **state)
{
    (void)state;
    static const struct {
        const char *to;
        int line;
        const char *says;
    } cases[] = {
        {"  issued: {days_before_today: 366}", 11, "card.issued.days_before_today"},
        {"  issued: {days_before_today: -1}", 11, "card.issued.days_before_today"},
        {"  issued: {days_before: 3}", 11, "days_before"},
        {"  issued: {}", 11, "days_before_today"},
        {"  issued: {days_before_today: 30}\n  cert_expires: 2030-01-01", 12, "card.cert_expires"},
        {"  issued: {days_before_today: 30}\n  expires: 2030-01-01", 12, "card.expires"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[2048];
        const char *from = "  issued: 2021-04-01";
        const char *at = strstr(good, from);
        assert_non_null(at);
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - good), good, cases[i].to, at + strlen(from));
        struct card_profile p;
        struct core_error err;
        assert_int_not_equal(load_buffer(text, &p, &err), CORE_OK);
        char msg[1200];
        core_error_format(&err, msg, sizeof msg);
        if (err.line != cases[i].line || strstr(msg, cases[i].says) == NULL)
            fail_msg("case %zu: got '%s', want line %d saying '%s'", i, msg, cases[i].line, cases[i].says);
    }
}

static void empty_and_missing_files(void **state)
{
    (void)state;
    struct card_profile p;
    struct core_error err;
    assert_int_not_equal(load_buffer("", &p, &err), CORE_OK);
    assert_int_not_equal(load_buffer("just a string\n", &p, &err), CORE_OK);
    assert_int_not_equal(card_profile_load("/nonexistent/profile.yaml", &p, &err), CORE_OK);
    assert_int_equal(card_profile_load_doc(NULL, NULL, &p, &err), CORE_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_profile_loads),
        cmocka_unit_test(other_fixture_profiles_load),
        cmocka_unit_test(inline_profile_with_everything),
        cmocka_unit_test(file_errors_name_the_place),
        cmocka_unit_test(inline_errors),
        cmocka_unit_test(default_profile_is_dated_by_the_day),
        cmocka_unit_test(relative_issue_errors),
        cmocka_unit_test(empty_and_missing_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
