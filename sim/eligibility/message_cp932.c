/*
 * What a CP932 message can hold. The files declare "Shift_JIS" but Windows writes CP932 (NEC and IBM
 * extensions, the wave dash as U+FF5E), so libxml2's conversion goes through iconv's CP932 (message.c aliases
 * it). A character outside CP932 would otherwise be written as a character reference, which the real
 * system's files never carry: the real system shows such a character as ● (MESSAGES.md's unshowable-name
 * fault), and so does mynasim's encoder. Each character is tried on its own, so one unshowable character
 * costs one ●, not the name.
 */
#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "eligibility/message_int.h"

/* Length of the UTF-8 sequence at s (1..4), 0 when it is not one (overlong, surrogate, past U+10FFFF). */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return n;
}

int elig_cp932_safe(const char *in, char *out, size_t cap)
{
    static const char black_circle[] = "\xE2\x97\x8F"; /* ● U+25CF, CP932 0x819C */
    iconv_t cd = iconv_open("CP932", "UTF-8");
    if (cd == (iconv_t)-1)
        return CORE_EINVAL;
    int rc = CORE_OK;
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)in; *s != '\0';) {
        size_t n = utf8_len(s);
        if (n == 0) {
            rc = CORE_EINVAL;
            break;
        }
        char one[4], conv[8];
        memcpy(one, s, n);
        char *ip = one, *op = conv;
        size_t il = n, ol = sizeof conv;
        bool fits = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1;
        const char *src = fits ? (const char *)s : black_circle;
        size_t sl = fits ? n : 3;
        if (o + sl >= cap) {
            rc = CORE_EINVAL;
            break;
        }
        memcpy(out + o, src, sl);
        o += sl;
        s += n;
    }
    iconv_close(cd);
    if (cap > 0)
        out[o < cap ? o : cap - 1] = '\0';
    return rc;
}
