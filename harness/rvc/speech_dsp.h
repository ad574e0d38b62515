/*
 * speech_dsp.h - log-mel features of 16 kHz speech at RVC's HuBERT frame
 * rate (50 frames per second), the front end of the speech stand-in.
 *
 * Recipe: 16 kHz mono, 400-sample periodic Hann window (25 ms), hop 320
 * (20 ms), no padding, 512-point FFT (own radix-2 code), power spectrum,
 * 128 Slaney-scale mel bands 0-8000 Hz with Slaney area normalisation (the
 * librosa default, as Whisper large-v3 uses over a coarser 400-point FFT),
 * natural log of max(energy, 1e-10). Then
 *   d = 128: the bands alone (for tests and inspection)
 *   d = 256: bands of frame t, then their regression deltas over t-2..t+2
 *   d = 768: bands of the 6 frames t-2..t+3 stacked, oldest first
 * Neighbours past a clip's ends repeat its first or last frame.
 */
#ifndef FS_SPEECH_DSP_H
#define FS_SPEECH_DSP_H

#include <stddef.h>

#define SPEECH_RATE 16000
#define SPEECH_HOP 320
#define SPEECH_WIN 400
#define SPEECH_NFFT 512
#define SPEECH_NBINS (SPEECH_NFFT / 2 + 1)
#define SPEECH_NMELS 128
#define SPEECH_FLOOR 1e-10
#define SPEECH_DELTA_N 2      /* delta regression half-width */
#define SPEECH_STACK_FIRST -2 /* d = 768: frames t-2 .. t+3 */
#define SPEECH_STACK_COUNT 6

/* Frames in n samples at 16 kHz: floor((n - 400) / 320) + 1, or 0 if n < 400. */
size_t speech_frame_count(size_t n);

/*
 * Log-mel features of n mono samples at 16 kHz, d = 128, 256 or 768.
 * *out gets a malloc'd frames x d row-major table (NULL when no frame fits);
 * returns 0, or -1 after an error for an unknown d.
 */
int speech_logmel(const float *pcm16k, size_t n, int d, float **out, size_t *frames);

/* The two steps of speech_logmel, for a caller that wants several d from
 * one clip: speech_bands gives frames x SPEECH_NMELS log-mel energies of
 * pcm (which holds at least the samples those frames cover; frames >= 1),
 * speech_assemble the d-wide rows built from them (NULL for an unknown d).
 * Both malloc'd; the caller frees. */
float *speech_bands(const float *pcm, size_t frames);
float *speech_assemble(const float *bands, size_t frames, int d);

/* The mel filterbank, SPEECH_NMELS rows of SPEECH_NBINS weights, into w. */
void speech_melbank(float *w);

#endif
