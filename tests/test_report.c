/*
 * test_report.c - the findings report on hand-made rows: each claim's rule
 * gives supported, not supported or depends on N where the numbers say so,
 * with the deciding numbers in its cells; the recommended default is the
 * fastest point at today's blend error; and the whole report, from two
 * results files, has every section, verdict, plot and a pasteable factory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rvc/measure.h"
#include "rvc/report.h"
#include "out/results.h"
#include "lib/util.h"
#include "testutil.h"

#ifndef FS_SOURCE_DIR
#error "FS_SOURCE_DIR must name the source root (CMake defines it)"
#endif

/* Set RVC's column `name` of row r (a row of rs, or one for it); nothing
 * when rs has no such column. */
static void put(const struct result_set *rs, struct result_row *r, const char *name, double v)
{
    int c = results_cell(rs, name);
    if (c < 0)
        return;
    if (rs->cols[c].type == COL_I64)
        r->cells[c].i = (int64_t)v;
    else
        r->cells[c].f = v;
}

/* A /blend row of rs: the blend of /runs row run_row at index_rate. */
static void add_blend(struct result_set *rs, int64_t run_row, double rate, double err_mean,
                      double err_p95, double ir_unit)
{
    union result_cell c[5];
    c[0].i = run_row;
    c[1].f = rate;
    c[2].f = err_mean;
    c[3].f = err_p95;
    c[4].f = ir_unit;
    results_table_append(results_table(rs, "blend"), c);
}

/* A point of family "<label>[ <prep>]": blend error err, batch seconds per
 * second of audio t (single-query time 3t), index size MiB. */
static void row(struct result_set *rs, const char *label, const char *prep, const char *factory,
                const char *metric, long N, long nlist, long nprobe, long kf, double err, double t,
                double mb)
{
    struct result_row r;
    memset(&r, 0, sizeof(r));
    snprintf(r.family, sizeof(r.family), "%s%s%s", label, *prep ? " " : "", prep);
    snprintf(r.factory, sizeof(r.factory), "%s", factory);
    snprintf(r.metric, sizeof(r.metric), "%s", metric);
    snprintf(r.preprocess, sizeof(r.preprocess), "%s", prep);
    const char *km = strstr(prep, "kmeans=");
    r.n_clusters = km ? atol(km + 7) : 0;
    r.N = N;
    r.nlist = nlist;
    r.nprobe = nprobe;
    r.k_factor = kf;
    r.train_s = 0.25;
    r.add_s = 0.05;
    r.qps = 50 / t;
    r.lat_mean_us = r.lat_p50_us = r.lat_p95_us = r.lat_p99_us = 3 * t / 50 * 1e6;
    r.index_bytes = (int64_t)(mb * 1024 * 1024);
    r.ndis_per_query = NAN;
    r.recall_at[0] = r.recall1_at[0] = km ? NAN : 1 - err;
    r.recall_at[1] = r.recall1_at[1] = km ? NAN : 1 - err / 2;
    put(rs, &r, "blend_err_mean", err);
    put(rs, &r, "blend_err_p95", 2 * err);
    put(rs, &r, "blend_cos_mean", 1 - err);
    put(rs, &r, "audio_s_batch", t);
    put(rs, &r, "audio_s_single", 3 * t);
    put(rs, &r, "blend_ir_unit", 0.002);     /* tolerance 5 x 0.002 = 0.01 */
    put(rs, &r, "audio_s_qexpand", NAN);
    snprintf(r.status, sizeof(r.status), "ok");
    results_add_row(rs, &r);
}

/* A study's set: ks 1 and 8, RVC's columns (but `without`, when given: a
 * file from before that column) and /blend. */
static void set_init_without(struct result_set *rs, const char *name, long d, const char *without)
{
    static const long ks[] = { 1, 8 };
    results_init(rs, ks, 2);
    for (size_t i = 0; i < rvc_measure_n_cols; i++)
        if (!without || strcmp(rvc_measure_cols[i].name, without))
            assert_true(results_add_columns(rs, &rvc_measure_cols[i], 1) >= 0);
    assert_non_null(results_table_add(rs, "blend", rvc_blend_cols, rvc_blend_n_cols));
    results_attr_str(rs, "name", name);
    results_attr_int(rs, "d", d);
    results_attr_int(rs, "N", 30000);
    results_attr_int(rs, "nq", 3000);
    results_attr_str(rs, "dataset_base", "/data/speech-cs/target-m/3_feature256");
    results_attr_str(rs, "faiss_version", "1.7.3");
    results_attr_str(rs, "start_time", "2026-01-01T00:00:00Z");
}

static void set_init(struct result_set *rs, const char *name, long d)
{
    set_init_without(rs, name, d, NULL);
}

/*
 * The study at d = 256, N = 10000 and 30000, built so that:
 * C1 depends on N (2023-04 better at 10k, worse at 30k), C2 supported,
 * C3 supported, C4 supported (nlist 400 = 4 sqrt(10000) is fastest at the
 * default's error), C5 time proportional but nprobe 1 not enough, C6
 * supported, C7 not supported, C8 supported. A skipped row with tempting
 * numbers must be ignored.
 */
