/*
 * junit.c: the report for CI, written with libxml2's xmlTextWriter on close (the <testsuites> element
 * carries the totals, so they must be known first; each run's results are copied when it is added). Valid
 * against docs/junit.xsd, the Jenkins JUnit format's elements and attributes (sim/tests/report/junit.sh
 * checks it with xmllint).
 *
 * One <testsuite> per scenario file and policy, named "SCENARIO (POLICY)", with the file, the scenario, the
 * policy, its tags and the population's generated residents (when the file has one) as properties; one
 * <testcase> per result, named for who, what and when ("r1 visit clinic-a 2025-09-11", report_result_title)
 * or by the expectation's `name:`, a name that occurs twice in a suite followed by " (line N)". Its classname
 * is "POLICY.SCENARIO": dashboards read the part before the last dot as a package and the rest as a class, so
 * the scenario is the class and the reports of two policies merge side by side without one case taking the
 * other's identity. Each testcase's <system-out> is its report line, file:line:column: form: message, and a
 * failed one has <failure message="..." type="RULE">. A file that could not be run is a suite with one
 * testcase holding an <error type="invalid"> whose text lists every problem.
 *
 * Times are "0" unless report_options.timings (then a suite's time is its file's replay, and the cases' 0:
 * expectations are checked after the replay, all at once). No host names, no timestamps: the same runs give
 * the same bytes. Every text is kept whole and written as UTF-8: invalid sequences (a file name is any bytes)
 * as U+FFFD (report_utf8_dup), the C0 controls XML refuses as '?', so the document is always well-formed.
 */
#include <libxml/xmlwriter.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

struct junit_case {
    char *name; /* who, what and when, or the expectation's name */
    char *out;  /* file:line:column: form: message */
    char *rule;
    char *message;
    bool passed;
    bool error; /* the file could not be run */
};

struct junit_suite {
    char *file;
    char *name;      /* "SCENARIO (POLICY)", or the file when it could not be run */
    char *classname; /* "POLICY.SCENARIO" */
    char *scenario;
    char *policy;
    char *tags; /* comma-separated, NULL when none */
    struct junit_case *cases;
    size_t count;
    size_t failed;
    size_t errors;
    double seconds;
    long long population; /* generated residents; -1 without a population */
};

struct junit_state {
    struct junit_suite *suites;
    size_t count;
};

/* XML 1.0 cannot carry C0 control characters other than tab, newline and carriage return, not even as
 * character references: each is written as '?' so the report stays well-formed. */
static void xml_safe(char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
            *s = '?';
}

/* A copy of `s` fit for XML: UTF-8 (invalid sequences as U+FFFD) without the C0 controls XML refuses. Whole:
 * nothing is cut. NULL when out of memory. */
static char *xml_dup(const char *s)
{
    char *d = report_utf8_dup(s);
    xml_safe(d);
    return d;
}

/* printf into a fresh string fit for XML; NULL when out of memory. */
static char *xml_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xml_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s == NULL)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    char *d = xml_dup(s);
    free(s);
    return d;
}

/* The policy as a package name: a shipped name as it is; a file by its base name without .yaml; the dots a
 * dashboard would split on as '_'. */
static void policy_package(const char *policy, char *out, size_t cap)
{
    const char *base = strrchr(policy, '/');
    base = base != NULL ? base + 1 : policy;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
        n -= 5;
    else if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
        n -= 4;
    snprintf(out, cap, "%.*s", (int)n, base);
    for (char *p = out; *p != '\0'; p++)
        if (*p == '.')
            *p = '_';
}

static CORE_MUST_USE int junit_open(struct report *rep, struct core_error *err)
{
    rep->state = calloc(1, sizeof(struct junit_state));
    return rep->state != NULL ? CORE_OK : core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory");
}

static int junit_oom(const char *file, struct core_error *err)
{
    return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory keeping the JUnit results of %s",
                          file != NULL ? file : "");
}

static struct junit_suite *suite_new(struct junit_state *st)
{
    struct junit_suite *suites = realloc(st->suites, (st->count + 1) * sizeof *suites);
    if (suites == NULL)
        return NULL;
    st->suites = suites;
    struct junit_suite *s = &suites[st->count++];
    memset(s, 0, sizeof *s);
    s->population = -1;
    return s;
}

