/*
 * preprocess.c - alpha query expansion, k-means compression and RVC's row
 * shuffle. Expansion is the tips document's numpy code made bounded in
 * memory: rows of x in batches, the base in chunks, a running top
 * num_expand per row merged across chunks, then the weighted sum in double.
 * Exact search goes through backend.c (the only faiss user).
 */
#include "core/preprocess.h"
#include "lib/backend.h"
#include "lib/rng.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- alpha query expansion --- */

/* dst = src / max(|src|, eps) for m rows, as the document's numpy line. */
static void normalise_rows(float *dst, const float *src, size_t m, size_t d)
{
    for (size_t i = 0; i < m; i++) {
        const float *s = src + i * d;
        double nn = 0;
        for (size_t j = 0; j < d; j++)
            nn += (double)s[j] * s[j];
        nn = fmax(sqrt(nn), PREP_EXPAND_EPS);
        for (size_t j = 0; j < d; j++)
            dst[i * d + j] = (float)(s[j] / nn);
    }
}

/* a ranks before b: higher similarity, then lower id (so the set kept at a
 * tie does not depend on how the base was chunked). */
static int better(float sa, int64_t ia, float sb, int64_t ib)
{
    if (ib < 0)
        return ia >= 0;
    if (ia < 0)
        return 0;
    return sa > sb || (sa == sb && ia < ib);
}

/* Insert candidate (s, id) into the sorted top list of length ne. */
static void top_insert(float *ts, int64_t *ti, size_t ne, float s, int64_t id)
{
    size_t p = ne;
    if (!better(s, id, ts[ne - 1], ti[ne - 1]))
        return;
    while (p > 0 && better(s, id, ts[p - 1], ti[p - 1])) {
        if (p < ne) {
            ts[p] = ts[p - 1];
            ti[p] = ti[p - 1];
        }
        p--;
    }
    ts[p] = s;
    ti[p] = id;
}

static void sort_ids(int64_t *id, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        int64_t v = id[i];
        size_t j = i;
        for (; j > 0 && id[j - 1] > v; j--)
            id[j] = id[j - 1];
        id[j] = v;
    }
}

/*
 * One output row from its normalised row qn and neighbour ids (sorted, -1
 * skipped): sum cos^alpha * base_j over normalised base rows, normalised.
 * Each neighbour is normalised again into bn (same function, same floats
 * as in the search), so no normalised copy of the whole base is kept.
 * acc is d doubles of scratch.
 */
static void expand_row(const float *qn, const float *base, const int64_t *ids, size_t ne,
                       size_t d, double alpha, float *bn, double *acc, float *out,
                       struct expand_stats *st)
{
    int int_alpha = alpha == floor(alpha);
    double nn = 0;

    memset(acc, 0, d * sizeof(*acc));
    for (size_t k = 0; k < ne; k++) {
        double c = 0, w;
        if (ids[k] < 0)
            continue;
        normalise_rows(bn, base + (size_t)ids[k] * d, 1, d);
        for (size_t j = 0; j < d; j++)
            c += (double)qn[j] * bn[j];
        if (c < 0) {
            st->negative++;
            /* numpy gives NaN for a negative base and non-integer exponent,
             * which would make the whole row NaN: weight 0 instead */
            if (!int_alpha) {
                st->clamped++;
                continue;
            }
        }
        w = pow(c, alpha);   /* the document's np.power(sims, alpha) */
        for (size_t j = 0; j < d; j++)
            acc[j] += w * bn[j];
    }
    for (size_t j = 0; j < d; j++)
        nn += acc[j] * acc[j];
    nn = sqrt(nn);
    if (nn < PREP_EXPAND_EPS)
        st->zero_rows++;
    nn = fmax(nn, PREP_EXPAND_EPS);
    for (size_t j = 0; j < d; j++)
        out[j] = (float)(acc[j] / nn);
}

/*
 * Top ne base rows by inner product for m normalised rows qn: the base is
 * normalised and searched chunk by chunk, results merged into ts/ti (m x ne).
 * Scratch: cn (chunk x d), D/I (m x ne).
 */
static int top_neighbours(const float *qn, size_t m, const float *base, size_t nb, size_t d,
                          size_t ne, size_t chunk, float *cn, float *D, int64_t *I,
                          float *ts, int64_t *ti)
{
    for (size_t i = 0; i < m * ne; i++) {
        ts[i] = -INFINITY;
        ti[i] = -1;
    }
    for (size_t c0 = 0; c0 < nb; c0 += chunk) {
        size_t cm = nb - c0 < chunk ? nb - c0 : chunk;
        normalise_rows(cn, base + c0 * d, cm, d);
        if (backend_knn_exact(cm, cn, m, qn, d, BACKEND_IP, ne, D, I))
            return -1;
        for (size_t i = 0; i < m; i++)
            for (size_t k = 0; k < ne; k++)
                if (I[i * ne + k] >= 0)
                    top_insert(ts + i * ne, ti + i * ne, ne, D[i * ne + k],
                               I[i * ne + k] + (int64_t)c0);
    }
    return 0;
}

