/*
 * compare.c - matching two results files point by point, the verdict on
 * each gated quantity and the front gates of `faiss-sweep compare`; the
 * statistics are compare_stats.c's, the output compare_report.c's.
 */
#include "out/compare.h"
#include "out/compare_stats.h"
#include "out/summary.h"
#include "lib/stats.h"
#include "lib/util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_REPS 3              /* fewer samples a side: too few to decide */
#define RESAMPLES 2000          /* of the ratio's bootstrap interval */

void compare_opts_init(struct compare_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->noise = 0.10;
    o->alpha = 0.01;
    o->recall_tol = 0.005;
    o->size_tol = 0.01;
    memcpy(o->targets, summary_targets, sizeof(summary_targets));
    o->n_targets = SUMMARY_N_TARGETS;
    o->seed = 12;
}

const char *cmp_verdict_name(enum cmp_verdict v)
{
    static const char *const names[] = { "regression", "improvement", "unchanged", "undecided" };
    return v < CMP_N_VERDICTS ? names[v] : "?";
}

const char *cmp_test_name(enum cmp_test t)
{
    static const char *const names[] = { "tolerance", "exact", "mann-whitney", "intervals",
                                         "reach" };
    return (size_t)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

/* A root attribute as text ("" when absent), into buf. */
static const char *attr_text(const struct result_set *rs, const char *name, char *buf, size_t n)
{
    const struct result_attr *at = results_attr(rs, name);

    if (!at)
        snprintf(buf, n, "%s", "");
    else if (at->type == ATTR_STR)
        snprintf(buf, n, "%s", at->s ? at->s : "");
    else if (at->type == ATTR_INT)
        snprintf(buf, n, "%" PRId64, at->i);
    else
        snprintf(buf, n, "%.17g", at->f);
    return buf;
}

/* An integer attribute, or 0 when absent or not an integer. */
static int64_t attr_int(const struct result_set *rs, const char *name)
{
    const struct result_attr *at = results_attr(rs, name);
    return at && at->type == ATTR_INT ? at->i : 0;
}

static void add_note(struct compare_result *r, char *text)
{
    r->notes = xrealloc(r->notes, (r->n_notes + 1) * sizeof(*r->notes));
    r->notes[r->n_notes++] = text;
}

static struct cmp_item *new_item(struct compare_result *r, const char *point, const char *qty)
{
    struct cmp_item *it;

    if (r->n_items == r->cap_items) {
        r->cap_items = r->cap_items ? 2 * r->cap_items : 32;
        r->items = xrealloc(r->items, r->cap_items * sizeof(*r->items));
    }
    it = &r->items[r->n_items++];
    memset(it, 0, sizeof(*it));
    snprintf(it->point, sizeof(it->point), "%s", point);
    snprintf(it->quantity, sizeof(it->quantity), "%s", qty);
    it->base = it->cand = it->ratio = it->p = it->tol = it->lo = it->hi = NAN;
    it->verdict = CMP_UNCHANGED;
    return it;
}

/* Refuse different data or query sets (unless allowed); note what else differs. */
static int front_door(const struct result_set *a, const struct result_set *b, const char *pa,
                      const char *pb, const struct compare_opts *o, struct compare_result *r)
{
    static const char *const gated[] = { "dataset_hash", "nq" };
    static const char *const machine[] = { "cpu_model", "cores", "batch_threads",
                                           "faiss_version", "faiss_simd" };
    char x[256], y[256];

    for (size_t i = 0; i < 2; i++) {
        attr_text(a, gated[i], x, sizeof(x));
        attr_text(b, gated[i], y, sizeof(y));
        if (!strcmp(x, y))
            continue;
        if (!o->allow_different_data)
            return error("cannot compare '%s' with '%s': different %s ('%s' vs '%s'; "
                         "--allow-different-data compares them anyway)",
                         pa, pb, i ? "query sets (nq)" : "data (dataset_hash)", x, y);
        add_note(r, xasprintf("different %s: '%s' vs '%s' (--allow-different-data)",
                              gated[i], x, y));
    }
    for (size_t i = 0; i < sizeof(machine) / sizeof(machine[0]); i++) {
        attr_text(a, machine[i], x, sizeof(x));
        attr_text(b, machine[i], y, sizeof(y));
        if (strcmp(x, y))
            add_note(r, xasprintf("the runs differ in %s: '%s' vs '%s'", machine[i], x, y));
    }
    return 0;
}

/* The settings of a row as text, its identity for matching. */
static void point_key(const struct result_row *w, char *buf, size_t n)
{
    int len = snprintf(buf, n, "%s %s N=%" PRId64, w->factory, w->metric, w->N);

    if (len < 0 || (size_t)len >= n)
        return;
    if (strcmp(w->family, w->factory))
        len += snprintf(buf + len, n - (size_t)len, " family=%s", w->family);
    if (w->nlist > 0 && (size_t)len < n)
        len += snprintf(buf + len, n - (size_t)len, " nlist=%" PRId64, w->nlist);
    if (w->nprobe > 0 && (size_t)len < n)
        len += snprintf(buf + len, n - (size_t)len, " nprobe=%" PRId64, w->nprobe);
    if (w->k_factor > 0 && (size_t)len < n)
        len += snprintf(buf + len, n - (size_t)len, " k_factor=%" PRId64, w->k_factor);
    if (*w->preprocess && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, " preprocess=%s", w->preprocess);
}

static int same_point(const struct result_row *x, const struct result_row *y)
{
    return !strcmp(x->family, y->family) && !strcmp(x->factory, y->factory) &&
           !strcmp(x->metric, y->metric) && x->N == y->N && x->nlist == y->nlist &&
           x->nprobe == y->nprobe && x->k_factor == y->k_factor &&
           !strcmp(x->preprocess, y->preprocess);
}

/* The first row of rs with w's settings, or -1. */
static long find_point(const struct result_set *rs, const struct result_row *w)
{
    for (size_t i = 0; i < rs->n_rows; i++)
        if (same_point(&rs->rows[i], w))
            return (long)i;
    return -1;
}

/* Whether row i is the first of its settings in rs (later duplicates are ignored). */
static int first_of_kind(const struct result_set *rs, size_t i)
{
    return find_point(rs, &rs->rows[i]) == (long)i;
}

/*
 * The raw samples of row `row` of rs: kind TIMING_BATCH gives each
 * repetition's qps (queries * calls / seconds; queries = the attribute
 * timed_queries, else nq), TIMING_SINGLE each round's p50_us. Returns the
 * count (malloc'd array in *out, NULL when 0); -1 when the set has no
 * usable /timings (no table, or no query count for qps).
 */
static long samples(const struct result_set *rs, size_t row, int kind, double **out)
{
    const struct result_table *t = results_table(rs, RESULTS_TIMINGS);
    int64_t queries = attr_int(rs, "timed_queries");
    int c_row, c_kind, c_sec, c_calls, c_p50;
    long n = 0;

    *out = NULL;
    if (queries <= 0)
        queries = attr_int(rs, "nq");
    if (!t || (c_row = results_table_col(t, "run_row")) < 0 ||
        (c_kind = results_table_col(t, "kind")) < 0 ||
        (c_sec = results_table_col(t, "seconds")) < 0 ||
        (c_calls = results_table_col(t, "calls")) < 0 ||
        (c_p50 = results_table_col(t, "p50_us")) < 0 || (kind == TIMING_BATCH && queries <= 0))
        return -1;
    for (size_t i = 0; i < t->n_rows; i++) {
        const union result_cell *c = t->cells + i * t->n_cols;
        double v;
        if (c[c_row].i != (int64_t)row || c[c_kind].i != kind)
            continue;
        if (kind == TIMING_BATCH)
            v = c[c_sec].f > 0 ? (double)queries * (double)c[c_calls].i / c[c_sec].f : NAN;
        else
            v = c[c_p50].f;
        if (!isfinite(v))
            continue;
        *out = xrealloc(*out, (size_t)(n + 1) * sizeof(**out));
        (*out)[n++] = v;
    }
    return n;
}

/* Whether a ratio is a change beyond the noise floor: -1 worse, 1 better, 0 neither. */
static int beyond_noise(double ratio, double noise, int higher_better)
{
    if (!isfinite(ratio))
        return 0;
    if (ratio < 1 - noise)
        return higher_better ? -1 : 1;
    if (ratio > 1 + noise)
        return higher_better ? 1 : -1;
    return 0;
}

/* A time from the raw samples: the test, the interval of the ratio, the floor. */
static void decide_samples(const struct compare_opts *o, struct cmp_item *it, const double *a,
                           size_t na, const double *b, size_t nb, int higher_better)
{
    int dir;

    it->test = CMP_MANN_WHITNEY;
    it->n_base = na;
    it->n_cand = nb;
    it->base = stats_median(a, na);
    it->cand = stats_median(b, nb);
    it->ratio = it->cand / it->base;
    it->tol = o->noise;
    if (na < MIN_REPS || nb < MIN_REPS) {
        it->verdict = CMP_UNDECIDED;
        snprintf(it->note, sizeof(it->note), "too few repetitions to decide (%zu vs %zu, "
                 "fewer than %d)", na, nb, MIN_REPS);
        return;
    }
    it->p = cmp_mann_whitney(a, na, b, nb);
    cmp_ratio_interval(a, na, b, nb, 0.95, RESAMPLES, o->seed, &it->lo, &it->hi);
    dir = beyond_noise(it->ratio, o->noise, higher_better);
    if (!dir) {
        snprintf(it->note, sizeof(it->note), "within the noise floor");
    } else if (cmp_min_p(na, nb) >= o->alpha) {
        it->verdict = CMP_UNDECIDED;
        snprintf(it->note, sizeof(it->note), "too few repetitions to decide (%zu vs %zu: "
                 "p cannot fall below %.2g)", na, nb, o->alpha);
    } else if (it->p < o->alpha) {
        it->verdict = dir < 0 ? CMP_REGRESSION : CMP_IMPROVEMENT;
    } else {
        snprintf(it->note, sizeof(it->note), "not significant");
    }
}

/* qps without raw samples: the stored intervals must be disjoint, and the
 * ratio of the medians beyond the floor. */
static void decide_intervals(const struct compare_opts *o, struct cmp_item *it,
                             const struct result_row *x, const struct result_row *y)
{
    int dir;

    it->test = CMP_INTERVALS;
    it->base = x->qps;
    it->cand = y->qps;
    it->ratio = y->qps / x->qps;
    it->tol = o->noise;
    if (!summary_has_interval(x) || !summary_has_interval(y) || !isfinite(it->ratio)) {
        it->verdict = CMP_UNDECIDED;
        snprintf(it->note, sizeof(it->note), "no raw timings nor qps intervals to decide by");
        return;
    }
    dir = beyond_noise(it->ratio, o->noise, 1);
    if (!dir)
        snprintf(it->note, sizeof(it->note), "within the noise floor");
    else if (y->qps_hi < x->qps_lo || y->qps_lo > x->qps_hi)
        it->verdict = dir < 0 ? CMP_REGRESSION : CMP_IMPROVEMENT;
    else
        snprintf(it->note, sizeof(it->note), "qps intervals overlap");
}

/* Cross-machine mode: the speed unit of row w's run, the median of the
 * samples of this kind of the reference point (the first ok row whose
 * factory is `reference`, of w's metric and N), or its stored qps or
 * lat_p50_us when it has none. 1 without a reference; NaN when the run has
 * no such point. */
static double reference_unit(const struct result_set *rs, const struct result_row *w, int kind,
                             const char *reference)
{
    double u = NAN, *s = NULL;

    if (!reference)
        return 1;
    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *x = &rs->rows[i];
        if (!results_row_ok(x) || strcmp(x->factory, reference) || strcmp(x->metric, w->metric) ||
            x->N != w->N)
            continue;
        long n = samples(rs, i, kind, &s);
        u = n > 0 ? stats_median(s, (size_t)n) : kind == TIMING_BATCH ? x->qps : x->lat_p50_us;
        free(s);
        break;
    }
    return u > 0 ? u : NAN;
}

