/*
 * results.c - the in-memory result set: the generic columns of /runs (one
 * table: name, type, role, unit, help, and where the value lives in struct
 * result_row), the columns measures add, side tables, attributes, lookups
 * by name, and the schema as Markdown. The HDF5 file is results_h5.c.
 */
#include "out/results.h"
#include "out/measure.h"
#include "lib/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct generic_col {
    struct col_def def;
    size_t off, size;   /* in struct result_row */
    int since;          /* schema version that added it */
};

#define COL(f, type, role, unit, help, since)                                   \
    { { #f, type, role, unit, help }, offsetof(struct result_row, f),           \
      sizeof(((struct result_row *)0)->f), since }

/* Before the recall columns, in file order. */
static const struct generic_col head_cols[] = {
    COL(family, COL_STR, ROLE_SETTING, "",
        "the entry's label, else its factory template as configured (e.g. `IVF{nlist},Flat`, "
        "with ` [indexes[i]]` when templates repeat), then its preprocessing", 1),
    COL(factory, COL_STR, ROLE_SETTING, "", "resolved factory string, e.g. `IVF980,Flat`", 1),
    COL(metric, COL_STR, ROLE_SETTING, "", "`l2`, `ip` or `cosine`", 1),
    COL(N, COL_I64, ROLE_SETTING, "",
        "base vectors indexed (varies along a scale ladder, `dataset.sizes`)", 1),
    COL(nlist, COL_I64, ROLE_SETTING, "", "IVF lists; 0 without IVF", 1),
    COL(nprobe, COL_I64, ROLE_SETTING, "", "lists probed; 0 when not applicable", 1),
    COL(k_factor, COL_I64, ROLE_SETTING, "",
        "re-ranking factor (`k_factor_rf`); 0 when not applicable", 1),
    COL(preprocess, COL_STR, ROLE_SETTING, "",
        "preprocessing of this build, `\"\"` for none, e.g. `shuffle,kmeans=10000,qe=queries:a3:n4`", 1),
    COL(n_clusters, COL_I64, ROLE_SETTING, "",
        "k-means compression of the base to this many centroids; 0 = none", 1),
    COL(train_s, COL_F64, ROLE_TIME, "s",
        "seconds to train the index: what this build trained itself (with reused coarse "
        "centroids, only the rest: PQ codebooks, scalar-quantizer ranges; see "
        "`train_reused_s`)", 1),
    COL(add_s, COL_F64, ROLE_TIME, "s", "seconds to add the base", 1),
    COL(qps, COL_F64, ROLE_TIME, "1/s",
        "batch queries per second: all queries in each call, all batch threads, the median "
        "over the repetitions (each `batch_calls` calls lasting at least `min_time`, after "
        "`warmup`; before schema 4: the best of `repeats` single calls)", 1),
    COL(lat_mean_us, COL_F64, ROLE_TIME, "us",
        "mean single-query latency: one thread, each of `latency_queries` queries timed alone "
        "in each of `lat_rounds` rounds, all rounds pooled; NaN when none were timed", 1),
    COL(lat_p50_us, COL_F64, ROLE_TIME, "us", "median single-query latency (rounds pooled)", 1),
    COL(lat_p95_us, COL_F64, ROLE_TIME, "us", "95th percentile single-query latency", 1),
    COL(lat_p99_us, COL_F64, ROLE_TIME, "us", "99th percentile single-query latency", 1),
    COL(index_bytes, COL_I64, ROLE_SIZE, "bytes", "serialized size of the index (counted, not written)", 1),
    COL(rss_delta_bytes, COL_I64, ROLE_SIZE, "bytes", "growth of the process RSS while building", 1),
    COL(ndis_per_query, COL_F64, ROLE_SIZE, "",
        "IVF distance computations per query (`faiss_get_indexIVF_stats`): the inverted-list "
        "scan only, not the exact re-ranking of `RFlat`; NaN without IVF", 1),
};
/* After the recall columns, before the cells. */
static const struct generic_col mid_cols[] = {
    COL(missing_ids, COL_I64, ROLE_QUALITY, "",
        "result slots holding -1 (fewer than k found) over all queries at the largest k; "
        "they count as misses", 1),
};
/* After the cells. */
static const struct generic_col tail_cols[] = {
    COL(prep_s, COL_F64, ROLE_TIME, "s",
        "seconds of preprocessing of the base before training (shuffle, expansion, k-means); "
        "0 with none. The `base` and `both` builds of one expansion share it (computed once "
        "per run, it is an exact k-NN of the base against itself); both rows carry the seconds "
        "it took (schema 2)", 2),
    COL(quantizer_reused, COL_I64, ROLE_SIZE, "",
        "1 when the build took its coarse centroids (IVF with a flat quantizer) from the "
        "quantizer cache, trained by an earlier build of this run or of an earlier run; 0 "
        "when it trained them. Role size (a cost of the build), so that runs with and "
        "without reuse pool together (schema 4)", 4),
    COL(train_reused_s, COL_F64, ROLE_TIME, "s",
        "seconds the reused coarse centroids took to train when first trained (`train_s` "
        "then counts only what this build trained on top of them); 0 without reuse "
        "(schema 4)", 4),
    COL(train_rows, COL_I64, ROLE_SETTING, "",
        "`indexes[].train_rows`: the build was trained on its first this many base rows; 0 = "
        "all of them. A setting, but not a match key of `compare` (schema 5; older files "
        "read as 0)", 5),
    COL(qps_lo, COL_F64, ROLE_TIME, "1/s",
        "bootstrap 95% interval of the median qps, low end (2000 resamples of the repetitions, "
        "seeded); NaN with fewer than 2 repetitions (schema 4)", 4),
    COL(qps_hi, COL_F64, ROLE_TIME, "1/s", "the same interval's high end (schema 4)", 4),
    COL(qps_cv, COL_F64, ROLE_TIME, "",
        "coefficient of variation (sample sd / mean) of the repetitions' qps; NaN with fewer "
        "than 2 (schema 4)", 4),
    COL(batch_calls, COL_I64, ROLE_TIME, "",
        "batch calls per repetition, calibrated so one repetition lasts at least `min_time` "
        "(schema 4)", 4),
    COL(batch_reps, COL_I64, ROLE_TIME, "",
        "repetitions timed: `repeats`, fewer when they would not fit in `max_time` (schema 4)", 4),
    COL(lat_rounds, COL_I64, ROLE_TIME, "",
        "latency rounds timed: `latency_rounds`, fewer within `max_time`; 0 when none (schema 4)", 4),
    COL(lat_p50_cv, COL_F64, ROLE_TIME, "",
        "coefficient of variation of the rounds' p50 latency; NaN with fewer than 2 rounds "
        "(schema 4)", 4),
    COL(lat_p99_cv, COL_F64, ROLE_TIME, "", "the same for the rounds' p99 (schema 4)", 4),
    COL(noisy, COL_I64, ROLE_TIME, "",
        "1 when the qps interval reaches further than `measure.noisy` (10%) from `qps` on "
        "either side, or `lat_p50_cv` exceeds it; else 0 (-1 when neither could be computed: "
        "one repetition, no latency rounds): a noisy point's speed is known only to worse "
        "than that precision (schema 4)", 4),
    COL(status, COL_STR, ROLE_STATUS, "",
        "`ok`, `skipped: <reason>` or `failed: <reason>`; measurements of rows that did not "
        "run are NaN or -1", 1),
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The tables of scale-out (docs/scale-out.md): a task's /ordinals; a
 * merged file's /tasks and /task_rows. */
const struct col_def results_ordinals_cols[RESULTS_ORDINALS_NCOLS] = {
    { "run_row", COL_I64, ROLE_SETTING, "", "the row of `/runs`" },
    { "ordinal", COL_I64, ROLE_SETTING, "", "its point's position in the whole grid" },
};
const struct col_def results_tasks_cols[RESULTS_TASKS_NCOLS] = {
    { "task", COL_I64, ROLE_SETTING, "", "the task's index" },
    { "start_s", COL_I64, ROLE_TIME, "s", "its start, Unix time (UTC)" },
    { "wall_s", COL_F64, ROLE_TIME, "s", "its wall time" },
    { "rows", COL_I64, ROLE_SETTING, "", "its rows of `/runs`" },
    { "host", COL_I64, ROLE_SETTING, "", "line of the attribute `tasks_hosts` (from 0)" },
    { "cpu_model", COL_I64, ROLE_SETTING, "", "line of the attribute `tasks_cpu_models` (from 0)" },
};
const struct col_def results_task_rows_cols[RESULTS_TASK_ROWS_NCOLS] = {
    { "run_row", COL_I64, ROLE_SETTING, "", "a row of `/runs`" },
    { "task", COL_I64, ROLE_SETTING, "", "the task that measured it (a row of `/tasks`)" },
};

const struct col_def results_timing_cols[TIMING_NCOLS] = {
    [TIMING_RUN_ROW] = { "run_row", COL_I64, ROLE_SETTING, "", "the row of `/runs`" },
    [TIMING_KIND] = { "kind", COL_I64, ROLE_SETTING, "",
                      "0 = batch repetition, 1 = latency round (single queries, one thread)" },
    [TIMING_REPETITION] = { "repetition", COL_I64, ROLE_SETTING, "",
                            "the repetition or round of the point, from 0, in time order" },
    [TIMING_SECONDS] = { "seconds", COL_F64, ROLE_TIME, "s",
                         "wall seconds of the repetition's calls (of the round's timed queries)" },
    [TIMING_CALLS] = { "calls", COL_I64, ROLE_TIME, "",
                       "batch calls of all queries (queries timed alone in the round)" },
    [TIMING_P50_US] = { "p50_us", COL_F64, ROLE_TIME, "us", "the round's median latency; NaN for batch" },
    [TIMING_P99_US] = { "p99_us", COL_F64, ROLE_TIME, "us", "the round's 99th percentile; NaN for batch" },
};

static const char recall_help[] =
    "k-recall@k for each k of the run: \\|returned top k ∩ true top k\\| / k, the true set "
    "extended over ids tied with the k-th distance";
static const char recall1_help[] =
    "1-recall@k: share of queries whose true nearest neighbour (or one tied with it) is in "
    "the returned top k";

static void put_generic(struct run_column *c, const struct generic_col *g, int index)
{
    snprintf(c->name, sizeof(c->name), "%s", g->def.name);
    c->type = g->def.type;
    c->role = g->def.role;
    c->off = g->off;
    c->size = g->size;
    c->since = g->since;
    c->generic = index;
    c->unit = g->def.unit;
    c->help = g->def.help;
}

static size_t put_list(struct run_column *cols, size_t n, const struct generic_col *g,
                       size_t count, int *index)
{
    for (size_t i = 0; i < count; i++)
        put_generic(&cols[n++], &g[i], (*index)++);
    return n;
}

size_t results_columns(const struct result_set *rs, struct run_column *cols)
{
    size_t n = 0;
    int g = 0;

    n = put_list(cols, n, head_cols, N_OF(head_cols), &g);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < rs->n_ks; i++) {
            struct run_column *c = &cols[n++];
            snprintf(c->name, sizeof(c->name), "%s_%ld", pass ? "recall1_at" : "recall_at", rs->ks[i]);
            c->type = COL_F64;
            c->role = ROLE_QUALITY;
            c->off = (pass ? offsetof(struct result_row, recall1_at)
                           : offsetof(struct result_row, recall_at)) + i * sizeof(double);
            c->size = sizeof(double);
            c->since = 1;
            c->generic = -1;
            c->unit = "";
            c->help = pass ? recall1_help : recall_help;
        }
    }
    n = put_list(cols, n, mid_cols, N_OF(mid_cols), &g);
    for (size_t i = 0; i < rs->n_cols; i++) {
        struct run_column *c = &cols[n++];
        snprintf(c->name, sizeof(c->name), "%s", rs->cols[i].name);
        c->type = rs->cols[i].type;
        c->role = rs->cols[i].role;
        c->off = offsetof(struct result_row, cells) + i * sizeof(union result_cell);
        c->size = sizeof(union result_cell);
        c->since = 1;
        c->generic = -1;
        c->unit = rs->cols[i].unit;
        c->help = rs->cols[i].help;
    }
    return put_list(cols, n, tail_cols, N_OF(tail_cols), &g);
}

