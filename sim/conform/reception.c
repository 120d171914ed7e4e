/*
 * The reception suite in folder mode (conform.h; the contract docs/RECEPTION-INTERFACE.md, the suite
 * docs/CONFORMANCE.md). mynasim plays the terminal, the card at the face reader and the patient; the SUT asks by
 * numbers through the folders and writes its decision. The truth is the world's: the decision the world's desk
 * takes for that visit (world_probe_visit) and the numbers printed on what the patient shows. conform never
 * decides a visit itself.
 *
 * Requests are judged without a race: the SUT's requests are taken from DIR/req (read, then renamed) into a
 * private folder DIR/.mynasim-terminal/req that the terminal answers, and its answers are renamed from there into
 * DIR/res. Every rename stays inside DIR, so the SUT still sees whole files only.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conform/conform_int.h"
#include "policy/policy.h"
#include "terminal/terminal.h"

/* The clinic's institution code on face results (the sample messages' code, docs/MESSAGES.md). */
#define INSTITUTION "1312345678"
/* The time of day of every case of this slice, Japan time (docs/CONFORMANCE.md, "Reception systems"). */
#define VISIT_TIME "10:00"
#define REQUESTS_MAX 16
#define PATH_MAX_ 1024

struct conform_reception {
    struct conform_reception_options o;
    char priv[PATH_MAX_]; /* DIR/.mynasim-terminal */
    pid_t pid;            /* the SUT started, 0 when none or gone */
    char gone[200];       /* how the SUT ended, once it has */
    unsigned next;        /* the next visit number */
    FILE *devnull;        /* the terminal's log */
};

/* snprintf into out; false when it did not fit (a path too long is no path). */
static bool fmt(char *out, size_t cap, const char *f, ...) __attribute__((format(printf, 3, 4)));
static bool fmt(char *out, size_t cap, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(out, cap, f, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < cap;
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
    struct timespec t = {0, ms * 1000 * 1000};
    nanosleep(&t, NULL);
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static CORE_MUST_USE int need_dir(const char *base, const char *sub, struct core_error *err)
{
    char p[PATH_MAX_];
    (void)fmt(p, sizeof p, "%s%s%s", base, sub[0] ? "/" : "", sub);
    if (!is_dir(p))
        return core_error_set(err, CORE_EINVAL, p, 0, 0, "not a folder (the reception suite needs it)");
    return CORE_OK;
}

static void rm_tree_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char p[PATH_MAX_];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || (e->d_name[1] == '.' && e->d_name[2] == '\0')))
            continue;
        (void)fmt(p, sizeof p, "%s/%s", dir, e->d_name);
        (void)unlink(p);
    }
    closedir(d);
}

