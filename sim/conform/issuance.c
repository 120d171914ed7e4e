/*
 * The insurer-systems suite (conform.h; the protocol and its schemas: docs/CONFORMANCE.md,
 * docs/schemas/issuance-day.schema.json and docs/schemas/issuance-mailing.schema.json). For each day: the day's
 * JSON (what the insurer knows that morning, the day's events, the parameters in force), the SUT's mailings,
 * and the comparison with the engine's mailings of that day, every difference with the rule behind it.
 */
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conform/conform_int.h"
#include "policy/policy.h"

#define PROTOCOL "mynasim-issuance/1"

static const char *const kind_words[] = {"nhi", "latter_elderly", "society", "kyokai", "mutual_aid"};
static const char reasons[] = "ABCDEFG";

static json_t *date_json(core_day d)
{
    if (d == CORE_DAY_NONE)
        return json_null();
    char b[11];
    core_date_format(d, b);
    return json_string(b);
}

static const char *kind_word(enum scenario_insurer_kind k)
{
    return (unsigned)k < sizeof kind_words / sizeof kind_words[0] ? kind_words[k] : "nhi";
}

/* A parameter's value as the SUT reads it: a number, a date string or a boolean. Missing: an error. */
static CORE_MUST_USE int put_param(json_t *obj, const struct policy *p, const char *name, core_day day)
{
    long long i;
    core_day d;
    bool b;
    if (policy_int(p, name, day, &i) == CORE_OK)
        return json_object_set_new(obj, name, json_integer(i));
    if (policy_date(p, name, day, &d) == CORE_OK)
        return json_object_set_new(obj, name, date_json(d));
    if (policy_bool(p, name, day, &b) == CORE_OK)
        return json_object_set_new(obj, name, json_boolean(b));
    return -1;
}

/* The parameters an insurer's issuance reads (per insurer: its own overrides apply) and those of the world. */
static const char *const insurer_params[] = {"certificate.lead_days", "certificate.max_validity_months",
                                             "certificate.application_lag_days", "certificate.all_elderly"};
static const char *const world_params[] = {"certificate.detection_lag_days",
                                           "registration.withdrawal_lag_days", "copay.latter_age",
                                           "paper_card.last_issue"};

static const char *resident_id(const struct scenario *scn, int r)
{
    return r >= 0 && (size_t)r < scn->resident_count ? scn->residents[r].id : "";
}

/* The membership in force on `day` as known that morning (the latest opened when two overlap), or -1. */
static long membership_on(const struct world *w, int r, core_day day, struct world_membership *out)
{
    long best = -1;
    size_t n = world_membership_count(w, r);
    for (size_t i = 0; i < n; i++) {
        struct world_membership m;
        if (world_membership_at(w, r, i, &m) != CORE_OK || m.from > day ||
            (m.to != CORE_DAY_NONE && m.to < day))
            continue;
        best = (long)i;
        *out = m;
    }
    return best;
}

static json_t *membership_json(const struct world *w, const struct scenario *scn,
                               const struct world_membership *m)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o}", "insurer", world_insurer_id(w, m->insurer), "kind",
                     kind_word(world_insurer_kind(w, m->insurer)), "role",
                     m->role == SCENARIO_ROLE_DEPENDENT ? "dependent" : "insured", "of",
                     m->of >= 0 ? json_string(resident_id(scn, m->of)) : json_null(), "from",
                     date_json(m->from));
}

