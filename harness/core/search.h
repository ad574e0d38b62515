/*
 * search.h - time one search setting on a built index: batch throughput and
 * single-query latency, with warm-up and repeats, no I/O in timed regions.
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
 * untimed batch calls, `repeats` timed ones (best kept) on `batch_threads`
 * threads, then up to latency_queries single-query calls on one thread
 * (after one untimed single query). D and I (nq*k, allocated by the caller
 * once per run, so no page faults land in a timed call) receive the last
 * batch search. The thread count is batch_threads again on return.
 * Returns 0 or -1. */
int search_measure(struct fs_index *idx, const float *xq, size_t nq, size_t d, size_t k,
                   const struct measure_spec *ms, int batch_threads,
                   float *D, int64_t *I, struct search_stats *st);

#endif