/* ---- the in-memory set ---- */

void results_init(struct result_set *rs, const long *ks, size_t n_ks)
{
    memset(rs, 0, sizeof(*rs));
    for (size_t i = 0; i < n_ks && i < RESULTS_MAX_KS; i++)
        rs->ks[i] = ks[i];
    rs->n_ks = n_ks < RESULTS_MAX_KS ? n_ks : RESULTS_MAX_KS;
}

/* Is name a column of the set already (generic, recall or cell)? */
static int taken(const struct result_set *rs, const char *name)
{
    struct run_column cols[RESULTS_MAX_COLUMNS];
    size_t n = results_columns(rs, cols);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cols[i].name, name))
            return 1;
    return 0;
}

static int put_col(struct result_col *c, const struct col_def *d, const char *what)
{
    if (d->type == COL_STR)
        return error("cannot add column '%s' to %s: only numeric columns can be added",
                     d->name, what);
    if (strlen(d->name) >= sizeof(c->name))
        return error("cannot add column '%s' to %s: a name has at most %d characters",
                     d->name, what, COL_NAME - 1);
    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", d->name);
    c->type = d->type;
    c->role = d->role;
    c->unit = d->unit;
    c->help = d->help;
    return 0;
}

int results_add_columns(struct result_set *rs, const struct col_def *cols, size_t n)
{
    int first = (int)rs->n_cols;

    if (rs->n_cols + n > RESULTS_MAX_CELLS)
        return error("cannot add %zu columns to /runs: it holds at most %d beyond the generic ones",
                     n, RESULTS_MAX_CELLS);
    for (size_t i = 0; i < n; i++) {
        if (taken(rs, cols[i].name))
            return error("cannot add column '%s' to /runs: the name is taken", cols[i].name);
        if (put_col(&rs->cols[rs->n_cols], &cols[i], "/runs"))
            return -1;
        /* rows already there get the column unset */
        for (size_t r = 0; r < rs->n_rows; r++)
            rs->rows[r].cells[rs->n_cols] = col_unset(cols[i].type);
        rs->n_cols++;
    }
    return first;
}

