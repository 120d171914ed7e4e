/*
 * fake_world.c: world.h answered from the canned `fake_world` (fake_world.h). Documents held and in hand on
 * a day come from the resident's range covering it; totals for SCENARIO_WHO_ALL are sums.
 */
#include <stdlib.h>
#include <string.h>

#include "fake_world.h"

struct fake_world_data fake_world;

struct world {
    const struct scenario *scn;
};

void fake_world_reset(void)
{
    int alive = fake_world.worlds_alive;
    memset(&fake_world, 0, sizeof fake_world);
    fake_world.worlds_alive = alive;
    for (int i = 0; i < FAKE_RESIDENTS; i++) {
        fake_world.first_gap[i] = CORE_DAY_NONE;
        fake_world.received[i] = CORE_DAY_NONE;
    }
    fake_world.probe_decision.outcome = CLINIC_INSURED;
    fake_world.probe_decision.route = CLINIC_ROUTE_CARD;
    fake_world.probe_decision.rule = "DESK-1";
    fake_world.probe_answer.result = ELIGIBILITY_OK;
}

int world_new(const struct scenario *scn, struct world **out, struct core_error *err)
{
    *out = NULL;
    if (fake_world.new_rc != CORE_OK)
        return core_error_set(err, fake_world.new_rc, scn->file, 0, 0, "fake: world_new fails");
    struct world *w = calloc(1, sizeof *w);
    if (w == NULL)
        return core_error_set(err, CORE_ENOMEM, "", 0, 0, "fake: out of memory");
    w->scn = scn;
    fake_world.worlds_alive++;
    *out = w;
    return CORE_OK;
}

int world_run(struct world *w, struct core_error *err)
{
    if (fake_world.run_rc != CORE_OK)
        return core_error_set(err, fake_world.run_rc, w->scn->file, 0, 0, "fake: world_run fails");
    return CORE_OK;
}

int world_set_fidelity(struct world *w, enum world_fidelity fidelity, struct core_error *err)
{
    (void)w;
    (void)fidelity;
    (void)err;
    return CORE_OK;
}

void world_free(struct world *w)
{
    if (w != NULL)
        fake_world.worlds_alive--;
    free(w);
}

size_t world_event_count(const struct world *w)
{
    (void)w;
    return fake_world.event_count;
}

const struct world_event *world_event_at(const struct world *w, size_t i)
{
    (void)w;
    return i < fake_world.event_count ? &fake_world.events[i] : NULL;
}

static bool valid_resident(int r)
{
    return r >= 0 && r < FAKE_RESIDENTS;
}

size_t world_range_count(const struct world *w, int resident)
{
    (void)w;
    return valid_resident(resident) ? fake_world.range_count[resident] : 0;
}

const struct world_range *world_range_at(const struct world *w, int resident, size_t i)
{
    (void)w;
    return valid_resident(resident) && i < fake_world.range_count[resident] ? &fake_world.ranges[resident][i]
                                                                            : NULL;
}

/* Identities (identities.c): a fixed My Number per resident, one membership, no card. */
const char *world_my_number(const struct world *w, int resident)
{
    (void)w;
    return valid_resident(resident) ? "123456789018" : "";
}

size_t world_membership_count(const struct world *w, int resident)
{
    (void)w;
    return valid_resident(resident) ? 1 : 0;
}

int world_membership_at(const struct world *w, int resident, size_t i, struct world_membership *out)
{
    (void)w;
    if (out == NULL || !valid_resident(resident) || i != 0)
        return CORE_EINVAL;
    memset(out, 0, sizeof *out);
    out->insurer = 0;
    out->role = SCENARIO_ROLE_INSURED;
    if (core_date_from_ymd(2020, 4, 1, &out->from) != CORE_OK)
        return CORE_EINVAL;
    out->to = CORE_DAY_NONE;
    memcpy(out->numbers.insurer_number, "112334", 7);
    memcpy(out->numbers.symbol, "100", 4);
    memcpy(out->numbers.number, "1007", 5);
    memcpy(out->numbers.branch, "00", 3);
    return CORE_OK;
}

size_t world_card_count(const struct world *w, int resident)
{
    (void)w;
    (void)resident;
    return 0;
}

int world_card_at(const struct world *w, int resident, size_t i, struct world_card *out)
{
    (void)w;
    (void)resident;
    (void)i;
    (void)out;
    return CORE_EINVAL;
}

static long total(const long *v, int resident)
{
    if (resident == SCENARIO_WHO_ALL) {
        long sum = 0;
        for (int i = 0; i < FAKE_RESIDENTS; i++)
            sum += v[i];
        return sum;
    }
    return valid_resident(resident) ? v[resident] : 0;
}

