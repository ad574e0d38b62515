/*
 * quantizers.h - trained coarse quantizers (IVF centroids) kept for reuse:
 * in memory for the run, and on disk in the cache directory beside the
 * ground truths, so that a build whose coarse quantizer another build has
 * already trained (in this run or an earlier one) takes its centroids
 * instead of running k-means again.
 *
 * An entry is keyed by what determines faiss's k-means result: the content
 * of the training vectors (so the data set, N and the preprocessing), their
 * count and dimension, the metric, nlist, and the faiss version (whose
 * ClusteringParameters fix the seed, 1234, the iterations and the
 * subsample of max_points_per_centroid * nlist training points).
 */
#ifndef FS_QUANTIZERS_H
#define FS_QUANTIZERS_H

#include <stddef.h>
#include <stdint.h>
#include "lib/backend.h"

struct quantizer_entry {
    uint64_t key;
    size_t nlist, d;
    float *c;           /* nlist*d centroids, owned */
    double train_s;     /* seconds their k-means took when first trained */
};

struct quantizer_cache {
    char *dir;          /* owned copy; NULL: in memory only */
    struct quantizer_entry *e;
    size_t n, cap;
};

/* Start an empty cache; dir (copied, may be NULL) holds its files. */
void quantizer_cache_init(struct quantizer_cache *qc, const char *dir);
void quantizer_cache_release(struct quantizer_cache *qc);

/* The key of the coarse quantizer trained on n vectors x of dimension d. */
uint64_t quantizer_key(const float *x, size_t n, size_t d, enum backend_metric metric,
                       size_t nlist);

/* The entry for key (nlist, d must match): from memory, else from the
 * file, whose checksum is checked (a damaged or mismatched file is
 * refused with a warning, so the caller retrains). NULL when absent.
 * Borrowed until the cache is released. */
const struct quantizer_entry *quantizer_cache_get(struct quantizer_cache *qc, uint64_t key,
                                                  size_t nlist, size_t d);

/* Keep centroids c (nlist*d floats, copied) trained in train_s seconds
 * under key, and write them to the cache directory (atomically, under a
 * unique temporary name; a failed write only warns). */
void quantizer_cache_put(struct quantizer_cache *qc, uint64_t key, size_t nlist, size_t d,
                         const float *c, double train_s);

/* Where the file of key lives (caller frees), or NULL without a directory. */
char *quantizer_cache_path(const struct quantizer_cache *qc, uint64_t key, size_t nlist);

#endif
