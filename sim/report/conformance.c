/*
 * conformance.c: the reports of a conformance run (`mynasim conform issuance` and `conform reception`,
 * docs/CONFORMANCE.md, "Reports and exit codes"): text for people, JSON for tools (jansson through the report's
 * JSON builder, sorted keys, a two-space indent) and JUnit XML for CI through junit.c's writer (one testsuite
 * per suite, one testcase per case; a wrong mailing, decision or request is a <failure>, a SUT failure an
 * <error>), so the project has one XML escaper. The cases are conform's (conform.h); their verdicts and exit
 * codes are conform's too: this file only prints them.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "conform/conform.h"
#include "report/report_int.h"

/* `s` as valid UTF-8 without control characters, each offending byte as '?', into out (cap > 0): a SUT's bytes
 * reach the reasons, and the text and JSON reports have always shown them so. `keep_ws`: newline and tab are
 * kept (the issuance reports). */
static const char *clean(const char *s, char *out, size_t cap, bool keep_ws)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && o + 1 < cap) {
        size_t n = *p < 0x80                           ? 1
                   : (*p & 0xE0) == 0xC0 && *p >= 0xC2 ? 2
                   : (*p & 0xF0) == 0xE0               ? 3
                   : (*p & 0xF8) == 0xF0 && *p <= 0xF4 ? 4
                                                       : 0;
        bool ok = n > 0 && o + n < cap;
        for (size_t k = 1; ok && k < n; k++)
            ok = (p[k] & 0xC0) == 0x80;
        if (ok && n == 3)
            ok = !(p[0] == 0xE0 && p[1] < 0xA0) && !(p[0] == 0xED && p[1] >= 0xA0);
        if (ok && n == 4)
            ok = !(p[0] == 0xF0 && p[1] < 0x90) && !(p[0] == 0xF4 && p[1] >= 0x90);
        if (ok && n == 1 && (*p < 0x20 || *p == 0x7F) && !(keep_ws && (*p == '\n' || *p == '\t')))
            ok = false;
        if (!ok) {
            out[o++] = '?';
            p++;
            continue;
        }
        memcpy(out + o, p, n);
        o += n;
        p += n;
    }
    out[o] = '\0';
    return out;
}

/* A JSON document whole, then a newline. */
static CORE_MUST_USE int dump(FILE *f, json_t *o)
{
    int rc = o != NULL && json_dumpf(o, f, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 && fputc('\n', f) != EOF
                 ? CORE_OK
                 : CORE_EIO;
    json_decref(o);
    return rc;
}

static CORE_MUST_USE int junit(FILE *f, struct report_junit_suite *s)
{
    struct core_error err;
    core_error_clear(&err);
    int rc = s->name != NULL && s->classname != NULL ? report_junit_write(f, s, 1, false, &err) : CORE_ENOMEM;
    report_junit_free(s, 1);
    return rc;
}

/* ==== issuance ==== */

static const char *verdict(const struct conform_case *c)
{
    return c->sut_failed ? "sut_failed" : c->ndiff ? "differs" : "match";
}

static void issuance_text(FILE *f, const struct conform_case *cases, size_t n)
{
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        const struct conform_case *c = &cases[i];
        char a[11], b[11];
        core_date_format(c->from, a);
        core_date_format(c->to, b);
        fprintf(f, "%s %s (%s, %s..%s): %ld days, engine %ld mailings, SUT %ld\n",
                c->sut_failed ? "ERROR"
                : c->ndiff    ? "FAIL "
                              : "ok   ",
                c->name, c->policy, a, b, c->days, c->engine_mailings, c->sut_mailings);
        for (size_t k = 0; k < c->ndiff; k++) {
            const struct conform_difference *d = &c->diffs[k];
            char day[11];
            core_date_format(d->day, day);
            fprintf(f, "  %s %s [%s] %s: %s\n", day, d->what, d->rule, d->who, d->why);
            if (d->expected[0])
                fprintf(f, "      engine: %s\n", d->expected);
            if (d->got[0])
                fprintf(f, "      SUT:    %s\n", d->got);
        }
        if (c->sut_failed) {
            char day[11] = "";
            if (c->failure_day != CORE_DAY_NONE)
                core_date_format(c->failure_day, day);
            fprintf(f, "  %s%s%s\n", day, day[0] ? ": " : "", c->failure);
        }
        ok += !c->sut_failed && c->ndiff == 0;
    }
    fprintf(f, "%zu of %zu cases match\n", ok, n);
}

