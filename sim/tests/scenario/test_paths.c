/* Tests of sim/scenario/paths.c: FILE|DIR arguments become one sorted list of scenario files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "scenario/scenario.h"

static char root[256];

static void touch(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "%s/scenario-paths-XXXXXX", MYNASIM_BINARY_DIR);
    if (mkdtemp(root) == NULL)
        return -1;
    char p[512];
    snprintf(p, sizeof p, "%s/sub", root);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/.hidden", root);
    mkdir(p, 0700);
    touch("b.yaml");
    touch("a.yaml");
    touch("notes.txt");
    touch(".dot.yaml");
    touch("sub/c.yaml");
    touch(".hidden/d.yaml");
    touch("yaml");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    const char *files[] = {"b.yaml",         "a.yaml", "notes.txt", ".dot.yaml", "sub/c.yaml",
                           ".hidden/d.yaml", "yaml",   "sub",       ".hidden"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", root, files[i]);
        remove(p);
    }
    rmdir(root);
    return 0;
}

static void a_directory_gives_its_yaml_files_sorted_and_recursively(void **state)
{
    (void)state;
    char dir_slash[300], file[300];
    snprintf(dir_slash, sizeof dir_slash, "%s/", root);
    snprintf(file, sizeof file, "%s/a.yaml", root);
    char *args[] = {dir_slash, file, root};
    char **paths;
    size_t count;
    struct core_error err;
    assert_int_equal(scenario_paths_expand(args, 3, &paths, &count, &err), CORE_OK);
    assert_int_equal(count, 3); /* a.yaml given twice and found once more: kept once */
    char want[300];
    snprintf(want, sizeof want, "%s/a.yaml", root);
    assert_string_equal(paths[0], want);
    snprintf(want, sizeof want, "%s/b.yaml", root);
    assert_string_equal(paths[1], want);
    snprintf(want, sizeof want, "%s/sub/c.yaml", root);
    assert_string_equal(paths[2], want);
    scenario_paths_free(paths, count);
    scenario_paths_free(NULL, 0);
}

static void a_file_is_taken_whatever_its_name(void **state)
{
    (void)state;
    char file[300];
    snprintf(file, sizeof file, "%s/notes.txt", root);
    char *args[] = {file};
    char **paths;
    size_t count;
    struct core_error err;
    assert_int_equal(scenario_paths_expand(args, 1, &paths, &count, &err), CORE_OK);
    assert_int_equal(count, 1);
    assert_string_equal(paths[0], file);
    scenario_paths_free(paths, count);
}

static void a_missing_path_is_an_error_naming_it(void **state)
{
    (void)state;
    char *args[] = {root, (char *)(uintptr_t) "/no/such/dir"};
    char **paths;
    size_t count;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(scenario_paths_expand(args, 2, &paths, &count, &err), CORE_ENOTFOUND);
    assert_null(paths);
    assert_int_equal(count, 0);
    assert_string_equal(err.file, "/no/such/dir");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_directory_gives_its_yaml_files_sorted_and_recursively),
        cmocka_unit_test(a_file_is_taken_whatever_its_name),
        cmocka_unit_test(a_missing_path_is_an_error_naming_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
