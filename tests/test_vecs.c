/*
 * test_vecs.c - the row table (io/vecs.c): growing and shrinking it,
 * releasing tables and clip lists, and the row operations: NaN/Inf counts,
 * normalisation, zero rows (also in a mapped .npy table) and duplicates.
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

#include "io/npy.h"
#include "io/vecs.h"
#include "lib/util.h"
#include "testutil.h"

static void test_reserve_shrink_release(void **state)
{
    (void)state;
    struct vecs v;
    struct clips c;
    size_t cap = 0;
    memset(&v, 0, sizeof(v));
    vecs_release(&v);                   /* a zeroed table: nothing to free */
    v.d = 3;
    for (size_t i = 0; i < 5000; i++) {
        vecs_reserve(&v, &cap, (v.n + 1) * v.d);
        for (size_t j = 0; j < 3; j++)
            v.x[v.n * 3 + j] = (float)(i * 3 + j);
        v.n++;
    }
    assert_true(cap >= 15000 && cap % 4096 == 0);
    vecs_shrink(&v);
    for (size_t i = 0; i < 15000; i++)
        assert_true(v.x[i] == (float)i);
    vecs_release(&v);
    assert_null(v.x);
    assert_int_equal(v.n, 0);

    memset(&c, 0, sizeof(c));
    clips_release(&c);
    c.n = 2;
    c.names = xcalloc(2, sizeof(*c.names));
    c.names[0] = xstrdup("a.npy");
    c.names[1] = xstrdup("b.npy");
    c.first = xcalloc(3, sizeof(*c.first));
    clips_release(&c);
    assert_int_equal(c.n, 0);
    assert_null(c.names);
    assert_null(c.first);
}

static void test_nonfinite_and_normalize(void **state)
{
    (void)state;
    float x[12] = { 3, 4, 0, 0, 0, 0, 1e-9f, 0, 0, NAN, 1, 1 };
    struct vecs v = { .x = x, .n = 4, .d = 3 };
    size_t first = 99;
    assert_int_equal(vecs_count_nonfinite(&v, &first), 1);
    assert_int_equal(first, 3);
    v.n = 3;
    first = 99;
    assert_int_equal(vecs_count_nonfinite(&v, &first), 0);
    assert_int_equal(first, 99);
    x[1] = INFINITY;
    assert_int_equal(vecs_count_nonfinite(&v, NULL), 1);
    x[1] = 4;

    /* Rows: (3,4,0) -> (0.6,0.8,0); zero row stays; tiny row scaled by 1/eps. */
    assert_int_equal(vecs_normalize(&v, 1e-6f), 2);
    assert_float_equal(x[0], 0.6f, 1e-7);
    assert_float_equal(x[1], 0.8f, 1e-7);
    assert_true(x[2] == 0);
    assert_true(x[3] == 0 && x[4] == 0 && x[5] == 0);
    assert_float_equal(x[6], 1e-3f, 1e-9);

    /* Norm computed in double: large values do not overflow float. */
    float big[2] = { 3e30f, 4e30f };
    struct vecs b = { .x = big, .n = 1, .d = 2 };
    assert_int_equal(vecs_normalize(&b, 1e-6f), 0);
    assert_float_equal(big[0], 0.6f, 1e-6);
    assert_float_equal(big[1], 0.8f, 1e-6);
}

static void test_zero_rows_and_duplicates(void **state)
{
    (void)state;
    /* rows: (3,4), zero, dup of row 0, (1e-9, 0) (near zero), (0,-0), dup of row 0 */
    const float rows[12] = { 3, 4, 0, 0, 3, 4, 1e-9f, 0, 0, -0.0f, 3, 4 };
    struct vecs v = { .n = 6, .d = 2 };
    v.x = xmalloc(sizeof(rows));
    memcpy(v.x, rows, sizeof(rows));
    assert_true(vecs_row_norm(v.x, 2) == 5);
    /* (0,-0) is not bitwise equal to (0,0): one duplicate fewer */
    assert_int_equal(vecs_count_duplicates(&v), 2);
    assert_int_equal(vecs_count_zero_rows(&v, 1e-6f), 3);
    assert_int_equal(vecs_count_zero_rows(&v, 1e-12f), 2);
    assert_int_equal(vecs_drop_zero_rows(&v, 1e-6f), 3);
    assert_int_equal(v.n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_true(v.x[2 * i] == 3 && v.x[2 * i + 1] == 4);
    assert_int_equal(vecs_count_duplicates(&v), 2);
    assert_int_equal(vecs_drop_zero_rows(&v, 1e-6f), 0);
    vecs_release(&v);
}

static void test_drop_zero_rows_mapped(void **state)
{
    (void)state;
    float x[4 * 2] = { 1, 0, 0, 0, 0, 2, 0, 0 };
    struct vecs v;
    assert_int_equal(npy_write_f32(tmp("z.npy"), x, 4, 2), 0);
    assert_int_equal(load_npy(&v, tmp("z.npy"), 0), 0);
    assert_int_equal(vecs_count_zero_rows(&v, 1e-6f), 2);
    assert_int_equal(vecs_drop_zero_rows(&v, 1e-6f), 2);
    assert_int_equal(v.n, 2);
    assert_true(v.x[0] == 1 && v.x[1] == 0 && v.x[2] == 0 && v.x[3] == 2);
    vecs_release(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserve_shrink_release),
        cmocka_unit_test(test_nonfinite_and_normalize),
        cmocka_unit_test(test_zero_rows_and_duplicates),
        cmocka_unit_test(test_drop_zero_rows_mapped),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
