/*
 * test_speech.c - the speech stand-in's pieces on generated audio: the frame
 * count and rate, the mel band a pure tone lands in, the silence floor, the
 * d = 256 and 768 layouts, resampling, Ogg Vorbis decoding, the .npy bytes
 * against numpy's own (Debian's /usr/bin/python3; skipped with a reason
 * without numpy), and whole builds from a small fake package tree (the fetch
 * script sees the files already there and downloads nothing).
 * The real packages are built by hand, not here (see harness/speech.h).
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
#include "lib/util.h"
#include "testutil.h"

#define PYTHON "/usr/bin/python3"
#define PI 3.14159265358979323846

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

static int have_numpy(void)
{
    return access(PYTHON, X_OK) == 0 &&
           system(PYTHON " -c 'import numpy' >/dev/null 2>&1") == 0;
}

static void need_numpy(void)
{
    if (!have_numpy()) {
        print_message("skipping: %s with numpy not available\n", PYTHON);
        skip();
    }
}

/* Run a Python snippet (numpy imported as np); returns its exit status. */
static int python(const char *code)
{
    const char *script = tmp("check.py");
    FILE *f = fopen(script, "w");
    char *cmd;
    int rc;

    assert_non_null(f);
    fprintf(f, "import sys\nimport numpy as np\n%s\n", code);
    assert_int_equal(fclose(f), 0);
    cmd = xasprintf(PYTHON " '%s'", script);
    rc = system(cmd);
    free(cmd);
    return rc;
}

static float *sine(size_t n, double hz, int rate, double amp)
{
    float *x = xmalloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(amp * sin(2 * PI * hz * (double)i / rate));
    return x;
}

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
    float *x = sine(n, hz, rate, 0.4);
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

/* -------------------------------------------------------- front end */

static void test_frame_count(void **state)
{
    (void)state;
    assert_int_equal(speech_frame_count(0), 0);
    assert_int_equal(speech_frame_count(399), 0);
    assert_int_equal(speech_frame_count(400), 1);
    assert_int_equal(speech_frame_count(719), 1);
    assert_int_equal(speech_frame_count(720), 2);
    /* floor((n - 400) / 320) + 1 ... */
    for (size_t n = 400; n < 5000; n += 37)
        assert_int_equal(speech_frame_count(n), (n - 400) / 320 + 1);
    /* ... so every further second of audio adds exactly 50 frames, */
    for (size_t n = 400; n < 20000; n += 311)
        for (size_t s = 1; s <= 60; s += 7)
            assert_int_equal(speech_frame_count(n + s * 16000), speech_frame_count(n) + 50 * s);
    /* and 10 s plus the window's overhang is exactly 500 frames. */
    assert_int_equal(speech_frame_count(10 * 16000 + 400 - 320), 500);
}

static void test_logmel_frames_and_shapes(void **state)
{
    size_t n = 3 * 16000 + 80, frames[3];
    const int ds[3] = { 128, 256, 768 };
    float *x = sine(n, 440, 16000, 0.3), *out[3];

    (void)state;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(speech_logmel(x, n, ds[i], &out[i], &frames[i]), 0);
        assert_int_equal(frames[i], 150);
        for (size_t j = 0; j < frames[i] * (size_t)ds[i]; j++)
            assert_true(isfinite(out[i][j]));
    }
    /* The d = 256 band half and every d = 768 block are the plain bands. */
    for (size_t t = 0; t < 150; t++) {
        assert_memory_equal(out[1] + t * 256, out[0] + t * 128, 128 * sizeof(float));
        for (int j = 0; j < 6; j++) {
            long src = (long)t - 2 + j;
            src = src < 0 ? 0 : src > 149 ? 149 : src;
            assert_memory_equal(out[2] + t * 768 + j * 128, out[0] + src * 128,
                                128 * sizeof(float));
        }
    }
    for (int i = 0; i < 3; i++)
        free(out[i]);
    free(x);
}

static void test_logmel_short_and_bad_d(void **state)
{
    float x[399] = { 0 }, *out = (float *)1;
    size_t frames = 7;

    (void)state;
    assert_int_equal(speech_logmel(x, 399, 256, &out, &frames), 0);
    assert_null(out);
    assert_int_equal(frames, 0);
    assert_fails(speech_logmel(x, 399, 100, &out, &frames), "d must be 128, 256 or 768",
                 "100");
}

