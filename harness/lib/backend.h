/*
 * backend.h - the faiss backend: the only module that talks to faiss.
 *
 * Everything else sees an opaque index and plain arrays, so config, grid,
 * metrics and results are tested without building an index. Every call
 * adds the time it spent in faiss to the clock its caller registered
 * (backend_clock_use), so a run can say how much of its wall time was the
 * harness's own.
 */
#ifndef FS_BACKEND_H
#define FS_BACKEND_H

#include <stddef.h>
#include <stdint.h>

struct fs_index;

/* faiss metrics the backend knows; cosine is IP on normalised data (the
 * caller normalises). */
enum backend_metric { BACKEND_L2, BACKEND_IP };

/* Create an empty index from a factory string. Returns 0, or -1 with the
 * faiss message copied into errbuf (not printed: the caller knows the
 * config line to blame). The created index's metric is checked against the
 * one asked for. Free with backend_free. */
int backend_create(struct fs_index **out, const char *factory, int d,
                   enum backend_metric metric, char *errbuf, size_t errlen);
void backend_free(struct fs_index *idx);

/* Whether factory, which backend_create refused with message why, names an
 * index component the linked faiss lacks but later faiss releases have:
 * faiss could not parse the string, a component of it (between ',', '('
 * and ')') starts with a name of backend.c's table of later components
 * (RaBitQ, FlatPanorama, SQbf16, SQ8_direct_signed), and the linked faiss
 * cannot parse that component alone either (it is probed with d and
 * metric). Returns the component's name (static text), or NULL when the
 * refusal is an error in the string ("IVF8,Flaat", "PQ7" for d=32). */
const char *backend_unknown_component(const char *factory, int d, enum backend_metric metric,
                                      const char *why);

/* The version of the faiss library loaded at run time (faiss_get_version,
 * where the C API has it: 1.9+), or NULL where it does not (lib/version.h
 * then falls back to the headers' version). Static text. */
const char *backend_faiss_version(void);

/* Train (if the index needs it) and add n vectors. Return 0 or -1 after
 * printing faiss's message. */
int backend_train(struct fs_index *idx, size_t n, const float *x);
int backend_add(struct fs_index *idx, size_t n, const float *x);

/* Set a search-time parameter ("nprobe", "k_factor_rf") through faiss's
 * ParameterSpace, which reaches inside RFlat/PreTransform wrappers.
 * Returns 0, or -1 if the index has no such parameter (nothing printed). */
int backend_set_param(struct fs_index *idx, const char *name, double value);

/* Search nq queries for k neighbours: D (nq*k) and I (nq*k, -1 where fewer
 * than k were found). Returns 0 or -1 after printing faiss's message. */
int backend_search(struct fs_index *idx, size_t nq, const float *q, size_t k,
                   float *D, int64_t *I);

/* What the built index is: number of IVF lists when it is an IVF index
 * itself (0 for wrappers such as RFlat), its vector count and serialized
 * size in bytes (counted, not written; -1 on error). A refinement stage is
 * detected by backend_set_param(idx, "k_factor_rf", ...) succeeding. */
size_t backend_nlist(struct fs_index *idx);
int64_t backend_ntotal(struct fs_index *idx);
int64_t backend_serialized_size(struct fs_index *idx);

/* Coarse quantizers, for reusing trained centroids across builds. An index
 * qualifies when it is itself an IVF index (not a wrapper such as RFlat or
 * a PreTransform, which faiss 1.7.3's C API does not open) whose quantizer
 * is a flat index that faiss trains by k-means on it (quantizer_trains_alone
 * 0): the factories "IVF<n>,..." without a _HNSW or other quantizer. */
int backend_ivf_flat_quantizer(struct fs_index *idx);

/* The nlist*d coarse centroids of a trained qualifying index, into c
 * (caller's buffer). Returns 0 or -1 after an error. */
int backend_ivf_centroids(struct fs_index *idx, float *c);

/* Train an untrained qualifying index whose coarse centroids are given
 * (nlist*d floats, copied). faiss 1.7.3's C API has no call to set them,
 * so this is done as faiss's own IndexIVF::train_q1 allows: the centroids
 * are added to the (flat, empty) quantizer, and faiss's train then finds
 * the quantizer trained with ntotal == nlist and skips its k-means; the
 * rest (PQ codebooks, scalar-quantizer ranges, on the residuals of n
 * vectors x as assigned to those centroids) trains as usual. Returns 0 or
 * -1 after printing faiss's message. */
int backend_train_from_centroids(struct fs_index *idx, const float *c, size_t n,
                                 const float *x);

/* IVF statistics (global in faiss): reset, then distance computations since. */
void backend_ivf_stats_reset(void);
double backend_ivf_ndis(void);

/* Exact k-NN (faiss IndexFlat under the metric): D, I are nq*k. Returns 0
 * or -1 after printing an error. */
int backend_knn_exact(size_t nb, const float *xb, size_t nq, const float *xq,
                      size_t d, enum backend_metric metric, size_t k,
                      float *D, int64_t *I);

/* Write the index to a file (as RVC does with faiss.write_index). Returns 0
 * or -1 after an error naming the file. */
int backend_write(struct fs_index *idx, const char *path);

/* Read the stored vectors back out of an index file that keeps them raw
 * (IVF-Flat as RVC writes it, or Flat): *x gets n*d floats in id order
 * (caller frees). Returns 0, or -1 after one error line naming the file
 * (unreadable, or an index type whose vectors cannot be recovered exactly). */
int backend_read_vectors(const char *path, float **x, size_t *n, size_t *d);

/* k-means with faiss's Clustering (L2, seeded, niter iterations, every
 * point used: max_points_per_centroid is lifted so that no subsample is
 * drawn): centroids gets k*d floats. Returns 0 or -1 after an error. */
int backend_kmeans(size_t n, const float *x, size_t d, size_t k, int niter, int seed,
                   float *centroids);

/* Seconds spent inside faiss calls. The owner of a measurement (the run)
 * keeps one and registers it for as long as it measures; with none
 * registered, nothing is counted. */
struct backend_clock {
    double seconds;
};
/* Register c (borrowed until replaced; NULL = none) as the clock every
 * backend call adds its faiss time to. Returns the clock registered before,
 * for the caller to put back. */
struct backend_clock *backend_clock_use(struct backend_clock *c);

/* Threads: set the thread count that faiss uses, in OpenMP and in OpenBLAS
 * (0 = all cores), and read them back (blas: -1 when not OpenBLAS). */
void backend_set_threads(int n);
int backend_threads(void);
int backend_blas_threads(void);

#endif
