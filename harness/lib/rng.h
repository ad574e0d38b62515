/*
 * rng.h - the one pseudo-random generator: splitmix64, tiny, well mixed and
 * the same sequence on every machine, so a seed names the same holdout,
 * shuffle or sample everywhere.
 */
#ifndef FS_RNG_H
#define FS_RNG_H

#include <stddef.h>
#include <stdint.h>

/* Next 64 random bits; advances *state. */
uint64_t rng_next(uint64_t *state);
/* Uniform in [0, bound) without modulo bias (bound > 0): draws that fall in
 * the short last block are rejected. */
uint64_t rng_below(uint64_t *state, uint64_t bound);
/* k distinct numbers of [0, n) (k <= n), ascending, into out: every
 * k-subset equally likely (selection sampling), the same for one seed. */
void rng_sample(uint64_t seed, size_t n, size_t k, size_t *out);

#endif
