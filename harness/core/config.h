/*
 * config.h - the sweep configuration read from YAML, with overrides from the
 * command line (--set key=value).
 *
 * One table of keys per section (keys.c) drives parsing, "did you mean" for
 * unknown keys and the reference printed by `faiss-sweep help-config`; the
 * engine that walks them is config.c, the named rules and presets the keys
 * refer to are in rules.h. Every error names the file, the line and the key
 * (config_error), or the override.
 */
#ifndef FS_CONFIG_H
#define FS_CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include "io/dataset.h"
#include "lib/util.h"

enum metric { METRIC_L2, METRIC_IP, METRIC_COSINE };
/* "l2", "ip", "cosine"; metric_parse returns -1 on an unknown name. */
const char *metric_name(enum metric m);
int metric_parse(const char *s);

/* How nlist values are given for one index entry. */
enum nlist_kind {
    NLIST_NONE,          /* factory has no {nlist} */
    NLIST_LIST,          /* explicit values */
    NLIST_SQRT,          /* round(m * sqrt(N)) for each multiplier m */
    NLIST_RULE_RVC_2023, /* N // 39                (rule: rvc-2023-04) */
    NLIST_RULE_RVC,      /* min(int(16*sqrt(N)), N // 39)  (rule: rvc) */
};

/* How nprobe values are given. */
enum nprobe_kind {
    NPROBE_UNSET,        /* inherit from the global search section */
    NPROBE_LIST,         /* explicit values */
    NPROBE_RULE_RVC_2023,/* int(nlist ** 0.3)       (rule: rvc-2023-04) */
    NPROBE_RULE_ALL,     /* nprobe = nlist (exact scan; a correctness anchor) (rule: all) */
};

struct nprobe_spec {
    enum nprobe_kind kind;
    struct long_list values;  /* NPROBE_LIST */
};

/* Which vectors alpha query expansion rewrites. */
enum expand_on { EXPAND_BASE = 1, EXPAND_QUERIES = 2, EXPAND_BOTH = 3 };

/* The faiss tips' preprocessing steps as build-time axes of one index entry.
 * Ground truth always stays that of the original base and queries. */
struct prep_spec {
    int shuffle;                 /* RVC's seeded row shuffle before training (default 0) */
    long add_batch;              /* add in batches of this many rows (RVC: 8192); 0 = one call */
    struct long_list kmeans;     /* k-means compression of the base to n centroids, per value;
                                    0 = none; empty list = none */
    int kmeans_rule_rvc;         /* {rule: rvc}: 10000 centroids when N > 200000, else none */
    struct double_list alpha;    /* alpha query expansion: alpha values (empty = none) */
    struct long_list num_expand; /* ... neighbours summed, per value (>= 1) */
    enum expand_on *expand_on;   /* ... applied to base / queries / both, per value */
    size_t n_expand_on;
};

struct index_spec {
    char *factory;              /* may hold {nlist}, {d}, {d/N} */
    enum nlist_kind nlist_kind;
    struct double_list nlist;   /* values (LIST) or multipliers (SQRT) */
    struct nprobe_spec nprobe;  /* kind NPROBE_UNSET: use the global one */
    struct long_list k_factor;  /* n == 0: use the global one */
    struct prep_spec prep;      /* preprocessing axes (all off by default) */
    long train_rows;            /* train on the first this many base rows; 0 = all */
    char *preset;               /* "rvc-default" when the entry came from the preset, else NULL */
    char *label;                /* the family name in results, summary and plots; NULL: the
                                   factory template (or preset) */
    int line;                   /* line of the entry in the config file */
};


struct measure_spec {
    int repeats;          /* timed batch repetitions per point, median kept (default 5) */
    int warmup;           /* untimed batch calls before calibration (default 1) */
    double min_time;      /* seconds one batch repetition lasts at least (default 0.2) */
    double max_time;      /* seconds of repetitions (and of latency rounds) a point may
                             take; fewer repetitions when they would exceed it (default 10) */
    long timing_queries;  /* a fixed random subset of this many queries is what batch
                             repetitions and latency rounds search; -1 = all (default 2000) */
    long latency_queries; /* queries timed one by one per round; 0 = none, -1 = all
                             (default 1000) */
    int latency_rounds;   /* rounds over the latency queries (default 5) */
    double noisy;         /* a point whose qps interval reaches further than this fraction
                             of its median, or whose rounds' p50 vary by a coefficient of
                             variation above it, is flagged noisy (default 0.10) */
    int threads;          /* OpenMP threads for batch search; 0 = all cores (default 0) */
    int interleave_mb;    /* builds measured together, rounds over all their points, until
                             their indexes reach this many MiB; 0 = one at a time (default) */
};

/* RVC's retrieval, modelled per point ("blend fidelity"): each query's k
 * neighbours weighted by (1/score)^2 and blended into it at index_rate. */
