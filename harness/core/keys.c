/*
 * keys.c - the key tables of every config section (top level, dataset,
 * indexes[], indexes[].expand, search, measure, rvc) and the small parsers
 * and cross-key checks of their keys. A key is added here, in one place: its
 * parsing, default, "did you mean" and its line in the reference all come
 * from its entry (see keys.h; the engine that walks the tables is config.c,
 * the rules and presets the keys name are rules.c).
 */
#include "core/config.h"
#include "core/keys.h"
#include "core/rules.h"
#include "io/dataset.h"
#include "out/results.h"
#include "lib/util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
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

/* ---------- per-key parsers ---------- */

/* nprobe: values (1..INT_MAX, faiss's int), or {rule: rvc-2023-04 | all}
 * (rules.h). */
static int get_nprobe(struct parser *p, yaml_node_t *n, const char *path, struct nprobe_spec *out)
{
    static const char *const forms[] = { "rule", NULL };
    yaml_node_t *v;
    char *vpath = NULL;
    int r;

    if (n->type != YAML_MAPPING_NODE) {
        out->kind = NPROBE_LIST;
        /* faiss keeps nprobe in an int */
        return cfg_get_long_list(p, n, path, 1, INT_MAX, &out->values);
    }
    if (cfg_get_form(p, n, path, forms, &v, &vpath) < 0)
        return -1;
    r = cfg_get_choice(p, v, vpath, "rule", rule_nprobe_names);
    free(vpath);
    if (r < 0)
        return -1;
    out->kind = rule_nprobe_kinds[r];
    return 0;
}

