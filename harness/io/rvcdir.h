/*
 * rvcdir.h - Retrieval-based Voice Conversion's own files as data sets.
 *
 * A training folder logs/<experiment>/ holds one float32 .npy per clip in
 * 3_feature256/ (v1) or 3_feature768/ (v2); RVC reads them sorted by name
 * and concatenates them. Older versions also saved the result as
 * total_fea.npy. The index RVC writes (added_IVF<n>_Flat_*.index) keeps the
 * raw vectors too, so it is a data set of its own.
 */
#ifndef FS_RVCDIR_H
#define FS_RVCDIR_H

#include <stddef.h>
#include "io/vecs.h"

/* path: logs/<experiment>/ (3_feature768/ if present, else 3_feature256/,
 * else its total_fea.npy; version "v1" or "v2" picks the folder, NULL =
 * auto), a 3_feature256/ or 3_feature768/ folder or any folder of .npy clips, or a .npy file
 * such as total_fea.npy (row data: no clips). Clip files are read in
 * byte-wise name order (Python's sorted(os.listdir())). limit > 0: first
 * rows only (the last clip may be cut). c may be NULL. Returns 0 or -1 after
 * one error line naming the file at fault. */
int load_rvc(struct vecs *v, struct clips *c, const char *path, const char *version,
             size_t limit);

/* The folder load_rvc would read clips from (malloc'd), or a .npy file path;
 * NULL after an error. */
char *rvc_resolve(const char *path, const char *version);

/* The vectors stored in an RVC index file (IVF-Flat or Flat), in id order. */
int load_rvc_index(struct vecs *v, const char *path, size_t limit);

#endif
