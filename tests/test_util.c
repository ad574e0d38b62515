/*
 * test_util.c - lib/util: the message formats every module relies on
 * ("faiss-sweep: " prefix, error_errno's ": <strerror>" keeping errno),
 * xasprintf, has_suffix, command_line quoting (checked by a real shell),
 * make_dirs, read_file, hash_bytes (FNV-1a's published values, chaining),
 * edit_distance and the monotonic clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"
#include "testutil.h"

/* ---- messages ---- */

static void test_error_format(void **state)
{
    (void)state;
    capture_start();
    int rc = error("cannot open '%s'", "x.yaml");
    assert_int_equal(rc, -1);
    assert_string_equal(capture_end(), "faiss-sweep: cannot open 'x.yaml'\n");

    capture_start();
    warning("'%s': %d zero rows dropped", "b.npy", 3);
    assert_string_equal(capture_end(), "faiss-sweep: warning: 'b.npy': 3 zero rows dropped\n");
}

static void test_error_errno_appends_strerror(void **state)
{
    char want[256];
    (void)state;
    snprintf(want, sizeof(want), "faiss-sweep: cannot open 'x.yaml': %s\n", strerror(ENOENT));
    capture_start();
    errno = ENOENT;
    int rc = error_errno("cannot open '%s'", "x.yaml");
    int after = errno;
    assert_string_equal(capture_end(), want);
    assert_int_equal(rc, -1);
    /* errno survives the printing, so a caller can still test it */
    assert_int_equal(after, ENOENT);

    snprintf(want, sizeof(want), "faiss-sweep: warning: cannot remove 'c': %s\n", strerror(EACCES));
    capture_start();
    errno = EACCES;
    warning_errno("cannot remove '%s'", "c");
    after = errno;
    assert_string_equal(capture_end(), want);
    assert_int_equal(after, EACCES);
}

static void test_info_and_quiet(void **state)
{
    int saved = util_quiet;
    (void)state;
    util_quiet = 0;
    capture_start();
    info("grid: %d builds", 2);
    /* informational lines carry no prefix */
    assert_string_equal(capture_end(), "grid: 2 builds\n");
    util_quiet = 1;
    capture_start();
    info("grid: %d builds", 2);
    assert_string_equal(capture_end(), "");
    util_quiet = saved;
}

/* ---- allocation and strings ---- */

static void test_xasprintf_and_alloc(void **state)
{
    char big[5000];
    (void)state;
    char *s = xasprintf("%s-%03d.%s", "run", 7, "h5");
    assert_string_equal(s, "run-007.h5");
    free(s);
    /* longer than any fixed buffer a caller might have guessed */
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    s = xasprintf("<%s>", big);
    assert_int_equal(strlen(s), sizeof(big) + 1);
    assert_int_equal(s[0], '<');
    assert_int_equal(s[sizeof(big)], '>');
    free(s);

    /* zero sizes still give a pointer that free accepts */
    void *p = xmalloc(0);
    assert_non_null(p);
    free(p);
    int *z = xcalloc(64, sizeof(*z));
    for (int i = 0; i < 64; i++)
        assert_int_equal(z[i], 0);
    z = xrealloc(z, 128 * sizeof(*z));
    assert_int_equal(z[63], 0);
    free(z);
    s = xstrdup("abc");
    assert_string_equal(s, "abc");
    free(s);
}

static void test_has_suffix(void **state)
{
    (void)state;
    assert_true(has_suffix("base.npy", ".npy"));
    assert_true(has_suffix("BASE.NPY", ".npy"));   /* case-insensitive */
    assert_true(has_suffix("base.npy", ".NPY"));
    assert_true(has_suffix("x.fvecs.gz", ".gz"));
    assert_true(has_suffix(".npy", ".npy"));
    assert_true(has_suffix("anything", ""));
    assert_false(has_suffix("npy", ".npy"));       /* shorter than the suffix */
    assert_false(has_suffix("base.npz", ".npy"));
    assert_false(has_suffix("base.npy.bak", ".npy"));
    assert_false(has_suffix("", ".npy"));
}