static json_t *resident_json(const struct world *w, const struct scenario *scn, int r, core_day day)
{
    const struct scenario_resident *sr = &scn->residents[r];
    json_t *o = json_pack("{s:s, s:o}", "id", sr->id, "born", date_json(sr->born));
    struct world_membership m;
    json_object_set_new(o, "membership",
                        membership_on(w, r, day, &m) >= 0 ? membership_json(w, scn, &m) : json_null());
    json_t *docs = json_array();
    size_t n = world_document_count(w, r);
    for (size_t i = 0; i < n; i++) {
        struct world_document_info d;
        if (!world_document_at(w, r, i, &d))
            continue;
        /* in hand that morning: received before the day (or held, not mailed, from it), not lost before it */
        bool received = d.got < day || (d.got == day && !d.mailed);
        if (!received || (d.lost != CORE_DAY_NONE && d.lost < day))
            continue;
        json_t *x = json_pack("{s:s, s:s, s:o, s:o}", "document", scenario_document_word(d.kind), "insurer",
                              world_insurer_id(w, d.insurer), "valid_from", date_json(d.from), "valid_to",
                              date_json(d.to));
        if (d.kind == SCENARIO_DOC_NOTICE)
            json_object_set_new(x, "type", json_stringn(&d.notice_type, 1));
        if (d.kind == SCENARIO_DOC_CERTIFICATE)
            json_object_set_new(x, "carer", json_boolean(d.carer));
        json_array_append_new(docs, x);
    }
    json_object_set_new(o, "documents", docs);
    struct world_card_info c;
    if (world_card_on(w, r, day - 1, &c) || world_card_on(w, r, day, &c))
        json_object_set_new(o, "card",
                            json_pack("{s:o, s:o, s:b, s:o, s:o}", "issued", date_json(c.got), "expires",
                                      date_json(c.expires), "face_only", c.face_only, "certificate_expires",
                                      date_json(c.cert_expires), "certificate_passes_to",
                                      date_json(c.cert_pass_end)));
    else
        json_object_set_new(o, "card", json_null());
    json_object_set_new(o, "registered", json_boolean(world_registered_on(w, r, day)));
    json_object_set_new(o, "myna", json_boolean(world_has_myna(w, r, day)));
    return o;
}

static json_t *events_json(const struct world *w, const struct scenario *scn, core_day day)
{
    json_t *a = json_array();
    /* memberships that begin or end that day: the scenario's enrollments and leavings and the engine's (a family
     * moving with the insured, AGE-75) alike */
    for (size_t r = 0; r < scn->resident_count; r++) {
        size_t n = world_membership_count(w, (int)r);
        for (size_t i = 0; i < n; i++) {
            struct world_membership m;
            if (world_membership_at(w, (int)r, i, &m) != CORE_OK)
                continue;
            if (m.to != CORE_DAY_NONE && m.to == day - 1)
                json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "who", scn->residents[r].id, "do",
                                                   "leave", "insurer", world_insurer_id(w, m.insurer)));
        }
        for (size_t i = 0; i < n; i++) {
            struct world_membership m;
            /* the starting membership (the first, when the scenario gives one) is no enrollment */
            bool starting = i == 0 && scn->residents[r].insurer != SCENARIO_NONE;
            if (starting || world_membership_at(w, (int)r, i, &m) != CORE_OK || m.from != day)
                continue;
            json_t *e = membership_json(w, scn, &m);
            json_object_set_new(e, "who", json_string(scn->residents[r].id));
            json_object_set_new(e, "do", json_string("enroll"));
            json_object_del(e, "from");
            json_array_append_new(a, e);
        }
    }
    for (size_t i = 0; i < scn->event_count; i++) {
        const struct scenario_event *ev = &scn->events[i];
        if (ev->date != day || ev->resident < 0)
            continue;
        switch (ev->kind) {
        case SCENARIO_EVENT_ENROLL:
        case SCENARIO_EVENT_LEAVE:
        case SCENARIO_EVENT_VISIT:
        case SCENARIO_EVENT_CLINIC_DOWN:
            continue; /* memberships above; visits are no insurer's business */
        default:
            break;
        }
        json_t *e = json_pack("{s:s, s:s}", "who", resident_id(scn, ev->resident), "do",
                              scenario_event_word(ev->kind));
        if (ev->kind == SCENARIO_EVENT_APPLY_CERTIFICATE && (unsigned)ev->reason < sizeof reasons - 1)
            json_object_set_new(e, "reason", json_stringn(&reasons[ev->reason], 1));
        if (ev->kind == SCENARIO_EVENT_LOSE_DOCUMENT)
            json_object_set_new(e, "document", json_string(scenario_document_word(ev->document)));
        json_array_append_new(a, e);
    }
    return a;
}

