/*
 * config.c - the config engine: read a YAML document with libyaml, apply
 * the --set overrides to it (config_set.c), and walk it against the key
 * tables of keys.c into struct config; config-located messages
 * (config_error), "did you mean", and the printer of the Markdown reference
 * (`faiss-sweep help-config`). The typed value parsers the tables use are in
 * config_value.c.
 *
 * A section is a table of keys (fio style; see keys.h). Walking a mapping
 * looks each key up in its section ("did you mean" for unknown ones), parses
 * its value with the key's function, fills in the defaults of the keys not
 * given (YAML text in the table, parsed like input) and runs the section's
 * cross-key check.
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

int cfg_apply_preset(struct parser *p, yaml_node_t *map, const struct section *sec,
                     void *base, const char *path, int line, const char *name,
                     const char *text)
{
    yaml_parser_t yp;
    yaml_document_t doc, *saved = p->doc;
    yaml_node_t *root;
    int r = 0;

    if (cfg_load_yaml(&yp, &doc, text)) {
        yaml_parser_delete(&yp);
        return error("BUG: bad YAML for preset '%s'", name);
    }
    root = yaml_document_get_root_node(&doc);
    /* first the conflicts, against the user's document */
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         !r && pair < root->data.mapping.pairs.top; pair++) {
        yaml_node_t *kn = yaml_document_get_node(&doc, pair->key);
        const char *kname = (const char *)kn->data.scalar.value;
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
        else if (seen[k - sec->keys] && cfg_line(p, seen[k - sec->keys]))
            r = cfg_fail(p, cfg_line(p, kn), path, "duplicate key (first given at line %d)",
                         cfg_line(p, seen[k - sec->keys]));
        else if (seen[k - sec->keys])  /* twice in one --set value */
            r = cfg_fail(p, cfg_line(p, kn), path, "duplicate key");
        if (!r && k) {
            seen[k - sec->keys] = kn;
            p->key_line = cfg_line(p, kn);
            if (!((k->flags & KEY_NULLABLE) && cfg_is_null(vn)))
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

    if (cfg_load_yaml(&yp, &doc, text)) {
        yaml_fail(&p, &yp, text);
        yaml_parser_delete(&yp);
        goto out;
    }
    p.doc = p.main = &doc;
    ret = cfg_apply_sets(&p, sets, n_sets);
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
        md_cell(f, k->type_of ? k->type_of() : k->type, 0);
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


