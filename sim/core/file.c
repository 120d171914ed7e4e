/*
 * Whole-file reads with a size limit, and the one writer of whole files (core.h, "files"; docs/FILES.md).
 *
 * Reading: a path is opened without blocking (O_NONBLOCK, so a FIFO with no writer cannot hang the open) and
 * refused unless it is a regular file, so a FIFO, a device, a socket or a directory named where a file is
 * expected is a clear error, never a hang and never an endless read of /dev/zero.
 *
 * Writing: a card's --state file must survive a crash or SIGKILL mid-write, a report must never be seen half
 * written, and a folder watcher must never see a half-written answer file under its final name. So a file is
 * written to a temporary file created exclusively in the target's directory and renamed over the target when
 * complete. The temporary name starts with '.' and ends in ".tmp-" and random letters, never in the target's
 * extension; O_CREAT|O_EXCL|O_NOFOLLOW means a planted file or symlink at that name is never opened or
 * followed (the open fails and another name is drawn). What the target may be is decided once, on the path as
 * it stands (lstat), and checked again just before the rename:
 *   - absent or a regular file: replaced by rename (a regular file keeps its permission bits);
 *   - this process's own stdout or stderr, however named (/dev/stdout, /proc/self/fd/1): written through;
 *   - a character device (/dev/null, a terminal), named directly or through a symlink: written through,
 *     opened without O_CREAT or O_TRUNC, so the device is never replaced by a regular file;
 *   - anything else (a symlink to a file or to nothing, a FIFO, a socket, a block device, a directory):
 *     refused with an error naming what it is.
 */
#define _GNU_SOURCE /* getrandom, O_NOFOLLOW and O_CLOEXEC spelt by glibc */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"

const char *core_file_kind(unsigned mode)
{
    if (S_ISREG(mode))
        return "a regular file";
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISLNK(mode))
        return "a symbolic link";
    return "not a file";
}

int core_file_open_regular(const char *path, int *fd_out, struct core_error *err)
{
    *fd_out = -1;
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. Symlinks to regular
     * files are followed on purpose (a fixtures directory of links must work). */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return core_error_set(err, errno == ENOENT ? CORE_ENOTFOUND : CORE_EIO, path, 0, 0, "cannot open: %s",
                              strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot open: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return core_error_set(err, CORE_EIO, path, 0, 0, "not a regular file (%s)",
                              core_file_kind((unsigned)st.st_mode));
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot open: %s", strerror(e));
    }
    *fd_out = fd;
    return CORE_OK;
}

