/*
 * provenance.c - the root attributes that say where a results file comes
 * from (README: "Results file").
 */
#include "run/provenance.h"
#include "lib/backend.h"
#include "lib/util.h"
#include "lib/version.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "model name" of /proc/cpuinfo, or "unknown". Caller frees. */
static char *cpu_model(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    char *model = NULL;
    while (f && !model && fgets(line, sizeof(line), f)) {
        char *c = strchr(line, ':');
        if (!strncmp(line, "model name", 10) && c) {
            c += 1 + strspn(c + 1, " \t");
            c[strcspn(c, "\n")] = '\0';
            model = xstrdup(c);
        }
    }
    if (f)
        fclose(f);
    return model ? model : xstrdup("unknown");
}

void provenance_set(struct result_set *rs, const struct config *cfg, const struct dataset *ds,
                    size_t gt_k, int batch_threads, const struct measure *const *measures,
                    size_t n_measures, const char *started)
{
    char hash[17];
    char *cpu = cpu_model();
    const char *env;

    snprintf(hash, sizeof(hash), "%016" PRIx64, ds->hash);
    results_attr_str(rs, "name", cfg->name);
    results_attr_str(rs, "harness_version", fs_version);
    results_attr_str(rs, "git_commit", fs_git_commit);
    results_attr_str(rs, "faiss_version", version_faiss());
    results_attr_str(rs, "faiss_version_source", version_faiss_source());
    results_attr_str(rs, "faiss_simd", fs_faiss_simd);
    results_attr_str(rs, "cpu_model", cpu);
    results_attr_int(rs, "cores", sysconf(_SC_NPROCESSORS_ONLN));
    results_attr_int(rs, "batch_threads", batch_threads);
    results_attr_int(rs, "latency_threads", 1);
    for (size_t i = 0; i < n_measures; i++)
        if (measures[i]->attrs)
            measures[i]->attrs(measures[i], rs);
    results_attr_int(rs, "blas_threads", backend_blas_threads());
    env = getenv("OMP_NUM_THREADS");
    results_attr_str(rs, "env_OMP_NUM_THREADS", env ? env : "");
    env = getenv("OPENBLAS_NUM_THREADS");
    results_attr_str(rs, "env_OPENBLAS_NUM_THREADS", env ? env : "");
    results_attr_int(rs, "repeats", cfg->measure.repeats);
    results_attr_int(rs, "warmup", cfg->measure.warmup);
    results_attr_int(rs, "latency_queries", cfg->measure.latency_queries);
    results_attr_int(rs, "latency_rounds", cfg->measure.latency_rounds);
    results_attr_int(rs, "timing_queries", cfg->measure.timing_queries);
    results_attr_float(rs, "min_time", cfg->measure.min_time);
    results_attr_float(rs, "max_time", cfg->measure.max_time);
    results_attr_float(rs, "noisy", cfg->measure.noisy);
    results_attr_int(rs, "interleave_mb", cfg->measure.interleave_mb);
    results_attr_str(rs, "config_path", cfg->path);
    results_attr_str(rs, "config_text", cfg->text);
    {
        /* The --set overrides, one per line: with config_text, what ran. */
        char *sets = xstrdup("");
        for (size_t i = 0; i < cfg->n_sets; i++) {
            char *t = xasprintf("%s%s%s", sets, i ? "\n" : "", cfg->sets[i]);
            free(sets);
            sets = t;
        }
        results_attr_str(rs, "config_sets", sets);
        free(sets);
    }
    results_attr_str(rs, "dataset_format", cfg->dataset.format);
    results_attr_str(rs, "dataset_base", ds->base_path);
    results_attr_str(rs, "dataset_queries", ds->queries_path ? ds->queries_path : "");
    results_attr_str(rs, "dataset_hash", hash);
    results_attr_int(rs, "base_clips", (int64_t)ds->base_clips.n);
    results_attr_int(rs, "query_clips", (int64_t)ds->query_clips.n);
    results_attr_int(rs, "N", (int64_t)ds->base.n);
    results_attr_int(rs, "d", (int64_t)ds->base.d);
    results_attr_int(rs, "nq", (int64_t)ds->queries.n);
    results_attr_int(rs, "gt_k", (int64_t)gt_k);
    results_attr_str(rs, "start_time", started);
    free(cpu);
}

void provenance_machine(struct result_set *rs, const struct machine_sample *start,
                        struct machine_sample *end, struct machine_usage *u)
{
    char *gov = machine_governor("/sys/devices/system/cpu");

    machine_sample(end);
    machine_usage(start, end, sysconf(_SC_CLK_TCK), u);
    results_attr_float(rs, "load1_start", start->load_ok ? start->load[0] : -1);
    results_attr_float(rs, "load1_end", end->load_ok ? end->load[0] : -1);
    results_attr_float(rs, "own_cpu_s", end->own_cpu_s - start->own_cpu_s);
    results_attr_float(rs, "steal_s", u->steal_s);
    results_attr_float(rs, "steal_share", u->steal_share);
    results_attr_float(rs, "others_cpu_s", u->others_cpu_s);
    results_attr_float(rs, "others_cpu_share", u->others_cpu_share);
    results_attr_int(rs, "machine_busy", machine_busy(u));
    results_attr_str(rs, "cpu_governor", gov);
    free(gov);
}

void provenance_warn_busy(const struct machine_sample *start, const struct machine_sample *end,
                          const struct machine_usage *u)
{
    if (!machine_busy(u))
        return;
    warning("the machine was busy during the run: other processes used %.1f%% of the CPUs' "
            "time (%.1f s), the hypervisor stole %.1f%% (%.1f s), load average %.2f at "
            "start, %.2f at end; speeds of this run carry that noise",
            100 * u->others_cpu_share, u->others_cpu_s, 100 * u->steal_share, u->steal_s,
            start->load_ok ? start->load[0] : -1, end->load_ok ? end->load[0] : -1);
}
