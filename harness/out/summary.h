/*
 * summary.h - the plain-text answer to "which setting should I use": per
 * index family, the fastest point reaching each recall target.
 */
#ifndef FS_SUMMARY_H
#define FS_SUMMARY_H

#include <stdio.h>
#include "out/results.h"

/* For each family (with the metric and N when the ok rows have several) and
 * each target 0.90, 0.95, 0.99 of recall@<largest k>: the "ok" row with the highest
 * batch qps whose recall meets the target (factory, nprobe, k_factor, recall,
 * qps, p50 latency, index MiB), or "-" if none; then the counts of ok,
 * skipped and failed rows. */
void summary_print(FILE *f, const struct result_set *rs);

/* The row summary_print reports for rows of `family` ("" = any family;
 * metric NULL = any metric; N 0 = any base size) at recall column kidx and
 * target: the index of the fastest ok row whose recall is >= target, or -1
 * if none. */
long summary_best(const struct result_set *rs, const char *family, const char *metric,
                  int64_t N, size_t kidx, double target);

/* Whether the set's rows with status "ok" hold more than one metric, or more
 * than one base size N (a scale ladder). Rows not ok do not count: they are
 * in no table or plot. The summary and the plots both name the metric and N
 * of a group exactly when these say so. */
int summary_several_metrics(const struct result_set *rs);
int summary_several_sizes(const struct result_set *rs);

#endif
