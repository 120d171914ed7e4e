/* conform.decision: the reception suite's reader of a SUT's decision (conform_decision_parse,
 * docs/RECEPTION-INTERFACE.md and docs/schemas/reception-decision.schema.json): the contract's own examples are
 * read field by field; every way the schema refuses a decision is refused with a reason naming the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conform/conform.h"

static CORE_MUST_USE int parse(const char *text, struct conform_decision *d, char *why, size_t cap)
{
    why[0] = '\0';
    return conform_decision_parse(text, strlen(text), "v0003", d, why, cap);
}

static void test_examples_read(void **state)
{
    (void)state;
    struct conform_decision d;
    char why[200];
    assert_int_equal(
        parse("{\"visit\": \"v0003\", \"outcome\": \"insured\", \"route\": \"lookup\", \"insurer_number\": "
              "\"06139999\", \"symbol\": \"12\", \"number\": \"3456\", \"branch\": \"00\", "
              "\"copay_percent\": 30}",
              &d, why, sizeof why),
        CORE_OK);
    assert_string_equal(d.outcome, "insured");
    assert_string_equal(d.route, "lookup");
    assert_string_equal(d.insurer_number, "06139999");
    assert_string_equal(d.symbol, "12");
    assert_string_equal(d.number, "3456");
    assert_string_equal(d.branch, "00");
    assert_int_equal(d.copay_percent, 30);
    assert_int_equal(
        parse("{\"visit\": \"v0003\", \"outcome\": \"self_pay\", \"route\": null}", &d, why, sizeof why),
        CORE_OK);
    assert_string_equal(d.outcome, "self_pay");
    assert_string_equal(d.route, "");
    /* a 6-digit insurer number, no symbol */
    assert_int_equal(
        parse("{\"visit\":\"v0003\",\"outcome\":\"insured_by_declaration\",\"route\":\"declaration\","
              "\"insurer_number\":\"112334\",\"number\":\"1\",\"branch\":\"01\",\"copay_percent\":20}",
              &d, why, sizeof why),
        CORE_OK);
    assert_string_equal(d.symbol, "");
}

static void test_refusals_name_the_field(void **state)
{
    (void)state;
    static const struct {
        const char *text, *why;
    } bad[] = {
        {"", "not a JSON object"},
        {"[]", "not a JSON object"},
        {"{\"visit\":\"v0003\",\"visit\":\"v0003\",\"outcome\":\"self_pay\"}", "not a JSON object"},
        {"{\"visit\":\"v0004\",\"outcome\":\"self_pay\"}", "\"visit\" is \"v0004\", not \"v0003\""},
        {"{\"outcome\":\"self_pay\"}", "\"visit\""},
        {"{\"visit\":\"v0003\",\"outcome\":\"free\"}", "\"outcome\""},
        {"{\"visit\":\"v0003\",\"outcome\":\"self_pay\",\"note\":1}", "\"note\" is not a field"},
        {"{\"visit\":\"v0003\",\"outcome\":\"self_pay\",\"route\":\"card\"}", "\"route\" must be null"},
        {"{\"visit\":\"v0003\",\"outcome\":\"self_pay\",\"copay_percent\":30}",
         "\"copay_percent\" must be absent"},
        {"{\"visit\":\"v0003\",\"outcome\":\"insured\",\"route\":\"fax\"}", "\"route\" is not one of DESK-1"},
        {"{\"visit\":\"v0003\",\"outcome\":\"insured\",\"insurer_number\":\"112334\",\"number\":\"1\","
         "\"branch\":"
         "\"00\",\"copay_percent\":30}",
         "\"route\" is required"},
        {"{\"visit\":\"v0003\",\"outcome\":\"insured\",\"route\":\"card\",\"insurer_number\":\"  112334\","
         "\"number\":\"1\",\"branch\":\"00\",\"copay_percent\":30}",
         "\"insurer_number\""},
        {"{\"visit\":\"v0003\",\"outcome\":\"insured\",\"route\":\"card\",\"insurer_number\":\"112334\","
         "\"number\":\"\",\"branch\":\"00\",\"copay_percent\":30}",
         "\"number\""},
        {"{\"visit\":\"v0003\",\"outcome\":\"insured\",\"route\":\"card\",\"insurer_number\":\"112334\","
         "\"number\":\"1\",\"branch\":\"0\",\"copay_percent\":30}",
         "\"branch\""},
        {"{\"visit\":\"v0003\",\"outcome\":\"insured\",\"route\":\"card\",\"insurer_number\":\"112334\","
         "\"number\":\"1\",\"branch\":\"00\",\"symbol\":12,\"copay_percent\":30}",
         "\"symbol\""},
        {"{\"visit\":\"v0003\",\"outcome\":\"insured\",\"route\":\"card\",\"insurer_number\":\"112334\","
         "\"number\":\"1\",\"branch\":\"00\",\"copay_percent\":\"30\"}",
         "\"copay_percent\" is not 10, 20 or 30"},
        {"{\"visit\":\"v0003\",\"outcome\":\"insured\",\"route\":\"card\",\"insurer_number\":\"112334\","
         "\"number\":\"1\",\"branch\":\"00\",\"copay_percent\":25}",
         "\"copay_percent\" is not 10, 20 or 30"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct conform_decision d;
        char why[200];
        if (parse(bad[i].text, &d, why, sizeof why) != CORE_EINVAL || strstr(why, bad[i].why) == NULL)
            fail_msg("%s: got '%s', wanted '%s'", bad[i].text, why, bad[i].why);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_read),
        cmocka_unit_test(test_refusals_name_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
