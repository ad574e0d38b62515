/*
 * test_config.c - the config engine (config.c, config_value.c,
 * config_set.c): a full config read from a file and from a string, defaults,
 * path resolution, the engine's own errors (unknown and duplicate keys with
 * "did you mean", wrong types, malformed YAML) with the exact one-line
 * message, config_error's format, --set overrides, and the reference.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include "core/config.h"
#include "lib/util.h"
#include "config_test.h"

/* ---------- valid configs ---------- */

static void test_load_full_file(void **state)
{
    struct config cfg;
    const char *err;
    int r;
    (void)state;

    capture_start();
    r = config_load(&cfg, DATA "valid.yaml");
    err = capture_end();
    assert_int_equal(r, 0);
    /* holdout is ignored when queries are given: a warning, not an error */
    assert_has(err, "valid.yaml:9: dataset.holdout: ignored");

    assert_string_equal(cfg.path, DATA "valid.yaml");
    assert_non_null(strstr(cfg.text, "name: full-run_1.0\n"));
    assert_string_equal(cfg.name, "full-run_1.0");

    assert_string_equal(cfg.dataset.format, "tsv-id");
    assert_string_equal(cfg.dataset.base, FS_SOURCE_DIR "/tests/data/config/data/base.tsv");
    assert_string_equal(cfg.dataset.queries, "/abs/queries.tsv");
    assert_int_equal(cfg.dataset.base_limit, 5000);
    assert_int_equal(cfg.dataset.query_limit, 200);
    assert_int_equal(cfg.dataset.holdout, 500);
    assert_int_equal(cfg.dataset.seed, 42);
    assert_int_equal(cfg.dataset.line, 3);

    assert_int_equal(cfg.k.n, 3);
    assert_int_equal(cfg.k.v[0], 1);
    assert_int_equal(cfg.k.v[1], 10);
    assert_int_equal(cfg.k.v[2], 100);

    assert_int_equal(cfg.n_metrics, 2);
    assert_int_equal(cfg.metrics[0], METRIC_L2);
    assert_int_equal(cfg.metrics[1], METRIC_COSINE);

    assert_int_equal(cfg.n_indexes, 5);
    struct index_spec *ix = cfg.indexes;
    assert_string_equal(ix[0].factory, "IVF{nlist},Flat");
    assert_int_equal(ix[0].line, 14);
    assert_int_equal(ix[0].nlist_kind, NLIST_SQRT);
    assert_int_equal(ix[0].nlist.n, 2);
    assert_true(ix[0].nlist.v[0] == 4.0 && ix[0].nlist.v[1] == 8.5);
    assert_int_equal(ix[0].nprobe.kind, NPROBE_LIST);
    assert_int_equal(ix[0].nprobe.values.n, 2);
    assert_int_equal(ix[0].nprobe.values.v[0], 1);
    assert_int_equal(ix[0].nprobe.values.v[1], 4);
    assert_int_equal(ix[0].k_factor.n, 2);
    assert_int_equal(ix[0].k_factor.v[0], 1);
    assert_int_equal(ix[0].k_factor.v[1], 2);

    assert_string_equal(ix[1].factory, "IVF{nlist},PQ{d/2}");
    assert_int_equal(ix[1].line, 18);
    assert_int_equal(ix[1].nlist_kind, NLIST_LIST);
    assert_int_equal(ix[1].nlist.n, 2);
    assert_true(ix[1].nlist.v[0] == 256 && ix[1].nlist.v[1] == 1024);
    assert_int_equal(ix[1].nprobe.kind, NPROBE_RULE_ALL);
    assert_int_equal(ix[1].k_factor.n, 0);

    assert_string_equal(ix[2].factory, "OPQ{d},IVF{nlist},Flat");
    assert_int_equal(ix[2].nlist_kind, NLIST_RULE_RVC_2023);
    assert_int_equal(ix[2].nprobe.kind, NPROBE_UNSET);

    assert_int_equal(ix[3].nlist_kind, NLIST_RULE_RVC);
    assert_int_equal(ix[3].nprobe.kind, NPROBE_LIST);
    assert_int_equal(ix[3].nprobe.values.n, 1);
    assert_int_equal(ix[3].nprobe.values.v[0], 3);

    assert_string_equal(ix[4].factory, "Flat");
    assert_int_equal(ix[4].line, 26);
    assert_int_equal(ix[4].nlist_kind, NLIST_NONE);
    assert_int_equal(ix[4].nlist.n, 0);
    assert_int_equal(ix[4].nprobe.kind, NPROBE_UNSET);
    assert_int_equal(ix[4].k_factor.n, 0);

    assert_int_equal(cfg.nprobe.kind, NPROBE_RULE_RVC_2023);
    assert_int_equal(cfg.k_factor.n, 3);
    assert_int_equal(cfg.k_factor.v[2], 4);

    assert_int_equal(cfg.measure.repeats, 5);
    assert_int_equal(cfg.measure.warmup, 0);
    assert_int_equal(cfg.measure.latency_queries, -1);
    assert_int_equal(cfg.measure.threads, 4);
    assert_string_equal(cfg.output_dir, "out/results");
    assert_string_equal(cfg.cache_dir, "/var/cache/fs");

    config_release(&cfg);
    assert_true(is_zeroed(&cfg));
    config_release(&cfg);  /* twice is harmless */
}

