/*
 * cli: the mynasim command. main.c dispatches subcommands from a table; each cmd_*.c implements one family.
 * Only cli/ (and report/) print or exit. Exit codes: 0 success, 1 a check failed, 2 bad input or usage.
 */
#ifndef MYNASIM_CLI_H
#define MYNASIM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/core.h"
#include "report/report.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,
    CLI_EXIT_USAGE = 2,
};

/* `mynasim card ...`: argv[0] is "card". */
CORE_MUST_USE int cli_card_main(int argc, char **argv);
/* `mynasim check FILE|DIR...`: validates scenario files; argv[0] is "check". Exit 0 all valid, 2 otherwise.
 */
CORE_MUST_USE int cli_check_main(int argc, char **argv);
/* `mynasim run [--report F] [--out P] [--policy P] [--quiet] FILE|DIR...`: replays scenario files and checks
 * them; argv[0] is "run". Exit 0 all hold, 1 any failed, 2 a file is not valid or bad usage. */
CORE_MUST_USE int cli_run_main(int argc, char **argv);
/* `mynasim compare --policy A --policy B [--report F] [--out P] [--quiet] FILE|DIR...`: replays scenario
 * files under two policies and reports the gap days of one and not the other; argv[0] is "compare". Exit 0
 * the comparison ran, 2 a file is not valid or bad usage. Expectations are checked under both and compared. */
CORE_MUST_USE int cli_compare_main(int argc, char **argv);

/* `mynasim serve --listen HOST:PORT [--control] [--date D] [--policy P] [--seed N] FILE`: the eligibility
 * service over HTTP, its registry built by replaying FILE; argv[0] is "serve". Runs until SIGTERM/SIGINT
 * (exit 0); 2 bad usage or an invalid file, 1 the service could not start. */
CORE_MUST_USE int cli_serve_main(int argc, char **argv);

/* `mynasim terminal --folders DIR [--encoding E] [--date D] [--poll] [--once] [--policy P] [--seed N] FILE`: the
 * clinic's eligibility terminal by folders (docs/TERMINAL.md); argv[0] is "terminal". Runs until SIGTERM/SIGINT
 * (exit 0); 2 bad usage, an invalid file or missing folders, 1 the watch failed or an answer could not be written. */
CORE_MUST_USE int cli_terminal_main(int argc, char **argv);

/* `mynasim at DATETIME -- COMMAND...`, `at --clock FILE -- COMMAND...`, `at --set-clock FILE DATETIME`: a
 * program at a Japan time through libfaketime (docs/TIME.md); argv[0] is "at". Execs COMMAND (its status is
 * then COMMAND's); 2 bad usage, 1 libfaketime or the clock file is missing, 127/126 COMMAND not found/runnable. */
CORE_MUST_USE int cli_at_main(int argc, char **argv);

/* `mynasim conform issuance --sut COMMAND [...] FILE|DIR...`: an insurer's issuance system under test against
 * the engine's mailings (docs/CONFORMANCE.md); argv[0] is "conform". Exit 0 all match, 1 a difference, 2 bad
 * usage or an invalid file, 3 the SUT failed. */
CORE_MUST_USE int cli_conform_main(int argc, char **argv);

/* `mynasim shrink [--out FILE2] [--fidelity F] [-q] FILE`: a failing scenario reduced by delta debugging
 * (replay.h, shrinking); argv[0] is "shrink". Exit 0 written, 1 not written, 2 not valid, nothing fails or
 * bad usage. */
CORE_MUST_USE int cli_shrink_main(int argc, char **argv);

/* ---- shared by the subcommands (sim/cli/common.c) ---------------------------------------------------- */

struct scenario;

/* Prints "mynasim: context: <formatted error>" to stderr ("mynasim: <formatted error>" without a context). */
void cli_print_error(const char *context, const struct core_error *err);
/* The same under another prefix, e.g. "mynasim compare". */
void cli_print_error_in(const char *prefix, const char *context, const struct core_error *err);
/* Prints one problem as "file:line:column: what" (core_error_format) on its own line to stderr. */
void cli_print_problem(const struct core_error *err);
/*
 * The one option parser of every subcommand (getopt_long underneath). A command describes its options as a
 * table of rows; "--name VALUE", "--name=VALUE" and the short "-c" forms all work, options and operands
 * (FILE|DIR...) may come in any order, and "--" ends the options. Every command also takes -h/--help, which
 * prints its usage on stdout and exits 0 (help wins over any other problem on the line). Errors go to stderr
 * as "mynasim CMD: unknown option '--x' (see --help)", "mynasim CMD: option '--out' needs a value (see
 * --help)" or "mynasim CMD: option '--quiet' takes no value (see --help)", and exit 2. Names are taken whole:
 * an abbreviation (--pol for --policy) is an unknown option. With MYNASIM_HELP_CHECK set in the environment
 * (ctest cli.help), --help also checks that its text names every option of the table (each --name and -c),
 * naming each one missing on stderr and exiting 2.
 */
