/*
 * dataset.c - read vector files into float32 tables and build the sweep's
 * base and query sets from them.
 *
 * Every loader turns one file format (IDX, TSV, GloVe JSON, fvecs) into a
 * `struct vecs` and, when the file is wrong, prints one line naming the file
 * and what is wrong with it, so a sweep never starts on half-read data.
 * dataset_load() then picks the queries (own file or a seeded holdout),
 * rejects NaN/Inf and hashes the result for the ground-truth cache.
 * Rows are counted from 0 (like the vector ids faiss returns), lines from 1.
 */
#include "dataset.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* Larger than any real vector or file we expect: a header saying more is
 * corrupt, and we refuse it before trusting it with memory. */
#define MAX_DIM ((size_t)1 << 24)
#define MAX_BYTES ((uint64_t)1 << 40)

void vecs_release(struct vecs *v)
{
    free(v->x);
    v->x = NULL;
    v->n = v->d = 0;
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

static void vecs_shrink(struct vecs *v)
{
    v->x = xrealloc(v->x, v->n * v->d * sizeof(float));
}

/* ---------------------------------------------------------------- IDX */

struct idx_type {
    unsigned char code;
    size_t size;
    const char *name;
};

static const struct idx_type idx_types[] = {
    { 0x08, 1, "ubyte" }, { 0x09, 1, "byte" },  { 0x0B, 2, "short" },
    { 0x0C, 4, "int" },   { 0x0D, 4, "float" }, { 0x0E, 8, "double" },
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

static int host_is_le(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

int load_fvecs(struct vecs *v, const char *path, size_t limit)
{
    FILE *f = fopen(path, "rb");
    unsigned char h[4];
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
            /* A regular file's size tells n; one allocation then suffices. */
            if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
                size_t rows = (size_t)st.st_size / (4 + 4 * (size_t)d);
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
        got = fread(row, sizeof(float), v->d, f);
        if (got < v->d) {
            if (ferror(f))
                error("cannot read '%s': %s", path, strerror(errno));
            else
                error("'%s': truncated: row %zu: expected %zu floats, got %zu", path, v->n, v->d, got);
            goto out;
        }
        if (!host_is_le())
            for (size_t i = 0; i < v->d; i++) {
                uint32_t u;
                memcpy(&u, &row[i], 4);
                u = le32((unsigned char *)&u);
                memcpy(&row[i], &u, 4);
            }
        v->n++;
    }
    if (!v->n) {
        error("'%s': empty file (no rows)", path);
        goto out;
    }
    vecs_shrink(v);
    ret = 0;
out:
    fclose(f);
    if (ret < 0)
        vecs_release(v);
    return ret;
}

/* ------------------------------------------------------------ by name */

int load_vecs(struct vecs *v, const char *format, const char *path, size_t limit)
{
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
    if (!strcmp(format, "fvecs"))
        return load_fvecs(v, path, limit);
    return error("'%s': unknown dataset format '%s' (known: idx, tsv, tsv-id, glove-json, fvecs)",
                 path, format);
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

static int check_finite(const struct vecs *v, const char *path)
{
    size_t first = 0, bad = vecs_count_nonfinite(v, &first);
    if (bad)
        return error("'%s': row %zu holds NaN or Inf (%zu such rows)", path, first, bad);
    return 0;
}

/* ----------------------------------------------------------- holdout */

/* splitmix64: tiny, well mixed, and the same sequence on every machine,
 * so a seed names the same holdout everywhere. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Uniform in [0, bound) without modulo bias. */
static uint64_t rand_below(uint64_t *state, uint64_t bound)
{
    uint64_t threshold = -bound % bound;
    for (;;) {
        uint64_t r = splitmix64(state);
        if (r >= threshold)
            return r % bound;
    }
}

/* Move `h` random rows of base into q (in the order drawn); the rest of
 * base keeps its order. */
static void holdout(struct vecs *base, struct vecs *q, size_t h, uint64_t seed)
{
    size_t n = base->n, d = base->d, i, w;
    size_t *perm = xmalloc(n * sizeof(*perm));
    unsigned char *taken = xcalloc(n, 1);
    uint64_t state = seed;

    for (i = 0; i < n; i++)
        perm[i] = i;
    q->n = h;
    q->d = d;
    q->x = xmalloc(h * d * sizeof(float));
    for (i = 0; i < h; i++) {
        size_t j = i + (size_t)rand_below(&state, n - i), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
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
    free(perm);
    free(taken);
}

/* ----------------------------------------------------------- dataset */

/* Over (n, d, base, nq, queries), sizes as uint64 so the hash names the
 * same data on every machine. */
static uint64_t dataset_hash(const struct dataset *ds)
{
    uint64_t n = ds->base.n, d = ds->base.d, nq = ds->queries.n;
    uint64_t h = HASH_SEED;
    h = hash_bytes(h, &n, sizeof(n));
    h = hash_bytes(h, &d, sizeof(d));
    h = hash_bytes(h, ds->base.x, ds->base.n * ds->base.d * sizeof(float));
    h = hash_bytes(h, &nq, sizeof(nq));
    return hash_bytes(h, ds->queries.x, ds->queries.n * ds->queries.d * sizeof(float));
}

int dataset_load(struct dataset *ds, const struct dataset_spec *spec)
{
    memset(ds, 0, sizeof(*ds));
    if (!spec->base)
        return error("dataset: no base file given");
    if (spec->base_limit < 0 || spec->query_limit < 0)
        return error("'%s': negative row limit", spec->base);
    if (load_vecs(&ds->base, spec->format, spec->base, (size_t)spec->base_limit) < 0)
        goto fail;
    ds->base_path = xstrdup(spec->base);
    if (ds->base.n == 0) {
        error("'%s': no rows", spec->base);
        goto fail;
    }
    if (check_finite(&ds->base, spec->base) < 0)
        goto fail;

    if (spec->queries) {
        ds->queries_path = xstrdup(spec->queries);
        if (load_vecs(&ds->queries, spec->format, spec->queries, (size_t)spec->query_limit) < 0)
            goto fail;
        if (ds->queries.n == 0) {
            error("'%s': no rows", spec->queries);
            goto fail;
        }
        if (ds->queries.d != ds->base.d) {
            error("'%s': dimension %zu does not match base dimension %zu in '%s'",
                  spec->queries, ds->queries.d, ds->base.d, spec->base);
            goto fail;
        }
        if (check_finite(&ds->queries, spec->queries) < 0)
            goto fail;
    } else {
        if (spec->holdout <= 0) {
            error("'%s': no query file and holdout is %ld: no queries", spec->base, spec->holdout);
            goto fail;
        }
        if ((size_t)spec->holdout >= ds->base.n) {
            error("'%s': cannot hold out %ld of %zu rows (at least one must stay in the base)",
                  spec->base, spec->holdout, ds->base.n);
            goto fail;
        }
        holdout(&ds->base, &ds->queries, (size_t)spec->holdout, spec->seed);
    }
    ds->hash = dataset_hash(ds);
    return 0;
fail:
    dataset_release(ds);
    return -1;
}

void dataset_release(struct dataset *ds)
{
    vecs_release(&ds->base);
    vecs_release(&ds->queries);
    free(ds->base_path);
    free(ds->queries_path);
    memset(ds, 0, sizeof(*ds));
}
