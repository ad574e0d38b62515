/*
 * backend.c - faiss through its C API. The only file that includes faiss
 * headers; see backend.h for the contract.
 */
#include "lib/backend.h"
#include "lib/util.h"

#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <faiss/c_api/AutoTune_c.h>
#include <faiss/c_api/Clustering_c.h>
#include <faiss/c_api/IndexFlat_c.h>
#include <faiss/c_api/IndexIVFFlat_c.h>
#include <faiss/c_api/IndexIVF_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/error_c.h>
#include <faiss/c_api/index_factory_c.h>
#include <faiss/c_api/index_io_c.h>
/* faiss_get_version (1.9+), found by cmake/faiss.cmake's feature check. */
#if defined(FS_HAVE_FAISS_GET_VERSION) && __has_include(<faiss/c_api/utils/utils_c.h>)
#include <faiss/c_api/utils/utils_c.h>
#endif

struct fs_index {
    FaissIndex *index;
    FaissParameterSpace *space;
};

/* The clock the caller registered (backend_clock_use), or none. */
static struct backend_clock *clock_in_use;

struct backend_clock *backend_clock_use(struct backend_clock *c)
{
    struct backend_clock *old = clock_in_use;
    clock_in_use = c;
    return old;
}

/* Time spent in faiss is charged to the registered clock around every call:
 * TIMED(rc, faiss_call(...)) stores the call's result in rc. */
static void charge(double t0)
{
    if (clock_in_use)
        clock_in_use->seconds += now_s() - t0;
}
#define TIMED(rc, call)              \
    do {                             \
        double t0_ = now_s();        \
        (rc) = (call);               \
        charge(t0_);                 \
    } while (0)

/* faiss's last exception text without its "Error in <function> at
 * <file>:<line>: " prefix, which means nothing to a user. */
static const char *faiss_msg(void)
{
    const char *msg = faiss_get_last_error();
    const char *src;
    if (!msg)
        return "unknown error";
    src = strstr(msg, ".cpp:");
    if (src && (src = strstr(src, ": ")))
        return src + 2;
    return msg;
}

static int faiss_error(const char *what)
{
    return error("faiss: %s: %s", what, faiss_msg());
}

/* The first line of faiss's message, for callers that add their context. */
static void copy_error(char *buf, size_t len)
{
    snprintf(buf, len, "%s", faiss_msg());
    buf[strcspn(buf, "\n")] = '\0';
}

int backend_create(struct fs_index **out, const char *factory, int d,
                   enum backend_metric metric, char *errbuf, size_t errlen)
{
    FaissMetricType want = metric == BACKEND_IP ? METRIC_INNER_PRODUCT : METRIC_L2;
    struct fs_index *idx = xcalloc(1, sizeof(*idx));
    int rc;

    *out = NULL;
    TIMED(rc, faiss_index_factory(&idx->index, d, factory, want));
    if (rc) {
        copy_error(errbuf, errlen);
        goto fail;
    }
    /* A metric mismatch would silently score everything wrong: refuse it. */
    if (faiss_Index_metric_type(idx->index) != want) {
        snprintf(errbuf, errlen, "index metric %d differs from the requested %d",
                 (int)faiss_Index_metric_type(idx->index), (int)want);
        goto fail;
    }
    if (faiss_ParameterSpace_new(&idx->space)) {
        copy_error(errbuf, errlen);
        goto fail;
    }
    *out = idx;
    return 0;
fail:
    backend_free(idx);
    return -1;
}

/*
 * Index components that faiss releases after 1.7.3 added to index_factory,
 * each with factory strings that only parse where faiss has it. The rule
 * for "unknown to faiss" (backend.h): faiss could not parse the string, one
 * of its components starts with a name below, and none of that name's
 * probes fails to parse on the linked faiss (a probe that builds, or fails
 * for another reason, shows the component is known: the string is then
 * malformed, an error as any other). A component missing from this table
 * stays an error: a typo ("Flaat") must not pass as a skip.
 */
