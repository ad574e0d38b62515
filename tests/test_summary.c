/*
 * test_summary.c - the summary table on hand-made result sets: the fastest
 * ok row meeting each recall target, "-" when none, one group per family
 * (and per metric and N when the ok rows have several), and the row counts;
 * the qps 95% column, its within-noise marks and footnotes, and the cost line.
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

#include "out/results.h"
#include "out/summary.h"
#include "lib/util.h"

/* A row of family fam at (metric, N): recall@10 `recall`, batch qps. */
static void row(struct result_set *rs, const char *fam, const char *factory, const char *metric,
                long N, long nprobe, double recall, double qps, const char *status)
{
    struct result_row r;
    memset(&r, 0, sizeof(r));
    snprintf(r.family, sizeof(r.family), "%s", fam);
    snprintf(r.factory, sizeof(r.factory), "%s", factory);
    snprintf(r.metric, sizeof(r.metric), "%s", metric);
    snprintf(r.status, sizeof(r.status), "%s", status);
    r.N = N;
    r.nprobe = nprobe;
    r.qps = qps;
    r.lat_p50_us = 1e6 / qps;
    r.index_bytes = 1024 * 1024;
    r.recall_at[0] = recall / 2;     /* k = 1: not the column that counts */
    r.recall_at[1] = recall;         /* k = 10, the largest */
    results_add_row(rs, &r);
}

static void set_init(struct result_set *rs)
{
    memset(rs, 0, sizeof(*rs));
    rs->ks[0] = 1;
    rs->ks[1] = 10;
    rs->n_ks = 2;
}

/* What summary_print writes (caller frees). Not inlined: GCC 12 would take
 * the text for a pointer to the local `text` (-Wdangling-pointer). */
static __attribute__((noinline)) char *printed(const struct result_set *rs)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    summary_print(f, rs);
    fclose(f);
    return text;
}

/* The line of text starting with `start` (a static copy), or NULL. */
static const char *line_of(const char *text, const char *start)
{
    static char line[512];
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (!strncmp(p, start, strlen(start))) {
            size_t n = strcspn(p, "\n");
            snprintf(line, sizeof(line), "%.*s", (int)n, p);
            return line;
        }
    }
    return NULL;
}

/* The i-th line (0-based) after the one starting with `start` (a static
 * copy), or "" when there is none. */
static const char *line_after(const char *text, const char *start, int i)
{
    static char line[512];
    const char *p = strstr(text, start);
    for (int k = 0; p && k < i; k++)
        p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
    snprintf(line, sizeof(line), "%.*s", p ? (int)strcspn(p, "\n") : 0, p ? p : "");
    return line;
}

static void test_best(void **state)
{
    struct result_set rs;
    (void)state;
    set_init(&rs);
    row(&rs, "IVF", "IVF64,Flat", "l2", 1000, 1, 0.80, 9000, "ok");          /* 0 */
    row(&rs, "IVF", "IVF64,Flat", "l2", 1000, 4, 0.93, 5000, "ok");          /* 1 */
    row(&rs, "IVF", "IVF64,Flat", "l2", 1000, 8, 0.96, 5000, "ok");          /* 2: tie, more recall */
    row(&rs, "IVF", "IVF64,Flat", "l2", 1000, 16, 0.999, 1e9, "failed: x");  /* 3: not ok */
    row(&rs, "IVF", "IVF64,Flat", "l2", 1000, 32, NAN, 1e9, "ok");           /* 4: no recall */
    row(&rs, "HNSW", "HNSW32", "cosine", 2000, 0, 0.995, 3000, "ok");        /* 5 */

    /* the fastest row meeting the target; at equal qps the higher recall */
    assert_int_equal(summary_best(&rs, "IVF", NULL, 0, 1, 0.90), 2);
    assert_int_equal(summary_best(&rs, "IVF", NULL, 0, 1, 0.50), 0);
    /* none: -1 (the failed and NaN rows do not count) */
    assert_int_equal(summary_best(&rs, "IVF", NULL, 0, 1, 0.99), -1);
    /* "" = any family; metric and N narrow */
    assert_int_equal(summary_best(&rs, "", NULL, 0, 1, 0.99), 5);
    assert_int_equal(summary_best(&rs, "", "l2", 0, 1, 0.99), -1);
    assert_int_equal(summary_best(&rs, "", "cosine", 2000, 1, 0.99), 5);
    assert_int_equal(summary_best(&rs, "", NULL, 1000, 1, 0.90), 2);
    assert_int_equal(summary_best(&rs, "", NULL, 3000, 1, 0.10), -1);
    /* recall at k = 1 (index 0) halves every recall here */
    assert_int_equal(summary_best(&rs, "IVF", NULL, 0, 0, 0.45), 2);
    results_release(&rs);
}

