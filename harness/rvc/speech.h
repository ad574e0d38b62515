/*
 * speech.h - a real-speech stand-in for RVC's HuBERT feature sets.
 *
 * RVC indexes one 256-d (v1) or 768-d (v2) HuBERT vector per 20 ms frame of a
 * target speaker and queries it with a source speaker's frames. HuBERT weights
 * cannot be had here, so speech_build() makes the closest honest substitute:
 * log-mel features at the same 50 frames per second, from the voice-acted
 * dialogue in Debian's fillets-ng-data-{cs,nl} packages (one speaker as the
 * target, the other as the source), written in RVC's own file layout.
 * They are log-mel features, not HuBERT features; README.txt beside them says so.
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
#ifndef FS_SPEECH_H
#define FS_SPEECH_H

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

/*
 * Build the data set `name` ("speech-cs" or "speech-nl") under out_root:
 * fetch the package into <out_root>/pkg-<lang> (fetch_script: the path of
 * scripts/fetch-speech.sh, installed or in the source tree), then
 * write <out_root>/<name>/{target-m,source-v}/3_feature{256,768}/<clip>.npy,
 * README.txt and meta.txt. Returns 0 at once if <out_root>/<name>/.complete
 * exists; otherwise builds in a temp folder renamed at the end. Returns -1
 * after one error line naming the file at fault.
 */
int speech_build(const char *name, const char *out_root, const char *fetch_script);

/* Frames in n samples at 16 kHz: floor((n - 400) / 320) + 1, or 0 if n < 400. */
size_t speech_frame_count(size_t n);

/*
 * Log-mel features of n mono samples at 16 kHz, d = 128, 256 or 768.
 * *out gets a malloc'd frames x d row-major table (NULL when no frame fits);
 * returns 0, or -1 after an error for an unknown d.
 */
int speech_logmel(const float *pcm16k, size_t n, int d, float **out, size_t *frames);

/* The mel filterbank, SPEECH_NMELS rows of SPEECH_NBINS weights, into w. */
void speech_melbank(float *w);

/* Decode an audio file with libsndfile, averaging channels to mono.
 * *pcm is malloc'd (n samples at *rate Hz). 0, or -1 after an error naming path. */
int speech_decode(const char *path, float **pcm, size_t *n, int *rate);

/* Resample mono audio from rate_in to 16 kHz (libsamplerate, sinc medium
 * quality). *out is malloc'd (a copy when rate_in is already 16 kHz). */
int speech_resample(const float *in, size_t n, int rate_in, float **out, size_t *n_out);

/* Write rows x cols float32 as a NumPy .npy file (format 1.0, '<f4', C order),
 * byte for byte as numpy 1.24's np.save writes it. 0, or -1 after an error. */
int speech_write_npy(const char *path, const float *x, size_t rows, size_t cols);

#endif