/* A name that occurs twice in the suite is followed by its line, so every testcase has its own. */
static CORE_MUST_USE bool names_unique(struct junit_suite *s, const struct replay_result *results)
{
    bool *dup = calloc(s->count > 0 ? s->count : 1, sizeof *dup);
    if (dup == NULL)
        return false;
    for (size_t i = 0; i < s->count; i++)
        for (size_t k = i + 1; k < s->count; k++)
            if (strcmp(s->cases[i].name, s->cases[k].name) == 0)
                dup[i] = dup[k] = true;
    bool ok = true;
    for (size_t i = 0; i < s->count && ok; i++) {
        if (!dup[i])
            continue;
        char *n = xml_printf("%s (line %d)", s->cases[i].name, results[i].pos.line);
        ok = n != NULL;
        if (ok) {
            free(s->cases[i].name);
            s->cases[i].name = n;
        }
    }
    free(dup);
    return ok;
}

static CORE_MUST_USE int junit_add(struct report *rep, const struct scenario *scn,
                                   const struct replay_run_result *run, struct core_error *err)
{
    struct junit_state *st = rep->state;
    struct junit_suite *s = suite_new(st);
    if (s == NULL)
        return junit_oom(scn->file, err);
    const char *file = scn->file != NULL ? scn->file : "";
    char pkg[256];
    policy_package(scn->policy_ref, pkg, sizeof pkg);
    s->file = xml_dup(file);
    s->scenario = xml_dup(scn->name);
    s->policy = xml_dup(scn->policy_ref);
    s->name = xml_printf("%s (%s)", scn->name, scn->policy_ref);
    s->classname = xml_printf("%s.%s", pkg, scn->name);
    if (scn->tag_count > 0) {
        size_t len = 1;
        for (size_t i = 0; i < scn->tag_count; i++)
            len += strlen(scn->tags[i]) + 1;
        char *t = calloc(1, len);
        for (size_t i = 0; t != NULL && i < scn->tag_count; i++) {
            if (i > 0)
                strcat(t, ",");
            strcat(t, scn->tags[i]);
        }
        s->tags = t != NULL ? xml_dup(t) : NULL;
        free(t);
        if (s->tags == NULL)
            return junit_oom(file, err);
    }
    s->cases = run->count > 0 ? calloc(run->count, sizeof *s->cases) : NULL;
    if (s->file == NULL || s->scenario == NULL || s->policy == NULL || s->name == NULL ||
        s->classname == NULL || (run->count > 0 && s->cases == NULL))
        return junit_oom(file, err);
    s->count = run->count;
    s->population = run->population != NULL ? run->population->residents : -1;
    s->seconds = rep->seconds;
    for (size_t i = 0; i < run->count; i++) {
        const struct replay_result *r = &run->results[i];
        struct junit_case *c = &s->cases[i];
        char title[512];
        report_result_title(scn, r, title, sizeof title);
        const char *name = r->expect != NULL ? r->expect->name : NULL;
        c->name = xml_dup(title);
        c->out = xml_printf("%s:%d:%d: %s%s%s%s: %s", file, r->pos.line, r->pos.column,
                            r->form != NULL ? r->form : "?", name != NULL ? " \"" : "",
                            name != NULL ? name : "", name != NULL ? "\"" : "", r->message);
        c->rule = xml_dup(r->rule);
        c->message = xml_dup(r->message);
        if (c->name == NULL || c->out == NULL || c->rule == NULL || c->message == NULL)
            return junit_oom(file, err);
        c->passed = r->passed;
        if (!r->passed)
            s->failed++;
    }
    if (!names_unique(s, run->results))
        return junit_oom(file, err);
    return CORE_OK;
}

