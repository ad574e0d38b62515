/*
 * annb.c - reader for ann-benchmarks HDF5 files.
 *
 * A file holds root datasets train and test (rows x d, float32 or float64),
 * optionally neighbors (nq x k ids, int32 or int64) and distances (nq x k),
 * and a root string attribute "distance" naming the metric. h5py writes that
 * attribute as a variable-length UTF-8 string; other writers use fixed-length
 * strings, so both are read.
 *
 * Loading is two passes: first open every dataset and check shapes against
 * each other (cheap, so a bad file fails before any large read), then read
 * only the rows asked for, letting HDF5 convert to float32 / int64.
 * HDF5's own error stack is silenced while load_annb runs (the caller's
 * handler is put back before it returns); each failure is one error() line
 * naming the file and what is wrong with it.
 */
#include "io/annb.h"
#include "lib/h5.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One root dataset, opened and measured but not yet read. */
struct matrix {
    const char *name;
    hid_t dset;          /* -1 when absent */
    hsize_t rows, cols;
};

static const struct {
    const char *distance, *metric;
} metrics[] = {
    { "euclidean", "l2" },
    { "angular", "cosine" },
    { "dot", "ip" },
    { "ip", "ip" },
};

const char *annb_metric(const char *distance)
{
    size_t i;
    if (!distance)
        return NULL;
    for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
        if (!strcmp(distance, metrics[i].distance))
            return metrics[i].metric;
    return NULL;
}

void annb_release(struct annb *a)
{
    vecs_release(&a->train);
    vecs_release(&a->test);
    free(a->neighbors);
    free(a->distances);
    memset(a, 0, sizeof(*a));
}

/*
 * The "distance" attribute as a malloc'd C string, whichever way it is
 * stored (variable or fixed length, any padding). NULL after an error.
 */
static char *read_distance(hid_t file, const char *path)
{
    hid_t attr = -1, ftype = -1, space = -1;
    char *s = NULL;

    if (H5Aexists(file, "distance") <= 0) {
        error("no root attribute 'distance' in '%s' (euclidean, angular, dot)", path);
        return NULL;
    }
    if ((attr = H5Aopen(file, "distance", H5P_DEFAULT)) < 0 ||
        (ftype = H5Aget_type(attr)) < 0 || (space = H5Aget_space(attr)) < 0) {
        error("cannot read attribute 'distance' of '%s'", path);
        goto out;
    }
    if (H5Tget_class(ftype) != H5T_STRING || H5Sget_simple_extent_npoints(space) != 1) {
        error("attribute 'distance' of '%s' is not a single string", path);
        goto out;
    }
    if (!(s = h5_read_string_attr(attr, ftype)))
        error("cannot read attribute 'distance' of '%s'", path);
out:
    if (space >= 0)
        H5Sclose(space);
    if (ftype >= 0)
        H5Tclose(ftype);
    if (attr >= 0)
        H5Aclose(attr);
    return s;
}

/* deflate's largest ratio (zlib's technical details): no filter h5py
 * offers by default stores data in less than 1/1032 of its size. */
#define H5_MAX_RATIO 1032

/*
 * The rows x cols values a dataset claims must be stored in the file: a
 * dataset never written (HDF5 then reads its fill value) or one claiming
 * more than its compressed storage can inflate to is a corrupt or hostile
 * file, refused before its claimed size is allocated. The storage size is
 * itself read from the file, so it counts for no more than the file's size.
 */
static int check_stored(hid_t dset, hid_t type, const hsize_t dims[2], const char *name,
                        const char *path)
{
    uint64_t elem = H5Tget_size(type), stored = H5Dget_storage_size(dset);
    struct stat st;

    /* The storage size is the file's own claim: no more than the file holds. */
    if (stat(path, &st) == 0 && stored > (uint64_t)st.st_size)
        stored = (uint64_t)st.st_size;

    if (!elem || dims[0] > UINT64_MAX / dims[1] / elem ||
        dims[0] * dims[1] * elem / H5_MAX_RATIO > stored)
        return error("dataset '%s' in '%s' claims %llu x %llu values but stores %llu bytes",
                     name, path, (unsigned long long)dims[0], (unsigned long long)dims[1],
                     (unsigned long long)stored);
    return 0;
}

/*
 * Open a root dataset and check that it is a rows x cols table of numbers
 * (integers when `ints`). An absent optional dataset leaves m->dset at -1.
 */
