/*
 * test_resume.c - the journal and --resume, and the run's own failures of
 * issue 13 (on a small generated data set; the program as its own process
 * where a signal is part of the test):
 *  - a run killed with SIGKILL resumes to every point once, its provenance
 *    saying so; a torn or damaged last record is dropped and re-measured;
 *    Ctrl-C keeps the journal too, for a resume that completes the file;
 *    a changed config, --set, data set or version is refused naming what
 *    differs, unless --force; nothing to resume is an error (Resume);
 *  - three runs of one config at once into one folder give three files (2);
 *  - the resolved config of 200,000 points is made in well under a second (7);
 *  - a read-only output folder, and -o naming a file, fail before any work (9);
 *  - a grid with nothing to measure is an error naming the config (10);
 *  - a second Ctrl-C during a long build stops the run at once (11);
 *  - -o DIR takes the default ground-truth cache along: DIR/cache (16);
 *  - a journal with no whole record resumes as a fresh start.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/grid.h"
#include "lib/util.h"
#include "out/results.h"
#include "run/journal.h"
#include "run/point.h"
#include "run/run.h"
#include "testutil.h"

static int setup(void **state)
{
    if (tmpdir_setup(state))
        return -1;
    util_quiet = 1;
    /* Readable by the unprivileged child of the read-only folder test. */
    chmod(tmpdir, 0755);
    if (write_random_fvecs(tmp("base.fvecs"), 1200, 16, 7) ||
        write_random_fvecs(tmp("queries.fvecs"), 40, 16, 8) ||
        write_random_fvecs(tmp("other.fvecs"), 1200, 16, 9))
        return -1;
    return 0;
}

/* A config of 17 builds (Flat, IVF at 16 nlist values), two points each. */
static char *config_text(const char *name, const char *base, const char *extra)
{
    char nl[400] = "";
    for (int i = 0; i < 16; i++)
        snprintf(nl + strlen(nl), sizeof(nl) - strlen(nl), "%s%d", i ? ", " : "", 8 + 2 * i);
    return xasprintf("name: %s\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                     "k: [1, 5]\nindexes:\n  - factory: Flat\n"
                     "  - factory: \"IVF{nlist},Flat\"\n    nlist: [%s]\n"
                     "search: {nprobe: [1, 4]}\n"
                     "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 5}\n"
                     "checkpoint_s: -1\ncache_dir: %s\n%s",
                     name, base, tmp("queries.fvecs"), nl, tmp("cache"), extra);
}

/* Start cfg into outdir and send it sig once its journal holds a point's
 * row. Returns the journal's path (malloc'd). */
static char *signalled_run(const char *cfg, const char *outdir, int sig, int *status);

static char *killed_run(const char *cfg, const char *outdir)
{
    int status;
    char *journal = signalled_run(cfg, outdir, SIGKILL, &status);
    assert_true(WIFSIGNALED(status));
    return journal;
}

static char *signalled_run(const char *cfg, const char *outdir, int sig, int *status)
{
    const char *argv[] = { FS_BINARY, "run", cfg, "--no-plot", "-q", "-o", outdir, NULL };
    pid_t pid = spawn_quiet(argv, NULL);
    char *journal = NULL;
    int rows = 0;

    for (int i = 0; i < 60000 && !rows; i++) {
        usleep(500);
        if (!journal)
            journal = find_file(outdir, ".journal", NULL);
        rows = journal ? journal_each(journal, 2, NULL, NULL) : 0;
    }
    kill(pid, sig);
    waitpid(pid, status, 0);
    assert_non_null(journal);
    assert_true(journal_each(journal, 2, NULL, NULL) >= 1);
    return journal;
}

/* run_sweep with --resume (results may be NULL), what it printed in *err. */
static int resume(const char *cfg, const char *outdir, const char *results, int force,
                  const char *const *sets, size_t n_sets, char **out, char **err)
{
    struct run_opts o = { .output_dir = outdir, .resume = 1, .resume_path = results,
                          .force = force, .sets = sets, .n_sets = n_sets };
    char *path = NULL;
    int rc;
    capture_start();
    rc = run_sweep(cfg, &o, &path);
    *err = strdup(capture_end());
    if (out)
        *out = path;
    else
        free(path);
    return rc;
}

