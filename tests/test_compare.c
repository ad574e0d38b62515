/*
 * test_compare.c - `faiss-sweep compare` on hand-made results files
 * (written with results_write, read back): matching, each verdict, the
 * front gates, the refusal of different data, the reports parsed back by
 * python3 (JSON, JUnit XML) and the program's exit codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "out/compare.h"
#include "out/compare_report.h"
#include "lib/util.h"
#include "testutil.h"

/* A set of one k (10) with the attributes compare reads. */
static void make_set(struct result_set *rs, const char *hash, const char *cpu)
{
    long ks[] = { 10 };
    results_init(rs, ks, 1);
    assert_non_null(results_table_add(rs, RESULTS_TIMINGS, results_timing_cols, TIMING_NCOLS));
    results_attr_str(rs, "dataset_hash", hash);
    results_attr_int(rs, "nq", 1000);
    results_attr_int(rs, "timed_queries", 1000);
    results_attr_str(rs, "cpu_model", cpu);
}

/* A point at nprobe with this recall and size, and `reps` batch samples of
 * qps spread +-2% around qps (none when reps is 0: intervals only). */
static void add_point(struct result_set *rs, long nprobe, double recall, int64_t bytes,
                      double qps, int reps)
{
    struct result_row r;
    results_row_init(rs, &r);
    snprintf(r.family, sizeof(r.family), "IVF{nlist},Flat");
    snprintf(r.factory, sizeof(r.factory), "IVF64,Flat");
    snprintf(r.metric, sizeof(r.metric), "l2");
    snprintf(r.status, sizeof(r.status), "ok");
    r.N = 1000;
    r.nlist = 64;
    r.nprobe = nprobe;
    r.k_factor = 0;
    r.recall_at[0] = recall;
    r.recall1_at[0] = recall;
    r.missing_ids = 0;
    r.index_bytes = bytes;
    r.qps = qps;
    r.qps_lo = 0.98 * qps;
    r.qps_hi = 1.02 * qps;
    struct result_table *t = results_table(rs, RESULTS_TIMINGS);
    for (int i = 0; i < reps; i++) {
        double q = qps * (1 + 0.01 * (i % 5 - 2));
        union result_cell c[TIMING_NCOLS] = {
            [TIMING_RUN_ROW].i = (int64_t)rs->n_rows, [TIMING_KIND].i = TIMING_BATCH,
            [TIMING_REPETITION].i = i, [TIMING_SECONDS].f = 1000.0 * 10 / q,
            [TIMING_CALLS].i = 10, [TIMING_P50_US].f = NAN, [TIMING_P99_US].f = NAN,
        };
        results_table_append(t, c);
    }
    results_add_row(rs, &r);
}

/* Write rs to tmpdir/name, release it, read it back. */
static void roundtrip(struct result_set *rs, const char *name)
{
    assert_int_equal(results_write(rs, tmp(name)), 0);
    results_release(rs);
    memset(rs, 0, sizeof(*rs));
    assert_int_equal(results_read(rs, tmp(name)), 0);
}

/* Baseline: nprobe 1, 4, 16 at recall 0.80, 0.93, 0.995, 5 reps each. */
static void baseline(struct result_set *rs)
{
    make_set(rs, "h1", "cpu A");
    add_point(rs, 1, 0.80, 100000, 30000, 5);
    add_point(rs, 4, 0.93, 100000, 12000, 5);
    add_point(rs, 16, 0.995, 100000, 4000, 5);
    roundtrip(rs, "base.h5");
}

static const struct cmp_item *find(const struct compare_result *r, const char *point_sub,
                                   const char *qty)
{
    for (size_t i = 0; i < r->n_items; i++)
        if (strstr(r->items[i].point, point_sub) && !strcmp(r->items[i].quantity, qty))
            return &r->items[i];
    fail_msg("no item %s %s", point_sub, qty);
    return NULL;
}

static void run_compare(const struct result_set *a, const struct result_set *b,
                        struct compare_result *r)
{
    struct compare_opts o;
    compare_opts_init(&o);
    assert_int_equal(compare_sets(a, b, "base.h5", "cand.h5", &o, r), 0);
}