long world_gap_days(const struct world *w, int resident)
{
    (void)w;
    return total(fake_world.gap_days, resident);
}

long world_grace_days(const struct world *w, int resident)
{
    (void)w;
    return total(fake_world.grace_days, resident);
}

long world_degraded_days(const struct world *w, int resident)
{
    (void)w;
    return total(fake_world.degraded_days, resident);
}

long world_claim_errors(const struct world *w, int resident)
{
    (void)w;
    return total(fake_world.claim_errors, resident);
}

core_day world_first_gap(const struct world *w, int resident)
{
    (void)w;
    if (resident == SCENARIO_WHO_ALL) {
        core_day first = CORE_DAY_NONE;
        for (int i = 0; i < FAKE_RESIDENTS; i++)
            if (fake_world.first_gap[i] != CORE_DAY_NONE &&
                (first == CORE_DAY_NONE || fake_world.first_gap[i] < first))
                first = fake_world.first_gap[i];
        return first;
    }
    return valid_resident(resident) ? fake_world.first_gap[resident] : CORE_DAY_NONE;
}

size_t world_visit_count(const struct world *w)
{
    (void)w;
    return fake_world.visit_count;
}

const struct world_visit *world_visit_at(const struct world *w, size_t i)
{
    (void)w;
    return i < fake_world.visit_count ? &fake_world.visits[i] : NULL;
}

static const struct world_range *range_on(int resident, core_day day)
{
    if (!valid_resident(resident))
        return NULL;
    for (size_t i = 0; i < fake_world.range_count[resident]; i++)
        if (fake_world.ranges[resident][i].from <= day && day <= fake_world.ranges[resident][i].to)
            return &fake_world.ranges[resident][i];
    return NULL;
}

unsigned world_holds(const struct world *w, int resident, core_day day)
{
    (void)w;
    const struct world_range *r = range_on(resident, day);
    return r != NULL ? r->holds : 0;
}

unsigned world_in_hand(const struct world *w, int resident, core_day day)
{
    (void)w;
    const struct world_range *r = range_on(resident, day);
    return r != NULL ? r->in_hand : 0;
}

int world_probe_visit(const struct world *w, int resident, core_day day, const struct scenario_visit *visit,
                      struct world_visit *out, struct core_error *err)
{
    if (fake_world.probe_visit_rc != CORE_OK)
        return core_error_set(err, fake_world.probe_visit_rc, "", 0, 0, "fake: the probe fails");
    memset(out, 0, sizeof *out);
    out->day = day;
    out->resident = resident;
    out->clinic = visit->clinic;
    out->kind = visit->kind;
    out->brought = visit->bring_given ? visit->bring : world_holds(w, resident, day);
    out->missing = out->brought & ~world_in_hand(w, resident, day);
    out->card_check = fake_world.probe_answer.result;
    out->decision = fake_world.probe_decision;
    out->claim_error = fake_world.probe_claim_error;
    return CORE_OK;
}

int world_probe_check(const struct world *w, int resident, core_day day, int clinic,
                      struct eligibility_answer *out, struct core_error *err)
{
    (void)w;
    (void)resident;
    (void)day;
    (void)clinic;
    if (fake_world.probe_check_rc != CORE_OK)
        return core_error_set(err, fake_world.probe_check_rc, "", 0, 0, "fake: the check fails");
    *out = fake_world.probe_answer;
    return CORE_OK;
}

core_day world_received(const struct world *w, int resident, enum scenario_document doc, core_day by,
                        int notice_type)
{
    (void)w;
    (void)doc;
    (void)notice_type;
    if (!valid_resident(resident) || fake_world.received[resident] == CORE_DAY_NONE ||
        fake_world.received[resident] > by)
        return CORE_DAY_NONE;
    return fake_world.received[resident];
}

/* ---- the canned data of the tests --------------------------------------------------------------------- */

#include <stdio.h>

core_day fake_day(const char *ymd)
{
    core_day d = CORE_DAY_NONE;
    if (core_date_parse(ymd, strlen(ymd), &d) != CORE_OK)
        abort();
    return d;
}

struct scenario *fake_scenario_load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/sim/tests/report/data/%s", MYNASIM_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    struct scenario *s = NULL;
    struct scenario_diags diags;
    scenario_diags_init(&diags);
    if (scenario_load_buffer(name, buf, n, NULL, &s, &diags) != CORE_OK) {
        for (size_t i = 0; i < diags.count; i++) {
            char msg[1200];
            core_error_format(&diags.items[i], msg, sizeof msg);
            fprintf(stderr, "%s\n", msg);
        }
        s = NULL;
    }
    scenario_diags_clear(&diags);
    return s;
}

