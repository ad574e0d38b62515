/*
 * point.c - the points of a group of builds: their timing, interleaved round-robin
 * (calibration, latency rounds, batch repetitions), and the row of each:
 * settings, the timings with their spread, recall at each k, the measures,
 * the raw samples in /timings, or the reason it did not run.
 */
#include "run/point.h"
#include "run/visit.h"
#include "core/preprocess.h"
#include "core/search.h"
#include "lib/stats.h"
#include "lib/util.h"

#include <math.h>
#include <stdarg.h>
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
    row->train_rows = b->train_rows;
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

/* Every row goes through here: appended to the set, then to the journal
 * with its side rows (a checkpoint per point). */
static void commit_row(const struct point_env *env, const struct search_point *p,
                       const struct result_row *row)
{
    results_add_row(env->rs, row);
    if (env->journal)
        journal_row(env->journal, env->rs, p->ordinal);
}

static void add_status_row(const struct point_env *env, const struct point_build *pb,
                           const struct search_point *p, const char *status)
{
    struct result_row row;
    row_init(env, &row, pb, p);
    snprintf(row.status, sizeof(row.status), "%s", status);
    commit_row(env, p, &row);
}

void point_add_skip(const struct point_env *env, const struct point_build *pb,
                    const struct search_point *p, const char *why)
{
    char status[sizeof(((struct result_row *)0)->status)];
    snprintf(status, sizeof(status), "%s%s", why ? "skipped: " : "failed: build",
             why ? why : "");
    add_status_row(env, pb, p, status);
}

/* One line per build for its skipped points, not one per point. */
void point_log_skips(const struct build_point *b)
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

/* An untimed search of all queries, its seconds counted as such. */
static int untimed_search(const struct point_env *env, struct fs_index *idx, size_t nq,
                          const float *qx, size_t k, float *D, int64_t *I)
{
    double t0 = now_s();
    int rc = backend_search(idx, nq, qx, k, D, I);
    env->cost->s[COST_UNTIMED_SEARCH] += now_s() - t0;
    return rc;
}

/* The index's answer for k <= kmax in D_k, I_k (nq rows of k): the first k
 * of each row of the search at kmax where the index answers a prefix
 * exactly (search_prefix_exact), else a search of its own for k. */
static int answer_at(const struct point_env *env, struct fs_index *idx,
                     const struct point_build *pb, size_t k)
{
    const struct vecs *q = rv_queries(env->vec, pb->b->metric);
    const float *qx = prepared_queries(pb->prep, env->vec, pb->b->metric);

    if (k > env->kmax || !search_prefix_exact(pb->b->factory))
        return untimed_search(env, idx, q->n, qx, k, env->D_k, env->I_k);
    for (size_t i = 0; i < q->n; i++) {
        memcpy(env->I_k + i * k, env->I + i * env->kmax, k * sizeof(*env->I));
        memcpy(env->D_k + i * k, env->D + i * env->kmax, k * sizeof(*env->D));
    }
    return 0;
}

/* recall@k for each k: the largest k from the search at kmax, the others
 * from answer_at (re-ranking stages fetch k * k_factor candidates, so the
 * top k of a deeper search is not what a search for k returns there). */
