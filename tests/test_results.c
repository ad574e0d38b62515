/*
 * test_results.c - the result set and its HDF5 file: a full round trip with
 * measure columns and a side table, the column list and roles read with the
 * HDF5 API itself, lookups by name, files of older schemas, atomic writes,
 * one-line errors naming the file for missing, foreign and incomplete
 * files, and the schema as Markdown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <signal.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out/measure.h"
#include "out/results.h"
#include "lib/h5.h"
#include "lib/util.h"
#include "testutil.h"

static int setup(void **state)
{
    (void)state;
    return tmpdir_make("results");
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}


/* A string of exactly `len` characters (the most a field of len+1 holds). */
static void fill(char *dst, size_t len, char c)
{
    for (size_t i = 0; i < len; i++)
        dst[i] = (char)(c + (char)(i % 26));
    dst[len] = '\0';
}

/* Columns a measure would add (numeric; one of each role that applies). */
static const struct col_def extra_cols[] = {
    { "t_err", COL_F64, ROLE_QUALITY, "", "an error" },
    { "t_count", COL_I64, ROLE_QUALITY, "", "a count" },
    { "t_time_s", COL_F64, ROLE_TIME, "s", "a time" },
};
static const struct col_def side_cols[] = {
    { "run_row", COL_I64, ROLE_SETTING, "", "row of /runs" },
    { "rate", COL_F64, ROLE_SETTING, "", "an axis" },
    { "err", COL_F64, ROLE_QUALITY, "", "an error" },
};

/* nrows rows; with_extra: the three columns above and a side table "side". */
static void make_set_with(struct result_set *rs, size_t nrows, int with_extra)
{
    static const long ks[] = { 1, 10, 100 };
    results_init(rs, ks, 3);
    if (with_extra) {
        assert_int_equal(results_add_columns(rs, extra_cols, 3), 0);
        assert_non_null(results_table_add(rs, "side", side_cols, 3));
    }
    for (size_t r = 0; r < nrows; r++) {
        struct result_row row;
        results_row_init(rs, &row);
        fill(row.family, RESULTS_STR - 1, 'A');
        fill(row.factory, RESULTS_STR - 1 - r, 'a');
        strcpy(row.metric, r % 2 ? "cosine" : "l2");
        row.nlist = 1024 + (int64_t)r;
        row.N = 60000 + (int64_t)r;
        row.nprobe = 1 << r;
        row.k_factor = (int64_t)r;
        row.train_s = 1.5 + (double)r;
        row.quantizer_reused = (int64_t)(r % 2);
        row.train_reused_s = r % 2 ? 0.75 : 0;
        row.add_s = 0.25;
        row.qps = 12345.678 / (double)(r + 1);
        row.lat_mean_us = 10.5;
        row.lat_p50_us = 9.0;
        row.lat_p95_us = 20.0;
        row.lat_p99_us = 31.0;
        row.index_bytes = INT64_C(5000000000) + (int64_t)r;
        row.rss_delta_bytes = -4096;
        row.ndis_per_query = r == 0 ? NAN : 1e6 / (double)r;
        for (size_t k = 0; k < rs->n_ks; k++) {
            row.recall_at[k] = 0.5 + 0.1 * (double)k + 0.01 * (double)r;
            row.recall1_at[k] = 0.9 + 0.01 * (double)k;
        }
        row.missing_ids = (int64_t)r * 7;
        row.prep_s = 0.125 * (double)r;
        if (with_extra) {
            row.cells[0].f = r % 2 ? NAN : 0.01 * (double)r;
            row.cells[1].i = (int64_t)r - 1;
            row.cells[2].f = 1e-3 * (double)r;
        }
        if (r == nrows - 1)
            fill(row.status, sizeof(row.status) - 1, 'f');
        else
            strcpy(row.status, "ok");
        results_add_row(rs, &row);
    }
    results_attr_str(rs, "name", "sift-small");
    results_attr_str(rs, "empty", "");
    results_attr_str(rs, "config_text", "k: [1, 10, 100]\nindexes:\n  - factory: \"IVF{nlist},Flat\"\n");
    results_attr_int(rs, "n_base", 10000);
    results_attr_int(rs, "negative", INT64_MIN + 1);
    results_attr_float(rs, "elapsed_s", 3.25e-3);
    results_attr_float(rs, "name", 2.0);          /* replaces the string above */
    results_attr_str(rs, "name", "sift-small");   /* and back, at the same place */
}