static void test_parse_string_forms(void **state)
{
    struct config cfg;
    (void)state;

    assert_int_equal(config_parse(&cfg,
        "name: s\n"
        "dataset: {format: glove-json, base: g.json, queries: ~}\n"
        "k: 5\n"
        "metrics: ip\n"
        "indexes:\n"
        "  - factory: IVF{nlist},SQ8\n"
        "    nlist: 64\n"
        "    k_factor: 3\n"
        "  - factory: HNSW32\n"
        "  - factory: IVF{nlist}_HNSW32,Flat\n"
        "    nlist: {sqrt: 2.5}\n"
        "search: {nprobe: 8, k_factor: 2}\n"
        "output_dir: elsewhere\n",
        NULL, "/data"), 0);
    assert_string_equal(cfg.path, "<string>");
    assert_string_equal(cfg.dataset.format, "glove-json");
    assert_string_equal(cfg.dataset.base, "/data/g.json");
    assert_null(cfg.dataset.queries);
    assert_int_equal(cfg.k.n, 1);
    assert_int_equal(cfg.k.v[0], 5);
    assert_int_equal(cfg.n_metrics, 1);
    assert_int_equal(cfg.metrics[0], METRIC_IP);
    assert_int_equal(cfg.n_indexes, 3);
    assert_int_equal(cfg.indexes[0].nlist_kind, NLIST_LIST);
    assert_int_equal(cfg.indexes[0].nlist.n, 1);
    assert_true(cfg.indexes[0].nlist.v[0] == 64);
    assert_int_equal(cfg.indexes[0].k_factor.n, 1);
    assert_int_equal(cfg.indexes[0].k_factor.v[0], 3);
    assert_int_equal(cfg.indexes[0].line, 6);
    assert_int_equal(cfg.indexes[1].nlist_kind, NLIST_NONE);
    assert_int_equal(cfg.indexes[2].nlist_kind, NLIST_SQRT);
    assert_true(cfg.indexes[2].nlist.n == 1 && cfg.indexes[2].nlist.v[0] == 2.5);
    assert_int_equal(cfg.nprobe.kind, NPROBE_LIST);
    assert_int_equal(cfg.nprobe.values.n, 1);
    assert_int_equal(cfg.nprobe.values.v[0], 8);
    assert_int_equal(cfg.k_factor.v[0], 2);
    assert_string_equal(cfg.output_dir, "elsewhere");
    assert_string_equal(cfg.cache_dir, "elsewhere/cache");
    config_release(&cfg);
}

