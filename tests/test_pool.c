/*
 * test_pool.c - pooling repeated runs on hand-made result sets: identical
 * points merge with the median and range of their times, disagreeing
 * quality or other facts keep them apart, columns missing in one file are
 * filled from another, one run per file, and the status filter.
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

#include "lib/util.h"
#include "out/pool.h"
#include "out/results.h"
#include "testutil.h"

static const struct col_def cols[] = {
    { "err", COL_F64, ROLE_QUALITY, "", "a deterministic error" },
    { "audio_s", COL_F64, ROLE_TIME, "s", "a time" },
    { "note", COL_F64, ROLE_SIZE, "", "neither compared nor pooled" },
};

/* A set with ks {1, 10} (or ks given), with or without the three cells. */
static void set_init(struct result_set *rs, int with_cells, const long *ks, size_t n_ks)
{
    static const long def[] = { 1, 10 };
    results_init(rs, ks ? ks : def, ks ? n_ks : 2);
    if (with_cells)
        assert_int_equal(results_add_columns(rs, cols, 3), 0);
}

/* A row of IVF<nlist>,Flat at nprobe with recall rec, qps, and cells. */
static void add(struct result_set *rs, long nlist, long nprobe, double rec, double qps,
                double err, double audio, const char *status)
{
    struct result_row r;
    results_row_init(rs, &r);
    snprintf(r.family, sizeof(r.family), "IVF{nlist},Flat");
    snprintf(r.factory, sizeof(r.factory), "IVF%ld,Flat", nlist);
    snprintf(r.metric, sizeof(r.metric), "l2");
    r.N = 1000;
    r.nlist = nlist;
    r.nprobe = nprobe;
    r.qps = qps;
    r.train_s = 1;
    r.prep_s = 0;
    r.index_bytes = 4096;
    for (size_t i = 0; i < rs->n_ks; i++)
        r.recall_at[i] = r.recall1_at[i] = rec;
    r.missing_ids = 0;
    if (rs->n_cols) {
        r.cells[0].f = err;
        r.cells[1].f = audio;
        r.cells[2].f = qps;   /* differs from run to run, but is no time: first run's */
    }
    snprintf(r.status, sizeof(r.status), "%s", status);
    results_add_row(rs, &r);
}

static double value(const struct pool *p, size_t point, const char *name, double *lo, double *hi)
{
    double v;
    assert_int_equal(pool_value(p, point, name, &v, lo, hi), 0);
    return v;
}

/* Three runs of the same two points: one point each, times the median,
 * their range kept, other columns the first run's. */
static void test_identical_points_merge(void **state)
{
    struct result_set s[3];
    struct pool_input in[3];
    struct pool p;
    double lo, hi;
    (void)state;
    for (int i = 0; i < 3; i++) {
        set_init(&s[i], 1, NULL, 0);
        add(&s[i], 16, 1, 0.5, 1000.0 * (i + 1), 0.25, 0.1 * (3 - i), "ok");
        add(&s[i], 16, 4, 0.9, 500.0 + i, 0.125, i == 1 ? NAN : 0.2, "ok");
        in[i] = (struct pool_input){ &s[i], "name=a d=128" };
    }
    assert_int_equal(pool_build(&p, in, 3, "ok"), 0);
    assert_int_equal(p.n_points, 2);
    assert_int_equal(p.points[0].n, 3);
    assert_true(p.points[0].inputs == 7);
    /* members in input order, the first is the kept row */
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(p.members[p.points[0].first + i].input, i);
    const struct result_set *from;
    assert_int_equal(pool_row(&p, 1, &from)->nprobe, 4);
    assert_ptr_equal(from, &s[0]);

    assert_float_equal(value(&p, 0, "qps", &lo, &hi), 2000, 0);
    assert_true(lo == 1000 && hi == 3000);
    assert_float_equal(value(&p, 0, "audio_s", &lo, &hi), 0.2, 1e-15);
    assert_float_equal(lo, 0.1, 1e-15);
    assert_float_equal(hi, 0.3, 1e-15);
    /* two finite runs: their mean; the NaN run is left out */
    assert_float_equal(value(&p, 1, "audio_s", &lo, &hi), 0.2, 1e-15);
    assert_true(lo == hi);
    /* quality, size, settings: the first run's value */
    assert_true(value(&p, 0, "err", &lo, &hi) == 0.25 && lo == 0.25 && hi == 0.25);
    assert_true(value(&p, 0, "note", NULL, NULL) == 1000);
    assert_true(value(&p, 0, "recall_at_10", NULL, NULL) == 0.5);
    assert_true(value(&p, 1, "nprobe", NULL, NULL) == 4);
    assert_int_equal(pool_value(&p, 0, "nope", &lo, NULL, NULL), -1);
    assert_true(isnan(lo));
    pool_release(&p);

    /* two runs: the median is their mean */
    assert_int_equal(pool_build(&p, in, 2, "ok"), 0);
    assert_float_equal(value(&p, 0, "qps", &lo, &hi), 1500, 0);
    pool_release(&p);
    for (int i = 0; i < 3; i++)
        results_release(&s[i]);
}

