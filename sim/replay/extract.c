/*
 * extract.c: from a population failure to a scenario (replay.h, extracting; docs/POPULATIONS.md, "From a
 * population failure to a scenario"). Called with each finished household of a population (world.h,
 * world_population_run_detail), it writes every resident with a gap day as a standalone named-resident
 * scenario: the resident's whole household (a dependent needs the member they depend on, a move takes every
 * NHI member), its insurers with their numbers, the three generated clinics, each resident's documents at the
 * start and the events the generator made, under the population's period, policy and outages. Each resident's
 * My Number is written as the population gave it. Run alone, the file replays the same household through the
 * same engine, so every resident has the same days; `mynasim run` reports the gap days as INV-1 failures.
 *
 * The population's visits are probes asked of the finished household (docs/POPULATIONS.md, Generation): they
 * change no day, and are not written.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "replay/replay.h"
#include "scenario/scenario.h"
#include "world/world.h"

int replay_extract_dir(const char *dir, struct core_error *err)
{
    char path[4096];
    if (dir == NULL || dir[0] == '\0')
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "--extract: no directory given");
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return core_error_set(err, CORE_EINVAL, dir, 0, 0, "--extract: the directory's name is too long");
    /* Every missing parent, then the directory itself (mkdir -p). */
    for (char *p = path + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return core_error_set(err, CORE_EIO, path, 0, 0, "--extract: cannot create the directory: %s",
                                      strerror(errno));
            if (end)
                break;
            *p = '/';
        }
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return core_error_set(err, CORE_EINVAL, dir, 0, 0, "--extract: not a directory");
    return CORE_OK;
}

/* The file's policy as the extracted file must name it: a shipped name as it is, a path made absolute from the
 * population file's directory, or from the current directory for `--policy` (the extracted file lives
 * elsewhere). */
static CORE_MUST_USE int policy_for(const struct scenario *s, const char *given, char *out, size_t cap,
                                    struct core_error *err)
{
    const char *ref = s->policy_ref;
    bool from_cwd =
        given != NULL && strcmp(given, ref) == 0; /* --policy: relative to the current directory */
    if (strspn(ref, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(ref)) {
        snprintf(out, cap, "%s", ref);
        return CORE_OK;
    }
    char joined[4096];
    if (ref[0] == '/' || from_cwd)
        snprintf(joined, sizeof joined, "%s", ref);
    else
        snprintf(joined, sizeof joined, "%s/%s", s->dir, ref);
    char *real = realpath(joined, NULL);
    if (real == NULL || strlen(real) >= cap) {
        free(real);
        return core_error_set(err, CORE_EINVAL, s->file, 0, 0, "--extract: the policy '%s' cannot be found",
                              ref);
    }
    snprintf(out, cap, "%s", real);
    free(real);
    return CORE_OK;
}

/* Writes resident `ri` of the household to ex->dir. */
static CORE_MUST_USE int extract_one(struct replay_extract *ex, const struct world_pop_household *hh, int ri,
                                     struct core_error *err)
{
    const struct scenario *hs = hh->scn;
    const struct world *w = hh->world;
    const char *rid = hs->residents[ri].id;
    char name[256], path[4096], policy[4096];
    if (snprintf(name, sizeof name, "%s-%s", hs->name, rid) >= (int)sizeof name ||
        snprintf(path, sizeof path, "%s/%s.yaml", ex->dir, name) >= (int)sizeof path)
        return core_error_set(err, CORE_EINVAL, ex->dir, 0, 0, "--extract: a file name is too long");
    for (char *c = name; *c != '\0'; c++) /* resident ids of a population are h<N>-<n>: already a name */
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            *c = '-';
    struct stat st;
    if (!ex->force && lstat(path, &st) == 0)
        return core_error_set(err, CORE_EINVAL, path, 0, 0,
                              "--extract: %s exists and is not overwritten (--force replaces it)", path);
    int rc = policy_for(hs, ex->policy, policy, sizeof policy, err);
    if (rc != CORE_OK)
        return rc;
    struct scenario copy = *hs;
    struct scenario_resident *res = malloc(hs->resident_count * sizeof *res);
    if (res == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "--extract: out of memory");
    for (size_t i = 0; i < hs->resident_count; i++) {
        res[i] = hs->residents[i];
        const char *mn = world_my_number(w, (int)i);
        if (strlen(mn) == 12)
            memcpy(res[i].identity.my_number, mn, 13);
    }
    const struct scenario *pop = ex->population;
    char first[11] = "?", desc[1024];
    core_day fg = world_first_gap(w, ri);
    if (fg != CORE_DAY_NONE)
        core_date_format(fg, first);
    const char *why = "";
    for (size_t i = 0, n = world_range_count(w, ri); i < n; i++) {
        const struct world_range *rg = world_range_at(w, ri, i);
        if (rg->verdict == WORLD_DAY_GAP) {
            why = rg->rule != NULL ? rg->rule : "";
            break;
        }
    }
    snprintf(desc, sizeof desc,
             "Extracted by mynasim run --extract from %s (population of %lld, mix %s, seed %" PRIu64
             "): household %lld as generated. Resident %s has %ld gap days from %s%s%s; run alone this file "
             "gives every resident the same days.",
             hs->file, pop != NULL ? pop->population.size : 0LL, pop != NULL ? pop->population.mix : "?",
             pop != NULL && pop->seed_given ? pop->seed : 0, hh->index, rid, world_gap_days(w, ri), first,
             why[0] != '\0' ? ", caused by " : "", why);
    copy.residents = res;
    copy.name = name;
    copy.description = desc;
    copy.policy_ref = policy;
    copy.tag_count = 0;
    copy.expect_count = 0;
    copy.has_population = false;
    copy.seed_given = true;
    copy.seed = hs->seed & (uint64_t)LLONG_MAX; /* the reader's range; the My Numbers are written out */
    char *text = NULL;
    size_t len = 0;
    rc = scenario_write(&copy, NULL, &text, &len, err);
    free(res);
    if (rc != CORE_OK)
        return rc;
    struct core_error we;
    core_error_clear(&we);
    rc = core_file_write_atomic(path, text, len, &we);
    free(text);
    if (rc != CORE_OK) { /* the population's error names its own file: the path goes in the message */
        char what[1200];
        core_error_format(&we, what, sizeof what);
        return core_error_set(err, rc, path, 0, 0, "--extract: %s", what);
    }
    if (rc == CORE_OK)
        ex->written++;
    return rc;
}

int replay_extract_household(void *ctx, const struct world_pop_household *hh, struct core_error *err)
{
    struct replay_extract *ex = ctx;
    for (size_t ri = 0; ri < hh->scn->resident_count; ri++) {
        if (world_gap_days(hh->world, (int)ri) <= 0)
            continue;
        int rc = extract_one(ex, hh, (int)ri, err);
        if (rc != CORE_OK)
            return rc;
    }
    return ex->next != NULL ? ex->next(ex->next_ctx, hh, err) : CORE_OK;
}
