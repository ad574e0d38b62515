/*
 * make_index.c - writes the rvc_index target's seeds (make-corpus.sh): the
 * first rows of a real data set (the GloVe JSON in ../shared/datasets) as
 * the index files RVC writes: IVF{N/39},Flat (trained on all, as RVC does)
 * and a Flat one.
 *
 *   fuzz_make_index GLOVE.json OUT_DIR
 */
#include "io/text.h"
#include "lib/backend.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>

static int write_index(const char *factory, const struct vecs *v, size_t n, const char *path)
{
    struct fs_index *idx = NULL;
    char err[256];
    int rc = -1;

    if (backend_create(&idx, factory, (int)v->d, BACKEND_L2, err, sizeof(err)) < 0)
        return error("cannot create '%s': %s", factory, err);
    if (backend_train(idx, n, v->x) == 0 && backend_add(idx, n, v->x) == 0 &&
        backend_write(idx, path) == 0)
        rc = 0;
    backend_free(idx);
    return rc;
}

int main(int argc, char **argv)
{
    struct vecs v;
    char *ivf, *flat;
    int rc;

    if (argc != 3) {
        fprintf(stderr, "usage: fuzz_make_index GLOVE.json OUT_DIR\n");
        return 2;
    }
    if (load_glove_json(&v, argv[1], 78) < 0)
        return 1;
    ivf = xasprintf("%s/added_IVF2_Flat_nprobe_1_glove_v1.index", argv[2]);
    flat = xasprintf("%s/flat.index", argv[2]);
    rc = write_index("IVF2,Flat", &v, v.n, ivf) || write_index("Flat", &v, 6, flat);
    free(ivf);
    free(flat);
    vecs_release(&v);
    return rc ? 1 : 0;
}
