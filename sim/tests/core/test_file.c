/* Tests of sim/core/file.c: bounded reads that never block, and the one writer of whole files. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* How many entries of dir (besides . and ..) there are. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    const struct dirent *de;
    while ((de = readdir(d)) != NULL)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void tmpdir(char *dir)
{
    strcpy(dir, "/tmp/mynasim-file-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

static void cleanup(const char *dir)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* A FIFO with no writer would hang open(2) without O_NONBLOCK: refused at once, and named. A symlink to a
 * regular file is read as the file. */
static void reads_refuse_what_is_not_a_regular_file(void **state)
{
    (void)state;
    char dir[32];
    tmpdir(dir);
    char fifo[64], file[64], link[64];
    snprintf(fifo, sizeof fifo, "%s/f.yaml", dir);
    snprintf(file, sizeof file, "%s/a.yaml", dir);
    snprintf(link, sizeof link, "%s/l.yaml", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    struct core_error err;
    char *buf;
    size_t len;
    assert_int_equal(core_file_read(fifo, 100, &buf, &len, &err), CORE_EIO);
    assert_string_equal(err.message, "not a regular file (a FIFO)");
    assert_string_equal(err.file, fifo);
    assert_int_equal(core_file_read("/dev/null", 100, &buf, &len, &err), CORE_EIO);
    assert_string_equal(err.message, "not a regular file (a character device)");
    assert_int_equal(core_file_read(dir, 100, &buf, &len, &err), CORE_EIO);
    assert_string_equal(err.message, "not a regular file (a directory)");
    struct core_yaml_doc *doc;
    assert_int_equal(core_yaml_load_file(fifo, &doc, &err), CORE_EIO);
    assert_string_equal(err.message, "not a regular file (a FIFO)");
    assert_int_equal(core_file_write_atomic(file, "a: 1\n", 5, &err), CORE_OK);
    assert_int_equal(symlink("a.yaml", link), 0);
    assert_int_equal(core_file_read(link, 100, &buf, &len, &err), CORE_OK);
    assert_string_equal(buf, "a: 1\n");
    free(buf);
    cleanup(dir);
}

/* A symlink, a FIFO or a directory at the target is refused and left as it was; nothing is left behind. */
static void writes_refuse_links_fifos_and_directories(void **state)
{
    (void)state;
    char dir[32];
    tmpdir(dir);
    char victim[64], link[64], dangling[64], fifo[64], sub[64];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(link, sizeof link, "%s/out.json", dir);
    snprintf(dangling, sizeof dangling, "%s/d.json", dir);
    snprintf(fifo, sizeof fifo, "%s/f.json", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    struct core_error err;
    assert_int_equal(core_file_write_atomic(victim, "keep", 4, &err), CORE_OK);
    assert_int_equal(symlink("victim", link), 0);
    assert_int_equal(symlink("nowhere", dangling), 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(core_file_write_atomic(link, "new", 3, &err), CORE_EINVAL);
    assert_string_equal(
        err.message,
        "is a symbolic link to a regular file: not followed and not replaced (name the file itself)");
    assert_int_equal(core_file_write_atomic(dangling, "new", 3, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "symbolic link to nothing"));
    assert_int_equal(core_file_write_atomic(fifo, "new", 3, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "is a FIFO: refused"));
    assert_int_equal(core_file_write_atomic(sub, "new", 3, &err), CORE_EINVAL);
    assert_string_equal(err.message, "is a directory");
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    char *buf;
    size_t len;
    assert_int_equal(core_file_read(victim, 100, &buf, &len, &err), CORE_OK);
    assert_string_equal(buf, "keep");
    free(buf);
    char nowhere[64];
    snprintf(nowhere, sizeof nowhere, "%s/nowhere", dir);
    assert_int_equal(access(nowhere, F_OK), -1);
    assert_int_equal(entries(dir), 5);
    cleanup(dir);
}

/* The guessable temporary names of the old writer (PATH.tmp) and the new one's prefix, planted as symlinks
 * to a file that must not change: never followed. The replaced file keeps its permission bits; a new file
 * gets 0666 less the umask. */
static void planted_links_are_never_followed_and_modes_are_kept(void **state)
{
    (void)state;
    char dir[32];
    tmpdir(dir);
    char victim[64], target[64], plant1[96], plant2[96], fresh[64];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(target, sizeof target, "%s/state.bin", dir);
    snprintf(plant1, sizeof plant1, "%s/state.bin.tmp", dir);
    snprintf(plant2, sizeof plant2, "%s/.state.bin.tmp", dir);
    snprintf(fresh, sizeof fresh, "%s/fresh.bin", dir);
    struct core_error err;
    assert_int_equal(core_file_write_atomic(victim, "keep", 4, &err), CORE_OK);
    assert_int_equal(symlink(victim, plant1), 0);
    assert_int_equal(symlink(victim, plant2), 0);
    assert_int_equal(core_file_write_atomic(target, "one", 3, &err), CORE_OK);
    assert_int_equal(chmod(target, 0600), 0);
    assert_int_equal(core_file_write_atomic(target, "two", 3, &err), CORE_OK);
    struct stat st;
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    mode_t mask = umask(022);
    assert_int_equal(core_file_write_atomic(fresh, "x", 1, &err), CORE_OK);
    umask(mask);
    assert_int_equal(stat(fresh, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    char *buf;
    size_t len;
    assert_int_equal(core_file_read(victim, 100, &buf, &len, &err), CORE_OK);
    assert_string_equal(buf, "keep");
    free(buf);
    assert_int_equal(entries(dir), 5); /* victim, two plants, state.bin, fresh.bin: no temporary left */
    cleanup(dir);
}

/* Streaming: the target keeps its old content until commit; abort leaves it untouched and removes the
 * temporary file, whose name is hidden and does not end in the target's extension. */
static void streaming_commit_and_abort(void **state)
{
    (void)state;
    char dir[32];
    tmpdir(dir);
    char target[64];
    snprintf(target, sizeof target, "%s/answer.xml", dir);
    struct core_error err;
    assert_int_equal(core_file_write_atomic(target, "old", 3, &err), CORE_OK);
    struct core_file_out o;
    assert_int_equal(core_file_out_open(&o, target, &err), CORE_OK);
    assert_int_equal(o.tmp[0], '.');
    assert_int_not_equal(strcmp(o.tmp + strlen(o.tmp) - 4, ".xml"), 0);
    assert_int_equal(strncmp(o.tmp, ".answer.xml.tmp-", 16), 0);
    assert_int_equal(core_file_out_write(&o, "ne", 2, &err), CORE_OK);
    assert_int_equal(core_file_out_write(&o, "w!", 2, &err), CORE_OK);
    char *buf;
    size_t len;
    assert_int_equal(core_file_read(target, 100, &buf, &len, &err), CORE_OK);
    assert_string_equal(buf, "old");
    free(buf);
    assert_int_equal(entries(dir), 2);
    assert_int_equal(core_file_out_commit(&o, &err), CORE_OK);
    core_file_out_abort(&o); /* after commit: nothing */
    assert_int_equal(core_file_read(target, 100, &buf, &len, &err), CORE_OK);
    assert_string_equal(buf, "new!");
    free(buf);
    assert_int_equal(core_file_out_open(&o, target, &err), CORE_OK);
    assert_int_equal(core_file_out_write(&o, "lost", 4, &err), CORE_OK);
    core_file_out_abort(&o);
    assert_int_equal(core_file_read(target, 100, &buf, &len, &err), CORE_OK);
    assert_string_equal(buf, "new!");
    free(buf);
    assert_int_equal(entries(dir), 1);
    cleanup(dir);
}

/* Temporary files left by a killed writer are removed at the one writer's next start; others are not. */
static void leftovers_are_removed(void **state)
{
    (void)state;
    char dir[32];
    tmpdir(dir);
    char target[64], left[96], other[96], near[96];
    snprintf(target, sizeof target, "%s/state.bin", dir);
    snprintf(left, sizeof left, "%s/.state.bin.tmp-abcdefghijkl", dir);
    snprintf(other, sizeof other, "%s/.other.bin.tmp-abcdefghijkl", dir);
    snprintf(near, sizeof near, "%s/.state.bin.tmp-abc", dir);
    struct core_error err;
    assert_int_equal(core_file_write_atomic(left, "x", 1, &err), CORE_OK);
    assert_int_equal(core_file_write_atomic(other, "x", 1, &err), CORE_OK);
    assert_int_equal(core_file_write_atomic(near, "x", 1, &err), CORE_OK);
    assert_int_equal(core_file_remove_temporaries(target, &err), CORE_OK);
    assert_int_equal(access(left, F_OK), -1);
    assert_int_equal(access(other, F_OK), 0);
    assert_int_equal(access(near, F_OK), 0);
    cleanup(dir);
}

/* Two writers of one path, each many times: every commit succeeds and the file is always one writer's
 * whole content. */
static void concurrent_writers_both_complete(void **state)
{
    (void)state;
    char dir[32];
    tmpdir(dir);
    char target[64];
    snprintf(target, sizeof target, "%s/report.json", dir);
    enum { SIZE = 256 * 1024, ROUNDS = 40 };
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            char *data = malloc(SIZE);
            if (data == NULL)
                _exit(3);
            memset(data, k ? 'B' : 'A', SIZE);
            struct core_error e;
            for (int r = 0; r < ROUNDS; r++)
                if (core_file_write_atomic(target, data, SIZE, &e) != CORE_OK)
                    _exit(1);
            free(data);
            _exit(0);
        }
    }
    for (int r = 0; r < ROUNDS; r++) {
        char *buf;
        size_t len;
        struct core_error err;
        if (core_file_read(target, SIZE, &buf, &len, &err) == CORE_OK) {
            assert_int_equal(len, SIZE);
            assert_true(buf[0] == 'A' || buf[0] == 'B');
            assert_true(memchr(buf, buf[0] == 'A' ? 'B' : 'A', len) == NULL);
            free(buf);
        }
    }
    for (int k = 0; k < 2; k++) {
        int st;
        assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    assert_int_equal(entries(dir), 1);
    cleanup(dir);
}

/* Every kind of file a message can name. */
static void kinds_are_named(void **state)
{
    (void)state;
    assert_string_equal(core_file_kind(S_IFREG), "a regular file");
    assert_string_equal(core_file_kind(S_IFDIR), "a directory");
    assert_string_equal(core_file_kind(S_IFIFO), "a FIFO");
    assert_string_equal(core_file_kind(S_IFCHR), "a character device");
    assert_string_equal(core_file_kind(S_IFBLK), "a block device");
    assert_string_equal(core_file_kind(S_IFSOCK), "a socket");
    assert_string_equal(core_file_kind(S_IFLNK), "a symbolic link");
    assert_string_equal(core_file_kind(0), "not a file");
}

/* Names that are no file, a name too long for the directory, a directory where nothing can be created, a
 * device that is full: each an error naming the path, and nothing left behind. */
static void writer_refusals_name_the_path(void **state)
{
    (void)state;
    char dir[32];
    tmpdir(dir);
    struct core_error err;
    char path[600];
    snprintf(path, sizeof path, "%s/", dir);
    assert_int_equal(core_file_write_atomic(path, "x", 1, &err), CORE_EINVAL);
    assert_non_null(strstr(err.message, "names a directory"));
    snprintf(path, sizeof path, "%s/..", dir);
    assert_int_equal(core_file_write_atomic(path, "x", 1, &err), CORE_EINVAL);
    /* A last component longer than NAME_MAX: looking it up fails with something other than "absent". */
    int n = snprintf(path, sizeof path, "%s/", dir);
    memset(path + n, 'a', 300);
    path[n + 300] = '\0';
    assert_int_equal(core_file_write_atomic(path, "x", 1, &err), CORE_EIO);
    assert_non_null(strstr(err.message, "cannot write"));
    /* /proc/self takes no new files, whoever we are (and without /proc its directory cannot be opened). */
    assert_int_equal(core_file_write_atomic("/proc/self/mynasim-test-file", "x", 1, &err), CORE_EIO);
    assert_non_null(strstr(err.message, "cannot"));
    /* /dev/full: a character device, written through, whose writes fail. */
    struct stat st;
    if (stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode)) {
        assert_int_equal(core_file_write_atomic("/dev/full", "x", 1, &err), CORE_EIO);
        assert_non_null(strstr(err.message, "write failed"));
    }
    assert_int_equal(entries(dir), 0);
    cleanup(dir);
}

/* A name without a directory is written in the current directory; a target that becomes a FIFO while it is
 * written is not replaced, and the temporary file goes. */
static void relative_names_and_targets_that_change(void **state)
{
    (void)state;
    char dir[32];
    tmpdir(dir);
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    struct core_error err;
    assert_int_equal(core_file_write_atomic("plain.txt", "here", 4, &err), CORE_OK);
    char *buf;
    size_t len;
    assert_int_equal(core_file_read("plain.txt", 100, &buf, &len, &err), CORE_OK);
    assert_string_equal(buf, "here");
    free(buf);
    struct core_file_out o;
    assert_int_equal(core_file_out_open(&o, "plain.txt", &err), CORE_OK);
    assert_int_equal(core_file_out_write(&o, "new", 3, &err), CORE_OK);
    assert_int_equal(unlink("plain.txt"), 0);
    assert_int_equal(mkfifo("plain.txt", 0600), 0);
    assert_int_equal(core_file_out_commit(&o, &err), CORE_EIO);
    assert_non_null(strstr(err.message, "became a FIFO"));
    assert_int_equal(entries("."), 1);
    assert_int_equal(chdir(cwd), 0);
    cleanup(dir);
}

/* Only the writer's own names are its temporaries: hidden, the base, ".tmp-", twelve letters or digits. */
static void temporary_names(void **state)
{
    (void)state;
    assert_true(core_file_is_temporary_of(".card.state.tmp-abcdEF123456", "card.state"));
    assert_false(core_file_is_temporary_of(".card.state.tmp-abcdEF12345!", "card.state"));
    assert_false(core_file_is_temporary_of(".card.state.tmp-abcdEF12345", "card.state"));
    assert_false(core_file_is_temporary_of("card.state.tmp-abcdEF123456", "card.state"));
    assert_false(core_file_is_temporary_of(".card.state.tmpXabcdEF12345", "card.state"));
    assert_false(core_file_is_temporary_of(".other.tmp-abcdEF123456", "card.state"));
    assert_false(core_file_is_temporary_of(".x", ""));
    char longbase[260];
    memset(longbase, 'b', sizeof longbase - 1);
    longbase[sizeof longbase - 1] = '\0';
    assert_false(core_file_is_temporary_of(".bbbb.tmp-abcdEF123456", longbase));
    /* At the root: its directory is "/", listed, and nothing of ours is there to remove. */
    struct core_error err;
    assert_int_equal(core_file_remove_temporaries("/mynasim-no-such-file", &err), CORE_OK);
    assert_int_equal(core_file_remove_temporaries("/tmp/mynasim-no-such-dir/x", &err), CORE_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(atomic_write_then_read_round_trips),
        cmocka_unit_test(reads_refuse_what_is_not_a_regular_file),
        cmocka_unit_test(writes_refuse_links_fifos_and_directories),
        cmocka_unit_test(planted_links_are_never_followed_and_modes_are_kept),
        cmocka_unit_test(streaming_commit_and_abort),
        cmocka_unit_test(leftovers_are_removed),
        cmocka_unit_test(concurrent_writers_both_complete),
        cmocka_unit_test(kinds_are_named),
        cmocka_unit_test(writer_refusals_name_the_path),
        cmocka_unit_test(relative_names_and_targets_that_change),
        cmocka_unit_test(temporary_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
