/*
 * The conformance reports (report/conformance.c) on cases built by hand: the issuance and reception suites in
 * text, JSON and JUnit; a SUT's bytes (invalid UTF-8, control characters, XML's special characters) shown as '?'
 * in text and JSON, escaped by the one JUnit writer; every JUnit report valid against docs/junit.xsd; html
 * refused.
 */
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conform/conform.h"
#include "report/report.h"

static core_day ymd(int y, int m, int d)
{
    core_day day;
    assert_int_equal(core_date_from_ymd(y, m, d, &day), CORE_OK);
    return day;
}

static char *render_issuance(enum report_format fmt, const struct conform_case *c, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(report_conform_issuance(f, fmt, c, n), CORE_OK);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static char *render_reception(enum report_format fmt, const struct conform_visit *v, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(report_conform_reception(f, fmt, v, n), CORE_OK);
    assert_int_equal(fclose(f), 0);
    return buf;
}

/* Valid against docs/junit.xsd; returns the document for the caller to read (and free). */
static xmlDocPtr valid_junit(const char *text)
{
    xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "junit.xml", NULL, XML_PARSE_NONET);
    assert_non_null(doc);
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(MYNASIM_SOURCE_DIR "/docs/junit.xsd");
    assert_non_null(pc);
    xmlSchemaPtr schema = xmlSchemaParse(pc);
    assert_non_null(schema);
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    assert_non_null(vc);
    assert_int_equal(xmlSchemaValidateDoc(vc, doc), 0);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
    return doc;
}

static void issuance_cases(struct conform_case c[3], struct conform_difference *d)
{
    memset(c, 0, 3 * sizeof *c);
    memset(d, 0, sizeof *d);
    for (int i = 0; i < 3; i++) {
        snprintf(c[i].name, sizeof c[i].name, "case-%d", i);
        snprintf(c[i].file, sizeof c[i].file, "scenarios/case-%d.yaml", i);
        snprintf(c[i].policy, sizeof c[i].policy, "national");
        c[i].from = ymd(2025, 6, 1);
        c[i].to = ymd(2025, 9, 30);
        c[i].days = 122;
        c[i].failure_day = CORE_DAY_NONE;
    }
    c[0].engine_mailings = c[0].sut_mailings = 2;
    /* a difference whose SUT mailing carries bytes that are neither UTF-8 nor fit for XML */
    d->day = ymd(2025, 7, 17);
    snprintf(d->who, sizeof d->who, "r1");
    snprintf(d->what, sizeof d->what, "differs");
    snprintf(d->rule, sizeof d->rule, "CERT-2");
    snprintf(d->expected, sizeof d->expected, "certificate 2025-08-01..2026-07-31");
    snprintf(d->got, sizeof d->got, "certificate <&> \xff\x01");
    snprintf(d->why, sizeof d->why, "the SUT's certificate is not valid from the day \"after\" the card");
    c[1].engine_mailings = 1;
    c[1].sut_mailings = 1;
    c[1].diffs = d;
    c[1].ndiff = 1;
    c[2].sut_failed = true;
    c[2].failure_day = ymd(2025, 6, 1);
    snprintf(c[2].failure, sizeof c[2].failure, "the SUT wrote \xfe\x01<garbage>");
}

static void test_issuance(void **state)
{
    (void)state;
    struct conform_case c[3];
    struct conform_difference d;
    issuance_cases(c, &d);
    assert_int_equal(conform_exit_code(c, 3), CONFORM_EXIT_SUT);

    char *t = render_issuance(REPORT_TEXT, c, 3);
    assert_non_null(
        strstr(t, "ok    case-0 (national, 2025-06-01..2025-09-30): 122 days, engine 2 mailings, SUT 2\n"));
    assert_non_null(strstr(t, "FAIL  case-1 (national"));
    assert_non_null(strstr(t, "  2025-07-17 differs [CERT-2] r1: the SUT's certificate"));
    assert_non_null(strstr(t, "      engine: certificate 2025-08-01..2026-07-31\n"));
    assert_non_null(strstr(t, "ERROR case-2 (national"));
    assert_non_null(strstr(t, "  2025-06-01: the SUT wrote"));
    assert_non_null(strstr(t, "1 of 3 cases match\n"));
    free(t);

    t = render_issuance(REPORT_JSON, c, 3);
    json_error_t je;
    json_t *root = json_loads(t, 0, &je);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "suite")), "issuance");
    assert_int_equal(json_integer_value(json_object_get(root, "exit")), CONFORM_EXIT_SUT);
    json_t *cases = json_object_get(root, "cases");
    assert_int_equal(json_array_size(cases), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(cases, 0), "verdict")), "match");
    assert_true(json_is_null(json_object_get(json_array_get(cases, 0), "failure")));
    json_t *diff = json_array_get(json_object_get(json_array_get(cases, 1), "differences"), 0);
    assert_string_equal(json_string_value(json_object_get(diff, "rule")), "CERT-2");
    assert_string_equal(json_string_value(json_object_get(diff, "sut")), "certificate <&> ??");
    json_t *failure = json_object_get(json_array_get(cases, 2), "failure");
    assert_string_equal(json_string_value(json_object_get(failure, "day")), "2025-06-01");
    assert_string_equal(json_string_value(json_object_get(failure, "why")), "the SUT wrote ?"
                                                                            "?<garbage>");
    json_decref(root);
    free(t);

    t = render_issuance(REPORT_JUNIT, c, 3);
    assert_non_null(strstr(t, "<testsuites name=\"mynasim\" tests=\"3\" failures=\"1\" errors=\"1\""));
    assert_non_null(strstr(t, "<failure message=\"1 differences\" type=\"CERT-2\">"));
    assert_non_null(strstr(t, "&lt;garbage&gt;"));
    xmlDocPtr doc = valid_junit(t);
    xmlFreeDoc(doc);
    free(t);

    /* no page for a conformance run */
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    assert_int_equal(report_conform_issuance(f, REPORT_HTML, c, 3), CORE_EINVAL);
    fclose(f);
}

