/*
 * binary.c - read IDX (MNIST-style, plain or gzip) and texmex fvecs / ivecs /
 * bvecs files into float32 rows.
 *
 * Neither loader trusts a size it reads with memory before the data behind
 * it has arrived: the table grows as rows come in, so a corrupt or cut file
 * fails cheaply, with one line naming the file and what is wrong with it.
 * Only regular files are read (open_regular); an IDX header must claim no
 * more than its file can hold (or, gzipped, inflate to: idx_fits).
 */
#include "io/binary.h"
#include "lib/util.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Larger than any real vector or file we expect: a header saying more is
 * corrupt, and we refuse it before trusting it with memory. */
#define MAX_DIM ((size_t)1 << 24)
#define MAX_BYTES ((uint64_t)1 << 40)

/* ---------------------------------------------------------------- IDX */

struct idx_type {
    unsigned char code;
    size_t size;
    const char *name;
};

static const struct idx_type idx_types[] = {
    { 0x08, 1, "uint8" },  { 0x09, 1, "int8" },    { 0x0B, 2, "int16" },
    { 0x0C, 4, "int32" },  { 0x0D, 4, "float32" }, { 0x0E, 8, "float64" },
};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const unsigned char *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* Convert `count` big-endian elements of type `code` to float. */
static void idx_convert(float *restrict out, const unsigned char *restrict in, size_t count,
                        unsigned char code)
{
    size_t i;
    switch (code) {
    case 0x08:
        for (i = 0; i < count; i++)
            out[i] = in[i];
        break;
    case 0x09:
        for (i = 0; i < count; i++)
            out[i] = (signed char)in[i];
        break;
    case 0x0B:
        for (i = 0; i < count; i++)
            out[i] = (int16_t)(uint16_t)(in[2 * i] << 8 | in[2 * i + 1]);
        break;
    case 0x0C:
        for (i = 0; i < count; i++)
            out[i] = (float)(int32_t)be32(in + 4 * i);
        break;
    case 0x0D:
        for (i = 0; i < count; i++) {
            uint32_t u = be32(in + 4 * i);
            memcpy(&out[i], &u, sizeof(u));
        }
        break;
    case 0x0E:
        for (i = 0; i < count; i++) {
            uint64_t u = be64(in + 8 * i);
            double x;
            memcpy(&x, &u, sizeof(x));
            out[i] = (float)x;
        }
        break;
    }
}

/* gzread that tells a short read from a broken stream. */
static int gz_read_all(gzFile gz, void *buf, size_t want, size_t *got)
{
    int r = gzread(gz, buf, (unsigned)want);
    int err;
    if (r < 0) {
        *got = 0;
        return -1;
    }
    *got = (size_t)r;
    gzerror(gz, &err);
    /* Z_BUF_ERROR is a gzip stream cut short: the caller reports truncation. */
    return err == Z_OK || err == Z_BUF_ERROR ? 0 : -1;
}

static int idx_header(gzFile gz, const char *path, const struct idx_type **type,
                      size_t *n, size_t *d)
{
    unsigned char h[4], dims[16];
    size_t got, i, ndims;
    uint64_t rowbytes;

    if (gz_read_all(gz, h, 4, &got) < 0)
        return error("cannot read '%s': %s", path, gzerror(gz, NULL));
    if (got < 4)
        return error("truncated header in '%s' (%zu bytes)", path, got);
    *type = NULL;
    for (i = 0; i < sizeof(idx_types) / sizeof(idx_types[0]); i++)
        if (idx_types[i].code == h[2])
            *type = &idx_types[i];
    if (h[0] || h[1] || !*type)
        return error("not an IDX file: '%s' (bad magic %02x %02x %02x %02x)",
                     path, h[0], h[1], h[2], h[3]);
    ndims = h[3];
    if (ndims == 0 || ndims > 4)
        return error("bad IDX header in '%s': %zu dimensions (expected 1 to 4)", path, ndims);
    if (gz_read_all(gz, dims, 4 * ndims, &got) < 0)
        return error("cannot read '%s': %s", path, gzerror(gz, NULL));
    if (got < 4 * ndims)
        return error("truncated header in '%s' (%zu of %zu dimension sizes)", path, got / 4,
                     ndims);

    *n = be32(dims);
    *d = 1;
    for (i = 1; i < ndims; i++) {
        size_t s = be32(dims + 4 * i);
        if (s == 0 || s > MAX_DIM || *d * s > MAX_DIM)
            return error("absurd IDX size in '%s': dimension %zu is %zu (row of %zu values "
                         "so far)", path, i, s, *d);
        *d *= s;
    }
    rowbytes = (uint64_t)*d * (*type)->size;
    if ((uint64_t)*n * rowbytes > MAX_BYTES)
        return error("absurd IDX size in '%s': %zu rows of %zu values", path, *n, *d);
    return 0;
}

