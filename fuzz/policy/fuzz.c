/*
 * Fuzz target: policy parameters (sim/policy/policy.c) as overrides of the shipped `national` policy, the
 * path every insurer's and scenario's `policy:` field takes. Any input loads or is refused with a message.
 */
#include <stdlib.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct policy *base;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct core_error err;
    if (policy_load_named("national", &base, &err) != CORE_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct core_yaml_doc *doc = NULL;
    struct core_error err;
    if (core_yaml_load_buffer("fuzz.yaml", (const char *)data, size, &doc, &err) != CORE_OK)
        return 0;
    if (doc->root != NULL) {
        struct policy *p = NULL;
        if (policy_override(base, doc, doc->root, &p, &err) == CORE_OK) {
            long long v;
            bool b;
            core_day d;
            /* Either answer is right here: the target looks for crashes, not for a verdict. */
            CORE_DROP(policy_int(p, "online.reflection_lag_days", 20000, &v));
            CORE_DROP(policy_bool(p, "lookup_grace.enabled", 20300, &b));
            CORE_DROP(policy_date(p, "paper_card.cap", 20300, &d));
            policy_free(p);
        } else if (err.message[0] == '\0') {
            abort();
        }
    }
    core_yaml_free(doc);
    return 0;
}
