/*
 * formats.c - the one table of vector file formats, and what comes from it:
 * dispatch by name, the list of names, and the guess from a file name.
 *
 * The table is written once, as FORMAT_TABLE below; the struct table, the
 * NULL-terminated name list and the " | " list are all expanded from it, so
 * a format added there is known to the config, to load_vecs, to the guess and
 * to the reference at once.
 */
#include "io/formats.h"
#include "io/annb.h"
#include "io/binary.h"
#include "io/npy.h"
#include "io/rvcdir.h"
#include "io/text.h"
#include "lib/util.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------- loaders, one signature */

static int f_idx(struct vecs *v, struct clips *c, const char *path, size_t limit,
                 const char *version)
{
    (void)c, (void)version;
    return load_idx(v, path, limit);
}

static int f_tsv(struct vecs *v, struct clips *c, const char *path, size_t limit,
                 const char *version)
{
    (void)c, (void)version;
    return load_tsv(v, path, limit, 0);
}

static int f_tsv_id(struct vecs *v, struct clips *c, const char *path, size_t limit,
                    const char *version)
{
    (void)c, (void)version;
    return load_tsv(v, path, limit, 1);
}

static int f_glove_json(struct vecs *v, struct clips *c, const char *path, size_t limit,
                        const char *version)
{
    (void)c, (void)version;
    return load_glove_json(v, path, limit);
}

static int f_glove_txt(struct vecs *v, struct clips *c, const char *path, size_t limit,
                       const char *version)
{
    (void)c, (void)version;
    return load_glove_txt(v, path, limit);
}

static int f_fvecs(struct vecs *v, struct clips *c, const char *path, size_t limit,
                   const char *version)
{
    (void)c, (void)version;
    return load_fvecs(v, path, limit);
}

static int f_ivecs(struct vecs *v, struct clips *c, const char *path, size_t limit,
                   const char *version)
{
    (void)c, (void)version;
    return load_ivecs(v, path, limit);
}

static int f_bvecs(struct vecs *v, struct clips *c, const char *path, size_t limit,
                   const char *version)
{
    (void)c, (void)version;
    return load_bvecs(v, path, limit);
}

static int f_npy(struct vecs *v, struct clips *c, const char *path, size_t limit,
                 const char *version)
{
    (void)c, (void)version;
    return load_npy(v, path, limit);
}

static int f_rvc(struct vecs *v, struct clips *c, const char *path, size_t limit,
                 const char *version)
{
    return load_rvc(v, c, path, version, limit);
}

static int f_rvc_index(struct vecs *v, struct clips *c, const char *path, size_t limit,
                       const char *version)
{
    (void)c, (void)version;
    return load_rvc_index(v, path, limit);
}

/* ann-hdf5's train set alone (for load_vecs and base-only uses). */
static int f_annb_train(struct vecs *v, struct clips *c, const char *path, size_t limit,
                        const char *version)
{
    struct annb a;

    (void)c, (void)version;
    if (load_annb(&a, path, limit, 1) < 0)
        return -1;
    *v = a.train;
    memset(&a.train, 0, sizeof(a.train));
    annb_release(&a);
    if (!v->dtype)
        v->dtype = "float (HDF5)";
    return 0;
}

/* ---------------------------------------------------------- the table */

/* X(name, loader, suffixes, help): the one list of formats. */
#define FORMAT_TABLE(X)                                                                     \
    X("idx", f_idx, ".idx .idx.gz -ubyte -ubyte.gz",                                        \
      "MNIST-style IDX, plain or gzip; dimensions after the first are flattened")           \
    X("tsv", f_tsv, ".tsv", "numeric TSV or whitespace table, one row per line")            \
    X("tsv-id", f_tsv_id, "", "TSV whose last column is an id, dropped (SIFT 5k layout)")   \
    X("glove-json", f_glove_json, ".json", "one JSON object mapping word -> array of numbers") \
    X("glove-txt", f_glove_txt, ".txt",                                                     \
      "GloVe text, \"word v1 v2 ...\" per line; a \"count dim\" first line is skipped")     \
    X("fvecs", f_fvecs, ".fvecs", "texmex: int32 dimension, then float32 values, per row")  \
    X("ivecs", f_ivecs, ".ivecs", "texmex: int32 dimension, then int32 values, per row")    \
    X("bvecs", f_bvecs, ".bvecs", "texmex: int32 dimension, then uint8 values, per row")    \
    X("npy", f_npy, ".npy", "NumPy .npy: float16/32/64, little-endian, C order, 1-d or 2-d") \
    X("rvc", f_rvc, "/",                                                                    \
      "RVC training folder (3_feature256/ or 3_feature768/ of .npy clips) or any .npy folder") \
    X("rvc-index", f_rvc_index, ".index", "the vectors stored in an RVC (faiss) index file") \
    X("ann-hdf5", f_annb_train, ".hdf5 .h5",                                                \
      "ann-benchmarks HDF5: train, test, neighbors, distances")

#define AS_ENTRY(name, load, suffixes, help) { name, load, suffixes, help },
#define AS_NAME(name, load, suffixes, help) name,
#define AS_BAR(name, load, suffixes, help) " | " name

const struct format formats[] = { FORMAT_TABLE(AS_ENTRY) { NULL, NULL, NULL, NULL } };
const char *const dataset_formats[] = { FORMAT_TABLE(AS_NAME) NULL };

const char *formats_list(void)
{
    static const char list[] = FORMAT_TABLE(AS_BAR);
    return list + 3;   /* past the first " | " */
}

const struct format *format_find(const char *name)
{
    for (const struct format *f = formats; name && f->name; f++)
        if (!strcmp(f->name, name))
            return f;
    return NULL;
}

/* ------------------------------------------------------------ by name */

static int unknown_format(const char *path, const char *format)
{
    char list[256];
    size_t used = 0;

    list[0] = '\0';
    for (int i = 0; dataset_formats[i]; i++)
        used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                                 dataset_formats[i]);
    return error("unknown dataset format '%s' for '%s' (known: %s)", format, path, list);
}

int format_load(struct vecs *v, struct clips *c, const char *format, const char *path,
                size_t limit, const char *rvc_version)
{
    const struct format *f = format_find(format);

    if (c)
        memset(c, 0, sizeof(*c));
    memset(v, 0, sizeof(*v));
    if (!f)
        return unknown_format(path, format ? format : "(none)");
    return f->load(v, c, path, limit, rvc_version);
}

int load_vecs(struct vecs *v, const char *format, const char *path, size_t limit)
{
    return format_load(v, NULL, format, path, limit, NULL);
}

/* Does name end with one of the space-separated suffixes? */
static int has_any_suffix(const char *name, const char *suffixes)
{
    const char *p = suffixes;

    while (*p) {
        size_t len = strcspn(p, " ");
        char one[32];
        if (len && len < sizeof(one)) {
            memcpy(one, p, len);
            one[len] = '\0';
            if (has_suffix(name, one))
                return 1;
        }
        p += len;
        p += strspn(p, " ");
    }
    return 0;
}

const char *dataset_guess_format(const char *path)
{
    const char *name = strrchr(path, '/');
    struct stat st;
    int dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);

    name = name ? name + 1 : path;
    for (const struct format *f = formats; f->name; f++)
        if (dir ? !strcmp(f->suffixes, "/") : has_any_suffix(name, f->suffixes))
            return f->name;
    return NULL;
}
