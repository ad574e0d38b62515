/*
 * search.c - batch and single-query timing of one search setting.
 */
#include "core/search.h"
#include "lib/metrics.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int search_batch(struct fs_index *idx, const float *xq, size_t nq, size_t k,
                 const struct measure_spec *ms, float *D, int64_t *I, struct search_stats *st)
{
    double best = INFINITY;

    for (int i = 0; i < ms->warmup; i++)
        if (backend_search(idx, nq, xq, k, D, I))
            return -1;
    for (int r = 0; r < ms->repeats; r++) {
        double t0;
        if (r == 0)
            backend_ivf_stats_reset();
        t0 = now_s();
        if (backend_search(idx, nq, xq, k, D, I))
            return -1;
        t0 = now_s() - t0;
        if (r == 0)
            st->ndis_per_query = backend_ivf_ndis() / (double)nq;
        if (t0 < best)
            best = t0;
    }
    st->qps = best > 0 ? (double)nq / best : INFINITY;
    return 0;
}

int search_latency(struct fs_index *idx, const float *xq, size_t nq, size_t d, size_t k,
                   const struct measure_spec *ms, struct search_stats *st)
{
    size_t n = ms->latency_queries < 0 ? nq : (size_t)ms->latency_queries;
    float *D = xmalloc(k * sizeof(*D));
    int64_t *I = xmalloc(k * sizeof(*I));
    double *us = NULL;
    int rc = -1;

    if (n > nq)
        n = nq;
    st->latency_queries = n;
    st->lat_mean_us = st->lat_p50_us = st->lat_p95_us = st->lat_p99_us = NAN;
    us = xmalloc((n ? n : 1) * sizeof(*us));
    if (n == 0) {
        rc = 0;
        goto out;
    }
    if (backend_search(idx, 1, xq, k, D, I))
        goto out;
    for (size_t i = 0; i < n; i++) {
        double t0 = now_s();
        if (backend_search(idx, 1, xq + i * d, k, D, I))
            goto out;
        us[i] = (now_s() - t0) * 1e6;
    }
    st->lat_mean_us = mean(us, n);
    st->lat_p50_us = percentile(us, n, 50);
    st->lat_p95_us = percentile(us, n, 95);
    st->lat_p99_us = percentile(us, n, 99);
    rc = 0;
out:
    free(us);
    free(D);
    free(I);
    return rc;
}