static const struct {
    const char *name;
    const char *probes[3];
} later_components[] = {
    { "RaBitQ", { "RaBitQ", "IVF4,RaBitQ", NULL } },
    { "FlatPanorama", { "IVF4,FlatPanorama", "IVF4,FlatPanorama1", NULL } },
    { "SQbf16", { "SQbf16", NULL } },
    { "SQ8_direct_signed", { "SQ8_direct_signed", NULL } },
};

static int parse_failure(const char *why)
{
    return why && strstr(why, "could not parse") != NULL;
}

/* Whether the linked faiss fails to parse every probe of a component. */
static int probes_unparsed(size_t c, int d, enum backend_metric metric)
{
    for (size_t i = 0; i < 3 && later_components[c].probes[i]; i++) {
        struct fs_index *idx;
        char why[512] = "";
        if (!backend_create(&idx, later_components[c].probes[i], d, metric, why, sizeof(why))) {
            backend_free(idx);
            return 0;
        }
        if (!parse_failure(why))
            return 0;
    }
    return 1;
}

const char *backend_unknown_component(const char *factory, int d, enum backend_metric metric,
                                      const char *why)
{
    if (!parse_failure(why))
        return NULL;
    for (const char *t = factory; *t;) {
        size_t len = strcspn(t, ",()");
        for (size_t c = 0; c < sizeof(later_components) / sizeof(*later_components); c++) {
            size_t n = strlen(later_components[c].name);
            if (len >= n && !strncmp(t, later_components[c].name, n) &&
                probes_unparsed(c, d, metric))
                return later_components[c].name;
        }
        t += len + (t[len] != '\0');
    }
    return NULL;
}

const char *backend_faiss_version(void)
{
#ifdef FS_HAVE_FAISS_GET_VERSION
    return faiss_get_version();
#else
    return NULL;
#endif
}

void backend_free(struct fs_index *idx)
{
    if (!idx)
        return;
    if (idx->space)
        faiss_ParameterSpace_free(idx->space);
    if (idx->index)
        faiss_Index_free(idx->index);
    free(idx);
}

int backend_train(struct fs_index *idx, size_t n, const float *x)
{
    int rc;
    if (faiss_Index_is_trained(idx->index))
        return 0;
    TIMED(rc, faiss_Index_train(idx->index, (idx_t)n, x));
    if (rc)
        return faiss_error("train");
    return 0;
}

int backend_add(struct fs_index *idx, size_t n, const float *x)
{
    int rc;
    TIMED(rc, faiss_Index_add(idx->index, (idx_t)n, x));
    if (rc)
        return faiss_error("add");
    return 0;
}

int backend_set_param(struct fs_index *idx, const char *name, double value)
{
    int rc;
    TIMED(rc, faiss_ParameterSpace_set_index_parameter(idx->space, idx->index, name, value));
    return rc ? -1 : 0;
}

int backend_search(struct fs_index *idx, size_t nq, const float *q, size_t k,
                   float *D, int64_t *I)
{
    int rc;
    TIMED(rc, faiss_Index_search(idx->index, (idx_t)nq, q, (idx_t)k, D, I));
    if (rc)
        return faiss_error("search");
    return 0;
}

size_t backend_nlist(struct fs_index *idx)
{
    FaissIndexIVF *ivf = faiss_IndexIVF_cast(idx->index);
    return ivf ? faiss_IndexIVF_nlist(ivf) : 0;
}

int64_t backend_ntotal(struct fs_index *idx)
{
    return faiss_Index_ntotal(idx->index);
}

/* A FILE that only counts what is written to it. */
static ssize_t count_write(void *cookie, const char *buf, size_t size)
{
    (void)buf;
    *(int64_t *)cookie += (int64_t)size;
    return (ssize_t)size;
}

