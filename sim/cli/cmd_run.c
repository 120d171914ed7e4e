/*
 * cmd_run.c: `mynasim run [--report text|json|junit] [--out PATH] [--policy NAME_OR_PATH] [--detail]
 * [--fidelity rules|wire] [--service HOST:PORT --card-control SOCKET [--card-reader NAME]] [--quiet] FILE|DIR...`,
 * the scenario runner (docs/SCENARIO-FORMAT.md, Running). The named residents' visits and probes take the wire
 * path by default (docs/DESIGN.md, the two paths); --service and --card-control take it through real
 * processes (docs/WIRE.md).
 *
 * Every file is read first. When any is not valid, every problem of every file is printed as
 * `file:line:column: what` on stderr and nothing is replayed (exit 2): a run that checks half the library
 * would report a result nobody asked for. Then each file is replayed in sorted order and added to the report,
 * which goes to stdout or to --out (written whole, then renamed into place, so a reader never sees half a
 * report). Progress goes to stderr only when stderr is a terminal and --quiet is not given, so CI logs keep
 * only the report.
 *
 * --detail: the per-resident detail of every population (report.h, report_detail_household) goes to stdout or
 * --out as JSON Lines, one line per generated resident written as its household finishes; the report then
 * goes to stderr, so `mynasim run --detail f.yaml | wc -l` counts the residents.
 *
 * Exit status: 0 every expectation holds and no gap day goes unexpected; 1 any fails; 2 a file is not valid,
 * a file cannot be replayed, or the command line is wrong.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "replay/replay.h"
#include "report/report.h"
#include "scenario/scenario.h"
#include "world/world.h"

static const char run_usage[] =
    "usage: mynasim run [--report text|json|junit] [--out PATH] [--policy NAME_OR_PATH] [--detail]\n"
    "                   [--fidelity rules|wire] [--service HOST:PORT --card-control SOCKET\n"
    "                   [--card-reader NAME]] [--quiet] FILE|DIR...\n\n"
    "Replays scenario files (docs/SCENARIO-FORMAT.md) day by day and checks every expectation and "
    "the daily\n"
    "invariants. A DIR contributes every *.yaml file below it, in sorted order.\n\n"
    "  --report FORMAT  text (default), json or junit\n"
    "  --out PATH       write the report to PATH instead of stdout\n"
    "  --policy P       replay under policy P (a shipped name or a file) instead of the file's own\n"
    "  --detail         write every generated resident of a population (JSON Lines, one a line) to\n"
    "                   stdout or --out, as it is produced; the report then goes to stderr\n"
    "  --fidelity F     wire (default): the named residents' visits and probes run the reception flow\n"
    "                   (APDUs to virtual cards, messages to the eligibility service, in process);\n"
    "                   rules: they call the check directly. Populations always take the rules path\n"
    "  --service HOST:PORT\n"
    "                   the wire path against `mynasim serve --control` replaying the same FILE (one\n"
    "                   FILE only; implies --fidelity wire; docs/WIRE.md)\n"
    "  --card-control SOCKET\n"
    "                   with --service: the control socket of `mynasim card serve --control`, whose\n"
    "                   slot gets each visit's card\n"
    "  --card-reader NAME\n"
    "                   with --service: the PC/SC reader that card is read through (a part of its\n"
    "                   name; default: the first reader with a card)\n"
    "  --quiet          no progress on the terminal\n\n"
    "exit status: 0 every expectation holds and no gap day goes unexpected, 1 any fails,\n"
    "2 a file is not valid (every problem as file:line:column on stderr) or the command line is "
    "wrong.\n";

struct run_options {
    enum report_format format;
    const char *report, *out;
    const char *policy;
    bool quiet;
    bool detail;
    bool wire;
    const char *fidelity;
    const char *service, *card_reader, *card_control;
    int nargs; /* the FILE|DIR arguments, at argv[1..1 + nargs) */
};

