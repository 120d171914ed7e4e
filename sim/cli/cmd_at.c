/*
 * `mynasim at`: any program at a Japan date and time, through libfaketime (docs/TIME.md). The program gets
 * TZ=Asia/Tokyo, libfaketime appended to LD_PRELOAD and the clock as an offset from the real clock (FAKETIME,
 * or the clock file a runner moves: FAKETIME_TIMESTAMP_FILE), then mynasim execs it: its PID and its exit
 * status are the program's. `--set-clock FILE DATETIME` writes that clock file atomically.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

#ifndef MYNASIM_MULTIARCH
#define MYNASIM_MULTIARCH "x86_64-linux-gnu"
#endif

enum {
    AT_EXIT_CANNOT_RUN = 126, /* as the shell: found but not runnable */
    AT_EXIT_NOT_FOUND = 127,
    AT_CLOCK_FILE_MAX = 4096,
};

static const char at_usage[] =
    "usage: mynasim at [--real-monotonic|--fake-monotonic] DATETIME -- COMMAND [ARG...]\n"
    "       mynasim at [--real-monotonic|--fake-monotonic] [--clock-cache S] --clock FILE -- COMMAND "
    "[ARG...]\n"
    "       mynasim at --set-clock FILE DATETIME\n"
    "\n"
    "Runs COMMAND at a Japan date and time through libfaketime (Debian package libfaketime); the clock "
    "ticks\n"
    "from there. DATETIME is Japan time: YYYY-MM-DDThh:mm, YYYY-MM-DDThh:mm:ss or YYYY-MM-DD (00:00). "
    "COMMAND\n"
    "gets TZ=Asia/Tokyo; mynasim execs it, so its PID and exit status are COMMAND's (127: not found, 126: "
    "not\n"
    "runnable, 2: bad usage before it started). Every process COMMAND starts shares the same clock.\n"
    "\n"
    "options:\n"
    "  --clock FILE       the clock is FILE, which a runner moves while COMMAND runs (see --set-clock)\n"
    "  --set-clock FILE   write FILE so that its clock reads DATETIME now; replaced atomically (renamed "
    "into\n"
    "                     place), never written in place, so a reader never sees half of it\n"
    "  --clock-cache S    with --clock: re-read FILE at most every S seconds (default 1; 0: on every clock "
    "call,\n"
    "                     about 15 us each)\n"
    "  --real-monotonic   CLOCK_MONOTONIC stays real (the default): servers' timers and timeouts keep "
    "working,\n"
    "                     but absolute monotonic sleeps fail with EINVAL (Python's time.sleep raises)\n"
    "  --fake-monotonic   CLOCK_MONOTONIC follows the fake clock too: absolute sleeps work, timers jump "
    "with\n"
    "                     every step of the clock\n"
    "\n"
    "Statically linked programs (most Go programs) cannot be moved: mynasim warns. Java works as it is; an\n"
    "ASan-built program needs libasan first: LD_PRELOAD=$(gcc -print-file-name=libasan.so) mynasim at ...,\n"
    "or ASAN_OPTIONS=verify_asan_link_order=0. MYNASIM_LIBFAKETIME=PATH names the library to use.\n"
    "See docs/TIME.md.\n"
    "\n"
    "examples:\n"
    "  mynasim at 2025-08-01T08:55 -- date +%F                  # 2025-08-01, whatever your TZ\n"
    "  mynasim at 2025-12-01T23:59:58 -- sh -c 'date; sleep 3; date'\n"
    "  mynasim at --set-clock /tmp/clock 2025-08-01T08:55\n"
    "  mynasim at --clock /tmp/clock -- ./reception-system &   # then, while it runs:\n"
    "  mynasim at --set-clock /tmp/clock 2025-12-02T09:00\n"
    "  mynasim at 2025-12-02T09:00 -- mynasim serve --listen 127.0.0.1:8080 scenario.yaml\n";

