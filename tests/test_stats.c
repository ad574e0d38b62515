/*
 * test_stats.c - median, IQR, CV and the bootstrap interval of the median
 * on hand-made samples, against values worked out by hand (numpy's linear
 * percentiles), and the input left in its order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "lib/stats.h"

static void test_median_iqr(void **state)
{
    double odd[] = { 5, 1, 4, 2, 3 }, even[] = { 4, 1, 3, 2 };
    (void)state;
    assert_float_equal(stats_median(odd, 5), 3, 1e-12);
    assert_float_equal(stats_median(even, 4), 2.5, 1e-12);
    /* numpy: percentile([1..5], 75) - percentile(.., 25) = 4 - 2 */
    assert_float_equal(stats_iqr(odd, 5), 2, 1e-12);
    /* [1,2,3,4]: 3.25 - 1.75 */
    assert_float_equal(stats_iqr(even, 4), 1.5, 1e-12);
    assert_true(odd[0] == 5 && odd[1] == 1 && even[0] == 4);   /* not reordered */
    assert_true(isnan(stats_median(odd, 0)));
    assert_true(isnan(stats_iqr(odd, 1)));
}

static void test_cv(void **state)
{
    double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 }, same[] = { 3, 3, 3 }, zero[] = { -1, 1 };
    (void)state;
    /* mean 5, sample variance 32 / 7 */
    assert_float_equal(stats_cv(v, 8), sqrt(32.0 / 7) / 5, 1e-12);
    assert_float_equal(stats_cv(same, 3), 0, 1e-12);
    assert_true(isnan(stats_cv(v, 1)));
    assert_true(isnan(stats_cv(zero, 2)));    /* mean 0 */
}

/* The interval holds the median, lies within the samples, is the same for
 * the same seed, shrinks to a point for equal samples, and is wider for a
 * spread-out sample than for a tight one. */
static void test_interval(void **state)
{
    double tight[] = { 100, 101, 99, 100, 100.5 }, wide[] = { 100, 130, 70, 110, 90 };
    double same[] = { 7, 7, 7, 7 }, lo, hi, lo2, hi2, wlo, whi;
    (void)state;
    stats_median_interval(tight, 5, 0.95, 2000, 42, &lo, &hi);
    assert_true(lo <= 100 && 100 <= hi && lo >= 99 && hi <= 101);
    stats_median_interval(tight, 5, 0.95, 2000, 42, &lo2, &hi2);
    assert_true(lo == lo2 && hi == hi2);
    stats_median_interval(wide, 5, 0.95, 2000, 42, &wlo, &whi);
    assert_true(whi - wlo > hi - lo);
    assert_true(wlo >= 70 && whi <= 130);
    stats_median_interval(same, 4, 0.95, 500, 1, &lo, &hi);
    assert_float_equal(lo, 7, 1e-12);
    assert_float_equal(hi, 7, 1e-12);
    stats_median_interval(same, 1, 0.95, 500, 1, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_iqr),
        cmocka_unit_test(test_cv),
        cmocka_unit_test(test_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