static void start_sut(struct conform_reception *s)
{
    pid_t pid = fork();
    if (pid < 0) {
        (void)fmt(s->gone, sizeof s->gone, "could not be started: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        setpgid(0, 0);
        signal(SIGPIPE, SIG_DFL);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            (void)dup2(null, STDIN_FILENO);
            (void)dup2(null, STDOUT_FILENO);
        }
        setenv("MYNASIM_FOLDERS", s->o.folders, 1);
        setenv("MYNASIM_DECISIONS", s->o.decisions, 1);
        setenv("MYNASIM_POLICY", s->o.policy ? s->o.policy : "national", 1);
        execl("/bin/sh", "sh", "-c", s->o.sut, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    s->pid = pid;
}

/* Has the SUT ended? Sets s->gone once. */
static bool sut_gone(struct conform_reception *s)
{
    if (s->gone[0])
        return true;
    if (s->pid <= 0)
        return false;
    int status = 0;
    if (waitpid(s->pid, &status, WNOHANG) != s->pid)
        return false;
    s->pid = 0;
    if (WIFEXITED(status))
        (void)fmt(s->gone, sizeof s->gone, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        (void)fmt(s->gone, sizeof s->gone, "was killed by signal %d (%s)", WTERMSIG(status),
                  strsignal(WTERMSIG(status)));
    else
        (void)fmt(s->gone, sizeof s->gone, "ended");
    return true;
}

int conform_reception_open(const struct conform_reception_options *o, struct conform_reception **out,
                           struct core_error *err)
{
    *out = NULL;
    if (o == NULL || o->folders == NULL || o->decisions == NULL || o->timeout_ms <= 0)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "conform: no folders or no deadline");
    static const char *const subs[] = {"", "req", "res", "face", "paper"};
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (need_dir(o->folders, subs[i], err) != CORE_OK)
            return CORE_EINVAL;
    if (need_dir(o->decisions, "", err) != CORE_OK)
        return CORE_EINVAL;
    struct conform_reception *s = calloc(1, sizeof *s);
    if (s == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    s->o = *o;
    s->next = 1;
    (void)fmt(s->priv, sizeof s->priv, "%s/.mynasim-terminal", o->folders);
    char p[PATH_MAX_];
    bool ok = true;
    static const char *const mine[] = {"", "/req", "/res", "/face"};
    for (size_t i = 0; ok && i < sizeof mine / sizeof mine[0]; i++) {
        (void)fmt(p, sizeof p, "%s%s", s->priv, mine[i]);
        if (i > 0)
            rm_tree_files(p);
        ok = mkdir(p, 0700) == 0 || (errno == EEXIST && is_dir(p));
    }
    s->devnull = fopen("/dev/null", "w");
    if (!ok || s->devnull == NULL) {
        conform_reception_close(s);
        return core_error_set(err, CORE_EIO, p, 0, 0, "cannot make the terminal's private folder");
    }
    if (o->sut != NULL && o->sut[0] != '\0')
        start_sut(s);
    *out = s;
    return CORE_OK;
}

void conform_reception_close(struct conform_reception *s)
{
    if (s == NULL)
        return;
    if (s->pid > 0) {
        kill(-s->pid, SIGKILL); /* its process group: the shell and what it started */
        kill(s->pid, SIGKILL);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        s->pid = 0;
    }
    char p[PATH_MAX_];
    static const char *const mine[] = {"/req", "/res", "/face"};
    for (size_t i = 0; i < sizeof mine / sizeof mine[0]; i++) {
        (void)fmt(p, sizeof p, "%s%s", s->priv, mine[i]);
        rm_tree_files(p);
        (void)rmdir(p);
    }
    (void)rmdir(s->priv);
    if (s->devnull)
        fclose(s->devnull);
    free(s);
}

/* ---- the decision ------------------------------------------------------------------------------------- */

static bool all_digits(const char *v, size_t n)
{
    if (strlen(v) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return true;
}

static bool visit_id_ok(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

int conform_decision_parse(const char *text, size_t len, const char *visit, struct conform_decision *out,
                           char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    const char *bad = NULL;
    char b[160];
    if (!json_is_object(o)) {
        snprintf(why, cap, "not a JSON object (%.100s)", o ? "another JSON value" : je.text);
        json_decref(o);
        return CORE_EINVAL;
    }
    static const char *const known[] = {"visit",  "outcome", "route",  "insurer_number",
                                        "symbol", "number",  "branch", "copay_percent"};
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val)
    {
        bool k = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            k = k || strcmp(key, known[i]) == 0;
        if (!k) {
            (void)fmt(b, sizeof b, "\"%.40s\" is not a field of the decision", key);
            bad = b;
            break;
        }
    }
    const char *v = json_string_value(json_object_get(o, "visit"));
    const char *oc = json_string_value(json_object_get(o, "outcome"));
    json_t *route = json_object_get(o, "route");
    json_t *copay = json_object_get(o, "copay_percent");
    static const char *const routes[] = {"card",        "certificate", "paper_card", "card_notice",
                                         "card_portal", "lookup",      "declaration"};
    if (bad) {
    } else if (v == NULL || !visit_id_ok(v))
        bad = "\"visit\" is missing or not a visit id";
    else if (visit != NULL && strcmp(v, visit) != 0) {
        (void)fmt(b, sizeof b, "\"visit\" is \"%.40s\", not \"%.20s\"", v, visit);
        bad = b;
    } else if (oc == NULL ||
               (strcmp(oc, "insured") && strcmp(oc, "insured_by_declaration") && strcmp(oc, "self_pay")))
        bad = "\"outcome\" is not insured, insured_by_declaration or self_pay";
    else if (route != NULL && !json_is_null(route)) {
        const char *r = json_string_value(route);
        bool k = false;
        for (size_t i = 0; r && i < sizeof routes / sizeof routes[0]; i++)
            k = k || strcmp(r, routes[i]) == 0;
        if (!k)
            bad = "\"route\" is not one of DESK-1's routes";
        else
            (void)fmt(out->route, sizeof out->route, "%s", r);
    }
    if (bad == NULL && strcmp(oc, "self_pay") == 0) {
        if (out->route[0])
            bad = "\"route\" must be null or absent for self_pay";
        else if (copay != NULL)
            bad = "\"copay_percent\" must be absent for self_pay";
    } else if (bad == NULL) {
        const char *in = json_string_value(json_object_get(o, "insurer_number"));
        const char *num = json_string_value(json_object_get(o, "number"));
        const char *br = json_string_value(json_object_get(o, "branch"));
        json_t *sym = json_object_get(o, "symbol");
        if (out->route[0] == '\0')
            bad = "\"route\" is required unless self_pay";
        else if (in == NULL || !(all_digits(in, 6) || all_digits(in, 8)))
            bad = "\"insurer_number\" is not 6 or 8 digits";
        else if (num == NULL || num[0] == '\0' || strlen(num) > 38)
            bad = "\"number\" is missing";
        else if (br == NULL || !all_digits(br, 2))
            bad = "\"branch\" is not two digits";
        else if (sym != NULL && (!json_is_string(sym) || strlen(json_string_value(sym)) > 38))
            bad = "\"symbol\" is not a string of at most 38 characters";
        else if (!json_is_integer(copay) ||
                 (json_integer_value(copay) != 10 && json_integer_value(copay) != 20 &&
                  json_integer_value(copay) != 30))
            bad = "\"copay_percent\" is not 10, 20 or 30";
        else {
            (void)fmt(out->insurer_number, sizeof out->insurer_number, "%s", in);
            (void)fmt(out->number, sizeof out->number, "%s", num);
            (void)fmt(out->branch, sizeof out->branch, "%s", br);
            (void)fmt(out->symbol, sizeof out->symbol, "%s", sym ? json_string_value(sym) : "");
            out->copay_percent = (int)json_integer_value(copay);
        }
    }
    if (bad == NULL)
        (void)fmt(out->outcome, sizeof out->outcome, "%s", oc);
    else
        snprintf(why, cap, "%s", bad);
    json_decref(o);
    return bad ? CORE_EINVAL : CORE_OK;
}

/* ---- the truth ---------------------------------------------------------------------------------------- */

/* A document the patient hands over, as printed. */
struct shown {
    enum scenario_document kind;
    struct eligibility_numbers numbers;
    core_day born, valid_until;
    char notice_type;
};

/* The documents of `kind` in the resident's hand on `day` (the latest received). */
static bool printed(const struct world *w, int r, core_day day, enum scenario_document kind, core_day born,
                    struct shown *out)
{
    bool found = false;
    size_t n = world_document_count(w, r);
    for (size_t i = 0; i < n; i++) {
        struct world_document_info d;
        struct world_membership m;
        if (!world_document_at(w, r, i, &d) || d.kind != kind || d.got > day ||
            (d.lost != CORE_DAY_NONE && d.lost <= day) ||
            world_membership_at(w, r, d.membership, &m) != CORE_OK)
            continue;
        memset(out, 0, sizeof *out);
        out->kind = kind;
        out->numbers = m.numbers;
        out->born = born;
        out->valid_until = d.to;
        out->notice_type = d.notice_type;
        found = true;
    }
    return found;
}

static json_t *date_json(core_day d)
{
    if (d == CORE_DAY_NONE)
        return json_null();
    char b[11];
    core_date_format(d, b);
    return json_string(b);
}

static const char *const visit_kinds[] = {"first", "revisit", "dispensing"};

/* The case as the world decided it, and what the patient shows. */
struct truth {
    struct world_visit v;
    struct shown docs[4];
    size_t ndocs;
    bool card;
    struct eligibility_answer card_answer;
    struct eligibility_numbers numbers; /* what the desk records for the route that succeeded */
    bool has_numbers;
};

static const struct shown *shown_of(const struct truth *t, enum scenario_document k)
{
    for (size_t i = 0; i < t->ndocs; i++)
        if (t->docs[i].kind == k)
            return &t->docs[i];
    return NULL;
}

static CORE_MUST_USE int find_truth(const struct world *w, const struct scenario *scn,
                                    const struct scenario_expect *e, struct truth *t, struct core_error *err)
{
    memset(t, 0, sizeof *t);
    int rc = world_probe_visit(w, e->resident, e->date, &e->visit, &t->v, err);
    if (rc != CORE_OK)
        return rc;
    unsigned given = t->v.brought & ~t->v.missing;
    core_day born = scn->residents[e->resident].born;
    static const enum scenario_document order[] = {SCENARIO_DOC_CERTIFICATE, SCENARIO_DOC_PAPER_CARD,
                                                   SCENARIO_DOC_NOTICE};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if ((given & SCENARIO_DOC_BIT(order[i])) &&
            printed(w, e->resident, e->date, order[i], born, &t->docs[t->ndocs]))
            t->ndocs++;
    t->card = (given & SCENARIO_DOC_BIT(SCENARIO_DOC_CARD)) != 0;
    if (t->card) {
        rc = world_probe_check(w, e->resident, e->date, e->visit.clinic, &t->card_answer, err);
        if (rc != CORE_OK)
            return rc;
    }
    const struct shown *s = NULL;
    switch (t->v.decision.route) {
    case CLINIC_ROUTE_CARD:
    case CLINIC_ROUTE_CARD_NOTICE:
    case CLINIC_ROUTE_CARD_PORTAL:
        if (t->card && t->card_answer.has_qualification) {
            t->numbers = t->card_answer.qualification.numbers;
            t->has_numbers = true;
        } else
            s = shown_of(t, SCENARIO_DOC_NOTICE);
        break;
    case CLINIC_ROUTE_CERTIFICATE:
        s = shown_of(t, SCENARIO_DOC_CERTIFICATE);
        break;
    case CLINIC_ROUTE_PAPER_CARD:
        s = shown_of(t, SCENARIO_DOC_PAPER_CARD);
        break;
    case CLINIC_ROUTE_LOOKUP:
        s = shown_of(t, SCENARIO_DOC_PAPER_CARD);
        if (s == NULL)
            s = shown_of(t, SCENARIO_DOC_NOTICE);
        break;
    default:
        break;
    }
    if (s != NULL) {
        t->numbers = s->numbers;
        t->has_numbers = true;
    }
    return CORE_OK;
}

static void decision_text(const char *outcome, const char *route, const char *ins, const char *sym,
                          const char *num, const char *br, int copay, char *out, size_t cap)
{
    if (strcmp(outcome, "self_pay") == 0 || ins == NULL)
        snprintf(out, cap, "%s", outcome);
    else
        snprintf(out, cap, "%s by %s, %s/%s/%s/%s, %d%%", outcome, route, ins, sym, num, br, copay);
}

/* ---- bringing the patient ------------------------------------------------------------------------------ */

static CORE_MUST_USE int write_file(const char *path, const char *data, size_t len, struct core_error *err)
{
    return core_file_write_atomic(path, data, len, err);
}

static char *visit_json(const struct conform_visit *c, const struct scenario *scn, const struct truth *t,
                        const struct scenario_expect *e)
{
    char day[11];
    core_date_format(c->day, day);
    const char *clinic = e->visit.clinic >= 0 && (size_t)e->visit.clinic < scn->clinic_count
                             ? scn->clinics[e->visit.clinic].id
                             : "clinic";
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "visit", c->visit, "policy", c->policy,
                          "date", day, "time", VISIT_TIME, "clinic", clinic, "kind",
                          visit_kinds[(unsigned)e->visit.kind % 3], "presents", c->presents);
    json_t *docs = json_array();
    for (size_t i = 0; i < t->ndocs; i++) {
        const struct shown *s = &t->docs[i];
        json_t *d = json_pack("{s:s}", "kind", scenario_document_word(s->kind));
        if (s->kind == SCENARIO_DOC_NOTICE && (s->notice_type == 'A' || s->notice_type == 'B'))
            json_object_set_new(d, "notice_type", json_stringn(&s->notice_type, 1));
        json_object_set_new(d, "insurer_number", json_string(s->numbers.insurer_number));
        if (s->numbers.symbol[0])
            json_object_set_new(d, "symbol", json_string(s->numbers.symbol));
        json_object_set_new(d, "number", json_string(s->numbers.number));
        json_object_set_new(d, "branch", json_string(s->numbers.branch));
        json_object_set_new(d, "birth_date", date_json(s->born));
        json_object_set_new(d, "valid_until", date_json(s->valid_until));
        json_array_append_new(docs, d);
    }
    json_object_set_new(o, "documents", docs);
    char *text = json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT);
    json_decref(o);
    return text;
}

/* The face reader's result for the card: the card's answer as a response message, named with the visit. */
static CORE_MUST_USE int write_face(struct conform_reception *s, const struct conform_visit *c,
                                    const struct truth *t, struct core_error *err)
{
    char jst[32];
    char day[11];
    core_date_format(c->day, day);
    (void)fmt(jst, sizeof jst, "%sT%s", day, VISIT_TIME);
    int64_t when = 0;
    char name[ELIGIBILITY_FACE_NAME_MAX];
    if (core_time_parse_japan(jst, strlen(jst), &when) != CORE_OK ||
        terminal_face_name(c->visit, when, name, sizeof name) != CORE_OK)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "conform: the face result cannot be named");
    struct eligibility_request_msg *req = calloc(1, sizeof *req);
    struct eligibility_response_msg *m = calloc(1, sizeof *m);
    char *buf = malloc(ELIGIBILITY_MSG_MAX_BYTES);
    int rc = CORE_OK;
    if (req == NULL || m == NULL || buf == NULL)
        rc = core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc == CORE_OK) {
        req->kind = ELIGIBILITY_REQUEST_CARD;
        req->date = c->day;
        core_strlcpy(req->institution, INSTITUTION, sizeof req->institution);
        (void)fmt(req->file_id, sizeof req->file_id, "face%s", c->visit);
        char t14[20], when14[15];
        core_time_format_japan(when, t14);
        static const unsigned char at[14] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
        for (size_t i = 0; i < sizeof at; i++)
            when14[i] = t14[at[i]];
        when14[14] = '\0';
        size_t n = 0;
        struct eligibility_msg_error e;
        if (eligibility_response_from_answer(req, &t->card_answer, when14, m) != CORE_OK ||
            eligibility_response_encode(m, ELIGIBILITY_ENC_UTF8, buf, ELIGIBILITY_MSG_MAX_BYTES, &n, &e) !=
                CORE_OK)
            rc = core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                                "conform: the card's answer cannot be a message");
        else {
            char path[PATH_MAX_];
            (void)fmt(path, sizeof path, "%s/face/%s", s->o.folders, name);
            rc = write_file(path, buf, n, err);
        }
    }
    free(buf);
    free(m);
    free(req);
    return rc;
}

