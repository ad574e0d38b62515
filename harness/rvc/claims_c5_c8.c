/*
 * claims_c5_c8.c - the decision rules of claims C5 (nprobe: time and
 * sufficiency), C6 (k_factor of the exact re-ranking), C7 (alpha query
 * expansion) and C8 (k-means compression of the base). Each fills a
 * finding from the rows and does no I/O.
 */
#include "rvc/report_parts.h"
#include "lib/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONO_TOL 0.005      /* C6: how far a measure may move the wrong way */
#define SLOPE_LO 0.7        /* C5: time "proportional" to nprobe */
#define SLOPE_HI 1.3

/* ---- C5: nprobe ---- */

double loglog_slope(const double *x, const double *y, size_t n)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0, x0 = NAN;
    int distinct = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > 0) || !(y[i] > 0) || !isfinite(x[i]) || !isfinite(y[i]))
            continue;
        double lx = log(x[i]), ly = log(y[i]);
        if (isnan(x0))
            x0 = x[i];
        else if (x[i] != x0)
            distinct = 1;
        sx += lx;
        sy += ly;
        sxx += lx * lx;
        sxy += lx * ly;
        m++;
    }
    if (!distinct)
        return NAN;
    return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

/* One index: the factory and its preprocessing. */
static int what_index(const struct rep_row *x, char *out, size_t len)
{
    snprintf(out, len, "%s%s%s", x->r.factory, *x->r.preprocess ? " " : "", x->r.preprocess);
    return x->r.nprobe > 0;
}

void report_c5(const struct rep_rows *rr, struct finding *tp, struct finding *np)
{
    finding_release(tp);
    finding_release(np);
    int any = finding_make_cells(rr, tp, 5, what_index);
    finding_make_cells(rr, np, 5, what_index);
    for (size_t ci = 0; ci < tp->n_cells; ci++) {
        struct cell *c = &tp->cells[ci], *e = &np->cells[ci];
        double *x = xmalloc(rr->n * sizeof(double)), *y = xmalloc(rr->n * sizeof(double));
        long one = -1, best = -1, lo = 0, hi = 0;
        size_t m = 0;
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *r = &rr->v[i];
            if (r->claim != 5 || !rep_in_cell(r, c, what_index))
                continue;
            finding_use_row(tp, i);
            finding_use_row(np, i);
            if (has_time(r)) {
                x[m] = (double)r->r.nprobe;
                y[m++] = r->audio_s_batch;
                lo = lo && lo < r->r.nprobe ? lo : r->r.nprobe;
                hi = hi > r->r.nprobe ? hi : r->r.nprobe;
            }
            if (!has_err(r))
                continue;
            if (r->r.nprobe == 1)
                one = (long)i;
            if (best < 0 || r->blend_err_mean < rr->v[best].blend_err_mean)
                best = (long)i;
        }
        c->v[0] = loglog_slope(x, y, m);
        c->v[1] = (double)m;
        if (isnan(c->v[0])) {
            cell_why(c, "fewer than two nprobe values with a time");
        } else {
            c->outcome = c->v[0] >= SLOPE_LO && c->v[0] <= SLOPE_HI;
            cell_why(c, "log-log slope of batch time on nprobe %s over %zu points (nprobe %ld to %ld)",
                g3(c->v[0]).s, m, lo, hi);
        }
        if (one < 0) {
            cell_why(e, "no row at nprobe 1 with a blend error");
        } else if (isnan(report_tolerance(&rr->v[one]))) {
            cell_why(e, "blend error at nprobe 1: %s; no blend_ir_unit in this file (written before "
                   "schema 2) to set the tolerance", g3(rr->v[one].blend_err_mean).s);
        } else {
            const struct rep_row *o1 = &rr->v[one];
            long need = -1;
            for (size_t i = 0; i < rr->n; i++) {
                const struct rep_row *r = &rr->v[i];
                if (r->claim == 5 && rep_in_cell(r, c, what_index) && has_err(r) &&
                    r->blend_err_mean <= report_tolerance(o1) &&
                    (need < 0 || r->r.nprobe < rr->v[need].r.nprobe))
                    need = (long)i;
            }
            e->v[0] = o1->blend_err_mean;
            e->v[1] = report_tolerance(o1);
            e->v[2] = need >= 0 ? (double)rr->v[need].r.nprobe : NAN;
            e->v[3] = need >= 0 ? rr->v[need].audio_s_batch / o1->audio_s_batch : NAN;
            e->outcome = e->v[0] <= e->v[1];
            cell_why(e, "blend error at nprobe 1: %s, as much as moving index_rate by %s; tolerance "
                   "%s (index_rate %s); ", g3(e->v[0]).s,
                g3(e->v[0] / o1->blend_ir_unit * 0.01).s, g3(e->v[1]).s, g3(REPORT_IR_TOL).s);
            if (need < 0)
                cell_why(e, "no nprobe measured reaches it (lowest %s at nprobe %lld)",
                    g3(rr->v[best].blend_err_mean).s, (long long)rr->v[best].r.nprobe);
            else
                cell_why(e, "smallest nprobe within it: %lld (%s, batch time %sx nprobe 1's)",
                    (long long)rr->v[need].r.nprobe, g3(rr->v[need].blend_err_mean).s,
                    g3(e->v[3]).s);
        }
        free(y);
        free(x);
    }
    finding_conclude(tp, any);
    finding_conclude(np, any);
}

