/*
 * test_formats.c - the one format table (io/formats.c): the name list the
 * config parses, the " | " list of the key reference, dispatch by name (and
 * its error listing the known names), and the guess from a file name, each
 * checked against the table itself so that a format added there is known
 * everywhere.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/formats.h"
#include "lib/util.h"
#include "testutil.h"

static void test_table(void **state)
{
    (void)state;
    size_t n = 0;
    for (; formats[n].name; n++) {
        assert_string_equal(dataset_formats[n], formats[n].name);
        assert_non_null(formats[n].load);
        assert_non_null(formats[n].suffixes);
        assert_true(formats[n].help && *formats[n].help);
        assert_ptr_equal(format_find(formats[n].name), &formats[n]);
    }
    assert_null(dataset_formats[n]);
    assert_int_equal(n, 12);
    assert_string_equal(formats_list(), "idx | tsv | tsv-id | glove-json | glove-txt | fvecs | "
                                        "ivecs | bvecs | npy | rvc | rvc-index | ann-hdf5");
    assert_null(format_find("npz"));
    assert_null(format_find(NULL));
}

static void test_unknown_format(void **state)
{
    (void)state;
    struct vecs v;
    assert_fails(load_vecs(&v, "npz", tmp("x.npz"), 0), "unknown dataset format 'npz' for '",
                 "(known: idx, tsv, tsv-id, glove-json, glove-txt, fvecs, ivecs, bvecs, npy, rvc, "
                 "rvc-index, ann-hdf5)");
    assert_null(v.x);
    /* no format at all */
    assert_fails(load_vecs(&v, NULL, tmp("x.tsv"), 0), "unknown dataset format '(none)' for '",
                 "x.tsv' (known: idx, ");
}

/* Dispatch passes the loader's own options: tsv-id drops the last column,
 * and clips are zeroed for formats without them. */
static void test_dispatch(void **state)
{
    (void)state;
    struct vecs v;
    struct clips c = { .n = 7 };
    write_text_file(tmp("d.tsv"), "1 2 3\n4 5 6\n");
    assert_int_equal(format_load(&v, &c, "tsv-id", tmp("d.tsv"), 0, "v2"), 0);
    assert_int_equal(c.n, 0);
    assert_null(c.names);
    assert_true(v.n == 2 && v.d == 2 && v.x[2] == 4);
    vecs_release(&v);
    assert_int_equal(load_vecs(&v, "tsv", tmp("d.tsv"), 1), 0);
    assert_true(v.n == 1 && v.d == 3);
    assert_string_equal(v.dtype, "text");
    vecs_release(&v);
}

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

/* Every suffix in the table guesses its own format back. */
static void test_guess_from_table(void **state)
{
    (void)state;
    for (const struct format *f = formats; f->name; f++) {
        const char *p = f->suffixes;
        while (*p) {
            size_t len = strcspn(p, " ");
            char *name = xasprintf("dir/file%.*s", (int)len, p);
            if (strcmp(name, "dir/file/"))
                assert_string_equal(dataset_guess_format(name), f->name);
            free(name);
            p += len;
            p += strspn(p, " ");
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_unknown_format),
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_guess_format),
        cmocka_unit_test(test_guess_from_table),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
