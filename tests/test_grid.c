/*
 * test_grid.c - factory placeholders, RVC's nlist/nprobe rules, grid
 * expansion and the skipping of combinations that do not apply.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/grid.h"
#include "testutil.h"

static void test_factory_placeholders(void **state)
{
    char why[128];
    char *s;
    (void)state;
    s = factory_resolve("IVF{nlist},PQ{d/2}x4fs,RFlat", 1024, 256, why, sizeof(why));
    assert_string_equal(s, "IVF1024,PQ128x4fs,RFlat");
    free(s);
    s = factory_resolve("PCA{d/4},IVF{nlist}_HNSW32,SQ8", 50, 784, why, sizeof(why));
    assert_string_equal(s, "PCA196,IVF50_HNSW32,SQ8");
    free(s);
    s = factory_resolve("Flat", 0, 10, why, sizeof(why));
    assert_string_equal(s, "Flat");
    free(s);
    assert_null(factory_resolve("PQ{d/3}", 0, 128, why, sizeof(why)));
    assert_non_null(strstr(why, "not divisible"));
    assert_null(factory_resolve("IVF{nlits},Flat", 8, 128, why, sizeof(why)));
    assert_non_null(strstr(why, "{nlits}"));
    assert_null(factory_resolve("IVF{nlist,Flat", 8, 128, why, sizeof(why)));
    assert_null(factory_resolve("PQ{d/0}", 0, 128, why, sizeof(why)));
}

static void test_nlist_rules(void **state)
{
    struct index_spec spec = { 0 };
    double mult[] = { 4, 16, 4 };
    long *v;
    size_t n;
    (void)state;

    spec.nlist_kind = NLIST_SQRT;
    spec.nlist.v = mult;
    spec.nlist.n = 3;
    n = nlist_values(&spec, 60000, &v);  /* sqrt(60000) = 244.95 */
    assert_int_equal(n, 2);              /* duplicate 4 dropped */
    assert_int_equal(v[0], 980);
    assert_int_equal(v[1], 3919);
    free(v);

    spec.nlist_kind = NLIST_RULE_RVC_2023;
    n = nlist_values(&spec, 98000, &v);
    assert_int_equal(n, 1);
    assert_int_equal(v[0], 98000 / 39);
    free(v);

    /* RVC today: min(int(16*sqrt(N)), N//39); N//39 wins below ~389k */
    spec.nlist_kind = NLIST_RULE_RVC;
    n = nlist_values(&spec, 98000, &v);
    assert_int_equal(v[0], 2512);
    free(v);
    n = nlist_values(&spec, 1000000, &v);
    assert_int_equal(v[0], 16000);
    free(v);
    (void)n;
}

static void test_nprobe_rules(void **state)
{
    struct nprobe_spec s = { .kind = NPROBE_RULE_RVC_2023 };
    long vals[] = { 64, 1, 8, 8 };
    long *v;
    size_t n;
    (void)state;
    n = nprobe_values(&s, 2512, &v);      /* int(2512 ** 0.3) = 10 */
    assert_int_equal(n, 1);
    assert_int_equal(v[0], 10);
    free(v);
    s.kind = NPROBE_RULE_ALL;
    nprobe_values(&s, 77, &v);
    assert_int_equal(v[0], 77);
    free(v);
    s.kind = NPROBE_LIST;
    s.values.v = vals;
    s.values.n = 4;
    n = nprobe_values(&s, 16, &v);
    assert_int_equal(n, 3);
    assert_int_equal(v[0], 1);
    assert_int_equal(v[1], 8);
    assert_int_equal(v[2], 64);
    free(v);
}

/* A config like:
 *   metrics: [l2, ip]
 *   indexes: [{factory: "IVF{nlist},Flat", nlist: [16, 64]},
 *             {factory: "IVF{nlist},PQ{d/2}x4fs,RFlat", nlist: [32]},
 *             {factory: Flat}]
 *   search: {nprobe: [1, 32], k_factor: [1, 4]} */
