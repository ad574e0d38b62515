/*
 * test_backend.c - the faiss backend on small generated data: factory
 * errors, metrics, parameters, serialized size, exact k-NN.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "lib/backend.h"
#include "lib/util.h"

#define N 2000
#define D 32
#define NQ 50

static float *xb, *xq;

static float frand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((*s >> 40) & 0xffffff) / (float)0x1000000;
}

static int setup(void **state)
{
    uint64_t s = 42;
    (void)state;
    xb = malloc(sizeof(float) * N * D);
    xq = malloc(sizeof(float) * NQ * D);
    for (size_t i = 0; i < N * D; i++)
        xb[i] = frand(&s);
    for (size_t i = 0; i < NQ * D; i++)
        xq[i] = frand(&s);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(xb);
    free(xq);
    return 0;
}

static void test_bad_factory(void **state)
{
    struct fs_index *idx = (void *)1;
    char why[256] = "";
    (void)state;
    assert_int_equal(backend_create(&idx, "IVF16,Flaat", D, BACKEND_L2, why, sizeof(why)), -1);
    assert_null(idx);
    assert_true(strlen(why) > 0);
    /* PQ with m not dividing d */
    assert_int_equal(backend_create(&idx, "PQ7", D, BACKEND_L2, why, sizeof(why)), -1);
}

/* Factories the linked faiss refuses: a component that later releases
 * added (where this faiss really lacks it) is "unknown to faiss"; a typo,
 * a malformed parameter or a failure other than parsing stays an error. */
static void test_unknown_component(void **state)
{
    static const char *const later[][2] = {
        { "IVF16,RaBitQ", "RaBitQ" },       { "IVF16,FlatPanorama", "FlatPanorama" },
        { "PCA16,RaBitQ", "RaBitQ" },       { "IVF16,Flat,Refine(SQbf16)", "SQbf16" },
        { "IVF16,RaBitQfs", "RaBitQ" },
    };
    static const char *const errors[] = { "IVF16,Flaat", "Flaat", "PQ7", "IVF16,SQ9",
                                          "IVF16,Flat,", "IVF,Flat" };
    (void)state;
    for (size_t i = 0; i < sizeof(later) / sizeof(*later); i++) {
        struct fs_index *idx;
        char why[512] = "";
        if (!backend_create(&idx, later[i][0], D, BACKEND_L2, why, sizeof(why))) {
            backend_free(idx);   /* this faiss has it */
            continue;
        }
        assert_non_null(backend_unknown_component(later[i][0], D, BACKEND_L2, why));
        assert_string_equal(backend_unknown_component(later[i][0], D, BACKEND_L2, why),
                            later[i][1]);
    }
    for (size_t i = 0; i < sizeof(errors) / sizeof(*errors); i++) {
        struct fs_index *idx;
        char why[512] = "";
        assert_int_equal(backend_create(&idx, errors[i], D, BACKEND_L2, why, sizeof(why)), -1);
        assert_null(backend_unknown_component(errors[i], D, BACKEND_L2, why));
    }
    /* Only a parse failure can be an unknown component. */
    assert_null(backend_unknown_component("IVF16,RaBitQ", D, BACKEND_L2,
                                          "index metric 1 differs from the requested 0"));
}

/* Flat search equals the exact k-NN, under both metrics. */
static void test_flat_matches_exact(void **state)
{
    enum backend_metric ms[] = { BACKEND_L2, BACKEND_IP };
    (void)state;
    for (int m = 0; m < 2; m++) {
        struct fs_index *idx;
        char why[256];
        float D1[NQ * 5], D2[NQ * 5];
        int64_t I1[NQ * 5], I2[NQ * 5];
        assert_int_equal(backend_create(&idx, "Flat", D, ms[m], why, sizeof(why)), 0);
        assert_int_equal(backend_train(idx, N, xb), 0);
        assert_int_equal(backend_add(idx, N, xb), 0);
        assert_int_equal(backend_ntotal(idx), N);
        assert_int_equal(backend_search(idx, NQ, xq, 5, D1, I1), 0);
        assert_int_equal(backend_knn_exact(N, xb, NQ, xq, D, ms[m], 5, D2, I2), 0);
        assert_memory_equal(I1, I2, sizeof(I1));
        /* L2 ascending, IP descending: the metric really is the one asked */
        if (ms[m] == BACKEND_L2)
            assert_true(D1[0] <= D1[4]);
        else
            assert_true(D1[0] >= D1[4]);
        /* Flat has no nprobe; serialized size holds the raw vectors */
        assert_int_equal(backend_set_param(idx, "nprobe", 4), -1);
        assert_int_equal(backend_set_param(idx, "k_factor_rf", 2), -1);
        assert_int_equal(backend_nlist(idx), 0);
        assert_true(backend_serialized_size(idx) >= (int64_t)(N * D * sizeof(float)));
        backend_free(idx);
    }
}

