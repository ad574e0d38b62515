/*
 * test_train_rows.c - `indexes[].train_rows`: a build trained on the
 * first n base rows. The index holds every row but was trained on n; the
 * quantizer cache tells the two samples apart; fewer rows than lists skips
 * the build; the row records the setting; and `compare` flags the recall a
 * small sample loses at the same nominal settings (issue 12's quality
 * regression), exit 1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/build.h"
#include "core/quantizers.h"
#include "lib/util.h"
#include "out/results.h"
#include "testutil.h"

#define N 3000
#define D 16

static int setup(void **state)
{
    if (tmpdir_setup(state))
        return -1;
    util_quiet = 1;
    if (write_random_fvecs(tmp("base.fvecs"), N, D, 31) ||
        write_random_fvecs(tmp("queries.fvecs"), 200, D, 32))
        return -1;
    return 0;
}

/* The sample is what trains: its size is recorded, the index holds all
 * rows, and a cached quantizer of one sample is not taken for another's. */
static void test_build_sample(void **state)
{
    float *xb = random_rows(N, D, 33);
    struct quantizer_cache qc;
    struct build_stats a, b, c;
    struct fs_index *idx = NULL;
    (void)state;

    quantizer_cache_init(&qc, NULL);
    assert_int_equal(build_index(&idx, "IVF32,Flat", BACKEND_L2, xb, N, 100, D, 0, &qc, &a), 0);
    assert_int_equal(a.train_rows, 100);
    assert_int_equal(backend_ntotal(idx), N);
    assert_int_equal(a.quantizer_reused, 0);
    backend_free(idx);
    assert_int_equal(build_index(&idx, "IVF32,Flat", BACKEND_L2, xb, N, 0, D, 0, &qc, &b), 0);
    assert_int_equal(b.train_rows, N);
    assert_int_equal(b.quantizer_reused, 0);    /* another sample: trained anew */
    backend_free(idx);
    assert_int_equal(build_index(&idx, "IVF32,SQ8", BACKEND_L2, xb, N, 100, D, 0, &qc, &c), 0);
    assert_int_equal(c.quantizer_reused, 1);    /* the first sample's centroids */
    assert_int_equal(c.train_rows, 100);
    backend_free(idx);
    quantizer_cache_release(&qc);
    free(xb);
}

static char *config(const char *name, long train_rows)
{
    return xasprintf("name: %s\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                     "k: [10]\nindexes:\n  - factory: \"IVF{nlist},Flat\"\n"
                     "    nlist: [64]\n    train_rows: %ld\n"
                     "search: {nprobe: [1, 4]}\n"
                     "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 0}\n"
                     "checkpoint_s: -1\ncache_dir: %s\n",
                     name, tmp("base.fvecs"), tmp("queries.fvecs"), train_rows, tmp("cache"));
}

static int compare(const char *a, const char *b, const char *out)
{
    char *cmd = xasprintf("'%s' compare '%s' '%s' > '%s' 2>&1", FS_BINARY, a, b, out);
    int st = system(cmd);
    free(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The same settings trained on 64 rows (one per list) instead of all:
 * recall drops, and compare says so with the numbers. */
static void test_compare_flags_small_sample(void **state)
{
    char *full = config("full", 0), *small = config("small", 64), *pa = NULL, *pb = NULL;
    struct result_set a, b;
    char *out;
    (void)state;

    assert_int_equal(run_config("full", full, NULL, 0, &pa, NULL), 0);
    assert_int_equal(run_config("small", small, NULL, 0, &pb, NULL), 0);
    assert_int_equal(results_read(&a, pa), 0);
    assert_int_equal(results_read(&b, pb), 0);
    assert_int_equal(a.n_rows, 2);
    assert_int_equal(b.n_rows, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(a.rows[i].train_rows, 0);
        assert_int_equal(b.rows[i].train_rows, 64);
        assert_true(b.rows[i].recall_at[0] < a.rows[i].recall_at[0] - 0.02);
    }
    assert_int_equal(compare(pa, pb, tmp("cmp.txt")), 1);
    out = read_file(tmp("cmp.txt"), NULL);
    assert_has(out, "recall");
    assert_has(out, "regression");
    assert_has(out, "differ in train_rows of 'IVF{nlist},Flat': 0 vs 64");
    free(out);
    assert_int_equal(compare(pa, pa, tmp("same.txt")), 0);
    results_release(&a);
    results_release(&b);
    free(pa);
    free(pb);
    free(full);
    free(small);
}

/* Fewer training rows than lists: the build's points are skipped, saying why. */
static void test_fewer_rows_than_lists(void **state)
{
    char *text = config("few", 10), *path = NULL;
    struct result_set rs;
    (void)state;

    /* every point skipped: nothing to measure, an error naming the reason */
    assert_int_equal(run_config("few", text, NULL, 0, &path, NULL), -1);
    free(path);
    free(text);
    text = xasprintf("name: few2\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                     "k: [10]\nindexes:\n  - factory: Flat\n  - factory: \"IVF{nlist},Flat\"\n"
                     "    nlist: [64]\n    train_rows: 10\n"
                     "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 0}\n"
                     "checkpoint_s: -1\ncache_dir: %s\n",
                     tmp("base.fvecs"), tmp("queries.fvecs"), tmp("cache"));
    path = NULL;
    assert_int_equal(run_config("few2", text, NULL, 0, &path, NULL), 0);
    assert_int_equal(results_read(&rs, path), 0);
    assert_int_equal(rs.n_rows, 2);
    assert_string_equal(rs.rows[1].status, "skipped: train_rows < nlist");
    results_release(&rs);
    free(path);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_sample),
        cmocka_unit_test(test_compare_flags_small_sample),
        cmocka_unit_test(test_fewer_rows_than_lists),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
