/*
 * results.h - one row per sweep point, and the HDF5 file that holds them.
 *
 * The file has a compound dataset /runs (one row per point, one column per
 * column of the set, plain names), side tables (other 1-d compound
 * datasets, such as RVC's /blend, whose rows may point into /runs through a
 * column named run_row) and root attributes for provenance. Each table has
 * an attribute "roles": the role of each of its columns (columns.h). The
 * file is written to "<path>.partial" and renamed into place only when
 * complete.
 *
 * /runs has the generic columns (the fields of struct result_row below, in
 * the order of results_columns) and the columns the run's measures
 * register (measure.h), stored in the row's cells; a set read from a file
 * keeps every numeric column it does not know in the cells too, by name, so
 * later tools look them up with results_value.
 */
#ifndef FS_RESULTS_H
#define FS_RESULTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "out/columns.h"

#define RESULTS_MAX_KS 8
#define RESULTS_STR 96
#define RESULTS_MAX_CELLS 16        /* measure columns one set can hold */
#define RESULTS_MAX_TABLES 4        /* side tables one set can hold */
#define RESULTS_MAX_TABLE_COLS 16

struct result_row {
    char family[RESULTS_STR];   /* factory template as configured, e.g. "IVF{nlist},Flat" */
    char factory[RESULTS_STR];  /* resolved factory string, e.g. "IVF1024,Flat" */
    char metric[8];             /* "l2", "ip", "cosine" */
    int64_t N;                  /* base vectors indexed (a scale-ladder axis) */
    int64_t nlist;              /* 0 when the index has no IVF */
    int64_t nprobe;             /* 0 when not applicable */
    int64_t k_factor;           /* 0 when not applicable */
    char preprocess[48];        /* preprocessing of the base/queries, "" = none, e.g.
                                   "shuffle,kmeans=10000,qe=queries:a3:n4" */
    int64_t n_clusters;         /* k-means compression of the base; 0 = none */
    double train_s, add_s;
    double qps;                 /* batch queries per second, median of the repetitions */
    double lat_mean_us, lat_p50_us, lat_p95_us, lat_p99_us;  /* single query, 1 thread */
    int64_t index_bytes;        /* serialized size */
    int64_t rss_delta_bytes;    /* process RSS growth while building */
    double ndis_per_query;      /* IVF distance computations per query; NaN if not IVF */
    double recall_at[RESULTS_MAX_KS];   /* k-recall@k, ties extended, for each run k */
    double recall1_at[RESULTS_MAX_KS];  /* 1-recall@k: true nearest in the top k */
    int64_t missing_ids;        /* result slots holding -1, over all queries, at max k */
    double prep_s;              /* base preprocessing before training (shuffle, expansion,
                                   k-means), seconds; 0 when none */
    int64_t quantizer_reused;   /* 1: the build's coarse centroids came from the cache */
    double train_reused_s;      /* first training cost of the reused centroids; 0 if none */
    int64_t train_rows;         /* indexes[].train_rows: rows trained on; 0 = all (schema 5) */
    /* The spread of the timings (schema 4). */
    double qps_lo, qps_hi;      /* bootstrap 95% interval of the median qps */
    double qps_cv;              /* coefficient of variation of the repetitions' qps */
    int64_t batch_calls;        /* batch calls per repetition (calibrated) */
    int64_t batch_reps;         /* repetitions timed */
    int64_t lat_rounds;         /* latency rounds timed */
    double lat_p50_cv, lat_p99_cv;  /* CV of the rounds' p50 and p99 */
    int64_t noisy;              /* 1: qps interval or lat_p50_cv beyond measure.noisy */
    char status[64];            /* "ok", or "skipped: <reason>", or "failed: <reason>" */
    /* The set's measure columns: cells[i] is rs->cols[i]. */
    union result_cell cells[RESULTS_MAX_CELLS];
};

/* A numeric column of the cells or of a side table. */
struct result_col {
    char name[COL_NAME];
    enum col_type type;         /* COL_I64 or COL_F64 */
    enum col_role role;
    const char *unit, *help;    /* static text; NULL when read from a file */
};

