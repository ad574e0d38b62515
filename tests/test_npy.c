/*
 * test_npy.c - the .npy reader on RVC's real files (skipped with a reason when
 * absent), on files numpy itself writes (Debian's /usr/bin/python3 with
 * numpy; skipped when absent), and on hand-made headers for every dtype,
 * version and kind of damage. Errors are captured from stderr and must be one
 * line naming the file.
 *
 * Also a tiny driver for scripts/bench-npy-rss.sh: `test_npy --info FILE`
 * runs dataset_info on FILE and exits.
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

#include "io/dataset.h"
#include "io/npy.h"
#include "lib/util.h"
#include "testutil.h"

#ifndef FS_SHARED_DATA
#define FS_SHARED_DATA ""
#endif

/* A .npy file with the given header dict (padded like numpy) and payload. */
static void write_npy(const char *path, int version, const char *dict, const void *data,
                      size_t bytes)
{
    size_t prefix = version == 1 ? 10 : 12, len = strlen(dict);
    size_t total = (prefix + len + 1 + 63) / 64 * 64, hlen = total - prefix;
    unsigned char pre[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)version, 0 };
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    pre[8] = (unsigned char)hlen;
    pre[9] = (unsigned char)(hlen >> 8);
    fwrite(pre, 1, prefix, f);
    fputs(dict, f);
    for (size_t i = len; i + 1 < hlen; i++)
        fputc(' ', f);
    fputc('\n', f);
    if (bytes)
        fwrite(data, 1, bytes, f);
    fclose(f);
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* ------------------------------------------------------------- good */

static void test_f32_roundtrip_mapped(void **state)
{
    (void)state;
    float x[6 * 5];
    struct vecs v;
    for (int i = 0; i < 30; i++)
        x[i] = (float)i * 0.25f - 3;
    assert_int_equal(npy_write_f32(tmp("a.npy"), x, 6, 5), 0);
    assert_int_equal(load_npy(&v, tmp("a.npy"), 0), 0);
    assert_int_equal(v.n, 6);
    assert_int_equal(v.d, 5);
    assert_non_null(v.map);            /* float32 is mapped, not read */
    assert_string_equal(v.dtype, "float32");
    assert_memory_equal(v.x, x, sizeof(x));
    /* private mapping: writes stay in memory, the file is untouched */
    v.x[0] = 99;
    vecs_release(&v);
    assert_null(v.map);
    assert_int_equal(load_vecs(&v, "npy", tmp("a.npy"), 2), 0);
    assert_int_equal(v.n, 2);
    assert_true(v.x[0] == -3 && v.x[9] == x[9]);
    vecs_release(&v);

    /* the header numpy would write: 64-byte aligned data */
    FILE *f = fopen(tmp("a.npy"), "rb");
    struct npy_header h;
    assert_int_equal(npy_read_header(f, tmp("a.npy"), &h), 0);
    fclose(f);
    assert_int_equal(h.data_offset % 64, 0);
    assert_int_equal(h.version, 1);
}

static void test_f16_f64_versions(void **state)
{
    (void)state;
    /* float16: 0, 1, -2, 0.5, 65504 (max), 2^-24 (smallest subnormal), -0, 1.5 */
    const uint16_t h[8] = { 0x0000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000, 0x3e00 };
    const float want16[8] = { 0, 1, -2, 0.5f, 65504, 5.9604644775390625e-08f, -0.0f, 1.5f };
    struct vecs v;

    write_npy(tmp("h.npy"), 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 4), }", h, sizeof(h));
    assert_int_equal(load_npy(&v, tmp("h.npy"), 0), 0);
    assert_true(v.n == 2 && v.d == 4);
    assert_null(v.map);
    assert_string_equal(v.dtype, "float16");
    assert_memory_equal(v.x, want16, sizeof(want16));
    vecs_release(&v);

    const double d[3] = { -2.75, 1e-3, 3e38 };
    /* version 2.0, 1-d (one vector), keys in another order, double quotes */
    write_npy(tmp("d.npy"), 2, "{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<f8\"}", d, sizeof(d));
    assert_int_equal(load_npy(&v, tmp("d.npy"), 0), 0);
    assert_true(v.n == 1 && v.d == 3);
    assert_true(v.x[0] == -2.75f && v.x[1] == (float)1e-3 && v.x[2] == (float)3e38);
    assert_string_equal(v.dtype, "float64");
    vecs_release(&v);

    /* version 3.0, Python 2 long sizes, '=' byte order, float32 */
    const float f[2] = { 1.25f, -4 };
    write_npy(tmp("v3.npy"), 3, "{'descr': '=f4', 'fortran_order': False, 'shape': (1L, 2L)}", f, sizeof(f));
    assert_int_equal(load_npy(&v, tmp("v3.npy"), 0), 0);
    assert_true(v.n == 1 && v.d == 2 && v.x[0] == 1.25f && v.x[1] == -4);
    vecs_release(&v);
}

