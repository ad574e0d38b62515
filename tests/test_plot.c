/*
 * test_plot.c - plots of a small hand-made result set: the Pareto front
 * keeps exactly the non-dominated points, every template writes a real PNG
 * and SVG, the data files carry each point's qps interval, gnuplot trouble
 * is reported by name. (The summary table is tested in test_summary.c.)
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

#include "out/plot.h"
#include "out/results.h"
#include "lib/util.h"
#include "testutil.h"

#ifndef FS_SOURCE_DIR
#error "FS_SOURCE_DIR must name the source root (CMake defines it)"
#endif

static char *h5path;

static const char *const plots[] = { "recall_qps", "recall_nprobe", "recall_size", "build_nlist" };
#define N_PLOTS (sizeof(plots) / sizeof(plots[0]))

static void add(struct result_set *rs, const char *family, const char *factory, long nlist,
                long nprobe, long k_factor, double recall, double qps, const char *status)
{
    struct result_row r;
    memset(&r, 0, sizeof(r));
    snprintf(r.family, sizeof(r.family), "%s", family);
    snprintf(r.factory, sizeof(r.factory), "%s", factory);
    strcpy(r.metric, "l2");
    r.nlist = nlist;
    r.nprobe = nprobe;
    r.k_factor = k_factor;
    r.train_s = 0.001 * (double)nlist;
    r.add_s = 0.5;
    r.qps = qps;
    r.lat_mean_us = r.lat_p50_us = 1e6 / qps * 4;
    r.lat_p95_us = r.lat_p50_us * 2;
    r.lat_p99_us = r.lat_p50_us * 3;
    r.index_bytes = (int64_t)(nlist + 100) * 40000 / (k_factor ? 8 : 1);
    r.ndis_per_query = NAN;
    r.recall_at[0] = recall - 0.3;   /* k = 1: not the column that counts */
    r.recall_at[1] = recall;         /* k = 10 */
    r.recall1_at[0] = r.recall1_at[1] = recall;
    snprintf(r.status, sizeof(r.status), "%s", status);
    results_add_row(rs, &r);
}

/* Two IVF families plus one that only failed. In IVF{nlist},Flat the
 * IVF256 nprobe=2 point (0.91, 5000) is dominated by IVF64 nprobe=4
 * (0.92, 6000). Rows not "ok" have tempting numbers and must be ignored. */
static void make_set(struct result_set *rs)
{
    memset(rs, 0, sizeof(*rs));
    rs->ks[0] = 1;
    rs->ks[1] = 10;
    rs->n_ks = 2;
    add(rs, "IVF{nlist},Flat", "IVF64,Flat", 64, 1, 0, 0.80, 10000, "ok");
    add(rs, "IVF{nlist},Flat", "IVF64,Flat", 64, 4, 0, 0.92, 6000, "ok");
    add(rs, "IVF{nlist},Flat", "IVF64,Flat", 64, 16, 0, 0.97, 2000, "ok");
    add(rs, "IVF{nlist},Flat", "IVF256,Flat", 256, 2, 0, 0.91, 5000, "ok");
    add(rs, "IVF{nlist},Flat", "IVF256,Flat", 256, 16, 0, 0.995, 1500, "ok");
    add(rs, "IVF{nlist},Flat", "IVF1024,Flat", 1024, 32, 0, 0.999, 1e9, "failed: search");
    add(rs, "IVF{nlist},PQ8", "IVF64,PQ8", 64, 4, 1, 0.70, 20000, "ok");
    add(rs, "IVF{nlist},PQ8", "IVF64,PQ8", 64, 16, 1, 0.85, 9500, "ok");
    add(rs, "IVF{nlist},PQ8", "IVF64,PQ8", 64, 16, 4, 0.93, 9000, "ok");
    add(rs, "IVF{nlist},PQ8", "IVF256,PQ8", 256, 64, 4, 0.999, 1e9, "skipped: too big");
    add(rs, "HNSW{M}", "HNSW32", 0, 0, 0, 1.0, 1e9, "failed: build");
    /* qps 95% intervals on two points (the rest have none: 0, 0) */
    rs->rows[1].qps_lo = 5500;
    rs->rows[1].qps_hi = 6600;
    rs->rows[3].qps_lo = 4800.5;
    rs->rows[3].qps_hi = 5200;
    results_attr_str(rs, "name", "tiny-sweep");
    results_attr_str(rs, "dataset_base", "/data/sift/siftsmall_base.fvecs");
    results_attr_int(rs, "N", 10000);
    results_attr_int(rs, "d", 128);
    results_attr_int(rs, "nq", 100);
}

