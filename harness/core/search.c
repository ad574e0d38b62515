/*
 * search.c - calibration, repetitions and latency rounds of one search
 * setting, and the budget and schedule arithmetic they follow.
 */
#include "core/search.h"
#include "lib/util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t search_calls_next(size_t calls, double seconds, double min_time)
{
    double want = seconds > 0 ? ceil((double)calls * 1.2 * min_time / seconds)
                              : (double)calls * SEARCH_CALLS_GROWTH;
    double most = (double)calls * SEARCH_CALLS_GROWTH;
    size_t n;

    if (want > most)
        want = most;
    n = want > (double)SEARCH_MAX_CALLS ? SEARCH_MAX_CALLS : (size_t)want;
    if (n <= calls)
        n = calls + 1;
    return n > SEARCH_MAX_CALLS ? SEARCH_MAX_CALLS : n;
}

int search_budget(double each_s, int wanted, double max_time)
{
    double fit;
    if (wanted < 1)
        return 1;
    if (!(each_s > 0))
        return wanted;
    fit = floor(max_time / each_s);
    if (fit < 1)
        return 1;
    return fit < (double)wanted ? (int)fit : wanted;
}

int search_visits(int reps, int rounds, int r)
{
    return r >= rounds - reps && r < rounds;
}

int search_repetition(struct fs_index *idx, const float *xq, size_t nq, size_t k, size_t calls,
                      float *D, int64_t *I, double *seconds)
{
    double t0 = now_s();
    for (size_t c = 0; c < calls; c++)
        if (backend_search(idx, nq, xq, k, D, I))
            return -1;
    *seconds = now_s() - t0;
    return 0;
}

int search_calibrate(struct fs_index *idx, const float *xq, size_t nq, size_t k,
                     const struct measure_spec *ms, float *D, int64_t *I, struct batch_plan *bp)
{
    double t = 0;
    int first = 1;

    bp->calls = 1;
    bp->ndis_per_query = NAN;
    for (int i = 0; i < ms->warmup; i++, first = 0) {
        if (first)
            backend_ivf_stats_reset();
        if (search_repetition(idx, xq, nq, k, 1, D, I, &t))
            return -1;
        if (first)
            bp->ndis_per_query = backend_ivf_ndis() / (double)(nq ? nq : 1);
    }
    /* A warm-up call as long as a repetition already tells its length;
     * a shorter one tells where to start. */
    if (ms->warmup > 0 && t >= ms->min_time)
        goto done;
    if (ms->warmup > 0)
        bp->calls = search_calls_next(1, t, ms->min_time);
    for (;;) {
        if (first)
            backend_ivf_stats_reset();
        if (search_repetition(idx, xq, nq, k, bp->calls, D, I, &t))
            return -1;
        if (first)
            bp->ndis_per_query = backend_ivf_ndis() / (double)bp->calls / (double)(nq ? nq : 1);
        first = 0;
        if (t >= ms->min_time || bp->calls >= SEARCH_MAX_CALLS)
            break;
        bp->calls = search_calls_next(bp->calls, t, ms->min_time);
    }
done:
    bp->rep_s = t;
    bp->reps = search_budget(t, ms->repeats, ms->max_time);
    return 0;
}

size_t search_latency_queries(const struct measure_spec *ms, size_t nq)
{
    size_t n = ms->latency_queries < 0 ? nq : (size_t)ms->latency_queries;
    return n > nq ? nq : n;
}

int search_latency_round(struct fs_index *idx, const float *xq, size_t n, size_t d, size_t k,
                         double *us)
{
    float *D = xmalloc(k * sizeof(*D));
    int64_t *I = xmalloc(k * sizeof(*I));
    int rc = -1;

    if (n && backend_search(idx, 1, xq, k, D, I))
        goto out;
    for (size_t i = 0; i < n; i++) {
        double t0 = now_s();
        if (backend_search(idx, 1, xq + i * d, k, D, I))
            goto out;
        us[i] = (now_s() - t0) * 1e6;
    }
    rc = 0;
out:
    free(D);
    free(I);
    return rc;
}

/* Whether the n characters at s are `word` followed by digits (at least
 * one when `digits`), then optionally "x" or "_" and digits. */
static int is_word_number(const char *s, size_t n, const char *word, int digits)
{
    size_t w = strlen(word), i;
    if (n < w || strncmp(s, word, w))
        return 0;
    for (i = w; i < n && isdigit((unsigned char)s[i]); i++)
        ;
    if (digits && i == w)
        return 0;
    if (i < n && (s[i] == 'x' || s[i] == '_') && i + 1 < n) {
        for (i++; i < n && isdigit((unsigned char)s[i]); i++)
            ;
    }
    return i == n;
}

static int component_prefix_exact(const char *s, size_t n)
{
    return (n == 4 && !strncmp(s, "Flat", 4)) || (n == 6 && !strncmp(s, "L2norm", 6)) ||
           is_word_number(s, n, "IVF", 1) || is_word_number(s, n, "PQ", 1) ||
           is_word_number(s, n, "PCAR", 1) || is_word_number(s, n, "PCA", 1) ||
           is_word_number(s, n, "OPQ", 1) || (n > 2 && !strncmp(s, "SQ", 2));
}

int search_prefix_exact(const char *factory)
{
    const char *s = factory;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (!component_prefix_exact(s, n))
            return 0;
        if (!e)
            return 1;
        s = e + 1;
    }
}