/* The payload after the header: want_bytes of type `type` into v, in
 * chunks (the table grows as data arrives rather than trusting the header
 * with one big allocation). */
static int idx_payload(struct vecs *v, gzFile gz, const char *path,
                       const struct idx_type *type, size_t want_bytes)
{
    enum { CHUNK = 1 << 20 };
    unsigned char *chunk = xmalloc(want_bytes < CHUNK ? (want_bytes ? want_bytes : 1) : CHUNK);
    size_t cap = 0, have = 0, done = 0;
    int ret = -1;

    while (have < want_bytes) {
        size_t want = want_bytes - have < CHUNK ? want_bytes - have : CHUNK, got, count;
        if (gz_read_all(gz, chunk, want, &got) < 0) {
            error("cannot read '%s': %s", path, gzerror(gz, NULL));
            goto out;
        }
        count = got / type->size;
        if (count) {   /* v->x is still NULL before the first value */
            vecs_reserve(v, &cap, done + count);
            idx_convert(v->x + done, chunk, count, type->code);
        }
        done += count;
        have += got;
        if (got < want)
            break;
    }
    if (have < want_bytes) {
        error("truncated data in '%s': expected %zu bytes, got %zu", path, want_bytes, have);
        goto out;
    }
    ret = 0;
out:
    free(chunk);
    return ret;
}

/* deflate's largest ratio: no gzip stream inflates to more than 1032 times
 * its size (zlib's technical details), whatever its members say. */
#define GZ_MAX_RATIO 1032

/* Whether the want bytes the header announces can come out of a gzip
 * file of its size: a decompression bomb whose header claims more is
 * refused before anything is inflated; one that claims less is read only
 * that far (a plain file's table grows only with the data that is there,
 * and a short one is reported as truncated). */
static int idx_fits(gzFile gz, int fd, const char *path, uint64_t want, size_t n, size_t d)
{
    struct stat st;

    if (gzdirect(gz))
        return 0;
    if (fstat(fd, &st))
        return error_errno("cannot read '%s'", path);
    if ((uint64_t)st.st_size < UINT64_MAX / GZ_MAX_RATIO &&
        want > (uint64_t)st.st_size * GZ_MAX_RATIO)
        return error("absurd IDX size in '%s': %zu rows of %zu values need %llu bytes, more "
                     "than a gzip file of %llu bytes can inflate to", path, n, d,
                     (unsigned long long)want, (unsigned long long)st.st_size);
    return 0;
}

int load_idx(struct vecs *v, const char *path, size_t limit)
{
    const struct idx_type *type = NULL;
    size_t n = 0, d = 0;
    gzFile gz;
    int ret = -1, fd, fd2;

    memset(v, 0, sizeof(*v));
    if ((fd = open_regular(path)) < 0)
        return -1;
    /* gzclose closes the descriptor it is given: keep our own for fstat */
    errno = 0;
    fd2 = dup(fd);
    gz = fd2 < 0 ? NULL : gzdopen(fd2, "rb");
    if (!gz) {
        if (fd2 >= 0)
            close(fd2);
        close(fd);
        if (errno)
            return error_errno("cannot open '%s'", path);
        return error("cannot open '%s': out of memory", path);
    }
    {
        /* A large buffer for large files only: 3 MiB mapped per small file
         * is most of the time of many small reads (the fuzz target's). */
        struct stat st;
        if (fstat(fd, &st) == 0 && st.st_size > (1 << 20))
            gzbuffer(gz, 1 << 20);
    }
    if (idx_header(gz, path, &type, &n, &d) < 0)
        goto out;
    if (limit && limit < n)
        n = limit;
    if (idx_fits(gz, fd, path, (uint64_t)n * d * type->size, n, d) < 0)
        goto out;
    v->d = d;
    v->dtype = type->name;
    if (idx_payload(v, gz, path, type, n * d * type->size) < 0)
        goto out;
    v->n = n;
    vecs_shrink(v);
    ret = 0;
out:
    gzclose(gz);
    close(fd);
    if (ret < 0)
        vecs_release(v);
    return ret;
}

