/*
 * pool.c - grouping the rows of several result sets into points by the
 * roles of their columns, and the pooled value of a column.
 *
 * Rows are bucketed by a hash of their generic setting columns (and the
 * file's facts), so only rows of one bucket are compared column by column.
 */
#include "out/pool.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* An input's columns (those its file had) and the maps to the others'. */
struct input_cols {
    struct run_column cols[RESULTS_MAX_COLUMNS];
    size_t n;
};

struct ctx {
    const struct pool_input *in;
    size_t n_in;
    struct input_cols *ic;
    int **map;              /* map[a * n_in + b][i]: column i of a in b, or -1; lazily */
    int with_status;        /* no status filter: the status is part of the identity */
};

static void input_columns(const struct result_set *rs, struct input_cols *ic)
{
    struct run_column all[RESULTS_MAX_COLUMNS];
    size_t n = results_columns(rs, all);
    ic->n = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i].generic < 0 || !((rs->lacks >> all[i].generic) & 1))
            ic->cols[ic->n++] = all[i];
}

static const int *column_map(struct ctx *c, size_t a, size_t b)
{
    int **m = &c->map[a * c->n_in + b];
    if (!*m) {
        const struct input_cols *x = &c->ic[a], *y = &c->ic[b];
        *m = xmalloc((x->n ? x->n : 1) * sizeof(**m));
        for (size_t i = 0; i < x->n; i++) {
            (*m)[i] = -1;
            for (size_t j = 0; j < y->n && (*m)[i] < 0; j++)
                if (!strcmp(x->cols[i].name, y->cols[j].name) && x->cols[i].type == y->cols[j].type)
                    (*m)[i] = (int)j;
        }
    }
    return *m;
}

static const char *facts_of(const struct pool_input *in)
{
    return in->facts ? in->facts : "";
}

static int counts_in_identity(const struct ctx *c, enum col_role r)
{
    return r == ROLE_SETTING || (c->with_status && r == ROLE_STATUS);
}

/* FNV-1a of the facts and the generic identity columns: the same columns,
 * in the same order, in every set. */
static uint64_t identity_hash(const struct ctx *c, size_t input, const struct result_row *row)
{
    const char *facts = facts_of(&c->in[input]);
    uint64_t h = hash_bytes(HASH_SEED, facts, strlen(facts));
    const struct input_cols *ic = &c->ic[input];

    for (size_t i = 0; i < ic->n; i++) {
        const struct run_column *col = &ic->cols[i];
        const char *v = (const char *)row + col->off;
        if (col->generic < 0 || !counts_in_identity(c, col->role))
            continue;
        h = hash_bytes(h, v, col->type == COL_STR ? strnlen(v, col->size) : col->size);
    }
    return h;
}

static int close_enough(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= 1e-6 * fmax(fabs(a), fabs(b)) + 1e-12;
}

/* Do row ra of input a and row rb of input b measure the same point, with
 * the same answers? Columns only one of them has are not compared. */
static int same_point(struct ctx *c, size_t a, const struct result_row *ra, size_t b,
                      const struct result_row *rb)
{
    const struct input_cols *x = &c->ic[a], *y = &c->ic[b];
    const int *map;

    if (strcmp(facts_of(&c->in[a]), facts_of(&c->in[b])))
        return 0;
    map = column_map(c, a, b);
    for (size_t i = 0; i < x->n; i++) {
        const struct run_column *cx = &x->cols[i], *cy;
        enum col_role role = cx->role;
        if (map[i] < 0)
            continue;
        cy = &y->cols[map[i]];
        if (role == ROLE_UNKNOWN)
            role = cy->role;
        if (cx->type == COL_STR) {
            if (counts_in_identity(c, role) &&
                strncmp((const char *)ra + cx->off, (const char *)rb + cy->off, cx->size))
                return 0;
        } else if (counts_in_identity(c, role)) {
            double u = results_cell_value(ra, cx), v = results_cell_value(rb, cy);
            if (!(u == v || (isnan(u) && isnan(v))))
                return 0;
        } else if (role == ROLE_QUALITY &&
                   !close_enough(results_cell_value(ra, cx), results_cell_value(rb, cy))) {
            return 0;
        }
    }
    return 1;
}