static void make_set(struct result_set *rs, size_t nrows)
{
    make_set_with(rs, nrows, 1);
}

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void assert_rows_equal(const struct result_set *sa, const struct result_row *a,
                              const struct result_row *b, size_t n_ks)
{
    for (size_t i = 0; i < sa->n_cols; i++) {
        if (sa->cols[i].type == COL_I64)
            assert_int_equal(a->cells[i].i, b->cells[i].i);
        else
            assert_true(same_double(a->cells[i].f, b->cells[i].f));
    }
    assert_string_equal(a->family, b->family);
    assert_string_equal(a->factory, b->factory);
    assert_string_equal(a->metric, b->metric);
    assert_int_equal(a->nlist, b->nlist);
    assert_int_equal(a->N, b->N);
    assert_int_equal(a->nprobe, b->nprobe);
    assert_int_equal(a->k_factor, b->k_factor);
    assert_true(same_double(a->train_s, b->train_s));
    assert_int_equal(a->quantizer_reused, b->quantizer_reused);
    assert_true(same_double(a->train_reused_s, b->train_reused_s));
    assert_true(same_double(a->add_s, b->add_s));
    assert_true(same_double(a->qps, b->qps));
    assert_true(same_double(a->lat_mean_us, b->lat_mean_us));
    assert_true(same_double(a->lat_p50_us, b->lat_p50_us));
    assert_true(same_double(a->lat_p95_us, b->lat_p95_us));
    assert_true(same_double(a->lat_p99_us, b->lat_p99_us));
    assert_int_equal(a->index_bytes, b->index_bytes);
    assert_int_equal(a->rss_delta_bytes, b->rss_delta_bytes);
    assert_true(same_double(a->ndis_per_query, b->ndis_per_query));
    for (size_t k = 0; k < n_ks; k++) {
        assert_true(same_double(a->recall_at[k], b->recall_at[k]));
        assert_true(same_double(a->recall1_at[k], b->recall1_at[k]));
    }
    assert_int_equal(a->missing_ids, b->missing_ids);
    assert_true(same_double(a->prep_s, b->prep_s));
    assert_string_equal(a->status, b->status);
}

static void assert_sets_equal(const struct result_set *a, const struct result_set *b)
{
    assert_int_equal(a->n_ks, b->n_ks);
    for (size_t k = 0; k < a->n_ks; k++)
        assert_int_equal(a->ks[k], b->ks[k]);
    assert_int_equal(a->n_rows, b->n_rows);
    assert_int_equal(a->n_cols, b->n_cols);
    for (size_t i = 0; i < a->n_cols; i++) {
        assert_string_equal(a->cols[i].name, b->cols[i].name);
        assert_int_equal(a->cols[i].type, b->cols[i].type);
        assert_int_equal(a->cols[i].role, b->cols[i].role);
    }
    for (size_t r = 0; r < a->n_rows; r++)
        assert_rows_equal(a, &a->rows[r], &b->rows[r], a->n_ks);
    assert_int_equal(a->n_tables, b->n_tables);
    for (size_t t = 0; t < a->n_tables; t++) {
        const struct result_table *x = &a->tables[t], *y = results_table(b, x->name);
        assert_non_null(y);
        assert_int_equal(x->n_cols, y->n_cols);
        assert_int_equal(x->n_rows, y->n_rows);
        for (size_t i = 0; i < x->n_cols; i++) {
            assert_string_equal(x->cols[i].name, y->cols[i].name);
            assert_int_equal(x->cols[i].role, y->cols[i].role);
        }
        for (size_t i = 0; i < x->n_rows * x->n_cols; i++) {
            if (x->cols[i % x->n_cols].type == COL_I64)
                assert_int_equal(x->cells[i].i, y->cells[i].i);
            else
                assert_true(same_double(x->cells[i].f, y->cells[i].f));
        }
    }
    assert_int_equal(a->n_attrs, b->n_attrs);
    for (size_t i = 0; i < a->n_attrs; i++) {
        const struct result_attr *x = &a->attrs[i], *y = &b->attrs[i];
        assert_string_equal(x->name, y->name);   /* same order too */
        assert_int_equal(x->type, y->type);
        if (x->type == ATTR_STR)
            assert_string_equal(x->s, y->s);
        else if (x->type == ATTR_INT)
            assert_int_equal(x->i, y->i);
        else
            assert_true(same_double(x->f, y->f));
    }
}

static void test_attr_setters(void **state)
{
    struct result_set rs;
    (void)state;
    make_set(&rs, 0);
    assert_int_equal(rs.n_attrs, 6);
    const struct result_attr *a = results_attr(&rs, "name");
    assert_non_null(a);
    assert_int_equal(a->type, ATTR_STR);
    assert_string_equal(a->s, "sift-small");
    assert_string_equal(rs.attrs[0].name, "name");
    assert_null(results_attr(&rs, "nope"));
    results_release(&rs);
    results_release(&rs);   /* safe twice */
}

