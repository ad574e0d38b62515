/*
 * test_keys.c - the key tables (keys.c): each section's keys read into
 * struct config, and for each kind of mistake in a key's value the exact
 * one-line message (file, line, key) printed on stderr.
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
#include "lib/util.h"
#include "config_test.h"

/* ---------- top level ---------- */

static void test_k_sorted_unique(void **state)
{
    struct config cfg;
    (void)state;

    /* nine values but only eight different ones: accepted */
    assert_int_equal(config_parse(&cfg, HEAD FLAT "k: [10, 1, 4096, 10, 5, 1, 2, 3, 7]\n",
                                  "t.yaml", NULL), 0);
    assert_int_equal(cfg.k.n, 7);
    long want[] = { 1, 2, 3, 5, 7, 10, 4096 };
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(cfg.k.v[i], want[i]);
    config_release(&cfg);
}

static void test_bad_metric(void **state)
{
    (void)state;
    expect_error(HEAD FLAT "metrics: [l2, dot]\n",
                 "t.yaml:7: metrics[1]: unknown metric 'dot' (expected l2, ip or cosine)");
    expect_error(HEAD FLAT "metrics: cosin\n",
                 "t.yaml:7: metrics: unknown metric 'cosin' (did you mean 'cosine'?)");
    expect_error(HEAD FLAT "metrics: [ip, ip]\n", "t.yaml:7: metrics[1]: metric 'ip' given twice");
}

static void test_bad_nlist(void **state)
{
    (void)state;
    expect_error(HEAD "indexes:\n  - factory: Flat\n  - factory: \"IVF{nlist},Flat\"\n    nlist: abc\n",
                 "t.yaml:8: indexes[1].nlist: expected an integer >= 1, got 'abc'");
    expect_error(HEAD "indexes:\n  - factory: IVF{nlist},Flat\n    nlist: [16, 0]\n",
                 "t.yaml:7: indexes[0].nlist[1]: expected an integer >= 1, got '0'");
    expect_error(HEAD "indexes:\n  - factory: IVF{nlist},Flat\n    nlist: 2.5\n",
                 "t.yaml:7: indexes[0].nlist: expected an integer >= 1, got '2.5'");
    expect_error(HEAD "indexes:\n  - factory: IVF{nlist},Flat\n    nlist: {sqrt: [1, -2]}\n",
                 "t.yaml:7: indexes[0].nlist.sqrt[1]: expected a number > 0, got '-2'");
    expect_error(HEAD "indexes:\n  - factory: IVF{nlist},Flat\n    nlist: {rule: rvc-2023-4}\n",
                 "t.yaml:7: indexes[0].nlist.rule: unknown rule 'rvc-2023-4' (did you mean 'rvc-2023-04'?)");
    expect_error(HEAD "indexes:\n  - factory: IVF{nlist},Flat\n    nlist: {rule: faiss-wiki}\n",
                 "t.yaml:7: indexes[0].nlist.rule: unknown rule 'faiss-wiki' (expected rvc-2023-04 or rvc)");
    expect_error(HEAD "indexes:\n  - factory: IVF{nlist},Flat\n    nlist: {sqrt: 2, rule: rvc}\n",
                 "t.yaml:7: indexes[0].nlist: expected a mapping with one key (sqrt or rule)");
}

static void test_placeholders(void **state)
{
    (void)state;
    expect_error(HEAD "indexes:\n  - factory: Flat\n  - factory: IVF{nlist},Flat\n",
                 "t.yaml:7: indexes[1].nlist: missing; factory 'IVF{nlist},Flat' uses {nlist}");
    expect_error(HEAD "indexes:\n  - factory: HNSW32\n    nlist: [4, 8]\n",
                 "t.yaml:7: indexes[0].nlist: given, but factory 'HNSW32' has no {nlist}");
    expect_error(HEAD "indexes:\n  - factory: IVF{nlist},PQ{m}\n    nlist: 4\n",
                 "t.yaml:6: indexes[0].factory: unknown placeholder '{m}' (expected {nlist}, {d} or {d/N})");
    expect_error(HEAD "indexes:\n  - factory: PQ{d/0}\n",
                 "t.yaml:6: indexes[0].factory: unknown placeholder '{d/0}'");
    expect_error(HEAD "indexes:\n  - factory: PQ{d/x}\n",
                 "t.yaml:6: indexes[0].factory: unknown placeholder '{d/x}'");
    expect_error(HEAD "indexes:\n  - factory: IVF{nlist,Flat\n",
                 "t.yaml:6: indexes[0].factory: '{' without '}' in 'IVF{nlist,Flat'");
    expect_error(HEAD "indexes:\n  - factory: IVF}\n",
                 "t.yaml:6: indexes[0].factory: '}' without '{' in 'IVF}'");
    expect_error(HEAD "indexes:\n  - factory: \"\"\n",
                 "t.yaml:6: indexes[0].factory: expected a non-empty string");
}

