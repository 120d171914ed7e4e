/*
 * Tests of sim/report's UTF-8 repair (report_utf8_dup, report_utf8_valid): each kind of invalid sequence (a
 * lone continuation byte, a sequence cut short in the middle or at the end, overlong forms, encoded
 * surrogates, code points above U+10FFFF, bytes that never start one) becomes U+FFFD, one per maximal
 * subpart, and valid text (ASCII, Japanese, the edges U+D7FF, U+E000, U+10FFFF) is unchanged. Then the JSON
 * and JUnit reports of a run whose file name, event detail, rule and message are not UTF-8 parse back
 * (jansson, libxml2) with every expectation and event present and U+FFFD in place, and the text report
 * keeps the bytes as given.
 */
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_world.h"
#include "replay/replay.h"
#include "report/report_int.h"

#define FFFD "\xEF\xBF\xBD"
#define DATA MYNASIM_SOURCE_DIR "/sim/tests/report/data"

struct repair_case {
    const char *in, *want;
};

static void invalid_sequences_become_fffd(void **state)
{
    (void)state;
    static const struct repair_case cases[] = {
        /* lone continuation bytes */
        {"a\x80z", "a" FFFD "z"},
        {"\xBF", FFFD},
        {"\x80\x80", FFFD FFFD},
        {"\xE3\x81\x82\x81", "\xE3\x81\x82" FFFD}, /* あ and one byte too many */
        /* cut short in the middle: the lead byte and the continuations it had, one U+FFFD */
        {"\xE3\x81z", FFFD "z"},
        {"\xF0\x9F\x98z", FFFD "z"},
        {"\xC3 ", FFFD " "},
        /* cut short at the end */
        {"x\xC3", "x" FFFD},
        {"x\xE3\x81", "x" FFFD},
        {"x\xF0\x9F\x98", "x" FFFD},
        {"x\xF0", "x" FFFD},
        /* overlong encodings: each byte is its own maximal subpart */
        {"\xC0\xAF", FFFD FFFD},
        {"\xC1\xBF", FFFD FFFD},
        {"\xE0\x80\xAF", FFFD FFFD FFFD},
        {"\xE0\x9F\xBF", FFFD FFFD FFFD},
        {"\xF0\x80\x80\xAF", FFFD FFFD FFFD FFFD},
        {"\xF0\x8F\xBF\xBF", FFFD FFFD FFFD FFFD},
        /* surrogates U+D800..U+DFFF encoded */
        {"\xED\xA0\x80", FFFD FFFD FFFD},
        {"\xED\xBF\xBF", FFFD FFFD FFFD},
        {"\xED\xB0\x80z", FFFD FFFD FFFD "z"},
        /* above U+10FFFF */
        {"\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD},
        {"\xF5\x80\x80\x80", FFFD FFFD FFFD FFFD},
        {"\xF7\xBF\xBF\xBF", FFFD FFFD FFFD FFFD},
        {"\xF8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD},
        {"\xFC\x84\x80\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD FFFD},
        /* never a lead byte */
        {"\xFE", FFFD},
        {"bad\xFF.yaml", "bad" FFFD ".yaml"},
        /* mixed with valid text, which is kept */
        {"\xE5\x90\x8D\xFF\xE5\x89\x8D", "\xE5\x90\x8D" FFFD "\xE5\x89\x8D"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_false(report_utf8_valid(cases[i].in));
        char *got = report_utf8_dup(cases[i].in);
        assert_non_null(got);
        if (got == NULL)
            return;
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
        assert_true(report_utf8_valid(got));
        free(got);
    }
}

static void valid_text_is_unchanged(void **state)
{
    (void)state;
    static const char *const valid[] = {
        "",
        "plain ASCII ~\t\n\x01",
        "名前 ✓ 保険証",
        "\xC2\x80",         /* U+0080, the first two-byte */
        "\xDF\xBF",         /* U+07FF */
        "\xE0\xA0\x80",     /* U+0800, the first three-byte */
        "\xED\x9F\xBF",     /* U+D7FF, just below the surrogates */
        "\xEE\x80\x80",     /* U+E000, just above */
        "\xEF\xBF\xBD",     /* U+FFFD itself */
        "\xEF\xBF\xBF",     /* U+FFFF */
        "\xF0\x90\x80\x80", /* U+10000, the first four-byte */
        "\xF0\x9F\x98\x80", /* an emoji */
        "\xF4\x8F\xBF\xBF", /* U+10FFFF, the last */
    };
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        assert_true(report_utf8_valid(valid[i]));
        char *got = report_utf8_dup(valid[i]);
        assert_non_null(got);
        if (got == NULL)
            return;
        assert_string_equal(got, valid[i]);
        free(got);
    }
    assert_true(report_utf8_valid(NULL));
    char *empty = report_utf8_dup(NULL);
    assert_non_null(empty);
    if (empty == NULL)
        return;
    assert_string_equal(empty, "");
    free(empty);
}

/* ---- reports ------------------------------------------------------------------------------------------ */

#define BAD_FILE "basic\xFF.yaml"
#define BAD_FILE_FIXED "basic" FFFD ".yaml"
#define BAD_DETAIL "type B \xE3\x81 cut"
#define BAD_DETAIL_FIXED "type B " FFFD " cut"
#define BAD_RULE "R\xC0\xAF"
#define BAD_RULE_FIXED "R" FFFD FFFD
#define BAD_MESSAGE "expected \xED\xA0\x80, got \xF4\x90\x80\x80 end"
#define BAD_MESSAGE_FIXED "expected " FFFD FFFD FFFD ", got " FFFD FFFD FFFD FFFD " end"

static struct scenario *load_bad(void)
{
    FILE *f = fopen(DATA "/basic.yaml", "rb");
    assert_non_null(f);
    if (f == NULL)
        return NULL;
    static char yaml[1 << 14];
    size_t n = fread(yaml, 1, sizeof yaml, f);
    fclose(f);
    struct scenario *s = NULL;
    struct scenario_diags d;
    scenario_diags_init(&d);
    int rc = scenario_load_buffer(BAD_FILE, yaml, n, NULL, &s, &d);
    if (rc != CORE_OK)
        fail_msg("basic.yaml: %s", d.count > 0 ? d.items[0].message : "?");
    scenario_diags_clear(&d);
    return s;
}

/* Renders the basic run under a file name that is not UTF-8, with an event detail, an event rule and the
 * first result's message and rule not UTF-8 either (and that result failed). *count: the results. */
static char *render_bad(enum report_format format, size_t *count, size_t *events)
{
    struct scenario *scn = load_bad();
    assert_non_null(scn);
    if (scn == NULL)
        return NULL;
    fake_world_basic();
    assert_true(fake_world.event_count > 0);
    fake_world.events[0].detail = BAD_DETAIL;
    fake_world.events[0].rule = BAD_RULE;
    *events = fake_world.event_count;
    struct core_error err;
    core_error_clear(&err);
    struct replay_run_result res;
    assert_int_equal(replay_run(scn, &res, &err), CORE_OK);
    assert_true(res.count > 1);
    snprintf(res.results[0].message, sizeof res.results[0].message, "%s", BAD_MESSAGE);
    snprintf(res.results[0].rule, sizeof res.results[0].rule, "%s", BAD_RULE);
    if (res.results[0].passed) {
        res.results[0].passed = false;
        res.passed--;
        res.failed++;
    }
    *count = res.count;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    if (f == NULL)
        return NULL;
    struct report *rep;
    assert_int_equal(report_open(format, f, &rep, &err), CORE_OK);
    assert_int_equal(report_add(rep, scn, &res, &err), CORE_OK);
    assert_int_equal(report_close(rep, &err), CORE_OK);
    fclose(f);
    replay_run_result_free(&res);
    scenario_free(scn);
    assert_int_equal(fake_world.worlds_alive, 0);
    return buf;
}

static size_t count_detail(json_t *events, const char *detail, const char *rule)
{
    size_t n = 0, i;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        if (strcmp(json_string_value(json_object_get(ev, "detail")), detail) == 0 &&
            strcmp(json_string_value(json_object_get(ev, "rule")), rule) == 0)
            n++;
    }
    return n;
}

static void json_repairs_and_keeps_everything(void **state)
{
    (void)state;
    size_t count = 0, events = 0;
    char *t = render_bad(REPORT_JSON, &count, &events);
    assert_non_null(t);
    if (t == NULL)
        return;
    assert_true(report_utf8_valid(t));
    json_error_t je;
    json_t *root = json_loads(t, 0, &je);
    if (root == NULL)
        fail_msg("the JSON report does not parse: %s (line %d)", je.text, je.line);
    json_t *runs = json_object_get(root, "runs");
    assert_int_equal(json_array_size(runs), 1);
    json_t *run = json_array_get(runs, 0);
    assert_string_equal(json_string_value(json_object_get(run, "file")), BAD_FILE_FIXED);
    json_t *ex = json_object_get(run, "expectations");
    assert_int_equal(json_array_size(ex), count);
    json_t *first = json_array_get(ex, 0);
    assert_string_equal(json_string_value(json_object_get(first, "message")), BAD_MESSAGE_FIXED);
    assert_string_equal(json_string_value(json_object_get(first, "rule")), BAD_RULE_FIXED);
    assert_string_equal(json_string_value(json_object_get(first, "file")), BAD_FILE_FIXED);
    assert_false(json_is_true(json_object_get(first, "passed")));
    /* every event is there once (the residents' and the clinics'), the repaired one among them */
    size_t all = json_array_size(json_object_get(run, "events")), found = 0, i;
    json_t *res;
    json_array_foreach(json_object_get(run, "residents"), i, res)
    {
        all += json_array_size(json_object_get(res, "events"));
        found += count_detail(json_object_get(res, "events"), BAD_DETAIL_FIXED, BAD_RULE_FIXED);
    }
    found += count_detail(json_object_get(run, "events"), BAD_DETAIL_FIXED, BAD_RULE_FIXED);
    assert_int_equal(all, events);
    assert_int_equal(found, 1);
    json_decref(root);
    free(t);
}

static void junit_repairs_and_is_well_formed(void **state)
{
    (void)state;
    size_t count = 0, events = 0;
    char *t = render_bad(REPORT_JUNIT, &count, &events);
    assert_non_null(t);
    if (t == NULL)
        return;
    assert_true(report_utf8_valid(t));
    xmlDocPtr doc = xmlReadMemory(t, (int)strlen(t), "junit.xml", NULL, XML_PARSE_NONET);
    if (doc == NULL)
        fail_msg("the JUnit report does not parse:\n%s", t);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_non_null(root);
    if (root == NULL)
        return;
    xmlNodePtr suite = root->children;
    while (suite != NULL && suite->type != XML_ELEMENT_NODE)
        suite = suite->next;
    assert_non_null(suite);
    if (suite == NULL)
        return;
    xmlChar *file = xmlGetProp(suite, (const xmlChar *)"file");
    assert_string_equal((const char *)file, BAD_FILE_FIXED);
    xmlFree(file);
    size_t cases = 0, failures = 0;
    for (xmlNodePtr c = suite->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "testcase") != 0)
            continue;
        cases++;
        for (xmlNodePtr f = c->children; f != NULL; f = f->next) {
            if (f->type != XML_ELEMENT_NODE || strcmp((const char *)f->name, "failure") != 0)
                continue;
            xmlChar *msg = xmlGetProp(f, (const xmlChar *)"message");
            xmlChar *type = xmlGetProp(f, (const xmlChar *)"type");
            xmlChar *text = xmlNodeGetContent(f);
            if (strcmp((const char *)msg, BAD_MESSAGE_FIXED) == 0) {
                failures++;
                assert_string_equal((const char *)type, BAD_RULE_FIXED);
                /* file:line:column: message, whole */
                assert_non_null(strstr((const char *)text, BAD_FILE_FIXED ":"));
                assert_non_null(strstr((const char *)text, ": " BAD_MESSAGE_FIXED));
            }
            xmlFree(msg);
            xmlFree(type);
            xmlFree(text);
        }
    }
    assert_int_equal(cases, count);
    assert_int_equal(failures, 1);
    xmlFreeDoc(doc);
    free(t);
}