/* Where libfaketime is: $MYNASIM_LIBFAKETIME alone when set, else the usual places. NULL when none is there. */
const char *cli_find_libfaketime(const char **wanted)
{
    const char *env = getenv("MYNASIM_LIBFAKETIME");
    if (env != NULL && env[0] != '\0') {
        *wanted = env;
        return access(env, R_OK) == 0 ? env : NULL;
    }
    static const char *const places[] = {
        "/usr/lib/" MYNASIM_MULTIARCH "/faketime/libfaketime.so.1", /* Debian, Ubuntu */
        "/usr/lib64/faketime/libfaketime.so.1",                     /* Fedora */
        "/usr/lib/faketime/libfaketime.so.1",                       /* Arch, a plain make install */
        "/usr/local/lib/faketime/libfaketime.so.1",
    };
    *wanted = places[0];
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        if (access(places[i], R_OK) == 0)
            return places[i];
    return NULL;
}

/* The program execvp would run: COMMAND itself when it holds a '/', else the first executable on PATH. */
static CORE_MUST_USE bool resolve(const char *cmd, char *out, size_t cap)
{
    if (strchr(cmd, '/') != NULL)
        return snprintf(out, cap, "%s", cmd) < (int)cap;
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path != '\0') {
        size_t n = strcspn(path, ":");
        int w = snprintf(out, cap, "%.*s/%s", (int)n, n > 0 ? path : ".", cmd);
        if (w > 0 && w < (int)cap && access(out, X_OK) == 0)
            return true;
        path += n;
        if (*path == ':')
            path++;
    }
    return false;
}

/* Whether `path` is an ELF executable without a program interpreter (statically linked, as most Go programs
 * are): libfaketime is never loaded into such a program. */
static bool is_static_elf(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    bool stat_elf = false;
    Elf64_Ehdr eh;
    if (fread(&eh, 1, sizeof eh, f) == sizeof eh && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
        eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phnum > 0 &&
        eh.e_phnum < 4096 && fseek(f, (long)eh.e_phoff, SEEK_SET) == 0) {
        stat_elf = true;
        for (int i = 0; i < eh.e_phnum; i++) {
            Elf64_Phdr ph;
            if (fread(&ph, 1, sizeof ph, f) != sizeof ph) {
                stat_elf = false;
                break;
            }
            if (ph.p_type == PT_INTERP) {
                stat_elf = false;
                break;
            }
        }
    }
    fclose(f);
    return stat_elf;
}

/* LD_PRELOAD with `lib` after what the caller preloads (libasan must come first), once. */
static CORE_MUST_USE bool preload(const char *lib)
{
    const char *old = getenv("LD_PRELOAD");
    if (old == NULL || old[0] == '\0')
        return setenv("LD_PRELOAD", lib, 1) == 0;
    if (strstr(old, lib) != NULL)
        return true;
    size_t n = strlen(old) + strlen(lib) + 2;
    char *both = malloc(n);
    if (both == NULL)
        return false;
    snprintf(both, n, "%s:%s", old, lib);
    bool ok = setenv("LD_PRELOAD", both, 1) == 0;
    free(both);
    return ok;
}

/* The zone for the program: Asia/Tokyo from the zone database, or the POSIX rule JST-9 (the same since 1951)
 * when the database lacks it. */
static const char *japan_tz(void)
{
    const char *dir = getenv("TZDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/Asia/Tokyo", dir != NULL && dir[0] != '\0' ? dir : "/usr/share/zoneinfo");
    return access(path, R_OK) == 0 ? "Asia/Tokyo" : "JST-9";
}

/* The process id in a name libfaketime 0.9.10 gives its shared objects, "faketime_shm_PID" and
 * "sem.faketime_sem_PID" in /dev/shm, or 0. */
static long shm_owner(const char *name)
{
    const char *num = NULL;
    if (strncmp(name, "faketime_shm_", 13) == 0)
        num = name + 13;
    else if (strncmp(name, "sem.faketime_sem_", 17) == 0)
        num = name + 17;
    if (num == NULL || *num == '\0' || strspn(num, "0123456789") != strlen(num) || strlen(num) > 9)
        return 0;
    return strtol(num, NULL, 10);
}