struct rvc_spec {
    long blend_k;       /* neighbours blended (RVC: 8); 0 = blend fidelity off (default) */
    struct double_list index_rate;  /* f = index_rate * r + (1 - index_rate) * q (RVC: 0.75);
                                       the first fills /runs, each gets /blend rows */
};

/* What `faiss-sweep compare --config` takes from the config: the
 * thresholds of the regression gates (the config is the test's
 * specification; command-line options override each). */
struct ci_spec {
    double noise;                /* relative noise floor of times (default 0.10) */
    double alpha;                /* significance level of the test (default 0.01) */
    double recall_tol;           /* floor of the recall tolerance (default 0.005) */
    struct double_list targets;  /* recall targets of the front gates (0.9, 0.95, 0.99) */
    int no_times;                /* gate qualities only (default false) */
    char *reference;             /* cross-machine reference factory; NULL = raw times */
};

struct config {
    char *path;          /* the file read, for messages ("<string>" when parsed from text) */
    char *text;          /* its full text, stored in the results for provenance */
    char *name;          /* run name, used in the results file name */
    struct dataset_spec dataset;
    struct long_list k;  /* recall@k for each; sorted ascending, unique, each >= 1 */
    enum metric *metrics;
    size_t n_metrics;
    struct index_spec *indexes;
    size_t n_indexes;
    struct nprobe_spec nprobe;   /* global search.nprobe (default list [1]) */
    struct long_list k_factor;   /* global search.k_factor (default [1]) */
    struct measure_spec measure;
    struct rvc_spec rvc;
    struct ci_spec ci;
    char *output_dir;    /* default "results", resolved against the current directory */
    long checkpoint_s;   /* seconds between checkpoint writes (after a build); 0 = every
                            build, -1 = never (default 60) */
    char *cache_dir;     /* ground-truth cache; default "<output_dir>/cache" */
    int cache_dir_set;   /* cache_dir was given (else -o DIR moves it to DIR/cache) */
    int reuse_quantizers;   /* reuse trained IVF centroids across builds and runs
                               (core/quantizers.h; default 1) */
    char **sets;         /* the --set overrides applied, as given ("measure.repeats=1"),
                            for provenance; text above stays the file's own */
    size_t n_sets;
};

/* Parse a config file (a regular file of at most 16 MiB). Returns 0, or -1 after printing one line
 * "<file>:<line>: <key>: <what is wrong>". On failure *cfg is released. */
int config_load(struct config *cfg, const char *path);
/*
 * config_load with overrides: each of sets[0..n_sets) is "dotted.key=value",
 * the value YAML (flow style is handy: "dataset.sizes=[10000, 30000]"). They
 * are applied in order to the file's YAML document before it is read, so an
 * override replaces the key's value (or adds the key, and the mappings above
 * it that are missing) and then meets exactly the keys, checks and defaults a
 * value in the file would. Steps into a list are item numbers:
 * "indexes.0.nprobe=[1, 2]" (also "indexes[0].nprobe"); the number one past
 * the last item adds an item. Errors about an override's value name it
 * instead of a line: "--set measure.repeats: expected an integer >= 1, got
 * 'x'"; a set without '=', with an empty key or a value that is not YAML is
 * one such line too. The sets are copied into cfg->sets; cfg->text stays
 * the file's text. sets are borrowed for the call.
 */
int config_load_set(struct config *cfg, const char *path, const char *const *sets,
                    size_t n_sets);
/* Same from a string; `name` stands for the file name in messages and
 * relative dataset paths are resolved against `basedir` (may be NULL = "."). */
int config_parse(struct config *cfg, const char *text, const char *name, const char *basedir);
int config_parse_set(struct config *cfg, const char *text, const char *name,
                     const char *basedir, const char *const *sets, size_t n_sets);
/* Free the contents; safe on a zeroed or already released struct. */
void config_release(struct config *cfg);

/*
 * Config-located messages, all in one form: print through error()
 *   "<file>:<line>: <key>: <what is wrong>"
 * and return -1. key "" is "top level"; key NULL leaves the key out
 * ("<file>:<line>: malformed YAML: ..."). line 0 means the value came from a
 * --set override, which has no line: "--set <key>: <what is wrong>" (file is
 * then unused). config_warning and config_info print the same through
 * warning() and info().
 */
int config_error(const char *file, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void config_warning(const char *file, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void config_info(const char *file, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sort v[0..n) ascending and drop repeated values, in place; returns how
 * many are kept. The one sort_unique of config lists and grid axes (which
 * drop their values < 1 themselves first). */
size_t sort_unique_long(long *v, size_t n);
/* Print the reference of every key (from the key table) to f as Markdown. */
void config_print_reference(FILE *f);

#endif
