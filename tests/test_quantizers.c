/*
 * test_quantizers.c - the coarse-quantizer cache: the key separates what
 * changes k-means (data, N, metric, nlist); a build with the same key
 * reuses the centroids (in the run and from the file), one with another key
 * trains; a damaged file is refused with a warning and retrained (a flipped
 * bit anywhere, header and checksum included, or a huge file: issue 13,
 * item 3, the quantizer cache's checksum verified); and reuse
 * changes no answer: the same ids as faiss training the index itself.
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
#include <sys/stat.h>
#include <unistd.h>

#include "core/build.h"
#include "core/quantizers.h"
#include "lib/backend.h"
#include "lib/util.h"
#include "out/results.h"
#include "testutil.h"

#define N 3000
#define D 16
#define NQ 50
#define K 10

/* Build factory on the first n rows of xb with cache qc (may be NULL). */
static struct fs_index *build(const char *factory, enum backend_metric m, const float *xb,
                              size_t n, struct quantizer_cache *qc, struct build_stats *st)
{
    struct fs_index *idx = NULL;
    assert_int_equal(build_index(&idx, factory, m, xb, n, 0, D, 0, qc, st), 0);
    return idx;
}

/* The ids idx answers for xq at nprobe 4 (caller's buffer NQ*K). */
static void answer(struct fs_index *idx, const float *xq, int64_t *I)
{
    float Dist[NQ * K];
    assert_int_equal(backend_set_param(idx, "nprobe", 4), 0);
    assert_int_equal(backend_search(idx, NQ, xq, K, Dist, I), 0);
}

static void test_keys(void **state)
{
    float *x = random_rows(N, D, 1), *y;
    uint64_t k = quantizer_key(x, N, D, BACKEND_L2, 16);
    (void)state;
    assert_true(k == quantizer_key(x, N, D, BACKEND_L2, 16));
    assert_true(k != quantizer_key(x, N, D, BACKEND_L2, 32));
    assert_true(k != quantizer_key(x, N, D, BACKEND_IP, 16));
    assert_true(k != quantizer_key(x, N - 1, D, BACKEND_L2, 16));
    /* preprocessing shows as other content: rows swapped, one value moved */
    y = xmalloc(N * D * sizeof(float));
    memcpy(y, x, N * D * sizeof(float));
    memcpy(y, x + D, D * sizeof(float));
    memcpy(y + D, x, D * sizeof(float));
    assert_true(k != quantizer_key(y, N, D, BACKEND_L2, 16));
    memcpy(y, x, N * D * sizeof(float));
    y[N * D - 1] = nextafterf(y[N * D - 1], 2.0f);
    assert_true(k != quantizer_key(y, N, D, BACKEND_L2, 16));
    free(x);
    free(y);
}

/* Reuse within a run, under each metric: IVF16,PQ4x4np trains (np: without
 * polysemous training, which is slow), then IVF16,Flat, IVF16,PQ4x4np and
 * IVF16,SQ8 reuse; each has the centroids and answers the ids of the same
 * factory trained by faiss without the cache. */
static void test_reuse_same_ids(void **state)
{
    float *xb = random_rows(N, D, 2), *xq = random_rows(NQ, D, 3);
    float ca[16 * D], cb[16 * D];
    const char *factories[] = { "IVF16,PQ4x4np", "IVF16,Flat", "IVF16,PQ4x4np", "IVF16,SQ8" };
    enum backend_metric metrics[] = { BACKEND_L2, BACKEND_IP };
    struct quantizer_cache qc;
    struct build_stats st, plain;
    (void)state;
    backend_set_threads(1);
    quantizer_cache_init(&qc, NULL);
    for (size_t m = 0; m < 2; m++) {
        for (size_t f = 0; f < 4; f++) {
            int64_t Ia[NQ * K], Ib[NQ * K];
            struct fs_index *a = build(factories[f], metrics[m], xb, N, &qc, &st);
            struct fs_index *b = build(factories[f], metrics[m], xb, N, NULL, &plain);
            assert_int_equal(st.quantizer_reused, f > 0);
            assert_true(f ? st.train_reused_s > 0 : st.train_reused_s == 0);
            assert_int_equal(plain.quantizer_reused, 0);
            assert_int_equal(backend_ivf_centroids(a, ca), 0);
            assert_int_equal(backend_ivf_centroids(b, cb), 0);
            assert_memory_equal(ca, cb, sizeof(ca));
            answer(a, xq, Ia);
            answer(b, xq, Ib);
            assert_memory_equal(Ia, Ib, sizeof(Ia));
            backend_free(a);
            backend_free(b);
        }
    }
    assert_int_equal(qc.n, 2);
    quantizer_cache_release(&qc);
    backend_set_threads(0);
    free(xb);
    free(xq);
}

