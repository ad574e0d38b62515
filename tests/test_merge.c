/*
 * test_merge.c - merge (out/merge.h) on the task files of a small real
 * sweep (sift5k): 2 and 3 tasks merged hold the single run's rows (every
 * column but the times), in its order, with /timings rows moved to the
 * merged rows; /tasks and merged_tasks; cost attributes summed; a task of an empty share writes a
 * valid file of zero rows; refusals (a task missing, a task twice,
 * different run ids, a different config text, an interrupted task) write
 * nothing; python3-h5py reads the merged file.
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
#include <unistd.h>

#include "lib/util.h"
#include "out/merge.h"
#include "out/results.h"
#include "out/summary.h"
#include "run/run.h"
#include "testutil.h"

#define SIFT "sift5k/sift-dataset-5k.tsv"

/* 5 builds, 16 points; timing cut to the bone. */
static char *config_text(const char *extra)
{
    return xasprintf("name: m\n"
                     "dataset: {format: tsv-id, base: %s, holdout: 200}\n"
                     "cache_dir: %s\n"
                     "k: [1, 10]\n"
                     "indexes:\n"
                     "  - factory: Flat\n"
                     "  - factory: \"IVF{nlist},Flat\"\n"
                     "    nlist: [16, 32, 64]\n"
                     "  - factory: \"IVF{nlist},PQ16x4fs,RFlat\"\n"
                     "    nlist: [16]\n"
                     "    k_factor: [1, 2]\n"
                     "search: {nprobe: [1, 4]}\n"
                     "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 5,"
                     " latency_rounds: 1}\n%s",
                     shared_file(FS_SHARED_DATA, SIFT), tmp("cache"), extra);
}

static int setup(void **state)
{
    if (tmpdir_setup(state))
        return -1;
    util_quiet = 1;
    return 0;
}

/* Run the config text as task index of count (count 0: a plain run) into
 * tmp(out); the results file's path (caller frees). */
static char *run_task(const char *text, const char *out, long index, long count, const char *id)
{
    char *cfg = xasprintf("%s/%s.yaml", tmp(out), id ? id : "single");
    struct run_opts o = { .output_dir = tmp(out), .task_index = index, .task_count = count,
                          .run_id = id };
    char *path = NULL;

    assert_int_equal(make_dirs(tmp(out)), 0);
    assert_int_equal(write_string(cfg, text), 0);
    assert_int_equal(run_sweep(cfg, &o, &path), 0);
    assert_non_null(path);
    free(cfg);
    return path;
}

/* The columns of /runs that are not times (nor the build's RSS, nor what
 * the quantizer cache held). */
static int compared(const struct run_column *c)
{
    return c->role != ROLE_TIME && strcmp(c->name, "rss_delta_bytes") &&
           strcmp(c->name, "quantizer_reused");
}

static void same_rows(const struct result_set *a, const struct result_set *b)
{
    struct run_column ca[RESULTS_MAX_COLUMNS], cb[RESULTS_MAX_COLUMNS];
    size_t na = results_columns(a, ca), nb = results_columns(b, cb);

    assert_int_equal(na, nb);
    assert_int_equal(a->n_rows, b->n_rows);
    for (size_t i = 0; i < a->n_rows; i++)
        for (size_t c = 0; c < na; c++) {
            const char *pa = (const char *)&a->rows[i] + ca[c].off;
            const char *pb = (const char *)&b->rows[i] + cb[c].off;
            assert_string_equal(ca[c].name, cb[c].name);
            if (!compared(&ca[c]))
                continue;
            if (ca[c].type == COL_STR) {
                assert_string_equal(pa, pb);
            } else {
                double x = results_cell_value(&a->rows[i], &ca[c]);
                double y = results_cell_value(&b->rows[i], &cb[c]);
                if (!(isnan(x) && isnan(y)) && x != y)
                    fail_msg("row %zu column %s: %g single, %g merged", i, ca[c].name, x, y);
            }
        }
}

/* The row of t with row's settings. */
static size_t row_of(const struct result_set *t, const struct result_row *row)
{
    for (size_t i = 0; i < t->n_rows; i++)
        if (!strcmp(t->rows[i].factory, row->factory) && t->rows[i].nprobe == row->nprobe &&
            t->rows[i].k_factor == row->k_factor)
            return i;
    fail_msg("no row %s nprobe %lld", row->factory, (long long)row->nprobe);
    return 0;
}