char *conform_issuance_day_json(const struct scenario *scn, const struct world *w, core_day day, bool judged)
{
    json_t *o = json_pack("{s:s, s:s, s:o, s:b, s:{s:o, s:o}, s:s, s:o}", "protocol", PROTOCOL, "scenario",
                          scn->name, "day", date_json(day), "judged", judged, "period", "from",
                          date_json(scn->period.from), "to", date_json(scn->period.to), "policy",
                          policy_name(scn->policy), "transition_from", date_json(world_checks_from(w)));
    if (o == NULL)
        return NULL;
    json_t *params = json_object();
    bool ok = params != NULL;
    for (size_t i = 0; ok && i < sizeof world_params / sizeof world_params[0]; i++)
        ok = put_param(params, scn->policy, world_params[i], day) == 0;
    json_object_set_new(o, "parameters", params);
    json_t *ins = json_array();
    for (size_t k = 0; ok && k < world_insurer_count(w); k++) {
        json_t *ip = json_object();
        for (size_t i = 0; ok && i < sizeof insurer_params / sizeof insurer_params[0]; i++)
            ok = put_param(ip, world_insurer_policy(w, (int)k), insurer_params[i], day) == 0;
        json_array_append_new(ins, json_pack("{s:s, s:s, s:s, s:o}", "id", world_insurer_id(w, (int)k),
                                             "kind", kind_word(world_insurer_kind(w, (int)k)), "number",
                                             world_insurer_number(w, (int)k), "parameters", ip));
    }
    json_object_set_new(o, "insurers", ins);
    json_t *res = json_array();
    for (size_t r = 0; ok && r < scn->resident_count; r++)
        json_array_append_new(res, resident_json(w, scn, (int)r, day));
    json_object_set_new(o, "residents", res);
    json_object_set_new(o, "events", events_json(w, scn, day));
    char *s = ok ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return s;
}

/* ---- the comparison ---- */

struct mailing {
    char who[SCENARIO_ID_MAX];
    char document[12]; /* certificate / notice */
    char insurer[SCENARIO_ID_MAX];
    core_day from, to; /* to: CORE_DAY_NONE for a notice */
    char type;         /* notice type, 0 for a certificate */
    char rule[16];
    bool used;
};

struct day_ctx {
    const struct scenario *scn;
    const struct world *w;
    core_day day;
    struct mailing *got;
    size_t ngot, capgot;
    long line;
};

static void mailing_text(const struct mailing *m, char *out, size_t cap)
{
    char a[11], b[11];
    core_date_format(m->from, a);
    if (m->type)
        snprintf(out, cap, "%.40s: notice type %c of %.40s from %s", m->who, m->type, m->insurer, a);
    else {
        core_date_format(m->to, b);
        snprintf(out, cap, "%.40s: certificate of %.40s valid %s..%s", m->who, m->insurer, a, b);
    }
}

static bool get_date(json_t *o, const char *key, core_day *out)
{
    json_t *v = json_object_get(o, key);
    const char *s = json_string_value(v);
    return s != NULL && core_date_parse(s, strlen(s), out) == CORE_OK;
}

