/*
 * cmd_run.c: `mynasim run [--report text|json|junit|html] [--out PATH] [--policy NAME_OR_PATH] [--detail]
 * [--fidelity rules|wire] [--service HOST:PORT --card-control SOCKET [--card-reader NAME] | --process] [--only GLOB]
 * [--rule ID] [--tags A,B] [--fail-fast] [--timings] [-j N] [-q|-v] FILE|DIR...`, the scenario runner
 * (docs/SCENARIO-FORMAT.md, Running; docs/SCENARIO-RUNNING-NOTES.md, The runner). The named residents'
 * visits and probes take the wire path by default (docs/DESIGN.md, the two paths); --service and
 * --card-control take it through real processes (docs/WIRE.md); --process starts those processes itself and
 * stops them (sim/cli/process.c).
 *
 * Every file is read first, and every problem of a file that is not valid is printed as
 * `file:line:column: what` on stderr. The files are then taken in sorted order: one that is not valid (or
 * cannot be replayed) is added to the report as an error, the others are replayed and added, so one bad file
 * hides nothing else; the exit status is still 2. The report goes to stdout or to --out (written whole, then
 * renamed into place, so a reader never sees half a report).
 *
 * Selection (docs/SCENARIO-RUNNING-NOTES.md, Selecting): --only and --tags choose scenarios, --rule chooses
 * the expectations pinning a rule; in every file replayed the invariants are judged whatever the filters
 * say. --fail-fast stops after the first file that fails or is not valid. -j N replays N files at once
 * (struct run_pool) and takes them into the report in file order: the same bytes as -j 1.
 *
 * stderr: progress "[i/n] FILE" only when stderr is a terminal and not -q, its line cleared before anything
 * else is printed (a report on the same terminal included); with -v one verdict line per file as it
 * finishes; then, unless -q, the closing line "mynasim run: P passed, F failed, I invalid (N files, E
 * expectations, T s)" — the one place with a time, so reports stay byte-identical.
 *
 * --extract DIR [--force]: every resident of a population with a gap day becomes a standalone scenario file in
 * DIR (replay.h, extracting; docs/POPULATIONS.md); an existing file is refused unless --force.
 *
 * --detail: the per-resident detail of every population (report.h, report_detail_household) goes to stdout or
 * --out as JSON Lines, one line per generated resident written as its household finishes; the report then
 * goes to stderr, so `mynasim run --detail f.yaml | wc -l` counts the residents.
 *
 * Exit status: 0 every expectation holds and no gap day goes unexpected; 1 any fails; 2 a file is not valid,
 * a file cannot be replayed, no file is selected, or the command line is wrong.
 */
#include <fnmatch.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "replay/replay.h"
#include "report/report.h"
#include "scenario/scenario.h"
#include "world/world.h"

