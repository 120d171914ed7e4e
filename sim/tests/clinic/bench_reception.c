/*
 * bench_reception: full-fidelity PIN-route visits per second in process on one thread (ci/bench-wire).
 *
 *   bench_reception [--seconds S]
 *
 * One resident (fixtures/cards/issued_2021.yaml) filed with the registry, her card in the in-process reader, the
 * eligibility service and the clinic's registered reader device, as sim/tests/clinic/test_reception.c sets a
 * visit up. Each visit is clinic_reception_run on a PIN reader: APDUs to the card (read the certificate,
 * verify the PIN, the card's RSA-2048 signature over the nonce's DigestInfo), the request message written,
 * parsed and checked by the service (nonce, certificate chain (cached), signature), the response written and
 * parsed back, then clinic_decide. Prints `visits`, `seconds` and `visits_per_second`; exits non-zero when a
 * visit is not accepted on the card route (the figure would then measure refusals). Never judges the time.
 */
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "card/card.h"
#include "clinic/clinic.h"
#include "pcsc/pcsc.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, const struct core_error *err)
{
    fprintf(stderr, "bench_reception: %s%s%s\n", what, err != NULL ? ": " : "",
            err != NULL ? err->message : "");
    return 1;
}

static CORE_MUST_USE int serial_of(struct card *c, uint64_t *serial)
{
    const uint8_t *der = NULL;
    size_t len = 0;
    if (card_cert_der(c, CARD_CERT_AUTH, &der, &len) != CORE_OK)
        return -1;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL)
        return -1;
    int ok = ASN1_INTEGER_get_uint64(serial, X509_get0_serialNumber(x));
    X509_free(x);
    return ok == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
    double seconds = 3.0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = atof(argv[++i]);
        } else {
            fprintf(stderr, "usage: bench_reception [--seconds S]\n");
            return 2;
        }
    }
    if (seconds <= 0)
        seconds = 3.0;

    struct core_error err;
    core_error_clear(&err);
    struct policy *policy = NULL;
    struct eligibility_registry *reg = NULL;
    struct eligibility_service *svc = NULL;
    struct clinic_device *device = NULL;
    struct card *card = NULL;
    struct pcsc_reader *reader = NULL;
    struct card_profile prof;
    char path[1024];
    core_day on, start;
    if (core_date_parse("2025-06-02", 10, &on) != CORE_OK ||
        core_date_parse("2020-04-01", 10, &start) != CORE_OK)
        return die("dates", NULL);
    if (policy_load_named("national", &policy, &err) != CORE_OK)
        return die("policy", &err);
    if (eligibility_registry_new(policy, &reg) != CORE_OK)
        return die("registry", NULL);
    if (policy_find_data("cards/issued_2021.yaml", path, sizeof path, &err) != CORE_OK)
        return die("card profile", &err);
    card_profile_init(&prof);
    if (card_profile_load(path, &prof, &err) != CORE_OK)
        return die(path, &err);
    if (card_new(&prof, policy, &card, &err) != CORE_OK)
        return die("card_new", &err);
    if (pcsc_reader_open_card(card, &reader, &err) != CORE_OK)
        return die("reader", &err);
    uint64_t serial = 0;
    if (serial_of(card, &serial) != 0)
        return die("certificate serial", NULL);

    struct eligibility_numbers numbers;
    memset(&numbers, 0, sizeof numbers);
    snprintf(numbers.insurer_number, sizeof numbers.insurer_number, "112334");
    snprintf(numbers.symbol, sizeof numbers.symbol, "12");
    snprintf(numbers.number, sizeof numbers.number, "1001");
    snprintf(numbers.branch, sizeof numbers.branch, "00");
    uint32_t person, membership;
    struct eligibility_enrollment e;
    memset(&e, 0, sizeof e);
    e.numbers = numbers;
    e.start = start;
    const struct card_state *st = card_state(card);
    core_day registered;
    if (core_date_parse("2024-05-01", 10, &registered) != CORE_OK ||
        eligibility_person_add(reg, prof.holder.born, &person) != CORE_OK ||
        eligibility_file_enrollment(reg, person, &e, start, start, &membership) != CORE_OK ||
        eligibility_card_issue(reg, person, 100, st->issued, st->expires, serial, st->cert_expires) !=
            CORE_OK ||
        eligibility_file_registration(reg, person, registered) != CORE_OK)
        return die("registry filings", NULL);
    if (eligibility_service_new(reg, policy, &svc, &err) != CORE_OK)
        return die("service", &err);
    eligibility_service_seed(svc, 7);
    if (eligibility_service_set_date(svc, on) != CORE_OK)
        return die("service date", NULL);
    if (clinic_device_new("clinic-a", &device, &err) != CORE_OK)
        return die("device", &err);
    if (clinic_device_register(device, svc, &err) != CORE_OK)
        return die("device register", &err);

    struct clinic_presented p;
    memset(&p, 0, sizeof p);
    p.card = true;
    p.paper_expiry = CORE_DAY_NONE;
    p.born = prof.holder.born;
    struct clinic_reception in;
    memset(&in, 0, sizeof in);
    in.on = on;
    in.visit = CLINIC_VISIT_FIRST;
    in.reader = CLINIC_READER_PIN;
    in.online_ok = true;
    in.presented = &p;
    in.card = reader;
    in.surface.born = card_holder(card)->born;
    in.surface.card_expires = st->expires;
    memcpy(in.surface.security_code, card_holder(card)->security_code, sizeof in.surface.security_code);
    in.pin = prof.auth_pin;
    in.service = svc;
    in.device = device;
    in.institution = "1312345678";
    in.policy = policy;

    /* One visit outside the clock: the certificate's chain check is then cached, as at a real desk. */
    long visits = 0;
    double t0 = 0, t1 = 0;
    for (int warm = 1; warm >= 0; warm--) {
        double limit = warm ? 0 : seconds;
        t0 = now();
        do {
            struct clinic_reception_result r;
            if (clinic_reception_run(&in, &r, &err) != CORE_OK)
                return die("reception", &err);
            if (r.card.result != ELIGIBILITY_OK || !r.decision.card_used || r.auth != ELIGIBILITY_AUTH_PIN) {
                fprintf(stderr, "bench_reception: visit not accepted on the card route (%s)\n",
                        eligibility_result_name(r.card.result));
                return 1;
            }
            if (!warm)
                visits++;
            t1 = now();
        } while (t1 - t0 < limit);
    }
    printf("visits %ld\nseconds %.3f\nvisits_per_second %.1f\n", visits, t1 - t0, (double)visits / (t1 - t0));

    clinic_device_free(device);
    eligibility_service_free(svc);
    pcsc_reader_close(reader);
    card_free(card);
    eligibility_registry_free(reg);
    policy_free(policy);
    return 0;
}