int conform_issuance_parse_line(const struct scenario *scn, core_day day, const char *line,
                                struct conform_mailing *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    out->from = out->to = CORE_DAY_NONE;
    json_error_t je;
    json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(o)) {
        snprintf(why, cap, "not a JSON object: %.100s", o ? "another JSON value" : je.text);
        json_decref(o);
        return CORE_EINVAL;
    }
    const char *bad = NULL;
    json_t *end = json_object_get(o, "end_of_day");
    if (end != NULL) {
        core_day d;
        out->end_of_day = true;
        if (!get_date(o, "end_of_day", &d) || d != day) {
            char b[11];
            core_date_format(day, b);
            snprintf(why, cap, "\"end_of_day\" is %.40s, not \"%s\"",
                     json_is_string(end) ? json_string_value(end) : "not a date", b);
            json_decref(o);
            return CORE_EINVAL;
        }
        json_decref(o);
        return CORE_OK;
    }
    const char *who = json_string_value(json_object_get(o, "who"));
    const char *doc = json_string_value(json_object_get(o, "document"));
    const char *ins = json_string_value(json_object_get(o, "insurer"));
    const char *rule = json_string_value(json_object_get(o, "rule"));
    if (who == NULL || scenario_find_resident(scn, who) < 0)
        bad = "\"who\" is not a resident of the scenario";
    else if (doc == NULL || (strcmp(doc, "certificate") != 0 && strcmp(doc, "notice") != 0))
        bad = "\"document\" is neither \"certificate\" nor \"notice\"";
    else if (ins == NULL || ins[0] == '\0' || strlen(ins) >= sizeof out->insurer)
        bad = "\"insurer\" is missing";
    else if (!get_date(o, "valid_from", &out->from))
        bad = "\"valid_from\" is not a date YYYY-MM-DD";
    else if (strcmp(doc, "certificate") == 0 && !get_date(o, "valid_to", &out->to))
        bad = "a certificate's \"valid_to\" is not a date YYYY-MM-DD";
    else if (strcmp(doc, "notice") == 0) {
        const char *t = json_string_value(json_object_get(o, "type"));
        if (t == NULL || (strcmp(t, "A") != 0 && strcmp(t, "B") != 0))
            bad = "a notice's \"type\" is neither \"A\" nor \"B\"";
        else
            out->type = t[0];
    }
    if (bad == NULL && json_object_get(o, "rule") != NULL &&
        (rule == NULL || strlen(rule) >= sizeof out->rule))
        bad = "\"rule\" is not a rule id";
    if (bad != NULL) {
        snprintf(why, cap, "a mailing that cannot be read: %s", bad);
        json_decref(o);
        return CORE_EINVAL;
    }
    snprintf(out->who, sizeof out->who, "%s", who);
    snprintf(out->document, sizeof out->document, "%s", doc);
    snprintf(out->insurer, sizeof out->insurer, "%s", ins);
    snprintf(out->rule, sizeof out->rule, "%s", rule ? rule : "");
    json_decref(o);
    return CORE_OK;
}

/* One line of the SUT's answer: a mailing, or the day's end. */
static CORE_MUST_USE int on_line(void *vctx, const char *line, struct conform_sut *s)
{
    struct day_ctx *c = vctx;
    c->line++;
    if (line[0] == '\0')
        return 0;
    struct conform_mailing cm;
    char why[160];
    if (conform_issuance_parse_line(c->scn, c->day, line, &cm, why, sizeof why) != CORE_OK) {
        snprintf(s->why, sizeof s->why, "wrote line %ld of the day, %s", c->line, why);
        return -1;
    }
    if (cm.end_of_day)
        return 1;
    struct mailing m;
    memset(&m, 0, sizeof m);
    memcpy(m.who, cm.who, sizeof m.who);
    memcpy(m.document, cm.document, sizeof m.document);
    memcpy(m.insurer, cm.insurer, sizeof m.insurer);
    memcpy(m.rule, cm.rule, sizeof m.rule);
    m.from = cm.from;
    m.to = cm.to;
    m.type = cm.type;
    if (c->ngot == c->capgot) {
        size_t cap = c->capgot ? c->capgot * 2 : 16;
        struct mailing *g = realloc(c->got, cap * sizeof *g);
        if (g == NULL) {
            snprintf(s->why, sizeof s->why, "out of memory");
            return -1;
        }
        c->got = g;
        c->capgot = cap;
    }
    c->got[c->ngot++] = m;
    return 0;
}

