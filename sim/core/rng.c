/*
 * Seeded random numbers: xoshiro256** (Blackman and Vigna), seeded through splitmix64. Chosen because the
 * stream is fixed by the algorithm, not by a libc, so the same seed gives the same residents, keys and
 * draws on every machine, and forked child streams let per-card or per-household work run in any order.
 */
#include <string.h>

#include "core/core.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void core_rng_seed(struct core_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

void core_rng_fork(struct core_rng *child, const struct core_rng *parent, uint64_t stream)
{
    uint64_t x = parent->s[0] ^ rotl(parent->s[1], 17) ^ rotl(parent->s[2], 31) ^ rotl(parent->s[3], 47);
    x ^= splitmix64(&stream);
    core_rng_seed(child, x);
}

uint64_t core_rng_next(struct core_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t core_rng_below(struct core_rng *rng, uint64_t n)
{
    if (n <= 1)
        return 0;
    /* Rejection sampling: draws in the incomplete last block are thrown away, so every value is equally
     * likely. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do {
        v = core_rng_next(rng);
    } while (v >= limit);
    return v % n;
}

void core_rng_bytes(struct core_rng *rng, void *out, size_t len)
{
    uint8_t *p = out;
    while (len > 0) {
        uint64_t v = core_rng_next(rng);
        size_t n = len < 8 ? len : 8;
        for (size_t i = 0; i < n; i++)
            p[i] = (uint8_t)(v >> (8 * i));
        p += n;
        len -= n;
    }
}

uint64_t core_hash64(const void *data, size_t len, uint64_t seed)
{
    const uint8_t *p = data;
    uint64_t h = 0xCBF29CE484222325ull ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001B3ull;
    }
    return splitmix64(&h);
}
