/*
 * test_blend.c - blend fidelity on a case worked out on paper, on the edge
 * cases (empty slots, zero distances, index_rate 0, bad ids), and against
 * RVC's own numpy lines run by Debian's /usr/bin/python3 (skipped with a
 * reason when numpy is absent).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "rvc/blend.h"

/*
 * The paper case, d = 2, k = 2. Stored: x0 = (1,2), x1 = (3,1), x2 = (1,-2),
 * x3 = (4,5). Query q0 = (1,1): squared distances 1, 4, 9, 25.
 *
 * Exact top 2: ids 0, 1, scores 1, 4. Weights 1/1^2 : 1/4^2 = 16 : 1, so
 * w = (16/17, 1/17) and r_exact = (16 (1,2) + (3,1)) / 17 = (19/17, 33/17).
 * f_exact = 3/4 r + 1/4 q = ((57 + 17)/68, (99 + 17)/68) = (37/34, 29/17).
 *
 * The index misses x0 and answers ids 1, 2, scores 4, 9: weights
 * 1/16 : 1/81 = 81 : 16, r_ann = (81 (3,1) + 16 (1,-2)) / 97 = (259/97, 49/97),
 * f_ann = ((777 + 97)/388, (147 + 97)/388) = (437/194, 61/97).
 *
 * err = |f_ann - f_exact| / |f_exact|
 *     = |(437/194 - 37/34, 61/97 - 29/17)| / |(37/34, 29/17)|
 *     = |(1.164342, -1.077016)| / 2.023435 = 1.586082 / 2.023435 = 0.783856
 * cos(r_ann, r_exact) = cos((259,49), (19,33)) = (4921 + 1617)
 *     / (sqrt(69482) sqrt(1450)) = 6538 / 10037.375 = 0.651366
 *
 * Query q1 = (3,2): distances to x0..x3 are 4, 1, 20, 10; both sides
 * answer ids 1, 0 (scores 1, 4): err 0,
 * cos 1. Over the two queries: err mean 0.391928, p95 (numpy's linear rule
 * on {0, 0.783856}) = 0.95 * 0.783856, cos mean (1 + 0.651366) / 2.
 *
 * ir_unit = mean of 0.01 |r_exact - q| / |f_exact| (the exact side only).
 * q0: r_exact - q = (19/17 - 1, 33/17 - 1) = (2/17, 16/17), norm sqrt(260)/17;
 *     |f_exact| = |(37/34, 58/34)| = sqrt(1369 + 3364)/34 = sqrt(4733)/34;
 *     unit = 0.01 (sqrt(260)/17) (34/sqrt(4733)) = 0.02 sqrt(260/4733) = 0.00468758.
 * q1: r_exact = (16 (3,1) + (1,2)) / 17 = (49/17, 18/17), minus q = (3,2):
 *     (-2/17, -16/17), norm sqrt(260)/17 again; f_exact = 3/4 r + 1/4 q =
 *     (147/68 + 51/68, 54/68 + 34/68) = (99/34, 44/34), norm sqrt(11737)/34;
 *     unit = 0.02 sqrt(260/11737) = 0.00297672.
 * Mean 0.01 (sqrt(260/4733) + sqrt(260/11737)) = 0.00383215.
 * At index_rate 0, f_exact = q: units 0.01 sqrt(260)/17 / sqrt(2) = 0.00670691
 * and 0.01 sqrt(260)/17 / sqrt(13) = 0.00263067, mean 0.00466879.
 */
static const float X[] = { 1, 2, 3, 1, 1, -2, 4, 5 };
static const float Q[] = { 1, 1, 3, 2 };

static double paper_err(void)
{
    double dx = 437.0 / 194 - 37.0 / 34, dy = 61.0 / 97 - 29.0 / 17;
    double fx = 37.0 / 34, fy = 29.0 / 17;
    return sqrt(dx * dx + dy * dy) / sqrt(fx * fx + fy * fy);
}