/* ---- C6: k_factor of the exact re-ranking ---- */

static int what_refine(const struct rep_row *x, char *out, size_t len)
{
    snprintf(out, len, "%s nprobe %lld%s%s", x->r.factory, (long long)x->r.nprobe,
             *x->r.preprocess ? " " : "", x->r.preprocess);
    return x->r.k_factor > 0;
}

void report_c6(const struct rep_rows *rr, struct finding *f)
{
    finding_release(f);
    int any = finding_make_cells(rr, f, 6, what_refine);
    for (size_t ci = 0; ci < f->n_cells; ci++) {
        struct cell *c = &f->cells[ci];
        size_t *ix = xmalloc(rr->n * sizeof(size_t)), m = 0;
        for (size_t i = 0; i < rr->n; i++)
            if (rr->v[i].claim == 6 && rep_in_cell(&rr->v[i], c, what_refine)) {
                finding_use_row(f, i);
                /* insertion by k_factor: a ladder has a handful of steps */
                size_t j = m++;
                for (; j > 0 && rr->v[ix[j - 1]].r.k_factor > rr->v[i].r.k_factor; j--)
                    ix[j] = ix[j - 1];
                ix[j] = i;
            }
        double top = NAN, low = NAN, fall = 0, rise = 0;
        for (size_t j = 0; j < m; j++) {
            const struct rep_row *x = &rr->v[ix[j]];
            if (!isnan(x->recall8)) {
                if (!isnan(top) && top - x->recall8 > fall)
                    fall = top - x->recall8;
                top = isnan(top) || x->recall8 > top ? x->recall8 : top;
            }
            if (has_err(x)) {
                if (!isnan(low) && x->blend_err_mean - low > rise)
                    rise = x->blend_err_mean - low;
                low = isnan(low) || x->blend_err_mean < low ? x->blend_err_mean : low;
            }
        }
        if (m < 2 || rr->v[ix[0]].r.k_factor == rr->v[ix[m - 1]].r.k_factor) {
            cell_why(c, "fewer than two k_factor values");
        } else {
            const struct rep_row *a = &rr->v[ix[0]], *b = &rr->v[ix[m - 1]];
            c->v[0] = fall;
            c->v[1] = rise;
            c->v[2] = (double)a->r.k_factor;
            c->v[3] = (double)b->r.k_factor;
            c->outcome = fall <= MONO_TOL && rise <= MONO_TOL;
            cell_why(c, "k_factor %lld to %lld: recall@%ld %s to %s, blend error %s to %s; largest fall "
                   "of recall below an earlier value %s, largest rise of blend error above an "
                   "earlier value %s", (long long)a->r.k_factor, (long long)b->r.k_factor, a->k8,
                g3(a->recall8).s, g3(b->recall8).s, g3(a->blend_err_mean).s,
                g3(b->blend_err_mean).s, g3(fall).s, g3(rise).s);
        }
        free(ix);
    }
    finding_conclude(f, any);
}

/* ---- C7 and C8: a preprocessing step against the same setting without it ---- */

/* The "qe=..." or "kmeans=..." item of a preprocess string. */
static int prep_item(const struct rep_row *x, const char *key, char *out, size_t len)
{
    const char *p = strstr(x->r.preprocess, key);
    if (!p)
        return 0;
    snprintf(out, len, "%.*s", (int)strcspn(p, ","), p);
    return 1;
}