/* ---- the exchange during a case ------------------------------------------------------------------------ */

struct request {
    char name[160];
    bool ok;
    char why[200];
    struct eligibility_request_msg msg;
};

struct exchange {
    struct request *req;
    size_t nreq;
};

/* Takes the requests of DIR/req into the terminal's folder, keeping what they ask. */
static CORE_MUST_USE int take_requests(struct conform_reception *s, struct exchange *x,
                                       struct core_error *err)
{
    char dir[PATH_MAX_];
    (void)fmt(dir, sizeof dir, "%s/req", s->o.folders);
    DIR *d = opendir(dir);
    if (d == NULL)
        return core_error_set(err, CORE_EIO, dir, 0, 0, "cannot list the requests: %s", strerror(errno));
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char id[TERMINAL_ID_MAX + 1];
        if (terminal_name_classify(e->d_name, strlen(e->d_name), id) != TERMINAL_NAME_REQUEST)
            continue;
        char from[PATH_MAX_], to[PATH_MAX_];
        if (!fmt(from, sizeof from, "%s/%s", dir, e->d_name) ||
            !fmt(to, sizeof to, "%s/req/%s", s->priv, e->d_name))
            continue;
        char *bytes = NULL;
        size_t len = 0;
        struct core_error rerr;
        core_error_clear(&rerr);
        int rd = core_file_read(from, ELIGIBILITY_MSG_MAX_BYTES, &bytes, &len, &rerr);
        if (rename(from, to) != 0) {
            free(bytes);
            continue; /* gone meanwhile: nothing was asked */
        }
        if (x->nreq < REQUESTS_MAX) {
            struct request *r = &x->req[x->nreq];
            memset(r, 0, sizeof *r);
            (void)fmt(r->name, sizeof r->name, "%s", e->d_name);
            struct eligibility_msg_error me;
            memset(&me, 0, sizeof me);
            if (rd != CORE_OK)
                (void)fmt(r->why, sizeof r->why, "cannot be read (%s)", rerr.message);
            else if (eligibility_request_parse(bytes, len, &r->msg, &me) != CORE_OK)
                (void)fmt(r->why, sizeof r->why, "is refused by the service: %s %s%s%s",
                          eligibility_msg_code_string(me.code), me.element, me.element[0] ? ": " : "",
                          me.message);
            else
                r->ok = true;
        }
        x->nreq++;
        free(bytes);
    }
    closedir(d);
    return CORE_OK;
}