static json_t *date_or_null(struct report_jb *b, core_day d)
{
    if (d == CORE_DAY_NONE)
        return json_null();
    char s[11];
    core_date_format(d, s);
    return report_jb_string(b, "a date", s);
}

static CORE_MUST_USE int issuance_json(FILE *f, const struct conform_case *cases, size_t n)
{
    struct report_jb b = {0};
    json_t *arr = report_jb_new(&b, "the cases", json_array());
    for (size_t i = 0; i < n; i++) {
        const struct conform_case *c = &cases[i];
        json_t *diffs = report_jb_new(&b, "the differences", json_array());
        for (size_t k = 0; k < c->ndiff; k++) {
            const struct conform_difference *d = &c->diffs[k];
            char who[sizeof d->who], why[sizeof d->why], got[sizeof d->got];
            report_jb_append(&b, "a difference", diffs,
                             REPORT_PACK(&b, "a difference", "{s:o, s:s, s:s, s:s, s:s, s:s, s:s}", "day",
                                         date_or_null(&b, d->day), "who",
                                         clean(d->who, who, sizeof who, true), "what", d->what, "rule",
                                         d->rule, "why", clean(d->why, why, sizeof why, true), "engine",
                                         d->expected, "sut", clean(d->got, got, sizeof got, true)));
        }
        char failure[sizeof c->failure];
        json_t *fail = c->sut_failed ? REPORT_PACK(&b, "a failure", "{s:o, s:s}", "day",
                                                   date_or_null(&b, c->failure_day), "why",
                                                   clean(c->failure, failure, sizeof failure, true))
                                     : json_null();
        report_jb_append(&b, "a case", arr,
                         REPORT_PACK(&b, "a case", "{s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:s, s:o, s:o}",
                                     "name", report_u8(&b, c->name), "file", report_u8(&b, c->file), "policy",
                                     report_u8(&b, c->policy), "from", date_or_null(&b, c->from), "to",
                                     date_or_null(&b, c->to), "days", (json_int_t)c->days, "engine_mailings",
                                     (json_int_t)c->engine_mailings, "sut_mailings",
                                     (json_int_t)c->sut_mailings, "verdict", verdict(c), "differences", diffs,
                                     "failure", fail));
    }
    json_t *o = REPORT_PACK(&b, "the report", "{s:s, s:o, s:i}", "suite", "issuance", "cases", arr, "exit",
                            conform_exit_code(cases, n));
    int code = b.code;
    report_jb_free(&b);
    if (code != CORE_OK) {
        json_decref(o);
        return code;
    }
    return dump(f, o);
}

