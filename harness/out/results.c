/*
 * results.c - the in-memory result set and its HDF5 file.
 *
 * A file holds one compound dataset /runs, one row per sweep point, whose
 * columns are the fields of struct result_row with plain names (recall
 * columns named after each k), and root attributes for provenance plus "ks"
 * and "schema_version". The layout is chosen so that h5py and pandas read it
 * with no help: pd.DataFrame(h5py.File(p)["runs"][:]).
 *
 * One table of columns drives both directions: HDF5 converts between the
 * packed file type and struct result_row by member name, so reading matches
 * columns by name and ignores columns it does not know.
 */
#include "out/results.h"
#include "lib/util.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCHEMA_VERSION 2
#define CHUNK_ROWS 1024

enum col_kind { COL_STR, COL_I64, COL_F64 };

struct column {
    char name[32];
    enum col_kind kind;
    size_t off;     /* offset in struct result_row */
    size_t size;    /* bytes in struct result_row (and in the file) */
    int since;      /* schema version that added it: older files may lack it */
};

#define FIELD(f, kind) { #f, kind, offsetof(struct result_row, f), sizeof(((struct result_row *)0)->f), 1 }
#define FIELD2(f) { #f, COL_F64, offsetof(struct result_row, f), sizeof(double), 2 }

/* Columns before the recall columns, in file order. */
static const struct column head_cols[] = {
    FIELD(family, COL_STR), FIELD(factory, COL_STR), FIELD(metric, COL_STR),
    FIELD(N, COL_I64), FIELD(nlist, COL_I64), FIELD(nprobe, COL_I64), FIELD(k_factor, COL_I64),
    FIELD(preprocess, COL_STR), FIELD(n_clusters, COL_I64),
    FIELD(train_s, COL_F64), FIELD(add_s, COL_F64), FIELD(qps, COL_F64),
    FIELD(lat_mean_us, COL_F64), FIELD(lat_p50_us, COL_F64),
    FIELD(lat_p95_us, COL_F64), FIELD(lat_p99_us, COL_F64),
    FIELD(index_bytes, COL_I64), FIELD(rss_delta_bytes, COL_I64),
    FIELD(ndis_per_query, COL_F64),
};
/* Columns after the recall columns. */
static const struct column tail_cols[] = {
    FIELD(missing_ids, COL_I64),
    FIELD(blend_err_mean, COL_F64), FIELD(blend_err_p95, COL_F64), FIELD(blend_cos_mean, COL_F64),
    FIELD(blend_missing, COL_I64), FIELD(blend_zero_dist, COL_I64),
    FIELD(audio_s_batch, COL_F64), FIELD(audio_s_single, COL_F64),
    FIELD2(blend_ir_unit), FIELD2(audio_s_qexpand), FIELD2(prep_s),
    FIELD(status, COL_STR),
};

#define N_HEAD (sizeof(head_cols) / sizeof(head_cols[0]))
#define N_TAIL (sizeof(tail_cols) / sizeof(tail_cols[0]))
#define MAX_COLS (N_HEAD + 2 * RESULTS_MAX_KS + N_TAIL)

/* The full column list for a set of ks, in file order; returns the count. */
static size_t build_columns(struct column *cols, const long *ks, size_t n_ks)
{
    size_t n = 0;
    for (size_t i = 0; i < N_HEAD; i++)
        cols[n++] = head_cols[i];
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n_ks; i++) {
            struct column *c = &cols[n++];
            snprintf(c->name, sizeof(c->name), "%s_%ld", pass ? "recall1_at" : "recall_at", ks[i]);
            c->kind = COL_F64;
            c->off = (pass ? offsetof(struct result_row, recall1_at) : offsetof(struct result_row, recall_at))
                     + i * sizeof(double);
            c->size = sizeof(double);
            c->since = 1;
        }
    }
    for (size_t i = 0; i < N_TAIL; i++)
        cols[n++] = tail_cols[i];
    return n;
}

/* The compound type for `cols`: laid over struct result_row with native types
 * (memory), or packed with explicit little-endian types (file). */
