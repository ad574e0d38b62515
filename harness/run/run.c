/*
 * run.c - one sweep, end to end. Each distinct build (factory, nlist,
 * metric) is trained and filled once; every search point runs on it; each
 * point becomes one row of the results.
 */
#include "run/run.h"
#include "lib/backend.h"
#include "rvc/blend.h"
#include "core/build.h"
#include "core/config.h"
#include "io/dataset.h"
#include "core/grid.h"
#include "core/groundtruth.h"
#include "lib/metrics.h"
#include "out/plot.h"
#include "core/preprocess.h"
#include "out/results.h"
#include "core/search.h"
#include "out/summary.h"
#include "lib/util.h"
#include "lib/version.h"

#include <inttypes.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define COSINE_EPS 1e-12f

/* Ctrl-C ends the sweep after the point being measured; what was measured
 * is written, marked interrupted, rather than lost. */
static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
}

struct run {
    struct config cfg;
    struct dataset ds;
    struct grid grid;
    struct vecs unit_base, unit_queries;  /* normalised copies, for cosine */
    size_t *sizes, n_sizes;               /* base rows per scale-ladder step */
    struct ground_truth (*gt)[3];         /* [size][enum metric], when used */
    struct result_set rs;
    size_t kmax;
    size_t kdeep;                         /* max(kmax, rvc.blend_k): ground truth depth */
    float *D, *D_k;                       /* search results, nq * kmax, allocated once */
    int64_t *I, *I_k;
    int batch_threads;
    size_t done, total, n_failed;
    double t_start;
    int progress;
    struct prepared *cur;                 /* the build being measured */
    struct blend_stats *ir_stats;         /* per rvc.index_rate, of the current point */
    char *checkpoint;                     /* "<results>.checkpoint" */
    double t_checkpoint;                  /* when it was last written */
    struct expanded *xbase;               /* the last base expansion, reused */
};

/* Expanding the base is an exact k-NN of the base against itself (21
 * minutes at 300k x 768 here); "base" and "both" builds share it. */
struct expanded {
    float *x;
    enum metric metric;
    size_t n;
    int shuffle, num_expand;
    double alpha;
    double s;           /* seconds the expansion took when computed */
};

/* What one build indexes and searches with, after its preprocessing: NULL
 * fields mean "the original". Ground truth stays that of the original. */
struct prepared {
    float *base;        /* rows the index is built on */
    size_t n;
    int64_t *perm;      /* shuffled: row i of base is original row perm[i] */
    float *queries;     /* expanded queries */
    int no_recall;      /* ids are centroids, not base rows: recall does not apply */
    double prep_s;      /* seconds spent on the base before training */
    double qexpand_s;   /* seconds spent expanding all queries; 0 = not expanded */
};

static enum backend_metric backend_metric_of(enum metric m)
{
    return m == METRIC_L2 ? BACKEND_L2 : BACKEND_IP;
}

static const struct vecs *base_of(const struct run *r, enum metric m)
{
    return m == METRIC_COSINE ? &r->unit_base : &r->ds.base;
}

static const struct vecs *queries_of(const struct run *r, enum metric m)
{
    return m == METRIC_COSINE ? &r->unit_queries : &r->ds.queries;
}

static int uses_metric(const struct config *cfg, enum metric m)
{
    for (size_t i = 0; i < cfg->n_metrics; i++)
        if (cfg->metrics[i] == m)
            return 1;
    return 0;
}

/* Every factory string must build for this d before hours are spent. */
static int preflight(struct run *r)
{
    for (size_t i = 0; i < r->grid.n_builds; i++) {
        const struct build_point *b = &r->grid.builds[i];
        struct fs_index *idx;
        char why[512], key[48];
        snprintf(key, sizeof(key), "indexes[%d].factory", b->spec_no);
        if (backend_create(&idx, b->factory, (int)r->ds.base.d,
                           backend_metric_of(b->metric), why, sizeof(why)))
            return config_error(r->cfg.path, b->spec->line, key,
                                "faiss cannot build '%s' for d=%zu: %s", b->factory,
                                r->ds.base.d, why);
        backend_free(idx);
        if (strlen(b->factory) >= sizeof(((struct result_row *)0)->factory))
            return config_error(r->cfg.path, b->spec->line, key,
                                "'%s' is longer than the %zu characters the results file keeps",
                                b->factory, sizeof(((struct result_row *)0)->factory) - 1);
    }
    return 0;
}

static int prepare_cosine(struct run *r)
{
    size_t zb, zq;
    if (!uses_metric(&r->cfg, METRIC_COSINE))
        return 0;
    r->unit_base.n = r->ds.base.n;
    r->unit_base.d = r->ds.base.d;
    r->unit_base.x = xmalloc(r->ds.base.n * r->ds.base.d * sizeof(float));
    memcpy(r->unit_base.x, r->ds.base.x, r->ds.base.n * r->ds.base.d * sizeof(float));
    r->unit_queries.n = r->ds.queries.n;
    r->unit_queries.d = r->ds.queries.d;
    r->unit_queries.x = xmalloc(r->ds.queries.n * r->ds.queries.d * sizeof(float));
    memcpy(r->unit_queries.x, r->ds.queries.x, r->ds.queries.n * r->ds.queries.d * sizeof(float));
    /* A zero vector has no direction: keep it out of the cosine base. */
    zb = vecs_drop_zero_rows(&r->unit_base, COSINE_EPS);
    if (zb)
        warning("cosine: %zu base vectors with a norm below %g are left out of the "
                "cosine runs", zb, (double)COSINE_EPS);
    vecs_normalize(&r->unit_base, COSINE_EPS);
    zq = vecs_normalize(&r->unit_queries, COSINE_EPS);
    if (zq)
        warning("cosine: %zu query vectors have a norm below %g; their similarity is 0 "
                "to everything", zq, (double)COSINE_EPS);
    return 0;
}

