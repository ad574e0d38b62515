/*
 * report.c - `faiss-sweep report`: the faiss tips' claims C1-C8 decided from
 * measured rows, written as Markdown with one plot per claim, and the
 * recommended RVC index default per base size.
 *
 * Three layers, top to bottom in this file: the merged rows (ok rows of every
 * input file, with the dimension of their file and the config label that
 * names their claim); the decision rules, one small function per claim that
 * fills cells (one per d, metric, N and setting) with an outcome and the
 * numbers behind it, and no I/O; and the writers, which print what the rules
 * decided and hand data files to the gnuplot templates plots/report_*.gp.
 * The sentence that states each rule lives in claim_text[] next to nothing
 * else, so the report says exactly what the code below it does.
 */
#include "rvc/report.h"
#include "out/gnuplot.h"
#include "lib/util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MONO_TOL 0.005      /* C6: how far a measure may move the wrong way */
#define SLOPE_LO 0.7        /* C5: time "proportional" to nprobe */
#define SLOPE_HI 1.3
#define DEFAULT_LABEL "C1 rvc-default"
#define RVC2304_LABEL "C1 rvc-2023-04"

/* ---- the merged rows ---- */

static long k_index(const struct result_set *rs, long k)
{
    for (size_t i = 0; i < rs->n_ks; i++)
        if (rs->ks[i] == k)
            return (long)i;
    return -1;
}

/* The config label: the family without the " <preprocess>" the run appends. */
static void label_of(const struct result_row *r, char *out, size_t len)
{
    size_t nf = strlen(r->family), np = strlen(r->preprocess);
    snprintf(out, len, "%s", r->family);
    if (np && nf > np + 1 && nf < len && out[nf - np - 1] == ' ' &&
        !strcmp(out + nf - np, r->preprocess))
        out[nf - np - 1] = '\0';
}

static int claim_of(const char *label)
{
    return label[0] == 'C' && label[1] >= '1' && label[1] <= '8' && label[2] == ' '
           ? label[1] - '0' : 0;
}

void rep_rows_add(struct rep_rows *rr, const struct result_set *rs, int file)
{
    const struct result_attr *a = results_attr(rs, "d"), *name = results_attr(rs, "name");
    long d = a && a->type == ATTR_INT ? (long)a->i : 0;
    long i1 = k_index(rs, 1), i8 = k_index(rs, 8), imax = 0;

    for (size_t i = 1; i < rs->n_ks; i++)
        if (rs->ks[i] > rs->ks[imax])
            imax = (long)i;
    if (i8 < 0)
        i8 = rs->n_ks ? imax : -1;
    for (size_t i = 0; i < rs->n_rows; i++) {
        const struct result_row *r = &rs->rows[i];
        if (strcmp(r->status, "ok"))
            continue;
        if (rr->n == rr->cap) {
            rr->cap = rr->cap ? 2 * rr->cap : 64;
            rr->v = xrealloc(rr->v, rr->cap * sizeof(*rr->v));
        }
        struct rep_row *x = &rr->v[rr->n++];
        memset(x, 0, sizeof(*x));
        x->r = *r;
        x->d = d;
        x->file = file;
        x->files = file >= 0 && file < 32 ? 1u << file : 0;
        snprintf(x->run, sizeof(x->run), "%s", name && name->type == ATTR_STR ? name->s : "");
        x->n_runs = 1;
        x->src_row = i;
        x->blend_err_mean = r->blend_err_mean;
        x->blend_err_p95 = r->blend_err_p95;
        x->blend_cos_mean = r->blend_cos_mean;
        x->blend_missing = r->blend_missing;
        x->blend_zero_dist = r->blend_zero_dist;
        x->blend_ir_unit = r->blend_ir_unit;
        x->audio_s_batch = r->audio_s_batch;
        x->audio_s_single = r->audio_s_single;
        x->audio_s_qexpand = r->audio_s_qexpand;
        x->t_lo = x->t_hi = x->audio_s_batch;
        label_of(r, x->label, sizeof(x->label));
        x->claim = claim_of(x->label);
        x->recall1 = i1 >= 0 ? r->recall_at[i1] : NAN;
        x->recall8 = i8 >= 0 ? r->recall_at[i8] : NAN;
        x->k8 = i8 >= 0 ? rs->ks[i8] : 0;
    }
}

void rep_rows_release(struct rep_rows *rr)
{
    free(rr->v);
    memset(rr, 0, sizeof(*rr));
}

/* ---- row predicates ---- */

static int has_err(const struct rep_row *x)
{
    return isfinite(x->blend_err_mean);
}

static int has_time(const struct rep_row *x)
{
    return isfinite(x->audio_s_batch) && x->audio_s_batch > 0;
}

double report_tolerance(const struct rep_row *x)
{
    return x->blend_ir_unit * (REPORT_IR_TOL / 0.01);
}

/* Batch search time per second of audio with the query expansion RVC would
 * run first (C7); NaN when the queries were expanded but that was not timed. */
static double time_with_qe(const struct rep_row *x)
{
    int q = strstr(x->r.preprocess, "qe=queries") || strstr(x->r.preprocess, "qe=both");
    if (!q)
        return x->audio_s_batch;
    return x->audio_s_batch + x->audio_s_qexpand;
}

static int expanded(const struct rep_row *x)
{
    return strstr(x->r.preprocess, "qe=") != NULL;
}

static int compressed(const struct rep_row *x)
{
    return x->r.n_clusters > 0 || strstr(x->r.preprocess, "kmeans=") != NULL;
}

static int plain(const struct rep_row *x)
{
    return !expanded(x) && !compressed(x);
}

static int at(const struct rep_row *x, long d, int64_t N, const char *metric)
{
    return x->d == d && x->r.N == N && (!metric || !strcmp(x->r.metric, metric));
}

/* "IVF<n>,Flat": an inverted file over raw vectors, nothing else. */
static int ivf_flat(const char *factory)
{
    const char *p = factory;
    if (strncmp(p, "IVF", 3))
        return 0;
    for (p += 3; *p >= '0' && *p <= '9'; p++)
        ;
    return p > factory + 3 && !strcmp(p, ",Flat");
}

/* Among rows labelled `label` at (d, N, metric) with a blend error, the most
 * faithful (then the fastest); -1 if none. metric NULL = any. */
static long best_err(const struct rep_rows *rr, const char *label, long d, int64_t N,
                     const char *metric)
{
    long b = -1;
    for (size_t i = 0; i < rr->n; i++) {
        const struct rep_row *x = &rr->v[i];
        if (strcmp(x->label, label) || !at(x, d, N, metric) || !has_err(x))
            continue;
        if (b < 0 || x->blend_err_mean < rr->v[b].blend_err_mean ||
            (x->blend_err_mean == rr->v[b].blend_err_mean &&
             x->audio_s_batch < rr->v[b].audio_s_batch))
            b = (long)i;
    }
    return b;
}

/* ---- findings ---- */

void finding_init(struct finding *f)
{
    memset(f, 0, sizeof(*f));
}

void finding_release(struct finding *f)
{
    free(f->rows);
    finding_init(f);
}

/* Remember that the rule looked at row i (once). */
static void use_row(struct finding *f, size_t i)
{
    for (size_t j = 0; j < f->n_rows; j++)
        if (f->rows[j] == i)
            return;
    if (f->n_rows == f->cap_rows) {
        f->cap_rows = f->cap_rows ? 2 * f->cap_rows : 32;
        f->rows = xrealloc(f->rows, f->cap_rows * sizeof(*f->rows));
    }
    f->rows[f->n_rows++] = i;
}

/* The cell for (d, N, metric, what), added if new; NULL when full. */
static struct cell *cell_get(struct finding *f, long d, int64_t N, const char *metric,
                             const char *what)
{
    for (size_t i = 0; i < f->n_cells; i++) {
        struct cell *c = &f->cells[i];
        if (c->d == d && c->N == N && !strcmp(c->metric, metric) && !strcmp(c->what, what))
            return c;
    }
    if (f->n_cells == REPORT_MAX_CELLS)
        return NULL;
    struct cell *c = &f->cells[f->n_cells++];
    memset(c, 0, sizeof(*c));
    c->d = d;
    c->N = N;
    snprintf(c->metric, sizeof(c->metric), "%s", metric);
    snprintf(c->what, sizeof(c->what), "%s", what);
    c->outcome = -1;
    for (int k = 0; k < 4; k++)
        c->v[k] = NAN;
    return c;
}

/* Append printf text to a cell's why (cut when full). */
static void __attribute__((format(printf, 2, 3))) why(struct cell *c, const char *fmt, ...)
{
    size_t used = strlen(c->why);
    va_list ap;
    if (used + 1 >= sizeof(c->why))
        return;
    va_start(ap, fmt);
    vsnprintf(c->why + used, sizeof(c->why) - used, fmt, ap);
    va_end(ap);
}

