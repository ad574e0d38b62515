/*
 * measure.c - RVC's blend fidelity, per point, through the generic
 * measure interface: distances converted to squared L2, blend_fidelity at
 * each index_rate, the audio-time columns from the point's timings.
 */
#include "rvc/measure.h"
#include "rvc/blend.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct col_def rvc_measure_cols[] = {
    { "blend_err_mean", COL_F64, ROLE_QUALITY, "",
      "RVC's blend (`rvc.blend_k` neighbours weighted by (1/score)², r = Σ wᵢxᵢ, f = "
      "index_rate·r + (1 − index_rate)·q) from the index's answer against the same blend from "
      "the exact neighbours: mean over queries of \\|f_ann − f_exact\\| / \\|f_exact\\|; NaN "
      "when the metric is ip" },
    { "blend_err_p95", COL_F64, ROLE_QUALITY, "", "95th percentile of the same" },
    { "blend_cos_mean", COL_F64, ROLE_QUALITY, "", "mean cosine similarity of r_ann and r_exact" },
    { "blend_missing", COL_I64, ROLE_QUALITY, "", "queries whose answer held -1 ids" },
    { "blend_zero_dist", COL_I64, ROLE_QUALITY, "",
      "queries with a zero distance (the neighbours at distance 0 share the weight: RVC "
      "itself would divide by zero)" },
    { "audio_s_batch", COL_F64, ROLE_TIME, "s",
      "search seconds per second of audio at 50 queries per second: 50 / qps" },
    { "audio_s_single", COL_F64, ROLE_TIME, "s",
      "search seconds per second of audio, one query at a time: 50 × mean single-query latency" },
    { "blend_ir_unit", COL_F64, ROLE_QUALITY, "",
      "the yardstick for the blend error in RVC's own units: how far f_exact moves per 0.01 of "
      "index_rate, mean over queries of 0.01·\\|r_exact − q\\| / \\|f_exact\\|" },
    { "audio_s_qexpand", COL_F64, ROLE_TIME, "s",
      "seconds of alpha query expansion (C7) per second of audio, on the batch threads, as the "
      "harness computes it (exact search of the stored base); NaN unless the queries are "
      "expanded; not included in `audio_s_batch`" },
};
const size_t rvc_measure_n_cols = sizeof(rvc_measure_cols) / sizeof(rvc_measure_cols[0]);

enum { C_ERR_MEAN, C_ERR_P95, C_COS_MEAN, C_MISSING, C_ZERO_DIST, C_AUDIO_BATCH,
       C_AUDIO_SINGLE, C_IR_UNIT, C_AUDIO_QEXPAND };

const struct col_def rvc_blend_cols[] = {
    { "run_row", COL_I64, ROLE_SETTING, "", "the row of `/runs`" },
    { "index_rate", COL_F64, ROLE_SETTING, "", "the value of `rvc.index_rate`" },
    { "blend_err_mean", COL_F64, ROLE_QUALITY, "", "as in `/runs`, at this index_rate" },
    { "blend_err_p95", COL_F64, ROLE_QUALITY, "", "as in `/runs`, at this index_rate" },
    { "blend_ir_unit", COL_F64, ROLE_QUALITY, "", "as in `/runs`, at this index_rate" },
};
const size_t rvc_blend_n_cols = sizeof(rvc_blend_cols) / sizeof(rvc_blend_cols[0]);

/* Squared L2 from what faiss returned: L2 is already; cosine similarities of
 * unit vectors become 2 - 2s. Copies into out (n values). */
static void to_sql2(const float *D, size_t n, enum measure_metric m, float *out)
{
    memcpy(out, D, n * sizeof(*out));
    if (m == MEASURE_COSINE)
        blend_ip_to_sql2(out, n);
}

