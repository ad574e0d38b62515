/*
 * test_search.c - the pieces of timing one search setting: the calibration
 * arithmetic, the budget, the round-robin order, and on a small Flat index
 * (generated data) calibration, a repetition and the answer it leaves, a
 * latency round, how many queries are timed, that no call changes
 * faiss's thread count behind the caller's back, and which index kinds
 * answer a search for k with the first k of a deeper search.
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

/* The exact answer of the Flat index for the fixture's queries. */
static void assert_exact(const struct fixture *f, const float *Dd)
{
    float De[NQ * K];
    int64_t Ie[NQ * K];
    assert_int_equal(backend_knn_exact(N, f->xb, NQ, f->xq, D, BACKEND_L2, K, De, Ie), 0);
    for (size_t i = 0; i < NQ * K; i++)
        assert_float_equal(Dd[i], De[i], 1e-4);
}

/* Calibration arithmetic: aim at 1.2 x min_time from the rate seen, at
 * least one call more, at most 10 times as many, never past the cap. */
static void test_calls_next(void **state)
{
    (void)state;
    assert_int_equal(search_calls_next(1, 0.1, 0.2), 3);       /* ceil(2.4) */
    assert_int_equal(search_calls_next(4, 0.1, 0.2), 10);      /* ceil(9.6) */
    assert_int_equal(search_calls_next(1, 0.001, 0.2), 10);    /* 240 wanted, 10x cap */
    assert_int_equal(search_calls_next(1, 0, 0.2), 10);        /* too fast to see */
    assert_int_equal(search_calls_next(5, 0.199, 0.2), 7);     /* ceil(6.03) */
    assert_int_equal(search_calls_next(5, 0.25, 0.2), 6);      /* never fewer: one more */
    assert_int_equal(search_calls_next(SEARCH_MAX_CALLS - 1, 1e-9, 0.2), SEARCH_MAX_CALLS);
    assert_int_equal(search_calls_next(SEARCH_MAX_CALLS, 1e-9, 0.2), SEARCH_MAX_CALLS);
}

/* The budget: as many as fit, one at least, never more than wanted. */
static void test_budget(void **state)
{
    (void)state;
    assert_int_equal(search_budget(0.2, 5, 10), 5);
    assert_int_equal(search_budget(3, 5, 10), 3);
    assert_int_equal(search_budget(20, 5, 10), 1);    /* a slow point: timed once */
    assert_int_equal(search_budget(2.5, 5, 10), 4);
    assert_int_equal(search_budget(0, 5, 10), 5);
    assert_int_equal(search_budget(1, 0, 10), 1);
}

/* The interleaving order: points of 3, 1 and 2 repetitions over 3 rounds
 * are visited p0 | p0 p2 | p0 p1 p2: round-robin, each point's repetitions
 * the last of the rounds, so every point repeats in the final round. */
static void test_visits(void **state)
{
    const int reps[] = { 3, 1, 2 };
    int order[16], n = 0;
    const int want[] = { 0, 0, 2, 0, 1, 2 };
    (void)state;
    for (int r = 0; r < 3; r++)
        for (int p = 0; p < 3; p++)
            if (search_visits(reps[p], 3, r))
                order[n++] = p;
    assert_int_equal(n, 6);
    for (int i = 0; i < n; i++)
        assert_int_equal(order[i], want[i]);
    assert_false(search_visits(1, 3, 3));    /* past the last round */
    assert_false(search_visits(0, 3, 2));    /* a point without repetitions */
}

/* Calibration on a real index: the calibrating run lasted min_time, the
 * repetitions fit the budget, the answer is exact, threads untouched. */
static void test_calibrate(void **state)
{
    struct fixture *f = *state;
    struct measure_spec ms = { .repeats = 5, .warmup = 1, .min_time = 0.02, .max_time = 10 };
    struct batch_plan bp;
    float Dd[NQ * K];
    int64_t I[NQ * K];
    double t;

    backend_set_threads(2);
    assert_int_equal(search_calibrate(f->idx, f->xq, NQ, K, &ms, Dd, I, &bp), 0);
    assert_int_equal(backend_threads(), 2);
    assert_true(bp.calls >= 1);
    assert_true(bp.rep_s >= ms.min_time);
    assert_int_equal(bp.reps, 5);
    assert_true(bp.ndis_per_query == 0);   /* Flat: no inverted lists */
    assert_exact(f, Dd);
    /* A repetition of those calls: timed, the answer left in D. */
    memset(Dd, 0, sizeof(Dd));
    assert_int_equal(search_repetition(f->idx, f->xq, NQ, K, bp.calls, Dd, I, &t), 0);
    assert_true(t > 0);
    assert_exact(f, Dd);
    /* One call already long enough: one call; a budget for one repetition. */
    ms.min_time = 1e-9;
    ms.max_time = 1e-9;
    assert_int_equal(search_calibrate(f->idx, f->xq, NQ, K, &ms, Dd, I, &bp), 0);
    assert_int_equal(bp.calls, 1);
    assert_int_equal(bp.reps, 1);
    /* No warm-up: the calibration still runs and answers. */
    ms.warmup = 0;
    ms.min_time = 0.01;
    ms.max_time = 10;
    assert_int_equal(search_calibrate(f->idx, f->xq, NQ, K, &ms, Dd, I, &bp), 0);
    assert_true(bp.rep_s >= ms.min_time);
    assert_exact(f, Dd);
    backend_set_threads(0);
}