int prep_alpha_expand(const float *x, size_t n, const float *base, size_t nb, size_t d,
                      size_t num_expand, double alpha, size_t batch, size_t chunk,
                      float *out, struct expand_stats *st)
{
    struct expand_stats local = { 0 };
    size_t ne = num_expand;
    float *qn = NULL, *cn = NULL, *bn = NULL, *D = NULL, *ts = NULL;
    int64_t *I = NULL, *ti = NULL;
    double *acc = NULL;
    int rc = -1;

    if (!st)
        st = &local;
    memset(st, 0, sizeof(*st));
    if (ne == 0)
        return error("alpha expansion: num_expand must be at least 1");
    if (!isfinite(alpha))
        return error("alpha expansion: alpha %g is not finite", alpha);
    if (nb == 0 || d == 0)
        return error("alpha expansion: empty base");
    if (out == base)
        return error("alpha expansion: the output cannot overwrite the base it reads");
    if (n == 0)
        return 0;
    if (!batch)
        batch = PREP_EXPAND_BATCH;
    if (!chunk)
        chunk = PREP_EXPAND_CHUNK;
    if (batch > n)
        batch = n;
    if (chunk > nb)
        chunk = nb;

    qn = xmalloc(batch * d * sizeof(*qn));
    cn = xmalloc(chunk * d * sizeof(*cn));
    bn = xmalloc(d * sizeof(*bn));
    D = xmalloc(batch * ne * sizeof(*D));
    I = xmalloc(batch * ne * sizeof(*I));
    ts = xmalloc(batch * ne * sizeof(*ts));
    ti = xmalloc(batch * ne * sizeof(*ti));
    acc = xmalloc(d * sizeof(*acc));

    for (size_t i0 = 0; i0 < n; i0 += batch) {
        size_t m = n - i0 < batch ? n - i0 : batch;
        /* qn is a copy, so out may alias x (rows of later batches are untouched) */
        normalise_rows(qn, x + i0 * d, m, d);
        if (top_neighbours(qn, m, base, nb, d, ne, chunk, cn, D, I, ts, ti))
            goto out;
        for (size_t i = 0; i < m; i++) {
            int64_t *ids = ti + i * ne;
            sort_ids(ids, ne);
            expand_row(qn + i * d, base, ids, ne, d, alpha, bn, acc, out + (i0 + i) * d, st);
        }
    }
    rc = 0;
out:
    free(qn);
    free(cn);
    free(bn);
    free(D);
    free(I);
    free(ts);
    free(ti);
    free(acc);
    return rc;
}

/* --- k-means compression --- */

int prep_kmeans_compress(const float *x, size_t n, size_t d, size_t n_clusters,
                         int niter, int seed, float *centroids)
{
    if (n_clusters == 0 || n_clusters > n)
        return error("k-means compression: %zu centroids for %zu vectors", n_clusters, n);
    if (niter < 1)
        return error("k-means compression: niter %d, need at least 1", niter);
    return backend_kmeans(n, x, d, n_clusters, niter, seed, centroids);
}

/* --- RVC's row shuffle --- */

void prep_permutation(int64_t *perm, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++)
        perm[i] = (int64_t)i;
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)rng_below(&s, i + 1);
        int64_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}

void prep_shuffle_rows(float *x, size_t n, size_t d, uint64_t seed, int64_t *perm)
{
    uint64_t s = seed;
    float *tmp;

    if (perm)
        for (size_t i = 0; i < n; i++)
            perm[i] = (int64_t)i;
    if (n < 2)
        return;
    tmp = xmalloc((d ? d : 1) * sizeof(*tmp));
    /* the same draws as prep_permutation, applied to rows as well */
    for (size_t i = n; i-- > 1;) {
        size_t j = (size_t)rng_below(&s, i + 1);
        if (perm) {
            int64_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        if (j == i)
            continue;
        memcpy(tmp, x + i * d, d * sizeof(*x));
        memcpy(x + i * d, x + j * d, d * sizeof(*x));
        memcpy(x + j * d, tmp, d * sizeof(*x));
    }
    free(tmp);
}

void prep_unshuffle_ids(int64_t *I, size_t count, const int64_t *perm)
{
    for (size_t i = 0; i < count; i++)
        if (I[i] >= 0)
            I[i] = perm[I[i]];
}
