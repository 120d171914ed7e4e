/*
 * report.c: the report's life (open, add runs, close), the choice of format, and the helpers the formats
 * share (summaries, words, positions).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

static const char *const format_words[] = {"text", "json", "junit", "html"};

int report_format_parse(const char *word, enum report_format *out)
{
    for (size_t i = 0; i < sizeof format_words / sizeof format_words[0]; i++)
        if (word != NULL && strcmp(word, format_words[i]) == 0) {
            *out = (enum report_format)i;
            return CORE_OK;
        }
    return CORE_EINVAL;
}

const char *report_format_word(enum report_format f)
{
    return (unsigned)f < sizeof format_words / sizeof format_words[0] ? format_words[f] : "?";
}

const char *report_verdict_word(int verdict)
{
    switch (verdict) {
    case WORLD_DAY_USABLE:
        return "usable";
    case WORLD_DAY_GRACE:
        return "grace";
    case WORLD_DAY_GAP:
        return "gap";
    case WORLD_DAY_NOT_INSURED:
        return "not_insured";
    case WORLD_DAY_BEFORE_CHECKS:
        return "before_checks";
    default:
        return "?";
    }
}

void report_summarize(const struct scenario *scn, const struct replay_run_result *run,
                      struct report_summary *out)
{
    memset(out, 0, sizeof *out);
    out->residents = scn->resident_count;
    out->expectations = run->count;
    out->passed = run->passed;
    out->failed = run->failed;
    if (run->world != NULL) {
        out->gap_days = world_gap_days(run->world, SCENARIO_WHO_ALL);
        out->grace_days = world_grace_days(run->world, SCENARIO_WHO_ALL);
        out->degraded_days = world_degraded_days(run->world, SCENARIO_WHO_ALL);
        out->claim_errors = world_claim_errors(run->world, SCENARIO_WHO_ALL);
    }
    const struct world_population *p = run->population;
    if (p != NULL) { /* named residents plus the population, as `who: all` expectations count them */
        out->residents += (size_t)p->residents;
        out->gap_days += (long)p->gap;
        out->grace_days += (long)p->grace;
        out->degraded_days += (long)p->degraded;
        out->claim_errors += (long)p->claims;
    }
}

static long long rule_total(const struct world_pop_rule *r)
{
    return r->gap + r->grace + r->degraded + r->claims;
}

static int rule_by_name(const void *a, const void *b)
{
    const struct world_pop_rule *x = *(const struct world_pop_rule *const *)a;
    const struct world_pop_rule *y = *(const struct world_pop_rule *const *)b;
    return strcmp(x->rule, y->rule);
}

static int rule_by_weight(const void *a, const void *b)
{
    const struct world_pop_rule *x = *(const struct world_pop_rule *const *)a;
    const struct world_pop_rule *y = *(const struct world_pop_rule *const *)b;
    if (x->gap != y->gap)
        return x->gap > y->gap ? -1 : 1;
    if (rule_total(x) != rule_total(y))
        return rule_total(x) > rule_total(y) ? -1 : 1;
    return strcmp(x->rule, y->rule);
}

size_t report_pop_rules(const struct world_population *p, bool by_name, const struct world_pop_rule **out)
{
    size_t n = p->nrules < WORLD_POP_RULES_MAX ? p->nrules : WORLD_POP_RULES_MAX;
    for (size_t i = 0; i < n; i++)
        out[i] = &p->rules[i];
    if (n > 1)
        qsort(out, n, sizeof *out, by_name ? rule_by_name : rule_by_weight);
    return n;
}

long report_pop_usage_ppm(const struct world_pop_month *m)
{
    if (m->online_checks <= 0)
        return -1;
    return (long)(m->card_checks * 1000000 / m->online_checks);
}

const struct scenario_expect *report_usage_expect(const struct scenario *scn, core_day month)
{
    int y, m, d, ey, em;
    core_date_to_ymd(month, &y, &m, &d);
    for (size_t i = 0; i < scn->expect_count; i++) {
        const struct scenario_expect *e = &scn->expects[i];
        if (e->kind != SCENARIO_EXPECT_USAGE_RATE)
            continue;
        core_date_to_ymd(e->month, &ey, &em, &d);
        if (ey == y && em == m)
            return e;
    }
    return NULL;
}

