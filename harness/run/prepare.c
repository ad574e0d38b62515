/*
 * prepare.c - the run's vectors under each metric, and each build's
 * preprocessing (shuffle, alpha expansion and its cache, k-means, query
 * expansion) on top of core/preprocess.c.
 */
#include "run/prepare.h"
#include "core/preprocess.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>

#define COSINE_EPS 1e-12f

static void copy_vecs(struct vecs *dst, const struct vecs *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->n = src->n;
    dst->d = src->d;
    dst->x = xmalloc(src->n * src->d * sizeof(float));
    memcpy(dst->x, src->x, src->n * src->d * sizeof(float));
}

int run_vectors_init(struct run_vectors *v, const struct dataset *ds, int cosine)
{
    size_t zb, zq;

    memset(v, 0, sizeof(*v));
    v->ds = ds;
    if (!cosine)
        return 0;
    copy_vecs(&v->unit_base, &ds->base);
    copy_vecs(&v->unit_queries, &ds->queries);
    /* A zero vector has no direction: keep it out of the cosine base. */
    zb = vecs_drop_zero_rows(&v->unit_base, COSINE_EPS);
    if (zb)
        warning("cosine: %zu base vectors with a norm below %g are left out of the "
                "cosine runs", zb, (double)COSINE_EPS);
    vecs_normalize(&v->unit_base, COSINE_EPS);
    zq = vecs_normalize(&v->unit_queries, COSINE_EPS);
    if (zq)
        warning("cosine: %zu query vectors have a norm below %g; their similarity is 0 "
                "to everything", zq, (double)COSINE_EPS);
    return 0;
}

void run_vectors_release(struct run_vectors *v)
{
    vecs_release(&v->unit_base);
    vecs_release(&v->unit_queries);
    memset(v, 0, sizeof(*v));
}

const struct vecs *rv_base(const struct run_vectors *v, enum metric m)
{
    return m == METRIC_COSINE ? &v->unit_base : &v->ds->base;
}

const struct vecs *rv_queries(const struct run_vectors *v, enum metric m)
{
    return m == METRIC_COSINE ? &v->unit_queries : &v->ds->queries;
}

size_t rv_rows(const struct run_vectors *v, enum metric m, size_t N)
{
    size_t n = rv_base(v, m)->n;
    return N < n ? N : n;
}

void expand_cache_release(struct expand_cache *c)
{
    free(c->x);
    memset(c, 0, sizeof(*c));
}

void prepared_release(struct prepared *p)
{
    free(p->base);
    free(p->perm);
    free(p->queries);
    memset(p, 0, sizeof(*p));
}

static int same_expansion(const struct expand_cache *e, const struct build_point *b, size_t n)
{
    return e->x && e->metric == b->metric && e->n == n && e->shuffle == b->shuffle &&
           e->num_expand == b->num_expand && e->alpha == b->alpha;
}

/* Replaces p->base (n rows, shuffled or not) by its alpha expansion, from
 * the cache when the same expansion was computed for an earlier build. Its
 * seconds count in prep_s either way: they are the cost of the step. */
static int expand_base(struct prepared *p, const struct build_point *b, size_t d,
                       struct expand_cache *e)
{
    size_t n = p->n;

    if (same_expansion(e, b, n)) {
        info("%s: base expansion reused from an earlier build (computed in %.1f s)",
             b->factory, e->s);
    } else {
        float *x = xmalloc(n * d * sizeof(float));
        double t0 = now_s();
        if (prep_alpha_expand(p->base, n, p->base, n, d, (size_t)b->num_expand, b->alpha,
                              PREP_EXPAND_BATCH, PREP_EXPAND_CHUNK, x, NULL)) {
            free(x);
            return -1;
        }
        free(e->x);
        *e = (struct expand_cache){ .x = x, .metric = b->metric, .n = n, .shuffle = b->shuffle,
                                    .num_expand = b->num_expand, .alpha = b->alpha,
                                    .s = now_s() - t0 };
    }
    p->prep_s += e->s;
    /* A copy: the build owns p->base (k-means replaces it). */
    memcpy(p->base, e->x, n * d * sizeof(float));
    return 0;
}

/* k-means compression: the centroids replace p->base. */
static int compress(struct prepared *p, const struct build_point *b, size_t d, uint64_t seed)
{
    float *c = xmalloc((size_t)b->n_clusters * d * sizeof(float));
    if (prep_kmeans_compress(p->base, p->n, d, (size_t)b->n_clusters, PREP_KMEANS_NITER,
                             (int)(seed & 0x7fffffff), c)) {
        free(c);
        return -1;
    }
    free(p->base);
    p->base = c;
    p->n = (size_t)b->n_clusters;
    p->no_recall = 1;
    return 0;
}

int prepare_build(struct prepared *p, const struct run_vectors *v, const struct build_point *b,
                  uint64_t seed, struct expand_cache *cache)
{
    const struct vecs *base = rv_base(v, b->metric), *q = rv_queries(v, b->metric);
    size_t n = rv_rows(v, b->metric, b->N), d = base->d;
    double t0;

    memset(p, 0, sizeof(*p));
    if (!b->prep[0])
        return 0;
    p->n = n;
    p->base = xmalloc(n * d * sizeof(float));
    memcpy(p->base, base->x, n * d * sizeof(float));
    t0 = now_s();
    if (b->shuffle) {
        p->perm = xmalloc(n * sizeof(*p->perm));
        prep_shuffle_rows(p->base, n, d, seed, p->perm);
    }
    if (b->num_expand && b->expand_on != EXPAND_QUERIES) {
        p->prep_s += now_s() - t0;
        if (expand_base(p, b, d, cache))
            return -1;
        t0 = now_s();
    }
    if (b->n_clusters && compress(p, b, d, seed))
        return -1;
    p->prep_s += now_s() - t0;
    /* Timed: RVC would pay it at inference, for every source frame. */
    if (b->num_expand && b->expand_on != EXPAND_BASE) {
        p->queries = xmalloc(q->n * d * sizeof(float));
        t0 = now_s();
        if (prep_alpha_expand(q->x, q->n, p->base, p->n, d, (size_t)b->num_expand, b->alpha,
                              PREP_EXPAND_BATCH, PREP_EXPAND_CHUNK, p->queries, NULL))
            return -1;
        p->qexpand_s = now_s() - t0;
    }
    return 0;
}

const float *prepared_base(const struct prepared *p, const struct run_vectors *v,
                           const struct build_point *b, size_t *n)
{
    if (p->base) {
        *n = p->n;
        return p->base;
    }
    *n = rv_rows(v, b->metric, b->N);
    return rv_base(v, b->metric)->x;
}

const float *prepared_queries(const struct prepared *p, const struct run_vectors *v,
                              enum metric m)
{
    return p->queries ? p->queries : rv_queries(v, m)->x;
}
