/*
 * grid.c - config -> builds -> search points, with the named rules (rules.h)
 * resolved and combinations that do not apply marked as skipped.
 */
#include "core/grid.h"
#include "core/rules.h"
#include "lib/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SKIP_NPROBE_NLIST[] = "nprobe > nlist";
static const char SKIP_NPROBE_NO_IVF[] = "nprobe without IVF";
static const char SKIP_KF_NO_REFINE[] = "k_factor without refinement";
static const char SKIP_TRAIN_NLIST[] = "train_rows < nlist";

static void append(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = 2 * (*len + n + 1);
        *out = xrealloc(*out, *cap);
    }
    memcpy(*out + *len, s, n);
    *len += n;
    (*out)[*len] = '\0';
}

char *factory_resolve(const char *tmpl, long nlist, size_t d, char *errbuf, size_t errlen)
{
    size_t cap = 0, len = 0;
    char *out = NULL;
    const char *p = tmpl;

    append(&out, &len, &cap, "", 0);
    while (*p) {
        const char *end = strchr(p, '{');
        char val[32];
        if (!end)
            end = p + strlen(p);
        append(&out, &len, &cap, p, (size_t)(end - p));
        p = end;
        if (!*p)
            break;
        end = strchr(p, '}');
        if (!end) {
            snprintf(errbuf, errlen, "unclosed '{' in '%s'", tmpl);
            goto fail;
        }
        if (!strncmp(p, "{nlist}", 7) && nlist > 0) {
            snprintf(val, sizeof(val), "%ld", nlist);
        } else if (!strncmp(p, "{d}", 3)) {
            snprintf(val, sizeof(val), "%zu", d);
        } else if (!strncmp(p, "{d/", 3)) {
            char *num_end;
            long div = strtol(p + 3, &num_end, 10);
            if (num_end != end || div <= 0) {
                snprintf(errbuf, errlen, "bad placeholder '%.*s'", (int)(end - p + 1), p);
                goto fail;
            }
            if (d % (size_t)div) {
                snprintf(errbuf, errlen, "d=%zu is not divisible by %ld in '%s'", d, div, tmpl);
                goto fail;
            }
            snprintf(val, sizeof(val), "%zu", d / (size_t)div);
        } else {
            snprintf(errbuf, errlen, "unknown placeholder '%.*s'", (int)(end - p + 1), p);
            goto fail;
        }
        append(&out, &len, &cap, val, strlen(val));
        p = end + 1;
    }
    return out;
fail:
    free(out);
    return NULL;
}

/* An axis of the grid: values < 1 dropped (a rule can give 0 on a small
 * base: no such index), then sorted and unique; returns the count kept. */
static size_t axis_values(long *v, size_t n)
{
    size_t m = 0;

    for (size_t i = 0; i < n; i++)
        if (v[i] >= 1)
            v[m++] = v[i];
    return sort_unique_long(v, m);
}

size_t nlist_values(const struct index_spec *spec, size_t N, long **out)
{
    size_t n = spec->nlist.n ? spec->nlist.n : 1;
    long *v = xcalloc(n, sizeof(*v));

    switch (spec->nlist_kind) {
    case NLIST_NONE:
        n = 0;
        break;
    case NLIST_LIST:
        for (size_t i = 0; i < n; i++)
            v[i] = (long)spec->nlist.v[i];
        break;
    case NLIST_SQRT:
        for (size_t i = 0; i < n; i++)
            v[i] = rule_nlist_sqrt(spec->nlist.v[i], N);
        break;
    case NLIST_RULE_RVC_2023:
    case NLIST_RULE_RVC:
        n = 1;
        v[0] = rule_nlist(spec->nlist_kind, N);
        break;
    }
    *out = v;
    return axis_values(v, n);
}

