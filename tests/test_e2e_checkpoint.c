/*
 * test_e2e_checkpoint.c - a run that dies keeps what it measured: the
 * harness is started as its own process on SIFT 5k, killed with SIGKILL
 * once its first checkpoint is on disk, and the checkpoint must be a whole
 * results file of ok rows that says the run did not finish, its journal
 * left for --resume. A run that ends leaves no checkpoint or journal behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "out/results.h"
#include "lib/util.h"
#include "testutil.h"

static int have_shared(void)
{
    struct stat st;
    return stat(FS_SHARED_DATA "/sift5k/sift-dataset-5k.tsv", &st) == 0;
}

/* 40 IVF builds, one search each, a checkpoint after every build. */
static char *write_config(const char *name, const char *outdir)
{
    char *path = xasprintf("%s/%s.yaml", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "name: %s\ndataset:\n  format: tsv-id\n  base: %s/sift5k/sift-dataset-5k.tsv\n"
               "  holdout: 200\nk: [10]\nindexes:\n  - factory: \"IVF{nlist},Flat\"\n"
               "    nlist: [", name, FS_SHARED_DATA);
    for (int i = 0; i < 40; i++)
        fprintf(f, "%s%d", i ? ", " : "", 8 + 2 * i);
    fprintf(f, "]\nmeasure: {latency_queries: 0, repeats: 1, min_time: 0.001, interleave_mb: 0}\ncheckpoint_s: 0\n"
               "output_dir: %s\ncache_dir: %s/cache\n", outdir, tmpdir);
    fclose(f);
    return path;
}

static pid_t start(const char *cfg)
{
    const char *argv[] = { FS_BINARY, "run", cfg, "--no-plot", NULL };
    return spawn_quiet(argv, NULL);
}

static void test_killed_run_keeps_checkpoint(void **state)
{
    char *out, *cfg, *ck = NULL;
    struct result_set rs;
    int status = 0;
    (void)state;
    if (!have_shared())
        skip();   /* before any allocation: skip() does not return */
    out = xasprintf("%s/killed", tmpdir);
    cfg = write_config("killed", out);
    pid_t pid = start(cfg);
    /* poll every millisecond for up to 5 minutes (the ASan build is slow) */
    for (int i = 0; i < 300000 && !ck; i++) {
        struct timespec ms = { 0, 1000000 };
        ck = find_file(out, ".h5.checkpoint", NULL);
        if (!ck) {
            assert_int_equal(waitpid(pid, &status, WNOHANG), 0);   /* still running */
            nanosleep(&ms, NULL);
        }
    }
    assert_non_null(ck);
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    /* The checkpoint reached its name by rename: it reads whole. */
    assert_int_equal(results_read(&rs, ck), 0);
    const struct result_attr *a = results_attr(&rs, "checkpoint");
    assert_non_null(a);
    assert_non_null(strstr(a->s, "the run did not finish"));
    assert_non_null(results_attr(&rs, "git_commit"));
    assert_true(rs.n_rows >= 1 && rs.n_rows < 40);
    for (size_t i = 0; i < rs.n_rows; i++) {
        assert_string_equal(rs.rows[i].status, "ok");
        assert_true(rs.rows[i].recall_at[0] > 0);
    }
    /* No final results file: the run never finished. */
    char *final = find_file(out, ".h5", NULL);
    assert_null(final);
    /* The journal stays, for --resume (test_resume, resume_kill.py). */
    final = find_file(out, ".h5.journal", NULL);
    assert_non_null(final);
    free(final);
    results_release(&rs);
    free(ck);
    free(cfg);
    free(out);
}

static void test_finished_run_removes_checkpoint(void **state)
{
    char *out, *cfg, *final, *ck;
    int status = 0;
    (void)state;
    if (!have_shared())
        skip();
    out = xasprintf("%s/finished", tmpdir);
    cfg = write_config("finished", out);
    pid_t pid = start(cfg);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    final = find_file(out, ".h5", NULL);
    ck = find_file(out, ".checkpoint", NULL);
    assert_non_null(final);
    assert_null(ck);
    ck = find_file(out, ".journal", NULL);
    assert_null(ck);
    struct result_set rs;
    assert_int_equal(results_read(&rs, final), 0);
    assert_int_equal(rs.n_rows, 40);
    assert_null(results_attr(&rs, "checkpoint"));
    results_release(&rs);
    free(final);
    free(cfg);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_run_keeps_checkpoint),
        cmocka_unit_test(test_finished_run_removes_checkpoint),
    };
    if (tmpdir_make("e2e_checkpoint"))
        return 1;
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    rm_tree(tmpdir);
    return r;
}
