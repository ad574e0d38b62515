/*
 * npy.c - read NumPy .npy files of feature vectors, write float32 ones.
 *
 * The header is a Python dict literal ({'descr': '<f4', 'fortran_order':
 * False, 'shape': (149, 256), }) after a magic string and a length. We parse
 * exactly that dict rather than searching it for substrings, so a file whose
 * header is not what numpy writes is refused instead of half-understood.
 * float32 data is mapped privately (no copy, pages read on first touch);
 * float16 and float64 are converted in chunks.
 */
#include "io/npy.h"
#include "lib/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define NPY_MAX_HEADER ((size_t)1 << 20)  /* numpy's own limit is far below */
#define NPY_MAX_BYTES ((uint64_t)1 << 40)

static const char *const dtype_names[] = { "float16", "float32", "float64" };

const char *npy_dtype_name(enum npy_dtype t)
{
    return (unsigned)t < 3 ? dtype_names[t] : "?";
}

/* ------------------------------------------------------- header dict */

struct dict {
    const char *path;
    const char *start, *p, *end;
    char descr[32];
    int have_descr, have_order, have_shape, fortran;
    size_t shape[3];
    int ndim;
};

static int dict_error(struct dict *s, const char *what)
{
    return error("bad .npy header in '%s': %s at header byte %ld", s->path, what,
                 (long)(s->p - s->start));
}

