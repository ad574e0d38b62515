/*
 * metrics.c - recall with distance ties, missing ids, percentiles.
 */
#include "lib/metrics.h"

#include <math.h>
#include <stdlib.h>

void ground_truth_release(struct ground_truth *gt)
{
    if (!gt)
        return;
    free(gt->D);
    free(gt->I);
    gt->D = NULL;
    gt->I = NULL;
    gt->x = gt->q = NULL;
    gt->nq = gt->k = 0;
}

static int tied(float a, float b)
{
    double scale = fmax(fabs(a), fabs(b));
    return fabs((double)a - b) <= TIE_RTOL * (scale > 1e-30 ? scale : 1e-30);
}

/* Number of true ids that count for rank `k`: k plus any tied with the k-th. */
static size_t tie_extent(const float *D, size_t kmax, size_t k)
{
    size_t n = k;
    while (n < kmax && tied(D[n], D[k - 1]))
        n++;
    return n;
}

static int contains(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

/* Does base row id tie with (or beat) `bound` for query q? Only asked when a
 * tie runs past the stored columns; needs the oracle. */
static int ties_beyond(const struct ground_truth *gt, size_t q, int64_t id, float bound)
{
    const float *a = gt->q + q * gt->d, *b;
    double s = 0;

    if (!gt->x || id < 0 || (size_t)id >= gt->n)
        return 0;
    b = gt->x + (size_t)id * gt->d;
    for (size_t j = 0; j < gt->d; j++)
        s += gt->ip ? (double)a[j] * b[j] : ((double)a[j] - b[j]) * ((double)a[j] - b[j]);
    return tied((float)s, bound) || (gt->ip ? s > bound : s < bound);
}

/* Is `id` one of the true top k (ties included) of query q? */
static int true_hit(const struct ground_truth *gt, size_t q, size_t k, size_t nk, int64_t id)
{
    const float *tD = gt->D + q * gt->k;
    if (contains(gt->I + q * gt->k, nk, id))
        return 1;
    return nk == gt->k && ties_beyond(gt, q, id, tD[k - 1]);
}

void recall_at(const struct ground_truth *gt, const int64_t *I, size_t stride,
               size_t k, double *recall, double *recall1)
{
    double hits = 0, hits1 = 0;

    for (size_t q = 0; q < gt->nq; q++) {
        const float *tD = gt->D + q * gt->k;
        const int64_t *got = I + q * stride;
        size_t nk = tie_extent(tD, gt->k, k);
        size_t n1 = tie_extent(tD, gt->k, 1);
        size_t h = 0;
        int h1 = 0;

        for (size_t j = 0; j < k; j++) {
            if (got[j] < 0)
                continue;
            /* Returned ids are distinct, so each hit is counted once. */
            if (true_hit(gt, q, k, nk, got[j]))
                h++;
            if (!h1 && true_hit(gt, q, 1, n1, got[j]))
                h1 = 1;
        }
        hits += (double)(h < k ? h : k) / (double)k;
        hits1 += h1;
    }
    *recall = gt->nq ? hits / (double)gt->nq : NAN;
    *recall1 = gt->nq ? hits1 / (double)gt->nq : NAN;
}

int64_t count_missing(const int64_t *I, size_t nq, size_t stride, size_t k)
{
    int64_t n = 0;
    for (size_t q = 0; q < nq; q++)
        for (size_t j = 0; j < k; j++)
            n += I[q * stride + j] < 0;
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double percentile(double *v, size_t n, double p)
{
    double pos, frac;
    size_t lo;

    if (n == 0)
        return NAN;
    qsort(v, n, sizeof(*v), cmp_double);
    pos = p / 100.0 * (double)(n - 1);
    lo = (size_t)pos;
    if (lo >= n - 1)
        return v[n - 1];
    frac = pos - (double)lo;
    return v[lo] + frac * (v[lo + 1] - v[lo]);
}

double mean(const double *v, size_t n)
{
    double s = 0;
    if (n == 0)
        return NAN;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    return s / (double)n;
}
