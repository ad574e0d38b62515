/*
 * fuzz.h - what every libFuzzer target of tests/fuzz/ shares: the input as
 * a file (the readers take a path), and a walk over a loaded table that
 * reads every value, so that a table shorter than its claimed size shows
 * as an ASan report here rather than later in a sweep.
 *
 * Each target defines LLVMFuzzerTestOneInput (fuzz_<name>.c); the build is
 * a separate clang one (-DFS_FUZZ=ON, see tests/fuzz/README.md).
 */
#ifndef FS_FUZZ_H
#define FS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include "io/vecs.h"

/* The input's bytes as the content of a file, and that file's path:
 * $FS_FUZZ_TMPDIR (run.sh: the run's work folder), else $TMPDIR, else /tmp,
 * /fuzz-input-<pid>, rewritten at each call and removed at exit (a crash
 * leaves it behind, in the work folder). The path stays valid for the
 * process. Aborts if the file cannot be written (a broken fuzzing set-up,
 * not a finding). */
const char *fuzz_file(const uint8_t *data, size_t size);

/* Quiet the harness's info lines (error lines go to stderr, which the
 * runner discards with -close_fd_mask=2). Called by every target's first
 * input. */
void fuzz_setup(void);

/* For the HDF5 targets, once a process: no limits on HDF5's free lists
 * (H5set_free_list_limits), so that the ~1 MiB HDF5 callocs at each file
 * open (its metadata cache) are reused rather than mmapped afresh by
 * ASan's allocator and faulted in page by page: ~5 times the executions a
 * second. A process-wide HDF5 setting, for the fuzz targets only. */
void fuzz_hdf5_setup(void);

/* Whether the HDF5 targets (annb, results) call the product's reader,
 * which reads the file in an h5_probe child first (lib/h5.h), rather than
 * the unguarded one that reads it in-process only (load_annb_unprobed,
 * results_read_unprobed): $FS_FUZZ_PROBE set to 1. In-process is the
 * default: ~50 times as many executions a second, and a crash is where it
 * happens; run.sh replays with the probe to tell HDF5's crashes, which the
 * product's probe turns into an error, from the product's. */
int fuzz_probed(void);

/* Read every value of a loaded table (n * d floats) and return a number
 * that depends on all of them; a zeroed table gives 0. */
double fuzz_touch(const struct vecs *v);

/* A vector reader as io/ declares them: table, path, row limit (0 = all). */
typedef int (*fuzz_loader)(struct vecs *v, const char *path, size_t limit);

/* Each of loaders[0..n) on the input's file, whole and cut to its first 2
 * rows, every value of what loads read (fuzz_touch). */
void fuzz_loaders(const uint8_t *data, size_t size, const fuzz_loader *loaders, size_t n);

#endif