static void study(struct result_set *rs)
{
    set_init(rs, "rvc-doc-256", 256);
    /* C1 */
    row(rs, "C1 rvc-2023-04", "shuffle", "IVF256,Flat", "l2", 10000, 256, 5, 0, 0.02, 2e-3, 10);
    row(rs, "C1 rvc-default", "shuffle", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 1e-3, 10);
    row(rs, "C1 rvc-2023-04", "shuffle", "IVF769,Flat", "l2", 30000, 769, 7, 0, 0.06, 3e-3, 30);
    row(rs, "C1 rvc-default", "shuffle", "IVF769,Flat", "l2", 30000, 769, 1, 0, 0.05, 1e-3, 30);
    /* C2 */
    row(rs, "C2 IVF-Flat l2 vs cosine", "", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 1e-3, 10);
    row(rs, "C2 IVF-Flat l2 vs cosine", "", "IVF256,Flat", "cosine", 10000, 256, 1, 0, 0.04, 1e-3, 10);
    row(rs, "C2 IVF-Flat l2 vs cosine", "", "IVF256,Flat", "l2", 10000, 256, 4, 0, 0.02, 3e-3, 10);
    row(rs, "C2 IVF-Flat l2 vs cosine", "", "IVF256,Flat", "cosine", 10000, 256, 4, 0, 0.01, 3e-3, 10);
    /* C3 */
    row(rs, "C3 IVF1024,PQ{d/2}x4fs,RFlat", "", "IVF1024,PQ128x4fs,RFlat", "l2", 10000, 1024, 4, 4,
        0.04, 0.3e-3, 12);
    row(rs, "C3 IVF1024,PQ{d/2}x4fs,RFlat", "", "IVF1024,PQ128x4fs,RFlat", "l2", 10000, 1024, 1, 1,
        0.2, 0.1e-3, 12);
    /* C4 */
    row(rs, "C4 IVF-Flat nlist sqrt", "", "IVF400,Flat", "l2", 10000, 400, 4, 0, 0.03, 0.4e-3, 10);
    row(rs, "C4 IVF-Flat nlist sqrt", "", "IVF1600,Flat", "l2", 10000, 1600, 4, 0, 0.04, 0.6e-3, 11);
    /* C5: time exactly proportional to nprobe; error at nprobe 1 is 5x the best */
    row(rs, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 1e-3, 10);
    row(rs, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 2, 0, 0.03, 2e-3, 10);
    row(rs, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 4, 0, 0.02, 4e-3, 10);
    row(rs, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 8, 0, 0.01, 8e-3, 10);
    /* C6 */
    row(rs, "C6 PQ4fs+RFlat k_factor", "", "IVF400,PQ128x4fs,RFlat", "l2", 10000, 400, 8, 1, 0.05,
        0.5e-3, 12);
    row(rs, "C6 PQ4fs+RFlat k_factor", "", "IVF400,PQ128x4fs,RFlat", "l2", 10000, 400, 8, 2, 0.03,
        0.6e-3, 12);
    row(rs, "C6 PQ4fs+RFlat k_factor", "", "IVF400,PQ128x4fs,RFlat", "l2", 10000, 400, 8, 4, 0.032,
        0.8e-3, 12);
    /* C7: expansion moves the blend away from the original query's neighbours */
    row(rs, "C7 query expansion", "qe=queries:a3:n4", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.2,
        1e-3, 10);
    /* C8: k-means to 2000: error 0.06 <= 0.05 + tolerance 0.01, faster and smaller */
    row(rs, "C8 k-means", "", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 1e-3, 10);
    row(rs, "C8 k-means", "kmeans=2000", "IVF51,Flat", "l2", 10000, 51, 1, 0, 0.06, 0.5e-3, 2);
    /* not ok: ignored everywhere */
    struct result_row bad = rs->rows[0];
    snprintf(bad.status, sizeof(bad.status), "failed: test");
    put(rs, &bad, "blend_err_mean", 0);
    put(rs, &bad, "audio_s_batch", 1e-9);
    results_add_row(rs, &bad);
}

static void rows_of(const struct result_set *rs, struct rep_rows *rr)
{
    memset(rr, 0, sizeof(*rr));
    rep_rows_add(rr, rs, 0);
}

static int setup(void **state)
{
    (void)state;
    return tmpdir_make("report");
}

/* FS_KEEP_TMP=1 keeps the folder (and its report) for a look. */
static int teardown(void **state)
{
    (void)state;
    if (getenv("FS_KEEP_TMP")) {
        fprintf(stderr, "kept %s\n", tmpdir);
        return 0;
    }
    return rm_tree(tmpdir);
}