static void test_k_limits(void **state)
{
    (void)state;
    expect_error(HEAD FLAT "k: [1, 0]\n", "t.yaml:7: k[1]: expected an integer between 1 and 4096, got '0'");
    expect_error(HEAD FLAT "k: 4097\n", "t.yaml:7: k: expected an integer between 1 and 4096, got '4097'");
    expect_error(HEAD FLAT "k: []\n", "t.yaml:7: k: expected at least one value");
    expect_error(HEAD FLAT "k: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n",
                 "t.yaml:7: k: at most 8 different values, got 9");
}


/* ---------- bounds of sanity (issue 13, items 12 and 16) ---------- */

/* Integer keys whose type allows values that exhaust memory, overflow
 * faiss's k * k_factor or never end: refused at the key, in the file or in
 * a --set override; the largest allowed value is accepted. */
static void test_sanity_bounds(void **state)
{
    static const struct { const char *yaml, *want; } bad[] = {
        { "measure: {threads: 2147483647}\n",
          "t.yaml:7: measure.threads: expected an integer between 0 and 256, got '2147483647'" },
        { "measure: {threads: 100000}\n",
          "t.yaml:7: measure.threads: expected an integer between 0 and 256, got '100000'" },
        { "search: {k_factor: 9223372036854775807}\n",
          "t.yaml:7: search.k_factor: expected an integer between 1 and 1024, got "
          "'9223372036854775807'" },
        { "search: {k_factor: [1, 1025]}\n",
          "t.yaml:7: search.k_factor[1]: expected an integer between 1 and 1024, got '1025'" },
        { "search: {nprobe: [1, 9223372036854775807]}\n",
          "t.yaml:7: search.nprobe[1]: expected an integer between 1 and 2147483647, got "
          "'9223372036854775807'" },
        { "search: {nprobe: 99999999999999999999}\n",
          "t.yaml:7: search.nprobe: expected an integer between 1 and 2147483647, got "
          "'99999999999999999999'" },
        { "measure: {warmup: 2147483647}\n",
          "t.yaml:7: measure.warmup: expected an integer between 0 and 100, got '2147483647'" },
        { "measure: {latency_rounds: 2147483647}\n",
          "t.yaml:7: measure.latency_rounds: expected an integer between 1 and 1000, got "
          "'2147483647'" },
        { "measure: {repeats: 3000000000}\n",
          "t.yaml:7: measure.repeats: expected an integer between 1 and 2147483647, got "
          "'3000000000'" },
        { "measure: {min_time: 1e300}\n",
          "t.yaml:7: measure.min_time: expected a number > 0 and at most 3600 (seconds), got "
          "'1e300'" },
        { "measure: {max_time: 86401}\n",
          "t.yaml:7: measure.max_time: expected a number > 0 and at most 86400 (seconds), got "
          "'86401'" },
    };
    static const char *const sets[] = { "measure.threads=257" };
    struct config cfg;
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        char *text = xasprintf("%s%s", HEAD FLAT, bad[i].yaml);
        expect_error(text, bad[i].want);
        free(text);
    }
    expect_error_set(HEAD FLAT, sets, 1,
                     "--set measure.threads: expected an integer between 0 and 256, got '257'");
    expect_error(HEAD "indexes:\n  - factory: IVF{nlist},Flat\n    nlist: 3000000000\n",
                 "t.yaml:7: indexes[0].nlist: expected an integer between 1 and 2147483647, got "
                 "'3000000000'");
    expect_error(HEAD "indexes:\n  - factory: Flat,RFlat\n    k_factor: [2048]\n",
                 "t.yaml:7: indexes[0].k_factor[0]: expected an integer between 1 and 1024, got "
                 "'2048'");
    expect_error(HEAD "indexes:\n  - factory: Flat\n    expand: {alpha: 1, num_expand: "
                 "9223372036854775807}\n",
                 "t.yaml:7: indexes[0].expand.num_expand: expected an integer between 1 and 4096, "
                 "got '9223372036854775807'");
    /* the bounds themselves are accepted */
    assert_int_equal(config_parse(&cfg, HEAD FLAT "measure: {threads: 256, warmup: 100, "
                                  "latency_rounds: 1000, min_time: 3600, max_time: 86400}\n"
                                  "search: {k_factor: [1, 1024], nprobe: 2147483647}\n",
                                  "t.yaml", NULL), 0);
    assert_int_equal(cfg.measure.threads, 256);
    assert_int_equal(cfg.k_factor.v[1], 1024);
    config_release(&cfg);
}

