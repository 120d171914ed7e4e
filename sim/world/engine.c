/*
 * The world's engine: it builds the starting state of a scenario (memberships, paper cards, My Number cards,
 * registrations, held documents, identities), then replays the period as a merge of two streams in date
 * order: the scenario's events (same-day in file order) and the engine's own actions (mailings, ex-officio
 * certificates, the move at 75), each action due on a day running before that day's scenario events. Every
 * change is kept as an interval in the resident's history (world_int.h) and filed with the registry; what it
 * asks of that history as of a day it asks history.c, and after the run the invariants (invariants.c) judge it
 * on day ranges. Readings taken are in docs/WORLD.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card/card.h"
#include "stage/stage.h"
#include "world/world_int.h"

enum {
    ACT_PAPER_END, /* CERT-2 / NOTICE-5: the advance mailing before a paper card stops being usable */
    ACT_CERT_END,  /* CERT-4: renewal before a certificate's validity ends */
    ACT_JULY,      /* D-5: NHI / latter-stage elderly annual renewal for those without paper or certificate */
    ACT_EXOFFICIO, /* CERT-5 E/F/G/card expiry */
    ACT_APPLIED,   /* a certificate applied for arrives */
    ACT_AGE75_MAIL,
    ACT_AGE75,
    ACT_D1, /* NOTICE-6 / D-1 type A notice */
};

int w_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return CORE_OK;
    /* From one, doubling: most of a resident's arrays hold one or two entries, and starting them at eight
     * made a population's world over twice the size of its scenario (docs/WORLD.md, Memory). */
    size_t n = *cap ? *cap : 1;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (q == NULL)
        return CORE_ENOMEM;
    *p = q;
    *cap = n;
    return CORE_OK;
}

#define GROW(arr, cnt, cap) w_grow((void **)&(arr), &(cap), (cnt) + 1, sizeof *(arr))

/* ---- policy ------------------------------------------------------------------------------------------- */

/* The tries parameter of each scenario PIN (MYNA-7): the card's PIN the stage maps it to (stage.h, STAGE_PINS). */
#define TRIES_PARAM(s, c) [SCENARIO_PIN_##s] = POLICY_CARD_PIN_TRIES_##c,
static const int pin_tries_param[SCENARIO_PIN_COUNT] = {STAGE_PINS(TRIES_PARAM)};
#undef TRIES_PARAM

static long long pint(const struct policy *p, int id, core_day on)
{
    long long v = 0;
    if (policy_int_id(p, id, on, &v) != CORE_OK)
        return 0;
    return v;
}

static core_day pdate(const struct policy *p, int id, core_day on)
{
    core_day v = CORE_DAY_NONE;
    if (policy_date_id(p, id, on, &v) != CORE_OK)
        return CORE_DAY_NONE;
    return v;
}

static bool pbool(const struct policy *p, int id, core_day on)
{
    bool v = false;
    if (policy_bool_id(p, id, on, &v) != CORE_OK)
        return false;
    return v;
}

static const struct policy *ins_policy(const struct world *w, int insurer)
{
    if (insurer >= 0 && (size_t)insurer < w->nins && w->ins[insurer].policy != NULL)
        return w->ins[insurer].policy;
    return w->policy;
}

/* ---- events --------------------------------------------------------------------------------------------- */

/* An event of the run; the detail is printf-formatted (checked by the compiler). */
__attribute__((format(printf, 8, 9))) static CORE_MUST_USE int add_event(struct world *w, core_day day,
                                                                         int res, const char *what,
                                                                         const char *rule, bool failed,
                                                                         int line, const char *fmt, ...)
{
    if (GROW(w->events, w->nevent, w->capevent) != CORE_OK)
        return CORE_ENOMEM;
    struct wevent *e = &w->events[w->nevent++];
    memset(e, 0, sizeof *e);
    e->pub.day = day;
    e->pub.resident = res;
    e->pub.what = what;
    e->pub.rule = rule ? rule : "";
    e->pub.failed = failed;
    e->pub.line = line;
    e->seq = w->seq++;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
    return CORE_OK;
}

/* Every act scheduled must happen: a failure (out of memory) is the run's error, never an act left out. */
static CORE_MUST_USE int schedule(struct world *w, core_day day, int kind, int res, int arg)
{
    if (GROW(w->acts, w->nact, w->capact) != CORE_OK)
        return CORE_ENOMEM;
    struct wact *a = &w->acts[w->nact++];
    a->day = day;
    a->seq = w->seq++;
    a->kind = kind;
    a->res = res;
    a->arg = arg;
    a->done = false;
    return CORE_OK;
}

/* ---- identities ----------------------------------------------------------------------------------------- */

static void gen_insurer_number(struct world *w, struct winsurer *in)
{
    for (int tries = 0; tries < 1000; tries++) {
        char buf[9];
        size_t len = in->kind == SCENARIO_INSURER_NHI ? 6 : 8;
        const char *prefix = in->kind == SCENARIO_INSURER_NHI              ? "11"
                             : in->kind == SCENARIO_INSURER_LATTER_ELDERLY ? "39"
                             : in->kind == SCENARIO_INSURER_SOCIETY        ? "06"
                             : in->kind == SCENARIO_INSURER_KYOKAI         ? "01"
                                                                           : "31";
        memcpy(buf, prefix, 2);
        for (size_t i = 2; i + 1 < len; i++)
            buf[i] = (char)('0' + core_rng_below(&w->rng, 10));
        buf[len - 1] = (char)('0' + core_insurer_check_digit(buf, len - 1));
        buf[len] = '\0';
        bool dup = false;
        for (size_t i = 0; i < w->nins; i++)
            if (&w->ins[i] != in && strcmp(w->ins[i].number, buf) == 0)
                dup = true;
        if (!dup) {
            memcpy(in->number, buf, len + 1);
            return;
        }
    }
}

static CORE_MUST_USE int add_insurer(struct world *w, const char *id, enum scenario_insurer_kind kind)
{
    if (GROW(w->ins, w->nins, w->capins) != CORE_OK)
        return -1;
    struct winsurer *in = &w->ins[w->nins++];
    memset(in, 0, sizeof *in);
    core_strlcpy(in->id, id, sizeof in->id);
    in->kind = kind;
    in->policy = w->policy;
    gen_insurer_number(w, in);
    return (int)(w->nins - 1);
}

/* The InsurerName answers carry: the scenario's insurers have no name field, so the kind's Japanese name and
 * the insurer's id (docs/MESSAGES.md, "The person and the co-payment"). */
static CORE_MUST_USE int file_insurer_name(struct world *w, int insurer)
{
    static const char *const kinds[] = {
        [SCENARIO_INSURER_NHI] = "国民健康保険",
        [SCENARIO_INSURER_LATTER_ELDERLY] = "後期高齢者医療広域連合",
        [SCENARIO_INSURER_SOCIETY] = "健康保険組合",
        [SCENARIO_INSURER_KYOKAI] = "全国健康保険協会",
        [SCENARIO_INSURER_MUTUAL_AID] = "共済組合",
    };
    const struct winsurer *in = &w->ins[insurer];
    char name[ELIGIBILITY_PERSON_TEXT_MAX];
    snprintf(name, sizeof name, "%s（%s）",
             (unsigned)in->kind < sizeof kinds / sizeof kinds[0] ? kinds[in->kind] : "保険者", in->id);
    return eligibility_insurer_set_name(w->reg, in->number, name);
}

static int find_kind(const struct world *w, enum scenario_insurer_kind kind)
{
    for (size_t i = 0; i < w->nins; i++)
        if (w->ins[i].kind == kind)
            return (int)i;
    return SCENARIO_NONE;
}

/* ---- memberships ---------------------------------------------------------------------------------------- */

static bool is_regional(enum scenario_insurer_kind k)
{
    return k == SCENARIO_INSURER_NHI || k == SCENARIO_INSURER_LATTER_ELDERLY;
}

