/*
 * cmd_card.c: `mynasim card ...`, the virtual My Number card from the command line.
 *
 *   cert    print one of the card's certificates as PEM
 *   info    the holder, the dates and the PIN counters
 *   serve   serve the card to pcscd through vpcd (sim/pcsc), until SIGTERM or SIGINT
 *   client  run the JPKI client against a card, in process or through a PC/SC reader, and print every byte it
 *           read (the same output from both is the proof that the wire adds nothing)
 *   bench   APDUs and signatures per second, in process or through a PC/SC reader
 *   control send one line to a serving card's control socket and print the answer
 *
 * Every subcommand takes --help. Bad usage and unreadable files exit 2; a refused check (a wrong PIN in
 * `client`) exits 1.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "card/card.h"
#include "cli/cli.h"
#include "pcsc/pcsc.h"
#include "policy/policy.h"

#define CARD_PATH_MAX 4096

/* ---- options ------------------------------------------------------------------------------------------- */

/* Parses `mynasim card CMD` by its options (cli_parse); none of these subcommands takes an operand. */
static CORE_MUST_USE int card_parse(const char *cmd, const char *usage, int argc, char **argv,
                                    const struct cli_opt *opts, size_t nopts)
{
    const struct cli_spec spec = {
        .cmd = cmd, .usage = usage, .opts = opts, .nopts = nopts, .no_operands = true};
    int nargs;
    return cli_parse(&spec, argc, argv, &nargs);
}

/* ---- making the card ----------------------------------------------------------------------------------- */

static CORE_MUST_USE int default_profile(char *out, size_t cap)
{
    struct core_error err;
    core_error_clear(&err);
    if (policy_find_data("cards/default.yaml", out, cap, &err) != CORE_OK) {
        cli_print_error("card", &err);
        return -1;
    }
    return 0;
}

/* Resolves --profile (or the default) into path. */
static CORE_MUST_USE int profile_path(const char *given, char *path, size_t cap)
{
    if (given != NULL) {
        if (strlen(given) >= cap) {
            fprintf(stderr, "mynasim card: profile path too long\n");
            return -1;
        }
        snprintf(path, cap, "%s", given);
        return 0;
    }
    return default_profile(path, cap);
}

static CORE_MUST_USE int make_card(const char *profile_arg, const char *policy_arg, struct policy **policy,
                                   struct card **card)
{
    char path[CARD_PATH_MAX];
    if (profile_path(profile_arg, path, sizeof path) != 0)
        return -1;
    struct core_error err;
    core_error_clear(&err);
    if (policy_load(policy_arg != NULL ? policy_arg : "national", NULL, policy, &err) != CORE_OK) {
        cli_print_error("policy", &err);
        return -1;
    }
    struct card_profile *profile = malloc(sizeof *profile);
    if (profile == NULL) {
        fprintf(stderr, "mynasim card: out of memory\n");
        policy_free(*policy);
        return -1;
    }
    card_profile_init(profile);
    int rc = card_profile_load(path, profile, &err);
    if (rc == CORE_OK)
        rc = card_new(profile, *policy, card, &err);
    free(profile);
    if (rc != CORE_OK) {
        cli_print_error("card", &err);
        policy_free(*policy);
        *policy = NULL;
        return -1;
    }
    return 0;
}

/* ---- cert ---------------------------------------------------------------------------------------------- */

static const char *const cert_names[CARD_CERT_COUNT] = {
    [CARD_CERT_AUTH] = "auth",
    [CARD_CERT_AUTH_CA] = "auth-ca",
    [CARD_CERT_SIGN] = "sign",
    [CARD_CERT_SIGN_CA] = "sign-ca",
};

static int cert_by_name(const char *name)
{
    for (int i = 0; i < CARD_CERT_COUNT; i++)
        if (name != NULL && strcmp(name, cert_names[i]) == 0)
            return i;
    return -1;
}

static const char cert_usage[] =
    "usage: mynasim card cert [--profile FILE] [--policy NAME] --which auth|auth-ca|sign|sign-ca\n\n"
    "Prints one of the card's certificates as PEM (the card is personalised from FILE, by default the "
    "shipped\n"
    "cards/default.yaml).\n";

