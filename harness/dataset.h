/*
 * dataset.h - one interface for every vector file format.
 *
 * A loader fills a `struct vecs` (row-major float32, n x d) from a file and
 * says plainly what it could not read. The sweep-level dataset (base + queries)
 * is assembled by dataset_load() from a `struct dataset_spec`.
 */
#ifndef FS_DATASET_H
#define FS_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

struct vecs {
    float *x;    /* n * d floats, row-major; owned */
    size_t n, d;
};
void vecs_release(struct vecs *v);

/* Loaders. Each returns 0 or -1 after printing an error naming the file
 * (and line where the format has lines). `limit` > 0 reads at most that many rows.
 * idx:        MNIST-style IDX (plain or gzip), ubyte/float payload, any number of dims
 *             after the first (flattened)
 * tsv:        numeric TSV/whitespace table; a last column holding a non-vector id is
 *             dropped when drop_last is set (SIFT 5k layout)
 * glove-json: one JSON object mapping word -> array of numbers (order of the file)
 * fvecs:      texmex .fvecs */
int load_idx(struct vecs *v, const char *path, size_t limit);
int load_tsv(struct vecs *v, const char *path, size_t limit, int drop_last);
int load_glove_json(struct vecs *v, const char *path, size_t limit);
int load_fvecs(struct vecs *v, const char *path, size_t limit);

/* Load by format name ("idx", "tsv", "tsv-id" = tsv dropping the last column,
 * "glove-json", "fvecs"). Unknown format: error listing the known ones. */
int load_vecs(struct vecs *v, const char *format, const char *path, size_t limit);

/* Every row finite? Returns the number of rows holding NaN or Inf; if
 * first_bad is not NULL it gets the index of the first such row. */
size_t vecs_count_nonfinite(const struct vecs *v, size_t *first_bad);

struct dataset {
    struct vecs base, queries;
    char *base_path, *queries_path;  /* as given (queries_path NULL when held out) */
    uint64_t hash;                   /* content hash of base and queries (values and shapes) */
};

/* Load base and queries as the spec says: queries from their own file, or a
 * seeded random sample of `holdout` rows taken out of the base. Checks that the
 * dimensions agree and that no row holds NaN/Inf (error naming the file and row).
 * Returns 0 or -1. */
int dataset_load(struct dataset *ds, const struct dataset_spec *spec);
void dataset_release(struct dataset *ds);

/* L2-normalise rows in place: x / max(eps, |x|). Returns the number of rows
 * whose norm was below eps (left as they were scaled, i.e. near zero). */
size_t vecs_normalize(struct vecs *v, float eps);

#endif