/* blend_fidelity at every index_rate into st (n_rates entries). */
static int blend_rates(const struct rvc_measure *rm, const struct measure_point *p,
                       struct blend_stats *st)
{
    float *Dx = xmalloc(p->nq * p->exact_stride * sizeof(*Dx) + 1);
    float *Da = xmalloc(p->nq * rm->blend_k * sizeof(*Da) + 1);
    int rc = 0;

    to_sql2(p->exact_D, p->nq * p->exact_stride, p->metric, Dx);
    to_sql2(p->D, p->nq * rm->blend_k, p->metric, Da);
    struct blend_side exact = { .x = p->exact_x, .n = p->exact_n, .I = p->exact_I, .D = Dx,
                                .stride = p->exact_stride };
    /* RVC blends what its index stores (centroids, expanded or shuffled rows)
     * into the original query. */
    struct blend_side ann = { .x = p->stored, .n = p->n_stored, .I = p->I, .D = Da,
                              .stride = p->k };
    for (size_t i = 0; !rc && i < rm->n_rates; i++)
        rc = blend_fidelity(p->queries, p->nq, p->d, &exact, &ann, rm->blend_k, rm->index_rate[i],
                            &st[i]);
    free(Dx);
    free(Da);
    return rc;
}

static int rvc_point(const struct measure *m, const struct measure_point *p,
                     union result_cell *cells, struct result_table *side)
{
    const struct rvc_measure *rm = m->state;
    struct blend_stats *st;

    cells[C_AUDIO_BATCH].f = blend_audio_seconds_batch(p->qps);
    cells[C_AUDIO_SINGLE].f = blend_audio_seconds_single(p->lat_mean_us * 1e-6);
    if (p->qexpand_s > 0)
        cells[C_AUDIO_QEXPAND].f = p->qexpand_s * RVC_FRAMES_PER_SECOND / (double)p->nq;
    if (!p->I)
        return 0;
    st = xcalloc(rm->n_rates, sizeof(*st));
    if (blend_rates(rm, p, st)) {
        free(st);
        return -1;
    }
    cells[C_IR_UNIT].f = st[0].ir_unit;
    cells[C_ERR_MEAN].f = st[0].err_mean;
    cells[C_ERR_P95].f = st[0].err_p95;
    cells[C_COS_MEAN].f = st[0].cos_mean;
    cells[C_MISSING].i = (int64_t)st[0].missing_queries;
    cells[C_ZERO_DIST].i = (int64_t)st[0].zero_dist_ann;
    for (size_t i = 0; side && isfinite(st[0].err_mean) && i < rm->n_rates; i++) {
        union result_cell row[5];
        row[0].i = p->run_row;
        row[1].f = rm->index_rate[i];
        row[2].f = st[i].err_mean;
        row[3].f = st[i].err_p95;
        row[4].f = st[i].ir_unit;
        results_table_append(side, row);
    }
    free(st);
    return 0;
}

static void rvc_attrs(const struct measure *m, struct result_set *rs)
{
    const struct rvc_measure *rm = m->state;
    results_attr_int(rs, "rvc_blend_k", (int64_t)rm->blend_k);
    results_attr_float(rs, "rvc_index_rate", rm->index_rate[0]);
}

const struct measure *rvc_measure_init(struct rvc_measure *rm, size_t blend_k,
                                       const double *index_rate, size_t n_rates)
{
    static const double rvc_default = RVC_INDEX_RATE;
    rm->blend_k = blend_k;
    rm->index_rate = n_rates ? index_rate : &rvc_default;
    rm->n_rates = n_rates ? n_rates : 1;
    rm->m = (struct measure){
        .name = "rvc-blend",
        .cols = rvc_measure_cols,
        .n_cols = rvc_measure_n_cols,
        .table = "blend",
        .table_cols = rvc_blend_cols,
        .n_table_cols = rvc_blend_n_cols,
        .depth = blend_k,
        .metrics = MEASURE_METRIC(MEASURE_L2) | MEASURE_METRIC(MEASURE_COSINE),
        .point = rvc_point,
        .attrs = rvc_attrs,
        .state = rm,
    };
    return &rm->m;
}
