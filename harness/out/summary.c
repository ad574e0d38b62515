/*
 * summary.c - the text table printed after a run and by `faiss-sweep
 * summary`: for each index family and recall target, the fastest measured
 * point that reaches it, so the usual question has an answer without plots;
 * with its qps interval, the points it cannot be told apart from, and where
 * the run's wall time went.
 */
#include "out/summary.h"
#include "out/cost.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const double summary_targets[SUMMARY_N_TARGETS] = { 0.90, 0.95, 0.99 };

/* Row r is one summary_best may answer for this group and target. */
static int candidate(const struct result_row *r, const char *family, const char *metric,
                     int64_t N, size_t kidx, double target)
{
    double rec = r->recall_at[kidx];
    return results_row_ok(r) && !isnan(rec) && !isnan(r->qps) && rec >= target &&
           (!*family || !strcmp(r->family, family)) && (!metric || !strcmp(r->metric, metric)) &&
           (N <= 0 || r->N == N);
}

long summary_best(const struct result_set *rs, const char *family, const char *metric,
                  int64_t N, size_t kidx, double target)
{
    long best = -1;
    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *r = &rs->rows[i];
        if (!candidate(r, family, metric, N, kidx, target))
            continue;
        if (best < 0 || r->qps > rs->rows[best].qps ||
            (r->qps == rs->rows[best].qps && r->recall_at[kidx] > rs->rows[best].recall_at[kidx]))
            best = (long)i;
    }
    return best;
}

int summary_has_interval(const struct result_row *r)
{
    return isfinite(r->qps_lo) && isfinite(r->qps_hi) && r->qps_lo <= r->qps_hi && r->qps_hi > 0;
}

size_t summary_within_noise(const struct result_set *rs, long best, const char *family,
                            const char *metric, int64_t N, size_t kidx, double target,
                            size_t *out, size_t max)
{
    const struct result_row *w;
    size_t n = 0;
    if (best < 0 || !summary_has_interval(w = &rs->rows[best]))
        return 0;
    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *r = &rs->rows[i];
        if ((long)i == best || !candidate(r, family, metric, N, kidx, target) ||
            !summary_has_interval(r) || r->qps_lo > w->qps_hi || r->qps_hi < w->qps_lo)
            continue;
        /* Keep the `max` fastest, by qps descending (row order at ties). */
        size_t j = n < max ? n : max;
        while (j > 0 && rs->rows[out[j - 1]].qps < r->qps)
            j--;
        if (j < max) {
            size_t last = n < max ? n : max - 1;
            memmove(out + j + 1, out + j, (last - j) * sizeof(*out));
            out[j] = i;
        }
        n++;
    }
    return n;
}

/* Index of the largest k. */
static size_t largest_k(const struct result_set *rs)
{
    size_t best = 0;
    for (size_t i = 1; i < rs->n_ks; i++)
        if (rs->ks[i] > rs->ks[best])
            best = i;
    return best;
}

int summary_several_metrics(const struct result_set *rs)
{
    const char *first = NULL;
    for (size_t i = 0; i < rs->n_rows; i++) {
        if (!results_row_ok(&rs->rows[i]))
            continue;
        if (!first)
            first = rs->rows[i].metric;
        else if (strcmp(first, rs->rows[i].metric))
            return 1;
    }
    return 0;
}

/* A scale ladder: points at different N are not comparable, so each N
 * gets its own group. */
int summary_several_sizes(const struct result_set *rs)
{
    int64_t first = -1;
    for (size_t i = 0; i < rs->n_rows; i++) {
        if (!results_row_ok(&rs->rows[i]))
            continue;
        if (first < 0)
            first = rs->rows[i].N;
        else if (first != rs->rows[i].N)
            return 1;
    }
    return 0;
}

/* Row i is the first of its (family, metric, N) group. */
static int first_of_group(const struct result_set *rs, size_t i, int by_metric, int by_n)
{
    for (size_t j = 0; j < i; j++)
        if (!strcmp(rs->rows[j].family, rs->rows[i].family) &&
            (!by_metric || !strcmp(rs->rows[j].metric, rs->rows[i].metric)) &&
            (!by_n || rs->rows[j].N == rs->rows[i].N))
            return 0;
    return 1;
}