static bool same(const struct mailing *a, const struct mailing *b)
{
    return strcmp(a->who, b->who) == 0 && strcmp(a->document, b->document) == 0 &&
           strcmp(a->insurer, b->insurer) == 0 && a->from == b->from && a->to == b->to && a->type == b->type;
}

static CORE_MUST_USE int add_diff(struct conform_case *cc, size_t *cap, core_day day, const char *who,
                                  const char *what, const struct mailing *exp, const struct mailing *got,
                                  const char *rule, const char *why)
{
    if (cc->ndiff == *cap) {
        size_t n = *cap ? *cap * 2 : 16;
        struct conform_difference *d = realloc(cc->diffs, n * sizeof *d);
        if (d == NULL)
            return CORE_ENOMEM;
        cc->diffs = d;
        *cap = n;
    }
    struct conform_difference *d = &cc->diffs[cc->ndiff++];
    memset(d, 0, sizeof *d);
    d->day = day;
    snprintf(d->who, sizeof d->who, "%s", who);
    snprintf(d->what, sizeof d->what, "%s", what);
    if (exp)
        mailing_text(exp, d->expected, sizeof d->expected);
    if (got)
        mailing_text(got, d->got, sizeof d->got);
    snprintf(d->rule, sizeof d->rule, "%s", rule);
    snprintf(d->why, sizeof d->why, "%s", why);
    return CORE_OK;
}

/* The rule an unexpected mailing breaks, read from the engine's state that day (INV-3's list, docs/RULES.md). */
static const char *unexpected_rule(const struct world *w, const struct scenario *scn, const struct mailing *m,
                                   core_day day, char *why, size_t cap)
{
    int r = scenario_find_resident(scn, m->who);
    char d[11];
    core_date_format(day, d);
    if (m->type && !world_has_myna(w, r, day)) {
        snprintf(why, cap,
                 "on %s %.40s has no マイナ保険証: a notice gets no insured care alone; a certificate is due",
                 d, m->who);
        return "INV-3";
    }
    size_t n = world_document_count(w, r);
    for (size_t i = 0; i < n; i++) {
        struct world_document_info x;
        if (world_document_at(w, r, i, &x) && x.kind == SCENARIO_DOC_PAPER_CARD && x.got <= day &&
            (x.lost == CORE_DAY_NONE || x.lost > day) && x.from <= day && day <= x.to &&
            strcmp(world_insurer_id(w, x.insurer), m->insurer) == 0 && m->from <= x.to) {
            snprintf(why, cap,
                     "on %s %.40s still holds a usable paper card of %.40s: only the advance mailing is due",
                     d, m->who, m->insurer);
            return "CERT-3";
        }
    }
    /* the engine mails it later: too early (a lag or lead ignored) */
    for (size_t i = 0; i < world_event_count(w); i++) {
        struct world_mailing wm;
        if (world_event_at(w, i)->day <= day || !world_event_mailing(w, i, &wm) || wm.resident != r ||
            (wm.kind == SCENARIO_DOC_NOTICE) != (m->type != 0) ||
            strcmp(world_insurer_id(w, wm.insurer), m->insurer) != 0)
            continue;
        char later[11];
        core_date_format(wm.day, later);
        snprintf(why, cap, "mailed too early: the rules send it on %s (%s), not on %s", later, wm.rule, d);
        return wm.rule;
    }
    snprintf(why, cap, "no rule mails %.40s this document on %s", m->who, d);
    return "INV-3";
}

