/*
 * test_faults_faiss.c - faiss failing under the harness, injected with the
 * linker's --wrap (tests/CMakeLists.txt links this program with
 * -Wl,--wrap=<symbol> for the faiss C API calls lib/backend.c makes). Each
 * __wrap_<symbol> below calls __real_<symbol>, faiss itself, unless the test
 * has armed a failure; then it returns FAISS_EXCEPT and
 * faiss_get_last_error gives the message the test chose.
 *
 * Checked: backend_create, build_index, backend_search, backend_knn_exact
 * and backend_write return -1 with one error line holding faiss's message
 * (its "Error in ... at file.cpp:line: " prefix removed); a sweep whose
 * IVF searches (or builds) fail still writes every row, "failed: search"
 * ("failed: build") for those, and returns 1.
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

#include <faiss/c_api/IndexIVF_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/error_c.h>
#include <faiss/c_api/index_factory_c.h>
#include <faiss/c_api/index_io_c.h>

#include "core/build.h"
#include "lib/backend.h"
#include "lib/rng.h"
#include "lib/util.h"
#include "out/results.h"
#include "run/run.h"
#include "testutil.h"

/* ---- the wrapped calls and what a test arms ---- */

enum call { FACTORY, TRAIN, ADD, SEARCH, WRITE, WRITE_FNAME, N_CALLS };

/* Per wrapped call: `calls` counts the calls since the test began or the
 * call was last armed (only those on an IVF index when ivf_only); the at-th
 * fails (1 = the next), and with then_all every one after it too; at = 0:
 * none fails. */
struct fault {
    int at, then_all, ivf_only;
    int calls, failed;
};

/* This program's whole fault state, reset before each test (reset()). */
static struct {
    struct fault f[N_CALLS];
    char msg[256];      /* what faiss_get_last_error says after an injected failure */
    int msg_null;       /* ... or NULL instead */
    int last_injected;  /* the last wrapped call failed by injection */
} faults;

static int reset(void **state)
{
    (void)state;
    memset(&faults, 0, sizeof(faults));
    return 0;
}

/* Arm call c to fail at its at-th call, with faiss's message in the form
 * faiss gives it: "Error in <function> at <file>.cpp:<line>: <what>". */
static void arm(enum call c, int at, int then_all, int ivf_only, const char *what)
{
    faults.f[c] = (struct fault){ .at = at, .then_all = then_all, .ivf_only = ivf_only };
    faults.msg_null = 0;
    snprintf(faults.msg, sizeof(faults.msg),
             "Error in virtual void faiss::Index::call() at /build/faiss/faiss/Index.cpp:42: %s",
             what);
}

/* Should this call of c fail? index: the index it is made on (NULL if none). */
static int inject(enum call c, const FaissIndex *index)
{
    struct fault *f = &faults.f[c];
    int fail;
    if (f->ivf_only && (!index || !faiss_IndexIVF_cast((FaissIndex *)index))) {
        faults.last_injected = 0;
        return 0;
    }
    f->calls++;
    fail = f->at && (f->calls == f->at || (f->then_all && f->calls > f->at));
    f->failed += fail;
    faults.last_injected = fail;
    return fail;
}

__typeof__(faiss_index_factory) __real_faiss_index_factory, __wrap_faiss_index_factory;
__typeof__(faiss_Index_train) __real_faiss_Index_train, __wrap_faiss_Index_train;
__typeof__(faiss_Index_add) __real_faiss_Index_add, __wrap_faiss_Index_add;
__typeof__(faiss_Index_search) __real_faiss_Index_search, __wrap_faiss_Index_search;
__typeof__(faiss_write_index) __real_faiss_write_index, __wrap_faiss_write_index;
__typeof__(faiss_write_index_fname) __real_faiss_write_index_fname, __wrap_faiss_write_index_fname;
const char *__real_faiss_get_last_error(void);
const char *__wrap_faiss_get_last_error(void);

int __wrap_faiss_index_factory(FaissIndex **p_index, int d, const char *description,
                               FaissMetricType metric)
{
    if (inject(FACTORY, NULL))
        return FAISS_EXCEPT;
    return __real_faiss_index_factory(p_index, d, description, metric);
}

