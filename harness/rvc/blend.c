/*
 * blend.c - RVC's neighbour blend, computed from exact and from approximate
 * search, and the distance between the two results. Everything is in double
 * so that the error measured is the index's, not the arithmetic's. Queries
 * are independent: they run in parallel into per-query arrays, and the
 * reductions run afterwards in query order, so results do not depend on the
 * thread count.
 */
#include "rvc/blend.h"
#include "lib/metrics.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The weights RVC gives the k slots, normalised, into w; returns flags. */
static unsigned blend_weights(const int64_t *I, const float *D, size_t k, double *w)
{
    size_t valid = 0, zeros = 0;
    unsigned flags = 0;
    double sum = 0;

    for (size_t i = 0; i < k; i++) {
        if (I[i] < 0)
            continue;
        valid++;
        if (D[i] == 0)
            zeros++;
    }
    if (valid < k)
        flags |= BLEND_MISSING;
    if (!valid)
        flags |= BLEND_EMPTY;
    if (zeros)
        flags |= BLEND_ZERO_DIST;

    for (size_t i = 0; i < k; i++) {
        double s = D[i];
        if (I[i] < 0)
            w[i] = 0;
        else if (zeros)
            w[i] = s == 0 ? 1.0 : 0.0;   /* the limit as those scores go to 0 */
        else
            w[i] = 1.0 / (s * s);        /* RVC: np.square(1 / score) */
        sum += w[i];
    }
    for (size_t i = 0; i < k && sum > 0; i++)
        w[i] /= sum;
    return flags;
}

unsigned blend_rvc(const float *q, size_t d, const float *x, const int64_t *I,
                   const float *D, size_t k, double index_rate, double *r, double *f)
{
    double w[RVC_BLEND_K * 4], *wp = w;
    unsigned flags;

    /* k is 8 in RVC; a larger k is only for experiments. */
    if (k > sizeof(w) / sizeof(w[0]))
        wp = xmalloc(k * sizeof(*wp));
    flags = blend_weights(I, D, k, wp);

    memset(r, 0, d * sizeof(*r));
    for (size_t i = 0; i < k; i++) {
        const float *xi;
        if (I[i] < 0 || wp[i] == 0)
            continue;
        xi = x + (size_t)I[i] * d;
        for (size_t j = 0; j < d; j++)
            r[j] += wp[i] * xi[j];
    }
    for (size_t j = 0; j < d; j++)
        f[j] = index_rate * r[j] + (1 - index_rate) * q[j];

    if (wp != w)
        free(wp);
    return flags;
}

/* One error line if an id in the first k of any row is out of range. */
static int check_side(const char *name, const struct blend_side *s, size_t nq, size_t k)
{
    if (k > s->stride)
        return error("blend: k = %zu exceeds the %s side's %zu columns", k, name, s->stride);
    for (size_t i = 0; i < nq; i++)
        for (size_t j = 0; j < k; j++) {
            int64_t id = s->I[i * s->stride + j];
            if (id < -1 || (id >= 0 && (uint64_t)id >= s->n))
                return error("blend: %s id %lld of query %zu out of range (%zu stored vectors)",
                             name, (long long)id, i, s->n);
        }
    return 0;
}

static double norm(const double *a, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++)
        s += a[j] * a[j];
    return sqrt(s);
}

static double rel_error(const double *fa, const double *fe, size_t d)
{
    double s = 0, ne = norm(fe, d);
    for (size_t j = 0; j < d; j++)
        s += (fa[j] - fe[j]) * (fa[j] - fe[j]);
    return ne > 0 ? sqrt(s) / ne : sqrt(s);
}

static double cosine(const double *a, const double *b, size_t d)
{
    double dot = 0, na = norm(a, d), nb = norm(b, d);
    if (na == 0 || nb == 0)
        return na == nb ? 1.0 : 0.0;
    for (size_t j = 0; j < d; j++)
        dot += a[j] * b[j];
    return dot / (na * nb);
}

int blend_fidelity(const float *q, size_t nq, size_t d,
                   const struct blend_side *exact, const struct blend_side *ann,
                   size_t k, double index_rate, struct blend_stats *out)
{
    double *err, *cos, *unit;
    unsigned char *fe, *fa;

    memset(out, 0, sizeof(*out));
    if (k == 0)
        return error("blend: k must be at least 1");
    if (!(index_rate >= 0 && index_rate <= 1))
        return error("blend: index_rate %g outside 0..1", index_rate);
    if (check_side("exact", exact, nq, k) || check_side("index", ann, nq, k))
        return -1;

    err = xmalloc((nq ? nq : 1) * sizeof(*err));
    cos = xmalloc((nq ? nq : 1) * sizeof(*cos));
    unit = xmalloc((nq ? nq : 1) * sizeof(*unit));
    fe = xmalloc(nq ? nq : 1);
    fa = xmalloc(nq ? nq : 1);

    #pragma omp parallel
    {
        /* r_exact, f_exact, r_ann, f_ann for this thread's queries */
        double *buf = xmalloc(4 * (d ? d : 1) * sizeof(*buf));
        double *re = buf, *fex = buf + d, *ra = buf + 2 * d, *fan = buf + 3 * d;

        #pragma omp for schedule(static)
        for (size_t i = 0; i < nq; i++) {
            const float *qi = q + i * d;
            fe[i] = (unsigned char)blend_rvc(qi, d, exact->x, exact->I + i * exact->stride,
                                             exact->D + i * exact->stride, k, index_rate,
                                             re, fex);
            fa[i] = (unsigned char)blend_rvc(qi, d, ann->x, ann->I + i * ann->stride,
                                             ann->D + i * ann->stride, k, index_rate,
                                             ra, fan);
            err[i] = rel_error(fan, fex, d);
            cos[i] = cosine(ra, re, d);
            /* f moves by 0.01 (r - q) per 0.01 of index_rate */
            for (size_t j = 0; j < d; j++)
                ra[j] = 0.01 * (re[j] - qi[j]);
            unit[i] = norm(ra, d) / (norm(fex, d) > 0 ? norm(fex, d) : 1.0);
        }
        free(buf);
    }

    out->nq = nq;
    for (size_t i = 0; i < nq; i++) {
        out->missing_queries += !!(fa[i] & BLEND_MISSING);
        out->empty_queries += !!(fa[i] & BLEND_EMPTY);
        out->missing_exact += !!(fe[i] & BLEND_MISSING);
        out->zero_dist_ann += !!(fa[i] & BLEND_ZERO_DIST);
        out->zero_dist_exact += !!(fe[i] & BLEND_ZERO_DIST);
        if (i == 0 || err[i] > out->err_max)
            out->err_max = err[i];
    }
    if (!nq)
        out->err_max = NAN;
    out->err_mean = mean(err, nq);
    out->cos_mean = mean(cos, nq);
    out->ir_unit = mean(unit, nq);
    out->err_p95 = percentile(err, nq, 95);   /* sorts err: after the mean */

    free(err);
    free(cos);
    free(unit);
    free(fe);
    free(fa);
    return 0;
}

void blend_ip_to_sql2(float *D, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float s = 2.0f - 2.0f * D[i];
        D[i] = s > 0 ? s : 0;
    }
}

double blend_audio_seconds_batch(double qps)
{
    if (!(qps > 0) || !isfinite(qps))
        return NAN;
    return RVC_FRAMES_PER_SECOND / qps;
}

double blend_audio_seconds_single(double mean_latency_s)
{
    if (!(mean_latency_s >= 0) || !isfinite(mean_latency_s))
        return NAN;
    return RVC_FRAMES_PER_SECOND * mean_latency_s;
}
