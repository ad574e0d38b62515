/*
 * test_results.c - the HDF5 results file: a full round trip, the documented
 * column list read with the HDF5 API itself, atomic writes, and one-line
 * errors naming the file for missing, foreign and incomplete files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out/results.h"
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

static void make_set(struct result_set *rs, size_t nrows)
{
    static const long ks[] = { 1, 10, 100 };
    memset(rs, 0, sizeof(*rs));
    memcpy(rs->ks, ks, sizeof(ks));
    rs->n_ks = 3;
    for (size_t r = 0; r < nrows; r++) {
        struct result_row row;
        memset(&row, 0, sizeof(row));
        fill(row.family, RESULTS_STR - 1, 'A');
        fill(row.factory, RESULTS_STR - 1 - r, 'a');
        strcpy(row.metric, r % 2 ? "cosine" : "l2");
        row.nlist = 1024 + (int64_t)r;
        row.N = 60000 + (int64_t)r;
        row.nprobe = 1 << r;
        row.k_factor = (int64_t)r;
        row.train_s = 1.5 + (double)r;
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
        row.blend_err_mean = 0.01 * (double)r;
        row.blend_zero_dist = (int64_t)r;
        row.audio_s_single = 1e-3 * (double)r;
        row.blend_ir_unit = 2e-3 + (double)r;
        row.audio_s_qexpand = r % 2 ? NAN : 0.5;
        row.prep_s = 0.125 * (double)r;
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

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void assert_rows_equal(const struct result_row *a, const struct result_row *b, size_t n_ks)
{
    assert_string_equal(a->family, b->family);
    assert_string_equal(a->factory, b->factory);
    assert_string_equal(a->metric, b->metric);
    assert_int_equal(a->nlist, b->nlist);
    assert_int_equal(a->N, b->N);
    assert_int_equal(a->nprobe, b->nprobe);
    assert_int_equal(a->k_factor, b->k_factor);
    assert_true(same_double(a->train_s, b->train_s));
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
    assert_float_equal(a->blend_err_mean, b->blend_err_mean, 0);
    assert_int_equal(a->blend_zero_dist, b->blend_zero_dist);
    assert_float_equal(a->audio_s_single, b->audio_s_single, 0);
    assert_true(same_double(a->blend_ir_unit, b->blend_ir_unit));
    assert_true(same_double(a->audio_s_qexpand, b->audio_s_qexpand));
    assert_true(same_double(a->prep_s, b->prep_s));
    assert_string_equal(a->status, b->status);
}

static void assert_sets_equal(const struct result_set *a, const struct result_set *b)
{
    assert_int_equal(a->n_ks, b->n_ks);
    for (size_t k = 0; k < a->n_ks; k++)
        assert_int_equal(a->ks[k], b->ks[k]);
    assert_int_equal(a->n_rows, b->n_rows);
    for (size_t r = 0; r < a->n_rows; r++)
        assert_rows_equal(&a->rows[r], &b->rows[r], a->n_ks);
    assert_int_equal(a->n_blend, b->n_blend);
    for (size_t i = 0; i < a->n_blend; i++) {
        assert_int_equal(a->blend[i].run_row, b->blend[i].run_row);
        assert_true(same_double(a->blend[i].index_rate, b->blend[i].index_rate));
        assert_true(same_double(a->blend[i].err_mean, b->blend[i].err_mean));
        assert_true(same_double(a->blend[i].err_p95, b->blend[i].err_p95));
        assert_true(same_double(a->blend[i].ir_unit, b->blend[i].ir_unit));
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
    "missing_ids", "blend_err_mean", "blend_err_p95", "blend_cos_mean", "blend_missing",
    "blend_zero_dist", "audio_s_batch", "audio_s_single", "blend_ir_unit", "audio_s_qexpand",
    "prep_s", "status",
};

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
                         !strcmp(name, "missing_ids") || !strcmp(name, "blend_missing") ||
                         !strcmp(name, "blend_zero_dist");
            assert_int_equal(cls, is_int ? H5T_INTEGER : H5T_FLOAT);
            assert_int_equal(H5Tget_size(mt), 8);
        }
        assert_int_equal(H5Tget_member_offset(t, (unsigned)i) + H5Tget_size(mt),
                         i + 1 < n ? H5Tget_member_offset(t, (unsigned)i + 1) : H5Tget_size(t));
        H5Tclose(mt);
        H5free_memory(name);
    }

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
    assert_int_equal(version, 2);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    H5Dclose(d);
    H5Fclose(f);
    results_release(&rs);
    free(path);
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

/* The index_rate axis: /blend rows round-trip, and one pointing past /runs
 * is refused with the file named. */
