/*
 * config_set.c - overrides from the command line, `--set dotted.key=value`:
 * each value is parsed as YAML and grafted onto the config's document before
 * the key tables walk it (replacing the key's value, or adding the key and
 * the mappings above it), so an override meets exactly the checks a value
 * in the file would. Nodes added here have ids from parser.set_from up;
 * cfg_line gives them line 0, which messages print as "--set <key>".
 */
#include "core/config.h"
#include "core/keys.h"
#include "lib/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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

    if (cfg_load_yaml(&yp, &vd, value)) {
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

/* Split a dotted key "a.b.0.c" (or "a.b[0].c") into its steps, in place.
 * Returns the count, or 0 when a step is empty, a bracket unpaired, or there
 * are more than max steps. */
static size_t split_key(char *key, char **steps, size_t max)
{
    char *w = key;
    size_t n = 0, in_index = 0;  /* in_index: 1 + characters since '[' */

    /* "a[0].b" -> "a.0.b" (w never passes r: ']' is dropped) */
    for (const char *r = key; *r; r++) {
        if (*r == '[' && !in_index && r > key) {
            *w++ = '.';
            in_index = 1;
        } else if (*r == ']' && in_index > 1 && (!r[1] || r[1] == '.' || r[1] == '[')) {
            in_index = 0;
        } else if (*r == '[' || *r == ']' || (*r == '.' && in_index)) {
            return 0;
        } else {
            *w++ = *r;
            in_index += in_index > 0;
        }
    }
    *w = '\0';
    if (in_index)
        return 0;
    for (char *s = key;; ) {
        size_t len = strcspn(s, ".");

        if (!len || n == max)
            return 0;
        steps[n++] = s;
        if (!s[len])
            return n;
        s[len] = '\0';
        s += len + 1;
    }
}

/* The slot (a mapping pair's value or a list item) holding step of node cur,
 * in *slot, or NULL when cur has none (a new key of a mapping, or the item
 * one past the end of a list). Returns -1 after a message when cur is a list
 * and step no item number up to its length. */
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
        return config_error(p->file, 0, key, "'%s' has no item %ld (it has %zu; item %zu "
                            "adds one)", where, i, len, len);
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

static int is_collection(struct parser *p, int id)
{
    yaml_node_t *n = yaml_document_get_node(p->main, id);
    return n->type == YAML_MAPPING_NODE || n->type == YAML_SEQUENCE_NODE;
}

static int new_mapping(struct parser *p)
{
    return yaml_document_add_mapping(p->main, NULL, YAML_BLOCK_MAPPING_STYLE);
}

/* Walk steps[0..n) from the root and put node `value` under the last one:
 * in place of the value there, or as a new key (or last list item). On the
 * way, a missing key gets a new mapping, and so does a key holding a scalar
 * or null ("search:" then search.nprobe=2). */
static int set_graft(struct parser *p, const char *key, char **steps, size_t n, int value)
{
    yaml_node_t *root = yaml_document_get_root_node(p->main);  /* cfg_apply_sets made one */
    char where[256] = "top level";
    int cur = 1;

    /* a root that is no mapping is refused by parse_document, overrides or not */
    if (root->type != YAML_MAPPING_NODE && root->type != YAML_SEQUENCE_NODE)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int last = i + 1 == n, *slot, next;

        if (set_find(p, key, where, cur, steps[i], &slot))
            return -1;
        if (slot && last) {
            *slot = value;
            return 0;
        }
        if (slot && is_collection(p, *slot)) {
            next = *slot;
        } else if (slot) {
            if (!(next = new_mapping(p)))
                break;
            *slot = next;  /* slot is in cur's own array, which adding nodes leaves be */
        } else {
            next = last ? value : new_mapping(p);
            if (!next || set_add(p, cur, steps[i], next))
                break;
            if (last)
                return 0;
        }
        cur = next;
        if (!i)
            snprintf(where, sizeof(where), "%s", steps[i]);
        else
            snprintf(where + strlen(where), sizeof(where) - strlen(where), ".%s", steps[i]);
    }
    return error("out of memory applying --set %s", key);
}

/* Apply one override "dotted.key=value" to the config's document. */
static int set_apply(struct parser *p, const char *set)
{
    const char *eq = strchr(set, '=');
    char clean[128], *key, *steps[32];
    size_t n;
    int value, r = -1;

    clean_copy(clean, sizeof(clean), set, SIZE_MAX);
    if (!eq)
        return config_error(p->file, 0, clean, "expected key=value");
    if (eq == set)
        return config_error(p->file, 0, clean, "expected key=value, the key is empty");
    key = xasprintf("%.*s", (int)(eq - set), set);
    clean_copy(clean, sizeof(clean), key, SIZE_MAX);
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

int cfg_apply_sets(struct parser *p, const char *const *sets, size_t n_sets)
{
    if (n_sets)
        p->set_from = (int)(p->main->nodes.top - p->main->nodes.start) + 1;
    /* an empty file: the overrides make its root mapping, node 1 */
    if (n_sets && !yaml_document_get_root_node(p->main) &&
        !yaml_document_add_mapping(p->main, NULL, YAML_BLOCK_MAPPING_STYLE))
        return error("out of memory applying --set");
    for (size_t i = 0; i < n_sets; i++)
        if (set_apply(p, sets[i]))
            return -1;
    return 0;
}
