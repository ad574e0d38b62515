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
 * qps, p50 latency, index MiB), or "-" if none. When some answer has a qps
 * interval (summary_has_interval), a column "qps 95%" shows it as "lo-hi"
 * in compact numbers; an answer with other candidates within noise
 * (summary_within_noise) is marked "~<n>" there, and footnote ~<n> below
 * the table names them. Then the counts of ok, skipped and failed rows, the
 * noisy count (schema 4 on), and the cost breakdown when the set has root
 * attributes cost_<phase>_s: "cost: load 1.2 s, ground truth 7.5 s, ... of
 * wall 369.4 s" (known phases in run order, others after in attribute
 * order with '_' as ' ', wrapped to a second line past 100 columns). */
void summary_print(FILE *f, const struct result_set *rs);

/* Whether row r has a usable qps interval: qps_lo and qps_hi finite, lo <=
 * hi, hi > 0 (older files read NaN; zeroed rows have none). */
int summary_has_interval(const struct result_row *r);

/* The other candidates of summary_best's answer `best` (same family,
 * metric, N, reaching the target, status ok) whose qps interval overlaps
 * best's: the points the winner cannot be told apart from. Returns their
 * count; the indices of the `max` fastest go to out (qps descending, row
 * order at ties). 0 when best is -1 or has no interval. */
size_t summary_within_noise(const struct result_set *rs, long best, const char *family,
                            const char *metric, int64_t N, size_t kidx, double target,
                            size_t *out, size_t max);

/* v >= 0 in at most 5 characters: 3 significant digits from 1 up and a
 * suffix k, M or G (950, 9.50k, 12.3k, 123k, 1.50M); "-" when not finite. */
void summary_compact(char *buf, size_t size, double v);

/* The row summary_print reports for rows of `family` ("" = any family;
 * metric NULL = any metric; N 0 = any base size) at recall column kidx and
 * target: the index of the fastest ok row whose recall is >= target, or -1
 * if none. */
/* The recall targets the summary, the front gates of compare and the
 * history answer for: 0.90, 0.95, 0.99. */
#define SUMMARY_N_TARGETS 3
extern const double summary_targets[SUMMARY_N_TARGETS];

long summary_best(const struct result_set *rs, const char *family, const char *metric,
                  int64_t N, size_t kidx, double target);

/* Whether the set's rows with status "ok" hold more than one metric, or more
 * than one base size N (a scale ladder). Rows not ok do not count: they are
 * in no table or plot. The summary and the plots both name the metric and N
 * of a group exactly when these say so. */
int summary_several_metrics(const struct result_set *rs);
int summary_several_sizes(const struct result_set *rs);

#endif
