/*
 * test_smoke.c - the real program on generated data, nothing from
 * ../shared: 3,000 x 24 seeded float32 base vectors and 100 queries written
 * as .fvecs, a config with Flat, IVF16 at nprobe = nlist (an exact scan) and
 * IVF16 at nprobe 1, run as `faiss-sweep run CONFIG --no-plot -o DIR` from
 * another folder. Flat and the exhaustive IVF must find every neighbour at
 * every k, the approximate point some; every row is "ok".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "out/results.h"
#include "testutil.h"

/* Base and queries relative to the config file, so the run's folder does
 * not matter. */
static const char config[] =
    "name: smoke\n"
    "dataset: {format: fvecs, base: base.fvecs, queries: queries.fvecs}\n"
    "k: [1, 10, 50]\n"
    "metrics: [l2, cosine]\n"
    "indexes:\n"
    "  - factory: Flat\n"
    "  - label: exhaustive\n"
    "    factory: \"IVF{nlist},Flat\"\n"
    "    nlist: [16]\n"
    "    nprobe: {rule: all}\n"
    "  - label: approximate\n"
    "    factory: \"IVF{nlist},Flat\"\n"
    "    nlist: [16]\n"
    "    nprobe: [1]\n"
    "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 10}\n";

/* Run FS_BINARY with argv from the folder "/", stdout and stderr into files;
 * returns its exit status (-1 if it did not exit). */
static int run_binary(char *const argv[], const char *out, const char *err)
{
    pid_t pid = fork();
    int status;
    assert_true(pid >= 0);
    if (pid == 0) {
        int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0 || chdir("/") < 0)
            _exit(126);
        execv(FS_BINARY, argv);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static const struct result_row *row_of(const struct result_set *rs, const char *family,
                                       const char *metric)
{
    for (size_t i = 0; i < rs->n_rows; i++)
        if (!strcmp(rs->rows[i].family, family) && !strcmp(rs->rows[i].metric, metric))
            return &rs->rows[i];
    fail_msg("no row for %s %s", family, metric);
    return NULL;
}

static void test_smoke(void **state)
{
    static const char *const metrics[] = { "l2", "cosine" };
    struct result_set rs;
    char *path;
    (void)state;
    assert_int_equal(write_random_fvecs(tmp("base.fvecs"), 3000, 24, 20240601), 0);
    assert_int_equal(write_random_fvecs(tmp("queries.fvecs"), 100, 24, 7), 0);
    assert_int_equal(write_string(tmp("smoke.yaml"), config), 0);

    char *const argv[] = { "faiss-sweep", "run", (char *)tmp("smoke.yaml"), "--no-plot",
                           "-o", (char *)tmp("out"), NULL };
    int rc = run_binary(argv, tmp("stdout"), tmp("stderr"));
    char *out = read_file(tmp("stdout"), NULL);
    char *err = read_file(tmp("stderr"), NULL);
    assert_non_null(out);
    assert_non_null(err);
    if (rc != 0)
        fail_msg("exit %d\nstdout:\n%s\nstderr:\n%s", rc, out, err);

    /* the program says where the results went: in -o */
    const char *line = strstr(out, "results: ");
    assert_non_null(line);
    line += strlen("results: ");
    path = xasprintf("%.*s", (int)strcspn(line, "\n"), line);
    assert_int_equal(strncmp(path, tmp("out/smoke-"), strlen(tmp("out/smoke-"))), 0);

    memset(&rs, 0, sizeof(rs));
    assert_int_equal(results_read(&rs, path), 0);
    assert_int_equal(rs.n_ks, 3);
    assert_int_equal(rs.ks[2], 50);
    assert_int_equal(results_attr(&rs, "N")->i, 3000);
    assert_int_equal(results_attr(&rs, "nq")->i, 100);
    assert_int_equal(rs.n_rows, 6);
    for (size_t i = 0; i < rs.n_rows; i++)
        if (strcmp(rs.rows[i].status, "ok"))
            fail_msg("row %zu (%s %s): %s", i, rs.rows[i].factory, rs.rows[i].metric,
                     rs.rows[i].status);

    for (size_t m = 0; m < 2; m++) {
        const struct result_row *flat = row_of(&rs, "Flat", metrics[m]);
        const struct result_row *all = row_of(&rs, "exhaustive", metrics[m]);
        const struct result_row *approx = row_of(&rs, "approximate", metrics[m]);
        assert_int_equal(all->nlist, 16);
        assert_int_equal(all->nprobe, 16);
        assert_int_equal(approx->nprobe, 1);
        for (size_t k = 0; k < rs.n_ks; k++) {
            assert_float_equal(flat->recall_at[k], 1.0, 1e-12);
            assert_float_equal(flat->recall1_at[k], 1.0, 1e-12);
            assert_float_equal(all->recall_at[k], 1.0, 1e-12);
            assert_float_equal(all->recall1_at[k], 1.0, 1e-12);
            if (!(approx->recall_at[k] > 0 && approx->recall_at[k] <= 1))
                fail_msg("%s nprobe 1: recall@%ld = %g", metrics[m], rs.ks[k],
                         approx->recall_at[k]);
        }
        assert_int_equal(flat->missing_ids, 0);
        assert_true(flat->qps > 0);
    }
    results_release(&rs);
    free(path);
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smoke),
    };
    return cmocka_run_group_tests_name("smoke", tests, tmpdir_setup, tmpdir_teardown);
}