/* Quality that disagrees beyond 1e-6 relative, another setting, or other
 * facts of the file: not the same point. Within 1e-6 it is. */
static void test_disagreeing_points_stay_apart(void **state)
{
    struct result_set a, b;
    struct pool p;
    (void)state;
    set_init(&a, 1, NULL, 0);
    set_init(&b, 1, NULL, 0);
    add(&a, 16, 1, 0.5, 100, 0.25, 0.1, "ok");
    add(&b, 16, 1, 0.5, 100, 0.25 * (1 + 1e-3), 0.1, "ok");   /* err differs */
    add(&a, 16, 2, 0.5, 100, 0.25, 0.1, "ok");
    add(&b, 16, 2, 0.5 + 1e-4, 100, 0.25, 0.1, "ok");         /* recall differs */
    add(&a, 16, 4, 0.5, 100, 0.25, 0.1, "ok");
    add(&b, 16, 4, 0.5 * (1 + 1e-9), 100, 0.25, 0.1, "ok");   /* within 1e-6: same */
    add(&a, 16, 8, 0.5, 100, NAN, 0.1, "ok");
    add(&b, 16, 8, 0.5, 100, NAN, 0.2, "ok");                 /* NaN with NaN: same */
    add(&a, 16, 16, 0.5, 100, NAN, 0.1, "ok");
    add(&b, 16, 16, 0.5, 100, 0.25, 0.1, "ok");               /* NaN with a value: not */
    add(&a, 32, 1, 0.5, 100, 0.25, 0.1, "ok");
    add(&b, 64, 1, 0.5, 100, 0.25, 0.1, "ok");                /* another nlist */
    struct pool_input in[] = { { &a, "d=128" }, { &b, "d=128" } };
    assert_int_equal(pool_build(&p, in, 2, "ok"), 0);
    assert_int_equal(p.n_points, 10);
    size_t merged = 0;
    for (size_t i = 0; i < p.n_points; i++)
        merged += p.points[i].n == 2;
    assert_int_equal(merged, 2);
    assert_true(pool_row(&p, 3, NULL)->nprobe == 8 && p.points[3].n == 2);
    assert_true(pool_row(&p, 2, NULL)->nprobe == 4 && p.points[2].n == 2);
    pool_release(&p);

    /* other facts of the file (another study, another d): nothing merges */
    struct pool_input other[] = { { &a, "d=128" }, { &a, "d=256" } };
    assert_int_equal(pool_build(&p, other, 2, "ok"), 0);
    assert_int_equal(p.n_points, 2 * a.n_rows);
    pool_release(&p);
    results_release(&a);
    results_release(&b);
}

/* A file without some columns (an older schema, no measure, other ks):
 * those are not compared, and come from a file that has them. */
static void test_missing_columns_filled(void **state)
{
    static const long ks8[] = { 1, 8 };
    struct result_set old, now;
    struct pool p;
    double lo, hi;
    (void)state;
    set_init(&old, 0, ks8, 2);
    /* as read from a file of schema 1, without prep_s */
    struct run_column c[RESULTS_MAX_COLUMNS];
    size_t nc = results_columns(&old, c);
    for (size_t i = 0; i < nc; i++)
        if (!strcmp(c[i].name, "prep_s"))
            old.lacks |= UINT64_C(1) << c[i].generic;
    set_init(&now, 1, NULL, 0);
    add(&old, 16, 1, 0.5, 100, 0, 0, "ok");
    add(&now, 16, 1, 0.5, 300, 0.25, 0.1, "ok");
    struct pool_input in[] = { { &old, NULL }, { &now, NULL } };
    assert_int_equal(pool_build(&p, in, 2, "ok"), 0);
    assert_int_equal(p.n_points, 1);
    assert_int_equal(p.points[0].n, 2);
    /* the first run is the old file's, but it has no err: the second's */
    assert_true(value(&p, 0, "err", &lo, &hi) == 0.25);
    assert_true(value(&p, 0, "audio_s", &lo, &hi) == 0.1 && lo == 0.1 && hi == 0.1);
    /* prep_s: the old file lacked it */
    assert_true(value(&p, 0, "prep_s", NULL, NULL) == 0);
    /* recall at a k only one file has */
    assert_true(value(&p, 0, "recall_at_8", NULL, NULL) == 0.5);
    assert_true(value(&p, 0, "recall_at_10", NULL, NULL) == 0.5);
    assert_float_equal(value(&p, 0, "qps", &lo, &hi), 200, 0);
    pool_release(&p);
    results_release(&old);
    results_release(&now);
}

