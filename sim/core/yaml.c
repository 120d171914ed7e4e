/*
 * The one YAML layer of mynasim. libyaml's event parser builds a small tree in which every node keeps the
 * line and column it started at, so that every later check (an unknown key, a date that does not exist, a
 * bad check digit) can name `file:line:column`.
 *
 * What is refused, and why: aliases and anchors (how YAML bombs are made, and mynasim's formats need none);
 * explicit tags (a file's meaning must not depend on them); more than one document; non-scalar keys and
 * duplicate keys (a duplicate silently overriding the first is a classic source of wrong test data);
 * nesting deeper than CORE_YAML_MAX_DEPTH and files larger than CORE_YAML_MAX_SIZE.
 *
 * Scalars are kept as text; whether a scalar was quoted is kept too, since a plain `012` is a number and a
 * quoted "012" a digit string whose leading zero matters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/core.h"

struct builder {
    struct core_yaml_doc *doc;
    struct core_yaml_node *stack[CORE_YAML_MAX_DEPTH + 1];
    size_t caps[CORE_YAML_MAX_DEPTH + 1];
    int depth;
    bool pending_key[CORE_YAML_MAX_DEPTH + 1]; /* in a map: true when the next node is a value */
};

/* Nodes and scalar texts come from the document's arena: chunks of at least ARENA_CHUNK bytes, freed together,
 * so a node costs its size and no allocator overhead (a hostile list of millions of one-character items stays
 * within a small multiple of the file's size). The child arrays of maps and sequences grow on the heap. */
enum { ARENA_CHUNK = 1u << 20 };
/* What the allocator adds to a child array (glibc: a 16-byte header and rounding), charged to the budget each
 * time the array grows. */
enum { ARRAY_OVERHEAD = 16u };

struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    _Alignas(max_align_t) unsigned char data[];
};

/* Takes `size` bytes from the tree's budget; false when it is spent. */
static CORE_MUST_USE bool budget_take(struct core_yaml_doc *doc, size_t size)
{
    if (size > doc->budget) {
        doc->budget = 0; /* spent: no_room tells it from a failed malloc */
        return false;
    }
    doc->budget -= size;
    return true;
}

