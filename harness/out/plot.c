/*
 * plot.c - turn a results file into data files and let gnuplot draw them.
 *
 * The C side only chooses rows (status "ok", recall known), groups them into
 * series, sorts them and writes one whitespace-separated file per plot, one
 * data block per series (the form is in out/gnuplot.h, which also runs the
 * templates). Everything about looks lives in the templates under plots/,
 * run once each with their inputs passed as gnuplot variables.
 */
#include "out/plot.h"
#include "out/gnuplot.h"
#include "out/results.h"
#include "out/summary.h"
#include "lib/util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the Pareto front ---- */

struct ranked { double r, q; size_t i; };

/* Recall descending, then qps descending. */
static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->r != y->r)
        return x->r < y->r ? 1 : -1;
    if (x->q != y->q)
        return x->q < y->q ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i;
}

size_t pareto_front(const double *recall, const double *qps, size_t n, size_t *out_idx)
{
    struct ranked *p = xmalloc(n * sizeof(*p));
    size_t m = 0, nf = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(recall[i]) && !isnan(qps[i]))
            p[m++] = (struct ranked){ recall[i], qps[i], i };
    qsort(p, m, sizeof(*p), cmp_ranked);
    /* From the highest recall down, a point survives only if it is faster
     * than everything with at least its recall. */
    for (size_t j = 0; j < m; j++)
        if (nf == 0 || p[j].q > qps[out_idx[nf - 1]])
            out_idx[nf++] = p[j].i;
    for (size_t a = 0, b = nf ? nf - 1 : 0; a < b; a++, b--) {
        size_t t = out_idx[a];
        out_idx[a] = out_idx[b];
        out_idx[b] = t;
    }
    free(p);
    return nf;
}

/* ---- grouping rows into series ---- */

struct point {
    double x, y;
    const struct result_row *row;
};

struct series {
    char *title;
    struct point *pts;
    size_t n, cap;
};

struct series_list {
    struct series *s;
    size_t n;
};

struct plot_ctx {
    const struct result_set *rs;
    size_t kidx;        /* recall column: rs->ks[kidx] */
    int multi_metric;   /* the file holds several metrics: name them in keys */
    int multi_size;     /* a scale ladder: points at each N are their own series */
};

/* The legend entry of a row's series (malloc'd). */
typedef char *(*key_fn)(const struct plot_ctx *, const struct result_row *);
/* The point of a row; 0 when the row has no place in this plot. */
typedef int (*xy_fn)(const struct plot_ctx *, const struct result_row *, double *x, double *y);

static double recall_of(const struct plot_ctx *c, const struct result_row *r)
{
    return r->recall_at[c->kidx];
}

static char *family_key(const struct plot_ctx *c, const struct result_row *r)
{
    char n[32] = "";
    if (c->multi_size)
        snprintf(n, sizeof(n), " N=%lld", (long long)r->N);
    return c->multi_metric ? xasprintf("%s [%s]%s", r->family, r->metric, n)
                           : xasprintf("%s%s", r->family, n);
}

static char *factory_kf_key(const struct plot_ctx *c, const struct result_row *r)
{
    char *kf = r->k_factor > 0 ? xasprintf(" k_factor=%lld", (long long)r->k_factor) : xstrdup("");
    char *key = c->multi_metric ? xasprintf("%s%s [%s]", r->factory, kf, r->metric)
                                : xasprintf("%s%s", r->factory, kf);
    free(kf);
    return key;
}

static int xy_recall_qps(const struct plot_ctx *c, const struct result_row *r, double *x, double *y)
{
    *x = recall_of(c, r);
    *y = r->qps;
    return r->qps > 0;
}

static int xy_nprobe(const struct plot_ctx *c, const struct result_row *r, double *x, double *y)
{
    *x = (double)r->nprobe;
    *y = recall_of(c, r);
    return r->nprobe > 0;
}

static int xy_size(const struct plot_ctx *c, const struct result_row *r, double *x, double *y)
{
    *x = (double)r->index_bytes / (1024.0 * 1024.0);
    *y = recall_of(c, r);
    return r->index_bytes > 0;
}