/* The ladder's sizes in base rows (whole clips for clip data; duplicates
 * dropped): the whole base when there is no ladder. */
static void ladder(struct run *r)
{
    const struct long_list *sz = &r->cfg.dataset.sizes;
    r->sizes = xmalloc((sz->n ? sz->n : 1) * sizeof(*r->sizes));
    r->n_sizes = 0;
    for (size_t i = 0; i < sz->n; i++) {
        size_t rows = dataset_prefix_rows(&r->ds, (size_t)sz->v[i]);
        if (!r->n_sizes || r->sizes[r->n_sizes - 1] != rows)
            r->sizes[r->n_sizes++] = rows;
    }
    if (!r->n_sizes)
        r->sizes[r->n_sizes++] = r->ds.base.n;
}

/* Base rows a build on the first N rows gets under a metric: cosine runs
 * may have dropped zero vectors. */
static size_t rows_for(const struct run *r, enum metric m, size_t N)
{
    size_t n = base_of(r, m)->n;
    return N < n ? N : n;
}

static size_t size_index(const struct run *r, size_t N)
{
    size_t z = 0;
    while (z + 1 < r->n_sizes && r->sizes[z] != N)
        z++;
    return z;
}

/* ann-benchmarks files carry their own ground truth: use it when it covers
 * the run (same metric, whole base, deep enough), after checking a sample of
 * queries against faiss's exact search. Distances are converted to what
 * faiss returns (squared L2; similarity for cosine and ip) for tie checks. */
static int stored_ground_truth(struct run *r, enum metric m, struct ground_truth *gt)
{
    const struct dataset *ds = &r->ds;
    const struct vecs *b = base_of(r, m), *q = queries_of(r, m);
    size_t k = ds->gt_k < r->kdeep + GT_TIE_MARGIN ? ds->gt_k : r->kdeep + GT_TIE_MARGIN;
    size_t ns = q->n < 200 ? q->n : 200, agree = 0;
    float *D;
    int64_t *I;

    if (!ds->gt_ids || !ds->native_metric || strcmp(ds->native_metric, metric_name(m)) ||
        ds->gt_k < r->kdeep || b->n != ds->base.n)
        return -1;
    gt->nq = q->n;
    gt->k = k;
    gt->D = xmalloc(q->n * k * sizeof(*gt->D));
    gt->I = xmalloc(q->n * k * sizeof(*gt->I));
    for (size_t i = 0; i < q->n; i++) {
        for (size_t j = 0; j < k; j++) {
            float d = ds->gt_dist ? ds->gt_dist[i * ds->gt_k + j] : (float)j;
            gt->I[i * k + j] = ds->gt_ids[i * ds->gt_k + j];
            gt->D[i * k + j] = m == METRIC_L2 ? d * d : m == METRIC_COSINE ? 1 - d : -d;
        }
    }
    D = xmalloc(ns * r->kmax * sizeof(*D));
    I = xmalloc(ns * r->kmax * sizeof(*I));
    if (backend_knn_exact(b->n, b->x, ns, q->x, b->d, backend_metric_of(m), r->kmax, D, I) == 0) {
        struct ground_truth sample = { .nq = ns, .k = k, .D = gt->D, .I = gt->I };
        double rec, rec1;
        recall_at(&sample, I, r->kmax, r->kmax, &rec, &rec1);
        agree = rec >= 0.999;
        if (!agree)
            warning("'%s': stored ground truth disagrees with exact search on %zu queries "
                    "(recall@%zu %.4f); computing it instead", ds->base_path, ns, r->kmax, rec);
    }
    free(D);
    free(I);
    if (!agree) {
        ground_truth_release(gt);
        return -1;
    }
    return 0;
}

/* Let recall settle ties deeper than the stored columns (metrics.h). */
static void tie_oracle(const struct run *r, struct ground_truth *gt, enum metric m, size_t N)
{
    const struct vecs *b = base_of(r, m), *q = queries_of(r, m);
    if (!gt->D)
        return;
    gt->x = b->x;
    gt->n = rows_for(r, m, N);
    gt->q = q->x;
    gt->d = b->d;
    gt->ip = m != METRIC_L2;
}

/* Exact neighbours for every (ladder size, metric) in use; a prefix of the
 * base has its own cache key. */