/* The label of a group: family, then [metric] and N=... when they vary. */
static char *group_name(const struct result_row *g, int by_metric, int by_n)
{
    char n[32] = "";
    if (by_n)
        snprintf(n, sizeof(n), " N=%lld", (long long)g->N);
    return by_metric ? xasprintf("%s [%s]%s", g->family, g->metric, n)
                     : xasprintf("%s%s", g->family, n);
}

static void print_num(FILE *f, int width, int prec, double v)
{
    if (isnan(v))
        fprintf(f, " %*s", width, "-");
    else
        fprintf(f, " %*.*f", width, prec, v);
}

static void print_counts(FILE *f, const struct result_set *rs)
{
    size_t ok = 0, skipped = 0, failed = 0, other = 0;
    for (size_t i = 0; i < rs->n_rows; i++) {
        const char *s = rs->rows[i].status;
        if (!strcmp(s, "ok"))
            ok++;
        else if (!strncmp(s, "skipped", 7))
            skipped++;
        else if (!strncmp(s, "failed", 6))
            failed++;
        else
            other++;
    }
    fprintf(f, "rows: %zu ok, %zu skipped, %zu failed", ok, skipped, failed);
    if (other)
        fprintf(f, ", %zu other", other);
    fputc('\n', f);
}

/* How many ok points were flagged noisy (files of schema 4 on), and how
 * many had too few samples to judge. */
static void print_noisy(FILE *f, const struct result_set *rs)
{
    struct run_column c;
    size_t ok = 0, noisy = 0, unjudged = 0;
    if (results_find(rs, "noisy", &c))
        return;
    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *r = &rs->rows[i];
        if (!results_row_ok(r))
            continue;
        ok++;
        noisy += r->noisy == 1;
        unjudged += r->noisy < 0;
    }
    if (!ok)
        return;
    fprintf(f, "noisy: %zu of %zu ok points (qps interval or p50 spread beyond measure.noisy)",
            noisy, ok);
    if (unjudged)
        fprintf(f, ", %zu with too few samples to judge", unjudged);
    fputc('\n', f);
}

void summary_compact(char *buf, size_t size, double v)
{
    static const char suffix[] = " kMG";
    size_t s = 0;
    double x = v;
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return;
    }
    while (s + 1 < sizeof(suffix) - 1 && fabs(x) >= 999.5) {
        x /= 1000;
        s++;
    }
    int prec = fabs(x) >= 99.95 ? 0 : fabs(x) >= 9.995 ? 1 : 2;
    snprintf(buf, size, "%.*f%.*s", prec, x, s > 0, &suffix[s]);
}

/* ---- the cost breakdown (root attributes cost_<phase>_s) ---- */

/* The phases in out/cost.h's order, then other cost_<phase>_s attributes
 * (a file of a later version), named <phase> with '_' as ' '. */
static int attr_number(const struct result_attr *a, double *v)
{
    if (a->type == ATTR_FLOAT)
        *v = a->f;
    else if (a->type == ATTR_INT)
        *v = (double)a->i;
    else
        return 0;
    return isfinite(*v);
}

/* Where attribute a goes in the cost line: its phase's place, COST_NPHASES +
 * its own index for a phase not listed, or -1 when it is no cost. */
static long cost_place(const struct result_attr *a, size_t index)
{
    size_t n = strlen(a->name);
    double v;
    if (n <= strlen("cost_") + strlen("_s") || strncmp(a->name, "cost_", 5) ||
        strcmp(a->name + n - 2, "_s") || !attr_number(a, &v))
        return -1;
    for (size_t p = 0; p < COST_NPHASES; p++)
        if (strlen(cost_name((enum cost_phase)p)) == n - 7 &&
            !strncmp(a->name + 5, cost_name((enum cost_phase)p), n - 7))
            return (long)p;
    return (long)(COST_NPHASES + index);
}

/* One piece of the cost line: "<phase> <seconds> s" (malloc'd). */
static char *cost_piece(const struct result_attr *a, long place)
{
    double v = 0;
    attr_number(a, &v);
    if (place < (long)COST_NPHASES)
        return xasprintf("%s %.1f s", cost_title((enum cost_phase)place), v);
    char *name = xasprintf("%.*s", (int)(strlen(a->name) - 7), a->name + 5);
    for (char *c = name; *c; c++)
        *c = *c == '_' ? ' ' : *c;
    char *piece = xasprintf("%s %.1f s", name, v);
    free(name);
    return piece;
}

