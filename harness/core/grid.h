/*
 * grid.h - expand a config into the points of a sweep.
 *
 * Build-time axes (factory, nlist, metric) give builds, each trained and
 * filled once; search-time axes (nprobe, k_factor) give the search points run
 * on it. A combination that does not apply is kept as a point with a skip
 * reason, so the run can log and count it.
 */
#ifndef FS_GRID_H
#define FS_GRID_H

#include <stddef.h>
#include "core/config.h"

struct search_point {
    long nprobe;        /* 0 = not applicable (no IVF) */
    long k_factor;      /* 0 = not applicable (no refinement) */
    const char *skip;   /* NULL, or why this combination is skipped (static text) */
    size_t ordinal;     /* its position among all the grid's points (build by build):
                           the point's identity in a run's journal and its row order */
};

struct build_point {
    const struct index_spec *spec;
    int spec_no;        /* position in config.indexes, for messages */
    char *factory;      /* resolved factory string */
    enum metric metric;
    size_t N;           /* base rows indexed: the first N (a scale-ladder step) */
    long nlist;         /* 0 when the factory has no IVF */
    int refine;         /* has a re-ranking stage that k_factor applies to */
    const char *kf_param; /* its faiss parameter: "k_factor_rf" (RFlat, Refine(...)),
                             "k_factor" (IVFPQR, "PQm+m2"); NULL without one */
    /* preprocessing of this build (see struct prep_spec) */
    int shuffle;
    long add_batch;
    long train_rows;    /* train on the first this many base rows; 0 = all */
    long n_clusters;    /* k-means compression to this many centroids; 0 = none */
    double alpha;       /* alpha query expansion when num_expand > 0 */
    long num_expand;    /* 0 = no expansion */
    enum expand_on expand_on;
    char prep[48];      /* the above as text ("" = none), e.g. "shuffle,kmeans=10000" */
    struct search_point *points;
    size_t n_points;
};

struct grid {
    struct build_point *builds;
    size_t n_builds;
    size_t n_points, n_skipped;  /* over all builds */
    /* The first combination of the config that gave no build (a k-means size
     * that does not compress N), as "<key>: <why>"; "" when none. */
    char not_built[192];
};

/* Substitute {nlist}, {d} and {d/N} in a factory template. Returns a malloc'd
 * string, or NULL with a reason in errbuf. */
char *factory_resolve(const char *tmpl, long nlist, size_t d, char *errbuf, size_t errlen);

/* nlist values of one index entry for a base of N vectors (the rules and
 * sqrt multipliers of rules.h resolved; values < 1 dropped, sorted, unique).
 * Returns the count; out is malloc'd (caller frees, also when 0). */
size_t nlist_values(const struct index_spec *spec, size_t N, long **out);

/* nprobe values for a given nlist (rules resolved; values < 1 dropped,
 * sorted, unique). Returns the count; out is malloc'd (caller frees). */
size_t nprobe_values(const struct nprobe_spec *spec, long nlist, long **out);

/* Whether the grid has nothing to measure (no point, or every point
 * skipped); when so, an error naming the config and why. Returns 0 or -1. */
int grid_check_measurable(const struct grid *g, const struct config *cfg);

/* Expand the whole config for each base size in sizes[] (the first N rows;
 * one size when there is no scale ladder), vectors of dimension d. Builds
 * come size by size. Returns 0, or -1 after printing an error naming the
 * config file, line and key. */
int grid_expand(struct grid *g, const struct config *cfg, const size_t *sizes,
                size_t n_sizes, size_t d);
void grid_release(struct grid *g);

/* Every scale-ladder size of the config (dataset.sizes) fits a base of
 * base_n rows (read from base_path)? Returns 0, or -1 after one
 * config-located error naming the size at fault. */
int grid_check_sizes(const struct config *cfg, size_t base_n, const char *base_path);

#endif
