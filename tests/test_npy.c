/*
 * test_npy.c - the .npy reader on RVC's real files (skipped with a reason when
 * absent), on files numpy itself writes (Debian's /usr/bin/python3 with
 * numpy; skipped when absent), and on hand-made headers for every dtype,
 * version and kind of damage; the one writer byte for byte against np.save.
 * Errors are captured from stderr and must be one line naming the file.
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
#include "io/formats.h"
#include "io/npy.h"
#include "io/vecs.h"
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
    assert_fails(load_npy(&v, tmp("np_be.npy"), 0), "big-endian data ('>f4') in '", "np_be.npy'");
    assert_fails(load_npy(&v, tmp("np_fortran.npy"), 0), "Fortran-order array in '", "np_fortran.npy' is not supported");
    assert_fails(load_npy(&v, tmp("np_obj.npy"), 0), "object dtype ('|O') in '", "np_obj.npy'");
    assert_fails(load_npy(&v, tmp("np_i4.npy"), 0), "unsupported dtype '<i4' in '", "np_i4.npy'");
    assert_fails(load_npy(&v, tmp("np_3d.npy"), 0), "3-d array in '", "np_3d.npy'");
    assert_fails(load_npy(&v, tmp("np_empty.npy"), 0), "empty array in '", "np_empty.npy' (shape (0, 4))");
}

/* -------------------------------------------------------------- bad */

static void test_bad_headers(void **state)
{
    (void)state;
    /* msg: the start of the message, %s standing for the file's path */
    static const struct { const char *dict, *msg; } cases[] = {
        { "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", "Fortran-order array in '%s'" },
        { "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", "big-endian data ('>f8') in '%s'" },
        { "{'descr': '|O', 'fortran_order': False, 'shape': (2, 2), }", "object dtype ('|O') in '%s'" },
        { "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", "unsupported dtype '<i8' in '%s'" },
        { "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", "unsupported dtype '|u1' in '%s'" },
        { "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 2), }",
          "structured dtype (a list of fields) in '%s'" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", "0-d array in '%s'" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0), }", "empty array in '%s' (shape (2, 0))" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }", "empty array in '%s' (shape (0,))" },
        { "{'descr': '<f4', 'shape': (2, 2), }", "bad .npy header in '%s': lacks 'fortran_order'" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'x': 1}",
          "bad .npy header in '%s': unknown key 'x'" },
        { "{'descr': '<f4', 'fortran_order': maybe, 'shape': (2, 2)}",
          "bad .npy header in '%s': expected True or False" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2; 2)}",
          "bad .npy header in '%s': expected ',' or ')' in the shape" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)} x",
          "bad .npy header in '%s': unexpected text after '}'" },
        { "['descr']", "bad .npy header in '%s': expected '{'" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2)}",
          "bad .npy header in '%s': expected a size in the shape" },
    };
    const float data[4] = { 1, 2, 3, 4 };
    struct vecs v;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *want = xasprintf(cases[i].msg, tmp("bad.npy"));
        write_npy(tmp("bad.npy"), 1, cases[i].dict, data, sizeof(data));
        assert_fails(load_npy(&v, tmp("bad.npy"), 0), want, NULL);
        free(want);
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
                 "truncated data in '",
                 "cut.npy': shape (2, 2) float32 needs 16 bytes, got 12");
    /* even with a limit that would fit: the file is damaged */
    assert_fails(load_npy(&v, tmp("cut.npy"), 1), "truncated data in '", "cut.npy'");
    write_npy(tmp("long.npy"), 1, ok, data, 16);
    FILE *f = fopen(tmp("long.npy"), "ab");
    fputs("junk", f);
    fclose(f);
    assert_fails(load_npy(&v, tmp("long.npy"), 0), "4 bytes after the data in '", "long.npy'");

    write_bytes(tmp("empty.npy"), "", 0);
    assert_fails(load_npy(&v, tmp("empty.npy"), 0), "empty file '", "empty.npy' (0 bytes)");
    write_bytes(tmp("magic.npy"), "\x93NUMPX\x01\x00\x10\x00", 10);
    assert_fails(load_npy(&v, tmp("magic.npy"), 0), "not a .npy file: '", "magic.npy' (bad magic)");
    write_bytes(tmp("ver.npy"), "\x93NUMPY\x04\x00\x10\x00", 10);
    assert_fails(load_npy(&v, tmp("ver.npy"), 0), "unsupported .npy version 4.0 in '", "ver.npy'");
    write_bytes(tmp("hdr.npy"), "\x93NUMPY\x01\x00\x40\x00{'descr'", 17);
    assert_fails(load_npy(&v, tmp("hdr.npy"), 0), "truncated header in '", "hdr.npy'");
    write_bytes(tmp("nonl.npy"), "\x93NUMPY\x01\x00\x06\x00{    }", 16);
    assert_fails(load_npy(&v, tmp("nonl.npy"), 0), "bad .npy header in '", "nonl.npy': not a line");
    assert_fails(load_npy(&v, tmp("none.npy"), 0), "cannot open '", "none.npy': No such file");
}

