/*
 * test_plan.c - the partition of builds into tasks (run/plan.h): greedy
 * longest-first onto the least loaded task with its ties, deterministic,
 * every build in exactly one task, balanced, empty tasks when there are
 * more tasks than builds; the estimate orders builds sensibly (more
 * lists, more points, more rows cost more); the hash tells partitions
 * apart; `plan` and `plan --resources` on real data, and their errors.
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
#include <sys/wait.h>

#include "core/config.h"
#include "core/grid.h"
#include "lib/rng.h"
#include "lib/util.h"
#include "run/plan.h"
#include "testutil.h"

static void test_partition_greedy(void **state)
{
    const double cost[] = { 5, 4, 3, 3, 2, 2, 1 };
    const size_t want[] = { 0, 1, 2, 2, 1, 0, 1 };
    size_t got[7], again[7];
    (void)state;
    plan_partition(cost, 7, 3, got);
    assert_memory_equal(got, want, sizeof(want));
    plan_partition(cost, 7, 3, again);
    assert_memory_equal(got, again, sizeof(got));
}

/* Equal costs: in ordinal order; equal loads: the lowest task. */
static void test_partition_ties(void **state)
{
    const double same[] = { 1, 1, 1, 1 }, two[] = { 2, 1, 2 };
    const size_t want_same[] = { 0, 1, 0, 1 }, want_two[] = { 0, 0, 1 };
    size_t got[4];
    (void)state;
    plan_partition(same, 4, 2, got);
    assert_memory_equal(got, want_same, sizeof(want_same));
    plan_partition(two, 3, 2, got);
    assert_memory_equal(got, want_two, sizeof(want_two));
}

/* 50 builds of random costs on 4 tasks: each in exactly one task (the
 * loads add up to the total), max / mean within 1.05. */
static void test_partition_balanced(void **state)
{
    double cost[50], load[4] = { 0 }, total = 0, max = 0;
    size_t task_of[50];
    uint64_t s = 42;
    (void)state;
    for (size_t i = 0; i < 50; i++) {
        cost[i] = 1 + (double)(rng_next(&s) % 1000) / 100.0;
        total += cost[i];
    }
    plan_partition(cost, 50, 4, task_of);
    for (size_t i = 0; i < 50; i++) {
        assert_true(task_of[i] < 4);
        load[task_of[i]] += cost[i];
    }
    for (size_t t = 0; t < 4; t++)
        max = load[t] > max ? load[t] : max;
    assert_float_equal(load[0] + load[1] + load[2] + load[3], total, 1e-9);
    assert_true(max / (total / 4) <= 1.05);
}

/* The grid of a config text's indexes on sizes (d = 64). */
static void grid_of(const char *indexes, const size_t *sizes, size_t n_sizes,
                    struct config *cfg, struct grid *g)
{
    char *text = xasprintf("name: t\ndataset: {format: fvecs, base: b.fvecs}\n%s", indexes);
    assert_int_equal(config_parse(cfg, text, "t.yaml", "/"), 0);
    assert_int_equal(grid_expand(g, cfg, sizes, n_sizes, 64), 0);
    free(text);
}

static struct plan_ctx ctx_of(const struct config *cfg)
{
    return (struct plan_ctx){ 64, 1000, 100000, 10, 26, 0, &cfg->measure, 0 };
}

static double seconds(const struct grid *g, size_t i, const struct plan_ctx *c)
{
    struct plan_est e;
    plan_estimate(&g->builds[i], c, 4, &e);
    assert_true(e.seconds > 0);
    assert_true(e.mem_mib > 0);
    return e.seconds;
}

/* More lists, more points and more rows cost more; a bigger N needs more
 * memory. */
static void test_estimate_order(void **state)
{
    const size_t one[] = { 10000 }, two[] = { 10000, 100000 };
    struct config cfg;
    struct grid g;
    struct plan_ctx c;
    struct plan_est small, big;
    (void)state;

    grid_of("indexes:\n  - factory: \"IVF{nlist},Flat\"\n    nlist: [100, 1000]\n"
            "    nprobe: [1]\n  - factory: \"IVF{nlist},Flat\"\n    nlist: [100]\n"
            "    nprobe: [1, 2, 4]\n", one, 1, &cfg, &g);
    c = ctx_of(&cfg);
    assert_int_equal(g.n_builds, 3);
    assert_true(seconds(&g, 1, &c) > seconds(&g, 0, &c));     /* nlist 1000 > 100 */
    assert_true(seconds(&g, 2, &c) > seconds(&g, 0, &c));     /* 3 points > 1 */
    grid_release(&g);
    config_release(&cfg);

    grid_of("indexes:\n  - factory: \"IVF{nlist},PQ16x4fs,RFlat\"\n    nlist: [256]\n"
            "    nprobe: [8]\n", two, 2, &cfg, &g);
    c = ctx_of(&cfg);
    assert_int_equal(g.n_builds, 2);
    assert_true(seconds(&g, 1, &c) > seconds(&g, 0, &c));     /* N 100000 > 10000 */
    plan_estimate(&g.builds[0], &c, 4, &small);
    plan_estimate(&g.builds[1], &c, 4, &big);
    assert_true(big.mem_mib > small.mem_mib);
    /* Fewer threads, more seconds. */
    plan_estimate(&g.builds[1], &c, 1, &small);
    assert_true(small.seconds > big.seconds);
    grid_release(&g);
    config_release(&cfg);
}