static void write_config(const char *path, const char *text)
{
    assert_int_equal(write_string(path, text), 0);
}

/* Killed, resumed: every point once, the grid's order, provenance. */
static void test_kill_and_resume(void **state)
{
    char *text = config_text("rz", tmp("base.fvecs"), "");
    char *journal, *results = NULL, *err = NULL;
    struct result_set rs;
    const struct result_attr *a;
    (void)state;
    write_config(tmp("rz.yaml"), text);
    journal = killed_run(tmp("rz.yaml"), tmp("out-kill"));
    assert_int_equal(resume(tmp("rz.yaml"), tmp("out-kill"), NULL, 0, NULL, 0, &results, &err), 0);
    assert_null(strstr(err, "torn"));
    assert_int_equal(file_size(journal), -1);   /* gone with the run's end */
    assert_int_equal(results_read(&rs, results), 0);
    assert_int_equal(rs.n_rows, 1 + 16 * 2 + 1);  /* Flat's second point skipped */
    for (size_t i = 1; i < rs.n_rows; i++) {
        const struct result_row *p = &rs.rows[i - 1], *r = &rs.rows[i];
        /* the grid's order: by nlist, then nprobe; each point once */
        assert_true(p->nlist < r->nlist || (p->nlist == r->nlist && p->nprobe < r->nprobe));
    }
    a = results_attr(&rs, "resumed");
    assert_non_null(a);
    assert_int_equal(a->i, 1);
    assert_non_null(results_attr_text(&rs, "resumed_at"));
    assert_true(results_attr(&rs, "resumed_rows")->i >= 1);
    assert_null(results_attr(&rs, "interrupted"));
    results_release(&rs);
    free(results);
    free(err);
    free(journal);
    free(text);
}

/* Ctrl-C once: the points measured are written, marked interrupted, and
 * the journal stays; --resume completes the same file. */
static void test_interrupt_and_resume(void **state)
{
    char *text = config_text("ri", tmp("base.fvecs"), "");
    char *journal, *results = NULL, *err = NULL, *h5;
    struct result_set rs;
    int status, n;
    (void)state;
    write_config(tmp("ri.yaml"), text);
    journal = signalled_run(tmp("ri.yaml"), tmp("out-int"), SIGINT, &status);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    h5 = find_file(tmp("out-int"), ".h5", &n);
    assert_int_equal(n, 1);
    assert_int_equal(results_read(&rs, h5), 0);
    assert_non_null(results_attr(&rs, "interrupted"));
    assert_true(rs.n_rows < 34);
    results_release(&rs);
    assert_true(file_size(journal) > 0);
    assert_int_equal(resume(tmp("ri.yaml"), tmp("out-int"), h5, 0, NULL, 0, &results, &err), 0);
    assert_string_equal(results, h5);
    assert_int_equal(file_size(journal), -1);
    assert_int_equal(results_read(&rs, results), 0);
    assert_int_equal(rs.n_rows, 34);
    assert_null(results_attr(&rs, "interrupted"));
    results_release(&rs);
    free(h5);
    free(results);
    free(err);
    free(journal);
    free(text);
}

/* A torn last record (cut short) and a damaged one (a flipped byte) are
 * dropped with a warning; the point they held is measured again. */
static void test_torn_record(void **state)
{
    char *text = config_text("rt", tmp("base.fvecs"), "");
    (void)state;
    write_config(tmp("rt.yaml"), text);
    for (int damage = 0; damage < 2; damage++) {
        char out[64], *journal, *results = NULL, *err = NULL;
        struct result_set rs;
        long long sz;
        snprintf(out, sizeof(out), "out-torn%d", damage);
        journal = killed_run(tmp("rt.yaml"), tmp(out));
        sz = file_size(journal);
        if (damage) {
            int fd = open(journal, O_RDWR);
            char c;
            assert_int_equal(pread(fd, &c, 1, sz - 3), 1);
            c ^= 0x10;
            assert_int_equal(pwrite(fd, &c, 1, sz - 3), 1);
            close(fd);
        } else {
            assert_int_equal(truncate(journal, sz - 5), 0);
        }
        util_quiet = 0;
        assert_int_equal(resume(tmp("rt.yaml"), tmp(out), NULL, 0, NULL, 0, &results, &err), 0);
        util_quiet = 1;
        assert_has(err, "torn or damaged");
        assert_int_equal(results_read(&rs, results), 0);
        assert_int_equal(rs.n_rows, 34);
        results_release(&rs);
        free(results);
        free(err);
        free(journal);
    }
    free(text);
}

