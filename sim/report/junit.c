/*
 * junit.c: the report for CI, written with libxml2's xmlTextWriter on close (the <testsuites> element
 * carries the totals, so they must be known first; each run's results are copied when it is added).
 *
 * One <testsuite> per scenario file, named for the scenario, with the file and policy as properties (and the
 * population's generated residents, when the file has one: its `who: all` results are testcases); one
 * <testcase> per result, named "form:line" (an invariant: "invariant:line" at the resident's definition),
 * with <failure message="..." type="RULE">file:line:column: message</failure> when it failed. No times, no
 * host names, no timestamps: the same runs give the same bytes. Every text is kept whole and written as UTF-8:
 * invalid sequences (a file name is any bytes) as U+FFFD (report_utf8_dup), the C0 controls XML refuses as
 * '?', so the document is always well-formed.
 */
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

struct junit_case {
    char *name;  /* "form:line" */
    char *where; /* file:line:column */
    char *rule;
    char *message;
    bool passed;
};

struct junit_suite {
    char *file;
    char *name;
    char *policy;
    struct junit_case *cases;
    size_t count;
    size_t failed;
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

static int junit_open(struct report *rep, struct core_error *err)
{
    rep->state = calloc(1, sizeof(struct junit_state));
    return rep->state != NULL ? CORE_OK : core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory");
}

static int junit_oom(const struct scenario *scn, struct core_error *err)
{
    return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory keeping the JUnit results of %s",
                          scn->file != NULL ? scn->file : "");
}

static int junit_add(struct report *rep, const struct scenario *scn, const struct replay_run_result *run,
                     struct core_error *err)
{
    struct junit_state *st = rep->state;
    struct junit_suite *suites = realloc(st->suites, (st->count + 1) * sizeof *suites);
    if (suites == NULL)
        return junit_oom(scn, err);
    st->suites = suites;
    struct junit_suite *s = &suites[st->count++];
    memset(s, 0, sizeof *s);
    s->file = xml_dup(scn->file);
    s->name = xml_dup(scn->name);
    s->policy = xml_dup(scn->policy_ref);
    s->cases = run->count > 0 ? calloc(run->count, sizeof *s->cases) : NULL;
    if (s->file == NULL || s->name == NULL || s->policy == NULL || (run->count > 0 && s->cases == NULL))
        return junit_oom(scn, err);
    s->count = run->count;
    s->population = run->population != NULL ? run->population->residents : -1;
    for (size_t i = 0; i < run->count; i++) {
        const struct replay_result *r = &run->results[i];
        struct junit_case *c = &s->cases[i];
        char name[64];
        report_result_name(r, name, sizeof name);
        c->name = xml_dup(name);
        const char *file = scn->file != NULL ? scn->file : "";
        int n = snprintf(NULL, 0, "%s:%d:%d", file, r->pos.line, r->pos.column);
        char *where = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (where != NULL)
            snprintf(where, (size_t)n + 1, "%s:%d:%d", file, r->pos.line, r->pos.column);
        c->where = where != NULL ? xml_dup(where) : NULL;
        free(where);
        c->rule = xml_dup(r->rule);
        c->message = xml_dup(r->message);
        if (c->name == NULL || c->where == NULL || c->rule == NULL || c->message == NULL)
            return junit_oom(scn, err);
        c->passed = r->passed;
        if (!r->passed)
            s->failed++;
    }
    return CORE_OK;
}

static void junit_free(struct junit_state *st)
{
    for (size_t i = 0; i < st->count; i++) {
        free(st->suites[i].file);
        free(st->suites[i].name);
        free(st->suites[i].policy);
        for (size_t k = 0; st->suites[i].cases != NULL && k < st->suites[i].count; k++) {
            free(st->suites[i].cases[k].name);
            free(st->suites[i].cases[k].where);
            free(st->suites[i].cases[k].rule);
            free(st->suites[i].cases[k].message);
        }
        free(st->suites[i].cases);
    }
    free(st->suites);
    free(st);
}

