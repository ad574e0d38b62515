/*
 * test_dataset.c - the loaders on the real shared files (skipped with a reason
 * when absent), on small generated files, and on hand-made broken files in
 * tests/data/dataset; then dataset_load's holdout, checks and hash.
 * Error messages are captured from stderr and must name the file and the
 * line or row at fault.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <hdf5.h>

#include "io/dataset.h"
#include "io/npy.h"
#include "lib/util.h"
#include "testutil.h"

#ifndef FS_SHARED_DATA
#define FS_SHARED_DATA ""
#endif
#ifndef FS_SOURCE_DIR
#error "FS_SOURCE_DIR must name the source tree (CMake defines it)"
#endif

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"
#define BAD_DIR FS_SOURCE_DIR "/tests/data/dataset/"

/* ------------------------------------------------------------ helpers */

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const char *path, const char *text)
{
    write_bytes(path, text, strlen(text));
}

/* stderr is fd 2 for error(): point it at a temp file around a call. */

/* The shared data sets live outside the repository: skip, saying why. */
static const char *shared(const char *rel)
{
    static char buf[1024];
    struct stat st;
    if (!*FS_SHARED_DATA) {
        print_message("skipping: FS_SHARED_DATA is not defined\n");
        skip();
    }
    if (stat(FS_SHARED_DATA, &st) != 0 || !S_ISDIR(st.st_mode)) {
        print_message("skipping: shared data folder %s not found\n", FS_SHARED_DATA);
        skip();
    }
    snprintf(buf, sizeof(buf), "%s/%s", FS_SHARED_DATA, rel);
    if (access(buf, R_OK) != 0) {
        print_message("skipping: %s not found\n", buf);
        skip();
    }
    return buf;
}

static const char *fashion(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof(buf), "%s/%s", FASHION_DIR, name);
    if (access(buf, R_OK) != 0) {
        print_message("skipping: %s not found (Debian package dataset-fashion-mnist)\n", buf);
        skip();
    }
    return buf;
}

static double sum_all(const struct vecs *v)
{
    double s = 0;
    for (size_t i = 0; i < v->n * v->d; i++)
        s += v->x[i];
    return s;
}

/* IDX writer for round trips: header then `payload` as given (big-endian). */
static void write_idx(const char *path, int gz, unsigned char type, int ndims,
                      const uint32_t *dims, const void *payload, size_t bytes)
{
    unsigned char h[4 + 16] = { 0, 0, type, (unsigned char)ndims };
    for (int i = 0; i < ndims; i++) {
        h[4 + 4 * i] = dims[i] >> 24;
        h[5 + 4 * i] = dims[i] >> 16;
        h[6 + 4 * i] = dims[i] >> 8;
        h[7 + 4 * i] = dims[i];
    }
    if (gz) {
        gzFile g = gzopen(path, "wb");
        assert_non_null(g);
        assert_int_equal(gzwrite(g, h, 4 + 4 * ndims), 4 + 4 * ndims);
        if (bytes)
            assert_int_equal(gzwrite(g, payload, (unsigned)bytes), (int)bytes);
        assert_int_equal(gzclose(g), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(h, 1, 4 + 4 * ndims, f);
        if (bytes)
            fwrite(payload, 1, bytes, f);
        fclose(f);
    }
}

static void put_be32(unsigned char *p, uint32_t u)
{
    p[0] = u >> 24; p[1] = u >> 16; p[2] = u >> 8; p[3] = u;
}

static struct dataset_spec spec_of(const char *format, const char *base, const char *queries,
                                   long holdout, unsigned long seed)
{
    struct dataset_spec s;
    memset(&s, 0, sizeof(s));
    s.format = (char *)format;
    s.base = (char *)base;
    s.queries = (char *)queries;
    s.holdout = holdout;
    s.seed = seed;
    return s;
}

/* ------------------------------------------------------ real data sets */

static void test_fashion_train(void **state)
{
    (void)state;
    const char *path = fashion("train-images-idx3-ubyte.gz");
    struct vecs v;
    double t0 = now_s();
    assert_int_equal(load_idx(&v, path, 0), 0);
    print_message("fashion-mnist train: %zu x %zu loaded in %.3f s\n", v.n, v.d, now_s() - t0);
    assert_int_equal(v.n, 60000);
    assert_int_equal(v.d, 784);
    /* Values checked with python3's gzip module on the same file. */
    assert_true(v.x[95] == 0 && v.x[96] == 1 && v.x[99] == 13 && v.x[100] == 73);
    assert_true(v.x[103] == 1 && v.x[104] == 4);
    assert_true(v.x[123 * 784 + 456] == 57);
    assert_true(v.x[59999 * 784 + 400] == 129);
    assert_true(sum_all(&v) == 3431114169.0);
    vecs_release(&v);

    assert_int_equal(load_vecs(&v, "idx", path, 100), 0);
    assert_int_equal(v.n, 100);
    assert_true(v.x[99 * 784 + 783] == 0 && v.x[96] == 1);
    vecs_release(&v);
}

static void test_fashion_t10k(void **state)
{
    (void)state;
    struct vecs v;
    assert_int_equal(load_idx(&v, fashion("t10k-images-idx3-ubyte.gz"), 0), 0);
    assert_int_equal(v.n, 10000);
    assert_int_equal(v.d, 784);
    assert_true(v.x[214] == 0 && v.x[215] == 3 && v.x[216] == 1 && v.x[219] == 7 && v.x[221] == 37);
    assert_true(v.x[123 * 784 + 456] == 0);
    assert_true(v.x[9999 * 784 + 400] == 45);
    assert_true(sum_all(&v) == 573469082.0);
    vecs_release(&v);
}

static void test_sift5k(void **state)
{
    (void)state;
    struct vecs v;
    assert_int_equal(load_vecs(&v, "tsv-id", shared("sift5k/sift-dataset-5k.tsv"), 0), 0);
    assert_int_equal(v.n, 5000);
    assert_int_equal(v.d, 128);
    /* Row 0: "0 0 0 0 0 0 0 0 13 10 ... 11 17 <id 100001>" */
    assert_true(v.x[0] == 0 && v.x[7] == 0 && v.x[8] == 13 && v.x[9] == 10);
    assert_true(v.x[124] == 24 && v.x[125] == 6 && v.x[126] == 11 && v.x[127] == 17);
    /* Last row: "36 9 15 27 42 15 13 24 49 29 ... 0 0 0 0 <id 105000>" */
    assert_true(v.x[4999 * 128 + 0] == 36 && v.x[4999 * 128 + 1] == 9);
    assert_true(v.x[4999 * 128 + 8] == 49 && v.x[4999 * 128 + 9] == 29);
    assert_true(v.x[4999 * 128 + 124] == 0 && v.x[4999 * 128 + 127] == 0);
    vecs_release(&v);

    /* Without dropping the id the width is 129 and the ids are the last column. */
    assert_int_equal(load_tsv(&v, shared("sift5k/sift-dataset-5k.tsv"), 2, 0), 0);
    assert_int_equal(v.n, 2);
    assert_int_equal(v.d, 129);
    assert_true(v.x[128] == 100001);
    vecs_release(&v);
}

static void test_sift_queries(void **state)
{
    (void)state;
    struct vecs v;
    assert_int_equal(load_vecs(&v, "tsv", shared("sift5k/sift-query-3.tsv"), 0), 0);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.d, 128);
    assert_true(v.x[0] == 17 && v.x[1] == 21 && v.x[127] == 22);
    assert_true(v.x[128] == 1 && v.x[129] == 2 && v.x[255] == 5);
    assert_true(v.x[256] == 65 && v.x[257] == 38 && v.x[383] == 6);
    vecs_release(&v);
}

