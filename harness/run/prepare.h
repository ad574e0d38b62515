/*
 * prepare.h - what one build indexes and searches with.
 *
 * The run's vectors under each metric (the data set's own, or unit copies
 * for cosine), and a build's preprocessing in RVC's order: shuffle the rows,
 * expand them (alpha expansion, with a one-slot cache shared by the builds
 * of one run), compress them with k-means, expand the queries. Ground truth
 * stays that of the original vectors.
 */
#ifndef FS_PREPARE_H
#define FS_PREPARE_H

#include <stddef.h>
#include <stdint.h>
#include "core/config.h"
#include "core/grid.h"
#include "io/dataset.h"

/* The base and queries of a run under each metric. */
struct run_vectors {
    const struct dataset *ds;               /* borrowed: the run's data set, for its life */
    struct vecs unit_base, unit_queries;    /* normalised copies; empty without cosine */
};

/* Fill the unit copies when `cosine` is set (zero base rows left out, zero
 * queries kept; both warned about). Returns 0. */
int run_vectors_init(struct run_vectors *v, const struct dataset *ds, int cosine);
void run_vectors_release(struct run_vectors *v);
/* The base and the queries searched under metric m (borrowed from v). */
const struct vecs *rv_base(const struct run_vectors *v, enum metric m);
const struct vecs *rv_queries(const struct run_vectors *v, enum metric m);
/* Base rows a build on the first N rows gets under m: cosine runs may have
 * dropped zero vectors. */
size_t rv_rows(const struct run_vectors *v, enum metric m, size_t N);

/* The last base expansion of the run, reused by the next build that asks
 * for the same one: expanding the base is an exact k-NN of the base against
 * itself (21 minutes at 300k x 768 here), and "base" and "both" builds share
 * it. Zeroed = empty; release frees x. */
struct expand_cache {
    float *x;           /* n x d expanded rows; NULL = nothing cached */
    enum metric metric;
    size_t n;
    int shuffle, num_expand;
    double alpha;
    double s;           /* seconds the expansion took when computed */
};
void expand_cache_release(struct expand_cache *c);

/* What one build indexes and searches with, after its preprocessing: NULL
 * fields mean "the original" (rv_base / rv_queries). Owned; zeroed = nothing. */
struct prepared {
    float *base;        /* rows the index is built on */
    size_t n;           /* ... and their count */
    int64_t *perm;      /* shuffled: row i of base is original row perm[i] */
    float *queries;     /* expanded queries */
    int no_recall;      /* ids are centroids, not base rows: recall does not apply */
    double prep_s;      /* seconds spent on the base before training */
    double qexpand_s;   /* seconds spent expanding all queries; 0 = not expanded */
};

/* The build's preprocessing (nothing when b->prep is ""), seeded by `seed`
 * (the data set's), using and refreshing `cache`. Returns 0, or -1 after an
 * error; p is to be released either way. */
int prepare_build(struct prepared *p, const struct run_vectors *v, const struct build_point *b,
                  uint64_t seed, struct expand_cache *cache);
void prepared_release(struct prepared *p);

/* The rows the build's index stores (*n of them) and the queries it is
 * searched with: the prepared ones, else the run's under the build's metric. */
const float *prepared_base(const struct prepared *p, const struct run_vectors *v,
                           const struct build_point *b, size_t *n);
const float *prepared_queries(const struct prepared *p, const struct run_vectors *v,
                              enum metric m);

#endif
