/*
 * cmd_compare.c: `mynasim compare --policy A --policy B [--report text|json|html] [--out PATH] [--quiet]
 * FILE|DIR...`: each scenario file replayed under two policies, and the days that are gap days (INV-1)
 * under one and not the other, with the rules that make the difference. Under `national` against
 * `as-announced-2024` it answers "who did the amendments keep insured?" (docs/RULES.md, Amendments).
 *
 * Every file is read twice, once under each policy (scenario_load_file_with_policy: the insurers' own
 * overrides apply on top of each), and all of them before anything is replayed: an invalid file prints every
 * problem as `file:line:column: what` on stderr and nothing is compared (exit 2). The policies themselves are
 * loaded once first, so a misspelt name is one usage error rather than one problem per file.
 *
 * Expectations are checked under both policies and compared, with visits, online checks and mailings
 * (replay_compare): a file's expectations are written for its own policy, so under the other some fail by
 * design, and that is a finding, not a failure. The exit status says only whether the comparison ran: 0
 * whatever it found, 2 on an invalid file, a file that cannot be replayed, or bad usage.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "replay/replay.h"
#include "report/report.h"
#include "scenario/scenario.h"

static const char compare_usage[] =
    "usage: mynasim compare --policy A --policy B [--report text|json|html] [--out PATH] [--quiet]\n"
    "                       FILE|DIR...\n\n"
    "Replays each scenario file under two policies (a shipped name such as national or\n"
    "as-announced-2024, or a policy file) and reports everything that differs: per resident, the days\n"
    "that are gap days under one policy and not the other, with the rules that make the difference\n"
    "(under national against as-announced-2024: who the amendments kept insured); the visits whose\n"
    "outcome, route, fee, online check with the card, claim error or rule differ; the certificates and\n"
    "notices mailed under one policy only; and each expectation that passes under one policy and fails\n"
    "under the other, with both messages. Totals: gap, grace and degraded days, expectations passed,\n"
    "visits and mailings under each. A DIR contributes every *.yaml file below it, in sorted order. The\n"
    "file's own policy is replaced by each in turn; its insurers' policy overrides apply on top.\n\n"
    "Expectations are written for the file's own policy: under the other some fail by design, so a\n"
    "failure here is a difference reported, never a failed compare (use 'mynasim run' to check them).\n\n"
    "  --policy P       a policy to compare; give exactly two, A then B\n"
    "  --report FORMAT  text (default), json or html (one self-contained page: docs/REPORTS.md)\n"
    "  --out PATH       write the report to PATH instead of stdout\n"
    "  -q, --quiet      no progress on the terminal\n\n"
    "exit status: 0 the comparison ran (whatever it found), 2 a file is not valid (every problem as\n"
    "file:line:column on stderr), a file cannot be replayed, or the command line is wrong.\n";

static void print_error(const char *context, const struct core_error *e)
{
    cli_print_error_in("mynasim compare", context, e);
}

struct compare_options {
    enum report_format format;
    const char *report, *out;
    const char *policy[REPLAY_SIDES];
    bool quiet;
    int nargs; /* the FILE|DIR arguments, at argv[1..1 + nargs) */
};