/* A side table: rows of n_cols cells. A column named "run_row" holds a row
 * of /runs (checked on reading). */
struct result_table {
    char name[COL_NAME];        /* the dataset's name, without "/" */
    struct result_col cols[RESULTS_MAX_TABLE_COLS];
    size_t n_cols;
    union result_cell *cells;   /* n_rows x n_cols, row-major */
    size_t n_rows, cap_rows;
};

/* A root attribute: a string, an integer or a float. */
struct result_attr {
    char *name;
    enum { ATTR_STR, ATTR_INT, ATTR_FLOAT } type;
    char *s;
    int64_t i;
    double f;
};

struct result_set {
    long ks[RESULTS_MAX_KS];   /* the k values: columns recall_at_<k>, recall1_at_<k> */
    size_t n_ks;
    struct result_col cols[RESULTS_MAX_CELLS];  /* what each row's cells hold */
    size_t n_cols;
    struct result_row *rows;
    size_t n_rows, cap_rows;
    struct result_table tables[RESULTS_MAX_TABLES];
    size_t n_tables;
    uint64_t lacks;            /* read from a file without these generic columns (bit i:
                                  column i of results_columns); they read as NaN */
    struct result_attr *attrs;
    size_t n_attrs;
};

/* Start an empty set for these k values (n_ks <= RESULTS_MAX_KS; a zeroed
 * set is an empty set without ks). */
void results_init(struct result_set *rs, const long *ks, size_t n_ks);

/* Add the columns a measure registers (numeric, names not taken). Returns
 * the index of the first one in rs->cols and in every row's cells, or -1
 * after an error. Add columns before rows. */
int results_add_columns(struct result_set *rs, const struct col_def *cols, size_t n);
/* The cell index of a column, or -1. */
int results_cell(const struct result_set *rs, const char *name);
/* Set roles, units and help of cells whose role a file did not say (files
 * written before roles were stored), from declarations of those columns. */
void results_know_columns(struct result_set *rs, const struct col_def *cols, size_t n);

/* A row with its settings empty and everything measured unset: NaN for
 * floats, -1 for integers, in its fields and in the set's cells. */
void results_row_init(const struct result_set *rs, struct result_row *row);
/* Append a row (copied). */
void results_add_row(struct result_set *rs, const struct result_row *row);

/* The value of a numeric column by name (generic, recall_at_<k>,
 * recall1_at_<k>, or a cell) as a double. Returns 0, or -1 when the set has
 * no such column (or its file lacked it): *v is then NaN. */
int results_value(const struct result_set *rs, const struct result_row *row, const char *name,
                  double *v);

/* Add a side table with these columns (numeric). Returns it (valid as long
 * as rs), or NULL after an error (too many tables or columns, name taken). */
struct result_table *results_table_add(struct result_set *rs, const char *name,
                                       const struct col_def *cols, size_t n);
/* The side table called name, or NULL. */
struct result_table *results_table(const struct result_set *rs, const char *name);
/* Remove the side table called name (nothing if absent); the tables
 * after it move up. */
void results_table_del(struct result_set *rs, const char *name);
/* Append a row of t->n_cols cells (copied). */
void results_table_append(struct result_table *t, const union result_cell *row);
/* The index of a column of t, or -1. */
int results_table_col(const struct result_table *t, const char *name);

/* Put the rows in the order of key (key[i] the sort key of row i, n_rows of
 * them; equal keys keep their order) and every side table's column
 * "run_row" with them: each table's rows are renumbered and then ordered by
 * run_row (stably). A resumed run's rows, replayed then measured, end in
 * the order of an uninterrupted run this way. */
void results_reorder(struct result_set *rs, const size_t *key);

/* Set attributes (copied; replaces one of the same name). */
void results_attr_str(struct result_set *rs, const char *name, const char *value);
void results_attr_int(struct result_set *rs, const char *name, int64_t value);
void results_attr_float(struct result_set *rs, const char *name, double value);
/* Remove an attribute (nothing if absent). */
void results_attr_del(struct result_set *rs, const char *name);
/* Look up an attribute; NULL if absent. */
const struct result_attr *results_attr(const struct result_set *rs, const char *name);
/* A non-empty string attribute's text (borrowed), else NULL. */
const char *results_attr_text(const struct result_set *rs, const char *name);
/* Whether a row's status is "ok". */
int results_row_ok(const struct result_row *r);