/* The name goes into a file name, so keep it to a safe alphabet. */
static int parse_name(struct parser *p, const struct key *k, yaml_node_t *n,
                      void *base, const char *path)
{
    const char *s = NULL;
    char buf[80];

    if (cfg_get_string(p, n, path, &s))
        return -1;
    if (!*s || s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")])
        return cfg_fail(p, cfg_line(p, n), path,
                        "expected letters, digits, '.', '_' or '-' only, got %s",
                        cfg_describe(n, buf, sizeof(buf)));
    *(char **)cfg_field(base, k) = xstrdup(s);
    return 0;
}

static int parse_format(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    int i = cfg_get_choice(p, n, path, "format", dataset_formats);

    if (i < 0)
        return -1;
    *(char **)cfg_field(base, k) = xstrdup(dataset_formats[i]);
    return 0;
}

static int parse_rvc_version(struct parser *p, const struct key *k, yaml_node_t *n,
                             void *base, const char *path)
{
    static const char *const versions[] = { "v1", "v2", NULL };
    int i = cfg_get_choice(p, n, path, "RVC version", versions);

    if (i < 0)
        return -1;
    *(char **)cfg_field(base, k) = xstrdup(versions[i]);
    return 0;
}

/* dataset.base: a path, or a list of them read one after the other. */
static int parse_base(struct parser *p, const struct key *k, yaml_node_t *n,
                      void *base, const char *path)
{
    struct dataset_spec *ds = base;
    size_t len;

    (void)k;
    if (n->type != YAML_SEQUENCE_NODE)
        return cfg_get_path(p, n, path, &ds->base);
    len = cfg_seq_len(n);
    if (!len)
        return cfg_fail(p, cfg_line(p, n), path, "expected a path or a non-empty list of paths");
    ds->base_more = xcalloc(len, sizeof(*ds->base_more));
    for (size_t i = 0; i < len; i++) {
        char *ip = cfg_subpath(path, NULL, i);
        int r = cfg_get_path(p, cfg_seq_item(p, n, i), ip, i ? &ds->base_more[i - 1] : &ds->base);
        free(ip);
        if (r)
            return -1;
        ds->n_base_more = i;
    }
    return 0;
}

/* The scale ladder: base sizes, ascending; the line is kept for the check
 * against N, which only dataset_load can make. */
static int parse_sizes(struct parser *p, const struct key *k, yaml_node_t *n,
                       void *base, const char *path)
{
    struct dataset_spec *ds = base;

    if (cfg_get_long_list(p, n, path, k->min, k->max, &ds->sizes))
        return -1;
    ds->sizes.n = sort_unique_long(ds->sizes.v, ds->sizes.n);
    ds->sizes_line = p->key_line;
    return 0;
}

/* Stored sorted and unique: one results column per k. */
static int parse_k(struct parser *p, const struct key *k, yaml_node_t *n,
                   void *base, const char *path)
{
    struct long_list *l = cfg_field(base, k);

    if (cfg_get_long_list(p, n, path, k->min, k->max, l))
        return -1;
    l->n = sort_unique_long(l->v, l->n);
    if (l->n > RESULTS_MAX_KS)
        return cfg_fail(p, cfg_line(p, n), path, "at most %d different values, got %zu",
                        RESULTS_MAX_KS, l->n);
    return 0;
}

static int add_metric(struct parser *p, yaml_node_t *n, const char *path, void *ctx)
{
    struct config *cfg = ctx;
    int m = cfg_get_choice(p, n, path, "metric", metric_names);

    if (m < 0)
        return -1;
    for (size_t i = 0; i < cfg->n_metrics; i++)
        if ((int)cfg->metrics[i] == m)
            return cfg_fail(p, cfg_line(p, n), path, "metric '%s' given twice", metric_names[m]);
    cfg->metrics[cfg->n_metrics++] = (enum metric)m;
    return 0;
}

static int parse_metrics(struct parser *p, const struct key *k, yaml_node_t *n,
                         void *base, const char *path)
{
    struct config *cfg = base;
    (void)k;

    cfg->metrics = xcalloc(cfg_n_items(n), sizeof(*cfg->metrics));
    return cfg_each_item(p, n, path, "a metric or a list of metrics", add_metric, cfg);
}

static int parse_nprobe(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    return get_nprobe(p, n, path, cfg_field(base, k));
}

static int parse_nlist(struct parser *p, const struct key *k, yaml_node_t *n,
                       void *base, const char *path)
{
    static const char *const forms[] = { "sqrt", "rule", NULL };
    struct index_spec *ix = base;
    struct long_list l = { NULL, 0 };
    yaml_node_t *v;
    char *vpath = NULL;
    int r;
    (void)k;

    if (n->type != YAML_MAPPING_NODE) {
        r = cfg_get_long_list(p, n, path, 1, INT_MAX, &l);  /* faiss's int */
        if (!r) {
            ix->nlist_kind = NLIST_LIST;
            ix->nlist.v = xcalloc(l.n, sizeof(double));
            for (ix->nlist.n = 0; ix->nlist.n < l.n; ix->nlist.n++)
                ix->nlist.v[ix->nlist.n] = (double)l.v[ix->nlist.n];
        }
        free(l.v);
        return r;
    }
    r = cfg_get_form(p, n, path, forms, &v, &vpath);
    if (r == 0) {
        ix->nlist_kind = NLIST_SQRT;
        r = cfg_get_double_list(p, v, vpath, 1, &ix->nlist);
    } else if (r == 1) {
        r = cfg_get_choice(p, v, vpath, "rule", rule_nlist_names);
        if (r >= 0) {
            ix->nlist_kind = rule_nlist_kinds[r];
            r = 0;
        }
    }
    free(vpath);
    return r < 0 ? -1 : 0;
}

/* k-means compression of the base: n_clusters values (0 = none), sorted and
 * unique, or {rule: rvc}. */
static int parse_kmeans(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    static const char *const forms[] = { "rule", NULL };
    struct prep_spec *pr = cfg_field(base, k);
    yaml_node_t *v;
    char *vpath = NULL;
    int r;

    if (n->type != YAML_MAPPING_NODE) {
        if (cfg_get_long_list(p, n, path, 0, LONG_MAX, &pr->kmeans))
            return -1;
        pr->kmeans.n = sort_unique_long(pr->kmeans.v, pr->kmeans.n);
        return 0;
    }
    if (cfg_get_form(p, n, path, forms, &v, &vpath) < 0)
        return -1;
    r = cfg_get_choice(p, v, vpath, "rule", rule_kmeans_names);
    free(vpath);
    if (r < 0)
        return -1;
    pr->kmeans_rule_rvc = 1;  /* the one rule */
    return 0;
}

/* Alpha of query expansion: any finite real. */
static int parse_alpha(struct parser *p, const struct key *k, yaml_node_t *n,
                       void *base, const char *path)
{
    return cfg_get_double_list(p, n, path, 0, cfg_field(base, k));
}

static const char *const expand_on_names[] = { "base", "queries", "both", NULL };
static const enum expand_on expand_on_values[] = { EXPAND_BASE, EXPAND_QUERIES, EXPAND_BOTH };

static int add_expand_on(struct parser *p, yaml_node_t *n, const char *path, void *ctx)
{
    struct prep_spec *pr = ctx;
    int i = cfg_get_choice(p, n, path, "value", expand_on_names);

    if (i < 0)
        return -1;
    for (size_t j = 0; j < pr->n_expand_on; j++)
        if (pr->expand_on[j] == expand_on_values[i])
            return cfg_fail(p, cfg_line(p, n), path, "'%s' given twice", expand_on_names[i]);
    pr->expand_on[pr->n_expand_on++] = expand_on_values[i];
    return 0;
}

/* base | queries | both, or a list of them (kept in the order given). */
static int parse_expand_on(struct parser *p, const struct key *k, yaml_node_t *n,
                           void *base, const char *path)
{
    struct prep_spec *pr = base;
    (void)k;

    pr->expand_on = xcalloc(cfg_n_items(n), sizeof(*pr->expand_on));
    return cfg_each_item(p, n, path, "base, queries or both, or a list of them",
                         add_expand_on, pr);
}

/* A preset's name (rules.h); its keys are applied by check_index. */
static int parse_preset(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    const char *s = NULL, *guess;
    char text[48], list[128];

    if (cfg_get_string(p, n, path, &s))
        return -1;
    for (int i = 0; rule_preset_names[i]; i++) {
        if (!strcmp(s, rule_preset_names[i])) {
            *(char **)cfg_field(base, k) = xstrdup(rule_preset_names[i]);
            return 0;
        }
    }
    clean_copy(text, sizeof(text), s, SIZE_MAX);
    cfg_join_names(list, sizeof(list), rule_preset_names);
    guess = cfg_suggest(s, rule_preset_names);
    if (guess)
        return cfg_fail(p, cfg_line(p, n), path,
                        "unknown preset '%s' (did you mean '%s'? known presets: %s)",
                        text, guess, list);
    return cfg_fail(p, cfg_line(p, n), path, "unknown preset '%s' (known presets: %s)", text, list);
}

/* Placeholders filled per run: {nlist}, {d} and {d/N}; nothing else. */
static int check_factory(struct parser *p, int line, const char *path, const char *f)
{
    for (const char *q = f; *q; q++) {
        const char *name = q + 1, *end;
        size_t len;

        if (*q == '}')
            return cfg_fail(p, line, path, "'}' without '{' in '%s'", f);
        if (*q != '{')
            continue;
        end = strchr(name, '}');
        if (!end)
            return cfg_fail(p, line, path, "'{' without '}' in '%s'", f);
        len = (size_t)(end - name);
        if (!(len == 5 && !strncmp(name, "nlist", 5)) && !(len == 1 && *name == 'd') &&
            !(len > 2 && !strncmp(name, "d/", 2) && strspn(name + 2, "0123456789") == len - 2 &&
              strspn(name + 2, "0") < len - 2))
            return cfg_fail(p, line, path,
                            "unknown placeholder '{%.*s}' (expected {nlist}, {d} or {d/N})",
                            (int)(len < 40 ? len : 40), name);
        q = end;
    }
    return 0;
}

static int parse_factory(struct parser *p, const struct key *k, yaml_node_t *n,
                         void *base, const char *path)
{
    if (cfg_parse_string(p, k, n, base, path))
        return -1;
    return check_factory(p, cfg_line(p, n), path, *(char **)cfg_field(base, k));
}

/* Like a section, but absent means "off": no defaults are filled in then. */
static int parse_expand(struct parser *p, const struct key *k, yaml_node_t *n,
                        void *base, const char *path)
{
    return cfg_parse_mapping(p, n, k->sub, cfg_field(base, k), path, p->key_line);
}

static int parse_indexes(struct parser *p, const struct key *k, yaml_node_t *n,
                         void *base, const char *path)
{
    struct config *cfg = base;
    char buf[80];

    if (n->type != YAML_SEQUENCE_NODE)
        return cfg_fail(p, cfg_line(p, n), path, "expected a list of mappings, got %s",
                        cfg_describe(n, buf, sizeof(buf)));
    if (!cfg_seq_len(n))
        return cfg_fail(p, cfg_line(p, n), path, "expected at least one index, got an empty list");
    cfg->indexes = xcalloc(cfg_seq_len(n), sizeof(*cfg->indexes));
    for (size_t i = 0; i < cfg_seq_len(n); i++) {
        yaml_node_t *item = cfg_seq_item(p, n, i);
        struct index_spec *ix = &cfg->indexes[cfg->n_indexes++];
        char *ip = cfg_subpath(path, NULL, i);
        int r;

        ix->line = cfg_line(p, item);
        r = cfg_parse_mapping(p, item, k->sub, ix, ip, cfg_line(p, item));
        free(ip);
        if (r)
            return -1;
    }
    return 0;
}

/* ---------- cross-key checks ---------- */

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
        return cfg_fail_key(p, map, line, path, "queries",
                            "not used with format ann-hdf5: the file's test set is the queries");
    if (ds->queries_format && !ds->queries)
        return cfg_fail_key(p, map, line, path, "queries_format", "given, but %s.queries is not",
                            path);
    if (ds->holdout_clips > 0 && ds->holdout_fraction > 0)
        return cfg_fail_key(p, map, line, path, "holdout_fraction",
                            "give holdout_clips or holdout_fraction, not both");
    if (clips && ds->queries)
        return cfg_fail_key(p, map, line, path, clip_key, "not used when %s.queries is given",
                            path);
    if (clips && !is_rvc(ds->format))
        return cfg_fail_key(p, map, line, path, clip_key,
                            "whole clips exist only with format rvc, not '%s'", ds->format);
    if (ds->rvc_version && !is_rvc(ds->format) && !is_rvc(ds->queries_format))
        return cfg_fail_key(p, map, line, path, "rvc_version", "only used with format rvc, not '%s'",
                            ds->format);
    return 0;
}

