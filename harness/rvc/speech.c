/*
 * speech.c - log-mel features of real speech, laid out as RVC lays out its
 * HuBERT features, to stand in for them in the index sweeps.
 *
 * The front end is small and self-contained (periodic Hann window, an
 * iterative radix-2 FFT of our own, a Slaney mel filterbank) so that it has
 * no state shared between threads: speech_build() runs it on many clips at
 * once under OpenMP, and every clip's output depends on that clip alone, so
 * the files are the same whatever the thread count. Audio comes in through
 * libsndfile (Ogg Vorbis) and libsamplerate. Clips fail one at a time with a
 * reason naming the file; the build reports the first failing clip in path
 * order and leaves no half-built set behind (it builds in a temp folder and
 * renames it at the end).
 */
#include "rvc/speech.h"
#include "lib/util.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SOUND_DIR "usr/share/games/fillets-ng/sound"
#define NPY_GROWTH_DIGITS 21 /* numpy's GROWTH_AXIS_MAX_DIGITS */

/* ----------------------------------------------------------- front end */

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

/* frames x SPEECH_NMELS log-mel energies (malloc'd). */
static float *logmel_bands(const float *pcm, size_t frames)
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

/* Turn the bands into d-wide rows (see speech.h); NULL for an unknown d. */
static float *assemble(const float *bands, size_t frames, int d)
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
        return error("speech features: d must be 128, 256 or 768, not %d", d);
    *frames = speech_frame_count(n);
    if (!*frames)
        return 0;
    bands = logmel_bands(pcm16k, *frames);
    *out = assemble(bands, *frames, d);
    free(bands);
    return 0;
}

/* ------------------------------------------------------------- audio in */

/* The decoders return NULL or a malloc'd reason naming the file, so clips
 * decoded in parallel can report without printing over each other. */
