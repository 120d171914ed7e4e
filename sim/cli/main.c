/*
 * mynasim: the command. Subcommands are rows of a table; each row's function gets argv from its own name on.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct cli_command cli_commands[] = {
    {"card", cli_card_main, "the virtual My Number card: info, cert, serve, client, control, bench"},
    {"check", cli_check_main, "validate scenario files: every problem as file:line:column"},
    {"run", cli_run_main, "replay scenario files and check every expectation and invariant"},
    {"compare", cli_compare_main, "replay under two policies: who the amendments kept insured"},
    {"serve", cli_serve_main, "the eligibility service over HTTP"},
    {"terminal", cli_terminal_main, "the clinic's eligibility terminal by folders (req/, res/)"},
    {"at", cli_at_main, "run any program at a Japan date and time (libfaketime)"},
    {"conform", cli_conform_main, "conformance suites: an insurer's issuance system under test"},
    {"shrink", cli_shrink_main, "reduce a failing scenario to the residents and events that matter"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: mynasim [--version] [--help] <command> [<args>]\n\n"
                 "mynasim replays Japan's move from paper health insurance cards to the My Number card.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
        fprintf(out, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(out, "\n'mynasim help <command>' (or 'mynasim <command> --help') describes a command.\n");
}

/* `mynasim help [COMMAND [SUBCOMMAND...]]`: the top-level help alone, else exactly what `mynasim COMMAND
 * [SUBCOMMAND...] --help` prints (the command's own option parser prints it, so the two never differ). An
 * unknown command: exit 2 with the list. argv[0] is "help". */
static int help_main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++) {
        if (strcmp(argv[1], cli_commands[i].name) != 0)
            continue;
        /* argv[1..argc) then "--help": the command's words, the subcommand's, and the flag */
        char help_flag[] = "--help";
        char *args[16];
        if (argc > 15) {
            fprintf(stderr, "mynasim help: too many words (see mynasim help)\n");
            return CLI_EXIT_USAGE;
        }
        int n = 0;
        for (int k = 1; k < argc; k++)
            args[n++] = argv[k];
        args[n++] = help_flag;
        return cli_commands[i].run(n, args);
    }
    fprintf(stderr, "mynasim help: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("mynasim %s\n", MYNASIM_VERSION_STRING);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "help") == 0)
        return help_main(argc - 1, argv + 1);
    for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
        if (strcmp(argv[1], cli_commands[i].name) == 0)
            return cli_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "mynasim: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