/* Slaney mel scale, written again here rather than taken from speech.c. */
static double slaney_mel(double hz)
{
    return hz < 1000 ? hz * 3 / 200 : 15 + 27 * log(hz / 1000) / log(6.4);
}

static double slaney_hz(double mel)
{
    return mel < 15 ? mel * 200 / 3 : 1000 * pow(6.4, (mel - 15) / 27);
}

static void test_melbank_covers_bins(void **state)
{
    float *w = xmalloc(SPEECH_NMELS * SPEECH_NBINS * sizeof(float));

    (void)state;
    speech_melbank(w);
    for (int b = 0; b < SPEECH_NMELS; b++) {
        float peak = 0;
        int nonzero = 0;
        for (int k = 0; k < SPEECH_NBINS; k++) {
            peak = fmaxf(peak, w[b * SPEECH_NBINS + k]);
            nonzero += w[b * SPEECH_NBINS + k] > 0;
        }
        /* Every band sees at least one FFT bin, at a third of its peak or more. */
        double width = slaney_hz(slaney_mel(8000) * (b + 2) / 129) -
                       slaney_hz(slaney_mel(8000) * b / 129);
        if (nonzero < 1 || peak < 0.33 * 2 / width)
            fail_msg("band %d: %d bins, peak %g", b, nonzero, peak);
    }
    free(w);
}

/* The band whose triangle is tallest at hz: the one whose centre is nearest. */
static int band_of(double hz)
{
    double top = slaney_mel(8000), best = 1e9;
    int band = -1;
    for (int b = 0; b < SPEECH_NMELS; b++) {
        double centre = slaney_hz(top * (b + 1) / (SPEECH_NMELS + 1));
        if (fabs(centre - hz) < best) {
            best = fabs(centre - hz);
            band = b;
        }
    }
    return band;
}

static void test_sine_peak_band(void **state)
{
    const double tones[] = { 1000, 250, 3000, 6000 };
    (void)state;

    for (size_t i = 0; i < sizeof(tones) / sizeof(tones[0]); i++) {
        size_t n = 16000, frames;
        float *x = sine(n, tones[i], 16000, 0.5), *out;
        int want = band_of(tones[i]);

        assert_int_equal(speech_logmel(x, n, 256, &out, &frames), 0);
        for (size_t t = 2; t + 2 < frames; t++) {
            const float *row = out + t * 256;
            int arg = 0;
            for (int b = 1; b < 128; b++)
                if (row[b] > row[arg])
                    arg = b;
            if (arg != want)
                fail_msg("%g Hz, frame %zu: peak in band %d, want %d", tones[i], t, arg, want);
            /* A steady tone has (almost) no deltas where it is loud. */
            assert_true(fabsf(row[128 + want]) < 0.05f);
        }
        free(out);
        free(x);
    }
    /* 1 kHz is exactly 15 Slaney mel, in the band centred nearest it. */
    assert_true(fabs(slaney_mel(1000) - 15) < 1e-12);
}

static void test_silence_floor(void **state)
{
    size_t n = 16000, frames;
    float *x = xcalloc(n, sizeof(float)), *out;
    const float floor_ = (float)log(1e-10);

    (void)state;
    assert_int_equal(speech_logmel(x, n, 256, &out, &frames), 0);
    assert_int_equal(frames, 49);
    for (size_t t = 0; t < frames; t++) {
        for (int b = 0; b < 128; b++)
            assert_float_equal(out[t * 256 + b], floor_, 1e-6);
        for (int b = 128; b < 256; b++)
            assert_float_equal(out[t * 256 + b], 0.0f, 0.0);
    }
    free(out);
    assert_int_equal(speech_logmel(x, n, 768, &out, &frames), 0);
    for (size_t j = 0; j < frames * 768; j++)
        assert_float_equal(out[j], floor_, 1e-6);
    assert_float_equal(floor_, -23.02585f, 1e-4);
    free(out);
    free(x);
}

/* ------------------------------------------------------------- audio */

static void test_resample_keeps_frequency(void **state)
{
    const double hz = 997;
    size_t n = 2 * 44100, m;
    float *x = sine(n, hz, 44100, 0.5), *y;
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
    float *x = sine(n, 523.25, 44100, 0.4), *pcm;
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
}

