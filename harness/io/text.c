/*
 * text.c - read vectors from text: numeric TSV tables, GloVe's JSON word
 * table and GloVe's "word v1 v2 ..." lines.
 *
 * The line formats (TSV, GloVe text) are read a line at a time, so memory
 * follows the rows parsed, and a line longer than TEXT_MAX_LINE (one that
 * never ends) stops the reader with an error. The JSON table is read whole
 * (read_file_max, at most TEXT_MAX_JSON bytes; read_file NUL-terminates it).
 * Both parse strictly: a ragged row, a non-number, a blank line inside the
 * data or a broken JSON token fails with one line naming the file and the
 * line, so a sweep never starts on shifted data; bytes of the file quoted
 * in a message have their control characters blanked (clean_copy). Lines
 * are counted from 1, rows (vectors) from 0.
 */
#include "io/text.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The token at p (before eol), at most 40 bytes, for messages: control
 * characters blanked. Returns buf. */
static const char *token_text(char *buf, size_t size, const char *p, const char *eol)
{
    size_t n = 0;
    while (p + n < eol && !is_blank(p[n]) && n < 40)
        n++;
    return clean_copy(buf, size, p, n);
}

/* ------------------------------------------------------ line tables */

/* What the two line-per-row loaders (TSV, GloVe text) share. */
struct lines {
    const char *path;
    struct vecs *v;
    FILE *f;             /* the file, owned */
    char *buf;           /* read but not yet parsed: [pos, len), owned */
    size_t buf_cap, len, pos;
    size_t scanned;      /* bytes after pos known to hold no '\n' */
    int eof;
    const char *bol, *eol; /* the current line [bol, eol), NUL at eol */
    size_t line;         /* the current line, from 1 */
    size_t blank_line;   /* first blank line after a row, 0 if none */
    size_t cap;          /* floats allocated in v->x */
    float *row;          /* one parsed row (v->d floats), owned */
};

enum { LINES_CHUNK = 1 << 20 };

static int lines_open(struct lines *l, struct vecs *v, const char *path)
{
    memset(v, 0, sizeof(*v));
    memset(l, 0, sizeof(*l));
    l->path = path;
    l->v = v;
    l->f = fopen_regular(path);
    return l->f ? 0 : -1;
}

static int line_too_long(const struct lines *l)
{
    return error("line %zu of '%s' is longer than %d MiB (it never ends): not a table of "
                 "vectors", l->line + 1, l->path, (int)(TEXT_MAX_LINE >> 20));
}

/* Read the next chunk behind the unparsed rest (moved to the front), or
 * fail when that rest is already a whole TEXT_MAX_LINE without a '\n'. */
static int lines_fill(struct lines *l)
{
    size_t got;

    if (l->pos) {
        memmove(l->buf, l->buf + l->pos, l->len - l->pos);
        l->len -= l->pos;
        l->pos = 0;
    }
    if (l->len > TEXT_MAX_LINE)
        return line_too_long(l);
    if (l->buf_cap < l->len + LINES_CHUNK + 1) {
        l->buf_cap = l->len + LINES_CHUNK + 1 > 2 * l->buf_cap ? l->len + LINES_CHUNK + 1
                                                               : 2 * l->buf_cap;
        l->buf = xrealloc(l->buf, l->buf_cap);
    }
    got = fread(l->buf + l->len, 1, LINES_CHUNK, l->f);
    l->len += got;
    if (got < LINES_CHUNK) {
        if (ferror(l->f))
            return error_errno("cannot read '%s'", l->path);
        l->eof = 1;
    }
    return 0;
}

/* The next line into [bol, eol), while rows are wanted: 1, 0 at the end,
 * or -1 after an error. */
static int lines_next(struct lines *l, size_t limit)
{
    char *nl;

    if (limit && l->v->n >= limit)
        return 0;
    for (;;) {
        size_t from = l->pos + l->scanned;
        nl = from < l->len ? memchr(l->buf + from, '\n', l->len - from) : NULL;
        if (nl)
            break;
        l->scanned = l->len - l->pos;
        if (l->eof) {
            if (l->pos == l->len)
                return 0;
            nl = l->buf + l->len; /* the last line, without '\n': buf has room for NUL */
            break;
        }
        if (lines_fill(l) < 0)
            return -1;
    }
    if ((size_t)(nl - (l->buf + l->pos)) > TEXT_MAX_LINE)
        return line_too_long(l);
    *nl = '\0';
    l->bol = l->buf + l->pos;
    l->eol = nl;
    l->pos = (size_t)(nl - l->buf) + (nl < l->buf + l->len);
    l->scanned = 0;
    l->line++;
    return 1;
}