static int cmd_cert(int argc, char **argv)
{
    const char *profile = NULL, *policy_arg = NULL, *which = NULL;
    const struct cli_opt opts[] = {{"profile", 0, CLI_OPT_VALUE, &profile},
                                   {"policy", 0, CLI_OPT_VALUE, &policy_arg},
                                   {"which", 0, CLI_OPT_VALUE, &which}};
    int parsed = card_parse("card cert", cert_usage, argc, argv, opts, sizeof opts / sizeof opts[0]);
    if (parsed != CLI_CONTINUE)
        return parsed;
    int w = cert_by_name(which);
    if (w < 0) {
        fprintf(stderr, "mynasim card cert: --which must be auth, auth-ca, sign or sign-ca\n\n%s",
                cert_usage);
        return CLI_EXIT_USAGE;
    }
    struct policy *policy = NULL;
    struct card *card = NULL;
    if (make_card(profile, policy_arg, &policy, &card) != 0)
        return CLI_EXIT_USAGE;
    const uint8_t *der = NULL;
    size_t len = 0;
    int status = CLI_EXIT_OK;
    if (card_cert_der(card, (enum card_cert)w, &der, &len) != CORE_OK || der == NULL || len == 0) {
        fprintf(stderr, "mynasim card cert: this card has no %s certificate\n", cert_names[w]);
        status = CLI_EXIT_FAILED;
    } else {
        const unsigned char *p = der;
        X509 *x = d2i_X509(NULL, &p, (long)len);
        if (x == NULL || PEM_write_X509(stdout, x) != 1) {
            fprintf(stderr, "mynasim card cert: the %s certificate does not encode as PEM\n", cert_names[w]);
            status = CLI_EXIT_FAILED;
        }
        X509_free(x);
    }
    card_free(card);
    policy_free(policy);
    return status;
}

/* ---- info ---------------------------------------------------------------------------------------------- */

static const char info_usage[] = "usage: mynasim card info [--profile FILE] [--policy NAME]\n\n"
                                 "Prints the card's holder, kind, dates and PIN counters.\n";

static void print_day(const char *label, core_day d)
{
    char buf[11];
    if (d == CORE_DAY_NONE) {
        printf("%-16s -\n", label);
        return;
    }
    core_date_format(d, buf);
    printf("%-16s %s\n", label, buf);
}

static int cmd_info(int argc, char **argv)
{
    const char *profile = NULL, *policy_arg = NULL;
    const struct cli_opt opts[] = {{"profile", 0, CLI_OPT_VALUE, &profile},
                                   {"policy", 0, CLI_OPT_VALUE, &policy_arg}};
    int parsed = card_parse("card info", info_usage, argc, argv, opts, sizeof opts / sizeof opts[0]);
    if (parsed != CLI_CONTINUE)
        return parsed;
    struct policy *policy = NULL;
    struct card *card = NULL;
    if (make_card(profile, policy_arg, &policy, &card) != 0)
        return CLI_EXIT_USAGE;
    const struct card_holder *h = card_holder(card);
    const struct card_state *st = card_state(card);
    printf("%-16s %s\n", "holder", h->name);
    printf("%-16s %s\n", "address", h->address);
    print_day("born", h->born);
    printf("%-16s %s\n", "sex", h->sex == CARD_SEX_FEMALE ? "female" : "male");
    printf("%-16s %s\n", "my number", h->my_number);
    printf("%-16s %s\n", "kind", st->kind == CARD_KIND_FACE_ONLY ? "face-only" : "normal");
    print_day("issued", st->issued);
    print_day("expires", st->expires);
    print_day("cert issued", st->cert_issued);
    print_day("cert expires", st->cert_expires);
    for (int i = 0; i < CARD_PIN_COUNT; i++)
        printf("%-16s %u of %u tries left%s\n", card_pin_label((enum card_pin)i), st->tries_left[i],
               st->tries_max[i], st->tries_max[i] > 0 && st->tries_left[i] == 0 ? " (blocked)" : "");
    card_free(card);
    policy_free(policy);
    return CLI_EXIT_OK;
}

/* ---- serve --------------------------------------------------------------------------------------------- */