/* Reads the command line (cli_parse). Returns CLI_CONTINUE, or the exit status (--help, bad usage). */
static CORE_MUST_USE int parse_options(int argc, char **argv, struct compare_options *o)
{
    memset(o, 0, sizeof *o);
    struct cli_list policies = {.items = o->policy, .cap = REPLAY_SIDES};
    const struct cli_opt opts[] = {{"policy", 0, CLI_OPT_LIST, &policies},
                                   CLI_REPORT_OPTS(&o->report, &o->out, &o->quiet)};
    const struct cli_spec spec = {
        .cmd = "compare", .usage = compare_usage, .opts = opts, .nopts = sizeof opts / sizeof opts[0]};
    int rc = cli_parse(&spec, argc, argv, &o->nargs);
    if (rc != CLI_CONTINUE)
        return rc;
    if (policies.count > REPLAY_SIDES) {
        fprintf(stderr, "mynasim compare: --policy given more than twice (see --help)\n");
        return CLI_EXIT_USAGE;
    }
    for (size_t s = 0; s < policies.count; s++)
        if (o->policy[s][0] == '\0') {
            fprintf(stderr, "mynasim compare: --policy needs a name or a file\n");
            return CLI_EXIT_USAGE;
        }
    if (!cli_report_format("compare", o->report, false, &o->format))
        return CLI_EXIT_USAGE;
    if (policies.count != REPLAY_SIDES) {
        fprintf(stderr, "mynasim compare: give two policies: --policy A --policy B (see --help)\n");
        return CLI_EXIT_USAGE;
    }
    if (o->nargs == 0) {
        fprintf(stderr, "mynasim compare: no FILE|DIR given (see --help)\n");
        return CLI_EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

/* Each policy loads (a bad name is one usage error, not one problem per file). */
static CORE_MUST_USE bool policies_load(const struct compare_options *o)
{
    for (int s = 0; s < REPLAY_SIDES; s++)
        if (!cli_policy_loads("mynasim compare", o->policy[s]))
            return false;
    return true;
}

/* Reads every file under both policies; prints every problem (once per file) and returns false on any. */
static CORE_MUST_USE bool load_all(char **paths, size_t count, const struct compare_options *o,
                                   struct scenario *(*scns)[REPLAY_SIDES])
{
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        for (int s = 0; s < REPLAY_SIDES; s++) {
            size_t problems;
            if (cli_load_scenario(paths[i], o->policy[s], &scns[i][s], &problems) != CORE_OK) {
                ok = false;
                if (problems == 0)
                    fprintf(stderr, "%s: not valid\n", paths[i]);
                break; /* the same problems again under the other policy would only repeat them */
            }
        }
    }
    return ok;
}

static int compare_all(struct scenario *(*scns)[REPLAY_SIDES], size_t count, const struct compare_options *o,
                       struct report_compare *rep)
{
    bool progress = cli_progress_on(o->quiet);
    for (size_t i = 0; i < count; i++) {
        cli_progress(progress, i, count, scns[i][0]->file);
        struct replay_comparison cmp;
        struct core_error err;
        core_error_clear(&err);
        int rc = replay_compare(scns[i][0], scns[i][1], &cmp, &err);
        cli_progress_clear(progress); /* a text report on the same terminal starts on a clean line */
        if (rc == CORE_OK)
            rc = report_compare_add_sides(rep, scns[i][0], scns[i][1], &cmp, &err);
        replay_comparison_free(&cmp);
        if (rc != CORE_OK) {
            cli_progress_break(progress);
            print_error(scns[i][0]->file, &err);
            return CLI_EXIT_USAGE;
        }
    }
    if (progress)
        fprintf(stderr, "\r\033[Kmynasim compare: %zu file%s\n", count, count == 1 ? "" : "s");
    return CLI_EXIT_OK;
}

int cli_compare_main(int argc, char **argv)
{
    struct compare_options o;
    int rc = parse_options(argc, argv, &o);
    if (rc != CLI_CONTINUE)
        return rc;
    if (!policies_load(&o))
        return CLI_EXIT_USAGE;
    struct cli_files f;
    if (cli_files_open(&f, "compare", argv + 1, (size_t)o.nargs, REPLAY_SIDES) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    struct scenario *(*scns)[REPLAY_SIDES] = f.scns;
    int status = CLI_EXIT_USAGE;
    struct core_error err;
    core_error_clear(&err);
    if (!load_all(f.paths, f.count, &o, scns) || !cli_out_open(&f.out, "compare", o.out))
        goto done;
    struct report_compare *rep;
    if (report_compare_open(o.format, f.out.f, o.policy[0], o.policy[1], &rep, &err) != CORE_OK) {
        print_error(NULL, &err);
        goto done;
    }
    status = compare_all(scns, f.count, &o, rep);
    if (report_compare_close(rep, &err) != CORE_OK) {
        print_error(NULL, &err);
        status = CLI_EXIT_USAGE;
    }
    if (!cli_out_commit(&f.out, "compare", status == CLI_EXIT_OK))
        status = CLI_EXIT_USAGE;
done:
    cli_files_free(&f);
    return status;
}