static void test_rows(void **state)
{
    struct result_set rs;
    struct rep_rows rr;
    (void)state;
    study(&rs);
    rows_of(&rs, &rr);
    assert_int_equal(rr.n, rs.n_rows - 1);          /* the failed row left out */
    assert_string_equal(rr.v[1].label, "C1 rvc-default");   /* " shuffle" stripped */
    assert_int_equal(rr.v[1].claim, 1);
    assert_int_equal(rr.v[1].d, 256);
    assert_int_equal(rr.v[1].k8, 8);
    assert_float_equal(rr.v[1].recall8, 1 - 0.05 / 2, 1e-12);
    assert_float_equal(rr.v[1].recall1, 1 - 0.05, 1e-12);
    rep_rows_release(&rr);
    results_release(&rs);
}

static void test_c1_depends_on_n(void **state)
{
    struct result_set rs;
    struct rep_rows rr;
    struct finding f;
    (void)state;
    study(&rs);
    rows_of(&rs, &rr);
    finding_init(&f);
    report_c1(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_DEPENDS_ON_N);
    assert_int_equal(f.n_cells, 2);
    assert_int_equal(f.cells[0].N, 10000);
    assert_int_equal(f.cells[0].outcome, 1);
    assert_float_equal(f.cells[0].v[0], 0.02, 1e-12);
    assert_float_equal(f.cells[0].v[1], 0.05, 1e-12);
    assert_float_equal(f.cells[0].v[2], 2.0, 1e-9);     /* 2023-04 costs 2x */
    assert_int_equal(f.cells[1].outcome, 0);
    assert_float_equal(f.cells[1].v[2], 3.0, 1e-9);
    assert_non_null(strstr(f.cells[1].why, "0.06"));
    assert_int_equal(f.n_rows, 4);

    /* Same outcome at both N: one verdict. */
    put(&rs, &rs.rows[2], "blend_err_mean", 0.01);
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    report_c1(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_SUPPORTED);
    finding_release(&f);
    rep_rows_release(&rr);
    results_release(&rs);
}

static void test_c2(void **state)
{
    struct result_set rs;
    struct rep_rows rr;
    struct finding f;
    (void)state;
    study(&rs);
    rows_of(&rs, &rr);
    finding_init(&f);
    report_c2(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_SUPPORTED);
    assert_int_equal(f.n_cells, 1);
    assert_float_equal(f.cells[0].v[0], 2, 0);      /* matched settings */
    assert_float_equal(f.cells[0].v[1], 2, 0);      /* cosine lower in both */
    assert_float_equal(f.cells[0].v[2], 0.8, 1e-9); /* worst ratio 0.04/0.05 */
    /* One setting where cosine is worse: not supported. */
    put(&rs, &rs.rows[7], "blend_err_mean", 0.03);
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    report_c2(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_NOT_SUPPORTED);
    assert_float_equal(f.cells[0].v[1], 1, 0);
    finding_release(&f);
    rep_rows_release(&rr);
    results_release(&rs);
}

static void test_c3(void **state)
{
    struct result_set rs;
    struct rep_rows rr;
    struct finding f;
    (void)state;
    study(&rs);
    rows_of(&rs, &rr);
    finding_init(&f);
    report_c3(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_SUPPORTED);
    /* baseline: the C5 nprobe-1 IVF-Flat row (0.05 at 1 ms/s); witness 0.04 at 0.3 */
    assert_float_equal(f.cells[0].v[0], 0.05, 1e-12);
    assert_float_equal(f.cells[0].v[1], 1e-3, 1e-12);
    assert_float_equal(f.cells[0].v[2], 0.04, 1e-12);
    assert_float_equal(f.cells[0].v[3], 0.3e-3, 1e-12);
    /* Made slower than IVF-Flat: not supported, the most faithful C3 shown. */
    put(&rs, &rs.rows[8], "audio_s_batch", 2e-3);
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    report_c3(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_NOT_SUPPORTED);
    assert_float_equal(f.cells[0].v[3], 2e-3, 1e-12);
    assert_non_null(strstr(f.cells[0].why, "no C3 point"));
    finding_release(&f);
    rep_rows_release(&rr);
    results_release(&rs);
}

static void test_c4(void **state)
{
    struct result_set rs;
    struct rep_rows rr;
    struct finding f;
    (void)state;
    study(&rs);
    rows_of(&rs, &rr);
    finding_init(&f);
    report_c4(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_SUPPORTED);
    assert_float_equal(f.cells[0].v[0], 400, 0);
    assert_float_equal(f.cells[0].v[1], 400, 1e-9);
    assert_float_equal(f.cells[0].v[2], 1600, 1e-9);
    /* The N//39 point (C5 nprobe 2, nlist 256) made the fastest: out of range. */
    put(&rs, &rs.rows[13], "audio_s_batch", 0.1e-3);
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    report_c4(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_NOT_SUPPORTED);
    assert_float_equal(f.cells[0].v[0], 256, 0);
    finding_release(&f);
    rep_rows_release(&rr);
    results_release(&rs);
}

