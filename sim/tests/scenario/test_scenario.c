/* Tests of sim/scenario/scenario.c: every field read as typed values, and every invalid file in data/invalid
 * reporting exactly the problems its `# expect: LINE:COL: MESSAGE` lines list, in that order. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "scenario/scenario.h"

#define DATA MYNASIM_SOURCE_DIR "/sim/tests/scenario/data"

static core_day D(const char *s)
{
    core_day d;
    assert_int_equal(core_date_parse(s, strlen(s), &d), CORE_OK);
    return d;
}

static void print_diags(const struct scenario_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        char buf[1200];
        core_error_format(&d->items[i], buf, sizeof buf);
        print_message("%s\n", buf);
    }
}

static struct scenario *load_ok(const char *path)
{
    struct scenario *s = NULL;
    struct scenario_diags d;
    scenario_diags_init(&d);
    int rc = scenario_load_file(path, &s, &d);
    if (rc != CORE_OK) {
        print_diags(&d);
        fail_msg("%s did not load", path);
    }
    assert_int_equal(d.count, 0);
    scenario_diags_clear(&d);
    assert_non_null(s);
    return s;
}

/* Loads a buffer expected to fail; returns the diagnostics (caller clears). */
static struct scenario_diags load_bad(const char *text)
{
    struct scenario *s = (struct scenario *)1;
    struct scenario_diags d;
    scenario_diags_init(&d);
    int rc = scenario_load_buffer("buf.yaml", text, strlen(text), NULL, &s, &d);
    assert_int_equal(rc, CORE_EINVAL);
    assert_null(s);
    return d;
}

static void example_of_scenarios_md_reads_as_documented(void **state)
{
    (void)state;
    struct scenario *s = load_ok(DATA "/valid/lost-card-in-september.yaml");
    assert_string_equal(s->name, "lost-card-in-september");
    assert_int_equal(s->format, 1);
    assert_non_null(strstr(s->description, "Kitamoto NHI member"));
    assert_int_equal(s->period.from, D("2024-12-01"));
    assert_int_equal(s->period.to, D("2025-12-31"));
    assert_string_equal(policy_name(s->policy), "national");
    assert_true(s->seed_given);
    assert_true(s->seed == 7);
    assert_int_equal(s->outage_count, 1);
    assert_int_equal(s->insurer_count, 1);
    assert_string_equal(s->insurers[0].number, "112334");
    assert_int_equal(s->resident_count, 1);
    const struct scenario_resident *r1 = &s->residents[0];
    assert_int_equal(r1->insurer, 0);
    assert_int_equal(r1->paper_card_expires, D("2025-07-31"));
    assert_int_equal(r1->registered, D("2023-02-01"));
    assert_int_equal(s->event_count, 3);
    assert_int_equal(s->events[1].kind, SCENARIO_EVENT_APPLY_CERTIFICATE);
    assert_int_equal(s->events[1].reason, SCENARIO_REASON_A);
    assert_int_equal(s->expect_count, 6);
    assert_string_equal(s->expects[0].rule, "AMEND-1");
    assert_int_equal(s->expects[0].pos.line, 39);
    assert_int_equal(s->expects[0].pos.column, 5);
    assert_int_equal(s->expects[5].kind, SCENARIO_EXPECT_GRACE_DAYS);
    assert_true(s->expects[5].count.min == 9 && s->expects[5].count.max == 9);
    assert_false(s->has_population);
    scenario_free(s);
}