/* ---------- dataset keys of real feature sets ---------- */

static void test_dataset_new_keys(void **state)
{
    struct config cfg;
    (void)state;

    /* defaults: none of them set */
    assert_int_equal(config_parse(&cfg, HEAD FLAT, "t.yaml", NULL), 0);
    assert_null(cfg.dataset.queries_format);
    assert_null(cfg.dataset.rvc_version);
    assert_int_equal(cfg.dataset.holdout_clips, 0);
    assert_true(cfg.dataset.holdout_fraction == 0);
    assert_int_equal(cfg.dataset.sizes.n, 0);
    assert_int_equal(cfg.dataset.sizes_line, 0);
    assert_string_equal(cfg.dataset.file, "t.yaml");
    config_release(&cfg);

    assert_int_equal(config_parse(&cfg,
        "name: t\n"
        "dataset:\n"
        "  format: rvc\n"
        "  base: logs/target\n"
        "  rvc_version: v1\n"
        "  holdout_clips: 20\n"
        "  sizes: [30000, 10000, 100000, 10000]\n"
        FLAT, "t.yaml", "/srv"), 0);
    assert_string_equal(cfg.dataset.format, "rvc");
    assert_string_equal(cfg.dataset.base, "/srv/logs/target");
    assert_string_equal(cfg.dataset.rvc_version, "v1");
    assert_int_equal(cfg.dataset.holdout_clips, 20);
    assert_int_equal(cfg.dataset.sizes.n, 3);
    assert_int_equal(cfg.dataset.sizes.v[0], 10000);
    assert_int_equal(cfg.dataset.sizes.v[1], 30000);
    assert_int_equal(cfg.dataset.sizes.v[2], 100000);
    assert_int_equal(cfg.dataset.sizes_line, 7);
    config_release(&cfg);

    assert_int_equal(config_parse(&cfg,
        "name: t\ndataset: {format: rvc, base: a, holdout_fraction: 0.1, sizes: 5}\n" FLAT,
        "t.yaml", NULL), 0);
    assert_true(cfg.dataset.holdout_fraction == 0.1);
    assert_int_equal(cfg.dataset.sizes.n, 1);
    assert_int_equal(cfg.dataset.sizes.v[0], 5);
    config_release(&cfg);

    /* second folder as queries; sift5k layout: tsv-id base with tsv queries */
    assert_int_equal(config_parse(&cfg,
        "name: t\ndataset: {format: rvc, base: a, queries: b, queries_format: rvc, rvc_version: v2}\n"
        FLAT, "t.yaml", NULL), 0);
    assert_string_equal(cfg.dataset.queries_format, "rvc");
    config_release(&cfg);
    assert_int_equal(config_parse(&cfg,
        "name: t\ndataset: {format: tsv-id, base: a.tsv, queries: q.tsv, queries_format: tsv}\n"
        FLAT, "t.yaml", NULL), 0);
    assert_string_equal(cfg.dataset.queries_format, "tsv");
    config_release(&cfg);

    /* every format name parses */
    static const char *const formats[] = { "idx", "tsv", "tsv-id", "glove-json", "glove-txt",
        "fvecs", "ivecs", "bvecs", "npy", "rvc", "rvc-index", "ann-hdf5" };
    for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++) {
        char text[256];
        snprintf(text, sizeof(text), "name: t\ndataset: {format: %s, base: x}\n" FLAT, formats[i]);
        assert_int_equal(config_parse(&cfg, text, "t.yaml", NULL), 0);
        assert_string_equal(cfg.dataset.format, formats[i]);
        config_release(&cfg);
    }

    /* holdout is ignored (a warning) where the queries come from elsewhere */
    const char *err;
    capture_start();
    assert_int_equal(config_parse(&cfg,
        "name: t\ndataset:\n  format: rvc\n  base: a\n  holdout_clips: 2\n  holdout: 5\n" FLAT,
        "t.yaml", NULL), 0);
    err = capture_end();
    assert_has(err, "t.yaml:6: dataset.holdout: ignored since dataset.holdout_clips is given");
    config_release(&cfg);
    capture_start();
    assert_int_equal(config_parse(&cfg,
        "name: t\ndataset:\n  format: ann-hdf5\n  base: a.hdf5\n  holdout: 5\n" FLAT,
        "t.yaml", NULL), 0);
    err = capture_end();
    assert_has(err, "t.yaml:5: dataset.holdout: ignored since dataset.format is given as ann-hdf5");
    config_release(&cfg);
}