static double paper_cos(void)
{
    return 6538.0 / (sqrt(69482.0) * sqrt(1450.0));
}

static double paper_unit(void)
{
    return 0.01 * (sqrt(260.0 / 4733) + sqrt(260.0 / 11737));
}

static void test_paper_case(void **state)
{
    (void)state;
    /* ground truth three wide (stride 3), the index answers two (stride 2) */
    const int64_t Ie[] = { 0, 1, 2,   1, 0, 3 };
    const float De[] = { 1, 4, 9,     1, 4, 10 };
    const int64_t Ia[] = { 1, 2,   1, 0 };
    const float Da[] = { 4, 9,     1, 4 };
    struct blend_side ex = { X, 4, Ie, De, 3 }, an = { X, 4, Ia, Da, 2 };
    struct blend_stats st;

    assert_float_equal(paper_err(), 0.783856, 1e-6);
    assert_float_equal(paper_cos(), 0.651366, 1e-6);

    assert_int_equal(blend_fidelity(Q, 2, 2, &ex, &an, 2, 0.75, &st), 0);
    assert_int_equal(st.nq, 2);
    assert_float_equal(st.err_mean, paper_err() / 2, 1e-12);
    assert_float_equal(st.err_p95, 0.95 * paper_err(), 1e-12);
    assert_float_equal(st.err_max, paper_err(), 1e-12);
    assert_float_equal(st.cos_mean, (1 + paper_cos()) / 2, 1e-12);
    assert_float_equal(paper_unit(), 0.00383215, 1e-8);
    assert_float_equal(st.ir_unit, paper_unit(), 1e-15);
    assert_int_equal(st.missing_queries + st.empty_queries + st.missing_exact, 0);
    assert_int_equal(st.zero_dist_ann + st.zero_dist_exact, 0);

    /* the single-query blend gives the vectors worked out above */
    double r[2], f[2];
    assert_int_equal(blend_rvc(Q, 2, X, Ie, De, 2, 0.75, r, f), 0);
    assert_float_equal(r[0], 19.0 / 17, 1e-12);
    assert_float_equal(r[1], 33.0 / 17, 1e-12);
    assert_float_equal(f[0], 37.0 / 34, 1e-12);
    assert_float_equal(f[1], 29.0 / 17, 1e-12);
    assert_int_equal(blend_rvc(Q, 2, X, Ia, Da, 2, 0.75, r, f), 0);
    assert_float_equal(r[0], 259.0 / 97, 1e-12);
    assert_float_equal(r[1], 49.0 / 97, 1e-12);
    assert_float_equal(f[0], 437.0 / 194, 1e-12);
    assert_float_equal(f[1], 61.0 / 97, 1e-12);
}

/* Deterministic pseudo-random floats in [-1, 1). */
static float rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((*s >> 40) / (double)(1 << 24) * 2 - 1);
}

static void test_identical_sides(void **state)
{
    (void)state;
    enum { N = 50, NQ = 40, D = 7, K = 8 };
    float x[N * D], q[NQ * D], Dd[NQ * K];
    int64_t I[NQ * K];
    uint64_t s = 1;
    struct blend_stats st;

    for (int i = 0; i < N * D; i++)
        x[i] = rnd(&s);
    for (int i = 0; i < NQ * D; i++)
        q[i] = rnd(&s);
    for (int i = 0; i < NQ * K; i++) {
        I[i] = (int64_t)((i * 7) % N);
        Dd[i] = 0.5f + (float)(i % K);
    }
    struct blend_side a = { x, N, I, Dd, K };
    assert_int_equal(blend_fidelity(q, NQ, D, &a, &a, K, 0.75, &st), 0);
    assert_float_equal(st.err_mean, 0, 1e-15);
    assert_float_equal(st.err_p95, 0, 1e-15);
    assert_float_equal(st.cos_mean, 1, 1e-12);
}

