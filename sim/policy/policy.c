/*
 * Policy files: the rules' numbers as data (docs/RULES.md: "a rule names a policy parameter ... never in C code").
 *
 * The table below lists every parameter mynasim knows, with its type and what it means. A file gives each a
 * value, or a list of dated values ({from: D, value: V}, ascending): an amendment is a new row. Lookups
 * answer "the value in force on day D": the last row whose `from` is on or before D.
 *
 * Loading is strict, because a policy that silently ignores a misspelt parameter replays the wrong rules:
 * unknown parameters, wrong types and unordered rows are errors with file:line:column. A root policy (one
 * without `extends:`) must give every parameter a value from the beginning of time: a parameter it leaves
 * out, or whose first row carries a `from:`, is refused naming the parameter, so that no lookup ever fails
 * (or reads 0) because a value is absent. Overlays (`extends:`, an insurer's or a scenario's `policy:`) merge
 * onto a complete policy: a single value replaces the parameter's rows, a dated list replaces them from its
 * first `from:` on and keeps the rows in force before it.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/policy.h"

struct policy_param_def {
    const char *name;
    enum policy_type type;
    const char *doc;
};

/* Every parameter (policy.h, POLICY_PARAMS), with its name, type and meaning. */
static const struct policy_param_def policy_params[] = {
#define X(id, name, type, doc) [POLICY_##id] = {name, type, doc},
    POLICY_PARAMS(X)
#undef X
};

_Static_assert(sizeof policy_params / sizeof policy_params[0] == POLICY_PARAM_COUNT, "policy table size");

struct policy_row {
    core_day from;   /* CORE_DAY_NONE: from the beginning */
    long long value; /* int, bool (0/1) or date (core_day) */
};

struct policy_value {
    size_t count;
    struct policy_row *rows;
};

struct policy {
    char name[128];
    uint64_t serial; /* policy_serial */
    struct policy_value values[POLICY_PARAM_COUNT];
    core_day *changes; /* every dated row's day, ascending, once each (policy_span); NULL: not built */
    size_t nchanges;
};

static atomic_uint_fast64_t policy_serials;

/* A new, empty policy with its own serial. */
static struct policy *policy_alloc(void)
{
    struct policy *p = calloc(1, sizeof *p);
    if (p != NULL)
        p->serial = (uint64_t)atomic_fetch_add(&policy_serials, 1) + 1;
    return p;
}

uint64_t policy_serial(const struct policy *p)
{
    return p != NULL ? p->serial : 0;
}

static int day_cmp(const void *a, const void *b)
{
    core_day x = *(const core_day *)a, y = *(const core_day *)b;
    return x < y ? -1 : x > y;
}

/* Builds p->changes once the values are final (a policy is never changed after it is handed out). */
static CORE_MUST_USE int index_changes(struct policy *p)
{
    size_t n = 0;
    for (size_t i = 0; i < POLICY_PARAM_COUNT; i++)
        n += p->values[i].count;
    core_day *c = malloc((n ? n : 1) * sizeof *c);
    if (c == NULL)
        return CORE_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < POLICY_PARAM_COUNT; i++)
        for (size_t j = 0; j < p->values[i].count; j++)
            if (p->values[i].rows[j].from != CORE_DAY_NONE)
                c[k++] = p->values[i].rows[j].from;
    if (k > 1)
        qsort(c, k, sizeof *c, day_cmp);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || c[u - 1] != c[i])
            c[u++] = c[i];
    free(p->changes);
    p->changes = c;
    p->nchanges = u;
    return CORE_OK;
}

void policy_span(const struct policy *p, const int *ids, size_t n, core_day on, core_day *from, core_day *to)
{
    core_day a = INT32_MIN + 1, b = INT32_MAX;
    if (p != NULL && ids != NULL) {
        /* a few parameters: their rows directly */
        for (size_t i = 0; i < n; i++) {
            if (ids[i] < 0 || ids[i] >= POLICY_PARAM_COUNT)
                continue;
            const struct policy_value *v = &p->values[ids[i]];
            for (size_t k = 0; k < v->count; k++) {
                core_day f = v->rows[k].from;
                if (f == CORE_DAY_NONE)
                    continue;
                if (f <= on && f > a)
                    a = f;
                if (f > on && f - 1 < b)
                    b = f - 1;
            }
        }
    } else if (p != NULL) {
        /* every parameter: the first change after `on` among all rows, by bisection */
        size_t lo = 0, hi = p->nchanges;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (p->changes[mid] <= on)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0)
            a = p->changes[lo - 1];
        if (lo < p->nchanges)
            b = p->changes[lo] - 1;
    }
    *from = a;
    *to = b;
}