static const char run_usage[] =
    "usage: mynasim run [--report text|json|junit|html] [--out PATH] [--policy NAME_OR_PATH] [--detail]\n"
    "                   [--fidelity rules|wire] [--service HOST:PORT --card-control SOCKET\n"
    "                   [--card-reader NAME] | --process] [--only NAME-OR-GLOB] [--rule ID] [--tags A,B]\n"
    "                   [--fail-fast] [--timings] [-j|--jobs N] [-q|--quiet] [-v|--verbose]\n"
    "                   [--extract DIR [--force]] FILE|DIR...\n\n"
    "Replays scenario files (docs/SCENARIO-FORMAT.md) day by day and checks every expectation and "
    "the daily\n"
    "invariants. A DIR contributes every *.yaml file below it, in sorted order. A file that is not valid\n"
    "is reported as an error (every problem as file:line:column on stderr and in the report); the\n"
    "others still run.\n\n"
    "  --report FORMAT  text (default), json, junit or html (one self-contained page: docs/REPORTS.md)\n"
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
    "  --process        the wire path against processes the run starts itself and stops by PID: a\n"
    "                   private pcscd with vpcd, `mynasim card serve`, `mynasim serve --control` per\n"
    "                   FILE, on one clock file stepped to each visit's date. Needs root, pcscd,\n"
    "                   vsmartcard-vpcd, libfaketime; -v says what it starts and stops (docs/WIRE.md)\n"
    "  --only NAME-OR-GLOB\n"
    "                   only the scenarios whose name (`scenario:`) matches (a shell pattern: *, ?,\n"
    "                   [..]); may be given more than once, any match selects\n"
    "  --rule ID        check only the expectations pinning rule ID (`rule: ID`); every selected\n"
    "                   file is still replayed and its invariants judged (none pinned: exit 2)\n"
    "  --tags A,B       only the scenarios with any of these tags (`tags:`)\n"
    "  --fail-fast      stop after the first file that fails or is not valid\n"
    "  --timings        JUnit time attributes carry each file's replay time (else 0: the same runs\n"
    "                   give the same bytes)\n"
    "  -j, --jobs N     replay N files at once (1..64; default 1); the report is the same bytes as\n"
    "                   with one. Not with --detail, --service or --process\n"
    "  -q, --quiet      no progress and no closing line on stderr\n"
    "  -v, --verbose    one line per file on stderr as it finishes: PASS, FAIL or INVALID\n"
    "  --extract DIR    write every resident of a population with a gap day as a standalone scenario,\n"
    "                   DIR/<scenario>-<resident>.yaml: the household as generated, the population's\n"
    "                   period and policy; run alone it gives the same days (docs/POPULATIONS.md).\n"
    "                   DIR is created if missing; a file that exists is refused (exit 2). Not with -j\n"
    "  --force          with --extract: replace files that exist\n\n"
    "stderr ends with: mynasim run: P passed, F failed, I invalid (N files, E expectations, T s)\n"
    "exit status: 0 every expectation holds and no gap day goes unexpected, 1 any fails,\n"
    "2 a file is not valid or cannot be replayed, no file is selected, or the command line is wrong.\n";

/* -j at most: files replayed at once. */
#define RUN_JOBS_MAX 64

struct run_options {
    enum report_format format;
    const char *report, *out;
    const char *policy;
    bool quiet;
    bool detail;
    /* --extract DIR, --force, and the extraction's state (one file at a time: not with -j) */
    const char *extract;
    bool force;
    struct replay_extract *ex;
    bool wire;
    const char *fidelity;
    const char *service, *card_reader, *card_control;
    bool process;                 /* --process */
    struct cli_process *launched; /* --process: its processes, once started */
    const char *only_items[16];
    struct cli_list only; /* --only, each a name or an fnmatch pattern */
    const char *rule;     /* --rule */
    const char *tags_items[16];
    struct cli_list tags; /* --tags, each a comma-separated list */
    bool fail_fast, timings, verbose;
    const char *jobs_word; /* -j N */
    int jobs;              /* 1..RUN_JOBS_MAX */
    int nargs;             /* the FILE|DIR arguments, at argv[1..1 + nargs) */
};

