/* Tests of sim/policy/policy.c: the shipped policies, dated values, overrides and strict loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy/policy.h"

#define DATA MYNASIM_SOURCE_DIR "/sim/tests/policy/data"

static core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

static struct policy *named(const char *name)
{
    struct policy *p = NULL;
    struct core_error err;
    int rc = policy_load_named(name, &p, &err);
    if (rc != CORE_OK)
        fail_msg("%s: %s:%d:%d: %s", name, err.file, err.line, err.column, err.message);
    return p;
}

static void shipped_policies_load_by_name(void **state)
{
    (void)state;
    struct policy *n = named("national"), *a = named("as-announced-2024");
    assert_string_equal(policy_name(n), "national");
    assert_string_equal(policy_name(a), "as-announced-2024");
    long long v;
    assert_int_equal(policy_int(n, "card.pin_tries.auth", D("2025-01-01"), &v), CORE_OK);
    assert_true(v == 3);
    assert_int_equal(policy_int(a, "card.pin_tries.sign", D("2025-01-01"), &v), CORE_OK);
    assert_true(v == 5);
    core_day d;
    assert_int_equal(policy_date(n, "paper_card.cap", D("2025-01-01"), &d), CORE_OK);
    assert_int_equal(d, D("2025-12-01"));
    policy_free(n);
    policy_free(a);
    policy_free(NULL);
}

static void dated_values_change_on_their_day(void **state)
{
    (void)state;
    struct policy *n = named("national"), *a = named("as-announced-2024");
    bool b;
    assert_int_equal(policy_bool(n, "lookup_grace.enabled", D("2025-07-31"), &b), CORE_OK);
    assert_false(b);
    assert_int_equal(policy_bool(n, "lookup_grace.enabled", D("2025-08-01"), &b), CORE_OK);
    assert_true(b);
    assert_int_equal(policy_bool(n, "lookup_grace.enabled", D("2026-03-31"), &b), CORE_OK);
    assert_true(b);
    assert_int_equal(policy_bool(n, "lookup_grace.enabled", D("2026-04-01"), &b), CORE_OK);
    assert_false(b);
    assert_int_equal(policy_bool(a, "lookup_grace.enabled", D("2025-08-01"), &b), CORE_OK);
    assert_false(b);
    long long v;
    assert_int_equal(policy_int(n, "online.cert_expiry_grace_months", D("2024-12-01"), &v), CORE_OK);
    assert_true(v == 0);
    assert_int_equal(policy_int(n, "online.cert_expiry_grace_months", D("2024-12-02"), &v), CORE_OK);
    assert_true(v == 3);
    policy_free(n);
    policy_free(a);
}

static void lookups_of_unknown_or_mistyped_parameters_fail(void **state)
{
    (void)state;
    struct policy *n = named("national");
    long long v;
    core_day d;
    bool b;
    assert_int_equal(policy_int(n, "no.such", 0, &v), CORE_ENOTFOUND);
    assert_int_equal(policy_int(n, "paper_card.cap", 0, &v), CORE_ENOTFOUND);
    assert_int_equal(policy_date(n, "card.pin_tries.auth", 0, &d), CORE_ENOTFOUND);
    assert_int_equal(policy_bool(n, "card.pin_tries.auth", 0, &b), CORE_ENOTFOUND);
    policy_free(n);
}

static void a_file_extends_a_shipped_policy_and_overrides_one_parameter(void **state)
{
    (void)state;
    struct policy *p;
    struct core_error err;
    assert_int_equal(policy_load_file(DATA "/override.yaml", &p, &err), CORE_OK);
    assert_string_equal(policy_name(p), "test-override");
    long long v;
    assert_int_equal(policy_int(p, "online.reflection_lag_days", D("2025-01-01"), &v), CORE_OK);
    assert_true(v == 9);
    bool b;
    assert_int_equal(policy_bool(p, "lookup_grace.enabled", D("2025-08-01"), &b), CORE_OK);
    assert_true(b);
    policy_free(p);
    assert_int_equal(policy_load("override.yaml", DATA, &p, &err), CORE_OK);
    policy_free(p);
}

static void overrides_from_a_yaml_mapping(void **state)
{
    (void)state;
    struct policy *n = named("national"), *o;
    struct core_yaml_doc *doc;
    struct core_error err;
    const char *text = "paper_card: {latest_expiry: 2025-03-31}\n";
    assert_int_equal(core_yaml_load_buffer("ins.yaml", text, strlen(text), &doc, &err), CORE_OK);
    assert_int_equal(policy_override(n, doc, doc->root, &o, &err), CORE_OK);
    core_day d;
    assert_int_equal(policy_date(o, "paper_card.latest_expiry", 0, &d), CORE_OK);
    assert_int_equal(d, D("2025-03-31"));
    assert_int_equal(policy_date(n, "paper_card.latest_expiry", 0, &d), CORE_OK);
    assert_int_equal(d, D("2025-07-31"));
    policy_free(o);
    core_yaml_free(doc);
    text = "paper_card: {latest_expiry: 31}\n";
    assert_int_equal(core_yaml_load_buffer("ins.yaml", text, strlen(text), &doc, &err), CORE_OK);
    assert_int_equal(policy_override(n, doc, doc->root, &o, &err), CORE_EINVAL);
    assert_string_equal(err.message, "field 'paper_card.latest_expiry': '31' is not a date (YYYY-MM-DD)");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 29);
    core_yaml_free(doc);
    text = "- 1\n";
    assert_int_equal(core_yaml_load_buffer("ins.yaml", text, strlen(text), &doc, &err), CORE_OK);
    assert_int_equal(policy_override(n, doc, doc->root, &o, &err), CORE_EINVAL);
    core_yaml_free(doc);
    policy_free(n);
}

static void expect_file_error(const char *path, const char *fragment, int line)
{
    struct policy *p = NULL;
    struct core_error err;
    core_error_clear(&err);
    assert_int_not_equal(policy_load_file(path, &p, &err), CORE_OK);
    assert_null(p);
    if (strstr(err.message, fragment) == NULL)
        fail_msg("'%s' lacks '%s'", err.message, fragment);
    if (line > 0)
        assert_int_equal(err.line, line);
}

static void bad_files_are_refused_with_their_position(void **state)
{
    (void)state;
    expect_file_error(DATA "/unknown.yaml", "unknown policy parameter 'online.reflection_lag_dayz'", 3);
    expect_file_error(DATA "/unordered.yaml", "ascending order", 6);
    expect_file_error(DATA "/cycle.yaml", "nested more than 8 deep", 0);
    expect_file_error(DATA "/missing.yaml", "cannot open", 0);
}

/* Loads `path` expecting a refusal in `file` (the file at fault: `path` or the root it extends) at
 * line:column, whose message names `fragment`. */
