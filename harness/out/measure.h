/*
 * measure.h - the per-point measure interface: how a study adds its own
 * columns to a sweep without the generic run knowing their names.
 *
 * A measure is a small table entry: its name, the /runs columns it adds,
 * optionally a side table of its own, the neighbour depth it needs (the
 * ground truth and the index's answer go at least this deep), and a
 * function the run calls for every point that ran, with the index's answer
 * and the exact answer as plain arrays. RVC's blend fidelity is one
 * (rvc/measure.h); run/measures.c picks the active ones from the config.
 */
#ifndef FS_MEASURE_H
#define FS_MEASURE_H

#include <stddef.h>
#include <stdint.h>
#include "out/columns.h"
#include "out/results.h"

enum measure_metric { MEASURE_L2, MEASURE_IP, MEASURE_COSINE };
#define MEASURE_METRIC(m) (1u << (m))

/*
 * One point as a measure sees it; every pointer is borrowed for the call.
 * Distances are as faiss returns them: squared L2 under l2, similarities
 * (larger is nearer) under ip and cosine.
 */
struct measure_point {
    enum measure_metric metric;
    const float *queries;       /* nq x d: the queries under the metric (unit vectors for
                                   cosine), before any query expansion */
    size_t nq, d;
    /* The exact answer: nq rows of exact_stride (id, distance), best first
     * (exact_stride >= the measure's depth); ids are rows of exact_x. */
    const int64_t *exact_I;
    const float *exact_D;
    size_t exact_stride;
    const float *exact_x;       /* exact_n x d: the base under the metric */
    size_t exact_n;
    /* The index's answer at the measure's depth: nq rows of k, -1 for an
     * empty slot; ids are rows of stored (what the index was built from:
     * the base, or its shuffled, expanded or k-means-compressed rows).
     * I and D are NULL under a metric the measure does not read answers
     * in (struct measure's metrics). */
    const int64_t *I;
    const float *D;
    size_t k;
    const float *stored;        /* n_stored x d */
    size_t n_stored;
    /* The point's timings, for derived columns. */
    double qps;                 /* batch queries per second */
    double lat_mean_us;         /* mean single-query latency; NaN when none was timed */
    double qexpand_s;           /* seconds spent expanding all nq queries; 0 = none */
    int64_t run_row;            /* the row of /runs this point becomes (for side tables) */
};

struct measure {
    const char *name;                   /* e.g. "rvc-blend" */
    const struct col_def *cols;         /* the /runs columns it adds, in order (numeric) */
    size_t n_cols;
    const char *table;                  /* its side table ("blend" for /blend), or NULL */
    const struct col_def *table_cols;
    size_t n_table_cols;
    size_t depth;                       /* neighbours it reads */
    unsigned metrics;                   /* MEASURE_METRIC bits it reads answers under */
    /* Called for each point that ran: cells (n_cols, unset on entry: NaN /
     * -1) get its values; rows may be appended to side (its table; NULL
     * without one). Returns 0, or -1 after an error (the point then fails
     * and the rows it appended are dropped). */
    int (*point)(const struct measure *m, const struct measure_point *p,
                 union result_cell *cells, struct result_table *side);
    /* Root attributes it records about its settings (provenance), or NULL. */
    void (*attrs)(const struct measure *m, struct result_set *rs);
    const void *state;                  /* its settings, for point and attrs (borrowed) */
};

#endif
