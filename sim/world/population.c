/*
 * population.c: populations (docs/SCENARIO-FORMAT.md, Populations; docs/POPULATIONS.md). A population of `size`
 * residents is generated from a mix and the scenario's seed one household at a time: its residents, their
 * insurers (from a generated national set with valid check digits), documents and a year of events, built as
 * a small `struct scenario` and run through world_new/world_run, the same engine and rules as named residents.
 * Clinic visits are then asked of the finished world as probes (world_probe_visit: the registry check and
 * clinic_decide, which change nothing), with the documents the resident chooses to bring; the household's
 * world is folded into the aggregates and freed. Memory is one household per thread plus the aggregates
 * (per day and per month of the period), whatever the size.
 *
 * Determinism: household h draws everything from core_rng_fork(root, h), where root comes from the seed, so
 * the residents do not depend on how households are split over threads; aggregates are sums, merged in
 * thread order. The household count is found by a first pass that draws only each household's size.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world/mix_int.h"

#define HH_INSURERS_MAX 12
#define NHI_COUNT 1716 /* municipalities (insurers generated for a population) */
#define PREF_COUNT 47
#define SOCIETY_COUNT 1380
#define MUTUAL_COUNT 85

/* ---- the generated insurers -------------------------------------------------------------------------- */

/* Insurer `i` of a kind: its number (6 digits for NHI, 8 otherwise, check digit valid, docs/RULES.md Numbers). */
static void insurer_number(enum scenario_insurer_kind k, int i, char out[9])
{
    static const char *const prefix[] = {"", "39", "06", "01", "31"};
    char d[9];
    int pref = i % PREF_COUNT + 1, serial = i / PREF_COUNT;
    /* PREF_COUNT is under 100: two digits of prefecture, three of serial, then the check digit. */
    size_t n = strlen(prefix[k]);
    memcpy(d, prefix[k], n);
    const int digits[5] = {pref / 10 % 10, pref % 10, serial / 100 % 10, serial / 10 % 10, serial % 10};
    for (int j = 0; j < 5; j++)
        d[n++] = (char)('0' + digits[j]);
    d[n] = (char)('0' + core_insurer_check_digit(d, n));
    d[n + 1] = '\0';
    memcpy(out, d, 9);
}

static int kind_count(enum scenario_insurer_kind k)
{
    switch (k) {
    case SCENARIO_INSURER_NHI:
        return NHI_COUNT;
    case SCENARIO_INSURER_SOCIETY:
        return SOCIETY_COUNT;
    case SCENARIO_INSURER_MUTUAL_AID:
        return MUTUAL_COUNT;
    default:
        return PREF_COUNT;
    }
}

/* ---- drawing ----------------------------------------------------------------------------------------- */

static double unit(struct core_rng *g)
{
    return (double)(core_rng_next(g) >> 11) * (1.0 / 9007199254740992.0);
}

static bool chance(struct core_rng *g, double p)
{
    return unit(g) < p;
}

static int pick(struct core_rng *g, const double *shares, int n)
{
    double u = unit(g), acc = 0;
    for (int i = 0; i < n; i++) {
        acc += shares[i];
        if (u < acc)
            return i;
    }
    for (int i = n; i-- > 0;)
        if (shares[i] > 0)
            return i;
    return 0;
}

static int poisson(struct core_rng *g, double lambda)
{
    if (lambda <= 0)
        return 0;
    /* Knuth's method in chunks of 20 so exp() never underflows. */
    int n = 0;
    while (lambda > 0) {
        double l = lambda > 20 ? 20 : lambda, limit = exp(-l), p = 1;
        lambda -= l;
        for (;;) {
            p *= unit(g);
            if (p <= limit)
                break;
            n++;
        }
    }
    return n;
}

static core_day day_in(struct core_rng *g, core_day from, core_day to)
{
    return to <= from ? from : from + (core_day)core_rng_below(g, (uint64_t)(to - from + 1));
}

static int lag_draw(struct core_rng *g, const struct mix_lagdist *l)
{
    return l->n > 0 ? l->days[pick(g, l->share, l->n)] : 0;
}

static int household_size(struct core_rng *g, const struct world_mix *m)
{
    return 1 + pick(g, m->household + 1, m->household_max);
}

/* ---- one household as a scenario ----------------------------------------------------------------------- */

struct planned_visit {
    core_day day;
    int resident;
    int clinic;
    unsigned faults;
    bool present; /* a resident holding both マイナ保険証 and another document presents the card */
};

struct worker {
    const struct scenario *scn;
    const struct world_mix *mix;
    /* the period's months (the first from the period's first day), read once: every resident walks them */
    size_t nmonths;
    struct pop_month {
        core_day first, last;
        double get_card, register_monthly;
    } * months;
    struct core_rng root;
    long long h_from, h_to, total_h;
    int last_size; /* the last household's size (cut to fill `size` exactly) */
    /* the policy's numbers the generator needs, read once (on the period's first day): the latter-stage
     * elderly age (AGE-75), the auth PIN's tries (a PIN block is that many wrong tries, MYNA-7), and the
     * certificates' validity in birthdays after issue (card dates) */
    int latter_age, pin_tries, cert_years;
    core_day checks_from;
    struct world_population agg;
    /* one household's scenario, reused */
    struct scenario hs;
    struct scenario_resident res[MIX_HOUSEHOLD_MAX];
    struct scenario_insurer ins[HH_INSURERS_MAX];
    struct scenario_clinic clinics[3];
    struct scenario_event *ev;
    size_t nev, capev;
    struct planned_visit *pv;
    size_t npv, cappv;
    int rc;
    struct core_error err;
    /* per-resident detail (world_population_run_detail): the household's visits, kept until it is reported */
    world_population_detail_fn detail;
    void *detail_ctx;
    struct world_visit *vis;
    size_t nvis, capvis;
};

