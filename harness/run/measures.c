/*
 * measures.c - which measures a config turns on: rvc.blend_k > 0 gives
 * RVC's blend fidelity, its settings passed as plain numbers.
 */
#include "run/measures.h"

#include <string.h>

void run_measures_init(struct run_measures *ms, const struct config *cfg)
{
    memset(ms, 0, sizeof(*ms));
    if (cfg->rvc.blend_k > 0)
        ms->list[ms->n++] = rvc_measure_init(&ms->rvc, (size_t)cfg->rvc.blend_k,
                                             cfg->rvc.index_rate.v, cfg->rvc.index_rate.n);
}

size_t run_measures_depth(const struct run_measures *ms, size_t kmax)
{
    size_t k = kmax;
    for (size_t i = 0; i < ms->n; i++)
        if (ms->list[i]->depth > k)
            k = ms->list[i]->depth;
    return k;
}

void run_print_schema(FILE *f)
{
    struct rvc_measure rvc;
    const struct measure *all[] = { rvc_measure_init(&rvc, 8, NULL, 0) };
    results_print_schema(f, all, sizeof(all) / sizeof(all[0]));
}
