/*
 * test_config.c - the YAML config: every field of a full config, defaults,
 * path resolution, and for each kind of mistake the exact one-line message
 * (file, line, key) printed on stderr.
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
#include <unistd.h>

#include "core/config.h"
#include "lib/util.h"

#define DATA FS_SOURCE_DIR "/tests/data/config/"

/* ---------- stderr capture ---------- */

static FILE *cap_file;
static int cap_saved = -1;
static char *cap_text;  /* last capture; kept so a failed assert leaks nothing */

static void capture_begin(void)
{
    fflush(stderr);
    free(cap_text);
    cap_text = NULL;
    cap_file = tmpfile();
    assert_non_null(cap_file);
    cap_saved = dup(2);
    assert_true(cap_saved >= 0);
    assert_true(dup2(fileno(cap_file), 2) >= 0);
}

/* Returns what was written to stderr since capture_begin; valid until the
 * next capture_begin. */
static char *capture_end(void)
{
    long n;
    char *buf;

    fflush(stderr);
    dup2(cap_saved, 2);
    close(cap_saved);
    cap_saved = -1;
    n = ftell(cap_file);
    rewind(cap_file);
    buf = calloc(1, (size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, cap_file), (size_t)n);
    fclose(cap_file);
    cap_text = buf;
    return buf;
}

static void assert_contains(const char *text, const char *want)
{
    if (!strstr(text, want))
        fail_msg("expected \"%s\" in stderr, got \"%s\"", want, text);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static int is_zeroed(const struct config *cfg)
{
    static const struct config zero;
    return !memcmp(cfg, &zero, sizeof(zero));
}

/* config_parse(text) as "t.yaml" must fail with exactly one line holding want. */
static void expect_error(const char *text, const char *want)
{
    struct config cfg;
    char *err;
    int r;

    capture_begin();
    r = config_parse(&cfg, text, "t.yaml", "/base");
    err = capture_end();
    assert_int_equal(r, -1);
    assert_true(is_zeroed(&cfg));
    assert_contains(err, want);
    assert_int_equal(count_lines(err), 1);
}

/* A valid config around the given middle part. */
#define HEAD "name: t\ndataset:\n  format: idx\n  base: b.idx\n"   /* lines 1-4 */
#define FLAT "indexes:\n  - factory: Flat\n"

/* ---------- valid configs ---------- */

static void test_load_full_file(void **state)
{
    struct config cfg;
    char *err;
    int r;
    (void)state;

    capture_begin();
    r = config_load(&cfg, DATA "valid.yaml");
    err = capture_end();
    assert_int_equal(r, 0);
    /* holdout is ignored when queries are given: a warning, not an error */
    assert_contains(err, "valid.yaml:9: dataset.holdout: ignored");

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
    assert_int_equal(cfg.measure.repeats, 3);
    assert_int_equal(cfg.measure.warmup, 1);
    assert_int_equal(cfg.measure.latency_queries, 1000);
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
    assert_int_equal(cfg.measure.repeats, 3);
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

/* ---------- errors ---------- */

static void test_unknown_key(void **state)
{
    struct config cfg;
    char *err;
    (void)state;

    capture_begin();
    assert_int_equal(config_load(&cfg, DATA "unknown_key.yaml"), -1);
    err = capture_end();
    assert_true(is_zeroed(&cfg));
    assert_contains(err, "faiss-sweep: " DATA "unknown_key.yaml:3: dataset.fromat: "
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
    expect_error(HEAD FLAT "measure: {latency_queries: -2}\n",
                 "t.yaml:7: measure.latency_queries: expected an integer >= -1, got '-2'");
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
    char *err;
    (void)state;

    capture_begin();
    assert_int_equal(config_load(&cfg, DATA "no-such.yaml"), -1);
    err = capture_end();
    assert_true(is_zeroed(&cfg));
    assert_contains(err, "cannot open '" DATA "no-such.yaml': No such file or directory");

    capture_begin();
    assert_int_equal(config_load(&cfg, DATA "empty.yaml"), -1);
    err = capture_end();
    assert_true(is_zeroed(&cfg));
    assert_contains(err, DATA "empty.yaml:1: top level: the file is empty");

    expect_error("# only a comment\n", "t.yaml:1: top level: the file is empty");
    expect_error("just a string\n", "t.yaml:1: top level: expected a mapping, got 'just a string'");
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
    char *err;
    capture_begin();
    assert_int_equal(config_parse(&cfg,
        "name: t\ndataset:\n  format: rvc\n  base: a\n  holdout_clips: 2\n  holdout: 5\n" FLAT,
        "t.yaml", NULL), 0);
    err = capture_end();
    assert_contains(err, "t.yaml:6: dataset.holdout: ignored since dataset.holdout_clips is given");
    config_release(&cfg);
    capture_begin();
    assert_int_equal(config_parse(&cfg,
        "name: t\ndataset:\n  format: ann-hdf5\n  base: a.hdf5\n  holdout: 5\n" FLAT,
        "t.yaml", NULL), 0);
    err = capture_end();
    assert_contains(err, "t.yaml:5: dataset.holdout: ignored since dataset.format is given as ann-hdf5");
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
        "| `num_expand` | int or list of int >= 1 | required |",
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
        assert_contains(buf, want[i]);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_full_file),
        cmocka_unit_test(test_parse_string_forms),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_k_sorted_unique),
        cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_bad_metric),
        cmocka_unit_test(test_bad_nlist),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_placeholders),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_malformed_yaml),
        cmocka_unit_test(test_missing_and_empty_file),
        cmocka_unit_test(test_k_limits),
        cmocka_unit_test(test_dataset_new_keys),
        cmocka_unit_test(test_dataset_new_key_errors),
        cmocka_unit_test(test_base_list),
        cmocka_unit_test(test_base_list_errors),
        cmocka_unit_test(test_index_rate),
        cmocka_unit_test(test_index_rate_errors),
        cmocka_unit_test(test_prep_defaults),
        cmocka_unit_test(test_prep_keys),
        cmocka_unit_test(test_prep_errors),
        cmocka_unit_test(test_preset),
        cmocka_unit_test(test_preset_errors),
        cmocka_unit_test(test_metric_names),
        cmocka_unit_test(test_reference),
        cmocka_unit_test(test_shipped_configs),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);

    free(cap_text);
    return failed;
}
