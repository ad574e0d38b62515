/*
 * test_paths.c - lib/paths: the program's own files found relative to its
 * executable (installed layout first, then the build folder's), and the
 * XDG cache folder rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/paths.h"
#include "lib/util.h"
#include "testutil.h"

static void test_self_exe(void **state)
{
    (void)state;
    char *exe = paths_self_exe();
    assert_non_null(exe);
    assert_true(exe[0] == '/');
    assert_true(has_suffix(exe, "/test_paths"));
    free(exe);
}

static void test_share_installed_then_build_folder(void **state)
{
    char *p;

    (void)state;
    /* A build folder: <dir>/faiss-sweep beside <dir>/share/faiss-sweep. */
    assert_int_equal(make_dirs(tmp("build/share/faiss-sweep/plots")), 0);
    p = paths_share(tmp("build/faiss-sweep"), "plots", "the templates", NULL);
    assert_non_null(p);
    assert_string_equal(p, tmp("build/share/faiss-sweep/plots"));
    free(p);

    /* Installed: <prefix>/bin/faiss-sweep, <prefix>/share/faiss-sweep; the
     * answer has no "..". Installed wins over a share/ inside bin/. */
    assert_int_equal(make_dirs(tmp("prefix/share/faiss-sweep/plots")), 0);
    assert_int_equal(make_dirs(tmp("prefix/bin/share/faiss-sweep/plots")), 0);
    p = paths_share(tmp("prefix/bin/faiss-sweep"), "plots", "the templates", NULL);
    assert_non_null(p);
    assert_string_equal(p, tmp("prefix/share/faiss-sweep/plots"));
    free(p);
}

static void test_share_missing_is_one_line(void **state)
{
    char *a = xasprintf("'%s/../share/faiss-sweep/fetch-speech.sh'", tmp("nowhere"));
    char *b = xasprintf("'%s/share/faiss-sweep/fetch-speech.sh'", tmp("nowhere"));
    char *p;

    (void)state;
    capture_start();
    p = paths_share(tmp("nowhere/faiss-sweep"), "fetch-speech.sh", "the fetch script", NULL);
    const char *msg = capture_end();
    assert_null(p);
    assert_int_equal(count_lines(msg), 1);
    assert_has(msg, "cannot find the fetch script: neither ");
    assert_has(msg, a);
    assert_has(msg, b);

    capture_start();
    p = paths_share(tmp("nowhere/faiss-sweep"), "plots", "the templates", "set FS_PLOTS_DIR");
    msg = capture_end();
    assert_null(p);
    assert_int_equal(count_lines(msg), 1);
    assert_has(msg, "exists (set FS_PLOTS_DIR)\n");
    free(a);
    free(b);
}

static void test_cache_home(void **state)
{
    char *p;

    (void)state;
    p = paths_cache_home("/x/cache", "/home/u");
    assert_string_equal(p, "/x/cache/faiss-sweep");
    free(p);
    /* Unset, empty or relative XDG_CACHE_HOME: ignored (the XDG rule). */
    p = paths_cache_home(NULL, "/home/u");
    assert_string_equal(p, "/home/u/.cache/faiss-sweep");
    free(p);
    p = paths_cache_home("", "/home/u");
    assert_string_equal(p, "/home/u/.cache/faiss-sweep");
    free(p);
    p = paths_cache_home("rel/cache", "/home/u");
    assert_string_equal(p, "/home/u/.cache/faiss-sweep");
    free(p);
    assert_fails(paths_cache_home(NULL, NULL) ? 0 : -1, "cannot choose a cache folder",
                 "pass -o DIR");
    assert_fails(paths_cache_home("rel", "") ? 0 : -1, "XDG_CACHE_HOME nor HOME", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_exe),
        cmocka_unit_test(test_share_installed_then_build_folder),
        cmocka_unit_test(test_share_missing_is_one_line),
        cmocka_unit_test(test_cache_home),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