struct open_point {
    uint64_t hash, inputs;
    size_t input, row;      /* its first run */
    size_t n;
};

static int keep_row(const struct result_row *r, const char *status)
{
    return !status || !strcmp(r->status, status);
}

/* The point row `row` of input `input` joins (index into pts), or a new one. */
static size_t join(struct ctx *c, struct open_point **pts, size_t *n_pts, size_t *cap,
                   size_t input, size_t row)
{
    const struct result_row *r = &c->in[input].rs->rows[row];
    uint64_t h = identity_hash(c, input, r);

    for (size_t i = 0; i < *n_pts; i++) {
        struct open_point *o = &(*pts)[i];
        if (o->hash == h && !((o->inputs >> input) & 1) &&
            same_point(c, o->input, &c->in[o->input].rs->rows[o->row], input, r)) {
            o->inputs |= UINT64_C(1) << input;
            o->n++;
            return i;
        }
    }
    if (*n_pts == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        *pts = xrealloc(*pts, *cap * sizeof(**pts));
    }
    (*pts)[*n_pts] = (struct open_point){ h, UINT64_C(1) << input, input, row, 1 };
    return (*n_pts)++;
}

/* Members in processing order, with their point, into p grouped by point. */
static void group(struct pool *p, const struct open_point *pts, size_t n_pts,
                  const struct pool_member *m, const size_t *point_of, size_t n_m)
{
    size_t *next = xcalloc(n_pts ? n_pts : 1, sizeof(*next));

    p->points = xcalloc(n_pts ? n_pts : 1, sizeof(*p->points));
    p->members = xmalloc((n_m ? n_m : 1) * sizeof(*p->members));
    p->n_points = n_pts;
    for (size_t i = 0, at = 0; i < n_pts; i++) {
        p->points[i] = (struct pool_point){ at, pts[i].n, pts[i].inputs };
        next[i] = at;
        at += pts[i].n;
    }
    for (size_t i = 0; i < n_m; i++)
        p->members[next[point_of[i]]++] = m[i];
    free(next);
}

/* Attribute `name` of both sets: equal (both absent counts when
 * absent_ok). */
static int same_text(const struct result_set *a, const struct result_set *b, const char *name,
                     int absent_ok)
{
    const char *x = results_attr_text(a, name), *y = results_attr_text(b, name);
    if (!x || !y)
        return absent_ok && !x && !y;
    return !strcmp(x, y);
}

int pool_same_run(const struct result_set *a, const char *pa, const struct result_set *b,
                  const char *pb)
{
    struct stat sa, sb;
    if (pa && pb && stat(pa, &sa) == 0 && stat(pb, &sb) == 0 && sa.st_dev == sb.st_dev &&
        sa.st_ino == sb.st_ino)
        return 1;
    return same_text(a, b, "start_time", 0) && same_text(a, b, "config_text", 0) &&
           same_text(a, b, "dataset_hash", 1) && same_text(a, b, "cpu_model", 1);
}

int pool_check_distinct(const struct result_set *const *sets, const char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            const char *pi = paths ? paths[i] : NULL, *pj = paths ? paths[j] : NULL;
            if (!pool_same_run(sets[i], pi, sets[j], pj))
                continue;
            if (pi && pj)
                return error("'%s' and '%s' are the same run (the same file, or the same "
                             "start_time, config and data): give each run once", pi, pj);
            return error("inputs %zu and %zu are the same run (the same start_time, config "
                         "and data): give each run once", i + 1, j + 1);
        }
    return 0;
}

