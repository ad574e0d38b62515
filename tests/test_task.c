/*
 * test_task.c - which task a run is (run/task.h): --task / --of / --run-id,
 * --task auto from Slurm's and Kubernetes's variables (set here), a plain
 * run reading none of them, and the usage errors (exit 2, one line naming
 * the option or the variable); `prepare` then two tasks: the tasks find
 * the ground truth and every coarse quantizer in the cache; a task
 * computes only the ground truths its builds need.
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

#include "lib/util.h"
#include "out/results.h"
#include "run/precompute.h"
#include "run/run.h"
#include "run/task.h"
#include "testutil.h"

static const char *const env_names[] = {
    "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_JOB_ID", "JOB_COMPLETION_INDEX",
};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
        unsetenv(env_names[i]);
}

/* task_resolve must fail with 2 and one line holding want. */
static void bad(const char *task, const char *of, const char *id, const char *want)
{
    struct task_spec t;
    const char *err;
    int rc;
    capture_start();
    rc = task_resolve(task, of, id, &t);
    err = capture_end();
    assert_int_equal(rc, 2);
    assert_has(err, want);
    assert_int_equal(count_lines(err), 1);
}

static void good(const char *task, const char *of, const char *id, long index, long count,
                 const char *run_id)
{
    struct task_spec t;
    assert_int_equal(task_resolve(task, of, id, &t), 0);
    assert_int_equal(t.index, index);
    assert_int_equal(t.count, count);
    assert_string_equal(t.run_id, run_id);
}

static void test_options(void **state)
{
    struct task_spec t;
    (void)state;
    clear_env();
    /* A plain run reads no variable. */
    setenv("SLURM_ARRAY_TASK_ID", "3", 1);
    assert_int_equal(task_resolve(NULL, NULL, NULL, &t), 0);
    assert_int_equal(t.index, -1);
    clear_env();
    good("1", "4", "abc", 1, 4, "abc");
    good("0", "1", "a.b_c-9", 0, 1, "a.b_c-9");
    bad(NULL, "4", NULL, "option '--of' goes with '--task'");
    bad(NULL, NULL, "x", "option '--run-id' goes with '--task'");
    bad("1", NULL, "x", "option '--task' needs '--of N'");
    bad("1", "4", NULL, "option '--task' needs '--run-id ID'");
    bad("4", "4", "x", "task 4 is out of range of 4 tasks");
    bad("x", "4", "x", "bad value 'x' of --task");
    bad("-1", "4", "x", "bad value '-1' of --task");
    bad("0", "0", "x", "bad value '0' of --of");
    bad("0", "2", "a/b", "bad run id 'a/b' of --run-id");
    bad("0", "2", "", "bad run id '' of --run-id");
    bad("0", "2", "12345678901234567890123456789012345678901234567890123456789012345",
        "of --run-id");
}