static void test_real_rvc_file(void **state)
{
    (void)state;
    char path[1024];
    struct vecs v;
    struct stat st;
    snprintf(path, sizeof(path), "%s/rvc-mute/3_feature256/mute.npy", FS_SHARED_DATA);
    if (!*FS_SHARED_DATA || stat(path, &st) != 0) {
        print_message("skipping: %s not found\n", path);
        skip();
    }
    assert_int_equal(load_npy(&v, path, 0), 0);
    assert_int_equal(v.n, 149);
    assert_int_equal(v.d, 256);
    assert_string_equal(v.dtype, "float32");
    assert_int_equal(vecs_count_nonfinite(&v, NULL), 0);
    vecs_release(&v);
    snprintf(path, sizeof(path), "%s/rvc-mute/3_feature768/mute.npy", FS_SHARED_DATA);
    assert_int_equal(load_npy(&v, path, 0), 0);
    assert_true(v.n == 149 && v.d == 768);
    vecs_release(&v);
}

/* Files written by numpy itself, when Debian's python3 has it. */
static void test_numpy_written(void **state)
{
    (void)state;
    char cmd[2048];
    struct vecs v;
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0) {
        print_message("skipping: /usr/bin/python3 with numpy not found (Debian python3-numpy)\n");
        skip();
    }
    snprintf(cmd, sizeof(cmd),
             "cd %s && /usr/bin/python3 -c \""
             "import numpy as np\n"
             "a = (np.arange(7 * 3).reshape(7, 3) * 0.25 - 3)\n"
             "for t in ('f2', 'f4', 'f8'): np.save('np_' + t + '.npy', a.astype('<' + t))\n"
             "np.save('np_be.npy', a.astype('>f4'))\n"
             "np.save('np_fortran.npy', np.asfortranarray(a.astype('<f4')))\n"
             "np.save('np_obj.npy', np.array([1, 'a'], dtype=object), allow_pickle=True)\n"
             "np.save('np_i4.npy', np.arange(6, dtype='<i4').reshape(2, 3))\n"
             "np.save('np_3d.npy', np.zeros((2, 2, 2), dtype='<f4'))\n"
             "np.save('np_1d.npy', np.arange(5, dtype='<f4'))\n"
             "np.save('np_empty.npy', np.zeros((0, 4), dtype='<f4'))\n"
             "\"", tmpdir);
    assert_int_equal(system(cmd), 0);
    static const char *const ok[] = { "np_f2.npy", "np_f4.npy", "np_f8.npy" };
    for (int t = 0; t < 3; t++) {
        assert_int_equal(load_npy(&v, tmp(ok[t]), 0), 0);
        assert_true(v.n == 7 && v.d == 3);
        for (int i = 0; i < 21; i++)
            assert_true(v.x[i] == (float)i * 0.25f - 3);
        vecs_release(&v);
    }
    assert_int_equal(load_npy(&v, tmp("np_1d.npy"), 0), 0);
    assert_true(v.n == 1 && v.d == 5 && v.x[4] == 4);
    vecs_release(&v);
    assert_fails(load_npy(&v, tmp("np_be.npy"), 0), "np_be.npy': big-endian data ('>f4')", NULL);
    assert_fails(load_npy(&v, tmp("np_fortran.npy"), 0), "np_fortran.npy': Fortran-order", NULL);
    assert_fails(load_npy(&v, tmp("np_obj.npy"), 0), "np_obj.npy': object dtype ('|O')", NULL);
    assert_fails(load_npy(&v, tmp("np_i4.npy"), 0), "np_i4.npy': unsupported dtype '<i4'", NULL);
    assert_fails(load_npy(&v, tmp("np_3d.npy"), 0), "np_3d.npy': 3-d array", NULL);
    assert_fails(load_npy(&v, tmp("np_empty.npy"), 0), "np_empty.npy': empty array (shape (0, 4))", NULL);
}

/* -------------------------------------------------------------- bad */

