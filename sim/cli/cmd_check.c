/*
 * cmd_check.c: `mynasim check FILE|DIR...`, the scenario files' validator (sim/scenario).
 *
 * Reads each file as `mynasim run` would, replays nothing, and prints every problem as
 * `file:line:column: what` on stderr, one line each, in file order, then a one-line summary on stdout.
 * Exit 0 when every file is valid, 2 when any is not (or on bad usage), as `mynasim run` does for files that
 * are not valid.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "scenario/scenario.h"

static const char check_usage[] =
    "usage: mynasim check FILE|DIR...\n\n"
    "Reads scenario files (docs/SCENARIO-FORMAT.md) and reports every problem as file:line:column: what,\n"
    "without replaying them. A DIR contributes every *.yaml file below it, in sorted order.\n\n"
    "exit status: 0 every file is valid, 2 a file is not valid or the command line is wrong.\n";

int cli_check_main(int argc, char **argv)
{
    static const struct cli_spec spec = {.cmd = "check", .usage = check_usage};
    int nargs;
    int rc = cli_parse(&spec, argc, argv, &nargs);
    if (rc != CLI_CONTINUE)
        return rc;
    if (nargs == 0) {
        fputs(check_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    char **paths;
    size_t count;
    if (cli_paths_expand("check", argv + 1, (size_t)nargs, &paths, &count) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    size_t invalid = 0, problems = 0;
    for (size_t i = 0; i < count; i++) {
        struct scenario *s = NULL;
        size_t n;
        if (cli_load_scenario(paths[i], NULL, &s, &n) != CORE_OK) {
            invalid++;
            problems += n;
        }
        scenario_free(s);
    }
    if (invalid == 0)
        printf("mynasim check: %zu file%s, all valid\n", count, count == 1 ? "" : "s");
    else
        printf("mynasim check: %zu file%s, %zu not valid (%zu problem%s)\n", count, count == 1 ? "" : "s",
               invalid, problems, problems == 1 ? "" : "s");
    scenario_paths_free(paths, count);
    return invalid == 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}