static void test_dataset_new_key_errors(void **state)
{
    (void)state;
#define DS_RVC "name: t\ndataset:\n  format: rvc\n  base: a\n"   /* lines 1-4 */
    expect_error(DS_RVC "  holdout_clips: 0\n" FLAT,
                 "t.yaml:5: dataset.holdout_clips: expected an integer >= 1, got '0'");
    expect_error(DS_RVC "  holdout_fraction: 1\n" FLAT,
                 "t.yaml:5: dataset.holdout_fraction: expected a number between 0 and 1 (both excluded), got '1'");
    expect_error(DS_RVC "  holdout_fraction: 0\n" FLAT,
                 "t.yaml:5: dataset.holdout_fraction: expected a number between 0 and 1 (both excluded), got '0'");
    expect_error(DS_RVC "  holdout_fraction: ten\n" FLAT,
                 "t.yaml:5: dataset.holdout_fraction: expected a number between 0 and 1 (both excluded), got 'ten'");
    expect_error(DS_RVC "  holdout_clips: 3\n  holdout_fraction: 0.5\n" FLAT,
                 "t.yaml:6: dataset.holdout_fraction: give holdout_clips or holdout_fraction, not both");
    expect_error(DS_RVC "  queries: b\n  holdout_clips: 3\n" FLAT,
                 "t.yaml:6: dataset.holdout_clips: not used when dataset.queries is given");
    expect_error("name: t\ndataset:\n  format: npy\n  base: a.npy\n  holdout_fraction: 0.2\n" FLAT,
                 "t.yaml:5: dataset.holdout_fraction: whole clips exist only with format rvc, not 'npy'");
    expect_error("name: t\ndataset:\n  format: npy\n  base: a.npy\n  rvc_version: v2\n" FLAT,
                 "t.yaml:5: dataset.rvc_version: only used with format rvc, not 'npy'");
    expect_error(DS_RVC "  rvc_version: v3\n" FLAT,
                 "t.yaml:5: dataset.rvc_version: unknown RVC version 'v3' (did you mean 'v1'?)");
    expect_error(DS_RVC "  queries_format: npy\n" FLAT,
                 "t.yaml:5: dataset.queries_format: given, but dataset.queries is not");
    expect_error(DS_RVC "  queries: b\n  queries_format: rvcc\n" FLAT,
                 "t.yaml:6: dataset.queries_format: unknown format 'rvcc' (did you mean 'rvc'?)");
    expect_error("name: t\ndataset:\n  format: ann-hdf5\n  base: a.hdf5\n  queries: q.hdf5\n" FLAT,
                 "t.yaml:5: dataset.queries: not used with format ann-hdf5: the file's test set is the queries");
    expect_error(DS_RVC "  sizes: [10, 0]\n" FLAT,
                 "t.yaml:5: dataset.sizes[1]: expected an integer >= 1, got '0'");
    expect_error(DS_RVC "  sizes: []\n" FLAT, "t.yaml:5: dataset.sizes: expected at least one value");
    expect_error(DS_RVC "  sizes: {a: 1}\n" FLAT,
                 "t.yaml:5: dataset.sizes: expected an integer or a list of integers, got a mapping");
    expect_error(DS_RVC "  base_limit: 100\n  sizes: [50, 200]\n" FLAT,
                 "t.yaml:6: dataset.sizes: 200 exceeds base_limit 100");
#undef DS_RVC
}

/* dataset.base as a list: each path resolved like a single one, read in
 * the order given (base first, then base_more). */
static void test_base_list(void **state)
{
    struct config cfg;
    (void)state;

    assert_int_equal(config_parse(&cfg,
        "name: t\n"
        "dataset:\n"
        "  format: rvc\n"
        "  base:\n"
        "    - voices/b\n"
        "    - /abs/a\n"
        "    - c/3_feature256\n"
        FLAT, "t.yaml", "/srv/configs"), 0);
    assert_string_equal(cfg.dataset.base, "/srv/configs/voices/b");
    assert_int_equal(cfg.dataset.n_base_more, 2);
    assert_string_equal(cfg.dataset.base_more[0], "/abs/a");
    assert_string_equal(cfg.dataset.base_more[1], "/srv/configs/c/3_feature256");
    config_release(&cfg);

    /* flow style; the same path twice is the user's call (rows twice) */
    assert_int_equal(config_parse(&cfg,
        "name: t\ndataset: {format: npy, base: [x.npy, x.npy]}\n" FLAT, "t.yaml", "/d/"), 0);
    assert_string_equal(cfg.dataset.base, "/d/x.npy");
    assert_int_equal(cfg.dataset.n_base_more, 1);
    assert_string_equal(cfg.dataset.base_more[0], "/d/x.npy");
    config_release(&cfg);

    /* a one-item list is a single path */
    assert_int_equal(config_parse(&cfg,
        "name: t\ndataset: {format: npy, base: [x.npy]}\n" FLAT, "t.yaml", "/d"), 0);
    assert_string_equal(cfg.dataset.base, "/d/x.npy");
    assert_int_equal(cfg.dataset.n_base_more, 0);
    config_release(&cfg);

    /* a plain path has no further paths */
    assert_int_equal(config_parse(&cfg, HEAD FLAT, "t.yaml", "/d"), 0);
    assert_string_equal(cfg.dataset.base, "/d/b.idx");
    assert_int_equal(cfg.dataset.n_base_more, 0);
    assert_null(cfg.dataset.base_more);
    config_release(&cfg);
}

