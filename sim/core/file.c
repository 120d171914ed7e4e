/*
 * Whole-file reads with a size limit, and atomic writes. Atomic because a card's --state file must survive
 * a crash or SIGKILL mid-write: a reader sees the old file or the new one, never half of each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"

int core_file_read(const char *path, size_t max_size, char **out, size_t *len, struct core_error *err)
{
    *out = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return core_error_set(err, errno == ENOENT ? CORE_ENOTFOUND : CORE_EIO, path, 0, 0, "cannot open: %s",
                              strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return core_error_set(err, CORE_EIO, path, 0, 0, "not a regular file");
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

int core_file_write_atomic(const char *path, const void *data, size_t len, struct core_error *err)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (tmp == NULL)
        return core_error_set(err, CORE_ENOMEM, path, 0, 0, "out of memory");
    snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return core_error_set(err, CORE_EIO, path, 0, 0, "cannot create temporary file: %s", strerror(e));
    }
    const uint8_t *p = data;
    size_t done = 0;
    int rc = CORE_OK;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = core_error_set(err, CORE_EIO, path, 0, 0, "write failed: %s", strerror(errno));
            break;
        }
        done += (size_t)n;
    }
    if (rc == CORE_OK && fsync(fd) != 0)
        rc = core_error_set(err, CORE_EIO, path, 0, 0, "fsync failed: %s", strerror(errno));
    if (close(fd) != 0 && rc == CORE_OK)
        rc = core_error_set(err, CORE_EIO, path, 0, 0, "close failed: %s", strerror(errno));
    if (rc == CORE_OK && rename(tmp, path) != 0)
        rc = core_error_set(err, CORE_EIO, path, 0, 0, "rename failed: %s", strerror(errno));
    if (rc != CORE_OK)
        unlink(tmp);
    free(tmp);
    return rc;
}
