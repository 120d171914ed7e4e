/*
 * cmd_terminal.c: `mynasim terminal --folders DIR [--encoding utf-8|shift_jis] [--date D] [--poll] [--once]
 * [--policy P] [--seed N] SCENARIO`: the clinic's eligibility terminal by folders (docs/TERMINAL.md). The
 * service is built exactly as `mynasim serve` builds it (the world replay of SCENARIO gives the registry);
 * sim/terminal answers DIR/req into DIR/res until SIGTERM or SIGINT. The line "watching DIR/req" on stdout
 * says the watch is in place and the requests left from before are answered. --present RESIDENT instead runs
 * the reader flow once against the resident's virtual card through the stage (world_probe_check on the wire
 * path, at the default face-reader clinic) and writes the face reader's result file into DIR/face.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "eligibility/eligibility.h"
#include "scenario/scenario.h"
#include "terminal/terminal.h"
#include "world/world.h"

static const char terminal_usage[] =
    "usage: mynasim terminal --folders DIR [--encoding utf-8|shift_jis] [--date YYYY-MM-DD] [--poll] "
    "[--once]\n"
    "                        [--policy P] [--seed N] SCENARIO\n"
    "  --folders DIR     requests OQSsiquc01req_<id>.xml in DIR/req, answers OQSsiquc01res_<id>.xml in "
    "DIR/res\n"
    "  --encoding E      the answers' encoding: utf-8 (default) or shift_jis\n"
    "  --date D          the terminal's date (default: today in Japan, the process clock, read per request)\n"
    "  --poll            scan DIR/req every half second instead of watching it (network shares)\n"
    "  --once            answer the requests in DIR/req, then exit\n"
    "  --present R       resident R puts the card on the face reader: the reader flow runs against R's\n"
    "                    virtual card and the result goes to DIR/face; then exit (needs --institution)\n"
    "  --institution C   the clinic's 10-digit MedicalInstitutionCode on face results\n"
    "  --policy P        replay SCENARIO under policy P instead of its own\n"
    "  --seed N          seed of the service's nonces (default 0)\n"
    "Runs until SIGTERM or SIGINT; one line per file in and out on stderr (docs/TERMINAL.md).\n";

int cli_terminal_main(int argc, char **argv)
{
    const char *folders = NULL, *encoding = NULL, *date = NULL, *policy = NULL, *seed_arg = NULL;
    const char *present = NULL, *institution = NULL;
    bool poll_mode = false, once = false;
    const struct cli_opt opts[] = {
        {"folders", 0, CLI_OPT_VALUE, &folders},
        {"encoding", 0, CLI_OPT_VALUE, &encoding},
        {"date", 0, CLI_OPT_VALUE, &date},
        {"poll", 0, CLI_OPT_FLAG, &poll_mode},
        {"once", 0, CLI_OPT_FLAG, &once},
        {"policy", 0, CLI_OPT_VALUE, &policy},
        {"seed", 0, CLI_OPT_VALUE, &seed_arg},
        {"present", 0, CLI_OPT_VALUE, &present},
        {"institution", 0, CLI_OPT_VALUE, &institution},
    };
    const struct cli_spec spec = {
        .cmd = "terminal", .usage = terminal_usage, .opts = opts, .nopts = sizeof opts / sizeof opts[0]};
    int nargs;
    int rc = cli_parse(&spec, argc, argv, &nargs);
    if (rc != CLI_CONTINUE)
        return rc;
    if (nargs != 1 || folders == NULL) {
        fprintf(stderr, "mynasim terminal: %s\n",
                nargs > 1 ? "one SCENARIO only"
                          : (nargs == 0 ? "a SCENARIO file is needed" : "--folders DIR is needed"));
        fputs(terminal_usage, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *file = argv[1];
    struct terminal_options to;
    memset(&to, 0, sizeof to);
    to.folder = folders;
    to.poll = poll_mode;
    if (encoding == NULL || strcmp(encoding, "utf-8") == 0) {
        to.encoding = ELIGIBILITY_ENC_UTF8;
    } else if (strcmp(encoding, "shift_jis") == 0) {
        to.encoding = ELIGIBILITY_ENC_CP932;
    } else {
        fprintf(stderr, "mynasim terminal: --encoding '%s': expected utf-8 or shift_jis\n", encoding);
        return CLI_EXIT_USAGE;
    }
    uint64_t seed = 0;
    if (seed_arg != NULL) {
        char *end = NULL;
        errno = 0;
        unsigned long long n = strtoull(seed_arg, &end, 10);
        if (errno != 0 || end == seed_arg || *end != '\0' || seed_arg[0] == '-') {
            fprintf(stderr, "mynasim terminal: --seed: not a number: %s\n", seed_arg);
            return CLI_EXIT_USAGE;
        }
        seed = n;
    }
    core_day on = CORE_DAY_NONE;
    if (date != NULL && core_date_parse(date, strlen(date), &on) != CORE_OK) {
        fprintf(stderr, "mynasim terminal: --date: not a date YYYY-MM-DD: %s\n", date);
        return CLI_EXIT_USAGE;
    }

    if (present != NULL &&
        (institution == NULL || strlen(institution) != 10 || strspn(institution, "0123456789") != 10)) {
        fprintf(stderr, "mynasim terminal: --present needs --institution with the clinic's 10-digit code\n");
        return CLI_EXIT_USAGE;
    }

    struct scenario *scn = NULL;
    size_t problems = 0;
    if (cli_load_scenario(file, policy, &scn, &problems) != CORE_OK) {
        if (problems == 0)
            fprintf(stderr, "%s: not valid\n", file);
        return CLI_EXIT_USAGE;
    }

    int status = CLI_EXIT_FAILED;
    struct core_error err;
    core_error_clear(&err);
    struct world *w = NULL;
    struct eligibility_service *svc = NULL;
    struct terminal *t = NULL;
    int sfd = -1;
    int resident = -1;
    for (size_t i = 0; present != NULL && i < scn->resident_count; i++)
        if (strcmp(scn->residents[i].id, present) == 0)
            resident = (int)i;
    if (present != NULL && resident < 0) {
        fprintf(stderr, "mynasim terminal: --present: %s: no resident of that id in %s\n", present, file);
        status = CLI_EXIT_USAGE;
        goto done;
    }
    /* --present runs the reader flow for real: the card, the reader device, signed XML and the service. */
    if (world_new(scn, &w, &err) != CORE_OK ||
        (present != NULL && world_set_fidelity(w, WORLD_FIDELITY_WIRE, &err) != CORE_OK) ||
        world_run(w, &err) != CORE_OK) {
        cli_print_error(file, &err);
        status = CLI_EXIT_USAGE;
        goto done;
    }
    if (eligibility_service_new(world_registry(w), scn->policy, &svc, &err) != CORE_OK) {
        cli_print_error("terminal", &err);
        goto done;
    }
    eligibility_service_seed(svc, seed);
    if (eligibility_service_set_date(svc, on) != CORE_OK) {
        fprintf(stderr, "mynasim terminal: --date: %s is outside 1900-01-01 .. 9999-12-31\n", date);
        status = CLI_EXIT_USAGE;
        goto done;
    }
    if (terminal_new(svc, &to, &t, &err) != CORE_OK) {
        cli_print_error("terminal", &err);
        status = CLI_EXIT_USAGE;
        goto done;
    }
    if (present != NULL) {
        /* The session's time: now in Japan, on the terminal's day when --date moves it. */
        time_t now = time(NULL);
        core_day today = core_date_from_time(now);
        core_day day = on != CORE_DAY_NONE ? on : today;
        struct eligibility_answer a;
        struct terminal_face face = {.answer = &a,
                                     .on = day,
                                     .institution = institution,
                                     .when = (int64_t)now + ((int64_t)day - (int64_t)today) * 86400};
        char name[256];
        if (world_probe_check(w, resident, day, SCENARIO_NONE, &a, &err) != CORE_OK ||
            terminal_write_face(t, &face, name, sizeof name, &err) != CORE_OK) {
            cli_print_error("terminal", &err);
            goto done;
        }
        printf("%s\n", name);
        status = CLI_EXIT_OK;
        goto done;
    }
    if (once) {
        size_t answered = 0;
        if (terminal_recover(t, &answered, &err) != CORE_OK) {
            cli_print_error("terminal", &err);
            goto done;
        }
        status = CLI_EXIT_OK;
        goto done;
    }
    /* SIGTERM and SIGINT end the watch through a signalfd: blocked here, read by the terminal's loop. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    if (sigprocmask(SIG_BLOCK, &stop, NULL) != 0 || (sfd = signalfd(-1, &stop, SFD_CLOEXEC)) < 0) {
        fprintf(stderr, "mynasim terminal: signals: %s\n", strerror(errno));
        goto done;
    }
    fflush(stdout);
    if (terminal_run(t, sfd, STDOUT_FILENO, &err) != CORE_OK) {
        cli_print_error("terminal", &err);
        goto done;
    }
    fprintf(stderr, "mynasim terminal: stopped\n");
    status = CLI_EXIT_OK;
done:
    if (sfd >= 0)
        close(sfd);
    terminal_free(t);
    eligibility_service_free(svc);
    world_free(w);
    scenario_free(scn);
    return status;
}