static void test_identical(void **state)
{
    struct result_set a = { 0 }, b = { 0 };
    struct compare_result r;
    (void)state;
    baseline(&a);
    baseline(&b);
    run_compare(&a, &b, &r);
    /* 3 points x (2 recalls, missing_ids, index_bytes, qps) + 3 front gates. */
    assert_int_equal(r.n_items, 18);
    assert_int_equal(r.counts[CMP_UNCHANGED], 18);
    assert_int_equal(compare_exit_code(&r), 0);
    assert_int_equal(r.n_notes, 0);
    compare_result_release(&r);
    results_release(&a);
    results_release(&b);
}

static void test_changes(void **state)
{
    struct result_set a = { 0 }, b = { 0 };
    struct compare_result r;
    (void)state;
    baseline(&a);
    make_set(&b, "h1", "cpu B");
    add_point(&b, 1, 0.78, 102500, 20000, 5);   /* recall -0.02, bytes +2.5%, qps -33% */
    add_point(&b, 4, 0.927, 100000, 11500, 5);  /* within tolerance, qps -4% */
    add_point(&b, 16, 0.985, 99000, 4000, 2);   /* no longer 0.99; 2 reps */
    add_point(&b, 64, 0.985, 100000, 1000, 5);  /* only in the candidate */
    roundtrip(&b, "cand.h5");
    run_compare(&a, &b, &r);
    assert_int_equal(find(&r, "nprobe=1", "recall_at_10")->verdict, CMP_REGRESSION);
    assert_int_equal(find(&r, "nprobe=1", "index_bytes")->verdict, CMP_REGRESSION);
    const struct cmp_item *q = find(&r, "nprobe=1", "qps");
    assert_int_equal(q->verdict, CMP_REGRESSION);
    assert_true(fabs(q->p - 2.0 / 252) < 1e-9 && fabs(q->ratio - 2.0 / 3) < 1e-9);
    assert_int_equal(find(&r, "nprobe=4", "recall_at_10")->verdict, CMP_UNCHANGED);
    assert_int_equal(find(&r, "nprobe=4", "qps")->verdict, CMP_UNCHANGED);
    q = find(&r, "nprobe=16", "qps");
    assert_int_equal(q->verdict, CMP_UNDECIDED);
    assert_has(q->note, "too few repetitions to decide (5 vs 2");
    q = find(&r, "recall@10>=0.99", "best_qps@0.99");
    assert_int_equal(q->verdict, CMP_REGRESSION);
    assert_has(q->note, "no longer reaches");
    assert_int_equal(r.n_only_cand, 1);
    assert_has(r.only_cand[0], "nprobe=64");
    assert_int_equal(r.n_notes, 1);
    assert_has(r.notes[0], "cpu_model: 'cpu A' vs 'cpu B'");
    assert_int_equal(compare_exit_code(&r), 1);
    assert_true(r.counts[CMP_UNDECIDED] >= 1);
    compare_result_release(&r);
    results_release(&a);
    results_release(&b);
}

/* --no-times: a run 3x slower passes on qualities alone (no qps item, no
 * front qps, a front no longer reached still fails); --exact: a recall
 * within the tolerance, or a better one, is a changed answer. */
