/*
 * test_annb.c - load_annb on small ann-benchmarks-style files written at test
 * time with the HDF5 C API (float32 and float64 vectors, int32 and int64 ids,
 * variable- and fixed-length "distance" attribute), row limits, a file with
 * no ground truth, and broken files whose one-line error must name the file
 * and the problem. One file is written by Debian's python3-h5py the way
 * ann-benchmarks writes it (skipped, saying why, when h5py is missing).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/annb.h"
#include "lib/util.h"
#include "testutil.h"

/* ------------------------------------------------------------ helpers */

/* stderr is fd 2 for error(): point it at a temp file around a call. */

/* Every value is a small multiple of 1/8, so float32 and float64 agree exactly. */
static double train_val(size_t i, size_t j) { return (double)i * 0.5 + (double)j * 0.125; }
static double test_val(size_t i, size_t j) { return -(double)i - (double)j * 0.25; }
static double dist_val(size_t i, size_t j) { return (double)i + (double)j * 0.5; }
static int64_t nb_val(size_t i, size_t j, size_t n) { return (int64_t)((i * 7 + j) % n); }

/* What a generated file holds; zeroes mean the usual. */
struct gen {
    const char *distance;   /* NULL: no attribute */
    int fixed;              /* fixed-length attribute (else variable-length, as h5py) */
    int f64;                /* float64 train/test/distances (else float32) */
    int i64;                /* int64 neighbors (else int32) */
    size_t n, d, nq, k;
    size_t test_d, nb_rows; /* 0: same as d / nq */
    int no_train, no_neighbors, no_distances, train_rank1;
    int64_t bad_id;         /* > 0: put this id in neighbors[0][0] */
};

