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
#include <stdio.h>
#include "lib/util.h"

struct vecs {
    float *x;    /* n * d floats, row-major; owned (malloc'd, or inside map) */
    size_t n, d;
    /* Set when x points into a private file mapping (float32 .npy): release
     * unmaps instead of freeing, and the table never grows or shrinks. */
    void *map;
    size_t map_len;
    const char *dtype;  /* value type as stored ("float32", "uint8", "text", ...;
                         * static string), NULL if unknown */
};
void vecs_release(struct vecs *v);

/* Clip boundaries of data read from many files (RVC feature folders): clip i
 * is rows [first[i], first[i + 1]) and came from names[i]. n == 0: row data. */
struct clips {
    size_t n;
    char **names;   /* file names (no folder), owned */
    size_t *first;  /* n + 1 entries; first[n] is the row count */
};
void clips_release(struct clips *c);

/* Loaders. Each returns 0 or -1 after printing an error naming the file
 * (and line where the format has lines). `limit` > 0 reads at most that many rows.
 * idx:        MNIST-style IDX (plain or gzip), ubyte/float payload, any number of dims
 *             after the first (flattened)
 * tsv:        numeric TSV/whitespace table; a last column holding a non-vector id is
 *             dropped when drop_last is set (SIFT 5k layout)
 * glove-json: one JSON object mapping word -> array of numbers (order of the file)
 * glove-txt:  GloVe text, "word v1 v2 ..." per line (word: any non-blank
 *             characters); a word2vec/fastText "count dim" first line is skipped
 * fvecs, ivecs, bvecs: texmex (int32 dim, then float32 / int32 / uint8 values)
 * npy, rvc, rvc-index: see npy.h and rvcdir.h; ann-hdf5: see annb.h */
int load_idx(struct vecs *v, const char *path, size_t limit);
int load_tsv(struct vecs *v, const char *path, size_t limit, int drop_last);
int load_glove_json(struct vecs *v, const char *path, size_t limit);
int load_glove_txt(struct vecs *v, const char *path, size_t limit);
int load_fvecs(struct vecs *v, const char *path, size_t limit);
int load_ivecs(struct vecs *v, const char *path, size_t limit);
int load_bvecs(struct vecs *v, const char *path, size_t limit);

/* Every format name, NULL-terminated: idx, tsv, tsv-id, glove-json, glove-txt,
 * fvecs, ivecs, bvecs, npy, rvc, rvc-index, ann-hdf5. */
extern const char *const dataset_formats[];

/* Load by format name (one of dataset_formats; "tsv-id" = tsv dropping the
 * last column). Clip boundaries of "rvc" and the test split and ground truth
 * of "ann-hdf5" are dropped here: dataset_load keeps them. Unknown format:
 * error listing the known ones. */
int load_vecs(struct vecs *v, const char *format, const char *path, size_t limit);

/* The format a path most likely holds, from its name (or folder = rvc):
 * .npy, .fvecs, .ivecs, .bvecs, .hdf5/.h5 (ann-hdf5), .index (rvc-index),
 * .tsv, .json (glove-json), .txt (glove-txt), *-idx*-ubyte[.gz] and .idx
 * (idx). NULL when nothing fits. */
const char *dataset_guess_format(const char *path);

/* Every row finite? Returns the number of rows holding NaN or Inf; if
 * first_bad is not NULL it gets the index of the first such row. */
size_t vecs_count_nonfinite(const struct vecs *v, size_t *first_bad);

/* What to load, as the config says (config.c fills it). */
struct dataset_spec {
    char *format;       /* one of dataset_formats (dataset.h) */
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

/* L2-normalise rows in place: x / max(eps, |x|). Returns the number of rows
 * whose norm was below eps (left as they were scaled, i.e. near zero). */
size_t vecs_normalize(struct vecs *v, float eps);

/* Rows whose L2 norm is below eps (zero vectors: no direction under cosine). */
size_t vecs_count_zero_rows(const struct vecs *v, float eps);
/* Remove them in place, keeping the order of the rest; returns how many went.
 * Row ids after the first dropped row shift (clip boundaries are not updated). */
size_t vecs_drop_zero_rows(struct vecs *v, float eps);

#endif
