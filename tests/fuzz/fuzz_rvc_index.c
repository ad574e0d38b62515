/*
 * fuzz_rvc_index.c - libFuzzer target: the RVC index reader (io/rvcdir.h
 * load_rvc_index, through lib/backend.c backend_read_vectors and faiss's
 * read_index): the vectors of an IVF-Flat or Flat index file. faiss itself
 * is not instrumented (no coverage guidance inside it), but ASan still sees
 * what it reads and allocates.
 */
#include "fuzz.h"
#include "io/rvcdir.h"

static volatile double sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    struct vecs v;

    if (load_rvc_index(&v, path, 0) == 0) {
        sink = fuzz_touch(&v);
        vecs_release(&v);
    }
    return 0;
}
