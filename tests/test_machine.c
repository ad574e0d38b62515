/*
 * test_machine.c - lib/machine: /proc/stat and /proc/loadavg parsed from
 * hand-written samples (a modern kernel's, an old one's without steal, broken
 * ones), the governor combined and read from a fake sysfs tree, the usage
 * between two samples (steal, other processes' time, busy), and the live
 * read returning sane values.
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
#include <sys/stat.h>
#include <unistd.h>

#include "lib/machine.h"
#include "lib/util.h"
#include "testutil.h"

/* Two CPUs of a Linux 6.x guest, with the lines that follow "cpu". */
static const char stat_modern[] =
    "cpu  359395 145170 107990 388604 1409 0 391 4563 0 0\n"
    "cpu0 180000 72000 54000 194000 700 0 200 2300 0 0\n"
    "cpu1 179395 73170 53990 194604 709 0 191 2263 0 0\n"
    "intr 123456 0 9 0 0 0 0 0 0 0\n"
    "ctxt 987654\n"
    "btime 1700000000\n"
    "processes 20407\n"
    "procs_running 3\n"
    "procs_blocked 0\n"
    "softirq 5555 0 1 2 3 4 5 6 7 8 9\n";

static void test_parse_stat(void **state)
{
    struct cpu_ticks t;
    (void)state;
    assert_int_equal(machine_parse_stat(stat_modern, &t), 0);
    assert_int_equal(t.busy, 359395u + 145170u + 107990u + 0u + 391u);
    assert_int_equal(t.idle, 388604u + 1409u);
    assert_int_equal(t.steal, 4563u);
    assert_int_equal(t.cpus, 2);
}

/* Linux 2.6.10 and older: four fields, no iowait, irq, softirq or steal. */
static void test_parse_stat_old_kernel(void **state)
{
    struct cpu_ticks t;
    (void)state;
    assert_int_equal(machine_parse_stat("cpu  100 20 30 400\ncpu0 100 20 30 400\n", &t), 0);
    assert_int_equal(t.busy, 150);
    assert_int_equal(t.idle, 400);
    assert_int_equal(t.steal, 0);
    assert_int_equal(t.cpus, 1);
}

static void test_parse_stat_broken(void **state)
{
    struct cpu_ticks t = { .busy = 7 };
    (void)state;
    assert_int_equal(machine_parse_stat("", &t), -1);
    assert_int_equal(machine_parse_stat("cpu0 1 2 3 4\nintr 5\n", &t), -1);
    assert_int_equal(machine_parse_stat("cpu  1 2 x\n", &t), -1);
    assert_int_equal(t.busy, 7);
}

static void test_parse_loadavg(void **state)
{
    double l[3] = { -9, -9, -9 };
    (void)state;
    assert_int_equal(machine_parse_loadavg("0.62 1.25 1.57 1/84 20407\n", l), 0);
    assert_true(l[0] == 0.62 && l[1] == 1.25 && l[2] == 1.57);
    l[0] = -9;
    assert_int_equal(machine_parse_loadavg("0.62 1.25\n", l), -1);
    assert_int_equal(machine_parse_loadavg("", l), -1);
    assert_int_equal(machine_parse_loadavg("-1 0 0 1/1 1\n", l), -1);
    assert_true(l[0] == -9);
}

static void test_governor_combine(void **state)
{
    const char *same[] = { "performance", "performance" };
    const char *mixed[] = { "performance", NULL, "powersave" };
    const char *partly[] = { NULL, "powersave", "" };
    const char *none[] = { NULL, NULL };
    (void)state;
    assert_string_equal(machine_governor_combine(same, 2), "performance");
    assert_string_equal(machine_governor_combine(mixed, 3), "mixed");
    assert_string_equal(machine_governor_combine(partly, 3), "powersave");
    assert_string_equal(machine_governor_combine(none, 2), "unknown");
    assert_string_equal(machine_governor_combine(NULL, 0), "unknown");
}

/* mkdir -p tmp(dir)/cpuN/cpufreq and write gov (NULL: no file). */
static void fake_cpu(const char *dir, const char *cpu, const char *gov)
{
    char *path = xasprintf("%s/%s/cpufreq", tmp(dir), cpu);
    assert_int_equal(make_dirs(path), 0);
    free(path);
    if (gov) {
        FILE *f;
        path = xasprintf("%s/%s/cpufreq/scaling_governor", tmp(dir), cpu);
        f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "%s\n", gov);
        fclose(f);
        free(path);
    }
}

/* A fake /sys/devices/system/cpu: cpuN folders count, cpufreq and others
 * ("cpuidle", "cpu1x") do not. */