static void test_c5(void **state)
{
    struct result_set rs;
    struct rep_rows rr;
    struct finding t, n;
    const double x[] = { 1, 2, 4, 8 }, y[] = { 3, 12, 48, 192 }, one[] = { 4, 4 };
    (void)state;
    assert_float_equal(loglog_slope(x, y, 4), 2.0, 1e-12);
    assert_true(isnan(loglog_slope(one, y, 2)));
    study(&rs);
    rows_of(&rs, &rr);
    finding_init(&t);
    finding_init(&n);
    report_c5(&rr, &t, &n);
    assert_int_equal(t.verdict, VERDICT_SUPPORTED);
    assert_float_equal(t.cells[0].v[0], 1.0, 1e-9);
    assert_float_equal(t.cells[0].v[1], 4, 0);
    assert_int_equal(n.verdict, VERDICT_NOT_SUPPORTED);
    assert_float_equal(n.cells[0].v[0], 0.05, 1e-12);
    assert_float_equal(n.cells[0].v[1], 0.01, 1e-12);   /* 5 x blend_ir_unit */
    assert_float_equal(n.cells[0].v[2], 8, 0);          /* smallest nprobe within it */
    assert_float_equal(n.cells[0].v[3], 8, 1e-9);       /* its time / nprobe 1's */
    assert_non_null(strstr(n.cells[0].why, "moving index_rate by 0.25"));
    /* A coarser yardstick (f moves more per step of index_rate): enough. */
    put(&rs, &rs.rows[12], "blend_ir_unit", 0.01);
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    report_c5(&rr, &t, &n);
    assert_int_equal(n.verdict, VERDICT_SUPPORTED);
    assert_float_equal(n.cells[0].v[1], 0.05, 1e-12);
    assert_float_equal(n.cells[0].v[2], 1, 0);
    /* A file from before blend_ir_unit: no tolerance, not decided. */
    put(&rs, &rs.rows[12], "blend_ir_unit", NAN);
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    report_c5(&rr, &t, &n);
    assert_int_equal(n.verdict, VERDICT_UNDECIDED);
    assert_non_null(strstr(n.cells[0].why, "no blend_ir_unit"));
    finding_release(&t);
    finding_release(&n);
    rep_rows_release(&rr);
    results_release(&rs);
}

static void test_c6(void **state)
{
    struct result_set rs;
    struct rep_rows rr;
    struct finding f;
    (void)state;
    study(&rs);
    rows_of(&rs, &rr);
    finding_init(&f);
    report_c6(&rr, &f);
    /* 0.03 -> 0.032 at k_factor 4 is a rise of 0.002: within 0.005 */
    assert_int_equal(f.verdict, VERDICT_SUPPORTED);
    assert_float_equal(f.cells[0].v[1], 0.002, 1e-9);
    assert_float_equal(f.cells[0].v[2], 1, 0);
    assert_float_equal(f.cells[0].v[3], 4, 0);
    put(&rs, &rs.rows[18], "blend_err_mean", 0.04);
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    report_c6(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_NOT_SUPPORTED);
    assert_float_equal(f.cells[0].v[1], 0.01, 1e-9);
    finding_release(&f);
    rep_rows_release(&rr);
    results_release(&rs);
}

static void test_c7_c8(void **state)
{
    struct result_set rs;
    struct rep_rows rr;
    struct finding f;
    (void)state;
    study(&rs);
    rows_of(&rs, &rr);
    finding_init(&f);
    report_c7(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_NOT_SUPPORTED);
    assert_string_equal(f.cells[0].what, "qe=queries:a3:n4");
    assert_float_equal(f.cells[0].v[0], 0.2, 1e-12);
    assert_float_equal(f.cells[0].v[1], 0.05, 1e-12);   /* the C5 row at nprobe 1 */
    assert_non_null(strstr(f.cells[0].why, "C5 IVF-Flat nprobe"));
    assert_true(isnan(f.cells[0].v[2]));   /* expansion of the queries not timed */
    /* Timed: 2 ms of expansion per second of audio on top of 1 ms of search. */
    put(&rs, &rs.rows[19], "audio_s_qexpand", 2e-3);
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    report_c7(&rr, &f);
    assert_float_equal(f.cells[0].v[2], 3, 1e-9);
    assert_non_null(strstr(f.cells[0].why, "query expansion 2 of 3 ms/s"));

    report_c8(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_SUPPORTED);
    assert_string_equal(f.cells[0].what, "kmeans=2000");
    assert_float_equal(f.cells[0].v[0], 0.06, 1e-12);
    assert_float_equal(f.cells[0].v[1], 0.05, 1e-12);   /* the C8 row without k-means */
    assert_float_equal(f.cells[0].v[2], 0.5, 1e-9);
    assert_float_equal(f.cells[0].v[3], 0.2, 1e-6);
    /* Error beyond the tolerance: not supported. */
    put(&rs, &rs.rows[21], "blend_err_mean", 0.08);
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    report_c8(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_NOT_SUPPORTED);
    finding_release(&f);
    rep_rows_release(&rr);
    results_release(&rs);
}