/* The verdict from the cells: all one way, or split by N (each N agreeing
 * with itself), or split some other way. `any` = the claim has rows. */
static void conclude(struct finding *f, int any)
{
    int seen[2] = { 0, 0 };
    f->verdict = VERDICT_NOT_MEASURED;
    if (!any)
        return;
    for (size_t i = 0; i < f->n_cells; i++)
        if (f->cells[i].outcome >= 0)
            seen[f->cells[i].outcome] = 1;
    if (!seen[0] && !seen[1]) {
        f->verdict = VERDICT_UNDECIDED;
        return;
    }
    if (!seen[0] || !seen[1]) {
        f->verdict = seen[1] ? VERDICT_SUPPORTED : VERDICT_NOT_SUPPORTED;
        return;
    }
    f->verdict = VERDICT_DEPENDS_ON_N;
    for (size_t i = 0; i < f->n_cells; i++)
        for (size_t j = i + 1; j < f->n_cells; j++)
            if (f->cells[i].outcome >= 0 && f->cells[j].outcome >= 0 &&
                f->cells[i].N == f->cells[j].N && f->cells[i].outcome != f->cells[j].outcome)
                f->verdict = VERDICT_MIXED;
}

const char *verdict_name(enum verdict v)
{
    switch (v) {
    case VERDICT_SUPPORTED: return "supported";
    case VERDICT_NOT_SUPPORTED: return "not supported";
    case VERDICT_DEPENDS_ON_N: return "depends on N";
    case VERDICT_MIXED: return "depends on d or on the setting";
    case VERDICT_UNDECIDED: return "not decided";
    case VERDICT_NOT_MEASURED: break;
    }
    return "not measured in these files";
}

/* ---- numbers in words ---- */

struct num { char s[32]; };

/* Three significant digits, no exponent for ordinary magnitudes; "-" for NaN. */
static struct num g3(double v)
{
    struct num n;
    if (isnan(v)) {
        snprintf(n.s, sizeof(n.s), "-");
    } else if (isinf(v)) {
        snprintf(n.s, sizeof(n.s), "%s", v > 0 ? "inf" : "-inf");
    } else if (fabs(v) >= 1000) {
        double p = pow(10, floor(log10(fabs(v))) - 2);
        snprintf(n.s, sizeof(n.s), "%.0f", round(v / p) * p);
    } else {
        snprintf(n.s, sizeof(n.s), "%.3g", v);
    }
    return n;
}

/* Seconds per second of audio as ms per second. */
static struct num ms_of(double s)
{
    return g3(s * 1e3);
}

/* Batch search time in ms per second of audio. */
static struct num ms(const struct rep_row *x)
{
    return ms_of(x->audio_s_batch);
}

/* "IVF256,Flat nprobe 1 k_factor 4" */
static void setting(const struct rep_row *x, char *out, size_t len)
{
    int n = snprintf(out, len, "%s", x->r.factory);
    if (x->r.nprobe > 0 && n >= 0 && (size_t)n < len)
        n += snprintf(out + n, len - (size_t)n, " nprobe %lld", (long long)x->r.nprobe);
    if (x->r.k_factor > 0 && n >= 0 && (size_t)n < len)
        snprintf(out + n, len - (size_t)n, " k_factor %lld", (long long)x->r.k_factor);
}

/* ---- cells made from a claim's rows ---- */

/* The setting a row's cell is about; 0 = the row makes no cell. */
typedef int (*what_fn)(const struct rep_row *, char *out, size_t len);

static int what_none(const struct rep_row *x, char *out, size_t len)
{
    (void)x;
    snprintf(out, len, "%s", "");
    return 1;
}

/* One cell per (d, N, metric, what) among rows of `claim`; returns whether
 * the claim has any row at all. */
static int make_cells(const struct rep_rows *rr, struct finding *f, int claim, what_fn what)
{
    char w[REPORT_WHAT];
    int any = 0;
    for (size_t i = 0; i < rr->n; i++) {
        const struct rep_row *x = &rr->v[i];
        if (x->claim != claim)
            continue;
        any = 1;
        if (what(x, w, sizeof(w)))
            cell_get(f, x->d, x->r.N, x->r.metric, w);
    }
    return any;
}

static int in_cell(const struct rep_row *x, const struct cell *c, what_fn what)
{
    char w[REPORT_WHAT];
    return at(x, c->d, c->N, c->metric) && what(x, w, sizeof(w)) && !strcmp(w, c->what);
}

/* ---- C1: the 2023-04 default against today's ---- */

void report_c1(const struct rep_rows *rr, struct finding *f)
{
    finding_release(f);
    int any = make_cells(rr, f, 1, what_none);
    for (size_t i = 0; i < f->n_cells; i++) {
        struct cell *c = &f->cells[i];
        long a = best_err(rr, RVC2304_LABEL, c->d, c->N, c->metric);
        long b = best_err(rr, DEFAULT_LABEL, c->d, c->N, c->metric);
        char sa[160], sb[160];
        if (a >= 0)
            use_row(f, (size_t)a);
        if (b >= 0)
            use_row(f, (size_t)b);
        if (a < 0 || b < 0) {
            why(c, "no `%s` row with a blend error here", a < 0 ? RVC2304_LABEL : DEFAULT_LABEL);
            continue;
        }
        const struct rep_row *x = &rr->v[a], *y = &rr->v[b];
        setting(x, sa, sizeof(sa));
        setting(y, sb, sizeof(sb));
        c->v[0] = x->blend_err_mean;
        c->v[1] = y->blend_err_mean;
        c->v[2] = x->audio_s_batch / y->audio_s_batch;
        c->v[3] = x->audio_s_single / y->audio_s_single;
        c->outcome = c->v[0] < c->v[1];
        why(c, "2023-04 rule (%s): blend error %s; today's (%s): %s; search time 2023-04 / today: "
               "%sx batch, %sx single", sa, g3(c->v[0]).s, sb, g3(c->v[1]).s, g3(c->v[2]).s,
            g3(c->v[3]).s);
    }
    conclude(f, any);
}

/* ---- C2: l2 against cosine ---- */

