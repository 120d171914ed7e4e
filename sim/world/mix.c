/*
 * mix.c: the population mix reader (docs/POPULATIONS.md). A mix file is YAML read through core's reader, so
 * every node keeps its position; every field is checked strictly, as scenario and policy files are: unknown
 * keys, wrong types, values out of range, bands that leave a gap and shares that do not sum to 1 (within
 * MIX_SHARE_TOLERANCE) are refused with `file:line:column: what`.
 *
 * Shares and rates are decimal numbers, which core's YAML getters do not read: num() below parses them
 * strictly (the whole scalar, unquoted, finite). The first problem found is reported.
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/mix_int.h"

struct mreader {
    const struct core_yaml_doc *doc;
    struct core_error *err;
};

static int bad(struct mreader *r, const struct core_yaml_node *n, const char *field, const char *what)
{
    return core_yaml_error(r->doc, n, r->err, CORE_EINVAL, "field '%s': %s", field, what);
}

/* A decimal number in [min, max]. */
static CORE_MUST_USE int num(struct mreader *r, const struct core_yaml_node *n, const char *field, double min,
                             double max, double *out)
{
    if (n == NULL || n->kind != CORE_YAML_SCALAR || n->quoted || n->len == 0 || n->len > 40)
        return bad(r, n, field, "expected a number");
    char buf[48];
    memcpy(buf, n->value, n->len);
    buf[n->len] = '\0';
    for (size_t i = 0; i < n->len; i++)
        if (!isdigit((unsigned char)buf[i]) && buf[i] != '.' && buf[i] != '-' && buf[i] != '+' &&
            buf[i] != 'e' && buf[i] != 'E')
            return bad(r, n, field, "expected a number");
    char *end = NULL;
    double v = strtod(buf, &end);
    if (end == buf || *end != '\0' || !isfinite(v))
        return bad(r, n, field, "expected a number");
    if (v < min || v > max)
        return core_yaml_error(r->doc, n, r->err, CORE_EINVAL, "field '%s': %g is outside %g..%g", field, v,
                               min, max);
    *out = v;
    return CORE_OK;
}

static CORE_MUST_USE int req_num(struct mreader *r, const struct core_yaml_node *map, const char *key,
                                 double min, double max, double *out)
{
    const struct core_yaml_node *v;
    int rc = core_yaml_require(r->doc, map, key, &v, r->err);
    return rc != CORE_OK ? rc : num(r, v, key, min, max, out);
}

static CORE_MUST_USE int req_int(struct mreader *r, const struct core_yaml_node *map, const char *key,
                                 long long min, long long max, int *out)
{
    const struct core_yaml_node *v;
    long long x = 0;
    int rc = core_yaml_require(r->doc, map, key, &v, r->err);
    if (rc == CORE_OK)
        rc = core_yaml_int(r->doc, v, key, min, max, &x, r->err);
    if (rc == CORE_OK)
        *out = (int)x;
    return rc;
}

static CORE_MUST_USE int req_date(struct mreader *r, const struct core_yaml_node *map, const char *key,
                                  core_day *out)
{
    const struct core_yaml_node *v;
    int rc = core_yaml_require(r->doc, map, key, &v, r->err);
    return rc != CORE_OK ? rc : core_yaml_date(r->doc, v, key, out, r->err);
}

static CORE_MUST_USE int seq_of(struct mreader *r, const struct core_yaml_node *n, const char *field,
                                size_t max)
{
    if (n == NULL || n->kind != CORE_YAML_SEQ)
        return bad(r, n, field, "expected a list");
    if (n->count == 0)
        return bad(r, n, field, "empty list");
    if (n->count > max)
        return core_yaml_error(r->doc, n, r->err, CORE_EINVAL, "field '%s': more than %zu rows", field, max);
    return CORE_OK;
}

static CORE_MUST_USE int sum_is_one(struct mreader *r, const struct core_yaml_node *n, const char *field,
                                    double sum)
{
    if (fabs(sum - 1.0) > MIX_SHARE_TOLERANCE)
        return core_yaml_error(r->doc, n, r->err, CORE_EINVAL,
                               "field '%s': shares sum to %.4f, not 1 (tolerance %.3f)", field, sum,
                               MIX_SHARE_TOLERANCE);
    return CORE_OK;
}

