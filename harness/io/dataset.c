/*
 * dataset.c - a spec becomes a data set: base and queries loaded through the
 * format table, the queries picked (own file, the file's own split, held-out
 * clips or a seeded row holdout), NaN/Inf rejected, the scale ladder checked
 * and the result hashed for the ground-truth cache. dataset_info() describes
 * one file. Rows are counted from 0 (like the vector ids faiss returns).
 */
#include "io/dataset.h"
#include "io/annb.h"
#include "io/formats.h"
#include "io/vecs.h"
#include "lib/rng.h"
#include "lib/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_finite(const struct vecs *v, const char *path)
{
    size_t first = 0, bad = vecs_count_nonfinite(v, &first);
    if (bad)
        return error("row %zu of '%s' holds NaN or Inf (%zu such rows)", first, path, bad);
    return 0;
}

/* ----------------------------------------------------------- holdout */

/* The first h of a seeded partial Fisher-Yates shuffle of 0..n-1, in the
 * order drawn. The same draw picks rows and clips. */
static size_t *draw(size_t n, size_t h, uint64_t seed)
{
    size_t *perm = xmalloc((n ? n : 1) * sizeof(*perm));
    uint64_t state = seed;

    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = 0; i < h; i++) {
        size_t j = i + (size_t)rng_below(&state, n - i), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    return perm;
}

/* Clip boundaries after the rows marked in `gone` left the table; clips
 * left empty are dropped. */
static void clips_remove_rows(struct clips *c, const unsigned char *gone)
{
    size_t k = 0, row = 0;

    for (size_t i = 0; i < c->n; i++) {
        size_t kept = 0;
        for (size_t r = c->first[i]; r < c->first[i + 1]; r++)
            kept += !gone[r];
        if (!kept) {
            free(c->names[i]);
            continue;
        }
        c->names[k] = c->names[i];
        c->first[k++] = row;
        row += kept;
    }
    c->n = k;
    c->first[k] = row;
}

/* Keep the first `rows` rows: clips past them go, the last may be cut. */
static void clips_cut(struct clips *c, size_t rows)
{
    size_t k = 0;
    while (k < c->n && c->first[k] < rows)
        k++;
    for (size_t i = k; i < c->n; i++)
        free(c->names[i]);
    c->n = k;
    c->first[k] = rows;
}

/* Move `h` random rows of base into q (in the order drawn); the rest of
 * base keeps its order, and its clips (if any) follow. */
static void holdout(struct vecs *base, struct clips *c, struct vecs *q, size_t h, uint64_t seed)
{
    size_t n = base->n, d = base->d, i, w;
    size_t *perm = draw(n, h, seed);
    unsigned char *taken = xcalloc(n, 1);

    q->n = h;
    q->d = d;
    q->dtype = base->dtype;
    q->x = xmalloc(h * d * sizeof(float));
    for (i = 0; i < h; i++) {
        taken[perm[i]] = 1;
        memcpy(q->x + i * d, base->x + perm[i] * d, d * sizeof(float));
    }
    for (i = w = 0; i < n; i++)
        if (!taken[i]) {
            if (w != i)
                memcpy(base->x + w * d, base->x + i * d, d * sizeof(float));
            w++;
        }
    base->n = w;
    vecs_shrink(base);
    if (c->n)
        clips_remove_rows(c, taken);
    free(perm);
    free(taken);
}

/* Hold out whole clips: queries then come from audio the index never saw.
 * Held-out clips keep their file order in the queries. */
static void clip_holdout(struct vecs *base, struct clips *bc, struct vecs *q, struct clips *qc,
                         size_t h, uint64_t seed)
{
    size_t nc = bc->n, d = base->d, rows = 0, i;
    size_t *perm = draw(nc, h, seed);
    unsigned char *taken = xcalloc(nc, 1), *gone = xcalloc(base->n, 1);

    for (i = 0; i < h; i++) {
        taken[perm[i]] = 1;
        rows += bc->first[perm[i] + 1] - bc->first[perm[i]];
    }
    q->d = d;
    q->dtype = base->dtype;
    q->x = xmalloc(rows * d * sizeof(float));
    qc->names = xcalloc(h, sizeof(*qc->names));
    qc->first = xcalloc(h + 1, sizeof(*qc->first));
    for (i = 0; i < nc; i++) {
        size_t a = bc->first[i], len = bc->first[i + 1] - a;
        if (!taken[i])
            continue;
        memcpy(q->x + q->n * d, base->x + a * d, len * d * sizeof(float));
        memset(gone + a, 1, len);
        qc->names[qc->n] = xstrdup(bc->names[i]);
        qc->first[qc->n++] = q->n;
        q->n += len;
    }
    qc->first[qc->n] = q->n;
    /* compact the base over the rows that left */
    size_t w = 0;
    for (size_t r = 0; r < base->n; r++)
        if (!gone[r]) {
            if (w != r)
                memcpy(base->x + w * d, base->x + r * d, d * sizeof(float));
            w++;
        }
    clips_remove_rows(bc, gone);
    base->n = w;
    vecs_shrink(base);
    free(perm);
    free(taken);
    free(gone);
}

