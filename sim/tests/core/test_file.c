/* Tests of sim/core/file.c: bounded reads and atomic writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/core.h"

static void atomic_write_then_read_round_trips(void **state)
{
    (void)state;
    char dir[] = "/tmp/mynasim-file-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/state.bin", dir);
    struct core_error err;
    assert_int_equal(core_file_write_atomic(path, "hello", 5, &err), CORE_OK);
    assert_int_equal(core_file_write_atomic(path, "world!", 6, &err), CORE_OK);
    char *buf;
    size_t len;
    assert_int_equal(core_file_read(path, 100, &buf, &len, &err), CORE_OK);
    assert_int_equal(len, 6);
    assert_string_equal(buf, "world!");
    free(buf);
    assert_int_equal(core_file_read(path, 3, &buf, &len, &err), CORE_EINVAL);
    assert_null(buf);
    assert_non_null(strstr(err.message, "too large"));
    assert_int_equal(core_file_read(dir, 100, &buf, &len, &err), CORE_EIO);
    char missing[160];
    snprintf(missing, sizeof missing, "%s/none/x", dir);
    assert_int_equal(core_file_write_atomic(missing, "x", 1, &err), CORE_EIO);
    assert_string_equal(err.file, missing);
    assert_int_equal(core_file_read(missing, 100, &buf, &len, &err), CORE_ENOTFOUND);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(atomic_write_then_read_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
