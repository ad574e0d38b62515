/*
 * plan.c - a build's estimated cost and the partition of builds into
 * tasks (plan.h).
 *
 * The estimate counts operations of one vector component (a multiply-add)
 * and divides them by a rate: RATE_BLAS for work faiss does as a matrix
 * product (k-means assignment, an exact k-NN, a batch search of Flat),
 * RATE_SCAN for work that streams memory (inverted lists, codes, graph
 * walks, one query at a time). The rates are this machine's order of
 * magnitude (the 300k x 768 exact k-NN of the base took 21 minutes on 2
 * cores: 7e13 / 1260 s / 2 = 2.7e10 per thread); only their ratio matters
 * for the partition, the absolute values for the time request. The terms:
 *  - training: k-means of the coarse quantizer, nlist centroids x the rows
 *    faiss samples (256 per centroid, at most N or train_rows) x d x its 10 iterations;
 *    none with reuse_quantizers for an IVF with a flat quantizer on the plain base:
 *    that k-means is shared work, trained once by prepare (or by the first task)
 *    (faiss's Level1Quantizer); PQ codebooks: 2^bits centroids x their
 *    sample x d (the m sub-spaces of d/m add up to d) x 25 iterations;
 *  - adding: every row assigned to its list, N x nlist x d (N x d for
 *    Flat, a copy), plus encoding, N x 2^bits x d for PQ; HNSW inserts
 *    each row with a search of efConstruction (40) candidates of 2M
 *    neighbours each;
 *  - preprocessing: k-means compression (its sample x centroids x d x
 *    PREP_KMEANS_NITER), the alpha expansion of the base (an exact k-NN of
 *    the base against itself, N x N x d) or of the queries (nq x N x d);
 *  - search, per point that runs: the timed budget, not the work: a
 *    repetition lasts at least min_time, repeats of them capped at
 *    max_time, plus warm-up and calibration calls; latency rounds of
 *    latency_queries single queries on one thread, capped at max_time;
 *    then the untimed searches of all queries (recall, the measures).
 *    A query's cost: the coarse assignment (nlist x d) plus the share of
 *    the lists it scans (nprobe / nlist x N rows of d floats, or of m
 *    codes for PQ, a quarter of that with fast scan), the re-ranking
 *    (k_factor x k x d), an HNSW walk (efSearch 16 x 2M x d).
 * Ground truths are left out: they are the run's, shared by all tasks
 * (`prepare` computes them once). Memory: the data set (and its unit
 * copies for cosine), the index (twice: its serialized copy for the size),
 * the training sample, a preprocessed copy of the base, the ground truths
 * and the search buffers.
 */
#include "run/plan.h"
#include "core/preprocess.h"
#include "lib/util.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RATE_BLAS 2.5e10        /* component multiply-adds per second per thread */
#define RATE_SCAN 2.0e9
#define IVF_NITER 10
#define PQ_NITER 25
#define HNSW_EF_CONSTRUCTION 40
#define HNSW_EF_SEARCH 16
#define MIB (1024.0 * 1024.0)
#define PROCESS_MIB 150.0       /* the program and its libraries */

/* The shape of a factory string, as far as its cost goes. */
struct shape {
    int hnsw_m;         /* HNSW<M>: M; 0 = no graph */
    int pq_m, pq_bits;  /* PQ<m>[x<bits>]: 0 = no PQ */
    int fastscan;       /* PQ...fs */
    double code_bytes;  /* bytes per stored row (d * 4 for Flat) */
};

/* The number after prefix at the first place in s where prefix starts a
 * component (after "," or at the start); 0 when absent, dflt when no digits. */
static long component_number(const char *s, const char *prefix, long dflt, const char **at)
{
    size_t len = strlen(prefix);
    for (const char *p = s; (p = strstr(p, prefix)); p += len) {
        if (p != s && p[-1] != ',')
            continue;
        if (at)
            *at = p + len;
        return p[len] >= '0' && p[len] <= '9' ? strtol(p + len, NULL, 10) : dflt;
    }
    return 0;
}

