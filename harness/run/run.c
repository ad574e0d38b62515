/*
 * run.c - one sweep, end to end: load the config and the data set, expand
 * the grid, get the ground truths, then for each distinct build (factory,
 * nlist, metric, N, preprocessing) prepare, train and fill it once and run
 * every search point on it (point.c: one row each); write the results,
 * print the summary, draw the plots.
 */
#include "run/run.h"
#include "core/build.h"
#include "core/config.h"
#include "core/grid.h"
#include "core/groundtruth.h"
#include "core/quantizers.h"
#include "io/dataset.h"
#include "lib/backend.h"
#include "lib/rng.h"
#include "lib/util.h"
#include "lib/version.h"
#include "out/cost.h"
#include "out/plot.h"
#include "out/results.h"
#include "out/summary.h"
#include "run/checkpoint.h"
#include "run/measures.h"
#include "run/point.h"
#include "run/prepare.h"
#include "run/provenance.h"
#include "run/resume.h"
#include "run/shared.h"
#include "run/plan.h"
#include "run/task.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Ctrl-C ends the sweep at the next round of the group being timed (whose
 * points then get no rows); what was measured before is written, marked
 * interrupted, rather than lost, and the journal stays for --resume. A
 * second Ctrl-C ends the process at once: every point measured is already
 * in the journal. The handler's state is process-wide because a signal
 * handler's must be: the flag, and the two messages it prints (set by
 * sweep() before the handler is installed, cleared after). */
static volatile sig_atomic_t interrupted;
static const char *interrupt_msg[2];
static size_t interrupt_len[2];

/* Seed of the timed queries' subset: the same rows on every machine. */
#define RUN_TIMING_SEED UINT64_C(0x71ed0e5)

static void on_interrupt(int sig)
{
    int again = interrupted != 0;
    ssize_t w = interrupt_msg[again] ? write(STDERR_FILENO, interrupt_msg[again],
                                             interrupt_len[again]) : 0;
    (void)sig;
    (void)w;
    if (again)
        _exit(130);
    interrupted = 1;
}

struct run {
    struct config cfg;
    struct dataset ds;
    struct grid grid;
    struct run_vectors vec;
    size_t *sizes, n_sizes;               /* base rows per scale-ladder step */
    struct ground_truth (*gt)[3];         /* [size][enum metric], when used */
    struct run_measures ms;               /* the per-point measures the config turns on */
    int cell0[RUN_MAX_MEASURES];          /* where each measure's columns start in the cells */
    size_t kdeep;                         /* max(kmax, measures' depth): ground truth depth */
    struct result_set rs;
    struct point_env env;                 /* what every point shares (buffers owned here) */
    struct expand_cache xbase;
    struct quantizer_cache qc;            /* trained coarse centroids, for reuse by later builds */
    struct checkpoint cp;
    struct journal journal;               /* every point as it is made ("<results>.journal") */
    int resuming;                         /* --resume: the journal was opened, not claimed */
    unsigned char *done;                  /* resuming: grid points the journal holds */
    int forced;                           /* resuming although the run differs (--force) */
    size_t carried;                       /* resuming: rows replayed from the journal */
    struct backend_clock faiss;           /* seconds in faiss calls, registered while running */
    struct cost cost;                     /* where the wall time went */
    size_t *time_rows;                    /* the timed queries (env.time_rows) */
    double write_s;                       /* the final write of the results file */
    size_t n_failed;
    double t_start;
    struct machine_sample machine0;       /* the machine when the run began */
    int progress;                         /* draw the progress line */
    char unknown_skip[48];                /* "unknown to faiss X.Y": the skip reason of
                                             builds whose factory the faiss linked lacks */
    struct task_share task;               /* a task run: its builds (in NULL: all) */
};

/* The points this run measures: its task's, else the whole grid's. */
static size_t points_total(const struct run *r)
{
    return r->task.in ? r->task.points : r->grid.n_points;
}

/* Whether a build's points are all skipped as unknown to the faiss linked. */
static int unknown_to_faiss(const struct run *r, const struct build_point *b)
{
    return b->n_points && b->points[0].skip == r->unknown_skip;
}

