/*
 * config.c - the config engine: read a YAML document with libyaml, apply
 * the --set overrides to it, and walk it against the key tables of keys.c
 * into struct config.
 *
 * A section is a table of keys (fio style; see keys.h). Walking a mapping
 * looks each key up in its section ("did you mean" for unknown ones), parses
 * its value with the key's function, fills in the defaults of the keys not
 * given (YAML text in the table, parsed like input) and runs the section's
 * cross-key check. The typed value parsers the tables use live here too, and
 * the printer of the Markdown reference (`faiss-sweep help-config`).
 *
 * We use libyaml's document API: the whole file becomes a node tree whose
 * marks give the line of every key and value for error messages. Overrides
 * are grafted onto that tree before the walk, so they meet exactly the same
 * checks; their nodes have no line and messages name them "--set <key>".
 */
#include "core/config.h"
#include "core/keys.h"
#include "lib/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---------- config-located messages ---------- */

/* "<file>:<line>: <key>: <what>" (see config_error) into buf. */
static void where_text(char *buf, size_t size, const char *file, int line, const char *key,
                       const char *fmt, va_list ap)
{
    int n;

    if (key && !*key)
        key = "top level";
    if (line > 0)
        n = key ? snprintf(buf, size, "%s:%d: %s: ", file, line, key)
                : snprintf(buf, size, "%s:%d: ", file, line);
    else
        n = key ? snprintf(buf, size, "--set %s: ", key) : snprintf(buf, size, "--set: ");
    if (n < 0)
        n = 0;
    if ((size_t)n < size)
        vsnprintf(buf + n, size - (size_t)n, fmt, ap);
}

int config_error(const char *file, int line, const char *key, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    where_text(msg, sizeof(msg), file, line, key, fmt, ap);
    va_end(ap);
    return error("%s", msg);
}

void config_warning(const char *file, int line, const char *key, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    where_text(msg, sizeof(msg), file, line, key, fmt, ap);
    va_end(ap);
    warning("%s", msg);
}

void config_info(const char *file, int line, const char *key, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    where_text(msg, sizeof(msg), file, line, key, fmt, ap);
    va_end(ap);
    info("%s", msg);
}

/* ---------- nodes and messages ---------- */

yaml_node_t *cfg_node(struct parser *p, int id)
{
    return yaml_document_get_node(p->doc, id);
}

int cfg_line(const struct parser *p, const yaml_node_t *n)
{
    if (p->doc == p->main && n - p->main->nodes.start >= (ptrdiff_t)p->set_from - 1)
        return 0;
    return (int)n->start_mark.line + 1;
}

int cfg_fail(struct parser *p, int line, const char *path, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return config_error(p->file, line, path, "%s", msg);
}

/* Copy s for a one-line message: control characters blanked, long text cut. */
void cfg_clean_copy(char *buf, size_t size, const char *s)
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
const char *cfg_describe(const yaml_node_t *n, char *buf, size_t size)
{
    char text[64];

    if (n->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE)
        return "a list";
    if (is_null(n) && !*n->data.scalar.value)
        return "nothing";
    cfg_clean_copy(text, sizeof(text), (const char *)n->data.scalar.value);
    snprintf(buf, size, "'%s'", text);
    return buf;
}

/* "a, b or c" */
void cfg_join_names(char *buf, size_t size, const char *const *names)
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
const char *cfg_suggest(const char *word, const char *const *names)
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

int cfg_fail_unknown(struct parser *p, int line, const char *path,
                     const char *what, const char *word, const char *const *names)
{
    const char *guess = cfg_suggest(word, names);
    char list[256];

    if (guess)
        return cfg_fail(p, line, path, "unknown %s (did you mean '%s'?)", what, guess);
    cfg_join_names(list, sizeof(list), names);
    return cfg_fail(p, line, path, "unknown %s (expected %s)", what, list);
}

/* prefix.name, or prefix[i] when name is NULL; control characters blanked. */
char *cfg_subpath(const char *prefix, const char *name, size_t i)
{
    char clean[64];

    if (!name)
        return xasprintf("%s[%zu]", prefix, i);
    cfg_clean_copy(clean, sizeof(clean), name);
    return *prefix ? xasprintf("%s.%s", prefix, clean) : xstrdup(clean);
}

