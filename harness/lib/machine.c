/*
 * machine.c - the state of the machine around a run: /proc/stat and
 * /proc/loadavg parsed from text, this process's CPU time, the CPU frequency
 * governor from sysfs (machine.h).
 */
#include "lib/machine.h"
#include "lib/util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int machine_parse_stat(const char *text, struct cpu_ticks *t)
{
    /* user nice system idle iowait irq softirq steal [guest guest_nice] */
    unsigned long long v[8] = { 0 };
    const char *line = text;
    int cpus = 0, found = 0;

    while (line && *line) {
        if (!strncmp(line, "cpu ", 4)) {
            if (sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 4)
                return -1;
            found = 1;
        } else if (!strncmp(line, "cpu", 3) && isdigit((unsigned char)line[3])) {
            cpus++;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    if (!found)
        return -1;
    /* Older kernels stop before iowait, irq, softirq or steal: those read 0. */
    t->busy = v[0] + v[1] + v[2] + v[5] + v[6];
    t->idle = v[3] + v[4];
    t->steal = v[7];
    t->cpus = cpus;
    return 0;
}

int machine_parse_loadavg(const char *text, double load[3])
{
    double l[3];
    if (sscanf(text, "%lf %lf %lf", &l[0], &l[1], &l[2]) != 3)
        return -1;
    for (int i = 0; i < 3; i++) {
        if (!(l[i] >= 0))
            return -1;
        load[i] = l[i];
    }
    return 0;
}

const char *machine_governor_combine(const char *const *govs, size_t n)
{
    const char *common = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!govs[i] || !*govs[i])
            continue;
        if (!common)
            common = govs[i];
        else if (strcmp(common, govs[i]))
            return "mixed";
    }
    return common ? common : "unknown";
}

/* The first line of a small file, without its newline, or NULL when it cannot
 * be read (silently: these files are often absent). Caller frees. */
static char *first_line(const char *path)
{
    char buf[256];
    FILE *f = fopen(path, "r");
    char *line = NULL;
    if (!f)
        return NULL;
    if (fgets(buf, sizeof(buf), f)) {
        buf[strcspn(buf, "\n")] = '\0';
        line = xstrdup(buf);
    }
    fclose(f);
    return line;
}

char *machine_governor(const char *cpu_dir)
{
    DIR *d = opendir(cpu_dir);
    struct dirent *e;
    char **govs = NULL;
    size_t n = 0;
    char *out;

    while (d && (e = readdir(d))) {
        char *path;
        if (strncmp(e->d_name, "cpu", 3) || !isdigit((unsigned char)e->d_name[3]) ||
            e->d_name[3 + strspn(e->d_name + 3, "0123456789")])
            continue;
        path = xasprintf("%s/%s/cpufreq/scaling_governor", cpu_dir, e->d_name);
        govs = xrealloc(govs, (n + 1) * sizeof(*govs));
        govs[n++] = first_line(path);
        free(path);
    }
    if (d)
        closedir(d);
    out = xstrdup(machine_governor_combine((const char *const *)govs, n));
    for (size_t i = 0; i < n; i++)
        free(govs[i]);
    free(govs);
    return out;
}

/* A whole /proc file (their size reads as 0, so read to the end), at most
 * 1 MiB: the "cpu" lines come first. NULL when unreadable. Caller frees. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t cap = 1 << 20, used = 0, got;
    char *buf;
    if (!f)
        return NULL;
    buf = xmalloc(cap);
    while (used + 1 < cap && (got = fread(buf + used, 1, cap - used - 1, f)) > 0)
        used += got;
    fclose(f);
    buf[used] = '\0';
    return buf;
}

void machine_sample(struct machine_sample *s)
{
    struct rusage ru;
    char *text;

    memset(s, 0, sizeof(*s));
    s->t = now_s();
    if (!getrusage(RUSAGE_SELF, &ru))
        s->own_cpu_s = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                       (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    text = slurp("/proc/loadavg");
    s->load_ok = text && !machine_parse_loadavg(text, s->load);
    free(text);
    text = slurp("/proc/stat");
    s->ticks_ok = text && !machine_parse_stat(text, &s->ticks);
    free(text);
}

void machine_usage(const struct machine_sample *a, const struct machine_sample *b, long hz,
                   struct machine_usage *u)
{
    double busy, idle, steal;

    u->wall_s = b->t - a->t;
    u->cpu_s = u->steal_s = u->others_cpu_s = u->steal_share = u->others_cpu_share = -1;
    if (!a->ticks_ok || !b->ticks_ok || hz <= 0 || b->ticks.busy < a->ticks.busy ||
        b->ticks.idle < a->ticks.idle || b->ticks.steal < a->ticks.steal)
        return;
    busy = (double)(b->ticks.busy - a->ticks.busy) / (double)hz;
    idle = (double)(b->ticks.idle - a->ticks.idle) / (double)hz;
    steal = (double)(b->ticks.steal - a->ticks.steal) / (double)hz;
    u->cpu_s = busy + idle + steal;
    u->steal_s = steal;
    /* Ticks are sampled per CPU at the timer: over a short run this process's
     * getrusage time can exceed the busy ticks a little; that is 0, not less. */
    u->others_cpu_s = busy - (b->own_cpu_s - a->own_cpu_s);
    if (u->others_cpu_s < 0)
        u->others_cpu_s = 0;
    u->steal_share = u->cpu_s > 0 ? steal / u->cpu_s : 0;
    u->others_cpu_share = u->cpu_s > 0 ? u->others_cpu_s / u->cpu_s : 0;
}

int machine_busy(const struct machine_usage *u)
{
    return u->wall_s >= MACHINE_BUSY_MIN_S &&
           (u->others_cpu_share > MACHINE_BUSY_OTHERS || u->steal_share > MACHINE_BUSY_STEAL);
}