static void dict_ws(struct dict *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int dict_char(struct dict *s, char c)
{
    dict_ws(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 0;
    }
    return -1;
}

/* A quoted Python string without escapes (none occur in npy headers). */
static int dict_string(struct dict *s, char *out, size_t size)
{
    char q;
    size_t len = 0;

    dict_ws(s);
    if (s->p >= s->end || (*s->p != '\'' && *s->p != '"'))
        return -1;
    q = *s->p++;
    while (s->p < s->end && *s->p != q) {
        if (*s->p == '\\' || len + 1 >= size)
            return -1;
        out[len++] = *s->p++;
    }
    if (s->p >= s->end)
        return -1;
    s->p++;
    out[len] = '\0';
    return 0;
}

static int dict_word(struct dict *s, const char *w)
{
    size_t n = strlen(w);
    dict_ws(s);
    if ((size_t)(s->end - s->p) >= n && !memcmp(s->p, w, n)) {
        s->p += n;
        return 0;
    }
    return -1;
}

/* (a, b) or (a,) or (): integers, Python 2 "L" suffix allowed. */
static int dict_shape(struct dict *s)
{
    if (dict_char(s, '('))
        return dict_error(s, "expected '(' starting the shape");
    s->ndim = 0;
    for (;;) {
        char *q;
        unsigned long long x;

        if (!dict_char(s, ')'))
            return 0;
        dict_ws(s);
        if (s->p >= s->end || *s->p < '0' || *s->p > '9')
            return dict_error(s, "expected a size in the shape");
        errno = 0;
        x = strtoull(s->p, &q, 10);
        if (errno || q > s->end)
            return dict_error(s, "size out of range in the shape");
        s->p = q;
        if (s->p < s->end && *s->p == 'L')
            s->p++;
        if (s->ndim < 3)
            s->shape[s->ndim] = (size_t)x;
        s->ndim++;
        if (!dict_char(s, ','))
            continue;
        if (dict_char(s, ')'))
            return dict_error(s, "expected ',' or ')' in the shape");
        return 0;
    }
}

static int dict_value(struct dict *s, const char *key)
{
    if (!strcmp(key, "descr")) {
        dict_ws(s);
        if (s->p < s->end && *s->p == '[')
            return error("structured dtype (a list of fields) in '%s' is not supported", s->path);
        if (dict_string(s, s->descr, sizeof(s->descr)))
            return dict_error(s, "expected a quoted dtype after 'descr'");
        s->have_descr = 1;
        return 0;
    }
    if (!strcmp(key, "fortran_order")) {
        if (!dict_word(s, "True"))
            s->fortran = 1;
        else if (!dict_word(s, "False"))
            s->fortran = 0;
        else
            return dict_error(s, "expected True or False after 'fortran_order'");
        s->have_order = 1;
        return 0;
    }
    if (!strcmp(key, "shape")) {
        if (dict_shape(s))
            return -1;
        s->have_shape = 1;
        return 0;
    }
    return error("bad .npy header in '%s': unknown key '%s'", s->path, key);
}

static int dict_parse(struct dict *s)
{
    char key[32];

    if (dict_char(s, '{'))
        return dict_error(s, "expected '{'");
    for (;;) {
        if (!dict_char(s, '}'))
            break;
        if (dict_string(s, key, sizeof(key)))
            return dict_error(s, "expected a quoted key or '}'");
        if (dict_char(s, ':'))
            return dict_error(s, "expected ':' after a key");
        if (dict_value(s, key))
            return -1;
        if (!dict_char(s, ','))
            continue;
        if (dict_char(s, '}'))
            return dict_error(s, "expected ',' or '}'");
        break;
    }
    dict_ws(s);
    if (s->p != s->end)
        return dict_error(s, "unexpected text after '}'");
    if (!s->have_descr || !s->have_order || !s->have_shape)
        return error("bad .npy header in '%s': lacks '%s'", s->path,
                     !s->have_descr ? "descr" : !s->have_order ? "fortran_order" : "shape");
    return 0;
}

/* ------------------------------------------------------------ header */

static int host_is_le(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

/* '<f4' and friends; '=' is native order, which is little on the hosts
 * we build for (checked). */
static int parse_descr(const char *path, const char *descr, struct npy_header *h)
{
    static const struct { const char *code; enum npy_dtype t; size_t size; } known[] = {
        { "f2", NPY_F16, 2 }, { "f4", NPY_F32, 4 }, { "f8", NPY_F64, 8 },
    };
    char order = descr[0], shown[40];
    const char *code = strchr("<>=|", order) && order ? descr + 1 : descr;

    /* descr is the file's text: quoted with its control characters blanked */
    clean_copy(shown, sizeof(shown), descr, strlen(descr));
    if (!strcmp(code, "O"))
        return error("object dtype ('%s') in '%s' is not supported: save a float array", shown,
                     path);
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (strcmp(code, known[i].code))
            continue;
        if (order == '>' || (order == '=' && !host_is_le()))
            return error("big-endian data ('%s') in '%s' is not supported: save with '<%s'",
                         shown, path, known[i].code);
        h->dtype = known[i].t;
        h->elsize = known[i].size;
        return 0;
    }
    return error("unsupported dtype '%s' in '%s' (expected float16, float32 or float64, "
                 "little-endian)", shown, path);
}

static int check_shape(const char *path, const struct dict *s, struct npy_header *h)
{
    if (s->ndim < 1 || s->ndim > 2)
        return error("%d-d array in '%s', expected 1-d (one vector) or 2-d (rows x d)",
                     s->ndim, path);
    h->ndim = s->ndim;
    h->n = s->ndim == 1 ? 1 : s->shape[0];
    h->d = s->ndim == 1 ? s->shape[0] : s->shape[1];
    if (!h->n || !h->d) {
        if (s->ndim == 1)
            return error("empty array in '%s' (shape (0,))", path);
        return error("empty array in '%s' (shape (%zu, %zu))", path, s->shape[0], s->shape[1]);
    }
    if (h->d > NPY_MAX_BYTES / h->elsize / h->n)
        return error("absurd shape (%zu, %zu) in '%s'", h->n, h->d, path);
    return 0;
}

int npy_read_header(FILE *f, const char *path, struct npy_header *h)
{
    unsigned char pre[12];
    size_t prefix, hlen;
    char *text = NULL;
    struct dict s;
    struct stat st;
    uint64_t need;
    int ret = -1;

    memset(h, 0, sizeof(*h));
    if (fseeko(f, 0, SEEK_SET) || fstat(fileno(f), &st))
        return error_errno("cannot read '%s'", path);
    if (st.st_size == 0)
        return error("empty file '%s' (0 bytes)", path);
    if (fread(pre, 1, 10, f) < 10 || memcmp(pre, "\x93NUMPY", 6))
        return error("not a .npy file: '%s' (bad magic)", path);
    if (pre[6] < 1 || pre[6] > 3 || pre[7] != 0)
        return error("unsupported .npy version %u.%u in '%s' (expected 1.0, 2.0 or 3.0)",
                     pre[6], pre[7], path);
    h->version = pre[6];
    if (h->version == 1) {
        prefix = 10;
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else {
        if (fread(pre + 10, 1, 2, f) < 2)
            return error("truncated header in '%s'", path);
        prefix = 12;
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    }
    if (hlen == 0 || hlen > NPY_MAX_HEADER)
        return error("bad .npy header length %zu in '%s'", hlen, path);
    text = xmalloc(hlen + 1);
    if (fread(text, 1, hlen, f) < hlen) {
        error("truncated header in '%s' (%zu bytes announced)", path, hlen);
        goto out;
    }
    text[hlen] = '\0';
    if (strlen(text) != hlen || text[hlen - 1] != '\n') {
        error("bad .npy header in '%s': not a line of text", path);
        goto out;
    }
    memset(&s, 0, sizeof(s));
    s.path = path;
    s.start = s.p = text;
    s.end = text + hlen;
    if (dict_parse(&s) || parse_descr(path, s.descr, h))
        goto out;
    if (s.fortran) {
        error("Fortran-order array in '%s' is not supported: save it in C order "
              "(np.ascontiguousarray)", path);
        goto out;
    }
    if (check_shape(path, &s, h))
        goto out;
    h->data_offset = prefix + hlen;
    h->file_size = (uint64_t)st.st_size;
    need = (uint64_t)h->n * h->d * h->elsize;
    if (h->file_size < h->data_offset + need) {
        error("truncated data in '%s': shape (%zu, %zu) %s needs %llu bytes, got %llu",
              path, h->n, h->d, npy_dtype_name(h->dtype), (unsigned long long)need,
              (unsigned long long)(h->file_size > h->data_offset ? h->file_size - h->data_offset
                                                                 : 0));
        goto out;
    }
    if (h->file_size > h->data_offset + need) {
        error("%llu bytes after the data in '%s' that shape (%zu, %zu) does not account for",
              (unsigned long long)(h->file_size - h->data_offset - need), path, h->n, h->d);
        goto out;
    }
    ret = 0;
out:
    free(text);
    return ret;
}

/* -------------------------------------------------------------- data */

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
    float f;

    if (exp == 0x1f)
        u = sign | 0x7f800000u | man << 13;          /* Inf, NaN */
    else if (exp)
        u = sign | (exp + 112) << 23 | man << 13;    /* normal: rebias 15 -> 127 */
    else {
        /* zero or subnormal: exact as man * 2^-24 */
        f = ldexpf((float)man, -24);
        return sign ? -f : f;
    }
    memcpy(&f, &u, 4);
    return f;
}

static void convert(float *dst, const unsigned char *src, size_t count, enum npy_dtype t)
{
    size_t i;
    switch (t) {
    case NPY_F16:
        for (i = 0; i < count; i++)
            dst[i] = half_to_float((uint16_t)(src[2 * i] | src[2 * i + 1] << 8));
        break;
    case NPY_F32:
        for (i = 0; i < count; i++) {
            uint32_t u = (uint32_t)src[4 * i] | (uint32_t)src[4 * i + 1] << 8 |
                         (uint32_t)src[4 * i + 2] << 16 | (uint32_t)src[4 * i + 3] << 24;
            memcpy(&dst[i], &u, 4);
        }
        break;
    case NPY_F64:
        for (i = 0; i < count; i++) {
            uint64_t u = 0;
            double x;
            for (int b = 7; b >= 0; b--)
                u = u << 8 | src[8 * i + b];
            memcpy(&x, &u, 8);
            dst[i] = (float)x;
        }
        break;
    }
}

int npy_read_rows(FILE *f, const char *path, const struct npy_header *h, float *dst, size_t rows)
{
    enum { CHUNK = 1 << 16 };  /* values per read */
    size_t total = rows * h->d, done = 0;
    unsigned char *buf;

    if (fseeko(f, (off_t)h->data_offset, SEEK_SET))
        return error_errno("cannot read '%s'", path);
    /* float32 on a little-endian host: straight into place */
    if (h->dtype == NPY_F32 && host_is_le()) {
        if (fread(dst, 4, total, f) < total)
            return error("truncated or unreadable data in '%s'", path);
        return 0;
    }
    buf = xmalloc(CHUNK * h->elsize);
    while (done < total) {
        size_t want = total - done < CHUNK ? total - done : CHUNK;
        if (fread(buf, h->elsize, want, f) < want) {
            free(buf);
            return error("truncated or unreadable data in '%s'", path);
        }
        convert(dst + done, buf, want, h->dtype);
        done += want;
    }
    free(buf);
    return 0;
}

/* Map header and the rows wanted; x points past the header. */
static int map_f32(struct vecs *v, FILE *f, const char *path, const struct npy_header *h,
                   size_t rows)
{
    size_t len = (size_t)h->data_offset + rows * h->d * 4;
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fileno(f), 0);

    if (m == MAP_FAILED)
        return error_errno("cannot map '%s'", path);
    v->map = m;
    v->map_len = len;
    v->x = (float *)((char *)m + h->data_offset);
    return 0;
}

