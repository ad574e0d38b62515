/*
 * test_measure.c - RVC's blend fidelity through the generic measure
 * interface (out/measure.h) on a case small enough to compute by hand: its
 * columns, depth and side table, the values it writes for l2 and for
 * cosine (similarities converted), only the audio columns under ip, the
 * /blend rows at each index_rate, its attributes, and a failing blend.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "out/measure.h"
#include "out/results.h"
#include "rvc/measure.h"
#include "testutil.h"

/* Three stored 2-d vectors; the exact answer of both queries is rows 0
 * and 1 at squared distances 1 and 2: weights 1 and 1/4, r = (0.8, 0.2).
 * The index answers rows 0 and 2 at 1 and 4 for query 0 (weights 1 and
 * 1/16: r = (1, 1/17)), and row 0 and an empty slot for query 1 (r = x0).
 * The queries are 0, so f = index_rate r and the error is the same at
 * every rate. */
static const float X[] = { 1, 0, 0, 1, 1, 1 };
static const float Q[] = { 0, 0, 0, 0 };
static const int64_t EXACT_I[] = { 0, 1, 0, 1 };
static const float EXACT_D[] = { 1, 2, 1, 2 };
static const int64_t ANN_I[] = { 0, 2, 0, -1 };
static const float ANN_D[] = { 1, 4, 1, 0 };
static const double RATES[] = { 1.0, 0.5 };

enum { ERR_MEAN, ERR_P95, COS_MEAN, MISSING, ZERO_DIST, AUDIO_BATCH, AUDIO_SINGLE, IR_UNIT,
       AUDIO_QEXPAND };

static struct measure_point point(enum measure_metric m, const float *exact_d, const float *ann_d)
{
    return (struct measure_point){
        .metric = m, .queries = Q, .nq = 2, .d = 2,
        .exact_I = EXACT_I, .exact_D = exact_d, .exact_stride = 2, .exact_x = X, .exact_n = 3,
        .I = ANN_I, .D = ann_d, .k = 2, .stored = X, .n_stored = 3,
        .qps = 1000, .lat_mean_us = 2000, .qexpand_s = 0.3, .run_row = 7,
    };
}

static void unset(const struct measure *m, union result_cell *cells)
{
    for (size_t i = 0; i < m->n_cols; i++)
        cells[i] = col_unset(m->cols[i].type);
}

/* What the generic run reads from the table entry. */
static void test_columns_and_depth(void **state)
{
    static const char *const names[] = { "blend_err_mean", "blend_err_p95", "blend_cos_mean",
                                         "blend_missing", "blend_zero_dist", "audio_s_batch",
                                         "audio_s_single", "blend_ir_unit", "audio_s_qexpand" };
    struct rvc_measure rm;
    (void)state;
    const struct measure *m = rvc_measure_init(&rm, 8, RATES, 2);
    assert_string_equal(m->name, "rvc-blend");
    assert_int_equal(m->n_cols, 9);
    for (size_t i = 0; i < 9; i++)
        assert_string_equal(m->cols[i].name, names[i]);
    assert_int_equal(m->cols[MISSING].type, COL_I64);
    assert_int_equal(m->cols[ERR_MEAN].role, ROLE_QUALITY);
    assert_int_equal(m->cols[AUDIO_BATCH].role, ROLE_TIME);
    assert_int_equal(m->depth, 8);
    assert_true(m->metrics == (MEASURE_METRIC(MEASURE_L2) | MEASURE_METRIC(MEASURE_COSINE)));
    assert_string_equal(m->table, "blend");
    assert_int_equal(m->n_table_cols, 5);
    assert_string_equal(m->table_cols[0].name, "run_row");
    assert_string_equal(m->table_cols[1].name, "index_rate");
    /* its attributes */
    struct result_set rs;
    memset(&rs, 0, sizeof(rs));
    m->attrs(m, &rs);
    assert_int_equal(results_attr(&rs, "rvc_blend_k")->i, 8);
    assert_true(results_attr(&rs, "rvc_index_rate")->f == 1.0);
    results_release(&rs);
    /* no rates: RVC's 0.75 */
    m = rvc_measure_init(&rm, 4, NULL, 0);
    assert_int_equal(rm.n_rates, 1);
    assert_true(rm.index_rate[0] == 0.75);
}