static CORE_MUST_USE int compare_day(struct conform_case *cc, size_t *cap, const struct day_ctx *c,
                                     struct mailing *exp, size_t nexp)
{
    char why[192];
    size_t before = cc->ndiff;
    /* exact matches first */
    for (size_t i = 0; i < nexp; i++)
        for (size_t k = 0; k < c->ngot && !exp[i].used; k++)
            if (!c->got[k].used && same(&exp[i], &c->got[k]))
                exp[i].used = c->got[k].used = true;
    /* then the same person and insurer: a wrong document, validity or type */
    for (size_t i = 0; i < nexp; i++)
        for (size_t k = 0; k < c->ngot && !exp[i].used; k++) {
            struct mailing *g = &c->got[k];
            if (g->used || strcmp(exp[i].who, g->who) != 0 || strcmp(exp[i].insurer, g->insurer) != 0)
                continue;
            exp[i].used = g->used = true;
            const char *rule = exp[i].rule;
            if (strcmp(exp[i].document, g->document) != 0)
                snprintf(why, sizeof why, "a %s was due (%s), not a %s", exp[i].document, exp[i].rule,
                         g->document);
            else if (exp[i].from != g->from)
                snprintf(why, sizeof why, "valid from the wrong day (%s)", exp[i].rule);
            else if (exp[i].to != g->to) {
                rule = "CERT-4";
                snprintf(why, sizeof why,
                         "valid to the wrong day: CERT-4 ends it on the earlier of 31 July "
                         "(NHI, latter-elderly) and the day before the maximum validity");
            } else
                snprintf(why, sizeof why,
                         "notice of the wrong type (NOTICE-6: every later notice is type B)");
            if (add_diff(cc, cap, c->day, g->who, "differs", &exp[i], g, rule, why) != CORE_OK)
                return CORE_ENOMEM;
        }
    for (size_t i = 0; i < nexp; i++)
        if (!exp[i].used) {
            snprintf(why, sizeof why, "the SUT mailed nothing of this (%s)", exp[i].rule);
            if (add_diff(cc, cap, c->day, exp[i].who, "missing", &exp[i], NULL, exp[i].rule, why) != CORE_OK)
                return CORE_ENOMEM;
        }
    for (size_t k = 0; k < c->ngot; k++)
        if (!c->got[k].used) {
            const char *rule = unexpected_rule(c->w, c->scn, &c->got[k], c->day, why, sizeof why);
            if (add_diff(cc, cap, c->day, c->got[k].who, "unexpected", NULL, &c->got[k], rule, why) !=
                CORE_OK)
                return CORE_ENOMEM;
        }
    if (cc->ndiff > before)
        cc->days_differing++;
    return CORE_OK;
}

/* The engine's mailings of the whole run in date order (the D-1 type A notices of NOTICE-6 aside:
 * docs/CONFORMANCE.md), each with its day; read once per case. */
struct engine_mail {
    core_day day;
    struct mailing m;
};

static CORE_MUST_USE int engine_mailings(const struct world *w, const struct scenario *scn,
                                         struct engine_mail **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    for (size_t i = 0; i < world_event_count(w); i++) {
        struct world_mailing wm;
        if (!world_event_mailing(w, i, &wm) || strcmp(wm.rule, "NOTICE-6") == 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            struct engine_mail *m = realloc(*out, cap * sizeof *m);
            if (m == NULL)
                return CORE_ENOMEM;
            *out = m;
        }
        struct engine_mail *e = &(*out)[(*n)++];
        memset(e, 0, sizeof *e);
        e->day = wm.day;
        struct mailing *m = &e->m;
        snprintf(m->who, sizeof m->who, "%s", resident_id(scn, wm.resident));
        snprintf(m->document, sizeof m->document, "%s", scenario_document_word(wm.kind));
        snprintf(m->insurer, sizeof m->insurer, "%s", world_insurer_id(w, wm.insurer));
        m->from = wm.from;
        m->to = wm.to;
        m->type = wm.notice_type;
        snprintf(m->rule, sizeof m->rule, "%s", wm.rule);
    }
    return CORE_OK;
}

