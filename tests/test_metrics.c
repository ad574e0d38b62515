/*
 * test_metrics.c - recall and percentile arithmetic on hand-made cases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include "lib/metrics.h"

/* Two queries, ground truth 4 wide. */
static float gt_D[] = { 1, 2, 3, 4,      /* q0: no ties */
                        1, 2, 2, 2 };    /* q1: ranks 2..4 tied */
static int64_t gt_I[] = { 10, 11, 12, 13,
                          20, 21, 22, 23 };
static struct ground_truth gt = { .nq = 2, .k = 4, .D = gt_D, .I = gt_I };

static void test_perfect_recall(void **state)
{
    (void)state;
    int64_t I[] = { 10, 11, 20, 21 };
    double r, r1;
    recall_at(&gt, I, 2, 2, &r, &r1);
    assert_float_equal(r, 1.0, 1e-12);
    assert_float_equal(r1, 1.0, 1e-12);
}

static void test_ties_count_as_hits(void **state)
{
    (void)state;
    /* q1 returns 20 and 23: 23 is tied with the 2nd true distance, so a hit.
     * q0 returns 10 and 12: 12 is 3rd, not tied, so a miss. */
    int64_t I[] = { 10, 12, 20, 23 };
    double r, r1;
    recall_at(&gt, I, 2, 2, &r, &r1);
    assert_float_equal(r, (0.5 + 1.0) / 2, 1e-12);
    assert_float_equal(r1, 1.0, 1e-12);
}

static void test_missing_ids_are_misses(void **state)
{
    (void)state;
    /* stride 3 (k_max) while measuring k = 2 */
    int64_t I[] = { -1, 10, 11,
                    -1, -1, -1 };
    double r, r1;
    recall_at(&gt, I, 3, 2, &r, &r1);
    assert_float_equal(r, (0.5 + 0.0) / 2, 1e-12);
    assert_float_equal(r1, 0.5, 1e-12);
    assert_int_equal(count_missing(I, 2, 3, 2), 3);
    assert_int_equal(count_missing(I, 2, 3, 3), 4);
}

static void test_recall1_needs_the_nearest(void **state)
{
    (void)state;
    int64_t I[] = { 11, 12, 21, 22 };
    double r, r1;
    recall_at(&gt, I, 2, 2, &r, &r1);
    assert_float_equal(r1, 0.0, 1e-12);
    /* q0: 11 is in the true top 2; q1: 21 and 22 (22 tied with rank 2) */
    assert_float_equal(r, (0.5 + 1.0) / 2, 1e-12);
}

static void test_tie_with_nearest(void **state)
{
    (void)state;
    float D[] = { 5, 5, 7 };
    int64_t Ig[] = { 1, 2, 3 };
    struct ground_truth g = { .nq = 1, .k = 3, .D = D, .I = Ig };
    int64_t I[] = { 2 };
    double r, r1;
    recall_at(&g, I, 1, 1, &r, &r1);
    assert_float_equal(r, 1.0, 1e-12);
    assert_float_equal(r1, 1.0, 1e-12);
}

static void test_percentiles(void **state)
{
    (void)state;
    double v[] = { 5, 1, 4, 2, 3 };
    assert_float_equal(percentile(v, 5, 50), 3.0, 1e-12);
    assert_float_equal(percentile(v, 5, 0), 1.0, 1e-12);
    assert_float_equal(percentile(v, 5, 100), 5.0, 1e-12);
    /* numpy.percentile([1,2,3,4,5], 95) == 4.8 */
    assert_float_equal(percentile(v, 5, 95), 4.8, 1e-12);
    double w[] = { 10, 20 };
    assert_float_equal(percentile(w, 2, 99), 19.9, 1e-12);
    double one[] = { 7 };
    assert_float_equal(percentile(one, 1, 99), 7.0, 1e-12);
    assert_true(isnan(percentile(v, 0, 50)));
    assert_float_equal(mean(v, 5), 3.0, 1e-12);
}

/* Ten equal base rows and a query equal to them: every row is a true
 * nearest neighbour, though the ground truth stores only three. With the
 * base and queries at hand, recall checks the rows it did not store. */
static void test_ties_beyond_stored_depth(void **state)
{
    float x[12 * 2], q[2] = { 1, 2 };
    float D[3] = { 0, 0, 0 };
    int64_t I[3] = { 0, 1, 2 };
    int64_t got[2] = { 7, 9 }, far[2] = { 7, 11 };
    double r, r1;
    (void)state;
    for (int i = 0; i < 12; i++) {
        x[2 * i] = i < 10 ? 1 : 5;
        x[2 * i + 1] = i < 10 ? 2 : 5;
    }
    struct ground_truth gt = { .nq = 1, .k = 3, .D = D, .I = I };
    recall_at(&gt, got, 2, 2, &r, &r1);
    assert_float_equal(r, 0, 0);          /* without the oracle: only stored ids count */
    gt.x = x;
    gt.q = q;
    gt.n = 12;
    gt.d = 2;
    recall_at(&gt, got, 2, 2, &r, &r1);
    assert_float_equal(r, 1, 0);
    assert_float_equal(r1, 1, 0);
    recall_at(&gt, far, 2, 2, &r, &r1);   /* row 11 is far: a miss */
    assert_float_equal(r, 0.5, 0);
    /* A tie that ends inside the stored columns needs no oracle: row 9 is
     * not tied once the third stored distance is larger. */
    D[2] = 3;
    recall_at(&gt, got, 2, 2, &r, &r1);
    assert_float_equal(r, 0, 0);
    /* Similarities (ip): larger is nearer; q.x = 5 for rows 0-9. */
    float Ds[3] = { 5, 5, 5 };
    gt.D = Ds;
    gt.ip = 1;
    recall_at(&gt, got, 2, 2, &r, &r1);
    assert_float_equal(r, 1, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perfect_recall),
        cmocka_unit_test(test_ties_count_as_hits),
        cmocka_unit_test(test_missing_ids_are_misses),
        cmocka_unit_test(test_recall1_needs_the_nearest),
        cmocka_unit_test(test_tie_with_nearest),
        cmocka_unit_test(test_ties_beyond_stored_depth),
        cmocka_unit_test(test_percentiles),
    };
    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
