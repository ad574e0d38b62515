/*
 * test_hostile_index.c - hostile RVC index files (issue 13, items 1 and 8):
 * every size an index file claims is checked against the file's length
 * before faiss reads it or anything is allocated, and only the Flat and
 * IVF-Flat layouts RVC writes are handed to faiss. On the code before
 * these checks, the 49-byte file crashed (SIGSEGV; ASan heap-buffer-
 * overflow), the nested file overflowed faiss's stack, and a repeated id
 * loaded rows that were never written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/rvcdir.h"
#include "lib/backend.h"
#include "lib/util.h"
#include "testutil.h"

/* A growing byte buffer, for writing index files by hand (doubled as it
 * grows: the nested file is a million small writes). */
struct bytes {
    unsigned char *p;
    size_t n, cap;
};

static void put(struct bytes *b, const void *x, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = 2 * (b->n + n);
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, x, n);
    b->n += n;
}

static void put_u64(struct bytes *b, uint64_t v) { put(b, &v, 8); }

/* faiss's index header: fourcc, int32 d, int64 ntotal, 2 unused int64,
 * uint8 is_trained, int32 metric (1: L2). */
static void put_header(struct bytes *b, const char *fourcc, int32_t d, int64_t ntotal)
{
    int64_t dummy = 1 << 20;
    int32_t metric = 1;
    unsigned char trained = 1;
    put(b, fourcc, 4);
    put(b, &d, 4);
    put(b, &ntotal, 8);
    put(b, &dummy, 8);
    put(b, &dummy, 8);
    put(b, &trained, 1);
    put(b, &metric, 4);
}

/* Item 1: 49 bytes claiming 2^62+1 vectors of dimension 1, holding one float. */
static void test_huge_count(void **state)
{
    struct bytes b = { NULL, 0, 0 };
    float one = 1;
    float *x = NULL;
    size_t n, d;
    struct vecs v;
    (void)state;

    put_header(&b, "IxF2", 1, ((int64_t)1 << 62) + 1);
    put_u64(&b, 1);
    put(&b, &one, 4);
    assert_int_equal(b.n, 49);
    write_bytes(tmp("huge.index"), b.p, b.n);
    assert_fails(backend_read_vectors(tmp("huge.index"), &x, &n, &d), "corrupt index file '",
                 "huge.index': 4611686018427387905 vectors of dimension 1 claimed");
    assert_null(x);
    assert_fails(load_rvc_index(&v, tmp("huge.index"), 0), "corrupt index file '", NULL);

    /* the same count with as many floats claimed: the product overflows */
    b.n = 37;
    put_u64(&b, ((uint64_t)1 << 62) + 1);
    put(&b, &one, 4);
    write_bytes(tmp("huge2.index"), b.p, b.n);
    assert_fails(backend_read_vectors(tmp("huge2.index"), &x, &n, &d), "corrupt index file '",
                 "vectors of dimension 1 claimed");
    free(b.p);
}

/* Item 8: 100,000 IVF headers, each one's quantizer the next (5.3 MB). */
static void test_nested(void **state)
{
    struct bytes b = { NULL, 0, 0 };
    float *x = NULL;
    size_t n, d;
    (void)state;

    for (int i = 0; i < 100000; i++) {
        put_header(&b, "IwFl", 4, 0);
        put_u64(&b, 1);
        put_u64(&b, 1);
    }
    write_bytes(tmp("nested.index"), b.p, b.n);
    assert_fails(backend_read_vectors(tmp("nested.index"), &x, &n, &d),
                 "nested.index': the IVF-Flat quantizer is not a Flat index", NULL);
    free(b.p);
}

/* A real IVF-Flat file, as RVC writes it: 64 vectors of d 4 in 2 lists. */
enum { N = 64, D = 4 };

static unsigned char *ivf_file(const char *path, size_t *len, float **xb)
{
    struct fs_index *idx;
    char why[256];
    *xb = random_rows(N, D, 7);
    assert_int_equal(backend_create(&idx, "IVF2,Flat", D, BACKEND_L2, why, sizeof(why)), 0);
    assert_int_equal(backend_train(idx, N, *xb), 0);
    assert_int_equal(backend_add(idx, N, *xb), 0);
    assert_int_equal(backend_write(idx, path), 0);
    backend_free(idx);
    return (unsigned char *)read_file(path, len);
}

/* Read a damaged file: an error (one line) or vectors, never a crash. */
static void read_damaged(const char *path, const unsigned char *p, size_t len)
{
    float *x = NULL;
    size_t n = 0, d = 0;
    int rc;

    write_bytes(path, p, len);
    capture_start();
    rc = backend_read_vectors(path, &x, &n, &d);
    const char *msg = capture_end();
    if (rc == 0) {
        assert_int_equal(n, N);
        assert_int_equal(d, D);
        assert_string_equal(msg, "");
    } else {
        assert_int_equal(rc, -1);
        assert_int_equal(count_lines(msg), 1);
        assert_null(x);
    }
    free(x);
}