/* With reuse_quantizers the coarse k-means of an IVF on the plain base is
 * shared work (prepare trains it): not in the build's cost. A build whose
 * training rows are its own k-means compression keeps it; so does HNSW,
 * which has no coarse quantizer. */
static void test_estimate_shared_coarse(void **state)
{
    const size_t one[] = { 100000 };
    struct config cfg;
    struct grid g;
    struct plan_ctx own, shared;
    (void)state;

    grid_of("indexes:\n  - factory: \"IVF{nlist},Flat\"\n    nlist: [1000]\n"
            "    nprobe: [1]\n  - factory: \"IVF{nlist},Flat\"\n    nlist: [1000]\n"
            "    kmeans: [20000]\n    nprobe: [1]\n  - factory: HNSW16\n", one, 1, &cfg, &g);
    own = shared = ctx_of(&cfg);
    shared.coarse_shared = 1;
    assert_int_equal(g.n_builds, 3);
    assert_true(seconds(&g, 0, &shared) < seconds(&g, 0, &own) - 0.1);
    assert_float_equal(seconds(&g, 1, &shared), seconds(&g, 1, &own), 1e-12);
    assert_float_equal(seconds(&g, 2, &shared), seconds(&g, 2, &own), 1e-12);
    grid_release(&g);
    config_release(&cfg);
}

/* More tasks than builds: the others are empty; the hash depends on the
 * partition, not on the run. */
static void test_plan_empty_tasks(void **state)
{
    const size_t one[] = { 10000 };
    struct config cfg;
    struct grid g;
    struct plan p, q, r;
    struct plan_ctx c;
    (void)state;

    grid_of("indexes:\n  - factory: Flat\n  - factory: \"IVF{nlist},Flat\"\n    nlist: [64]\n",
            one, 1, &cfg, &g);
    c = ctx_of(&cfg);
    plan_make(&p, &g, &c, 5, 0);
    assert_int_equal(p.threads, PLAN_REF_THREADS);
    assert_int_equal(p.task_builds[0] + p.task_builds[1], 2);
    for (size_t t = 2; t < 5; t++) {
        assert_int_equal(p.task_builds[t], 0);
        assert_int_equal(p.task_points[t], 0);
        assert_true(p.task_s[t] == 0);
    }
    assert_true(plan_balance(&p) > 2.0);
    assert_true(plan_balance_bound(&p) > 2.0);
    plan_make(&q, &g, &c, 5, 0);
    plan_make(&r, &g, &c, 2, 0);
    assert_true(p.hash == q.hash);
    assert_true(p.hash != r.hash);
    assert_true(plan_balance(&r) >= 1.0);
    plan_release(&p);
    plan_release(&q);
    plan_release(&r);
    grid_release(&g);
    config_release(&cfg);
}

/* Builds measured together (measure.interleave_mb) hold their indexes at
 * once: one task of two builds needs its largest build's peak plus the
 * other's index, up to the limit; apart (0), the largest peak alone. */
static void test_plan_group_memory(void **state)
{
    const size_t one[] = { 100000 };
    struct config cfg;
    struct grid g;
    struct plan apart, grouped, capped;
    struct plan_ctx c;
    double peak, held;
    (void)state;

    grid_of("indexes:\n  - factory: Flat\n  - factory: \"IVF{nlist},Flat\"\n    nlist: [64]\n",
            one, 1, &cfg, &g);
    c = ctx_of(&cfg);
    plan_make(&apart, &g, &c, 1, 0);
    cfg.measure.interleave_mb = 1 << 20;
    plan_make(&grouped, &g, &c, 1, 0);
    cfg.measure.interleave_mb = 1;
    plan_make(&capped, &g, &c, 1, 0);
    peak = fmax(apart.est[0].mem_mib, apart.est[1].mem_mib);
    held = apart.est[0].held_mib + apart.est[1].held_mib;
    assert_true(apart.est[0].held_mib > 20 && apart.est[1].held_mib > 20);  /* 100k x 64 floats */
    assert_true(fabs(apart.task_mib[0] - peak) < 1e-9);
    assert_true(fabs(grouped.task_mib[0] - (peak + held)) < 1e-9);
    assert_true(fabs(capped.task_mib[0] - (peak + 1)) < 1e-9);
    plan_release(&apart);
    plan_release(&grouped);
    plan_release(&capped);
    grid_release(&g);
    config_release(&cfg);
}

