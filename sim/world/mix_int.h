/* Private to sim/world: a loaded population mix (mix.c) as the generator (population.c) reads it. The file
 * format is docs/POPULATIONS.md; fixtures/mixes/national.yaml is its documented example. */
#ifndef MYNASIM_MIX_INT_H
#define MYNASIM_MIX_INT_H

#include "world/world.h"

#define MIX_BANDS_MAX 24
#define MIX_MONTHS_MAX 60
#define MIX_HOUSEHOLD_MAX 8
#define MIX_LAG_ROWS_MAX 16
#define MIX_ISSUE_YEARS_MAX 32
#define MIX_KINDS 5 /* enum scenario_insurer_kind */
/* A list of shares sums to 1 within this. */
#define MIX_SHARE_TOLERANCE 0.001

enum mix_rate {
    MIX_RATE_JOB_CHANGE,
    MIX_RATE_MOVE,
    MIX_RATE_CARD_LOSS,
    MIX_RATE_WITHDRAWAL,
    MIX_RATE_CARD_RETURN,
    MIX_RATE_PIN_BLOCK,
    MIX_RATE_CERT_RENEWAL,
    MIX_RATE_COUNT
};

enum mix_lag {
    MIX_LAG_LOSS_FILING,
    MIX_LAG_REISSUE,
    MIX_LAG_PIN_RESET,
    MIX_LAG_RENEWAL_AHEAD,
    MIX_LAG_COUNT
};

enum mix_fault { MIX_FAULT_READER, MIX_FAULT_UNSHOWABLE_NAME, MIX_FAULT_BEFORE_REFLECTION, MIX_FAULT_COUNT };

/* A value by age band: bands are contiguous from age 0. */
struct mix_ages {
    int n;
    int from[MIX_BANDS_MAX], to[MIX_BANDS_MAX];
    double v[MIX_BANDS_MAX];
};

/* A value by month (stepwise: from the row's month until the next row's). */
struct mix_months {
    int n;
    core_day month[MIX_MONTHS_MAX]; /* first day of the month */
    double v[MIX_MONTHS_MAX];
};

struct mix_lagdist {
    int n;
    int days[MIX_LAG_ROWS_MAX];
    double share[MIX_LAG_ROWS_MAX];
};

/* Years and their shares (ascending years). */
struct mix_years {
    int n;
    int year[MIX_ISSUE_YEARS_MAX];
    double share[MIX_ISSUE_YEARS_MAX];
};

/* Published figures (`published:`, optional): the usage rate by month, each with where it comes from. Reports
 * draw them next to what a population produced; generation never reads them. */
#define MIX_SOURCE_MAX 240
struct mix_published {
    int n;
    core_day month[MIX_MONTHS_MAX]; /* first day of the month */
    long ppm[MIX_MONTHS_MAX];       /* the rate in millionths */
    char source[MIX_MONTHS_MAX][MIX_SOURCE_MAX];
};

struct world_mix {
    char name[64];
    struct mix_ages age;                     /* share of residents */
    double household[MIX_HOUSEHOLD_MAX + 1]; /* [size] share; [0] unused */
    int household_max;
    int nkinds;
    int kinds_from[MIX_BANDS_MAX], kinds_to[MIX_BANDS_MAX];
    double kinds[MIX_BANDS_MAX][MIX_KINDS];
    double adult_dependent;
    double income_high;
    struct mix_ages own, reg;
    double face_only;
    struct mix_months get_card, register_monthly;
    struct mix_years issued_before_start;  /* the year a card held at the start was issued */
    core_day registration_opened;          /* registrations for insurance use possible from this day */
    core_day regional_renewal;             /* NHI and latter-stage elderly paper cards: the issue day */
    core_day employee_joined_from;         /* employee paper cards: the earliest issue (joining) day */
    int employee_joined_days_before_start; /* ... and the latest, this many days before the start */
    struct mix_months present;
    double rate[MIX_RATE_COUNT];
    struct mix_ages visits;
    double reader[3]; /* enum scenario_reader */
    double fault[MIX_FAULT_COUNT];
    struct mix_lagdist lag[MIX_LAG_COUNT];
    struct mix_published published; /* `published:` (optional): figures to set a population against */
};

/* The value of an age band (the last band beyond its end). */
double mix_age_value(const struct mix_ages *a, int age);
/* The value in force in the month of `day` (the first row's before it). */
double mix_month_value(const struct mix_months *m, core_day day);

#endif