const char *report_who(const struct scenario *scn, int resident)
{
    if (resident == SCENARIO_WHO_ALL)
        return "all";
    if (resident >= 0 && (size_t)resident < scn->resident_count)
        return scn->residents[resident].id;
    return "-";
}

const char *report_clinic(const struct scenario *scn, int clinic)
{
    if (clinic >= 0 && (size_t)clinic < scn->clinic_count)
        return scn->clinics[clinic].id;
    return "default";
}

void report_day(core_day d, char out[11])
{
    if (d == CORE_DAY_NONE)
        out[0] = '\0';
    else
        core_date_format(d, out);
}

void report_result_title(const struct scenario *scn, const struct replay_result *r, char *out, size_t cap)
{
    const struct scenario_expect *e = r->expect;
    if (e != NULL && e->name != NULL) {
        snprintf(out, cap, "%s", e->name);
        return;
    }
    const char *who = report_who(scn, r->resident);
    if (e == NULL) { /* an invariant (a result built without its expectation: its form and day) */
        char d[11];
        report_day(r->date, d);
        if (r->form != NULL && strcmp(r->form, "invariant") == 0)
            snprintf(out, cap, "%s no unexpected gap day", who);
        else
            snprintf(out, cap, "%s %s%s%s", who, r->form != NULL ? r->form : "?", d[0] != '\0' ? " " : "", d);
        return;
    }
    const char *form = scenario_expect_word(e->kind);
    char day[11], docs[96];
    report_day(e->date, day);
    switch (e->kind) {
    case SCENARIO_EXPECT_HOLDS:
    case SCENARIO_EXPECT_LACKS:
        scenario_documents_format(e->documents, ",", docs, sizeof docs);
        snprintf(out, cap, "%s %s %s %s", who, form, docs, day);
        break;
    case SCENARIO_EXPECT_VISIT:
        snprintf(out, cap, "%s %s %s %s", who, form, report_clinic(scn, e->visit.clinic), day);
        break;
    case SCENARIO_EXPECT_ONLINE_CHECK: /* without a clinic: a working one with a face-auth reader */
        if (e->clinic == SCENARIO_NONE)
            snprintf(out, cap, "%s %s %s", who, form, day);
        else
            snprintf(out, cap, "%s %s %s %s", who, form, report_clinic(scn, e->clinic), day);
        break;
    case SCENARIO_EXPECT_RECEIVED:
        report_day(e->by, day);
        snprintf(out, cap, "%s %s %s%s%s", who, form, scenario_document_word(e->received),
                 day[0] != '\0' ? " by " : "", day);
        break;
    case SCENARIO_EXPECT_USAGE_RATE: {
        int y, m, d;
        core_date_to_ymd(e->month, &y, &m, &d);
        snprintf(out, cap, "%s %s %04d-%02d", who, form, y % 10000, m % 100);
        break;
    }
    default: /* the totals: no date */
        snprintf(out, cap, "%s %s", who, form);
        break;
    }
}

void report_result_name(const struct replay_result *r, char *out, size_t cap)
{
    if (r->expect != NULL && r->expect->name != NULL) {
        snprintf(out, cap, "%s", r->expect->name);
        return;
    }
    snprintf(out, cap, "%s:%d", r->form != NULL ? r->form : "?", r->pos.line);
}

/* The length of the valid UTF-8 sequence at `s` (1 to 4), or 0 when there is none; then *bad is how many
 * bytes one U+FFFD stands for (the maximal subpart: the lead byte and the continuation bytes it allowed). Never
 * reads past a NUL, which is no continuation byte. */