static int ground_truths(struct run *r)
{
    r->gt = xcalloc(r->n_sizes, sizeof(*r->gt));
    for (size_t z = 0; z < r->n_sizes; z++) {
        size_t N = r->sizes[z];
        uint64_t key = r->n_sizes > 1 ? hash_bytes(r->ds.hash, &N, sizeof(N)) : r->ds.hash;
        for (int m = METRIC_L2; m <= METRIC_COSINE; m++) {
            const struct vecs *b = base_of(r, (enum metric)m), *q = queries_of(r, (enum metric)m);
            int cached;
            double t0 = now_s();
            if (!uses_metric(&r->cfg, (enum metric)m))
                continue;
            if (z == r->n_sizes - 1 && !stored_ground_truth(r, (enum metric)m, &r->gt[z][m])) {
                info("ground truth (N=%zu, %s, k=%zu): from the file, checked on a sample",
                     N, metric_name((enum metric)m), r->gt[z][m].k);
                continue;
            }
            if (groundtruth_get(&r->gt[z][m], b->x, rows_for(r, (enum metric)m, N), q->x, q->n, b->d,
                                backend_metric_of((enum metric)m), metric_name((enum metric)m),
                                r->kdeep + GT_TIE_MARGIN, key, r->cfg.cache_dir, &cached))
                return -1;
            info("ground truth (N=%zu, %s, k=%zu): %s in %.1f s", N, metric_name((enum metric)m),
                 r->gt[z][m].k, cached ? "from cache" : "computed", now_s() - t0);
        }
        for (int m = METRIC_L2; m <= METRIC_COSINE; m++)
            tie_oracle(r, &r->gt[z][m], (enum metric)m, N);
    }
    return 0;
}

/* "[done/total] what is running now  elapsed  eta" on one terminal line. */
static void progress(struct run *r, const struct build_point *b, const char *what, long nprobe,
                     long k_factor)
{
    double el = now_s() - r->t_start;
    double eta = r->done ? el / (double)r->done * (double)(r->total - r->done) : 0;
    if (!r->progress)
        return;
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s %s", r->done, r->total, what, b->factory,
            metric_name(b->metric));
    if (nprobe >= 0)
        fprintf(stderr, " nprobe=%ld k_factor=%ld", nprobe, k_factor);
    fprintf(stderr, "  elapsed %.0fs", el);
    if (r->done)
        fprintf(stderr, "  eta %.0fs", eta);
    if (r->done == r->total)
        fputc('\n', stderr);
}

/* An entry's family is its factory template; entries sharing a template
 * (say two nlist rules) are told apart by their position in the config. */
static void family_of(const struct run *r, const struct build_point *b, char *out, size_t len)
{
    const char *tmpl = b->spec->preset ? b->spec->preset : b->spec->factory;
    size_t used;
    if (b->spec->label) {
        snprintf(out, len, "%s", b->spec->label);
        return;
    }
    snprintf(out, len, "%s", tmpl);
    for (size_t i = 0; i < r->cfg.n_indexes; i++) {
        if ((int)i != b->spec_no && r->cfg.indexes[i].factory && !r->cfg.indexes[i].label &&
            !strcmp(r->cfg.indexes[i].factory, b->spec->factory) && !b->spec->preset) {
            snprintf(out, len, "%s [indexes[%d]]", tmpl, b->spec_no);
            break;
        }
    }
    /* Each preprocessing setting is its own trade-off curve. */
    used = strlen(out);
    if (b->prep[0] && used < len)
        snprintf(out + used, len - used, " %s", b->prep);
}

static void row_init(const struct run *r, struct result_row *row, const struct build_point *b,
                     const struct search_point *p)
{
    memset(row, 0, sizeof(*row));
    row->N = (int64_t)rows_for(r, b->metric, b->N);
    family_of(r, b, row->family, sizeof(row->family));
    snprintf(row->factory, sizeof(row->factory), "%s", b->factory);
    snprintf(row->metric, sizeof(row->metric), "%s", metric_name(b->metric));
    row->nlist = b->nlist;
    snprintf(row->preprocess, sizeof(row->preprocess), "%s", b->prep);
    row->n_clusters = b->n_clusters;
    row->nprobe = p->nprobe;
    row->k_factor = p->k_factor;
    row->train_s = row->add_s = row->qps = NAN;
    row->lat_mean_us = row->lat_p50_us = row->lat_p95_us = row->lat_p99_us = NAN;
    row->ndis_per_query = NAN;
    row->index_bytes = row->rss_delta_bytes = -1;
    for (size_t i = 0; i < RESULTS_MAX_KS; i++)
        row->recall_at[i] = row->recall1_at[i] = NAN;
    row->missing_ids = -1;
    row->blend_err_mean = row->blend_err_p95 = row->blend_cos_mean = NAN;
    row->blend_missing = row->blend_zero_dist = -1;
    row->audio_s_batch = row->audio_s_single = NAN;
    row->blend_ir_unit = row->audio_s_qexpand = NAN;
    row->prep_s = 0;
}

static void add_status_row(struct run *r, const struct build_point *b,
                           const struct search_point *p, const struct build_stats *bs,
                           const char *status)
{
    struct result_row row;
    row_init(r, &row, b, p);
    if (bs) {
        row.train_s = bs->train_s;
        row.add_s = bs->add_s;
        row.index_bytes = bs->index_bytes;
        row.rss_delta_bytes = bs->rss_delta_bytes;
    }
    snprintf(row.status, sizeof(row.status), "%s", status);
    results_add_row(&r->rs, &row);
    r->done++;
}