static void test_auto(void **state)
{
    (void)state;
    clear_env();
    bad("auto", "2", "x", "neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set");
    /* Slurm: I = ID - MIN, N and the id from the array unless given. */
    setenv("SLURM_ARRAY_TASK_ID", "7", 1);
    setenv("SLURM_ARRAY_TASK_MIN", "5", 1);
    setenv("SLURM_ARRAY_TASK_COUNT", "3", 1);
    setenv("SLURM_ARRAY_JOB_ID", "12345", 1);
    good("auto", NULL, NULL, 2, 3, "12345");
    good("auto", "4", "mine", 2, 4, "mine");
    unsetenv("SLURM_ARRAY_TASK_MIN");
    bad("auto", NULL, NULL, "task 7 is out of range of 3 tasks");
    setenv("SLURM_ARRAY_TASK_ID", "2", 1);
    good("auto", NULL, NULL, 2, 3, "12345");
    unsetenv("SLURM_ARRAY_TASK_COUNT");
    bad("auto", NULL, NULL, "SLURM_ARRAY_TASK_COUNT is not set");
    good("auto", "5", NULL, 2, 5, "12345");
    unsetenv("SLURM_ARRAY_JOB_ID");
    bad("auto", "5", NULL, "SLURM_ARRAY_JOB_ID is not set");
    setenv("SLURM_ARRAY_JOB_ID", "1/2", 1);
    bad("auto", "5", NULL, "bad run id '1/2' of SLURM_ARRAY_JOB_ID");
    setenv("SLURM_ARRAY_TASK_ID", "two", 1);
    bad("auto", "5", "x", "bad value 'two' of SLURM_ARRAY_TASK_ID");
    setenv("SLURM_ARRAY_TASK_ID", "1", 1);
    setenv("SLURM_ARRAY_TASK_MIN", "3", 1);
    bad("auto", "5", "x", "of SLURM_ARRAY_TASK_MIN");
    clear_env();
    /* Kubernetes: the index; --of and --run-id are needed. */
    setenv("JOB_COMPLETION_INDEX", "2", 1);
    good("auto", "3", "k8s", 2, 3, "k8s");
    bad("auto", NULL, "k8s", "JOB_COMPLETION_INDEX needs --of");
    bad("auto", "3", NULL, "JOB_COMPLETION_INDEX needs --run-id");
    setenv("JOB_COMPLETION_INDEX", "x", 1);
    bad("auto", "3", "k8s", "bad value 'x' of JOB_COMPLETION_INDEX");
    clear_env();
}