static const char serve_usage[] =
    "usage: mynasim card serve --vpcd HOST:PORT [--profile FILE] [--state FILE] [--control SOCKET]\n"
    "                          [--policy NAME] [--quiet]\n\n"
    "Serves the card to pcscd through vsmartcard's vpcd reader driver, which listens on HOST:PORT (its\n"
    "CHANNELID). Reconnects whenever pcscd restarts. Ends on SIGTERM or SIGINT.\n\n"
    "  --profile FILE    the card; by default the shipped cards/default.yaml, issued 30 days before the\n"
    "                    process's date (libfaketime's too), so its certificates are valid on that date\n"
    "  --state FILE      keep the PIN counters in FILE, the card's persistent memory: loaded at start,\n"
    "                    written atomically whenever a counter changes; VERIFY counts the try there before\n"
    "                    it compares the PIN. When FILE cannot be written (disk full, read-only) the "
    "command\n"
    "                    answers 6581 (memory failure), changes nothing, and a warning is logged. Temporary\n"
    "                    files of FILE left by a kill are removed at start\n"
    "  --control SOCKET  a unix socket taking one command per line, answering \"OK ...\" or \"ERR ...\":\n"
    "      insert | remove            the card as the reader sees it (pcscd notices within ~0.4 s)\n"
    "      swap PROFILE [STATEFILE]   serve another card (a .yaml profile), reset; STATEFILE becomes "
    "--state\n"
    "      swap STATEFILE             load the current card's state from a file, reset\n"
    "      issue PROFILE SERIAL [STATEFILE]\n"
    "                                 serve a card from PROFILE whose auth certificate carries SERIAL\n"
    "                                 (1..2^63-1), reset; its state from STATEFILE once (not saved there)\n"
    "      save NAME | restore NAME   snapshot the whole card in memory, and put it back exactly\n"
    "      status | state             connection and counters\n"
    "  --quiet           log only warnings\n\n"
    "Exit status: 0 stopped by a signal, every command served; 1 stopped by a signal after the card failed\n"
    "one or more commands (6581: the state could not be saved; each is logged); 2 bad arguments, profile,\n"
    "state file or socket at start.\n";

static void serve_log(void *ctx, enum pcsc_log_level level, const char *message)
{
    bool quiet = *(bool *)ctx;
    if (quiet && level == PCSC_LOG_INFO)
        return;
    fprintf(stderr, "mynasim card serve: %s\n", message);
}

static int cmd_serve(int argc, char **argv)
{
    const char *vpcd = NULL, *profile = NULL, *state = NULL, *control = NULL, *policy_arg = NULL;
    bool quiet = false;
    const struct cli_opt opts[] = {
        {"vpcd", 0, CLI_OPT_VALUE, &vpcd},         {"profile", 0, CLI_OPT_VALUE, &profile},
        {"state", 0, CLI_OPT_VALUE, &state},       {"control", 0, CLI_OPT_VALUE, &control},
        {"policy", 0, CLI_OPT_VALUE, &policy_arg}, {"quiet", 0, CLI_OPT_FLAG, &quiet},
    };
    int parsed = card_parse("card serve", serve_usage, argc, argv, opts, sizeof opts / sizeof opts[0]);
    if (parsed != CLI_CONTINUE)
        return parsed;
    if (vpcd == NULL) {
        fprintf(stderr, "mynasim card serve: --vpcd HOST:PORT is required\n\n%s", serve_usage);
        return CLI_EXIT_USAGE;
    }
    struct core_error err;
    core_error_clear(&err);
    char host[256];
    unsigned port = 0;
    if (pcsc_parse_host_port(vpcd, host, sizeof host, &port, &err) != CORE_OK) {
        cli_print_error("card serve: --vpcd", &err);
        return CLI_EXIT_USAGE;
    }
    char path[CARD_PATH_MAX];
    if (profile_path(profile, path, sizeof path) != 0)
        return CLI_EXIT_USAGE;
    struct pcsc_slot_config scfg = {.profile_path = path, .state_path = state, .policy = policy_arg};
    struct pcsc_slot *slot = NULL;
    if (pcsc_slot_open(&scfg, &slot, &err) != CORE_OK) {
        cli_print_error("card serve", &err);
        return CLI_EXIT_USAGE;
    }
    /* Signals become a readable descriptor the server polls: no handler runs inside the library. */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0) {
        fprintf(stderr, "mynasim card serve: sigprocmask: %s\n", strerror(errno));
        pcsc_slot_free(slot);
        return CLI_EXIT_FAILED;
    }
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    if (sfd < 0) {
        fprintf(stderr, "mynasim card serve: signalfd: %s\n", strerror(errno));
        pcsc_slot_free(slot);
        return CLI_EXIT_FAILED;
    }
    struct pcsc_serve_config cfg = {.host = host,
                                    .port = port,
                                    .control_path = control,
                                    .stop_fd = sfd,
                                    .log = serve_log,
                                    .log_ctx = &quiet};
    if (!quiet)
        fprintf(stderr, "mynasim card serve: serving %s to vpcd at %s:%u\n", path, host, port);
    unsigned removed = pcsc_slot_temporaries_removed(slot);
    if (removed > 0)
        fprintf(stderr,
                "mynasim card serve: removed %u temporary state file%s left by an interrupted write\n",
                removed, removed == 1 ? "" : "s");
    int rc = pcsc_serve_run(&cfg, &pcsc_slot_ops, slot, &err);
    close(sfd);
    pcsc_slot_free(slot);
    if (rc != CORE_OK) {
        cli_print_error("card serve", &err);
        return rc == CORE_ESTATE ? CLI_EXIT_FAILED : CLI_EXIT_USAGE;
    }
    return CLI_EXIT_OK;
}

