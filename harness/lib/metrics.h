/*
 * metrics.h - recall against exact ground truth, and latency percentiles.
 * Pure arithmetic on arrays: no faiss, no I/O.
 */
#ifndef FS_METRICS_H
#define FS_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* Exact neighbours for nq queries: k columns per row, best first. D is what
 * faiss returns: squared L2 (smaller is nearer) or a similarity (ip: larger).
 * The optional x, q (borrowed) let recall_at settle ties that run past the k
 * stored columns: many equal vectors (digital silence in speech, a zero
 * query under cosine) tie with more rows than any fixed depth holds. */
struct ground_truth {
    size_t nq, k;
    float *D;
    int64_t *I;
    const float *x, *q;     /* base (n x d) and queries (nq x d); NULL = no oracle */
    size_t n, d;
    int ip;                 /* D is a similarity */
};
void ground_truth_release(struct ground_truth *gt);

/* Relative tolerance under which two true distances count as a tie. */
#define TIE_RTOL 1e-6

/* k-recall@k averaged over queries: |returned top k ∩ true top k| / k, where
 * the true set is extended over ids tied with the k-th true distance (as
 * big-ann-benchmarks does). 1-recall@k: share of queries whose true nearest
 * (or an id tied with it) is in the returned top k. I holds `stride` ids per
 * query (stride >= k); ids of -1 are misses. Needs gt->k >= k. When the tie
 * reaches the last stored column and gt has x and q, a returned id outside
 * the stored ones counts when its true distance ties with (or beats) the k-th. */
void recall_at(const struct ground_truth *gt, const int64_t *I, size_t stride,
               size_t k, double *recall, double *recall1);

/* Number of -1 ids in the first k of each of nq rows of I (stride per row). */
int64_t count_missing(const int64_t *I, size_t nq, size_t stride, size_t k);

/* Percentile p (0..100) of n values by linear interpolation between closest
 * ranks (numpy's default). Sorts v in place. NaN when n == 0. */
double percentile(double *v, size_t n, double p);
double mean(const double *v, size_t n);

#endif