#define X(s) ((const xmlChar *)(s))

/* Every xmlTextWriter call returns < 0 on failure; `ok` collects them. */
static int write_suite(xmlTextWriterPtr w, const struct junit_suite *s)
{
    int ok = 0;
    char num[32];
    ok |= xmlTextWriterStartElement(w, X("testsuite"));
    ok |= xmlTextWriterWriteAttribute(w, X("name"), X(s->name));
    snprintf(num, sizeof num, "%zu", s->count);
    ok |= xmlTextWriterWriteAttribute(w, X("tests"), X(num));
    snprintf(num, sizeof num, "%zu", s->failed);
    ok |= xmlTextWriterWriteAttribute(w, X("failures"), X(num));
    ok |= xmlTextWriterWriteAttribute(w, X("errors"), X("0"));
    ok |= xmlTextWriterWriteAttribute(w, X("skipped"), X("0"));
    ok |= xmlTextWriterWriteAttribute(w, X("file"), X(s->file));
    ok |= xmlTextWriterStartElement(w, X("properties"));
    ok |= xmlTextWriterStartElement(w, X("property"));
    ok |= xmlTextWriterWriteAttribute(w, X("name"), X("policy"));
    ok |= xmlTextWriterWriteAttribute(w, X("value"), X(s->policy));
    ok |= xmlTextWriterEndElement(w);
    if (s->population >= 0) {
        snprintf(num, sizeof num, "%lld", s->population);
        ok |= xmlTextWriterStartElement(w, X("property"));
        ok |= xmlTextWriterWriteAttribute(w, X("name"), X("population"));
        ok |= xmlTextWriterWriteAttribute(w, X("value"), X(num));
        ok |= xmlTextWriterEndElement(w);
    }
    ok |= xmlTextWriterEndElement(w);
    for (size_t i = 0; i < s->count; i++) {
        const struct junit_case *c = &s->cases[i];
        ok |= xmlTextWriterStartElement(w, X("testcase"));
        ok |= xmlTextWriterWriteAttribute(w, X("name"), X(c->name));
        ok |= xmlTextWriterWriteAttribute(w, X("classname"), X(s->name));
        ok |= xmlTextWriterWriteAttribute(w, X("file"), X(s->file));
        if (!c->passed) {
            ok |= xmlTextWriterStartElement(w, X("failure"));
            ok |= xmlTextWriterWriteAttribute(w, X("message"), X(c->message));
            ok |= xmlTextWriterWriteAttribute(w, X("type"), X(c->rule[0] != '\0' ? c->rule : "expectation"));
            ok |= xmlTextWriterWriteString(w, X(c->where)); /* file:line:column: message, whole */
            ok |= xmlTextWriterWriteString(w, X(": "));
            ok |= xmlTextWriterWriteString(w, X(c->message));
            ok |= xmlTextWriterEndElement(w);
        }
        ok |= xmlTextWriterEndElement(w);
    }
    ok |= xmlTextWriterEndElement(w);
    return ok < 0 ? -1 : 0;
}

static int junit_close(struct report *rep, struct core_error *err)
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
    size_t tests = 0, failures = 0;
    for (size_t i = 0; i < st->count; i++) {
        tests += st->suites[i].count;
        failures += st->suites[i].failed;
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
    ok |= xmlTextWriterWriteAttribute(w, X("errors"), X("0"));
    for (size_t i = 0; i < st->count && ok >= 0; i++)
        ok |= write_suite(w, &st->suites[i]);
    ok |= xmlTextWriterEndElement(w);
    ok |= xmlTextWriterEndDocument(w);
    /* Frees the writer and its output buffer (which does not close the caller's FILE). */
    xmlFreeTextWriter(w);
    if (ok < 0)
        rc = core_error_set(err, CORE_EIO, "", 0, 0, "report: the JUnit report could not be written");
    junit_free(st);
    return rc;
}

const struct report_ops report_junit_ops = {junit_open, junit_add, junit_close};
