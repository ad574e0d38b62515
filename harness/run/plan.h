/*
 * plan.h - the partition of a sweep's builds into tasks (`faiss-sweep plan
 * CONFIG --of N`, `run --task I --of N`): an estimate of each build's
 * seconds and peak memory from its shape (factory kind, nlist, N, d, its
 * preprocessing and its search points under the measure budget), and a
 * deterministic greedy partition, longest build first onto the least
 * loaded task. Every task computes the same partition from the config and
 * the data: the estimate uses nothing of the machine it runs on.
 */
#ifndef FS_PLAN_H
#define FS_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/config.h"
#include "core/grid.h"

/* The threads the partition's estimate assumes when measure.threads is 0
 * (all cores: a number each machine resolves differently, which would
 * give each task its own partition). */
#define PLAN_REF_THREADS 8

/* What a build's estimate depends on besides the build: borrowed. */
struct plan_ctx {
    size_t d;                       /* dimension of the vectors */
    size_t nq;                      /* queries */
    size_t base_n;                  /* rows of the whole base (held in memory) */
    size_t kmax, kdeep;             /* the largest k; ground truth depth */
    int cosine;                     /* the run keeps unit copies of the vectors */
    const struct measure_spec *m;   /* the time budget of each point */
    int coarse_shared;              /* reuse_quantizers: the coarse k-means of builds on the
                                       plain base is shared work (prepare trains it once), no
                                       task's cost */
};

/* One build's estimate. */
struct plan_est {
    double seconds;     /* wall seconds at the given threads */
    double mem_mib;     /* peak resident memory while it runs */
    double held_mib;    /* what it holds while its group is measured: index, prepared base */
};

/* The estimate of build b with `threads` threads for the batch work. */
void plan_estimate(const struct build_point *b, const struct plan_ctx *c, int threads,
                   struct plan_est *e);

/* Greedy longest-first partition: builds in decreasing cost (ties: lower
 * index first), each onto the task with the least cost so far (ties:
 * the lowest task). task_of[i] gets build i's task, in [0, n_tasks). */
void plan_partition(const double *cost, size_t n, size_t n_tasks, size_t *task_of);

/* A sweep's partition into n_tasks tasks, with its estimates. */
struct plan {
    size_t n_builds, n_tasks;
    int threads;                /* the threads the estimate assumed */
    struct plan_est *est;       /* per build */
    size_t *task_of;            /* per build */
    double *task_s, *task_mib;  /* per task: seconds (sum), peak memory (max) */
    size_t *task_builds, *task_points;  /* per task */
    uint64_t hash;              /* of the partition: builds, their shapes, their tasks */
};

/* The partition of g's builds into n_tasks >= 1 tasks, estimated with
 * `threads` threads (PLAN_REF_THREADS when 0). plan_release frees it. */
void plan_make(struct plan *p, const struct grid *g, const struct plan_ctx *c, size_t n_tasks,
               int threads);
void plan_release(struct plan *p);
/* max task seconds / mean task seconds (1 when nothing to do). */
double plan_balance(const struct plan *p);
/* The best balance a partition of whole builds can reach: max(the
 * largest build, the mean) / the mean. */
double plan_balance_bound(const struct plan *p);
/* plan->hash as 16 hex digits into out[17]. */
void plan_hash_text(const struct plan *p, char out[17]);
/* The table of `faiss-sweep plan`: a line per build, a line per task, the
 * balance. */
void plan_print(FILE *f, const struct plan *p, const struct grid *g);
/* The line of `plan --resources`: name=NAME tasks=N cpus=T mem_mib=M
 * time_min=S (see plan.c for the margins). cpus is the threads a task
 * uses; the largest task is estimated again with them. */
void plan_print_resources(FILE *f, const struct plan *p, const struct grid *g,
                          const struct plan_ctx *c, const char *name, int cpus);

#endif