static CORE_MUST_USE int issuance_junit(FILE *f, const struct conform_case *cases, size_t n)
{
    struct report_junit_suite *s = calloc(1, sizeof *s);
    if (s == NULL)
        return CORE_ENOMEM;
    s->name = report_xml_dup("conform.issuance");
    s->classname = report_xml_dup("conform.issuance");
    s->population = -1;
    s->cases = n > 0 ? calloc(n, sizeof *s->cases) : NULL;
    bool ok = n == 0 || s->cases != NULL;
    s->count = ok ? n : 0;
    for (size_t i = 0; ok && i < n; i++) {
        const struct conform_case *c = &cases[i];
        struct report_junit_case *t = &s->cases[i];
        char a[11], b[11];
        core_date_format(c->from, a);
        core_date_format(c->to, b);
        t->name = report_xml_printf("%s (%s)", c->name, c->policy);
        t->passed = !c->sut_failed && c->ndiff == 0;
        t->error = c->sut_failed;
        s->errors += c->sut_failed;
        s->failed += !c->sut_failed && c->ndiff > 0;
        size_t len = 0;
        char *body = NULL;
        FILE *m = open_memstream(&body, &len);
        if (m != NULL) {
            fprintf(m, "%s (%s, %s..%s): %ld days, engine %ld mailings, SUT %ld\n", c->name, c->policy, a, b,
                    c->days, c->engine_mailings, c->sut_mailings);
            for (size_t k = 0; k < c->ndiff; k++) {
                const struct conform_difference *d = &c->diffs[k];
                char day[11];
                core_date_format(d->day, day);
                fprintf(m, "%s %s [%s] %s: %s\n", day, d->what, d->rule, d->who, d->why);
            }
            if (c->sut_failed) {
                char day[11] = "";
                if (c->failure_day != CORE_DAY_NONE)
                    core_date_format(c->failure_day, day);
                fprintf(m, "%s%s%s\n", day, day[0] ? ": " : "", c->failure);
            }
            ok = fclose(m) == 0;
        } else
            ok = false;
        t->out = ok ? report_xml_dup(body) : NULL;
        free(body);
        if (c->sut_failed)
            t->message = report_xml_dup(c->failure);
        else if (c->ndiff > 0)
            t->message = report_xml_printf("%zu differences", c->ndiff);
        else
            t->message = report_xml_dup("");
        t->rule = report_xml_dup(c->sut_failed ? "sut_failed" : c->ndiff > 0 ? c->diffs[0].rule : "");
        ok = ok && t->name != NULL && t->out != NULL && t->message != NULL && t->rule != NULL;
    }
    if (!ok) {
        report_junit_free(s, 1);
        return CORE_ENOMEM;
    }
    return junit(f, s);
}

int report_conform_issuance(FILE *f, enum report_format format, const struct conform_case *cases, size_t n)
{
    switch (format) {
    case REPORT_TEXT:
        issuance_text(f, cases, n);
        return ferror(f) ? CORE_EIO : CORE_OK;
    case REPORT_JSON:
        return issuance_json(f, cases, n);
    case REPORT_JUNIT:
        return issuance_junit(f, cases, n);
    case REPORT_HTML:
        break;
    }
    return CORE_EINVAL;
}

/* ==== reception ==== */

static const char *const verdicts[] = {"pass", "fail", "sut_failed"};

static void reception_text(FILE *f, const struct conform_visit *v, size_t n)
{
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        const struct conform_visit *c = &v[i];
        char day[11], got[sizeof c->got], why[sizeof c->why];
        core_date_format(c->day, day);
        fprintf(f, "%s %s %s:%d (%s) %s %s, %s: %s\n",
                c->verdict == CONFORM_PASS   ? "ok   "
                : c->verdict == CONFORM_FAIL ? "FAIL "
                                             : "ERROR",
                c->visit, c->file, c->line, c->policy, day, c->who, c->presents, c->expected);
        if (c->verdict != CONFORM_PASS) {
            fprintf(f, "  [%s] %s\n", c->rule, clean(c->why, why, sizeof why, false));
            if (c->got[0])
                fprintf(f, "      SUT: %s\n", clean(c->got, got, sizeof got, false));
        }
        ok += c->verdict == CONFORM_PASS;
    }
    fprintf(f, "%zu of %zu cases pass\n", ok, n);
}

