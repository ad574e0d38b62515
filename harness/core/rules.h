/*
 * rules.h - every named sizing rule and preset, in one place.
 *
 * A config names a rule ({rule: rvc} under indexes[].nlist, ...) instead of
 * numbers; the key tables (keys.c) take the names from here and the grid
 * (grid.c) the numbers. The formulas are those of RVC's train_index
 * (infer-web.py), as their comments say.
 */
#ifndef FS_RULES_H
#define FS_RULES_H

#include <stddef.h>
#include "core/config.h"

/* indexes[].nlist: {rule: NAME}. Names NULL-terminated; rule_nlist_kinds[i]
 * is the kind rule_nlist_names[i] selects. */
extern const char *const rule_nlist_names[];      /* "rvc-2023-04", "rvc" */
extern const enum nlist_kind rule_nlist_kinds[];

/* nlist of a rule for a base of N rows:
 *   NLIST_RULE_RVC_2023 (rvc-2023-04): N // 39
 *   NLIST_RULE_RVC      (rvc):         min(int(16 * sqrt(N)), N // 39)
 * 0 for the kinds that are not rules (and below 39 rows). */
long rule_nlist(enum nlist_kind kind, size_t N);

/* {sqrt: m}: round(m * sqrt(N)) (halves away from zero). */
long rule_nlist_sqrt(double m, size_t N);

/* search.nprobe and indexes[].nprobe: {rule: NAME}, as above. */
extern const char *const rule_nprobe_names[];     /* "rvc-2023-04", "all" */
extern const enum nprobe_kind rule_nprobe_kinds[];

/* nprobe of a rule for an index of nlist lists:
 *   NPROBE_RULE_RVC_2023 (rvc-2023-04): int(nlist ** 0.3)
 *   NPROBE_RULE_ALL      (all):         nlist (an exact scan)
 * 0 for the kinds that are not rules. */
long rule_nprobe(enum nprobe_kind kind, long nlist);

/* indexes[].kmeans: {rule: NAME}; the one rule is rvc. */
extern const char *const rule_kmeans_names[];     /* "rvc" */

/* RVC's k-means rule: a base of more than RULE_RVC_KMEANS_ABOVE rows is
 * compressed to RULE_RVC_KMEANS_CLUSTERS centroids; returns that count, or 0
 * (no compression) for N <= RULE_RVC_KMEANS_ABOVE. */
#define RULE_RVC_KMEANS_ABOVE 200000
#define RULE_RVC_KMEANS_CLUSTERS 10000
long rule_kmeans_rvc(size_t N);

/* Presets of an index entry (indexes[].preset): the entry as YAML flow text,
 * parsed with the entry's own keys. rvc-default builds the index as RVC does
 * today. The text is a macro so the key's help can quote it. */
#define RULE_PRESET_RVC_DEFAULT \
    "{factory: 'IVF{nlist},Flat', nlist: {rule: rvc}, nprobe: 1, shuffle: true, " \
    "kmeans: {rule: rvc}, add_batch: 8192}"
extern const char *const rule_preset_names[];     /* "rvc-default" */

/* The YAML text of a preset (static), or NULL when name is none. */
const char *rule_preset_yaml(const char *name);

#endif
