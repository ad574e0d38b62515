/* version.c - build-time facts, filled in by CMake definitions and by
 * fs_commit.h, which the build rewrites when the commit changes; and the
 * faiss version asked of the library at run time. */
#include "lib/version.h"
#include "lib/backend.h"
#include "fs_commit.h"

const char fs_version[] = FS_VERSION;
const char fs_git_commit[] = FS_GIT_COMMIT;
const char fs_faiss_version_headers[] = FS_FAISS_VERSION;
const char fs_faiss_simd[] = FS_FAISS_SIMD;
const char fs_faiss_variant[] = FS_FAISS_VARIANT_USED;
const char fs_faiss_features[] = FS_FAISS_FEATURES;

const char *version_faiss(void)
{
    const char *v = backend_faiss_version();
    return v && *v ? v : fs_faiss_version_headers;
}

const char *version_faiss_source(void)
{
    const char *v = backend_faiss_version();
    return v && *v ? "runtime" : "headers";
}