static hid_t make_row_type(const struct column *cols, size_t n, int packed)
{
    size_t size = 0;
    if (packed)
        for (size_t i = 0; i < n; i++)
            size += cols[i].size;
    else
        size = sizeof(struct result_row);

    hid_t t = H5Tcreate(H5T_COMPOUND, size);
    size_t off = 0;
    for (size_t i = 0; t >= 0 && i < n; i++) {
        hid_t mt, own = -1;
        if (cols[i].kind == COL_STR) {
            own = mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, cols[i].size);
            H5Tset_strpad(mt, H5T_STR_NULLTERM);
        } else if (cols[i].kind == COL_I64) {
            mt = packed ? H5T_STD_I64LE : H5T_NATIVE_INT64;
        } else {
            mt = packed ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE;
        }
        herr_t rc = H5Tinsert(t, cols[i].name, packed ? off : cols[i].off, mt);
        if (own >= 0)
            H5Tclose(own);
        if (rc < 0) {
            H5Tclose(t);
            return -1;
        }
        off += cols[i].size;
    }
    return t;
}

/* ---- the in-memory set ---- */

void results_add_row(struct result_set *rs, const struct result_row *row)
{
    if (rs->n_rows == rs->cap_rows) {
        rs->cap_rows = rs->cap_rows ? 2 * rs->cap_rows : 64;
        rs->rows = xrealloc(rs->rows, rs->cap_rows * sizeof(*rs->rows));
    }
    rs->rows[rs->n_rows++] = *row;
}

void results_add_blend(struct result_set *rs, const struct blend_row *b)
{
    if (rs->n_blend == rs->cap_blend) {
        rs->cap_blend = rs->cap_blend ? 2 * rs->cap_blend : 64;
        rs->blend = xrealloc(rs->blend, rs->cap_blend * sizeof(*rs->blend));
    }
    rs->blend[rs->n_blend++] = *b;
}

/* The attribute called `name`, emptied for a new value, or a new one. */
static struct result_attr *attr_slot(struct result_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_attrs; i++) {
        if (!strcmp(rs->attrs[i].name, name)) {
            free(rs->attrs[i].s);
            rs->attrs[i].s = NULL;
            return &rs->attrs[i];
        }
    }
    rs->attrs = xrealloc(rs->attrs, (rs->n_attrs + 1) * sizeof(*rs->attrs));
    struct result_attr *a = &rs->attrs[rs->n_attrs++];
    memset(a, 0, sizeof(*a));
    a->name = xstrdup(name);
    return a;
}

void results_attr_str(struct result_set *rs, const char *name, const char *value)
{
    struct result_attr *a = attr_slot(rs, name);
    a->type = ATTR_STR;
    a->s = xstrdup(value);
}

void results_attr_int(struct result_set *rs, const char *name, int64_t value)
{
    struct result_attr *a = attr_slot(rs, name);
    a->type = ATTR_INT;
    a->i = value;
}

void results_attr_float(struct result_set *rs, const char *name, double value)
{
    struct result_attr *a = attr_slot(rs, name);
    a->type = ATTR_FLOAT;
    a->f = value;
}

void results_attr_del(struct result_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_attrs; i++) {
        if (!strcmp(rs->attrs[i].name, name)) {
            free(rs->attrs[i].name);
            free(rs->attrs[i].s);
            memmove(&rs->attrs[i], &rs->attrs[i + 1], (rs->n_attrs - i - 1) * sizeof(*rs->attrs));
            rs->n_attrs--;
            return;
        }
    }
}

const struct result_attr *results_attr(const struct result_set *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_attrs; i++)
        if (!strcmp(rs->attrs[i].name, name))
            return &rs->attrs[i];
    return NULL;
}

void results_release(struct result_set *rs)
{
    for (size_t i = 0; i < rs->n_attrs; i++) {
        free(rs->attrs[i].name);
        free(rs->attrs[i].s);
    }
    free(rs->attrs);
    free(rs->rows);
    free(rs->blend);
    memset(rs, 0, sizeof(*rs));
}

/* ---- writing ---- */

