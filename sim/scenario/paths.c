/*
 * FILE|DIR arguments → a sorted list of scenario files. A directory contributes every `*.yaml` below it
 * (hidden names skipped); the list is sorted byte-wise and duplicates removed, so `mynasim check scenarios/`
 * reads the same files in the same order on every machine, whatever order readdir returns.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario/scenario.h"

/* Directory nesting followed at most: a loop of symlinks stops here. */
#define PATHS_MAX_DEPTH 32

struct path_list {
    char **items;
    size_t count, cap;
};

static CORE_MUST_USE int list_add(struct path_list *l, const char *a, const char *b)
{
    if (l->count == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        char **grown = realloc(l->items, ncap * sizeof *grown);
        if (grown == NULL)
            return CORE_ENOMEM;
        l->items = grown;
        l->cap = ncap;
    }
    size_t la = strlen(a), lb = b != NULL ? strlen(b) : 0;
    char *p = malloc(la + lb + 2);
    if (p == NULL)
        return CORE_ENOMEM;
    memcpy(p, a, la);
    if (b != NULL) {
        p[la] = '/';
        memcpy(p + la + 1, b, lb + 1);
    } else {
        p[la] = '\0';
    }
    l->items[l->count++] = p;
    return CORE_OK;
}

static bool has_yaml_suffix(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

static CORE_MUST_USE int walk(const char *dir, int depth, struct path_list *l, struct core_error *err)
{
    if (depth > PATHS_MAX_DEPTH)
        return core_error_set(err, CORE_EINVAL, dir, 0, 0, "directories nested more than %d deep",
                              PATHS_MAX_DEPTH);
    DIR *d = opendir(dir);
    if (d == NULL)
        return core_error_set(err, CORE_EIO, dir, 0, 0, "cannot read directory: %s", strerror(errno));
    int rc = CORE_OK;
    struct dirent *e;
    while (rc == CORE_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        struct path_list one = {NULL, 0, 0};
        rc = list_add(&one, dir, e->d_name);
        if (rc != CORE_OK) {
            core_error_set(err, rc, dir, 0, 0, "out of memory");
            break;
        }
        struct stat st;
        if (stat(one.items[0], &st) == 0 && S_ISDIR(st.st_mode))
            rc = walk(one.items[0], depth + 1, l, err);
        else if (has_yaml_suffix(e->d_name) && (rc = list_add(l, one.items[0], NULL)) != CORE_OK)
            core_error_set(err, rc, dir, 0, 0, "out of memory");
        free(one.items[0]);
        free(one.items);
    }
    closedir(d);
    return rc;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void scenario_paths_free(char **paths, size_t count)
{
    if (paths == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(paths[i]);
    free(paths);
}

int scenario_paths_expand(char *const *args, size_t nargs, char ***out, size_t *count, struct core_error *err)
{
    struct path_list l = {NULL, 0, 0};
    *out = NULL;
    *count = 0;
    int rc = CORE_OK;
    for (size_t i = 0; i < nargs && rc == CORE_OK; i++) {
        struct stat st;
        if (stat(args[i], &st) != 0) {
            /* The wording of core_file_read (sim/core/file.c), so every command says it alike. */
            int e = errno;
            rc = core_error_set(err, e == ENOENT ? CORE_ENOTFOUND : CORE_EIO, args[i], 0, 0,
                                "cannot open: %s", strerror(e));
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            /* "dir/" and "dir" name the same files */
            size_t n = strlen(args[i]);
            char *dir = malloc(n + 1);
            if (dir == NULL) {
                rc = core_error_set(err, CORE_ENOMEM, args[i], 0, 0, "out of memory");
                break;
            }
            memcpy(dir, args[i], n + 1);
            while (n > 1 && dir[n - 1] == '/')
                dir[--n] = '\0';
            rc = walk(dir, 0, &l, err);
            free(dir);
        } else if ((rc = list_add(&l, args[i], NULL)) != CORE_OK) {
            core_error_set(err, rc, args[i], 0, 0, "out of memory");
        }
    }
    if (rc != CORE_OK) {
        scenario_paths_free(l.items, l.count);
        return rc;
    }
    if (l.count > 1)
        qsort(l.items, l.count, sizeof *l.items, cmp_path);
    size_t kept = 0;
    for (size_t i = 0; i < l.count; i++) {
        if (kept > 0 && strcmp(l.items[kept - 1], l.items[i]) == 0) {
            free(l.items[i]);
            continue;
        }
        l.items[kept++] = l.items[i];
    }
    *out = l.items;
    *count = kept;
    return CORE_OK;
}