/* libfaketime creates a semaphore and a shared memory object for every program it starts in and removes them
 * when that program exits through exit(); a program killed by a signal, or a shell leaving by _exit() (dash),
 * leaves both behind. Before starting the next program, remove those of ours whose process is gone, so they
 * never pile up (docs/TIME.md). A live process's objects, and other users', are left alone. */
static void sweep_libfaketime_litter(void)
{
    DIR *d = opendir("/dev/shm");
    if (d == NULL)
        return;
    uid_t me = geteuid();
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid = shm_owner(e->d_name);
        struct stat st;
        if (pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != me)
            continue;
        unlinkat(dirfd(d), e->d_name, 0);
    }
    closedir(d);
}

static CORE_MUST_USE int set_clock(const char *file, const char *when)
{
    int64_t t;
    if (core_time_parse_japan(when, strlen(when), &t) != CORE_OK) {
        fprintf(stderr, "mynasim at: --set-clock: not a Japan time YYYY-MM-DDThh:mm[:ss]: %s\n", when);
        return CLI_EXIT_USAGE;
    }
    struct timespec now;
    core_clock_real_now(&now);
    struct core_error err;
    core_error_clear(&err);
    if (core_clock_file_write(file, t, &now, &err) != CORE_OK) {
        cli_print_error_in("mynasim at", "--set-clock", &err);
        return CLI_EXIT_FAILED;
    }
    return CLI_EXIT_OK;
}

/* A clock file COMMAND may use: there, and as --set-clock writes it (libfaketime runs on the real clock when
 * the file is missing or empty, and exits when it cannot parse it). */
static bool clock_usable(const char *file)
{
    char *text = NULL;
    size_t len = 0;
    struct core_error err;
    core_error_clear(&err);
    int rc = core_file_read(file, AT_CLOCK_FILE_MAX, &text, &len, &err);
    if (rc == CORE_OK)
        rc = core_clock_file_parse(file, text, len, &err);
    free(text);
    if (rc != CORE_OK) {
        cli_print_error_in("mynasim at", "--clock", &err);
        fprintf(stderr, "mynasim at: write the clock with: mynasim at --set-clock %s YYYY-MM-DDThh:mm\n",
                file);
        return false;
    }
    return true;
}

/* The index of the "--" that ends mynasim's own arguments (skipping the values of options that take one),
 * or argc when there is none. */
static int find_dashdash(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return i;
        if (strcmp(argv[i], "--clock") == 0 || strcmp(argv[i], "--set-clock") == 0 ||
            strcmp(argv[i], "--clock-cache") == 0)
            i++;
    }
    return argc;
}

