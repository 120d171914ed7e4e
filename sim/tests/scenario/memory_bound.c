/*
 * memory_bound: `mynasim check` of a file just under the YAML size limit stays within 20 times the file's size
 * plus a few MiB of peak memory (docs/SCENARIO-FORMAT.md, "Limits"). It writes hostile files (the densest
 * YAML there is: a flow list and a block list of one-character items; and a list of small flow mappings) in a
 * private temporary directory, runs `mynasim check` on each as a child, and reads the child's peak resident
 * set (ru_maxrss from wait4). A bound on memory, not on time. Prints the figures.
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

/* Runs `mynasim check FILE`; the child's peak RSS in bytes, -1 when it crashed. */
static long peak_of(const char *mynasim, const char *file)
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
        execl(mynasim, mynasim, "check", file, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
        fprintf(stderr, "memory_bound: mynasim check %s did not exit normally (status %d)\n", file, status);
        return -1;
    }
    return ru.ru_maxrss * 1024L;
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
        long peak = peak_of(argv[1], path);
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
    rmdir(dir);
    return failed;
}