static void test_print_one_metric(void **state)
{
    struct result_set rs;
    (void)state;
    set_init(&rs);
    row(&rs, "IVF", "IVF64,Flat", "l2", 1000, 4, 0.93, 5000, "ok");
    row(&rs, "IVF", "IVF256,Flat", "l2", 1000, 16, 0.995, 1500, "ok");
    row(&rs, "PQ", "IVF64,PQ8", "l2", 1000, 4, 0.70, 20000, "ok");
    row(&rs, "PQ", "IVF64,PQ8", "l2", 1000, 4, 0.99, 1e9, "skipped: too big");
    row(&rs, "HNSW", "HNSW32", "l2", 1000, 0, 1.0, 1e9, "failed: build");
    rs.rows[0].noisy = 1;
    rs.rows[2].noisy = -1;      /* one repetition: not judged */
    rs.rows[3].noisy = 1;       /* not ok: not counted */
    char *text = printed(&rs);

    assert_non_null(strstr(text, "fastest point reaching each recall@10 target"));
    assert_non_null(strstr(text, "rows: 3 ok, 1 skipped, 1 failed\n"));
    assert_non_null(strstr(text, "noisy: 1 of 3 ok points (qps interval or p50 spread beyond "
                                 "measure.noisy), 1 with too few samples to judge\n"));
    assert_null(strstr(text, "[l2]"));            /* one metric: not named */
    assert_null(strstr(text, "N="));              /* one size: not named */
    /* IVF: 0.90 by IVF64 (0.93 at 5000 qps); 0.95 and 0.99 only by IVF256 */
    const char *l = line_of(text, "IVF ");
    assert_non_null(l);
    assert_non_null(strstr(l, "0.90  IVF64,Flat"));
    assert_non_null(strstr(l, "5000.0"));
    assert_non_null(strstr(line_after(text, "IVF  ", 1), "0.95  IVF256,Flat"));
    assert_non_null(strstr(line_after(text, "IVF  ", 2), "0.99  IVF256,Flat"));
    /* PQ reaches no target: "-" each time (the skipped row does not count) */
    assert_non_null(strstr(line_of(text, "PQ "), "0.90  -"));
    assert_non_null(strstr(line_after(text, "PQ  ", 1), "0.95  -"));
    assert_non_null(strstr(line_after(text, "PQ  ", 2), "0.99  -"));
    /* a family with failed rows only is listed, with "-" */
    assert_non_null(strstr(line_of(text, "HNSW "), "0.90  -"));
    free(text);
    results_release(&rs);
}

static void test_print_metrics_and_sizes(void **state)
{
    struct result_set rs;
    (void)state;
    set_init(&rs);
    row(&rs, "IVF", "IVF64,Flat", "l2", 1000, 4, 0.93, 5000, "ok");
    row(&rs, "IVF", "IVF64,Flat", "cosine", 1000, 2, 0.91, 7000, "ok");
    row(&rs, "IVF", "IVF128,Flat", "l2", 2000, 8, 0.92, 3000, "ok");
    assert_true(summary_several_metrics(&rs));
    assert_true(summary_several_sizes(&rs));
    char *text = printed(&rs);
    /* one group per (family, metric, N), each with its own best */
    assert_non_null(strstr(line_of(text, "IVF [l2] N=1000 "), "IVF64,Flat"));
    assert_non_null(strstr(line_of(text, "IVF [l2] N=1000 "), "5000.0"));
    assert_non_null(strstr(line_of(text, "IVF [cosine] N=1000 "), "7000.0"));
    assert_non_null(strstr(line_of(text, "IVF [l2] N=2000 "), "IVF128,Flat"));
    assert_null(line_of(text, "IVF [cosine] N=2000"));
    free(text);
    results_release(&rs);
}

/* Rows that are not ok are in no group's answer: their metric or N does not
 * split the groups either (as in the plots). */
