/*
 * claims.c - what the decision rules share: findings and their cells, the
 * verdict from the cells, the claim table (each claim's sentence and the
 * sentence of its rule, printed in the report beside what the rule
 * decided), and the recommended default. The rules themselves are in
 * claims_c1_c4.c and claims_c5_c8.c.
 */
#include "rvc/report_parts.h"
#include "lib/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- choosing rows ---- */

long rep_best_err(const struct rep_rows *rr, const char *label, long d, int64_t N,
                  const char *metric)
{
    long b = -1;
    for (size_t i = 0; i < rr->n; i++) {
        const struct rep_row *x = &rr->v[i];
        if (strcmp(x->label, label) || !at(x, d, N, metric) || !has_err(x))
            continue;
        if (b < 0 || x->blend_err_mean < rr->v[b].blend_err_mean ||
            (x->blend_err_mean == rr->v[b].blend_err_mean &&
             x->audio_s_batch < rr->v[b].audio_s_batch))
            b = (long)i;
    }
    return b;
}

/* ---- findings ---- */

void finding_init(struct finding *f)
{
    memset(f, 0, sizeof(*f));
}

void finding_release(struct finding *f)
{
    free(f->rows);
    finding_init(f);
}

/* Remember that the rule looked at row i (once). */
void finding_use_row(struct finding *f, size_t i)
{
    for (size_t j = 0; j < f->n_rows; j++)
        if (f->rows[j] == i)
            return;
    if (f->n_rows == f->cap_rows) {
        f->cap_rows = f->cap_rows ? 2 * f->cap_rows : 32;
        f->rows = xrealloc(f->rows, f->cap_rows * sizeof(*f->rows));
    }
    f->rows[f->n_rows++] = i;
}

/* The cell for (d, N, metric, what), added if new; NULL when full. */
struct cell *finding_cell(struct finding *f, long d, int64_t N, const char *metric,
                          const char *what)
{
    for (size_t i = 0; i < f->n_cells; i++) {
        struct cell *c = &f->cells[i];
        if (c->d == d && c->N == N && !strcmp(c->metric, metric) && !strcmp(c->what, what))
            return c;
    }
    if (f->n_cells == REPORT_MAX_CELLS)
        return NULL;
    struct cell *c = &f->cells[f->n_cells++];
    memset(c, 0, sizeof(*c));
    c->d = d;
    c->N = N;
    snprintf(c->metric, sizeof(c->metric), "%s", metric);
    snprintf(c->what, sizeof(c->what), "%s", what);
    c->outcome = -1;
    for (int k = 0; k < 4; k++)
        c->v[k] = NAN;
    return c;
}

/* Append printf text to a cell's why (cut when full). */
void cell_why(struct cell *c, const char *fmt, ...)
{
    size_t used = strlen(c->why);
    va_list ap;
    if (used + 1 >= sizeof(c->why))
        return;
    va_start(ap, fmt);
    vsnprintf(c->why + used, sizeof(c->why) - used, fmt, ap);
    va_end(ap);
}

/* The verdict from the cells: all one way, or split by N (each N agreeing
 * with itself), or split some other way. `any` = the claim has rows. */
void finding_conclude(struct finding *f, int any)
{
    int seen[2] = { 0, 0 };
    f->verdict = VERDICT_NOT_MEASURED;
    if (!any)
        return;
    for (size_t i = 0; i < f->n_cells; i++)
        if (f->cells[i].outcome >= 0)
            seen[f->cells[i].outcome] = 1;
    if (!seen[0] && !seen[1]) {
        f->verdict = VERDICT_UNDECIDED;
        return;
    }
    if (!seen[0] || !seen[1]) {
        f->verdict = seen[1] ? VERDICT_SUPPORTED : VERDICT_NOT_SUPPORTED;
        return;
    }
    f->verdict = VERDICT_DEPENDS_ON_N;
    for (size_t i = 0; i < f->n_cells; i++)
        for (size_t j = i + 1; j < f->n_cells; j++)
            if (f->cells[i].outcome >= 0 && f->cells[j].outcome >= 0 &&
                f->cells[i].N == f->cells[j].N && f->cells[i].outcome != f->cells[j].outcome)
                f->verdict = VERDICT_MIXED;
}

const char *verdict_name(enum verdict v)
{
    switch (v) {
    case VERDICT_SUPPORTED: return "supported";
    case VERDICT_NOT_SUPPORTED: return "not supported";
    case VERDICT_DEPENDS_ON_N: return "depends on N";
    case VERDICT_MIXED: return "depends on d or on the setting";
    case VERDICT_UNDECIDED: return "not decided";
    case VERDICT_NOT_MEASURED: break;
    }
    return "not measured in these files";
}

/* ---- cells made from a claim's rows ---- */

int rep_what_none(const struct rep_row *x, char *out, size_t len)
{
    (void)x;
    snprintf(out, len, "%s", "");
    return 1;
}

/* One cell per (d, N, metric, what) among rows of `claim`; returns whether
 * the claim has any row at all. */
int finding_make_cells(const struct rep_rows *rr, struct finding *f, int claim, rep_what_fn what)
{
    char w[REPORT_WHAT];
    int any = 0;
    for (size_t i = 0; i < rr->n; i++) {
        const struct rep_row *x = &rr->v[i];
        if (x->claim != claim)
            continue;
        any = 1;
        if (what(x, w, sizeof(w)))
            finding_cell(f, x->d, x->r.N, x->r.metric, w);
    }
    return any;
}