int64_t backend_serialized_size(struct fs_index *idx)
{
    int64_t bytes = 0;
    cookie_io_functions_t io = { .write = count_write };
    FILE *f = fopencookie(&bytes, "w", io);
    int rc;
    if (!f)
        return -1;
    TIMED(rc, faiss_write_index(idx->index, f));
    if (fclose(f) || rc)
        return -1;
    return bytes;
}

/* The flat quantizer of a qualifying index, or NULL. */
static FaissIndex *flat_quantizer(struct fs_index *idx)
{
    FaissIndexIVF *ivf = faiss_IndexIVF_cast(idx->index);
    FaissIndex *q;
    if (!ivf || faiss_IndexIVF_quantizer_trains_alone(ivf) != 0)
        return NULL;
    q = faiss_IndexIVF_quantizer(ivf);
    return q && faiss_IndexFlat_cast(q) ? q : NULL;
}

int backend_ivf_flat_quantizer(struct fs_index *idx)
{
    return flat_quantizer(idx) != NULL;
}

int backend_ivf_centroids(struct fs_index *idx, float *c)
{
    FaissIndex *q = flat_quantizer(idx);
    size_t nlist = backend_nlist(idx);
    int rc;
    if (!q || (size_t)faiss_Index_ntotal(q) != nlist)
        return error("no trained flat coarse quantizer to read centroids from");
    TIMED(rc, faiss_Index_reconstruct_n(q, 0, (idx_t)nlist, c));
    if (rc)
        return faiss_error("coarse centroids");
    return 0;
}

int backend_train_from_centroids(struct fs_index *idx, const float *c, size_t n,
                                 const float *x)
{
    FaissIndex *q = flat_quantizer(idx);
    size_t nlist = backend_nlist(idx);
    int rc;
    if (!q || faiss_Index_is_trained(idx->index) || faiss_Index_ntotal(q))
        return error("not an untrained IVF index with an empty flat quantizer");
    TIMED(rc, faiss_Index_add(q, (idx_t)nlist, c));
    if (rc)
        return faiss_error("coarse centroids");
    TIMED(rc, faiss_Index_train(idx->index, (idx_t)n, x));
    if (rc)
        return faiss_error("train");
    return 0;
}

void backend_ivf_stats_reset(void)
{
    faiss_IndexIVFStats_reset(faiss_get_indexIVF_stats());
}

double backend_ivf_ndis(void)
{
    return (double)faiss_get_indexIVF_stats()->ndis;
}

int backend_knn_exact(size_t nb, const float *xb, size_t nq, const float *xq,
                      size_t d, enum backend_metric metric, size_t k,
                      float *D, int64_t *I)
{
    FaissIndexFlat *flat = NULL;
    FaissMetricType m = metric == BACKEND_IP ? METRIC_INNER_PRODUCT : METRIC_L2;
    int rc = -1, frc;

    if (faiss_IndexFlat_new_with(&flat, (idx_t)d, m)) {
        faiss_error("flat index");
        goto out;
    }
    TIMED(frc, faiss_Index_add((FaissIndex *)flat, (idx_t)nb, xb));
    if (frc) {
        faiss_error("flat add");
        goto out;
    }
    TIMED(frc, faiss_Index_search((FaissIndex *)flat, (idx_t)nq, xq, (idx_t)k, D, I));
    if (frc) {
        faiss_error("flat search");
        goto out;
    }
    rc = 0;
out:
    if (flat)
        faiss_IndexFlat_free(flat);
    return rc;
}

int backend_write(struct fs_index *idx, const char *path)
{
    int rc;
    TIMED(rc, faiss_write_index_fname(idx->index, path));
    if (rc)
        return error("cannot write index '%s': %s", path, faiss_msg());
    return 0;
}