void report_c2(const struct rep_rows *rr, struct finding *f)
{
    int any = 0;
    finding_release(f);
    for (size_t i = 0; i < rr->n; i++)
        if (rr->v[i].claim == 2) {
            any = 1;
            cell_get(f, rr->v[i].d, rr->v[i].r.N, "l2/cosine", "");
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
                use_row(f, i);
                use_row(f, j);
                pairs++;
                better += y->blend_err_mean < x->blend_err_mean;
                if (isnan(worst) || ratio > worst)
                    worst = ratio;
                setting(x, s, sizeof(s));
                why(c, "%s%s: l2 %s, cosine %s", pairs > 1 ? "; " : "", s,
                    g3(x->blend_err_mean).s, g3(y->blend_err_mean).s);
                break;
            }
        }
        c->v[0] = (double)pairs;
        c->v[1] = (double)better;
        c->v[2] = worst;
        if (!pairs) {
            why(c, "no setting measured with both l2 and cosine");
            continue;
        }
        c->outcome = better == pairs;
        why(c, " (cosine lower in %zu of %zu)", better, pairs);
    }
    conclude(f, any);
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
    int any = make_cells(rr, f, 3, what_none);
    for (size_t ci = 0; ci < f->n_cells; ci++) {
        struct cell *c = &f->cells[ci];
        long base = -1, win = -1, faith = -1, fast = -1;
        char s[160];
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *x = &rr->v[i];
            if ((x->claim != 4 && x->claim != 5) || !plain(x) || !ivf_flat(x->r.factory) ||
                x->r.nprobe != 1 || !at(x, c->d, c->N, c->metric) || !has_err(x) || !has_time(x))
                continue;
            use_row(f, i);
            if (base < 0 || x->blend_err_mean < rr->v[base].blend_err_mean ||
                (x->blend_err_mean == rr->v[base].blend_err_mean &&
                 x->audio_s_batch < rr->v[base].audio_s_batch))
                base = (long)i;
        }
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *x = &rr->v[i];
            if (x->claim != 3 || !at(x, c->d, c->N, c->metric) || !has_err(x) || !has_time(x))
                continue;
            use_row(f, i);
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
            why(c, base < 0 ? "no IVF-Flat row at nprobe 1 (C4/C5 families, no k-means or "
                              "expansion) here" : "no C3 row with a blend error and a time here");
            continue;
        }
        const struct rep_row *b = &rr->v[base], *w = &rr->v[cmp < 0 ? win : faith];
        c->outcome = cmp < 0 ? 1 : cmp > 0 || rr->v[win].audio_s_batch >= b->audio_s_batch
                     ? 0 : -1;
        if (c->outcome < 0) {
            char sw[160];
            setting(&rr->v[win], sw, sizeof(sw));
            why(c, "the fastest C3 point at least as faithful (%s, %s at %s ms/s, range %s-%s "
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
        setting(b, s, sizeof(s));
        why(c, "most faithful IVF-Flat at nprobe 1: %s, blend error %s at %s ms/s; ", s,
            g3(b->blend_err_mean).s, ms(b).s);
        setting(w, s, sizeof(s));
        if (cmp < 0) {
            why(c, "fastest C3 point at least as faithful: %s, %s at %s ms/s (%s)", s,
                g3(w->blend_err_mean).s, ms(w).s,
                time_basis(w, b));
        } else {
            why(c, "no C3 point is both as faithful and faster; most faithful C3: %s, %s at %s ms/s",
                s, g3(w->blend_err_mean).s, ms(w).s);
            setting(&rr->v[fast], s, sizeof(s));
            why(c, "; fastest C3: %s, %s at %s ms/s", s, g3(rr->v[fast].blend_err_mean).s,
                ms(&rr->v[fast]).s);
        }
    }
    conclude(f, any);
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
    int any = make_cells(rr, f, 4, what_none);
    for (size_t ci = 0; ci < f->n_cells; ci++) {
        struct cell *c = &f->cells[ci];
        long ref = best_err(rr, DEFAULT_LABEL, c->d, c->N, c->metric), win = -1;
        double root = sqrt((double)c->N);
        char s[160];
        if (ref < 0) {
            why(c, "no `%s` row here to set the blend error to reach", DEFAULT_LABEL);
            continue;
        }
        use_row(f, (size_t)ref);
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *x = &rr->v[i];
            if (!c4_pool(x) || !at(x, c->d, c->N, c->metric))
                continue;
            use_row(f, i);
            if (x->blend_err_mean <= rr->v[ref].blend_err_mean &&
                (win < 0 || x->audio_s_batch < rr->v[win].audio_s_batch))
                win = (long)i;
        }
        setting(&rr->v[ref], s, sizeof(s));
        why(c, "today's default (%s): blend error %s; ", s, g3(rr->v[ref].blend_err_mean).s);
        if (win < 0) {
            why(c, "no C4, N//39 or C5 point reaches it");
            continue;
        }
        const struct rep_row *w = &rr->v[win];
        c->v[0] = (double)w->r.nlist;
        c->v[1] = 4 * root;
        c->v[2] = 16 * root;
        c->v[3] = w->audio_s_batch;
        /* {sqrt: m} rounds m*sqrt(N): half a list either side is the same rule. */
        c->outcome = c->v[0] >= c->v[1] - 0.5 && c->v[0] <= c->v[2] + 0.5;
        setting(w, s, sizeof(s));
        why(c, "fastest point at or below it: %s (`%s`), %s at %s ms/s; nlist %lld = %s x sqrt(N), "
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
            setting(x, s, sizeof(s));
            why(c, "; as fast within the runs' spread, on the other side of the range: %s, "
                   "%s ms/s (%s-%s)", s, ms(x).s, ms_of(x->t_lo).s, ms_of(x->t_hi).s);
            c->outcome = -1;
            break;
        }
    }
    conclude(f, any);
}

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
    int any = make_cells(rr, tp, 5, what_index);
    make_cells(rr, np, 5, what_index);
    for (size_t ci = 0; ci < tp->n_cells; ci++) {
        struct cell *c = &tp->cells[ci], *e = &np->cells[ci];
        double *x = xmalloc(rr->n * sizeof(double)), *y = xmalloc(rr->n * sizeof(double));
        long one = -1, best = -1, lo = 0, hi = 0;
        size_t m = 0;
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *r = &rr->v[i];
            if (r->claim != 5 || !in_cell(r, c, what_index))
                continue;
            use_row(tp, i);
            use_row(np, i);
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
            why(c, "fewer than two nprobe values with a time");
        } else {
            c->outcome = c->v[0] >= SLOPE_LO && c->v[0] <= SLOPE_HI;
            why(c, "log-log slope of batch time on nprobe %s over %zu points (nprobe %ld to %ld)",
                g3(c->v[0]).s, m, lo, hi);
        }
        if (one < 0) {
            why(e, "no row at nprobe 1 with a blend error");
        } else if (isnan(report_tolerance(&rr->v[one]))) {
            why(e, "blend error at nprobe 1: %s; no blend_ir_unit in this file (written before "
                   "schema 2) to set the tolerance", g3(rr->v[one].blend_err_mean).s);
        } else {
            const struct rep_row *o1 = &rr->v[one];
            long need = -1;
            for (size_t i = 0; i < rr->n; i++) {
                const struct rep_row *r = &rr->v[i];
                if (r->claim == 5 && in_cell(r, c, what_index) && has_err(r) &&
                    r->blend_err_mean <= report_tolerance(o1) &&
                    (need < 0 || r->r.nprobe < rr->v[need].r.nprobe))
                    need = (long)i;
            }
            e->v[0] = o1->blend_err_mean;
            e->v[1] = report_tolerance(o1);
            e->v[2] = need >= 0 ? (double)rr->v[need].r.nprobe : NAN;
            e->v[3] = need >= 0 ? rr->v[need].audio_s_batch / o1->audio_s_batch : NAN;
            e->outcome = e->v[0] <= e->v[1];
            why(e, "blend error at nprobe 1: %s, as much as moving index_rate by %s; tolerance "
                   "%s (index_rate %s); ", g3(e->v[0]).s,
                g3(e->v[0] / o1->blend_ir_unit * 0.01).s, g3(e->v[1]).s, g3(REPORT_IR_TOL).s);
            if (need < 0)
                why(e, "no nprobe measured reaches it (lowest %s at nprobe %lld)",
                    g3(rr->v[best].blend_err_mean).s, (long long)rr->v[best].r.nprobe);
            else
                why(e, "smallest nprobe within it: %lld (%s, batch time %sx nprobe 1's)",
                    (long long)rr->v[need].r.nprobe, g3(rr->v[need].blend_err_mean).s,
                    g3(e->v[3]).s);
        }
        free(y);
        free(x);
    }
    conclude(tp, any);
    conclude(np, any);
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
    int any = make_cells(rr, f, 6, what_refine);
    for (size_t ci = 0; ci < f->n_cells; ci++) {
        struct cell *c = &f->cells[ci];
        size_t *ix = xmalloc(rr->n * sizeof(size_t)), m = 0;
        for (size_t i = 0; i < rr->n; i++)
            if (rr->v[i].claim == 6 && in_cell(&rr->v[i], c, what_refine)) {
                use_row(f, i);
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
            why(c, "fewer than two k_factor values");
        } else {
            const struct rep_row *a = &rr->v[ix[0]], *b = &rr->v[ix[m - 1]];
            c->v[0] = fall;
            c->v[1] = rise;
            c->v[2] = (double)a->r.k_factor;
            c->v[3] = (double)b->r.k_factor;
            c->outcome = fall <= MONO_TOL && rise <= MONO_TOL;
            why(c, "k_factor %lld to %lld: recall@%ld %s to %s, blend error %s to %s; largest fall "
                   "of recall below an earlier value %s, largest rise of blend error above an "
                   "earlier value %s", (long long)a->r.k_factor, (long long)b->r.k_factor, a->k8,
                g3(a->recall8).s, g3(b->recall8).s, g3(a->blend_err_mean).s,
                g3(b->blend_err_mean).s, g3(fall).s, g3(rise).s);
        }
        free(ix);
    }
    conclude(f, any);
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
    int any = make_cells(rr, f, claim, qe ? what_qe : what_kmeans);
    for (size_t ci = 0; ci < f->n_cells; ci++) {
        struct cell *c = &f->cells[ci];
        size_t pairs = 0, good = 0, unknown = 0;
        for (size_t i = 0; i < rr->n; i++) {
            const struct rep_row *x = &rr->v[i];
            if (x->claim != claim || !in_cell(x, c, qe ? what_qe : what_kmeans))
                continue;
            use_row(f, i);
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
            use_row(f, (size_t)b);
            if (!pairs++) {
                c->v[0] = e;
                c->v[1] = e0;
                c->v[2] = tr;
                c->v[3] = br;
            }
            good += ok;
            setting(x, s, sizeof(s));
            setting(y, s0, sizeof(s0));
            why(c, "%s%s: blend error %s; without (%s, `%s`): %s (ratio %s); batch time ratio %s",
                pairs > 1 ? "; " : "", s, g3(e).s, s0, y->label, g3(e0).s, g3(e / e0).s,
                g3(tr).s);
            if (qe && isfinite(x->audio_s_qexpand))
                why(c, " (query expansion %s of %s ms/s)", ms_of(x->audio_s_qexpand).s,
                    ms_of(time_with_qe(x)).s);
            else if (qe && isnan(tr))
                why(c, " (query expansion not timed in this file)");
            why(c, ", index size ratio %s", g3(br).s);
            if (!qe)
                why(c, ", tolerance %s", g3(tol).s);
            if (!qe && isnan(tol))
                unknown++;
        }
        if (!pairs)
            why(c, "no row of the same setting without %s", qe ? "expansion" : "k-means");
        else if (unknown)
            why(c, "; no blend_ir_unit (file before schema 2): no tolerance to decide with");
        else
            c->outcome = good == pairs;
    }
    conclude(f, any);
}

