/*
 * shrink.c: a failing scenario reduced to the fewest residents, events, visits and expectations that still fail
 * the same way (replay.h, shrinking; docs/POPULATIONS.md, "From a population failure to a scenario").
 *
 * "The same way" is the failure's signature: the set of (form, resident, date) of every failed result, and
 * every gap day (INV-1) of the residents those results name. Each candidate is the file with some items left
 * out, written by the scenario writer and read back by the reader (so a candidate that leaves a dangling
 * reference, a dependent without the member they depend on, is simply not valid and not taken), then replayed
 * in this process. Delta debugging (ddmin, Zeller and Hildebrandt) runs over the residents, then the events
 * that are not visits, then the visits, then the expectations that passed; the items of a class are tried in
 * file order and chunks halve, so the result is the same on every run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"
#include "scenario/scenario.h"
#include "world/world.h"

/* ---- the failure's signature ----------------------------------------------------------------------------- */

struct sig {
    char **items;
    size_t count, cap;
};

static void sig_free(struct sig *s)
{
    for (size_t i = 0; i < s->count; i++)
        free(s->items[i]);
    free(s->items);
    memset(s, 0, sizeof *s);
}

static CORE_MUST_USE bool sig_add(struct sig *s, const char *text)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        char **p = realloc(s->items, cap * sizeof *p);
        if (p == NULL)
            return false;
        s->items = p;
        s->cap = cap;
    }
    size_t n = strlen(text) + 1;
    char *c = malloc(n);
    if (c == NULL)
        return false;
    memcpy(c, text, n);
    s->items[s->count++] = c;
    return true;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *who(const struct scenario *s, int res)
{
    return res == SCENARIO_WHO_ALL                       ? "all"
           : res >= 0 && (size_t)res < s->resident_count ? s->residents[res].id
                                                         : "-";
}

/* The signature of a replayed run: sorted, without duplicates. false: out of memory. */
static CORE_MUST_USE bool sig_of(const struct scenario *s, const struct replay_run_result *r, struct sig *out)
{
    char line[256], day[11];
    for (size_t i = 0; i < r->count; i++) {
        const struct replay_result *x = &r->results[i];
        if (x->passed)
            continue;
        if (x->date != CORE_DAY_NONE)
            core_date_format(x->date, day);
        else
            snprintf(day, sizeof day, "-");
        snprintf(line, sizeof line, "%s %s %s", x->form, who(s, x->resident), day);
        if (!sig_add(out, line))
            return false;
        if (x->resident < 0)
            continue;
        for (size_t k = 0, n = world_range_count(r->world, x->resident); k < n; k++) {
            const struct world_range *rg = world_range_at(r->world, x->resident, k);
            if (rg->verdict != WORLD_DAY_GAP)
                continue;
            char to[11];
            core_date_format(rg->from, day);
            core_date_format(rg->to, to);
            snprintf(line, sizeof line, "gap %s %s..%s", who(s, x->resident), day, to);
            if (!sig_add(out, line))
                return false;
        }
    }
    if (out->count > 1)
        qsort(out->items, out->count, sizeof *out->items, str_cmp);
    size_t k = 0;
    for (size_t i = 0; i < out->count; i++) {
        if (k > 0 && strcmp(out->items[k - 1], out->items[i]) == 0) {
            free(out->items[i]);
            continue;
        }
        out->items[k++] = out->items[i];
    }
    out->count = k;
    return true;
}

static bool sig_equal(const struct sig *a, const struct sig *b)
{
    if (a->count != b->count)
        return false;
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->items[i], b->items[i]) != 0)
            return false;
    return true;
}

/* ---- candidates ------------------------------------------------------------------------------------------- */

struct shrinker {
    const struct scenario *scn;
    const struct replay_shrink_options *opt;
    struct sig want;
    bool *res, *ev, *ex; /* what the current candidate keeps */
    size_t runs;
    int oom;
};

/* Writes the scenario as `sel` keeps it, reads it back and replays it; *sig its signature. CORE_OK with
 * *valid false when the text is not a valid scenario or cannot be replayed. */
static CORE_MUST_USE int try_run(struct shrinker *sh, const struct scenario *scn,
                                 const struct scenario_write_select *sel, bool *valid, struct sig *sig,
                                 char **text_out, size_t *len_out, struct core_error *err)
{
    *valid = false;
    char *text = NULL;
    size_t len = 0;
    int rc = scenario_write(scn, sel, &text, &len, err);
    if (rc != CORE_OK)
        return rc;
    struct scenario_diags d;
    scenario_diags_init(&d);
    struct scenario *c = NULL;
    rc = scenario_load_buffer(sh->scn->file, text, len, sh->scn->dir, &c, &d);
    scenario_diags_clear(&d);
    if (rc == CORE_ENOMEM) {
        free(text);
        return core_error_set(err, rc, sh->scn->file, 0, 0, "shrink: out of memory");
    }
    if (rc == CORE_OK) {
        struct replay_run_options ro = {.wire = sh->opt != NULL && sh->opt->wire};
        struct replay_run_result r;
        struct core_error e;
        core_error_clear(&e);
        sh->runs++;
        if (replay_run_with(c, &ro, &r, &e) == CORE_OK) {
            *valid = true;
            if (!sig_of(c, &r, sig))
                rc = core_error_set(err, CORE_ENOMEM, sh->scn->file, 0, 0, "shrink: out of memory");
        }
        replay_run_result_free(&r);
    }
    scenario_free(c);
    if (text_out != NULL && rc == CORE_OK) {
        *text_out = text;
        *len_out = len;
    } else {
        free(text);
    }
    return rc == CORE_ENOMEM ? rc : CORE_OK;
}

