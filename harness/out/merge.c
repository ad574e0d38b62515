/*
 * merge.c - the task files of one scale-out run into one results file
 * (merge.h): check them, concatenate their rows and side tables, put the
 * rows in the grid's order (each task's /ordinals), record each task's
 * provenance in /tasks.
 */
#include "out/merge.h"
#include "out/results.h"
#include "lib/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What must be the same in every task of a run, and how a difference is
 * named. */
static const struct {
    const char *attr, *what;
} same[] = {
    { "run_id", "run id" },
    { "task_count", "task count" },
    { "plan_hash", "plan (plan_hash)" },
    { "config_text", "config text" },
    { "config_sets", "--set overrides" },
    { "dataset_hash", "data hash" },
    { "harness_version", "harness version" },
    { "git_commit", "harness commit" },
    { "faiss_version", "faiss version" },
};
#define N_SAME (sizeof(same) / sizeof(same[0]))

struct task_file {
    const char *path;
    struct result_set rs;
    long index;
};

/* An attribute as text, for comparing ("" when absent). Into buf. */
static const char *attr_text(const struct result_set *rs, const char *name, char *buf,
                             size_t len)
{
    const struct result_attr *a = results_attr(rs, name);
    if (!a)
        return "";
    if (a->type == ATTR_STR)
        return a->s ? a->s : "";
    if (a->type == ATTR_INT)
        snprintf(buf, len, "%lld", (long long)a->i);
    else
        snprintf(buf, len, "%.17g", a->f);
    return buf;
}

static int64_t attr_int(const struct result_set *rs, const char *name, int64_t dflt)
{
    const struct result_attr *a = results_attr(rs, name);
    return a && a->type == ATTR_INT ? a->i : a && a->type == ATTR_FLOAT ? (int64_t)a->f : dflt;
}

static double attr_float(const struct result_set *rs, const char *name)
{
    const struct result_attr *a = results_attr(rs, name);
    return a && a->type == ATTR_FLOAT ? a->f : a && a->type == ATTR_INT ? (double)a->i : NAN;
}

/* The rows' layout: the same ks, cells and side tables. */
static int same_layout(const struct result_set *a, const struct result_set *b)
{
    if (a->n_ks != b->n_ks || memcmp(a->ks, b->ks, a->n_ks * sizeof(*a->ks)) ||
        a->n_cols != b->n_cols || a->n_tables != b->n_tables || a->lacks != b->lacks)
        return 0;
    for (size_t i = 0; i < a->n_cols; i++)
        if (strcmp(a->cols[i].name, b->cols[i].name) || a->cols[i].type != b->cols[i].type)
            return 0;
    for (size_t t = 0; t < a->n_tables; t++) {
        const struct result_table *x = &a->tables[t], *y = results_table(b, x->name);
        if (!y || x->n_cols != y->n_cols)
            return 0;
        for (size_t c = 0; c < x->n_cols; c++)
            if (strcmp(x->cols[c].name, y->cols[c].name))
                return 0;
    }
    return 1;
}

/* The problems of file f against the first (ref): one line each. */
static size_t check_file(const struct task_file *f, const struct task_file *ref)
{
    char b1[64], b2[64];
    size_t bad = 0;
    int64_t points = attr_int(&f->rs, "task_points", -1);

    for (size_t i = 0; f != ref && i < N_SAME; i++)
        if (strcmp(attr_text(&f->rs, same[i].attr, b1, sizeof(b1)),
                   attr_text(&ref->rs, same[i].attr, b2, sizeof(b2))) && ++bad)
            error("'%s': %s differs from that of '%s'", f->path, same[i].what, ref->path);
    if (f != ref && !same_layout(&f->rs, &ref->rs) && ++bad)
        error("'%s': its columns or side tables differ from those of '%s'", f->path, ref->path);
    if (f->index >= attr_int(&f->rs, "task_count", 0) && ++bad)
        error("'%s': task %ld is out of range of its %lld tasks", f->path, f->index,
              (long long)attr_int(&f->rs, "task_count", 0));
    if (attr_int(&f->rs, "interrupted", 0) && ++bad)
        error("'%s': task %ld was interrupted: rerun it with --resume", f->path, f->index);
    else if (points >= 0 && (size_t)points != f->rs.n_rows && ++bad)
        error("'%s': task %ld holds %zu of its %lld points: rerun it with --resume", f->path,
              f->index, f->rs.n_rows, (long long)points);
    if (!results_table(&f->rs, RESULTS_ORDINALS) && ++bad)
        error("'%s': has no /%s table (not written by run --task)", f->path, RESULTS_ORDINALS);
    return bad;
}

