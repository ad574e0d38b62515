/*
 * test_rules.c - the named sizing rules and presets (rules.c) with numbers:
 * RVC's nlist rules at N = 9,900, 100,000, 300,000 and 1,000,000 (where its
 * sqrt term wins), the sqrt multipliers, the nprobe rules, RVC's k-means
 * rule on both sides of 200,000, the names the config accepts, and the
 * settings of the rvc-default preset as a config reads them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/grid.h"
#include "core/rules.h"
#include "lib/util.h"
#include "config_test.h"

static void test_nlist_rvc(void **state)
{
    (void)state;
    /* min(int(16 * sqrt(N)), N // 39) */
    assert_int_equal(rule_nlist(NLIST_RULE_RVC, 9900), 253);       /* 1591 vs 253 */
    assert_int_equal(rule_nlist(NLIST_RULE_RVC, 100000), 2564);    /* 5059 vs 2564 */
    assert_int_equal(rule_nlist(NLIST_RULE_RVC, 300000), 7692);    /* 8763 vs 7692 */
    assert_int_equal(rule_nlist(NLIST_RULE_RVC, 1000000), 16000);  /* 16000 vs 25641 */
    assert_int_equal(rule_nlist(NLIST_RULE_RVC, 38), 0);           /* no index: too few rows */
}

static void test_nlist_rvc_2023(void **state)
{
    (void)state;
    /* N // 39 */
    assert_int_equal(rule_nlist(NLIST_RULE_RVC_2023, 9900), 253);
    assert_int_equal(rule_nlist(NLIST_RULE_RVC_2023, 100000), 2564);
    assert_int_equal(rule_nlist(NLIST_RULE_RVC_2023, 300000), 7692);
    assert_int_equal(rule_nlist(NLIST_RULE_RVC_2023, 1000000), 25641);
    assert_int_equal(rule_nlist(NLIST_RULE_RVC_2023, 77), 1);
    /* the kinds that are not rules give nothing */
    assert_int_equal(rule_nlist(NLIST_LIST, 100000), 0);
    assert_int_equal(rule_nlist(NLIST_SQRT, 100000), 0);
}

static void test_nlist_sqrt(void **state)
{
    (void)state;
    /* round(m * sqrt(N)) */
    assert_int_equal(rule_nlist_sqrt(4, 60000), 980);     /* 979.80 */
    assert_int_equal(rule_nlist_sqrt(0.5, 98000), 157);   /* 156.52 */
    assert_int_equal(rule_nlist_sqrt(1, 1000000), 1000);
}

static void test_nprobe_rules(void **state)
{
    (void)state;
    /* rvc-2023-04: int(nlist ** 0.3) */
    assert_int_equal(rule_nprobe(NPROBE_RULE_RVC_2023, 253), 5);
    assert_int_equal(rule_nprobe(NPROBE_RULE_RVC_2023, 2512), 10);
    assert_int_equal(rule_nprobe(NPROBE_RULE_RVC_2023, 2564), 10);
    assert_int_equal(rule_nprobe(NPROBE_RULE_RVC_2023, 16000), 18);
    assert_int_equal(rule_nprobe(NPROBE_RULE_RVC_2023, 1), 1);
    /* all: nprobe = nlist, an exact scan */
    assert_int_equal(rule_nprobe(NPROBE_RULE_ALL, 2564), 2564);
    assert_int_equal(rule_nprobe(NPROBE_RULE_ALL, 1), 1);
    assert_int_equal(rule_nprobe(NPROBE_LIST, 64), 0);
}

static void test_kmeans_rvc(void **state)
{
    (void)state;
    assert_int_equal(rule_kmeans_rvc(200000), 0);
    assert_int_equal(rule_kmeans_rvc(200001), 10000);
    assert_int_equal(rule_kmeans_rvc(33000), 0);
    assert_int_equal(RULE_RVC_KMEANS_ABOVE, 200000);
    assert_int_equal(RULE_RVC_KMEANS_CLUSTERS, 10000);
}

/* The names a config accepts select the rules above. */
static void test_rule_names(void **state)
{
    (void)state;
    assert_string_equal(rule_nlist_names[0], "rvc-2023-04");
    assert_int_equal(rule_nlist_kinds[0], NLIST_RULE_RVC_2023);
    assert_string_equal(rule_nlist_names[1], "rvc");
    assert_int_equal(rule_nlist_kinds[1], NLIST_RULE_RVC);
    assert_null(rule_nlist_names[2]);
    assert_string_equal(rule_nprobe_names[0], "rvc-2023-04");
    assert_int_equal(rule_nprobe_kinds[0], NPROBE_RULE_RVC_2023);
    assert_string_equal(rule_nprobe_names[1], "all");
    assert_int_equal(rule_nprobe_kinds[1], NPROBE_RULE_ALL);
    assert_null(rule_nprobe_names[2]);
    assert_string_equal(rule_kmeans_names[0], "rvc");
    assert_null(rule_kmeans_names[1]);
    assert_string_equal(rule_preset_names[0], "rvc-default");
    assert_null(rule_preset_names[1]);
    assert_string_equal(rule_preset_yaml("rvc-default"), RULE_PRESET_RVC_DEFAULT);
    assert_null(rule_preset_yaml("rvc"));
}