/* The sift5k query file has no id column, so it cannot share the base's
 * "tsv-id" format: the dimension check must say so plainly. */
static void test_sift_format_mismatch(void **state)
{
    (void)state;
    char base[1024];
    struct dataset ds;
    snprintf(base, sizeof(base), "%s", shared("sift5k/sift-dataset-5k.tsv"));
    const char *q = shared("sift5k/sift-query-3.tsv");
    struct dataset_spec s = spec_of("tsv-id", base, q, 0, 1);
    assert_fails(dataset_load(&ds, &s), "sift-query-3.tsv': dimension 127 does not match base dimension 128",
                 "sift-dataset-5k.tsv'");
    assert_null(ds.base.x);
}

static void test_glove(void **state)
{
    (void)state;
    struct vecs v;
    assert_int_equal(load_vecs(&v, "glove-json", shared("glove50-5k/glove-50d-5k.json"), 0), 0);
    /* python3: len(json.load(f)) == 5050, every vector 50 long */
    assert_int_equal(v.n, 5050);
    assert_int_equal(v.d, 50);
    assert_float_equal(v.x[0], 0.418f, 0);
    assert_float_equal(v.x[1], 0.24968f, 0);
    assert_float_equal(v.x[2], -0.41242f, 0);
    assert_float_equal(v.x[49], -0.78581f, 0);
    /* Row 8 is the word "\"" and row 217 "\u2013": escapes skipped correctly. */
    assert_float_equal(v.x[8 * 50], 0.25769f, 0);
    assert_float_equal(v.x[8 * 50 + 49], 0.97065f, 0);
    assert_float_equal(v.x[217 * 50], -0.40021f, 0);
    assert_float_equal(v.x[2823 * 50 + 1], 0.98226f, 0);
    assert_float_equal(v.x[5049 * 50 + 49], 0.53837f, 0);
    vecs_release(&v);

    assert_int_equal(load_glove_json(&v, shared("glove50-5k/glove-50d-5k.json"), 10), 0);
    assert_int_equal(v.n, 10);
    vecs_release(&v);
}

static void test_real_holdout(void **state)
{
    (void)state;
    struct dataset ds;
    struct dataset_spec s = spec_of("tsv-id", shared("sift5k/sift-dataset-5k.tsv"), NULL, 1000, 1);
    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_int_equal(ds.base.n, 4000);
    assert_int_equal(ds.queries.n, 1000);
    assert_int_equal(ds.queries.d, 128);
    assert_null(ds.queries_path);
    assert_string_equal(ds.base_path, s.base);
    dataset_release(&ds);
}

/* ---------------------------------------------------------------- IDX */

static void test_idx_ubyte_roundtrip(void **state)
{
    (void)state;
    uint32_t dims[3] = { 5, 2, 3 };
    unsigned char data[30];
    struct vecs v;
    for (int i = 0; i < 30; i++)
        data[i] = (unsigned char)(i * 37 % 256);
    for (int gz = 0; gz <= 1; gz++) {
        const char *p = tmp(gz ? "u8.idx.gz" : "u8.idx");
        write_idx(p, gz, 0x08, 3, dims, data, sizeof(data));
        assert_int_equal(load_idx(&v, p, 0), 0);
        assert_int_equal(v.n, 5);
        assert_int_equal(v.d, 6);
        for (int i = 0; i < 30; i++)
            assert_true(v.x[i] == data[i]);
        vecs_release(&v);
        assert_int_equal(load_idx(&v, p, 2), 0);
        assert_int_equal(v.n, 2);
        assert_true(v.x[11] == data[11]);
        vecs_release(&v);
    }
    /* Signed bytes and a single dimension (d = 1). */
    uint32_t one[1] = { 3 };
    unsigned char sb[3] = { 0x80, 0xff, 0x05 };
    write_idx(tmp("s8.idx"), 0, 0x09, 1, one, sb, 3);
    assert_int_equal(load_idx(&v, tmp("s8.idx"), 0), 0);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.d, 1);
    assert_true(v.x[0] == -128 && v.x[1] == -1 && v.x[2] == 5);
    vecs_release(&v);
}

static void test_idx_wide_types(void **state)
{
    (void)state;
    const float f[6] = { -1.5f, 1e-3f, 3.25e5f, 0.0f, -0.0f, 7.0f };
    unsigned char be[24];
    uint32_t dims[2] = { 2, 3 };
    struct vecs v;
    for (int i = 0; i < 6; i++) {
        uint32_t u;
        memcpy(&u, &f[i], 4);
        put_be32(be + 4 * i, u);
    }
    for (int gz = 0; gz <= 1; gz++) {
        const char *p = tmp(gz ? "f32.idx.gz" : "f32.idx");
        write_idx(p, gz, 0x0D, 2, dims, be, sizeof(be));
        assert_int_equal(load_idx(&v, p, 0), 0);
        assert_int_equal(v.n, 2);
        assert_int_equal(v.d, 3);
        assert_memory_equal(v.x, f, sizeof(f));
        vecs_release(&v);
    }

    /* short, int and double, each big-endian */
    unsigned char s16[4] = { 0xff, 0xfe, 0x01, 0x00 };        /* -2, 256 */
    uint32_t d2[2] = { 2, 1 };
    write_idx(tmp("i16.idx"), 0, 0x0B, 2, d2, s16, 4);
    assert_int_equal(load_idx(&v, tmp("i16.idx"), 0), 0);
    assert_true(v.n == 2 && v.d == 1 && v.x[0] == -2 && v.x[1] == 256);
    vecs_release(&v);

    unsigned char s32[8];
    put_be32(s32, (uint32_t)-70000);
    put_be32(s32 + 4, 123456);
    write_idx(tmp("i32.idx"), 1, 0x0C, 2, d2, s32, 8);
    assert_int_equal(load_idx(&v, tmp("i32.idx"), 0), 0);
    assert_true(v.x[0] == -70000 && v.x[1] == 123456);
    vecs_release(&v);

    double dv = -2.75;
    uint64_t u;
    unsigned char f64[8];
    memcpy(&u, &dv, 8);
    put_be32(f64, (uint32_t)(u >> 32));
    put_be32(f64 + 4, (uint32_t)u);
    uint32_t d1[1] = { 1 };
    write_idx(tmp("f64.idx"), 0, 0x0E, 1, d1, f64, 8);
    assert_int_equal(load_idx(&v, tmp("f64.idx"), 0), 0);
    assert_true(v.n == 1 && v.d == 1 && v.x[0] == -2.75f);
    vecs_release(&v);
}