/* Whether a build has no point to measure (train_rows < nlist, say). */
static int all_skipped(const struct build_point *b)
{
    for (size_t i = 0; i < b->n_points; i++)
        if (!b->points[i].skip)
            return 0;
    return 1;
}

/* The factories build for this d (run_preflight). */
static int preflight(struct run *r)
{
    return run_preflight(&r->grid, &r->cfg, r->ds.base.d, r->unknown_skip,
                         sizeof(r->unknown_skip));
}

static void ladder(struct run *r)
{
    r->n_sizes = run_ladder(&r->cfg, &r->ds, &r->sizes);
}

static size_t size_index(const struct run *r, size_t N)
{
    size_t z = 0;
    while (z + 1 < r->n_sizes && r->sizes[z] != N)
        z++;
    return z;
}

/* Exact neighbours for every (ladder size, metric) in use (run_ground_truths). */
static int ground_truths(struct run *r)
{
    struct gt_need n = { &r->cfg, &r->ds, &r->vec, r->sizes, r->n_sizes, r->kdeep,
                         r->env.kmax, NULL };
    unsigned char *use = NULL;
    int rc;

    r->gt = xcalloc(r->n_sizes, sizeof(*r->gt));
    if (r->task.in) {
        /* A task computes only the ground truths of its own builds. */
        n.use = use = xcalloc(r->n_sizes * 3, 1);
        for (size_t i = 0; i < r->grid.n_builds; i++)
            if (r->task.in[i])
                use[size_index(r, r->grid.builds[i].N) * 3 + r->grid.builds[i].metric] = 1;
    }
    rc = run_ground_truths(&n, r->gt);
    free(use);
    return rc;
}

/* "[done/total] what is running now  elapsed  eta" on one terminal line. */
static void progress(const struct run *r, const struct build_point *b, const char *what,
                     long nprobe, long k_factor)
{
    size_t done = r->rs.n_rows, now = done - r->carried;
    size_t total = points_total(r);
    double el = now_s() - r->t_start;
    /* The rate of this session's points: replayed ones took no time. */
    double eta = now ? el / (double)now * (double)(total - done) : 0;
    if (!r->progress)
        return;
    fprintf(stderr, "\r\033[K[%zu/%zu] %s %s %s", done, total, what, b->factory,
            metric_name(b->metric));
    if (nprobe >= 0)
        fprintf(stderr, " nprobe=%ld k_factor=%ld", nprobe, k_factor);
    fprintf(stderr, "  elapsed %.0fs", el);
    if (now)
        fprintf(stderr, "  eta %.0fs", eta);
    if (done == total)
        fputc('\n', stderr);
}

/* The progress line while a build's points are measured. */
static void point_progress(void *ctx, const struct build_point *b, const struct search_point *p,
                           const char *what)
{
    progress(ctx, b, what, p ? p->nprobe : -1, p ? p->k_factor : -1);
}

/* A built index waiting for its group's measurement (point_run_group). */
struct slot {
    const struct build_point *b;
    struct build_point left;    /* points_left's copy, when b is it */
    struct fs_index *idx;
    struct build_stats bs;
    struct prepared prep;
};

/* Prepare, train and fill one build into s, for its group to measure
 * (returns 1); a build that fails gives every point a "failed: build" row,
 * one the faiss linked does not know (preflight) a skipped row (returns 0). */
