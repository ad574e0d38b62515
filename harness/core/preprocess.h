/*
 * preprocess.h - the faiss tips document's preprocessing steps, and RVC's,
 * as functions on plain float arrays (row-major, n x d): alpha query
 * expansion (claim C7), k-means compression of the base (C8) and RVC's
 * seeded row shuffle. Cosine normalisation is vecs_normalize (dataset.h).
 *
 * Ground truth stays on the original base and queries: these functions
 * return new vectors and never decide what they replace.
 */
#ifndef FS_PREPROCESS_H
#define FS_PREPROCESS_H

#include <stddef.h>
#include <stdint.h>

/* Alpha expansion searches `batch` rows of x at a time against chunks of
 * `chunk` base rows (normalised copy, and faiss's own copy), so its memory
 * is about 2 * chunk * d floats + batch * (d + 4 * num_expand) values,
 * whatever n and nb are: never n x nb, nor a copy of the base. The run
 * uses these sizes. */
#define PREP_EXPAND_BATCH 4096
#define PREP_EXPAND_CHUNK 32768
/* The document's normalisation floor: X / max(|X|, 1e-9). */
#define PREP_EXPAND_EPS 1e-9

struct expand_stats {
    size_t negative;   /* neighbour slots with cosine < 0 */
    size_t clamped;    /* of those, weighted 0 because alpha is not an integer */
    size_t zero_rows;  /* output rows whose weighted sum had norm < eps (left ~0) */
};

/*
 * Alpha query expansion, as the tips document's code does it: normalise the
 * base and x (X / max(|X|, 1e-9)); find each row's num_expand nearest base
 * rows by inner product (exact search: the document uses an approximate
 * IVF-PQ index; its L2 metric on unit vectors ranks as cosine does); replace
 * the row by sum_j cos_j^alpha * base_j over those neighbours; normalise
 * again. A row of x that is also in the base finds itself (cos 1, weight 1),
 * as in the document where the base is expanded against itself.
 *
 * To expand the base pass x = base; to expand queries pass the queries and
 * the base they are searched in; for both, expand the queries against the
 * original base before replacing it (or against the expanded one: the
 * caller chooses). Output rows are unit vectors (or ~0, see zero_rows): pair
 * them with the cosine metric.
 *
 * Negative cosine: numpy's power of a negative float32 is sign-preserving
 * for an integer exponent (alpha = 3 gives a negative weight, pushing the
 * row away from that neighbour) and NaN otherwise (a NaN row). We follow
 * numpy for integer alpha and weight such neighbours 0 for non-integer
 * alpha rather than emit NaN; both are counted in st.
 *
 * out (n x d) may be x itself, but not the base (read throughout: to
 * expand the base against itself, write to a new array). Runs in batches
 * of `batch` rows (0 = PREP_EXPAND_BATCH) against chunks of `chunk` base
 * rows (0 = PREP_EXPAND_CHUNK); results do not depend on either size
 * (neighbours are merged by (cosine, id) and summed in id order). Ids of -1
 * (num_expand > nb) are skipped. st may be NULL. Returns 0, or -1 after one error line (num_expand 0, alpha not
 * finite, empty base, out == base, a faiss failure).
 */
int prep_alpha_expand(const float *x, size_t n, const float *base, size_t nb, size_t d,
                      size_t num_expand, double alpha, size_t batch, size_t chunk,
                      float *out, struct expand_stats *st);

/* faiss's default iteration count (ClusteringParameters.niter). */
#define PREP_KMEANS_NITER 25

/*
 * k-means compression of the base: centroids (n_clusters x d, caller's
 * buffer) become the stored vectors. RVC uses sklearn's MiniBatchKMeans
 * (random init, batches of 256 * cpu count, sklearn's stopping rule); we use
 * faiss's full-batch Lloyd k-means (init: n_clusters distinct rows drawn at
 * random, `niter` iterations, every point, seeded) so a sweep is reproducible
 * and needs no Python; centroids are close but not the same. faiss warns on
 * stderr when n < 39 * n_clusters. Returns 0, or -1 after one error line
 * (n_clusters 0 or above n, a faiss failure).
 */
int prep_kmeans_compress(const float *x, size_t n, size_t d, size_t n_clusters,
                         int niter, int seed, float *centroids);

/*
 * RVC shuffles the rows before training (np.random.shuffle). We do the same
 * Fisher-Yates walk (last row down, swap with a uniform earlier-or-same row)
 * driven by splitmix64 with unbiased bounded draws: the same permutation for
 * a seed on every machine, but not numpy's permutation (not bit-for-bit).
 *
 * prep_permutation fills perm (n entries) with the permutation for seed.
 * prep_shuffle_rows applies it to x in place (one row of scratch): afterwards
 * row i holds original row perm[i]; perm may be NULL. An index built from
 * shuffled rows answers in shuffled ids: the blend can use them as they are
 * (pass the shuffled rows as its stored vectors), recall needs
 * prep_unshuffle_ids to map them back to original ids (-1 stays -1).
 */
void prep_permutation(int64_t *perm, size_t n, uint64_t seed);
void prep_shuffle_rows(float *x, size_t n, size_t d, uint64_t seed, int64_t *perm);
void prep_unshuffle_ids(int64_t *I, size_t count, const int64_t *perm);

#endif
