/*
 * test_run.c - run_sweep on a tiny generated data set (nothing from
 * ../shared): every point becomes a row with its status (a skipped point
 * included), provenance is set, a config without an rvc: section writes
 * none of RVC's columns, one with it writes them and /blend, --set
 * overrides reach the run, the machine's state is stored, timing on a
 * subset of the queries leaves recall as it is, the cost breakdown adds
 * up to the wall time, and a config that cannot run writes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "out/results.h"
#include "run/point.h"
#include "run/run.h"
#include "testutil.h"

static int setup(void **state)
{
    if (tmpdir_setup(state))
        return -1;
    util_quiet = 1;
    if (write_random_fvecs(tmp("base.fvecs"), 1200, 16, 7) ||
        write_random_fvecs(tmp("queries.fvecs"), 40, 16, 8))
        return -1;
    return 0;
}

/* Write `body` (after the common head) as name.yaml, run it into
 * tmp(name)/, read the results back into rs. */
static void sweep(const char *name, const char *body, const char *const *sets, size_t n_sets,
                  struct result_set *rs)
{
    char *cfg = xasprintf("name: %s\n"
                          "dataset: {format: fvecs, base: %s, queries: %s}\n"
                          "cache_dir: %s\n"
                          "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 5}\n%s",
                          name, tmp("base.fvecs"), tmp("queries.fvecs"), tmp("cache"), body);
    char *results = NULL;

    assert_int_equal(run_config(name, cfg, sets, n_sets, &results, NULL), 0);
    assert_non_null(results);
    assert_int_equal(results_read(rs, results), 0);
    free(results);
    free(cfg);
}

static const struct result_row *find(const struct result_set *rs, const char *factory,
                                     const char *metric, long nprobe)
{
    for (size_t i = 0; i < rs->n_rows; i++)
        if (!strcmp(rs->rows[i].factory, factory) && !strcmp(rs->rows[i].metric, metric) &&
            rs->rows[i].nprobe == nprobe)
            return &rs->rows[i];
    fail_msg("no row %s %s nprobe %ld", factory, metric, nprobe);
    return NULL;
}

/* The timing columns and /timings rows of an ok point and of a skipped one:
 * each batch repetition and latency round a row of its own, qps the median
 * of the repetitions' rates, the spread within the samples. */
static void check_timings(const struct result_set *rs, size_t run_row, int reps, int rounds)
{
    const struct result_row *row = &rs->rows[run_row];
    const struct result_table *t = results_table(rs, "timings");
    double qps[16];
    int nb = 0, ns = 0;
    assert_non_null(t);
    for (size_t i = 0; i < t->n_rows; i++) {
        const union result_cell *c = &t->cells[i * t->n_cols];
        if (c[results_table_col(t, "run_row")].i != (int64_t)run_row)
            continue;
        if (c[results_table_col(t, "kind")].i == 0) {
            assert_int_equal(c[results_table_col(t, "repetition")].i, nb);
            assert_int_equal(c[results_table_col(t, "calls")].i, row->batch_calls);
            qps[nb++] = 40.0 * (double)row->batch_calls / c[results_table_col(t, "seconds")].f;
        } else {
            assert_int_equal(c[results_table_col(t, "repetition")].i, ns++);
            assert_int_equal(c[results_table_col(t, "calls")].i, 5);
            assert_true(c[results_table_col(t, "p50_us")].f > 0);
        }
    }
    if (nb != reps || ns != rounds)
        fail_msg("row %zu: %d repetitions and %d rounds in /timings (%zu rows), %d and %d wanted",
                 run_row, nb, ns, t->n_rows, reps, rounds);
    assert_int_equal(row->batch_reps, reps);
    assert_int_equal(row->lat_rounds, rounds);
    assert_true(row->batch_calls >= 1);
    if (reps == 3) {    /* the median of three */
        double lo = fmin(qps[0], fmin(qps[1], qps[2])), hi = fmax(qps[0], fmax(qps[1], qps[2]));
        double mid = qps[0] + qps[1] + qps[2] - lo - hi;
        assert_float_equal(row->qps, mid, 1e-6 * mid);
        assert_true(row->qps_lo >= lo && row->qps_hi <= hi && row->qps_lo <= row->qps_hi);
        assert_true(row->qps_cv >= 0);
        assert_true(row->noisy == 0 || row->noisy == 1);
    }
}

static const char grid[] =
    "k: [1, 5]\n"
    "metrics: [l2, ip]\n"
    "indexes:\n"
    "  - factory: Flat\n"
    "  - factory: \"IVF{nlist},Flat\"\n"
    "    nlist: [8]\n"
    "    nprobe: [1, 8, 16]\n";

