/*
 * machine.h - how busy the machine was while a run measured: load average,
 * CPU time stolen by the hypervisor and used by other processes (from
 * /proc/stat and this process's own CPU time), the CPU frequency governor.
 *
 * The parsers take text, so tests feed them hand-written /proc samples; the
 * live readers are thin wrappers over them. Nothing here prints: a machine
 * without /proc (or a sandbox that hides it) yields "unknown" values.
 */
#ifndef FS_MACHINE_H
#define FS_MACHINE_H

#include <stddef.h>
#include <stdint.h>

/* The aggregate "cpu" line of /proc/stat, in clock ticks (USER_HZ), summed
 * over all CPUs. `busy` is user + nice + system + irq + softirq (guest time
 * is already inside user and nice), `idle` is idle + iowait. */
struct cpu_ticks {
    uint64_t busy, idle, steal;
    int cpus;           /* "cpuN" lines: CPUs the kernel counts */
};

/* Parse the text of /proc/stat into t. Returns 0, or -1 when the text has no
 * well-formed aggregate "cpu" line (t untouched). Prints nothing. */
int machine_parse_stat(const char *text, struct cpu_ticks *t);

/* Parse the text of /proc/loadavg: load[0..2] get the 1, 5 and 15 minute
 * averages. Returns 0, or -1 when malformed (load untouched). Prints nothing. */
int machine_parse_loadavg(const char *text, double load[3]);

/* One governor name out of n (the per-CPU scaling_governor values, NULL
 * entries for CPUs whose file was not readable): the common name when every
 * readable CPU has the same one, "mixed" when they differ, "unknown" when
 * none was readable. Returns a static string or govs[i] (borrowed). */
const char *machine_governor_combine(const char *const *govs, size_t n);

/* The governor of the CPUs under `cpu_dir` (normally
 * "/sys/devices/system/cpu": each cpuN/cpufreq/scaling_governor), combined
 * as above. Caller frees. */
char *machine_governor(const char *cpu_dir);

/* The machine at one moment. Zeroed = nothing read. */
struct machine_sample {
    double t;              /* now_s() */
    double own_cpu_s;      /* user + system CPU of this process (all threads) */
    double load[3];        /* /proc/loadavg; load_ok says whether read */
    struct cpu_ticks ticks;/* /proc/stat; ticks_ok says whether read */
    int load_ok, ticks_ok;
};

/* Read /proc/loadavg, /proc/stat and this process's CPU time into s. */
void machine_sample(struct machine_sample *s);

/* What happened between two samples. Values that could not be measured are
 * -1 (steal_s, others_cpu_s and the shares need /proc/stat at both ends). */
struct machine_usage {
    double wall_s;            /* b.t - a.t */
    double cpu_s;             /* CPU time the machine had: all CPUs' ticks */
    double steal_s;           /* stolen by the hypervisor */
    double others_cpu_s;      /* busy time not this process's (>= 0) */
    double steal_share;       /* steal_s / cpu_s */
    double others_cpu_share;  /* others_cpu_s / cpu_s */
};

/* The usage between a (earlier) and b, with `hz` clock ticks per second
 * (sysconf(_SC_CLK_TCK); a parameter so tests can fix it). */
void machine_usage(const struct machine_sample *a, const struct machine_sample *b, long hz,
                   struct machine_usage *u);

/* The thresholds of "busy": other processes took more than 10% of the CPUs'
 * time, or the hypervisor stole more than 1% of it, over at least a second
 * (/proc/stat counts in ticks of 10 ms: over a shorter run a few ticks of
 * the run itself would read as other processes' time). */
#define MACHINE_BUSY_OTHERS 0.10
#define MACHINE_BUSY_STEAL 0.01
#define MACHINE_BUSY_MIN_S 1.0

/* 1 when u says the machine was busy (by the thresholds above), else 0
 * (also when not measured, or over less than MACHINE_BUSY_MIN_S). */
int machine_busy(const struct machine_usage *u);

#endif