static char *decode(const char *path, float **pcm, size_t *n, int *rate)
{
    SF_INFO in = { 0 };
    SNDFILE *f = sf_open(path, SFM_READ, &in);
    float *buf = NULL, *out = NULL;
    size_t len = 0, cap = 0;
    char *why = NULL;
    sf_count_t got;
    enum { CHUNK = 4096 };

    *pcm = NULL;
    *n = 0;
    if (!f)
        return xasprintf("%s: cannot open audio: %s", path, sf_strerror(NULL));
    if (in.channels < 1 || in.samplerate < 1) {
        why = xasprintf("%s: %d channels at %d Hz", path, in.channels, in.samplerate);
        goto done;
    }
    buf = xmalloc((size_t)in.channels * CHUNK * sizeof(float));
    while ((got = sf_readf_float(f, buf, CHUNK)) > 0) {
        if (len + (size_t)got > cap) {
            cap = cap ? cap * 2 : (in.frames > 0 ? (size_t)in.frames : CHUNK);
            while (cap < len + (size_t)got)
                cap *= 2;
            out = xrealloc(out, cap * sizeof(float));
        }
        /* Mix to mono by averaging the channels. */
        for (sf_count_t i = 0; i < got; i++) {
            double s = 0;
            for (int c = 0; c < in.channels; c++)
                s += buf[i * in.channels + c];
            out[len++] = (float)(s / in.channels);
        }
    }
    if (sf_error(f)) {
        why = xasprintf("%s: cannot decode audio: %s", path, sf_strerror(f));
        goto done;
    }
    for (size_t i = 0; i < len; i++) {
        if (!isfinite(out[i])) {
            why = xasprintf("%s: non-finite sample at %zu", path, i);
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

static char *resample(const char *what, const float *in, size_t n, int rate_in, float **out,
                      size_t *n_out)
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
        return xasprintf("%s: bad sample rate %d", what, rate_in);
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
        return xasprintf("%s: resampling %d Hz to %d Hz: %s", what, rate_in, SPEECH_RATE,
                         src_strerror(err));
    }
    *n_out = (size_t)d.output_frames_gen;
    return NULL;
}

int speech_decode(const char *path, float **pcm, size_t *n, int *rate)
{
    char *why = decode(path, pcm, n, rate);
    if (!why)
        return 0;
    error("%s", why);
    free(why);
    return -1;
}

int speech_resample(const float *in, size_t n, int rate_in, float **out, size_t *n_out)
{
    char *why = resample("audio", in, n, rate_in, out, n_out);
    if (!why)
        return 0;
    error("%s", why);
    free(why);
    return -1;
}

/* ------------------------------------------------------------ npy out */

static char *write_npy(const char *path, const float *x, size_t rows, size_t cols)
{
    char dict[256], hdr[512];
    int len, digits, pad;
    size_t hlen, count = rows * cols;
    FILE *f;
    int ok;

    /* numpy 1.24: dict repr, spare spaces so the row count can grow in place,
     * then spaces and '\n' to align the data to 64 bytes (a whole extra 64
     * when it is already aligned, exactly as _wrap_header does). */
    len = snprintf(dict, sizeof(dict),
                   "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }", rows, cols);
    digits = snprintf(NULL, 0, "%zu", rows);
    pad = NPY_GROWTH_DIGITS > digits ? NPY_GROWTH_DIGITS - digits : 0;
    hlen = (size_t)len + (size_t)pad + 1;
    hlen += 64 - (6 + 2 + 2 + hlen) % 64;
    memcpy(hdr, "\x93NUMPY\x01\x00", 8);
    hdr[8] = (char)(hlen & 0xff);
    hdr[9] = (char)(hlen >> 8);
    memcpy(hdr + 10, dict, (size_t)len);
    memset(hdr + 10 + len, ' ', hlen - (size_t)len - 1);
    hdr[10 + hlen - 1] = '\n';

    f = fopen(path, "wb");
    if (!f)
        return xasprintf("%s: cannot create: %s", path, strerror(errno));
    ok = fwrite(hdr, 1, 10 + hlen, f) == 10 + hlen;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (size_t i = 0; ok && i < count; i++) {
        uint32_t u;
        memcpy(&u, x + i, 4);
        u = __builtin_bswap32(u);
        ok = fwrite(&u, 4, 1, f) == 1;
    }
#else
    ok = ok && fwrite(x, sizeof(float), count, f) == count;
#endif
    if (fclose(f) != 0)
        ok = 0;
    if (!ok)
        return xasprintf("%s: cannot write: %s", path, strerror(errno));
    return NULL;
}

int speech_write_npy(const char *path, const float *x, size_t rows, size_t cols)
{
    char *why = write_npy(path, x, rows, cols);
    if (!why)
        return 0;
    error("%s", why);
    free(why);
    return -1;
}

/* ---------------------------------------------------------- the build */

struct clip {
    char *path;     /* the .ogg */
    char *name;     /* <level>-<base name>, the .npy name without extension */
    size_t samples; /* at 16 kHz */
    size_t frames;  /* 0: shorter than one window, skipped */
    char *why;      /* NULL, or why this clip failed */
};

struct speaker {
    char letter;     /* as in *-m-*.ogg */
    const char *dir; /* folder under the set */
    const char *role;
    struct clip *clips;
    size_t n, cap;
    size_t frames, skipped;
    double seconds;
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Speaker letter of a dialogue file name "<who>-<letter>-<line>.ogg", or 0. */
static char speaker_of(const char *base)
{
    const char *dash = strchr(base, '-');
    return dash && dash[1] && dash[2] == '-' ? dash[1] : 0;
}

/* "city/cs/vit-m-hlava.ogg" -> "city-vit-m-hlava": the language folder goes,
 * the other folders join the base name with '-'. */
static char *clip_name(const char *rel, const char *lang)
{
    char *name = xmalloc(strlen(rel) + 1), *o = name;
    const char *p = rel;

    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p) - strlen(".ogg");
        if (!slash || strlen(lang) != len || strncmp(p, lang, len)) {
            if (o != name)
                *o++ = '-';
            memcpy(o, p, len);
            o += len;
        }
        if (!slash)
            break;
        p = slash + 1;
    }
    *o = '\0';
    return name;
}

