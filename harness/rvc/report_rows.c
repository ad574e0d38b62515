/*
 * report_rows.c - the report's rows: the ok rows of every input file, with
 * the fields derived from them (the config label and the claim it names,
 * recall at 1 and 8, the dimension of their file, RVC's columns, read by
 * name, of a row or of a pooled point), RVC's /blend rows of a report row,
 * and the order the report's tables list them in.
 */
#include "rvc/report_parts.h"
#include "lib/util.h"
#include "out/pool.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long k_index(const struct result_set *rs, long k)
{
    for (size_t i = 0; i < rs->n_ks; i++)
        if (rs->ks[i] == k)
            return (long)i;
    return -1;
}

/* The config label: the family without the " <preprocess>" the run appends. */
static void label_of(const struct result_row *r, char *out, size_t len)
{
    size_t nf = strlen(r->family), np = strlen(r->preprocess);
    snprintf(out, len, "%s", r->family);
    if (np && nf > np + 1 && nf < len && out[nf - np - 1] == ' ' &&
        !strcmp(out + nf - np, r->preprocess))
        out[nf - np - 1] = '\0';
}

static int claim_of(const char *label)
{
    return label[0] == 'C' && label[1] >= '1' && label[1] <= '8' && label[2] == ' '
           ? label[1] - '0' : 0;
}

static struct rep_row *new_row(struct rep_rows *rr)
{
    if (rr->n == rr->cap) {
        rr->cap = rr->cap ? 2 * rr->cap : 64;
        rr->v = xrealloc(rr->v, rr->cap * sizeof(*rr->v));
    }
    memset(&rr->v[rr->n], 0, sizeof(rr->v[0]));
    return &rr->v[rr->n++];
}

/* Where a row's numbers come from: one file's row, or a pooled point. */
struct source {
    const struct result_set *rs;
    const struct result_row *row;
    const struct pool *pool;    /* NULL: the row alone */
    size_t point;
    double lo, hi;              /* audio_s_batch's range, set by value() */
};

/* A numeric column by name: the row's, or the point's pooled value. */
static double value(struct source *src, const char *name)
{
    double v;
    if (src->pool)
        pool_value(src->pool, src->point, name, &v, &src->lo, &src->hi);
    else
        results_value(src->rs, src->row, name, &v);
    return v;
}

/* Row `i` of rs (file `file`) as the report sees it, its numbers from src.
 * RVC's columns: the only lines of the report that read them, by name. */
static void fill(struct rep_row *x, const struct result_set *rs, size_t i, int file,
                 struct source *src)
{
    const struct result_attr *a = results_attr(rs, "d"), *name = results_attr(rs, "name");
    long i1 = k_index(rs, 1), i8 = k_index(rs, 8), imax = 0;
    const struct result_row *r = &rs->rows[i];
    double v;

    for (size_t k = 1; k < rs->n_ks; k++)
        if (rs->ks[k] > rs->ks[imax])
            imax = (long)k;
    if (i8 < 0)
        i8 = rs->n_ks ? imax : -1;
    x->r = *r;
    x->d = a && a->type == ATTR_INT ? (long)a->i : 0;
    x->file = file;
    x->files = file >= 0 && file < 32 ? 1u << file : 0;
    snprintf(x->run, sizeof(x->run), "%s", name && name->type == ATTR_STR ? name->s : "");
    x->n_runs = 1;
    x->src_row = i;
    x->blend_err_mean = value(src, "blend_err_mean");
    x->blend_err_p95 = value(src, "blend_err_p95");
    x->blend_cos_mean = value(src, "blend_cos_mean");
    v = value(src, "blend_missing");
    x->blend_missing = isnan(v) ? -1 : (int64_t)v;
    v = value(src, "blend_zero_dist");
    x->blend_zero_dist = isnan(v) ? -1 : (int64_t)v;
    x->blend_ir_unit = value(src, "blend_ir_unit");
    x->audio_s_single = value(src, "audio_s_single");
    x->audio_s_qexpand = value(src, "audio_s_qexpand");
    x->audio_s_batch = value(src, "audio_s_batch");
    x->t_lo = src->pool ? src->lo : x->audio_s_batch;
    x->t_hi = src->pool ? src->hi : x->audio_s_batch;
    label_of(r, x->label, sizeof(x->label));
    x->claim = claim_of(x->label);
    x->recall1 = i1 >= 0 ? r->recall_at[i1] : NAN;
    x->recall8 = i8 >= 0 ? r->recall_at[i8] : NAN;
    x->k8 = i8 >= 0 ? rs->ks[i8] : 0;
}

