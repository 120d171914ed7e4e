/*
 * cmd_run.c: `mynasim run [--report text|json|junit] [--out PATH] [--policy NAME_OR_PATH] [--detail]
 * [--fidelity rules|wire] [--quiet] FILE|DIR...`, the scenario runner (docs/SCENARIO-FORMAT.md, Running).
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
#include <unistd.h>

#include "cli/cli.h"
#include "report/report.h"
#include "scenario/scenario.h"

static void run_usage(FILE *out)
{
    fprintf(
        out,
        "usage: mynasim run [--report text|json|junit] [--out PATH] [--policy NAME_OR_PATH] [--detail]\n"
        "                   [--fidelity rules|wire] [--quiet] FILE|DIR...\n\n"
        "Replays scenario files (docs/SCENARIO-FORMAT.md) day by day and checks every expectation and "
        "the daily\n"
        "invariants. A DIR contributes every *.yaml file below it, in sorted order.\n\n"
        "  --report FORMAT  text (default), json or junit\n"
        "  --out PATH       write the report to PATH instead of stdout\n"
        "  --policy P       replay under policy P (a shipped name or a file) instead of the file's own\n"
        "  --detail         write every generated resident of a population (JSON Lines, one a line) to\n"
        "                   stdout or --out, as it is produced; the report then goes to stderr\n"
        "  --fidelity F     rules (default): visits call the check directly; wire: they run the reception\n"
        "                   flow (APDUs to virtual cards, messages to the eligibility service)\n"
        "  --quiet          no progress on the terminal\n\n"
        "exit status: 0 every expectation holds and no gap day goes unexpected, 1 any fails,\n"
        "2 a file is not valid (every problem as file:line:column on stderr) or the command line is "
        "wrong.\n");
}

static void print_problem(const struct core_error *e)
{
    char buf[1200];
    core_error_format(e, buf, sizeof buf);
    fprintf(stderr, "%s\n", buf);
}

/* "mynasim: context: error" (cli_print_error's shape, kept here so this file links alone in tests). */
static void print_error(const char *context, const struct core_error *e)
{
    char buf[1200];
    core_error_format(e, buf, sizeof buf);
    fprintf(stderr, "mynasim: %s: %s\n", context, buf);
}

struct run_options {
    enum report_format format;
    const char *out;
    const char *policy;
    bool quiet;
    bool detail;
    bool wire;
    int first; /* the first FILE|DIR argument */
};

/* Parses options up to the first operand or "--". Returns CLI_EXIT_OK or CLI_EXIT_USAGE. */
static int parse_options(int argc, char **argv, struct run_options *o)
{
    memset(o, 0, sizeof *o);
    o->format = REPORT_TEXT;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        const char *value = NULL;
        const char *names[] = {"--report", "--out", "--policy", "--fidelity"};
        int which = -1;
        for (int k = 0; k < 4; k++) {
            size_t n = strlen(names[k]);
            if (strncmp(a, names[k], n) == 0 && (a[n] == '\0' || a[n] == '=')) {
                which = k;
                if (a[n] == '=')
                    value = a + n + 1;
                else if (i + 1 < argc)
                    value = argv[++i];
                else {
                    fprintf(stderr, "mynasim run: %s needs a value (see --help)\n", names[k]);
                    return CLI_EXIT_USAGE;
                }
            }
        }
        if (which == 0) {
            if (report_format_parse(value, &o->format) != CORE_OK) {
                fprintf(stderr, "mynasim run: --report '%s': expected text, json or junit\n", value);
                return CLI_EXIT_USAGE;
            }
        } else if (which == 1) {
            o->out = value;
        } else if (which == 2) {
            o->policy = value;
        } else if (which == 3) {
            if (strcmp(value, "rules") != 0 && strcmp(value, "wire") != 0) {
                fprintf(stderr, "mynasim run: --fidelity '%s': expected rules or wire\n", value);
                return CLI_EXIT_USAGE;
            }
            o->wire = strcmp(value, "wire") == 0;
        } else if (strcmp(a, "--detail") == 0) {
            o->detail = true;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o->quiet = true;
        } else {
            fprintf(stderr, "mynasim run: unknown option '%s' (see --help)\n", a);
            return CLI_EXIT_USAGE;
        }
    }
    o->first = i;
    return CLI_EXIT_OK;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

/* Reads every file; on any invalid file prints every problem and returns false. */
static bool load_all(char **paths, size_t count, const struct run_options *o, struct scenario **scns)
{
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        struct scenario_diags diags;
        scenario_diags_init(&diags);
        /* --policy: each insurer's overrides apply on top of the given policy (read with it). */
        if (scenario_load_file_with_policy(paths[i], o->policy, &scns[i], &diags) != CORE_OK) {
            ok = false;
            for (size_t k = 0; k < diags.count; k++)
                print_problem(&diags.items[k]);
            if (diags.omitted > 0)
                fprintf(stderr, "%s: %zu more problems not shown\n", paths[i], diags.omitted);
            if (diags.count == 0 && diags.omitted == 0)
                fprintf(stderr, "%s: not valid\n", paths[i]);
        }
        scenario_diags_clear(&diags);
    }
    return ok;
}

