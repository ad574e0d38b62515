/*
 * test_history.c - `faiss-sweep history` on hand-made results files
 * (written with results_write): the runs' order by start time, each run's
 * winner per family and target, the step rule (a real step, a noisy change
 * whose intervals overlap, a change beyond tight intervals under the 10%
 * floor, a run without intervals), the table, the plot and the exit codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "out/history.h"
#include "lib/util.h"
#include "testutil.h"

static void add_row(struct result_set *rs, const char *family, const char *factory,
                    long nprobe, double recall, double qps, double spread, int64_t bytes)
{
    struct result_row r;
    results_row_init(rs, &r);
    snprintf(r.family, sizeof(r.family), "%s", family);
    snprintf(r.factory, sizeof(r.factory), "%s", factory);
    snprintf(r.metric, sizeof(r.metric), "l2");
    snprintf(r.status, sizeof(r.status), "ok");
    r.N = 1000;
    r.nprobe = nprobe;
    r.k_factor = 0;
    for (size_t k = 0; k < rs->n_ks; k++)
        r.recall_at[k] = r.recall1_at[k] = recall;
    r.index_bytes = bytes;
    r.qps = qps;
    /* spread < 0: no interval, as in files before schema 4 */
    r.qps_lo = spread < 0 ? NAN : (1 - spread) * qps;
    r.qps_hi = spread < 0 ? NAN : (1 + spread) * qps;
    results_add_row(rs, &r);
}

/* A run at `start` whose IVF point for 0.90 has qps q4 +-s4, its points
 * for 0.95 and 0.99 qps q4/2 and q16 (+-1%), and a Flat point. ks 10 (and
 * 100 when wide): the history works at k 10, the largest all share. */
static void write_run(const char *name, const char *start, const char *commit, double q4,
                      double s4, double q16, int wide)
{
    struct result_set rs;
    long ks[] = { 10, 100 };
    double s = s4 < 0 ? -1 : 0.01;
    results_init(&rs, ks, wide ? 2 : 1);
    if (start)
        results_attr_str(&rs, "start_time", start);
    results_attr_str(&rs, "git_commit", commit);
    results_attr_str(&rs, "faiss_version", "1.7.3");
    results_attr_str(&rs, "config_text", "name: history\n");
    add_row(&rs, "IVF{nlist},Flat", "IVF64,Flat", 1, 0.80, 4 * q4, s, 1 << 20);
    add_row(&rs, "IVF{nlist},Flat", "IVF64,Flat", 4, 0.93, q4, s4, 1 << 20);
    add_row(&rs, "IVF{nlist},Flat", "IVF64,Flat", 8, 0.96, q4 / 2, s, 1 << 20);
    add_row(&rs, "IVF{nlist},Flat", "IVF64,Flat", 16, 0.995, q16, s, 1 << 20);
    add_row(&rs, "Flat", "Flat", 0, 1.0, 500, s, 4 << 20);
    assert_int_equal(results_write(&rs, tmp(name)), 0);
    results_release(&rs);
}

/* Given in the order a b c d; by start time: b (10000), d (10500 +-8%:
 * overlaps, no step), a (13000 +-2%: the step; q16 +5% beyond +-1%
 * intervals, under the floor), c (no intervals). */
static void write_runs(void)
{
    write_run("a.h5", "2026-01-03T00:00:00Z", "cccc", 13000, 0.02, 1050, 1);
    write_run("b.h5", "2026-01-01T00:00:00Z", "aaaa", 10000, 0.02, 1000, 0);
    write_run("c.h5", "2026-01-04T00:00:00Z", "dddd", 13100, -1, 1050, 1);
    write_run("d.h5", "2026-01-02T00:00:00Z", "bbbb", 10500, 0.08, 1000, 0);
}

static void load(struct history *h)
{
    const char *paths[] = { tmp("a.h5"), tmp("b.h5"), tmp("c.h5"), tmp("d.h5") };
    assert_int_equal(history_load(h, paths, 4), 0);
}

