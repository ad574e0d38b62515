/*
 * fuzz_glove.c - libFuzzer target: the GloVe readers (io/text.h): the JSON
 * word table and GloVe's "word v1 v2 ..." text, each on the same bytes,
 * whole and cut to their first rows.
 */
#include "fuzz.h"
#include "io/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fuzz_loader loaders[] = { load_glove_json, load_glove_txt };

    fuzz_loaders(data, size, loaders, sizeof(loaders) / sizeof(loaders[0]));
    return 0;
}