/* The grid takes its numbers from the rules: an rvc-default entry at 300,000
 * rows is compressed to 10,000 centroids, and its nlist is the rule's on
 * them (as RVC computes n_ivf on the compressed set): min(1600, 256). */
static void test_grid_uses_rules(void **state)
{
    struct config cfg;
    struct grid g;
    size_t sizes[] = { 300000, 150000 };
    (void)state;

    assert_int_equal(config_parse(&cfg, HEAD "indexes:\n  - preset: rvc-default\n"
                                  "search: {nprobe: {rule: rvc-2023-04}}\n",
                                  "t.yaml", NULL), 0);
    assert_int_equal(grid_expand(&g, &cfg, sizes, 2, 768), 0);
    assert_int_equal(g.n_builds, 2);
    assert_int_equal(g.builds[0].n_clusters, 10000);
    assert_int_equal(g.builds[0].nlist, 256);
    assert_string_equal(g.builds[0].factory, "IVF256,Flat");
    assert_int_equal(g.builds[0].n_points, 1);
    assert_int_equal(g.builds[0].points[0].nprobe, 1);  /* the preset's nprobe: 1 */
    assert_int_equal(g.builds[1].n_clusters, 0);        /* 150,000 <= 200,000 */
    assert_int_equal(g.builds[1].nlist, 150000 / 39);
    grid_release(&g);
    config_release(&cfg);
}

static void test_preset(void **state)
{
    struct config cfg;
    (void)state;

    assert_int_equal(config_parse(&cfg, HEAD
        "indexes:\n"
        "  - factory: Flat\n"
        "  - preset: rvc-default\n"
        "  - preset: rvc-default\n"
        "    k_factor: [1, 2]\n"
        "    expand: {alpha: 3, num_expand: 8}\n",
        "t.yaml", NULL), 0);
    assert_int_equal(cfg.n_indexes, 3);
    assert_null(cfg.indexes[0].preset);
    for (size_t i = 1; i < 3; i++) {
        const struct index_spec *ix = &cfg.indexes[i];
        assert_string_equal(ix->preset, "rvc-default");
        assert_string_equal(ix->factory, "IVF{nlist},Flat");
        assert_int_equal(ix->nlist_kind, NLIST_RULE_RVC);
        assert_int_equal(ix->nlist.n, 0);
        assert_int_equal(ix->nprobe.kind, NPROBE_LIST);
        assert_int_equal(ix->nprobe.values.n, 1);
        assert_int_equal(ix->nprobe.values.v[0], 1);
        assert_int_equal(ix->prep.shuffle, 1);
        assert_int_equal(ix->prep.kmeans_rule_rvc, 1);
        assert_int_equal(ix->prep.kmeans.n, 0);
        assert_int_equal(ix->prep.add_batch, 8192);
    }
    assert_int_equal(cfg.indexes[1].line, 7);
    assert_int_equal(cfg.indexes[1].k_factor.n, 0);
    assert_int_equal(cfg.indexes[1].prep.alpha.n, 0);
    assert_int_equal(cfg.indexes[1].prep.n_expand_on, 0);
    assert_int_equal(cfg.indexes[2].k_factor.n, 2);
    assert_int_equal(cfg.indexes[2].k_factor.v[1], 2);
    assert_int_equal(cfg.indexes[2].prep.alpha.n, 1);
    assert_true(cfg.indexes[2].prep.alpha.v[0] == 3);
    assert_int_equal(cfg.indexes[2].prep.num_expand.v[0], 8);
    assert_int_equal(cfg.indexes[2].prep.expand_on[0], EXPAND_QUERIES);
    config_release(&cfg);
    assert_true(is_zeroed(&cfg));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nlist_rvc),
        cmocka_unit_test(test_nlist_rvc_2023),
        cmocka_unit_test(test_nlist_sqrt),
        cmocka_unit_test(test_nprobe_rules),
        cmocka_unit_test(test_kmeans_rvc),
        cmocka_unit_test(test_rule_names),
        cmocka_unit_test(test_grid_uses_rules),
        cmocka_unit_test(test_preset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
