/*
 * Tests of sim/report: the text, JSON and JUnit reports of a run against the fake world (fake_world.c),
 * byte for byte against golden files in data/ (MYNASIM_UPDATE_GOLDEN=1 rewrites them), JSON parsed back with
 * jansson and JUnit with libxml2.
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
#include "report/report.h"

#define DATA MYNASIM_SOURCE_DIR "/sim/tests/report/data"

/* Renders `runs` copies of the basic run in `format`; returns a malloc'd NUL-terminated string. */
static char *render(enum report_format format, int runs)
{
    struct scenario *scn = fake_scenario_load("basic.yaml");
    assert_non_null(scn);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct report *rep;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(report_open(format, f, &rep, &err), CORE_OK);
    for (int i = 0; i < runs; i++) {
        fake_world_basic();
        struct replay_run_result res;
        assert_int_equal(replay_run(scn, &res, &err), CORE_OK);
        assert_int_equal(report_add(rep, scn, &res, &err), CORE_OK);
        replay_run_result_free(&res);
    }
    assert_int_equal(report_close(rep, &err), CORE_OK);
    fclose(f);
    scenario_free(scn);
    assert_int_equal(fake_world.worlds_alive, 0);
    return buf;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    static char buf[1 << 18];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *s = malloc(n + 1);
    memcpy(s, buf, n + 1);
    return s;
}

static void assert_golden(const char *got, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DATA, name);
    if (getenv("MYNASIM_UPDATE_GOLDEN") != NULL) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fputs(got, f);
        fclose(f);
    }
    char *want = slurp(path);
    assert_non_null(want);
    assert_string_equal(got, want);
    free(want);
}

static void text_report_matches_golden(void **state)
{
    (void)state;
    char *s = render(REPORT_TEXT, 1);
    assert_golden(s, "basic.txt");
    /* the summary line comes first, then the failures */
    assert_true(
        strncmp(
            s, "FAIL report-basic (basic.yaml): policy national, 2 residents, expectations 8 passed 7 failed",
            strlen("FAIL report-basic (basic.yaml): policy national, 2 residents, expectations 8 passed 7 "
                   "failed")) == 0);
    assert_true(strstr(s, "failed:\n") < strstr(s, "passed:\n"));
    free(s);
}

static void text_report_of_two_runs_is_two_reports(void **state)
{
    (void)state;
    char *one = render(REPORT_TEXT, 1), *two = render(REPORT_TEXT, 2);
    /* each run, a blank line between, then the closing summary counting both */
    static const char sum1[] = "\nscenarios: 0 passed, 1 failed\n",
                      sum2[] = "\nscenarios: 0 passed, 2 failed\n";
    size_t n = strlen(one) - strlen(sum1);
    assert_string_equal(one + n, sum1);
    assert_int_equal(strlen(two), 2 * n + 1 + strlen(sum2));
    assert_memory_equal(two, one, n);
    assert_int_equal(two[n], '\n');
    assert_memory_equal(two + n + 1, one, n);
    assert_string_equal(two + 2 * n + 1, sum2);
    free(one);
    free(two);
}

static void json_report_matches_golden_and_parses_back(void **state)
{
    (void)state;
    char *s = render(REPORT_JSON, 1);
    assert_golden(s, "basic.json");
    json_error_t jerr;
    json_t *root = json_loads(s, 0, &jerr);
    assert_non_null(root);
    assert_int_equal(json_integer_value(json_object_get(root, "format")), 1);
    json_t *runs = json_object_get(root, "runs");
    assert_int_equal(json_array_size(runs), 1);
    json_t *run = json_array_get(runs, 0);
    assert_string_equal(json_string_value(json_object_get(run, "file")), "basic.yaml");
    assert_true(json_is_false(json_object_get(run, "passed")));
    json_t *summary = json_object_get(run, "summary");
    assert_int_equal(json_integer_value(json_object_get(summary, "failed")), 7);
    assert_int_equal(json_integer_value(json_object_get(summary, "gap_days")), 30);
    json_t *expects = json_object_get(run, "expectations");
    assert_int_equal(json_array_size(expects), 15);
    json_t *e = json_array_get(expects, 14);
    assert_string_equal(json_string_value(json_object_get(e, "form")), "invariant");
    assert_string_equal(json_string_value(json_object_get(e, "rule")), "INV-1");
    json_t *r1 = json_array_get(json_object_get(run, "residents"), 0);
    assert_string_equal(json_string_value(json_object_get(r1, "id")), "r1");
    assert_int_equal(json_array_size(json_object_get(r1, "ranges")), 5);
    assert_int_equal(json_array_size(json_object_get(r1, "events")), 4);
    json_t *visit = json_array_get(json_object_get(r1, "visits"), 0);
    assert_string_equal(json_string_value(json_object_get(visit, "route")), "card");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(visit, "fee"), "copay")), 3);
    json_t *gap =
        json_array_get(json_object_get(json_array_get(json_object_get(run, "residents"), 1), "ranges"), 2);
    assert_string_equal(json_string_value(json_object_get(gap, "verdict")), "gap");
    assert_string_equal(json_string_value(json_object_get(gap, "rule")), "PAPER-2");
    assert_int_equal(json_array_size(json_object_get(run, "events")), 1); /* the clinic's */
    json_decref(root);
    free(s);
}