enum cli_opt_kind {
    CLI_OPT_FLAG,  /* no value; target: bool *, set true */
    CLI_OPT_VALUE, /* one value; target: const char **, the last one given wins */
    CLI_OPT_LIST,  /* a value every time it is given; target: struct cli_list * */
};

/* Values of an option that may be given more than once (compare --policy A --policy B), in order. */
struct cli_list {
    const char **items; /* room for `cap` values */
    size_t cap;
    size_t count; /* how many were given; may exceed cap (only the first cap are kept) */
};

struct cli_opt {
    const char *name; /* the long name without "--": "out" */
    char short_name;  /* 'q' for -q, or 0 */
    enum cli_opt_kind kind;
    void *target;
};

struct cli_spec {
    const char *cmd;   /* "run", "card info": messages start "mynasim CMD: " */
    const char *usage; /* printed on stdout for -h/--help */
    const struct cli_opt *opts;
    size_t nopts;
    bool operands_end_options; /* the first operand ends the options (card control COMMAND ARGS...) */
    bool no_operands;          /* an operand is a usage error: "unexpected argument 'X'" */
};

/* What cli_parse returns when the command should go on; anything else is its exit status. */
#define CLI_CONTINUE (-1)

/* Parses argv[1..argc) (argv[0] is the command's name) by spec, filling the targets of the options given.
 * The operands, in their order, are moved to argv[1..1 + *nargs). Returns CLI_CONTINUE, or CLI_EXIT_OK after
 * --help, or CLI_EXIT_USAGE after printing the problem. Reentrant across calls (getopt is reset each time),
 * not across threads. */
CORE_MUST_USE int cli_parse(const struct cli_spec *spec, int argc, char **argv, int *nargs);

/* The options of the commands that write a report (run, compare), as rows of their tables: --report FORMAT
 * and --out PATH into `const char *`s, --quiet (-q) into a bool. */
/* clang-format off */ /* (it takes the last row's braces for a block) */
#define CLI_REPORT_OPTS(report, out, quiet)                                                                  \
    {"report", 0, CLI_OPT_VALUE, (report)}, {"out", 0, CLI_OPT_VALUE, (out)},                                \
    {"quiet", 'q', CLI_OPT_FLAG, (quiet)}
/* clang-format on */
/* Reads --report's word into *format (text when `given` is NULL); junit only when `junit`. Else prints
 * "mynasim CMD: --report 'WORD': expected text, json, junit or html" (or "text, json or html") and returns false. */
CORE_MUST_USE bool cli_report_format(const char *cmd, const char *given, bool junit,
                                     enum report_format *format);

/* Whether `policy` (a shipped name or a file) loads; when not, prints "PREFIX: POLICY: <error>" once, so a
 * misspelt name is one usage error rather than one problem per file. */
CORE_MUST_USE bool cli_policy_loads(const char *prefix, const char *policy);
/* Expands FILE|DIR arguments (scenario_paths_expand). On an error prints it, on no file at all prints
 * "mynasim CMD: no *.yaml files found", and returns CLI_EXIT_USAGE with nothing to free; else CLI_EXIT_OK
 * and the caller frees *paths with scenario_paths_free. */
CORE_MUST_USE int cli_paths_expand(const char *cmd, char **args, size_t nargs, char ***paths, size_t *count);
/* Reads one scenario file, under `policy` when not NULL (scenario_load_file_with_policy). When it is not
 * valid prints every problem as file:line:column: what, then "PATH: N more problems not shown" when some
 * were left out; *problems is how many there were. Returns the loader's status. */
CORE_MUST_USE int cli_load_scenario(const char *path, const char *policy, struct scenario **out,
                                    size_t *problems);
/* Reads every file into scns[i] as cli_load_scenario does ("PATH: not valid" for a file refused without a
 * problem). Returns false when any is not valid; the caller frees every scns[i] either way. */
CORE_MUST_USE bool cli_load_scenarios(char **paths, size_t count, const char *policy, struct scenario **scns);