static void test_round_trip(void **state)
{
    struct result_set rs, back;
    char *path = xasprintf("%s/run.h5", tmpdir);
    (void)state;
    make_set(&rs, 5);
    assert_int_equal(results_write(&rs, path), 0);
    assert_true(exists(path));
    char *partial = xasprintf("%s.partial", path);
    assert_false(exists(partial));
    assert_int_equal(results_read(&back, path), 0);
    assert_sets_equal(&rs, &back);
    assert_int_equal(strlen(back.rows[0].family), RESULTS_STR - 1);
    assert_int_equal(strlen(back.rows[4].status), sizeof(back.rows[4].status) - 1);

    /* Writing again replaces the file. */
    results_release(&back);
    rs.n_rows = 2;
    assert_int_equal(results_write(&rs, path), 0);
    assert_int_equal(results_read(&back, path), 0);
    assert_int_equal(back.n_rows, 2);
    results_release(&back);
    results_release(&rs);
    free(partial);
    free(path);
}

static void test_empty_set(void **state)
{
    struct result_set rs, back;
    char *path = xasprintf("%s/empty.h5", tmpdir);
    (void)state;
    make_set(&rs, 0);
    rs.n_ks = 1;
    assert_int_equal(results_write(&rs, path), 0);
    assert_int_equal(results_read(&back, path), 0);
    assert_sets_equal(&rs, &back);
    results_release(&back);
    results_release(&rs);
    free(path);
}

static const char *const documented[] = {
    "family", "factory", "metric", "N", "nlist", "nprobe", "k_factor", "preprocess", "n_clusters",
    "train_s", "add_s", "qps", "lat_mean_us", "lat_p50_us", "lat_p95_us", "lat_p99_us",
    "index_bytes", "rss_delta_bytes", "ndis_per_query",
    "recall_at_1", "recall_at_10", "recall_at_100",
    "recall1_at_1", "recall1_at_10", "recall1_at_100",
    "missing_ids", "t_err", "t_count", "t_time_s", "prep_s", "quantizer_reused",
    "train_reused_s", "train_rows", "qps_lo", "qps_hi", "qps_cv", "batch_calls", "batch_reps", "lat_rounds",
    "lat_p50_cv", "lat_p99_cv", "noisy", "status",
};
static const char *const documented_roles[] = {
    "setting", "setting", "setting", "setting", "setting", "setting", "setting", "setting",
    "setting", "time", "time", "time", "time", "time", "time", "time", "size", "size", "size",
    "quality", "quality", "quality", "quality", "quality", "quality",
    "quality", "quality", "quality", "time", "time", "size", "time", "setting",
    "time", "time", "time", "time", "time", "time", "time", "time", "time", "status",
};

/* The "roles" attribute of a dataset, n strings (caller frees with free_roles). */
static char **read_roles(hid_t d, size_t n)
{
    hid_t a = H5Aopen(d, "roles", H5P_DEFAULT);
    hid_t sp = H5Aget_space(a), str = H5Tcopy(H5T_C_S1);
    char **v = calloc(n, sizeof(*v));
    H5Tset_size(str, H5T_VARIABLE);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), (hssize_t)n);
    assert_true(H5Aread(a, str, v) >= 0);
    H5Tclose(str);
    H5Sclose(sp);
    H5Aclose(a);
    return v;
}

static void free_roles(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        H5free_memory(v[i]);
    free(v);
}

/* Check the file with the HDF5 API itself, as h5py would see it. */
static void test_columns_in_file(void **state)
{
    struct result_set rs;
    char *path = xasprintf("%s/cols.h5", tmpdir);
    (void)state;
    make_set(&rs, 3);
    assert_int_equal(results_write(&rs, path), 0);

    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "runs", H5P_DEFAULT);
    hid_t t = H5Dget_type(d);
    hid_t sp = H5Dget_space(d);
    size_t n = sizeof(documented) / sizeof(documented[0]);
    assert_int_equal(H5Sget_simple_extent_ndims(sp), 1);
    assert_int_equal(H5Sget_simple_extent_npoints(sp), 3);
    assert_int_equal(H5Tget_nmembers(t), (int)n);
    for (size_t i = 0; i < n; i++) {
        char *name = H5Tget_member_name(t, (unsigned)i);
        hid_t mt = H5Tget_member_type(t, (unsigned)i);
        H5T_class_t cls = H5Tget_class(mt);
        assert_string_equal(name, documented[i]);
        if (i < 3 || i == n - 1 || !strcmp(name, "preprocess")) {
            assert_int_equal(cls, H5T_STRING);
            assert_int_equal(H5Tget_strpad(mt), H5T_STR_NULLTERM);
            assert_false(H5Tis_variable_str(mt));
        } else {
            int is_int = !strcmp(name, "N") || !strcmp(name, "nlist") || !strcmp(name, "nprobe") ||
                         !strcmp(name, "k_factor") || !strcmp(name, "n_clusters") ||
                         !strcmp(name, "index_bytes") || !strcmp(name, "rss_delta_bytes") ||
                         !strcmp(name, "missing_ids") || !strcmp(name, "t_count") ||
                         !strcmp(name, "quantizer_reused") || !strcmp(name, "train_rows") ||
                         !strcmp(name, "batch_calls") || !strcmp(name, "batch_reps") ||
                         !strcmp(name, "lat_rounds") || !strcmp(name, "noisy");
            assert_int_equal(cls, is_int ? H5T_INTEGER : H5T_FLOAT);
            assert_int_equal(H5Tget_size(mt), 8);
        }
        assert_int_equal(H5Tget_member_offset(t, (unsigned)i) + H5Tget_size(mt),
                         i + 1 < n ? H5Tget_member_offset(t, (unsigned)i + 1) : H5Tget_size(t));
        H5Tclose(mt);
        H5free_memory(name);
    }

    /* every column's role, in column order */
    char **roles = read_roles(d, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(roles[i], documented_roles[i]);
    free_roles(roles, n);
    /* the side table, with its own roles */
    hid_t st = H5Dopen2(f, "side", H5P_DEFAULT);
    assert_true(st >= 0);
    roles = read_roles(st, 3);
    assert_string_equal(roles[0], "setting");
    assert_string_equal(roles[2], "quality");
    free_roles(roles, 3);
    H5Dclose(st);

    /* ks as an int64 array, and the schema version. */
    int64_t ks[3] = { 0 }, version = 0;
    hid_t a = H5Aopen(f, "ks", H5P_DEFAULT);
    hid_t as = H5Aget_space(a);
    assert_int_equal(H5Sget_simple_extent_npoints(as), 3);
    assert_true(H5Aread(a, H5T_NATIVE_INT64, ks) >= 0);
    assert_int_equal(ks[0], 1);
    assert_int_equal(ks[2], 100);
    H5Sclose(as);
    H5Aclose(a);
    a = H5Aopen(f, "schema_version", H5P_DEFAULT);
    assert_true(H5Aread(a, H5T_NATIVE_INT64, &version) >= 0);
    assert_int_equal(version, 5);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(d);
    H5Fclose(f);
    results_release(&rs);
    free(path);
}