static void test_recommend(void **state)
{
    struct result_set rs;
    struct rep_rows rr;
    long def = -2;
    (void)state;
    study(&rs);
    rows_of(&rs, &rr);
    /* At or below 0.05: C3 nprobe 4 k_factor 4 at 0.3 ms/s is the fastest;
     * C3 nprobe 1 (0.1 ms/s, error 0.2) is too unfaithful. */
    long b = report_recommend(&rr, 256, 10000, &def);
    assert_true(b >= 0);
    assert_string_equal(rr.v[def].label, "C1 rvc-default");
    assert_string_equal(rr.v[b].r.factory, "IVF1024,PQ128x4fs,RFlat");
    assert_int_equal(rr.v[b].r.k_factor, 4);
    /* No default at this d: no recommendation. */
    assert_int_equal(report_recommend(&rr, 768, 10000, &def), -1);
    assert_int_equal(def, -1);
    rep_rows_release(&rr);
    results_release(&rs);
}

/* Nothing of a claim: not measured. */
static void test_not_measured(void **state)
{
    struct result_set rs;
    struct rep_rows rr;
    struct finding f;
    (void)state;
    set_init(&rs, "empty", 256);
    row(&rs, "IVF{nlist},Flat", "", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 1e-3, 10);
    rows_of(&rs, &rr);
    finding_init(&f);
    report_c3(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_NOT_MEASURED);
    assert_string_equal(verdict_name(f.verdict), "not measured in these files");
    /* C1 with only today's default: rows, but nothing to compare. */
    row(&rs, "C1 rvc-default", "shuffle", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 1e-3, 10);
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    report_c1(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_UNDECIDED);
    finding_release(&f);
    rep_rows_release(&rr);
    results_release(&rs);
}

static int is_png(const char *path)
{
    size_t len = 0;
    char *buf = read_file(path, &len);
    int ok = buf && len > 8 && !memcmp(buf, "\x89PNG\r\n\x1a\n", 8);
    free(buf);
    return ok;
}

/* Every "](img/....png)" of the Markdown exists and is a PNG; returns how many. */
static int check_images(const char *md, const char *dir)
{
    int n = 0;
    for (const char *p = strstr(md, "](img/"); p; p = strstr(p + 1, "](img/")) {
        const char *end = strchr(p, ')');
        assert_non_null(end);
        char *path = xasprintf("%s/%.*s", dir, (int)(end - p - 2), p + 2);
        assert_true(is_png(path));
        free(path);
        n++;
    }
    return n;
}

/* Writes the report of paths into dir; returns its Markdown (free it). */
static char *report_md(const char *const *paths, size_t n, const char *dir, const char *cmd)
{
    assert_int_equal(report_write(paths, n, dir, FS_SOURCE_DIR "/plots", cmd), 0);
    char *path = xasprintf("%s/rvc-findings.md", dir);
    char *md = read_file(path, NULL);
    free(path);
    assert_non_null(md);
    return md;
}