/* Sum of /timings seconds of rs's row r, and their count. */
static double timings_of(const struct result_set *rs, size_t r, size_t *n)
{
    const struct result_table *t = results_table(rs, RESULTS_TIMINGS);
    double sum = 0;
    *n = 0;
    assert_non_null(t);
    for (size_t i = 0; i < t->n_rows; i++)
        if (t->cells[i * t->n_cols + TIMING_RUN_ROW].i == (int64_t)r) {
            sum += t->cells[i * t->n_cols + TIMING_SECONDS].f;
            (*n)++;
        }
    return sum;
}

/* Each merged row's /timings rows are those its task measured. */
static void timings_follow(const struct result_set *m, char **tasks, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        struct result_set t = { 0 };
        assert_int_equal(results_read(&t, tasks[k]), 0);
        for (size_t i = 0; i < t.n_rows; i++) {
            size_t j = row_of(m, &t.rows[i]), c1, c2;
            double s1 = timings_of(&t, i, &c1), s2 = timings_of(m, j, &c2);
            assert_int_equal(c1, c2);
            assert_true(c1 > 0 || !results_row_ok(&t.rows[i]));
            assert_true(s1 == s2);
        }
        results_release(&t);
    }
}

/* The merged file's cost attributes (cost_<phase>_s, journal_s) are the
 * sums of the tasks' (each task's add up to its own wall time). */
static void costs_summed(const struct result_set *m, char **tasks, size_t n)
{
    static const char *const names[] = { "cost_load_s", "cost_train_s", "cost_timed_search_s",
                                         "cost_write_s", "journal_s" };
    struct result_set t[4];
    for (size_t k = 0; k < n; k++)
        assert_int_equal(results_read(&t[k], tasks[k]), 0);
    for (size_t a = 0; a < sizeof(names) / sizeof(*names); a++) {
        double sum = 0;
        for (size_t k = 0; k < n; k++) {
            assert_non_null(results_attr(&t[k], names[a]));
            sum += results_attr(&t[k], names[a])->f;
        }
        assert_non_null(results_attr(m, names[a]));
        assert_true(sum > 0 || !strcmp(names[a], "journal_s"));
        assert_true(fabs(results_attr(m, names[a])->f - sum) <= 1e-9 * (1 + sum));
    }
    for (size_t k = 0; k < n; k++)
        results_release(&t[k]);
}

/* tasks of count, merged into tmp(out)/merged.h5; rows like single's. */
static void merge_equals_single(long count, const char *single_path)
{
    char *text = config_text(""), *tasks[4], out[64], *merged;
    struct result_set s = { 0 }, m = { 0 };
    const struct result_table *tt;

    snprintf(out, sizeof(out), "out-%ld", count);
    for (long i = 0; i < count; i++)
        tasks[i] = run_task(text, out, i, count, "r1");
    merged = xasprintf("%s/merged.h5", tmp(out));
    assert_int_equal(merge_tasks((const char *const *)tasks, (size_t)count, merged), 0);
    assert_int_equal(results_read(&s, single_path), 0);
    assert_int_equal(results_read(&m, merged), 0);
    same_rows(&s, &m);
    timings_follow(&m, tasks, (size_t)count);
    costs_summed(&m, tasks, (size_t)count);
    assert_int_equal(results_attr(&m, "merged_tasks")->i, count);
    assert_null(results_attr(&m, "task_index"));
    assert_null(results_table(&m, RESULTS_ORDINALS));
    assert_non_null(tt = results_table(&m, RESULTS_TASKS));
    assert_int_equal(tt->n_rows, (size_t)count);
    {
        /* python3-h5py reads it: the rows, /tasks, merged_tasks. */
        char *cmd = xasprintf("/usr/bin/python3 -c \"import h5py,sys; f=h5py.File(sys.argv[1]);"
                              " assert len(f['runs'])==%zu and len(f['tasks'])==%ld and"
                              " int(f.attrs['merged_tasks'])==%ld, 'bad'\" '%s'",
                              s.n_rows, count, count, merged);
        assert_int_equal(system(cmd), 0);
        free(cmd);
    }
    results_release(&s);
    results_release(&m);
    for (long i = 0; i < count; i++)
        free(tasks[i]);
    free(merged);
    free(text);
}

static void test_merge_equals_single(void **state)
{
    char *text = config_text(""), *single;
    (void)state;
    single = run_task(text, "single", -1, 0, NULL);
    merge_equals_single(2, single);
    merge_equals_single(3, single);
    free(single);
    free(text);
}

/* N > builds: a task of no build still writes a file, of zero rows. */
static void test_empty_task(void **state)
{
    char *text = config_text(""), *path;
    struct result_set rs = { 0 };
    (void)state;
    path = run_task(text, "empty", 6, 7, "e1");
    assert_non_null(strstr(path, "/m-e1.task-6-of-7.h5"));
    assert_int_equal(results_read(&rs, path), 0);
    assert_int_equal(rs.n_rows, 0);
    assert_int_equal(results_attr(&rs, "task_index")->i, 6);
    assert_int_equal(results_attr(&rs, "task_count")->i, 7);
    assert_string_equal(results_attr_text(&rs, "run_id"), "e1");
    assert_non_null(results_attr_text(&rs, "plan_hash"));
    results_release(&rs);
    free(path);
    free(text);
}