static void every_field_is_read_into_typed_values(void **state)
{
    (void)state;
    struct scenario *s = load_ok(DATA "/valid/every-field.yaml");
    long long v;
    core_day d;
    assert_string_equal(s->name, "every-field-2");
    assert_string_equal(s->description, "Every field of the format.");
    assert_string_equal(s->policy_ref, "as-announced-2024");
    assert_true(s->seed == 18446744);
    assert_int_equal(s->outage_count, 2);
    assert_int_equal(s->outages[1].to, D("2025-10-02"));

    assert_int_equal(s->insurer_count, 6);
    assert_int_equal(s->insurers[0].kind, SCENARIO_INSURER_NHI);
    assert_non_null(s->insurers[0].policy);
    assert_ptr_equal(scenario_insurer_policy(s, 0), s->insurers[0].policy);
    assert_int_equal(policy_date(s->insurers[0].policy, "paper_card.latest_expiry", D("2025-01-01"), &d),
                     CORE_OK);
    assert_int_equal(d, D("2025-07-31"));
    assert_int_equal(policy_int(s->insurers[0].policy, "certificate.lead_days", D("2025-01-01"), &v),
                     CORE_OK);
    assert_true(v == 10);
    assert_int_equal(s->insurers[1].kind, SCENARIO_INSURER_LATTER_ELDERLY);
    assert_string_equal(s->insurers[1].number, "39130018");
    assert_null(s->insurers[1].policy);
    assert_ptr_equal(scenario_insurer_policy(s, 1), s->policy);
    assert_ptr_equal(scenario_insurer_policy(s, SCENARIO_NONE), s->policy);
    assert_int_equal(s->insurers[2].kind, SCENARIO_INSURER_SOCIETY);
    assert_int_equal(s->insurers[3].kind, SCENARIO_INSURER_KYOKAI);
    assert_int_equal(s->insurers[4].kind, SCENARIO_INSURER_MUTUAL_AID);
    assert_string_equal(s->insurers[5].number, "");

    assert_int_equal(s->clinic_count, 3);
    assert_int_equal(s->clinics[0].reader, SCENARIO_READER_FACE);
    assert_int_equal(s->clinics[0].down_count, 1);
    assert_int_equal(s->clinics[0].down[0].from, D("2025-03-01"));
    assert_int_equal(s->clinics[1].reader, SCENARIO_READER_PIN);
    assert_int_equal(s->clinics[2].reader, SCENARIO_READER_NONE);
    assert_int_equal(s->clinics[2].down_count, 0);

    assert_int_equal(s->resident_count, 5);
    const struct scenario_resident *p = &s->residents[0];
    assert_int_equal(p->born, D("1970-01-31"));
    assert_int_equal(p->insurer, 2);
    assert_int_equal(p->role, SCENARIO_ROLE_INSURED);
    assert_true(p->has_paper_card);
    assert_int_equal(p->paper_card_issued, D("2024-04-01"));
    assert_int_equal(p->paper_card_expires, CORE_DAY_NONE);
    assert_true(p->has_card);
    assert_false(p->card_face_only);
    assert_int_equal(p->card_expires, D("2031-01-31"));
    assert_int_equal(p->card_cert_expires, D("2026-01-31"));
    assert_int_equal(p->registered, D("2021-10-20"));
    assert_int_equal(p->holds, SCENARIO_DOC_BIT(SCENARIO_DOC_NOTICE));
    assert_true(p->tax_arrears);
    assert_int_equal(p->income, SCENARIO_INCOME_HIGH);
    assert_string_equal(p->identity.name, "北本 花子");
    assert_string_equal(p->identity.kana, "キタモト ハナコ");
    assert_int_equal(p->identity.sex, SCENARIO_SEX_FEMALE);
    assert_string_equal(p->identity.address, "埼玉県北本市本町1-111");
    assert_string_equal(p->identity.my_number, "123456789018");
    assert_string_equal(p->identity.member_symbol, "記号12");
    assert_string_equal(p->identity.member_number, "00345");
    assert_string_equal(p->identity.member_branch, "01");
    assert_string_equal(p->identity.security_code, "0042");
    const struct scenario_resident *c = &s->residents[1];
    assert_int_equal(c->role, SCENARIO_ROLE_DEPENDENT);
    assert_int_equal(c->of, 0);
    assert_int_equal(c->insurer, 2); /* follows the person it depends on */
    assert_true(c->card_face_only);
    assert_int_equal(c->card_expires, CORE_DAY_NONE);
    assert_int_equal(c->identity.sex, SCENARIO_SEX_MALE);
    assert_int_equal(c->income, SCENARIO_INCOME_GENERAL);
    assert_string_equal(c->identity.name, "");
    assert_int_equal(s->residents[2].holds, SCENARIO_DOC_BIT(SCENARIO_DOC_CERTIFICATE));
    assert_int_equal(s->residents[3].insurer, SCENARIO_NONE);
    assert_int_equal(s->residents[3].identity.sex, SCENARIO_SEX_UNSET);

    assert_int_equal(s->event_count, 24);
    const struct scenario_event *e = s->events;
    assert_int_equal(e[0].kind, SCENARIO_EVENT_WRONG_PIN);
    assert_int_equal(e[0].times, 2);
    assert_int_equal(e[0].pin, SCENARIO_PIN_AUTH);
    assert_int_equal(e[1].pin, SCENARIO_PIN_SIGN);
    assert_int_equal(e[2].kind, SCENARIO_EVENT_RESET_PIN);
    assert_int_equal(e[2].pin, SCENARIO_PIN_INFO);
    assert_int_equal(e[4].kind, SCENARIO_EVENT_GET_CARD);
    assert_true(e[4].face_only);
    assert_int_equal(e[5].via, SCENARIO_VIA_CLINIC);
    assert_int_equal(e[6].kind, SCENARIO_EVENT_VISIT);
    assert_int_equal(e[6].visit.clinic, 1);
    assert_int_equal(e[6].visit.kind, SCENARIO_VISIT_REVISIT);
    assert_true(e[6].visit.bring_given);
    assert_int_equal(e[6].visit.bring,
                     SCENARIO_DOC_BIT(SCENARIO_DOC_CARD) | SCENARIO_DOC_BIT(SCENARIO_DOC_PAPER_CARD));
    assert_int_equal(e[6].visit.faults, SCENARIO_FAULT_BIT(SCENARIO_FAULT_FACE_MISMATCH) |
                                            SCENARIO_FAULT_BIT(SCENARIO_FAULT_READER_FAULT));
    assert_int_equal(e[6].pos.line, 81);
    assert_int_equal(e[7].kind, SCENARIO_EVENT_CLINIC_DOWN);
    assert_int_equal(e[7].resident, SCENARIO_NONE);
    assert_int_equal(e[7].visit.clinic, 2);
    assert_int_equal(e[7].until, D("2025-01-20"));
    assert_int_equal(e[8].kind, SCENARIO_EVENT_LEAVE);
    assert_int_equal(e[8].processed, D("2025-02-20"));
    assert_int_equal(e[9].kind, SCENARIO_EVENT_ENROLL);
    assert_int_equal(e[9].insurer, 3);
    assert_int_equal(e[9].of, SCENARIO_NONE);
    assert_int_equal(e[12].document, SCENARIO_DOC_NOTICE);
    assert_int_equal(e[14].reason, SCENARIO_REASON_G);
    assert_int_equal(e[18].role, SCENARIO_ROLE_DEPENDENT);
    assert_int_equal(e[18].of, 0);
    assert_int_equal(e[19].processed, D("2025-04-02"));
    assert_int_equal(e[22].via, SCENARIO_VIA_PORTAL);
    assert_false(e[23].visit.bring_given);
    assert_int_equal(e[23].visit.kind, SCENARIO_VISIT_DISPENSING);
    for (int k = 0; k <= SCENARIO_EVENT_CLINIC_DOWN; k++) {
        bool seen = false;
        for (size_t i = 0; i < s->event_count; i++)
            seen = seen || (int)s->events[i].kind == k;
        if (!seen)
            fail_msg("event '%s' missing from every-field.yaml",
                     scenario_event_word((enum scenario_event_kind)k));
    }

    assert_int_equal(s->expect_count, 19);
    const struct scenario_expect *x = s->expects;
    assert_int_equal(x[0].kind, SCENARIO_EXPECT_HOLDS);
    assert_int_equal(x[0].documents, SCENARIO_DOC_BIT(SCENARIO_DOC_PAPER_CARD) |
                                         SCENARIO_DOC_BIT(SCENARIO_DOC_CARD) |
                                         SCENARIO_DOC_BIT(SCENARIO_DOC_PORTAL));
    assert_string_equal(x[0].rule, "PAPER-2");
    assert_int_equal(x[1].kind, SCENARIO_EXPECT_LACKS);
    assert_int_equal(x[2].kind, SCENARIO_EXPECT_VISIT);
    assert_int_equal(x[2].visit.clinic, 2);
    assert_true(x[2].visit.bring_given);
    assert_int_equal(x[2].visit.bring, 0);
    assert_int_equal(x[2].outcome, SCENARIO_OUTCOME_SELF_PAY);
    assert_true(x[2].fee_given);
    assert_true(x[2].fee_total == 0 && x[2].fee_copay == 0);
    assert_int_equal(x[2].route, SCENARIO_ROUTE_DECLARATION);
    assert_true(x[2].limit_applied_given);
    assert_false(x[2].limit_applied);
    assert_true(x[2].claim_error_given);
    assert_true(x[2].claim_error);
    assert_int_equal(x[2].visit.faults, SCENARIO_FAULT_BIT(SCENARIO_FAULT_UNSHOWABLE_NAME) |
                                            SCENARIO_FAULT_BIT(SCENARIO_FAULT_BORROWED_CERTIFICATE) |
                                            SCENARIO_FAULT_BIT(SCENARIO_FAULT_REPLAYED_REQUEST));
    assert_false(x[3].visit.kind_given);
    assert_int_equal(x[3].visit.kind, SCENARIO_VISIT_FIRST);
    assert_int_equal(x[3].outcome, SCENARIO_OUTCOME_INSURED_BY_DECLARATION);
    assert_int_equal(x[3].route, SCENARIO_ROUTE_NONE);
    assert_false(x[3].fee_given);
    assert_int_equal(x[4].kind, SCENARIO_EXPECT_ONLINE_CHECK);
    assert_int_equal(x[4].check, SCENARIO_CHECK_CERT_REVOKED);
    assert_int_equal(x[4].clinic, 1);
    assert_int_equal(x[4].warning, SCENARIO_WARNING_CERT_IN_GRACE);
    assert_int_equal(x[5].check, SCENARIO_CHECK_NO_CARD);
    assert_int_equal(x[5].clinic, SCENARIO_NONE);
    assert_int_equal(x[5].warning, SCENARIO_WARNING_CERT_EXPIRES_SOON);
    assert_int_equal(x[6].kind, SCENARIO_EXPECT_RECEIVED);
    assert_int_equal(x[6].received, SCENARIO_DOC_CERTIFICATE);
    assert_int_equal(x[6].by, D("2025-07-25"));
    assert_int_equal(x[6].date, CORE_DAY_NONE);
    assert_int_equal(x[6].notice_type, SCENARIO_NOTICE_ANY);
    assert_int_equal(x[7].received, SCENARIO_DOC_NOTICE);
    assert_int_equal(x[7].notice_type, SCENARIO_NOTICE_B);
    assert_int_equal(x[9].kind, SCENARIO_EXPECT_GAP_DAYS);
    assert_true(x[9].count.min == 0 && x[9].count.max == 0);
    assert_int_equal(x[9].first_gap, D("2025-03-04"));
    assert_int_equal(x[10].resident, SCENARIO_WHO_ALL);
    assert_true(x[10].count.min == 1 && x[10].count.max == 30);
    assert_int_equal(x[10].first_gap, CORE_DAY_NONE);
    assert_int_equal(x[11].kind, SCENARIO_EXPECT_DEGRADED_DAYS);
    assert_true(x[11].count.min == 0 && x[11].count.max == 400);
    assert_int_equal(x[12].resident, 2);
    assert_true(x[13].count.min == 0 && x[13].count.max == LLONG_MAX);
    assert_int_equal(x[15].kind, SCENARIO_EXPECT_CLAIM_ERRORS);
    assert_int_equal(x[16].kind, SCENARIO_EXPECT_USAGE_RATE);
    assert_int_equal(x[16].month, D("2025-10-01"));
    assert_int_equal(x[16].min_ppm, 300000);
    assert_int_equal(x[16].max_ppm, 450000);
    assert_string_equal(x[16].rule, "INV-1");
    assert_int_equal(x[17].month, D("2026-03-01"));
    assert_int_equal(x[17].min_ppm, 0);
    assert_int_equal(x[17].max_ppm, 1000000);
    assert_int_equal(x[18].max_ppm, 1000000);
    for (int k = 0; k <= SCENARIO_EXPECT_USAGE_RATE; k++) {
        bool seen = false;
        for (size_t i = 0; i < s->expect_count; i++)
            seen = seen || (int)s->expects[i].kind == k;
        if (!seen)
            fail_msg("expectation '%s' missing", scenario_expect_word((enum scenario_expect_kind)k));
    }

    assert_true(s->has_population);
    assert_true(s->population.size == 1000);
    assert_string_equal(s->population.mix, "national");
    assert_true(s->population.insurers_generated);
    assert_int_equal(scenario_find_insurer(s, "city-kyosai"), 4);
    assert_int_equal(scenario_find_clinic(s, "clinic-none"), 2);
    assert_int_equal(scenario_find_resident(s, "newborn"), 3);
    assert_int_equal(scenario_find_insurer(s, "nope"), SCENARIO_NONE);
    assert_int_equal(scenario_find_clinic(s, "nope"), SCENARIO_NONE);
    assert_int_equal(scenario_find_resident(s, "nope"), SCENARIO_NONE);
    scenario_free(s);
}

