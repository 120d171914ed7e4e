/*
 * junit.c: the report for CI, written with libxml2's xmlTextWriter on close (the <testsuites> element
 * carries the totals, so they must be known first; each run's results are copied when it is added).
 *
 * One <testsuite> per scenario file, named for the scenario, with the file and policy as properties (and the
 * population's generated residents, when the file has one: its `who: all` results are testcases); one
 * <testcase> per result, named "form:line" (an invariant: "invariant:line" at the resident's definition),
 * with <failure message="..." type="RULE">file:line:column: message</failure> when it failed. No times, no
 * host names, no timestamps: the same runs give the same bytes.
 */
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

struct junit_case {
    char name[64];
    char where[600]; /* file:line:column */
    char rule[16];
    char message[640];
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

static char *dup_str(const char *s)
{
    s = s != NULL ? s : "";
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

/* XML 1.0 cannot carry C0 control characters other than tab, newline and carriage return, not even as
 * character references: each is written as '?' so the report stays well-formed. */
static void xml_safe(char *s)
{
    for (; s != NULL && *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
            *s = '?';
}

static int junit_open(struct report *rep, struct core_error *err)
{
    rep->state = calloc(1, sizeof(struct junit_state));
    return rep->state != NULL ? CORE_OK : core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory");
}

static int junit_add(struct report *rep, const struct scenario *scn, const struct scenario_run_result *run,
                     struct core_error *err)
{
    struct junit_state *st = rep->state;
    struct junit_suite *suites = realloc(st->suites, (st->count + 1) * sizeof *suites);
    if (suites == NULL)
        return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory");
    st->suites = suites;
    struct junit_suite *s = &suites[st->count++];
    memset(s, 0, sizeof *s);
    s->file = dup_str(scn->file);
    s->name = dup_str(scn->name);
    s->policy = dup_str(scn->policy_ref);
    s->cases = run->count > 0 ? calloc(run->count, sizeof *s->cases) : NULL;
    if (s->file == NULL || s->name == NULL || s->policy == NULL || (run->count > 0 && s->cases == NULL))
        return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory");
    xml_safe(s->file);
    xml_safe(s->name);
    xml_safe(s->policy);
    s->count = run->count;
    s->population = run->population != NULL ? run->population->residents : -1;
    for (size_t i = 0; i < run->count; i++) {
        const struct scenario_result *r = &run->results[i];
        struct junit_case *c = &s->cases[i];
        report_result_name(r, c->name, sizeof c->name);
        snprintf(c->where, sizeof c->where, "%s:%d:%d", scn->file, r->pos.line, r->pos.column);
        snprintf(c->rule, sizeof c->rule, "%s", r->rule);
        snprintf(c->message, sizeof c->message, "%s", r->message);
        xml_safe(c->where);
        xml_safe(c->rule);
        xml_safe(c->message);
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
            char text[1300];
            snprintf(text, sizeof text, "%s: %s", c->where, c->message);
            ok |= xmlTextWriterStartElement(w, X("failure"));
            ok |= xmlTextWriterWriteAttribute(w, X("message"), X(c->message));
            ok |= xmlTextWriterWriteAttribute(w, X("type"), X(c->rule[0] != '\0' ? c->rule : "expectation"));
            ok |= xmlTextWriterWriteString(w, X(text));
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
