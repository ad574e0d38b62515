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

#include "out/results.h"
#include "run/run.h"
#include "lib/util.h"
#include "testutil.h"

static int have_shared(void)
{
    struct stat st;
    return stat(FS_SHARED_DATA "/sift5k/sift-dataset-5k.tsv", &st) == 0;
}

/* Write a config, run it, read the results back. */
static void sweep(const char *name, const char *yaml, struct result_set *rs)
{
    /* Ground truth cached inside the temporary folder. */
    char *cfg = xasprintf("%scache_dir: %s/cache\n", yaml, tmpdir);
    char *results_path = NULL;

    util_quiet = 1;
    assert_int_equal(run_config(name, cfg, NULL, 0, &results_path, NULL), 0);
    assert_non_null(results_path);
    memset(rs, 0, sizeof(*rs));
    assert_int_equal(results_read(rs, results_path), 0);
    free(results_path);
    free(cfg);
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

/* A measure's column of a row, by name (NaN when the set has none). */
static double V(const struct result_set *rs, const struct result_row *r, const char *name)
{
    double v;
    results_value(rs, r, name, &v);
    return v;
}

/* RVC's /blend side table as structs, by column name. */
struct brow {
    int64_t run_row;
    double index_rate, err_mean, err_p95, ir_unit;
};

static struct brow *blend_rows(const struct result_set *rs, size_t *n)
{
    const struct result_table *t = results_table(rs, "blend");
    struct brow *b;
    assert_non_null(t);
    b = calloc(t->n_rows + 1, sizeof(*b));
    for (size_t i = 0; i < t->n_rows; i++) {
        const union result_cell *c = t->cells + i * t->n_cols;
        b[i].run_row = c[results_table_col(t, "run_row")].i;
        b[i].index_rate = c[results_table_col(t, "index_rate")].f;
        b[i].err_mean = c[results_table_col(t, "blend_err_mean")].f;
        b[i].err_p95 = c[results_table_col(t, "blend_err_p95")].f;
        b[i].ir_unit = c[results_table_col(t, "blend_ir_unit")].f;
    }
    *n = t->n_rows;
    return b;
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
          "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 20}\n", &rs);
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
          "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 0}\n", &rs);
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
    /* no rvc: section, so none of RVC's columns and no /blend */
    assert_int_equal(rs.n_cols, 0);
    assert_null(results_table(&rs, "blend"));
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
          "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 0}\n", &rs);
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
          "rvc: {blend_k: 8, index_rate: [0.75, 0, 0.25, 1]}\n"
          "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 10}\n", &rs);
    assert_int_equal(results_attr(&rs, "rvc_blend_k")->i, 8);
    assert_true(results_attr(&rs, "rvc_index_rate")->f == 0.75);
    const char *metrics[] = { "l2", "cosine" };
    for (int m = 0; m < 2; m++) {
        const struct result_row *flat = find(&rs, "Flat", metrics[m], 0, 0);
        const struct result_row *all = find(&rs, "IVF32,Flat", metrics[m], 32, 0);
        const struct result_row *one = find(&rs, "IVF32,Flat", metrics[m], 1, 0);
        assert_true(V(&rs, flat, "blend_err_mean") < 1e-6);
        assert_float_equal(V(&rs, flat, "blend_cos_mean"), 1.0, 1e-6);
        assert_true(V(&rs, flat, "blend_missing") == 0);
        assert_true(V(&rs, all, "blend_err_mean") < 1e-4);
        assert_true(V(&rs, one, "blend_err_mean") > 10 * V(&rs, all, "blend_err_mean"));
        assert_true(V(&rs, one, "blend_err_p95") >= V(&rs, one, "blend_err_mean"));
        assert_true(V(&rs, one, "blend_cos_mean") < 1.0);
        assert_float_equal(V(&rs, one, "audio_s_batch"), 50.0 / one->qps, 1e-12);
        assert_float_equal(V(&rs, one, "audio_s_single"), 50.0 * one->lat_mean_us * 1e-6, 1e-12);
        assert_true(isfinite(V(&rs, one, "blend_ir_unit")) && V(&rs, one, "blend_ir_unit") > 0);
        /* no preprocessing here */
        assert_true(isnan(V(&rs, one, "audio_s_qexpand")));
        assert_true(one->prep_s == 0);
    }

    /* /blend: one row per ok row and index_rate, in the order given */
    const double rates[] = { 0.75, 0, 0.25, 1 };
    size_t nb;
    struct brow *bl = blend_rows(&rs, &nb);
    size_t n_ok = 0;
    for (size_t i = 0; i < rs.n_rows; i++)
        n_ok += !strcmp(rs.rows[i].status, "ok");
    assert_int_equal(n_ok, 6);   /* Flat, IVF32 at nprobe 1 and 32; two metrics */
    assert_int_equal(nb, n_ok * 4);
    for (size_t i = 0; i < nb; i++) {
        const struct brow *b = &bl[i];
        assert_true(b->run_row >= 0 && (size_t)b->run_row < rs.n_rows);
        assert_string_equal(rs.rows[b->run_row].status, "ok");
        assert_true(b->index_rate == rates[i % 4]);
        assert_true(b->run_row == bl[i - i % 4].run_row);
    }
    for (size_t i = 0; i < nb; i += 4) {
        const struct brow *b = &bl[i];
        const struct result_row *r = &rs.rows[b[0].run_row];
        /* every ok row once */
        for (size_t j = 0; j < i; j += 4)
            assert_true(bl[j].run_row != b[0].run_row);
        /* the first rate is what /runs holds */
        assert_true(b[0].err_mean == V(&rs, r, "blend_err_mean"));
        assert_true(b[0].err_p95 == V(&rs, r, "blend_err_p95"));
        assert_true(b[0].ir_unit == V(&rs, r, "blend_ir_unit"));
        /* index_rate 0: f = q on both sides */
        assert_true(b[1].err_mean == 0 && b[1].err_p95 == 0);
        /* the error grows with the share of the retrieved vector */
        if (V(&rs, r, "blend_err_mean") > 1e-3) {
            assert_true(b[2].err_mean < b[0].err_mean && b[0].err_mean < b[3].err_mean);
            assert_true(b[2].err_p95 < b[0].err_p95 && b[0].err_p95 < b[3].err_p95);
        } else {
            assert_true(b[2].err_mean <= b[0].err_mean + 1e-9 && b[0].err_mean <= b[3].err_mean + 1e-9);
        }
        for (size_t j = 0; j < 4; j++) {
            assert_true(isfinite(b[j].ir_unit) && b[j].ir_unit > 0);
        }
        /* ir_unit comes from the exact neighbours and the queries alone: the
         * same for every row of this N and metric, at each rate */
        for (size_t j = 0; j < nb; j += 4) {
            const struct result_row *o = &rs.rows[bl[j].run_row];
            if (o->N != r->N || strcmp(o->metric, r->metric))
                continue;
            for (size_t k = 0; k < 4; k++)
                assert_true(bl[j + k].ir_unit == b[k].ir_unit);
        }
    }
    /* the nprobe 1 rows lose neighbours: a visible error even at 0.25 */
    for (int m = 0; m < 2; m++) {
        const struct result_row *one = find(&rs, "IVF32,Flat", metrics[m], 1, 0);
        for (size_t i = 0; i < nb; i++)
            if (&rs.rows[bl[i].run_row] == one && bl[i].index_rate == 0.25)
                assert_true(bl[i].err_mean > 0);
    }
    free(bl);
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
          "  - factory: Flat\n"
          "    expand: {alpha: 3, num_expand: 4, on: [base, both]}\n"
          "  - preset: rvc-default\n"
          "    label: RVC today\n"
          "rvc: {blend_k: 8}\n"
          "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 0}\n", &rs);
    const struct result_row *shuf = find_prep(&rs, "Flat", "shuffle", 0);
    assert_float_equal(shuf->recall_at[1], 1.0, 1e-12);
    assert_true(V(&rs, shuf, "blend_err_mean") < 1e-6);

    const struct result_row *ivf = find_prep(&rs, "IVF16,Flat", "", 16);
    assert_float_equal(ivf->recall_at[1], 1.0, 1e-12);
    const struct result_row *km = find_prep(&rs, "IVF16,Flat", "kmeans=400", 16);
    assert_int_equal(km->n_clusters, 400);
    assert_true(isnan(km->recall_at[1]));
    assert_true(V(&rs, km, "blend_err_mean") > V(&rs, ivf, "blend_err_mean"));
    assert_true(km->index_bytes < ivf->index_bytes);

    const struct result_row *qe = find_prep(&rs, "Flat", "qe=queries:a3:n4", 0);
    assert_true(qe->recall_at[1] < 1.0);

    /* rvc-default at N = 4800: n_ivf = min(int(16*sqrt(4800)), 4800//39) = 123, nprobe 1 */
    const struct result_row *rvc = find_prep(&rs, "IVF123,Flat", "shuffle", 1);
    assert_string_equal(rvc->family, "RVC today");
    assert_string_equal(rvc->status, "ok");
    assert_true(rvc->recall_at[1] > 0.2 && rvc->recall_at[1] < 1.0);

    /* audio_s_qexpand: the query expansion's seconds per second of audio,
     * only where the queries are expanded; prep_s: seconds of preprocessing
     * of the base before training, 0 without any */
    int seen_q = 0, seen_both = 0, seen_base = 0;
    for (size_t i = 0; i < rs.n_rows; i++) {
        const struct result_row *r = &rs.rows[i];
        int qe = strstr(r->preprocess, "qe=queries") || strstr(r->preprocess, "qe=both");
        assert_string_equal(r->status, "ok");
        seen_q += strstr(r->preprocess, "qe=queries") != NULL;
        seen_both += strstr(r->preprocess, "qe=both") != NULL;
        seen_base += strstr(r->preprocess, "qe=base") != NULL;
        if (qe)
            assert_true(isfinite(V(&rs, r, "audio_s_qexpand")) && V(&rs, r, "audio_s_qexpand") > 0);
        else
            assert_true(isnan(V(&rs, r, "audio_s_qexpand")));
        /* qe=queries alone does no work on the base: its prep_s may be ~0 */
        if (r->preprocess[0])
            assert_true(isfinite(r->prep_s) && r->prep_s >= 0);
        else
            assert_true(r->prep_s == 0);
    }
    assert_true(seen_q && seen_both && seen_base);
    /* expanding the base costs the base's expansion, which the queries-only
     * row does not pay */
    const struct result_row *qb = find_prep(&rs, "Flat", "qe=base:a3:n4", 0);
    const struct result_row *qq = find_prep(&rs, "Flat", "qe=queries:a3:n4", 0);
    const struct result_row *q2 = find_prep(&rs, "Flat", "qe=both:a3:n4", 0);
    assert_true(qb->prep_s > qq->prep_s);
    assert_true(q2->prep_s > qq->prep_s);
    /* the "both" build reuses the "base" build's expansion: the same rows as
     * a run that computes it for "both" alone (Flat: exact, deterministic) */
    struct result_set alone;
    sweep("prep-both",
          "name: sift-prep-both\n"
          "dataset: {format: tsv-id, base: " FS_SHARED_DATA "/sift5k/sift-dataset-5k.tsv, holdout: 200}\n"
          "k: [1, 8]\n"
          "indexes:\n"
          "  - factory: Flat\n"
          "    expand: {alpha: 3, num_expand: 4, on: both}\n"
          "rvc: {blend_k: 8}\n"
          "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 0}\n", &alone);
    const struct result_row *q2a = find_prep(&alone, "Flat", "qe=both:a3:n4", 0);
    assert_true(q2a->recall_at[0] == q2->recall_at[0] && q2a->recall_at[1] == q2->recall_at[1]);
    assert_true(V(&alone, q2a, "blend_err_mean") == V(&rs, q2, "blend_err_mean"));
    assert_true(V(&alone, q2a, "blend_cos_mean") == V(&rs, q2, "blend_cos_mean"));
    results_release(&alone);
    /* blend_ir_unit needs only the exact side: equal across the rows */
    assert_true(V(&rs, qb, "blend_ir_unit") == V(&rs, qq, "blend_ir_unit") && V(&rs, km, "blend_ir_unit") == V(&rs, qq, "blend_ir_unit"));
    /* /blend: one row (the default index_rate 0.75) per ok row with a blend */
    size_t nb;
    struct brow *bl = blend_rows(&rs, &nb);
    assert_int_equal(nb, rs.n_rows);
    for (size_t i = 0; i < nb; i++) {
        assert_int_equal(bl[i].run_row, (int64_t)i);
        assert_true(bl[i].index_rate == 0.75);
        assert_true(bl[i].err_mean == V(&rs, &rs.rows[i], "blend_err_mean"));
    }
    free(bl);
    results_release(&rs);
}

