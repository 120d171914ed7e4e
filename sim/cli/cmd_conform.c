/*
 * cmd_conform.c: `mynasim conform issuance --sut 'COMMAND' [--from D] [--to D] [--policy P]... [--timeout S]
 * [--report text|json|junit] [--out PATH] [--quiet] FILE|DIR...`: an insurer's issuance system put under test
 * day by day against the engine's mailings (sim/conform, docs/CONFORMANCE.md). `--dump-days` prints the day
 * JSON the SUT would be given, one line per day, and runs no SUT.
 *
 * `mynasim conform reception --folders DIR --decisions DIR2 [--suite FILE] [--sut COMMAND] ...`: a reception
 * system judged visit by visit through the terminal's folders (sim/conform reception.c).
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

static CORE_MUST_USE bool parse_day(const char *opt, const char *s, core_day *out)
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

/* ---- mynasim conform reception ---------------------------------------------------------------------- */

static const char reception_usage[] =
    "usage: mynasim conform reception --folders DIR --decisions DIR2 [--suite FILE] [--sut COMMAND]\n"
    "                                 [--policy P] [--timeout S] [--report text|json|junit] [--out PATH]\n"
    "                                 [--quiet] [FILE[:LINE]...]\n\n"
    "Puts a reception system (the SUT) under test through the terminal's exchange folders. Each case is a\n"
    "visit expectation of a scenario file: mynasim replays the scenario, answers the SUT's requests\n"
    "OQSsiquc01req_*.xml from DIR/req in DIR/res at the visit's day, writes the face reader's result\n"
    "DIR/face/OQSsiquc01res_face_<visit>_*.xml when the card is shown, then the visit file\n"
    "DIR/paper/<visit>.json, and waits for the SUT's decision DIR2/<visit>.json. The decision and every\n"
    "request are judged against the desk's rules for that day. Contract: docs/RECEPTION-INTERFACE.md;\n"
    "the suite: docs/CONFORMANCE.md.\n\n"
    "  --folders DIR    the exchange folders (DIR/req, DIR/res, DIR/face and DIR/paper must exist)\n"
    "  --decisions DIR2 where the SUT writes its decisions\n"
    "  --suite FILE     the cases, one FILE or FILE:LINE a line, # for comments\n"
    "                   (scenarios/conformance/reception-suite.txt); FILE[:LINE] arguments add cases\n"
    "  --sut COMMAND    start the SUT with /bin/sh -c (one process for the run; MYNASIM_FOLDERS,\n"
    "                   MYNASIM_DECISIONS and MYNASIM_POLICY in its environment); without it a SUT\n"
    "                   already watching the folders is judged\n"
    "  --policy P       replay every case under P (default: each scenario's own policy)\n"
    "  --timeout S      seconds the SUT has for each decision (default 10)\n"
    "  --report FORMAT  text (default), json or junit\n"
    "  --out PATH       write the report to PATH instead of stdout\n"
    "  -q, --quiet      no progress on the terminal\n\n"
    "exit status: 0 every case passed, 1 a wrong decision or request, 2 bad usage or an invalid file,\n"
    "3 the SUT failed (no decision in time, a file that is not a decision, exited).\n";

#define RECEPTION_CASES_MAX 512

/* One entry of the suite: a file and a line (0: every visit expectation of the file). */
struct entry {
    char path[512];
    int line;
    int where; /* the suite's line, 0 for an argument */
};

static CORE_MUST_USE bool parse_entry(const char *text, int where, const char *suite, struct entry *e)
{
    memset(e, 0, sizeof *e);
    e->where = where;
    const char *colon = strrchr(text, ':');
    size_t n = strlen(text);
    if (colon != NULL && colon[1] != '\0') {
        char *end = NULL;
        long l = strtol(colon + 1, &end, 10);
        if (*end != '\0' || l <= 0 || l > 1000000) {
            fprintf(stderr, "%s%s%d%s'%s': expected FILE or FILE:LINE\n", suite ? suite : "",
                    suite ? ":" : "", where, suite ? ": " : "", text);
            return false;
        }
        e->line = (int)l;
        n = (size_t)(colon - text);
    }
    if (n == 0 || n >= sizeof e->path) {
        fprintf(stderr, "%s:%d: '%s': expected FILE or FILE:LINE\n", suite ? suite : "argument", where, text);
        return false;
    }
    memcpy(e->path, text, n);
    e->path[n] = '\0';
    return true;
}

static CORE_MUST_USE bool read_suite(const char *suite, struct entry *out, size_t cap, size_t *n)
{
    FILE *f = fopen(suite, "r");
    if (f == NULL) {
        fprintf(stderr, "mynasim conform reception: --suite %s: cannot be read\n", suite);
        return false;
    }
    char line[1024];
    int no = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, f) != NULL) {
        no++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
            *--e = '\0';
        if (*s == '\0')
            continue;
        if (*n == cap) {
            fprintf(stderr, "%s:%d: more than %zu cases\n", suite, no, cap);
            ok = false;
        } else
            ok = parse_entry(s, no, suite, &out[(*n)++]);
    }
    fclose(f);
    return ok;
}

