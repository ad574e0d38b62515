/*
 * groundtruth.c - exact neighbours with a disk cache.
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
        warning("cannot write ground-truth cache '%s': %s", tmp, strerror(errno));
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