/*
 * An index file's structure, checked before faiss reads it: faiss trusts
 * the sizes it reads (a Flat header claiming 2^62+1 vectors of dimension 1
 * passes its own check by overflow, then reconstruct reads far past the 4
 * bytes stored) and recurses into nested headers without a bound (100,000
 * IVF headers overflow the stack). So only the two layouts RVC writes are
 * accepted, as faiss (1.7.3 and later) writes them, every size checked for
 * overflow and against the bytes the file has left:
 *   header: int32 d, int64 ntotal, 2 x int64 unused, uint8 is_trained,
 *           int32 metric (0 IP, 1 L2);
 *   Flat ("IxF2", "IxFI", "IxFl"): header, uint64 m, m floats (m = ntotal*d);
 *   IVF-Flat ("IwFl"): header, uint64 nlist, uint64 nprobe, a Flat
 *           quantizer of nlist vectors of dimension d (so nlist is bounded
 *           by the file's length, and nothing nests deeper), the direct map
 *           (int8 type 0 with 0 entries, or 1 with ntotal int64), then
 *           "ilar", uint64 nlist, uint64 code_size (4d), the list sizes
 *           ("full": uint64 nlist, nlist uint64; "sprs": uint64 2m, m
 *           (list, size) pairs), and per non-empty list its codes and its
 *           int64 ids, which must be 0..ntotal-1 each once.
 */
#define IX_MAX_DIM ((int32_t)1 << 24)

struct ixfile {
    FILE *f;
    const char *path;
    uint64_t left; /* bytes not read yet */
};

struct ixhead {
    int32_t d;
    int64_t ntotal;
};

static int ix_corrupt(const struct ixfile *r, const char *fmt, ...)
    PRINTF_LIKE(2, 3);
static int ix_corrupt(const struct ixfile *r, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return error("corrupt index file '%s': %s", r->path, msg);
}

static int ix_read(struct ixfile *r, void *buf, size_t n, const char *what)
{
    if (r->left < n)
        return ix_corrupt(r, "it ends inside %s", what);
    if (fread(buf, 1, n, r->f) != n) {
        if (ferror(r->f))
            return error_errno("cannot read '%s'", r->path);
        return ix_corrupt(r, "it ends inside %s", what);
    }
    r->left -= n;
    return 0;
}

static int ix_u64(struct ixfile *r, uint64_t *v, const char *what)
{
    return ix_read(r, v, sizeof(*v), what);
}

/* Skip n bytes of data (counted in units of size bytes). */
static int ix_skip(struct ixfile *r, uint64_t count, uint64_t size, const char *what)
{
    if (count > r->left / size)
        return ix_corrupt(r, "%s of %llu x %llu bytes, but %llu bytes are left", what,
                          (unsigned long long)count, (unsigned long long)size,
                          (unsigned long long)r->left);
    if (fseeko(r->f, (off_t)(count * size), SEEK_CUR))
        return error_errno("cannot read '%s'", r->path);
    r->left -= count * size;
    return 0;
}

static uint32_t ix_fourcc(const char *s)
{
    return (uint32_t)(unsigned char)s[0] | (uint32_t)(unsigned char)s[1] << 8 |
           (uint32_t)(unsigned char)s[2] << 16 | (uint32_t)(unsigned char)s[3] << 24;
}

static int ix_is_flat(uint32_t h)
{
    return h == ix_fourcc("IxF2") || h == ix_fourcc("IxFI") || h == ix_fourcc("IxFl");
}

static int ix_header(struct ixfile *r, struct ixhead *h)
{
    unsigned char b[37 - 4];
    int32_t metric;

    if (ix_read(r, b, sizeof(b), "the index header"))
        return -1;
    memcpy(&h->d, b, 4);
    memcpy(&h->ntotal, b + 4, 8);
    memcpy(&metric, b + 29, 4);
    if (h->d < 1 || h->d > IX_MAX_DIM)
        return ix_corrupt(r, "dimension %ld", (long)h->d);
    if (h->ntotal < 0)
        return ix_corrupt(r, "%lld vectors", (long long)h->ntotal);
    if (metric != 0 && metric != 1)
        return ix_corrupt(r, "metric %ld (RVC writes L2 or inner product)", (long)metric);
    return 0;
}

