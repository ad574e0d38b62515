/*
 * report.h - the RVC findings report: the faiss tips' claims C1-C8 decided
 * from measured rows, and a recommended index default per base size.
 *
 * Rows of one or more results files are merged into one array (struct
 * rep_rows, ok rows only, each with the dimension of its file). A decision
 * function per claim looks at that array and fills a struct finding: one
 * cell per (d, metric, N[, setting]) with its outcome and the numbers that
 * decided it, the indices of every row it looked at, and the verdict. They
 * do no I/O, so tests call them on hand-made rows; report_write() turns the
 * findings into Markdown and lets gnuplot draw one plot per claim.
 *
 * Claims are found by label: an index entry labelled "C3 ..." in the config
 * gives rows whose family starts with "C3 " (the run appends the
 * preprocessing, e.g. "C1 rvc-default shuffle"; the label is the family
 * without it).
 */
#ifndef FS_REPORT_H
#define FS_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "out/results.h"

/* A row as the report sees it. */
struct rep_row {
    struct result_row r;        /* copied from its file */
    long d;                     /* the file's root attribute "d"; 0 if absent */
    int file;                   /* which input file (0-based); the first, when pooled */
    unsigned files;             /* bit f set: file f measured this row (pooled rows) */
    char run[64];               /* the file's "name" attribute: rows pool within one study */
    int n_runs;                 /* measurements pooled into this row (1: one file) */
    size_t src_row;             /* its row in /runs of file `file` (for /blend) */
    double t_lo, t_hi;          /* audio_s_batch, lowest and highest of those runs */
    int claim;                  /* 1..8 from the label "C<n> ...", 0 for none */
    char label[RESULTS_STR];    /* family without the " <preprocess>" suffix */
    double recall1;             /* recall_at_1; NaN when the file has no k = 1 */
    double recall8;             /* recall_at_8, else recall at the file's largest k */
    long k8;                    /* the k of recall8 */
    /* RVC's columns (their meaning is in rvc/measure.c), read by name
     * from the result set (report_rows.c, the one place that reads them):
     * the report and its rules use these. Pooled rows hold the median of
     * the runs' times (in r too, for the generic time columns). */
    double blend_err_mean, blend_err_p95, blend_cos_mean;
    int64_t blend_missing, blend_zero_dist;
    double blend_ir_unit;
    double audio_s_batch, audio_s_single, audio_s_qexpand;
};

struct rep_rows {
    struct rep_row *v;
    size_t n, cap;
    double spread;              /* widest t_hi / t_lo of a pooled point; NaN: none */
};

/* Append the "ok" rows of rs (file number `file`), with the fields derived
 * from them: label, claim, recall1/recall8 and RVC's columns. */
void rep_rows_add(struct rep_rows *rr, const struct result_set *rs, int file);
/* Free contents; safe on a zeroed struct. */
void rep_rows_release(struct rep_rows *rr);

/*
 * Pool repeated measurements (report_pool.c, through out/pool): the ok rows
 * of the n result sets (file i is sets[i]; borrowed while rr lives) become
 * one row per point. Rows of different files that measured the same point
 * (the file's name and d attributes, and every setting column: label and
 * preprocessing, factory, metric, N, nlist, nprobe, k_factor) and agree on
 * what they measured (every quality column, blend error and recall among
 * them, within 1e-6 relative: the inputs were the same) become one row:
 * times are the median of the runs (for two runs, their mean), t_lo / t_hi
 * the range of audio_s_batch, columns a file lacked are taken from one
 * that has them. Rows that disagree stay apart. Appends to rr and sets
 * rr->spread; returns the number of rows merged away, or -1 after an error.
 */
long rep_rows_pool(struct rep_rows *rr, const struct result_set *sets, size_t n);

/* RVC's /blend rows of a report row (the index_rate axis) from the first
 * of its files that has them (a pooled row may come first from a file
 * older than /blend): at most max into out; returns how many. */
struct rep_rate {
    double index_rate, err_mean, ir_unit;
};
size_t rep_blend_rows(const struct result_set *sets, const struct rep_row *x,
                      struct rep_rate *out, size_t max);

/* Time comparison with the runs' spread: -1 when a is faster than b in every
 * run (a's slowest below b's fastest), 1 when slower in every run, 0 when the
 * ranges overlap (within run-to-run noise). Rows that no run measured both
 * of were timed at different times: they differ only by more than the widest
 * spread rr saw between runs of one point (rr->spread), and never when it saw
 * none. One run each, the same run: plain comparison. */
