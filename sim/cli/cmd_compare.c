/*
 * cmd_compare.c: `mynasim compare --policy A --policy B [--report text|json] [--out PATH] [--quiet]
 * FILE|DIR...`: each scenario file replayed under two policies, and the days that are gap days (INV-1)
 * under one and not the other, with the rules that make the difference. Under `national` against
 * `as-announced-2024` it answers "who did the amendments keep insured?" (docs/RULES.md, Amendments).
 *
 * Every file is read twice, once under each policy (scenario_load_file_with_policy: the insurers' own
 * overrides apply on top of each), and all of them before anything is replayed: an invalid file prints every
 * problem as `file:line:column: what` on stderr and nothing is compared (exit 2). The policies themselves are
 * loaded once first, so a misspelt name is one usage error rather than one problem per file.
 *
 * Expectations are not checked: a file's expectations are written for its own policy, and under the other
 * one most would fail by design. The comparison is of the invariants, so the exit status says only whether
 * the comparison ran: 0 whatever it found, 2 on an invalid file, a file that cannot be replayed, or bad usage.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/report.h"
#include "scenario/scenario.h"

static void compare_usage(FILE *out)
{
    fprintf(out,
            "usage: mynasim compare --policy A --policy B [--report text|json] [--out PATH] [--quiet]\n"
            "                       FILE|DIR...\n\n"
            "Replays each scenario file under two policies (a shipped name such as national or\n"
            "as-announced-2024, or a policy file) and reports, per resident and in total, the days that are\n"
            "gap days under one policy and not the other, with the rules that make the difference (under\n"
            "national against as-announced-2024: who the amendments kept insured), and the gap, grace and\n"
            "degraded days under each. A DIR contributes every *.yaml file below it, in sorted order. The\n"
            "file's own policy is replaced by each in turn; its insurers' policy overrides apply on top.\n\n"
            "The files' expectations are NOT checked (they are written for the file's own policy): compare\n"
            "compares the daily invariants only. Use 'mynasim run' to check expectations.\n\n"
            "  --policy P       a policy to compare; give exactly two, A then B\n"
            "  --report FORMAT  text (default) or json\n"
            "  --out PATH       write the report to PATH instead of stdout\n"
            "  --quiet          no progress on the terminal\n\n"
            "exit status: 0 the comparison ran (whatever it found), 2 a file is not valid (every problem as\n"
            "file:line:column on stderr), a file cannot be replayed, or the command line is wrong.\n");
}

static void print_problem(const struct core_error *e)
{
    char buf[1200];
    core_error_format(e, buf, sizeof buf);
    fprintf(stderr, "%s\n", buf);
}

static void print_error(const char *context, const struct core_error *e)
{
    char buf[1200];
    core_error_format(e, buf, sizeof buf);
    fprintf(stderr, "mynasim compare: %s: %s\n", context, buf);
}

struct compare_options {
    enum report_format format;
    const char *out;
    const char *policy[SCENARIO_SIDES];
    int policies;
    bool quiet;
    int first; /* the first FILE|DIR argument */
};

/* The value of option `name` at argv[*i] ("--name V" or "--name=V"), or NULL when argv[*i] is not it. */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0 || (a[n] != '\0' && a[n] != '='))
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (*i + 1 < argc)
        return argv[++*i];
    *missing = true;
    return NULL;
}

static int parse_options(int argc, char **argv, struct compare_options *o)
{
    memset(o, 0, sizeof *o);
    o->format = REPORT_TEXT;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i], *v;
        bool missing = false;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break;
        if ((v = option_value(argc, argv, &i, "--policy", &missing)) != NULL) {
            if (o->policies == SCENARIO_SIDES) {
                fprintf(stderr, "mynasim compare: --policy given more than twice (see --help)\n");
                return CLI_EXIT_USAGE;
            }
            if (v[0] == '\0') {
                fprintf(stderr, "mynasim compare: --policy needs a name or a file\n");
                return CLI_EXIT_USAGE;
            }
            o->policy[o->policies++] = v;
        } else if ((v = option_value(argc, argv, &i, "--report", &missing)) != NULL) {
            if (report_format_parse(v, &o->format) != CORE_OK || o->format == REPORT_JUNIT) {
                fprintf(stderr, "mynasim compare: --report '%s': expected text or json\n", v);
                return CLI_EXIT_USAGE;
            }
        } else if ((v = option_value(argc, argv, &i, "--out", &missing)) != NULL) {
            o->out = v;
        } else if (missing) {
            fprintf(stderr, "mynasim compare: %s needs a value (see --help)\n", a);
            return CLI_EXIT_USAGE;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o->quiet = true;
        } else {
            fprintf(stderr, "mynasim compare: unknown option '%s' (see --help)\n", a);
            return CLI_EXIT_USAGE;
        }
    }
    o->first = i;
    if (o->policies != SCENARIO_SIDES) {
        fprintf(stderr, "mynasim compare: give two policies: --policy A --policy B (see --help)\n");
        return CLI_EXIT_USAGE;
    }
    if (o->first >= argc) {
        fprintf(stderr, "mynasim compare: no FILE|DIR given (see --help)\n");
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* Each policy loads (a bad name is one usage error, not one problem per file). */
static bool policies_load(const struct compare_options *o)
{
    for (int s = 0; s < SCENARIO_SIDES; s++) {
        struct policy *p = NULL;
        struct core_error err;
        core_error_clear(&err);
        if (policy_load(o->policy[s], NULL, &p, &err) != CORE_OK) {
            print_error(o->policy[s], &err);
            return false;
        }
        policy_free(p);
    }
    return true;
}

/* Reads every file under both policies; prints every problem (once per file) and returns false on any. */
static bool load_all(char **paths, size_t count, const struct compare_options *o,
                     struct scenario *(*scns)[SCENARIO_SIDES])
{
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        for (int s = 0; s < SCENARIO_SIDES; s++) {
            struct scenario_diags diags;
            scenario_diags_init(&diags);
            int rc = scenario_load_file_with_policy(paths[i], o->policy[s], &scns[i][s], &diags);
            if (rc != CORE_OK) {
                ok = false;
                for (size_t k = 0; k < diags.count; k++)
                    print_problem(&diags.items[k]);
                if (diags.omitted > 0)
                    fprintf(stderr, "%s: %zu more problems not shown\n", paths[i], diags.omitted);
                if (diags.count == 0 && diags.omitted == 0)
                    fprintf(stderr, "%s: not valid\n", paths[i]);
            }
            scenario_diags_clear(&diags);
            if (rc != CORE_OK)
                break; /* the same problems again under the other policy would only repeat them */
        }
    }
    return ok;
}

