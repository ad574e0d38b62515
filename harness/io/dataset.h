/*
 * dataset.h - a data set as the sweep uses it: base and query tables built
 * from a `struct dataset_spec` (what the config says to load), with the
 * holdout, the scale ladder, the content hash and a description of a file.
 *
 * The row table (struct vecs, struct clips and their row operations) is in
 * io/vecs.h and the formats and load_vecs() in io/formats.h; both are
 * included here, so a caller of the data-set layer needs only this header.
 */
#ifndef FS_DATASET_H
#define FS_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "io/formats.h"
#include "io/vecs.h"
#include "lib/util.h"

/* What to load, as the config says (config.c fills it). */
struct dataset_spec {
    char *format;       /* one of dataset_formats (io/formats.h) */
    char *base;         /* path, resolved against the config file's folder */
    char **base_more;   /* further base paths, read after base in order (base: [a, b]) */
    size_t n_base_more;
    char *queries;      /* path or NULL: then hold out `holdout` base rows */
    long base_limit;    /* use the first n base rows; 0 = all */
    long query_limit;   /* use the first n queries; 0 = all */
    long holdout;       /* rows held out as queries when queries == NULL (default 1000) */
    unsigned long seed; /* for the holdout sample (default 1) */
    int line;
    char *queries_format;    /* format of the queries file; NULL = same as format */
    char *rvc_version;       /* "v1" (3_feature256), "v2" (3_feature768); NULL = auto */
    long holdout_clips;      /* rvc: whole clips held out as queries; 0 = not used */
    double holdout_fraction; /* rvc: fraction of the clips held out, in (0, 1); 0 = not used */
    struct long_list sizes;  /* scale ladder of base sizes, ascending, unique; n == 0: none */
    int sizes_line;          /* line of dataset.sizes, for messages (0 if absent) */
    char *file;              /* config file name, for messages (NULL: none) */
};

struct dataset {
    struct vecs base, queries;
    char *base_path, *queries_path;  /* as given (queries_path NULL when held out) */
    uint64_t hash;                   /* content hash of base and queries (values and shapes) */
    /* Clip boundaries (rvc folders; n == 0 for row data). */
    struct clips base_clips, query_clips;
    /* ann-hdf5 only: the file's ground truth for the queries (queries.n x
     * gt_k, best first; NULL / 0 when absent, or when base_limit cut the
     * base so the stored ids no longer apply), and the file's metric ("l2",
     * "cosine", "ip"; NULL when unknown or not ann-hdf5). Ids index the
     * whole base, so a ladder prefix (dataset_prefix_rows < base.n) cannot
     * use them. */
    int64_t *gt_ids;
    float *gt_dist;      /* as stored: L2 (not squared), 1 - cos, or -dot */
    size_t gt_k;
    const char *native_metric;
    char distance[16];   /* ann-benchmarks' own name ("euclidean", ...) */
};

/* Load base and queries as the spec says: queries from their own file (read
 * as queries_format), the file's own split (ann-hdf5 test), whole clips held
 * out (rvc: holdout_clips / holdout_fraction, seeded), or a seeded random
 * sample of `holdout` rows taken out of the base. Checks that the dimensions
 * agree, that no row holds NaN/Inf (error naming the file and row) and that
 * every ladder size fits the base. Returns 0 or -1. */
int dataset_load(struct dataset *ds, const struct dataset_spec *spec);
void dataset_release(struct dataset *ds);

/* Leading base rows to use for ladder size n: n itself for row data (capped
 * at base.n); for clip data the end of the last whole clip within n rows,
 * but at least the first clip. */
size_t dataset_prefix_rows(const struct dataset *ds, size_t n);

/* Print what a data file holds: format, N, d, dtype as stored, clips
 * (count, min/median/max rows), L2 norms (min/mean/max), rows with NaN/Inf,
 * zero rows, exact duplicate rows, and the content hash (dataset_load's hash
 * of this base with no queries; for ann-hdf5 also the hash of train + test,
 * which is the one a run keys its ground-truth cache on). format NULL: guess
 * from the path. Returns 0 or -1 after an error naming the file. */
int dataset_info(FILE *out, const char *format, const char *path);

#endif
