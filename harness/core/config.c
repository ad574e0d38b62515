/*
 * config.c - read the sweep configuration (YAML) into struct config.
 *
 * Every key lives in one table per section (fio style): its name, type,
 * default, help text and the function that parses it. Parsing, "did you
 * mean" for unknown keys, defaults and the Markdown reference all walk
 * these tables, so a key is added in exactly one place.
 *
 * We use libyaml's document API: the whole file becomes a node tree whose
 * marks give the line of every key and value for error messages.
 */
#include "core/config.h"
#include "io/dataset.h"
#include "out/results.h"
#include "lib/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---------- metrics ---------- */

static const char *const metric_names[] = { "l2", "ip", "cosine", NULL };

const char *metric_name(enum metric m)
{
    if ((unsigned)m < sizeof(metric_names) / sizeof(*metric_names) - 1)
        return metric_names[m];
    return "?";
}

int metric_parse(const char *s)
{
    for (int i = 0; metric_names[i]; i++)
        if (!strcmp(s, metric_names[i]))
            return i;
    return -1;
}

/* ---------- the key tables ---------- */

struct parser;
struct key;
typedef int parse_fn(struct parser *p, const struct key *k, yaml_node_t *n,
                     void *base, const char *path);

#define KEY_REQUIRED  1  /* missing is an error */
#define KEY_NULLABLE  2  /* "key:" or "key: null" means absent */
#define KEY_DEF_DOC   4  /* .def only describes the default; code supplies it */

struct section {
    const char *title;        /* heading in the reference */
    const char *help;
    const struct key *keys;   /* ends with a NULL name */
    /* cross-key checks once the mapping is read; map is NULL if absent */
    int (*check)(struct parser *p, yaml_node_t *map, void *base,
                 const char *path, int line);
};

struct key {
    const char *name;
    parse_fn *parse;
    size_t off;                 /* of the field in the section's struct */
    const char *type;           /* for the reference */
    const char *def;            /* YAML text of the default (parsed like input) */
    const char *help;
    unsigned flags;
    long min, max;              /* integer keys */
    const struct section *sub;  /* mapping keys: their section */
};

struct parser {
    const char *file;         /* name used in messages */
    const char *basedir;      /* relative dataset paths are resolved against it */
    yaml_document_t *doc;
    int key_line;             /* line of the key whose value is being parsed */
};

/* ---------- messages ---------- */

static int line_of(const yaml_node_t *n)
{
    return (int)n->start_mark.line + 1;
}

__attribute__((format(printf, 4, 5)))
static int fail(struct parser *p, int line, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return error("%s:%d: %s: %s", p->file, line, *path ? path : "top level", msg);
}

/* Copy s for a one-line message: control characters blanked, long text cut. */
static void clean_copy(char *buf, size_t size, const char *s)
{
    size_t i, max = size - 4;

    for (i = 0; s[i] && i < max; i++)
        buf[i] = iscntrl((unsigned char)s[i]) ? ' ' : s[i];
    if (s[i]) {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
}

static int is_null(const yaml_node_t *n)
{
    const char *s = (const char *)n->data.scalar.value;

    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
           !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* What a node holds, for "got ..." in messages. */
static const char *describe(const yaml_node_t *n, char *buf, size_t size)
{
    char text[64];

    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE)
        return "a list";
    if (is_null(n) && !*n->data.scalar.value)
        return "nothing";
    clean_copy(text, sizeof(text), (const char *)n->data.scalar.value);
    snprintf(buf, size, "'%s'", text);
    return buf;
}

/* "a, b or c" */
static void join_names(char *buf, size_t size, const char *const *names)
{
    size_t used = 0, n = 0;

    buf[0] = '\0';
    while (names[n])
        n++;
    for (size_t i = 0; i < n && used < size; i++) {
        const char *sep = !i ? "" : i + 1 < n ? ", " : " or ";
        used += (size_t)snprintf(buf + used, size - used, "%s%s", sep, names[i]);
    }
}

/* The closest of names within edit distance 2, or NULL. */
static const char *suggest(const char *word, const char *const *names)
{
    const char *best = NULL;
    int best_d = 3;

    for (int i = 0; names[i]; i++) {
        int d = edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    return best;
}

static int fail_unknown(struct parser *p, int line, const char *path,
                        const char *what, const char *word, const char *const *names)
{
    const char *guess = suggest(word, names);
    char list[256];

    if (guess)
        return fail(p, line, path, "unknown %s (did you mean '%s'?)", what, guess);
    join_names(list, sizeof(list), names);
    return fail(p, line, path, "unknown %s (expected %s)", what, list);
}

/* prefix.name, or prefix[i] when name is NULL; control characters blanked. */
static char *subpath(const char *prefix, const char *name, size_t i)
{
    char clean[64];

    if (!name)
        return xasprintf("%s[%zu]", prefix, i);
    clean_copy(clean, sizeof(clean), name);
    return *prefix ? xasprintf("%s.%s", prefix, clean) : xstrdup(clean);
}

/* ---------- scalars ---------- */

static yaml_node_t *node(struct parser *p, int id)
{
    return yaml_document_get_node(p->doc, id);
}

/* A string value; keys and numbers in YAML are strings to us. */
static int get_string(struct parser *p, yaml_node_t *n, const char *path, const char **out)
{
    char buf[80];

    if (n->type != YAML_SCALAR_NODE || is_null(n))
        return fail(p, line_of(n), path, "expected a string, got %s",
                    describe(n, buf, sizeof(buf)));
    if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
        return fail(p, line_of(n), path, "string holds a NUL character");
    *out = (const char *)n->data.scalar.value;
    return 0;
}

static void range_text(char *buf, size_t size, long min, long max)
{
    if (max == LONG_MAX || max == INT_MAX)  /* no upper bound worth naming */
        snprintf(buf, size, ">= %ld", min);
    else
        snprintf(buf, size, "between %ld and %ld", min, max);
}

/* Integers must be plain decimal: "2.0", "0x10" and quoted "10" are refused. */
static int get_long(struct parser *p, yaml_node_t *n, const char *path,
                    long min, long max, long *out)
{
    char buf[80], range[64];

    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = (const char *)n->data.scalar.value;
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (*s && end != s && !*end && !errno && v >= min && v <= max) {
            *out = v;
            return 0;
        }
    }
    range_text(range, sizeof(range), min, max);
    return fail(p, line_of(n), path, "expected an integer %s, got %s",
                range, describe(n, buf, sizeof(buf)));
}

/* A finite number; when positive, also > 0. */
static int get_number(struct parser *p, yaml_node_t *n, const char *path, int positive,
                      double *out)
{
    char buf[80];

    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = (const char *)n->data.scalar.value;
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (*s && end != s && !*end && !errno && isfinite(v) && (!positive || v > 0)) {
            *out = v;
            return 0;
        }
    }
    return fail(p, line_of(n), path, "expected %s, got %s",
                positive ? "a number > 0" : "a finite number", describe(n, buf, sizeof(buf)));
}

/* YAML's true or false (core schema spellings), unquoted. */
static int get_bool(struct parser *p, yaml_node_t *n, const char *path, int *out)
{
    static const char *const yes[] = { "true", "True", "TRUE", NULL };
    static const char *const no[] = { "false", "False", "FALSE", NULL };
    char buf[80];

    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = (const char *)n->data.scalar.value;

        for (int i = 0; yes[i]; i++) {
            if (!strcmp(s, yes[i])) {
                *out = 1;
                return 0;
            }
            if (!strcmp(s, no[i])) {
                *out = 0;
                return 0;
            }
        }
    }
    return fail(p, line_of(n), path, "expected true or false, got %s",
                describe(n, buf, sizeof(buf)));
}

