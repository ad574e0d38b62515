/*
 * testutil.h - what several tests share: capturing what a call prints on
 * stderr, and asserting that it failed with one message line naming the
 * file (and line) at fault.
 */
#ifndef FS_TESTUTIL_H
#define FS_TESTUTIL_H

/* One temporary folder per test program: tmpdir_make() creates
 * /tmp/fs-test-<tag>-XXXXXX into tmpdir (0, or -1), rm_tree() removes a
 * folder and all it holds, tmp("name") is a path inside tmpdir (eight
 * rotating buffers, so several can be live at once). tmpdir_setup and
 * tmpdir_teardown are the cmocka group fixtures made of them; the tag is
 * the program's name. */
extern char tmpdir[128];
int tmpdir_make(const char *tag);
int rm_tree(const char *path);
const char *tmp(const char *name);
int tmpdir_setup(void **state);
int tmpdir_teardown(void **state);

/* Redirect fd 2 to a temporary file until capture_end, which returns the
 * text printed meanwhile (valid until the next capture). */
void capture_start(void);
const char *capture_end(void);

/* Run fn(arg) capturing stderr; returns fn's result, *out gets what was
 * printed (caller frees). */
int capture_stderr(int (*fn)(void *), void *arg, char **out);

/* Fail the test when msg does not hold sub (sub NULL: no check). */
void assert_has(const char *msg, const char *sub);
int count_lines(const char *s);

/* Run `call`, expect -1 and one message line holding both substrings (b may be NULL). */
#define assert_fails(call, a, b)                                             \
    do {                                                                     \
        capture_start();                                                     \
        int rc_ = (call);                                                    \
        const char *msg_ = capture_end();                                    \
        assert_int_equal(rc_, -1);                                           \
        assert_has(msg_, a);                                                 \
        assert_has(msg_, b);                                                 \
        assert_int_equal(count_lines(msg_), 1);                              \
    } while (0)

/* Generated data, so that a test needs nothing from ../shared. */
#include <stddef.h>
#include <stdint.h>

/* Write n x d float32 vectors drawn with lib/rng from `seed` (each value
 * uniform in [0, 1), 24-bit) to path as .fvecs: per row an int32 d, then
 * the d floats. Returns 0 or -1 (errno set). */
int write_random_fvecs(const char *path, size_t n, size_t d, uint64_t seed);

/* n x d floats drawn as write_random_fvecs draws them (malloc'd; caller frees). */
float *random_rows(size_t n, size_t d, uint64_t seed);

/* A whole sweep on a config given as text: written to tmpdir/<name>.yaml,
 * run with run_sweep (no plots, no progress) into tmpdir/out-<name>, with
 * the --set overrides sets (n_sets of them; NULL, 0 for none). err NULL:
 * stderr as it is; else what the run printed (caller frees). Returns
 * run_sweep's result; *results_path as run_sweep sets it (caller frees). */
int run_config(const char *name, const char *yaml, const char *const *sets, size_t n_sets,
               char **results_path, char **err);

/* The first file in dir whose name ends with suffix (malloc'd), or NULL;
 * *count gets how many do (count may be NULL). */
char *find_file(const char *dir, const char *suffix, int *count);
/* A file's size in bytes, -1 when it does not exist. */
long long file_size(const char *path);

/* The whole records of type `type` in a run's journal (run/journal.c's
 * framing: "FSJ1", type, length, checksum, payload; 2 is a point's row, 4
 * a visit): fn (may be NULL) gets each payload; returns how many. */
typedef void (*journal_record_fn)(void *ctx, const char *payload, size_t n);
int journal_each(const char *path, unsigned type, journal_record_fn fn, void *ctx);

/* Write text to path (created or truncated). Returns 0 or -1. */
int write_string(const char *path, const char *text);

/* Files for the io tests (the test fails if one cannot be written):
 * write_bytes writes n bytes, write_text_file a string (write_string, asserted),
 * write_fvecs n texmex rows given exactly (row i: dims[i] floats taken in
 * turn from x; ragged rows allowed). */
void write_bytes(const char *path, const void *data, size_t n);
void write_text_file(const char *path, const char *text);
void write_fvecs(const char *path, const float *x, size_t n, const int *dims);

/* root/rel, root being the shared data folder (FS_SHARED_DATA); skips the
 * test, saying why, when it is absent. Valid until the next call. */
const char *shared_file(const char *root, const char *rel);

/* Start argv[0] with argv (NULL-terminated) in a child: stdout to
 * /dev/null, stderr to err_path (created or truncated) or, when NULL, to
 * /dev/null. Returns the child's pid (the test fails if fork fails). */
#include <sys/types.h>
pid_t spawn_quiet(const char *const *argv, const char *err_path);

/* n samples of amp * sin(2 pi hz t) at rate Hz (malloc'd; caller frees). */
float *sine_wave(size_t n, double hz, int rate, double amp);

#endif
