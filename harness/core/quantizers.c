/*
 * quantizers.c - the coarse-quantizer cache: entries in memory, and one
 * file per entry in the cache directory.
 *
 * File layout (native endianness, one machine's cache): 8-byte magic, then
 * uint64 key, nlist, d, a double (seconds the k-means took), nlist*d float
 * centroids, and a uint64 FNV-1a checksum of every byte before it.
 */
#include "core/quantizers.h"
#include "lib/util.h"
#include "lib/version.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char magic[8] = "FSIVFQ1";
#define HEADER_BYTES (sizeof(magic) + 3 * sizeof(uint64_t) + sizeof(double))

void quantizer_cache_init(struct quantizer_cache *qc, const char *dir)
{
    memset(qc, 0, sizeof(*qc));
    qc->dir = dir ? xstrdup(dir) : NULL;
}

void quantizer_cache_release(struct quantizer_cache *qc)
{
    for (size_t i = 0; i < qc->n; i++)
        free(qc->e[i].c);
    free(qc->e);
    free(qc->dir);
    memset(qc, 0, sizeof(*qc));
}

/* Content hash eight bytes at a time (FNV-1a's step on words, then a
 * final mix): hashing the training set must cost little next to k-means. */
static uint64_t hash_words(uint64_t h, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * UINT64_C(0x100000001b3);
        h ^= h >> 29;
    }
    return hash_bytes(h, p + i, n - i);
}

uint64_t quantizer_key(const float *x, size_t n, size_t d, enum backend_metric metric,
                       size_t nlist)
{
    uint64_t v[4] = { n, d, (uint64_t)metric, nlist };
    uint64_t h = hash_bytes(HASH_SEED, v, sizeof(v));
    h = hash_bytes(h, version_faiss(), strlen(version_faiss()));
    return hash_words(h, x, n * d * sizeof(float));
}

char *quantizer_cache_path(const struct quantizer_cache *qc, uint64_t key, size_t nlist)
{
    if (!qc->dir)
        return NULL;
    return xasprintf("%s/ivf-%016" PRIx64 "-%zu.bin", qc->dir, key, nlist);
}

static struct quantizer_entry *add_entry(struct quantizer_cache *qc, uint64_t key,
                                         size_t nlist, size_t d, float *c, double train_s)
{
    struct quantizer_entry *e;
    if (qc->n == qc->cap) {
        qc->cap = qc->cap ? 2 * qc->cap : 8;
        qc->e = xrealloc(qc->e, qc->cap * sizeof(*qc->e));
    }
    e = &qc->e[qc->n++];
    *e = (struct quantizer_entry){ key, nlist, d, c, train_s };
    return e;
}

/* The file's bytes when it is a regular file of exactly want bytes (caller
 * frees); NULL otherwise, *present telling whether something is there.
 * Nothing larger than want is ever allocated. */
static unsigned char *slurp(const char *path, size_t want, int *present)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK);   /* a FIFO must not block */
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    unsigned char *buf = NULL;
    struct stat st;

    *present = fd >= 0;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_size == want) {
        buf = xmalloc(want + 1);
        if (fread(buf, 1, want, f) != want) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

/* The file's entry when it is whole and is the one asked for; a file that
 * is there but wrong is refused with a warning. */
static struct quantizer_entry *load(struct quantizer_cache *qc, uint64_t key, size_t nlist,
                                    size_t d)
{
    char *path = quantizer_cache_path(qc, key, nlist);
    size_t vals = nlist * d;
    size_t want = HEADER_BYTES + vals * sizeof(float) + sizeof(uint64_t);
    int present = 0;
    unsigned char *buf = path ? slurp(path, want, &present) : NULL;
    struct quantizer_entry *e = NULL;
    uint64_t h[3], sum;
    double train_s;

    if (!present)
        goto out;
    if (!buf || memcmp(buf, magic, sizeof(magic))) {
        warning("refusing quantizer cache '%s': not a complete cache file; retraining", path);
        goto out;
    }
    memcpy(h, buf + sizeof(magic), sizeof(h));
    memcpy(&train_s, buf + sizeof(magic) + sizeof(h), sizeof(train_s));
    memcpy(&sum, buf + want - sizeof(sum), sizeof(sum));
    if (h[0] != key || h[1] != nlist || h[2] != d ||
        sum != hash_bytes(HASH_SEED, buf, want - sizeof(sum))) {
        warning("refusing quantizer cache '%s': checksum or key mismatch; retraining", path);
        goto out;
    }
    {
        float *c = xmalloc(vals * sizeof(float) + 1);
        memcpy(c, buf + HEADER_BYTES, vals * sizeof(float));
        e = add_entry(qc, key, nlist, d, c, train_s);
    }
out:
    free(buf);
    free(path);
    return e;
}

const struct quantizer_entry *quantizer_cache_get(struct quantizer_cache *qc, uint64_t key,
                                                  size_t nlist, size_t d)
{
    for (size_t i = 0; i < qc->n; i++)
        if (qc->e[i].key == key && qc->e[i].nlist == nlist && qc->e[i].d == d)
            return &qc->e[i];
    return load(qc, key, nlist, d);
}

/* Write the entry's file through a unique temporary name, then rename. */
static void save(const struct quantizer_cache *qc, const struct quantizer_entry *e)
{
    char *path = quantizer_cache_path(qc, e->key, e->nlist), *tmp = NULL;
    size_t vals = e->nlist * e->d, len = HEADER_BYTES + vals * sizeof(float);
    unsigned char *buf = NULL;
    uint64_t h[3] = { e->key, e->nlist, e->d }, sum;
    FILE *f = NULL;
    int fd, ok;

    if (!path || make_dirs(qc->dir))
        goto out;
    buf = xmalloc(len + sizeof(sum));
    memcpy(buf, magic, sizeof(magic));
    memcpy(buf + sizeof(magic), h, sizeof(h));
    memcpy(buf + sizeof(magic) + sizeof(h), &e->train_s, sizeof(e->train_s));
    memcpy(buf + HEADER_BYTES, e->c, vals * sizeof(float));
    sum = hash_bytes(HASH_SEED, buf, len);
    memcpy(buf + len, &sum, sizeof(sum));
    tmp = xasprintf("%s.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0 || fchmod(fd, 0644) || !(f = fdopen(fd, "wb"))) {
        warning_errno("cannot write quantizer cache '%s'", tmp);
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        goto out;
    }
    ok = fwrite(buf, 1, len + sizeof(sum), f) == len + sizeof(sum);
    ok = !fclose(f) && ok;
    if (!ok || rename(tmp, path)) {
        warning_errno("cannot write quantizer cache '%s'", path);
        unlink(tmp);
    }
out:
    free(buf);
    free(tmp);
    free(path);
}

void quantizer_cache_put(struct quantizer_cache *qc, uint64_t key, size_t nlist, size_t d,
                         const float *c, double train_s)
{
    float *copy = xmalloc(nlist * d * sizeof(float) + 1);
    memcpy(copy, c, nlist * d * sizeof(float));
    save(qc, add_entry(qc, key, nlist, d, copy, train_s));
}