static void test_no_times_exact(void **state)
{
    struct result_set a = { 0 }, b = { 0 };
    struct compare_result r;
    struct compare_opts o;
    (void)state;
    baseline(&a);
    make_set(&b, "h1", "cpu A");
    add_point(&b, 1, 0.80 + 1e-16, 100000, 10000, 5);  /* rounding: the same answer */
    add_point(&b, 4, 0.931, 100000, 4000, 5);   /* +0.001: within the tolerance */
    add_point(&b, 16, 0.995, 100000, 1300, 5);
    roundtrip(&b, "cand.h5");
    compare_opts_init(&o);
    o.no_times = 1;
    assert_int_equal(compare_sets(&a, &b, "base.h5", "cand.h5", &o, &r), 0);
    for (size_t i = 0; i < r.n_items; i++) {
        assert_null(strstr(r.items[i].quantity, "qps"));
        assert_null(strstr(r.items[i].quantity, "lat_"));
    }
    assert_int_equal(r.n_items, 12);    /* 3 points x (2 recalls, missing_ids, index_bytes) */
    assert_int_equal(compare_exit_code(&r), 0);
    assert_has(r.notes[0], "--no-times");
    compare_result_release(&r);
    o.exact = 1;
    assert_int_equal(compare_sets(&a, &b, "base.h5", "cand.h5", &o, &r), 0);
    const struct cmp_item *it = find(&r, "nprobe=4", "recall_at_10");
    assert_int_equal(it->verdict, CMP_REGRESSION);
    assert_has(it->note, "answer changed");
    assert_int_equal(find(&r, "nprobe=1", "recall_at_10")->verdict, CMP_UNCHANGED);
    assert_int_equal(find(&r, "nprobe=1", "index_bytes")->verdict, CMP_UNCHANGED);
    assert_int_equal(compare_exit_code(&r), 1);
    compare_result_release(&r);
    results_release(&b);
    /* A point missing from the candidate: under --exact, a regression. */
    make_set(&b, "h1", "cpu A");
    add_point(&b, 1, 0.80, 100000, 10000, 5);
    add_point(&b, 4, 0.93, 100000, 4000, 5);
    roundtrip(&b, "cand.h5");
    assert_int_equal(compare_sets(&a, &b, "base.h5", "cand.h5", &o, &r), 0);
    assert_int_equal(find(&r, "the grid", "points")->verdict, CMP_REGRESSION);
    assert_int_equal(compare_exit_code(&r), 1);
    compare_result_release(&r);
    results_release(&b);
    /* The same answers, 3x slower: --exact --no-times passes. */
    make_set(&b, "h1", "cpu A");
    add_point(&b, 1, 0.80, 100000, 10000, 5);
    add_point(&b, 4, 0.93, 100000, 4000, 5);
    add_point(&b, 16, 0.995, 100000, 1300, 5);
    roundtrip(&b, "cand.h5");
    assert_int_equal(compare_sets(&a, &b, "base.h5", "cand.h5", &o, &r), 0);
    assert_int_equal(compare_exit_code(&r), 0);
    assert_int_equal(r.counts[CMP_UNCHANGED], r.n_items);
    compare_result_release(&r);
    results_release(&a);
    results_release(&b);
}

static void test_three_reps_cannot_decide(void **state)
{
    struct result_set a = { 0 }, b = { 0 };
    struct compare_result r;
    (void)state;
    make_set(&a, "h1", "cpu A");
    add_point(&a, 1, 0.8, 1000, 30000, 3);
    make_set(&b, "h1", "cpu A");
    add_point(&b, 1, 0.8, 1000, 15000, 3);
    run_compare(&a, &b, &r);
    const struct cmp_item *q = find(&r, "nprobe=1", "qps");
    assert_int_equal(q->verdict, CMP_UNDECIDED);
    assert_has(q->note, "p cannot fall below 0.01");
    compare_result_release(&r);
    results_release(&a);
    results_release(&b);
}

static void test_intervals_fallback(void **state)
{
    struct result_set a = { 0 }, b = { 0 };
    struct compare_result r;
    (void)state;
    make_set(&a, "h1", "cpu A");
    add_point(&a, 1, 0.8, 1000, 30000, 0);
    make_set(&b, "h1", "cpu A");
    add_point(&b, 1, 0.8, 1000, 20000, 0);
    results_attr_del(&a, "timed_queries");
    results_attr_del(&a, "nq");
    results_attr_del(&b, "timed_queries");
    results_attr_del(&b, "nq");
    run_compare(&a, &b, &r);
    const struct cmp_item *q = find(&r, "nprobe=1", "qps");
    assert_int_equal(q->test, CMP_INTERVALS);
    assert_int_equal(q->verdict, CMP_REGRESSION);
    assert_true(r.n_notes == 2);
    assert_has(r.notes[0], "no raw timings");
    compare_result_release(&r);
    results_release(&a);
    results_release(&b);
}

/* The front gate compares the two winners' samples; latency rounds and
 * RVC's blend error are compared when present. */
