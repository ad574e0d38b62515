/*
 * test_text.c - the text loaders (io/text.c): TSV and GloVe JSON on the
 * real shared files (skipped with a reason when absent), then small
 * generated and hand-made broken files (tests/data/dataset) for TSV, GloVe
 * JSON and GloVe text. Errors are captured from stderr and must be one line
 * naming the file and the line at fault.
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
#include "io/text.h"
#include "lib/util.h"
#include "testutil.h"

#ifndef FS_SHARED_DATA
#define FS_SHARED_DATA ""
#endif
#ifndef FS_SOURCE_DIR
#error "FS_SOURCE_DIR must name the source tree (CMake defines it)"
#endif

#define BAD_DIR FS_SOURCE_DIR "/tests/data/dataset/"

/* ------------------------------------------------------ real data sets */

static void test_sift5k(void **state)
{
    (void)state;
    struct vecs v;
    assert_int_equal(load_vecs(&v, "tsv-id", shared_file(FS_SHARED_DATA, "sift5k/sift-dataset-5k.tsv"), 0), 0);
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
    assert_int_equal(load_tsv(&v, shared_file(FS_SHARED_DATA, "sift5k/sift-dataset-5k.tsv"), 2, 0), 0);
    assert_int_equal(v.n, 2);
    assert_int_equal(v.d, 129);
    assert_true(v.x[128] == 100001);
    vecs_release(&v);
}

static void test_sift_queries(void **state)
{
    (void)state;
    struct vecs v;
    assert_int_equal(load_vecs(&v, "tsv", shared_file(FS_SHARED_DATA, "sift5k/sift-query-3.tsv"), 0), 0);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.d, 128);
    assert_true(v.x[0] == 17 && v.x[1] == 21 && v.x[127] == 22);
    assert_true(v.x[128] == 1 && v.x[129] == 2 && v.x[255] == 5);
    assert_true(v.x[256] == 65 && v.x[257] == 38 && v.x[383] == 6);
    vecs_release(&v);
}

static void test_glove(void **state)
{
    (void)state;
    struct vecs v;
    assert_int_equal(load_vecs(&v, "glove-json", shared_file(FS_SHARED_DATA, "glove50-5k/glove-50d-5k.json"), 0), 0);
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

    assert_int_equal(load_glove_json(&v, shared_file(FS_SHARED_DATA, "glove50-5k/glove-50d-5k.json"), 10), 0);
    assert_int_equal(v.n, 10);
    vecs_release(&v);
}

/* ---------------------------------------------------------------- TSV */

static void test_tsv_good(void **state)
{
    (void)state;
    struct vecs v;
    write_text_file(tmp("ok.tsv"), "1\t2.5 -3e2\r\n  4\t\t5 6  \n7 8 9\n\n\n");
    assert_int_equal(load_tsv(&v, tmp("ok.tsv"), 0, 0), 0);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.d, 3);
    const float want[9] = { 1, 2.5f, -300, 4, 5, 6, 7, 8, 9 };
    assert_memory_equal(v.x, want, sizeof(want));
    vecs_release(&v);

    /* The id column may be any token; no final newline. */
    write_text_file(tmp("id.tsv"), "1 2 img-a\n3 4 img-b");
    assert_int_equal(load_vecs(&v, "tsv-id", tmp("id.tsv"), 0), 0);
    assert_true(v.n == 2 && v.d == 2 && v.x[2] == 3 && v.x[3] == 4);
    vecs_release(&v);
    assert_int_equal(load_vecs(&v, "tsv-id", tmp("id.tsv"), 1), 0);
    assert_int_equal(v.n, 1);
    vecs_release(&v);
    assert_fails(load_tsv(&v, tmp("id.tsv"), 0, 0), "field 3 on line 1 of '", "id.tsv' is not a number: 'img-a'");

    write_text_file(tmp("one.tsv"), "1\n2\n");
    assert_fails(load_tsv(&v, tmp("one.tsv"), 0, 1), "a single column on line 1 of '",
                 "one.tsv': nothing left after dropping the id");
}