static void test_command_line_exact(void **state)
{
    char *const argv[] = { "faiss-sweep", "run", "my config.yaml", "", "$HOME", "a=b" };
    (void)state;
    char *s = command_line(6, argv);
    assert_string_equal(s, "faiss-sweep run 'my config.yaml' '' '$HOME' a=b");
    free(s);
    s = command_line(0, argv);
    assert_string_equal(s, "");
    free(s);
}

/* The words must come back unchanged when a shell reads the line: sh sets
 * its arguments from it and prints them NUL-separated. */
static void test_command_line_shell_round_trip(void **state)
{
    char *const words[] = {
        "faiss-sweep", "run", "my config.yaml", "--set", "name=a b", "$HOME", "`id`",
        "*.yaml", "a;b", "x|y", "a&b", "<in", ">out", "(x)", "{a,b}", "[ab]", "?",
        "back\\slash", "dq\"x", "~", "#hash", "!bang", "", "tab\there", "it's", "'",
        "two\nlines",
        "plain-word_1.2,3:4/5@%+=",
    };
    size_t n = sizeof(words) / sizeof(words[0]);
    char out[4096];
    size_t got;
    (void)state;
    char *line = command_line((int)n, words);
    char *script = xasprintf("set -- %s; printf '%%s\\000' \"$@\"", line);
    char *const argv[] = { "sh", "-c", script, NULL };
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execv("/bin/sh", argv);
        _exit(127);
    }
    close(fd[1]);
    got = 0;
    for (ssize_t r; (r = read(fd[0], out + got, sizeof(out) - got)) > 0;)
        got += (size_t)r;
    close(fd[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    size_t off = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(off < got);
        if (strcmp(out + off, words[i]))
            fail_msg("word %zu: '%s' came back as '%s' from: %s", i, words[i], out + off, line);
        off += strlen(words[i]) + 1;
    }
    assert_int_equal(off, got);
    free(script);
    free(line);
}

/* ---- files ---- */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_make_dirs(void **state)
{
    char want[512];
    (void)state;
    /* nested, all created */
    assert_int_equal(make_dirs(tmp("a/b/c")), 0);
    assert_true(is_dir(tmp("a/b/c")));
    /* existing: nothing to do, no message */
    capture_start();
    int rc = make_dirs(tmp("a/b/c"));
    assert_string_equal(capture_end(), "");
    assert_int_equal(rc, 0);
    assert_int_equal(make_dirs(tmp("a/b")), 0);
    /* trailing slash and doubled slashes */
    assert_int_equal(make_dirs(tmp("d//e/")), 0);
    assert_true(is_dir(tmp("d/e")));
    /* relative to the current folder */
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(tmpdir), 0);
    rc = make_dirs("rel/x");
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, 0);
    assert_true(is_dir(tmp("rel/x")));

    /* an empty name is refused */
    assert_fails(make_dirs(""), "empty folder name", NULL);

    /* a file in the way: one line naming the folder that could not be made */
    assert_int_equal(write_string(tmp("file"), "x\n"), 0);
    snprintf(want, sizeof(want), "cannot create folder '%s': %s", tmp("file"),
             strerror(ENOTDIR));
    assert_fails(make_dirs(tmp("file/sub/deeper")), want, NULL);
    assert_false(is_dir(tmp("file/sub")));
    /* the file itself is no folder either: caught before any work is done */
    assert_fails(make_dirs(tmp("file")), want, NULL);
}

