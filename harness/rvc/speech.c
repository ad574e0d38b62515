/*
 * speech.c - build a speech data set: log-mel features of real speech, laid
 * out as RVC lays out its HuBERT features, to stand in for them in the index
 * sweeps (see speech.h).
 *
 * The build fetches the package (scripts/fetch-speech.sh), collects each
 * speaker's clips, featurises them on many threads at once (OpenMP; every
 * clip's files depend on that clip alone, so they are the same whatever the
 * thread count), and writes README.txt and meta.txt (speech_readme.c). Clips
 * fail one at a time with a reason naming the file; the build reports the
 * first failing clip in path order and leaves no half-built set behind (it
 * builds in a temp folder and renames it at the end).
 */
#include "rvc/speech.h"
#include "rvc/speech_audio.h"
#include "rvc/speech_dsp.h"
#include "rvc/speech_readme.h"
#include "io/npy.h"
#include "lib/util.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SOUND_DIR "usr/share/games/fillets-ng/sound"

/* ------------------------------------------------------------- clips */

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

static void add_clip(struct speech_speaker *sp, const char *path, const char *rel, const char *lang)
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
                      struct speech_speaker *sp, int nsp)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    const char *parent = strrchr(dir, '/');
    int ret = 0;

    if (!d)
        return error_errno("cannot open folder '%s'", dir);
    parent = parent ? parent + 1 : dir;
    while (!ret && (e = readdir(d))) {
        struct stat st;
        char *path;
        if (e->d_name[0] == '.')
            continue;
        path = xasprintf("%s/%s", dir, e->d_name);
        if (lstat(path, &st)) {
            ret = error_errno("cannot stat '%s'", path);
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
    return strcmp(((const struct speech_clip *)a)->path, ((const struct speech_clip *)b)->path);
}

static int cmp_clip_name(const void *a, const void *b)
{
    const struct speech_clip *x = *(const struct speech_clip *const *)a;
    const struct speech_clip *y = *(const struct speech_clip *const *)b;
    return strcmp(x->name, y->name);
}

/* Sort by path; names must be unique, or two clips would share a file. */
static int sort_clips(struct speech_speaker *sp)
{
    struct speech_clip **byname = xmalloc((sp->n ? sp->n : 1) * sizeof(*byname));
    int ret = 0;

    qsort(sp->clips, sp->n, sizeof(*sp->clips), cmp_clip_path);
    for (size_t i = 0; i < sp->n; i++)
        byname[i] = &sp->clips[i];
    qsort(byname, sp->n, sizeof(*byname), cmp_clip_name);
    for (size_t i = 1; i < sp->n && !ret; i++)
        if (!strcmp(byname[i - 1]->name, byname[i]->name))
            ret = error("clip name '%s' of '%s' already taken by '%s'", byname[i]->name,
                        byname[i]->path, byname[i - 1]->path);
    free(byname);
    return ret;
}


/* ---------------------------------------------------------- features */

/* Rows of width d from one clip's bands, written as <dir>/3_feature<d>/<name>.npy.
 * NULL, or why not (c->why_errno set when a system call failed). */
static char *write_features(struct speech_clip *c, const char *dir, const float *bands, int d)
{
    float *x = speech_assemble(bands, c->frames, d);
    char *path = xasprintf("%s/3_feature%d/%s.npy", dir, d, c->name);
    const char *failed = NULL;
    char *why = NULL;

    for (size_t i = 0; i < c->frames * (size_t)d && !why; i++)
        if (!isfinite(x[i]))
            why = xasprintf("non-finite feature in row %zu of '%s'", i / (size_t)d, path);
    if (!why && npy_write_f32_errno(path, x, c->frames, (size_t)d, &failed) < 0) {
        c->why_errno = errno;
        why = xasprintf("cannot %s '%s'", failed, path);
    }
    free(path);
    free(x);
    return why;
}

/* Decode, resample, featurise and write one clip; NULL or why not. */
static char *process_clip(struct speech_clip *c, const char *dir)
{
    float *pcm = NULL, *pcm16 = NULL, *bands = NULL;
    size_t n = 0;
    int rate = 0;
    char *why = speech_decode_why(c->path, &pcm, &n, &rate);

    if (!why)
        why = speech_resample_why(c->path, pcm, n, rate, &pcm16, &c->samples);
    if (!why) {
        c->frames = speech_frame_count(c->samples);
        if (c->frames) {
            bands = speech_bands(pcm16, c->frames);
            why = write_features(c, dir, bands, 256);
            if (!why)
                why = write_features(c, dir, bands, 768);
        }
    }
    free(pcm);
    free(pcm16);
    free(bands);
    return why;
}

/* Print a clip's reason as one error line: -1. */
static int report_clip(const struct speech_clip *c)
{
    if (c->why_errno) {
        errno = c->why_errno;
        return error_errno("%s", c->why);
    }
    return error("%s", c->why);
}

/* Every clip of sp, in parallel, until one fails. */
static void process_clips(const char *set, const char *dir, struct speech_speaker *sp)
{
    int done = 0, failed = 0;

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
}

static int build_speaker(const char *set, const char *tmp, struct speech_speaker *sp)
{
    char *dir = xasprintf("%s/%s", tmp, sp->dir);
    char *d256 = xasprintf("%s/3_feature256", dir), *d768 = xasprintf("%s/3_feature768", dir);
    int ret = 0;

    if (make_dirs(d256) || make_dirs(d768)) {
        ret = -1;
        goto out;
    }
    process_clips(set, dir, sp);
    /* Report the first failure in path order, so the message is stable. */
    for (size_t i = 0; i < sp->n; i++) {
        struct speech_clip *c = &sp->clips[i];
        if (c->why && !ret)
            ret = report_clip(c);
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

/* ------------------------------------------------------------ package */

/* Run the fetch script (fetch-speech.sh) LANG DEST, its output on our stderr. */
static int fetch(const char *script, const char *lang, const char *dest)
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return error_errno("cannot fork for '%s'", script);
    if (pid == 0) {
        dup2(2, 1);
        execlp("bash", "bash", script, lang, dest, (char *)NULL);
        error_errno("cannot run 'bash %s'", script);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) < 0)
        return error_errno("cannot wait for '%s'", script);
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        return error("fetch failed: '%s %s %s' exited with status %d", script, lang, dest,
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

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int ok;
    if (!f)
        return error_errno("cannot create '%s'", path);
    ok = fputs(text, f) >= 0;
    if (fclose(f) || !ok)
        return error_errno("cannot write '%s'", path);
    return 0;
}

/* ---------------------------------------------------------- the build */

static const char *lang_of(const char *name)
{
    static const char *const known[] = { "cs", "nl" };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (!strncmp(name, "speech-", 7) && !strcmp(name + 7, known[i]))
            return known[i];
    return NULL;
}

/* One speech_build call: what it has made so far, released in one place. */
struct build {
    const char *name, *out_root, *lang;   /* borrowed from the caller */
    struct speech_speaker sp[2];
    struct speech_setinfo si;
    char *final;    /* <out_root>/<name> */
    char *pkgdir;   /* <out_root>/pkg-<lang> */
    char *sounds;   /* the package's sound folder */
    char *tmp;      /* the temp folder being built, removed unless renamed */
    double t0;
};

static void build_release(struct build *b)
{
    if (b->tmp)
        rm_tree(b->tmp);
    for (int i = 0; i < 2; i++) {
        for (size_t c = 0; c < b->sp[i].n; c++) {
            free(b->sp[i].clips[c].path);
            free(b->sp[i].clips[c].name);
            free(b->sp[i].clips[c].why);
        }
        free(b->sp[i].clips);
    }
    free(b->si.package);
    free(b->si.version);
    free(b->si.sha256);
    free(b->si.filename);
    free(b->final);
    free(b->pkgdir);
    free(b->sounds);
    free(b->tmp);
}

/* Fetch the package and read what package.txt says of it. */
static int build_fetch(struct build *b, const char *fetch_script)
{
    char *path, *text;

    b->pkgdir = xasprintf("%s/pkg-%s", b->out_root, b->lang);
    if (make_dirs(b->out_root) || fetch(fetch_script, b->lang, b->pkgdir))
        return -1;
    path = xasprintf("%s/package.txt", b->pkgdir);
    text = read_file(path, NULL);
    free(path);
    if (!text)
        return -1;
    b->si.package = field(text, "Package");
    b->si.version = field(text, "Version");
    b->si.sha256 = field(text, "SHA256");
    b->si.filename = field(text, "Filename");
    free(text);
    return 0;
}

/* Both speakers' clips, sorted, each speaker with at least one. */
static int build_collect(struct build *b)
{
    b->sounds = xasprintf("%s/" SOUND_DIR, b->pkgdir);
    if (find_clips(b->sounds, strlen(b->sounds), b->sounds, b->lang, b->sp, 2))
        return -1;
    for (int i = 0; i < 2; i++) {
        if (!b->sp[i].n)
            return error("no %s/*-%c-*.ogg clips in '%s'", b->lang, b->sp[i].letter,
                         b->sounds);
        if (sort_clips(&b->sp[i]))
            return -1;
    }
    info("%s: %s %s: %zu %s clips, %zu %s clips", b->name, b->si.package, b->si.version,
         b->sp[0].n, b->sp[0].dir, b->sp[1].n, b->sp[1].dir);
    return 0;
}

/* Every speaker's features, in a fresh temp folder beside the set. */
static int build_features(struct build *b)
{
    b->tmp = xasprintf("%s/.%s.tmp-XXXXXX", b->out_root, b->name);
    if (!mkdtemp(b->tmp)) {
        error_errno("cannot create folder '%s'", b->tmp);
        free(b->tmp);
        b->tmp = NULL;
        return -1;
    }
    chmod(b->tmp, 0755); /* mkdtemp's 0700 would hide the finished set from others */
    for (int i = 0; i < 2; i++)
        if (build_speaker(b->name, b->tmp, &b->sp[i]))
            return -1;
    return 0;
}

/* Write <tmp>/<file> from text (malloc'd; freed here). */
static int write_owned(const char *tmp, const char *file, char *text)
{
    char *path = xasprintf("%s/%s", tmp, file);
    int r = write_text(path, text);
    free(path);
    free(text);
    return r;
}

/* README.txt, meta.txt and the .complete stamp. */
static int build_texts(struct build *b)
{
    time_t now = time(NULL);
    struct tm tm;

    strftime(b->si.created, sizeof(b->si.created), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    b->si.wall = now_s() - b->t0;
    if (write_owned(b->tmp, "README.txt", speech_readme_text(&b->si, b->sp, 2)) ||
        write_owned(b->tmp, "meta.txt", speech_meta_text(&b->si, b->sp, 2)) ||
        write_owned(b->tmp, ".complete", xasprintf("%s\n", b->si.created)))
        return -1;
    return 0;
}

/* The temp folder becomes the set. A leftover without .complete is a
 * half-built set: it is replaced. */
static int build_finish(struct build *b)
{
    rm_tree(b->final);
    if (rename(b->tmp, b->final))
        return error_errno("cannot rename '%s' to '%s'", b->tmp, b->final);
    free(b->tmp);
    b->tmp = NULL;
    info("%s: built in %.1f s: %s", b->name, now_s() - b->t0, b->final);
    return 0;
}

int speech_build(const char *name, const char *out_root, const char *fetch_script)
{
    struct build b = {
        .name = name, .out_root = out_root, .lang = lang_of(name), .t0 = now_s(),
        .sp = { { .letter = 'm', .dir = "target-m", .role = "target" },
                { .letter = 'v', .dir = "source-v", .role = "source" } },
        .si = { .name = name, .out_root = out_root },
    };
    struct stat st;
    char *stamp;
    int ret = -1;

    if (!b.lang)
        return error("unknown speech data set '%s' (known: speech-cs, speech-nl)", name);
    b.si.lang = b.lang;
    b.final = xasprintf("%s/%s", out_root, name);
    stamp = xasprintf("%s/.complete", b.final);
    if (!stat(stamp, &st)) {
        info("%s: already built in %s", name, b.final);
        ret = 0;
    } else if (!build_fetch(&b, fetch_script) && !build_collect(&b) && !build_features(&b) &&
               !build_texts(&b) && !build_finish(&b)) {
        ret = 0;
    }
    free(stamp);
    build_release(&b);
    return ret;
}
