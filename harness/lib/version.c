/* version.c - build-time facts, filled in by CMake definitions and by
 * fs_commit.h, which the build rewrites when the commit changes. */
#include "lib/version.h"
#include "fs_commit.h"

const char fs_version[] = FS_VERSION;
const char fs_git_commit[] = FS_GIT_COMMIT;
const char fs_faiss_version[] = FS_FAISS_VERSION;
const char fs_faiss_simd[] = FS_FAISS_SIMD;
