/*
 * cmd_conform.c: `mynasim conform issuance --sut 'COMMAND' [--from D] [--to D] [--policy P]... [--timeout S]
 * [--report text|json|junit] [--out PATH] [--quiet] FILE|DIR...`: an insurer's issuance system put under test
 * day by day against the engine's mailings (sim/conform, docs/CONFORMANCE.md). `--dump-days` prints the day
 * JSON the SUT would be given, one line per day, and runs no SUT.
 *
 * Exit: 0 every case matched, 1 a mailing differed, 2 bad usage or an invalid file, 3 the SUT failed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "conform/conform.h"
#include "scenario/scenario.h"
#include "world/world.h"

static const char conform_usage[] =
    "usage: mynasim conform issuance --sut COMMAND [--from DATE] [--to DATE] [--policy P]...\n"
    "                                [--timeout SECONDS] [--report text|json|junit] [--out PATH]\n"
    "                                [--quiet] FILE|DIR...\n"
    "       mynasim conform issuance --dump-days [--from DATE] [--to DATE] [--policy P] FILE\n\n"
    "Puts an insurer's issuance system (the SUT) under test. For each day of each scenario's period\n"
    "(or --from..--to), COMMAND (run once per case with /bin/sh -c) reads one JSON line on stdin:\n"
    "what the insurer knows that morning, the day's events and the policy's parameters in force. It\n"
    "answers on stdout with one JSON line per certificate or notice it mails that day, then\n"
    "{\"end_of_day\": \"YYYY-MM-DD\"}. Its mailings are compared with the engine's, and every difference\n"
    "is listed with the rule behind it. Protocol and schemas: docs/CONFORMANCE.md.\n\n"
    "  --sut COMMAND    the system under test (a shell command)\n"
    "  --from, --to     the days judged (default: the scenario's period)\n"
    "  --policy P       replay under P (a shipped name or a file); give it twice for two runs of each file\n"
    "  --timeout S      seconds the SUT has for each day's answer and to exit at the end (default 10)\n"
    "  --report FORMAT  text (default), json or junit\n"
    "  --out PATH       write the report to PATH instead of stdout\n"
    "  -q, --quiet      no progress on the terminal\n"
    "  --dump-days      print the day JSON lines of FILE and run no SUT\n\n"
    "exit status: 0 every day of every case matched, 1 a mailing differed, 2 bad usage or an invalid\n"
    "file, 3 the SUT failed (would not start, hung past the deadline, crashed, wrote garbage, exited\n"
    "early or with a non-zero status).\n";

#define POLICIES_MAX 4

static bool parse_day(const char *opt, const char *s, core_day *out)
{
    *out = CORE_DAY_NONE;
    if (s == NULL)
        return true;
    if (core_date_parse(s, strlen(s), out) == CORE_OK)
        return true;
    fprintf(stderr, "mynasim conform issuance: --%s '%s': expected a date YYYY-MM-DD\n", opt, s);
    return false;
}

static int dump_days(struct scenario *scn, core_day from, core_day to)
{
    from = from == CORE_DAY_NONE ? scn->period.from : from;
    to = to == CORE_DAY_NONE ? scn->period.to : to;
    struct world *w = NULL;
    struct core_error err;
    core_error_clear(&err);
    if (world_new(scn, &w, &err) != CORE_OK || world_run(w, &err) != CORE_OK) {
        cli_print_error_in("mynasim conform issuance", scn->file, &err);
        world_free(w);
        return CLI_EXIT_USAGE;
    }
    int status = CLI_EXIT_OK;
    for (core_day d = from; d <= to && status == CLI_EXIT_OK; d++) {
        char *s = conform_issuance_day_json(scn, w, d, true);
        if (s == NULL || printf("%s\n", s) < 0)
            status = CLI_EXIT_USAGE;
        free(s);
    }
    world_free(w);
    return status;
}

static int issuance_main(int argc, char **argv)
{
    const char *sut = NULL, *from_s = NULL, *to_s = NULL, *timeout_s = NULL, *report = NULL, *out = NULL;
    const char *policy[POLICIES_MAX] = {NULL};
    bool quiet = false, dump = false;
    struct cli_list policies = {.items = policy, .cap = POLICIES_MAX};
    const struct cli_opt opts[] = {
        {"sut", 0, CLI_OPT_VALUE, &sut},           {"from", 0, CLI_OPT_VALUE, &from_s},
        {"to", 0, CLI_OPT_VALUE, &to_s},           {"policy", 0, CLI_OPT_LIST, &policies},
        {"timeout", 0, CLI_OPT_VALUE, &timeout_s}, {"dump-days", 0, CLI_OPT_FLAG, &dump},
        CLI_REPORT_OPTS(&report, &out, &quiet)};
    const struct cli_spec spec = {.cmd = "conform issuance",
                                  .usage = conform_usage,
                                  .opts = opts,
                                  .nopts = sizeof opts / sizeof opts[0]};
    int nargs = 0;
    int rc = cli_parse(&spec, argc, argv, &nargs);
    if (rc != CLI_CONTINUE)
        return rc;
    struct conform_issuance_options o = {.sut = sut, .day_timeout_ms = 10000};
    enum report_format rf;
    if (!parse_day("from", from_s, &o.from) || !parse_day("to", to_s, &o.to) ||
        !cli_report_format("conform issuance", report, true, &rf))
        return CLI_EXIT_USAGE;
    if (timeout_s != NULL) {
        char *end = NULL;
        double t = strtod(timeout_s, &end);
        if (end == timeout_s || *end != '\0' || !(t > 0.0 && t <= 3600.0)) {
            fprintf(stderr,
                    "mynasim conform issuance: --timeout '%s': expected seconds, more than 0, at most "
                    "3600\n",
                    timeout_s);
            return CLI_EXIT_USAGE;
        }
        o.day_timeout_ms = (int)(t * 1000.0 + 0.5);
        if (o.day_timeout_ms < 1)
            o.day_timeout_ms = 1;
    }
    if (policies.count > POLICIES_MAX) {
        fprintf(stderr, "mynasim conform issuance: --policy given more than %d times\n", POLICIES_MAX);
        return CLI_EXIT_USAGE;
    }
    if ((sut == NULL || sut[0] == '\0') && !dump) {
        fprintf(stderr, "mynasim conform issuance: --sut COMMAND is required (see --help)\n");
        return CLI_EXIT_USAGE;
    }
    if (nargs == 0) {
        fprintf(stderr, "mynasim conform issuance: no FILE|DIR given (see --help)\n");
        return CLI_EXIT_USAGE;
    }
    for (size_t p = 0; p < policies.count; p++)
        if (!cli_policy_loads("mynasim conform issuance", policy[p]))
            return CLI_EXIT_USAGE;
    size_t sides = policies.count ? policies.count : 1;
    struct cli_files f;
    if (cli_files_open(&f, "conform issuance", argv + 1, (size_t)nargs, sides) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    struct scenario **scns = f.scns;
    int status = CLI_EXIT_USAGE;
    struct conform_case *cases = calloc(f.count * sides, sizeof *cases);
    size_t ncase = 0;
    if (cases == NULL)
        goto done;
    for (size_t i = 0; i < f.count; i++)
        for (size_t s = 0; s < sides; s++) {
            size_t problems;
            if (cli_load_scenario(f.paths[i], policies.count ? policy[s] : NULL, &scns[i * sides + s],
                                  &problems) != CORE_OK) {
                if (problems == 0)
                    fprintf(stderr, "%s: not valid\n", f.paths[i]);
                goto done;
            }
        }
    if (dump) {
        status = f.count * sides == 1 ? dump_days(scns[0], o.from, o.to) : CLI_EXIT_USAGE;
        if (f.count * sides != 1)
            fprintf(stderr,
                    "mynasim conform issuance: --dump-days takes one FILE and at most one --policy\n");
        goto done;
    }
    if (!cli_out_open(&f.out, "conform issuance", out))
        goto done;
    bool progress = cli_progress_on(quiet);
    for (size_t k = 0; k < f.count * sides; k++) {
        cli_progress(progress, k, f.count * sides, scns[k]->file);
        struct core_error err;
        core_error_clear(&err);
        if (conform_issuance_run(scns[k], &o, &cases[ncase], &err) != CORE_OK) {
            cli_progress_break(progress);
            cli_print_error_in("mynasim conform issuance", scns[k]->file, &err);
            goto done;
        }
        ncase++;
    }
    cli_progress_clear(progress);
    enum conform_format cf = rf == REPORT_JSON    ? CONFORM_JSON
                             : rf == REPORT_JUNIT ? CONFORM_JUNIT
                                                  : CONFORM_TEXT;
    status = conform_report(f.out.f, cf, cases, ncase) == CORE_OK ? conform_exit_code(cases, ncase)
                                                                  : CLI_EXIT_USAGE;
    if (!cli_out_commit(&f.out, "conform issuance", true))
        status = CLI_EXIT_USAGE;
done:
    for (size_t k = 0; k < ncase; k++)
        conform_case_free(&cases[k]);
    free(cases);
    cli_files_free(&f);
    return status;
}

int cli_conform_main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "issuance") == 0)
        return issuance_main(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(conform_usage, stdout);
        return CLI_EXIT_OK;
    }
    fprintf(stderr,
            "mynasim conform: expected a suite: issuance (the reception suites are to come; see --help)\n");
    return CLI_EXIT_USAGE;
}