#define COST_WIDTH 100  /* the cost line's first line ends before this column */

/* The cost pieces in place order (malloc'd, *n of them): each round takes
 * the least place above the last one taken; a handful of attributes, so
 * the rounds are cheap. */
static char **cost_pieces(const struct result_set *rs, size_t *n)
{
    char **pieces = xmalloc((rs->n_attrs + 1) * sizeof(*pieces));
    long last = -1;
    *n = 0;
    for (;;) {
        long best = -1;
        size_t bi = 0;
        for (size_t i = 0; i < rs->n_attrs; i++) {
            long p = cost_place(&rs->attrs[i], i);
            if (p > last && (best < 0 || p < best)) {
                best = p;
                bi = i;
            }
        }
        if (best < 0)
            return pieces;
        pieces[(*n)++] = cost_piece(&rs->attrs[bi], best);
        last = best;
    }
}

/* "cost: load 1.2 s, ground truth 7.5 s, ... of wall 369.4 s"; past
 * COST_WIDTH columns, cut after the last comma that keeps the first line
 * within it, the rest on a second line. Nothing when the set has no
 * cost_*_s attribute. */
static void print_cost(FILE *f, const struct result_set *rs)
{
    const struct result_attr *wall = results_attr(rs, "wall_s");
    size_t n, total = strlen("cost:"), cut = 0, sofar = strlen("cost:");  /* + ", " each */
    char **pieces = cost_pieces(rs, &n);
    double w;

    if (n && wall && attr_number(wall, &w)) {
        char *last = xasprintf("%s of wall %.1f s", pieces[n - 1], w);
        free(pieces[n - 1]);
        pieces[n - 1] = last;
    }
    for (size_t i = 0; i < n; i++)
        total += strlen(pieces[i]) + 2;
    for (size_t i = 0; total > COST_WIDTH && i + 1 < n &&
                       sofar + strlen(pieces[i]) + 2 <= COST_WIDTH; i++) {
        sofar += strlen(pieces[i]) + 2;
        cut = i + 1;
    }
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s%s", i == 0 ? "cost: " : i == cut ? ",\n      " : ", ", pieces[i]);
        free(pieces[i]);
    }
    if (n)
        fputc('\n', f);
    free(pieces);
}

/* ---- the table ---- */

#define NOISE_NAMED 3   /* points named in a footnote; more are counted */

/* One line of the table: a target of a group and the point that answers. */
struct answer {
    const struct result_row *g;     /* the group's first row */
    double target;
    long best;                      /* row index, or -1 */
    size_t n_tied;                  /* other points within noise (summary_within_noise) */
    size_t tied[NOISE_NAMED];
    int note;                       /* footnote number, 0 = none */
};

struct table {
    const struct result_set *rs;
    size_t kidx;
    int by_metric, by_n;
    int wfam, wfac, wint;           /* widths of the family, factory and qps 95% columns */
    int intervals;                  /* some answer has a qps interval: show the column */
    struct answer *a;
    size_t n;
};

/* "lo-hi" in compact numbers, or "-" without an interval. */
static void interval_text(char *buf, size_t size, const struct result_row *r)
{
    char lo[16], hi[16];
    if (!summary_has_interval(r)) {
        snprintf(buf, size, "-");
        return;
    }
    summary_compact(lo, sizeof(lo), r->qps_lo);
    summary_compact(hi, sizeof(hi), r->qps_hi);
    snprintf(buf, size, "%s-%s", lo, hi);
}

/* The qps 95% cell of answer a: the interval, then "~<note>" if any. */
static void interval_cell(char *buf, size_t size, const struct table *t, const struct answer *a)
{
    char iv[40];
    interval_text(iv, sizeof(iv), &t->rs->rows[a->best]);
    if (a->note)
        snprintf(buf, size, "%s ~%d", iv, a->note);
    else
        snprintf(buf, size, "%s", iv);
}

/* The footnote of an earlier answer of a's group with the same winner and
 * the same points within noise (a lower target with nothing more), or -1. */
