/*
 * h5.h - what the HDF5 readers and writers of io/ (ann-benchmarks files)
 * and out/ (results files) share: reading one string attribute, stored
 * fixed or variable length; checking what a file claims before HDF5 acts
 * on it (HDF5 1.10 trusts its files: a compound member placed outside its
 * row, or a row count no storage holds, crashes it or asks for terabytes);
 * reading a file once in a child process first, for what no check can
 * see; writing a file image to disk whole.
 */
#ifndef FS_H5_H
#define FS_H5_H

#include <hdf5.h>

/* The longest fixed-length string attribute read: 64 MiB. */
#define H5_STRING_MAX ((size_t)64 << 20)

/* The string held by attribute attr of file type ftype (H5T_STRING; the
 * caller checked the class and that it holds one value): malloc'd, caller
 * frees; NULL when HDF5 cannot read it (nothing printed: the caller names
 * the file). A fixed-length value gets one byte more than stored, so a
 * full-width one still ends in NUL, and loses trailing spaces (Fortran-style
 * writers pad with them). A fixed-length one longer than H5_STRING_MAX, or
 * than the attribute's stored bytes, is NULL too (a corrupt size). */
char *h5_read_string_attr(hid_t attr, hid_t ftype);

/* The compound type ftype of dataset `name` in file path: at most 64 KiB
 * a row in at most 1024 members, every member an 8-byte IEEE float or
 * integer (as H5Tequal sees it) or a fixed-length string, inside the row
 * and after the one before (writers place them in order). Returns 0, or -1
 * after an error naming the file and dataset. */
int h5_check_row_type(hid_t ftype, const char *name, const char *path);

/* Can dataset `name` (of ftype rows) hold the `rows` its dataspace claims:
 * a chunk of at most 64 MiB, and no more rows than its stored bytes hold
 * (times 1100 when filtered: deflate expands at most 1032:1)? Returns 0,
 * or -1 after an error naming the file and dataset. */
int h5_check_rows(hid_t dset, hid_t ftype, hsize_t rows, const char *name, const char *path);

/* Some corrupt files crash HDF5 1.10 where no check before the call can
 * see it: a variable-length string's heap reference (in attribute data the
 * API does not show raw) pointing past its heap collection is copied
 * unchecked (H5HG_read). So read_fn(path, ctx) runs first in a child process
 * (HDF5's error printing off): its exit says whether the file reads; a
 * child that dies (signal, abort) or runs past base_s plus per_mib_s per
 * MiB of file gives an error here instead of taking the caller down (a
 * corrupt heap can also make HDF5 loop for minutes). read_fn
 * returns 0, or -1 after one error line naming the file. Returns 0 when
 * the child read the file; else -1 after one error line (the child's own,
 * or one saying the library failed on the file). */
int h5_probe(const char *path, int (*read_fn)(const char *path, void *ctx), void *ctx,
             double base_s, double per_mib_s);

/* Write the n bytes of buf (an HDF5 file image) to a new file at path,
 * synced to disk. Returns 0, or -1 after an error naming it (a full disk:
 * ENOSPC, EFBIG). */
int h5_write_synced(const char *path, const void *buf, size_t n);

#endif