static void test_base_list_errors(void **state)
{
    (void)state;
#define DS_LIST "name: t\ndataset:\n  format: rvc\n  base:\n"   /* lines 1-4 */
    expect_error("name: t\ndataset:\n  format: rvc\n  base: []\n" FLAT,
                 "t.yaml:4: dataset.base: expected a path or a non-empty list of paths");
    expect_error(DS_LIST "    - a\n    - {b: 1}\n" FLAT,
                 "t.yaml:6: dataset.base[1]: expected a string, got a mapping");
    expect_error(DS_LIST "    - [a]\n    - b\n" FLAT,
                 "t.yaml:5: dataset.base[0]: expected a string, got a list");
    /* after two good paths: what was parsed is released (ASan watches) */
    expect_error(DS_LIST "    - a\n    - b\n    - ~\n" FLAT,
                 "t.yaml:7: dataset.base[2]: expected a string, got");
    expect_error(DS_LIST "    - a\n    - b\n    - \"\"\n" FLAT,
                 "t.yaml:7: dataset.base[2]: expected a non-empty path");
    expect_error("name: t\ndataset:\n  format: rvc\n  base: {a: 1}\n" FLAT,
                 "t.yaml:4: dataset.base: expected a string, got a mapping");
#undef DS_LIST
}

/* rvc.index_rate: one number or a list in [0, 1], kept in the order given
 * (the first fills /runs); the default is RVC's 0.75. */
/* ---------- rvc ---------- */

static void test_index_rate(void **state)
{
    struct config cfg;
    (void)state;

    assert_int_equal(config_parse(&cfg, HEAD FLAT, "t.yaml", NULL), 0);
    assert_int_equal(cfg.rvc.blend_k, 0);
    assert_int_equal(cfg.rvc.index_rate.n, 1);
    assert_true(cfg.rvc.index_rate.v[0] == 0.75);
    config_release(&cfg);

    assert_int_equal(config_parse(&cfg, HEAD FLAT "rvc: {blend_k: 8}\n", "t.yaml", NULL), 0);
    assert_int_equal(cfg.rvc.blend_k, 8);
    assert_int_equal(cfg.rvc.index_rate.n, 1);
    assert_true(cfg.rvc.index_rate.v[0] == 0.75);
    config_release(&cfg);

    assert_int_equal(config_parse(&cfg, HEAD FLAT "rvc: {blend_k: 8, index_rate: 0.5}\n",
                                  "t.yaml", NULL), 0);
    assert_int_equal(cfg.rvc.index_rate.n, 1);
    assert_true(cfg.rvc.index_rate.v[0] == 0.5);
    config_release(&cfg);

    /* not sorted: the first stays first; both ends of [0, 1] allowed */
    assert_int_equal(config_parse(&cfg, HEAD FLAT
                                  "rvc:\n  blend_k: 8\n  index_rate: [0.75, 0, 1, 2.5e-1]\n",
                                  "t.yaml", NULL), 0);
    double want[] = { 0.75, 0, 1, 0.25 };
    assert_int_equal(cfg.rvc.index_rate.n, 4);
    for (size_t i = 0; i < 4; i++)
        assert_true(cfg.rvc.index_rate.v[i] == want[i]);
    config_release(&cfg);
}