/* A journal like `journal` whose head says another harness (or faiss)
 * version, as "<dir>/rv-20200101T000000Z.h5.journal"; returns the results
 * path it stands for (malloc'd). */
static char *forged(const char *journal, const char *dir, int faiss)
{
    struct journal j, f;
    char *jp = xasprintf("%s/rv-20200101T000000Z.h5.journal", dir);
    mkdir(dir, 0755);
    assert_int_equal(journal_open(&j, journal), 0);
    free(faiss ? j.head.faiss_version : j.head.harness_version);
    if (faiss)
        j.head.faiss_version = xstrdup("0.0.forged");
    else
        j.head.harness_version = xstrdup("0.0.forged");
    unlink(jp);
    assert_int_equal(journal_create(&f, jp), 0);
    assert_int_equal(journal_start(&f, &j.head), 0);
    journal_release(&f);
    journal_release(&j);
    jp[strlen(jp) - strlen(".journal")] = '\0';
    return jp;
}

/* A resume of another config text, --set, data or version is refused,
 * naming what differs; --force resumes anyway; nothing to resume is an
 * error. */
static void test_refusals(void **state)
{
    char *text = config_text("rv", tmp("base.fvecs"), "");
    char *other = config_text("rv", tmp("base.fvecs"), "# a comment\n");
    char *data = config_text("rv", tmp("other.fvecs"), "");
    const char *set[] = { "measure.repeats=2" };
    char *journal, *err = NULL, *results = NULL, *fake;
    struct result_set rs;
    (void)state;
    write_config(tmp("rv.yaml"), text);
    journal = killed_run(tmp("rv.yaml"), tmp("out-rv"));

    write_config(tmp("rv.yaml"), other);
    assert_int_equal(resume(tmp("rv.yaml"), tmp("out-rv"), NULL, 0, NULL, 0, NULL, &err), -1);
    assert_has(err, "the config text differs");
    assert_has(err, "--force");
    assert_int_equal(count_lines(err), 1);
    free(err);
    write_config(tmp("rv.yaml"), text);
    assert_int_equal(resume(tmp("rv.yaml"), tmp("out-rv"), NULL, 0, set, 1, NULL, &err), -1);
    assert_has(err, "the --set overrides");
    free(err);
    write_config(tmp("rv.yaml"), data);
    assert_int_equal(resume(tmp("rv.yaml"), tmp("out-rv"), NULL, 0, NULL, 0, NULL, &err), -1);
    assert_has(err, "the config text");
    assert_has(err, "the data's content hash");
    free(err);
    write_config(tmp("rv.yaml"), text);
    for (int faiss = 0; faiss < 2; faiss++) {
        fake = forged(journal, tmp("out-forged"), faiss);
        assert_int_equal(resume(tmp("rv.yaml"), tmp("out-forged"), fake, 0, NULL, 0, NULL, &err),
                         -1);
        assert_has(err, faiss ? "the faiss version ('0.0.forged', now '"
                              : "the harness version ('0.0.forged', now '");
        free(err);
        free(fake);
    }
    /* The refusals changed nothing: --force with the comment resumes it. */
    write_config(tmp("rv.yaml"), other);
    util_quiet = 0;
    assert_int_equal(resume(tmp("rv.yaml"), tmp("out-rv"), NULL, 1, NULL, 0, &results, &err), 0);
    util_quiet = 1;
    assert_has(err, "(--force)");
    free(err);
    assert_int_equal(results_read(&rs, results), 0);
    assert_int_equal(rs.n_rows, 34);
    results_release(&rs);
    /* Finished: nothing to resume, named or not. */
    assert_int_equal(resume(tmp("rv.yaml"), tmp("out-rv"), results, 0, NULL, 0, NULL, &err), -1);
    assert_has(err, "nothing to resume in '");
    assert_has(err, "its run finished");
    free(err);
    assert_int_equal(resume(tmp("rv.yaml"), tmp("out-rv"), NULL, 0, NULL, 0, NULL, &err), -1);
    assert_has(err, "no unfinished run of 'rv'");
    free(err);
    /* A FIFO in a journal's place is refused, not waited on. */
    assert_int_equal(mkfifo(tmp("out-rv/rv-20200101T000000Z.h5.journal"), 0644), 0);
    assert_int_equal(resume(tmp("rv.yaml"), tmp("out-rv"), tmp("out-rv/rv-20200101T000000Z.h5"),
                            0, NULL, 0, NULL, &err), -1);
    assert_has(err, "not a regular file");
    free(err);
    free(results);
    free(journal);
    free(text);
    free(other);
    free(data);
}