/* One of names (e.g. a rule); returns its index or -1. */
static int get_choice(struct parser *p, yaml_node_t *n, const char *path,
                      const char *what, const char *const *names)
{
    const char *s = NULL;
    char buf[80], text[48];

    if (get_string(p, n, path, &s))
        return -1;
    for (int i = 0; names[i]; i++)
        if (!strcmp(s, names[i]))
            return i;
    clean_copy(text, sizeof(text), s);
    snprintf(buf, sizeof(buf), "%s '%s'", what, text);
    fail_unknown(p, line_of(n), path, buf, s, names);
    return -1;
}

/* ---------- lists ---------- */

static size_t seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

static yaml_node_t *seq_item(struct parser *p, const yaml_node_t *n, size_t i)
{
    return node(p, n->data.sequence.items.start[i]);
}

typedef int item_fn(struct parser *p, yaml_node_t *n, const char *path, void *ctx);

/* How many values each_item will pass, to size an array before it runs. */
static size_t n_items(const yaml_node_t *n)
{
    return n->type == YAML_SEQUENCE_NODE ? seq_len(n) : 1;
}

/* A scalar or a non-empty list of scalars: fn on each, list items at
 * path[i]. A mapping is refused here as "expected <expected>". */
static int each_item(struct parser *p, yaml_node_t *n, const char *path,
                     const char *expected, item_fn *fn, void *ctx)
{
    if (n->type == YAML_MAPPING_NODE)
        return fail(p, line_of(n), path, "expected %s, got a mapping", expected);
    if (n->type == YAML_SCALAR_NODE)
        return fn(p, n, path, ctx);
    if (!seq_len(n))
        return fail(p, line_of(n), path, "expected at least one value, got an empty list");
    for (size_t i = 0; i < seq_len(n); i++) {
        char *ip = subpath(path, NULL, i);
        int r = fn(p, seq_item(p, n, i), ip, ctx);
        free(ip);
        if (r)
            return -1;
    }
    return 0;
}

struct long_ctx { long min, max; struct long_list *out; };

static int add_long(struct parser *p, yaml_node_t *n, const char *path, void *ctx)
{
    struct long_ctx *c = ctx;

    if (get_long(p, n, path, c->min, c->max, &c->out->v[c->out->n]))
        return -1;
    c->out->n++;
    return 0;
}

/* An integer or a non-empty list of integers, each in [min, max]. */
static int get_long_list(struct parser *p, yaml_node_t *n, const char *path,
                         long min, long max, struct long_list *out)
{
    struct long_ctx c = { min, max, out };

    out->v = xcalloc(n_items(n), sizeof(*out->v));
    return each_item(p, n, path, "an integer or a list of integers", add_long, &c);
}

struct double_ctx { int positive; struct double_list *out; };

static int add_double(struct parser *p, yaml_node_t *n, const char *path, void *ctx)
{
    struct double_ctx *c = ctx;

    if (get_number(p, n, path, c->positive, &c->out->v[c->out->n]))
        return -1;
    c->out->n++;
    return 0;
}

/* A number (> 0 when positive) or a non-empty list of them. */
static int get_double_list(struct parser *p, yaml_node_t *n, const char *path, int positive,
                           struct double_list *out)
{
    struct double_ctx c = { positive, out };

    out->v = xcalloc(n_items(n), sizeof(*out->v));
    return each_item(p, n, path, "a number or a list of numbers", add_double, &c);
}

/*
 * A one-key mapping such as {rule: rvc} or {sqrt: [4, 8]}: returns the index
 * of its key in names (or -1), its value in *value and its path in *vpath.
 */
static int get_form(struct parser *p, yaml_node_t *n, const char *path,
                    const char *const *names, yaml_node_t **value, char **vpath)
{
    yaml_node_pair_t *pair = n->data.mapping.pairs.start;
    yaml_node_t *kn;
    const char *name;
    char list[128];

    join_names(list, sizeof(list), names);
    if (n->data.mapping.pairs.top - pair != 1)
        return fail(p, line_of(n), path, "expected a mapping with one key (%s)", list);
    kn = node(p, pair->key);
    if (get_string(p, kn, path, &name))
        return -1;
    for (int i = 0; names[i]; i++) {
        if (!strcmp(name, names[i])) {
            *value = node(p, pair->value);
            *vpath = subpath(path, name, 0);
            return i;
        }
    }
    *vpath = subpath(path, name, 0);
    fail_unknown(p, line_of(kn), *vpath, "key", name, names);
    free(*vpath);
    *vpath = NULL;
    return -1;
}

static int get_nprobe(struct parser *p, yaml_node_t *n, const char *path, struct nprobe_spec *out)
{
    static const char *const forms[] = { "rule", NULL };
    static const char *const rules[] = { "rvc-2023-04", "all", NULL };
    static const enum nprobe_kind kinds[] = { NPROBE_RULE_RVC_2023, NPROBE_RULE_ALL };
    yaml_node_t *v;
    char *vpath = NULL;
    int r;

    if (n->type != YAML_MAPPING_NODE) {
        out->kind = NPROBE_LIST;
        return get_long_list(p, n, path, 1, LONG_MAX, &out->values);
    }
    if (get_form(p, n, path, forms, &v, &vpath) < 0)
        return -1;
    r = get_choice(p, v, vpath, "rule", rules);
    free(vpath);
    if (r < 0)
        return -1;
    out->kind = kinds[r];
    return 0;
}

/* ---------- key parsers ---------- */

static void *field(void *base, const struct key *k)
{
    return (char *)base + k->off;
}

static int parse_string(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    const char *s = NULL;

    if (get_string(p, n, path, &s))
        return -1;
    if (!*s)
        return fail(p, line_of(n), path, "expected a non-empty string");
    *(char **)field(base, k) = xstrdup(s);
    return 0;
}

/* The name goes into a file name, so keep it to a safe alphabet. */
static int parse_name(struct parser *p, const struct key *k, yaml_node_t *n,
                      void *base, const char *path)
{
    const char *s = NULL;
    char buf[80];

    if (get_string(p, n, path, &s))
        return -1;
    if (!*s || s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")])
        return fail(p, line_of(n), path,
                    "expected letters, digits, '.', '_' or '-' only, got %s",
                    describe(n, buf, sizeof(buf)));
    *(char **)field(base, k) = xstrdup(s);
    return 0;
}

static int parse_format(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    int i = get_choice(p, n, path, "format", dataset_formats);

    if (i < 0)
        return -1;
    *(char **)field(base, k) = xstrdup(dataset_formats[i]);
    return 0;
}

static int parse_rvc_version(struct parser *p, const struct key *k, yaml_node_t *n,
                             void *base, const char *path)
{
    static const char *const versions[] = { "v1", "v2", NULL };
    int i = get_choice(p, n, path, "RVC version", versions);

    if (i < 0)
        return -1;
    *(char **)field(base, k) = xstrdup(versions[i]);
    return 0;
}

/* A number strictly between 0 and 1. */
static int parse_fraction(struct parser *p, const struct key *k, yaml_node_t *n,
                          void *base, const char *path)
{
    char buf[80];

    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = (const char *)n->data.scalar.value;
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (*s && end != s && !*end && !errno && v > 0 && v < 1) {
            *(double *)field(base, k) = v;
            return 0;
        }
    }
    return fail(p, line_of(n), path, "expected a number between 0 and 1 (both excluded), got %s",
                describe(n, buf, sizeof(buf)));
}

