/*
 * config.c - the config engine: read a YAML document with libyaml, apply
 * the --set overrides to it (config_set.c), and walk it against the key
 * tables of keys.c into struct config, and print the Markdown reference
 * (`faiss-sweep help-config`). The typed value parsers the tables use are in
 * config_value.c; nodes, documents and messages (config_error, "did you
 * mean") in config_node.c, below both.
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

int cfg_parse_section(struct parser *p, const struct key *k, yaml_node_t *n,
                      void *base, const char *path)
{
    return cfg_parse_mapping(p, n, k->sub, cfg_field(base, k), path, p->key_line);
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
    cfg->cache_dir_set = cfg->cache_dir != NULL;
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

/* No config is this large: a bigger file (or /dev/zero, which read_file_max
 * refuses as not a regular file) is not read into memory. */
#define CONFIG_MAX_BYTES ((size_t)16 << 20)

int config_load_set(struct config *cfg, const char *path, const char *const *sets,
                    size_t n_sets)
{
    const char *slash = strrchr(path, '/');
    char *text, *dir;
    int ret;

    memset(cfg, 0, sizeof(*cfg));
    text = read_file_max(path, NULL, CONFIG_MAX_BYTES, "a config file");
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
    free(cfg->ci.targets.v);
    free(cfg->ci.reference);
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