/* Reads the command line (cli_parse). Returns CLI_CONTINUE, or the exit status (--help, bad usage). */
static CORE_MUST_USE int parse_options(int argc, char **argv, struct run_options *o)
{
    memset(o, 0, sizeof *o);
    o->only = (struct cli_list){.items = o->only_items, .cap = 16};
    o->tags = (struct cli_list){.items = o->tags_items, .cap = 16};
    const struct cli_opt opts[] = {
        CLI_REPORT_OPTS(&o->report, &o->out, &o->quiet),
        {"policy", 0, CLI_OPT_VALUE, &o->policy},
        {"detail", 0, CLI_OPT_FLAG, &o->detail},
        {"fidelity", 0, CLI_OPT_VALUE, &o->fidelity},
        {"service", 0, CLI_OPT_VALUE, &o->service},
        {"card-reader", 0, CLI_OPT_VALUE, &o->card_reader},
        {"card-control", 0, CLI_OPT_VALUE, &o->card_control},
        {"process", 0, CLI_OPT_FLAG, &o->process},
        {"only", 0, CLI_OPT_LIST, &o->only},
        {"rule", 0, CLI_OPT_VALUE, &o->rule},
        {"tags", 0, CLI_OPT_LIST, &o->tags},
        {"fail-fast", 0, CLI_OPT_FLAG, &o->fail_fast},
        {"timings", 0, CLI_OPT_FLAG, &o->timings},
        {"verbose", 'v', CLI_OPT_FLAG, &o->verbose},
        {"jobs", 'j', CLI_OPT_VALUE, &o->jobs_word},
        {"extract", 0, CLI_OPT_VALUE, &o->extract},
        {"force", 0, CLI_OPT_FLAG, &o->force},
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
    if (o->only.count > o->only.cap || o->tags.count > o->tags.cap) {
        fprintf(stderr, "mynasim run: --only and --tags may each be given at most 16 times\n");
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < o->only.count; i++)
        if (o->only.items[i][0] == '\0') {
            fprintf(stderr, "mynasim run: --only: an empty name\n");
            return CLI_EXIT_USAGE;
        }
    for (size_t i = 0; i < o->tags.count; i++)
        if (o->tags.items[i][strspn(o->tags.items[i], ",")] == '\0') {
            fprintf(stderr, "mynasim run: --tags: no tag given\n");
            return CLI_EXIT_USAGE;
        }
    if (o->rule != NULL && o->rule[0] == '\0') {
        fprintf(stderr, "mynasim run: --rule: an empty rule id\n");
        return CLI_EXIT_USAGE;
    }
    o->jobs = 1;
    if (o->jobs_word != NULL) {
        char *end;
        long n = strtol(o->jobs_word, &end, 10);
        if (end == o->jobs_word || *end != '\0' || n < 1 || n > RUN_JOBS_MAX) {
            fprintf(stderr, "mynasim run: -j '%s': expected a number of files at once, 1..%d\n", o->jobs_word,
                    RUN_JOBS_MAX);
            return CLI_EXIT_USAGE;
        }
        o->jobs = (int)n;
    }
    if (o->jobs > 1 && (o->detail || o->service != NULL || o->process)) {
        fprintf(stderr,
                "mynasim run: -j goes with neither --detail (its lines come in file order as they are "
                "made) nor --service (one file) nor --process (one card server)\n");
        return CLI_EXIT_USAGE;
    }
    if (o->jobs > 1 && o->extract != NULL) {
        fprintf(stderr, "mynasim run: -j does not go with --extract (households are written in order)\n");
        return CLI_EXIT_USAGE;
    }
    if (o->force && o->extract == NULL) {
        fprintf(stderr, "mynasim run: --force goes with --extract\n");
        return CLI_EXIT_USAGE;
    }
    if (o->quiet && o->verbose) {
        fprintf(stderr, "mynasim run: -q and -v cannot go together\n");
        return CLI_EXIT_USAGE;
    }
    if (o->process && (o->service != NULL || o->card_control != NULL || o->card_reader != NULL)) {
        fprintf(stderr, "mynasim run: --process starts its own service and card server: not with --service, "
                        "--card-control or --card-reader\n");
        return CLI_EXIT_USAGE;
    }
    if (o->process && !o->wire) {
        fprintf(stderr, "mynasim run: --process is the wire path; it cannot go with --fidelity rules\n");
        return CLI_EXIT_USAGE;
    }
    if (o->service != NULL && !o->wire) {
        fprintf(stderr, "mynasim run: --service is the wire path; it cannot go with --fidelity rules\n");
        return CLI_EXIT_USAGE;
    }
    return CLI_CONTINUE;
}

/* --service: the world's wire path goes through the real service and card server (docs/WIRE.md). */
static CORE_MUST_USE int prepare_remote(void *ctx, struct world *w, struct core_error *err)
{
    return world_set_wire_remote(w, ctx, err);
}

/* Whether `tag` is one of the comma-separated words of `list`. */
static bool in_list(const char *list, const char *tag)
{
    size_t n = strlen(tag);
    for (const char *p = list; *p != '\0';) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, tag, n) == 0)
            return true;
        p += len;
        p += *p == ',';
    }
    return false;
}

