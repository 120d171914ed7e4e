/*
 * slot.c: the card being served, with what lives around it: the profile it was made from, the --state file
 * that keeps its PIN counters across restarts, and the named snapshots the control channel takes and puts
 * back.
 *
 * The state file is the card's persistent memory: the card writes it through its persist hook
 * (card_set_persist; core_file_write_atomic: temporary file, fsync, rename) whenever a PIN counter must become
 * durable, which for VERIFY is before the PIN is compared (docs/CARD.md). A SELECT or a READ BINARY changes
 * only the selection, which a restart clears anyway, and writing a file per APDU would cap pcscd throughput
 * at the disk's fsync rate. When a write fails the card answers 6581 and changes nothing; slot_transmit then
 * reports the failure to the server, which logs it and ends with a failing status.
 *
 * Temporary files that a kill left beside the state file (core_file_write_atomic's names) are removed when
 * the slot opens: see clean_temporaries.
 *
 * Snapshots keep the profile path (and the certificate serial an `issue` gave) as well as the state bytes, so
 * a probe may swap cards in between and still come back to exactly the card it started from.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcsc/pcsc.h"

#define SLOT_PATH_MAX 4096
#define SLOT_SNAPSHOTS 64
#define SLOT_NAME_MAX 64
#define SLOT_STATE_FILE_MAX (16u * CARD_STATE_MAX)

struct slot_snapshot {
    char name[SLOT_NAME_MAX];
    char profile[SLOT_PATH_MAX];
    char state_path[SLOT_PATH_MAX];
    uint64_t serial;
    uint8_t state[CARD_STATE_MAX];
    size_t len;
};

struct pcsc_slot {
    struct policy *policy;
    struct card *card;
    char profile[SLOT_PATH_MAX];
    char state_path[SLOT_PATH_MAX]; /* empty: no persistence */
    uint64_t serial;                /* the auth certificate's serial `issue` gave; 0: derived */
    unsigned temporaries_removed;   /* left by a kill, removed at open */
    bool persist_failed;            /* a write of the card's persist hook failed during this APDU */
    struct core_error persist_err;
    struct slot_snapshot *snaps;
    size_t nsnaps;
};

static CORE_MUST_USE int copy_path(char *dst, const char *src, struct core_error *err)
{
    size_t n = strlen(src);
    if (n >= SLOT_PATH_MAX)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "path too long");
    memcpy(dst, src, n + 1);
    return CORE_OK;
}

/* The card's persist hook: the state file, when there is one. */
static CORE_MUST_USE int slot_persist(void *ctx, const uint8_t *state, size_t len)
{
    struct pcsc_slot *slot = ctx;
    if (slot->state_path[0] == '\0')
        return 0;
    core_error_clear(&slot->persist_err);
    int rc = core_file_write_atomic(slot->state_path, state, len, &slot->persist_err);
    if (rc != CORE_OK)
        slot->persist_failed = true;
    return rc;
}