static void test_index_rate_errors(void **state)
{
    (void)state;
    expect_error(HEAD FLAT "rvc: {index_rate: []}\n",
                 "t.yaml:7: rvc.index_rate: expected at least one value, got an empty list");
    expect_error(HEAD FLAT "rvc: {index_rate: 1.5}\n",
                 "t.yaml:7: rvc.index_rate: expected a number from 0 to 1, got '1.5'");
    expect_error(HEAD FLAT "rvc: {index_rate: -0.25}\n",
                 "t.yaml:7: rvc.index_rate: expected a number from 0 to 1, got '-0.25'");
    expect_error(HEAD FLAT "rvc: {index_rate: nan}\n",
                 "t.yaml:7: rvc.index_rate: expected a number from 0 to 1, got 'nan'");
    expect_error(HEAD FLAT "rvc: {index_rate: \"0.5\"}\n",
                 "t.yaml:7: rvc.index_rate: expected a number from 0 to 1, got");
    expect_error(HEAD FLAT "rvc: {index_rate: {a: 1}}\n",
                 "t.yaml:7: rvc.index_rate: expected a number from 0 to 1, got a mapping");
    expect_error(HEAD FLAT "rvc:\n  index_rate:\n    - 0.25\n    - 1.01\n",
                 "t.yaml:10: rvc.index_rate[1]: expected a number from 0 to 1, got '1.01'");
    expect_error(HEAD FLAT "rvc:\n  index_rate:\n    - 0.25\n    - [0.5]\n",
                 "t.yaml:10: rvc.index_rate[1]: expected a number from 0 to 1, got a list");
    /* duplicates, also spelled differently */
    expect_error(HEAD FLAT "rvc:\n  index_rate:\n    - 0.5\n    - 1\n    - 0.50\n",
                 "t.yaml:11: rvc.index_rate[2]: 0.5 is listed twice");
    expect_error(HEAD FLAT "rvc: {index_rate: [1, 1.0]}\n",
                 "t.yaml:7: rvc.index_rate[1]: 1 is listed twice");
}

/* ---------- preprocessing axes and presets ---------- */

#define IVF "indexes:\n  - factory: IVF{nlist},Flat\n    nlist: 64\n"   /* lines 5-7 */

static void test_prep_defaults(void **state)
{
    struct config cfg;
    (void)state;

    assert_int_equal(config_parse(&cfg, HEAD FLAT, "t.yaml", NULL), 0);
    const struct index_spec *ix = &cfg.indexes[0];
    assert_int_equal(ix->prep.shuffle, 0);
    assert_int_equal(ix->prep.add_batch, 0);
    assert_int_equal(ix->prep.kmeans.n, 0);
    assert_null(ix->prep.kmeans.v);
    assert_int_equal(ix->prep.kmeans_rule_rvc, 0);
    assert_int_equal(ix->prep.alpha.n, 0);
    assert_int_equal(ix->prep.num_expand.n, 0);
    assert_null(ix->prep.expand_on);
    assert_int_equal(ix->prep.n_expand_on, 0);
    assert_null(ix->preset);
    config_release(&cfg);
}

static void test_prep_keys(void **state)
{
    struct config cfg;
    (void)state;

    assert_int_equal(config_parse(&cfg, HEAD
        "indexes:\n"
        "  - factory: IVF{nlist},Flat\n"
        "    nlist: 64\n"
        "    shuffle: true\n"
        "    add_batch: 8192\n"
        "    kmeans: [10000, 0, 5000, 10000]\n"
        "    expand:\n"
        "      alpha: [3, -1.5, 0]\n"
        "      num_expand: [1, 8]\n"
        "      on: [both, base]\n"
        "  - factory: Flat\n"
        "    shuffle: False\n"
        "    add_batch: 0\n"
        "    kmeans: 0\n"
        "    expand: {alpha: 2.5, num_expand: 4}\n"
        "  - factory: Flat\n"
        "    kmeans: {rule: rvc}\n"
        "    expand: {alpha: 1, num_expand: 2, on: queries}\n",
        "t.yaml", NULL), 0);
    assert_int_equal(cfg.n_indexes, 3);

    const struct prep_spec *a = &cfg.indexes[0].prep;
    assert_int_equal(a->shuffle, 1);
    assert_int_equal(a->add_batch, 8192);
    assert_int_equal(a->kmeans.n, 3);  /* sorted, duplicates dropped */
    assert_int_equal(a->kmeans.v[0], 0);
    assert_int_equal(a->kmeans.v[1], 5000);
    assert_int_equal(a->kmeans.v[2], 10000);
    assert_int_equal(a->kmeans_rule_rvc, 0);
    assert_int_equal(a->alpha.n, 3);
    assert_true(a->alpha.v[0] == 3 && a->alpha.v[1] == -1.5 && a->alpha.v[2] == 0);
    assert_int_equal(a->num_expand.n, 2);
    assert_int_equal(a->num_expand.v[0], 1);
    assert_int_equal(a->num_expand.v[1], 8);
    assert_int_equal(a->n_expand_on, 2);
    assert_int_equal(a->expand_on[0], EXPAND_BOTH);
    assert_int_equal(a->expand_on[1], EXPAND_BASE);

    const struct prep_spec *b = &cfg.indexes[1].prep;
    assert_int_equal(b->shuffle, 0);
    assert_int_equal(b->add_batch, 0);
    assert_int_equal(b->kmeans.n, 1);
    assert_int_equal(b->kmeans.v[0], 0);
    assert_int_equal(b->alpha.n, 1);
    assert_true(b->alpha.v[0] == 2.5);
    assert_int_equal(b->num_expand.n, 1);
    assert_int_equal(b->num_expand.v[0], 4);
    assert_int_equal(b->n_expand_on, 1);  /* default [queries] */
    assert_int_equal(b->expand_on[0], EXPAND_QUERIES);

    const struct prep_spec *c = &cfg.indexes[2].prep;
    assert_int_equal(c->kmeans_rule_rvc, 1);
    assert_int_equal(c->kmeans.n, 0);
    assert_int_equal(c->n_expand_on, 1);
    assert_int_equal(c->expand_on[0], EXPAND_QUERIES);
    assert_null(cfg.indexes[2].preset);
    config_release(&cfg);
    assert_true(is_zeroed(&cfg));
}

