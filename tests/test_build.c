/*
 * test_build.c - building one index on generated data: a Flat and an IVF
 * index get their stats (seconds, serialized bytes, RSS growth), adding in
 * batches gives the same index as one call, a quantizer cache makes the
 * second IVF build of the same centroids reuse them (and say so in its
 * stats), and a factory faiss refuses is one error line naming it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/build.h"
#include "core/quantizers.h"
#include "lib/backend.h"
#include "lib/rng.h"
#include "lib/util.h"
#include "testutil.h"

#define N 2000
#define D 16
#define NQ 20

static void test_flat(void **state)
{
    float *xb = random_rows(N, D, 1);
    struct fs_index *idx = NULL;
    struct build_stats bs;
    (void)state;
    assert_int_equal(build_index(&idx, "Flat", BACKEND_L2, xb, N, 0, D, 0, NULL, &bs), 0);
    assert_non_null(idx);
    assert_int_equal(backend_ntotal(idx), N);
    assert_true(bs.train_s >= 0 && bs.add_s >= 0);
    assert_true(bs.index_bytes >= (int64_t)(N * D * sizeof(float)));
    assert_int_equal(bs.index_bytes, backend_serialized_size(idx));
    assert_true(bs.rss_delta_bytes >= 0);
    backend_free(idx);
    free(xb);
}

/* IVF: trained, filled in one call or in batches of 333 rows (the last one
 * short): the same size and the same answers. */
static void test_ivf_batches(void **state)
{
    float *xb = random_rows(N, D, 2), *xq = random_rows(NQ, D, 3);
    struct fs_index *one = NULL, *many = NULL;
    struct build_stats a, b;
    float Da[NQ * 5], Db[NQ * 5];
    int64_t Ia[NQ * 5], Ib[NQ * 5];
    (void)state;
    backend_set_threads(1);   /* k-means the same both times */
    assert_int_equal(build_index(&one, "IVF16,Flat", BACKEND_L2, xb, N, 0, D, 0, NULL, &a), 0);
    assert_int_equal(build_index(&many, "IVF16,Flat", BACKEND_L2, xb, N, 0, D, 333, NULL, &b), 0);
    backend_set_threads(0);
    assert_int_equal(backend_nlist(one), 16);
    assert_int_equal(backend_ntotal(many), N);
    assert_true(a.train_s > 0 && b.train_s > 0);
    assert_int_equal(a.index_bytes, b.index_bytes);
    assert_int_equal(backend_set_param(one, "nprobe", 4), 0);
    assert_int_equal(backend_set_param(many, "nprobe", 4), 0);
    assert_int_equal(backend_search(one, NQ, xq, 5, Da, Ia), 0);
    assert_int_equal(backend_search(many, NQ, xq, 5, Db, Ib), 0);
    assert_memory_equal(Ia, Ib, sizeof(Ia));
    backend_free(one);
    backend_free(many);
    free(xb);
    free(xq);
}

/* With a quantizer cache: the first IVF build trains its centroids and
 * keeps what that cost; the second takes them, and its train_s is only its
 * own training while train_reused_s carries the first cost. Flat has no
 * coarse quantizer: never reused. */
static void test_ivf_cache(void **state)
{
    float *xb = random_rows(N, D, 5);
    struct quantizer_cache qc;
    struct fs_index *idx = NULL;
    struct build_stats a, b, f;
    (void)state;
    quantizer_cache_init(&qc, NULL);
    assert_int_equal(build_index(&idx, "IVF16,Flat", BACKEND_L2, xb, N, 0, D, 0, &qc, &a), 0);
    backend_free(idx);
    assert_int_equal(build_index(&idx, "IVF16,SQ8", BACKEND_L2, xb, N, 0, D, 0, &qc, &b), 0);
    backend_free(idx);
    assert_int_equal(build_index(&idx, "Flat", BACKEND_L2, xb, N, 0, D, 0, &qc, &f), 0);
    backend_free(idx);
    assert_int_equal(a.quantizer_reused, 0);
    assert_true(a.train_reused_s == 0 && a.train_s >= qc.e[0].train_s);
    assert_int_equal(b.quantizer_reused, 1);
    assert_true(b.train_reused_s == qc.e[0].train_s && b.train_s >= 0);
    assert_int_equal(f.quantizer_reused, 0);
    assert_true(f.train_reused_s == 0);
    assert_int_equal(qc.n, 1);
    quantizer_cache_release(&qc);
    free(xb);
}

static int build_bad(void *arg)
{
    struct fs_index *idx = (struct fs_index *)1;
    struct build_stats bs;
    int rc = build_index(&idx, "IVF16,Flaat", BACKEND_L2, arg, N, 0, D, 0, NULL, &bs);
    assert_null(idx);
    return rc;
}

static void test_bad_factory(void **state)
{
    float *xb = random_rows(N, D, 4);
    (void)state;
    assert_fails(build_bad(xb), "cannot create 'IVF16,Flaat'", NULL);
    free(xb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat),
        cmocka_unit_test(test_ivf_batches),
        cmocka_unit_test(test_ivf_cache),
        cmocka_unit_test(test_bad_factory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
