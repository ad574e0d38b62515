/*
 * claims_c1_c4.c - the decision rules of claims C1 (the 2023-04 default
 * against today's), C2 (l2 against cosine), C3 (4-bit PQ fast scan with
 * exact re-ranking against IVF-Flat) and C4 (nlist between 4 sqrt(N) and
 * 16 sqrt(N)). Each fills a finding from the rows and does no I/O.
 */
#include "rvc/report_parts.h"
#include "lib/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- C1: the 2023-04 default against today's ---- */

void report_c1(const struct rep_rows *rr, struct finding *f)
{
    finding_release(f);
    int any = finding_make_cells(rr, f, 1, rep_what_none);
    for (size_t i = 0; i < f->n_cells; i++) {
        struct cell *c = &f->cells[i];
        long a = rep_best_err(rr, RVC2304_LABEL, c->d, c->N, c->metric);
        long b = rep_best_err(rr, DEFAULT_LABEL, c->d, c->N, c->metric);
        char sa[160], sb[160];
        if (a >= 0)
            finding_use_row(f, (size_t)a);
        if (b >= 0)
            finding_use_row(f, (size_t)b);
        if (a < 0 || b < 0) {
            cell_why(c, "no `%s` row with a blend error here", a < 0 ? RVC2304_LABEL : DEFAULT_LABEL);
            continue;
        }
        const struct rep_row *x = &rr->v[a], *y = &rr->v[b];
        rep_setting(x, sa, sizeof(sa));
        rep_setting(y, sb, sizeof(sb));
        c->v[0] = x->blend_err_mean;
        c->v[1] = y->blend_err_mean;
        c->v[2] = x->audio_s_batch / y->audio_s_batch;
        c->v[3] = x->audio_s_single / y->audio_s_single;
        c->outcome = c->v[0] < c->v[1];
        cell_why(c, "2023-04 rule (%s): blend error %s; today's (%s): %s; search time 2023-04 / today: "
               "%sx batch, %sx single", sa, g3(c->v[0]).s, sb, g3(c->v[1]).s, g3(c->v[2]).s,
            g3(c->v[3]).s);
    }
    finding_conclude(f, any);
}

/* ---- C2: l2 against cosine ---- */

void report_c2(const struct rep_rows *rr, struct finding *f)
{
    int any = 0;
    finding_release(f);
    for (size_t i = 0; i < rr->n; i++)
        if (rr->v[i].claim == 2) {
            any = 1;
            finding_cell(f, rr->v[i].d, rr->v[i].r.N, "l2/cosine", "");
        }
    for (size_t ci = 0; ci < f->n_cells; ci++) {
        struct cell *c = &f->cells[ci];
        size_t pairs = 0, better = 0;
        double worst = NAN;
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *x = &rr->v[i];
            if (x->claim != 2 || !at(x, c->d, c->N, "l2") || !has_err(x))
                continue;
            for (size_t j = 0; j < rr->n; j++) {
                const struct rep_row *y = &rr->v[j];
                char s[160];
                if (y->claim != 2 || !at(y, c->d, c->N, "cosine") || !has_err(y) ||
                    strcmp(x->label, y->label) || strcmp(x->r.factory, y->r.factory) ||
                    strcmp(x->r.preprocess, y->r.preprocess) || x->r.nprobe != y->r.nprobe ||
                    x->r.k_factor != y->r.k_factor)
                    continue;
                double ratio = y->blend_err_mean / x->blend_err_mean;
                finding_use_row(f, i);
                finding_use_row(f, j);
                pairs++;
                better += y->blend_err_mean < x->blend_err_mean;
                if (isnan(worst) || ratio > worst)
                    worst = ratio;
                rep_setting(x, s, sizeof(s));
                cell_why(c, "%s%s: l2 %s, cosine %s", pairs > 1 ? "; " : "", s,
                    g3(x->blend_err_mean).s, g3(y->blend_err_mean).s);
                break;
            }
        }
        c->v[0] = (double)pairs;
        c->v[1] = (double)better;
        c->v[2] = worst;
        if (!pairs) {
            cell_why(c, "no setting measured with both l2 and cosine");
            continue;
        }
        c->outcome = better == pairs;
        cell_why(c, " (cosine lower in %zu of %zu)", better, pairs);
    }
    finding_conclude(f, any);
}