/* ------------------------------------------------------------- texmex */

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The three texmex layouts differ only in the value type after the int32
 * dimension of each row. */
struct texmex {
    size_t size;        /* bytes per value */
    const char *unit;   /* "floats", ... for messages */
    const char *dtype;
};

static const struct texmex tx_fvecs = { 4, "floats", "float32" };
static const struct texmex tx_ivecs = { 4, "int32 values", "int32" };
static const struct texmex tx_bvecs = { 1, "bytes", "uint8" };

/* One row's values in file order (little-endian) into float. */
static void texmex_convert(float *row, const unsigned char *in, size_t d, const struct texmex *t)
{
    size_t i;
    if (t == &tx_bvecs) {
        for (i = 0; i < d; i++)
            row[i] = in[i];
    } else if (t == &tx_ivecs) {
        for (i = 0; i < d; i++)
            row[i] = (float)(int32_t)le32(in + 4 * i);
    } else {
        for (i = 0; i < d; i++) {
            uint32_t u = le32(in + 4 * i);
            memcpy(&row[i], &u, 4);
        }
    }
}

/* Row 0 fixes d; a regular file's size then tells n, so one allocation
 * suffices. */
static int texmex_first(struct vecs *v, size_t *cap, FILE *f, const char *path, uint32_t d,
                        size_t limit, const struct texmex *t)
{
    struct stat st;

    if (d == 0 || d > MAX_DIM)
        return error("absurd dimension %u in row 0 of '%s'", (unsigned)d, path);
    v->d = d;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
        size_t rows = (size_t)st.st_size / (4 + t->size * (size_t)d);
        /* Nothing is allocated for a row the file cannot hold. */
        if (rows == 0)
            return error("truncated row 0 in '%s': expected %u %s, got %zu", path, (unsigned)d,
                         t->unit, ((size_t)st.st_size - 4) / t->size);
        if (limit && limit < rows)
            rows = limit;
        vecs_reserve(v, cap, rows * d);
    }
    return 0;
}

static int load_texmex(struct vecs *v, const char *path, size_t limit, const struct texmex *t)
{
    FILE *f = fopen_regular(path);
    unsigned char h[4], *raw = NULL;
    size_t cap = 0, got;
    int ret = -1;

    memset(v, 0, sizeof(*v));
    if (!f)
        return -1;
    while (!limit || v->n < limit) {
        got = fread(h, 1, 4, f);
        if (got == 0 && !ferror(f))
            break;
        if (got < 4) {
            if (ferror(f))
                error_errno("cannot read '%s'", path);
            else
                error("truncated row %zu in '%s': it holds %zu of the 4 bytes of its dimension",
                      v->n, path, got);
            goto out;
        }
        uint32_t d = le32(h);
        if (v->n == 0) {
            if (texmex_first(v, &cap, f, path, d, limit, t) < 0)
                goto out;
            raw = xmalloc(d * t->size);
        } else if (d != v->d) {
            error("dimension %u of row %zu of '%s' differs from %zu in row 0", (unsigned)d,
                  v->n, path, v->d);
            goto out;
        }
        vecs_reserve(v, &cap, (v->n + 1) * v->d);
        got = fread(raw, t->size, v->d, f);
        if (got < v->d) {
            if (ferror(f))
                error_errno("cannot read '%s'", path);
            else
                error("truncated row %zu in '%s': expected %zu %s, got %zu", v->n, path, v->d,
                      t->unit, got);
            goto out;
        }
        texmex_convert(v->x + v->n * v->d, raw, v->d, t);
        v->n++;
    }
    if (!v->n) {
        error("empty file '%s' (no rows)", path);
        goto out;
    }
    vecs_shrink(v);
    v->dtype = t->dtype;
    ret = 0;
out:
    free(raw);
    fclose(f);
    if (ret < 0)
        vecs_release(v);
    return ret;
}

int load_fvecs(struct vecs *v, const char *path, size_t limit)
{
    return load_texmex(v, path, limit, &tx_fvecs);
}

int load_ivecs(struct vecs *v, const char *path, size_t limit)
{
    return load_texmex(v, path, limit, &tx_ivecs);
}

int load_bvecs(struct vecs *v, const char *path, size_t limit)
{
    return load_texmex(v, path, limit, &tx_bvecs);
}