/* A Flat index after its fourcc: header and m = ntotal * d floats. */
static int ix_flat(struct ixfile *r, struct ixhead *h)
{
    uint64_t m;

    if (ix_header(r, h) || ix_u64(r, &m, "the vectors' size"))
        return -1;
    if ((uint64_t)h->ntotal > r->left / 4 / (uint64_t)h->d)
        return ix_corrupt(r, "%lld vectors of dimension %ld claimed, %llu bytes hold them",
                          (long long)h->ntotal, (long)h->d, (unsigned long long)r->left);
    if (m != (uint64_t)h->ntotal * (uint64_t)h->d)
        return ix_corrupt(r, "%llu floats stored for %lld vectors of dimension %ld",
                          (unsigned long long)m, (long long)h->ntotal, (long)h->d);
    return ix_skip(r, m, 4, "vectors");
}

/* The inverted lists' sizes into sizes[nlist] (zeroed by the caller). */
static int ix_list_sizes(struct ixfile *r, uint64_t nlist, uint64_t *sizes)
{
    uint32_t type;
    uint64_t m, pair[2];

    if (ix_read(r, &type, 4, "the list sizes") || ix_u64(r, &m, "the list sizes"))
        return -1;
    if (type == ix_fourcc("full")) {
        if (m != nlist)
            return ix_corrupt(r, "%llu list sizes for %llu lists", (unsigned long long)m,
                              (unsigned long long)nlist);
        return ix_read(r, sizes, nlist * 8, "the list sizes");
    }
    if (type != ix_fourcc("sprs"))
        return ix_corrupt(r, "unknown list sizes layout");
    if (m % 2 || m / 2 > nlist)
        return ix_corrupt(r, "%llu values of (list, size) pairs for %llu lists",
                          (unsigned long long)m, (unsigned long long)nlist);
    for (uint64_t j = 0; j < m / 2; j++) {
        if (ix_read(r, pair, sizeof(pair), "the list sizes"))
            return -1;
        if (pair[0] >= nlist)
            return ix_corrupt(r, "list %llu of %llu", (unsigned long long)pair[0],
                              (unsigned long long)nlist);
        sizes[pair[0]] = pair[1];
    }
    return 0;
}

/* One list's ids: each in [0, ntotal) and not seen before (seen: a bitmap). */
static int ix_ids(struct ixfile *r, uint64_t n, int64_t ntotal, unsigned char *seen)
{
    int64_t ids[512];

    while (n) {
        size_t k = n < 512 ? (size_t)n : 512;
        if (ix_read(r, ids, k * 8, "the ids"))
            return -1;
        for (size_t i = 0; i < k; i++) {
            int64_t id = ids[i];
            if (id < 0 || id >= ntotal || (seen[id / 8] & (1u << id % 8)))
                return ix_corrupt(r, "id %lld of %lld vectors is %s", (long long)id,
                                  (long long)ntotal, id < 0 || id >= ntotal ? "out of range"
                                                                             : "repeated");
            seen[id / 8] |= (unsigned char)(1u << id % 8);
        }
        n -= k;
    }
    return 0;
}

