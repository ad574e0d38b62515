/*
 * test_summary.c - the summary table on hand-made result sets: the fastest
 * ok row meeting each recall target, "-" when none, one group per family
 * (and per metric and N when the ok rows have several), and the row counts.
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

/* What summary_print writes (caller frees). */
static char *printed(const struct result_set *rs)
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
    assert_non_null(strstr(text, "noisy: 1 of 3 ok points (qps or p50 spread above "
                                 "measure.noisy_cv), 1 with too few samples to judge\n"));
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_best),
        cmocka_unit_test(test_print_one_metric),
        cmocka_unit_test(test_print_metrics_and_sizes),
        cmocka_unit_test(test_several_counts_ok_rows),
        cmocka_unit_test(test_print_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
