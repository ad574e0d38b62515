/*
 * precompute.c - `faiss-sweep prepare`: the cache entries every task of a
 * run would otherwise compute (precompute.h). The ground truths come from
 * run_ground_truths (shared.c), exactly as a run gets them; a coarse
 * quantizer is keyed on the build's prepared training rows
 * (quantizer_key), so each build is prepared (prepare_build) as its task
 * will prepare it, and its centroids trained as core/build.c trains them
 * (an IVF<nlist>,Flat of the build's metric) and put into the cache. A
 * build trained on a base of its own (k-means compression, alpha
 * expansion of the base) is left to its task: its preprocessing is the
 * long part, and no other build shares those centroids.
 */
#include "run/precompute.h"
#include "core/build.h"
#include "core/quantizers.h"
#include "lib/backend.h"
#include "lib/util.h"
#include "run/prepare.h"
#include "run/shared.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The coarse quantizer of build b, from the cache or trained into it.
 * Returns 0 (also for a build without one) or -1 after an error. */
static int quantizer(struct quantizer_cache *qc, const struct run_vectors *v,
                     const struct build_point *b, uint64_t seed, struct expand_cache *xc)
{
    enum backend_metric metric = run_backend_metric(b->metric);
    size_t d = rv_base(v, b->metric)->d, nlist, nb;
    struct fs_index *idx = NULL;
    struct prepared prep;
    struct build_point only;
    const float *xb;
    char why[512];
    double t0;
    int rc = -1, has;

    if (backend_create(&idx, b->factory, (int)d, metric, why, sizeof(why)))
        return 0;       /* the preflight skipped it: unknown to this faiss */
    has = backend_ivf_flat_quantizer(idx);
    nlist = has ? backend_nlist(idx) : 0;
    backend_free(idx);
    if (!has)
        return 0;
    if (b->n_clusters > 0 || (b->num_expand > 0 && (b->expand_on & EXPAND_BASE))) {
        /* Its training rows are its own preprocessing's (hours at 300k): its task's work. */
        info("coarse quantizer IVF%zu (%s %s %s): left to its task (trained on its own "
             "preprocessed base)", nlist, b->factory, metric_name(b->metric), b->prep);
        return 0;
    }
    only = *b;
    only.num_expand = 0;        /* the queries' expansion leaves the training rows as they are */
    t0 = now_s();
    if (!prepare_build(&prep, v, &only, seed, xc)) {
        uint64_t key;
        xb = prepared_base(&prep, v, b, &nb);
        if (b->train_rows > 0 && (size_t)b->train_rows < nb)
            nb = (size_t)b->train_rows;     /* trained on its first rows (build_index) */
        key = quantizer_key(xb, nb, d, metric, nlist);
        if (quantizer_cache_get(qc, key, nlist, d)) {
            info("coarse quantizer IVF%zu (%s %s%s%s): from cache", nlist, b->factory,
                 metric_name(b->metric), *b->prep ? " " : "", b->prep);
            rc = 0;
        } else {
            float *c = xmalloc(nlist * d * sizeof(float) + 1);
            double t1 = now_s();
            if (!(rc = build_train_coarse(nlist, metric, xb, nb, d, c))) {
                quantizer_cache_put(qc, key, nlist, d, c, now_s() - t1);
                info("coarse quantizer IVF%zu (%s %s%s%s): computed in %.1f s", nlist,
                     b->factory, metric_name(b->metric), *b->prep ? " " : "", b->prep,
                     now_s() - t0);
            }
            free(c);
        }
    }
    prepared_release(&prep);
    return rc;
}

int precompute_run(const char *config_path, const char *output_dir, const char *const *sets,
                   size_t n_sets)
{
    struct sweep_setup s;
    struct run_vectors v;
    struct ground_truth (*gt)[3] = NULL;
    struct quantizer_cache qc;
    struct expand_cache xc = { 0 };
    int rc = -1;

    memset(&v, 0, sizeof(v));
    quantizer_cache_init(&qc, NULL);
    if (sweep_setup_load(&s, config_path, sets, n_sets))
        goto out;
    /* -o moves a cache_dir the config does not give, as for run. */
    if (output_dir && !s.cfg.cache_dir_set) {
        free(s.cfg.cache_dir);
        s.cfg.cache_dir = xasprintf("%s/cache", output_dir);
    }
    if (make_dirs(s.cfg.cache_dir) ||
        run_vectors_init(&v, &s.ds, run_uses_metric(&s.cfg, METRIC_COSINE)))
        goto out;
    gt = xcalloc(s.n_sizes, sizeof(*gt));
    {
        struct gt_need n = { &s.cfg, &s.ds, &v, s.sizes, s.n_sizes, s.kdeep, s.kmax, NULL };
        if (run_ground_truths(&n, gt))
            goto out;
    }
    quantizer_cache_release(&qc);
    quantizer_cache_init(&qc, s.cfg.cache_dir);
    for (size_t i = 0; s.cfg.reuse_quantizers && i < s.grid.n_builds; i++) {
        const struct build_point *b = &s.grid.builds[i];
        int measured = 0;
        for (size_t j = 0; j < b->n_points; j++)
            measured |= !b->points[j].skip;     /* a build with no point is not built */
        if (measured && quantizer(&qc, &v, b, s.cfg.dataset.seed, &xc))
            goto out;
    }
    printf("cache ready: %s\n", s.cfg.cache_dir);
    rc = 0;
out:
    for (size_t z = 0; gt && z < s.n_sizes; z++)
        for (int m = 0; m < 3; m++)
            ground_truth_release(&gt[z][m]);
    free(gt);
    expand_cache_release(&xc);
    quantizer_cache_release(&qc);
    run_vectors_release(&v);
    sweep_setup_release(&s);
    return rc;
}
