/*
 * summary.c - the text table printed after a run and by `faiss-sweep
 * summary`: for each index family and recall target, the fastest measured
 * point that reaches it, so the usual question has an answer without plots.
 */
#include "out/summary.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double targets[] = { 0.90, 0.95, 0.99 };
#define N_TARGETS (sizeof(targets) / sizeof(targets[0]))

static int is_ok(const struct result_row *r)
{
    return !strcmp(r->status, "ok");
}

long summary_best(const struct result_set *rs, const char *family, const char *metric,
                  int64_t N, size_t kidx, double target)
{
    long best = -1;
    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *r = &rs->rows[i];
        double rec = r->recall_at[kidx];
        if (!is_ok(r) || isnan(rec) || isnan(r->qps) || rec < target ||
            (*family && strcmp(r->family, family)) || (metric && strcmp(r->metric, metric)) ||
            (N > 0 && r->N != N))
            continue;
        if (best < 0 || r->qps > rs->rows[best].qps ||
            (r->qps == rs->rows[best].qps && rec > rs->rows[best].recall_at[kidx]))
            best = (long)i;
    }
    return best;
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
        if (!is_ok(&rs->rows[i]))
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
        if (!is_ok(&rs->rows[i]))
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
        if (!is_ok(r))
            continue;
        ok++;
        noisy += r->noisy == 1;
        unjudged += r->noisy < 0;
    }
    if (!ok)
        return;
    fprintf(f, "noisy: %zu of %zu ok points (qps or p50 spread above measure.noisy_cv)", noisy, ok);
    if (unjudged)
        fprintf(f, ", %zu with too few samples to judge", unjudged);
    fputc('\n', f);
}

void summary_print(FILE *f, const struct result_set *rs)
{
    int by_metric = summary_several_metrics(rs), by_n = summary_several_sizes(rs);
    int wfam = (int)strlen("family"), wfac = (int)strlen("factory");
    size_t kidx;

    if (!rs->n_ks || !rs->n_rows) {
        fprintf(f, "no results\n");
        print_counts(f, rs);
        return;
    }
    kidx = largest_k(rs);
    for (size_t i = 0; i < rs->n_rows; i++) {
        char *name = group_name(&rs->rows[i], by_metric, by_n);
        int n = (int)strlen(name);
        int m = (int)strlen(rs->rows[i].factory);
        free(name);
        wfam = n > wfam ? n : wfam;
        wfac = m > wfac ? m : wfac;
    }

    char rk[32];
    snprintf(rk, sizeof(rk), "recall@%ld", rs->ks[kidx]);
    fprintf(f, "fastest point reaching each %s target, per family (rows with status ok)\n\n", rk);
    fprintf(f, "%-*s  %6s  %-*s %7s %8s %10s %12s %9s %10s\n", wfam, "family", "target", wfac,
            "factory", "nprobe", "k_factor", rk, "qps", "p50_us", "index_MiB");

    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *g = &rs->rows[i];
        if (!first_of_group(rs, i, by_metric, by_n))
            continue;
        char *name = group_name(g, by_metric, by_n);
        for (size_t t = 0; t < N_TARGETS; t++) {
            long b = summary_best(rs, g->family, by_metric ? g->metric : NULL, by_n ? g->N : 0,
                                  kidx, targets[t]);
            fprintf(f, "%-*s  %6.2f  ", wfam, t ? "" : name, targets[t]);
            if (b < 0) {
                fprintf(f, "-\n");
                continue;
            }
            const struct result_row *r = &rs->rows[b];
            fprintf(f, "%-*s %7lld %8lld", wfac, r->factory, (long long)r->nprobe, (long long)r->k_factor);
            print_num(f, 10, 4, r->recall_at[kidx]);
            print_num(f, 12, 1, r->qps);
            print_num(f, 9, 1, r->lat_p50_us);
            print_num(f, 10, 2, (double)r->index_bytes / (1024.0 * 1024.0));
            fputc('\n', f);
        }
        free(name);
    }
    fputc('\n', f);
    print_counts(f, rs);
    print_noisy(f, rs);
}