static void json_report_of_two_runs_is_one_array(void **state)
{
    (void)state;
    char *s = render(REPORT_JSON, 2);
    json_error_t jerr;
    json_t *root = json_loads(s, 0, &jerr);
    assert_non_null(root);
    assert_int_equal(json_array_size(json_object_get(root, "runs")), 2);
    json_decref(root);
    free(s);
}

static void junit_report_matches_golden_and_parses_back(void **state)
{
    (void)state;
    char *s = render(REPORT_JUNIT, 2);
    assert_golden(s, "basic.junit.xml");
    xmlDocPtr doc = xmlReadMemory(s, (int)strlen(s), "junit.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    assert_non_null(doc);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "testsuites");
    xmlChar *tests = xmlGetProp(root, (const xmlChar *)"tests"),
            *failures = xmlGetProp(root, (const xmlChar *)"failures");
    assert_string_equal((const char *)tests, "30");
    assert_string_equal((const char *)failures, "14");
    xmlFree(tests);
    xmlFree(failures);
    int suites = 0, cases = 0, failed = 0;
    for (xmlNodePtr su = root->children; su != NULL; su = su->next) {
        if (su->type != XML_ELEMENT_NODE)
            continue;
        assert_string_equal((const char *)su->name, "testsuite");
        suites++;
        for (xmlNodePtr c = su->children; c != NULL; c = c->next) {
            if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "testcase") != 0)
                continue;
            cases++;
            for (xmlNodePtr f = c->children; f != NULL; f = f->next)
                if (f->type == XML_ELEMENT_NODE && strcmp((const char *)f->name, "failure") == 0)
                    failed++;
        }
    }
    assert_int_equal(suites, 2);
    assert_int_equal(cases, 30);
    assert_int_equal(failed, 14);
    xmlFreeDoc(doc);
    free(s);
}

static void same_run_gives_the_same_bytes(void **state)
{
    (void)state;
    for (int f = REPORT_TEXT; f <= REPORT_JUNIT; f++) {
        char *a = render((enum report_format)f, 2), *b = render((enum report_format)f, 2);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
}

static void format_words(void **state)
{
    (void)state;
    enum report_format f;
    assert_int_equal(report_format_parse("junit", &f), CORE_OK);
    assert_int_equal(f, REPORT_JUNIT);
    assert_string_equal(report_format_word(REPORT_JSON), "json");
    assert_int_equal(report_format_parse("xml", &f), CORE_EINVAL);
    assert_int_equal(report_format_parse(NULL, &f), CORE_EINVAL);
    assert_string_equal(report_verdict_word(WORLD_DAY_GRACE), "grace");
    struct report *rep;
    struct core_error err;
    assert_int_equal(report_open(REPORT_TEXT, NULL, &rep, &err), CORE_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_report_matches_golden),
        cmocka_unit_test(text_report_of_two_runs_is_two_reports),
        cmocka_unit_test(json_report_matches_golden_and_parses_back),
        cmocka_unit_test(json_report_of_two_runs_is_one_array),
        cmocka_unit_test(junit_report_matches_golden_and_parses_back),
        cmocka_unit_test(same_run_gives_the_same_bytes),
        cmocka_unit_test(format_words),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