size_t nprobe_values(const struct nprobe_spec *spec, long nlist, long **out)
{
    size_t n = spec->values.n ? spec->values.n : 1;
    long *v = xcalloc(n, sizeof(*v));

    switch (spec->kind) {
    case NPROBE_UNSET:
        v[0] = 1;
        n = 1;
        break;
    case NPROBE_LIST:
        memcpy(v, spec->values.v, n * sizeof(*v));
        break;
    case NPROBE_RULE_RVC_2023:
    case NPROBE_RULE_ALL:
        v[0] = rule_nprobe(spec->kind, nlist);
        n = 1;
        break;
    }
    *out = v;
    return axis_values(v, n);
}

/* The number of inverted lists of a resolved factory: "IVF1024,..." or a
 * multi-index "IMI2x8" (2^(2*8) lists); 0 if none. */
static long factory_ivf_lists(const char *factory)
{
    const char *p = factory;
    while ((p = strstr(p, "IVF"))) {
        if (isdigit((unsigned char)p[3]))
            return strtol(p + 3, NULL, 10);
        p += 3;
    }
    if ((p = strstr(factory, "IMI"))) {
        int m, bits;
        if (sscanf(p, "IMI%dx%d", &m, &bits) == 2 && m > 0 && bits > 0 && m * bits < 62)
            return 1L << (m * bits);
    }
    return 0;
}

/* The faiss name of the re-ranking factor, if the factory has a stage it
 * applies to: faiss 1.7.3 calls it k_factor_rf on IndexRefine and k_factor
 * on IndexIVFPQR ("PQ8+16"). */
static const char *factory_kf_param(const char *factory)
{
    const char *p;
    if (strstr(factory, "RFlat") || strstr(factory, "Refine("))
        return "k_factor_rf";
    for (p = factory; (p = strstr(p, "PQ")); p += 2) {
        const char *q = p + 2;
        while (isdigit((unsigned char)*q))
            q++;
        if (q > p + 2 && *q == '+' && isdigit((unsigned char)q[1]))
            return "k_factor";
    }
    return NULL;
}

/* Search points of one build: the product nprobe x k_factor, skips marked. */
static void expand_points(struct build_point *b, const struct nprobe_spec *nps,
                          const struct long_list *kfs)
{
    long *np = NULL, one = 1;
    size_t n_np = b->nlist ? nprobe_values(nps, b->nlist, &np) : 0;
    const long *kf = kfs->n ? kfs->v : &one;
    size_t n_kf = kfs->n ? kfs->n : 1;
    const long *npv = n_np ? np : &one;

    if (!b->nlist)
        n_np = nps->kind == NPROBE_LIST ? nps->values.n : 1;
    b->points = xcalloc(n_np * n_kf, sizeof(*b->points));
    for (size_t i = 0; i < n_np; i++) {
        for (size_t j = 0; j < n_kf; j++) {
            struct search_point *sp = &b->points[b->n_points++];
            if (b->nlist) {
                sp->nprobe = npv[i];
                if (npv[i] > b->nlist)
                    sp->skip = SKIP_NPROBE_NLIST;
            } else {
                sp->nprobe = i == 0 ? 0 : nps->values.v[i];
                if (i > 0)
                    sp->skip = SKIP_NPROBE_NO_IVF;
            }
            if (b->refine) {
                sp->k_factor = kf[j];
            } else {
                sp->k_factor = j == 0 ? 0 : kf[j];
                if (j > 0 && !sp->skip)
                    sp->skip = SKIP_KF_NO_REFINE;
            }
        }
    }
    free(np);
}

/* One combination of an entry's preprocessing axes. */
struct prep_point {
    long n_clusters, num_expand;
    double alpha;
    enum expand_on on;
};

static const char *expand_on_name(enum expand_on on)
{
    return on == EXPAND_BASE ? "base" : on == EXPAND_QUERIES ? "queries" : "both";
}

/* Every combination of k-means size and expansion setting of an entry at N
 * (one all-off combination when the entry has none). Returns the count. */