/* Another nlist, metric, N or data: trained, not reused. */
static void test_other_keys_train(void **state)
{
    float *xb = random_rows(N, D, 4), *other = random_rows(N, D, 5);
    struct quantizer_cache qc;
    struct build_stats st;
    (void)state;
    quantizer_cache_init(&qc, NULL);
    backend_free(build("IVF16,Flat", BACKEND_L2, xb, N, &qc, &st));
    assert_int_equal(st.quantizer_reused, 0);
    backend_free(build("IVF32,Flat", BACKEND_L2, xb, N, &qc, &st));
    assert_int_equal(st.quantizer_reused, 0);
    backend_free(build("IVF16,Flat", BACKEND_IP, xb, N, &qc, &st));
    assert_int_equal(st.quantizer_reused, 0);
    backend_free(build("IVF16,Flat", BACKEND_L2, xb, N / 2, &qc, &st));
    assert_int_equal(st.quantizer_reused, 0);
    backend_free(build("IVF16,Flat", BACKEND_L2, other, N, &qc, &st));
    assert_int_equal(st.quantizer_reused, 0);
    assert_int_equal(qc.n, 5);
    /* not an IVF index with a flat quantizer: never cached */
    backend_free(build("IVF16,Flat,RFlat", BACKEND_L2, xb, N, &qc, &st));
    assert_int_equal(st.quantizer_reused, 0);
    backend_free(build("IVF16_HNSW8,Flat", BACKEND_L2, xb, N, &qc, &st));
    assert_int_equal(st.quantizer_reused, 0);
    backend_free(build("Flat", BACKEND_L2, xb, N, &qc, &st));
    assert_int_equal(st.quantizer_reused, 0);
    assert_int_equal(qc.n, 5);
    quantizer_cache_release(&qc);
    free(xb);
    free(other);
}

/* Flip one byte of a file in place. */
static void flip_byte(const char *path, long at)
{
    FILE *f = fopen(path, "r+b");
    int c;
    assert_non_null(f);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    c = fgetc(f);
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    fputc(c ^ 0x40, f);
    assert_int_equal(fclose(f), 0);
}

static void truncate_file(const char *path)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 100), 0);
    assert_int_equal(fclose(f), 0);
}

/* Reuse across runs (a new cache on the same directory); a damaged file is
 * refused with a warning, retrained and written again. */
static void test_disk(void **state)
{
    float *xb = random_rows(N, D, 6), *xq = random_rows(NQ, D, 7);
    const char *dir = tmp("cache");
    struct quantizer_cache qc;
    struct build_stats st;
    double first_s;
    int64_t Ia[NQ * K], Ib[NQ * K];
    struct fs_index *a, *b;
    char *path;
    const char *msg;
    (void)state;
    backend_set_threads(1);
    quantizer_cache_init(&qc, dir);
    a = build("IVF16,PQ4x4np", BACKEND_L2, xb, N, &qc, &st);
    assert_int_equal(st.quantizer_reused, 0);
    first_s = qc.e[0].train_s;
    path = quantizer_cache_path(&qc, qc.e[0].key, 16);
    quantizer_cache_release(&qc);

    quantizer_cache_init(&qc, dir);
    b = build("IVF16,PQ4x4np", BACKEND_L2, xb, N, &qc, &st);
    assert_int_equal(st.quantizer_reused, 1);
    assert_true(st.train_reused_s == first_s);
    answer(a, xq, Ia);
    answer(b, xq, Ib);
    assert_memory_equal(Ia, Ib, sizeof(Ia));
    backend_free(b);
    quantizer_cache_release(&qc);

    for (int damage = 0; damage < 2; damage++) {
        if (damage)
            truncate_file(path);
        else
            flip_byte(path, 200);
        quantizer_cache_init(&qc, dir);
        capture_start();
        b = build("IVF16,PQ4x4np", BACKEND_L2, xb, N, &qc, &st);
        msg = capture_end();
        assert_has(msg, "warning: refusing quantizer cache");
        assert_has(msg, path);
        assert_has(msg, "retraining");
        assert_int_equal(st.quantizer_reused, 0);
        answer(b, xq, Ib);
        assert_memory_equal(Ia, Ib, sizeof(Ia));
        backend_free(b);
        quantizer_cache_release(&qc);
        /* written again, whole */
        quantizer_cache_init(&qc, dir);
        backend_free(build("IVF16,Flat", BACKEND_L2, xb, N, &qc, &st));
        assert_int_equal(st.quantizer_reused, 1);
        quantizer_cache_release(&qc);
    }
    backend_set_threads(0);
    backend_free(a);
    free(path);
    free(xb);
    free(xq);
}

