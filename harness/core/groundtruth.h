/*
 * groundtruth.h - exact k-NN of the queries: computed once per (dataset
 * content, metric, k) with faiss Flat and cached on disk, or taken from the
 * data set file when it carries a ground truth that checks out; and the
 * tie oracle that lets recall settle ties deeper than the stored columns.
 */
#ifndef FS_GROUNDTRUTH_H
#define FS_GROUNDTRUTH_H

#include <stddef.h>
#include <stdint.h>
#include "core/config.h"
#include "io/dataset.h"
#include "lib/backend.h"
#include "lib/metrics.h"

/* Extra true neighbours kept beyond the largest k, so that ids tied with the
 * k-th distance can count as hits. */
#define GT_TIE_MARGIN 16

/* Fill gt with the exact k nearest base vectors of every query. Uses
 * "<cache_dir>/gt-<hash>-<metric>.bin" when it holds at least k columns for
 * the same content and its checksum holds; otherwise computes and writes
 * it (under a unique temporary name, then renamed into place, so that
 * concurrent runs never tear an entry). A damaged file (checksum, size or
 * header wrong) is warned about, recomputed and rewritten. *cached tells
 * which happened. Returns 0 or -1 after printing an error. */
int groundtruth_get(struct ground_truth *gt, const float *xb, size_t nb,
                    const float *xq, size_t nq, size_t d,
                    enum backend_metric metric, const char *metric_name, size_t k,
                    uint64_t data_hash, const char *cache_dir, int *cached);

/* ann-benchmarks files carry their own ground truth: use it when it covers
 * the run (the file's metric is m, the base is the whole file's, it is
 * `depth` columns deep), after checking a sample of queries against faiss's
 * exact search at kmax. base and queries are the vectors under m. gt gets
 * min(ds->gt_k, depth + GT_TIE_MARGIN) columns, distances converted to what
 * faiss returns (squared L2; similarity for cosine and ip) for tie checks.
 * Returns 0 when gt was filled, 1 when the stored ground truth does not
 * apply or disagrees with exact search (warned; gt left empty). */
int groundtruth_stored(struct ground_truth *gt, const struct dataset *ds, enum metric m,
                       const struct vecs *base, const struct vecs *queries, size_t depth,
                       size_t kmax);

/* Give gt the vectors it was computed on (borrowed: they must outlive gt),
 * so that recall_at settles ties deeper than its columns (metrics.h): the
 * first nb rows of xb, the queries xq, d floats each; ip when its distances
 * are similarities. Nothing when gt is empty. */
void groundtruth_tie_oracle(struct ground_truth *gt, const float *xb, size_t nb,
                            const float *xq, size_t d, int ip);

#endif