static void scale(double *v, long n, double unit)
{
    for (long i = 0; i < n; i++)
        v[i] /= unit;
}

/*
 * A time of rows ia of a and ib of b as one item: kind TIMING_BATCH the
 * batch qps, TIMING_SINGLE the single-query p50 (no item when neither side
 * timed latency rounds). With o->reference, both divided by their run's
 * reference_unit and the quantity named "rel_<qty>". Returns the item, or
 * NULL when none was made.
 */
static struct cmp_item *compare_time(const struct result_set *a, size_t ia,
                                     const struct result_set *b, size_t ib, int kind,
                                     const struct compare_opts *o, struct compare_result *r,
                                     const char *point, const char *qty)
{
    double *sa = NULL, *sb = NULL;
    long na = samples(a, ia, kind, &sa), nb = samples(b, ib, kind, &sb);
    double ua = reference_unit(a, &a->rows[ia], kind, o->reference);
    double ub = reference_unit(b, &b->rows[ib], kind, o->reference);
    struct cmp_item *it = NULL;
    char name[40];

    if (kind == TIMING_SINGLE && na <= 0 && nb <= 0)
        goto out;
    snprintf(name, sizeof(name), "%s%s", o->reference ? "rel_" : "", qty);
    it = new_item(r, point, name);
    if (!isfinite(ua) || !isfinite(ub)) {
        it->verdict = CMP_UNDECIDED;
        snprintf(it->note, sizeof(it->note), "no reference point '%s' of this metric and N in "
                 "the %s", o->reference, isfinite(ua) ? "candidate" : "baseline");
    } else if (kind == TIMING_BATCH && (na < 0 || nb < 0 || (na == 0 && nb == 0))) {
        struct result_row x = a->rows[ia], y = b->rows[ib];
        x.qps /= ua, x.qps_lo /= ua, x.qps_hi /= ua;
        y.qps /= ub, y.qps_lo /= ub, y.qps_hi /= ub;
        decide_intervals(o, it, &x, &y);
    } else {
        scale(sa, na, ua);
        scale(sb, nb, ub);
        decide_samples(o, it, sa, na > 0 ? (size_t)na : 0, sb, nb > 0 ? (size_t)nb : 0,
                       kind == TIMING_BATCH);
    }
out:
    free(sa);
    free(sb);
    return it;
}