/* Age bands {from, to, <value>}: contiguous from 0, ascending. */
static CORE_MUST_USE int read_ages(struct mreader *r, const struct core_yaml_node *n, const char *field,
                                   const char *vkey, double vmax, bool shares, struct mix_ages *out)
{
    int rc = seq_of(r, n, field, MIX_BANDS_MAX);
    if (rc != CORE_OK)
        return rc;
    const char *keys[] = {"from", "to", vkey, NULL};
    double sum = 0;
    out->n = 0;
    for (size_t i = 0; i < n->count; i++) {
        const struct core_yaml_node *row = n->items[i];
        if ((rc = core_yaml_check_keys(r->doc, row, keys, r->err)) != CORE_OK)
            return rc;
        int from, to;
        double v;
        if ((rc = req_int(r, row, "from", 0, 120, &from)) != CORE_OK ||
            (rc = req_int(r, row, "to", 0, 120, &to)) != CORE_OK ||
            (rc = req_num(r, row, vkey, 0, vmax, &v)) != CORE_OK)
            return rc;
        int want = i == 0 ? 0 : out->to[i - 1] + 1;
        if (from != want)
            return core_yaml_error(r->doc, row, r->err, CORE_EINVAL,
                                   "field '%s': band starts at %d, expected %d (bands are contiguous from 0)",
                                   field, from, want);
        if (to < from)
            return core_yaml_error(r->doc, row, r->err, CORE_EINVAL,
                                   "field '%s': 'to' %d is before 'from' %d", field, to, from);
        out->from[i] = from;
        out->to[i] = to;
        out->v[i] = v;
        out->n++;
        sum += v;
    }
    return shares ? sum_is_one(r, n, field, sum) : CORE_OK;
}

/* "YYYY-MM" as the first day of the month. */
static CORE_MUST_USE int month(struct mreader *r, const struct core_yaml_node *n, const char *field,
                               core_day *out)
{
    if (n == NULL || n->kind != CORE_YAML_SCALAR || n->len != 7 || n->value[4] != '-')
        return bad(r, n, field, "expected a month YYYY-MM");
    char buf[11];
    memcpy(buf, n->value, 7);
    memcpy(buf + 7, "-01", 4);
    if (core_date_parse(buf, 10, out) != CORE_OK)
        return bad(r, n, field, "expected a month YYYY-MM");
    return CORE_OK;
}

/* Month rows {month, <vkey>...}: ascending months. Reads up to two values (vkey2 may be NULL). */
static CORE_MUST_USE int read_months(struct mreader *r, const struct core_yaml_node *n, const char *field,
                                     const char *vkey, struct mix_months *out, const char *vkey2,
                                     struct mix_months *out2)
{
    int rc = seq_of(r, n, field, MIX_MONTHS_MAX);
    if (rc != CORE_OK)
        return rc;
    const char *keys[] = {"month", vkey, vkey2, NULL};
    out->n = 0;
    for (size_t i = 0; i < n->count; i++) {
        const struct core_yaml_node *row = n->items[i], *m;
        if ((rc = core_yaml_check_keys(r->doc, row, keys, r->err)) != CORE_OK ||
            (rc = core_yaml_require(r->doc, row, "month", &m, r->err)) != CORE_OK ||
            (rc = month(r, m, "month", &out->month[i])) != CORE_OK ||
            (rc = req_num(r, row, vkey, 0, 1, &out->v[i])) != CORE_OK)
            return rc;
        if (vkey2 != NULL) {
            if ((rc = req_num(r, row, vkey2, 0, 1, &out2->v[i])) != CORE_OK)
                return rc;
            out2->month[i] = out->month[i];
            out2->n = (int)i + 1;
        }
        if (i > 0 && out->month[i] <= out->month[i - 1])
            return core_yaml_error(r->doc, m, r->err, CORE_EINVAL,
                                   "field 'month': months must be in ascending order");
        out->n++;
    }
    return CORE_OK;
}

/* A mapping of fixed keys to numbers; `shares`: they sum to 1. */
static CORE_MUST_USE int read_fixed(struct mreader *r, const struct core_yaml_node *n, const char *field,
                                    const char *const *keys, double max, bool shares, double *out)
{
    int rc = core_yaml_check_keys(r->doc, n, keys, r->err);
    if (rc != CORE_OK)
        return rc;
    double sum = 0;
    for (size_t i = 0; keys[i] != NULL; i++) {
        if ((rc = req_num(r, n, keys[i], 0, max, &out[i])) != CORE_OK)
            return rc;
        sum += out[i];
    }
    return shares ? sum_is_one(r, n, field, sum) : CORE_OK;
}