/* Every task 0..N-1 once: one line per task missing or repeated. */
static size_t check_tasks(const struct task_file *f, size_t n, long count)
{
    size_t bad = 0;
    for (long t = 0; t < count; t++) {
        size_t seen = 0;
        const char *first = NULL;
        for (size_t i = 0; i < n; i++) {
            if (f[i].index != t)
                continue;
            if (seen++)
                error("task %ld twice: '%s' and '%s'", t, first, f[i].path);
            else
                first = f[i].path;
        }
        bad += seen > 1 ? seen - 1 : 0;
        if (!seen && ++bad)
            error("missing task %ld of %ld", t, count);
    }
    return bad;
}

/* Read every file; the task attributes. Returns 0, 1 (a file that is not a
 * task's) or 2 (unreadable). */
static int read_all(struct task_file *f, const char *const *paths, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        f[i].path = paths[i];
        if (results_read(&f[i].rs, paths[i]))
            return 2;
        f[i].index = (long)attr_int(&f[i].rs, "task_index", -1);
        if (f[i].index < 0 || !results_attr_text(&f[i].rs, "run_id")) {
            error("'%s': not a task's file (no run_id or task_index: written by run "
                  "without --task)", paths[i]);
            rc = 1;
        }
    }
    return rc;
}

/* Append the rows and side rows of src to dst (same layout), its run_row
 * columns moved by dst's rows so far. */
static void append_set(struct result_set *dst, const struct result_set *src)
{
    size_t base = dst->n_rows;

    for (size_t i = 0; i < src->n_rows; i++)
        results_add_row(dst, &src->rows[i]);
    for (size_t t = 0; t < src->n_tables; t++) {
        const struct result_table *s = &src->tables[t];
        struct result_table *d = results_table(dst, s->name);
        int rr = results_table_col(s, "run_row");
        union result_cell row[RESULTS_MAX_TABLE_COLS];
        for (size_t r = 0; r < s->n_rows; r++) {
            memcpy(row, s->cells + r * s->n_cols, s->n_cols * sizeof(*row));
            if (rr >= 0)
                row[rr].i += (int64_t)base;
            results_table_append(d, row);
        }
    }
}

/* s's index in the list of lines (each "\n"-ended) of *list, added when new. */
static int64_t line_index(char **list, const char *s)
{
    int64_t i = 0;
    size_t len = strlen(s);
    for (const char *p = *list; *p; p = strchr(p, '\n') + 1, i++)
        if (!strncmp(p, s, len) && p[len] == '\n')
            return i;
    {
        char *t = xasprintf("%s%s\n", *list, s);
        free(*list);
        *list = t;
    }
    return i;
}

/* UTC "YYYY-MM-DDTHH:MM:SSZ" as Unix seconds; -1 when not that. */
static int64_t utc_seconds(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                     &tm.tm_min, &tm.tm_sec) != 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

/* /tasks and the merged attributes, from the tasks in order (m is the
 * first's set: first_rows were its own). */
static void provenance(struct result_set *m, const struct task_file *f, size_t n,
                       size_t first_rows)
{
    struct result_table *t = results_table_add(m, RESULTS_TASKS, results_tasks_cols,
                                                 RESULTS_TASKS_NCOLS);
    char *hosts = xstrdup(""), *cpus = xstrdup("");
    const char *start = NULL;
    double wall = 0;
    int64_t gt_k = 0, busy = 0;

    for (size_t i = 0; i < n; i++) {
        const struct result_set *rs = &f[i].rs;
        const char *host = results_attr_text(rs, "host"), *cpu = results_attr_text(rs, "cpu_model");
        const char *st = results_attr_text(rs, "start_time");
        union result_cell c[6];
        c[0].i = f[i].index;
        c[1].i = utc_seconds(st);
        c[2].f = attr_float(rs, "wall_s");
        c[3].i = (int64_t)(i ? rs->n_rows : first_rows);
        c[4].i = line_index(&hosts, host ? host : "unknown");
        c[5].i = line_index(&cpus, cpu ? cpu : "unknown");
        if (t)
            results_table_append(t, c);
        if (st && (!start || strcmp(st, start) < 0))
            start = st;
        wall = fmax(wall, c[2].f);
        gt_k = attr_int(rs, "gt_k", 0) > gt_k ? attr_int(rs, "gt_k", 0) : gt_k;
        busy |= attr_int(rs, "machine_busy", 0) > 0;
    }
    hosts[strlen(hosts) ? strlen(hosts) - 1 : 0] = '\0';
    cpus[strlen(cpus) ? strlen(cpus) - 1 : 0] = '\0';
    results_attr_str(m, "tasks_hosts", hosts);
    results_attr_str(m, "tasks_cpu_models", cpus);
    if (strchr(cpus, '\n'))
        results_attr_str(m, "cpu_model", "mixed (see tasks_cpu_models)");
    if (start) {
        char *earliest = xstrdup(start);  /* may be m's own, which the call replaces */
        results_attr_str(m, "start_time", earliest);
        free(earliest);
    }
    results_attr_float(m, "wall_s", wall);
    results_attr_int(m, "gt_k", gt_k);
    results_attr_int(m, "machine_busy", busy);
    results_attr_int(m, "merged_tasks", (int64_t)n);
    results_attr_del(m, "task_index");
    results_attr_del(m, "task_points");
    results_attr_del(m, "host");
    free(hosts);
    free(cpus);
}

