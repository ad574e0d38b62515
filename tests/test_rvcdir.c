/*
 * test_rvcdir.c - RVC's own files: the real rvc-mute training folder (skipped
 * with a reason when absent), generated multi-clip folders (order, clip
 * boundaries, limits, damage), an index file written the way RVC writes it,
 * and dataset_load's clip holdout, second-folder queries, scale ladder and
 * dataset_info on clip data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/backend.h"
#include "io/dataset.h"
#include "io/formats.h"
#include "io/npy.h"
#include "io/rvcdir.h"
#include "io/vecs.h"
#include "lib/util.h"
#include "testutil.h"

#ifndef FS_SHARED_DATA
#define FS_SHARED_DATA ""
#endif

static const char *mute(void)
{
    static char buf[1024];
    struct stat st;
    snprintf(buf, sizeof(buf), "%s/rvc-mute", FS_SHARED_DATA);
    if (!*FS_SHARED_DATA || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
        print_message("skipping: shared data folder %s not found\n", buf);
        skip();
    }
    return buf;
}

/* A clip of `rows` rows: value (clip, row, j) so every row tells where it
 * came from. */
static void write_clip(const char *path, int clip, size_t rows, size_t d)
{
    float *x = malloc(rows * d * sizeof(float) + 1);
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < d; j++)
            x[i * d + j] = (float)(clip * 1000 + (int)i) + (float)j / 1024;
    assert_int_equal(npy_write_f32(path, x, rows, d), 0);
    free(x);
}

static int clip_of(const float *row) { return (int)(row[0] / 1000); }
static int row_of(const float *row) { return (int)row[0] % 1000; }

/* logs/exp/3_feature256 (whatever d) with clips named to test byte-wise order:
 * "B.npy" < "a.npy" < "a_10.npy" < "a_2.npy" < "b.npy". Clip ids 1..5 in
 * that order; rows 3, 5, 2, 4, 6 (20 in all). */
static const char *make_exp(const char *name, size_t d)
{
    static const struct { const char *file; int clip; size_t rows; } clips[] = {
        { "b.npy", 5, 6 }, { "a_2.npy", 4, 4 }, { "B.npy", 1, 3 },
        { "a_10.npy", 3, 2 }, { "a.npy", 2, 5 },
    };
    char dir[600], feat[700], path[800];
    snprintf(dir, sizeof(dir), "%s/%s", tmpdir, name);
    mkdir(dir, 0755);
    snprintf(feat, sizeof(feat), "%s/3_feature256", dir);
    assert_int_equal(mkdir(feat, 0755), 0);
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof(path), "%s/%s", feat, clips[i].file);
        write_clip(path, clips[i].clip, clips[i].rows, d);
    }
    return tmp(name);
}

/* A second voice: <name>/3_feature256 with clips x.npy (id clip0, 3 rows)
 * and y.npy (id clip0 + 1, 4 rows). Returns a malloc'd path. */
static char *make_voice(const char *name, size_t d, int clip0)
{
    char feat[700], path[800];
    snprintf(feat, sizeof(feat), "%s/%s", tmpdir, name);
    assert_int_equal(mkdir(feat, 0755), 0);
    snprintf(feat, sizeof(feat), "%s/%s/3_feature256", tmpdir, name);
    assert_int_equal(mkdir(feat, 0755), 0);
    snprintf(path, sizeof(path), "%s/x.npy", feat);
    write_clip(path, clip0, 3, d);
    snprintf(path, sizeof(path), "%s/y.npy", feat);
    write_clip(path, clip0 + 1, 4, d);
    return xstrdup(tmp(name));
}

static struct dataset_spec rvc_spec(const char *base)
{
    struct dataset_spec s;
    memset(&s, 0, sizeof(s));
    s.format = (char *)"rvc";
    s.base = (char *)base;
    s.holdout = 1;
    s.seed = 1;
    return s;
}

/* -------------------------------------------------------- real files */