int results_cell(const struct result_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_cols; i++)
        if (!strcmp(rs->cols[i].name, name))
            return (int)i;
    return -1;
}

static void know(struct result_col *c, const struct col_def *cols, size_t n)
{
    for (size_t j = 0; c->role == ROLE_UNKNOWN && j < n; j++) {
        if (!strcmp(c->name, cols[j].name)) {
            c->role = cols[j].role;
            c->unit = cols[j].unit;
            c->help = cols[j].help;
        }
    }
}

void results_know_columns(struct result_set *rs, const struct col_def *cols, size_t n)
{
    for (size_t i = 0; i < rs->n_cols; i++)
        know(&rs->cols[i], cols, n);
    for (size_t t = 0; t < rs->n_tables; t++)
        for (size_t i = 0; i < rs->tables[t].n_cols; i++)
            know(&rs->tables[t].cols[i], cols, n);
}

void results_row_init(const struct result_set *rs, struct result_row *row)
{
    struct run_column cols[RESULTS_MAX_COLUMNS];
    size_t n = results_columns(rs, cols);

    memset(row, 0, sizeof(*row));
    for (size_t i = 0; i < n; i++) {
        union result_cell v = col_unset(cols[i].type);
        if (cols[i].role != ROLE_SETTING && cols[i].type != COL_STR)
            memcpy((char *)row + cols[i].off, &v, sizeof(v));
    }
    for (size_t i = 0; i < RESULTS_MAX_KS; i++)
        row->recall_at[i] = row->recall1_at[i] = NAN;
}

