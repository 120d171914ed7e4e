/*
 * Fuzz target: the scenario reader (sim/scenario/scenario.c) on any bytes. Every input either loads into a
 * scenario whose references all point inside its arrays, or is refused with at least one positioned message;
 * nothing crashes, leaks or reads out of bounds. Relative policy paths resolve against the shipped fixtures.
 */
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The shipped data directory, so `policy: policies/national.yaml` resolves as it would beside a scenario. */
static char base_dir[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct core_error err;
    if (policy_find_data("policies/national.yaml", base_dir, sizeof base_dir, &err) != CORE_OK)
        abort();
    *strrchr(base_dir, '/') = '\0';
    *strrchr(base_dir, '/') = '\0';
    return 0;
}

static bool contains(const uint8_t *data, size_t size, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp(data + i, word, n) == 0)
            return true;
    return false;
}

static void check_ref(int ref, size_t count, bool all_ok)
{
    if (ref == SCENARIO_NONE || (all_ok && ref == SCENARIO_WHO_ALL))
        return;
    if (ref < 0 || (size_t)ref >= count)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* `policy: /dev/stdin` would block: device and proc files are out of scope for this target */
    if (contains(data, size, "/dev") || contains(data, size, "/proc"))
        return 0;
    struct scenario *s = NULL;
    struct scenario_diags d;
    scenario_diags_init(&d);
    int rc = scenario_load_buffer("fuzz.yaml", (const char *)data, size, base_dir, &s, &d);
    if (rc == CORE_OK) {
        if (s == NULL || d.count != 0)
            abort();
        for (size_t i = 0; i < s->resident_count; i++) {
            check_ref(s->residents[i].insurer, s->insurer_count, false);
            check_ref(s->residents[i].of, s->resident_count, false);
        }
        for (size_t i = 0; i < s->event_count; i++) {
            check_ref(s->events[i].resident, s->resident_count, false);
            check_ref(s->events[i].insurer, s->insurer_count, false);
            check_ref(s->events[i].of, s->resident_count, false);
            check_ref(s->events[i].visit.clinic, s->clinic_count, false);
            if (i > 0 && s->events[i].date < s->events[i - 1].date)
                abort();
        }
        for (size_t i = 0; i < s->expect_count; i++) {
            check_ref(s->expects[i].resident, s->resident_count, true);
            check_ref(s->expects[i].clinic, s->clinic_count, false);
            check_ref(s->expects[i].visit.clinic, s->clinic_count, false);
        }
        for (size_t i = 0; i < s->insurer_count; i++)
            if (scenario_insurer_policy(s, (int)i) == NULL)
                abort();
    } else {
        if (s != NULL || d.count + d.omitted == 0)
            abort();
        for (size_t i = 0; i < d.count; i++)
            if (d.items[i].message[0] == '\0')
                abort();
    }
    scenario_free(s);
    scenario_diags_clear(&d);
    return 0;
}