static void test_mute_folder(void **state)
{
    (void)state;
    struct vecs v, w;
    struct clips c;
    char path[1200];
    const char *dir = mute();

    /* logs/<exp>/: 3_feature768 wins when present */
    assert_int_equal(load_rvc(&v, &c, dir, NULL, 0), 0);
    assert_true(v.n == 149 && v.d == 768);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.names[0], "mute.npy");
    assert_true(c.first[0] == 0 && c.first[1] == 149);
    snprintf(path, sizeof(path), "%s/3_feature768/mute.npy", dir);
    assert_int_equal(load_npy(&w, path, 0), 0);
    assert_memory_equal(v.x, w.x, 149 * 768 * sizeof(float));
    vecs_release(&w);
    vecs_release(&v);
    clips_release(&c);

    assert_int_equal(load_rvc(&v, &c, dir, "v1", 0), 0);
    assert_true(v.n == 149 && v.d == 256 && c.n == 1);
    vecs_release(&v);
    clips_release(&c);

    /* the feature folder directly, with a trailing slash */
    snprintf(path, sizeof(path), "%s/3_feature256/", dir);
    assert_int_equal(load_rvc(&v, &c, path, NULL, 0), 0);
    assert_true(v.n == 149 && v.d == 256);
    vecs_release(&v);
    clips_release(&c);
    assert_int_equal(load_rvc(&v, &c, path, "v1", 10), 0);
    assert_true(v.n == 10 && c.first[1] == 10);
    vecs_release(&v);
    clips_release(&c);
    assert_fails(load_rvc(&v, &c, path, "v2", 0), "a 3_feature256 folder, but rvc_version v2 reads 3_feature768/", NULL);

    /* load_vecs drops the clips; the guess says rvc for a folder */
    assert_int_equal(load_vecs(&v, "rvc", dir, 0), 0);
    assert_int_equal(v.d, 768);
    vecs_release(&v);
    assert_string_equal(dataset_guess_format(dir), "rvc");
}

static void test_mute_info(void **state)
{
    (void)state;
    const char *dir = mute();
    char out[4096];
    FILE *f = tmpfile();
    assert_int_equal(dataset_info(f, NULL, dir), 0);
    rewind(f);
    out[fread(out, 1, sizeof(out) - 1, f)] = '\0';
    fclose(f);
    print_message("%s", out);
    assert_has(out, "format:         rvc\n");
    assert_has(out, "N:              149\n");
    assert_has(out, "d:              768\n");
    assert_has(out, "dtype:          float32\n");
    assert_has(out, "clips:          1 (rows per clip: min 149, median 149, max 149");
    assert_has(out, "NaN/Inf rows:   0\n");
    assert_has(out, "hash:           ");
}

/* --------------------------------------------------- generated folders */

static void test_generated_order(void **state)
{
    (void)state;
    struct vecs v;
    struct clips c;
    const char *exp = make_exp("exp", 4);
    static const char *const names[] = { "B.npy", "a.npy", "a_10.npy", "a_2.npy", "b.npy" };
    static const size_t first[] = { 0, 3, 8, 10, 14, 20 };

    /* a stray file: read the clips, warn once */
    FILE *f = fopen(tmp("exp/3_feature256/notes.txt"), "w");
    fputs("x", f);
    fclose(f);
    capture_start();
    int r = load_rvc(&v, &c, exp, NULL, 0);
    const char *msg = capture_end();
    assert_int_equal(r, 0);
    assert_has(msg, "skipped 1 entries of '");
    assert_has(msg, "3_feature256' that are not .npy files (first: 'notes.txt')");
    remove(tmp("exp/3_feature256/notes.txt"));

    assert_true(v.n == 20 && v.d == 4 && c.n == 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(c.names[i], names[i]);
        assert_int_equal(c.first[i], first[i]);
        for (size_t r2 = first[i]; r2 < first[i + 1]; r2++) {
            assert_int_equal(clip_of(v.x + r2 * 4), (int)i + 1);
            assert_int_equal(row_of(v.x + r2 * 4), (int)(r2 - first[i]));
        }
    }
    assert_int_equal(c.first[5], 20);
    vecs_release(&v);
    clips_release(&c);

    /* a limit cuts inside clip 2 */
    assert_int_equal(load_rvc(&v, &c, exp, NULL, 5), 0);
    assert_true(v.n == 5 && c.n == 2 && c.first[1] == 3 && c.first[2] == 5);
    vecs_release(&v);
    clips_release(&c);

    /* v2 asks for 3_feature768, which this folder lacks */
    assert_fails(load_rvc(&v, &c, exp, "v2", 0), "no 3_feature768/ folder in '", "exp' for rvc_version v2");
    assert_int_equal(load_rvc(&v, &c, exp, "v1", 0), 0);
    assert_int_equal(v.n, 20);
    vecs_release(&v);
    clips_release(&c);
    /* lib's has_suffix: the suffix is matched in any case, as np.load takes any name */
    assert_int_equal(rename(tmp("exp/3_feature256/b.npy"), tmp("exp/3_feature256/b.NPY")), 0);
    assert_int_equal(load_rvc(&v, &c, exp, NULL, 0), 0);
    assert_true(v.n == 20 && c.n == 5);
    assert_string_equal(c.names[4], "b.NPY");
    vecs_release(&v);
    clips_release(&c);
    assert_int_equal(rename(tmp("exp/3_feature256/b.NPY"), tmp("exp/3_feature256/b.npy")), 0);
}