/* Opens a membership from `from`; numbers of a dependent follow the insured's membership at that insurer. */
static CORE_MUST_USE int mem_open(struct world *w, int ri, int insurer, enum scenario_role role, int of,
                                  core_day from, bool file, core_day filed,
                                  const struct scenario_identity *id)
{
    struct wres *r = &w->res[ri];
    if (GROW(r->mems, r->nmem, r->capmem) != CORE_OK)
        return -1;
    struct wmem *m = &r->mems[r->nmem];
    memset(m, 0, sizeof *m);
    m->insurer = insurer;
    m->role = role;
    m->of = of;
    m->from = from;
    m->to = W_NEVER;
    m->loss_filed = CORE_DAY_NONE;
    struct winsurer *in = &w->ins[insurer];
    core_strlcpy(m->numbers.insurer_number, in->number, sizeof m->numbers.insurer_number);
    const struct wmem *head = NULL;
    if (role == SCENARIO_ROLE_DEPENDENT && of >= 0) {
        const struct wres *o = &w->res[of];
        for (size_t i = o->nmem; i-- > 0;)
            if (o->mems[i].insurer == insurer && o->mems[i].role == SCENARIO_ROLE_INSURED) {
                head = &o->mems[i];
                break;
            }
    }
    if (head != NULL) {
        m->numbers = head->numbers;
        int branch = 1 + (int)(core_hash64(&ri, sizeof ri, (uint64_t)from) % 9);
        core_put_uint(m->numbers.branch, sizeof m->numbers.branch, (unsigned)branch, 2);
    } else {
        if (id != NULL && id->member_symbol != NULL && id->member_symbol[0])
            core_strlcpy(m->numbers.symbol, id->member_symbol, sizeof m->numbers.symbol);
        else
            core_put_uint(m->numbers.symbol, sizeof m->numbers.symbol, (unsigned)(100 + insurer), 1);
        if (id != NULL && id->member_number[0])
            core_strlcpy(m->numbers.number, id->member_number, sizeof m->numbers.number);
        else
            core_put_uint(m->numbers.number, sizeof m->numbers.number,
                          (unsigned)(1000 + ++in->next_member * 7 + ri), 1);
        core_strlcpy(m->numbers.branch, id != NULL && id->member_branch[0] ? id->member_branch : "00",
                     sizeof m->numbers.branch);
    }
    r->nmem++;
    if (file) {
        struct eligibility_enrollment e;
        memset(&e, 0, sizeof e);
        e.numbers = m->numbers;
        e.role = role == SCENARIO_ROLE_DEPENDENT ? ELIGIBILITY_DEPENDENT : ELIGIBILITY_INSURED;
        e.start = from;
        e.high_income = r->sr->income == SCENARIO_INCOME_HIGH;
        e.tax_arrears = r->sr->tax_arrears;
        if (eligibility_file_enrollment(w->reg, r->person, &e, filed, filed < from ? filed : CORE_DAY_NONE,
                                        &r->mems[r->nmem - 1].reg_id) != CORE_OK ||
            file_insurer_name(w, insurer) != CORE_OK)
            return -1;
    }
    return (int)(r->nmem - 1);
}

static CORE_MUST_USE int mem_close(struct world *w, int ri, int mi, core_day first_without, core_day filed)
{
    struct wres *r = &w->res[ri];
    r->mems[mi].to = first_without - 1;
    r->mems[mi].loss_filed = filed;
    if (filed == CORE_DAY_NONE)
        return CORE_OK;
    return eligibility_file_loss(w->reg, r->mems[mi].reg_id, first_without, filed, CORE_DAY_NONE);
}

/* ---- documents ---------------------------------------------------------------------------------------- */

/* CERT-4: a certificate's last day, from its first. */
static core_day cert_end(const struct world *w, int insurer, core_day start)
{
    const struct policy *p = ins_policy(w, insurer);
    int months = (int)pint(p, POLICY_CERTIFICATE_MAX_VALIDITY_MONTHS, start);
    core_day cap = core_date_add_months(start, months) - 1;
    if (!is_regional(w->ins[insurer].kind))
        return cap;
    int y, m, d;
    core_date_to_ymd(start, &y, &m, &d);
    core_day july;
    /* Cannot fail: month and day are in range and the year is a day's year (+1). */
    CORE_DROP(core_date_from_ymd(m > 7 ? y + 1 : y, 7, 31, &july));
    return july < cap ? july : cap;
}

/* The last usable day of a paper card by its print and PAPER-2's cap (PAPER-3 is the membership's end). */
static core_day paper_last(const struct world *w, const struct wres *r, const struct wdoc *doc)
{
    core_day last = doc->to;
    const struct wmem *m = &r->mems[doc->mem];
    (void)w;
    return m->to < last ? m->to : last;
}

static CORE_MUST_USE int issue_doc(struct world *w, int ri, enum scenario_document kind, int mi, core_day day,
                                   core_day from, core_day to, char type, const char *rule)
{
    struct wres *r = &w->res[ri];
    /* INV-3: no certificate or notice to a holder of a usable paper card but in advance; no notice to someone
     * without マイナ保険証 (AMEND-2's certificates aside); no certificate longer than its maximum. */
    if (day >= w->checks_from) {
        bool advance = strcmp(rule, "CERT-2") == 0 || strcmp(rule, "NOTICE-5") == 0 ||
                       strcmp(rule, "AGE-75") == 0 || strcmp(rule, "AMEND-2") == 0;
        if (!advance && w_holds_doc(r, SCENARIO_DOC_PAPER_CARD, -1, day))
            if (add_event(w, day, ri, "unlawful_document", "INV-3", true, 0,
                          "%s to a holder of a usable paper card", scenario_document_word(kind)) != CORE_OK)
                return CORE_ENOMEM;
        if (kind == SCENARIO_DOC_NOTICE && !w_has_myna(w, r, day) && !w_has_myna(w, r, from))
            if (add_event(w, day, ri, "unlawful_document", "INV-3", true, 0,
                          "notice to someone without the card") != CORE_OK)
                return CORE_ENOMEM;
        if (kind == SCENARIO_DOC_CERTIFICATE && to != W_NEVER) {
            int months =
                (int)pint(ins_policy(w, r->mems[mi].insurer), POLICY_CERTIFICATE_MAX_VALIDITY_MONTHS, from);
            if (to >= core_date_add_months(from, months))
                if (add_event(w, day, ri, "unlawful_document", "INV-3", true, 0,
                              "certificate valid too long") != CORE_OK)
                    return CORE_ENOMEM;
        }
    }
    if (GROW(r->docs, r->ndoc, r->capdoc) != CORE_OK)
        return CORE_ENOMEM;
    struct wdoc *d = &r->docs[r->ndoc++];
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->mem = mi;
    d->got = day;
    d->lost = W_NEVER;
    d->from = from;
    d->to = to;
    d->notice_type = type;
    d->mailed = true;
    char a[11], b[11];
    core_date_format(from, a);
    if (kind == SCENARIO_DOC_CERTIFICATE) {
        core_date_format(to, b);
        if (add_event(w, day, ri, "certificate_mailed", rule, false, 0, "%s valid %s..%s",
                      w->ins[r->mems[mi].insurer].id, a, b) != CORE_OK)
            return CORE_ENOMEM;
        /* CERT-4: the renewal goes lead_days before the end, or at once when that day has passed (an NHI
         * certificate issued in late July runs only to 31 July). */
        core_day renew =
            to - (core_day)pint(ins_policy(w, r->mems[mi].insurer), POLICY_CERTIFICATE_LEAD_DAYS, to);
        return schedule(w, renew < day ? day : renew, ACT_CERT_END, ri, (int)(r->ndoc - 1));
    }
    return add_event(w, day, ri, "notice_mailed", rule, false, 0, "%s type %c",
                     w->ins[r->mems[mi].insurer].id, type);
}