/* A set without measure columns writes none, and no side table; reading
 * it back gives none. */
static void test_no_extra_columns(void **state)
{
    struct result_set rs, back;
    char *path = xasprintf("%s/plain.h5", tmpdir);
    (void)state;
    make_set_with(&rs, 2, 0);
    assert_int_equal(results_write(&rs, path), 0);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "runs", H5P_DEFAULT);
    hid_t t = H5Dget_type(d);
    assert_int_equal(H5Tget_nmembers(t), (int)(sizeof(documented) / sizeof(documented[0])) - 3);
    assert_true(H5Tget_member_index(t, "t_err") < 0);
    assert_true(H5Lexists(f, "side", H5P_DEFAULT) <= 0);
    H5Tclose(t);
    H5Dclose(d);
    H5Fclose(f);
    assert_int_equal(results_read(&back, path), 0);
    assert_int_equal(back.n_cols, 0);
    assert_int_equal(back.n_tables, 0);
    assert_sets_equal(&rs, &back);
    results_release(&back);
    results_release(&rs);
    free(path);
}

/* Any numeric column by name: generic, recall, cells; absent ones say so. */
static void test_value_by_name(void **state)
{
    struct result_set rs;
    double v;
    (void)state;
    make_set(&rs, 3);
    const struct result_row *r = &rs.rows[2];
    assert_int_equal(results_value(&rs, r, "nprobe", &v), 0);
    assert_true(v == 4);
    assert_int_equal(results_value(&rs, r, "recall_at_10", &v), 0);
    assert_true(v == r->recall_at[1]);
    assert_int_equal(results_value(&rs, r, "recall1_at_100", &v), 0);
    assert_true(v == r->recall1_at[2]);
    assert_int_equal(results_value(&rs, r, "t_count", &v), 0);
    assert_true(v == 1);
    assert_int_equal(results_value(&rs, r, "t_err", &v), 0);
    assert_true(v == 0.02);
    assert_int_equal(results_value(&rs, r, "recall_at_5", &v), -1);
    assert_true(isnan(v));
    assert_int_equal(results_value(&rs, r, "family", &v), -1);   /* a string */
    assert_int_equal(results_value(&rs, r, "nope", &v), -1);
    assert_int_equal(results_cell(&rs, "t_time_s"), 2);
    assert_int_equal(results_cell(&rs, "qps"), -1);
    /* a fresh row: everything measured unset, cells too */
    struct result_row fresh;
    results_row_init(&rs, &fresh);
    assert_true(isnan(fresh.qps) && isnan(fresh.recall_at[7]) && fresh.index_bytes == -1);
    assert_true(fresh.missing_ids == -1 && isnan(fresh.cells[0].f) && fresh.cells[1].i == -1);
    assert_true(fresh.N == 0 && fresh.nprobe == 0);
    results_release(&rs);
}

static int add_qps(void *arg)
{
    static const struct col_def c = { "qps", COL_F64, ROLE_TIME, "", "" };
    return results_add_columns(arg, &c, 1);
}