static void reception_visits(struct conform_visit v[3])
{
    memset(v, 0, 3 * sizeof *v);
    for (int i = 0; i < 3; i++) {
        snprintf(v[i].visit, sizeof v[i].visit, "v%04d", i + 1);
        snprintf(v[i].name, sizeof v[i].name, "lost-card");
        snprintf(v[i].file, sizeof v[i].file, "scenarios/lost & found.yaml");
        v[i].line = 30 + i;
        snprintf(v[i].policy, sizeof v[i].policy, "national");
        snprintf(v[i].who, sizeof v[i].who, "r1");
        v[i].day = ymd(2025, 9, 11);
        snprintf(v[i].presents, sizeof v[i].presents, "documents");
        snprintf(v[i].expected, sizeof v[i].expected, "insured by lookup, 112334/100/1007/00, 30%%");
        v[i].requests = 1;
    }
    v[1].verdict = CONFORM_FAIL;
    snprintf(v[1].rule, sizeof v[1].rule, "NOTICE-2");
    snprintf(v[1].why, sizeof v[1].why, "the SUT decided self_pay; the desk's rules give insured");
    snprintf(v[1].got, sizeof v[1].got, "self_pay");
    v[2].verdict = CONFORM_SUT_ERR;
    snprintf(v[2].rule, sizeof v[2].rule, "RCP-FORMAT");
    snprintf(v[2].why, sizeof v[2].why, "v0003.json is not a decision\t(\"<x>\")");
    snprintf(v[2].got, sizeof v[2].got, "\xff<&>\"\x01");
}

static void test_reception(void **state)
{
    (void)state;
    struct conform_visit v[3];
    reception_visits(v);
    assert_int_equal(conform_reception_exit_code(v, 2), CONFORM_EXIT_DIFFER);

    char *t = render_reception(REPORT_TEXT, v, 3);
    assert_non_null(strstr(t,
                           "ok    v0001 scenarios/lost & found.yaml:30 (national) 2025-09-11 r1, documents: "
                           "insured by lookup, 112334/100/1007/00, 30%\n"));
    assert_non_null(strstr(t, "FAIL  v0002 "));
    assert_non_null(strstr(t, "  [NOTICE-2] the SUT decided self_pay; the desk's rules give insured\n"));
    assert_non_null(strstr(t, "      SUT: self_pay\n"));
    assert_non_null(strstr(t, "ERROR v0003 "));
    assert_non_null(strstr(t, "  [RCP-FORMAT] v0003.json is not a decision?(\"<x>\")\n")); /* tab as '?' */
    assert_non_null(strstr(t, "      SUT: ?<&>\"?\n"));
    assert_non_null(strstr(t, "1 of 3 cases pass\n"));
    free(t);

    t = render_reception(REPORT_JSON, v, 3);
    json_t *root = json_loads(t, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "suite")), "reception");
    assert_int_equal(json_integer_value(json_object_get(root, "exit")), CONFORM_EXIT_SUT);
    json_t *cases = json_object_get(root, "cases");
    assert_int_equal(json_array_size(cases), 3);
    assert_true(json_is_null(json_object_get(json_array_get(cases, 0), "rule")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(cases, 1), "verdict")), "fail");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cases, 2), "verdict")),
                        "sut_failed");
    assert_string_equal(json_string_value(json_object_get(json_array_get(cases, 2), "got")), "?<&>\"?");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(cases, 2), "line")), 32);
    json_decref(root);
    free(t);

    t = render_reception(REPORT_JUNIT, v, 3);
    assert_non_null(strstr(t, "tests=\"3\" failures=\"1\" errors=\"1\""));
    assert_non_null(strstr(t, "name=\"v0001 scenarios/lost &amp; found.yaml:30 (national)\""));
    assert_non_null(strstr(t, "<failure message=\"[NOTICE-2] the SUT decided self_pay;"));
    assert_non_null(strstr(t, "type=\"RCP-FORMAT\""));
    xmlDocPtr doc = valid_junit(t);
    xmlFreeDoc(doc);
    free(t);
}

/* No case at all: still a report in every format (CI reads an empty suite). */
static void test_empty(void **state)
{
    (void)state;
    char *t = render_issuance(REPORT_TEXT, NULL, 0);
    assert_string_equal(t, "0 of 0 cases match\n");
    free(t);
    t = render_reception(REPORT_TEXT, NULL, 0);
    assert_string_equal(t, "0 of 0 cases pass\n");
    free(t);
    t = render_issuance(REPORT_JSON, NULL, 0);
    assert_string_equal(t, "{\n  \"cases\": [],\n  \"exit\": 0,\n  \"suite\": \"issuance\"\n}\n");
    free(t);
    for (int i = 0; i < 2; i++) {
        t = i == 0 ? render_issuance(REPORT_JUNIT, NULL, 0) : render_reception(REPORT_JUNIT, NULL, 0);
        xmlFreeDoc(valid_junit(t));
        free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issuance),
        cmocka_unit_test(test_reception),
        cmocka_unit_test(test_empty),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