/* The certificate or notice of membership `mi` that a resident without (or with) マイナ保険証 gets. */
static CORE_MUST_USE int mail_for(struct world *w, int ri, int mi, core_day day, core_day valid_from,
                                  const char *cert_rule, const char *notice_rule)
{
    struct wres *r = &w->res[ri];
    int insurer = r->mems[mi].insurer;
    const struct policy *p = ins_policy(w, insurer);
    bool all_elderly = w->ins[insurer].kind == SCENARIO_INSURER_LATTER_ELDERLY &&
                       pbool(p, POLICY_CERTIFICATE_ALL_ELDERLY, day); /* AMEND-2 */
    if (all_elderly || !w_has_myna(w, r, day))
        return issue_doc(w, ri, SCENARIO_DOC_CERTIFICATE, mi, day, valid_from,
                         cert_end(w, insurer, valid_from), 0,
                         all_elderly && w_has_myna(w, r, day) ? "AMEND-2" : cert_rule);
    return issue_doc(w, ri, SCENARIO_DOC_NOTICE, mi, day, valid_from, W_NEVER, 'B', notice_rule);
}

/* What a new membership brings at enrollment: from D-3 the certificate or notice of CERT-6 / NOTICE-1; up to
 * `paper_card.last_issue` (PAPER-1) the insurer still issued a paper card, printed to PAPER-2's default. */
static CORE_MUST_USE int enroll_docs(struct world *w, int ri, int mi, core_day day)
{
    if (day >= w->checks_from)
        return mail_for(w, ri, mi, day, day, "CERT-6", "NOTICE-1");
    struct wres *r = &w->res[ri];
    int insurer = r->mems[mi].insurer;
    const struct policy *p = ins_policy(w, insurer);
    core_day cap = pdate(p, POLICY_PAPER_CARD_CAP, day);
    core_day exp = is_regional(w->ins[insurer].kind) ? pdate(p, POLICY_PAPER_CARD_LATEST_EXPIRY, day) : cap;
    if (exp == CORE_DAY_NONE || (cap != CORE_DAY_NONE && exp > cap))
        exp = cap;
    if (exp == CORE_DAY_NONE || GROW(r->docs, r->ndoc, r->capdoc) != CORE_OK)
        return exp == CORE_DAY_NONE ? CORE_OK : CORE_ENOMEM;
    struct wdoc *d = &r->docs[r->ndoc++];
    memset(d, 0, sizeof *d);
    d->kind = SCENARIO_DOC_PAPER_CARD;
    d->mem = mi;
    d->got = d->from = day;
    d->lost = W_NEVER;
    d->to = exp;
    char b[11];
    core_date_format(exp, b);
    if (add_event(w, day, ri, "paper_card_issued", "PAPER-1", false, 0, "%s to %s", w->ins[insurer].id, b) !=
        CORE_OK)
        return CORE_ENOMEM;
    core_day x = exp - (core_day)pint(p, POLICY_CERTIFICATE_LEAD_DAYS, exp);
    return schedule(w, x < day ? day : x, ACT_PAPER_END, ri, (int)(r->ndoc - 1));
}

/* ---- cards ----------------------------------------------------------------------------------------------- */

static CORE_MUST_USE int card_dates(struct world *w, const struct wres *r, core_day issued, bool face_only,
                                    core_day expires, core_day cert_expires, struct card_state *st,
                                    struct core_error *err)
{
    struct card_profile prof;
    card_profile_init(&prof);
    core_strlcpy(prof.id, r->sr->id, sizeof prof.id);
    core_strlcpy(prof.holder.name, r->sr->id, sizeof prof.holder.name);
    core_strlcpy(prof.holder.address, "-", sizeof prof.holder.address);
    prof.holder.born = r->sr->born;
    prof.holder.sex = CARD_SEX_FEMALE;
    memcpy(prof.holder.my_number, r->my_number, sizeof prof.holder.my_number);
    core_strlcpy(prof.holder.security_code, "1234", sizeof prof.holder.security_code);
    prof.kind = face_only ? CARD_KIND_FACE_ONLY : CARD_KIND_NORMAL;
    if (!face_only) {
        core_strlcpy(prof.auth_pin, "1234", sizeof prof.auth_pin);
        core_strlcpy(prof.text_pin, "1234", sizeof prof.text_pin);
        core_strlcpy(prof.sign_password, "ABC123", sizeof prof.sign_password);
    }
    prof.issued = issued;
    prof.expires = expires;
    prof.cert_expires = cert_expires;
    return card_profile_check(&prof, w->policy, st, err);
}

static CORE_MUST_USE int schedule_card_triggers(struct world *w, int ri, const struct wcard *c)
{
    const struct policy *p = w->policy;
    const struct wcert *ct = &c->cert[c->ncert - 1];
    long long lag = pint(p, POLICY_CERTIFICATE_DETECTION_LAG_DAYS, c->expires + 1);
    if (schedule(w, c->expires + 1 + (core_day)lag, ACT_EXOFFICIO, ri, 'X') !=
        CORE_OK) /* card expiry (004) */
        return CORE_ENOMEM;
    core_day f = w_cert_pass_end(w, ct) + 1; /* F: first day cert_expired */
    if (f <= c->expires)
        return schedule(w, f + (core_day)pint(p, POLICY_CERTIFICATE_DETECTION_LAG_DAYS, f), ACT_EXOFFICIO, ri,
                        'F');
    return CORE_OK;
}

static CORE_MUST_USE int give_card(struct world *w, int ri, core_day day, bool face_only, core_day expires,
                                   core_day cexp, struct core_error *err)
{
    struct wres *r = &w->res[ri];
    struct card_state st;
    int rc = card_dates(w, r, day, face_only, expires, cexp, &st, err);
    if (rc != CORE_OK)
        return rc;
    if (GROW(r->cards, r->ncard, r->capcard) != CORE_OK)
        return CORE_ENOMEM;
    /* A new card replaces any card still in hand. */
    for (size_t i = 0; i < r->ncard; i++)
        if (r->cards[i].lost > day)
            r->cards[i].lost = day;
    struct wcard *c = &r->cards[r->ncard++];
    memset(c, 0, sizeof *c);
    c->id = ++w->next_card;
    c->got = day;
    c->lost = W_NEVER;
    c->face_only = face_only;
    c->expires = st.expires;
    c->ncert = 1;
    c->cert[0].serial = c->id * 16 + 1;
    c->cert[0].from = day;
    c->cert[0].expires = st.cert_expires;
    rc = w_cert_grace(w, &c->cert[0]);
    if (rc != CORE_OK)
        return core_error_set(err, rc, NULL, 0, 0,
                              "world: the policy gives no AMEND-3 grace for %s's certificate", r->sr->id);
    for (int p = 0; p < SCENARIO_PIN_COUNT; p++)
        c->tries[p] = (int)pint(w->policy, pin_tries_param[p], day);
    rc = eligibility_card_issue(w->reg, r->person, c->id, day, c->expires, c->cert[0].serial,
                                c->cert[0].expires);
    if (rc != CORE_OK)
        return core_error_set(err, rc, NULL, 0, 0, "world: registry refused a card for %s", r->sr->id);
    if (schedule_card_triggers(w, ri, c) != CORE_OK)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory scheduling %s's card",
                              r->sr->id);
    return CORE_OK;
}

static struct wcard *card_now(struct wres *r, core_day d)
{
    return (struct wcard *)(uintptr_t)w_card_in_hand(r, d);
}

static void reg_end(struct wres *r, core_day until)
{
    for (size_t i = 0; i < r->nreg; i++)
        if (r->regs[i].until == W_NEVER)
            r->regs[i].until = until;
}