static size_t prep_points(const struct prep_spec *ps, size_t N, struct prep_point **out)
{
    long rvc = rule_kmeans_rvc(N);
    const long *km = ps->kmeans_rule_rvc ? &rvc : ps->kmeans.v;
    size_t n_km = ps->kmeans_rule_rvc ? 1 : ps->kmeans.n, n_ex = 0;
    size_t cap = (n_km ? n_km : 1) * (1 + ps->alpha.n * ps->num_expand.n * ps->n_expand_on);
    struct prep_point *p = xcalloc(cap, sizeof(*p));
    size_t n = 0;

    for (size_t i = 0; i < (n_km ? n_km : 1); i++) {
        long c = n_km ? km[i] : 0;
        n_ex = 0;
        for (size_t a = 0; a < ps->alpha.n; a++)
            for (size_t e = 0; e < ps->num_expand.n; e++)
                for (size_t o = 0; o < ps->n_expand_on; o++, n_ex++)
                    p[n++] = (struct prep_point){ c, ps->num_expand.v[e], ps->alpha.v[a],
                                                  ps->expand_on[o] };
        if (!n_ex)
            p[n++] = (struct prep_point){ .n_clusters = c };
    }
    *out = p;
    return n;
}

static void prep_text(struct build_point *b)
{
    size_t len = 0;
    b->prep[0] = '\0';
    if (b->shuffle)
        len += (size_t)snprintf(b->prep + len, sizeof(b->prep) - len, "shuffle");
    if (b->n_clusters && len < sizeof(b->prep))
        len += (size_t)snprintf(b->prep + len, sizeof(b->prep) - len, "%skmeans=%ld",
                                len ? "," : "", b->n_clusters);
    if (b->num_expand && len < sizeof(b->prep))
        snprintf(b->prep + len, sizeof(b->prep) - len, "%sqe=%s:a%g:n%ld", len ? "," : "",
                 expand_on_name(b->expand_on), b->alpha, b->num_expand);
}

/* Append one build and its search points. */
static void add_build(struct grid *g, const struct config *cfg, size_t s, const char *factory,
                      long nlist, size_t N, enum metric m, const struct prep_point *q)
{
    const struct index_spec *spec = &cfg->indexes[s];
    const struct nprobe_spec *nps =
        spec->nprobe.kind != NPROBE_UNSET ? &spec->nprobe : &cfg->nprobe;
    const struct long_list *kfs = spec->k_factor.n ? &spec->k_factor : &cfg->k_factor;
    struct build_point *b;

    g->builds = xrealloc(g->builds, (g->n_builds + 1) * sizeof(*g->builds));
    b = &g->builds[g->n_builds++];
    memset(b, 0, sizeof(*b));
    b->spec = spec;
    b->spec_no = (int)s;
    b->factory = xstrdup(factory);
    b->metric = m;
    b->N = N;
    b->nlist = nlist;
    b->kf_param = factory_kf_param(factory);
    b->refine = b->kf_param != NULL;
    b->shuffle = spec->prep.shuffle;
    b->add_batch = spec->prep.add_batch;
    b->train_rows = spec->train_rows;
    b->n_clusters = q->n_clusters;
    b->num_expand = q->num_expand;
    b->alpha = q->alpha;
    b->expand_on = q->on;
    prep_text(b);
    expand_points(b, nps, kfs);
    for (size_t p = 0; p < b->n_points; p++) {
        /* k-means cannot make more lists than it has rows */
        if (b->nlist && b->train_rows && b->train_rows < b->nlist && !b->points[p].skip)
            b->points[p].skip = SKIP_TRAIN_NLIST;
        b->points[p].ordinal = g->n_points + p;
        g->n_skipped += b->points[p].skip != NULL;
    }
    g->n_points += b->n_points;
}

/* The builds of one index entry at one base size. The nlist rules see the
 * rows the index is built on: after k-means compression that is the number
 * of centroids, as in RVC (n_ivf is computed on the compressed set). */
