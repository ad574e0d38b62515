/*
 * metrics.c - recall with distance ties, missing ids, percentiles.
 */
#include "metrics.h"

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

void recall_at(const struct ground_truth *gt, const int64_t *I, size_t stride,
               size_t k, double *recall, double *recall1)
{
    double hits = 0, hits1 = 0;

    for (size_t q = 0; q < gt->nq; q++) {
        const float *tD = gt->D + q * gt->k;
        const int64_t *tI = gt->I + q * gt->k;
        const int64_t *got = I + q * stride;
        size_t nk = tie_extent(tD, gt->k, k);
        size_t n1 = tie_extent(tD, gt->k, 1);
        size_t h = 0;
        int h1 = 0;

        for (size_t j = 0; j < k; j++) {
            if (got[j] < 0)
                continue;
            /* Returned ids are distinct, so each hit is counted once. */
            if (contains(tI, nk, got[j]))
                h++;
            if (!h1 && contains(tI, n1, got[j]))
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