static void test_idx_bad_header(void **state)
{
    (void)state;
    struct vecs v;
    assert_fails(load_idx(&v, BAD_DIR "bad-magic.idx", 0), "bad-magic.idx': not an IDX file", "bad magic");
    assert_null(v.x);

    uint32_t dims[4] = { 1, 1, 1, 1 };
    unsigned char hdr0[4] = { 0, 0, 0x08, 0 };
    write_bytes(tmp("nd0.idx"), hdr0, 4);
    assert_fails(load_idx(&v, tmp("nd0.idx"), 0), "nd0.idx': bad IDX header: 0 dimensions", NULL);
    unsigned char hdr5[24] = { 0, 0, 0x08, 5 };
    write_bytes(tmp("nd5.idx"), hdr5, sizeof(hdr5));
    assert_fails(load_idx(&v, tmp("nd5.idx"), 0), "nd5.idx': bad IDX header: 5 dimensions", NULL);
    unsigned char type[4] = { 0, 0, 0x07, 1 };
    write_bytes(tmp("type.idx"), type, 4);
    assert_fails(load_idx(&v, tmp("type.idx"), 0), "type.idx': not an IDX file", NULL);

    /* Header cut inside the sizes. */
    write_idx(tmp("hdr.idx"), 0, 0x08, 3, dims, NULL, 0);
    FILE *f = fopen(tmp("hdr.idx"), "r+b");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 10), 0);
    fclose(f);
    assert_fails(load_idx(&v, tmp("hdr.idx"), 0), "hdr.idx': truncated header", NULL);

    /* Sizes no real file has: refused before any allocation. */
    uint32_t huge[3] = { 4000000000u, 60000, 60000 };
    write_idx(tmp("huge.idx.gz"), 1, 0x08, 3, huge, NULL, 0);
    assert_fails(load_idx(&v, tmp("huge.idx.gz"), 0), "huge.idx.gz': absurd IDX size", NULL);
    uint32_t zero[2] = { 5, 0 };
    write_idx(tmp("zero.idx"), 0, 0x08, 2, zero, NULL, 0);
    assert_fails(load_idx(&v, tmp("zero.idx"), 0), "zero.idx': absurd IDX size: dimension 1 is 0", NULL);

    assert_fails(load_idx(&v, tmp("missing.idx"), 0), "cannot open '", "missing.idx': No such file");
    write_bytes(tmp("empty.idx"), "", 0);
    assert_fails(load_idx(&v, tmp("empty.idx"), 0), "empty.idx': truncated header", NULL);
}

static void test_idx_truncated(void **state)
{
    (void)state;
    struct vecs v;
    assert_fails(load_idx(&v, BAD_DIR "truncated.idx", 0),
                 "truncated.idx': truncated: expected 12 bytes of data, got 5", NULL);
    assert_null(v.x);

    /* A gzip stream cut in the middle: short data, not a crash or garbage. */
    enum { N = 2000, D = 100 };
    unsigned char *data = malloc(N * D);
    uint64_t r = 42;
    for (size_t i = 0; i < N * D; i++) {
        r = r * 6364136223846793005u + 1442695040888963407u;
        data[i] = (unsigned char)(r >> 56);    /* incompressible */
    }
    uint32_t dims[2] = { N, D };
    write_idx(tmp("cut.idx.gz"), 1, 0x08, 2, dims, data, N * D);
    free(data);
    struct stat st;
    assert_int_equal(stat(tmp("cut.idx.gz"), &st), 0);
    assert_int_equal(truncate(tmp("cut.idx.gz"), st.st_size / 2), 0);
    assert_fails(load_idx(&v, tmp("cut.idx.gz"), 0), "cut.idx.gz': truncated: expected 200000 bytes of data, got ", NULL);
    /* ... but the rows before the cut are readable with a limit. */
    assert_int_equal(load_idx(&v, tmp("cut.idx.gz"), 10), 0);
    assert_int_equal(v.n, 10);
    vecs_release(&v);
}

/* ---------------------------------------------------------------- TSV */

static void test_tsv_good(void **state)
{
    (void)state;
    struct vecs v;
    write_text(tmp("ok.tsv"), "1\t2.5 -3e2\r\n  4\t\t5 6  \n7 8 9\n\n\n");
    assert_int_equal(load_tsv(&v, tmp("ok.tsv"), 0, 0), 0);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.d, 3);
    const float want[9] = { 1, 2.5f, -300, 4, 5, 6, 7, 8, 9 };
    assert_memory_equal(v.x, want, sizeof(want));
    vecs_release(&v);

    /* The id column may be any token; no final newline. */
    write_text(tmp("id.tsv"), "1 2 img-a\n3 4 img-b");
    assert_int_equal(load_vecs(&v, "tsv-id", tmp("id.tsv"), 0), 0);
    assert_true(v.n == 2 && v.d == 2 && v.x[2] == 3 && v.x[3] == 4);
    vecs_release(&v);
    assert_int_equal(load_vecs(&v, "tsv-id", tmp("id.tsv"), 1), 0);
    assert_int_equal(v.n, 1);
    vecs_release(&v);
    assert_fails(load_tsv(&v, tmp("id.tsv"), 0, 0), "id.tsv': line 1: field 3 is not a number: 'img-a'", NULL);

    write_text(tmp("one.tsv"), "1\n2\n");
    assert_fails(load_tsv(&v, tmp("one.tsv"), 0, 1), "one.tsv': line 1: a single column", NULL);
}

static void test_tsv_bad(void **state)
{
    (void)state;
    struct vecs v;
    assert_fails(load_tsv(&v, BAD_DIR "ragged.tsv", 0, 0), "ragged.tsv': line 3: expected 4 values, got 3", NULL);
    assert_null(v.x);
    /* A limit before the bad line reads the good rows. */
    assert_int_equal(load_tsv(&v, BAD_DIR "ragged.tsv", 2, 0), 0);
    assert_int_equal(v.n, 2);
    vecs_release(&v);
    assert_fails(load_tsv(&v, BAD_DIR "nonnumeric.tsv", 0, 0),
                 "nonnumeric.tsv': line 2: field 2 is not a number: '5x'", NULL);
    assert_fails(load_tsv(&v, BAD_DIR "empty.tsv", 0, 0), "empty.tsv': empty file", NULL);
    assert_fails(load_vecs(&v, "tsv-id", BAD_DIR "empty.tsv", 0), "empty.tsv': empty file", NULL);
    assert_fails(load_tsv(&v, BAD_DIR "blank-inside.tsv", 0, 0), "blank-inside.tsv': line 2: empty line", NULL);
    write_text(tmp("blank.tsv"), "\n \n\t\n");
    assert_fails(load_tsv(&v, tmp("blank.tsv"), 0, 0), "blank.tsv': empty file", NULL);
    assert_fails(load_tsv(&v, tmp("nope.tsv"), 0, 0), "cannot open '", "nope.tsv'");
}

/* -------------------------------------------------------------- fvecs */

static void write_fvecs(const char *path, const float *x, size_t n, const int32_t *dims)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        fwrite(&dims[i], 4, 1, f);
        fwrite(x, 4, (size_t)dims[i], f);
        x += dims[i];
    }
    fclose(f);
}