/* One point: the values by hand, and a /blend row per rate. */
static void check_values(enum measure_metric metric, const float *exact_d, const float *ann_d)
{
    struct rvc_measure rm;
    const struct measure *m = rvc_measure_init(&rm, 2, RATES, 2);
    struct result_set rs;
    union result_cell c[9];
    struct measure_point p = point(metric, exact_d, ann_d);

    memset(&rs, 0, sizeof(rs));
    struct result_table *side = results_table_add(&rs, m->table, m->table_cols, m->n_table_cols);
    unset(m, c);
    assert_int_equal(m->point(m, &p, c, side), 0);

    double rx = sqrt(0.8 * 0.8 + 0.2 * 0.2);
    double e0 = sqrt(0.2 * 0.2 + pow(1.0 / 17 - 0.2, 2)) / rx;   /* r_ann = (1, 1/17) */
    double e1 = sqrt(0.2 * 0.2 + 0.2 * 0.2) / rx;                /* r_ann = (1, 0) */
    double c0 = (0.8 + 0.2 / 17) / (sqrt(1 + 1.0 / 289) * rx), c1 = 0.8 / rx;
    assert_float_equal(c[ERR_MEAN].f, (e0 + e1) / 2, 1e-6);
    assert_float_equal(c[ERR_P95].f, e0 + 0.95 * (e1 - e0), 1e-6);   /* numpy's linear rule */
    assert_float_equal(c[COS_MEAN].f, (c0 + c1) / 2, 1e-6);
    assert_int_equal(c[MISSING].i, 1);
    assert_int_equal(c[ZERO_DIST].i, 0);
    assert_float_equal(c[IR_UNIT].f, 0.01, 1e-9);   /* 0.01 |r - q| / |f| at index_rate 1 */
    assert_float_equal(c[AUDIO_BATCH].f, 50.0 / 1000, 1e-12);
    assert_float_equal(c[AUDIO_SINGLE].f, 50 * 2e-3, 1e-12);
    assert_float_equal(c[AUDIO_QEXPAND].f, 0.3 * 50 / 2, 1e-12);
    /* /blend: the point's row at each rate; the first rate is what /runs holds */
    assert_int_equal(side->n_rows, 2);
    for (size_t i = 0; i < 2; i++) {
        const union result_cell *b = side->cells + i * side->n_cols;
        assert_int_equal(b[0].i, 7);
        assert_true(b[1].f == RATES[i]);
        assert_float_equal(b[2].f, (e0 + e1) / 2, 1e-6);
        assert_float_equal(b[4].f, 0.01 / RATES[i], 1e-9);
    }
    assert_true(side->cells[2].f == c[ERR_MEAN].f && side->cells[4].f == c[IR_UNIT].f);
    results_release(&rs);
}

static void test_l2(void **state)
{
    (void)state;
    check_values(MEASURE_L2, EXACT_D, ANN_D);
}

/* Cosine answers are similarities of unit vectors: 2 - 2s is the squared
 * distance, so s = 1 - d/2 gives the same blend. */
static void test_cosine(void **state)
{
    float exact[4], ann[4];
    (void)state;
    for (int i = 0; i < 4; i++) {
        exact[i] = 1 - EXACT_D[i] / 2;
        ann[i] = 1 - ANN_D[i] / 2;
    }
    check_values(MEASURE_COSINE, exact, ann);
}

/* Under ip the run gives no answers: only the audio columns, no rows. */
static void test_ip_audio_only(void **state)
{
    struct rvc_measure rm;
    const struct measure *m = rvc_measure_init(&rm, 2, RATES, 2);
    struct result_set rs;
    union result_cell c[9];
    struct measure_point p = point(MEASURE_IP, EXACT_D, ANN_D);
    (void)state;
    p.I = NULL;
    p.D = NULL;
    p.qexpand_s = 0;
    memset(&rs, 0, sizeof(rs));
    struct result_table *side = results_table_add(&rs, m->table, m->table_cols, m->n_table_cols);
    unset(m, c);
    assert_int_equal(m->point(m, &p, c, side), 0);
    assert_true(isnan(c[ERR_MEAN].f) && isnan(c[IR_UNIT].f) && c[MISSING].i == -1);
    assert_true(isnan(c[AUDIO_QEXPAND].f));   /* queries not expanded */
    assert_float_equal(c[AUDIO_BATCH].f, 0.05, 1e-12);
    assert_int_equal(side->n_rows, 0);
    results_release(&rs);
}

static int fail_point(void *arg)
{
    struct rvc_measure rm;
    const struct measure *m = rvc_measure_init(&rm, 2, RATES, 2);
    union result_cell c[9];
    struct measure_point p = point(MEASURE_L2, EXACT_D, ANN_D);
    (void)arg;
    p.exact_stride = 1;   /* shallower than the blend */
    unset(m, c);
    return m->point(m, &p, c, NULL);
}

static void test_blend_fails(void **state)
{
    (void)state;
    assert_fails(fail_point(NULL), "k = 2 exceeds the exact side", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_and_depth),
        cmocka_unit_test(test_l2),
        cmocka_unit_test(test_cosine),
        cmocka_unit_test(test_ip_audio_only),
        cmocka_unit_test(test_blend_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