static CORE_MUST_USE int reg_add(struct world *w, int ri, core_day day)
{
    struct wres *r = &w->res[ri];
    if (w_registered(r, day))
        return CORE_OK;
    if (GROW(r->regs, r->nreg, r->capreg) != CORE_OK)
        return CORE_ENOMEM;
    r->regs[r->nreg].from = day;
    r->regs[r->nreg].until = W_NEVER;
    r->nreg++;
    return eligibility_file_registration(w->reg, r->person, day);
}

/* ---- setup ---------------------------------------------------------------------------------------------- */

static CORE_MUST_USE int setup_resident(struct world *w, int ri, struct core_error *err)
{
    const struct scenario *s = w->scn;
    struct wres *r = &w->res[ri];
    const struct scenario_resident *sr = r->sr;
    r->first_gap = CORE_DAY_NONE;
    if (sr->identity.my_number[0]) {
        memcpy(r->my_number, sr->identity.my_number, sizeof r->my_number);
    } else {
        char buf[13];
        buf[0] = (char)('1' + core_rng_below(&w->rng, 9));
        for (int i = 1; i < 11; i++)
            buf[i] = (char)('0' + core_rng_below(&w->rng, 10));
        buf[11] = (char)('0' + core_my_number_check_digit(buf));
        buf[12] = '\0';
        memcpy(r->my_number, buf, sizeof buf);
    }
    if (eligibility_person_add(w->reg, sr->born, &r->person) != CORE_OK)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory");
    /* The person the answers show (docs/MESSAGES.md): the resident's name, kana and sex, each generated when
     * not given from a hash of the resident's id alone, so no replay draws differently. A kana that is not
     * kana is left out (the answer then has no NameKana) rather than failing the run. */
    struct eligibility_person_data pd = {sr->identity.name, sr->identity.kana,
                                         sr->identity.sex == SCENARIO_SEX_MALE     ? 1
                                         : sr->identity.sex == SCENARIO_SEX_FEMALE ? 2
                                                                                   : 0,
                                         core_hash64(sr->id, strlen(sr->id), 0x6e616d65)};
    if (eligibility_person_set_data(w->reg, r->person, &pd) != CORE_OK) {
        pd.kana = NULL;
        if (eligibility_person_set_data(w->reg, r->person, &pd) != CORE_OK)
            return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: %s: a name the registry refuses",
                                  sr->id);
    }
    core_day from = s->period.from;
    if (sr->insurer != SCENARIO_NONE) {
        /* The starting membership is long reflected: filed and visible from birth. It began on the resident's
         * insured_since, else the paper card's issue day, else the period's first day
         * (docs/SCENARIO-FORMAT.md): answers carry it as QualificationDate, never the birth date. */
        core_day since = sr->insured_since != CORE_DAY_NONE ? sr->insured_since
                         : sr->has_paper_card               ? sr->paper_card_issued
                                                            : from;
        if (since < sr->born)
            since = sr->born;
        int mi = mem_open(w, ri, sr->insurer, sr->role, sr->of, since, true, sr->born,
                          sr->role == SCENARIO_ROLE_INSURED ? &sr->identity : NULL);
        if (mi < 0)
            return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: cannot file %s's membership", sr->id);
        const struct policy *p = ins_policy(w, sr->insurer);
        if (sr->has_paper_card) {
            /* PAPER-2: printed expiry, default latest_expiry (NHI, latter-elderly) or none; never after cap. */
            core_day cap = pdate(p, POLICY_PAPER_CARD_CAP, from);
            core_day exp = sr->paper_card_expires;
            if (exp == CORE_DAY_NONE && is_regional(w->ins[sr->insurer].kind))
                exp = pdate(p, POLICY_PAPER_CARD_LATEST_EXPIRY, from);
            if (exp == CORE_DAY_NONE || (cap != CORE_DAY_NONE && exp > cap))
                exp = cap;
            if (GROW(r->docs, r->ndoc, r->capdoc) != CORE_OK)
                return CORE_ENOMEM;
            struct wdoc *d = &r->docs[r->ndoc++];
            memset(d, 0, sizeof *d);
            d->kind = SCENARIO_DOC_PAPER_CARD;
            d->mem = mi;
            d->got = sr->paper_card_issued;
            d->lost = W_NEVER;
            d->from = sr->paper_card_issued;
            d->to = exp;
            core_day x = exp - (core_day)pint(p, POLICY_CERTIFICATE_LEAD_DAYS, exp);
            if (exp >= from)
                if (schedule(w, x < from ? from : x, ACT_PAPER_END, ri, (int)(r->ndoc - 1)) != CORE_OK)
                    return CORE_ENOMEM;
        }
        for (int k = SCENARIO_DOC_CERTIFICATE; k <= SCENARIO_DOC_NOTICE; k++) {
            if (!(sr->holds & SCENARIO_DOC_BIT(k)))
                continue;
            if (GROW(r->docs, r->ndoc, r->capdoc) != CORE_OK)
                return CORE_ENOMEM;
            struct wdoc *d = &r->docs[r->ndoc++];
            memset(d, 0, sizeof *d);
            d->kind = (enum scenario_document)k;
            d->mem = mi;
            d->got = from;
            d->lost = W_NEVER;
            d->from = from;
            d->to = k == SCENARIO_DOC_CERTIFICATE ? cert_end(w, sr->insurer, from) : W_NEVER;
            d->notice_type = 'B';
            if (k == SCENARIO_DOC_CERTIFICATE)
                if (schedule(w, d->to - (core_day)pint(p, POLICY_CERTIFICATE_LEAD_DAYS, d->to), ACT_CERT_END,
                             ri, (int)(r->ndoc - 1)) != CORE_OK)
                    return CORE_ENOMEM;
        }
    }
    if (sr->has_card) {
        int rc = give_card(w, ri, sr->card_issued, sr->card_face_only, sr->card_expires,
                           sr->card_cert_expires, err);
        if (rc != CORE_OK)
            return rc;
        if (sr->registered != CORE_DAY_NONE && reg_add(w, ri, sr->registered) != CORE_OK)
            return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: cannot register %s", sr->id);
        /* NOTICE-6: health-society members holding a card hold the D-1 type A notice. */
        if (sr->insurer != SCENARIO_NONE && w->ins[sr->insurer].kind == SCENARIO_INSURER_SOCIETY &&
            !(sr->holds & SCENARIO_DOC_BIT(SCENARIO_DOC_NOTICE))) {
            /* mailed on D-1 to those still members that day (held from the start when the run begins later) */
            core_day d1 = pdate(w->policy, POLICY_NOTICE_TYPE_A_DAY, from);
            if (schedule(w, d1 != CORE_DAY_NONE && d1 > from ? d1 : from, ACT_D1, ri, 0) != CORE_OK)
                return CORE_ENOMEM;
        }
    }
    /* AGE-75 */
    core_day b75 = core_date_birthday(sr->born, (int)pint(w->policy, POLICY_COPAY_LATTER_AGE, from));
    if (b75 > from && b75 <= s->period.to) {
        int y, m, d;
        core_date_to_ymd(b75, &y, &m, &d);
        core_day first;
        /* Cannot fail: month and day are in range and the year is a day's year (+1). */
        CORE_DROP(core_date_from_ymd(y, m, 1, &first));
        core_day by = first - 1;
        if (d == 1)
            by = core_date_add_months(first, -1) - 1;
        if (schedule(w, by < from ? from : by, ACT_AGE75_MAIL, ri, 0) != CORE_OK ||
            schedule(w, b75, ACT_AGE75, ri, 0) != CORE_OK)
            return CORE_ENOMEM;
    }
    return CORE_OK;
}