/* ---- readers for client and bench ---------------------------------------------------------------------- */

struct card_reader_ctx {
    struct policy *policy;
    struct card *card;
    struct pcsc_reader *reader;
};

static CORE_MUST_USE int open_reader(const char *cmd, const char *reader_name, const char *profile,
                                     const char *policy_arg, struct card_reader_ctx *rc)
{
    memset(rc, 0, sizeof *rc);
    struct core_error err;
    core_error_clear(&err);
    if (reader_name != NULL) {
        if (profile != NULL) {
            fprintf(stderr, "mynasim card %s: --reader and --profile exclude each other\n", cmd);
            return -1;
        }
        if (pcsc_reader_open_pcsc(reader_name, &rc->reader, &err) != CORE_OK) {
            cli_print_error(cmd, &err);
            return -1;
        }
        return 0;
    }
    if (make_card(profile, policy_arg, &rc->policy, &rc->card) != 0)
        return -1;
    if (pcsc_reader_open_card(rc->card, &rc->reader, &err) != CORE_OK) {
        cli_print_error(cmd, &err);
        card_free(rc->card);
        policy_free(rc->policy);
        return -1;
    }
    return 0;
}

static void close_reader(struct card_reader_ctx *rc)
{
    pcsc_reader_close(rc->reader);
    card_free(rc->card);
    policy_free(rc->policy);
}

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
    printf("%s: ", label);
    for (size_t i = 0; i < n; i++)
        printf("%02X", b[i]);
    printf("\n");
}

/* ---- client -------------------------------------------------------------------------------------------- */

static const char client_usage[] =
    "usage: mynasim card client [--reader NAME | --profile FILE] [--pin PIN] [--sign-password PASS]\n"
    "                           [--message TEXT] [--policy NAME]\n\n"
    "Runs the JPKI client against a card and prints what it read, in hex: the certificates, the PIN "
    "counters,\n"
    "and a signature over SHA-256(TEXT) with the authentication key (and with the signature key when\n"
    "--sign-password is given). With --reader the card is reached through PC/SC (the first reader whose "
    "name\n"
    "contains NAME; \"\" for any), else in process. Exits 1 when the card refuses the PIN.\n";

