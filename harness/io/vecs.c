/*
 * vecs.c - the row table every loader fills, and the row operations done on
 * it in place (finiteness, norms, zero rows, duplicates). Rows are counted
 * from 0, like the vector ids faiss returns.
 */
#include "io/vecs.h"
#include "lib/util.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void vecs_release(struct vecs *v)
{
    if (v->map)
        munmap(v->map, v->map_len);
    else
        free(v->x);
    memset(v, 0, sizeof(*v));
}

void clips_release(struct clips *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->names[i]);
    free(c->names);
    free(c->first);
    memset(c, 0, sizeof(*c));
}

void vecs_reserve(struct vecs *v, size_t *cap, size_t nfloats)
{
    if (nfloats <= *cap)
        return;
    size_t c = *cap ? *cap : 4096;
    while (c < nfloats)
        c *= 2;
    v->x = xrealloc(v->x, c * sizeof(float));
    *cap = c;
}

void vecs_shrink(struct vecs *v)
{
    if (!v->map)
        v->x = xrealloc(v->x, (v->n * v->d != 0 ? v->n * v->d : 1) * sizeof(float));
}

double vecs_row_norm(const float *r, size_t d)
{
    double ss = 0;
    for (size_t j = 0; j < d; j++)
        ss += (double)r[j] * r[j];
    return sqrt(ss);
}

size_t vecs_count_nonfinite(const struct vecs *v, size_t *first_bad)
{
    size_t bad = 0;
    for (size_t i = 0; i < v->n; i++) {
        const float *r = v->x + i * v->d;
        for (size_t j = 0; j < v->d; j++)
            if (!isfinite(r[j])) {
                if (!bad && first_bad)
                    *first_bad = i;
                bad++;
                break;
            }
    }
    return bad;
}

size_t vecs_normalize(struct vecs *v, float eps)
{
    size_t small = 0;
    for (size_t i = 0; i < v->n; i++) {
        float *r = v->x + i * v->d;
        double norm = vecs_row_norm(r, v->d);
        if (norm < eps) {
            small++;
            norm = eps;
        }
        for (size_t j = 0; j < v->d; j++)
            r[j] = (float)(r[j] / norm);
    }
    return small;
}

size_t vecs_count_zero_rows(const struct vecs *v, float eps)
{
    size_t zero = 0;
    for (size_t i = 0; i < v->n; i++)
        zero += vecs_row_norm(v->x + i * v->d, v->d) < eps;
    return zero;
}

size_t vecs_drop_zero_rows(struct vecs *v, float eps)
{
    size_t w = 0, d = v->d;
    for (size_t i = 0; i < v->n; i++) {
        if (vecs_row_norm(v->x + i * d, d) < eps)
            continue;
        if (w != i)
            memcpy(v->x + w * d, v->x + i * d, d * sizeof(float));
        w++;
    }
    size_t dropped = v->n - w;
    v->n = w;
    if (dropped)
        vecs_shrink(v);
    return dropped;
}

struct row_hash {
    uint64_t h;
    size_t row;
};

static int cmp_row_hash(const void *a, const void *b)
{
    const struct row_hash *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Hash every row, sort by hash, then compare rows only within runs of
 * equal hashes. */
size_t vecs_count_duplicates(const struct vecs *v)
{
    size_t bytes = v->d * sizeof(float), dup = 0, i, j;
    struct row_hash *rh = xmalloc((v->n ? v->n : 1) * sizeof(*rh));

    for (i = 0; i < v->n; i++) {
        rh[i].h = hash_bytes(HASH_SEED, v->x + i * v->d, bytes);
        rh[i].row = i;
    }
    qsort(rh, v->n, sizeof(*rh), cmp_row_hash);
    for (i = 0; i < v->n; i = j) {
        for (j = i + 1; j < v->n && rh[j].h == rh[i].h; j++) {
            /* same hash: a duplicate if equal to any earlier row of the run
             * (almost always the run's first) */
            for (size_t k = i; k < j; k++)
                if (!memcmp(v->x + rh[j].row * v->d, v->x + rh[k].row * v->d, bytes)) {
                    dup++;
                    break;
                }
        }
    }
    free(rh);
    return dup;
}