/* Does the current candidate fail the same way? */
static CORE_MUST_USE int same(struct shrinker *sh, bool *yes, struct core_error *err)
{
    struct scenario_write_select sel = {.residents = sh->res, .events = sh->ev, .expects = sh->ex};
    struct sig got = {0};
    bool valid;
    int rc = try_run(sh, sh->scn, &sel, &valid, &got, NULL, NULL, err);
    *yes = rc == CORE_OK && valid && sig_equal(&got, &sh->want);
    sig_free(&got);
    return rc;
}

/* ddmin over the items `idx[0..n)` of one class, each kept by mask[idx[i]]: removes the largest chunks whose
 * removal keeps the failure, halving the chunks when none can go. */
static CORE_MUST_USE int ddmin(struct shrinker *sh, bool *mask, size_t *idx, size_t n, const char *phase,
                               struct core_error *err)
{
    size_t chunks = n < 2 ? n : 2;
    while (n > 0) {
        bool progress = false;
        for (size_t c = 0; c < chunks && !progress; c++) {
            size_t from = n * c / chunks, to = n * (c + 1) / chunks;
            if (from == to)
                continue;
            for (size_t i = from; i < to; i++)
                mask[idx[i]] = false;
            bool yes;
            int rc = same(sh, &yes, err);
            if (rc != CORE_OK)
                return rc;
            if (yes) {
                memmove(idx + from, idx + to, (n - to) * sizeof *idx);
                n -= to - from;
                chunks = chunks > 2 ? chunks - 1 : (n < 2 ? n : 2);
                progress = true;
            } else {
                for (size_t i = from; i < to; i++)
                    mask[idx[i]] = true;
            }
            if (sh->opt != NULL && sh->opt->progress != NULL)
                sh->opt->progress(sh->opt->progress_ctx, phase, sh->runs, n);
        }
        if (!progress) {
            if (chunks >= n)
                break;
            chunks = chunks * 2 > n ? n : chunks * 2;
        }
    }
    return CORE_OK;
}

/* Indexes kept of one class (events: visits or not, per `visits`). */
static size_t collect(const struct shrinker *sh, int klass, size_t *idx)
{
    const struct scenario *s = sh->scn;
    size_t n = 0;
    if (klass == 0) {
        for (size_t i = 0; i < s->resident_count; i++)
            if (sh->res[i])
                idx[n++] = i;
    } else if (klass == 1 || klass == 2) {
        for (size_t i = 0; i < s->event_count; i++) {
            const struct scenario_event *e = &s->events[i];
            bool visit = e->kind == SCENARIO_EVENT_VISIT;
            if (sh->ev[i] && visit == (klass == 2) && (e->resident < 0 || sh->res[e->resident]))
                idx[n++] = i;
        }
    } else {
        for (size_t i = 0; i < s->expect_count; i++)
            if (sh->ex[i] && (s->expects[i].resident < 0 || sh->res[s->expects[i].resident]))
                idx[n++] = i;
    }
    return n;
}

static void count_kept(const struct shrinker *sh, size_t out[4])
{
    const struct scenario *s = sh->scn;
    memset(out, 0, 4 * sizeof *out);
    for (size_t i = 0; i < s->resident_count; i++)
        out[0] += sh->res[i];
    for (size_t i = 0; i < s->event_count; i++) {
        const struct scenario_event *e = &s->events[i];
        if (sh->ev[i] && (e->resident < 0 || sh->res[e->resident]))
            out[e->kind == SCENARIO_EVENT_VISIT ? 2 : 1]++;
    }
    for (size_t i = 0; i < s->expect_count; i++)
        out[3] += sh->ex[i] && (s->expects[i].resident < 0 || sh->res[s->expects[i].resident]);
}

