/*
 * results.h - one row per sweep point, and the HDF5 file that holds them.
 *
 * The file has a compound dataset /runs (one row per point, one column per
 * field below, plain names), a dataset /blend (RVC's blend at each index_rate
 * of the sweep, rows pointing into /runs) and root attributes for provenance.
 * It is written to "<path>.partial" and renamed into place only when complete.
 */
#ifndef FS_RESULTS_H
#define FS_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#define RESULTS_MAX_KS 8
#define RESULTS_STR 96

struct result_row {
    char family[RESULTS_STR];   /* factory template as configured, e.g. "IVF{nlist},Flat" */
    char factory[RESULTS_STR];  /* resolved factory string, e.g. "IVF1024,Flat" */
    char metric[8];             /* "l2", "ip", "cosine" */
    int64_t N;                  /* base vectors indexed (a scale-ladder axis) */
    int64_t nlist;              /* 0 when the index has no IVF */
    int64_t nprobe;             /* 0 when not applicable */
    int64_t k_factor;           /* 0 when not applicable */
    char preprocess[48];        /* preprocessing of the base/queries, "" = none, e.g.
                                   "shuffle,kmeans=10000,qe=queries:a3:n4" */
    int64_t n_clusters;         /* k-means compression of the base; 0 = none */
    double train_s, add_s;
    double qps;                 /* batch queries per second, best of repeats */
    double lat_mean_us, lat_p50_us, lat_p95_us, lat_p99_us;  /* single query, 1 thread */
    int64_t index_bytes;        /* serialized size */
    int64_t rss_delta_bytes;    /* process RSS growth while building */
    double ndis_per_query;      /* IVF distance computations per query; NaN if not IVF */
    double recall_at[RESULTS_MAX_KS];   /* k-recall@k, ties extended, for each run k */
    double recall1_at[RESULTS_MAX_KS];  /* 1-recall@k: true nearest in the top k */
    int64_t missing_ids;        /* result slots holding -1, over all queries, at max k */
    /* RVC's blend of the k returned neighbours against the exact ones (rvc.blend_k;
     * NaN / -1 when off): relative L2 error of f, cosine of r, and counts of queries
     * with -1 ids or zero distances in the index's answer. */
    double blend_err_mean, blend_err_p95, blend_cos_mean;
    int64_t blend_missing, blend_zero_dist;
    /* Relative change of the exact f per 0.01 of index_rate: the mean of
     * 0.01 |r_exact - q| / |f_exact|, a yardstick for blend_err in RVC's own
     * slider units (NaN when off). */
    double blend_ir_unit;
    /* Search seconds per second of audio at 50 queries per second: 50 / qps
     * (batch) and 50 * mean single-query latency. */
    double audio_s_batch, audio_s_single;
    /* Query expansion (C7) seconds per second of audio, batch threads; NaN
     * when the queries are not expanded. Not in audio_s_batch. */
    double audio_s_qexpand;
    double prep_s;              /* base preprocessing before training (shuffle, expansion,
                                   k-means), seconds; 0 when none */
    char status[64];            /* "ok", or "skipped: <reason>", or "failed: <reason>" */
};

/* RVC's blend of one /runs row at one index_rate (the rvc.index_rate axis:
 * the search is the same, only the mix changes). */
struct blend_row {
    int64_t run_row;            /* row of /runs */
    double index_rate;
    double err_mean, err_p95;   /* as blend_err_mean / blend_err_p95 */
    double ir_unit;             /* as blend_ir_unit */
};

/* A root attribute: a string, an integer or a float. */
struct result_attr {
    char *name;
    enum { ATTR_STR, ATTR_INT, ATTR_FLOAT } type;
    char *s;
    int64_t i;
    double f;
};

struct result_set {
    long ks[RESULTS_MAX_KS];   /* the k values: columns recall_at_<k>, recall1_at_<k> */
    size_t n_ks;
    struct result_row *rows;
    size_t n_rows, cap_rows;
    struct blend_row *blend;   /* /blend: empty when blend fidelity is off */
    size_t n_blend, cap_blend;
    struct result_attr *attrs;
    size_t n_attrs;
};

/* Append a row (copied). */
void results_add_row(struct result_set *rs, const struct result_row *row);
/* Append a /blend row (copied). */
void results_add_blend(struct result_set *rs, const struct blend_row *b);
/* Set attributes (copied; replaces one of the same name). */
void results_attr_str(struct result_set *rs, const char *name, const char *value);
void results_attr_int(struct result_set *rs, const char *name, int64_t value);
void results_attr_float(struct result_set *rs, const char *name, double value);
/* Remove an attribute (nothing if absent). */
void results_attr_del(struct result_set *rs, const char *name);
/* Look up an attribute; NULL if absent. */
const struct result_attr *results_attr(const struct result_set *rs, const char *name);

/* Write the whole set to `path` atomically (".partial" then rename). Returns 0
 * or -1 after printing an error naming the file; no file is left on failure. */
int results_write(const struct result_set *rs, const char *path);
/* Read a file written by results_write (rows, ks from the column names, all
 * root attributes, /blend when present). Columns added after schema 1 may be
 * absent (older files): they read as NaN. Returns 0 or -1 with an error
 * naming the file. */
int results_read(struct result_set *rs, const char *path);
/* Free contents; safe on a zeroed struct. */
void results_release(struct result_set *rs);

#endif
