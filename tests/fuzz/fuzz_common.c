/*
 * fuzz_common.c - the helpers every fuzz target shares (fuzz.h): the input
 * as a file, quiet set-up, a walk over a loaded table.
 */
#include "fuzz.h"
#include "lib/util.h"

#include <fcntl.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *input_path;

static void remove_input(void)
{
    if (input_path)
        unlink(input_path);
}

void fuzz_setup(void)
{
    util_quiet = 1;
}

/* A file of its own per process: HDF5 resolves the path it is given, so a
 * memfd seen through /proc/self/fd cannot stand in for one. */
const char *fuzz_file(const uint8_t *data, size_t size)
{
    size_t done = 0;
    int fd;

    if (!input_path) {
        const char *dir = getenv("FS_FUZZ_TMPDIR");
        if (!dir || !*dir)
            dir = getenv("TMPDIR");
        fuzz_setup();
        input_path = xasprintf("%s/fuzz-input-%ld", dir && *dir ? dir : "/tmp", (long)getpid());
        atexit(remove_input);
    }
    fd = open(input_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror(input_path);
        abort();
    }
    while (done < size) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) {
            perror(input_path);
            abort();
        }
        done += (size_t)w;
    }
    close(fd);
    return input_path;
}

void fuzz_hdf5_setup(void)
{
    static int done;

    if (!done)
        H5set_free_list_limits(-1, -1, -1, -1, -1, -1);
    done = 1;
}

int fuzz_probed(void)
{
    static int probed = -1;

    if (probed < 0) {
        const char *v = getenv("FS_FUZZ_PROBE");
        probed = v && !strcmp(v, "1");
    }
    return probed;
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

static volatile double loaders_sink;

void fuzz_loaders(const uint8_t *data, size_t size, const fuzz_loader *loaders, size_t n)
{
    const char *path = fuzz_file(data, size);
    struct vecs v;

    for (size_t i = 0; i < n; i++)
        for (size_t limit = 0; limit <= 2; limit += 2)
            if (loaders[i](&v, path, limit) == 0) {
                loaders_sink = fuzz_touch(&v);
                vecs_release(&v);
            }
}