/* Recall changes below this are rounding, even under --exact. */
#define CMP_EXACT_EPS 1e-12

/* A recall: a drop (rise) beyond max(floor, 2 SE over `trials`). */
static void compare_recall(const struct compare_opts *o, struct compare_result *r,
                           const char *point, const char *qty, double x, double y,
                           double trials)
{
    struct cmp_item *it;

    if (isnan(x) || isnan(y))
        return;
    it = new_item(r, point, qty);
    it->test = CMP_TOLERANCE;
    it->base = x;
    it->cand = y;
    it->tol = o->exact ? 0 : cmp_recall_tol(x, trials, o->recall_tol);
    /* Recall is a mean: summed in another order it moves in the last bits. */
    if (o->exact) {
        if (fabs(y - x) > CMP_EXACT_EPS) {
            it->verdict = CMP_REGRESSION;
            snprintf(it->note, sizeof(it->note), "answer changed (--exact)");
        }
    } else if (y < x - it->tol)
        it->verdict = CMP_REGRESSION;
    else if (y > x + it->tol)
        it->verdict = CMP_IMPROVEMENT;
}

/* A deterministic value that must not grow (index_bytes, RVC's blend
 * error): growth beyond the relative tolerance tol is a regression,
 * shrinking beyond it an improvement; from 0, any growth is a regression.
 * No item when either is unset (negative or NaN). With o->exact, any
 * change is a regression. */