int load_npy(struct vecs *v, const char *path, size_t limit)
{
    struct npy_header h;
    FILE *f = fopen_regular(path);
    size_t rows;
    int ret = -1;

    memset(v, 0, sizeof(*v));
    if (!f)
        return -1;
    if (npy_read_header(f, path, &h))
        goto out;
    rows = limit && limit < h.n ? limit : h.n;
    v->d = h.d;
    v->dtype = npy_dtype_name(h.dtype);
    /* Mapping needs aligned floats in host order; numpy pads headers to
     * 64 bytes, so this is the usual case. */
    if (h.dtype == NPY_F32 && host_is_le() && h.data_offset % 4 == 0) {
        if (map_f32(v, f, path, &h, rows))
            goto out;
    } else {
        v->x = xmalloc(rows * h.d * sizeof(float));
        if (npy_read_rows(f, path, &h, v->x, rows))
            goto out;
    }
    v->n = rows;
    ret = 0;
out:
    fclose(f);
    if (ret)
        vecs_release(v);
    return ret;
}

/* ------------------------------------------------------------- write */

#define NPY_GROWTH_DIGITS 21 /* numpy's GROWTH_AXIS_MAX_DIGITS */

/*
 * The version 1.0 header numpy 1.24's np.save writes for a C-order (n, d)
 * '<f4' array: the dict's repr, spare spaces so the row count can grow in
 * place (21 digits' worth), then spaces and '\n' so the data starts on a
 * 64-byte boundary; a whole extra 64 when it is already aligned, exactly as
 * numpy's _wrap_header does. Returns the header's length (hdr holds 512).
 */