/* The scale-ladder plots: one series per family and search setting. */
static char *family_setting_key(const struct plot_ctx *c, const struct result_row *r)
{
    /* N is the x axis here, so it stays out of the key. */
    char *fam = c->multi_metric ? xasprintf("%s [%s]", r->family, r->metric) : xstrdup(r->family);
    char *key = r->k_factor > 0
        ? xasprintf("%s nprobe=%lld k_factor=%lld", fam, (long long)r->nprobe, (long long)r->k_factor)
        : r->nprobe > 0 ? xasprintf("%s nprobe=%lld", fam, (long long)r->nprobe) : xstrdup(fam);
    free(fam);
    return key;
}

static int xy_n_qps(const struct plot_ctx *c, const struct result_row *r, double *x, double *y)
{
    (void)c;
    *x = (double)r->N;
    *y = r->qps;
    return r->N > 0 && r->qps > 0;
}

static int xy_n_recall(const struct plot_ctx *c, const struct result_row *r, double *x, double *y)
{
    *x = (double)r->N;
    *y = recall_of(c, r);
    return r->N > 0 && !isnan(*y);
}

static int xy_build(const struct plot_ctx *c, const struct result_row *r, double *x, double *y)
{
    (void)c;
    *x = (double)r->nlist;
    *y = r->train_s + r->add_s;
    return r->nlist > 0 && !isnan(*y);
}

static struct series *series_get(struct series_list *l, char *title)
{
    for (size_t i = 0; i < l->n; i++) {
        if (!strcmp(l->s[i].title, title)) {
            free(title);
            return &l->s[i];
        }
    }
    l->s = xrealloc(l->s, (l->n + 1) * sizeof(*l->s));
    struct series *s = &l->s[l->n++];
    memset(s, 0, sizeof(*s));
    s->title = title;
    return s;
}

static void series_push(struct series *s, struct point p)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->pts = xrealloc(s->pts, s->cap * sizeof(*s->pts));
    }
    s->pts[s->n++] = p;
}

static void series_release(struct series_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->s[i].title);
        free(l->s[i].pts);
    }
    free(l->s);
    memset(l, 0, sizeof(*l));
}

static int cmp_point(const void *a, const void *b)
{
    const struct point *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return 0;
}

/* Keep the first point of each factory: build time is one per index, however
 * many search settings were measured on it. */
static void keep_one_per_factory(struct series *s)
{
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++) {
        size_t j;
        for (j = 0; j < m; j++)
            if (!strcmp(s->pts[j].row->factory, s->pts[i].row->factory))
                break;
        if (j == m)
            s->pts[m++] = s->pts[i];
    }
    s->n = m;
}

static void group(const struct plot_ctx *c, key_fn key, xy_fn xy, int one_per_factory,
                  struct series_list *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < c->rs->n_rows; i++) {
        const struct result_row *r = &c->rs->rows[i];
        struct point p = { 0, 0, r };
        if (strcmp(r->status, "ok") || isnan(recall_of(c, r)) || !xy(c, r, &p.x, &p.y))
            continue;
        series_push(series_get(out, key(c, r)), p);
    }
    for (size_t i = 0; i < out->n; i++) {
        if (one_per_factory)
            keep_one_per_factory(&out->s[i]);
        qsort(out->s[i].pts, out->s[i].n, sizeof(struct point), cmp_point);
    }
}

/* ---- data files ---- */

/* A point's line: x y nprobe k_factor nlist recall factory qps_lo qps_hi,
 * the interval "? ?" when the row has none (gnuplot skips the point in a
 * plot using those columns, and only there). */
static void put_point(FILE *f, const struct plot_ctx *c, const struct point *p)
{
    const struct result_row *r = p->row;
    fprintf(f, "%.9g %.9g %lld %lld %lld %.9g ", p->x, p->y, (long long)r->nprobe,
            (long long)r->k_factor, (long long)r->nlist, recall_of(c, r));
    gnuplot_put_quoted(f, r->factory);
    if (summary_has_interval(r))
        fprintf(f, " %.9g %.9g\n", r->qps_lo, r->qps_hi);
    else
        fputs(" ? ?\n", f);
}

static FILE *open_data(const char *path, const struct plot_ctx *c, const char *what)
{
    FILE *f = gnuplot_data_open(path);
    if (!f)
        return NULL;
    fprintf(f, "# %s; recall@%ld; one block per series (index i), first line its title\n"
               "# x y nprobe k_factor nlist recall factory qps_lo qps_hi (the bootstrap 95%% "
               "interval of qps; ? = none)\n", what, c->rs->ks[c->kidx]);
    return f;
}

