/*
 * fuzz_npy.c - libFuzzer target: the .npy reader (io/npy.h): the header
 * (magic, version, dict, dtype, shape, the file's length), then the data,
 * mapped (float32) or converted (float16, float64), whole and cut to its
 * first rows.
 */
#include "fuzz.h"
#include "io/npy.h"

static volatile double sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    static const size_t limits[] = { 0, 2 };
    struct vecs v;

    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        if (load_npy(&v, path, limits[i]) == 0) {
            sink = fuzz_touch(&v);
            vecs_release(&v);
        }
    }
    return 0;
}