static int open_matrix(struct matrix *m, hid_t file, const char *path,
                       const char *name, int required, int ints)
{
    hsize_t dims[2];
    hid_t space = -1, type = -1;
    H5T_class_t cls;
    int rank, ret = -1;

    m->name = name;
    m->dset = -1;
    m->rows = m->cols = 0;
    if (H5Lexists(file, name, H5P_DEFAULT) <= 0)
        return required ? error("no dataset '%s' in '%s'", name, path) : 0;
    if ((m->dset = H5Dopen2(file, name, H5P_DEFAULT)) < 0)
        return error("'%s' in '%s' is not a dataset", name, path);

    space = H5Dget_space(m->dset);
    type = H5Dget_type(m->dset);
    if (space < 0 || type < 0) {
        error("cannot read the shape of dataset '%s' in '%s'", name, path);
        goto out;
    }
    rank = H5Sget_simple_extent_ndims(space);
    if (rank != 2) {
        error("dataset '%s' in '%s' has %d dimensions, expected 2 (rows x columns)",
              name, path, rank);
        goto out;
    }
    H5Sget_simple_extent_dims(space, dims, NULL);
    cls = H5Tget_class(type);
    if (ints && cls != H5T_INTEGER) {
        error("dataset '%s' in '%s' does not hold integer ids", name, path);
        goto out;
    }
    if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
        error("dataset '%s' in '%s' does not hold numbers", name, path);
        goto out;
    }
    if (!dims[0] || !dims[1]) {
        error("dataset '%s' in '%s' is empty (%llu x %llu)", name, path,
              (unsigned long long)dims[0], (unsigned long long)dims[1]);
        goto out;
    }
    if (check_stored(m->dset, type, dims, name, path) < 0)
        goto out;
    m->rows = dims[0];
    m->cols = dims[1];
    ret = 0;
out:
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    return ret;
}

static void close_matrix(struct matrix *m)
{
    if (m->dset >= 0)
        H5Dclose(m->dset);
    m->dset = -1;
}

/* Read the first `rows` rows of m, converted to `mtype`, into a new buffer. */
static void *read_rows(const struct matrix *m, const char *path, hsize_t rows,
                       hid_t mtype, size_t elem)
{
    hsize_t start[2] = { 0, 0 }, count[2] = { rows, m->cols };
    hid_t fspace = -1, mspace = -1;
    void *buf = NULL;

    if (rows > SIZE_MAX / elem / m->cols) {
        error("dataset '%s' in '%s' is too large to load", m->name, path);
        return NULL;
    }
    buf = xmalloc(rows * m->cols * elem);
    fspace = H5Dget_space(m->dset);
    mspace = H5Screate_simple(2, count, NULL);
    if (fspace < 0 || mspace < 0 ||
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        H5Dread(m->dset, mtype, mspace, fspace, H5P_DEFAULT, buf) < 0) {
        error("cannot read dataset '%s' in '%s'", m->name, path);
        free(buf);
        buf = NULL;
    }
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    return buf;
}

/* Shapes must agree before anything is read. */
static int check_shapes(const struct matrix *train, const struct matrix *test,
                        const struct matrix *nb, const struct matrix *dist,
                        const char *path)
{
    if (test->cols != train->cols)
        return error("dataset 'test' in '%s' has %llu columns, 'train' has %llu", path,
                     (unsigned long long)test->cols, (unsigned long long)train->cols);
    if (nb->dset >= 0 && nb->rows != test->rows)
        return error("dataset 'neighbors' in '%s' has %llu rows, 'test' has %llu", path,
                     (unsigned long long)nb->rows, (unsigned long long)test->rows);
    if (nb->dset >= 0 && dist->dset >= 0 &&
        (dist->rows != nb->rows || dist->cols != nb->cols))
        return error("dataset 'distances' in '%s' is %llu x %llu, 'neighbors' is %llu x %llu",
                     path, (unsigned long long)dist->rows, (unsigned long long)dist->cols,
                     (unsigned long long)nb->rows, (unsigned long long)nb->cols);
    return 0;
}

/* Ids index the full train set (not the limited one): ground truth for a
 * cut train set is the caller's business, but an id past the file is corrupt. */
static int check_ids(const int64_t *ids, size_t rows, size_t k, hsize_t ntrain,
                     const char *path)
{
    size_t i;
    for (i = 0; i < rows * k; i++)
        if (ids[i] < 0 || (uint64_t)ids[i] >= ntrain)
            return error("row %zu of dataset 'neighbors' in '%s' holds id %lld, 'train' has "
                         "%llu rows", i / k, path, (long long)ids[i], (unsigned long long)ntrain);
    return 0;
}

/* Fail early with errno's words for a missing or unreadable path, which
 * HDF5 would only report as "unable to open file", and refuse what is not
 * a regular file (a FIFO would block HDF5's open forever). */
static int check_readable(const char *path)
{
    int fd = open_regular(path);
    if (fd < 0)
        return -1;
    close(fd);
    if (H5Fis_hdf5(path) <= 0)
        return error("not an HDF5 file: '%s'", path);
    return 0;
}

static int load_annb_quiet(struct annb *a, const char *path, size_t train_limit,
                           size_t test_limit, int probe);