static void test_blend_table(void **state)
{
    struct result_set rs, back;
    char *path = xasprintf("%s/blend.h5", tmpdir);
    char *err = NULL;
    (void)state;
    make_set(&rs, 3);
    for (int i = 0; i < 6; i++) {
        struct blend_row b = { .run_row = i / 2, .index_rate = i % 2 ? 1.0 : 0.5,
                               .err_mean = 0.01 * i, .err_p95 = 0.02 * i,
                               .ir_unit = i == 5 ? NAN : 1e-3 * i };
        results_add_blend(&rs, &b);
    }
    assert_int_equal(results_write(&rs, path), 0);
    assert_int_equal(results_read(&back, path), 0);
    assert_sets_equal(&rs, &back);
    results_release(&back);

    rs.blend[4].run_row = 3;
    assert_int_equal(results_write(&rs, path), 0);
    io_path = path;
    assert_int_equal(capture_stderr(do_read, NULL, &err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "/blend row 4"));
    free(err);
    results_release(&rs);
    free(path);
}

/* A file of schema 1 (before blend_ir_unit, audio_s_qexpand, prep_s and
 * /blend) still reads: the newer columns come back NaN. */
static void test_schema1_file(void **state)
{
    static const char *const newer[] = { "blend_ir_unit", "audio_s_qexpand", "prep_s" };
    struct result_set rs, back;
    char *path = xasprintf("%s/new.h5", tmpdir), *old = xasprintf("%s/old.h5", tmpdir);
    (void)state;
    make_set(&rs, 2);
    assert_int_equal(results_write(&rs, path), 0);

    /* copy /runs without the newer members, by name conversion */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "runs", H5P_DEFAULT);
    hid_t ft = H5Dget_type(d);
    size_t size = 0;
    int nm = H5Tget_nmembers(ft);
    for (int i = 0; i < nm; i++) {
        hid_t mt = H5Tget_member_type(ft, (unsigned)i);
        size += H5Tget_size(mt);
        H5Tclose(mt);
    }
    hid_t ot = H5Tcreate(H5T_COMPOUND, size);
    size_t off = 0;
    for (int i = 0; i < nm; i++) {
        char *name = H5Tget_member_name(ft, (unsigned)i);
        hid_t mt = H5Tget_member_type(ft, (unsigned)i);
        int skip = 0;
        for (size_t j = 0; j < 3; j++)
            skip |= !strcmp(name, newer[j]);
        if (!skip) {
            H5Tinsert(ot, name, off, mt);
            off += H5Tget_size(mt);
        }
        H5Tclose(mt);
        H5free_memory(name);
    }
    H5Tset_size(ot, off);
    char *buf = xmalloc(off * 2);
    assert_true(H5Dread(d, ot, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    hsize_t two = 2;
    hid_t sp = H5Screate_simple(1, &two, NULL);
    hid_t g = H5Fcreate(old, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t od = H5Dcreate2(g, "runs", ot, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Dwrite(od, ot, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Dclose(od);
    H5Fclose(g);
    H5Sclose(sp);
    H5Tclose(ot);
    H5Tclose(ft);
    H5Dclose(d);
    H5Fclose(f);
    free(buf);

    assert_int_equal(results_read(&back, old), 0);
    assert_int_equal(back.n_rows, 2);
    assert_int_equal(back.n_blend, 0);
    for (size_t r = 0; r < 2; r++) {
        assert_true(isnan(back.rows[r].blend_ir_unit));
        assert_true(isnan(back.rows[r].audio_s_qexpand));
        assert_true(isnan(back.rows[r].prep_s));
        assert_int_equal(back.rows[r].nprobe, rs.rows[r].nprobe);
        assert_string_equal(back.rows[r].status, rs.rows[r].status);
    }
    results_release(&back);
    results_release(&rs);
    free(path);
    free(old);
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
        cmocka_unit_test(test_missing_column),
        cmocka_unit_test(test_blend_table),
        cmocka_unit_test(test_schema1_file),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