static void parse_shape(const char *factory, size_t d, struct shape *s)
{
    const char *at = NULL;
    long sq;

    memset(s, 0, sizeof(*s));
    s->hnsw_m = (int)component_number(factory, "HNSW", 32, NULL);
    s->code_bytes = 4.0 * (double)d;
    if ((s->pq_m = (int)component_number(factory, "PQ", 8, &at))) {
        at += strspn(at, "0123456789");
        s->pq_bits = 8;
        if (*at == 'x') {
            s->pq_bits = atoi(at + 1);
            at += 1 + strspn(at + 1, "0123456789");
        }
        if (s->pq_bits < 1 || s->pq_bits > 16)
            s->pq_bits = 8;
        s->fastscan = !strncmp(at, "fs", 2);
        s->code_bytes = s->pq_m * s->pq_bits / 8.0;
    } else if ((sq = component_number(factory, "SQ", 8, NULL))) {
        s->code_bytes = (double)d * (double)sq / 8.0;
    }
}

/* Rows of a k-means sample: 256 per centroid, at most n. */
static double sample_rows(double n, double k)
{
    return fmin(n, 256.0 * k);
}

/* Whether build b's coarse k-means is shared work: an IVF with a flat
 * quantizer ("IVF<n>," first) on the plain base (not its own k-means
 * compression or expansion), which prepare trains once for every task. */
static int coarse_shared(const struct build_point *b, const struct plan_ctx *c)
{
    const char *f = b->factory;
    if (!c->coarse_shared || strncmp(f, "IVF", 3) || !isdigit((unsigned char)f[3]) ||
        b->n_clusters > 0 || (b->num_expand > 0 && (b->expand_on & EXPAND_BASE)))
        return 0;
    f += 3 + strspn(f + 3, "0123456789");
    return *f == ',';
}

/* Seconds of the build's training, adding and preprocessing. */
static double build_seconds(const struct build_point *b, const struct shape *s,
                            const struct plan_ctx *c, double n, double T)
{
    double d = (double)c->d, N = (double)b->N, nlist = (double)b->nlist, blas = 0, scan = 0;
    double nt = b->train_rows > 0 ? fmin(n, (double)b->train_rows) : n;   /* train_rows */

    if (b->nlist > 0) {
        if (!coarse_shared(b, c))
            blas += sample_rows(nt, nlist) * nlist * d * IVF_NITER;
        blas += n * nlist * d;
    }
    if (s->pq_m) {
        double ksub = ldexp(1.0, s->pq_bits);
        blas += sample_rows(nt, ksub) * ksub * d * PQ_NITER + n * ksub * d;
    }
    if (s->hnsw_m)
        scan += n * HNSW_EF_CONSTRUCTION * 2.0 * s->hnsw_m * d;
    scan += n * d;      /* the rows copied in (and the shuffle) */
    if (b->n_clusters > 0)
        blas += sample_rows(N, (double)b->n_clusters) * (double)b->n_clusters * d *
                PREP_KMEANS_NITER;
    if (b->num_expand > 0) {
        if (b->expand_on & EXPAND_BASE)
            blas += N * N * d;
        if (b->expand_on & EXPAND_QUERIES)
            blas += (double)c->nq * N * d;
    }
    return blas / (RATE_BLAS * T) + scan / (RATE_SCAN * T);
}

/* Operations of one query of point p (n rows indexed). */
static double query_ops(const struct build_point *b, const struct shape *s,
                        const struct search_point *p, const struct plan_ctx *c, double n)
{
    double d = (double)c->d, ops;
    double share = b->nlist > 0 ? fmin(1.0, (double)(p->nprobe > 0 ? p->nprobe : 1) /
                                                (double)b->nlist) : 1.0;

    if (s->hnsw_m)
        ops = HNSW_EF_SEARCH * 2.0 * s->hnsw_m * d;
    else if (s->pq_m)
        ops = share * n * s->pq_m / (s->fastscan ? 4.0 : 1.0) + ldexp(1.0, s->pq_bits) * d;
    else
        ops = share * n * s->code_bytes / 4.0;
    if (b->nlist > 0)
        ops += (double)b->nlist * d;
    if (b->refine)
        ops += (double)(p->k_factor > 0 ? p->k_factor : 1) * (double)c->kmax * d;
    return ops;
}

