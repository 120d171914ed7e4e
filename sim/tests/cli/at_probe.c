/*
 * at_probe: a small program that `mynasim at` runs in sim/tests/cli/at.sh, built three ways (dynamic, static and
 * with ASan) to show what libfaketime moves and what it cannot (docs/TIME.md).
 *   at_probe date        prints the local date and time (the program's TZ), "YYYY-MM-DD hh:mm:ss"
 *   at_probe abs-sleep   sleeps 10 ms on CLOCK_MONOTONIC to an absolute deadline (as Python's time.sleep does):
 *                        prints "abs-sleep ok" or "abs-sleep failed: <errno text>"
 *   at_probe monotonic   prints "monotonic fake" when CLOCK_MONOTONIC reads near the (fake) wall clock, else
 *                        "monotonic real"
 *   at_probe watch N     a long-running program: prints the local date and time whenever the date changes,
 *                        and exits 0 after N dates (1 after 3,000 polls of 20 ms: a guard, not a measure)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void now_text(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

int main(int argc, char **argv)
{
    char buf[64];
    if (argc == 2 && strcmp(argv[1], "date") == 0) {
        now_text(buf, sizeof buf);
        puts(buf);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "abs-sleep") == 0) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_nsec += 10000000L;
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
        if (rc == 0)
            puts("abs-sleep ok");
        else
            printf("abs-sleep failed: %s\n", strerror(rc));
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "monotonic") == 0) {
        struct timespec m, r;
        clock_gettime(CLOCK_MONOTONIC, &m);
        clock_gettime(CLOCK_REALTIME, &r);
        long long d = (long long)r.tv_sec - (long long)m.tv_sec;
        puts(d > -86400 && d < 86400 ? "monotonic fake" : "monotonic real");
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "watch") == 0) {
        int want = atoi(argv[2]), seen = 0;
        char last[11] = "";
        for (int i = 0; i < 3000; i++) {
            now_text(buf, sizeof buf);
            if (strncmp(buf, last, 10) != 0) {
                memcpy(last, buf, 10);
                last[10] = '\0';
                puts(buf);
                fflush(stdout);
                if (++seen >= want)
                    return 0;
            }
            struct timespec pause = {0, 20000000L};
            nanosleep(&pause, NULL);
        }
        return 1;
    }
    fprintf(stderr, "usage: at_probe date|abs-sleep|monotonic|watch N\n");
    return 2;
}