static CORE_MUST_USE int junit_invalid(struct report *rep, const char *file,
                                       const struct core_error *problems, size_t count, size_t omitted,
                                       struct core_error *err)
{
    struct junit_state *st = rep->state;
    struct junit_suite *s = suite_new(st);
    if (s == NULL)
        return junit_oom(file, err);
    s->file = xml_dup(file);
    s->name = xml_dup(file);
    s->classname = xml_printf("invalid.%s", file); /* the file as a class: no dot in it to split on */
    for (char *p = s->classname != NULL ? s->classname + strlen("invalid.") : NULL; p != NULL && *p; p++)
        if (*p == '.')
            *p = '_';
    s->cases = calloc(1, sizeof *s->cases);
    if (s->file == NULL || s->name == NULL || s->classname == NULL || s->cases == NULL)
        return junit_oom(file, err);
    s->count = 1;
    s->errors = 1;
    struct junit_case *c = &s->cases[0];
    size_t n = count + omitted;
    c->error = true;
    c->name = xml_printf("%s is a valid scenario file", file);
    c->message = xml_printf("not valid: %zu problem%s", n, n == 1 ? "" : "s");
    c->rule = xml_dup("invalid");
    size_t len = 64;
    char(*lines)[1200] = count > 0 ? malloc(count * sizeof *lines) : NULL;
    if (count > 0 && lines == NULL)
        return junit_oom(file, err);
    for (size_t i = 0; i < count; i++) {
        core_error_format(&problems[i], lines[i], sizeof lines[i]);
        len += strlen(lines[i]) + 1;
    }
    char *text = malloc(len);
    if (text != NULL) {
        text[0] = '\0';
        for (size_t i = 0; i < count; i++) {
            strcat(text, lines[i]);
            strcat(text, "\n");
        }
        if (omitted > 0)
            snprintf(text + strlen(text), len - strlen(text), "%zu more problems not shown\n", omitted);
    }
    free(lines);
    c->out = text != NULL ? xml_dup(text) : NULL;
    free(text);
    if (c->name == NULL || c->message == NULL || c->rule == NULL || c->out == NULL)
        return junit_oom(file, err);
    return CORE_OK;
}

static void junit_free(struct junit_state *st)
{
    for (size_t i = 0; i < st->count; i++) {
        struct junit_suite *s = &st->suites[i];
        free(s->file);
        free(s->name);
        free(s->classname);
        free(s->scenario);
        free(s->policy);
        free(s->tags);
        for (size_t k = 0; s->cases != NULL && k < s->count; k++) {
            free(s->cases[k].name);
            free(s->cases[k].out);
            free(s->cases[k].rule);
            free(s->cases[k].message);
        }
        free(s->cases);
    }
    free(st->suites);
    free(st);
}

#define X(s) ((const xmlChar *)(s))

static CORE_MUST_USE int property(xmlTextWriterPtr w, const char *name, const char *value)
{
    int ok = 0;
    ok |= xmlTextWriterStartElement(w, X("property"));
    ok |= xmlTextWriterWriteAttribute(w, X("name"), X(name));
    ok |= xmlTextWriterWriteAttribute(w, X("value"), X(value));
    ok |= xmlTextWriterEndElement(w);
    return ok;
}

static void seconds_word(bool timings, double seconds, char *out, size_t cap)
{
    if (timings && seconds > 0)
        snprintf(out, cap, "%.3f", seconds);
    else
        snprintf(out, cap, "0");
}

