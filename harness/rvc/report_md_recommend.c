/*
 * report_md_recommend.c - the report's last section: per d and N, the
 * recommended RVC index default (report_recommend), how it compares with
 * today's, the points as fast within the runs' spread, and the lines to
 * paste into RVC.
 */
#include "rvc/report_parts.h"
#include "lib/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *faiss_metric(const char *metric)
{
    return strcmp(metric, "l2") ? "faiss.METRIC_INNER_PRODUCT" : "faiss.METRIC_L2";
}

/* The ready-to-paste lines for row x. */
static void write_paste(FILE *o, const struct rep_row *x)
{
    fputs("```python\n", o);
    if (!strcmp(x->r.metric, "cosine"))
        fputs("faiss.normalize_L2(vectors)  # cosine: base and queries L2-normalised, inner product\n", o);
    if (compressed(x))
        fprintf(o, "# first replace the base by %lld k-means centroids (preprocess %s)\n",
                (long long)x->r.n_clusters, x->r.preprocess);
    fprintf(o, "index = faiss.index_factory(%ld, \"%s\", %s)\n", x->d, x->r.factory,
            faiss_metric(x->r.metric));
    if (x->r.k_factor > 0)
        fprintf(o, "faiss.ParameterSpace().set_index_parameters(index, \"nprobe=%lld,k_factor_rf=%lld\")"
                   "  # i.e. faiss.extract_index_ivf(index).nprobe = %lld; index.k_factor = %lld\n",
                (long long)x->r.nprobe, (long long)x->r.k_factor, (long long)x->r.nprobe,
                (long long)x->r.k_factor);
    else if (x->r.nprobe > 0)
        fprintf(o, "index.nprobe = %lld\n", (long long)x->r.nprobe);
    fputs("```\n\n", o);
}

/* The N range a ladder step stands for: from the geometric mean with the
 * step below to that with the step above (same d). */
static void n_range(const struct rep_rows *rr, long d, int64_t N, char *out, size_t len)
{
    int64_t lo = 0, hi = 0;
    for (size_t i = 0; i < rr->n; i++) {
        int64_t n = rr->v[i].r.N;
        if (rr->v[i].d != d)
            continue;
        if (n < N && n > lo)
            lo = n;
        if (n > N && (!hi || n < hi))
            hi = n;
    }
    if (!lo && !hi)
        snprintf(out, len, "all");
    else if (!lo)
        snprintf(out, len, "< %s", g3(sqrt((double)N * (double)hi)).s);
    else if (!hi)
        snprintf(out, len, ">= %s", g3(sqrt((double)N * (double)lo)).s);
    else
        snprintf(out, len, "%s - %s", g3(sqrt((double)N * (double)lo)).s,
                 g3(sqrt((double)N * (double)hi)).s);
}

/* The first row of each (d, N) of the files, in table order: n_out of them,
 * pointers into rr. Caller frees the array. */
static const struct rep_row **places(const struct rep_rows *rr, size_t *n_out)
{
    struct rep_strs keys = { 0 };
    struct finding all;
    const struct rep_row **p;
    size_t n = 0;

    finding_init(&all);
    for (size_t i = 0; i < rr->n; i++)
        finding_use_row(&all, i);
    p = rep_sorted_rows(rr, &all);
    for (size_t i = 0; i < all.n_rows; i++) {
        char key[64];
        snprintf(key, sizeof(key), "%ld/%lld", p[i]->d, (long long)p[i]->r.N);
        size_t before = keys.n;
        rep_strs_add(&keys, key);
        if (keys.n != before)
            p[n++] = p[i];
    }
    rep_strs_release(&keys);
    finding_release(&all);
    *n_out = n;
    return p;
}

/* The table line of the place (d, N) of row p. */
static void write_table_line(FILE *o, const struct rep_rows *rr, const struct rep_row *p)
{
    char range[96];
    long def, b;
    n_range(rr, p->d, p->r.N, range, sizeof(range));
    b = report_recommend(rr, p->d, p->r.N, &def);
    if (b < 0) {
        fprintf(o, "| %ld | %s | %lld | no `%s` row at this d and N: no reference to meet | | | | | | | | | | | | | |\n",
                p->d, range, (long long)p->r.N, DEFAULT_LABEL);
        return;
    }
    const struct rep_row *x = &rr->v[b], *y = &rr->v[def];
    fprintf(o, "| %ld | %s | %lld | `%s` | %lld | %lld | %s | %s | %s | %s | %s | %s | `%s` nprobe %lld | %s | %s | %s | %s |\n",
            x->d, range, (long long)x->r.N, x->r.factory, (long long)x->r.nprobe,
            (long long)x->r.k_factor, x->r.metric, g3(x->blend_err_mean).s, ms(x).s,
            g3(x->audio_s_single * 1e3).s, g3(rep_mib(x)).s, g3(x->r.train_s + x->r.add_s).s,
            y->r.factory, (long long)y->r.nprobe, g3(y->blend_err_mean).s, ms(y).s,
            g3(rep_mib(y)).s, g3(y->r.train_s + y->r.add_s).s);
}

