/*
 * annb.h - ann-benchmarks HDF5 files: datasets `train`, `test`, `neighbors`,
 * `distances` and the root attribute `distance` (euclidean, angular, dot).
 */
#ifndef FS_ANNB_H
#define FS_ANNB_H

#include <stddef.h>
#include <stdint.h>
#include "io/vecs.h"

struct annb {
    struct vecs train, test;  /* float32 (converted from float64 if stored so) */
    int64_t *neighbors;       /* test.n x gt_k true ids, best first; NULL if absent */
    float *distances;         /* test.n x gt_k, as stored (true L2, 1 - cos, or -dot); NULL if absent */
    size_t gt_k;
    char distance[16];        /* "euclidean", "angular", "dot", ... as stored */
};

/* Read the file. train_limit / test_limit > 0 read the first rows only (ground
 * truth rows follow test_limit). Returns 0, or -1 after one error line naming
 * the file and the dataset at fault (missing, wrong rank, shape mismatch).
 * HDF5's own error printing is off during the call and restored after. */
int load_annb(struct annb *a, const char *path, size_t train_limit, size_t test_limit);
void annb_release(struct annb *a);

/* load_annb without its probe child (lib/h5.h h5_probe): the whole read in
 * this process, so a file that crashes or hangs HDF5 1.10 (a damaged global
 * heap behind the `distance` attribute) takes the caller down with it.
 * UNGUARDED: for the fuzz target (tests/fuzz/fuzz_annb.c), which wants the
 * reader's own code in-process without a fork per input; the product calls
 * load_annb. */
int load_annb_unprobed(struct annb *a, const char *path, size_t train_limit,
                       size_t test_limit);

/* The harness metric for an ann-benchmarks distance name: "euclidean" -> "l2",
 * "angular" -> "cosine", "dot"/"ip" -> "ip"; NULL when unknown. */
const char *annb_metric(const char *distance);

#endif