/* A line without data: remembered if rows came before it (trailing blank
 * lines are fine, a gap inside the data is not). */
static void lines_blank(struct lines *l)
{
    if (l->v->n && !l->blank_line)
        l->blank_line = l->line;
}

/* A row is coming: fail if a blank line came before it. */
static int lines_no_gap(const struct lines *l)
{
    if (l->blank_line)
        return error("empty line %zu inside the data of '%s'", l->blank_line, l->path);
    return 0;
}

static void lines_append(struct lines *l)
{
    struct vecs *v = l->v;
    vecs_reserve(v, &l->cap, (v->n + 1) * v->d);
    memcpy(v->x + v->n * v->d, l->row, v->d * sizeof(float));
    v->n++;
}

/* Free the buffers; on success (ret 0) the table must hold rows. */
static int lines_close(struct lines *l, int ret)
{
    if (!ret && !l->v->n)
        ret = error("empty file '%s' (no rows)", l->path);
    if (!ret) {
        vecs_shrink(l->v);
        l->v->dtype = "text";
    }
    free(l->row);
    free(l->buf);
    if (l->f)
        fclose(l->f);
    if (ret < 0)
        vecs_release(l->v);
    return ret;
}

/* ---------------------------------------------------------------- TSV */

/* The first row fixes the width: count it without a buffer. */
static int tsv_width(struct lines *l, size_t *cols, int drop_last)
{
    const char *bad_at = NULL;
    long bad;
    size_t nf = tsv_fields(l->bol, l->eol, NULL, 0, &bad, &bad_at);

    if (!nf)
        return 0;
    *cols = nf;
    l->v->d = nf - (drop_last ? 1 : 0);
    if (!l->v->d)
        return error("a single column on line %zu of '%s': nothing left after dropping the id",
                     l->line, l->path);
    l->row = xmalloc(nf * sizeof(float));
    return 0;
}