static void test_fvecs(void **state)
{
    (void)state;
    float x[12];
    int32_t dims[3] = { 4, 4, 4 };
    struct vecs v;
    for (int i = 0; i < 12; i++)
        x[i] = (float)i * 0.5f - 2;
    write_fvecs(tmp("a.fvecs"), x, 3, dims);
    assert_int_equal(load_vecs(&v, "fvecs", tmp("a.fvecs"), 0), 0);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.d, 4);
    assert_memory_equal(v.x, x, sizeof(x));
    vecs_release(&v);
    assert_int_equal(load_fvecs(&v, tmp("a.fvecs"), 2), 0);
    assert_int_equal(v.n, 2);
    vecs_release(&v);

    assert_int_equal(truncate(tmp("a.fvecs"), 3 * 20 - 2), 0);
    assert_fails(load_fvecs(&v, tmp("a.fvecs"), 0), "a.fvecs': truncated: row 2: expected 4 floats, got 3", NULL);
    assert_null(v.x);
    assert_int_equal(truncate(tmp("a.fvecs"), 2 * 20 + 2), 0);
    assert_fails(load_fvecs(&v, tmp("a.fvecs"), 0), "a.fvecs': truncated: row 2 holds 2 of the 4 bytes", NULL);

    int32_t ragged[3] = { 4, 5, 3 };
    write_fvecs(tmp("r.fvecs"), x, 3, ragged);
    assert_fails(load_fvecs(&v, tmp("r.fvecs"), 0), "r.fvecs': row 1: dimension 5 differs from 4 in row 0", NULL);
    int32_t bad[1] = { -1 };
    write_bytes(tmp("neg.fvecs"), bad, 4);
    assert_fails(load_fvecs(&v, tmp("neg.fvecs"), 0), "neg.fvecs': row 0: absurd dimension", NULL);
    write_bytes(tmp("e.fvecs"), "", 0);
    assert_fails(load_fvecs(&v, tmp("e.fvecs"), 0), "e.fvecs': empty file", NULL);
}

/* --------------------------------------------------------- GloVe JSON */

static void test_glove_small(void **state)
{
    (void)state;
    struct vecs v;
    assert_int_equal(load_glove_json(&v, BAD_DIR "glove-escapes.json", 0), 0);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.d, 3);
    const float want[9] = { 1, -0.25f, 300, 0, -0.0f, 1000, 4, 5, 6 };
    assert_memory_equal(v.x, want, sizeof(want));
    vecs_release(&v);
}