static const char *const kind_keys[] = {"nhi", "latter_elderly", "society", "kyokai", "mutual_aid", NULL};

static CORE_MUST_USE int read_kinds(struct mreader *r, const struct core_yaml_node *n, struct world_mix *m)
{
    int rc = seq_of(r, n, "insurer_kinds", MIX_BANDS_MAX);
    if (rc != CORE_OK)
        return rc;
    const char *keys[] = {"from", "to", "nhi", "latter_elderly", "society", "kyokai", "mutual_aid", NULL};
    m->nkinds = 0;
    for (size_t i = 0; i < n->count; i++) {
        const struct core_yaml_node *row = n->items[i];
        int from, to;
        if ((rc = core_yaml_check_keys(r->doc, row, keys, r->err)) != CORE_OK ||
            (rc = req_int(r, row, "from", 0, 120, &from)) != CORE_OK ||
            (rc = req_int(r, row, "to", 0, 120, &to)) != CORE_OK)
            return rc;
        int want = i == 0 ? 0 : m->kinds_to[i - 1] + 1;
        if (from != want || to < from)
            return core_yaml_error(r->doc, row, r->err, CORE_EINVAL,
                                   "field 'insurer_kinds': band %d..%d, expected one starting at %d", from,
                                   to, want);
        double sum = 0;
        for (int k = 0; k < MIX_KINDS; k++) {
            if ((rc = req_num(r, row, kind_keys[k], 0, 1, &m->kinds[i][k])) != CORE_OK)
                return rc;
            sum += m->kinds[i][k];
        }
        if ((rc = sum_is_one(r, row, "insurer_kinds", sum)) != CORE_OK)
            return rc;
        m->kinds_from[i] = from;
        m->kinds_to[i] = to;
        m->nkinds++;
    }
    return CORE_OK;
}

static CORE_MUST_USE int read_lag(struct mreader *r, const struct core_yaml_node *n, const char *field,
                                  struct mix_lagdist *out)
{
    int rc = seq_of(r, n, field, MIX_LAG_ROWS_MAX);
    if (rc != CORE_OK)
        return rc;
    const char *keys[] = {"days", "share", NULL};
    double sum = 0;
    out->n = 0;
    for (size_t i = 0; i < n->count; i++) {
        const struct core_yaml_node *row = n->items[i];
        if ((rc = core_yaml_check_keys(r->doc, row, keys, r->err)) != CORE_OK ||
            (rc = req_int(r, row, "days", 0, 3650, &out->days[i])) != CORE_OK ||
            (rc = req_num(r, row, "share", 0, 1, &out->share[i])) != CORE_OK)
            return rc;
        sum += out->share[i];
        out->n++;
    }
    return sum_is_one(r, n, field, sum);
}

/* Year rows {year, share}: ascending years, shares sum to 1. */
static CORE_MUST_USE int read_years(struct mreader *r, const struct core_yaml_node *n, const char *field,
                                    struct mix_years *out)
{
    int rc = seq_of(r, n, field, MIX_ISSUE_YEARS_MAX);
    if (rc != CORE_OK)
        return rc;
    const char *keys[] = {"year", "share", NULL};
    double sum = 0;
    out->n = 0;
    for (size_t i = 0; i < n->count; i++) {
        const struct core_yaml_node *row = n->items[i];
        if ((rc = core_yaml_check_keys(r->doc, row, keys, r->err)) != CORE_OK ||
            (rc = req_int(r, row, "year", 1900, 9999, &out->year[i])) != CORE_OK ||
            (rc = req_num(r, row, "share", 0, 1, &out->share[i])) != CORE_OK)
            return rc;
        if (i > 0 && out->year[i] <= out->year[i - 1])
            return core_yaml_error(r->doc, core_yaml_get(row, "year"), r->err, CORE_EINVAL,
                                   "field 'year': years must be in ascending order");
        sum += out->share[i];
        out->n++;
    }
    return sum_is_one(r, n, field, sum);
}

static CORE_MUST_USE int sub(struct mreader *r, const struct core_yaml_node *map, const char *key,
                             const struct core_yaml_node **out)
{
    return core_yaml_require(r->doc, map, key, out, r->err);
}