int world_new(const struct scenario *scn, struct world **out, struct core_error *err)
{
    if (scn == NULL || out == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: no scenario");
    *out = NULL;
    struct world *w = calloc(1, sizeof *w);
    if (w == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory");
    w->scn = scn;
    w->policy = scn->policy;
    w->visit_minute = -1;
    core_rng_seed(&w->rng, scn->seed_given ? scn->seed : 0);
    if (w->policy == NULL || eligibility_registry_new(w->policy, &w->reg) != CORE_OK) {
        world_free(w);
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: no policy");
    }
    core_day last_issue = pdate(w->policy, POLICY_PAPER_CARD_LAST_ISSUE, scn->period.from);
    w->checks_from = last_issue == CORE_DAY_NONE ? scn->period.from : last_issue + 1;
    for (size_t i = 0; i < scn->insurer_count; i++) {
        int k = add_insurer(w, scn->insurers[i].id, scn->insurers[i].kind);
        if (k < 0) {
            world_free(w);
            return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory");
        }
        if (scn->insurers[i].number[0])
            memcpy(w->ins[k].number, scn->insurers[i].number, sizeof w->ins[k].number);
        w->ins[k].policy = scenario_insurer_policy(scn, (int)i);
    }
    /* Generated numbers must not collide with given ones: regenerate the generated ones after all are in. */
    for (size_t i = 0; i < scn->insurer_count; i++)
        if (!scn->insurers[i].number[0])
            gen_insurer_number(w, &w->ins[i]);
    w->clinics = calloc(scn->clinic_count ? scn->clinic_count : 1, sizeof *w->clinics);
    w->nres = scn->resident_count;
    w->res = calloc(w->nres ? w->nres : 1, sizeof *w->res);
    if (w->clinics == NULL || w->res == NULL) {
        world_free(w);
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory");
    }
    for (size_t c = 0; c < scn->clinic_count; c++)
        for (size_t k = 0; k < scn->clinics[c].down_count; k++) {
            struct wclinic *wc = &w->clinics[c];
            if (GROW(wc->down, wc->ndown, wc->capdown) != CORE_OK) {
                world_free(w);
                return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory");
            }
            wc->down[wc->ndown++] = scn->clinics[c].down[k];
        }
    /* Insured persons first, so a dependent's numbers follow the insured's. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < w->nres; i++) {
            const struct scenario_resident *sr = &scn->residents[i];
            if ((pass == 0) != (sr->role == SCENARIO_ROLE_INSURED))
                continue;
            w->res[i].sr = sr;
            core_error_clear(err); /* so a bare status (out of memory) is told apart below */
            int rc = setup_resident(w, (int)i, err);
            if (rc != CORE_OK) {
                if (err != NULL && err->message[0] == '\0')
                    core_error_set(err, rc, NULL, 0, 0, "world: cannot set up %s: %s", sr->id,
                                   core_status_name(rc));
                world_free(w);
                return rc;
            }
        }
    *out = w;
    return CORE_OK;
}

void world_free(struct world *w)
{
    if (w == NULL)
        return;
    w_wire_free(w->wire);
    for (size_t i = 0; i < w->nres; i++) {
        struct wres *r = &w->res[i];
        free(r->mems);
        free(r->docs);
        free(r->cards);
        free(r->blocks);
        free(r->regs);
        free(r->ranges);
    }
    if (w->clinics != NULL)
        for (size_t c = 0; c < w->scn->clinic_count; c++)
            free(w->clinics[c].down);
    free(w->clinics);
    free(w->res);
    free(w->ins);
    free(w->events);
    free(w->visits);
    free(w->vnext);
    free(w->acts);
    eligibility_registry_free(w->reg);
    free(w);
}

/* ---- actions -------------------------------------------------------------------------------------------- */

static CORE_MUST_USE int act_run(struct world *w, const struct wact *a)
{
    struct wres *r = a->res >= 0 ? &w->res[a->res] : NULL;
    core_day d = a->day;
    switch (a->kind) {
    case ACT_PAPER_END: {
        const struct wdoc *doc = &r->docs[a->arg];
        core_day last = paper_last(w, r, doc);
        core_day lead =
            (core_day)pint(ins_policy(w, r->mems[doc->mem].insurer), POLICY_CERTIFICATE_LEAD_DAYS, last);
        if (doc->lost <= d || last != doc->to || (last - lead > d && d != w->scn->period.from))
            return CORE_OK; /* voided (PAPER-3) or lost: CERT-6 / PAPER-4 take over */
        if (add_event(w, last + 1, a->res, "paper_card_unusable", "PAPER-2", false, 0,
                      "last usable day the day before") != CORE_OK)
            return CORE_ENOMEM;
        if (w_cert_covering(r, doc->mem, last + 1))
            return CORE_OK;
        if (w_has_myna(w, r, d) && w_notice_of(r, doc->mem, d))
            return CORE_OK; /* already holds the notice of this membership */
        return mail_for(w, a->res, doc->mem, d, last + 1, "CERT-2", "NOTICE-5");
    }
    case ACT_CERT_END: {
        const struct wdoc *doc = &r->docs[a->arg];
        int mi = w_mem_on(r, doc->to + 1);
        if (mi != doc->mem || doc->lost <= d || d < w->checks_from)
            return CORE_OK;
        /* CERT-3: no renewal while a paper card of the membership stays usable after the certificate (its own
         * advance mailing, CERT-2 / NOTICE-5, brings the next document), nor when one already covers the day. */
        if (w_holds_doc(r, SCENARIO_DOC_PAPER_CARD, mi, doc->to + 1) || w_cert_covering(r, mi, doc->to + 1))
            return CORE_OK;
        /* CERT-8: a certificate applied for because the card is hard to use (B) is renewed as a certificate. */
        if (doc->carer && w_has_myna(w, r, d)) {
            core_day from = doc->to + 1;
            int rc = issue_doc(w, a->res, SCENARIO_DOC_CERTIFICATE, mi, d, from,
                               cert_end(w, r->mems[mi].insurer, from), 0, "CERT-8");
            if (rc == CORE_OK)
                r->docs[r->ndoc - 1].carer = true;
            return rc;
        }
        /* CERT-4 renewal; the July renewal (D-5) for NHI and latter-elderly. Holders of マイナ保険証 get the
         * notice instead, unless AMEND-2. */
        return mail_for(w, a->res, mi, d, doc->to + 1, "CERT-4", "D-5");
    }
    case ACT_JULY: {
        int y, m, dd;
        core_date_to_ymd(d, &y, &m, &dd);
        core_day july31;
        /* Cannot fail: month and day are in range and the year is a day's year (+1). */
        CORE_DROP(core_date_from_ymd(y, 7, 31, &july31));
        for (size_t i = 0; i < w->nres; i++) {
            struct wres *x = &w->res[i];
            int mi = w_mem_on(x, july31 + 1);
            if (mi < 0 || w_mem_on(x, d) != mi || !is_regional(w->ins[x->mems[mi].insurer].kind))
                continue;
            if (w_holds_doc(x, SCENARIO_DOC_PAPER_CARD, mi, july31) || w_cert_covering(x, mi, july31) ||
                w_cert_covering(x, mi, july31 + 1))
                continue; /* their own advance mailing or renewal does it */
            int rc = mail_for(w, (int)i, mi, d, july31 + 1, "D-5", "D-5");
            if (rc != CORE_OK)
                return rc;
        }
        return CORE_OK;
    }
    case ACT_EXOFFICIO: {
        int mi = w_mem_on(r, d);
        if (mi < 0 || d < w->checks_from || w_has_myna(w, r, d) || w_cert_covering(r, mi, d))
            return CORE_OK;
        if (w_holds_doc(r, SCENARIO_DOC_PAPER_CARD, mi, d))
            return CORE_OK; /* CERT-3: the advance mailing (CERT-2) brings it */
        return issue_doc(w, a->res, SCENARIO_DOC_CERTIFICATE, mi, d, d, cert_end(w, r->mems[mi].insurer, d),
                         0, "CERT-5");
    }
    case ACT_APPLIED: {
        int mi = w_mem_on(r, d);
        if (mi < 0)
            return add_event(w, d, a->res, "certificate_refused", "CERT-5", true, 0,
                             "not insured on arrival");
        int rc = issue_doc(w, a->res, SCENARIO_DOC_CERTIFICATE, mi, d, d, cert_end(w, r->mems[mi].insurer, d),
                           0, "CERT-5");
        if (rc == CORE_OK)
            r->docs[r->ndoc - 1].carer = a->arg == SCENARIO_REASON_B;
        return rc;
    }
    case ACT_D1: {
        int mi = w_mem_on(r, d);
        if (mi < 0 || w->ins[r->mems[mi].insurer].kind != SCENARIO_INSURER_SOCIETY)
            return CORE_OK; /* no longer a member of the health society on D-1 */
        core_day d1 = pdate(w->policy, POLICY_NOTICE_TYPE_A_DAY, d);
        core_day got = d1 != CORE_DAY_NONE && d1 >= d ? d1 : d;
        if (GROW(r->docs, r->ndoc, r->capdoc) != CORE_OK)
            return CORE_ENOMEM;
        struct wdoc *doc = &r->docs[r->ndoc++];
        memset(doc, 0, sizeof *doc);
        doc->kind = SCENARIO_DOC_NOTICE;
        doc->mem = mi;
        doc->got = got;
        doc->lost = W_NEVER;
        doc->from = got;
        doc->to = W_NEVER;
        doc->notice_type = 'A';
        doc->mailed = got > d || got == d1;
        return add_event(w, got, a->res, "notice_mailed", "NOTICE-6", false, 0, "%s type A (D-1)",
                         w->ins[r->mems[mi].insurer].id);
    }
    case ACT_AGE75_MAIL:
    case ACT_AGE75: {
        int lei = find_kind(w, SCENARIO_INSURER_LATTER_ELDERLY);
        if (lei < 0 && (lei = add_insurer(w, "latter-elderly", SCENARIO_INSURER_LATTER_ELDERLY)) < 0)
            return CORE_ENOMEM;
        core_day b75 = core_date_birthday(r->sr->born, (int)pint(w->policy, POLICY_COPAY_LATTER_AGE, d));
        int cur = w_mem_on(r, b75 - 1);
        if (a->kind == ACT_AGE75_MAIL) {
            if (cur < 0 || w->ins[r->mems[cur].insurer].kind == SCENARIO_INSURER_LATTER_ELDERLY)
                return CORE_OK;
            int mi = mem_open(w, a->res, lei, SCENARIO_ROLE_INSURED, SCENARIO_NONE, b75, false, b75, NULL);
            if (mi < 0)
                return CORE_ENOMEM;
            return mail_for(w, a->res, mi, d, b75, "AGE-75", "AGE-75");
        }
        /* The birthday: the old membership ends, the new one (opened by the mailing) is filed. */
        int mi = SCENARIO_NONE;
        for (size_t i = 0; i < r->nmem; i++)
            if (r->mems[i].insurer == lei && r->mems[i].from == b75)
                mi = (int)i;
        if (mi < 0)
            return CORE_OK;
        if (cur >= 0 && cur != mi && r->mems[cur].to >= b75) {
            int rc = mem_close(w, a->res, cur, b75, b75);
            if (rc != CORE_OK)
                return rc;
        }
        struct eligibility_enrollment e;
        memset(&e, 0, sizeof e);
        e.numbers = r->mems[mi].numbers;
        e.role = ELIGIBILITY_INSURED;
        e.start = b75;
        e.high_income = r->sr->income == SCENARIO_INCOME_HIGH;
        e.tax_arrears = r->sr->tax_arrears;
        if (eligibility_file_enrollment(w->reg, r->person, &e, b75, CORE_DAY_NONE, &r->mems[mi].reg_id) !=
                CORE_OK ||
            file_insurer_name(w, lei) != CORE_OK)
            return CORE_ENOMEM;
        if (add_event(w, d, a->res, "enroll", "AGE-75", false, 0, "%s (75th birthday)", w->ins[lei].id) !=
            CORE_OK)
            return CORE_ENOMEM;
        /* Dependents under 75 join NHI that day. */
        for (size_t i = 0; i < w->nres; i++) {
            struct wres *x = &w->res[i];
            int xm = w_mem_on(x, b75 - 1);
            if ((int)i == a->res || xm < 0 || x->mems[xm].role != SCENARIO_ROLE_DEPENDENT ||
                x->mems[xm].of != a->res)
                continue;
            if (x->mems[xm].to < b75)
                continue;
            int nhi = find_kind(w, SCENARIO_INSURER_NHI);
            if (nhi < 0 && (nhi = add_insurer(w, "nhi", SCENARIO_INSURER_NHI)) < 0)
                return CORE_ENOMEM;
            int rc = mem_close(w, (int)i, xm, b75, b75);
            if (rc != CORE_OK)
                return rc;
            int nm = mem_open(w, (int)i, nhi, SCENARIO_ROLE_INSURED, SCENARIO_NONE, b75, true, b75, NULL);
            if (nm < 0)
                return CORE_ENOMEM;
            if (add_event(w, d, (int)i, "enroll", "AGE-75", false, 0, "%s (dependent of a 75-year-old)",
                          w->ins[nhi].id) != CORE_OK)
                return CORE_ENOMEM;
            rc = enroll_docs(w, (int)i, nm, b75);
            if (rc != CORE_OK)
                return rc;
        }
        return CORE_OK;
    }
    default:
        return CORE_OK;
    }
}

/* Runs every pending action due on or before `upto`, in (day, seq) order. */
static CORE_MUST_USE int acts_run_until(struct world *w, core_day upto)
{
    for (;;) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < w->nact; i++) {
            const struct wact *a = &w->acts[i];
            if (a->done || a->day > upto)
                continue;
            if (best == SIZE_MAX || a->day < w->acts[best].day ||
                (a->day == w->acts[best].day && a->seq < w->acts[best].seq))
                best = i;
        }
        if (best == SIZE_MAX)
            return CORE_OK;
        w->acts[best].done = true;
        struct wact a = w->acts[best];
        if (a.day < w->scn->period.from)
            a.day = w->scn->period.from;
        if (a.day > w->scn->period.to)
            continue;
        int rc = act_run(w, &a);
        if (rc != CORE_OK)
            return rc;
    }
}