static void test_report_files(void **state)
{
    struct result_set a, b;
    char *pa = xasprintf("%s/rvc-doc-256.h5", tmpdir), *pb = xasprintf("%s/rvc-doc-768.h5", tmpdir);
    char *out = xasprintf("%s/docs", tmpdir), *out2 = xasprintf("%s/only768", tmpdir);
    const char *paths[] = { pa, pb };
    (void)state;

    study(&a);
    set_init(&b, "rvc-doc-768", 768);
    row(&b, "C1 rvc-2023-04", "shuffle", "IVF256,Flat", "l2", 10000, 256, 5, 0, 0.03, 2e-3, 30);
    row(&b, "C1 rvc-default", "shuffle", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.07, 1e-3, 30);
    /* the index_rate axis for the first C1 row */
    add_blend(&a, 0, 0.75, 0.02, 0.04, 0.002);
    add_blend(&a, 0, 0.25, 0.007, 0.014, 0.0019);
    assert_int_equal(results_write(&a, pa), 0);
    assert_int_equal(results_write(&b, pb), 0);

    char *md = report_md(paths, 2, out, "faiss-sweep report a.h5 b.h5 -o docs");
    assert_non_null(strstr(md, "faiss-sweep report a.h5 b.h5 -o docs"));
    assert_non_null(strstr(md, "rvc-doc-256"));             /* both files' attributes */
    assert_non_null(strstr(md, "rvc-doc-768"));
    assert_non_null(strstr(md, "| faiss_version | 1.7.3 | 1.7.3 |"));
    for (int id = 1; id <= 8; id++) {
        char h[16];
        snprintf(h, sizeof(h), "## C%d: ", id);
        assert_non_null(strstr(md, h));
    }
    /* C1 at d = 768 is supported too: still depends on N (30k not supported). */
    assert_non_null(strstr(md, "**Verdict: depends on N**"));
    assert_non_null(strstr(md, "- d = 768, N = 10000, l2: **supported**"));
    assert_non_null(strstr(md, "**Verdict: supported**"));
    assert_non_null(strstr(md, "**Verdict: not supported**"));
    assert_non_null(strstr(md, "**Verdict (nprobe 1 is enough): not supported**"));
    assert_non_null(strstr(md, "not whether voices sound better"));
    assert_non_null(strstr(md, "## index_rate"));
    assert_non_null(strstr(md, "| 256 | 10000 | C1 rvc-2023-04 | `IVF256,Flat nprobe 5` | "
                               "0.75: 0.02 (0.01); 0.25: 0.007 (0.0095) |"));
    /* Recommended default: pasteable, with k_factor_rf for the refine index */
    assert_non_null(strstr(md, "## Recommended RVC default per N range"));
    /* ladder 10k, 30k: each stands for N up to their geometric mean, 17,300 */
    assert_non_null(strstr(md, "| 256 | < 17300 | 10000 | `IVF1024,PQ128x4fs,RFlat` |"));
    assert_non_null(strstr(md, "| 256 | >= 17300 | 30000 |"));
    assert_non_null(strstr(md, "| 768 | all | 10000 |"));
    assert_non_null(strstr(md, "index = faiss.index_factory(256, \"IVF1024,PQ128x4fs,RFlat\", "
                               "faiss.METRIC_L2)"));
    assert_non_null(strstr(md, "\"nprobe=4,k_factor_rf=4\""));
    /* d = 768: the default itself is the fastest at its own error */
    assert_non_null(strstr(md, "index = faiss.index_factory(768, \"IVF256,Flat\", faiss.METRIC_L2)\n"
                               "index.nprobe = 1\n"));
    /* 30k at d = 256 has a default; no failed row's numbers anywhere */
    assert_null(strstr(md, "1e-06"));
    assert_int_equal(check_images(md, out), 8);
    free(md);

    /* The same study twice: every point pooled from two runs. */
    {
        char *pa2 = xasprintf("%s/rvc-doc-256-again.h5", tmpdir), *out3 = xasprintf("%s/twice", tmpdir);
        const char *two[] = { pa2, pa };
        /* the first file has no /blend (as files from before schema 2): the
         * index_rate table still finds the second file's */
        struct result_table *bt = results_table(&a, "blend");
        size_t nb = bt->n_rows;
        bt->n_rows = 0;
        assert_int_equal(results_write(&a, pa2), 0);
        bt->n_rows = nb;
        char *md3 = report_md(two, 2, out3, "faiss-sweep report");
        /* the 22 ok rows of the study, each once per file */
        assert_non_null(strstr(md3, "Pooled: 22 of the 22 points were measured by more than one"));
        assert_non_null(strstr(md3, " | 2 |\n"));     /* the runs column */
        assert_null(strstr(md3, " | 1 |\n"));
        assert_non_null(strstr(md3, "| 256 | 10000 | C1 rvc-2023-04 | `IVF256,Flat nprobe 5` | "
                                    "0.75: 0.02 (0.01); 0.25: 0.007 (0.0095) |"));
        free(md3);
        free(out3);
        free(pa2);
    }

    /* The 768 file alone: C1 only; the others are not measured, no plots. */
    md = report_md(paths + 1, 1, out2, "faiss-sweep report b.h5");
    assert_non_null(strstr(md, "| [C3](#c3) 4-bit PQ fast scan with exact re-ranking | not measured in these files |"));
    assert_non_null(strstr(md, "**Not measured in these files**: no row's family starts with `C8 `."));
    assert_int_equal(check_images(md, out2), 1);
    char *c3png = xasprintf("%s/img/rvc-c3.png", out2);
    assert_int_equal(access(c3png, F_OK), -1);
    free(c3png);
    free(md);

    /* A missing file: one error, no report. */
    const char *missing[] = { pa, "/nonexistent/x.h5" };
    char *out3 = xasprintf("%s/never", tmpdir), *md3 = xasprintf("%s/rvc-findings.md", out3);
    assert_int_equal(report_write(missing, 2, out3, FS_SOURCE_DIR "/plots", "x"), -1);
    assert_int_equal(access(md3, F_OK), -1);

    /* One run given twice (issue 13, item 14): the same file, or two files
     * of one run (its start_time and config), is refused, no report. */
    const char *same[] = { pa, pa };
    assert_fails(report_write(same, 2, out3, FS_SOURCE_DIR "/plots", "x"), "are the same run",
                 "give each run once");
    char *pb2 = xasprintf("%s/rvc-doc-768-copy.h5", tmpdir);
    results_attr_str(&b, "config_text", "name: rvc-doc-768\n");
    assert_int_equal(results_write(&b, pb), 0);
    assert_int_equal(results_write(&b, pb2), 0);
    const char *copies[] = { pb, pb2 };
    assert_fails(report_write(copies, 2, out3, FS_SOURCE_DIR "/plots", "x"), "rvc-doc-768-copy.h5' are the same run",
                 NULL);
    assert_int_equal(access(md3, F_OK), -1);
    free(pb2);
    free(md3);
    free(out3);

    results_release(&a);
    results_release(&b);
    free(out2);
    free(out);
    free(pb);
    free(pa);
}

/* The recommendation's winner is today's index, trained on rows in another
 * order (no shuffle): the report says it is the default measured again. */