static int write_series(const char *path, const struct plot_ctx *c, const struct series_list *l,
                        const char *what)
{
    FILE *f = open_data(path, c, what);
    if (!f)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        gnuplot_block(f, i, l->s[i].title);
        for (size_t j = 0; j < l->s[i].n; j++)
            put_point(f, c, &l->s[i].pts[j]);
    }
    return gnuplot_data_close(f, path);
}

/* The Pareto front of each series, as blocks in the same order. */
static int write_fronts(const char *path, const struct plot_ctx *c, const struct series_list *l)
{
    FILE *f = open_data(path, c, "Pareto front of recall (x) and batch qps (y)");
    if (!f)
        return -1;
    for (size_t i = 0; i < l->n; i++) {
        const struct series *s = &l->s[i];
        double *x = xmalloc(s->n * sizeof(double)), *y = xmalloc(s->n * sizeof(double));
        size_t *idx = xmalloc(s->n * sizeof(size_t));
        for (size_t j = 0; j < s->n; j++) {
            x[j] = s->pts[j].x;
            y[j] = s->pts[j].y;
        }
        size_t nf = pareto_front(x, y, s->n, idx);
        gnuplot_block(f, i, s->title);
        for (size_t j = 0; j < nf; j++)
            put_point(f, c, &s->pts[idx[j]]);
        free(idx);
        free(y);
        free(x);
    }
    return gnuplot_data_close(f, path);
}

/* ---- the plots ---- */

struct plot_def {
    const char *name;       /* template plots/<name>.gp and output suffix */
    key_fn key;
    xy_fn xy;
    int one_per_factory;
    int fronts;             /* also write <stem>-<name>-front.dat */
    int ladder;             /* drawn only when the file holds several N */
    const char *what;       /* for the data file's comment */
};

static const struct plot_def plot_defs[] = {
    { "recall_qps", family_key, xy_recall_qps, 0, 1, 0, "recall (x) and batch qps (y) per family" },
    { "recall_nprobe", factory_kf_key, xy_nprobe, 0, 0, 0, "nprobe (x) and recall (y) per factory and k_factor" },
    { "recall_size", family_key, xy_size, 0, 0, 0, "index MiB (x) and recall (y) per family" },
    { "build_nlist", family_key, xy_build, 1, 0, 0, "nlist (x) and train+add seconds (y) per family" },
    { "qps_n", family_setting_key, xy_n_qps, 0, 0, 1, "N (x) and batch qps (y) per family and setting" },
    { "recall_n", family_setting_key, xy_n_recall, 0, 0, 1, "N (x) and recall (y) per family and setting" },
};

struct job {
    const struct plot_ctx *ctx;
    const char *outdir, *stem, *templates_dir, *title;
};

static int draw(const struct job *j, const struct plot_def *d)
{
    struct series_list l;
    char *base = xasprintf("%s/%s-%s", j->outdir, j->stem, d->name);
    char *data = xasprintf("%s.dat", base);
    char *front = d->fronts ? xasprintf("%s-front.dat", base) : xstrdup(data);
    char *template = xasprintf("%s/%s.gp", j->templates_dir, d->name);
    char *q[5] = { gnuplot_quote(j->templates_dir), gnuplot_quote(data), gnuplot_quote(front),
                   gnuplot_quote(j->title), NULL };
    char *vars = NULL;
    int rc = -1;

    group(j->ctx, d->key, d->xy, d->one_per_factory, &l);
    if (gnuplot_check_template(template) < 0)
        goto out;
    if (write_series(data, j->ctx, &l, d->what) < 0 || (d->fronts && write_fronts(front, j->ctx, &l) < 0))
        goto out;
    vars = xasprintf("plotdir=%s; datafile=%s; frontfile=%s; runtitle=%s; k=%ld; nseries=%zu",
                     q[0], q[1], q[2], q[3], j->ctx->rs->ks[j->ctx->kidx], l.n);
    const char *exts[] = { ".png", ".svg" };
    if (gnuplot_draw(template, vars, base, exts, 2) < 0)
        goto out;
    rc = 0;
out:
    for (int i = 0; q[i]; i++)
        free(q[i]);
    series_release(&l);
    free(vars);
    free(template);
    free(front);
    free(data);
    free(base);
    return rc;
}