static void test_order_winners_steps(void **state)
{
    struct history h;
    static const char *const commits[] = { "aaaa", "bbbb", "cccc", "dddd" };
    (void)state;
    write_runs();
    load(&h);
    assert_int_equal(h.n_runs, 4);
    assert_int_equal(h.k, 10);
    for (size_t r = 0; r < 4; r++)
        assert_string_equal(h.runs[r].commit, commits[r]);
    assert_int_equal(h.runs[2].kidx, 0);
    /* IVF at 0.90, 0.95, 0.99, then Flat's three. */
    assert_int_equal(h.n_series, 6);
    assert_string_equal(h.series[0].family, "IVF{nlist},Flat");
    assert_true(h.series[1].target == 0.95);
    assert_string_equal(h.series[3].family, "Flat");
    const struct history_point *p = h.series[0].pts;
    for (size_t r = 0; r < 4; r++)
        assert_int_equal(p[r].row, 1);     /* nprobe 4 */
    assert_int_equal(h.series[1].pts[0].row, 2);   /* nprobe 8 */
    assert_int_equal(h.series[2].pts[0].row, 3);   /* nprobe 16 */
    assert_true(h.runs[2].rs.rows[p[2].row].qps == 13000);
    /* The step on the third run only; the fourth has no interval. */
    assert_false(p[0].step);
    assert_false(p[1].step);
    assert_false(p[1].undecided);
    assert_true(p[2].step);
    assert_false(p[3].step);
    assert_true(p[3].undecided);
    assert_false(p[3].interval);
    /* 0.95 moves with it (13000/2 against 10500/2 +-1%); 0.99 moves 5%
     * beyond +-1% intervals: under the floor; Flat does not move. */
    assert_true(h.series[1].pts[2].step);
    for (size_t s = 2; s < 6; s++)
        for (size_t r = 0; r < 4; r++)
            assert_false(h.series[s].pts[r].step);
    history_release(&h);
}

/* What history_print writes (caller frees). */
static __attribute__((noinline)) char *printed(const struct history *h)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    history_print(f, h);
    fclose(f);
    return text;
}