static int recalls(const struct point_env *env, struct fs_index *idx,
                   const struct point_build *pb, struct result_row *row)
{
    const struct vecs *q = rv_queries(env->vec, pb->b->metric);

    row->missing_ids = count_missing(env->I, q->n, env->kmax, env->kmax);
    if (pb->prep->no_recall)
        return 0;
    for (size_t i = 0; i < env->cfg->k.n; i++) {
        size_t k = (size_t)env->cfg->k.v[i];
        int64_t *I = env->I;
        if (k < env->kmax) {
            if (answer_at(env, idx, pb, k))
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
 * search of its own), the point's timings (from row). Returns 0 or -1. */
static int measures(const struct point_env *env, struct fs_index *idx,
                    const struct point_build *pb, struct result_row *row)
{
    const struct build_point *b = pb->b;
    const struct vecs *q = rv_queries(env->vec, b->metric), *base = rv_base(env->vec, b->metric);
    struct measure_point mp = {
        .metric = measure_metric_of(b->metric), .queries = q->x, .nq = q->n, .d = q->d,
        .exact_I = pb->gt->I, .exact_D = pb->gt->D, .exact_stride = pb->gt->k,
        .exact_x = base->x, .exact_n = rv_rows(env->vec, b->metric, b->N),
        .qps = row->qps, .lat_mean_us = row->lat_mean_us, .qexpand_s = pb->prep->qexpand_s,
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
                if (answer_at(env, idx, pb, m->depth))
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

/* One point's timings while its build is measured (point_run_build). */
struct point_timing {
    const struct search_point *p;
    const char *fail;           /* status once failed, else NULL */
    struct timing_state t;      /* its samples so far */
    int skip_lat, skip_rep;     /* visits a resumed run had made already */
    const float *tx;            /* the timed queries (env->n_time rows, the build's) */
    struct fs_index *idx;       /* its build's index */
    const struct point_build *pb;
};

/* The point's search parameters: cheap (a ParameterSpace setting), so each
 * visit sets its own. Returns 0, or -1 with pt->fail set. */
static int set_params(struct fs_index *idx, const struct point_build *pb, struct point_timing *pt)
{
    const struct build_point *b = pb->b;
    if (b->nlist && backend_set_param(idx, "nprobe", (double)pt->p->nprobe)) {
        pt->fail = "failed: nprobe cannot be set";
        return -1;
    }
    if (b->refine && backend_set_param(idx, b->kf_param, (double)pt->p->k_factor)) {
        pt->fail = "failed: k_factor cannot be set";
        return -1;
    }
    return 0;
}

/* One latency round of the point on one thread (the caller's setting). */
static void latency_round(const struct point_env *env, struct fs_index *idx,
                          const struct point_build *pb, struct point_timing *pt)
{
    size_t d = rv_queries(env->vec, pb->b->metric)->d;
    double t0 = now_s();
    if (set_params(idx, pb, pt))
        return;
    if (search_latency_round(idx, pt->tx, pt->t.lat_n, d, env->kmax,
                             pt->t.lat_us + (size_t)pt->t.n_rounds * pt->t.lat_n))
        pt->fail = "failed: search";
    else
        pt->t.n_rounds++;
    env->cost->s[COST_TIMED_SEARCH] += now_s() - t0;
}

/* A resumed point's warm-up on the rebuilt index: its calibration is the
 * journal's, but the new index's first calls are as cold as any. */
static void warm_up(const struct point_env *env, struct fs_index *idx,
                    const struct point_build *pb, struct point_timing *pt)
{
    double t0 = now_s(), s;

    if (set_params(idx, pb, pt))
        return;
    for (int i = 0; i < env->cfg->measure.warmup; i++)
        if (search_repetition(idx, pt->tx, env->n_time, env->kmax, 1, env->D, env->I, &s)) {
            pt->fail = "failed: search";
            break;
        }
    env->cost->s[COST_TIMED_SEARCH] += now_s() - t0;
}

/* First visit: calibrate the batch calls, then the first latency round,
 * whose length sets how many rounds fit in the budget. */
static void calibrate(const struct point_env *env, struct fs_index *idx,
                      const struct point_build *pb, struct point_timing *pt)
{
    const struct measure_spec *ms = &env->cfg->measure;
    double round_s = 0, t0 = now_s();
    int rc;

    if (set_params(idx, pb, pt))
        return;
    rc = search_calibrate(idx, pt->tx, env->n_time, env->kmax, ms, env->D, env->I, &pt->t.plan);
    env->cost->s[COST_TIMED_SEARCH] += now_s() - t0;
    if (rc) {
        pt->fail = "failed: search";
        return;
    }
    pt->t.rep_s = xmalloc((size_t)pt->t.plan.reps * sizeof(*pt->t.rep_s));
    pt->t.lat_n = search_latency_queries(ms, env->n_time);
    if (!pt->t.lat_n)
        return;
    pt->t.lat_rounds = ms->latency_rounds;
    pt->t.lat_us = xmalloc((size_t)pt->t.lat_rounds * pt->t.lat_n * sizeof(*pt->t.lat_us));
    backend_set_threads(1);
    latency_round(env, idx, pb, pt);
    backend_set_threads(env->batch_threads);
    for (size_t i = 0; i < pt->t.lat_n; i++)
        round_s += pt->t.lat_us[i] * 1e-6;
    pt->t.lat_rounds = search_budget(round_s, ms->latency_rounds, ms->max_time);
}

/* A point's first visit: continue from what a killed run recorded of it
 * (the journal's visits: only its missing rounds and repetitions are then
 * measured), else calibrate it and record that. */
static void first_visit(const struct point_env *env, struct fs_index *idx,
                        const struct point_build *pb, struct point_timing *pt)
{
    const struct measure_spec *ms = &env->cfg->measure;
    int rc = visit_restore(env->journal, pt->p->ordinal, ms,
                           search_latency_queries(ms, env->n_time), &pt->t);

    if (rc > 0) {
        pt->skip_lat = pt->t.n_rounds > 1 ? pt->t.n_rounds - 1 : 0;
        pt->skip_rep = pt->t.n_reps;
        warm_up(env, idx, pb, pt);
        return;
    }
    if (rc < 0)
        warning("'%s': the timing recorded of point %zu does not fit this run's measure "
                "settings: measured again", env->journal->path, pt->p->ordinal);
    calibrate(env, idx, pb, pt);
    if (!pt->fail)
        visit_calibrated(env->journal, pt->p->ordinal, &pt->t);
}

int point_noisy(const struct result_row *row, double limit)
{
    int qps = isfinite(row->qps_lo) && isfinite(row->qps_hi) && row->qps > 0;
    int lat = !isnan(row->lat_p50_cv);
    if (!qps && !lat)
        return -1;
    return (qps && (row->qps - row->qps_lo > limit * row->qps ||
                    row->qps_hi - row->qps > limit * row->qps)) ||
           (lat && row->lat_p50_cv > limit);
}

/* The timing columns of the row from the samples, and the round
 * percentiles. The percentiles sort a copy: lat_us stays in the order
 * measured, round by round, for the rounds' /timings rows. */
static void timing_columns(const struct point_env *env, struct point_timing *pt,
                           struct result_row *row, double *p50, double *p99)
{
    size_t nq = env->n_time, nl = (size_t)pt->t.n_rounds * pt->t.lat_n;
    double *qps = xmalloc((size_t)(pt->t.n_reps ? pt->t.n_reps : 1) * sizeof(*qps));
    double *us = xmalloc((nl ? nl : 1) * sizeof(*us));

    for (int i = 0; i < pt->t.n_reps; i++)
        qps[i] = pt->t.rep_s[i] > 0 ? (double)nq * (double)pt->t.plan.calls / pt->t.rep_s[i] : INFINITY;
    row->qps = stats_median(qps, (size_t)pt->t.n_reps);
    stats_median_interval(qps, (size_t)pt->t.n_reps, 0.95, 2000, POINT_BOOT_SEED, &row->qps_lo,
                          &row->qps_hi);
    row->qps_cv = stats_cv(qps, (size_t)pt->t.n_reps);
    row->batch_calls = (int64_t)pt->t.plan.calls;
    row->batch_reps = pt->t.n_reps;
    row->lat_rounds = pt->t.n_rounds;
    if (nl)
        memcpy(us, pt->t.lat_us, nl * sizeof(*us));
    for (int j = 0; j < pt->t.n_rounds; j++) {
        double *u = us + (size_t)j * pt->t.lat_n;
        p50[j] = percentile(u, pt->t.lat_n, 50);
        p99[j] = percentile(u, pt->t.lat_n, 99);
    }
    if (nl) {
        row->lat_mean_us = mean(pt->t.lat_us, nl);
        row->lat_p50_us = percentile(us, nl, 50);
        row->lat_p95_us = percentile(us, nl, 95);
        row->lat_p99_us = percentile(us, nl, 99);
        row->lat_p50_cv = stats_cv(p50, (size_t)pt->t.n_rounds);
        row->lat_p99_cv = stats_cv(p99, (size_t)pt->t.n_rounds);
    }
    row->noisy = point_noisy(row, env->cfg->measure.noisy);
    free(us);
    free(qps);
}

/* The point's raw samples as /timings rows of run row `run_row`. */
static void timing_rows(const struct point_env *env, const struct point_timing *pt,
                        const double *p50, const double *p99, int64_t run_row)
{
    struct result_table *t = results_table(env->rs, RESULTS_TIMINGS);
    union result_cell c[TIMING_NCOLS];

    if (!t)
        return;
    c[TIMING_RUN_ROW].i = run_row;
    for (int i = 0; i < pt->t.n_reps; i++) {
        c[TIMING_KIND].i = TIMING_BATCH;
        c[TIMING_REPETITION].i = i;
        c[TIMING_SECONDS].f = pt->t.rep_s[i];
        c[TIMING_CALLS].i = (int64_t)pt->t.plan.calls;
        c[TIMING_P50_US].f = c[TIMING_P99_US].f = NAN;
        results_table_append(t, c);
    }
    for (int j = 0; j < pt->t.n_rounds; j++) {
        double s = 0;
        for (size_t i = 0; i < pt->t.lat_n; i++)
            s += pt->t.lat_us[(size_t)j * pt->t.lat_n + i] * 1e-6;
        c[TIMING_KIND].i = TIMING_SINGLE;
        c[TIMING_REPETITION].i = j;
        c[TIMING_SECONDS].f = s;
        c[TIMING_CALLS].i = (int64_t)pt->t.lat_n;
        c[TIMING_P50_US].f = p50[j];
        c[TIMING_P99_US].f = p99[j];
        results_table_append(t, c);
    }
}

/* The row of a point whose last repetition just left its answer in env->D
 * and env->I (a full search of all queries at kmax): the timings, the
 * measures, recall, the raw samples. Returns 0 or -1 (no side rows kept). */
static int point_row(const struct point_env *env, struct fs_index *idx,
                     const struct point_build *pb, struct point_timing *pt)
{
    size_t side_rows[RESULTS_MAX_TABLES];
    struct result_row row;
    int64_t run_row = (int64_t)env->rs->n_rows;
    double *p50 = xmalloc((size_t)(pt->t.n_rounds + 1) * sizeof(*p50));
    double *p99 = xmalloc((size_t)(pt->t.n_rounds + 1) * sizeof(*p99));
    int rc = 0;

    for (size_t i = 0; i < env->rs->n_tables; i++)
        side_rows[i] = env->rs->tables[i].n_rows;
    row_init(env, &row, pb, pt->p);
    timing_columns(env, pt, &row, p50, p99);
    row.ndis_per_query = pb->b->nlist ? pt->t.plan.ndis_per_query : NAN;
    row.prep_s = pb->prep->prep_s;
    /* The measures first: recall maps a shuffled index's ids back in place. */
    if (measures(env, idx, pb, &row) || recalls(env, idx, pb, &row)) {
        for (size_t i = 0; i < env->rs->n_tables; i++)
            env->rs->tables[i].n_rows = side_rows[i];
        add_status_row(env, pb, pt->p, "failed: search");
        rc = -1;
    } else {
        timing_rows(env, pt, p50, p99, run_row);
        snprintf(row.status, sizeof(row.status), "ok");
        commit_row(env, pt->p, &row);
    }
    free(p50);
    free(p99);
    return rc;
}

/* The most of n values (0 when none). */
static int most_of(const struct point_timing *pts, size_t n, int batch)
{
    int m = 0;
    for (size_t i = 0; i < n; i++) {
        int v = batch ? pts[i].t.plan.reps : pts[i].t.lat_rounds;
        if (!pts[i].fail && v > m)
            m = v;
    }
    return m;
}

/* One batch repetition of a point, on the batch threads. */
static void batch_rep(const struct point_env *env, struct fs_index *idx,
                      const struct point_build *pb, struct point_timing *pt)
{
    double t0 = now_s();
    if (set_params(idx, pb, pt))
        return;
    if (search_repetition(idx, pt->tx, env->n_time, env->kmax, pt->t.plan.calls, env->D, env->I,
                          &pt->t.rep_s[pt->t.n_reps]))
        pt->fail = "failed: search";
    else
        pt->t.n_reps++;
    env->cost->s[COST_TIMED_SEARCH] += now_s() - t0;
}

/* The timed queries of a build: its prepared queries themselves when all
 * are timed, else a copy of the chosen rows into *own (caller frees). */
static const float *timed_queries(const struct point_env *env, const struct point_build *pb,
                                  float **own)
{
    const struct vecs *q = rv_queries(env->vec, pb->b->metric);
    const float *qx = prepared_queries(pb->prep, env->vec, pb->b->metric);
    *own = NULL;
    if (env->n_time >= q->n)
        return qx;
    *own = xmalloc(env->n_time * q->d * sizeof(**own));
    for (size_t i = 0; i < env->n_time; i++)
        memcpy(*own + i * q->d, qx + env->time_rows[i] * q->d, q->d * sizeof(**own));
    return *own;
}

/* The answer of all queries at kmax in env->D, env->I for the row: the
 * last repetition's when it searched them all (`searched`: it ran in this
 * process), else an untimed search. */
static int full_answer(const struct point_env *env, struct fs_index *idx,
                       const struct point_build *pb, struct point_timing *pt, int searched)
{
    const struct vecs *q = rv_queries(env->vec, pb->b->metric);
    if (searched && env->n_time >= q->n)
        return 0;
    if (set_params(idx, pb, pt) ||
        untimed_search(env, idx, q->n, prepared_queries(pb->prep, env->vec, pb->b->metric),
                       env->kmax, env->D, env->I)) {
        pt->fail = pt->fail ? pt->fail : "failed: search";
        return -1;
    }
    return 0;
}

/* The points of a group, in the group's order: builds in turn, each
 * build's points in turn; *tx_own gets the builds' own timed-query copies
 * (n of them, each NULL or the caller's to free). */
static struct point_timing *group_points(const struct point_env *env,
                                         struct fs_index *const *idx,
                                         const struct point_build *pbs, size_t n,
                                         size_t *n_pts, float ***tx_own)
{
    struct point_timing *pts;
    size_t m = 0;

    for (size_t j = 0; j < n; j++)
        m += pbs[j].b->n_points;
    pts = xcalloc(m ? m : 1, sizeof(*pts));
    *tx_own = xcalloc(n ? n : 1, sizeof(**tx_own));
    m = 0;
    for (size_t j = 0; j < n; j++) {
        const float *tx = timed_queries(env, &pbs[j], &(*tx_own)[j]);
        for (size_t i = 0; i < pbs[j].b->n_points; i++, m++) {
            pts[m].p = &pbs[j].b->points[i];
            pts[m].tx = tx;
            pts[m].idx = idx[j];
            pts[m].pb = &pbs[j];
        }
    }
    *n_pts = m;
    return pts;
}

/* One visit of the last batch round: the point's repetition (unless a
 * resumed run made it already), then its row. Returns 1 when it failed. */
static size_t last_visit(const struct point_env *env, struct point_timing *pt,
                         int visits, point_progress_fn progress, void *ctx)
{
    if (pt->p->skip) {
        point_add_skip(env, pt->pb, pt->p, pt->p->skip);
        return 0;
    }
    if (!pt->fail && visits) {
        int searched = pt->skip_rep == 0;
        if (progress)
            progress(ctx, pt->pb->b, pt->p, "searching");
        if (!searched)
            pt->skip_rep--;
        else
            batch_rep(env, pt->idx, pt->pb, pt);
        if (searched && !pt->fail)
            visit_batch(env->journal, pt->p->ordinal, &pt->t);
        if (!pt->fail)
            full_answer(env, pt->idx, pt->pb, pt, searched);
    }
    if (pt->fail) {
        add_status_row(env, pt->pb, pt->p, pt->fail);
        return 1;
    }
    return point_row(env, pt->idx, pt->pb, pt) != 0;
}

/* The schedule of a group (see point.h): calibration pass, latency rounds,
 * batch rounds with the rows made in the last, each round over every point
 * of every build of the group. */
size_t point_run_group(const struct point_env *env, struct fs_index *const *idx,
                       const struct point_build *pbs, size_t n_builds,
                       const volatile sig_atomic_t *stop, point_progress_fn progress, void *ctx)
{
    size_t n, n_failed = 0;
    float **own;
    struct point_timing *pts = group_points(env, idx, pbs, n_builds, &n, &own);
    int rounds;

    backend_set_threads(env->batch_threads);
    for (size_t i = 0; i < n && !*stop; i++) {
        if (pts[i].p->skip)
            continue;
        if (progress)
            progress(ctx, pts[i].pb->b, pts[i].p, "calibrating");
        first_visit(env, pts[i].idx, pts[i].pb, &pts[i]);
    }
    /* Latency rounds after the first, round-robin, on one thread. */
    rounds = most_of(pts, n, 0);
    backend_set_threads(1);
    for (int r = 1; r < rounds && !*stop; r++)
        for (size_t i = 0; i < n; i++)
            if (!pts[i].p->skip && !pts[i].fail &&
                search_visits(pts[i].t.lat_rounds - 1, rounds - 1, r - 1)) {
                if (pts[i].skip_lat > 0) {
                    pts[i].skip_lat--;
                    continue;
                }
                latency_round(env, pts[i].idx, pts[i].pb, &pts[i]);
                if (!pts[i].fail)
                    visit_latency(env->journal, pts[i].p->ordinal, &pts[i].t);
            }
    backend_set_threads(env->batch_threads);
    /* Batch rounds, round-robin; a point's last repetition is in the last
     * round, and its row is made from the answer that repetition leaves. */
    rounds = most_of(pts, n, 1);
    for (int r = 0; r + 1 < rounds && !*stop; r++) {
        if (progress)
            progress(ctx, pbs[0].b, NULL, "timing");
        for (size_t i = 0; i < n; i++) {
            struct point_timing *pt = &pts[i];
            if (!pt->p->skip && !pt->fail && search_visits(pt->t.plan.reps, rounds, r)) {
                if (pt->skip_rep > 0) {
                    pt->skip_rep--;
                    continue;
                }
                batch_rep(env, pt->idx, pt->pb, pt);
                if (!pt->fail)
                    visit_batch(env->journal, pt->p->ordinal, &pt->t);
            }
        }
    }
    for (size_t i = 0; rounds && !*stop && i < n; i++)
        n_failed += last_visit(env, &pts[i], search_visits(pts[i].t.plan.reps, rounds,
                                                           rounds - 1), progress, ctx);
    /* A group whose points all failed calibration has no batch round. */
    for (size_t i = 0; !rounds && !*stop && i < n; i++) {
        if (pts[i].p->skip)
            point_add_skip(env, pts[i].pb, pts[i].p, pts[i].p->skip);
        else
            add_status_row(env, pts[i].pb, pts[i].p, pts[i].fail);
        n_failed += !pts[i].p->skip;
    }
    for (size_t i = 0; i < n; i++)
        timing_state_release(&pts[i].t);
    for (size_t j = 0; j < n_builds; j++)
        free(own[j]);
    free(own);
    free(pts);
    return n_failed;
}

/* A growing text, appended in place: the resolved config of 200,000 points
 * is one pass, not a copy of the whole text per point. */
struct text {
    char *s;
    size_t n, cap;
};

static void text_add(struct text *t, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (!t->s || t->n + (size_t)n + 1 > t->cap) {
        t->cap = 2 * (t->n + (size_t)n + 1) + 256;
        t->s = xrealloc(t->s, t->cap);
        va_start(ap, fmt);
        vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
    }
    t->n += (size_t)n;
}

char *point_resolved_config(const struct config *cfg, const struct run_vectors *vec,
                            const struct grid *g)
{
    const struct dataset *ds = vec->ds;
    struct text t = { 0 };

    text_add(&t, "# N d nq: %zu %zu %zu; k:", ds->base.n, ds->base.d, ds->queries.n);
    for (size_t i = 0; i < cfg->k.n; i++)
        text_add(&t, " %ld", cfg->k.v[i]);
    for (size_t i = 0; i < g->n_builds; i++) {
        const struct build_point *b = &g->builds[i];
        text_add(&t, "\n- {N: %zu, metric: %s, factory: \"%s\", nlist: %ld, points: [",
                 rv_rows(vec, b->metric, b->N), metric_name(b->metric), b->factory, b->nlist);
        for (size_t j = 0; j < b->n_points; j++) {
            const struct search_point *p = &b->points[j];
            text_add(&t, "%s{nprobe: %ld, k_factor: %ld%s%s}", j ? ", " : "", p->nprobe,
                     p->k_factor, p->skip ? ", skipped: " : "", p->skip ? p->skip : "");
        }
        text_add(&t, "]}");
    }
    return t.s;
}