/* The file name without folders and without ".h5". */
static char *file_stem(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *stem = xstrdup(slash ? slash + 1 : path);
    size_t n = strlen(stem);
    if (n > 3 && !strcmp(stem + n - 3, ".h5"))
        stem[n - 3] = '\0';
    return stem;
}

/* Append to a title: sep (unless the title is empty), then the text. */
static void PRINTF_LIKE(4, 5)
cat(char *buf, size_t size, const char *sep, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    if (used && used < size)
        used += (size_t)snprintf(buf + used, size - used, "%s", sep);
    if (used >= size)
        return;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

/* The subtitle of every plot, from whichever attributes the file has. */
static char *run_title(const struct result_set *rs, const char *stem, int multi_metric)
{
    static const char *const ints[] = { "N", "d", "nq" };
    const char *name = results_attr_text(rs, "name"), *base = results_attr_text(rs, "dataset_base");
    const char *faiss = results_attr_text(rs, "faiss_version");
    const struct result_attr *a;
    char t[512] = "";

    cat(t, sizeof(t), "", "%s", name ? name : stem);
    if (base)
        cat(t, sizeof(t), " - ", "%s", strrchr(base, '/') ? strrchr(base, '/') + 1 : base);
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        if ((a = results_attr(rs, ints[i])) && a->type == ATTR_INT)
            cat(t, sizeof(t), " ", "%s=%lld", ints[i], (long long)a->i);
    if (!multi_metric)
        for (size_t i = 0; i < rs->n_rows; i++)
            if (!strcmp(rs->rows[i].status, "ok")) {
                cat(t, sizeof(t), ", ", "metric %s", rs->rows[i].metric);
                break;
            }
    if (faiss)
        cat(t, sizeof(t), ", ", "faiss %s", faiss);
    if ((a = results_attr(rs, "batch_threads")) && a->type == ATTR_INT && a->i > 0)
        cat(t, sizeof(t), ", ", "%lld batch threads", (long long)a->i);
    return xstrdup(t);
}

/* Index of k in ks (0 = the largest); -1 with an error listing ks if absent. */
static long find_k(const struct result_set *rs, long k, const char *path)
{
    long best = 0;
    char list[RESULTS_MAX_KS * 24] = "";
    for (size_t i = 0; i < rs->n_ks; i++) {
        if (rs->ks[i] > rs->ks[best])
            best = (long)i;
        if (rs->ks[i] == k)
            return (long)i;
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%ld", i ? ", " : "", rs->ks[i]);
    }
    if (k <= 0 && rs->n_ks)
        return best;
    error("no recall@%ld in '%s' (its k: %s)", k, path, list);
    return -1;
}

int plot_results_at(const char *h5path, const char *outdir, const char *templates_dir, long k)
{
    struct result_set rs;
    struct plot_ctx ctx = { .rs = &rs };
    char *stem = NULL, *title = NULL;
    size_t ok = 0;
    long kidx;
    int rc = -1;

    if (results_read(&rs, h5path) < 0)
        return -1;
    for (size_t i = 0; i < rs.n_rows; i++)
        ok += !strcmp(rs.rows[i].status, "ok");
    if (!ok) {
        error("nothing to plot in '%s': no row has status ok", h5path);
        goto out;
    }
    if ((kidx = find_k(&rs, k, h5path)) < 0 || make_dirs(outdir) < 0)
        goto out;
    ctx.kidx = (size_t)kidx;
    ctx.multi_metric = summary_several_metrics(&rs);
    ctx.multi_size = summary_several_sizes(&rs);
    stem = file_stem(h5path);
    title = run_title(&rs, stem, ctx.multi_metric);

    struct job job = { &ctx, outdir, stem, templates_dir, title };
    for (size_t i = 0; i < sizeof(plot_defs) / sizeof(plot_defs[0]); i++)
        if ((!plot_defs[i].ladder || ctx.multi_size) && draw(&job, &plot_defs[i]) < 0)
            goto out;
    rc = 0;
out:
    free(title);
    free(stem);
    results_release(&rs);
    return rc;
}

int plot_results(const char *h5path, const char *outdir, const char *templates_dir)
{
    return plot_results_at(h5path, outdir, templates_dir, 0);
}
