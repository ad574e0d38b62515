/*
 * results_h5.c - the HDF5 file of a result set.
 *
 * /runs is one compound dataset, one row per sweep point, whose members are
 * the columns of results_columns() with plain names; side tables are more
 * compound datasets of 8-byte numbers; each has a "roles" attribute (one
 * role name per member); root attributes hold provenance plus "ks" and
 * "schema_version". The layout is chosen so that h5py and pandas read it
 * with no help: pd.DataFrame(h5py.File(p)["runs"][:]).
 *
 * HDF5 converts between the packed file type and struct result_row by
 * member name, so reading matches columns by name: the generic ones into
 * their fields, any other numeric one into a cell.
 */
#include "out/results.h"
#include "lib/h5.h"
#include "lib/util.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 3: roles stored, measure columns only when the run had the measure.
 * 4: median qps with its spread, latency rounds, noisy, /timings;
 * quantizer_reused and train_reused_s. 5: train_rows. */
#define SCHEMA_VERSION 5
#define CHUNK_ROWS 1024

/* A compound type of n members, each at offs[i] (memory) or packed one
 * after the other (file, little-endian); sizes[i] bytes, strings for
 * COL_STR. total is the memory struct's size. */
static hid_t make_type(const char *const *names, const enum col_type *types, const size_t *offs,
                       const size_t *sizes, size_t n, size_t total, int packed)
{
    size_t size = 0;
    if (packed)
        for (size_t i = 0; i < n; i++)
            size += sizes[i];
    else
        size = total;

    hid_t t = H5Tcreate(H5T_COMPOUND, size ? size : 1);
    size_t off = 0;
    for (size_t i = 0; t >= 0 && i < n; i++) {
        hid_t mt, own = -1;
        if (types[i] == COL_STR) {
            own = mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, sizes[i]);
            H5Tset_strpad(mt, H5T_STR_NULLTERM);
        } else if (types[i] == COL_I64) {
            mt = packed ? H5T_STD_I64LE : H5T_NATIVE_INT64;
        } else {
            mt = packed ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE;
        }
        herr_t rc = H5Tinsert(t, names[i], packed ? off : offs[i], mt);
        if (own >= 0)
            H5Tclose(own);
        if (rc < 0) {
            H5Tclose(t);
            return -1;
        }
        off += sizes[i];
    }
    return t;
}

/* The parts of a column list that make_type takes. */
struct layout {
    const char *names[RESULTS_MAX_COLUMNS];
    enum col_type types[RESULTS_MAX_COLUMNS];
    size_t offs[RESULTS_MAX_COLUMNS], sizes[RESULTS_MAX_COLUMNS];
    const char *roles[RESULTS_MAX_COLUMNS];
    size_t n, total;
};

static void layout_runs(struct layout *l, const struct run_column *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        l->names[i] = cols[i].name;
        l->types[i] = cols[i].type;
        l->offs[i] = cols[i].off;
        l->sizes[i] = cols[i].size;
        l->roles[i] = col_role_name(cols[i].role);
    }
    l->n = n;
    l->total = sizeof(struct result_row);
}

static void layout_table(struct layout *l, const struct result_col *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        l->names[i] = cols[i].name;
        l->types[i] = cols[i].type;
        l->offs[i] = i * sizeof(union result_cell);
        l->sizes[i] = sizeof(union result_cell);
        l->roles[i] = col_role_name(cols[i].role);
    }
    l->n = n;
    l->total = n * sizeof(union result_cell);
}

