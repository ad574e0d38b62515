/*
 * test_hostile_files.c - data and config files that are no files (issue 13
 * items 13, 15 and 16's first sentence): a FIFO, /dev/zero, a file too
 * large or a line that never ends, a decompression bomb, and file bytes
 * (ESC, BEL) in messages. Every reader must refuse at once with one line
 * naming the file. On the code before these checks, a FIFO blocked every
 * reader forever (the alarm below turns that into a failure), /dev/zero as
 * a config or a TSV was read until malloc failed, and a TSV field holding
 * ESC was copied to the terminal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "core/config.h"
#include "io/binary.h"
#include "io/formats.h"
#include "io/npy.h"
#include "io/text.h"
#include "lib/util.h"
#include "testutil.h"

/* Any call here that blocks is a failure, not a hung suite. */
static void guard(void) { alarm(30); }

/* A sparse file of size bytes (all NUL), made at once. */
static void sparse_file(const char *path, off_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
}

static const char *const every_format[] = {
    "idx", "tsv", "tsv-id", "glove-json", "glove-txt", "fvecs", "ivecs", "bvecs",
    "npy", "rvc", "rvc-index", "ann-hdf5",
};

/* Item 15: a FIFO as data, for every format, and as a config. */
static void test_fifo(void **state)
{
    const char *fifo = tmp("data.fifo");
    struct vecs v;
    struct config cfg;
    (void)state;

    assert_int_equal(mkfifo(fifo, 0600), 0);
    guard();
    for (size_t i = 0; i < sizeof(every_format) / sizeof(*every_format); i++) {
        capture_start();
        int rc = load_vecs(&v, every_format[i], fifo, 0);
        const char *msg = capture_end();
        assert_int_equal(rc, -1);
        assert_int_equal(count_lines(msg), 1);
        assert_has(msg, "data.fifo'");
        /* rvc says "not a file or folder" for what is neither */
        if (strcmp(every_format[i], "rvc"))
            assert_has(msg, "(a FIFO)");
    }
    assert_fails(config_load(&cfg, fifo), "not a regular file '", "data.fifo' (a FIFO)");
    assert_fails(read_file(fifo, NULL) ? 0 : -1, "not a regular file '", NULL);
    assert_fails(check_regular(fifo), "not a regular file '", "data.fifo' (a FIFO)");
    alarm(0);
}

/* Items 13 and 15: /dev/zero never ends. A folder is no file either. */
static void test_dev_zero(void **state)
{
    struct vecs v;
    struct config cfg;
    (void)state;

    guard();
    for (size_t i = 0; i < sizeof(every_format) / sizeof(*every_format); i++) {
        capture_start();
        int rc = load_vecs(&v, every_format[i], "/dev/zero", 0);
        const char *msg = capture_end();
        assert_int_equal(rc, -1);
        assert_int_equal(count_lines(msg), 1);
        assert_has(msg, "'/dev/zero'");
    }
    assert_fails(load_tsv(&v, "/dev/zero", 0, 0),
                 "not a regular file '/dev/zero' (a character device)", NULL);
    assert_fails(config_load(&cfg, "/dev/zero"),
                 "not a regular file '/dev/zero' (a character device)", NULL);
    assert_fails(load_tsv(&v, tmpdir, 0, 0), "cannot read '", "Is a directory");
    alarm(0);
}

/* `faiss-sweep run /dev/zero` and `run FIFO`: exit 1 with one line, at once. */
static void test_run_dev_zero(void **state)
{
    char cmd[1024];
    (void)state;

    snprintf(cmd, sizeof(cmd), "timeout 60 '%s' run /dev/zero 2>'%s'", FS_BINARY,
             tmp("err.txt"));
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 1);
    char *err = read_file(tmp("err.txt"), NULL);
    assert_string_equal(err, "faiss-sweep: not a regular file '/dev/zero' (a character "
                             "device)\n");
    free(err);

    assert_int_equal(mkfifo(tmp("cfg.fifo"), 0600), 0);
    snprintf(cmd, sizeof(cmd), "timeout 60 '%s' run '%s' 2>'%s'", FS_BINARY, tmp("cfg.fifo"),
             tmp("err.txt"));
    st = system(cmd);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 1);
    err = read_file(tmp("err.txt"), NULL);
    assert_has(err, "cfg.fifo' (a FIFO)");
    free(err);
}

/* Item 13: the stated limits. A config over 16 MiB, a JSON table over
 * 2 GiB (sparse files: nothing is read), a line over 64 MiB. */
static void test_limits(void **state)
{
    struct config cfg;
    struct vecs v;
    (void)state;

    sparse_file(tmp("big.yaml"), ((off_t)16 << 20) + 1);
    assert_fails(config_load(&cfg, tmp("big.yaml")), "file too large: '",
                 "big.yaml' is over 16 MiB, the limit for a config file");
    /* exactly 16 MiB is read (and then fails as YAML, not as too large) */
    sparse_file(tmp("edge.yaml"), (off_t)16 << 20);
    capture_start();
    assert_int_equal(config_load(&cfg, tmp("edge.yaml")), -1);
    assert_null(strstr(capture_end(), "too large"));

    sparse_file(tmp("big.json"), (off_t)TEXT_MAX_JSON + 1);
    assert_fails(load_glove_json(&v, tmp("big.json"), 0), "file too large: '",
                 "big.json' is over 2048 MiB, the limit for a JSON word table");

    /* a line that never ends: stopped at 64 MiB, not read to the end */
    sparse_file(tmp("endless.tsv"), (off_t)TEXT_MAX_LINE * 2);
    assert_fails(load_tsv(&v, tmp("endless.tsv"), 0, 0), "line 1 of '",
                 "endless.tsv' is longer than 64 MiB (it never ends)");
    assert_fails(load_glove_txt(&v, tmp("endless.tsv"), 0), "line 1 of '",
                 "is longer than 64 MiB");
    /* the same after good lines: the line number is the endless one's */
    {
        FILE *f = fopen(tmp("late.tsv"), "w");
        assert_non_null(f);
        fputs("1 2\n3 4\n", f);
        fflush(f);
        assert_int_equal(ftruncate(fileno(f), (off_t)TEXT_MAX_LINE + 64), 0);
        fclose(f);
    }
    assert_fails(load_tsv(&v, tmp("late.tsv"), 0, 0), "line 3 of '", "late.tsv' is longer");
    /* the limit counts rows read: the good lines still load */
    assert_int_equal(load_tsv(&v, tmp("late.tsv"), 2, 0), 0);
    assert_int_equal(v.n, 2);
    vecs_release(&v);
}

