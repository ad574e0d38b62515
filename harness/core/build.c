/*
 * build.c - create, train and fill one index, timing each step.
 */
#include "core/build.h"
#include "lib/util.h"

#include <string.h>

int build_index(struct fs_index **out, const char *factory, enum backend_metric metric,
                const float *xb, size_t nb, size_t d, size_t add_batch,
                struct build_stats *st)
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
    t0 = now_s();
    if (backend_train(idx, nb, xb))
        goto fail;
    st->train_s = now_s() - t0;
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
    st->index_bytes = backend_serialized_size(idx);
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
