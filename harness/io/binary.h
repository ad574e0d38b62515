/*
 * binary.h - binary vector files: MNIST-style IDX and texmex fvecs / ivecs /
 * bvecs (the SIFT1M / GIST1M layout).
 *
 * Each loader fills `v` (float32 rows, converted from the stored type; v->dtype
 * names that type) and returns 0, or -1 after one error line naming the file
 * (and the row at fault); v is then released. `limit` > 0 reads at most that
 * many rows.
 */
#ifndef FS_BINARY_H
#define FS_BINARY_H

#include <stddef.h>
#include "io/vecs.h"

/* IDX, plain or gzip: ubyte, byte, short, int, float or double payload (big
 * endian), 1 to 4 dimensions; every dimension after the first is flattened
 * into the row. */
int load_idx(struct vecs *v, const char *path, size_t limit);

/* texmex: each row is an int32 dimension, then float32 / int32 / uint8
 * values (little endian); every row must have row 0's dimension. */
int load_fvecs(struct vecs *v, const char *path, size_t limit);
int load_ivecs(struct vecs *v, const char *path, size_t limit);
int load_bvecs(struct vecs *v, const char *path, size_t limit);

#endif