int rep_time_cmp(const struct rep_rows *rr, const struct rep_row *a, const struct rep_row *b);

enum verdict {
    VERDICT_NOT_MEASURED,   /* no row of the claim */
    VERDICT_UNDECIDED,      /* rows, but no cell could be decided (baseline missing) */
    VERDICT_SUPPORTED,
    VERDICT_NOT_SUPPORTED,
    VERDICT_DEPENDS_ON_N,   /* outcomes differ across N, agree at each N */
    VERDICT_MIXED,          /* outcomes differ within one N (by d, metric or setting) */
};

/* The word(s) printed for a verdict, e.g. "depends on N". */
const char *verdict_name(enum verdict v);

#define REPORT_WHAT 192     /* room for a factory, nprobe and preprocessing */

/* One comparison: a dimension, base size, metric and (for some claims) a
 * setting such as "kmeans=2000" or a factory. */
struct cell {
    long d;
    int64_t N;
    char metric[16];
    char what[REPORT_WHAT];
    int outcome;            /* 1 supported, 0 not supported, -1 cannot be decided */
    double v[4];            /* the deciding numbers; their meaning is per claim (below) */
    char why[512];          /* the same numbers in words */
};

#define REPORT_MAX_CELLS 96

struct finding {
    enum verdict verdict;
    size_t n_cells;
    struct cell cells[REPORT_MAX_CELLS];
    size_t *rows;           /* indices into rep_rows of every row the rule looked at */
    size_t n_rows, cap_rows;
};

void finding_init(struct finding *f);
void finding_release(struct finding *f);

/*
 * The decision rules (the sentence for each is in claims.c's claim table and
 * printed in the report). Each resets and fills f. Cell numbers v[]:
 *   C1: 2023-04 blend err, today's blend err, batch time ratio 2023-04/today,
 *       single-query time ratio
 *   C2: matched settings, settings where cosine is lower, worst cosine/l2 ratio
 *   C3: best IVF-Flat nprobe 1 blend err, its batch s, the C3 witness's err, its s
 *   C4: nlist of the fastest point at today's blend err, 4*sqrt(N), 16*sqrt(N), its s
 *   C5 time: log-log slope, points; C5 nprobe 1: err at 1, tolerance (REPORT_IR_TOL of
 *       index_rate as blend error), smallest nprobe within it, its batch time / nprobe 1's
 *   C6: largest recall@8 fall, largest blend err rise, k_factor min, max
 *   C7, C8: err with, err without, batch s ratio with/without (with: + query
 *       expansion time), index bytes ratio
 */
/* The yardstick for "no worse in practice": a blend error no larger than the
 * change of f from moving RVC's index_rate slider by this much (blend_ir_unit
 * is the change per 0.01). */
#define REPORT_IR_TOL 0.05
/* That tolerance as a blend error for row x; NaN without blend_ir_unit. */
double report_tolerance(const struct rep_row *x);

void report_c1(const struct rep_rows *rr, struct finding *f);
void report_c2(const struct rep_rows *rr, struct finding *f);
void report_c3(const struct rep_rows *rr, struct finding *f);
void report_c4(const struct rep_rows *rr, struct finding *f);
void report_c5(const struct rep_rows *rr, struct finding *time_part, struct finding *np1_part);
void report_c6(const struct rep_rows *rr, struct finding *f);
void report_c7(const struct rep_rows *rr, struct finding *f);
void report_c8(const struct rep_rows *rr, struct finding *f);

/* Least-squares slope of log(y) on log(x) over the points with x, y > 0;
 * NaN with fewer than two distinct x. */
double loglog_slope(const double *x, const double *y, size_t n);

/* The recommended default at (d, N): the row with the lowest audio_s_batch
 * whose blend_err_mean is <= that of today's default ("C1 rvc-default")
 * there, rows with query expansion left out (their expansion is not timed).
 * *def gets the default's row (-1 if none). Returns the row's index, or -1
 * when there is no default row at (d, N). */
long report_recommend(const struct rep_rows *rr, long d, int64_t N, long *def);

/* Read every file, decide, write outdir/rvc-findings.md and outdir/img/
 * rvc-<claim>.png (with the .dat files they are drawn from). cmdline is
 * printed in the header. Returns 0, or -1 after an error naming the file. */
int report_write(const char *const *paths, size_t n_paths, const char *outdir,
                 const char *templates_dir, const char *cmdline);

#endif