/* ---------- scalars ---------- */

/* A string value; keys and numbers in YAML are strings to us. */
int cfg_get_string(struct parser *p, yaml_node_t *n, const char *path, const char **out)
{
    char buf[80];

    if (n->type != YAML_SCALAR_NODE || is_null(n))
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
    return cfg_fail(p, cfg_line(p, n), path, "expected an integer %s, got %s",
                range, cfg_describe(n, buf, sizeof(buf)));
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
    return cfg_fail(p, cfg_line(p, n), path, "expected %s, got %s",
                positive ? "a number > 0" : "a finite number", cfg_describe(n, buf, sizeof(buf)));
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
    cfg_clean_copy(text, sizeof(text), s);
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

struct long_ctx { long min, max; struct long_list *out; };

static int add_long(struct parser *p, yaml_node_t *n, const char *path, void *ctx)
{
    struct long_ctx *c = ctx;

    if (cfg_get_long(p, n, path, c->min, c->max, &c->out->v[c->out->n]))
        return -1;
    c->out->n++;
    return 0;
}

/* An integer or a non-empty list of integers, each in [min, max]. */
int cfg_get_long_list(struct parser *p, yaml_node_t *n, const char *path,
                      long min, long max, struct long_list *out)
{
    struct long_ctx c = { min, max, out };

    out->v = xcalloc(cfg_n_items(n), sizeof(*out->v));
    return cfg_each_item(p, n, path, "an integer or a list of integers", add_long, &c);
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

void *cfg_field(void *base, const struct key *k)
{
    return (char *)base + k->off;
}

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

    if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        const char *s = (const char *)n->data.scalar.value;
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (*s && end != s && !*end && !errno && v > 0 && v < 1) {
            *(double *)cfg_field(base, k) = v;
            return 0;
        }
    }
    return cfg_fail(p, cfg_line(p, n), path, "expected a number between 0 and 1 (both excluded), got %s",
                cfg_describe(n, buf, sizeof(buf)));
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
    return cfg_get_long(p, n, path, k->min, k->max, cfg_field(base, k));
}

int cfg_parse_int(struct parser *p, const struct key *k, yaml_node_t *n,
                  void *base, const char *path)
{
    long v = 0;

    if (cfg_get_long(p, n, path, k->min, k->max < INT_MAX ? k->max : INT_MAX, &v))
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
    return cfg_get_long_list(p, n, path, k->min, k->max, cfg_field(base, k));
}

int cfg_parse_bool(struct parser *p, const struct key *k, yaml_node_t *n,
                   void *base, const char *path)
{
    return get_bool(p, n, path, cfg_field(base, k));
}

int cfg_parse_section(struct parser *p, const struct key *k, yaml_node_t *n,
                      void *base, const char *path)
{
    return cfg_parse_mapping(p, n, k->sub, cfg_field(base, k), path, p->key_line);
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

/* ---------- cross-key checks ---------- */

yaml_node_t *cfg_find_value(struct parser *p, yaml_node_t *map, const char *name)
{
    if (!map)
        return NULL;
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *kn = cfg_node(p, pair->key);
        if (kn->type == YAML_SCALAR_NODE && !strcmp((char *)kn->data.scalar.value, name))
            return cfg_node(p, pair->value);
    }
    return NULL;
}

/* "<path>.<name>: <msg>" at the line of that key's value (or `line`). */
int cfg_fail_key(struct parser *p, yaml_node_t *map, int line, const char *path,
                 const char *name, const char *fmt, ...)
{
    yaml_node_t *v = cfg_find_value(p, map, name);
    char *kp = cfg_subpath(path, name, 0), msg[400];
    va_list ap;
    int r;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    r = cfg_fail(p, v ? cfg_line(p, v) : line, kp, "%s", msg);
    free(kp);
    return r;
}

/* ---------- documents ---------- */

/* Parse text into doc. On failure yp keeps the problem and its marks for the
 * caller's message (an allocation failure reads "out of memory"); the caller
 * deletes yp in both cases, and doc on success. */