/* Hands the terminal's answers over to DIR/res. */
static void give_answers(struct conform_reception *s)
{
    char dir[PATH_MAX_];
    (void)fmt(dir, sizeof dir, "%s/res", s->priv);
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, TERMINAL_RESPONSE_PREFIX, strlen(TERMINAL_RESPONSE_PREFIX)) != 0 ||
            n < strlen(TERMINAL_SUFFIX) ||
            strcmp(e->d_name + n - strlen(TERMINAL_SUFFIX), TERMINAL_SUFFIX) != 0)
            continue;
        char from[PATH_MAX_], to[PATH_MAX_];
        if (!fmt(from, sizeof from, "%s/%s", dir, e->d_name) ||
            !fmt(to, sizeof to, "%s/res/%s", s->o.folders, e->d_name))
            continue;
        (void)rename(from, to);
    }
    closedir(d);
}

/* ---- judging ------------------------------------------------------------------------------------------ */

static void fail(struct conform_visit *c, enum conform_verdict v, const char *rule, const char *how, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(struct conform_visit *c, enum conform_verdict v, const char *rule, const char *how, ...)
{
    if (c->verdict != CONFORM_PASS)
        return; /* the first failure names the case */
    c->verdict = v;
    (void)fmt(c->rule, sizeof c->rule, "%s", rule);
    va_list ap;
    va_start(ap, how);
    vsnprintf(c->why, sizeof c->why, how, ap);
    va_end(ap);
}

/* The insurer number as a message may carry it: 6 digits padded to 8 with "00" (docs/MESSAGES.md). */
static bool same_insurer(const char *asked, const char *printed_)
{
    if (strcmp(asked, printed_) == 0)
        return true;
    return strlen(printed_) == 6 && strlen(asked) == 8 && asked[0] == '0' && asked[1] == '0' &&
           strcmp(asked + 2, printed_) == 0;
}

static bool same_numbers(const struct eligibility_numbers *a, const struct eligibility_numbers *b)
{
    return same_insurer(a->insurer_number, b->insurer_number) && strcmp(a->symbol, b->symbol) == 0 &&
           strcmp(a->number, b->number) == 0 && strcmp(a->branch, b->branch) == 0;
}

static void judge_requests(struct conform_visit *c, const struct truth *t, const struct exchange *x)
{
    char day[11];
    core_date_format(c->day, day);
    size_t n = x->nreq < REQUESTS_MAX ? x->nreq : REQUESTS_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct request *r = &x->req[i];
        if (!r->ok) {
            fail(c, CONFORM_FAIL, "RCP-REQUEST", "request %s %s", r->name, r->why);
            return;
        }
        if (r->msg.kind != ELIGIBILITY_REQUEST_NUMBERS) {
            fail(c, CONFORM_FAIL, "RCP-REQUEST",
                 "request %s is a card request: in folder mode the face reader asks for the card", r->name);
            return;
        }
        if (r->msg.date != c->day) {
            char asked[11];
            core_date_format(r->msg.date, asked);
            fail(c, CONFORM_FAIL, "RCP-REQUEST",
                 "request %s asks for %s; the visit is on %s (Japan date: take the day from the clock in "
                 "Japan "
                 "time, not UTC)",
                 r->name, asked, day);
            return;
        }
        bool match = false;
        for (size_t k = 0; k < t->ndocs && !match; k++)
            match = same_numbers(&r->msg.numbers, &t->docs[k].numbers) && r->msg.born == t->docs[k].born;
        if (!match) {
            fail(c, CONFORM_FAIL, "RCP-REQUEST",
                 "request %s asks by %s/%s/%s/%s, numbers printed on no document the patient showed", r->name,
                 r->msg.numbers.insurer_number, r->msg.numbers.symbol, r->msg.numbers.number,
                 r->msg.numbers.branch);
            return;
        }
        for (size_t k = 0; k < i; k++)
            if (same_numbers(&r->msg.numbers, &x->req[k].msg.numbers)) {
                fail(c, CONFORM_FAIL, "RCP-REQUEST",
                     "request %s asks again what %s asked: one request per document shown", r->name,
                     x->req[k].name);
                return;
            }
    }
    if (x->nreq > REQUESTS_MAX)
        fail(c, CONFORM_FAIL, "RCP-REQUEST", "%zu requests for one visit (at most %d are judged)", x->nreq,
             REQUESTS_MAX);
    else if (t->ndocs == 0 && x->nreq > 0)
        fail(c, CONFORM_FAIL, "RCP-REQUEST", "%zu request%s though the patient showed no paper document%s",
             x->nreq, x->nreq == 1 ? "" : "s",
             t->card ? " (the face reader's result answered for the card)" : "");
    else if (x->nreq == 0 &&
             (t->v.decision.route == CLINIC_ROUTE_CERTIFICATE ||
              t->v.decision.route == CLINIC_ROUTE_PAPER_CARD || t->v.decision.route == CLINIC_ROUTE_LOOKUP))
        fail(c, CONFORM_FAIL, "DESK-2",
             "no request: a document is accepted only after the online check by the numbers printed on it");
}

