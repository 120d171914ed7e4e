/*
 * The compile test of CORE_MUST_USE (docs/DESIGN.md, "No result is dropped"). Not a program: ctest compiles it
 * with the project's warnings twice. core.must_use drops a status and must fail to compile (WILL_FAIL);
 * core.must_use_kept, the same file with MUST_USE_KEPT defined, uses it and must compile, so the first fails for
 * the dropped result and for nothing else.
 */
#include "core/core.h"

int must_use_probe(void);

int must_use_probe(void)
{
    core_day d = 0;
#ifdef MUST_USE_KEPT
    if (core_date_from_ymd(2026, 2, 30, &d) != CORE_OK)
        return -1;
#else
    /* The drop this test is about (cppcheck sees it too). */
    /* cppcheck-suppress ignoredReturnValue */
    core_date_from_ymd(2026, 2, 30, &d);
#endif
    return (int)d;
}
