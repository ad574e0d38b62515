/*
 * report_parts.h - what the files of the findings report share, and no
 * other module uses (the report's API is report.h):
 *   report_rows.c     the merged rows and their table order
 *   report_pool.c     repeated runs of a point pooled into one row (out/pool)
 *   claims.c          findings and cells, the claim table, the recommendation
 *   claims_c1_c4.c,
 *   claims_c5_c8.c    the decision rules, one function per claim
 *   report_text.c     small string sets
 *   report_md.c       the Markdown, claim by claim
 *   report_md_recommend.c  its last section, the recommended default
 *   report_plots.c    one plot per claim, drawn by out/gnuplot
 *   report.c          report_write: read, pool, decide, write
 * Row predicates and number formatting are small enough to be inline here.
 */
#ifndef FS_REPORT_PARTS_H
#define FS_REPORT_PARTS_H

#include "rvc/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_LABEL "C1 rvc-default"
#define RVC2304_LABEL "C1 rvc-2023-04"

/* ---- row predicates ---- */

static inline int has_err(const struct rep_row *x)
{
    return isfinite(x->blend_err_mean);
}

static inline int has_time(const struct rep_row *x)
{
    return isfinite(x->audio_s_batch) && x->audio_s_batch > 0;
}

/* Batch search time per second of audio with the query expansion RVC would
 * run first (C7); NaN when the queries were expanded but that was not timed. */
static inline double time_with_qe(const struct rep_row *x)
{
    int q = strstr(x->r.preprocess, "qe=queries") || strstr(x->r.preprocess, "qe=both");
    if (!q)
        return x->audio_s_batch;
    return x->audio_s_batch + x->audio_s_qexpand;
}

static inline int expanded(const struct rep_row *x)
{
    return strstr(x->r.preprocess, "qe=") != NULL;
}

static inline int compressed(const struct rep_row *x)
{
    return x->r.n_clusters > 0 || strstr(x->r.preprocess, "kmeans=") != NULL;
}

static inline int plain(const struct rep_row *x)
{
    return !expanded(x) && !compressed(x);
}

/* At dimension d, base size N and (metric NULL: any) metric. */
static inline int at(const struct rep_row *x, long d, int64_t N, const char *metric)
{
    return x->d == d && x->r.N == N && (!metric || !strcmp(x->r.metric, metric));
}

/* "IVF<n>,Flat": an inverted file over raw vectors, nothing else. */
static inline int ivf_flat(const char *factory)
{
    const char *p = factory;
    if (strncmp(p, "IVF", 3))
        return 0;
    for (p += 3; *p >= '0' && *p <= '9'; p++)
        ;
    return p > factory + 3 && !strcmp(p, ",Flat");
}

/* ---- numbers in words ---- */

struct num { char s[32]; };

/* Three significant digits, no exponent for ordinary magnitudes; "-" for NaN. */
static inline struct num g3(double v)
{
    struct num n;
    if (isnan(v)) {
        snprintf(n.s, sizeof(n.s), "-");
    } else if (isinf(v)) {
        snprintf(n.s, sizeof(n.s), "%s", v > 0 ? "inf" : "-inf");
    } else if (fabs(v) >= 1000) {
        double p = pow(10, floor(log10(fabs(v))) - 2);
        snprintf(n.s, sizeof(n.s), "%.0f", round(v / p) * p);
    } else {
        snprintf(n.s, sizeof(n.s), "%.3g", v);
    }
    return n;
}

/* Seconds per second of audio as ms per second. */
static inline struct num ms_of(double s)
{
    return g3(s * 1e3);
}

/* Batch search time in ms per second of audio. */
static inline struct num ms(const struct rep_row *x)
{
    return ms_of(x->audio_s_batch);
}

/* Index size in MiB; NaN when unknown. */
static inline double rep_mib(const struct rep_row *x)
{
    return x->r.index_bytes >= 0 ? (double)x->r.index_bytes / (1024.0 * 1024.0) : NAN;
}

/* "IVF256,Flat nprobe 1 k_factor 4" into out (len bytes). */
static inline void rep_setting(const struct rep_row *x, char *out, size_t len)
{
    int n = snprintf(out, len, "%s", x->r.factory);
    if (x->r.nprobe > 0 && n >= 0 && (size_t)n < len)
        n += snprintf(out + n, len - (size_t)n, " nprobe %lld", (long long)x->r.nprobe);
    if (x->r.k_factor > 0 && n >= 0 && (size_t)n < len)
        snprintf(out + n, len - (size_t)n, " k_factor %lld", (long long)x->r.k_factor);
}