void report_c7(const struct rep_rows *rr, struct finding *f)
{
    with_without(rr, f, 7, 1);
}

void report_c8(const struct rep_rows *rr, struct finding *f)
{
    with_without(rr, f, 8, 0);
}

/* ---- the recommended default ---- */

long report_recommend(const struct rep_rows *rr, long d, int64_t N, long *def)
{
    long b = -1;
    *def = best_err(rr, DEFAULT_LABEL, d, N, NULL);
    if (*def < 0)
        return -1;
    double ref = rr->v[*def].blend_err_mean;
    for (size_t i = 0; i < rr->n; i++) {
        const struct rep_row *x = &rr->v[i];
        /* Query expansion counts with its time; without that time it cannot compete. */
        double t = time_with_qe(x);
        if (!at(x, d, N, NULL) || !has_err(x) || !has_time(x) || isnan(t) ||
            x->blend_err_mean > ref)
            continue;
        if (b < 0 || t < time_with_qe(&rr->v[b]) ||
            (t == time_with_qe(&rr->v[b]) && x->blend_err_mean < rr->v[b].blend_err_mean))
            b = (long)i;
    }
    return b;
}

/* ---- the claims as text ---- */

enum plot_kind { PLOT_TRADEOFF, PLOT_PAIRS, PLOT_NPROBE, PLOT_KFACTOR };

static const struct claim_text {
    const char *title;
    const char *claim;      /* the tips' claim (../shared/RVC.md) */
    const char *rule;       /* the decision rule, as implemented above */
    enum plot_kind plot;
} claim_text[9] = {
    [1] = { "the 2023-04-18 default",
            "the 2023-04-18 default (IVF with n_ivf = N // 39, nprobe = int(n_ivf ** 0.3), L2) has a "
            "lower blend error than today's default (n_ivf = min(16 sqrt(N), N // 39), nprobe 1)",
            "supported at a (d, N, metric) when the blend error of `" RVC2304_LABEL "` is lower "
            "than that of `" DEFAULT_LABEL "`; the search-time ratio of the two is given beside it",
            PLOT_TRADEOFF },
    [2] = { "L2 against cosine",
            "the metric: L2, or inner product on L2-normalised vectors (cosine, X / max(eps, |X|))",
            "supported at a (d, N) when, for every setting of a `C2` family measured with both "
            "metrics (same factory, nprobe, k_factor and preprocessing), the cosine row's blend "
            "error is lower than the l2 row's",
            PLOT_PAIRS },
    [3] = { "4-bit PQ fast scan with exact re-ranking",
            "for N <= 1M, `IVF1024,PQ{d/2}x4fs,RFlat` (4-bit PQ with fast scan and exact "
            "re-ranking) is the most efficient index",
            "supported at a (d, N, metric) when some `C3` point has a blend error <= that of the "
            "most faithful IVF-Flat point at nprobe 1 (rows of `C4`/`C5` families, factory "
            "`IVF<n>,Flat`, no k-means or expansion) and a lower batch search time than that point "
            "in every run pooled (not decided when it is faster by median only)",
            PLOT_TRADEOFF },
    [4] = { "nlist between 4 sqrt(N) and 16 sqrt(N)",
            "n_ivf between 4*sqrt(N) and 16*sqrt(N); too many lists degrade to brute force",
            "supported at a (d, N, metric) when, among the `C4`, `" RVC2304_LABEL "` (N//39) and "
            "`C5` points (no k-means or expansion) whose blend error is <= that of `" DEFAULT_LABEL
            "`, the one with the lowest batch search time has nlist within [4 sqrt(N), 16 sqrt(N)] "
            "(half a list of rounding allowed)",
            PLOT_TRADEOFF },
    [5] = { "nprobe: time and sufficiency",
            "search time grows in proportion to nprobe; nprobe = 1 is enough for RVC",
            "per index (d, N, factory and preprocessing of a `C5` family), two parts: time is "
            "proportional when the least-squares slope of log(batch time) on log(nprobe) is within "
            "[0.7, 1.3]; nprobe 1 is enough when its blend error is no larger than the change of f "
            "from moving index_rate by 0.05 (5 x blend_ir_unit, measured on the same queries; "
            "the smallest nprobe that meets it is given otherwise)",
            PLOT_NPROBE },
    [6] = { "k_factor of the exact re-ranking",
            "RFlat re-ranks k * k_factor candidates with exact distances (so more candidates can "
            "only help)",
            "supported per index and nprobe of a `C6` family when, as k_factor grows, recall@8 "
            "never falls more than 0.005 below its highest value at a smaller k_factor and the "
            "blend error never rises more than 0.005 above its lowest value at a smaller k_factor",
            PLOT_KFACTOR },
    [7] = { "alpha query expansion",
            "alpha query expansion (alpha = 3): replace each vector by the sum of its neighbours "
            "weighted by (cosine similarity)^alpha, re-normalised; applicable to the database and "
            "to the queries",
            "supported per (d, N, metric, expansion setting) when every expanded `C7` row has a "
            "lower blend error than the same setting without expansion: the same family's row "
            "without `qe=` (same factory, nprobe, k_factor), else the `C5` row with the same "
            "factory, nprobe and k_factor, else `" DEFAULT_LABEL "` at the same nprobe. The time "
            "ratio counts the expansion of the queries, which RVC would run on every source frame "
            "(timed as the harness computes it: exact search of the stored base)",
            PLOT_TRADEOFF },
    [8] = { "k-means compression of the base",
            "if the feature set is too large, compress it with (MiniBatch)KMeans to n_clusters "
            "centroids (10,000 in the example)",
            "supported per (d, N, metric, n_clusters) when every k-means row of a `C8` family has a "
            "blend error no more than the tolerance (the change of f from moving index_rate by "
            "0.05) above that of the same setting without compression (the same family's row "
            "without k-means, else the `C5` row, else `" DEFAULT_LABEL "`, at the same nprobe and "
            "k_factor), and a batch search time lower in every run or a smaller index",
            PLOT_TRADEOFF },
};

/* ---- writing: small string sets ---- */

struct strs { char **v; size_t n; };

static void strs_add(struct strs *s, const char *t)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], t))
            return;
    s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
    s->v[s->n++] = xstrdup(t);
}

static void strs_addf(struct strs *s, const char *fmt, long long v)
{
    char b[32];
    snprintf(b, sizeof(b), fmt, v);
    strs_add(s, b);
}

static void strs_print(FILE *o, const struct strs *s, const char *quote)
{
    for (size_t i = 0; i < s->n; i++)
        fprintf(o, "%s%s%s%s", i ? ", " : "", quote, s->v[i], quote);
    if (!s->n)
        fputs("-", o);
}