static void test_recommend_same_index(void **state)
{
    struct result_set a;
    char *pa = xasprintf("%s/same.h5", tmpdir), *out = xasprintf("%s/same", tmpdir);
    const char *paths[] = { pa };
    (void)state;
    set_init(&a, "rvc-doc-256", 256);
    row(&a, "C1 rvc-default", "shuffle", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 1e-3, 10);
    row(&a, "C8 k-means", "", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.045, 0.5e-3, 10);
    /* As fast, one factory string: the metric and k_factor tell them apart. */
    row(&a, "C2 IVF-Flat l2 vs cosine", "", "IVF256,Flat", "l2", 10000, 256, 4, 0, 0.048, 0.5e-3, 10);
    row(&a, "C2 IVF-Flat l2 vs cosine", "", "IVF256,Flat", "cosine", 10000, 256, 4, 0, 0.048, 0.5e-3,
        10);
    row(&a, "C6 PQ4fs+RFlat k_factor", "", "IVF256,PQ128x4fs,RFlat", "l2", 10000, 256, 1, 4, 0.049,
        0.5e-3, 10);
    assert_int_equal(results_write(&a, pa), 0);
    char *md = report_md(paths, 1, out, "x");
    assert_non_null(strstr(md, "d = 256, N = 10000: `IVF256,Flat` (family `C8 k-means`)"));
    assert_non_null(strstr(md, "built with preprocessing `none` instead of `shuffle`"));
    assert_non_null(strstr(md, "this is today's default measured again, not a new setting"));
    assert_non_null(strstr(md, "`IVF256,Flat` nprobe 4 l2 (`C2 IVF-Flat l2 vs cosine`, 0.5 ms/s"));
    assert_non_null(strstr(md, "`IVF256,Flat` nprobe 4 cosine (`C2 IVF-Flat l2 vs cosine`"));
    assert_non_null(strstr(md, "`IVF256,PQ128x4fs,RFlat` nprobe 1 k_factor 4 l2 (`C6"));
    free(md);
    results_release(&a);
    free(out);
    free(pa);
}

/* Two runs of one study: each point pooled into one row, times the median
 * (two runs: their mean) with their range; a row that measured something
 * else (another blend error, another study) stays apart. */
static void test_pool(void **state)
{
    struct result_set a, b, c;
    struct rep_rows rr;
    (void)state;
    /* a file from before schema 2: no blend_ir_unit */
    set_init_without(&a, "rvc-doc-256", 256, "blend_ir_unit");
    set_init(&b, "rvc-doc-256", 256);
    set_init(&c, "other-study", 256);
    row(&a, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 1e-3, 10);
    row(&b, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 3e-3, 10);
    row(&a, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 2, 0, 0.03, 2e-3, 10);
    row(&b, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 2, 0, 0.031, 2e-3, 10);
    row(&c, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 5e-3, 10);
    memset(&rr, 0, sizeof(rr));
    rep_rows_add(&rr, &a, 0);
    rep_rows_add(&rr, &b, 1);
    rep_rows_add(&rr, &c, 2);
    assert_int_equal(rr.n, 5);
    assert_true(isnan(rr.v[0].blend_ir_unit));
    rep_rows_release(&rr);
    const struct result_set abc[] = { a, b, c };
    assert_int_equal(rep_rows_pool(&rr, abc, 3), 1);
    assert_int_equal(rr.n, 4);
    const struct rep_row *x = &rr.v[0];
    assert_int_equal(x->n_runs, 2);
    assert_int_equal(x->files, 3u);
    assert_float_equal(x->audio_s_batch, 2e-3, 1e-15);
    assert_float_equal(x->audio_s_single, 6e-3, 1e-15);
    assert_float_equal(x->t_lo, 1e-3, 0);
    assert_float_equal(x->t_hi, 3e-3, 0);
    assert_float_equal(x->blend_ir_unit, 0.002, 0);   /* from the file that has it */
    for (size_t i = 1; i < rr.n; i++)
        assert_int_equal(rr.v[i].n_runs, 1);
    assert_string_equal(rr.v[3].run, "other-study");

    /* Three runs: the median, not the mean. */
    struct result_set d;
    set_init(&d, "rvc-doc-256", 256);
    row(&d, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 10e-3, 10);
    rep_rows_release(&rr);
    const struct result_set abd[] = { a, b, d };
    assert_int_equal(rep_rows_pool(&rr, abd, 3), 2);
    assert_int_equal(rr.v[0].n_runs, 3);
    assert_float_equal(rr.v[0].audio_s_batch, 3e-3, 1e-15);
    assert_float_equal(rr.v[0].t_hi, 10e-3, 0);

    /* Faster in every run, slower in every run, or within the spread. */
    /* The pooled rows' widest range: the 1-10 ms point of the three runs. */
    assert_float_equal(rr.spread, 10.0, 1e-12);
    struct rep_row p = { .t_lo = 1, .t_hi = 2, .files = 3 }, q = { .t_lo = 3, .t_hi = 4, .files = 3 },
                   o = { .t_lo = 1.5, .t_hi = 3.5, .files = 1 };
    assert_int_equal(rep_time_cmp(&rr, &p, &q), -1);
    assert_int_equal(rep_time_cmp(&rr, &q, &p), 1);
    assert_int_equal(rep_time_cmp(&rr, &p, &o), 0);
    assert_int_equal(rep_time_cmp(&rr, &o, &q), 0);
    /* Rows of different runs: apart only beyond the widest spread between runs. */
    struct rep_row u = { .t_lo = 1, .t_hi = 1, .files = 4 }, v = { .t_lo = 2.5, .t_hi = 2.5, .files = 8 },
                   w = { .t_lo = 30, .t_hi = 30, .files = 8 };
    rr.spread = 2;
    assert_int_equal(rep_time_cmp(&rr, &u, &v), -1);
    assert_int_equal(rep_time_cmp(&rr, &v, &u), 1);
    rr.spread = 10;
    assert_int_equal(rep_time_cmp(&rr, &u, &v), 0);
    assert_int_equal(rep_time_cmp(&rr, &u, &w), -1);
    rr.spread = NAN;   /* no point measured twice: no basis for a call */
    assert_int_equal(rep_time_cmp(&rr, &u, &w), 0);
    assert_int_equal(rep_time_cmp(&rr, &p, &q), -1);   /* same run: still called */
    rep_rows_release(&rr);
    results_release(&a);
    results_release(&b);
    results_release(&c);
    results_release(&d);
}

