/*
 * cli: the mynasim command. main.c dispatches subcommands from a table; each cmd_*.c implements one family.
 * Only cli/ (and report/) print or exit. Exit codes: 0 success, 1 a check failed, 2 bad input or usage.
 */
#ifndef MYNASIM_CLI_H
#define MYNASIM_CLI_H

#include "core/core.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,
    CLI_EXIT_USAGE = 2,
};

/* `mynasim card ...`: argv[0] is "card". */
int cli_card_main(int argc, char **argv);
/* `mynasim check FILE|DIR...`: validates scenario files; argv[0] is "check". Exit 0 all valid, 2 otherwise.
 */
int cli_check_main(int argc, char **argv);
/* `mynasim run [--report F] [--out P] [--policy P] [--quiet] FILE|DIR...`: replays scenario files and checks
 * them; argv[0] is "run". Exit 0 all hold, 1 any failed, 2 a file is not valid or bad usage. */
int cli_run_main(int argc, char **argv);
/* `mynasim compare --policy A --policy B [--report F] [--out P] [--quiet] FILE|DIR...`: replays scenario
 * files under two policies and reports the gap days of one and not the other; argv[0] is "compare". Exit 0
 * the comparison ran, 2 a file is not valid or bad usage. Expectations are not checked. */
int cli_compare_main(int argc, char **argv);

/* `mynasim serve --listen HOST:PORT [--control] [--date D] [--policy P] [--seed N] FILE`: the eligibility
 * service over HTTP, its registry built by replaying FILE; argv[0] is "serve". Runs until SIGTERM/SIGINT
 * (exit 0); 2 bad usage or an invalid file, 1 the service could not start. */
int cli_serve_main(int argc, char **argv);

/* Prints "mynasim: <formatted error>" to stderr. */
void cli_print_error(const char *context, const struct core_error *err);
/* True when argv[i] is -h or --help. */
int cli_wants_help(int argc, char **argv);

#endif