static int hh_insurer(struct worker *wk, enum scenario_insurer_kind k, int idx)
{
    char id[SCENARIO_ID_MAX];
    const char *kind = k == SCENARIO_INSURER_NHI              ? "nhi-"
                       : k == SCENARIO_INSURER_LATTER_ELDERLY ? "latter-elderly-"
                       : k == SCENARIO_INSURER_SOCIETY        ? "society-"
                       : k == SCENARIO_INSURER_KYOKAI         ? "kyokai-"
                                                              : "mutual-aid-";
    size_t n = strlen(kind);
    memcpy(id, kind, n);
    (void)core_put_uint(id + n, sizeof id - n, (unsigned)idx, 4);
    for (size_t i = 0; i < wk->hs.insurer_count; i++)
        if (strcmp(wk->ins[i].id, id) == 0)
            return (int)i;
    if (wk->hs.insurer_count >= HH_INSURERS_MAX)
        return 0;
    struct scenario_insurer *in = &wk->ins[wk->hs.insurer_count];
    memset(in, 0, sizeof *in);
    core_strlcpy(in->id, id, sizeof in->id);
    in->kind = k;
    insurer_number(k, idx, in->number);
    return (int)wk->hs.insurer_count++;
}

static struct scenario_event *ev_add(struct worker *wk, enum scenario_event_kind kind, core_day day, int res)
{
    if (day < wk->hs.period.from || day > wk->hs.period.to)
        return NULL;
    if (wk->nev == wk->capev) {
        size_t cap = wk->capev ? wk->capev * 2 : 64;
        struct scenario_event *p = realloc(wk->ev, cap * sizeof *p);
        if (p == NULL) {
            wk->rc = CORE_ENOMEM;
            return NULL;
        }
        wk->ev = p;
        wk->capev = cap;
    }
    struct scenario_event *e = &wk->ev[wk->nev];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->date = day;
    e->resident = res;
    e->insurer = SCENARIO_NONE;
    e->of = SCENARIO_NONE;
    e->processed = CORE_DAY_NONE;
    e->visit.clinic = SCENARIO_NONE;
    e->pos.line = (int)++wk->nev; /* generation order: same-day events keep it */
    return e;
}

static void pv_add(struct worker *wk, struct core_rng *g, core_day day, int res, bool after_change)
{
    if (day < wk->checks_from || day > wk->hs.period.to)
        return;
    if (wk->npv == wk->cappv) {
        size_t cap = wk->cappv ? wk->cappv * 2 : 64;
        struct planned_visit *p = realloc(wk->pv, cap * sizeof *p);
        if (p == NULL) {
            wk->rc = CORE_ENOMEM;
            return;
        }
        wk->pv = p;
        wk->cappv = cap;
    }
    const struct world_mix *m = wk->mix;
    struct planned_visit *v = &wk->pv[wk->npv++];
    v->day = day;
    v->resident = res;
    v->clinic = after_change ? SCENARIO_READER_FACE : pick(g, m->reader, 3);
    v->faults = 0;
    if (chance(g, m->fault[MIX_FAULT_READER]))
        v->faults |= SCENARIO_FAULT_BIT(SCENARIO_FAULT_READER_FAULT);
    if (chance(g, m->fault[MIX_FAULT_UNSHOWABLE_NAME]))
        v->faults |= SCENARIO_FAULT_BIT(SCENARIO_FAULT_UNSHOWABLE_NAME);
    v->present = after_change || chance(g, mix_month_value(&m->present, day));
}

static int ev_cmp(const void *a, const void *b)
{
    const struct scenario_event *x = a, *y = b;
    if (x->date != y->date)
        return x->date < y->date ? -1 : 1;
    return x->pos.line < y->pos.line ? -1 : x->pos.line > y->pos.line;
}

static bool employee(enum scenario_insurer_kind k)
{
    return k == SCENARIO_INSURER_SOCIETY || k == SCENARIO_INSURER_KYOKAI || k == SCENARIO_INSURER_MUTUAL_AID;
}

static enum scenario_insurer_kind kind_for_age(struct core_rng *g, const struct world_mix *m, int age)
{
    int band = m->nkinds - 1;
    for (int i = 0; i < m->nkinds; i++)
        if (age <= m->kinds_to[i]) {
            band = i;
            break;
        }
    return (enum scenario_insurer_kind)pick(g, m->kinds[band], MIX_KINDS);
}

static int insurer_of_kind(struct worker *wk, struct core_rng *g, enum scenario_insurer_kind k, int pref,
                           int muni)
{
    int idx = k == SCENARIO_INSURER_NHI              ? muni
              : k == SCENARIO_INSURER_LATTER_ELDERLY ? pref
              : k == SCENARIO_INSURER_KYOKAI         ? pref
                                                     : (int)core_rng_below(g, (uint64_t)kind_count(k));
    return hh_insurer(wk, k, idx);
}