/* Up to three points as fast as x within the runs' spread and no worse than
 * today's default y. */
static void write_as_fast(FILE *o, const struct rep_rows *rr, const struct rep_row *x,
                          const struct rep_row *y)
{
    for (size_t j = 0, named = 0; j < rr->n && named < 3; j++) {
        const struct rep_row *z = &rr->v[j];
        if (z == x || !at(z, x->d, x->r.N, NULL) || !has_err(z) || !has_time(z) ||
            expanded(z) || expanded(x) || z->blend_err_mean > y->blend_err_mean ||
            rep_time_cmp(rr, z, x) != 0)
            continue;
        /* Metric, k_factor and preprocessing tell apart points with one factory string. */
        fprintf(o, "%s`%s` nprobe %lld", named++ ? ", " : "; as fast within the runs' spread: ",
                z->r.factory, (long long)z->r.nprobe);
        if (z->r.k_factor > 0)
            fprintf(o, " k_factor %lld", (long long)z->r.k_factor);
        fprintf(o, " %s (`%s`%s%s, %s ms/s, runs %s-%s)", z->r.metric, z->label,
                *z->r.preprocess ? ", preprocess " : "", z->r.preprocess, ms(z).s,
                ms_of(z->t_lo).s, ms_of(z->t_hi).s);
    }
}

/* When the recommendation x is today's default y, or y's settings measured
 * again, say so. */
static void write_same_as_default(FILE *o, const struct rep_row *x, const struct rep_row *y)
{
    if (x == y)
        fputs(": today's default itself is the fastest point at its blend error", o);
    else if (!strcmp(x->r.factory, y->r.factory) && x->r.nprobe == y->r.nprobe &&
             x->r.k_factor == y->r.k_factor && !strcmp(x->r.metric, y->r.metric) &&
             x->r.n_clusters == y->r.n_clusters && !expanded(x) && !expanded(y)) {
        /* Noise between two measurements of one setting, not a new setting. */
        if (!strcmp(x->r.preprocess, y->r.preprocess))
            fputs(": the same settings as today's default, measured again in another family "
                  "(the time difference is measurement noise)", o);
        else
            fprintf(o, ": the same index settings as today's default, built with "
                       "preprocessing `%s` instead of `%s`; the row order changes the "
                       "training, and with it the blend error and the time: this is today's "
                       "default measured again, not a new setting",
                    *x->r.preprocess ? x->r.preprocess : "none", y->r.preprocess);
    }
}

/* The paragraph and paste block of the place of row p (nothing without a
 * default there). */
static void write_place(FILE *o, const struct rep_rows *rr, const struct rep_row *p)
{
    long def, b;
    if ((b = report_recommend(rr, p->d, p->r.N, &def)) < 0)
        return;
    const struct rep_row *x = &rr->v[b], *y = &rr->v[def];
    double root = sqrt((double)x->r.N);
    fprintf(o, "d = %ld, N = %lld: `%s` (family `%s`%s%s): blend error %s (today's default %s), "
               "%s ms of batch search per second of audio (today's %s), %s MiB, built in %s s",
            x->d, (long long)x->r.N, x->r.factory, x->label, *x->r.preprocess ? ", preprocess " : "",
            x->r.preprocess, g3(x->blend_err_mean).s, g3(y->blend_err_mean).s, ms(x).s,
            ms(y).s, g3(rep_mib(x)).s, g3(x->r.train_s + x->r.add_s).s);
    if (x->r.nlist > 0)
        fprintf(o, "; nlist %lld = %s x sqrt(N) = N / %s", (long long)x->r.nlist,
                g3((double)x->r.nlist / root).s, g3((double)x->r.N / (double)x->r.nlist).s);
    write_as_fast(o, rr, x, y);
    write_same_as_default(o, x, y);
    fputs(".\n\n", o);
    write_paste(o, x);
}

void report_md_recommend(FILE *o, const struct rep_rows *rr)
{
    size_t n;
    const struct rep_row **p = places(rr, &n);

    fputs("## Recommended RVC default per N range\n\n"
          "Per d and N: among all measured points, the one with the lowest batch search time "
          "per second of audio (the median of the runs pooled; with query expansion, its time "
          "added) whose blend error is no worse than that of today's default (`" DEFAULT_LABEL
          "`) at the same d and N. Points as fast within the runs' spread are named after it: "
          "between those, the measurements do not choose. Each measured N stands for the range "
          "of N up to the geometric mean with its neighbours on the ladder.\n\n", o);
    fputs("| d | N range | N | recommended factory | nprobe | k_factor | metric | blend err | "
          "batch ms/s | single ms/s | index MiB | build s | today's default | its blend err | "
          "its batch ms/s | its MiB | its build s |\n"
          "|--:|---|--:|---|--:|--:|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|\n", o);
    for (size_t i = 0; i < n; i++)
        write_table_line(o, rr, p[i]);
    fputc('\n', o);
    for (size_t i = 0; i < n; i++)
        write_place(o, rr, p[i]);
    free(p);
}