static int setup(void **state)
{
    struct result_set rs;
    (void)state;
    if (tmpdir_make("plot"))
        return -1;
    h5path = xasprintf("%s/tiny-sweep-20250101T000000Z.h5", tmpdir);
    make_set(&rs);
    int rc = results_write(&rs, h5path);
    results_release(&rs);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    free(h5path);
    return rm_tree(tmpdir);
}


static void test_pareto_front(void **state)
{
    /*                     0      1      2      3      4      5      6      7      8     9 */
    const double rec[] = { 0.80, 0.92, 0.97, 0.91, 0.995, 0.92, NAN,  0.97,  0.90, 0.50 };
    const double qps[] = { 1e4,  6000, 2000, 5000, 1500,  6000, 1e9,  1000,  6000, 1e4 };
    size_t idx[10];
    (void)state;
    /* 3 dominated by 1; 5 duplicates 1; 6 has NaN; 7 same recall as 2 but
     * slower; 8 same qps as 1 with less recall; 9 same qps as 0, less recall. */
    size_t n = pareto_front(rec, qps, 10, idx);
    assert_int_equal(n, 4);
    assert_int_equal(idx[0], 0);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 2);
    assert_int_equal(idx[3], 4);

    assert_int_equal(pareto_front(rec, qps, 0, idx), 0);
    assert_int_equal(pareto_front(rec + 3, qps + 3, 1, idx), 1);
    assert_int_equal(idx[0], 0);
}

static int nonempty_file(const char *path, const char *magic, size_t magic_len, const char *contains)
{
    size_t len = 0;
    char *buf = read_file(path, &len);
    int ok = buf && len > 0;
    if (ok && magic)
        ok = len >= magic_len && !memcmp(buf, magic, magic_len);
    if (ok && contains)
        ok = strstr(buf, contains) != NULL;
    free(buf);
    return ok;
}

static void test_plot_files(void **state)
{
    char *outdir = xasprintf("%s/plots/nested", tmpdir);   /* does not exist yet */
    (void)state;
    assert_int_equal(plot_results(h5path, outdir, FS_SOURCE_DIR "/plots"), 0);
    for (size_t i = 0; i < N_PLOTS; i++) {
        char *png = xasprintf("%s/tiny-sweep-20250101T000000Z-%s.png", outdir, plots[i]);
        char *svg = xasprintf("%s/tiny-sweep-20250101T000000Z-%s.svg", outdir, plots[i]);
        assert_true(nonempty_file(png, "\x89PNG\r\n\x1a\n", 8, NULL));
        assert_true(nonempty_file(svg, NULL, 0, "<svg"));
        free(svg);
        free(png);
    }

    /* The front holds the undominated points only; the dots hold them all. */
    char *dots = xasprintf("%s/tiny-sweep-20250101T000000Z-recall_qps.dat", outdir);
    char *front = xasprintf("%s/tiny-sweep-20250101T000000Z-recall_qps-front.dat", outdir);
    char *d = read_file(dots, NULL), *f = read_file(front, NULL);
    assert_non_null(d);
    assert_non_null(f);
    assert_non_null(strstr(d, "\n0.91 5000 "));
    assert_null(strstr(f, "\n0.91 5000 "));
    assert_non_null(strstr(f, "\n0.92 6000 "));
    assert_non_null(strstr(f, "\n0.995 1500 "));
    assert_null(strstr(d, "1000000000"));      /* not-ok rows left out */
    assert_null(strstr(d, "HNSW"));
    assert_non_null(strstr(f, "\"IVF{nlist},PQ8\"\n0.7 20000 "));
    /* every point carries its qps interval in columns 8 and 9, "? ?" for none */
    assert_non_null(strstr(d, "# x y nprobe k_factor nlist recall factory qps_lo qps_hi "));
    assert_non_null(strstr(d, "\n0.91 5000 2 0 256 0.91 \"IVF256,Flat\" 4800.5 5200\n"));
    assert_non_null(strstr(d, "\n0.92 6000 4 0 64 0.92 \"IVF64,Flat\" 5500 6600\n"));
    assert_non_null(strstr(f, "\n0.92 6000 4 0 64 0.92 \"IVF64,Flat\" 5500 6600\n"));
    assert_non_null(strstr(d, "\n0.8 10000 1 0 64 0.8 \"IVF64,Flat\" ? ?\n"));
    assert_non_null(strstr(f, "\n0.7 20000 4 1 64 0.7 \"IVF64,PQ8\" ? ?\n"));
    free(f);
    free(d);
    free(front);
    free(dots);
    free(outdir);
}