/* The resources line: one line, the five fields, a time of 10 minutes at
 * least. */
static void test_resources_line(void **state)
{
    const size_t one[] = { 10000 };
    struct config cfg;
    struct grid g;
    struct plan p;
    struct plan_ctx c;
    char *buf = NULL, name[32];
    size_t len = 0, tasks;
    int cpus, n;
    double mem, minutes;
    FILE *f = open_memstream(&buf, &len);
    (void)state;

    grid_of("indexes:\n  - factory: Flat\n  - factory: \"IVF{nlist},Flat\"\n    nlist: [64]\n",
            one, 1, &cfg, &g);
    c = ctx_of(&cfg);
    plan_make(&p, &g, &c, 4, 0);
    plan_print_resources(f, &p, &g, &c, cfg.name, 3);
    fclose(f);
    assert_int_equal(count_lines(buf), 1);
    n = sscanf(buf, "name=%31s tasks=%zu cpus=%d mem_mib=%lf time_min=%lf", name, &tasks, &cpus,
               &mem, &minutes);
    assert_int_equal(n, 5);
    assert_string_equal(name, "t");
    assert_int_equal(tasks, 4);
    assert_int_equal(cpus, 3);
    assert_true(mem > 256);
    assert_true(minutes >= 10);
    free(buf);
    plan_release(&p);
    grid_release(&g);
    config_release(&cfg);
}

/* FS_BINARY with args: its exit status, stdout in *out (caller frees). */
static int faiss_sweep(const char *args, char **out)
{
    char *cmd = xasprintf("%s %s 2>%s", FS_BINARY, args, tmp("stderr"));
    FILE *p = popen(cmd, "r");
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int ch, st;
    assert_non_null(p);
    while ((ch = fgetc(p)) != EOF)
        fputc(ch, m);
    st = pclose(p);
    fclose(m);
    free(cmd);
    *out = buf;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_plan_command(void **state)
{
    const char *data = shared_file(FS_SHARED_DATA, "sift5k/sift-dataset-5k.tsv");
    char *cfg = xasprintf("name: p\ndataset: {format: tsv-id, base: %s, holdout: 100}\n"
                          "indexes:\n  - factory: Flat\n  - factory: \"IVF{nlist},Flat\"\n"
                          "    nlist: [16, 32, 64]\nsearch: {nprobe: [1, 4]}\n", data);
    char *args, *out;
    (void)state;
    assert_int_equal(write_string(tmp("p.yaml"), cfg), 0);
    args = xasprintf("plan %s --of 2", tmp("p.yaml"));
    assert_int_equal(faiss_sweep(args, &out), 0);
    assert_has(out, "balance: ");
    assert_has(out, "IVF64,Flat");
    free(out);
    free(args);
    args = xasprintf("plan %s --of 3 --resources", tmp("p.yaml"));
    assert_int_equal(faiss_sweep(args, &out), 0);
    assert_int_equal(count_lines(out), 1);
    assert_true(!strncmp(out, "name=p tasks=3 cpus=", 20));
    free(out);
    free(args);
    /* Errors: exit 2, one line. */
    args = xasprintf("plan %s --of 0", tmp("p.yaml"));
    assert_int_equal(faiss_sweep(args, &out), 2);
    free(out);
    free(args);
    args = xasprintf("plan %s", tmp("p.yaml"));
    assert_int_equal(faiss_sweep(args, &out), 2);
    free(out);
    free(args);
    args = xasprintf("plan %s --of 2", tmp("none.yaml"));
    assert_int_equal(faiss_sweep(args, &out), 2);
    free(out);
    free(args);
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition_greedy),
        cmocka_unit_test(test_partition_ties),
        cmocka_unit_test(test_partition_balanced),
        cmocka_unit_test(test_estimate_order),
        cmocka_unit_test(test_estimate_shared_coarse),
        cmocka_unit_test(test_plan_empty_tasks),
        cmocka_unit_test(test_plan_group_memory),
        cmocka_unit_test(test_resources_line),
        cmocka_unit_test(test_plan_command),
    };
    util_quiet = 1;
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