/* --force on a config whose grid changed (nprobe 2 added between 1 and 4):
 * the journal's rows are matched by their settings, not their old places;
 * every point of the new grid once. */
static void test_force_changed_grid(void **state)
{
    char *text = config_text("rg", tmp("base.fvecs"), "");
    char *changed = xstrdup(text), *at = strstr(changed, "nprobe: [1, 4]");
    char *fixed, *journal, *results = NULL, *err = NULL;
    struct result_set rs;
    (void)state;
    assert_non_null(at);
    *at = '\0';
    fixed = xasprintf("%snprobe: [1, 2, 4]%s", changed, at + strlen("nprobe: [1, 4]"));
    write_config(tmp("rg.yaml"), text);
    journal = killed_run(tmp("rg.yaml"), tmp("out-rg"));
    write_config(tmp("rg.yaml"), fixed);
    assert_int_equal(resume(tmp("rg.yaml"), tmp("out-rg"), NULL, 1, NULL, 0, &results, &err), 0);
    assert_int_equal(results_read(&rs, results), 0);
    assert_int_equal(rs.n_rows, 1 + 16 * 3 + 2);
    for (size_t i = 1; i < rs.n_rows; i++) {
        const struct result_row *p = &rs.rows[i - 1], *r = &rs.rows[i];
        assert_true(p->nlist < r->nlist || (p->nlist == r->nlist && p->nprobe < r->nprobe));
    }
    assert_true(results_attr(&rs, "resumed_rows")->i >= 1);
    results_release(&rs);
    free(results);
    free(err);
    free(journal);
    free(fixed);
    free(changed);
    free(text);
}