static const char *const policy_top_keys[] = {"policy", "description", "extends", NULL};

void policy_free(struct policy *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < POLICY_PARAM_COUNT; i++)
        free(p->values[i].rows);
    free(p->changes);
    free(p);
}

const char *policy_name(const struct policy *p)
{
    return p->name;
}

/*
 * Lookups by name are on every hot path (the desk, the co-payment, the invariants' breakpoints), so the name is
 * hashed into a small open-addressed index of the table, built once, and confirmed with a single strcmp: the
 * answer is the same as a scan of the table, without forty string comparisons per lookup.
 */
#define POLICY_INDEX_SLOTS 256 /* a power of two, well over twice POLICY_PARAM_COUNT */

_Static_assert(POLICY_PARAM_COUNT <= 127 && 2 * POLICY_PARAM_COUNT <= POLICY_INDEX_SLOTS,
               "policy index too small");

static signed char policy_index[POLICY_INDEX_SLOTS]; /* slot -> parameter, -1: empty */
static pthread_once_t policy_index_once = PTHREAD_ONCE_INIT;

/* Cheap on purpose: the length and a few bytes (every name is at least 7 bytes: "copay.x"). A collision only
 * costs a probe; the answer is always confirmed by comparing the whole name. */
static uint32_t name_hash(const char *s, size_t n)
{
    if (n < 7)
        return (uint32_t)n;
    uint32_t h = (uint32_t)n * 2654435761u;
    h ^= (uint32_t)(unsigned char)s[n - 1] * 0x9e3779b1u;
    h ^= (uint32_t)(unsigned char)s[n - 3] * 0x85ebca77u;
    h ^= (uint32_t)(unsigned char)s[n - 5] * 0xc2b2ae3du;
    h ^= (uint32_t)(unsigned char)s[n / 2] * 0x27d4eb2fu;
    h ^= (uint32_t)(unsigned char)s[6] * 0x165667b1u;
    return h ^ (h >> 15);
}

static size_t policy_name_len[POLICY_PARAM_COUNT];

static void policy_index_build(void)
{
    memset(policy_index, -1, sizeof policy_index);
    for (size_t i = 0; i < POLICY_PARAM_COUNT; i++) {
        size_t n = strlen(policy_params[i].name);
        policy_name_len[i] = n;
        uint32_t slot = name_hash(policy_params[i].name, n) & (POLICY_INDEX_SLOTS - 1);
        while (policy_index[slot] >= 0)
            slot = (slot + 1) & (POLICY_INDEX_SLOTS - 1);
        policy_index[slot] = (signed char)i;
    }
}

static int param_index(const char *name)
{
    (void)pthread_once(&policy_index_once, policy_index_build);
    size_t n = strlen(name);
    uint32_t slot = name_hash(name, n) & (POLICY_INDEX_SLOTS - 1);
    for (int i; (i = policy_index[slot]) >= 0; slot = (slot + 1) & (POLICY_INDEX_SLOTS - 1))
        if (policy_name_len[i] == n && memcmp(policy_params[i].name, name, n) == 0)
            return i;
    return -1;
}

/* True when some parameter's name starts with `prefix` followed by a dot: the key is a group. */
static bool is_group(const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < POLICY_PARAM_COUNT; i++)
        if (strncmp(policy_params[i].name, prefix, n) == 0 && policy_params[i].name[n] == '.')
            return true;
    return false;
}

static CORE_MUST_USE int policy_copy(const struct policy *src, struct policy **out)
{
    struct policy *p = policy_alloc();
    if (p == NULL)
        return CORE_ENOMEM;
    memcpy(p->name, src->name, sizeof p->name);
    for (size_t i = 0; i < POLICY_PARAM_COUNT; i++) {
        size_t n = src->values[i].count;
        if (n == 0)
            continue;
        p->values[i].rows = malloc(n * sizeof *p->values[i].rows);
        if (p->values[i].rows == NULL) {
            policy_free(p);
            return CORE_ENOMEM;
        }
        memcpy(p->values[i].rows, src->values[i].rows, n * sizeof *p->values[i].rows);
        p->values[i].count = n;
    }
    *out = p;
    return CORE_OK;
}