/* Whether the filters select the scenario (docs/SCENARIO-RUNNING-NOTES.md, Selecting). */
static bool selected(const struct scenario *scn, const struct run_options *o)
{
    bool ok = o->only.count == 0;
    for (size_t i = 0; i < o->only.count && !ok; i++)
        ok = fnmatch(o->only.items[i], scn->name, 0) == 0;
    if (!ok)
        return false;
    if (o->tags.count > 0) {
        ok = false;
        for (size_t t = 0; t < scn->tag_count && !ok; t++)
            for (size_t i = 0; i < o->tags.count && !ok; i++)
                ok = in_list(o->tags.items[i], scn->tags[t]);
    }
    return ok; /* --rule selects expectations, not files: every file selected is replayed and judged */
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One file as read: the scenario, or the problems that made it invalid. */
struct run_file {
    struct scenario_diags diags;
    bool invalid;
    struct core_error refused; /* a file refused without a problem: "not valid" */
};

/* What the run counted, for the closing line. */
struct run_tally {
    size_t passed, failed, invalid, not_selected, not_run, expectations;
    bool report_failed; /* the report could not take a run: it is not kept */
};

static void verbose_line(const struct run_options *o, const char *verdict, const char *file, size_t n)
{
    if (o->verbose)
        fprintf(stderr, "%-7s %s (%zu expectation%s)\n", verdict, file, n, n == 1 ? "" : "s");
}

/* One valid, selected file's replay: made by a worker (or in line with -j 1), taken into the report in file
 * order by the main thread. */
struct run_job {
    struct scenario *scn; /* NULL: nothing to replay (not valid, or not selected) */
    struct replay_run_result res;
    struct core_error err;
    int rc;
    double seconds;
    bool done;
};

/* Replays job->scn (any thread: it prints nothing). */
static void job_replay(struct run_job *job, const struct run_options *o, FILE *detail_out)
{
    struct world_wire_remote remote = {
        .service = o->service, .reader = o->card_reader, .card_control = o->card_control};
    core_error_clear(&job->err);
    if (o->launched != NULL && /* --process: this file's service, on the run's clock */
        (job->rc = cli_process_service_start(o->launched, job->scn->file, o->policy, job->scn->period.from,
                                             &remote, &job->err)) != CORE_OK) {
        job->seconds = 0;
        return;
    }
    struct report_detail detail = {.out = detail_out, .file = job->scn->file};
    struct replay_run_options ro = {.population_detail = detail_out != NULL ? report_detail_household : NULL,
                                    .population_detail_ctx = &detail,
                                    .wire = o->wire,
                                    .prepare =
                                        o->service != NULL || o->launched != NULL ? prepare_remote : NULL,
                                    .prepare_ctx = &remote,
                                    .rule = o->rule};
    if (o->ex != NULL) { /* --extract: the households' residents first, then --detail's line */
        o->ex->population = job->scn;
        o->ex->next = ro.population_detail;
        o->ex->next_ctx = ro.population_detail_ctx;
        ro.population_detail = replay_extract_household;
        ro.population_detail_ctx = o->ex;
    }
    double start = now_seconds();
    job->rc = replay_run_with(job->scn, &ro, &job->res, &job->err);
    job->seconds = now_seconds() - start;
    struct core_error stop_err;
    if (o->launched != NULL && cli_process_service_stop(o->launched, &stop_err) != CORE_OK &&
        job->rc == CORE_OK) {
        job->rc = stop_err.code;
        job->err = stop_err;
    }
}

/* Takes a replayed file into the report (main thread, in file order) and frees its result. Returns its exit
 * status. */
static int job_take(struct run_job *job, const struct run_options *o, struct report *rep, bool progress,
                    struct run_tally *t)
{
    const struct scenario *scn = job->scn;
    struct replay_run_result *res = &job->res;
    cli_progress_clear(progress);
    if (job->rc != CORE_OK) { /* not replayable: an error of this file, reported like an invalid one */
        struct core_error err = job->err;
        cli_print_error(scn->file, &err);
        const char *why = res->world != NULL ? world_wire_error(res->world) : NULL;
        if (why != NULL) {
            fprintf(stderr, "%s: the remote wire path failed: %s\n", scn->file, why);
            snprintf(err.message, sizeof err.message, "the remote wire path failed: %s", why);
        }
        if (err.file[0] == '\0')
            snprintf(err.file, sizeof err.file, "%s", scn->file);
        replay_run_result_free(res);
        t->invalid++;
        verbose_line(o, "INVALID", scn->file, 0);
        struct core_error rerr;
        if (report_add_invalid(rep, scn->file, &err, 1, 0, &rerr) != CORE_OK) {
            cli_print_error(NULL, &rerr);
            t->report_failed = true;
        }
        return CLI_EXIT_USAGE;
    }
    t->expectations += res->count;
    if (res->failed > 0)
        t->failed++;
    else
        t->passed++;
    struct core_error err;
    core_error_clear(&err);
    int rc = report_add_timed(rep, scn, res, job->seconds, &err);
    fflush(stdout); /* a text report on the terminal before the next progress */
    verbose_line(o, res->failed > 0 ? "FAIL" : "PASS", scn->file, res->count);
    int status = res->failed > 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
    replay_run_result_free(res);
    if (rc != CORE_OK) {
        cli_print_error(NULL, &err); /* the message starts "report: " */
        t->report_failed = true;
        return CLI_EXIT_USAGE;
    }
    return status;
}

/*
 * -j N: N workers replay the jobs in file order, at most 2N ahead of the one the main thread is reporting (so
 * memory holds a bounded number of worlds); the main thread takes each into the report in file order, so the
 * report is the same bytes as with -j 1. Replays share nothing but read-only scenarios (and the key cache,
 * written whole and renamed).
 */
struct run_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct run_job *jobs;
    size_t count;
    size_t next;     /* the next job a worker takes */
    size_t reported; /* jobs before this one are taken by the main thread */
    size_t window;
    bool stop; /* --fail-fast: no new replay */
    const struct run_options *o;
};