/* A point that did not run: "skipped: <why>", or "failed: build" when why is NULL. */
static void add_skip_row(struct run *r, const struct build_point *b,
                         const struct search_point *p, const struct build_stats *bs,
                         const char *why)
{
    char status[sizeof(((struct result_row *)0)->status)];
    snprintf(status, sizeof(status), "%s%s", why ? "skipped: " : "failed: build",
             why ? why : "");
    add_status_row(r, b, p, bs, status);
}

/* recall@k for each k from a search with that k: re-ranking stages fetch
 * k * k_factor candidates, so the top k of a deeper search is not what a
 * search for k returns. The largest k reuses the timed search's ids. */
static int recalls(struct run *r, struct fs_index *idx, const struct build_point *b,
                   struct result_row *row)
{
    const struct vecs *q = queries_of(r, b->metric);
    const struct ground_truth *gt = &r->gt[size_index(r, b->N)][b->metric];
    const float *qx = r->cur->queries ? r->cur->queries : q->x;

    row->missing_ids = count_missing(r->I, q->n, r->kmax, r->kmax);
    if (r->cur->no_recall)
        return 0;
    for (size_t i = 0; i < r->cfg.k.n; i++) {
        size_t k = (size_t)r->cfg.k.v[i];
        int64_t *I = r->I;
        if (k < r->kmax) {
            if (backend_search(idx, q->n, qx, k, r->D_k, r->I_k))
                return -1;
            I = r->I_k;
        }
        /* A shuffled index answers in shuffled row numbers. */
        if (r->cur->perm)
            prep_unshuffle_ids(I, q->n * k, r->cur->perm);
        recall_at(gt, I, k, k, &row->recall_at[i], &row->recall1_at[i]);
    }
    return 0;
}

/* Squared L2 from what faiss returned: L2 is already; cosine similarities of
 * unit vectors become 2 - 2s. Copies into out (n values). */
static void to_sql2(const float *D, size_t n, enum metric m, float *out)
{
    memcpy(out, D, n * sizeof(*out));
    if (m == METRIC_COSINE)
        blend_ip_to_sql2(out, n);
}

/* RVC's blend with the index's k neighbours against the exact ones. Raw
 * inner product has no distance RVC could weight by, so it gets none. */
static int blend_point(struct run *r, struct fs_index *idx, const struct build_point *b,
                       struct result_row *row)
{
    const struct vecs *q = queries_of(r, b->metric), *base = base_of(r, b->metric);
    const struct ground_truth *gt = &r->gt[size_index(r, b->N)][b->metric];
    const float *qx = r->cur->queries ? r->cur->queries : q->x;
    const float *stored = r->cur->base ? r->cur->base : base->x;
    size_t k = (size_t)r->cfg.rvc.blend_k, n = rows_for(r, b->metric, b->N);
    const int64_t *I = r->I;
    const float *D = r->D;
    float *Dx, *Da;
    struct blend_stats bs;
    int rc;

    if (!k || b->metric == METRIC_IP)
        return 0;
    if (k != r->kmax) {
        if (backend_search(idx, q->n, qx, k, r->D_k, r->I_k))
            return -1;
        I = r->I_k;
        D = r->D_k;
    }
    Dx = xmalloc(q->n * gt->k * sizeof(*Dx));
    Da = xmalloc(q->n * k * sizeof(*Da));
    to_sql2(gt->D, q->n * gt->k, b->metric, Dx);
    to_sql2(D, q->n * k, b->metric, Da);
    struct blend_side exact = { .x = base->x, .n = n, .I = gt->I, .D = Dx, .stride = gt->k };
    /* RVC blends what its index stores (centroids, expanded or shuffled rows)
     * into the original query. */
    struct blend_side ann = { .x = stored, .n = r->cur->base ? r->cur->n : n, .I = I, .D = Da,
                              .stride = k };
    rc = 0;
    for (size_t i = 0; !rc && i < r->cfg.rvc.index_rate.n; i++)
        rc = blend_fidelity(q->x, q->n, q->d, &exact, &ann, k, r->cfg.rvc.index_rate.v[i],
                            &r->ir_stats[i]);
    free(Dx);
    free(Da);
    if (rc)
        return -1;
    bs = r->ir_stats[0];
    row->blend_ir_unit = bs.ir_unit;
    row->blend_err_mean = bs.err_mean;
    row->blend_err_p95 = bs.err_p95;
    row->blend_cos_mean = bs.cos_mean;
    row->blend_missing = (int64_t)bs.missing_queries;
    row->blend_zero_dist = (int64_t)bs.zero_dist_ann;
    return 0;
}