static void defaults_apply_when_optional_fields_are_absent(void **state)
{
    (void)state;
    struct scenario *s = load_ok(DATA "/valid/population-only.yaml");
    assert_int_equal(s->format, SCENARIO_FORMAT_VERSION);
    assert_string_equal(s->description, "");
    assert_string_equal(s->policy_ref, "national");
    assert_string_equal(policy_name(s->policy), "national");
    assert_false(s->seed_given);
    assert_int_equal(s->resident_count, 0);
    assert_int_equal(s->insurer_count, 0);
    assert_true(s->has_population);
    assert_string_equal(s->population.mix, "national");
    assert_true(s->population.insurers_generated);
    scenario_free(s);
    scenario_free(NULL);
}

/* Reads the `# expect: L:C: MESSAGE` lines of a file. */
static size_t read_expectations(const char *path, char lines[][700], size_t cap)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[2048];
    size_t n = 0;
    while (fgets(buf, sizeof buf, f) != NULL) {
        if (strncmp(buf, "# expect: ", 10) != 0)
            continue;
        buf[strcspn(buf, "\n")] = '\0';
        assert_true(n < cap);
        size_t len = strlen(buf + 10);
        assert_true(len < 700);
        memcpy(lines[n++], buf + 10, len + 1);
    }
    fclose(f);
    return n;
}