/* ----------------------------------------------------------- dataset */

/* Over (n, d, base, nq, queries), sizes as uint64 so the hash names the
 * same data on every machine. */
static uint64_t hash_tables(const struct vecs *base, const struct vecs *queries)
{
    uint64_t n = base->n, d = base->d, nq = queries->n;
    uint64_t h = HASH_SEED;
    h = hash_bytes(h, &n, sizeof(n));
    h = hash_bytes(h, &d, sizeof(d));
    h = hash_bytes(h, base->x, base->n * base->d * sizeof(float));
    h = hash_bytes(h, &nq, sizeof(nq));
    return hash_bytes(h, queries->x, queries->n * queries->d * sizeof(float));
}

static int check_rows(const struct vecs *v, const char *path)
{
    if (v->n == 0)
        return error("no rows in '%s'", path);
    return check_finite(v, path);
}

/* ann-hdf5: base = train, queries = test, and the stored ground truth. A
 * base cut by base_limit makes the stored neighbour ids meaningless, so we
 * read one row more than asked to know whether it was cut. */
static int load_hdf5_split(struct dataset *ds, const struct dataset_spec *spec, int check)
{
    size_t limit = (size_t)spec->base_limit;
    struct annb a;
    int cut;

    if (load_annb(&a, spec->base, limit ? limit + 1 : 0, (size_t)spec->query_limit) < 0)
        return -1;
    cut = limit && a.train.n > limit;
    ds->base = a.train;
    ds->queries = a.test;
    if (!ds->base.dtype)
        ds->base.dtype = ds->queries.dtype = "float (HDF5)";
    if (cut) {
        ds->base.n = limit;
        vecs_shrink(&ds->base);
        info("base_limit cuts the train set of '%s': its stored ground truth is not used",
             spec->base);
        free(a.neighbors);
        free(a.distances);
    } else if (a.neighbors && a.gt_k) {
        ds->gt_ids = a.neighbors;
        ds->gt_dist = a.distances;
        ds->gt_k = a.gt_k;
    } else {
        free(a.neighbors);
        free(a.distances);
    }
    snprintf(ds->distance, sizeof(ds->distance), "%s", a.distance);
    ds->native_metric = annb_metric(a.distance);
    memset(&a, 0, sizeof(a));
    ds->queries_path = xstrdup(spec->base);
    if (check && (check_rows(&ds->base, spec->base) || check_rows(&ds->queries, spec->base)))
        return -1;
    return 0;
}

/* Queries from their own file, read as queries_format. */
static int load_queries_file(struct dataset *ds, const struct dataset_spec *spec)
{
    const char *format = spec->queries_format ? spec->queries_format : spec->format;

    ds->queries_path = xstrdup(spec->queries);
    if (format_load(&ds->queries, &ds->query_clips, format, spec->queries,
                 (size_t)spec->query_limit, spec->rvc_version) < 0)
        return -1;
    if (ds->queries.n == 0)
        return error("no rows in '%s'", spec->queries);
    if (ds->queries.d != ds->base.d)
        return error("dimension %zu of '%s' does not match base dimension %zu of '%s'",
                     ds->queries.d, spec->queries, ds->base.d, spec->base);
    return check_finite(&ds->queries, spec->queries);
}

static int hold_out_clips(struct dataset *ds, const struct dataset_spec *spec)
{
    size_t nc = ds->base_clips.n, h;

    if (!nc)
        return error("holdout_clips / holdout_fraction need clip boundaries, and '%s' has "
                     "none (a single .npy file)", ds->base_path);
    if (spec->holdout_clips > 0) {
        h = (size_t)spec->holdout_clips;
    } else {
        h = (size_t)floor(spec->holdout_fraction * (double)nc + 0.5);
        if (h < 1)
            h = 1;
    }
    if (h >= nc)
        return error("cannot hold out %zu of %zu clips of '%s' (at least one must stay in the "
                     "base)", h, nc, spec->base);
    clip_holdout(&ds->base, &ds->base_clips, &ds->queries, &ds->query_clips, h, spec->seed);
    if (spec->query_limit > 0 && (size_t)spec->query_limit < ds->queries.n) {
        ds->queries.n = (size_t)spec->query_limit;
        vecs_shrink(&ds->queries);
        clips_cut(&ds->query_clips, ds->queries.n);
    }
    return 0;
}

