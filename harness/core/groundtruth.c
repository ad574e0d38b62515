/*
 * groundtruth.c - exact neighbours with a disk cache, a stored ground truth
 * checked against exact search, and the tie oracle.
 *
 * Cache file layout (native endianness, one machine's cache): 8-byte magic,
 * then uint64 hash, nq, k, then nq*k float distances and nq*k int64 ids.
 */
#include "core/groundtruth.h"
#include "lib/util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char GT_MAGIC[8] = "FSGT0001";

/* Load the cache if it matches and is wide enough; 0 if used. */
static int load_cache(struct ground_truth *gt, const char *path, uint64_t hash,
                      size_t nq, size_t k)
{
    FILE *f = fopen(path, "rb");
    char magic[8];
    uint64_t h[3];
    float *D = NULL;
    int64_t *I = NULL;
    int rc = -1;

    if (!f)
        return -1;
    if (fread(magic, 1, 8, f) != 8 || memcmp(magic, GT_MAGIC, 8) ||
        fread(h, sizeof(h[0]), 3, f) != 3 || h[0] != hash || h[1] != nq || h[2] < k)
        goto out;
    D = xmalloc(nq * h[2] * sizeof(*D));
    I = xmalloc(nq * h[2] * sizeof(*I));
    if (fread(D, sizeof(*D), nq * h[2], f) != nq * h[2] ||
        fread(I, sizeof(*I), nq * h[2], f) != nq * h[2])
        goto out;
    /* Keep the first k columns of each row. */
    gt->D = xmalloc(nq * k * sizeof(*D));
    gt->I = xmalloc(nq * k * sizeof(*I));
    for (size_t q = 0; q < nq; q++) {
        memcpy(gt->D + q * k, D + q * h[2], k * sizeof(*D));
        memcpy(gt->I + q * k, I + q * h[2], k * sizeof(*I));
    }
    gt->nq = nq;
    gt->k = k;
    rc = 0;
out:
    free(D);
    free(I);
    fclose(f);
    return rc;
}

static int save_cache(const struct ground_truth *gt, const char *path, uint64_t hash)
{
    char *tmp = xasprintf("%s.partial", path);
    uint64_t h[3] = { hash, gt->nq, gt->k };
    FILE *f = fopen(tmp, "wb");
    int ok;

    if (!f) {
        warning_errno("cannot write ground-truth cache '%s'", tmp);
        free(tmp);
        return -1;
    }
    ok = fwrite(GT_MAGIC, 1, 8, f) == 8 && fwrite(h, sizeof(h[0]), 3, f) == 3 &&
         fwrite(gt->D, sizeof(*gt->D), gt->nq * gt->k, f) == gt->nq * gt->k &&
         fwrite(gt->I, sizeof(*gt->I), gt->nq * gt->k, f) == gt->nq * gt->k;
    ok = !fclose(f) && ok;
    if (!ok || rename(tmp, path)) {
        warning("cannot write ground-truth cache '%s'", path);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int groundtruth_get(struct ground_truth *gt, const float *xb, size_t nb,
                    const float *xq, size_t nq, size_t d,
                    enum backend_metric metric, const char *metric_name, size_t k,
                    uint64_t data_hash, const char *cache_dir, int *cached)
{
    char *path = NULL;
    int rc = -1;

    memset(gt, 0, sizeof(*gt));
    if (k > nb)
        k = nb;
    *cached = 0;
    if (cache_dir) {
        if (make_dirs(cache_dir))
            return -1;
        path = xasprintf("%s/gt-%016" PRIx64 "-%s.bin", cache_dir, data_hash, metric_name);
        if (!load_cache(gt, path, data_hash, nq, k)) {
            *cached = 1;
            rc = 0;
            goto out;
        }
    }
    gt->D = xmalloc(nq * k * sizeof(*gt->D));
    gt->I = xmalloc(nq * k * sizeof(*gt->I));
    gt->nq = nq;
    gt->k = k;
    if (backend_knn_exact(nb, xb, nq, xq, d, metric, k, gt->D, gt->I)) {
        ground_truth_release(gt);
        goto out;
    }
    if (path)
        save_cache(gt, path, data_hash);
    rc = 0;
out:
    free(path);
    return rc;
}

int groundtruth_stored(struct ground_truth *gt, const struct dataset *ds, enum metric m,
                       const struct vecs *base, const struct vecs *queries, size_t depth,
                       size_t kmax)
{
    const struct vecs *b = base, *q = queries;
    size_t k = ds->gt_k < depth + GT_TIE_MARGIN ? ds->gt_k : depth + GT_TIE_MARGIN;
    size_t ns = q->n < 200 ? q->n : 200, agree = 0;
    enum backend_metric bm = m == METRIC_L2 ? BACKEND_L2 : BACKEND_IP;
    float *D;
    int64_t *I;

    memset(gt, 0, sizeof(*gt));
    if (!ds->gt_ids || !ds->native_metric || strcmp(ds->native_metric, metric_name(m)) ||
        ds->gt_k < depth || b->n != ds->base.n)
        return 1;
    gt->nq = q->n;
    gt->k = k;
    gt->D = xmalloc(q->n * k * sizeof(*gt->D));
    gt->I = xmalloc(q->n * k * sizeof(*gt->I));
    for (size_t i = 0; i < q->n; i++) {
        for (size_t j = 0; j < k; j++) {
            float d = ds->gt_dist ? ds->gt_dist[i * ds->gt_k + j] : (float)j;
            gt->I[i * k + j] = ds->gt_ids[i * ds->gt_k + j];
            gt->D[i * k + j] = m == METRIC_L2 ? d * d : m == METRIC_COSINE ? 1 - d : -d;
        }
    }
    D = xmalloc(ns * kmax * sizeof(*D));
    I = xmalloc(ns * kmax * sizeof(*I));
    if (backend_knn_exact(b->n, b->x, ns, q->x, b->d, bm, kmax, D, I) == 0) {
        struct ground_truth sample = { .nq = ns, .k = k, .D = gt->D, .I = gt->I };
        double rec, rec1;
        recall_at(&sample, I, kmax, kmax, &rec, &rec1);
        agree = rec >= 0.999;
        if (!agree)
            warning("stored ground truth of '%s' disagrees with exact search on %zu queries "
                    "(recall@%zu %.4f); computing it instead", ds->base_path, ns, kmax, rec);
    }
    free(D);
    free(I);
    if (!agree) {
        ground_truth_release(gt);
        return 1;
    }
    return 0;
}

void groundtruth_tie_oracle(struct ground_truth *gt, const float *xb, size_t nb,
                            const float *xq, size_t d, int ip)
{
    if (!gt->D)
        return;
    gt->x = xb;
    gt->n = nb;
    gt->q = xq;
    gt->d = d;
    gt->ip = ip;
}