static void range(int res, const char *from, const char *to, unsigned holds, unsigned in_hand,
                  enum world_verdict verdict, const char *rule)
{
    struct world_range *r = &fake_world.ranges[res][fake_world.range_count[res]++];
    r->from = fake_day(from);
    r->to = fake_day(to);
    r->holds = holds;
    r->in_hand = in_hand;
    r->insurer = 0;
    r->verdict = verdict;
    r->degraded = false;
    r->rule = rule;
}

static void event(const char *day, int res, const char *what, const char *rule, const char *detail,
                  bool failed, int line)
{
    struct world_event *e = &fake_world.events[fake_world.event_count++];
    e->day = fake_day(day);
    e->resident = res;
    e->what = what;
    e->rule = rule;
    e->detail = detail;
    e->failed = failed;
    e->line = line;
}

void fake_world_basic(void)
{
    fake_world_reset();
    const unsigned paper = SCENARIO_DOC_BIT(SCENARIO_DOC_PAPER_CARD),
                   card = SCENARIO_DOC_BIT(SCENARIO_DOC_CARD), portal = SCENARIO_DOC_BIT(SCENARIO_DOC_PORTAL),
                   cert = SCENARIO_DOC_BIT(SCENARIO_DOC_CERTIFICATE);
    range(0, "2024-12-01", "2024-12-01", paper | card | portal, paper | card | portal,
          WORLD_DAY_BEFORE_CHECKS, "");
    range(0, "2024-12-02", "2025-07-31", paper | card | portal, paper | card | portal, WORLD_DAY_USABLE, "");
    range(0, "2025-08-01", "2025-09-09", card | portal, paper | card | portal, WORLD_DAY_USABLE, "");
    range(0, "2025-09-10", "2025-09-24", 0, paper, WORLD_DAY_GRACE, "AMEND-1");
    range(0, "2025-09-25", "2025-12-31", cert, paper | cert, WORLD_DAY_USABLE, "");
    fake_world.ranges[0][3].degraded = true;
    range(1, "2024-12-01", "2024-12-01", paper, paper, WORLD_DAY_BEFORE_CHECKS, "");
    range(1, "2024-12-02", "2025-12-01", paper, paper, WORLD_DAY_USABLE, "");
    range(1, "2025-12-02", "2025-12-31", 0, paper, WORLD_DAY_GAP, "PAPER-2");
    fake_world.grace_days[0] = 3;
    fake_world.degraded_days[0] = 15;
    fake_world.gap_days[1] = 30;
    fake_world.first_gap[1] = fake_day("2025-12-02");
    fake_world.received[0] = fake_day("2025-09-25");
    event("2025-03-01", SCENARIO_NONE, "clinic_down", "", "clinic-a until 2025-03-03", false, 0);
    event("2025-03-05", 0, "visit", "DESK-1", "clinic-a: insured by card", false, 23);
    event("2025-07-31", 0, "paper_card_expired", "PAPER-2", "", false, 0);
    event("2025-09-10", 0, "lose_card", "MYNA-6", "card suspended", false, 24);
    event("2025-09-18", 0, "certificate_mailed", "CERT-2", "valid 2025-09-18..2026-09-17", false, 0);
    event("2025-12-01", 1, "paper_card_expired", "PAPER-2", "", false, 0);
    struct world_visit *v = &fake_world.visits[fake_world.visit_count++];
    v->day = fake_day("2025-03-05");
    v->resident = 0;
    v->clinic = 0;
    v->kind = SCENARIO_VISIT_FIRST;
    v->brought = paper | card | portal;
    v->card_check = ELIGIBILITY_OK;
    v->decision.outcome = CLINIC_INSURED;
    v->decision.route = CLINIC_ROUTE_CARD;
    v->decision.rule = "DESK-1";
    v->decision.card_used = true;
    v->decision.fee_charged = true;
    v->decision.fee_total = 10;
    v->decision.copay = 3;
    v->decision.copay_percent = 30;
    v->line = 23;
    fake_world.probe_decision.fee_total = 10;
    fake_world.probe_decision.copay = 3;
    fake_world.probe_decision.copay_percent = 30;
    fake_world.probe_decision.card_used = true;
    fake_world.probe_decision.fee_charged = true;
}

/* The scenario's insurers (the fake world creates none). */
size_t world_insurer_count(const struct world *w)
{
    return w != NULL && w->scn != NULL ? w->scn->insurer_count : 0;
}

const char *world_insurer_id(const struct world *w, int insurer)
{
    return insurer >= 0 && (size_t)insurer < world_insurer_count(w) ? w->scn->insurers[insurer].id : NULL;
}
