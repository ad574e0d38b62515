/*
 * test_preprocess.c - alpha query expansion on a case worked out on paper
 * and against the tips document's numpy formula (Debian's /usr/bin/python3;
 * skipped with a reason when numpy is absent), batch and chunk sizes that
 * must not change results, k-means compression, and the seeded shuffle.
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
#include "core/preprocess.h"

/* Deterministic pseudo-random floats in [-1, 1). */
static float rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((*s >> 40) / (double)(1 << 24) * 2 - 1);
}

static float *random_rows(size_t n, size_t d, uint64_t seed)
{
    float *x = malloc(n * d * sizeof(*x));
    for (size_t i = 0; i < n * d; i++)
        x[i] = rnd(&seed);
    return x;
}

/*
 * The paper case, 2-d, num_expand 2, alpha 3. Rows (not unit, to exercise
 * the normalisation) a = (2,0), b = (3,4), c = (0,0.5), e = (-4,3); unit:
 * a = (1,0), b = (.6,.8), c = (0,1), e = (-.8,.6). Cosines: ab .6, ac 0,
 * ae -.8, bc .8, be 0, ce .6. Each row's 2 nearest are itself (cos 1) and:
 *   a: b (.6)  -> a + .6^3 b = (1 + .1296, .1728) = (1.1296, .1728)
 *   b: c (.8)  -> b + .8^3 c = (.6, .8 + .512)    = (.6, 1.312)
 *   c: b (.8)  -> c + .8^3 b = (.3072, 1.4096)
 *   e: c (.6)  -> e + .6^3 c = (-.8, .816)
 * then normalised: |a'|^2 = |e'|^2 = 1.305856, |b'|^2 = |c'|^2 = 2.081344.
 */
static const float PAPER[] = { 2, 0, 3, 4, 0, 0.5f, -4, 3 };

static void test_paper_case(void **state)
{
    (void)state;
    const double want[] = { 1.1296, .1728, .6, 1.312, .3072, 1.4096, -.8, .816 };
    const double norm2[] = { 1.305856, 2.081344, 2.081344, 1.305856 };
    float out[8];
    struct expand_stats st;

    assert_int_equal(prep_alpha_expand(PAPER, 4, PAPER, 4, 2, 2, 3.0, 0, 0, out, &st), 0);
    for (int i = 0; i < 8; i++)
        assert_float_equal(out[i], want[i] / sqrt(norm2[i / 2]), 1e-6);
    assert_int_equal(st.negative + st.clamped + st.zero_rows, 0);
}

/*
 * A query not in the base, q = (0,-1): cosines a 0, b -.8, c -1, e -.6, so
 * its 2 nearest are a and e, both with cosine <= 0.
 *   alpha 3 (numpy: sign kept): 0^3 a + (-.6)^3 e = -.216 (-.8,.6)
 *           = (.1728, -.1296) -> (.8, -.6): pushed away from e.
 *   alpha 2: .36 e -> (-.8, .6).
 *   alpha 2.5: numpy NaN; we weight e 0, the sum is 0, the row stays 0.
 */
static void test_negative_cosine(void **state)
{
    (void)state;
    const float q[] = { 0, -1 };
    float out[2];
    struct expand_stats st;

    assert_int_equal(prep_alpha_expand(q, 1, PAPER, 4, 2, 2, 3.0, 0, 0, out, &st), 0);
    assert_float_equal(out[0], .8, 1e-6);
    assert_float_equal(out[1], -.6, 1e-6);
    assert_int_equal(st.negative, 1);
    assert_int_equal(st.clamped, 0);

    assert_int_equal(prep_alpha_expand(q, 1, PAPER, 4, 2, 2, 2.0, 0, 0, out, &st), 0);
    assert_float_equal(out[0], -.8, 1e-6);
    assert_float_equal(out[1], .6, 1e-6);

    assert_int_equal(prep_alpha_expand(q, 1, PAPER, 4, 2, 2, 2.5, 0, 0, out, &st), 0);
    assert_true(out[0] == 0 && out[1] == 0);
    assert_int_equal(st.negative, 1);
    assert_int_equal(st.clamped, 1);
    assert_int_equal(st.zero_rows, 1);
}

static void test_unit_rows_and_batching(void **state)
{
    (void)state;
    enum { N = 300, D = 12 };
    float *x = random_rows(N, D, 3);
    float *one = malloc(N * D * sizeof(float)), *many = malloc(N * D * sizeof(float));

    assert_int_equal(prep_alpha_expand(x, N, x, N, D, 5, 3.0, N, 0, one, NULL), 0);
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int j = 0; j < D; j++)
            s += (double)one[i * D + j] * one[i * D + j];
        assert_float_equal(s, 1.0, 1e-6);
    }
    /* batches of 7 rows against base chunks of 13 rows: same bits */
    assert_int_equal(prep_alpha_expand(x, N, x, N, D, 5, 3.0, 7, 13, many, NULL), 0);
    assert_memory_equal(one, many, N * D * sizeof(float));

    /* in place on rows that are not the base */
    float *y = random_rows(40, D, 4), *y2 = malloc(40 * D * sizeof(float));
    assert_int_equal(prep_alpha_expand(y, 40, x, N, D, 5, 3.0, 16, 0, y2, NULL), 0);
    assert_int_equal(prep_alpha_expand(y, 40, x, N, D, 5, 3.0, 16, 0, y, NULL), 0);
    assert_memory_equal(y, y2, 40 * D * sizeof(float));
    free(y);
    free(y2);
    free(x);
    free(one);
    free(many);
}