static void test_front_latency_blend(void **state)
{
    static const struct col_def blend = { "blend_err_mean", COL_F64, ROLE_QUALITY, "", "" };
    struct result_set a = { 0 }, b = { 0 };
    struct compare_result r;
    struct result_set *s[2] = { &a, &b };
    (void)state;
    for (int i = 0; i < 2; i++) {
        make_set(s[i], "h1", "cpu A");
        assert_int_equal(results_add_columns(s[i], &blend, 1), 0);
        /* Baseline: nprobe 4 wins recall 0.9 at 12000 qps; the candidate's
         * nprobe 4 falls below 0.9, its winner is nprobe 8 at 6000. */
        add_point(s[i], 4, i ? 0.85 : 0.93, 1000, 12000, 5);
        add_point(s[i], 8, 0.96, 1000, 6000, 5);
        s[i]->rows[0].cells[0].f = i ? 0.2 : 0.1;
        s[i]->rows[1].cells[0].f = 0.05;
        s[i]->rows[0].lat_p50_us = 50;
        s[i]->rows[1].lat_p50_us = i ? 150 : 100;
        struct result_table *t = results_table(s[i], RESULTS_TIMINGS);
        for (int k = 0; k < 5; k++) {
            union result_cell c[TIMING_NCOLS] = {
                [TIMING_RUN_ROW].i = 1, [TIMING_KIND].i = TIMING_SINGLE,
                [TIMING_REPETITION].i = k, [TIMING_SECONDS].f = 0.1, [TIMING_CALLS].i = 100,
                [TIMING_P50_US].f = (i ? 150 : 100) + k, [TIMING_P99_US].f = 300,
            };
            results_table_append(t, c);
        }
    }
    roundtrip(&a, "fa.h5");
    roundtrip(&b, "fb.h5");
    struct compare_opts o;
    compare_opts_init(&o);
    o.budgets[0] = 60;
    o.budgets[1] = 120;
    o.budgets[2] = 10;
    o.n_budgets = 3;
    assert_int_equal(compare_sets(&a, &b, "fa.h5", "fb.h5", &o, &r), 0);
    /* Within 60 us both best at nprobe 4: 0.93 -> 0.85; within 120 the
     * baseline's nprobe 8 (0.96) against the candidate's nprobe 4 (0.85);
     * within 10 us neither has a point: no item. */
    const struct cmp_item *g = find(&r, "lat_p50_us<=60", "best_recall_at_10@60us");
    assert_int_equal(g->verdict, CMP_REGRESSION);
    assert_true(g->base == 0.93 && g->cand == 0.85);
    g = find(&r, "lat_p50_us<=120", "best_recall_at_10@120us");
    assert_int_equal(g->verdict, CMP_REGRESSION);
    assert_true(g->base == 0.96 && g->cand == 0.85);
    for (size_t i = 0; i < r.n_items; i++)
        assert_string_not_equal(r.items[i].quantity, "best_recall_at_10@10us");
    const struct cmp_item *q = find(&r, "recall@10>=0.9", "best_qps@0.9");
    assert_int_equal(q->verdict, CMP_REGRESSION);
    assert_int_equal(q->test, CMP_MANN_WHITNEY);
    assert_true(fabs(q->ratio - 0.5) < 1e-9);
    assert_has(q->note, "nprobe=4 | IVF64,Flat l2 N=1000 family=IVF{nlist},Flat nlist=64 nprobe=8");
    q = find(&r, "nprobe=8", "lat_p50_us");
    assert_int_equal(q->verdict, CMP_REGRESSION);
    assert_true(fabs(q->ratio - 1.5) < 0.01);
    assert_int_equal(find(&r, "nprobe=4", "blend_err_mean")->verdict, CMP_REGRESSION);
    assert_int_equal(find(&r, "nprobe=8", "blend_err_mean")->verdict, CMP_UNCHANGED);
    compare_result_release(&r);
    results_release(&a);
    results_release(&b);
}

/* A run with the reference point Flat at flat_qps and IVF nprobe 4 at ivf_qps. */
static void machine_run(struct result_set *rs, double flat_qps, double ivf_qps)
{
    make_set(rs, "h1", "cpu A");
    add_point(rs, 0, 1.0, 5000, flat_qps, 5);
    struct result_row *f = &rs->rows[rs->n_rows - 1];
    snprintf(f->family, sizeof(f->family), "Flat");
    snprintf(f->factory, sizeof(f->factory), "Flat");
    f->nlist = 0;
    add_point(rs, 4, 0.93, 1000, ivf_qps, 5);
}

/* Cross-machine mode: a machine twice as fast everywhere is no change;
 * a point that slowed relative to its run's Flat is a regression. */