static void test_several_counts_ok_rows(void **state)
{
    struct result_set rs;
    (void)state;
    set_init(&rs);
    row(&rs, "IVF", "IVF64,Flat", "l2", 1000, 4, 0.93, 5000, "ok");
    row(&rs, "IVF", "IVF64,Flat", "ip", 5, 4, 0.93, 5000, "failed: search");
    assert_false(summary_several_metrics(&rs));
    assert_false(summary_several_sizes(&rs));
    char *text = printed(&rs);
    assert_null(strstr(text, "[l2]"));
    assert_null(strstr(text, "N="));
    assert_non_null(strstr(line_of(text, "IVF "), "IVF64,Flat"));
    free(text);
    results_release(&rs);
}

static void test_print_empty(void **state)
{
    struct result_set rs;
    (void)state;
    memset(&rs, 0, sizeof(rs));
    char *text = printed(&rs);
    assert_non_null(strstr(text, "no results\n"));
    assert_non_null(strstr(text, "rows: 0 ok, 0 skipped, 0 failed"));
    assert_false(summary_several_metrics(&rs));
    assert_false(summary_several_sizes(&rs));
    free(text);
}

/* Rows of a hand-made set get an interval: row i's qps 95% is [lo, hi]. */
static void interval(struct result_set *rs, size_t i, double lo, double hi)
{
    rs->rows[i].qps_lo = lo;
    rs->rows[i].qps_hi = hi;
}

static void test_compact(void **state)
{
    static const struct { double v; const char *s; } cases[] = {
        { 0, "0.00" }, { 0.5, "0.50" }, { 9.5, "9.50" }, { 9.996, "10.0" }, { 99.96, "100" },
        { 950, "950" }, { 999.4, "999" }, { 999.6, "1.00k" }, { 5000, "5.00k" },
        { 12345, "12.3k" }, { 123456, "123k" }, { 1.5e6, "1.50M" }, { 2.5e9, "2.50G" },
        { 4e12, "4000G" }, { NAN, "-" }, { INFINITY, "-" },
    };
    char buf[16];
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        summary_compact(buf, sizeof(buf), cases[i].v);
        assert_string_equal(buf, cases[i].s);
    }
    assert_false(summary_has_interval(&(struct result_row){ .qps_lo = 0, .qps_hi = 0 }));
    assert_false(summary_has_interval(&(struct result_row){ .qps_lo = NAN, .qps_hi = 5 }));
    assert_false(summary_has_interval(&(struct result_row){ .qps_lo = 6, .qps_hi = 5 }));
    assert_true(summary_has_interval(&(struct result_row){ .qps_lo = 5, .qps_hi = 5 }));
}

/* The set of the interval tests: IVF wins 0.90 with row 0, tied with row 1
 * only; wins 0.95 with row 2, tied with row 3; 0.99 with row 3 alone. */
static void interval_set(struct result_set *rs)
{
    set_init(rs);
    row(rs, "IVF", "IVF64,Flat", "l2", 1000, 4, 0.93, 5000, "ok");        /* 0 */
    row(rs, "IVF", "IVF256,Flat", "l2", 1000, 2, 0.91, 4950, "ok");       /* 1: overlaps 0 */
    row(rs, "IVF", "IVF64,Flat", "l2", 1000, 8, 0.96, 3000, "ok");        /* 2 */
    row(rs, "IVF", "IVF64,Flat", "l2", 1000, 16, 0.99, 2950, "ok");       /* 3: overlaps 2 */
    row(rs, "IVF", "IVF256,Flat", "l2", 1000, 1, 0.80, 5100, "ok");       /* 4: below 0.90 */
    row(rs, "IVF", "IVF64,Flat", "l2", 1000, 32, 0.999, 4990, "failed: x"); /* 5: not ok */
    row(rs, "HNSW", "HNSW32", "l2", 1000, 0, 0.95, 5000, "ok");           /* 6: other family */
    row(rs, "IVF", "IVF256,Flat", "l2", 1000, 3, 0.92, 4999, "ok");       /* 7: no interval */
    interval(rs, 0, 4900, 5200);
    interval(rs, 1, 4800, 5050);
    interval(rs, 2, 2900, 3100);
    interval(rs, 3, 2800, 3050);
    interval(rs, 4, 5000, 5300);
    interval(rs, 5, 4900, 5100);
    interval(rs, 6, 4900, 5100);
    interval(rs, 7, NAN, NAN);
}