static void put_matrix(hid_t file, const char *name, hid_t ftype, hid_t mtype,
                       size_t rows, size_t cols, const void *data)
{
    hsize_t dims[2] = { rows, cols };
    hid_t space = H5Screate_simple(2, dims, NULL);
    hid_t dset = H5Dcreate2(file, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(space >= 0 && dset >= 0);
    assert_true(H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    H5Dclose(dset);
    H5Sclose(space);
}

static void put_vectors(hid_t file, const char *name, const struct gen *g, size_t rows,
                        size_t cols, double (*val)(size_t, size_t))
{
    double *x = malloc(rows * cols * sizeof(*x));
    size_t i, j;
    assert_non_null(x);
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++)
            x[i * cols + j] = val(i, j);
    put_matrix(file, name, g->f64 ? H5T_IEEE_F64LE : H5T_IEEE_F32LE,
               H5T_NATIVE_DOUBLE, rows, cols, x);
    free(x);
}

static void put_distance(hid_t file, const struct gen *g)
{
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR), attr;
    const char *s = g->distance;
    if (g->fixed) {
        H5Tset_size(type, strlen(s));
        H5Tset_strpad(type, H5T_STR_NULLPAD);
    } else {
        H5Tset_size(type, H5T_VARIABLE);
        H5Tset_cset(type, H5T_CSET_UTF8);
    }
    attr = H5Acreate2(file, "distance", type, space, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(attr >= 0);
    assert_true(H5Awrite(attr, type, g->fixed ? (const void *)s : (const void *)&s) >= 0);
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
}

static const char *generate(const char *name, struct gen g)
{
    const char *path = tmp(name);
    hid_t file;
    size_t i, j;

    if (!g.n) g.n = 20;
    if (!g.d) g.d = 4;
    if (!g.nq) g.nq = 6;
    if (!g.k) g.k = 3;
    if (!g.test_d) g.test_d = g.d;
    if (!g.nb_rows) g.nb_rows = g.nq;
    file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(file >= 0);
    if (g.distance)
        put_distance(file, &g);
    if (g.train_rank1) {
        hsize_t dim = g.n;
        float *x = calloc(g.n, sizeof(float));
        hid_t space = H5Screate_simple(1, &dim, NULL);
        hid_t dset = H5Dcreate2(file, "train", H5T_IEEE_F32LE, space, H5P_DEFAULT,
                                H5P_DEFAULT, H5P_DEFAULT);
        assert_true(H5Dwrite(dset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0);
        H5Dclose(dset);
        H5Sclose(space);
        free(x);
    } else if (!g.no_train) {
        put_vectors(file, "train", &g, g.n, g.d, train_val);
    }
    put_vectors(file, "test", &g, g.nq, g.test_d, test_val);
    if (!g.no_neighbors) {
        int64_t *ids = malloc(g.nb_rows * g.k * sizeof(*ids));
        assert_non_null(ids);
        for (i = 0; i < g.nb_rows; i++)
            for (j = 0; j < g.k; j++)
                ids[i * g.k + j] = nb_val(i, j, g.n);
        if (g.bad_id)
            ids[0] = g.bad_id;
        put_matrix(file, "neighbors", g.i64 ? H5T_STD_I64LE : H5T_STD_I32LE,
                   H5T_NATIVE_INT64, g.nb_rows, g.k, ids);
        free(ids);
    }
    if (!g.no_distances)
        put_vectors(file, "distances", &g, g.nb_rows, g.k, dist_val);
    assert_true(H5Fclose(file) >= 0);
    return path;
}

/* The values generate() wrote, for the rows loaded. */
static void check_values(const struct annb *a, size_t n, size_t nq, size_t d, size_t k,
                         size_t full_n)
{
    size_t i, j;
    assert_int_equal(a->train.n, n);
    assert_int_equal(a->train.d, d);
    assert_int_equal(a->test.n, nq);
    assert_int_equal(a->test.d, d);
    assert_int_equal(a->gt_k, k);
    for (i = 0; i < n; i++)
        for (j = 0; j < d; j++)
            assert_true(a->train.x[i * d + j] == (float)train_val(i, j));
    for (i = 0; i < nq; i++)
        for (j = 0; j < d; j++)
            assert_true(a->test.x[i * d + j] == (float)test_val(i, j));
    for (i = 0; i < nq; i++)
        for (j = 0; j < k; j++) {
            assert_int_equal(a->neighbors[i * k + j], nb_val(i, j, full_n));
            if (a->distances)
                assert_true(a->distances[i * k + j] == (float)dist_val(i, j));
        }
}

/* ------------------------------------------------------------- tests */

static void test_metric_names(void **state)
{
    (void)state;
    assert_string_equal(annb_metric("euclidean"), "l2");
    assert_string_equal(annb_metric("angular"), "cosine");
    assert_string_equal(annb_metric("dot"), "ip");
    assert_string_equal(annb_metric("ip"), "ip");
    assert_null(annb_metric("hamming"));
    assert_null(annb_metric("jaccard"));
    assert_null(annb_metric("Euclidean"));
    assert_null(annb_metric(""));
    assert_null(annb_metric(NULL));
}

static void test_float32_vlen(void **state)
{
    struct annb a;
    const char *p = generate("f32.hdf5", (struct gen){ .distance = "euclidean" });
    (void)state;
    assert_int_equal(load_annb(&a, p, 0, 0), 0);
    assert_string_equal(a.distance, "euclidean");
    assert_string_equal(annb_metric(a.distance), "l2");
    assert_non_null(a.neighbors);
    assert_non_null(a.distances);
    check_values(&a, 20, 6, 4, 3, 20);
    annb_release(&a);
    assert_null(a.train.x);
    assert_null(a.test.x);
    assert_null(a.neighbors);
    assert_null(a.distances);
    assert_int_equal(a.train.n + a.test.n + a.gt_k, 0);
    assert_string_equal(a.distance, "");
    annb_release(&a);  /* twice is harmless */
}

static void test_float64_fixed(void **state)
{
    struct annb a;
    const char *p = generate("f64.hdf5", (struct gen){
        .distance = "angular", .fixed = 1, .f64 = 1, .i64 = 1, .n = 33, .d = 7, .nq = 5, .k = 10 });
    (void)state;
    assert_int_equal(load_annb(&a, p, 0, 0), 0);
    assert_string_equal(a.distance, "angular");
    check_values(&a, 33, 5, 7, 10, 33);
    annb_release(&a);

    /* "dot" as a fixed-length string, int32 ids with float64 vectors */
    p = generate("dot.hdf5", (struct gen){ .distance = "dot", .fixed = 1, .f64 = 1 });
    assert_int_equal(load_annb(&a, p, 0, 0), 0);
    assert_string_equal(a.distance, "dot");
    assert_string_equal(annb_metric(a.distance), "ip");
    check_values(&a, 20, 6, 4, 3, 20);
    annb_release(&a);
}

static void test_limits(void **state)
{
    struct annb a;
    const char *p = generate("lim.hdf5", (struct gen){ .distance = "euclidean", .f64 = 1 });
    (void)state;
    assert_int_equal(load_annb(&a, p, 5, 2), 0);
    check_values(&a, 5, 2, 4, 3, 20);   /* ids still refer to the full train set */
    annb_release(&a);

    assert_int_equal(load_annb(&a, p, 0, 1), 0);
    check_values(&a, 20, 1, 4, 3, 20);
    annb_release(&a);

    /* limits past the end read everything */
    assert_int_equal(load_annb(&a, p, 1000, 1000), 0);
    check_values(&a, 20, 6, 4, 3, 20);
    annb_release(&a);
}

static void test_no_ground_truth(void **state)
{
    struct annb a;
    const char *p = generate("nogt.hdf5", (struct gen){
        .distance = "angular", .no_neighbors = 1, .no_distances = 1 });
    (void)state;
    assert_int_equal(load_annb(&a, p, 0, 0), 0);
    assert_null(a.neighbors);
    assert_null(a.distances);
    assert_int_equal(a.gt_k, 0);
    assert_int_equal(a.train.n, 20);
    assert_int_equal(a.test.n, 6);
    annb_release(&a);

    /* distances alone are ignored */
    p = generate("distonly.hdf5", (struct gen){ .distance = "angular", .no_neighbors = 1 });
    assert_int_equal(load_annb(&a, p, 0, 0), 0);
    assert_null(a.neighbors);
    assert_null(a.distances);
    assert_int_equal(a.gt_k, 0);
    annb_release(&a);

    /* neighbors without distances */
    p = generate("nodist.hdf5", (struct gen){ .distance = "euclidean", .no_distances = 1 });
    assert_int_equal(load_annb(&a, p, 0, 0), 0);
    assert_null(a.distances);
    check_values(&a, 20, 6, 4, 3, 20);
    annb_release(&a);
}

static void test_errors(void **state)
{
    struct annb a;
    const char *p;
    FILE *f;
    (void)state;

    p = tmp("missing.hdf5");
    assert_fails(load_annb(&a, p, 0, 0), p, "No such file");
    assert_null(a.train.x);

    assert_fails(load_annb(&a, tmpdir, 0, 0), tmpdir, "Is a directory");

    p = tmp("text.hdf5");
    f = fopen(p, "w");
    assert_non_null(f);
    fputs("train,test\n1,2\n", f);
    fclose(f);
    assert_fails(load_annb(&a, p, 0, 0), "not an HDF5 file: '", "text.hdf5'");

    p = generate("notrain.hdf5", (struct gen){ .distance = "euclidean", .no_train = 1 });
    assert_fails(load_annb(&a, p, 0, 0), "no dataset 'train' in '", p);

    p = generate("rank1.hdf5", (struct gen){ .distance = "euclidean", .train_rank1 = 1 });
    assert_fails(load_annb(&a, p, 0, 0), "dataset 'train' in '", "' has 1 dimensions, expected 2");

    p = generate("dims.hdf5", (struct gen){ .distance = "euclidean", .d = 8, .test_d = 6 });
    assert_fails(load_annb(&a, p, 0, 0), "dataset 'test' in '", "dims.hdf5' has 6 columns, 'train' has 8");

    p = generate("nbrows.hdf5", (struct gen){ .distance = "euclidean", .nb_rows = 5 });
    assert_fails(load_annb(&a, p, 0, 0), "dataset 'neighbors' in '",
                 "nbrows.hdf5' has 5 rows, 'test' has 6");
    /* the shape check holds even when fewer test rows are asked for */
    assert_fails(load_annb(&a, p, 0, 2), p, "' has 5 rows");

    p = generate("hamming.hdf5", (struct gen){ .distance = "hamming" });
    assert_fails(load_annb(&a, p, 0, 0), "distance 'hamming' of '",
                 "hamming.hdf5' is not supported (euclidean, angular, dot)");
    p = generate("jaccard.hdf5", (struct gen){ .distance = "jaccard", .fixed = 1 });
    assert_fails(load_annb(&a, p, 0, 0), "distance 'jaccard' of '", "jaccard.hdf5' is not supported");

    p = generate("noattr.hdf5", (struct gen){ 0 });
    assert_fails(load_annb(&a, p, 0, 0), "no root attribute 'distance' in '", "noattr.hdf5'");

    p = generate("badid.hdf5", (struct gen){ .distance = "euclidean", .bad_id = 20 });
    char *want = xasprintf("row 0 of dataset 'neighbors' in '%s' holds id 20, 'train' has 20 rows",
                           p);
    assert_fails(load_annb(&a, p, 0, 0), want, NULL);
    free(want);
    assert_null(a.train.x);
    assert_null(a.neighbors);
}

/* Shapes of neighbors and distances must match. */
static void test_distances_shape(void **state)
{
    struct annb a;
    const char *p = generate("dshape.hdf5", (struct gen){ .distance = "euclidean" });
    hid_t file;
    float x[6 * 2] = { 0 };
    (void)state;
    file = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(file >= 0);
    assert_true(H5Ldelete(file, "distances", H5P_DEFAULT) >= 0);
    put_matrix(file, "distances", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 6, 2, x);
    H5Fclose(file);
    assert_fails(load_annb(&a, p, 0, 0), "dataset 'distances' in '",
                 "dshape.hdf5' is 6 x 2, 'neighbors' is 6 x 3");
}

/* A file written by h5py exactly as ann-benchmarks' write_output() does. */
static void test_h5py(void **state)
{
    static const char script[] =
        "import sys, h5py, numpy as np\n"
        "rng = np.random.default_rng(1)\n"
        "train = rng.standard_normal((50, 16)).astype(np.float32)\n"
        "test = rng.standard_normal((7, 16)).astype(np.float32)\n"
        "d = 1 - (test / np.linalg.norm(test, axis=1)[:, None]) @ "
        "(train / np.linalg.norm(train, axis=1)[:, None]).T\n"
        "ids = np.argsort(d, axis=1)[:, :10]\n"
        "f = h5py.File(sys.argv[1], 'w')\n"
        "f.attrs['type'] = 'dense'\n"
        "f.attrs['distance'] = 'angular'\n"
        "f.attrs['dimension'] = len(train[0])\n"
        "f.attrs['point_type'] = 'float'\n"
        "f.create_dataset('train', data=train)\n"
        "f.create_dataset('test', data=test)\n"
        "neighbors = f.create_dataset('neighbors', (len(test), 10), dtype=int)\n"
        "distances = f.create_dataset('distances', (len(test), 10), dtype=float)\n"
        "neighbors[:] = ids\n"
        "distances[:] = np.take_along_axis(d, ids, axis=1)\n"
        "f.close()\n"
        "np.savetxt(sys.argv[2], np.concatenate([train.ravel(), test.ravel(), ids.ravel()]),"
        " fmt='%.9g')\n";
    const char *py = tmp("write.py"), *h5 = tmp("h5py.hdf5"), *txt = tmp("expect.txt");
    struct annb a;
    char *cmd;
    FILE *f;
    size_t i;
    (void)state;

    if (access("/usr/bin/python3", X_OK) != 0) {
        print_message("skipping: /usr/bin/python3 not found\n");
        skip();
    }
    if (system("/usr/bin/python3 -c 'import h5py, numpy' >/dev/null 2>&1") != 0) {
        print_message("skipping: python3-h5py (or numpy) not installed\n");
        skip();
    }
    f = fopen(py, "w");
    assert_non_null(f);
    fputs(script, f);
    fclose(f);
    cmd = xasprintf("/usr/bin/python3 %s %s %s", py, h5, txt);
    assert_int_equal(system(cmd), 0);
    free(cmd);

    assert_int_equal(load_annb(&a, h5, 0, 0), 0);
    assert_string_equal(a.distance, "angular");
    assert_string_equal(annb_metric(a.distance), "cosine");
    assert_int_equal(a.train.n, 50);
    assert_int_equal(a.test.n, 7);
    assert_int_equal(a.train.d, 16);
    assert_int_equal(a.gt_k, 10);
    assert_non_null(a.distances);

    /* Same values as numpy holds: vectors exactly, ids exactly. */
    f = fopen(txt, "r");
    assert_non_null(f);
    for (i = 0; i < 50 * 16 + 7 * 16 + 7 * 10; i++) {
        double v;
        assert_int_equal(fscanf(f, "%lf", &v), 1);
        if (i < 50 * 16)
            assert_true(a.train.x[i] == (float)v);
        else if (i < 50 * 16 + 7 * 16)
            assert_true(a.test.x[i - 50 * 16] == (float)v);
        else
            assert_int_equal(a.neighbors[i - 50 * 16 - 7 * 16], (int64_t)v);
    }
    fclose(f);
    /* ground truth is sorted best first */
    for (i = 0; i < 7; i++)
        assert_true(a.distances[i * 10] <= a.distances[i * 10 + 9]);
    annb_release(&a);

    assert_int_equal(load_annb(&a, h5, 10, 3), 0);
    assert_int_equal(a.train.n, 10);
    assert_int_equal(a.test.n, 3);
    annb_release(&a);
}

/* ------------------------------------------------- HDF5's error printing */

static int h5_calls;

static herr_t count_h5_errors(hid_t stack, void *data)
{
    (void)stack;
    (void)data;
    h5_calls++;
    return 0;
}

/* load_annb silences HDF5 only while it runs: the caller's handler (here
 * one that counts its calls) is back afterwards, and was not called for
 * the failures load_annb reports itself. */
static void test_error_handler_restored(void **state)
{
    H5E_auto2_t func = NULL, saved = NULL;
    void *data = NULL, *saved_data = NULL;
    struct annb a;
    (void)state;

    H5Eget_auto2(H5E_DEFAULT, &saved, &saved_data);
    H5Eset_auto2(H5E_DEFAULT, count_h5_errors, &h5_calls);
    h5_calls = 0;
    const char *p = generate("noattr2.hdf5", (struct gen){ 0 });
    assert_fails(load_annb(&a, p, 0, 0), "no root attribute 'distance' in '", p);
    p = generate("notrain2.hdf5", (struct gen){ .distance = "euclidean", .no_train = 1 });
    assert_fails(load_annb(&a, p, 0, 0), "no dataset 'train' in '", p);
    assert_int_equal(h5_calls, 0);
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    assert_true(func == count_h5_errors);
    assert_ptr_equal(data, &h5_calls);
    /* the handler works: a failing call of our own reaches it */
    assert_true(H5Fopen(tmp("absent.hdf5"), H5F_ACC_RDONLY, H5P_DEFAULT) < 0);
    assert_true(h5_calls > 0);
    H5Eset_auto2(H5E_DEFAULT, saved, saved_data);
}

/* Issue 13, item 13: a dataset claiming a billion rows but storing none
 * (HDF5 would hand back fill values) is refused before anything is
 * allocated; so is one claiming more than its gzip storage can inflate to. */
static void test_claims_more_than_stored(void **state)
{
    const char *path = tmp("claims.hdf5");
    hsize_t dims[2] = { 1000000000, 128 }, chunk[2] = { 1000, 128 };
    struct gen g = { .distance = "euclidean", .no_train = 1 };
    struct annb a;
    hid_t file, space, dcpl, dset;
    (void)state;

    for (int zip = 0; zip < 2; zip++) {
        generate("claims.hdf5", g);
        file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
        space = H5Screate_simple(2, dims, NULL);
        dcpl = H5Pcreate(H5P_DATASET_CREATE);
        assert_true(file >= 0 && space >= 0 && dcpl >= 0);
        assert_true(H5Pset_chunk(dcpl, 2, chunk) >= 0);
        if (zip)
            assert_true(H5Pset_deflate(dcpl, 9) >= 0);
        dset = H5Dcreate2(file, "train", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        assert_true(dset >= 0);
        if (zip) {
            /* one chunk written: 512 KB of zeros, a few hundred bytes stored */
            float *zeros = calloc(1000 * 128, sizeof(float));
            hsize_t start[2] = { 0, 0 };
            hid_t mem = H5Screate_simple(2, chunk, NULL);
            assert_true(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, chunk, NULL) >= 0);
            assert_true(H5Dwrite(dset, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, zeros) >= 0);
            H5Sclose(mem);
            free(zeros);
        }
        H5Dclose(dset);
        H5Pclose(dcpl);
        H5Sclose(space);
        H5Fclose(file);
        assert_fails(load_annb(&a, path, 0, 0), "dataset 'train' in '",
                     "claims.hdf5' claims 1000000000 x 128 values but stores ");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metric_names),
        cmocka_unit_test(test_float32_vlen),
        cmocka_unit_test(test_float64_fixed),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_no_ground_truth),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_claims_more_than_stored),
        cmocka_unit_test(test_distances_shape),
        cmocka_unit_test(test_h5py),
        cmocka_unit_test(test_error_handler_restored),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
