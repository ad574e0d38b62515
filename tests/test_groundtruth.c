/*
 * test_groundtruth.c - exact neighbours and their disk cache: a second call
 * reads the cache, a narrower request is served from a wider cache, another
 * content hash or a damaged file is recomputed; a flipped bit in the ids or
 * distances, or a header claiming more than the file holds, is warned
 * about, recomputed and rewritten (issue 13, item 3); so is a FIFO, without
 * waiting on it; a file of the earlier layout is replaced silently.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/groundtruth.h"
#include "lib/util.h"
#include "testutil.h"

#define NB 500
#define DIM 8
#define NQ 20

static void test_cache(void **state)
{
    char dir[] = "/tmp/fs-gt-XXXXXX";
    float xb[NB * DIM], xq[NQ * DIM];
    struct ground_truth a, b, c;
    int cached;
    uint64_t s = 1;
    (void)state;

    for (size_t i = 0; i < NB * DIM; i++)
        xb[i] = (float)((s = s * 6364136223846793005ULL + 1) >> 40) / 16777216.0f;
    for (size_t i = 0; i < NQ * DIM; i++)
        xq[i] = (float)((s = s * 6364136223846793005ULL + 1) >> 40) / 16777216.0f;
    assert_non_null(mkdtemp(dir));

    assert_int_equal(groundtruth_get(&a, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 10, 99, dir, &cached), 0);
    assert_false(cached);
    assert_int_equal(a.k, 10);
    /* distances ascending, ids valid */
    for (size_t q = 0; q < NQ; q++)
        for (size_t j = 1; j < 10; j++)
            assert_true(a.D[q * 10 + j - 1] <= a.D[q * 10 + j]);

    assert_int_equal(groundtruth_get(&b, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 10, 99, dir, &cached), 0);
    assert_true(cached);
    assert_memory_equal(a.I, b.I, sizeof(int64_t) * NQ * 10);
    assert_memory_equal(a.D, b.D, sizeof(float) * NQ * 10);
    ground_truth_release(&b);

    /* narrower: first columns of the cached rows */
    assert_int_equal(groundtruth_get(&c, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 3, 99, dir, &cached), 0);
    assert_true(cached);
    assert_int_equal(c.k, 3);
    for (size_t q = 0; q < NQ; q++)
        assert_memory_equal(c.I + q * 3, a.I + q * 10, 3 * sizeof(int64_t));
    ground_truth_release(&c);

    /* another content hash: not from the cache */
    assert_int_equal(groundtruth_get(&c, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 10, 100, dir, &cached), 0);
    assert_false(cached);
    ground_truth_release(&c);

    /* another metric: its own file, and different neighbours */
    assert_int_equal(groundtruth_get(&c, xb, NB, xq, NQ, DIM, BACKEND_IP, "ip", 10, 99, dir, &cached), 0);
    assert_false(cached);
    assert_true(memcmp(a.I, c.I, sizeof(int64_t) * NQ * 10) != 0);
    ground_truth_release(&c);

    /* damaged cache: recomputed, same answer */
    char *path = xasprintf("%s/gt-%016x-l2.bin", dir, 99);
    assert_int_equal(truncate(path, 100), 0);
    assert_int_equal(groundtruth_get(&c, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 10, 99, dir, &cached), 0);
    assert_false(cached);
    assert_memory_equal(a.I, c.I, sizeof(int64_t) * NQ * 10);
    ground_truth_release(&c);
    ground_truth_release(&a);

    char *cmd = xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(path);
}

/* Fill xb, xq with the test's fixed data. */
static void fixed_data(float *xb, float *xq)
{
    uint64_t s = 1;
    for (size_t i = 0; i < NB * DIM; i++)
        xb[i] = (float)((s = s * 6364136223846793005ULL + 1) >> 40) / 16777216.0f;
    for (size_t i = 0; i < NQ * DIM; i++)
        xq[i] = (float)((s = s * 6364136223846793005ULL + 1) >> 40) / 16777216.0f;
}

/* Flip bit `bit` of the byte at offset `at` of path. */
static void flip_bit(const char *path, long at, int bit)
{
    FILE *f = fopen(path, "r+b");
    int c;
    assert_non_null(f);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    c = fgetc(f);
    assert_int_not_equal(c, EOF);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    fputc(c ^ (1 << bit), f);
    assert_int_equal(fclose(f), 0);
}