static CORE_MUST_USE int make_card(struct pcsc_slot *slot, const char *profile_path, uint64_t serial,
                                   struct card **out, struct core_error *err)
{
    struct card_profile *profile = malloc(sizeof *profile);
    if (profile == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    card_profile_init(profile);
    int rc = card_profile_load(profile_path, profile, err);
    profile->auth_cert_serial = serial;
    if (rc == CORE_OK)
        rc = card_new(profile, slot->policy, out, err);
    if (rc == CORE_OK)
        card_set_persist(*out, slot_persist, slot);
    free(profile);
    return rc;
}

static CORE_MUST_USE int restore_file(struct card *card, const char *path, struct core_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = core_file_read(path, SLOT_STATE_FILE_MAX, &buf, &len, err);
    if (rc != CORE_OK)
        return rc;
    rc = card_state_restore(card, (const uint8_t *)buf, len, err);
    if (rc != CORE_OK && err != NULL && err->file[0] == '\0')
        snprintf(err->file, sizeof err->file, "%s", path);
    free(buf);
    return rc;
}

static CORE_MUST_USE int save_file(struct pcsc_slot *slot, struct core_error *err)
{
    if (slot->state_path[0] == '\0')
        return CORE_OK;
    uint8_t buf[CARD_STATE_MAX];
    size_t len = 0;
    int rc = card_state_save(slot->card, buf, sizeof buf, &len);
    if (rc != CORE_OK)
        return core_error_set(err, rc, slot->state_path, 0, 0, "cannot serialise the card state");
    return core_file_write_atomic(slot->state_path, buf, len, err);
}

/* Removes the temporaries a kill left beside the state file: only regular files named as core's writer names
 * them for this file, no larger than a state file and holding (the start of) a card state, so nothing else
 * that happens to look alike is lost. Returns how many were removed. */
static unsigned clean_temporaries(const char *state_path)
{
    char dir[SLOT_PATH_MAX];
    const char *slash = strrchr(state_path, '/');
    const char *base = slash ? slash + 1 : state_path;
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == state_path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - state_path), state_path);
    if (base[0] == '\0')
        return 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    unsigned removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!core_file_is_temporary_of(e->d_name, base))
            continue;
        int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct stat st;
        uint8_t head[4];
        ssize_t n = 0;
        bool ours = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= (off_t)CARD_STATE_MAX &&
                    (n = read(fd, head, sizeof head)) >= 0 && memcmp(head, "MYNC", (size_t)n) == 0;
        close(fd);
        if (ours && unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

int pcsc_slot_open(const struct pcsc_slot_config *cfg, struct pcsc_slot **out, struct core_error *err)
{
    *out = NULL;
    if (cfg->profile_path == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "no card profile");
    struct pcsc_slot *slot = calloc(1, sizeof *slot);
    if (slot == NULL)
        return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = copy_path(slot->profile, cfg->profile_path, err);
    if (rc == CORE_OK && cfg->state_path != NULL)
        rc = copy_path(slot->state_path, cfg->state_path, err);
    if (rc == CORE_OK)
        rc = policy_load(cfg->policy != NULL ? cfg->policy : "national", NULL, &slot->policy, err);
    if (rc == CORE_OK)
        rc = make_card(slot, slot->profile, 0, &slot->card, err);
    if (rc == CORE_OK && slot->state_path[0] != '\0') {
        slot->temporaries_removed = clean_temporaries(slot->state_path);
        if (access(slot->state_path, F_OK) == 0)
            rc = restore_file(slot->card, slot->state_path, err);
        if (rc == CORE_OK)
            rc = save_file(slot,
                           err); /* fails now, not at the first wrong PIN, when the place is unwritable */
    }
    if (rc != CORE_OK) {
        pcsc_slot_free(slot);
        return rc;
    }
    *out = slot;
    return CORE_OK;
}

void pcsc_slot_free(struct pcsc_slot *slot)
{
    if (slot == NULL)
        return;
    card_free(slot->card);
    policy_free(slot->policy);
    free(slot->snaps);
    free(slot);
}

struct card *pcsc_slot_card(struct pcsc_slot *slot)
{
    return slot->card;
}

unsigned pcsc_slot_temporaries_removed(const struct pcsc_slot *slot)
{
    return slot->temporaries_removed;
}

/* ---- the ops vpcd drives ------------------------------------------------------------------------------- */

static size_t slot_atr(void *ctx, uint8_t *out, size_t cap)
{
    return card_atr(((struct pcsc_slot *)ctx)->card, out, cap);
}

static void slot_power_on(void *ctx)
{
    card_power_on(((struct pcsc_slot *)ctx)->card);
}

static void slot_power_off(void *ctx)
{
    card_power_off(((struct pcsc_slot *)ctx)->card);
}

static void slot_reset(void *ctx)
{
    card_reset(((struct pcsc_slot *)ctx)->card);
}

static CORE_MUST_USE int slot_transmit(void *ctx, const uint8_t *capdu, size_t len, uint8_t *rapdu,
                                       size_t cap, size_t *rlen, struct core_error *err)
{
    struct pcsc_slot *slot = ctx;
    slot->persist_failed = false;
    int rc = card_transmit(slot->card, capdu, len, rapdu, cap, rlen);
    if (rc != CORE_OK)
        return core_error_set(err, rc, NULL, 0, 0, "card_transmit failed");
    if (slot->persist_failed) {
        char why[1200];
        core_error_format(&slot->persist_err, why, sizeof why);
        uint16_t sw = *rlen >= 2 ? (uint16_t)(rapdu[*rlen - 2] << 8 | rapdu[*rlen - 1]) : 0;
        return core_error_set(err, CORE_EIO, NULL, 0, 0,
                              "state not saved, command %02X %02X answered %04X: %s", len > 0 ? capdu[0] : 0,
                              len > 1 ? capdu[1] : 0, sw, why);
    }
    return CORE_OK;
}

static CORE_MUST_USE int slot_control(void *ctx, const char *line, char *reply, size_t cap,
                                      struct core_error *err)
{
    return pcsc_slot_control(ctx, line, reply, cap, err);
}

const struct pcsc_card_ops pcsc_slot_ops = {
    .atr = slot_atr,
    .power_on = slot_power_on,
    .power_off = slot_power_off,
    .reset = slot_reset,
    .transmit = slot_transmit,
    .control = slot_control,
};

/* ---- control commands ---------------------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= SLOT_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* After a swap the reader still believes the same card is in: a reset puts the new one in its power-up
 * state, as pulling one card and pushing another would, minus pcscd's presence poll. */
static void replace_card(struct pcsc_slot *slot, struct card *card)
{
    bool powered = card_powered(slot->card);
    if (card != slot->card) {
        card_free(slot->card);
        slot->card = card;
    }
    if (powered) {
        card_power_on(slot->card);
        card_reset(slot->card);
    } else {
        card_power_off(slot->card);
    }
}

static CORE_MUST_USE int cmd_swap(struct pcsc_slot *slot, const char *arg1, const char *arg2, char *reply,
                                  size_t cap, struct core_error *err)
{
    if (arg1 == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                              "usage: swap PROFILE [STATEFILE] | swap STATEFILE");
    if (!ends_with(arg1, ".yaml") && !ends_with(arg1, ".yml")) {
        if (arg2 != NULL)
            return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "swap STATEFILE takes no second argument");
        int rc = restore_file(slot->card, arg1, err);
        if (rc != CORE_OK)
            return rc;
        replace_card(slot, slot->card);
        snprintf(reply, cap, "state %s", arg1);
        return save_file(slot, err);
    }
    if (strlen(arg1) >= SLOT_PATH_MAX || (arg2 != NULL && strlen(arg2) >= SLOT_PATH_MAX))
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "path too long");
    struct card *card = NULL;
    int rc = make_card(slot, arg1, 0, &card, err);
    if (rc == CORE_OK && arg2 != NULL && access(arg2, F_OK) == 0)
        rc = restore_file(card, arg2, err);
    if (rc != CORE_OK) {
        card_free(card);
        return rc;
    }
    replace_card(slot, card);
    CORE_DROP(copy_path(slot->profile, arg1, NULL)); /* cannot fail: the lengths were checked above */
    slot->serial = 0;
    slot->state_path[0] = '\0';
    if (arg2 != NULL)
        CORE_DROP(copy_path(slot->state_path, arg2, NULL));
    snprintf(reply, cap, "profile %s", arg1);
    return save_file(slot, err);
}