static int run_build(struct run *r, const struct build_point *b, struct slot *s)
{
    struct point_build pb = { .b = b, .prep = &s->prep };
    int built = 0;
    double t0 = now_s();

    s->b = b;
    s->idx = NULL;
    memset(&s->prep, 0, sizeof(s->prep));
    if (unknown_to_faiss(r, b) || all_skipped(b)) {
        /* Nothing to build (preflight, or nothing to measure): a skipped
         * row for each point. */
        for (size_t i = 0; i < b->n_points; i++)
            point_add_skip(&r->env, &pb, &b->points[i], b->points[i].skip);
        point_log_skips(b);
        return 0;
    }
    progress(r, b, "building", -1, -1);
    if (!prepare_build(&s->prep, &r->vec, b, r->cfg.dataset.seed, &r->xbase)) {
        size_t nb;
        const float *xb = prepared_base(&s->prep, &r->vec, b, &nb);
        r->cost.s[COST_PREPARE] += now_s() - t0;
        built = !build_index(&s->idx, b->factory, run_backend_metric(b->metric), xb, nb,
                             (size_t)b->train_rows, rv_base(&r->vec, b->metric)->d,
                             (size_t)b->add_batch, r->cfg.reuse_quantizers ? &r->qc : NULL,
                             &s->bs);
    }
    if (built) {
        r->cost.s[COST_TRAIN] += s->bs.train_s;
        r->cost.s[COST_ADD] += s->bs.add_s;
        r->cost.s[COST_SIZE] += s->bs.size_s;
        point_log_skips(b);
        return 1;
    }
    prepared_release(&s->prep);
    for (size_t i = 0; i < b->n_points; i++) {
        const struct search_point *p = &b->points[i];
        point_add_skip(&r->env, &pb, p, p->skip ? p->skip : NULL);
        r->n_failed += !p->skip;
    }
    return 0;
}

/* Bytes a slot holds: its index, and its preprocessed copy of the base. */
static double slot_bytes(const struct run *r, const struct slot *s)
{
    double n = s->bs.index_bytes > 0 ? (double)s->bs.index_bytes : 0;
    if (s->prep.base)
        n += (double)s->prep.n * (double)rv_base(&r->vec, s->b->metric)->d * sizeof(float);
    return n;
}

/* Measure a group of built slots together, then free them. */
static void run_group(struct run *r, struct slot *g, size_t n)
{
    struct point_build *pbs = xcalloc(n ? n : 1, sizeof(*pbs));
    struct fs_index **idx = xcalloc(n ? n : 1, sizeof(*idx));

    for (size_t j = 0; j < n; j++) {
        pbs[j] = (struct point_build){ .b = g[j].b, .prep = &g[j].prep, .bs = &g[j].bs,
                                       .gt = &r->gt[size_index(r, g[j].b->N)][g[j].b->metric] };
        idx[j] = g[j].idx;
    }
    if (n) {
        if (r->progress)
            fputs("\r\033[K", stderr);
        r->n_failed += point_run_group(&r->env, idx, pbs, n, &interrupted, point_progress, r);
        if (r->progress && r->rs.n_rows == points_total(r))
            fputs("\r\033[K", stderr);
    }
    for (size_t j = 0; j < n; j++) {
        backend_free(g[j].idx);
        prepared_release(&g[j].prep);
        free(g[j].left.points);
    }
    free(idx);
    free(pbs);
}

/* The build's points still to measure: b itself when none is done (or
 * not resuming), NULL when all are, else *left, a copy of b with only
 * those (its points array then the caller's to free). */
static const struct build_point *points_left(const struct run *r, const struct build_point *b,
                                             struct build_point *left)
{
    size_t n = 0;

    left->points = NULL;
    if (!r->done)
        return b;
    for (size_t i = 0; i < b->n_points; i++)
        n += !r->done[b->points[i].ordinal];
    if (n == b->n_points)
        return b;
    if (!n)
        return NULL;
    *left = *b;
    left->points = xmalloc(n * sizeof(*left->points));
    left->n_points = 0;
    for (size_t i = 0; i < b->n_points; i++)
        if (!r->done[b->points[i].ordinal])
            left->points[left->n_points++] = b->points[i];
    return left;
}

/* Claim outdir/<name>-<UTC time>[-<n>].h5 for this run, never an earlier
 * or a concurrent run's: its journal is created exclusively (O_EXCL), and
 * a name whose results file exists is passed over (checked again after
 * the claim: a run that finished renames its file into place before it
 * removes its journal). Creating the journal also proves the folder
 * writable before any work. Returns 0 with *path set, or -1 after an error. */
