/*
 * Fuzz target: a line a SUT writes to `mynasim conform issuance` (conform_issuance_parse_line, sim/conform):
 * a mailing or the end of the day (docs/CONFORMANCE.md). Any input is read or refused with a reason; never a
 * crash or a leak. The scenario the lines are judged against (its residents) is made once.
 */
#include <stdlib.h>
#include <string.h>

#include "conform/conform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct scenario *scn;

static const char yaml[] = "scenario: fuzz\n"
                           "period: {from: 2025-06-01, to: 2025-09-30}\n"
                           "insurers: [{id: kitamoto-nhi, kind: nhi, number: \"112334\"}]\n"
                           "residents:\n"
                           "  - {id: r1, born: 1980-04-12, insurer: kitamoto-nhi}\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct scenario_diags diags;
    scenario_diags_init(&diags);
    if (scenario_load_buffer("fuzz.yaml", yaml, strlen(yaml), NULL, &scn, &diags) != CORE_OK)
        abort();
    scenario_diags_clear(&diags);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (scn == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    char *line = malloc(size + 1);
    if (line == NULL)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0'; /* a line as the SUT reader hands it: up to the first NUL or newline */
    struct conform_mailing m;
    char why[160] = "";
    core_day day;
    if (core_date_parse("2025-07-17", 10, &day) != CORE_OK)
        abort();
    if (conform_issuance_parse_line(scn, day, line, &m, why, sizeof why) != CORE_OK && why[0] == '\0')
        abort();
    free(line);
    return 0;
}
