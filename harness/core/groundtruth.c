/*
 * groundtruth.c - exact neighbours with a disk cache, a stored ground truth
 * checked against exact search, and the tie oracle.
 *
 * Cache file layout (native endianness, one machine's cache): 8-byte magic,
 * then uint64 hash, nq, k, then nq*k float distances and nq*k int64 ids,
 * then a uint64 FNV-1a checksum (lib/util.h's hash_bytes) of every byte
 * before it. A file is written under a name of its own (mkstemp) and
 * published with rename, so concurrent writers of one entry never tear it.
 */
#include "core/groundtruth.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char GT_MAGIC[8] = "FSGT0002";
/* Earlier layouts (no checksum): recomputed without a warning. */
static const char GT_MAGIC_OLD[7] = "FSGT000";
#define GT_HEADER (sizeof(GT_MAGIC) + 3 * sizeof(uint64_t))
#define GT_ROW_BYTES (sizeof(float) + sizeof(int64_t))

/* The size of a file of nq rows of k columns, or 0 if it overflows. */
static size_t cache_bytes(uint64_t nq, uint64_t k)
{
    size_t cells, bytes;
    if (nq > SIZE_MAX || k > SIZE_MAX || __builtin_mul_overflow((size_t)nq, (size_t)k, &cells) ||
        __builtin_mul_overflow(cells, GT_ROW_BYTES, &bytes) ||
        __builtin_add_overflow(bytes, GT_HEADER + sizeof(uint64_t), &bytes))
        return 0;
    return bytes;
}

/* Read exactly n bytes from fd; 0, or -1 (short file or error). */
static int read_exact(int fd, unsigned char *buf, size_t n)
{
    while (n) {
        ssize_t r = read(fd, buf, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        buf += r;
        n -= (size_t)r;
    }
    return 0;
}

/* The whole file at path when it is a complete cache file for (hash, nq)
 * whose checksum holds (caller frees); *k gets its columns. NULL when it is
 * absent, of an older layout or of other queries (nothing said), or damaged
 * (warned: the caller recomputes and rewrites it). Nothing is allocated
 * beyond the file's real size. */
static unsigned char *read_cache(const char *path, uint64_t hash, size_t nq, size_t *k)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    unsigned char *buf = NULL;
    const char *why = NULL;
    uint64_t h[3], sum;
    struct stat st;
    size_t len;

    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        why = "not a regular file";
        goto out;
    }
    len = (size_t)st.st_size;
    buf = xmalloc(GT_HEADER);
    if (len < GT_HEADER || read_exact(fd, buf, GT_HEADER)) {
        why = "shorter than its header";
        goto out;
    }
    if (!memcmp(buf, GT_MAGIC_OLD, sizeof(GT_MAGIC_OLD)) && memcmp(buf, GT_MAGIC, sizeof(GT_MAGIC)))
        goto out;   /* an older layout: silently replaced */
    if (memcmp(buf, GT_MAGIC, sizeof(GT_MAGIC))) {
        why = "not a ground-truth cache file";
        goto out;
    }
    memcpy(h, buf + sizeof(GT_MAGIC), sizeof(h));
    if (h[0] != hash) {
        why = "its header names other data";
        goto out;
    }
    if (h[1] != nq)
        goto out;   /* other queries under the same key: replaced */
    if (!h[2] || cache_bytes(h[1], h[2]) != len) {
        why = "its size does not match its header";
        goto out;
    }
    /* The header's size is the file's: safe to read it all now. */
    buf = xrealloc(buf, len);
    if (read_exact(fd, buf + GT_HEADER, len - GT_HEADER)) {
        why = "cannot be read";
        goto out;
    }
    memcpy(&sum, buf + len - sizeof(sum), sizeof(sum));
    if (sum != hash_bytes(HASH_SEED, buf, len - sizeof(sum))) {
        why = "checksum mismatch";
        goto out;
    }
    *k = (size_t)h[2];
    close(fd);
    return buf;
out:
    if (why)
        warning("ground-truth cache '%s' is damaged (%s); recomputing it", path, why);
    free(buf);
    close(fd);
    return NULL;
}

/* Load the cache if it is whole, matches and is wide enough; 0 if used. */
static int load_cache(struct ground_truth *gt, const char *path, uint64_t hash,
                      size_t nq, size_t k)
{
    size_t kf = 0;
    unsigned char *buf = read_cache(path, hash, nq, &kf);
    const unsigned char *D, *I;

    if (!buf)
        return -1;
    if (kf < k) {
        free(buf);
        return -1;
    }
    D = buf + GT_HEADER;
    I = D + nq * kf * sizeof(float);
    /* Keep the first k columns of each row (memcpy: the payload is not
     * aligned for int64). */
    gt->D = xmalloc(nq * k * sizeof(*gt->D) + 1);
    gt->I = xmalloc(nq * k * sizeof(*gt->I) + 1);
    for (size_t q = 0; q < nq; q++) {
        memcpy(gt->D + q * k, D + q * kf * sizeof(float), k * sizeof(*gt->D));
        memcpy(gt->I + q * k, I + q * kf * sizeof(int64_t), k * sizeof(*gt->I));
    }
    gt->nq = nq;
    gt->k = k;
    free(buf);
    return 0;
}

/* Write the cache file under a unique temporary name, then rename it into
 * place. A failure only warns (the run goes on with what it computed). */
static int save_cache(const struct ground_truth *gt, const char *path, uint64_t hash)
{
    char *tmp = xasprintf("%s.XXXXXX", path);
    uint64_t h[3] = { hash, gt->nq, gt->k }, sum = HASH_SEED;
    size_t cells = gt->nq * gt->k;
    FILE *f = NULL;
    int fd = mkstemp(tmp), ok;

    if (fd < 0 || fchmod(fd, 0644) || !(f = fdopen(fd, "wb"))) {
        warning_errno("cannot write ground-truth cache '%s'", tmp);
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        return -1;
    }
    sum = hash_bytes(sum, GT_MAGIC, sizeof(GT_MAGIC));
    sum = hash_bytes(sum, h, sizeof(h));
    sum = hash_bytes(sum, gt->D, cells * sizeof(*gt->D));
    sum = hash_bytes(sum, gt->I, cells * sizeof(*gt->I));
    ok = fwrite(GT_MAGIC, 1, sizeof(GT_MAGIC), f) == sizeof(GT_MAGIC) &&
         fwrite(h, sizeof(h[0]), 3, f) == 3 &&
         fwrite(gt->D, sizeof(*gt->D), cells, f) == cells &&
         fwrite(gt->I, sizeof(*gt->I), cells, f) == cells &&
         fwrite(&sum, sizeof(sum), 1, f) == 1;
    ok = !fclose(f) && ok;
    if (!ok || rename(tmp, path)) {
        warning_errno("cannot write ground-truth cache '%s'", path);
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
