/*
 * common.c: what the subcommands share. Printing an error or a scenario problem, the one option parser
 * (cli_parse, over getopt_long), expanding FILE|DIR arguments and reading every scenario with its problems on stderr, the report
 * written to --out whole (core_file_out: a hidden temporary file, then renamed into place) and progress only when stderr is a terminal.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "scenario/scenario.h"

void cli_print_error_in(const char *prefix, const char *context, const struct core_error *err)
{
    char buf[1200];
    core_error_format(err, buf, sizeof buf);
    if (context != NULL && context[0] != '\0')
        fprintf(stderr, "%s: %s: %s\n", prefix, context, buf);
    else
        fprintf(stderr, "%s: %s\n", prefix, buf);
}

void cli_print_error(const char *context, const struct core_error *err)
{
    cli_print_error_in("mynasim", context, err);
}

void cli_print_problem(const struct core_error *err)
{
    char buf[1200];
    core_error_format(err, buf, sizeof buf);
    fprintf(stderr, "%s\n", buf);
}

/* ---- options ------------------------------------------------------------------------------------------ */

enum {
    CLI_OPTS_MAX = 32, /* rows in one command's table */
    CLI_OPT_VAL = 256, /* getopt_long's value for row i is CLI_OPT_VAL + i (row nopts is --help) */
};

/* Whether `tok` ("--name" or "--name=V") spells `name` whole: getopt_long takes abbreviations, we do not. */
static bool spelt_whole(const char *tok, const char *name)
{
    size_t n = strlen(name);
    return strncmp(tok, "--", 2) == 0 && strncmp(tok + 2, name, n) == 0 &&
           (tok[2 + n] == '\0' || tok[2 + n] == '=');
}

/* Remembers the first problem on the line, "BEFORE'NAME'AFTER" (NAME cut at its '='); it is printed only
 * when --help is not given. */
static void note_problem(char *buf, size_t cap, const char *before, const char *name, const char *after)
{
    if (buf[0] == '\0')
        snprintf(buf, cap, "%s'%.*s'%s", before, (int)strcspn(name, "="), name, after);
}

static void take(const struct cli_opt *o, const char *value)
{
    switch (o->kind) {
    case CLI_OPT_FLAG:
        *(bool *)o->target = true;
        break;
    case CLI_OPT_VALUE:
        *(const char **)o->target = value;
        break;
    case CLI_OPT_LIST: {
        struct cli_list *l = o->target;
        if (l->count < l->cap)
            l->items[l->count] = value;
        l->count++;
        break;
    }
    }
}

/* Whether `--name` (or `-c`) stands in `usage` as a word of its own: not followed by [a-z0-9-]. */
static bool usage_names(const char *usage, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = strstr(usage, word); p != NULL; p = strstr(p + 1, word)) {
        char next = p[n];
        bool before = p == usage || p[-1] == ' ' || p[-1] == '[' || p[-1] == '\n' || p[-1] == ',';
        if (before && !(next == '-' || (next >= 'a' && next <= 'z') || (next >= '0' && next <= '9')))
            return true;
    }
    return false;
}

/* With MYNASIM_HELP_CHECK set (ctest cli.help), --help also checks its text against the option table: every
 * row's --name and -c must be in it, else each missing one is named on stderr and --help exits 2. Unset (users),
 * nothing is checked. */
static CORE_MUST_USE bool help_lists_options(const struct cli_spec *spec)
{
    const char *check = getenv("MYNASIM_HELP_CHECK");
    if (check == NULL || check[0] == '\0')
        return true;
    bool ok = true;
    for (size_t i = 0; i < spec->nopts; i++) {
        char word[64];
        snprintf(word, sizeof word, "--%s", spec->opts[i].name);
        if (!usage_names(spec->usage, word)) {
            fprintf(stderr, "mynasim %s: --help does not list %s\n", spec->cmd, word);
            ok = false;
        }
        if (spec->opts[i].short_name != 0) {
            snprintf(word, sizeof word, "-%c", spec->opts[i].short_name);
            if (!usage_names(spec->usage, word)) {
                fprintf(stderr, "mynasim %s: --help does not list %s\n", spec->cmd, word);
                ok = false;
            }
        }
    }
    return ok;
}

