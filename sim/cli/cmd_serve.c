/*
 * cmd_serve.c: `mynasim serve --listen 127.0.0.1:PORT [--control] [--date YYYY-MM-DD] [--policy P]
 * [--seed N] [--timeout S] FILE`: the eligibility service over HTTP. The registry is built by replaying FILE with the same
 * engine as `mynasim run` (the date decides what is visible); then sim/eligibility/http.c serves it until
 * SIGTERM or SIGINT. Without --date the service's date is the process clock in Japan time (libfaketime moves
 * it); --control lets a loopback client set it (POST /control/date). PORT 0 picks a free port; the line
 * "listening on http://HOST:PORT" on stdout tells which, once the service is ready.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "eligibility/eligibility.h"
#include "scenario/scenario.h"
#include "world/world.h"

static const char serve_usage[] =
    "usage: mynasim serve --listen HOST:PORT [--control] [--date YYYY-MM-DD] [--policy P] [--seed N] FILE\n"
    "  --listen HOST:PORT  IPv4 address and port (0: any free port; the port is printed)\n"
    "  --control           loopback-only POST /control/date, /control/down, /control/reader/ID\n"
    "  --date D            the service's date (default: today in Japan, the process clock)\n"
    "  --policy P          replay FILE under policy P instead of its own\n"
    "  --seed N            seed of the service's nonces (default 0)\n"
    "  --timeout S         close a connection idle for S seconds (default 10)\n"
    "Routes: GET /health, POST /nonce, POST /eligibility (docs/MESSAGES.md).\n";

static CORE_MUST_USE int parse_listen(const char *s, char *host, size_t cap, uint16_t *port)
{
    const char *colon = strrchr(s, ':');
    if (colon == NULL || (size_t)(colon - s) >= cap || colon == s)
        return CORE_EINVAL;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *end = NULL;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (errno != 0 || end == colon + 1 || *end != '\0' || p > 65535)
        return CORE_EINVAL;
    *port = (uint16_t)p;
    return CORE_OK;
}

/* A whole decimal number within [min, max] given to option `name`, into *out; not given: *out stays. `range`
 * is what the message says of the bounds ("" or " 1-3600"). */
static CORE_MUST_USE bool number_option(const char *name, const char *v, uint64_t min, uint64_t max,
                                        const char *range, uint64_t *out)
{
    if (v == NULL)
        return true;
    char *end = NULL;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || v[0] == '-' || n < min || n > max) {
        fprintf(stderr, "mynasim serve: %s: not a number%s: %s\n", name, range, v);
        return false;
    }
    *out = n;
    return true;
}

int cli_serve_main(int argc, char **argv)
{
    const char *listen = NULL, *date = NULL, *policy = NULL, *seed_arg = NULL, *timeout_arg = NULL;
    bool control = false;
    const struct cli_opt opts[] = {
        {"listen", 0, CLI_OPT_VALUE, &listen}, {"control", 0, CLI_OPT_FLAG, &control},
        {"date", 0, CLI_OPT_VALUE, &date},     {"policy", 0, CLI_OPT_VALUE, &policy},
        {"seed", 0, CLI_OPT_VALUE, &seed_arg}, {"timeout", 0, CLI_OPT_VALUE, &timeout_arg},
    };
    const struct cli_spec spec = {
        .cmd = "serve", .usage = serve_usage, .opts = opts, .nopts = sizeof opts / sizeof opts[0]};
    int nargs;
    int rc = cli_parse(&spec, argc, argv, &nargs);
    if (rc != CLI_CONTINUE)
        return rc;
    if (nargs > 1) {
        fprintf(stderr, "mynasim serve: one scenario FILE only\n");
        return CLI_EXIT_USAGE;
    }
    const char *file = nargs == 1 ? argv[1] : NULL;
    uint64_t seed = 0, timeout_seconds = 10;
    if (!number_option("--seed", seed_arg, 0, UINT64_MAX, "", &seed) ||
        !number_option("--timeout", timeout_arg, 1, 3600, " 1-3600", &timeout_seconds))
        return CLI_EXIT_USAGE;
    char host[64];
    struct eligibility_http_options ho;
    memset(&ho, 0, sizeof ho);
    if (listen == NULL || file == NULL || parse_listen(listen, host, sizeof host, &ho.port) != CORE_OK) {
        fprintf(stderr, "mynasim serve: %s\n",
                file == NULL ? "a scenario FILE is needed" : "--listen HOST:PORT is needed");
        fputs(serve_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    ho.host = host;
    ho.control = control;
    ho.timeout_seconds = (unsigned)timeout_seconds;
    core_day on = CORE_DAY_NONE;
    if (date != NULL && core_date_parse(date, strlen(date), &on) != CORE_OK) {
        fprintf(stderr, "mynasim serve: --date: not a date YYYY-MM-DD: %s\n", date);
        return CLI_EXIT_USAGE;
    }

    struct scenario_diags diags;
    scenario_diags_init(&diags);
    struct scenario *scn = NULL;
    if (scenario_load_file_with_policy(file, policy, &scn, &diags) != CORE_OK) {
        for (size_t k = 0; k < diags.count; k++)
            cli_print_problem(&diags.items[k]);
        if (diags.count == 0)
            fprintf(stderr, "%s: not valid\n", file);
        scenario_diags_clear(&diags);
        return CLI_EXIT_USAGE;
    }
    scenario_diags_clear(&diags);

    int status = CLI_EXIT_FAILED;
    struct core_error err;
    core_error_clear(&err);
    struct world *w = NULL;
    struct eligibility_service *svc = NULL;
    struct eligibility_http *http = NULL;
    if (world_new(scn, &w, &err) != CORE_OK || world_run(w, &err) != CORE_OK) {
        cli_print_error(file, &err);
        status = CLI_EXIT_USAGE;
        goto done;
    }
    if (eligibility_service_new(world_registry(w), scn->policy, &svc, &err) != CORE_OK) {
        cli_print_error("serve", &err);
        goto done;
    }
    eligibility_service_seed(svc, seed);
    if (eligibility_service_set_date(svc, on) != CORE_OK) {
        fprintf(stderr, "mynasim serve: --date: %s is outside 1900-01-01 .. 9999-12-31\n", date);
        status = CLI_EXIT_USAGE;
        goto done;
    }

    /* SIGTERM and SIGINT are taken by sigwait below: block them before the server's thread starts, so it
     * inherits the mask and the signal reaches this thread. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (eligibility_http_start(svc, &ho, &http, &err) != CORE_OK) {
        cli_print_error("serve", &err);
        goto done;
    }
    printf("listening on http://%s:%u\n", host, (unsigned)eligibility_http_port(http));
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    status = CLI_EXIT_OK;
done:
    eligibility_http_stop(http);
    eligibility_service_free(svc);
    world_free(w);
    scenario_free(scn);
    return status;
}