/* Run one search point on a built index and append its row. */
static void search_point(struct run *r, struct fs_index *idx, const struct build_point *b,
                         const struct search_point *p, const struct build_stats *bs)
{
    const struct vecs *q = queries_of(r, b->metric);
    struct search_stats ss;
    struct result_row row;

    if (b->nlist && backend_set_param(idx, "nprobe", (double)p->nprobe)) {
        add_status_row(r, b, p, bs, "failed: nprobe cannot be set");
        r->n_failed++;
        return;
    }
    if (b->refine && backend_set_param(idx, b->kf_param, (double)p->k_factor)) {
        add_status_row(r, b, p, bs, "failed: k_factor cannot be set");
        r->n_failed++;
        return;
    }
    if (search_measure(idx, r->cur->queries ? r->cur->queries : q->x, q->n, q->d, r->kmax,
                       &r->cfg.measure, r->batch_threads, r->D, r->I, &ss)) {
        add_status_row(r, b, p, bs, "failed: search");
        r->n_failed++;
        return;
    }
    row_init(r, &row, b, p);
    row.train_s = bs->train_s;
    row.add_s = bs->add_s;
    row.index_bytes = bs->index_bytes;
    row.rss_delta_bytes = bs->rss_delta_bytes;
    row.qps = ss.qps;
    row.lat_mean_us = ss.lat_mean_us;
    row.lat_p50_us = ss.lat_p50_us;
    row.lat_p95_us = ss.lat_p95_us;
    row.lat_p99_us = ss.lat_p99_us;
    row.ndis_per_query = b->nlist ? ss.ndis_per_query : NAN;
    row.audio_s_batch = blend_audio_seconds_batch(ss.qps);
    row.audio_s_single = blend_audio_seconds_single(ss.lat_mean_us * 1e-6);
    row.prep_s = r->cur->prep_s;
    if (r->cur->qexpand_s > 0)
        row.audio_s_qexpand = r->cur->qexpand_s * RVC_FRAMES_PER_SECOND / (double)q->n;
    if (blend_point(r, idx, b, &row) || recalls(r, idx, b, &row)) {
        add_status_row(r, b, p, bs, "failed: search");
        r->n_failed++;
        return;
    }
    snprintf(row.status, sizeof(row.status), "ok");
    for (size_t i = 0; isfinite(row.blend_err_mean) && i < r->cfg.rvc.index_rate.n; i++) {
        struct blend_row br = { .run_row = (int64_t)r->rs.n_rows,
                                .index_rate = r->cfg.rvc.index_rate.v[i],
                                .err_mean = r->ir_stats[i].err_mean,
                                .err_p95 = r->ir_stats[i].err_p95,
                                .ir_unit = r->ir_stats[i].ir_unit };
        results_add_blend(&r->rs, &br);
    }
    results_add_row(&r->rs, &row);
    r->done++;
}

/* One line per build for its skipped points, not one per point. */
static void log_skips(const struct build_point *b)
{
    const char *reasons[3] = { NULL };
    size_t counts[3] = { 0 }, n = 0;
    char line[256] = "";
    for (size_t i = 0; i < b->n_points; i++) {
        const char *why = b->points[i].skip;
        size_t j = 0;
        if (!why)
            continue;
        while (j < 3 && reasons[j] && reasons[j] != why)
            j++;
        if (j == 3)
            continue;
        reasons[j] = why;
        counts[j]++;
        n++;
    }
    if (!n)
        return;
    for (size_t j = 0; j < 3 && reasons[j]; j++)
        snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s: %zu",
                 j ? ", " : "", reasons[j], counts[j]);
    info("%s %s: %zu of %zu points skipped (%s)", b->factory, metric_name(b->metric),
         n, b->n_points, line);
}

static void prepared_release(struct prepared *p)
{
    free(p->base);
    free(p->perm);
    free(p->queries);
    memset(p, 0, sizeof(*p));
}

static int same_expansion(const struct expanded *e, const struct build_point *b, size_t n)
{
    return e && e->metric == b->metric && e->n == n && e->shuffle == b->shuffle &&
           e->num_expand == b->num_expand && e->alpha == b->alpha;
}

/* Replaces p->base (n rows, shuffled or not) by its alpha expansion, from
 * r->xbase when the same expansion was computed for an earlier build. Its
 * seconds count in prep_s either way: they are the cost of the step. */
static int expand_base(struct run *r, const struct build_point *b, struct prepared *p, size_t d)
{
    size_t n = p->n;
    struct expanded *e = r->xbase;

    if (same_expansion(e, b, n)) {
        info("%s: base expansion reused from an earlier build (computed in %.1f s)",
             b->factory, e->s);
    } else {
        float *x = xmalloc(n * d * sizeof(float));
        double t0 = now_s();
        if (prep_alpha_expand(p->base, n, p->base, n, d, (size_t)b->num_expand, b->alpha,
                              PREP_EXPAND_BATCH, x, NULL)) {
            free(x);
            return -1;
        }
        if (!e)
            e = r->xbase = xcalloc(1, sizeof(*e));
        free(e->x);
        *e = (struct expanded){ .x = x, .metric = b->metric, .n = n, .shuffle = b->shuffle,
                                .num_expand = b->num_expand, .alpha = b->alpha,
                                .s = now_s() - t0 };
    }
    p->prep_s += e->s;
    /* A copy: the build owns p->base (k-means replaces it). */
    memcpy(p->base, e->x, n * d * sizeof(float));
    return 0;
}

/* The build's preprocessing, in RVC's order: shuffle the rows, (expand
 * them), compress them with k-means; queries are expanded against what the
 * index will store. Returns 0 or -1 after an error. */