static void test_missing_ids(void **state)
{
    (void)state;
    /* q0: the index finds only x1 (score 4): r_ann = x1 = (3,1).
     * q1: it finds nothing: r_ann = 0, f_ann = q/4, cos 0. */
    const int64_t Ie[] = { 0, 1,   1, 0 };
    const float De[] = { 1, 4,     1, 4 };
    const int64_t Ia[] = { -1, 1,   -1, -1 };
    const float Da[] = { INFINITY, 4,   INFINITY, INFINITY };
    struct blend_side ex = { X, 4, Ie, De, 2 }, an = { X, 4, Ia, Da, 2 };
    struct blend_stats st;
    double r[2], f[2];

    assert_int_equal(blend_rvc(Q, 2, X, Ia, Da, 2, 0.75, r, f), BLEND_MISSING);
    assert_true(r[0] == 3 && r[1] == 1);
    assert_int_equal(blend_rvc(Q + 2, 2, X, Ia + 2, Da + 2, 2, 0.75, r, f),
                     BLEND_MISSING | BLEND_EMPTY);
    assert_true(r[0] == 0 && r[1] == 0);
    assert_float_equal(f[0], 0.75, 1e-15);
    assert_float_equal(f[1], 0.5, 1e-15);

    assert_int_equal(blend_fidelity(Q, 2, 2, &ex, &an, 2, 0.75, &st), 0);
    assert_int_equal(st.missing_queries, 2);
    assert_int_equal(st.empty_queries, 1);
    assert_int_equal(st.missing_exact, 0);
    /* cos: q0 cos((3,1), (19,33)) = 90 / (sqrt(10) sqrt(1450)); q1 0 */
    assert_float_equal(st.cos_mean, 90 / (sqrt(10.0) * sqrt(1450.0)) / 2, 1e-12);
    assert_true(isfinite(st.err_mean) && isfinite(st.err_p95));
}

static void test_zero_distance(void **state)
{
    (void)state;
    /* Query equal to x3 = (4,5). Exact: x3 at 0, x1 at 17: all weight on x3,
     * r = (4,5), f = q. Index, contrived: x3 and x0 both at 0, x1 at 17:
     * the two at 0 share the weight, r = ((4,5) + (1,2)) / 2 = (2.5, 3.5). */
    const float q[] = { 4, 5 };
    const int64_t Ie[] = { 3, 1, -1 };
    const float De[] = { 0, 17, INFINITY };
    const int64_t Ia[] = { 3, 0, 1 };
    const float Da[] = { 0, 0, 17 };
    struct blend_side ex = { X, 4, Ie, De, 3 }, an = { X, 4, Ia, Da, 3 };
    struct blend_stats st;
    double r[2], f[2];

    assert_int_equal(blend_rvc(q, 2, X, Ie, De, 3, 0.75, r, f), BLEND_ZERO_DIST | BLEND_MISSING);
    assert_true(r[0] == 4 && r[1] == 5 && f[0] == 4 && f[1] == 5);
    assert_int_equal(blend_rvc(q, 2, X, Ia, Da, 3, 0.75, r, f), BLEND_ZERO_DIST);
    assert_float_equal(r[0], 2.5, 1e-15);
    assert_float_equal(r[1], 3.5, 1e-15);

    assert_int_equal(blend_fidelity(q, 1, 2, &ex, &an, 3, 0.75, &st), 0);
    assert_int_equal(st.zero_dist_exact, 1);
    assert_int_equal(st.zero_dist_ann, 1);
    assert_int_equal(st.missing_exact, 1);
    assert_int_equal(st.missing_queries, 0);
    /* f_ann = 0.75 (2.5,3.5) + 0.25 (4,5) = (2.875, 3.875); f_exact = (4,5):
     * err = |(-1.125, -1.125)| / |(4,5)| = 1.125 sqrt(2) / sqrt(41) */
    assert_float_equal(st.err_mean, 1.125 * sqrt(2.0) / sqrt(41.0), 1e-12);
    assert_true(isfinite(st.cos_mean));
}