static size_t npy_header_f32(char *hdr, size_t n, size_t d)
{
    char dict[256];
    int len = snprintf(dict, sizeof(dict),
                       "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }", n, d);
    int digits = snprintf(NULL, 0, "%zu", n);
    int pad = NPY_GROWTH_DIGITS > digits ? NPY_GROWTH_DIGITS - digits : 0;
    size_t hlen = (size_t)len + (size_t)pad + 1;

    hlen += 64 - (10 + hlen) % 64;
    memcpy(hdr, "\x93NUMPY\x01\x00", 8);
    hdr[8] = (char)(hlen & 0xff);
    hdr[9] = (char)(hlen >> 8);
    memcpy(hdr + 10, dict, (size_t)len);
    memset(hdr + 10 + len, ' ', hlen - (size_t)len - 1);
    hdr[10 + hlen - 1] = '\n';
    return 10 + hlen;
}

int npy_write_f32_errno(const char *path, const float *x, size_t n, size_t d,
                        const char **failed)
{
    char hdr[512];
    size_t len = npy_header_f32(hdr, n, d), count = n * d;
    FILE *f = fopen(path, "wb");
    int ok, saved;

    if (failed)
        *failed = "create";
    if (!f)
        return -1;
    ok = fwrite(hdr, 1, len, f) == len;
    if (host_is_le())
        ok = ok && fwrite(x, sizeof(float), count, f) == count;
    else
        for (size_t i = 0; ok && i < count; i++) {
            uint32_t u;
            unsigned char b[4];
            memcpy(&u, &x[i], 4);
            b[0] = (unsigned char)u; b[1] = (unsigned char)(u >> 8);
            b[2] = (unsigned char)(u >> 16); b[3] = (unsigned char)(u >> 24);
            ok = fwrite(b, 1, 4, f) == 4;
        }
    saved = errno;
    if (fclose(f) != 0)
        ok = 0;
    else if (!ok)
        errno = saved;
    if (failed)
        *failed = "write";
    return ok ? 0 : -1;
}

int npy_write_f32(const char *path, const float *x, size_t n, size_t d)
{
    const char *failed;
    if (npy_write_f32_errno(path, x, n, d, &failed) < 0)
        return error_errno("cannot %s '%s'", failed, path);
    return 0;
}