static int prepare(struct run *r, const struct build_point *b, struct prepared *p)
{
    const struct vecs *base = base_of(r, b->metric), *q = queries_of(r, b->metric);
    size_t n = rows_for(r, b->metric, b->N), d = base->d;
    int seed = (int)(r->cfg.dataset.seed & 0x7fffffff);

    double t0;

    memset(p, 0, sizeof(*p));
    if (!b->prep[0])
        return 0;
    p->n = n;
    p->base = xmalloc(n * d * sizeof(float));
    memcpy(p->base, base->x, n * d * sizeof(float));
    t0 = now_s();
    if (b->shuffle) {
        p->perm = xmalloc(n * sizeof(*p->perm));
        prep_shuffle_rows(p->base, n, d, r->cfg.dataset.seed, p->perm);
    }
    if (b->num_expand && b->expand_on != EXPAND_QUERIES) {
        p->prep_s += now_s() - t0;
        if (expand_base(r, b, p, d))
            return -1;
        t0 = now_s();
    }
    if (b->n_clusters) {
        float *c = xmalloc((size_t)b->n_clusters * d * sizeof(float));
        if (prep_kmeans_compress(p->base, n, d, (size_t)b->n_clusters, PREP_KMEANS_NITER, seed, c)) {
            free(c);
            return -1;
        }
        free(p->base);
        p->base = c;
        p->n = (size_t)b->n_clusters;
        p->no_recall = 1;
    }
    p->prep_s += now_s() - t0;
    /* Timed: RVC would pay it at inference, for every source frame. */
    if (b->num_expand && b->expand_on != EXPAND_BASE) {
        p->queries = xmalloc(q->n * d * sizeof(float));
        t0 = now_s();
        if (prep_alpha_expand(q->x, q->n, p->base, p->n, d, (size_t)b->num_expand, b->alpha,
                              PREP_EXPAND_BATCH, p->queries, NULL))
            return -1;
        p->qexpand_s = now_s() - t0;
    }
    return 0;
}

static void run_build(struct run *r, const struct build_point *b)
{
    const struct vecs *base = base_of(r, b->metric);
    struct fs_index *idx = NULL;
    struct build_stats bs;
    struct prepared prep;

    progress(r, b, "building", -1, -1);
    r->cur = &prep;
    if (prepare(r, b, &prep) ||
        build_index(&idx, b->factory, backend_metric_of(b->metric),
                    prep.base ? prep.base : base->x,
                    prep.base ? prep.n : rows_for(r, b->metric, b->N), base->d,
                    (size_t)b->add_batch, &bs)) {
        prepared_release(&prep);
        r->cur = NULL;
        for (size_t i = 0; i < b->n_points; i++) {
            const struct search_point *p = &b->points[i];
            add_skip_row(r, b, p, NULL, p->skip ? p->skip : NULL);
            r->n_failed += !p->skip;
        }
        return;
    }
    if (r->progress)
        fputs("\r\033[K", stderr);
    log_skips(b);
    for (size_t i = 0; i < b->n_points && !interrupted; i++) {
        const struct search_point *p = &b->points[i];
        if (p->skip)
            add_skip_row(r, b, p, &bs, p->skip);
        else {
            progress(r, b, "searching", p->nprobe, p->k_factor);
            search_point(r, idx, b, p, &bs);
        }
    }
    if (r->progress && r->done == r->total)
        fputs("\r\033[K", stderr);
    backend_free(idx);
    prepared_release(&prep);
    r->cur = NULL;
}

static char *cpu_model(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    char *model = NULL;
    while (f && !model && fgets(line, sizeof(line), f)) {
        char *c = strchr(line, ':');
        if (!strncmp(line, "model name", 10) && c) {
            c += 1 + strspn(c + 1, " \t");
            c[strcspn(c, "\n")] = '\0';
            model = xstrdup(c);
        }
    }
    if (f)
        fclose(f);
    return model ? model : xstrdup("unknown");
}

