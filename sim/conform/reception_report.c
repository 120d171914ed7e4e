/*
 * The reports of a reception run (conform.h): text for people (one line per case, the failure's rule and
 * reason under it), JSON for tools (jansson, sorted keys) and JUnit XML for CI (one testcase per visit; a wrong
 * decision or request is a failure, a SUT that did not decide an error). Like the issuance reports, kept in
 * sim/conform (docs/CONFORMANCE.md, Reports).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "conform/conform.h"

/* Each byte that is not valid UTF-8 or is a control character becomes '?' (a SUT's bytes reach `got`). */
static const char *clean(const char *s, char *out, size_t cap)
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
        if (ok && n == 1 && (*p < 0x20 || *p == 0x7F))
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

static const char *const verdicts[] = {"pass", "fail", "sut_failed"};

int conform_reception_exit_code(const struct conform_visit *v, size_t n)
{
    int code = CONFORM_EXIT_MATCH;
    for (size_t i = 0; i < n; i++) {
        if (v[i].verdict == CONFORM_SUT_ERR)
            return CONFORM_EXIT_SUT;
        if (v[i].verdict == CONFORM_FAIL)
            code = CONFORM_EXIT_DIFFER;
    }
    return code;
}

static void report_text(FILE *f, const struct conform_visit *v, size_t n)
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
            fprintf(f, "  [%s] %s\n", c->rule, clean(c->why, why, sizeof why));
            if (c->got[0])
                fprintf(f, "      SUT: %s\n", clean(c->got, got, sizeof got));
        }
        ok += c->verdict == CONFORM_PASS;
    }
    fprintf(f, "%zu of %zu cases pass\n", ok, n);
}

static CORE_MUST_USE int report_json(FILE *f, const struct conform_visit *v, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct conform_visit *c = &v[i];
        char day[11], got[sizeof c->got], why[sizeof c->why];
        core_date_format(c->day, day);
        json_array_append_new(
            arr,
            json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I}", "visit",
                      c->visit, "name", c->name, "file", c->file, "line", c->line, "policy", c->policy,
                      "date", day, "who", c->who, "presents", c->presents, "verdict", verdicts[c->verdict],
                      "expected", c->expected, "got", clean(c->got, got, sizeof got), "rule",
                      c->verdict == CONFORM_PASS ? json_null() : json_string(c->rule), "why",
                      c->verdict == CONFORM_PASS ? json_null() : json_string(clean(c->why, why, sizeof why)),
                      "requests", (json_int_t)c->requests));
    }
    json_t *o = json_pack("{s:s, s:o, s:i}", "suite", "reception", "cases", arr, "exit",
                          conform_reception_exit_code(v, n));
    int rc =
        json_dumpf(o, f, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 && fputc('\n', f) != EOF ? CORE_OK : CORE_EIO;
    json_decref(o);
    return rc;
}

static void xml_text(FILE *f, const char *text)
{
    char buf[512];
    for (const char *s = clean(text, buf, sizeof buf); *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static void report_junit(FILE *f, const struct conform_visit *v, size_t n)
{
    size_t failures = 0, errors = 0;
    for (size_t i = 0; i < n; i++) {
        errors += v[i].verdict == CONFORM_SUT_ERR;
        failures += v[i].verdict == CONFORM_FAIL;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(
        f,
        "<testsuites><testsuite name=\"conform.reception\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
        n, failures, errors);
    for (size_t i = 0; i < n; i++) {
        const struct conform_visit *c = &v[i];
        fprintf(f, "  <testcase classname=\"conform.reception\" name=\"%s ", c->visit);
        xml_text(f, c->file);
        fprintf(f, ":%d (", c->line);
        xml_text(f, c->policy);
        fputs(")\">\n", f);
        if (c->verdict != CONFORM_PASS) {
            fputs(c->verdict == CONFORM_FAIL ? "    <failure message=\"[" : "    <error message=\"[", f);
            xml_text(f, c->rule);
            fputs("] ", f);
            xml_text(f, c->why);
            fputs("\"/>\n", f);
        }
        fputs("  </testcase>\n", f);
    }
    fputs("</testsuite></testsuites>\n", f);
}

int conform_reception_report(FILE *f, enum conform_format format, const struct conform_visit *v, size_t n)
{
    if (format == CONFORM_JSON)
        return report_json(f, v, n);
    if (format == CONFORM_JUNIT)
        report_junit(f, v, n);
    else
        report_text(f, v, n);
    return ferror(f) ? CORE_EIO : CORE_OK;
}
