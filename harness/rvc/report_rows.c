/*
 * report_rows.c - the report's rows: the ok rows of every input file, with
 * the fields derived from them (the config label and the claim it names,
 * recall at 1 and 8, the dimension of their file, RVC's columns), and the
 * order the report's tables list them in.
 */
#include "rvc/report_parts.h"
#include "lib/util.h"

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

void rep_rows_add(struct rep_rows *rr, const struct result_set *rs, int file)
{
    const struct result_attr *a = results_attr(rs, "d"), *name = results_attr(rs, "name");
    long d = a && a->type == ATTR_INT ? (long)a->i : 0;
    long i1 = k_index(rs, 1), i8 = k_index(rs, 8), imax = 0;

    for (size_t i = 1; i < rs->n_ks; i++)
        if (rs->ks[i] > rs->ks[imax])
            imax = (long)i;
    if (i8 < 0)
        i8 = rs->n_ks ? imax : -1;
    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *r = &rs->rows[i];
        if (strcmp(r->status, "ok"))
            continue;
        if (rr->n == rr->cap) {
            rr->cap = rr->cap ? 2 * rr->cap : 64;
            rr->v = xrealloc(rr->v, rr->cap * sizeof(*rr->v));
        }
        struct rep_row *x = &rr->v[rr->n++];
        memset(x, 0, sizeof(*x));
        x->r = *r;
        x->d = d;
        x->file = file;
        x->files = file >= 0 && file < 32 ? 1u << file : 0;
        snprintf(x->run, sizeof(x->run), "%s", name && name->type == ATTR_STR ? name->s : "");
        x->n_runs = 1;
        x->src_row = i;
        /* RVC's columns: the only lines of the report that read them from a
         * result row (when they become registered columns, read by name,
         * only these change). */
        x->blend_err_mean = r->blend_err_mean;
        x->blend_err_p95 = r->blend_err_p95;
        x->blend_cos_mean = r->blend_cos_mean;
        x->blend_missing = r->blend_missing;
        x->blend_zero_dist = r->blend_zero_dist;
        x->blend_ir_unit = r->blend_ir_unit;
        x->audio_s_batch = r->audio_s_batch;
        x->audio_s_single = r->audio_s_single;
        x->audio_s_qexpand = r->audio_s_qexpand;
        x->t_lo = x->t_hi = x->audio_s_batch;
        label_of(r, x->label, sizeof(x->label));
        x->claim = claim_of(x->label);
        x->recall1 = i1 >= 0 ? r->recall_at[i1] : NAN;
        x->recall8 = i8 >= 0 ? r->recall_at[i8] : NAN;
        x->k8 = i8 >= 0 ? rs->ks[i8] : 0;
    }
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
