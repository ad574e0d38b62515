/*
 * test_corrupt_results.c - a results file with one byte changed never
 * crashes its readers (issue 13, item 4).
 *
 * A real results file (a two-build sweep on generated data, with /runs,
 * /timings and every provenance attribute) is changed one byte at a time,
 * flipped (xor 0xff): every 2nd byte of its first 3136 (the superblock,
 * the root group and /runs's object header with its 37-member type, where
 * most crashes were), every 47th after (under the sanitizers, ten times
 * slower, every 16th and every 331st): about 2,000 changes, each read
 * twice (results_read's probe, then the read), 20-30 s on a busy machine.
 * Each copy is read in a child
 * process by what `summary`, `compare`, `history` and `report` do with a
 * file (results_read, summary_print, compare_sets of the file with itself,
 * pool_build), which must return, or fail with one error line
 * naming the file; never a signal, and never the allocator's "out of
 * memory" abort. The offsets that failed are listed, with how.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "out/compare.h"
#include "out/compare_report.h"
#include "out/pool.h"
#include "out/results.h"
#include "out/summary.h"
#include "testutil.h"

/* Every HEAD_STRIDE-th byte of the first HEAD, then every STRIDE-th. */
#if defined(__SANITIZE_ADDRESS__)
#define HEAD_STRIDE 16
#define STRIDE 331
#else
#define HEAD_STRIDE 2
#define STRIDE 47
#endif
#define HEAD 3136

static char *results_path;

/* Flat and IVF8 on generated data: a real results file, made by the
 * faiss-sweep binary (this process then runs no faiss, and its children
 * fork fast). */
static int setup(void **state)
{
    char *cfg, *cmd;
    FILE *p;
    char line[1024];
    int rc;

    util_quiet = 1;
    if (tmpdir_setup(state) || write_random_fvecs(tmp("base.fvecs"), 600, 8, 1) ||
        write_random_fvecs(tmp("queries.fvecs"), 20, 8, 2))
        return -1;
    cfg = xasprintf("name: corrupt\n"
                    "dataset: {format: fvecs, base: %s, queries: %s}\n"
                    "k: [1, 10]\n"
                    "metrics: [l2]\n"
                    "indexes:\n"
                    "  - factory: Flat\n"
                    "  - factory: \"IVF{nlist},Flat\"\n"
                    "    nlist: [8]\n"
                    "    nprobe: [1, 8]\n"
                    "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 5}\n"
                    "output_dir: %s\n"
                    "cache_dir: %s\n",
                    tmp("base.fvecs"), tmp("queries.fvecs"), tmp("out"), tmp("cache"));
    rc = write_string(tmp("corrupt.yaml"), cfg);
    free(cfg);
    cmd = xasprintf("'%s' run '%s' --no-plot 2>&1", FS_BINARY, tmp("corrupt.yaml"));
    p = rc ? NULL : popen(cmd, "r");
    free(cmd);
    if (!p)
        return -1;
    while (fgets(line, sizeof(line), p))
        if (!strncmp(line, "results: ", 9)) {
            line[strcspn(line, "\n")] = '\0';
            results_path = xstrdup(line + 9);
        }
    rc = pclose(p);
    return rc || !results_path ? -1 : 0;
}

static int teardown(void **state)
{
    free(results_path);
    return tmpdir_teardown(state);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *buf;
    assert_non_null(f);
    assert_int_equal(fstat(fileno(f), &st), 0);
    *n = (size_t)st.st_size;
    buf = xmalloc(*n ? *n : 1);
    assert_int_equal(fread(buf, 1, *n, f), *n);
    fclose(f);
    return buf;
}

/* What the readers do with one file; the child's exit status. */
static int read_all(const char *path)
{
    struct result_set rs;
    struct compare_result r;
    struct compare_opts o;
    struct pool p;
    struct pool_input in[2];
    FILE *null;

    if (results_read(&rs, path) < 0)
        return 1;
    null = fopen("/dev/null", "w");
    summary_print(null, &rs);
    compare_opts_init(&o);
    if (compare_sets(&rs, &rs, path, path, &o, &r) == 0) {
        compare_print(null, &r);
        compare_result_release(&r);
    }
    in[0] = (struct pool_input){ &rs, "a" };
    in[1] = (struct pool_input){ &rs, "b" };
    pool_build(&p, in, 2, "ok");
    pool_release(&p);
    results_release(&rs);
    fclose(null);
    return 0;
}