static void add_clip(struct speaker *sp, const char *path, const char *rel, const char *lang)
{
    if (sp->n == sp->cap) {
        sp->cap = sp->cap ? sp->cap * 2 : 256;
        sp->clips = xrealloc(sp->clips, sp->cap * sizeof(*sp->clips));
    }
    memset(&sp->clips[sp->n], 0, sizeof(sp->clips[0]));
    sp->clips[sp->n].path = xstrdup(path);
    sp->clips[sp->n].name = clip_name(rel, lang);
    sp->n++;
}

/* Collect <root>/.../<lang>/<who>-<letter>-*.ogg for both speakers. */
static int find_clips(const char *root, size_t root_len, const char *dir, const char *lang,
                      struct speaker *sp, int nsp)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    const char *parent = strrchr(dir, '/');
    int ret = 0;

    if (!d)
        return error("%s: cannot open folder: %s", dir, strerror(errno));
    parent = parent ? parent + 1 : dir;
    while (!ret && (e = readdir(d))) {
        struct stat st;
        char *path;
        if (e->d_name[0] == '.')
            continue;
        path = xasprintf("%s/%s", dir, e->d_name);
        if (lstat(path, &st)) {
            ret = error("%s: %s", path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            ret = find_clips(root, root_len, path, lang, sp, nsp);
        } else if (S_ISREG(st.st_mode) && has_suffix(e->d_name, ".ogg") &&
                   !strcmp(parent, lang)) {
            char who = speaker_of(e->d_name);
            for (int s = 0; s < nsp; s++)
                if (who == sp[s].letter)
                    add_clip(&sp[s], path, path + root_len + 1, lang);
        }
        free(path);
    }
    closedir(d);
    return ret;
}

static int cmp_clip_path(const void *a, const void *b)
{
    return strcmp(((const struct clip *)a)->path, ((const struct clip *)b)->path);
}

static int cmp_clip_name(const void *a, const void *b)
{
    return strcmp((*(const struct clip *const *)a)->name, (*(const struct clip *const *)b)->name);
}

/* Sort by path; names must be unique, or two clips would share a file. */
static int sort_clips(struct speaker *sp)
{
    struct clip **byname = xmalloc((sp->n ? sp->n : 1) * sizeof(*byname));
    int ret = 0;

    qsort(sp->clips, sp->n, sizeof(*sp->clips), cmp_clip_path);
    for (size_t i = 0; i < sp->n; i++)
        byname[i] = &sp->clips[i];
    qsort(byname, sp->n, sizeof(*byname), cmp_clip_name);
    for (size_t i = 1; i < sp->n && !ret; i++)
        if (!strcmp(byname[i - 1]->name, byname[i]->name))
            ret = error("%s: clip name %s already taken by %s", byname[i]->path,
                        byname[i]->name, byname[i - 1]->path);
    free(byname);
    return ret;
}

static char *write_features(const char *dir, const char *name, const float *bands,
                            size_t frames, int d)
{
    float *x = assemble(bands, frames, d);
    char *path = xasprintf("%s/3_feature%d/%s.npy", dir, d, name);
    char *why = NULL;

    for (size_t i = 0; i < frames * (size_t)d && !why; i++)
        if (!isfinite(x[i]))
            why = xasprintf("%s: non-finite feature in row %zu", path, i / (size_t)d);
    if (!why)
        why = write_npy(path, x, frames, (size_t)d);
    free(path);
    free(x);
    return why;
}

/* Decode, resample, featurise and write one clip; NULL or why not. */
static char *process_clip(struct clip *c, const char *dir)
{
    float *pcm = NULL, *pcm16 = NULL, *bands = NULL;
    size_t n = 0;
    int rate = 0;
    char *why = decode(c->path, &pcm, &n, &rate);

    if (!why)
        why = resample(c->path, pcm, n, rate, &pcm16, &c->samples);
    if (!why) {
        c->frames = speech_frame_count(c->samples);
        if (c->frames) {
            bands = logmel_bands(pcm16, c->frames);
            why = write_features(dir, c->name, bands, c->frames, 256);
            if (!why)
                why = write_features(dir, c->name, bands, c->frames, 768);
        }
    }
    free(pcm);
    free(pcm16);
    free(bands);
    return why;
}