static CORE_MUST_USE int reception_json(FILE *f, const struct conform_visit *v, size_t n)
{
    struct report_jb b = {0};
    json_t *arr = report_jb_new(&b, "the cases", json_array());
    for (size_t i = 0; i < n; i++) {
        const struct conform_visit *c = &v[i];
        char day[11], got[sizeof c->got], why[sizeof c->why];
        core_date_format(c->day, day);
        bool pass = c->verdict == CONFORM_PASS;
        report_jb_append(
            &b, "a case", arr,
            REPORT_PACK(
                &b, "a case", "{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I}",
                "visit", report_u8(&b, c->visit), "name", report_u8(&b, c->name), "file",
                report_u8(&b, c->file), "line", c->line, "policy", report_u8(&b, c->policy), "date", day,
                "who", report_u8(&b, c->who), "presents", c->presents, "verdict", verdicts[c->verdict],
                "expected", report_u8(&b, c->expected), "got", clean(c->got, got, sizeof got, false), "rule",
                pass ? json_null() : report_jb_string(&b, "a rule", c->rule), "why",
                pass ? json_null() : report_jb_string(&b, "a reason", clean(c->why, why, sizeof why, false)),
                "requests", (json_int_t)c->requests));
    }
    json_t *o = REPORT_PACK(&b, "the report", "{s:s, s:o, s:i}", "suite", "reception", "cases", arr, "exit",
                            conform_reception_exit_code(v, n));
    int code = b.code;
    report_jb_free(&b);
    if (code != CORE_OK) {
        json_decref(o);
        return code;
    }
    return dump(f, o);
}

static CORE_MUST_USE int reception_junit(FILE *f, const struct conform_visit *v, size_t n)
{
    struct report_junit_suite *s = calloc(1, sizeof *s);
    if (s == NULL)
        return CORE_ENOMEM;
    s->name = report_xml_dup("conform.reception");
    s->classname = report_xml_dup("conform.reception");
    s->population = -1;
    s->cases = n > 0 ? calloc(n, sizeof *s->cases) : NULL;
    bool ok = n == 0 || s->cases != NULL;
    s->count = ok ? n : 0;
    for (size_t i = 0; ok && i < n; i++) {
        const struct conform_visit *c = &v[i];
        struct report_junit_case *t = &s->cases[i];
        char day[11];
        core_date_format(c->day, day);
        bool pass = c->verdict == CONFORM_PASS;
        t->name = report_xml_printf("%s %s:%d (%s)", c->visit, c->file, c->line, c->policy);
        t->passed = pass;
        t->error = c->verdict == CONFORM_SUT_ERR;
        s->errors += c->verdict == CONFORM_SUT_ERR;
        s->failed += c->verdict == CONFORM_FAIL;
        t->message = pass ? report_xml_dup("") : report_xml_printf("[%s] %s", c->rule, c->why);
        t->rule = report_xml_dup(pass ? "" : c->rule);
        t->out =
            report_xml_printf("%s %s, %s: %s%s%s%s%s\n", day, c->who, c->presents, c->expected,
                              pass ? "" : "\n[", pass ? "" : c->rule, pass ? "" : "] ", pass ? "" : c->why);
        if (t->out != NULL && c->got[0] != '\0') {
            char *o = report_xml_printf("%sSUT: %s\n", t->out, c->got);
            free(t->out);
            t->out = o;
        }
        ok = t->name != NULL && t->out != NULL && t->message != NULL && t->rule != NULL;
    }
    if (!ok) {
        report_junit_free(s, 1);
        return CORE_ENOMEM;
    }
    return junit(f, s);
}

int report_conform_reception(FILE *f, enum report_format format, const struct conform_visit *v, size_t n)
{
    switch (format) {
    case REPORT_TEXT:
        reception_text(f, v, n);
        return ferror(f) ? CORE_EIO : CORE_OK;
    case REPORT_JSON:
        return reception_json(f, v, n);
    case REPORT_JUNIT:
        return reception_junit(f, v, n);
    case REPORT_HTML:
        break;
    }
    return CORE_EINVAL;
}