int __wrap_faiss_Index_train(FaissIndex *index, idx_t n, const float *x)
{
    if (inject(TRAIN, index))
        return FAISS_EXCEPT;
    return __real_faiss_Index_train(index, n, x);
}

int __wrap_faiss_Index_add(FaissIndex *index, idx_t n, const float *x)
{
    if (inject(ADD, index))
        return FAISS_EXCEPT;
    return __real_faiss_Index_add(index, n, x);
}

int __wrap_faiss_Index_search(const FaissIndex *index, idx_t n, const float *x, idx_t k,
                              float *distances, idx_t *labels)
{
    if (inject(SEARCH, index))
        return FAISS_EXCEPT;
    return __real_faiss_Index_search(index, n, x, k, distances, labels);
}

int __wrap_faiss_write_index(const FaissIndex *idx, FILE *f)
{
    if (inject(WRITE, idx))
        return FAISS_EXCEPT;
    return __real_faiss_write_index(idx, f);
}

int __wrap_faiss_write_index_fname(const FaissIndex *idx, const char *fname)
{
    if (inject(WRITE_FNAME, idx))
        return FAISS_EXCEPT;
    return __real_faiss_write_index_fname(idx, fname);
}

const char *__wrap_faiss_get_last_error(void)
{
    if (faults.last_injected)
        return faults.msg_null ? NULL : faults.msg;
    return __real_faiss_get_last_error();
}

/* ---- fixtures ---- */

enum { NB = 400, D = 8, NQ = 20, K = 5 };
static float xb[NB * D], xq[NQ * D];

