/*
 * speech_dsp.c - the speech stand-in's front end: a periodic Hann window, an
 * iterative radix-2 FFT of our own, a Slaney mel filterbank, log-mel bands,
 * and the d = 128 / 256 / 768 rows built from them (see speech_dsp.h).
 *
 * Self-contained and stateless between calls: every function builds what it
 * needs (speech_bands its own tables), so clips featurised at once on many
 * threads give the same rows whatever the thread count.
 */
#include "rvc/speech_dsp.h"
#include "lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct frontend {
    float window[SPEECH_WIN];
    float cosv[SPEECH_NFFT / 2], sinv[SPEECH_NFFT / 2];
    unsigned short rev[SPEECH_NFFT];
    float mel[SPEECH_NMELS][SPEECH_NBINS];
    int lo[SPEECH_NMELS], hi[SPEECH_NMELS]; /* nonzero bins of each band: [lo, hi) */
};

/* Slaney's mel scale (librosa's default): linear below 1 kHz, log above. */
static double hz_to_mel(double hz)
{
    const double step = 200.0 / 3, logstep = log(6.4) / 27;
    return hz < 1000 ? hz / step : 15 + log(hz / 1000) / logstep;
}

static double mel_to_hz(double mel)
{
    const double step = 200.0 / 3, logstep = log(6.4) / 27;
    return mel < 15 ? mel * step : 1000 * exp(logstep * (mel - 15));
}

/* Triangles between consecutive mel points, area-normalised ("slaney"). */
void speech_melbank(float *w)
{
    double edge[SPEECH_NMELS + 2];
    double top = hz_to_mel(SPEECH_RATE / 2.0);

    for (int i = 0; i < SPEECH_NMELS + 2; i++)
        edge[i] = mel_to_hz(top * i / (SPEECH_NMELS + 1));
    for (int b = 0; b < SPEECH_NMELS; b++) {
        double norm = 2.0 / (edge[b + 2] - edge[b]);
        for (int k = 0; k < SPEECH_NBINS; k++) {
            double f = (double)k * SPEECH_RATE / SPEECH_NFFT;
            double up = (f - edge[b]) / (edge[b + 1] - edge[b]);
            double down = (edge[b + 2] - f) / (edge[b + 2] - edge[b + 1]);
            double v = fmin(up, down);
            w[b * SPEECH_NBINS + k] = v > 0 ? (float)(v * norm) : 0.0f;
        }
    }
}

static void frontend_init(struct frontend *fe)
{
    const double pi = 3.14159265358979323846;
    int bits = 0;

    while ((1 << bits) < SPEECH_NFFT)
        bits++;
    /* Periodic Hann, as torch.hann_window and librosa use. */
    for (int i = 0; i < SPEECH_WIN; i++)
        fe->window[i] = (float)(0.5 - 0.5 * cos(2 * pi * i / SPEECH_WIN));
    for (int i = 0; i < SPEECH_NFFT / 2; i++) {
        fe->cosv[i] = (float)cos(2 * pi * i / SPEECH_NFFT);
        fe->sinv[i] = (float)-sin(2 * pi * i / SPEECH_NFFT);
    }
    for (int i = 0; i < SPEECH_NFFT; i++) {
        unsigned r = 0;
        for (int b = 0; b < bits; b++)
            r |= ((i >> b) & 1u) << (bits - 1 - b);
        fe->rev[i] = (unsigned short)r;
    }
    speech_melbank(&fe->mel[0][0]);
    for (int b = 0; b < SPEECH_NMELS; b++) {
        int lo = 0, hi = SPEECH_NBINS;
        while (lo < SPEECH_NBINS && fe->mel[b][lo] == 0)
            lo++;
        while (hi > lo && fe->mel[b][hi - 1] == 0)
            hi--;
        fe->lo[b] = lo;
        fe->hi[b] = hi;
    }
}