/* Without rvc: every point a row, the generic columns only. */
static void test_generic_run(void **state)
{
    struct result_set rs;
    double v;
    (void)state;
    sweep("plain", grid, NULL, 0, &rs);
    /* per metric: Flat, IVF8 at nprobe 1, 8 and 16 (skipped: > nlist) */
    assert_int_equal(rs.n_rows, 8);
    assert_int_equal(rs.n_ks, 2);
    for (int m = 0; m < 2; m++) {
        const char *metric = m ? "ip" : "l2";
        const struct result_row *flat = find(&rs, "Flat", metric, 0);
        const struct result_row *all = find(&rs, "IVF8,Flat", metric, 8);
        const struct result_row *skip = find(&rs, "IVF8,Flat", metric, 16);
        assert_string_equal(flat->status, "ok");
        assert_float_equal(flat->recall_at[1], 1.0, 1e-12);
        assert_float_equal(all->recall_at[1], 1.0, 1e-12);
        assert_true(all->qps > 0 && all->index_bytes > 0 && all->lat_p50_us > 0);
        assert_true(all->prep_s == 0 && all->missing_ids == 0);
        assert_string_equal(skip->status, "skipped: nprobe > nlist");
        assert_true(isnan(skip->qps) && isnan(skip->recall_at[0]));
        assert_true(skip->index_bytes > 0);   /* the build's stats are there */
    }
    /* none of RVC's columns, no /blend, no rvc_ attributes: /timings alone */
    assert_int_equal(rs.n_cols, 0);
    assert_int_equal(rs.n_tables, 1);
    assert_non_null(results_table(&rs, "timings"));
    assert_int_equal(results_value(&rs, &rs.rows[0], "blend_err_mean", &v), -1);
    assert_null(results_attr(&rs, "rvc_blend_k"));
    /* provenance */
    assert_int_equal(results_attr(&rs, "N")->i, 1200);
    assert_int_equal(results_attr(&rs, "nq")->i, 40);
    assert_int_equal(results_attr(&rs, "latency_threads")->i, 1);
    assert_true(results_attr(&rs, "faiss_s")->f > 0);
    assert_true(results_attr(&rs, "wall_s")->f >= results_attr(&rs, "faiss_s")->f);
    /* the machine's state over the run (lib/machine: Linux has /proc) */
    assert_true(results_attr(&rs, "load1_start")->f >= 0);
    assert_true(results_attr(&rs, "load1_end")->f >= 0);
    assert_true(results_attr(&rs, "own_cpu_s")->f > 0);
    assert_true(results_attr(&rs, "steal_s")->f >= 0);
    assert_true(results_attr(&rs, "others_cpu_share")->f >= 0 &&
                results_attr(&rs, "others_cpu_share")->f <= 1);
    assert_true(results_attr(&rs, "others_cpu_s")->f >= 0);
    assert_true(results_attr(&rs, "steal_share")->f >= 0);
    assert_true(results_attr(&rs, "machine_busy")->i == 0 ||
                results_attr(&rs, "machine_busy")->i == 1);
    assert_true(strlen(results_attr(&rs, "cpu_governor")->s) > 0);
    assert_non_null(strstr(results_attr(&rs, "config_resolved")->s,
                           "{nprobe: 16, k_factor: 0, skipped: nprobe > nlist}"));
    /* one repetition (no spread of qps), the default five latency rounds */
    check_timings(&rs, 0, 1, 5);
    assert_true(isnan(rs.rows[0].qps_cv) && isnan(rs.rows[0].qps_lo));
    assert_true(rs.rows[0].lat_p50_cv >= 0 && rs.rows[0].lat_p99_cv >= 0);
    assert_true(rs.rows[0].noisy == 0 || rs.rows[0].noisy == 1);
    results_release(&rs);
}

/* Repetitions and rounds: three each (within the budget), every row of
 * /timings kept, qps their median; a budget too small for two batch
 * repetitions of 0.05 s: one (three rounds of 5 single queries still fit
 * in 0.04 s, also on a loaded machine). */
static void test_repetitions(void **state)
{
    struct result_set rs;
    static const char body[] = "k: [5]\nindexes:\n  - factory: \"IVF{nlist},Flat\"\n"
                               "    nlist: [8]\n    nprobe: [1, 2, 4]\n";
    const char *const three[] = { "measure.repeats=3", "measure.latency_rounds=3" };
    const char *const tight[] = { "measure.repeats=3", "measure.latency_rounds=3",
                                  "measure.min_time=0.05", "measure.max_time=0.04" };
    (void)state;
    sweep("reps", body, three, 2, &rs);
    assert_int_equal(rs.n_rows, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(rs.rows[i].status, "ok");
        assert_int_equal(rs.rows[i].nprobe, 1 << i);   /* rows in the build's order */
        check_timings(&rs, i, 3, 3);
    }
    assert_int_equal(results_table(&rs, "timings")->n_rows, 18);
    results_release(&rs);
    sweep("tight", body, tight, 4, &rs);
    for (size_t i = 0; i < 3; i++)
        check_timings(&rs, i, 1, 3);
    results_release(&rs);
}

