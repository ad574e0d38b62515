/*
 * build.c - create, train and fill one index, timing each step.
 */
#include "core/build.h"
#include "core/quantizers.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int build_train_coarse(size_t nlist, enum backend_metric metric, const float *xb, size_t nb,
                       size_t d, float *c)
{
    struct fs_index *flat = NULL;
    char factory[48], why[512];
    int rc;
    snprintf(factory, sizeof(factory), "IVF%zu,Flat", nlist);
    if (backend_create(&flat, factory, (int)d, metric, why, sizeof(why)))
        return error("cannot create '%s' to train coarse centroids: %s", factory, why);
    rc = backend_train(flat, nb, xb) || backend_ivf_centroids(flat, c) ? -1 : 0;
    backend_free(flat);
    return rc;
}

/* Train idx, reusing or filling the cache (see build_index); st gets
 * train_s and the reuse fields. Returns 0 or -1 after an error. */
static int train(struct fs_index *idx, enum backend_metric metric, const float *xb,
                 size_t nb, size_t d, struct quantizer_cache *qc, struct build_stats *st)
{
    const struct quantizer_entry *e;
    size_t nlist;
    uint64_t key;
    float *c;
    double t0, coarse_s;
    int rc;

    if (!qc || !backend_ivf_flat_quantizer(idx)) {
        t0 = now_s();
        if (backend_train(idx, nb, xb))
            return -1;
        st->train_s = now_s() - t0;
        return 0;
    }
    nlist = backend_nlist(idx);
    key = quantizer_key(xb, nb, d, metric, nlist);
    if ((e = quantizer_cache_get(qc, key, nlist, d))) {
        t0 = now_s();
        if (backend_train_from_centroids(idx, e->c, nb, xb))
            return -1;
        st->train_s = now_s() - t0;
        st->quantizer_reused = 1;
        st->train_reused_s = e->train_s;
        return 0;
    }
    c = xmalloc(nlist * d * sizeof(float) + 1);
    t0 = now_s();
    rc = build_train_coarse(nlist, metric, xb, nb, d, c);
    coarse_s = now_s() - t0;
    if (!rc)
        rc = backend_train_from_centroids(idx, c, nb, xb);
    st->train_s = now_s() - t0;
    if (!rc)
        quantizer_cache_put(qc, key, nlist, d, c, coarse_s);
    free(c);
    return rc;
}

int build_index(struct fs_index **out, const char *factory, enum backend_metric metric,
                const float *xb, size_t nb, size_t ntrain, size_t d, size_t add_batch,
                struct quantizer_cache *qc, struct build_stats *st)
{
    struct fs_index *idx = NULL;
    char why[512];
    int64_t rss0;
    double t0;

    memset(st, 0, sizeof(*st));
    /* Peak, not end-of-build RSS: training temporaries count, and memory
     * that malloc reuses from an earlier build does not hide the growth. */
    peak_rss_reset();
    rss0 = rss_bytes();
    *out = NULL;
    if (backend_create(&idx, factory, (int)d, metric, why, sizeof(why)))
        return error("cannot create '%s': %s", factory, why);
    st->train_rows = ntrain && ntrain < nb ? ntrain : nb;
    if (train(idx, metric, xb, st->train_rows, d, qc, st))
        goto fail;
    t0 = now_s();
    if (!add_batch)
        add_batch = nb;
    for (size_t i = 0; i < nb; i += add_batch)
        if (backend_add(idx, nb - i < add_batch ? nb - i : add_batch, xb + i * d))
            goto fail;
    st->add_s = now_s() - t0;
    st->rss_delta_bytes = peak_rss_bytes() - rss0;
    if (backend_ntotal(idx) != (int64_t)nb) {
        error("'%s' holds %lld vectors after adding %zu", factory,
              (long long)backend_ntotal(idx), nb);
        goto fail;
    }
    t0 = now_s();
    st->index_bytes = backend_serialized_size(idx);
    st->size_s = now_s() - t0;
    if (st->index_bytes < 0) {
        error("cannot serialize index '%s' to measure its size", factory);
        goto fail;
    }
    *out = idx;
    return 0;
fail:
    backend_free(idx);
    return -1;
}
