/*
 * compare_stats.h - the statistics `faiss-sweep compare` decides with: a
 * two-sided Mann-Whitney U test of two sets of timing samples, a seeded
 * bootstrap interval of the ratio of their medians, and the tolerance of a
 * recall measured over a finite number of trials. Pure arithmetic; the
 * inputs are never reordered.
 */
#ifndef FS_COMPARE_STATS_H
#define FS_COMPARE_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Largest na + nb for which stats_mann_whitney counts the exact null
 * distribution; above it, the normal approximation. */
#define CMP_EXACT_MAX 60

/*
 * Two-sided p-value of the Mann-Whitney U test that samples a (na) and b
 * (nb) come from one distribution. Ties get midranks. With na + nb <=
 * CMP_EXACT_MAX the p-value is exact: the share of all C(na+nb, na)
 * assignments of the pooled (mid)ranks whose rank sum lies at least as far
 * from its mean as the observed one (ties included, by counting). Above,
 * the normal approximation with the tie-corrected variance and a
 * continuity correction of 1/2. Returns NaN when na or nb is 0, and 1 when
 * every value is tied.
 */
double cmp_mann_whitney(const double *a, size_t na, const double *b, size_t nb);

/* The smallest two-sided p-value the exact test can give for na vs nb
 * samples: 2 / C(na+nb, na) (at most 1). With 5 a side it is 0.0079; with
 * 4, 0.029: below 5 a side a test at alpha 0.01 can never decide. */
double cmp_min_p(size_t na, size_t nb);

/* A bootstrap percentile interval of median(b) / median(a): `resamples`
 * pairs of resamples (a and b drawn apart, with replacement, by lib/rng
 * from `seed`), the (1-level)/2 and (1+level)/2 percentiles of their
 * ratios in *lo and *hi. NaN for both when na or nb is < 2. */
void cmp_ratio_interval(const double *a, size_t na, const double *b, size_t nb, double level,
                        size_t resamples, uint64_t seed, double *lo, double *hi);

/* The tolerance of a drop of a recall p measured over `trials` Bernoulli
 * trials: max(floor, 2 * sqrt(p (1 - p) / trials)). floor alone when
 * trials <= 0 or p is not in [0, 1]. */
double cmp_recall_tol(double p, double trials, double floor);

#endif
