/*
 * test_binary.c - the binary loaders (io/binary.c): IDX on Debian's
 * Fashion-MNIST files (skipped with a reason when absent), on generated
 * files of every value type, plain and gzip, and on broken headers and cut
 * streams; texmex fvecs / ivecs / bvecs, whole and damaged. Errors are
 * captured from stderr and must be one line naming the file and the row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io/binary.h"
#include "io/formats.h"
#include "lib/util.h"
#include "testutil.h"

#ifndef FS_SOURCE_DIR
#error "FS_SOURCE_DIR must name the source tree (CMake defines it)"
#endif

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"
#define BAD_DIR FS_SOURCE_DIR "/tests/data/dataset/"

/* ------------------------------------------------------------ helpers */

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
    assert_fails(load_idx(&v, BAD_DIR "bad-magic.idx", 0), "not an IDX file: '", "bad-magic.idx' (bad magic");
    assert_null(v.x);

    uint32_t dims[4] = { 1, 1, 1, 1 };
    unsigned char hdr0[4] = { 0, 0, 0x08, 0 };
    write_bytes(tmp("nd0.idx"), hdr0, 4);
    assert_fails(load_idx(&v, tmp("nd0.idx"), 0), "bad IDX header in '", "nd0.idx': 0 dimensions");
    unsigned char hdr5[24] = { 0, 0, 0x08, 5 };
    write_bytes(tmp("nd5.idx"), hdr5, sizeof(hdr5));
    assert_fails(load_idx(&v, tmp("nd5.idx"), 0), "bad IDX header in '", "nd5.idx': 5 dimensions");
    unsigned char type[4] = { 0, 0, 0x07, 1 };
    write_bytes(tmp("type.idx"), type, 4);
    assert_fails(load_idx(&v, tmp("type.idx"), 0), "not an IDX file: '", "type.idx' (bad magic");

    /* Header cut inside the sizes. */
    write_idx(tmp("hdr.idx"), 0, 0x08, 3, dims, NULL, 0);
    FILE *f = fopen(tmp("hdr.idx"), "r+b");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 10), 0);
    fclose(f);
    assert_fails(load_idx(&v, tmp("hdr.idx"), 0), "truncated header in '", "hdr.idx' (1 of 3 dimension sizes)");

    /* Sizes no real file has: refused before any allocation. */
    uint32_t huge[3] = { 4000000000u, 60000, 60000 };
    write_idx(tmp("huge.idx.gz"), 1, 0x08, 3, huge, NULL, 0);
    assert_fails(load_idx(&v, tmp("huge.idx.gz"), 0), "absurd IDX size in '", "huge.idx.gz'");
    uint32_t zero[2] = { 5, 0 };
    write_idx(tmp("zero.idx"), 0, 0x08, 2, zero, NULL, 0);
    assert_fails(load_idx(&v, tmp("zero.idx"), 0), "absurd IDX size in '", "zero.idx': dimension 1 is 0");

    assert_fails(load_idx(&v, tmp("missing.idx"), 0), "cannot open '", "missing.idx': No such file");
    write_bytes(tmp("empty.idx"), "", 0);
    assert_fails(load_idx(&v, tmp("empty.idx"), 0), "truncated header in '", "empty.idx' (0 bytes)");
}

static void test_idx_truncated(void **state)
{
    (void)state;
    struct vecs v;
    assert_fails(load_idx(&v, BAD_DIR "truncated.idx", 0),
                 "truncated data in '", "truncated.idx': expected 12 bytes, got 5");
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
    assert_fails(load_idx(&v, tmp("cut.idx.gz"), 0), "truncated data in '",
                 "cut.idx.gz': expected 200000 bytes, got ");
    /* ... but the rows before the cut are readable with a limit. */
    assert_int_equal(load_idx(&v, tmp("cut.idx.gz"), 10), 0);
    assert_int_equal(v.n, 10);
    vecs_release(&v);

    /* Fewer bytes than one value (3 of a float64's 8): nothing was stored
     * yet, and nothing is converted into the empty table (UBSan: an offset
     * of a null pointer; found by the fuzzer). */
    uint32_t dims34[2] = { 3, 4 };
    unsigned char three[3] = { 1, 2, 3 };
    write_idx(tmp("short.idx"), 0, 0x0E, 2, dims34, three, sizeof(three));
    assert_fails(load_idx(&v, tmp("short.idx"), 0), "truncated data in '",
                 "short.idx': expected 96 bytes, got 3");
    assert_null(v.x);
}

/* ------------------------------------------------------------- texmex */

static void test_fvecs(void **state)
{
    (void)state;
    float x[12];
    int dims[3] = { 4, 4, 4 };
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
    assert_fails(load_fvecs(&v, tmp("a.fvecs"), 0), "truncated row 2 in '", "a.fvecs': expected 4 floats, got 3");
    assert_null(v.x);
    assert_int_equal(truncate(tmp("a.fvecs"), 2 * 20 + 2), 0);
    assert_fails(load_fvecs(&v, tmp("a.fvecs"), 0), "truncated row 2 in '",
                 "a.fvecs': it holds 2 of the 4 bytes of its dimension");

    int ragged[3] = { 4, 5, 3 };
    write_fvecs(tmp("r.fvecs"), x, 3, ragged);
    assert_fails(load_fvecs(&v, tmp("r.fvecs"), 0), "dimension 5 of row 1 of '", "r.fvecs' differs from 4 in row 0");
    int32_t bad[1] = { -1 };
    write_bytes(tmp("neg.fvecs"), bad, 4);
    assert_fails(load_fvecs(&v, tmp("neg.fvecs"), 0), "absurd dimension 4294967295 in row 0 of '", "neg.fvecs'");
    write_bytes(tmp("e.fvecs"), "", 0);
    assert_fails(load_fvecs(&v, tmp("e.fvecs"), 0), "empty file '", "e.fvecs' (no rows)");
}

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
    assert_fails(load_ivecs(&v, tmp("a.ivecs"), 0), "truncated row 1 in '",
                 "a.ivecs': expected 3 int32 values, got 2");
    f = fopen(tmp("a.ivecs"), "ab");
    fwrite(iv, 4, 1, f);
    fwrite(&d2, 4, 1, f);
    fwrite(iv, 4, 2, f);
    fclose(f);
    assert_fails(load_ivecs(&v, tmp("a.ivecs"), 0), "dimension 2 of row 2 of '",
                 "a.ivecs' differs from 3 in row 0");

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
    assert_fails(load_bvecs(&v, tmp("a.bvecs"), 0), "truncated row 1 in '",
                 "a.bvecs': it holds 2 of the 4 bytes of its dimension");
    assert_int_equal(truncate(tmp("a.bvecs"), 8 + 4 + 1), 0);
    assert_fails(load_bvecs(&v, tmp("a.bvecs"), 0), "truncated row 1 in '", "a.bvecs': expected 4 bytes, got 1");
    write_bytes(tmp("e.bvecs"), "", 0);
    assert_fails(load_bvecs(&v, tmp("e.bvecs"), 0), "empty file '", "e.bvecs' (no rows)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fashion_train),
        cmocka_unit_test(test_fashion_t10k),
        cmocka_unit_test(test_idx_ubyte_roundtrip),
        cmocka_unit_test(test_idx_wide_types),
        cmocka_unit_test(test_idx_bad_header),
        cmocka_unit_test(test_idx_truncated),
        cmocka_unit_test(test_fvecs),
        cmocka_unit_test(test_ivecs_bvecs),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
