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
 * The pieces: speech_dsp.h (the log-mel recipe), speech_audio.h (decoding
 * and resampling), speech_readme.h (README.txt and meta.txt); the .npy files
 * are written by io/npy.h's one writer. Both DSP and audio headers are
 * included here.
 */
#ifndef FS_SPEECH_H
#define FS_SPEECH_H

#include "rvc/speech_audio.h"
#include "rvc/speech_dsp.h"

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

#endif