/* The checksum covers every byte: a bit flipped in the key, in train_s, in
 * the last centroid or in the checksum itself is refused with a warning
 * (so the caller retrains), and so are a 1 TiB (sparse) file at the entry's
 * path, without reading or allocating it, and a FIFO, without waiting. */
static void test_checked(void **state)
{
    const char *dir = tmp("checked");
    const size_t nlist = 8, d = 4, bytes = 8 + 3 * 8 + 8 + nlist * d * 4 + 8;
    const long at[] = { 9, 8 + 3 * 8 + 2, (long)bytes - 9, (long)bytes - 1 };
    float c[8 * 4];
    struct quantizer_cache qc;
    char *path;
    (void)state;
    for (size_t i = 0; i < nlist * d; i++)
        c[i] = (float)i;
    for (size_t t = 0; t <= sizeof(at) / sizeof(*at) + 1; t++) {
        const char *msg;
        quantizer_cache_init(&qc, dir);
        quantizer_cache_put(&qc, 5, nlist, d, c, 2.0);
        path = quantizer_cache_path(&qc, 5, nlist);
        quantizer_cache_release(&qc);
        if (t < sizeof(at) / sizeof(*at)) {
            flip_byte(path, at[t]);
        } else if (t == sizeof(at) / sizeof(*at) + 1) {
            /* a FIFO: refused, not waited on */
            assert_int_equal(unlink(path), 0);
            assert_int_equal(mkfifo(path, 0600), 0);
        } else {
            FILE *f = fopen(path, "r+b");
            assert_non_null(f);
            assert_int_equal(ftruncate(fileno(f), (off_t)1 << 40), 0);
            assert_int_equal(fclose(f), 0);
        }
        quantizer_cache_init(&qc, dir);
        capture_start();
        assert_null(quantizer_cache_get(&qc, 5, nlist, d));
        msg = capture_end();
        assert_has(msg, "warning: refusing quantizer cache");
        assert_has(msg, path);
        assert_int_equal(count_lines(msg), 1);
        quantizer_cache_release(&qc);
        assert_int_equal(unlink(path), 0);
        free(path);
    }
}

/* Sweeps of one config on one cache directory: in the first, one of the
 * two IVF8 builds trains and the other reuses; in the second, both reuse
 * from the file; in the third (reuse_quantizers: false) both train; the
 * rows answer the same. */
static void test_sweeps(void **state)
{
    struct result_set rs[3];
    (void)state;
    util_quiet = 1;
    assert_int_equal(write_random_fvecs(tmp("base.fvecs"), 1200, 16, 7), 0);
    assert_int_equal(write_random_fvecs(tmp("queries.fvecs"), 40, 16, 8), 0);
    for (int run = 0; run < 3; run++) {
        char *cfg = xasprintf("name: reuse\n%s"
                              "dataset: {format: fvecs, base: %s, queries: %s}\n"
                              "cache_dir: %s\n"
                              "measure: {repeats: 1, warmup: 0, latency_queries: 5, threads: 1}\n"
                              "k: [5]\nmetrics: [l2]\n"
                              "indexes:\n"
                              "  - factory: Flat\n"
                              "  - factory: \"IVF{nlist},Flat\"\n    nlist: [8]\n    nprobe: [2]\n"
                              "  - factory: \"IVF{nlist},SQ8\"\n    nlist: [8]\n    nprobe: [2]\n",
                              run == 2 ? "reuse_quantizers: false\n" : "", tmp("base.fvecs"),
                              tmp("queries.fvecs"), tmp("sweep-cache"));
        char *results = NULL;
        int64_t reused = 0;
        assert_int_equal(run_config("reuse", cfg, NULL, 0, &results, NULL), 0);
        assert_int_equal(results_read(&rs[run], results), 0);
        assert_int_equal(rs[run].n_rows, 3);
        for (size_t i = 0; i < 3; i++) {
            const struct result_row *row = &rs[run].rows[i];
            assert_string_equal(row->status, "ok");
            if (!row->nlist) {
                assert_int_equal(row->quantizer_reused, 0);
                assert_true(row->train_reused_s == 0);
                continue;
            }
            reused += row->quantizer_reused;
            assert_true(row->quantizer_reused ? row->train_reused_s > 0
                                              : row->train_reused_s == 0);
            if (run)
                assert_true(row->recall_at[0] == rs[0].rows[i].recall_at[0]);
        }
        assert_int_equal(reused, run == 1 ? 2 : run == 0 ? 1 : 0);
        free(results);
        free(cfg);
    }
    for (int run = 0; run < 3; run++)
        results_release(&rs[run]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_reuse_same_ids),
        cmocka_unit_test(test_other_keys_train),
        cmocka_unit_test(test_disk),
        cmocka_unit_test(test_checked),
        cmocka_unit_test(test_sweeps),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