/* Seconds of one point: its timed budget and its untimed searches. */
static double point_seconds(const struct build_point *b, const struct shape *s,
                            const struct search_point *p, const struct plan_ctx *c, double n,
                            double T)
{
    const struct measure_spec *m = c->m;
    double q = query_ops(b, s, p, c, n), nq = (double)c->nq;
    double nt = m->timing_queries < 0 || (double)m->timing_queries > nq ? nq
                                                                        : (double)m->timing_queries;
    /* Flat's batch search is a matrix product; the others scan. */
    double rate = !b->nlist && !s->hnsw_m && !s->pq_m ? RATE_BLAS : RATE_SCAN;
    double call = nt * q / (rate * T), rep = fmax(m->min_time, call);
    double batch = fmax(rep, fmin(m->max_time, m->repeats * rep)) + (m->warmup + 1) * call;
    double lq = m->latency_queries < 0 || (double)m->latency_queries > nt
                    ? nt : (double)m->latency_queries;
    double round = lq * q / RATE_SCAN;
    double latency = lq > 0 ? fmax(round, fmin(m->max_time, m->latency_rounds * round)) : 0;
    double untimed = 2.0 * nq * q / (rate * T);

    return batch + latency + untimed;
}

/* Peak memory of the build, in bytes; *held: its index and prepared base,
 * kept while the rest of its group (measure.interleave_mb) is built. */
static double build_bytes(const struct build_point *b, const struct shape *s,
                          const struct plan_ctx *c, double n, double *held)
{
    double d = (double)c->d, N = (double)b->N, nq = (double)c->nq, nlist = (double)b->nlist;
    double data = ((double)c->base_n + nq) * d * 4.0 * (c->cosine ? 2.0 : 1.0);
    double index = n * s->code_bytes + nlist * d * 4.0 + (b->nlist > 0 ? n * 8.0 : 0);
    double train = 0, prep = 0;

    if (s->hnsw_m)
        index += n * 2.0 * s->hnsw_m * 4.0;
    if (b->refine)
        index += n * d * 4.0;
    if (b->nlist > 0)
        train = sample_rows(n, nlist) * (d * 4.0 + 16.0);
    if (s->pq_m)
        train = fmax(train, sample_rows(n, ldexp(1.0, s->pq_bits)) * d * 4.0 * 2.0);
    if (b->shuffle || b->n_clusters > 0 || b->num_expand > 0)
        prep = N * d * 4.0 * (b->num_expand > 0 ? 2.0 : 1.0);
    *held = index + prep;
    return data + 2.0 * index + train + prep +
           nq * ((double)c->kdeep + 16.0) * 12.0 * 3.0 + PROCESS_MIB * MIB;
}

void plan_estimate(const struct build_point *b, const struct plan_ctx *c, int threads,
                   struct plan_est *e)
{
    struct shape s;
    double T = threads > 0 ? threads : 1;
    double n = b->n_clusters > 0 && (double)b->n_clusters < (double)b->N
                   ? (double)b->n_clusters : (double)b->N;

    parse_shape(b->factory, c->d, &s);
    e->seconds = 0;
    for (size_t i = 0; i < b->n_points; i++)
        if (!b->points[i].skip)
            e->seconds += point_seconds(b, &s, &b->points[i], c, n, T);
    /* A build whose points are all skipped is not built. */
    if (e->seconds > 0)
        e->seconds += build_seconds(b, &s, c, n, T);
    e->mem_mib = build_bytes(b, &s, c, n, &e->held_mib) / MIB;
    e->held_mib /= MIB;
}

