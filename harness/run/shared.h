/*
 * shared.h - the parts of a sweep's setup that `run`, `plan` and `prepare`
 * share: the metrics a config uses, the scale ladder, the faiss preflight
 * of the factories, and the ground truths of every (ladder size, metric).
 */
#ifndef FS_SHARED_H
#define FS_SHARED_H

#include <stddef.h>
#include "core/config.h"
#include "core/grid.h"
#include "io/dataset.h"
#include "lib/backend.h"
#include "lib/metrics.h"
#include "run/prepare.h"

/* faiss's metric for a config's (cosine searches unit vectors by ip). */
enum backend_metric run_backend_metric(enum metric m);
/* Whether the config sweeps metric m. */
int run_uses_metric(const struct config *cfg, enum metric m);

/* The ladder's sizes in base rows (whole clips for clip data; duplicates
 * dropped): the whole base when there is no ladder. *sizes is malloc'd
 * (caller frees); returns their count (>= 1). */
size_t run_ladder(const struct config *cfg, const struct dataset *ds, size_t **sizes);

/* Every factory string of g must build for dimension d before hours are
 * spent; a build whose factory names an index component the linked faiss
 * lacks has every point skipped with the reason written into unknown_skip
 * (len bytes, "unknown to faiss X.Y"; the caller's buffer, which must
 * outlive g's points). Returns 0, or -1 after a config-located error. */
int run_preflight(const struct grid *g, const struct config *cfg, size_t d,
                  char *unknown_skip, size_t len);

/* What the ground truths are computed from: all borrowed for the call. */
struct gt_need {
    const struct config *cfg;
    const struct dataset *ds;
    const struct run_vectors *vec;
    const size_t *sizes;        /* the ladder (run_ladder) */
    size_t n_sizes;
    size_t kdeep, kmax;         /* depth needed; the largest k */
    const unsigned char *use;   /* n_sizes x 3 flags: only these (size, metric); NULL: all */
};

/* Exact neighbours for every (ladder size, metric) in use into gt
 * (n_sizes x 3, zeroed by the caller; entries of metrics not in use stay
 * empty); a prefix of the base has its own cache key, the whole base may
 * take the data set's own. Prints one line per ground truth (computed or
 * from cache). Returns 0 or -1 after an error. */
int run_ground_truths(const struct gt_need *n, struct ground_truth (*gt)[3]);

#include "run/measures.h"

/* What `plan` and `prepare` load of a sweep, as `run` does: the config
 * (with --set overrides), the data set, the ladder and the grid, checked
 * like run's (sizes, measurable, faiss preflight). Zeroed = empty. */
struct sweep_setup {
    struct config cfg;
    struct dataset ds;
    size_t *sizes, n_sizes;
    struct grid grid;
    struct run_measures ms;
    size_t kmax, kdeep;
    int threads;                /* measure.threads resolved (0: this machine's cores) */
    char unknown_skip[48];      /* run_preflight's reason, the grid's points point here */
};

/* Load it all (sets borrowed for the call); the threads faiss uses are
 * set. Returns 0, or -1 after an error (a config or data error, as run's);
 * s is to be released either way. */
int sweep_setup_load(struct sweep_setup *s, const char *config_path, const char *const *sets,
                     size_t n_sets);
void sweep_setup_release(struct sweep_setup *s);

#endif
