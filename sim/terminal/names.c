/*
 * The names of the folder exchange (docs/TERMINAL.md, "Names"): which directory entries of req/ are requests,
 * and the answer's name for a request's id. A pure function of the name, fuzzed by fuzz/terminal_names.
 */
#include <string.h>

#include "eligibility/eligibility.h"
#include "terminal/terminal.h"

static bool id_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '-';
}

static bool id_valid(const char *id, size_t len)
{
    if (len == 0 || len > TERMINAL_ID_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!id_char(id[i]))
            return false;
    return true;
}

enum terminal_name_kind terminal_name_classify(const char *name, size_t len, char id[TERMINAL_ID_MAX + 1])
{
    id[0] = '\0';
    if (name == NULL || len == 0)
        return TERMINAL_NAME_OTHER;
    if (memchr(name, '\0', len) != NULL)
        return TERMINAL_NAME_OTHER;
    if (name[0] == '.')
        return TERMINAL_NAME_HIDDEN;
    const size_t pre = sizeof TERMINAL_REQUEST_PREFIX - 1, suf = sizeof TERMINAL_SUFFIX - 1;
    if (len <= pre + suf || memcmp(name, TERMINAL_REQUEST_PREFIX, pre) != 0 ||
        memcmp(name + len - suf, TERMINAL_SUFFIX, suf) != 0)
        return TERMINAL_NAME_OTHER;
    const char *body = name + pre;
    size_t n = len - pre - suf;
    if (!id_valid(body, n))
        return TERMINAL_NAME_OTHER;
    memcpy(id, body, n);
    id[n] = '\0';
    return TERMINAL_NAME_REQUEST;
}

int terminal_response_name(const char *id, char *out, size_t cap)
{
    if (id == NULL || out == NULL)
        return CORE_EINVAL;
    size_t n = strnlen(id, TERMINAL_ID_MAX + 1);
    if (!id_valid(id, n))
        return CORE_EINVAL;
    const size_t pre = sizeof TERMINAL_RESPONSE_PREFIX - 1, suf = sizeof TERMINAL_SUFFIX - 1;
    if (pre + n + suf + 1 > cap)
        return CORE_EINVAL;
    memcpy(out, TERMINAL_RESPONSE_PREFIX, pre);
    memcpy(out + pre, id, n);
    memcpy(out + pre + n, TERMINAL_SUFFIX, suf + 1);
    return CORE_OK;
}

int terminal_face_name(const char *visit, int64_t when, char *out, size_t cap)
{
    if (visit == NULL || out == NULL || !id_valid(visit, strnlen(visit, TERMINAL_ID_MAX + 1)))
        return CORE_EINVAL;
    /* One name builder for face results: the eligibility component's (docs/MESSAGES.md). */
    return eligibility_face_file_name(visit, when, out, cap);
}