static void test_glove_bad(void **state)
{
    (void)state;
    struct vecs v;
    assert_fails(load_glove_json(&v, BAD_DIR "glove-ragged.json", 0),
                 "glove-ragged.json': line 3: vector 1 has 2 values, expected 3", NULL);
    assert_null(v.x);
    assert_fails(load_glove_json(&v, BAD_DIR "glove-trailing-comma.json", 0),
                 "glove-trailing-comma.json': line 3: expected '\"' starting a word, got '}'", NULL);
    assert_fails(load_glove_json(&v, BAD_DIR "glove-bad-escape.json", 0),
                 "glove-bad-escape.json': line 3: expected an escape", NULL);
    assert_fails(load_glove_json(&v, BAD_DIR "glove-bad-number.json", 0),
                 "glove-bad-number.json': line 2: malformed number", NULL);

    static const struct { const char *text, *msg; } cases[] = {
        { "", "empty file" },
        { "[1, 2]", "line 1: expected '{' opening the word table, got '['" },
        { "{}", "line 1: empty word table" },
        { "{\"a\": [1, 2]", "line 1: expected ',' or '}' after a vector, got end of file" },
        { "{\"a\": [1, 2]} x", "line 1: expected end of file after '}', got 'x'" },
        { "{\"a\" [1]}", "line 1: expected ':' after a word, got '['" },
        { "{\"a\": []}", "line 1: empty vector" },
        { "{\"a\": [1,]}", "line 1: expected a number, got ']'" },
        { "{\"a\": [1 2]}", "line 1: expected ',' or ']' in a vector, got '2'" },
        { "{\"a\": [1.]}", "line 1: malformed number" },
        { "{\"a\": [1e]}", "line 1: malformed number" },
        { "{\"a\": [+1]}", "line 1: expected a number, got '+'" },
        { "{\"a\": [NaN]}", "line 1: expected a number, got 'N'" },
        { "{\n\"a\": 1}", "line 2: expected '[' starting a vector, got '1'" },
        { "{\n\n\"a\\u12G4\": [1]}", "line 3: expected 4 hex digits after \\u, got 'G'" },
        { "{\"a\n\": [1]}", "line 1: expected a character or '\"' in a word, got byte 0x0a" },
        { "{\"abc", "line 1: expected '\"' closing a word, got end of file" },
        { "{\"a\": [1], \"b\": [2, 3]}", "line 1: vector 1 has 2 values, expected 1" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        write_text(tmp("bad.json"), cases[i].text);
        assert_fails(load_glove_json(&v, tmp("bad.json"), 0), "bad.json': ", cases[i].msg);
    }
    /* A limit stops before the damage. */
    write_text(tmp("lim.json"), "{\"a\": [1, 2], \"b\": [3, 4], \"c\": [5]}");
    assert_int_equal(load_glove_json(&v, tmp("lim.json"), 2), 0);
    assert_true(v.n == 2 && v.d == 2 && v.x[3] == 4);
    vecs_release(&v);
}

static void test_unknown_format(void **state)
{
    (void)state;
    struct vecs v;
    assert_fails(load_vecs(&v, "npz", tmp("x.npz"), 0), "x.npz': unknown dataset format 'npz'",
                 "(known: idx, tsv, tsv-id, glove-json, glove-txt, fvecs, ivecs, bvecs, npy, rvc, "
                 "rvc-index, ann-hdf5)");
    assert_null(v.x);
}

/* ------------------------------------------------------- ivecs, bvecs */

static void test_ivecs_bvecs(void **state)
{
    (void)state;
    struct vecs v;
    int32_t d3 = 3, d2 = 2;
    const int32_t iv[6] = { -70000, 0, 16777216, 5, 6, 7 };
    FILE *f = fopen(tmp("a.ivecs"), "wb");
    fwrite(&d3, 4, 1, f); fwrite(iv, 4, 3, f);
    fwrite(&d3, 4, 1, f); fwrite(iv + 3, 4, 3, f);
    fclose(f);
    assert_int_equal(load_vecs(&v, "ivecs", tmp("a.ivecs"), 0), 0);
    assert_true(v.n == 2 && v.d == 3);
    for (int i = 0; i < 6; i++)
        assert_true(v.x[i] == (float)iv[i]);
    assert_string_equal(v.dtype, "int32");
    vecs_release(&v);
    assert_int_equal(truncate(tmp("a.ivecs"), 16 + 4 + 8), 0);
    assert_fails(load_ivecs(&v, tmp("a.ivecs"), 0), "a.ivecs': truncated: row 1: expected 3 int32 values, got 2", NULL);
    f = fopen(tmp("a.ivecs"), "ab");
    fwrite(iv, 4, 1, f);
    fwrite(&d2, 4, 1, f);
    fwrite(iv, 4, 2, f);
    fclose(f);
    assert_fails(load_ivecs(&v, tmp("a.ivecs"), 0), "a.ivecs': row 2: dimension 2 differs from 3 in row 0", NULL);

    const unsigned char b[8] = { 0, 1, 128, 255, 9, 8, 7, 6 };
    f = fopen(tmp("a.bvecs"), "wb");
    int32_t d4 = 4;
    fwrite(&d4, 4, 1, f); fwrite(b, 1, 4, f);
    fwrite(&d4, 4, 1, f); fwrite(b + 4, 1, 4, f);
    fclose(f);
    assert_int_equal(load_vecs(&v, "bvecs", tmp("a.bvecs"), 0), 0);
    assert_true(v.n == 2 && v.d == 4);
    for (int i = 0; i < 8; i++)
        assert_true(v.x[i] == b[i]);
    assert_string_equal(v.dtype, "uint8");
    vecs_release(&v);
    assert_int_equal(load_bvecs(&v, tmp("a.bvecs"), 1), 0);
    assert_int_equal(v.n, 1);
    vecs_release(&v);
    assert_int_equal(truncate(tmp("a.bvecs"), 8 + 2), 0);
    assert_fails(load_bvecs(&v, tmp("a.bvecs"), 0), "a.bvecs': truncated: row 1 holds 2 of the 4 bytes of its dimension", NULL);
    assert_int_equal(truncate(tmp("a.bvecs"), 8 + 4 + 1), 0);
    assert_fails(load_bvecs(&v, tmp("a.bvecs"), 0), "a.bvecs': truncated: row 1: expected 4 bytes, got 1", NULL);
    write_bytes(tmp("e.bvecs"), "", 0);
    assert_fails(load_bvecs(&v, tmp("e.bvecs"), 0), "e.bvecs': empty file", NULL);
}

/* --------------------------------------------------------- GloVe text */

static void test_glove_txt(void **state)
{
    (void)state;
    struct vecs v;
    write_text(tmp("g.txt"), "the 0.418 0.24968 -0.41242\n"
                             ", 1 2 3\r\n"
                             "\xc3\xa9t\xc3\xa9 -1e-3 0 5\n"
                             "\"quoted\"word 7 8 9\n\n");
    assert_int_equal(load_vecs(&v, "glove-txt", tmp("g.txt"), 0), 0);
    assert_true(v.n == 4 && v.d == 3);
    assert_float_equal(v.x[0], 0.418f, 0);
    assert_float_equal(v.x[2], -0.41242f, 0);
    assert_true(v.x[3] == 1 && v.x[5] == 3 && v.x[6] == -1e-3f && v.x[11] == 9);
    vecs_release(&v);
    assert_int_equal(load_glove_txt(&v, tmp("g.txt"), 2), 0);
    assert_int_equal(v.n, 2);
    vecs_release(&v);

    /* a word2vec/fastText count line is skipped, and checked */
    write_text(tmp("w.vec"), "2 2\na 1 2\nb 3 4\n");
    assert_int_equal(load_glove_txt(&v, tmp("w.vec"), 0), 0);
    assert_true(v.n == 2 && v.d == 2 && v.x[3] == 4);
    vecs_release(&v);

    static const struct { const char *text, *msg; } cases[] = {
        { "", "empty file" },
        { "a 1 2\nb 1\n", "line 2: expected a word and 2 values, got 1 values" },
        { "a 1 2\nb 1 x2\n", "line 2: value 2 is not a number: 'x2'" },
        { "a\n", "line 1: a word without a vector" },
        { "a 1 2\n\nb 3 4\n", "line 2: empty line inside the data" },
        { "a 1 2\n 3 4\n", "line 2: starts with a blank, expected a word" },
        { "2 3\na 1 2\n", "line 2: 2 values, but line 1 says 3" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        write_text(tmp("bad.txt"), cases[i].text);
        assert_fails(load_glove_txt(&v, tmp("bad.txt"), 0), "bad.txt': ", cases[i].msg);
    }
    /* NaN parses as a number; dataset_load rejects the row, naming it */
    write_text(tmp("nan.txt"), "a 1 2\nb nan 2\nc 3 4\n");
    struct dataset ds;
    struct dataset_spec s = spec_of("glove-txt", tmp("nan.txt"), NULL, 1, 1);
    assert_fails(dataset_load(&ds, &s), "nan.txt': row 1 holds NaN or Inf", NULL);
}

/* ----------------------------------------------- queries in another format */

static void test_sift_queries_format(void **state)
{
    (void)state;
    char base[1024];
    struct dataset ds;
    snprintf(base, sizeof(base), "%s", shared("sift5k/sift-dataset-5k.tsv"));
    struct dataset_spec s = spec_of("tsv-id", base, shared("sift5k/sift-query-3.tsv"), 0, 1);
    s.queries_format = (char *)"tsv";
    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_int_equal(ds.base.n, 5000);
    assert_int_equal(ds.queries.n, 3);
    assert_int_equal(ds.queries.d, 128);
    assert_true(ds.queries.x[0] == 17 && ds.queries.x[383] == 6);
    assert_int_equal(ds.base_clips.n, 0);
    assert_null(ds.gt_ids);
    assert_null(ds.native_metric);
    dataset_release(&ds);
}

/* A mapped float32 .npy as base: the holdout compacts the private mapping
 * in place, and release unmaps it. */
static void test_npy_base_holdout(void **state)
{
    (void)state;
    float x[50 * 3];
    struct dataset ds;
    for (int i = 0; i < 50; i++) {
        x[3 * i] = (float)i;
        x[3 * i + 1] = (float)(2 * i);
        x[3 * i + 2] = 1;
    }
    assert_int_equal(npy_write_f32(tmp("b.npy"), x, 50, 3), 0);
    struct dataset_spec s = spec_of("npy", tmp("b.npy"), NULL, 5, 3);
    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_non_null(ds.base.map);
    assert_int_equal(ds.base.n, 45);
    assert_int_equal(ds.queries.n, 5);
    for (size_t i = 1; i < ds.base.n; i++)
        assert_true(ds.base.x[3 * i] > ds.base.x[3 * (i - 1)]);
    dataset_release(&ds);
    /* the file itself is unchanged */
    struct vecs v;
    assert_int_equal(load_npy(&v, tmp("b.npy"), 0), 0);
    assert_memory_equal(v.x, x, sizeof(x));
    vecs_release(&v);
}

/* ------------------------------------------------------- guess, info */

static void test_guess_format(void **state)
{
    (void)state;
    static const struct { const char *path, *format; } cases[] = {
        { "a/b.npy", "npy" }, { "x.fvecs", "fvecs" }, { "x.IVECS", "ivecs" },
        { "x.bvecs", "bvecs" }, { "f.hdf5", "ann-hdf5" }, { "f.h5", "ann-hdf5" },
        { "added_IVF10_Flat_nprobe_1_x_v2.index", "rvc-index" }, { "s.tsv", "tsv" },
        { "g.json", "glove-json" }, { "glove.6B.50d.txt", "glove-txt" },
        { "train-images-idx3-ubyte.gz", "idx" }, { "t10k-labels-idx1-ubyte", "idx" },
        { "x.idx", "idx" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(dataset_guess_format(cases[i].path), cases[i].format);
    assert_null(dataset_guess_format("data.csv"));
    assert_string_equal(dataset_guess_format(tmpdir), "rvc");
}

static const char *info_of(const char *format, const char *path)
{
    static char out[4096];
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(dataset_info(f, format, path), 0);
    rewind(f);
    out[fread(out, 1, sizeof(out) - 1, f)] = '\0';
    fclose(f);
    return out;
}

static void test_info(void **state)
{
    (void)state;
    /* rows: (3,4), zero, dup of row 0, NaN, (0,-0) (not bitwise equal to zero), zero again */
    write_text(tmp("info.tsv"), "3 4\n0 0\n3 4\nnan 1\n0 -0\n0 0\n");
    const char *out = info_of(NULL, tmp("info.tsv"));
    assert_has(out, "format:         tsv\n");
    assert_has(out, "N:              6\n");
    assert_has(out, "d:              2\n");
    assert_has(out, "dtype:          text\n");
    assert_has(out, "clips:          none (row data)\n");
    assert_has(out, "L2 norms:       min 0, mean 2, max 5 ");
    assert_has(out, "NaN/Inf rows:   1\n");
    assert_has(out, "zero rows:      3\n");
    assert_has(out, "duplicate rows: 2 ");

    /* the printed hash is dataset_load's hash for this base without queries:
     * the same table held out with 1 row hashes differently, the hash is stable */
    char h1[64];
    snprintf(h1, sizeof(h1), "%s", strstr(out, "hash:"));
    assert_has(info_of("tsv", tmp("info.tsv")), h1);

    const char *fm = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    if (access(fm, R_OK) == 0) {
        out = info_of(NULL, fm);
        assert_has(out, "format:         idx\nN:              10000\nd:              784\ndtype:          uint8\n");
    }
    assert_fails(dataset_info(stdout, NULL, tmp("what.csv")), "what.csv': cannot tell the format", NULL);
    assert_fails(dataset_info(stdout, "tsv", tmp("none.tsv")), "none.tsv'", NULL);
}

/* ------------------------------------------------------------ ann-hdf5 */

static void h5_put(hid_t file, const char *name, hid_t type, hid_t mtype, hsize_t r, hsize_t c,
                   const void *data)
{
    hsize_t dims[2] = { r, c };
    hid_t space = H5Screate_simple(2, dims, NULL);
    hid_t dset = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0);
    H5Dclose(dset);
    H5Sclose(space);
}

static void write_annb(const char *path)
{
    float train[20 * 4], test[3 * 4], dist[3 * 5];
    int64_t nb[3 * 5];
    for (int i = 0; i < 80; i++)
        train[i] = (float)(i % 7) + (float)i / 80;
    for (int i = 0; i < 12; i++)
        test[i] = (float)i * 0.5f;
    for (int i = 0; i < 15; i++) {
        nb[i] = i % 20;
        dist[i] = (float)i;
    }
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(file >= 0);
    h5_put(file, "train", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 20, 4, train);
    h5_put(file, "test", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, 4, test);
    h5_put(file, "neighbors", H5T_STD_I64LE, H5T_NATIVE_INT64, 3, 5, nb);
    h5_put(file, "distances", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, 5, dist);
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR);
    H5Tset_size(type, 7);
    hid_t attr = H5Acreate2(file, "distance", type, space, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(H5Awrite(attr, type, "angular") >= 0);
    H5Aclose(attr);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(file);
}

static void test_ann_hdf5(void **state)
{
    (void)state;
    struct dataset ds;
    write_annb(tmp("a.hdf5"));
    struct dataset_spec s = spec_of("ann-hdf5", tmp("a.hdf5"), NULL, 1000, 1);
    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_int_equal(ds.base.n, 20);
    assert_int_equal(ds.queries.n, 3);
    assert_int_equal(ds.base.d, 4);
    assert_int_equal(ds.gt_k, 5);
    assert_non_null(ds.gt_ids);
    assert_true(ds.gt_ids[14] == 14 && ds.gt_dist[7] == 7);
    assert_string_equal(ds.native_metric, "cosine");
    assert_string_equal(ds.distance, "angular");
    assert_true(ds.queries.x[11] == 5.5f);
    dataset_release(&ds);

    /* query_limit: fewer queries, ground truth follows */
    s.query_limit = 2;
    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_int_equal(ds.queries.n, 2);
    assert_int_equal(ds.gt_k, 5);
    dataset_release(&ds);

    /* base_limit that cuts the train set: stored ids no longer apply */
    s.base_limit = 10;
    capture_start();
    assert_int_equal(dataset_load(&ds, &s), 0);
    capture_end();
    assert_int_equal(ds.base.n, 10);
    assert_null(ds.gt_ids);
    assert_int_equal(ds.gt_k, 0);
    dataset_release(&ds);
    /* ... but a limit that keeps every row keeps them */
    s.base_limit = 20;
    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_int_equal(ds.gt_k, 5);
    dataset_release(&ds);

    s.queries = (char *)tmp("q.tsv");
    assert_fails(dataset_load(&ds, &s), "a.hdf5': ann-hdf5 files hold their own queries", NULL);

    const char *out = info_of(NULL, tmp("a.hdf5"));
    assert_has(out, "format:         ann-hdf5\nN:              20\n");
    assert_has(out, "queries:        3 (test)\n");
    assert_has(out, "ground truth:   5 neighbours per query\n");
    assert_has(out, "distance:       angular (metric cosine)\n");
    assert_has(out, "run hash:");
}

/* ------------------------------------------------------- row checks */

static void test_nonfinite_and_normalize(void **state)
{
    (void)state;
    float x[12] = { 3, 4, 0, 0, 0, 0, 1e-9f, 0, 0, NAN, 1, 1 };
    struct vecs v = { .x = x, .n = 4, .d = 3 };
    size_t first = 99;
    assert_int_equal(vecs_count_nonfinite(&v, &first), 1);
    assert_int_equal(first, 3);
    v.n = 3;
    first = 99;
    assert_int_equal(vecs_count_nonfinite(&v, &first), 0);
    assert_int_equal(first, 99);
    x[1] = INFINITY;
    assert_int_equal(vecs_count_nonfinite(&v, NULL), 1);
    x[1] = 4;

    /* Rows: (3,4,0) -> (0.6,0.8,0); zero row stays; tiny row scaled by 1/eps. */
    assert_int_equal(vecs_normalize(&v, 1e-6f), 2);
    assert_float_equal(x[0], 0.6f, 1e-7);
    assert_float_equal(x[1], 0.8f, 1e-7);
    assert_true(x[2] == 0);
    assert_true(x[3] == 0 && x[4] == 0 && x[5] == 0);
    assert_float_equal(x[6], 1e-3f, 1e-9);

    /* Norm computed in double: large values do not overflow float. */
    float big[2] = { 3e30f, 4e30f };
    struct vecs b = { .x = big, .n = 1, .d = 2 };
    assert_int_equal(vecs_normalize(&b, 1e-6f), 0);
    assert_float_equal(big[0], 0.6f, 1e-6);
    assert_float_equal(big[1], 0.8f, 1e-6);
}

/* ------------------------------------------------------------ dataset */

static void test_dataset_nan(void **state)
{
    (void)state;
    struct dataset ds;
    struct dataset_spec s = spec_of("tsv", BAD_DIR "nan.tsv", NULL, 1, 1);
    assert_fails(dataset_load(&ds, &s), "nan.tsv': row 2 holds NaN or Inf (2 such rows)", NULL);
    assert_null(ds.base.x);
    assert_null(ds.base_path);

    /* Same in a query file. */
    write_text(tmp("nb.tsv"), "1 2 3\n4 5 6\n");
    struct dataset_spec q = spec_of("tsv", tmp("nb.tsv"), BAD_DIR "nan.tsv", 0, 1);
    assert_fails(dataset_load(&ds, &q), "nan.tsv': row 2 holds NaN or Inf", NULL);
    assert_null(ds.queries.x);
}

static void test_dataset_queries_file(void **state)
{
    (void)state;
    struct dataset ds;
    write_text(tmp("b.tsv"), "1 2 3 4\n5 6 7 8\n9 10 11 12\n");
    write_text(tmp("q.tsv"), "1 2 3\n4 5 6\n");
    struct dataset_spec s = spec_of("tsv", tmp("b.tsv"), tmp("q.tsv"), 1000, 1);
    char want[600];
    snprintf(want, sizeof(want), "'%s': dimension 3 does not match base dimension 4 in '%s'",
             tmp("q.tsv"), tmp("b.tsv"));
    assert_fails(dataset_load(&ds, &s), want, NULL);
    assert_null(ds.base.x);

    write_text(tmp("q.tsv"), "0 0 0 1\n0 0 1 0\n0 1 0 0\n");
    s.base_limit = 2;
    s.query_limit = 2;
    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_int_equal(ds.base.n, 2);
    assert_int_equal(ds.queries.n, 2);
    assert_true(ds.queries.x[3] == 1 && ds.queries.x[6] == 1);
    assert_string_equal(ds.queries_path, tmp("q.tsv"));
    assert_string_equal(ds.base_path, tmp("b.tsv"));
    dataset_release(&ds);
    assert_null(ds.base_path);

    /* No rows at all (a valid IDX file with n = 0). */
    uint32_t dims[2] = { 0, 3 };
    write_idx(tmp("n0.idx"), 0, 0x08, 2, dims, NULL, 0);
    struct dataset_spec z = spec_of("idx", tmp("n0.idx"), NULL, 1, 1);
    assert_fails(dataset_load(&ds, &z), "n0.idx': no rows", NULL);
    struct dataset_spec u = spec_of("csv", tmp("b.tsv"), NULL, 1, 1);
    assert_fails(dataset_load(&ds, &u), "unknown dataset format 'csv'", NULL);
}

/* 100 rows, row i = (i, 2i, -i): every row tells its own index. */
static void write_rows(const char *path, size_t n, int change)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%zu\t%zu\t%d\n", i, 2 * i, -(int)i + (change && i == 50));
    fclose(f);
}

static void test_dataset_holdout(void **state)
{
    (void)state;
    struct dataset a, b, c;
    int seen[100] = { 0 };
    write_rows(tmp("rows.tsv"), 100, 0);
    struct dataset_spec s = spec_of("tsv", tmp("rows.tsv"), NULL, 10, 1);

    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base.n, 90);
    assert_int_equal(a.queries.n, 10);
    assert_int_equal(a.queries.d, 3);
    assert_null(a.queries_path);
    /* Queries are whole rows; base keeps its order; together they are all rows. */
    for (size_t i = 0; i < a.queries.n; i++) {
        const float *r = a.queries.x + 3 * i;
        assert_true(r[1] == 2 * r[0] && r[2] == -r[0]);
        assert_int_equal(seen[(int)r[0]]++, 0);
    }
    for (size_t i = 0; i < a.base.n; i++) {
        const float *r = a.base.x + 3 * i;
        assert_true(r[1] == 2 * r[0] && r[2] == -r[0]);
        assert_int_equal(seen[(int)r[0]]++, 0);   /* held-out rows absent from base */
        if (i)
            assert_true(r[0] > r[-3]);
    }
    for (int i = 0; i < 100; i++)
        assert_int_equal(seen[i], 1);

    /* Same seed: same sample and hash; another seed: another sample and hash. */
    assert_int_equal(dataset_load(&b, &s), 0);
    assert_memory_equal(a.queries.x, b.queries.x, 30 * sizeof(float));
    assert_memory_equal(a.base.x, b.base.x, 270 * sizeof(float));
    assert_true(a.hash == b.hash);
    dataset_release(&b);
    s.seed = 2;
    assert_int_equal(dataset_load(&c, &s), 0);
    assert_int_equal(c.queries.n, 10);
    assert_true(memcmp(a.queries.x, c.queries.x, 30 * sizeof(float)) != 0);
    assert_true(a.hash != c.hash);
    dataset_release(&c);

    /* One value changed: hash changes. */
    s.seed = 1;
    write_rows(tmp("rows2.tsv"), 100, 1);
    s.base = (char *)tmp("rows2.tsv");
    assert_int_equal(dataset_load(&c, &s), 0);
    assert_true(a.hash != c.hash);
    dataset_release(&c);

    /* The sample is a fixed function of the seed on every machine; these rows
     * were drawn for seed 1 by an independent python3 splitmix64 + partial
     * Fisher-Yates, so a silent change of the sampler fails here. */
    s.base = (char *)tmp("rows.tsv");
    const float drawn[10] = { 65, 53, 66, 56, 61, 18, 43, 40, 20, 27 };
    for (int i = 0; i < 10; i++)
        assert_true(a.queries.x[3 * i] == drawn[i]);
    dataset_release(&a);

    s.holdout = 99;
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base.n, 1);
    dataset_release(&a);

    s.holdout = 100;
    assert_fails(dataset_load(&a, &s), "rows.tsv': cannot hold out 100 of 100 rows", NULL);
    s.holdout = 0;
    assert_fails(dataset_load(&a, &s), "rows.tsv': no query file and holdout is 0", NULL);
    s.holdout = 5;
    s.base_limit = 5;
    assert_fails(dataset_load(&a, &s), "cannot hold out 5 of 5 rows", NULL);
}