/* --------------------------------------------------------------- npy */

/* numpy 1.24's np.save header for a (3, 256) float32 array, for when it is absent. */
static const char npy_3x256[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3, 256), }"
    "                                                        \n";

static unsigned char *slurp(const char *path, size_t *len)
{
    return (unsigned char *)read_file(path, len);
}

static void test_npy_header_bytes(void **state)
{
    float x[3 * 256];
    const char *path = tmp("a.npy");
    size_t len;
    unsigned char *got;

    (void)state;
    for (int i = 0; i < 3 * 256; i++)
        x[i] = (float)i * 0.5f - 7;
    assert_int_equal(speech_write_npy(path, x, 3, 256), 0);
    got = slurp(path, &len);
    assert_non_null(got);
    assert_int_equal(sizeof(npy_3x256) - 1, 128);
    assert_int_equal(len, 128 + sizeof(x));
    assert_memory_equal(got, npy_3x256, 128);
    assert_memory_equal(got + 128, x, sizeof(x));
    free(got);
    assert_fails(speech_write_npy(tmp("no/such/dir.npy"), x, 3, 256), "no/such/dir.npy",
                 "cannot create");
}

/* Whole files against np.save for shapes whose headers differ in length. */
static void test_npy_matches_numpy(void **state)
{
    static const size_t shapes[][2] = { { 3, 256 }, { 1, 768 }, { 0, 5 }, { 12345, 7 },
                                        { 2, 1 },   { 999999, 0 }, { 1, 1234567 } };
    (void)state;
    need_numpy();
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        size_t rows = shapes[s][0], cols = shapes[s][1], len_c, len_py;
        size_t count = rows * cols;
        float *x = xmalloc((count ? count : 1) * sizeof(float));
        char *code;
        unsigned char *c, *py;

        for (size_t i = 0; i < count; i++)
            x[i] = (float)i * 0.25f - 100;
        assert_int_equal(speech_write_npy(tmp("c.npy"), x, rows, cols), 0);
        code = xasprintf("x = (np.arange(%zu, dtype=np.float32) * np.float32(0.25)"
                         " - np.float32(100)).reshape(%zu, %zu)\n"
                         "np.save('%s', x)\n"
                         "y = np.load('%s')\n"
                         "sys.exit(0 if y.dtype == np.float32 and y.shape == x.shape and"
                         " np.array_equal(x, y) else 3)",
                         count, rows, cols, tmp("py.npy"), tmp("c.npy"));
        assert_int_equal(python(code), 0);
        free(code);
        c = slurp(tmp("c.npy"), &len_c);
        py = slurp(tmp("py.npy"), &len_py);
        assert_non_null(c);
        assert_non_null(py);
        assert_int_equal(len_c, len_py);
        assert_memory_equal(c, py, len_c);
        assert_int_equal((c[8] | c[9] << 8) % 64, (64 - 10) % 64);
        free(c);
        free(py);
        free(x);
    }
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

static void test_build_fake_package(void **state)
{
    const char *root = tmp("build");
    const char *sounds = fake_package(root);
    char *meta, *readme, *p;
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
    free(readme);

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

    if (have_numpy()) {
        p = xasprintf("import glob\n"
                      "fs = sorted(glob.glob('%s/speech-cs/target-m/3_feature768/*.npy'))\n"
                      "x = np.concatenate([np.load(f) for f in fs])\n"
                      "sys.exit(0 if x.shape == (222, 768) and np.isfinite(x).all() else 3)",
                      root);
        assert_int_equal(python(p), 0);
        free(p);
    }

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
        cmocka_unit_test(test_frame_count),
        cmocka_unit_test(test_logmel_frames_and_shapes),
        cmocka_unit_test(test_logmel_short_and_bad_d),
        cmocka_unit_test(test_melbank_covers_bins),
        cmocka_unit_test(test_sine_peak_band),
        cmocka_unit_test(test_silence_floor),
        cmocka_unit_test(test_resample_keeps_frequency),
        cmocka_unit_test(test_decode_ogg_stereo),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_npy_header_bytes),
        cmocka_unit_test(test_npy_matches_numpy),
        cmocka_unit_test(test_build_fake_package),
        cmocka_unit_test(test_build_bad_clip),
        cmocka_unit_test(test_build_unknown_name),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