static int cmd_client(int argc, char **argv)
{
    const char *reader_name = NULL, *profile = NULL, *policy_arg = NULL, *pin = "1234", *sign_pass = NULL;
    const char *message = "mynasim";
    const struct cli_opt opts[] = {
        {"reader", 0, CLI_OPT_VALUE, &reader_name},      {"profile", 0, CLI_OPT_VALUE, &profile},
        {"policy", 0, CLI_OPT_VALUE, &policy_arg},       {"pin", 0, CLI_OPT_VALUE, &pin},
        {"sign-password", 0, CLI_OPT_VALUE, &sign_pass}, {"message", 0, CLI_OPT_VALUE, &message},
    };
    int parsed = card_parse("card client", client_usage, argc, argv, opts, sizeof opts / sizeof opts[0]);
    if (parsed != CLI_CONTINUE)
        return parsed;
    struct card_reader_ctx rc;
    if (open_reader("card client", reader_name, profile, policy_arg, &rc) != 0)
        return CLI_EXIT_USAGE;
    struct core_error err;
    core_error_clear(&err);
    int status = CLI_EXIT_OK;
    uint8_t *buf = malloc(65536);
    uint8_t di[PCSC_JPKI_DIGEST_INFO_LEN];
    size_t len = 0;
    int tries = -1;
    if (buf == NULL) {
        fprintf(stderr, "mynasim card client: out of memory\n");
        close_reader(&rc);
        return CLI_EXIT_FAILED;
    }
    printf("reader: %s\n", pcsc_reader_name(rc.reader));
    if (pcsc_reader_atr(rc.reader, buf, 64, &len, &err) != CORE_OK)
        goto fail;
    print_hex("atr", buf, len);
    if (pcsc_jpki_select(rc.reader, NULL, &err) != CORE_OK)
        goto fail;
    static const enum card_cert public_certs[] = {CARD_CERT_AUTH, CARD_CERT_AUTH_CA, CARD_CERT_SIGN_CA};
    for (size_t i = 0; i < sizeof public_certs / sizeof public_certs[0]; i++) {
        char label[32];
        snprintf(label, sizeof label, "%s-cert", cert_names[public_certs[i]]);
        if (pcsc_jpki_read_cert(rc.reader, public_certs[i], buf, 65536, &len, NULL, &err) != CORE_OK)
            goto fail;
        print_hex(label, buf, len);
    }
    if (pcsc_jpki_pin_status(rc.reader, PCSC_JPKI_AUTH, &tries, NULL, &err) != CORE_OK)
        goto fail;
    printf("auth-pin-tries: %d\n", tries);
    if (pcsc_jpki_pin_status(rc.reader, PCSC_JPKI_SIGN, &tries, NULL, &err) != CORE_OK)
        goto fail;
    printf("sign-password-tries: %d\n", tries);
    if (pcsc_jpki_digest_info_sha256((const uint8_t *)message, strlen(message), di, &err) != CORE_OK)
        goto fail;
    if (pcsc_jpki_verify(rc.reader, PCSC_JPKI_AUTH, pin, &tries, NULL, &err) != CORE_OK) {
        printf("auth-verify: refused (%d tries left)\n", tries);
        goto refused;
    }
    printf("auth-verify: ok\n");
    if (pcsc_jpki_sign(rc.reader, PCSC_JPKI_AUTH, di, sizeof di, buf, 65536, &len, NULL, &err) != CORE_OK)
        goto fail;
    print_hex("auth-signature", buf, len);
    if (sign_pass != NULL) {
        if (pcsc_jpki_verify(rc.reader, PCSC_JPKI_SIGN, sign_pass, &tries, NULL, &err) != CORE_OK) {
            printf("sign-verify: refused (%d tries left)\n", tries);
            goto refused;
        }
        printf("sign-verify: ok\n");
        if (pcsc_jpki_read_cert(rc.reader, CARD_CERT_SIGN, buf, 65536, &len, NULL, &err) != CORE_OK)
            goto fail;
        print_hex("sign-cert", buf, len);
        if (pcsc_jpki_sign(rc.reader, PCSC_JPKI_SIGN, di, sizeof di, buf, 65536, &len, NULL, &err) != CORE_OK)
            goto fail;
        print_hex("sign-signature", buf, len);
    }
    goto done;
refused:
    cli_print_error("card client", &err);
    status = CLI_EXIT_FAILED;
    goto done;
fail:
    cli_print_error("card client", &err);
    status = CLI_EXIT_FAILED;
done:
    free(buf);
    close_reader(&rc);
    return status;
}

/* ---- bench --------------------------------------------------------------------------------------------- */