static int reception_main(int argc, char **argv)
{
    const char *folders = NULL, *decisions = NULL, *suite = NULL, *sut = NULL, *policy = NULL,
               *timeout_s = NULL, *report = NULL, *out = NULL;
    bool quiet = false;
    const struct cli_opt opts[] = {
        {"folders", 0, CLI_OPT_VALUE, &folders}, {"decisions", 0, CLI_OPT_VALUE, &decisions},
        {"suite", 0, CLI_OPT_VALUE, &suite},     {"sut", 0, CLI_OPT_VALUE, &sut},
        {"policy", 0, CLI_OPT_VALUE, &policy},   {"timeout", 0, CLI_OPT_VALUE, &timeout_s},
        CLI_REPORT_OPTS(&report, &out, &quiet)};
    const struct cli_spec spec = {.cmd = "conform reception",
                                  .usage = reception_usage,
                                  .opts = opts,
                                  .nopts = sizeof opts / sizeof opts[0]};
    int nargs = 0;
    int rc = cli_parse(&spec, argc, argv, &nargs);
    if (rc != CLI_CONTINUE)
        return rc;
    enum report_format rf;
    if (!cli_report_format("conform reception", report, true, &rf))
        return CLI_EXIT_USAGE;
    struct conform_reception_options o = {
        .folders = folders, .decisions = decisions, .sut = sut, .policy = policy, .timeout_ms = 10000};
    if (timeout_s != NULL) {
        char *end = NULL;
        double t = strtod(timeout_s, &end);
        if (end == timeout_s || *end != '\0' || !(t > 0.0 && t <= 3600.0)) {
            fprintf(
                stderr,
                "mynasim conform reception: --timeout '%s': expected seconds, more than 0, at most 3600\n",
                timeout_s);
            return CLI_EXIT_USAGE;
        }
        o.timeout_ms = (int)(t * 1000.0 + 0.5);
        if (o.timeout_ms < 1)
            o.timeout_ms = 1;
    }
    if (folders == NULL || decisions == NULL) {
        fprintf(stderr,
                "mynasim conform reception: --folders DIR and --decisions DIR2 are required (see --help)\n");
        return CLI_EXIT_USAGE;
    }
    if (policy != NULL && !cli_policy_loads("mynasim conform reception", policy))
        return CLI_EXIT_USAGE;
    struct entry *entries = calloc(RECEPTION_CASES_MAX, sizeof *entries);
    struct conform_visit *cases = calloc(RECEPTION_CASES_MAX, sizeof *cases);
    size_t nent = 0, ncase = 0;
    int status = CLI_EXIT_USAGE;
    struct conform_reception *session = NULL;
    struct cli_out dest;
    memset(&dest, 0, sizeof dest);
    bool dest_open = false;
    if (entries == NULL || cases == NULL)
        goto done;
    if (suite != NULL && !read_suite(suite, entries, RECEPTION_CASES_MAX, &nent))
        goto done;
    for (int i = 1; i <= nargs; i++) {
        if (nent == RECEPTION_CASES_MAX || !parse_entry(argv[i], i, NULL, &entries[nent]))
            goto done;
        nent++;
    }
    if (nent == 0) {
        fprintf(stderr,
                "mynasim conform reception: no case: give --suite FILE or FILE[:LINE] (see --help)\n");
        goto done;
    }
    struct core_error err;
    core_error_clear(&err);
    if (conform_reception_open(&o, &session, &err) != CORE_OK) {
        cli_print_error_in("mynasim conform reception", NULL, &err);
        goto done;
    }
    if (!cli_out_open(&dest, "conform reception", out))
        goto done;
    dest_open = true;
    bool progress = cli_progress_on(quiet);
    /* entries of one file next to each other share one replay */
    for (size_t i = 0; i < nent;) {
        size_t j = i + 1;
        while (j < nent && strcmp(entries[j].path, entries[i].path) == 0 && entries[j].line != 0 &&
               entries[i].line != 0)
            j++;
        int lines[64];
        size_t nl = 0;
        for (size_t k = i; k < j && nl < 64; k++)
            if (entries[k].line != 0)
                lines[nl++] = entries[k].line;
        if (j - i > 64)
            j = i + 64;
        cli_progress(progress, i, nent, entries[i].path);
        struct scenario *scn = NULL;
        size_t problems = 0;
        if (cli_load_scenario(entries[i].path, policy, &scn, &problems) != CORE_OK) {
            cli_progress_break(progress);
            if (problems == 0)
                fprintf(stderr, "%s: not valid\n", entries[i].path);
            scenario_free(scn);
            goto done;
        }
        size_t got = 0;
        core_error_clear(&err);
        int r = conform_reception_scenario(session, scn, lines, nl, cases + ncase,
                                           RECEPTION_CASES_MAX - ncase, &got, &err);
        ncase += got;
        if (r != CORE_OK) {
            cli_progress_break(progress);
            cli_print_error_in("mynasim conform reception", scn->file, &err);
            scenario_free(scn);
            goto done;
        }
        scenario_free(scn);
        i = j;
    }
    cli_progress_clear(progress);
    enum conform_format cf = rf == REPORT_JSON    ? CONFORM_JSON
                             : rf == REPORT_JUNIT ? CONFORM_JUNIT
                                                  : CONFORM_TEXT;
    status = conform_reception_report(dest.f, cf, cases, ncase) == CORE_OK
                 ? conform_reception_exit_code(cases, ncase)
                 : CLI_EXIT_USAGE;
    if (!cli_out_commit(&dest, "conform reception", true))
        status = CLI_EXIT_USAGE;
    dest_open = false;
done:
    if (dest_open)
        cli_out_release(&dest);
    conform_reception_close(session);
    free(entries);
    free(cases);
    return status;
}

int cli_conform_main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "issuance") == 0)
        return issuance_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "reception") == 0)
        return reception_main(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(conform_usage, stdout);
        fputs("\n", stdout);
        fputs(reception_usage, stdout);
        return CLI_EXIT_OK;
    }
    fprintf(stderr, "mynasim conform: expected a suite: issuance or reception (see --help)\n");
    return CLI_EXIT_USAGE;
}
