/*
 * npy.h - NumPy .npy files: one reader (header, data) and one float32 writer.
 *
 * Only what feature files hold is read: float16, float32 or float64,
 * little-endian, C order, 1-d (one vector) or 2-d (rows x d). Anything else
 * (Fortran order, big-endian, object or other dtypes, a cut file) is refused
 * with one error line naming the file.
 */
#ifndef FS_NPY_H
#define FS_NPY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "io/vecs.h"

enum npy_dtype { NPY_F16, NPY_F32, NPY_F64 };

struct npy_header {
    size_t n, d;            /* rows and columns (a 1-d array is 1 x d) */
    int ndim;               /* 1 or 2 */
    enum npy_dtype dtype;
    size_t elsize;          /* bytes per value */
    uint64_t data_offset;   /* where the data starts in the file */
    uint64_t file_size;
    int version;            /* major version: 1, 2 or 3 */
};

/* "float16", "float32", "float64" */
const char *npy_dtype_name(enum npy_dtype t);

/* Read and check the header of an open file (positioned anywhere): magic,
 * version, dict, dtype, order, shape, and that the file holds all the data.
 * Returns 0 or -1 after one error line naming `path`. */
int npy_read_header(FILE *f, const char *path, struct npy_header *h);

/* Read the first `rows` rows of data into dst (rows * d floats), converting
 * to float32. The file position is set here. Returns 0 or -1. */
int npy_read_rows(FILE *f, const char *path, const struct npy_header *h,
                  float *dst, size_t rows);

/* Load a .npy file (limit > 0: first rows only). float32 data is mapped
 * (MAP_PRIVATE) rather than read, so a large file costs no copy; v->map then
 * owns it and vecs_release unmaps. Other dtypes are converted into memory. */
int load_npy(struct vecs *v, const char *path, size_t limit);

/* Write x (n x d float32, row-major) as a version 1.0 .npy file, byte for
 * byte what numpy 1.24's np.save writes (header padded to 64 bytes, with
 * numpy's spare room for the row count). The one .npy writer: speech's
 * feature files and the tests' fixtures both use it. Returns 0, or -1 after
 * an error naming the file. */
int npy_write_f32(const char *path, const float *x, size_t n, size_t d);

/* The same, printing nothing: 0, or -1 with errno set and *failed (may be
 * NULL) "create" or "write", for callers that report later (speech's clips,
 * written in parallel, report the first failure in path order). */
int npy_write_f32_errno(const char *path, const float *x, size_t n, size_t d,
                        const char **failed);

#endif