static void compare_growth(const struct compare_opts *o, struct compare_result *r,
                           const char *point, const char *qty, double x, double y, double tol)
{
    struct cmp_item *it;

    if (!(x >= 0) || !(y >= 0) || !isfinite(x) || !isfinite(y))
        return;
    it = new_item(r, point, qty);
    it->base = x;
    it->cand = y;
    if (o->exact) {
        it->test = CMP_EXACT;
        it->verdict = y != x ? CMP_REGRESSION : CMP_UNCHANGED;
        if (y != x)
            snprintf(it->note, sizeof(it->note), "answer changed (--exact)");
        return;
    }
    if (x == 0) {   /* no ratio: any growth counts */
        it->test = CMP_EXACT;
        it->verdict = y > 0 ? CMP_REGRESSION : CMP_UNCHANGED;
        return;
    }
    it->test = CMP_TOLERANCE;
    it->ratio = y / x;
    it->tol = tol;
    if (it->ratio > 1 + tol)
        it->verdict = CMP_REGRESSION;
    else if (it->ratio < 1 - tol)
        it->verdict = CMP_IMPROVEMENT;
}

/* The qualities and sizes of one matched point: recalls at every common k,
 * missing_ids, index_bytes, blend_err_mean when both files have it. */
static void compare_qualities(const struct result_set *a, const struct result_row *x,
                              const struct result_set *b, const struct result_row *y,
                              const struct compare_opts *o, struct compare_result *r,
                              const char *point)
{
    double nq = (double)attr_int(a, "nq");
    struct cmp_item *it;
    char qty[40];

    for (size_t i = 0; i < a->n_ks; i++)
        for (size_t j = 0; j < b->n_ks; j++) {
            if (a->ks[i] != b->ks[j])
                continue;
            snprintf(qty, sizeof(qty), "recall_at_%ld", a->ks[i]);
            compare_recall(o, r, point, qty, x->recall_at[i], y->recall_at[j],
                           nq * (double)a->ks[i]);
            snprintf(qty, sizeof(qty), "recall1_at_%ld", a->ks[i]);
            compare_recall(o, r, point, qty, x->recall1_at[i], y->recall1_at[j], nq);
        }
    if (x->missing_ids >= 0 && y->missing_ids >= 0) {
        it = new_item(r, point, "missing_ids");
        it->test = CMP_EXACT;
        it->base = (double)x->missing_ids;
        it->cand = (double)y->missing_ids;
        it->verdict = y->missing_ids > x->missing_ids   ? CMP_REGRESSION
                      : y->missing_ids < x->missing_ids ? (o->exact ? CMP_REGRESSION
                                                                    : CMP_IMPROVEMENT)
                                                        : CMP_UNCHANGED;
    }
    compare_growth(o, r, point, "index_bytes", (double)x->index_bytes, (double)y->index_bytes,
                   o->size_tol);
    double ex, ey;
    if (!results_value(a, x, "blend_err_mean", &ex) &&
        !results_value(b, y, "blend_err_mean", &ey))
        compare_growth(o, r, point, "blend_err_mean", ex, ey, o->size_tol);
}

