/*
 * Fuzz target: card profiles, through the YAML reader and the profile loader (card_profile_load_doc) and the
 * checks personalisation runs before any key is made (card_profile_check). Input: the bytes of a YAML file.
 * Aborts when a profile is accepted yet breaks what the loader promises: a valid My Number, dates in order (a
 * profile issued relative to today is dated today first, as the file loader does), PINs of the right form,
 * tries in range.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card/card.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "card_profile: %s\n", what);
    abort();
}

static bool digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct core_yaml_doc *doc = NULL;
    struct core_error err;
    core_error_clear(&err);
    if (core_yaml_load_buffer("fuzz.yaml", (const char *)data, size, &doc, &err) != CORE_OK)
        return 0;
    struct card_profile p;
    int rc = card_profile_load_doc(doc, doc->root, &p, &err);
    core_yaml_free(doc);
    if (rc != CORE_OK) {
        if (err.message[0] == '\0')
            fail("an error without a message");
        return 0;
    }
    if (!core_my_number_valid(p.holder.my_number, strlen(p.holder.my_number)))
        fail("accepted a bad My Number");
    if (p.issued_days_before_today >= 0) {
        /* Issued relative to today: undated, no explicit dates, within 0..365 days; the loader checked it as
         * dated today, so dating it today must succeed (docs/CARD.md). */
        if (p.issued != CORE_DAY_NONE || p.expires != CORE_DAY_NONE || p.cert_expires != CORE_DAY_NONE ||
            p.issued_days_before_today > 365)
            fail("accepted a relative issue date with dates or out of range");
        if (card_profile_date(&p, core_date_today(), &err) != CORE_OK)
            fail("a relative profile the loader accepted cannot be dated today");
    } else if (p.issued_days_before_today != -1) {
        fail("a relative issue date below -1");
    }
    if (p.issued == CORE_DAY_NONE || p.issued < p.holder.born)
        fail("accepted an impossible issue date");
    if (p.kind == CARD_KIND_NORMAL && (!digits(p.auth_pin, 4) || !digits(p.text_pin, 4)))
        fail("accepted a bad PIN");
    if (p.kind == CARD_KIND_FACE_ONLY && (p.auth_pin[0] || p.text_pin[0] || p.sign_password[0]))
        fail("accepted PINs on a face_only card");
    struct card_state s;
    if (card_profile_check(&p, NULL, &s, &err) != CORE_OK)
        fail("a loaded profile fails its own check");
    if (s.expires < s.issued || s.cert_expires < s.issued)
        fail("dates out of order");
    for (int i = 0; i < CARD_PIN_COUNT; i++)
        if (s.tries_left[i] > s.tries_max[i])
            fail("tries above the maximum");
    return 0;
}
