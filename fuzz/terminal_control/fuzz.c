/*
 * Fuzz target for the terminal's control bodies (sim/terminal/control.c; docs/TERMINAL.md, "Control"). The first
 * byte chooses the parser (even: /control/present, odd: /control/time), the rest is the body. Besides crashes it
 * aborts on a broken property:
 *  1. A body is accepted or refused with a reason naming a field or the body (never an empty reason).
 *  2. An accepted present body names a resident (a NUL-terminated id of the length the scenario allows); its
 *     documents are among card, paper_card, certificate and notice (never the portal); its faults are the
 *     scenario's; a PIN typed is 4..TERMINAL_PIN_MAX digits; a visit id builds a face result's name.
 *  3. An accepted time body is the clock, a day, or a time whose Japan day is that day.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "terminal/terminal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    char why[300];
    why[0] = '\0';
    if ((data[0] & 1u) == 0) {
        struct terminal_present_body p;
        int rc = terminal_present_parse(body, len, &p, why, sizeof why);
        if (rc != CORE_OK) {
            check(rc == CORE_EINVAL && why[0] != '\0');
            return 0;
        }
        size_t n = strnlen(p.resident, sizeof p.resident);
        check(n > 0 && n < sizeof p.resident);
        unsigned docs = SCENARIO_DOC_BIT(SCENARIO_DOC_PAPER_CARD) | SCENARIO_DOC_BIT(SCENARIO_DOC_CARD) |
                        SCENARIO_DOC_BIT(SCENARIO_DOC_CERTIFICATE) | SCENARIO_DOC_BIT(SCENARIO_DOC_NOTICE);
        check((p.bring & ~docs) == 0 && (p.bring_given || p.bring == 0));
        check((p.faults >> SCENARIO_FAULT_COUNT) == 0);
        if (p.pin_given) {
            size_t k = strnlen(p.pin, sizeof p.pin);
            check(k >= 4 && k <= TERMINAL_PIN_MAX && strspn(p.pin, "0123456789") == k);
        } else {
            check(p.pin[0] == '\0');
        }
        if (p.visit_given) {
            char name[ELIGIBILITY_FACE_NAME_MAX];
            check(terminal_face_name(p.visit, 1754319900, name, sizeof name) == CORE_OK);
        }
        check((int)p.kind >= (int)SCENARIO_VISIT_FIRST && (int)p.kind <= (int)SCENARIO_VISIT_DISPENSING);
    } else {
        struct terminal_time_body t;
        int rc = terminal_time_parse(body, len, &t, why, sizeof why);
        if (rc != CORE_OK) {
            check(rc == CORE_EINVAL && why[0] != '\0');
            return 0;
        }
        check(t.clock == (t.day == CORE_DAY_NONE));
        check(!(t.clock && t.time_given));
        if (t.time_given)
            check(core_date_from_time((time_t)t.at) == t.day);
    }
    return 0;
}
