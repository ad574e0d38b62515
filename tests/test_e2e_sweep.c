/*
 * test_e2e_sweep.c - whole sweeps on real data (SIFT 5k, GloVe 5k from
 * ../shared/datasets): the correctness anchors. Flat reaches recall 1.0,
 * IVF with nprobe = nlist reaches recall 1.0, recall rises with nprobe,
 * and every point lands in the results file.
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

#include "results.h"
#include "run.h"
#include "util.h"

static char tmpdir[] = "/tmp/fs-e2e-XXXXXX";

static int have_shared(void)
{
    struct stat st;
    return stat(FS_SHARED_DATA "/sift5k/sift-dataset-5k.tsv", &st) == 0;
}

/* Write a config, run it, read the results back. */
static void sweep(const char *name, const char *yaml, struct result_set *rs)
{
    char *cfg_path = xasprintf("%s/%s.yaml", tmpdir, name);
    char *results_path = NULL;
    FILE *f = fopen(cfg_path, "w");
    struct run_opts o = { .output_dir = tmpdir, .plot = 0, .progress = 0 };

    assert_non_null(f);
    /* Ground truth cached inside the temporary folder. */
    fprintf(f, "%scache_dir: %s/cache\n", yaml, tmpdir);
    fclose(f);
    util_quiet = 1;
    assert_int_equal(run_sweep(cfg_path, &o, &results_path), 0);
    assert_non_null(results_path);
    memset(rs, 0, sizeof(*rs));
    assert_int_equal(results_read(rs, results_path), 0);
    free(results_path);
    free(cfg_path);
}

static const struct result_row *find(const struct result_set *rs, const char *factory,
                                     const char *metric, long nprobe, long k_factor)
{
    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *r = &rs->rows[i];
        if (!strcmp(r->factory, factory) && !strcmp(r->metric, metric) &&
            r->nprobe == nprobe && r->k_factor == k_factor)
            return r;
    }
    fail_msg("no row for %s %s nprobe=%ld k_factor=%ld", factory, metric, nprobe, k_factor);
    return NULL;
}

static void test_sift_anchors(void **state)
{
    struct result_set rs;
    (void)state;
    if (!have_shared())
        skip();
    sweep("sift",
          "name: sift-anchors\n"
          "dataset: {format: tsv-id, base: " FS_SHARED_DATA "/sift5k/sift-dataset-5k.tsv, holdout: 200}\n"
          "k: [1, 10]\n"
          "metrics: [l2]\n"
          "indexes:\n"
          "  - factory: Flat\n"
          "  - factory: \"IVF{nlist},Flat\"\n"
          "    nlist: [32]\n"
          "    nprobe: [1, 2, 4, 8, 16, 32, 64]\n"
          "  - factory: \"IVF{nlist},Flat\"\n"
          "    nlist: {sqrt: [1]}\n"
          "    nprobe: {rule: all}\n"
          "  - factory: \"IVF{nlist},PQ{d/2}x4fs,RFlat\"\n"
          "    nlist: [16]\n"
          "    nprobe: [16]\n"
          "    k_factor: [1, 8]\n"
          "measure: {repeats: 1, warmup: 0, latency_queries: 20}\n", &rs);
    assert_int_equal(rs.n_ks, 2);
    assert_int_equal(rs.ks[1], 10);
    assert_int_equal(results_attr(&rs, "N")->i, 4800);
    assert_int_equal(results_attr(&rs, "nq")->i, 200);

    const struct result_row *flat = find(&rs, "Flat", "l2", 0, 0);
    assert_string_equal(flat->status, "ok");
    /* without a label, the family is the factory template */
    assert_string_equal(flat->family, "Flat");
    assert_string_equal(find(&rs, "IVF32,Flat", "l2", 1, 0)->family, "IVF{nlist},Flat [indexes[1]]");
    assert_float_equal(flat->recall_at[0], 1.0, 1e-12);
    assert_float_equal(flat->recall_at[1], 1.0, 1e-12);
    assert_float_equal(flat->recall1_at[1], 1.0, 1e-12);
    assert_int_equal(flat->missing_ids, 0);
    assert_true(flat->qps > 0);
    assert_true(flat->lat_p50_us > 0 && flat->lat_p50_us <= flat->lat_p99_us);
    assert_true(flat->index_bytes >= 4800 * 128 * 4);
    assert_true(isnan(flat->ndis_per_query));

    /* nprobe = nlist: exhaustive, so exact */
    const struct result_row *all = find(&rs, "IVF32,Flat", "l2", 32, 0);
    assert_float_equal(all->recall_at[1], 1.0, 1e-12);
    assert_float_equal(all->ndis_per_query, 4800.0, 0.5);
    /* sqrt(4800) = 69.3 -> 69 lists, nprobe rule all -> 69 */
    const struct result_row *rule = find(&rs, "IVF69,Flat", "l2", 69, 0);
    assert_float_equal(rule->recall_at[1], 1.0, 1e-12);

    /* recall never falls as nprobe grows, and grows overall */
    long np[] = { 1, 2, 4, 8, 16, 32 };
    double prev = -1;
    for (size_t i = 0; i < 6; i++) {
        const struct result_row *r = find(&rs, "IVF32,Flat", "l2", np[i], 0);
        assert_string_equal(r->status, "ok");
        assert_true(r->recall_at[1] >= prev);
        assert_true(r->ndis_per_query > 0);
        prev = r->recall_at[1];
    }
    assert_true(find(&rs, "IVF32,Flat", "l2", 1, 0)->recall_at[1] < 0.95);
    assert_string_equal(find(&rs, "IVF32,Flat", "l2", 64, 0)->status, "skipped: nprobe > nlist");

    /* re-ranking more candidates with exact distances cannot lose recall */
    const struct result_row *k1 = find(&rs, "IVF16,PQ64x4fs,RFlat", "l2", 16, 1);
    const struct result_row *k8 = find(&rs, "IVF16,PQ64x4fs,RFlat", "l2", 16, 8);
    assert_true(k8->recall_at[1] >= k1->recall_at[1]);
    assert_true(k8->recall_at[1] > 0.95);
    results_release(&rs);
}

