/*
 * build.h - build one index: create from a factory string, train, add, and
 * measure what that cost (seconds, serialized bytes, RSS growth).
 */
#ifndef FS_BUILD_H
#define FS_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include "lib/backend.h"

struct build_stats {
    double train_s, add_s;
    int64_t index_bytes;      /* serialized size */
    int64_t rss_delta_bytes;  /* peak RSS while building minus RSS before */
};

/* Build an index on nb base vectors, adding them add_batch rows per call
 * (RVC adds 8192 at a time; 0 = all in one call). Returns 0 (index in *out, caller frees
 * with backend_free) or -1 after printing an error. */
int build_index(struct fs_index **out, const char *factory, enum backend_metric metric,
                const float *xb, size_t nb, size_t d, size_t add_batch,
                struct build_stats *st);

#endif