/* A number in [0, 1], both included. */
static int get_unit(struct parser *p, yaml_node_t *n, const char *path, double *out)
{
    char buf[80];

    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = (const char *)n->data.scalar.value;
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (*s && end != s && !*end && !errno && v >= 0 && v <= 1) {
            *out = v;
            return 0;
        }
    }
    return fail(p, line_of(n), path, "expected a number from 0 to 1, got %s",
                describe(n, buf, sizeof(buf)));
}

static int add_unit(struct parser *p, yaml_node_t *n, const char *path, void *ctx)
{
    struct double_list *out = ctx;
    double *v = &out->v[out->n];

    if (get_unit(p, n, path, v))
        return -1;
    for (size_t j = 0; j < out->n; j++)
        if (out->v[j] == *v)
            return fail(p, line_of(n), path, "%g is listed twice", *v);
    out->n++;
    return 0;
}

/* A number in [0, 1] or a non-empty list of them, duplicates refused. A
 * mapping gets get_unit's own words, "expected a number from 0 to 1". */
static int parse_unit_list(struct parser *p, const struct key *k, yaml_node_t *n,
                           void *base, const char *path)
{
    struct double_list *out = field(base, k);

    free(out->v);
    out->v = xcalloc(n_items(n), sizeof(*out->v));
    out->n = 0;
    return each_item(p, n, path, "a number from 0 to 1", add_unit, out);
}

/* Dataset paths are relative to the config file, so a config can travel
 * with its data. */
static int get_path(struct parser *p, yaml_node_t *n, const char *path, char **dst)
{
    const char *s = NULL, *dir = p->basedir;
    size_t len = strlen(dir);

    if (get_string(p, n, path, &s))
        return -1;
    if (!*s)
        return fail(p, line_of(n), path, "expected a non-empty path");
    if (s[0] == '/' || !strcmp(dir, ".") || !len)
        *dst = xstrdup(s);
    else
        *dst = xasprintf("%s%s%s", dir, dir[len - 1] == '/' ? "" : "/", s);
    return 0;
}

static int parse_path(struct parser *p, const struct key *k, yaml_node_t *n,
                      void *base, const char *path)
{
    return get_path(p, n, path, field(base, k));
}

/* dataset.base: a path, or a list of them read one after the other. */
static int parse_base(struct parser *p, const struct key *k, yaml_node_t *n,
                      void *base, const char *path)
{
    struct dataset_spec *ds = base;
    size_t len;

    (void)k;
    if (n->type != YAML_SEQUENCE_NODE)
        return get_path(p, n, path, &ds->base);
    len = seq_len(n);
    if (!len)
        return fail(p, line_of(n), path, "expected a path or a non-empty list of paths");
    ds->base_more = xcalloc(len, sizeof(*ds->base_more));
    for (size_t i = 0; i < len; i++) {
        char *ip = subpath(path, NULL, i);
        int r = get_path(p, seq_item(p, n, i), ip, i ? &ds->base_more[i - 1] : &ds->base);
        free(ip);
        if (r)
            return -1;
        ds->n_base_more = i;
    }
    return 0;
}

static int parse_long(struct parser *p, const struct key *k, yaml_node_t *n,
                      void *base, const char *path)
{
    return get_long(p, n, path, k->min, k->max, field(base, k));
}

static int parse_int(struct parser *p, const struct key *k, yaml_node_t *n,
                     void *base, const char *path)
{
    long v = 0;

    if (get_long(p, n, path, k->min, k->max < INT_MAX ? k->max : INT_MAX, &v))
        return -1;
    *(int *)field(base, k) = (int)v;
    return 0;
}

static int parse_ulong(struct parser *p, const struct key *k, yaml_node_t *n,
                       void *base, const char *path)
{
    long v = 0;

    if (get_long(p, n, path, 0, LONG_MAX, &v))
        return -1;
    *(unsigned long *)field(base, k) = (unsigned long)v;
    return 0;
}