static void test_defaults(void **state)
{
    struct config cfg;
    (void)state;

    assert_int_equal(config_parse(&cfg, HEAD FLAT, "t.yaml", NULL), 0);
    assert_string_equal(cfg.name, "t");
    assert_string_equal(cfg.dataset.base, "b.idx");  /* basedir NULL = "." */
    assert_null(cfg.dataset.queries);
    assert_int_equal(cfg.dataset.base_limit, 0);
    assert_int_equal(cfg.dataset.query_limit, 0);
    assert_int_equal(cfg.dataset.holdout, 1000);
    assert_int_equal(cfg.dataset.seed, 1);
    assert_int_equal(cfg.dataset.line, 2);
    assert_int_equal(cfg.k.n, 1);
    assert_int_equal(cfg.k.v[0], 10);
    assert_int_equal(cfg.n_metrics, 1);
    assert_int_equal(cfg.metrics[0], METRIC_L2);
    assert_int_equal(cfg.nprobe.kind, NPROBE_LIST);
    assert_int_equal(cfg.nprobe.values.n, 1);
    assert_int_equal(cfg.nprobe.values.v[0], 1);
    assert_int_equal(cfg.k_factor.n, 1);
    assert_int_equal(cfg.k_factor.v[0], 1);
    assert_int_equal(cfg.measure.repeats, 5);
    assert_int_equal(cfg.measure.warmup, 1);
    assert_true(cfg.measure.min_time == 0.2 && cfg.measure.max_time == 10);
    assert_int_equal(cfg.measure.latency_queries, 1000);
    assert_int_equal(cfg.measure.timing_queries, 2000);
    assert_true(cfg.ci.noise == 0.10 && cfg.ci.alpha == 0.01 && cfg.ci.recall_tol == 0.005);
    assert_int_equal(cfg.ci.targets.n, 3);
    assert_true(cfg.ci.targets.v[0] == 0.9 && cfg.ci.targets.v[2] == 0.99);
    assert_int_equal(cfg.ci.no_times, 0);
    assert_null(cfg.ci.reference);
    assert_int_equal(cfg.measure.latency_rounds, 5);
    assert_true(cfg.measure.noisy == 0.10);
    assert_int_equal(cfg.measure.threads, 0);
    assert_string_equal(cfg.output_dir, "results");
    assert_string_equal(cfg.cache_dir, "results/cache");
    config_release(&cfg);

    /* a search section naming one key still defaults the other */
    assert_int_equal(config_parse(&cfg, HEAD FLAT "search:\n  nprobe: [2, 4]\n"
                                  "measure: {threads: 2}\n", "t.yaml", NULL), 0);
    assert_int_equal(cfg.nprobe.values.n, 2);
    assert_int_equal(cfg.k_factor.n, 1);
    assert_int_equal(cfg.k_factor.v[0], 1);
    assert_int_equal(cfg.measure.threads, 2);
    assert_int_equal(cfg.measure.repeats, 5);
    config_release(&cfg);
}

static void test_relative_paths(void **state)
{
    struct config cfg;
    (void)state;

    assert_int_equal(config_parse(&cfg,
        "name: t\ndataset: {format: fvecs, base: sift/base.fvecs, queries: q.fvecs}\n"
        FLAT "output_dir: rel/out\ncache_dir: rel/cache\n", "t.yaml", "/srv/configs/"), 0);
    assert_string_equal(cfg.dataset.base, "/srv/configs/sift/base.fvecs");
    assert_string_equal(cfg.dataset.queries, "/srv/configs/q.fvecs");
    /* output paths stay relative to the current directory */
    assert_string_equal(cfg.output_dir, "rel/out");
    assert_string_equal(cfg.cache_dir, "rel/cache");
    config_release(&cfg);

    assert_int_equal(config_parse(&cfg,
        "name: t\ndataset: {format: fvecs, base: /abs/b.fvecs}\n" FLAT,
        "t.yaml", "/srv"), 0);
    assert_string_equal(cfg.dataset.base, "/abs/b.fvecs");
    config_release(&cfg);
}

/* ---------- errors ---------- */

static void test_unknown_key(void **state)
{
    struct config cfg;
    const char *err;
    (void)state;

    capture_start();
    assert_int_equal(config_load(&cfg, DATA "unknown_key.yaml"), -1);
    err = capture_end();
    assert_true(is_zeroed(&cfg));
    assert_has(err, "faiss-sweep: " DATA "unknown_key.yaml:3: dataset.fromat: "
                         "unknown key (did you mean 'format'?)\n");
    assert_int_equal(count_lines(err), 1);

    expect_error(HEAD FLAT "mesure: {}\n", "t.yaml:7: mesure: unknown key (did you mean 'measure'?)");
    expect_error(HEAD FLAT "measure:\n  repeat: 2\n", "t.yaml:8: measure.repeat: unknown key (did you mean 'repeats'?)");
    expect_error(HEAD "indexes:\n  - factory: Flat\n    nprob: 2\n",
                 "t.yaml:7: indexes[0].nprob: unknown key (did you mean 'nprobe'?)");
    /* nothing close: list the keys instead */
    expect_error(HEAD FLAT "zzz: 1\n", "t.yaml:7: zzz: unknown key (expected name, dataset, k,");
    expect_error(HEAD "indexes:\n  - factory: IVF{nlist},Flat\n    nlist: {sqr: 2}\n",
                 "t.yaml:7: indexes[0].nlist.sqr: unknown key (did you mean 'sqrt'?)");
}

