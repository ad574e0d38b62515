/*
 * test_speech.c - building the speech stand-in (rvc/speech.c) and its audio
 * input (rvc/speech_audio.c) on generated audio: resampling, Ogg Vorbis
 * decoding and its errors, and whole builds from a small fake package tree
 * (the fetch script sees the files already there and downloads nothing):
 * the files, README.txt and meta.txt (rvc/speech_readme.c), the .npy files
 * read back as an RVC folder, a bad clip and an unknown name. The front
 * end is tested in test_speech_dsp.c, the .npy writer's bytes in
 * test_npy.c. The real packages are built by hand, not here (see
 * harness/rvc/speech.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rvc/speech.h"
#include "io/rvcdir.h"
#include "io/vecs.h"
#include "lib/util.h"
#include "testutil.h"


/* ------------------------------------------------------------ helpers */

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void mkdirs(const char *path)
{
    char *cmd = xasprintf("mkdir -p '%s'", path);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

/* stderr is fd 2 for error(): point it at a temp file around a call. */

/* Write mono (or the same signal on every channel) with libsndfile. */
static void write_audio(const char *path, const float *x, size_t n, int rate, int channels,
                        int format)
{
    SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    float *buf = xmalloc(n * (size_t)channels * sizeof(float));

    if (!f)
        fail_msg("%s: %s", path, sf_strerror(NULL));
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < channels; c++)
            buf[i * (size_t)channels + (size_t)c] = x[i];
    assert_int_equal(sf_writef_float(f, buf, (sf_count_t)n), (sf_count_t)n);
    assert_int_equal(sf_close(f), 0);
    free(buf);
}

static void write_ogg(const char *path, size_t n, double hz, int rate)
{
    float *x = sine_wave(n, hz, rate, 0.4);
    write_audio(path, x, n, rate, 1, SF_FORMAT_OGG | SF_FORMAT_VORBIS);
    free(x);
}

/* Positive-going zero crossings per second over x[from, to). */
static double crossing_rate(const float *x, size_t from, size_t to, int rate)
{
    size_t first = 0, last = 0, count = 0;
    for (size_t i = from + 1; i < to; i++) {
        if (x[i - 1] < 0 && x[i] >= 0) {
            if (!count)
                first = i;
            last = i;
            count++;
        }
    }
    assert_true(count > 2);
    return (double)(count - 1) * rate / (double)(last - first);
}

/* ------------------------------------------------------------- audio */

static void test_resample_keeps_frequency(void **state)
{
    const double hz = 997;
    size_t n = 2 * 44100, m;
    float *x = sine_wave(n, hz, 44100, 0.5), *y;
    double rate;

    (void)state;
    assert_int_equal(speech_resample(x, n, 44100, &y, &m), 0);
    assert_true(m >= 31990 && m <= 32010);
    /* Away from the edges' filter transients. */
    rate = crossing_rate(y, 1600, m - 1600, 16000);
    if (fabs(rate - hz) > hz * 1e-3)
        fail_msg("resampled %g Hz sine measures %g Hz", hz, rate);
    /* The amplitude survives too (a sine's peak, within the filter's ripple). */
    float peak = 0;
    for (size_t i = 1600; i < m - 1600; i++)
        peak = fmaxf(peak, fabsf(y[i]));
    assert_float_equal(peak, 0.5f, 0.01f);
    free(y);
    /* 16 kHz in is copied through. */
    assert_int_equal(speech_resample(x, 1000, 16000, &y, &m), 0);
    assert_int_equal(m, 1000);
    assert_memory_equal(x, y, 1000 * sizeof(float));
    free(y);
    assert_fails(speech_resample(x, 1000, 0, &y, &m), "bad sample rate", NULL);
    free(x);
}

static void test_decode_ogg_stereo(void **state)
{
    const char *path = tmp("stereo.ogg");
    size_t n = 44100, got;
    float *x = sine_wave(n, 523.25, 44100, 0.4), *pcm;
    int rate = 0;

    (void)state;
    write_audio(path, x, n, 44100, 2, SF_FORMAT_OGG | SF_FORMAT_VORBIS);
    assert_int_equal(speech_decode(path, &pcm, &got, &rate), 0);
    assert_int_equal(rate, 44100);
    assert_int_equal(got, n);
    /* Lossy, but the tone and its level are there, on one channel. */
    double f = crossing_rate(pcm, 2000, got - 2000, 44100);
    assert_true(fabs(f - 523.25) < 1);
    float peak = 0;
    for (size_t i = 2000; i < got - 2000; i++)
        peak = fmaxf(peak, fabsf(pcm[i]));
    assert_float_equal(peak, 0.4f, 0.05f);
    free(pcm);
    free(x);
}