static int parse_long_list(struct parser *p, const struct key *k, yaml_node_t *n,
                           void *base, const char *path)
{
    return get_long_list(p, n, path, k->min, k->max, field(base, k));
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Sorted, duplicates dropped. */
static void sort_unique(struct long_list *l)
{
    size_t out = 0;

    qsort(l->v, l->n, sizeof(*l->v), cmp_long);
    for (size_t i = 0; i < l->n; i++)
        if (!out || l->v[i] != l->v[out - 1])
            l->v[out++] = l->v[i];
    l->n = out;
}

/* The scale ladder: base sizes, ascending; the line is kept for the check
 * against N, which only dataset_load can make. */
static int parse_sizes(struct parser *p, const struct key *k, yaml_node_t *n,
                       void *base, const char *path)
{
    struct dataset_spec *ds = base;

    if (get_long_list(p, n, path, k->min, k->max, &ds->sizes))
        return -1;
    sort_unique(&ds->sizes);
    ds->sizes_line = p->key_line;
    return 0;
}

/* Stored sorted and unique: one results column per k. */
static int parse_k(struct parser *p, const struct key *k, yaml_node_t *n,
                   void *base, const char *path)
{
    struct long_list *l = field(base, k);

    if (get_long_list(p, n, path, k->min, k->max, l))
        return -1;
    sort_unique(l);
    if (l->n > RESULTS_MAX_KS)
        return fail(p, line_of(n), path, "at most %d different values, got %zu",
                    RESULTS_MAX_KS, l->n);
    return 0;
}

static int add_metric(struct parser *p, yaml_node_t *n, const char *path, void *ctx)
{
    struct config *cfg = ctx;
    int m = get_choice(p, n, path, "metric", metric_names);

    if (m < 0)
        return -1;
    for (size_t i = 0; i < cfg->n_metrics; i++)
        if ((int)cfg->metrics[i] == m)
            return fail(p, line_of(n), path, "metric '%s' given twice", metric_names[m]);
    cfg->metrics[cfg->n_metrics++] = (enum metric)m;
    return 0;
}

static int parse_metrics(struct parser *p, const struct key *k, yaml_node_t *n,
                         void *base, const char *path)
{
    struct config *cfg = base;
    (void)k;

    cfg->metrics = xcalloc(n_items(n), sizeof(*cfg->metrics));
    return each_item(p, n, path, "a metric or a list of metrics", add_metric, cfg);
}

static int parse_nprobe(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    return get_nprobe(p, n, path, field(base, k));
}

static int parse_nlist(struct parser *p, const struct key *k, yaml_node_t *n,
                       void *base, const char *path)
{
    static const char *const forms[] = { "sqrt", "rule", NULL };
    static const char *const rules[] = { "rvc-2023-04", "rvc", NULL };
    static const enum nlist_kind kinds[] = { NLIST_RULE_RVC_2023, NLIST_RULE_RVC };
    struct index_spec *ix = base;
    struct long_list l = { NULL, 0 };
    yaml_node_t *v;
    char *vpath = NULL;
    int r;
    (void)k;

    if (n->type != YAML_MAPPING_NODE) {
        r = get_long_list(p, n, path, 1, LONG_MAX, &l);
        if (!r) {
            ix->nlist_kind = NLIST_LIST;
            ix->nlist.v = xcalloc(l.n, sizeof(double));
            for (ix->nlist.n = 0; ix->nlist.n < l.n; ix->nlist.n++)
                ix->nlist.v[ix->nlist.n] = (double)l.v[ix->nlist.n];
        }
        free(l.v);
        return r;
    }
    r = get_form(p, n, path, forms, &v, &vpath);
    if (r == 0) {
        ix->nlist_kind = NLIST_SQRT;
        r = get_double_list(p, v, vpath, 1, &ix->nlist);
    } else if (r == 1) {
        r = get_choice(p, v, vpath, "rule", rules);
        if (r >= 0) {
            ix->nlist_kind = kinds[r];
            r = 0;
        }
    }
    free(vpath);
    return r < 0 ? -1 : 0;
}

static int parse_bool(struct parser *p, const struct key *k, yaml_node_t *n,
                      void *base, const char *path)
{
    return get_bool(p, n, path, field(base, k));
}

/* k-means compression of the base: n_clusters values (0 = none), sorted and
 * unique, or {rule: rvc}. */
static int parse_kmeans(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    static const char *const forms[] = { "rule", NULL };
    static const char *const rules[] = { "rvc", NULL };
    struct prep_spec *pr = field(base, k);
    yaml_node_t *v;
    char *vpath = NULL;
    int r;

    if (n->type != YAML_MAPPING_NODE) {
        if (get_long_list(p, n, path, 0, LONG_MAX, &pr->kmeans))
            return -1;
        sort_unique(&pr->kmeans);
        return 0;
    }
    if (get_form(p, n, path, forms, &v, &vpath) < 0)
        return -1;
    r = get_choice(p, v, vpath, "rule", rules);
    free(vpath);
    if (r < 0)
        return -1;
    pr->kmeans_rule_rvc = 1;
    return 0;
}

/* Alpha of query expansion: any finite real. */
static int parse_alpha(struct parser *p, const struct key *k, yaml_node_t *n,
                       void *base, const char *path)
{
    return get_double_list(p, n, path, 0, field(base, k));
}

static const char *const expand_on_names[] = { "base", "queries", "both", NULL };
static const enum expand_on expand_on_values[] = { EXPAND_BASE, EXPAND_QUERIES, EXPAND_BOTH };

static int add_expand_on(struct parser *p, yaml_node_t *n, const char *path, void *ctx)
{
    struct prep_spec *pr = ctx;
    int i = get_choice(p, n, path, "value", expand_on_names);

    if (i < 0)
        return -1;
    for (size_t j = 0; j < pr->n_expand_on; j++)
        if (pr->expand_on[j] == expand_on_values[i])
            return fail(p, line_of(n), path, "'%s' given twice", expand_on_names[i]);
    pr->expand_on[pr->n_expand_on++] = expand_on_values[i];
    return 0;
}

/* base | queries | both, or a list of them (kept in the order given). */
static int parse_expand_on(struct parser *p, const struct key *k, yaml_node_t *n,
                           void *base, const char *path)
{
    struct prep_spec *pr = base;
    (void)k;

    pr->expand_on = xcalloc(n_items(n), sizeof(*pr->expand_on));
    return each_item(p, n, path, "base, queries or both, or a list of them",
                     add_expand_on, pr);
}

/* Named presets: the index entry as YAML text, parsed with the entry's own
 * keys. Every key a preset sets may not be given beside it. */
#define RVC_DEFAULT_YAML \
    "{factory: 'IVF{nlist},Flat', nlist: {rule: rvc}, nprobe: 1, shuffle: true, " \
    "kmeans: {rule: rvc}, add_batch: 8192}"

static const char *const preset_names[] = { "rvc-default", NULL };
static const char *const preset_yaml[] = { RVC_DEFAULT_YAML };

static int parse_preset(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    const char *s = NULL, *guess;
    char text[48], list[128];

    if (get_string(p, n, path, &s))
        return -1;
    for (int i = 0; preset_names[i]; i++) {
        if (!strcmp(s, preset_names[i])) {
            *(char **)field(base, k) = xstrdup(preset_names[i]);
            return 0;
        }
    }
    clean_copy(text, sizeof(text), s);
    join_names(list, sizeof(list), preset_names);
    guess = suggest(s, preset_names);
    if (guess)
        return fail(p, line_of(n), path, "unknown preset '%s' (did you mean '%s'? known presets: %s)",
                    text, guess, list);
    return fail(p, line_of(n), path, "unknown preset '%s' (known presets: %s)", text, list);
}

/* Placeholders filled per run: {nlist}, {d} and {d/N}; nothing else. */
static int check_factory(struct parser *p, int line, const char *path, const char *f)
{
    for (const char *q = f; *q; q++) {
        const char *name = q + 1, *end;
        size_t len;

        if (*q == '}')
            return fail(p, line, path, "'}' without '{' in '%s'", f);
        if (*q != '{')
            continue;
        end = strchr(name, '}');
        if (!end)
            return fail(p, line, path, "'{' without '}' in '%s'", f);
        len = (size_t)(end - name);
        if (!(len == 5 && !strncmp(name, "nlist", 5)) && !(len == 1 && *name == 'd') &&
            !(len > 2 && !strncmp(name, "d/", 2) && strspn(name + 2, "0123456789") == len - 2 &&
              strspn(name + 2, "0") < len - 2))
            return fail(p, line, path,
                        "unknown placeholder '{%.*s}' (expected {nlist}, {d} or {d/N})",
                        (int)(len < 40 ? len : 40), name);
        q = end;
    }
    return 0;
}

static int parse_factory(struct parser *p, const struct key *k, yaml_node_t *n,
                         void *base, const char *path)
{
    if (parse_string(p, k, n, base, path))
        return -1;
    return check_factory(p, line_of(n), path, *(char **)field(base, k));
}

static int parse_mapping(struct parser *p, yaml_node_t *map, const struct section *sec,
                         void *base, const char *prefix, int line);

static int parse_section(struct parser *p, const struct key *k, yaml_node_t *n,
                         void *base, const char *path)
{
    return parse_mapping(p, n, k->sub, field(base, k), path, p->key_line);
}

/* Like a section, but absent means "off": no defaults are filled in then. */
static int parse_expand(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    return parse_mapping(p, n, k->sub, field(base, k), path, p->key_line);
}

static int parse_indexes(struct parser *p, const struct key *k, yaml_node_t *n,
                         void *base, const char *path)
{
    struct config *cfg = base;
    char buf[80];

    if (n->type != YAML_SEQUENCE_NODE)
        return fail(p, line_of(n), path, "expected a list of mappings, got %s",
                    describe(n, buf, sizeof(buf)));
    if (!seq_len(n))
        return fail(p, line_of(n), path, "expected at least one index, got an empty list");
    cfg->indexes = xcalloc(seq_len(n), sizeof(*cfg->indexes));
    for (size_t i = 0; i < seq_len(n); i++) {
        yaml_node_t *item = seq_item(p, n, i);
        struct index_spec *ix = &cfg->indexes[cfg->n_indexes++];
        char *ip = subpath(path, NULL, i);
        int r;

        ix->line = line_of(item);
        r = parse_mapping(p, item, k->sub, ix, ip, line_of(item));
        free(ip);
        if (r)
            return -1;
    }
    return 0;
}

/* ---------- cross-key checks ---------- */

static yaml_node_t *find_value(struct parser *p, yaml_node_t *map, const char *name)
{
    if (!map)
        return NULL;
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *kn = node(p, pair->key);
        if (kn->type == YAML_SCALAR_NODE && !strcmp((char *)kn->data.scalar.value, name))
            return node(p, pair->value);
    }
    return NULL;
}