static void test_glove_cosine_and_ip(void **state)
{
    struct result_set rs;
    (void)state;
    if (!have_shared())
        skip();
    sweep("glove",
          "name: glove-anchors\n"
          "dataset: {format: glove-json, base: " FS_SHARED_DATA "/glove50-5k/glove-50d-5k.json, holdout: 300, seed: 7}\n"
          "k: [1, 10, 100]\n"
          "metrics: [cosine, ip, l2]\n"
          "indexes:\n"
          "  - factory: Flat\n"
          "  - factory: \"IVF{nlist},Flat\"\n"
          "    nlist: [20]\n"
          "search: {nprobe: [1, 20]}\n"
          "measure: {repeats: 1, warmup: 0, latency_queries: 0}\n", &rs);
    const char *metrics[] = { "cosine", "ip", "l2" };
    for (int m = 0; m < 3; m++) {
        const struct result_row *flat = find(&rs, "Flat", metrics[m], 0, 0);
        const struct result_row *ivf = find(&rs, "IVF20,Flat", metrics[m], 20, 0);
        const struct result_row *ivf1 = find(&rs, "IVF20,Flat", metrics[m], 1, 0);
        for (size_t k = 0; k < 3; k++) {
            assert_float_equal(flat->recall_at[k], 1.0, 1e-12);
            assert_float_equal(ivf->recall_at[k], 1.0, 1e-12);
        }
        assert_true(ivf1->recall_at[2] < ivf->recall_at[2]);
        /* no single-query timing asked */
        assert_true(isnan(flat->lat_p50_us));
    }
    results_release(&rs);
}

/* A scale ladder: N is a column, nlist rules follow N, recall@1 of a
 * search for k = 1 is not taken from the deeper k = 10 search. */
static void test_sift_ladder(void **state)
{
    struct result_set rs;
    (void)state;
    if (!have_shared())
        skip();
    sweep("ladder",
          "name: sift-ladder\n"
          "dataset: {format: tsv-id, base: " FS_SHARED_DATA "/sift5k/sift-dataset-5k.tsv, holdout: 200, sizes: [1000, 4800]}\n"
          "k: [1, 10]\n"
          "indexes:\n"
          "  - factory: Flat\n"
          "  - factory: \"IVF{nlist},Flat\"\n"
          "    nlist: {rule: rvc-2023-04}\n"
          "    nprobe: {rule: all}\n"
          "measure: {repeats: 1, warmup: 0, latency_queries: 0}\n", &rs);
    /* 2 sizes x 2 builds, one point each */
    assert_int_equal(rs.n_rows, 4);
    assert_int_equal(rs.rows[0].N, 1000);
    assert_string_equal(rs.rows[1].factory, "IVF25,Flat");   /* 1000 // 39 */
    assert_int_equal(rs.rows[1].nprobe, 25);
    assert_int_equal(rs.rows[2].N, 4800);
    assert_string_equal(rs.rows[3].factory, "IVF123,Flat");  /* 4800 // 39 */
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(rs.rows[i].status, "ok");
        assert_float_equal(rs.rows[i].recall_at[0], 1.0, 1e-12);
        assert_float_equal(rs.rows[i].recall_at[1], 1.0, 1e-12);
    }
    results_release(&rs);
}

/* RVC's blend fidelity: exact neighbours give the exact blend; a search
 * that misses neighbours moves f away from it. */