static void provenance(struct run *r, const char *started)
{
    struct result_set *rs = &r->rs;
    char hash[17];
    char *cpu = cpu_model();
    const char *env;

    snprintf(hash, sizeof(hash), "%016" PRIx64, r->ds.hash);
    results_attr_str(rs, "name", r->cfg.name);
    results_attr_str(rs, "harness_version", fs_version);
    results_attr_str(rs, "git_commit", fs_git_commit);
    results_attr_str(rs, "faiss_version", fs_faiss_version);
    results_attr_str(rs, "faiss_simd", fs_faiss_simd);
    results_attr_str(rs, "cpu_model", cpu);
    results_attr_int(rs, "cores", sysconf(_SC_NPROCESSORS_ONLN));
    results_attr_int(rs, "batch_threads", r->batch_threads);
    results_attr_int(rs, "latency_threads", 1);
    if (r->cfg.rvc.blend_k) {
        results_attr_int(rs, "rvc_blend_k", r->cfg.rvc.blend_k);
        results_attr_float(rs, "rvc_index_rate", r->cfg.rvc.index_rate.v[0]);
    }
    results_attr_int(rs, "blas_threads", backend_blas_threads());
    env = getenv("OMP_NUM_THREADS");
    results_attr_str(rs, "env_OMP_NUM_THREADS", env ? env : "");
    env = getenv("OPENBLAS_NUM_THREADS");
    results_attr_str(rs, "env_OPENBLAS_NUM_THREADS", env ? env : "");
    results_attr_int(rs, "repeats", r->cfg.measure.repeats);
    results_attr_int(rs, "warmup", r->cfg.measure.warmup);
    results_attr_int(rs, "latency_queries", r->cfg.measure.latency_queries);
    results_attr_str(rs, "config_path", r->cfg.path);
    results_attr_str(rs, "config_text", r->cfg.text);
    {
        /* The --set overrides, one per line: with config_text, what ran. */
        char *sets = xstrdup("");
        for (size_t i = 0; i < r->cfg.n_sets; i++) {
            char *t = xasprintf("%s%s%s", sets, i ? "\n" : "", r->cfg.sets[i]);
            free(sets);
            sets = t;
        }
        results_attr_str(rs, "config_sets", sets);
        free(sets);
    }
    results_attr_str(rs, "dataset_format", r->cfg.dataset.format);
    results_attr_str(rs, "dataset_base", r->ds.base_path);
    results_attr_str(rs, "dataset_queries", r->ds.queries_path ? r->ds.queries_path : "");
    results_attr_str(rs, "dataset_hash", hash);
    results_attr_int(rs, "base_clips", (int64_t)r->ds.base_clips.n);
    results_attr_int(rs, "query_clips", (int64_t)r->ds.query_clips.n);
    results_attr_int(rs, "N", (int64_t)r->ds.base.n);
    results_attr_int(rs, "d", (int64_t)r->ds.base.d);
    results_attr_int(rs, "nq", (int64_t)r->ds.queries.n);
    results_attr_int(rs, "gt_k", (int64_t)r->gt[0][r->cfg.metrics[0]].k);
    results_attr_str(rs, "start_time", started);
    free(cpu);
}

/* results/<name>-<UTC timestamp>.h5, never overwriting an earlier run. */
static char *results_name(const char *dir, const char *name, const char *stamp)
{
    char *path = xasprintf("%s/%s-%s.h5", dir, name, stamp);
    for (int i = 2; access(path, F_OK) == 0; i++) {
        free(path);
        path = xasprintf("%s/%s-%s-%d.h5", dir, name, stamp, i);
    }
    return path;
}

static void release(struct run *r)
{
    config_release(&r->cfg);
    dataset_release(&r->ds);
    grid_release(&r->grid);
    vecs_release(&r->unit_base);
    vecs_release(&r->unit_queries);
    for (size_t z = 0; r->gt && z < r->n_sizes; z++)
        for (int m = 0; m < 3; m++)
            ground_truth_release(&r->gt[z][m]);
    free(r->gt);
    free(r->sizes);
    free(r->D);
    free(r->I);
    free(r->D_k);
    free(r->I_k);
    free(r->ir_stats);
    free(r->checkpoint);
    if (r->xbase)
        free(r->xbase->x);
    free(r->xbase);
    results_release(&r->rs);
}

/* What the config became for this data: one line per build with its
 * search points, stored beside the config text. */
/* The points so far, in a complete results file beside the final one, so a
 * run that dies (a crash, the OOM killer) does not lose hours of work. */
static void checkpoint(struct run *r)
{
    char what[128];

    if (r->cfg.checkpoint_s < 0 || now_s() - r->t_checkpoint < (double)r->cfg.checkpoint_s)
        return;
    snprintf(what, sizeof(what), "%zu of %zu points; the run did not finish", r->done, r->total);
    results_attr_str(&r->rs, "checkpoint", what);
    if (results_write(&r->rs, r->checkpoint))
        warning("checkpoint not written; the run goes on");
    results_attr_del(&r->rs, "checkpoint");
    r->t_checkpoint = now_s();
}

static char *resolved_config(const struct run *r)
{
    char *text = xasprintf("# N d nq: %zu %zu %zu; k:", r->ds.base.n, r->ds.base.d,
                           r->ds.queries.n);
    for (size_t i = 0; i < r->cfg.k.n; i++) {
        char *t = xasprintf("%s %ld", text, r->cfg.k.v[i]);
        free(text);
        text = t;
    }
    for (size_t i = 0; i < r->grid.n_builds; i++) {
        const struct build_point *b = &r->grid.builds[i];
        char *t = xasprintf("%s\n- {N: %zu, metric: %s, factory: \"%s\", nlist: %ld, points: [",
                            text, rows_for(r, b->metric, b->N), metric_name(b->metric),
                            b->factory, b->nlist);
        free(text);
        text = t;
        for (size_t j = 0; j < b->n_points; j++) {
            const struct search_point *p = &b->points[j];
            t = xasprintf("%s%s{nprobe: %ld, k_factor: %ld%s%s}", text, j ? ", " : "",
                          p->nprobe, p->k_factor, p->skip ? ", skipped: " : "",
                          p->skip ? p->skip : "");
            free(text);
            text = t;
        }
        t = xasprintf("%s]}", text);
        free(text);
        text = t;
    }
    return text;
}