/* A report's destination: stdout, or --out PATH through core's one writer (core_file_out_open): a regular
 * file or a new one is written to a hidden temporary file beside it and renamed into place when complete, so a
 * reader never sees half a report; /dev/stdout and character devices (/dev/null) are written through; a
 * symlink, a FIFO or a directory is refused. Initialise with {.f = NULL}. */
struct cli_out {
    FILE *f;
    struct core_file_out file;
    const char *path;
};
/* Opens stdout when path is NULL, else PATH ("mynasim CMD: PATH: why" when it cannot). Returns false when
 * nothing could be opened; cli_out_release then cleans up. */
CORE_MUST_USE bool cli_out_open(struct cli_out *o, const char *cmd, const char *path);
/* Flushes the report and, when `keep`, puts it in place ("mynasim CMD: PATH: why" when that fails); else
 * removes the temporary file. Returns whether the report is in place (stdout: `keep`). */
CORE_MUST_USE bool cli_out_commit(struct cli_out *o, const char *cmd, bool keep);
/* Closes and removes a temporary file still open (a run that stopped early) and frees what cli_out_open took. */
void cli_out_release(struct cli_out *o);

/* The files of a run or a compare: the FILE|DIR arguments expanded, room for `sides` readings of each file
 * (calloc'ed, so every reading starts NULL) and the report's destination. */
struct cli_files {
    char **paths;
    size_t count;
    size_t sides;
    void *scns; /* count * sides struct scenario pointers: `struct scenario **` for one side, `struct
                 * scenario *(*)[SIDES]` for more; every one not NULL is freed by cli_files_free */
    struct cli_out out;
};
/* Expands args (cli_paths_expand) and allocates the readings. Returns CLI_EXIT_OK, or CLI_EXIT_USAGE after
 * printing why (then there is nothing to free). */
CORE_MUST_USE int cli_files_open(struct cli_files *f, const char *cmd, char **args, size_t nargs,
                                 size_t sides);
/* Releases the destination (cli_out_release), frees every reading, the room and the paths. */
void cli_files_free(struct cli_files *f);

/* True when progress should be shown: not `quiet` and stderr is a terminal. */
bool cli_progress_on(bool quiet);
/* When `on`, "[i+1/count] file" over the previous progress line. */
void cli_progress(bool on, size_t i, size_t count, const char *file);
/* When `on`, clears the progress line so that an error printed next starts a line of its own. */
void cli_progress_break(bool on);
/* When `on`, clears the progress line ("\r" and erase to the end of the line): before anything else is
 * printed on the terminal, a report on stdout included, so no line carries a piece of progress. */
void cli_progress_clear(bool on);

/* ---- `mynasim run --process` (sim/cli/process.c, docs/WIRE.md) ---------------------------------------- */

/* Where libfaketime is (sim/cli/cmd_at.c, docs/TIME.md): $MYNASIM_LIBFAKETIME alone when set, else the usual
 * places; NULL when none is there, *wanted then naming the first place looked at. */
const char *cli_find_libfaketime(const char **wanted);

/* The processes `mynasim run --process` starts and stops: a private pcscd with vpcd (in a mount and network
 * namespace of the run's own), `mynasim card serve --control` and, per scenario, `mynasim serve --control`, the
 * last two under `mynasim at --clock FILE` on one clock file the run steps. Every one is stopped by its PID,
 * also on SIGINT and SIGTERM. */
struct cli_process;
struct world_wire_remote;
/* Checks the tools (pcscd, vpcd, libfaketime: a missing one is named with its Debian package), enters the
 * namespaces, starts pcscd and the card server on the clock at `first`, 10:00 Japan time, and waits until a
 * card is in the reader. Prints why it failed
 * ("mynasim run: ...") and returns NULL then, everything it started stopped. `verbose`: a line on stderr per
 * process started and stopped and per clock step. `progress`: what it waits for on the progress line. */
struct cli_process *cli_process_start(core_day first, bool verbose, bool progress);
/* Starts the eligibility service replaying `file` (under `policy` when not NULL) with the clock at `first`,
 * 10:00 Japan time, and waits until it listens; fills the remote wire path's pieces into *remote (the service,
 * the reader, the card's control socket and the clock's step, world.h). */
CORE_MUST_USE int cli_process_service_start(struct cli_process *p, const char *file, const char *policy,
                                            core_day first, struct world_wire_remote *remote,
                                            struct core_error *err);
/* Stops the service of the file (SIGTERM, by PID); an error when it did not exit 0. */
CORE_MUST_USE int cli_process_service_stop(struct cli_process *p, struct core_error *err);
/* Stops every process left (by PID) and removes the run's files. NULL is fine. */
void cli_process_stop(struct cli_process *p);

#endif
