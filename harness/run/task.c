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
#include <unistd.h>

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

void task_share_select(struct task_share *s, const struct grid *g, const struct plan_ctx *c,
                       int threads, long index, long count, const char *run_id)
{
    struct plan p;
    double all = 0;

    plan_make(&p, g, c, (size_t)count, threads);
    memset(s, 0, sizeof(*s));
    s->in = xcalloc(g->n_builds ? g->n_builds : 1, 1);
    for (size_t i = 0; i < g->n_builds; i++) {
        s->in[i] = p.task_of[i] == (size_t)index;
        s->points += s->in[i] ? g->builds[i].n_points : 0;
        all += p.est[i].seconds;
    }
    plan_hash_text(&p, s->plan_hash);
    info("task %ld of %ld (run '%s'): %zu of %zu builds, %zu points, an estimated %.0f of "
         "%.0f s", index, count, run_id, p.task_builds[index], g->n_builds, s->points,
         p.task_s[index], all);
    plan_release(&p);
}

void task_share_release(struct task_share *s)
{
    free(s->in);
    memset(s, 0, sizeof(*s));
}

int task_claim(struct journal *j, const char *path, long index, const char *run_id)
{
    char *jp = xasprintf("%s.journal", path);
    int rc = access(path, F_OK) ? journal_create(j, jp) : 1;

    if (rc > 0)
        error("'%s' exists: task %ld of run '%s' is done (merge it, or give another "
              "--run-id)", path, index, run_id);
    else if (rc < 0 && errno == EEXIST)
        error("'%s' exists: task %ld of run '%s' is running, or was killed: rerun it with "
              "--resume", jp, index, run_id);
    else if (rc < 0)
        error_errno("cannot write in the output folder (creating '%s')", jp);
    free(jp);
    return rc ? -1 : 0;
}

void task_attrs(struct result_set *rs, const struct task_share *s, long index, long count,
                const char *run_id)
{
    char host[256];

    results_attr_str(rs, "run_id", run_id);
    results_attr_int(rs, "task_index", index);
    results_attr_int(rs, "task_count", count);
    results_attr_str(rs, "plan_hash", s->plan_hash);
    results_attr_int(rs, "task_points", (int64_t)s->points);
    if (gethostname(host, sizeof(host)))
        snprintf(host, sizeof(host), "unknown");
    host[sizeof(host) - 1] = '\0';
    results_attr_str(rs, "host", host);
}

void task_ordinals(struct result_set *rs, const struct journal *j)
{
    struct result_table *t;

    if (j->rows_seen != rs->n_rows ||
        !(t = results_table_add(rs, RESULTS_ORDINALS, results_ordinals_cols,
                                RESULTS_ORDINALS_NCOLS)))
        return;
    for (size_t i = 0; i < rs->n_rows; i++) {
        union result_cell c[2] = { { .i = (int64_t)i }, { .i = (int64_t)j->ord[i] } };
        results_table_append(t, c);
    }
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
                           run_uses_metric(&s.cfg, METRIC_COSINE), &s.cfg.measure,
                           s.cfg.reuse_quantizers };
    plan_make(&p, &s.grid, &c, (size_t)n, s.cfg.measure.threads);
    if (resources)
        plan_print_resources(stdout, &p, &s.grid, &c, s.cfg.name, s.threads);
    else
        plan_print(stdout, &p, &s.grid);
    plan_release(&p);
    sweep_setup_release(&s);
    return 0;
}