static int add_string(void *arg)
{
    static const struct col_def c = { "label", COL_STR, ROLE_SETTING, "", "" };
    return results_add_columns(arg, &c, 1);
}

static int add_too_many(void *arg)
{
    static struct col_def c[RESULTS_MAX_CELLS];
    static char names[RESULTS_MAX_CELLS][8];
    for (int i = 0; i < RESULTS_MAX_CELLS; i++) {
        snprintf(names[i], sizeof(names[i]), "c%d", i);
        c[i] = (struct col_def){ names[i], COL_F64, ROLE_QUALITY, "", "" };
    }
    return results_add_columns(arg, c, RESULTS_MAX_CELLS);
}

static int add_table_twice(void *arg)
{
    return results_table_add(arg, "side", side_cols, 3) ? 0 : -1;
}

/* Measures cannot take a generic name, add strings, or overflow the cells. */
static void test_add_column_errors(void **state)
{
    struct result_set rs;
    (void)state;
    make_set(&rs, 1);
    assert_fails(add_qps(&rs), "'qps'", "taken");
    assert_fails(add_string(&rs), "'label'", "numeric");
    assert_fails(add_too_many(&rs), "at most", NULL);
    assert_fails(add_table_twice(&rs), "'/side'", NULL);
    assert_int_equal(rs.n_cols, 3);
    results_release(&rs);
}

static int fake_point(const struct measure *m, const struct measure_point *p,
                      union result_cell *cells, struct result_table *side)
{
    (void)m, (void)p, (void)cells, (void)side;
    return 0;
}

/* The schema as Markdown: the generic columns, each measure's in place,
 * then the side tables. */
static void test_print_schema(void **state)
{
    const struct measure m = { .name = "fake", .cols = extra_cols, .n_cols = 3, .table = "side",
                               .table_cols = side_cols, .n_table_cols = 3, .depth = 4,
                               .point = fake_point };
    const struct measure *ms[] = { &m };
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    (void)state;
    results_print_schema(f, ms, 1);
    fclose(f);
    const char *fam = strstr(text, "| `family` | string | setting |");
    const char *rec = strstr(text, "| `recall_at_<k>` | float64 | quality |");
    const char *mis = strstr(text, "| `missing_ids` | int64 | quality |");
    const char *err = strstr(text, "| `t_err` | float64 | quality |  | (fake) an error |");
    const char *tim = strstr(text, "| `t_time_s` | float64 | time | s | (fake) a time |");
    const char *prep = strstr(text, "| `prep_s` | float64 | time | s |");
    const char *st = strstr(text, "| `status` | string | status |");
    const char *side = strstr(text, "`/side` (fake):");
    const char *rate = strstr(text, "| `rate` | float64 | setting |");
    assert_true(fam && rec && mis && err && tim && prep && st && side && rate);
    assert_true(fam < rec && rec < mis && mis < err && err < tim && tim < prep && prep < st &&
                st < side && side < rate);
    assert_non_null(strstr(text, "| `qps` | float64 | time | 1/s |"));
    free(text);
}

static const struct result_set *write_set;
static const char *io_path;
static struct result_set read_set;

static int do_write(void *arg) { (void)arg; return results_write(write_set, io_path); }
static int do_read(void *arg) { (void)arg; return results_read(&read_set, io_path); }

static void test_atomic_write(void **state)
{
    struct result_set rs;
    char *err = NULL;
    (void)state;
    make_set(&rs, 2);
    write_set = &rs;

    /* In a missing folder: fails, names the file, leaves nothing. */
    char *path = xasprintf("%s/no/such/dir/run.h5", tmpdir);
    char *partial = xasprintf("%s.partial", path);
    io_path = path;
    assert_int_equal(capture_stderr(do_write, NULL, &err), -1);
    assert_non_null(strstr(err, "run.h5"));
    assert_int_equal(strchr(err, '\n') - err + 1, (long)strlen(err));  /* one line */
    assert_false(exists(path));
    assert_false(exists(partial));
    free(err);
    free(partial);
    free(path);

    /* Onto a folder: the partial is written in full, the rename fails, and
     * the partial must be gone afterwards. */
    path = xasprintf("%s/adir", tmpdir);
    partial = xasprintf("%s.partial", path);
    assert_int_equal(mkdir(path, 0755), 0);
    char *inner = xasprintf("%s/keep", path);
    FILE *f = fopen(inner, "w");
    fclose(f);
    io_path = path;
    assert_int_equal(capture_stderr(do_write, NULL, &err), -1);
    assert_non_null(strstr(err, "adir"));
    assert_false(exists(partial));
    assert_true(exists(inner));
    free(err);
    free(inner);
    free(partial);
    free(path);
    results_release(&rs);
}

