/*
 * Fuzz target for the terminal's file names (sim/terminal/names.c; docs/TERMINAL.md, "Names"): which entries
 * of the request folder are requests. Besides crashes it aborts on a broken property:
 *  1. A request's name is exactly "OQSsiquc01req_" + id + ".xml", the id 1..TERMINAL_ID_MAX of [0-9A-Za-z_-]:
 *     nothing else is taken, so no path separator, dot or control byte reaches a file name the terminal makes.
 *  2. The answer's name for that id builds, is "OQSsiquc01res_" + id + ".xml", and is not itself a request.
 *  3. A name starting with '.' (the writers' temporaries, dotfiles) is hidden, never a request; one holding a
 *     NUL (no directory entry can) is OTHER, like every name with a NUL.
 *  4. A name that is not a request leaves the id empty.
 *  5. A face result's name for that id as its visit ends in 14 digits and ".xml" and is not a request.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "terminal/terminal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char id[TERMINAL_ID_MAX + 1];
    memset(id, 'x', sizeof id);
    enum terminal_name_kind k = terminal_name_classify(s, size, id);
    if (size > 0 && s[0] == '.' &&
        memchr(s, '\0', size) == NULL) /* a NUL makes any name OTHER (terminal.h) */
        check(k == TERMINAL_NAME_HIDDEN);
    if (k != TERMINAL_NAME_REQUEST) {
        check(id[0] == '\0');
        return 0;
    }
    size_t n = strlen(id);
    const size_t pre = sizeof TERMINAL_REQUEST_PREFIX - 1, suf = sizeof TERMINAL_SUFFIX - 1;
    check(n >= 1 && n <= TERMINAL_ID_MAX && size == pre + n + suf);
    check(memcmp(s, TERMINAL_REQUEST_PREFIX, pre) == 0 && memcmp(s + pre, id, n) == 0 &&
          memcmp(s + pre + n, TERMINAL_SUFFIX, suf) == 0);
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        check((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
              c == '-');
    }
    char res[sizeof TERMINAL_RESPONSE_PREFIX + TERMINAL_ID_MAX + sizeof TERMINAL_SUFFIX];
    check(terminal_response_name(id, res, sizeof res) == CORE_OK);
    check(strlen(res) == size && memcmp(res, TERMINAL_RESPONSE_PREFIX, pre) == 0 &&
          memcmp(res + pre, id, n) == 0);
    char again[TERMINAL_ID_MAX + 1];
    check(terminal_name_classify(res, strlen(res), again) == TERMINAL_NAME_OTHER);
    /* A face result's visit is narrower than a request id: no '_' (the agents' pattern splits on it) and at
     * most ELIGIBILITY_FACE_VISIT_MAX characters; anything else is refused, never misnamed. */
    char face[ELIGIBILITY_FACE_NAME_MAX];
    int frc = terminal_face_name(id, (int64_t)size * 86413, face, sizeof face);
    check(frc == ((memchr(id, '_', n) == NULL && n <= ELIGIBILITY_FACE_VISIT_MAX) ? CORE_OK : CORE_EINVAL));
    if (frc == CORE_OK) {
        size_t fl = strlen(face);
        check(fl == sizeof TERMINAL_FACE_PREFIX - 1 + n + 1 + 14 + suf &&
              strcmp(face + fl - suf, ".xml") == 0);
        for (size_t i = fl - suf - 14; i < fl - suf; i++)
            check(face[i] >= '0' && face[i] <= '9');
        check(terminal_name_classify(face, fl, again) == TERMINAL_NAME_OTHER);
    }
    /* Too small a buffer is refused, never overrun. */
    check(terminal_response_name(id, res, strlen(res)) == CORE_EINVAL);
    return 0;
}