static void test_read_file(void **state)
{
    size_t len = 99;
    char want[512];
    (void)state;
    assert_int_equal(write_string(tmp("small.txt"), "line 1\nline 2\n"), 0);
    char *s = read_file(tmp("small.txt"), &len);
    assert_non_null(s);
    assert_string_equal(s, "line 1\nline 2\n");
    assert_int_equal(len, 14);
    free(s);

    /* len may be NULL; an empty file is an empty string */
    assert_int_equal(write_string(tmp("empty.txt"), ""), 0);
    s = read_file(tmp("empty.txt"), NULL);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);

    /* larger than the first buffer, with NUL bytes inside: the length counts them */
    size_t n = 200000;
    unsigned char *buf = malloc(n);
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(i * 7 % 251);
    FILE *f = fopen(tmp("big.bin"), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
    s = read_file(tmp("big.bin"), &len);
    assert_non_null(s);
    assert_int_equal(len, n);
    assert_memory_equal(s, buf, n);
    assert_int_equal(s[n], '\0');
    free(s);
    free(buf);

    /* missing: NULL and one line naming the file and why */
    snprintf(want, sizeof(want), "cannot open '%s': %s", tmp("missing.txt"), strerror(ENOENT));
    capture_start();
    s = read_file(tmp("missing.txt"), &len);
    const char *msg = capture_end();
    assert_null(s);
    assert_has(msg, want);
    assert_int_equal(count_lines(msg), 1);

    /* a folder opens but cannot be read */
    snprintf(want, sizeof(want), "cannot read '%s': %s", tmpdir, strerror(EISDIR));
    capture_start();
    s = read_file(tmpdir, &len);
    msg = capture_end();
    assert_null(s);
    assert_has(msg, want);
    assert_int_equal(count_lines(msg), 1);
}

/* ---- hashing, distance, clock ---- */

static void test_hash_bytes(void **state)
{
    (void)state;
    /* FNV-1a 64-bit test vectors (Fowler, Noll, Vo) */
    assert_true(hash_bytes(HASH_SEED, "", 0) == UINT64_C(0xcbf29ce484222325));
    assert_true(hash_bytes(HASH_SEED, "a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(hash_bytes(HASH_SEED, "foobar", 6) == UINT64_C(0x85944171f73967e8));
    /* chaining: the hash of the parts is the hash of the whole */
    uint64_t h = hash_bytes(HASH_SEED, "foo", 3);
    h = hash_bytes(h, "", 0);
    h = hash_bytes(h, "bar", 3);
    assert_true(h == UINT64_C(0x85944171f73967e8));
    /* order matters */
    assert_true(hash_bytes(hash_bytes(HASH_SEED, "bar", 3), "foo", 3) != h);
}

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(edit_distance("kitten", "sitting"), 3);
    assert_int_equal(edit_distance("sitting", "kitten"), 3);
    assert_int_equal(edit_distance("flaw", "lawn"), 2);
    assert_int_equal(edit_distance("", "abc"), 3);
    assert_int_equal(edit_distance("abc", ""), 3);
    assert_int_equal(edit_distance("", ""), 0);
    assert_int_equal(edit_distance("nprobe", "nprobe"), 0);
    assert_int_equal(edit_distance("nprobe", "nprobes"), 1);
    assert_int_equal(edit_distance("nprbe", "nprobe"), 1);
    assert_int_equal(edit_distance("k_factor", "kfactor"), 1);
}

static void test_now_s_monotonic(void **state)
{
    struct timespec pause = { 0, 20 * 1000 * 1000 };
    (void)state;
    double t0 = now_s(), prev = t0;
    assert_true(t0 > 0);
    for (int i = 0; i < 10000; i++) {
        double t = now_s();
        assert_true(t >= prev);
        prev = t;
    }
    nanosleep(&pause, NULL);
    double waited = now_s() - t0;
    assert_true(waited >= 0.019);
    assert_true(waited < 10.0);
}

static void test_rss(void **state)
{
    (void)state;
    int64_t rss = rss_bytes();
    assert_true(rss > 0);
    /* the high-water mark is never below what is resident now */
    assert_true(peak_rss_bytes() >= rss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_format),
        cmocka_unit_test(test_error_errno_appends_strerror),
        cmocka_unit_test(test_info_and_quiet),
        cmocka_unit_test(test_xasprintf_and_alloc),
        cmocka_unit_test(test_has_suffix),
        cmocka_unit_test(test_command_line_exact),
        cmocka_unit_test(test_command_line_shell_round_trip),
        cmocka_unit_test(test_make_dirs),
        cmocka_unit_test(test_read_file),
        cmocka_unit_test(test_hash_bytes),
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_now_s_monotonic),
        cmocka_unit_test(test_rss),
    };
    return cmocka_run_group_tests_name("util", tests, tmpdir_setup, tmpdir_teardown);
}