static int load_yaml(yaml_parser_t *yp, yaml_document_t *doc, const char *text)
{
    if (!yaml_parser_initialize(yp)) {
        yp->error = YAML_MEMORY_ERROR;
        yp->problem = "out of memory";
        return -1;
    }
    yaml_parser_set_input_string(yp, (const unsigned char *)text, strlen(text));
    return yaml_parser_load(yp, doc) ? 0 : -1;
}

int cfg_apply_preset(struct parser *p, yaml_node_t *map, const struct section *sec,
                     void *base, const char *path, int line, const char *name,
                     const char *text)
{
    yaml_parser_t yp;
    yaml_document_t doc, *saved = p->doc;
    yaml_node_t *root;
    int r = 0;

    if (load_yaml(&yp, &doc, text)) {
        yaml_parser_delete(&yp);
        return error("BUG: bad YAML for preset '%s'", name);
    }
    root = yaml_document_get_root_node(&doc);
    /* first the conflicts, against the user's document */
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         !r && pair < root->data.mapping.pairs.top; pair++) {
        const char *kname = (const char *)yaml_document_get_node(&doc, pair->key)->data.scalar.value;
        if (cfg_find_value(p, map, kname))
            r = cfg_fail_key(p, map, line, path, kname, "set by preset %s", name);
    }
    /* then the values, from the preset's document */
    p->doc = &doc;
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         !r && pair < root->data.mapping.pairs.top; pair++) {
        const char *kname = (const char *)cfg_node(p, pair->key)->data.scalar.value;
        const struct key *k = NULL;
        char *kp;

        for (const struct key *c = sec->keys; c->name; c++)
            if (!strcmp(c->name, kname))
                k = c;
        if (!k) {
            r = error("BUG: preset '%s' sets unknown key '%s'", name, kname);
            break;
        }
        kp = cfg_subpath(path, kname, 0);
        r = k->parse(p, k, cfg_node(p, pair->value), base, kp);
        free(kp);
    }
    p->doc = saved;
    yaml_document_delete(&doc);
    yaml_parser_delete(&yp);
    return r;
}

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
        path = cfg_subpath(prefix, k->name, 0);
        if (k->flags & KEY_REQUIRED)
            r = cfg_fail(p, line, path, "missing required key");
        else if (k->sub && k->parse == cfg_parse_section)
            r = cfg_parse_mapping(p, NULL, k->sub, cfg_field(base, k), path, line);
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
int cfg_parse_mapping(struct parser *p, yaml_node_t *map, const struct section *sec,
                      void *base, const char *prefix, int line)
{
    const char *names[32];
    yaml_node_t **seen;
    size_t nkeys = count_keys(sec);
    char buf[80];
    int ret = -1;

    if (map && map->type != YAML_MAPPING_NODE)
        return cfg_fail(p, cfg_line(p, map), prefix, "expected a mapping, got %s",
                    cfg_describe(map, buf, sizeof(buf)));
    for (size_t i = 0; i < nkeys && i < 31; i++)
        names[i] = sec->keys[i].name;
    names[nkeys < 31 ? nkeys : 31] = NULL;
    seen = xcalloc(nkeys, sizeof(*seen));

    for (yaml_node_pair_t *pair = map ? map->data.mapping.pairs.start : NULL;
         map && pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *kn = cfg_node(p, pair->key), *vn = cfg_node(p, pair->value);
        const struct key *k = NULL;
        const char *name;
        char *path;
        int r = 0;

        if (kn->type != YAML_SCALAR_NODE) {
            cfg_fail(p, cfg_line(p, kn), prefix, "expected a key, got %s",
                 cfg_describe(kn, buf, sizeof(buf)));
            goto out;
        }
        if (cfg_get_string(p, kn, prefix, &name))
            goto out;
        for (size_t i = 0; i < nkeys; i++)
            if (!strcmp(name, sec->keys[i].name))
                k = &sec->keys[i];
        path = cfg_subpath(prefix, name, 0);
        if (!k)
            r = cfg_fail_unknown(p, cfg_line(p, kn), path, "key", name, names);
        else if (seen[k - sec->keys])
            r = cfg_fail(p, cfg_line(p, kn), path, "duplicate key (first given at line %d)",
                     cfg_line(p, seen[k - sec->keys]));
        if (!r && k) {
            seen[k - sec->keys] = kn;
            p->key_line = cfg_line(p, kn);
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

/* ---------- overrides: --set key=value ---------- */

/* A value deeper than this is refused (it also stops a recursive alias). */
#define SET_MAX_DEPTH 64

/* Copy node id of src (and what it holds) into dst; returns its id in dst,
 * or 0 (out of memory, or nested deeper than SET_MAX_DEPTH). */
static int copy_node(yaml_document_t *dst, yaml_document_t *src, int id, int depth)
{
    yaml_node_t *n = yaml_document_get_node(src, id);
    int out = 0;

    if (depth > SET_MAX_DEPTH)
        return 0;
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return yaml_document_add_scalar(dst, n->tag, n->data.scalar.value,
                                        (int)n->data.scalar.length, n->data.scalar.style);
    case YAML_SEQUENCE_NODE:
        out = yaml_document_add_sequence(dst, n->tag, n->data.sequence.style);
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             out && it < n->data.sequence.items.top; it++) {
            int c = copy_node(dst, src, *it, depth + 1);
            if (!c || !yaml_document_append_sequence_item(dst, out, c))
                out = 0;
        }
        return out;
    case YAML_MAPPING_NODE:
        out = yaml_document_add_mapping(dst, n->tag, n->data.mapping.style);
        for (yaml_node_pair_t *pair = n->data.mapping.pairs.start;
             out && pair < n->data.mapping.pairs.top; pair++) {
            int k = copy_node(dst, src, pair->key, depth + 1);
            int v = k ? copy_node(dst, src, pair->value, depth + 1) : 0;
            if (!v || !yaml_document_append_mapping_pair(dst, out, k, v))
                out = 0;
        }
        return out;
    case YAML_NO_NODE:
        break;
    }
    return 0;
}

/* The value of an override, parsed as YAML and copied into the config's
 * document; returns its node id, or 0 after one message. An empty value is
 * YAML's empty scalar (null), as "key:" in a file. */
static int set_value(struct parser *p, const char *key, const char *value)
{
    yaml_parser_t yp;
    yaml_document_t vd;
    yaml_node_t *root;
    int id = 0;

    if (load_yaml(&yp, &vd, value)) {
        config_error(p->file, 0, key, "malformed YAML: %s",
                     yp.problem ? yp.problem : "cannot parse");
        yaml_parser_delete(&yp);
        return 0;
    }
    root = yaml_document_get_root_node(&vd);
    if (!root)
        id = yaml_document_add_scalar(p->main, NULL, (yaml_char_t *)"", 0,
                                      YAML_PLAIN_SCALAR_STYLE);
    else
        id = copy_node(p->main, &vd, (int)(root - vd.nodes.start) + 1, 0);
    if (!id)
        config_error(p->file, 0, key, "cannot take this value (nested deeper than %d, "
                     "or out of memory)", SET_MAX_DEPTH);
    yaml_document_delete(&vd);
    yaml_parser_delete(&yp);
    return id;
}

/* Split a dotted key "a.b.0.c" (or "a.b[0].c") into its steps, written over
 * buf; returns the count, or 0 when a step is empty or a bracket malformed. */
static size_t split_key(char *buf, char **steps, size_t max)
{
    size_t n = 0;
    char *s = buf;

    while (n < max) {
        char *end = s + strcspn(s, ".[");

        if (end == s && !(*s == '[' && n > 0 && s[-1] == '\0'))
            return 0;
        if (end > s)
            steps[n++] = s;
        while (*end == '[' && n < max) {  /* name[3][4] */
            char *close = strchr(end, ']');
            if (!close || close == end + 1)
                return 0;
            *end = '\0';
            *close = '\0';
            steps[n++] = end + 1;
            end = close + 1;
        }
        if (!*end)
            return n;
        if (*end != '.')
            return 0;
        *end = '\0';
        s = end + 1;
    }
    return 0;
}

/* The slot (pair value or list item) holding step of node cur, or NULL when
 * cur has none; *append is set when a new item would go at the end of a
 * list. Returns -1 after a message when cur is a list and step no item
 * number in range. */
static int set_find(struct parser *p, const char *key, const char *where, int cur,
                    const char *step, int **slot)
{
    yaml_node_t *c = yaml_document_get_node(p->main, cur);
    char *end;
    size_t len;
    long i;

    *slot = NULL;
    if (c->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *pair = c->data.mapping.pairs.start;
             pair < c->data.mapping.pairs.top; pair++) {
            yaml_node_t *kn = yaml_document_get_node(p->main, pair->key);
            if (kn->type == YAML_SCALAR_NODE && !strcmp((char *)kn->data.scalar.value, step)) {
                *slot = &pair->value;
                break;
            }
        }
        return 0;
    }
    len = (size_t)(c->data.sequence.items.top - c->data.sequence.items.start);
    errno = 0;
    i = strtol(step, &end, 10);
    if (!isdigit((unsigned char)*step) || *end || errno)
        return config_error(p->file, 0, key, "'%s' is a list: expected an item number, "
                            "got '%s'", where, step);
    if ((size_t)i > len)
        return config_error(p->file, 0, key, "'%s' has %zu items: no item %ld", where, len, i);
    if ((size_t)i < len)
        *slot = &c->data.sequence.items.start[i];
    return 0;
}

