/*
 * config.h - the sweep configuration read from YAML.
 *
 * One table of keys (config.c) drives parsing, "did you mean" for unknown
 * keys and the reference printed by `faiss-sweep help-config`.
 * Every error names the file, the line and the key.
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
    char *preset;               /* "rvc-default" when the entry came from the preset, else NULL */
    char *label;                /* the family name in results, summary and plots; NULL: the
                                   factory template (or preset) */
    int line;                   /* line of the entry in the config file */
};


struct measure_spec {
    int repeats;          /* batch search repeats, best kept (default 3) */
    int warmup;           /* untimed batch searches before timing (default 1) */
    long latency_queries; /* queries timed one by one; 0 = none, -1 = all (default 1000) */
    int threads;          /* OpenMP threads for batch search; 0 = all cores (default 0) */
};

/* RVC's retrieval, modelled per point ("blend fidelity"): each query's k
 * neighbours weighted by (1/score)^2 and blended into it at index_rate. */
struct rvc_spec {
    long blend_k;       /* neighbours blended (RVC: 8); 0 = blend fidelity off (default) */
    struct double_list index_rate;  /* f = index_rate * r + (1 - index_rate) * q (RVC: 0.75);
                                       the first fills /runs, each gets /blend rows */
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
    char *output_dir;    /* default "results", resolved against the current directory */
    long checkpoint_s;   /* seconds between checkpoint writes (after a build); 0 = every
                            build, -1 = never (default 60) */
    char *cache_dir;     /* ground-truth cache; default "<output_dir>/cache" */
};

/* Parse a config file. Returns 0, or -1 after printing one line
 * "<file>:<line>: <key>: <what is wrong>". On failure *cfg is released. */
int config_load(struct config *cfg, const char *path);
/* Same from a string; `name` stands for the file name in messages and
 * relative dataset paths are resolved against `basedir` (may be NULL = "."). */
int config_parse(struct config *cfg, const char *text, const char *name, const char *basedir);
/* Free the contents; safe on a zeroed or already released struct. */
void config_release(struct config *cfg);
/* Print the reference of every key (from the key table) to f as Markdown. */
void config_print_reference(FILE *f);

#endif
