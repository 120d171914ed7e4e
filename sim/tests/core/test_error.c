/* Tests of sim/core/error.c: positions and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"

static void formats_with_and_without_position(void **state)
{
    (void)state;
    struct core_error e;
    char buf[700];
    assert_int_equal(core_error_set(&e, CORE_EINVAL, "s.yaml", 3, 7, "bad %s", "date"), CORE_EINVAL);
    core_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "s.yaml:3:7: bad date");
    core_error_set(&e, CORE_EIO, "s.yaml", 0, 0, "cannot open");
    core_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "s.yaml: cannot open");
    core_error_set(&e, CORE_EIO, NULL, 0, 0, "plain");
    core_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "plain");
    assert_int_equal(e.code, CORE_EIO);
    core_error_clear(&e);
    assert_int_equal(e.code, 0);
    core_error_clear(NULL);
    assert_int_equal(core_error_set(NULL, CORE_ENOMEM, "x", 1, 1, "y"), CORE_ENOMEM);
    assert_int_equal(core_error_format(&e, buf, 0), 0);
}

static void status_names_are_distinct(void **state)
{
    (void)state;
    int codes[] = {CORE_OK,        CORE_EINVAL,  CORE_ENOMEM, CORE_EIO,
                   CORE_ENOTFOUND, CORE_ECRYPTO, CORE_ESTATE, 99};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        for (size_t j = i + 1; j < sizeof codes / sizeof codes[0]; j++)
            assert_string_not_equal(core_status_name(codes[i]), core_status_name(codes[j]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_with_and_without_position),
        cmocka_unit_test(status_names_are_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