static int setup(void **state)
{
    uint64_t s = 11;
    for (size_t i = 0; i < NB * D; i++)
        xb[i] = (float)(rng_next(&s) >> 40) / (float)(1 << 24);
    for (size_t i = 0; i < NQ * D; i++)
        xq[i] = (float)(rng_next(&s) >> 40) / (float)(1 << 24);
    util_quiet = 1;
    if (tmpdir_setup(state))
        return -1;
    /* the sweep's data: 2,000 x 16 base, 50 queries */
    return write_random_fvecs(tmp("base.fvecs"), 2000, 16, 1) || write_random_fvecs(tmp("queries.fvecs"), 50, 16, 2);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- the backend and the build ---- */

static void test_unarmed_calls_reach_faiss(void **state)
{
    struct fs_index *idx = NULL;
    struct build_stats bs;
    float Dd[NQ * K];
    int64_t I[NQ * K];
    (void)state;
    assert_int_equal(build_index(&idx, "IVF4,Flat", BACKEND_L2, xb, NB, 0, D, 100, NULL, &bs), 0);
    assert_int_equal(faults.f[FACTORY].calls, 1);
    assert_int_equal(faults.f[TRAIN].calls, 1);
    assert_int_equal(faults.f[ADD].calls, 4);
    assert_int_equal(faults.f[WRITE].calls, 1);
    assert_true(bs.index_bytes > NB * D * 4);
    assert_int_equal(backend_set_param(idx, "nprobe", 4), 0);
    assert_int_equal(backend_search(idx, NQ, xq, K, Dd, I), 0);
    assert_int_equal(faults.f[SEARCH].calls, 1);
    for (size_t i = 0; i < NQ * K; i++)
        assert_true(I[i] >= 0 && I[i] < NB);
    backend_free(idx);
}

static void test_create_fails(void **state)
{
    struct fs_index *idx = (struct fs_index *)&idx, *built = NULL;
    struct build_stats bs;
    char why[256] = "";
    (void)state;
    arm(FACTORY, 1, 1, 0, "injected factory failure");
    /* backend_create prints nothing: its caller names the config entry */
    capture_start();
    int rc = backend_create(&idx, "IVF4,Flat", D, BACKEND_L2, why, sizeof(why));
    assert_string_equal(capture_end(), "");
    assert_int_equal(rc, -1);
    assert_null(idx);
    assert_string_equal(why, "injected factory failure");

    assert_fails(build_index(&built, "IVF4,Flat", BACKEND_L2, xb, NB, 0, D, 0, NULL, &bs),
                 "faiss-sweep: cannot create 'IVF4,Flat': injected factory failure", NULL);
    assert_null(built);
    assert_int_equal(faults.f[TRAIN].calls, 0);
}

static void test_train_fails(void **state)
{
    struct fs_index *idx = NULL;
    struct build_stats bs;
    (void)state;
    arm(TRAIN, 1, 0, 0, "injected train failure");
    assert_fails(build_index(&idx, "IVF4,Flat", BACKEND_L2, xb, NB, 0, D, 0, NULL, &bs),
                 "faiss-sweep: faiss: train: injected train failure", NULL);
    assert_null(idx);
    assert_int_equal(faults.f[ADD].calls, 0);
}

static void test_add_fails_midway(void **state)
{
    struct fs_index *idx = NULL;
    struct build_stats bs;
    (void)state;
    /* the third batch of 100 fails: one message, and no fourth batch */
    arm(ADD, 3, 1, 0, "injected add failure");
    assert_fails(build_index(&idx, "Flat", BACKEND_L2, xb, NB, 0, D, 100, NULL, &bs),
                 "faiss-sweep: faiss: add: injected add failure", NULL);
    assert_null(idx);
    assert_int_equal(faults.f[ADD].calls, 3);
    assert_int_equal(faults.f[WRITE].calls, 0);
}

static void test_serialize_fails(void **state)
{
    struct fs_index *idx = NULL;
    struct build_stats bs;
    (void)state;
    arm(WRITE, 1, 0, 0, "injected write failure");
    assert_fails(build_index(&idx, "Flat", BACKEND_L2, xb, NB, 0, D, 0, NULL, &bs),
                 "cannot serialize index 'Flat' to measure its size", NULL);
    assert_null(idx);
}

static void test_search_fails(void **state)
{
    struct fs_index *idx = NULL;
    struct build_stats bs;
    float Dd[NQ * K];
    int64_t I[NQ * K];
    (void)state;
    assert_int_equal(build_index(&idx, "Flat", BACKEND_L2, xb, NB, 0, D, 0, NULL, &bs), 0);
    arm(SEARCH, 1, 1, 0, "injected search failure");
    assert_fails(backend_search(idx, NQ, xq, K, Dd, I),
                 "faiss-sweep: faiss: search: injected search failure", NULL);
    /* a message without faiss's location prefix is kept whole */
    snprintf(faults.msg, sizeof(faults.msg), "bad things: k=%d", K);
    assert_fails(backend_search(idx, NQ, xq, K, Dd, I), "faiss: search: bad things: k=5", NULL);
    /* and no message at all still gives one line */
    faults.msg_null = 1;
    assert_fails(backend_search(idx, NQ, xq, K, Dd, I), "faiss: search: unknown error", NULL);
    backend_free(idx);
}

static void test_knn_exact_fails(void **state)
{
    float Dd[NQ * K];
    int64_t I[NQ * K];
    (void)state;
    arm(ADD, 1, 0, 0, "injected add failure");
    assert_fails(backend_knn_exact(NB, xb, NQ, xq, D, BACKEND_L2, K, Dd, I),
                 "faiss: flat add: injected add failure", NULL);
    arm(SEARCH, 1, 0, 0, "injected search failure");
    assert_fails(backend_knn_exact(NB, xb, NQ, xq, D, BACKEND_IP, K, Dd, I),
                 "faiss: flat search: injected search failure", NULL);
    /* disarmed again: the same call succeeds */
    assert_int_equal(backend_knn_exact(NB, xb, NQ, xq, D, BACKEND_L2, K, Dd, I), 0);
}

static void test_write_fails(void **state)
{
    struct fs_index *idx = NULL;
    struct build_stats bs;
    char want[512];
    (void)state;
    assert_int_equal(build_index(&idx, "Flat", BACKEND_L2, xb, NB, 0, D, 0, NULL, &bs), 0);
    arm(WRITE_FNAME, 1, 0, 0, "injected write failure");
    snprintf(want, sizeof(want), "cannot write index '%s': injected write failure",
             tmp("flat.index"));
    assert_fails(backend_write(idx, tmp("flat.index")), want, NULL);
    assert_false(exists(tmp("flat.index")));
    /* the next write goes through */
    assert_int_equal(backend_write(idx, tmp("flat.index")), 0);
    assert_true(exists(tmp("flat.index")));
    backend_free(idx);
}

/* ---- a whole sweep ---- */

/* Flat, then IVF8 at nprobe 1 and 8, on the generated data. */
static int sweep(const char *name, char **results_path, char **err)
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
        "    nprobe: [1, 8]\n"
        "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 5}\n"
        "checkpoint_s: -1\n"
        "cache_dir: %s\n",
        name, tmp("base.fvecs"), tmp("queries.fvecs"), tmp("cache"));
    int rc = run_config(name, cfg, NULL, 0, results_path, err);
    free(cfg);
    return rc;
}