/* Every truncation and single-byte change of the real file. */
static void test_damaged(void **state)
{
    const char *path = tmp("ivf.index"), *bad = tmp("bad.index");
    size_t len;
    float *xb, *x = NULL;
    size_t n, d;
    unsigned char *file = ivf_file(path, &len, &xb), *copy = xmalloc(len);
    static const unsigned char flips[] = { 0x00, 0xff, 0x01, 0x80 };
    (void)state;

    assert_int_equal(backend_read_vectors(path, &x, &n, &d), 0);
    assert_int_equal(n, N);
    assert_memory_equal(x, xb, sizeof(float) * N * D);
    free(x);
    for (size_t cut = 0; cut < len; cut++) {
        float *y = NULL;
        write_bytes(bad, file, cut);
        capture_start();
        int rc = backend_read_vectors(bad, &y, &n, &d);
        const char *msg = capture_end();
        assert_int_equal(rc, -1);
        assert_int_equal(count_lines(msg), 1);
        assert_has(msg, "bad.index'");
    }
    for (size_t i = 0; i < len; i++)
        for (size_t f = 0; f < sizeof(flips); f++) {
            memcpy(copy, file, len);
            copy[i] = file[i] == flips[f] ? (unsigned char)~flips[f] : flips[f];
            read_damaged(bad, copy, len);
        }
    free(copy);
    free(file);
    free(xb);
}

/* A repeated id (the last id set to the one before it) would leave a row
 * that nothing writes: refused. */
static void test_repeated_id(void **state)
{
    const char *path = tmp("ivf2.index");
    size_t len, n, d;
    float *xb, *x = NULL;
    unsigned char *file = ivf_file(path, &len, &xb);
    (void)state;

    memcpy(file + len - 8, file + len - 16, 8);
    write_bytes(path, file, len);
    assert_fails(backend_read_vectors(path, &x, &n, &d), "corrupt index file '",
                 "ivf2.index': id ");
    free(file);
    free(xb);
}

/* Not the layouts RVC writes: refused by name, before faiss. */
static void test_other_layouts(void **state)
{
    struct bytes b = { NULL, 0, 0 };
    float *x = NULL;
    size_t n, d;
    (void)state;

    put_header(&b, "IwPQ", 4, 0);
    write_bytes(tmp("pq.index"), b.p, b.n);
    assert_fails(backend_read_vectors(tmp("pq.index"), &x, &n, &d),
                 "compressed vectors in IVF index '", "pq.index' ('IwPQ')");
    memcpy(b.p, "IHNf", 4);
    write_bytes(tmp("hnsw.index"), b.p, b.n);
    assert_fails(backend_read_vectors(tmp("hnsw.index"), &x, &n, &d),
                 "not a Flat or IVF-Flat index '", "hnsw.index' ('IHNf')");
    /* control bytes in the tag are not copied to the terminal */
    memcpy(b.p, "I\x1b\x07z", 4);
    write_bytes(tmp("esc.index"), b.p, b.n);
    capture_start();
    assert_int_equal(backend_read_vectors(tmp("esc.index"), &x, &n, &d), -1);
    const char *msg = capture_end();
    assert_null(strchr(msg, '\x1b'));
    assert_null(strchr(msg, '\x07'));
    assert_has(msg, "('I  z')");
    /* a Flat quantizer with another dimension than its IVF */
    b.n = 0;
    put_header(&b, "IwFl", 4, 0);
    put_u64(&b, 1);
    put_u64(&b, 1);
    put_header(&b, "IxF2", 3, 1);
    put_u64(&b, 3);
    put(&b, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
    write_bytes(tmp("qd.index"), b.p, b.n);
    assert_fails(backend_read_vectors(tmp("qd.index"), &x, &n, &d), "corrupt index file '",
                 "a quantizer of 1 vectors of dimension 3 for 1 lists of dimension 4");
    free(b.p);
}

/* Item 15 for index files: a FIFO is refused at once (alarm: no hang). */
static void test_fifo(void **state)
{
    float *x = NULL;
    size_t n, d;
    (void)state;

    assert_int_equal(mkfifo(tmp("fifo.index"), 0600), 0);
    alarm(20);
    assert_fails(backend_read_vectors(tmp("fifo.index"), &x, &n, &d), "not a regular file '",
                 "fifo.index' (a FIFO)");
    assert_fails(backend_read_vectors("/dev/zero", &x, &n, &d),
                 "not a regular file '/dev/zero' (a character device)", NULL);
    alarm(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_count),  cmocka_unit_test(test_nested),
        cmocka_unit_test(test_damaged),     cmocka_unit_test(test_repeated_id),
        cmocka_unit_test(test_other_layouts), cmocka_unit_test(test_fifo),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
