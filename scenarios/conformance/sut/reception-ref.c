/*
 * reception-ref: the reference reception system of `mynasim conform reception` (docs/CONFORMANCE.md,
 * docs/RECEPTION-INTERFACE.md), a stand-alone program (jansson only), as a vendor's adapter and product would be
 * one: it watches the terminal's folders, asks by numbers as a clinic does, and writes one decision per visit.
 *
 *   MYNASIM_FOLDERS=DIR MYNASIM_DECISIONS=DIR2 MYNASIM_POLICY=national reception-ref
 *
 * For each visit file DIR/paper/<visit>.json: when the card is shown, the face reader's result
 * DIR/face/OQSsiquc01res_face_<visit>_*.xml (QualificationValidity 1: insured by the card, numbers and rate from
 * the answer). Otherwise the documents in DESK-1's order: a certificate within its printed validity, a paper card
 * before its printed expiry, each checked online by its numbers (one request each, OQSsiquc01req_<visit>-<n>.xml);
 * with the card shown and failed, a notice (NOTICE-3); then, under `national` from 2025-08-01 to 2026-03-31 only (AMEND-1, docs/RULES.md), the look-up by the numbers
 * of an expired paper card or a notice; else self-pay. The rate: the answer's ratio from 70 (latter-stage or
 * elderly recipient), else from the birth date (the visit file's or the answer's) by the school-age band.
 * The insurer number is recorded as printed (the answer pads a 6-digit one to 8 with "00").
 *
 * A real product carries the rules it implements; this one carries AMEND-1's window as its own constants.
 *
 * Each mutant is this program built with one -D flag, one realistic slip (ci/conform-reception-mutants reads the
 * list below into docs/CONFORMANCE.md's table):
 *   MUTANT_NOTICE_ANY_POLICY   looks a notice or an expired card up under as-announced-2024 too
 *   MUTANT_IGNORES_EXPIRY      accepts a paper card after its printed expiry
 *   MUTANT_PADDED_INSURER      records the insurer number as the answer pads it (8 digits)
 *   MUTANT_STRIPS_ZEROS        asks with the insurer number's leading zeros stripped
 *   MUTANT_NO_REQUEST          accepts a paper card without asking
 *   MUTANT_FLAT_COPAY          charges 30 % whatever the answer says
 *   MUTANT_UTC_DATE            asks for the day before (a clock read in UTC before 09:00 JST)
 *   MUTANT_DOUBLE_REQUEST      asks twice for every document
 *   MUTANT_NEVER_ANSWERS       never decides a visit with a certificate
 *   MUTANT_GARBAGE             writes the rate as a string
 *   MUTANT_DOCUMENTS_FIRST     tries the documents before the card
 *   MUTANT_LOOKUP_FOREVER      forgets that AMEND-1's look-up ends on 2026-03-31
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* AMEND-1's window, docs/RULES.md (the product's own copy of the rule). */
static const char grace_from[] = "2025-08-01";
__attribute__((unused)) static const char grace_to[] = "2026-03-31";