static hid_t layout_type(const struct layout *l, int packed)
{
    return make_type(l->names, l->types, l->offs, l->sizes, l->n, l->total, packed);
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

/* A variable-length UTF-8 string type (caller closes). */
static hid_t vlen_str(void)
{
    hid_t str = H5Tcopy(H5T_C_S1);
    if (str >= 0 && (H5Tset_size(str, H5T_VARIABLE) < 0 || H5Tset_cset(str, H5T_CSET_UTF8) < 0)) {
        H5Tclose(str);
        return -1;
    }
    return str;
}

/* The "roles" attribute of a table: one string per member. */
static int write_roles(hid_t dset, const char *const *roles, size_t n)
{
    hsize_t dims = n;
    hid_t space = H5Screate_simple(1, &dims, NULL), str = vlen_str();
    int rc = -1;
    if (space >= 0 && str >= 0)
        rc = write_attr(dset, "roles", str, space, roles);
    if (str >= 0)
        H5Tclose(str);
    if (space >= 0)
        H5Sclose(space);
    return rc;
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
    hid_t str = vlen_str();

    if (scalar < 0 || vec < 0 || str < 0)
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

/* A 1-d chunked dataset of `n` rows of `buf` (an empty one is fine), gzip'd
 * when the filter is there, with its roles. */
static int write_table(hid_t file, const char *name, const struct layout *l, const void *buf,
                       size_t n)
{
    hsize_t dims = n, maxdims = H5S_UNLIMITED;
    hsize_t chunk = n ? (n < CHUNK_ROWS ? n : CHUNK_ROWS) : 1;
    hid_t mtype = layout_type(l, 0), ftype = layout_type(l, 1);
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
    if (write_roles(dset, l->roles, l->n) < 0)
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

static int write_tables(hid_t file, const struct result_set *rs)
{
    struct run_column cols[RESULTS_MAX_COLUMNS];
    struct layout l;

    layout_runs(&l, cols, results_columns(rs, cols));
    if (write_table(file, "runs", &l, rs->rows, rs->n_rows) < 0)
        return -1;
    for (size_t i = 0; i < rs->n_tables; i++) {
        const struct result_table *t = &rs->tables[i];
        layout_table(&l, t->cols, t->n_cols);
        if (write_table(file, t->name, &l, t->cells, t->n_rows) < 0)
            return -1;
    }
    return 0;
}

/* The whole file is made in memory (HDF5's core driver, no backing store)
 * and written out in one go by h5_write_synced: a full disk is then a
 * write error of ours, not an HDF5 flush failing inside H5Fclose, which in
 * HDF5 1.10 leaves a half-closed file that crashes the library's clean-up
 * at exit. It goes to <path>.partial, renamed to path once complete. */
static int write_file(const struct result_set *rs, const char *path)
{
    char *partial = xasprintf("%s.partial", path);
    hid_t fcpl = -1, fapl = -1, file = -1;
    void *image = NULL;
    ssize_t size;
    int rc = -1;

    if (rs->n_ks > RESULTS_MAX_KS) {
        error("cannot write '%s': %zu k values, at most %d", path, rs->n_ks, RESULTS_MAX_KS);
        goto out;
    }
    /* Track creation order so attributes read back in the order written. */
    fcpl = H5Pcreate(H5P_FILE_CREATE);
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fcpl < 0 || H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        fapl < 0 || H5Pset_fapl_core(fapl, 1 << 20, 0) < 0) {
        error("cannot write '%s': hdf5 property list failed", path);
        goto out;
    }
    errno = 0;
    file = H5Fcreate(partial, H5F_ACC_TRUNC, fcpl, fapl);
    if (file < 0) {
        if (errno)
            error_errno("cannot create '%s'", partial);
        else
            error("cannot create '%s': hdf5 error", partial);
        goto out;
    }
    if (write_tables(file, rs) < 0 || write_attrs(file, rs) < 0) {
        error("cannot write '%s': hdf5 error writing %s", partial, rs->n_rows ? "rows" : "attributes");
        goto out;
    }
    if (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0 || (size = H5Fget_file_image(file, NULL, 0)) <= 0 ||
        H5Fget_file_image(file, image = xmalloc((size_t)size), (size_t)size) != size) {
        error("cannot write '%s': hdf5 error making the file", partial);
        goto out;
    }
    herr_t closed = H5Fclose(file);
    file = -1;
    if (closed < 0) {
        error("cannot write '%s': hdf5 error on close", partial);
        goto out;
    }
    if (h5_write_synced(partial, image, (size_t)size) < 0)
        goto out;
    if (rename(partial, path) < 0) {
        error_errno("cannot rename '%s' to '%s'", partial, path);
        goto out;
    }
    rc = 0;
out:
    if (file >= 0)
        H5Fclose(file);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (rc < 0)
        unlink(partial);
    free(image);
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

/* The roles a table's "roles" attribute gives its members (ROLE_UNKNOWN
 * for all when it has none or it does not fit). */
static void read_roles(hid_t dset, size_t n, enum col_role *roles)
{
    hid_t a, space = -1, str = -1;
    char **v = NULL;

    for (size_t i = 0; i < n; i++)
        roles[i] = ROLE_UNKNOWN;
    if (H5Aexists(dset, "roles") <= 0 || (a = H5Aopen(dset, "roles", H5P_DEFAULT)) < 0)
        return;
    space = H5Aget_space(a);
    str = vlen_str();
    if (space >= 0 && str >= 0 && H5Sget_simple_extent_npoints(space) == (hssize_t)n) {
        v = xcalloc(n ? n : 1, sizeof(*v));
        if (H5Aread(a, str, v) >= 0)
            for (size_t i = 0; i < n; i++)
                roles[i] = v[i] ? col_role_parse(v[i]) : ROLE_UNKNOWN;
        H5Dvlen_reclaim(str, space, H5P_DEFAULT, v);
        free(v);
    }
    if (str >= 0)
        H5Tclose(str);
    if (space >= 0)
        H5Sclose(space);
    H5Aclose(a);
}

/* Is member i of a compound type an 8-byte integer or float? Its type then. */
static int numeric_member(hid_t ftype, unsigned i, enum col_type *type)
{
    hid_t mt = H5Tget_member_type(ftype, i);
    H5T_class_t cls = mt >= 0 ? H5Tget_class(mt) : H5T_NO_CLASS;
    int ok = (cls == H5T_INTEGER || cls == H5T_FLOAT) && H5Tget_size(mt) == 8;
    *type = cls == H5T_INTEGER ? COL_I64 : COL_F64;
    if (mt >= 0)
        H5Tclose(mt);
    return ok;
}

/* The members of /runs that are not generic or recall columns become the
 * set's cells (numeric ones; others are left out), with their roles. */
static int read_cells(struct result_set *rs, hid_t dset, hid_t ftype, const char *path)
{
    struct run_column known[RESULTS_MAX_COLUMNS];
    size_t nk = results_columns(rs, known);
    int nm = H5Tget_nmembers(ftype);
    enum col_role *roles = xcalloc(nm > 0 ? (size_t)nm : 1, sizeof(*roles));
    int rc = 0;

    read_roles(dset, nm > 0 ? (size_t)nm : 0, roles);
    for (int i = 0; i < nm && !rc; i++) {
        char *name = H5Tget_member_name(ftype, (unsigned)i);
        enum col_type type;
        int is_known = 0;
        for (size_t j = 0; name && j < nk; j++)
            is_known |= !strcmp(known[j].name, name);
        if (name && !is_known && numeric_member(ftype, (unsigned)i, &type)) {
            struct col_def d = { name, type, roles[i], NULL, NULL };
            if (rs->n_cols == RESULTS_MAX_CELLS || strlen(name) >= COL_NAME)
                rc = error("cannot read '%s': /runs column '%s' is one too many or its name too long",
                           path, name);
            else if (results_add_columns(rs, &d, 1) < 0)
                rc = -1;
        }
        H5free_memory(name);
    }
    free(roles);
    return rc;
}

/* The columns of this file's /runs to read: the set's (generic, recall,
 * cells) present in the file; absent newer generic ones are marked in
 * rs->lacks. Returns the count, or -1 after an error. */
static long present_columns(struct result_set *rs, hid_t ftype, struct run_column *cols,
                            const char *path)
{
    size_t nc = results_columns(rs, cols), kept = 0;
    for (size_t i = 0; i < nc; i++) {
        if (H5Tget_member_index(ftype, cols[i].name) >= 0) {
            cols[kept++] = cols[i];
        } else if (cols[i].since > 1 && cols[i].generic >= 0) {
            rs->lacks |= UINT64_C(1) << cols[i].generic;   /* a newer column: reads as NaN */
        } else {
            return error("cannot read '%s': /runs has no column '%s'", path, cols[i].name);
        }
    }
    return (long)kept;
}

/* Generic columns the file lacks read as unset (NaN); settings as 0, their
 * default then (train_rows 0: all rows), so old files pool with new ones. */
static void unset_lacking(struct result_set *rs)
{
    struct run_column cols[RESULTS_MAX_COLUMNS];
    size_t nc = results_columns(rs, cols);
    for (size_t i = 0; i < nc; i++) {
        union result_cell v = col_unset(cols[i].type);
        if (cols[i].generic < 0 || !((rs->lacks >> cols[i].generic) & 1) ||
            cols[i].type == COL_STR || cols[i].role == ROLE_SETTING)
            continue;
        for (size_t r = 0; r < rs->n_rows; r++)
            memcpy((char *)&rs->rows[r] + cols[i].off, &v, sizeof(v));
    }
}

static int read_runs(struct result_set *rs, hid_t file, const char *path)
{
    struct run_column cols[RESULTS_MAX_COLUMNS];
    struct layout l;
    hid_t dset = -1, ftype = -1, space = -1, mtype = -1;
    hssize_t n;
    long kept;
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
    if (h5_check_row_type(ftype, "runs", path) < 0)
        goto out;
    if (read_ks(rs, ftype, path) < 0 || read_cells(rs, dset, ftype, path) < 0 ||
        (kept = present_columns(rs, ftype, cols, path)) < 0)
        goto out;
    layout_runs(&l, cols, (size_t)kept);
    mtype = layout_type(&l, 0);
    n = H5Sget_simple_extent_npoints(space);
    if (mtype < 0 || n < 0) {
        error("cannot read '%s': hdf5 error on /runs", path);
        goto out;
    }
    if (h5_check_rows(dset, ftype, (hsize_t)n, "runs", path) < 0)
        goto out;
    rs->n_rows = rs->cap_rows = (size_t)n;
    rs->rows = xcalloc(rs->cap_rows ? rs->cap_rows : 1, sizeof(*rs->rows));
    if (rs->lacks)
        unset_lacking(rs);
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
            char *s = h5_read_string_attr(attr, ftype);
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

/* Its run_row column, if any, must point at rows of /runs. */
static int check_run_rows(const struct result_table *t, size_t n_runs, const char *path)
{
    int c = results_table_col(t, "run_row");
    for (size_t i = 0; c >= 0 && i < t->n_rows; i++) {
        int64_t r = t->cells[i * t->n_cols + (size_t)c].i;
        if (r < 0 || (size_t)r >= n_runs)
            return error("cannot read '%s': /%s row %zu points at /runs row %lld of %zu", path,
                         t->name, i, (long long)r, n_runs);
    }
    return 0;
}

/* The dataset `name` as a side table when it is a 1-d compound of 8-byte
 * numbers (anything else is left alone). */
static int read_table(struct result_set *rs, hid_t file, const char *name, const char *path)
{
    hid_t dset = H5Dopen2(file, name, H5P_DEFAULT);
    hid_t ftype = dset >= 0 ? H5Dget_type(dset) : -1, space = -1, mtype = -1;
    struct col_def defs[RESULTS_MAX_TABLE_COLS];
    enum col_role roles[RESULTS_MAX_TABLE_COLS];
    char *names[RESULTS_MAX_TABLE_COLS] = { NULL };
    struct result_table *t;
    struct layout l;
    hssize_t n;
    int nm, rc = 0;

    if (ftype < 0 || H5Tget_class(ftype) != H5T_COMPOUND ||
        (nm = H5Tget_nmembers(ftype)) <= 0 || nm > RESULTS_MAX_TABLE_COLS)
        goto out;
    for (int i = 0; i < nm; i++) {
        enum col_type type;
        names[i] = H5Tget_member_name(ftype, (unsigned)i);
        if (!names[i] || !numeric_member(ftype, (unsigned)i, &type) || strlen(names[i]) >= COL_NAME)
            goto out;
        defs[i] = (struct col_def){ names[i], type, ROLE_UNKNOWN, NULL, NULL };
    }
    space = H5Dget_space(dset);
    n = space < 0 || H5Sget_simple_extent_ndims(space) != 1 ? -1 : H5Sget_simple_extent_npoints(space);
    if (n < 0)
        goto out;
    rc = -1;
    if (h5_check_row_type(ftype, name, path) < 0 || h5_check_rows(dset, ftype, (hsize_t)n, name, path) < 0)
        goto out;
    read_roles(dset, (size_t)nm, roles);
    for (int i = 0; i < nm; i++)
        defs[i].role = roles[i];
    if (!(t = results_table_add(rs, name, defs, (size_t)nm)))
        goto out;
    layout_table(&l, t->cols, t->n_cols);
    mtype = layout_type(&l, 0);
    t->n_rows = t->cap_rows = (size_t)n;
    t->cells = xcalloc(n ? (size_t)n * t->n_cols : 1, sizeof(*t->cells));
    if (mtype < 0 || (n && H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->cells) < 0)) {
        error("cannot read '%s': hdf5 error reading /%s", path, name);
        goto out;
    }
    rc = check_run_rows(t, rs->n_rows, path);
out:
    for (int i = 0; i < RESULTS_MAX_TABLE_COLS; i++)
        H5free_memory(names[i]);
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

/* Every root dataset but /runs that is a table of numbers. */
static int read_tables(struct result_set *rs, hid_t file, const char *path)
{
    H5G_info_t gi;
    if (H5Gget_info(file, &gi) < 0)
        return error("cannot read '%s': hdf5 error listing its datasets", path);
    for (hsize_t i = 0; i < gi.nlinks; i++) {
        char name[COL_NAME + 1];
        ssize_t len = H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, name,
                                         sizeof(name), H5P_DEFAULT);
        if (len < 0 || (size_t)len >= sizeof(name) || !strcmp(name, "runs"))
            continue;
        if (read_table(rs, file, name, path) < 0)
            return -1;
    }
    return 0;
}

static int read_file_h5(struct result_set *rs, const char *path)
{
    hid_t file = -1, fapl;
    int rc = -1;

    results_init(rs, NULL, 0);
    if (H5Fis_hdf5(path) <= 0)
        return error("cannot read '%s': not an HDF5 file", path);
    /* Closing the file closes whatever of it an error path left open:
     * HDF5 would otherwise keep it, and a later open of the same path
     * would share its stale state. */
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0)
        file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (file < 0)
        return error("cannot open '%s': hdf5 error", path);
    if (read_runs(rs, file, path) < 0 || read_tables(rs, file, path) < 0 ||
        read_attrs(rs, file, path) < 0)
        goto out;
    rc = 0;
out:
    H5Fclose(file);
    if (rc < 0)
        results_release(rs);
    return rc;
}

/* What h5_probe runs in its child: the whole read. */
static int probe_read(const char *path, void *ctx)
{
    (void)ctx;
    struct result_set rs;
    return read_file_h5(&rs, path);
}

/* A checkpoint (the attribute "checkpoint": "N of M points; ...") reads as
 * any results file, with one warning line saying what it is. */
static void warn_checkpoint(const struct result_set *rs, const char *path)
{
    const char *what = results_attr_text(rs, "checkpoint");
    unsigned long done, total;
    if (!what)
        return;
    if (sscanf(what, "%lu of %lu", &done, &total) == 2)
        warning("'%s' is a checkpoint of a run that did not finish: %lu of %lu points", path, done,
                total);
    else
        warning("'%s' is a checkpoint of a run that did not finish", path);
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

/* results_read, with the probe child first unless `probe` is 0 (the
 * unguarded results_read_unprobed). */
static int read_with(struct result_set *rs, const char *path, int probe)
{
    int rc = -1;

    results_init(rs, NULL, 0);
    /* A FIFO would block the reader for ever (lib/util.h). The probe reads
     * the whole file: 10 s, and 1 s more per MiB. */
    if (check_regular(path) < 0 || (probe && h5_probe(path, probe_read, NULL, 10, 1) < 0))
        return -1;
    H5E_BEGIN_TRY {
        rc = read_file_h5(rs, path);
    } H5E_END_TRY;
    if (rc == 0)
        warn_checkpoint(rs, path);
    return rc;
}

int results_read(struct result_set *rs, const char *path)
{
    return read_with(rs, path, 1);
}

int results_read_unprobed(struct result_set *rs, const char *path)
{
    return read_with(rs, path, 0);
}
