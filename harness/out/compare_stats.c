/*
 * compare_stats.c - Mann-Whitney U (exact by counting for small samples,
 * normal approximation above), the bootstrap interval of a ratio of
 * medians and the recall tolerance; see compare_stats.h.
 */
#include "out/compare_stats.h"
#include "lib/rng.h"
#include "lib/stats.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/*
 * Twice the midrank of every pooled value (integers: ranks r+1, midranks
 * of a tie of t values starting at rank s are s + (t-1)/2), in the pooled
 * order a then b, into r2 (na + nb). *tie_sum gets sum(t^3 - t) over ties.
 */
static void doubled_ranks(const double *a, size_t na, const double *b, size_t nb, long *r2,
                          double *tie_sum)
{
    size_t n = na + nb;
    double *all = xmalloc(n * sizeof(*all)), *sorted = xmalloc(n * sizeof(*sorted));

    memcpy(all, a, na * sizeof(*a));
    memcpy(all + na, b, nb * sizeof(*b));
    memcpy(sorted, all, n * sizeof(*all));
    qsort(sorted, n, sizeof(*sorted), cmp_double);
    *tie_sum = 0;
    for (size_t i = 0; i < n; i++) {
        /* The run of sorted values equal to all[i]: [lo, hi). */
        size_t lo = 0, hi = n;
        while (lo < n && sorted[lo] < all[i])
            lo++;
        hi = lo;
        while (hi < n && sorted[hi] == all[i])
            hi++;
        r2[i] = (long)(lo + 1 + hi);   /* 2 * ((lo+1 + hi) / 2) */
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && sorted[j] == sorted[i])
            j++;
        double t = (double)(j - i);
        *tie_sum += t * t * t - t;
        i = j;
    }
    free(all);
    free(sorted);
}

/* The exact two-sided p: count the na-subsets of the doubled ranks by
 * their sum (dynamic programming over items, subset size and sum). */
static double exact_p(const long *r2, size_t na, size_t n, long observed)
{
    long total = 0;
    for (size_t i = 0; i < n; i++)
        total += r2[i];
    size_t width = (size_t)total + 1;
    double *ways = xcalloc((na + 1) * width, sizeof(*ways));
    double all = 0, extreme = 0;
    long dev_obs;

    ways[0] = 1;
    for (size_t i = 0; i < n; i++)
        for (size_t j = (i + 1 < na ? i + 1 : na); j >= 1; j--)
            for (long s = total; s >= r2[i]; s--)
                ways[j * width + (size_t)s] += ways[(j - 1) * width + (size_t)(s - r2[i])];
    /* |sum - na*total/n| compared as |n*sum - na*total| (exact integers). */
    dev_obs = labs((long)n * observed - (long)na * total);
    for (long s = 0; s <= total; s++) {
        double w = ways[na * width + (size_t)s];
        all += w;
        if (labs((long)n * s - (long)na * total) >= dev_obs)
            extreme += w;
    }
    free(ways);
    return all > 0 ? fmin(1.0, extreme / all) : NAN;
}

double cmp_mann_whitney(const double *a, size_t na, const double *b, size_t nb)
{
    size_t n = na + nb;
    long *r2, sum2 = 0;
    double tie_sum, p;

    if (!na || !nb)
        return NAN;
    r2 = xmalloc(n * sizeof(*r2));
    doubled_ranks(a, na, b, nb, r2, &tie_sum);
    for (size_t i = 0; i < na; i++)
        sum2 += r2[i];
    double dn = (double)n;
    if (tie_sum >= dn * dn * dn - dn) {
        p = 1;   /* every value tied */
    } else if (n <= CMP_EXACT_MAX) {
        p = exact_p(r2, na, n, sum2);
    } else {
        double u = sum2 / 2.0 - (double)na * (double)(na + 1) / 2.0;
        double mu = (double)na * (double)nb / 2.0;
        double var = (double)na * (double)nb / 12.0 * ((dn + 1) - tie_sum / (dn * (dn - 1)));
        double z = (fabs(u - mu) - 0.5) / sqrt(var);
        p = z <= 0 ? 1 : fmin(1.0, erfc(z / sqrt(2.0)));
    }
    free(r2);
    return p;
}

double cmp_min_p(size_t na, size_t nb)
{
    /* C(na+nb, na) as a double, built up factor by factor. */
    double c = 1;
    for (size_t i = 1; i <= na; i++)
        c = c * (double)(nb + i) / (double)i;
    return fmin(1.0, 2.0 / c);
}

/* Median of n values drawn with replacement from v (into scratch). */
static double resampled_median(const double *v, size_t n, double *scratch, uint64_t *state)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = v[rng_below(state, n)];
    return stats_median(scratch, n);
}

void cmp_ratio_interval(const double *a, size_t na, const double *b, size_t nb, double level,
                        size_t resamples, uint64_t seed, double *lo, double *hi)
{
    double *scratch, *ratios;
    uint64_t state = seed;
    size_t n = 0;

    *lo = *hi = NAN;
    if (na < 2 || nb < 2 || !resamples)
        return;
    scratch = xmalloc((na > nb ? na : nb) * sizeof(*scratch));
    ratios = xmalloc(resamples * sizeof(*ratios));
    for (size_t r = 0; r < resamples; r++) {
        double ma = resampled_median(a, na, scratch, &state);
        double mb = resampled_median(b, nb, scratch, &state);
        if (ma != 0 && isfinite(mb / ma))
            ratios[n++] = mb / ma;
    }
    if (n) {
        qsort(ratios, n, sizeof(*ratios), cmp_double);
        /* Percentiles by linear interpolation, as stats_median does. */
        double q[2] = { (1 - level) / 2, (1 + level) / 2 }, *out[2] = { lo, hi };
        for (int k = 0; k < 2; k++) {
            double pos = q[k] * (double)(n - 1);
            size_t i = (size_t)pos;
            double frac = pos - (double)i;
            *out[k] = i + 1 < n ? ratios[i] + frac * (ratios[i + 1] - ratios[i]) : ratios[i];
        }
    }
    free(scratch);
    free(ratios);
}

double cmp_recall_tol(double p, double trials, double floor)
{
    if (!(trials > 0) || !(p >= 0 && p <= 1))
        return floor;
    return fmax(floor, 2 * sqrt(p * (1 - p) / trials));
}
