/*
 * dataset.c - read vector files into float32 tables and build the sweep's
 * base and query sets from them.
 *
 * Every loader turns one file format (IDX, TSV, GloVe JSON and text, texmex
 * fvecs/ivecs/bvecs here; .npy, RVC folders and index files, ann-benchmarks
 * HDF5 in their own modules) into a `struct vecs` and, when the file is
 * wrong, prints one line naming the file and what is wrong with it, so a
 * sweep never starts on half-read data. dataset_load() then picks the
 * queries (own file, the file's own split, held-out clips or a seeded row
 * holdout), rejects NaN/Inf, checks the scale ladder and hashes the result
 * for the ground-truth cache. dataset_info() describes one file.
 * Rows are counted from 0 (like the vector ids faiss returns), lines from 1.
 */
#include "io/dataset.h"
#include "io/annb.h"
#include "io/npy.h"
#include "io/rvcdir.h"
#include "lib/rng.h"
#include "lib/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <zlib.h>

/* Larger than any real vector or file we expect: a header saying more is
 * corrupt, and we refuse it before trusting it with memory. */
#define MAX_DIM ((size_t)1 << 24)
#define MAX_BYTES ((uint64_t)1 << 40)

void vecs_release(struct vecs *v)
{
    if (v->map)
        munmap(v->map, v->map_len);
    else
        free(v->x);
    memset(v, 0, sizeof(*v));
}

void clips_release(struct clips *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->names[i]);
    free(c->names);
    free(c->first);
    memset(c, 0, sizeof(*c));
}

/*
 * Growable row storage, shared by the loaders that do not know n up front
 * (or do not trust the n a header claims).
 */
static void vecs_reserve(struct vecs *v, size_t *cap, size_t nfloats)
{
    if (nfloats <= *cap)
        return;
    size_t c = *cap ? *cap : 4096;
    while (c < nfloats)
        c *= 2;
    v->x = xrealloc(v->x, c * sizeof(float));
    *cap = c;
}

/* A mapped table stays as mapped: unused tail pages cost nothing. */
static void vecs_shrink(struct vecs *v)
{
    if (!v->map)
        v->x = xrealloc(v->x, (v->n * v->d != 0 ? v->n * v->d : 1) * sizeof(float));
}

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
        return error("'%s': cannot read: %s", path, gzerror(gz, NULL));
    if (got < 4)
        return error("'%s': truncated header (%zu bytes)", path, got);
    *type = NULL;
    for (i = 0; i < sizeof(idx_types) / sizeof(idx_types[0]); i++)
        if (idx_types[i].code == h[2])
            *type = &idx_types[i];
    if (h[0] || h[1] || !*type)
        return error("'%s': not an IDX file (bad magic %02x %02x %02x %02x)",
                     path, h[0], h[1], h[2], h[3]);
    ndims = h[3];
    if (ndims == 0 || ndims > 4)
        return error("'%s': bad IDX header: %zu dimensions (expected 1 to 4)", path, ndims);
    if (gz_read_all(gz, dims, 4 * ndims, &got) < 0)
        return error("'%s': cannot read: %s", path, gzerror(gz, NULL));
    if (got < 4 * ndims)
        return error("'%s': truncated header (%zu of %zu dimension sizes)", path, got / 4, ndims);

    *n = be32(dims);
    *d = 1;
    for (i = 1; i < ndims; i++) {
        size_t s = be32(dims + 4 * i);
        if (s == 0 || s > MAX_DIM || *d * s > MAX_DIM)
            return error("'%s': absurd IDX size: dimension %zu is %zu (row of %zu values so far)",
                         path, i, s, *d);
        *d *= s;
    }
    rowbytes = (uint64_t)*d * (*type)->size;
    if ((uint64_t)*n * rowbytes > MAX_BYTES)
        return error("'%s': absurd IDX size: %zu rows of %zu values", path, *n, *d);
    return 0;
}

