/*
 * The reports of a conformance run (conform.h): text for people, JSON for tools (jansson, sorted keys) and
 * JUnit XML for CI (one testsuite, one testcase per case; a difference is a failure, a SUT failure an error).
 * Kept in sim/conform rather than sim/report: report sits below cli beside conform, and its run reports keep
 * their own shape (docs/CONFORMANCE.md, Reports).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "conform/conform.h"

/* `s` as valid UTF-8 without control characters (a SUT's bytes reach the reasons: JSON and XML take neither
 * invalid UTF-8 nor most control characters): each offending byte becomes '?'. Written into out (cap > 0). */
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
        if (ok && n == 1 && (*p < 0x20 || *p == 0x7F) && *p != '\n' && *p != '\t')
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

int conform_exit_code(const struct conform_case *cases, size_t n)
{
    int code = CONFORM_EXIT_MATCH;
    for (size_t i = 0; i < n; i++) {
        if (cases[i].sut_failed)
            return CONFORM_EXIT_SUT;
        if (cases[i].ndiff > 0)
            code = CONFORM_EXIT_DIFFER;
    }
    return code;
}

static const char *verdict(const struct conform_case *c)
{
    return c->sut_failed ? "sut_failed" : c->ndiff ? "differs" : "match";
}

static void report_text(FILE *f, const struct conform_case *cases, size_t n)
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

static json_t *date_or_null(core_day d)
{
    if (d == CORE_DAY_NONE)
        return json_null();
    char b[11];
    core_date_format(d, b);
    return json_string(b);
}

static int report_json(FILE *f, const struct conform_case *cases, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct conform_case *c = &cases[i];
        json_t *diffs = json_array();
        for (size_t k = 0; k < c->ndiff; k++) {
            const struct conform_difference *d = &c->diffs[k];
            char who[sizeof d->who], why[sizeof d->why], got[sizeof d->got];
            json_array_append_new(diffs, json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:s}", "day",
                                                   date_or_null(d->day), "who",
                                                   clean(d->who, who, sizeof who), "what", d->what, "rule",
                                                   d->rule, "why", clean(d->why, why, sizeof why), "engine",
                                                   d->expected, "sut", clean(d->got, got, sizeof got)));
        }
        char failure[sizeof c->failure];
        json_array_append_new(
            arr, json_pack("{s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:s, s:o, s:o}", "name", c->name, "file",
                           c->file, "policy", c->policy, "from", date_or_null(c->from), "to",
                           date_or_null(c->to), "days", (json_int_t)c->days, "engine_mailings",
                           (json_int_t)c->engine_mailings, "sut_mailings", (json_int_t)c->sut_mailings,
                           "verdict", verdict(c), "differences", diffs, "failure",
                           c->sut_failed ? json_pack("{s:o, s:s}", "day", date_or_null(c->failure_day), "why",
                                                     clean(c->failure, failure, sizeof failure))
                                         : json_null()));
    }
    json_t *o =
        json_pack("{s:s, s:o, s:i}", "suite", "issuance", "cases", arr, "exit", conform_exit_code(cases, n));
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

static void report_junit(FILE *f, const struct conform_case *cases, size_t n)
{
    size_t failures = 0, errors = 0;
    for (size_t i = 0; i < n; i++) {
        errors += cases[i].sut_failed;
        failures += !cases[i].sut_failed && cases[i].ndiff > 0;
    }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(
        f,
        "<testsuites><testsuite name=\"conform.issuance\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
        n, failures, errors);
    for (size_t i = 0; i < n; i++) {
        const struct conform_case *c = &cases[i];
        fputs("  <testcase classname=\"conform.issuance\" name=\"", f);
        xml_text(f, c->name);
        fputs(" (", f);
        xml_text(f, c->policy);
        fputs(")\">\n", f);
        if (c->sut_failed) {
            fputs("    <error message=\"", f);
            xml_text(f, c->failure);
            fputs("\"/>\n", f);
        } else if (c->ndiff > 0) {
            fprintf(f, "    <failure message=\"%zu differences\">", c->ndiff);
            for (size_t k = 0; k < c->ndiff; k++) {
                const struct conform_difference *d = &c->diffs[k];
                char day[11];
                core_date_format(d->day, day);
                fprintf(f, "%s %s [%s] %s: ", day, d->what, d->rule, d->who);
                xml_text(f, d->why);
                fputc('\n', f);
            }
            fputs("</failure>\n", f);
        }
        fputs("  </testcase>\n", f);
    }
    fputs("</testsuite></testsuites>\n", f);
}

int conform_report(FILE *f, enum conform_format format, const struct conform_case *cases, size_t n)
{
    if (format == CONFORM_JSON)
        return report_json(f, cases, n);
    if (format == CONFORM_JUNIT)
        report_junit(f, cases, n);
    else
        report_text(f, cases, n);
    return ferror(f) ? CORE_EIO : CORE_OK;
}
