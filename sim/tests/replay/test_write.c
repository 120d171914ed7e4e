/* Tests of sim/scenario/write.c, the scenario writer, by round trip: every named scenario of the library, the
 * format's examples and the scenarios meant to fail is read, written, read again and written again. The two
 * texts are the same bytes, the two readings hold the same residents, events and expectations, and both
 * replay to the same results (here in sim/tests/replay because the last check replays). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "replay/replay.h"
#include "scenario/scenario.h"
#include "world/world.h"

static struct scenario *load_text(const char *name, const char *text, size_t len, const char *dir)
{
    struct scenario_diags d;
    scenario_diags_init(&d);
    struct scenario *s = NULL;
    int rc = scenario_load_buffer(name, text, len, dir, &s, &d);
    if (rc != CORE_OK && d.count > 0) {
        char buf[1200];
        core_error_format(&d.items[0], buf, sizeof buf);
        fail_msg("%s (the text written)\n%s", buf, text);
    }
    assert_int_equal(rc, CORE_OK);
    scenario_diags_clear(&d);
    return s;
}

static void assert_same_visit(const struct scenario_visit *x, const struct scenario_visit *y)
{
    assert_int_equal(x->clinic, y->clinic);
    assert_int_equal(x->bring_given, y->bring_given);
    assert_int_equal(x->bring, y->bring);
    assert_int_equal(x->kind, y->kind);
    assert_int_equal(x->faults, y->faults);
}

/* The same scenario, positions aside: field by field, every field the writer writes (a field added to the
 * format later is compared once the writer learns it; the texts' fixed point above holds either way). */