static int what_qe(const struct rep_row *x, char *out, size_t len)
{
    return prep_item(x, "qe=", out, len) && has_err(x);
}

static int what_kmeans(const struct rep_row *x, char *out, size_t len)
{
    return prep_item(x, "kmeans=", out, len) && has_err(x);
}

/* The row measuring x's setting without the step (qe: expansion, else
 * k-means): the same family's row without it, else a C5 row, else today's
 * default; same place, nprobe and k_factor (and factory for expansion: k-means
 * changes nlist, which the rules derive from the rows indexed). -1 if none. */
static long without_step(const struct rep_rows *rr, const struct rep_row *x, int qe)
{
    for (int tier = 0; tier < 3; tier++) {
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *y = &rr->v[i];
            int match = tier == 0 ? !strcmp(y->label, x->label)
                      : tier == 1 ? y->claim == 5 : !strcmp(y->label, DEFAULT_LABEL);
            if (!match || !at(y, x->d, x->r.N, x->r.metric) || !has_err(y) ||
                y->r.nprobe != x->r.nprobe || (tier < 2 && y->r.k_factor != x->r.k_factor) ||
                (qe && tier < 2 && strcmp(y->r.factory, x->r.factory)))
                continue;
            if (qe ? !expanded(y) && compressed(y) == compressed(x) : plain(y))
                return (long)i;
        }
    }
    return -1;
}

static void with_without(const struct rep_rows *rr, struct finding *f, int claim, int qe)
{
    finding_release(f);
    int any = finding_make_cells(rr, f, claim, qe ? what_qe : what_kmeans);
    for (size_t ci = 0; ci < f->n_cells; ci++) {
        struct cell *c = &f->cells[ci];
        size_t pairs = 0, good = 0, unknown = 0;
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *x = &rr->v[i];
            if (x->claim != claim || !rep_in_cell(x, c, qe ? what_qe : what_kmeans))
                continue;
            finding_use_row(f, i);
            long b = without_step(rr, x, qe);
            if (b < 0)
                continue;
            const struct rep_row *y = &rr->v[b];
            double e = x->blend_err_mean, e0 = y->blend_err_mean;
            double tr = time_with_qe(x) / y->audio_s_batch;
            double br = y->r.index_bytes > 0 && x->r.index_bytes > 0
                        ? (double)x->r.index_bytes / (double)y->r.index_bytes : NAN;
            double tol = report_tolerance(y);
            int ok = qe ? e < e0 : e <= e0 + tol && (rep_time_cmp(rr, x, y) < 0 || br < 1);
            char s[160], s0[160];
            finding_use_row(f, (size_t)b);
            if (!pairs++) {
                c->v[0] = e;
                c->v[1] = e0;
                c->v[2] = tr;
                c->v[3] = br;
            }
            good += ok;
            rep_setting(x, s, sizeof(s));
            rep_setting(y, s0, sizeof(s0));
            cell_why(c, "%s%s: blend error %s; without (%s, `%s`): %s (ratio %s); batch time ratio %s",
                pairs > 1 ? "; " : "", s, g3(e).s, s0, y->label, g3(e0).s, g3(e / e0).s,
                g3(tr).s);
            if (qe && isfinite(x->audio_s_qexpand))
                cell_why(c, " (query expansion %s of %s ms/s)", ms_of(x->audio_s_qexpand).s,
                    ms_of(time_with_qe(x)).s);
            else if (qe && isnan(tr))
                cell_why(c, " (query expansion not timed in this file)");
            cell_why(c, ", index size ratio %s", g3(br).s);
            if (!qe)
                cell_why(c, ", tolerance %s", g3(tol).s);
            if (!qe && isnan(tol))
                unknown++;
        }
        if (!pairs)
            cell_why(c, "no row of the same setting without %s", qe ? "expansion" : "k-means");
        else if (unknown)
            cell_why(c, "; no blend_ir_unit (file before schema 2): no tolerance to decide with");
        else
            c->outcome = good == pairs;
    }
    finding_conclude(f, any);
}

void report_c7(const struct rep_rows *rr, struct finding *f)
{
    with_without(rr, f, 7, 1);
}

void report_c8(const struct rep_rows *rr, struct finding *f)
{
    with_without(rr, f, 8, 0);
}