static void test_wrong_type(void **state)
{
    (void)state;
    expect_error(HEAD FLAT "k: {a: 1}\n",
                 "t.yaml:7: k: expected an integer or a list of integers, got a mapping");
    expect_error("name: [a]\n", "t.yaml:1: name: expected a string, got a list");
    expect_error(HEAD "indexes: {factory: Flat}\n",
                 "t.yaml:5: indexes: expected a list of mappings, got a mapping");
    expect_error(HEAD "indexes: [Flat]\n",
                 "t.yaml:5: indexes[0]: expected a mapping, got 'Flat'");
    expect_error(HEAD "indexes: []\n", "t.yaml:5: indexes: expected at least one index");
    expect_error("name: t\ndataset: idx\n", "t.yaml:2: dataset: expected a mapping, got 'idx'");
    expect_error(HEAD FLAT "search:\n", "t.yaml:7: search: expected a mapping, got nothing");
    expect_error(HEAD FLAT "search:\n  nprobe: 2.5\n",
                 "t.yaml:8: search.nprobe: expected an integer >= 1, got '2.5'");
    expect_error(HEAD FLAT "search:\n  k_factor: [1, 0]\n",
                 "t.yaml:8: search.k_factor[1]: expected an integer >= 1, got '0'");
    expect_error(HEAD FLAT "search:\n  nprobe: {rule: al}\n",
                 "t.yaml:8: search.nprobe.rule: unknown rule 'al' (did you mean 'all'?)");
    expect_error(HEAD FLAT "measure: {repeats: 0}\n",
                 "t.yaml:7: measure.repeats: expected an integer >= 1, got '0'");
    expect_error(HEAD FLAT "measure: {min_time: 0}\n",
                 "t.yaml:7: measure.min_time: expected a number > 0, got '0'");
    expect_error(HEAD FLAT "measure: {noisy: x}\n",
                 "t.yaml:7: measure.noisy: expected a number > 0, got 'x'");
    expect_error(HEAD FLAT "measure: {latency_queries: -2}\n",
                 "t.yaml:7: measure.latency_queries: expected an integer >= -1, got '-2'");
    expect_error(HEAD FLAT "ci: {noise: -1}\n",
                 "t.yaml:7: ci.noise: expected a number > 0, got '-1'");
    expect_error(HEAD FLAT "ci: {alpha: 2}\n", "t.yaml:7: ci.alpha:");
    expect_error(HEAD FLAT "ci: {nois: 0.2}\n", "t.yaml:7: ci.nois: unknown key");
    expect_error(HEAD FLAT "measure: {timing_queries: 0}\n",
                 "t.yaml:7: measure.timing_queries: expected an integer >= 1 or -1 (all), got 0");
    expect_error(HEAD FLAT "measure: {timing_queries: -2}\n",
                 "t.yaml:7: measure.timing_queries: expected an integer >= 1 or -1 (all), got -2");
    expect_error(HEAD FLAT "measure: {threads: \"4\"}\n",
                 "t.yaml:7: measure.threads: expected an integer >= 0, got '4'");
    expect_error("- a\n- b\n", "t.yaml:1: top level: expected a mapping, got a list");
    expect_error("name: bad/name\n", "t.yaml:1: name: expected letters, digits, '.', '_' or '-' only, got 'bad/name'");
    expect_error("name: t\ndataset:\n  format: csv\n",
                 "t.yaml:3: dataset.format: unknown format 'csv' (did you mean 'tsv'?)");
    expect_error("name: t\ndataset:\n  format: parquet\n",
                 "t.yaml:3: dataset.format: unknown format 'parquet' (expected idx, tsv, tsv-id, "
                 "glove-json, glove-txt, fvecs, ivecs, bvecs, npy, rvc, rvc-index or ann-hdf5)");
    expect_error(HEAD FLAT "output_dir: \"\"\n", "t.yaml:7: output_dir: expected a non-empty string");
}