/* One run per file: a file repeating a point gives two points, and the
 * next file's runs join them in order. Without a status filter, the
 * status is part of the point. */
static void test_one_run_per_file(void **state)
{
    struct result_set a, b;
    struct pool p;
    (void)state;
    set_init(&a, 1, NULL, 0);
    set_init(&b, 1, NULL, 0);
    add(&a, 16, 1, 0.5, 100, 0.25, 0.1, "ok");
    add(&a, 16, 1, 0.5, 200, 0.25, 0.1, "ok");
    add(&a, 16, 2, 0.5, 100, 0.25, 0.1, "failed: search");
    add(&b, 16, 1, 0.5, 300, 0.25, 0.1, "ok");
    add(&b, 16, 2, 0.5, 100, 0.25, 0.1, "ok");
    struct pool_input in[] = { { &a, NULL }, { &b, NULL } };
    assert_int_equal(pool_build(&p, in, 2, "ok"), 0);
    assert_int_equal(p.n_points, 3);
    assert_int_equal(p.points[0].n, 2);      /* a's first row and b's */
    assert_true(p.points[0].inputs == 3);
    assert_int_equal(p.points[1].n, 1);      /* a's repeat */
    assert_float_equal(value(&p, 0, "qps", NULL, NULL), 200, 0);
    assert_int_equal(p.members[p.points[2].first].input, 1);   /* b's nprobe 2; a's failed */
    pool_release(&p);

    assert_int_equal(pool_build(&p, in, 2, NULL), 0);
    assert_int_equal(p.n_points, 4);         /* the failed row and the ok one differ */
    pool_release(&p);
    results_release(&a);
    results_release(&b);
}

static int build_too_many(void *arg)
{
    struct pool p;
    int rc = pool_build(&p, arg, POOL_MAX_INPUTS + 1, NULL);
    pool_release(&p);
    return rc;
}

static void test_too_many_inputs(void **state)
{
    struct result_set rs;
    struct pool_input in[POOL_MAX_INPUTS + 1];
    (void)state;
    set_init(&rs, 0, NULL, 0);
    for (size_t i = 0; i <= POOL_MAX_INPUTS; i++)
        in[i] = (struct pool_input){ &rs, NULL };
    assert_fails(build_too_many(in), "cannot pool 65 result files", NULL);
    results_release(&rs);
}

/* One run given twice is refused (issue 13, item 14): sets with the same
 * start_time and config_text (and data, machine) are one run; a different
 * start time, or sets without those attributes, are not. */
static void test_same_run(void **state)
{
    struct result_set a, b, c;
    long ks[] = { 10 };
    (void)state;
    results_init(&a, ks, 1);
    results_init(&b, ks, 1);
    results_init(&c, ks, 1);
    assert_int_equal(pool_same_run(&a, NULL, &b, NULL), 0);
    struct result_set *each[] = { &a, &b, &c };
    const struct result_set *sets[] = { &a, &b, &c };
    for (int i = 0; i < 3; i++) {
        results_attr_str(each[i], "start_time", i == 2 ? "2026-01-02T00:00:00Z" : "2026-01-01T00:00:00Z");
        results_attr_str(each[i], "config_text", "name: x\n");
        results_attr_str(each[i], "dataset_hash", "abc");
    }
    assert_int_equal(pool_same_run(&a, NULL, &b, NULL), 1);
    assert_int_equal(pool_same_run(&a, NULL, &c, NULL), 0);
    const char *paths[] = { "a.h5", "b.h5", "c.h5" };
    assert_fails(pool_check_distinct(sets, paths, 3), "'a.h5' and 'b.h5' are the same run",
                 "give each run once");
    assert_int_equal(pool_check_distinct(sets + 1, paths + 1, 2), 0);
    /* pool_build refuses it too */
    struct pool p;
    struct pool_input in[] = { { &a, "x" }, { &b, "x" } };
    assert_fails(pool_build(&p, in, 2, "ok"), "inputs 1 and 2 are the same run", NULL);
    pool_release(&p);
    /* another data set: another run */
    results_attr_str(&b, "dataset_hash", "def");
    assert_int_equal(pool_same_run(&a, NULL, &b, NULL), 0);
    results_release(&a);
    results_release(&b);
    results_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_run),
        cmocka_unit_test(test_identical_points_merge),
        cmocka_unit_test(test_disagreeing_points_stay_apart),
        cmocka_unit_test(test_missing_columns_filled),
        cmocka_unit_test(test_one_run_per_file),
        cmocka_unit_test(test_too_many_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
