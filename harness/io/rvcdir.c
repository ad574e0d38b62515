/*
 * rvcdir.c - read RVC training folders and RVC index files.
 *
 * A folder is read in two passes: every clip's header first (cheap; a bad
 * or mismatched file fails before any large read, and the total size gives
 * one allocation), then each clip's data straight into its place in the
 * table, so the peak memory is the table itself. The order is byte-wise
 * strcmp of the names, which is what Python's sorted(os.listdir()) gives
 * RVC, so row i here is row i of RVC's big_npy.
 */
#include "io/rvcdir.h"
#include "io/npy.h"
#include "lib/backend.h"
#include "lib/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Last component of a folder path, trailing slashes ignored (malloc'd). */
static char *base_name(const char *path)
{
    size_t end = strlen(path), start;
    while (end > 1 && path[end - 1] == '/')
        end--;
    start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    return xasprintf("%.*s", (int)(end - start), path + start);
}

static char *join(const char *dir, const char *name)
{
    size_t len = strlen(dir);
    return xasprintf("%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/", name);
}

/* ---------------------------------------------------------- resolve */

static const char *version_folder(const char *version)
{
    return !strcmp(version, "v1") ? "3_feature256" : "3_feature768";
}

char *rvc_resolve(const char *path, const char *version)
{
    char *f256, *f768, *out = NULL;

    if (version && strcmp(version, "v1") && strcmp(version, "v2")) {
        error("unknown RVC version '%s' for '%s' (expected v1 or v2)", version, path);
        return NULL;
    }
    if (is_file(path)) {
        if (has_suffix(path, ".index"))
            error("'%s' is an index file: use format rvc-index for it", path);
        else
            out = xstrdup(path);
        return out;
    }
    if (!is_dir(path)) {
        if (errno)
            error_errno("cannot open '%s'", path);
        else
            error("cannot open '%s': not a file or folder", path);
        return NULL;
    }
    f256 = join(path, "3_feature256");
    f768 = join(path, "3_feature768");
    if (version) {
        const char *want = version_folder(version);
        char *name = base_name(path), *sub = !strcmp(version, "v1") ? f256 : f768;
        if (is_dir(sub))
            out = xstrdup(sub);
        else if (!strncmp(name, "3_feature", 9) && strcmp(name, want))
            error("'%s' is a %s folder, but rvc_version %s reads %s/", path, name, version, want);
        else if (is_dir(f256) || is_dir(f768))
            error("no %s/ folder in '%s' for rvc_version %s", want, path, version);
        else
            out = xstrdup(path);
        free(name);
    } else if (is_dir(f768)) {
        out = xstrdup(f768);
    } else if (is_dir(f256)) {
        out = xstrdup(f256);
    } else {
        /* older RVC kept the concatenation next to the folders */
        char *total = join(path, "total_fea.npy");
        if (is_file(total))
            out = total;
        else {
            free(total);
            out = xstrdup(path);
        }
    }
    free(f256);
    free(f768);
    return out;
}

/* ----------------------------------------------------------- folder */

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the .npy files in dir; *n gets their count. */
static char **list_npy(const char *dir, size_t *n)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    char **names = NULL, *first_other = NULL;
    size_t cap = 0, others = 0;

    *n = 0;
    if (!dp) {
        error_errno("cannot open '%s'", dir);
        return NULL;
    }
    while ((e = readdir(dp))) {
        char *full;
        int regular;
        if (e->d_name[0] == '.')
            continue;
        full = join(dir, e->d_name);
        regular = is_file(full);
        free(full);
        if (!regular || !has_suffix(e->d_name, ".npy")) {
            if (!others++)
                first_other = xstrdup(e->d_name);
            continue;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            names = xrealloc(names, cap * sizeof(*names));
        }
        names[(*n)++] = xstrdup(e->d_name);
    }
    closedir(dp);
    /* RVC would np.load them and fail; we read the clips and say so. */
    if (others && *n)
        warning("skipped %zu entries of '%s' that are not .npy files (first: '%s')",
                others, dir, first_other);
    free(first_other);
    if (!*n) {
        error("no .npy files in the folder '%s'", dir);
        free(names);
        return NULL;
    }
    qsort(names, *n, sizeof(*names), cmp_name);
    return names;
}