/* `align` 8 for nodes, 1 for scalar texts (a one-character scalar then costs two bytes, not eight). */
static void *arena_alloc_aligned(struct core_yaml_doc *doc, size_t size, size_t align)
{
    struct arena_chunk *c = doc->arena;
    if (c != NULL && align > 1u)
        c->used = (c->used + align - 1u) & ~(align - 1u);
    if (c != NULL && c->used > c->cap)
        c->used = c->cap;
    if (c == NULL || c->cap - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        if (!budget_take(doc, sizeof *c + cap))
            return NULL;
        struct arena_chunk *n = malloc(sizeof *n + cap);
        if (n == NULL)
            return NULL;
        n->next = c;
        n->used = 0;
        n->cap = cap;
        doc->arena = c = n;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

static void *arena_alloc(struct core_yaml_doc *doc, size_t size)
{
    return arena_alloc_aligned(doc, size, 8u);
}

/* Out of memory, or out of the tree's budget: the second names where and why. */
static int no_room(struct core_yaml_doc *doc, yaml_mark_t mark, struct core_error *err)
{
    if (doc->budget == 0)
        return core_error_set(err, CORE_EINVAL, doc->file, (int)mark.line + 1, (int)mark.column + 1,
                              "too many YAML nodes for the file's size: the tree may take at most %u times "
                              "the file's size plus %u bytes",
                              CORE_YAML_TREE_FACTOR, CORE_YAML_TREE_SLACK);
    return core_error_set(err, CORE_ENOMEM, doc->file, 0, 0, "out of memory");
}

static void node_free(struct core_yaml_node *n)
{
    if (n == NULL)
        return;
    for (size_t i = 0; i < n->count; i++) {
        if (n->keys != NULL)
            node_free(n->keys[i]);
        if (n->items != NULL)
            node_free(n->items[i]);
    }
    free(n->keys);
    free(n->items);
}

void core_yaml_free(struct core_yaml_doc *doc)
{
    if (doc == NULL)
        return;
    node_free(doc->root);
    for (struct arena_chunk *c = doc->arena, *next; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    free(doc->file);
    free(doc);
}

static int fail_at(struct core_yaml_doc *doc, struct core_error *err, yaml_mark_t mark, const char *what)
{
    return core_error_set(err, CORE_EINVAL, doc->file, (int)mark.line + 1, (int)mark.column + 1, "%s", what);
}

static struct core_yaml_node *node_new(struct core_yaml_doc *doc, enum core_yaml_kind kind, yaml_mark_t mark)
{
    struct core_yaml_node *n = arena_alloc(doc, sizeof *n);
    if (n == NULL)
        return NULL;
    n->kind = kind;
    n->line = (int)mark.line + 1;
    n->column = (int)mark.column + 1;
    return n;
}

/* Attaches a finished node to the open container (or makes it the root). */
static CORE_MUST_USE int attach(struct builder *b, struct core_yaml_node *n, struct core_error *err)
{
    if (b->depth == 0) {
        b->doc->root = n;
        return CORE_OK;
    }
    struct core_yaml_node *parent = b->stack[b->depth];
    size_t *cap = &b->caps[b->depth];
    if (parent->kind == CORE_YAML_MAP && !b->pending_key[b->depth]) {
        /* n is a key */
        if (n->kind != CORE_YAML_SCALAR) {
            int rc = core_error_set(err, CORE_EINVAL, b->doc->file, n->line, n->column,
                                    "a mapping key must be a plain word, not a %s",
                                    n->kind == CORE_YAML_MAP ? "mapping" : "sequence");
            node_free(n);
            return rc;
        }
        if (parent->count == *cap) {
            size_t ncap = *cap ? *cap * 2 : 2;
            if (!budget_take(b->doc, 2u * (ARRAY_OVERHEAD + (ncap - *cap) * sizeof *parent->items))) {
                node_free(n);
                return no_room(b->doc, (yaml_mark_t){0, (size_t)n->line - 1u, (size_t)n->column - 1u}, err);
            }
            struct core_yaml_node **k = realloc(parent->keys, ncap * sizeof *k);
            if (k == NULL) {
                node_free(n);
                return core_error_set(err, CORE_ENOMEM, b->doc->file, 0, 0, "out of memory");
            }
            parent->keys = k;
            struct core_yaml_node **v = realloc(parent->items, ncap * sizeof *v);
            if (v == NULL) {
                node_free(n);
                return core_error_set(err, CORE_ENOMEM, b->doc->file, 0, 0, "out of memory");
            }
            parent->items = v;
            *cap = ncap;
        }
        /* Counted at once, with its value still NULL, so that a document abandoned on an error before the
         * value arrives frees the key too. */
        parent->keys[parent->count] = n;
        parent->items[parent->count++] = NULL;
        b->pending_key[b->depth] = true;
        return CORE_OK;
    }
    if (parent->kind == CORE_YAML_MAP) {
        parent->items[parent->count - 1] = n;
        b->pending_key[b->depth] = false;
        return CORE_OK;
    }
    if (parent->count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 2;
        if (!budget_take(b->doc, ARRAY_OVERHEAD + (ncap - *cap) * sizeof *parent->items)) {
            node_free(n);
            return no_room(b->doc, (yaml_mark_t){0, (size_t)n->line - 1u, (size_t)n->column - 1u}, err);
        }
        struct core_yaml_node **v = realloc(parent->items, ncap * sizeof *v);
        if (v == NULL) {
            node_free(n);
            return core_error_set(err, CORE_ENOMEM, b->doc->file, 0, 0, "out of memory");
        }
        parent->items = v;
        *cap = ncap;
    }
    parent->items[parent->count++] = n;
    return CORE_OK;
}

static int key_cmp(const void *a, const void *b)
{
    const struct core_yaml_node *x = *(const struct core_yaml_node *const *)a;
    const struct core_yaml_node *y = *(const struct core_yaml_node *const *)b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->value, y->value, n);
    if (c != 0)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    /* Equal keys: order by position so the later one is reported. */
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->column < y->column ? -1 : (x->column > y->column);
}

/* Sorting a copy of the keys finds duplicates in O(n log n), so a hostile file with a huge mapping cannot
 * make the check quadratic. */
static CORE_MUST_USE int check_duplicates(struct builder *b, const struct core_yaml_node *map,
                                          struct core_error *err)
{
    if (map->count < 2)
        return CORE_OK;
    struct core_yaml_node **sorted = malloc(map->count * sizeof *sorted);
    if (sorted == NULL)
        return core_error_set(err, CORE_ENOMEM, b->doc->file, 0, 0, "out of memory");
    memcpy(sorted, map->keys, map->count * sizeof *sorted);
    qsort(sorted, map->count, sizeof *sorted, key_cmp);
    int rc = CORE_OK;
    for (size_t i = 1; i < map->count; i++) {
        if (sorted[i]->len == sorted[i - 1]->len &&
            memcmp(sorted[i]->value, sorted[i - 1]->value, sorted[i]->len) == 0) {
            rc = core_error_set(err, CORE_EINVAL, b->doc->file, sorted[i]->line, sorted[i]->column,
                                "duplicate key '%s' (first at line %d)", sorted[i]->value,
                                sorted[i - 1]->line);
            break;
        }
    }
    free(sorted);
    return rc;
}

static CORE_MUST_USE int handle_event(struct builder *b, yaml_event_t *ev, int *documents, bool *done,
                                      struct core_error *err)
{
    struct core_yaml_doc *doc = b->doc;
    switch (ev->type) {
    case YAML_STREAM_START_EVENT:
    case YAML_NO_EVENT:
        return CORE_OK;
    case YAML_STREAM_END_EVENT:
        *done = true;
        return CORE_OK;
    case YAML_DOCUMENT_START_EVENT:
        if (++*documents > 1)
            return fail_at(doc, err, ev->start_mark, "only one YAML document per file");
        return CORE_OK;
    case YAML_DOCUMENT_END_EVENT:
        return CORE_OK;
    case YAML_ALIAS_EVENT:
        return fail_at(doc, err, ev->start_mark, "aliases (*name) are not allowed");
    case YAML_SCALAR_EVENT: {
        if (ev->data.scalar.anchor != NULL)
            return fail_at(doc, err, ev->start_mark, "anchors (&name) are not allowed");
        if (ev->data.scalar.tag != NULL)
            return fail_at(doc, err, ev->start_mark, "tags (!name) are not allowed");
        struct core_yaml_node *n = node_new(doc, CORE_YAML_SCALAR, ev->start_mark);
        if (n == NULL)
            return no_room(doc, ev->start_mark, err);
        size_t len = ev->data.scalar.length;
        char *v = arena_alloc_aligned(doc, len + 1, 1u);
        if (v == NULL)
            return no_room(doc, ev->start_mark, err);
        if (len > 0)
            memcpy(v, ev->data.scalar.value, len);
        v[len] = '\0';
        n->value = v;
        n->len = len;
        n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        return attach(b, n, err);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool is_map = ev->type == YAML_MAPPING_START_EVENT;
        const yaml_char_t *anchor = is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
        const yaml_char_t *tag = is_map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
        if (anchor != NULL)
            return fail_at(doc, err, ev->start_mark, "anchors (&name) are not allowed");
        if (tag != NULL)
            return fail_at(doc, err, ev->start_mark, "tags (!name) are not allowed");
        if (b->depth >= CORE_YAML_MAX_DEPTH)
            return fail_at(doc, err, ev->start_mark, "nested too deeply");
        struct core_yaml_node *n = node_new(doc, is_map ? CORE_YAML_MAP : CORE_YAML_SEQ, ev->start_mark);
        if (n == NULL)
            return no_room(doc, ev->start_mark, err);
        int rc = attach(b, n, err);
        if (rc != CORE_OK)
            return rc;
        b->depth++;
        b->stack[b->depth] = n;
        b->caps[b->depth] = 0;
        b->pending_key[b->depth] = false;
        return CORE_OK;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        struct core_yaml_node *n = b->stack[b->depth];
        /* The child arrays shrink to their count: what doubling left unused goes back to the budget. */
        size_t cap = b->caps[b->depth];
        if (n->count > 0 && cap > n->count) {
            size_t spare = (cap - n->count) * sizeof *n->items;
            struct core_yaml_node **v = realloc(n->items, n->count * sizeof *v);
            if (v != NULL) {
                n->items = v;
                doc->budget += spare;
            }
            if (n->keys != NULL) {
                struct core_yaml_node **k = realloc(n->keys, n->count * sizeof *k);
                if (k != NULL) {
                    n->keys = k;
                    doc->budget += spare;
                }
            }
        }
        b->depth--;
        if (n->kind == CORE_YAML_MAP)
            return check_duplicates(b, n, err);
        return CORE_OK;
    }
    }
    return CORE_OK;
}

/* libyaml's reader (the decoding of bytes into characters) reports a byte offset, not a mark: its
 * problem_mark stays at the start of the file, which made every encoding error "1:1". The position is worked
 * out here as libyaml's marks count: lines broken by LF, CR LF, lone CR and the Unicode breaks NEL, LS and
 * PS; columns in characters (UTF-8 sequences), after a UTF-8 byte order mark. A UTF-16 file (a byte order
 * mark FF FE or FE FF) is reported at its byte offset. */
static void offset_position(const char *buf, size_t len, size_t offset, int *line, int *column)
{
    const unsigned char *b = (const unsigned char *)buf;
    size_t i = len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
    long ln = 1, col = 1;
    if (offset > len)
        offset = len;
    while (i < offset) {
        size_t brk = 0; /* the length of a line break at i, 0 when none */
        if (b[i] == '\n')
            brk = 1;
        else if (b[i] == '\r')
            brk = i + 1 < len && b[i + 1] == '\n' ? 2 : 1;
        else if (i + 1 < len && b[i] == 0xC2 && b[i + 1] == 0x85)
            brk = 2;
        else if (i + 2 < len && b[i] == 0xE2 && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9))
            brk = 3;
        if (brk > 0 && i + brk <= offset) {
            i += brk;
            ln++;
            col = 1;
            continue;
        }
        if ((b[i] & 0xC0) != 0x80) /* not a continuation byte: a new character */
            col++;
        i++;
    }
    *line = ln > INT32_MAX ? INT32_MAX : (int)ln;
    *column = col > INT32_MAX ? INT32_MAX : (int)col;
}

static int reader_error(const char *file, const char *buf, size_t len, const yaml_parser_t *parser,
                        struct core_error *err)
{
    const unsigned char *b = (const unsigned char *)buf;
    const char *problem = parser->problem != NULL ? parser->problem : "cannot be decoded";
    if (len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF)))
        return core_error_set(err, CORE_EINVAL, file, 0, 0, "encoding error (UTF-16): %s at byte %zu",
                              problem, parser->problem_offset);
    int line, column;
    offset_position(buf, len, parser->problem_offset, &line, &column);
    char what[32] = "";
    int v = parser->problem_value;
    if (v >= 0 && strstr(problem, "octet") != NULL)
        snprintf(what, sizeof what, " (byte 0x%02X)", (unsigned)v & 0xFFu);
    else if (v >= 0)
        snprintf(what, sizeof what, " (U+%04X)", (unsigned)v);
    return core_error_set(err, CORE_EINVAL, file, line, column, "encoding error: %s%s", problem, what);
}