/* The order of the greedy partition: cost descending, then index. */
struct by_cost {
    const double *cost;
    size_t i;
};

static int cmp_cost(const void *a, const void *b)
{
    const struct by_cost *x = a, *y = b;
    double cx = x->cost[x->i], cy = y->cost[y->i];
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

void plan_partition(const double *cost, size_t n, size_t n_tasks, size_t *task_of)
{
    struct by_cost *order = xmalloc((n ? n : 1) * sizeof(*order));
    double *load = xcalloc(n_tasks, sizeof(*load));

    for (size_t i = 0; i < n; i++)
        order[i] = (struct by_cost){ cost, i };
    qsort(order, n, sizeof(*order), cmp_cost);
    for (size_t j = 0; j < n; j++) {
        size_t best = 0;
        for (size_t t = 1; t < n_tasks; t++)
            if (load[t] < load[best])
                best = t;
        task_of[order[j].i] = best;
        load[best] += cost[order[j].i];
    }
    free(load);
    free(order);
}

/* FNV-1a of the partition: for each build its factory, metric, N,
 * preprocessing, points and task; then the task count. */
static uint64_t partition_hash(const struct plan *p, const struct grid *g)
{
    uint64_t h = HASH_SEED, v[5];
    for (size_t i = 0; i < g->n_builds; i++) {
        const struct build_point *b = &g->builds[i];
        h = hash_bytes(h, b->factory, strlen(b->factory) + 1);
        h = hash_bytes(h, b->prep, strlen(b->prep) + 1);
        v[0] = (uint64_t)b->metric;
        v[1] = b->N;
        v[2] = b->n_points;
        v[3] = b->n_points ? b->points[0].ordinal : 0;
        v[4] = p->task_of[i];
        h = hash_bytes(h, v, sizeof(v));
    }
    v[0] = p->n_tasks;
    return hash_bytes(h, v, sizeof(v[0]));
}

void plan_make(struct plan *p, const struct grid *g, const struct plan_ctx *c, size_t n_tasks,
               int threads)
{
    double *cost, *held;
    size_t nb = g->n_builds;

    memset(p, 0, sizeof(*p));
    p->n_builds = nb;
    p->n_tasks = n_tasks;
    p->threads = threads > 0 ? threads : PLAN_REF_THREADS;
    p->est = xcalloc(nb ? nb : 1, sizeof(*p->est));
    p->task_of = xcalloc(nb ? nb : 1, sizeof(*p->task_of));
    p->task_s = xcalloc(n_tasks, sizeof(*p->task_s));
    p->task_mib = xcalloc(n_tasks, sizeof(*p->task_mib));
    p->task_builds = xcalloc(n_tasks, sizeof(*p->task_builds));
    p->task_points = xcalloc(n_tasks, sizeof(*p->task_points));
    cost = xmalloc((nb ? nb : 1) * sizeof(*cost));
    for (size_t i = 0; i < nb; i++) {
        plan_estimate(&g->builds[i], c, p->threads, &p->est[i]);
        cost[i] = p->est[i].seconds;
    }
    plan_partition(cost, nb, n_tasks, p->task_of);
    held = xcalloc(n_tasks, sizeof(*held));
    for (size_t i = 0; i < nb; i++) {
        size_t t = p->task_of[i];
        p->task_s[t] += cost[i];
        p->task_mib[t] = fmax(p->task_mib[t], p->est[i].mem_mib);
        held[t] += p->est[i].held_mib;
        p->task_builds[t]++;
        p->task_points[t] += g->builds[i].n_points;
    }
    /* A task's builds are measured together: the peak of one build plus
     * what the others of its group hold, up to the group's limit. */
    for (size_t t = 0; t < n_tasks; t++)
        p->task_mib[t] += fmin(held[t], c->m ? (double)c->m->interleave_mb : 0);
    free(held);
    free(cost);
    p->hash = partition_hash(p, g);
}

void plan_release(struct plan *p)
{
    free(p->est);
    free(p->task_of);
    free(p->task_s);
    free(p->task_mib);
    free(p->task_builds);
    free(p->task_points);
    memset(p, 0, sizeof(*p));
}

double plan_balance(const struct plan *p)
{
    double sum = 0, max = 0;
    for (size_t t = 0; t < p->n_tasks; t++) {
        sum += p->task_s[t];
        max = fmax(max, p->task_s[t]);
    }
    return sum > 0 ? max / (sum / (double)p->n_tasks) : 1.0;
}

double plan_balance_bound(const struct plan *p)
{
    double sum = 0, big = 0;
    for (size_t i = 0; i < p->n_builds; i++) {
        sum += p->est[i].seconds;
        big = fmax(big, p->est[i].seconds);
    }
    return sum > 0 ? fmax(big, sum / (double)p->n_tasks) / (sum / (double)p->n_tasks) : 1.0;
}

void plan_hash_text(const struct plan *p, char out[17])
{
    snprintf(out, 17, "%016" PRIx64, p->hash);
}

void plan_print(FILE *f, const struct plan *p, const struct grid *g)
{
    double sum = 0;

    for (size_t t = 0; t < p->n_tasks; t++)
        sum += p->task_s[t];
    fprintf(f, "%-8s %-36s %-6s %8s %6s %6s %10s %8s %4s\n", "build", "factory", "metric",
            "N", "nlist", "points", "est_s", "mem_mib", "task");
    for (size_t i = 0; i < p->n_builds; i++) {
        const struct build_point *b = &g->builds[i];
        char name[160];
        snprintf(name, sizeof(name), "%s%s%s", b->factory, *b->prep ? " " : "", b->prep);
        fprintf(f, "%-8zu %-36s %-6s %8zu %6ld %6zu %10.1f %8.0f %4zu\n", i, name,
                metric_name(b->metric), b->N, b->nlist, b->n_points, p->est[i].seconds,
                ceil(p->est[i].mem_mib), p->task_of[i]);
    }
    fprintf(f, "\n%-8s %6s %6s %10s %8s %6s\n", "task", "builds", "points", "est_s", "mem_mib",
            "share");
    for (size_t t = 0; t < p->n_tasks; t++)
        fprintf(f, "%-8zu %6zu %6zu %10.1f %8.0f %6.2f\n", t, p->task_builds[t],
                p->task_points[t], p->task_s[t], ceil(p->task_mib[t]),
                sum > 0 ? p->task_s[t] / (sum / (double)p->n_tasks) : 0.0);
    fprintf(f, "\nestimated with %d threads; whole builds allow a balance of %.2f at best\n",
            p->threads, plan_balance_bound(p));
    fprintf(f, "balance: %.2f (max / mean)\n", plan_balance(p));
}

/* The margins of the request: memory x 1.25 + 256 MiB, time x 2 and at
 * least 10 minutes (the estimate is an order of magnitude, a task killed
 * at its limit loses its last build). */
void plan_print_resources(FILE *f, const struct plan *p, const struct grid *g,
                          const struct plan_ctx *c, const char *name, int cpus)
{
    double mem = 0, worst = 0;

    for (size_t t = 0; t < p->n_tasks; t++) {
        double s = 0;
        for (size_t i = 0; i < p->n_builds; i++) {
            struct plan_est e;
            if (p->task_of[i] != t)
                continue;
            plan_estimate(&g->builds[i], c, cpus, &e);
            s += e.seconds;
        }
        worst = fmax(worst, s);
        mem = fmax(mem, p->task_mib[t]);
    }
    if (mem == 0)
        mem = PROCESS_MIB;
    fprintf(f, "name=%s tasks=%zu cpus=%d mem_mib=%.0f time_min=%.0f\n", name, p->n_tasks, cpus,
            ceil(mem * 1.25 + 256), fmax(10, ceil(2.0 * worst / 60.0)));
}
