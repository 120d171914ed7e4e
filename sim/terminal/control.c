/*
 * The control endpoint's bodies (terminal.h; docs/TERMINAL.md, "Control"): JSON objects read with jansson,
 * strictly — every field known, each of its type, every word one of the scenario's (docs/SCENARIO-FORMAT.md,
 * Vocabulary and Faults) — so a runner's mistake is a 400 naming the field, never a session run otherwise than
 * asked. The HTTP side (sizes, methods, loopback) is the command's (sim/cli/cmd_terminal.c).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "terminal/terminal.h"

static int why_set(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int why_set(char *why, size_t cap, const char *fmt, ...)
{
    if (why != NULL && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return CORE_EINVAL;
}

/* The object of a body; NULL with why set. */
static json_t *load_object(const char *body, size_t len, char *why, size_t cap)
{
    if (body == NULL || len > TERMINAL_CONTROL_BODY_MAX) {
        why_set(why, cap, "the body is larger than %d bytes", TERMINAL_CONTROL_BODY_MAX);
        return NULL;
    }
    json_error_t e;
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    if (!json_is_object(doc)) {
        json_decref(doc);
        why_set(why, cap, "the body is not a JSON object");
        return NULL;
    }
    return doc;
}

/* The index of word `s` in `words` (NULL-terminated), or -1. */
static int word_index(const char *const *words, const char *s)
{
    for (int i = 0; words[i] != NULL; i++)
        if (strcmp(words[i], s) == 0)
            return i;
    return -1;
}

/* A list of distinct words of `words` as a bit set, skipping the words `allowed` leaves out. */
static CORE_MUST_USE int word_set(const json_t *v, const char *field, const char *const *words,
                                  unsigned allowed, unsigned *out, char *why, size_t cap)
{
    *out = 0;
    if (!json_is_array(v))
        return why_set(why, cap, "field '%s': expected a list of words", field);
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *w = json_array_get(v, i);
        int k = json_is_string(w) && strlen(json_string_value(w)) == json_string_length(w)
                    ? word_index(words, json_string_value(w))
                    : -1;
        if (k < 0 || (allowed & (1u << (unsigned)k)) == 0)
            return why_set(why, cap, "field '%s': item %zu is not one of its words (docs/TERMINAL.md)", field,
                           i + 1);
        if (*out & (1u << (unsigned)k))
            return why_set(why, cap, "field '%s': '%s' is listed twice", field, words[k]);
        *out |= 1u << (unsigned)k;
    }
    return CORE_OK;
}

static bool id_chars(const char *s, size_t len, size_t max, bool underscore)
{
    if (len == 0 || len > max)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
              (underscore && c == '_') || (underscore && c == '.')))
            return false;
    }
    return true;
}