static void test_expand_and_skip(void **state)
{
    double nl_a[] = { 16, 64 }, nl_b[] = { 32 };
    long np[] = { 1, 32 }, kf[] = { 1, 4 };
    enum metric metrics[] = { METRIC_L2, METRIC_IP };
    struct index_spec idx[3] = {
        { .factory = "IVF{nlist},Flat", .nlist_kind = NLIST_LIST, .nlist = { nl_a, 2 }, .line = 5 },
        { .factory = "IVF{nlist},PQ{d/2}x4fs,RFlat", .nlist_kind = NLIST_LIST, .nlist = { nl_b, 1 }, .line = 7 },
        { .factory = "Flat", .line = 9 },
    };
    struct config cfg = { .path = "t.yaml", .metrics = metrics, .n_metrics = 2,
                          .indexes = idx, .n_indexes = 3,
                          .nprobe = { NPROBE_LIST, { np, 2 } }, .k_factor = { kf, 2 } };
    struct grid g;
    (void)state;

    assert_int_equal(grid_expand(&g, &cfg, (size_t[]){ 1000 }, 1, 128), 0);
    /* (2 nlist + 1 nlist + 1 flat) x 2 metrics */
    assert_int_equal(g.n_builds, 8);
    assert_int_equal(g.n_points, 8 * 4);
    assert_string_equal(g.builds[0].factory, "IVF16,Flat");
    assert_int_equal(g.builds[0].metric, METRIC_L2);
    assert_int_equal(g.builds[1].metric, METRIC_IP);
    assert_int_equal(g.builds[0].nlist, 16);
    assert_false(g.builds[0].refine);

    /* IVF16,Flat: nprobe 32 > 16 skipped; k_factor 4 has no refinement */
    const struct build_point *b = &g.builds[0];
    assert_null(b->points[0].skip);
    assert_int_equal(b->points[0].nprobe, 1);
    assert_int_equal(b->points[0].k_factor, 0);
    assert_string_equal(b->points[1].skip, "k_factor without refinement");
    assert_string_equal(b->points[2].skip, "nprobe > nlist");
    assert_string_equal(b->points[3].skip, "nprobe > nlist");

    /* IVF64,Flat: nprobe 32 applies */
    b = &g.builds[2];
    assert_int_equal(b->nlist, 64);
    assert_null(b->points[2].skip);
    assert_int_equal(b->points[2].nprobe, 32);

    /* refine: every k_factor applies */
    b = &g.builds[4];
    assert_string_equal(b->factory, "IVF32,PQ64x4fs,RFlat");
    assert_true(b->refine);
    assert_string_equal(b->kf_param, "k_factor_rf");
    assert_null(b->points[0].skip);
    assert_null(b->points[1].skip);
    assert_int_equal(b->points[1].k_factor, 4);
    assert_null(b->points[2].skip);
    assert_int_equal(b->points[2].nprobe, 32);

    /* Flat: one real point, the rest skipped */
    b = &g.builds[6];
    assert_int_equal(b->nlist, 0);
    assert_null(b->points[0].skip);
    assert_int_equal(b->points[0].nprobe, 0);
    assert_int_equal(b->points[0].k_factor, 0);
    for (size_t i = 1; i < 4; i++)
        assert_non_null(b->points[i].skip);

    /* skipped: IVF16 3 + IVF64 1 (k_factor 4 at each nprobe: 2) ... counted */
    size_t skipped = 0;
    for (size_t i = 0; i < g.n_builds; i++)
        for (size_t j = 0; j < g.builds[i].n_points; j++)
            skipped += g.builds[i].points[j].skip != NULL;
    assert_int_equal(g.n_skipped, skipped);
    /* per metric: IVF16 3, IVF64 2, RFlat 0, Flat 3 */
    assert_int_equal(g.n_skipped, 2 * (3 + 2 + 0 + 3));
    grid_release(&g);
}