static void judge_decision(struct conform_visit *c, const struct truth *t, const struct conform_decision *d)
{
    const struct clinic_decision *want = &t->v.decision;
    const char *outcome = clinic_outcome_name(want->outcome);
    const char *route = want->route == CLINIC_ROUTE_NONE ? "" : clinic_route_name(want->route);
    const char *rule = want->rule && want->rule[0] ? want->rule : "DESK-1";
    char day[11];
    core_date_format(c->day, day);
    if (strcmp(d->outcome, outcome) != 0) {
        fail(c, CONFORM_FAIL, rule, "the SUT decided %s; on %s the desk's rules give %s%s%s (%s)", d->outcome,
             day, outcome, route[0] ? " by the route " : "", route, rule);
        return;
    }
    if (strcmp(d->route, route) != 0) {
        fail(c, CONFORM_FAIL, "DESK-1", "the SUT recorded the route %s; DESK-1's order gives %s on %s",
             d->route[0] ? d->route : "none", route[0] ? route : "none", day);
        return;
    }
    if (strcmp(outcome, "self_pay") == 0 || !t->has_numbers)
        return;
    const struct eligibility_numbers *n = &t->numbers;
    if (strcmp(d->insurer_number, n->insurer_number) != 0 || strcmp(d->symbol, n->symbol) != 0 ||
        strcmp(d->number, n->number) != 0 || strcmp(d->branch, n->branch) != 0) {
        fail(c, CONFORM_FAIL, "DESK-2",
             "the SUT recorded %s/%s/%s/%s; the qualification is %s/%s/%s/%s (insurer number as printed, "
             "never "
             "padded)",
             d->insurer_number, d->symbol, d->number, d->branch, n->insurer_number, n->symbol, n->number,
             n->branch);
        return;
    }
    if (d->copay_percent != want->copay_percent)
        fail(c, CONFORM_FAIL, "COPAY", "the SUT charged %d%%; the co-payment on %s is %d%%", d->copay_percent,
             day, want->copay_percent);
}

