/*
 * pool.h - repeated runs of one point, across results files, as one point.
 *
 * Machines are shared: one run measured the same IVF setting at 0.27 and
 * 0.54 ms per second of audio, so a speed verdict from one run can be
 * noise. Pooling takes several files, finds the rows that measured the same
 * point and keeps them together, so a reader takes the median of their
 * times and sees their range. What a point is comes from the column roles
 * (columns.h), not from any study's column names:
 *
 * - identity: every setting-role column, plus facts of each file the
 *   caller names (for example the study's name and d);
 * - agreement: quality-role columns are deterministic for a given input,
 *   so rows pool only when every one both files have agrees (within 1e-6
 *   relative; NaN only with NaN);
 * - times: every time-role column pools to the median of the runs (two
 *   runs: their mean), with its lowest and highest kept;
 * - other columns, and columns a file lacked, come from the first run whose
 *   file has them.
 */
#ifndef FS_POOL_H
#define FS_POOL_H

#include <stddef.h>
#include <stdint.h>
#include "out/results.h"

#define POOL_MAX_INPUTS 64

/* One input: a file's result set and the facts of that file that belong to
 * a point's identity, compared as a whole (e.g. "name=rvc-doc d=256"). */
struct pool_input {
    const struct result_set *rs;    /* borrowed for the pool's life */
    const char *facts;              /* borrowed; NULL = "" */
};

/* One run of a point: row `row` of input `input`'s set. */
struct pool_member {
    size_t input, row;
};

/* One pooled point: its runs are members[first .. first + n), in input
 * order (a point has at most one run per input). */
struct pool_point {
    size_t first, n;
    uint64_t inputs;                /* bit i set: input i measured the point */
};

struct pool {
    const struct pool_input *in;    /* borrowed */
    size_t n_in;
    struct pool_member *members;
    struct pool_point *points;      /* in the order of their first run */
    size_t n_points;
};

/* Is set b, read from file pb, the same run as set a from pa? The same
 * file (device and inode; paths may be NULL, then not compared), or the
 * same run identity: the root attributes start_time and config_text both
 * sets have and agree on, with dataset_hash and cpu_model equal (or absent
 * in both). A checkpoint of a run and its final file are one run too. */
int pool_same_run(const struct result_set *a, const char *pa, const struct result_set *b,
                  const char *pb);

/* Refuse a run given twice: 0 when no two of the n sets (paths[i] the
 * file of sets[i]; paths may be NULL) are pool_same_run, else -1 after one
 * error line naming both files. Pooling one run as two would count its
 * times twice and tighten every speed verdict. */
int pool_check_distinct(const struct result_set *const *sets, const char *const *paths, size_t n);

/* Pool the rows of n_in inputs whose status column is `status` (NULL: all
 * rows, the status then part of a point's identity). A row joins the
 * earliest point it matches that has no run from its input yet, else
 * starts a point. Returns 0, or -1 after an error (more than
 * POOL_MAX_INPUTS inputs, or one run given as two inputs:
 * pool_check_distinct); release p either way. */
int pool_build(struct pool *p, const struct pool_input *in, size_t n_in, const char *status);
void pool_release(struct pool *p);

/* The first run of a point: its row (and *rs its set, when rs is given). */
const struct result_row *pool_row(const struct pool *p, size_t point,
                                  const struct result_set **rs);

/* A pooled numeric column of a point, by name. A time-role column gives
 * the median of the runs' finite values (NaN if none) and *lo, *hi their
 * lowest and highest; any other column the value of the first run whose
 * file has it, lo = hi = that. Returns 0, or -1 when no run's file has the
 * column (all NaN). lo and hi may be NULL. */
int pool_value(const struct pool *p, size_t point, const char *name, double *v, double *lo,
               double *hi);

/* Do two rows (of sets a and b) have the same settings: every setting-role
 * column both sets have equal? */
int pool_same_settings(const struct result_set *a, const struct result_row *ra,
                       const struct result_set *b, const struct result_row *rb);

#endif
