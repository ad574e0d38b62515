/*
 * task.h - which task of a scale-out run this process is (`run --task I
 * --of N --run-id ID`, or `--task auto` from Slurm's or Kubernetes's
 * variables), and the `plan` command that prints the partition.
 */
#ifndef FS_TASK_H
#define FS_TASK_H

#include <stddef.h>
#include "core/grid.h"
#include "out/results.h"
#include "run/journal.h"
#include "run/plan.h"

#define TASK_MAX_COUNT 100000
#define TASK_RUN_ID_MAX 64

struct task_spec {
    long index;                         /* 0-based; -1: not a task run */
    long count;                         /* N >= 1; 0: not a task run */
    char run_id[TASK_RUN_ID_MAX + 1];   /* [A-Za-z0-9._-], 1-64 characters */
};

/* The task from the options as typed (NULL: not given). --task auto reads
 * SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (default 0), with
 * SLURM_ARRAY_TASK_COUNT unless --of and SLURM_ARRAY_JOB_ID unless
 * --run-id; else JOB_COMPLETION_INDEX, with --of and --run-id required.
 * Neither --task nor --of nor --run-id: t->index -1 (a plain run, no
 * variable read). Returns 0, or 2 after one error line naming the option
 * or the variable at fault (a usage error). */
int task_resolve(const char *task, const char *of, const char *run_id, struct task_spec *t);

/* Whether id is a valid run id. */
int task_run_id_ok(const char *id);

/* The share of the builds of a task run. Zeroed = none; owned. */
struct task_share {
    unsigned char *in;          /* g->n_builds flags: build i is the task's */
    size_t points;              /* the points of its builds */
    char plan_hash[17];         /* the partition's (plan_hash_text) */
};
/* Task index of count's share of g's builds (the partition of plan.h,
 * estimated with threads, c borrowed for the call); one line says it. */
void task_share_select(struct task_share *s, const struct grid *g, const struct plan_ctx *c,
                       int threads, long index, long count, const char *run_id);
void task_share_release(struct task_share *s);

/* Claim a task's file `path` (outdir/<name>-<id>.task-<I>-of-<N>.h5) as
 * run claims its own, by creating its journal exclusively, under its one
 * name: a task that finished, or is running or was killed (its journal
 * stays), is an error saying what to do. Returns 0 or -1. */
int task_claim(struct journal *j, const char *path, long index, const char *run_id);

/* The attributes of a task's file that merge checks: run_id, task_index,
 * task_count, plan_hash, task_points, host. */
void task_attrs(struct result_set *rs, const struct task_share *s, long index, long count,
                const char *run_id);

/* Each row's grid ordinal (j->ord) into /ordinals (run_row, ordinal), for
 * merge to interleave tasks' rows in the grid's order; nothing when the
 * journal does not know every row's. */
void task_ordinals(struct result_set *rs, const struct journal *j);

/* `plan CONFIG --of N [--resources]`: the partition (plan_print) or the
 * resources line on stdout. Returns 0, or 2 after an error (bad --of,
 * the config's or the data's errors). */
int task_plan_command(const char *config_path, const char *const *sets, size_t n_sets,
                      const char *of, int resources);

/* `prepare` (run/precompute.c): fill the cache; see precompute.h. */
int precompute_run(const char *config_path, const char *output_dir, const char *const *sets,
                   size_t n_sets);

#endif