static void expect_refused_in(const char *path, const char *file, const char *fragment, int line, int column)
{
    struct policy *p = NULL;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(policy_load_file(path, &p, &err), CORE_EINVAL);
    assert_null(p);
    if (strstr(err.message, fragment) == NULL)
        fail_msg("'%s' lacks '%s'", err.message, fragment);
    if (strcmp(err.file, file) != 0)
        fail_msg("error names file '%s', not '%s'", err.file, file);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
}

static void expect_refused_at(const char *path, const char *fragment, int line, int column)
{
    expect_refused_in(path, path, fragment, line, column);
}

/* A root policy (no `extends:`) gives every parameter from the beginning: one left out, one of the wrong type,
 * one whose first row starts on a date, and an empty file are each refused with file:line:column naming the
 * parameter; a file extending a refused root is refused too. Nothing reads as 0 because it is absent. */
static void incomplete_root_policies_are_refused_naming_the_parameter(void **state)
{
    (void)state;
    /* the deepest mapping on the parameter's path: fees.revisit, whose first key is on line 56 */
    expect_refused_at(DATA "/incomplete.yaml", "lacks parameter 'fees.revisit.interval_months'", 56, 5);
    expect_refused_at(DATA "/mistyped.yaml", "field 'certificate.lead_days'", 19, 14);
    expect_refused_at(DATA "/late-start.yaml",
                      "parameter 'online.cert_warning_months' has no value before 2024-12-02", 28, 25);
    expect_refused_at(DATA "/empty.yaml", "empty policy file", 1, 1);
    expect_refused_at(DATA "/empty.yaml", "'card.pin_tries.auth'", 1, 1);
    expect_refused_in(DATA "/extends-incomplete.yaml", DATA "/incomplete.yaml",
                      "lacks parameter 'fees.revisit.interval_months'", 56, 5);
    /* a root giving only its name lacks the first parameter, at the root */
    const char *text = "policy: bare\n";
    char path[] = "/tmp/mynasim-policy-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    expect_refused_at(path, "lacks parameter 'card.pin_tries.auth'", 1, 1);
    remove(path);
    /* every shipped policy is complete: every parameter answers on any day */
    const char *names[] = {"national", "as-announced-2024"};
    for (size_t k = 0; k < 2; k++) {
        struct policy *n = named(names[k]);
        for (int id = 0; id < POLICY_PARAM_COUNT; id++) {
            long long v;
            core_day d;
            bool b;
            int rc = policy_int_id(n, id, INT32_MIN + 1, &v);
            if (rc != CORE_OK)
                rc = policy_date_id(n, id, INT32_MIN + 1, &d);
            if (rc != CORE_OK)
                rc = policy_bool_id(n, id, INT32_MIN + 1, &b);
            assert_int_equal(rc, CORE_OK);
        }
        policy_free(n);
    }
}

