/*
 * issuance-ref: the reference insurer issuance program of `mynasim conform issuance` (docs/CONFORMANCE.md).
 * A small stand-in for a vendor's system: it reads one day per line of JSON on stdin, decides from the rules of
 * docs/RULES.md which certificates (資格確認書) and notices (資格情報のお知らせ) the insurers mail that day, and
 * writes one JSON line per mailing, then {"end_of_day": DAY}. Every number it uses (lead days, lags, the
 * maximum validity, the 75th birthday, AMEND-2's switch) comes from the day's JSON: it has no policy of its own.
 *
 * Built as is, it matches the engine on the suite (scenarios/conformance/issuance-suite.txt). Built with one of
 * the MUTANT_* flags below it makes one realistic slip, and the suite must catch it (ctest conform.mutants):
 *   MUTANT_NO_CERT3         forgets CERT-3: certificates while a usable paper card is held
 *   MUTANT_NO_AMEND2        misses AMEND-2: notices, not certificates, to latter-elderly members with the card
 *   MUTANT_VALIDITY_CAP     a certificate runs to the same date a year later, one day past CERT-4's cap
 *   MUTANT_NOTICE_NO_MYNA   a notice to every card holder, registered for insurance use or not
 *   MUTANT_NO_ADVANCE       no advance mailing before the paper card ends (CERT-2, NOTICE-5)
 *   MUTANT_NO_APPLICATION_LAG  answers an application the same day, ignoring the application lag (CERT-5)
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- dates: days since 1970-01-01 (proleptic Gregorian) ---- */

static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

static long add_months(long day, int months)
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    long total = (long)y * 12 + (m - 1) + months;
    int ny = (int)(total / 12), nm = (int)(total % 12) + 1;
    int dim = days_in_month(ny, nm);
    return days_from_civil(ny, nm, d > dim ? dim : d);
}

#define NONE (-999999L)