static void test_read_errors(void **state)
{
    char *err = NULL;
    (void)state;

    char *missing = xasprintf("%s/missing.h5", tmpdir);
    io_path = missing;
    assert_int_equal(capture_stderr(do_read, NULL, &err), -1);
    assert_non_null(strstr(err, missing));
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(read_set.n_rows, 0);
    free(err);

    char *text = xasprintf("%s/notes.h5", tmpdir);
    FILE *f = fopen(text, "w");
    fputs("family,qps\nIVF,100\n", f);
    fclose(f);
    io_path = text;
    assert_int_equal(capture_stderr(do_read, NULL, &err), -1);
    assert_non_null(strstr(err, text));
    assert_non_null(strstr(err, "not an HDF5 file"));
    assert_int_equal(strchr(err, '\n') - err + 1, (long)strlen(err));
    free(err);
    free(text);
    free(missing);
}

/* A /runs table lacking a required column: the error names the column. */
static void test_missing_column(void **state)
{
    char *path = xasprintf("%s/partial-cols.h5", tmpdir);
    char *err = NULL;
    (void)state;
    struct two_cols { char family[8]; double r; } row = { "IVF", 0.5 };
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 8);
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(row));
    H5Tinsert(t, "family", offsetof(struct two_cols, family), str);
    H5Tinsert(t, "recall_at_10", offsetof(struct two_cols, r), H5T_NATIVE_DOUBLE);
    hsize_t one = 1;
    hid_t sp = H5Screate_simple(1, &one, NULL);
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t d = H5Dcreate2(f, "runs", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &row) >= 0);
    H5Dclose(d);
    H5Fclose(f);
    H5Sclose(sp);
    H5Tclose(t);
    H5Tclose(str);

    io_path = path;
    assert_int_equal(capture_stderr(do_read, NULL, &err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "'factory'"));
    free(err);
    free(path);
}

/* A side table: its rows round-trip, and one whose run_row points past
 * /runs is refused with the file named. */
static void test_side_table(void **state)
{
    struct result_set rs, back;
    char *path = xasprintf("%s/side.h5", tmpdir);
    char *err = NULL;
    (void)state;
    make_set(&rs, 3);
    struct result_table *t = results_table(&rs, "side");
    assert_non_null(t);
    assert_int_equal(results_table_col(t, "rate"), 1);
    assert_int_equal(results_table_col(t, "nope"), -1);
    for (int i = 0; i < 6; i++) {
        union result_cell row[3];
        row[0].i = i / 2;
        row[1].f = i % 2 ? 1.0 : 0.5;
        row[2].f = i == 5 ? NAN : 1e-3 * i;
        results_table_append(t, row);
    }
    assert_int_equal(results_write(&rs, path), 0);
    assert_int_equal(results_read(&back, path), 0);
    assert_sets_equal(&rs, &back);
    results_release(&back);

    t->cells[4 * 3].i = 3;
    assert_int_equal(results_write(&rs, path), 0);
    io_path = path;
    assert_int_equal(capture_stderr(do_read, NULL, &err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "/side row 4 points at /runs row 3 of 3"));
    free(err);
    results_release(&rs);
    free(path);
}

/* Rewrite the file at path (schema version, member names of /runs left
 * out, roles attributes removed) as a file of an older schema would be. */
