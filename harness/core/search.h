/*
 * search.h - time one search setting on a built index: batch throughput and
 * single-query latency, with warm-up and repeats, no I/O in timed regions.
 *
 * Neither function changes faiss's thread count: the caller that owns the
 * measurement sets it (the run: its batch threads for search_batch, one
 * thread for search_latency) and puts it back.
 */
#ifndef FS_SEARCH_H
#define FS_SEARCH_H

#include <stddef.h>
#include <stdint.h>
#include "lib/backend.h"
#include "core/config.h"

struct search_stats {
    double qps;                  /* nq / best batch time */
    double lat_mean_us, lat_p50_us, lat_p95_us, lat_p99_us;  /* NaN if none timed */
    double ndis_per_query;       /* IVF distance computations per query */
    size_t latency_queries;      /* how many were timed alone */
};

/* Search all nq queries for k neighbours as the measure spec says: `warmup`
 * untimed calls, then `repeats` timed ones (best kept), on the current
 * thread count. D and I (nq*k, allocated by the caller once per run, so no
 * page faults land in a timed call) receive the last search. Sets st->qps
 * and st->ndis_per_query (the first timed call's). Returns 0 or -1. */
int search_batch(struct fs_index *idx, const float *xq, size_t nq, size_t k,
                 const struct measure_spec *ms, float *D, int64_t *I, struct search_stats *st);

/* Up to ms->latency_queries of the nq queries (d floats each) searched one
 * at a time for k neighbours, after one untimed single query (the first
 * call after a change of the thread team pays for the change), on the
 * current thread count (one, for a latency). Sets st's latency fields and
 * latency_queries (NaN latencies when none are timed). Returns 0 or -1. */
int search_latency(struct fs_index *idx, const float *xq, size_t nq, size_t d, size_t k,
                   const struct measure_spec *ms, struct search_stats *st);

#endif
