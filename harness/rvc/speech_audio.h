/*
 * speech_audio.h - audio in for the speech stand-in: decoding with
 * libsndfile (mixed to mono) and resampling to 16 kHz with libsamplerate.
 *
 * Each step comes twice: the *_why form prints nothing and returns NULL or
 * a malloc'd reason naming the file (so clips decoded in parallel can be
 * reported later, one line, in a stable order); the plain form prints that
 * reason with error() and returns 0 or -1.
 */
#ifndef FS_SPEECH_AUDIO_H
#define FS_SPEECH_AUDIO_H

#include <stddef.h>

/* Decode an audio file, averaging channels to mono. *pcm is malloc'd
 * (n samples at *rate Hz); NULL and 0 on failure. */
char *speech_decode_why(const char *path, float **pcm, size_t *n, int *rate);
int speech_decode(const char *path, float **pcm, size_t *n, int *rate);

/* Resample mono audio from rate_in to 16 kHz (sinc medium quality). *out is
 * malloc'd (a copy when rate_in is already 16 kHz). what: the audio's file,
 * for the reason (NULL: none). */
char *speech_resample_why(const char *what, const float *in, size_t n, int rate_in,
                          float **out, size_t *n_out);
int speech_resample(const float *in, size_t n, int rate_in, float **out, size_t *n_out);

#endif