/* On what a speed call between two rows rests (see rep_time_cmp). */
static const char *time_basis(const struct rep_row *a, const struct rep_row *b)
{
    if (!(a->files & b->files))
        return "measured in different runs: faster by more than the widest spread between runs";
    return a->n_runs > 1 || b->n_runs > 1 ? "faster in every run pooled" : "one run each";
}

/* ---- C3: 4-bit PQ fast scan + exact re-ranking against IVF-Flat ---- */

void report_c3(const struct rep_rows *rr, struct finding *f)
{
    finding_release(f);
    int any = finding_make_cells(rr, f, 3, rep_what_none);
    for (size_t ci = 0; ci < f->n_cells; ci++) {
        struct cell *c = &f->cells[ci];
        long base = -1, win = -1, faith = -1, fast = -1;
        char s[160];
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *x = &rr->v[i];
            if ((x->claim != 4 && x->claim != 5) || !plain(x) || !ivf_flat(x->r.factory) ||
                x->r.nprobe != 1 || !at(x, c->d, c->N, c->metric) || !has_err(x) || !has_time(x))
                continue;
            finding_use_row(f, i);
            if (base < 0 || x->blend_err_mean < rr->v[base].blend_err_mean ||
                (x->blend_err_mean == rr->v[base].blend_err_mean &&
                 x->audio_s_batch < rr->v[base].audio_s_batch))
                base = (long)i;
        }
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *x = &rr->v[i];
            if (x->claim != 3 || !at(x, c->d, c->N, c->metric) || !has_err(x) || !has_time(x))
                continue;
            finding_use_row(f, i);
            if (faith < 0 || x->blend_err_mean < rr->v[faith].blend_err_mean)
                faith = (long)i;
            if (fast < 0 || x->audio_s_batch < rr->v[fast].audio_s_batch)
                fast = (long)i;
            if (base >= 0 && x->blend_err_mean <= rr->v[base].blend_err_mean &&
                (win < 0 || x->audio_s_batch < rr->v[win].audio_s_batch))
                win = (long)i;
        }
        /* faster only if faster in every run */
        int cmp = win >= 0 && base >= 0 ? rep_time_cmp(rr, &rr->v[win], &rr->v[base]) : 1;
        if (base < 0 || faith < 0) {
            cell_why(c, base < 0 ? "no IVF-Flat row at nprobe 1 (C4/C5 families, no k-means or "
                              "expansion) here" : "no C3 row with a blend error and a time here");
            continue;
        }
        const struct rep_row *b = &rr->v[base], *w = &rr->v[cmp < 0 ? win : faith];
        c->outcome = cmp < 0 ? 1 : cmp > 0 || rr->v[win].audio_s_batch >= b->audio_s_batch
                     ? 0 : -1;
        if (c->outcome < 0) {
            char sw[160];
            rep_setting(&rr->v[win], sw, sizeof(sw));
            cell_why(c, "the fastest C3 point at least as faithful (%s, %s at %s ms/s, range %s-%s "
                   "over %d runs) is faster by median than the IVF-Flat baseline (%s ms/s, range "
                   "%s-%s over %d runs) but not in every run; ", sw,
                g3(rr->v[win].blend_err_mean).s, ms(&rr->v[win]).s, ms_of(rr->v[win].t_lo).s,
                ms_of(rr->v[win].t_hi).s, rr->v[win].n_runs, ms(b).s, ms_of(b->t_lo).s,
                ms_of(b->t_hi).s, b->n_runs);
        }
        c->v[0] = b->blend_err_mean;
        c->v[1] = b->audio_s_batch;
        c->v[2] = w->blend_err_mean;
        c->v[3] = w->audio_s_batch;
        rep_setting(b, s, sizeof(s));
        cell_why(c, "most faithful IVF-Flat at nprobe 1: %s, blend error %s at %s ms/s; ", s,
            g3(b->blend_err_mean).s, ms(b).s);
        rep_setting(w, s, sizeof(s));
        if (cmp < 0) {
            cell_why(c, "fastest C3 point at least as faithful: %s, %s at %s ms/s (%s)", s,
                g3(w->blend_err_mean).s, ms(w).s,
                time_basis(w, b));
        } else {
            cell_why(c, "no C3 point is both as faithful and faster; most faithful C3: %s, %s at %s ms/s",
                s, g3(w->blend_err_mean).s, ms(w).s);
            rep_setting(&rr->v[fast], s, sizeof(s));
            cell_why(c, "; fastest C3: %s, %s at %s ms/s", s, g3(rr->v[fast].blend_err_mean).s,
                ms(&rr->v[fast]).s);
        }
    }
    finding_conclude(f, any);
}

