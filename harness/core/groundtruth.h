/*
 * groundtruth.h - exact k-NN of the queries, computed once per (dataset
 * content, metric, k) with faiss Flat and cached on disk.
 */
#ifndef FS_GROUNDTRUTH_H
#define FS_GROUNDTRUTH_H

#include <stddef.h>
#include <stdint.h>
#include "lib/backend.h"
#include "lib/metrics.h"

/* Extra true neighbours kept beyond the largest k, so that ids tied with the
 * k-th distance can count as hits. */
#define GT_TIE_MARGIN 16

/* Fill gt with the exact k nearest base vectors of every query. Uses
 * "<cache_dir>/gt-<hash>-<metric>.bin" when it holds at least k columns for
 * the same content; otherwise computes and writes it (atomically).
 * *cached tells which happened. Returns 0 or -1 after printing an error. */
int groundtruth_get(struct ground_truth *gt, const float *xb, size_t nb,
                    const float *xq, size_t nq, size_t d,
                    enum backend_metric metric, const char *metric_name, size_t k,
                    uint64_t data_hash, const char *cache_dir, int *cached);

#endif