static void invalid_files_report_exactly_their_expected_problems(void **state)
{
    (void)state;
    static char dir_buf[] = DATA "/invalid";
    char *dir = dir_buf;
    char **paths;
    size_t count;
    struct core_error err;
    assert_int_equal(scenario_paths_expand(&dir, 1, &paths, &count, &err), CORE_OK);
    assert_true(count >= 100);
    static char want[16][700];
    int failures = 0;
    for (size_t i = 0; i < count; i++) {
        size_t n = read_expectations(paths[i], want, 16);
        if (n == 0) {
            print_error("%s: no '# expect:' line\n", paths[i]);
            failures++;
            continue;
        }
        struct scenario *s = NULL;
        struct scenario_diags d;
        scenario_diags_init(&d);
        int rc = scenario_load_file(paths[i], &s, &d);
        bool ok = rc == CORE_EINVAL && s == NULL && d.count == n;
        for (size_t k = 0; ok && k < n; k++) {
            char got[700];
            snprintf(got, sizeof got, "%d:%d: %s", d.items[k].line, d.items[k].column, d.items[k].message);
            ok = strstr(got, want[k]) == got && strcmp(d.items[k].file, paths[i]) == 0;
        }
        if (!ok) {
            print_error("%s: expected %zu problem(s), first '%s'; got rc %d and:\n", paths[i], n, want[0],
                        rc);
            print_diags(&d);
            failures++;
        }
        scenario_free(s);
        scenario_diags_clear(&d);
    }
    scenario_paths_free(paths, count);
    assert_int_equal(failures, 0);
}