int cli_parse(const struct cli_spec *spec, int argc, char **argv, int *nargs)
{
    size_t n = spec->nopts;
    *nargs = 0;
    if (n > CLI_OPTS_MAX) {
        fprintf(stderr, "mynasim %s: too many options in its table\n", spec->cmd);
        return CLI_EXIT_USAGE;
    }
    struct option longopts[CLI_OPTS_MAX + 2];
    char shortopts[2 * CLI_OPTS_MAX + 8];
    size_t k = 0;
    /* '-': operands come back in order as value 1 (whatever POSIXLY_CORRECT says); '+': the first operand
     * stops the scan; ':': a missing value is told apart from an unknown option. */
    shortopts[k++] = spec->operands_end_options ? '+' : '-';
    shortopts[k++] = ':';
    for (size_t i = 0; i < n; i++) {
        const struct cli_opt *o = &spec->opts[i];
        longopts[i] = (struct option){o->name, o->kind == CLI_OPT_FLAG ? no_argument : required_argument,
                                      NULL, CLI_OPT_VAL + (int)i};
        if (o->short_name != 0) {
            shortopts[k++] = o->short_name;
            if (o->kind != CLI_OPT_FLAG)
                shortopts[k++] = ':';
        }
    }
    longopts[n] = (struct option){"help", no_argument, NULL, CLI_OPT_VAL + (int)n};
    longopts[n + 1] = (struct option){NULL, 0, NULL, 0};
    shortopts[k++] = 'h';
    shortopts[k] = '\0';

    char **operands = malloc((size_t)argc * sizeof *operands);
    if (operands == NULL) {
        fprintf(stderr, "mynasim %s: out of memory\n", spec->cmd);
        return CLI_EXIT_USAGE;
    }
    int count = 0;
    bool help = false;
    char problem[300] = "";
    optind = 0; /* GNU getopt starts afresh: a command may be parsed more than once in a process */
    opterr = 0; /* the messages are ours */
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == 1) { /* an operand, in order */
            operands[count++] = optarg;
            continue;
        }
        const struct cli_opt *o = NULL;
        if (c >= CLI_OPT_VAL) {
            size_t i = (size_t)(c - CLI_OPT_VAL);
            /* the option's own word: before its value when the value is the next argument */
            const char *tok = i < n && spec->opts[i].kind != CLI_OPT_FLAG && optarg == argv[optind - 1]
                                  ? argv[optind - 2]
                                  : argv[optind - 1];
            const char *name = i < n ? spec->opts[i].name : "help";
            if (!spelt_whole(tok, name)) {
                note_problem(problem, sizeof problem, "unknown option ", tok, "");
                continue;
            }
            if (i == n) {
                help = true;
                continue;
            }
            o = &spec->opts[i];
        } else if (c == 'h') {
            help = true;
            continue;
        } else if (c == '?' || c == ':') {
            /* optopt: the short letter, or CLI_OPT_VAL + i for a long option of ours, or 0 for a long
             * option we do not know; a long one's word is the argument just passed */
            char letter[3] = {'-', (char)optopt, '\0'};
            const char *name = optopt > 0 && optopt < CLI_OPT_VAL ? letter : argv[optind - 1];
            if (c == ':')
                note_problem(problem, sizeof problem, "option ", name, " needs a value");
            else if (optopt >= CLI_OPT_VAL)
                note_problem(problem, sizeof problem, "option ", name, " takes no value");
            else
                note_problem(problem, sizeof problem, "unknown option ", name, "");
            continue;
        } else {
            for (size_t i = 0; i < n && o == NULL; i++)
                if (spec->opts[i].short_name == c)
                    o = &spec->opts[i];
        }
        if (o != NULL)
            take(o, optarg);
    }
    for (int i = optind; i < argc; i++) /* after "--", or from the first operand when that ends options */
        operands[count++] = argv[i];
    if (!help && problem[0] == '\0' && spec->no_operands && count > 0)
        snprintf(problem, sizeof problem, "unexpected argument '%s'", operands[0]);
    for (int i = 0; i < count; i++)
        argv[1 + i] = operands[i];
    free(operands);
    if (help) {
        fputs(spec->usage, stdout);
        return help_lists_options(spec) ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (problem[0] != '\0') {
        fprintf(stderr, "mynasim %s: %s (see --help)\n", spec->cmd, problem);
        return CLI_EXIT_USAGE;
    }
    *nargs = count;
    return CLI_CONTINUE;
}

bool cli_report_format(const char *cmd, const char *given, bool junit, enum report_format *format)
{
    *format = REPORT_TEXT;
    if (given == NULL)
        return true;
    if (report_format_parse(given, format) != CORE_OK || (*format == REPORT_JUNIT && !junit)) {
        fprintf(stderr, "mynasim %s: --report '%s': expected %s\n", cmd, given,
                junit ? "text, json, junit or html" : "text, json or html");
        return false;
    }
    return true;
}

bool cli_policy_loads(const char *prefix, const char *policy)
{
    struct policy *p = NULL;
    struct core_error err;
    core_error_clear(&err);
    if (policy_load(policy, NULL, &p, &err) != CORE_OK) {
        /* The path once: the error names the file already when the policy is one. */
        cli_print_error_in(prefix, strcmp(err.file, policy) == 0 ? NULL : policy, &err);
        return false;
    }
    policy_free(p);
    return true;
}