/* Only graph indexes, two metrics: the IVF plots say "no data" instead of
 * failing, and the legend names the metric. */
static void test_plot_no_ivf(void **state)
{
    struct result_set rs;
    char *path = xasprintf("%s/graph-only.h5", tmpdir);
    char *outdir = xasprintf("%s/graph-plots", tmpdir);
    (void)state;
    memset(&rs, 0, sizeof(rs));
    rs.ks[0] = 10;
    rs.n_ks = 1;
    add(&rs, "HNSW{M}", "HNSW32", 0, 0, 0, 0.9, 5000, "ok");
    add(&rs, "HNSW{M}", "HNSW32", 0, 0, 0, 0.99, 900, "ok");
    add(&rs, "HNSW{M}", "HNSW32", 0, 0, 0, 0.98, 1000, "ok");
    strcpy(rs.rows[2].metric, "ip");
    assert_int_equal(results_write(&rs, path), 0);
    assert_int_equal(plot_results(path, outdir, FS_SOURCE_DIR "/plots"), 0);
    for (size_t i = 0; i < N_PLOTS; i++) {
        char *png = xasprintf("%s/graph-only-%s.png", outdir, plots[i]);
        char *svg = xasprintf("%s/graph-only-%s.svg", outdir, plots[i]);
        assert_true(nonempty_file(png, "\x89PNG\r\n\x1a\n", 8, NULL));
        assert_true(nonempty_file(svg, NULL, 0, "<svg"));
        free(svg);
        free(png);
    }
    char *dots = xasprintf("%s/graph-only-recall_qps.dat", outdir);
    char *d = read_file(dots, NULL);
    assert_non_null(strstr(d, "\"HNSW{M} [ip]\""));
    assert_non_null(strstr(d, "\"HNSW{M} [l2]\""));
    free(d);
    free(dots);
    free(outdir);
    free(path);
    results_release(&rs);
}

struct plot_call { const char *templates; long k; };

static int do_plot(void *arg)
{
    const struct plot_call *c = arg;
    char *outdir = xasprintf("%s/plots-err", tmpdir);
    int rc = plot_results_at(h5path, outdir, c->templates, c->k);
    free(outdir);
    return rc;
}

static void test_plot_k_choice(void **state)
{
    struct plot_call c = { FS_SOURCE_DIR "/plots", 1 };
    char *err = NULL;
    (void)state;
    assert_int_equal(do_plot(&c), 0);
    c.k = 5;
    assert_int_equal(capture_stderr(do_plot, &c, &err), -1);
    assert_non_null(strstr(err, "recall@5"));
    assert_non_null(strstr(err, "1, 10"));
    free(err);
}

/* A template gnuplot rejects: the error names it. */
static void test_bad_template(void **state)
{
    char *dir = xasprintf("%s/badtpl", tmpdir);
    char *err = NULL;
    (void)state;
    assert_int_equal(mkdir(dir, 0755), 0);
    for (size_t i = 0; i < N_PLOTS; i++) {
        char *p = xasprintf("%s/%s.gp", dir, plots[i]);
        FILE *f = fopen(p, "w");
        fputs("this is not gnuplot\n", f);
        fclose(f);
        free(p);
    }
    struct plot_call c = { dir, 0 };
    assert_int_equal(capture_stderr(do_plot, &c, &err), -1);
    assert_non_null(strstr(err, "recall_qps.gp"));
    assert_non_null(strstr(err, "gnuplot failed"));
    free(err);
    free(dir);
}

static void test_no_gnuplot(void **state)
{
    struct plot_call c = { FS_SOURCE_DIR "/plots", 0 };
    char *old = xstrdup(getenv("PATH") ? getenv("PATH") : "");
    char *err = NULL;
    (void)state;
    setenv("PATH", tmpdir, 1);   /* a folder with no gnuplot */
    int rc = capture_stderr(do_plot, &c, &err);
    setenv("PATH", old, 1);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "gnuplot not found"));
    free(err);
    free(old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pareto_front),
        cmocka_unit_test(test_plot_files),
        cmocka_unit_test(test_plot_no_ivf),
        cmocka_unit_test(test_plot_k_choice),
        cmocka_unit_test(test_bad_template),
        cmocka_unit_test(test_no_gnuplot),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
