/*
 * memory_bound: `mynasim check` of a file just under the YAML size limit stays within 20 times the file's size
 * plus a few MiB of peak memory (docs/SCENARIO-FORMAT.md, "Limits"). It writes hostile files (the densest
 * YAML there is: a flow list and a block list of one-character items; and a list of small flow mappings) in a
 * private temporary directory, runs `mynasim check` on each as a child, and reads the child's peak resident
 * set (ru_maxrss from wait4). Then `mynasim run --fidelity rules` of a real-shaped scenario of a few MiB
 * (residents as the library writes them, and their visits), which holds the world besides the scenario, under
 * the same bound. A bound on memory, not on time. Prints the figures.
 *
 *   memory_bound MYNASIM
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIMIT (16L * 1024 * 1024) /* CORE_YAML_MAX_SIZE */
#define FACTOR 20L                /* the bound: FACTOR times the size ... */
#define FIXED (16L * 1024 * 1024) /* ... plus this (the program, libraries, policy) */

static int write_file(const char *path, const char *head, const char *item, const char *sep, const char *tail)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "memory_bound: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    long size = (long)fprintf(f, "%s", head);
    long budget = LIMIT - 4096 - (long)strlen(tail);
    char buf[64];
    for (long i = 0; size < budget - 64; i++) {
        /* item NULL: the numbered clinic mapping; otherwise the item as it is */
        if (item == NULL)
            snprintf(buf, sizeof buf, "- {id: c%07ld, name: x}\n", i);
        else
            snprintf(buf, sizeof buf, "%s", item);
        size += (long)fprintf(f, "%s%s", i > 0 ? sep : "", buf);
    }
    size += (long)fprintf(f, "%s", tail);
    if (fclose(f) != 0)
        return -1;
    return 0;
}

/* Runs `mynasim check FILE` (or `mynasim run --fidelity rules FILE` when `run`); the child's peak RSS in bytes,
 * -1 when it crashed. */
static long peak_of(const char *mynasim, const char *file, int run)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        if (run)
            execl(mynasim, mynasim, "run", "--fidelity", "rules", file, (char *)NULL);
        else
            execl(mynasim, mynasim, "check", file, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    /* A check of a hostile file says it is invalid (exit 2); the run of the real-shaped file passes (exit 0). */
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 127 || (run && WEXITSTATUS(status) != 0)) {
        fprintf(stderr, "memory_bound: mynasim %s %s did not exit normally (status %d)\n",
                run ? "run" : "check", file, status);
        return -1;
    }
    return ru.ru_maxrss * 1024L;
}

/* A real-shaped scenario (as ci/scale-figures.py writes its own, smaller): `residents` residents of four
 * insurers, with and without cards, and `visits` first visits at 1,000 clinics over August 2025. */
#define SHAPED_RESIDENTS 12000
#define SHAPED_VISITS 7000
#define SHAPED_CLINICS 1000