/* A column of /runs as a set lays it out: where its value lives in struct
 * result_row, and what it is. */
struct run_column {
    char name[COL_NAME];
    enum col_type type;
    enum col_role role;
    size_t off, size;           /* offset and bytes in struct result_row */
    int since;                  /* schema version that added it: older files may lack it */
    int generic;                /* index among the generic columns (the bit of rs->lacks),
                                   -1 for the recall and cell columns */
    const char *unit, *help;    /* static text, or NULL */
};
#define RESULTS_MAX_COLUMNS (48 + 2 * RESULTS_MAX_KS + RESULTS_MAX_CELLS)

/* Every column of /runs for this set, in file order: the generic columns,
 * recall_at_<k> and recall1_at_<k> for each k, missing_ids, the cells,
 * prep_s, status. Returns the count. */
size_t results_columns(const struct result_set *rs, struct run_column *cols);
/* The column called name: 0 with *col filled, or -1 when the set has none
 * or its file lacked it. */
int results_find(const struct result_set *rs, const char *name, struct run_column *col);
/* The value of column c (of rs's results_columns) in row as a double: NaN
 * for strings. */
double results_cell_value(const struct result_row *row, const struct run_column *c);

/* The side table of raw timing samples, /timings: one row per batch
 * repetition and per latency round of every point that ran. */
#define RESULTS_TIMINGS "timings"
enum { TIMING_RUN_ROW, TIMING_KIND, TIMING_REPETITION, TIMING_SECONDS, TIMING_CALLS,
       TIMING_P50_US, TIMING_P99_US, TIMING_NCOLS };
enum { TIMING_BATCH = 0, TIMING_SINGLE = 1 };   /* values of the kind column */
extern const struct col_def results_timing_cols[TIMING_NCOLS];

/* A task's file (run --task) says which grid point each row is:
 * /ordinals (run_row, ordinal); merge uses it, and writes per-task
 * provenance into /tasks (out/merge.h). */
#define RESULTS_ORDINALS "ordinals"
#define RESULTS_TASKS "tasks"
#define RESULTS_TASK_ROWS "task_rows"   /* merged: (run_row, task) */
#define RESULTS_ORDINALS_NCOLS 2
#define RESULTS_TASKS_NCOLS 6
#define RESULTS_TASK_ROWS_NCOLS 2
extern const struct col_def results_ordinals_cols[RESULTS_ORDINALS_NCOLS];
extern const struct col_def results_tasks_cols[RESULTS_TASKS_NCOLS];
extern const struct col_def results_task_rows_cols[RESULTS_TASK_ROWS_NCOLS];

/* Write the whole set to `path` atomically (".partial" then rename). Returns 0
 * or -1 after printing an error naming the file; no file is left on failure. */
int results_write(const struct result_set *rs, const char *path);
/* Read a file written by results_write (rows, ks from the column names,
 * every other numeric column into the cells, side tables, all root
 * attributes). Generic columns added after schema 1 may be absent (older
 * files): they read as NaN. Returns 0 or -1 with an error naming the file. */
int results_read(struct result_set *rs, const char *path);
/* Free contents; safe on a zeroed struct. */
void results_release(struct result_set *rs);

/* The schema of /runs and of the side tables as Markdown tables (column,
 * type, role, unit, meaning): the generic columns, then each given
 * measure's columns and side table. */
struct measure;
void results_print_schema(FILE *f, const struct measure *const *measures, size_t n);

/* results_read without its probe child (lib/h5.h h5_probe): the whole read
 * in this process, so a file that crashes or hangs HDF5 1.10 (a damaged
 * global heap, attribute table or B-tree) takes the caller down with it.
 * UNGUARDED: for the fuzz target (tests/fuzz/fuzz_results.c), which wants
 * the reader's own code in-process without a fork per input; the product
 * calls results_read. */
int results_read_unprobed(struct result_set *rs, const char *path);

#endif