static void test_missing_required(void **state)
{
    (void)state;
    expect_error("# a comment\ndataset:\n  format: idx\n  base: b\n" FLAT,
                 "t.yaml:2: name: missing required key");
    expect_error("name: t\ndataset:\n  format: idx\n" FLAT,
                 "t.yaml:2: dataset.base: missing required key");
    expect_error(HEAD, "t.yaml:1: indexes: missing required key");
    expect_error(HEAD "indexes:\n  - nlist: 4\n", "t.yaml:6: indexes[0].factory: missing required key");
}

static void test_duplicate_key(void **state)
{
    (void)state;
    expect_error(HEAD FLAT "k: 1\nk: 2\n", "t.yaml:8: k: duplicate key (first given at line 7)");
    expect_error("name: t\ndataset:\n  format: idx\n  format: tsv\n",
                 "t.yaml:4: dataset.format: duplicate key (first given at line 3)");
}

static void test_malformed_yaml(void **state)
{
    (void)state;
    expect_error("name: t\ndataset:\n  format: idx\n base: b\n",
                 "t.yaml:4: malformed YAML: did not find expected key");
    expect_error("name: t\nk: [1, 2\n", "t.yaml:3: malformed YAML: ");
    expect_error("name: t\n  x: 1\n", "t.yaml:2: malformed YAML: mapping values are not allowed");
}

static void test_missing_and_empty_file(void **state)
{
    struct config cfg;
    const char *err;
    (void)state;

    capture_start();
    assert_int_equal(config_load(&cfg, DATA "no-such.yaml"), -1);
    err = capture_end();
    assert_true(is_zeroed(&cfg));
    assert_has(err, "cannot open '" DATA "no-such.yaml': No such file or directory");

    capture_start();
    assert_int_equal(config_load(&cfg, DATA "empty.yaml"), -1);
    err = capture_end();
    assert_true(is_zeroed(&cfg));
    assert_has(err, DATA "empty.yaml:1: top level: the file is empty");

    expect_error("# only a comment\n", "t.yaml:1: top level: the file is empty");
    expect_error("just a string\n", "t.yaml:1: top level: expected a mapping, got 'just a string'");
}

/* ---------- the reference and the shipped configs ---------- */

