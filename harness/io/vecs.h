/*
 * vecs.h - the bottom of io: a table of float32 rows, the clip boundaries of
 * rows read from many files, and what is done to rows in place.
 *
 * Every loader (text, binary, npy, annb, rvcdir) fills a `struct vecs`; this
 * header includes nothing of io, so the loaders never depend on the data-set
 * layer above them (dataset.h).
 */
#ifndef FS_VECS_H
#define FS_VECS_H

#include <stddef.h>

struct vecs {
    float *x;    /* n * d floats, row-major; owned (malloc'd, or inside map) */
    size_t n, d;
    /* Set when x points into a private file mapping (float32 .npy): release
     * unmaps instead of freeing, and the table never grows or shrinks. */
    void *map;
    size_t map_len;
    const char *dtype;  /* value type as stored ("float32", "uint8", "text", ...;
                         * static string), NULL if unknown */
};
/* Free (or unmap) x and zero the struct; a zeroed struct is a no-op. */
void vecs_release(struct vecs *v);

/* Clip boundaries of data read from many files (RVC feature folders): clip i
 * is rows [first[i], first[i + 1]) and came from names[i]. n == 0: row data. */
struct clips {
    size_t n;
    char **names;   /* file names (no folder), owned */
    size_t *first;  /* n + 1 entries; first[n] is the row count */
};
/* Free names and first and zero the struct. */
void clips_release(struct clips *c);

/* Growing a malloc'd table whose row count is not known up front: make room
 * for nfloats floats in v->x (*cap: floats allocated so far, 0 at first;
 * doubles). Never for a mapped table. */
void vecs_reserve(struct vecs *v, size_t *cap, size_t nfloats);
/* Give back the room past v->n rows (a mapped table stays as mapped: unused
 * tail pages cost nothing). */
void vecs_shrink(struct vecs *v);

/* L2 norm of one row of d floats, in double. */
double vecs_row_norm(const float *r, size_t d);

/* Every row finite? Returns the number of rows holding NaN or Inf; if
 * first_bad is not NULL it gets the index of the first such row. */
size_t vecs_count_nonfinite(const struct vecs *v, size_t *first_bad);

/* L2-normalise rows in place: x / max(eps, |x|). Returns the number of rows
 * whose norm was below eps (left as they were scaled, i.e. near zero). */
size_t vecs_normalize(struct vecs *v, float eps);

/* Rows whose L2 norm is below eps (zero vectors: no direction under cosine). */
size_t vecs_count_zero_rows(const struct vecs *v, float eps);
/* Remove them in place, keeping the order of the rest; returns how many went.
 * Row ids after the first dropped row shift (clip boundaries are not updated). */
size_t vecs_drop_zero_rows(struct vecs *v, float eps);

/* Rows bitwise equal to an earlier row. */
size_t vecs_count_duplicates(const struct vecs *v);

#endif
