/*
 * test_search.c - timing one search setting on a small Flat index
 * (generated data): batch throughput and the answer it leaves, single-query
 * latency and its percentiles, how many queries are timed, and that
 * neither call changes faiss's thread count behind the caller's back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/search.h"
#include "lib/backend.h"
#include "lib/rng.h"
#include "lib/util.h"
#include "testutil.h"

#define N 1000
#define D 16
#define NQ 40
#define K 5

struct fixture {
    float *xb, *xq;
    struct fs_index *idx;
};

static int setup(void **state)
{
    static struct fixture f;
    char why[256];
    f.xb = random_rows(N, D, 1);
    f.xq = random_rows(NQ, D, 2);
    if (backend_create(&f.idx, "Flat", D, BACKEND_L2, why, sizeof(why)) ||
        backend_add(f.idx, N, f.xb))
        return -1;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    backend_free(f->idx);
    free(f->xb);
    free(f->xq);
    return 0;
}

/* Batch: a positive rate, the exact answer of a Flat index in D and I, and
 * the thread count left as the caller set it. */
static void test_batch(void **state)
{
    struct fixture *f = *state;
    struct measure_spec ms = { .repeats = 3, .warmup = 1, .latency_queries = 0 };
    struct search_stats st;
    float Dd[NQ * K], De[NQ * K];
    int64_t I[NQ * K], Ie[NQ * K];

    memset(&st, 0, sizeof(st));
    backend_set_threads(2);
    assert_int_equal(search_batch(f->idx, f->xq, NQ, K, &ms, Dd, I, &st), 0);
    assert_int_equal(backend_threads(), 2);
    assert_true(st.qps > 0);
    assert_true(st.ndis_per_query == 0);   /* Flat: no inverted lists */
    assert_int_equal(backend_knn_exact(N, f->xb, NQ, f->xq, D, BACKEND_L2, K, De, Ie), 0);
    for (size_t i = 0; i < NQ * K; i++)
        assert_float_equal(Dd[i], De[i], 1e-4);
}

/* Single queries: as many as asked (all for -1, none for 0), percentiles
 * in order, the thread count untouched (one, as the run sets it). */
static void test_latency(void **state)
{
    struct fixture *f = *state;
    struct measure_spec ms = { .repeats = 1, .warmup = 0, .latency_queries = 25 };
    struct search_stats st;

    memset(&st, 0, sizeof(st));
    backend_set_threads(1);
    assert_int_equal(search_latency(f->idx, f->xq, NQ, D, K, &ms, &st), 0);
    assert_int_equal(backend_threads(), 1);
    assert_int_equal(st.latency_queries, 25);
    assert_true(st.lat_mean_us > 0);
    assert_true(st.lat_p50_us > 0 && st.lat_p50_us <= st.lat_p95_us &&
                st.lat_p95_us <= st.lat_p99_us);
    ms.latency_queries = -1;
    assert_int_equal(search_latency(f->idx, f->xq, NQ, D, K, &ms, &st), 0);
    assert_int_equal(st.latency_queries, NQ);
    ms.latency_queries = 10 * NQ;   /* more than there are: all */
    assert_int_equal(search_latency(f->idx, f->xq, NQ, D, K, &ms, &st), 0);
    assert_int_equal(st.latency_queries, NQ);
    ms.latency_queries = 0;
    assert_int_equal(search_latency(f->idx, f->xq, NQ, D, K, &ms, &st), 0);
    assert_int_equal(st.latency_queries, 0);
    assert_true(isnan(st.lat_mean_us) && isnan(st.lat_p50_us) && isnan(st.lat_p99_us));
    backend_set_threads(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_latency),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