/* Add node `id` under step of cur (a new key of a mapping, or a new last
 * item of a list). Returns 0, or -1 out of memory. */
static int set_add(struct parser *p, int cur, const char *step, int id)
{
    yaml_node_t *c = yaml_document_get_node(p->main, cur);
    int k;

    if (c->type == YAML_SEQUENCE_NODE)
        return yaml_document_append_sequence_item(p->main, cur, id) ? 0 : -1;
    k = yaml_document_add_scalar(p->main, NULL, (yaml_char_t *)step, (int)strlen(step),
                                 YAML_PLAIN_SCALAR_STYLE);
    return k && yaml_document_append_mapping_pair(p->main, cur, k, id) ? 0 : -1;
}

/* Walk steps[0..n-1) from the root, making the mappings that are missing
 * (or hold no mapping or list), and put value under the last step. */
static int set_graft(struct parser *p, const char *key, char **steps, size_t n, int value)
{
    yaml_node_t *root = yaml_document_get_root_node(p->main);
    int cur = root ? 1 : yaml_document_add_mapping(p->main, NULL, YAML_BLOCK_MAPPING_STYLE);
    char where[256] = "";

    /* a root that is no mapping is refused by parse_document, overrides or not */
    if (root && root->type != YAML_MAPPING_NODE && root->type != YAML_SEQUENCE_NODE)
        return 0;

    for (size_t i = 0; cur && i < n; i++) {
        int last = i + 1 == n, *slot, next;

        if (set_find(p, key, *where ? where : "top level", cur, steps[i], &slot))
            return -1;
        if (slot && last) {
            *slot = value;
            return 0;
        }
        if (slot) {
            yaml_node_t *v = yaml_document_get_node(p->main, *slot);
            if (v->type == YAML_MAPPING_NODE || v->type == YAML_SEQUENCE_NODE) {
                cur = *slot;
            } else {  /* a scalar (or null) gives way to a mapping */
                next = yaml_document_add_mapping(p->main, NULL, YAML_BLOCK_MAPPING_STYLE);
                *slot = next;
                cur = next;
            }
        } else {
            next = last ? value
                        : yaml_document_add_mapping(p->main, NULL, YAML_BLOCK_MAPPING_STYLE);
            if (!next || set_add(p, cur, steps[i], next))
                cur = 0;
            else
                cur = next;
            if (last)
                return cur ? 0 : error("out of memory applying --set %s", key);
        }
        snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s%s",
                 *where ? "." : "", steps[i]);
    }
    return cur ? 0 : error("out of memory applying --set %s", key);
}