/* Generates household h into wk->hs (residents, insurers, events) and wk->pv (visits). */
static void household_make(struct worker *wk, long long h)
{
    const struct world_mix *m = wk->mix;
    const struct scenario *scn = wk->scn;
    struct core_rng g;
    core_rng_fork(&g, &wk->root, (uint64_t)h);
    int size = household_size(&g, m);
    if (h == wk->total_h - 1)
        size = wk->last_size;
    core_day from = scn->period.from, to = scn->period.to;
    double years = (double)(to - from + 1) / 365.25;
    wk->hs.insurer_count = 0;
    wk->hs.resident_count = (size_t)size;
    wk->nev = 0;
    wk->npv = 0;
    int pref = (int)core_rng_below(&g, PREF_COUNT);
    int muni = pref + PREF_COUNT * (int)core_rng_below(&g, NHI_COUNT / PREF_COUNT);
    int age[MIX_HOUSEHOLD_MAX] = {0};
    int head = -1;
    for (int i = 0; i < size; i++) {
        int band = pick(&g, m->age.v, m->age.n);
        age[i] =
            m->age.from[band] + (int)core_rng_below(&g, (uint64_t)(m->age.to[band] - m->age.from[band] + 1));
        if (head < 0 && age[i] >= 18 && age[i] < wk->latter_age)
            head = i;
    }
    /* The head comes first: dependents name an index that world_new sets up before them. */
    if (head > 0) {
        int t = age[0];
        age[0] = age[head];
        age[head] = t;
    }
    head = 0;
    enum scenario_insurer_kind head_kind = age[head] >= wk->latter_age ? SCENARIO_INSURER_LATTER_ELDERLY
                                           : age[head] < 18            ? SCENARIO_INSURER_NHI
                                                                       : kind_for_age(&g, m, age[head]);
    for (int i = 0; i < size; i++) {
        struct scenario_resident *r = &wk->res[i];
        memset(r, 0, sizeof *r);
        r->id[0] = 'h';
        size_t n = 1 + core_put_uint(r->id + 1, sizeof r->id - 1, (unsigned long long)h, 1);
        if (n + 1 < sizeof r->id) {
            r->id[n++] = '-';
            (void)core_put_uint(r->id + n, sizeof r->id - n, (unsigned)(i + 1), 1);
        }
        r->pos.line = i + 1;
        core_day born = core_date_add_months(from, -12 * age[i]) - (core_day)core_rng_below(&g, 365) - 1;
        r->born = born;
        r->of = SCENARIO_NONE;
        r->role = SCENARIO_ROLE_INSURED;
        enum scenario_insurer_kind k;
        if (age[i] >= wk->latter_age)
            k = SCENARIO_INSURER_LATTER_ELDERLY;
        else if (i == head)
            k = head_kind;
        else if (employee(head_kind) && (age[i] < 18 || chance(&g, m->adult_dependent))) {
            k = head_kind;
            r->role = SCENARIO_ROLE_DEPENDENT;
            r->of = head;
        } else if (employee(head_kind) && age[i] >= 18) {
            k = kind_for_age(&g, m, age[i]);
        } else {
            k = SCENARIO_INSURER_NHI;
        }
        r->insurer = r->role == SCENARIO_ROLE_DEPENDENT ? wk->res[head].insurer
                                                        : insurer_of_kind(wk, &g, k, pref, muni);
        r->income = chance(&g, m->income_high) ? SCENARIO_INCOME_HIGH : SCENARIO_INCOME_GENERAL;
        /* Paper card (the mix's paper_card): NHI and latter-elderly ones from the last yearly renewal, employee
         * ones from joining. */
        r->has_paper_card = true;
        core_day issued =
            (k == SCENARIO_INSURER_NHI || k == SCENARIO_INSURER_LATTER_ELDERLY)
                ? m->regional_renewal
                : day_in(&g, m->employee_joined_from, from - m->employee_joined_days_before_start);
        r->paper_card_issued = issued > from - 1 ? from - 1 : issued;
        if (r->paper_card_issued < born)
            r->paper_card_issued = born;
        r->paper_card_expires = CORE_DAY_NONE;
        r->insured_since = CORE_DAY_NONE; /* the world's default: the paper card's issue day */
        r->card_expires = CORE_DAY_NONE;
        r->card_cert_expires = CORE_DAY_NONE;
        r->registered = CORE_DAY_NONE;
        if (chance(&g, mix_age_value(&m->own, age[i]))) {
            int y =
                m->issued_before_start.year[pick(&g, m->issued_before_start.share, m->issued_before_start.n)];
            core_day y0, y1;
            /* Cannot fail: month and day are in range and the year is a day's year (+1). */
            CORE_DROP(core_date_from_ymd(y, 1, 1, &y0));
            /* Cannot fail: month and day are in range and the year is a day's year (+1). */
            CORE_DROP(core_date_from_ymd(y, 12, 31, &y1));
            if (y0 < born)
                y0 = born;
            if (y1 > from - 1)
                y1 = from - 1;
            if (y0 <= y1) {
                r->has_card = true;
                r->card_issued = day_in(&g, y0, y1);
                r->card_face_only = chance(&g, m->face_only);
                if (chance(&g, mix_age_value(&m->reg, age[i]))) {
                    core_day r0 = m->registration_opened;
                    r->registered = day_in(&g, r->card_issued > r0 ? r->card_issued : r0, from - 1);
                }
            }
        }
    }
    /* A year of events, resident by resident (docs/RULES.md decides what each does). */
    for (int i = 0; i < size && wk->rc == CORE_OK; i++) {
        struct scenario_resident *r = &wk->res[i];
        int a = age[i];
        bool card = r->has_card, reg = r->registered != CORE_DAY_NONE, face = r->card_face_only;
        enum scenario_insurer_kind k = wk->ins[r->insurer].kind;
        struct scenario_event *e;
        /* Monthly card uptake and registration. */
        for (size_t mi = 0; mi < wk->nmonths; mi++) {
            core_day mo = wk->months[mi].first, last = wk->months[mi].last;
            if (!card && chance(&g, wk->months[mi].get_card)) {
                if ((e = ev_add(wk, SCENARIO_EVENT_GET_CARD, day_in(&g, mo, last), i)) != NULL) {
                    card = true;
                    face = e->face_only = chance(&g, m->face_only);
                }
            } else if (card && !reg && chance(&g, wk->months[mi].register_monthly)) {
                if ((e = ev_add(wk, SCENARIO_EVENT_REGISTER, day_in(&g, mo, last), i)) != NULL) {
                    reg = true;
                    e->via = face ? SCENARIO_VIA_CLINIC : SCENARIO_VIA_PORTAL;
                }
            }
        }
        /* Job change: an employee-insured head moves to another employee insurer; dependents follow. */
        if (i == head && employee(k) && r->role == SCENARIO_ROLE_INSURED &&
            chance(&g, 1 - exp(-m->rate[MIX_RATE_JOB_CHANGE] * years))) {
            core_day d = day_in(&g, from + 1, to);
            enum scenario_insurer_kind nk = kind_for_age(&g, m, a);
            if (!employee(nk))
                nk = SCENARIO_INSURER_KYOKAI;
            int ni = insurer_of_kind(wk, &g, nk, pref, muni);
            if (ni != r->insurer && (e = ev_add(wk, SCENARIO_EVENT_LEAVE, d, i)) != NULL) {
                e->processed = d + lag_draw(&g, &m->lag[MIX_LAG_LOSS_FILING]);
                if ((e = ev_add(wk, SCENARIO_EVENT_ENROLL, d, i)) != NULL) {
                    e->insurer = ni;
                    e->role = SCENARIO_ROLE_INSURED;
                }
                if (chance(&g, m->fault[MIX_FAULT_BEFORE_REFLECTION]))
                    pv_add(wk, &g, d + 1, i, true);
            }
        }
        /* A move between municipalities: NHI members join the new municipality's NHI. */
        if (i == head && chance(&g, 1 - exp(-m->rate[MIX_RATE_MOVE] * years))) {
            core_day d = day_in(&g, from + 1, to);
            int nmuni = (muni + 1 + (int)core_rng_below(&g, NHI_COUNT - 1)) % NHI_COUNT;
            int lag = lag_draw(&g, &m->lag[MIX_LAG_LOSS_FILING]);
            bool before = chance(&g, m->fault[MIX_FAULT_BEFORE_REFLECTION]);
            for (int j = 0; j < size; j++)
                if (wk->ins[wk->res[j].insurer].kind == SCENARIO_INSURER_NHI &&
                    (e = ev_add(wk, SCENARIO_EVENT_LEAVE, d, j)) != NULL) {
                    e->processed = d + lag;
                    int ni = hh_insurer(wk, SCENARIO_INSURER_NHI, nmuni);
                    if ((e = ev_add(wk, SCENARIO_EVENT_ENROLL, d, j)) != NULL) {
                        e->insurer = ni;
                        e->role = SCENARIO_ROLE_INSURED;
                    }
                    if (before)
                        pv_add(wk, &g, d + 1, j, true);
                }
        }
        if (r->has_card) {
            if (chance(&g, 1 - exp(-m->rate[MIX_RATE_CARD_LOSS] * years))) {
                core_day d = day_in(&g, from + 1, to);
                if (ev_add(wk, SCENARIO_EVENT_LOSE_CARD, d, i) != NULL)
                    (void)ev_add(wk, SCENARIO_EVENT_REISSUE_CARD, d + lag_draw(&g, &m->lag[MIX_LAG_REISSUE]),
                                 i);
            } else if (chance(&g, 1 - exp(-m->rate[MIX_RATE_CARD_RETURN] * years))) {
                (void)ev_add(wk, SCENARIO_EVENT_RETURN_CARD, day_in(&g, from + 1, to), i);
            }
            if (r->registered != CORE_DAY_NONE && chance(&g, 1 - exp(-m->rate[MIX_RATE_WITHDRAWAL] * years)))
                (void)ev_add(wk, SCENARIO_EVENT_WITHDRAW, day_in(&g, from + 1, to), i);
            if (!r->card_face_only && chance(&g, 1 - exp(-m->rate[MIX_RATE_PIN_BLOCK] * years))) {
                core_day d = day_in(&g, from + 1, to);
                if ((e = ev_add(wk, SCENARIO_EVENT_WRONG_PIN, d, i)) != NULL) {
                    e->times = wk->pin_tries;
                    e->pin = SCENARIO_PIN_AUTH;
                    if ((e = ev_add(wk, SCENARIO_EVENT_RESET_PIN,
                                    d + lag_draw(&g, &m->lag[MIX_LAG_PIN_RESET]), i)) != NULL)
                        e->pin = SCENARIO_PIN_AUTH;
                }
            }
            /* The card's certificate expires on the Nth birthday after issue (docs/RULES.md, card dates). */
            core_day cexp = core_date_nth_birthday_after(r->born, r->card_issued, wk->cert_years);
            if (!r->card_face_only && cexp >= from && cexp <= to &&
                chance(&g, m->rate[MIX_RATE_CERT_RENEWAL]))
                (void)ev_add(wk, SCENARIO_EVENT_RENEW_CERT,
                             cexp - lag_draw(&g, &m->lag[MIX_LAG_RENEWAL_AHEAD]), i);
        }
        int n = poisson(&g, mix_age_value(&m->visits, a) * (double)(to - wk->checks_from + 1) / 365.25);
        for (int v = 0; v < n; v++)
            pv_add(wk, &g, day_in(&g, wk->checks_from, to), i, false);
    }
    if (wk->nev > 1)
        qsort(wk->ev, wk->nev, sizeof *wk->ev, ev_cmp);
    wk->hs.events = wk->ev;
    wk->hs.event_count = wk->nev;
    wk->hs.seed = core_rng_next(&g);
}