static void test_bad_headers(void **state)
{
    (void)state;
    static const struct { const char *dict, *msg; } cases[] = {
        { "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", "Fortran-order array" },
        { "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", "big-endian data ('>f8')" },
        { "{'descr': '|O', 'fortran_order': False, 'shape': (2, 2), }", "object dtype" },
        { "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", "unsupported dtype '<i8'" },
        { "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", "unsupported dtype '|u1'" },
        { "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 2), }", "structured dtype" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", "0-d array" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0), }", "empty array (shape (2, 0))" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }", "empty array (shape (0,))" },
        { "{'descr': '<f4', 'shape': (2, 2), }", "bad .npy header: lacks 'fortran_order'" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'x': 1}", "unknown key 'x'" },
        { "{'descr': '<f4', 'fortran_order': maybe, 'shape': (2, 2)}", "expected True or False" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2; 2)}", "expected ',' or ')' in the shape" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)} x", "unexpected text after '}'" },
        { "['descr']", "expected '{'" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2)}", "expected a size in the shape" },
    };
    const float data[4] = { 1, 2, 3, 4 };
    struct vecs v;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        write_npy(tmp("bad.npy"), 1, cases[i].dict, data, sizeof(data));
        assert_fails(load_npy(&v, tmp("bad.npy"), 0), "bad.npy': ", cases[i].msg);
        assert_null(v.x);
    }
}

static void test_bad_files(void **state)
{
    (void)state;
    const float data[4] = { 1, 2, 3, 4 };
    struct vecs v;
    const char *ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";

    write_npy(tmp("cut.npy"), 1, ok, data, 12);
    assert_fails(load_npy(&v, tmp("cut.npy"), 0),
                 "cut.npy': truncated: shape (2, 2) float32 needs 16 bytes of data, got 12", NULL);
    /* even with a limit that would fit: the file is damaged */
    assert_fails(load_npy(&v, tmp("cut.npy"), 1), "cut.npy': truncated", NULL);
    write_npy(tmp("long.npy"), 1, ok, data, 16);
    FILE *f = fopen(tmp("long.npy"), "ab");
    fputs("junk", f);
    fclose(f);
    assert_fails(load_npy(&v, tmp("long.npy"), 0), "long.npy': 4 bytes after the data", NULL);

    write_bytes(tmp("empty.npy"), "", 0);
    assert_fails(load_npy(&v, tmp("empty.npy"), 0), "empty.npy': empty file", NULL);
    write_bytes(tmp("magic.npy"), "\x93NUMPX\x01\x00\x10\x00", 10);
    assert_fails(load_npy(&v, tmp("magic.npy"), 0), "magic.npy': not a .npy file (bad magic)", NULL);
    write_bytes(tmp("ver.npy"), "\x93NUMPY\x04\x00\x10\x00", 10);
    assert_fails(load_npy(&v, tmp("ver.npy"), 0), "ver.npy': unsupported .npy version 4.0", NULL);
    write_bytes(tmp("hdr.npy"), "\x93NUMPY\x01\x00\x40\x00{'descr'", 17);
    assert_fails(load_npy(&v, tmp("hdr.npy"), 0), "hdr.npy': truncated header", NULL);
    write_bytes(tmp("nonl.npy"), "\x93NUMPY\x01\x00\x06\x00{    }", 16);
    assert_fails(load_npy(&v, tmp("nonl.npy"), 0), "nonl.npy': bad .npy header: not a line", NULL);
    assert_fails(load_npy(&v, tmp("none.npy"), 0), "cannot open '", "none.npy': No such file");
}

/* --------------------------------------------------------- zero rows */

static void test_drop_zero_rows_mapped(void **state)
{
    (void)state;
    float x[4 * 2] = { 1, 0, 0, 0, 0, 2, 0, 0 };
    struct vecs v;
    assert_int_equal(npy_write_f32(tmp("z.npy"), x, 4, 2), 0);
    assert_int_equal(load_npy(&v, tmp("z.npy"), 0), 0);
    assert_int_equal(vecs_count_zero_rows(&v, 1e-6f), 2);
    assert_int_equal(vecs_drop_zero_rows(&v, 1e-6f), 2);
    assert_int_equal(v.n, 2);
    assert_true(v.x[0] == 1 && v.x[1] == 0 && v.x[2] == 0 && v.x[3] == 2);
    vecs_release(&v);
}

int main(int argc, char **argv)
{
    /* driver for scripts/bench-npy-rss.sh */
    if (argc == 3 && !strcmp(argv[1], "--info"))
        return dataset_info(stdout, NULL, argv[2]) ? 1 : 0;

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f32_roundtrip_mapped),
        cmocka_unit_test(test_f16_f64_versions),
        cmocka_unit_test(test_real_rvc_file),
        cmocka_unit_test(test_numpy_written),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_drop_zero_rows_mapped),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