static void strs_release(struct strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

/* A table cell: no '|' or newline. */
static void put_cell(FILE *o, const char *s)
{
    for (; *s; s++)
        fputc(*s == '|' ? '/' : *s == '\n' ? ' ' : *s, o);
}

/* ---- writing: the input files ---- */

static const char *attr_text(const struct result_set *rs, const char *name, char *buf, size_t len)
{
    const struct result_attr *a = results_attr(rs, name);
    if (!a)
        return "-";
    if (a->type == ATTR_STR)
        return *a->s ? a->s : "-";
    if (a->type == ATTR_INT)
        snprintf(buf, len, "%lld", (long long)a->i);
    else
        snprintf(buf, len, "%s", g3(a->f).s);
    return buf;
}

static void write_inputs(FILE *o, const char *const *paths, const struct result_set *sets,
                         size_t n, const struct rep_rows *rr)
{
    static const char *const names[] = { "name", "d", "N values", "nq", "dataset_base",
        "dataset_queries", "faiss_version", "faiss_simd", "cpu_model", "batch_threads",
        "git_commit", "start_time", "rows (ok of all)" };
    char buf[64];

    fputs("## Inputs\n\n| |", o);
    for (size_t f = 0; f < n; f++) {
        fputs(" `", o);
        put_cell(o, paths[f]);
        fputs("` |", o);
    }
    fputs("\n|---|", o);
    for (size_t f = 0; f < n; f++)
        fputs("---|", o);
    fputc('\n', o);
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        fprintf(o, "| %s |", names[k]);
        for (size_t f = 0; f < n; f++) {
            fputc(' ', o);
            if (!strcmp(names[k], "N values")) {
                struct strs s = { 0 };
                for (size_t i = 0; i < rr->n; i++)
                    if ((rr->v[i].files >> f) & 1u)
                        strs_addf(&s, "%lld", (long long)rr->v[i].r.N);
                strs_print(o, &s, "");
                strs_release(&s);
            } else if (!strcmp(names[k], "rows (ok of all)")) {
                size_t ok = 0;
                for (size_t i = 0; i < rr->n; i++)
                    ok += (rr->v[i].files >> f) & 1u;
                fprintf(o, "%zu of %zu", ok, sets[f].n_rows);
            } else {
                put_cell(o, attr_text(&sets[f], names[k], buf, sizeof(buf)));
            }
            fputs(" |", o);
        }
        fputc('\n', o);
    }
    fputc('\n', o);
}

/* ---- writing: one claim ---- */

static int cmp_row_ptr(const void *a, const void *b)
{
    const struct rep_row *x = *(const struct rep_row *const *)a, *y = *(const struct rep_row *const *)b;
    int c;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    if (x->r.N != y->r.N)
        return x->r.N < y->r.N ? -1 : 1;
    if ((c = strcmp(x->r.metric, y->r.metric)) || (c = strcmp(x->label, y->label)) ||
        (c = strcmp(x->r.preprocess, y->r.preprocess)))
        return c;
    if (x->r.nlist != y->r.nlist)
        return x->r.nlist < y->r.nlist ? -1 : 1;
    if ((c = strcmp(x->r.factory, y->r.factory)))
        return c;
    if (x->r.nprobe != y->r.nprobe)
        return x->r.nprobe < y->r.nprobe ? -1 : 1;
    return x->r.k_factor < y->r.k_factor ? -1 : x->r.k_factor > y->r.k_factor;
}

/* The rows a finding looked at, sorted for the table; caller frees. */
static const struct rep_row **sorted_rows(const struct rep_rows *rr, const struct finding *f)
{
    const struct rep_row **p = xmalloc((f->n_rows + 1) * sizeof(*p));
    for (size_t i = 0; i < f->n_rows; i++)
        p[i] = &rr->v[f->rows[i]];
    qsort(p, f->n_rows, sizeof(*p), cmp_row_ptr);
    return p;
}

static double mib(const struct rep_row *x)
{
    return x->r.index_bytes >= 0 ? (double)x->r.index_bytes / (1024.0 * 1024.0) : NAN;
}

static void write_table(FILE *o, const struct rep_row *const *p, size_t n)
{
    long k8 = 8;
    for (size_t i = 0; i < n; i++)
        if (p[i]->k8 != 8)
            k8 = p[i]->k8;
    fprintf(o, "| d | N | family | factory | metric | preprocess | nprobe | k_factor | recall@1 | "
               "recall@%ld | blend err mean | blend err p95 | batch ms/s audio | single ms/s audio "
               "| index MiB | build s | runs |\n", k8);
    fputs("|--:|--:|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n", o);
    for (size_t i = 0; i < n; i++) {
        const struct rep_row *x = p[i];
        fprintf(o, "| %ld | %lld | ", x->d, (long long)x->r.N);
        put_cell(o, x->label);
        fputs(" | `", o);
        put_cell(o, x->r.factory);
        char batch[128];
        if (x->n_runs > 1)
            snprintf(batch, sizeof(batch), "%s (%s-%s)", ms(x).s, ms_of(x->t_lo).s,
                     ms_of(x->t_hi).s);
        else
            snprintf(batch, sizeof(batch), "%s", ms(x).s);
        if (isfinite(x->audio_s_qexpand))
            snprintf(batch + strlen(batch), sizeof(batch) - strlen(batch), " + %s expansion",
                     ms_of(x->audio_s_qexpand).s);
        fprintf(o, "` | %s | %s | %lld | %lld | %s | %s | %s | %s | %s | %s | %s | %s | %d |\n",
                x->r.metric, *x->r.preprocess ? x->r.preprocess : "-", (long long)x->r.nprobe,
                (long long)x->r.k_factor, g3(x->recall1).s, g3(x->recall8).s,
                g3(x->blend_err_mean).s, g3(x->blend_err_p95).s, batch,
                g3(x->audio_s_single * 1e3).s, g3(mib(x)).s, g3(x->r.train_s + x->r.add_s).s,
                x->n_runs);
    }
    if (k8 != 8)
        fprintf(o, "\nrecall@%ld: the files have no k = 8, so the largest k is shown.\n", k8);
    fputc('\n', o);
}

/* What was run: the claim's own rows, then what they were compared with. */
static void write_what_ran(FILE *o, const struct rep_rows *rr, const struct finding *f, int claim)
{
    for (int own = 1; own >= 0; own--) {
        struct strs lab = { 0 }, fac = { 0 }, pre = { 0 }, met = { 0 }, ns = { 0 }, ds = { 0 };
        for (size_t i = 0; i < f->n_rows; i++) {
            const struct rep_row *x = &rr->v[f->rows[i]];
            if ((x->claim == claim) != own)
                continue;
            strs_add(&lab, x->label);
            strs_add(&fac, x->r.factory);
            strs_add(&pre, *x->r.preprocess ? x->r.preprocess : "none");
            strs_add(&met, x->r.metric);
            strs_addf(&ns, "%lld", (long long)x->r.N);
            strs_addf(&ds, "%lld", (long long)x->d);
        }
        if (lab.n) {
            fputs(own ? "What was run: families " : "Compared with: families ", o);
            strs_print(o, &lab, "`");
            fputs("; factories ", o);
            strs_print(o, &fac, "`");
            fputs("; preprocessing ", o);
            strs_print(o, &pre, "`");
            fputs("; metrics ", o);
            strs_print(o, &met, "");
            fputs("; N = ", o);
            strs_print(o, &ns, "");
            fputs("; d = ", o);
            strs_print(o, &ds, "");
            fputs(".\n\n", o);
        }
        strs_release(&lab);
        strs_release(&fac);
        strs_release(&pre);
        strs_release(&met);
        strs_release(&ns);
        strs_release(&ds);
    }
}

/* "**supported** (3 of 3 comparisons)" and, when split, where each way. */
static void write_verdict(FILE *o, const char *part, const struct finding *f)
{
    size_t n[2] = { 0, 0 };
    for (size_t i = 0; i < f->n_cells; i++)
        if (f->cells[i].outcome >= 0)
            n[f->cells[i].outcome]++;
    fprintf(o, "**Verdict%s: %s**", part, verdict_name(f->verdict));
    if (n[0] + n[1])
        fprintf(o, " (supported in %zu of %zu comparisons)", n[1], n[0] + n[1]);
    fputs(".\n\n", o);
    for (size_t i = 0; i < f->n_cells; i++) {
        const struct cell *c = &f->cells[i];
        fprintf(o, "- d = %ld, N = %lld, %s%s%s: %s%s%s: %s\n", c->d, (long long)c->N, c->metric,
                *c->what ? ", " : "", c->what, c->outcome < 0 ? "" : "**",
                c->outcome < 0 ? "not decided" : c->outcome ? "supported" : "not supported",
                c->outcome < 0 ? "" : "**", c->why);
    }
    if (f->n_cells)
        fputc('\n', o);
}

/* ---- plots ---- */

struct pt { int series; double x, y, y2; };

struct plot_data {
    struct strs titles;
    struct pt *v;
    size_t n, cap;
};

static void pd_add(struct plot_data *pd, const char *title, double x, double y, double y2)
{
    if (!isfinite(x) || !isfinite(y))
        return;
    strs_add(&pd->titles, title);
    size_t s = 0;
    while (strcmp(pd->titles.v[s], title))
        s++;
    if (pd->n == pd->cap) {
        pd->cap = pd->cap ? 2 * pd->cap : 64;
        pd->v = xrealloc(pd->v, pd->cap * sizeof(*pd->v));
    }
    pd->v[pd->n++] = (struct pt){ (int)s, x, y, y2 };
}

static int cmp_pt(const void *a, const void *b)
{
    const struct pt *p = a, *q = b;
    if (p->series != q->series)
        return p->series < q->series ? -1 : 1;
    return p->x < q->x ? -1 : p->x > q->x;
}