void results_add_row(struct result_set *rs, const struct result_row *row)
{
    if (rs->n_rows == rs->cap_rows) {
        rs->cap_rows = rs->cap_rows ? 2 * rs->cap_rows : 64;
        rs->rows = xrealloc(rs->rows, rs->cap_rows * sizeof(*rs->rows));
    }
    rs->rows[rs->n_rows++] = *row;
}

int results_find(const struct result_set *rs, const char *name, struct run_column *col)
{
    struct run_column cols[RESULTS_MAX_COLUMNS];
    size_t n = results_columns(rs, cols);

    for (size_t i = 0; i < n; i++) {
        if (strcmp(cols[i].name, name))
            continue;
        if (cols[i].generic >= 0 && (rs->lacks >> cols[i].generic) & 1)
            return -1;
        *col = cols[i];
        return 0;
    }
    return -1;
}

double results_cell_value(const struct result_row *row, const struct run_column *c)
{
    union result_cell x;
    if (c->type == COL_STR)
        return NAN;
    memcpy(&x, (const char *)row + c->off, sizeof(x));
    return c->type == COL_I64 ? (double)x.i : x.f;
}

int results_value(const struct result_set *rs, const struct result_row *row, const char *name,
                  double *v)
{
    struct run_column c;

    *v = NAN;
    if (results_find(rs, name, &c) || c.type == COL_STR)
        return -1;
    *v = results_cell_value(row, &c);
    return 0;
}

