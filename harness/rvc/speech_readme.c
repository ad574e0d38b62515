/*
 * speech_readme.c - what a built speech set says about itself: README.txt
 * (what the features are and are not, where the audio came from, the
 * speakers, the skipped clips, the recipe and how the set was made) and
 * meta.txt (the same as key=value lines for scripts).
 */
#include "rvc/speech_readme.h"
#include "rvc/speech_dsp.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>

/* The command line of this process, quoted as lib's command_line quotes
 * words, for the README. Caller frees. */
static char *process_command_line(void)
{
    size_t len = 0, argc = 0;
    char *s = read_file("/proc/self/cmdline", &len), **argv, *line;

    if (!s)
        return xstrdup("unknown");
    for (size_t i = 0; i < len; i++)
        argc += !s[i];
    if (len && s[len - 1])
        argc++;            /* a last word without its NUL */
    argv = xcalloc(argc ? argc : 1, sizeof(*argv));
    for (size_t i = 0, k = 0; i < len && k < argc; i += strlen(s + i) + 1)
        argv[k++] = s + i;
    line = command_line((int)argc, argv);
    free(argv);
    free(s);
    return line;
}

static const char recipe[] =
    "Recipe (the same for every clip, speaker and d):\n"
    "  audio      decoded with libsndfile, channels averaged to mono, resampled to\n"
    "             16000 Hz with libsamplerate (SRC_SINC_MEDIUM_QUALITY)\n"
    "  frames     window 400 samples (25 ms), periodic Hann, hop 320 samples (20 ms,\n"
    "             50 frames per second, RVC's HuBERT rate); no padding, so a clip of\n"
    "             n samples gives floor((n - 400) / 320) + 1 frames; clips shorter\n"
    "             than 400 samples are skipped\n"
    "  spectrum   512-point FFT (own radix-2 code, window zero-padded to 512),\n"
    "             power |X|^2 of bins 0..256 (31.25 Hz apart)\n"
    "  mel        128 triangular bands, Slaney mel scale (linear below 1 kHz, log\n"
    "             above; librosa's default), 0-8000 Hz, area-normalised (\"slaney\");\n"
    "             the lowest bands' centres are 23.3 Hz apart and their triangles\n"
    "             46.7 Hz wide, wider than the bin spacing, so every band covers at\n"
    "             least one FFT bin (Whisper large-v3 takes 128 such bands from a\n"
    "             coarser 400-point FFT); low bands share bins, so neighbours are\n"
    "             correlated\n"
    "  log        natural log of max(energy, 1e-10); silence is -23.03 in every band\n"
    "  d = 256    (RVC v1 shape) the 128 log-mel bands of frame t, then their\n"
    "             regression deltas sum_k k (c[t+k] - c[t-k]) / 10, k = 1..2\n"
    "  d = 768    (RVC v2 shape) the 128 log-mel bands of the 6 frames t-2 .. t+3,\n"
    "             oldest first (120 ms of context, as HuBERT features carry context)\n"
    "  edges      neighbours before the first or after the last frame repeat it\n"
    "  no mean or variance normalisation; values are float32, all finite\n";

