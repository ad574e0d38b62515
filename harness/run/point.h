/*
 * point.h - the search points of a group of builds become rows of the results:
 * their settings (family name, factory, metric, ...), their timings
 * (interleaved over the points, with their spread and raw samples), recall
 * and the measures of the run, or the reason they did not run. Also
 * the resolved config text (every build with its points) for provenance.
 */
#ifndef FS_POINT_H
#define FS_POINT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "core/build.h"
#include "core/config.h"
#include "core/grid.h"
#include "lib/backend.h"
#include "lib/metrics.h"
#include "out/cost.h"
#include "out/measure.h"
#include "out/results.h"
#include "run/journal.h"
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
    /* The timed queries: rows of the query set (ascending), the same for
     * every point of the run; n_time == nq when all are timed. */
    const size_t *time_rows;
    size_t n_time;
    struct cost *cost;              /* the run's, where timed and untimed searches add up */
    struct journal *journal;        /* each row is appended to it as it is made; NULL: none */
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

/* One info line per build for its skipped points, not one per point. */
void point_log_skips(const struct build_point *b);
/* Seed of the bootstrap interval of the median qps: the same samples give
 * the same interval on every machine. */
#define POINT_BOOT_SEED UINT64_C(0x7133e5eed)

/* Whether a row's timings are noisy: 1 when the 95% interval of its median
 * qps reaches further than limit x qps from it on either side, or its
 * latency rounds' p50 vary by a coefficient of variation above limit; 0
 * when neither; -1 when neither could be judged (one repetition, no
 * latency rounds). */
int point_noisy(const struct result_row *row, double limit);

/* Called as the schedule moves on: p is the point now measured, of build
 * b (p NULL: a round over all of them, b the group's first build); what is
 * "calibrating", "timing" or "searching". */
typedef void (*point_progress_fn)(void *ctx, const struct build_point *b,
                                  const struct search_point *p, const char *what);

/* Measure every point of a group of builds, each on its own index (idx[j]
 * for pbs[j]), and append one row each (skipped points too). Measuring the
 * builds together (measure.interleave_mb) lets every round visit every
 * point, so a slow stretch of the machine touches one repetition of each
 * point instead of all of one build's (README: what it gave, measured).
 * The schedule, in order, each step over the group's points (builds in turn, each build's points
 * in turn):
 *  1. each point in turn: its parameters set, calibration (search_calibrate:
 *     warm-up, calls per repetition, repetitions within the budget), then
 *     its first latency round on one thread (its length sets the rounds);
 *  2. the other latency rounds, round-robin over the points, one thread;
 *  3. batch rounds, round-robin: in round r a point repeats when
 *     search_visits(reps, rounds, r); in the last round each point's row is
 *     made right after its repetition: recall and measures from a search of
 *     all queries at kmax (the repetition's own answer when all queries are
 *     timed, else one untimed search), then its /timings rows.
 * Calibration, repetitions and latency rounds search the timed queries
 * (env->time_rows); recall always comes from all of them.
 * Parameters are set at every visit. stop (Ctrl-C) is looked at between
 * points of step 1 and between rounds: once set, the group's points get no
 * rows (the journal keeps their visits). progress may be NULL. Returns the
 * number of points that failed (their rows say "failed: <what>"; no
 * side-table rows are kept for them). */
size_t point_run_group(const struct point_env *env, struct fs_index *const *idx,
                       const struct point_build *pbs, size_t n_builds,
                       const volatile sig_atomic_t *stop, point_progress_fn progress, void *ctx);

/* What the config became for this data: one line per build with its search
 * points, for the "config_resolved" attribute. Caller frees. */
char *point_resolved_config(const struct config *cfg, const struct run_vectors *vec,
                            const struct grid *g);

#endif
