/*
 * The scenario reader: a YAML tree (sim/core/yaml.c) → a validated `struct scenario` (scenario.h).
 *
 * It reads in passes, because a file may name a resident before defining it (`of:`) and because every problem
 * is worth reporting, not only the first:
 *   1. the document: YAML syntax, then `format` (a newer format stops everything: its keys would all look
 *      unknown), then every top-level key;
 *   2. the setting: insurers, clinics, residents, each field typed where it stands; ids collected;
 *   3. references: sorted id tables (duplicates found there), `of`, insurers, clinics, `who`;
 *   4. the starting state's rules (docs/RULES.md) and the timeline: dates inside the period, events in date order,
 *      nobody acting before birth.
 * A node that is wrong is reported once and then left out, so one mistake does not cascade into many.
 *
 * Every value lives in one arena owned by the scenario, so scenario_free is one walk over the arena's blocks
 * plus the policies. Problems are capped (SCENARIO_DIAGS_MAX) and sorted by position at the end, so the
 * output reads top to bottom whatever pass found each problem.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"

/* ---- diagnostics ------------------------------------------------------------------------------------- */

void scenario_diags_init(struct scenario_diags *d)
{
    memset(d, 0, sizeof *d);
}

void scenario_diags_clear(struct scenario_diags *d)
{
    if (d == NULL)
        return;
    free(d->items);
    scenario_diags_init(d);
}

static void diags_push(struct scenario_diags *d, const struct core_error *e)
{
    if (d->count >= SCENARIO_DIAGS_MAX) {
        d->omitted++;
        return;
    }
    if (d->count == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 8;
        if (ncap > SCENARIO_DIAGS_MAX)
            ncap = SCENARIO_DIAGS_MAX;
        struct core_error *grown = realloc(d->items, ncap * sizeof *grown);
        if (grown == NULL) {
            d->omitted++;
            return;
        }
        d->items = grown;
        d->cap = ncap;
    }
    d->items[d->count++] = *e;
}

/* Stable insertion sort by position: at most SCENARIO_DIAGS_MAX items, and stability keeps two problems of
 * one node in the order they were found. */
static void diags_sort(struct scenario_diags *d)
{
    for (size_t i = 1; i < d->count; i++) {
        struct core_error e = d->items[i];
        size_t j = i;
        while (j > 0 && (d->items[j - 1].line > e.line ||
                         (d->items[j - 1].line == e.line && d->items[j - 1].column > e.column))) {
            d->items[j] = d->items[j - 1];
            j--;
        }
        d->items[j] = e;
    }
}

/* ---- arena ------------------------------------------------------------------------------------------- */

struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

struct arena {
    struct arena_block *head;
};

