/*
 * fuzz_texmex.c - libFuzzer target: the texmex readers (io/binary.h
 * load_fvecs, load_ivecs, load_bvecs), each on the same bytes, whole and
 * cut to their first rows.
 */
#include "fuzz.h"
#include "io/binary.h"

static volatile double sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int (*const loaders[])(struct vecs *, const char *, size_t) = {
        load_fvecs, load_ivecs, load_bvecs,
    };
    const char *path = fuzz_file(data, size);
    struct vecs v;

    for (size_t i = 0; i < sizeof(loaders) / sizeof(loaders[0]); i++) {
        for (size_t limit = 0; limit <= 2; limit += 2) {
            if (loaders[i](&v, path, limit) == 0) {
                sink = fuzz_touch(&v);
                vecs_release(&v);
            }
        }
    }
    return 0;
}
