/*
 * fuzz_texmex.c - libFuzzer target: the texmex readers (io/binary.h
 * load_fvecs, load_ivecs, load_bvecs), each on the same bytes, whole and
 * cut to their first rows.
 */
#include "fuzz.h"
#include "io/binary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fuzz_loader loaders[] = { load_fvecs, load_ivecs, load_bvecs };

    fuzz_loaders(data, size, loaders, sizeof(loaders) / sizeof(loaders[0]));
    return 0;
}