/* Apply one override "dotted.key=value" to the config's document. */
static int set_apply(struct parser *p, const char *set)
{
    const char *eq = strchr(set, '=');
    char clean[128], *key, *steps[32];
    size_t n;
    int value, r = -1;

    cfg_clean_copy(clean, sizeof(clean), set);
    if (!eq)
        return config_error(p->file, 0, clean, "expected key=value");
    if (eq == set)
        return config_error(p->file, 0, clean, "expected key=value, the key is empty");
    key = xasprintf("%.*s", (int)(eq - set), set);
    cfg_clean_copy(clean, sizeof(clean), key);
    n = split_key(key, steps, sizeof(steps) / sizeof(*steps));
    if (!n) {
        config_error(p->file, 0, clean, "expected a dotted key such as measure.repeats "
                     "or indexes.0.nprobe");
        goto out;
    }
    value = set_value(p, clean, eq + 1);
    if (value)
        r = set_graft(p, clean, steps, n, value);
out:
    free(key);
    return r;
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
        return config_error(p->file, (int)line, NULL, "malformed YAML: %s (%s at line %zu)",
                            problem, yp->context, yp->context_mark.line + 1);
    return config_error(p->file, (int)line, NULL, "malformed YAML: %s", problem);
}

/* Walk the document (overrides applied) into cfg. */
static int parse_document(struct parser *p, struct config *cfg)
{
    yaml_node_t *root = yaml_document_get_root_node(p->main);
    char buf[80];

    if (!root)
        return config_error(p->file, 1, "", "the file is empty, expected a mapping");
    if (root->type != YAML_MAPPING_NODE)
        return cfg_fail(p, cfg_line(p, root), "", "expected a mapping, got %s",
                        cfg_describe(root, buf, sizeof(buf)));
    if (cfg_parse_mapping(p, root, &config_top_section, cfg, "", cfg_line(p, root)))
        return -1;
    if (!cfg->cache_dir)
        cfg->cache_dir = xasprintf("%s/cache", cfg->output_dir);
    return 0;
}