static int same_note(const struct table *t, const struct answer *a)
{
    for (size_t i = t->n - 1; i-- > 0 && t->a[i].g == a->g;)
        if (t->a[i].note && t->a[i].best == a->best && t->a[i].n_tied == a->n_tied &&
            !memcmp(t->a[i].tied, a->tied, sizeof(a->tied)))
            return t->a[i].note;
    return -1;
}

/* The answers of every group and target, their footnotes, the widths. */
static void table_fill(struct table *t)
{
    const struct result_set *rs = t->rs;
    int notes = 0;
    t->a = xmalloc(rs->n_rows * SUMMARY_N_TARGETS * sizeof(*t->a));
    t->n = 0;
    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *g = &rs->rows[i];
        char *name = group_name(g, t->by_metric, t->by_n);
        int n = (int)strlen(name), m = (int)strlen(g->factory);
        free(name);
        t->wfam = n > t->wfam ? n : t->wfam;
        t->wfac = m > t->wfac ? m : t->wfac;
        if (!first_of_group(rs, i, t->by_metric, t->by_n))
            continue;
        for (size_t k = 0; k < SUMMARY_N_TARGETS; k++) {
            struct answer *a = &t->a[t->n++];
            const char *metric = t->by_metric ? g->metric : NULL;
            int64_t N = t->by_n ? g->N : 0;
            memset(a, 0, sizeof(*a));
            a->g = g;
            a->target = summary_targets[k];
            a->best = summary_best(rs, g->family, metric, N, t->kidx, a->target);
            a->n_tied = summary_within_noise(rs, a->best, g->family, metric, N, t->kidx,
                                             a->target, a->tied, NOISE_NAMED);
            a->note = a->n_tied ? same_note(t, a) : 0;
            if (a->note < 0)
                a->note = ++notes;
            t->intervals |= a->best >= 0 && summary_has_interval(&rs->rows[a->best]);
        }
    }
    for (size_t i = 0; i < t->n; i++) {
        char cell[64];
        if (t->a[i].best < 0)
            continue;
        interval_cell(cell, sizeof(cell), t, &t->a[i]);
        t->wint = (int)strlen(cell) > t->wint ? (int)strlen(cell) : t->wint;
    }
}

static void print_answer(FILE *f, const struct table *t, const struct answer *a, const char *name)
{
    fprintf(f, "%-*s  %6.2f  ", t->wfam, name, a->target);
    if (a->best < 0) {
        fprintf(f, "-\n");
        return;
    }
    const struct result_row *r = &t->rs->rows[a->best];
    fprintf(f, "%-*s %7lld %8lld", t->wfac, r->factory, (long long)r->nprobe, (long long)r->k_factor);
    print_num(f, 10, 4, r->recall_at[t->kidx]);
    print_num(f, 12, 1, r->qps);
    if (t->intervals) {
        char cell[64];
        interval_cell(cell, sizeof(cell), t, a);
        fprintf(f, "  %-*s", t->wint, cell);
    }
    print_num(f, 9, 1, r->lat_p50_us);
    print_num(f, 10, 2, (double)r->index_bytes / (1024.0 * 1024.0));
    fputc('\n', f);
}

/* A point as the footnotes name it: factory, nprobe and k_factor when
 * set, and its preprocessing when it differs from the winner's w. */
static void put_point(FILE *f, const struct result_row *r, const struct result_row *w)
{
    fputs(r->factory, f);
    if (r->nprobe > 0)
        fprintf(f, " nprobe %lld", (long long)r->nprobe);
    if (r->k_factor > 0)
        fprintf(f, " k_factor %lld", (long long)r->k_factor);
    if (strcmp(r->preprocess, w->preprocess))
        fprintf(f, " [%s]", *r->preprocess ? r->preprocess : "no preprocessing");
}

/* Below the table: for each answer marked ~<n>, the points it cannot be
 * told apart from. */
