/*
 * version.h - what was built: harness version and commit, faiss version and
 * the SIMD level compiled into the libfaiss actually linked (read by CMake).
 */
#ifndef FS_VERSION_H
#define FS_VERSION_H

extern const char fs_version[];
extern const char fs_git_commit[];
extern const char fs_faiss_version[];
extern const char fs_faiss_simd[];

#endif