static void test_expand_errors(void **state)
{
    double nl[] = { 5000 };
    enum metric metrics[] = { METRIC_L2 };
    struct index_spec idx = { .factory = "IVF{nlist},Flat", .nlist_kind = NLIST_LIST,
                              .nlist = { nl, 1 }, .line = 12 };
    struct config cfg = { .path = "t.yaml", .metrics = metrics, .n_metrics = 1,
                          .indexes = &idx, .n_indexes = 1 };
    struct grid g;
    (void)state;
    /* more lists than vectors */
    assert_fails(grid_expand(&g, &cfg, (size_t[]){ 1000 }, 1, 128),
                 "faiss-sweep: t.yaml:12: indexes[0].nlist: 5000 lists for only 1000 base vectors\n",
                 NULL);
    grid_release(&g);
    idx.factory = "IVF{nlist},PQ{d/3}";
    nl[0] = 10;
    assert_fails(grid_expand(&g, &cfg, (size_t[]){ 1000 }, 1, 128),
                 "t.yaml:12: indexes[0].factory: d=128 is not divisible by 3 in", NULL);
    grid_release(&g);
    /* a rule that gives no list on a tiny base (N // 39 = 0) */
    idx.factory = "IVF{nlist},Flat";
    idx.nlist_kind = NLIST_RULE_RVC;
    assert_fails(grid_expand(&g, &cfg, (size_t[]){ 38 }, 1, 128),
                 "t.yaml:12: indexes[0].nlist: no valid value for N=38", NULL);
    grid_release(&g);
    /* an entry given by --set has no line: the message names the override */
    idx.line = 0;
    assert_fails(grid_expand(&g, &cfg, (size_t[]){ 38 }, 1, 128),
                 "faiss-sweep: --set indexes[0].nlist: no valid value for N=38\n", NULL);
    grid_release(&g);
}

/* A scale ladder: the same entries at each size, rules resolved per N. */
static void test_ladder(void **state)
{
    enum metric metrics[] = { METRIC_L2 };
    struct index_spec idx = { .factory = "IVF{nlist},Flat", .nlist_kind = NLIST_RULE_RVC_2023,
                              .line = 3 };
    struct config cfg = { .path = "t.yaml", .metrics = metrics, .n_metrics = 1,
                          .indexes = &idx, .n_indexes = 1,
                          .nprobe = { NPROBE_RULE_RVC_2023, { NULL, 0 } } };
    size_t sizes[] = { 10000, 100000 };
    struct grid g;
    (void)state;
    assert_int_equal(grid_expand(&g, &cfg, sizes, 2, 256), 0);
    assert_int_equal(g.n_builds, 2);
    assert_int_equal(g.builds[0].N, 10000);
    assert_int_equal(g.builds[0].nlist, 256);            /* 10000 // 39 */
    assert_int_equal(g.builds[0].points[0].nprobe, 5);   /* int(256 ** 0.3) */
    assert_int_equal(g.builds[1].N, 100000);
    assert_int_equal(g.builds[1].nlist, 2564);
    assert_int_equal(g.builds[1].points[0].nprobe, 10);  /* int(2564 ** 0.3) */
    grid_release(&g);
}

/* Ladder sizes must fit the base that was loaded; the message is config-located. */
static void test_check_sizes(void **state)
{
    long sz[] = { 10, 21 };
    struct config cfg = { .path = "t.yaml" };
    (void)state;
    cfg.dataset.sizes = (struct long_list){ sz, 2 };
    cfg.dataset.sizes_line = 7;
    assert_int_equal(grid_check_sizes(&cfg, 21, "b.npy"), 0);
    assert_fails(grid_check_sizes(&cfg, 20, "b.npy"),
                 "faiss-sweep: t.yaml:7: dataset.sizes[1]: 21 exceeds the 20 base rows of 'b.npy'\n",
                 NULL);
    cfg.dataset.sizes_line = 0;   /* given by --set */
    assert_fails(grid_check_sizes(&cfg, 20, "b.npy"),
                 "faiss-sweep: --set dataset.sizes[1]: 21 exceeds the 20 base rows", NULL);
}

/* Index kinds recognised from the resolved factory string. */
static void test_factory_kinds(void **state)
{
    enum metric metrics[] = { METRIC_L2 };
    long np[] = { 1, 4 }, kf[] = { 1, 4 };
    struct index_spec idx[] = {
        { .factory = "IMI2x4,PQ8", .line = 1 },
        { .factory = "IVF16,PQ8+16", .line = 2 },
        { .factory = "OPQ8,IVF16,PQ8,Refine(Flat)", .line = 3 },
        { .factory = "HNSW32", .line = 4 },
    };
    struct config cfg = { .path = "t.yaml", .metrics = metrics, .n_metrics = 1,
                          .indexes = idx, .n_indexes = 4,
                          .nprobe = { NPROBE_LIST, { np, 2 } }, .k_factor = { kf, 2 } };
    struct grid g;
    (void)state;
    assert_int_equal(grid_expand(&g, &cfg, (size_t[]){ 1000 }, 1, 32), 0);
    assert_int_equal(g.builds[0].nlist, 256);
    assert_null(g.builds[0].kf_param);
    assert_int_equal(g.builds[1].nlist, 16);
    assert_string_equal(g.builds[1].kf_param, "k_factor");
    assert_string_equal(g.builds[2].kf_param, "k_factor_rf");
    assert_int_equal(g.builds[2].nlist, 16);
    assert_int_equal(g.builds[3].nlist, 0);
    assert_null(g.builds[3].kf_param);
    grid_release(&g);
}