/* Replays each scenario into the report. Returns the exit status. */
static int replay_all(struct scenario **scns, size_t count, const struct run_options *o, struct report *rep,
                      FILE *detail_out)
{
    bool progress = !o->quiet && isatty(fileno(stderr));
    size_t failed_files = 0;
    int status = CLI_EXIT_OK;
    for (size_t i = 0; i < count; i++) {
        if (progress)
            fprintf(stderr, "\r[%zu/%zu] %s\033[K", i + 1, count, scns[i]->file);
        struct scenario_run_result res;
        struct core_error err;
        core_error_clear(&err);
        struct report_detail detail = {.out = detail_out, .file = scns[i]->file};
        struct scenario_run_options ro = {.population_detail =
                                              detail_out != NULL ? report_detail_household : NULL,
                                          .population_detail_ctx = &detail,
                                          .wire = o->wire};
        int rc = scenario_run_with(scns[i], &ro, &res, &err);
        if (rc != CORE_OK) {
            if (progress)
                fputc('\n', stderr);
            print_error(scns[i]->file, &err);
            scenario_run_result_free(&res);
            return CLI_EXIT_USAGE;
        }
        if (res.failed > 0) {
            failed_files++;
            status = CLI_EXIT_FAILED;
        }
        rc = report_add(rep, scns[i], &res, &err);
        scenario_run_result_free(&res);
        if (rc != CORE_OK) {
            if (progress)
                fputc('\n', stderr);
            print_error("report", &err);
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
    if (wants_help(argc, argv)) {
        run_usage(stdout);
        return CLI_EXIT_OK;
    }
    struct run_options o;
    if (parse_options(argc, argv, &o) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    if (o.policy != NULL) { /* one usage error for a bad --policy, rather than one problem per file */
        struct policy *p = NULL;
        struct core_error perr;
        core_error_clear(&perr);
        if (policy_load(o.policy, NULL, &p, &perr) != CORE_OK) {
            print_error(o.policy, &perr);
            return CLI_EXIT_USAGE;
        }
        policy_free(p);
    }
    if (o.first >= argc) {
        run_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    char **paths;
    size_t count;
    struct core_error err;
    core_error_clear(&err);
    if (scenario_paths_expand(argv + o.first, (size_t)(argc - o.first), &paths, &count, &err) != CORE_OK) {
        print_problem(&err);
        return CLI_EXIT_USAGE;
    }
    if (count == 0) {
        fprintf(stderr, "mynasim run: no *.yaml files found\n");
        scenario_paths_free(paths, count);
        return CLI_EXIT_USAGE;
    }
    struct scenario **scns = calloc(count, sizeof *scns);
    if (scns == NULL) {
        scenario_paths_free(paths, count);
        fprintf(stderr, "mynasim run: out of memory\n");
        return CLI_EXIT_USAGE;
    }
    int status = CLI_EXIT_USAGE;
    FILE *out = NULL;
    char *tmp = NULL;
    if (!load_all(paths, count, &o, scns))
        goto done;
    if (o.out != NULL) {
        size_t n = strlen(o.out) + 16;
        tmp = malloc(n);
        if (tmp == NULL)
            goto done;
        snprintf(tmp, n, "%s.tmp", o.out);
        out = fopen(tmp, "w");
        if (out == NULL) {
            fprintf(stderr, "mynasim run: cannot write '%s'\n", tmp);
            goto done;
        }
    } else {
        out = stdout;
    }
    struct report *rep;
    if (report_open(o.format, o.detail ? stderr : out, &rep, &err) != CORE_OK) {
        print_error("report", &err);
        goto done;
    }
    status = replay_all(scns, count, &o, rep, o.detail ? out : NULL);
    if (o.detail && (fflush(out) != 0 || ferror(out))) {
        fprintf(stderr, "mynasim run: the detail could not be written\n");
        status = CLI_EXIT_USAGE;
    }
    if (report_close(rep, &err) != CORE_OK) {
        print_error("report", &err);
        status = CLI_EXIT_USAGE;
    }
    if (o.out != NULL) {
        bool written = fclose(out) == 0;
        out = NULL;
        if (!written || status == CLI_EXIT_USAGE || rename(tmp, o.out) != 0) {
            if (written && status != CLI_EXIT_USAGE)
                fprintf(stderr, "mynasim run: cannot write '%s'\n", o.out);
            remove(tmp);
            status = CLI_EXIT_USAGE;
        }
    }
done:
    if (out != NULL && out != stdout) {
        fclose(out);
        remove(tmp);
    }
    free(tmp);
    for (size_t i = 0; i < count; i++)
        scenario_free(scns[i]);
    free(scns);
    scenario_paths_free(paths, count);
    return status;
}