static int hold_out_rows(struct dataset *ds, const struct dataset_spec *spec)
{
    if (spec->holdout <= 0)
        return error("no queries for '%s': no query file and holdout is %ld", spec->base,
                     spec->holdout);
    if ((size_t)spec->holdout >= ds->base.n)
        return error("cannot hold out %ld of %zu rows of '%s' (at least one must stay in the base)",
                     spec->holdout, ds->base.n, spec->base);
    holdout(&ds->base, &ds->base_clips, &ds->queries, (size_t)spec->holdout, spec->seed);
    return 0;
}

/* Append b's rows (and clips) to a; b is released. Clip boundaries survive
 * only when both sides have them. */
static void append_rows(struct vecs *a, struct clips *ca, struct vecs *b, struct clips *cb)
{
    float *x = xmalloc((a->n + b->n) * a->d * sizeof(float));
    const char *dtype = a->dtype && b->dtype && strcmp(a->dtype, b->dtype) ? "mixed" : a->dtype;
    size_t n = a->n + b->n, d = a->d;

    memcpy(x, a->x, a->n * d * sizeof(float));
    memcpy(x + a->n * d, b->x, b->n * d * sizeof(float));
    if (ca->n && cb->n) {
        ca->names = xrealloc(ca->names, (ca->n + cb->n) * sizeof(*ca->names));
        ca->first = xrealloc(ca->first, (ca->n + cb->n + 1) * sizeof(*ca->first));
        for (size_t i = 0; i < cb->n; i++) {
            ca->names[ca->n + i] = cb->names[i];
            cb->names[i] = NULL;
            ca->first[ca->n + i] = a->n + cb->first[i];
        }
        ca->n += cb->n;
        ca->first[ca->n] = n;
    } else {
        clips_release(ca);
    }
    vecs_release(a);
    vecs_release(b);
    clips_release(cb);
    a->x = x;
    a->n = n;
    a->d = d;
    a->dtype = dtype;
}

/* dataset.base given as a list: the further paths, in order, then the limit. */
static int load_base_more(struct dataset *ds, const struct dataset_spec *spec)
{
    size_t limit = spec->base_limit > 0 ? (size_t)spec->base_limit : 0;
    for (size_t i = 0; i < spec->n_base_more; i++) {
        const char *path = spec->base_more[i];
        struct vecs v;
        struct clips c;
        if (limit && ds->base.n >= limit)
            break;   /* base_limit reached: the later paths are not read */
        if (format_load(&v, &c, spec->format, path, limit ? limit - ds->base.n : 0,
                     spec->rvc_version) < 0)
            return -1;
        if (v.d != ds->base.d) {
            error("dimension %zu of '%s' does not match %zu of '%s' (the first base path)",
                  v.d, path, ds->base.d, spec->base);
            vecs_release(&v);
            clips_release(&c);
            return -1;
        }
        if (check_rows(&v, path) < 0) {
            vecs_release(&v);
            clips_release(&c);
            return -1;
        }
        append_rows(&ds->base, &ds->base_clips, &v, &c);
    }
    return 0;
}

/* "a", or "a + b + c" for a list of base paths. */
static char *base_paths(const struct dataset_spec *spec)
{
    char *s = xstrdup(spec->base);
    for (size_t i = 0; i < spec->n_base_more; i++) {
        char *t = xasprintf("%s + %s", s, spec->base_more[i]);
        free(s);
        s = t;
    }
    return s;
}

int dataset_load(struct dataset *ds, const struct dataset_spec *spec)
{
    int holdout_clips = spec->holdout_clips > 0 || spec->holdout_fraction > 0;

    memset(ds, 0, sizeof(*ds));
    if (!spec->base)
        return error("dataset: no base file given");
    if (spec->base_limit < 0 || spec->query_limit < 0)
        return error("negative row limit for '%s'", spec->base);
    ds->base_path = base_paths(spec);
    if (spec->format && !strcmp(spec->format, "ann-hdf5")) {
        if (spec->n_base_more) {
            error("ann-hdf5 takes one file: dataset.base cannot be a list ('%s', ...)",
                  spec->base);
            goto fail;
        }
        if (spec->queries) {
            error("ann-hdf5 file '%s' holds its own queries (test): drop dataset.queries",
                  spec->base);
            goto fail;
        }
        if (load_hdf5_split(ds, spec, 1))
            goto fail;
    } else {
        if (format_load(&ds->base, &ds->base_clips, spec->format, spec->base,
                     (size_t)spec->base_limit, spec->rvc_version) < 0)
            goto fail;
        if (check_rows(&ds->base, spec->base) < 0 || load_base_more(ds, spec) < 0)
            goto fail;
        if (spec->queries ? load_queries_file(ds, spec)
            : holdout_clips ? hold_out_clips(ds, spec) : hold_out_rows(ds, spec))
            goto fail;
    }
    ds->hash = hash_tables(&ds->base, &ds->queries);
    return 0;
fail:
    dataset_release(ds);
    return -1;
}