static int check_dataset(struct parser *p, yaml_node_t *map, void *base,
                         const char *path, int line)
{
    struct dataset_spec *ds = base;
    yaml_node_t *holdout = cfg_find_value(p, map, "holdout");
    const char *instead = ds->queries ? "queries" : !strcmp(ds->format, "ann-hdf5") ? "format"
                          : ds->holdout_clips > 0 ? "holdout_clips"
                          : ds->holdout_fraction > 0 ? "holdout_fraction" : NULL;

    ds->line = line;
    ds->file = xstrdup(p->file);
    if (check_queries_source(p, map, ds, path, line))
        return -1;
    if (holdout && instead) {
        char *hp = cfg_subpath(path, "holdout", 0);
        config_warning(p->file, cfg_line(p, holdout), hp, "ignored since %s.%s is given%s",
                       path, instead,
                       !strcmp(instead, "format") ? " as ann-hdf5 (its test set is the queries)"
                                                  : "");
        free(hp);
    }
    for (size_t i = 0; ds->base_limit > 0 && i < ds->sizes.n; i++)
        if (ds->sizes.v[i] > ds->base_limit)
            return cfg_fail_key(p, map, line, path, "sizes", "%ld exceeds base_limit %ld",
                                ds->sizes.v[i], ds->base_limit);
    return 0;
}