/* "<path>.<name>: <msg>" at the line of that key's value (or `line`). */
__attribute__((format(printf, 6, 7)))
static int fail_key(struct parser *p, yaml_node_t *map, int line, const char *path,
                    const char *name, const char *fmt, ...)
{
    yaml_node_t *v = find_value(p, map, name);
    char *kp = subpath(path, name, 0), msg[400];
    va_list ap;
    int r;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r = fail(p, v ? line_of(v) : line, kp, "%s", msg);
    free(kp);
    return r;
}

static int is_rvc(const char *format)
{
    return format && !strcmp(format, "rvc");
}

/* Which keys make sense together: where the queries come from decides. */
static int check_queries_source(struct parser *p, yaml_node_t *map, struct dataset_spec *ds,
                                const char *path, int line)
{
    int clips = ds->holdout_clips > 0 || ds->holdout_fraction > 0;
    const char *clip_key = ds->holdout_clips > 0 ? "holdout_clips" : "holdout_fraction";

    if (!strcmp(ds->format, "ann-hdf5") && ds->queries)
        return fail_key(p, map, line, path, "queries",
                        "not used with format ann-hdf5: the file's test set is the queries");
    if (ds->queries_format && !ds->queries)
        return fail_key(p, map, line, path, "queries_format", "given, but %s.queries is not", path);
    if (ds->holdout_clips > 0 && ds->holdout_fraction > 0)
        return fail_key(p, map, line, path, "holdout_fraction",
                        "give holdout_clips or holdout_fraction, not both");
    if (clips && ds->queries)
        return fail_key(p, map, line, path, clip_key, "not used when %s.queries is given", path);
    if (clips && !is_rvc(ds->format))
        return fail_key(p, map, line, path, clip_key,
                        "whole clips exist only with format rvc, not '%s'", ds->format);
    if (ds->rvc_version && !is_rvc(ds->format) && !is_rvc(ds->queries_format))
        return fail_key(p, map, line, path, "rvc_version", "only used with format rvc, not '%s'",
                        ds->format);
    return 0;
}

static int check_dataset(struct parser *p, yaml_node_t *map, void *base,
                         const char *path, int line)
{
    struct dataset_spec *ds = base;
    yaml_node_t *holdout = find_value(p, map, "holdout");
    const char *instead = ds->queries ? "queries" : !strcmp(ds->format, "ann-hdf5") ? "format"
                          : ds->holdout_clips > 0 ? "holdout_clips"
                          : ds->holdout_fraction > 0 ? "holdout_fraction" : NULL;

    ds->line = line;
    ds->file = xstrdup(p->file);
    if (check_queries_source(p, map, ds, path, line))
        return -1;
    if (holdout && instead)
        warning("%s:%d: %s.holdout: ignored since %s.%s is given%s",
                p->file, line_of(holdout), path, path, instead,
                !strcmp(instead, "format") ? " as ann-hdf5 (its test set is the queries)" : "");
    for (size_t i = 0; ds->base_limit > 0 && i < ds->sizes.n; i++)
        if (ds->sizes.v[i] > ds->base_limit)
            return fail_key(p, map, line, path, "sizes", "%ld exceeds base_limit %ld",
                            ds->sizes.v[i], ds->base_limit);
    return 0;
}

static int apply_preset(struct parser *p, yaml_node_t *map, struct index_spec *ix,
                        const char *path, int line);

static int check_index(struct parser *p, yaml_node_t *map, void *base,
                       const char *path, int line)
{
    struct index_spec *ix = base;
    char *np;
    int wants, r = 0;

    if (ix->preset && apply_preset(p, map, ix, path, line))
        return -1;
    if (!ix->factory) {
        np = subpath(path, "factory", 0);
        r = fail(p, line, np, "missing required key");
        free(np);
        return r;
    }
    wants = strstr(ix->factory, "{nlist}") != NULL;
    np = subpath(path, "nlist", 0);
    if (ix->nlist_kind != NLIST_NONE && !wants)
        r = fail(p, line_of(find_value(p, map, "nlist")), np,
                 "given, but factory '%s' has no {nlist}", ix->factory);
    else if (ix->nlist_kind == NLIST_NONE && wants)
        r = fail(p, line, np, "missing; factory '%s' uses {nlist}", ix->factory);
    free(np);
    return r;
}

/* ---------- tables ---------- */

#define DS(f) offsetof(struct dataset_spec, f)
static const struct key dataset_keys[] = {
    { .name = "format", .parse = parse_format, .off = DS(format), .flags = KEY_REQUIRED,
      .type = "idx | tsv | tsv-id | glove-json | glove-txt | fvecs | ivecs | bvecs | npy | "
              "rvc | rvc-index | ann-hdf5",
      .help = "file format of base and queries (tsv-id: tsv whose last column is an id; "
              "npy: float16/32/64 .npy; rvc: an RVC training folder logs/<exp>/, its "
              "3_feature256/ or 3_feature768/, or total_fea.npy; rvc-index: the vectors of an RVC "
              "added_IVF*_Flat_*.index; ann-hdf5: ann-benchmarks file, train = base, test = "
              "queries, with its ground truth)" },
    { .name = "base", .parse = parse_base, .off = DS(base), .flags = KEY_REQUIRED,
      .type = "path or list of paths",
      .help = "base vectors; relative paths are relative to the config file; a list is read "
              "in its order and concatenated (e.g. several RVC speaker folders: ladder steps "
              "take whole clips from the front)" },
    { .name = "queries", .parse = parse_path, .off = DS(queries), .flags = KEY_NULLABLE | KEY_DEF_DOC,
      .type = "path", .def = "none",
      .help = "query vectors; without them `holdout` base rows are held out as queries" },
    { .name = "base_limit", .parse = parse_long, .off = DS(base_limit), .min = 0, .max = LONG_MAX,
      .type = "int >= 0", .def = "0", .help = "use only the first n base rows; 0 = all" },
    { .name = "query_limit", .parse = parse_long, .off = DS(query_limit), .min = 0, .max = LONG_MAX,
      .type = "int >= 0", .def = "0", .help = "use only the first n queries; 0 = all" },
    { .name = "holdout", .parse = parse_long, .off = DS(holdout), .min = 1, .max = LONG_MAX,
      .type = "int >= 1", .def = "1000",
      .help = "base rows held out as queries when `queries` is not given" },
    { .name = "seed", .parse = parse_ulong, .off = DS(seed),
      .type = "int >= 0", .def = "1", .help = "seed of the holdout sample (rows or clips)" },
    { .name = "queries_format", .parse = parse_format, .off = DS(queries_format),
      .flags = KEY_NULLABLE | KEY_DEF_DOC, .type = "as `format`", .def = "`format`",
      .help = "format of the `queries` file when it differs from the base's "
              "(e.g. base tsv-id, queries tsv)" },
    { .name = "rvc_version", .parse = parse_rvc_version, .off = DS(rvc_version),
      .flags = KEY_NULLABLE | KEY_DEF_DOC, .type = "v1 | v2", .def = "auto",
      .help = "rvc folders: v1 reads 3_feature256/, v2 3_feature768/; "
              "auto takes 3_feature768/ if present" },
    { .name = "holdout_clips", .parse = parse_long, .off = DS(holdout_clips),
      .flags = KEY_DEF_DOC, .min = 1, .max = LONG_MAX, .type = "int >= 1", .def = "none",
      .help = "rvc without `queries`: hold out this many whole clips (files), drawn with "
              "`seed`, as queries from unseen audio (`query_limit` then cuts them)" },
    { .name = "holdout_fraction", .parse = parse_fraction, .off = DS(holdout_fraction),
      .flags = KEY_DEF_DOC, .type = "number in (0, 1)", .def = "none",
      .help = "rvc without `queries`: hold out this fraction of the clips (rounded, at least one)" },
    { .name = "sizes", .parse = parse_sizes, .flags = KEY_DEF_DOC, .min = 1, .max = LONG_MAX,
      .type = "int or list of int >= 1", .def = "none",
      .help = "scale ladder: also run on the first n base rows for each n (clip data: the "
              "whole clips within n); each at most N; stored ascending, duplicates dropped" },
    { .name = NULL }
};
#undef DS

