/*
 * report_plots.c - one plot per claim: the points of the rows a claim's rule
 * looked at, written as a data file and drawn by a plots/report_*.gp
 * template through out/gnuplot.
 */
#include "rvc/report_parts.h"
#include "lib/util.h"
#include "out/gnuplot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pt { int series; double x, y, y2; };

struct plot_data {
    struct rep_strs titles;
    struct pt *v;
    size_t n, cap;
};

static void pd_add(struct plot_data *pd, const char *title, double x, double y, double y2)
{
    if (!isfinite(x) || !isfinite(y))
        return;
    rep_strs_add(&pd->titles, title);
    size_t s = 0;
    while (strcmp(pd->titles.v[s], title))
        s++;
    if (pd->n == pd->cap) {
        pd->cap = pd->cap ? 2 * pd->cap : 64;
        pd->v = xrealloc(pd->v, pd->cap * sizeof(*pd->v));
    }
    pd->v[pd->n++] = (struct pt){ (int)s, x, y, y2 };
}

static int cmp_pt(const void *a, const void *b)
{
    const struct pt *p = a, *q = b;
    if (p->series != q->series)
        return p->series < q->series ? -1 : 1;
    return p->x < q->x ? -1 : p->x > q->x;
}

static void pd_release(struct plot_data *pd)
{
    rep_strs_release(&pd->titles);
    free(pd->v);
    memset(pd, 0, sizeof(*pd));
}

/* The points of a claim's plot, from the rows its rule looked at. */
static void plot_points(const struct rep_rows *rr, const struct finding *f, enum plot_kind kind,
                        struct plot_data *pd)
{
    const struct rep_row **p = rep_sorted_rows(rr, f);
    char t[320];
    for (size_t i = 0; i < f->n_rows; i++) {
        const struct rep_row *x = p[i];
        const char *lab = x->claim ? x->label + 3 : x->label;
        switch (kind) {
        case PLOT_TRADEOFF:
            snprintf(t, sizeof(t), "%s%s%s d=%ld N=%lld", lab, *x->r.preprocess ? " " : "",
                     x->r.preprocess, x->d, (long long)x->r.N);
            pd_add(pd, t, x->blend_err_mean, x->audio_s_batch * 1e3, NAN);
            break;
        case PLOT_NPROBE:
        case PLOT_KFACTOR:
            if (kind == PLOT_KFACTOR) {
                snprintf(t, sizeof(t), "%s nprobe=%lld%s%s d=%ld N=%lld", x->r.factory,
                         (long long)x->r.nprobe, *x->r.preprocess ? " " : "", x->r.preprocess,
                         x->d, (long long)x->r.N);
                pd_add(pd, t, (double)x->r.k_factor, x->recall8, x->blend_err_mean);
            } else {
                snprintf(t, sizeof(t), "%s%s%s d=%ld N=%lld", x->r.factory,
                         *x->r.preprocess ? " " : "", x->r.preprocess, x->d, (long long)x->r.N);
                pd_add(pd, t, (double)x->r.nprobe, x->audio_s_batch * 1e3, x->blend_err_mean);
            }
            break;
        case PLOT_PAIRS:
            break;
        }
    }
    if (kind == PLOT_PAIRS) {
        /* x: l2, y: cosine of each matched setting, one series per (d, N). */
        for (size_t i = 0; i < f->n_rows; i++) {
            const struct rep_row *x = p[i];
            if (strcmp(x->r.metric, "l2"))
                continue;
            for (size_t j = 0; j < f->n_rows; j++) {
                const struct rep_row *y = p[j];
                if (!strcmp(y->r.metric, "cosine") && y->d == x->d && y->r.N == x->r.N &&
                    !strcmp(y->label, x->label) && !strcmp(y->r.factory, x->r.factory) &&
                    !strcmp(y->r.preprocess, x->r.preprocess) && y->r.nprobe == x->r.nprobe &&
                    y->r.k_factor == x->r.k_factor) {
                    snprintf(t, sizeof(t), "d=%ld N=%lld", x->d, (long long)x->r.N);
                    pd_add(pd, t, x->blend_err_mean, y->blend_err_mean, NAN);
                    break;
                }
            }
        }
    }
    free(p);
    if (pd->n)   /* qsort wants a valid pointer even for no elements */
        qsort(pd->v, pd->n, sizeof(*pd->v), cmp_pt);
}

static int write_plot_data(const char *path, const struct plot_data *pd, const char *what)
{
    FILE *f = gnuplot_data_open(path);
    if (!f)
        return -1;
    fprintf(f, "# %s; one block per series (index i), first line its title\n", what);
    for (size_t s = 0; s < pd->titles.n; s++) {
        gnuplot_block(f, s, pd->titles.v[s]);
        for (size_t i = 0; i < pd->n; i++)
            if (pd->v[i].series == (int)s)
                fprintf(f, "%.9g %.9g %.9g\n", pd->v[i].x, pd->v[i].y, pd->v[i].y2);
    }
    return gnuplot_data_close(f, path);
}

int report_draw_claim(const struct rep_rows *rr, const struct finding *f, int id, const char *tag,
                      const char *imgdir, const char *templates_dir)
{
    static const char *const templ[] = { "report_tradeoff", "report_pairs", "report_ladder",
                                         "report_ladder" };
    static const char *const whats[] = {
        "blend error (x), batch ms per s of audio (y)", "blend error l2 (x), cosine (y)",
        "nprobe (x), batch ms per s of audio (y), blend error (y2)",
        "k_factor (x), recall@8 (y), blend error (y2)" };
    enum plot_kind kind = report_claims[id].plot;
    struct plot_data pd = { 0 };
    char *base = xasprintf("%s/rvc-%s", imgdir, tag);
    char *data = xasprintf("%s.dat", base);
    char *template = xasprintf("%s/%s.gp", templates_dir, templ[kind]);
    char *title = xasprintf("C%d: %s", id, report_claims[id].title);
    char *q[4] = { gnuplot_quote(templates_dir), gnuplot_quote(data), gnuplot_quote(title), NULL };
    char *vars = NULL;
    int has_y2 = 0, rc = -1;

    plot_points(rr, f, kind, &pd);
    for (size_t i = 0; i < pd.n; i++)
        has_y2 |= isfinite(pd.v[i].y2);
    if (!pd.n) {
        rc = 0;
        goto out;
    }
    if (gnuplot_check_template(template) < 0)
        goto out;
    if (write_plot_data(data, &pd, whats[kind]) < 0)
        goto out;
    vars = xasprintf("plotdir=%s; datafile=%s; ptitle=%s; nseries=%zu; has_y2=%d; %s",
                     q[0], q[1], q[2], pd.titles.n, has_y2,
                     kind == PLOT_NPROBE ? "xlab='nprobe (log2 scale)'; "
                                           "ylab='batch search time, ms per second of audio, solid (log scale)'; "
                                           "y2lab='blend error, dashed'; ylog=1"
                     : kind == PLOT_KFACTOR ? "xlab='k_factor (log2 scale)'; "
                                              "ylab='recall@8, solid'; y2lab='blend error, dashed'; ylog=0"
                     : "ylog=0");
    const char *exts[] = { ".png" };
    if (gnuplot_draw(template, vars, base, exts, 1) < 0)
        goto out;
    rc = 1;
out:
    for (int i = 0; q[i]; i++)
        free(q[i]);
    pd_release(&pd);
    free(vars);
    free(title);
    free(template);
    free(data);
    free(base);
    return rc;
}
