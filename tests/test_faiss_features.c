/*
 * test_faiss_features.c - whatever faiss the user brings: cmake/faiss.cmake
 * on install layouts made here (lib64, a build folder moved to another
 * faiss, the AVX2 variant libraries beside
 * the generic ones, a faiss whose C API has faiss_get_version and
 * SearchParameters and whose SIMD literal ends in a space, as 1.11's does),
 * the version's source agreeing with the C API found, and a sweep whose
 * factories name components the linked faiss lacks (IVF{n},RaBitQ and
 * IVF{n},FlatPanorama under 1.7.3) writing skipped rows instead of failing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/backend.h"
#include "lib/util.h"
#include "lib/version.h"
#include "out/results.h"
#include "testutil.h"

static int setup(void **state)
{
    if (tmpdir_setup(state))
        return -1;
    util_quiet = 1;
    if (write_random_fvecs(tmp("base.fvecs"), 1200, 16, 7) ||
        write_random_fvecs(tmp("queries.fvecs"), 40, 16, 8))
        return -1;
    return 0;
}

static void sh(const char *fmt, ...)
{
    va_list ap;
    char cmd[2048];
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

/* Configure tests/faiss-layout for root (and variant, NULL: the default) in
 * a build folder of its own; returns cmake's exit status and, when 0, what
 * it found in found (a buffer of n bytes). */
static int layout(const char *tag, const char *root, const char *variant, char *found,
                  size_t n)
{
    char *b = xasprintf("%s/cmake-%s", tmpdir, tag);
    char *cmd = xasprintf("'%s' -S '%s/tests/faiss-layout' -B '%s' -DCMAKE_C_COMPILER='%s' "
                          "-DFS_SOURCE_DIR='%s' -DFAISS_ROOT='%s' %s%s >'%s.log' 2>&1",
                          FS_CMAKE, FS_SOURCE_DIR, b, FS_CC, FS_SOURCE_DIR, root,
                          variant ? "-DFS_FAISS_VARIANT=" : "", variant ? variant : "", b);
    int rc = system(cmd);
    *found = '\0';
    if (rc == 0) {
        char *path = xasprintf("%s/found.txt", b);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        found[fread(found, 1, n - 1, f)] = '\0';
        fclose(f);
        free(path);
    }
    free(cmd);
    free(b);
    return rc;
}

static int cpu_has_avx2(void)
{
    return system("grep -qw avx2 /proc/cpuinfo") == 0;
}

/* The faiss this build uses, as it is installed: its headers' version, the
 * SIMD literal stripped, the generic libraries, no optional C API (1.7.3). */
static void test_layout_as_built(void **state)
{
    char f[2048], *want = xasprintf("version=%s\n", fs_faiss_version_headers);
    (void)state;
    assert_int_equal(layout("built", FS_FAISS_ROOT, "generic", f, sizeof(f)), 0);
    assert_has(f, want);
    free(want);
    assert_has(f, "variant=generic");
    assert_null(strstr(f, " ]"));
    assert_null(strstr(f, "simd=[unknown]"));
}

/* lib64/ instead of lib/, and the AVX2 variant libraries beside the generic
 * ones: chosen by auto on an AVX2 CPU and by avx2, not by generic; avx2
 * without them is an error. */