static void pd_release(struct plot_data *pd)
{
    strs_release(&pd->titles);
    free(pd->v);
    memset(pd, 0, sizeof(*pd));
}

/* The points of a claim's plot, from the rows its rule looked at. */
static void plot_points(const struct rep_rows *rr, const struct finding *f, enum plot_kind kind,
                        struct plot_data *pd)
{
    const struct rep_row **p = sorted_rows(rr, f);
    char t[320];
    for (size_t i = 0; i < f->n_rows; i++) {
        const struct rep_row *x = p[i];
        const char *lab = x->claim ? x->label + 3 : x->label;
        switch (kind) {
        case PLOT_TRADEOFF:
            snprintf(t, sizeof(t), "%s%s%s d=%ld N=%lld", lab, *x->r.preprocess ? " " : "",
                     x->r.preprocess, x->d, (long long)x->r.N);
            pd_add(pd, t, x->blend_err_mean, x->audio_s_batch * 1e3, NAN);
            break;
        case PLOT_NPROBE:
        case PLOT_KFACTOR:
            if (kind == PLOT_KFACTOR) {
                snprintf(t, sizeof(t), "%s nprobe=%lld%s%s d=%ld N=%lld", x->r.factory,
                         (long long)x->r.nprobe, *x->r.preprocess ? " " : "", x->r.preprocess,
                         x->d, (long long)x->r.N);
                pd_add(pd, t, (double)x->r.k_factor, x->recall8, x->blend_err_mean);
            } else {
                snprintf(t, sizeof(t), "%s%s%s d=%ld N=%lld", x->r.factory,
                         *x->r.preprocess ? " " : "", x->r.preprocess, x->d, (long long)x->r.N);
                pd_add(pd, t, (double)x->r.nprobe, x->audio_s_batch * 1e3, x->blend_err_mean);
            }
            break;
        case PLOT_PAIRS:
            break;
        }
    }
    if (kind == PLOT_PAIRS) {
        /* x: l2, y: cosine of each matched setting, one series per (d, N). */
        for (size_t i = 0; i < f->n_rows; i++) {
            const struct rep_row *x = p[i];
            if (strcmp(x->r.metric, "l2"))
                continue;
            for (size_t j = 0; j < f->n_rows; j++) {
                const struct rep_row *y = p[j];
                if (!strcmp(y->r.metric, "cosine") && y->d == x->d && y->r.N == x->r.N &&
                    !strcmp(y->label, x->label) && !strcmp(y->r.factory, x->r.factory) &&
                    !strcmp(y->r.preprocess, x->r.preprocess) && y->r.nprobe == x->r.nprobe &&
                    y->r.k_factor == x->r.k_factor) {
                    snprintf(t, sizeof(t), "d=%ld N=%lld", x->d, (long long)x->r.N);
                    pd_add(pd, t, x->blend_err_mean, y->blend_err_mean, NAN);
                    break;
                }
            }
        }
    }
    free(p);
    if (pd->n)   /* qsort wants a valid pointer even for no elements */
        qsort(pd->v, pd->n, sizeof(*pd->v), cmp_pt);
}

static int write_plot_data(const char *path, const struct plot_data *pd, const char *what)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return error("cannot create '%s': %s", path, strerror(errno));
    fprintf(f, "# %s; one block per series (index i), first line its title\n", what);
    for (size_t s = 0; s < pd->titles.n; s++) {
        if (s)
            fputs("\n\n", f);
        gnuplot_put_quoted(f, pd->titles.v[s]);
        fputc('\n', f);
        for (size_t i = 0; i < pd->n; i++)
            if (pd->v[i].series == (int)s)
                fprintf(f, "%.9g %.9g %.9g\n", pd->v[i].x, pd->v[i].y, pd->v[i].y2);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return error("cannot write '%s': %s", path, strerror(errno));
    return 0;
}

/* Draw claim `id`'s plot to imgdir/rvc-<tag>.png. Returns 1 when drawn, 0
 * when there is nothing to draw, -1 on error. */
static int draw_claim(const struct rep_rows *rr, const struct finding *f, int id, const char *tag,
                      const char *imgdir, const char *templates_dir)
{
    static const char *const templ[] = { "report_tradeoff", "report_pairs", "report_ladder",
                                         "report_ladder" };
    static const char *const whats[] = {
        "blend error (x), batch ms per s of audio (y)", "blend error l2 (x), cosine (y)",
        "nprobe (x), batch ms per s of audio (y), blend error (y2)",
        "k_factor (x), recall@8 (y), blend error (y2)" };
    enum plot_kind kind = claim_text[id].plot;
    struct plot_data pd = { 0 };
    char *base = xasprintf("%s/rvc-%s", imgdir, tag);
    char *data = xasprintf("%s.dat", base), *png = xasprintf("%s.png", base);
    char *template = xasprintf("%s/%s.gp", templates_dir, templ[kind]);
    char *title = xasprintf("C%d: %s", id, claim_text[id].title);
    char *q[5] = { gnuplot_quote(templates_dir), gnuplot_quote(data), gnuplot_quote(base),
                   gnuplot_quote(title), NULL };
    char *vars = NULL;
    int has_y2 = 0, rc = -1;
    struct stat st;

    plot_points(rr, f, kind, &pd);
    for (size_t i = 0; i < pd.n; i++)
        has_y2 |= isfinite(pd.v[i].y2);
    if (!pd.n) {
        rc = 0;
        goto out;
    }
    if (access(template, R_OK) < 0) {
        error("cannot read template '%s': %s", template, strerror(errno));
        goto out;
    }
    if (write_plot_data(data, &pd, whats[kind]) < 0)
        goto out;
    vars = xasprintf("plotdir=%s; datafile=%s; outbase=%s; ptitle=%s; nseries=%zu; has_y2=%d; %s",
                     q[0], q[1], q[2], q[3], pd.titles.n, has_y2,
                     kind == PLOT_NPROBE ? "xlab='nprobe (log2 scale)'; "
                                           "ylab='batch search time, ms per second of audio, solid (log scale)'; "
                                           "y2lab='blend error, dashed'; ylog=1"
                     : kind == PLOT_KFACTOR ? "xlab='k_factor (log2 scale)'; "
                                              "ylab='recall@8, solid'; y2lab='blend error, dashed'; ylog=0"
                     : "ylog=0");
    unlink(png);
    if (gnuplot_run(template, vars) < 0)
        goto out;
    if (stat(png, &st) < 0 || st.st_size == 0) {
        error("template '%s' did not write '%s'", template, png);
        goto out;
    }
    rc = 1;
out:
    for (int i = 0; q[i]; i++)
        free(q[i]);
    pd_release(&pd);
    free(vars);
    free(title);
    free(template);
    free(png);
    free(data);
    free(base);
    return rc;
}

/* ---- writing: the recommendation ---- */

static const char *faiss_metric(const char *metric)
{
    return strcmp(metric, "l2") ? "faiss.METRIC_INNER_PRODUCT" : "faiss.METRIC_L2";
}

/* The ready-to-paste lines for row x. */
static void write_paste(FILE *o, const struct rep_row *x)
{
    fputs("```python\n", o);
    if (!strcmp(x->r.metric, "cosine"))
        fputs("faiss.normalize_L2(vectors)  # cosine: base and queries L2-normalised, inner product\n", o);
    if (compressed(x))
        fprintf(o, "# first replace the base by %lld k-means centroids (preprocess %s)\n",
                (long long)x->r.n_clusters, x->r.preprocess);
    fprintf(o, "index = faiss.index_factory(%ld, \"%s\", %s)\n", x->d, x->r.factory,
            faiss_metric(x->r.metric));
    if (x->r.k_factor > 0)
        fprintf(o, "faiss.ParameterSpace().set_index_parameters(index, \"nprobe=%lld,k_factor_rf=%lld\")"
                   "  # i.e. faiss.extract_index_ivf(index).nprobe = %lld; index.k_factor = %lld\n",
                (long long)x->r.nprobe, (long long)x->r.k_factor, (long long)x->r.nprobe,
                (long long)x->r.k_factor);
    else if (x->r.nprobe > 0)
        fprintf(o, "index.nprobe = %lld\n", (long long)x->r.nprobe);
    fputs("```\n\n", o);
}

/* The N range a ladder step stands for: from the geometric mean with the
 * step below to that with the step above (same d). */