int core_yaml_load_buffer(const char *name, const char *buf, size_t len, struct core_yaml_doc **out,
                          struct core_error *err)
{
    *out = NULL;
    const char *file = name != NULL ? name : "<input>";
    if (len > CORE_YAML_MAX_SIZE)
        return core_error_set(err, CORE_EINVAL, file, 0, 0, "file too large (limit %u bytes)",
                              CORE_YAML_MAX_SIZE);
    struct core_yaml_doc *doc = calloc(1, sizeof *doc);
    if (doc == NULL)
        return core_error_set(err, CORE_ENOMEM, file, 0, 0, "out of memory");
    doc->budget = (size_t)CORE_YAML_TREE_FACTOR * len + CORE_YAML_TREE_SLACK;
    doc->file = strdup(file);
    if (doc->file == NULL) {
        free(doc);
        return core_error_set(err, CORE_ENOMEM, file, 0, 0, "out of memory");
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        core_yaml_free(doc);
        return core_error_set(err, CORE_ENOMEM, file, 0, 0, "cannot initialise the YAML parser");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    struct builder *b = calloc(1, sizeof *b);
    if (b == NULL) {
        yaml_parser_delete(&parser);
        core_yaml_free(doc);
        return core_error_set(err, CORE_ENOMEM, file, 0, 0, "out of memory");
    }
    b->doc = doc;
    int documents = 0;
    bool done = false;
    int rc = CORE_OK;
    while (!done && rc == CORE_OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            if (parser.error == YAML_READER_ERROR) {
                rc = reader_error(file, buf, len, &parser, err);
                break;
            }
            yaml_mark_t mark = parser.problem_mark;
            rc = core_error_set(err, CORE_EINVAL, file, (int)mark.line + 1, (int)mark.column + 1,
                                "YAML syntax: %s%s%s", parser.problem != NULL ? parser.problem : "invalid",
                                parser.context != NULL ? " " : "",
                                parser.context != NULL ? parser.context : "");
            break;
        }
        rc = handle_event(b, &ev, &documents, &done, err);
        yaml_event_delete(&ev);
    }
    free(b);
    yaml_parser_delete(&parser);
    if (rc != CORE_OK) {
        core_yaml_free(doc);
        return rc;
    }
    *out = doc;
    return CORE_OK;
}