/* Row order for results_reorder: by key, then by position. */
struct reorder_item {
    size_t key, pos;
};

static int reorder_cmp(const void *a, const void *b)
{
    const struct reorder_item *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Renumber a table's run_row through where[] (old row -> new row), then
 * order its rows by run_row, stably. */
static void reorder_table(struct result_table *t, const size_t *where, size_t n_rows)
{
    int rc = results_table_col(t, "run_row");
    struct reorder_item *it;
    union result_cell *cells;

    if (rc < 0 || !t->n_rows)
        return;
    it = xmalloc(t->n_rows * sizeof(*it));
    for (size_t i = 0; i < t->n_rows; i++) {
        union result_cell *c = &t->cells[i * t->n_cols + (size_t)rc];
        if (c->i >= 0 && (uint64_t)c->i < n_rows)
            c->i = (int64_t)where[c->i];
        it[i] = (struct reorder_item){ (size_t)c->i, i };
    }
    qsort(it, t->n_rows, sizeof(*it), reorder_cmp);
    cells = xmalloc(t->n_rows * t->n_cols * sizeof(*cells));
    for (size_t i = 0; i < t->n_rows; i++)
        memcpy(cells + i * t->n_cols, t->cells + it[i].pos * t->n_cols,
               t->n_cols * sizeof(*cells));
    free(t->cells);
    t->cells = cells;
    t->cap_rows = t->n_rows;
    free(it);
}

void results_reorder(struct result_set *rs, const size_t *key)
{
    struct reorder_item *it;
    struct result_row *rows;
    size_t *where;

    if (!rs->n_rows)
        return;
    it = xmalloc(rs->n_rows * sizeof(*it));
    where = xmalloc(rs->n_rows * sizeof(*where));
    rows = xmalloc(rs->n_rows * sizeof(*rows));
    for (size_t i = 0; i < rs->n_rows; i++)
        it[i] = (struct reorder_item){ key[i], i };
    qsort(it, rs->n_rows, sizeof(*it), reorder_cmp);
    for (size_t i = 0; i < rs->n_rows; i++) {
        rows[i] = rs->rows[it[i].pos];
        where[it[i].pos] = i;
    }
    free(rs->rows);
    rs->rows = rows;
    rs->cap_rows = rs->n_rows;
    for (size_t t = 0; t < rs->n_tables; t++)
        reorder_table(&rs->tables[t], where, rs->n_rows);
    free(where);
    free(it);
}

/* ---- side tables ---- */

struct result_table *results_table(const struct result_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_tables; i++)
        if (!strcmp(rs->tables[i].name, name))
            return (struct result_table *)&rs->tables[i];
    return NULL;
}

void results_table_del(struct result_set *rs, const char *name)
{
    struct result_table *t = results_table(rs, name);
    size_t i;

    if (!t)
        return;
    i = (size_t)(t - rs->tables);
    free(t->cells);
    memmove(&rs->tables[i], &rs->tables[i + 1], (rs->n_tables - i - 1) * sizeof(*t));
    rs->n_tables--;
    memset(&rs->tables[rs->n_tables], 0, sizeof(*t));
}