/* In-place iterative radix-2 complex FFT of SPEECH_NFFT points. */
static void fft(const struct frontend *fe, float *re, float *im)
{
    for (int i = 0; i < SPEECH_NFFT; i++) {
        int j = fe->rev[i];
        if (j > i) {
            float t = re[i]; re[i] = re[j]; re[j] = t;
            t = im[i]; im[i] = im[j]; im[j] = t;
        }
    }
    for (int len = 2; len <= SPEECH_NFFT; len <<= 1) {
        int half = len / 2, step = SPEECH_NFFT / len;
        for (int s = 0; s < SPEECH_NFFT; s += len) {
            for (int k = 0; k < half; k++) {
                float wr = fe->cosv[k * step], wi = fe->sinv[k * step];
                int a = s + k, b = a + half;
                float tr = re[b] * wr - im[b] * wi;
                float ti = re[b] * wi + im[b] * wr;
                re[b] = re[a] - tr;
                im[b] = im[a] - ti;
                re[a] += tr;
                im[a] += ti;
            }
        }
    }
}

float *speech_bands(const float *pcm, size_t frames)
{
    struct frontend *fe = xmalloc(sizeof(*fe));
    float *out = xmalloc(frames * SPEECH_NMELS * sizeof(float));
    float re[SPEECH_NFFT], im[SPEECH_NFFT], power[SPEECH_NBINS];

    frontend_init(fe);
    for (size_t t = 0; t < frames; t++) {
        const float *x = pcm + t * SPEECH_HOP;
        for (int i = 0; i < SPEECH_NFFT; i++) {
            re[i] = i < SPEECH_WIN ? x[i] * fe->window[i] : 0.0f;
            im[i] = 0.0f;
        }
        fft(fe, re, im);
        for (int k = 0; k < SPEECH_NBINS; k++)
            power[k] = re[k] * re[k] + im[k] * im[k];
        for (int b = 0; b < SPEECH_NMELS; b++) {
            double e = 0;
            for (int k = fe->lo[b]; k < fe->hi[b]; k++)
                e += (double)fe->mel[b][k] * power[k];
            out[t * SPEECH_NMELS + b] = (float)log(fmax(e, SPEECH_FLOOR));
        }
    }
    free(fe);
    return out;
}

static size_t clamp_frame(long t, size_t frames)
{
    return t < 0 ? 0 : (size_t)t >= frames ? frames - 1 : (size_t)t;
}

float *speech_assemble(const float *bands, size_t frames, int d)
{
    const size_t nb = SPEECH_NMELS;
    float *out;

    if (d != 128 && d != 256 && d != 768)
        return NULL;
    out = xmalloc(frames * (size_t)d * sizeof(float));
    for (size_t t = 0; t < frames; t++) {
        float *row = out + t * (size_t)d;
        if (d == 128) {
            memcpy(row, bands + t * nb, nb * sizeof(float));
        } else if (d == 256) {
            /* HTK regression deltas: sum k (c[t+k] - c[t-k]) / (2 sum k^2). */
            double denom = 0;
            for (int k = 1; k <= SPEECH_DELTA_N; k++)
                denom += 2.0 * k * k;
            memcpy(row, bands + t * nb, nb * sizeof(float));
            for (size_t b = 0; b < nb; b++) {
                double acc = 0;
                for (int k = 1; k <= SPEECH_DELTA_N; k++)
                    acc += k * ((double)bands[clamp_frame((long)t + k, frames) * nb + b] -
                                bands[clamp_frame((long)t - k, frames) * nb + b]);
                row[nb + b] = (float)(acc / denom);
            }
        } else {
            for (int j = 0; j < SPEECH_STACK_COUNT; j++) {
                size_t src = clamp_frame((long)t + SPEECH_STACK_FIRST + j, frames);
                memcpy(row + j * nb, bands + src * nb, nb * sizeof(float));
            }
        }
    }
    return out;
}

size_t speech_frame_count(size_t n)
{
    return n < SPEECH_WIN ? 0 : (n - SPEECH_WIN) / SPEECH_HOP + 1;
}

int speech_logmel(const float *pcm16k, size_t n, int d, float **out, size_t *frames)
{
    float *bands;

    *out = NULL;
    *frames = 0;
    if (d != 128 && d != 256 && d != 768)
        return error("unknown width %d of speech features: d must be 128, 256 or 768", d);
    *frames = speech_frame_count(n);
    if (!*frames)
        return 0;
    bands = speech_bands(pcm16k, *frames);
    *out = speech_assemble(bands, *frames, d);
    free(bands);
    return 0;
}