/* Overwrite 8 bytes at offset `at` of path with v. */
static void poke_u64(const char *path, long at, uint64_t v)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    assert_int_equal(fwrite(&v, sizeof(v), 1, f), 1);
    assert_int_equal(fclose(f), 0);
}

/* groundtruth_get on the fixed data at k=10 into dir, stderr captured
 * into *msg (valid until the next capture). */
static void get_captured(struct ground_truth *gt, const float *xb, const float *xq,
                         const char *dir, int *cached, const char **msg)
{
    capture_start();
    int rc = groundtruth_get(gt, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 10, 7, dir, cached);
    *msg = capture_end();
    assert_int_equal(rc, 0);
}

/* One flipped bit of each query's first id (the case of the issue: Flat
 * recall 0.90 from a silently used cache), of one distance, of the
 * checksum itself, and a header claiming 2^60 columns: each is warned
 * about naming the file, recomputed (the same answer) and rewritten (the
 * next call reads the cache again, silently). */
static void test_damage(void **state)
{
    float xb[NB * DIM], xq[NQ * DIM];
    struct ground_truth a, b;
    const char *dir = tmp("damage"), *msg;
    const long header = 8 + 3 * 8, ids = header + NQ * 10 * (long)sizeof(float);
    const long end = ids + NQ * 10 * (long)sizeof(int64_t);
    char *path = xasprintf("%s/gt-%016x-l2.bin", dir, 7);
    int cached;
    (void)state;

    fixed_data(xb, xq);
    assert_int_equal(groundtruth_get(&a, xb, NB, xq, NQ, DIM, BACKEND_L2, "l2", 10, 7, dir, &cached), 0);
    assert_false(cached);
    for (int damage = 0; damage < 4; damage++) {
        if (damage == 0)
            for (long q = 0; q < NQ; q++)
                flip_bit(path, ids + q * 10 * (long)sizeof(int64_t), 0);
        else if (damage == 1)
            flip_bit(path, header + 37 * (long)sizeof(float), 3);
        else if (damage == 2)
            flip_bit(path, end, 5);
        else
            poke_u64(path, 8 + 2 * 8, UINT64_C(1) << 60);
        get_captured(&b, xb, xq, dir, &cached, &msg);
        assert_false(cached);
        assert_has(msg, "warning: ground-truth cache");
        assert_has(msg, path);
        assert_has(msg, damage == 3 ? "size does not match" : "checksum mismatch");
        assert_has(msg, "recomputing");
        assert_int_equal(count_lines(msg), 1);
        assert_memory_equal(a.I, b.I, sizeof(int64_t) * NQ * 10);
        assert_memory_equal(a.D, b.D, sizeof(float) * NQ * 10);
        ground_truth_release(&b);
        /* rewritten whole: read back from the cache, nothing said */
        get_captured(&b, xb, xq, dir, &cached, &msg);
        assert_true(cached);
        assert_string_equal(msg, "");
        assert_memory_equal(a.I, b.I, sizeof(int64_t) * NQ * 10);
        ground_truth_release(&b);
    }
    /* a cache of the earlier layout (no checksum): replaced without a word */
    assert_int_equal(unlink(path), 0);
    {
        unsigned char old[8 + 3 * 8 + 12] = "FSGT0001";
        uint64_t h[3] = { 7, NQ, 1 };
        memcpy(old + 8, h, sizeof(h));
        write_bytes(path, old, sizeof(old));
    }
    get_captured(&b, xb, xq, dir, &cached, &msg);
    assert_false(cached);
    assert_string_equal(msg, "");
    ground_truth_release(&b);
    get_captured(&b, xb, xq, dir, &cached, &msg);
    assert_true(cached);
    ground_truth_release(&b);
    /* a FIFO at the path: refused (not waited on), then replaced */
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkfifo(path, 0600), 0);
    get_captured(&b, xb, xq, dir, &cached, &msg);
    assert_false(cached);
    assert_has(msg, "not a regular file");
    assert_memory_equal(a.I, b.I, sizeof(int64_t) * NQ * 10);
    ground_truth_release(&b);
    get_captured(&b, xb, xq, dir, &cached, &msg);
    assert_true(cached);
    ground_truth_release(&b);
    ground_truth_release(&a);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_damage),
    };
    return cmocka_run_group_tests_name("groundtruth", tests, tmpdir_setup, tmpdir_teardown);
}