static void test_index_rate_zero(void **state)
{
    (void)state;
    /* f = q on both sides whatever the index answers */
    const int64_t Ie[] = { 0, 1,   1, 0 };
    const float De[] = { 1, 4,     1, 4 };
    const int64_t Ia[] = { 3, 2,   -1, -1 };
    const float Da[] = { 25, 9,    INFINITY, INFINITY };
    struct blend_side ex = { X, 4, Ie, De, 2 }, an = { X, 4, Ia, Da, 2 };
    struct blend_stats st;

    assert_int_equal(blend_fidelity(Q, 2, 2, &ex, &an, 2, 0.0, &st), 0);
    assert_float_equal(st.err_mean, 0, 1e-15);
    assert_float_equal(st.err_max, 0, 1e-15);
    assert_true(st.cos_mean < 1);   /* r still differs: cos is independent of the rate */
}

/* blend_ir_unit: how far the exact f moves per 0.01 of index_rate, relative
 * to f. It needs only the exact side and the queries; numbers as worked out
 * at the top. */
static void test_ir_unit(void **state)
{
    (void)state;
    const int64_t Ie[] = { 0, 1,   1, 0 };
    const float De[] = { 1, 4,     1, 4 };
    const int64_t Ia[] = { 3, 2,   -1, -1 };
    const float Da[] = { 25, 9,    INFINITY, INFINITY };
    struct blend_side ex = { X, 4, Ie, De, 2 }, an = { X, 4, Ia, Da, 2 };
    struct blend_stats same, other;

    /* whatever the index answers */
    assert_int_equal(blend_fidelity(Q, 2, 2, &ex, &ex, 2, 0.75, &same), 0);
    assert_int_equal(blend_fidelity(Q, 2, 2, &ex, &an, 2, 0.75, &other), 0);
    assert_float_equal(same.ir_unit, paper_unit(), 1e-15);
    assert_true(other.ir_unit == same.ir_unit);
    assert_true(other.err_mean > 0 && same.err_mean == 0);

    /* index_rate 0: divided by |q| */
    assert_int_equal(blend_fidelity(Q, 2, 2, &ex, &an, 2, 0.0, &other), 0);
    assert_float_equal(other.ir_unit, 0.00466879, 1e-8);
    assert_float_equal(other.ir_unit,
                       0.005 * sqrt(260.0) / 17 * (1 / sqrt(2.0) + 1 / sqrt(13.0)), 1e-15);

    /* what it means: |f(0.76) - f(0.75)| / |f(0.75)| for each query */
    for (size_t i = 0; i < 2; i++) {
        double r[2], f0[2], f1[2];
        struct blend_stats one;
        assert_int_equal(blend_rvc(Q + 2 * i, 2, X, Ie + 2 * i, De + 2 * i, 2, 0.75, r, f0), 0);
        assert_int_equal(blend_rvc(Q + 2 * i, 2, X, Ie + 2 * i, De + 2 * i, 2, 0.76, r, f1), 0);
        struct blend_side e1 = { X, 4, Ie + 2 * i, De + 2 * i, 2 };
        assert_int_equal(blend_fidelity(Q + 2 * i, 1, 2, &e1, &e1, 2, 0.75, &one), 0);
        assert_float_equal(one.ir_unit, hypot(f1[0] - f0[0], f1[1] - f0[1]) / hypot(f0[0], f0[1]),
                           1e-12);
        assert_float_equal(one.ir_unit, i ? 0.02 * sqrt(260.0 / 11737) : 0.02 * sqrt(260.0 / 4733),
                           1e-15);
    }

    /* f_exact = 0 (q = -x0 at index_rate 0.5): not divided, 0.01 |x0 - q| */
    const float x0[] = { 1, 0 }, q[] = { -1, 0 };
    const int64_t I1[] = { 0 };
    const float D1[] = { 4 };
    struct blend_side z = { x0, 1, I1, D1, 1 };
    assert_int_equal(blend_fidelity(q, 1, 2, &z, &z, 1, 0.5, &same), 0);
    assert_float_equal(same.ir_unit, 0.02, 1e-15);
    assert_true(same.err_mean == 0);

    /* no queries: NaN like the other means */
    assert_int_equal(blend_fidelity(Q, 0, 2, &ex, &ex, 2, 0.75, &same), 0);
    assert_true(isnan(same.ir_unit));
}