/* Names the writer owns: set from rs->ks and SCHEMA_VERSION, not from attrs. */
static int reserved_attr(const char *name)
{
    return !strcmp(name, "ks") || !strcmp(name, "schema_version");
}

static int write_attr(hid_t loc, const char *name, hid_t type, hid_t space, const void *buf)
{
    hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        return -1;
    herr_t rc = H5Awrite(a, type, buf);
    H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

/* Root attributes: ours, then every attribute of the set. Strings are
 * variable-length UTF-8, so h5py gives str and long texts fit. */
static int write_attrs(hid_t file, const struct result_set *rs)
{
    int rc = -1;
    hsize_t nk = rs->n_ks;
    int64_t ks[RESULTS_MAX_KS], version = SCHEMA_VERSION;
    hid_t scalar = H5Screate(H5S_SCALAR);
    hid_t vec = H5Screate_simple(1, &nk, NULL);
    hid_t str = H5Tcopy(H5T_C_S1);

    if (scalar < 0 || vec < 0 || str < 0 || H5Tset_size(str, H5T_VARIABLE) < 0 ||
        H5Tset_cset(str, H5T_CSET_UTF8) < 0)
        goto out;
    for (size_t i = 0; i < rs->n_ks; i++)
        ks[i] = rs->ks[i];
    if (write_attr(file, "schema_version", H5T_NATIVE_INT64, scalar, &version) < 0 ||
        write_attr(file, "ks", H5T_NATIVE_INT64, vec, ks) < 0)
        goto out;
    for (size_t i = 0; i < rs->n_attrs; i++) {
        const struct result_attr *a = &rs->attrs[i];
        int r;
        if (reserved_attr(a->name)) {
            warning("attribute '%s' is set from the result set itself; the given value is not written",
                    a->name);
            continue;
        }
        if (a->type == ATTR_STR)
            r = write_attr(file, a->name, str, scalar, &a->s);
        else if (a->type == ATTR_INT)
            r = write_attr(file, a->name, H5T_NATIVE_INT64, scalar, &a->i);
        else
            r = write_attr(file, a->name, H5T_NATIVE_DOUBLE, scalar, &a->f);
        if (r < 0)
            goto out;
    }
    rc = 0;
out:
    if (str >= 0)
        H5Tclose(str);
    if (vec >= 0)
        H5Sclose(vec);
    if (scalar >= 0)
        H5Sclose(scalar);
    return rc;
}

/* The /blend table's compound type: over struct blend_row, or packed LE. */
static hid_t make_blend_type(int packed)
{
    static const struct { const char *name; size_t off; } f[] = {
        { "run_row", offsetof(struct blend_row, run_row) },
        { "index_rate", offsetof(struct blend_row, index_rate) },
        { "blend_err_mean", offsetof(struct blend_row, err_mean) },
        { "blend_err_p95", offsetof(struct blend_row, err_p95) },
        { "blend_ir_unit", offsetof(struct blend_row, ir_unit) },
    };
    hid_t t = H5Tcreate(H5T_COMPOUND, packed ? 5 * 8 : sizeof(struct blend_row));
    for (size_t i = 0; t >= 0 && i < 5; i++) {
        hid_t mt = i ? (packed ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE)
                     : (packed ? H5T_STD_I64LE : H5T_NATIVE_INT64);
        if (H5Tinsert(t, f[i].name, packed ? 8 * i : f[i].off, mt) < 0) {
            H5Tclose(t);
            return -1;
        }
    }
    return t;
}

/* A 1-d chunked dataset of `n` rows of `buf` (an empty one is fine); the
 * two types are closed here. */
static int write_table(hid_t file, const char *name, hid_t mtype, hid_t ftype,
                       const void *buf, size_t n)
{
    hsize_t dims = n, maxdims = H5S_UNLIMITED;
    hsize_t chunk = n ? (n < CHUNK_ROWS ? n : CHUNK_ROWS) : 1;
    hid_t space = H5Screate_simple(1, &dims, &maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t dset = -1;
    int rc = -1;

    if (mtype < 0 || ftype < 0 || space < 0 || dcpl < 0 || H5Pset_chunk(dcpl, 1, &chunk) < 0)
        goto out;
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 && H5Pset_deflate(dcpl, 4) < 0)
        goto out;
    dset = H5Dcreate2(file, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dset < 0)
        goto out;
    if (n && H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        goto out;
    rc = 0;
out:
    if (dset >= 0)
        H5Dclose(dset);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (mtype >= 0)
        H5Tclose(mtype);
    return rc;
}

static int write_blend(hid_t file, const struct result_set *rs)
{
    return write_table(file, "blend", make_blend_type(0), make_blend_type(1), rs->blend,
                       rs->n_blend);
}

/* The /runs dataset: chunked (so an empty set is fine) and gzip'd when the
 * filter is there. */
static int write_runs(hid_t file, const struct result_set *rs)
{
    struct column cols[MAX_COLS];
    size_t n = build_columns(cols, rs->ks, rs->n_ks);
    return write_table(file, "runs", make_row_type(cols, n, 0), make_row_type(cols, n, 1),
                       rs->rows, rs->n_rows);
}

static int write_file(const struct result_set *rs, const char *path)
{
    char *partial = xasprintf("%s.partial", path);
    hid_t fcpl = -1, file = -1;
    int rc = -1;

    if (rs->n_ks > RESULTS_MAX_KS) {
        error("cannot write '%s': %zu k values, at most %d", path, rs->n_ks, RESULTS_MAX_KS);
        goto out;
    }
    /* Track creation order so attributes read back in the order written. */
    fcpl = H5Pcreate(H5P_FILE_CREATE);
    if (fcpl < 0 || H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0) {
        error("cannot write '%s': hdf5 property list failed", path);
        goto out;
    }
    errno = 0;
    file = H5Fcreate(partial, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    if (file < 0) {
        if (errno)
            error_errno("cannot create '%s'", partial);
        else
            error("cannot create '%s': hdf5 error", partial);
        goto out;
    }
    if (write_runs(file, rs) < 0 || write_blend(file, rs) < 0 || write_attrs(file, rs) < 0) {
        error("cannot write '%s': hdf5 error writing %s", partial, rs->n_rows ? "rows" : "attributes");
        goto out;
    }
    herr_t closed = H5Fclose(file);
    file = -1;
    if (closed < 0) {
        error("cannot write '%s': hdf5 error on close", partial);
        goto out;
    }
    if (rename(partial, path) < 0) {
        error_errno("cannot rename '%s' to '%s'", partial, path);
        goto out;
    }
    rc = 0;
out:
    if (file >= 0)
        H5Fclose(file);
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (rc < 0)
        unlink(partial);
    free(partial);
    return rc;
}

/* ---- reading ---- */

/* ks from the names "recall_at_<k>", in column order. */
static int read_ks(struct result_set *rs, hid_t ftype, const char *path)
{
    int n = H5Tget_nmembers(ftype);
    for (int i = 0; i < n; i++) {
        char *name = H5Tget_member_name(ftype, (unsigned)i);
        char *end = NULL;
        long k = 0;
        int is_k = name && !strncmp(name, "recall_at_", 10);
        if (is_k)
            k = strtol(name + 10, &end, 10);
        is_k = is_k && end != name + 10 && !*end && k > 0;
        H5free_memory(name);
        if (!is_k)
            continue;
        if (rs->n_ks == RESULTS_MAX_KS)
            return error("cannot read '%s': more than %d recall_at_<k> columns", path, RESULTS_MAX_KS);
        rs->ks[rs->n_ks++] = k;
    }
    if (!rs->n_ks)
        return error("cannot read '%s': /runs has no recall_at_<k> column", path);
    return 0;
}

static int read_runs(struct result_set *rs, hid_t file, const char *path)
{
    struct column cols[MAX_COLS];
    hid_t dset = -1, ftype = -1, space = -1, mtype = -1;
    hssize_t n;
    int rc = -1;

    dset = H5Dopen2(file, "runs", H5P_DEFAULT);
    if (dset < 0) {
        error("cannot read '%s': no /runs dataset", path);
        goto out;
    }
    ftype = H5Dget_type(dset);
    space = H5Dget_space(dset);
    if (ftype < 0 || space < 0 || H5Tget_class(ftype) != H5T_COMPOUND ||
        H5Sget_simple_extent_ndims(space) != 1) {
        error("cannot read '%s': /runs is not a 1-d table of rows", path);
        goto out;
    }
    if (read_ks(rs, ftype, path) < 0)
        goto out;
    size_t nc = build_columns(cols, rs->ks, rs->n_ks), kept = 0, absent[MAX_COLS], n_absent = 0;
    for (size_t i = 0; i < nc; i++) {
        if (H5Tget_member_index(ftype, cols[i].name) >= 0) {
            cols[kept++] = cols[i];
        } else if (cols[i].since > 1) {
            absent[n_absent++] = cols[i].off;   /* a newer column: reads as NaN */
        } else {
            error("cannot read '%s': /runs has no column '%s'", path, cols[i].name);
            goto out;
        }
    }
    mtype = make_row_type(cols, kept, 0);
    n = H5Sget_simple_extent_npoints(space);
    if (mtype < 0 || n < 0) {
        error("cannot read '%s': hdf5 error on /runs", path);
        goto out;
    }
    rs->n_rows = rs->cap_rows = (size_t)n;
    rs->rows = xcalloc(rs->cap_rows, sizeof(*rs->rows));
    for (size_t r = 0; r < rs->n_rows; r++)
        for (size_t i = 0; i < n_absent; i++)
            *(double *)((char *)&rs->rows[r] + absent[i]) = NAN;
    if (n && H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, rs->rows) < 0) {
        error("cannot read '%s': hdf5 error reading /runs", path);
        goto out;
    }
    rc = 0;
out:
    if (mtype >= 0)
        H5Tclose(mtype);
    if (space >= 0)
        H5Sclose(space);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (dset >= 0)
        H5Dclose(dset);
    return rc;
}

/* Read a string attribute, fixed or variable length; NULL on failure. */
static char *read_str_attr(hid_t attr, hid_t ftype)
{
    char *s = NULL;
    if (H5Tis_variable_str(ftype) > 0) {
        char *v = NULL;
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(ftype));
        if (H5Aread(attr, mt, &v) >= 0)
            s = xstrdup(v ? v : "");
        H5free_memory(v);
        H5Tclose(mt);
    } else {
        size_t len = H5Tget_size(ftype);
        hid_t mt = H5Tcopy(ftype);
        s = xcalloc(len + 1, 1);
        if (H5Aread(attr, mt, s) < 0) {
            free(s);
            s = NULL;
        }
        H5Tclose(mt);
    }
    return s;
}

struct attr_ctx {
    struct result_set *rs;
    const char *path;
    int failed;
};

/* Called for each root attribute: scalar strings, integers and floats are
 * kept; anything else (arrays, compounds) is skipped. */
static herr_t read_one_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data)
{
    struct attr_ctx *ctx = data;
    hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
    hid_t ftype = attr >= 0 ? H5Aget_type(attr) : -1;
    hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
    (void)info;

    if (ftype < 0 || space < 0) {
        ctx->failed = error("cannot read '%s': attribute '%s' unreadable", ctx->path, name);
    } else if (H5Sget_simple_extent_type(space) == H5S_SCALAR && !reserved_attr(name)) {
        H5T_class_t cls = H5Tget_class(ftype);
        int64_t i;
        double f;
        if (cls == H5T_STRING) {
            char *s = read_str_attr(attr, ftype);
            if (s)
                results_attr_str(ctx->rs, name, s);
            else
                ctx->failed = error("cannot read '%s': string attribute '%s' unreadable", ctx->path, name);
            free(s);
        } else if (cls == H5T_INTEGER && H5Aread(attr, H5T_NATIVE_INT64, &i) >= 0) {
            results_attr_int(ctx->rs, name, i);
        } else if (cls == H5T_FLOAT && H5Aread(attr, H5T_NATIVE_DOUBLE, &f) >= 0) {
            results_attr_float(ctx->rs, name, f);
        }
    } else if (!strcmp(name, "schema_version")) {
        int64_t v = 0;
        if (H5Aread(attr, H5T_NATIVE_INT64, &v) < 0 || v > SCHEMA_VERSION)
            ctx->failed = error("cannot read '%s': schema_version %lld is newer than %d",
                                ctx->path, (long long)v, SCHEMA_VERSION);
    }
    if (space >= 0)
        H5Sclose(space);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (attr >= 0)
        H5Aclose(attr);
    return ctx->failed ? -1 : 0;
}

