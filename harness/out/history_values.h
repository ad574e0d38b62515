/*
 * history_values.h - the quality and size series of `faiss-sweep history`:
 * per index family (metric, N), the best recall@k any of its points
 * reaches in each run; per build (factory, metric, N, family), its index
 * size in each run. Each series marks the runs where a change beyond the
 * tolerance `compare` uses started, against the latest earlier run with a
 * value: recall by more than max(0.005, 2 standard errors of the earlier
 * run's recall over nq x k trials), size by more than 1% either way.
 */
#ifndef FS_HISTORY_VALUES_H
#define FS_HISTORY_VALUES_H

#include <stdint.h>
#include <stdio.h>
#include "out/results.h"

#define HISTORY_RECALL_FLOOR 0.005  /* compare's recall_tol */
#define HISTORY_SIZE_TOL 0.01       /* compare's size_tol */

struct history;

enum history_value_kind { HISTORY_RECALL, HISTORY_SIZE };

struct history_value_series {
    enum history_value_kind kind;
    char family[RESULTS_STR];
    char factory[RESULTS_STR];  /* HISTORY_SIZE: the build; "" for recall */
    char metric[8];
    int64_t N;
    double *v;                  /* per run (history's order); NaN: no ok point there */
    int *step;                  /* per run: a change beyond the tolerance starts here */
};

/* Make every series of h's ordered runs into h->values. */
void history_values_make(struct history *h);
/* The tables: one block per series, one line per run. */
void history_values_print(FILE *f, const struct history *h);
/* outdir/history-recall.{dat,png,svg} and history-size.*, drawn with
 * templates_dir/history_value.gp. 0, or -1 after an error naming the file. */
int history_values_plot(const struct history *h, const char *outdir, const char *templates_dir);
void history_values_release(struct history *h);

#endif