static void problems_beyond_the_cap_are_counted_not_kept(void **state)
{
    (void)state;
    size_t cap = 64 * 1024;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t used = (size_t)snprintf(text, cap,
                                   "scenario: capped\nperiod: {from: 2024-12-01, to: 2025-12-31}\n"
                                   "residents: [{id: r1, born: 1980-01-01}]\nevents:\n");
    for (int i = 0; i < 150; i++)
        used += (size_t)snprintf(text + used, cap - used, "  - {date: 2025-01-01, who: r%d, do: lose_card}\n",
                                 i + 2);
    struct scenario_diags d = load_bad(text);
    assert_int_equal(d.count, SCENARIO_DIAGS_MAX);
    assert_int_equal(d.omitted, 150 - SCENARIO_DIAGS_MAX);
    assert_int_equal(d.items[0].line, 5);
    assert_int_equal(d.items[SCENARIO_DIAGS_MAX - 1].line, 4 + SCENARIO_DIAGS_MAX);
    scenario_diags_clear(&d);
    scenario_diags_clear(NULL);
    free(text);
}

static void a_policy_path_is_resolved_against_the_base_directory(void **state)
{
    (void)state;
    const char *text = "scenario: relative-policy\nperiod: {from: 2024-12-01, to: 2025-12-31}\n"
                       "policy: policies/as-announced-2024.yaml\npopulation: {size: 1}\n";
    struct scenario *s = NULL;
    struct scenario_diags d;
    scenario_diags_init(&d);
    assert_int_equal(
        scenario_load_buffer("x.yaml", text, strlen(text), MYNASIM_SOURCE_DIR "/fixtures", &s, &d), CORE_OK);
    assert_string_equal(policy_name(s->policy), "as-announced-2024");
    assert_string_equal(s->dir, MYNASIM_SOURCE_DIR "/fixtures");
    scenario_free(s);
    /* the same file elsewhere does not find it, and says where */
    struct scenario_diags bad = load_bad(text);
    assert_int_equal(bad.count, 1);
    assert_int_equal(bad.items[0].line, 3);
    assert_non_null(
        strstr(bad.items[0].message, "policy 'policies/as-announced-2024.yaml' cannot be loaded"));
    scenario_diags_clear(&bad);
    scenario_diags_clear(&d);
}

