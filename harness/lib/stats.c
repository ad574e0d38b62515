/*
 * stats.c - median, IQR, CV and the bootstrap interval of the median.
 */
#include "lib/stats.h"
#include "lib/metrics.h"
#include "lib/rng.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* percentile() sorts in place: a copy keeps the caller's order. */
static double pct_of_copy(const double *v, size_t n, double p)
{
    double *c, r;
    if (n == 0)
        return NAN;
    c = xmalloc(n * sizeof(*c));
    memcpy(c, v, n * sizeof(*c));
    r = percentile(c, n, p);
    free(c);
    return r;
}

double stats_median(const double *v, size_t n)
{
    return pct_of_copy(v, n, 50);
}

double stats_iqr(const double *v, size_t n)
{
    if (n < 2)
        return NAN;
    return pct_of_copy(v, n, 75) - pct_of_copy(v, n, 25);
}

double stats_cv(const double *v, size_t n)
{
    double m, ss = 0;
    if (n < 2)
        return NAN;
    m = mean(v, n);
    if (m == 0 || !isfinite(m))
        return NAN;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - m) * (v[i] - m);
    return sqrt(ss / (double)(n - 1)) / fabs(m);
}

void stats_median_interval(const double *v, size_t n, double level, size_t resamples,
                           uint64_t seed, double *lo, double *hi)
{
    double *meds, *draw;
    uint64_t st = seed;

    *lo = *hi = NAN;
    if (n < 2 || resamples == 0)
        return;
    meds = xmalloc(resamples * sizeof(*meds));
    draw = xmalloc(n * sizeof(*draw));
    for (size_t b = 0; b < resamples; b++) {
        for (size_t i = 0; i < n; i++)
            draw[i] = v[rng_below(&st, n)];
        meds[b] = percentile(draw, n, 50);
    }
    *lo = percentile(meds, resamples, 50 * (1 - level));
    *hi = percentile(meds, resamples, 50 * (1 + level));
    free(meds);
    free(draw);
}