static void n_range(const struct rep_rows *rr, long d, int64_t N, char *out, size_t len)
{
    int64_t lo = 0, hi = 0;
    for (size_t i = 0; i < rr->n; i++) {
        int64_t n = rr->v[i].r.N;
        if (rr->v[i].d != d)
            continue;
        if (n < N && n > lo)
            lo = n;
        if (n > N && (!hi || n < hi))
            hi = n;
    }
    if (!lo && !hi)
        snprintf(out, len, "all");
    else if (!lo)
        snprintf(out, len, "< %s", g3(sqrt((double)N * (double)hi)).s);
    else if (!hi)
        snprintf(out, len, ">= %s", g3(sqrt((double)N * (double)lo)).s);
    else
        snprintf(out, len, "%s - %s", g3(sqrt((double)N * (double)lo)).s,
                 g3(sqrt((double)N * (double)hi)).s);
}

static void write_recommendation(FILE *o, const struct rep_rows *rr)
{
    struct strs keys = { 0 };
    const struct rep_row **p;
    struct finding all;

    fputs("## Recommended RVC default per N range\n\n"
          "Per d and N: among all measured points, the one with the lowest batch search time "
          "per second of audio (the median of the runs pooled; with query expansion, its time "
          "added) whose blend error is no worse than that of today's default (`" DEFAULT_LABEL
          "`) at the same d and N. Points as fast within the runs' spread are named after it: "
          "between those, the measurements do not choose. Each measured N stands for the range "
          "of N up to the geometric mean with its neighbours on the ladder.\n\n", o);
    /* Every (d, N) of the files, in table order. */
    finding_init(&all);
    for (size_t i = 0; i < rr->n; i++)
        use_row(&all, i);
    p = sorted_rows(rr, &all);
    fputs("| d | N range | N | recommended factory | nprobe | k_factor | metric | blend err | "
          "batch ms/s | single ms/s | index MiB | build s | today's default | its blend err | "
          "its batch ms/s | its MiB | its build s |\n"
          "|--:|---|--:|---|--:|--:|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|\n", o);
    for (size_t i = 0; i < all.n_rows; i++) {
        char key[64];
        long def, b;
        snprintf(key, sizeof(key), "%ld/%lld", p[i]->d, (long long)p[i]->r.N);
        size_t before = keys.n;
        strs_add(&keys, key);
        if (keys.n == before)
            continue;
        char range[96];
        n_range(rr, p[i]->d, p[i]->r.N, range, sizeof(range));
        b = report_recommend(rr, p[i]->d, p[i]->r.N, &def);
        if (b < 0) {
            fprintf(o, "| %ld | %s | %lld | no `%s` row at this d and N: no reference to meet | | | | | | | | | | | | | |\n",
                    p[i]->d, range, (long long)p[i]->r.N, DEFAULT_LABEL);
            continue;
        }
        const struct rep_row *x = &rr->v[b], *y = &rr->v[def];
        fprintf(o, "| %ld | %s | %lld | `%s` | %lld | %lld | %s | %s | %s | %s | %s | %s | `%s` nprobe %lld | %s | %s | %s | %s |\n",
                x->d, range, (long long)x->r.N, x->r.factory, (long long)x->r.nprobe,
                (long long)x->r.k_factor, x->r.metric, g3(x->blend_err_mean).s, ms(x).s,
                g3(x->audio_s_single * 1e3).s, g3(mib(x)).s, g3(x->r.train_s + x->r.add_s).s,
                y->r.factory, (long long)y->r.nprobe, g3(y->blend_err_mean).s, ms(y).s,
                g3(mib(y)).s, g3(y->r.train_s + y->r.add_s).s);
    }
    fputc('\n', o);
    strs_release(&keys);
    for (size_t i = 0; i < all.n_rows; i++) {
        char key[64];
        long def, b;
        snprintf(key, sizeof(key), "%ld/%lld", p[i]->d, (long long)p[i]->r.N);
        size_t before = keys.n;
        strs_add(&keys, key);
        if (keys.n == before || (b = report_recommend(rr, p[i]->d, p[i]->r.N, &def)) < 0)
            continue;
        const struct rep_row *x = &rr->v[b], *y = &rr->v[def];
        double root = sqrt((double)x->r.N);
        fprintf(o, "d = %ld, N = %lld: `%s` (family `%s`%s%s): blend error %s (today's default %s), "
                   "%s ms of batch search per second of audio (today's %s), %s MiB, built in %s s",
                x->d, (long long)x->r.N, x->r.factory, x->label, *x->r.preprocess ? ", preprocess " : "",
                x->r.preprocess, g3(x->blend_err_mean).s, g3(y->blend_err_mean).s, ms(x).s,
                ms(y).s, g3(mib(x)).s, g3(x->r.train_s + x->r.add_s).s);
        if (x->r.nlist > 0)
            fprintf(o, "; nlist %lld = %s x sqrt(N) = N / %s", (long long)x->r.nlist,
                    g3((double)x->r.nlist / root).s, g3((double)x->r.N / (double)x->r.nlist).s);
        for (size_t j = 0, named = 0; j < rr->n && named < 3; j++) {
            const struct rep_row *z = &rr->v[j];
            if (z == x || !at(z, x->d, x->r.N, NULL) || !has_err(z) || !has_time(z) ||
                expanded(z) || expanded(x) || z->blend_err_mean > y->blend_err_mean ||
                rep_time_cmp(rr, z, x) != 0)
                continue;
            /* Metric, k_factor and preprocessing tell apart points with one factory string. */
            fprintf(o, "%s`%s` nprobe %lld", named++ ? ", " : "; as fast within the runs' spread: ",
                    z->r.factory, (long long)z->r.nprobe);
            if (z->r.k_factor > 0)
                fprintf(o, " k_factor %lld", (long long)z->r.k_factor);
            fprintf(o, " %s (`%s`%s%s, %s ms/s, runs %s-%s)", z->r.metric, z->label,
                    *z->r.preprocess ? ", preprocess " : "", z->r.preprocess, ms(z).s,
                    ms_of(z->t_lo).s, ms_of(z->t_hi).s);
        }
        if (x == y)
            fputs(": today's default itself is the fastest point at its blend error", o);
        else if (!strcmp(x->r.factory, y->r.factory) && x->r.nprobe == y->r.nprobe &&
                 x->r.k_factor == y->r.k_factor && !strcmp(x->r.metric, y->r.metric) &&
                 x->r.n_clusters == y->r.n_clusters && !expanded(x) && !expanded(y)) {
            /* Noise between two measurements of one setting, not a new setting. */
            if (!strcmp(x->r.preprocess, y->r.preprocess))
                fputs(": the same settings as today's default, measured again in another family "
                      "(the time difference is measurement noise)", o);
            else
                fprintf(o, ": the same index settings as today's default, built with "
                           "preprocessing `%s` instead of `%s`; the row order changes the "
                           "training, and with it the blend error and the time: this is today's "
                           "default measured again, not a new setting",
                        *x->r.preprocess ? x->r.preprocess : "none", y->r.preprocess);
        }
        fputs(".\n\n", o);
        write_paste(o, x);
    }
    strs_release(&keys);
    free(p);
    finding_release(&all);
}

/* ---- the blend at each index_rate ---- */

/* The /blend rows of x from the first of its files that has them (a pooled
 * row may come first from a file older than /blend); returns how many. */
static size_t blend_of(const struct result_set *sets, const struct rep_row *x,
                       const struct blend_row **out, size_t max)
{
    for (int f = 0; f < 32; f++) {
        const struct result_set *rs = &sets[f];
        size_t n = 0;
        if (!((x->files >> f) & 1u))
            continue;
        for (size_t i = 0; i < rs->n_blend && n < max; i++) {
            const struct result_row *r = &rs->rows[rs->blend[i].run_row];
            if (f == x->file ? rs->blend[i].run_row == (int64_t)x->src_row
                             : rep_same_setting(r, &x->r))
                out[n++] = &rs->blend[i];
        }
        if (n)
            return n;
    }
    return 0;
}

/* Today's and the 2023-04 default at every index_rate of the sweep. */
static void write_index_rate(FILE *o, const struct rep_rows *rr, const struct result_set *sets)
{
    struct finding all;
    const struct rep_row **p;
    int head = 0;

    finding_init(&all);
    for (size_t i = 0; i < rr->n; i++)
        if (rr->v[i].claim == 1)
            use_row(&all, i);
    p = sorted_rows(rr, &all);
    for (size_t i = 0; i < all.n_rows; i++) {
        const struct blend_row *b[16];
        size_t n = blend_of(sets, p[i], b, 16);
        if (n < 2)
            continue;
        if (!head++)
            fputs("## index_rate\n\n"
                  "RVC's index_rate slider mixes f = index_rate r + (1 - index_rate) q; the study "
                  "sweeps it as an axis of the blend alone (same search). Blend error mean, and in "
                  "brackets the tolerance at that index_rate (5 x blend_ir_unit), for the two C1 "
                  "defaults:\n\n| d | N | family | setting | index_rate: blend error (tolerance) |\n"
                  "|--:|--:|---|---|---|\n", o);
        char set[160];
        setting(p[i], set, sizeof(set));
        fprintf(o, "| %ld | %lld | %s | `%s` | ", p[i]->d, (long long)p[i]->r.N, p[i]->label, set);
        for (size_t j = 0; j < n; j++)
            fprintf(o, "%s%s: %s (%s)", j ? "; " : "", g3(b[j]->index_rate).s,
                    g3(b[j]->err_mean).s, g3(b[j]->ir_unit * (REPORT_IR_TOL / 0.01)).s);
        fputs(" |\n", o);
    }
    if (head)
        fputs("\nThe error grows with index_rate: at 0 RVC ignores the index and both sides "
              "give f = q.\n\n", o);
    free(p);
    finding_release(&all);
}

