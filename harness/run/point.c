/*
 * point.c - the row of one search point: settings, timed search, recall at
 * each k, the measures, or the reason it did not run.
 */
#include "run/point.h"
#include "core/preprocess.h"
#include "core/search.h"
#include "lib/util.h"
#include "rvc/blend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An entry's family is its factory template; entries sharing a template
 * (say two nlist rules) are told apart by their position in the config. */
void point_family(const struct config *cfg, const struct build_point *b, char *out, size_t len)
{
    const char *tmpl = b->spec->preset ? b->spec->preset : b->spec->factory;
    size_t used;
    if (b->spec->label) {
        snprintf(out, len, "%s", b->spec->label);
        return;
    }
    snprintf(out, len, "%s", tmpl);
    for (size_t i = 0; i < cfg->n_indexes; i++) {
        if ((int)i != b->spec_no && cfg->indexes[i].factory && !cfg->indexes[i].label &&
            !strcmp(cfg->indexes[i].factory, b->spec->factory) && !b->spec->preset) {
            snprintf(out, len, "%s [indexes[%d]]", tmpl, b->spec_no);
            break;
        }
    }
    /* Each preprocessing setting is its own trade-off curve. */
    used = strlen(out);
    if (b->prep[0] && used < len)
        snprintf(out + used, len - used, " %s", b->prep);
}

/* The point's settings, its build's stats (when built) and every measured
 * column at "not measured" (NaN, -1). */
static void row_init(const struct point_env *env, struct result_row *row,
                     const struct point_build *pb, const struct search_point *p)
{
    const struct build_point *b = pb->b;
    memset(row, 0, sizeof(*row));
    row->N = (int64_t)rv_rows(env->vec, b->metric, b->N);
    point_family(env->cfg, b, row->family, sizeof(row->family));
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
    if (pb->bs) {
        row->train_s = pb->bs->train_s;
        row->add_s = pb->bs->add_s;
        row->index_bytes = pb->bs->index_bytes;
        row->rss_delta_bytes = pb->bs->rss_delta_bytes;
    }
}

static void add_status_row(const struct point_env *env, const struct point_build *pb,
                           const struct search_point *p, const char *status)
{
    struct result_row row;
    row_init(env, &row, pb, p);
    snprintf(row.status, sizeof(row.status), "%s", status);
    results_add_row(env->rs, &row);
}

void point_add_skip(const struct point_env *env, const struct point_build *pb,
                    const struct search_point *p, const char *why)
{
    char status[sizeof(((struct result_row *)0)->status)];
    snprintf(status, sizeof(status), "%s%s", why ? "skipped: " : "failed: build",
             why ? why : "");
    add_status_row(env, pb, p, status);
}

/* recall@k for each k from a search with that k: re-ranking stages fetch
 * k * k_factor candidates, so the top k of a deeper search is not what a
 * search for k returns. The largest k reuses the timed search's ids. */