static void test_layout_lib64_and_avx2(void **state)
{
    char f[2048], *want;
    (void)state;
    sh("mkdir -p '%s/r64/lib64' '%s/ravx/lib' && ln -s '%s/include' '%s/r64/include' && "
       "ln -s '%s/include' '%s/ravx/include'", tmpdir, tmpdir, FS_FAISS_ROOT, tmpdir,
       FS_FAISS_ROOT, tmpdir);
    sh("for l in faiss faiss_c; do ln -s '%s/lib/lib'$l.so '%s/r64/lib64/lib'$l.so; "
       "ln -s '%s/lib/lib'$l.so '%s/ravx/lib/lib'$l.so; "
       "ln -s '%s/lib/lib'$l.so '%s/ravx/lib/lib'${l}_avx2.so; done",
       FS_FAISS_ROOT, tmpdir, FS_FAISS_ROOT, tmpdir, FS_FAISS_ROOT, tmpdir);

    assert_int_equal(layout("r64", tmp("r64"), NULL, f, sizeof(f)), 0);
    want = xasprintf("lib_dir=%s/r64/lib64\n", tmpdir);
    assert_has(f, want);
    free(want);
    assert_has(f, "variant=generic");
    /* A build folder configured for one faiss, then for another, finds the
     * other's libraries. */
    assert_int_equal(layout("switch", FS_FAISS_ROOT, NULL, f, sizeof(f)), 0);
    assert_int_equal(layout("switch", tmp("r64"), NULL, f, sizeof(f)), 0);
    want = xasprintf("c_lib=%s/r64/lib64/libfaiss_c.so\n", tmpdir);
    assert_has(f, want);
    free(want);
    assert_int_not_equal(layout("r64-avx2", tmp("r64"), "avx2", f, sizeof(f)), 0);
    assert_int_not_equal(layout("bogus", tmp("r64"), "sse9", f, sizeof(f)), 0);

    assert_int_equal(layout("ravx", tmp("ravx"), "avx2", f, sizeof(f)), 0);
    assert_has(f, "variant=avx2");
    assert_has(f, "libfaiss_c_avx2.so\n");
    assert_has(f, "libfaiss_avx2.so\n");
    assert_int_equal(layout("ravx-generic", tmp("ravx"), "generic", f, sizeof(f)), 0);
    assert_has(f, "variant=generic");
    assert_has(f, "/libfaiss_c.so\n");
    assert_int_equal(layout("ravx-auto", tmp("ravx"), "auto", f, sizeof(f)), 0);
    assert_has(f, cpu_has_avx2() ? "variant=avx2" : "variant=generic");
}

/* A later faiss, stubbed: headers declaring faiss_get_version and
 * faiss_SearchParameters_new, libraries defining them, and the SIMD literal
 * "AVX2 " as 1.11 writes it. */
static void test_layout_later_faiss(void **state)
{
    char f[2048];
    (void)state;
    sh("mkdir -p '%s/r11/lib' '%s/r11/include/faiss/c_api/utils' && "
       "cp '%s/include/faiss/c_api/faiss_c.h' '%s/r11/include/faiss/c_api/'",
       tmpdir, tmpdir, FS_FAISS_ROOT, tmpdir);
    write_text_file(tmp("r11/include/faiss/Index.h"),
                    "#define FAISS_VERSION_MAJOR 1\n#define FAISS_VERSION_MINOR 11\n"
                    "#define FAISS_VERSION_PATCH 0\n");
    write_text_file(tmp("r11/include/faiss/c_api/utils/utils_c.h"),
                    "const char* faiss_get_version(void);\n");
    write_text_file(tmp("r11/include/faiss/c_api/Index_c.h"),
                    "int faiss_SearchParameters_new(void **p);\n");
    write_text_file(tmp("r11/c.c"),
                    "const char *faiss_get_version(void) { return \"1.11.0\"; }\n"
                    "int faiss_SearchParameters_new(void **p) { *p = 0; return 0; }\n");
    write_text_file(tmp("r11/f.c"), "const char *simd(void) { return \"AVX2 \"; }\n");
    sh("'%s' -shared -fPIC -o '%s/r11/lib/libfaiss_c.so' '%s/r11/c.c' && "
       "'%s' -shared -fPIC -o '%s/r11/lib/libfaiss.so' '%s/r11/f.c'",
       FS_CC, tmpdir, tmpdir, FS_CC, tmpdir, tmpdir);
    assert_int_equal(layout("r11", tmp("r11"), NULL, f, sizeof(f)), 0);
    assert_has(f, "version=1.11.0\n");
    assert_has(f, "simd=[AVX2]\n");
    assert_has(f, "features=[get_version search_parameters]\n");
}

