/*
 * stage_local.c: the local stage. The service is an eligibility_service over the registry the stage was made
 * with, answering in process (eligibility_service_handle / _nonce); the clinics' reader devices are registered
 * with it; the card is read through its own in-process pcsc reader.
 */
#include "stage/stage_int.h"

static CORE_MUST_USE int local_open(struct stage *s, const void *how, struct core_error *err)
{
    struct eligibility_service *svc = NULL;
    int rc = eligibility_service_new(how, s->policy, &svc, err);
    if (rc != CORE_OK)
        return rc;
    s->impl = svc;
    for (size_t i = 0; rc == CORE_OK && i < s->nclinics; i++)
        rc = clinic_device_register(s->clinics[i].device, svc, err);
    eligibility_service_seed(svc, 1);
    return rc;
}

static void local_connect(struct stage *s, struct clinic_reception *in)
{
    in->service = s->impl;
}

static CORE_MUST_USE int local_set_service(struct stage *s, core_day on, bool down, struct core_error *err)
{
    struct eligibility_service *svc = s->impl;
    if (eligibility_service_set_date(svc, on) != CORE_OK)
        return core_error_set(err, CORE_EINVAL, NULL, 0, 0, "stage: the service cannot take that date");
    eligibility_service_set_down(svc, down);
    return CORE_OK;
}

static CORE_MUST_USE int local_card_in(struct stage *s, struct stage_slot *slot,
                                       const struct card_profile *profile, const uint8_t *state,
                                       size_t state_len, struct pcsc_reader **reader, struct core_error *err)
{
    (void)s;
    (void)profile;
    (void)state;
    (void)state_len;
    (void)err;
    *reader = slot->reader; /* the card is already there, in its state */
    return CORE_OK;
}

static CORE_MUST_USE int local_card_out(struct stage *s, struct stage_slot *slot, struct core_error *err)
{
    (void)s;
    (void)slot;
    (void)err;
    return CORE_OK;
}

static void local_free(struct stage *s)
{
    eligibility_service_free(s->impl);
    s->impl = NULL;
}

const struct stage_ops stage_local_ops = {
    .name = "local",
    .open = local_open,
    .connect = local_connect,
    .set_service = local_set_service,
    .card_in = local_card_in,
    .card_out = local_card_out,
    .free = local_free,
};