/* With rvc: RVC's nine columns after missing_ids, /blend rows for each ok
 * row where a blend applies (not ip), and its attributes. */
static void test_rvc_run(void **state)
{
    struct result_set rs;
    double v;
    char *body = xasprintf("%srvc: {blend_k: 4, index_rate: [0.75, 0.25]}\n", grid);
    (void)state;
    sweep("rvc", body, NULL, 0, &rs);
    assert_int_equal(rs.n_rows, 8);
    assert_int_equal(rs.n_cols, 9);
    assert_int_equal(results_cell(&rs, "blend_err_mean"), 0);
    assert_int_equal(results_cell(&rs, "audio_s_qexpand"), 8);
    assert_int_equal(rs.cols[results_cell(&rs, "audio_s_batch")].role, ROLE_TIME);
    assert_int_equal(results_attr(&rs, "rvc_blend_k")->i, 4);
    assert_true(results_attr(&rs, "rvc_index_rate")->f == 0.75);

    const struct result_row *flat = find(&rs, "Flat", "l2", 0), *one = find(&rs, "IVF8,Flat", "l2", 1);
    assert_int_equal(results_value(&rs, flat, "blend_err_mean", &v), 0);
    assert_true(v < 1e-6);                       /* exact neighbours: the exact blend */
    assert_int_equal(results_value(&rs, one, "blend_err_mean", &v), 0);
    assert_true(v > 0);
    assert_int_equal(results_value(&rs, one, "audio_s_batch", &v), 0);
    assert_float_equal(v, 50 / one->qps, 1e-12);
    /* ip: no blend, but the audio time */
    const struct result_row *ip = find(&rs, "Flat", "ip", 0);
    assert_int_equal(results_value(&rs, ip, "blend_err_mean", &v), 0);
    assert_true(isnan(v));
    assert_int_equal(results_value(&rs, ip, "audio_s_single", &v), 0);
    assert_true(v > 0);
    /* skipped: everything unset */
    const struct result_row *skip = find(&rs, "IVF8,Flat", "l2", 16);
    assert_int_equal(results_value(&rs, skip, "blend_missing", &v), 0);
    assert_true(v == -1);

    const struct result_table *t = results_table(&rs, "blend");
    assert_non_null(t);
    assert_int_equal(t->n_rows, 3 * 2);          /* l2: Flat, nprobe 1, nprobe 8; two rates */
    int c_row = results_table_col(t, "run_row"), c_rate = results_table_col(t, "index_rate");
    for (size_t i = 0; i < t->n_rows; i++) {
        const union result_cell *b = t->cells + i * t->n_cols;
        assert_string_equal(rs.rows[b[c_row].i].metric, "l2");
        assert_string_equal(rs.rows[b[c_row].i].status, "ok");
        assert_true(b[c_rate].f == (i % 2 ? 0.25 : 0.75));
    }
    results_release(&rs);
    free(body);
}

/* --set overrides go through to the run (and are recorded). */
static void test_set_overrides(void **state)
{
    static const char *const sets[] = { "k=[1, 3]", "metrics=[l2]" };
    struct result_set rs;
    (void)state;
    sweep("set", grid, sets, 2, &rs);
    assert_int_equal(rs.n_ks, 2);
    assert_int_equal(rs.ks[1], 3);
    assert_int_equal(rs.n_rows, 4);
    assert_non_null(strstr(results_attr(&rs, "config_sets")->s, "metrics=[l2]"));
    results_release(&rs);
}

static int bad_run(void *arg)
{
    struct run_opts o = { .output_dir = tmp("bad-out") };
    char *results = (char *)1;
    int rc = run_sweep(arg, &o, &results);
    assert_null(results);
    return rc;
}

/* measure.timing_queries: timing 10 of the 40 queries gives the recall of
 * timing all of them (recall always comes from all), the qps of the
 * subset, and the count in the attributes; the cost phases of each run are
 * all stored and add up to its wall time. */