/* FS_BINARY with args: its exit status; stderr in tmp("stderr"). */
static int faiss_sweep(const char *args)
{
    char *cmd = xasprintf("%s %s >/dev/null 2>%s", FS_BINARY, args, tmp("stderr"));
    int st = system(cmd);
    free(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Usage errors of the command line: exit 2, the first line naming it. */
static void test_command_line(void **state)
{
    static const struct {
        const char *args, *want;
    } cases[] = {
        { "run c.yaml --of 2", "option '--of' goes with '--task'" },
        { "run c.yaml --task 1 --of 2", "needs '--run-id ID'" },
        { "run c.yaml --task 2 --of 2 --run-id x", "task 2 is out of range" },
        { "run c.yaml --task auto --of 2 --run-id x", "neither SLURM_ARRAY_TASK_ID" },
        { "merge a.h5 b.h5", "option '-o' is needed" },
        { "plan c.yaml", "option '--of' is needed" },
    };
    (void)state;
    clear_env();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *err;
        assert_int_equal(faiss_sweep(cases[i].args), 2);
        err = read_file(tmp("stderr"), NULL);
        assert_non_null(err);
        *strchrnul(err, '\n') = '\0';
        assert_has(err, cases[i].want);
        free(err);
    }
}

/* The IVF-Flat rows of a task's file, and how many took their coarse
 * quantizer from the cache, added to *ivf, *reused. (A re-ranked index
 * reuses none: its top index is not an IVF, core/build.c; a build on
 * k-means centroids has a quantizer of its own.) */
static void count_reused(const char *path, size_t *ivf, size_t *reused)
{
    struct result_set rs = { 0 };
    assert_int_equal(results_read(&rs, path), 0);
    for (size_t i = 0; i < rs.n_rows; i++)
        if (has_suffix(rs.rows[i].factory, ",Flat") && results_row_ok(&rs.rows[i]) &&
            rs.rows[i].n_clusters <= 0) {
            (*ivf)++;
            *reused += rs.rows[i].quantizer_reused == 1;
        }
    results_release(&rs);
}

/* Task i of 2 into dir, its stderr in *err (caller frees). */
static char *task(const char *cfg, const char *dir, long i, char **err)
{
    struct run_opts o = { .output_dir = dir, .task_index = i, .task_count = 2, .run_id = "p1" };
    char *path = NULL;
    capture_start();
    assert_int_equal(run_sweep(cfg, &o, &path), 0);
    *err = strdup(capture_end());
    return path;
}

static void test_prepare_then_tasks(void **state)
{
    const char *data = shared_file(FS_SHARED_DATA, "sift5k/sift-dataset-5k.tsv");
    char *text = xasprintf("name: pr\ndataset: {format: tsv-id, base: %s, holdout: 100}\n"
                           "k: [1, 10]\nindexes:\n  - factory: \"IVF{nlist},Flat\"\n"
                           "    nlist: [16, 32]\n  - factory: \"IVF{nlist},PQ16x4fs,RFlat\"\n"
                           "    nlist: [16, 32]\n  - factory: \"IVF{nlist},Flat\"\n"
                           "    nlist: [8]\n    kmeans: [300]\nsearch: {nprobe: [1]}\n"
                           "measure: {repeats: 1, warmup: 0, min_time: 0.001,"
                           " latency_queries: 3, latency_rounds: 1}\n", data);
    char *cfg = xstrdup(tmp("pr.yaml")), *dir = xstrdup(tmp("pr")), *cold = xstrdup(tmp("cold"));
    char *err, *p0;
    const char *msg;
    size_t ivf = 0, reused = 0;
    (void)state;
    assert_int_equal(write_string(cfg, text), 0);
    util_quiet = 0;
    /* Without prepare, the tasks train the first build of each nlist themselves. */
    for (long i = 0; i < 2; i++) {
        p0 = task(cfg, cold, i, &err);
        assert_has(err, "ground truth");
        count_reused(p0, &ivf, &reused);
        free(err);
        free(p0);
    }
    assert_true(ivf > 0 && reused < ivf);
    ivf = reused = 0;

    capture_start();
    assert_int_equal(precompute_run(cfg, dir, NULL, 0), 0);
    msg = capture_end();
    assert_has(msg, "ground truth (N=4900, l2, k=26): computed");
    assert_has(msg, "coarse quantizer IVF16");
    assert_has(msg, "coarse quantizer IVF32");
    /* A build on its own k-means centroids trains its quantizer itself. */
    assert_has(msg, "coarse quantizer IVF8 (IVF8,Flat l2 kmeans=300): left to its task");
    /* Again: everything from the cache. */
    capture_start();
    assert_int_equal(precompute_run(cfg, dir, NULL, 0), 0);
    msg = capture_end();
    assert_null(strstr(msg, "computed"));
    assert_has(msg, "coarse quantizer IVF32 (IVF32,Flat l2): from cache");

    for (long i = 0; i < 2; i++) {
        p0 = task(cfg, dir, i, &err);
        assert_has(err, "ground truth (N=4900, l2, k=26): from cache");
        count_reused(p0, &ivf, &reused);
        free(err);
        free(p0);
    }
    assert_true(ivf > 0);
    assert_int_equal(reused, ivf);
    util_quiet = 1;
    free(cfg);
    free(dir);
    free(cold);
    free(text);
}

/* A task computes the ground truths of its own builds only: two metrics,
 * a build each, a task each. */
static void test_task_ground_truths(void **state)
{
    const char *data = shared_file(FS_SHARED_DATA, "sift5k/sift-dataset-5k.tsv");
    char *text = xasprintf("name: gt\ndataset: {format: tsv-id, base: %s, holdout: 50}\n"
                           "metrics: [l2, ip]\nindexes:\n  - factory: Flat\n"
                           "measure: {repeats: 1, warmup: 0, min_time: 0.001,"
                           " latency_queries: 3, latency_rounds: 1}\n", data);
    char *cfg = xstrdup(tmp("gt.yaml")), *dir = xstrdup(tmp("gt")), *err[2], *p;
    (void)state;
    assert_int_equal(write_string(cfg, text), 0);
    util_quiet = 0;
    for (long i = 0; i < 2; i++) {
        p = task(cfg, dir, i, &err[i]);
        free(p);
    }
    util_quiet = 1;
    for (long i = 0; i < 2; i++) {
        int l2 = strstr(err[i], "ground truth (N=4950, l2") != NULL;
        int ip = strstr(err[i], "ground truth (N=4950, ip") != NULL;
        assert_true(l2 + ip == 1);
        free(err[i]);
    }
    free(cfg);
    free(dir);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_auto),
        cmocka_unit_test(test_command_line),
        cmocka_unit_test(test_prepare_then_tasks),
        cmocka_unit_test(test_task_ground_truths),
    };
    util_quiet = 1;
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