static void test_reference(void **state)
{
    static const char *const want[] = {
        "## top level\n", "## dataset\n", "## indexes[]\n", "## search\n", "## measure\n",
        "| key | type | default | meaning |\n",
        "| `name` |", "| `format` | idx \\| tsv \\| tsv-id \\| glove-json \\| glove-txt \\| fvecs \\| ivecs \\| "
        "bvecs \\| npy \\| rvc \\| rvc-index \\| ann-hdf5 | required |",
        "| `queries_format` | as `format` | `format` |", "| `rvc_version` | v1 \\| v2 | auto |",
        "| `holdout_clips` | int >= 1 | none |", "| `holdout_fraction` | number in (0, 1) | none |",
        "| `sizes` | int or list of int >= 1 | none |",
        "| `holdout` | int >= 1 | `1000` |", "| `factory` |", "| `nlist` |", "| `k_factor` |",
        "| `nprobe` |", "| `latency_queries` |", "| `cache_dir` | path | `<output_dir>/cache` |",
        "| `k` |", "| `metrics` |", "| `seed` |", "| `threads` |", "| `output_dir` |",
        "| `factory` | string | required unless `preset` |",
        "| `shuffle` | true \\| false | `false` |", "| `add_batch` | int >= 0 | `0` |",
        "| `kmeans` | int, list of int >= 0, {rule: rvc} | none |",
        "| `expand` | mapping | none |", "## indexes[].expand\n",
        "| `alpha` | number or list of numbers | required |",
        "| `num_expand` | int or list of int, 1..4096 | required |",
        "| `on` | base \\| queries \\| both, or a list of them | `[queries]` |",
        "| `preset` | rvc-default | none |", "metric l2",
        "`{factory: 'IVF{nlist},Flat', nlist: {rule: rvc}, nprobe: 1, shuffle: true, "
        "kmeans: {rule: rvc}, add_batch: 8192}`",
    };
    FILE *f = tmpfile();
    char buf[16384];
    size_t n;
    (void)state;

    assert_non_null(f);
    config_print_reference(f);
    rewind(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_true(n > 0 && n < sizeof(buf) - 1);
    for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
        assert_has(buf, want[i]);
}

/* Every config the project ships loads: a study config that fails to parse
 * would only show after its data was built. */
static void test_shipped_configs(void **state)
{
    DIR *dir = opendir(FS_SOURCE_DIR "/configs");
    struct dirent *e;
    int n = 0;
    (void)state;
    assert_non_null(dir);
    while ((e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
            continue;
        char *path = xasprintf("%s/configs/%s", FS_SOURCE_DIR, e->d_name);
        struct config cfg;
        int rc = config_load(&cfg, path);
        if (rc)
            print_error("%s does not load\n", path);
        free(path);
        assert_int_equal(rc, 0);
        assert_true(cfg.n_indexes > 0);
        config_release(&cfg);
        n++;
    }
    closedir(dir);
    assert_true(n >= 8);
}

/* ---------- config_error ---------- */

static void test_config_error(void **state)
{
    const char *err;
    (void)state;

    capture_start();
    assert_int_equal(config_error("a.yaml", 3, "measure.repeats", "expected %s, got '%s'",
                                  "an integer", "x"), -1);
    err = capture_end();
    assert_string_equal(err, "faiss-sweep: a.yaml:3: measure.repeats: expected an integer, "
                             "got 'x'\n");

    capture_start();
    assert_int_equal(config_error("a.yaml", 1, "", "the file is empty"), -1);
    err = capture_end();
    assert_string_equal(err, "faiss-sweep: a.yaml:1: top level: the file is empty\n");

    capture_start();
    assert_int_equal(config_error("a.yaml", 4, NULL, "malformed YAML: %s", "oops"), -1);
    err = capture_end();
    assert_string_equal(err, "faiss-sweep: a.yaml:4: malformed YAML: oops\n");

    /* line 0: the value came from an override */
    capture_start();
    assert_int_equal(config_error("a.yaml", 0, "k", "expected %d", 1), -1);
    err = capture_end();
    assert_string_equal(err, "faiss-sweep: --set k: expected 1\n");

    capture_start();
    config_warning("a.yaml", 9, "dataset.holdout", "ignored");
    err = capture_end();
    assert_string_equal(err, "faiss-sweep: warning: a.yaml:9: dataset.holdout: ignored\n");
}

/* ---------- --set overrides ---------- */

#define SETS(...) ((const char *const[]){ __VA_ARGS__ }), \
    sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)

static void test_set_replace(void **state)
{
    static const char text[] = HEAD FLAT "measure: {repeats: 5, warmup: 2}\nk: 4\n"
                               "output_dir: out\n";
    struct config cfg;
    (void)state;

    assert_int_equal(config_parse_set(&cfg, text, "t.yaml", NULL,
                                      SETS("measure.repeats=1", "name=foo", "k=[1,10]",
                                           "output_dir=/tmp/x", "k=[10, 1, 100]")), 0);
    assert_int_equal(cfg.measure.repeats, 1);
    assert_int_equal(cfg.measure.warmup, 2);      /* the file's, untouched */
    assert_string_equal(cfg.name, "foo");
    assert_int_equal(cfg.k.n, 3);                 /* the last override wins */
    assert_int_equal(cfg.k.v[0], 1);
    assert_int_equal(cfg.k.v[2], 100);
    assert_string_equal(cfg.output_dir, "/tmp/x");
    assert_string_equal(cfg.cache_dir, "/tmp/x/cache");
    /* the file's text stays the provenance; the sets are kept beside it */
    assert_string_equal(cfg.text, text);
    assert_int_equal(cfg.n_sets, 5);
    assert_string_equal(cfg.sets[0], "measure.repeats=1");
    assert_string_equal(cfg.sets[4], "k=[10, 1, 100]");
    config_release(&cfg);
    assert_true(is_zeroed(&cfg));

    /* no sets: as config_parse */
    assert_int_equal(config_parse_set(&cfg, text, "t.yaml", NULL, NULL, 0), 0);
    assert_int_equal(cfg.measure.repeats, 5);
    assert_null(cfg.sets);
    assert_int_equal(cfg.n_sets, 0);
    config_release(&cfg);
}

static void test_set_add(void **state)
{
    struct config cfg;
    (void)state;

    /* keys the file does not have, with the mappings above them */
    assert_int_equal(config_parse_set(&cfg, HEAD FLAT "search:\n", "t.yaml", "/cfg",
                                      SETS("measure.warmup=0", "rvc.index_rate=[0.75, 0.5]",
                                           "dataset.sizes=[30000, 10000]",
                                           "search.nprobe={rule: all}",
                                           "dataset.queries=q.idx")), 0);
    assert_int_equal(cfg.measure.warmup, 0);
    assert_int_equal(cfg.measure.repeats, 5);     /* its neighbours get their defaults */
    assert_int_equal(cfg.rvc.index_rate.n, 2);
    assert_true(cfg.rvc.index_rate.v[1] == 0.5);
    assert_int_equal(cfg.rvc.blend_k, 0);
    assert_int_equal(cfg.dataset.sizes.n, 2);
    assert_int_equal(cfg.dataset.sizes.v[0], 10000);
    assert_int_equal(cfg.dataset.sizes_line, 0);  /* no line: from --set */
    assert_int_equal(cfg.nprobe.kind, NPROBE_RULE_ALL);
    assert_string_equal(cfg.dataset.queries, "/cfg/q.idx");  /* as a path in the file */
    config_release(&cfg);

    /* an empty file made whole by overrides */
    assert_int_equal(config_parse_set(&cfg, "", "t.yaml", NULL,
                                      SETS("name=t", "dataset={format: idx, base: b}",
                                           "indexes=[{factory: Flat}]")), 0);
    assert_string_equal(cfg.name, "t");
    assert_int_equal(cfg.n_indexes, 1);
    assert_int_equal(cfg.indexes[0].line, 0);
    config_release(&cfg);
}

static void test_set_list_index(void **state)
{
    static const char text[] = HEAD "indexes:\n  - factory: Flat\n"
                               "  - factory: IVF{nlist},Flat\n    nlist: 64\n";
    struct config cfg;
    (void)state;

    assert_int_equal(config_parse_set(&cfg, text, "t.yaml", NULL,
                                      SETS("indexes.1.nprobe=[1,2]", "indexes[0].k_factor=2",
                                           "indexes.2={factory: HNSW32, label: h}",
                                           "indexes.1.nlist={rule: rvc}")), 0);
    assert_int_equal(cfg.n_indexes, 3);
    assert_int_equal(cfg.indexes[0].k_factor.n, 1);
    assert_int_equal(cfg.indexes[0].k_factor.v[0], 2);
    assert_int_equal(cfg.indexes[1].nprobe.kind, NPROBE_LIST);
    assert_int_equal(cfg.indexes[1].nprobe.values.n, 2);
    assert_int_equal(cfg.indexes[1].nprobe.values.v[1], 2);
    assert_int_equal(cfg.indexes[1].nlist_kind, NLIST_RULE_RVC);
    assert_int_equal(cfg.indexes[1].line, 7);     /* still the file's entry */
    assert_string_equal(cfg.indexes[2].factory, "HNSW32");
    assert_string_equal(cfg.indexes[2].label, "h");
    assert_int_equal(cfg.indexes[2].line, 0);
    config_release(&cfg);
}

static void test_set_errors(void **state)
{
    static const char text[] = HEAD FLAT "measure: {repeats: 5}\n";
    (void)state;

    /* the key tables' own errors, naming the override */
    expect_error_set(text, SETS("measure.repeat=2"),
                     "faiss-sweep: --set measure.repeat: unknown key (did you mean 'repeats'?)\n");
    expect_error_set(HEAD FLAT, SETS("measure.repeat=2"),
                     "--set measure.repeat: unknown key (did you mean 'repeats'?)");
    expect_error_set(text, SETS("mesure.repeats=1"),
                     "--set mesure: unknown key (did you mean 'measure'?)");
    expect_error_set(text, SETS("measure.repeats=x"),
                     "--set measure.repeats: expected an integer >= 1, got 'x'");
    expect_error_set(text, SETS("k=[1, 0]"),
                     "--set k[1]: expected an integer between 1 and 4096, got '0'");
    expect_error_set(text, SETS("name="), "--set name: expected a string, got nothing");
    expect_error_set(text, SETS("dataset.format=csv"),
                     "--set dataset.format: unknown format 'csv' (did you mean 'tsv'?)");
    expect_error_set(text, SETS("measure={repeats: 1, repeats: 2}"),
                     "--set measure.repeats: duplicate key\n");
    expect_error_set(text, SETS("dataset.format.x=1"),
                     "--set dataset.format: expected a string, got a mapping");
    /* a check across keys names the file's entry, where the conflict is */
    expect_error_set(text, SETS("indexes.0.factory=IVF{nlist},Flat"),
                     "t.yaml:6: indexes[0].nlist: missing; factory 'IVF{nlist},Flat' uses {nlist}");
    /* the file's own errors keep their lines */
    expect_error_set(HEAD FLAT "measure: {repeats: 5}\nk: 0\n", SETS("name=u"),
                     "t.yaml:8: k: expected an integer between 1 and 4096, got '0'");
    /* the set itself */
    expect_error_set(text, SETS("k=[1, 2"), "faiss-sweep: --set k: malformed YAML: ");
    expect_error_set(text, SETS("measure.repeats"),
                     "faiss-sweep: --set measure.repeats: expected key=value\n");
    expect_error_set(text, SETS("=5"), "--set =5: expected key=value, the key is empty");
    expect_error_set(text, SETS("measure..repeats=1"),
                     "--set measure..repeats: expected a dotted key");
    expect_error_set(text, SETS("measure.=1"), "--set measure.: expected a dotted key");
    expect_error_set(text, SETS("indexes[=1"), "--set indexes[: expected a dotted key");
    expect_error_set(text, SETS("indexes[]=1"), "--set indexes[]: expected a dotted key");
    expect_error_set(text, SETS("indexes[0]x=1"), "--set indexes[0]x: expected a dotted key");
    expect_error_set(text, SETS("[0]=1"), "--set [0]: expected a dotted key");
    expect_error_set(text, SETS("a]=1"), "--set a]: expected a dotted key");
    expect_error_set(text, SETS("indexes[0.1]=1"), "--set indexes[0.1]: expected a dotted key");
    expect_error_set(text, SETS("indexes.0.nprobe.rule.x.y=1"),
                     "--set indexes[0].nprobe.rule: expected a string, got a mapping");
    expect_error_set(text, SETS("indexes[0][1]=1"),
                     "--set indexes[0].1: unknown key (expected label, factory, nlist,");
    expect_error_set(text, SETS("indexes.5.nprobe=1"),
                     "--set indexes.5.nprobe: 'indexes' has no item 5 (it has 1; item 1 adds one)");
    expect_error_set(text, SETS("indexes.x=1"),
                     "--set indexes.x: 'indexes' is a list: expected an item number, got 'x'");
    /* a value that holds itself (a recursive alias) is refused, not walked forever */
    expect_error_set(text, SETS("k=&a [1, *a]"), "--set k: cannot take this value");
    /* aliases in a value work as in a file */
    expect_error_set(text, SETS("k=[&a 1, *a, 0]"),
                     "--set k[2]: expected an integer between 1 and 4096, got '0'");
    /* the first bad set stops, later ones are not tried */
    expect_error_set(text, SETS("measure.repeats=1", "k", "zzz=1"), "--set k: expected key=value");
    /* an empty file with overrides: what is missing is named as theirs */
    expect_error_set("", SETS("name=t"), "--set dataset: missing required key");
}

/* config_load_set reads the file, resolves paths against its folder as for
 * its own values, and keeps the file's text. */
static void test_set_load(void **state)
{
    struct config cfg;
    char *text;
    (void)state;

    capture_start();
    assert_int_equal(config_load_set(&cfg, DATA "valid.yaml",
                                     SETS("dataset.base=other.tsv", "measure.threads=1")), 0);
    capture_end();
    assert_string_equal(cfg.dataset.base, FS_SOURCE_DIR "/tests/data/config/other.tsv");
    assert_int_equal(cfg.measure.threads, 1);
    assert_int_equal(cfg.measure.repeats, 5);
    text = read_file(DATA "valid.yaml", NULL);
    assert_non_null(text);
    assert_string_equal(cfg.text, text);
    free(text);
    assert_int_equal(cfg.n_sets, 2);
    config_release(&cfg);

    capture_start();
    assert_int_equal(config_load_set(&cfg, DATA "valid.yaml", SETS("measure.threads=-1")), -1);
    assert_has(capture_end(), "--set measure.threads: expected an integer >= 0, got '-1'");
    assert_true(is_zeroed(&cfg));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_full_file),
        cmocka_unit_test(test_parse_string_forms),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_malformed_yaml),
        cmocka_unit_test(test_missing_and_empty_file),
        cmocka_unit_test(test_reference),
        cmocka_unit_test(test_shipped_configs),
        cmocka_unit_test(test_config_error),
        cmocka_unit_test(test_set_replace),
        cmocka_unit_test(test_set_add),
        cmocka_unit_test(test_set_list_index),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_set_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