static void test_alpha0_self(void **state)
{
    (void)state;
    enum { N = 50, D = 6 };
    float *x = random_rows(N, D, 5), out[N * D];

    /* one neighbour, itself, weight cos^0 = 1: the row normalised */
    assert_int_equal(prep_alpha_expand(x, N, x, N, D, 1, 0.0, 0, 0, out, NULL), 0);
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int j = 0; j < D; j++)
            s += (double)x[i * D + j] * x[i * D + j];
        for (int j = 0; j < D; j++)
            assert_float_equal(out[i * D + j], x[i * D + j] / sqrt(s), 1e-6);
    }
    free(x);
}

static void test_expand_errors(void **state)
{
    (void)state;
    float out[8], base[8];
    memcpy(base, PAPER, sizeof(base));
    assert_int_equal(prep_alpha_expand(PAPER, 4, PAPER, 4, 2, 0, 3.0, 0, 0, out, NULL), -1);
    assert_int_equal(prep_alpha_expand(PAPER, 4, PAPER, 4, 2, 2, NAN, 0, 0, out, NULL), -1);
    assert_int_equal(prep_alpha_expand(PAPER, 4, PAPER, 0, 2, 2, 3.0, 0, 0, out, NULL), -1);
    assert_int_equal(prep_alpha_expand(base, 4, base, 4, 2, 2, 3.0, 0, 0, base, NULL), -1);
    /* more neighbours than the base has: the missing ones are skipped */
    assert_int_equal(prep_alpha_expand(PAPER, 4, PAPER, 4, 2, 6, 3.0, 0, 0, out, NULL), 0);
}

/* Write n*d floats to dir/name. */
static void put(const char *dir, const char *name, const float *x, size_t n)
{
    char path[256];
    FILE *fp;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_non_null(fp = fopen(path, "wb"));
    assert_int_equal(fwrite(x, sizeof(float), n, fp), n);
    fclose(fp);
}

static void get(const char *dir, const char *name, float *x, size_t n)
{
    char path[256];
    FILE *fp;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_non_null(fp = fopen(path, "rb"));
    assert_int_equal(fread(x, sizeof(float), n, fp), n);
    fclose(fp);
}

/* The document's formula in numpy (float64, brute-force neighbours), on the
 * base against itself and on queries against the base. */
static void test_against_numpy(void **state)
{
    (void)state;
    enum { N = 400, NQ = 60, D = 16, NE = 5 };
    char dir[] = "/tmp/fs-prep-XXXXXX", cmd[4096];
    float *x = random_rows(N, D, 11), *q = random_rows(NQ, D, 12);
    float *bx = malloc(N * D * sizeof(float)), *bq = malloc(NQ * D * sizeof(float));
    float *wx = malloc(N * D * sizeof(float)), *wq = malloc(NQ * D * sizeof(float));

    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
        print_message("skipping: /usr/bin/python3 with numpy not found (Debian python3-numpy)\n");
        free(x), free(q), free(bx), free(bq), free(wx), free(wq);
        skip();
    }
    assert_non_null(mkdtemp(dir));
    put(dir, "x", x, N * D);
    put(dir, "q", q, NQ * D);
    snprintf(cmd, sizeof(cmd),
             "cd %s && /usr/bin/python3 -c \"\n"
             "import numpy as np\n"
             "alpha, num_expand = 3., %d\n"
             "def normed(a):\n"
             "    return a / np.maximum(np.linalg.norm(a, ord=2, axis=1, keepdims=True), 1e-9)\n"
             "big_npy = normed(np.fromfile('x', '<f4').reshape(-1, %d).astype(np.float64))\n"
             "def expand(v):\n"
             "    v = normed(v)\n"
             "    neighbor = np.argsort(-(v @ big_npy.T), axis=1, kind='stable')[:, :num_expand]\n"
             "    weight = np.power(np.einsum('nd,nmd->nm', v, big_npy[neighbor]), alpha)\n"
             "    e = np.sum(big_npy[neighbor] * np.expand_dims(weight, axis=2), axis=1)\n"
             "    return normed(e).astype('<f4')\n"
             "expand(big_npy).tofile('wx')\n"
             "expand(np.fromfile('q', '<f4').reshape(-1, %d).astype(np.float64)).tofile('wq')\n"
             "\"", dir, NE, D, D);
    assert_int_equal(system(cmd), 0);
    get(dir, "wx", wx, N * D);
    get(dir, "wq", wq, NQ * D);

    assert_int_equal(prep_alpha_expand(x, N, x, N, D, NE, 3.0, 64, 0, bx, NULL), 0);
    assert_int_equal(prep_alpha_expand(q, NQ, x, N, D, NE, 3.0, 64, 0, bq, NULL), 0);
    for (int i = 0; i < N * D; i++)
        assert_float_equal(bx[i], wx[i], 1e-5);
    for (int i = 0; i < NQ * D; i++)
        assert_float_equal(bq[i], wq[i], 1e-5);
    /* not vacuous: expansion moved the rows */
    assert_true(fabs(bq[0] - q[0]) > 1e-3 || fabs(bq[1] - q[1]) > 1e-3);

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    free(x), free(q), free(bx), free(bq), free(wx), free(wq);
}