static int claim(struct run *r, const char *dir, const char *stamp, char **path)
{
    for (int i = 1;; i++) {
        char *p = i == 1 ? xasprintf("%s/%s-%s.h5", dir, r->cfg.name, stamp)
                         : xasprintf("%s/%s-%s-%d.h5", dir, r->cfg.name, stamp, i);
        char *jp = xasprintf("%s.journal", p);
        int taken = access(p, F_OK) == 0, rc = 0;
        if (!taken && (rc = journal_create(&r->journal, jp)) < 0 && errno == EEXIST)
            taken = 1;
        else if (!taken && !rc && access(p, F_OK) == 0) {
            journal_remove(&r->journal);
            journal_release(&r->journal);
            taken = 1;
        }
        if (!taken && rc < 0) {
            error_errno("cannot write in the output folder '%s' (creating '%s')", dir, jp);
            free(jp);
            free(p);
            return -1;
        }
        free(jp);
        if (!taken) {
            *path = p;
            return 0;
        }
        free(p);
    }
}

/* What the journal's head says of this run (release it after). */
static void run_head(const struct run *r, const char *started, struct journal_head *h)
{
    char hash[17], *sets = xstrdup("");

    snprintf(hash, sizeof(hash), "%016" PRIx64, r->ds.hash);
    for (size_t i = 0; i < r->cfg.n_sets; i++) {
        char *t = xasprintf("%s%s%s", sets, i ? "\n" : "", r->cfg.sets[i]);
        free(sets);
        sets = t;
    }
    h->config_path = xstrdup(r->cfg.path);
    h->config_text = xstrdup(r->cfg.text);
    h->config_sets = sets;
    h->dataset_hash = xstrdup(hash);
    h->harness_version = xstrdup(fs_version);
    h->git_commit = xstrdup(fs_git_commit);
    h->faiss_version = xstrdup(version_faiss());
    h->layout = r->rs.n_ks ? journal_layout(&r->rs) : xstrdup("");
    h->start_time = xstrdup(started);
}

/* --resume: open the run's journal (locked) and check that it is this
 * run before any work; its results path in *path. Returns 0 or -1. */
static int open_resume(struct run *r, const char *outdir, const struct run_opts *opts,
                       char **path)
{
    char *jp = resume_find(outdir, r->cfg.name, opts->resume_path);
    struct journal_head now = { 0 };
    int rc;

    if (!jp || (rc = journal_open(&r->journal, jp)) < 0) {
        free(jp);
        return -1;
    }
    *path = xasprintf("%.*s", (int)(strlen(jp) - strlen(".journal")), jp);
    if (rc == 1) {
        info("'%s' holds no record: its run stopped before it measured anything; starting "
             "it afresh", jp);
        free(jp);
        return 0;
    }
    r->resuming = 1;
    free(jp);
    run_head(r, r->journal.head.start_time, &now);
    free(now.layout);
    now.layout = xstrdup(r->journal.head.layout);  /* checked once the set is laid out */
    rc = resume_check(&r->journal.head, &now, r->journal.path, opts->force);
    journal_head_release(&now);
    r->forced = rc > 0;
    return rc < 0 ? -1 : 0;
}

/* A task run: its share of the builds, then its file claimed (or, with
 * --resume, its journal opened). Returns 0 with *path set, or -1. */
static int start_task(struct run *r, const char *outdir, const struct run_opts *opts,
                      char **path)
{
    struct run_opts o = *opts;
    char *tp;

    if (opts->resume_path)
        return error("unexpected operand '%s': a task resumes its own file", opts->resume_path);
    {
        struct plan_ctx c = { r->ds.base.d, r->ds.queries.n, r->ds.base.n, r->env.kmax,
                              r->kdeep, run_uses_metric(&r->cfg, METRIC_COSINE),
                              &r->cfg.measure, r->cfg.reuse_quantizers };
        task_share_select(&r->task, &r->grid, &c, r->cfg.measure.threads, opts->task_index,
                          opts->task_count, opts->run_id);
    }
    tp = xasprintf("%s/%s-%s.task-%ld-of-%ld.h5", outdir, r->cfg.name, opts->run_id,
                   opts->task_index, opts->task_count);
    o.resume_path = tp;
    if (make_dirs(outdir) || (opts->resume ? open_resume(r, outdir, &o, path)
                                           : task_claim(&r->journal, tp, opts->task_index,
                                                        opts->run_id))) {
        free(tp);
        return -1;
    }
    if (*path)
        free(tp);
    else
        *path = tp;
    return 0;
}