/* The version recorded comes from the library where the C API can say it
 * (faiss_get_version), else from the headers; either way it is the
 * headers' version here, since the library linked is the one they came
 * with. */
static void test_version_source(void **state)
{
    int runtime = strstr(fs_faiss_features, "get_version") != NULL;
    (void)state;
    assert_string_equal(version_faiss_source(), runtime ? "runtime" : "headers");
    assert_true((backend_faiss_version() != NULL) == runtime);
    assert_string_equal(version_faiss(), fs_faiss_version_headers);
    assert_true(!strcmp(fs_faiss_variant, "generic") || !strcmp(fs_faiss_variant, "avx2"));
    assert_null(strchr(fs_faiss_simd, ' '));
}

static int knows(const char *factory)
{
    struct fs_index *idx;
    char why[512];
    if (backend_create(&idx, factory, 16, BACKEND_L2, why, sizeof(why)))
        return 0;
    backend_free(idx);
    return 1;
}

/* IVF{n},RaBitQ and IVF{n},FlatPanorama, where the linked faiss lacks
 * them, become rows "skipped: unknown to faiss X.Y" for every point of
 * their builds; the other builds run; the file says where the version came
 * from. */
static void test_unknown_factories_skipped(void **state)
{
    static const char body[] =
        "k: [5]\nindexes:\n  - factory: Flat\n"
        "  - factory: \"IVF{nlist},RaBitQ\"\n    nlist: [8]\n    nprobe: [1, 4]\n"
        "  - factory: \"IVF{nlist},FlatPanorama\"\n    nlist: [8]\n    nprobe: [2]\n";
    char *results = NULL, *err = NULL, *want, *cfg;
    struct result_set rs;
    const struct result_attr *a;
    size_t n_skipped = 0;
    (void)state;
    if (knows("IVF8,RaBitQ") || knows("IVF8,FlatPanorama"))
        skip();   /* a faiss that has them: nothing to skip */
    cfg = xasprintf("name: unknown\ndataset: {format: fvecs, base: %s, queries: %s}\n"
                    "cache_dir: %s\nmeasure: {repeats: 1, warmup: 0, min_time: 0.001, "
                    "latency_queries: 5}\n%s",
                    tmp("base.fvecs"), tmp("queries.fvecs"), tmp("cache"), body);
    util_quiet = 0;   /* the lines naming what faiss lacks are info */
    assert_int_equal(run_config("unknown", cfg, NULL, 0, &results, &err), 0);
    util_quiet = 1;
    assert_has(err, "has no RaBitQ");
    assert_has(err, "has no FlatPanorama");
    assert_int_equal(results_read(&rs, results), 0);
    assert_int_equal(rs.n_rows, 4);
    want = xasprintf("skipped: unknown to faiss %s", version_faiss());
    for (size_t i = 0; i < rs.n_rows; i++) {
        const struct result_row *row = &rs.rows[i];
        if (!strcmp(row->factory, "Flat")) {
            assert_string_equal(row->status, "ok");
            continue;
        }
        assert_true(!strcmp(row->factory, "IVF8,RaBitQ") ||
                    !strcmp(row->factory, "IVF8,FlatPanorama"));
        assert_string_equal(row->status, want);
        n_skipped++;
    }
    assert_int_equal(n_skipped, 3);
    a = results_attr(&rs, "faiss_version_source");
    assert_non_null(a);
    assert_string_equal(a->s, version_faiss_source());
    a = results_attr(&rs, "faiss_version");
    assert_non_null(a);
    assert_string_equal(a->s, version_faiss());
    results_release(&rs);
    free(want);
    free(cfg);
    free(results);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_source),
        cmocka_unit_test(test_unknown_factories_skipped),
        cmocka_unit_test(test_layout_as_built),
        cmocka_unit_test(test_layout_lib64_and_avx2),
        cmocka_unit_test(test_layout_later_faiss),
    };
    return cmocka_run_group_tests(tests, setup, tmpdir_teardown);
}