static void test_kmeans(void **state)
{
    (void)state;
    enum { N = 500, D = 4, K = 10, P = 6 };
    float *x = random_rows(N, D, 21), c[K * D];
    /* six distinct points, six centroids: the points come back */
    const float pts[P * 3] = { 0, 0, 0,  10, 0, 0,  0, 10, 0,  0, 0, 10,  5, 5, 5,  -7, 3, 1 };
    float cp[P * 3];

    assert_int_equal(prep_kmeans_compress(x, N, D, K, PREP_KMEANS_NITER, 1, c), 0);
    for (int i = 0; i < K * D; i++)
        assert_true(isfinite(c[i]) && fabsf(c[i]) <= 1);

    assert_int_equal(prep_kmeans_compress(pts, P, 3, P, 10, 1, cp), 0);
    for (int i = 0; i < P; i++) {
        int found = 0;
        for (int j = 0; j < P; j++) {
            float d = 0;
            for (int k = 0; k < 3; k++)
                d += (pts[i * 3 + k] - cp[j * 3 + k]) * (pts[i * 3 + k] - cp[j * 3 + k]);
            found += d < 1e-8f;
        }
        assert_int_equal(found, 1);   /* each point exactly once: a bijection */
    }

    assert_int_equal(prep_kmeans_compress(pts, P, 3, P + 1, 10, 1, cp), -1);
    assert_int_equal(prep_kmeans_compress(pts, P, 3, 0, 10, 1, cp), -1);
    assert_int_equal(prep_kmeans_compress(pts, P, 3, 2, 0, 1, cp), -1);

    free(x);
}

static void test_shuffle(void **state)
{
    (void)state;
    enum { N = 1000, D = 3 };
    int64_t p[N], p2[N], ps[N];
    char seen[N] = { 0 };
    float x[N * D];

    prep_permutation(p, N, 42);
    for (int i = 0; i < N; i++) {
        assert_true(p[i] >= 0 && p[i] < N && !seen[p[i]]);
        seen[p[i]] = 1;
    }
    prep_permutation(p2, N, 42);
    assert_memory_equal(p, p2, sizeof(p));
    prep_permutation(p2, N, 43);
    assert_memory_not_equal(p, p2, sizeof(p));

    /* pinned, so every machine and build shuffles the same way */
    int64_t small[10];
    /* (an independent Python splitmix64 + Fisher-Yates gives the same) */
    const int64_t want[10] = { 0, 9, 5, 8, 6, 4, 7, 2, 1, 3 };
    prep_permutation(small, 10, 42);
    assert_memory_equal(small, want, sizeof(small));

    /* rows follow the same permutation: row i is original row perm[i] */
    for (int i = 0; i < N * D; i++)
        x[i] = (float)i;
    prep_shuffle_rows(x, N, D, 42, ps);
    assert_memory_equal(ps, p, sizeof(p));
    for (int i = 0; i < N; i++)
        for (int j = 0; j < D; j++)
            assert_true(x[i * D + j] == (float)(p[i] * D + j));
    prep_shuffle_rows(x, N, D, 42, NULL);   /* perm optional */

    /* ids answered in shuffled order map back to original rows */
    int64_t ids[] = { 0, 5, -1, N - 1 };
    prep_unshuffle_ids(ids, 4, p);
    assert_true(ids[0] == p[0] && ids[1] == p[5] && ids[2] == -1 && ids[3] == p[N - 1]);

    prep_permutation(p, 1, 42);
    assert_int_equal(p[0], 0);
    prep_shuffle_rows(x, 0, D, 42, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paper_case),
        cmocka_unit_test(test_negative_cosine),
        cmocka_unit_test(test_unit_rows_and_batching),
        cmocka_unit_test(test_alpha0_self),
        cmocka_unit_test(test_expand_errors),
        cmocka_unit_test(test_against_numpy),
        cmocka_unit_test(test_kmeans),
        cmocka_unit_test(test_shuffle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