/* ---- aggregates ---------------------------------------------------------------------------------------- */

static struct world_pop_rule *rule_slot(struct world_population *p, const char *rule)
{
    const char *name = rule != NULL && rule[0] != '\0' ? rule : "-";
    for (size_t i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i].rule, name) == 0)
            return &p->rules[i];
    if (p->nrules == WORLD_POP_RULES_MAX)
        return &p->rules[WORLD_POP_RULES_MAX - 1];
    struct world_pop_rule *r = &p->rules[p->nrules++];
    memset(r, 0, sizeof *r);
    snprintf(r->rule, sizeof r->rule, "%s", name);
    return r;
}

/* The month of D among the months from p->from's (-1 outside them), by the calendar. */
static int month_of(const struct world_population *p, core_day d)
{
    int y0, m0, y, m, dd;
    core_date_to_ymd(p->from, &y0, &m0, &dd);
    core_date_to_ymd(d, &y, &m, &dd);
    int i = (y - y0) * 12 + (m - m0);
    return i >= 0 && (size_t)i < p->nmonths ? i : -1;
}

/* The same for aggregates made by agg_init (their months' first days filled in): months are few, so a scan from the last one
 * is cheaper than the calendar. */
static int month_index(const struct world_population *p, core_day d)
{
    if (p->nmonths == 0 || d < p->months[0].month || d >= p->months_end)
        return -1;
    size_t i = p->nmonths - 1;
    while (d < p->months[i].month)
        i--;
    return (int)i;
}