/* issue PROFILE SERIAL [STATEFILE]: a card personalised from PROFILE whose auth certificate carries SERIAL (the
 * serial J-LIS recorded when it issued the card; decimal, 1..2^63-1), then reset; with STATEFILE, the card's
 * state is taken from that file once (it is not saved there). The slot's state file, if any, is dropped. */
static CORE_MUST_USE int cmd_issue(struct pcsc_slot *slot, const char *profile, const char *serial_s,
                                   const char *state, char *reply, size_t cap, struct core_error *err)
{
    if (profile == NULL || serial_s == NULL || (!ends_with(profile, ".yaml") && !ends_with(profile, ".yml")))
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "usage: issue PROFILE.yaml SERIAL [STATEFILE]");
    char *end = NULL;
    errno = 0;
    unsigned long long serial = strtoull(serial_s, &end, 10);
    if (errno != 0 || end == serial_s || *end != '\0' || serial_s[0] == '-' || serial == 0 ||
        serial > 0x7FFFFFFFFFFFFFFFull)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "issue: SERIAL must be a number 1..2^63-1: %s",
                              serial_s);
    if (strlen(profile) >= SLOT_PATH_MAX)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "path too long");
    struct card *card = NULL;
    int rc = make_card(slot, profile, (uint64_t)serial, &card, err);
    if (rc == CORE_OK && state != NULL)
        rc = restore_file(card, state, err);
    if (rc != CORE_OK) {
        card_free(card);
        return rc;
    }
    replace_card(slot, card);
    CORE_DROP(copy_path(slot->profile, profile, NULL)); /* cannot fail: the length was checked above */
    slot->serial = (uint64_t)serial;
    slot->state_path[0] = '\0';
    snprintf(reply, cap, "profile %s serial %llu", profile, serial);
    return CORE_OK;
}

static struct slot_snapshot *find_snapshot(struct pcsc_slot *slot, const char *name)
{
    for (size_t i = 0; i < slot->nsnaps; i++)
        if (strcmp(slot->snaps[i].name, name) == 0)
            return &slot->snaps[i];
    return NULL;
}