char *speech_readme_text(const struct speech_setinfo *si, const struct speech_speaker *sp,
                         int nsp)
{
    char *cmd = process_command_line(), *s, *per = xstrdup(""), *skipped = xstrdup("");

    for (int i = 0; i < nsp; i++) {
        char *t = xasprintf("%s  %s: %s (lines of speaker '%c', files *-%c-*.ogg): %zu clips, "
                            "%zu skipped, %zu frames, %.2f minutes of audio\n",
                            per, sp[i].dir, sp[i].role, sp[i].letter, sp[i].letter,
                            sp[i].n - sp[i].skipped, sp[i].skipped, sp[i].frames,
                            sp[i].seconds / 60);
        free(per);
        per = t;
        for (size_t c = 0; c < sp[i].n; c++) {
            if (sp[i].clips[c].frames)
                continue;
            t = xasprintf("%s  %s/%s (%zu samples)\n", skipped, sp[i].dir, sp[i].clips[c].name,
                          sp[i].clips[c].samples);
            free(skipped);
            skipped = t;
        }
    }
    s = xasprintf(
        "%s: log-mel features of real speech standing in for HuBERT features\n"
        "\n"
        "These are NOT HuBERT (or ContentVec) features. RVC's HuBERT weights cannot be\n"
        "had here, so this set is the closest honest stand-in: log-mel spectral features\n"
        "of real recorded, voice-acted speech at RVC's frame rate (50 per second), in\n"
        "RVC's file layout: <speaker>/3_feature256 (v1 shape) and 3_feature768 (v2\n"
        "shape), one float32 .npy (frames x d) per clip, read sorted by file name and\n"
        "concatenated. Their geometry is that of spectra (silence floor, correlated\n"
        "neighbouring bands and frames, speaker timbre), not of a learned embedding.\n"
        "\n"
        "Source: Debian package %s %s, the dialogue of the game Fish Fillets NG\n"
        "(Ogg Vorbis), fetched with apt-get download as %s\n"
        "(sha256 %s)\n"
        "and unpacked with dpkg -x, not installed. Clips are the files\n"
        "sound/<level>/%s/<who>-<speaker>-<line>.ogg (also under\n"
        "sound/share/<folder>/%s/); a clip's name is its folders without the language\n"
        "folder, then its base name, joined by '-' (city/%s/vit-m-hlava.ogg ->\n"
        "city-vit-m-hlava.npy).\n"
        "\n"
        "Speakers (target = the indexed set, RVC's training speaker; source = queries):\n"
        "%s"
        "Skipped clips (shorter than one 400-sample window):\n%s"
        "\n"
        "%s"
        "\n"
        "Created %s in %.1f s by speech_build(\"%s\", \"%s\") in: %s\n"
        "(harness/rvc/speech.c of faiss-sweep; scripts/fetch-speech.sh %s fetches the package).\n",
        si->name, si->package, si->version, si->filename, si->sha256, si->lang, si->lang,
        si->lang, per, *skipped ? skipped : "  none\n", recipe, si->created, si->wall,
        si->name, si->out_root, cmd, si->lang);
    free(cmd);
    free(per);
    free(skipped);
    return s;
}

char *speech_meta_text(const struct speech_setinfo *si, const struct speech_speaker *sp,
                       int nsp)
{
    char *s = xasprintf(
        "name=%s\nlang=%s\nfeatures=log-mel (not HuBERT)\npackage=%s\npackage_version=%s\n"
        "package_sha256=%s\nsample_rate=%d\nhop=%d\nwindow=%d\nwindow_type=hann-periodic\n"
        "nfft=%d\nn_mels=%d\nmel_scale=slaney\nmel_norm=slaney\nfmin=0\nfmax=%d\n"
        "log_floor=%g\nframes_per_second=%d\nd_list=256,768\n"
        "d256=%d log-mel bands + %d deltas (k=1..%d)\n"
        "d768=%d log-mel bands x %d frames (t%+d..t%+d)\n",
        si->name, si->lang, si->package, si->version, si->sha256, SPEECH_RATE, SPEECH_HOP,
        SPEECH_WIN, SPEECH_NFFT, SPEECH_NMELS, SPEECH_RATE / 2, SPEECH_FLOOR,
        SPEECH_RATE / SPEECH_HOP, SPEECH_NMELS, SPEECH_NMELS, SPEECH_DELTA_N, SPEECH_NMELS,
        SPEECH_STACK_COUNT, SPEECH_STACK_FIRST, SPEECH_STACK_FIRST + SPEECH_STACK_COUNT - 1);
    for (int i = 0; i < nsp; i++) {
        const char *r = sp[i].role;
        char *t = xasprintf("%sspeaker_%s=%c\ndir_%s=%s\nn_clips_%s=%zu\nn_skipped_%s=%zu\n"
                            "n_frames_%s=%zu\nseconds_%s=%.3f\n",
                            s, r, sp[i].letter, r, sp[i].dir, r, sp[i].n - sp[i].skipped, r,
                            sp[i].skipped, r, sp[i].frames, r, sp[i].seconds);
        free(s);
        s = t;
    }
    {
        char *t = xasprintf("%screated=%s\nbuild_seconds=%.1f\n", s, si->created, si->wall);
        free(s);
        s = t;
    }
    return s;
}