static const struct section dataset_section = {
    .title = "dataset", .help = "The vectors to index and to query.",
    .keys = dataset_keys, .check = check_dataset,
};

#define PP(f) offsetof(struct prep_spec, f)
static const struct key expand_keys[] = {
    { .name = "alpha", .parse = parse_alpha, .off = PP(alpha), .flags = KEY_REQUIRED,
      .type = "number or list of numbers",
      .help = "weight exponent: each vector becomes the sum of its neighbours weighted by "
              "(cosine similarity)^alpha, re-normalised; one run per value" },
    { .name = "num_expand", .parse = parse_long_list, .off = PP(num_expand), .flags = KEY_REQUIRED,
      .min = 1, .max = LONG_MAX, .type = "int or list of int >= 1",
      .help = "nearest neighbours summed (the vector itself included if in the base); one run per value" },
    { .name = "on", .parse = parse_expand_on, .type = "base | queries | both, or a list of them",
      .def = "[queries]",
      .help = "which vectors are rewritten; one run per value. Ground truth stays that of the "
              "original base and queries" },
    { .name = NULL }
};
#undef PP

static const struct section expand_section = {
    .title = "indexes[].expand",
    .help = "Alpha query expansion (the faiss tips' C7), swept as alpha x num_expand x on.",
    .keys = expand_keys,
};

#define IX(f) offsetof(struct index_spec, f)
static const struct key index_keys[] = {
    { .name = "label", .parse = parse_string, .off = IX(label), .flags = KEY_DEF_DOC,
      .type = "string", .def = "the factory template",
      .help = "family name of this entry's points in results, summary and plots (a report finds claims by it, e.g. `C3 PQ4fs+RFlat`)" },
    { .name = "factory", .parse = parse_factory, .off = IX(factory), .flags = KEY_DEF_DOC,
      .type = "string", .def = "required unless `preset`",
      .help = "faiss index_factory string; may hold {nlist}, {d} and {d/N} (dimension divided by N)" },
    { .name = "nlist", .parse = parse_nlist, .flags = KEY_DEF_DOC,
      .type = "int, list of int, {sqrt: m or [m, ...]}, {rule: rvc-2023-04 | rvc}",
      .def = "required with {nlist}",
      .help = "values for {nlist}: explicit, `round(m*sqrt(N))`, `N//39` (rvc-2023-04) "
              "or `min(int(16*sqrt(N)), N//39)` (rvc); N = number of base rows" },
    { .name = "nprobe", .parse = parse_nprobe, .off = IX(nprobe), .flags = KEY_DEF_DOC,
      .type = "int, list of int, {rule: rvc-2023-04 | all}", .def = "`search.nprobe`",
      .help = "overrides search.nprobe for this index" },
    { .name = "k_factor", .parse = parse_long_list, .off = IX(k_factor), .flags = KEY_DEF_DOC,
      .min = 1, .max = LONG_MAX, .type = "int or list of int >= 1", .def = "`search.k_factor`",
      .help = "overrides search.k_factor for this index" },
    { .name = "shuffle", .parse = parse_bool, .off = IX(prep.shuffle),
      .type = "true | false", .def = "false",
      .help = "shuffle the base rows (seeded) before training, as RVC does" },
    { .name = "add_batch", .parse = parse_long, .off = IX(prep.add_batch),
      .min = 0, .max = LONG_MAX, .type = "int >= 0", .def = "0",
      .help = "add the base in batches of this many rows (RVC: 8192); 0 = one call" },
    { .name = "kmeans", .parse = parse_kmeans, .off = IX(prep), .flags = KEY_DEF_DOC,
      .type = "int, list of int >= 0, {rule: rvc}", .def = "none",
      .help = "replace the base by this many k-means centroids (seeded) before building, per "
              "value; 0 = no compression, so `[0, 10000]` sweeps without and with; rvc: "
              "10000 centroids when N > 200000, else none. Ground truth stays the original base's" },
    { .name = "expand", .parse = parse_expand, .off = IX(prep), .flags = KEY_DEF_DOC,
      .sub = &expand_section, .type = "mapping", .def = "none",
      .help = "alpha query expansion; see `indexes[].expand` below" },
    { .name = "preset", .parse = parse_preset, .off = IX(preset), .flags = KEY_DEF_DOC,
      .type = "rvc-default", .def = "none",
      .help = "fill the entry as RVC builds its index today: rvc-default = `" RVC_DEFAULT_YAML
              "`. The keys it sets may not be given beside it (`k_factor` and `expand` may); "
              "RVC searches with metric l2, so sweep `metrics: l2` to reproduce it" },
    { .name = NULL }
};
#undef IX

static const struct section index_section = {
    .title = "indexes[]", .help = "Each entry of `indexes`: one index family to sweep.",
    .keys = index_keys, .check = check_index,
};

/* The preset's YAML, parsed with the entry's keys after the entry itself;
 * a key it sets that the entry also gives is an error. */
static int apply_preset(struct parser *p, yaml_node_t *map, struct index_spec *ix,
                        const char *path, int line)
{
    yaml_parser_t yp;
    yaml_document_t doc, *saved = p->doc;
    yaml_node_t *root;
    const char *text = NULL;
    int r = 0;

    for (int i = 0; preset_names[i]; i++)
        if (!strcmp(ix->preset, preset_names[i]))
            text = preset_yaml[i];
    if (!text)
        return error("BUG: no text for preset '%s'", ix->preset);
    if (!yaml_parser_initialize(&yp))
        return error("out of memory initializing libyaml");
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, strlen(text));
    if (!yaml_parser_load(&yp, &doc)) {
        yaml_parser_delete(&yp);
        return error("BUG: bad YAML for preset '%s'", ix->preset);
    }
    root = yaml_document_get_root_node(&doc);
    /* first the conflicts, against the user's document */
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         !r && pair < root->data.mapping.pairs.top; pair++) {
        const char *name = (const char *)yaml_document_get_node(&doc, pair->key)->data.scalar.value;
        if (find_value(p, map, name))
            r = fail_key(p, map, line, path, name, "set by preset %s", ix->preset);
    }
    /* then the values, from the preset's document */
    p->doc = &doc;
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         !r && pair < root->data.mapping.pairs.top; pair++) {
        const char *name = (const char *)node(p, pair->key)->data.scalar.value;
        const struct key *k = NULL;
        char *kp;

        for (const struct key *c = index_keys; c->name; c++)
            if (!strcmp(c->name, name))
                k = c;
        if (!k) {
            r = error("BUG: preset '%s' sets unknown key '%s'", ix->preset, name);
            break;
        }
        kp = subpath(path, name, 0);
        r = k->parse(p, k, node(p, pair->value), ix, kp);
        free(kp);
    }
    p->doc = saved;
    yaml_document_delete(&doc);
    yaml_parser_delete(&yp);
    return r;
}