/* ------------------------------------------------------------- setup */

/* Two row files for dataset.base lists: l1.npy rows (i, 2i, 1), i < 4, and
 * l2.npy rows (100 + i, -1, 2), i < 5; lq.npy two queries. */
static void write_list_files(float x1[4 * 3], float x2[5 * 3])
{
    float q[2 * 3] = { 7, 7, 7, 8, 8, 8 };
    for (int i = 0; i < 4; i++) {
        x1[3 * i] = (float)i;
        x1[3 * i + 1] = (float)(2 * i);
        x1[3 * i + 2] = 1;
    }
    for (int i = 0; i < 5; i++) {
        x2[3 * i] = (float)(100 + i);
        x2[3 * i + 1] = -1;
        x2[3 * i + 2] = 2;
    }
    assert_int_equal(npy_write_f32(tmp("l1.npy"), x1, 4, 3), 0);
    assert_int_equal(npy_write_f32(tmp("l2.npy"), x2, 5, 3), 0);
    assert_int_equal(npy_write_f32(tmp("lq.npy"), q, 2, 3), 0);
}

/* dataset.base as a list of row files: the rows one file after the other,
 * no clips; a later file is named in its errors. */
static void test_base_list_rows(void **state)
{
    (void)state;
    struct dataset ds;
    float x1[4 * 3], x2[5 * 3];
    write_list_files(x1, x2);
    char *p1 = xstrdup(tmp("l1.npy")), *p2 = xstrdup(tmp("l2.npy")), *more[2] = { p2, NULL };
    struct dataset_spec s = spec_of("npy", p1, tmp("lq.npy"), 0, 1);
    s.base_more = more;
    s.n_base_more = 1;

    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_int_equal(ds.base.n, 9);
    assert_int_equal(ds.base.d, 3);
    assert_int_equal(ds.base_clips.n, 0);
    assert_memory_equal(ds.base.x, x1, sizeof(x1));
    assert_memory_equal(ds.base.x + 4 * 3, x2, sizeof(x2));
    assert_int_equal(ds.queries.n, 2);
    assert_string_equal(ds.base.dtype, "float32");
    char *joined = xasprintf("%s + %s", p1, p2);
    assert_string_equal(ds.base_path, joined);
    free(joined);
    assert_int_equal(dataset_prefix_rows(&ds, 5), 5);
    dataset_release(&ds);

    /* a row holdout draws from all the rows */
    s.queries = NULL;
    s.holdout = 4;
    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_int_equal(ds.base.n, 5);
    assert_int_equal(ds.queries.n, 4);
    double sum = 0, want = 0;
    for (size_t i = 0; i < 5; i++)
        sum += ds.base.x[3 * i];
    for (size_t i = 0; i < 4; i++)
        sum += ds.queries.x[3 * i];
    for (int i = 0; i < 4; i++)
        want += i;
    for (int i = 0; i < 5; i++)
        want += 100 + i;
    assert_true(sum == want);
    dataset_release(&ds);
    s.holdout = 0;
    s.queries = (char *)tmp("lq.npy");

    /* a later file: NaN rows, another dimension, absent; all named */
    x2[3 * 2 + 1] = NAN;
    assert_int_equal(npy_write_f32(tmp("l3.npy"), x2, 5, 3), 0);
    char *p3 = xstrdup(tmp("l3.npy"));
    more[1] = p3;
    s.n_base_more = 2;
    assert_fails(dataset_load(&ds, &s), "l3.npy': row 2 holds NaN or Inf", NULL);
    assert_null(ds.base.x);
    assert_null(ds.base_path);
    assert_int_equal(npy_write_f32(tmp("l3.npy"), x2, 3, 5), 0);
    assert_fails(dataset_load(&ds, &s), "l3.npy': dimension 5 does not match 3 in '",
                 "l1.npy' (the first base path)");
    remove(p3);
    assert_fails(dataset_load(&ds, &s), "l3.npy'", NULL);
    free(p3);

    /* fvecs the same way */
    float f[5 * 4];
    int32_t dims[5] = { 4, 4, 4, 4, 4 }, wide[1] = { 5 };
    for (int i = 0; i < 20; i++)
        f[i] = (float)i * 0.25f;
    write_fvecs(tmp("l1.fvecs"), f, 3, dims);
    write_fvecs(tmp("l2.fvecs"), f + 12, 2, dims);
    write_fvecs(tmp("l5.fvecs"), f, 1, wide);
    char *f1 = xstrdup(tmp("l1.fvecs")), *f2 = xstrdup(tmp("l2.fvecs")),
         *f5 = xstrdup(tmp("l5.fvecs"));
    char *fmore[2] = { f2, f1 };
    struct dataset_spec t = spec_of("fvecs", f1, NULL, 1, 1);
    t.base_more = fmore;
    t.n_base_more = 2;
    t.seed = 9;
    assert_int_equal(dataset_load(&ds, &t), 0);
    assert_int_equal(ds.base.n + ds.queries.n, 8);
    assert_int_equal(ds.base_clips.n, 0);
    dataset_release(&ds);
    t.holdout = 0;
    t.queries = (char *)tmp("l2.fvecs");
    assert_int_equal(dataset_load(&ds, &t), 0);
    assert_int_equal(ds.base.n, 8);
    assert_memory_equal(ds.base.x, f, 20 * sizeof(float));   /* l1 then l2 */
    assert_memory_equal(ds.base.x + 20, f, 12 * sizeof(float));   /* l1 again */
    dataset_release(&ds);
    fmore[0] = f5;
    assert_fails(dataset_load(&ds, &t), "l5.fvecs': dimension 5 does not match 4 in '",
                 "l1.fvecs' (the first base path)");

    /* ann-hdf5 holds train and test in one file: no list */
    write_annb(tmp("l.hdf5"));
    struct dataset_spec h = spec_of("ann-hdf5", tmp("l.hdf5"), NULL, 0, 1);
    char *hmore[1] = { (char *)tmp("l.hdf5") };
    h.base_more = hmore;
    h.n_base_more = 1;
    assert_fails(dataset_load(&ds, &h), "l.hdf5': ann-hdf5 takes one file: dataset.base cannot be a list", NULL);
    assert_null(ds.base_path);

    free(f1);
    free(f2);
    free(f5);
    free(p1);
    free(p2);
}

