/*
 * backend.c - faiss through its C API. The only file that includes faiss
 * headers; see backend.h for the contract.
 */
#include "lib/backend.h"
#include "lib/util.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int backend_read_vectors(const char *path, float **x, size_t *n, size_t *d)
{
    FaissIndex *index = NULL;
    FaissIndexIVF *ivf;
    int rc = -1, frc = 0;

    *x = NULL;
    *n = *d = 0;
    TIMED(frc, faiss_read_index_fname(path, 0, &index));
    if (frc)
        return error("not a faiss index file '%s': %s", path, faiss_msg());
    /* Only indexes that store raw vectors give them back exactly. */
    ivf = faiss_IndexIVF_cast(index);
    if (ivf && !faiss_IndexIVFFlat_cast(index)) {
        error("compressed vectors in IVF index '%s': only IVF-Flat or Flat files hold "
              "the raw vectors", path);
        goto out;
    }
    if (!ivf && !faiss_IndexFlat_cast(index)) {
        error("not a Flat or IVF-Flat index '%s': its vectors cannot be recovered", path);
        goto out;
    }
    if (ivf && faiss_IndexIVF_make_direct_map(ivf, 1)) {
        faiss_error("make_direct_map");
        goto out;
    }
    *n = (size_t)faiss_Index_ntotal(index);
    *d = (size_t)faiss_Index_d(index);
    *x = xmalloc(*n * *d * sizeof(float) + 1);
    if (*n)
        TIMED(frc, faiss_Index_reconstruct_n(index, 0, (idx_t)*n, *x));
    if (frc) {
        faiss_error("reconstruct");
        free(*x);
        *x = NULL;
        goto out;
    }
    rc = 0;
out:
    faiss_Index_free(index);
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