static void test_generated_damage(void **state)
{
    (void)state;
    struct vecs v;
    struct clips c;
    const char *exp = make_exp("bad", 4);

    write_clip(tmp("bad/3_feature256/c.npy"), 9, 2, 5);
    assert_fails(load_rvc(&v, &c, exp, NULL, 0),
                 "dimension 5 of '",
                 "bad/3_feature256/c.npy' differs from 4 in 'B.npy' (the first file)");
    assert_null(v.x);
    assert_int_equal(c.n, 0);
    remove(tmp("bad/3_feature256/c.npy"));

    FILE *f = fopen(tmp("bad/3_feature256/c.npy"), "w");
    fclose(f);
    assert_fails(load_rvc(&v, &c, exp, NULL, 0), "empty file '", "bad/3_feature256/c.npy' (0 bytes)");
    remove(tmp("bad/3_feature256/c.npy"));

    float none[1] = { 0 };
    assert_int_equal(npy_write_f32(tmp("bad/3_feature256/c.npy"), none, 0, 4), 0);
    assert_fails(load_rvc(&v, &c, exp, NULL, 0), "empty array in '",
                 "bad/3_feature256/c.npy' (shape (0, 4))");
    remove(tmp("bad/3_feature256/c.npy"));

    /* truncated clip data */
    write_clip(tmp("bad/3_feature256/c.npy"), 9, 3, 4);
    assert_int_equal(truncate(tmp("bad/3_feature256/c.npy"), 128 + 40), 0);
    assert_fails(load_rvc(&v, &c, exp, NULL, 0), "truncated data in '", "bad/3_feature256/c.npy'");

    assert_int_equal(mkdir(tmp("nothing"), 0755), 0);
    assert_fails(load_rvc(&v, &c, tmp("nothing"), NULL, 0), "no .npy files in the folder '", "nothing'");
    assert_fails(load_rvc(&v, &c, tmp("absent"), NULL, 0), "cannot open '", "absent'");
    assert_fails(load_rvc(&v, &c, tmp("x.index"), NULL, 0), "cannot open '", NULL);
}

static void test_total_fea(void **state)
{
    (void)state;
    struct vecs v;
    struct clips c;
    assert_int_equal(mkdir(tmp("old"), 0755), 0);
    write_clip(tmp("old/total_fea.npy"), 1, 7, 3);
    assert_int_equal(load_rvc(&v, &c, tmp("old"), NULL, 0), 0);
    assert_true(v.n == 7 && v.d == 3 && c.n == 0);   /* row data */
    vecs_release(&v);
    assert_int_equal(load_rvc(&v, &c, tmp("old/total_fea.npy"), NULL, 0), 0);
    assert_true(v.n == 7 && c.n == 0);
    vecs_release(&v);

    struct dataset ds;
    struct dataset_spec s = rvc_spec(tmp("old"));
    s.holdout_clips = 1;
    assert_fails(dataset_load(&ds, &s), "holdout_clips / holdout_fraction need clip boundaries, and '",
                 "old' has none");
}