/* Item 2: three runs of one config at once into one folder, three files. */
static void test_concurrent_runs(void **state)
{
    char *text = xasprintf("name: cc\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                           "k: [1]\nindexes: [{factory: Flat}]\ncache_dir: %s\n"
                           "measure: {repeats: 1, warmup: 0, min_time: 0.001, "
                           "latency_queries: 5}\n",
                           tmp("base.fvecs"), tmp("queries.fvecs"), tmp("cache"));
    const char *argv[] = { FS_BINARY, "run", tmp("cc.yaml"), "--no-plot", "-q", "-o",
                           tmp("out-cc"), NULL };
    pid_t pid[3];
    int n = 0;
    char *first;
    (void)state;
    write_config(tmp("cc.yaml"), text);
    for (int i = 0; i < 3; i++)
        pid[i] = spawn_quiet(argv, NULL);
    for (int i = 0; i < 3; i++) {
        int status;
        assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    first = find_file(tmp("out-cc"), ".h5", &n);
    assert_int_equal(n, 3);
    free(first);
    first = find_file(tmp("out-cc"), ".journal", &n);
    assert_null(first);
    free(text);
}

/* results_reorder: rows by key, the side table's run_row renumbered and
 * its rows in run_row order (a resumed run's rows in the grid's order). */
static void test_reorder(void **state)
{
    static const long ks[] = { 1 };
    static const size_t key[] = { 2, 0, 1 };
    struct result_set rs;
    struct result_table *t;
    (void)state;
    results_init(&rs, ks, 1);
    t = results_table_add(&rs, RESULTS_TIMINGS, results_timing_cols, TIMING_NCOLS);
    assert_non_null(t);
    for (int i = 0; i < 3; i++) {
        struct result_row row;
        union result_cell c[TIMING_NCOLS] = { { 0 } };
        results_row_init(&rs, &row);
        row.nprobe = 10 * (i + 1);
        results_add_row(&rs, &row);
        c[TIMING_RUN_ROW].i = i;
        c[TIMING_REPETITION].i = 100 + i;
        results_table_append(t, c);
        c[TIMING_REPETITION].i = 200 + i;
        results_table_append(t, c);
    }
    results_reorder(&rs, key);
    /* rows: old 1 (key 0), old 2 (key 1), old 0 (key 2) */
    assert_int_equal(rs.rows[0].nprobe, 20);
    assert_int_equal(rs.rows[1].nprobe, 30);
    assert_int_equal(rs.rows[2].nprobe, 10);
    t = results_table(&rs, RESULTS_TIMINGS);
    for (size_t i = 0; i < 6; i++) {
        const union result_cell *c = &t->cells[i * t->n_cols];
        static const int64_t rep[] = { 101, 201, 102, 202, 100, 200 };
        assert_int_equal(c[TIMING_RUN_ROW].i, (int64_t)(i / 2));
        assert_int_equal(c[TIMING_REPETITION].i, rep[i]);
    }
    results_release(&rs);
}

/* Item 7: the resolved config of a grid of 200,000 points in one pass. */
static void test_resolved_config_linear(void **state)
{
    struct config cfg = { 0 };
    struct dataset ds = { 0 };
    struct run_vectors vec = { .ds = &ds };
    struct build_point b = { 0 };
    struct grid g = { .builds = &b, .n_builds = 1 };
    long k = 10;
    double t0;
    char *text;
    size_t n = 200000;
    (void)state;
    cfg.k.v = &k;
    cfg.k.n = 1;
    ds.base.n = 1000000;
    ds.base.d = 16;
    b.factory = "IVF4096,Flat";
    b.nlist = 4096;
    b.N = 1000000;
    b.points = xcalloc(n, sizeof(*b.points));
    b.n_points = n;
    for (size_t i = 0; i < n; i++)
        b.points[i].nprobe = (long)i + 1;
    t0 = now_s();
    text = point_resolved_config(&cfg, &vec, &g);
    /* Linear: tens of milliseconds; quadratic it was minutes. */
    assert_true(now_s() - t0 < 2.0);
    assert_non_null(strstr(text, "{nprobe: 200000, k_factor: 0}]}"));
    assert_non_null(strstr(text, "[{nprobe: 1, k_factor: 0}, {nprobe: 2,"));
    free(text);
    free(b.points);
}

/* Item 9: an output folder that cannot be written fails before any work:
 * -o naming a regular file, and a read-only folder (as an unprivileged
 * user when the test runs as root, who may write anywhere). */
static void test_unwritable_output(void **state)
{
    char *text = xasprintf("name: ro\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                           "k: [1]\nindexes: [{factory: Flat}]\n"
                           "measure: {repeats: 1, warmup: 0, min_time: 0.001, "
                           "latency_queries: 5}\n",
                           tmp("base.fvecs"), tmp("queries.fvecs"));
    struct run_opts o = { .output_dir = tmp("a-file") };
    char *path = NULL, *err;
    pid_t pid;
    int status;
    (void)state;
    write_config(tmp("ro.yaml"), text);
    write_text_file(tmp("a-file"), "not a folder\n");
    capture_start();
    assert_int_equal(run_sweep(tmp("ro.yaml"), &o, &path), -1);
    err = strdup(capture_end());
    assert_has(err, "a-file");
    assert_has(err, "Not a directory");
    assert_int_equal(count_lines(err), 1);
    free(err);

    assert_int_equal(mkdir(tmp("read-only"), 0555), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(tmp("ro.err"), O_WRONLY | O_CREAT | O_TRUNC, 0666);
        struct run_opts c = { .output_dir = tmp("read-only") };
        if (fd < 0 || (geteuid() == 0 && (setgid(65534) || setuid(65534))))
            _exit(3);
        dup2(fd, 2);
        util_quiet = 0;   /* info lines would show work done before the error */
        _exit(run_sweep(tmp("ro.yaml"), &c, &path) == -1 ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    err = read_file(tmp("ro.err"), NULL);
    assert_non_null(err);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status))
        fail_msg("a run into a read-only folder did not fail at the start: %s", err);
    assert_has(err, "cannot write in the output folder '");
    assert_has(err, "Permission denied");
    /* before any work: no ground truth computed, no grid line */
    assert_null(strstr(err, "ground truth"));
    assert_null(strstr(err, "grid:"));
    free(err);
    free(text);
}

/* Item 10: nothing to measure is an error naming the config and why. */
static void test_nothing_to_measure(void **state)
{
    char *text = xasprintf("name: empty\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                           "k: [1]\nindexes:\n  - factory: \"IVF{nlist},Flat\"\n"
                           "    nlist: [8]\n    kmeans: [100000]\ncache_dir: %s\n",
                           tmp("base.fvecs"), tmp("queries.fvecs"), tmp("cache"));
    char *results = NULL, *err = NULL, *left;
    int n;
    (void)state;
    assert_int_equal(run_config("empty", text, NULL, 0, &results, &err), -1);
    assert_has(err, "nothing to measure in '");
    assert_has(err, "empty.yaml': every value was skipped");
    assert_has(err, "100000 centroids do not compress 1200 vectors");
    assert_null(results);
    left = find_file(tmp("out-empty"), "", &n);
    assert_null(left);
    free(err);
    free(text);
}

/* Item 11: the first Ctrl-C during a long build waits for it; the second
 * stops the run at once, saying where the points measured are. */
static void test_second_interrupt(void **state)
{
    char *text = xasprintf("name: long\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                           "k: [1]\nindexes:\n  - factory: Flat\n"
                           "  - factory: \"IVF{nlist},Flat\"\n    nlist: [8192]\n"
                           "cache_dir: %s\nmeasure: {repeats: 1, warmup: 0, min_time: 0.001, "
                           "latency_queries: 5, interleave_mb: 0}\n",
                           tmp("big.fvecs"), tmp("queries64.fvecs"), tmp("cache"));
    const char *argv[] = { FS_BINARY, "run", tmp("long.yaml"), "--no-plot", "-o",
                           tmp("out-long"), NULL };
    char *journal = NULL, *err;
    pid_t pid;
    int status = 0, done = 0, rows = 0;
    (void)state;
    assert_int_equal(write_random_fvecs(tmp("big.fvecs"), 100000, 64, 11), 0);
    assert_int_equal(write_random_fvecs(tmp("queries64.fvecs"), 20, 64, 12), 0);
    write_config(tmp("long.yaml"), text);
    pid = spawn_quiet(argv, tmp("long.err"));
    /* Flat's row in the journal: the IVF8192 build (tens of seconds) is next. */
    for (int i = 0; i < 120000 && !rows; i++) {
        usleep(500);
        if (!journal)
            journal = find_file(tmp("out-long"), ".journal", NULL);
        rows = journal ? journal_each(journal, 2, NULL, NULL) : 0;
    }
    assert_non_null(journal);
    usleep(300000);
    kill(pid, SIGINT);
    usleep(500000);
    assert_int_equal(waitpid(pid, &status, WNOHANG), 0);   /* the build goes on */
    kill(pid, SIGINT);
    for (int i = 0; i < 300 && !done; i++) {
        usleep(10000);
        done = waitpid(pid, &status, WNOHANG) == pid;
    }
    if (!done) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("a second Ctrl-C did not stop the run within 3 s");
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
    err = read_file(tmp("long.err"), NULL);
    assert_has(err, "stopping at the next safe point");
    assert_has(err, "interrupted again: stopping now");
    assert_has(err, "--resume");
    assert_int_equal(journal_each(journal, 2, NULL, NULL), 1);   /* Flat's row kept */
    free(err);
    free(journal);
    free(text);
}

/* Item 16: with -o DIR and no cache_dir in the config, the ground-truth
 * cache is DIR/cache, not ./results/cache. */
static void test_cache_follows_output(void **state)
{
    char *text = xasprintf("name: cache\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                           "k: [1]\nindexes: [{factory: Flat}]\n"
                           "measure: {repeats: 1, warmup: 0, min_time: 0.001, "
                           "latency_queries: 5}\n",
                           tmp("base.fvecs"), tmp("queries.fvecs"));
    char cwd[512], *results = NULL, *gt;
    struct stat st;
    (void)state;
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(mkdir(tmp("cwd"), 0755), 0);
    assert_int_equal(chdir(tmp("cwd")), 0);
    assert_int_equal(run_config("cache", text, NULL, 0, &results, NULL), 0);
    assert_int_equal(chdir(cwd), 0);
    gt = find_file(tmp("out-cache/cache"), ".bin", NULL);
    assert_non_null(gt);
    assert_int_not_equal(stat(tmp("cwd/results"), &st), 0);
    free(gt);
    free(results);
    results = NULL;
    /* a cache_dir the config gives stays where it says, even when it
     * names the default's place */
    char *set = xasprintf("cache_dir=%s", "results/cache");
    const char *sets[] = { set };
    assert_int_equal(chdir(tmp("cwd")), 0);
    assert_int_equal(run_config("cache", text, sets, 1, &results, NULL), 0);
    assert_int_equal(chdir(cwd), 0);
    gt = find_file(tmp("cwd/results/cache"), ".bin", NULL);
    assert_non_null(gt);
    free(gt);
    free(set);
    free(results);
    free(text);
}

/* A journal with no whole record (its run was killed between claiming the
 * name and writing the head) resumes as a fresh start on that name: empty,
 * and a head cut short. A whole head that fails its checksum stays an error. */
static void test_headless_journal(void **state)
{
    char *text = config_text("rh", tmp("base.fvecs"), "");
    const char *cut = "FSJ1\1\0\0\0\377\0\0\0\0\0\0\0";
    (void)state;
    write_config(tmp("rh.yaml"), text);
    for (int torn = 0; torn < 2; torn++) {
        char dir[64], *jp, *named, *results = NULL, *err = NULL;
        struct result_set rs;
        snprintf(dir, sizeof(dir), "out-headless%d", torn);
        assert_int_equal(make_dirs(tmp(dir)), 0);
        jp = xasprintf("%s/rh-20260101T000000Z.h5.journal", tmp(dir));
        write_bytes(jp, cut, torn ? 16 : 0);
        util_quiet = 0;
        /* named: a search of the folder passes over an empty journal */
        named = xasprintf("%s/rh-20260101T000000Z.h5", tmp(dir));
        if (resume(tmp("rh.yaml"), tmp(dir), torn ? NULL : named, 0, NULL, 0, &results, &err))
            fail_msg("%s", err);
        free(named);
        util_quiet = 1;
        assert_has(err, "stopped before it measured anything; starting it afresh");
        assert_int_equal(results_read(&rs, results), 0);
        assert_int_equal(rs.n_rows, 34);
        assert_null(results_attr(&rs, "resumed"));
        assert_int_equal(file_size(jp), -1);
        results_release(&rs);
        free(results);
        free(err);
        free(jp);
    }
    free(text);
}

/* -o "" is refused before the data is loaded, naming the option (5). */
static void test_empty_output_option(void **state)
{
    struct run_opts o = { .output_dir = "" };
    char *path = NULL, *err, *text = config_text("re", tmp("base.fvecs"), "");
    int rc;
    (void)state;
    write_config(tmp("re.yaml"), text);
    util_quiet = 0;
    capture_start();
    rc = run_sweep(tmp("re.yaml"), &o, &path);
    err = strdup(capture_end());
    util_quiet = 1;
    assert_int_equal(rc, -1);
    assert_null(path);
    assert_has(err, "option '-o' names no folder");
    assert_null(strstr(err, "dataset:"));       /* nothing loaded first */
    assert_int_equal(count_lines(err), 1);
    free(err);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_and_resume),
        cmocka_unit_test(test_interrupt_and_resume),
        cmocka_unit_test(test_torn_record),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_force_changed_grid),
        cmocka_unit_test(test_concurrent_runs),
        cmocka_unit_test(test_reorder),
        cmocka_unit_test(test_resolved_config_linear),
        cmocka_unit_test(test_unwritable_output),
        cmocka_unit_test(test_nothing_to_measure),
        cmocka_unit_test(test_second_interrupt),
        cmocka_unit_test(test_cache_follows_output),
        cmocka_unit_test(test_headless_journal),
        cmocka_unit_test(test_empty_output_option),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