static void test_reference(void **state)
{
    struct result_set a = { 0 }, b = { 0 }, c = { 0 };
    struct compare_result r;
    struct compare_opts o;
    (void)state;
    machine_run(&a, 1000, 10000);
    machine_run(&b, 2000, 20000);
    machine_run(&c, 2000, 10000);
    compare_opts_init(&o);
    assert_int_equal(compare_sets(&a, &b, "a.h5", "b.h5", &o, &r), 0);
    assert_int_equal(find(&r, "nprobe=4", "qps")->verdict, CMP_IMPROVEMENT);
    compare_result_release(&r);
    o.reference = "Flat";
    assert_int_equal(compare_sets(&a, &b, "a.h5", "b.h5", &o, &r), 0);
    const struct cmp_item *q = find(&r, "nprobe=4", "rel_qps");
    assert_int_equal(q->verdict, CMP_UNCHANGED);
    assert_true(fabs(q->ratio - 1) < 1e-9);
    assert_int_equal(compare_exit_code(&r), 0);
    assert_has(r.notes[0], "cross-machine mode");
    compare_result_release(&r);
    assert_int_equal(compare_sets(&a, &c, "a.h5", "c.h5", &o, &r), 0);
    q = find(&r, "nprobe=4", "rel_qps");
    assert_int_equal(q->verdict, CMP_REGRESSION);
    assert_true(fabs(q->ratio - 0.5) < 1e-9);
    compare_result_release(&r);
    o.reference = "HNSW32";
    assert_int_equal(compare_sets(&a, &c, "a.h5", "c.h5", &o, &r), 0);
    q = find(&r, "nprobe=4", "rel_qps");
    assert_int_equal(q->verdict, CMP_UNDECIDED);
    assert_has(q->note, "no reference point 'HNSW32'");
    compare_result_release(&r);
    results_release(&a);
    results_release(&b);
    results_release(&c);
}

static int refuse(void *arg)
{
    struct result_set **s = arg;
    struct compare_result r;
    struct compare_opts o;
    compare_opts_init(&o);
    return compare_sets(s[0], s[1], "base.h5", "cand.h5", &o, &r);
}

static void test_different_data(void **state)
{
    struct result_set a = { 0 }, b = { 0 };
    struct result_set *s[2] = { &a, &b };
    struct compare_result r;
    struct compare_opts o;
    char *err = NULL;
    (void)state;
    make_set(&a, "h1", "cpu A");
    make_set(&b, "h2", "cpu A");
    assert_int_equal(capture_stderr(refuse, s, &err), -1);
    assert_has(err, "'base.h5'");
    assert_has(err, "'cand.h5'");
    assert_has(err, "dataset_hash");
    assert_int_equal(count_lines(err), 1);
    free(err);
    results_attr_str(&b, "dataset_hash", "h1");
    results_attr_int(&b, "nq", 999);
    assert_int_equal(capture_stderr(refuse, s, &err), -1);
    assert_has(err, "nq");
    free(err);
    compare_opts_init(&o);
    o.allow_different_data = 1;
    assert_int_equal(compare_sets(&a, &b, "base.h5", "cand.h5", &o, &r), 0);
    assert_has(r.notes[0], "different nq");
    compare_result_release(&r);
    results_release(&a);
    results_release(&b);
}

/* The candidate of test_changes, with characters XML must escape. */
static void test_reports(void **state)
{
    struct result_set a = { 0 }, b = { 0 };
    struct compare_result r;
    char cmd[1024];
    (void)state;
    baseline(&a);
    make_set(&b, "h1", "cpu <&>\"'");
    add_point(&b, 1, 0.70, 100000, 30000, 5);
    add_point(&b, 4, 0.93, 100000, 12000, 2);
    run_compare(&a, &b, &r);
    assert_int_equal(compare_write_junit(&r, tmp("c.xml")), 0);
    assert_int_equal(compare_write_json(&r, tmp("c.json")), 0);
    assert_int_equal(compare_write_markdown(&r, tmp("c.md")), 0);
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 -c \"import sys, json, xml.etree.ElementTree as E\n"
             "t = E.parse(sys.argv[1]).getroot(); s = t.find('testsuite')\n"
             "cases = s.findall('testcase'); f = [c for c in cases if c.find('failure') is not None]\n"
             "k = [c for c in cases if c.find('skipped') is not None]\n"
             "j = json.load(open(sys.argv[2]))\n"
             "assert int(s.get('tests')) == len(cases) == len(j['items']), 'counts'\n"
             "assert int(s.get('failures')) == len(f) == j['counts']['regression'] >= 1\n"
             "assert len(k) == j['counts']['undecided'] >= 1\n"
             "assert 'recall_at_10' in [c.get('name') for c in f]\n"
             "assert any('0.7' in c.find('failure').get('message') for c in f)\n"
             "assert j['regression'] is True and \\\"<&>\\\" in j['notes'][0]\n"
             "assert any('cpu <&>' + chr(34) + chr(39) in p.get('value') for p in s.iter('property'))\n"
             "\" %s %s",
             tmp("c.xml"), tmp("c.json"));
    assert_int_equal(system(cmd), 0);
    char *md = read_file(tmp("c.md"), NULL);
    assert_has(md, "| regression | IVF64,Flat l2 N=1000");
    assert_has(md, "| recall_at_10 | 0.8 | 0.7 |");
    free(md);
    compare_result_release(&r);
    results_release(&a);
    results_release(&b);
}