/* ------------------------------------------------------- index file */

static void test_rvc_index(void **state)
{
    (void)state;
    enum { N = 39 * 8 + 17, D = 16 };
    char factory[64], err[256];
    struct fs_index *idx = NULL;
    float *x = malloc(N * D * sizeof(float));
    struct vecs v;
    uint64_t r = 7;

    for (size_t i = 0; i < (size_t)N * D; i++) {
        r = r * 6364136223846793005u + 1442695040888963407u;
        x[i] = (float)((r >> 40) & 0xffff) / 256.0f - 128;
    }
    /* RVC's way: IVF{N//39},Flat, L2, train on all, add, write */
    snprintf(factory, sizeof(factory), "IVF%d,Flat", N / 39);
    assert_int_equal(backend_create(&idx, factory, D, BACKEND_L2, err, sizeof(err)), 0);
    assert_int_equal(backend_train(idx, N, x), 0);
    assert_int_equal(backend_add(idx, N, x), 0);
    const char *path = tmp("added_IVF8_Flat_nprobe_1_test_v1.index");
    assert_int_equal(backend_write(idx, path), 0);
    backend_free(idx);

    assert_int_equal(load_rvc_index(&v, path, 0), 0);
    assert_int_equal(v.n, N);
    assert_int_equal(v.d, D);
    assert_memory_equal(v.x, x, (size_t)N * D * sizeof(float));
    vecs_release(&v);
    assert_string_equal(dataset_guess_format(path), "rvc-index");
    assert_int_equal(load_vecs(&v, "rvc-index", path, 100), 0);
    assert_int_equal(v.n, 100);
    assert_memory_equal(v.x, x, 100 * D * sizeof(float));
    vecs_release(&v);
    free(x);

    FILE *f = fopen(tmp("junk.index"), "w");
    fputs("not an index", f);
    fclose(f);
    assert_fails(load_rvc_index(&v, tmp("junk.index"), 0), "junk.index'", NULL);
    /* an index file given as an rvc folder */
    assert_fails(load_rvc(&v, NULL, path, NULL, 0), "use format rvc-index", NULL);
}

/* --------------------------------------------------------- dataset */

static void test_clip_holdout(void **state)
{
    (void)state;
    struct dataset a, b;
    struct dataset_spec s = rvc_spec(make_exp("ho", 4));

    s.holdout_clips = 2;
    s.holdout = 1000;   /* ignored: clips decide */
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base_clips.n, 3);
    assert_int_equal(a.query_clips.n, 2);
    assert_int_equal(a.base.n + a.queries.n, 20);
    assert_int_equal(a.base_clips.first[3], a.base.n);
    assert_int_equal(a.query_clips.first[2], a.queries.n);
    /* queries are whole clips, none of them left in the base */
    int in_q[6] = { 0 };
    for (size_t i = 0; i < a.queries.n; i++)
        in_q[clip_of(a.queries.x + 4 * i)] = 1;
    for (size_t i = 0; i < a.base.n; i++)
        assert_false(in_q[clip_of(a.base.x + 4 * i)]);
    /* clip rows stay contiguous and in order */
    for (size_t k = 0; k < a.base_clips.n; k++)
        for (size_t r = a.base_clips.first[k]; r < a.base_clips.first[k + 1]; r++)
            assert_int_equal(row_of(a.base.x + 4 * r), (int)(r - a.base_clips.first[k]));

    /* same seed, same clips; another seed another draw (over a few seeds) */
    assert_int_equal(dataset_load(&b, &s), 0);
    assert_true(a.hash == b.hash);
    assert_string_equal(a.query_clips.names[0], b.query_clips.names[0]);
    dataset_release(&b);
    int differs = 0;
    for (unsigned long seed = 2; seed < 8 && !differs; seed++) {
        s.seed = seed;
        assert_int_equal(dataset_load(&b, &s), 0);
        differs = a.hash != b.hash;
        dataset_release(&b);
    }
    assert_true(differs);
    dataset_release(&a);

    /* fraction: 0.3 of 5 clips -> 2 (rounded); query_limit cuts the queries */
    s.seed = 1;
    s.holdout_clips = 0;
    s.holdout_fraction = 0.3;
    s.query_limit = 3;
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base_clips.n, 3);
    assert_int_equal(a.queries.n, 3);
    assert_int_equal(a.query_clips.first[a.query_clips.n], 3);
    dataset_release(&a);

    s.holdout_fraction = 0;
    s.query_limit = 0;
    s.holdout_clips = 5;
    assert_fails(dataset_load(&a, &s), "cannot hold out 5 of 5 clips of '", "ho'");
}