static void test_prep_errors(void **state)
{
    (void)state;
    /* shuffle */
    expect_error(HEAD IVF "    shuffle: yes\n",
                 "t.yaml:8: indexes[0].shuffle: expected true or false, got 'yes'");
    expect_error(HEAD IVF "    shuffle: \"true\"\n",
                 "t.yaml:8: indexes[0].shuffle: expected true or false, got 'true'");
    expect_error(HEAD IVF "    shuffle: 1\n",
                 "t.yaml:8: indexes[0].shuffle: expected true or false, got '1'");
    expect_error(HEAD IVF "    shuffle:\n",
                 "t.yaml:8: indexes[0].shuffle: expected true or false, got nothing");
    /* add_batch */
    expect_error(HEAD IVF "    add_batch: -1\n",
                 "t.yaml:8: indexes[0].add_batch: expected an integer >= 0, got '-1'");
    expect_error(HEAD IVF "    add_batch: [8192]\n",
                 "t.yaml:8: indexes[0].add_batch: expected an integer >= 0, got a list");
    /* kmeans */
    expect_error(HEAD IVF "    kmeans: [0, -5]\n",
                 "t.yaml:8: indexes[0].kmeans[1]: expected an integer >= 0, got '-5'");
    expect_error(HEAD IVF "    kmeans: [0, 1e4]\n",
                 "t.yaml:8: indexes[0].kmeans[1]: expected an integer >= 0, got '1e4'");
    expect_error(HEAD IVF "    kmeans: []\n",
                 "t.yaml:8: indexes[0].kmeans: expected at least one value");
    expect_error(HEAD IVF "    kmeans: {rule: rvc-2023-04}\n",
                 "t.yaml:8: indexes[0].kmeans.rule: unknown rule 'rvc-2023-04' (expected rvc)");
    expect_error(HEAD IVF "    kmeans: {rule: rcv}\n",
                 "t.yaml:8: indexes[0].kmeans.rule: unknown rule 'rcv' (did you mean 'rvc'?)");
    expect_error(HEAD IVF "    kmeans: {rules: rvc}\n",
                 "t.yaml:8: indexes[0].kmeans.rules: unknown key (did you mean 'rule'?)");
    /* expand */
    expect_error(HEAD IVF "    expand:\n      num_expand: 4\n",
                 "t.yaml:8: indexes[0].expand.alpha: missing required key");
    expect_error(HEAD IVF "    expand: {alpha: 1}\n",
                 "t.yaml:8: indexes[0].expand.num_expand: missing required key");
    expect_error(HEAD IVF "    expand: {alpha: 1, num_expand: 2, on: quries}\n",
                 "t.yaml:8: indexes[0].expand.on: unknown value 'quries' (did you mean 'queries'?)");
    expect_error(HEAD IVF "    expand:\n      alpha: 1\n      num_expand: 2\n      on: [base, everything]\n",
                 "t.yaml:11: indexes[0].expand.on[1]: unknown value 'everything' "
                 "(expected base, queries or both)");
    expect_error(HEAD IVF "    expand: {alpha: 1, num_expand: 2, on: [base, base]}\n",
                 "t.yaml:8: indexes[0].expand.on[1]: 'base' given twice");
    expect_error(HEAD IVF "    expand: {alpha: 1, num_expand: 2, on: []}\n",
                 "t.yaml:8: indexes[0].expand.on: expected at least one value");
    expect_error(HEAD IVF "    expand:\n      alpha: 1\n      num_expnd: 2\n",
                 "t.yaml:10: indexes[0].expand.num_expnd: unknown key (did you mean 'num_expand'?)");
    expect_error(HEAD IVF "    expand: {alpha: 1, num_expand: 2, beta: 3}\n",
                 "t.yaml:8: indexes[0].expand.beta: unknown key (expected alpha, num_expand or on)");
    expect_error(HEAD IVF "    expand: {alpha: [1, nan], num_expand: 2}\n",
                 "t.yaml:8: indexes[0].expand.alpha[1]: expected a finite number, got 'nan'");
    expect_error(HEAD IVF "    expand: {alpha: .inf, num_expand: 2}\n",
                 "t.yaml:8: indexes[0].expand.alpha: expected a finite number, got '.inf'");
    expect_error(HEAD IVF "    expand: {alpha: 1, num_expand: [4, 0]}\n",
                 "t.yaml:8: indexes[0].expand.num_expand[1]: expected an integer >= 1, got '0'");
    expect_error(HEAD IVF "    expand: 3\n",
                 "t.yaml:8: indexes[0].expand: expected a mapping, got '3'");
    expect_error(HEAD IVF "    expand: {alpha: 1, num_expand: 2, alpha: 3}\n",
                 "t.yaml:8: indexes[0].expand.alpha: duplicate key (first given at line 8)");
}