/* Text is for people at a terminal: the bytes as given (the path is the file's real name). */
static void text_keeps_the_bytes(void **state)
{
    (void)state;
    size_t count = 0, events = 0;
    char *t = render_bad(REPORT_TEXT, &count, &events);
    assert_non_null(t);
    if (t == NULL)
        return;
    assert_non_null(strstr(t, "(" BAD_FILE ")"));
    assert_non_null(strstr(t, BAD_MESSAGE));
    assert_null(strstr(t, FFFD));
    free(t);
}

/* ---- jansson failing: an error naming what, never a run silently short --------------------------------- */

static long allocs_left;
static void *failing_malloc(size_t n)
{
    if (allocs_left-- <= 0)
        return NULL;
    return malloc(n);
}

/* Every allocation jansson makes while a run is added fails in turn: each is CORE_ENOMEM with a message naming
 * the file and what could not be built, the report stays empty and nothing leaks (ASan); with enough memory
 * the run is added whole. */
static void a_failing_build_is_an_error_naming_what(void **state)
{
    (void)state;
    struct scenario *scn = load_bad();
    assert_non_null(scn);
    if (scn == NULL)
        return;
    fake_world_basic();
    struct core_error err;
    core_error_clear(&err);
    struct replay_run_result res;
    assert_int_equal(replay_run(scn, &res, &err), CORE_OK);
    int failures = 0;
    for (long n = 0;; n++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        if (f == NULL)
            return;
        struct report *rep;
        assert_int_equal(report_open(REPORT_JSON, f, &rep, &err), CORE_OK);
        allocs_left = n;
        json_set_alloc_funcs(failing_malloc, free);
        int rc = report_add(rep, scn, &res, &err);
        json_set_alloc_funcs(malloc, free);
        if (rc != CORE_OK) {
            failures++;
            if (rc != CORE_ENOMEM)
                fail_msg("allocation %ld: %d %s", n, rc, err.message);
            assert_int_equal(err.code, CORE_ENOMEM);
            if (strncmp(err.message, "report: the JSON report of " BAD_FILE " could not be built: ",
                        strlen("report: the JSON report of " BAD_FILE " could not be built: ")) != 0 ||
                strstr(err.message, "out of memory") == NULL)
                fail_msg("allocation %ld: %s", n, err.message);
        }
        assert_int_equal(report_close(rep, &err), CORE_OK);
        fclose(f);
        json_t *root = json_loads(buf, 0, NULL);
        assert_non_null(root);
        assert_int_equal(json_array_size(json_object_get(root, "runs")), rc == CORE_OK ? 1 : 0);
        json_decref(root);
        free(buf);
        if (rc == CORE_OK)
            break;
    }
    assert_true(failures > 100); /* every value of the run allocates */
    replay_run_result_free(&res);
    scenario_free(scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_sequences_become_fffd),
        cmocka_unit_test(valid_text_is_unchanged),
        cmocka_unit_test(json_repairs_and_keeps_everything),
        cmocka_unit_test(junit_repairs_and_is_well_formed),
        cmocka_unit_test(text_keeps_the_bytes),
        cmocka_unit_test(a_failing_build_is_an_error_naming_what),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
