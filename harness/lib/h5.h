/*
 * h5.h - what the HDF5 readers of io/ (ann-benchmarks files) and out/
 * (results files) share: reading one string attribute, stored fixed or
 * variable length.
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

#endif