/* A setting that is no match key but differs between matched points
 * (train_rows: a smaller training sample at the same nominal settings is
 * what the quality gates are for) is noted once per family. */
static void note_unmatched_settings(struct compare_result *r, const struct result_row *x,
                                    const struct result_row *y)
{
    char *t;

    if (x->train_rows == y->train_rows)
        return;
    t = xasprintf("the runs differ in train_rows of '%s': %" PRId64 " vs %" PRId64
                  " (0 = all rows; not a match key)", x->family, x->train_rows, y->train_rows);
    for (size_t i = 0; i < r->n_notes; i++)
        if (!strcmp(r->notes[i], t)) {
            free(t);
            return;
        }
    add_note(r, t);
}

/* Every point of a: matched in b, or listed as only in a; then b's own. */
static void compare_points(const struct result_set *a, const struct result_set *b,
                           const struct compare_opts *o, struct compare_result *r)
{
    char key[256];

    for (size_t i = 0; i < a->n_rows; i++) {
        const struct result_row *x = &a->rows[i];
        long j = find_point(b, x);
        if (!first_of_kind(a, i))
            continue;
        point_key(x, key, sizeof(key));
        if (j < 0) {
            r->only_base = xrealloc(r->only_base, (r->n_only_base + 1) * sizeof(char *));
            r->only_base[r->n_only_base++] = xstrdup(key);
            continue;
        }
        const struct result_row *y = &b->rows[j];
        note_unmatched_settings(r, x, y);
        if (results_row_ok(x) != results_row_ok(y)) {
            struct cmp_item *it = new_item(r, key, "status");
            it->test = CMP_EXACT;
            it->verdict = results_row_ok(x) ? CMP_REGRESSION : CMP_IMPROVEMENT;
            snprintf(it->note, sizeof(it->note), "'%s' became '%s'", x->status, y->status);
            continue;
        }
        if (!results_row_ok(x))
            continue;
        compare_qualities(a, x, b, y, o, r, key);
        if (o->no_times)
            continue;
        compare_time(a, i, b, (size_t)j, TIMING_BATCH, o, r, key, "qps");
        compare_time(a, i, b, (size_t)j, TIMING_SINGLE, o, r, key, "lat_p50_us");
    }
    for (size_t j = 0; j < b->n_rows; j++) {
        if (!first_of_kind(b, j) || find_point(a, &b->rows[j]) >= 0)
            continue;
        point_key(&b->rows[j], key, sizeof(key));
        r->only_cand = xrealloc(r->only_cand, (r->n_only_cand + 1) * sizeof(char *));
        r->only_cand[r->n_only_cand++] = xstrdup(key);
    }
}