static CORE_MUST_USE int agg_init(struct world_population *p, core_day from, core_day to)
{
    memset(p, 0, sizeof *p);
    p->from = from;
    p->to = to;
    p->ndays = (size_t)(to - from + 1);
    int y0, m0, y1, m1, d;
    core_date_to_ymd(from, &y0, &m0, &d);
    core_date_to_ymd(to, &y1, &m1, &d);
    p->nmonths = (size_t)((y1 - y0) * 12 + (m1 - m0) + 1);
    p->gap_by_day = calloc(p->ndays, sizeof(long long));
    p->grace_by_day = calloc(p->ndays, sizeof(long long));
    p->degraded_by_day = calloc(p->ndays, sizeof(long long));
    p->claims_by_day = calloc(p->ndays, sizeof(long long));
    p->months = calloc(p->nmonths, sizeof *p->months);
    if (!p->gap_by_day || !p->grace_by_day || !p->degraded_by_day || !p->claims_by_day || !p->months)
        return CORE_ENOMEM;
    core_day first;
    /* Cannot fail: month and day are in range and the year is a day's year (+1). */
    CORE_DROP(core_date_from_ymd(y0, m0, 1, &first));
    for (size_t i = 0; i < p->nmonths; i++)
        p->months[i].month = core_date_add_months(first, (int)i);
    p->months_end = core_date_add_months(first, (int)p->nmonths);
    return CORE_OK;
}

static void add_days(long long *by_day, const struct world_population *p, core_day a, core_day b)
{
    /* Ranges are few per resident: a plain loop over their days keeps the arrays exact and simple. */
    if (a < p->from)
        a = p->from;
    if (b > p->to)
        b = p->to;
    for (core_day d = a; d <= b; d++)
        by_day[d - p->from]++;
}

static bool card_route(enum clinic_route r)
{
    return r == CLINIC_ROUTE_CARD || r == CLINIC_ROUTE_CARD_NOTICE || r == CLINIC_ROUTE_CARD_PORTAL;
}

static bool online_route(enum clinic_route r)
{
    return card_route(r) || r == CLINIC_ROUTE_PAPER_CARD || r == CLINIC_ROUTE_CERTIFICATE ||
           r == CLINIC_ROUTE_LOOKUP;
}

static int registered_on(const struct world *w, int ri, core_day d, unsigned held)
{
    if (!(held & SCENARIO_DOC_BIT(SCENARIO_DOC_CARD)))
        return 0;
    struct eligibility_answer a;
    struct core_error err;
    if (world_probe_check(w, ri, d, SCENARIO_NONE, &a, &err) != CORE_OK)
        return 0;
    return a.result != ELIGIBILITY_NOT_REGISTERED && a.result != ELIGIBILITY_NO_CARD;
}