/* The journal once the result set is laid out: a new run writes its head;
 * a resumed one checks the layout, replays the rows measured before and
 * notes the resume. Returns 0 or -1. */
static int start_journal(struct run *r, const char *started)
{
    struct journal_head now = { 0 };
    struct resume_match m = { &r->cfg, &r->vec, &r->grid, NULL, 0 };
    long kept;
    int rc;

    r->env.journal = &r->journal;
    run_head(r, started, &now);
    rc = r->resuming ? resume_check_layout(&r->journal.head, now.layout, r->journal.path)
                     : journal_start(&r->journal, &now);
    journal_head_release(&now);
    if (rc || !r->resuming)
        return rc;
    r->done = m.done = xcalloc(r->grid.n_points ? r->grid.n_points : 1, 1);
    if ((kept = journal_replay(&r->journal, &r->rs, resume_accept, &m)) < 0)
        return -1;
    if (r->journal.dropped)
        warning("'%s': its last record was torn or damaged (%zu bytes, dropped): the point it "
                "held is measured again", r->journal.path, r->journal.dropped);
    if (m.n_dropped)
        warning("'%s': %zu rows are of no point of this grid, or repeat one: dropped",
                r->journal.path, m.n_dropped);
    /* Samples of another config, data or faiss do not continue a point. */
    if (r->forced)
        journal_visits_clear(&r->journal);
    r->carried = r->rs.n_rows;
    for (size_t i = 0; i < r->rs.n_rows; i++)
        r->n_failed += !strncmp(r->rs.rows[i].status, "failed", 6);
    info("resuming: %ld of %zu points measured before, %zu to go (%zu of them continued "
         "from the timing recorded)", kept, points_total(r), points_total(r) - (size_t)kept,
         journal_visited(&r->journal));
    {
        char when[32];
        time_t t = time(NULL);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
        resume_attrs(&r->rs, &r->journal, when, (size_t)kept);
        journal_resumed(&r->journal, when);
    }
    return 0;
}

static void release(struct run *r)
{
    config_release(&r->cfg);
    dataset_release(&r->ds);
    grid_release(&r->grid);
    run_vectors_release(&r->vec);
    for (size_t z = 0; r->gt && z < r->n_sizes; z++)
        for (int m = 0; m < 3; m++)
            ground_truth_release(&r->gt[z][m]);
    free(r->gt);
    free(r->sizes);
    free(r->env.D);
    free(r->env.I);
    free(r->env.D_k);
    free(r->env.I_k);
    free(r->time_rows);
    checkpoint_release(&r->cp);
    journal_release(&r->journal);
    free(r->done);
    task_share_release(&r->task);
    expand_cache_release(&r->xbase);
    quantizer_cache_release(&r->qc);
    results_release(&r->rs);
}

/* Config, data set, grid: everything that can fail before any work.
 * Returns 0 or -1 after an error. */