static const struct section index_section;

static int check_index(struct parser *p, yaml_node_t *map, void *base,
                       const char *path, int line)
{
    struct index_spec *ix = base;
    char *np;
    int wants, r = 0;

    if (ix->preset && cfg_apply_preset(p, map, &index_section, ix, path, line, ix->preset,
                                       rule_preset_yaml(ix->preset)))
        return -1;
    if (!ix->factory) {
        np = cfg_subpath(path, "factory", 0);
        r = cfg_fail(p, line, np, "missing required key");
        free(np);
        return r;
    }
    wants = strstr(ix->factory, "{nlist}") != NULL;
    np = cfg_subpath(path, "nlist", 0);
    if (ix->nlist_kind != NLIST_NONE && !wants)
        r = cfg_fail(p, cfg_line(p, cfg_find_value(p, map, "nlist")), np,
                     "given, but factory '%s' has no {nlist}", ix->factory);
    else if (ix->nlist_kind == NLIST_NONE && wants)
        r = cfg_fail(p, line, np, "missing; factory '%s' uses {nlist}", ix->factory);
    free(np);
    return r;
}

/* ---------- tables ---------- */

#define DS(f) offsetof(struct dataset_spec, f)
static const struct key dataset_keys[] = {
    { .name = "format", .parse = parse_format, .off = DS(format), .flags = KEY_REQUIRED,
      .type_of = formats_list,
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
    { .name = "queries", .parse = cfg_parse_path, .off = DS(queries), .flags = KEY_NULLABLE | KEY_DEF_DOC,
      .type = "path", .def = "none",
      .help = "query vectors; without them `holdout` base rows are held out as queries" },
    { .name = "base_limit", .parse = cfg_parse_long, .off = DS(base_limit), .min = 0, .max = LONG_MAX,
      .type = "int >= 0", .def = "0", .help = "use only the first n base rows; 0 = all" },
    { .name = "query_limit", .parse = cfg_parse_long, .off = DS(query_limit), .min = 0, .max = LONG_MAX,
      .type = "int >= 0", .def = "0", .help = "use only the first n queries; 0 = all" },
    { .name = "holdout", .parse = cfg_parse_long, .off = DS(holdout), .min = 1, .max = LONG_MAX,
      .type = "int >= 1", .def = "1000",
      .help = "base rows held out as queries when `queries` is not given" },
    { .name = "seed", .parse = cfg_parse_ulong, .off = DS(seed),
      .type = "int >= 0", .def = "1", .help = "seed of the holdout sample (rows or clips)" },
    { .name = "queries_format", .parse = parse_format, .off = DS(queries_format),
      .flags = KEY_NULLABLE | KEY_DEF_DOC, .type = "as `format`", .def = "`format`",
      .help = "format of the `queries` file when it differs from the base's "
              "(e.g. base tsv-id, queries tsv)" },
    { .name = "rvc_version", .parse = parse_rvc_version, .off = DS(rvc_version),
      .flags = KEY_NULLABLE | KEY_DEF_DOC, .type = "v1 | v2", .def = "auto",
      .help = "rvc folders: v1 reads 3_feature256/, v2 3_feature768/; "
              "auto takes 3_feature768/ if present" },
    { .name = "holdout_clips", .parse = cfg_parse_long, .off = DS(holdout_clips),
      .flags = KEY_DEF_DOC, .min = 1, .max = LONG_MAX, .type = "int >= 1", .def = "none",
      .help = "rvc without `queries`: hold out this many whole clips (files), drawn with "
              "`seed`, as queries from unseen audio (`query_limit` then cuts them)" },
    { .name = "holdout_fraction", .parse = cfg_parse_fraction, .off = DS(holdout_fraction),
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
    { .name = "num_expand", .parse = cfg_parse_long_list, .off = PP(num_expand), .flags = KEY_REQUIRED,
      .min = 1, .max = LONG_MAX, .cap = EXPAND_MAX, .type = "int or list of int, 1..4096",
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
    { .name = "label", .parse = cfg_parse_string, .off = IX(label), .flags = KEY_DEF_DOC,
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
    { .name = "k_factor", .parse = cfg_parse_long_list, .off = IX(k_factor), .flags = KEY_DEF_DOC,
      .min = 1, .max = LONG_MAX, .cap = K_FACTOR_MAX, .type = "int or list of int, 1..1024", .def = "`search.k_factor`",
      .help = "overrides search.k_factor for this index" },
    { .name = "shuffle", .parse = cfg_parse_bool, .off = IX(prep.shuffle),
      .type = "true | false", .def = "false",
      .help = "shuffle the base rows (seeded) before training, as RVC does" },
    { .name = "add_batch", .parse = cfg_parse_long, .off = IX(prep.add_batch),
      .min = 0, .max = LONG_MAX, .type = "int >= 0", .def = "0",
      .help = "add the base in batches of this many rows (RVC: 8192); 0 = one call" },
    { .name = "train_rows", .parse = cfg_parse_long, .off = IX(train_rows),
      .min = 0, .max = LONG_MAX, .type = "int >= 0", .def = "0",
      .help = "train on the first this many of the build's base rows (after `shuffle`); 0 = "
              "all. faiss's k-means samples at most 256 rows per list of what it gets; fewer "
              "than nlist rows skips the build. Not a match key of `compare`: a smaller "
              "training sample at the same settings is a quality change it must catch" },
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
      .help = "fill the entry as RVC builds its index today: rvc-default = `" RULE_PRESET_RVC_DEFAULT
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
#define CF(f) offsetof(struct config, f)
static const struct key search_keys[] = {
    { .name = "nprobe", .parse = parse_nprobe, .off = CF(nprobe),
      .type = "int, list of int, {rule: rvc-2023-04 | all}", .def = "[1]",
      .help = "IVF cells probed: explicit, `int(nlist**0.3)` (rvc-2023-04) or nlist (all: exact scan)" },
    { .name = "k_factor", .parse = cfg_parse_long_list, .off = CF(k_factor), .min = 1, .max = LONG_MAX,
      .cap = K_FACTOR_MAX,
      .type = "int or list of int, 1..1024", .def = "[1]",
      .help = "search `k*k_factor` candidates and re-rank (for refined indexes)" },
    { .name = NULL }
};

static const struct section search_section = {
    .title = "search", .help = "Search parameters swept for every index (unless overridden).",
    .keys = search_keys,
};

/* A finite number > 0 (seconds, or a ratio), at most k->cap when set. */
static int parse_seconds(struct parser *p, const struct key *k, yaml_node_t *n, void *base,
                         const char *path)
{
    double *v = cfg_field(base, k);

    if (cfg_get_number(p, n, path, 1, v))
        return -1;
    if (k->cap && *v > (double)k->cap) {
        char buf[80];
        return cfg_fail(p, cfg_line(p, n), path,
                        "expected a number > 0 and at most %ld (seconds), got %s", k->cap,
                        cfg_describe(n, buf, sizeof(buf)));
    }
    return 0;
}

/* A count of at least 1, or -1 for "all". */
static int parse_count_or_all(struct parser *p, const struct key *k, yaml_node_t *n, void *base,
                              const char *path)
{
    long v = 0;
    if (cfg_get_long(p, n, path, LONG_MIN, k->max, &v))
        return -1;
    if (v < 1 && v != -1)
        return cfg_fail(p, cfg_line(p, n), path,
                        "expected an integer >= 1 or -1 (all), got %ld", v);
    *(long *)cfg_field(base, k) = v;
    return 0;
}

#define MS(f) offsetof(struct measure_spec, f)
static const struct key measure_keys[] = {
    { .name = "repeats", .parse = cfg_parse_int, .off = MS(repeats), .min = 1, .max = INT_MAX,
      .type = "int >= 1", .def = "5",
      .help = "timed batch repetitions per point (fewer within `max_time`); qps is their median" },
    { .name = "warmup", .parse = cfg_parse_int, .off = MS(warmup), .min = 0, .max = INT_MAX,
      .cap = WARMUP_MAX,
      .type = "int, 0..100", .def = "1", .help = "untimed batch calls before calibration" },
    { .name = "min_time", .parse = parse_seconds, .off = MS(min_time), .cap = MIN_TIME_MAX,
      .type = "number in (0, 3600]", .def = "0.2",
      .help = "seconds one batch repetition lasts at least: calls per repetition are "
              "calibrated to it (one call when one call already lasts this long)" },
    { .name = "max_time", .parse = parse_seconds, .off = MS(max_time), .cap = MAX_TIME_MAX,
      .type = "number in (0, 86400]", .def = "10",
      .help = "time budget of a point: its repetitions (and, apart, its latency rounds) "
              "stop at the count that fits in these seconds, one at least" },
    { .name = "timing_queries", .parse = parse_count_or_all, .off = MS(timing_queries),
      .min = -1, .max = LONG_MAX, .type = "int >= 1 or -1", .def = "2000",
      .help = "queries timed: a fixed random subset of this many (the same for every point) is "
              "what batch repetitions and latency rounds search, so each repetition is short "
              "and more fit in the budget; recall always uses all queries; -1 = all" },
    { .name = "latency_queries", .parse = cfg_parse_long, .off = MS(latency_queries),
      .min = -1, .max = LONG_MAX, .type = "int >= -1", .def = "1000",
      .help = "queries timed one by one on one thread in each latency round, the first of the "
              "timed queries; -1 = all of them, 0 = none" },
    { .name = "latency_rounds", .parse = cfg_parse_int, .off = MS(latency_rounds), .min = 1,
      .max = INT_MAX, .cap = LATENCY_ROUNDS_MAX, .type = "int, 1..1000", .def = "5",
      .help = "rounds over the latency queries (fewer within `max_time`); percentiles pool "
              "all rounds, their spread across rounds is kept" },
    { .name = "noisy", .parse = parse_seconds, .off = MS(noisy),
      .type = "number > 0", .def = "0.10",
      .help = "precision asked of a point's speed: it is flagged `noisy` when the 95% interval "
              "of its median qps reaches further than this fraction from the median, or its "
              "latency rounds' p50 vary by a coefficient of variation above it" },
    { .name = "threads", .parse = cfg_parse_int, .off = MS(threads), .min = 0, .max = INT_MAX,
      .cap = THREADS_MAX,
      .type = "int, 0..256", .def = "0", .help = "OpenMP threads for batch search; 0 = all cores" },
    { .name = "interleave_mb", .parse = cfg_parse_int, .off = MS(interleave_mb), .min = 0,
      .max = INT_MAX, .type = "int >= 0", .def = "0",
      .help = "builds measured together: every round visits every point of the group, so a "
              "slow stretch of the machine touches one repetition of each point instead of "
              "all of one build's; a group closes once its indexes (and preprocessed bases) "
              "reach this many MiB; 0 = one build at a time" },
    { .name = NULL }
};
#undef MS

static const struct section measure_section = {
    .title = "measure", .help = "How timings are taken.", .keys = measure_keys,
};

#define RV(f) offsetof(struct rvc_spec, f)
static const struct key rvc_keys[] = {
    { .name = "blend_k", .parse = cfg_parse_long, .off = RV(blend_k), .min = 0, .max = 4096,
      .type = "int >= 0", .def = "0",
      .help = "neighbours blended as RVC does (RVC: 8); 0 = no blend-fidelity columns" },
    { .name = "index_rate", .parse = cfg_parse_unit_list, .off = RV(index_rate),
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

#define CI(f) offsetof(struct ci_spec, f)
static const struct key ci_keys[] = {
    { .name = "noise", .parse = parse_seconds, .off = CI(noise), .type = "number > 0",
      .def = "0.10",
      .help = "a time's change smaller than this fraction is noise, whatever the test says" },
    { .name = "alpha", .parse = cfg_parse_fraction, .off = CI(alpha), .type = "number 0..1",
      .def = "0.01", .help = "significance level of the Mann-Whitney test on the repetitions" },
    { .name = "recall_tol", .parse = cfg_parse_fraction, .off = CI(recall_tol),
      .type = "number 0..1", .def = "0.005",
      .help = "smallest recall drop flagged (larger when 2 standard errors over the trials are)" },
    { .name = "targets", .parse = cfg_parse_unit_list, .off = CI(targets),
      .type = "number 0..1 or list", .def = "[0.9, 0.95, 0.99]",
      .help = "recall targets of the front gates: the best qps reaching each" },
    { .name = "no_times", .parse = cfg_parse_bool, .off = CI(no_times), .type = "true | false",
      .def = "false", .help = "gate qualities, sizes and the fronts' reach only, not times" },
    { .name = "reference", .parse = cfg_parse_string, .off = CI(reference), .type = "factory",
      .help = "compare times divided by those of this factory's point of the same run "
              "(runs of different machines); none by default" },
    { .name = NULL }
};
#undef CI

static const struct section ci_section = {
    .title = "ci", .help = "Thresholds of `faiss-sweep compare --config` (the CI gates).",
    .keys = ci_keys,
};

static const struct key top_keys[] = {
    { .name = "name", .parse = parse_name, .off = CF(name), .flags = KEY_REQUIRED,
      .type = "string of A-Za-z0-9._-", .help = "run name, used in the results file name" },
    { .name = "dataset", .parse = cfg_parse_section, .off = CF(dataset), .flags = KEY_REQUIRED,
      .sub = &dataset_section, .type = "mapping", .help = "see `dataset` below" },
    { .name = "k", .parse = parse_k, .off = CF(k), .min = 1, .max = 4096,
      .type = "int or list of int, 1..4096, at most 8", .def = "[10]",
      .help = "recall@k is measured for each k (stored sorted, duplicates dropped)" },
    { .name = "metrics", .parse = parse_metrics,
      .type = "l2 | ip | cosine, or a list of them", .def = "[l2]",
      .help = "distances to sweep; cosine = ip on normalized vectors" },
    { .name = "indexes", .parse = parse_indexes, .flags = KEY_REQUIRED,
      .sub = &index_section, .type = "list of mappings", .help = "see `indexes[]` below" },
    { .name = "search", .parse = cfg_parse_section, .off = 0, .sub = &search_section,
      .type = "mapping", .help = "see `search` below" },
    { .name = "measure", .parse = cfg_parse_section, .off = CF(measure), .sub = &measure_section,
      .type = "mapping", .help = "see `measure` below" },
    { .name = "rvc", .parse = cfg_parse_section, .off = CF(rvc), .sub = &rvc_section,
      .type = "mapping", .help = "see `rvc` below" },
    { .name = "ci", .parse = cfg_parse_section, .off = CF(ci), .sub = &ci_section,
      .type = "mapping", .help = "see `ci` below" },
    { .name = "output_dir", .parse = cfg_parse_string, .off = CF(output_dir),
      .type = "path", .def = "results",
      .help = "where results files go; relative to the current directory" },
    { .name = "checkpoint_s", .parse = cfg_parse_long, .off = CF(checkpoint_s), .min = -1,
      .max = LONG_MAX, .type = "int >= -1", .def = "60",
      .help = "write the points measured so far to `<results>.checkpoint` when this many "
              "seconds have passed since the last write, after a build; the file goes when the "
              "run ends, so one left behind means the run died. 0 = after every build, -1 = never" },
    { .name = "cache_dir", .parse = cfg_parse_string, .off = CF(cache_dir), .flags = KEY_DEF_DOC,
      .type = "path", .def = "`<output_dir>/cache`",
      .help = "ground-truth cache and trained coarse quantizers; relative to the current "
              "directory; when not given, `run -o DIR` puts it in `DIR/cache`" },
    { .name = "reuse_quantizers", .parse = cfg_parse_bool, .off = CF(reuse_quantizers),
      .type = "true | false", .def = "true",
      .help = "an IVF build with a flat coarse quantizer takes its centroids from another "
              "build that trained the same ones (same training vectors, metric and nlist), in "
              "this run or, from `cache_dir`, an earlier one; false = every build trains its own" },
    { .name = NULL }
};
#undef CF

const struct section config_top_section = {
    .title = "top level", .help = "Keys of the config file.", .keys = top_keys,
};