/* Folds a run household world into the worker's aggregates. */
static CORE_MUST_USE int household_fold(struct worker *wk, const struct world *w)
{
    struct world_population *p = &wk->agg;
    size_t nres = wk->hs.resident_count;
    p->households++;
    p->residents += (long long)nres;
    if ((long long)nres > p->peak_household)
        p->peak_household = (long long)nres;
    p->gap += world_gap_days(w, SCENARIO_WHO_ALL);
    p->grace += world_grace_days(w, SCENARIO_WHO_ALL);
    p->degraded += world_degraded_days(w, SCENARIO_WHO_ALL);
    for (size_t ri = 0; ri < nres; ri++) {
        size_t n = world_range_count(w, (int)ri);
        for (size_t i = 0; i < n; i++) {
            const struct world_range *rg = world_range_at(w, (int)ri, i);
            long len = (long)(rg->to - rg->from + 1);
            if (rg->verdict == WORLD_DAY_GAP) {
                rule_slot(p, rg->rule)->gap += len;
                add_days(p->gap_by_day, p, rg->from, rg->to);
            } else if (rg->verdict == WORLD_DAY_GRACE) {
                rule_slot(p, "AMEND-1")->grace += len;
                add_days(p->grace_by_day, p, rg->from, rg->to);
            }
            if (rg->degraded) {
                rule_slot(p, rg->rule)->degraded += len;
                add_days(p->degraded_by_day, p, rg->from, rg->to);
            }
        }
        unsigned h0 = world_holds(w, (int)ri, wk->checks_from), h1 = world_holds(w, (int)ri, p->to);
        p->cards_start += (h0 & SCENARIO_DOC_BIT(SCENARIO_DOC_CARD)) != 0;
        p->cards_end += (h1 & SCENARIO_DOC_BIT(SCENARIO_DOC_CARD)) != 0;
        p->registered_start += registered_on(w, (int)ri, wk->checks_from, h0);
        p->registered_end += registered_on(w, (int)ri, p->to, h1);
    }
    size_t ne = world_event_count(w);
    for (size_t i = 0; i < ne; i++) {
        const struct world_event *e = world_event_at(w, i);
        int mi = month_index(p, e->day);
        if (mi < 0 || e->failed)
            continue;
        if (strcmp(e->what, "certificate_mailed") == 0)
            p->months[mi].mailed[SCENARIO_DOC_CERTIFICATE]++;
        else if (strcmp(e->what, "notice_mailed") == 0)
            p->months[mi].mailed[SCENARIO_DOC_NOTICE]++;
    }
    /* Visits: asked of the finished world, with what the resident chooses to bring. */
    for (size_t i = 0; i < wk->npv; i++) {
        const struct planned_visit *pv = &wk->pv[i];
        unsigned held = world_holds(w, pv->resident, pv->day);
        struct scenario_visit sv;
        memset(&sv, 0, sizeof sv);
        sv.clinic = pv->clinic;
        sv.faults = pv->faults;
        sv.kind = SCENARIO_VISIT_FIRST;
        unsigned other =
            held & (SCENARIO_DOC_BIT(SCENARIO_DOC_PAPER_CARD) | SCENARIO_DOC_BIT(SCENARIO_DOC_CERTIFICATE));
        if (!pv->present && (held & SCENARIO_DOC_BIT(SCENARIO_DOC_CARD)) && other != 0) {
            sv.bring_given = true;
            sv.bring = other;
        }
        struct world_visit v;
        int rc = world_probe_visit(w, pv->resident, pv->day, &sv, &v, &wk->err);
        if (rc != CORE_OK)
            return rc;
        if (wk->detail != NULL) {
            if (wk->nvis == wk->capvis) {
                size_t cap = wk->capvis ? wk->capvis * 2 : 64;
                struct world_visit *q = realloc(wk->vis, cap * sizeof *q);
                if (q == NULL)
                    return core_error_set(&wk->err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
                wk->vis = q;
                wk->capvis = cap;
            }
            wk->vis[wk->nvis++] = v;
        }
        int mi = month_index(p, pv->day);
        p->visits++;
        if (mi >= 0)
            p->months[mi].visits++;
        if (v.claim_error) {
            p->claims++;
            rule_slot(p, v.decision.rule)->claims++;
            p->claims_by_day[pv->day - p->from]++;
        }
        bool online = wk->clinics[pv->clinic].reader != SCENARIO_READER_NONE &&
                      !(pv->faults & SCENARIO_FAULT_BIT(SCENARIO_FAULT_READER_FAULT)) &&
                      online_route(v.decision.route);
        if (online && mi >= 0) {
            p->months[mi].online_checks++;
            if (card_route(v.decision.route))
                p->months[mi].card_checks++;
        }
    }
    return CORE_OK;
}

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    for (long long h = wk->h_from; h < wk->h_to && wk->rc == CORE_OK; h++) {
        household_make(wk, h);
        if (wk->rc != CORE_OK)
            break;
        struct world *w = NULL;
        int rc = world_new(&wk->hs, &w, &wk->err);
        if (rc == CORE_OK)
            rc = world_run(w, &wk->err);
        wk->nvis = 0;
        if (rc == CORE_OK)
            rc = household_fold(wk, w);
        if (rc == CORE_OK && wk->detail != NULL) {
            struct world_pop_household hh = {
                .index = h, .scn = &wk->hs, .world = w, .visits = wk->vis, .visit_count = wk->nvis};
            rc = wk->detail(wk->detail_ctx, &hh, &wk->err);
        }
        world_free(w);
        if (rc != CORE_OK) {
            wk->rc = rc;
            char msg[sizeof wk->err.message];
            snprintf(msg, sizeof msg, "%s", wk->err.message);
            core_error_set(&wk->err, rc, wk->scn->file, wk->scn->population.pos.line,
                           wk->scn->population.pos.column, "population: household %lld: %s", h, msg);
        }
    }
    return NULL;
}