static CORE_MUST_USE int read_scalar(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                                     const char *name, enum policy_type type, long long *out,
                                     struct core_error *err)
{
    switch (type) {
    case POLICY_INT:
        return core_yaml_int(doc, node, name, INT32_MIN, INT32_MAX, out, err);
    case POLICY_BOOL: {
        bool b = false;
        int rc = core_yaml_bool(doc, node, name, &b, err);
        *out = b;
        return rc;
    }
    case POLICY_DATE: {
        core_day d = 0;
        int rc = core_yaml_date(doc, node, name, &d, err);
        *out = d;
        return rc;
    }
    }
    return CORE_EINVAL;
}

static CORE_MUST_USE int read_value(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                                    int idx, struct policy_value *out, struct core_error *err)
{
    const struct policy_param_def *def = &policy_params[idx];
    if (node != NULL && node->kind == CORE_YAML_SEQ) {
        if (node->count == 0)
            return core_yaml_error(doc, node, err, CORE_EINVAL, "parameter '%s': empty list of dated values",
                                   def->name);
        /* Room for the base's rows that stay in force before the list's first `from` (set below). */
        struct policy_row *rows = calloc(node->count + out->count, sizeof *rows);
        if (rows == NULL)
            return core_yaml_error(doc, node, err, CORE_ENOMEM, "out of memory");
        static const char *const row_keys[] = {"from", "value", NULL};
        for (size_t i = 0; i < node->count; i++) {
            const struct core_yaml_node *row = node->items[i], *v;
            int rc = core_yaml_check_keys(doc, row, row_keys, err);
            if (rc == CORE_OK)
                rc = core_yaml_require(doc, row, "value", &v, err);
            if (rc == CORE_OK)
                rc = read_scalar(doc, v, def->name, def->type, &rows[i].value, err);
            const struct core_yaml_node *from = core_yaml_get(row, "from");
            rows[i].from = CORE_DAY_NONE;
            if (rc == CORE_OK && from != NULL)
                rc = core_yaml_date(doc, from, "from", &rows[i].from, err);
            if (rc == CORE_OK && from == NULL && i > 0)
                rc = core_yaml_error(doc, row, err, CORE_EINVAL,
                                     "parameter '%s': every row after the first needs 'from'", def->name);
            if (rc == CORE_OK && i > 0 && rows[i - 1].from != CORE_DAY_NONE &&
                rows[i].from <= rows[i - 1].from)
                rc = core_yaml_error(doc, from, err, CORE_EINVAL,
                                     "parameter '%s': rows must be in ascending order of 'from'", def->name);
            if (rc != CORE_OK) {
                free(rows);
                return rc;
            }
        }
        /* Merge onto the base: its rows before the list's first `from` stay (none when the list's first row
         * has no `from`: the list replaces the parameter whole). */
        size_t keep = 0;
        if (rows[0].from != CORE_DAY_NONE)
            while (keep < out->count &&
                   (out->rows[keep].from == CORE_DAY_NONE || out->rows[keep].from < rows[0].from))
                keep++;
        if (keep > 0) {
            memmove(rows + keep, rows, node->count * sizeof *rows);
            memcpy(rows, out->rows, keep * sizeof *rows);
        }
        free(out->rows);
        out->rows = rows;
        out->count = keep + node->count;
        return CORE_OK;
    }
    struct policy_row row = {CORE_DAY_NONE, 0};
    int rc = read_scalar(doc, node, def->name, def->type, &row.value, err);
    if (rc != CORE_OK)
        return rc;
    struct policy_row *rows = malloc(sizeof *rows);
    if (rows == NULL)
        return core_yaml_error(doc, node, err, CORE_ENOMEM, "out of memory");
    rows[0] = row;
    free(out->rows);
    out->rows = rows;
    out->count = 1;
    return CORE_OK;
}