static int read_header(const char *path, struct npy_header *h)
{
    FILE *f = fopen_regular(path);
    int r;
    if (!f)
        return -1;
    r = npy_read_header(f, path, h);
    fclose(f);
    return r;
}

static int read_data(const char *path, const struct npy_header *h, float *dst, size_t rows)
{
    FILE *f = fopen_regular(path);
    int r;
    if (!f)
        return -1;
    r = npy_read_rows(f, path, h, dst, rows);
    fclose(f);
    return r;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int load_folder(struct vecs *v, struct clips *c, const char *dir, size_t limit)
{
    size_t nfiles = 0, used = 0, total = 0, i;
    char **names = list_npy(dir, &nfiles);
    struct npy_header *h;
    int ret = -1;

    if (!names)
        return -1;
    h = xcalloc(nfiles, sizeof(*h));
    /* pass 1: headers, up to the files the limit needs */
    for (i = 0; i < nfiles && (!limit || total < limit); i++, used++) {
        char *path = join(dir, names[i]);
        int r = read_header(path, &h[i]);
        if (!r && i && h[i].d != h[0].d)
            r = error("dimension %zu of '%s' differs from %zu in '%s' (the first file)",
                      h[i].d, path, h[0].d, names[0]);
        free(path);
        if (r)
            goto out;
        total += h[i].n;
    }
    if (limit && total > limit)
        total = limit;
    v->d = h[0].d;
    v->dtype = npy_dtype_name(h[0].dtype);
    v->x = xmalloc(total * v->d * sizeof(float));
    c->n = used;
    c->names = xcalloc(used, sizeof(*c->names));
    c->first = xcalloc(used + 1, sizeof(*c->first));
    /* pass 2: each clip's data into its place */
    for (i = 0; i < used; i++) {
        size_t rows = h[i].n < total - v->n ? h[i].n : total - v->n;
        char *path = join(dir, names[i]);
        int r = read_data(path, &h[i], v->x + v->n * v->d, rows);
        free(path);
        if (r)
            goto out;
        if (h[i].dtype != h[0].dtype)
            v->dtype = "mixed float types";
        c->names[i] = names[i];
        names[i] = NULL;
        c->first[i] = v->n;
        v->n += rows;
    }
    c->first[used] = v->n;
    ret = 0;
out:
    free(h);
    free_names(names, nfiles);
    return ret;
}

int load_rvc(struct vecs *v, struct clips *c, const char *path, const char *version,
             size_t limit)
{
    struct clips local;
    char *what;
    int r;

    memset(v, 0, sizeof(*v));
    if (!c)
        c = &local;
    memset(c, 0, sizeof(*c));
    what = rvc_resolve(path, version);
    if (!what)
        return -1;
    if (is_file(what))
        r = load_npy(v, what, limit);
    else
        r = load_folder(v, c, what, limit);
    free(what);
    if (r) {
        vecs_release(v);
        clips_release(c);
    }
    if (c == &local)
        clips_release(c);
    return r;
}

/* ------------------------------------------------------------ index */

int load_rvc_index(struct vecs *v, const char *path, size_t limit)
{
    float *x = NULL;
    size_t n = 0, d = 0;

    memset(v, 0, sizeof(*v));
    if (backend_read_vectors(path, &x, &n, &d))
        return -1;
    if (!n) {
        free(x);
        return error("no vectors in the index '%s'", path);
    }
    if (limit && limit < n) {
        n = limit;
        x = xrealloc(x, n * d * sizeof(float));
    }
    v->x = x;
    v->n = n;
    v->d = d;
    v->dtype = "float32 (faiss index)";
    return 0;
}