static CORE_MUST_USE int cmd_save(struct pcsc_slot *slot, const char *name, struct core_error *err)
{
    if (name == NULL || !valid_name(name))
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "usage: save NAME (letters, digits, . _ -)");
    if (slot->snaps == NULL) {
        slot->snaps = calloc(SLOT_SNAPSHOTS, sizeof *slot->snaps);
        if (slot->snaps == NULL)
            return core_error_set(err, CORE_ENOMEM, NULL, 0, 0, "out of memory");
    }
    uint8_t state[CARD_STATE_MAX];
    size_t len = 0;
    int rc = card_state_save(slot->card, state, sizeof state, &len);
    if (rc != CORE_OK)
        return core_error_set(err, rc, NULL, 0, 0, "cannot serialise the card state");
    struct slot_snapshot *snap = find_snapshot(slot, name);
    if (snap == NULL) {
        if (slot->nsnaps == SLOT_SNAPSHOTS)
            return core_error_set(err, CORE_ESTATE, NULL, 0, 0, "too many snapshots (%d)", SLOT_SNAPSHOTS);
        snap = &slot->snaps[slot->nsnaps++];
    }
    memcpy(snap->state, state, len);
    snap->len = len;
    snprintf(snap->name, sizeof snap->name, "%s", name);
    memcpy(snap->profile, slot->profile, sizeof snap->profile);
    memcpy(snap->state_path, slot->state_path, sizeof snap->state_path);
    snap->serial = slot->serial;
    return CORE_OK;
}

static CORE_MUST_USE int cmd_restore(struct pcsc_slot *slot, const char *name, struct core_error *err)
{
    if (name == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "usage: restore NAME");
    const struct slot_snapshot *snap = find_snapshot(slot, name);
    if (snap == NULL)
        return core_error_set(err, CORE_ENOTFOUND, NULL, 0, 0, "no snapshot named '%s'", name);
    struct card *card = slot->card;
    if (strcmp(snap->profile, slot->profile) != 0 || snap->serial != slot->serial) {
        int rc = make_card(slot, snap->profile, snap->serial, &card, err);
        if (rc != CORE_OK)
            return rc;
    }
    int rc = card_state_restore(card, snap->state, snap->len, err);
    if (rc != CORE_OK) {
        if (card != slot->card)
            card_free(card);
        return rc;
    }
    if (card != slot->card) {
        card_free(slot->card);
        slot->card = card;
    }
    memcpy(slot->profile, snap->profile, sizeof slot->profile);
    memcpy(slot->state_path, snap->state_path, sizeof slot->state_path);
    slot->serial = snap->serial;
    return save_file(slot, err);
}

static void format_state(const struct pcsc_slot *slot, char *reply, size_t cap)
{
    const struct card_state *st = card_state(slot->card);
    size_t off = 0;
    for (int i = 0; i < CARD_PIN_COUNT && off < cap; i++) {
        int n = snprintf(reply + off, cap - off, "%s%s=%u/%u", i ? " " : "", card_pin_name((enum card_pin)i),
                         st->tries_left[i], st->tries_max[i]);
        if (n < 0)
            return;
        off += (size_t)n;
    }
    if (off < cap)
        snprintf(reply + off, cap - off, " powered=%s profile=%s", card_powered(slot->card) ? "yes" : "no",
                 slot->profile);
}

int pcsc_slot_control(struct pcsc_slot *slot, const char *line, char *reply, size_t cap,
                      struct core_error *err)
{
    char buf[3 * SLOT_PATH_MAX];
    if (strlen(line) >= sizeof buf)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "command too long");
    snprintf(buf, sizeof buf, "%s", line);
    char *save = NULL;
    char *word = strtok_r(buf, " \t", &save);
    char *arg1 = strtok_r(NULL, " \t", &save);
    char *arg2 = strtok_r(NULL, " \t", &save);
    char *arg3 = strtok_r(NULL, " \t", &save);
    char *extra = strtok_r(NULL, " \t", &save);
    if (cap > 0)
        reply[0] = '\0';
    if (word == NULL)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "empty command");
    if (extra != NULL || (arg3 != NULL && strcmp(word, "issue") != 0))
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "%s: too many arguments", word);
    if (strcmp(word, "state") == 0 && arg1 == NULL) {
        format_state(slot, reply, cap);
        return CORE_OK;
    }
    if (strcmp(word, "swap") == 0)
        return cmd_swap(slot, arg1, arg2, reply, cap, err);
    if (strcmp(word, "issue") == 0)
        return cmd_issue(slot, arg1, arg2, arg3, reply, cap, err);
    if (strcmp(word, "save") == 0 && arg2 == NULL)
        return cmd_save(slot, arg1, err);
    if (strcmp(word, "restore") == 0 && arg2 == NULL)
        return cmd_restore(slot, arg1, err);
    return core_error_set(err, CORE_EINVAL, NULL, 0, 0,
                          "unknown command '%s' (insert, remove, status, swap, issue, save, restore, state)",
                          word);
}