void rep_rows_add(struct rep_rows *rr, const struct result_set *rs, int file)
{
    for (size_t i = 0; i < rs->n_rows; i++) {
        struct source src = { .rs = rs, .row = &rs->rows[i] };
        if (!strcmp(rs->rows[i].status, "ok"))
            fill(new_row(rr), rs, i, file, &src);
    }
}

/* A pooled point: its first run's row, with the generic time columns set
 * to their pooled medians and RVC's from the pool. */
void rep_rows_add_point(struct rep_rows *rr, const struct pool *p, size_t point)
{
    const struct pool_point *pt = &p->points[point];
    const struct pool_member *m = &p->members[pt->first];
    const struct result_set *rs = p->in[m->input].rs;
    /* one run: its own numbers, as they are (an infinite qps too) */
    struct source src = { .rs = rs, .row = &rs->rows[m->row], .pool = pt->n > 1 ? p : NULL,
                          .point = point };
    struct run_column cols[RESULTS_MAX_COLUMNS];
    size_t n = results_columns(rs, cols);
    struct rep_row *x = new_row(rr);

    fill(x, rs, m->row, (int)m->input, &src);
    x->files = (unsigned)(pt->inputs & 0xffffffffu);
    x->n_runs = (int)pt->n;
    for (size_t i = 0; pt->n > 1 && i < n; i++) {
        double v;
        if (cols[i].generic >= 0 && cols[i].role == ROLE_TIME && cols[i].type == COL_F64 &&
            !pool_value(p, point, cols[i].name, &v, NULL, NULL))
            memcpy((char *)&x->r + cols[i].off, &v, sizeof(v));
    }
}

size_t rep_blend_rows(const struct result_set *sets, const struct rep_row *x,
                      struct rep_rate *out, size_t max)
{
    for (int f = 0; f < 32; f++) {
        const struct result_table *t;
        int c_row, c_rate, c_err, c_unit;
        size_t n = 0;
        if (!((x->files >> f) & 1u) || !(t = results_table(&sets[f], "blend")))
            continue;
        c_row = results_table_col(t, "run_row");
        c_rate = results_table_col(t, "index_rate");
        c_err = results_table_col(t, "blend_err_mean");
        c_unit = results_table_col(t, "blend_ir_unit");
        if (c_row < 0 || c_rate < 0 || c_err < 0)
            continue;
        for (size_t i = 0; i < t->n_rows && n < max; i++) {
            const union result_cell *c = t->cells + i * t->n_cols;
            const struct result_row *r = &sets[f].rows[c[c_row].i];
            if (f == x->file ? c[c_row].i == (int64_t)x->src_row
                             : pool_same_settings(&sets[f], r, &sets[x->file], &x->r))
                out[n++] = (struct rep_rate){ c[c_rate].f, c[c_err].f,
                                              c_unit >= 0 ? c[c_unit].f : NAN };
        }
        if (n)
            return n;
    }
    return 0;
}

void rep_rows_release(struct rep_rows *rr)
{
    free(rr->v);
    memset(rr, 0, sizeof(*rr));
}

double report_tolerance(const struct rep_row *x)
{
    return x->blend_ir_unit * (REPORT_IR_TOL / 0.01);
}

static int cmp_row_ptr(const void *a, const void *b)
{
    const struct rep_row *x = *(const struct rep_row *const *)a, *y = *(const struct rep_row *const *)b;
    int c;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    if (x->r.N != y->r.N)
        return x->r.N < y->r.N ? -1 : 1;
    if ((c = strcmp(x->r.metric, y->r.metric)) || (c = strcmp(x->label, y->label)) ||
        (c = strcmp(x->r.preprocess, y->r.preprocess)))
        return c;
    if (x->r.nlist != y->r.nlist)
        return x->r.nlist < y->r.nlist ? -1 : 1;
    if ((c = strcmp(x->r.factory, y->r.factory)))
        return c;
    if (x->r.nprobe != y->r.nprobe)
        return x->r.nprobe < y->r.nprobe ? -1 : 1;
    return x->r.k_factor < y->r.k_factor ? -1 : x->r.k_factor > y->r.k_factor;
}

/* The rows a finding looked at, sorted for the table; caller frees. */
const struct rep_row **rep_sorted_rows(const struct rep_rows *rr, const struct finding *f)
{
    const struct rep_row **p = xmalloc((f->n_rows + 1) * sizeof(*p));
    for (size_t i = 0; i < f->n_rows; i++)
        p[i] = &rr->v[f->rows[i]];
    qsort(p, f->n_rows, sizeof(*p), cmp_row_ptr);
    return p;
}