static void make_older(const char *path, const char *old, const char *const *drop, size_t n_drop,
                       int64_t version)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "runs", H5P_DEFAULT);
    hid_t ft = H5Dget_type(d), sp = H5Dget_space(d);
    hssize_t rows = H5Sget_simple_extent_npoints(sp);
    size_t size = 0, off = 0;
    int nm = H5Tget_nmembers(ft);
    for (int i = 0; i < nm; i++) {
        hid_t mt = H5Tget_member_type(ft, (unsigned)i);
        size += H5Tget_size(mt);
        H5Tclose(mt);
    }
    hid_t ot = H5Tcreate(H5T_COMPOUND, size);
    for (int i = 0; i < nm; i++) {
        char *name = H5Tget_member_name(ft, (unsigned)i);
        hid_t mt = H5Tget_member_type(ft, (unsigned)i);
        int skip = 0;
        for (size_t j = 0; j < n_drop; j++)
            skip |= !strcmp(name, drop[j]);
        if (!skip) {
            H5Tinsert(ot, name, off, mt);
            off += H5Tget_size(mt);
        }
        H5Tclose(mt);
        H5free_memory(name);
    }
    H5Tset_size(ot, off);
    char *buf = xmalloc(off * (size_t)rows + 1);
    assert_true(rows == 0 || H5Dread(d, ot, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    hsize_t dims = (hsize_t)rows;
    hid_t osp = H5Screate_simple(1, &dims, NULL);
    hid_t g = H5Fcreate(old, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t od = H5Dcreate2(g, "runs", ot, osp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(rows == 0 || H5Dwrite(od, ot, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    hid_t scalar = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(g, "schema_version", H5T_NATIVE_INT64, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_INT64, &version);
    H5Aclose(a);
    H5Sclose(scalar);
    /* side tables copied whole, without their roles */
    if (H5Lexists(f, "blend", H5P_DEFAULT) > 0)
        H5Ocopy(f, "blend", g, "blend", H5P_DEFAULT, H5P_DEFAULT);
    if (H5Lexists(g, "blend", H5P_DEFAULT) > 0) {
        hid_t bd = H5Dopen2(g, "blend", H5P_DEFAULT);
        H5Adelete(bd, "roles");
        H5Dclose(bd);
    }
    H5Dclose(od);
    H5Fclose(g);
    H5Sclose(osp);
    H5Sclose(sp);
    H5Tclose(ot);
    H5Tclose(ft);
    H5Dclose(d);
    H5Fclose(f);
    free(buf);
}

/* A file of schema 1 (before prep_s, roles and side tables) still reads:
 * prep_s comes back NaN and the set says it lacked it; its measure columns
 * come back by name, their roles unknown. */
static void test_schema1_file(void **state)
{
    static const char *const newer[] = { "prep_s", "t_time_s" };
    struct result_set rs, back;
    char *path = xasprintf("%s/new.h5", tmpdir), *old = xasprintf("%s/old.h5", tmpdir);
    double v;
    (void)state;
    make_set_with(&rs, 2, 1);
    assert_int_equal(results_write(&rs, path), 0);
    make_older(path, old, newer, 2, 1);

    assert_int_equal(results_read(&back, old), 0);
    assert_int_equal(back.n_rows, 2);
    assert_int_equal(back.n_tables, 0);
    assert_int_equal(back.n_cols, 2);
    assert_string_equal(back.cols[0].name, "t_err");
    assert_int_equal(back.cols[0].role, ROLE_UNKNOWN);
    assert_int_equal(back.cols[1].type, COL_I64);
    for (size_t r = 0; r < 2; r++) {
        assert_true(isnan(back.rows[r].prep_s));
        assert_int_equal(results_value(&back, &back.rows[r], "prep_s", &v), -1);
        assert_int_equal(results_value(&back, &back.rows[r], "t_count", &v), 0);
        assert_true(v == (double)r - 1);
        assert_int_equal(back.rows[r].nprobe, rs.rows[r].nprobe);
        assert_string_equal(back.rows[r].status, rs.rows[r].status);
    }
    /* a reader that knows the columns gives them their roles */
    results_know_columns(&back, extra_cols, 3);
    assert_int_equal(back.cols[0].role, ROLE_QUALITY);
    assert_string_equal(back.cols[0].help, "an error");
    results_release(&back);
    results_release(&rs);
    free(path);
    free(old);
}

/* A file of schema 2, as the harness wrote them before measures registered
 * their columns: RVC's columns in /runs (NaN when blend fidelity was off)
 * and /blend, no roles. Every column reads back by name, roles unknown. */
static void test_schema2_file(void **state)
{
    static const struct col_def rvc_like[] = {
        { "blend_err_mean", COL_F64, ROLE_QUALITY, "", "" },
        { "blend_zero_dist", COL_I64, ROLE_QUALITY, "", "" },
        { "audio_s_qexpand", COL_F64, ROLE_TIME, "s", "" },
    };
    static const struct col_def blend[] = {
        { "run_row", COL_I64, ROLE_SETTING, "", "" },
        { "blend_err_p95", COL_F64, ROLE_QUALITY, "", "" },
    };
    static const long ks[] = { 8 };
    struct result_set rs, back;
    char *path = xasprintf("%s/s2.h5", tmpdir), *old = xasprintf("%s/s2-old.h5", tmpdir);
    struct result_row row;
    union result_cell b[2];
    double v;
    (void)state;
    results_init(&rs, ks, 1);
    assert_int_equal(results_add_columns(&rs, rvc_like, 3), 0);
    struct result_table *t = results_table_add(&rs, "blend", blend, 2);
    results_row_init(&rs, &row);
    strcpy(row.status, "ok");
    row.cells[0].f = 0.25;
    row.cells[1].i = 3;
    results_add_row(&rs, &row);
    b[0].i = 0;
    b[1].f = 0.5;
    results_table_append(t, b);
    assert_int_equal(results_write(&rs, path), 0);
    make_older(path, old, NULL, 0, 2);
    assert_int_equal(results_read(&back, old), 0);
    assert_int_equal(back.n_cols, 3);
    assert_int_equal(results_cell(&back, "audio_s_qexpand"), 2);
    assert_int_equal(back.cols[1].type, COL_I64);
    assert_int_equal(back.cols[0].role, ROLE_UNKNOWN);
    assert_int_equal(results_value(&back, &back.rows[0], "blend_zero_dist", &v), 0);
    assert_true(v == 3);
    assert_int_equal(results_value(&back, &back.rows[0], "audio_s_qexpand", &v), 0);
    assert_true(isnan(v));
    const struct result_table *bt = results_table(&back, "blend");
    assert_non_null(bt);
    assert_int_equal(bt->n_rows, 1);
    assert_int_equal(bt->cols[0].role, ROLE_UNKNOWN);
    assert_true(bt->cells[1].f == 0.5);
    results_know_columns(&back, blend, 2);
    assert_int_equal(bt->cols[1].role, ROLE_QUALITY);
    results_release(&back);
    results_release(&rs);
    free(path);
    free(old);
}

/* A checkpoint (attribute "checkpoint", as run/checkpoint.c writes it)
 * reads with one warning saying what it is (issue 13, item 14). */
static void test_checkpoint_warns(void **state)
{
    struct result_set rs;
    char *path = xasprintf("%s/run.h5.checkpoint", tmpdir), *err = NULL;
    (void)state;
    make_set(&rs, 2);
    results_attr_str(&rs, "checkpoint", "3 of 12 points; the run did not finish");
    assert_int_equal(results_write(&rs, path), 0);
    results_release(&rs);
    io_path = path;
    assert_int_equal(capture_stderr(do_read, NULL, &err), 0);
    assert_has(err, "warning: '");
    assert_has(err, "run.h5.checkpoint' is a checkpoint of a run that did not finish: 3 of 12 points");
    assert_int_equal(count_lines(err), 1);
    results_release(&read_set);
    free(err);
    free(path);
}

/* A FIFO (or any non-regular file) given as a results file is an error, not
 * a reader blocked for ever (issue 13, item 15); a child with an alarm, so
 * that the old behaviour fails the test instead of hanging it. */
static void test_fifo_refused(void **state)
{
    char *path = xasprintf("%s/fifo.h5", tmpdir);
    int status;
    pid_t pid;
    (void)state;
    assert_int_equal(mkfifo(path, 0600), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(5);
        capture_start();
        int rc = results_read(&read_set, path);
        const char *msg = capture_end();
        _exit(rc == -1 && strstr(msg, "not a regular file") && strstr(msg, path) ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* a folder too */
    io_path = tmpdir;
    char *err = NULL;
    assert_int_equal(capture_stderr(do_read, NULL, &err), -1);
    assert_has(err, "Is a directory");
    free(err);
    free(path);
}

/* The probe's child, where HDF5 may loop for ever on a corrupt heap, dies
 * with its parent: a reader killed (SIGKILL, a fuzzer's timeout) before its
 * limit leaves no child spinning (one ran 35 minutes at 100% CPU). */
static const char *probe_pid_file;

static int probe_hangs(const char *path, void *ctx)
{
    FILE *f = fopen(probe_pid_file, "w");
    (void)path;
    (void)ctx;
    if (f) {
        fprintf(f, "%d\n", (int)getpid());
        fclose(f);
    }
    for (;;)
        pause();
    return -1;
}

static int gone(pid_t pid)
{
    char p[64], st[512];
    FILE *f;
    snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
    if (!(f = fopen(p, "r")))
        return 1;
    int n = fgets(st, sizeof(st), f) != NULL;
    fclose(f);
    char *z = strrchr(st, ')');
    return !n || !z || z[2] == 'Z';
}

static void test_probe_child_dies_with_reader(void **state)
{
    int status, child = 0;
    pid_t reader;
    FILE *f;
    (void)state;
    probe_pid_file = tmp("probe.pid");
    unlink(probe_pid_file);
    reader = fork();
    assert_true(reader >= 0);
    if (reader == 0)
        _exit(h5_probe(tmp("any.h5"), probe_hangs, NULL, 600, 0) == 0 ? 0 : 1);
    for (int i = 0; i < 500 && !child; i++) {
        usleep(10000);
        if ((f = fopen(probe_pid_file, "r"))) {
            if (fscanf(f, "%d", &child) != 1)
                child = 0;
            fclose(f);
        }
    }
    assert_true(child > 0);
    assert_int_equal(kill(reader, SIGKILL), 0);
    assert_int_equal(waitpid(reader, &status, 0), reader);
    int dead = 0;
    for (int i = 0; i < 300 && !dead; i++) {
        dead = gone(child);
        if (!dead)
            usleep(10000);
    }
    if (!dead)
        kill(child, SIGKILL);
    assert_true(dead);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attr_setters),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_empty_set),
        cmocka_unit_test(test_columns_in_file),
        cmocka_unit_test(test_atomic_write),
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_checkpoint_warns),
        cmocka_unit_test(test_fifo_refused),
        cmocka_unit_test(test_missing_column),
        cmocka_unit_test(test_side_table),
        cmocka_unit_test(test_schema1_file),
        cmocka_unit_test(test_schema2_file),
        cmocka_unit_test(test_no_extra_columns),
        cmocka_unit_test(test_value_by_name),
        cmocka_unit_test(test_add_column_errors),
        cmocka_unit_test(test_print_schema),
        cmocka_unit_test(test_probe_child_dies_with_reader),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
