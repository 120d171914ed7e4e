/*
 * policy: the rules' numbers as data. A policy file (YAML, fixtures/policies/NAME.yaml) gives every parameter
 * of docs/RULES.md a value, or a list of dated values, so that an amendment is a new row and never new code:
 *
 *   policy: national
 *   card:
 *     pin_tries: {auth: 3, text: 3, sign: 5}
 *     validity_years: 10
 *   paper_card:
 *     latest_expiry: 2025-07-31
 *   online:
 *     cert_expiry_grace_months:
 *       - {from: 2024-12-02, value: 3}
 *
 * Parameter names are dotted paths ("card.pin_tries.auth"). The set of known parameters and their types is a
 * table in policy.c; a file naming an unknown parameter, or giving a value of the wrong type, is refused with
 * its position. A file may `extends:` another (by name or path) and override single parameters, which is how
 * insurer and scenario overrides work too.
 *
 * policy knows nothing of cards, clinics or residents: it only answers "what is parameter P on day D".
 */
#ifndef MYNASIM_POLICY_H
#define MYNASIM_POLICY_H

#include "core/core.h"

enum policy_type {
    POLICY_INT,
    POLICY_DATE,
    POLICY_BOOL,
};

struct policy;

/* Loads a policy file. Relative `extends:` names are resolved against the file's directory, then as shipped
 * names. */
int policy_load_file(const char *path, struct policy **out, struct core_error *err);
/* Loads a shipped policy by name (`national`, `as-announced-2024`), found by policy_find_data. */
int policy_load_named(const char *name, struct policy **out, struct core_error *err);
/* A name ([a-z0-9-]+) is a shipped policy; anything else is a path relative to `base_dir` (may be NULL). */
int policy_load(const char *name_or_path, const char *base_dir, struct policy **out, struct core_error *err);
/* Applies overrides given as a YAML mapping of the same shape (e.g. an insurer's `policy:` field) to a copy.
 */
int policy_override(const struct policy *base, const struct core_yaml_doc *doc,
                    const struct core_yaml_node *map, struct policy **out, struct core_error *err);
void policy_free(struct policy *p);
const char *policy_name(const struct policy *p);

/* The value in force on `on`. CORE_ENOTFOUND when the parameter is unknown or has no value on that day. */
int policy_int(const struct policy *p, const char *param, core_day on, long long *out);
int policy_date(const struct policy *p, const char *param, core_day on, core_day *out);
int policy_bool(const struct policy *p, const char *param, core_day on, bool *out);
/* The same by a parameter's id, for hot paths that ask for the same parameter many times: policy_param_id
 * resolves a name once (-1 when unknown; an id is stable for the life of the program), and the _id lookups
 * answer exactly as the named ones do (CORE_ENOTFOUND for -1 or a parameter of another type). */
int policy_param_id(const char *param);
int policy_int_id(const struct policy *p, int id, core_day on, long long *out);
int policy_date_id(const struct policy *p, int id, core_day on, core_day *out);
int policy_bool_id(const struct policy *p, int id, core_day on, bool *out);

/*
 * Shipped data (policies, card profiles, the test PKI) found wherever mynasim runs: $MYNASIM_DATA_DIR, then
 * <dir of the executable>/../share/mynasim, then the install prefix's share/mynasim, then the source tree's
 * fixtures/. `relative` is e.g. "policies/national.yaml". Writes the path found into out.
 */
int policy_find_data(const char *relative, char *out, size_t cap, struct core_error *err);

#endif