static void an_unreadable_file_is_one_problem_without_position(void **state)
{
    (void)state;
    struct scenario *s = NULL;
    struct scenario_diags d;
    scenario_diags_init(&d);
    assert_int_not_equal(scenario_load_file(DATA "/no-such-file.yaml", &s, &d), CORE_OK);
    assert_null(s);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.items[0].line, 0);
    scenario_diags_clear(&d);
}

static void each_problem_of_a_bad_field_is_reported_once(void **state)
{
    (void)state;
    /* a wrong resident id in an event is one problem, not also "before born" or "out of order" */
    struct scenario_diags d =
        load_bad("scenario: once\nperiod: {from: 2024-12-01, to: 2025-12-31}\n"
                 "residents: [{id: r1, born: 1980-01-01, insurer: x, card: {issued: x}}]\n"
                 "insurers: 3\nclinics: {}\n"
                 "events: [{date: 2025-01-01, who: r2, do: lose_card}]\n");
    print_diags(&d);
    assert_int_equal(d.count, 5);
    assert_non_null(strstr(d.items[0].message, "unknown insurer 'x'"));
    assert_non_null(strstr(d.items[1].message, "field 'issued'"));
    assert_non_null(strstr(d.items[2].message, "field 'insurers': expected a list"));
    assert_non_null(strstr(d.items[3].message, "field 'clinics': expected a list"));
    assert_non_null(strstr(d.items[4].message, "unknown resident 'r2'"));
    scenario_diags_clear(&d);
}

