/*
 * Fuzz target: the YAML reader (sim/core/yaml.c). Any input must load or be refused with a positioned error;
 * a loaded tree is walked whole and every typed getter is tried on every scalar, so no getter reads past a
 * node. Positions must be sane (line and column >= 1).
 */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct core_yaml_doc *doc, const struct core_yaml_node *n, int depth)
{
    if (n == NULL)
        return;
    if (n->line < 1 || n->column < 1 || depth > CORE_YAML_MAX_DEPTH + 1)
        abort();
    struct core_error err;
    long long v;
    bool b;
    core_day d;
    char s[32];
    int idx;
    static const char *const words[] = {"face", "pin", "none", NULL};
    static const char *const keys[] = {"a", "b", NULL};
    switch (n->kind) {
    case CORE_YAML_SCALAR:
        if (n->value == NULL || n->value[n->len] != '\0')
            abort();
        /* Either answer is right here: the target looks for crashes, not for a verdict. */
        CORE_DROP(core_yaml_int(doc, n, "f", -5, 1000000, &v, &err));
        CORE_DROP(core_yaml_bool(doc, n, "f", &b, &err));
        CORE_DROP(core_yaml_date(doc, n, "f", &d, &err));
        CORE_DROP(core_yaml_string(doc, n, "f", s, sizeof s, &err));
        CORE_DROP(core_yaml_digits(doc, n, "f", 1, 12, s, sizeof s, &err));
        CORE_DROP(core_yaml_enum(doc, n, "f", words, &idx, &err));
        (void)core_yaml_is_null(n);
        break;
    case CORE_YAML_MAP:
        CORE_DROP(core_yaml_check_keys(doc, n, keys, &err));
        (void)core_yaml_get(n, "a");
        for (size_t i = 0; i < n->count; i++) {
            if (n->keys[i]->kind != CORE_YAML_SCALAR)
                abort();
            walk(doc, n->items[i], depth + 1);
        }
        break;
    case CORE_YAML_SEQ:
        for (size_t i = 0; i < n->count; i++)
            walk(doc, n->items[i], depth + 1);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct core_yaml_doc *doc = NULL;
    struct core_error err;
    core_error_clear(&err);
    int rc = core_yaml_load_buffer("fuzz.yaml", (const char *)data, size, &doc, &err);
    if (rc == CORE_OK) {
        walk(doc, doc->root, 0);
        core_yaml_free(doc);
    } else if (doc != NULL || err.message[0] == '\0') {
        abort();
    }
    return 0;
}