int cli_paths_expand(const char *cmd, char **args, size_t nargs, char ***paths, size_t *count)
{
    struct core_error err;
    core_error_clear(&err);
    if (scenario_paths_expand(args, nargs, paths, count, &err) != CORE_OK) {
        cli_print_problem(&err);
        return CLI_EXIT_USAGE;
    }
    if (*count == 0) {
        fprintf(stderr, "mynasim %s: no *.yaml files found\n", cmd);
        scenario_paths_free(*paths, *count);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

int cli_load_scenario(const char *path, const char *policy, struct scenario **out, size_t *problems)
{
    struct scenario_diags diags;
    scenario_diags_init(&diags);
    int rc = scenario_load_file_with_policy(path, policy, out, &diags);
    *problems = 0;
    if (rc != CORE_OK) {
        for (size_t k = 0; k < diags.count; k++)
            cli_print_problem(&diags.items[k]);
        if (diags.omitted > 0)
            fprintf(stderr, "%s: %zu more problems not shown\n", path, diags.omitted);
        *problems = diags.count + diags.omitted;
    }
    scenario_diags_clear(&diags);
    return rc;
}

bool cli_load_scenarios(char **paths, size_t count, const char *policy, struct scenario **scns)
{
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        size_t problems;
        if (cli_load_scenario(paths[i], policy, &scns[i], &problems) != CORE_OK) {
            ok = false;
            if (problems == 0)
                fprintf(stderr, "%s: not valid\n", paths[i]);
        }
    }
    return ok;
}

bool cli_out_open(struct cli_out *o, const char *cmd, const char *path)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    if (path == NULL) {
        o->f = stdout;
        return true;
    }
    char prefix[64];
    snprintf(prefix, sizeof prefix, "mynasim %s", cmd);
    struct core_error err;
    core_error_clear(&err);
    if (core_file_out_open(&o->file, path, &err) != CORE_OK) {
        cli_print_error_in(prefix, NULL, &err);
        return false;
    }
    /* A stream of its own on a duplicate, so closing the stream leaves the writer's descriptor to commit. */
    int fd = dup(o->file.fd);
    o->f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (o->f == NULL) {
        if (fd >= 0)
            close(fd);
        fprintf(stderr, "%s: %s: out of memory\n", prefix, path);
        return false;
    }
    return true;
}

bool cli_out_commit(struct cli_out *o, const char *cmd, bool keep)
{
    if (o->path == NULL)
        return keep;
    bool written = fclose(o->f) == 0;
    o->f = NULL;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "mynasim %s", cmd);
    if (!written || !keep) {
        if (!written && keep)
            fprintf(stderr, "%s: %s: write failed\n", prefix, o->path);
        core_file_out_abort(&o->file);
        return false;
    }
    struct core_error err;
    core_error_clear(&err);
    if (core_file_out_commit(&o->file, &err) != CORE_OK) {
        cli_print_error_in(prefix, NULL, &err);
        return false;
    }
    return true;
}

void cli_out_release(struct cli_out *o)
{
    if (o->f != NULL && o->f != stdout)
        fclose(o->f);
    o->f = NULL;
    core_file_out_abort(&o->file);
}

int cli_files_open(struct cli_files *f, const char *cmd, char **args, size_t nargs, size_t sides)
{
    memset(f, 0, sizeof *f);
    if (cli_paths_expand(cmd, args, nargs, &f->paths, &f->count) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    f->sides = sides;
    f->scns = calloc(f->count * sides, sizeof(struct scenario *));
    if (f->scns == NULL) {
        scenario_paths_free(f->paths, f->count);
        fprintf(stderr, "mynasim %s: out of memory\n", cmd);
        return CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

void cli_files_free(struct cli_files *f)
{
    cli_out_release(&f->out);
    struct scenario **all = f->scns;
    for (size_t k = 0; all != NULL && k < f->count * f->sides; k++)
        scenario_free(all[k]);
    free(f->scns);
    f->scns = NULL;
    scenario_paths_free(f->paths, f->count);
    f->paths = NULL;
    f->count = 0;
}

bool cli_progress_on(bool quiet)
{
    return !quiet && isatty(fileno(stderr));
}

void cli_progress(bool on, size_t i, size_t count, const char *file)
{
    if (on)
        fprintf(stderr, "\r[%zu/%zu] %s\033[K", i + 1, count, file);
}

void cli_progress_break(bool on)
{
    cli_progress_clear(on);
}

void cli_progress_clear(bool on)
{
    if (on)
        fputs("\r\033[K", stderr);
}