int replay_shrink(const struct scenario *scn, const struct replay_shrink_options *opt,
                  struct replay_shrink_result *out, struct core_error *err)
{
    memset(out, 0, sizeof *out);
    if (scn->has_population)
        return core_error_set(err, CORE_EINVAL, scn->file, scn->population.pos.line,
                              scn->population.pos.column,
                              "shrink: a population is not shrunk; extract its residents first (mynasim run "
                              "--extract DIR)");
    struct shrinker sh = {.scn = scn, .opt = opt};
    size_t most = scn->resident_count + scn->event_count + scn->expect_count + 1;
    sh.res = malloc((scn->resident_count + 1) * sizeof *sh.res);
    sh.ev = malloc((scn->event_count + 1) * sizeof *sh.ev);
    sh.ex = malloc((scn->expect_count + 1) * sizeof *sh.ex);
    size_t *idx = malloc(most * sizeof *idx);
    bool *part = calloc(scn->expect_count + 1, sizeof *part);
    if (sh.res == NULL || sh.ev == NULL || sh.ex == NULL || idx == NULL || part == NULL) {
        free(sh.res);
        free(sh.ev);
        free(sh.ex);
        free(idx);
        free(part);
        return core_error_set(err, CORE_ENOMEM, scn->file, 0, 0, "shrink: out of memory");
    }
    for (size_t i = 0; i < scn->resident_count; i++)
        sh.res[i] = true;
    for (size_t i = 0; i < scn->event_count; i++)
        sh.ev[i] = true;
    for (size_t i = 0; i < scn->expect_count; i++)
        sh.ex[i] = true;
    /* The file as it is: its failure is the one to keep. */
    struct replay_run_options ro = {.wire = opt != NULL && opt->wire};
    struct replay_run_result r;
    int rc = replay_run_with(scn, &ro, &r, err);
    sh.runs++;
    if (rc == CORE_OK && r.failed == 0)
        rc = core_error_set(err, CORE_ESTATE, scn->file, 0, 0, "nothing fails: there is nothing to shrink");
    if (rc == CORE_OK && !sig_of(scn, &r, &sh.want))
        rc = core_error_set(err, CORE_ENOMEM, scn->file, 0, 0, "shrink: out of memory");
    /* Expectations that failed are the failure: never tried. */
    for (size_t i = 0; rc == CORE_OK && i < r.count; i++)
        if (!r.results[i].passed && r.results[i].expect != NULL)
            part[r.results[i].expect - scn->expects] = true;
    replay_run_result_free(&r);
    count_kept(&sh, out->before);
    /* The written file itself must fail the same way (a writer's loss would show here). */
    if (rc == CORE_OK) {
        bool yes;
        rc = same(&sh, &yes, err);
        if (rc == CORE_OK && !yes)
            rc = core_error_set(err, CORE_ESTATE, scn->file, 0, 0,
                                "shrink: the file as written again does not fail the same way");
    }
    static const char *const phases[] = {"residents", "events", "visits", "expectations"};
    for (int klass = 0; klass < 4 && rc == CORE_OK; klass++) {
        size_t n = collect(&sh, klass, idx);
        if (klass == 3) { /* only the expectations that are not part of the failure */
            size_t k = 0;
            for (size_t i = 0; i < n; i++)
                if (!part[idx[i]])
                    idx[k++] = idx[i];
            n = k;
        }
        rc = ddmin(&sh, klass == 0 ? sh.res : klass == 3 ? sh.ex : sh.ev, idx, n, phases[klass], err);
    }
    free(part);
    if (rc == CORE_OK) {
        /* The result says what it is, after what the file said. */
        static const char note[] =
            "Shrunk by mynasim shrink to the residents, events, visits and expectations "
            "that fail the same way.";
        const char *was = scn->description != NULL ? scn->description : "";
        size_t wl = strlen(was);
        while (wl > 0 && (was[wl - 1] == '\n' || was[wl - 1] == ' '))
            wl--;
        char *desc = malloc(wl + sizeof note + 1);
        if (desc == NULL)
            rc = core_error_set(err, CORE_ENOMEM, scn->file, 0, 0, "shrink: out of memory");
        struct scenario copy = *scn;
        if (desc != NULL) {
            memcpy(desc, was, wl);
            size_t at = wl;
            if (wl > 0)
                desc[at++] = ' ';
            memcpy(desc + at, note, sizeof note);
            copy.description = desc;
        }
        struct scenario_write_select sel = {.residents = sh.res, .events = sh.ev, .expects = sh.ex};
        struct sig got = {0};
        bool valid = false;
        if (rc == CORE_OK)
            rc = try_run(&sh, &copy, &sel, &valid, &got, &out->text, &out->len, err);
        free(desc);
        if (rc == CORE_OK && (!valid || !sig_equal(&got, &sh.want)))
            rc = core_error_set(err, CORE_ESTATE, scn->file, 0, 0,
                                "shrink: the result does not fail the same way");
        sig_free(&got);
        count_kept(&sh, out->after);
        out->failures = sh.want.count;
    }
    out->runs = sh.runs;
    sig_free(&sh.want);
    free(sh.res);
    free(sh.ev);
    free(sh.ex);
    free(idx);
    if (rc != CORE_OK) {
        free(out->text);
        out->text = NULL;
        out->len = 0;
    }
    return rc;
}

void replay_shrink_result_free(struct replay_shrink_result *r)
{
    if (r == NULL)
        return;
    free(r->text);
    memset(r, 0, sizeof *r);
}
