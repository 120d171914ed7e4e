/*
 * The person an answer shows (eligibility.h, "The person's data"; docs/MESSAGES.md, "The person and the
 * co-payment"): the name, kana and sex the insurers filed, or ones generated from a seed through a fixed table,
 * and the insurer's name. Only the answers the service sends look them up (eligibility_answer_add_person), so
 * the checks a population makes by the million copy no text.
 *
 * Names are shown as the real system shows them: every character outside JIS X 0208 (the IBM and NEC
 * extensions, JIS X 0212, emoji, Latin letters) as ●. Kana travel in half-width katakana, family and given
 * names parted by a space, as real answers carry them.
 */
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#include "eligibility/eligibility_int.h"

/* ---- characters --------------------------------------------------------------------------------------- */

/* The code point of the UTF-8 sequence at s and its length (1..4); 0 when it is not one. */
static size_t utf8_next(const unsigned char *s, unsigned *cp)
{
    unsigned char c = s[0];
    size_t n;
    unsigned v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, v = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, v = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, v = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if ((n == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) || (n == 4 && (v < 0x10000 || v > 0x10FFFF)))
        return 0;
    *cp = v;
    return n;
}

int eligibility_name_showable(const char *in, char *out, size_t cap)
{
    static const char black_circle[] = "\xE2\x97\x8F"; /* ● U+25CF */
    if (in == NULL || out == NULL || cap == 0)
        return CORE_EINVAL;
    out[0] = '\0';
    /* EUC-JP writes a JIS X 0208 character as two bytes of A1..FE; JIS X 0212 takes three (8F ..), half-width
     * katakana two starting 8E, ASCII one: only the first is JIS X 0208. */
    iconv_t cd = iconv_open("EUC-JP", "UTF-8");
    if (cd == (iconv_t)-1)
        return CORE_EINVAL;
    int rc = CORE_OK;
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)in; *s != '\0';) {
        unsigned cp;
        size_t n = utf8_next(s, &cp);
        if (n == 0) {
            rc = CORE_EINVAL;
            break;
        }
        char one[4], conv[8];
        memcpy(one, s, n);
        char *ip = one, *op = conv;
        size_t il = n, ol = sizeof conv;
        bool jis = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && sizeof conv - ol == 2 &&
                   (unsigned char)conv[0] >= 0xA1 && (unsigned char)conv[0] <= 0xFE &&
                   (unsigned char)conv[1] >= 0xA1 && (unsigned char)conv[1] <= 0xFE;
        const char *src = jis ? (const char *)s : black_circle;
        size_t sl = jis ? n : 3;
        if (o + sl >= cap) {
            rc = CORE_EINVAL;
            break;
        }
        memcpy(out + o, src, sl);
        o += sl;
        s += n;
    }
    iconv_close(cd);
    out[o < cap ? o : cap - 1] = '\0';
    if (rc != CORE_OK)
        out[0] = '\0';
    return rc;
}

/* Half-width forms of U+30A1 (ァ) .. U+30F6 (ヶ), voiced ones with their mark. */
static const char *const half_kana[] = {
    "ｧ",  "ｱ",  "ｨ",  "ｲ",  "ｩ",  "ｳ",  "ｪ",  "ｴ",  "ｫ", "ｵ",  "ｶ", "ｶﾞ", "ｷ",  "ｷﾞ", "ｸ",  "ｸﾞ", "ｹ", "ｹﾞ",
    "ｺ",  "ｺﾞ", "ｻ",  "ｻﾞ", "ｼ",  "ｼﾞ", "ｽ",  "ｽﾞ", "ｾ", "ｾﾞ", "ｿ", "ｿﾞ", "ﾀ",  "ﾀﾞ", "ﾁ",  "ﾁﾞ", "ｯ", "ﾂ",
    "ﾂﾞ", "ﾃ",  "ﾃﾞ", "ﾄ",  "ﾄﾞ", "ﾅ",  "ﾆ",  "ﾇ",  "ﾈ", "ﾉ",  "ﾊ", "ﾊﾞ", "ﾊﾟ", "ﾋ",  "ﾋﾞ", "ﾋﾟ", "ﾌ", "ﾌﾞ",
    "ﾌﾟ", "ﾍ",  "ﾍﾞ", "ﾍﾟ", "ﾎ",  "ﾎﾞ", "ﾎﾟ", "ﾏ",  "ﾐ", "ﾑ",  "ﾒ", "ﾓ",  "ｬ",  "ﾔ",  "ｭ",  "ﾕ",  "ｮ", "ﾖ",
    "ﾗ",  "ﾘ",  "ﾙ",  "ﾚ",  "ﾛ",  "ﾜ",  "ﾜ",  "ｲ",  "ｴ", "ｦ",  "ﾝ", "ｳﾞ", "ｶ",  "ｹ",
};