int terminal_present_parse(const char *body, size_t len, struct terminal_present_body *out, char *why,
                           size_t cap)
{
    if (out == NULL)
        return why_set(why, cap, "missing argument");
    memset(out, 0, sizeof *out);
    out->kind = SCENARIO_VISIT_FIRST;
    json_t *doc = load_object(body, len, why, cap);
    if (doc == NULL)
        return CORE_EINVAL;
    static const char *const docs[] = {"paper_card", "card", "certificate", "notice", "portal", NULL};
    static const char *const faults[] = {SCENARIO_FAULTS(SCENARIO_WORD) NULL};
    static const char *const kinds[] = {"first", "revisit", "dispensing", NULL};
    _Static_assert(SCENARIO_DOC_PAPER_CARD == 0 && SCENARIO_DOC_CARD == 1 && SCENARIO_DOC_CERTIFICATE == 2 &&
                       SCENARIO_DOC_NOTICE == 3 && SCENARIO_DOC_PORTAL == 4,
                   "docs[] follows enum scenario_document");
    _Static_assert(SCENARIO_VISIT_FIRST == 0 && SCENARIO_VISIT_REVISIT == 1 && SCENARIO_VISIT_DISPENSING == 2,
                   "kinds[] follows enum scenario_visit_kind");
    int rc = CORE_OK;
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        if (rc != CORE_OK)
            break;
        if (strcmp(key, "resident") == 0) {
            if (!json_is_string(v) ||
                !id_chars(json_string_value(v), json_string_length(v), SCENARIO_ID_MAX - 1, true))
                rc = why_set(why, cap, "field 'resident': expected a resident's id");
            else
                memcpy(out->resident, json_string_value(v), json_string_length(v) + 1);
        } else if (strcmp(key, "bring") == 0) {
            /* The portal is no thing to bring: it follows from a registered card. */
            unsigned allowed =
                SCENARIO_DOC_BIT(SCENARIO_DOC_PAPER_CARD) | SCENARIO_DOC_BIT(SCENARIO_DOC_CARD) |
                SCENARIO_DOC_BIT(SCENARIO_DOC_CERTIFICATE) | SCENARIO_DOC_BIT(SCENARIO_DOC_NOTICE);
            rc = word_set(v, "bring", docs, allowed, &out->bring, why, cap);
            out->bring_given = rc == CORE_OK;
        } else if (strcmp(key, "faults") == 0) {
            rc = word_set(v, "faults", faults, (1u << SCENARIO_FAULT_COUNT) - 1u, &out->faults, why, cap);
        } else if (strcmp(key, "pin") == 0) {
            size_t n = json_is_string(v) ? json_string_length(v) : 0;
            const char *s = json_is_string(v) ? json_string_value(v) : "";
            if (json_is_string(v) && strcmp(s, "face") == 0 && n == 4) {
                out->pin_given = false;
            } else if (n >= 4 && n <= TERMINAL_PIN_MAX && strspn(s, "0123456789") == n) {
                out->pin_given = true;
                memcpy(out->pin, s, n + 1);
            } else {
                rc = why_set(why, cap,
                             "field 'pin': expected the PIN typed (4 to %d digits, a string) or \"face\"",
                             TERMINAL_PIN_MAX);
            }
        } else if (strcmp(key, "visit") == 0) {
            if (!json_is_string(v) ||
                !id_chars(json_string_value(v), json_string_length(v), ELIGIBILITY_FACE_VISIT_MAX, false))
                rc = why_set(why, cap, "field 'visit': expected an id of 1 to %d letters, digits or '-'",
                             ELIGIBILITY_FACE_VISIT_MAX);
            else {
                out->visit_given = true;
                memcpy(out->visit, json_string_value(v), json_string_length(v) + 1);
            }
        } else if (strcmp(key, "kind") == 0) {
            int k = json_is_string(v) ? word_index(kinds, json_string_value(v)) : -1;
            if (k < 0)
                rc = why_set(why, cap, "field 'kind': expected first, revisit or dispensing");
            else {
                out->kind_given = true;
                out->kind = (enum scenario_visit_kind)k;
            }
        } else {
            rc = why_set(why, cap,
                         "field '%.40s': not a field of /control/present (resident, bring, faults, "
                         "pin, visit, kind)",
                         key);
        }
    }
    if (rc == CORE_OK && out->resident[0] == '\0')
        rc = why_set(why, cap, "field 'resident': missing");
    json_decref(doc);
    return rc;
}

int terminal_time_parse(const char *body, size_t len, struct terminal_time_body *out, char *why, size_t cap)
{
    if (out == NULL)
        return why_set(why, cap, "missing argument");
    memset(out, 0, sizeof *out);
    out->day = CORE_DAY_NONE;
    json_t *doc = load_object(body, len, why, cap);
    if (doc == NULL)
        return CORE_EINVAL;
    int rc = CORE_OK;
    const json_t *d = json_object_get(doc, "date");
    if (json_object_size(doc) != 1 || d == NULL) {
        rc = why_set(why, cap, "field 'date': expected the one field date");
    } else if (json_is_null(d)) {
        out->clock = true;
    } else if (!json_is_string(d)) {
        rc = why_set(why, cap, "field 'date': expected \"YYYY-MM-DD\", \"YYYY-MM-DDThh:mm\" or null");
    } else {
        const char *s = json_string_value(d);
        size_t n = json_string_length(d);
        if (n == 10 && core_date_parse(s, n, &out->day) == CORE_OK) {
            out->time_given = false;
        } else if (n > 10 && core_time_parse_japan(s, n, &out->at) == CORE_OK) {
            out->time_given = true;
            out->day = core_date_from_time((time_t)out->at);
        } else {
            rc = why_set(
                why, cap,
                "field 'date': expected \"YYYY-MM-DD\", \"YYYY-MM-DDThh:mm\" or \"YYYY-MM-DDThh:mm:ss\" "
                "(Japan time) or null");
        }
    }
    json_decref(doc);
    return rc;
}