/* ---- the whole report ---- */

static void write_head(FILE *o, const char *cmdline)
{
    fputs("# RVC index defaults: the faiss tips' claims, measured\n\n", o);
    fprintf(o, "Generated by `%s`. Every number below is read from the rows with status ok of "
               "the files listed; none is typed by hand.\n\n", cmdline);
}

static void write_units(FILE *o)
{
    fputs("## What the numbers are\n\n"
          "- **blend error**: RVC blends the 8 neighbours it finds, weighted by (1/score)^2, "
          "into r and mixes f = 0.75 r + 0.25 q. The blend error is |f_ann - f_exact| / "
          "|f_exact| between f from the index under test and f from the exact neighbours, "
          "mean (and 95th percentile) over the queries: 0 means the index changes nothing RVC "
          "outputs. Each metric's exact neighbours are those of that metric.\n"
          "- **batch ms/s audio**: milliseconds of search per second of source audio (50 frames), "
          "all queries in one call on the batch threads; **single ms/s audio**: the same with "
          "one query at a time on one thread (real-time mode).\n"
          "- **recall@1**, **recall@8**: k-recall@k against exact search (k-means rows have "
          "none: their ids are centroids).\n"
          "- **index MiB**: serialized index size; **build s**: train + add seconds.\n"
          "- **tolerance**: where a rule needs \"no worse in practice\", a blend error no "
          "larger than the change of f that moving RVC's index_rate slider by 0.05 makes "
          "(blend_ir_unit, the mean of 0.01 |r_exact - q| / |f_exact| over the same queries, "
          "times 5). It is a yardstick in RVC's own units, not a listening test.\n"
          "- **runs**: files that measured the same point of the same study (same name, "
          "settings and answers) are pooled: times are their median, `(lo-hi)` their range, and "
          "a speed rule calls one point faster than another only when it is faster in every "
          "run (the ranges do not overlap). Speeds are from shared machines.\n\n", o);
}

static int write_markdown(FILE *o, const char *const *paths, const struct result_set *sets,
                          size_t n_paths, const struct rep_rows *rr, const char *imgdir,
                          const char *templates_dir, const char *cmdline)
{
    struct finding *f = xcalloc(10, sizeof(*f));   /* [1..8] claims, [9] C5's second part */
    int rc = -1;

    report_c1(rr, &f[1]);
    report_c2(rr, &f[2]);
    report_c3(rr, &f[3]);
    report_c4(rr, &f[4]);
    report_c5(rr, &f[5], &f[9]);
    report_c6(rr, &f[6]);
    report_c7(rr, &f[7]);
    report_c8(rr, &f[8]);

    write_head(o, cmdline);
    write_inputs(o, paths, sets, n_paths, rr);
    size_t pooled = 0, most = 1;
    for (size_t i = 0; i < rr->n; i++) {
        pooled += rr->v[i].n_runs > 1;
        most = (size_t)rr->v[i].n_runs > most ? (size_t)rr->v[i].n_runs : most;
    }
    if (pooled)
        fprintf(o, "Pooled: %zu of the %zu points were measured by more than one of these files "
                   "(up to %zu runs); their times are the median, with the range beside.\n\n",
                pooled, rr->n, most);
    if (rr->spread >= 1)
        fprintf(o, "Spread: the widest range between runs of one point is x%s (highest over "
                   "lowest batch time); points that no one file measured together are called "
                   "faster or slower only when they differ by more than that.\n\n",
                g3(rr->spread).s);
    else
        fputs("Spread: no point was measured by two files, so points that no one file measured "
              "together are never called faster or slower.\n\n", o);
    write_units(o);
    fputs("## Verdicts\n\n| claim | verdict |\n|---|---|\n", o);
    for (int id = 1; id <= 8; id++) {
        fprintf(o, "| [C%d](#c%d) %s | %s", id, id, claim_text[id].title, verdict_name(f[id].verdict));
        if (id == 5)
            fprintf(o, " (time proportional to nprobe); %s (nprobe 1 is enough)",
                    verdict_name(f[9].verdict));
        fputs(" |\n", o);
    }
    fputs("\n", o);

    for (int id = 1; id <= 8; id++) {
        char tag[8];
        snprintf(tag, sizeof(tag), "c%d", id);
        fprintf(o, "<a id=\"c%d\"></a>\n## C%d: %s\n\n**Claim.** %s.\n\n**Rule.** %s.\n\n", id, id,
                claim_text[id].title, claim_text[id].claim, claim_text[id].rule);
        if (f[id].verdict == VERDICT_NOT_MEASURED) {
            fprintf(o, "**Not measured in these files**: no row's family starts with `C%d `.\n\n", id);
            continue;
        }
        write_what_ran(o, rr, &f[id], id);
        if (id == 7)
            fputs("Blend error measures fidelity to the exact neighbours of the original query "
                  "in the original base; expansion changes those neighbours by design. The "
                  "verdict says what this measure shows, not whether voices sound better.\n\n", o);
        if (id == 2)
            fputs("Each metric is measured against exact search in that metric: this says which "
                  "metric the index approximates more faithfully, not which neighbours sound "
                  "better.\n\n", o);
        write_verdict(o, id == 5 ? " (time proportional to nprobe)" : "", &f[id]);
        if (id == 5)
            write_verdict(o, " (nprobe 1 is enough)", &f[9]);
        const struct rep_row **p = sorted_rows(rr, &f[id]);
        write_table(o, p, f[id].n_rows);
        free(p);
        int drawn = draw_claim(rr, &f[id], id, tag, imgdir, templates_dir);
        if (drawn < 0)
            goto out;
        if (drawn)
            fprintf(o, "![C%d: %s](img/rvc-%s.png)\n\n", id, claim_text[id].title, tag);
        else
            fputs("(no points with a blend error and a time to plot)\n\n", o);
    }
    write_index_rate(o, rr, sets);
    write_recommendation(o, rr);
    rc = 0;
out:
    for (int i = 0; i < 10; i++)
        finding_release(&f[i]);
    free(f);
    return rc;
}

int report_write(const char *const *paths, size_t n_paths, const char *outdir,
                 const char *templates_dir, const char *cmdline)
{
    struct result_set *sets = xcalloc(n_paths ? n_paths : 1, sizeof(*sets));
    struct rep_rows rr = { 0 };
    char *imgdir = xasprintf("%s/img", outdir);
    char *md = xasprintf("%s/rvc-findings.md", outdir);
    char *partial = xasprintf("%s.partial", md);
    FILE *o = NULL;
    int rc = -1;

    for (size_t i = 0; i < n_paths; i++) {
        if (results_read(&sets[i], paths[i]) < 0)
            goto out;
        rep_rows_add(&rr, &sets[i], (int)i);
    }
    rep_rows_pool(&rr);
    if (!rr.n) {
        error("nothing to report in '%s'%s: no row has status ok", n_paths ? paths[0] : "",
              n_paths > 1 ? " and the other files" : "");
        goto out;
    }
    if (make_dirs(imgdir) < 0)
        goto out;
    if (!(o = fopen(partial, "w"))) {
        error("cannot create '%s': %s", partial, strerror(errno));
        goto out;
    }
    if (write_markdown(o, paths, sets, n_paths, &rr, imgdir, templates_dir, cmdline) < 0)
        goto out;
    int bad = ferror(o);
    int closed = fclose(o);
    o = NULL;
    if (bad || closed) {
        error("cannot write '%s': %s", partial, strerror(errno));
        goto out;
    }
    if (rename(partial, md) < 0) {
        error("cannot rename '%s' to '%s': %s", partial, md, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (o)
        fclose(o);
    if (rc < 0)
        unlink(partial);
    for (size_t i = 0; i < n_paths; i++)
        results_release(&sets[i]);
    free(sets);
    rep_rows_release(&rr);
    free(partial);
    free(md);
    free(imgdir);
    return rc;
}