/* ------------------------------------------------------------ write */

#define PYTHON "/usr/bin/python3"

static int have_numpy(void)
{
    return access(PYTHON, X_OK) == 0 &&
           system(PYTHON " -c 'import numpy' >/dev/null 2>&1") == 0;
}

/* Run a Python snippet (numpy imported as np); returns its exit status. */
static int python(const char *code)
{
    const char *script = tmp("check.py");
    FILE *f = fopen(script, "w");
    char *cmd;
    int rc;

    assert_non_null(f);
    fprintf(f, "import sys\nimport numpy as np\n%s\n", code);
    assert_int_equal(fclose(f), 0);
    cmd = xasprintf(PYTHON " '%s'", script);
    rc = system(cmd);
    free(cmd);
    return rc;
}

static void need_numpy(void)
{
    if (!have_numpy()) {
        print_message("skipping: %s with numpy not available\n", PYTHON);
        skip();
    }
}

/* numpy 1.24's np.save header for a (3, 256) float32 array, for when it is absent. */
static const char npy_3x256[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3, 256), }"
    "                                                        \n";

static unsigned char *slurp(const char *path, size_t *len)
{
    return (unsigned char *)read_file(path, len);
}

static void test_header_bytes(void **state)
{
    float x[3 * 256];
    const char *path = tmp("a.npy");
    size_t len;
    unsigned char *got;

    (void)state;
    for (int i = 0; i < 3 * 256; i++)
        x[i] = (float)i * 0.5f - 7;
    assert_int_equal(npy_write_f32(path, x, 3, 256), 0);
    got = slurp(path, &len);
    assert_non_null(got);
    assert_int_equal(sizeof(npy_3x256) - 1, 128);
    assert_int_equal(len, 128 + sizeof(x));
    assert_memory_equal(got, npy_3x256, 128);
    assert_memory_equal(got + 128, x, sizeof(x));
    free(got);
    assert_fails(npy_write_f32(tmp("no/such/dir.npy"), x, 3, 256), "cannot create '",
                 "no/such/dir.npy': No such file or directory");
}

/* Whole files against np.save for shapes whose headers differ in length. */
static void test_write_matches_numpy(void **state)
{
    static const size_t shapes[][2] = { { 3, 256 }, { 1, 768 }, { 0, 5 }, { 12345, 7 },
                                        { 2, 1 },   { 999999, 0 }, { 1, 1234567 } };
    (void)state;
    need_numpy();
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        size_t rows = shapes[s][0], cols = shapes[s][1], len_c, len_py;
        size_t count = rows * cols;
        float *x = xmalloc((count ? count : 1) * sizeof(float));
        char *code;
        unsigned char *c, *py;

        for (size_t i = 0; i < count; i++)
            x[i] = (float)i * 0.25f - 100;
        assert_int_equal(npy_write_f32(tmp("c.npy"), x, rows, cols), 0);
        code = xasprintf("x = (np.arange(%zu, dtype=np.float32) * np.float32(0.25)"
                         " - np.float32(100)).reshape(%zu, %zu)\n"
                         "np.save('%s', x)\n"
                         "y = np.load('%s')\n"
                         "sys.exit(0 if y.dtype == np.float32 and y.shape == x.shape and"
                         " np.array_equal(x, y) else 3)",
                         count, rows, cols, tmp("py.npy"), tmp("c.npy"));
        assert_int_equal(python(code), 0);
        free(code);
        c = slurp(tmp("c.npy"), &len_c);
        py = slurp(tmp("py.npy"), &len_py);
        assert_non_null(c);
        assert_non_null(py);
        assert_int_equal(len_c, len_py);
        assert_memory_equal(c, py, len_c);
        assert_int_equal((c[8] | c[9] << 8) % 64, (64 - 10) % 64);
        free(c);
        free(py);
        free(x);
    }
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
        cmocka_unit_test(test_header_bytes),
        cmocka_unit_test(test_write_matches_numpy),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