#define CF(f) offsetof(struct config, f)
static const struct key search_keys[] = {
    { .name = "nprobe", .parse = parse_nprobe, .off = CF(nprobe),
      .type = "int, list of int, {rule: rvc-2023-04 | all}", .def = "[1]",
      .help = "IVF cells probed: explicit, `int(nlist**0.3)` (rvc-2023-04) or nlist (all: exact scan)" },
    { .name = "k_factor", .parse = parse_long_list, .off = CF(k_factor), .min = 1, .max = LONG_MAX,
      .type = "int or list of int >= 1", .def = "[1]",
      .help = "search `k*k_factor` candidates and re-rank (for refined indexes)" },
    { .name = NULL }
};

static const struct section search_section = {
    .title = "search", .help = "Search parameters swept for every index (unless overridden).",
    .keys = search_keys,
};

#define MS(f) offsetof(struct measure_spec, f)
static const struct key measure_keys[] = {
    { .name = "repeats", .parse = parse_int, .off = MS(repeats), .min = 1, .max = INT_MAX,
      .type = "int >= 1", .def = "3", .help = "timed batch searches; the best is kept" },
    { .name = "warmup", .parse = parse_int, .off = MS(warmup), .min = 0, .max = INT_MAX,
      .type = "int >= 0", .def = "1", .help = "untimed batch searches before timing" },
    { .name = "latency_queries", .parse = parse_long, .off = MS(latency_queries),
      .min = -1, .max = LONG_MAX, .type = "int >= -1", .def = "1000",
      .help = "queries timed one by one on one thread; -1 = all, 0 = none" },
    { .name = "threads", .parse = parse_int, .off = MS(threads), .min = 0, .max = INT_MAX,
      .type = "int >= 0", .def = "0", .help = "OpenMP threads for batch search; 0 = all cores" },
    { .name = NULL }
};
#undef MS

static const struct section measure_section = {
    .title = "measure", .help = "How timings are taken.", .keys = measure_keys,
};

#define RV(f) offsetof(struct rvc_spec, f)
static const struct key rvc_keys[] = {
    { .name = "blend_k", .parse = parse_long, .off = RV(blend_k), .min = 0, .max = 4096,
      .type = "int >= 0", .def = "0",
      .help = "neighbours blended as RVC does (RVC: 8); 0 = no blend-fidelity columns" },
    { .name = "index_rate", .parse = parse_unit_list, .off = RV(index_rate),
      .type = "number 0..1 or list", .def = "0.75",
      .help = "RVC's index_rate: f = index_rate * r + (1 - index_rate) * q; a list is an "
              "axis of the blend alone (one search): each value gets rows in /blend, the "
              "first also fills the blend columns of /runs" },
    { .name = NULL }
};
#undef RV

static const struct section rvc_section = {
    .title = "rvc", .help = "RVC's retrieval, measured per point: the blend fidelity columns.",
    .keys = rvc_keys,
};

static const struct key top_keys[] = {
    { .name = "name", .parse = parse_name, .off = CF(name), .flags = KEY_REQUIRED,
      .type = "string of A-Za-z0-9._-", .help = "run name, used in the results file name" },
    { .name = "dataset", .parse = parse_section, .off = CF(dataset), .flags = KEY_REQUIRED,
      .sub = &dataset_section, .type = "mapping", .help = "see `dataset` below" },
    { .name = "k", .parse = parse_k, .off = CF(k), .min = 1, .max = 4096,
      .type = "int or list of int, 1..4096, at most 8", .def = "[10]",
      .help = "recall@k is measured for each k (stored sorted, duplicates dropped)" },
    { .name = "metrics", .parse = parse_metrics,
      .type = "l2 | ip | cosine, or a list of them", .def = "[l2]",
      .help = "distances to sweep; cosine = ip on normalized vectors" },
    { .name = "indexes", .parse = parse_indexes, .flags = KEY_REQUIRED,
      .sub = &index_section, .type = "list of mappings", .help = "see `indexes[]` below" },
    { .name = "search", .parse = parse_section, .off = 0, .sub = &search_section,
      .type = "mapping", .help = "see `search` below" },
    { .name = "measure", .parse = parse_section, .off = CF(measure), .sub = &measure_section,
      .type = "mapping", .help = "see `measure` below" },
    { .name = "rvc", .parse = parse_section, .off = CF(rvc), .sub = &rvc_section,
      .type = "mapping", .help = "see `rvc` below" },
    { .name = "output_dir", .parse = parse_string, .off = CF(output_dir),
      .type = "path", .def = "results",
      .help = "where results files go; relative to the current directory" },
    { .name = "checkpoint_s", .parse = parse_long, .off = CF(checkpoint_s), .min = -1,
      .max = LONG_MAX, .type = "int >= -1", .def = "60",
      .help = "write the points measured so far to `<results>.checkpoint` when this many "
              "seconds have passed since the last write, after a build; the file goes when the "
              "run ends, so one left behind means the run died. 0 = after every build, -1 = never" },
    { .name = "cache_dir", .parse = parse_string, .off = CF(cache_dir), .flags = KEY_DEF_DOC,
      .type = "path", .def = "`<output_dir>/cache`",
      .help = "ground-truth cache; relative to the current directory" },
    { .name = NULL }
};
#undef CF

static const struct section top_section = {
    .title = "top level", .help = "Keys of the config file.", .keys = top_keys,
};

/* ---------- mappings ---------- */

static size_t count_keys(const struct section *sec)
{
    size_t n = 0;
    while (sec->keys[n].name)
        n++;
    return n;
}

/* Defaults are YAML text in the table, parsed like input, so a default can
 * never disagree with what the parser accepts. */
static int apply_default(struct parser *p, const struct key *k, void *base, const char *path)
{
    yaml_parser_t yp;
    yaml_document_t doc, *saved = p->doc;
    int r = -1;

    if (!yaml_parser_initialize(&yp))
        return error("out of memory initializing libyaml");
    yaml_parser_set_input_string(&yp, (const unsigned char *)k->def, strlen(k->def));
    if (!yaml_parser_load(&yp, &doc)) {
        yaml_parser_delete(&yp);
        return error("BUG: bad default '%s' for %s", k->def, path);
    }
    p->doc = &doc;
    r = k->parse(p, k, yaml_document_get_root_node(&doc), base, path);
    p->doc = saved;
    yaml_document_delete(&doc);
    yaml_parser_delete(&yp);
    return r;
}

/* Keys not given: required ones are errors at `line`, the others get their
 * default; an absent sub-section gets the defaults of its keys. */
static int fill_missing(struct parser *p, const struct section *sec, void *base,
                        const char *prefix, int line, yaml_node_t **seen)
{
    for (const struct key *k = sec->keys; k->name; k++) {
        char *path;
        int r = 0;

        if (seen && seen[k - sec->keys])
            continue;
        path = subpath(prefix, k->name, 0);
        if (k->flags & KEY_REQUIRED)
            r = fail(p, line, path, "missing required key");
        else if (k->sub && k->parse == parse_section)
            r = parse_mapping(p, NULL, k->sub, field(base, k), path, line);
        else if (k->def && !(k->flags & KEY_DEF_DOC))
            r = apply_default(p, k, base, path);
        free(path);
        if (r)
            return -1;
    }
    return 0;
}

/* Parse map (NULL: absent) with the keys of sec into base. `line` is where
 * the mapping is named, for "missing required key". */
