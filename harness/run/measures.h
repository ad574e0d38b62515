/*
 * measures.h - the registry of per-point measures (out/measure.h): which
 * ones a config turns on, and every one there is, for the schema. The only
 * place where the generic run meets a study's measure by name.
 */
#ifndef FS_MEASURES_H
#define FS_MEASURES_H

#include <stddef.h>
#include <stdio.h>
#include "core/config.h"
#include "out/measure.h"
#include "rvc/measure.h"

#define RUN_MAX_MEASURES 4

/* The active measures of a run, in column order, with their settings. */
struct run_measures {
    const struct measure *list[RUN_MAX_MEASURES];
    size_t n;
    struct rvc_measure rvc;     /* rvc: with blend_k > 0 */
};

/* The measures cfg asks for (cfg borrowed for their life). */
void run_measures_init(struct run_measures *ms, const struct config *cfg);
/* The neighbour depth a run needs: max(kmax, each measure's depth). */
size_t run_measures_depth(const struct run_measures *ms, size_t kmax);

/* The results schema with every known measure, as Markdown (for the
 * README and `faiss-sweep help-results`). */
void run_print_schema(FILE *f);

#endif