static int expand_spec(struct grid *g, const struct config *cfg, size_t s, size_t N, size_t d)
{
    const struct index_spec *spec = &cfg->indexes[s];
    struct prep_point *pp = NULL;
    size_t n_pp = prep_points(&spec->prep, N, &pp);
    long *nl = NULL;
    int rc = -1;
    char key[3][48];  /* the keys messages name */

    snprintf(key[0], sizeof(key[0]), "indexes[%zu].kmeans", s);
    snprintf(key[1], sizeof(key[1]), "indexes[%zu].nlist", s);
    snprintf(key[2], sizeof(key[2]), "indexes[%zu].factory", s);
    for (size_t i = 0; i < n_pp; i++) {
        const struct prep_point *q = &pp[i];
        size_t rows = q->n_clusters ? (size_t)q->n_clusters : N;
        size_t n_nl;

        /* On a scale ladder a compression size can exceed the smaller steps:
         * it does not apply there, as nprobe > nlist does not. */
        if (q->n_clusters >= (long)N) {
            config_info(cfg->path, spec->line, key[0], "%ld centroids do not compress %zu "
                        "vectors; not built at this N", q->n_clusters, N);
            if (!g->not_built[0])
                snprintf(g->not_built, sizeof(g->not_built), "%s: %ld centroids do not "
                         "compress %zu vectors", key[0], q->n_clusters, N);
            continue;
        }
        free(nl);
        n_nl = nlist_values(spec, rows, &nl);
        if (spec->nlist_kind != NLIST_NONE && n_nl == 0) {
            config_error(cfg->path, spec->line, key[1], "no valid value for N=%zu", rows);
            goto out;
        }
        for (size_t j = 0; j < (n_nl ? n_nl : 1); j++) {
            char why[256];
            char *factory = factory_resolve(spec->factory, n_nl ? nl[j] : 0, d, why, sizeof(why));
            long nlist;
            if (!factory) {
                config_error(cfg->path, spec->line, key[2], "%s", why);
                goto out;
            }
            nlist = factory_ivf_lists(factory);
            if (nlist > (long)rows) {
                config_error(cfg->path, spec->line, key[1], "%ld lists for only %zu base vectors",
                             nlist, rows);
                free(factory);
                goto out;
            }
            for (size_t m = 0; m < cfg->n_metrics; m++)
                add_build(g, cfg, s, factory, nlist, N, cfg->metrics[m], q);
            free(factory);
        }
    }
    rc = 0;
out:
    free(nl);
    free(pp);
    return rc;
}

int grid_expand(struct grid *g, const struct config *cfg, const size_t *sizes,
                size_t n_sizes, size_t d)
{
    memset(g, 0, sizeof(*g));
    for (size_t z = 0; z < n_sizes; z++)
        for (size_t s = 0; s < cfg->n_indexes; s++)
            if (expand_spec(g, cfg, s, sizes[z], d))
                return -1;
    return 0;
}

int grid_check_measurable(const struct grid *g, const struct config *cfg)
{
    const char *why = NULL;

    if (g->n_points > g->n_skipped)
        return 0;
    for (size_t i = 0; !why && i < g->n_builds; i++)
        for (size_t j = 0; !why && j < g->builds[i].n_points; j++)
            why = g->builds[i].points[j].skip;
    if (!g->n_points && g->not_built[0])
        return error("nothing to measure in '%s': every value was skipped (%s)", cfg->path,
                     g->not_built);
    if (!g->n_points)
        return error("nothing to measure in '%s': the grid has no point", cfg->path);
    return error("nothing to measure in '%s': every one of its %zu points is skipped (%s)",
                 cfg->path, g->n_points, why ? why : "not applicable");
}

void grid_release(struct grid *g)
{
    for (size_t i = 0; i < g->n_builds; i++) {
        free(g->builds[i].factory);
        free(g->builds[i].points);
    }
    free(g->builds);
    memset(g, 0, sizeof(*g));
}

int grid_check_sizes(const struct config *cfg, size_t base_n, const char *base_path)
{
    const struct dataset_spec *ds = &cfg->dataset;
    for (size_t i = 0; i < ds->sizes.n; i++) {
        long n = ds->sizes.v[i];
        char key[48];
        if (n >= 1 && (size_t)n <= base_n)
            continue;
        snprintf(key, sizeof(key), "dataset.sizes[%zu]", i);
        return config_error(cfg->path, ds->sizes_line, key,
                            "%ld exceeds the %zu base rows of '%s'", n, base_n, base_path);
    }
    return 0;
}