/* Walks a mapping of parameters; `prefix` is the dotted path so far ("" at the top). */
static CORE_MUST_USE int apply_map(struct policy *p, const struct core_yaml_doc *doc,
                                   const struct core_yaml_node *map, const char *prefix, bool top,
                                   struct core_error *err)
{
    if (map->kind != CORE_YAML_MAP)
        return core_yaml_error(doc, map, err, CORE_EINVAL, "%s%s%sexpected a mapping of policy parameters",
                               prefix[0] ? "'" : "", prefix, prefix[0] ? "': " : "");
    for (size_t i = 0; i < map->count; i++) {
        const struct core_yaml_node *key = map->keys[i], *val = map->items[i];
        if (top) {
            bool meta = false;
            for (const char *const *k = policy_top_keys; *k != NULL; k++)
                meta = meta || strcmp(key->value, *k) == 0;
            if (meta)
                continue;
        }
        char path[256];
        int n = snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key->value);
        if (n < 0 || (size_t)n >= sizeof path)
            return core_yaml_error(doc, key, err, CORE_EINVAL, "parameter name too long");
        int idx = param_index(path);
        int rc;
        if (idx >= 0)
            rc = read_value(doc, val, idx, &p->values[idx], err);
        else if (is_group(path))
            rc = apply_map(p, doc, val, path, false, err);
        else
            rc = core_yaml_error(doc, key, err, CORE_EINVAL, "unknown policy parameter '%s'", path);
        if (rc != CORE_OK)
            return rc;
    }
    return CORE_OK;
}

int policy_override(const struct policy *base, const struct core_yaml_doc *doc,
                    const struct core_yaml_node *map, struct policy **out, struct core_error *err)
{
    struct policy *p;
    if (policy_copy(base, &p) != CORE_OK)
        return core_error_set(err, CORE_ENOMEM, doc->file, 0, 0, "out of memory");
    int rc = apply_map(p, doc, map, "", false, err);
    if (rc == CORE_OK && index_changes(p) != CORE_OK)
        rc = core_error_set(err, CORE_ENOMEM, doc->file, 0, 0, "out of memory");
    if (rc != CORE_OK) {
        policy_free(p);
        return rc;
    }
    *out = p;
    return CORE_OK;
}