/* Lines split across the reader's chunks still parse (the reader is fed
 * 1 MiB at a time): 300,000 rows, the last without '\n'. */
static void test_chunks(void **state)
{
    FILE *f = fopen(tmp("many.tsv"), "w");
    struct vecs v;
    (void)state;

    assert_non_null(f);
    for (int i = 0; i < 300000; i++)
        fprintf(f, "%d\t%d.5%s", i, i % 7, i + 1 < 300000 ? "\n" : "");
    fclose(f);
    assert_int_equal(load_tsv(&v, tmp("many.tsv"), 0, 0), 0);
    assert_int_equal(v.n, 300000);
    assert_int_equal(v.d, 2);
    assert_true(v.x[2 * 299999] == 299999.0f);
    assert_true(v.x[2 * 123456 + 1] == 123456 % 7 + 0.5f);
    vecs_release(&v);
}

/* Item 13: a gzip IDX whose header claims far more than its stream can
 * inflate to is refused before anything is inflated. */
static void test_gzip_bomb(void **state)
{
    /* uint8, 3 dims: 4,294,967,295 images of 1 x 128 (550 GB claimed) */
    static const unsigned char h[] = { 0, 0, 0x08, 3, 0xff, 0xff, 0xff, 0xff,
                                       0, 0, 0, 1, 0, 0, 0, 128 };
    static unsigned char zeros[1 << 16];
    gzFile gz = gzopen(tmp("bomb-idx3-ubyte.gz"), "wb9");
    struct vecs v;
    (void)state;

    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, h, sizeof(h)), sizeof(h));
    for (int i = 0; i < 160; i++) /* 10 MiB of zeros: about 10 KiB compressed */
        assert_int_equal(gzwrite(gz, zeros, sizeof(zeros)), sizeof(zeros));
    assert_int_equal(gzclose(gz), Z_OK);
    assert_fails(load_idx(&v, tmp("bomb-idx3-ubyte.gz"), 0), "absurd IDX size in '",
                 "more than a gzip file of ");
    /* with a limit the claim is what is read: 100 images load */
    assert_int_equal(load_idx(&v, tmp("bomb-idx3-ubyte.gz"), 100), 0);
    assert_int_equal(v.n, 100);
    assert_int_equal(v.d, 128);
    vecs_release(&v);
}

/* Item 16a: file bytes quoted in messages have control characters blanked. */
static void test_escapes(void **state)
{
    static const char dict[] = "{'descr': '<f\x1b""4', 'fortran_order': False, "
                               "'shape': (1, 1), }          \n";
    unsigned char npy[128] = "\x93NUMPY\x01\x00";
    struct vecs v;
    const char *msg;
    (void)state;

    npy[8] = (unsigned char)strlen(dict);
    memcpy(npy + 10, dict, strlen(dict));
    memset(npy + 10 + strlen(dict), 0, 4);

    write_text_file(tmp("esc.tsv"), "1 2\n3 \x1b]0;owned\x07\n");
    capture_start();
    assert_int_equal(load_tsv(&v, tmp("esc.tsv"), 0, 0), -1);
    msg = capture_end();
    assert_has(msg, "field 2 on line 2 of '");
    assert_has(msg, "is not a number: ' ]0;owned '");
    assert_null(strchr(msg, '\x1b'));
    assert_null(strchr(msg, '\x07'));

    write_text_file(tmp("esc.txt"), "w 1 2\nv 3 \x1b[31m\n");
    capture_start();
    assert_int_equal(load_glove_txt(&v, tmp("esc.txt"), 0), -1);
    msg = capture_end();
    assert_has(msg, "value 2 on line 2 of '");
    assert_has(msg, "' [31m'");
    assert_null(strchr(msg, '\x1b'));

    write_bytes(tmp("esc.npy"), npy, 10 + strlen(dict) + 4);
    capture_start();
    assert_int_equal(load_npy(&v, tmp("esc.npy"), 0), -1);
    msg = capture_end();
    assert_has(msg, "unsupported dtype '<f 4'");
    assert_null(strchr(msg, '\x1b'));
}

/* clean_copy itself: blanked, cut, NUL-stopped. */
static void test_clean_copy(void **state)
{
    char buf[12];
    (void)state;
    assert_string_equal(clean_copy(buf, sizeof(buf), "a\x1b\x07\r\tb", 6), "a    b");
    assert_string_equal(clean_copy(buf, sizeof(buf), "0123456789abc", 13), "01234567...");
    assert_string_equal(clean_copy(buf, sizeof(buf), "ab\0cd", 5), "ab");
    assert_string_equal(clean_copy(buf, sizeof(buf), "abcdef", 3), "abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo),       cmocka_unit_test(test_dev_zero),
        cmocka_unit_test(test_run_dev_zero), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_chunks),     cmocka_unit_test(test_gzip_bomb),
        cmocka_unit_test(test_escapes),    cmocka_unit_test(test_clean_copy),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