static void test_bad_input(void **state)
{
    (void)state;
    const int64_t Ie[] = { 0, 1 }, Ibad[] = { 0, 4 }, Ineg[] = { -2, 0 };
    const float De[] = { 1, 4 };
    struct blend_side ex = { X, 4, Ie, De, 2 }, bad = { X, 4, Ibad, De, 2 },
                      neg = { X, 4, Ineg, De, 2 };
    struct blend_stats st;

    assert_int_equal(blend_fidelity(Q, 1, 2, &ex, &bad, 2, 0.75, &st), -1);
    assert_int_equal(blend_fidelity(Q, 1, 2, &neg, &ex, 2, 0.75, &st), -1);
    assert_int_equal(blend_fidelity(Q, 1, 2, &ex, &ex, 3, 0.75, &st), -1);
    assert_int_equal(blend_fidelity(Q, 1, 2, &ex, &ex, 0, 0.75, &st), -1);
    assert_int_equal(blend_fidelity(Q, 1, 2, &ex, &ex, 2, 1.5, &st), -1);
    assert_int_equal(blend_fidelity(Q, 1, 2, &ex, &ex, 2, NAN, &st), -1);
    assert_int_equal(blend_fidelity(Q, 0, 2, &ex, &ex, 2, 0.75, &st), 0);
    assert_true(isnan(st.err_mean) && isnan(st.cos_mean) && st.nq == 0);
}

static void test_ip_and_audio_time(void **state)
{
    (void)state;
    float D[] = { 1.0f, 0.5f, -1.0f, 1.0000001f };
    blend_ip_to_sql2(D, 4);
    assert_true(D[0] == 0 && D[1] == 1 && D[2] == 4 && D[3] == 0);

    assert_float_equal(blend_audio_seconds_batch(5000), 0.01, 1e-15);
    assert_float_equal(blend_audio_seconds_single(200e-6), 0.01, 1e-15);
    assert_true(isnan(blend_audio_seconds_batch(0)));
    assert_true(isnan(blend_audio_seconds_batch(INFINITY)));
    assert_true(isnan(blend_audio_seconds_single(-1)));
    assert_true(blend_audio_seconds_single(0) == 0);
}

