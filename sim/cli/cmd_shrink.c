/*
 * cmd_shrink.c: `mynasim shrink [--out FILE2] [--fidelity rules|wire] [-q] FILE`, a failing scenario reduced to
 * the fewest residents, events, visits and expectations that still fail the same way (replay.h, shrinking;
 * docs/POPULATIONS.md, "From a population failure to a scenario"). The reduced scenario goes to stdout or to
 * --out (written whole, then renamed into place); progress only on a terminal, on stderr; then, unless -q, one
 * line "mynasim shrink: residents A -> B, events ..., N replays".
 *
 * Exit status: 0 the reduced file was written; 2 FILE is not valid, is a population, nothing fails, or the
 * command line is wrong; 1 the reduction itself failed (a file that could not be written).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "replay/replay.h"
#include "scenario/scenario.h"

static const char shrink_usage[] =
    "usage: mynasim shrink [--out FILE2] [--fidelity rules|wire] [-q|--quiet] FILE\n\n"
    "Reduces a failing scenario file (docs/SCENARIO-FORMAT.md) by delta debugging to the fewest residents,\n"
    "then events, then visits, then expectations that are not part of the failure, that still fail the\n"
    "same way: the same failed (form, resident, date) and the same gap days of those residents. Every\n"
    "candidate is replayed in this process; the result is the same on every run and `mynasim run` fails\n"
    "it the same way. A population is not shrunk: extract its residents first (mynasim run --extract).\n\n"
    "  --out FILE2      write the reduced scenario to FILE2 (written whole, then renamed into place)\n"
    "                   instead of stdout\n"
    "  --fidelity F     wire (default, as mynasim run): visits and probes run the reception flow;\n"
    "                   rules: they call the check directly (faster, decides alike)\n"
    "  -q, --quiet      no progress and no closing line on stderr (progress shows on a terminal only)\n\n"
    "exit status: 0 the reduced file was written, 1 it could not be written, 2 FILE is not valid, is a\n"
    "population or nothing fails (\"nothing fails\"), or the command line is wrong.\n";

struct progress {
    bool on;
};

static void show(void *ctx, const char *phase, size_t runs, size_t left)
{
    const struct progress *p = ctx;
    if (p->on)
        fprintf(stderr, "\r\033[Kshrinking %s: %zu left, %zu replays", phase, left, runs);
}

int cli_shrink_main(int argc, char **argv)
{
    const char *out = NULL, *fidelity = NULL;
    bool quiet = false;
    const struct cli_opt opts[] = {
        {"out", 0, CLI_OPT_VALUE, &out},
        {"fidelity", 0, CLI_OPT_VALUE, &fidelity},
        {"quiet", 'q', CLI_OPT_FLAG, &quiet},
    };
    const struct cli_spec spec = {
        .cmd = "shrink", .usage = shrink_usage, .opts = opts, .nopts = sizeof opts / sizeof opts[0]};
    int nargs;
    int rc = cli_parse(&spec, argc, argv, &nargs);
    if (rc != CLI_CONTINUE)
        return rc;
    if (nargs != 1) {
        fprintf(stderr, "mynasim shrink: give one FILE\n");
        fputs(shrink_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    bool wire = true;
    if (fidelity != NULL && strcmp(fidelity, "rules") == 0)
        wire = false;
    else if (fidelity != NULL && strcmp(fidelity, "wire") != 0) {
        fprintf(stderr, "mynasim shrink: --fidelity '%s': expected rules or wire\n", fidelity);
        return CLI_EXIT_USAGE;
    }
    struct scenario *s = NULL;
    size_t problems;
    if (cli_load_scenario(argv[1], NULL, &s, &problems) != CORE_OK) {
        scenario_free(s);
        return CLI_EXIT_USAGE;
    }
    struct progress p = {.on = cli_progress_on(quiet)};
    struct replay_shrink_options so = {.wire = wire, .progress = show, .progress_ctx = &p};
    struct replay_shrink_result res;
    struct core_error err;
    core_error_clear(&err);
    rc = replay_shrink(s, &so, &res, &err);
    cli_progress_clear(p.on);
    if (rc != CORE_OK) {
        cli_print_error_in("mynasim shrink", NULL, &err);
        scenario_free(s);
        replay_shrink_result_free(&res);
        return rc == CORE_ESTATE || rc == CORE_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
    }
    int status = CLI_EXIT_OK;
    if (out == NULL) {
        if (fwrite(res.text, 1, res.len, stdout) != res.len || fflush(stdout) != 0) {
            fprintf(stderr, "mynasim shrink: the result could not be written\n");
            status = CLI_EXIT_FAILED;
        }
    } else if (core_file_write_atomic(out, res.text, res.len, &err) != CORE_OK) {
        cli_print_error_in("mynasim shrink", NULL, &err);
        status = CLI_EXIT_FAILED;
    }
    if (status == CLI_EXIT_OK && !quiet)
        fprintf(
            stderr,
            "mynasim shrink: residents %zu -> %zu, events %zu -> %zu, visits %zu -> %zu, expectations %zu "
            "-> %zu (%zu replays)\n",
            res.before[0], res.after[0], res.before[1], res.after[1], res.before[2], res.after[2],
            res.before[3], res.after[3], res.runs);
    replay_shrink_result_free(&res);
    scenario_free(s);
    return status;
}