/* ---- rows (report_rows.c) ---- */

/* Append point `point` of p as one row (report_pool.c pools, this reads). */
struct pool;
void rep_rows_add_point(struct rep_rows *rr, const struct pool *p, size_t point);

/* The rows finding f looked at, in table order (d, N, metric, label,
 * preprocessing, nlist, factory, nprobe, k_factor): pointers into rr, valid
 * while rr is unchanged. Caller frees the array. */
const struct rep_row **rep_sorted_rows(const struct rep_rows *rr, const struct finding *f);

/* ---- small string sets (report_text.c) ---- */

/* Distinct strings in first-seen order; zero-initialise, free with
 * rep_strs_release. */
struct rep_strs { char **v; size_t n; };

/* Add a copy of t unless already there; _addf adds printf(fmt, v). */
void rep_strs_add(struct rep_strs *s, const char *t);
void rep_strs_addf(struct rep_strs *s, const char *fmt, long long v);
/* "a, b, c" with each item between `quote`s; "-" when empty. */
void rep_strs_print(FILE *o, const struct rep_strs *s, const char *quote);
void rep_strs_release(struct rep_strs *s);

/* ---- findings and cells (claims.c) ---- */

/* Remember that the rule looked at row i (once). */
void finding_use_row(struct finding *f, size_t i);
/* The cell for (d, N, metric, what), added if new; NULL when full. The
 * pointer is into f, valid until f is released. */
struct cell *finding_cell(struct finding *f, long d, int64_t N, const char *metric,
                          const char *what);
/* Append printf text to a cell's why (cut when full). */
void cell_why(struct cell *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set the verdict from the cells: all one way, or split by N (each N
 * agreeing with itself), or split some other way. `any` = the claim has rows. */
void finding_conclude(struct finding *f, int any);

/* The setting a row's cell is about, into out; 0 = the row makes no cell. */
typedef int (*rep_what_fn)(const struct rep_row *, char *out, size_t len);
/* The empty setting: one cell per (d, N, metric). */
int rep_what_none(const struct rep_row *x, char *out, size_t len);
/* One cell per (d, N, metric, what) among rows of `claim`; returns whether
 * the claim has any row at all. */
int finding_make_cells(const struct rep_rows *rr, struct finding *f, int claim, rep_what_fn what);
/* Row x belongs to cell c (same place, and what gives c's setting). */
int rep_in_cell(const struct rep_row *x, const struct cell *c, rep_what_fn what);

/* Among rows labelled `label` at (d, N, metric) with a blend error, the most
 * faithful (then the fastest); -1 if none. metric NULL = any. */
long rep_best_err(const struct rep_rows *rr, const char *label, long d, int64_t N,
                  const char *metric);

/* ---- the claims as text (claims.c) ---- */

enum plot_kind { PLOT_TRADEOFF, PLOT_PAIRS, PLOT_NPROBE, PLOT_KFACTOR };

struct claim_text {
    const char *title;
    const char *claim;      /* the tips' claim (../shared/RVC.md) */
    const char *rule;       /* the decision rule, as the rules implement it */
    enum plot_kind plot;
};

/* [1..8]: claim C<n>; [0] unused. */
extern const struct claim_text report_claims[9];

/* The findings of one report: [1..8] the claims, [REPORT_C5_NP1] C5's
 * second part (nprobe 1 is enough). */
#define REPORT_C5_NP1 9
#define REPORT_N_FINDINGS 10

/* ---- writers ---- */

/* report_plots.c: draw claim `id`'s plot from finding f to
 * imgdir/rvc-<tag>.png (and its .dat). Returns 1 when drawn, 0 when there
 * is nothing to draw, -1 after an error naming the file or template. */
int report_draw_claim(const struct rep_rows *rr, const struct finding *f, int id, const char *tag,
                      const char *imgdir, const char *templates_dir);

/* report_md_recommend.c: the section "Recommended RVC default per N range". */
void report_md_recommend(FILE *o, const struct rep_rows *rr);

/* report_md.c: the whole Markdown to o from the decided findings
 * f[REPORT_N_FINDINGS], drawing each claim's plot into imgdir. paths and
 * sets: the input files, n_paths of them. Returns 0, or -1 after an error
 * (a plot that could not be drawn). */
int report_md_write(FILE *o, const char *const *paths, const struct result_set *sets,
                    size_t n_paths, const struct rep_rows *rr, const struct finding *f,
                    const char *imgdir, const char *templates_dir, const char *cmdline);

#endif