/* Whether an attribute is a share of a task's wall time (cost_<phase>_s,
 * journal_s, faiss_s): summed over the tasks. */
static int is_cost_attr(const char *name)
{
    size_t n = strlen(name);
    return !strcmp(name, "journal_s") || !strcmp(name, "faiss_s") ||
           (n > strlen("cost__s") && !strncmp(name, "cost_", 5) && !strcmp(name + n - 2, "_s"));
}

/* m's cost attributes (task 0's) as the sums over the n tasks: they then
 * add up to the sum of the tasks' wall times (/tasks). */
static void sum_costs(struct result_set *m, const struct task_file *f, size_t n)
{
    for (size_t a = 0; a < m->n_attrs; a++) {
        double sum = 0;
        if (!is_cost_attr(m->attrs[a].name))
            continue;
        for (size_t i = 0; i < n; i++) {
            double v = attr_float(&f[i].rs, m->attrs[a].name);
            sum += isfinite(v) ? v : 0;
        }
        m->attrs[a].type = ATTR_FLOAT;
        m->attrs[a].f = sum;
    }
}

static int by_index(const void *a, const void *b)
{
    const struct task_file *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The merged set, in m (the first task's set, moved), written to out. */
static int write_merged(struct task_file *f, size_t n, const char *out)
{
    struct result_set *m = &f[0].rs;
    const struct result_table *o;
    size_t *key;
    int rc;

    struct result_table *tr;
    size_t first_rows = m->n_rows;      /* task 0's: m is its set */

    for (size_t i = 1; i < n; i++)
        append_set(m, &f[i].rs);
    /* Which task measured each row: summary flags families measured on
     * several CPU models. */
    if ((tr = results_table_add(m, RESULTS_TASK_ROWS, results_task_rows_cols,
                                 RESULTS_TASK_ROWS_NCOLS))) {
        size_t row = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t r = 0; r < (i ? f[i].rs.n_rows : first_rows); r++, row++) {
                union result_cell c[2] = { { .i = (int64_t)row }, { .i = f[i].index } };
                results_table_append(tr, c);
            }
    }
    o = results_table(m, RESULTS_ORDINALS);
    key = xmalloc((m->n_rows ? m->n_rows : 1) * sizeof(*key));
    for (size_t r = 0; r < o->n_rows; r++) {
        int64_t row = o->cells[r * o->n_cols].i, ord = o->cells[r * o->n_cols + 1].i;
        if (row >= 0 && (size_t)row < m->n_rows)
            key[row] = (size_t)ord;
    }
    results_reorder(m, key);
    free(key);
    results_table_del(m, RESULTS_ORDINALS);
    provenance(m, f, n, first_rows);
    sum_costs(m, f, n);
    rc = results_write(m, out);
    if (!rc)
        printf("merged %zu tasks, %zu rows: %s\n", n, m->n_rows, out);
    return rc ? 1 : 0;
}

int merge_tasks(const char *const *paths, size_t n, const char *out)
{
    struct task_file *f = xcalloc(n, sizeof(*f));
    size_t bad = 0;
    int rc = read_all(f, paths, n);

    if (!rc) {
        const struct result_table *o;
        long count = (long)attr_int(&f[0].rs, "task_count", 0);
        for (size_t i = 0; i < n; i++)
            bad += check_file(&f[i], &f[0]);
        bad += check_tasks(f, n, count);
        for (size_t i = 0; !bad && i < n; i++)
            if ((o = results_table(&f[i].rs, RESULTS_ORDINALS)) && o->n_rows != f[i].rs.n_rows &&
                ++bad)
                error("'%s': /%s has %zu rows for %zu rows of /runs", f[i].path,
                      RESULTS_ORDINALS, o->n_rows, f[i].rs.n_rows);
        rc = bad ? 1 : 0;
    }
    if (!rc) {
        qsort(f, n, sizeof(*f), by_index);
        rc = write_merged(f, n, out);
    }
    for (size_t i = 0; i < n; i++)
        results_release(&f[i].rs);
    free(f);
    return rc;
}