static void assert_same(const struct scenario *a, const struct scenario *b)
{
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->description, b->description);
    assert_int_equal(a->period.from, b->period.from);
    assert_int_equal(a->period.to, b->period.to);
    assert_string_equal(a->policy_ref, b->policy_ref);
    assert_int_equal(a->seed_given, b->seed_given);
    assert_true(a->seed == b->seed);
    assert_int_equal(a->tag_count, b->tag_count);
    for (size_t i = 0; i < a->tag_count; i++)
        assert_string_equal(a->tags[i], b->tags[i]);
    assert_int_equal(a->outage_count, b->outage_count);
    for (size_t i = 0; i < a->outage_count; i++) {
        assert_int_equal(a->outages[i].from, b->outages[i].from);
        assert_int_equal(a->outages[i].to, b->outages[i].to);
    }
    assert_int_equal(a->insurer_count, b->insurer_count);
    for (size_t i = 0; i < a->insurer_count; i++) {
        assert_string_equal(a->insurers[i].id, b->insurers[i].id);
        assert_int_equal(a->insurers[i].kind, b->insurers[i].kind);
        assert_string_equal(a->insurers[i].number, b->insurers[i].number);
    }
    assert_int_equal(a->clinic_count, b->clinic_count);
    for (size_t i = 0; i < a->clinic_count; i++) {
        assert_string_equal(a->clinics[i].id, b->clinics[i].id);
        assert_int_equal(a->clinics[i].reader, b->clinics[i].reader);
        assert_int_equal(a->clinics[i].down_count, b->clinics[i].down_count);
        for (size_t k = 0; k < a->clinics[i].down_count; k++) {
            assert_int_equal(a->clinics[i].down[k].from, b->clinics[i].down[k].from);
            assert_int_equal(a->clinics[i].down[k].to, b->clinics[i].down[k].to);
        }
    }
    assert_int_equal(a->resident_count, b->resident_count);
    for (size_t i = 0; i < a->resident_count; i++) {
        const struct scenario_resident *x = &a->residents[i], *y = &b->residents[i];
        assert_string_equal(x->id, y->id);
        assert_int_equal(x->born, y->born);
        assert_int_equal(x->insurer, y->insurer);
        assert_int_equal(x->role, y->role);
        assert_int_equal(x->of, y->of);
        assert_int_equal(x->has_paper_card, y->has_paper_card);
        assert_int_equal(x->paper_card_issued, y->paper_card_issued);
        assert_int_equal(x->paper_card_expires, y->paper_card_expires);
        assert_int_equal(x->insured_since, y->insured_since);
        assert_int_equal(x->has_card, y->has_card);
        assert_int_equal(x->card_issued, y->card_issued);
        assert_int_equal(x->card_face_only, y->card_face_only);
        assert_int_equal(x->card_expires, y->card_expires);
        assert_int_equal(x->card_cert_expires, y->card_cert_expires);
        assert_int_equal(x->registered, y->registered);
        assert_int_equal(x->holds, y->holds);
        assert_int_equal(x->tax_arrears, y->tax_arrears);
        assert_int_equal(x->income, y->income);
        const struct scenario_identity *p = &x->identity, *q = &y->identity;
        assert_string_equal(p->name, q->name);
        assert_string_equal(p->kana, q->kana);
        assert_int_equal(p->sex, q->sex);
        assert_string_equal(p->address, q->address);
        assert_string_equal(p->my_number, q->my_number);
        assert_string_equal(p->member_symbol, q->member_symbol);
        assert_string_equal(p->member_number, q->member_number);
        assert_string_equal(p->member_branch, q->member_branch);
        assert_string_equal(p->security_code, q->security_code);
    }
    assert_int_equal(a->event_count, b->event_count);
    for (size_t i = 0; i < a->event_count; i++) {
        const struct scenario_event *x = &a->events[i], *y = &b->events[i];
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->date, y->date);
        assert_int_equal(x->resident, y->resident);
        assert_int_equal(x->insurer, y->insurer);
        assert_int_equal(x->role, y->role);
        assert_int_equal(x->of, y->of);
        assert_int_equal(x->processed, y->processed);
        assert_int_equal(x->face_only, y->face_only);
        assert_int_equal(x->via, y->via);
        assert_int_equal(x->document, y->document);
        assert_int_equal(x->reason, y->reason);
        assert_int_equal(x->times, y->times);
        assert_int_equal(x->pin, y->pin);
        assert_same_visit(&x->visit, &y->visit);
        assert_int_equal(x->until, y->until);
        assert_int_equal(x->time_given, y->time_given);
        assert_int_equal(x->minute, y->minute);
    }
    assert_int_equal(a->expect_count, b->expect_count);
    for (size_t i = 0; i < a->expect_count; i++) {
        const struct scenario_expect *x = &a->expects[i], *y = &b->expects[i];
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->date, y->date);
        assert_int_equal(x->resident, y->resident);
        assert_string_equal(x->rule, y->rule);
        assert_true((x->name == NULL) == (y->name == NULL));
        if (x->name != NULL)
            assert_string_equal(x->name, y->name);
        assert_int_equal(x->documents, y->documents);
        assert_same_visit(&x->visit, &y->visit);
        assert_int_equal(x->outcome, y->outcome);
        assert_int_equal(x->fee_given, y->fee_given);
        assert_int_equal(x->fee_total, y->fee_total);
        assert_int_equal(x->fee_copay, y->fee_copay);
        assert_int_equal(x->route, y->route);
        assert_int_equal(x->limit_applied_given, y->limit_applied_given);
        assert_int_equal(x->limit_applied, y->limit_applied);
        assert_int_equal(x->claim_error_given, y->claim_error_given);
        assert_int_equal(x->claim_error, y->claim_error);
        assert_int_equal(x->check, y->check);
        assert_int_equal(x->clinic, y->clinic);
        assert_int_equal(x->warning, y->warning);
        assert_int_equal(x->received, y->received);
        assert_int_equal(x->by, y->by);
        assert_int_equal(x->notice_type, y->notice_type);
        assert_true(x->count.min == y->count.min && x->count.max == y->count.max);
        assert_int_equal(x->first_gap, y->first_gap);
        assert_int_equal(x->month, y->month);
        assert_int_equal(x->min_ppm, y->min_ppm);
        assert_int_equal(x->max_ppm, y->max_ppm);
    }
    assert_int_equal(a->has_population, b->has_population);
    if (a->has_population) {
        assert_true(a->population.size == b->population.size);
        assert_string_equal(a->population.mix, b->population.mix);
    }
}