/* The line of run r in the block headed by `head`. */
static void line_of(const char *text, const char *head, int r, char *out, size_t size)
{
    const char *p = strstr(text, head);
    char want[32];
    assert_non_null(p);
    snprintf(want, sizeof(want), "\n  %3d  ", r);
    p = strstr(p, want);
    assert_non_null(p);
    p++;
    const char *e = strchr(p, '\n');
    snprintf(out, size, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
}

static void test_table(void **state)
{
    struct history h;
    char line[256];
    (void)state;
    write_runs();
    load(&h);
    char *text = printed(&h);
    const char *head = "IVF{nlist},Flat [l2] N=1000, recall@10 >= 0.90";
    line_of(text, head, 0, line, sizeof(line));
    assert_has(line, "2026-01-01T00:00:00Z aaaa");
    assert_has(line, "10.0k [9.80k-10.2k] IVF64,Flat");
    assert_has(line, "0.9300");
    assert_has(line, "1.05M");
    assert_null(strstr(line, "step"));
    line_of(text, head, 1, line, sizeof(line));
    assert_null(strstr(line, "step"));
    line_of(text, head, 2, line, sizeof(line));
    assert_has(line, "cccc");
    assert_has(line, "  step");
    line_of(text, head, 3, line, sizeof(line));
    assert_has(line, "[-]");
    assert_has(line, "no interval");
    line_of(text, "Flat [l2] N=1000, recall@10 >= 0.99", 3, line, sizeof(line));
    assert_has(line, "Flat");
    assert_has(text, "4 runs, recall@10");
    free(text);
    history_release(&h);
}

static void test_errors(void **state)
{
    struct history h;
    const char *missing[] = { tmp("b.h5"), tmp("nope.h5") };
    (void)state;
    write_runs();
    capture_start();
    int rc = history_load(&h, missing, 2);
    const char *msg = capture_end();
    assert_int_equal(rc, -1);
    assert_has(msg, "nope.h5");
    /* No k in common. */
    struct result_set rs;
    long k1[] = { 1 };
    results_init(&rs, k1, 1);
    add_row(&rs, "Flat", "Flat", 0, 1.0, 500, 0.01, 100);
    assert_int_equal(results_write(&rs, tmp("k1.h5")), 0);
    results_release(&rs);
    const char *other[] = { tmp("b.h5"), tmp("k1.h5") };
    assert_fails(history_load(&h, other, 2), "no recall@k shared", "b.h5");
    /* one run given twice (issue 13, item 14): the same file, or a copy */
    const char *twice[] = { tmp("b.h5"), tmp("a.h5"), tmp("b.h5") };
    assert_fails(history_load(&h, twice, 3), "are the same run", "b.h5");
    char *cmd = xasprintf("cp '%s' '%s'", tmp("b.h5"), tmp("b-copy.h5"));
    assert_int_equal(system(cmd), 0);
    free(cmd);
    const char *copy[] = { tmp("b.h5"), tmp("b-copy.h5") };
    assert_fails(history_load(&h, copy, 2), "b-copy.h5' are the same run", "give each run once");
}

static int run_binary(const char *words)
{
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "%s history %s >/dev/null 2>&1", FS_BINARY, words);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_binary(void **state)
{
    char w[1024];
    struct stat st;
    (void)state;
    write_runs();
    snprintf(w, sizeof(w), "%s %s %s", tmp("a.h5"), tmp("b.h5"), tmp("c.h5"));
    assert_int_equal(run_binary(w), 0);
    snprintf(w, sizeof(w), "%s %s", tmp("a.h5"), tmp("missing.h5"));
    assert_int_equal(run_binary(w), 2);
    assert_int_equal(run_binary(""), 2);
    snprintf(w, sizeof(w), "%s %s %s %s -o %s", tmp("a.h5"), tmp("b.h5"), tmp("c.h5"),
             tmp("d.h5"), tmp("plots"));
    assert_int_equal(run_binary(w), 0);
    assert_int_equal(stat(tmp("plots/history-qps.png"), &st), 0);
    assert_true(st.st_size > 0);
    assert_int_equal(stat(tmp("plots/history-qps.svg"), &st), 0);
    assert_true(st.st_size > 0);
    assert_int_equal(stat(tmp("plots/history-qps.dat"), &st), 0);
    assert_int_equal(stat(tmp("plots/history-recall.png"), &st), 0);
    assert_true(st.st_size > 0);
    assert_int_equal(stat(tmp("plots/history-size.svg"), &st), 0);
    assert_true(st.st_size > 0);
}

/* A run whose best IVF point reaches `best` and whose IVF index has
 * `bytes`; 1,000 queries at k 10. */
static void write_q(const char *name, const char *start, double best, int64_t bytes)
{
    struct result_set rs;
    long ks[] = { 10 };
    results_init(&rs, ks, 1);
    results_attr_str(&rs, "start_time", start);
    results_attr_str(&rs, "git_commit", name);
    results_attr_str(&rs, "config_text", "name: history\n");
    results_attr_int(&rs, "nq", 1000);
    add_row(&rs, "IVF{nlist},Flat", "IVF64,Flat", 4, 0.93, 1000, 0.01, bytes);
    add_row(&rs, "IVF{nlist},Flat", "IVF64,Flat", 16, best, 500, 0.01, bytes);
    add_row(&rs, "Flat", "Flat", 0, 1.0, 100, 0.01, 4 << 20);
    assert_int_equal(results_write(&rs, tmp(name)), 0);
    results_release(&rs);
}

/* Recall and size series: a 0.002 drop is within max(0.005, 2 SE), a 0.023
 * one a step; 0.5% growth is within 1%, 10% a step; Flat never moves. */
static void test_recall_size_steps(void **state)
{
    const char *paths[] = { tmp("q0.h5"), tmp("q1.h5"), tmp("q2.h5"), tmp("q3.h5") };
    const struct history_value_series *rec = NULL, *size = NULL;
    struct history h;
    char *text;
    (void)state;
    write_q("q0.h5", "2026-02-01T00:00:00Z", 0.995, 1000000);
    write_q("q1.h5", "2026-02-02T00:00:00Z", 0.993, 1005000);
    write_q("q2.h5", "2026-02-03T00:00:00Z", 0.970, 1105500);
    write_q("q3.h5", "2026-02-04T00:00:00Z", 0.970, 1105500);
    assert_int_equal(history_load(&h, paths, 4), 0);
    /* recall per family (IVF, Flat), size per build (IVF64, Flat) */
    assert_int_equal(h.n_values, 4);
    for (size_t i = 0; i < h.n_values; i++) {
        const struct history_value_series *v = &h.values[i];
        if (!strcmp(v->family, "Flat")) {
            for (size_t r = 0; r < 4; r++)
                assert_false(v->step[r]);
            continue;
        }
        if (v->kind == HISTORY_RECALL)
            rec = v;
        else
            size = v;
    }
    assert_non_null(rec);
    assert_non_null(size);
    assert_string_equal(size->factory, "IVF64,Flat");
    assert_true(rec->v[0] == 0.995 && rec->v[2] == 0.970);
    assert_false(rec->step[1]);
    assert_true(rec->step[2]);
    assert_false(rec->step[3]);
    assert_true(size->v[1] == 1005000);
    assert_false(size->step[1]);
    assert_true(size->step[2]);
    assert_false(size->step[3]);
    text = printed(&h);
    assert_has(text, "best recall@10 reached per family");
    assert_has(text, "0.9700  step");
    assert_has(text, "1105500  step");
    free(text);
    history_release(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_winners_steps),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_recall_size_steps),
    };
    return cmocka_run_group_tests_name("history", tests, tmpdir_setup, tmpdir_teardown);
}