static const char *folders, *decisions;

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = malloc(1 << 17);
    size_t n = buf ? fread(buf, 1, (1 << 17) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static bool write_whole(const char *dir, const char *name, const char *text)
{
    char tmp[1024], path[1024];
    snprintf(tmp, sizeof tmp, "%s/.%s.part", dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return false;
    fputs(text, f);
    if (fclose(f) != 0)
        return false;
    return rename(tmp, path) == 0;
}

/* The text of <tag>...</tag> in xml, into out. */
static bool element(const char *xml, const char *tag, char *out, size_t cap)
{
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = strstr(xml, open);
    const char *b = a ? strstr(a, close) : NULL;
    out[0] = '\0';
    if (a == NULL || b == NULL)
        return false;
    a += strlen(open);
    size_t n = (size_t)(b - a) < cap - 1 ? (size_t)(b - a) : cap - 1;
    memcpy(out, a, n);
    out[n] = '\0';
    return true;
}

struct answer {
    int validity;
    bool shown; /* a qualification is shown (ResultList) */
    bool lost;  /* with a DisqualificationDate */
    char insurer[16], symbol[64], number[64], branch[8];
    char born[16]; /* the answer's Birthdate as YYYY-MM-DD, "" when it has none */
    int ratio;
};

static bool read_answer(const char *xml, struct answer *a)
{
    char v[16] = "", r[16] = "";
    memset(a, 0, sizeof *a);
    if (!element(xml, "QualificationValidity", v, sizeof v))
        return false;
    a->validity = atoi(v);
    element(xml, "InsurerNumber", a->insurer, sizeof a->insurer);
    element(xml, "InsuredCardSymbol", a->symbol, sizeof a->symbol);
    element(xml, "InsuredIdentificationNumber", a->number, sizeof a->number);
    element(xml, "InsuredBranchNumber", a->branch, sizeof a->branch);
    /* The rate comes only for the latter-stage elderly (InsuredPartialContributionRatio) and at 70-74 (the
     * elderly recipient certificate's ratio); for everyone else the product derives it from the birth date. */
    if (element(xml, "InsuredPartialContributionRatio", r, sizeof r) ||
        element(xml, "ElderlyRecipientContributionRatio", r, sizeof r))
        a->ratio = atoi(r);
    char b[16] = "";
    if (element(xml, "Birthdate", b, sizeof b) && strlen(b) == 8)
        snprintf(a->born, sizeof a->born, "%.4s-%.2s-%.2s", b, b + 4, b + 6);
    a->shown = strstr(xml, "<ResultList>") != NULL;
    a->lost = strstr(xml, "<DisqualificationDate>") != NULL;
    /* a 6-digit insurer number arrives right-aligned in 8 characters (docs/MESSAGES.md) */
    if (strncmp(a->insurer, "  ", 2) == 0)
        memmove(a->insurer, a->insurer + 2, strlen(a->insurer + 2) + 1);
#ifdef MUTANT_PADDED_INSURER
    if (strlen(a->insurer) == 6) {
        memmove(a->insurer + 2, a->insurer, 7);
        a->insurer[0] = a->insurer[1] = '0';
    }
#endif
    return true;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void ymd(const char *date, char out[9])
{
    snprintf(out, 9, "%.4s%.2s%.2s", date, date + 5, date + 8);
}

static void day_before(const char *date, char out[11])
{
    struct tm t;
    memset(&t, 0, sizeof t);
    t.tm_year = atoi(date) - 1900;
    t.tm_mon = atoi(date + 5) - 1;
    t.tm_mday = atoi(date + 8) - 1;
    t.tm_hour = 12;
    timegm(&t);
    strftime(out, 11, "%Y-%m-%d", &t);
}

/* Asks by the numbers printed on doc; the answer read into a. False when no answer came. */
static bool ask(const char *visit, int n, const char *date, json_t *doc, struct answer *a)
{
    char id[96], name[160], res[1024], when[9], born[9], day[11];
    snprintf(id, sizeof id, "%s-%d", visit, n);
    snprintf(day, sizeof day, "%s", date);
#ifdef MUTANT_UTC_DATE
    day_before(date, day);
#endif
    ymd(day, when);
    ymd(str(doc, "birth_date"), born);
    const char *insurer = str(doc, "insurer_number");
#ifdef MUTANT_STRIPS_ZEROS
    while (insurer[0] == '0')
        insurer++;
#endif
    char *xml = NULL;
    const char *sym = str(doc, "symbol");
    char symel[128] = "";
    if (sym[0])
        snprintf(symel, sizeof symel, "      <InsuredCardSymbol>%s</InsuredCardSymbol>\n", sym);
    if (asprintf(
            &xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg>\n  <MessageHeader>\n"
            "    <QualificationConfirmationDate>%s</QualificationConfirmationDate>\n"
            "    <MedicalInstitutionCode>1312345678</MedicalInstitutionCode>\n"
            "    <ArbitraryFileIdentifier>%s</ArbitraryFileIdentifier>\n  </MessageHeader>\n"
            "  <MessageBody>\n    <QualificationConfirmSearchInfo>\n"
            "      <InsurerNumber>%s</InsurerNumber>\n%s"
            "      <InsuredIdentificationNumber>%s</InsuredIdentificationNumber>\n"
            "      <InsuredBranchNumber>%s</InsuredBranchNumber>\n      <Birthdate>%s</Birthdate>\n"
            "      <LimitApplicationCertificateRelatedConsFlg>1</LimitApplicationCertificateRelatedConsFlg>\n"
            "    </QualificationConfirmSearchInfo>\n  </MessageBody>\n</XmlMsg>\n",
            when, id, insurer, symel, str(doc, "number"), str(doc, "branch"), born) < 0)
        return false;
    char req[1024];
    snprintf(req, sizeof req, "%s/req", folders);
    snprintf(name, sizeof name, "OQSsiquc01req_%s.xml", id);
    bool ok = write_whole(req, name, xml);
    free(xml);
    if (!ok)
        return false;
    snprintf(res, sizeof res, "%s/res/OQSsiquc01res_%s.xml", folders, id);
    for (int i = 0; i < 2000; i++) { /* 10 s */
        char *text = slurp(res, NULL);
        if (text != NULL) {
            if (!read_answer(text, a))
                a->validity = 0; /* an error answer: no QualificationValidity */
            free(text);
            unlink(res);
            return true;
        }
        pause_ms(5);
    }
    return false;
}

/* Asks; `lookup`: the system must show a qualification for the day (AMEND-1), else only "no such
 * qualification" refuses the document (DESK-2: a change not yet reflected does not). */
static bool ask_ok(const char *visit, int *n, const char *date, json_t *doc, struct answer *a, bool lookup)
{
#ifdef MUTANT_DOUBLE_REQUEST
    struct answer twice;
    (void)ask(visit, (*n)++, date, doc, &twice);
#endif
    if (!ask(visit, (*n)++, date, doc, a))
        return false;
    if (lookup)
        return a->validity == 1 || (a->validity == 2 && !a->lost && a->shown);
    /* an error answer (the system is down) leaves the document at face value */
    return !(a->validity == 4 || a->validity == 3 || (a->validity == 2 && a->lost));
}

static json_t *find_doc(json_t *docs, const char *kind)
{
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d) if (strcmp(str(d, "kind"), kind) == 0) return d;
    return NULL;
}

/* Still valid on date (a printed expiry of null: none printed). */
static bool valid_on(json_t *doc, const char *date)
{
    json_t *v = json_object_get(doc, "valid_until");
    return json_is_null(v) || v == NULL || strcmp(json_string_value(v), date) >= 0;
}

/* COPAY by age on the day, when no answer carried the rate (docs/RULES.md; the product's own copy): 20 % until
 * the 31 March after the day before the sixth birthday (school entry), else 30 %. */
static int rate_by_age(const char *born, const char *date)
{
    int y = atoi(born), m = atoi(born + 5), d = atoi(born + 8);
    int entry = (m < 4 || (m == 4 && d == 1)) ? y + 6 : y + 7; /* school year begins 1 April of `entry` */
    char last[32];
    snprintf(last, sizeof last, "%04d-03-31", entry % 10000);
    /* From 70 the answer carries the rate (the elderly band starts the month after the 70th birthday:
     * before it, as at any age from school entry, 30 %). */
    return strcmp(date, last) <= 0 ? 20 : 30;
}

static json_t *insured(const char *visit, const char *route, json_t *doc, const struct answer *a_in,
                       const char *date)
{
    struct answer copy = *a_in;
    const struct answer *a = &copy;
    if (copy.ratio == 0 && doc != NULL)
        copy.ratio = rate_by_age(str(doc, "birth_date"), date);
    else if (copy.ratio == 0 && copy.born[0] != '\0')
        copy.ratio = rate_by_age(copy.born, date);
    json_t *o = json_pack("{s:s, s:s, s:s}", "visit", visit, "outcome", "insured", "route", route);
    if (doc != NULL) {
        json_object_set_new(o, "insurer_number", json_string(str(doc, "insurer_number")));
        json_object_set_new(o, "symbol", json_string(str(doc, "symbol")));
        json_object_set_new(o, "number", json_string(str(doc, "number")));
        json_object_set_new(o, "branch", json_string(str(doc, "branch")));
    } else {
        json_object_set_new(o, "insurer_number", json_string(a->insurer));
        json_object_set_new(o, "symbol", json_string(a->symbol));
        json_object_set_new(o, "number", json_string(a->number));
        json_object_set_new(o, "branch", json_string(a->branch));
    }
#if defined(MUTANT_FLAT_COPAY)
    json_object_set_new(o, "copay_percent", json_integer(30));
#elif defined(MUTANT_GARBAGE)
    char r[8];
    snprintf(r, sizeof r, "%d", a->ratio);
    json_object_set_new(o, "copay_percent", json_string(r));
#else
    json_object_set_new(o, "copay_percent", json_integer(a->ratio));
#endif
    return o;
}

/* The face reader's result for the visit, or NULL. */
static char *face_result(const char *visit)
{
    char dir[1024], prefix[128];
    snprintf(dir, sizeof dir, "%s/face", folders);
    snprintf(prefix, sizeof prefix, "OQSsiquc01res_face_%s_", visit);
    DIR *d = opendir(dir);
    if (d == NULL)
        return NULL;
    struct dirent *e;
    char *text = NULL;
    while (text == NULL && (e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            char p[1400];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            text = slurp(p, NULL);
            unlink(p);
        }
    closedir(d);
    return text;
}

static json_t *by_card(const char *visit, bool shown, const char *date)
{
    if (!shown)
        return NULL;
    char *xml = face_result(visit);
    struct answer a;
    bool ok = xml != NULL && read_answer(xml, &a) && a.validity == 1;
    free(xml);
    return ok ? insured(visit, "card", NULL, &a, date) : NULL;
}

static json_t *decide(json_t *v)
{
    const char *visit = str(v, "visit"), *date = str(v, "date"), *policy = str(v, "policy");
    json_t *docs = json_object_get(v, "documents");
    bool card = strcmp(str(v, "presents"), "card") == 0;
    struct answer a;
    int n = 1;
    json_t *d;
#ifndef MUTANT_DOCUMENTS_FIRST
    json_t *c = by_card(visit, card, date);
    if (c != NULL)
        return c;
#endif
    if ((d = find_doc(docs, "certificate")) != NULL && valid_on(d, date)) {
#ifdef MUTANT_NEVER_ANSWERS
        return NULL;
#endif
        if (ask_ok(visit, &n, date, d, &a, false))
            return insured(visit, "certificate", d, &a, date);
    }
    d = find_doc(docs, "paper_card");
#ifdef MUTANT_IGNORES_EXPIRY
    bool usable = d != NULL;
#else
    bool usable = d != NULL && valid_on(d, date);
#endif
    if (usable) {
#ifdef MUTANT_NO_REQUEST
        a.ratio = 30;
        return insured(visit, "paper_card", d, &a, date);
#endif
        if (ask_ok(visit, &n, date, d, &a, false))
            return insured(visit, "paper_card", d, &a, date);
    }
#ifdef MUTANT_DOCUMENTS_FIRST
    json_t *c = by_card(visit, card, date);
    if (c != NULL)
        return c;
#endif
    /* the card failed, the notice stands in (NOTICE-3), checked by its numbers */
    if (card && (d = find_doc(docs, "notice")) != NULL && ask_ok(visit, &n, date, d, &a, false))
        return insured(visit, "card_notice", d, &a, date);
#ifdef MUTANT_NOTICE_ANY_POLICY
    bool grace = strcmp(date, grace_from) >= 0 && strcmp(date, grace_to) <= 0;
    (void)policy;
#elif defined(MUTANT_LOOKUP_FOREVER)
    bool grace = strcmp(policy, "national") == 0 && strcmp(date, grace_from) >= 0;
#else
    bool grace =
        strcmp(policy, "national") == 0 && strcmp(date, grace_from) >= 0 && strcmp(date, grace_to) <= 0;
#endif
    if (grace) {
        json_t *p = find_doc(docs, "paper_card");
        json_t *x = p != NULL && !valid_on(p, date) ? p : find_doc(docs, "notice");
        if (x != NULL && ask_ok(visit, &n, date, x, &a, true))
            return insured(visit, "lookup", x, &a, date);
    }
    return json_pack("{s:s, s:s, s:n}", "visit", visit, "outcome", "self_pay", "route");
}

int main(void)
{
    folders = getenv("MYNASIM_FOLDERS");
    decisions = getenv("MYNASIM_DECISIONS");
    if (folders == NULL || decisions == NULL) {
        fprintf(stderr, "reception-ref: MYNASIM_FOLDERS and MYNASIM_DECISIONS must be set\n");
        return 2;
    }
    (void)day_before;
    char paper[1024];
    snprintf(paper, sizeof paper, "%s/paper", folders);
    for (;;) {
        DIR *dir = opendir(paper);
        if (dir == NULL) {
            fprintf(stderr, "reception-ref: %s: %s\n", paper, strerror(errno));
            return 1;
        }
        struct dirent *e;
        bool any = false;
        while ((e = readdir(dir)) != NULL) {
            size_t len = strlen(e->d_name);
            if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
                continue;
            char p[1400];
            snprintf(p, sizeof p, "%s/%s", paper, e->d_name);
            char *text = slurp(p, NULL);
            unlink(p);
            json_t *v = text ? json_loads(text, 0, NULL) : NULL;
            free(text);
            json_t *d = json_is_object(v) ? decide(v) : NULL;
            if (d != NULL) {
                char *out = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
                char name[128];
                snprintf(name, sizeof name, "%s.json", str(v, "visit"));
                if (out == NULL || !write_whole(decisions, name, out))
                    fprintf(stderr, "reception-ref: cannot write %s/%s\n", decisions, name);
                free(out);
            }
            json_decref(d);
            json_decref(v);
            any = true;
        }
        closedir(dir);
        if (!any)
            pause_ms(5);
    }
}