static void test_preset_errors(void **state)
{
    (void)state;
#define PRE HEAD "indexes:\n  - factory: Flat\n  - factory: HNSW32\n  - preset: rvc-default\n" /* 5-8 */
    expect_error(HEAD "indexes:\n  - preset: faiss-default\n",
                 "t.yaml:6: indexes[0].preset: unknown preset 'faiss-default' "
                 "(known presets: rvc-default)");
    expect_error(HEAD "indexes:\n  - preset: rvc-defualt\n",
                 "t.yaml:6: indexes[0].preset: unknown preset 'rvc-defualt' "
                 "(did you mean 'rvc-default'? known presets: rvc-default)");
    expect_error(HEAD "indexes:\n  - preset: [rvc-default]\n",
                 "t.yaml:6: indexes[0].preset: expected a string, got a list");
    expect_error(PRE "    factory: IVF{nlist},Flat\n",
                 "t.yaml:9: indexes[2].factory: set by preset rvc-default");
    expect_error(PRE "    nlist: 1024\n", "t.yaml:9: indexes[2].nlist: set by preset rvc-default");
    expect_error(PRE "    nprobe: [1, 2]\n", "t.yaml:9: indexes[2].nprobe: set by preset rvc-default");
    expect_error(PRE "    shuffle: false\n", "t.yaml:9: indexes[2].shuffle: set by preset rvc-default");
    expect_error(PRE "    kmeans: 0\n", "t.yaml:9: indexes[2].kmeans: set by preset rvc-default");
    expect_error(PRE "    add_batch: 8192\n",
                 "t.yaml:9: indexes[2].add_batch: set by preset rvc-default");
    /* the key's own errors still come first */
    expect_error(PRE "    shuffle: maybe\n",
                 "t.yaml:9: indexes[2].shuffle: expected true or false, got 'maybe'");
    /* without a preset the factory is still required */
    expect_error(HEAD "indexes:\n  - shuffle: true\n",
                 "t.yaml:6: indexes[0].factory: missing required key");
#undef PRE
}

/* ---------- the rest of the interface ---------- */

static void test_metric_names(void **state)
{
    (void)state;
    assert_string_equal(metric_name(METRIC_L2), "l2");
    assert_string_equal(metric_name(METRIC_IP), "ip");
    assert_string_equal(metric_name(METRIC_COSINE), "cosine");
    assert_int_equal(metric_parse("cosine"), METRIC_COSINE);
    assert_int_equal(metric_parse("l2"), METRIC_L2);
    assert_int_equal(metric_parse("L2"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k_sorted_unique),
        cmocka_unit_test(test_bad_metric),
        cmocka_unit_test(test_bad_nlist),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_k_limits),
        cmocka_unit_test(test_sanity_bounds),
        cmocka_unit_test(test_dataset_new_keys),
        cmocka_unit_test(test_dataset_new_key_errors),
        cmocka_unit_test(test_base_list),
        cmocka_unit_test(test_base_list_errors),
        cmocka_unit_test(test_index_rate),
        cmocka_unit_test(test_index_rate_errors),
        cmocka_unit_test(test_prep_defaults),
        cmocka_unit_test(test_prep_keys),
        cmocka_unit_test(test_prep_errors),
        cmocka_unit_test(test_preset_errors),
        cmocka_unit_test(test_metric_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
