/*
 * report_pool.c - repeated measurements of one point, across results files, become
 * one row for the report.
 *
 * These machines are shared: one run measured the same IVF setting at 0.27
 * and 0.54 ms per second of audio. A speed verdict from one run can be noise,
 * so the report takes several runs of a study, pools each point's times
 * (median) and keeps their range, and rep_time_cmp calls a difference only
 * when the ranges do not overlap. Quality numbers are deterministic for a
 * given input, so they must agree for rows to pool.
 */
#include "rvc/report.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int rep_same_setting(const struct result_row *a, const struct result_row *b)
{
    /* the family is the label plus the preprocessing */
    return !strcmp(a->family, b->family) && !strcmp(a->factory, b->factory) &&
           !strcmp(a->metric, b->metric) && !strcmp(a->preprocess, b->preprocess) &&
           a->N == b->N && a->nlist == b->nlist && a->nprobe == b->nprobe &&
           a->k_factor == b->k_factor;
}

static int same_point(const struct rep_row *a, const struct rep_row *b)
{
    return a->d == b->d && !strcmp(a->run, b->run) && rep_same_setting(&a->r, &b->r);
}

static int close_enough(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= 1e-6 * fmax(fabs(a), fabs(b)) + 1e-12;
}

/* Same inputs give the same answers: only then are two rows one point. */
static int same_result(const struct rep_row *a, const struct rep_row *b)
{
    return close_enough(a->blend_err_mean, b->blend_err_mean) &&
           close_enough(a->recall1, b->recall1) && close_enough(a->recall8, b->recall8);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of the finite values among n (sorted in place); NaN if none. */
static double median(double *v, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            v[m++] = v[i];
    if (!m)
        return NAN;
    qsort(v, m, sizeof(*v), cmp_double);
    return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

#define TIME_FIELDS 11

static double *time_field(struct rep_row *x, int k)
{
    struct result_row *r = &x->r;
    double *f[TIME_FIELDS] = { &x->audio_s_batch, &x->audio_s_single, &r->qps, &r->lat_mean_us,
                               &r->lat_p50_us, &r->lat_p95_us, &r->lat_p99_us, &r->train_s,
                               &r->add_s, &x->audio_s_qexpand, &r->prep_s };
    return f[k];
}

/* Fold the rows idx[0..n) (idx[0] is the one kept) into one. */
static void fold(struct rep_rows *rr, const size_t *idx, size_t n, double *buf)
{
    struct rep_row *x = &rr->v[idx[0]];
    x->t_lo = x->t_hi = NAN;
    for (size_t j = 0; j < n; j++) {
        const struct rep_row *y = &rr->v[idx[j]];
        double t = y->audio_s_batch;
        if (isfinite(t)) {
            x->t_lo = isnan(x->t_lo) || t < x->t_lo ? t : x->t_lo;
            x->t_hi = isnan(x->t_hi) || t > x->t_hi ? t : x->t_hi;
        }
        if (j) {
            x->files |= y->files;
            if (isnan(x->blend_ir_unit))
                x->blend_ir_unit = y->blend_ir_unit;
        }
    }
    /* after the range: the kept row's own times are overwritten here */
    for (int k = 0; k < TIME_FIELDS; k++) {
        for (size_t j = 0; j < n; j++)
            buf[j] = *time_field(&rr->v[idx[j]], k);
        *time_field(x, k) = median(buf, n);
    }
    x->n_runs = (int)n;
}

size_t rep_rows_pool(struct rep_rows *rr)
{
    size_t *idx = xmalloc((rr->n ? rr->n : 1) * sizeof(*idx));
    double *buf = xmalloc((rr->n ? rr->n : 1) * sizeof(*buf));
    unsigned char *gone = xcalloc(rr->n ? rr->n : 1, 1);
    size_t kept = 0, merged = 0;

    for (size_t i = 0; i < rr->n; i++) {
        size_t n = 0;
        if (gone[i])
            continue;
        idx[n++] = i;
        for (size_t j = i + 1; j < rr->n; j++) {
            /* one row per file: a file repeating a point is not a second run */
            if (!gone[j] && rr->v[j].file != rr->v[i].file && same_point(&rr->v[i], &rr->v[j]) &&
                same_result(&rr->v[i], &rr->v[j])) {
                int dup = 0;
                for (size_t m = 0; m < n; m++)
                    dup |= rr->v[idx[m]].file == rr->v[j].file;
                if (!dup) {
                    idx[n++] = j;
                    gone[j] = 1;
                }
            }
        }
        if (n > 1) {
            fold(rr, idx, n, buf);
            merged += n - 1;
        }
    }
    for (size_t i = 0; i < rr->n; i++)
        if (!gone[i])
            rr->v[kept++] = rr->v[i];
    rr->n = kept;
    rr->spread = NAN;
    for (size_t i = 0; i < kept; i++) {
        const struct rep_row *x = &rr->v[i];
        if (x->n_runs > 1 && x->t_lo > 0)
            rr->spread = fmax(rr->spread, x->t_hi / x->t_lo);   /* fmax skips the NaN */
    }
    free(gone);
    free(buf);
    free(idx);
    return merged;
}

int rep_time_cmp(const struct rep_rows *rr, const struct rep_row *a, const struct rep_row *b)
{
    double m = 1;
    if (!(a->files & b->files)) {
        if (!(rr->spread >= 1))
            return 0;
        m = rr->spread;
    }
    if (a->t_hi * m < b->t_lo)
        return -1;
    if (a->t_lo > b->t_hi * m)
        return 1;
    return 0;
}
