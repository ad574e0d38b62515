/*
 * test_resume_visits.c - a run killed in the middle of a build's
 * interleaved rounds loses only the visit in progress (issue 13, Resume):
 *  - the visits (calibration, latency rounds, batch repetitions) recorded
 *    before a SIGKILL are the first samples of the resumed points' rows,
 *    to the bit, and only the missing ones are measured;
 *  - a resume under --force with other measure settings measures afresh;
 *  - the records round-trip, and records that do not fit the settings, or
 *    come out of order, are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/util.h"
#include "out/results.h"
#include "run/journal.h"
#include "run/run.h"
#include "run/visit.h"
#include "testutil.h"

static const long nprobes[] = { 1, 2, 4, 8 };
#define NPOINTS 4

static int setup(void **state)
{
    if (tmpdir_setup(state))
        return -1;
    util_quiet = 1;
    if (write_random_fvecs(tmp("base.fvecs"), 4000, 32, 21) ||
        write_random_fvecs(tmp("queries.fvecs"), 300, 32, 22))
        return -1;
    return 0;
}

/* One IVF build of four points, three repetitions of >= 40 ms and three
 * latency rounds each: its batch rounds last about half a second. */
static void write_config(const char *path, const char *name)
{
    char *text = xasprintf("name: %s\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                           "k: [1, 5]\nindexes:\n  - factory: \"IVF16,Flat\"\n"
                           "search: {nprobe: [1, 2, 4, 8]}\n"
                           "measure: {repeats: 3, warmup: 1, min_time: 0.04, "
                           "latency_queries: 20, latency_rounds: 3}\n"
                           "checkpoint_s: -1\ncache_dir: %s\n",
                           name, tmp("base.fvecs"), tmp("queries.fvecs"), tmp("cache"));
    assert_int_equal(write_string(path, text), 0);
    free(text);
}

/* The visits a journal holds, decoded. */
struct seen {
    size_t n;
    struct {
        size_t ordinal;
        enum visit_kind kind;
        int index;
        double value;   /* a repetition's seconds, a round's summed seconds */
    } v[256];
};

static void add_visit(void *ctx, const char *p, size_t n)
{
    struct seen *s = ctx;
    uint64_t ord;
    const double *x;
    size_t nx;
    struct journal_visit v;

    assert_true(n >= sizeof(ord));
    memcpy(&ord, p, sizeof(ord));
    v.ordinal = (size_t)ord;
    v.n = n - sizeof(ord);
    v.data = malloc(v.n);
    memcpy(v.data, p + sizeof(ord), v.n);
    if (s->n < sizeof(s->v) / sizeof(s->v[0])) {
        assert_int_equal(visit_read(&v, &s->v[s->n].kind, &s->v[s->n].index, &x, &nx), 0);
        s->v[s->n].ordinal = (size_t)ord;
        s->v[s->n].value = 0;
        /* summed as timing_rows sums a round: in order, in seconds */
        for (size_t i = 0; i < nx; i++)
            s->v[s->n].value += s->v[s->n].kind == VISIT_BATCH ? x[i] : x[i] * 1e-6;
        s->n++;
    }
    free(v.data);
}

static int batch_visits(const char *journal)
{
    struct seen s = { 0 };
    int n = 0;
    journal_each(journal, 4, add_visit, &s);
    for (size_t i = 0; i < s.n; i++)
        n += s.v[i].kind == VISIT_BATCH;
    return n;
}

/* Run cfg into outdir and SIGKILL it once its journal holds `batch` batch
 * repetitions and no row. Returns the journal's path (malloc'd). */
static char *killed_mid_build(const char *cfg, const char *outdir, int batch)
{
    const char *argv[] = { FS_BINARY, "run", cfg, "--no-plot", "-q", "-o", outdir, NULL };
    char *journal = NULL;
    int status, got = 0;
    pid_t pid = spawn_quiet(argv, NULL);

    for (int i = 0; i < 60000 && got < batch; i++) {
        usleep(200);
        if (!journal)
            journal = find_file(outdir, ".journal", NULL);
        got = journal ? batch_visits(journal) : 0;
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status));
    assert_non_null(journal);
    assert_true(batch_visits(journal) >= batch);
    assert_int_equal(journal_each(journal, 2, NULL, NULL), 0);
    return journal;
}

static int resume(const char *cfg, const char *outdir, int force, const char *set,
                  char **results, char **err)
{
    const char *sets[] = { set };
    struct run_opts o = { .output_dir = outdir, .resume = 1, .force = force,
                          .sets = set ? sets : NULL, .n_sets = set ? 1 : 0 };
    int rc;
    capture_start();
    rc = run_sweep(cfg, &o, results);
    *err = strdup(capture_end());
    return rc;
}

/* The /timings row of run row `row`, kind, repetition: its seconds. */
static double timing_of(const struct result_set *rs, size_t row, int kind, int rep)
{
    const struct result_table *t = results_table((struct result_set *)rs, RESULTS_TIMINGS);
    assert_non_null(t);
    for (size_t i = 0; i < t->n_rows; i++) {
        const union result_cell *c = &t->cells[i * t->n_cols];
        if ((size_t)c[TIMING_RUN_ROW].i == row && c[TIMING_KIND].i == kind &&
            c[TIMING_REPETITION].i == rep)
            return c[TIMING_SECONDS].f;
    }
    fail_msg("no /timings row for run row %zu kind %d repetition %d", row, kind, rep);
    return NAN;
}