static void test_row_holdout_keeps_clips(void **state)
{
    (void)state;
    struct dataset a;
    struct dataset_spec s = rvc_spec(make_exp("rows", 4));
    s.holdout = 6;
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base.n, 14);
    assert_int_equal(a.base_clips.first[a.base_clips.n], 14);
    /* every base row lies inside the clip it says it belongs to */
    for (size_t k = 0; k < a.base_clips.n; k++) {
        int clip = clip_of(a.base.x + 4 * a.base_clips.first[k]);
        for (size_t r = a.base_clips.first[k]; r < a.base_clips.first[k + 1]; r++)
            assert_int_equal(clip_of(a.base.x + 4 * r), clip);
    }
    dataset_release(&a);
}

static void test_second_folder_queries(void **state)
{
    (void)state;
    struct dataset a;
    struct dataset_spec s = rvc_spec(make_exp("target", 4));
    s.queries = (char *)make_exp("source", 4);
    s.queries_format = (char *)"rvc";
    s.query_limit = 9;
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base.n, 20);
    assert_int_equal(a.base_clips.n, 5);
    assert_int_equal(a.queries.n, 9);
    assert_int_equal(a.query_clips.n, 3);
    assert_string_equal(a.queries_path, s.queries);
    dataset_release(&a);
}

static void test_ladder(void **state)
{
    (void)state;
    struct dataset a;
    struct dataset_spec s = rvc_spec(make_exp("ladder", 4));
    long sizes[2] = { 10, 15 };
    s.queries = (char *)tmp("ladder/3_feature256/b.npy");
    s.queries_format = (char *)"npy";
    s.sizes.v = sizes;
    s.sizes.n = 2;
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.queries.n, 6);
    /* clips end at 3, 8, 10, 14, 20 */
    assert_int_equal(dataset_prefix_rows(&a, 10), 10);
    assert_int_equal(dataset_prefix_rows(&a, 13), 10);
    assert_int_equal(dataset_prefix_rows(&a, 14), 14);
    assert_int_equal(dataset_prefix_rows(&a, 2), 3);    /* at least one clip */
    assert_int_equal(dataset_prefix_rows(&a, 20), 20);
    assert_int_equal(dataset_prefix_rows(&a, 500), 20);
    dataset_release(&a);

    /* row data: n itself */
    struct dataset_spec r = rvc_spec(tmp("ladder/3_feature256/b.npy"));
    r.format = (char *)"npy";
    r.holdout = 2;
    assert_int_equal(dataset_load(&a, &r), 0);
    assert_int_equal(dataset_prefix_rows(&a, 3), 3);
    dataset_release(&a);

}

/* Folders <tag>1 (make_exp: clips 1..5, 20 rows), <tag>2 (clips 11, 12) and
 * <tag>3 (clips 21, 22), and a spec listing them in that order, with the
 * queries from a clip of the first (so the base stays whole). v1 and
 * more[] are malloc'd; the caller frees them. */
static struct dataset_spec list_spec(const char *tag, char **v1, char *more[2])
{
    char name[64];
    snprintf(name, sizeof(name), "%s1", tag);
    *v1 = xstrdup(make_exp(name, 4));
    snprintf(name, sizeof(name), "%s2", tag);
    more[0] = make_voice(name, 4, 11);
    snprintf(name, sizeof(name), "%s3", tag);
    more[1] = make_voice(name, 4, 21);
    struct dataset_spec s = rvc_spec(*v1);
    s.base_more = more;
    s.n_base_more = 2;
    snprintf(name, sizeof(name), "%s1/3_feature256/b.npy", tag);
    s.queries = xstrdup(tmp(name));
    s.queries_format = (char *)"npy";
    return s;
}

