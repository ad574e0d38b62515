/*
 * build.h - build one index: create from a factory string, train, add, and
 * measure what that cost (seconds, serialized bytes, RSS growth).
 */
#ifndef FS_BUILD_H
#define FS_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include "lib/backend.h"

struct quantizer_cache;

struct build_stats {
    double train_s;           /* training this build did itself (with reused centroids:
                                 only what is trained on top of them) */
    double add_s;
    int quantizer_reused;     /* 1: the coarse centroids came from the cache */
    double train_reused_s;    /* what training the reused centroids first cost; 0 if none */
    int64_t index_bytes;      /* serialized size */
    double size_s;            /* seconds serializing it to learn that size */
    int64_t rss_delta_bytes;  /* peak RSS while building minus RSS before */
    size_t train_rows;        /* base rows the training saw */
};

/* Build an index on nb base vectors, trained on the first ntrain of them
 * (0, or ntrain >= nb: all; faiss's k-means itself samples at most 256
 * rows per list of what it is given), adding them add_batch rows per call
 * (RVC adds 8192 at a time; 0 = all in one call). With a quantizer cache
 * qc (borrowed for the call; NULL = none), an index with a flat coarse
 * quantizer (backend_ivf_flat_quantizer) takes its centroids from the
 * cache when an earlier build trained the same ones, else trains them
 * alone (faiss's k-means as an IVF<nlist>,Flat of the same metric trains
 * them: the same call IndexIVF::train makes) and leaves them in the cache.
 * Returns 0 (index in *out, caller frees with backend_free) or -1 after
 * printing an error. */
/* Train nlist coarse centroids on xb (nb x d) alone, as IVF<nlist>,Flat
 * under the same metric trains them (its train is the k-means only): the
 * call IndexIVF::train makes. c gets nlist x d floats. Returns 0 or -1
 * after an error. */
int build_train_coarse(size_t nlist, enum backend_metric metric, const float *xb, size_t nb,
                       size_t d, float *c);

int build_index(struct fs_index **out, const char *factory, enum backend_metric metric,
                const float *xb, size_t nb, size_t ntrain, size_t d, size_t add_batch,
                struct quantizer_cache *qc, struct build_stats *st);

#endif
