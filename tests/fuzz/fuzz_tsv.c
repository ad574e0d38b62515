/*
 * fuzz_tsv.c - libFuzzer target: the numeric TSV reader (io/text.h
 * load_tsv), as a plain table and with its last column an id (tsv-id),
 * whole and cut to its first rows.
 */
#include "fuzz.h"
#include "io/text.h"

static volatile double sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    struct vecs v;

    for (int drop_last = 0; drop_last <= 1; drop_last++) {
        for (size_t limit = 0; limit <= 2; limit += 2) {
            if (load_tsv(&v, path, limit, drop_last) == 0) {
                sink = fuzz_touch(&v);
                vecs_release(&v);
            }
        }
    }
    return 0;
}