struct result_table *results_table_add(struct result_set *rs, const char *name,
                                       const struct col_def *cols, size_t n)
{
    struct result_table *t;
    char what[COL_NAME + 8];

    if (rs->n_tables == RESULTS_MAX_TABLES || n > RESULTS_MAX_TABLE_COLS) {
        error("cannot add table '/%s': at most %d tables of %d columns", name,
              RESULTS_MAX_TABLES, RESULTS_MAX_TABLE_COLS);
        return NULL;
    }
    if (!strcmp(name, "runs") || results_table(rs, name) || strlen(name) >= COL_NAME) {
        error("cannot add table '/%s': the name is taken or too long", name);
        return NULL;
    }
    t = &rs->tables[rs->n_tables];
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "%s", name);
    snprintf(what, sizeof(what), "/%s", name);
    for (size_t i = 0; i < n; i++) {
        if (results_table_col(t, cols[i].name) >= 0) {
            error("cannot add column '%s' to /%s: the name is taken", cols[i].name, name);
            return NULL;
        }
        if (put_col(&t->cols[t->n_cols], &cols[i], what))
            return NULL;
        t->n_cols++;
    }
    rs->n_tables++;
    return t;
}

void results_table_append(struct result_table *t, const union result_cell *row)
{
    if (t->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? 2 * t->cap_rows : 64;
        t->cells = xrealloc(t->cells, t->cap_rows * t->n_cols * sizeof(*t->cells));
    }
    memcpy(t->cells + t->n_rows * t->n_cols, row, t->n_cols * sizeof(*row));
    t->n_rows++;
}

int results_table_col(const struct result_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_cols; i++)
        if (!strcmp(t->cols[i].name, name))
            return (int)i;
    return -1;
}

/* ---- attributes ---- */

/* The attribute called `name`, emptied for a new value, or a new one. */
static struct result_attr *attr_slot(struct result_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_attrs; i++) {
        if (!strcmp(rs->attrs[i].name, name)) {
            free(rs->attrs[i].s);
            rs->attrs[i].s = NULL;
            return &rs->attrs[i];
        }
    }
    rs->attrs = xrealloc(rs->attrs, (rs->n_attrs + 1) * sizeof(*rs->attrs));
    struct result_attr *a = &rs->attrs[rs->n_attrs++];
    memset(a, 0, sizeof(*a));
    a->name = xstrdup(name);
    return a;
}

void results_attr_str(struct result_set *rs, const char *name, const char *value)
{
    struct result_attr *a = attr_slot(rs, name);
    a->type = ATTR_STR;
    a->s = xstrdup(value);
}

void results_attr_int(struct result_set *rs, const char *name, int64_t value)
{
    struct result_attr *a = attr_slot(rs, name);
    a->type = ATTR_INT;
    a->i = value;
}

void results_attr_float(struct result_set *rs, const char *name, double value)
{
    struct result_attr *a = attr_slot(rs, name);
    a->type = ATTR_FLOAT;
    a->f = value;
}

void results_attr_del(struct result_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_attrs; i++) {
        if (!strcmp(rs->attrs[i].name, name)) {
            free(rs->attrs[i].name);
            free(rs->attrs[i].s);
            memmove(&rs->attrs[i], &rs->attrs[i + 1], (rs->n_attrs - i - 1) * sizeof(*rs->attrs));
            rs->n_attrs--;
            return;
        }
    }
}

const struct result_attr *results_attr(const struct result_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_attrs; i++)
        if (!strcmp(rs->attrs[i].name, name))
            return &rs->attrs[i];
    return NULL;
}

const char *results_attr_text(const struct result_set *rs, const char *name)
{
    const struct result_attr *a = results_attr(rs, name);
    return a && a->type == ATTR_STR && a->s && *a->s ? a->s : NULL;
}

int results_row_ok(const struct result_row *r)
{
    return !strcmp(r->status, "ok");
}

