/*
 * config_test.h - what the config tests share (test_config.c, test_keys.c,
 * test_rules.c): a valid config's head, and "this text must fail with one
 * line holding that message". Include after cmocka.h.
 */
#ifndef FS_CONFIG_TEST_H
#define FS_CONFIG_TEST_H

#include <string.h>
#include "core/config.h"
#include "testutil.h"

#define DATA FS_SOURCE_DIR "/tests/data/config/"

/* A valid config around the given middle part. */
#define HEAD "name: t\ndataset:\n  format: idx\n  base: b.idx\n"   /* lines 1-4 */
#define FLAT "indexes:\n  - factory: Flat\n"

static inline int is_zeroed(const struct config *cfg)
{
    static const struct config zero;
    return !memcmp(cfg, &zero, sizeof(zero));
}

/* config_parse_set(text, sets) as "t.yaml" must fail with exactly one line
 * holding want, and leave cfg zeroed. */
static inline void expect_error_set(const char *text, const char *const *sets, size_t n_sets,
                                    const char *want)
{
    struct config cfg;
    const char *err;
    int r;

    capture_start();
    r = config_parse_set(&cfg, text, "t.yaml", "/base", sets, n_sets);
    err = capture_end();
    assert_int_equal(r, -1);
    assert_true(is_zeroed(&cfg));
    assert_has(err, want);
    assert_int_equal(count_lines(err), 1);
}

static inline void expect_error(const char *text, const char *want)
{
    expect_error_set(text, NULL, 0, want);
}

#endif