bool policy_is_shipped_name(const char *s)
{
    if (s[0] == '\0')
        return false;
    for (const char *c = s; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            return false;
    return true;
}

/* The node that says most about where parameter `name` belongs: the deepest mapping on its dotted path
 * that the file has (the root when it has none of it). */
static const struct core_yaml_node *deepest_on_path(const struct core_yaml_node *root, const char *name,
                                                    const struct core_yaml_node **value)
{
    const struct core_yaml_node *at = root;
    char part[128];
    *value = NULL;
    for (const char *s = name;;) {
        const char *dot = strchr(s, '.');
        size_t n = dot != NULL ? (size_t)(dot - s) : strlen(s);
        if (n >= sizeof part)
            return at;
        memcpy(part, s, n);
        part[n] = '\0';
        const struct core_yaml_node *next = core_yaml_get(at, part);
        if (next == NULL)
            return at;
        if (dot == NULL) {
            *value = next;
            return at;
        }
        at = next;
        s = dot + 1;
    }
}

/* A root policy gives every parameter, each from the beginning of time (the file's header comment). */
static CORE_MUST_USE int check_complete(const struct policy *p, const struct core_yaml_doc *doc,
                                        struct core_error *err)
{
    for (size_t i = 0; i < POLICY_PARAM_COUNT; i++) {
        const struct policy_value *v = &p->values[i];
        const struct core_yaml_node *value, *at = deepest_on_path(doc->root, policy_params[i].name, &value);
        if (v->count == 0)
            return core_yaml_error(
                doc, at, err, CORE_EINVAL,
                "policy '%s' has no 'extends' and lacks parameter '%s' (%s): a root policy "
                "gives every parameter (docs/RULES.md, Policy parameters)",
                p->name, policy_params[i].name, policy_params[i].doc);
        if (v->rows[0].from != CORE_DAY_NONE) {
            const struct core_yaml_node *row =
                value != NULL && value->kind == CORE_YAML_SEQ && value->count > 0 ? value->items[0] : at;
            char day[11];
            core_date_format(v->rows[0].from, day);
            return core_yaml_error(doc, row, err, CORE_EINVAL,
                                   "parameter '%s' has no value before %s: in a policy without 'extends' its "
                                   "first row has no 'from'",
                                   policy_params[i].name, day);
        }
    }
    return CORE_OK;
}

static CORE_MUST_USE int load_depth(const char *path, int depth, struct policy **out, struct core_error *err);

static CORE_MUST_USE int load_ref(const char *name_or_path, const char *base_dir, int depth,
                                  struct policy **out, struct core_error *err)
{
    char path[PATH_MAX];
    if (policy_is_shipped_name(name_or_path)) {
        char rel[300];
        snprintf(rel, sizeof rel, "policies/%s.yaml", name_or_path);
        int rc = policy_find_data(rel, path, sizeof path, err);
        if (rc != CORE_OK)
            return core_error_set(err, CORE_ENOTFOUND, "", 0, 0,
                                  "no shipped policy named '%s' (shipped: national, as-announced-2024)",
                                  name_or_path);
    } else if (name_or_path[0] == '/' || base_dir == NULL || base_dir[0] == '\0') {
        snprintf(path, sizeof path, "%s", name_or_path);
    } else {
        int n = snprintf(path, sizeof path, "%s/%s", base_dir, name_or_path);
        if (n < 0 || (size_t)n >= sizeof path)
            return core_error_set(err, CORE_EINVAL, name_or_path, 0, 0, "path too long");
    }
    return load_depth(path, depth, out, err);
}

static CORE_MUST_USE int load_depth(const char *path, int depth, struct policy **out, struct core_error *err)
{
    if (depth > 8)
        return core_error_set(err, CORE_EINVAL, path, 0, 0, "'extends' nested more than 8 deep (a cycle?)");
    struct core_yaml_doc *doc;
    int rc = core_yaml_load_file(path, &doc, err);
    if (rc != CORE_OK)
        return rc;
    const struct core_yaml_node *root = doc->root;
    struct policy *p = NULL;
    if (root == NULL) {
        /* An empty file: say what it lacks, from its first line. */
        rc = core_error_set(err, CORE_EINVAL, doc->file, 1, 1,
                            "empty policy file: it lacks 'policy: NAME' and every parameter, the first '%s' "
                            "(docs/RULES.md, Policy parameters)",
                            policy_params[0].name);
        goto done;
    }
    if (root->kind != CORE_YAML_MAP) {
        rc = core_yaml_error(doc, root, err, CORE_EINVAL, "a policy file is a mapping with 'policy: NAME'");
        goto done;
    }
    const struct core_yaml_node *name, *ext = core_yaml_get(root, "extends"),
                                       *desc = core_yaml_get(root, "description");
    rc = core_yaml_require(doc, root, "policy", &name, err);
    if (rc == CORE_OK && desc != NULL && desc->kind != CORE_YAML_SCALAR)
        rc = core_yaml_error(doc, desc, err, CORE_EINVAL, "field 'description': expected text");
    if (rc != CORE_OK)
        goto done;
    if (ext != NULL) {
        char ref[256], dir[PATH_MAX];
        rc = core_yaml_string(doc, ext, "extends", ref, sizeof ref, err);
        if (rc != CORE_OK)
            goto done;
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash != NULL)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        rc = load_ref(ref, dir, depth + 1, &p, err);
        if (rc != CORE_OK)
            goto done;
    } else {
        p = policy_alloc();
        if (p == NULL) {
            rc = core_error_set(err, CORE_ENOMEM, path, 0, 0, "out of memory");
            goto done;
        }
    }
    rc = core_yaml_string(doc, name, "policy", p->name, sizeof p->name, err);
    if (rc == CORE_OK)
        rc = apply_map(p, doc, root, "", true, err);
    if (rc == CORE_OK && ext == NULL)
        rc = check_complete(p, doc, err);
    if (rc == CORE_OK && index_changes(p) != CORE_OK)
        rc = core_error_set(err, CORE_ENOMEM, path, 0, 0, "out of memory");
done:
    core_yaml_free(doc);
    if (rc != CORE_OK) {
        policy_free(p);
        return rc;
    }
    *out = p;
    return CORE_OK;
}

int policy_load_file(const char *path, struct policy **out, struct core_error *err)
{
    return load_depth(path, 0, out, err);
}

int policy_load_named(const char *name, struct policy **out, struct core_error *err)
{
    if (!policy_is_shipped_name(name))
        return core_error_set(err, CORE_EINVAL, "", 0, 0, "'%s' is not a policy name ([a-z0-9-]+)", name);
    return load_ref(name, NULL, 0, out, err);
}

int policy_load(const char *name_or_path, const char *base_dir, struct policy **out, struct core_error *err)
{
    return load_ref(name_or_path, base_dir, 0, out, err);
}

/* Every lookup marks its parameter here (policy_reads_take): one OR on a thread-local word. */
_Static_assert(POLICY_PARAM_COUNT <= 64, "policy_reads_take has one bit per parameter");
static _Thread_local uint64_t policy_reads;

uint64_t policy_reads_take(void)
{
    uint64_t r = policy_reads;
    policy_reads = 0;
    return r;
}

