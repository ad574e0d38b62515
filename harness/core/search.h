/*
 * search.h - the pieces of timing one search setting on a built index:
 * calibrating batch calls to a repetition of at least measure.min_time,
 * timing one repetition, timing one round of single queries, and the
 * arithmetic of budgets and of the round-robin schedule (run/point.c puts
 * them together over the points of a build). No I/O in timed regions.
 *
 * None of these functions changes faiss's thread count: the caller that
 * owns the measurement sets it (its batch threads for batch calls, one
 * thread for single queries) and puts it back.
 */
#ifndef FS_SEARCH_H
#define FS_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include "lib/backend.h"
#include "core/config.h"

/* Growth cap of the calls per repetition in one calibration step, and the
 * most calls a repetition makes. */
#define SEARCH_CALLS_GROWTH 10
#define SEARCH_MAX_CALLS ((size_t)1 << 20)

/* How a point's batch repetitions are taken, from its calibration. */
struct batch_plan {
    size_t calls;           /* batch calls per repetition (>= 1) */
    int reps;               /* repetitions to time (1..measure.repeats) */
    double rep_s;           /* seconds of the calibrating run of `calls` calls */
    double ndis_per_query;  /* IVF distance computations per query (first call) */
};

/* The next number of calls to try after `calls` calls took `seconds`
 * (< min_time): enough for 1.2 x min_time at that rate, at least one more
 * and at most SEARCH_CALLS_GROWTH times as many, capped at SEARCH_MAX_CALLS. */
size_t search_calls_next(size_t calls, double seconds, double min_time);

/* Repetitions within a budget: floor(max_time / each_s) clamped to
 * 1..wanted (one at least, so every point is timed). */
int search_budget(double each_s, int wanted, double max_time);

/* Whether a point of `reps` repetitions is visited in round r (0-based) of
 * `rounds` (the most any point of the build takes): a point's repetitions
 * are the last `reps` rounds, so every point's last one is in the final
 * round, where its row is made from the answer that repetition leaves. */
int search_visits(int reps, int rounds, int r);

/* Calibrate a point: ms->warmup untimed calls (the first one's IVF
 * statistics give ndis_per_query); when the last of them lasted at least
 * ms->min_time, one call per repetition and that call's seconds; else runs
 * of n calls, n growing by search_calls_next (from the warm-up's rate),
 * until one lasts at least ms->min_time. Sets bp (reps from
 * search_budget(rep_s, ms->repeats, ms->max_time)). All nq queries for k
 * neighbours each call, into D and I (nq*k, the caller's). Returns 0 or -1. */
int search_calibrate(struct fs_index *idx, const float *xq, size_t nq, size_t k,
                     const struct measure_spec *ms, float *D, int64_t *I, struct batch_plan *bp);

/* One timed repetition: `calls` batch calls of all nq queries for k; their
 * seconds in *seconds. D and I receive the last call's answer. Returns 0 or -1. */
int search_repetition(struct fs_index *idx, const float *xq, size_t nq, size_t k, size_t calls,
                      float *D, int64_t *I, double *seconds);

/* Whether an index of this factory string answers a search for k with
 * the first k of its answer for any deeper k (ties aside): every stage
 * computes the same distances whatever k is and only keeps the k best.
 * True when every component is one of Flat, IVF<n>, SQ..., PQ<m>[x<b>]
 * (not fast scan "fs"), PCA..., OPQ..., L2norm; false for re-ranking
 * (RFlat, Refine: k * k_factor candidates), HNSW (its beam is
 * max(efSearch, k)), fast scan (its result handlers change with k) and
 * anything not listed. */
int search_prefix_exact(const char *factory);

/* How many queries one latency round times: ms->latency_queries (-1: all)
 * capped at nq. */
size_t search_latency_queries(const struct measure_spec *ms, size_t nq);

/* One latency round: one untimed single query (the first call after a
 * change of the thread team pays for the change), then the first n of the
 * queries (d floats each; n <= nq) searched one at a time for k; each
 * one's microseconds in us[i]. Returns 0 or -1. */
int search_latency_round(struct fs_index *idx, const float *xq, size_t n, size_t d, size_t k,
                         double *us);

#endif