/* An overlay's dated list merges onto the policy it extends: the rows before its first `from` stay. */
static void a_dated_overlay_keeps_the_rows_before_it(void **state)
{
    (void)state;
    struct policy *p;
    struct core_error err;
    assert_int_equal(policy_load_file(DATA "/merge-dated.yaml", &p, &err), CORE_OK);
    long long v;
    assert_int_equal(policy_int(p, "online.cert_expiry_grace_months", D("2024-12-01"), &v), CORE_OK);
    assert_true(v == 0);
    assert_int_equal(policy_int(p, "online.cert_expiry_grace_months", D("2025-05-31"), &v), CORE_OK);
    assert_true(v == 3);
    assert_int_equal(policy_int(p, "online.cert_expiry_grace_months", D("2025-06-01"), &v), CORE_OK);
    assert_true(v == 6);
    policy_free(p);
    /* the same through an insurer's or a scenario's override */
    struct policy *n = named("national"), *o;
    struct core_yaml_doc *doc;
    const char *text = "online: {cert_expiry_grace_months: [{from: 2025-06-01, value: 6}]}\n";
    assert_int_equal(core_yaml_load_buffer("ins.yaml", text, strlen(text), &doc, &err), CORE_OK);
    assert_int_equal(policy_override(n, doc, doc->root, &o, &err), CORE_OK);
    assert_int_equal(policy_int(o, "online.cert_expiry_grace_months", D("2024-06-01"), &v), CORE_OK);
    assert_true(v == 0);
    assert_int_equal(policy_int(o, "online.cert_expiry_grace_months", D("2025-01-01"), &v), CORE_OK);
    assert_true(v == 3);
    assert_int_equal(policy_int(o, "online.cert_expiry_grace_months", D("2025-06-01"), &v), CORE_OK);
    assert_true(v == 6);
    policy_free(o);
    core_yaml_free(doc);
    policy_free(n);
}