/* RVC's lines in numpy (float64) on random data, against blend_fidelity. */
static void test_against_numpy(void **state)
{
    (void)state;
    enum { N = 300, NQ = 200, D = 16, K = 8 };
    char dir[] = "/tmp/fs-blend-XXXXXX", cmd[4096], path[256];
    float *x, *q, *De, *Da;
    int64_t *Ie, *Ia;
    uint64_t s = 7;
    struct blend_stats st;
    double want[3];
    FILE *fp;

    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
        print_message("skipping: /usr/bin/python3 with numpy not found (Debian python3-numpy)\n");
        skip();
    }
    assert_non_null(mkdtemp(dir));
    x = malloc(N * D * sizeof(*x));
    q = malloc(NQ * D * sizeof(*q));
    De = malloc(NQ * K * sizeof(*De));
    Da = malloc(NQ * K * sizeof(*Da));
    Ie = malloc(NQ * K * sizeof(*Ie));
    Ia = malloc(NQ * K * sizeof(*Ia));
    for (int i = 0; i < N * D; i++)
        x[i] = rnd(&s);
    for (int i = 0; i < NQ * D; i++)
        q[i] = rnd(&s);
    /* Any ids work for the formula: the exact side takes ids i..i+7, the
     * index side every other one shifted; scores are the true squared L2. */
    for (int i = 0; i < NQ; i++)
        for (int j = 0; j < K; j++) {
            Ie[i * K + j] = (i + j) % N;
            Ia[i * K + j] = (i + 2 * j + 1) % N;
            double de = 0, da = 0;
            for (int c = 0; c < D; c++) {
                double a = q[i * D + c] - x[Ie[i * K + j] * D + c];
                double b = q[i * D + c] - x[Ia[i * K + j] * D + c];
                de += a * a;
                da += b * b;
            }
            De[i * K + j] = (float)de;
            Da[i * K + j] = (float)da;
        }
    struct { const char *name; const void *p; size_t n; } files[] = {
        { "x", x, N * D * 4 }, { "q", q, NQ * D * 4 }, { "De", De, NQ * K * 4 },
        { "Da", Da, NQ * K * 4 }, { "Ie", Ie, NQ * K * 8 }, { "Ia", Ia, NQ * K * 8 },
    };
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[f].name);
        assert_non_null(fp = fopen(path, "wb"));
        assert_int_equal(fwrite(files[f].p, 1, files[f].n, fp), files[f].n);
        fclose(fp);
    }
    snprintf(cmd, sizeof(cmd),
             "cd %s && /usr/bin/python3 -c \"\n"
             "import numpy as np\n"
             "big_npy = np.fromfile('x', '<f4').reshape(-1, %d).astype(np.float64)\n"
             "q = np.fromfile('q', '<f4').reshape(-1, %d).astype(np.float64)\n"
             "def rvc(score, ix):\n"
             "    weight = np.square(1 / score)\n"
             "    weight /= weight.sum(axis=1, keepdims=True)\n"
             "    r = np.sum(big_npy[ix] * np.expand_dims(weight, axis=2), axis=1)\n"
             "    return r, 0.6 * r + (1 - 0.6) * q\n"
             "re, fe = rvc(np.fromfile('De', '<f4').reshape(-1, %d).astype(np.float64),\n"
             "             np.fromfile('Ie', '<i8').reshape(-1, %d))\n"
             "ra, fa = rvc(np.fromfile('Da', '<f4').reshape(-1, %d).astype(np.float64),\n"
             "             np.fromfile('Ia', '<i8').reshape(-1, %d))\n"
             "err = np.linalg.norm(fa - fe, axis=1) / np.linalg.norm(fe, axis=1)\n"
             "cos = np.sum(ra * re, axis=1) / np.linalg.norm(ra, axis=1) / np.linalg.norm(re, axis=1)\n"
             "open('want', 'w').write('%%.17g %%.17g %%.17g' %% (err.mean(), np.percentile(err, 95), cos.mean()))\n"
             "\"", dir, D, D, K, K, K, K);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/want", dir);
    assert_non_null(fp = fopen(path, "r"));
    assert_int_equal(fscanf(fp, "%lf %lf %lf", &want[0], &want[1], &want[2]), 3);
    fclose(fp);

    struct blend_side ex = { x, N, Ie, De, K }, an = { x, N, Ia, Da, K };
    assert_int_equal(blend_fidelity(q, NQ, D, &ex, &an, K, 0.6, &st), 0);
    assert_float_equal(st.err_mean, want[0], 1e-12 * want[0]);
    assert_float_equal(st.err_p95, want[1], 1e-12 * want[1]);
    assert_float_equal(st.cos_mean, want[2], 1e-12);
    assert_true(st.err_mean > 0.05);   /* the comparison is not vacuous */

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(x);
    free(q);
    free(De);
    free(Da);
    free(Ie);
    free(Ia);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paper_case),
        cmocka_unit_test(test_identical_sides),
        cmocka_unit_test(test_missing_ids),
        cmocka_unit_test(test_zero_distance),
        cmocka_unit_test(test_index_rate_zero),
        cmocka_unit_test(test_ir_unit),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_ip_and_audio_time),
        cmocka_unit_test(test_against_numpy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