/* ---- scenario events ------------------------------------------------------------------------------------ */

static CORE_MUST_USE int leave_mem(struct world *w, int ri, core_day day, core_day processed)
{
    struct wres *r = &w->res[ri];
    int mi = w_mem_on(r, day - 1);
    if (mi < 0 || r->mems[mi].to < day)
        return CORE_OK;
    int rc = mem_close(w, ri, mi, day, processed);
    if (rc != CORE_OK)
        return rc;
    /* Dependents leave with the insured. */
    for (size_t i = 0; i < w->nres; i++) {
        struct wres *x = &w->res[i];
        int xm = w_mem_on(x, day - 1);
        if ((int)i != ri && xm >= 0 && x->mems[xm].role == SCENARIO_ROLE_DEPENDENT && x->mems[xm].of == ri &&
            x->mems[xm].to >= day) {
            rc = mem_close(w, (int)i, xm, day, processed);
            if (rc != CORE_OK)
                return rc;
        }
    }
    return CORE_OK;
}

static CORE_MUST_USE int enroll(struct world *w, int ri, core_day day, int insurer, enum scenario_role role,
                                int of, int line)
{
    struct wres *r = &w->res[ri];
    int rc = leave_mem(w, ri, day, day);
    if (rc != CORE_OK)
        return rc;
    /* The last day of the insured's previous membership (day - 1 unless there was a gap, a `leave` earlier):
     * the dependents who left with it follow the insured to the new insurer. */
    core_day prev_end = CORE_DAY_NONE;
    for (size_t i = 0; i < r->nmem; i++)
        if (r->mems[i].from < day && r->mems[i].to < day &&
            (prev_end == CORE_DAY_NONE || r->mems[i].to > prev_end))
            prev_end = r->mems[i].to;
    int mi = mem_open(w, ri, insurer, role, of, day, true, day, NULL);
    if (mi < 0)
        return CORE_ENOMEM;
    if (add_event(w, day, ri, "enroll", "MYNA-9", false, line, "%s as %s", w->ins[insurer].id,
                  role == SCENARIO_ROLE_DEPENDENT ? "dependent" : "insured") != CORE_OK)
        return CORE_ENOMEM;
    if ((rc = enroll_docs(w, ri, mi, day)) != CORE_OK)
        return rc;
    /* Dependents move with the insured. */
    for (size_t i = 0; i < w->nres && role == SCENARIO_ROLE_INSURED; i++) {
        struct wres *x = &w->res[i];
        const struct wmem *xl = NULL; /* the dependent's latest membership begun before the day */
        for (size_t k = 0; k < x->nmem; k++)
            if (x->mems[k].from < day && (xl == NULL || x->mems[k].from >= xl->from))
                xl = &x->mems[k];
        if ((int)i == ri || xl == NULL || xl->role != SCENARIO_ROLE_DEPENDENT || xl->of != ri ||
            prev_end == CORE_DAY_NONE || xl->to != prev_end)
            continue;
        if (w_mem_on(x, day) >= 0)
            continue; /* enrolled on their own that day: no longer a dependent */
        int nm = mem_open(w, (int)i, insurer, SCENARIO_ROLE_DEPENDENT, ri, day, true, day, NULL);
        if (nm < 0)
            return CORE_ENOMEM;
        if (add_event(w, day, (int)i, "enroll", "MYNA-9", false, 0, "%s as dependent of %s",
                      w->ins[insurer].id, r->sr->id) != CORE_OK)
            return CORE_ENOMEM;
        if ((rc = enroll_docs(w, (int)i, nm, day)) != CORE_OK)
            return rc;
    }
    return CORE_OK;
}