static const struct result_row *row_of(const struct result_set *rs, const char *factory,
                                       long nprobe)
{
    for (size_t i = 0; i < rs->n_rows; i++)
        if (!strcmp(rs->rows[i].factory, factory) && rs->rows[i].nprobe == nprobe)
            return &rs->rows[i];
    fail_msg("no row for %s nprobe=%ld", factory, nprobe);
    return NULL;
}

/* How many times sub occurs in s. */
static int occurrences(const char *s, const char *sub)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, sub)); p += strlen(sub))
        n++;
    return n;
}

static void test_sweep_search_fails(void **state)
{
    char *path = NULL, *err = NULL;
    struct result_set rs;
    (void)state;
    /* every search on an IVF index fails; the ground truth and Flat's go through */
    arm(SEARCH, 1, 1, 1, "injected search failure");
    assert_int_equal(sweep("search", &path, &err), 1);
    assert_non_null(path);
    /* one line per failed point, each with faiss's message */
    assert_int_equal(occurrences(err, "faiss-sweep: faiss: search: injected search failure\n"), 2);
    assert_int_equal(faults.f[SEARCH].failed, 2);

    memset(&rs, 0, sizeof(rs));
    assert_int_equal(results_read(&rs, path), 0);
    assert_int_equal(rs.n_rows, 3);
    const struct result_row *flat = row_of(&rs, "Flat", 0);
    assert_string_equal(flat->status, "ok");
    assert_float_equal(flat->recall_at[1], 1.0, 1e-12);
    assert_string_equal(row_of(&rs, "IVF8,Flat", 1)->status, "failed: search");
    assert_string_equal(row_of(&rs, "IVF8,Flat", 8)->status, "failed: search");
    results_release(&rs);
    free(path);
    free(err);
}

static void test_sweep_build_fails(void **state)
{
    char *path = NULL, *err = NULL;
    struct result_set rs;
    (void)state;
    arm(TRAIN, 1, 1, 1, "injected train failure");
    assert_int_equal(sweep("build", &path, &err), 1);
    assert_non_null(path);
    /* one build failed: one line, whatever the number of its points */
    assert_int_equal(occurrences(err, "faiss-sweep: faiss: train: injected train failure\n"), 1);
    memset(&rs, 0, sizeof(rs));
    assert_int_equal(results_read(&rs, path), 0);
    assert_int_equal(rs.n_rows, 3);
    assert_string_equal(row_of(&rs, "Flat", 0)->status, "ok");
    assert_string_equal(row_of(&rs, "IVF8,Flat", 1)->status, "failed: build");
    assert_string_equal(row_of(&rs, "IVF8,Flat", 8)->status, "failed: build");
    results_release(&rs);
    free(path);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_unarmed_calls_reach_faiss, reset),
        cmocka_unit_test_setup(test_create_fails, reset),
        cmocka_unit_test_setup(test_train_fails, reset),
        cmocka_unit_test_setup(test_add_fails_midway, reset),
        cmocka_unit_test_setup(test_serialize_fails, reset),
        cmocka_unit_test_setup(test_search_fails, reset),
        cmocka_unit_test_setup(test_knn_exact_fails, reset),
        cmocka_unit_test_setup(test_write_fails, reset),
        cmocka_unit_test_setup(test_sweep_search_fails, reset),
        cmocka_unit_test_setup(test_sweep_build_fails, reset),
    };
    return cmocka_run_group_tests_name("faults_faiss", tests, setup, tmpdir_teardown);
}
