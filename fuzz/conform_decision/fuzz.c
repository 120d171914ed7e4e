/*
 * Fuzz target: a decision file a reception system writes for `mynasim conform reception` (conform_decision_parse,
 * sim/conform; docs/RECEPTION-INTERFACE.md and docs/schemas/reception-decision.schema.json). Any bytes are read
 * or refused with a reason naming the field; never a crash or a leak. Besides that it aborts on a broken
 * property of what is accepted:
 *  1. the outcome is one of the three; self_pay carries no route and no rate;
 *  2. any other outcome carries a route, an insurer number of 6 or 8 digits, a two-digit branch, a number and a
 *     rate of 10, 20 or 30.
 */
#include <stdlib.h>
#include <string.h>

#include "conform/conform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

static bool digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct conform_decision d;
    char why[200] = "";
    /* the visit asked for is v0001; a NULL visit accepts any id */
    const char *visit = size > 0 && (data[0] & 1) ? NULL : "v0001";
    if (conform_decision_parse((const char *)data, size, visit, &d, why, sizeof why) != CORE_OK) {
        check(why[0] != '\0');
        return 0;
    }
    bool self_pay = strcmp(d.outcome, "self_pay") == 0;
    check(self_pay || strcmp(d.outcome, "insured") == 0 || strcmp(d.outcome, "insured_by_declaration") == 0);
    if (self_pay) {
        check(d.route[0] == '\0' && d.copay_percent == 0);
        return 0;
    }
    check(d.route[0] != '\0');
    check(digits(d.insurer_number, 6) || digits(d.insurer_number, 8));
    check(digits(d.branch, 2) && d.number[0] != '\0');
    check(d.copay_percent == 10 || d.copay_percent == 20 || d.copay_percent == 30);
    return 0;
}
