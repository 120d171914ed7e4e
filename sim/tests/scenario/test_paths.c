/* Tests of sim/scenario/paths.c: FILE|DIR arguments become one sorted list of scenario files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
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

static CORE_MUST_USE int setup(void **state)
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

static CORE_MUST_USE int teardown(void **state)
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

/* A directory of the test's own under the build directory, removed by rm_tree. */
static void make_tree(char *dir, size_t cap, const char *name)
{
    snprintf(dir, cap, "%s/scenario-paths-%s-XXXXXX", MYNASIM_BINARY_DIR, name);
    assert_non_null(mkdtemp(dir));
}

static void rm_tree(const char *dir, const char *const *names, size_t n)
{
    for (size_t i = n; i > 0; i--) { /* the deepest names last in the list: removed first */
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, names[i - 1]);
        remove(p);
    }
    rmdir(dir);
}

static void more_files_than_the_first_allocation_come_sorted(void **state)
{
    (void)state;
    char dir[300];
    make_tree(dir, sizeof dir, "many");
    /* 40 files written in reverse order: the list is sorted byte-wise whatever readdir returns */
    char names[40][16];
    const char *list[40];
    for (int i = 39; i >= 0; i--) {
        snprintf(names[i], sizeof names[i], "s%02d.yaml", i);
        list[i] = names[i];
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        FILE *f = fopen(p, "w");
        assert_non_null(f);
        if (f != NULL)
            fclose(f);
    }
    char *args[] = {dir};
    char **paths;
    size_t count;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(scenario_paths_expand(args, 1, &paths, &count, &err), CORE_OK);
    assert_int_equal(count, 40);
    for (size_t i = 0; i < 40; i++) {
        char want[600];
        snprintf(want, sizeof want, "%s/s%02zu.yaml", dir, i);
        assert_string_equal(paths[i], want);
    }
    scenario_paths_free(paths, count);
    rm_tree(dir, list, 40);
}

static void an_empty_directory_gives_no_files_and_no_error(void **state)
{
    (void)state;
    char dir[300];
    make_tree(dir, sizeof dir, "empty");
    char sub[400];
    snprintf(sub, sizeof sub, "%s/only-dirs", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    char *args[] = {dir};
    char **paths = (char **)1;
    size_t count = 99;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(scenario_paths_expand(args, 1, &paths, &count, &err), CORE_OK);
    assert_int_equal(count, 0);
    assert_null(paths);
    assert_int_equal(err.code, CORE_OK);
    /* no arguments at all: nothing either */
    assert_int_equal(scenario_paths_expand(args, 0, &paths, &count, &err), CORE_OK);
    assert_int_equal(count, 0);
    assert_null(paths);
    const char *list[] = {"only-dirs"};
    rm_tree(dir, list, 1);
}

static void a_dangling_link_named_yaml_is_listed_for_the_reader_to_report(void **state)
{
    (void)state;
    char dir[300];
    make_tree(dir, sizeof dir, "dangling");
    char p[600];
    snprintf(p, sizeof p, "%s/gone.yaml", dir);
    assert_int_equal(symlink("no-such-target.yaml", p), 0);
    snprintf(p, sizeof p, "%s/gone.txt", dir);
    assert_int_equal(symlink("no-such-target.txt", p), 0);
    char *args[] = {dir};
    char **paths;
    size_t count;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(scenario_paths_expand(args, 1, &paths, &count, &err), CORE_OK);
    assert_int_equal(count, 1); /* by its name: the reader then says it cannot be read */
    snprintf(p, sizeof p, "%s/gone.yaml", dir);
    assert_string_equal(paths[0], p);
    scenario_paths_free(paths, count);
    struct scenario *s = NULL;
    struct scenario_diags d;
    scenario_diags_init(&d);
    assert_int_not_equal(scenario_load_file(p, &s, &d), CORE_OK);
    assert_null(s);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.items[0].file, p);
    assert_int_equal(d.items[0].line, 0);
    scenario_diags_clear(&d);
    const char *list[] = {"gone.yaml", "gone.txt"};
    rm_tree(dir, list, 2);
}

static void a_loop_of_links_stops_at_the_depth_limit(void **state)
{
    (void)state;
    char dir[300];
    make_tree(dir, sizeof dir, "loop");
    char p[600];
    snprintf(p, sizeof p, "%s/loop", dir);
    assert_int_equal(symlink(".", p), 0);
    char *args[] = {dir};
    char **paths = (char **)1;
    size_t count = 99;
    struct core_error err;
    core_error_clear(&err);
    assert_int_equal(scenario_paths_expand(args, 1, &paths, &count, &err), CORE_EINVAL);
    assert_null(paths);
    assert_int_equal(count, 0);
    assert_string_equal(err.message, "directories nested more than 32 deep");
    /* named at the directory 33 levels down */
    char want[1024];
    size_t used = (size_t)snprintf(want, sizeof want, "%s", dir);
    for (int i = 0; i < 33; i++)
        used += (size_t)snprintf(want + used, sizeof want - used, "/loop");
    assert_true(used < sizeof want);
    assert_string_equal(err.file, want);
    const char *list[] = {"loop"};
    rm_tree(dir, list, 1);
}

static void a_directory_that_cannot_be_opened_is_an_error_naming_it(void **state)
{
    (void)state;
    /* Out of file descriptors (EMFILE), opendir fails even for root, for whom permissions do not. */
    struct rlimit old, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    low = old;
    low.rlim_cur = 64;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    int fds[64];
    size_t nfd = 0;
    for (int fd; nfd < 64 && (fd = open("/dev/null", O_RDONLY)) >= 0;)
        fds[nfd++] = fd;
    char *args[] = {root};
    char **paths = (char **)1;
    size_t count = 99;
    struct core_error err;
    core_error_clear(&err);
    int rc = scenario_paths_expand(args, 1, &paths, &count, &err);
    for (size_t i = 0; i < nfd; i++)
        close(fds[i]);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    assert_int_equal(rc, CORE_EIO);
    assert_null(paths);
    assert_int_equal(count, 0);
    assert_string_equal(err.file, root);
    assert_string_equal(err.message, "cannot read directory: Too many open files");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_directory_gives_its_yaml_files_sorted_and_recursively),
        cmocka_unit_test(a_file_is_taken_whatever_its_name),
        cmocka_unit_test(a_missing_path_is_an_error_naming_it),
        cmocka_unit_test(more_files_than_the_first_allocation_come_sorted),
        cmocka_unit_test(an_empty_directory_gives_no_files_and_no_error),
        cmocka_unit_test(a_dangling_link_named_yaml_is_listed_for_the_reader_to_report),
        cmocka_unit_test(a_loop_of_links_stops_at_the_depth_limit),
        cmocka_unit_test(a_directory_that_cannot_be_opened_is_an_error_naming_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