int eligibility_kana_half_width(const char *in, char *out, size_t cap)
{
    if (in == NULL || out == NULL || cap == 0)
        return CORE_EINVAL;
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)in; *s != '\0';) {
        unsigned cp;
        size_t n = utf8_next(s, &cp);
        if (n == 0)
            goto bad;
        const char *piece;
        size_t len;
        if (cp >= 0x3041 && cp <= 0x3096)
            cp += 0x60; /* hiragana as katakana */
        if (cp >= 0x30A1 && cp <= 0x30F6) {
            piece = half_kana[cp - 0x30A1];
            len = strlen(piece);
        } else if (cp == 0x30FC || cp == 0xFF70) {
            piece = "ｰ", len = 3;
        } else if (cp == 0x3000 || cp == ' ') {
            piece = " ", len = 1;
        } else if (cp >= 0xFF66 && cp <= 0xFF9F) {
            piece = (const char *)s, len = n; /* already half-width */
        } else {
            goto bad;
        }
        if (o + len >= cap)
            goto bad;
        memcpy(out + o, piece, len);
        o += len;
        s += n;
    }
    out[o] = '\0';
    return CORE_OK;
bad:
    out[0] = '\0';
    return CORE_EINVAL;
}

/* ---- generated persons -------------------------------------------------------------------------------- */

struct name_pair {
    const char *kanji, *kana;
};

static const struct name_pair family_names[] = {
    {"佐藤", "サトウ"},   {"鈴木", "スズキ"},   {"高橋", "タカハシ"}, {"田中", "タナカ"},
    {"伊藤", "イトウ"},   {"渡辺", "ワタナベ"}, {"山本", "ヤマモト"}, {"中村", "ナカムラ"},
    {"小林", "コバヤシ"}, {"加藤", "カトウ"},   {"吉田", "ヨシダ"},   {"山田", "ヤマダ"},
    {"佐々木", "ササキ"}, {"山口", "ヤマグチ"}, {"松本", "マツモト"}, {"井上", "イノウエ"},
};
static const struct name_pair male_names[] = {
    {"太郎", "タロウ"}, {"健", "ケン"},     {"翔太", "ショウタ"}, {"大輔", "ダイスケ"},
    {"誠", "マコト"},   {"浩二", "コウジ"}, {"拓也", "タクヤ"},   {"隆", "タカシ"},
};
static const struct name_pair female_names[] = {
    {"花子", "ハナコ"}, {"陽子", "ヨウコ"}, {"恵子", "ケイコ"}, {"美咲", "ミサキ"},
    {"由美", "ユミ"},   {"愛", "アイ"},     {"智子", "トモコ"}, {"真由美", "マユミ"},
};

static uint64_t splitmix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

void eligibility_person_generate(uint64_t seed, int sex, char name[ELIGIBILITY_PERSON_TEXT_MAX],
                                 char kana[ELIGIBILITY_PERSON_TEXT_MAX], int *sex_out)
{
    uint64_t h = splitmix(seed);
    if (sex < 1 || sex > 3)
        sex = (h & 1) ? 2 : 1;
    const struct name_pair *fam = &family_names[(h >> 8) % (sizeof family_names / sizeof family_names[0])];
    const struct name_pair *given =
        sex == 2 ? &female_names[(h >> 16) % (sizeof female_names / sizeof female_names[0])]
                 : &male_names[(h >> 16) % (sizeof male_names / sizeof male_names[0])];
    if (name != NULL)
        snprintf(name, ELIGIBILITY_PERSON_TEXT_MAX, "%s\xE3\x80\x80%s", fam->kanji, given->kanji);
    if (kana != NULL)
        snprintf(kana, ELIGIBILITY_PERSON_TEXT_MAX, "%s %s", fam->kana, given->kana);
    if (sex_out != NULL)
        *sex_out = sex;
}

/* ---- the registry's persons and insurers -------------------------------------------------------------- */

int eligibility_person_set_data(struct eligibility_registry *reg, uint32_t person,
                                const struct eligibility_person_data *d)
{
    if (reg == NULL || d == NULL || person >= reg->n_persons || d->sex < 0 || d->sex > 3)
        return CORE_EINVAL;
    struct elig_pdata pd;
    memset(&pd, 0, sizeof pd);
    bool given_name = d->name != NULL && d->name[0] != '\0';
    if (given_name) {
        if (strlen(d->name) >= sizeof pd.name)
            return CORE_EINVAL;
        unsigned cp;
        for (const unsigned char *s = (const unsigned char *)d->name; *s != '\0';) {
            size_t n = utf8_next(s, &cp);
            if (n == 0 || cp < 0x20 || cp == 0x7F)
                return CORE_EINVAL;
            s += n;
        }
        memcpy(pd.name, d->name, strlen(d->name) + 1);
    }
    if (d->kana != NULL && d->kana[0] != '\0' &&
        eligibility_kana_half_width(d->kana, pd.kana, sizeof pd.kana) != CORE_OK)
        return CORE_EINVAL;
    struct elig_person *p = &reg->persons[person];
    p->seed = d->seed;
    p->sex = d->sex;
    if (!given_name && pd.kana[0] == '\0') {
        p->data = ELIG_NIL;
        return CORE_OK;
    }
    uint32_t i = p->data;
    if (i == ELIG_NIL) {
        if (elig_pool_reserve((void **)&reg->pdata, &reg->cap_pdata, reg->n_pdata + 1, sizeof *reg->pdata) !=
            CORE_OK)
            return CORE_ENOMEM;
        i = (uint32_t)reg->n_pdata++;
    }
    reg->pdata[i] = pd;
    p->data = i;
    return CORE_OK;
}