static CORE_MUST_USE int read_card(struct mreader *r, const struct core_yaml_node *n, struct world_mix *m)
{
    static const char *const keys[] = {"ownership",           "registration",        "face_only", "monthly",
                                       "issued_before_start", "registration_opened", NULL};
    const struct core_yaml_node *v;
    int rc = core_yaml_check_keys(r->doc, n, keys, r->err);
    if (rc == CORE_OK && (rc = sub(r, n, "ownership", &v)) == CORE_OK)
        rc = read_ages(r, v, "ownership", "share", 1, false, &m->own);
    if (rc == CORE_OK && (rc = sub(r, n, "registration", &v)) == CORE_OK)
        rc = read_ages(r, v, "registration", "share", 1, false, &m->reg);
    if (rc == CORE_OK)
        rc = req_num(r, n, "face_only", 0, 1, &m->face_only);
    if (rc == CORE_OK && (rc = sub(r, n, "monthly", &v)) == CORE_OK)
        rc = read_months(r, v, "monthly", "get_card", &m->get_card, "register", &m->register_monthly);
    if (rc == CORE_OK && (rc = sub(r, n, "issued_before_start", &v)) == CORE_OK)
        rc = read_years(r, v, "issued_before_start", &m->issued_before_start);
    if (rc == CORE_OK)
        rc = req_date(r, n, "registration_opened", &m->registration_opened);
    return rc;
}

static CORE_MUST_USE int read_paper_card(struct mreader *r, const struct core_yaml_node *n,
                                         struct world_mix *m)
{
    static const char *const keys[] = {"regional_renewal", "employee_joined_from",
                                       "employee_joined_days_before_start", NULL};
    int rc = core_yaml_check_keys(r->doc, n, keys, r->err);
    if (rc == CORE_OK)
        rc = req_date(r, n, "regional_renewal", &m->regional_renewal);
    if (rc == CORE_OK)
        rc = req_date(r, n, "employee_joined_from", &m->employee_joined_from);
    if (rc == CORE_OK)
        rc = req_int(r, n, "employee_joined_days_before_start", 0, 3650,
                     &m->employee_joined_days_before_start);
    return rc;
}

static CORE_MUST_USE int read_households(struct mreader *r, const struct core_yaml_node *n,
                                         struct world_mix *m)
{
    int rc = seq_of(r, n, "household_sizes", MIX_HOUSEHOLD_MAX);
    if (rc != CORE_OK)
        return rc;
    const char *keys[] = {"size", "share", NULL};
    double sum = 0;
    for (size_t i = 0; i < n->count; i++) {
        const struct core_yaml_node *row = n->items[i];
        int size;
        double v;
        if ((rc = core_yaml_check_keys(r->doc, row, keys, r->err)) != CORE_OK ||
            (rc = req_int(r, row, "size", 1, MIX_HOUSEHOLD_MAX, &size)) != CORE_OK ||
            (rc = req_num(r, row, "share", 0, 1, &v)) != CORE_OK)
            return rc;
        if (m->household[size] > 0 || size <= m->household_max)
            return core_yaml_error(r->doc, row, r->err, CORE_EINVAL,
                                   "field 'household_sizes': size %d again or out of ascending order", size);
        m->household[size] = v;
        m->household_max = size;
        sum += v;
    }
    return sum_is_one(r, n, "household_sizes", sum);
}

/* `published: {usage_rate: [{month, rate, source}]}`: ascending months, a rate in 0..1 (kept in millionths,
 * rounded), a source that is non-empty text. */
static CORE_MUST_USE int read_published(struct mreader *r, const struct core_yaml_node *n,
                                        struct mix_published *out)
{
    static const char *const keys[] = {"usage_rate", NULL};
    static const char *const row_keys[] = {"month", "rate", "source", NULL};
    const struct core_yaml_node *rows;
    if (n->kind != CORE_YAML_MAP)
        return bad(r, n, "published", "expected a mapping {usage_rate: [...]}");
    int rc = core_yaml_check_keys(r->doc, n, keys, r->err);
    if (rc == CORE_OK && (rc = sub(r, n, "usage_rate", &rows)) == CORE_OK)
        rc = seq_of(r, rows, "usage_rate", MIX_MONTHS_MAX);
    if (rc != CORE_OK)
        return rc;
    out->n = 0;
    for (size_t i = 0; i < rows->count; i++) {
        const struct core_yaml_node *row = rows->items[i], *m, *src;
        double rate = 0;
        if ((rc = core_yaml_check_keys(r->doc, row, row_keys, r->err)) != CORE_OK ||
            (rc = core_yaml_require(r->doc, row, "month", &m, r->err)) != CORE_OK ||
            (rc = month(r, m, "month", &out->month[i])) != CORE_OK ||
            (rc = req_num(r, row, "rate", 0, 1, &rate)) != CORE_OK ||
            (rc = sub(r, row, "source", &src)) != CORE_OK ||
            (rc = core_yaml_string(r->doc, src, "source", out->source[i], sizeof out->source[i], r->err)) !=
                CORE_OK)
            return rc;
        if (out->source[i][0] == '\0')
            return bad(r, src, "source", "expected where the figure comes from, not an empty text");
        if (i > 0 && out->month[i] <= out->month[i - 1])
            return core_yaml_error(r->doc, m, r->err, CORE_EINVAL,
                                   "field 'month': months must be in ascending order");
        out->ppm[i] = lround(rate * 1e6);
        out->n++;
    }
    return CORE_OK;
}

