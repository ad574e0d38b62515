/*
 * history.c - several results files as runs over time: per family and
 * recall target, each run's fastest point reaching the target, a table of
 * them with the steps beyond the noise, and a gnuplot plot of qps over
 * runs (the rule and the order are in out/history.h).
 */
#include "out/history.h"
#include "out/gnuplot.h"
#include "out/summary.h"
#include "lib/util.h"
#include "out/pool.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* start_time ascending, runs without one last, then the order given. */
static int cmp_runs(const void *a, const void *b)
{
    const struct history_run *x = a, *y = b;
    if (x->start_time && y->start_time) {
        int c = strcmp(x->start_time, y->start_time);
        if (c)
            return c;
    } else if (x->start_time || y->start_time) {
        return x->start_time ? -1 : 1;
    }
    return x->given < y->given ? -1 : x->given > y->given;
}

/* The largest k of the first run that every run has; -1 after an error. */
static int shared_k(struct history *h)
{
    const struct result_set *first = &h->runs[0].rs;
    h->k = -1;
    for (size_t i = 0; i < first->n_ks; i++) {
        long k = first->ks[i];
        int all = 1;
        for (size_t r = 1; r < h->n_runs && all; r++) {
            all = 0;
            for (size_t j = 0; j < h->runs[r].rs.n_ks; j++)
                all |= h->runs[r].rs.ks[j] == k;
        }
        if (all && k > h->k)
            h->k = k;
    }
    if (h->k < 0)
        return error("no recall@k shared by all files ('%s' and the others)", h->runs[0].path);
    for (size_t r = 0; r < h->n_runs; r++)
        for (size_t j = 0; j < h->runs[r].rs.n_ks; j++)
            if (h->runs[r].rs.ks[j] == h->k)
                h->runs[r].kidx = j;
    return 0;
}

static int same_group(const struct history_series *s, const struct result_row *r)
{
    return !strcmp(s->family, r->family) && !strcmp(s->metric, r->metric) && s->N == r->N;
}

/* Add the series of every (family, metric, N) of the ok rows, in order of
 * first appearance over the ordered runs, one per target. */
static void make_series(struct history *h)
{
    size_t cap = 0;
    for (size_t r = 0; r < h->n_runs; r++) {
        const struct result_set *rs = &h->runs[r].rs;
        for (size_t i = 0; i < rs->n_rows; i++) {
            const struct result_row *row = &rs->rows[i];
            size_t s = 0;
            if (strcmp(row->status, "ok"))
                continue;
            while (s < h->n_series && !same_group(&h->series[s], row))
                s++;
            if (s < h->n_series)
                continue;
            if (h->n_series + HISTORY_N_TARGETS > cap) {
                cap = cap ? 2 * cap : 4 * HISTORY_N_TARGETS;
                h->series = xrealloc(h->series, cap * sizeof(*h->series));
            }
            for (size_t t = 0; t < HISTORY_N_TARGETS; t++) {
                struct history_series *n = &h->series[h->n_series++];
                memset(n, 0, sizeof(*n));
                snprintf(n->family, sizeof(n->family), "%s", row->family);
                snprintf(n->metric, sizeof(n->metric), "%s", row->metric);
                n->N = row->N;
                n->target = summary_targets[t];
                n->pts = xmalloc(h->n_runs * sizeof(*n->pts));
            }
        }
    }
}

static const struct result_row *point_row(const struct history *h, size_t run,
                                          const struct history_point *p)
{
    return p->row >= 0 ? &h->runs[run].rs.rows[p->row] : NULL;
}

/* x lies outside [lo, hi] of row r. */
static int outside(double x, const struct result_row *r)
{
    return x < r->qps_lo || x > r->qps_hi;
}

/* Each run's winner, then the step rule of history.h against the latest
 * earlier run that reached the target. */