int load_idx(struct vecs *v, const char *path, size_t limit)
{
    enum { CHUNK = 1 << 20 };
    const struct idx_type *type = NULL;
    unsigned char *chunk = NULL;
    size_t n = 0, d = 0, cap = 0, want_bytes, have = 0, done = 0;
    gzFile gz;
    int ret = -1;

    memset(v, 0, sizeof(*v));
    errno = 0;
    gz = gzopen(path, "rb");
    if (!gz)
        return error("cannot open '%s': %s", path, errno ? strerror(errno) : "out of memory");
    gzbuffer(gz, CHUNK);
    if (idx_header(gz, path, &type, &n, &d) < 0)
        goto out;
    if (limit && limit < n)
        n = limit;
    v->d = d;
    v->dtype = type->name;
    want_bytes = n * d * type->size;

    /* Grow the table as data arrives rather than trusting the header with
     * one big allocation: a corrupt or cut file then fails cheaply. */
    chunk = xmalloc(CHUNK);
    while (have < want_bytes) {
        size_t want = want_bytes - have < CHUNK ? want_bytes - have : CHUNK, got, count;
        if (gz_read_all(gz, chunk, want, &got) < 0) {
            error("'%s': cannot read: %s", path, gzerror(gz, NULL));
            goto out;
        }
        count = got / type->size;
        vecs_reserve(v, &cap, done + count);
        idx_convert(v->x + done, chunk, count, type->code);
        done += count;
        have += got;
        if (got < want)
            break;
    }
    if (have < want_bytes) {
        error("'%s': truncated: expected %zu bytes of data, got %zu", path, want_bytes, have);
        goto out;
    }
    v->n = n;
    vecs_shrink(v);
    ret = 0;
out:
    free(chunk);
    gzclose(gz);
    if (ret < 0)
        vecs_release(v);
    return ret;
}

/* ---------------------------------------------------------------- TSV */

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/*
 * Parse one line [p, end) into row[], at most `cap` values; returns the number
 * of fields (which may exceed cap) and the index of the first non-numeric
 * field in *bad (-1 if none). Only the first `cap` fields are stored.
 */
static size_t tsv_fields(const char *p, const char *end, float *row, size_t cap,
                         long *bad, const char **bad_at)
{
    size_t nf = 0;
    *bad = -1;
    for (;;) {
        while (p < end && is_blank(*p))
            p++;
        if (p == end)
            return nf;
        const char *tok = p;
        char *q;
        while (p < end && !is_blank(*p))
            p++;
        float x = strtof(tok, &q);
        if (q != p && *bad < 0) {
            *bad = (long)nf;
            *bad_at = tok;
        }
        if (nf < cap)
            row[nf] = x;
        nf++;
    }
}

int load_tsv(struct vecs *v, const char *path, size_t limit, int drop_last)
{
    size_t len, cap = 0, cols = 0, line = 0;
    size_t blank_line = 0;          /* first blank line after a row, if any */
    float *row = NULL;
    char *buf = read_file(path, &len);
    const char *p, *end;
    int ret = -1;

    memset(v, 0, sizeof(*v));
    if (!buf)
        return -1;
    for (p = buf, end = buf + len; p < end && (!limit || v->n < limit); ) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *bad_at = NULL;
        size_t nf;
        long bad;

        if (!eol)
            eol = end;
        line++;
        if (!cols) {
            /* First row fixes the width: count it without a buffer. */
            nf = tsv_fields(p, eol, NULL, 0, &bad, &bad_at);
            if (nf) {
                cols = nf;
                v->d = cols - (drop_last ? 1 : 0);
                if (!v->d) {
                    error("'%s': line %zu: a single column, nothing left after dropping the id", path, line);
                    goto out;
                }
                row = xmalloc(cols * sizeof(float));
            }
        }
        nf = tsv_fields(p, eol, row, cols, &bad, &bad_at);
        if (nf == 0) {
            if (v->n && !blank_line)
                blank_line = line;
            p = eol + 1;
            continue;
        }
        if (blank_line) {
            error("'%s': line %zu: empty line inside the data", path, blank_line);
            goto out;
        }
        if (nf != cols) {
            error("'%s': line %zu: expected %zu values, got %zu", path, line, cols, nf);
            goto out;
        }
        /* The id column is free text: only the vector must be numeric. */
        if (bad >= 0 && (size_t)bad < v->d) {
            int toklen = 0;
            while (bad_at + toklen < eol && !is_blank(bad_at[toklen]) && toklen < 40)
                toklen++;
            error("'%s': line %zu: field %ld is not a number: '%.*s'",
                  path, line, bad + 1, toklen, bad_at);
            goto out;
        }
        vecs_reserve(v, &cap, (v->n + 1) * v->d);
        memcpy(v->x + v->n * v->d, row, v->d * sizeof(float));
        v->n++;
        p = eol + 1;
    }
    if (!v->n) {
        error("'%s': empty file (no rows)", path);
        goto out;
    }
    vecs_shrink(v);
    v->dtype = "text";
    ret = 0;