static void bad_inline_documents_are_refused(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"- 1\n", "a policy file is a mapping"},
        {"description: x\n", "missing field 'policy'"},
        {"policy: x\ndescription: [a]\n", "field 'description'"},
        {"policy: x\nextends: no-such-policy\n", "no shipped policy named 'no-such-policy'"},
        {"policy: x\nextends: [a]\n", "field 'extends'"},
        {"policy: x\ncard: 3\n", "expected a mapping of policy parameters"},
        {"policy: x\ncard: {pin_tries: {auth: []}}\n", "empty list of dated values"},
        {"policy: x\ncard: {pin_tries: {auth: [{value: 3}, {value: 4}]}}\n", "every row after the first"},
        {"policy: x\ncard: {pin_tries: {auth: [{from: 2025-01-01, valu: 3}]}}\n", "unknown key 'valu'"},
        {"policy: x\ncard: {pin_tries: {auth: [{from: 2025-01-01}]}}\n", "missing field 'value'"},
        {"policy: x\ncard: {pin_tries: {auth: [{from: 2025-13-01, value: 1}]}}\n", "not a date"},
        {"policy: x\ncard: {pin_tries: {auth: three}}\n", "expected an integer"},
        {"policy: x\nlookup_grace: {enabled: 1}\n", "expected true or false"},
    };
    char path[] = "/tmp/mynasim-policy-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(path, "w");
        fputs(cases[i][0], f);
        fclose(f);
        expect_file_error(path, cases[i][1], 0);
    }
    remove(path);
}

static void names_and_data_are_found(void **state)
{
    (void)state;
    struct policy *p;
    struct core_error err;
    assert_int_equal(policy_load_named("Not A Name", &p, &err), CORE_EINVAL);
    assert_int_equal(policy_load_named("nope", &p, &err), CORE_ENOTFOUND);
    char path[4096];
    assert_int_equal(policy_find_data("policies/national.yaml", path, sizeof path, &err), CORE_OK);
    assert_non_null(strstr(path, "national.yaml"));
    assert_int_equal(policy_find_data("policies/none.yaml", path, sizeof path, &err), CORE_ENOTFOUND);
    /* without MYNASIM_DATA_DIR the source tree (or install prefix) still finds it */
    char *saved = getenv("MYNASIM_DATA_DIR") ? strdup(getenv("MYNASIM_DATA_DIR")) : NULL;
    unsetenv("MYNASIM_DATA_DIR");
    assert_int_equal(policy_find_data("policies/national.yaml", path, sizeof path, &err), CORE_OK);
    if (saved != NULL) {
        setenv("MYNASIM_DATA_DIR", saved, 1);
        free(saved);
    }
    assert_int_equal(policy_load(DATA "/override.yaml", NULL, &p, &err), CORE_OK);
    policy_free(p);
}

/* One answer to "a shipped name or a path?" for policies, mixes and `extends:` alike. */
static void shipped_names_are_lowercase_words(void **state)
{
    (void)state;
    assert_true(policy_is_shipped_name("national"));
    assert_true(policy_is_shipped_name("as-announced-2024"));
    assert_false(policy_is_shipped_name(""));
    assert_false(policy_is_shipped_name("National"));
    assert_false(policy_is_shipped_name("national.yaml"));
    assert_false(policy_is_shipped_name("policies/national"));
    assert_false(policy_is_shipped_name("my_policy"));
}

static void lookups_by_id_answer_as_lookups_by_name(void **state)
{
    (void)state;
    struct policy *n = named("national");
    const char *names[] = {"card.pin_tries.auth", "paper_card.cap", "lookup_grace.enabled",
                           "online.cert_expiry_grace_months", "no.such.parameter"};
    const core_day days[] = {D("2024-12-01"), D("2024-12-02"), D("2025-08-01"), D("2026-04-01")};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int id = policy_param_id(names[i]);
        assert_int_equal(id < 0, strcmp(names[i], "no.such.parameter") == 0);
        for (size_t j = 0; j < sizeof days / sizeof days[0]; j++) {
            long long a = -1, b = -1;
            core_day da = 0, db = 0;
            bool ba = false, bb = false;
            assert_int_equal(policy_int(n, names[i], days[j], &a), policy_int_id(n, id, days[j], &b));
            assert_true(a == b);
            assert_int_equal(policy_date(n, names[i], days[j], &da), policy_date_id(n, id, days[j], &db));
            assert_int_equal(da, db);
            assert_int_equal(policy_bool(n, names[i], days[j], &ba), policy_bool_id(n, id, days[j], &bb));
            assert_int_equal(ba, bb);
        }
    }
    assert_int_equal(policy_param_id("card"), -1);
    policy_free(n);
}