static const char bench_usage[] =
    "usage: mynasim card bench [--reader NAME | --profile FILE] [--policy NAME] [--seconds S] [--sign]\n"
    "                          [--pin PIN]\n\n"
    "Sends SELECT AP, SELECT EF 000A, READ BINARY 256 in a loop for S seconds (default 2) and prints\n"
    "\"apdus_per_second N\". With --sign it instead verifies the PIN once and signs in a loop, printing\n"
    "\"signatures_per_second N\". The loop ignores status words, so any card can be measured on the same\n"
    "script (vsmartcard's vicc answers the JPKI SELECT with an error).\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmd_bench(int argc, char **argv)
{
    const char *reader_name = NULL, *profile = NULL, *policy_arg = NULL, *seconds_arg = "2", *pin = "1234";
    bool sign = false;
    const struct cli_opt opts[] = {
        {"reader", 0, CLI_OPT_VALUE, &reader_name},
        {"profile", 0, CLI_OPT_VALUE, &profile},
        {"policy", 0, CLI_OPT_VALUE, &policy_arg},
        {"seconds", 0, CLI_OPT_VALUE, &seconds_arg},
        {"pin", 0, CLI_OPT_VALUE, &pin},
        {"sign", 0, CLI_OPT_FLAG, &sign},
    };
    int parsed = card_parse("card bench", bench_usage, argc, argv, opts, sizeof opts / sizeof opts[0]);
    if (parsed != CLI_CONTINUE)
        return parsed;
    char *end = NULL;
    double seconds = strtod(seconds_arg, &end);
    if (end == NULL || *end != '\0' || !(seconds > 0.0 && seconds <= 3600.0)) {
        fprintf(stderr, "mynasim card bench: --seconds must be a number in (0, 3600]\n");
        return CLI_EXIT_USAGE;
    }
    struct card_reader_ctx rc;
    if (open_reader("card bench", reader_name, profile, policy_arg, &rc) != 0)
        return CLI_EXIT_USAGE;
    struct core_error err;
    core_error_clear(&err);
    uint8_t *r = malloc(CARD_RAPDU_MAX);
    int status = CLI_EXIT_OK;
    if (r == NULL) {
        close_reader(&rc);
        return CLI_EXIT_FAILED;
    }
    unsigned long long count = 0;
    double start = now_s(), elapsed = 0.0;
    if (!sign) {
        static const uint8_t script[3][16] = {
            {0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01},
            {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A},
            {0x00, 0xB0, 0x00, 0x00, 0x00},
        };
        static const size_t script_len[3] = {15, 7, 5};
        unsigned long long ok = 0;
        while (status == CLI_EXIT_OK) {
            for (int k = 0; k < 3; k++) {
                size_t rlen = 0;
                if (pcsc_reader_transmit(rc.reader, script[k], script_len[k], r, CARD_RAPDU_MAX, &rlen,
                                         &err) != CORE_OK) {
                    status = CLI_EXIT_FAILED;
                    break;
                }
                count++;
                ok += rlen >= 2 && r[rlen - 2] == 0x90 && r[rlen - 1] == 0x00;
            }
            if ((count % 3072) == 0 || rc.card == NULL) {
                elapsed = now_s() - start;
                if (elapsed >= seconds)
                    break;
            }
        }
        elapsed = now_s() - start;
        if (status == CLI_EXIT_OK)
            printf("apdus_per_second %.0f\napdus %llu\nanswered_9000 %llu\nseconds %.3f\n",
                   (double)count / elapsed, count, ok, elapsed);
    } else {
        uint8_t di[PCSC_JPKI_DIGEST_INFO_LEN];
        int tries = -1;
        size_t len = 0;
        if (pcsc_jpki_digest_info_sha256((const uint8_t *)"bench", 5, di, &err) != CORE_OK ||
            pcsc_jpki_select(rc.reader, NULL, &err) != CORE_OK ||
            pcsc_jpki_verify(rc.reader, PCSC_JPKI_AUTH, pin, &tries, NULL, &err) != CORE_OK)
            status = CLI_EXIT_FAILED;
        start = now_s();
        while (status == CLI_EXIT_OK) {
            if (pcsc_jpki_sign(rc.reader, PCSC_JPKI_AUTH, di, sizeof di, r, CARD_RAPDU_MAX, &len, NULL,
                               &err) != CORE_OK) {
                status = CLI_EXIT_FAILED;
                break;
            }
            count++;
            elapsed = now_s() - start;
            if (elapsed >= seconds)
                break;
        }
        if (status == CLI_EXIT_OK)
            printf("signatures_per_second %.1f\nsignatures %llu\nseconds %.3f\n", (double)count / elapsed,
                   count, elapsed);
    }
    if (status != CLI_EXIT_OK)
        cli_print_error("card bench", &err);
    free(r);
    close_reader(&rc);
    return status;
}

/* ---- control ------------------------------------------------------------------------------------------ */

