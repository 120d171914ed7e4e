/*
 * write.c: the scenario writer (scenario.h, writing). A validated `struct scenario` becomes YAML in the format
 * the reader takes (docs/SCENARIO-FORMAT.md): one flow mapping per insurer, clinic, resident, event and
 * expectation, every field the struct holds, ids by name. `mynasim run --extract` writes a population's
 * residents through it and `mynasim shrink` writes each candidate it tries (docs/POPULATIONS.md, "From a
 * population failure to a scenario").
 *
 * It writes what the reader has today and nothing else; a field the reader fills in when the file leaves it
 * out (a visit's kind, a loss's `processed`) is written out, so that reading the text again gives the same
 * struct. What it cannot write is refused rather than lost: an insurer's `policy:` overrides (the struct
 * keeps the merged policy, not the overrides as written).
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"

struct wbuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void put(struct wbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct wbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p != NULL ? b->p + b->len : NULL, b->p != NULL ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if (b->p != NULL && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (q == NULL) {
            b->oom = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
}

/* Text as a double-quoted YAML scalar: backslash, quote and control characters escaped, UTF-8 kept. */
static void put_text(struct wbuf *b, const char *s)
{
    put(b, "\"");
    for (const unsigned char *c = (const unsigned char *)s; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\')
            put(b, "\\%c", *c);
        else if (*c == '\n')
            put(b, "\\n");
        else if (*c == '\t')
            put(b, "\\t");
        else if (*c < 0x20 || *c == 0x7f)
            put(b, "\\x%02x", *c);
        else
            put(b, "%c", *c);
    }
    put(b, "\"");
}