/* base_limit over a list of row files (no clip boundaries): it cuts the
 * total, inside the second file or inside the first. */
static void test_base_list_rows_limit(void **state)
{
    (void)state;
    struct dataset ds;
    float x1[4 * 3], x2[5 * 3];
    write_list_files(x1, x2);
    char *p2 = xstrdup(tmp("l2.npy")), *more[1] = { p2 };
    struct dataset_spec s = spec_of("npy", tmp("l1.npy"), tmp("lq.npy"), 0, 1);
    s.base_more = more;
    s.n_base_more = 1;

    s.base_limit = 6;
    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_int_equal(ds.base.n, 6);
    assert_int_equal(ds.base_clips.n, 0);
    assert_memory_equal(ds.base.x, x1, sizeof(x1));
    assert_memory_equal(ds.base.x + 4 * 3, x2, 2 * 3 * sizeof(float));
    dataset_release(&ds);
    s.base_limit = 3;
    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_int_equal(ds.base.n, 3);
    assert_memory_equal(ds.base.x, x1, 3 * 3 * sizeof(float));
    dataset_release(&ds);
    /* a limit past the total changes nothing */
    s.base_limit = 9;
    assert_int_equal(dataset_load(&ds, &s), 0);
    assert_int_equal(ds.base.n, 9);
    dataset_release(&ds);
    free(p2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fashion_train),
        cmocka_unit_test(test_fashion_t10k),
        cmocka_unit_test(test_sift5k),
        cmocka_unit_test(test_sift_queries),
        cmocka_unit_test(test_sift_format_mismatch),
        cmocka_unit_test(test_glove),
        cmocka_unit_test(test_real_holdout),
        cmocka_unit_test(test_idx_ubyte_roundtrip),
        cmocka_unit_test(test_idx_wide_types),
        cmocka_unit_test(test_idx_bad_header),
        cmocka_unit_test(test_idx_truncated),
        cmocka_unit_test(test_tsv_good),
        cmocka_unit_test(test_tsv_bad),
        cmocka_unit_test(test_fvecs),
        cmocka_unit_test(test_glove_small),
        cmocka_unit_test(test_glove_bad),
        cmocka_unit_test(test_unknown_format),
        cmocka_unit_test(test_ivecs_bvecs),
        cmocka_unit_test(test_glove_txt),
        cmocka_unit_test(test_sift_queries_format),
        cmocka_unit_test(test_npy_base_holdout),
        cmocka_unit_test(test_guess_format),
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_ann_hdf5),
        cmocka_unit_test(test_nonfinite_and_normalize),
        cmocka_unit_test(test_dataset_nan),
        cmocka_unit_test(test_dataset_queries_file),
        cmocka_unit_test(test_dataset_holdout),
        cmocka_unit_test(test_base_list_rows),
        cmocka_unit_test(test_base_list_rows_limit),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