int rep_in_cell(const struct rep_row *x, const struct cell *c, rep_what_fn what)
{
    char w[REPORT_WHAT];
    return at(x, c->d, c->N, c->metric) && what(x, w, sizeof(w)) && !strcmp(w, c->what);
}

/* ---- the recommended default ---- */

long report_recommend(const struct rep_rows *rr, long d, int64_t N, long *def)
{
    long b = -1;
    *def = rep_best_err(rr, DEFAULT_LABEL, d, N, NULL);
    if (*def < 0)
        return -1;
    double ref = rr->v[*def].blend_err_mean;
    for (size_t i = 0; i < rr->n; i++) {
        const struct rep_row *x = &rr->v[i];
        /* Query expansion counts with its time; without that time it cannot compete. */
        double t = time_with_qe(x);
        if (!at(x, d, N, NULL) || !has_err(x) || !has_time(x) || isnan(t) ||
            x->blend_err_mean > ref)
            continue;
        if (b < 0 || t < time_with_qe(&rr->v[b]) ||
            (t == time_with_qe(&rr->v[b]) && x->blend_err_mean < rr->v[b].blend_err_mean))
            b = (long)i;
    }
    return b;
}


/* ---- the claims as text ---- */

const struct claim_text report_claims[9] = {
    [1] = { "the 2023-04-18 default",
            "the 2023-04-18 default (IVF with n_ivf = N // 39, nprobe = int(n_ivf ** 0.3), L2) has a "
            "lower blend error than today's default (n_ivf = min(16 sqrt(N), N // 39), nprobe 1)",
            "supported at a (d, N, metric) when the blend error of `" RVC2304_LABEL "` is lower "
            "than that of `" DEFAULT_LABEL "`; the search-time ratio of the two is given beside it",
            PLOT_TRADEOFF },
    [2] = { "L2 against cosine",
            "the metric: L2, or inner product on L2-normalised vectors (cosine, X / max(eps, |X|))",
            "supported at a (d, N) when, for every setting of a `C2` family measured with both "
            "metrics (same factory, nprobe, k_factor and preprocessing), the cosine row's blend "
            "error is lower than the l2 row's",
            PLOT_PAIRS },
    [3] = { "4-bit PQ fast scan with exact re-ranking",
            "for N <= 1M, `IVF1024,PQ{d/2}x4fs,RFlat` (4-bit PQ with fast scan and exact "
            "re-ranking) is the most efficient index",
            "supported at a (d, N, metric) when some `C3` point has a blend error <= that of the "
            "most faithful IVF-Flat point at nprobe 1 (rows of `C4`/`C5` families, factory "
            "`IVF<n>,Flat`, no k-means or expansion) and a lower batch search time than that point "
            "in every run pooled (not decided when it is faster by median only)",
            PLOT_TRADEOFF },
    [4] = { "nlist between 4 sqrt(N) and 16 sqrt(N)",
            "n_ivf between 4*sqrt(N) and 16*sqrt(N); too many lists degrade to brute force",
            "supported at a (d, N, metric) when, among the `C4`, `" RVC2304_LABEL "` (N//39) and "
            "`C5` points (no k-means or expansion) whose blend error is <= that of `" DEFAULT_LABEL
            "`, the one with the lowest batch search time has nlist within [4 sqrt(N), 16 sqrt(N)] "
            "(half a list of rounding allowed)",
            PLOT_TRADEOFF },
    [5] = { "nprobe: time and sufficiency",
            "search time grows in proportion to nprobe; nprobe = 1 is enough for RVC",
            "per index (d, N, factory and preprocessing of a `C5` family), two parts: time is "
            "proportional when the least-squares slope of log(batch time) on log(nprobe) is within "
            "[0.7, 1.3]; nprobe 1 is enough when its blend error is no larger than the change of f "
            "from moving index_rate by 0.05 (5 x blend_ir_unit, measured on the same queries; "
            "the smallest nprobe that meets it is given otherwise)",
            PLOT_NPROBE },
    [6] = { "k_factor of the exact re-ranking",
            "RFlat re-ranks k * k_factor candidates with exact distances (so more candidates can "
            "only help)",
            "supported per index and nprobe of a `C6` family when, as k_factor grows, recall@8 "
            "never falls more than 0.005 below its highest value at a smaller k_factor and the "
            "blend error never rises more than 0.005 above its lowest value at a smaller k_factor",
            PLOT_KFACTOR },
    [7] = { "alpha query expansion",
            "alpha query expansion (alpha = 3): replace each vector by the sum of its neighbours "
            "weighted by (cosine similarity)^alpha, re-normalised; applicable to the database and "
            "to the queries",
            "supported per (d, N, metric, expansion setting) when every expanded `C7` row has a "
            "lower blend error than the same setting without expansion: the same family's row "
            "without `qe=` (same factory, nprobe, k_factor), else the `C5` row with the same "
            "factory, nprobe and k_factor, else `" DEFAULT_LABEL "` at the same nprobe. The time "
            "ratio counts the expansion of the queries, which RVC would run on every source frame "
            "(timed as the harness computes it: exact search of the stored base)",
            PLOT_TRADEOFF },
    [8] = { "k-means compression of the base",
            "if the feature set is too large, compress it with (MiniBatch)KMeans to n_clusters "
            "centroids (10,000 in the example)",
            "supported per (d, N, metric, n_clusters) when every k-means row of a `C8` family has a "
            "blend error no more than the tolerance (the change of f from moving index_rate by "
            "0.05) above that of the same setting without compression (the same family's row "
            "without k-means, else the `C5` row, else `" DEFAULT_LABEL "`, at the same nprobe and "
            "k_factor), and a batch search time lower in every run or a smaller index",
            PLOT_TRADEOFF },
};