/* An id or a name: plain when it starts with a letter (never read as anything but text), else quoted. */
static void put_id(struct wbuf *b, const char *id)
{
    if ((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z'))
        put(b, "%s", id);
    else
        put_text(b, id);
}

static void put_day(struct wbuf *b, core_day d)
{
    char day[11];
    core_date_format(d, day);
    put(b, "%s", day);
}

static void put_period(struct wbuf *b, const struct scenario_period *p)
{
    put(b, "{from: ");
    put_day(b, p->from);
    put(b, ", to: ");
    put_day(b, p->to);
    put(b, "}");
}

static void put_docs(struct wbuf *b, unsigned docs)
{
    put(b, "[");
    for (int d = 0, n = 0; d < SCENARIO_DOC_COUNT; d++)
        if (docs & SCENARIO_DOC_BIT(d))
            put(b, "%s%s", n++ ? ", " : "", scenario_document_word((enum scenario_document)d));
    put(b, "]");
}

static const char *const fault_words[] = {SCENARIO_FAULTS(SCENARIO_WORD) NULL};
static const char *const pin_words[] = {SCENARIO_PINS(SCENARIO_WORD) NULL};

static void put_visit(struct wbuf *b, const struct scenario *s, const struct scenario_visit *v, bool kind)
{
    if (v->bring_given) {
        put(b, ", bring: ");
        put_docs(b, v->bring);
    }
    if (kind || v->kind_given) {
        static const char *const kinds[] = {"first", "revisit", "dispensing"};
        put(b, ", kind: %s", kinds[v->kind]);
    }
    if (v->faults != 0) {
        put(b, ", faults: [");
        for (int f = 0, n = 0; f < SCENARIO_FAULT_COUNT; f++)
            if (v->faults & SCENARIO_FAULT_BIT(f))
                put(b, "%s%s", n++ ? ", " : "", fault_words[f]);
        put(b, "]");
    }
    (void)s;
}

static void put_range(struct wbuf *b, const struct scenario_range *r)
{
    if (r->min == r->max)
        put(b, "%lld", r->min);
    else if (r->max == LLONG_MAX)
        put(b, "{min: %lld}", r->min);
    else if (r->min == 0)
        put(b, "{max: %lld}", r->max);
    else
        put(b, "{min: %lld, max: %lld}", r->min, r->max);
}

static const char *const insurer_kinds[] = {"nhi", "latter_elderly", "society", "kyokai", "mutual_aid"};

static void put_identity(struct wbuf *b, const struct scenario_identity *id)
{
    if (id->name != NULL && id->name[0] != '\0') {
        put(b, ", name: ");
        put_text(b, id->name);
    }
    if (id->kana != NULL && id->kana[0] != '\0') {
        put(b, ", kana: ");
        put_text(b, id->kana);
    }
    if (id->sex != SCENARIO_SEX_UNSET)
        put(b, ", sex: %s", id->sex == SCENARIO_SEX_MALE ? "male" : "female");
    if (id->address != NULL && id->address[0] != '\0') {
        put(b, ", address: ");
        put_text(b, id->address);
    }
    if (id->my_number[0] != '\0')
        put(b, ", my_number: \"%s\"", id->my_number);
    bool sym = id->member_symbol != NULL && id->member_symbol[0] != '\0';
    if (sym || id->member_number[0] != '\0' || id->member_branch[0] != '\0') {
        const char *sep = "";
        put(b, ", member: {");
        if (sym) {
            put(b, "symbol: ");
            put_text(b, id->member_symbol);
            sep = ", ";
        }
        if (id->member_number[0] != '\0') {
            put(b, "%snumber: \"%s\"", sep, id->member_number);
            sep = ", ";
        }
        if (id->member_branch[0] != '\0')
            put(b, "%sbranch: \"%s\"", sep, id->member_branch);
        put(b, "}");
    }
    if (id->security_code[0] != '\0')
        put(b, ", security_code: \"%s\"", id->security_code);
}

static void put_resident(struct wbuf *b, const struct scenario *s, const struct scenario_resident *r)
{
    put(b, "  - {id: ");
    put_id(b, r->id);
    put(b, ", born: ");
    put_day(b, r->born);
    if (r->insurer != SCENARIO_NONE) {
        put(b, ", insurer: ");
        put_id(b, s->insurers[r->insurer].id);
    }
    if (r->role == SCENARIO_ROLE_DEPENDENT) {
        put(b, ", role: dependent");
        if (r->of != SCENARIO_NONE) {
            put(b, ", of: ");
            put_id(b, s->residents[r->of].id);
        }
    }
    if (r->has_paper_card) {
        put(b, ", paper_card: {issued: ");
        put_day(b, r->paper_card_issued);
        if (r->paper_card_expires != CORE_DAY_NONE) {
            put(b, ", expires: ");
            put_day(b, r->paper_card_expires);
        }
        put(b, "}");
    }
    if (r->has_card) {
        put(b, ", card: {issued: ");
        put_day(b, r->card_issued);
        if (r->card_face_only)
            put(b, ", face_only: true");
        if (r->card_expires != CORE_DAY_NONE) {
            put(b, ", expires: ");
            put_day(b, r->card_expires);
        }
        if (r->card_cert_expires != CORE_DAY_NONE) {
            put(b, ", cert_expires: ");
            put_day(b, r->card_cert_expires);
        }
        put(b, "}");
    }
    if (r->registered != CORE_DAY_NONE) {
        put(b, ", registered: ");
        put_day(b, r->registered);
    }
    if (r->holds != 0) {
        put(b, ", holds: ");
        put_docs(b, r->holds);
    }
    if (r->tax_arrears)
        put(b, ", tax_arrears: true");
    if (r->income == SCENARIO_INCOME_HIGH)
        put(b, ", income: high");
    if (r->insured_since != CORE_DAY_NONE) {
        put(b, ", insured_since: ");
        put_day(b, r->insured_since);
    }
    put_identity(b, &r->identity);
    put(b, "}\n");
}

static void put_event(struct wbuf *b, const struct scenario *s, const struct scenario_event *e)
{
    static const char *const vias[] = {"portal", "atm", "clinic", "office"};
    put(b, "  - {date: ");
    put_day(b, e->date);
    if (e->kind != SCENARIO_EVENT_CLINIC_DOWN) {
        put(b, ", who: ");
        put_id(b, s->residents[e->resident].id);
    }
    put(b, ", do: %s", scenario_event_word(e->kind));
    switch (e->kind) {
    case SCENARIO_EVENT_ENROLL:
        put(b, ", insurer: ");
        put_id(b, s->insurers[e->insurer].id);
        if (e->role == SCENARIO_ROLE_DEPENDENT) {
            put(b, ", role: dependent, of: ");
            put_id(b, s->residents[e->of].id);
        }
        break;
    case SCENARIO_EVENT_LEAVE:
        if (e->processed != CORE_DAY_NONE && e->processed != e->date) {
            put(b, ", processed: ");
            put_day(b, e->processed);
        }
        break;
    case SCENARIO_EVENT_GET_CARD:
        if (e->face_only)
            put(b, ", face_only: true");
        break;
    case SCENARIO_EVENT_REGISTER:
        put(b, ", via: %s", vias[e->via]);
        break;
    case SCENARIO_EVENT_LOSE_DOCUMENT:
        put(b, ", document: %s", scenario_document_word(e->document));
        break;
    case SCENARIO_EVENT_APPLY_CERTIFICATE:
        put(b, ", reason: %c", 'A' + (int)e->reason);
        break;
    case SCENARIO_EVENT_WRONG_PIN:
        put(b, ", times: %d, pin: %s", e->times, pin_words[e->pin]);
        break;
    case SCENARIO_EVENT_RESET_PIN:
        put(b, ", pin: %s", pin_words[e->pin]);
        break;
    case SCENARIO_EVENT_VISIT:
        put(b, ", clinic: ");
        put_id(b, s->clinics[e->visit.clinic].id);
        put_visit(b, s, &e->visit, true);
        /* only when the file gave it (format 2): the default 10:00 stays implicit, so a format-1 file written
         * again is still format 1 */
        if (e->time_given)
            put(b, ", time: \"%02d:%02d\"", e->minute / 60, e->minute % 60);
        break;
    case SCENARIO_EVENT_CLINIC_DOWN:
        put(b, ", clinic: ");
        put_id(b, s->clinics[e->visit.clinic].id);
        put(b, ", until: ");
        put_day(b, e->until);
        break;
    case SCENARIO_EVENT_WITHDRAW:
    case SCENARIO_EVENT_LOSE_CARD:
    case SCENARIO_EVENT_LOSE_PAPER_CARD:
    case SCENARIO_EVENT_REISSUE_CARD:
    case SCENARIO_EVENT_RETURN_CARD:
    case SCENARIO_EVENT_RENEW_CERT:
        break;
    }
    put(b, "}\n");
}

static void put_ratio(struct wbuf *b, uint32_t ppm)
{
    put(b, "%" PRIu32 ".%06" PRIu32, ppm / 1000000u, ppm % 1000000u);
}

static void put_expect(struct wbuf *b, const struct scenario *s, const struct scenario_expect *x)
{
    put(b, "  - {");
    if (x->date != CORE_DAY_NONE) {
        put(b, "date: ");
        put_day(b, x->date);
        put(b, ", ");
    }
    put(b, "who: ");
    if (x->resident == SCENARIO_WHO_ALL)
        put(b, "all");
    else
        put_id(b, s->residents[x->resident].id);
    switch (x->kind) {
    case SCENARIO_EXPECT_HOLDS:
    case SCENARIO_EXPECT_LACKS:
        put(b, ", %s: ", scenario_expect_word(x->kind));
        put_docs(b, x->documents);
        break;
    case SCENARIO_EXPECT_VISIT:
        put(b, ", visit: ");
        put_id(b, s->clinics[x->visit.clinic].id);
        put_visit(b, s, &x->visit, false);
        put(b, ", outcome: %s", scenario_outcome_word(x->outcome));
        if (x->fee_given)
            put(b, ", fee: {total: %lld, copay: %lld}", x->fee_total, x->fee_copay);
        if (x->route != SCENARIO_ROUTE_NONE)
            put(b, ", route: %s", scenario_route_word(x->route));
        if (x->limit_applied_given)
            put(b, ", limit_applied: %s", x->limit_applied ? "true" : "false");
        if (x->claim_error_given)
            put(b, ", claim_error: %s", x->claim_error ? "true" : "false");
        break;
    case SCENARIO_EXPECT_ONLINE_CHECK:
        put(b, ", online_check: %s", scenario_check_word(x->check));
        if (x->clinic != SCENARIO_NONE) {
            put(b, ", clinic: ");
            put_id(b, s->clinics[x->clinic].id);
        }
        if (x->warning != SCENARIO_WARNING_NONE)
            put(b, ", warning: %s", scenario_warning_word(x->warning));
        break;
    case SCENARIO_EXPECT_RECEIVED:
        put(b, ", received: %s, by: ", scenario_document_word(x->received));
        put_day(b, x->by);
        if (x->notice_type != SCENARIO_NOTICE_ANY)
            put(b, ", type: %c", x->notice_type == SCENARIO_NOTICE_A ? 'A' : 'B');
        break;
    case SCENARIO_EXPECT_GAP_DAYS:
    case SCENARIO_EXPECT_DEGRADED_DAYS:
    case SCENARIO_EXPECT_GRACE_DAYS:
    case SCENARIO_EXPECT_CLAIM_ERRORS:
        put(b, ", %s: ", scenario_expect_word(x->kind));
        put_range(b, &x->count);
        if (x->kind == SCENARIO_EXPECT_GAP_DAYS && x->first_gap != CORE_DAY_NONE) {
            put(b, ", first_gap: ");
            put_day(b, x->first_gap);
        }
        break;
    case SCENARIO_EXPECT_USAGE_RATE: {
        int y, m, d;
        core_date_to_ymd(x->month, &y, &m, &d);
        put(b, ", usage_rate: {month: %04d-%02d, min: ", y, m);
        put_ratio(b, x->min_ppm);
        put(b, ", max: ");
        put_ratio(b, x->max_ppm);
        put(b, "}");
        break;
    }
    }
    if (x->rule[0] != '\0')
        put(b, ", rule: %s", x->rule);
    if (x->name != NULL) {
        put(b, ", name: ");
        put_text(b, x->name);
    }
    put(b, "}\n");
}

static bool keep(const bool *set, size_t i)
{
    return set == NULL || set[i];
}

int scenario_write(const struct scenario *s, const struct scenario_write_select *sel, char **out, size_t *len,
                   struct core_error *err)
{
    *out = NULL;
    *len = 0;
    const bool *kr = sel != NULL ? sel->residents : NULL, *ke = sel != NULL ? sel->events : NULL,
               *kx = sel != NULL ? sel->expects : NULL;
    for (size_t i = 0; i < s->insurer_count; i++)
        if (s->insurers[i].policy != NULL)
            return core_error_set(err, CORE_EINVAL, s->file, s->insurers[i].pos.line,
                                  s->insurers[i].pos.column,
                                  "insurer '%s' overrides policy parameters: the writer cannot write them "
                                  "(the scenario keeps the merged policy, not the overrides as written)",
                                  s->insurers[i].id);
    struct wbuf b = {0};
    put(&b, "format: %d\nscenario: ", s->format);
    put_id(&b, s->name);
    put(&b, "\n");
    if (s->description != NULL && s->description[0] != '\0') {
        put(&b, "description: ");
        put_text(&b, s->description);
        put(&b, "\n");
    }
    if (s->tag_count > 0) {
        put(&b, "tags: [");
        for (size_t i = 0; i < s->tag_count; i++)
            put(&b, "%s%s", i ? ", " : "", s->tags[i]);
        put(&b, "]\n");
    }
    put(&b, "period: ");
    put_period(&b, &s->period);
    put(&b, "\npolicy: ");
    if (strspn(s->policy_ref, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s->policy_ref))
        put(&b, "%s\n", s->policy_ref);
    else {
        put_text(&b, s->policy_ref);
        put(&b, "\n");
    }
    if (s->seed_given)
        put(&b, "seed: %" PRIu64 "\n", s->seed);
    if (s->outage_count > 0) {
        put(&b, "outages:\n");
        for (size_t i = 0; i < s->outage_count; i++) {
            put(&b, "  - ");
            put_period(&b, &s->outages[i]);
            put(&b, "\n");
        }
    }
    if (s->insurer_count > 0) {
        put(&b, "insurers:\n");
        for (size_t i = 0; i < s->insurer_count; i++) {
            const struct scenario_insurer *in = &s->insurers[i];
            put(&b, "  - {id: ");
            put_id(&b, in->id);
            put(&b, ", kind: %s", insurer_kinds[in->kind]);
            if (in->number[0] != '\0')
                put(&b, ", number: \"%s\"", in->number);
            put(&b, "}\n");
        }
    }
    if (s->clinic_count > 0) {
        put(&b, "clinics:\n");
        static const char *const readers[] = {"face", "pin", "none"};
        for (size_t i = 0; i < s->clinic_count; i++) {
            const struct scenario_clinic *c = &s->clinics[i];
            put(&b, "  - {id: ");
            put_id(&b, c->id);
            put(&b, ", reader: %s", readers[c->reader]);
            if (c->down_count > 0) {
                put(&b, ", down: [");
                for (size_t k = 0; k < c->down_count; k++) {
                    put(&b, "%s", k ? ", " : "");
                    put_period(&b, &c->down[k]);
                }
                put(&b, "]");
            }
            put(&b, "}\n");
        }
    }
    size_t nres = 0;
    for (size_t i = 0; i < s->resident_count; i++)
        nres += keep(kr, i);
    if (nres > 0) {
        put(&b, "residents:\n");
        for (size_t i = 0; i < s->resident_count; i++)
            if (keep(kr, i))
                put_resident(&b, s, &s->residents[i]);
    }
    bool head = false;
    for (size_t i = 0; i < s->event_count; i++) {
        const struct scenario_event *e = &s->events[i];
        if (!keep(ke, i) || (e->resident >= 0 && !keep(kr, (size_t)e->resident)))
            continue;
        if (!head)
            put(&b, "events:\n");
        head = true;
        put_event(&b, s, e);
    }
    head = false;
    for (size_t i = 0; i < s->expect_count; i++) {
        const struct scenario_expect *x = &s->expects[i];
        if (!keep(kx, i) || (x->resident >= 0 && !keep(kr, (size_t)x->resident)))
            continue;
        if (!head)
            put(&b, "expect:\n");
        head = true;
        put_expect(&b, s, x);
    }
    if (s->has_population) {
        put(&b, "population: {size: %lld, mix: ", s->population.size);
        if (strspn(s->population.mix, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s->population.mix))
            put(&b, "%s", s->population.mix);
        else
            put_text(&b, s->population.mix);
        put(&b, ", insurers: generated}\n");
    }
    if (b.oom) {
        free(b.p);
        return core_error_set(err, CORE_ENOMEM, s->file, 0, 0, "out of memory writing the scenario");
    }
    *out = b.p;
    *len = b.len;
    return CORE_OK;
}