int cli_at_main(int argc, char **argv)
{
    const char *clock = NULL, *set = NULL, *cache = NULL;
    bool real_mono = false, fake_mono = false;
    const struct cli_opt opts[] = {
        {"clock", 0, CLI_OPT_VALUE, &clock},
        {"set-clock", 0, CLI_OPT_VALUE, &set},
        {"clock-cache", 0, CLI_OPT_VALUE, &cache},
        {"real-monotonic", 0, CLI_OPT_FLAG, &real_mono},
        {"fake-monotonic", 0, CLI_OPT_FLAG, &fake_mono},
    };
    const struct cli_spec spec = {"at", at_usage, opts, sizeof opts / sizeof opts[0], false, false};
    int dd = find_dashdash(argc, argv);
    int nargs;
    int rc = cli_parse(&spec, dd, argv, &nargs);
    if (rc != CLI_CONTINUE)
        return rc;
    char **cmd = dd < argc ? argv + dd + 1 : NULL;
    bool has_cmd = cmd != NULL && cmd[0] != NULL;

    if (set != NULL) {
        if (clock != NULL || cache != NULL || real_mono || fake_mono || dd < argc || nargs != 1) {
            fprintf(stderr, "mynasim at: --set-clock FILE DATETIME takes nothing else (see --help)\n");
            return CLI_EXIT_USAGE;
        }
        return set_clock(set, argv[1]);
    }
    if (real_mono && fake_mono) {
        fprintf(stderr, "mynasim at: --real-monotonic or --fake-monotonic, not both\n");
        return CLI_EXIT_USAGE;
    }
    if (!has_cmd) {
        fprintf(stderr,
                "mynasim at: put the command after --: mynasim at %s -- COMMAND [ARG...] (see --help)\n",
                clock != NULL ? "--clock FILE" : "DATETIME");
        return CLI_EXIT_USAGE;
    }
    if (clock != NULL ? nargs != 0 : nargs != 1) {
        fprintf(stderr, "mynasim at: %s (see --help)\n",
                clock != NULL ? "--clock FILE takes no DATETIME" : "give one DATETIME before --");
        return CLI_EXIT_USAGE;
    }
    long cache_s = 1;
    if (cache != NULL) {
        char *end;
        errno = 0;
        cache_s = strtol(cache, &end, 10);
        if (clock == NULL || errno != 0 || end == cache || *end != '\0' || cache_s < 0 || cache_s > 3600) {
            fprintf(stderr, "mynasim at: --clock-cache: %s\n",
                    clock == NULL ? "goes with --clock" : "not a number of seconds 0-3600");
            return CLI_EXIT_USAGE;
        }
    }
    int64_t target = 0;
    if (clock == NULL && core_time_parse_japan(argv[1], strlen(argv[1]), &target) != CORE_OK) {
        fprintf(stderr, "mynasim at: not a Japan time YYYY-MM-DDThh:mm[:ss]: %s\n", argv[1]);
        return CLI_EXIT_USAGE;
    }

    const char *wanted = NULL;
    const char *lib = cli_find_libfaketime(&wanted);
    if (lib == NULL) {
        fprintf(stderr,
                "mynasim at: libfaketime not found (%s): install the Debian package libfaketime, or name the "
                "library with MYNASIM_LIBFAKETIME=PATH\n",
                wanted);
        return CLI_EXIT_FAILED;
    }
    if (clock != NULL && !clock_usable(clock))
        return CLI_EXIT_FAILED;

    char abs_clock[4096];
    bool env_ok = setenv("TZ", japan_tz(), 1) == 0 && preload(lib);
    if (clock != NULL) {
        /* absolute: the program may change directory */
        if (realpath(clock, abs_clock) == NULL)
            snprintf(abs_clock, sizeof abs_clock, "%s", clock);
        char n[24];
        snprintf(n, sizeof n, "%ld", cache_s);
        env_ok = env_ok && unsetenv("FAKETIME") == 0 &&
                 setenv("FAKETIME_TIMESTAMP_FILE", abs_clock, 1) == 0 &&
                 (cache_s == 0
                      ? setenv("FAKETIME_NO_CACHE", "1", 1) == 0 && unsetenv("FAKETIME_CACHE_DURATION") == 0
                      : setenv("FAKETIME_CACHE_DURATION", n, 1) == 0 && unsetenv("FAKETIME_NO_CACHE") == 0);
    } else {
        char offset[48];
        struct timespec now;
        core_clock_real_now(&now);
        env_ok = env_ok && core_clock_offset_format(target, &now, offset, sizeof offset) == CORE_OK &&
                 unsetenv("FAKETIME_TIMESTAMP_FILE") == 0 && setenv("FAKETIME", offset, 1) == 0;
    }
    env_ok = env_ok && (fake_mono ? unsetenv("FAKETIME_DONT_FAKE_MONOTONIC") == 0
                                  : setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1) == 0);
    if (!env_ok) {
        fprintf(stderr, "mynasim at: cannot set the environment: %s\n", strerror(errno));
        return CLI_EXIT_FAILED;
    }

    sweep_libfaketime_litter();
    char path[4096];
    if (resolve(cmd[0], path, sizeof path) && is_static_elf(path))
        fprintf(stderr,
                "mynasim at: warning: %s is statically linked: libfaketime cannot move its clock "
                "(docs/TIME.md)\n",
                path);
    fflush(NULL);
    execvp(cmd[0], cmd);
    int e = errno;
    fprintf(stderr, "mynasim at: cannot run '%s': %s\n", cmd[0], strerror(e));
    return e == ENOENT ? AT_EXIT_NOT_FOUND : AT_EXIT_CANNOT_RUN;
}
