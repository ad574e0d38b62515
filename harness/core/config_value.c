/*
 * config_value.c - the typed value parsers of the config engine: strings,
 * integers in a range, numbers, booleans, choices among names, lists of
 * them, one-key forms such as {rule: rvc}, paths, and the key parsers of the
 * common types built from them (see keys.h). Each reports one message
 * through cfg_fail naming the file, line and key.
 */
#include "core/config.h"
#include "core/keys.h"
#include "lib/util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---------- scalars ---------- */

/* A string value; keys and numbers in YAML are strings to us. */
int cfg_get_string(struct parser *p, yaml_node_t *n, const char *path, const char **out)
{
    char buf[80];

    if (n->type != YAML_SCALAR_NODE || cfg_is_null(n))
        return cfg_fail(p, cfg_line(p, n), path, "expected a string, got %s",
                        cfg_describe(n, buf, sizeof(buf)));
    if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
        return cfg_fail(p, cfg_line(p, n), path, "string holds a NUL character");
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

/* Is n a plain decimal integer above max (or past what a long holds)? */
static int too_big(const yaml_node_t *n, long max)
{
    const char *s;
    char *end;
    long v;

    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    s = (const char *)n->data.scalar.value;
    errno = 0;
    v = strtol(s, &end, 10);
    return *s && end != s && !*end && v > 0 && (errno == ERANGE || v > max);
}

/* Integers must be plain decimal: "2.0", "0x10" and quoted "10" are refused. */
int cfg_get_long(struct parser *p, yaml_node_t *n, const char *path,
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
    if (too_big(n, max))   /* name the bound it passed, even an unnamed one */
        snprintf(range, sizeof(range), "between %ld and %ld", min, max);
    return cfg_fail(p, cfg_line(p, n), path, "expected an integer %s, got %s",
                    range, cfg_describe(n, buf, sizeof(buf)));
}

/* A value past a key's bound of sanity (k->cap, when set): refused. */
static int check_cap(struct parser *p, long min, long cap, yaml_node_t *n, const char *path,
                     long v)
{
    char buf[80];

    if (!cap || v <= cap)
        return 0;
    return cfg_fail(p, cfg_line(p, n), path, "expected an integer between %ld and %ld, got %s",
                    min, cap, cfg_describe(n, buf, sizeof(buf)));
}

/* Does n hold a plain (unquoted) scalar that reads whole as a finite
 * number? Then *v gets it. The callers check the range and word the message. */
static int plain_number(const yaml_node_t *n, double *v)
{
    const char *s;
    char *end;

    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    s = (const char *)n->data.scalar.value;
    errno = 0;
    *v = strtod(s, &end);
    return *s && end != s && !*end && !errno && isfinite(*v);
}

int cfg_get_number(struct parser *p, yaml_node_t *n, const char *path, int positive,
                   double *out)
{
    char buf[80];
    double v;

    if (plain_number(n, &v) && (!positive || v > 0)) {
        *out = v;
        return 0;
    }
    return cfg_fail(p, cfg_line(p, n), path, "expected %s, got %s",
                    positive ? "a number > 0" : "a finite number",
                    cfg_describe(n, buf, sizeof(buf)));
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
    return cfg_fail(p, cfg_line(p, n), path, "expected true or false, got %s",
                    cfg_describe(n, buf, sizeof(buf)));
}

/* One of names (e.g. a rule); returns its index or -1. */
int cfg_get_choice(struct parser *p, yaml_node_t *n, const char *path,
                   const char *what, const char *const *names)
{
    const char *s = NULL;
    char buf[80], text[48];

    if (cfg_get_string(p, n, path, &s))
        return -1;
    for (int i = 0; names[i]; i++)
        if (!strcmp(s, names[i]))
            return i;
    clean_copy(text, sizeof(text), s, SIZE_MAX);
    snprintf(buf, sizeof(buf), "%s '%s'", what, text);
    cfg_fail_unknown(p, cfg_line(p, n), path, buf, s, names);
    return -1;
}

/* ---------- lists ---------- */

size_t cfg_seq_len(const yaml_node_t *n)
{
    return (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *cfg_seq_item(struct parser *p, const yaml_node_t *n, size_t i)
{
    return cfg_node(p, n->data.sequence.items.start[i]);
}


/* How many values cfg_each_item will pass, to size an array before it runs. */
size_t cfg_n_items(const yaml_node_t *n)
{
    return n->type == YAML_SEQUENCE_NODE ? cfg_seq_len(n) : 1;
}

/* A scalar or a non-empty list of scalars: fn on each, list items at
 * path[i]. A mapping is refused here as "expected <expected>". */
int cfg_each_item(struct parser *p, yaml_node_t *n, const char *path,
                  const char *expected, item_fn *fn, void *ctx)
{
    if (n->type == YAML_MAPPING_NODE)
        return cfg_fail(p, cfg_line(p, n), path, "expected %s, got a mapping", expected);
    if (n->type == YAML_SCALAR_NODE)
        return fn(p, n, path, ctx);
    if (!cfg_seq_len(n))
        return cfg_fail(p, cfg_line(p, n), path, "expected at least one value, got an empty list");
    for (size_t i = 0; i < cfg_seq_len(n); i++) {
        char *ip = cfg_subpath(path, NULL, i);
        int r = fn(p, cfg_seq_item(p, n, i), ip, ctx);
        free(ip);
        if (r)
            return -1;
    }
    return 0;
}

struct long_ctx { long min, max, cap; struct long_list *out; };

static int add_long(struct parser *p, yaml_node_t *n, const char *path, void *ctx)
{
    struct long_ctx *c = ctx;
    long *v = &c->out->v[c->out->n];

    if (cfg_get_long(p, n, path, c->min, c->max, v) || check_cap(p, c->min, c->cap, n, path, *v))
        return -1;
    c->out->n++;
    return 0;
}

/* An integer or a non-empty list of integers, each in [min, max] and at
 * most cap (0: no cap). */
static int get_long_list(struct parser *p, yaml_node_t *n, const char *path, long min,
                         long max, long cap, struct long_list *out)
{
    struct long_ctx c = { min, max, cap, out };

    out->v = xcalloc(cfg_n_items(n), sizeof(*out->v));
    return cfg_each_item(p, n, path, "an integer or a list of integers", add_long, &c);
}

int cfg_get_long_list(struct parser *p, yaml_node_t *n, const char *path,
                      long min, long max, struct long_list *out)
{
    return get_long_list(p, n, path, min, max, 0, out);
}

struct double_ctx { int positive; struct double_list *out; };

static int add_double(struct parser *p, yaml_node_t *n, const char *path, void *ctx)
{
    struct double_ctx *c = ctx;

    if (cfg_get_number(p, n, path, c->positive, &c->out->v[c->out->n]))
        return -1;
    c->out->n++;
    return 0;
}

/* A number (> 0 when positive) or a non-empty list of them. */
int cfg_get_double_list(struct parser *p, yaml_node_t *n, const char *path, int positive,
                        struct double_list *out)
{
    struct double_ctx c = { positive, out };

    out->v = xcalloc(cfg_n_items(n), sizeof(*out->v));
    return cfg_each_item(p, n, path, "a number or a list of numbers", add_double, &c);
}

/*
 * A one-key mapping such as {rule: rvc} or {sqrt: [4, 8]}: returns the index
 * of its key in names (or -1), its value in *value and its path in *vpath.
 */
int cfg_get_form(struct parser *p, yaml_node_t *n, const char *path,
                 const char *const *names, yaml_node_t **value, char **vpath)
{
    yaml_node_pair_t *pair = n->data.mapping.pairs.start;
    yaml_node_t *kn;
    const char *name;
    char list[128];

    cfg_join_names(list, sizeof(list), names);
    if (n->data.mapping.pairs.top - pair != 1)
        return cfg_fail(p, cfg_line(p, n), path, "expected a mapping with one key (%s)", list);
    kn = cfg_node(p, pair->key);
    if (cfg_get_string(p, kn, path, &name))
        return -1;
    for (int i = 0; names[i]; i++) {
        if (!strcmp(name, names[i])) {
            *value = cfg_node(p, pair->value);
            *vpath = cfg_subpath(path, name, 0);
            return i;
        }
    }
    *vpath = cfg_subpath(path, name, 0);
    cfg_fail_unknown(p, cfg_line(p, kn), *vpath, "key", name, names);
    free(*vpath);
    *vpath = NULL;
    return -1;
}

/* ---------- key parsers of the common types ---------- */

int cfg_parse_string(struct parser *p, const struct key *k, yaml_node_t *n,
                     void *base, const char *path)
{
    const char *s = NULL;

    if (cfg_get_string(p, n, path, &s))
        return -1;
    if (!*s)
        return cfg_fail(p, cfg_line(p, n), path, "expected a non-empty string");
    *(char **)cfg_field(base, k) = xstrdup(s);
    return 0;
}

int cfg_parse_fraction(struct parser *p, const struct key *k, yaml_node_t *n,
                       void *base, const char *path)
{
    char buf[80];
    double v;

    if (plain_number(n, &v) && v > 0 && v < 1) {
        *(double *)cfg_field(base, k) = v;
        return 0;
    }
    return cfg_fail(p, cfg_line(p, n), path,
                    "expected a number between 0 and 1 (both excluded), got %s",
                    cfg_describe(n, buf, sizeof(buf)));
}

/* A number in [0, 1], both included. */
static int get_unit(struct parser *p, yaml_node_t *n, const char *path, double *out)
{
    char buf[80];
    double v;

    if (plain_number(n, &v) && v >= 0 && v <= 1) {
        *out = v;
        return 0;
    }
    return cfg_fail(p, cfg_line(p, n), path, "expected a number from 0 to 1, got %s",
                    cfg_describe(n, buf, sizeof(buf)));
}

static int add_unit(struct parser *p, yaml_node_t *n, const char *path, void *ctx)
{
    struct double_list *out = ctx;
    double *v = &out->v[out->n];

    if (get_unit(p, n, path, v))
        return -1;
    for (size_t j = 0; j < out->n; j++)
        if (out->v[j] == *v)
            return cfg_fail(p, cfg_line(p, n), path, "%g is listed twice", *v);
    out->n++;
    return 0;
}

/* A number in [0, 1] or a non-empty list of them, duplicates refused. A
 * mapping gets get_unit's own words, "expected a number from 0 to 1". */
int cfg_parse_unit_list(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    struct double_list *out = cfg_field(base, k);

    free(out->v);
    out->v = xcalloc(cfg_n_items(n), sizeof(*out->v));
    out->n = 0;
    return cfg_each_item(p, n, path, "a number from 0 to 1", add_unit, out);
}

/* Dataset paths are relative to the config file, so a config can travel
 * with its data. */
int cfg_get_path(struct parser *p, yaml_node_t *n, const char *path, char **dst)
{
    const char *s = NULL, *dir = p->basedir;
    size_t len = strlen(dir);

    if (cfg_get_string(p, n, path, &s))
        return -1;
    if (!*s)
        return cfg_fail(p, cfg_line(p, n), path, "expected a non-empty path");
    if (s[0] == '/' || !strcmp(dir, ".") || !len)
        *dst = xstrdup(s);
    else
        *dst = xasprintf("%s%s%s", dir, dir[len - 1] == '/' ? "" : "/", s);
    return 0;
}

int cfg_parse_path(struct parser *p, const struct key *k, yaml_node_t *n,
                   void *base, const char *path)
{
    return cfg_get_path(p, n, path, cfg_field(base, k));
}

int cfg_parse_long(struct parser *p, const struct key *k, yaml_node_t *n,
                   void *base, const char *path)
{
    long *v = cfg_field(base, k);

    if (cfg_get_long(p, n, path, k->min, k->max, v))
        return -1;
    return check_cap(p, k->min, k->cap, n, path, *v);
}

int cfg_parse_int(struct parser *p, const struct key *k, yaml_node_t *n,
                  void *base, const char *path)
{
    long v = 0;

    if (cfg_get_long(p, n, path, k->min, k->max < INT_MAX ? k->max : INT_MAX, &v) ||
        check_cap(p, k->min, k->cap, n, path, v))
        return -1;
    *(int *)cfg_field(base, k) = (int)v;
    return 0;
}

int cfg_parse_ulong(struct parser *p, const struct key *k, yaml_node_t *n,
                    void *base, const char *path)
{
    long v = 0;

    if (cfg_get_long(p, n, path, 0, LONG_MAX, &v))
        return -1;
    *(unsigned long *)cfg_field(base, k) = (unsigned long)v;
    return 0;
}

int cfg_parse_long_list(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    return get_long_list(p, n, path, k->min, k->max, k->cap, cfg_field(base, k));
}

int cfg_parse_bool(struct parser *p, const struct key *k, yaml_node_t *n,
                   void *base, const char *path)
{
    return get_bool(p, n, path, cfg_field(base, k));
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

size_t sort_unique_long(long *v, size_t n)
{
    size_t out = 0;

    if (!n)
        return 0;
    qsort(v, n, sizeof(*v), cmp_long);
    for (size_t i = 0; i < n; i++)
        if (!out || v[i] != v[out - 1])
            v[out++] = v[i];
    return out;
}