/* The number as the registry keeps it: 6 or 8 digits (requests may pad 6 to 8 with spaces or zeros). */
static CORE_MUST_USE bool insurer_key(const char *number, char key[9])
{
    size_t n = number != NULL ? strnlen(number, 9) : 9;
    if (n == 8 && (memcmp(number, "  ", 2) == 0 || memcmp(number, "00", 2) == 0))
        number += 2, n = 6;
    if (n != 6 && n != 8)
        return false;
    for (size_t i = 0; i < n; i++)
        if (number[i] < '0' || number[i] > '9')
            return false;
    memcpy(key, number, n);
    key[n] = '\0';
    return true;
}

int eligibility_insurer_set_name(struct eligibility_registry *reg, const char *insurer_number,
                                 const char *name)
{
    char key[9];
    if (reg == NULL || name == NULL || name[0] == '\0' || strlen(name) >= ELIGIBILITY_PERSON_TEXT_MAX ||
        !insurer_key(insurer_number, key))
        return CORE_EINVAL;
    unsigned cp;
    for (const unsigned char *s = (const unsigned char *)name; *s != '\0';) {
        size_t n = utf8_next(s, &cp);
        if (n == 0 || cp < 0x20 || cp == 0x7F)
            return CORE_EINVAL;
        s += n;
    }
    size_t i = 0;
    while (i < reg->n_insurers && strcmp(reg->insurers[i].number, key) != 0)
        i++;
    if (i == reg->n_insurers) {
        if (elig_pool_reserve((void **)&reg->insurers, &reg->cap_insurers, reg->n_insurers + 1,
                              sizeof *reg->insurers) != CORE_OK)
            return CORE_ENOMEM;
        reg->n_insurers++;
        memcpy(reg->insurers[i].number, key, sizeof key);
    }
    memcpy(reg->insurers[i].name, name, strlen(name) + 1);
    return CORE_OK;
}

int eligibility_answer_add_person(const struct eligibility_registry *reg, struct eligibility_answer *a)
{
    if (reg == NULL || a == NULL)
        return CORE_EINVAL;
    struct eligibility_qualification *q = &a->qualification;
    if (!a->has_qualification && !a->lost_record)
        return CORE_OK;
    if (q->person >= reg->n_persons)
        return CORE_EINVAL;
    const struct elig_person *p = &reg->persons[q->person];
    const struct elig_pdata *pd = p->data != ELIG_NIL ? &reg->pdata[p->data] : NULL;
    char name[ELIGIBILITY_PERSON_TEXT_MAX], kana[ELIGIBILITY_PERSON_TEXT_MAX];
    eligibility_person_generate(p->seed, p->sex, name, kana, &q->sex);
    if (pd != NULL && pd->name[0] != '\0') {
        memcpy(name, pd->name, sizeof name);
        kana[0] = '\0'; /* a given name's reading is not guessed */
    }
    if (pd != NULL && pd->kana[0] != '\0')
        memcpy(kana, pd->kana, sizeof kana);
    int rc = eligibility_name_showable(name, q->name, sizeof q->name);
    if (rc == CORE_EINVAL) /* grown past the field by ●s (a long Latin name): one ● for the name */
        rc = eligibility_name_showable("\xE2\x97\x8F", q->name, sizeof q->name);
    if (rc != CORE_OK)
        return rc;
    if (kana[0] != '\0' && eligibility_kana_half_width(kana, q->kana, sizeof q->kana) != CORE_OK)
        q->kana[0] = '\0';
    else if (kana[0] == '\0')
        q->kana[0] = '\0';
    char key[9] = "";
    q->insurer_name[0] = '\0';
    if (insurer_key(q->numbers.insurer_number, key))
        for (size_t i = 0; i < reg->n_insurers; i++)
            if (strcmp(reg->insurers[i].number, key) == 0)
                memcpy(q->insurer_name, reg->insurers[i].name, sizeof q->insurer_name);
    if (q->insurer_name[0] == '\0')
        snprintf(q->insurer_name, sizeof q->insurer_name, "保険者%s", key);
    return CORE_OK;
}