/* C3 from two runs: faster by median but not in every run is not decided;
 * faster in both is supported. */
static void test_c3_spread(void **state)
{
    struct result_set a, b;
    struct rep_rows rr;
    struct finding f;
    (void)state;
    set_init(&a, "rvc-doc-256", 256);
    set_init(&b, "rvc-doc-256", 256);
    row(&a, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 1e-3, 10);
    row(&b, "C5 IVF-Flat nprobe", "", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 1e-3, 10);
    row(&a, "C3 IVF1024,PQ{d/2}x4fs,RFlat", "", "IVF1024,PQ128x4fs,RFlat", "l2", 10000, 1024, 4,
        4, 0.04, 0.3e-3, 12);
    row(&b, "C3 IVF1024,PQ{d/2}x4fs,RFlat", "", "IVF1024,PQ128x4fs,RFlat", "l2", 10000, 1024, 4,
        4, 0.04, 1.2e-3, 12);
    memset(&rr, 0, sizeof(rr));
    const struct result_set ab[] = { a, b };
    rep_rows_pool(&rr, ab, 2);
    finding_init(&f);
    report_c3(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_UNDECIDED);
    assert_non_null(strstr(f.cells[0].why, "not in every run"));
    put(&b, &b.rows[1], "audio_s_batch", 0.5e-3);
    rep_rows_release(&rr);
    const struct result_set ab2[] = { a, b };
    rep_rows_pool(&rr, ab2, 2);
    report_c3(&rr, &f);
    assert_int_equal(f.verdict, VERDICT_SUPPORTED);
    assert_float_equal(f.cells[0].v[3], 0.4e-3, 1e-12);   /* the median */
    finding_release(&f);
    rep_rows_release(&rr);
    results_release(&a);
    results_release(&b);
}

/* Expansion competes in the recommendation with its time: on the base it
 * costs nothing at query time; on the queries its expansion time is added,
 * and without that time the row cannot compete. */
static void test_recommend_expansion(void **state)
{
    struct result_set rs;
    struct rep_rows rr;
    long def;
    (void)state;
    set_init(&rs, "rvc-doc-256", 256);
    row(&rs, "C1 rvc-default", "shuffle", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.05, 1e-3, 10);
    row(&rs, "C7 query expansion", "qe=queries:a3:n4", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.01,
        0.2e-3, 10);
    rows_of(&rs, &rr);
    assert_string_equal(rr.v[report_recommend(&rr, 256, 10000, &def)].label, "C1 rvc-default");
    put(&rs, &rs.rows[1], "audio_s_qexpand", 0.3e-3);     /* 0.5 ms/s in all: faster than 1 */
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    assert_string_equal(rr.v[report_recommend(&rr, 256, 10000, &def)].label, "C7 query expansion");
    put(&rs, &rs.rows[1], "audio_s_qexpand", 5e-3);       /* 5.2 ms/s: slower */
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    assert_string_equal(rr.v[report_recommend(&rr, 256, 10000, &def)].label, "C1 rvc-default");
    row(&rs, "C7 query expansion", "qe=base:a3:n4", "IVF256,Flat", "l2", 10000, 256, 1, 0, 0.04,
        0.5e-3, 10);
    rep_rows_release(&rr);
    rows_of(&rs, &rr);
    long b = report_recommend(&rr, 256, 10000, &def);
    assert_string_equal(rr.v[b].r.preprocess, "qe=base:a3:n4");
    rep_rows_release(&rr);
    results_release(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_c1_depends_on_n),
        cmocka_unit_test(test_c2),
        cmocka_unit_test(test_c3),
        cmocka_unit_test(test_c4),
        cmocka_unit_test(test_c5),
        cmocka_unit_test(test_c6),
        cmocka_unit_test(test_c7_c8),
        cmocka_unit_test(test_recommend),
        cmocka_unit_test(test_recommend_expansion),
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_c3_spread),
        cmocka_unit_test(test_not_measured),
        cmocka_unit_test(test_report_files),
        cmocka_unit_test(test_recommend_same_index),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