/* The inverted lists of an IVF-Flat index of h->ntotal vectors. */
static int ix_lists(struct ixfile *r, const struct ixhead *h, uint64_t nlist)
{
    uint64_t nl, code_size, code = 4 * (uint64_t)h->d, *sizes, total = 0;
    unsigned char *seen = NULL;
    uint32_t tag;
    int rc = -1;

    if (ix_read(r, &tag, 4, "the inverted lists"))
        return -1;
    if (tag != ix_fourcc("ilar"))
        return ix_corrupt(r, "inverted lists not stored in the file");
    if (ix_u64(r, &nl, "the inverted lists") || ix_u64(r, &code_size, "the inverted lists"))
        return -1;
    if (nl != nlist || code_size != code)
        return ix_corrupt(r, "inverted lists of %llu lists of %llu-byte codes, expected "
                          "%llu of %llu", (unsigned long long)nl,
                          (unsigned long long)code_size, (unsigned long long)nlist,
                          (unsigned long long)code);
    if ((uint64_t)h->ntotal > r->left / (code + 8))
        return ix_corrupt(r, "%lld vectors of dimension %ld claimed, %llu bytes hold them",
                          (long long)h->ntotal, (long)h->d, (unsigned long long)r->left);
    sizes = xcalloc(nlist, sizeof(*sizes));
    if (ix_list_sizes(r, nlist, sizes))
        goto out;
    for (uint64_t i = 0; i < nlist; i++) {
        if (sizes[i] > (uint64_t)h->ntotal - total)
            goto count;
        total += sizes[i];
    }
    if (total != (uint64_t)h->ntotal)
        goto count;
    seen = xcalloc((size_t)h->ntotal / 8 + 1, 1);
    for (uint64_t i = 0; i < nlist; i++)
        if (sizes[i] && (ix_skip(r, sizes[i], code, "codes") ||
                         ix_ids(r, sizes[i], h->ntotal, seen)))
            goto out;
    rc = 0;
    goto out;
count:
    ix_corrupt(r, "the lists hold more or fewer than the %lld vectors claimed",
               (long long)h->ntotal);
out:
    free(sizes);
    free(seen);
    return rc;
}

/* An IVF-Flat index after its fourcc. */
static int ix_ivf(struct ixfile *r, struct ixhead *h)
{
    struct ixhead q;
    uint64_t nlist, nprobe, m;
    uint32_t qh;
    unsigned char map;

    if (ix_header(r, h) || ix_u64(r, &nlist, "the IVF header") ||
        ix_u64(r, &nprobe, "the IVF header") || ix_read(r, &qh, 4, "the quantizer"))
        return -1;
    if (!ix_is_flat(qh))
        return ix_corrupt(r, "the IVF-Flat quantizer is not a Flat index");
    if (ix_flat(r, &q))
        return -1;
    if (q.d != h->d || (uint64_t)q.ntotal != nlist || !nlist)
        return ix_corrupt(r, "a quantizer of %lld vectors of dimension %ld for %llu lists "
                          "of dimension %ld", (long long)q.ntotal, (long)q.d,
                          (unsigned long long)nlist, (long)h->d);
    if (ix_read(r, &map, 1, "the direct map") || ix_u64(r, &m, "the direct map"))
        return -1;
    if (map > 1 || m != (map ? (uint64_t)h->ntotal : 0))
        return ix_corrupt(r, "a direct map of type %u with %llu entries", map,
                          (unsigned long long)m);
    if (ix_skip(r, m, 8, "the direct map"))
        return -1;
    return ix_lists(r, h, nlist);
}

/* Check the file's structure (above); *h gets its d and ntotal. */
static int index_file_check(FILE *f, const char *path, struct ixhead *h)
{
    struct stat st;
    struct ixfile r = { f, path, 0 };
    char tag[4] = "", shown[8];
    uint32_t fourcc;

    if (fstat(fileno(f), &st))
        return error_errno("cannot read '%s'", path);
    r.left = (uint64_t)st.st_size;
    if (r.left < 4 || fread(tag, 1, 4, f) != 4 || tag[0] != 'I')
        return error("not a faiss index file '%s'", path);
    r.left -= 4;
    memcpy(&fourcc, tag, 4);
    if (fourcc == ix_fourcc("IwFl"))
        return ix_ivf(&r, h);
    if (ix_is_flat(fourcc))
        return ix_flat(&r, h);
    clean_copy(shown, sizeof(shown), tag, 4);
    if (tag[1] == 'w' || tag[1] == 'v')
        return error("compressed vectors in IVF index '%s' ('%s'): only IVF-Flat or Flat "
                     "files hold the raw vectors", path, shown);
    return error("not a Flat or IVF-Flat index '%s' ('%s'): its vectors cannot be recovered",
                 path, shown);
}