static void test_within_noise(void **state)
{
    struct result_set rs;
    size_t out[4] = { 99, 99, 99, 99 };
    (void)state;
    interval_set(&rs);
    assert_int_equal(summary_within_noise(&rs, 0, "IVF", NULL, 0, 1, 0.90, out, 4), 1);
    assert_int_equal(out[0], 1);
    assert_int_equal(summary_within_noise(&rs, 2, "IVF", NULL, 0, 1, 0.95, out, 4), 1);
    assert_int_equal(out[0], 3);
    assert_int_equal(summary_within_noise(&rs, 3, "IVF", NULL, 0, 1, 0.99, out, 4), 0);
    assert_int_equal(summary_within_noise(&rs, -1, "IVF", NULL, 0, 1, 0.99, out, 4), 0);
    /* the winner without an interval: nothing can be said */
    assert_int_equal(summary_within_noise(&rs, 7, "IVF", NULL, 0, 1, 0.90, out, 4), 0);
    /* any family: row 6 (HNSW) overlaps row 0 too */
    assert_int_equal(summary_within_noise(&rs, 0, "", NULL, 0, 1, 0.90, out, 4), 2);
    results_release(&rs);

    /* more ties than room: the fastest, in qps order, and the full count */
    set_init(&rs);
    row(&rs, "F", "F1", "l2", 10, 1, 0.95, 100, "ok");
    row(&rs, "F", "F2", "l2", 10, 2, 0.95, 95, "ok");
    row(&rs, "F", "F3", "l2", 10, 3, 0.95, 99, "ok");
    row(&rs, "F", "F4", "l2", 10, 4, 0.95, 97, "ok");
    row(&rs, "F", "F5", "l2", 10, 5, 0.95, 92, "ok");
    interval(&rs, 0, 90, 110);
    for (size_t i = 1; i < 5; i++)
        interval(&rs, i, 85, 105);
    assert_int_equal(summary_within_noise(&rs, 0, "F", NULL, 0, 1, 0.90, out, 2), 4);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 3);
    assert_int_equal(summary_within_noise(&rs, 0, "F", NULL, 0, 1, 0.90, out, 0), 4);
    char *text = printed(&rs);
    assert_non_null(strstr(text, "\n~1 F1 nprobe 1 within noise of F3 nprobe 3 (85.0-105), "
                                 "F4 nprobe 4 (85.0-105), F2 nprobe 2 (85.0-105) and 1 more\n"));
    free(text);
    results_release(&rs);
}

static void test_print_intervals(void **state)
{
    struct result_set rs;
    (void)state;
    interval_set(&rs);
    char *text = printed(&rs);
    const char *h = line_of(text, "family");
    assert_non_null(h);
    assert_string_equal(h, "family  target  factory      nprobe k_factor  recall@10          qps"
                           "  qps 95%           p50_us  index_MiB");
    size_t col = (size_t)(strstr(h, "qps 95%") - h);
    /* the winner of 0.90 is marked ~1, of 0.95 ~2; 0.99 has no mark */
    const char *l = line_of(text, "IVF ");
    assert_non_null(strstr(l, "0.90  IVF64,Flat"));
    assert_int_equal(strstr(l, "4.90k-5.20k ~1") - l, (long)col);
    l = line_after(text, "IVF  ", 1);
    assert_int_equal(strstr(l, "2.90k-3.10k ~2") - l, (long)col);
    l = line_after(text, "IVF  ", 2);
    assert_int_equal(strstr(l, "2.80k-3.05k ") - l, (long)col);
    assert_null(strstr(l, "~"));
    /* the columns after it stay aligned: p50 ends where its header does */
    size_t end = strlen(h) - strlen("  index_MiB");
    assert_int_equal(strlen(line_of(text, "HNSW ")), strlen(h));
    assert_memory_equal(line_of(text, "HNSW ") + end - 5, "200.0", 5);
    assert_null(strstr(line_of(text, "HNSW "), "~"));
    /* the footnotes: what the tool cannot tell apart, and nothing else */
    assert_non_null(strstr(text, "\n\n~n: qps 95% intervals overlap: speed cannot tell these "
                                 "points apart\n"
                                 "~1 IVF64,Flat nprobe 4 within noise of IVF256,Flat nprobe 2 "
                                 "(4.80k-5.05k)\n"
                                 "~2 IVF64,Flat nprobe 8 within noise of IVF64,Flat nprobe 16 "
                                 "(2.80k-3.05k)\n\nrows: "));
    assert_null(strstr(text, "~3"));
    free(text);
    results_release(&rs);
}