static void *pool_worker(void *arg)
{
    struct run_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->next < p->count && p->jobs[p->next].scn == NULL)
            p->next++;
        if (p->stop || p->next >= p->count)
            break;
        if (p->next >= p->reported + p->window) {
            pthread_cond_wait(&p->cv, &p->mu);
            continue;
        }
        struct run_job *job = &p->jobs[p->next++];
        pthread_mutex_unlock(&p->mu);
        job_replay(job, p->o, NULL);
        pthread_mutex_lock(&p->mu);
        job->done = true;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void pool_set(struct run_pool *p, size_t reported, bool stop)
{
    pthread_mutex_lock(&p->mu);
    p->reported = reported;
    p->stop = p->stop || stop;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void pool_wait(struct run_pool *p, size_t i)
{
    pthread_mutex_lock(&p->mu);
    while (!p->jobs[i].done)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

static int worse(int a, int b)
{
    return a == CLI_EXIT_USAGE || b == CLI_EXIT_USAGE     ? CLI_EXIT_USAGE
           : a == CLI_EXIT_FAILED || b == CLI_EXIT_FAILED ? CLI_EXIT_FAILED
                                                          : CLI_EXIT_OK;
}

/* Takes each file in order into the report, replaying the valid, selected ones (on o->jobs workers when more
 * than one). Returns the exit status. */
static int run_all(char **paths, struct scenario **scns, struct run_file *files, size_t count,
                   const struct run_options *o, struct report *rep, FILE *detail_out, struct run_tally *t)
{
    bool progress = cli_progress_on(o->quiet);
    int status = CLI_EXIT_OK;
    size_t todo = 0, done = 0;
    struct run_job *jobs = calloc(count, sizeof *jobs);
    if (jobs == NULL) {
        fprintf(stderr, "mynasim run: out of memory\n");
        t->report_failed = true;
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < count; i++) {
        bool take = !files[i].invalid && selected(scns[i], o);
        jobs[i].scn = take ? scns[i] : NULL;
        todo += files[i].invalid || take;
    }
    size_t pinned = 0; /* --rule: expectations pinning it in the files selected */
    for (size_t i = 0; i < count && o->rule != NULL; i++)
        for (size_t k = 0; jobs[i].scn != NULL && k < jobs[i].scn->expect_count; k++)
            pinned += strcmp(jobs[i].scn->expects[k].rule, o->rule) == 0;
    if (o->rule != NULL && pinned == 0 && todo > 0) { /* a misspelt rule would pass on the invariants alone */
        fprintf(stderr, "mynasim run: --rule %s: no expectation of the files selected pins it\n", o->rule);
        free(jobs);
        return CLI_EXIT_USAGE;
    }
    struct run_pool pool = {.jobs = jobs, .count = count, .window = 2 * (size_t)o->jobs, .o = o};
    pthread_t threads[RUN_JOBS_MAX];
    size_t nthreads = 0;
    bool pooled = o->jobs > 1 && todo > 1;
    if (pooled) {
        pthread_mutex_init(&pool.mu, NULL);
        pthread_cond_init(&pool.cv, NULL);
        for (int k = 0; k < o->jobs; k++)
            if (pthread_create(&threads[nthreads], NULL, pool_worker, &pool) == 0)
                nthreads++;
        if (nthreads == 0) { /* no thread to be had: the files are replayed here, in order */
            pthread_cond_destroy(&pool.cv);
            pthread_mutex_destroy(&pool.mu);
            pooled = false;
        }
    }
    for (size_t i = 0; i < count && !t->report_failed; i++) {
        if (!files[i].invalid && jobs[i].scn == NULL) {
            t->not_selected++;
            continue;
        }
        if (o->fail_fast && status != CLI_EXIT_OK) {
            t->not_run++;
            continue;
        }
        int s;
        if (files[i].invalid) {
            struct core_error err;
            t->invalid++;
            verbose_line(o, "INVALID", paths[i], 0);
            s = CLI_EXIT_USAGE;
            const struct run_file *rf = &files[i];
            bool none = rf->diags.count == 0 && rf->diags.omitted == 0;
            if (report_add_invalid(rep, paths[i], none ? &rf->refused : rf->diags.items,
                                   none ? 1 : rf->diags.count, rf->diags.omitted, &err) != CORE_OK) {
                cli_print_error(NULL, &err);
                t->report_failed = true;
            }
        } else {
            cli_progress(progress, done, todo, scns[i]->file);
            if (pooled) {
                pool_set(&pool, i, false);
                pool_wait(&pool, i);
            } else {
                job_replay(&jobs[i], o, detail_out);
            }
            s = job_take(&jobs[i], o, rep, progress, t);
        }
        done++;
        status = worse(status, s);
        if (pooled && o->fail_fast && status != CLI_EXIT_OK)
            pool_set(&pool, i + 1, true);
    }
    if (pooled) {
        pool_set(&pool, count, true);
        for (size_t k = 0; k < nthreads; k++)
            pthread_join(threads[k], NULL);
        pthread_cond_destroy(&pool.cv);
        pthread_mutex_destroy(&pool.mu);
    }
    for (size_t i = 0; i < count; i++) /* replays made and never reported (--fail-fast, a report error) */
        replay_run_result_free(&jobs[i].res);
    free(jobs);
    if (t->report_failed)
        return CLI_EXIT_USAGE;
    if (todo == 0) {
        fprintf(stderr, "mynasim run: no scenario selected (%zu file%s read)\n", count,
                count == 1 ? "" : "s");
        return CLI_EXIT_USAGE;
    }
    return status;
}

/* Reads every file, each problem on stderr as file:line:column: what, kept for the report. */
static void read_all(char **paths, size_t count, const char *policy, struct scenario **scns,
                     struct run_file *files)
{
    for (size_t i = 0; i < count; i++) {
        scenario_diags_init(&files[i].diags);
        if (scenario_load_file_with_policy(paths[i], policy, &scns[i], &files[i].diags) == CORE_OK)
            continue;
        files[i].invalid = true;
        for (size_t k = 0; k < files[i].diags.count; k++)
            cli_print_problem(&files[i].diags.items[k]);
        if (files[i].diags.omitted > 0)
            fprintf(stderr, "%s: %zu more problems not shown\n", paths[i], files[i].diags.omitted);
        if (files[i].diags.count == 0 && files[i].diags.omitted == 0) {
            core_error_set(&files[i].refused, CORE_EINVAL, paths[i], 0, 0, "not valid");
            fprintf(stderr, "%s: not valid\n", paths[i]);
        }
    }
}

int cli_run_main(int argc, char **argv)
{
    double start = now_seconds();
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
    struct run_file *files = calloc(f.count, sizeof *files);
    if (files == NULL) {
        fprintf(stderr, "mynasim run: out of memory\n");
        goto done;
    }
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
    struct replay_extract ex = {.dir = o.extract, .force = o.force, .policy = o.policy};
    if (o.extract != NULL) {
        if (replay_extract_dir(o.extract, &err) != CORE_OK) {
            cli_print_error_in("mynasim run", NULL, &err);
            goto done;
        }
        o.ex = &ex;
    }
    /* --policy: each insurer's overrides apply on top of the given policy (read with it). */
    read_all(f.paths, f.count, o.policy, scns, files);
    if (o.process) { /* before any thread: the namespaces are entered here; on the first valid file's clock */
        size_t first = 0;
        while (first < f.count && files[first].invalid)
            first++;
        if (first < f.count && (o.launched = cli_process_start(scns[first]->period.from, o.verbose,
                                                               cli_progress_on(o.quiet))) == NULL)
            goto done;
    }
    if (!cli_out_open(&f.out, "run", o.out))
        goto done;
    struct report *rep;
    struct report_options ropt = {.timings = o.timings};
    if (report_open_with(o.format, o.detail ? stderr : f.out.f, &ropt, &rep, &err) != CORE_OK) {
        cli_print_error(NULL, &err); /* the message starts "report: " */
        goto done;
    }
    struct run_tally t = {0};
    status = run_all(f.paths, scns, files, f.count, &o, rep, o.detail ? f.out.f : NULL, &t);
    bool keep = !t.report_failed;
    if (o.detail && (fflush(f.out.f) != 0 || ferror(f.out.f))) {
        fprintf(stderr, "mynasim run: the detail could not be written\n");
        status = CLI_EXIT_USAGE;
        keep = false;
    }
    if (report_close(rep, &err) != CORE_OK) {
        cli_print_error(NULL, &err); /* the message starts "report: " */
        status = CLI_EXIT_USAGE;
        keep = false;
    }
    if (!cli_out_commit(&f.out, "run", keep)) {
        status = CLI_EXIT_USAGE;
        keep = false;
    }
    if (keep && !o.quiet) {
        size_t n = t.passed + t.failed + t.invalid;
        fprintf(stderr, "mynasim run: %zu passed, %zu failed, %zu invalid", t.passed, t.failed, t.invalid);
        if (t.not_selected > 0)
            fprintf(stderr, ", %zu not selected", t.not_selected);
        if (t.not_run > 0)
            fprintf(stderr, ", %zu not run (--fail-fast)", t.not_run);
        fprintf(stderr, " (%zu file%s, %zu expectation%s, %.1f s)\n", n, n == 1 ? "" : "s", t.expectations,
                t.expectations == 1 ? "" : "s", now_seconds() - start);
    }
    if (o.extract != NULL && !o.quiet)
        fprintf(stderr, "mynasim run: extracted %zu resident%s with gap days to %s\n", ex.written,
                ex.written == 1 ? "" : "s", o.extract);
done:
    cli_process_stop(o.launched);
    for (size_t i = 0; files != NULL && i < f.count; i++)
        scenario_diags_clear(&files[i].diags);
    free(files);
    cli_files_free(&f);
    return status;
}