int core_file_read(const char *path, size_t max_size, char **out, size_t *len, struct core_error *err)
{
    *out = NULL;
    *len = 0;
    int fd;
    int rc = core_file_open_regular(path, &fd, err);
    if (rc != CORE_OK)
        return rc;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot open: %s", strerror(e));
    }
    if ((unsigned long long)st.st_size > max_size) {
        close(fd);
        return core_error_set(err, CORE_EINVAL, path, 0, 0, "file too large (%lld bytes, limit %zu)",
                              (long long)st.st_size, max_size);
    }
    size_t cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap);
    if (buf == NULL) {
        close(fd);
        return core_error_set(err, CORE_ENOMEM, path, 0, 0, "out of memory");
    }
    size_t got = 0;
    while (got < cap - 1) {
        ssize_t n = read(fd, buf + got, cap - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            close(fd);
            return core_error_set(err, CORE_EIO, path, 0, 0, "read failed: %s", strerror(e));
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return CORE_OK;
}

/* ---- the writer ---------------------------------------------------------------------------------------- */

enum { TMP_RANDOM = 12, TMP_BASE_MAX = 200, TMP_TRIES = 64 };

/* The temporary file's name for target base name `base`: ".BASE.tmp-RRRRRRRRRRRR" (BASE cut to
 * TMP_BASE_MAX bytes so the name fits NAME_MAX). */
static void tmp_name(char *out, size_t cap, const char *base)
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char rnd[TMP_RANDOM];
    if (getrandom(rnd, sizeof rnd, GRND_NONBLOCK) != (ssize_t)sizeof rnd) {
        /* No entropy yet (early boot): uniqueness still comes from O_EXCL and retrying. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t h = core_hash64(&ts, sizeof ts, (uint64_t)getpid());
        for (size_t i = 0; i < sizeof rnd; i++)
            rnd[i] = (unsigned char)(h >> (8 * (i % 8))) ^ (unsigned char)(i * 37u);
    }
    char r[TMP_RANDOM + 1];
    for (size_t i = 0; i < TMP_RANDOM; i++)
        r[i] = letters[rnd[i] % (sizeof letters - 1)];
    r[TMP_RANDOM] = '\0';
    snprintf(out, cap, ".%.*s.tmp-%s", TMP_BASE_MAX, base, r);
}

/* Splits path into its directory (opened as dirfd) and its last component (*base, inside path). */
static CORE_MUST_USE int open_dir_of(const char *path, int *dirfd, const char **base, struct core_error *err)
{
    const char *slash = strrchr(path, '/');
    *base = slash != NULL ? slash + 1 : path;
    if (**base == '\0' || strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0)
        return core_error_set(err, CORE_EINVAL, path, 0, 0, "names a directory, not a file");
    char *dir;
    if (slash == NULL)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return core_error_set(err, CORE_ENOMEM, path, 0, 0, "out of memory");
    *dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int e = errno;
    free(dir);
    if (*dirfd < 0)
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot write: its directory: %s", strerror(e));
    return CORE_OK;
}

static bool same_file(const struct stat *a, int fd)
{
    struct stat b;
    return fstat(fd, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

/* A target that is not absent and not a regular file: written through, or refused. */
static CORE_MUST_USE int open_through(struct core_file_out *o, const char *path, const struct stat *lst,
                                      struct core_error *err)
{
    if (S_ISDIR(lst->st_mode))
        return core_error_set(err, CORE_EINVAL, path, 0, 0, "is a directory");
    bool link = S_ISLNK(lst->st_mode);
    struct stat st = *lst;
    if (link && stat(path, &st) != 0)
        return core_error_set(err, CORE_EINVAL, path, 0, 0,
                              "is a symbolic link to nothing: not followed and not replaced (name the file "
                              "itself)");
    int own = same_file(&st, STDOUT_FILENO)   ? STDOUT_FILENO
              : same_file(&st, STDERR_FILENO) ? STDERR_FILENO
                                              : -1;
    if (own >= 0 && !S_ISDIR(st.st_mode)) {
        /* This process's own stdout or stderr, as /dev/stdout names it: the stream the caller opened. */
        o->fd = fcntl(own, F_DUPFD_CLOEXEC, 3);
        if (o->fd < 0)
            return core_error_set(err, CORE_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        return CORE_OK;
    }
    if (!S_ISCHR(st.st_mode)) {
        if (link)
            return core_error_set(err, CORE_EINVAL, path, 0, 0,
                                  "is a symbolic link to %s: not followed and not replaced (name the file "
                                  "itself)",
                                  core_file_kind((unsigned)st.st_mode));
        return core_error_set(err, CORE_EINVAL, path, 0, 0,
                              "is %s: refused (a file is written to a regular file, a character device or "
                              "stdout)",
                              core_file_kind((unsigned)st.st_mode));
    }
    /* A character device: written through, never created, truncated or replaced. O_NONBLOCK so that the
     * open itself cannot wait (a modem line); cleared before writing. */
    int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK | (link ? 0 : O_NOFOLLOW));
    if (fd < 0)
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
    struct stat now;
    int flags = fcntl(fd, F_GETFL);
    if (fstat(fd, &now) != 0 || !S_ISCHR(now.st_mode) || now.st_rdev != st.st_rdev || flags < 0 ||
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        close(fd);
        return core_error_set(err, CORE_EIO, path, 0, 0, "changed while it was opened: not written");
    }
    o->fd = fd;
    return CORE_OK;
}

int core_file_out_open(struct core_file_out *o, const char *path, struct core_error *err)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->dirfd = -1;
    const char *base;
    int rc = open_dir_of(path, &o->dirfd, &base, err);
    if (rc != CORE_OK)
        return rc;
    o->path = strdup(path);
    if (o->path == NULL) {
        close(o->dirfd);
        return core_error_set(err, CORE_ENOMEM, path, 0, 0, "out of memory");
    }
    o->base = o->path + (base - path);
    struct stat lst;
    bool exists = fstatat(o->dirfd, o->base, &lst, AT_SYMLINK_NOFOLLOW) == 0;
    if (!exists && errno != ENOENT) {
        rc = core_error_set(err, CORE_EIO, path, 0, 0, "cannot write: %s", strerror(errno));
        core_file_out_abort(o);
        return rc;
    }
    if (exists && !S_ISREG(lst.st_mode)) {
        rc = open_through(o, path, &lst, err);
        if (rc != CORE_OK)
            core_file_out_abort(o);
        return rc;
    }
    for (int tries = 0; tries < TMP_TRIES && o->fd < 0; tries++) {
        tmp_name(o->tmp, sizeof o->tmp, o->base);
        /* 0666 less the umask, as any new file; O_EXCL|O_NOFOLLOW: a name already taken (a planted file or
         * symlink, another writer's temporary file) is never opened: draw another. */
        o->fd = openat(o->dirfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (o->fd < 0 && errno != EEXIST) {
            rc = core_error_set(err, CORE_EIO, path, 0, 0, "cannot create a temporary file beside it: %s",
                                strerror(errno));
            o->tmp[0] = '\0';
            core_file_out_abort(o);
            return rc;
        }
    }
    if (o->fd < 0) {
        o->tmp[0] = '\0';
        core_file_out_abort(o);
        return core_error_set(err, CORE_EIO, path, 0, 0,
                              "cannot create a temporary file beside it: %d names "
                              "taken",
                              TMP_TRIES);
    }
    if (exists && fchmod(o->fd, lst.st_mode & 07777) != 0) {
        rc = core_error_set(err, CORE_EIO, path, 0, 0, "cannot keep its permissions: %s", strerror(errno));
        core_file_out_abort(o);
        return rc;
    }
    return CORE_OK;
}

int core_file_out_write(struct core_file_out *o, const void *data, size_t len, struct core_error *err)
{
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(o->fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return core_error_set(err, CORE_EIO, o->path, 0, 0, "write failed: %s",
                                  n < 0 ? strerror(errno) : "no progress");
        done += (size_t)n;
    }
    return CORE_OK;
}

int core_file_out_commit(struct core_file_out *o, struct core_error *err)
{
    int rc = CORE_OK;
    bool through = o->tmp[0] == '\0';
    /* A pipe or a terminal cannot be synced (EINVAL): written is all it can be. */
    if (fsync(o->fd) != 0 && !(through && (errno == EINVAL || errno == EROFS)))
        rc = core_error_set(err, CORE_EIO, o->path, 0, 0, "fsync failed: %s", strerror(errno));
    if (close(o->fd) != 0 && rc == CORE_OK)
        rc = core_error_set(err, CORE_EIO, o->path, 0, 0, "close failed: %s", strerror(errno));
    o->fd = -1;
    if (rc == CORE_OK && !through) {
        /* Checked again: a target that became a symlink, a FIFO or a device while we wrote is not replaced. */
        struct stat lst;
        if (fstatat(o->dirfd, o->base, &lst, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(lst.st_mode))
            rc = core_error_set(err, CORE_EIO, o->path, 0, 0, "became %s while it was written: not replaced",
                                core_file_kind((unsigned)lst.st_mode));
        else if (renameat(o->dirfd, o->tmp, o->dirfd, o->base) != 0)
            rc = core_error_set(err, CORE_EIO, o->path, 0, 0, "rename failed: %s", strerror(errno));
        else {
            o->tmp[0] = '\0';
            /* The rename is durable only once the directory is (a power loss, not only a kill). */
            if (fsync(o->dirfd) != 0 && errno != EINVAL)
                rc = core_error_set(err, CORE_EIO, o->path, 0, 0,
                                    "written, but its directory could not be synced: %s", strerror(errno));
        }
    }
    core_file_out_abort(o);
    return rc;
}

void core_file_out_abort(struct core_file_out *o)
{
    if (o->path == NULL)
        return;
    if (o->fd >= 0)
        close(o->fd);
    if (o->tmp[0] != '\0' && o->dirfd >= 0)
        unlinkat(o->dirfd, o->tmp, 0);
    if (o->dirfd >= 0)
        close(o->dirfd);
    free(o->path);
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->dirfd = -1;
}

int core_file_write_atomic(const char *path, const void *data, size_t len, struct core_error *err)
{
    struct core_file_out o;
    int rc = core_file_out_open(&o, path, err);
    if (rc != CORE_OK)
        return rc;
    rc = core_file_out_write(&o, data, len, err);
    if (rc != CORE_OK) {
        core_file_out_abort(&o);
        return rc;
    }
    return core_file_out_commit(&o, err);
}

bool core_file_is_temporary_of(const char *name, const char *base)
{
    size_t bl = strlen(base);
    if (bl == 0 || bl > TMP_BASE_MAX || name[0] != '.' || strncmp(name + 1, base, bl) != 0 ||
        strncmp(name + 1 + bl, ".tmp-", 5) != 0)
        return false;
    const char *r = name + 1 + bl + 5;
    size_t i = 0;
    for (; r[i] != '\0'; i++)
        if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= 'A' && r[i] <= 'Z') || (r[i] >= '0' && r[i] <= '9')))
            return false;
    return i == TMP_RANDOM;
}

int core_file_remove_temporaries(const char *path, struct core_error *err)
{
    int dirfd;
    const char *base;
    int rc = open_dir_of(path, &dirfd, &base, err);
    if (rc != CORE_OK)
        return rc;
    int dup_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (d == NULL) {
        if (dup_fd >= 0)
            close(dup_fd);
        close(dirfd);
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot list its directory: %s", strerror(errno));
    }
    const struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (core_file_is_temporary_of(de->d_name, base))
            (void)unlinkat(dirfd, de->d_name, 0);
    }
    closedir(d);
    close(dirfd);
    return CORE_OK;
}