/* Without intervals (older files read NaN, hand-made rows 0): no column,
 * no marks, the table as before. */
static void test_print_without_intervals(void **state)
{
    struct result_set rs;
    (void)state;
    interval_set(&rs);
    for (size_t i = 0; i < rs.n_rows; i++)
        interval(&rs, i, NAN, NAN);
    char *text = printed(&rs);
    assert_string_equal(line_of(text, "family"), "family  target  factory      nprobe k_factor"
                                                 "  recall@10          qps    p50_us  index_MiB");
    assert_string_equal(line_of(text, "IVF "), "IVF       0.90  IVF64,Flat        4        0"
                                               "     0.9300       5000.0     200.0       1.00");
    assert_null(strstr(text, "~"));
    assert_null(strstr(text, "95%"));
    assert_null(strstr(text, "cost:"));
    free(text);
    results_release(&rs);
}

static void test_cost(void **state)
{
    struct result_set rs;
    (void)state;
    set_init(&rs);
    row(&rs, "IVF", "IVF64,Flat", "l2", 1000, 4, 0.93, 5000, "ok");
    results_attr_float(&rs, "cost_fancy_step_s", 3);        /* unknown: after the known */
    results_attr_float(&rs, "cost_train_s", 57.14);
    results_attr_float(&rs, "cost_load_s", 1.2);
    results_attr_int(&rs, "cost_other_s", 2);
    results_attr_float(&rs, "cost_groundtruth_s", 7.5);
    results_attr_str(&rs, "cost_add_s", "12");               /* not a number */
    results_attr_float(&rs, "cost_size_s", NAN);             /* no value */
    results_attr_float(&rs, "cost_s", 1);                    /* no phase */
    results_attr_float(&rs, "cost_write", 1);                /* not seconds */
    results_attr_float(&rs, "wall_s", 369.44);
    char *text = printed(&rs);
    assert_non_null(strstr(text, "\nnoisy: "));
    assert_non_null(strstr(text, "measure.noisy)\ncost: load 1.2 s, ground truth 7.5 s, train 57.1 s, "
                                 "other 2.0 s, fancy step 3.0 s of wall 369.4 s\n"));
    free(text);

    /* every phase, with three-digit seconds: two lines within 100 columns */
    results_attr_del(&rs, "cost_fancy_step_s");
    static const char *const all[] = { "load", "groundtruth", "prepare", "train", "add", "size",
                                       "timed_search", "untimed_search", "write", "other" };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        char name[64];
        snprintf(name, sizeof(name), "cost_%s_s", all[i]);
        results_attr_float(&rs, name, 100.0 + (double)i);
    }
    char *every = printed(&rs);
    const char *c = strstr(every, "cost: ");
    assert_non_null(c);
    assert_true(strcspn(c, "\n") <= 100);
    assert_true(strcspn(strchr(c, '\n') + 1, "\n") <= 100);
    assert_string_equal(c, "cost: load 100.0 s, ground truth 101.0 s, prepare 102.0 s, train 103.0 s, "
                           "add 104.0 s, size 105.0 s,\n      timed search 106.0 s, untimed search "
                           "107.0 s, write 108.0 s, other 109.0 s of wall 369.4 s\n");
    free(every);

    /* no wall time: the phases alone */
    results_attr_del(&rs, "wall_s");
    text = printed(&rs);
    assert_non_null(strstr(text, "other 109.0 s\n"));
    free(text);
    results_release(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_best),
        cmocka_unit_test(test_print_one_metric),
        cmocka_unit_test(test_print_metrics_and_sizes),
        cmocka_unit_test(test_several_counts_ok_rows),
        cmocka_unit_test(test_print_empty),
        cmocka_unit_test(test_compact),
        cmocka_unit_test(test_within_noise),
        cmocka_unit_test(test_print_intervals),
        cmocka_unit_test(test_print_without_intervals),
        cmocka_unit_test(test_cost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
