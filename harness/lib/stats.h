/*
 * stats.h - the spread of a handful of timing samples: median, interquartile
 * range, coefficient of variation and a seeded bootstrap interval of the
 * median. Pure arithmetic; the inputs are never reordered.
 */
#ifndef FS_STATS_H
#define FS_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Median of n values (linear interpolation, as numpy); NaN when n == 0. */
double stats_median(const double *v, size_t n);
/* Third quartile minus first (numpy's linear percentiles); NaN when n < 2. */
double stats_iqr(const double *v, size_t n);
/* Sample standard deviation (n - 1) over the mean; NaN when n < 2 or the
 * mean is 0 or not finite. */
double stats_cv(const double *v, size_t n);

/* A bootstrap percentile interval of the median: `resamples` resamples of n
 * drawn with replacement by lib/rng from `seed` (the same interval for the
 * same samples on every machine), their medians' (1-level)/2 and
 * (1+level)/2 percentiles in *lo and *hi. NaN for both when n < 2. */
void stats_median_interval(const double *v, size_t n, double level, size_t resamples,
                           uint64_t seed, double *lo, double *hi);

#endif
