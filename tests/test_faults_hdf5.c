/*
 * test_faults_hdf5.c - HDF5 failing while the results are written,
 * injected with the linker's --wrap (tests/CMakeLists.txt links this
 * program with -Wl,--wrap=<symbol> for the HDF5 write calls of
 * out/results.c). Each __wrap_<symbol> calls __real_<symbol>, HDF5 itself,
 * unless the test has armed a failure.
 *
 * Checked: results_write returns -1 with one error line naming the file and
 * leaves neither the file nor "<path>.partial" (and an older file at the
 * path stays as it was); a sweep whose results write fails returns -1 with
 * no file; a checkpoint that cannot be written is a warning, not the end of
 * the run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/util.h"
#include "out/results.h"
#include "run/run.h"
#include "testutil.h"

/* ---- the wrapped calls and what a test arms ---- */

enum call { FCREATE, FCLOSE, DCREATE, DWRITE, ACREATE, N_CALLS };

/* Per wrapped call: `calls` counts the calls since the test began or the
 * call was last armed (only those whose file, dataset or attribute name
 * holds name_has, when set); the at-th fails (1 = the next), with then_all
 * every later one too; at = 0: none fails. A failing call sets errno to err. */
struct fault {
    int at, then_all;
    const char *name_has;
    int err;
    int calls, failed;
};

/* This program's whole fault state, reset before each test (reset()). */
static struct fault faults[N_CALLS];

static int reset(void **state)
{
    (void)state;
    memset(faults, 0, sizeof(faults));
    return 0;
}

static void arm(enum call c, int at, int then_all, const char *name_has)
{
    faults[c] = (struct fault){ .at = at, .then_all = then_all, .name_has = name_has };
}

static int inject(enum call c, const char *name)
{
    struct fault *f = &faults[c];
    int fail;
    if (f->name_has && (!name || !strstr(name, f->name_has)))
        return 0;
    f->calls++;
    fail = f->at && (f->calls == f->at || (f->then_all && f->calls > f->at));
    f->failed += fail;
    if (fail)
        errno = f->err;
    return fail;
}

__typeof__(H5Fcreate) __real_H5Fcreate, __wrap_H5Fcreate;
__typeof__(H5Fclose) __real_H5Fclose, __wrap_H5Fclose;
__typeof__(H5Dcreate2) __real_H5Dcreate2, __wrap_H5Dcreate2;
__typeof__(H5Dwrite) __real_H5Dwrite, __wrap_H5Dwrite;
__typeof__(H5Acreate2) __real_H5Acreate2, __wrap_H5Acreate2;

hid_t __wrap_H5Fcreate(const char *filename, unsigned flags, hid_t fcpl_id, hid_t fapl_id)
{
    if (inject(FCREATE, filename))
        return -1;
    return __real_H5Fcreate(filename, flags, fcpl_id, fapl_id);
}

/* A close that fails still closes (as when the final flush fails): the
 * test must not leave an open file behind. */
herr_t __wrap_H5Fclose(hid_t file_id)
{
    herr_t rc = __real_H5Fclose(file_id);
    return inject(FCLOSE, NULL) ? -1 : rc;
}

hid_t __wrap_H5Dcreate2(hid_t loc_id, const char *name, hid_t type_id, hid_t space_id,
                        hid_t lcpl_id, hid_t dcpl_id, hid_t dapl_id)
{
    if (inject(DCREATE, name))
        return -1;
    return __real_H5Dcreate2(loc_id, name, type_id, space_id, lcpl_id, dcpl_id, dapl_id);
}

herr_t __wrap_H5Dwrite(hid_t dset_id, hid_t mem_type_id, hid_t mem_space_id,
                       hid_t file_space_id, hid_t plist_id, const void *buf)
{
    if (inject(DWRITE, NULL))
        return -1;
    return __real_H5Dwrite(dset_id, mem_type_id, mem_space_id, file_space_id, plist_id, buf);
}

hid_t __wrap_H5Acreate2(hid_t loc_id, const char *attr_name, hid_t type_id, hid_t space_id,
                        hid_t acpl_id, hid_t aapl_id)
{
    if (inject(ACREATE, attr_name))
        return -1;
    return __real_H5Acreate2(loc_id, attr_name, type_id, space_id, acpl_id, aapl_id);
}

