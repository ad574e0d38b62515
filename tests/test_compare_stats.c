/*
 * test_compare_stats.c - the statistics of `faiss-sweep compare` on
 * hand-made samples: Mann-Whitney exact (with ties) and normal, the
 * smallest attainable p, the ratio interval and the recall tolerance.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>

#include "out/compare_stats.h"

static void test_exact_separated(void **state)
{
    double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 };
    (void)state;
    /* Two of the 252 splits are as extreme: 2/252. */
    assert_true(fabs(cmp_mann_whitney(a, 5, b, 5) - 2.0 / 252) < 1e-12);
    assert_true(fabs(cmp_mann_whitney(b, 5, a, 5) - 2.0 / 252) < 1e-12);
    /* 3 a side: the most extreme split is 2 of 20. */
    assert_true(fabs(cmp_mann_whitney(a, 3, b, 3) - 0.1) < 1e-12);
}

static void test_exact_ties(void **state)
{
    double a[] = { 1, 1, 2, 2, 3 }, b[] = { 2, 3, 3, 4, 4, 5 };
    (void)state;
    /* By enumerating the 462 splits of the midranks (python itertools). */
    assert_true(fabs(cmp_mann_whitney(a, 5, b, 6) - 0.02813852813852814) < 1e-12);
    double same[] = { 7, 7, 7 };
    assert_true(cmp_mann_whitney(same, 3, same, 3) == 1.0);
    assert_true(isnan(cmp_mann_whitney(a, 0, b, 6)));
}

static void test_normal(void **state)
{
    double a[40], b[40];
    (void)state;
    for (int i = 0; i < 40; i++) {
        a[i] = i;
        b[i] = i + 10.5;
    }
    /* 80 > CMP_EXACT_MAX: normal approximation with continuity correction. */
    assert_true(fabs(cmp_mann_whitney(a, 40, b, 40) - 0.00045250348643015396) < 1e-9);
}

static void test_min_p(void **state)
{
    (void)state;
    assert_true(fabs(cmp_min_p(5, 5) - 2.0 / 252) < 1e-12);
    assert_true(fabs(cmp_min_p(4, 4) - 2.0 / 70) < 1e-12);
    assert_true(fabs(cmp_min_p(3, 3) - 0.1) < 1e-12);
    assert_true(cmp_min_p(1, 1) == 1.0);
}

static void test_ratio_interval(void **state)
{
    double a[] = { 100, 102, 98, 101, 99 }, b[5], lo, hi, lo2, hi2;
    (void)state;
    for (int i = 0; i < 5; i++)
        b[i] = 0.8 * a[i];
    cmp_ratio_interval(a, 5, b, 5, 0.95, 2000, 7, &lo, &hi);
    assert_true(lo <= 0.8 && hi >= 0.8 && lo > 0.75 && hi < 0.85);
    cmp_ratio_interval(a, 5, b, 5, 0.95, 2000, 7, &lo2, &hi2);
    assert_true(lo == lo2 && hi == hi2);   /* seeded: the same everywhere */
    cmp_ratio_interval(a, 1, b, 5, 0.95, 2000, 7, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
}

static void test_recall_tol(void **state)
{
    (void)state;
    assert_true(fabs(cmp_recall_tol(0.9, 1000, 0.005) - 2 * sqrt(0.09 / 1000)) < 1e-12);
    assert_true(cmp_recall_tol(0.99, 100000, 0.005) == 0.005);
    assert_true(cmp_recall_tol(1.0, 10, 0.005) == 0.005);
    assert_true(cmp_recall_tol(0.5, 0, 0.005) == 0.005);
    assert_true(cmp_recall_tol(NAN, 100, 0.02) == 0.02);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_separated), cmocka_unit_test(test_exact_ties),
        cmocka_unit_test(test_normal),          cmocka_unit_test(test_min_p),
        cmocka_unit_test(test_ratio_interval),  cmocka_unit_test(test_recall_tol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