static void test_tsv_bad(void **state)
{
    (void)state;
    struct vecs v;
    assert_fails(load_tsv(&v, BAD_DIR "ragged.tsv", 0, 0), "line 3 of '", "ragged.tsv' holds 3 values, expected 4");
    assert_null(v.x);
    /* A limit before the bad line reads the good rows. */
    assert_int_equal(load_tsv(&v, BAD_DIR "ragged.tsv", 2, 0), 0);
    assert_int_equal(v.n, 2);
    vecs_release(&v);
    assert_fails(load_tsv(&v, BAD_DIR "nonnumeric.tsv", 0, 0),
                 "field 2 on line 2 of '",
                 "nonnumeric.tsv' is not a number: '5x'");
    assert_fails(load_tsv(&v, BAD_DIR "empty.tsv", 0, 0), "empty file '", "empty.tsv' (no rows)");
    assert_fails(load_vecs(&v, "tsv-id", BAD_DIR "empty.tsv", 0), "empty file '", "empty.tsv' (no rows)");
    assert_fails(load_tsv(&v, BAD_DIR "blank-inside.tsv", 0, 0), "empty line 2 inside the data of '", "blank-inside.tsv'");
    write_text_file(tmp("blank.tsv"), "\n \n\t\n");
    assert_fails(load_tsv(&v, tmp("blank.tsv"), 0, 0), "empty file '", "blank.tsv' (no rows)");
    assert_fails(load_tsv(&v, tmp("nope.tsv"), 0, 0), "cannot open '", "nope.tsv'");
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
                 "vector 1 on line 3 of '" BAD_DIR "glove-ragged.json' has 2 values, expected 3", NULL);
    assert_null(v.x);
    assert_fails(load_glove_json(&v, BAD_DIR "glove-trailing-comma.json", 0),
                 "expected '\"' starting a word, got '}', on line 3 of '" BAD_DIR
                 "glove-trailing-comma.json'", NULL);
    assert_fails(load_glove_json(&v, BAD_DIR "glove-bad-escape.json", 0), "expected an escape",
                 "on line 3 of '" BAD_DIR "glove-bad-escape.json'");
    assert_fails(load_glove_json(&v, BAD_DIR "glove-bad-number.json", 0),
                 "malformed number, got '1', on line 2 of '" BAD_DIR "glove-bad-number.json'", NULL);

    /* msg: the message, %s standing for the file's path */
    static const struct { const char *text, *msg; } cases[] = {
        { "", "empty file '%s' (no rows)" },
        { "[1, 2]", "expected '{' opening the word table, got '[', on line 1 of '%s'" },
        { "{}", "empty word table on line 1 of '%s' (no rows)" },
        { "{\"a\": [1, 2]", "expected ',' or '}' after a vector, got end of file, on line 1 of '%s'" },
        { "{\"a\": [1, 2]} x", "expected end of file after '}', got 'x', on line 1 of '%s'" },
        { "{\"a\" [1]}", "expected ':' after a word, got '[', on line 1 of '%s'" },
        { "{\"a\": []}", "empty vector on line 1 of '%s'" },
        { "{\"a\": [1,]}", "expected a number, got ']', on line 1 of '%s'" },
        { "{\"a\": [1 2]}", "expected ',' or ']' in a vector, got '2', on line 1 of '%s'" },
        { "{\"a\": [1.]}", "malformed number, got ']', on line 1 of '%s'" },
        { "{\"a\": [1e]}", "malformed number, got ']', on line 1 of '%s'" },
        { "{\"a\": [+1]}", "expected a number, got '+', on line 1 of '%s'" },
        { "{\"a\": [NaN]}", "expected a number, got 'N', on line 1 of '%s'" },
        { "{\n\"a\": 1}", "expected '[' starting a vector, got '1', on line 2 of '%s'" },
        { "{\n\n\"a\\u12G4\": [1]}", "expected 4 hex digits after \\u, got 'G', on line 3 of '%s'" },
        { "{\"a\n\": [1]}", "expected a character or '\"' in a word, got byte 0x0a, on line 1 of '%s'" },
        { "{\"abc", "expected '\"' closing a word, got end of file, on line 1 of '%s'" },
        { "{\"a\": [1], \"b\": [2, 3]}", "vector 1 on line 1 of '%s' has 2 values, expected 1" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *want = xasprintf(cases[i].msg, tmp("bad.json"));
        write_text_file(tmp("bad.json"), cases[i].text);
        assert_fails(load_glove_json(&v, tmp("bad.json"), 0), want, NULL);
        free(want);
    }
    /* A limit stops before the damage. */
    write_text_file(tmp("lim.json"), "{\"a\": [1, 2], \"b\": [3, 4], \"c\": [5]}");
    assert_int_equal(load_glove_json(&v, tmp("lim.json"), 2), 0);
    assert_true(v.n == 2 && v.d == 2 && v.x[3] == 4);
    vecs_release(&v);
}

/* --------------------------------------------------------- GloVe text */

static void test_glove_txt(void **state)
{
    (void)state;
    struct vecs v;
    write_text_file(tmp("g.txt"), "the 0.418 0.24968 -0.41242\n"
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
    write_text_file(tmp("w.vec"), "2 2\na 1 2\nb 3 4\n");
    assert_int_equal(load_glove_txt(&v, tmp("w.vec"), 0), 0);
    assert_true(v.n == 2 && v.d == 2 && v.x[3] == 4);
    vecs_release(&v);

    /* msg: the message, %s standing for the file's path */
    static const struct { const char *text, *msg; } cases[] = {
        { "", "empty file '%s' (no rows)" },
        { "a 1 2\nb 1\n", "line 2 of '%s' holds a word and 1 values, expected 2" },
        { "a 1 2\nb 1 x2\n", "value 2 on line 2 of '%s' is not a number: 'x2'" },
        { "a\n", "a word without a vector on line 1 of '%s'" },
        { "a 1 2\n\nb 3 4\n", "empty line 2 inside the data of '%s'" },
        { "a 1 2\n 3 4\n", "line 2 of '%s' starts with a blank, expected a word" },
        { "2 3\na 1 2\n", "line 2 of '%s' holds 2 values, but line 1 says 3" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *want = xasprintf(cases[i].msg, tmp("bad.txt"));
        write_text_file(tmp("bad.txt"), cases[i].text);
        assert_fails(load_glove_txt(&v, tmp("bad.txt"), 0), want, NULL);
        free(want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sift5k),
        cmocka_unit_test(test_sift_queries),
        cmocka_unit_test(test_glove),
        cmocka_unit_test(test_tsv_good),
        cmocka_unit_test(test_tsv_bad),
        cmocka_unit_test(test_glove_small),
        cmocka_unit_test(test_glove_bad),
        cmocka_unit_test(test_glove_txt),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