/* ---- fixtures ---- */

static int setup(void **state)
{
    util_quiet = 1;
    if (tmpdir_setup(state))
        return -1;
    return write_random_fvecs(tmp("base.fvecs"), 2000, 16, 1) || write_random_fvecs(tmp("queries.fvecs"), 50, 16, 2);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Two rows at k = 1, 10, and one attribute of each type. */
static void make_set(struct result_set *rs, const char *name)
{
    struct result_row row;
    memset(rs, 0, sizeof(*rs));
    rs->ks[0] = 1;
    rs->ks[1] = 10;
    rs->n_ks = 2;
    for (int i = 0; i < 2; i++) {
        memset(&row, 0, sizeof(row));
        snprintf(row.family, sizeof(row.family), "%s", name);
        snprintf(row.factory, sizeof(row.factory), "IVF%d,Flat", 8 << i);
        strcpy(row.metric, "l2");
        row.N = 2000;
        row.nlist = 8 << i;
        row.nprobe = 1;
        row.recall_at[0] = row.recall_at[1] = 0.5 + 0.25 * i;
        strcpy(row.status, "ok");
        results_add_row(rs, &row);
    }
    results_attr_str(rs, "name", name);
    results_attr_int(rs, "nq", 50);
    results_attr_float(rs, "wall_s", 1.5);
}

/* results_write fails with one line holding want (and want2), leaving
 * neither path nor path.partial. */
static void write_fails(const struct result_set *rs, const char *path, const char *want,
                        const char *want2)
{
    char *partial = xasprintf("%s.partial", path);
    assert_fails(results_write(rs, path), want, want2);
    assert_false(exists(path));
    assert_false(exists(partial));
    free(partial);
}

/* ---- results_write ---- */

static void test_create_fails(void **state)
{
    struct result_set rs;
    char want[512];
    (void)state;
    make_set(&rs, "create");
    arm(FCREATE, 1, 0, NULL);
    snprintf(want, sizeof(want), "cannot create '%s.partial': hdf5 error", tmp("create.h5"));
    write_fails(&rs, tmp("create.h5"), want, NULL);
    /* with errno set, the system's reason */
    faults[FCREATE] = (struct fault){ .at = 1, .err = EACCES };
    snprintf(want, sizeof(want), "cannot create '%s.partial': %s", tmp("create.h5"),
             strerror(EACCES));
    write_fails(&rs, tmp("create.h5"), want, NULL);
    /* unarmed, it is written */
    assert_int_equal(results_write(&rs, tmp("create.h5")), 0);
    assert_true(exists(tmp("create.h5")));
    results_release(&rs);
}

static void test_dataset_create_fails(void **state)
{
    struct result_set rs;
    char want[512];
    (void)state;
    make_set(&rs, "dcreate");
    snprintf(want, sizeof(want), "cannot write '%s.partial': hdf5 error writing rows",
             tmp("dcreate.h5"));
    arm(DCREATE, 1, 0, "runs");
    write_fails(&rs, tmp("dcreate.h5"), want, NULL);
    /* a side table (a measure's, such as RVC's /blend) failing */
    static const struct col_def side[] = { { "run_row", COL_I64, ROLE_SETTING, "", "" } };
    assert_non_null(results_table_add(&rs, "blend", side, 1));
    arm(DCREATE, 1, 0, "blend");
    write_fails(&rs, tmp("dcreate.h5"), want, NULL);
    results_release(&rs);
}

static void test_dataset_write_fails(void **state)
{
    struct result_set rs;
    char want[512];
    (void)state;
    make_set(&rs, "dwrite");
    snprintf(want, sizeof(want), "cannot write '%s.partial': hdf5 error writing rows",
             tmp("dwrite.h5"));
    arm(DWRITE, 1, 0, NULL);
    write_fails(&rs, tmp("dwrite.h5"), want, NULL);
    results_release(&rs);
}

static void test_attribute_fails(void **state)
{
    struct result_set rs;
    char want[512];
    (void)state;
    make_set(&rs, "attr");
    snprintf(want, sizeof(want), "cannot write '%s.partial': hdf5 error writing", tmp("attr.h5"));
    arm(ACREATE, 1, 0, "wall_s");
    write_fails(&rs, tmp("attr.h5"), want, NULL);
    assert_int_equal(faults[ACREATE].failed, 1);
    /* a set without rows fails on its attributes, and says so */
    results_release(&rs);
    memset(&rs, 0, sizeof(rs));
    rs.ks[0] = 1;
    rs.n_ks = 1;
    arm(ACREATE, 1, 0, "schema_version");
    write_fails(&rs, tmp("attr.h5"), want, "attributes");
    results_release(&rs);
}

static void test_close_fails(void **state)
{
    struct result_set rs;
    char want[512];
    (void)state;
    make_set(&rs, "close");
    snprintf(want, sizeof(want), "cannot write '%s.partial': hdf5 error on close", tmp("close.h5"));
    arm(FCLOSE, 1, 0, NULL);
    write_fails(&rs, tmp("close.h5"), want, NULL);
    results_release(&rs);
}

static void test_rename_fails(void **state)
{
    struct result_set rs;
    char want[512];
    (void)state;
    make_set(&rs, "rename");
    /* a non-empty folder where the file should go */
    assert_int_equal(make_dirs(tmp("taken.h5")), 0);
    assert_int_equal(write_string(tmp("taken.h5/keep"), "x\n"), 0);
    snprintf(want, sizeof(want), "cannot rename '%s.partial' to '%s': ", tmp("taken.h5"),
             tmp("taken.h5"));
    assert_fails(results_write(&rs, tmp("taken.h5")), want, NULL);
    assert_false(exists(tmp("taken.h5.partial")));
    assert_true(exists(tmp("taken.h5/keep")));
    results_release(&rs);
}

/* A failed rewrite leaves the earlier file whole. */
static void test_failed_rewrite_keeps_old_file(void **state)
{
    struct result_set rs, back;
    (void)state;
    make_set(&rs, "old");
    assert_int_equal(results_write(&rs, tmp("keep.h5")), 0);
    results_release(&rs);
    make_set(&rs, "new");
    arm(DWRITE, 1, 0, NULL);
    assert_fails(results_write(&rs, tmp("keep.h5")), "hdf5 error writing rows", NULL);
    assert_false(exists(tmp("keep.h5.partial")));
    memset(&back, 0, sizeof(back));
    assert_int_equal(results_read(&back, tmp("keep.h5")), 0);
    assert_int_equal(back.n_rows, 2);
    assert_string_equal(back.rows[0].family, "old");
    assert_string_equal(results_attr(&back, "name")->s, "old");
    results_release(&back);
    results_release(&rs);
}

/* ---- a whole sweep ---- */

/* Flat and IVF8 (two builds) on the generated data, into tmpdir/out-<name>. */
static int sweep(const char *name, int checkpoint_s, char **results_path, char **err)
{
    char *cfg = xasprintf(
        "name: %s\n"
        "dataset: {format: fvecs, base: %s, queries: %s}\n"
        "k: [1, 10]\n"
        "metrics: [l2]\n"
        "indexes:\n"
        "  - factory: Flat\n"
        "  - factory: \"IVF{nlist},Flat\"\n"
        "    nlist: [8]\n"
        "    nprobe: [8]\n"
        "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 5,\n"
        "  interleave_mb: 0}\n"
        "checkpoint_s: %d\n"
        "cache_dir: %s\n",
        name, tmp("base.fvecs"), tmp("queries.fvecs"), checkpoint_s, tmp("cache"));
    int rc = run_config(name, cfg, NULL, 0, results_path, err);
    free(cfg);
    return rc;
}

/* Entries of a folder (. and .. aside), and how many of them end in
 * suffix. */
static int entries_with(const char *dir, const char *suffix, int *n_suffix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    *n_suffix = 0;
    while ((e = readdir(d))) {
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
        *n_suffix += has_suffix(e->d_name, suffix);
    }
    closedir(d);
    return n;
}

static void test_sweep_results_write_fails(void **state)
{
    char *path = NULL, *err = NULL;
    (void)state;
    arm(DWRITE, 1, 1, NULL);
    assert_int_equal(sweep("nowrite", -1, &path, &err), -1);
    assert_null(path);
    /* one line, naming the file */
    assert_int_equal(count_lines(err), 1);
    assert_has(err, "faiss-sweep: cannot write '");
    assert_has(err, tmp("out-nowrite/nowrite-"));
    assert_has(err, ".h5.partial': hdf5 error writing rows");
    /* neither results, nor .partial, nor a checkpoint: only the
     * .h5.journal, kept for --resume */
    int n_journal;
    assert_int_equal(entries_with(tmp("out-nowrite"), ".h5.journal", &n_journal), 1);
    assert_int_equal(n_journal, 1);
    free(err);
}

static void test_sweep_checkpoint_fails(void **state)
{
    char *path = NULL, *err = NULL;
    struct result_set rs;
    (void)state;
    /* checkpoints (after every build but the last) cannot be created */
    arm(FCREATE, 1, 1, ".checkpoint");
    assert_int_equal(sweep("nocheckpoint", 0, &path, &err), 0);
    assert_non_null(path);
    assert_int_equal(faults[FCREATE].failed, 1);
    assert_has(err, "faiss-sweep: warning: checkpoint not written; the run goes on");
    memset(&rs, 0, sizeof(rs));
    assert_int_equal(results_read(&rs, path), 0);
    assert_int_equal(rs.n_rows, 2);
    for (size_t i = 0; i < rs.n_rows; i++)
        assert_string_equal(rs.rows[i].status, "ok");
    results_release(&rs);
    /* the results file alone */
    int n_h5;
    assert_int_equal(entries_with(tmp("out-nocheckpoint"), ".h5", &n_h5), 1);
    assert_int_equal(n_h5, 1);
    free(path);
    free(err);
}

/* A full disk (issue 13, item 6): writes past RLIMIT_FSIZE fail with
 * EFBIG (SIGXFSZ ignored), as on a full tmpfs. results_write must fail
 * with one error line naming the file and leave nothing; and the process
 * must then exit normally: HDF5's clean-up at exit used to crash (SIGSEGV,
 * exit 139) on the file whose close had failed. Run in a child, which
 * exits with exit(), so that the clean-up runs. */
static void test_full_disk(void **state)
{
    char *path = xstrdup(tmp("full.h5")), *partial = xasprintf("%s.partial", path);
    int status;
    pid_t pid;
    (void)state;
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit lim = { 8192, 8192 };
        struct result_set rs;
        char *big = xmalloc(65536);
        memset(big, 'x', 65535);
        big[65535] = '\0';
        make_set(&rs, "full");
        results_attr_str(&rs, "config_text", big);      /* far more than 8 KiB */
        signal(SIGXFSZ, SIG_IGN);
        if (setrlimit(RLIMIT_FSIZE, &lim) < 0)
            _exit(3);
        capture_start();
        int rc = results_write(&rs, path);
        const char *msg = capture_end();
        int ok = rc == -1 && strstr(msg, "cannot write '") && strstr(msg, partial) &&
                 strstr(msg, strerror(EFBIG)) && count_lines(msg) == 1;
        if (!ok)
            fprintf(stderr, "results_write gave %d: %s", rc, msg);
        results_release(&rs);
        free(big);
        exit(ok ? 1 : 2);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    assert_false(exists(path));
    assert_false(exists(partial));
    free(partial);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_create_fails, reset),
        cmocka_unit_test_setup(test_dataset_create_fails, reset),
        cmocka_unit_test_setup(test_dataset_write_fails, reset),
        cmocka_unit_test_setup(test_attribute_fails, reset),
        cmocka_unit_test_setup(test_close_fails, reset),
        cmocka_unit_test_setup(test_full_disk, reset),
        cmocka_unit_test_setup(test_rename_fails, reset),
        cmocka_unit_test_setup(test_failed_rewrite_keeps_old_file, reset),
        cmocka_unit_test_setup(test_sweep_results_write_fails, reset),
        cmocka_unit_test_setup(test_sweep_checkpoint_fails, reset),
    };
    return cmocka_run_group_tests_name("faults_hdf5", tests, setup, tmpdir_teardown);
}