static void fill_series(struct history *h, struct history_series *s)
{
    long prev = -1;
    for (size_t r = 0; r < h->n_runs; r++) {
        struct history_point *p = &s->pts[r];
        const struct result_row *a, *b;
        memset(p, 0, sizeof(*p));
        p->row = summary_best(&h->runs[r].rs, s->family, s->metric, s->N, h->runs[r].kidx,
                              s->target);
        if (p->row < 0)
            continue;
        b = point_row(h, r, p);
        p->interval = summary_has_interval(b);
        if (prev >= 0) {
            a = point_row(h, (size_t)prev, &s->pts[prev]);
            if (!p->interval || !s->pts[prev].interval)
                p->undecided = 1;
            else
                p->step = outside(b->qps, a) && outside(a->qps, b) &&
                          fabs(b->qps / a->qps - 1) > HISTORY_NOISE;
        }
        prev = (long)r;
    }
}

int history_load(struct history *h, const char *const *paths, size_t n)
{
    memset(h, 0, sizeof(*h));
    h->runs = xmalloc((n ? n : 1) * sizeof(*h->runs));
    memset(h->runs, 0, (n ? n : 1) * sizeof(*h->runs));
    for (size_t i = 0; i < n; i++) {
        struct history_run *run = &h->runs[i];
        run->path = paths[i];
        run->given = i;
        if (results_read(&run->rs, paths[i]) < 0) {
            h->n_runs = i + 1;
            history_release(h);
            return -1;
        }
        h->n_runs = i + 1;
        /* a run given twice would be two points of its history */
        for (size_t j = 0; j < i; j++) {
            const struct result_set *two[2] = { &h->runs[j].rs, &run->rs };
            const char *names[2] = { paths[j], paths[i] };
            if (pool_check_distinct(two, names, 2) < 0) {
                history_release(h);
                return -1;
            }
        }
    }
    if (!n || shared_k(h) < 0) {
        if (!n)
            error("no results file given");
        history_release(h);
        return -1;
    }
    /* The attributes' strings are the sets' heap blocks: they stay put
     * when the runs move. */
    for (size_t i = 0; i < n; i++) {
        h->runs[i].start_time = results_attr_text(&h->runs[i].rs, "start_time");
        h->runs[i].commit = results_attr_text(&h->runs[i].rs, "git_commit");
    }
    qsort(h->runs, n, sizeof(*h->runs), cmp_runs);
    make_series(h);
    for (size_t s = 0; s < h->n_series; s++)
        fill_series(h, &h->series[s]);
    history_values_make(h);
    return 0;
}

static void put_header(FILE *f, const struct history *h)
{
    fprintf(f, "%zu runs, recall@%ld; step: qps outside the previous run's 95%% interval and "
               "it outside this one's, and a change over %.0f%%\n",
            h->n_runs, h->k, 100 * HISTORY_NOISE);
    for (size_t r = 0; r < h->n_runs; r++) {
        const char *faiss = results_attr_text(&h->runs[r].rs, "faiss_version");
        const char *name = results_attr_text(&h->runs[r].rs, "name");
        fprintf(f, "  run %zu: %s", r, h->runs[r].path);
        if (name)
            fprintf(f, " (%s)", name);
        if (faiss)
            fprintf(f, ", faiss %s", faiss);
        fputc('\n', f);
    }
}

static void put_line(FILE *f, const struct history *h, const struct history_series *s, size_t r)
{
    const struct history_point *p = &s->pts[r];
    const struct result_row *w = point_row(h, r, p);
    const char *start = h->runs[r].start_time, *commit = h->runs[r].commit;
    char qps[16], lo[16], hi[16], band[40], size[16];

    fprintf(f, "  %3zu  %-20s %-12.12s", r, start ? start : "-", commit ? commit : "-");
    if (!w) {
        fputs(" -\n", f);
        return;
    }
    summary_compact(qps, sizeof(qps), w->qps);
    summary_compact(lo, sizeof(lo), w->qps_lo);
    summary_compact(hi, sizeof(hi), w->qps_hi);
    if (p->interval)
        snprintf(band, sizeof(band), "[%s-%s]", lo, hi);
    else
        snprintf(band, sizeof(band), "[-]");
    summary_compact(size, sizeof(size), (double)w->index_bytes);
    fprintf(f, " %6s %-13s %-22s %6lld %8lld %7.4f %6s", qps, band, w->factory,
            (long long)w->nprobe, (long long)w->k_factor, w->recall_at[h->runs[r].kidx],
            w->index_bytes >= 0 ? size : "-");
    fputs(p->step ? "  step" : !p->interval || p->undecided ? "  no interval" : "", f);
    fputc('\n', f);
}