static void test_decode_errors(void **state)
{
    const char *bad = tmp("garbage.ogg");
    float *pcm;
    size_t n;
    int rate;
    FILE *f = fopen(bad, "wb");

    (void)state;
    assert_non_null(f);
    fputs("OggS but not really an ogg file at all, just text", f);
    assert_int_equal(fclose(f), 0);
    assert_fails(speech_decode(bad, &pcm, &n, &rate), bad, "cannot");
    assert_fails(speech_decode(tmp("missing.ogg"), &pcm, &n, &rate), "missing.ogg",
                 "cannot open audio");
    /* A FIFO would block sf_open for ever (issue 13, item 15). */
    unlink(tmp("fifo.ogg"));
    assert_int_equal(mkfifo(tmp("fifo.ogg"), 0600), 0);
    assert_fails(speech_decode(tmp("fifo.ogg"), &pcm, &n, &rate), "fifo.ogg",
                 "not a regular file");
}

/* ------------------------------------------------------------- build */

/* A package tree as fetch-speech.sh leaves it, with generated clips. */
static const char *fake_package(const char *root)
{
    static char sounds[600];
    char *p;

    snprintf(sounds, sizeof(sounds), "%s/pkg-cs/usr/share/games/fillets-ng/sound", root);
    p = xasprintf("%s/lvl/cs", sounds);
    mkdirs(p);
    free(p);
    p = xasprintf("%s/lvl/nl", sounds);
    mkdirs(p);
    free(p);
    p = xasprintf("%s/share/border/cs", sounds);
    mkdirs(p);
    free(p);
    p = xasprintf("%s/pkg-cs/package.txt", root);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("Package: fillets-ng-data-cs\nVersion: 9.9-test\nFilename: fake.deb\n"
          "SHA256: 0123\n", f);
    assert_int_equal(fclose(f), 0);
    free(p);
    return sounds;
}

static void put_ogg(const char *sounds, const char *rel, size_t n, double hz, int rate)
{
    char *p = xasprintf("%s/%s", sounds, rel);
    write_ogg(p, n, hz, rate);
    free(p);
}

static char *meta_value(const char *meta, const char *key)
{
    char *needle = xasprintf("\n%s=", key);
    const char *p = strstr(meta, needle);
    char *v;

    if (!p)
        fail_msg("meta.txt lacks %s", key);
    p += strlen(needle);
    v = xasprintf("%.*s", (int)strcspn(p, "\n"), p);
    free(needle);
    return v;
}

static void assert_meta(const char *meta, const char *key, const char *want)
{
    char *v = meta_value(meta, key);
    if (strcmp(v, want))
        fail_msg("meta.txt %s=%s, want %s", key, v, want);
    free(v);
}

/* meta.txt and README.txt of the fake package's build under root. */
static void check_texts(const char *root)
{
    char *meta, *readme, *p;

    p = xasprintf("%s/speech-cs/meta.txt", root);
    meta = read_file(p, NULL);
    free(p);
    assert_non_null(meta);
    assert_meta(meta, "package_version", "9.9-test");
    assert_meta(meta, "n_clips_target", "3");
    assert_meta(meta, "n_skipped_target", "1");
    assert_meta(meta, "n_clips_source", "1");
    /* 16000 -> 49, 40000 -> 124, 16000 -> 49; the source 24000 -> 74. */
    assert_meta(meta, "n_frames_target", "222");
    assert_meta(meta, "n_frames_source", "74");
    assert_meta(meta, "seconds_target", "4.500");
    free(meta);

    p = xasprintf("%s/speech-cs/README.txt", root);
    readme = read_file(p, NULL);
    free(p);
    assert_non_null(readme);
    assert_has(readme, "NOT HuBERT");
    assert_has(readme, "fillets-ng-data-cs 9.9-test");
    assert_has(readme, "target-m/lvl-a-m-tiny (");
    /* the command line that built it, as lib's command_line quotes words */
    assert_has(readme, "/test_speech\n(harness/rvc/speech.c of faiss-sweep;");
    free(readme);
}

