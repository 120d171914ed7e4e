/*
 * report.c: the report's life (open, add runs, close), the choice of format, and the helpers the formats
 * share (summaries, words, positions).
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_int.h"

static const char *const format_words[] = {"text", "json", "junit"};

int report_format_parse(const char *word, enum report_format *out)
{
    for (size_t i = 0; i < sizeof format_words / sizeof format_words[0]; i++)
        if (word != NULL && strcmp(word, format_words[i]) == 0) {
            *out = (enum report_format)i;
            return CORE_OK;
        }
    return CORE_EINVAL;
}

const char *report_format_word(enum report_format f)
{
    return (unsigned)f < sizeof format_words / sizeof format_words[0] ? format_words[f] : "?";
}

const char *report_verdict_word(int verdict)
{
    switch (verdict) {
    case WORLD_DAY_USABLE:
        return "usable";
    case WORLD_DAY_GRACE:
        return "grace";
    case WORLD_DAY_GAP:
        return "gap";
    case WORLD_DAY_NOT_INSURED:
        return "not_insured";
    case WORLD_DAY_BEFORE_CHECKS:
        return "before_checks";
    default:
        return "?";
    }
}

void report_summarize(const struct scenario *scn, const struct scenario_run_result *run,
                      struct report_summary *out)
{
    memset(out, 0, sizeof *out);
    out->residents = scn->resident_count;
    out->expectations = run->count;
    out->passed = run->passed;
    out->failed = run->failed;
    if (run->world != NULL) {
        out->gap_days = world_gap_days(run->world, SCENARIO_WHO_ALL);
        out->grace_days = world_grace_days(run->world, SCENARIO_WHO_ALL);
        out->degraded_days = world_degraded_days(run->world, SCENARIO_WHO_ALL);
        out->claim_errors = world_claim_errors(run->world, SCENARIO_WHO_ALL);
    }
    const struct world_population *p = run->population;
    if (p != NULL) { /* named residents plus the population, as `who: all` expectations count them */
        out->residents += (size_t)p->residents;
        out->gap_days += (long)p->gap;
        out->grace_days += (long)p->grace;
        out->degraded_days += (long)p->degraded;
        out->claim_errors += (long)p->claims;
    }
}

static long long rule_total(const struct world_pop_rule *r)
{
    return r->gap + r->grace + r->degraded + r->claims;
}

static int rule_by_name(const void *a, const void *b)
{
    const struct world_pop_rule *x = *(const struct world_pop_rule *const *)a;
    const struct world_pop_rule *y = *(const struct world_pop_rule *const *)b;
    return strcmp(x->rule, y->rule);
}

static int rule_by_weight(const void *a, const void *b)
{
    const struct world_pop_rule *x = *(const struct world_pop_rule *const *)a;
    const struct world_pop_rule *y = *(const struct world_pop_rule *const *)b;
    if (x->gap != y->gap)
        return x->gap > y->gap ? -1 : 1;
    if (rule_total(x) != rule_total(y))
        return rule_total(x) > rule_total(y) ? -1 : 1;
    return strcmp(x->rule, y->rule);
}

size_t report_pop_rules(const struct world_population *p, bool by_name, const struct world_pop_rule **out)
{
    size_t n = p->nrules < WORLD_POP_RULES_MAX ? p->nrules : WORLD_POP_RULES_MAX;
    for (size_t i = 0; i < n; i++)
        out[i] = &p->rules[i];
    if (n > 1)
        qsort(out, n, sizeof *out, by_name ? rule_by_name : rule_by_weight);
    return n;
}

long report_pop_usage_ppm(const struct world_pop_month *m)
{
    if (m->online_checks <= 0)
        return -1;
    return (long)(m->card_checks * 1000000 / m->online_checks);
}

const struct scenario_expect *report_usage_expect(const struct scenario *scn, core_day month)
{
    int y, m, d, ey, em;
    core_date_to_ymd(month, &y, &m, &d);
    for (size_t i = 0; i < scn->expect_count; i++) {
        const struct scenario_expect *e = &scn->expects[i];
        if (e->kind != SCENARIO_EXPECT_USAGE_RATE)
            continue;
        core_date_to_ymd(e->month, &ey, &em, &d);
        if (ey == y && em == m)
            return e;
    }
    return NULL;
}

const char *report_who(const struct scenario *scn, int resident)
{
    if (resident == SCENARIO_WHO_ALL)
        return "all";
    if (resident >= 0 && (size_t)resident < scn->resident_count)
        return scn->residents[resident].id;
    return "-";
}

const char *report_clinic(const struct scenario *scn, int clinic)
{
    if (clinic >= 0 && (size_t)clinic < scn->clinic_count)
        return scn->clinics[clinic].id;
    return "default";
}

void report_day(core_day d, char out[11])
{
    if (d == CORE_DAY_NONE)
        out[0] = '\0';
    else
        core_date_format(d, out);
}

void report_result_name(const struct scenario_result *r, char *out, size_t cap)
{
    snprintf(out, cap, "%s:%d", r->form != NULL ? r->form : "?", r->pos.line);
}

int report_open(enum report_format format, FILE *out, struct report **rep, struct core_error *err)
{
    *rep = NULL;
    if (out == NULL)
        return core_error_set(err, CORE_EINVAL, "", 0, 0, "report: no output");
    const struct report_ops *ops = format == REPORT_TEXT    ? &report_text_ops
                                   : format == REPORT_JSON  ? &report_json_ops
                                   : format == REPORT_JUNIT ? &report_junit_ops
                                                            : NULL;
    if (ops == NULL)
        return core_error_set(err, CORE_EINVAL, "", 0, 0, "report: unknown format %d", (int)format);
    struct report *r = calloc(1, sizeof *r);
    if (r == NULL)
        return core_error_set(err, CORE_ENOMEM, "", 0, 0, "report: out of memory");
    r->format = format;
    r->out = out;
    r->ops = ops;
    int rc = ops->open(r, err);
    if (rc != CORE_OK) {
        free(r);
        return rc;
    }
    *rep = r;
    return CORE_OK;
}

int report_add(struct report *rep, const struct scenario *scn, const struct scenario_run_result *run,
               struct core_error *err)
{
    if (rep == NULL || scn == NULL || run == NULL)
        return core_error_set(err, CORE_EINVAL, "", 0, 0, "report_add: missing argument");
    int rc = rep->ops->add(rep, scn, run, err);
    if (rc == CORE_OK)
        rep->runs++;
    return rc;
}

int report_close(struct report *rep, struct core_error *err)
{
    if (rep == NULL)
        return CORE_OK;
    int rc = rep->ops->close(rep, err);
    if (rc == CORE_OK && (fflush(rep->out) != 0 || ferror(rep->out)))
        rc = core_error_set(err, CORE_EIO, "", 0, 0, "report: the output could not be written");
    free(rep);
    return rc;
}