void results_release(struct result_set *rs)
{
    for (size_t i = 0; i < rs->n_attrs; i++) {
        free(rs->attrs[i].name);
        free(rs->attrs[i].s);
    }
    free(rs->attrs);
    free(rs->rows);
    for (size_t i = 0; i < rs->n_tables; i++)
        free(rs->tables[i].cells);
    memset(rs, 0, sizeof(*rs));
}

/* ---- the schema ---- */

static void schema_row(FILE *f, const char *name, enum col_type type, enum col_role role,
                       const char *unit, const char *help)
{
    fprintf(f, "| `%s` | %s | %s | %s | %s |\n", name, col_type_name(type), col_role_name(role),
            unit && *unit ? unit : "", help ? help : "");
}

static void schema_list(FILE *f, const struct generic_col *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        schema_row(f, g[i].def.name, g[i].def.type, g[i].def.role, g[i].def.unit, g[i].def.help);
}


/* One side table of the schema: its heading, then its columns. */
static void schema_table(FILE *f, const char *name, const char *what, const struct col_def *cols,
                         size_t n)
{
    fprintf(f, "\n`/%s` (%s):\n\n| column | type | role | unit | meaning |\n|---|---|---|---|---|\n",
            name, what);
    for (size_t i = 0; i < n; i++)
        schema_row(f, cols[i].name, cols[i].type, cols[i].role, cols[i].unit, cols[i].help);
}

void results_print_schema(FILE *f, const struct measure *const *measures, size_t n)
{
    fputs("| column | type | role | unit | meaning |\n|---|---|---|---|---|\n", f);
    schema_list(f, head_cols, N_OF(head_cols));
    schema_row(f, "recall_at_<k>", COL_F64, ROLE_QUALITY, "", recall_help);
    schema_row(f, "recall1_at_<k>", COL_F64, ROLE_QUALITY, "", recall1_help);
    schema_list(f, mid_cols, N_OF(mid_cols));
    for (size_t m = 0; m < n; m++) {
        const struct measure *ms = measures[m];
        for (size_t i = 0; i < ms->n_cols; i++) {
            const struct col_def *c = &ms->cols[i];
            char *help = xasprintf("(%s) %s", ms->name, c->help ? c->help : "");
            schema_row(f, c->name, c->type, c->role, c->unit, help);
            free(help);
        }
    }
    schema_list(f, tail_cols, N_OF(tail_cols));
    fprintf(f, "\n`/%s` (raw timing samples, schema 4):\n\n| column | type | role | unit | meaning |\n"
            "|---|---|---|---|---|\n", RESULTS_TIMINGS);
    for (size_t i = 0; i < TIMING_NCOLS; i++) {
        const struct col_def *c = &results_timing_cols[i];
        schema_row(f, c->name, c->type, c->role, c->unit, c->help);
    }
    schema_table(f, RESULTS_ORDINALS, "a task's file, `run --task`, with the attributes `run_id`, "
                 "`task_index`, `task_count`, `plan_hash`: which grid point each row is",
                 results_ordinals_cols, RESULTS_ORDINALS_NCOLS);
    schema_table(f, RESULTS_TASKS, "a merged file: one row per task, with the attributes "
                 "`run_id`, `task_count`, `plan_hash`, `merged_tasks`, `tasks_hosts`, "
                 "`tasks_cpu_models`", results_tasks_cols, RESULTS_TASKS_NCOLS);
    schema_table(f, RESULTS_TASK_ROWS, "a merged file: which task measured each row",
                 results_task_rows_cols, RESULTS_TASK_ROWS_NCOLS);
    for (size_t m = 0; m < n; m++) {
        const struct measure *ms = measures[m];
        if (!ms->table)
            continue;
        fprintf(f, "\n`/%s` (%s):\n\n| column | type | role | unit | meaning |\n"
                "|---|---|---|---|---|\n", ms->table, ms->name);
        for (size_t i = 0; i < ms->n_table_cols; i++) {
            const struct col_def *c = &ms->table_cols[i];
            schema_row(f, c->name, c->type, c->role, c->unit, c->help);
        }
    }
}
