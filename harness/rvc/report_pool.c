/*
 * report_pool.c - repeated measurements of one point, across results files,
 * become one row for the report: pooled by out/pool (which points are one,
 * medians and ranges), the RVC-specific part here (the study's facts, the
 * spread between runs and the time comparison that uses it).
 *
 * These machines are shared: one run measured the same IVF setting at 0.27
 * and 0.54 ms per second of audio. A speed verdict from one run can be noise,
 * so the report takes several runs of a study, pools each point's times
 * (median) and keeps their range, and rep_time_cmp calls a difference only
 * when the ranges do not overlap. Quality numbers are deterministic for a
 * given input, so they must agree for rows to pool.
 */
#include "rvc/report_parts.h"
#include "lib/util.h"
#include "out/pool.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

long rep_rows_pool(struct rep_rows *rr, const struct result_set *sets, size_t n)
{
    struct pool_input *in = xcalloc(n ? n : 1, sizeof(*in));
    char **facts = xcalloc(n ? n : 1, sizeof(*facts));
    struct pool p;
    long merged = -1;

    for (size_t i = 0; i < n; i++) {
        const struct result_attr *d = results_attr(&sets[i], "d"), *name = results_attr(&sets[i], "name");
        /* rows pool within one study, at one d */
        facts[i] = xasprintf("name=%s\nd=%ld", name && name->type == ATTR_STR ? name->s : "",
                             d && d->type == ATTR_INT ? (long)d->i : 0L);
        in[i] = (struct pool_input){ &sets[i], facts[i] };
    }
    if (pool_build(&p, in, n, "ok") == 0) {
        size_t rows = 0;
        for (size_t i = 0; i < p.n_points; i++)
            rep_rows_add_point(rr, &p, i);
        for (size_t i = 0; i < n; i++)
            for (size_t r = 0; r < sets[i].n_rows; r++)
                rows += !strcmp(sets[i].rows[r].status, "ok");
        merged = (long)(rows - p.n_points);
    }
    pool_release(&p);
    rr->spread = NAN;
    for (size_t i = 0; i < rr->n; i++) {
        const struct rep_row *x = &rr->v[i];
        if (x->n_runs > 1 && x->t_lo > 0)
            rr->spread = fmax(rr->spread, x->t_hi / x->t_lo);   /* fmax skips the NaN */
    }
    for (size_t i = 0; i < n; i++)
        free(facts[i]);
    free(facts);
    free(in);
    return merged;
}

int rep_time_cmp(const struct rep_rows *rr, const struct rep_row *a, const struct rep_row *b)
{
    double m = 1;
    if (!(a->files & b->files)) {
        if (!(rr->spread >= 1))
            return 0;
        m = rr->spread;
    }
    if (a->t_hi * m < b->t_lo)
        return -1;
    if (a->t_lo > b->t_hi * m)
        return 1;
    return 0;
}
