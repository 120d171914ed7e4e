/* Shared helper of the sim/replay tests: a scenario file loaded under a policy, failing the test with the
 * reader's first problem (file:line:column: what) when it does not load. */
#ifndef MYNASIM_TESTS_REPLAY_TEST_H
#define MYNASIM_TESTS_REPLAY_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "scenario/scenario.h"

/* dir/name, under `policy` (NULL: the file's own). */
static inline struct scenario *load_in(const char *dir, const char *name, const char *policy)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct scenario_diags d;
    scenario_diags_init(&d);
    struct scenario *s = NULL;
    int rc = scenario_load_file_with_policy(path, policy, &s, &d);
    if (rc != CORE_OK && d.count > 0) {
        char buf[1200];
        core_error_format(&d.items[0], buf, sizeof buf);
        fail_msg("%s", buf);
    }
    assert_int_equal(rc, CORE_OK);
    scenario_diags_clear(&d);
    return s;
}

#endif
