/*
 * keys.h - between the YAML engine (config.c, config_value.c, config_set.c)
 * and the key tables (keys.c); included by those files only.
 *
 * A section is a table of keys (fio style): each key has its name, the
 * function that parses its value, the offset of its field, its type, default
 * and help for the reference. config.c walks a YAML mapping against a
 * section: unknown keys get "did you mean", missing ones their default
 * (YAML text, parsed like input), then the section's cross-key check runs.
 * keys.c holds every section and the small parsers of its keys, built from
 * the typed value parsers declared here.
 *
 * Every message names the file, line and key through cfg_fail(); values
 * that came from a --set override have line 0 and are named "--set <key>"
 * (see config_error in config.h).
 */
#ifndef FS_KEYS_H
#define FS_KEYS_H

#include <stddef.h>
#include <yaml.h>
#include "core/config.h"

/* ---------- bounds of sanity (struct key's cap, set in keys.c) ----------
 * Values the types would allow but no sweep needs, refused by the config
 * (issue 13): past them faiss or libgomp fail without naming the key (an
 * overflowing k * k_factor, "libgomp: Out of memory"), memory runs out, or
 * a run never ends. Fixed numbers, so that a config valid on one machine
 * is valid on every other. */
#define THREADS_MAX 256          /* measure.threads (0 = all cores) */
#define K_FACTOR_MAX 1024        /* k_factor: k * k_factor <= 4096 * 1024 */
#define EXPAND_MAX 4096          /* expand.num_expand: neighbours searched, like k */
#define WARMUP_MAX 100           /* measure.warmup: untimed batch calls */
#define LATENCY_ROUNDS_MAX 1000  /* measure.latency_rounds */
#define MIN_TIME_MAX 3600        /* measure.min_time: seconds per repetition */
#define MAX_TIME_MAX 86400       /* measure.max_time: seconds per point */

struct parser;
struct key;
/* Parse the value n of key k into the section's struct at base; path names
 * the key in messages ("indexes[0].nprobe"). Returns 0, or -1 after one
 * message. */
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
    const char *(*type_of)(void); /* ... when another module owns the list (NULL: type) */
    const char *def;            /* YAML text of the default (parsed like input) */
    const char *help;
    unsigned flags;
    long min, max;              /* integer keys: the type's range */
    /* A bound of sanity above the type's range (0: none): values above it
     * (integers, or seconds for parse_seconds) are refused with a message
     * naming it, "expected an integer between min and cap, got v", while
     * values outside [min, max] keep the type's own message. */
    long cap;
    const struct section *sub;  /* mapping keys: their section */
};

struct parser {
    const char *file;         /* name used in messages */
    const char *basedir;      /* relative dataset paths are resolved against it */
    yaml_document_t *doc;     /* the document being read (a default's or a preset's
                                 while those are parsed) */
    yaml_document_t *main;    /* the config's document, overrides applied */
    int set_from;             /* nodes of main with this id or above came from
                                 --set overrides (INT_MAX: none) */
    int key_line;             /* line of the key whose value is being parsed */
};

/* The sections of the config, in keys.c: the top level and, through its
 * keys' .sub, every other. */
extern const struct section config_top_section;

/* ---------- nodes, documents and messages (config_node.c) ---------- */

/* Node `id` of the document being read. */
yaml_node_t *cfg_node(struct parser *p, int id);
/* The line of a node (from 1), or 0 when it came from a --set override. */
int cfg_line(const struct parser *p, const yaml_node_t *n);
/* config_error(p->file, line, path, ...): "<file>:<line>: <path>: <what>". */
int cfg_fail(struct parser *p, int line, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "<path>.<name>: <what>" at the line of that key's value in map (or `line`
 * when map does not have it). */