/* Runs one case. */
static CORE_MUST_USE int run_case(struct conform_reception *s, const struct scenario *scn,
                                  const struct world *w, struct eligibility_service *svc,
                                  struct terminal *term, const struct scenario_expect *e,
                                  struct conform_visit *c, struct core_error *err)
{
    long long t0 = now_ms();
    memset(c, 0, sizeof *c);
    (void)fmt(c->visit, sizeof c->visit, "v%04u", s->next++);
    (void)fmt(c->name, sizeof c->name, "%s", scn->name);
    (void)fmt(c->file, sizeof c->file, "%s", scn->file);
    (void)fmt(c->policy, sizeof c->policy, "%s", policy_name(scn->policy));
    (void)fmt(c->who, sizeof c->who, "%s", scn->residents[e->resident].id);
    c->line = e->pos.line;
    c->day = e->date;
    struct truth t;
    int rc = find_truth(w, scn, e, &t, err);
    if (rc != CORE_OK)
        return rc;
    (void)fmt(c->presents, sizeof c->presents, "%s", t.card ? "card" : "documents");
    const struct clinic_decision *want = &t.v.decision;
    bool self_pay = want->outcome == CLINIC_SELF_PAY;
    decision_text(clinic_outcome_name(want->outcome),
                  want->route == CLINIC_ROUTE_NONE ? "none" : clinic_route_name(want->route),
                  self_pay || !t.has_numbers ? NULL : t.numbers.insurer_number, t.numbers.symbol,
                  t.numbers.number, t.numbers.branch, want->copay_percent, c->expected, sizeof c->expected);
    if (terminal_set_date(term, c->day) != CORE_OK)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "conform: the terminal cannot take the visit's day");
    eligibility_service_set_down(svc, t.v.card_check == ELIGIBILITY_SERVICE_DOWN);
    char decision[PATH_MAX_], paper[PATH_MAX_];
    (void)fmt(decision, sizeof decision, "%s/%s.json", s->o.decisions, c->visit);
    (void)fmt(paper, sizeof paper, "%s/paper/%s.json", s->o.folders, c->visit);
    (void)unlink(decision); /* a stale decision of an earlier run is not this run's */
    if (t.card && (rc = write_face(s, c, &t, err)) != CORE_OK && rc != CORE_EIO)
        return rc;
    if (rc == CORE_OK) {
        char *vj = visit_json(c, scn, &t, e);
        if (vj == NULL)
            return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
        rc = write_file(paper, vj, strlen(vj), err);
        free(vj);
    }
    if (rc == CORE_EIO) {
        /* DIR's folders were there at the start: the SUT removed or spoiled them */
        fail(c, CONFORM_SUT_ERR, "RCP-FOLDER", "the patient cannot be brought: %s%s%s", err->file,
             err->file[0] ? ": " : "", err->message);
        core_error_clear(err);
        c->seconds = (double)(now_ms() - t0) / 1000.0;
        return CORE_OK;
    }
    if (rc != CORE_OK)
        return rc;
    struct exchange x = {calloc(REQUESTS_MAX, sizeof(struct request)), 0};
    if (x.req == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    long long deadline = now_ms() + s->o.timeout_ms;
    bool decided = false;
    for (;;) {
        if ((rc = take_requests(s, &x, err)) == CORE_EIO) {
            fail(c, CONFORM_SUT_ERR, "RCP-FOLDER", "%s: %s (did the SUT remove it?)", err->file,
                 err->message);
            core_error_clear(err);
            rc = CORE_OK;
            decided = true; /* judged: nothing more to wait for */
            break;
        }
        if (rc != CORE_OK)
            break;
        size_t answered = 0;
        if ((rc = terminal_scan(term, &answered, err)) != CORE_OK)
            break;
        give_answers(s);
        if (access(decision, F_OK) == 0) {
            decided = true;
            break;
        }
        if (sut_gone(s) || now_ms() >= deadline)
            break;
        pause_ms(5);
    }
    c->requests = (unsigned)x.nreq;
    if (rc == CORE_OK && !decided) {
        if (s->gone[0])
            fail(c, CONFORM_SUT_ERR, "RCP-TIME", "the SUT %s before deciding %s", s->gone, c->visit);
        else
            fail(c, CONFORM_SUT_ERR, "RCP-TIME", "no decision %s/%s.json within %d ms (--timeout)",
                 s->o.decisions, c->visit, s->o.timeout_ms);
    } else if (rc == CORE_OK && c->verdict == CONFORM_PASS) {
        char *text = NULL;
        size_t len = 0;
        struct core_error rerr;
        core_error_clear(&rerr);
        struct conform_decision d;
        char why[200];
        if (core_file_read(decision, 65536, &text, &len, &rerr) != CORE_OK)
            fail(c, CONFORM_SUT_ERR, "RCP-FORMAT", "the decision cannot be read: %s", rerr.message);
        else if (conform_decision_parse(text, len, c->visit, &d, why, sizeof why) != CORE_OK) {
            (void)fmt(c->got, sizeof c->got, "%.*s", (int)(len < 120 ? len : 120), text);
            fail(c, CONFORM_SUT_ERR, "RCP-FORMAT", "%s.json is not a decision: %s", c->visit, why);
        } else {
            decision_text(d.outcome, d.route, d.route[0] ? d.insurer_number : NULL, d.symbol, d.number,
                          d.branch, d.copay_percent, c->got, sizeof c->got);
            judge_requests(c, &t, &x); /* a wrong request first: it is often why the decision is wrong */
            judge_decision(c, &t, &d);
        }
        free(text);
    }
    free(x.req);
    c->seconds = (double)(now_ms() - t0) / 1000.0;
    return rc;
}