static CORE_MUST_USE int read_root(struct mreader *r, const struct core_yaml_node *root, struct world_mix *m)
{
    static const char *const keys[] = {"mix",           "description", "age_pyramid", "household_sizes",
                                       "insurer_kinds", "dependents",  "income",      "card",
                                       "presentation",  "yearly",      "visits",      "desk_faults",
                                       "lags",          "paper_card",  "published",   NULL};
    static const char *const dep_keys[] = {"adult_share", NULL};
    static const char *const income_keys[] = {"general", "high", NULL};
    static const char *const rate_keys[] = {"job_change",  "move",      "card_loss",    "withdrawal",
                                            "card_return", "pin_block", "cert_renewal", NULL};
    static const char *const visit_keys[] = {"per_year", "readers", NULL};
    static const char *const reader_keys[] = {"face", "pin", "none", NULL};
    static const char *const fault_keys[] = {"reader_fault", "unshowable_name", "before_reflection", NULL};
    static const char *const lag_keys[] = {"loss_filing", "reissue", "pin_reset", "renewal_ahead", NULL};
    if (root == NULL || root->kind != CORE_YAML_MAP)
        return core_yaml_error(r->doc, root, r->err, CORE_EINVAL, "a mix file is a mapping with 'mix: NAME'");
    const struct core_yaml_node *v;
    int rc = core_yaml_check_keys(r->doc, root, keys, r->err);
    if (rc == CORE_OK && (rc = sub(r, root, "mix", &v)) == CORE_OK)
        rc = core_yaml_string(r->doc, v, "mix", m->name, sizeof m->name, r->err);
    if (rc == CORE_OK && (v = core_yaml_get(root, "description")) != NULL && v->kind != CORE_YAML_SCALAR)
        rc = bad(r, v, "description", "expected text");
    if (rc == CORE_OK && (rc = sub(r, root, "age_pyramid", &v)) == CORE_OK)
        rc = read_ages(r, v, "age_pyramid", "share", 1, true, &m->age);
    if (rc == CORE_OK && (rc = sub(r, root, "household_sizes", &v)) == CORE_OK)
        rc = read_households(r, v, m);
    if (rc == CORE_OK && (rc = sub(r, root, "insurer_kinds", &v)) == CORE_OK)
        rc = read_kinds(r, v, m);
    if (rc == CORE_OK && (rc = sub(r, root, "dependents", &v)) == CORE_OK)
        rc = read_fixed(r, v, "dependents", dep_keys, 1, false, &m->adult_dependent);
    double income[2] = {0, 0};
    if (rc == CORE_OK && (rc = sub(r, root, "income", &v)) == CORE_OK)
        rc = read_fixed(r, v, "income", income_keys, 1, true, income);
    m->income_high = income[1];
    if (rc == CORE_OK && (rc = sub(r, root, "card", &v)) == CORE_OK)
        rc = read_card(r, v, m);
    if (rc == CORE_OK && (rc = sub(r, root, "presentation", &v)) == CORE_OK)
        rc = read_months(r, v, "presentation", "share", &m->present, NULL, NULL);
    if (rc == CORE_OK && (rc = sub(r, root, "yearly", &v)) == CORE_OK)
        rc = read_fixed(r, v, "yearly", rate_keys, 1, false, m->rate);
    if (rc == CORE_OK && (rc = sub(r, root, "visits", &v)) == CORE_OK) {
        const struct core_yaml_node *w;
        rc = core_yaml_check_keys(r->doc, v, visit_keys, r->err);
        if (rc == CORE_OK && (rc = sub(r, v, "per_year", &w)) == CORE_OK)
            rc = read_ages(r, w, "per_year", "visits", 366, false, &m->visits);
        if (rc == CORE_OK && (rc = sub(r, v, "readers", &w)) == CORE_OK)
            rc = read_fixed(r, w, "readers", reader_keys, 1, true, m->reader);
    }
    if (rc == CORE_OK && (rc = sub(r, root, "desk_faults", &v)) == CORE_OK)
        rc = read_fixed(r, v, "desk_faults", fault_keys, 1, false, m->fault);
    if (rc == CORE_OK && (rc = sub(r, root, "lags", &v)) == CORE_OK) {
        rc = core_yaml_check_keys(r->doc, v, lag_keys, r->err);
        for (int k = 0; rc == CORE_OK && k < MIX_LAG_COUNT; k++) {
            const struct core_yaml_node *w;
            if ((rc = sub(r, v, lag_keys[k], &w)) == CORE_OK)
                rc = read_lag(r, w, lag_keys[k], &m->lag[k]);
        }
    }
    if (rc == CORE_OK && (rc = sub(r, root, "paper_card", &v)) == CORE_OK)
        rc = read_paper_card(r, v, m);
    if (rc == CORE_OK && (v = core_yaml_get(root, "published")) != NULL)
        rc = read_published(r, v, &m->published);
    return rc;
}

