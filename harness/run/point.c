/*
 * point.c - the row of one search point: settings, timed search, recall at
 * each k, the measures, or the reason it did not run.
 */
#include "run/point.h"
#include "core/preprocess.h"
#include "core/search.h"
#include "lib/util.h"

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
    results_row_init(env->rs, row);
    row->N = (int64_t)rv_rows(env->vec, b->metric, b->N);
    point_family(env->cfg, b, row->family, sizeof(row->family));
    snprintf(row->factory, sizeof(row->factory), "%s", b->factory);
    snprintf(row->metric, sizeof(row->metric), "%s", metric_name(b->metric));
    row->nlist = b->nlist;
    snprintf(row->preprocess, sizeof(row->preprocess), "%s", b->prep);
    row->n_clusters = b->n_clusters;
    row->nprobe = p->nprobe;
    row->k_factor = p->k_factor;
    row->prep_s = 0;
    if (pb->bs) {
        row->train_s = pb->bs->train_s;
        row->add_s = pb->bs->add_s;
        row->quantizer_reused = pb->bs->quantizer_reused;
        row->train_reused_s = pb->bs->train_reused_s;
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

static enum measure_metric measure_metric_of(enum metric m)
{
    return m == METRIC_L2 ? MEASURE_L2 : m == METRIC_IP ? MEASURE_IP : MEASURE_COSINE;
}

/* Each measure of the run on this point: the exact answer, the index's
 * answer at the measure's depth (the timed search's when as deep, else a
 * search of its own), the point's timings. Returns 0 or -1. */
static int measures(const struct point_env *env, struct fs_index *idx,
                    const struct point_build *pb, const struct search_stats *ss,
                    struct result_row *row)
{
    const struct build_point *b = pb->b;
    const struct vecs *q = rv_queries(env->vec, b->metric), *base = rv_base(env->vec, b->metric);
    const float *qx = prepared_queries(pb->prep, env->vec, b->metric);
    struct measure_point mp = {
        .metric = measure_metric_of(b->metric), .queries = q->x, .nq = q->n, .d = q->d,
        .exact_I = pb->gt->I, .exact_D = pb->gt->D, .exact_stride = pb->gt->k,
        .exact_x = base->x, .exact_n = rv_rows(env->vec, b->metric, b->N),
        .qps = ss->qps, .lat_mean_us = ss->lat_mean_us, .qexpand_s = pb->prep->qexpand_s,
        .run_row = (int64_t)env->rs->n_rows,
    };

    mp.stored = prepared_base(pb->prep, env->vec, b, &mp.n_stored);
    for (size_t i = 0; i < env->n_measures; i++) {
        const struct measure *m = env->measures[i];
        struct result_table *side = m->table ? results_table(env->rs, m->table) : NULL;
        mp.I = NULL;
        mp.D = NULL;
        mp.k = 0;
        if (m->metrics & MEASURE_METRIC(mp.metric)) {
            mp.k = m->depth;
            mp.I = env->I;
            mp.D = env->D;
            if (m->depth != env->kmax) {
                if (backend_search(idx, q->n, qx, m->depth, env->D_k, env->I_k))
                    return -1;
                mp.I = env->I_k;
                mp.D = env->D_k;
            }
        }
        if (m->point(m, &mp, row->cells + env->cell0[i], side))
            return -1;
    }
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
                        struct result_row *row)
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
    row->prep_s = pb->prep->prep_s;
    /* The measures first: recall maps a shuffled index's ids back in place. */
    if (measures(env, idx, pb, &ss, row) || recalls(env, idx, pb, row))
        return -1;
    return 0;
}

int point_search(const struct point_env *env, struct fs_index *idx, const struct point_build *pb,
                 const struct search_point *p)
{
    const struct build_point *b = pb->b;
    size_t side_rows[RESULTS_MAX_TABLES];
    struct result_row row;

    if (b->nlist && backend_set_param(idx, "nprobe", (double)p->nprobe)) {
        add_status_row(env, pb, p, "failed: nprobe cannot be set");
        return -1;
    }
    if (b->refine && backend_set_param(idx, b->kf_param, (double)p->k_factor)) {
        add_status_row(env, pb, p, "failed: k_factor cannot be set");
        return -1;
    }
    for (size_t i = 0; i < env->rs->n_tables; i++)
        side_rows[i] = env->rs->tables[i].n_rows;
    if (measured_row(env, idx, pb, p, &row)) {
        for (size_t i = 0; i < env->rs->n_tables; i++)
            env->rs->tables[i].n_rows = side_rows[i];
        add_status_row(env, pb, p, "failed: search");
        return -1;
    }
    snprintf(row.status, sizeof(row.status), "ok");
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