static CORE_MUST_USE int lose_doc(struct world *w, int ri, core_day day, enum scenario_document kind,
                                  int line)
{
    struct wres *r = &w->res[ri];
    bool any = false;
    for (size_t i = 0; i < r->ndoc; i++)
        if (r->docs[i].kind == kind && r->docs[i].got <= day && day < r->docs[i].lost) {
            r->docs[i].lost = day;
            any = true;
        }
    return add_event(w, day, ri, "lose_document", kind == SCENARIO_DOC_PAPER_CARD ? "PAPER-4" : "", !any,
                     line, "%s%s", scenario_document_word(kind), any ? "" : " not in hand");
}

static CORE_MUST_USE int scn_event(struct world *w, const struct scenario_event *ev, struct core_error *err)
{
    int ri = ev->resident;
    core_day d = ev->date;
    int line = ev->pos.line;
    const char *word = scenario_event_word(ev->kind);
    struct wres *r = ri >= 0 ? &w->res[ri] : NULL;
    struct wcard *c = r ? card_now(r, d) : NULL;
    switch (ev->kind) {
    case SCENARIO_EVENT_ENROLL:
        return enroll(w, ri, d, ev->insurer, ev->role, ev->of, line);
    case SCENARIO_EVENT_LEAVE: {
        core_day processed = ev->processed == CORE_DAY_NONE ? d : ev->processed;
        if (add_event(w, d, ri, word, processed > d ? "MYNA-3" : "", false, line, "loss filed %s",
                      processed > d ? "late" : "that day") != CORE_OK)
            return CORE_ENOMEM;
        return leave_mem(w, ri, d, processed);
    }
    case SCENARIO_EVENT_GET_CARD: {
        int rc = give_card(w, ri, d, ev->face_only, CORE_DAY_NONE, CORE_DAY_NONE, err);
        if (rc != CORE_OK)
            return rc;
        return add_event(w, d, ri, word, "MYNA-1", false, line, "%s", ev->face_only ? "face-only" : "");
    }
    case SCENARIO_EVENT_REGISTER: {
        bool remote = ev->via == SCENARIO_VIA_PORTAL || ev->via == SCENARIO_VIA_ATM;
        if (c == NULL)
            return add_event(w, d, ri, word, "MYNA-1", true, line, "no card in hand");
        if (remote && c->face_only)
            return add_event(w, d, ri, word, "MYNA-2", true, line, "a face-only card has no PIN");
        if (remote && w_pin_blocked(r, c->id, d))
            return add_event(w, d, ri, word, "MYNA-7", true, line, "PIN blocked");
        if (reg_add(w, ri, d) != CORE_OK)
            return CORE_ENOMEM;
        return add_event(w, d, ri, word, "MYNA-1", false, line, "registered");
    }
    case SCENARIO_EVENT_WITHDRAW: {
        if (!w_registered(r, d))
            return add_event(w, d, ri, word, "MYNA-5", true, line, "not registered");
        core_day visible = d + (core_day)pint(w->policy, POLICY_REGISTRATION_WITHDRAWAL_LAG_DAYS, d);
        if (eligibility_file_withdrawal(w->reg, r->person, d, CORE_DAY_NONE) != CORE_OK)
            return CORE_ENOMEM;
        reg_end(r, visible);
        if (schedule(w, visible + (core_day)pint(w->policy, POLICY_CERTIFICATE_DETECTION_LAG_DAYS, visible),
                     ACT_EXOFFICIO, ri, 'E') != CORE_OK)
            return CORE_ENOMEM;
        return add_event(w, d, ri, word, "MYNA-5", false, line, "reaches the system after the lag");
    }
    case SCENARIO_EVENT_LOSE_CARD:
        if (c == NULL)
            return add_event(w, d, ri, word, "MYNA-6", true, line, "no card in hand");
        c->lost = d;
        if (eligibility_card_suspend(w->reg, c->id, d) != CORE_OK)
            return CORE_ENOMEM;
        return add_event(w, d, ri, word, "MYNA-6", false, line, "suspended");
    case SCENARIO_EVENT_LOSE_PAPER_CARD:
        return lose_doc(w, ri, d, SCENARIO_DOC_PAPER_CARD, line);
    case SCENARIO_EVENT_LOSE_DOCUMENT:
        if (ev->document == SCENARIO_DOC_CARD) {
            struct scenario_event e2 = *ev;
            e2.kind = SCENARIO_EVENT_LOSE_CARD;
            return scn_event(w, &e2, err);
        }
        return lose_doc(w, ri, d, ev->document, line);
    case SCENARIO_EVENT_REISSUE_CARD: {
        bool face_only = r->ncard > 0 ? r->cards[r->ncard - 1].face_only : false;
        int rc = give_card(w, ri, d, face_only, CORE_DAY_NONE, CORE_DAY_NONE, err);
        if (rc != CORE_OK)
            return rc;
        return add_event(w, d, ri, word, "MYNA-6", false, line, "registration carried over");
    }
    case SCENARIO_EVENT_RETURN_CARD:
        if (c == NULL)
            return add_event(w, d, ri, word, "CERT-5", true, line, "no card in hand");
        c->lost = d;
        if (eligibility_card_return(w->reg, c->id, d) != CORE_OK)
            return CORE_ENOMEM;
        if (schedule(w, d + (core_day)pint(w->policy, POLICY_CERTIFICATE_DETECTION_LAG_DAYS, d),
                     ACT_EXOFFICIO, ri, 'G') != CORE_OK)
            return CORE_ENOMEM;
        return add_event(w, d, ri, word, "CERT-5", false, line, "G");
    case SCENARIO_EVENT_RENEW_CERT: {
        if (c == NULL || c->face_only || c->ncert >= W_CERTS_MAX)
            return add_event(w, d, ri, word, "MYNA-2", true, line, "%s",
                             c == NULL ? "no card in hand" : "no certificate to renew");
        struct card_state st;
        int rc = card_dates(w, r, d, false, c->expires, CORE_DAY_NONE, &st, err);
        if (rc != CORE_OK)
            return rc;
        struct wcert *nc = &c->cert[c->ncert++];
        nc->serial = c->id * 16 + (uint64_t)c->ncert;
        nc->from = d;
        nc->expires = st.cert_expires > c->expires ? c->expires : st.cert_expires;
        rc = w_cert_grace(w, nc);
        if (rc != CORE_OK)
            return core_error_set(err, rc, NULL, 0, 0,
                                  "world: the policy gives no AMEND-3 grace for %s's certificate", r->sr->id);
        if (eligibility_card_renew_cert(w->reg, c->id, d, nc->serial, nc->expires) != CORE_OK)
            return CORE_ENOMEM;
        return add_event(w, d, ri, word, "MYNA-3", false, line, "new certificate");
    }
    case SCENARIO_EVENT_APPLY_CERTIFICATE: {
        int mi = w_mem_on(r, d);
        bool lost_card = c == NULL && r->ncard > 0;
        bool ok;
        switch (ev->reason) {
        case SCENARIO_REASON_A:
            ok = lost_card;
            break;
        case SCENARIO_REASON_B:
            ok = c != NULL;
            break;
        case SCENARIO_REASON_C:
            ok = c == NULL;
            break;
        case SCENARIO_REASON_D:
            ok = c != NULL && !w_registered(r, d);
            break;
        case SCENARIO_REASON_E: {
            bool withdrew = false;
            for (size_t i = 0; i < r->nreg; i++)
                withdrew = withdrew || r->regs[i].until != W_NEVER;
            ok = withdrew;
            break;
        }
        case SCENARIO_REASON_F: {
            const struct wcert *ct = c != NULL ? w_cert_on(c, d) : NULL;
            ok = ct != NULL && d > ct->expires;
            break;
        }
        case SCENARIO_REASON_G:
            ok = c == NULL && r->ncard > 0;
            break;
        default:
            ok = false;
            break;
        }
        static const char reasons[] = "ABCDEFG";
        if (mi < 0)
            return add_event(w, d, ri, word, "CERT-5", true, line, "not insured");
        if (!ok)
            return add_event(w, d, ri, word, "CERT-5", true, line, "reason %c does not apply",
                             reasons[ev->reason]);
        if (w_holds_doc(r, SCENARIO_DOC_PAPER_CARD, mi, d))
            return add_event(w, d, ri, word, "CERT-3", true, line, "holds a usable paper card");
        core_day lag =
            (core_day)pint(ins_policy(w, r->mems[mi].insurer), POLICY_CERTIFICATE_APPLICATION_LAG_DAYS, d);
        if (schedule(w, d + lag, ACT_APPLIED, ri, ev->reason) != CORE_OK)
            return CORE_ENOMEM;
        return add_event(w, d, ri, word, "CERT-5", false, line, "reason %c", reasons[ev->reason]);
    }
    case SCENARIO_EVENT_WRONG_PIN: {
        if (c == NULL)
            return add_event(w, d, ri, word, "MYNA-7", true, line, "no card in hand");
        if (c->face_only)
            return add_event(w, d, ri, word, "MYNA-2", true, line, "a face-only card has no PIN");
        int k = (int)ev->pin;
        bool was = c->tries[k] <= 0;
        c->tries[k] -= ev->times;
        if (c->tries[k] < 0)
            c->tries[k] = 0;
        if (!was && c->tries[k] == 0) {
            if (GROW(r->blocks, r->nblock, r->capblock) != CORE_OK)
                return CORE_ENOMEM;
            r->blocks[r->nblock++] = (struct wblock){c->id, (int)ev->pin, d, W_NEVER};
            return add_event(w, d, ri, word, "MYNA-7", false, line, "PIN blocked");
        }
        return add_event(w, d, ri, word, "MYNA-7", false, line, "%d tries left", c->tries[k]);
    }
    case SCENARIO_EVENT_RESET_PIN: {
        if (c == NULL || c->face_only)
            return add_event(w, d, ri, word, c ? "MYNA-2" : "MYNA-7", true, line, "no PIN to reset");
        int k = (int)ev->pin;
        c->tries[k] = (int)pint(w->policy, pin_tries_param[k], d);
        for (size_t i = 0; i < r->nblock; i++)
            if (r->blocks[i].card == c->id && r->blocks[i].pin == (int)ev->pin && r->blocks[i].to == W_NEVER)
                r->blocks[i].to = d - 1;
        return add_event(w, d, ri, word, "MYNA-7", false, line, "reset");
    }
    case SCENARIO_EVENT_VISIT: {
        struct world_visit v;
        w->visit_minute = ev->minute; /* the wire path's clock (wire.c): the visit's time of day */
        int rc = w_visit(w, ri, d, &ev->visit, line, &v, err);
        w->visit_minute = -1;
        if (rc != CORE_OK)
            return rc;
        rc = w_visit_keep(w, &v);
        if (rc != CORE_OK)
            return rc;
        return add_event(w, d, ri, word, v.decision.rule ? v.decision.rule : "", false, line, "%s via %s",
                         clinic_outcome_name(v.decision.outcome), clinic_route_name(v.decision.route));
    }
    case SCENARIO_EVENT_CLINIC_DOWN: {
        struct wclinic *wc = &w->clinics[ev->visit.clinic];
        if (GROW(wc->down, wc->ndown, wc->capdown) != CORE_OK)
            return CORE_ENOMEM;
        struct scenario_period p = {ev->pos, d, ev->until};
        wc->down[wc->ndown++] = p;
        return add_event(w, d, SCENARIO_NONE, word, "MYNA-3", false, line, "%s",
                         w->scn->clinics[ev->visit.clinic].id);
    }
    }
    return CORE_OK;
}