static int cleanup(void **state)
{
    (void)state;
    if (rm_tree(tmpdir))
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return 0;
}

/* Zero vectors under cosine (generated data: the property is about them).
 * A zero base row has no direction: it is left out of the cosine base (N
 * drops by their count) but stays in the l2 one; a zero query is kept, with
 * similarity 0 to everything. Both are warned about, and the anchors hold:
 * Flat and IVF with nprobe = nlist are exact in both metrics. */
static void test_zero_vectors_cosine(void **state)
{
    struct result_set rs;
    char *base = xasprintf("%s/zero-base.tsv", tmpdir), *qs = xasprintf("%s/zero-q.tsv", tmpdir);
    FILE *fb = fopen(base, "w"), *fq = fopen(qs, "w");
    unsigned seed = 7;
    (void)state;
    assert_non_null(fb);
    assert_non_null(fq);
    for (int i = 0; i < 600; i++)
        for (int j = 0; j < 16; j++)
            fprintf(fb, "%g%c", i % 120 == 5 ? 0.0 : (double)(rand_r(&seed) % 1000) / 100 - 5,
                    j == 15 ? '\n' : '\t');
    for (int i = 0; i < 41; i++)
        for (int j = 0; j < 16; j++)
            fprintf(fq, "%g%c", i == 20 ? 0.0 : (double)(rand_r(&seed) % 1000) / 100 - 5,
                    j == 15 ? '\n' : '\t');
    fclose(fb);
    fclose(fq);
    char *yaml = xasprintf("name: zero-cosine\n"
                           "dataset: {format: tsv, base: %s, queries: %s}\n"
                           "k: [1, 10]\nmetrics: [l2, cosine]\n"
                           "indexes:\n"
                           "  - factory: Flat\n"
                           "  - factory: \"IVF{nlist},Flat\"\n"
                           "    nlist: [8]\n"
                           "    nprobe: {rule: all}\n"
                           "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 0}\n", base, qs);
    capture_start();
    sweep("zero-cosine", yaml, &rs);
    const char *err = capture_end();
    assert_non_null(strstr(err, "cosine: 5 base vectors with a norm below"));
    assert_non_null(strstr(err, "cosine: 1 query vectors have a norm below"));
    for (int m = 0; m < 2; m++) {
        const char *metric = m ? "cosine" : "l2";
        const struct result_row *flat = find(&rs, "Flat", metric, 0, 0);
        const struct result_row *ivf = find(&rs, "IVF8,Flat", metric, 8, 0);
        assert_int_equal(flat->N, m ? 595 : 600);
        assert_int_equal(ivf->N, m ? 595 : 600);
        assert_string_equal(flat->status, "ok");
        assert_float_equal(flat->recall_at[1], 1.0, 1e-12);
        assert_float_equal(ivf->recall_at[1], 1.0, 1e-12);
        assert_int_equal(flat->missing_ids, 0);
    }
    results_release(&rs);
    free(yaml);
    free(base);
    free(qs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sift_anchors),
        cmocka_unit_test(test_glove_cosine_and_ip),
        cmocka_unit_test(test_sift_ladder),
        cmocka_unit_test(test_blend_fidelity),
        cmocka_unit_test(test_preprocessing),
        cmocka_unit_test(test_zero_vectors_cosine),
    };
    if (tmpdir_make("e2e_sweep"))
        return 1;
    if (!have_shared())
        printf("shared data sets not found in " FS_SHARED_DATA ": skipping\n");
    return cmocka_run_group_tests_name("e2e_sweep", tests, NULL, cleanup);
}