/* Every xmlTextWriter call returns < 0 on failure; `ok` collects them. */
static CORE_MUST_USE int write_suite(xmlTextWriterPtr w, const struct junit_suite *s, bool timings)
{
    int ok = 0;
    char num[32];
    ok |= xmlTextWriterStartElement(w, X("testsuite"));
    ok |= xmlTextWriterWriteAttribute(w, X("name"), X(s->name));
    snprintf(num, sizeof num, "%zu", s->count);
    ok |= xmlTextWriterWriteAttribute(w, X("tests"), X(num));
    snprintf(num, sizeof num, "%zu", s->failed);
    ok |= xmlTextWriterWriteAttribute(w, X("failures"), X(num));
    snprintf(num, sizeof num, "%zu", s->errors);
    ok |= xmlTextWriterWriteAttribute(w, X("errors"), X(num));
    ok |= xmlTextWriterWriteAttribute(w, X("skipped"), X("0"));
    seconds_word(timings, s->seconds, num, sizeof num);
    ok |= xmlTextWriterWriteAttribute(w, X("time"), X(num));
    ok |= xmlTextWriterWriteAttribute(w, X("file"), X(s->file));
    ok |= xmlTextWriterStartElement(w, X("properties"));
    ok |= property(w, "file", s->file);
    if (s->scenario != NULL)
        ok |= property(w, "scenario", s->scenario);
    if (s->policy != NULL)
        ok |= property(w, "policy", s->policy);
    if (s->tags != NULL)
        ok |= property(w, "tags", s->tags);
    if (s->population >= 0) {
        snprintf(num, sizeof num, "%lld", s->population);
        ok |= property(w, "population", num);
    }
    ok |= xmlTextWriterEndElement(w);
    for (size_t i = 0; i < s->count; i++) {
        const struct junit_case *c = &s->cases[i];
        ok |= xmlTextWriterStartElement(w, X("testcase"));
        ok |= xmlTextWriterWriteAttribute(w, X("name"), X(c->name));
        ok |= xmlTextWriterWriteAttribute(w, X("classname"), X(s->classname));
        ok |= xmlTextWriterWriteAttribute(w, X("time"), X("0"));
        if (c->error || !c->passed) {
            ok |= xmlTextWriterStartElement(w, X(c->error ? "error" : "failure"));
            ok |= xmlTextWriterWriteAttribute(w, X("message"), X(c->message));
            ok |= xmlTextWriterWriteAttribute(w, X("type"), X(c->rule[0] != '\0' ? c->rule : "expectation"));
            ok |= xmlTextWriterWriteString(w, X(c->out)); /* file:line:column: form: message, whole */
            ok |= xmlTextWriterEndElement(w);
        }
        ok |= xmlTextWriterWriteElement(w, X("system-out"), X(c->out));
        ok |= xmlTextWriterEndElement(w);
    }
    ok |= xmlTextWriterEndElement(w);
    return ok < 0 ? -1 : 0;
}

static CORE_MUST_USE int junit_close(struct report *rep, struct core_error *err)
{
    struct junit_state *st = rep->state;
    int rc = CORE_OK;
    xmlOutputBufferPtr buf = xmlOutputBufferCreateFile(rep->out, NULL);
    xmlTextWriterPtr w = buf != NULL ? xmlNewTextWriter(buf) : NULL;
    if (w == NULL) {
        if (buf != NULL)
            xmlOutputBufferClose(buf);
        junit_free(st);
        return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: cannot start the JUnit writer");
    }
    size_t tests = 0, failures = 0, errors = 0;
    double seconds = 0;
    for (size_t i = 0; i < st->count; i++) {
        tests += st->suites[i].count;
        failures += st->suites[i].failed;
        errors += st->suites[i].errors;
        seconds += st->suites[i].seconds;
    }
    int ok = 0;
    char num[32];
    ok |= xmlTextWriterSetIndent(w, 1);
    ok |= xmlTextWriterSetIndentString(w, X("  "));
    ok |= xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    ok |= xmlTextWriterStartElement(w, X("testsuites"));
    ok |= xmlTextWriterWriteAttribute(w, X("name"), X("mynasim"));
    snprintf(num, sizeof num, "%zu", tests);
    ok |= xmlTextWriterWriteAttribute(w, X("tests"), X(num));
    snprintf(num, sizeof num, "%zu", failures);
    ok |= xmlTextWriterWriteAttribute(w, X("failures"), X(num));
    snprintf(num, sizeof num, "%zu", errors);
    ok |= xmlTextWriterWriteAttribute(w, X("errors"), X(num));
    seconds_word(rep->timings, seconds, num, sizeof num);
    ok |= xmlTextWriterWriteAttribute(w, X("time"), X(num));
    for (size_t i = 0; i < st->count && ok >= 0; i++)
        ok |= write_suite(w, &st->suites[i], rep->timings);
    ok |= xmlTextWriterEndElement(w);
    ok |= xmlTextWriterEndDocument(w);
    /* Frees the writer and its output buffer (which does not close the caller's FILE). */
    xmlFreeTextWriter(w);
    if (ok < 0)
        rc = core_error_set(err, CORE_EIO, "", 0, 0, "report: the JUnit report could not be written");
    junit_free(st);
    return rc;
}

const struct report_ops report_junit_ops = {junit_open, junit_add, junit_close, junit_invalid};