/* merge must fail with rc, its message holding want (n_lines lines), and
 * write no OUT (nor a partial one). */
static void refused(const char *const *paths, size_t n, int rc, const char *want, int n_lines)
{
    const char *out = tmp("refused/out.h5"), *err;
    char *partial = xasprintf("%s.partial", out);
    int r;

    capture_start();
    r = merge_tasks(paths, n, out);
    err = capture_end();
    assert_int_equal(r, rc);
    assert_has(err, want);
    if (n_lines)
        assert_int_equal(count_lines(err), n_lines);
    assert_int_not_equal(access(out, F_OK), 0);
    assert_int_not_equal(access(partial, F_OK), 0);
    free(partial);
}

static void test_refusals(void **state)
{
    char *text = config_text(""), *other = config_text("# another comment\n");
    char *a0, *a1, *b1, *c1, *copy;
    (void)state;
    a0 = run_task(text, "ref", 0, 2, "A");
    a1 = run_task(text, "ref", 1, 2, "A");
    b1 = run_task(text, "ref", 1, 2, "B");
    c1 = run_task(other, "ref2", 1, 2, "A");
    copy = xasprintf("%s/copy.h5", tmp("ref"));
    {
        char *cmd = xasprintf("cp '%s' '%s'", a0, copy);
        assert_int_equal(system(cmd), 0);
        free(cmd);
    }
    assert_int_equal(make_dirs(tmp("refused")), 0);
    {
        const char *p[] = { a0 };
        refused(p, 1, 1, "missing task 1 of 2", 1);
    }
    {
        const char *p[] = { a0, a1, copy };
        refused(p, 3, 1, "task 0 twice", 1);
    }
    {
        const char *p[] = { a0, b1 };
        refused(p, 2, 1, "run id differs", 1);
    }
    {
        const char *p[] = { a0, c1 };
        refused(p, 2, 1, "config text differs", 1);
    }
    {
        const char *p[] = { a0, tmp("ref/none.h5") };
        refused(p, 2, 2, "none.h5", 0);
    }
    {
        /* A plain run's file is no task's. */
        char *plain = run_task(text, "ref3", -1, 0, NULL);
        const char *p[] = { a0, plain };
        refused(p, 2, 1, "not a task's file", 0);
        free(plain);
    }
    {
        /* Unwritable OUT: an error, no file. */
        const char *p[] = { a0, a1 };
        assert_int_equal(merge_tasks(p, 2, tmp("no/such/dir/out.h5")), 1);
        assert_int_equal(merge_tasks(p, 2, tmp("refused/ok.h5")), 0);
    }
    free(copy);
    free(a0);
    free(a1);
    free(b1);
    free(c1);
    free(text);
    free(other);
}

/* Tasks on different CPU models: the merged file says so, and summary
 * names the families measured on several. */
static void test_cpu_models(void **state)
{
    char *text = config_text(""), *t[2], *merged = xstrdup(tmp("cpu/merged.h5"));
    struct result_set rs = { 0 };
    char *buf = NULL;
    size_t len = 0;
    FILE *f;
    (void)state;
    for (long i = 0; i < 2; i++)
        t[i] = run_task(text, "cpu", i, 2, "C");
    assert_int_equal(results_read(&rs, t[1]), 0);
    results_attr_str(&rs, "cpu_model", "Another CPU");
    assert_int_equal(results_write(&rs, t[1]), 0);
    results_release(&rs);
    assert_int_equal(merge_tasks((const char *const *)t, 2, merged), 0);
    assert_int_equal(results_read(&rs, merged), 0);
    assert_has(results_attr_text(&rs, "tasks_cpu_models"), "\nAnother CPU");
    assert_string_equal(results_attr_text(&rs, "cpu_model"), "mixed (see tasks_cpu_models)");
    f = open_memstream(&buf, &len);
    summary_print(f, &rs);
    fclose(f);
    assert_has(buf, "ran on 2 CPU models: speeds compare only within one model");
    /* IVF{nlist},Flat's three builds are split over the two tasks. */
    assert_has(buf, "IVF{nlist},Flat: points measured on different CPU models");
    free(buf);
    results_release(&rs);
    free(t[0]);
    free(t[1]);
    free(merged);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_equals_single),
        cmocka_unit_test(test_empty_task),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_cpu_models),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
