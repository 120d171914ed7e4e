/*
 * Fuzz target: the population mix reader (sim/world/mix.c). Any input loads or is refused with a message
 * that carries a position; never a crash or a leak.
 */
#include <stdlib.h>

#include "world/world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct world_mix *m = NULL;
    struct core_error err;
    core_error_clear(&err);
    if (world_mix_load_buffer("fuzz.yaml", (const char *)data, size, &m, &err) == CORE_OK)
        world_mix_free(m);
    else if (err.message[0] == '\0')
        abort();
    return 0;
}