static void print_notes(FILE *f, const struct table *t)
{
    int any = 0;
    int last = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct answer *a = &t->a[i];
        if (a->note <= last)
            continue;       /* none, or an earlier line's */
        last = a->note;
        if (!any++)
            fprintf(f, "\n~n: qps 95%% intervals overlap: speed cannot tell these points apart\n");
        const struct result_row *w = &t->rs->rows[a->best];
        size_t shown = a->n_tied < NOISE_NAMED ? a->n_tied : NOISE_NAMED;
        fprintf(f, "~%d ", a->note);
        put_point(f, w, w);
        fputs(" within noise of ", f);
        for (size_t j = 0; j < shown; j++) {
            const struct result_row *r = &t->rs->rows[a->tied[j]];
            char iv[40];
            interval_text(iv, sizeof(iv), r);
            fputs(j ? ", " : "", f);
            put_point(f, r, w);
            fprintf(f, " (%s)", iv);
        }
        if (a->n_tied > shown)
            fprintf(f, " and %zu more", a->n_tied - shown);
        fputc('\n', f);
    }
}

/* A merged run (out/merge.h) whose tasks ran on different CPU models:
 * speeds compare only within one model; the families whose points were
 * measured on several are named. */
static void print_cpu_models(FILE *f, const struct result_set *rs)
{
    const char *models = results_attr_text(rs, "tasks_cpu_models");
    const struct result_table *tasks = results_table(rs, RESULTS_TASKS);
    const struct result_table *tr = results_table(rs, RESULTS_TASK_ROWS);
    int tc = tasks ? results_table_col(tasks, "cpu_model") : -1;
    size_t n_models = 1;

    if (!models || !strchr(models, '\n') || tc < 0 || !tr || tr->n_cols < 2)
        return;
    for (const char *p = models; (p = strchr(p, '\n')); p++)
        n_models++;
    fprintf(f, "\nCPU models: the %zu tasks of this merged run ran on %zu CPU models: speeds "
            "compare only within one model\n", tasks->n_rows, n_models);
    for (size_t i = 0; i < rs->n_rows; i++) {
        int64_t model = -1, mixed = 0, seen_before = 0;
        for (size_t j = 0; j < i && !seen_before; j++)
            seen_before = !strcmp(rs->rows[j].family, rs->rows[i].family);
        for (size_t r = 0; !seen_before && r < tr->n_rows; r++) {
            int64_t row = tr->cells[r * tr->n_cols].i, task = tr->cells[r * tr->n_cols + 1].i;
            if (row < 0 || (size_t)row >= rs->n_rows ||
                strcmp(rs->rows[row].family, rs->rows[i].family))
                continue;
            for (size_t t = 0; t < tasks->n_rows; t++) {
                int64_t m = tasks->cells[t * tasks->n_cols + (size_t)tc].i;
                if (tasks->cells[t * tasks->n_cols].i != task)
                    continue;
                mixed |= model >= 0 && m != model;
                model = m;
            }
        }
        if (mixed)
            fprintf(f, "  %s: points measured on different CPU models\n", rs->rows[i].family);
    }
}

void summary_print(FILE *f, const struct result_set *rs)
{
    struct table t = { .rs = rs, .wfam = (int)strlen("family"), .wfac = (int)strlen("factory"),
                       .wint = (int)strlen("qps 95%") };
    char rk[32];

    if (!rs->n_ks || !rs->n_rows) {
        fprintf(f, "no results\n");
        print_counts(f, rs);
        print_cost(f, rs);
        return;
    }
    t.kidx = largest_k(rs);
    t.by_metric = summary_several_metrics(rs);
    t.by_n = summary_several_sizes(rs);
    table_fill(&t);

    snprintf(rk, sizeof(rk), "recall@%ld", rs->ks[t.kidx]);
    fprintf(f, "fastest point reaching each %s target, per family (rows with status ok)\n\n", rk);
    fprintf(f, "%-*s  %6s  %-*s %7s %8s %10s %12s", t.wfam, "family", "target", t.wfac,
            "factory", "nprobe", "k_factor", rk, "qps");
    if (t.intervals)
        fprintf(f, "  %-*s", t.wint, "qps 95%");
    fprintf(f, " %9s %10s\n", "p50_us", "index_MiB");
    for (size_t i = 0; i < t.n; i++) {
        int first = i % SUMMARY_N_TARGETS == 0;
        char *name = first ? group_name(t.a[i].g, t.by_metric, t.by_n) : xstrdup("");
        print_answer(f, &t, &t.a[i], name);
        free(name);
    }
    print_notes(f, &t);
    free(t.a);
    fputc('\n', f);
    print_counts(f, rs);
    print_noisy(f, rs);
    print_cpu_models(f, rs);
    print_cost(f, rs);
}