static int load(struct run *r, const char *config_path, const struct run_opts *opts)
{
    if (config_load_set(&r->cfg, config_path, opts->sets, opts->n_sets))
        return -1;
    /* One thread count for everything faiss does in this run: ground truth,
     * training and batch search alike (OMP_NUM_THREADS is respected). */
    r->env.batch_threads = r->cfg.measure.threads ? r->cfg.measure.threads : backend_threads();
    backend_set_threads(r->env.batch_threads);
    if (dataset_load(&r->ds, &r->cfg.dataset) ||
        grid_check_sizes(&r->cfg, r->ds.base.n, r->ds.base_path))
        return -1;
    r->env.kmax = (size_t)r->cfg.k.v[r->cfg.k.n - 1];
    run_measures_init(&r->ms, &r->cfg);
    r->kdeep = run_measures_depth(&r->ms, r->env.kmax);
    if (r->kdeep > r->ds.base.n)
        return error("k too large in '%s': %zu neighbours exceed the %zu base vectors",
                     r->cfg.path, r->kdeep, r->ds.base.n);
    info("dataset: N=%zu d=%zu queries=%zu (%s)", r->ds.base.n, r->ds.base.d,
         r->ds.queries.n, r->ds.base_path);
    /* ann-benchmarks files say which distance their neighbours are for. */
    if (r->ds.native_metric && !run_uses_metric(&r->cfg, (enum metric)metric_parse(r->ds.native_metric)))
        warning("distance '%s' of '%s' is metric %s, which this config does not sweep",
                r->ds.distance, r->ds.base_path, r->ds.native_metric);
    ladder(r);
    if (grid_expand(&r->grid, &r->cfg, r->sizes, r->n_sizes, r->ds.base.d) ||
        grid_check_measurable(&r->grid, &r->cfg) || preflight(r))
        return -1;
    return 0;
}

/* The result set with the measures' columns and side tables, and the
 * buffers every point shares; provenance is set once, so checkpoints and
 * the final file share it. Returns 0 or -1 after an error. */
static int setup_results(struct run *r, const char *started)
{
    size_t nq = r->ds.queries.n;

    results_init(&r->rs, r->cfg.k.v, r->cfg.k.n);
    if (!results_table_add(&r->rs, RESULTS_TIMINGS, results_timing_cols, TIMING_NCOLS))
        return -1;
    for (size_t i = 0; i < r->ms.n; i++) {
        const struct measure *m = r->ms.list[i];
        r->cell0[i] = results_add_columns(&r->rs, m->cols, m->n_cols);
        if (r->cell0[i] < 0 ||
            (m->table && !results_table_add(&r->rs, m->table, m->table_cols, m->n_table_cols)))
            return -1;
    }
    r->env.measures = r->ms.list;
    r->env.cell0 = r->cell0;
    r->env.n_measures = r->ms.n;
    r->env.cfg = &r->cfg;
    r->env.vec = &r->vec;
    r->env.rs = &r->rs;
    r->env.D = xmalloc(nq * r->env.kmax * sizeof(*r->env.D));
    r->env.I = xmalloc(nq * r->env.kmax * sizeof(*r->env.I));
    r->env.D_k = xmalloc(nq * r->kdeep * sizeof(*r->env.D_k));
    r->env.I_k = xmalloc(nq * r->kdeep * sizeof(*r->env.I_k));
    /* A fixed random subset: query sets are often in order (an RVC clip's
     * frames, a data set's classes), so the first rows would not do. */
    r->env.n_time = r->cfg.measure.timing_queries < 0 ||
                    (size_t)r->cfg.measure.timing_queries >= nq
                        ? nq : (size_t)r->cfg.measure.timing_queries;
    r->time_rows = xmalloc((r->env.n_time ? r->env.n_time : 1) * sizeof(*r->time_rows));
    rng_sample(RUN_TIMING_SEED, nq, r->env.n_time, r->time_rows);
    r->env.time_rows = r->time_rows;
    r->env.cost = &r->cost;
    provenance_set(&r->rs, &r->cfg, &r->ds, r->gt[0][r->cfg.metrics[0]].k,
                   r->env.batch_threads, r->ms.list, r->ms.n, started);
    results_attr_int(&r->rs, "timed_queries", (int64_t)r->env.n_time);
    return 0;
}

/* What Ctrl-C prints: the first time, that the run stops at the next safe
 * point; the second, that it stops now and how to continue. */
static void interrupt_messages(const struct run *r, const char *results, char *msg[2])
{
    msg[0] = xstrdup("\nfaiss-sweep: interrupted: stopping at the next safe point and writing "
                     "what was measured (Ctrl-C again stops at once)\n");
    msg[1] = xasprintf("\nfaiss-sweep: interrupted again: stopping now; the points measured "
                       "are in '%s': 'faiss-sweep run %s --resume %s' continues the run\n",
                       r->journal.path, r->cfg.path, results);
    for (int i = 0; i < 2; i++) {
        interrupt_len[i] = strlen(msg[i]);
        interrupt_msg[i] = msg[i];
    }
}