static int read_attrs(struct result_set *rs, hid_t file, const char *path)
{
    struct attr_ctx ctx = { rs, path, 0 };
    hsize_t idx = 0;
    /* Creation order when the file tracks it (ours do), else by name. */
    herr_t rc = H5Aiterate2(file, H5_INDEX_CRT_ORDER, H5_ITER_INC, &idx, read_one_attr, &ctx);
    if (rc < 0 && !ctx.failed && idx == 0)
        rc = H5Aiterate2(file, H5_INDEX_NAME, H5_ITER_INC, &idx, read_one_attr, &ctx);
    if (ctx.failed)
        return -1;
    if (rc < 0)
        return error("cannot read '%s': hdf5 error reading attributes", path);
    return 0;
}

/* /blend, when there (files of schema 1 have none). */
static int read_blend(struct result_set *rs, hid_t file, const char *path)
{
    hid_t dset, space = -1, mtype = -1;
    hssize_t n;
    int rc = -1;

    if (H5Lexists(file, "blend", H5P_DEFAULT) <= 0)
        return 0;
    dset = H5Dopen2(file, "blend", H5P_DEFAULT);
    if (dset < 0)
        return error("cannot read '%s': cannot open /blend", path);
    space = H5Dget_space(dset);
    mtype = make_blend_type(0);
    n = space < 0 ? -1 : H5Sget_simple_extent_npoints(space);
    if (mtype < 0 || n < 0) {
        error("cannot read '%s': hdf5 error on /blend", path);
        goto out;
    }
    rs->n_blend = rs->cap_blend = (size_t)n;
    rs->blend = xcalloc(n ? (size_t)n : 1, sizeof(*rs->blend));
    if (n && H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, rs->blend) < 0) {
        error("cannot read '%s': hdf5 error reading /blend", path);
        goto out;
    }
    for (size_t i = 0; i < rs->n_blend; i++) {
        if (rs->blend[i].run_row < 0 || (size_t)rs->blend[i].run_row >= rs->n_rows) {
            error("cannot read '%s': /blend row %zu points at /runs row %lld of %zu", path, i,
                  (long long)rs->blend[i].run_row, rs->n_rows);
            goto out;
        }
    }
    rc = 0;