static int parse_mapping(struct parser *p, yaml_node_t *map, const struct section *sec,
                         void *base, const char *prefix, int line)
{
    const char *names[32];
    yaml_node_t **seen;
    size_t nkeys = count_keys(sec);
    char buf[80];
    int ret = -1;

    if (map && map->type != YAML_MAPPING_NODE)
        return fail(p, line_of(map), prefix, "expected a mapping, got %s",
                    describe(map, buf, sizeof(buf)));
    for (size_t i = 0; i < nkeys && i < 31; i++)
        names[i] = sec->keys[i].name;
    names[nkeys < 31 ? nkeys : 31] = NULL;
    seen = xcalloc(nkeys, sizeof(*seen));

    for (yaml_node_pair_t *pair = map ? map->data.mapping.pairs.start : NULL;
         map && pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *kn = node(p, pair->key), *vn = node(p, pair->value);
        const struct key *k = NULL;
        const char *name;
        char *path;
        int r = 0;

        if (kn->type != YAML_SCALAR_NODE) {
            fail(p, line_of(kn), prefix, "expected a key, got %s",
                 describe(kn, buf, sizeof(buf)));
            goto out;
        }
        if (get_string(p, kn, prefix, &name))
            goto out;
        for (size_t i = 0; i < nkeys; i++)
            if (!strcmp(name, sec->keys[i].name))
                k = &sec->keys[i];
        path = subpath(prefix, name, 0);
        if (!k)
            r = fail_unknown(p, line_of(kn), path, "key", name, names);
        else if (seen[k - sec->keys])
            r = fail(p, line_of(kn), path, "duplicate key (first given at line %d)",
                     line_of(seen[k - sec->keys]));
        if (!r && k) {
            seen[k - sec->keys] = kn;
            p->key_line = line_of(kn);
            if (!((k->flags & KEY_NULLABLE) && is_null(vn)))
                r = k->parse(p, k, vn, base, path);
        }
        free(path);
        if (r)
            goto out;
    }
    if (fill_missing(p, sec, base, prefix, line, seen))
        goto out;
    if (sec->check && sec->check(p, map, base, prefix, line))
        goto out;
    ret = 0;
out:
    free(seen);
    return ret;
}

/* ---------- entry points ---------- */

static int yaml_fail(struct parser *p, const yaml_parser_t *yp, const char *text)
{
    size_t line = yp->problem_mark.line + 1;
    const char *problem = yp->problem ? yp->problem : "cannot parse";

    /* reader errors (bad UTF-8) only say the byte offset */
    if (yp->error == YAML_READER_ERROR) {
        size_t len = strlen(text), end = yp->problem_offset < len ? yp->problem_offset : len;
        line = 1;
        for (size_t i = 0; i < end; i++)
            line += text[i] == '\n';
    }
    if (yp->context)
        return error("%s:%zu: malformed YAML: %s (%s at line %zu)", p->file, line,
                     problem, yp->context, yp->context_mark.line + 1);
    return error("%s:%zu: malformed YAML: %s", p->file, line, problem);
}

int config_parse(struct config *cfg, const char *text, const char *name, const char *basedir)
{
    struct parser p = { .basedir = basedir ? basedir : "." };
    yaml_parser_t yp;
    yaml_document_t doc;
    yaml_node_t *root;
    char buf[80];
    int ret = -1;

    memset(cfg, 0, sizeof(*cfg));
    cfg->path = xstrdup(name ? name : "<string>");
    cfg->text = xstrdup(text);
    p.file = cfg->path;

    if (!yaml_parser_initialize(&yp)) {
        error("out of memory initializing libyaml");
        goto out;
    }
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, strlen(text));
    if (!yaml_parser_load(&yp, &doc)) {
        yaml_fail(&p, &yp, text);
        yaml_parser_delete(&yp);
        goto out;
    }
    p.doc = &doc;
    root = yaml_document_get_root_node(&doc);
    if (!root)
        error("%s:1: top level: the file is empty, expected a mapping", p.file);
    else if (root->type != YAML_MAPPING_NODE)
        fail(&p, line_of(root), "", "expected a mapping, got %s", describe(root, buf, sizeof(buf)));
    else
        ret = parse_mapping(&p, root, &top_section, cfg, "", line_of(root));
    yaml_document_delete(&doc);
    yaml_parser_delete(&yp);

    if (!ret && !cfg->cache_dir)
        cfg->cache_dir = xasprintf("%s/cache", cfg->output_dir);
out:
    if (ret)
        config_release(cfg);
    return ret;
}

int config_load(struct config *cfg, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *text, *dir;
    int ret;

    memset(cfg, 0, sizeof(*cfg));
    text = read_file(path, NULL);
    if (!text)
        return -1;
    if (!slash)
        dir = xstrdup(".");
    else if (slash == path)
        dir = xstrdup("/");
    else
        dir = xasprintf("%.*s", (int)(slash - path), path);
    ret = config_parse(cfg, text, path, dir);
    free(dir);
    free(text);
    return ret;
}

void config_release(struct config *cfg)
{
    free(cfg->path);
    free(cfg->text);
    free(cfg->name);
    free(cfg->dataset.format);
    free(cfg->dataset.base);
    for (size_t i = 0; i < cfg->dataset.n_base_more; i++)
        free(cfg->dataset.base_more[i]);
    free(cfg->dataset.base_more);
    free(cfg->dataset.queries);
    free(cfg->dataset.queries_format);
    free(cfg->dataset.rvc_version);
    free(cfg->dataset.sizes.v);
    free(cfg->dataset.file);
    free(cfg->k.v);
    free(cfg->metrics);
    for (size_t i = 0; i < cfg->n_indexes; i++) {
        struct index_spec *ix = &cfg->indexes[i];
        free(ix->factory);
        free(ix->nlist.v);
        free(ix->nprobe.values.v);
        free(ix->k_factor.v);
        free(ix->prep.kmeans.v);
        free(ix->prep.alpha.v);
        free(ix->prep.num_expand.v);
        free(ix->prep.expand_on);
        free(ix->preset);
        free(ix->label);
    }
    free(cfg->indexes);
    free(cfg->nprobe.values.v);
    free(cfg->k_factor.v);
    free(cfg->rvc.index_rate.v);
    free(cfg->output_dir);
    free(cfg->cache_dir);
    memset(cfg, 0, sizeof(*cfg));
}

/* ---------- reference ---------- */

/* A table cell: '|' would end the cell, so escape it (also inside code). */
static void md_cell(FILE *f, const char *s, int code)
{
    fputs(code ? " `" : " ", f);
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputs(code ? "` |" : " |", f);
}

static void print_section(FILE *f, const struct section *sec)
{
    fprintf(f, "## %s\n\n%s\n\n| key | type | default | meaning |\n|---|---|---|---|\n",
            sec->title, sec->help);
    for (const struct key *k = sec->keys; k->name; k++) {
        const char *def = k->flags & KEY_REQUIRED ? "required" : k->def ? k->def : "";
        fputc('|', f);
        md_cell(f, k->name, 1);
        md_cell(f, k->type, 0);
        md_cell(f, def, k->def && !(k->flags & KEY_DEF_DOC));
        md_cell(f, k->help, 0);
        fputc('\n', f);
    }
    fputc('\n', f);
    for (const struct key *k = sec->keys; k->name; k++)
        if (k->sub)
            print_section(f, k->sub);
}

void config_print_reference(FILE *f)
{
    print_section(f, &top_section);
}