/* Preprocessing axes multiply builds; RVC's k-means rule follows N. */
static void test_prep_axes(void **state)
{
    enum metric metrics[] = { METRIC_L2 };
    long km[] = { 0, 500 }, ne[] = { 4 };
    double al[] = { 3 };
    enum expand_on on[] = { EXPAND_BASE, EXPAND_QUERIES };
    struct index_spec idx[] = {
        { .factory = "IVF{nlist},Flat", .nlist_kind = NLIST_LIST, .nlist = { (double[]){ 64 }, 1 },
          .prep = { .shuffle = 1, .kmeans = { km, 2 }, .alpha = { al, 1 }, .num_expand = { ne, 1 },
                    .expand_on = on, .n_expand_on = 2 }, .line = 1 },
        { .factory = "IVF{nlist},Flat", .nlist_kind = NLIST_RULE_RVC,
          .prep = { .kmeans_rule_rvc = 1, .add_batch = 8192 }, .line = 2 },
    };
    struct config cfg = { .path = "t.yaml", .metrics = metrics, .n_metrics = 1,
                          .indexes = idx, .n_indexes = 2 };
    struct grid g;
    (void)state;
    assert_int_equal(grid_expand(&g, &cfg, (size_t[]){ 1000 }, 1, 8), 0);
    /* 2 k-means sizes x 2 expansion targets, then the rvc entry */
    assert_int_equal(g.n_builds, 5);
    assert_string_equal(g.builds[0].prep, "shuffle,qe=base:a3:n4");
    assert_int_equal(g.builds[0].n_clusters, 0);
    assert_string_equal(g.builds[1].prep, "shuffle,qe=queries:a3:n4");
    assert_string_equal(g.builds[2].prep, "shuffle,kmeans=500,qe=base:a3:n4");
    assert_int_equal(g.builds[3].num_expand, 4);
    assert_int_equal(g.builds[3].expand_on, EXPAND_QUERIES);
    /* N = 1000: below RVC's 200,000, no compression */
    assert_int_equal(g.builds[4].n_clusters, 0);
    assert_int_equal(g.builds[4].add_batch, 8192);
    assert_string_equal(g.builds[4].prep, "");
    grid_release(&g);

    /* above 200,000 rows the rule compresses to 10,000 centroids */
    cfg.indexes = &idx[1];
    cfg.n_indexes = 1;
    assert_int_equal(grid_expand(&g, &cfg, (size_t[]){ 300000 }, 1, 8), 0);
    assert_int_equal(g.builds[0].n_clusters, 10000);
    /* RVC computes n_ivf on the compressed set: min(int(16*sqrt(10000)), 10000//39) */
    assert_int_equal(g.builds[0].nlist, 256);
    assert_string_equal(g.builds[0].prep, "kmeans=10000");
    grid_release(&g);

    /* more centroids than rows: not built at that N (a ladder's small step) */
    km[1] = 5000;
    cfg.indexes = idx;
    assert_int_equal(grid_expand(&g, &cfg, (size_t[]){ 1000, 8000 }, 2, 8), 0);
    assert_int_equal(g.n_builds, 2 + 4);
    assert_int_equal(g.builds[2].N, 8000);
    assert_string_equal(g.builds[4].prep, "shuffle,kmeans=5000,qe=base:a3:n4");
    grid_release(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factory_placeholders),
        cmocka_unit_test(test_nlist_rules),
        cmocka_unit_test(test_nprobe_rules),
        cmocka_unit_test(test_expand_and_skip),
        cmocka_unit_test(test_expand_errors),
        cmocka_unit_test(test_ladder),
        cmocka_unit_test(test_check_sizes),
        cmocka_unit_test(test_factory_kinds),
        cmocka_unit_test(test_prep_axes),
    };
    return cmocka_run_group_tests_name("grid", tests, NULL, NULL);
}
