/*
 * history.h - `faiss-sweep history`: several results files as runs over
 * time, the fastest point reaching each recall target in each run, and the
 * runs where a change beyond the noise started.
 *
 * The runs are ordered by their root attribute start_time (an ISO UTC
 * string, so that text order is time order; ties and files without it
 * keep the order given, files without it last). For each index family
 * (with its metric and N) and each target 0.90, 0.95, 0.99 of recall at
 * the largest k every run has, a series holds one point per run: the row
 * summary_best answers in that run, its qps and the qps 95% interval.
 *
 * Step rule: a run is a step when, against the latest earlier run of its
 * series that reached the target, (1) its qps lies outside that run's
 * interval, (2) that run's qps lies outside its own interval, and (3) the
 * relative change exceeds HISTORY_NOISE (10%). When either interval is
 * missing (files before schema 4) nothing is decided: the point says
 * "no interval" and is never a step.
 *
 * Beside the qps series: recall and index size over runs, with their own
 * steps (out/history_values.h).
 */
#ifndef FS_HISTORY_H
#define FS_HISTORY_H

#include <stddef.h>
#include <stdio.h>
#include "out/results.h"
#include "out/summary.h"
#include "out/history_values.h"

#define HISTORY_NOISE 0.10
#define HISTORY_N_TARGETS SUMMARY_N_TARGETS  /* summary_targets */

/* One results file. */
struct history_run {
    const char *path;           /* borrowed from the caller of history_load */
    size_t given;               /* position among the files given */
    struct result_set rs;
    const char *start_time;     /* attribute start_time, or NULL (borrowed from rs) */
    const char *commit;         /* attribute git_commit, or NULL (borrowed from rs) */
    size_t kidx;                /* the index of history.k in rs.ks */
};

/* One run's answer in a series. */
struct history_point {
    long row;                   /* row of the run's set, -1: the target not reached */
    int interval;               /* the row has a qps interval (summary_has_interval) */
    int step;                   /* a change beyond the noise starts here (rule above) */
    int undecided;              /* compared with an earlier point, but an interval was missing */
};

struct history_series {
    char family[RESULTS_STR];
    char metric[8];
    int64_t N;
    double target;
    struct history_point *pts;  /* one per run, in the runs' order */
};

struct history {
    struct history_run *runs;   /* ordered by start_time */
    size_t n_runs;
    long k;                     /* the largest k all runs share */
    struct history_series *series;  /* per (family, metric, N) in order of first appearance
                                       over the ordered runs, then per target */
    size_t n_series;
    struct history_value_series *values;    /* recall per family, size per build */
    size_t n_values;
};

/* Read the n files (paths borrowed until history_release), order them and
 * compute every series. Returns 0, or -1 after an error naming the file
 * (unreadable, or no k shared by all). h is released on failure. */
int history_load(struct history *h, const char *const *paths, size_t n);

/* One block per series, one line per run: index, start time, commit, qps
 * with its interval, the winner's factory, nprobe, k_factor, recall and
 * index size, and "step" or "no interval"; then the recall and size series. */
void history_print(FILE *f, const struct history *h);

/* Write outdir/history-qps.dat and draw templates_dir/history.gp into
 * outdir/history-qps.{png,svg} (outdir created if missing), then the recall
 * and size plots (history_values_plot). Returns 0, or
 * -1 after an error naming the file or template. */
int history_plot(const struct history *h, const char *outdir, const char *templates_dir);

/* Free contents; safe on a zeroed struct. */
void history_release(struct history *h);

#endif
