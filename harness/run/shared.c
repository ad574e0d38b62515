/*
 * shared.c - the setup steps of a sweep that run.c, plan.c and
 * precompute.c share (see shared.h).
 */
#include "run/shared.h"
#include "core/groundtruth.h"
#include "lib/util.h"
#include "lib/version.h"
#include "out/results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum backend_metric run_backend_metric(enum metric m)
{
    return m == METRIC_L2 ? BACKEND_L2 : BACKEND_IP;
}

int run_uses_metric(const struct config *cfg, enum metric m)
{
    for (size_t i = 0; i < cfg->n_metrics; i++)
        if (cfg->metrics[i] == m)
            return 1;
    return 0;
}

size_t run_ladder(const struct config *cfg, const struct dataset *ds, size_t **sizes)
{
    const struct long_list *sz = &cfg->dataset.sizes;
    size_t n = 0;

    *sizes = xmalloc((sz->n ? sz->n : 1) * sizeof(**sizes));
    for (size_t i = 0; i < sz->n; i++) {
        size_t rows = dataset_prefix_rows(ds, (size_t)sz->v[i]);
        if (!n || (*sizes)[n - 1] != rows)
            (*sizes)[n++] = rows;
    }
    if (!n)
        (*sizes)[n++] = ds->base.n;
    return n;
}

/* One that names an index component the linked faiss lacks (a later
 * release's: backend_unknown_component) has every point of its build
 * skipped as "unknown to faiss X.Y" instead, so one config serves every
 * version. */
int run_preflight(const struct grid *g, const struct config *cfg, size_t d,
                  char *unknown_skip, size_t len)
{
    snprintf(unknown_skip, len, "unknown to faiss %s", version_faiss());
    for (size_t i = 0; i < g->n_builds; i++) {
        const struct build_point *b = &g->builds[i];
        struct fs_index *idx;
        const char *comp;
        char why[512], key[48];
        snprintf(key, sizeof(key), "indexes[%d].factory", b->spec_no);
        if (!backend_create(&idx, b->factory, (int)d,
                            run_backend_metric(b->metric), why, sizeof(why))) {
            backend_free(idx);
        } else if ((comp = backend_unknown_component(b->factory, (int)d,
                                                     run_backend_metric(b->metric), why))) {
            info("%s %s: faiss %s has no %s: its %zu points are skipped", b->factory,
                 metric_name(b->metric), version_faiss(), comp, b->n_points);
            for (size_t j = 0; j < b->n_points; j++)
                b->points[j].skip = unknown_skip;
        } else {
            return config_error(cfg->path, b->spec->line, key,
                                "faiss cannot build '%s' for d=%zu: %s", b->factory,
                                d, why);
        }
        if (strlen(b->factory) >= sizeof(((struct result_row *)0)->factory))
            return config_error(cfg->path, b->spec->line, key,
                                "'%s' is longer than the %zu characters the results file keeps",
                                b->factory, sizeof(((struct result_row *)0)->factory) - 1);
    }
    return 0;
}

int run_ground_truths(const struct gt_need *n, struct ground_truth (*gt)[3])
{
    for (size_t z = 0; z < n->n_sizes; z++) {
        size_t N = n->sizes[z];
        uint64_t key = n->n_sizes > 1 ? hash_bytes(n->ds->hash, &N, sizeof(N)) : n->ds->hash;
        for (int mi = METRIC_L2; mi <= METRIC_COSINE; mi++) {
            enum metric m = (enum metric)mi;
            const struct vecs *b = rv_base(n->vec, m), *q = rv_queries(n->vec, m);
            struct ground_truth *g = &gt[z][m];
            int cached;
            double t0 = now_s();
            if (!run_uses_metric(n->cfg, m) || (n->use && !n->use[z * 3 + m]))
                continue;
            if (z == n->n_sizes - 1 &&
                !groundtruth_stored(g, n->ds, m, b, q, n->kdeep, n->kmax)) {
                info("ground truth (N=%zu, %s, k=%zu): from the file, checked on a sample",
                     N, metric_name(m), g->k);
                continue;
            }
            if (groundtruth_get(g, b->x, rv_rows(n->vec, m, N), q->x, q->n, b->d,
                                run_backend_metric(m), metric_name(m), n->kdeep + GT_TIE_MARGIN,
                                key, n->cfg->cache_dir, &cached))
                return -1;
            info("ground truth (N=%zu, %s, k=%zu): %s in %.1f s", N, metric_name(m), g->k,
                 cached ? "from cache" : "computed", now_s() - t0);
        }
        for (int mi = METRIC_L2; mi <= METRIC_COSINE; mi++) {
            enum metric m = (enum metric)mi;
            const struct vecs *b = rv_base(n->vec, m);
            groundtruth_tie_oracle(&gt[z][m], b->x, rv_rows(n->vec, m, N),
                                   rv_queries(n->vec, m)->x, b->d, m != METRIC_L2);
        }
    }
    return 0;
}

int sweep_setup_load(struct sweep_setup *s, const char *config_path, const char *const *sets,
                     size_t n_sets)
{
    memset(s, 0, sizeof(*s));
    if (config_load_set(&s->cfg, config_path, sets, n_sets))
        return -1;
    s->threads = s->cfg.measure.threads ? s->cfg.measure.threads : backend_threads();
    backend_set_threads(s->threads);
    if (dataset_load(&s->ds, &s->cfg.dataset) ||
        grid_check_sizes(&s->cfg, s->ds.base.n, s->ds.base_path))
        return -1;
    s->kmax = (size_t)s->cfg.k.v[s->cfg.k.n - 1];
    run_measures_init(&s->ms, &s->cfg);
    s->kdeep = run_measures_depth(&s->ms, s->kmax);
    if (s->kdeep > s->ds.base.n)
        return error("k too large in '%s': %zu neighbours exceed the %zu base vectors",
                     s->cfg.path, s->kdeep, s->ds.base.n);
    s->n_sizes = run_ladder(&s->cfg, &s->ds, &s->sizes);
    if (grid_expand(&s->grid, &s->cfg, s->sizes, s->n_sizes, s->ds.base.d) ||
        grid_check_measurable(&s->grid, &s->cfg) ||
        run_preflight(&s->grid, &s->cfg, s->ds.base.d, s->unknown_skip, sizeof(s->unknown_skip)))
        return -1;
    return 0;
}

void sweep_setup_release(struct sweep_setup *s)
{
    grid_release(&s->grid);
    free(s->sizes);
    dataset_release(&s->ds);
    config_release(&s->cfg);
    memset(s, 0, sizeof(*s));
}