static void *arena_alloc(struct arena *a, size_t size)
{
    size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    struct arena_block *b = a->head;
    if (b == NULL || b->cap - b->used < size) {
        size_t cap = size > 65536 ? size : 65536;
        b = malloc(sizeof *b + cap);
        if (b == NULL)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

static void arena_free(struct arena *a)
{
    if (a == NULL)
        return;
    struct arena_block *b = a->head;
    while (b != NULL) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

/* ---- the reader -------------------------------------------------------------------------------------- */

struct id_entry {
    const char *id;
    int index;
};

struct id_table {
    struct id_entry *entries;
    size_t count;
};

struct resident_refs {
    const struct core_yaml_node *self, *insurer, *of, *paper_card, *card, *registered, *holds, *born,
        *my_number, *insured_since;
};

struct reader {
    const struct core_yaml_doc *doc;
    struct scenario *s;
    struct scenario_diags *diags;
    struct arena *arena;
    bool oom;
    struct id_table insurers, clinics, residents;
    struct resident_refs *rrefs; /* per resident, for pass 3 and 4 */
    const char *policy_given;    /* replaces the file's policy (scenario_load_file_with_policy); or NULL */
};

static void problem(struct reader *r, const struct core_yaml_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct reader *r, const struct core_yaml_node *n, const char *fmt, ...)
{
    struct core_error e;
    va_list ap;
    va_start(ap, fmt);
    core_error_vset(&e, CORE_EINVAL, r->doc->file, n != NULL ? n->line : 0, n != NULL ? n->column : 0, fmt,
                    ap);
    va_end(ap);
    diags_push(r->diags, &e);
}

/* Records a getter's failure; true when rc is CORE_OK. */
static bool checked(struct reader *r, int rc, const struct core_error *e)
{
    if (rc == CORE_OK)
        return true;
    diags_push(r->diags, e);
    return false;
}

static void *alloc(struct reader *r, size_t size)
{
    void *p = arena_alloc(r->arena, size);
    if (p == NULL)
        r->oom = true;
    return p;
}

static void *alloc_array(struct reader *r, size_t n, size_t size)
{
    if (n != 0 && size > SIZE_MAX / n) {
        r->oom = true;
        return NULL;
    }
    return alloc(r, n * size);
}

static const char *dup_text(struct reader *r, const char *s, size_t len)
{
    char *p = alloc(r, len + 1);
    if (p == NULL)
        return "";
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

static struct scenario_pos pos_of(const struct core_yaml_node *n)
{
    struct scenario_pos p = {0, 0};
    if (n != NULL) {
        p.line = n->line;
        p.column = n->column;
    }
    return p;
}

static const char *word_list(const char *const *words, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; words[i] != NULL; i++) {
        int n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", words[i]);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
    return buf;
}

static bool scalar_is(const struct core_yaml_node *n, const char *word)
{
    return n != NULL && n->kind == CORE_YAML_SCALAR && n->len == strlen(word) &&
           memcmp(n->value, word, n->len) == 0;
}

/* Every unknown key of a mapping (core_yaml_check_keys stops at the first). False when `map` is not a
 * mapping, which is reported as `what` expected. */
static bool check_map(struct reader *r, const struct core_yaml_node *map, const char *what,
                      const char *const *allowed)
{
    if (map == NULL || map->kind != CORE_YAML_MAP) {
        problem(r, map, "%s: expected a mapping, found %s", what,
                map == NULL                  ? "nothing"
                : map->kind == CORE_YAML_SEQ ? "a list"
                                             : "a single value");
        return false;
    }
    for (size_t i = 0; i < map->count; i++) {
        bool ok = false;
        for (const char *const *a = allowed; *a != NULL && !ok; a++)
            ok = scalar_is(map->keys[i], *a);
        if (!ok) {
            char list[600];
            problem(r, map->keys[i], "unknown key '%s' in %s (expected one of: %s)", map->keys[i]->value,
                    what, word_list(allowed, list, sizeof list));
        }
    }
    return true;
}

static bool need_list(struct reader *r, const struct core_yaml_node *n, const char *field)
{
    if (n->kind == CORE_YAML_SEQ)
        return true;
    problem(r, n, "field '%s': expected a list, found %s", field,
            n->kind == CORE_YAML_MAP ? "a mapping" : "a single value");
    return false;
}

/* A list of at most `max` entries (the reader's limits, scenario.h). */
static bool need_list_max(struct reader *r, const struct core_yaml_node *n, const char *field, size_t max)
{
    if (!need_list(r, n, field))
        return false;
    if (n->count <= max)
        return true;
    problem(r, n,
            "field '%s': %zu entries, more than the reader's limit of %zu (docs/SCENARIO-FORMAT.md, Limits)",
            field, n->count, max);
    return false;
}

static const struct core_yaml_node *required(struct reader *r, const struct core_yaml_node *map,
                                             const char *key, const char *what)
{
    const struct core_yaml_node *v = core_yaml_get(map, key);
    if (v == NULL)
        problem(r, map, "%s: missing field '%s'", what, key);
    return v;
}

static bool get_date(struct reader *r, const struct core_yaml_node *n, const char *field, core_day *out)
{
    struct core_error e;
    return checked(r, core_yaml_date(r->doc, n, field, out, &e), &e);
}

static bool get_int(struct reader *r, const struct core_yaml_node *n, const char *field, long long min,
                    long long max, long long *out)
{
    struct core_error e;
    return checked(r, core_yaml_int(r->doc, n, field, min, max, out, &e), &e);
}

static bool get_bool(struct reader *r, const struct core_yaml_node *n, const char *field, bool *out)
{
    struct core_error e;
    return checked(r, core_yaml_bool(r->doc, n, field, out, &e), &e);
}

static bool get_enum(struct reader *r, const struct core_yaml_node *n, const char *field,
                     const char *const *words, int *out)
{
    struct core_error e;
    return checked(r, core_yaml_enum(r->doc, n, field, words, out, &e), &e);
}

static bool get_digits(struct reader *r, const struct core_yaml_node *n, const char *field, size_t min_len,
                       size_t max_len, char *out, size_t cap)
{
    struct core_error e;
    return checked(r, core_yaml_digits(r->doc, n, field, min_len, max_len, out, cap, &e), &e);
}

/* Text of at most `max` bytes, kept in the arena. */
static bool get_text(struct reader *r, const struct core_yaml_node *n, const char *field, size_t max,
                     const char **out)
{
    if (n == NULL || n->kind != CORE_YAML_SCALAR) {
        problem(r, n, "field '%s': expected text, found %s", field,
                n == NULL                  ? "nothing"
                : n->kind == CORE_YAML_MAP ? "a mapping"
                                           : "a list");
        return false;
    }
    if (memchr(n->value, '\0', n->len) != NULL) {
        problem(r, n, "field '%s': contains a NUL character", field);
        return false;
    }
    if (n->len > max) {
        problem(r, n, "field '%s': too long (%zu bytes, at most %zu)", field, n->len, max);
        return false;
    }
    *out = dup_text(r, n->value, n->len);
    return true;
}

/* A period {from, to} with from <= to. */
static bool get_period(struct reader *r, const struct core_yaml_node *n, const char *field,
                       struct scenario_period *out)
{
    static const char *const keys[] = {"from", "to", NULL};
    char what[64];
    snprintf(what, sizeof what, "field '%s'", field);
    if (!check_map(r, n, what, keys))
        return false;
    const struct core_yaml_node *from = required(r, n, "from", what), *to = required(r, n, "to", what);
    bool ok = from != NULL && to != NULL;
    ok = from != NULL && get_date(r, from, "from", &out->from) && ok;
    ok = to != NULL && get_date(r, to, "to", &out->to) && ok;
    if (ok && out->to < out->from) {
        problem(r, to, "field '%s': 'to' is before 'from'", field);
        ok = false;
    }
    out->pos = pos_of(n);
    return ok;
}

/* A list of periods into an arena array; bad items are dropped. */
static void get_periods(struct reader *r, const struct core_yaml_node *n, const char *field,
                        struct scenario_period **out, size_t *count)
{
    *count = 0;
    if (!need_list(r, n, field))
        return;
    *out = alloc_array(r, n->count, sizeof **out);
    if (*out == NULL)
        return;
    for (size_t i = 0; i < n->count; i++)
        if (get_period(r, n->items[i], field, &(*out)[*count]))
            ++*count;
}

static const char *fmt_day(core_day d, char buf[11])
{
    core_date_format(d, buf);
    return buf;
}

/* True when the day is inside the scenario's period; reports it otherwise. */
static bool in_period(struct reader *r, const struct core_yaml_node *n, const char *what, core_day d)
{
    const struct scenario *s = r->s;
    if (s->period.from == CORE_DAY_NONE || (d >= s->period.from && d <= s->period.to))
        return true;
    char a[11], b[11], c[11];
    problem(r, n, "%s %s is outside the period %s..%s", what, fmt_day(d, a), fmt_day(s->period.from, b),
            fmt_day(s->period.to, c));
    return false;
}

/* ---- vocabulary -------------------------------------------------------------------------------------- */

static const char *const document_words[] = {"paper_card", "card", "certificate", "notice", "portal", NULL};
static const char *const insurer_kind_words[] = {"nhi",    "latter_elderly", "society",
                                                 "kyokai", "mutual_aid",     NULL};
static const char *const reader_words[] = {"face", "pin", "none", NULL};
static const char *const role_words[] = {"insured", "dependent", NULL};
static const char *const income_words[] = {"general", "high", NULL};
static const char *const sex_words[] = {"male", "female", NULL};
static const char *const visit_kind_words[] = {"first", "revisit", "dispensing", NULL};
/* The vocabularies of scenario.h's lists, in value order (core_yaml_enum answers a word's index). */
static const char *const fault_words[] = {SCENARIO_FAULTS(SCENARIO_WORD) NULL};
static const char *const outcome_words[] = {SCENARIO_OUTCOMES(SCENARIO_WORD) NULL};
static const char *const route_words[] = {SCENARIO_ROUTES(SCENARIO_WORD) NULL};
static const char *const check_words[] = {SCENARIO_CHECKS(SCENARIO_WORD) NULL};
static const char *const warning_words[] = {SCENARIO_WARNINGS(SCENARIO_WORD) NULL};
static const char *const via_words[] = {"portal", "atm", "clinic", "office", NULL};
static const char *const pin_words[] = {SCENARIO_PINS(SCENARIO_WORD) NULL};
static const char *const reason_words[] = {"A", "B", "C", "D", "E", "F", "G", NULL};
static const char *const notice_type_words[] = {"A", "B", NULL};
static const char *const received_words[] = {"certificate", "notice", NULL};
static const char *const lost_document_words[] = {"paper_card", "card", "certificate", "notice", NULL};

static const char *const event_words[] = {
    "enroll",          "leave",         "get_card",     "register",    "withdraw",   "lose_card",
    "lose_paper_card", "lose_document", "reissue_card", "return_card", "renew_cert", "apply_certificate",
    "wrong_pin",       "reset_pin",     "visit",        "clinic_down", NULL};

static const char *const expect_words[] = {
    "holds",         "lacks",      "visit",        "online_check", "received", "gap_days",
    "degraded_days", "grace_days", "claim_errors", "usage_rate",   NULL};

const char *scenario_document_word(enum scenario_document d)
{
    return (unsigned)d < SCENARIO_DOC_COUNT ? document_words[d] : "?";
}

const char *scenario_event_word(enum scenario_event_kind k)
{
    return (unsigned)k <= SCENARIO_EVENT_CLINIC_DOWN ? event_words[k] : "?";
}

const char *scenario_expect_word(enum scenario_expect_kind k)
{
    return (unsigned)k <= SCENARIO_EXPECT_USAGE_RATE ? expect_words[k] : "?";
}

/* The word of value `v` in a NULL-terminated table, "?" past its end. */
static const char *word_at(const char *const *words, int v)
{
    for (int i = 0; v >= 0 && words[i] != NULL; i++)
        if (i == v)
            return words[i];
    return "?";
}

const char *scenario_outcome_word(enum scenario_outcome o)
{
    return word_at(outcome_words, (int)o);
}

const char *scenario_route_word(enum scenario_route r)
{
    return r == SCENARIO_ROUTE_NONE ? "none" : word_at(route_words, (int)r);
}

const char *scenario_check_word(enum scenario_check_result c)
{
    return word_at(check_words, (int)c);
}

const char *scenario_warning_word(enum scenario_warning w)
{
    return w == SCENARIO_WARNING_NONE ? "none" : word_at(warning_words, (int)w);
}

size_t scenario_documents_format(unsigned docs, const char *sep, char *out, size_t cap)
{
    size_t len = 0;
    if (cap > 0)
        out[0] = '\0';
    for (int d = 0; d < SCENARIO_DOC_COUNT; d++) {
        if ((docs & SCENARIO_DOC_BIT(d)) == 0)
            continue;
        int n = snprintf(out + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s%s", len > 0 ? sep : "",
                         document_words[d]);
        if (n > 0)
            len += (size_t)n;
    }
    return len;
}

/* Rule ids of docs/RULES.md that `rule:` may cite. A new rule is a new row. */
static const char *const rule_ids[] = {
    "D-1",      "D-2",     "D-3",     "D-4",      "D-5",      "D-6",      "D-7",      "PAPER-1",
    "PAPER-2",  "PAPER-3", "PAPER-4", "CERT-1",   "CERT-2",   "CERT-3",   "CERT-4",   "CERT-5",
    "CERT-6",   "CERT-7",  "CERT-8",  "NOTICE-1", "NOTICE-2", "NOTICE-3", "NOTICE-4", "NOTICE-5",
    "NOTICE-6", "MYNA-1",  "MYNA-2",  "MYNA-3",   "MYNA-4",   "MYNA-5",   "MYNA-6",   "MYNA-7",
    "MYNA-8",   "MYNA-9",  "MYNA-10", "AGE-75",   "DESK-1",   "DESK-2",   "DESK-3",   "COPAY",
    "AMEND-1",  "AMEND-2", "AMEND-3", "AMEND-4",  "INV-1",    "INV-2",    "INV-3",    NULL};

/* ---- ids and references ------------------------------------------------------------------------------ */

static bool id_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

/* An id: 1..SCENARIO_ID_MAX-1 bytes of [A-Za-z0-9._-], written as a plain or quoted scalar. */
static bool get_id(struct reader *r, const struct core_yaml_node *n, const char *field,
                   char out[SCENARIO_ID_MAX])
{
    if (n == NULL || n->kind != CORE_YAML_SCALAR) {
        problem(r, n, "field '%s': expected an id, found %s", field,
                n == NULL                  ? "nothing"
                : n->kind == CORE_YAML_MAP ? "a mapping"
                                           : "a list");
        return false;
    }
    if (n->len == 0 || n->len >= SCENARIO_ID_MAX) {
        problem(r, n, "field '%s': an id has 1 to %d characters", field, SCENARIO_ID_MAX - 1);
        return false;
    }
    for (size_t i = 0; i < n->len; i++) {
        if (!id_char_ok(n->value[i])) {
            problem(r, n, "field '%s': '%s' is not an id (letters, digits, '-', '_' and '.')", field,
                    n->value);
            return false;
        }
    }
    memcpy(out, n->value, n->len + 1);
    return true;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct id_entry *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    if (c != 0)
        return c;
    return (x->index > y->index) - (x->index < y->index);
}

/* Sorts ids (so look-ups are O(log n) in large files) and reports each duplicate at the later definition. */
static void table_build(struct reader *r, struct id_table *t, const char *what, const char *ids,
                        size_t stride, const struct scenario_pos *(*pos)(const struct scenario *, size_t),
                        size_t count)
{
    t->entries = NULL;
    t->count = 0;
    if (count == 0)
        return;
    t->entries = malloc(count * sizeof *t->entries);
    if (t->entries == NULL) {
        r->oom = true;
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        const char *id = ids + i * stride;
        if (id[0] == '\0')
            continue; /* a bad id, already reported */
        t->entries[n].id = id;
        t->entries[n].index = (int)i;
        n++;
    }
    if (n > 1)
        qsort(t->entries, n, sizeof *t->entries, entry_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept > 0 && strcmp(t->entries[kept - 1].id, t->entries[i].id) == 0) {
            const struct scenario_pos *first = pos(r->s, (size_t)t->entries[kept - 1].index);
            const struct scenario_pos *dup = pos(r->s, (size_t)t->entries[i].index);
            struct core_error e;
            core_error_set(&e, CORE_EINVAL, r->doc->file, dup->line, dup->column,
                           "duplicate %s id '%s' (first at line %d)", what, t->entries[i].id, first->line);
            diags_push(r->diags, &e);
            continue;
        }
        t->entries[kept++] = t->entries[i];
    }
    t->count = kept;
}

static int table_find(const struct id_table *t, const char *id)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->entries[mid].id, id);
        if (c == 0)
            return t->entries[mid].index;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SCENARIO_NONE;
}

/* Resolves a reference; reports an unknown id. */
static bool get_ref(struct reader *r, const struct core_yaml_node *n, const char *field,
                    const struct id_table *t, const char *what, int *out)
{
    char id[SCENARIO_ID_MAX];
    if (!get_id(r, n, field, id))
        return false;
    int i = table_find(t, id);
    if (i == SCENARIO_NONE) {
        problem(r, n, "field '%s': unknown %s '%s'", field, what, id);
        return false;
    }
    *out = i;
    return true;
}

static const struct scenario_pos *insurer_pos(const struct scenario *s, size_t i)
{
    return &s->insurers[i].pos;
}

static const struct scenario_pos *clinic_pos(const struct scenario *s, size_t i)
{
    return &s->clinics[i].pos;
}

static const struct scenario_pos *resident_pos(const struct scenario *s, size_t i)
{
    return &s->residents[i].pos;
}

/* ---- documents, faults, visits ----------------------------------------------------------------------- */

/* A list of documents as a bit set; `allowed` is a bit set of what this field may list. */
static bool get_documents(struct reader *r, const struct core_yaml_node *n, const char *field,
                          unsigned allowed, unsigned *out)
{
    *out = 0;
    if (!need_list(r, n, field))
        return false;
    bool ok = true;
    for (size_t i = 0; i < n->count; i++) {
        const struct core_yaml_node *item = n->items[i];
        if (scalar_is(item, "declaration")) {
            problem(r, item, "field '%s': a declaration is written at the clinic, never held or brought",
                    field);
            ok = false;
            continue;
        }
        int d;
        if (!get_enum(r, item, field, document_words, &d)) {
            ok = false;
            continue;
        }
        if ((allowed & SCENARIO_DOC_BIT(d)) == 0) {
            problem(r, item, "field '%s': '%s' cannot be listed here%s", field, document_words[d],
                    d == SCENARIO_DOC_PAPER_CARD || d == SCENARIO_DOC_CARD
                        ? " (give it as the resident's own field)"
                    : d == SCENARIO_DOC_PORTAL ? " (the portal follows from a registered card)"
                                               : "");
            ok = false;
            continue;
        }
        if (*out & SCENARIO_DOC_BIT(d)) {
            problem(r, item, "field '%s': '%s' is listed twice", field, document_words[d]);
            ok = false;
            continue;
        }
        *out |= SCENARIO_DOC_BIT(d);
    }
    return ok;
}

static bool get_faults(struct reader *r, const struct core_yaml_node *n, unsigned *out)
{
    *out = 0;
    if (!need_list(r, n, "faults"))
        return false;
    bool ok = true;
    for (size_t i = 0; i < n->count; i++) {
        int f;
        if (!get_enum(r, n->items[i], "faults", fault_words, &f)) {
            ok = false;
            continue;
        }
        if (*out & SCENARIO_FAULT_BIT(f)) {
            problem(r, n->items[i], "field 'faults': '%s' is listed twice", fault_words[f]);
            ok = false;
            continue;
        }
        *out |= SCENARIO_FAULT_BIT(f);
    }
    return ok;
}

#define ALL_DOCS                                                                                             \
    (SCENARIO_DOC_BIT(SCENARIO_DOC_PAPER_CARD) | SCENARIO_DOC_BIT(SCENARIO_DOC_CARD) |                       \
     SCENARIO_DOC_BIT(SCENARIO_DOC_CERTIFICATE) | SCENARIO_DOC_BIT(SCENARIO_DOC_NOTICE) |                    \
     SCENARIO_DOC_BIT(SCENARIO_DOC_PORTAL))

/* `time: HH:MM` (a visit event's time of day, Japan time): exactly two digits, a colon, two digits; HH 00..23,
 * MM 00..59. Written plain (`time: 09:30`) or quoted; the column of a problem is the field's value. */
static bool get_time_of_day(struct reader *r, const struct core_yaml_node *n, const char *field, int *minute)
{
    if (n->kind != CORE_YAML_SCALAR) {
        problem(r, n, "field '%s': expected a time of day HH:MM, found %s", field,
                n->kind == CORE_YAML_SEQ ? "a list" : "a mapping");
        return false;
    }
    const char *s = n->value;
    bool shape = n->len == 5 && s[2] == ':';
    for (size_t i = 0; shape && i < 5; i++)
        shape = i == 2 || (s[i] >= '0' && s[i] <= '9');
    if (!shape) {
        problem(r, n, "field '%s': '%.*s' is not a time of day HH:MM (00:00 .. 23:59, Japan time)", field,
                n->len > 40 ? 40 : (int)n->len, memchr(s, '\0', n->len) != NULL ? "" : s);
        return false;
    }
    int hh = (s[0] - '0') * 10 + (s[1] - '0'), mm = (s[3] - '0') * 10 + (s[4] - '0');
    if (hh > 23) {
        problem(r, n, "field '%s': hour %02d is outside 00..23", field, hh);
        return false;
    }
    if (mm > 59) {
        problem(r, n, "field '%s': minute %02d is outside 00..59", field, mm);
        return false;
    }
    *minute = hh * 60 + mm;
    return true;
}

/* The parts a visit event and a visit expectation share. `clinic` is the node naming the clinic. */
static bool get_visit(struct reader *r, const struct core_yaml_node *map, const struct core_yaml_node *clinic,
                      const char *clinic_field, struct scenario_visit *v)
{
    bool ok = true;
    v->clinic = SCENARIO_NONE;
    v->kind = SCENARIO_VISIT_FIRST;
    if (clinic != NULL)
        ok = get_ref(r, clinic, clinic_field, &r->clinics, "clinic", &v->clinic) && ok;
    const struct core_yaml_node *n;
    if ((n = core_yaml_get(map, "bring")) != NULL) {
        v->bring_given = true;
        ok = get_documents(r, n, "bring", ALL_DOCS, &v->bring) && ok;
    }
    if ((n = core_yaml_get(map, "kind")) != NULL) {
        int k;
        v->kind_given = get_enum(r, n, "kind", visit_kind_words, &k);
        if (v->kind_given)
            v->kind = (enum scenario_visit_kind)k;
        ok = v->kind_given && ok;
    }
    if ((n = core_yaml_get(map, "faults")) != NULL)
        ok = get_faults(r, n, &v->faults) && ok;
    return ok;
}

/* ---- top level --------------------------------------------------------------------------------------- */

static bool name_ok(const char *s, size_t len)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

/* The policy given in place of the file's: the file's own was still loaded above, so a file that `check`
 * refuses is refused here too. The insurers' overrides, read after this, then apply on top of the given
 * policy, which is what lets `--policy` replay a file whose insurers override parameters. */
static void replace_policy(struct reader *r, const struct core_yaml_node *n)
{
    struct scenario *s = r->s;
    struct policy *given = NULL;
    struct core_error e;
    core_error_clear(&e);
    if (policy_load(r->policy_given, NULL, &given, &e) != CORE_OK) {
        char inner[1200];
        core_error_format(&e, inner, sizeof inner);
        struct core_error out;
        core_error_set(&out, CORE_EINVAL, r->doc->file, n != NULL ? n->line : 0, n != NULL ? n->column : 0,
                       "policy '%s' given in place of the file's cannot be loaded: %s", r->policy_given,
                       inner);
        diags_push(r->diags, &out);
        return;
    }
    policy_free(s->policy);
    s->policy = given;
    s->policy_ref = dup_text(r, r->policy_given, strlen(r->policy_given));
}

static void read_policy(struct reader *r, const struct core_yaml_node *n)
{
    struct scenario *s = r->s;
    s->policy_ref = "national";
    if (n != NULL) {
        const char *ref;
        if (!get_text(r, n, "policy", 1024, &ref))
            return;
        if (ref[0] == '\0') {
            problem(r, n, "field 'policy': empty");
            return;
        }
        s->policy_ref = ref;
    }
    struct core_error e;
    core_error_clear(&e);
    if (policy_load(s->policy_ref, s->dir, &s->policy, &e) != CORE_OK) {
        char inner[1200];
        core_error_format(&e, inner, sizeof inner);
        struct core_error out;
        core_error_set(&out, CORE_EINVAL, r->doc->file, n != NULL ? n->line : 0, n != NULL ? n->column : 0,
                       "policy '%s' cannot be loaded: %s", s->policy_ref, inner);
        diags_push(r->diags, &out);
        s->policy = NULL;
    }
    if (r->policy_given != NULL)
        replace_policy(r, n);
}

static void read_insurer(struct reader *r, const struct core_yaml_node *n, struct scenario_insurer *ins)
{
    static const char *const keys[] = {"id", "kind", "number", "policy", NULL};
    ins->pos = pos_of(n);
    if (!check_map(r, n, "an insurer", keys))
        return;
    const struct core_yaml_node *id = required(r, n, "id", "insurer"),
                                *kind = required(r, n, "kind", "insurer");
    if (id != NULL)
        get_id(r, id, "id", ins->id);
    int k = -1;
    if (kind != NULL && get_enum(r, kind, "kind", insurer_kind_words, &k))
        ins->kind = (enum scenario_insurer_kind)k;
    const struct core_yaml_node *num = core_yaml_get(n, "number");
    if (num != NULL && k >= 0) {
        size_t want = k == SCENARIO_INSURER_NHI ? 6 : 8;
        char digits[16];
        if (get_digits(r, num, "number", want, want, digits, sizeof digits)) {
            if (!core_insurer_number_valid(digits, want))
                problem(r, num, "field 'number': '%s' has a bad check digit (expected %d)", digits,
                        core_insurer_check_digit(digits, want - 1));
            else if (k == SCENARIO_INSURER_LATTER_ELDERLY && strncmp(digits, "39", 2) != 0)
                problem(r, num, "field 'number': a latter-stage elderly insurer's number starts with 39");
            else
                memcpy(ins->number, digits, want + 1);
        }
    }
    const struct core_yaml_node *pol = core_yaml_get(n, "policy");
    if (pol != NULL) {
        ins->policy_pos = pos_of(pol);
        if (pol->kind != CORE_YAML_MAP) {
            problem(r, pol, "field 'policy': expected a mapping of policy parameters");
        } else if (r->s->policy != NULL) {
            struct core_error e;
            core_error_clear(&e);
            if (policy_override(r->s->policy, r->doc, pol, &ins->policy, &e) != CORE_OK) {
                ins->policy = NULL;
                diags_push(r->diags, &e);
            }
        }
    }
}

static void read_clinic(struct reader *r, const struct core_yaml_node *n, struct scenario_clinic *c)
{
    static const char *const keys[] = {"id", "reader", "down", NULL};
    c->pos = pos_of(n);
    if (!check_map(r, n, "a clinic", keys))
        return;
    const struct core_yaml_node *id = required(r, n, "id", "clinic"),
                                *rd = required(r, n, "reader", "clinic");
    if (id != NULL)
        get_id(r, id, "id", c->id);
    int k;
    if (rd != NULL && get_enum(r, rd, "reader", reader_words, &k))
        c->reader = (enum scenario_reader)k;
    const struct core_yaml_node *down = core_yaml_get(n, "down");
    if (down != NULL)
        get_periods(r, down, "down", &c->down, &c->down_count);
}

static void read_identity(struct reader *r, const struct core_yaml_node *n, struct scenario_identity *id)
{
    const struct core_yaml_node *v;
    id->name = id->kana = id->address = id->member_symbol = "";
    if ((v = core_yaml_get(n, "name")) != NULL)
        get_text(r, v, "name", 256, &id->name);
    if ((v = core_yaml_get(n, "kana")) != NULL)
        get_text(r, v, "kana", 256, &id->kana);
    if ((v = core_yaml_get(n, "address")) != NULL)
        get_text(r, v, "address", 512, &id->address);
    int k;
    if ((v = core_yaml_get(n, "sex")) != NULL && get_enum(r, v, "sex", sex_words, &k))
        id->sex = k == 0 ? SCENARIO_SEX_MALE : SCENARIO_SEX_FEMALE;
    char digits[16];
    if ((v = core_yaml_get(n, "my_number")) != NULL &&
        get_digits(r, v, "my_number", 12, 12, digits, sizeof digits)) {
        if (core_my_number_valid(digits, 12))
            memcpy(id->my_number, digits, 13);
        else
            problem(r, v, "field 'my_number': '%s' has a bad check digit (expected %d)", digits,
                    core_my_number_check_digit(digits));
    }
    if ((v = core_yaml_get(n, "security_code")) != NULL)
        get_digits(r, v, "security_code", 4, 4, id->security_code, sizeof id->security_code);
    if ((v = core_yaml_get(n, "member")) != NULL) {
        static const char *const keys[] = {"symbol", "number", "branch", NULL};
        if (check_map(r, v, "field 'member'", keys)) {
            const struct core_yaml_node *m;
            if ((m = core_yaml_get(v, "symbol")) != NULL)
                get_text(r, m, "symbol", 64, &id->member_symbol);
            if ((m = core_yaml_get(v, "number")) != NULL)
                get_digits(r, m, "number", 1, 16, id->member_number, sizeof id->member_number);
            if ((m = core_yaml_get(v, "branch")) != NULL)
                get_digits(r, m, "branch", 2, 2, id->member_branch, sizeof id->member_branch);
        }
    }
}

static bool format_has(struct reader *r, const struct core_yaml_node *n, const char *field, int since);

static void read_resident(struct reader *r, const struct core_yaml_node *n, struct scenario_resident *res,
                          struct resident_refs *refs)
{
    static const char *const keys[] = {
        "id",     "born",          "insurer",       "role", "of",   "paper_card", "card",    "registered",
        "holds",  "tax_arrears",   "income",        "name", "kana", "sex",        "address", "my_number",
        "member", "security_code", "insured_since", NULL};
    res->pos = pos_of(n);
    refs->self = n;
    res->born = CORE_DAY_NONE;
    res->insurer = SCENARIO_NONE;
    res->of = SCENARIO_NONE;
    res->paper_card_issued = res->paper_card_expires = CORE_DAY_NONE;
    res->insured_since = CORE_DAY_NONE;
    res->card_issued = res->card_expires = res->card_cert_expires = CORE_DAY_NONE;
    res->registered = CORE_DAY_NONE;
    res->identity.name = res->identity.kana = res->identity.address = res->identity.member_symbol = "";
    if (!check_map(r, n, "a resident", keys))
        return;
    const struct core_yaml_node *id = required(r, n, "id", "resident"), *v;
    if (id != NULL && get_id(r, id, "id", res->id) && strcmp(res->id, "all") == 0) {
        problem(r, id, "field 'id': 'all' is reserved for population expectations (who: all)");
        res->id[0] = '\0';
    }
    refs->born = required(r, n, "born", "resident");
    if (refs->born != NULL && !get_date(r, refs->born, "born", &res->born))
        res->born = CORE_DAY_NONE;
    refs->insurer = core_yaml_get(n, "insurer");
    refs->of = core_yaml_get(n, "of");
    int k;
    if ((v = core_yaml_get(n, "role")) != NULL && get_enum(r, v, "role", role_words, &k))
        res->role = (enum scenario_role)k;
    if ((v = core_yaml_get(n, "paper_card")) != NULL) {
        static const char *const pkeys[] = {"issued", "expires", NULL};
        refs->paper_card = v;
        res->paper_card_pos = pos_of(v);
        if (check_map(r, v, "field 'paper_card'", pkeys)) {
            const struct core_yaml_node *iss = required(r, v, "issued", "field 'paper_card'"), *exp;
            bool ok = iss != NULL && get_date(r, iss, "issued", &res->paper_card_issued);
            if ((exp = core_yaml_get(v, "expires")) != NULL)
                ok = get_date(r, exp, "expires", &res->paper_card_expires) && ok;
            if (ok && res->paper_card_expires != CORE_DAY_NONE &&
                res->paper_card_expires < res->paper_card_issued) {
                problem(r, exp, "field 'expires': before the card was issued");
                ok = false;
            }
            res->has_paper_card = ok;
        }
    }
    if ((v = core_yaml_get(n, "card")) != NULL) {
        static const char *const ckeys[] = {"issued", "face_only", "expires", "cert_expires", NULL};
        refs->card = v;
        res->card_pos = pos_of(v);
        if (check_map(r, v, "field 'card'", ckeys)) {
            const struct core_yaml_node *iss = required(r, v, "issued", "field 'card'"), *c;
            bool ok = iss != NULL && get_date(r, iss, "issued", &res->card_issued);
            if ((c = core_yaml_get(v, "face_only")) != NULL)
                ok = get_bool(r, c, "face_only", &res->card_face_only) && ok;
            const struct core_yaml_node *exp = core_yaml_get(v, "expires"),
                                        *cexp = core_yaml_get(v, "cert_expires");
            if (exp != NULL)
                ok = get_date(r, exp, "expires", &res->card_expires) && ok;
            if (cexp != NULL)
                ok = get_date(r, cexp, "cert_expires", &res->card_cert_expires) && ok;
            if (ok && exp != NULL && res->card_expires < res->card_issued) {
                problem(r, exp, "field 'expires': before the card was issued");
                ok = false;
            }
            if (ok && cexp != NULL && res->card_cert_expires < res->card_issued) {
                problem(r, cexp, "field 'cert_expires': before the card was issued");
                ok = false;
            }
            if (ok && exp != NULL && cexp != NULL && res->card_cert_expires > res->card_expires) {
                problem(r, cexp, "field 'cert_expires': after the card itself expires");
                ok = false;
            }
            res->has_card = ok;
        }
    }
    if ((refs->registered = core_yaml_get(n, "registered")) != NULL &&
        !get_date(r, refs->registered, "registered", &res->registered))
        res->registered = CORE_DAY_NONE;
    if ((refs->holds = core_yaml_get(n, "holds")) != NULL)
        get_documents(r, refs->holds, "holds",
                      SCENARIO_DOC_BIT(SCENARIO_DOC_CERTIFICATE) | SCENARIO_DOC_BIT(SCENARIO_DOC_NOTICE),
                      &res->holds);
    if ((v = core_yaml_get(n, "tax_arrears")) != NULL)
        get_bool(r, v, "tax_arrears", &res->tax_arrears);
    if ((v = core_yaml_get(n, "income")) != NULL && get_enum(r, v, "income", income_words, &k))
        res->income = (enum scenario_income)k;
    refs->my_number = core_yaml_get(n, "my_number");
    refs->insured_since = core_yaml_get(n, "insured_since");
    if (refs->insured_since != NULL &&
        (!format_has(r, refs->insured_since, "insured_since", 2) ||
         !get_date(r, refs->insured_since, "insured_since", &res->insured_since)))
        res->insured_since = CORE_DAY_NONE;
    read_identity(r, n, &res->identity);
}

/* Pass 3 and 4 for residents: references, then the starting state's rules. */
static void check_residents(struct reader *r)
{
    struct scenario *s = r->s;
    /* references first, so that a dependent can take the insurer of whoever it depends on */
    for (size_t i = 0; i < s->resident_count; i++) {
        struct scenario_resident *res = &s->residents[i];
        const struct resident_refs *refs = &r->rrefs[i];
        if (refs->insurer != NULL)
            get_ref(r, refs->insurer, "insurer", &r->insurers, "insurer", &res->insurer);
        if (refs->of != NULL && get_ref(r, refs->of, "of", &r->residents, "resident", &res->of) &&
            res->of == (int)i) {
            problem(r, refs->of, "field 'of': a resident cannot depend on themselves");
            res->of = SCENARIO_NONE;
        }
    }
    for (size_t i = 0; i < s->resident_count; i++) {
        struct scenario_resident *res = &s->residents[i];
        const struct resident_refs *refs = &r->rrefs[i];
        const struct core_yaml_node *at = refs->of != NULL ? refs->of : refs->insurer;
        if (res->role == SCENARIO_ROLE_DEPENDENT && refs->of == NULL) {
            problem(r, refs->self, "resident '%s': a dependent needs 'of: <resident id>'", res->id);
        } else if (res->role != SCENARIO_ROLE_DEPENDENT && refs->of != NULL) {
            problem(r, refs->of, "field 'of': only a dependent (role: dependent) depends on someone");
        } else if (res->role == SCENARIO_ROLE_DEPENDENT && res->of != SCENARIO_NONE) {
            const struct scenario_resident *of = &s->residents[res->of];
            if (of->role == SCENARIO_ROLE_DEPENDENT) {
                problem(r, refs->of,
                        "field 'of': '%s' is a dependent; a dependent depends on an insured person", of->id);
            } else if (of->insurer == SCENARIO_NONE) {
                if (r->rrefs[res->of].insurer == NULL)
                    problem(r, refs->of, "field 'of': '%s' is not insured at the start", of->id);
            } else if (res->insurer != SCENARIO_NONE && res->insurer != of->insurer) {
                problem(r, refs->insurer, "field 'insurer': a dependent is insured where '%s' is ('%s')",
                        of->id, s->insurers[of->insurer].id);
            } else if (s->insurers[of->insurer].kind == SCENARIO_INSURER_LATTER_ELDERLY) {
                problem(r, at, "latter-stage elderly insurance has no dependents (AGE-75)");
            } else {
                res->insurer = of->insurer; /* a dependent's membership follows the person it depends on */
            }
        }
    }
    for (size_t i = 0; i < s->resident_count; i++) {
        struct scenario_resident *res = &s->residents[i];
        const struct resident_refs *refs = &r->rrefs[i];
        char a[11], b[11];
        if (res->born == CORE_DAY_NONE)
            continue;
        core_day start = s->period.from;
        if (start != CORE_DAY_NONE && res->born > start &&
            (res->insurer != SCENARIO_NONE || res->has_paper_card || res->has_card || res->holds != 0)) {
            problem(r, refs->born,
                    "resident '%s' is born after the period starts (%s) and cannot hold an insurance or "
                    "documents "
                    "at its start: enroll them with an event",
                    res->id, fmt_day(start, a));
            continue;
        }
        if (start != CORE_DAY_NONE && res->insurer != SCENARIO_NONE &&
            s->insurers[res->insurer].kind != SCENARIO_INSURER_LATTER_ELDERLY &&
            core_date_age(res->born, start) >= 75)
            problem(r, refs->insurer != NULL ? refs->insurer : refs->born,
                    "resident '%s' is %d on %s and so insured by latter-stage elderly insurance, not '%s' "
                    "(AGE-75)",
                    res->id, core_date_age(res->born, start), fmt_day(start, a),
                    s->insurers[res->insurer].id);
        if (refs->insured_since != NULL && res->insured_since != CORE_DAY_NONE) {
            if (res->insurer == SCENARIO_NONE)
                problem(r, refs->insured_since, "field 'insured_since': needs an insurer at the start");
            else if (res->insured_since < res->born)
                problem(r, refs->insured_since, "field 'insured_since': before the resident was born (%s)",
                        fmt_day(res->born, a));
            else if (start != CORE_DAY_NONE && res->insured_since > start)
                problem(r, refs->insured_since,
                        "field 'insured_since': after the period starts (%s): a membership that begins later "
                        "is an 'enroll' event",
                        fmt_day(start, a));
        }
        if (res->has_paper_card) {
            const struct core_yaml_node *iss = core_yaml_get(refs->paper_card, "issued");
            core_day last;
            const struct policy *p =
                res->insurer != SCENARIO_NONE ? scenario_insurer_policy(s, res->insurer) : s->policy;
            if (res->insurer == SCENARIO_NONE)
                problem(r, refs->paper_card, "field 'paper_card': a paper card needs an insurer");
            else if (res->paper_card_issued < res->born)
                problem(r, iss, "field 'issued': before the resident was born (%s)", fmt_day(res->born, a));
            else if (p != NULL &&
                     policy_date(p, "paper_card.last_issue", res->paper_card_issued, &last) == CORE_OK &&
                     res->paper_card_issued > last)
                problem(
                    r, iss,
                    "field 'issued': paper card issued %s, after the last day paper cards were issued (%s, "
                    "policy paper_card.last_issue; PAPER-1)",
                    fmt_day(res->paper_card_issued, a), fmt_day(last, b));
            else if (start != CORE_DAY_NONE && res->paper_card_issued > start)
                problem(r, iss,
                        "field 'issued': after the period starts (%s): the starting state holds only "
                        "documents issued by then",
                        fmt_day(start, a));
        }
        if (res->has_card) {
            const struct core_yaml_node *iss = core_yaml_get(refs->card, "issued");
            if (res->card_issued < res->born)
                problem(r, iss, "field 'issued': before the resident was born (%s)", fmt_day(res->born, a));
            else if (start != CORE_DAY_NONE && res->card_issued > start)
                problem(r, iss,
                        "field 'issued': after the period starts (%s): issue a later card with a 'get_card' "
                        "event",
                        fmt_day(start, a));
        }
        if (res->registered != CORE_DAY_NONE) {
            if (!res->has_card && refs->card == NULL)
                problem(r, refs->registered, "field 'registered': registration needs a card ('card:')");
            else if (res->registered < res->born)
                problem(r, refs->registered, "field 'registered': before the resident was born (%s)",
                        fmt_day(res->born, a));
            else if (start != CORE_DAY_NONE && res->registered > start)
                problem(r, refs->registered,
                        "field 'registered': after the period starts (%s): register with a 'register' event",
                        fmt_day(start, a));
        }
        if (res->holds != 0 && res->insurer == SCENARIO_NONE && refs->insurer == NULL)
            problem(r, refs->holds,
                    "field 'holds': certificates and notices come from an insurer; this resident "
                    "has none at the start");
    }
    /* a My Number names one person */
    for (size_t i = 0; i < s->resident_count; i++) {
        if (s->residents[i].identity.my_number[0] == '\0')
            continue;
        for (size_t j = i + 1; j < s->resident_count; j++)
            if (strcmp(s->residents[i].identity.my_number, s->residents[j].identity.my_number) == 0)
                problem(r, r->rrefs[j].my_number, "field 'my_number': also the My Number of resident '%s'",
                        s->residents[i].id);
    }
}

/* ---- events ------------------------------------------------------------------------------------------ */

/* The fields each event takes beyond date, who and do (docs/SCENARIO-FORMAT.md, Events). */
static const char *const *event_fields(enum scenario_event_kind k)
{
    static const char *const none[] = {NULL};
    static const char *const enroll[] = {"insurer", "role", "of", NULL};
    static const char *const leave[] = {"processed", NULL};
    static const char *const get_card[] = {"face_only", NULL};
    static const char *const reg[] = {"via", NULL};
    static const char *const lose_document[] = {"document", NULL};
    static const char *const apply[] = {"reason", NULL};
    static const char *const wrong_pin[] = {"times", "pin", NULL};
    static const char *const reset_pin[] = {"pin", NULL};
    static const char *const visit[] = {"clinic", "bring", "kind", "faults", "time", NULL};
    static const char *const clinic_down[] = {"clinic", "until", NULL};
    switch (k) {
    case SCENARIO_EVENT_ENROLL:
        return enroll;
    case SCENARIO_EVENT_LEAVE:
        return leave;
    case SCENARIO_EVENT_GET_CARD:
        return get_card;
    case SCENARIO_EVENT_REGISTER:
        return reg;
    case SCENARIO_EVENT_LOSE_DOCUMENT:
        return lose_document;
    case SCENARIO_EVENT_APPLY_CERTIFICATE:
        return apply;
    case SCENARIO_EVENT_WRONG_PIN:
        return wrong_pin;
    case SCENARIO_EVENT_RESET_PIN:
        return reset_pin;
    case SCENARIO_EVENT_VISIT:
        return visit;
    case SCENARIO_EVENT_CLINIC_DOWN:
        return clinic_down;
    case SCENARIO_EVENT_WITHDRAW:
    case SCENARIO_EVENT_LOSE_CARD:
    case SCENARIO_EVENT_LOSE_PAPER_CARD:
    case SCENARIO_EVENT_REISSUE_CARD:
    case SCENARIO_EVENT_RETURN_CARD:
    case SCENARIO_EVENT_RENEW_CERT:
        break;
    }
    return none;
}

/* Returns false when the event is unusable (no date or no `do`), so it is left out of the timeline. */
static bool read_event(struct reader *r, const struct core_yaml_node *n, struct scenario_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->pos = pos_of(n);
    ev->resident = ev->insurer = ev->of = SCENARIO_NONE;
    ev->visit.clinic = SCENARIO_NONE;
    ev->processed = ev->until = ev->date = CORE_DAY_NONE;
    ev->minute = SCENARIO_VISIT_TIME_DEFAULT;
    if (n->kind != CORE_YAML_MAP) {
        problem(r, n, "an event: expected a mapping, found %s",
                n->kind == CORE_YAML_SEQ ? "a list" : "a single value");
        return false;
    }
    const struct core_yaml_node *d = required(r, n, "do", "event");
    int k = -1;
    if (d != NULL && !get_enum(r, d, "do", event_words, &k))
        k = -1;
    /* the keys this event may have: its own plus date, who, do */
    const char *allowed[12];
    size_t na = 0;
    allowed[na++] = "date";
    if (k != SCENARIO_EVENT_CLINIC_DOWN)
        allowed[na++] = "who";
    allowed[na++] = "do";
    if (k >= 0)
        for (const char *const *f = event_fields((enum scenario_event_kind)k); *f != NULL; f++)
            allowed[na++] = *f;
    allowed[na] = NULL;
    char what[64];
    snprintf(what, sizeof what, "event '%s'", k >= 0 ? event_words[k] : "?");
    if (k >= 0)
        check_map(r, n, what, allowed);
    const struct core_yaml_node *date = required(r, n, "date", what), *v;
    bool ok = date != NULL && get_date(r, date, "date", &ev->date);
    if (ok)
        in_period(r, date, "event date", ev->date);
    if (k < 0)
        return false;
    ev->kind = (enum scenario_event_kind)k;
    if (k != SCENARIO_EVENT_CLINIC_DOWN) {
        const struct core_yaml_node *who = required(r, n, "who", what);
        if (who != NULL && scalar_is(who, "all"))
            problem(r, who, "field 'who': an event happens to one resident, not 'all'");
        else if (who != NULL)
            get_ref(r, who, "who", &r->residents, "resident", &ev->resident);
    }
    int w;
    switch (ev->kind) {
    case SCENARIO_EVENT_ENROLL: {
        const struct core_yaml_node *ins = required(r, n, "insurer", what), *of = core_yaml_get(n, "of");
        if (ins != NULL)
            get_ref(r, ins, "insurer", &r->insurers, "insurer", &ev->insurer);
        if ((v = core_yaml_get(n, "role")) != NULL && get_enum(r, v, "role", role_words, &w))
            ev->role = (enum scenario_role)w;
        if (of != NULL && get_ref(r, of, "of", &r->residents, "resident", &ev->of) &&
            ev->of == ev->resident) {
            problem(r, of, "field 'of': a resident cannot depend on themselves");
            ev->of = SCENARIO_NONE;
        }
        if (ev->role == SCENARIO_ROLE_DEPENDENT && of == NULL)
            problem(r, n, "a dependent needs 'of: <resident id>'");
        else if (ev->role != SCENARIO_ROLE_DEPENDENT && of != NULL)
            problem(r, of, "field 'of': only a dependent (role: dependent) depends on someone");
        else if (ev->role == SCENARIO_ROLE_DEPENDENT && ev->insurer != SCENARIO_NONE &&
                 r->s->insurers[ev->insurer].kind == SCENARIO_INSURER_LATTER_ELDERLY)
            problem(r, ins, "latter-stage elderly insurance has no dependents (AGE-75)");
        break;
    }
    case SCENARIO_EVENT_LEAVE:
        ev->processed = ev->date;
        if ((v = core_yaml_get(n, "processed")) != NULL && get_date(r, v, "processed", &ev->processed) &&
            ok && ev->processed < ev->date) {
            problem(r, v, "field 'processed': a loss is filed on or after the day it takes effect");
            ev->processed = ev->date;
        }
        break;
    case SCENARIO_EVENT_GET_CARD:
        if ((v = core_yaml_get(n, "face_only")) != NULL)
            get_bool(r, v, "face_only", &ev->face_only);
        break;
    case SCENARIO_EVENT_REGISTER:
        if ((v = required(r, n, "via", what)) != NULL && get_enum(r, v, "via", via_words, &w))
            ev->via = (enum scenario_register_via)w;
        break;
    case SCENARIO_EVENT_LOSE_DOCUMENT:
        if ((v = required(r, n, "document", what)) != NULL &&
            get_enum(r, v, "document", lost_document_words, &w))
            ev->document = (enum scenario_document)w;
        break;
    case SCENARIO_EVENT_APPLY_CERTIFICATE:
        if ((v = required(r, n, "reason", what)) != NULL && get_enum(r, v, "reason", reason_words, &w))
            ev->reason = (enum scenario_cert_reason)w;
        break;
    case SCENARIO_EVENT_WRONG_PIN:
    case SCENARIO_EVENT_RESET_PIN: {
        long long t = 0;
        if (ev->kind == SCENARIO_EVENT_WRONG_PIN && (v = required(r, n, "times", what)) != NULL &&
            get_int(r, v, "times", 1, 100, &t))
            ev->times = (int)t;
        if ((v = core_yaml_get(n, "pin")) != NULL && get_enum(r, v, "pin", pin_words, &w))
            ev->pin = (enum scenario_pin)w;
        break;
    }
    case SCENARIO_EVENT_VISIT:
        get_visit(r, n, required(r, n, "clinic", what), "clinic", &ev->visit);
        if (!ev->visit.kind_given && core_yaml_get(n, "kind") == NULL)
            problem(r, n, "%s: missing field 'kind'", what);
        if ((v = core_yaml_get(n, "time")) != NULL && format_has(r, v, "time", 2))
            ev->time_given = get_time_of_day(r, v, "time", &ev->minute);
        break;
    case SCENARIO_EVENT_CLINIC_DOWN: {
        const struct core_yaml_node *c = required(r, n, "clinic", what);
        if (c != NULL)
            get_ref(r, c, "clinic", &r->clinics, "clinic", &ev->visit.clinic);
        if ((v = required(r, n, "until", what)) != NULL && get_date(r, v, "until", &ev->until) && ok &&
            ev->until < ev->date)
            problem(r, v, "field 'until': before the event's date");
        break;
    }
    case SCENARIO_EVENT_WITHDRAW:
    case SCENARIO_EVENT_LOSE_CARD:
    case SCENARIO_EVENT_LOSE_PAPER_CARD:
    case SCENARIO_EVENT_REISSUE_CARD:
    case SCENARIO_EVENT_RETURN_CARD:
    case SCENARIO_EVENT_RENEW_CERT:
        break;
    }
    if (ok && ev->resident != SCENARIO_NONE) {
        const struct scenario_resident *res = &r->s->residents[ev->resident];
        char a[11];
        if (res->born != CORE_DAY_NONE && ev->date < res->born)
            problem(r, date, "event for resident '%s' before they are born (%s)", res->id,
                    fmt_day(res->born, a));
    }
    return ok;
}

static void read_events(struct reader *r, const struct core_yaml_node *list)
{
    struct scenario *s = r->s;
    if (!need_list_max(r, list, "events", SCENARIO_MAX_EVENTS))
        return;
    s->events = alloc_array(r, list->count, sizeof *s->events);
    if (s->events == NULL)
        return;
    core_day last = CORE_DAY_NONE;
    int last_line = 0;
    for (size_t i = 0; i < list->count; i++) {
        struct scenario_event *ev = &s->events[s->event_count];
        if (!read_event(r, list->items[i], ev))
            continue;
        if (last != CORE_DAY_NONE && ev->date < last) {
            char a[11], b[11];
            problem(r, core_yaml_get(list->items[i], "date"),
                    "events out of date order: %s comes after %s (line %d); same-day events keep file order",
                    fmt_day(ev->date, a), fmt_day(last, b), last_line);
        } else {
            last = ev->date;
            last_line = ev->pos.line;
        }
        s->event_count++;
    }
}

/* ---- expectations ------------------------------------------------------------------------------------ */

/* An integer count >= 0 or {min, max} with either end. */
static bool get_range(struct reader *r, const struct core_yaml_node *n, const char *field,
                      struct scenario_range *out)
{
    out->min = 0;
    out->max = LLONG_MAX;
    if (n->kind == CORE_YAML_SCALAR) {
        long long v;
        if (!get_int(r, n, field, 0, INT32_MAX, &v))
            return false;
        out->min = out->max = v;
        return true;
    }
    static const char *const keys[] = {"min", "max", NULL};
    char what[64];
    snprintf(what, sizeof what, "field '%s'", field);
    if (!check_map(r, n, what, keys))
        return false;
    const struct core_yaml_node *mn = core_yaml_get(n, "min"), *mx = core_yaml_get(n, "max");
    if (mn == NULL && mx == NULL) {
        problem(r, n, "field '%s': give an integer or {min: N, max: M} with at least one end", field);
        return false;
    }
    bool ok = true;
    if (mn != NULL)
        ok = get_int(r, mn, "min", 0, INT32_MAX, &out->min) && ok;
    if (mx != NULL)
        ok = get_int(r, mx, "max", 0, INT32_MAX, &out->max) && ok;
    if (ok && out->min > out->max) {
        problem(r, mx, "field '%s': 'max' is less than 'min'", field);
        ok = false;
    }
    return ok;
}

/* A ratio in [0, 1] written as a plain decimal with at most 6 decimals, in millionths. */
static bool get_ratio(struct reader *r, const struct core_yaml_node *n, const char *field, uint32_t *out)
{
    if (n->kind != CORE_YAML_SCALAR || n->quoted) {
        problem(r, n, "field '%s': expected a number from 0 to 1", field);
        return false;
    }
    const char *s = n->value;
    size_t i = 0;
    uint64_t whole = 0, frac = 0;
    int decimals = 0;
    bool digits = false;
    while (i < n->len && s[i] >= '0' && s[i] <= '9' && whole <= 1) {
        whole = whole * 10 + (uint64_t)(s[i++] - '0');
        digits = true;
    }
    if (i < n->len && s[i] == '.') {
        i++;
        while (i < n->len && s[i] >= '0' && s[i] <= '9' && decimals < 6) {
            frac = frac * 10 + (uint64_t)(s[i++] - '0');
            decimals++;
            digits = true;
        }
    }
    if (!digits || i != n->len) {
        problem(r, n, "field '%s': '%s' is not a number from 0 to 1 (at most 6 decimals)", field, s);
        return false;
    }
    for (; decimals < 6; decimals++)
        frac *= 10;
    uint64_t ppm = whole * 1000000u + frac;
    if (ppm > 1000000u) {
        problem(r, n, "field '%s': %s is more than 1", field, s);
        return false;
    }
    *out = (uint32_t)ppm;
    return true;
}

static bool get_usage_rate(struct reader *r, const struct core_yaml_node *n, struct scenario_expect *x)
{
    static const char *const keys[] = {"month", "min", "max", NULL};
    if (!check_map(r, n, "field 'usage_rate'", keys))
        return false;
    const struct core_yaml_node *m = required(r, n, "month", "field 'usage_rate'");
    const struct core_yaml_node *mn = core_yaml_get(n, "min"), *mx = core_yaml_get(n, "max");
    bool ok = m != NULL;
    if (m != NULL) {
        char buf[16];
        core_day d;
        if (m->kind != CORE_YAML_SCALAR || m->len != 7 ||
            (memcpy(buf, m->value, 7), memcpy(buf + 7, "-01", 4), core_date_parse(buf, 10, &d) != CORE_OK)) {
            problem(r, m, "field 'month': expected a month YYYY-MM");
            ok = false;
        } else {
            x->month = d;
            int y, mo, dd;
            core_date_to_ymd(d, &y, &mo, &dd);
            core_day end = d + core_date_days_in_month(y, mo) - 1;
            const struct scenario *s = r->s;
            if (s->period.from != CORE_DAY_NONE && (end < s->period.from || d > s->period.to)) {
                problem(r, m, "field 'month': %.7s is outside the period", m->value);
                ok = false;
            }
        }
    }
    x->min_ppm = 0;
    x->max_ppm = 1000000u;
    if (mn == NULL && mx == NULL) {
        problem(r, n, "field 'usage_rate': give 'min', 'max' or both");
        ok = false;
    }
    if (mn != NULL)
        ok = get_ratio(r, mn, "min", &x->min_ppm) && ok;
    if (mx != NULL)
        ok = get_ratio(r, mx, "max", &x->max_ppm) && ok;
    if (ok && x->min_ppm > x->max_ppm) {
        problem(r, mx, "field 'usage_rate': 'max' is less than 'min'");
        ok = false;
    }
    return ok;
}

static bool is_rule_id(const struct core_yaml_node *n)
{
    for (const char *const *id = rule_ids; *id != NULL; id++)
        if (scalar_is(n, *id))
            return true;
    return false;
}

static bool get_label(struct reader *r, const struct core_yaml_node *n, const char *field, const char **out);

static bool read_expect(struct reader *r, const struct core_yaml_node *n, struct scenario_expect *x)
{
    memset(x, 0, sizeof *x);
    x->pos = pos_of(n);
    x->date = x->by = x->first_gap = x->month = CORE_DAY_NONE;
    x->resident = SCENARIO_NONE;
    x->clinic = x->visit.clinic = SCENARIO_NONE;
    x->route = SCENARIO_ROUTE_NONE;
    x->warning = SCENARIO_WARNING_NONE;
    x->notice_type = SCENARIO_NOTICE_ANY;
    if (n->kind != CORE_YAML_MAP) {
        problem(r, n, "an expectation: expected a mapping, found %s",
                n->kind == CORE_YAML_SEQ ? "a list" : "a single value");
        return false;
    }
    int form = -1;
    for (int i = 0; expect_words[i] != NULL; i++) {
        const struct core_yaml_node *k = core_yaml_get(n, expect_words[i]);
        if (k == NULL)
            continue;
        if (form >= 0) {
            problem(r, k, "an expectation checks one thing: '%s' and '%s' cannot be in one expectation",
                    expect_words[form], expect_words[i]);
            return false;
        }
        form = i;
    }
    if (form < 0) {
        char list[300];
        problem(r, n, "an expectation needs one of: %s", word_list(expect_words, list, sizeof list));
        return false;
    }
    x->kind = (enum scenario_expect_kind)form;
    static const char *const holds_keys[] = {"date", "who", "holds", "rule", "name", NULL};
    static const char *const lacks_keys[] = {"date", "who", "lacks", "rule", "name", NULL};
    static const char *const visit_keys[] = {
        "date",  "who",           "visit",       "bring",  "kind", "outcome", "fee",
        "route", "limit_applied", "claim_error", "faults", "rule", "name",    NULL};
    static const char *const check_keys[] = {"date",    "who",  "online_check", "clinic",
                                             "warning", "rule", "name",         NULL};
    static const char *const received_keys[] = {"who", "received", "by", "type", "rule", "name", NULL};
    static const char *const gap_keys[] = {"who", "gap_days", "first_gap", "rule", "name", NULL};
    static const char *const degraded_keys[] = {"who", "degraded_days", "rule", "name", NULL};
    static const char *const grace_keys[] = {"who", "grace_days", "rule", "name", NULL};
    static const char *const claim_keys[] = {"who", "claim_errors", "rule", "name", NULL};
    static const char *const usage_keys[] = {"who", "usage_rate", "rule", "name", NULL};
    static const char *const *const form_keys[] = {holds_keys,    lacks_keys, visit_keys,    check_keys,
                                                   received_keys, gap_keys,   degraded_keys, grace_keys,
                                                   claim_keys,    usage_keys};
    char what[64];
    snprintf(what, sizeof what, "expectation '%s'", expect_words[form]);
    check_map(r, n, what, form_keys[form]);

    bool ok = true;
    bool dated = form <= SCENARIO_EXPECT_ONLINE_CHECK;
    bool all_allowed = form >= SCENARIO_EXPECT_GAP_DAYS;
    const struct core_yaml_node *v, *who = required(r, n, "who", what);
    if (who != NULL && scalar_is(who, "all")) {
        if (all_allowed)
            x->resident = SCENARIO_WHO_ALL;
        else {
            problem(r, who,
                    "field 'who': 'all' is only for gap_days, degraded_days, grace_days, claim_errors "
                    "and usage_rate");
            ok = false;
        }
    } else if (who != NULL) {
        ok = get_ref(r, who, "who", &r->residents, "resident", &x->resident) && ok;
        if (form == SCENARIO_EXPECT_USAGE_RATE) {
            problem(r, who, "field 'who': a usage rate is over all residents (who: all)");
            ok = false;
        }
    } else {
        ok = false;
    }
    if (dated) {
        const struct core_yaml_node *date = required(r, n, "date", what);
        ok = date != NULL && get_date(r, date, "date", &x->date) &&
             in_period(r, date, "expectation date", x->date) && ok;
    }
    if ((v = core_yaml_get(n, "name")) != NULL)
        ok = get_label(r, v, "name", &x->name) && ok;
    if ((v = core_yaml_get(n, "rule")) != NULL) {
        if (is_rule_id(v))
            memcpy(x->rule, v->value, v->len + 1);
        else {
            problem(r, v, "field 'rule': '%s' is not a rule id of docs/RULES.md",
                    v->kind == CORE_YAML_SCALAR ? v->value : "?");
            ok = false;
        }
    }
    const struct core_yaml_node *key = core_yaml_get(n, expect_words[form]);
    int w;
    switch (x->kind) {
    case SCENARIO_EXPECT_HOLDS:
    case SCENARIO_EXPECT_LACKS:
        ok = get_documents(r, key, expect_words[form], ALL_DOCS, &x->documents) && ok;
        break;
    case SCENARIO_EXPECT_VISIT:
        ok = get_visit(r, n, key, "visit", &x->visit) && ok;
        if ((v = required(r, n, "outcome", what)) != NULL && get_enum(r, v, "outcome", outcome_words, &w))
            x->outcome = (enum scenario_outcome)w;
        else
            ok = false;
        if ((v = core_yaml_get(n, "fee")) != NULL) {
            static const char *const fee_keys[] = {"total", "copay", NULL};
            const struct core_yaml_node *t, *c;
            if (check_map(r, v, "field 'fee'", fee_keys) &&
                (t = required(r, v, "total", "field 'fee'")) != NULL &&
                (c = required(r, v, "copay", "field 'fee'")) != NULL &&
                get_int(r, t, "total", 0, INT32_MAX, &x->fee_total) &&
                get_int(r, c, "copay", 0, INT32_MAX, &x->fee_copay)) {
                if (x->fee_copay > x->fee_total)
                    problem(r, c, "field 'copay': more than the total");
                else
                    x->fee_given = true;
            }
            ok = x->fee_given && ok;
        }
        if ((v = core_yaml_get(n, "route")) != NULL) {
            if (get_enum(r, v, "route", route_words, &w))
                x->route = (enum scenario_route)w;
            else
                ok = false;
        }
        if ((v = core_yaml_get(n, "limit_applied")) != NULL)
            ok = (x->limit_applied_given = get_bool(r, v, "limit_applied", &x->limit_applied)) && ok;
        if ((v = core_yaml_get(n, "claim_error")) != NULL)
            ok = (x->claim_error_given = get_bool(r, v, "claim_error", &x->claim_error)) && ok;
        break;
    case SCENARIO_EXPECT_ONLINE_CHECK:
        if (get_enum(r, key, "online_check", check_words, &w))
            x->check = (enum scenario_check_result)w;
        else
            ok = false;
        if ((v = core_yaml_get(n, "clinic")) != NULL)
            ok = get_ref(r, v, "clinic", &r->clinics, "clinic", &x->clinic) && ok;
        if ((v = core_yaml_get(n, "warning")) != NULL) {
            if (get_enum(r, v, "warning", warning_words, &w))
                x->warning = (enum scenario_warning)w;
            else
                ok = false;
        }
        break;
    case SCENARIO_EXPECT_RECEIVED:
        if (get_enum(r, key, "received", received_words, &w))
            x->received = w == 0 ? SCENARIO_DOC_CERTIFICATE : SCENARIO_DOC_NOTICE;
        else
            ok = false;
        if ((v = required(r, n, "by", what)) != NULL && get_date(r, v, "by", &x->by))
            ok = in_period(r, v, "field 'by':", x->by) && ok;
        else
            ok = false;
        if ((v = core_yaml_get(n, "type")) != NULL) {
            if (x->received != SCENARIO_DOC_NOTICE) {
                problem(r, v, "field 'type': only notices have a type (A or B)");
                ok = false;
            } else if (get_enum(r, v, "type", notice_type_words, &w)) {
                x->notice_type = (enum scenario_notice_type)w;
            } else {
                ok = false;
            }
        }
        break;
    case SCENARIO_EXPECT_GAP_DAYS:
        if ((v = core_yaml_get(n, "first_gap")) != NULL)
            ok = get_date(r, v, "first_gap", &x->first_gap) &&
                 in_period(r, v, "field 'first_gap':", x->first_gap) && ok;
        ok = get_range(r, key, expect_words[form], &x->count) && ok;
        break;
    case SCENARIO_EXPECT_DEGRADED_DAYS:
    case SCENARIO_EXPECT_GRACE_DAYS:
    case SCENARIO_EXPECT_CLAIM_ERRORS:
        ok = get_range(r, key, expect_words[form], &x->count) && ok;
        break;
    case SCENARIO_EXPECT_USAGE_RATE:
        ok = get_usage_rate(r, key, x) && ok;
        break;
    }
    return ok;
}

static void read_expects(struct reader *r, const struct core_yaml_node *list)
{
    struct scenario *s = r->s;
    if (!need_list(r, list, "expect"))
        return;
    s->expects = alloc_array(r, list->count, sizeof *s->expects);
    if (s->expects == NULL)
        return;
    for (size_t i = 0; i < list->count; i++)
        if (read_expect(r, list->items[i], &s->expects[s->expect_count]))
            s->expect_count++;
}

static void read_population(struct reader *r, const struct core_yaml_node *n)
{
    static const char *const keys[] = {"size", "mix", "insurers", NULL};
    struct scenario_population *p = &r->s->population;
    p->pos = pos_of(n);
    p->mix = "national";
    p->insurers_generated = true;
    if (!check_map(r, n, "field 'population'", keys))
        return;
    const struct core_yaml_node *v = required(r, n, "size", "field 'population'");
    bool ok = v != NULL && get_int(r, v, "size", 1, 200000000, &p->size);
    if ((v = core_yaml_get(n, "mix")) != NULL) {
        /* reported whatever `size` was: every problem of the file is reported */
        bool mix_ok = get_text(r, v, "mix", 1024, &p->mix);
        if (mix_ok && p->mix[0] == '\0') {
            problem(r, v, "field 'mix': empty");
            mix_ok = false;
        }
        ok = mix_ok && ok;
    }
    static const char *const insurers_words[] = {"generated", NULL};
    int w;
    if ((v = core_yaml_get(n, "insurers")) != NULL)
        ok = get_enum(r, v, "insurers", insurers_words, &w) && ok;
    r->s->has_population = ok;
}

/* ---- the file ---------------------------------------------------------------------------------------- */

/* A field new in format 2 (`tags:`, an expectation's `name:`) in a file that says `format: 1`: the file
 * declared the format it was written to, and that format has no such field (docs/SCENARIO-FORMAT.md,
 * Format versions). A file without `format:` is read as the newest format. */
static bool format_has(struct reader *r, const struct core_yaml_node *n, const char *field, int since)
{
    if (r->s->format >= since)
        return true;
    problem(r, n, "field '%s' is new in format %d; this file says format %d (write 'format: %d')", field,
            since, r->s->format, since);
    return false;
}

/* An expectation's `name:`: one line of text, at most 200 bytes, not empty. */
static bool get_label(struct reader *r, const struct core_yaml_node *n, const char *field, const char **out)
{
    if (!format_has(r, n, field, 2) || !get_text(r, n, field, 200, out))
        return false;
    if ((*out)[0] == '\0' || strpbrk(*out, "\n\r\t") != NULL) {
        problem(r, n, "field '%s': one line of text, not empty", field);
        *out = NULL;
        return false;
    }
    return true;
}

/* `tags:` a list of distinct names (lower-case letters, digits and '-'), what `mynasim run --tags` selects. */
static void read_tags(struct reader *r, const struct core_yaml_node *n)
{
    struct scenario *s = r->s;
    if (!format_has(r, n, "tags", 2) || !need_list(r, n, "tags") || n->count == 0)
        return;
    s->tags = alloc_array(r, n->count, sizeof *s->tags);
    if (s->tags == NULL)
        return;
    for (size_t i = 0; i < n->count; i++) {
        const char *t;
        if (!get_text(r, n->items[i], "tags", 64, &t))
            continue;
        if (!name_ok(t, strlen(t))) {
            problem(r, n->items[i], "field 'tags': '%s' is not a name (lower-case letters, digits and '-')",
                    t);
            continue;
        }
        bool dup = false;
        for (size_t k = 0; k < s->tag_count && !dup; k++)
            dup = strcmp(s->tags[k], t) == 0;
        if (dup) {
            problem(r, n->items[i], "field 'tags': '%s' is given twice", t);
            continue;
        }
        s->tags[s->tag_count++] = t;
    }
}

/* `format` first: a newer file is refused with that one message (its new keys would only look unknown). */
static bool read_format(struct reader *r, const struct core_yaml_node *root)
{
    const struct core_yaml_node *f = core_yaml_get(root, "format");
    r->s->format = SCENARIO_FORMAT_VERSION;
    if (f == NULL)
        return true;
    long long v;
    if (!get_int(r, f, "format", 1, INT32_MAX, &v))
        return true;
    if (v > SCENARIO_FORMAT_VERSION) {
        problem(r, f,
                "format %lld is newer than this mynasim reads (format %d): this file needs a mynasim that "
                "reads format %lld",
                v, SCENARIO_FORMAT_VERSION, v);
        return false;
    }
    r->s->format = (int)v;
    return true;
}

static void read_root(struct reader *r)
{
    static const char *const keys[] = {"format", "scenario", "description", "period",  "policy",
                                       "seed",   "outages",  "insurers",    "clinics", "residents",
                                       "events", "expect",   "population",  "tags",    NULL};
    struct scenario *s = r->s;
    const struct core_yaml_node *root = r->doc->root, *v;
    s->name = s->description = "";
    s->period.from = s->period.to = CORE_DAY_NONE;
    if (root == NULL || root->kind != CORE_YAML_MAP) {
        static const struct core_yaml_node start = {.kind = CORE_YAML_SCALAR, .line = 1, .column = 1};
        problem(r, root != NULL ? root : &start,
                "a scenario file is a mapping with 'scenario:', 'period:' and 'residents:' or "
                "'population:'");
        return;
    }
    if (!read_format(r, root))
        return;
    check_map(r, root, "a scenario", keys);
    if ((v = required(r, root, "scenario", "scenario file")) != NULL &&
        get_text(r, v, "scenario", 128, &s->name) && !name_ok(s->name, strlen(s->name)))
        problem(r, v, "field 'scenario': '%s' is not a name (lower-case letters, digits and '-')", s->name);
    if ((v = core_yaml_get(root, "description")) != NULL)
        get_text(r, v, "description", 65536, &s->description);
    if ((v = core_yaml_get(root, "tags")) != NULL)
        read_tags(r, v);
    if ((v = required(r, root, "period", "scenario file")) != NULL) {
        struct scenario_period p;
        if (get_period(r, v, "period", &p))
            s->period = p;
    }
    read_policy(r, core_yaml_get(root, "policy"));
    long long seed;
    if ((v = core_yaml_get(root, "seed")) != NULL && get_int(r, v, "seed", 0, LLONG_MAX, &seed)) {
        s->seed_given = true;
        s->seed = (uint64_t)seed;
    }
    if ((v = core_yaml_get(root, "outages")) != NULL)
        get_periods(r, v, "outages", &s->outages, &s->outage_count);

    const struct core_yaml_node *ins = core_yaml_get(root, "insurers"), *cl = core_yaml_get(root, "clinics");
    const struct core_yaml_node *res = core_yaml_get(root, "residents"),
                                *pop = core_yaml_get(root, "population");
    if (ins != NULL && need_list_max(r, ins, "insurers", SCENARIO_MAX_INSURERS) && ins->count > 0) {
        s->insurers = alloc_array(r, ins->count, sizeof *s->insurers);
        if (s->insurers != NULL) {
            s->insurer_count = ins->count;
            for (size_t i = 0; i < ins->count; i++)
                read_insurer(r, ins->items[i], &s->insurers[i]);
        }
    }
    table_build(r, &r->insurers, "insurer", s->insurers != NULL ? s->insurers[0].id : NULL,
                sizeof *s->insurers, insurer_pos, s->insurer_count);
    /* two insurers cannot share a number */
    for (size_t i = 0; i < s->insurer_count; i++)
        for (size_t j = i + 1; j < s->insurer_count && s->insurers[i].number[0] != '\0'; j++)
            if (strcmp(s->insurers[i].number, s->insurers[j].number) == 0)
                problem(r, core_yaml_get(ins->items[j], "number"),
                        "field 'number': also the number of insurer '%s'", s->insurers[i].id);
    if (cl != NULL && need_list_max(r, cl, "clinics", SCENARIO_MAX_CLINICS) && cl->count > 0) {
        s->clinics = alloc_array(r, cl->count, sizeof *s->clinics);
        if (s->clinics != NULL) {
            s->clinic_count = cl->count;
            for (size_t i = 0; i < cl->count; i++)
                read_clinic(r, cl->items[i], &s->clinics[i]);
        }
    }
    table_build(r, &r->clinics, "clinic", s->clinics != NULL ? s->clinics[0].id : NULL, sizeof *s->clinics,
                clinic_pos, s->clinic_count);
    if (res != NULL && need_list_max(r, res, "residents", SCENARIO_MAX_RESIDENTS) && res->count > 0) {
        s->residents = alloc_array(r, res->count, sizeof *s->residents);
        r->rrefs = calloc(res->count, sizeof *r->rrefs);
        if (r->rrefs == NULL)
            r->oom = true;
        if (s->residents != NULL && r->rrefs != NULL) {
            s->resident_count = res->count;
            for (size_t i = 0; i < res->count; i++)
                read_resident(r, res->items[i], &s->residents[i], &r->rrefs[i]);
        }
    }
    table_build(r, &r->residents, "resident", s->residents != NULL ? s->residents[0].id : NULL,
                sizeof *s->residents, resident_pos, s->resident_count);
    check_residents(r);
    if (res == NULL && pop == NULL)
        problem(r, root, "a scenario needs 'residents:', 'population:' or both");
    if ((v = core_yaml_get(root, "events")) != NULL)
        read_events(r, v);
    if ((v = core_yaml_get(root, "expect")) != NULL)
        read_expects(r, v);
    if (pop != NULL)
        read_population(r, pop);
}

static const char *dir_of(struct arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return ".";
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    char *d = arena_alloc(a, len + 1);
    if (d == NULL)
        return ".";
    memcpy(d, path, len);
    d[len] = '\0';
    return d;
}

static CORE_MUST_USE int load_doc(const struct core_yaml_doc *doc, const char *base_dir,
                                  const char *policy_given, struct scenario **out,
                                  struct scenario_diags *diags)
{
    struct arena *arena = calloc(1, sizeof *arena);
    struct scenario *s = arena != NULL ? arena_alloc(arena, sizeof *s) : NULL;
    if (s == NULL) {
        arena_free(arena);
        struct core_error e;
        core_error_set(&e, CORE_ENOMEM, doc->file, 0, 0, "out of memory");
        diags_push(diags, &e);
        return CORE_ENOMEM;
    }
    s->arena = arena;
    struct reader r;
    memset(&r, 0, sizeof r);
    r.doc = doc;
    r.s = s;
    r.diags = diags;
    r.arena = arena;
    r.policy_given = policy_given;
    s->file = dup_text(&r, doc->file, strlen(doc->file));
    s->dir = base_dir != NULL ? dup_text(&r, base_dir, strlen(base_dir)) : ".";
    read_root(&r);
    free(r.insurers.entries);
    free(r.clinics.entries);
    free(r.residents.entries);
    free(r.rrefs);
    if (r.oom) {
        struct core_error e;
        core_error_set(&e, CORE_ENOMEM, doc->file, 0, 0, "out of memory");
        diags_push(diags, &e);
    }
    if (diags->count > 0 || diags->omitted > 0) {
        diags_sort(diags);
        scenario_free(s);
        return r.oom ? CORE_ENOMEM : CORE_EINVAL;
    }
    *out = s;
    return CORE_OK;
}

int scenario_load_buffer(const char *name, const char *buf, size_t len, const char *base_dir,
                         struct scenario **out, struct scenario_diags *diags)
{
    return scenario_load_buffer_with_policy(name, buf, len, base_dir, NULL, out, diags);
}

int scenario_load_buffer_with_policy(const char *name, const char *buf, size_t len, const char *base_dir,
                                     const char *policy, struct scenario **out, struct scenario_diags *diags)
{
    *out = NULL;
    struct core_yaml_doc *doc;
    struct core_error e;
    core_error_clear(&e);
    int rc = core_yaml_load_buffer(name, buf, len, &doc, &e);
    if (rc != CORE_OK) {
        diags_push(diags, &e);
        return rc;
    }
    rc = load_doc(doc, base_dir, policy, out, diags);
    core_yaml_free(doc);
    return rc;
}

int scenario_load_file(const char *path, struct scenario **out, struct scenario_diags *diags)
{
    return scenario_load_file_with_policy(path, NULL, out, diags);
}

int scenario_load_file_with_policy(const char *path, const char *policy, struct scenario **out,
                                   struct scenario_diags *diags)
{
    *out = NULL;
    struct core_yaml_doc *doc;
    struct core_error e;
    core_error_clear(&e);
    int rc = core_yaml_load_file(path, &doc, &e);
    if (rc != CORE_OK) {
        diags_push(diags, &e);
        return rc;
    }
    struct arena *tmp = calloc(1, sizeof *tmp);
    if (tmp == NULL) {
        core_yaml_free(doc);
        core_error_set(&e, CORE_ENOMEM, path, 0, 0, "out of memory");
        diags_push(diags, &e);
        return CORE_ENOMEM;
    }
    rc = load_doc(doc, dir_of(tmp, path), policy, out, diags);
    arena_free(tmp);
    core_yaml_free(doc);
    return rc;
}

void scenario_free(struct scenario *s)
{
    if (s == NULL)
        return;
    policy_free(s->policy);
    for (size_t i = 0; i < s->insurer_count; i++)
        policy_free(s->insurers[i].policy);
    arena_free(s->arena);
}

const struct policy *scenario_insurer_policy(const struct scenario *s, int insurer)
{
    if (insurer >= 0 && (size_t)insurer < s->insurer_count && s->insurers[insurer].policy != NULL)
        return s->insurers[insurer].policy;
    return s->policy;
}

int scenario_find_insurer(const struct scenario *s, const char *id)
{
    for (size_t i = 0; i < s->insurer_count; i++)
        if (strcmp(s->insurers[i].id, id) == 0)
            return (int)i;
    return SCENARIO_NONE;
}

int scenario_find_clinic(const struct scenario *s, const char *id)
{
    for (size_t i = 0; i < s->clinic_count; i++)
        if (strcmp(s->clinics[i].id, id) == 0)
            return (int)i;
    return SCENARIO_NONE;
}

int scenario_find_resident(const struct scenario *s, const char *id)
{
    for (size_t i = 0; i < s->resident_count; i++)
        if (strcmp(s->residents[i].id, id) == 0)
            return (int)i;
    return SCENARIO_NONE;
}

/* ---- another policy for a read file (`mynasim run --policy`) ----------------------------------------- */

int scenario_policy_replace(struct scenario *s, const char *name_or_path, struct core_error *err)
{
    for (size_t i = 0; i < s->insurer_count; i++)
        if (s->insurers[i].policy != NULL)
            return core_error_set(
                err, CORE_EINVAL, s->file, s->insurers[i].policy_pos.line, s->insurers[i].policy_pos.column,
                "insurer '%s' overrides policy parameters of the file's policy; --policy cannot "
                "replace it",
                s->insurers[i].id);
    struct policy *p = NULL;
    int rc = policy_load(name_or_path, NULL, &p, err);
    if (rc != CORE_OK)
        return rc;
    policy_free(s->policy);
    s->policy = p;
    s->policy_ref = name_or_path;
    return CORE_OK;
}