static void agg_free(struct world_population *p)
{
    free(p->gap_by_day);
    free(p->grace_by_day);
    free(p->degraded_by_day);
    free(p->claims_by_day);
    free(p->months);
}

static void agg_merge(struct world_population *to, const struct world_population *from)
{
    to->households += from->households;
    to->residents += from->residents;
    to->visits += from->visits;
    to->gap += from->gap;
    to->grace += from->grace;
    to->degraded += from->degraded;
    to->claims += from->claims;
    to->cards_start += from->cards_start;
    to->cards_end += from->cards_end;
    to->registered_start += from->registered_start;
    to->registered_end += from->registered_end;
    if (from->peak_household > to->peak_household)
        to->peak_household = from->peak_household;
    for (size_t i = 0; i < to->ndays; i++) {
        to->gap_by_day[i] += from->gap_by_day[i];
        to->grace_by_day[i] += from->grace_by_day[i];
        to->degraded_by_day[i] += from->degraded_by_day[i];
        to->claims_by_day[i] += from->claims_by_day[i];
    }
    for (size_t i = 0; i < to->nmonths; i++) {
        to->months[i].online_checks += from->months[i].online_checks;
        to->months[i].card_checks += from->months[i].card_checks;
        to->months[i].visits += from->months[i].visits;
        for (int k = 0; k < SCENARIO_DOC_COUNT; k++)
            to->months[i].mailed[k] += from->months[i].mailed[k];
    }
    for (size_t i = 0; i < from->nrules; i++) {
        struct world_pop_rule *r = rule_slot(to, from->rules[i].rule);
        r->gap += from->rules[i].gap;
        r->grace += from->rules[i].grace;
        r->degraded += from->rules[i].degraded;
        r->claims += from->rules[i].claims;
    }
}

static CORE_MUST_USE int worker_setup(struct worker *wk, const struct scenario *scn,
                                      const struct world_mix *mix)
{
    memset(wk, 0, sizeof *wk);
    wk->scn = scn;
    wk->mix = mix;
    struct scenario *hs = &wk->hs;
    hs->file = scn->file;
    hs->dir = scn->dir;
    hs->format = scn->format;
    hs->name = scn->name;
    hs->description = "";
    hs->period = scn->period;
    hs->policy_ref = scn->policy_ref;
    hs->policy = scn->policy;
    hs->seed_given = true;
    hs->outage_count = scn->outage_count;
    hs->outages = scn->outages;
    hs->insurers = wk->ins;
    hs->clinics = wk->clinics;
    hs->clinic_count = 3;
    hs->residents = wk->res;
    /* The months as the generator walks them: from the period's first day to the end of its month, then
     * month by month from the 1st, while the month starts on or before the period's last day. */
    int y0, m0, y1, m1, d0;
    core_date_to_ymd(scn->period.from, &y0, &m0, &d0);
    core_date_to_ymd(scn->period.to, &y1, &m1, &d0);
    long count = ((long)y1 - y0) * 12 + (m1 - m0) + 1;
    wk->months = count > 0 ? calloc((size_t)count, sizeof *wk->months) : NULL;
    if (count > 0 && wk->months == NULL)
        return CORE_ENOMEM;
    for (core_day mo = scn->period.from; mo <= scn->period.to && (long)wk->nmonths < count;
         mo = core_date_add_months(mo, 1)) {
        int y, mm, dd;
        core_date_to_ymd(mo, &y, &mm, &dd);
        struct pop_month *pm = &wk->months[wk->nmonths++];
        pm->first = mo;
        /* Cannot fail: month and day are in range and the year is a day's year (+1). */
        CORE_DROP(core_date_from_ymd(y, mm, core_date_days_in_month(y, mm), &pm->last));
        pm->get_card = mix_month_value(&mix->get_card, mo);
        pm->register_monthly = mix_month_value(&mix->register_monthly, mo);
        if (dd != 1)
            /* Cannot fail: month and day are in range and the year is a day's year (+1). */
            CORE_DROP(core_date_from_ymd(y, mm, 1, &mo));
    }
    long long v[3] = {0, 0, 0};
    if (policy_int_id(scn->policy, POLICY_COPAY_LATTER_AGE, scn->period.from, &v[0]) != CORE_OK ||
        policy_int_id(scn->policy, POLICY_CARD_PIN_TRIES_AUTH, scn->period.from, &v[1]) != CORE_OK ||
        policy_int_id(scn->policy, POLICY_CARD_CERT_VALIDITY_YEARS, scn->period.from, &v[2]) != CORE_OK)
        return CORE_ENOTFOUND;
    wk->latter_age = (int)v[0];
    wk->pin_tries = (int)v[1];
    wk->cert_years = (int)v[2];
    static const char *const ids[] = {"face-clinic", "pin-clinic", "no-reader-clinic"};
    for (int c = 0; c < 3; c++) {
        snprintf(wk->clinics[c].id, sizeof wk->clinics[c].id, "%s", ids[c]);
        wk->clinics[c].reader = (enum scenario_reader)c;
    }
    return CORE_OK;
}