int core_yaml_load_file(const char *path, struct core_yaml_doc **out, struct core_error *err)
{
    char *buf;
    size_t len;
    int rc = core_file_read(path, CORE_YAML_MAX_SIZE, &buf, &len, err);
    if (rc != CORE_OK)
        return rc;
    rc = core_yaml_load_buffer(path, buf, len, out, err);
    free(buf);
    return rc;
}

int core_yaml_error(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                    struct core_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    core_error_vset(err, code, doc != NULL ? doc->file : "", node != NULL ? node->line : 0,
                    node != NULL ? node->column : 0, fmt, ap);
    va_end(ap);
    return code;
}

static bool scalar_is(const struct core_yaml_node *n, const char *word)
{
    return n->kind == CORE_YAML_SCALAR && n->len == strlen(word) && memcmp(n->value, word, n->len) == 0;
}

const struct core_yaml_node *core_yaml_get(const struct core_yaml_node *map, const char *key)
{
    if (map == NULL || map->kind != CORE_YAML_MAP)
        return NULL;
    for (size_t i = 0; i < map->count; i++)
        if (scalar_is(map->keys[i], key))
            return map->items[i];
    return NULL;
}

static const char *kind_name(const struct core_yaml_node *n)
{
    if (n == NULL)
        return "nothing";
    switch (n->kind) {
    case CORE_YAML_MAP:
        return "a mapping";
    case CORE_YAML_SEQ:
        return "a list";
    case CORE_YAML_SCALAR:
        break;
    }
    return "a single value";
}