void history_print(FILE *f, const struct history *h)
{
    put_header(f, h);
    for (size_t s = 0; s < h->n_series; s++) {
        const struct history_series *se = &h->series[s];
        fprintf(f, "\n%s [%s] N=%lld, recall@%ld >= %.2f\n", se->family, se->metric,
                (long long)se->N, h->k, se->target);
        fprintf(f, "  %3s  %-20s %-12s %6s %-13s %-22s %6s %8s %7s %6s\n", "run", "start_time",
                "commit", "qps", "95%", "factory", "nprobe", "k_factor", "recall", "bytes");
        for (size_t r = 0; r < h->n_runs; r++)
            put_line(f, h, se, r);
    }
    history_values_print(f, h);
}

/* The data file: one block per series with a point in some run, each line
 * "run qps qps_lo qps_hi step" ("? ?" without an interval). Returns the
 * number of blocks, or -1 after an error. */
static long write_data(const struct history *h, const char *path)
{
    FILE *f = gnuplot_data_open(path);
    size_t blocks = 0;
    if (!f)
        return -1;
    fprintf(f, "# batch qps over runs of the fastest point reaching each recall@%ld target;\n"
               "# one block per series (index i), first line its title\n"
               "# run qps qps_lo qps_hi step (the bootstrap 95%% interval; ? = none)\n", h->k);
    for (size_t s = 0; s < h->n_series; s++) {
        const struct history_series *se = &h->series[s];
        size_t any = 0;
        for (size_t r = 0; r < h->n_runs; r++)
            any += se->pts[r].row >= 0;
        if (!any)
            continue;
        char *title = xasprintf("%s [%s] N=%lld @%.2f", se->family, se->metric,
                                (long long)se->N, se->target);
        gnuplot_block(f, blocks++, title);
        free(title);
        for (size_t r = 0; r < h->n_runs; r++) {
            const struct result_row *w = point_row(h, r, &se->pts[r]);
            if (!w)
                continue;
            fprintf(f, "%zu %.17g", r, w->qps);
            if (se->pts[r].interval)
                fprintf(f, " %.17g %.17g", w->qps_lo, w->qps_hi);
            else
                fputs(" ? ?", f);
            fprintf(f, " %d\n", se->pts[r].step);
        }
    }
    if (gnuplot_data_close(f, path) < 0)
        return -1;
    return (long)blocks;
}

int history_plot(const struct history *h, const char *outdir, const char *templates_dir)
{
    char *base = xasprintf("%s/history-qps", outdir);
    char *data = xasprintf("%s.dat", base);
    char *template = xasprintf("%s/history.gp", templates_dir);
    char *q[3] = { gnuplot_quote(templates_dir), gnuplot_quote(data), NULL };
    char *vars = NULL;
    long blocks;
    int rc = -1;

    if (make_dirs(outdir) < 0 || gnuplot_check_template(template) < 0 ||
        (blocks = write_data(h, data)) < 0)
        goto out;
    vars = xasprintf("plotdir=%s; datafile=%s; k=%ld; nseries=%ld; nruns=%zu",
                     q[0], q[1], h->k, blocks, h->n_runs);
    const char *exts[] = { ".png", ".svg" };
    rc = gnuplot_draw(template, vars, base, exts, 2);
    if (!rc)
        rc = history_values_plot(h, outdir, templates_dir);
out:
    for (int i = 0; q[i]; i++)
        free(q[i]);
    free(vars);
    free(template);
    free(data);
    free(base);
    return rc;
}

void history_release(struct history *h)
{
    for (size_t s = 0; s < h->n_series; s++)
        free(h->series[s].pts);
    free(h->series);
    history_values_release(h);
    for (size_t r = 0; r < h->n_runs; r++)
        results_release(&h->runs[r].rs);
    free(h->runs);
    memset(h, 0, sizeof(*h));
}