out:
    free(row);
    free(buf);
    if (ret < 0)
        vecs_release(v);
    return ret;
}

/* ---------------------------------------------------------- GloVe JSON */

/*
 * A strict scanner for exactly one shape: {"word": [numbers], ...}. The
 * words are skipped (only vectors matter to a sweep), but they are checked
 * so a broken file fails here instead of loading shifted data.
 */
struct scan {
    const char *path;
    const char *p, *end;
    size_t line;
};

static int scan_error(struct scan *s, const char *what)
{
    if (s->p >= s->end)
        return error("'%s': line %zu: %s, got end of file", s->path, s->line, what);
    if ((unsigned char)*s->p < 0x20 || (unsigned char)*s->p >= 0x7f)
        return error("'%s': line %zu: %s, got byte 0x%02x", s->path, s->line, what,
                     (unsigned char)*s->p);
    return error("'%s': line %zu: %s, got '%c'", s->path, s->line, what, *s->p);
}

static void scan_ws(struct scan *s)
{
    for (; s->p < s->end; s->p++) {
        if (*s->p == '\n')
            s->line++;
        else if (*s->p != ' ' && *s->p != '\t' && *s->p != '\r')
            break;
    }
}

/* Consume `c` after optional whitespace, or fail saying what was expected. */
static int scan_char(struct scan *s, char c, const char *what)
{
    scan_ws(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 0;
    }
    return scan_error(s, what);
}

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int scan_string(struct scan *s)
{
    if (scan_char(s, '"', "expected '\"' starting a word") < 0)
        return -1;
    while (s->p < s->end && *s->p != '"') {
        unsigned char c = (unsigned char)*s->p;
        if (c < 0x20)
            return scan_error(s, "expected a character or '\"' in a word");
        if (c == '\\') {
            s->p++;
            if (s->p < s->end && *s->p == 'u') {
                int i;
                s->p++;
                for (i = 0; i < 4; i++, s->p++)
                    if (s->p >= s->end || !is_hex(*s->p))
                        return scan_error(s, "expected 4 hex digits after \\u");
                continue;
            }
            if (s->p >= s->end || !strchr("\"\\/bfnrt", *s->p))
                return scan_error(s, "expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
        }
        s->p++;
    }
    if (s->p >= s->end)
        return scan_error(s, "expected '\"' closing a word");
    s->p++;
    return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* JSON number grammar checked by hand; strtof then only converts. */
static int scan_number(struct scan *s, float *x)
{
    const char *q, *e = s->end;
    char *conv_end;

    scan_ws(s);
    q = s->p;
    if (q < e && *q == '-')
        q++;
    if (q < e && *q == '0')
        q++;
    else if (q < e && is_digit(*q))
        while (q < e && is_digit(*q))
            q++;
    else
        return scan_error(s, "expected a number");
    if (q < e && *q == '.') {
        q++;
        if (q >= e || !is_digit(*q))
            goto bad;
        while (q < e && is_digit(*q))
            q++;
    }
    if (q < e && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < e && (*q == '+' || *q == '-'))
            q++;
        if (q >= e || !is_digit(*q))
            goto bad;
        while (q < e && is_digit(*q))
            q++;
    }
    /* The buffer is NUL-terminated by read_file, and the character after a
     * valid number stops strtof where our grammar stopped. */
    *x = strtof(s->p, &conv_end);
    if (conv_end != q)
        goto bad;
    s->p = q;
    return 0;
bad:
    s->p = q;
    return scan_error(s, "malformed number");
}

/* One "[n, n, ...]" appended to v; the first array fixes v->d. */
static int scan_array(struct scan *s, struct vecs *v, size_t *cap)
{
    size_t count = 0, line = s->line;
    float x = 0;

    if (scan_char(s, '[', "expected '[' starting a vector") < 0)
        return -1;
    scan_ws(s);
    if (s->p < s->end && *s->p == ']')
        return error("'%s': line %zu: empty vector", s->path, s->line);
    for (;;) {
        if (scan_number(s, &x) < 0)
            return -1;
        if (v->n == 0 || count < v->d) {
            vecs_reserve(v, cap, v->n * v->d + count + 1);
            v->x[v->n * v->d + count] = x;
        }
        count++;
        scan_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (scan_char(s, ']', "expected ',' or ']' in a vector") < 0)
            return -1;
        break;
    }
    if (v->n == 0)
        v->d = count;
    else if (count != v->d)
        return error("'%s': line %zu: vector %zu has %zu values, expected %zu",
                     s->path, line, v->n, count, v->d);
    v->n++;
    return 0;
}

int load_glove_json(struct vecs *v, const char *path, size_t limit)
{
    struct scan s = { path, NULL, NULL, 1 };
    size_t len, cap = 0;
    char *buf = read_file(path, &len);
    int ret = -1;

    memset(v, 0, sizeof(*v));
    if (!buf)
        return -1;
    s.p = buf;
    s.end = buf + len;
    scan_ws(&s);
    if (s.p == s.end) {
        error("'%s': empty file (no rows)", path);
        goto out;
    }
    if (scan_char(&s, '{', "expected '{' opening the word table") < 0)
        goto out;
    scan_ws(&s);
    if (s.p < s.end && *s.p == '}') {
        error("'%s': line %zu: empty word table (no rows)", path, s.line);
        goto out;
    }
    while (!limit || v->n < limit) {
        if (scan_string(&s) < 0 || scan_char(&s, ':', "expected ':' after a word") < 0 ||
            scan_array(&s, v, &cap) < 0)
            goto out;
        scan_ws(&s);
        if (s.p < s.end && *s.p == ',') {
            s.p++;
            continue;
        }
        if (scan_char(&s, '}', "expected ',' or '}' after a vector") < 0)
            goto out;
        scan_ws(&s);
        if (s.p < s.end) {
            scan_error(&s, "expected end of file after '}'");
            goto out;
        }
        break;
    }
    vecs_shrink(v);
    v->dtype = "text (JSON)";
    ret = 0;
out:
    free(buf);
    if (ret < 0)
        vecs_release(v);
    return ret;
}

/* -------------------------------------------------------------- fvecs */

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

static int load_texmex(struct vecs *v, const char *path, size_t limit, const struct texmex *t)
{
    FILE *f = fopen(path, "rb");
    unsigned char h[4], *raw = NULL;
    size_t cap = 0, got;
    struct stat st;
    int ret = -1;

    memset(v, 0, sizeof(*v));
    if (!f)
        return error("cannot open '%s': %s", path, strerror(errno));
    while (!limit || v->n < limit) {
        got = fread(h, 1, 4, f);
        if (got == 0 && !ferror(f))
            break;
        if (got < 4) {
            if (ferror(f))
                error("cannot read '%s': %s", path, strerror(errno));
            else
                error("'%s': truncated: row %zu holds %zu of the 4 bytes of its dimension",
                      path, v->n, got);
            goto out;
        }
        uint32_t d = le32(h);
        if (v->n == 0) {
            if (d == 0 || d > MAX_DIM) {
                error("'%s': row 0: absurd dimension %u", path, (unsigned)d);
                goto out;
            }
            v->d = d;
            raw = xmalloc(d * t->size);
            /* A regular file's size tells n; one allocation then suffices. */
            if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
                size_t rows = (size_t)st.st_size / (4 + t->size * (size_t)d);
                if (limit && limit < rows)
                    rows = limit;
                vecs_reserve(v, &cap, rows * d);
            }
        } else if (d != v->d) {
            error("'%s': row %zu: dimension %u differs from %zu in row 0", path, v->n, (unsigned)d, v->d);
            goto out;
        }
        vecs_reserve(v, &cap, (v->n + 1) * v->d);
        float *row = v->x + v->n * v->d;
        got = fread(raw, t->size, v->d, f);
        if (got < v->d) {
            if (ferror(f))
                error("cannot read '%s': %s", path, strerror(errno));
            else
                error("'%s': truncated: row %zu: expected %zu %s, got %zu", path, v->n, v->d,
                      t->unit, got);
            goto out;
        }
        texmex_convert(row, raw, v->d, t);
        v->n++;
    }
    if (!v->n) {
        error("'%s': empty file (no rows)", path);
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

/* ---------------------------------------------------------- GloVe text */

/* "count dim" alone on line 1 (word2vec / fastText text) is a header. */
static int is_count_header(const char *p, const char *end, size_t *dim)
{
    size_t tokens = 0;
    unsigned long last = 0;

    while (p < end) {
        char *q;
        while (p < end && is_blank(*p))
            p++;
        if (p == end)
            break;
        if (*p < '0' || *p > '9')
            return 0;
        last = strtoul(p, &q, 10);
        if (q > end || (q < end && !is_blank(*q)))
            return 0;
        p = q;
        tokens++;
    }
    *dim = (size_t)last;
    return tokens == 2 && last > 0;
}

int load_glove_txt(struct vecs *v, const char *path, size_t limit)
{
    size_t len, cap = 0, line = 0, header_dim = 0, blank_line = 0;
    float *row = NULL;
    char *buf = read_file(path, &len);
    const char *p, *end;
    int ret = -1;

    memset(v, 0, sizeof(*v));
    if (!buf)
        return -1;
    for (p = buf, end = buf + len; p < end && (!limit || v->n < limit); ) {
        const char *eol = memchr(p, '\n', (size_t)(end - p)), *w = p, *bad_at = NULL;
        size_t nf;
        long bad;

        if (!eol)
            eol = end;
        line++;
        if (line == 1 && is_count_header(p, eol, &header_dim)) {
            p = eol + 1;
            continue;
        }
        while (w < eol && !is_blank(*w))
            w++;                         /* the word: any non-blank characters */
        if (w == p) {
            /* a blank line, or one starting with a blank: no word */
            if (tsv_fields(p, eol, NULL, 0, &bad, &bad_at)) {
                error("'%s': line %zu: starts with a blank, expected a word", path, line);
                goto out;
            }
            if (v->n && !blank_line)
                blank_line = line;
            p = eol + 1;
            continue;
        }
        if (blank_line) {
            error("'%s': line %zu: empty line inside the data", path, blank_line);
            goto out;
        }
        if (!v->d) {
            v->d = tsv_fields(w, eol, NULL, 0, &bad, &bad_at);
            if (!v->d) {
                error("'%s': line %zu: a word without a vector", path, line);
                goto out;
            }
            if (header_dim && header_dim != v->d) {
                error("'%s': line %zu: %zu values, but line 1 says %zu", path, line, v->d, header_dim);
                goto out;
            }
            row = xmalloc(v->d * sizeof(float));
        }
        nf = tsv_fields(w, eol, row, v->d, &bad, &bad_at);
        if (nf != v->d) {
            error("'%s': line %zu: expected a word and %zu values, got %zu values", path, line, v->d, nf);
            goto out;
        }
        if (bad >= 0) {
            int toklen = 0;
            while (bad_at + toklen < eol && !is_blank(bad_at[toklen]) && toklen < 40)
                toklen++;
            error("'%s': line %zu: value %ld is not a number: '%.*s'", path, line, bad + 1, toklen, bad_at);
            goto out;
        }
        vecs_reserve(v, &cap, (v->n + 1) * v->d);
        memcpy(v->x + v->n * v->d, row, v->d * sizeof(float));
        v->n++;
        p = eol + 1;
    }
    if (!v->n) {
        error("'%s': empty file (no rows)", path);
        goto out;
    }
    vecs_shrink(v);
    v->dtype = "text";
    ret = 0;
out:
    free(row);
    free(buf);
    if (ret < 0)
        vecs_release(v);
    return ret;
}

/* ------------------------------------------------------------ by name */

const char *const dataset_formats[] = {
    "idx", "tsv", "tsv-id", "glove-json", "glove-txt", "fvecs", "ivecs", "bvecs",
    "npy", "rvc", "rvc-index", "ann-hdf5", NULL,
};

static int unknown_format(const char *path, const char *format)
{
    char list[256];
    size_t used = 0;

    list[0] = '\0';
    for (int i = 0; dataset_formats[i]; i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                                 dataset_formats[i]);
    return error("'%s': unknown dataset format '%s' (known: %s)", path, format, list);
}

/* ann-hdf5's train set alone (for load_vecs and base-only uses). */
static int load_annb_train(struct vecs *v, const char *path, size_t limit)
{
    struct annb a;

    memset(v, 0, sizeof(*v));
    if (load_annb(&a, path, limit, 1) < 0)
        return -1;
    *v = a.train;
    memset(&a.train, 0, sizeof(a.train));
    annb_release(&a);
    if (!v->dtype)
        v->dtype = "float (HDF5)";
    return 0;
}

/* Every format, with the extras of some: clip boundaries (rvc; c may be
 * NULL) and the RVC version. */
static int load_any(struct vecs *v, struct clips *c, const char *format, const char *path,
                    size_t limit, const char *rvc_version)
{
    if (c)
        memset(c, 0, sizeof(*c));
    memset(v, 0, sizeof(*v));
    if (!format)
        format = "(none)";
    if (!strcmp(format, "idx"))
        return load_idx(v, path, limit);
    if (!strcmp(format, "tsv"))
        return load_tsv(v, path, limit, 0);
    if (!strcmp(format, "tsv-id"))
        return load_tsv(v, path, limit, 1);
    if (!strcmp(format, "glove-json"))
        return load_glove_json(v, path, limit);
    if (!strcmp(format, "glove-txt"))
        return load_glove_txt(v, path, limit);
    if (!strcmp(format, "fvecs"))
        return load_fvecs(v, path, limit);
    if (!strcmp(format, "ivecs"))
        return load_ivecs(v, path, limit);
    if (!strcmp(format, "bvecs"))
        return load_bvecs(v, path, limit);
    if (!strcmp(format, "npy"))
        return load_npy(v, path, limit);
    if (!strcmp(format, "rvc"))
        return load_rvc(v, c, path, rvc_version, limit);
    if (!strcmp(format, "rvc-index"))
        return load_rvc_index(v, path, limit);
    if (!strcmp(format, "ann-hdf5"))
        return load_annb_train(v, path, limit);
    return unknown_format(path, format);
}

int load_vecs(struct vecs *v, const char *format, const char *path, size_t limit)
{
    return load_any(v, NULL, format, path, limit, NULL);
}

const char *dataset_guess_format(const char *path)
{
    static const struct { const char *suffix, *format; } by_suffix[] = {
        { ".npy", "npy" },         { ".fvecs", "fvecs" },     { ".ivecs", "ivecs" },
        { ".bvecs", "bvecs" },     { ".hdf5", "ann-hdf5" },   { ".h5", "ann-hdf5" },
        { ".index", "rvc-index" }, { ".tsv", "tsv" },         { ".json", "glove-json" },
        { ".txt", "glove-txt" },   { ".idx", "idx" },         { ".idx.gz", "idx" },
        { "-ubyte", "idx" },       { "-ubyte.gz", "idx" },
    };
    const char *name = strrchr(path, '/');
    struct stat st;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return "rvc";
    name = name ? name + 1 : path;
    for (size_t i = 0; i < sizeof(by_suffix) / sizeof(by_suffix[0]); i++)
        if (has_suffix(name, by_suffix[i].suffix))
            return by_suffix[i].format;
    return NULL;
}

/* -------------------------------------------------------- row checks */

size_t vecs_count_nonfinite(const struct vecs *v, size_t *first_bad)
{
    size_t bad = 0;
    for (size_t i = 0; i < v->n; i++) {
        const float *r = v->x + i * v->d;
        for (size_t j = 0; j < v->d; j++)
            if (!isfinite(r[j])) {
                if (!bad && first_bad)
                    *first_bad = i;
                bad++;
                break;
            }
    }
    return bad;
}

size_t vecs_normalize(struct vecs *v, float eps)
{
    size_t small = 0;
    for (size_t i = 0; i < v->n; i++) {
        float *r = v->x + i * v->d;
        double ss = 0;
        for (size_t j = 0; j < v->d; j++)
            ss += (double)r[j] * r[j];
        double norm = sqrt(ss);
        if (norm < eps) {
            small++;
            norm = eps;
        }
        for (size_t j = 0; j < v->d; j++)
            r[j] = (float)(r[j] / norm);
    }
    return small;
}

static double row_norm(const float *r, size_t d)
{
    double ss = 0;
    for (size_t j = 0; j < d; j++)
        ss += (double)r[j] * r[j];
    return sqrt(ss);
}

size_t vecs_count_zero_rows(const struct vecs *v, float eps)
{
    size_t zero = 0;
    for (size_t i = 0; i < v->n; i++)
        zero += row_norm(v->x + i * v->d, v->d) < eps;
    return zero;
}

size_t vecs_drop_zero_rows(struct vecs *v, float eps)
{
    size_t w = 0, d = v->d;
    for (size_t i = 0; i < v->n; i++) {
        if (row_norm(v->x + i * d, d) < eps)
            continue;
        if (w != i)
            memcpy(v->x + w * d, v->x + i * d, d * sizeof(float));
        w++;
    }
    size_t dropped = v->n - w;
    v->n = w;
    if (dropped)
        vecs_shrink(v);
    return dropped;
}

static int check_finite(const struct vecs *v, const char *path)
{
    size_t first = 0, bad = vecs_count_nonfinite(v, &first);
    if (bad)
        return error("'%s': row %zu holds NaN or Inf (%zu such rows)", path, first, bad);
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
        return error("'%s': no rows", path);
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
        info("'%s': base_limit cuts the train set: its stored ground truth is not used", spec->base);
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
    if (load_any(&ds->queries, &ds->query_clips, format, spec->queries,
                 (size_t)spec->query_limit, spec->rvc_version) < 0)
        return -1;
    if (ds->queries.n == 0)
        return error("'%s': no rows", spec->queries);
    if (ds->queries.d != ds->base.d)
        return error("'%s': dimension %zu does not match base dimension %zu in '%s'",
                     spec->queries, ds->queries.d, ds->base.d, spec->base);
    return check_finite(&ds->queries, spec->queries);
}

static int hold_out_clips(struct dataset *ds, const struct dataset_spec *spec)
{
    size_t nc = ds->base_clips.n, h;

    if (!nc)
        return error("'%s': holdout_clips / holdout_fraction need clip boundaries, and this "
                     "data has none (a single .npy file)", ds->base_path);
    if (spec->holdout_clips > 0) {
        h = (size_t)spec->holdout_clips;
    } else {
        h = (size_t)floor(spec->holdout_fraction * (double)nc + 0.5);
        if (h < 1)
            h = 1;
    }
    if (h >= nc)
        return error("'%s': cannot hold out %zu of %zu clips (at least one must stay in the base)",
                     spec->base, h, nc);
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
        return error("'%s': no query file and holdout is %ld: no queries", spec->base, spec->holdout);
    if ((size_t)spec->holdout >= ds->base.n)
        return error("'%s': cannot hold out %ld of %zu rows (at least one must stay in the base)",
                     spec->base, spec->holdout, ds->base.n);
    holdout(&ds->base, &ds->base_clips, &ds->queries, (size_t)spec->holdout, spec->seed);
    return 0;
}

/* Ladder sizes are checked here, where N is known; the message points at
 * the config line like a config error. */
static int check_sizes(const struct dataset *ds, const struct dataset_spec *spec)
{
    for (size_t i = 0; i < spec->sizes.n; i++) {
        long n = spec->sizes.v[i];
        if (n >= 1 && (size_t)n <= ds->base.n)
            continue;
        if (spec->file)
            return error("%s:%d: dataset.sizes[%zu]: %ld exceeds the %zu base rows of '%s'",
                         spec->file, spec->sizes_line ? spec->sizes_line : spec->line, i, n,
                         ds->base.n, ds->base_path);
        return error("dataset.sizes[%zu]: %ld exceeds the %zu base rows of '%s'", i, n,
                     ds->base.n, ds->base_path);
    }
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
        if (load_any(&v, &c, spec->format, path, limit ? limit - ds->base.n : 0,
                     spec->rvc_version) < 0)
            return -1;
        if (v.d != ds->base.d) {
            error("'%s': dimension %zu does not match %zu in '%s' (the first base path)",
                  path, v.d, ds->base.d, spec->base);
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
        return error("'%s': negative row limit", spec->base);
    ds->base_path = base_paths(spec);
    if (spec->format && !strcmp(spec->format, "ann-hdf5")) {
        if (spec->n_base_more) {
            error("'%s': ann-hdf5 takes one file: dataset.base cannot be a list", spec->base);
            goto fail;
        }
        if (spec->queries) {
            error("'%s': ann-hdf5 files hold their own queries (test): drop dataset.queries",
                  spec->base);
            goto fail;
        }
        if (load_hdf5_split(ds, spec, 1))
            goto fail;
    } else {
        if (load_any(&ds->base, &ds->base_clips, spec->format, spec->base,
                     (size_t)spec->base_limit, spec->rvc_version) < 0)
            goto fail;
        if (check_rows(&ds->base, spec->base) < 0 || load_base_more(ds, spec) < 0)
            goto fail;
        if (spec->queries ? load_queries_file(ds, spec)
            : holdout_clips ? hold_out_clips(ds, spec) : hold_out_rows(ds, spec))
            goto fail;
    }
    if (check_sizes(ds, spec))
        goto fail;
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

/* -------------------------------------------------------------- info */

struct row_hash {
    uint64_t h;
    size_t row;
};

static int cmp_row_hash(const void *a, const void *b)
{
    const struct row_hash *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Rows equal (bitwise) to an earlier row: hash every row, sort by hash,
 * then compare rows only within runs of equal hashes. */
static size_t count_duplicates(const struct vecs *v)
{
    size_t bytes = v->d * sizeof(float), dup = 0, i, j;
    struct row_hash *rh = xmalloc((v->n ? v->n : 1) * sizeof(*rh));

    for (i = 0; i < v->n; i++) {
        rh[i].h = hash_bytes(HASH_SEED, v->x + i * v->d, bytes);
        rh[i].row = i;
    }
    qsort(rh, v->n, sizeof(*rh), cmp_row_hash);
    for (i = 0; i < v->n; i = j) {
        for (j = i + 1; j < v->n && rh[j].h == rh[i].h; j++) {
            /* same hash: a duplicate if equal to any earlier row of the run
             * (almost always the run's first) */
            for (size_t k = i; k < j; k++)
                if (!memcmp(v->x + rh[j].row * v->d, v->x + rh[k].row * v->d, bytes)) {
                    dup++;
                    break;
                }
        }
    }
    free(rh);
    return dup;
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
        double nr = row_norm(r, v->d);
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
    fprintf(out, "duplicate rows: %zu (bitwise equal to an earlier row)\n", count_duplicates(v));
}

int dataset_info(FILE *out, const char *format, const char *path)
{
    struct dataset ds;
    struct vecs none;
    int hdf5;

    memset(&ds, 0, sizeof(ds));
    memset(&none, 0, sizeof(none));
    if (!format && !(format = dataset_guess_format(path)))
        return error("'%s': cannot tell the format from the name: give it with --format", path);
    hdf5 = !strcmp(format, "ann-hdf5");
    if (hdf5) {
        struct dataset_spec spec;
        memset(&spec, 0, sizeof(spec));
        spec.base = (char *)path;
        if (load_hdf5_split(&ds, &spec, 0)) {
            dataset_release(&ds);
            return -1;
        }
    } else if (load_any(&ds.base, &ds.base_clips, format, path, 0, NULL) < 0) {
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
        fprintf(out, "ground truth:   %s%zu neighbours per query\n", ds.gt_k ? "" : "none, ", ds.gt_k);
        fprintf(out, "distance:       %s (metric %s)\n", ds.distance,
                ds.native_metric ? ds.native_metric : "unknown");
        fprintf(out, "run hash:       %016llx (train + test: what a run without limits caches "
                "ground truth under)\n", (unsigned long long)hash_tables(&ds.base, &ds.queries));
    }
    dataset_release(&ds);
    return 0;
}
