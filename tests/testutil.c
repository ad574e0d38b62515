/*
 * testutil.c - stderr capture and message assertions for the tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ftw.h>
#include <dirent.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>

#include "testutil.h"
#include "lib/util.h"

static FILE *cap_file;
static int cap_saved = -1;
static char captured[8192];

void capture_start(void)
{
    fflush(stderr);
    cap_file = tmpfile();
    assert_non_null(cap_file);
    cap_saved = dup(2);
    assert_true(cap_saved >= 0);
    assert_true(dup2(fileno(cap_file), 2) >= 0);
}

const char *capture_end(void)
{
    size_t n;
    fflush(stderr);
    dup2(cap_saved, 2);
    close(cap_saved);
    rewind(cap_file);
    n = fread(captured, 1, sizeof(captured) - 1, cap_file);
    captured[n] = '\0';
    fclose(cap_file);
    return captured;
}

int capture_stderr(int (*fn)(void *), void *arg, char **out)
{
    int rc;
    capture_start();
    rc = fn(arg);
    *out = strdup(capture_end());
    assert_non_null(*out);
    return rc;
}

/* noinline: else gcc -O2 with UBSan warns about a NULL %s on an impossible path. */
__attribute__((noinline)) void assert_has(const char *msg, const char *sub)
{
    if (sub && !strstr(msg, sub))
        fail_msg("message \"%s\" lacks \"%s\"", msg, sub);
}

int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

char tmpdir[128];

int tmpdir_make(const char *tag)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/fs-test-%s-XXXXXX", tag);
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int rm_tree(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *tmp(const char *name)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
    return p;
}

extern const char *__progname;

int tmpdir_setup(void **state)
{
    (void)state;
    return tmpdir_make(__progname);
}

int tmpdir_teardown(void **state)
{
    (void)state;
    return rm_tree(tmpdir);
}

/* ---- generated data ---- */
#include "lib/rng.h"
#include "run/run.h"

static float random_value(uint64_t *state)
{
    return (float)(rng_next(state) >> 40) / (float)(1 << 24);
}

float *random_rows(size_t n, size_t d, uint64_t seed)
{
    size_t m = n * d;
    float *x = malloc((m > 0 ? m : 1) * sizeof(*x));
    assert_non_null(x);
    for (size_t i = 0; i < m; i++)
        x[i] = random_value(&seed);
    return x;
}

int run_config(const char *name, const char *yaml, const char *const *sets, size_t n_sets,
               char **results_path, char **err)
{
    char cfg_path[600], outdir[600];
    struct run_opts o = { .plot = 0, .progress = 0, .sets = sets, .n_sets = n_sets };
    int rc;

    snprintf(cfg_path, sizeof(cfg_path), "%s/%s.yaml", tmpdir, name);
    snprintf(outdir, sizeof(outdir), "%s/out-%s", tmpdir, name);
    o.output_dir = outdir;
    assert_int_equal(write_string(cfg_path, yaml), 0);
    if (err)
        capture_start();
    rc = run_sweep(cfg_path, &o, results_path);
    if (err)
        *err = strdup(capture_end());
    return rc;
}

int write_random_fvecs(const char *path, size_t n, size_t d, uint64_t seed)
{
    FILE *f = fopen(path, "wb");
    int32_t dim = (int32_t)d;
    uint64_t state = seed;
    int ok = f != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        ok = fwrite(&dim, sizeof(dim), 1, f) == 1;
        for (size_t j = 0; ok && j < d; j++) {
            float v = random_value(&state);
            ok = fwrite(&v, sizeof(v), 1, f) == 1;
        }
    }
    if (f && fclose(f))
        ok = 0;
    return ok ? 0 : -1;
}

int write_string(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f))
        ok = 0;
    return ok ? 0 : -1;
}

void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

void write_text_file(const char *path, const char *text)
{
    assert_int_equal(write_string(path, text), 0);
}

void write_fvecs(const char *path, const float *x, size_t n, const int *dims)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        int32_t d = dims[i];
        assert_int_equal(fwrite(&d, 4, 1, f), 1);
        assert_int_equal(fwrite(x, 4, (size_t)d, f), (size_t)d);
        x += d;
    }
    assert_int_equal(fclose(f), 0);
}

const char *shared_file(const char *root, const char *rel)
{
    static char buf[1024];
    struct stat st;
    if (!root || !*root) {
        print_message("skipping: FS_SHARED_DATA is not defined\n");
        skip();
    }
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        print_message("skipping: shared data folder %s not found\n", root);
        skip();
    }
    snprintf(buf, sizeof(buf), "%s/%s", root, rel);
    if (access(buf, R_OK) != 0) {
        print_message("skipping: %s not found\n", buf);
        skip();
    }
    return buf;
}

float *sine_wave(size_t n, double hz, int rate, double amp)
{
    const double pi = 3.14159265358979323846;
    float *x = malloc((n ? n : 1) * sizeof(float));
    assert_non_null(x);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(amp * sin(2 * pi * hz * (double)i / rate));
    return x;
}

char *find_file(const char *dir, const char *suffix, int *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char *out = NULL;
    size_t m = strlen(suffix);
    int n = 0;
    while (d && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > m && !strcmp(e->d_name + len - m, suffix)) {
            n++;
            if (!out)
                out = xasprintf("%s/%s", dir, e->d_name);
        }
    }
    if (d)
        closedir(d);
    if (count)
        *count = n;
    return out;
}

long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) ? -1 : (long long)st.st_size;
}

int journal_each(const char *path, unsigned type, journal_record_fn fn, void *ctx)
{
    FILE *f = fopen(path, "rb");
    char hdr[24];
    int n = 0;

    while (f && fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) && !memcmp(hdr, "FSJ1", 4)) {
        uint32_t t;
        uint64_t len;
        char *p;
        memcpy(&t, hdr + 4, 4);
        memcpy(&len, hdr + 8, 8);
        if (len > ((uint64_t)1 << 32) || !(p = malloc(len ? (size_t)len : 1)))
            break;
        if (fread(p, 1, (size_t)len, f) != (size_t)len) {
            free(p);
            break;
        }
        if (t == type) {
            n++;
            if (fn)
                fn(ctx, p, (size_t)len);
        }
        free(p);
    }
    if (f)
        fclose(f);
    return n;
}

pid_t spawn_quiet(const char *const *argv, const char *err_path)
{
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        int err = err_path ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : null;
        if (null < 0 || err < 0 || dup2(null, 1) < 0 || dup2(err, 2) < 0)
            _exit(127);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}