static size_t row_of(const struct result_set *rs, size_t ordinal)
{
    for (size_t i = 0; i < rs->n_rows; i++)
        if (rs->rows[i].nprobe == nprobes[ordinal])
            return i;
    fail_msg("no row for point %zu", ordinal);
    return 0;
}

/* Killed in the batch rounds: every sample recorded before is in the
 * resumed rows as it was measured; the rest was measured after. */
static void test_kill_mid_build(void **state)
{
    char *journal, *results = NULL, *err = NULL, *copy = xstrdup(tmp("kept.journal"));
    struct seen s = { 0 };
    struct result_set rs;
    char *bytes;
    size_t n;
    int batch = 0, latency = 0;
    (void)state;

    write_config(tmp("mid.yaml"), "mid");
    journal = killed_mid_build(tmp("mid.yaml"), tmp("out-mid"), 5);
    bytes = read_file(journal, &n);
    write_bytes(copy, bytes, n);
    free(bytes);
    journal_each(copy, 4, add_visit, &s);

    util_quiet = 0;
    assert_int_equal(resume(tmp("mid.yaml"), tmp("out-mid"), 0, NULL, &results, &err), 0);
    util_quiet = 1;
    assert_has(err, "4 of them continued from the timing recorded");
    assert_int_equal(results_read(&rs, results), 0);
    assert_int_equal(rs.n_rows, NPOINTS);
    for (size_t i = 0; i < rs.n_rows; i++) {
        assert_string_equal(rs.rows[i].status, "ok");
        assert_int_equal(rs.rows[i].batch_reps, 3);
        assert_int_equal(rs.rows[i].lat_rounds, 3);
    }
    for (size_t i = 0; i < s.n; i++) {
        size_t row = row_of(&rs, s.v[i].ordinal);
        if (s.v[i].kind == VISIT_BATCH) {
            assert_true(timing_of(&rs, row, TIMING_BATCH, s.v[i].index) == s.v[i].value);
            batch++;
        } else {
            /* calibration carries round 0; a latency visit its own round */
            int round = s.v[i].kind == VISIT_CALIBRATED ? 0 : s.v[i].index;
            assert_true(timing_of(&rs, row, TIMING_SINGLE, round) == s.v[i].value);
            latency++;
        }
    }
    assert_true(batch >= 5);
    assert_true(latency >= NPOINTS * 3);
    assert_int_equal(results_attr(&rs, "resumed")->i, 1);
    results_release(&rs);
    free(results);
    free(err);
    free(journal);
    free(copy);
}

/* --force with other measure settings: the samples do not carry over. */
static void test_forced_other_settings(void **state)
{
    char *journal, *results = NULL, *err = NULL;
    struct result_set rs;
    (void)state;

    write_config(tmp("frc.yaml"), "frc");
    journal = killed_mid_build(tmp("frc.yaml"), tmp("out-frc"), 2);
    util_quiet = 0;
    assert_int_equal(resume(tmp("frc.yaml"), tmp("out-frc"), 1, "measure.repeats=2", &results,
                            &err), 0);
    util_quiet = 1;
    assert_has(err, "from this run's (--force)");
    assert_has(err, "0 of them continued");
    assert_int_equal(results_read(&rs, results), 0);
    assert_int_equal(rs.n_rows, NPOINTS);
    for (size_t i = 0; i < rs.n_rows; i++)
        assert_int_equal(rs.rows[i].batch_reps, 2);
    results_release(&rs);
    free(results);
    free(err);
    free(journal);
}

/* Visits written through a journal file and read back as replay keeps them. */
static void reread(const char *path, struct journal *j)
{
    memset(j, 0, sizeof(*j));
    j->fd = -1;
    j->cap_visits = 64;
    j->visits = xcalloc(j->cap_visits, sizeof(*j->visits));
    {
        FILE *f = fopen(path, "rb");
        char hdr[24];
        assert_non_null(f);
        while (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr)) {
            uint64_t len, ord;
            char *p;
            memcpy(&len, hdr + 8, 8);
            p = xmalloc((size_t)len);
            assert_int_equal(fread(p, 1, (size_t)len, f), (size_t)len);
            memcpy(&ord, p, 8);
            assert_true(j->n_visits < j->cap_visits);
            j->visits[j->n_visits].ordinal = (size_t)ord;
            j->visits[j->n_visits].n = (size_t)len - 8;
            j->visits[j->n_visits].data = xmalloc((size_t)len - 8);
            memcpy(j->visits[j->n_visits].data, p + 8, (size_t)len - 8);
            j->n_visits++;
            free(p);
        }
        fclose(f);
    }
}

