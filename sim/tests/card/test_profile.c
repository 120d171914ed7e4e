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

static int load_buffer(const char *text, struct card_profile *p, struct core_error *err)
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
    ct_profile("default", &p);
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
        cmocka_unit_test(empty_and_missing_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
