/*
 * config_node.c - the bottom of the config engine: config-located messages
 * (config_error and its "<file>:<line>: <key>:" form), YAML nodes and
 * documents (lines, null, descriptions for "got ..."), "did you mean", and
 * a key's field. config.c, config_value.c, config_set.c and keys.c use it;
 * it uses none of them.
 */
#include "core/config.h"
#include "core/keys.h"
#include "lib/util.h"

#include <ctype.h>
#include <limits.h>
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

int cfg_is_null(const yaml_node_t *n)
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
    if (cfg_is_null(n) && !*n->data.scalar.value)
        return "nothing";
    clean_copy(text, sizeof(text), (const char *)n->data.scalar.value, SIZE_MAX);
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
    clean_copy(clean, sizeof(clean), name, SIZE_MAX);
    return *prefix ? xasprintf("%s.%s", prefix, clean) : xstrdup(clean);
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
int cfg_load_yaml(yaml_parser_t *yp, yaml_document_t *doc, const char *text)
{
    if (!yaml_parser_initialize(yp)) {
        yp->error = YAML_MEMORY_ERROR;
        yp->problem = "out of memory";
        return -1;
    }
    yaml_parser_set_input_string(yp, (const unsigned char *)text, strlen(text));
    return yaml_parser_load(yp, doc) ? 0 : -1;
}

void *cfg_field(void *base, const struct key *k)
{
    return (char *)base + k->off;
}