/* Every build with points left in turn until done or Ctrl-C, a checkpoint
 * after each. */
static void sweep(struct run *r, const char *results)
{
    struct sigaction sa = { .sa_handler = on_interrupt, .sa_flags = SA_RESTART }, old;
    char *msg[2];
    struct slot *g;
    size_t n = 0;
    double bytes = 0, budget = (double)r->cfg.measure.interleave_mb * 1048576.0;

    interrupted = 0;
    interrupt_messages(r, results, msg);
    sigaction(SIGINT, &sa, &old);
    /* Builds are measured in groups (run_group) of up to interleave_mb of
     * indexes: a group closes once it reaches that, or at the end. */
    g = xcalloc(r->grid.n_builds ? r->grid.n_builds : 1, sizeof(*g));
    for (size_t i = 0; i < r->grid.n_builds && !interrupted; i++) {
        struct slot *s = &g[n];
        const struct build_point *b;
        if (r->task.in && !r->task.in[i])
            continue;           /* another task's build */
        if (!(b = points_left(r, &r->grid.builds[i], &s->left)))
            continue;
        if (!run_build(r, b, s)) {
            free(s->left.points);
            s->left.points = NULL;
            continue;
        }
        bytes += slot_bytes(r, s);
        n++;
        if (bytes < budget)
            continue;
        run_group(r, g, n);
        memset(g, 0, n * sizeof(*g));
        n = 0;
        bytes = 0;
        if (i + 1 < r->grid.n_builds && !interrupted) {
            double t0 = now_s();
            checkpoint_write(&r->cp, &r->rs, r->rs.n_rows, points_total(r));
            r->cost.s[COST_WRITE] += now_s() - t0;
        }
    }
    run_group(r, g, n);
    free(g);
    sigaction(SIGINT, &old, NULL);
    interrupt_msg[0] = interrupt_msg[1] = NULL;
    free(msg[0]);
    free(msg[1]);
    if (interrupted) {
        if (r->progress)
            fputs("\r\033[K", stderr);
        warning("interrupted: writing the %zu of %zu points measured so far", r->rs.n_rows,
                points_total(r));
        results_attr_int(&r->rs, "interrupted", 1);
    }
}

/* The attributes known only at the end, then the file, the rows in the
 * grid's order (a resumed run's replayed rows and new ones interleave
 * as an uninterrupted run's). The breakdown it stores cannot hold the
 * file's own writing: that is printed after. The journal goes once the
 * file is complete, and stays after Ctrl-C, for --resume. Returns 0 or -1. */
static int finish(struct run *r, const char *path, double faiss_s)
{
    double wall = now_s() - r->t_start, t0;
    struct machine_sample machine1;
    struct machine_usage usage;
    char *resolved = point_resolved_config(&r->cfg, &r->vec, &r->grid);

    if (r->task.in)
        task_ordinals(&r->rs, &r->journal);
    if (r->journal.rows_seen == r->rs.n_rows)
        results_reorder(&r->rs, r->journal.ord);
    results_attr_str(&r->rs, "config_resolved", resolved);
    free(resolved);
    results_attr_float(&r->rs, "wall_s", wall);
    results_attr_float(&r->rs, "faiss_s", faiss_s);
    results_attr_float(&r->rs, "harness_share", wall > 0 ? (wall - faiss_s) / wall : 0);
    /* The journal's appends are writing too: a share of the wall the
     * breakdown shows (journal_s alone says how much). */
    r->cost.s[COST_WRITE] += r->journal.write_s;
    results_attr_float(&r->rs, "journal_s", r->journal.write_s);
    cost_attrs(&r->cost, wall, &r->rs);
    provenance_machine(&r->rs, &r->machine0, &machine1, &usage);
    t0 = now_s();
    if (results_write(&r->rs, path))
        return -1;
    r->cost.s[COST_WRITE] += now_s() - t0;
    checkpoint_remove(&r->cp);
    if (!interrupted)
        journal_remove(&r->journal);
    summary_print(stdout, &r->rs);
    r->write_s = now_s() - t0;
    printf("\nresults: %s\n", path);
    if (interrupted)
        printf("continue with: faiss-sweep run %s --resume %s\n", r->cfg.path, path);
    fflush(stdout);
    provenance_warn_busy(&r->machine0, &machine1, &usage);
    return 0;
}