int load_tsv(struct vecs *v, const char *path, size_t limit, int drop_last)
{
    struct lines l;
    size_t cols = 0;
    int more;

    if (lines_open(&l, v, path) < 0)
        return -1;
    while ((more = lines_next(&l, limit)) > 0) {
        const char *bad_at = NULL;
        long bad;
        size_t nf;

        if (!cols && tsv_width(&l, &cols, drop_last) < 0)
            return lines_close(&l, -1);
        nf = tsv_fields(l.bol, l.eol, l.row, cols, &bad, &bad_at);
        if (nf == 0) {
            lines_blank(&l);
            continue;
        }
        if (lines_no_gap(&l) < 0)
            return lines_close(&l, -1);
        if (nf != cols)
            return lines_close(&l, error("line %zu of '%s' holds %zu values, expected %zu",
                                         l.line, path, nf, cols));
        /* The id column is free text: only the vector must be numeric. */
        if (bad >= 0 && (size_t)bad < v->d) {
            char tok[48];
            return lines_close(&l, error("field %ld on line %zu of '%s' is not a number: "
                                         "'%s'", bad + 1, l.line, path,
                                         token_text(tok, sizeof(tok), bad_at, l.eol)));
        }
        lines_append(&l);
    }
    return lines_close(&l, more < 0 ? -1 : 0);
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

/* The first word's vector fixes d (and must agree with a count header). */
static int glove_width(struct lines *l, const char *w, size_t header_dim)
{
    const char *bad_at = NULL;
    long bad;

    l->v->d = tsv_fields(w, l->eol, NULL, 0, &bad, &bad_at);
    if (!l->v->d)
        return error("a word without a vector on line %zu of '%s'", l->line, l->path);
    if (header_dim && header_dim != l->v->d)
        return error("line %zu of '%s' holds %zu values, but line 1 says %zu", l->line,
                     l->path, l->v->d, header_dim);
    l->row = xmalloc(l->v->d * sizeof(float));
    return 0;
}

/* One "word v1 v2 ..." line (w: just past the word) into l->row. */
static int glove_values(struct lines *l, const char *w)
{
    const char *bad_at = NULL;
    long bad;
    size_t nf = tsv_fields(w, l->eol, l->row, l->v->d, &bad, &bad_at);

    if (nf != l->v->d)
        return error("line %zu of '%s' holds a word and %zu values, expected %zu", l->line,
                     l->path, nf, l->v->d);
    if (bad >= 0) {
        char tok[48];
        return error("value %ld on line %zu of '%s' is not a number: '%s'", bad + 1,
                     l->line, l->path, token_text(tok, sizeof(tok), bad_at, l->eol));
    }
    return 0;
}

int load_glove_txt(struct vecs *v, const char *path, size_t limit)
{
    struct lines l;
    size_t header_dim = 0;
    int more;

    if (lines_open(&l, v, path) < 0)
        return -1;
    while ((more = lines_next(&l, limit)) > 0) {
        const char *w = l.bol, *bad_at = NULL;
        long bad;

        if (l.line == 1 && is_count_header(l.bol, l.eol, &header_dim))
            continue;
        while (w < l.eol && !is_blank(*w))
            w++;                         /* the word: any non-blank characters */
        if (w == l.bol) {
            /* a blank line, or one starting with a blank: no word */
            if (tsv_fields(l.bol, l.eol, NULL, 0, &bad, &bad_at))
                return lines_close(&l, error("line %zu of '%s' starts with a blank, expected "
                                             "a word", l.line, path));
            lines_blank(&l);
            continue;
        }
        if (lines_no_gap(&l) < 0 || (!v->d && glove_width(&l, w, header_dim) < 0) ||
            glove_values(&l, w) < 0)
            return lines_close(&l, -1);
        lines_append(&l);
    }
    return lines_close(&l, more < 0 ? -1 : 0);
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
        return error("%s, got end of file, on line %zu of '%s'", what, s->line, s->path);
    if ((unsigned char)*s->p < 0x20 || (unsigned char)*s->p >= 0x7f)
        return error("%s, got byte 0x%02x, on line %zu of '%s'", what, (unsigned char)*s->p,
                     s->line, s->path);
    return error("%s, got '%c', on line %zu of '%s'", what, *s->p, s->line, s->path);
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
        return error("empty vector on line %zu of '%s'", s->line, s->path);
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
        return error("vector %zu on line %zu of '%s' has %zu values, expected %zu",
                     v->n, line, s->path, count, v->d);
    v->n++;
    return 0;
}

/* The '{' ... '}' word table, after the opening brace has been checked. */
static int scan_table(struct scan *s, struct vecs *v, size_t limit)
{
    size_t cap = 0;

    while (!limit || v->n < limit) {
        if (scan_string(s) < 0 || scan_char(s, ':', "expected ':' after a word") < 0 ||
            scan_array(s, v, &cap) < 0)
            return -1;
        scan_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (scan_char(s, '}', "expected ',' or '}' after a vector") < 0)
            return -1;
        scan_ws(s);
        if (s->p < s->end)
            return scan_error(s, "expected end of file after '}'");
        break;
    }
    return 0;
}

int load_glove_json(struct vecs *v, const char *path, size_t limit)
{
    struct scan s = { path, NULL, NULL, 1 };
    size_t len;
    char *buf = read_file_max(path, &len, TEXT_MAX_JSON, "a JSON word table");
    int ret = -1;

    memset(v, 0, sizeof(*v));
    if (!buf)
        return -1;
    s.p = buf;
    s.end = buf + len;
    scan_ws(&s);
    if (s.p == s.end) {
        error("empty file '%s' (no rows)", path);
        goto out;
    }
    if (scan_char(&s, '{', "expected '{' opening the word table") < 0)
        goto out;
    scan_ws(&s);
    if (s.p < s.end && *s.p == '}') {
        error("empty word table on line %zu of '%s' (no rows)", s.line, path);
        goto out;
    }
    if (scan_table(&s, v, limit) < 0)
        goto out;
    vecs_shrink(v);
    v->dtype = "text (JSON)";
    ret = 0;
out:
    free(buf);
    if (ret < 0)
        vecs_release(v);
    return ret;
}
