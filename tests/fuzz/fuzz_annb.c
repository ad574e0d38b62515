/*
 * fuzz_annb.c - libFuzzer target: the ann-benchmarks HDF5 reader
 * (io/annb.h load_annb): train, test, neighbors, distances and the
 * distance attribute, whole and with the first rows only. In-process
 * (load_annb_unprobed) unless FS_FUZZ_PROBE=1 asks for the product's
 * load_annb, probe child and all (fuzz.h fuzz_probed).
 */
#include "fuzz.h"
#include "io/annb.h"

static volatile double sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size);
    struct annb a;

    fuzz_hdf5_setup();
    for (size_t limit = 0; limit <= 2; limit += 2) {
        int rc = fuzz_probed() ? load_annb(&a, path, limit, limit)
                               : load_annb_unprobed(&a, path, limit, limit);
        if (rc == 0) {
            double s = fuzz_touch(&a.train) + fuzz_touch(&a.test);
            for (size_t i = 0; i < a.test.n * a.gt_k; i++)
                s += (double)(a.neighbors ? a.neighbors[i] : 0) +
                     (a.distances ? a.distances[i] : 0);
            sink = s + (annb_metric(a.distance) != NULL);
            annb_release(&a);
        }
    }
    return 0;
}
