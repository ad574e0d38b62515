/*
 * blend.h - blend fidelity: how far the features RVC feeds its decoder move
 * when the index under test replaces exact search.
 *
 * RVC searches k = 8 neighbours per frame, weights them by (1 / score)^2
 * normalised to sum 1, blends the stored vectors r = sum w_i x_i, and mixes
 * f = index_rate * r + (1 - index_rate) * q. We compute f once from the exact
 * neighbours and once from the index's answer and compare them. Pure
 * arithmetic on arrays: no faiss, no I/O.
 */
#ifndef FS_BLEND_H
#define FS_BLEND_H

#include <stddef.h>
#include <stdint.h>

#define RVC_BLEND_K 8
#define RVC_INDEX_RATE 0.75
#define RVC_FRAMES_PER_SECOND 50.0

/*
 * One side of the comparison: what an index stores and what it answered.
 * x holds the n stored vectors (n x d, row-major) that ids in I refer to:
 * for the exact side the original base; for the index side whatever the
 * index was built from (k-means centroids, an expanded or shuffled base).
 * I and D hold nq rows of `stride` entries (stride >= k, best first); only
 * the first k of each row are used. D is the score as the index returned it
 * and must be a squared L2 distance (faiss L2 indexes; for IP indexes on
 * normalised data convert with blend_ip_to_sql2 first). An id of -1 is an
 * empty slot: weight 0. The arrays are borrowed, never freed here.
 */
struct blend_side {
    const float *x;
    size_t n;
    const int64_t *I;
    const float *D;
    size_t stride;
};

struct blend_stats {
    size_t nq;               /* queries measured */
    double err_mean, err_p95, err_max;  /* |f_ann - f_exact| / |f_exact| */
    double cos_mean;         /* mean cosine of r_ann and r_exact */
    double ir_unit;          /* mean 0.01 |r_exact - q| / |f_exact|: how far f moves
                                per 0.01 of index_rate (a yardstick for err) */
    size_t missing_queries;  /* index side: queries with >= 1 id of -1 in the top k */
    size_t empty_queries;    /* index side: all k ids -1 (r_ann = 0); also in missing */
    size_t missing_exact;    /* exact side: queries with an id of -1 (only if N < k) */
    size_t zero_dist_exact;  /* queries whose blend used the zero-distance rule */
    size_t zero_dist_ann;
};

/* Flags blend_rvc returns for one query. */
#define BLEND_MISSING   1u  /* some of the k ids were -1 */
#define BLEND_EMPTY     2u  /* all of them were: r = 0 */
#define BLEND_ZERO_DIST 4u  /* a score was exactly 0: the zero-distance rule */

/*
 * RVC's blend for one query q (d floats) from k (id, score) slots into r and
 * f (d doubles each, caller's). Ids must be -1 or < the rows of x (not
 * checked here; blend_fidelity checks).
 *
 * Zero distance: RVC computes 1 / score, so a score of 0 (a stored vector
 * equal to the query) makes its weights inf / inf = NaN. We take the limit
 * instead: as one or more scores go to 0 their weights dominate, so the
 * neighbours at distance exactly 0 share all the weight equally and the rest
 * get none. This is exact, needs no epsilon, and is flagged so it is counted.
 * Computed in double, where 1 / s^2 of any nonzero float s is finite (RVC's
 * float32 overflows already for s < ~5e-20; we do not model that).
 * A negative score (possible from approximate PQ distances) is squared as
 * RVC does. Returns the BLEND_* flags.
 */
unsigned blend_rvc(const float *q, size_t d, const float *x, const int64_t *I,
                   const float *D, size_t k, double index_rate, double *r, double *f);

/*
 * Blend fidelity of nq queries (q: nq x d): RVC's blend from the exact
 * neighbours against the blend from the index's, over the first k slots of
 * each side, mixed with index_rate (0..1). Per query:
 *   err = |f_ann - f_exact| / |f_exact|  (the absolute error if |f_exact| = 0)
 *   cos = r_ann . r_exact / (|r_ann| |r_exact|)  (1 if both are 0, 0 if one is)
 *   unit = 0.01 |r_exact - q| / |f_exact|  (|f_exact| = 0: not divided)
 * out gets their mean, 95th percentile (numpy's linear rule) and max, and the
 * counts. Deterministic whatever the thread count (queries run in parallel,
 * reductions after, in order). nq == 0 gives NaN means. Returns 0, or -1
 * after one error line (k == 0, k > a stride, index_rate outside 0..1, an
 * id out of range); out is then zeroed.
 */
int blend_fidelity(const float *q, size_t nq, size_t d,
                   const struct blend_side *exact, const struct blend_side *ann,
                   size_t k, double index_rate, struct blend_stats *out);

/* Convert n inner-product scores of unit vectors to squared L2 in place:
 * |a - b|^2 = 2 - 2 a.b, clamped at 0 (rounding can push a.b above 1). */
void blend_ip_to_sql2(float *D, size_t n);

/*
 * Search time per second of audio, at 50 frames (queries) per second:
 * batch mode (a whole segment per call) from queries per second, and
 * real-time mode from the mean single-query latency in seconds (search.h
 * gives microseconds: pass lat_mean_us * 1e-6). Below 1 keeps up with
 * real time. NaN when qps is not positive, the latency negative, or either
 * not finite.
 */
double blend_audio_seconds_batch(double qps);
double blend_audio_seconds_single(double mean_latency_s);

#endif
