/*
 * test_speech_dsp.c - the speech stand-in's front end (rvc/speech_dsp.c) on
 * generated signals: the frame count and rate, the d = 128 / 256 / 768
 * layouts, the Slaney mel bank (written again here), the band a pure tone
 * lands in, and the silence floor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rvc/speech_dsp.h"
#include "lib/util.h"
#include "testutil.h"

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
    float *x = sine_wave(n, 440, 16000, 0.3), *out[3];

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

/* Slaney mel scale, written again here rather than taken from speech_dsp.c. */
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
        float *x = sine_wave(n, tones[i], 16000, 0.5), *out;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_count),
        cmocka_unit_test(test_logmel_frames_and_shapes),
        cmocka_unit_test(test_logmel_short_and_bad_d),
        cmocka_unit_test(test_melbank_covers_bins),
        cmocka_unit_test(test_sine_peak_band),
        cmocka_unit_test(test_silence_floor),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
