/*
 * task.c - the task of a scale-out run from the command line and the
 * environment, and the `plan` command (task.h).
 */
#include "run/task.h"
#include "run/plan.h"
#include "run/shared.h"
#include "lib/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* text as an integer in [lo, hi] into *v; what names where it came from
 * ("--of", "SLURM_ARRAY_TASK_ID"). Returns 0 or 2 after an error line. */
static int parse_count(const char *what, const char *text, long lo, long hi, long *v)
{
    char *end;
    long x;

    errno = 0;
    x = strtol(text, &end, 10);
    if (end == text || *end || errno || x < lo || x > hi) {
        error("bad value '%s' of %s: expected an integer in [%ld, %ld]", text, what, lo, hi);
        return 2;
    }
    *v = x;
    return 0;
}

int task_run_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n < 1 || n > TASK_RUN_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", id[i]))
            return 0;
    return 1;
}

/* A run id from what (the option or the variable). Returns 0 or 2. */
static int set_run_id(const char *what, const char *id, struct task_spec *t)
{
    if (!task_run_id_ok(id)) {
        error("bad run id '%s' of %s: expected 1 to %d of [A-Za-z0-9._-]", id, what,
              TASK_RUN_ID_MAX);
        return 2;
    }
    snprintf(t->run_id, sizeof(t->run_id), "%s", id);
    return 0;
}

/* --task auto: I, N and the id from Slurm's or Kubernetes's variables
 * (options given win). Returns 0 or 2. */
static int from_env(const char *of, const char *run_id, struct task_spec *t)
{
    const char *id = getenv("SLURM_ARRAY_TASK_ID"), *k8s = getenv("JOB_COMPLETION_INDEX");
    long min = 0, i;

    if (id && *id) {
        const char *mn = getenv("SLURM_ARRAY_TASK_MIN"), *cnt = getenv("SLURM_ARRAY_TASK_COUNT");
        const char *job = getenv("SLURM_ARRAY_JOB_ID");
        if (parse_count("SLURM_ARRAY_TASK_ID", id, 0, TASK_MAX_COUNT * 100L, &i) ||
            (mn && *mn && parse_count("SLURM_ARRAY_TASK_MIN", mn, 0, i, &min)))
            return 2;
        t->index = i - min;
        if (!of && !(cnt && *cnt))
            return error("--task auto: SLURM_ARRAY_TASK_COUNT is not set and --of not given"),
                   2;
        if (!of && parse_count("SLURM_ARRAY_TASK_COUNT", cnt, 1, TASK_MAX_COUNT, &t->count))
            return 2;
        if (!run_id && !(job && *job))
            return error("--task auto: SLURM_ARRAY_JOB_ID is not set and --run-id not given"),
                   2;
        return run_id ? 0 : set_run_id("SLURM_ARRAY_JOB_ID", job, t);
    }
    if (k8s && *k8s) {
        if (!of || !run_id)
            return error("--task auto with JOB_COMPLETION_INDEX needs %s",
                         !of && !run_id ? "--of and --run-id" : !of ? "--of" : "--run-id"),
                   2;
        return parse_count("JOB_COMPLETION_INDEX", k8s, 0, TASK_MAX_COUNT - 1, &t->index);
    }
    return error("--task auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set"), 2;
}

int task_resolve(const char *task, const char *of, const char *run_id, struct task_spec *t)
{
    memset(t, 0, sizeof(*t));
    t->index = -1;
    if (!task) {
        if (of || run_id)
            return error("option '%s' goes with '--task'", of ? "--of" : "--run-id"), 2;
        return 0;
    }
    if (of && parse_count("--of", of, 1, TASK_MAX_COUNT, &t->count))
        return 2;
    if (run_id && set_run_id("--run-id", run_id, t))
        return 2;
    if (!strcmp(task, "auto")) {
        if (from_env(of, run_id, t))
            return 2;
    } else {
        if (parse_count("--task", task, 0, TASK_MAX_COUNT - 1, &t->index))
            return 2;
        if (!of)
            return error("option '--task' needs '--of N'"), 2;
        if (!run_id)
            return error("option '--task' needs '--run-id ID' (one id for all tasks of a run)"),
                   2;
    }
    if (t->index >= t->count)
        return error("task %ld is out of range of %ld tasks (0 to %ld)", t->index, t->count,
                     t->count - 1),
               2;
    return 0;
}

int task_plan_command(const char *config_path, const char *const *sets, size_t n_sets,
                      const char *of, int resources)
{
    struct sweep_setup s;
    struct plan p;
    struct plan_ctx c;
    long n;

    if (!of)
        return error("option '--of N' is needed: the number of tasks"), 2;
    if (parse_count("--of", of, 1, TASK_MAX_COUNT, &n))
        return 2;
    if (sweep_setup_load(&s, config_path, sets, n_sets)) {
        sweep_setup_release(&s);
        return 2;
    }
    c = (struct plan_ctx){ s.ds.base.d, s.ds.queries.n, s.ds.base.n, s.kmax, s.kdeep,
                           run_uses_metric(&s.cfg, METRIC_COSINE), &s.cfg.measure };
    plan_make(&p, &s.grid, &c, (size_t)n, s.cfg.measure.threads);
    if (resources)
        plan_print_resources(stdout, &p, &s.grid, &c, s.cfg.name, s.threads);
    else
        plan_print(stdout, &p, &s.grid);
    plan_release(&p);
    sweep_setup_release(&s);
    return 0;
}