int config_parse_set(struct config *cfg, const char *text, const char *name,
                     const char *basedir, const char *const *sets, size_t n_sets)
{
    struct parser p = { .basedir = basedir ? basedir : ".", .set_from = INT_MAX };
    yaml_parser_t yp;
    yaml_document_t doc;
    int ret = -1;

    memset(cfg, 0, sizeof(*cfg));
    cfg->path = xstrdup(name ? name : "<string>");
    cfg->text = xstrdup(text);
    cfg->sets = n_sets ? xcalloc(n_sets, sizeof(*cfg->sets)) : NULL;
    for (cfg->n_sets = 0; cfg->n_sets < n_sets; cfg->n_sets++)
        cfg->sets[cfg->n_sets] = xstrdup(sets[cfg->n_sets]);
    p.file = cfg->path;

    if (load_yaml(&yp, &doc, text)) {
        yaml_fail(&p, &yp, text);
        yaml_parser_delete(&yp);
        goto out;
    }
    p.doc = p.main = &doc;
    if (n_sets)
        p.set_from = (int)(doc.nodes.top - doc.nodes.start) + 1;
    ret = 0;
    for (size_t i = 0; !ret && i < n_sets; i++)
        ret = set_apply(&p, sets[i]);
    if (!ret)
        ret = parse_document(&p, cfg);
    yaml_document_delete(&doc);
    yaml_parser_delete(&yp);
out:
    if (ret)
        config_release(cfg);
    return ret;
}

int config_parse(struct config *cfg, const char *text, const char *name, const char *basedir)
{
    return config_parse_set(cfg, text, name, basedir, NULL, 0);
}

int config_load_set(struct config *cfg, const char *path, const char *const *sets,
                    size_t n_sets)
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
    ret = config_parse_set(cfg, text, path, dir, sets, n_sets);
    free(dir);
    free(text);
    return ret;
}

int config_load(struct config *cfg, const char *path)
{
    return config_load_set(cfg, path, NULL, 0);
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
    for (size_t i = 0; i < cfg->n_sets; i++)
        free(cfg->sets[i]);
    free(cfg->sets);
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
    print_section(f, &config_top_section);
}