/* ---- C4: nlist between 4*sqrt(N) and 16*sqrt(N) ---- */

static int c4_pool(const struct rep_row *x)
{
    return (x->claim == 4 || x->claim == 5 || !strcmp(x->label, RVC2304_LABEL)) && plain(x) &&
           x->r.nlist > 0 && has_err(x) && has_time(x);
}

void report_c4(const struct rep_rows *rr, struct finding *f)
{
    finding_release(f);
    int any = finding_make_cells(rr, f, 4, rep_what_none);
    for (size_t ci = 0; ci < f->n_cells; ci++) {
        struct cell *c = &f->cells[ci];
        long ref = rep_best_err(rr, DEFAULT_LABEL, c->d, c->N, c->metric), win = -1;
        double root = sqrt((double)c->N);
        char s[160];
        if (ref < 0) {
            cell_why(c, "no `%s` row here to set the blend error to reach", DEFAULT_LABEL);
            continue;
        }
        finding_use_row(f, (size_t)ref);
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *x = &rr->v[i];
            if (!c4_pool(x) || !at(x, c->d, c->N, c->metric))
                continue;
            finding_use_row(f, i);
            if (x->blend_err_mean <= rr->v[ref].blend_err_mean &&
                (win < 0 || x->audio_s_batch < rr->v[win].audio_s_batch))
                win = (long)i;
        }
        rep_setting(&rr->v[ref], s, sizeof(s));
        cell_why(c, "today's default (%s): blend error %s; ", s, g3(rr->v[ref].blend_err_mean).s);
        if (win < 0) {
            cell_why(c, "no C4, N//39 or C5 point reaches it");
            continue;
        }
        const struct rep_row *w = &rr->v[win];
        c->v[0] = (double)w->r.nlist;
        c->v[1] = 4 * root;
        c->v[2] = 16 * root;
        c->v[3] = w->audio_s_batch;
        /* {sqrt: m} rounds m*sqrt(N): half a list either side is the same rule. */
        c->outcome = c->v[0] >= c->v[1] - 0.5 && c->v[0] <= c->v[2] + 0.5;
        rep_setting(w, s, sizeof(s));
        cell_why(c, "fastest point at or below it: %s (`%s`), %s at %s ms/s; nlist %lld = %s x sqrt(N), "
               "range [%s, %s]; N//39 = %lld", s, w->label, g3(w->blend_err_mean).s, ms(w).s,
            (long long)w->r.nlist, g3(c->v[0] / root).s, g3(c->v[1]).s, g3(c->v[2]).s,
            (long long)(c->N / 39));
        /* Points as fast within the runs' spread, on the other side of the range, leave it open. */
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *x = &rr->v[i];
            double nl = (double)x->r.nlist;
            if (!c4_pool(x) || !at(x, c->d, c->N, c->metric) || x == w ||
                x->blend_err_mean > rr->v[ref].blend_err_mean || rep_time_cmp(rr, x, w) > 0 ||
                (nl >= c->v[1] - 0.5 && nl <= c->v[2] + 0.5) == c->outcome)
                continue;
            rep_setting(x, s, sizeof(s));
            cell_why(c, "; as fast within the runs' spread, on the other side of the range: %s, "
                   "%s ms/s (%s-%s)", s, ms(x).s, ms_of(x->t_lo).s, ms_of(x->t_hi).s);
            c->outcome = -1;
            break;
        }
    }
    finding_conclude(f, any);
}