/* The index of k in rs->ks, or -1. */
static long k_index(const struct result_set *rs, long k)
{
    for (size_t i = 0; i < rs->n_ks; i++)
        if (rs->ks[i] == k)
            return (long)i;
    return -1;
}

/* Whether an ok row of rs before row `before` has this family, metric and N. */
static long group_row(const struct result_set *rs, const struct result_row *w, size_t before)
{
    for (size_t i = 0; i < before && i < rs->n_rows; i++) {
        const struct result_row *x = &rs->rows[i];
        if (results_row_ok(x) && !strcmp(x->family, w->family) && !strcmp(x->metric, w->metric) &&
            x->N == w->N)
            return (long)i;
    }
    return -1;
}

/* One front gate: the best qps of family/metric/N at recall@k >= target. */
static void front_gate(const struct result_set *a, const struct result_set *b,
                       const struct result_row *g, long k, double target,
                       const struct compare_opts *o, struct compare_result *r)
{
    size_t ka = (size_t)k_index(a, k), kb = (size_t)k_index(b, k);
    long wa = summary_best(a, g->family, g->metric, g->N, ka, target);
    long wb = summary_best(b, g->family, g->metric, g->N, kb, target);
    char point[256], qty[40], x[128], y[128];
    struct cmp_item *it;

    if (wa < 0 && wb < 0)
        return;
    snprintf(point, sizeof(point), "front %s %s N=%" PRId64 " recall@%ld>=%g", g->family,
             g->metric, g->N, k, target);
    snprintf(qty, sizeof(qty), "best_qps@%g", target);
    if (wa < 0 || wb < 0) {
        it = new_item(r, point, qty);
        it->test = CMP_REACH;
        it->verdict = wa < 0 ? CMP_IMPROVEMENT : CMP_REGRESSION;
        it->base = wa < 0 ? NAN : a->rows[wa].qps;
        it->cand = wb < 0 ? NAN : b->rows[wb].qps;
        snprintf(it->note, sizeof(it->note), "%s reaches recall@%ld >= %g",
                 wa < 0 ? "now" : "no longer", k, target);
        return;
    }
    if (o->no_times)
        return;
    it = compare_time(a, (size_t)wa, b, (size_t)wb, TIMING_BATCH, o, r, point, qty);
    point_key(&a->rows[wa], x, sizeof(x));
    point_key(&b->rows[wb], y, sizeof(y));
    size_t len = strlen(it->note);
    snprintf(it->note + len, sizeof(it->note) - len, "%sbest: %s | %s", len ? "; " : "", x, y);
}

/* The ok row of rs in g's family, metric and N with the best recall at
 * column kidx among those with lat_p50_us <= budget (fastest at ties), or -1. */
static long best_within(const struct result_set *rs, const struct result_row *g, size_t kidx,
                        double budget)
{
    long best = -1;

    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *x = &rs->rows[i], *w = best < 0 ? NULL : &rs->rows[best];
        if (!results_row_ok(x) || strcmp(x->family, g->family) || strcmp(x->metric, g->metric) ||
            x->N != g->N || !(x->lat_p50_us <= budget) || isnan(x->recall_at[kidx]))
            continue;
        if (!w || x->recall_at[kidx] > w->recall_at[kidx] ||
            (x->recall_at[kidx] == w->recall_at[kidx] && x->lat_p50_us < w->lat_p50_us))
            best = (long)i;
    }
    return best;
}