int core_yaml_check_keys(const struct core_yaml_doc *doc, const struct core_yaml_node *map,
                         const char *const *allowed, struct core_error *err)
{
    if (map == NULL || map->kind != CORE_YAML_MAP)
        return core_yaml_error(doc, map, err, CORE_EINVAL, "expected a mapping, found %s", kind_name(map));
    for (size_t i = 0; i < map->count; i++) {
        bool ok = false;
        for (const char *const *a = allowed; *a != NULL && !ok; a++)
            ok = scalar_is(map->keys[i], *a);
        if (!ok) {
            char list[400] = "";
            size_t used = 0;
            for (const char *const *a = allowed; *a != NULL && used < sizeof list - 1; a++) {
                int n = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", *a);
                if (n < 0)
                    break;
                used += (size_t)n;
            }
            if (used >= sizeof list)
                used = sizeof list - 1;
            return core_yaml_error(doc, map->keys[i], err, CORE_EINVAL,
                                   "unknown key '%s' (expected one of: %s)", map->keys[i]->value, list);
        }
    }
    return CORE_OK;
}

int core_yaml_require(const struct core_yaml_doc *doc, const struct core_yaml_node *map, const char *key,
                      const struct core_yaml_node **out, struct core_error *err)
{
    const struct core_yaml_node *v = core_yaml_get(map, key);
    if (v == NULL)
        return core_yaml_error(doc, map, err, CORE_EINVAL, "missing field '%s'", key);
    *out = v;
    return CORE_OK;
}

bool core_yaml_is_null(const struct core_yaml_node *node)
{
    if (node == NULL)
        return true;
    if (node->kind != CORE_YAML_SCALAR || node->quoted)
        return false;
    return node->len == 0 || scalar_is(node, "~") || scalar_is(node, "null") || scalar_is(node, "Null") ||
           scalar_is(node, "NULL");
}

static CORE_MUST_USE int need_scalar(const struct core_yaml_doc *doc, const struct core_yaml_node *node,
                                     const char *field, const char *what, struct core_error *err)
{
    if (node == NULL || node->kind != CORE_YAML_SCALAR)
        return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': expected %s, found %s", field, what,
                               kind_name(node));
    return CORE_OK;
}

