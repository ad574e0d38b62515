/*
 * fuzz_idx.c - libFuzzer target: the IDX reader (io/binary.h load_idx),
 * plain or gzip (zlib tells them apart by the bytes), whole and cut to its
 * first rows.
 */
#include "fuzz.h"
#include "io/binary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fuzz_loader loaders[] = { load_idx };

    fuzz_loaders(data, size, loaders, sizeof(loaders) / sizeof(loaders[0]));
    return 0;
}