int pool_build(struct pool *p, const struct pool_input *in, size_t n_in, const char *status)
{
    struct ctx c = { .in = in, .n_in = n_in, .with_status = status == NULL };
    struct open_point *pts = NULL;
    struct pool_member *m = NULL;
    size_t *point_of = NULL, n_pts = 0, cap = 0, n_m = 0, total = 0;

    memset(p, 0, sizeof(*p));
    p->in = in;
    p->n_in = n_in;
    if (n_in > POOL_MAX_INPUTS)
        return error("cannot pool %zu result files: at most %d", n_in, POOL_MAX_INPUTS);
    {
        /* the callers that know the files checked already, naming them */
        const struct result_set *sets[POOL_MAX_INPUTS] = { NULL };
        for (size_t i = 0; i < n_in; i++)
            sets[i] = in[i].rs;
        if (pool_check_distinct(sets, NULL, n_in) < 0)
            return -1;
    }
    c.ic = xmalloc((n_in ? n_in : 1) * sizeof(*c.ic));
    c.map = xcalloc(n_in * n_in + 1, sizeof(*c.map));
    for (size_t i = 0; i < n_in; i++) {
        input_columns(in[i].rs, &c.ic[i]);
        total += in[i].rs->n_rows;
    }
    m = xmalloc((total ? total : 1) * sizeof(*m));
    point_of = xmalloc((total ? total : 1) * sizeof(*point_of));
    for (size_t i = 0; i < n_in; i++) {
        for (size_t r = 0; r < in[i].rs->n_rows; r++) {
            if (!keep_row(&in[i].rs->rows[r], status))
                continue;
            point_of[n_m] = join(&c, &pts, &n_pts, &cap, i, r);
            m[n_m++] = (struct pool_member){ i, r };
        }
    }
    group(p, pts, n_pts, m, point_of, n_m);
    for (size_t i = 0; i < n_in * n_in; i++)
        free(c.map[i]);
    free(c.map);
    free(c.ic);
    free(pts);
    free(m);
    free(point_of);
    return 0;
}

void pool_release(struct pool *p)
{
    free(p->members);
    free(p->points);
    memset(p, 0, sizeof(*p));
}

const struct result_row *pool_row(const struct pool *p, size_t point,
                                  const struct result_set **rs)
{
    const struct pool_member *m = &p->members[p->points[point].first];
    if (rs)
        *rs = p->in[m->input].rs;
    return &p->in[m->input].rs->rows[m->row];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int pool_value(const struct pool *p, size_t point, const char *name, double *v, double *lo,
               double *hi)
{
    const struct pool_point *pt = &p->points[point];
    double vals[POOL_MAX_INPUTS], first = NAN;
    size_t n = 0, have = 0;
    enum col_role role = ROLE_UNKNOWN;

    for (size_t i = 0; i < pt->n; i++) {
        const struct pool_member *m = &p->members[pt->first + i];
        const struct result_set *rs = p->in[m->input].rs;
        struct run_column c;
        double x;
        if (results_find(rs, name, &c) || c.type == COL_STR)
            continue;
        x = results_cell_value(&rs->rows[m->row], &c);
        if (!have++)
            first = x;
        if (role == ROLE_UNKNOWN)
            role = c.role;
        if (isfinite(x))
            vals[n++] = x;
    }
    *v = first;
    if (role == ROLE_TIME) {
        qsort(vals, n, sizeof(*vals), cmp_double);
        *v = !n ? NAN : n % 2 ? vals[n / 2] : 0.5 * (vals[n / 2 - 1] + vals[n / 2]);
    }
    if (lo)
        *lo = role == ROLE_TIME ? (n ? vals[0] : NAN) : first;
    if (hi)
        *hi = role == ROLE_TIME ? (n ? vals[n - 1] : NAN) : first;
    return have ? 0 : -1;
}

int pool_same_settings(const struct result_set *a, const struct result_row *ra,
                       const struct result_set *b, const struct result_row *rb)
{
    struct run_column cols[RESULTS_MAX_COLUMNS];
    size_t n = results_columns(a, cols);

    for (size_t i = 0; i < n; i++) {
        struct run_column cb;
        if (cols[i].role != ROLE_SETTING || results_find(b, cols[i].name, &cb) ||
            cb.type != cols[i].type)
            continue;
        if (cols[i].type == COL_STR) {
            if (strncmp((const char *)ra + cols[i].off, (const char *)rb + cb.off, cols[i].size))
                return 0;
        } else {
            double u = results_cell_value(ra, &cols[i]), v = results_cell_value(rb, &cb);
            if (!(u == v || (isnan(u) && isnan(v))))
                return 0;
        }
    }
    return 1;
}