/* The program's exit status for compare with these words. */
static int run_binary(const char *words)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "%s compare %s >/dev/null 2>&1", FS_BINARY, words);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_exit_codes(void **state)
{
    struct result_set a = { 0 }, b = { 0 };
    char w[1024];
    (void)state;
    baseline(&a);
    baseline(&b);
    results_attr_str(&b, "dataset_hash", "other");
    assert_int_equal(results_write(&b, tmp("other.h5")), 0);
    results_release(&b);
    make_set(&b, "h1", "cpu A");
    add_point(&b, 1, 0.5, 100000, 30000, 5);
    assert_int_equal(results_write(&b, tmp("worse.h5")), 0);
    snprintf(w, sizeof(w), "%s %s --json %s", tmp("base.h5"), tmp("base.h5"), tmp("e.json"));
    assert_int_equal(run_binary(w), 0);
    snprintf(w, sizeof(w), "%s %s", tmp("base.h5"), tmp("worse.h5"));
    assert_int_equal(run_binary(w), 1);
    snprintf(w, sizeof(w), "%s %s", tmp("base.h5"), tmp("other.h5"));
    assert_int_equal(run_binary(w), 2);
    snprintf(w, sizeof(w), "%s %s --allow-different-data", tmp("base.h5"), tmp("other.h5"));
    assert_int_equal(run_binary(w), 0);
    snprintf(w, sizeof(w), "%s %s --noise 2", tmp("base.h5"), tmp("base.h5"));
    assert_int_equal(run_binary(w), 2);
    snprintf(w, sizeof(w), "%s %s --targets 0.9,x", tmp("base.h5"), tmp("base.h5"));
    assert_int_equal(run_binary(w), 2);
    snprintf(w, sizeof(w), "%s", tmp("base.h5"));
    assert_int_equal(run_binary(w), 2);
    /* The config's ci: section: a candidate 40% slower passes a 50% noise
     * floor, fails the default one and one given on the command line. */
    results_release(&b);
    make_set(&b, "h1", "cpu A");
    add_point(&b, 1, 0.80, 100000, 18000, 5);
    add_point(&b, 4, 0.93, 100000, 7200, 5);
    add_point(&b, 16, 0.995, 100000, 2400, 5);
    assert_int_equal(results_write(&b, tmp("slower.h5")), 0);
    write_text_file(tmp("ci.yaml"), "name: c\ndataset: {format: fvecs, base: b.fvecs}\n"
                                    "indexes: [{factory: Flat}]\nci: {noise: 0.5}\n");
    snprintf(w, sizeof(w), "%s %s", tmp("base.h5"), tmp("slower.h5"));
    assert_int_equal(run_binary(w), 1);
    snprintf(w, sizeof(w), "%s %s --config %s", tmp("base.h5"), tmp("slower.h5"), tmp("ci.yaml"));
    assert_int_equal(run_binary(w), 0);
    snprintf(w, sizeof(w), "%s %s --config %s --noise 0.1", tmp("base.h5"), tmp("slower.h5"),
             tmp("ci.yaml"));
    assert_int_equal(run_binary(w), 1);
    write_text_file(tmp("ci-bad.yaml"), "name: c\ndataset: {format: fvecs, base: b.fvecs}\n"
                                        "indexes: [{factory: Flat}]\nci: {noise: x}\n");
    snprintf(w, sizeof(w), "%s %s --config %s", tmp("base.h5"), tmp("base.h5"), tmp("ci-bad.yaml"));
    assert_int_equal(run_binary(w), 2);
    results_release(&a);
    results_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),       cmocka_unit_test(test_changes),
        cmocka_unit_test(test_no_times_exact),
        cmocka_unit_test(test_three_reps_cannot_decide),
        cmocka_unit_test(test_intervals_fallback),
        cmocka_unit_test(test_front_latency_blend),
        cmocka_unit_test(test_reference),
        cmocka_unit_test(test_different_data),  cmocka_unit_test(test_reports),
        cmocka_unit_test(test_exit_codes),
    };
    return cmocka_run_group_tests_name("compare", tests, tmpdir_setup, tmpdir_teardown);
}