static int build_speaker(const char *set, const char *tmp, struct speaker *sp)
{
    char *dir = xasprintf("%s/%s", tmp, sp->dir);
    char *d256 = xasprintf("%s/3_feature256", dir), *d768 = xasprintf("%s/3_feature768", dir);
    int done = 0;
    int failed = 0, ret = 0;

    if (make_dirs(d256) || make_dirs(d768)) {
        ret = -1;
        goto out;
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (long i = 0; i < (long)sp->n; i++) {
        int stop, k;
#pragma omp atomic read
        stop = failed;
        if (stop)
            continue;
        sp->clips[i].why = process_clip(&sp->clips[i], dir);
        if (sp->clips[i].why) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp atomic capture
        k = ++done;
        if (k % 100 == 0)
            info("%s: %s: %d/%zu clips", set, sp->dir, k, sp->n);
    }
    /* Report the first failure in path order, so the message is stable. */
    for (size_t i = 0; i < sp->n; i++) {
        struct clip *c = &sp->clips[i];
        if (c->why && !ret)
            ret = error("%s", c->why);
        if (c->frames) {
            sp->frames += c->frames;
            sp->seconds += (double)c->samples / SPEECH_RATE;
        } else if (!c->why) {
            sp->skipped++;
        }
    }
    if (!ret)
        info("%s: %s: %zu clips, %zu frames, %.1f min", set, sp->dir, sp->n - sp->skipped,
             sp->frames, sp->seconds / 60);
out:
    free(d256);
    free(d768);
    free(dir);
    return ret;
}

/* Run the fetch script (fetch-speech.sh) LANG DEST, its output on our stderr. */
static int fetch(const char *script, const char *lang, const char *dest)
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return error("cannot fork for %s: %s", script, strerror(errno));
    if (pid == 0) {
        dup2(2, 1);
        execlp("bash", "bash", script, lang, dest, (char *)NULL);
        fprintf(stderr, "faiss-sweep: cannot run bash %s: %s\n", script, strerror(errno));
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0)
        return error("%s: waitpid: %s", script, strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        return error("%s %s %s failed (status %d)", script, lang, dest,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}

/* "Key: value" from the package.txt the fetch script writes; "unknown" if absent. */
static char *field(const char *text, const char *key)
{
    size_t k = strlen(key);
    const char *p = text;

    while (p && *p) {
        if (!strncmp(p, key, k) && p[k] == ':') {
            const char *v = p + k + 1;
            while (*v == ' ')
                v++;
            return xasprintf("%.*s", (int)strcspn(v, "\n"), v);
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return xstrdup("unknown");
}

/* The command line of this process, for the README. */
static char *process_command_line(void)
{
    size_t len = 0;
    char *s = read_file("/proc/self/cmdline", &len);
    if (!s)
        return xstrdup("unknown");
    for (size_t i = 0; i + 1 < len; i++)
        if (!s[i])
            s[i] = ' ';
    return s;
}

struct setinfo {
    const char *name, *lang, *out_root;
    char *package, *version, *sha256, *filename;
    char created[64];
    double wall;
};

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int ok;
    if (!f)
        return error("%s: cannot create: %s", path, strerror(errno));
    ok = fputs(text, f) >= 0;
    if (fclose(f) || !ok)
        return error("%s: cannot write: %s", path, strerror(errno));
    return 0;
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

static char *readme_text(const struct setinfo *si, const struct speaker *sp, int nsp)
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
        "(harness/speech.c of faiss-sweep; scripts/fetch-speech.sh %s fetches the package).\n",
        si->name, si->package, si->version, si->filename, si->sha256, si->lang, si->lang,
        si->lang, per, *skipped ? skipped : "  none\n", recipe, si->created, si->wall,
        si->name, si->out_root, cmd, si->lang);
    free(cmd);
    free(per);
    free(skipped);
    return s;
}

static char *meta_text(const struct setinfo *si, const struct speaker *sp, int nsp)
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

static const char *lang_of(const char *name)
{
    static const char *const known[] = { "cs", "nl" };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (!strncmp(name, "speech-", 7) && !strcmp(name + 7, known[i]))
            return known[i];
    return NULL;
}

int speech_build(const char *name, const char *out_root, const char *fetch_script)
{
    struct speaker sp[2] = {
        { .letter = 'm', .dir = "target-m", .role = "target" },
        { .letter = 'v', .dir = "source-v", .role = "source" },
    };
    struct setinfo si = { .name = name, .out_root = out_root };
    const char *lang = lang_of(name);
    char *final = NULL, *stamp = NULL, *pkgdir = NULL, *sounds = NULL, *tmp = NULL;
    char *pkgtext = NULL, *text = NULL, *path = NULL;
    double t0 = now_s();
    struct stat st;
    int ret = -1;

    if (!lang)
        return error("unknown speech data set '%s' (known: speech-cs, speech-nl)", name);
    final = xasprintf("%s/%s", out_root, name);
    stamp = xasprintf("%s/.complete", final);
    if (!stat(stamp, &st)) {
        info("%s: already built in %s", name, final);
        ret = 0;
        goto out;
    }
    pkgdir = xasprintf("%s/pkg-%s", out_root, lang);
    if (make_dirs(out_root) || fetch(fetch_script, lang, pkgdir))
        goto out;
    path = xasprintf("%s/package.txt", pkgdir);
    if (!(pkgtext = read_file(path, NULL)))
        goto out;
    si.lang = lang;
    si.package = field(pkgtext, "Package");
    si.version = field(pkgtext, "Version");
    si.sha256 = field(pkgtext, "SHA256");
    si.filename = field(pkgtext, "Filename");

    sounds = xasprintf("%s/" SOUND_DIR, pkgdir);
    if (find_clips(sounds, strlen(sounds), sounds, lang, sp, 2))
        goto out;
    for (int i = 0; i < 2; i++) {
        if (!sp[i].n) {
            error("%s: no %s/*-%c-*.ogg clips", sounds, lang, sp[i].letter);
            goto out;
        }
        if (sort_clips(&sp[i]))
            goto out;
    }
    info("%s: %s %s: %zu %s clips, %zu %s clips", name, si.package, si.version, sp[0].n,
         sp[0].dir, sp[1].n, sp[1].dir);

    tmp = xasprintf("%s/.%s.tmp-XXXXXX", out_root, name);
    if (!mkdtemp(tmp)) {
        error("%s: cannot create folder: %s", tmp, strerror(errno));
        free(tmp);
        tmp = NULL;
        goto out;
    }
    chmod(tmp, 0755); /* mkdtemp's 0700 would hide the finished set from others */
    for (int i = 0; i < 2; i++)
        if (build_speaker(name, tmp, &sp[i]))
            goto out;

    {
        time_t now = time(NULL);
        struct tm tm;
        strftime(si.created, sizeof(si.created), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    }
    si.wall = now_s() - t0;
    free(path);
    path = xasprintf("%s/README.txt", tmp);
    text = readme_text(&si, sp, 2);
    if (write_text(path, text))
        goto out;
    free(path);
    free(text);
    path = xasprintf("%s/meta.txt", tmp);
    text = meta_text(&si, sp, 2);
    if (write_text(path, text))
        goto out;
    free(path);
    free(text);
    text = xasprintf("%s\n", si.created);
    path = xasprintf("%s/.complete", tmp);
    if (write_text(path, text))
        goto out;

    /* A leftover without .complete is a half-built set: replace it. */
    rm_tree(final);
    if (rename(tmp, final)) {
        error("%s: cannot rename to %s: %s", tmp, final, strerror(errno));
        goto out;
    }
    free(tmp);
    tmp = NULL;
    info("%s: built in %.1f s: %s", name, now_s() - t0, final);
    ret = 0;
out:
    if (tmp)
        rm_tree(tmp);
    for (int i = 0; i < 2; i++) {
        for (size_t c = 0; c < sp[i].n; c++) {
            free(sp[i].clips[c].path);
            free(sp[i].clips[c].name);
            free(sp[i].clips[c].why);
        }
        free(sp[i].clips);
    }
    free(si.package);
    free(si.version);
    free(si.sha256);
    free(si.filename);
    free(final);
    free(stamp);
    free(pkgdir);
    free(sounds);
    free(tmp);
    free(pkgtext);
    free(text);
    free(path);
    return ret;
}