int core_yaml_int(const struct core_yaml_doc *doc, const struct core_yaml_node *node, const char *field,
                  long long min, long long max, long long *out, struct core_error *err)
{
    int rc = need_scalar(doc, node, field, "an integer", err);
    if (rc != CORE_OK)
        return rc;
    const char *s = node->value;
    size_t i = 0;
    bool neg = false;
    if (node->quoted)
        return core_yaml_error(doc, node, err, CORE_EINVAL,
                               "field '%s': expected an integer, found a quoted string", field);
    if (i < node->len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == node->len)
        return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': expected an integer, found '%s'",
                               field, s);
    unsigned long long v = 0;
    for (; i < node->len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': expected an integer, found '%s'",
                                   field, s);
        if (v > (unsigned long long)INT64_MAX / 10)
            return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': %s is out of range", field, s);
        v = v * 10 + (unsigned long long)(s[i] - '0');
    }
    if (v > (unsigned long long)INT64_MAX)
        return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': %s is out of range", field, s);
    long long x = neg ? -(long long)v : (long long)v;
    if (x < min || x > max)
        return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': %lld is out of range (%lld..%lld)",
                               field, x, min, max);
    *out = x;
    return CORE_OK;
}

int core_yaml_bool(const struct core_yaml_doc *doc, const struct core_yaml_node *node, const char *field,
                   bool *out, struct core_error *err)
{
    int rc = need_scalar(doc, node, field, "true or false", err);
    if (rc != CORE_OK)
        return rc;
    if (!node->quoted && scalar_is(node, "true")) {
        *out = true;
        return CORE_OK;
    }
    if (!node->quoted && scalar_is(node, "false")) {
        *out = false;
        return CORE_OK;
    }
    return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': expected true or false, found '%s'",
                           field, node->value);
}

int core_yaml_date(const struct core_yaml_doc *doc, const struct core_yaml_node *node, const char *field,
                   core_day *out, struct core_error *err)
{
    int rc = need_scalar(doc, node, field, "a date YYYY-MM-DD", err);
    if (rc != CORE_OK)
        return rc;
    if (core_date_parse(node->value, node->len, out) != CORE_OK)
        return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': '%s' is not a date (YYYY-MM-DD)",
                               field, node->value);
    return CORE_OK;
}

int core_yaml_string(const struct core_yaml_doc *doc, const struct core_yaml_node *node, const char *field,
                     char *out, size_t cap, struct core_error *err)
{
    int rc = need_scalar(doc, node, field, "text", err);
    if (rc != CORE_OK)
        return rc;
    if (memchr(node->value, '\0', node->len) != NULL)
        return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': contains a NUL character", field);
    if (node->len + 1 > cap)
        return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': too long (%zu bytes, at most %zu)",
                               field, node->len, cap - 1);
    memcpy(out, node->value, node->len + 1);
    return CORE_OK;
}

int core_yaml_digits(const struct core_yaml_doc *doc, const struct core_yaml_node *node, const char *field,
                     size_t min_len, size_t max_len, char *out, size_t cap, struct core_error *err)
{
    int rc = need_scalar(doc, node, field, "a quoted string of digits", err);
    if (rc != CORE_OK)
        return rc;
    if (!node->quoted)
        return core_yaml_error(doc, node, err, CORE_EINVAL,
                               "field '%s': digit strings must be quoted (\"%s\") so leading zeros survive",
                               field, node->value);
    for (size_t i = 0; i < node->len; i++)
        if (node->value[i] < '0' || node->value[i] > '9')
            return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': '%s' is not all digits", field,
                                   node->value);
    if (node->len < min_len || node->len > max_len) {
        if (min_len == max_len)
            return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': expected %zu digits, found %zu",
                                   field, min_len, node->len);
        return core_yaml_error(doc, node, err, CORE_EINVAL,
                               "field '%s': expected %zu to %zu digits, found %zu", field, min_len, max_len,
                               node->len);
    }
    return core_yaml_string(doc, node, field, out, cap, err);
}

int core_yaml_enum(const struct core_yaml_doc *doc, const struct core_yaml_node *node, const char *field,
                   const char *const *words, int *out, struct core_error *err)
{
    int rc = need_scalar(doc, node, field, "a word", err);
    if (rc != CORE_OK)
        return rc;
    char list[300] = "";
    size_t used = 0;
    for (int i = 0; words[i] != NULL; i++) {
        if (scalar_is(node, words[i])) {
            *out = i;
            return CORE_OK;
        }
        int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", words[i]);
        if (n > 0 && (size_t)n < sizeof list - used)
            used += (size_t)n;
    }
    return core_yaml_error(doc, node, err, CORE_EINVAL, "field '%s': '%s' is not one of: %s", field,
                           node->value, list);
}