static void test_ivf_params_and_stats(void **state)
{
    struct fs_index *idx;
    char why[256];
    float Dd[NQ * 10];
    int64_t I[NQ * 10], Ie[NQ * 10];
    float De[NQ * 10];
    struct backend_clock clock = { 0 }, *before = backend_clock_use(&clock);
    (void)state;
    assert_int_equal(backend_create(&idx, "IVF16,Flat", D, BACKEND_L2, why, sizeof(why)), 0);
    assert_int_equal(backend_train(idx, N, xb), 0);
    assert_int_equal(backend_add(idx, N, xb), 0);
    assert_int_equal(backend_nlist(idx), 16);
    assert_int_equal(backend_set_param(idx, "nprobe", 16), 0);
    backend_ivf_stats_reset();
    assert_int_equal(backend_search(idx, NQ, xq, 10, Dd, I), 0);
    /* nprobe = nlist scans every vector once per query */
    assert_float_equal(backend_ivf_ndis(), (double)N * NQ, 0.5);
    assert_int_equal(backend_knn_exact(N, xb, NQ, xq, D, BACKEND_L2, 10, De, Ie), 0);
    for (size_t i = 0; i < NQ * 10; i++)
        assert_float_equal(Dd[i], De[i], 1e-3);
    assert_int_equal(backend_set_param(idx, "k_factor_rf", 4), -1);
    assert_true(clock.seconds > 0);
    /* with the clock put back, calls no longer count on it */
    assert_ptr_equal(backend_clock_use(before), &clock);
    double spent = clock.seconds;
    assert_int_equal(backend_search(idx, NQ, xq, 10, Dd, I), 0);
    assert_true(clock.seconds == spent);
    backend_free(idx);
}

static void test_refine(void **state)
{
    struct fs_index *idx;
    char why[256];
    float Dd[NQ * 10];
    int64_t I[NQ * 10];
    (void)state;
    assert_int_equal(backend_create(&idx, "IVF16,PQ8x4fs,RFlat", D, BACKEND_L2, why, sizeof(why)), 0);
    assert_int_equal(backend_train(idx, N, xb), 0);
    assert_int_equal(backend_add(idx, N, xb), 0);
    assert_int_equal(backend_set_param(idx, "nprobe", 4), 0);
    assert_int_equal(backend_set_param(idx, "k_factor_rf", 4), 0);
    assert_int_equal(backend_search(idx, NQ, xq, 10, Dd, I), 0);
    for (size_t i = 0; i < NQ * 10; i++)
        assert_true(I[i] >= -1 && I[i] < N);
    backend_free(idx);
}

/* RVC writes IVF-Flat indexes; the vectors come back exactly, in id order. */
static void test_read_vectors(void **state)
{
    struct fs_index *idx;
    char why[256], path[] = "/tmp/fs-index-XXXXXX";
    float *x = NULL;
    size_t n, d;
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(backend_create(&idx, "IVF16,Flat", D, BACKEND_L2, why, sizeof(why)), 0);
    assert_int_equal(backend_train(idx, N, xb), 0);
    assert_int_equal(backend_add(idx, N, xb), 0);
    assert_int_equal(backend_write(idx, path), 0);
    backend_free(idx);
    assert_int_equal(backend_read_vectors(path, &x, &n, &d), 0);
    assert_int_equal(n, N);
    assert_int_equal(d, D);
    assert_memory_equal(x, xb, sizeof(float) * N * D);
    free(x);

    /* compressed vectors cannot be recovered: refused, not approximated */
    assert_int_equal(backend_create(&idx, "IVF16,PQ8", D, BACKEND_L2, why, sizeof(why)), 0);
    assert_int_equal(backend_train(idx, N, xb), 0);
    assert_int_equal(backend_write(idx, path), 0);
    backend_free(idx);
    assert_int_equal(backend_read_vectors(path, &x, &n, &d), -1);
    assert_null(x);
    /* not an index at all */
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "hello", 5), 5);
    close(fd);
    assert_int_equal(backend_read_vectors(path, &x, &n, &d), -1);
    unlink(path);
}

/* Two far-apart blobs: k-means with k = 2 finds one centroid in each. */
static void test_kmeans(void **state)
{
    float x[200 * 2], c[2 * 2];
    uint64_t s = 3;
    (void)state;
    for (size_t i = 0; i < 200; i++) {
        float off = i < 100 ? 0.0f : 100.0f;
        x[2 * i] = off + frand(&s);
        x[2 * i + 1] = off + frand(&s);
    }
    assert_int_equal(backend_kmeans(200, x, 2, 2, 20, 1234, c), 0);
    float lo = c[0] < c[2] ? c[0] : c[2], hi = c[0] < c[2] ? c[2] : c[0];
    assert_float_equal(lo, 0.5, 0.1);
    assert_float_equal(hi, 100.5, 0.1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_factory),
        cmocka_unit_test(test_unknown_component),
        cmocka_unit_test(test_flat_matches_exact),
        cmocka_unit_test(test_ivf_params_and_stats),
        cmocka_unit_test(test_refine),
        cmocka_unit_test(test_read_vectors),
        cmocka_unit_test(test_kmeans),
    };
    return cmocka_run_group_tests_name("backend", tests, setup, teardown);
}