static void test_governor_sysfs(void **state)
{
    char *g;
    (void)state;
    fake_cpu("same", "cpu0", "schedutil");
    fake_cpu("same", "cpu1", "schedutil");
    fake_cpu("same", "cpufreq", "powersave");
    fake_cpu("same", "cpu1x", "powersave");
    g = machine_governor(tmp("same"));
    assert_string_equal(g, "schedutil");
    free(g);

    fake_cpu("mixed", "cpu0", "performance");
    fake_cpu("mixed", "cpu1", "powersave");
    fake_cpu("mixed", "cpu2", NULL);
    g = machine_governor(tmp("mixed"));
    assert_string_equal(g, "mixed");
    free(g);

    fake_cpu("none", "cpu0", NULL);
    g = machine_governor(tmp("none"));
    assert_string_equal(g, "unknown");
    free(g);
    g = machine_governor(tmp("absent"));
    assert_string_equal(g, "unknown");
    free(g);
}

/* Two samples 10 s apart on 2 CPUs at 100 Hz: 2,000 ticks in all. */
static void test_usage(void **state)
{
    struct machine_sample a = { .t = 5, .own_cpu_s = 1, .ticks_ok = 1,
                                .ticks = { .busy = 1000, .idle = 5000, .steal = 10, .cpus = 2 } };
    struct machine_sample b = a;
    struct machine_usage u;
    (void)state;

    /* this process ran 12 CPU-seconds of the 14 busy; 1 s stolen */
    b.t = 15;
    b.own_cpu_s = 13;
    b.ticks.busy += 1400;
    b.ticks.idle += 500;
    b.ticks.steal += 100;
    machine_usage(&a, &b, 100, &u);
    assert_true(u.wall_s == 10 && u.cpu_s == 20);
    assert_true(u.steal_s == 1 && u.steal_share == 0.05);
    assert_true(fabs(u.others_cpu_s - 2) < 1e-9 && fabs(u.others_cpu_share - 0.1) < 1e-9);
    assert_int_equal(machine_busy(&u), 1); /* steal 5% > 1% */

    /* no steal, others exactly at 10%: not busy; just above: busy */
    b.ticks.steal = a.ticks.steal;
    b.ticks.idle += 100;
    machine_usage(&a, &b, 100, &u);
    assert_true(u.steal_s == 0 && fabs(u.others_cpu_share - 0.1) < 1e-9);
    assert_int_equal(machine_busy(&u), 0);
    b.ticks.busy += 1;
    b.ticks.idle -= 1;
    machine_usage(&a, &b, 100, &u);
    assert_int_equal(machine_busy(&u), 1);

    /* own time above the sampled busy ticks reads as 0 others, not less */
    b.ticks.busy = a.ticks.busy + 1000;
    machine_usage(&a, &b, 100, &u);
    assert_true(u.others_cpu_s == 0 && u.others_cpu_share == 0);

    /* the same shares over less than a second: too few ticks to tell */
    b.t = a.t + 0.5;
    b.ticks.busy = a.ticks.busy + 1401;
    machine_usage(&a, &b, 100, &u);
    assert_true(u.others_cpu_share > 0.1);
    assert_int_equal(machine_busy(&u), 0);
    b.t = a.t + 10;

    /* not measured: -1 everywhere, never busy */
    b.ticks_ok = 0;
    machine_usage(&a, &b, 100, &u);
    assert_true(u.wall_s == 10 && u.cpu_s == -1 && u.steal_s == -1 && u.others_cpu_s == -1 &&
                u.steal_share == -1 && u.others_cpu_share == -1);
    assert_int_equal(machine_busy(&u), 0);
}

/* The live read on this (Linux) machine: /proc is there and sane, and a
 * second of spinning shows up as this process's time. */
static void test_live(void **state)
{
    struct machine_sample a, b;
    struct machine_usage u;
    volatile double x = 0;
    double t0;
    char *g;
    (void)state;

    machine_sample(&a);
    assert_true(a.load_ok && a.ticks_ok);
    assert_true(a.load[0] >= 0 && a.load[0] < 10000);
    assert_true(a.ticks.cpus >= 1 && a.ticks.busy + a.ticks.idle > 0);
    t0 = now_s();
    while (now_s() - t0 < 0.3)
        x += 1;
    machine_sample(&b);
    assert_true(b.own_cpu_s - a.own_cpu_s > 0.05);
    machine_usage(&a, &b, sysconf(_SC_CLK_TCK), &u);
    assert_true(u.wall_s >= 0.3 && u.cpu_s > 0);
    assert_true(u.steal_s >= 0 && u.steal_share >= 0 && u.steal_share <= 1);
    assert_true(u.others_cpu_share >= 0 && u.others_cpu_share <= 1);
    g = machine_governor("/sys/devices/system/cpu");
    assert_true(strlen(g) > 0);
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_stat),
        cmocka_unit_test(test_parse_stat_old_kernel),
        cmocka_unit_test(test_parse_stat_broken),
        cmocka_unit_test(test_parse_loadavg),
        cmocka_unit_test(test_governor_combine),
        cmocka_unit_test(test_governor_sysfs),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_live),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
