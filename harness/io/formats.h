/*
 * formats.h - every vector file format the harness reads, in ONE table:
 * name, loader, file-name suffixes and a line of help. The config's format
 * choice (dataset_formats), load_vecs(), the format guess from a file name
 * and the key reference's list (formats_list) all come from that table.
 */
#ifndef FS_FORMATS_H
#define FS_FORMATS_H

#include <stddef.h>
#include "io/vecs.h"

/* Every loader behind one signature: clip boundaries go to c when the format
 * has them (rvc; c may be NULL, and is zeroed otherwise), rvc_version is
 * read by rvc only (NULL = auto). Returns 0, or -1 after one error line
 * naming the file; v (and c) are then released. */
typedef int format_loader(struct vecs *v, struct clips *c, const char *path, size_t limit,
                          const char *rvc_version);

struct format {
    const char *name;       /* as the config's dataset.format spells it */
    format_loader *load;
    const char *suffixes;   /* file-name endings that guess it, space-separated
                             * ("" none; "/" a folder) */
    const char *help;       /* one line: what files of this format hold */
};

/* The table, in the order the reference lists it; ends with name == NULL. */
extern const struct format formats[];

/* The entry named `name`, or NULL. */
const struct format *format_find(const char *name);

/* Every format name, NULL-terminated, in table order: idx, tsv, tsv-id,
 * glove-json, glove-txt, fvecs, ivecs, bvecs, npy, rvc, rvc-index, ann-hdf5.
 * For choice parsers (core/config.c). */
extern const char *const dataset_formats[];

/* "idx | tsv | tsv-id | ... | ann-hdf5": the names in table order, for the
 * config key reference (a static string). */
const char *formats_list(void);

/* Load by format name. Clip boundaries of "rvc" go to c (may be NULL), the
 * test split and ground truth of "ann-hdf5" are dropped (dataset_load keeps
 * them). Unknown or NULL format: error listing the known ones. Returns 0 or
 * -1; v (and c) are zeroed first. */
int format_load(struct vecs *v, struct clips *c, const char *format, const char *path,
                size_t limit, const char *rvc_version);

/* format_load without clips or RVC version. */
int load_vecs(struct vecs *v, const char *format, const char *path, size_t limit);

/* The format a path most likely holds, from its name (a folder: rvc), by
 * the table's suffixes: .npy, .fvecs, .ivecs, .bvecs, .hdf5/.h5 (ann-hdf5),
 * .index (rvc-index), .tsv, .json (glove-json), .txt (glove-txt),
 * *-idx*-ubyte[.gz] and .idx[.gz] (idx). Case-insensitive. NULL when
 * nothing fits. */
const char *dataset_guess_format(const char *path);

#endif