int world_population_run(const struct scenario *scn, const struct world_mix *mix, int threads,
                         struct world_population **out, struct core_error *err)
{
    return world_population_run_detail(scn, mix, threads, NULL, NULL, out, err);
}

int world_population_run_detail(const struct scenario *scn, const struct world_mix *mix, int threads,
                                world_population_detail_fn detail, void *detail_ctx,
                                struct world_population **out, struct core_error *err)
{
    *out = NULL;
    if (detail != NULL) /* households reported in order, one at a time: memory stays one household */
        threads = 1;
    if (scn == NULL || mix == NULL || !scn->has_population || scn->population.size <= 0)
        return core_error_set(err, CORE_EINVAL, scn ? scn->file : "", 0, 0, "population: nothing to run");
    if (threads < 1)
        threads = 1;
    if (threads > 2)
        threads = 2;
    struct core_rng root;
    core_rng_seed(&root,
                  (scn->seed_given ? scn->seed : 0) ^ core_hash64(mix->name, strlen(mix->name), 0x6d6978));
    /* First pass: household sizes only, to know how many households make `size` residents. */
    long long left = scn->population.size, nh = 0;
    int last = 1;
    while (left > 0) {
        struct core_rng g;
        core_rng_fork(&g, &root, (uint64_t)nh);
        int s = household_size(&g, mix);
        last = s < left ? s : (int)left;
        left -= last;
        nh++;
    }
    core_day last_issue = CORE_DAY_NONE;
    if (policy_date_id(scn->policy, POLICY_PAPER_CARD_LAST_ISSUE, scn->period.from, &last_issue) != CORE_OK)
        return core_error_set(err, CORE_ENOTFOUND, scn->file, 0, 0,
                              "population: the policy has no paper_card.last_issue on %s",
                              "the period's first day");
    core_day checks_from = last_issue == CORE_DAY_NONE ? scn->period.from : last_issue + 1;
    if (checks_from < scn->period.from)
        checks_from = scn->period.from;
    struct worker *wk = calloc((size_t)threads, sizeof *wk);
    struct world_population *p = calloc(1, sizeof *p);
    if (wk == NULL || p == NULL) {
        free(wk);
        free(p);
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "population: out of memory");
    }
    int rc = agg_init(p, scn->period.from, scn->period.to);
    for (int t = 0; t < threads; t++) {
        int src = worker_setup(&wk[t], scn, mix);
        if (src != CORE_OK && rc == CORE_OK)
            rc = src;
        wk[t].root = root;
        wk[t].total_h = nh;
        wk[t].last_size = last;
        wk[t].checks_from = checks_from;
        wk[t].detail = detail;
        wk[t].detail_ctx = detail_ctx;
        wk[t].h_from = nh * t / threads;
        wk[t].h_to = nh * (t + 1) / threads;
        if (rc == CORE_OK)
            rc = agg_init(&wk[t].agg, scn->period.from, scn->period.to);
    }
    if (rc == CORE_OK) {
        pthread_t tid[2];
        bool started[2] = {false, false};
        for (int t = 1; t < threads; t++)
            started[t] = pthread_create(&tid[t], NULL, worker_main, &wk[t]) == 0;
        worker_main(&wk[0]);
        for (int t = 1; t < threads; t++) {
            if (started[t])
                pthread_join(tid[t], NULL);
            else
                worker_main(&wk[t]);
        }
        for (int t = 0; t < threads && rc == CORE_OK; t++)
            if (wk[t].rc != CORE_OK) {
                rc = wk[t].rc;
                if (err != NULL)
                    *err = wk[t].err;
            }
        for (int t = 0; t < threads; t++)
            agg_merge(p, &wk[t].agg);
    } else if (rc == CORE_ENOTFOUND) {
        core_error_set(err, rc, scn->file, scn->population.pos.line, scn->population.pos.column,
                       "population: the policy lacks copay.latter_age, card.pin_tries.auth or "
                       "card.cert_validity_years on the period's first day");
    } else {
        core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "population: out of memory");
    }
    for (int t = 0; t < threads; t++) {
        agg_free(&wk[t].agg);
        free(wk[t].ev);
        free(wk[t].pv);
        free(wk[t].vis);
        free(wk[t].months);
    }
    free(wk);
    if (rc != CORE_OK) {
        world_population_free(p);
        return rc;
    }
    *out = p;
    return CORE_OK;
}

void world_population_free(struct world_population *p)
{
    if (p == NULL)
        return;
    agg_free(p);
    free(p);
}

long world_population_usage_ppm(const struct world_population *p, core_day month)
{
    int i = month_of(p, month);
    if (i < 0 || p->months[i].online_checks == 0)
        return -1;
    return (long)(p->months[i].card_checks * 1000000 / p->months[i].online_checks);
}