static int recalls(const struct point_env *env, struct fs_index *idx,
                   const struct point_build *pb, struct result_row *row)
{
    const struct vecs *q = rv_queries(env->vec, pb->b->metric);
    const float *qx = prepared_queries(pb->prep, env->vec, pb->b->metric);

    row->missing_ids = count_missing(env->I, q->n, env->kmax, env->kmax);
    if (pb->prep->no_recall)
        return 0;
    for (size_t i = 0; i < env->cfg->k.n; i++) {
        size_t k = (size_t)env->cfg->k.v[i];
        int64_t *I = env->I;
        if (k < env->kmax) {
            if (backend_search(idx, q->n, qx, k, env->D_k, env->I_k))
                return -1;
            I = env->I_k;
        }
        /* A shuffled index answers in shuffled row numbers. */
        if (pb->prep->perm)
            prep_unshuffle_ids(I, q->n * k, pb->prep->perm);
        recall_at(pb->gt, I, k, k, &row->recall_at[i], &row->recall1_at[i]);
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
static int blend_point(const struct point_env *env, struct fs_index *idx,
                       const struct point_build *pb, struct result_row *row,
                       struct blend_stats *ir_stats)
{
    const struct build_point *b = pb->b;
    const struct vecs *q = rv_queries(env->vec, b->metric), *base = rv_base(env->vec, b->metric);
    const struct ground_truth *gt = pb->gt;
    const float *qx = prepared_queries(pb->prep, env->vec, b->metric);
    size_t k = (size_t)env->cfg->rvc.blend_k, n = rv_rows(env->vec, b->metric, b->N), n_stored;
    const float *stored = prepared_base(pb->prep, env->vec, b, &n_stored);
    const int64_t *I = env->I;
    const float *D = env->D;
    float *Dx, *Da;
    struct blend_stats bs;
    int rc;

    if (!k || b->metric == METRIC_IP)
        return 0;
    if (k != env->kmax) {
        if (backend_search(idx, q->n, qx, k, env->D_k, env->I_k))
            return -1;
        I = env->I_k;
        D = env->D_k;
    }
    Dx = xmalloc(q->n * gt->k * sizeof(*Dx));
    Da = xmalloc(q->n * k * sizeof(*Da));
    to_sql2(gt->D, q->n * gt->k, b->metric, Dx);
    to_sql2(D, q->n * k, b->metric, Da);
    struct blend_side exact = { .x = base->x, .n = n, .I = gt->I, .D = Dx, .stride = gt->k };
    /* RVC blends what its index stores (centroids, expanded or shuffled rows)
     * into the original query. */
    struct blend_side ann = { .x = stored, .n = n_stored, .I = I, .D = Da, .stride = k };
    rc = 0;
    for (size_t i = 0; !rc && i < env->cfg->rvc.index_rate.n; i++)
        rc = blend_fidelity(q->x, q->n, q->d, &exact, &ann, k, env->cfg->rvc.index_rate.v[i],
                            &ir_stats[i]);
    free(Dx);
    free(Da);
    if (rc)
        return -1;
    bs = ir_stats[0];
    row->blend_ir_unit = bs.ir_unit;
    row->blend_err_mean = bs.err_mean;
    row->blend_err_p95 = bs.err_p95;
    row->blend_cos_mean = bs.cos_mean;
    row->blend_missing = (int64_t)bs.missing_queries;
    row->blend_zero_dist = (int64_t)bs.zero_dist_ann;
    return 0;
}

/* The timed search: batch on the run's batch threads, then single queries
 * on one thread (OpenMP wake-ups would otherwise dominate a latency). The
 * thread counts are set here, by the owner of the measurement, and the
 * batch count is put back. Returns 0 or -1. */
static int timed_search(const struct point_env *env, struct fs_index *idx, const float *xq,
                        size_t nq, size_t d, struct search_stats *ss)
{
    const struct measure_spec *ms = &env->cfg->measure;
    int rc;

    memset(ss, 0, sizeof(*ss));
    backend_set_threads(env->batch_threads);
    rc = search_batch(idx, xq, nq, env->kmax, ms, env->D, env->I, ss);
    if (!rc) {
        int alone = ms->latency_queries != 0 && nq > 0;
        if (alone)
            backend_set_threads(1);
        rc = search_latency(idx, xq, nq, d, env->kmax, ms, ss);
        if (alone)
            backend_set_threads(env->batch_threads);
    }
    return rc;
}

/* The timed search and its row. */
static int measured_row(const struct point_env *env, struct fs_index *idx,
                        const struct point_build *pb, const struct search_point *p,
                        struct result_row *row, struct blend_stats *ir_stats)
{
    const struct build_point *b = pb->b;
    const struct vecs *q = rv_queries(env->vec, b->metric);
    struct search_stats ss;

    if (timed_search(env, idx, prepared_queries(pb->prep, env->vec, b->metric), q->n, q->d, &ss))
        return -1;
    row_init(env, row, pb, p);
    row->qps = ss.qps;
    row->lat_mean_us = ss.lat_mean_us;
    row->lat_p50_us = ss.lat_p50_us;
    row->lat_p95_us = ss.lat_p95_us;
    row->lat_p99_us = ss.lat_p99_us;
    row->ndis_per_query = b->nlist ? ss.ndis_per_query : NAN;
    row->audio_s_batch = blend_audio_seconds_batch(ss.qps);
    row->audio_s_single = blend_audio_seconds_single(ss.lat_mean_us * 1e-6);
    row->prep_s = pb->prep->prep_s;
    if (pb->prep->qexpand_s > 0)
        row->audio_s_qexpand = pb->prep->qexpand_s * RVC_FRAMES_PER_SECOND / (double)q->n;
    if (blend_point(env, idx, pb, row, ir_stats) || recalls(env, idx, pb, row))
        return -1;
    return 0;
}

int point_search(const struct point_env *env, struct fs_index *idx, const struct point_build *pb,
                 const struct search_point *p)
{
    const struct build_point *b = pb->b;
    const struct rvc_spec *rvc = &env->cfg->rvc;
    struct blend_stats *ir_stats;
    struct result_row row;

    if (b->nlist && backend_set_param(idx, "nprobe", (double)p->nprobe)) {
        add_status_row(env, pb, p, "failed: nprobe cannot be set");
        return -1;
    }
    if (b->refine && backend_set_param(idx, b->kf_param, (double)p->k_factor)) {
        add_status_row(env, pb, p, "failed: k_factor cannot be set");
        return -1;
    }
    ir_stats = xcalloc(rvc->index_rate.n + 1, sizeof(*ir_stats));
    if (measured_row(env, idx, pb, p, &row, ir_stats)) {
        free(ir_stats);
        add_status_row(env, pb, p, "failed: search");
        return -1;
    }
    snprintf(row.status, sizeof(row.status), "ok");
    for (size_t i = 0; isfinite(row.blend_err_mean) && i < rvc->index_rate.n; i++) {
        struct blend_row br = { .run_row = (int64_t)env->rs->n_rows,
                                .index_rate = rvc->index_rate.v[i],
                                .err_mean = ir_stats[i].err_mean,
                                .err_p95 = ir_stats[i].err_p95,
                                .ir_unit = ir_stats[i].ir_unit };
        results_add_blend(env->rs, &br);
    }
    free(ir_stats);
    results_add_row(env->rs, &row);
    return 0;
}

char *point_resolved_config(const struct config *cfg, const struct run_vectors *vec,
                            const struct grid *g)
{
    const struct dataset *ds = vec->ds;
    char *text = xasprintf("# N d nq: %zu %zu %zu; k:", ds->base.n, ds->base.d, ds->queries.n);
    for (size_t i = 0; i < cfg->k.n; i++) {
        char *t = xasprintf("%s %ld", text, cfg->k.v[i]);
        free(text);
        text = t;
    }
    for (size_t i = 0; i < g->n_builds; i++) {
        const struct build_point *b = &g->builds[i];
        char *t = xasprintf("%s\n- {N: %zu, metric: %s, factory: \"%s\", nlist: %ld, points: [",
                            text, rv_rows(vec, b->metric, b->N), metric_name(b->metric),
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