int conform_issuance_run(const struct scenario *scn, const struct conform_issuance_options *o,
                         struct conform_case *out, struct core_error *err)
{
    memset(out, 0, sizeof *out);
    if (o == NULL || o->sut == NULL || o->sut[0] == '\0' || o->day_timeout_ms <= 0)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "conform: no SUT command or no deadline");
    core_day from = o->from == CORE_DAY_NONE ? scn->period.from : o->from;
    core_day to = o->to == CORE_DAY_NONE ? scn->period.to : o->to;
    if (from < scn->period.from || to > scn->period.to || from > to)
        return core_error_set(err, CORE_EINVAL, scn->file, 0, 0,
                              "conform: the days chosen are not inside the scenario's period");
    struct world *w = NULL;
    int rc = world_new(scn, &w, err);
    if (rc == CORE_OK)
        rc = world_run(w, err);
    if (rc != CORE_OK) {
        world_free(w);
        return rc;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    snprintf(out->name, sizeof out->name, "%s", scn->name);
    snprintf(out->file, sizeof out->file, "%s", scn->file);
    snprintf(out->policy, sizeof out->policy, "%s", policy_name(scn->policy));
    out->from = from;
    out->to = to;
    out->failure_day = CORE_DAY_NONE;
    /* a SUT that stops reading is a failure to report, not a signal that ends mynasim */
    struct sigaction ign, old;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &old);
    struct conform_sut sut;
    size_t cap = 0;
    struct day_ctx c = {.scn = scn, .w = w};
    if (!conform_sut_start(&sut, o->sut)) {
        out->sut_failed = true;
        snprintf(out->failure, sizeof out->failure, "the SUT %s", sut.why);
    }
    struct engine_mail *all = NULL;
    size_t nall = 0, next = 0;
    struct mailing *exp = NULL;
    if (engine_mailings(w, scn, &all, &nall) != CORE_OK ||
        (exp = malloc((nall ? nall : 1) * sizeof *exp)) == NULL)
        rc = core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "conform: out of memory");
    /* the days before --from are given too, not judged: the SUT builds the history a real system has */
    for (core_day d = scn->period.from; rc == CORE_OK && !out->sut_failed && d <= to; d++) {
        bool judged = d >= from;
        char *day = conform_issuance_day_json(scn, w, d, judged);
        size_t nexp = 0;
        while (next < nall && all[next].day < d)
            next++;
        for (size_t k = next; k < nall && all[k].day == d; k++)
            exp[nexp++] = all[k].m;
        if (day == NULL) {
            rc = core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "conform: out of memory");
            break;
        }
        c.day = d;
        c.ngot = 0;
        c.line = 0;
        if (!conform_sut_exchange(&sut, day, o->day_timeout_ms, on_line, &c)) {
            out->sut_failed = true;
            out->failure_day = d;
            snprintf(out->failure, sizeof out->failure, "the SUT %s", sut.why);
        } else if (judged) {
            out->days++;
            out->engine_mailings += (long)nexp;
            out->sut_mailings += (long)c.ngot;
            if (compare_day(out, &cap, &c, exp, nexp) != CORE_OK)
                rc = core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "conform: out of memory");
        }
        free(day);
    }
    free(all);
    free(exp);
    if (rc == CORE_OK && !out->sut_failed && !conform_sut_finish(&sut, o->day_timeout_ms)) {
        out->sut_failed = true;
        snprintf(out->failure, sizeof out->failure, "the SUT %s", sut.why);
    }
    conform_sut_stop(&sut);
    sigaction(SIGPIPE, &old, NULL);
    free(c.got);
    world_free(w);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (rc != CORE_OK)
        conform_case_free(out);
    return rc;
}

void conform_case_free(struct conform_case *c)
{
    if (c == NULL)
        return;
    free(c->diffs);
    c->diffs = NULL;
    c->ndiff = 0;
}
