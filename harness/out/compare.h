/*
 * compare.h - `faiss-sweep compare`: two results files of the same data,
 * a baseline and a candidate, and the verdict on every gated quantity.
 *
 * Points are matched by their settings (family, factory, metric, N, nlist,
 * nprobe, k_factor, preprocess). For each matched point that ran in both:
 *  - recall_at_<k> and recall1_at_<k> for every k both files have: a drop
 *    beyond max(recall_tol, 2 standard errors) is a regression, a rise as
 *    large an improvement (trials: nq * k for recall@k, nq for 1-recall@k);
 *  - missing_ids: any increase is a regression, any decrease an improvement;
 *  - index_bytes, and RVC's blend_err_mean when both files have it: growth
 *    beyond 1% is a regression, shrinking beyond it an improvement;
 *  - qps (batch) and lat_p50_us (single query) from the raw samples of
 *    /timings: a change counts only when the two-sided Mann-Whitney test
 *    gives p < alpha AND the ratio of medians is beyond the noise floor;
 *    fewer than 3 samples a side, or too few for the test to ever reach
 *    alpha, is "undecided" (counted, never a pass or a fail). Files without
 *    /timings fall back to the qps intervals: disjoint and beyond the floor;
 *  - status: a point "ok" in the baseline and not in the candidate is a
 *    regression (and the reverse an improvement).
 * Front gates, for each (family, metric, N) present in both: the best qps
 * at recall@<largest common k> >= R for each target R; a candidate that no
 * longer reaches R is a regression, one that falls below the baseline's
 * best (the two winners' samples, as for points) too. With latency budgets
 * B: the best recall of the points whose lat_p50_us <= B, judged by the
 * recall tolerance; no point within B any more is a regression.
 * Cross-machine mode (a reference factory): every time of a run is divided
 * by the reference point's of the same run, metric and N (median of its
 * samples) before the same test, and the items are named rel_<quantity>.
 */
#ifndef FS_COMPARE_H
#define FS_COMPARE_H

#include <stddef.h>
#include <stdint.h>
#include "out/results.h"

#define CMP_MAX_TARGETS 8

struct compare_opts {
    double noise;               /* relative noise floor of times (0.10) */
    double alpha;               /* significance level of the test (0.01) */
    double recall_tol;          /* floor of the recall tolerance (0.005) */
    double size_tol;            /* relative tolerance of index_bytes (0.01) */
    double targets[CMP_MAX_TARGETS];    /* recall targets of the front gates */
    size_t n_targets;           /* (0.90, 0.95, 0.99) */
    double budgets[CMP_MAX_TARGETS];    /* single-query p50 budgets (us) of the recall */
    size_t n_budgets;           /* gates; none by default (latency is per machine) */
    int allow_different_data;   /* compare files of different data or query sets */
    const char *reference;      /* cross-machine mode: the factory of the point every
                                   time is divided by, in its own run (borrowed); NULL:
                                   raw times */
    uint64_t seed;              /* of the bootstrap intervals */
    int no_times;               /* gate qualities, sizes and reach only (runs of different
                                   machines, or a check of answers) */
    int exact;                  /* any change of a quality or size is a regression (a
                                   harness's own check that no answer moved) */
};

/* The defaults above. */
void compare_opts_init(struct compare_opts *o);

enum cmp_verdict { CMP_REGRESSION, CMP_IMPROVEMENT, CMP_UNCHANGED, CMP_UNDECIDED, CMP_N_VERDICTS };

/* What decided an item. */
enum cmp_test {
    CMP_TOLERANCE,      /* an absolute (recall) or relative (size) tolerance */
    CMP_EXACT,          /* any change (missing_ids, status) */
    CMP_MANN_WHITNEY,   /* the test on the raw samples and the noise floor */
    CMP_INTERVALS,      /* the stored qps intervals and the noise floor */
    CMP_REACH,          /* whether a front reaches its target at all */
};

/* One gated quantity of one point or front. */
struct cmp_item {
    char point[256];        /* the settings: "IVF64,Flat l2 N=1000 nprobe=4", or the
                               front "front IVF{nlist},Flat l2 N=1000 recall@10>=0.95" */
    char quantity[40];      /* "recall_at_10", "qps", "lat_p50_us", "index_bytes", ... */
    double base, cand;      /* the two values (medians for times); NaN when absent */
    double ratio;           /* cand / base; NaN when not meaningful */
    double p;               /* the test's p-value; NaN when no test ran */
    double tol;             /* the tolerance (absolute for recall, relative otherwise) */
    double lo, hi;          /* bootstrap 95% interval of the ratio; NaN when none */
    size_t n_base, n_cand;  /* samples each side (times) */
    enum cmp_verdict verdict;
    enum cmp_test test;
    char note[256];         /* why, in words: "too few repetitions to decide (2 vs 5)" */
};

struct compare_result {
    const char *base_path, *cand_path;  /* borrowed, as given to compare_sets */
    struct cmp_item *items;
    size_t n_items, cap_items;
    char **only_base, **only_cand;      /* settings of points in one file only */
    size_t n_only_base, n_only_cand;
    char **notes;                       /* differences of machine or method */
    size_t n_notes;
    size_t counts[CMP_N_VERDICTS];
};

/*
 * Compare candidate b with baseline a (read from the files pa and pb, named
 * in messages) into *out (released by compare_result_release; it borrows
 * pa and pb). Returns 0, or -1 after one error line naming both files when
 * they hold different data (dataset_hash) or query counts (nq) and
 * o->allow_different_data is 0; the notes then say nothing.
 */
int compare_sets(const struct result_set *a, const struct result_set *b, const char *pa,
                 const char *pb, const struct compare_opts *o, struct compare_result *out);
void compare_result_release(struct compare_result *r);

/* "regression", "improvement", "unchanged", "undecided". */
const char *cmp_verdict_name(enum cmp_verdict v);
/* "tolerance", "exact", "mann-whitney", "intervals", "reach". */
const char *cmp_test_name(enum cmp_test t);

#endif
