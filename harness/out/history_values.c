/*
 * history_values.c - recall and size over runs, with their steps
 * (history_values.h).
 */
#include "out/history_values.h"
#include "out/compare_stats.h"
#include "out/gnuplot.h"
#include "out/history.h"
#include "lib/util.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same(const struct history_value_series *s, enum history_value_kind kind,
                const struct result_row *r)
{
    return s->kind == kind && !strcmp(s->family, r->family) && !strcmp(s->metric, r->metric) &&
           s->N == r->N && (kind == HISTORY_RECALL || !strcmp(s->factory, r->factory));
}

/* The series of kind for row r, added when new (cap: h's capacity). */
static struct history_value_series *series_of(struct history *h, size_t *cap,
                                              enum history_value_kind kind,
                                              const struct result_row *r)
{
    struct history_value_series *s;

    for (size_t i = 0; i < h->n_values; i++)
        if (same(&h->values[i], kind, r))
            return &h->values[i];
    if (h->n_values == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        h->values = xrealloc(h->values, *cap * sizeof(*h->values));
    }
    s = &h->values[h->n_values++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    snprintf(s->family, sizeof(s->family), "%s", r->family);
    snprintf(s->factory, sizeof(s->factory), "%s", kind == HISTORY_SIZE ? r->factory : "");
    snprintf(s->metric, sizeof(s->metric), "%s", r->metric);
    s->N = r->N;
    s->v = xmalloc(h->n_runs * sizeof(*s->v));
    s->step = xcalloc(h->n_runs, sizeof(*s->step));
    for (size_t k = 0; k < h->n_runs; k++)
        s->v[k] = NAN;
    return s;
}

/* Trials behind a run's recall@k: nq x k (0 when nq is not recorded). */
static double trials(const struct history *h, size_t run)
{
    const struct result_attr *a = results_attr(&h->runs[run].rs, "nq");
    return a && a->type == ATTR_INT && a->i > 0 ? (double)a->i * (double)h->k : 0;
}

static void mark_steps(const struct history *h, struct history_value_series *s)
{
    long prev = -1;
    for (size_t r = 0; r < h->n_runs; r++) {
        double a, b = s->v[r];
        if (isnan(b))
            continue;
        if (prev >= 0) {
            a = s->v[prev];
            s->step[r] = s->kind == HISTORY_RECALL
                             ? fabs(b - a) > cmp_recall_tol(a, trials(h, (size_t)prev),
                                                            HISTORY_RECALL_FLOOR)
                             : fabs(b - a) > HISTORY_SIZE_TOL * a;
        }
        prev = (long)r;
    }
}

void history_values_make(struct history *h)
{
    size_t cap = 0;

    for (size_t r = 0; r < h->n_runs; r++) {
        const struct result_set *rs = &h->runs[r].rs;
        for (size_t i = 0; i < rs->n_rows; i++) {
            const struct result_row *row = &rs->rows[i];
            struct history_value_series *s;
            double rec = row->recall_at[h->runs[r].kidx];
            if (strcmp(row->status, "ok"))
                continue;
            s = series_of(h, &cap, HISTORY_RECALL, row);
            if (!isnan(rec) && (isnan(s->v[r]) || rec > s->v[r]))
                s->v[r] = rec;
            s = series_of(h, &cap, HISTORY_SIZE, row);
            if (row->index_bytes >= 0 && isnan(s->v[r]))
                s->v[r] = (double)row->index_bytes;
        }
    }
    for (size_t i = 0; i < h->n_values; i++)
        mark_steps(h, &h->values[i]);
}

static void title(char *buf, size_t n, const struct history_value_series *s)
{
    if (s->kind == HISTORY_RECALL)
        snprintf(buf, n, "%s [%s] N=%" PRId64, s->family, s->metric, s->N);
    else
        snprintf(buf, n, "%s (%s) [%s] N=%" PRId64, s->factory, s->family, s->metric, s->N);
}

void history_values_print(FILE *f, const struct history *h)
{
    for (int kind = HISTORY_RECALL; kind <= HISTORY_SIZE; kind++) {
        if (kind == HISTORY_RECALL)
            fprintf(f, "\nbest recall@%ld reached per family; step: a change beyond "
                       "max(%.3f, 2 standard errors over nq x k)\n",
                    h->k, HISTORY_RECALL_FLOOR);
        else
            fprintf(f, "\nindex size per build (bytes); step: a change beyond %.0f%%\n",
                    100 * HISTORY_SIZE_TOL);
        for (size_t i = 0; i < h->n_values; i++) {
            const struct history_value_series *s = &h->values[i];
            char t[2 * RESULTS_STR + 48];
            if ((int)s->kind != kind)
                continue;
            title(t, sizeof(t), s);
            fprintf(f, "%s\n", t);
            for (size_t r = 0; r < h->n_runs; r++) {
                const char *start = h->runs[r].start_time, *commit = h->runs[r].commit;
                fprintf(f, "  %3zu  %-20s %-12.12s ", r, start ? start : "-",
                        commit ? commit : "-");
                if (isnan(s->v[r]))
                    fputs("-\n", f);
                else if (kind == HISTORY_RECALL)
                    fprintf(f, "%.4f%s\n", s->v[r], s->step[r] ? "  step" : "");
                else
                    fprintf(f, "%.0f%s\n", s->v[r], s->step[r] ? "  step" : "");
            }
        }
    }
}

/* One data file of the series of kind: "run value step" per line, a block
 * per series. Returns the blocks, or -1 after an error. */
static long write_data(const struct history *h, int kind, const char *path)
{
    FILE *f = gnuplot_data_open(path);
    size_t blocks = 0;

    if (!f)
        return -1;
    fprintf(f, "# %s over runs; one block per series (index i), first line its title\n"
               "# run value step\n",
            kind == HISTORY_RECALL ? "best recall@k per family" : "index bytes per build");
    for (size_t i = 0; i < h->n_values; i++) {
        const struct history_value_series *s = &h->values[i];
        char t[2 * RESULTS_STR + 48];
        if ((int)s->kind != kind)
            continue;
        title(t, sizeof(t), s);
        gnuplot_block(f, blocks++, t);
        for (size_t r = 0; r < h->n_runs; r++)
            if (!isnan(s->v[r]))
                fprintf(f, "%zu %.17g %d\n", r, s->v[r], s->step[r]);
    }
    if (gnuplot_data_close(f, path) < 0)
        return -1;
    return (long)blocks;
}

int history_values_plot(const struct history *h, const char *outdir, const char *templates_dir)
{
    static const char *const names[] = { "recall", "size" };
    char *template = xasprintf("%s/history_value.gp", templates_dir);
    int rc = gnuplot_check_template(template);

    for (int kind = HISTORY_RECALL; !rc && kind <= HISTORY_SIZE; kind++) {
        char *base = xasprintf("%s/history-%s", outdir, names[kind]);
        char *data = xasprintf("%s.dat", base);
        char *q[3] = { gnuplot_quote(templates_dir), gnuplot_quote(data), NULL };
        const char *exts[] = { ".png", ".svg" };
        long blocks = write_data(h, kind, data);
        char *vars = blocks < 0 ? NULL
                                : xasprintf("plotdir=%s; datafile=%s; k=%ld; nseries=%ld; "
                                            "nruns=%zu; kind='%s'",
                                            q[0], q[1], h->k, blocks, h->n_runs, names[kind]);
        rc = vars ? gnuplot_draw(template, vars, base, exts, 2) : -1;
        free(vars);
        free(q[0]);
        free(q[1]);
        free(data);
        free(base);
    }
    free(template);
    return rc;
}

void history_values_release(struct history *h)
{
    for (size_t i = 0; i < h->n_values; i++) {
        free(h->values[i].v);
        free(h->values[i].step);
    }
    free(h->values);
    h->values = NULL;
    h->n_values = 0;
}