int conform_reception_scenario(struct conform_reception *s, const struct scenario *scn, const int *lines,
                               size_t n, struct conform_visit *out, size_t cap, size_t *count,
                               struct core_error *err)
{
    *count = 0;
    /* the cases first: a line that is no visit expectation is the suite's error, found before any SUT work */
    size_t *pick = calloc(scn->expect_count + 1, sizeof *pick), npick = 0;
    if (pick == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < scn->expect_count; i++) {
        const struct scenario_expect *e = &scn->expects[i];
        if (e->kind != SCENARIO_EXPECT_VISIT)
            continue;
        bool want = n == 0;
        for (size_t k = 0; k < n && !want; k++)
            want = lines[k] == e->pos.line;
        if (want)
            pick[npick++] = i;
    }
    for (size_t k = 0; k < n; k++) {
        bool found = false;
        for (size_t i = 0; i < npick && !found; i++)
            found = scn->expects[pick[i]].pos.line == lines[k];
        if (!found) {
            free(pick);
            return core_error_set(err, CORE_EINVAL, scn->file, lines[k], 0,
                                  "not the line of a visit expectation (a case of the reception suite)");
        }
    }
    if (npick > cap) {
        free(pick);
        return core_error_set(err, CORE_EINVAL, scn->file, 0, 0, "conform: more cases than room");
    }
    struct world *w = NULL;
    struct eligibility_service *svc = NULL;
    struct terminal *term = NULL;
    int rc = world_new(scn, &w, err);
    if (rc == CORE_OK)
        rc = world_run(w, err);
    if (rc == CORE_OK)
        rc = eligibility_service_new(world_registry(w), scn->policy, &svc, err);
    if (rc == CORE_OK) {
        struct terminal_options to = {.folder = s->priv, .encoding = ELIGIBILITY_ENC_UTF8, .log = s->devnull};
        rc = terminal_new(svc, &to, &term, err);
    }
    for (size_t i = 0; rc == CORE_OK && i < npick; i++) {
        rc = run_case(s, scn, w, svc, term, &scn->expects[pick[i]], &out[*count], err);
        if (rc == CORE_OK)
            (*count)++;
    }
    terminal_free(term);
    eligibility_service_free(svc);
    world_free(w);
    free(pick);
    return rc;
}