/* One latency-budget gate: the best recall@k of family/metric/N within budget us. */
static void budget_gate(const struct result_set *a, const struct result_set *b,
                        const struct result_row *g, long k, double budget,
                        const struct compare_opts *o, struct compare_result *r)
{
    size_t ka = (size_t)k_index(a, k), kb = (size_t)k_index(b, k);
    long wa = best_within(a, g, ka, budget), wb = best_within(b, g, kb, budget);
    char point[256], qty[40], x[128], y[128];
    struct cmp_item *it;

    if (wa < 0 && wb < 0)
        return;
    snprintf(point, sizeof(point), "front %s %s N=%" PRId64 " lat_p50_us<=%g", g->family,
             g->metric, g->N, budget);
    snprintf(qty, sizeof(qty), "best_recall_at_%ld@%gus", k, budget);
    if (wa < 0 || wb < 0) {
        it = new_item(r, point, qty);
        it->test = CMP_REACH;
        it->verdict = wa < 0 ? CMP_IMPROVEMENT : CMP_REGRESSION;
        it->base = wa < 0 ? NAN : a->rows[wa].recall_at[ka];
        it->cand = wb < 0 ? NAN : b->rows[wb].recall_at[kb];
        snprintf(it->note, sizeof(it->note), "%s a point within %g us",
                 wa < 0 ? "now" : "no longer", budget);
        return;
    }
    compare_recall(o, r, point, qty, a->rows[wa].recall_at[ka], b->rows[wb].recall_at[kb],
                   (double)attr_int(a, "nq") * (double)k);
    it = &r->items[r->n_items - 1];
    point_key(&a->rows[wa], x, sizeof(x));
    point_key(&b->rows[wb], y, sizeof(y));
    size_t len = strlen(it->note);   /* empty: compare_recall writes no note */
    snprintf(it->note + len, sizeof(it->note) - len, "best: %s | %s", x, y);
}

/* Every front gate of the groups present in both sets, at the largest k both have. */
static void compare_fronts(const struct result_set *a, const struct result_set *b,
                           const struct compare_opts *o, struct compare_result *r)
{
    long k = -1;

    for (size_t i = 0; i < a->n_ks; i++)
        if (k_index(b, a->ks[i]) >= 0 && a->ks[i] > k)
            k = a->ks[i];
    if (k < 0)
        return;
    for (size_t i = 0; i < a->n_rows; i++) {
        const struct result_row *g = &a->rows[i];
        if (!results_row_ok(g) || group_row(a, g, i) >= 0 || group_row(b, g, b->n_rows) < 0)
            continue;
        for (size_t t = 0; t < o->n_targets; t++)
            front_gate(a, b, g, k, o->targets[t], o, r);
        for (size_t t = 0; t < o->n_budgets && !o->no_times; t++)
            budget_gate(a, b, g, k, o->budgets[t], o, r);
    }
}

int compare_sets(const struct result_set *a, const struct result_set *b, const char *pa,
                 const char *pb, const struct compare_opts *o, struct compare_result *out)
{
    double *s = NULL;

    memset(out, 0, sizeof(*out));
    out->base_path = pa;
    out->cand_path = pb;
    if (front_door(a, b, pa, pb, o, out)) {
        compare_result_release(out);
        return -1;
    }
    for (int side = 0; side < 2; side++) {
        const struct result_set *rs = side ? b : a;
        if (rs->n_rows && samples(rs, 0, TIMING_BATCH, &s) < 0)
            add_note(out, xasprintf("'%s' has no raw timings: qps compared by its intervals "
                                    "and the noise floor, lat_p50_us not compared",
                                    side ? pb : pa));
        free(s);
        s = NULL;
    }
    if (o->no_times)
        add_note(out, xstrdup("times not compared (--no-times): qualities, sizes and the "
                              "fronts' reach only"));
    if (o->exact)
        add_note(out, xstrdup("--exact: any change of a quality or size is a regression"));
    if (o->reference)
        add_note(out, xasprintf("cross-machine mode: times divided by those of the point '%s' "
                                "of the same run, metric and N (items rel_*)", o->reference));
    compare_points(a, b, o, out);
    if (o->exact && (out->n_only_base || out->n_only_cand)) {
        struct cmp_item *it = new_item(out, "the grid", "points");
        it->test = CMP_EXACT;
        it->verdict = CMP_REGRESSION;
        it->base = (double)out->n_only_base;
        it->cand = (double)out->n_only_cand;
        snprintf(it->note, sizeof(it->note), "%zu points only in the baseline, %zu only in "
                 "the candidate (--exact)", out->n_only_base, out->n_only_cand);
    }
    compare_fronts(a, b, o, out);
    for (size_t i = 0; i < out->n_items; i++)
        out->counts[out->items[i].verdict]++;
    return 0;
}

void compare_result_release(struct compare_result *r)
{
    for (size_t i = 0; i < r->n_only_base; i++)
        free(r->only_base[i]);
    for (size_t i = 0; i < r->n_only_cand; i++)
        free(r->only_cand[i]);
    for (size_t i = 0; i < r->n_notes; i++)
        free(r->notes[i]);
    free(r->only_base);
    free(r->only_cand);
    free(r->notes);
    free(r->items);
    memset(r, 0, sizeof(*r));
}
