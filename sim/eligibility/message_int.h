/* Private to sim/eligibility's message codec: what message.c and message_cp932.c share. */
#ifndef MYNASIM_ELIGIBILITY_MESSAGE_INT_H
#define MYNASIM_ELIGIBILITY_MESSAGE_INT_H

#include <stddef.h>

#include "eligibility/eligibility.h"

/* Initialises libxml2 once and aliases every Shift_JIS name to iconv's CP932. */
void elig_msg_init(void);

/* Copies UTF-8 `in` to `out` (cap bytes with the NUL), each character CP932 cannot hold replaced by ●
 * (U+25CF). CORE_EINVAL when `in` is not UTF-8 or `out` is too small. */
CORE_MUST_USE int elig_cp932_safe(const char *in, char *out, size_t cap);

#endif
