/*
 * Errors that carry a position. Every layer fills one `struct core_error` and returns its code; only the
 * command line prints it, as `file:line:column: message`, the form editors and CI logs link to.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"

void core_error_clear(struct core_error *err)
{
    if (err != NULL)
        memset(err, 0, sizeof *err);
}

int core_error_vset(struct core_error *err, int code, const char *file, int line, int column, const char *fmt,
                    va_list ap)
{
    if (err == NULL)
        return code;
    err->code = code;
    err->line = line;
    err->column = column;
    snprintf(err->file, sizeof err->file, "%s", file != NULL ? file : "");
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    return code;
}

int core_error_set(struct core_error *err, int code, const char *file, int line, int column, const char *fmt,
                   ...)
{
    va_list ap;
    va_start(ap, fmt);
    core_error_vset(err, code, file, line, column, fmt, ap);
    va_end(ap);
    return code;
}

size_t core_error_format(const struct core_error *err, char *buf, size_t cap)
{
    int n;
    if (err->file[0] != '\0' && err->line > 0)
        n = snprintf(buf, cap, "%s:%d:%d: %s", err->file, err->line, err->column, err->message);
    else if (err->file[0] != '\0')
        n = snprintf(buf, cap, "%s: %s", err->file, err->message);
    else
        n = snprintf(buf, cap, "%s", err->message);
    return n < 0 ? 0 : (size_t)n;
}

const char *core_status_name(int code)
{
    switch (code) {
    case CORE_OK:
        return "ok";
    case CORE_EINVAL:
        return "invalid input";
    case CORE_ENOMEM:
        return "out of memory";
    case CORE_EIO:
        return "input/output error";
    case CORE_ENOTFOUND:
        return "not found";
    case CORE_ECRYPTO:
        return "cryptography error";
    case CORE_ESTATE:
        return "not allowed in this state";
    default:
        return "unknown error";
    }
}