uint64_t policy_changes_on(const struct policy *p, core_day day)
{
    uint64_t m = 0;
    if (p == NULL || day == CORE_DAY_NONE)
        return 0;
    for (size_t i = 0; i < POLICY_PARAM_COUNT; i++)
        for (size_t k = 0; k < p->values[i].count; k++)
            if (p->values[i].rows[k].from == day)
                m |= UINT64_C(1) << i;
    return m;
}

static const struct policy_row *row_at(const struct policy *p, int idx, enum policy_type type, core_day on)
{
    if (p == NULL || idx < 0 || (size_t)idx >= POLICY_PARAM_COUNT || policy_params[idx].type != type)
        return NULL;
    policy_reads |= UINT64_C(1) << idx;
    const struct policy_value *v = &p->values[idx];
    const struct policy_row *found = NULL;
    for (size_t i = 0; i < v->count; i++)
        if (v->rows[i].from == CORE_DAY_NONE || v->rows[i].from <= on)
            found = &v->rows[i];
    return found;
}

static const struct policy_row *row_on(const struct policy *p, const char *param, enum policy_type type,
                                       core_day on)
{
    return row_at(p, param_index(param), type, on);
}

int policy_param_id(const char *param)
{
    return param != NULL ? param_index(param) : -1;
}

int policy_int(const struct policy *p, const char *param, core_day on, long long *out)
{
    const struct policy_row *r = row_on(p, param, POLICY_INT, on);
    if (r == NULL)
        return CORE_ENOTFOUND;
    *out = r->value;
    return CORE_OK;
}

int policy_date(const struct policy *p, const char *param, core_day on, core_day *out)
{
    const struct policy_row *r = row_on(p, param, POLICY_DATE, on);
    if (r == NULL)
        return CORE_ENOTFOUND;
    *out = (core_day)r->value;
    return CORE_OK;
}

int policy_bool(const struct policy *p, const char *param, core_day on, bool *out)
{
    const struct policy_row *r = row_on(p, param, POLICY_BOOL, on);
    if (r == NULL)
        return CORE_ENOTFOUND;
    *out = r->value != 0;
    return CORE_OK;
}

int policy_int_id(const struct policy *p, int id, core_day on, long long *out)
{
    const struct policy_row *r = row_at(p, id, POLICY_INT, on);
    if (r == NULL)
        return CORE_ENOTFOUND;
    *out = r->value;
    return CORE_OK;
}

int policy_date_id(const struct policy *p, int id, core_day on, core_day *out)
{
    const struct policy_row *r = row_at(p, id, POLICY_DATE, on);
    if (r == NULL)
        return CORE_ENOTFOUND;
    *out = (core_day)r->value;
    return CORE_OK;
}

int policy_bool_id(const struct policy *p, int id, core_day on, bool *out)
{
    const struct policy_row *r = row_at(p, id, POLICY_BOOL, on);
    if (r == NULL)
        return CORE_ENOTFOUND;
    *out = r->value != 0;
    return CORE_OK;
}

static CORE_MUST_USE bool try_dir(const char *dir, const char *relative, char *out, size_t cap)
{
    if (dir == NULL || dir[0] == '\0')
        return false;
    int n = snprintf(out, cap, "%s/%s", dir, relative);
    return n > 0 && (size_t)n < cap && access(out, R_OK) == 0;
}

int policy_find_data(const char *relative, char *out, size_t cap, struct core_error *err)
{
    if (try_dir(getenv("MYNASIM_DATA_DIR"), relative, out, cap))
        return CORE_OK;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash != NULL) {
            *slash = '\0';
            char dir[PATH_MAX + 32];
            snprintf(dir, sizeof dir, "%s/../share/mynasim", exe);
            if (try_dir(dir, relative, out, cap))
                return CORE_OK;
        }
    }
#ifdef MYNASIM_DATADIR
    if (try_dir(MYNASIM_DATADIR, relative, out, cap))
        return CORE_OK;
#endif
#ifdef MYNASIM_SOURCE_DIR
    if (try_dir(MYNASIM_SOURCE_DIR "/fixtures", relative, out, cap))
        return CORE_OK;
#endif
    return core_error_set(err, CORE_ENOTFOUND, relative, 0, 0,
                          "shipped file not found (looked in $MYNASIM_DATA_DIR, <bin>/../share/mynasim, the "
                          "install prefix and the source tree)");
}
