/*
 * precompute.h - `faiss-sweep prepare CONFIG`: fill the cache before the
 * tasks of a scale-out run start, so that none of them computes what they
 * share: every ground truth the config needs, and, with reuse_quantizers,
 * every distinct coarse quantizer of the grid.
 */
#ifndef FS_PRECOMPUTE_H
#define FS_PRECOMPUTE_H

#include <stddef.h>

/* Load the config (sets borrowed) and its data as `run` does (output_dir
 * as -o: the cache follows it when the config gives no cache_dir), then
 * compute or find each entry, one line each saying which. Returns 0 or -1
 * after an error. */
int precompute_run(const char *config_path, const char *output_dir, const char *const *sets,
                   size_t n_sets);

#endif
