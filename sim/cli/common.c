/*
 * common.c: what the subcommands share. Printing an error or a scenario problem, `--name V` / `--name=V`
 * options, expanding FILE|DIR arguments and reading every scenario with its problems on stderr, the report
 * written to --out whole (PATH.tmp, then renamed into place) and progress only when stderr is a terminal.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "scenario/scenario.h"

void cli_print_error_in(const char *prefix, const char *context, const struct core_error *err)
{
    char buf[1200];
    core_error_format(err, buf, sizeof buf);
    if (context != NULL && context[0] != '\0')
        fprintf(stderr, "%s: %s: %s\n", prefix, context, buf);
    else
        fprintf(stderr, "%s: %s\n", prefix, buf);
}

void cli_print_error(const char *context, const struct core_error *err)
{
    cli_print_error_in("mynasim", context, err);
}

void cli_print_problem(const struct core_error *err)
{
    char buf[1200];
    core_error_format(err, buf, sizeof buf);
    fprintf(stderr, "%s\n", buf);
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    }
    return 0;
}

const char *cli_option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '='))
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (*i + 1 < argc)
        return argv[++*i];
    *missing = true;
    return NULL;
}

bool cli_policy_loads(const char *prefix, const char *policy)
{
    struct policy *p = NULL;
    struct core_error err;
    core_error_clear(&err);
    if (policy_load(policy, NULL, &p, &err) != CORE_OK) {
        cli_print_error_in(prefix, policy, &err);
        return false;
    }
    policy_free(p);
    return true;
}

int cli_paths_expand(const char *cmd, char **args, size_t nargs, char ***paths, size_t *count)
{
    struct core_error err;
    core_error_clear(&err);
    if (scenario_paths_expand(args, nargs, paths, count, &err) != CORE_OK) {
        cli_print_problem(&err);
        return CLI_EXIT_USAGE;
    }
    if (*count == 0) {
        fprintf(stderr, "mynasim %s: no *.yaml files found\n", cmd);
        scenario_paths_free(*paths, *count);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_load_scenario(const char *path, const char *policy, struct scenario **out, size_t *problems)
{
    struct scenario_diags diags;
    scenario_diags_init(&diags);
    int rc = scenario_load_file_with_policy(path, policy, out, &diags);
    *problems = 0;
    if (rc != CORE_OK) {
        for (size_t k = 0; k < diags.count; k++)
            cli_print_problem(&diags.items[k]);
        if (diags.omitted > 0)
            fprintf(stderr, "%s: %zu more problems not shown\n", path, diags.omitted);
        *problems = diags.count + diags.omitted;
    }
    scenario_diags_clear(&diags);
    return rc;
}

bool cli_load_scenarios(char **paths, size_t count, const char *policy, struct scenario **scns)
{
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        size_t problems;
        if (cli_load_scenario(paths[i], policy, &scns[i], &problems) != CORE_OK) {
            ok = false;
            if (problems == 0)
                fprintf(stderr, "%s: not valid\n", paths[i]);
        }
    }
    return ok;
}

bool cli_out_open(struct cli_out *o, const char *cmd, const char *path)
{
    o->path = path;
    o->tmp = NULL;
    o->f = NULL;
    if (path == NULL) {
        o->f = stdout;
        return true;
    }
    size_t n = strlen(path) + 5;
    o->tmp = malloc(n);
    if (o->tmp == NULL)
        return false;
    snprintf(o->tmp, n, "%s.tmp", path);
    o->f = fopen(o->tmp, "w");
    if (o->f == NULL) {
        fprintf(stderr, "mynasim %s: cannot write '%s'\n", cmd, o->tmp);
        return false;
    }
    return true;
}

bool cli_out_commit(struct cli_out *o, const char *cmd, bool keep)
{
    if (o->path == NULL)
        return keep;
    bool written = fclose(o->f) == 0;
    o->f = NULL;
    if (!written || !keep || rename(o->tmp, o->path) != 0) {
        if (written && keep)
            fprintf(stderr, "mynasim %s: cannot write '%s'\n", cmd, o->path);
        remove(o->tmp);
        return false;
    }
    return true;
}

void cli_out_release(struct cli_out *o)
{
    if (o->f != NULL && o->f != stdout) {
        fclose(o->f);
        remove(o->tmp);
    }
    o->f = NULL;
    free(o->tmp);
    o->tmp = NULL;
}

bool cli_progress_on(bool quiet)
{
    return !quiet && isatty(fileno(stderr));
}

void cli_progress(bool on, size_t i, size_t count, const char *file)
{
    if (on)
        fprintf(stderr, "\r[%zu/%zu] %s\033[K", i + 1, count, file);
}

void cli_progress_break(bool on)
{
    if (on)
        fputc('\n', stderr);
}