static int write_shaped(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "memory_bound: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "scenario: memory-bound-run\nperiod: {from: 2025-08-01, to: 2025-10-31}\npolicy: national\n"
               "insurers:\n"
               "  - {id: kitamoto-nhi, kind: nhi, number: \"112334\"}\n"
               "  - {id: acme-kenpo, kind: society, number: \"06130215\"}\n"
               "  - {id: kyokai-saitama, kind: kyokai, number: \"01110014\"}\n"
               "  - {id: saitama-kouki, kind: latter_elderly, number: \"39110010\"}\n"
               "clinics:\n");
    for (int c = 0; c < SHAPED_CLINICS; c++)
        fprintf(f, "  - {id: c%05d, reader: %s}\n", c, c % 3 ? "face" : "pin");
    fprintf(f, "residents:\n");
    for (int i = 0; i < SHAPED_RESIDENTS; i++) {
        int k = i % 10, y = 52 + i % 40, m = 1 + i % 12, d = 1 + i % 28;
        if (k < 4)
            fprintf(
                f,
                "  - {id: r%06d, born: 19%02d-%02d-%02d, insurer: kitamoto-nhi, card: {issued: 2022-06-01}, "
                "registered: 2023-02-01, holds: [notice]}\n",
                i, y, m, d);
        else if (k < 7)
            fprintf(
                f,
                "  - {id: r%06d, born: 19%02d-%02d-%02d, insurer: acme-kenpo, card: {issued: 2021-11-01}, "
                "registered: 2022-01-10}\n",
                i, y, m, d);
        else if (k < 9)
            fprintf(f,
                    "  - {id: r%06d, born: 19%02d-%02d-%02d, insurer: kyokai-saitama, "
                    "paper_card: {issued: 2024-08-01}}\n",
                    i, y, m, d);
        else
            fprintf(f,
                    "  - {id: r%06d, born: 1948-%02d-%02d, insurer: saitama-kouki, "
                    "paper_card: {issued: 2024-08-01}}\n",
                    i, m, d);
    }
    fprintf(f, "events:\n");
    for (int day = 1; day <= 28; day++) /* in date order, as the format requires */
        for (long v = 0; v < SHAPED_VISITS; v++) {
            int i = (int)(v * 7919 % SHAPED_RESIDENTS);
            if (1 + i % 28 != day)
                continue;
            fprintf(
                f, "  - {date: 2025-08-%02d, who: r%06d, do: visit, clinic: c%05d, bring: %s, kind: first}\n",
                day, i, i * 31 % SHAPED_CLINICS, i % 10 < 7 ? "[card]" : "[paper_card]");
        }
    if (fclose(f) != 0)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: memory_bound MYNASIM\n");
        return 2;
    }
    char dir[] = "/tmp/mynasim-memory-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("memory_bound: mkdtemp");
        return 2;
    }
    static const struct {
        const char *name, *head, *item, *sep, *tail;
    } files[] = {
        {"flow-list.yaml", "format: 1\nresidents: [", "1", ",", "]\n"},
        {"block-list.yaml", "format: 1\nresidents:\n", "- 1\n", "", ""},
        {"flow-maps.yaml", "format: 1\nclinics:\n", NULL, "", ""},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        if (write_file(path, files[i].head, files[i].item, files[i].sep, files[i].tail) != 0) {
            failed = 1;
            continue;
        }
        struct stat st;
        if (stat(path, &st) != 0) {
            failed = 1;
            continue;
        }
        long peak = peak_of(argv[1], path, 0);
        long bound = FACTOR * (long)st.st_size + FIXED;
        printf("%-16s %9ld bytes: peak %6.1f MiB (%.1f times its size), bound %6.1f MiB\n", files[i].name,
               (long)st.st_size, (double)peak / 1048576.0, (double)peak / (double)st.st_size,
               (double)bound / 1048576.0);
        if (peak < 0 || peak > bound) {
            fprintf(stderr, "memory_bound: %s: peak %ld bytes over the bound %ld\n", files[i].name, peak,
                    bound);
            failed = 1;
        }
        unlink(path);
    }
    char path[256];
    snprintf(path, sizeof path, "%s/shaped.yaml", dir);
    struct stat st;
    if (write_shaped(path) != 0 || stat(path, &st) != 0) {
        failed = 1;
    } else {
        long peak = peak_of(argv[1], path, 1);
        long bound = FACTOR * (long)st.st_size + FIXED;
        printf("run of %-9s %9ld bytes: peak %6.1f MiB (%.1f times its size), bound %6.1f MiB\n",
               "shaped.yaml", (long)st.st_size, (double)peak / 1048576.0, (double)peak / (double)st.st_size,
               (double)bound / 1048576.0);
        if (peak < 0 || peak > bound) {
            fprintf(stderr, "memory_bound: run of shaped.yaml: peak %ld bytes over the bound %ld\n", peak,
                    bound);
            failed = 1;
        }
    }
    unlink(path);
    rmdir(dir);
    return failed;
}