/* faiss reads the checked file (the same stream, so the same bytes). */
static int read_checked(FILE *f, const char *path, FaissIndex **index)
{
    int frc;

    rewind(f);
    TIMED(frc, faiss_read_index(f, 0, index));
    if (frc)
        return error("not a faiss index file '%s': %s", path, faiss_msg());
    return 0;
}

int backend_read_vectors(const char *path, float **x, size_t *n, size_t *d)
{
    FaissIndex *index = NULL;
    FaissIndexIVF *ivf;
    struct ixhead h;
    FILE *f;
    int rc = -1, frc = 0;

    *x = NULL;
    *n = *d = 0;
    if (!(f = fopen_regular(path)))
        return -1;
    if (index_file_check(f, path, &h) || read_checked(f, path, &index))
        goto out;
    /* Only indexes that store raw vectors give them back exactly. */
    ivf = faiss_IndexIVF_cast(index);
    if ((ivf && !faiss_IndexIVFFlat_cast(index)) || (!ivf && !faiss_IndexFlat_cast(index)) ||
        faiss_Index_ntotal(index) != h.ntotal || faiss_Index_d(index) != h.d) {
        error("not a Flat or IVF-Flat index '%s' as checked: its vectors cannot be recovered",
              path);
        goto out;
    }
    if (ivf && faiss_IndexIVF_make_direct_map(ivf, 1)) {
        faiss_error("make_direct_map");
        goto out;
    }
    *n = (size_t)h.ntotal;
    *d = (size_t)h.d;
    /* n * d * 4 <= the file's length: checked above */
    *x = xmalloc(*n * *d * sizeof(float) + 1);
    if (*n)
        TIMED(frc, faiss_Index_reconstruct_n(index, 0, (idx_t)*n, *x));
    if (frc) {
        faiss_error("reconstruct");
        free(*x);
        *x = NULL;
        *n = *d = 0;
        goto out;
    }
    rc = 0;
out:
    if (index)
        faiss_Index_free(index);
    fclose(f);
    return rc;
}

int backend_kmeans(size_t n, const float *x, size_t d, size_t k, int niter, int seed,
                   float *centroids)
{
    FaissClusteringParameters cp;
    FaissClustering *km = NULL;
    FaissIndexFlat *assign = NULL;
    float *c = NULL;
    size_t size = 0;
    int rc = -1, frc;

    faiss_ClusteringParameters_init(&cp);
    cp.niter = niter;
    cp.seed = seed;
    cp.max_points_per_centroid = (int)(n / (k ? k : 1) + 1);
    if (faiss_Clustering_new_with_params(&km, (int)d, (int)k, &cp) ||
        faiss_IndexFlat_new_with(&assign, (idx_t)d, METRIC_L2)) {
        faiss_error("k-means");
        goto out;
    }
    TIMED(frc, faiss_Clustering_train(km, (idx_t)n, x, (FaissIndex *)assign));
    if (frc) {
        faiss_error("k-means");
        goto out;
    }
    faiss_Clustering_centroids(km, &c, &size);
    if (size != k * d) {
        error("k-means: %zu centroid values, expected %zu", size, k * d);
        goto out;
    }
    memcpy(centroids, c, size * sizeof(float));
    rc = 0;
out:
    if (km)
        faiss_Clustering_free(km);
    if (assign)
        faiss_IndexFlat_free(assign);
    return rc;
}

/* Debian's OpenBLAS runs its own thread pool, which omp_set_num_threads does
 * not reach; weak, so that another BLAS links too. */
extern void openblas_set_num_threads(int n) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

void backend_set_threads(int n)
{
    if (n <= 0)
        n = omp_get_num_procs();
    omp_set_num_threads(n);
    if (openblas_set_num_threads)
        openblas_set_num_threads(n);
}

int backend_threads(void)
{
    return omp_get_max_threads();
}

int backend_blas_threads(void)
{
    return openblas_get_num_threads ? openblas_get_num_threads() : -1;
}