static void test_build_fake_package(void **state)
{
    const char *root = tmp("build");
    const char *sounds = fake_package(root);
    char *p;
    /* 1.0 s, 2.5 s and 0.4 s at 22.05 kHz (the package's usual rate) and a
     * 44.1 kHz clip under share/: frames floor((n16k - 400) / 320) + 1. */
    put_ogg(sounds, "lvl/cs/a-m-one.ogg", 22050, 300, 22050);
    put_ogg(sounds, "lvl/cs/a-m-two.ogg", 55125, 500, 22050);
    put_ogg(sounds, "lvl/cs/a-m-tiny.ogg", 300, 500, 22050); /* 218 samples at 16 kHz */
    put_ogg(sounds, "share/border/cs/c-m-s.ogg", 44100, 700, 44100);
    put_ogg(sounds, "lvl/cs/a-v-one.ogg", 33075, 200, 22050);
    put_ogg(sounds, "lvl/cs/a-x-other.ogg", 22050, 200, 22050); /* neither speaker */
    put_ogg(sounds, "lvl/nl/a-m-dutch.ogg", 22050, 200, 22050); /* other language */

    (void)state;
    capture_start();
    int rc = speech_build("speech-cs", root, FS_SOURCE_DIR "/scripts/fetch-speech.sh");
    const char *msg = capture_end();
    if (rc)
        fail_msg("build failed: %s", msg);

    check_texts(root);

    static const char *const files[] = {
        "target-m/3_feature256/lvl-a-m-one.npy", "target-m/3_feature768/lvl-a-m-one.npy",
        "target-m/3_feature256/lvl-a-m-two.npy", "target-m/3_feature768/share-border-c-m-s.npy",
        "source-v/3_feature256/lvl-a-v-one.npy", "source-v/3_feature768/lvl-a-v-one.npy",
        ".complete",
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        p = xasprintf("%s/speech-cs/%s", root, files[i]);
        if (!exists(p))
            fail_msg("missing %s", p);
        free(p);
    }
    p = xasprintf("%s/speech-cs/target-m/3_feature256/lvl-a-m-tiny.npy", root);
    assert_false(exists(p));
    free(p);
    p = xasprintf("%s/speech-cs/target-m/3_feature256/lvl-a-x-other.npy", root);
    assert_false(exists(p));
    free(p);
    /* Only the set and the package are left: no temp folder. */
    p = xasprintf("test \"$(ls -A '%s' | tr '\\n' ' ')\" = 'pkg-cs speech-cs '", root);
    assert_int_equal(system(p), 0);
    free(p);

    /* The target's v2 clips read back as one table, as RVC concatenates them
     * (the writer's bytes are checked against numpy's in test_npy.c). */
    struct vecs v;
    struct clips c;
    p = xasprintf("%s/speech-cs/target-m", root);
    assert_int_equal(load_rvc(&v, &c, p, "v2", 0), 0);
    free(p);
    assert_true(v.n == 222 && v.d == 768 && c.n == 3);
    assert_int_equal(vecs_count_nonfinite(&v, NULL), 0);
    vecs_release(&v);
    clips_release(&c);

    /* Cached: with the package gone, a second build still succeeds at once. */
    p = xasprintf("rm -rf '%s/pkg-cs'", root);
    assert_int_equal(system(p), 0);
    free(p);
    assert_int_equal(speech_build("speech-cs", root, FS_SOURCE_DIR "/scripts/fetch-speech.sh"), 0);
}

static void test_build_bad_clip(void **state)
{
    const char *root = tmp("bad");
    const char *sounds = fake_package(root);
    char *bad = xasprintf("%s/lvl/cs/b-m-broken.ogg", sounds), *p;
    FILE *f;

    (void)state;
    put_ogg(sounds, "lvl/cs/a-m-one.ogg", 22050, 300, 22050);
    put_ogg(sounds, "lvl/cs/c-m-two.ogg", 22050, 300, 22050);
    put_ogg(sounds, "lvl/cs/a-v-one.ogg", 22050, 300, 22050);
    f = fopen(bad, "wb");
    assert_non_null(f);
    fputs("not audio", f);
    assert_int_equal(fclose(f), 0);

    assert_fails(speech_build("speech-cs", root, FS_SOURCE_DIR "/scripts/fetch-speech.sh"), bad, "cannot open audio");
    /* Nothing half-built is left where the set would be, nor a temp folder. */
    p = xasprintf("%s/speech-cs", root);
    assert_false(exists(p));
    free(p);
    p = xasprintf("test \"$(ls -A '%s' | tr '\\n' ' ')\" = 'pkg-cs '", root);
    assert_int_equal(system(p), 0);
    free(p);
    free(bad);
}

static void test_build_unknown_name(void **state)
{
    (void)state;
    assert_fails(speech_build("speech-de", tmp("x"), "/nonexistent"), "speech-de", "speech-cs, speech-nl");
    assert_fails(speech_build("cs", tmp("x"), "/nonexistent"), "unknown speech data set", NULL);
}

int main(void)
{
    util_quiet = 1;  /* progress lines would count as messages */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resample_keeps_frequency),
        cmocka_unit_test(test_decode_ogg_stereo),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_build_fake_package),
        cmocka_unit_test(test_build_bad_clip),
        cmocka_unit_test(test_build_unknown_name),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