/* The rows a load reads, for its probe child. */
struct annb_limits {
    size_t train, test;
};

/* What h5_probe runs in a child: the same load (the same rows), unprobed. */
static int probe_load(const char *path, void *ctx)
{
    const struct annb_limits *l = ctx;
    struct annb a;
    int rc = load_annb_quiet(&a, path, l->train, l->test, 0);
    if (!rc)
        annb_release(&a);
    return rc;
}

static hsize_t limited(hsize_t rows, size_t limit)
{
    return limit && limit < rows ? limit : rows;
}

/* load_annb's work, with HDF5's error printing off; the distance
 * attribute is read in a probe child first unless `probe` is 0 (the
 * unguarded load_annb_unprobed). */
static int load_annb_quiet(struct annb *a, const char *path, size_t train_limit,
                           size_t test_limit, int probe)
{
    struct matrix train = { .dset = -1 }, test = { .dset = -1 };
    struct matrix nb = { .dset = -1 }, dist = { .dset = -1 };
    hsize_t ntrain, ntest;
    struct annb_limits limits = { train_limit, test_limit };
    hid_t file = -1;
    char *distance = NULL;
    int ret = -1;

    memset(a, 0, sizeof(*a));
    /* The probe child reads what this load reads, the same rows (3 s, and
     * 1 s more per MiB of file): HDF5 1.10's own faults on a damaged file
     * (a heap reference, a chunk index: tests/fuzz/crashes/annb/hdf5/) hit
     * the child, and this process reads only what HDF5 read once whole. */
    if (check_readable(path) < 0 ||
        (probe && h5_probe(path, probe_load, &limits, 3, 1) < 0))
        return -1;
    if ((file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        return error("cannot open '%s' as HDF5", path);

    if (!(distance = read_distance(file, path)))
        goto out;
    if (!annb_metric(distance) || strlen(distance) >= sizeof(a->distance)) {
        char shown[68];
        error("distance '%s' of '%s' is not supported (euclidean, angular, dot)",
              clean_copy(shown, sizeof(shown), distance, strlen(distance)), path);
        goto out;
    }
    if (open_matrix(&train, file, path, "train", 1, 0) < 0 ||
        open_matrix(&test, file, path, "test", 1, 0) < 0 ||
        open_matrix(&nb, file, path, "neighbors", 0, 1) < 0)
        goto out;
    /* Distances without neighbors say nothing usable: not even opened. */
    if (nb.dset >= 0 && open_matrix(&dist, file, path, "distances", 0, 0) < 0)
        goto out;
    if (check_shapes(&train, &test, &nb, &dist, path) < 0)
        goto out;

    ntrain = limited(train.rows, train_limit);
    ntest = limited(test.rows, test_limit);
    if (!(a->train.x = read_rows(&train, path, ntrain, H5T_NATIVE_FLOAT, sizeof(float))) ||
        !(a->test.x = read_rows(&test, path, ntest, H5T_NATIVE_FLOAT, sizeof(float))))
        goto out;
    a->train.n = ntrain;
    a->test.n = ntest;
    a->train.d = a->test.d = train.cols;

    if (nb.dset >= 0) {
        a->gt_k = nb.cols;
        if (!(a->neighbors = read_rows(&nb, path, ntest, H5T_NATIVE_INT64, sizeof(int64_t))) ||
            check_ids(a->neighbors, ntest, nb.cols, train.rows, path) < 0)
            goto out;
        if (dist.dset >= 0 &&
            !(a->distances = read_rows(&dist, path, ntest, H5T_NATIVE_FLOAT, sizeof(float))))
            goto out;
    }
    strcpy(a->distance, distance);
    ret = 0;
out:
    close_matrix(&dist);
    close_matrix(&nb);
    close_matrix(&test);
    close_matrix(&train);
    if (file >= 0)
        H5Fclose(file);
    free(distance);
    if (ret < 0)
        annb_release(a);
    return ret;
}

static int load_annb_with(struct annb *a, const char *path, size_t train_limit,
                          size_t test_limit, int probe)
{
    H5E_auto2_t func = NULL;
    void *data = NULL;
    int ret;

    /* HDF5 prints a multi-line error stack by default; we say it in one
     * line. The caller's handler (and the rest of the process's) comes back
     * on return. */
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    ret = load_annb_quiet(a, path, train_limit, test_limit, probe);
    H5Eset_auto2(H5E_DEFAULT, func, data);
    return ret;
}

int load_annb(struct annb *a, const char *path, size_t train_limit, size_t test_limit)
{
    return load_annb_with(a, path, train_limit, test_limit, 1);
}

int load_annb_unprobed(struct annb *a, const char *path, size_t train_limit,
                       size_t test_limit)
{
    return load_annb_with(a, path, train_limit, test_limit, 0);
}