static void list_release(struct dataset_spec *s, char *v1, char *more[2])
{
    free(s->queries);
    free(more[0]);
    free(more[1]);
    free(v1);
}

/* dataset.base as a list of speaker folders: each folder's rows in turn,
 * its clips shifted behind the earlier folders; the list's order is the
 * rows' order. */
static void test_base_list(void **state)
{
    (void)state;
    struct dataset a;
    char *v1, *more[2];
    struct dataset_spec s = list_spec("voice", &v1, more);

    /* clip ids in row order, and where each clip starts */
    const int clip[] = { 1, 2, 3, 4, 5, 11, 12, 21, 22 };
    const size_t first[] = { 0, 3, 8, 10, 14, 20, 23, 27, 30, 34 };
    const char *const names[] = { "B.npy", "a.npy", "a_10.npy", "a_2.npy", "b.npy",
                                  "x.npy", "y.npy", "x.npy", "y.npy" };
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base.n, 34);
    assert_int_equal(a.base.d, 4);
    assert_int_equal(a.base_clips.n, 9);
    for (size_t k = 0; k < 9; k++) {
        assert_int_equal(a.base_clips.first[k], first[k]);
        assert_string_equal(a.base_clips.names[k], names[k]);
        for (size_t r = first[k]; r < first[k + 1]; r++) {
            assert_int_equal(clip_of(a.base.x + 4 * r), clip[k]);
            assert_int_equal(row_of(a.base.x + 4 * r), (int)(r - first[k]));
        }
    }
    assert_int_equal(a.base_clips.first[9], 34);
    assert_int_equal(a.queries.n, 6);
    char *joined = xasprintf("%s + %s + %s", v1, more[0], more[1]);
    assert_string_equal(a.base_path, joined);
    free(joined);
    /* ladder steps take whole clips from the front, across folders */
    assert_int_equal(dataset_prefix_rows(&a, 22), 20);
    assert_int_equal(dataset_prefix_rows(&a, 26), 23);
    assert_int_equal(dataset_prefix_rows(&a, 33), 30);
    uint64_t whole = a.hash;
    dataset_release(&a);

    /* the order of the list is the order of the rows */
    char *swapped[2] = { v1, more[1] };
    struct dataset_spec t = s;
    t.base = more[0];
    t.base_more = swapped;
    assert_int_equal(dataset_load(&a, &t), 0);
    assert_int_equal(a.base.n, 34);
    assert_int_equal(clip_of(a.base.x), 11);
    assert_int_equal(clip_of(a.base.x + 4 * 7), 1);
    assert_int_equal(a.base_clips.first[2], 7);
    assert_true(a.hash != whole);
    dataset_release(&a);
    list_release(&s, v1, more);
}

/* base_limit over a list of folders cuts the total: inside a later clip,
 * at a clip end, or inside the first folder. */
static void test_base_list_limit(void **state)
{
    (void)state;
    struct dataset a;
    char *v1, *more[2];
    struct dataset_spec s = list_spec("lim", &v1, more);

    /* base_limit inside the second folder's second clip: a partial last clip */
    s.base_limit = 25;
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base.n, 25);
    assert_int_equal(a.base_clips.n, 7);
    assert_int_equal(a.base_clips.first[6], 23);
    assert_int_equal(a.base_clips.first[7], 25);
    assert_int_equal(clip_of(a.base.x + 4 * 24), 12);
    assert_int_equal(row_of(a.base.x + 4 * 24), 1);
    dataset_release(&a);

    /* ... at a clip end of the second folder */
    s.base_limit = 23;
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base.n, 23);
    assert_int_equal(a.base_clips.n, 6);
    assert_int_equal(a.base_clips.first[6], 23);
    dataset_release(&a);

    /* ... inside the first folder: nothing of the others is left */
    s.base_limit = 12;
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base.n, 12);
    assert_int_equal(a.base_clips.n, 4);
    assert_int_equal(a.base_clips.first[4], 12);
    assert_int_equal(clip_of(a.base.x + 4 * 11), 4);
    dataset_release(&a);
    list_release(&s, v1, more);
}