/* Caches key on policy_serial and policy_span: serials are unique per object, copies included, and a span is
 * the stretch between two dated rows of any parameter, over which every lookup answers the same. */
static void spans_lie_between_dated_rows_and_serials_are_unique(void **state)
{
    (void)state;
    struct policy *n = named("national"), *a = named("as-announced-2024");
    assert_true(policy_serial(n) != 0 && policy_serial(a) != 0 && policy_serial(n) != policy_serial(a));
    assert_int_equal(policy_serial(NULL), 0);
    core_day from, to;
    /* national has dated rows (AMEND-3's grace from 2024-12-02, the fees' revisions, AMEND-1 from 2025-08-01,
     * ...): every day has a span around it, and every parameter answers the same on its first and last day. */
    const core_day days[] = {D("2024-11-30"), D("2024-12-02"), D("2025-03-15"), D("2025-08-01"),
                             D("2026-06-30")};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        policy_span(n, NULL, 0, days[i], &from, &to);
        assert_true(from <= days[i] && days[i] <= to);
        for (int id = 0; id < POLICY_PARAM_COUNT; id++) {
            long long x = 0, y = 0;
            int rx = policy_int_id(n, id, from == INT32_MIN + 1 ? days[i] : from, &x);
            int ry = policy_int_id(n, id, to == INT32_MAX ? days[i] : to, &y);
            assert_int_equal(rx, ry);
            assert_true(x == y);
        }
        /* the day after the span (when bounded) is the first of the next span */
        if (to != INT32_MAX) {
            core_day f2, t2;
            policy_span(n, NULL, 0, to + 1, &f2, &t2);
            assert_int_equal(f2, to + 1);
        }
    }
    policy_span(n, NULL, 0, D("2024-12-02"), &from, &to);
    assert_int_equal(from, D("2024-12-02"));
    /* a span of a few parameters: only their rows count (AMEND-1's look-up: 2025-08-01 .. 2026-03-31) */
    const int grace[] = {POLICY_LOOKUP_GRACE_ENABLED};
    policy_span(n, grace, 1, D("2025-09-15"), &from, &to);
    assert_int_equal(from, D("2025-08-01"));
    assert_int_equal(to, D("2026-03-31"));
    const int constant[] = {POLICY_CARD_PIN_TRIES_AUTH, -1, POLICY_PARAM_COUNT};
    policy_span(n, constant, 3, D("2025-09-15"), &from, &to);
    assert_int_equal(from, INT32_MIN + 1);
    assert_int_equal(to, INT32_MAX);
    policy_span(NULL, NULL, 0, D("2025-01-01"), &from, &to);
    assert_int_equal(from, INT32_MIN + 1);
    assert_int_equal(to, INT32_MAX);
    /* ids are the table's order, and name lookups agree with them */
    assert_int_equal(policy_param_id("paper_card.cap"), POLICY_PAPER_CARD_CAP);
    assert_int_equal(policy_param_id("fees.dispensing.interval_months"),
                     POLICY_FEES_DISPENSING_INTERVAL_MONTHS);
    policy_free(n);
    policy_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_policies_load_by_name),
        cmocka_unit_test(dated_values_change_on_their_day),
        cmocka_unit_test(lookups_of_unknown_or_mistyped_parameters_fail),
        cmocka_unit_test(a_file_extends_a_shipped_policy_and_overrides_one_parameter),
        cmocka_unit_test(overrides_from_a_yaml_mapping),
        cmocka_unit_test(bad_files_are_refused_with_their_position),
        cmocka_unit_test(bad_inline_documents_are_refused),
        cmocka_unit_test(incomplete_root_policies_are_refused_naming_the_parameter),
        cmocka_unit_test(a_dated_overlay_keeps_the_rows_before_it),
        cmocka_unit_test(names_and_data_are_found),
        cmocka_unit_test(shipped_names_are_lowercase_words),
        cmocka_unit_test(lookups_by_id_answer_as_lookups_by_name),
        cmocka_unit_test(spans_lie_between_dated_rows_and_serials_are_unique),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