static void test_timed_subset(void **state)
{
    static const char body[] =
        "k: [1, 5]\nindexes:\n  - factory: Flat\n"
        "  - factory: \"IVF{nlist},Flat\"\n    nlist: [8]\n"
        "  - factory: \"IVF{nlist},PQ4x4,RFlat\"\n    nlist: [8]\n    k_factor: [1, 2]\n"
        "search: {nprobe: [1, 2]}\n";
    static const char *const phases[] = {
        "load", "groundtruth", "prepare", "train", "add", "size",
        "timed_search", "untimed_search", "write", "other",
    };
    const char *const all[] = { "measure.timing_queries=-1" };
    const char *const ten[] = { "measure.timing_queries=10" };
    struct result_set a, b;
    (void)state;

    sweep("subset-all", body, all, 1, &a);
    sweep("subset-ten", body, ten, 1, &b);
    assert_int_equal(results_attr(&a, "timed_queries")->i, 40);
    assert_int_equal(results_attr(&b, "timed_queries")->i, 10);
    assert_int_equal(a.n_rows, b.n_rows);
    for (size_t i = 0; i < a.n_rows; i++) {
        if (strcmp(a.rows[i].status, "ok"))
            continue;
        assert_string_equal(b.rows[i].status, "ok");
        for (size_t j = 0; j < 2; j++) {
            assert_true(a.rows[i].recall_at[j] == b.rows[i].recall_at[j]);
            assert_true(a.rows[i].recall1_at[j] == b.rows[i].recall1_at[j]);
        }
        assert_true(b.rows[i].qps > 0 && isfinite(b.rows[i].qps));
    }
    for (int r = 0; r < 2; r++) {
        const struct result_set *rs = r ? &b : &a;
        double sum = 0, wall = results_attr(rs, "wall_s")->f;
        for (size_t p = 0; p < sizeof(phases) / sizeof(*phases); p++) {
            char name[64];
            const struct result_attr *at;
            snprintf(name, sizeof(name), "cost_%s_s", phases[p]);
            at = results_attr(rs, name);
            assert_non_null(at);
            assert_true(at->f >= 0);
            sum += at->f;
        }
        assert_true(fabs(sum - wall) <= 1e-9 * wall);
        assert_true(results_attr(rs, "cost_timed_search_s")->f > 0);
        assert_true(results_attr(rs, "cost_train_s")->f > 0);
    }
    results_release(&a);
    results_release(&b);
}

/* The noisy rule on hand-made rows: an interval within 10% of the median
 * on both sides and steady rounds are not noisy; either side beyond it,
 * or rounds' p50 varying more, is; with neither judged, -1. */
static void test_noisy_rule(void **state)
{
    struct result_row r = { .qps = 1000, .qps_lo = 920, .qps_hi = 1080, .lat_p50_cv = 0.05 };
    (void)state;
    assert_int_equal(point_noisy(&r, 0.10), 0);
    r.qps_lo = 880;                         /* 12% below */
    assert_int_equal(point_noisy(&r, 0.10), 1);
    assert_int_equal(point_noisy(&r, 0.15), 0);
    r.qps_lo = 950;
    r.qps_hi = 1101;                        /* just over 10% above */
    assert_int_equal(point_noisy(&r, 0.10), 1);
    r.qps_hi = 1050;
    r.lat_p50_cv = 0.11;
    assert_int_equal(point_noisy(&r, 0.10), 1);
    r.lat_p50_cv = NAN;                     /* no latency rounds: qps alone */
    assert_int_equal(point_noisy(&r, 0.10), 0);
    r.qps_lo = r.qps_hi = NAN;              /* one repetition either */
    assert_int_equal(point_noisy(&r, 0.10), -1);
    r.lat_p50_cv = 0.02;
    assert_int_equal(point_noisy(&r, 0.10), 0);
}

/* A factory faiss refuses: one error line naming the config line, and no
 * file written. */
static void test_bad_config(void **state)
{
    char *cfg = xasprintf("name: bad\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                          "indexes:\n  - factory: IVF8,Flaat\n", tmp("base.fvecs"),
                          tmp("queries.fvecs"));
    (void)state;
    write_text_file(tmp("bad.yaml"), cfg);
    assert_fails(bad_run((void *)tmp("bad.yaml")), "bad.yaml:4", "IVF8,Flaat");
    DIR *d = opendir(tmp("bad-out"));
    int files = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        files += e->d_name[0] != '.';
    if (d)
        closedir(d);
    assert_int_equal(files, 0);
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generic_run),
        cmocka_unit_test(test_repetitions),
        cmocka_unit_test(test_rvc_run),
        cmocka_unit_test(test_set_overrides),
        cmocka_unit_test(test_timed_subset),
        cmocka_unit_test(test_noisy_rule),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