static void test_round_trip_and_refusals(void **state)
{
    struct measure_spec ms = { .repeats = 3, .warmup = 1, .min_time = 0.01, .max_time = 10,
                               .latency_queries = 2, .latency_rounds = 3 };
    struct timing_state t = { .plan = { .calls = 7, .reps = 3, .rep_s = 0.02,
                                        .ndis_per_query = 12.5 },
                              .lat_n = 2, .lat_rounds = 3 };
    struct journal w = { .fd = -1 }, r;
    struct timing_state got;
    (void)state;

    t.rep_s = xcalloc(3, sizeof(double));
    t.lat_us = xcalloc(6, sizeof(double));
    assert_int_equal(journal_create(&w, tmp("unit.journal")), 0);
    t.lat_us[0] = 11, t.lat_us[1] = 12, t.n_rounds = 1;
    visit_calibrated(&w, 9, &t);
    t.lat_us[2] = 21, t.lat_us[3] = 22, t.n_rounds = 2;
    visit_latency(&w, 9, &t);
    t.rep_s[0] = 0.5, t.n_reps = 1;
    visit_batch(&w, 9, &t);
    visit_batch(&w, 4, &t);     /* another point's: a repetition before its calibration */
    journal_release(&w);

    reread(tmp("unit.journal"), &r);
    assert_int_equal(visit_restore(&r, 9, &ms, 2, &got), 1);
    assert_int_equal(got.plan.calls, 7);
    assert_int_equal(got.plan.reps, 3);
    assert_true(got.plan.ndis_per_query == 12.5);
    assert_int_equal(got.n_rounds, 2);
    assert_true(got.lat_us[0] == 11 && got.lat_us[3] == 22);
    assert_int_equal(got.n_reps, 1);
    assert_true(got.rep_s[0] == 0.5);
    timing_state_release(&got);
    assert_int_equal(visit_restore(&r, 5, &ms, 2, &got), 0);    /* nothing recorded */
    assert_int_equal(visit_restore(&r, 4, &ms, 2, &got), -1);   /* out of order */
    assert_null(got.rep_s);
    assert_int_equal(visit_restore(&r, 9, &ms, 3, &got), -1);   /* other latency_queries */
    ms.repeats = 2;
    assert_int_equal(visit_restore(&r, 9, &ms, 2, &got), -1);   /* fewer repeats now */
    ms.repeats = 3;
    ((char *)r.visits[0].data)[0] = 9;                          /* not a kind */
    assert_int_equal(visit_restore(&r, 9, &ms, 2, &got), -1);
    r.visits[1].n -= 8;                                         /* cut short */
    assert_int_equal(visit_restore(&r, 9, &ms, 2, &got), -1);
    journal_release(&r);
    timing_state_release(&t);
}

/* Two builds of two points each (IVF16 and IVF32), three repetitions:
 * grouped (the default, measure.interleave_mb), the first batch round
 * visits all four points, both builds', before any second repetition;
 * with interleave_mb 0, the first build's points repeat before the second
 * build's are visited at all (it is not even built yet). */
static void first_round(const char *name, const char *interleave, int batch, int *distinct,
                        int *repeat)
{
    char *cfg = xasprintf("%s/%s.yaml", tmp(""), name), *out = xasprintf("%s/out-%s", tmp(""), name);
    char *text = xasprintf("name: %s\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                           "k: [1]\nindexes:\n  - factory: \"IVF{nlist},Flat\"\n"
                           "    nlist: [16, 32]\nsearch: {nprobe: [1, 2]}\n"
                           "measure: {repeats: 3, warmup: 1, min_time: 0.04, "
                           "latency_queries: 0, interleave_mb: %s}\n"
                           "checkpoint_s: -1\ncache_dir: %s\n",
                           name, tmp("base.fvecs"), tmp("queries.fvecs"), interleave, tmp("cache"));
    struct seen s = { 0 };
    char *journal;
    int seen[8] = { 0 };

    assert_int_equal(write_string(cfg, text), 0);
    journal = killed_mid_build(cfg, out, batch);
    journal_each(journal, 4, add_visit, &s);
    *distinct = *repeat = 0;
    for (size_t i = 0; i < s.n && !*repeat; i++) {
        if (s.v[i].kind != VISIT_BATCH)
            continue;
        assert_true(s.v[i].ordinal < 8);
        if (seen[s.v[i].ordinal]++)
            *repeat = 1;
        else
            (*distinct)++;
    }
    free(journal);
    free(text);
    free(out);
    free(cfg);
}

static void test_group_interleaves(void **state)
{
    int distinct, repeat;
    (void)state;
    /* Killed before any row: grouped, the last round starts at visit 9;
     * apart, the first build's at visit 5. */
    first_round("grouped", "4096", 5, &distinct, &repeat);
    assert_int_equal(distinct, 4);       /* both builds' points in round 1 */
    first_round("apart", "0", 3, &distinct, &repeat);
    assert_int_equal(distinct, 2);       /* the first build's, then its round 2 */
    assert_true(repeat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill_mid_build),
        cmocka_unit_test(test_group_interleaves),
        cmocka_unit_test(test_forced_other_settings),
        cmocka_unit_test(test_round_trip_and_refusals),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
