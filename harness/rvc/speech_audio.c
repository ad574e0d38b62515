/*
 * speech_audio.c - decode audio files to mono float samples (libsndfile:
 * Ogg Vorbis for the fillets-ng packages) and resample them to 16 kHz
 * (libsamplerate). Failures are reasons returned as strings, not printed,
 * so the parallel build can report the first one in path order.
 */
#include "rvc/speech_audio.h"
#include "rvc/speech_dsp.h"
#include "lib/util.h"

#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Append up to got frames of in.channels interleaved samples, mixed to mono
 * by averaging, growing out (len, cap in samples). */
static void mix_mono(float **out, size_t *len, size_t *cap, const float *buf, sf_count_t got,
                     const SF_INFO *in, size_t chunk)
{
    if (*len + (size_t)got > *cap) {
        *cap = *cap ? *cap * 2 : (in->frames > 0 ? (size_t)in->frames : chunk);
        while (*cap < *len + (size_t)got)
            *cap *= 2;
        *out = xrealloc(*out, *cap * sizeof(float));
    }
    for (sf_count_t i = 0; i < got; i++) {
        double s = 0;
        for (int c = 0; c < in->channels; c++)
            s += buf[i * in->channels + c];
        (*out)[(*len)++] = (float)(s / in->channels);
    }
}

char *speech_decode_why(const char *path, float **pcm, size_t *n, int *rate)
{
    enum { CHUNK = 4096 };
    SF_INFO in = { 0 };
    SNDFILE *f;
    struct stat st;
    float *buf = NULL, *out = NULL;
    size_t len = 0, cap = 0;
    char *why = NULL;
    sf_count_t got;

    *pcm = NULL;
    *n = 0;
    /* sf_open would block on a FIFO for ever. */
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return xasprintf("not a regular file '%s'", path);
    f = sf_open(path, SFM_READ, &in);
    if (!f)
        return xasprintf("cannot open audio '%s': %s", path, sf_strerror(NULL));
    if (in.channels < 1 || in.samplerate < 1) {
        why = xasprintf("unusable audio '%s': %d channels at %d Hz", path, in.channels,
                        in.samplerate);
        goto done;
    }
    buf = xmalloc((size_t)in.channels * CHUNK * sizeof(float));
    while ((got = sf_readf_float(f, buf, CHUNK)) > 0)
        mix_mono(&out, &len, &cap, buf, got, &in, CHUNK);
    if (sf_error(f)) {
        why = xasprintf("cannot decode audio '%s': %s", path, sf_strerror(f));
        goto done;
    }
    for (size_t i = 0; i < len; i++) {
        if (!isfinite(out[i])) {
            why = xasprintf("non-finite sample %zu in '%s'", i, path);
            goto done;
        }
    }
    *pcm = out;
    *n = len;
    *rate = in.samplerate;
    out = NULL;
done:
    sf_close(f);
    free(buf);
    free(out);
    return why;
}

char *speech_resample_why(const char *what, const float *in, size_t n, int rate_in,
                          float **out, size_t *n_out)
{
    SRC_DATA d = { 0 };
    size_t cap;
    int err;

    *out = NULL;
    *n_out = 0;
    if (rate_in == SPEECH_RATE) {
        *out = xmalloc(n * sizeof(float));
        memcpy(*out, in, n * sizeof(float));
        *n_out = n;
        return NULL;
    }
    if (rate_in < 1)
        return what ? xasprintf("bad sample rate %d of '%s'", rate_in, what)
                    : xasprintf("bad sample rate %d", rate_in);
    d.src_ratio = (double)SPEECH_RATE / rate_in;
    cap = (size_t)ceil(n * d.src_ratio) + 16;
    *out = xmalloc(cap * sizeof(float));
    d.data_in = in;
    d.input_frames = (long)n;
    d.data_out = *out;
    d.output_frames = (long)cap;
    d.end_of_input = 1;
    err = src_simple(&d, SRC_SINC_MEDIUM_QUALITY, 1);
    if (err) {
        free(*out);
        *out = NULL;
        return xasprintf("cannot resample %s%s%s from %d Hz to %d Hz: %s", what ? "'" : "",
                         what ? what : "the audio", what ? "'" : "", rate_in, SPEECH_RATE,
                         src_strerror(err));
    }
    *n_out = (size_t)d.output_frames_gen;
    return NULL;
}

/* Print a reason (if any) as one error line and free it: 0 or -1. */
static int report(char *why)
{
    if (!why)
        return 0;
    error("%s", why);
    free(why);
    return -1;
}

int speech_decode(const char *path, float **pcm, size_t *n, int *rate)
{
    return report(speech_decode_why(path, pcm, n, rate));
}

int speech_resample(const float *in, size_t n, int rate_in, float **out, size_t *n_out)
{
    return report(speech_resample_why(NULL, in, n, rate_in, out, n_out));
}
