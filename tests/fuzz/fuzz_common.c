/*
 * fuzz_common.c - the helpers every fuzz target shares (fuzz.h): the input
 * as a memfd file, quiet set-up, a walk over a loaded table.
 */
#include "fuzz.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static int input_fd = -1;
static char input_path[64];

void fuzz_setup(void)
{
    util_quiet = 1;
}

const char *fuzz_file(const uint8_t *data, size_t size)
{
    size_t done = 0;

    if (input_fd < 0) {
        fuzz_setup();
        input_fd = memfd_create("fuzz-input", 0);
        if (input_fd < 0) {
            perror("fuzz: memfd_create");
            abort();
        }
        snprintf(input_path, sizeof(input_path), "/proc/self/fd/%d", input_fd);
    }
    if (ftruncate(input_fd, 0) < 0) {
        perror("fuzz: ftruncate");
        abort();
    }
    while (done < size) {
        ssize_t w = pwrite(input_fd, data + done, size - done, (off_t)done);
        if (w <= 0) {
            perror("fuzz: pwrite");
            abort();
        }
        done += (size_t)w;
    }
    return input_path;
}

double fuzz_touch(const struct vecs *v)
{
    double sum = 0;

    if (!v->x)
        return 0;
    for (size_t i = 0; i < v->n * v->d; i++)
        sum += v->x[i] == v->x[i] ? 1 : 0;   /* NaN-safe: counts the non-NaN values */
    return sum + (double)vecs_count_nonfinite(v, NULL);
}