/* What the children share with the parent (an anonymous shared mapping):
 * the index of the change being tried, and the failures seen so far. */
struct shared {
    volatile size_t at;         /* the change a child is on */
    size_t failed;
    char why[3000][200];          /* the first ones, for the log */
};

static void note(struct shared *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct shared *sh, const char *fmt, ...)
{
    va_list ap;
    if (sh->failed < 3000) {
        va_start(ap, fmt);
        vsnprintf(sh->why[sh->failed], sizeof(sh->why[0]), fmt, ap);
        va_end(ap);
    }
    sh->failed++;
}

/* Change i: the offset it changes, and the byte put there (orig holds
 * the bytes that were): flipped (xor 0xff). */
static size_t n_head = HEAD / HEAD_STRIDE;

static void change(size_t i, const unsigned char *orig, size_t *at, unsigned char *v)
{
    *at = i < n_head ? i * HEAD_STRIDE : HEAD + (i - n_head) * STRIDE;
    *v = (unsigned char)(orig[*at] ^ 0xff);
}

/* In a child: try changes sh->at.. of the file at path in this process,
 * each a one-byte pwrite undone afterwards. */
static void child(struct shared *sh, int fd, const char *path, const unsigned char *orig,
                  size_t n_changes)
{
    /* cmocka catches these to fail the test: here they are what is counted */
    const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], SIG_DFL);
#if !defined(__SANITIZE_ADDRESS__)
    /* a reader that believes a huge count fails here, not in swap */
    struct rlimit mem = { (rlim_t)1 << 30, (rlim_t)1 << 30 };
    setrlimit(RLIMIT_AS, &mem);
#endif
    util_quiet = 0;
    for (; sh->at < n_changes; sh->at++) {
        size_t at;
        unsigned char v;
        change(sh->at, orig, &at, &v);
        if (pwrite(fd, &v, 1, (off_t)at) != 1)
            _exit(99);
        alarm(30);      /* a hang is a failure too (SIGALRM): the reader's own limit is 10 s */
        capture_start();
        int rc = read_all(path);
        const char *err = capture_end();
        if (rc && (strncmp(err, "faiss-sweep: ", 13) || !strstr(err, path) || count_lines(err) != 1))
            note(sh, "offset %zu = 0x%02x: exit 1 without one error line naming the file: %.300s",
                 at, v, err);
        if (pwrite(fd, &orig[at], 1, (off_t)at) != 1)
            _exit(99);
    }
    _exit(0);
}

static void every_byte(void **state)
{
    size_t n;
    unsigned char *orig = (unsigned char *)slurp(results_path, &n);
    const char *path = xstrdup(tmp("changed.h5"));
    size_t n_changes = n_head + (n > HEAD ? (n - HEAD + STRIDE - 1) / STRIDE : 0);
    struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int fd, status;
    (void)state;

    assert_true(sh != MAP_FAILED);
    memset(sh, 0, sizeof(*sh));
    write_bytes(path, orig, n);
    fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    /* the file as it is reads */
    assert_int_equal(read_all(path), 0);
    while (sh->at < n_changes) {
        pid_t pid;
        fflush(NULL);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            child(sh, fd, path, orig, n_changes);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            break;
        /* it died on change sh->at: note it, undo it, go on from the next */
        size_t at;
        unsigned char v;
        change(sh->at, orig, &at, &v);
        if (WIFSIGNALED(status))
            note(sh, "offset %zu = 0x%02x: signal %d", at, v, WTERMSIG(status));
        else
            note(sh, "offset %zu = 0x%02x: exit %d", at, v, WEXITSTATUS(status));
        assert_int_equal(pwrite(fd, &orig[at], 1, (off_t)at), 1);
        sh->at++;
    }
    for (size_t i = 0; i < sh->failed && i < 3000; i++)
        print_message("%s\n", sh->why[i]);
    print_message("%zu of %zu changed copies of a %zu-byte file failed\n", sh->failed, n_changes, n);
    assert_int_equal(sh->failed, 0);
    close(fd);
    munmap(sh, sizeof(*sh));
    free(orig);
    free((char *)path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_byte),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
