/*
 * fuzz_idx.c - libFuzzer target: the IDX reader (io/binary.h load_idx),
 * plain or gzip (zlib tells them apart by the bytes), whole and cut to its
 * first rows.
 */
#include "fuzz.h"
#include "io/binary.h"

static volatile double sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    struct vecs v;

    for (size_t limit = 0; limit <= 2; limit += 2) {
        if (load_idx(&v, path, limit) == 0) {
            sink = fuzz_touch(&v);
            vecs_release(&v);
        }
    }
    return 0;
}