/* Clip holdout over a list, and a later folder named in its errors. */
static void test_base_list_holdout_errors(void **state)
{
    (void)state;
    struct dataset a;
    char *v1, *more[2];
    struct dataset_spec s = list_spec("err", &v1, more);
    char *queries = s.queries;

    /* clip holdout draws from the clips of every folder */
    s.queries = NULL;
    s.queries_format = NULL;
    s.holdout_clips = 4;
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base_clips.n, 5);
    assert_int_equal(a.query_clips.n, 4);
    assert_int_equal(a.base.n + a.queries.n, 34);
    assert_int_equal(a.base_clips.first[5], a.base.n);
    dataset_release(&a);
    s.holdout_clips = 0;
    s.queries = queries;
    s.queries_format = (char *)"npy";

    /* a later folder of another dimension is named in the error */
    char *wide = make_voice("err5", 5, 51);
    char *bad[2] = { more[0], wide };
    s.base_more = bad;
    assert_fails(dataset_load(&a, &s), "err5' does not match 4 of '",
                 "err1' (the first base path)");
    /* ... as is one that is missing */
    char *absent = xstrdup(tmp("err-absent"));
    bad[1] = absent;
    assert_fails(dataset_load(&a, &s), "err-absent'", NULL);

    free(absent);
    free(wide);
    list_release(&s, v1, more);
}

/* A folder without clip boundaries (total_fea.npy) in the list drops them
 * all; the rows are still concatenated in order and base_limit cuts them. */
static void test_base_list_no_clips(void **state)
{
    (void)state;
    struct dataset a;
    char *v1 = xstrdup(make_exp("voice7", 4));   /* clips 1..5, 20 rows */
    assert_int_equal(mkdir(tmp("voice8"), 0755), 0);
    write_clip(tmp("voice8/total_fea.npy"), 61, 5, 4);
    char *more[1] = { xstrdup(tmp("voice8")) };
    struct dataset_spec s = rvc_spec(v1);
    s.base_more = more;
    s.n_base_more = 1;
    s.queries = (char *)tmp("voice7/3_feature256/b.npy");
    s.queries_format = (char *)"npy";

    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base.n, 25);
    assert_int_equal(a.base_clips.n, 0);
    assert_int_equal(clip_of(a.base.x + 4 * 19), 5);
    assert_int_equal(clip_of(a.base.x + 4 * 20), 61);
    assert_int_equal(row_of(a.base.x + 4 * 24), 4);
    assert_int_equal(dataset_prefix_rows(&a, 12), 12);   /* row data: n itself */
    dataset_release(&a);

    s.base_limit = 22;
    assert_int_equal(dataset_load(&a, &s), 0);
    assert_int_equal(a.base.n, 22);
    assert_int_equal(a.base_clips.n, 0);
    assert_int_equal(clip_of(a.base.x + 4 * 21), 61);
    dataset_release(&a);
    s.base_limit = 0;

    s.queries = NULL;
    s.queries_format = NULL;
    s.holdout_clips = 1;
    assert_fails(dataset_load(&a, &s), "need clip boundaries", NULL);
    free(more[0]);
    free(v1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mute_folder),
        cmocka_unit_test(test_mute_info),
        cmocka_unit_test(test_generated_order),
        cmocka_unit_test(test_generated_damage),
        cmocka_unit_test(test_total_fea),
        cmocka_unit_test(test_rvc_index),
        cmocka_unit_test(test_clip_holdout),
        cmocka_unit_test(test_row_holdout_keeps_clips),
        cmocka_unit_test(test_second_folder_queries),
        cmocka_unit_test(test_ladder),
        cmocka_unit_test(test_base_list),
        cmocka_unit_test(test_base_list_limit),
        cmocka_unit_test(test_base_list_holdout_errors),
        cmocka_unit_test(test_base_list_no_clips),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