static void test_blend_fidelity(void **state)
{
    struct result_set rs;
    (void)state;
    if (!have_shared())
        skip();
    sweep("blend",
          "name: sift-blend\n"
          "dataset: {format: tsv-id, base: " FS_SHARED_DATA "/sift5k/sift-dataset-5k.tsv, holdout: 200}\n"
          "k: [1, 10]\n"
          "metrics: [l2, cosine]\n"
          "indexes:\n"
          "  - factory: Flat\n"
          "  - factory: \"IVF{nlist},Flat\"\n"
          "    nlist: [32]\n"
          "    nprobe: [1, 32]\n"
          "rvc: {blend_k: 8, index_rate: 0.75}\n"
          "measure: {repeats: 1, warmup: 0, latency_queries: 10}\n", &rs);
    const char *metrics[] = { "l2", "cosine" };
    for (int m = 0; m < 2; m++) {
        const struct result_row *flat = find(&rs, "Flat", metrics[m], 0, 0);
        const struct result_row *all = find(&rs, "IVF32,Flat", metrics[m], 32, 0);
        const struct result_row *one = find(&rs, "IVF32,Flat", metrics[m], 1, 0);
        assert_true(flat->blend_err_mean < 1e-6);
        assert_float_equal(flat->blend_cos_mean, 1.0, 1e-6);
        assert_int_equal(flat->blend_missing, 0);
        assert_true(all->blend_err_mean < 1e-4);
        assert_true(one->blend_err_mean > 10 * all->blend_err_mean);
        assert_true(one->blend_err_p95 >= one->blend_err_mean);
        assert_true(one->blend_cos_mean < 1.0);
        assert_float_equal(one->audio_s_batch, 50.0 / one->qps, 1e-12);
        assert_float_equal(one->audio_s_single, 50.0 * one->lat_mean_us * 1e-6, 1e-12);
    }
    results_release(&rs);
}

static const struct result_row *find_prep(const struct result_set *rs, const char *factory,
                                          const char *prep, long nprobe)
{
    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *r = &rs->rows[i];
        if (!strcmp(r->factory, factory) && !strcmp(r->preprocess, prep) && r->nprobe == nprobe)
            return r;
    }
    fail_msg("no row for %s [%s] nprobe=%ld", factory, prep, nprobe);
    return NULL;
}

/* The tips' preprocessing as axes, and RVC's preset: a shuffled index still
 * answers exactly (its ids are mapped back), k-means rows have no recall but
 * a blend error, query expansion changes the answers. */
static void test_preprocessing(void **state)
{
    struct result_set rs;
    (void)state;
    if (!have_shared())
        skip();
    sweep("prep",
          "name: sift-prep\n"
          "dataset: {format: tsv-id, base: " FS_SHARED_DATA "/sift5k/sift-dataset-5k.tsv, holdout: 200}\n"
          "k: [1, 8]\n"
          "indexes:\n"
          "  - factory: Flat\n"
          "    shuffle: true\n"
          "    add_batch: 1000\n"
          "  - factory: \"IVF{nlist},Flat\"\n"
          "    nlist: [16]\n"
          "    nprobe: {rule: all}\n"
          "    kmeans: [0, 400]\n"
          "  - factory: Flat\n"
          "    expand: {alpha: 3, num_expand: 4, on: queries}\n"
          "  - preset: rvc-default\n"
          "    label: RVC today\n"
          "rvc: {blend_k: 8}\n"
          "measure: {repeats: 1, warmup: 0, latency_queries: 0}\n", &rs);
    const struct result_row *shuf = find_prep(&rs, "Flat", "shuffle", 0);
    assert_float_equal(shuf->recall_at[1], 1.0, 1e-12);
    assert_true(shuf->blend_err_mean < 1e-6);

    const struct result_row *ivf = find_prep(&rs, "IVF16,Flat", "", 16);
    assert_float_equal(ivf->recall_at[1], 1.0, 1e-12);
    const struct result_row *km = find_prep(&rs, "IVF16,Flat", "kmeans=400", 16);
    assert_int_equal(km->n_clusters, 400);
    assert_true(isnan(km->recall_at[1]));
    assert_true(km->blend_err_mean > ivf->blend_err_mean);
    assert_true(km->index_bytes < ivf->index_bytes);

    const struct result_row *qe = find_prep(&rs, "Flat", "qe=queries:a3:n4", 0);
    assert_true(qe->recall_at[1] < 1.0);

    /* rvc-default at N = 4800: n_ivf = min(int(16*sqrt(4800)), 4800//39) = 123, nprobe 1 */
    const struct result_row *rvc = find_prep(&rs, "IVF123,Flat", "shuffle", 1);
    assert_string_equal(rvc->family, "RVC today");
    assert_string_equal(rvc->status, "ok");
    assert_true(rvc->recall_at[1] > 0.2 && rvc->recall_at[1] < 1.0);
    results_release(&rs);
}

static int cleanup(void **state)
{
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    (void)state;
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    free(cmd);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sift_anchors),
        cmocka_unit_test(test_glove_cosine_and_ip),
        cmocka_unit_test(test_sift_ladder),
        cmocka_unit_test(test_blend_fidelity),
        cmocka_unit_test(test_preprocessing),
    };
    if (!mkdtemp(tmpdir))
        return 1;
    if (!have_shared())
        printf("shared data sets not found in " FS_SHARED_DATA ": skipping\n");
    return cmocka_run_group_tests_name("e2e_sweep", tests, NULL, cleanup);
}