/* Latency rounds: as many queries as asked (all for -1, none for 0), each
 * timed, the thread count untouched (one, as the run sets it). */
static void test_latency(void **state)
{
    struct fixture *f = *state;
    struct measure_spec ms = { .repeats = 1, .latency_queries = 25 };
    double us[NQ];

    assert_int_equal(search_latency_queries(&ms, NQ), 25);
    ms.latency_queries = -1;
    assert_int_equal(search_latency_queries(&ms, NQ), NQ);
    ms.latency_queries = 10 * NQ;   /* more than there are: all */
    assert_int_equal(search_latency_queries(&ms, NQ), NQ);
    ms.latency_queries = 0;
    assert_int_equal(search_latency_queries(&ms, NQ), 0);
    backend_set_threads(1);
    for (size_t i = 0; i < NQ; i++)
        us[i] = -1;
    assert_int_equal(search_latency_round(f->idx, f->xq, 25, D, K, us), 0);
    assert_int_equal(backend_threads(), 1);
    for (size_t i = 0; i < 25; i++)
        assert_true(us[i] > 0);
    assert_true(us[25] == -1);
    assert_int_equal(search_latency_round(f->idx, f->xq, 0, D, K, us), 0);
    backend_set_threads(0);
}

/* The rule, component by component. */
static void test_prefix_rule(void **state)
{
    static const char *const exact[] = {
        "Flat", "IVF980,Flat", "IVF64,SQ8", "IVF64,SQfp16", "IVF64,PQ16", "IVF64,PQ16x8",
        "PCA64,IVF64,Flat", "OPQ16_64,IVF64,PQ16", "L2norm,Flat", "PCAR32,Flat",
    };
    static const char *const not_exact[] = {
        "IVF980,PQ196x4fs,RFlat", "IVF64,PQ16,RFlat", "IVF64,PQ8+16", "HNSW32", "IVF64,PQ16x4fs",
        "IVF64_HNSW32,Flat", "Refine(Flat)", "LSH", "IVF,Flat", "PQ", "Flatx", "",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(exact) / sizeof(*exact); i++)
        assert_true(search_prefix_exact(exact[i]));
    for (size_t i = 0; i < sizeof(not_exact) / sizeof(*not_exact); i++)
        assert_false(search_prefix_exact(not_exact[i]));
}

/* The first k ids of a search for K and a search for k, query by query:
 * the number of queries whose ids differ where the distances do not tie. */
static size_t prefix_mismatches(struct fs_index *idx, const float *xq, size_t k)
{
    float Dd[NQ * K], Dk[NQ * K];
    int64_t Id[NQ * K], Ik[NQ * K];
    size_t bad = 0;
    assert_int_equal(backend_search(idx, NQ, xq, K, Dd, Id), 0);
    assert_int_equal(backend_search(idx, NQ, xq, k, Dk, Ik), 0);
    for (size_t q = 0; q < NQ; q++) {
        int differs = 0;
        for (size_t j = 0; j < k; j++)
            differs |= Id[q * K + j] != Ik[q * k + j] && Dd[q * K + j] != Dk[q * k + j];
        bad += differs;
    }
    return bad;
}

/* What the rule claims, on real indexes: every kind it calls exact answers
 * k = 1..K-1 as the prefix of K; a re-ranking stage does not (k_factor 1
 * re-ranks k candidates, so the top of K re-ranked differs from the top 1). */
static void test_prefix_answers(void **state)
{
    static const char *const kinds[] = {
        "Flat", "IVF16,Flat", "IVF16,SQ8", "IVF16,PQ4x4", "PCA8,IVF16,Flat",
    };
    struct fixture *f = *state;
    struct fs_index *idx;
    char why[256];

    for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
        assert_true(search_prefix_exact(kinds[i]));
        assert_int_equal(backend_create(&idx, kinds[i], D, BACKEND_L2, why, sizeof(why)), 0);
        assert_int_equal(backend_train(idx, N, f->xb), 0);
        assert_int_equal(backend_add(idx, N, f->xb), 0);
        if (strncmp(kinds[i], "Flat", 4))
            assert_int_equal(backend_set_param(idx, "nprobe", 4), 0);
        for (size_t k = 1; k < K; k++)
            assert_int_equal(prefix_mismatches(idx, f->xq, k), 0);
        backend_free(idx);
    }
    assert_false(search_prefix_exact("IVF16,PQ4x4,RFlat"));
    assert_int_equal(backend_create(&idx, "IVF16,PQ4x4,RFlat", D, BACKEND_L2, why, sizeof(why)), 0);
    assert_int_equal(backend_train(idx, N, f->xb), 0);
    assert_int_equal(backend_add(idx, N, f->xb), 0);
    assert_int_equal(backend_set_param(idx, "nprobe", 4), 0);
    assert_int_equal(backend_set_param(idx, "k_factor_rf", 1), 0);
    assert_true(prefix_mismatches(idx, f->xq, 1) > 0);
    backend_free(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calls_next),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_visits),
        cmocka_unit_test(test_calibrate),
        cmocka_unit_test(test_latency),
        cmocka_unit_test(test_prefix_rule),
        cmocka_unit_test(test_prefix_answers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
