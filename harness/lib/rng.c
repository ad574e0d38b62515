/*
 * rng.c - splitmix64 (Steele, Lea, Flood 2014) and unbiased bounded draws.
 */
#include "lib/rng.h"

uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t rng_below(uint64_t *state, uint64_t bound)
{
    uint64_t threshold = -bound % bound, r;
    do
        r = rng_next(state);
    while (r < threshold);
    return r % bound;
}

void rng_sample(uint64_t seed, size_t n, size_t k, size_t *out)
{
    uint64_t st = seed;
    size_t got = 0;
    for (size_t i = 0; i < n && got < k; i++)
        if (rng_below(&st, n - i) < k - got)
            out[got++] = i;
}