static void usage_rates_take_up_to_six_decimals(void **state)
{
    (void)state;
    const char *head = "scenario: rates\nperiod: {from: 2025-10-01, to: 2025-10-31}\npopulation: {size: 1}\n"
                       "expect:\n";
    char text[512];
    snprintf(text, sizeof text, "%s  - {who: all, usage_rate: {month: 2025-10, min: .5, max: 0.123456}}\n",
             head);
    struct scenario_diags d = load_bad(text);
    assert_int_equal(d.count, 1);
    assert_non_null(strstr(d.items[0].message, "'max' is less than 'min'"));
    scenario_diags_clear(&d);
    snprintf(text, sizeof text, "%s  - {who: all, usage_rate: {month: 2025-10, min: 0.1234567}}\n", head);
    d = load_bad(text);
    assert_int_equal(d.count, 1);
    assert_non_null(strstr(d.items[0].message, "at most 6 decimals"));
    scenario_diags_clear(&d);
    snprintf(text, sizeof text, "%s  - {who: all, usage_rate: {month: 2025-10, min: \"0.1\", max: 11}}\n",
             head);
    d = load_bad(text);
    assert_int_equal(d.count, 2);
    assert_non_null(strstr(d.items[0].message, "expected a number from 0 to 1"));
    assert_non_null(strstr(d.items[1].message, "more than 1"));
    scenario_diags_clear(&d);
}

static void words_name_each_enum_value(void **state)
{
    (void)state;
    assert_string_equal(scenario_document_word(SCENARIO_DOC_PORTAL), "portal");
    assert_string_equal(scenario_document_word(SCENARIO_DOC_COUNT), "?");
    assert_string_equal(scenario_event_word(SCENARIO_EVENT_CLINIC_DOWN), "clinic_down");
    assert_string_equal(scenario_event_word((enum scenario_event_kind)99), "?");
    assert_string_equal(scenario_expect_word(SCENARIO_EXPECT_USAGE_RATE), "usage_rate");
    assert_string_equal(scenario_expect_word((enum scenario_expect_kind)99), "?");
}

