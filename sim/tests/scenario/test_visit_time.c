/* Tests of a visit event's `time: HH:MM` (sim/scenario/scenario.c; docs/SCENARIO-FORMAT.md, Events): read as
 * minutes after midnight Japan time, 10:00 when absent, never reordering a day's events, and every malformed
 * time refused with its file:line:column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scenario/scenario.h"

#define HEAD                                                                                                 \
    "scenario: t\n"                                                                                          \
    "period: {from: 2025-08-01, to: 2025-08-31}\n"                                                           \
    "insurers: [{id: aisho-nhi, kind: nhi, number: \"112334\"}]\n"                                           \
    "clinics: [{id: clinic-a, reader: face}]\n"                                                              \
    "residents:\n"                                                                                           \
    "  - {id: r1, born: 1958-05-10, insurer: aisho-nhi, card: {issued: 2022-06-01}, registered: "            \
    "2023-02-01}\n"                                                                                          \
    "events:\n"

#define VISIT "  - {date: 2025-08-05, who: r1, do: visit, clinic: clinic-a, kind: first"

static struct scenario *load(const char *text, struct scenario_diags *d)
{
    struct scenario *s = NULL;
    scenario_diags_init(d);
    int rc = scenario_load_buffer("buf.yaml", text, strlen(text), NULL, &s, d);
    assert_true((rc == CORE_OK) == (s != NULL));
    return s;
}

static void times_are_minutes_after_midnight_and_keep_file_order(void **state)
{
    (void)state;
    const char *text = HEAD VISIT ", time: 23:55}\n" VISIT ", time: \"00:05\"}\n" VISIT "}\n" VISIT
                                  ", time: 09:00}\n" VISIT ", time: 00:00}\n" VISIT ", time: 23:59}\n";
    struct scenario_diags d;
    struct scenario *s = load(text, &d);
    assert_int_equal(d.count, 0);
    assert_non_null(s);
    if (s == NULL)
        return;
    assert_int_equal(s->event_count, 6);
    static const int want[] = {23 * 60 + 55, 5, SCENARIO_VISIT_TIME_DEFAULT, 9 * 60, 0, 23 * 60 + 59};
    static const bool given[] = {true, true, false, true, true, true};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(s->events[i].kind, SCENARIO_EVENT_VISIT);
        assert_int_equal(s->events[i].minute, want[i]);
        assert_int_equal(s->events[i].time_given, given[i]);
        assert_int_equal(s->events[i].pos.line, 8 + (int)i); /* file order, whatever the times */
    }
    assert_int_equal(SCENARIO_VISIT_TIME_DEFAULT, 600);
    scenario_free(s);
    scenario_diags_clear(&d);
}

static void bad_times_name_line_column_and_field(void **state)
{
    (void)state;
    static const struct {
        const char *time, *message;
    } cases[] = {
        {"24:00", "buf.yaml:8:81: field 'time': hour 24 is outside 00..23"},
        {"09:60", "buf.yaml:8:81: field 'time': minute 60 is outside 00..59"},
        {"9:00",
         "buf.yaml:8:81: field 'time': '9:00' is not a time of day HH:MM (00:00 .. 23:59, Japan time)"},
        {"0900",
         "buf.yaml:8:81: field 'time': '0900' is not a time of day HH:MM (00:00 .. 23:59, Japan time)"},
        {"09:00:00",
         "buf.yaml:8:81: field 'time': '09:00:00' is not a time of day HH:MM (00:00 .. 23:59, Japan time)"},
        {"\"\"", "buf.yaml:8:81: field 'time': '' is not a time of day HH:MM (00:00 .. 23:59, Japan time)"},
        {"[1]", "buf.yaml:8:81: field 'time': expected a time of day HH:MM, found a list"},
        {"{h: 1}", "buf.yaml:8:81: field 'time': expected a time of day HH:MM, found a mapping"},
        {"1a:00",
         "buf.yaml:8:81: field 'time': '1a:00' is not a time of day HH:MM (00:00 .. 23:59, Japan time)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[2048];
        snprintf(text, sizeof text, "%s%s, time: %s}\n", HEAD, VISIT, cases[i].time);
        struct scenario_diags d;
        struct scenario *s = load(text, &d);
        assert_null(s);
        assert_int_equal(d.count, 1);
        char msg[1200];
        core_error_format(&d.items[0], msg, sizeof msg);
        assert_string_equal(msg, cases[i].message);
        scenario_diags_clear(&d);
    }
}

static void time_is_a_visit_events_field_of_format_2(void **state)
{
    (void)state;
    struct scenario_diags d;
    /* format 1 has no `time` */
    struct scenario *s = load("format: 1\n" HEAD VISIT ", time: 10:30}\n", &d);
    assert_null(s);
    assert_int_equal(d.count, 1);
    char msg[1200];
    core_error_format(&d.items[0], msg, sizeof msg);
    assert_non_null(strstr(msg, "field 'time' is new in format 2"));
    scenario_diags_clear(&d);
    /* another event, and an expectation's visit, take none */
    s = load(HEAD "  - {date: 2025-08-05, who: r1, do: lose_card, time: 10:30}\n", &d);
    assert_null(s);
    assert_int_equal(d.count, 1);
    core_error_format(&d.items[0], msg, sizeof msg);
    assert_non_null(strstr(msg, "time"));
    scenario_diags_clear(&d);
    s = load(HEAD VISIT
             "}\nexpect:\n  - {date: 2025-08-05, who: r1, visit: clinic-a, outcome: insured, time: "
             "10:30}\n",
             &d);
    assert_null(s);
    assert_true(d.count >= 1);
    core_error_format(&d.items[0], msg, sizeof msg);
    assert_non_null(strstr(msg, "time"));
    scenario_diags_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(times_are_minutes_after_midnight_and_keep_file_order),
        cmocka_unit_test(bad_times_name_line_column_and_field),
        cmocka_unit_test(time_is_a_visit_events_field_of_format_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