void dataset_release(struct dataset *ds)
{
    vecs_release(&ds->base);
    vecs_release(&ds->queries);
    clips_release(&ds->base_clips);
    clips_release(&ds->query_clips);
    free(ds->base_path);
    free(ds->queries_path);
    free(ds->gt_ids);
    free(ds->gt_dist);
    memset(ds, 0, sizeof(*ds));
}

size_t dataset_prefix_rows(const struct dataset *ds, size_t n)
{
    const struct clips *c = &ds->base_clips;
    size_t k = 1;

    if (n >= ds->base.n)
        return ds->base.n;
    if (!c->n)
        return n;
    while (k < c->n && c->first[k + 1] <= n)
        k++;
    return c->first[k];
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static void print_clips(FILE *out, const struct clips *c)
{
    size_t *len;

    if (!c->n) {
        fprintf(out, "clips:          none (row data)\n");
        return;
    }
    len = xmalloc(c->n * sizeof(*len));
    for (size_t i = 0; i < c->n; i++)
        len[i] = c->first[i + 1] - c->first[i];
    qsort(len, c->n, sizeof(*len), cmp_size);
    fprintf(out, "clips:          %zu (rows per clip: min %zu, median %zu, max %zu; "
            "first '%s', last '%s')\n", c->n, len[0], len[c->n / 2], len[c->n - 1],
            c->names[0], c->names[c->n - 1]);
    free(len);
}

static void print_rows(FILE *out, const struct vecs *v)
{
    double mn = INFINITY, mx = 0, sum = 0;
    size_t finite = 0, zero = 0;

    for (size_t i = 0; i < v->n; i++) {
        const float *r = v->x + i * v->d;
        double nr = vecs_row_norm(r, v->d);
        if (!isfinite(nr))
            continue;
        finite++;
        zero += nr == 0;
        sum += nr;
        mn = nr < mn ? nr : mn;
        mx = nr > mx ? nr : mx;
    }
    if (finite)
        fprintf(out, "L2 norms:       min %.6g, mean %.6g, max %.6g (over rows without NaN/Inf)\n",
                mn, sum / (double)finite, mx);
    else
        fprintf(out, "L2 norms:       none (every row holds NaN or Inf)\n");
    fprintf(out, "NaN/Inf rows:   %zu\n", vecs_count_nonfinite(v, NULL));
    fprintf(out, "zero rows:      %zu\n", zero);
    fprintf(out, "duplicate rows: %zu (bitwise equal to an earlier row)\n",
            vecs_count_duplicates(v));
}

int dataset_info(FILE *out, const char *format, const char *path)
{
    struct dataset ds;
    struct vecs none;
    int hdf5;

    memset(&ds, 0, sizeof(ds));
    memset(&none, 0, sizeof(none));
    if (!format && !(format = dataset_guess_format(path)))
        return error("cannot tell the format of '%s' from its name: give it with --format", path);
    hdf5 = !strcmp(format, "ann-hdf5");
    if (hdf5) {
        struct dataset_spec spec;
        memset(&spec, 0, sizeof(spec));
        spec.base = (char *)path;
        if (load_hdf5_split(&ds, &spec, 0)) {
            dataset_release(&ds);
            return -1;
        }
    } else if (format_load(&ds.base, &ds.base_clips, format, path, 0, NULL) < 0) {
        return -1;
    }
    fprintf(out, "path:           %s\n", path);
    fprintf(out, "format:         %s\n", format);
    fprintf(out, "N:              %zu\n", ds.base.n);
    fprintf(out, "d:              %zu\n", ds.base.d);
    fprintf(out, "dtype:          %s\n", ds.base.dtype ? ds.base.dtype : "unknown");
    print_clips(out, &ds.base_clips);
    print_rows(out, &ds.base);
    fprintf(out, "hash:           %016llx (base alone: dataset_load's hash with no queries)\n",
            (unsigned long long)hash_tables(&ds.base, &none));
    if (hdf5) {
        fprintf(out, "queries:        %zu (test)\n", ds.queries.n);
        fprintf(out, "ground truth:   %s%zu neighbours per query\n", ds.gt_k ? "" : "none, ",
                ds.gt_k);
        fprintf(out, "distance:       %s (metric %s)\n", ds.distance,
                ds.native_metric ? ds.native_metric : "unknown");
        fprintf(out, "run hash:       %016llx (train + test: what a run without limits caches "
                "ground truth under)\n", (unsigned long long)hash_tables(&ds.base, &ds.queries));
    }
    dataset_release(&ds);
    return 0;
}