static size_t utf8_seq(const unsigned char *s, size_t *bad)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    *bad = 1;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        need = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* E0 80..9F: overlong */
        hi = c == 0xED ? 0x9F : 0xBF; /* ED A0..BF: surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        lo = c == 0xF0 ? 0x90 : 0x80; /* F0 80..8F: overlong */
        hi = c == 0xF4 ? 0x8F : 0xBF; /* F4 90..: above U+10FFFF */
    } else
        return 0; /* 80..BF alone, C0, C1 (overlong), F5..FF */
    for (size_t i = 1; i <= need; i++) {
        if (s[i] < lo || s[i] > hi) {
            *bad = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

bool report_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
    size_t bad;
    while (*p != '\0') {
        size_t n = utf8_seq(p, &bad);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

char *report_utf8_dup(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
    size_t len = strlen((const char *)p);
    /* each U+FFFD (3 bytes) replaces at least one byte */
    char *out = len <= (SIZE_MAX - 1) / 3 ? malloc(len * 3 + 1) : NULL;
    if (out == NULL)
        return NULL;
    size_t o = 0, bad;
    while (*p != '\0') {
        size_t n = utf8_seq(p, &bad);
        if (n > 0) {
            memcpy(out + o, p, n);
            o += n;
            p += n;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            p += bad;
        }
    }
    out[o] = '\0';
    return out;
}

/* ---- JSON builds (json.c, compare.c) ---- */

void report_jb_fail(struct report_jb *b, int code, const char *fmt, ...)
{
    if (b->code != CORE_OK)
        return; /* the first failure is the cause; what follows only reports its NULL */
    b->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->what, sizeof b->what, fmt, ap);
    va_end(ap);
}

void report_jb_free(struct report_jb *b)
{
    for (size_t i = 0; i < b->owned_count; i++)
        free(b->owned[i]);
    free(b->owned);
    b->owned = NULL;
    b->owned_count = b->owned_cap = 0;
}

/* `s` as jansson takes it: itself when valid UTF-8 (or NULL), else a repaired copy owned by `b`. NULL (and
 * `b` failed) when out of memory. */
const char *report_u8(struct report_jb *b, const char *s)
{
    if (report_utf8_valid(s))
        return s;
    if (b->owned_count == b->owned_cap) {
        size_t cap = b->owned_cap != 0 ? b->owned_cap * 2 : 8;
        char **o = realloc(b->owned, cap * sizeof *o);
        if (o == NULL) {
            report_jb_fail(b, CORE_ENOMEM, "out of memory repairing text that is not UTF-8");
            return NULL;
        }
        b->owned = o;
        b->owned_cap = cap;
    }
    char *d = report_utf8_dup(s);
    if (d == NULL) {
        report_jb_fail(b, CORE_ENOMEM, "out of memory repairing text that is not UTF-8");
        return NULL;
    }
    b->owned[b->owned_count++] = d;
    return d;
}

/* The result of json_pack_ex(&b->je, ...) building `what`. */
json_t *report_jb_packed(struct report_jb *b, const char *what, json_t *v)
{
    if (v != NULL)
        return v;
    enum json_error_code code = json_error_code(&b->je);
    if (code == json_error_out_of_memory)
        report_jb_fail(b, CORE_ENOMEM, "%s: out of memory (%s)", what, b->je.text);
    else if (code == json_error_null_value && strcmp(b->je.text, "NULL object value") == 0)
        /* every value given to a pack is checked (and its failure recorded first): jansson's own string or
         * number could not be allocated */
        report_jb_fail(b, CORE_ENOMEM, "%s: out of memory", what);
    else
        report_jb_fail(b, CORE_EINVAL, "%s: %s", what, b->je.text);
    return NULL;
}

json_t *report_jb_new(struct report_jb *b, const char *what, json_t *v)
{
    if (v == NULL)
        report_jb_fail(b, CORE_ENOMEM, "%s: out of memory", what);
    return v;
}

json_t *report_jb_string(struct report_jb *b, const char *what, const char *s)
{
    const char *t = report_u8(b, s);
    return t != NULL ? report_jb_new(b, what, json_string(t)) : NULL;
}

/* Appends `v` (stolen) to `a`; a NULL `v` is a failure already recorded. */
void report_jb_append(struct report_jb *b, const char *what, json_t *a, json_t *v)
{
    if (v == NULL)
        report_jb_fail(b, CORE_ENOMEM, "%s: out of memory", what);
    else if (a == NULL)
        json_decref(v); /* the array's own failure is recorded */
    else if (json_array_append_new(a, v) != 0)
        report_jb_fail(b, CORE_ENOMEM, "%s: out of memory appending it to its list", what);
}

/* Sets `key` of `o` to `v` (stolen); -1 on failure. */
int report_jb_set(struct report_jb *b, const char *what, json_t *o, const char *key, json_t *v)
{
    if (v == NULL) {
        report_jb_fail(b, CORE_ENOMEM, "%s: out of memory", what);
        return -1;
    }
    if (o == NULL || json_object_set_new(o, key, v) != 0) {
        report_jb_fail(b, CORE_ENOMEM, "%s: out of memory setting \"%s\"", what, key);
        return -1;
    }
    return 0;
}

/* Sets err from the build's failure (naming the file) and frees what the build kept. */
int report_jb_error(struct report_jb *b, const char *what, const char *file, struct core_error *err)
{
    int code = b->code != CORE_OK ? b->code : CORE_ENOMEM;
    int rc = core_error_set(err, code, "", 0, 0, "report: %s of %s could not be built: %s", what,
                            file != NULL ? file : "", b->code != CORE_OK ? b->what : "out of memory");
    report_jb_free(b);
    return rc;
}

int report_open(enum report_format format, FILE *out, struct report **rep, struct core_error *err)
{
    return report_open_with(format, out, NULL, rep, err);
}

int report_open_with(enum report_format format, FILE *out, const struct report_options *opt,
                     struct report **rep, struct core_error *err)
{
    *rep = NULL;
    if (out == NULL)
        return core_error_set(err, CORE_EINVAL, "", 0, 0, "report: no output");
    const struct report_ops *ops = format == REPORT_TEXT    ? &report_text_ops
                                   : format == REPORT_JSON  ? &report_json_ops
                                   : format == REPORT_JUNIT ? &report_junit_ops
                                   : format == REPORT_HTML  ? &report_html_ops
                                                            : NULL;
    if (ops == NULL)
        return core_error_set(err, CORE_EINVAL, "", 0, 0, "report: unknown format %d", (int)format);
    struct report *r = calloc(1, sizeof *r);
    if (r == NULL)
        return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory");
    r->format = format;
    r->out = out;
    r->ops = ops;
    r->timings = opt != NULL && opt->timings;
    int rc = ops->open(r, err);
    if (rc != CORE_OK) {
        free(r);
        return rc;
    }
    *rep = r;
    return CORE_OK;
}

int report_add(struct report *rep, const struct scenario *scn, const struct replay_run_result *run,
               struct core_error *err)
{
    return report_add_timed(rep, scn, run, 0.0, err);
}

int report_add_timed(struct report *rep, const struct scenario *scn, const struct replay_run_result *run,
                     double seconds, struct core_error *err)
{
    if (rep == NULL || scn == NULL || run == NULL)
        return core_error_set(err, CORE_EINVAL, "", 0, 0, "report_add: missing argument");
    rep->seconds = rep->timings && seconds > 0 ? seconds : 0.0;
    int rc = rep->ops->add(rep, scn, run, err);
    if (rc == CORE_OK) {
        rep->runs++;
        if (run->failed == 0)
            rep->passed++;
        else
            rep->failed++;
    }
    return rc;
}

int report_add_invalid(struct report *rep, const char *file, const struct core_error *problems, size_t count,
                       size_t omitted, struct core_error *err)
{
    if (rep == NULL || file == NULL || (problems == NULL && count > 0))
        return core_error_set(err, CORE_EINVAL, "", 0, 0, "report_add_invalid: missing argument");
    int rc = rep->ops->invalid(rep, file, problems, count, omitted, err);
    if (rc == CORE_OK) {
        rep->runs++;
        rep->invalid++;
    }
    return rc;
}

int report_close(struct report *rep, struct core_error *err)
{
    if (rep == NULL)
        return CORE_OK;
    int rc = rep->ops->close(rep, err);
    if (rc == CORE_OK && (fflush(rep->out) != 0 || ferror(rep->out)))
        rc = core_error_set(err, CORE_EIO, "", 0, 0, "report: the output could not be written");
    free(rep);
    return rc;
}