/* Reads the command line (cli_parse). Returns CLI_CONTINUE, or the exit status (--help, bad usage). */
static int parse_options(int argc, char **argv, struct run_options *o)
{
    memset(o, 0, sizeof *o);
    const struct cli_opt opts[] = {
        CLI_REPORT_OPTS(&o->report, &o->out, &o->quiet),
        {"policy", 0, CLI_OPT_VALUE, &o->policy},
        {"detail", 0, CLI_OPT_FLAG, &o->detail},
        {"fidelity", 0, CLI_OPT_VALUE, &o->fidelity},
        {"service", 0, CLI_OPT_VALUE, &o->service},
        {"card-reader", 0, CLI_OPT_VALUE, &o->card_reader},
        {"card-control", 0, CLI_OPT_VALUE, &o->card_control},
    };
    const struct cli_spec spec = {
        .cmd = "run", .usage = run_usage, .opts = opts, .nopts = sizeof opts / sizeof opts[0]};
    int rc = cli_parse(&spec, argc, argv, &o->nargs);
    if (rc != CLI_CONTINUE)
        return rc;
    if (!cli_report_format("run", o->report, true, &o->format))
        return CLI_EXIT_USAGE;
    if (o->fidelity != NULL && strcmp(o->fidelity, "rules") != 0 && strcmp(o->fidelity, "wire") != 0) {
        fprintf(stderr, "mynasim run: --fidelity '%s': expected rules or wire\n", o->fidelity);
        return CLI_EXIT_USAGE;
    }
    o->wire = o->fidelity == NULL || strcmp(o->fidelity, "wire") == 0;
    if ((o->card_reader != NULL || o->card_control != NULL) && o->service == NULL) {
        fprintf(stderr, "mynasim run: --card-reader and --card-control go with --service\n");
        return CLI_EXIT_USAGE;
    }
    if (o->service != NULL && o->card_control == NULL) {
        fprintf(stderr,
                "mynasim run: --service needs --card-control SOCKET (the card server's control channel)\n");
        return CLI_EXIT_USAGE;
    }
    if (o->service != NULL && !o->wire) {
        fprintf(stderr, "mynasim run: --service is the wire path; it cannot go with --fidelity rules\n");
        return CLI_EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

/* --service: the world's wire path goes through the real service and card server (docs/WIRE.md). */
static int prepare_remote(void *ctx, struct world *w, struct core_error *err)
{
    return world_set_wire_remote(w, ctx, err);
}

/* Replays each scenario into the report. Returns the exit status. */
static int replay_all(struct scenario **scns, size_t count, const struct run_options *o, struct report *rep,
                      FILE *detail_out)
{
    bool progress = cli_progress_on(o->quiet);
    size_t failed_files = 0;
    int status = CLI_EXIT_OK;
    struct world_wire_remote remote = {
        .service = o->service, .reader = o->card_reader, .card_control = o->card_control};
    for (size_t i = 0; i < count; i++) {
        cli_progress(progress, i, count, scns[i]->file);
        struct replay_run_result res;
        struct core_error err;
        core_error_clear(&err);
        struct report_detail detail = {.out = detail_out, .file = scns[i]->file};
        struct replay_run_options ro = {.population_detail =
                                            detail_out != NULL ? report_detail_household : NULL,
                                        .population_detail_ctx = &detail,
                                        .wire = o->wire,
                                        .prepare = o->service != NULL ? prepare_remote : NULL,
                                        .prepare_ctx = &remote};
        int rc = replay_run_with(scns[i], &ro, &res, &err);
        if (rc != CORE_OK) {
            cli_progress_break(progress);
            cli_print_error(scns[i]->file, &err);
            const char *why = res.world != NULL ? world_wire_error(res.world) : NULL;
            if (why != NULL)
                fprintf(stderr, "%s: the remote wire path failed: %s\n", scns[i]->file, why);
            replay_run_result_free(&res);
            return CLI_EXIT_USAGE;
        }
        if (res.failed > 0) {
            failed_files++;
            status = CLI_EXIT_FAILED;
        }
        rc = report_add(rep, scns[i], &res, &err);
        replay_run_result_free(&res);
        if (rc != CORE_OK) {
            cli_progress_break(progress);
            cli_print_error(NULL, &err); /* the message starts "report: " */
            return CLI_EXIT_USAGE;
        }
    }
    if (progress)
        fprintf(stderr, "\r\033[Kmynasim run: %zu file%s, %zu failed\n", count, count == 1 ? "" : "s",
                failed_files);
    return status;
}

int cli_run_main(int argc, char **argv)
{
    struct run_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != CLI_CONTINUE)
        return rc;
    /* one usage error for a bad --policy, rather than one problem per file */
    if (o.policy != NULL && !cli_policy_loads("mynasim", o.policy))
        return CLI_EXIT_USAGE;
    if (o.nargs == 0) {
        fputs(run_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    struct cli_files f;
    if (cli_files_open(&f, "run", argv + 1, (size_t)o.nargs, 1) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    int status = CLI_EXIT_USAGE;
    if (o.service != NULL && f.count != 1) {
        fprintf(
            stderr,
            "mynasim run: --service answers from the registry of the one scenario it replays: give one FILE, "
            "not %zu\n",
            f.count);
        goto done;
    }
    struct scenario **scns = f.scns;
    struct core_error err;
    core_error_clear(&err);
    /* --policy: each insurer's overrides apply on top of the given policy (read with it). */
    if (!cli_load_scenarios(f.paths, f.count, o.policy, scns) || !cli_out_open(&f.out, "run", o.out))
        goto done;
    struct report *rep;
    if (report_open(o.format, o.detail ? stderr : f.out.f, &rep, &err) != CORE_OK) {
        cli_print_error(NULL, &err); /* the message starts "report: " */
        goto done;
    }
    status = replay_all(scns, f.count, &o, rep, o.detail ? f.out.f : NULL);
    if (o.detail && (fflush(f.out.f) != 0 || ferror(f.out.f))) {
        fprintf(stderr, "mynasim run: the detail could not be written\n");
        status = CLI_EXIT_USAGE;
    }
    if (report_close(rep, &err) != CORE_OK) {
        cli_print_error(NULL, &err); /* the message starts "report: " */
        status = CLI_EXIT_USAGE;
    }
    if (!cli_out_commit(&f.out, "run", status != CLI_EXIT_USAGE))
        status = CLI_EXIT_USAGE;
done:
    cli_files_free(&f);
    return status;
}