int cfg_fail_key(struct parser *p, yaml_node_t *map, int line, const char *path,
                 const char *name, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* "unknown <what> (did you mean '<name>'?)", or "(expected a, b or c)" when no
 * name of names (NULL-terminated) is within edit distance 2 of word. */
int cfg_fail_unknown(struct parser *p, int line, const char *path,
                     const char *what, const char *word, const char *const *names);
/* What a node holds, for "got ...": "a mapping", "a list", "nothing" or
 * "'text'" (in buf, cut and cleaned for one line). */
const char *cfg_describe(const yaml_node_t *n, char *buf, size_t size);
/* "a, b or c" from NULL-terminated names. */
void cfg_join_names(char *buf, size_t size, const char *const *names);
/* The closest of names within edit distance 2, or NULL. */
const char *cfg_suggest(const char *word, const char *const *names);
/* prefix.name, or prefix[i] when name is NULL; malloc'd, caller frees. */
char *cfg_subpath(const char *prefix, const char *name, size_t i);
/* The value of key `name` in mapping map (NULL: absent or map NULL). */
yaml_node_t *cfg_find_value(struct parser *p, yaml_node_t *map, const char *name);
/* The field of key k in the struct at base. */
void *cfg_field(void *base, const struct key *k);
/* Is n YAML's null: a plain "", "~", "null", "Null" or "NULL"? */
int cfg_is_null(const yaml_node_t *n);
/* Parse text into doc. On failure yp keeps the problem and its marks for the
 * caller's message (an allocation failure reads "out of memory"); the caller
 * deletes yp in both cases, and doc on success. */
int cfg_load_yaml(yaml_parser_t *yp, yaml_document_t *doc, const char *text);

/* ---------- typed values (config_value.c); each returns 0 or -1 after one message ---------- */

/* A string (not null); *out points into the document. */
int cfg_get_string(struct parser *p, yaml_node_t *n, const char *path, const char **out);
/* A plain decimal integer in [min, max] ("2.0", "0x10", quoted "10" refused). */
int cfg_get_long(struct parser *p, yaml_node_t *n, const char *path, long min, long max,
                 long *out);
/* A finite number, > 0 when positive ("expected a number > 0, got ..."). */
int cfg_get_number(struct parser *p, yaml_node_t *n, const char *path, int positive,
                   double *out);
/* One of names (NULL-terminated); returns its index, or -1 ("unknown <what>"). */
int cfg_get_choice(struct parser *p, yaml_node_t *n, const char *path, const char *what,
                   const char *const *names);
/* An integer or a non-empty list of them, each in [min, max]; out->v malloc'd. */
int cfg_get_long_list(struct parser *p, yaml_node_t *n, const char *path, long min,
                      long max, struct long_list *out);
/* A finite number (> 0 when positive) or a non-empty list; out->v malloc'd. */
int cfg_get_double_list(struct parser *p, yaml_node_t *n, const char *path, int positive,
                        struct double_list *out);
/* A path; relative ones are resolved against the config file's folder. */
int cfg_get_path(struct parser *p, yaml_node_t *n, const char *path, char **dst);
/* A one-key mapping such as {rule: rvc} or {sqrt: [4, 8]} (n a mapping):
 * returns the index of its key in names (or -1), its value in *value and its
 * path in *vpath (malloc'd, caller frees; NULL on failure). */
int cfg_get_form(struct parser *p, yaml_node_t *n, const char *path,
                 const char *const *names, yaml_node_t **value, char **vpath);

/* Items of a list: how many each_item will pass (1 for a scalar), to size an
 * array before it runs; a scalar or a non-empty list of scalars, fn on each
 * (list items at path[i]), a mapping refused as "expected <expected>". */
typedef int item_fn(struct parser *p, yaml_node_t *n, const char *path, void *ctx);
size_t cfg_n_items(const yaml_node_t *n);
size_t cfg_seq_len(const yaml_node_t *n);
yaml_node_t *cfg_seq_item(struct parser *p, const yaml_node_t *n, size_t i);
int cfg_each_item(struct parser *p, yaml_node_t *n, const char *path, const char *expected,
                  item_fn *fn, void *ctx);

/* Key parsers of the common types, for the tables: a non-empty string
 * (char *, malloc'd), a path (char *), long and int in [k->min, k->max],
 * unsigned long >= 0, a long list (each in [k->min, k->max]); the integer
 * ones also at most k->cap when it is set; true/false
 * (int), a fraction strictly between 0 and 1 (double), a list of distinct
 * numbers in [0, 1] (double_list). */
parse_fn cfg_parse_string, cfg_parse_path, cfg_parse_long, cfg_parse_int, cfg_parse_ulong,
    cfg_parse_long_list, cfg_parse_bool, cfg_parse_fraction, cfg_parse_unit_list;

/* A sub-section (k->sub) at the field; absent means its keys' defaults
 * (config.c, beside the walker it calls). */
parse_fn cfg_parse_section;

/* Parse map (NULL: absent) with the keys of sec into base. `line` is where
 * the mapping is named, for "missing required key". */
int cfg_parse_mapping(struct parser *p, yaml_node_t *map, const struct section *sec,
                      void *base, const char *prefix, int line);

/* A preset: the YAML mapping `text` parsed with the keys of sec into base
 * after the mapping map itself; a key both set is an error "set by preset
 * <name>" at that key. */
int cfg_apply_preset(struct parser *p, yaml_node_t *map, const struct section *sec,
                     void *base, const char *path, int line, const char *name,
                     const char *text);

/* Apply the overrides "dotted.key=value" to p->main, in order (config_set.c);
 * sets p->set_from first. Returns 0, or -1 after one message. */
int cfg_apply_sets(struct parser *p, const char *const *sets, size_t n_sets);

#endif
