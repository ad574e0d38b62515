/*
 * test_cache_concurrent.c - two processes (fork) writing one cache entry at
 * the same moment, round after round: the ground-truth cache with two
 * different widths (k = 16 and 17, so a torn file would mix two layouts) and
 * the quantizer cache with two different centroid sets. Each writer must
 * succeed without a word, the entry must read back whole (checksum holds,
 * one writer's content, not a mix) and no temporary file may be left behind
 * (issue 13, item 3). Every rename of this program waits 100 ms first
 * (linked with --wrap=rename, see tests/CMakeLists.txt), so the two
 * writers' temporary files always exist at the same time. The children fork
 * before this process has run any OpenMP region, and search on one thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/groundtruth.h"
#include "core/quantizers.h"
#include "lib/backend.h"
#include "lib/util.h"
#include "testutil.h"

#define NB 4000
#define DIM 8
#define NQ 2000
#define ROUNDS 6
#define GT_HASH 42
#define QNLIST 4096
#define QD 64

int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);

/* Hold every writer between its write and its publication. */
int __wrap_rename(const char *from, const char *to)
{
    usleep(100 * 1000);
    return __real_rename(from, to);
}

/* What a child does once released: 0 on success. */
typedef int child_fn(int which, const char *dir, void *ctx);

/* Run fn(0) and fn(1) in two children released together through a pipe;
 * each child's stderr goes to <dir>.err<which>, which must stay empty. */
static void race(child_fn *fn, const char *dir, void *ctx)
{
    int go[2];
    pid_t pid[2];

    assert_int_equal(pipe(go), 0);
    for (int i = 0; i < 2; i++) {
        pid[i] = fork();
        assert_true(pid[i] >= 0);
        if (pid[i] == 0) {
            char c, *err = xasprintf("%s.err%d", dir, i);
            close(go[1]);
            if (!freopen(err, "w", stderr) || read(go[0], &c, 1) != 1)
                _exit(3);
            _exit(fn(i, dir, ctx) ? 1 : 0);
        }
    }
    close(go[0]);
    assert_int_equal(write(go[1], "gg", 2), 2);
    close(go[1]);
    for (int i = 0; i < 2; i++) {
        int status = 0;
        char *err = xasprintf("%s.err%d", dir, i), *text;
        size_t len = 0;
        assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        text = read_file(err, &len);
        assert_non_null(text);
        if (len)
            fail_msg("writer %d said: %s", i, text);
        free(text);
        unlink(err);
        free(err);
    }
}

/* Files in dir, temporaries included. */
static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

struct gt_data {
    float *xb, *xq;
};

static int gt_child(int which, const char *dir, void *ctx)
{
    struct gt_data *g = ctx;
    struct ground_truth gt;
    int cached = 0, rc;
    backend_set_threads(1);
    rc = groundtruth_get(&gt, g->xb, NB, g->xq, NQ, DIM, BACKEND_L2, "l2", 16 + (size_t)which,
                         GT_HASH, dir, &cached);
    ground_truth_release(&gt);
    return rc || cached;
}

static void test_groundtruth_writers(void **state)
{
    struct gt_data g = { random_rows(NB, DIM, 11), random_rows(NQ, DIM, 12) };
    int64_t *seen = xmalloc(ROUNDS * NQ * 16 * sizeof(int64_t));
    struct ground_truth gt, ref;
    char *path;
    int cached;
    (void)state;

    for (int r = 0; r < ROUNDS; r++) {
        char *dir = xasprintf("%s/gt%d", tmpdir, r);
        race(gt_child, dir, &g);
        assert_int_equal(count_files(dir), 1);
        /* whole: read from the cache without a word (a torn file would be
         * refused with a warning and recomputed) */
        capture_start();
        assert_int_equal(groundtruth_get(&gt, g.xb, NB, g.xq, NQ, DIM, BACKEND_L2, "l2", 16,
                                         GT_HASH, dir, &cached), 0);
        assert_string_equal(capture_end(), "");
        assert_true(cached);
        memcpy(seen + (size_t)r * NQ * 16, gt.I, NQ * 16 * sizeof(int64_t));
        ground_truth_release(&gt);
        path = xasprintf("%s/gt-%016x-l2.bin", dir, GT_HASH);
        assert_int_equal(access(path, R_OK), 0);
        free(path);
        free(dir);
    }
    /* and right: what exact search answers (computed last, after the forks) */
    backend_set_threads(1);
    assert_int_equal(groundtruth_get(&ref, g.xb, NB, g.xq, NQ, DIM, BACKEND_L2, "l2", 16,
                                     GT_HASH, NULL, &cached), 0);
    for (int r = 0; r < ROUNDS; r++)
        assert_memory_equal(seen + (size_t)r * NQ * 16, ref.I, NQ * 16 * sizeof(int64_t));
    backend_set_threads(0);
    ground_truth_release(&ref);
    free(seen);
    free(g.xb);
    free(g.xq);
}

static int quantizer_child(int which, const char *dir, void *ctx)
{
    struct quantizer_cache qc;
    float *c = xmalloc(QNLIST * QD * sizeof(float));
    (void)ctx;
    for (size_t i = 0; i < QNLIST * QD; i++)
        c[i] = (float)(which + 1);
    quantizer_cache_init(&qc, dir);
    quantizer_cache_put(&qc, 77, QNLIST, QD, c, 1.5);
    quantizer_cache_release(&qc);
    free(c);
    return 0;
}

static void test_quantizer_writers(void **state)
{
    (void)state;
    for (int r = 0; r < ROUNDS; r++) {
        char *dir = xasprintf("%s/q%d", tmpdir, r);
        struct quantizer_cache qc;
        const struct quantizer_entry *e;
        race(quantizer_child, dir, NULL);
        assert_int_equal(count_files(dir), 1);
        quantizer_cache_init(&qc, dir);
        capture_start();
        e = quantizer_cache_get(&qc, 77, QNLIST, QD);
        assert_string_equal(capture_end(), "");
        assert_non_null(e);
        assert_true(e->train_s == 1.5);
        /* one writer's centroids, not a mix */
        for (size_t i = 1; i < QNLIST * QD; i++)
            assert_true(e->c[i] == e->c[0]);
        assert_true(e->c[0] == 1.0f || e->c[0] == 2.0f);
        quantizer_cache_release(&qc);
        free(dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantizer_writers),
        cmocka_unit_test(test_groundtruth_writers),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