static CORE_MUST_USE int load_doc(struct core_yaml_doc *doc, struct world_mix **out, struct core_error *err)
{
    struct world_mix *m = calloc(1, sizeof *m);
    if (m == NULL) {
        core_yaml_free(doc);
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "mix: out of memory");
    }
    struct mreader r = {doc, err};
    int rc = read_root(&r, doc->root, m);
    core_yaml_free(doc);
    if (rc != CORE_OK) {
        free(m);
        return rc;
    }
    *out = m;
    return CORE_OK;
}

int world_mix_load_buffer(const char *name, const char *buf, size_t len, struct world_mix **out,
                          struct core_error *err)
{
    *out = NULL;
    struct core_yaml_doc *doc;
    int rc = core_yaml_load_buffer(name, buf, len, &doc, err);
    return rc != CORE_OK ? rc : load_doc(doc, out, err);
}

int world_mix_load(const char *name_or_path, const char *base_dir, struct world_mix **out,
                   struct core_error *err)
{
    *out = NULL;
    char path[PATH_MAX];
    if (policy_is_shipped_name(name_or_path)) {
        char rel[300];
        snprintf(rel, sizeof rel, "mixes/%s.yaml", name_or_path);
        if (policy_find_data(rel, path, sizeof path, err) != CORE_OK)
            return core_error_set(err, CORE_ENOTFOUND, "", 0, 0,
                                  "no shipped mix named '%s' (shipped: national)", name_or_path);
    } else if (name_or_path[0] == '/' || base_dir == NULL || base_dir[0] == '\0') {
        snprintf(path, sizeof path, "%s", name_or_path);
    } else {
        int n = snprintf(path, sizeof path, "%s/%s", base_dir, name_or_path);
        if (n < 0 || (size_t)n >= sizeof path)
            return core_error_set(err, CORE_EINVAL, name_or_path, 0, 0, "path too long");
    }
    struct core_yaml_doc *doc;
    int rc = core_yaml_load_file(path, &doc, err);
    return rc != CORE_OK ? rc : load_doc(doc, out, err);
}

void world_mix_free(struct world_mix *m)
{
    free(m);
}

const char *world_mix_name(const struct world_mix *m)
{
    return m->name;
}

double mix_age_value(const struct mix_ages *a, int age)
{
    for (int i = 0; i < a->n; i++)
        if (age <= a->to[i])
            return a->v[i];
    return a->n > 0 ? a->v[a->n - 1] : 0;
}

double mix_month_value(const struct mix_months *m, core_day day)
{
    double v = m->n > 0 ? m->v[0] : 0;
    for (int i = 0; i < m->n && m->month[i] <= day; i++)
        v = m->v[i];
    return v;
}

size_t world_mix_published_count(const struct world_mix *m)
{
    return m != NULL ? (size_t)m->published.n : 0;
}

int world_mix_published_usage(const struct world_mix *m, size_t i, struct world_published *out)
{
    if (m == NULL || i >= (size_t)m->published.n)
        return CORE_ENOTFOUND;
    out->month = m->published.month[i];
    out->ppm = m->published.ppm[i];
    out->source = m->published.source[i];
    return CORE_OK;
}
