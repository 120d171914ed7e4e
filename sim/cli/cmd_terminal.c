/*
 * cmd_terminal.c: `mynasim terminal --folders DIR [--encoding utf-8|shift_jis] [--date D] [--poll] [--once]
 * [--policy P] [--seed N] SCENARIO`: the clinic's eligibility terminal by folders (docs/TERMINAL.md). The
 * service is built exactly as `mynasim serve` builds it (the world replay of SCENARIO gives the registry);
 * sim/terminal answers DIR/req into DIR/res until SIGTERM or SIGINT. The line "watching DIR/req" on stdout
 * says the watch is in place and the requests left from before are answered. --present RESIDENT instead runs
 * the reader flow once against the resident's virtual card through the stage (world_probe_check on the wire
 * path, at the default face-reader clinic) and writes the face reader's result file into DIR/face. With
 * --control, /control/present runs a whole session (documents brought, faults, the PIN typed: world_session)
 * and /control/time sets a day or a Japan time; with --visits the scenario's visits at the clinic the
 * terminal plays (--institution) write their face results when the terminal's time reaches them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
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
    "  --control H:P     loopback-only POST /control/present {\"resident\":R, \"bring\":[..], "
    "\"faults\":[..],\n"
    "                    \"pin\":\"1234\"|\"face\", \"visit\":ID, \"kind\":K} and /control/time\n"
    "                    {\"date\":\"YYYY-MM-DD\"|\"YYYY-MM-DDThh:mm\"|null} while watching (needs\n"
    "                    --institution; port 0: any)\n"
    "  --visits          the scenario's visits at the clinic of --institution write their face results\n"
    "                    into DIR/face when the terminal's time reaches each visit's date and time\n"
    "  --policy P        replay SCENARIO under policy P instead of its own\n"
    "  --seed N          seed of the service's nonces (default 0)\n"
    "Runs until SIGTERM or SIGINT; one line per file in and out on stderr (docs/TERMINAL.md).\n";

/* One session at the face reader: resident `resident` (an index) on the terminal's day, at the terminal's
 * time (terminal_now), at clinic `clinic` (SCENARIO_NONE: the default face-reader clinic). *name gets the
 * file's name. */
static CORE_MUST_USE int present_card(struct world *w, struct terminal *t, int resident, int clinic,
                                      const char *institution, char *name, size_t cap, struct core_error *err)
{
    core_day day = terminal_date(t);
    struct eligibility_answer a;
    struct terminal_face face = {
        .answer = &a, .on = day, .institution = institution, .when = terminal_now(t)};
    int rc = world_probe_check(w, resident, day, clinic, &a, err);
    if (rc == CORE_OK)
        rc = terminal_write_face(t, &face, name, cap, err);
    return rc;
}

/* A whole session (world_session): the visit `v` of resident `resident` on `day` at `when`, the PIN typed (NULL:
 * the holder's own, the face first). When the card was read, its answer is written into DIR/face (named by
 * `visit_id`, or numbered when NULL) and *name gets the file's name; else *name is "". *out gets the visit. */
static CORE_MUST_USE int run_session(struct world *w, struct terminal *t, int resident, core_day day,
                                     int64_t when, const struct scenario_visit *v, const char *pin,
                                     const char *visit_id, const char *institution, struct world_visit *out,
                                     char *name, size_t cap, struct core_error *err)
{
    struct eligibility_answer a;
    name[0] = '\0';
    int rc = world_session(w, resident, day, v, pin, out, &a, err);
    if (rc != CORE_OK || out->card_check == ELIGIBILITY_NO_CARD)
        return rc;
    struct terminal_face face = {.answer = &a, .on = day, .institution = institution, .when = when};
    return terminal_write_face_visit(t, &face, visit_id, name, cap, err);
}