/* Read, write, read, write: the texts and the readings are the same; both replay alike. */
static CORE_MUST_USE int round_trip(const char *path)
{
    struct scenario_diags d;
    scenario_diags_init(&d);
    struct scenario *a = NULL;
    assert_int_equal(scenario_load_file(path, &a, &d), CORE_OK);
    scenario_diags_clear(&d);
    char *t1 = NULL, *t2 = NULL;
    size_t l1 = 0, l2 = 0;
    struct core_error err;
    core_error_clear(&err);
    int rc = scenario_write(a, NULL, &t1, &l1, &err);
    if (rc == CORE_EINVAL) { /* an insurer's policy overrides: refused, never lost */
        assert_non_null(strstr(err.message, "overrides policy parameters"));
        scenario_free(a);
        return 0;
    }
    assert_int_equal(rc, CORE_OK);
    assert_int_equal(strlen(t1), l1);
    struct scenario *b = load_text(path, t1, l1, a->dir);
    assert_int_equal(scenario_write(b, NULL, &t2, &l2, &err), CORE_OK);
    assert_int_equal(l1, l2);
    assert_memory_equal(t1, t2, l1);
    assert_same(a, b);
    if (!a->has_population) {
        struct replay_run_result ra, rb;
        assert_int_equal(replay_run(a, &ra, &err), CORE_OK);
        assert_int_equal(replay_run(b, &rb, &err), CORE_OK);
        assert_int_equal(ra.count, rb.count);
        assert_int_equal(ra.failed, rb.failed);
        for (size_t i = 0; i < ra.count; i++) {
            assert_int_equal(ra.results[i].passed, rb.results[i].passed);
            assert_string_equal(ra.results[i].message, rb.results[i].message);
        }
        for (size_t r = 0; r < a->resident_count; r++)
            assert_int_equal(world_gap_days(ra.world, (int)r), world_gap_days(rb.world, (int)r));
        replay_run_result_free(&ra);
        replay_run_result_free(&rb);
    }
    free(t1);
    free(t2);
    scenario_free(a);
    scenario_free(b);
    return 1;
}

static int name_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Every *.yaml directly in dir, in sorted order; returns how many were written and read back. */
static CORE_MUST_USE int round_trip_dir(const char *dir, int *files)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[256] = {NULL};
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0 && e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    int ok = 0;
    for (size_t i = 0; i < n; i++) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        ok += round_trip(path);
        free(names[i]);
    }
    *files += (int)n;
    return ok;
}

static void library_examples_and_failing_scenarios_round_trip(void **state)
{
    (void)state;
    int files = 0, ok = 0;
    ok += round_trip_dir(MYNASIM_SOURCE_DIR "/scenarios", &files);
    ok += round_trip_dir(MYNASIM_SOURCE_DIR "/docs/examples", &files);
    ok += round_trip_dir(MYNASIM_SOURCE_DIR "/tests/failing-scenarios", &files);
    /* visits at given times of day (`time:`, the edges of Japan's day), which the library has none of */
    ok += round_trip(MYNASIM_SOURCE_DIR "/sim/tests/terminal/data/visits.yaml");
    files++;
    print_message("%d of %d files written and read back\n", ok, files);
    assert_true(files >= 60);
    assert_true(ok >= files - 5); /* only files whose insurers override policy parameters are refused */
}

/* A selection leaves out residents and with them their events and expectations. */
static void selection_leaves_out_a_resident_with_its_events(void **state)
{
    (void)state;
    struct scenario_diags d;
    scenario_diags_init(&d);
    struct scenario *a = NULL;
    assert_int_equal(scenario_load_file(MYNASIM_SOURCE_DIR
                                        "/sim/tests/replay/data/shrink/planted-thirty-residents.yaml",
                                        &a, &d),
                     CORE_OK);
    bool *keep = calloc(a->resident_count, sizeof *keep);
    keep[scenario_find_resident(a, "r07")] = true;
    struct scenario_write_select sel = {.residents = keep};
    char *t = NULL;
    size_t l = 0;
    struct core_error err;
    assert_int_equal(scenario_write(a, &sel, &t, &l, &err), CORE_OK);
    struct scenario *b = load_text("sel", t, l, a->dir);
    assert_int_equal(b->resident_count, 1);
    assert_string_equal(b->residents[0].id, "r07");
    assert_int_equal(b->event_count, 2);
    assert_int_equal(b->expect_count, 1);
    free(t);
    free(keep);
    scenario_free(a);
    scenario_free(b);
}