static const char control_usage[] =
    "usage: mynasim card control --socket PATH COMMAND [ARGS...]\n\n"
    "Sends one command line to the control socket of `mynasim card serve --control PATH` and prints the\n"
    "answer. Exits 0 on \"OK ...\", 1 on \"ERR ...\". Commands: insert, remove, status, state,\n"
    "swap PROFILE [STATEFILE], swap STATEFILE, issue PROFILE SERIAL [STATEFILE], save NAME, restore NAME\n"
    "(see `mynasim card serve --help`).\n";

static int cmd_control(int argc, char **argv)
{
    const char *path = NULL;
    const struct cli_opt opts[] = {{"socket", 0, CLI_OPT_VALUE, &path}};
    /* COMMAND [ARGS...] is sent as it is: the first operand ends the options */
    const struct cli_spec spec = {.cmd = "card control",
                                  .usage = control_usage,
                                  .opts = opts,
                                  .nopts = sizeof opts / sizeof opts[0],
                                  .operands_end_options = true};
    int nargs;
    int parsed = cli_parse(&spec, argc, argv, &nargs);
    if (parsed != CLI_CONTINUE)
        return parsed;
    if (path == NULL || nargs == 0) {
        fprintf(stderr, "mynasim card control: --socket PATH and a command are required\n\n%s",
                control_usage);
        return CLI_EXIT_USAGE;
    }
    char line[8192];
    size_t off = 0;
    for (int i = 1; i <= nargs; i++) {
        size_t n = strlen(argv[i]);
        if (strchr(argv[i], '\n') != NULL || off + n + 2 > sizeof line) {
            fprintf(stderr, "mynasim card control: command too long or contains a newline\n");
            return CLI_EXIT_USAGE;
        }
        if (off > 0)
            line[off++] = ' ';
        memcpy(line + off, argv[i], n);
        off += n;
    }
    line[off++] = '\n';
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "mynasim card control: socket path too long\n");
        return CLI_EXIT_USAGE;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        fprintf(stderr, "mynasim card control: %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return CLI_EXIT_USAGE;
    }
    struct timeval tv = {.tv_sec = 60, .tv_usec = 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int status = CLI_EXIT_OK;
    if (send(fd, line, off, MSG_NOSIGNAL) != (ssize_t)off) {
        fprintf(stderr, "mynasim card control: %s: %s\n", path, strerror(errno));
        status = CLI_EXIT_FAILED;
    }
    char reply[4096];
    size_t got = 0;
    while (status == CLI_EXIT_OK && got + 1 < sizeof reply) {
        ssize_t n = recv(fd, reply + got, sizeof reply - 1 - got, 0);
        if (n <= 0) {
            fprintf(stderr, "mynasim card control: %s: no answer\n", path);
            status = CLI_EXIT_FAILED;
            break;
        }
        got += (size_t)n;
        if (memchr(reply, '\n', got) != NULL)
            break;
    }
    close(fd);
    if (status != CLI_EXIT_OK)
        return status;
    reply[got] = '\0';
    char *nl = strchr(reply, '\n');
    if (nl != NULL)
        *nl = '\0';
    printf("%s\n", reply);
    return strncmp(reply, "OK", 2) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

/* ---- dispatch ------------------------------------------------------------------------------------------ */

struct card_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct card_command card_commands[] = {
    {"cert", cmd_cert, "print a certificate of the card as PEM"},
    {"info", cmd_info, "the holder, dates and PIN counters"},
    {"serve", cmd_serve, "serve the card to pcscd through vpcd"},
    {"client", cmd_client, "run the JPKI client against a card (in process or PC/SC)"},
    {"bench", cmd_bench, "APDUs and signatures per second"},
    {"control", cmd_control, "send a command to a serving card's control socket"},
};

static void card_usage(FILE *out)
{
    fprintf(out,
            "usage: mynasim card <subcommand> [<args>]\n\nThe virtual My Number card.\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof card_commands / sizeof card_commands[0]; i++)
        fprintf(out, "  %-8s %s\n", card_commands[i].name, card_commands[i].summary);
    fprintf(out, "\n'mynasim card <subcommand> --help' describes one.\n");
}

int cli_card_main(int argc, char **argv)
{
    if (argc < 2) {
        card_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        card_usage(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof card_commands / sizeof card_commands[0]; i++)
        if (strcmp(argv[1], card_commands[i].name) == 0)
            return card_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "mynasim card: unknown subcommand '%s'\n\n", argv[1]);
    card_usage(stderr);
    return CLI_EXIT_USAGE;
}