static int resident_index(const struct scenario *scn, const char *id)
{
    for (size_t i = 0; id != NULL && i < scn->resident_count; i++)
        if (strcmp(scn->residents[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* ---- the loopback control endpoint (docs/TERMINAL.md, "Control") ----------------------------------------- */

#define CONTROL_BODY_MAX TERMINAL_CONTROL_BODY_MAX

struct control {
    struct MHD_Daemon *daemon;
    uint16_t port;
    const struct scenario *scn;
    struct world *w;
    struct terminal *t;
    const char *institution;
    int clinic; /* the scenario's clinic of --institution, SCENARIO_NONE: the default face-reader clinic */
    /* The world's stage serves one session at a time: the control thread and the visits' thread share it. */
    pthread_mutex_t session;
    /* --visits: each visit event of `clinic` writes its face result once, when the terminal's time reaches
     * it; those at or before `floor` (the start of the day the terminal started on, or stepped back to) are
     * not written. */
    bool visits;
    bool *done; /* per scenario event */
    int64_t floor, last;
    int stop_fd; /* the visits' thread stops when this pipe is readable */
};

struct body {
    size_t len;
    bool over;
    char data[CONTROL_BODY_MAX + 1];
};

static enum MHD_Result control_reply(struct MHD_Connection *conn, unsigned status, json_t *doc)
{
    char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (text == NULL)
        return MHD_NO;
    size_t n = strlen(text);
    char *body = malloc(n + 2);
    if (body == NULL) {
        free(text);
        return MHD_NO;
    }
    memcpy(body, text, n);
    body[n] = '\n';
    body[n + 1] = '\0';
    free(text);
    struct MHD_Response *r = MHD_create_response_from_buffer(n + 1, body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result control_error(struct MHD_Connection *conn, unsigned status, const char *why)
{
    return control_reply(conn, status, json_pack("{s:s}", "error", why));
}

static bool control_from_loopback(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL || ci->client_addr->sa_family != AF_INET)
        return false;
    struct sockaddr_in in;
    memcpy(&in, ci->client_addr, sizeof in);
    return (ntohl(in.sin_addr.s_addr) >> 24) == 127u;
}

/* POSIX seconds of minute `minute` of Japan day `day`. */
static int64_t japan_time_of(core_day day, int minute)
{
    char text[11];
    core_date_format(day, text);
    int64_t midnight = 0;
    if (core_time_parse_japan(text, 10, &midnight) != CORE_OK)
        return 0; /* not reached: a scenario's days are inside 1900..9999 */
    return midnight + (int64_t)minute * 60;
}

/* --visits: writes the face result of every visit of the played clinic the terminal's time has reached since
 * the floor, in file order; a json array of the files written goes into `written` (may be NULL). */
static void visits_due(struct control *c, json_t *written)
{
    if (!c->visits)
        return;
    pthread_mutex_lock(&c->session);
    int64_t now = terminal_now(c->t);
    if (now < c->last) /* stepped back: the visits of the new day are due again, those written stay written */
        c->floor = japan_time_of(core_date_from_time((time_t)now), 0) - 1;
    c->last = now;
    for (size_t i = 0; i < c->scn->event_count; i++) {
        const struct scenario_event *ev = &c->scn->events[i];
        if (ev->kind != SCENARIO_EVENT_VISIT || ev->visit.clinic != c->clinic || c->done[i])
            continue;
        int64_t at = japan_time_of(ev->date, ev->minute);
        if (at > now || at <= c->floor)
            continue;
        c->done[i] = true;
        char vid[24], name[256];
        snprintf(vid, sizeof vid, "L%d", ev->pos.line);
        struct world_visit wv;
        memset(&wv, 0, sizeof wv);
        struct core_error err;
        core_error_clear(&err);
        int rc = run_session(c->w, c->t, ev->resident, ev->date, at, &ev->visit, NULL, vid, c->institution,
                             &wv, name, sizeof name, &err);
        char msg[700];
        if (rc == CORE_ESTATE) {
            fprintf(stderr, "mynasim terminal: visit   %s:%d: its face result is already in face/\n",
                    c->scn->file, ev->pos.line);
        } else if (rc != CORE_OK) {
            core_error_format(&err, msg, sizeof msg);
            fprintf(stderr, "mynasim terminal: visit   %s:%d: no face result: %s\n", c->scn->file,
                    ev->pos.line, msg);
        } else if (name[0] == '\0') {
            fprintf(stderr, "mynasim terminal: visit   %s:%d: the card was not put on the reader (%s)\n",
                    c->scn->file, ev->pos.line, clinic_outcome_name(wv.decision.outcome));
        } else if (written != NULL) {
            json_array_append_new(written, json_string(name));
        }
        fflush(stderr);
    }
    pthread_mutex_unlock(&c->session);
}

static enum MHD_Result control_present(struct control *c, struct MHD_Connection *conn, const char *body,
                                       size_t len)
{
    struct terminal_present_body p;
    char why[300];
    if (terminal_present_parse(body, len, &p, why, sizeof why) != CORE_OK)
        return control_error(conn, MHD_HTTP_BAD_REQUEST, why);
    int resident = resident_index(c->scn, p.resident);
    if (resident < 0)
        return control_error(conn, MHD_HTTP_NOT_FOUND,
                             "field 'resident': no resident of that id in the scenario");
    char name[256] = "";
    struct core_error err;
    core_error_clear(&err);
    int rc;
    json_t *reply;
    pthread_mutex_lock(&c->session);
    if (!p.bring_given && p.faults == 0 && !p.pin_given && !p.visit_given && !p.kind_given) {
        /* The card alone on the reader: the online check with the card in hand, as --present runs it. */
        rc = present_card(c->w, c->t, resident, c->clinic, c->institution, name, sizeof name, &err);
        reply = json_pack("{s:s}", "file", name);
    } else {
        struct scenario_visit v;
        memset(&v, 0, sizeof v);
        v.clinic = c->clinic;
        v.bring_given = p.bring_given;
        v.bring = p.bring;
        v.kind_given = p.kind_given;
        v.kind = p.kind;
        v.faults = p.faults;
        struct world_visit wv;
        memset(&wv, 0, sizeof wv);
        rc = run_session(c->w, c->t, resident, terminal_date(c->t), terminal_now(c->t), &v,
                         p.pin_given ? p.pin : NULL, p.visit_given ? p.visit : NULL, c->institution, &wv,
                         name, sizeof name, &err);
        reply = json_pack("{s:o,s:s,s:s,s:s}", "file", name[0] != '\0' ? json_string(name) : json_null(),
                          "card_check", eligibility_result_name(wv.card_check), "outcome",
                          clinic_outcome_name(wv.decision.outcome), "route",
                          clinic_route_name(wv.decision.route));
    }
    pthread_mutex_unlock(&c->session);
    if (rc != CORE_OK) {
        json_decref(reply);
        char msg[700];
        core_error_format(&err, msg, sizeof msg);
        if (rc == CORE_ESTATE)
            return control_error(conn, MHD_HTTP_CONFLICT,
                                 "field 'visit': that visit already has a face result");
        return control_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
    }
    return control_reply(conn, MHD_HTTP_OK, reply);
}

static enum MHD_Result control_time(struct control *c, struct MHD_Connection *conn, const char *body,
                                    size_t len)
{
    struct terminal_time_body b;
    char why[300];
    if (terminal_time_parse(body, len, &b, why, sizeof why) != CORE_OK)
        return control_error(conn, MHD_HTTP_BAD_REQUEST, why);
    int rc = b.time_given ? terminal_set_time(c->t, b.at) : terminal_set_date(c->t, b.day);
    if (rc != CORE_OK)
        return control_error(conn, MHD_HTTP_BAD_REQUEST, "field 'date': outside 1900-01-01 .. 9999-12-31");
    char text[11];
    core_date_format(terminal_date(c->t), text);
    json_t *reply = json_pack("{s:s,s:b}", "date", text, "clock", b.clock);
    if (b.time_given) {
        char jst[20];
        core_time_format_japan(b.at, jst);
        json_object_set_new(reply, "time", json_string(jst));
    }
    if (c->visits) {
        json_t *written = json_array();
        visits_due(c, written);
        json_object_set_new(reply, "visits", written);
    }
    return control_reply(conn, MHD_HTTP_OK, reply);
}

static enum MHD_Result control_request(void *cls, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version, const char *upload,
                                       size_t *upload_size, void **con_cls)
{
    (void)version;
    struct control *c = cls;
    if (*con_cls == NULL) {
        if (!control_from_loopback(conn))
            return control_error(conn, MHD_HTTP_FORBIDDEN, "loopback only");
        if (strcmp(url, "/health") == 0)
            return control_reply(conn, MHD_HTTP_OK, json_pack("{s:s}", "status", "ok"));
        if (strcmp(url, "/control/present") != 0 && strcmp(url, "/control/time") != 0)
            return control_error(conn, MHD_HTTP_NOT_FOUND, "no such control");
        if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
            return control_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "POST only");
        struct body *b = calloc(1, sizeof *b);
        if (b == NULL)
            return MHD_NO;
        *con_cls = b;
        return MHD_YES;
    }
    struct body *b = *con_cls;
    if (*upload_size > 0) {
        size_t n = *upload_size;
        if (n > CONTROL_BODY_MAX - b->len) {
            n = CONTROL_BODY_MAX - b->len;
            b->over = true;
        }
        memcpy(b->data + b->len, upload, n);
        b->len += n;
        *upload_size = 0;
        return MHD_YES;
    }
    if (b->over)
        return control_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "body larger than 4096 bytes");
    return strcmp(url, "/control/present") == 0 ? control_present(c, conn, b->data, b->len)
                                                : control_time(c, conn, b->data, b->len);
}

static void control_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

/* --visits on the process clock (libfaketime, `mynasim at --clock`): the visits reached are looked for every half
 * second until c->stop_fd is readable. */
static void *visits_main(void *arg)
{
    struct control *c = arg;
    for (;;) {
        struct pollfd pf = {.fd = c->stop_fd, .events = POLLIN};
        int n = poll(&pf, 1, 500);
        if (n > 0)
            break;
        visits_due(c, NULL);
    }
    return NULL;
}

/* Starts the control endpoint on HOST:PORT, HOST a loopback IPv4 address. */
static CORE_MUST_USE bool control_start(struct control *c, const char *listen)
{
    const char *colon = strrchr(listen, ':');
    char host[64];
    char *end = NULL;
    unsigned long port = colon != NULL ? strtoul(colon + 1, &end, 10) : 0;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    if (colon == NULL || (size_t)(colon - listen) >= sizeof host || end == colon + 1 || *end != '\0' ||
        port > 65535) {
        fprintf(stderr, "mynasim terminal: --control '%s': expected HOST:PORT\n", listen);
        return false;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1 || (ntohl(addr.sin_addr.s_addr) >> 24) != 127u) {
        fprintf(stderr, "mynasim terminal: --control '%s': a loopback IPv4 address only (127.x.x.x)\n",
                listen);
        return false;
    }
    addr.sin_port = htons((uint16_t)port);
    c->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, control_request, c,
                                 MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&addr,
                                 MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_LIMIT, 16u,
                                 MHD_OPTION_NOTIFY_COMPLETED, control_completed, c, MHD_OPTION_END);
    if (c->daemon == NULL) {
        fprintf(stderr, "mynasim terminal: --control: cannot listen on %s\n", listen);
        return false;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(c->daemon, MHD_DAEMON_INFO_BIND_PORT);
    c->port = di != NULL ? di->port : (uint16_t)port;
    printf("control on http://%s:%u\n", host, (unsigned)c->port);
    return true;
}

int cli_terminal_main(int argc, char **argv)
{
    const char *folders = NULL, *encoding = NULL, *date = NULL, *policy = NULL, *seed_arg = NULL;
    const char *present = NULL, *institution = NULL, *control_at = NULL;
    bool poll_mode = false, once = false, visits = false;
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
        {"control", 0, CLI_OPT_VALUE, &control_at},
        {"visits", 0, CLI_OPT_FLAG, &visits},
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

    if ((present != NULL || control_at != NULL || visits) &&
        (institution == NULL || strlen(institution) != 10 || strspn(institution, "0123456789") != 10)) {
        fprintf(stderr, "mynasim terminal: --present, --control and --visits need --institution with the "
                        "clinic's 10-digit "
                        "code\n");
        return CLI_EXIT_USAGE;
    }
    if (visits && (present != NULL || once)) {
        fprintf(stderr,
                "mynasim terminal: --visits is for a watching terminal (not with --present or --once)\n");
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
    struct control control = {
        .scn = scn, .institution = institution, .clinic = SCENARIO_NONE, .visits = visits};
    pthread_mutex_init(&control.session, NULL);
    pthread_t visits_thread;
    bool visits_running = false;
    int visits_stop[2] = {-1, -1};
    int resident = resident_index(scn, present);
    if (present != NULL && resident < 0) {
        fprintf(stderr, "mynasim terminal: --present: %s: no resident of that id in %s\n", present, file);
        status = CLI_EXIT_USAGE;
        goto done;
    }
    /* --present runs the reader flow for real: the card, the reader device, signed XML and the service. */
    if (world_new(scn, &w, &err) != CORE_OK ||
        ((present != NULL || control_at != NULL || visits) &&
         world_set_fidelity(w, WORLD_FIDELITY_WIRE, &err) != CORE_OK) ||
        world_run(w, &err) != CORE_OK) {
        cli_print_error(file, &err);
        status = CLI_EXIT_USAGE;
        goto done;
    }
    /* The clinic the terminal plays: the scenario's clinic whose institution code is --institution. */
    for (size_t i = 0; institution != NULL && i < scn->clinic_count; i++) {
        char code[11];
        if (world_clinic_institution(w, (int)i, code) == CORE_OK && strcmp(code, institution) == 0)
            control.clinic = (int)i;
    }
    if (visits && control.clinic == SCENARIO_NONE) {
        fprintf(stderr, "mynasim terminal: --visits: no clinic of %s has institution code %s; its clinics:\n",
                file, institution);
        for (size_t i = 0; i < scn->clinic_count; i++) {
            char code[11];
            if (world_clinic_institution(w, (int)i, code) == CORE_OK)
                fprintf(stderr, "  %s --institution %s\n", scn->clinics[i].id, code);
        }
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
        char name[256];
        if (present_card(w, t, resident, control.clinic, institution, name, sizeof name, &err) != CORE_OK) {
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
    control.w = w;
    control.t = t;
    if (visits) {
        control.done = calloc(scn->event_count + 1, sizeof *control.done);
        if (control.done == NULL || pipe(visits_stop) != 0) {
            fprintf(stderr, "mynasim terminal: --visits: %s\n",
                    control.done == NULL ? "out of memory" : strerror(errno));
            goto done;
        }
        control.last = terminal_now(t);
        control.floor = japan_time_of(core_date_from_time((time_t)control.last), 0) - 1;
        control.stop_fd = visits_stop[0];
        visits_due(&control, NULL); /* the visits already due: before the "watching" line */
    }
    if (control_at != NULL && !control_start(&control, control_at)) {
        status = CLI_EXIT_USAGE;
        goto done;
    }
    if (visits) {
        if (pthread_create(&visits_thread, NULL, visits_main, &control) != 0) {
            fprintf(stderr, "mynasim terminal: --visits: cannot start its thread\n");
            goto done;
        }
        visits_running = true;
    }
    fflush(stdout);
    if (terminal_run(t, sfd, STDOUT_FILENO, &err) != CORE_OK) {
        cli_print_error("terminal", &err);
        goto done;
    }
    fprintf(stderr, "mynasim terminal: stopped\n");
    status = CLI_EXIT_OK;
done:
    if (control.daemon != NULL)
        MHD_stop_daemon(control.daemon);
    if (visits_running) {
        char one = 1;
        if (write(visits_stop[1], &one, 1) == 1)
            pthread_join(visits_thread, NULL);
    }
    if (visits_stop[0] >= 0) {
        close(visits_stop[0]);
        close(visits_stop[1]);
    }
    free(control.done);
    pthread_mutex_destroy(&control.session);
    if (sfd >= 0)
        close(sfd);
    terminal_free(t);
    eligibility_service_free(svc);
    world_free(w);
    scenario_free(scn);
    return status;
}