/* Without -o the ground-truth cache is the config's cache_dir; with it,
 * a cache_dir the config does not give follows the output folder:
 * <DIR>/cache. */
static void cache_follows_output(struct config *cfg, const char *output_dir)
{
    if (!output_dir || cfg->cache_dir_set)
        return;
    free(cfg->cache_dir);
    cfg->cache_dir = xasprintf("%s/cache", output_dir);
}

int run_sweep(const char *config_path, const struct run_opts *opts, char **results_path)
{
    struct run r;
    char stamp[32], started[32];
    time_t now = time(NULL);
    const char *outdir;
    char *path = NULL;
    struct backend_clock *clock_before;
    double t0;
    int rc = -1;

    memset(&r, 0, sizeof(r));
    r.journal.fd = -1;
    /* The run's faiss time is counted on its own clock, put back on return. */
    clock_before = backend_clock_use(&r.faiss);
    r.t_start = now_s();
    machine_sample(&r.machine0);
    r.progress = opts->progress;
    *results_path = NULL;
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&now));
    strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

    /* -o "" is refused before anything is loaded. */
    if ((opts->output_dir && !*opts->output_dir &&
         error("option '-o' names no folder (an empty name)")) || load(&r, config_path, opts))
        goto out;
    r.cost.s[COST_LOAD] = now_s() - r.t_start;
    cache_follows_output(&r.cfg, opts->output_dir);
    quantizer_cache_init(&r.qc, r.cfg.cache_dir);
    /* Where the results go is settled (and claimed) before hours of work. */
    outdir = opts->output_dir ? opts->output_dir : r.cfg.output_dir;
    if (opts->task_count > 0) {
        if (start_task(&r, outdir, opts, &path))
            goto out;
    } else if (make_dirs(outdir) ||
        (opts->resume ? open_resume(&r, outdir, opts, &path) : claim(&r, outdir, stamp, &path)))
        goto out;
    checkpoint_init(&r.cp, path, r.cfg.checkpoint_s);
    info("grid: %zu builds, %zu search points (%zu skipped as not applicable)",
         r.grid.n_builds, r.grid.n_points, r.grid.n_skipped);
    t0 = now_s();
    if (run_vectors_init(&r.vec, &r.ds, run_uses_metric(&r.cfg, METRIC_COSINE)))
        goto out;
    r.cost.s[COST_LOAD] += now_s() - t0;
    t0 = now_s();
    if (ground_truths(&r))
        goto out;
    r.cost.s[COST_GROUNDTRUTH] = now_s() - t0;
    if (setup_results(&r, r.resuming ? r.journal.head.start_time : started))
        goto out;
    if (r.task.in)
        task_attrs(&r.rs, &r.task, opts->task_index, opts->task_count, opts->run_id);
    if (start_journal(&r, started))
        goto out;
    sweep(&r, path);
    if (finish(&r, path, r.faiss.seconds))
        goto out;
    rc = r.n_failed || interrupted ? 1 : 0;
    t0 = now_s();
    if (opts->plot && plot_results(path, outdir, opts->templates_dir)) {
        error("plots were not drawn; the results file '%s' is complete", path);
        rc = 1;
    }
    printf("wall %.1f s (the results file written in %.1f s, the journal in %.3f s",
           now_s() - r.t_start, r.write_s, r.journal.write_s);
    if (opts->plot)
        printf(", plots drawn in %.1f s", now_s() - t0);
    printf(")\n");
    *results_path = path;
    path = NULL;
out:
    /* A new run that failed before its first point leaves no journal. */
    if (rc < 0 && !r.resuming && r.journal.path && !r.journal.rows_seen)
        journal_remove(&r.journal);
    free(path);
    release(&r);
    backend_clock_use(clock_before);
    return rc;
}
