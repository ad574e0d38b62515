/*
 * version.h - what was built: harness version and commit, the faiss linked
 * (its version, SIMD level, library variant and optional C API calls, as
 * cmake/faiss.cmake found them) and the faiss version loaded at run time.
 */
#ifndef FS_VERSION_H
#define FS_VERSION_H

extern const char fs_version[];
extern const char fs_git_commit[];
/* FAISS_VERSION_MAJOR.MINOR.PATCH of the headers built against. */
extern const char fs_faiss_version_headers[];
/* The SIMD literal compiled into the libfaiss linked ("AVX2", "GENERIC",
 * ...; "unknown"), read at configure time: the C API cannot say. */
extern const char fs_faiss_simd[];
/* The libraries linked: "generic" (libfaiss) or "avx2" (libfaiss_avx2). */
extern const char fs_faiss_variant[];
/* The optional C API calls found, space separated ("get_version
 * search_parameters"; "" for 1.7.3). */
extern const char fs_faiss_features[];

/* The faiss version: the loaded library's where its C API says it
 * (faiss_get_version), else the headers'. Static text. */
const char *version_faiss(void);
/* Where version_faiss() came from: "runtime" or "headers". */
const char *version_faiss_source(void);

#endif
