/*
 * test_groundtruth.c - exact neighbours and their disk cache: a second call
 * reads the cache, a narrower request is served from a wider cache, another
 * content hash or a damaged file is recomputed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/groundtruth.h"
#include "lib/util.h"

#define NB 500
#define DIM 8
#define NQ 20

static void test_cache(void **state)
{
    char dir[] = "/tmp/fs-gt-XXXXXX";
    float xb[NB * DIM], xq[NQ * DIM];
    struct ground_truth a, b, c;
    int cached;
    uint64_t s = 1;
    (void)state;

    for (size_t i = 0; i < NB * DIM; i++)
        xb[i] = (float)((s = s * 6364136223846793005ULL + 1) >> 40) / 16777216.0f;
    for (size_t i = 0; i < NQ * DIM; i++)
        xq[i] = (float)((s = s * 6364136223846793005ULL + 1) >> 40) / 16777216.0f;
    assert_non_null(mkdtemp(dir));

    assert_int_equal(groundtruth_get(&a, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 10, 99, dir, &cached), 0);
    assert_false(cached);
    assert_int_equal(a.k, 10);
    /* distances ascending, ids valid */
    for (size_t q = 0; q < NQ; q++)
        for (size_t j = 1; j < 10; j++)
            assert_true(a.D[q * 10 + j - 1] <= a.D[q * 10 + j]);

    assert_int_equal(groundtruth_get(&b, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 10, 99, dir, &cached), 0);
    assert_true(cached);
    assert_memory_equal(a.I, b.I, sizeof(int64_t) * NQ * 10);
    assert_memory_equal(a.D, b.D, sizeof(float) * NQ * 10);
    ground_truth_release(&b);

    /* narrower: first columns of the cached rows */
    assert_int_equal(groundtruth_get(&c, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 3, 99, dir, &cached), 0);
    assert_true(cached);
    assert_int_equal(c.k, 3);
    for (size_t q = 0; q < NQ; q++)
        assert_memory_equal(c.I + q * 3, a.I + q * 10, 3 * sizeof(int64_t));
    ground_truth_release(&c);

    /* another content hash: not from the cache */
    assert_int_equal(groundtruth_get(&c, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 10, 100, dir, &cached), 0);
    assert_false(cached);
    ground_truth_release(&c);

    /* another metric: its own file, and different neighbours */
    assert_int_equal(groundtruth_get(&c, xb, NB, xq, NQ, DIM, BACKEND_IP, "ip", 10, 99, dir, &cached), 0);
    assert_false(cached);
    assert_true(memcmp(a.I, c.I, sizeof(int64_t) * NQ * 10) != 0);
    ground_truth_release(&c);

    /* damaged cache: recomputed, same answer */
    char *path = xasprintf("%s/gt-%016x-l2.bin", dir, 99);
    assert_int_equal(truncate(path, 100), 0);
    assert_int_equal(groundtruth_get(&c, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 10, 99, dir, &cached), 0);
    assert_false(cached);
    assert_memory_equal(a.I, c.I, sizeof(int64_t) * NQ * 10);
    ground_truth_release(&c);
    ground_truth_release(&a);

    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache),
    };
    return cmocka_run_group_tests_name("groundtruth", tests, NULL, NULL);
}
