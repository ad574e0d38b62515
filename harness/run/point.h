/*
 * point.h - one search point of a sweep becomes one row of the results:
 * its settings (family name, factory, metric, ...), its timed search, its
 * recall and the measures of the run, or the reason it did not run. Also
 * the resolved config text (every build with its points) for provenance.
 */
#ifndef FS_POINT_H
#define FS_POINT_H

#include <stddef.h>
#include <stdint.h>
#include "core/build.h"
#include "core/config.h"
#include "core/grid.h"
#include "lib/backend.h"
#include "lib/metrics.h"
#include "out/measure.h"
#include "out/results.h"
#include "run/prepare.h"

/* What every point of a run shares. Everything is the run's, borrowed for
 * the run's life; the buffers are written by each point. */
struct point_env {
    const struct config *cfg;
    const struct run_vectors *vec;
    struct result_set *rs;          /* rows are appended here */
    size_t kmax;                    /* the largest k: depth of the timed search */
    float *D, *D_k;                 /* nq x kmax (timed search), nq x kdeep (others): */
    int64_t *I, *I_k;               /* allocated once, so no page faults land in a timed call */
    int batch_threads;
    const struct measure *const *measures;  /* the run's measures, in column order */
    const int *cell0;               /* measure i's values start at row cells[cell0[i]] */
    size_t n_measures;
};

/* The build a point runs on: all borrowed for the build's life. */
struct point_build {
    const struct build_point *b;
    const struct prepared *prep;    /* its preprocessing */
    const struct ground_truth *gt;  /* exact answer for its N and metric */
    const struct build_stats *bs;   /* NULL when the build failed */
};

/* An entry's family: its label, else its factory template (told apart by
 * the position in the config when templates repeat), plus the preprocessing. */
void point_family(const struct config *cfg, const struct build_point *b, char *out, size_t len);

/* Append the row of a point that did not run: "skipped: <why>", or
 * "failed: build" when why is NULL (the build's stats are in pb->bs, or
 * none). */
void point_add_skip(const struct point_env *env, const struct point_build *pb,
                    const struct search_point *p, const char *why);

/* Run one search point on a built index (its search parameters set, the
 * search timed, the measures and recall taken) and append its row, and the
 * measures' side-table rows. Returns 0, or -1 when it failed (the row says
 * "failed: <what>"; no side-table rows are kept for it). */
int point_search(const struct point_env *env, struct fs_index *idx, const struct point_build *pb,
                 const struct search_point *p);

/* What the config became for this data: one line per build with its search
 * points, for the "config_resolved" attribute. Caller frees. */
char *point_resolved_config(const struct config *cfg, const struct run_vectors *vec,
                            const struct grid *g);

#endif