out:
    if (mtype >= 0)
        H5Tclose(mtype);
    if (space >= 0)
        H5Sclose(space);
    H5Dclose(dset);
    return rc;
}

static int read_file_h5(struct result_set *rs, const char *path)
{
    hid_t file = -1;
    int rc = -1;

    memset(rs, 0, sizeof(*rs));
    if (access(path, R_OK) < 0)
        return error_errno("cannot open '%s'", path);
    if (H5Fis_hdf5(path) <= 0)
        return error("cannot read '%s': not an HDF5 file", path);
    file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return error("cannot open '%s': hdf5 error", path);
    if (read_runs(rs, file, path) < 0 || read_blend(rs, file, path) < 0 ||
        read_attrs(rs, file, path) < 0)
        goto out;
    rc = 0;
out:
    H5Fclose(file);
    if (rc < 0)
        results_release(rs);
    return rc;
}

/* HDF5 prints its whole error stack by default; these print one line
 * instead. Its printing is off for the call only (H5E_BEGIN_TRY saves and
 * restores the handler), not for the process. */
int results_write(const struct result_set *rs, const char *path)
{
    int rc = -1;
    H5E_BEGIN_TRY {
        rc = write_file(rs, path);
    } H5E_END_TRY;
    return rc;
}

int results_read(struct result_set *rs, const char *path)
{
    int rc = -1;
    H5E_BEGIN_TRY {
        rc = read_file_h5(rs, path);
    } H5E_END_TRY;
    return rc;
}