static int event_cmp(const void *a, const void *b)
{
    const struct wevent *x = a, *y = b;
    if (x->pub.day != y->pub.day)
        return x->pub.day < y->pub.day ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 : 0;
}

int world_run(struct world *w, struct core_error *err)
{
    if (w == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "world: none");
    if (w->ran)
        return core_error_set(err, CORE_ESTATE, NULL, 0, 0, "world: already run");
    w->ran = true;
    const struct scenario *s = w->scn;
    /* D-5: the July renewals in the period. */
    int y0, y1, m, d;
    core_date_to_ymd(s->period.from, &y0, &m, &d);
    core_date_to_ymd(s->period.to, &y1, &m, &d);
    for (int y = y0; y <= y1; y++) {
        core_day july31;
        /* Cannot fail: month and day are in range and the year is a day's year (+1). */
        CORE_DROP(core_date_from_ymd(y, 7, 31, &july31));
        core_day x = july31 - (core_day)pint(w->policy, POLICY_CERTIFICATE_LEAD_DAYS, july31);
        if (x >= s->period.from && x >= w->checks_from && x <= s->period.to)
            if (schedule(w, x, ACT_JULY, SCENARIO_NONE, 0) != CORE_OK)
                return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "world: out of memory scheduling July %d",
                                      y);
    }
    int rc;
    for (size_t i = 0; i < s->event_count; i++) {
        const struct scenario_event *ev = &s->events[i];
        if ((rc = acts_run_until(w, ev->date)) != CORE_OK)
            return core_error_set(err, rc, NULL, 0, 0, "world: engine failed before line %d", ev->pos.line);
        if ((rc = scn_event(w, ev, err)) != CORE_OK) {
            if (err != NULL && err->message[0] == '\0')
                core_error_set(err, rc, s->file, ev->pos.line, ev->pos.column, "world: event failed");
            return rc;
        }
    }
    if ((rc = acts_run_until(w, s->period.to)) != CORE_OK)
        return core_error_set(err, rc, NULL, 0, 0, "world: engine failed");
    if (w->nevent > 1) /* qsort wants a non-NULL array even for 0 elements */
        qsort(w->events, w->nevent, sizeof *w->events, event_cmp);
    for (size_t i = 0; i < w->nevent; i++)
        w->events[i].pub.detail = w->events[i].detail;
    return w_judge(w, err);
}
