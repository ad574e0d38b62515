/*
 * plot.h - trade-off plots of a results file, drawn by gnuplot.
 *
 * The C side reads the results, keeps rows whose status is "ok", groups them
 * into series and writes plain data files; the templates in plots/ do all the
 * drawing. For a file <stem>.h5 it writes into outdir:
 *   <stem>-recall_qps.{png,svg}     recall@k vs batch QPS, Pareto front per family
 *   <stem>-recall_nprobe.{png,svg}  recall@k vs nprobe, per (factory, k_factor)
 *   <stem>-recall_size.{png,svg}    recall@k vs index size in MiB, per family
 *   <stem>-build_nlist.{png,svg}    train + add seconds vs nlist, per family
 * and the data files beside them (<stem>-<plot>.dat, <stem>-recall_qps-front.dat):
 * one line per point, "x y nprobe k_factor nlist recall factory qps_lo qps_hi",
 * the last two the row's bootstrap 95% interval of qps, or "? ?" without one
 * (files before schema 4), so that a template draws error bars from them.
 */
#ifndef FS_PLOT_H
#define FS_PLOT_H

#include <stddef.h>

/* Draw every plot with recall at the largest k of the file. Creates outdir
 * if missing. Returns 0, or -1 after an error naming the file or template
 * (gnuplot missing from PATH, a template failing, ...). */
int plot_results(const char *h5path, const char *outdir, const char *templates_dir);

/* Same, with recall at `k` (one of the file's ks; 0 = the largest). */
int plot_results_at(const char *h5path, const char *outdir, const char *templates_dir, long k);

/* The points of (recall[i], qps[i]) not dominated by another point (one with
 * recall and qps both >= and one of them >). Their indices go to out_idx
 * (room for n) sorted by recall ascending, hence qps descending; returns
 * their count. Points with NaN are left out; of identical points one is kept. */
size_t pareto_front(const double *recall, const double *qps, size_t n, size_t *out_idx);

#endif