static long parse_date(json_t *v)
{
    const char *s = json_string_value(v);
    int y, m, d;
    if (s == NULL || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return NONE;
    return days_from_civil(y, m, d);
}

static void fmt_date(long day, char out[11])
{
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

/* ---- what the program remembers between days: timers (ex officio detections, applications) ---- */

struct timer {
    char who[64];
    long day;
    char kind; /* E withdrawal, G card returned, F certificate expired, X card body expired, P application */
    char reason;
};
static struct timer *timers;
static size_t ntimers, captimers;
struct seen {
    char who[64];
    long issued;
};
static struct seen *seen;
static size_t nseen, capseen;

static void add_timer(const char *who, long day, char kind, char reason)
{
    if (ntimers == captimers) {
        captimers = captimers ? captimers * 2 : 16;
        timers = realloc(timers, captimers * sizeof *timers);
        if (timers == NULL)
            exit(70);
    }
    struct timer *t = &timers[ntimers++];
    snprintf(t->who, sizeof t->who, "%s", who);
    t->day = day;
    t->kind = kind;
    t->reason = reason;
}

/* ---- the day ---- */

struct mail {
    char who[64];
    bool cert;
    char insurer[64];
    long from, to;
    bool carer;
};

struct day {
    json_t *root;
    long today, period_from, period_to, transition;
    long detection_lag, withdrawal_lag, latter_age;
    struct mail mails[256];
    size_t nmails;
};

static long param(json_t *params, const char *name)
{
    json_t *v = json_object_get(params, name);
    if (json_is_integer(v))
        return (long)json_integer_value(v);
    if (json_is_boolean(v))
        return json_is_true(v);
    long d = parse_date(v);
    if (d == NONE) {
        fprintf(stderr, "issuance-ref: the day gives no parameter %s\n", name);
        exit(65);
    }
    return d;
}

static json_t *insurer(const struct day *d, const char *id)
{
    size_t i;
    json_t *x;
    for (i = 0; i < json_array_size(json_object_get(d->root, "insurers")) &&
                (x = json_array_get(json_object_get(d->root, "insurers"), i)) != NULL;
         i++)
        if (strcmp(json_string_value(json_object_get(x, "id")), id) == 0)
            return x;
    return NULL;
}

static const char *ins_kind(const struct day *d, const char *id)
{
    json_t *x = insurer(d, id);
    return x ? json_string_value(json_object_get(x, "kind")) : "";
}

static long ins_param(const struct day *d, const char *id, const char *name)
{
    json_t *x = insurer(d, id);
    if (x == NULL) {
        fprintf(stderr, "issuance-ref: unknown insurer %s\n", id);
        exit(65);
    }
    return param(json_object_get(x, "parameters"), name);
}

static bool regional(const char *kind)
{
    return strcmp(kind, "nhi") == 0 || strcmp(kind, "latter_elderly") == 0;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static json_t *resident(const struct day *d, const char *who)
{
    size_t i;
    json_t *x;
    for (i = 0; i < json_array_size(json_object_get(d->root, "residents")) &&
                (x = json_array_get(json_object_get(d->root, "residents"), i)) != NULL;
         i++)
        if (strcmp(str(x, "id"), who) == 0)
            return x;
    return NULL;
}

static const char *mem_insurer(json_t *res)
{
    json_t *m = json_object_get(res, "membership");
    return json_is_object(m) ? str(m, "insurer") : NULL;
}

static bool myna(json_t *res)
{
#ifdef MUTANT_NOTICE_NO_MYNA
    return json_is_object(json_object_get(res, "card"));
#else
    return json_is_true(json_object_get(res, "myna"));
#endif
}

/* CERT-4: the last day of a certificate that starts on `start`. */
static long cert_end(const struct day *d, const char *ins, long start)
{
    int months = (int)ins_param(d, ins, "certificate.max_validity_months");
#ifdef MUTANT_VALIDITY_CAP
    long cap = add_months(start, months);
#else
    long cap = add_months(start, months) - 1;
#endif
    if (!regional(ins_kind(d, ins)))
        return cap;
    int y, m, dd;
    civil_from_days(start, &y, &m, &dd);
    long july = days_from_civil(m > 7 ? y + 1 : y, 7, 31);
    return july < cap ? july : cap;
}

/* A usable paper card of `ins` on `day` (in hand that morning, inside its printed validity). */
static bool paper_usable(json_t *res, const char *ins, long day)
{
    size_t i;
    json_t *x;
    for (i = 0; i < json_array_size(json_object_get(res, "documents")) &&
                (x = json_array_get(json_object_get(res, "documents"), i)) != NULL;
         i++) {
        if (strcmp(str(x, "document"), "paper_card") == 0 && strcmp(str(x, "insurer"), ins) == 0 &&
            parse_date(json_object_get(x, "valid_from")) <= day &&
            day <= parse_date(json_object_get(x, "valid_to")))
            return true;
    }
    return false;
}

/* A certificate of `ins` whose validity has not ended by `day`: held, or mailed today. */
static bool cert_covering(const struct day *d, json_t *res, const char *ins, long day)
{
    size_t i;
    json_t *x;
    for (i = 0; i < json_array_size(json_object_get(res, "documents")) &&
                (x = json_array_get(json_object_get(res, "documents"), i)) != NULL;
         i++) {
        if (strcmp(str(x, "document"), "certificate") == 0 && strcmp(str(x, "insurer"), ins) == 0 &&
            parse_date(json_object_get(x, "valid_to")) >= day)
            return true;
    }
    for (size_t k = 0; k < d->nmails; k++)
        if (d->mails[k].cert && strcmp(d->mails[k].who, str(res, "id")) == 0 &&
            strcmp(d->mails[k].insurer, ins) == 0 && d->mails[k].to >= day)
            return true;
    return false;
}

#ifndef MUTANT_NO_ADVANCE
static bool has_notice(const struct day *d, json_t *res, const char *ins)
{
    size_t i;
    json_t *x;
    for (i = 0; i < json_array_size(json_object_get(res, "documents")) &&
                (x = json_array_get(json_object_get(res, "documents"), i)) != NULL;
         i++)
        if (strcmp(str(x, "document"), "notice") == 0 && strcmp(str(x, "insurer"), ins) == 0)
            return true;
    for (size_t k = 0; k < d->nmails; k++)
        if (!d->mails[k].cert && strcmp(d->mails[k].who, str(res, "id")) == 0 &&
            strcmp(d->mails[k].insurer, ins) == 0)
            return true;
    return false;
}

#endif

static void emit(struct day *d, json_t *res, bool cert, const char *ins, long from, long to, const char *rule,
                 bool carer)
{
    char a[11], b[11];
    fmt_date(from, a);
    if (cert) {
        fmt_date(to, b);
        printf("{\"who\":\"%s\",\"document\":\"certificate\",\"insurer\":\"%s\",\"valid_from\":\"%s\","
               "\"valid_to\":\"%s\",\"rule\":\"%s\"}\n",
               str(res, "id"), ins, a, b, rule);
    } else {
        printf(
            "{\"who\":\"%s\",\"document\":\"notice\",\"insurer\":\"%s\",\"type\":\"B\",\"valid_from\":\"%s\","
            "\"rule\":\"%s\"}\n",
            str(res, "id"), ins, a, rule);
    }
    if (d->nmails < sizeof d->mails / sizeof d->mails[0]) {
        struct mail *m = &d->mails[d->nmails++];
        snprintf(m->who, sizeof m->who, "%s", str(res, "id"));
        snprintf(m->insurer, sizeof m->insurer, "%s", ins);
        m->cert = cert;
        m->from = from;
        m->to = to;
        m->carer = carer;
    }
}

/* The certificate (no マイナ保険証, or AMEND-2) or the notice (マイナ保険証) of `ins`, valid from `from`. */
static void mail_for(struct day *d, json_t *res, const char *ins, long from, const char *cert_rule,
                     const char *notice_rule)
{
#ifdef MUTANT_NO_AMEND2
    bool all_elderly = false;
#else
    bool all_elderly =
        strcmp(ins_kind(d, ins), "latter_elderly") == 0 && ins_param(d, ins, "certificate.all_elderly");
#endif
    if (all_elderly || !myna(res))
        emit(d, res, true, ins, from, cert_end(d, ins, from),
             all_elderly && myna(res) ? "AMEND-2" : cert_rule, false);
    else
        emit(d, res, false, ins, from, NONE, notice_rule, false);
}

static long birthday(long born, int age)
{
    int y, m, dd;
    civil_from_days(born, &y, &m, &dd);
    if (m == 2 && dd == 29 && !is_leap(y + age))
        return days_from_civil(y + age, 3, 1);
    return days_from_civil(y + age, m, dd);
}

/* AGE-75: the latter-elderly document arrives by the end of the month before the 75th birthday. */
static void age75(struct day *d, json_t *res)
{
    long b75 = birthday(parse_date(json_object_get(res, "born")), (int)d->latter_age);
    if (b75 <= d->period_from || b75 > d->period_to)
        return;
    int y, m, dd;
    civil_from_days(b75, &y, &m, &dd);
    long first = days_from_civil(y, m, 1);
    long by = dd == 1 ? add_months(first, -1) - 1 : first - 1;
    if (by < d->period_from)
        by = d->period_from;
    const char *cur = mem_insurer(res);
    if (d->today != by || cur == NULL || strcmp(ins_kind(d, cur), "latter_elderly") == 0)
        return;
    size_t i;
    json_t *x;
    for (i = 0; i < json_array_size(json_object_get(d->root, "insurers")) &&
                (x = json_array_get(json_object_get(d->root, "insurers"), i)) != NULL;
         i++)
        if (strcmp(str(x, "kind"), "latter_elderly") == 0) {
            mail_for(d, res, str(x, "id"), b75, "AGE-75", "AGE-75");
            return;
        }
}

/* CERT-2 / NOTICE-5: the advance mailing lead_days before the paper card's last day. */
static void paper_end(struct day *d, json_t *res)
{
#ifdef MUTANT_NO_ADVANCE
    (void)d;
    (void)res;
#else
    const char *ins = mem_insurer(res);
    size_t i;
    json_t *x;
    if (ins == NULL)
        return;
    for (i = 0; i < json_array_size(json_object_get(res, "documents")) &&
                (x = json_array_get(json_object_get(res, "documents"), i)) != NULL;
         i++) {
        if (strcmp(str(x, "document"), "paper_card") != 0 || strcmp(str(x, "insurer"), ins) != 0)
            continue;
        long last = parse_date(json_object_get(x, "valid_to"));
        long t = last - ins_param(d, ins, "certificate.lead_days");
        if (t < d->period_from)
            t = d->period_from;
        if (last < d->period_from || d->today != t)
            continue;
        if (cert_covering(d, res, ins, last + 1) || (myna(res) && has_notice(d, res, ins)))
            continue;
        mail_for(d, res, ins, last + 1, "CERT-2", "NOTICE-5");
    }
#endif
}

/* CERT-4 / D-5 / CERT-8: a certificate renewed lead_days before it ends. */
static void renew_one(struct day *d, json_t *res, const char *ins, long to, bool carer)
{
    const char *cur = mem_insurer(res);
    if (d->today < d->transition || cur == NULL || strcmp(cur, ins) != 0)
        return;
#ifndef MUTANT_NO_CERT3
    if (paper_usable(res, ins, to + 1))
        return; /* CERT-3: the paper card's own advance mailing brings the next document */
#endif
    if (cert_covering(d, res, ins, to + 1))
        return;
    if (carer && myna(res)) {
        emit(d, res, true, ins, to + 1, cert_end(d, ins, to + 1), "CERT-8", true);
        return;
    }
    mail_for(d, res, ins, to + 1, "CERT-4", "D-5");
}

static void renewals(struct day *d, json_t *res)
{
    size_t i;
    json_t *x;
    for (i = 0; i < json_array_size(json_object_get(res, "documents")) &&
                (x = json_array_get(json_object_get(res, "documents"), i)) != NULL;
         i++) {
        if (strcmp(str(x, "document"), "certificate") != 0)
            continue;
        const char *ins = str(x, "insurer");
        long to = parse_date(json_object_get(x, "valid_to"));
        long t = to - ins_param(d, ins, "certificate.lead_days");
        if (d->today == t || (d->today == d->period_from && t < d->today))
            renew_one(d, res, ins, to, json_is_true(json_object_get(x, "carer")));
    }
}

static void renewals_of_today(struct day *d)
{
    size_t n = d->nmails;
    for (size_t k = 0; k < n; k++) {
        struct mail m = d->mails[k];
        if (!m.cert || m.to - ins_param(d, m.insurer, "certificate.lead_days") > d->today)
            continue;
        renew_one(d, resident(d, m.who), m.insurer, m.to, m.carer);
    }
}

/* D-5: the July renewal of NHI and latter-elderly members. */
static void july(struct day *d, json_t *res)
{
    const char *ins = mem_insurer(res);
    if (ins == NULL || !regional(ins_kind(d, ins)) || d->today < d->transition)
        return;
    int y, m, dd;
    civil_from_days(d->today, &y, &m, &dd);
    long july31 = days_from_civil(y, 7, 31);
    if (d->today != july31 - ins_param(d, ins, "certificate.lead_days"))
        return;
    if (paper_usable(res, ins, july31) || cert_covering(d, res, ins, july31) ||
        cert_covering(d, res, ins, july31 + 1))
        return;
    mail_for(d, res, ins, july31 + 1, "D-5", "D-5");
}

/* CERT-5: certificates ex officio (E, F, G, card expiry) and on application. */
static void timers_due(struct day *d)
{
    for (size_t i = 0; i < ntimers; i++) {
        struct timer *t = &timers[i];
        if (t->day != d->today)
            continue;
        json_t *res = resident(d, t->who);
        const char *ins = res ? mem_insurer(res) : NULL;
        if (ins == NULL)
            continue;
        if (t->kind == 'P') {
            emit(d, res, true, ins, d->today, cert_end(d, ins, d->today), "CERT-5", t->reason == 'B');
            continue;
        }
        if (d->today < d->transition || myna(res) || cert_covering(d, res, ins, d->today))
            continue;
#ifndef MUTANT_NO_CERT3
        if (paper_usable(res, ins, d->today))
            continue; /* CERT-3: the advance mailing brings it */
#endif
        emit(d, res, true, ins, d->today, cert_end(d, ins, d->today), "CERT-5", false);
    }
}

static bool seen_card(const char *who, long issued)
{
    for (size_t i = 0; i < nseen; i++)
        if (strcmp(seen[i].who, who) == 0 && seen[i].issued == issued)
            return true;
    if (nseen == capseen) {
        capseen = capseen ? capseen * 2 : 16;
        seen = realloc(seen, capseen * sizeof *seen);
        if (seen == NULL)
            exit(70);
    }
    snprintf(seen[nseen].who, sizeof seen[nseen].who, "%s", who);
    seen[nseen++].issued = issued;
    return false;
}

/* A card seen for the first time: when its body and its certificate expire, detection follows (CERT-5). */
static void watch_card(struct day *d, json_t *res)
{
    json_t *c = json_object_get(res, "card");
    if (!json_is_object(c) || seen_card(str(res, "id"), parse_date(json_object_get(c, "issued"))))
        return;
    long expires = parse_date(json_object_get(c, "expires"));
    long x = expires + 1 + d->detection_lag;
    if (x >= d->today || d->today == d->period_from)
        add_timer(str(res, "id"), x < d->today ? d->today : x, 'X', 0);
    long pass = parse_date(json_object_get(c, "certificate_passes_to"));
    if (pass != NONE && pass + 1 <= expires) {
        long f = pass + 1 + d->detection_lag;
        if (f >= d->today || d->today == d->period_from)
            add_timer(str(res, "id"), f < d->today ? d->today : f, 'F', 0);
    }
}

static void events(struct day *d)
{
    size_t i;
    json_t *e;
    for (i = 0; i < json_array_size(json_object_get(d->root, "events")) &&
                (e = json_array_get(json_object_get(d->root, "events"), i)) != NULL;
         i++) {
        const char *what = str(e, "do");
        json_t *res = resident(d, str(e, "who"));
        if (res == NULL)
            continue;
        if (strcmp(what, "enroll") == 0) {
            const char *ins = str(e, "insurer");
            long b75 = birthday(parse_date(json_object_get(res, "born")), (int)d->latter_age);
            if (d->today < d->transition ||
                (strcmp(ins_kind(d, ins), "latter_elderly") == 0 && d->today == b75))
                continue; /* a paper card before D-3 (PAPER-1); AGE-75's document came in advance */
            mail_for(d, res, ins, d->today, "CERT-6", "NOTICE-1");
        } else if (strcmp(what, "apply_certificate") == 0) {
            const char *ins = mem_insurer(res);
            if (ins == NULL)
                continue;
#ifndef MUTANT_NO_CERT3
            if (paper_usable(res, ins, d->today))
                continue; /* CERT-3: refused while a usable paper card is held */
#endif
            const char *r = str(e, "reason");
#ifdef MUTANT_NO_APPLICATION_LAG
            emit(d, res, true, ins, d->today, cert_end(d, ins, d->today), "CERT-5", r[0] == 'B');
#else
            add_timer(str(res, "id"), d->today + ins_param(d, ins, "certificate.application_lag_days"), 'P',
                      r[0]);
#endif
        } else if (strcmp(what, "withdraw") == 0) {
            if (json_is_true(json_object_get(res, "registered")))
                add_timer(str(res, "id"), d->today + d->withdrawal_lag + d->detection_lag, 'E', 0);
        } else if (strcmp(what, "return_card") == 0) {
            if (json_is_object(json_object_get(res, "card")))
                add_timer(str(res, "id"), d->today + d->detection_lag, 'G', 0);
        }
    }
}

int main(void)
{
    static char line[1 << 22];
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    while (fgets(line, sizeof line, stdin) != NULL) {
        json_error_t je;
        struct day d;
        memset(&d, 0, sizeof d);
        d.root = json_loads(line, 0, &je);
        if (!json_is_object(d.root)) {
            fprintf(stderr, "issuance-ref: a day that is not JSON: %s\n", je.text);
            return 65;
        }
        d.today = parse_date(json_object_get(d.root, "day"));
        json_t *period = json_object_get(d.root, "period");
        d.period_from = parse_date(json_object_get(period, "from"));
        d.period_to = parse_date(json_object_get(period, "to"));
        d.transition = parse_date(json_object_get(d.root, "transition_from"));
        json_t *params = json_object_get(d.root, "parameters");
        d.detection_lag = param(params, "certificate.detection_lag_days");
        d.withdrawal_lag = param(params, "registration.withdrawal_lag_days");
        d.latter_age = param(params, "copay.latter_age");
        if (d.today == NONE || d.period_from == NONE || d.transition == NONE) {
            fprintf(stderr, "issuance-ref: the day has no day, period or transition_from\n");
            return 65;
        }
        size_t i;
        json_t *res;
        json_t *all = json_object_get(d.root, "residents");
        for (i = 0; i < json_array_size(all) && (res = json_array_get(all, i)) != NULL; i++)
            watch_card(&d, res);
        /* the morning's post: what falls due today, before the day's events */
        for (i = 0; i < json_array_size(all) && (res = json_array_get(all, i)) != NULL; i++) {
            age75(&d, res);
            paper_end(&d, res);
            renewals(&d, res);
            july(&d, res);
        }
        timers_due(&d);
        renewals_of_today(&d);
        events(&d);
        char day[11];
        fmt_date(d.today, day);
        printf("{\"end_of_day\":\"%s\"}\n", day);
        fflush(stdout);
        json_decref(d.root);
    }
    free(timers);
    free(seen);
    return 0;
}