static int compare_all(struct scenario *(*scns)[SCENARIO_SIDES], size_t count,
                       const struct compare_options *o, struct report_compare *rep)
{
    bool progress = !o->quiet && isatty(fileno(stderr));
    for (size_t i = 0; i < count; i++) {
        if (progress)
            fprintf(stderr, "\r[%zu/%zu] %s\033[K", i + 1, count, scns[i][0]->file);
        struct scenario_comparison cmp;
        struct core_error err;
        core_error_clear(&err);
        int rc = scenario_compare(scns[i][0], scns[i][1], &cmp, &err);
        if (rc == CORE_OK)
            rc = report_compare_add(rep, scns[i][0], &cmp, &err);
        scenario_comparison_free(&cmp);
        if (rc != CORE_OK) {
            if (progress)
                fputc('\n', stderr);
            print_error(scns[i][0]->file, &err);
            return CLI_EXIT_USAGE;
        }
    }
    if (progress)
        fprintf(stderr, "\r\033[Kmynasim compare: %zu file%s\n", count, count == 1 ? "" : "s");
    return CLI_EXIT_OK;
}

/* Opens the report's destination: stdout, or PATH.tmp renamed into place when complete. */
static FILE *out_open(const struct compare_options *o, char **tmp)
{
    *tmp = NULL;
    if (o->out == NULL)
        return stdout;
    size_t n = strlen(o->out) + 5;
    *tmp = malloc(n);
    if (*tmp == NULL)
        return NULL;
    snprintf(*tmp, n, "%s.tmp", o->out);
    FILE *f = fopen(*tmp, "w");
    if (f == NULL)
        fprintf(stderr, "mynasim compare: cannot write '%s'\n", *tmp);
    return f;
}

int cli_compare_main(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        compare_usage(stdout);
        return CLI_EXIT_OK;
    }
    struct compare_options o;
    if (parse_options(argc, argv, &o) != CLI_EXIT_OK || !policies_load(&o))
        return CLI_EXIT_USAGE;
    char **paths;
    size_t count;
    struct core_error err;
    core_error_clear(&err);
    if (scenario_paths_expand(argv + o.first, (size_t)(argc - o.first), &paths, &count, &err) != CORE_OK) {
        print_problem(&err);
        return CLI_EXIT_USAGE;
    }
    if (count == 0) {
        fprintf(stderr, "mynasim compare: no *.yaml files found\n");
        scenario_paths_free(paths, count);
        return CLI_EXIT_USAGE;
    }
    struct scenario *(*scns)[SCENARIO_SIDES] = calloc(count, sizeof *scns);
    if (scns == NULL) {
        scenario_paths_free(paths, count);
        fprintf(stderr, "mynasim compare: out of memory\n");
        return CLI_EXIT_USAGE;
    }
    int status = CLI_EXIT_USAGE;
    char *tmp = NULL;
    FILE *out = NULL;
    if (!load_all(paths, count, &o, scns))
        goto done;
    if ((out = out_open(&o, &tmp)) == NULL)
        goto done;
    struct report_compare *rep;
    if (report_compare_open(o.format, out, o.policy[0], o.policy[1], &rep, &err) != CORE_OK) {
        print_error("report", &err);
        goto done;
    }
    status = compare_all(scns, count, &o, rep);
    if (report_compare_close(rep, &err) != CORE_OK) {
        print_error("report", &err);
        status = CLI_EXIT_USAGE;
    }
    if (o.out != NULL) {
        bool written = fclose(out) == 0;
        out = NULL;
        if (!written || status != CLI_EXIT_OK || rename(tmp, o.out) != 0) {
            if (written && status == CLI_EXIT_OK)
                fprintf(stderr, "mynasim compare: cannot write '%s'\n", o.out);
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
        for (int s = 0; s < SCENARIO_SIDES; s++)
            scenario_free(scns[i][s]);
    free(scns);
    scenario_paths_free(paths, count);
    return status;
}