int run_sweep(const char *config_path, const struct run_opts *opts, char **results_path)
{
    struct run r;
    char stamp[32], started[32];
    time_t now = time(NULL);
    const char *outdir;
    char *path = NULL, *resolved;
    double faiss0 = backend_faiss_seconds(), wall, fs;
    size_t nq_kmax;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    r.t_start = now_s();
    r.progress = opts->progress;
    *results_path = NULL;
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
    strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

    if (config_load_set(&r.cfg, config_path, opts->sets, opts->n_sets))
        goto out;
    /* One thread count for everything faiss does in this run: ground truth,
     * training and batch search alike (OMP_NUM_THREADS is respected). */
    r.batch_threads = r.cfg.measure.threads ? r.cfg.measure.threads : backend_threads();
    backend_set_threads(r.batch_threads);
    if (dataset_load(&r.ds, &r.cfg.dataset) ||
        grid_check_sizes(&r.cfg, r.ds.base.n, r.ds.base_path))
        goto out;
    r.kmax = (size_t)r.cfg.k.v[r.cfg.k.n - 1];
    r.kdeep = r.kmax > (size_t)r.cfg.rvc.blend_k ? r.kmax : (size_t)r.cfg.rvc.blend_k;
    if (r.kdeep > r.ds.base.n) {
        error("%s: k: %zu exceeds the %zu base vectors", r.cfg.path, r.kdeep, r.ds.base.n);
        goto out;
    }
    info("dataset: N=%zu d=%zu queries=%zu (%s)", r.ds.base.n, r.ds.base.d,
         r.ds.queries.n, r.ds.base_path);
    /* ann-benchmarks files say which distance their neighbours are for. */
    if (r.ds.native_metric && !uses_metric(&r.cfg, (enum metric)metric_parse(r.ds.native_metric)))
        warning("'%s': its distance '%s' is metric %s, which this config does not sweep",
                r.ds.base_path, r.ds.distance, r.ds.native_metric);
    ladder(&r);
    if (grid_expand(&r.grid, &r.cfg, r.sizes, r.n_sizes, r.ds.base.d) || preflight(&r))
        goto out;
    /* Where the results go is settled before hours of work, not after. */
    outdir = opts->output_dir ? opts->output_dir : r.cfg.output_dir;
    if (make_dirs(outdir))
        goto out;
    path = results_name(outdir, r.cfg.name, stamp);
    r.checkpoint = xasprintf("%s.checkpoint", path);
    r.t_checkpoint = now_s();
    r.total = r.grid.n_points;
    info("grid: %zu builds, %zu search points (%zu skipped as not applicable)",
         r.grid.n_builds, r.grid.n_points, r.grid.n_skipped);
    if (prepare_cosine(&r) || ground_truths(&r))
        goto out;

    for (size_t i = 0; i < r.cfg.k.n; i++)
        r.rs.ks[i] = r.cfg.k.v[i];
    r.rs.n_ks = r.cfg.k.n;
    nq_kmax = r.ds.queries.n * r.kmax;
    r.D = xmalloc(nq_kmax * sizeof(*r.D));
    r.I = xmalloc(nq_kmax * sizeof(*r.I));
    r.D_k = xmalloc(r.ds.queries.n * r.kdeep * sizeof(*r.D_k));
    r.I_k = xmalloc(r.ds.queries.n * r.kdeep * sizeof(*r.I_k));
    r.ir_stats = xcalloc(r.cfg.rvc.index_rate.n + 1, sizeof(*r.ir_stats));
    /* Fixed facts, set once: checkpoints and the final file share them. */
    provenance(&r, started);
    {
        struct sigaction sa = { .sa_handler = on_interrupt }, old;
        interrupted = 0;
        sigaction(SIGINT, &sa, &old);
        for (size_t i = 0; i < r.grid.n_builds && !interrupted; i++) {
            run_build(&r, &r.grid.builds[i]);
            if (i + 1 < r.grid.n_builds && !interrupted)
                checkpoint(&r);
        }
        sigaction(SIGINT, &old, NULL);
    }
    if (interrupted) {
        if (r.progress)
            fputs("\r\033[K", stderr);
        warning("interrupted: writing the %zu of %zu points measured so far", r.done, r.total);
        results_attr_int(&r.rs, "interrupted", 1);
    }

    wall = now_s() - r.t_start;
    fs = backend_faiss_seconds() - faiss0;
    resolved = resolved_config(&r);
    results_attr_str(&r.rs, "config_resolved", resolved);
    free(resolved);
    results_attr_float(&r.rs, "wall_s", wall);
    results_attr_float(&r.rs, "faiss_s", fs);
    results_attr_float(&r.rs, "harness_share", wall > 0 ? (wall - fs) / wall : 0);
    if (results_write(&r.rs, path))
        goto out;
    unlink(r.checkpoint);

    summary_print(stdout, &r.rs);
    /* Writing the results counts as the harness's time too. */
    wall = now_s() - r.t_start;
    printf("\nwall %.1f s: faiss %.1f s, harness %.1f s (%.1f%%)\n", wall, fs, wall - fs,
           wall > 0 ? 100.0 * (wall - fs) / wall : 0.0);
    printf("results: %s\n", path);
    fflush(stdout);
    rc = r.n_failed || interrupted ? 1 : 0;
    if (opts->plot && plot_results(path, outdir, opts->templates_dir)) {
        error("plots were not drawn; the results file '%s' is complete", path);
        rc = 1;
    }
    *results_path = path;
    path = NULL;
out:
    free(path);
    release(&r);
    return rc;
}