/* The expectation values' words, printed from the tables the reader parses with. */
static void words_of_the_expectation_values(void **state)
{
    (void)state;
    assert_string_equal(scenario_outcome_word(SCENARIO_OUTCOME_INSURED_BY_DECLARATION),
                        "insured_by_declaration");
    assert_string_equal(scenario_outcome_word((enum scenario_outcome)99), "?");
    assert_string_equal(scenario_route_word(SCENARIO_ROUTE_CARD_PORTAL), "card_portal");
    assert_string_equal(scenario_route_word(SCENARIO_ROUTE_NONE), "none");
    assert_string_equal(scenario_route_word((enum scenario_route)99), "?");
    assert_string_equal(scenario_check_word(SCENARIO_CHECK_NO_CARD), "no_card");
    assert_string_equal(scenario_check_word((enum scenario_check_result)99), "?");
    assert_string_equal(scenario_warning_word(SCENARIO_WARNING_CERT_IN_GRACE), "cert_in_grace");
    assert_string_equal(scenario_warning_word(SCENARIO_WARNING_NONE), "none");
    assert_string_equal(scenario_warning_word((enum scenario_warning)99), "?");
    char buf[8];
    assert_int_equal(scenario_documents_format(SCENARIO_DOC_BIT(SCENARIO_DOC_PAPER_CARD) |
                                                   SCENARIO_DOC_BIT(SCENARIO_DOC_PORTAL),
                                               "+", buf, sizeof buf),
                     strlen("paper_card+portal"));
    assert_string_equal(buf, "paper_c");
    assert_int_equal(scenario_documents_format(0, "+", buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

static void policy_replace_loads_a_shipped_policy(void **state)
{
    (void)state;
    struct scenario *s = load_ok(DATA "/valid/population-only.yaml");
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(scenario_policy_replace(s, "as-announced-2024", &err), CORE_OK);
    assert_string_equal(s->policy_ref, "as-announced-2024");
    assert_int_equal(scenario_policy_replace(s, "no-such-policy", &err), CORE_ENOTFOUND);
    assert_string_equal(s->policy_ref, "as-announced-2024");
    scenario_free(s);
}

static void policy_replace_refuses_insurer_overrides(void **state)
{
    (void)state;
    struct scenario *s = NULL;
    struct scenario_diags d;
    scenario_diags_init(&d);
    static const char yaml[] =
        "scenario: x\nperiod: {from: 2024-12-01, to: 2025-01-31}\n"
        "insurers:\n  - {id: i, kind: nhi, policy: {paper_card: {latest_expiry: 2025-07-31}}}\n"
        "residents:\n  - {id: r, born: 1980-01-01, insurer: i}\n";
    assert_int_equal(scenario_load_buffer("x.yaml", yaml, sizeof yaml - 1, NULL, &s, &d), CORE_OK);
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(scenario_policy_replace(s, "national", &err), CORE_EINVAL);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.message, "insurer 'i' overrides policy parameters"));
    scenario_free(s);
    scenario_diags_clear(&d);
}

static void a_file_named_without_a_directory_is_read_from_the_current_one(void **state)
{
    (void)state;
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(DATA "/valid"), 0);
    struct scenario *s = NULL;
    struct scenario_diags d;
    scenario_diags_init(&d);
    int rc = scenario_load_file("population-only.yaml", &s, &d);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, CORE_OK);
    assert_non_null(s);
    if (s == NULL)
        return;
    assert_string_equal(s->file, "population-only.yaml");
    assert_string_equal(s->dir, "."); /* relative policy and mix paths are found beside it */
    scenario_free(s);
    scenario_diags_clear(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(example_of_scenarios_md_reads_as_documented),
        cmocka_unit_test(every_field_is_read_into_typed_values),
        cmocka_unit_test(defaults_apply_when_optional_fields_are_absent),
        cmocka_unit_test(invalid_files_report_exactly_their_expected_problems),
        cmocka_unit_test(problems_beyond_the_cap_are_counted_not_kept),
        cmocka_unit_test(a_policy_path_is_resolved_against_the_base_directory),
        cmocka_unit_test(a_file_named_without_a_directory_is_read_from_the_current_one),
        cmocka_unit_test(an_unreadable_file_is_one_problem_without_position),
        cmocka_unit_test(each_problem_of_a_bad_field_is_reported_once),
        cmocka_unit_test(usage_rates_take_up_to_six_decimals),
        cmocka_unit_test(words_name_each_enum_value),
        cmocka_unit_test(words_of_the_expectation_values),
        cmocka_unit_test(policy_replace_loads_a_shipped_policy),
        cmocka_unit_test(policy_replace_refuses_insurer_overrides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