/* Text fields with quotes, backslashes, new lines and Japanese survive, and so does every identity field. */
static void text_and_identity_survive(void **state)
{
    (void)state;
    char mn[13] = "12345678901";
    mn[11] = (char)('0' + core_my_number_check_digit(mn));
    mn[12] = '\0';
    char src[4096];
    int n = snprintf(
        src, sizeof src,
        "format: 2\n"
        "scenario: quoted\n"
        "description: \"a \\\"quote\\\", a \\\\ and\\na new line: 保険証\"\n"
        "tags: [identity, text]\n"
        "period: {from: 2025-02-01, to: 2025-03-31}\n"
        "outages: [{from: 2025-03-02, to: 2025-03-03}]\n"
        "insurers: [{id: i1, kind: society, number: \"06130215\"}]\n"
        "clinics: [{id: c1, reader: pin, down: [{from: 2025-02-10, to: 2025-02-11}]}]\n"
        "residents:\n"
        "  - {id: r1, born: 1990-01-01, insurer: i1, paper_card: {issued: 2023-04-01},\n"
        "     name: \"山田 太郎\", kana: \"ヤマダ タロウ\", sex: male, address: \"東京都千代田区1-1\",\n"
        "     my_number: \"%s\", member: {symbol: \"記号 1\", number: \"1234\", branch: \"01\"},\n"
        "     security_code: \"0042\"}\n"
        "events:\n"
        "  - {date: 2025-02-12, who: r1, do: visit, clinic: c1, bring: [], kind: revisit,\n"
        "     faults: [reader_fault, unshowable_name]}\n"
        "  - {date: 2025-02-13, who: r1, do: visit, clinic: c1, kind: revisit, time: 23:55}\n"
        "  - {date: 2025-02-14, who: r1, do: visit, clinic: c1, kind: revisit, time: \"00:05\"}\n"
        "expect:\n"
        "  - {who: r1, gap_days: {min: 0, max: 3}, name: \"no gap: \\\"really\\\"\"}\n",
        mn);
    assert_true(n > 0 && (size_t)n < sizeof src);
    struct scenario *a = load_text("quoted", src, (size_t)n, NULL);
    char *t = NULL;
    size_t l = 0;
    struct core_error err;
    assert_int_equal(scenario_write(a, NULL, &t, &l, &err), CORE_OK);
    struct scenario *b = load_text("quoted", t, l, NULL);
    assert_same(a, b);
    assert_string_equal(b->description, "a \"quote\", a \\ and\na new line: 保険証");
    assert_string_equal(b->residents[0].identity.member_symbol, "記号 1");
    assert_string_equal(b->residents[0].identity.my_number, mn);
    assert_true(b->events[0].visit.bring_given);
    assert_int_equal(b->events[0].visit.bring, 0);
    /* the person fields the answers use, written and read back */
    assert_non_null(strstr(t, "name: \"山田 太郎\""));
    assert_non_null(strstr(t, "kana: \"ヤマダ タロウ\""));
    assert_non_null(strstr(t, "sex: male"));
    assert_string_equal(b->residents[0].identity.name, "山田 太郎");
    assert_string_equal(b->residents[0].identity.kana, "ヤマダ タロウ");
    assert_int_equal(b->residents[0].identity.sex, SCENARIO_SEX_MALE);
    /* a visit's time only where the file gave one; the default stays unwritten */
    assert_false(b->events[0].time_given);
    assert_int_equal(b->events[0].minute, SCENARIO_VISIT_TIME_DEFAULT);
    assert_true(b->events[1].time_given);
    assert_int_equal(b->events[1].minute, 23 * 60 + 55);
    assert_true(b->events[2].time_given);
    assert_int_equal(b->events[2].minute, 5);
    assert_non_null(strstr(t, "time: \"23:55\""));
    assert_non_null(strstr(t, "time: \"00:05\""));
    free(t);
    scenario_free(a);
    scenario_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(library_examples_and_failing_scenarios_round_trip),
        cmocka_unit_test(selection_leaves_out_a_resident_with_its_events),
        cmocka_unit_test(text_and_identity_survive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
