/*
 * speech_readme.h - the record speech_build keeps of a set while it builds
 * it (clips, speakers, the package and the time), and the README.txt and
 * meta.txt texts written from that record.
 */
#ifndef FS_SPEECH_README_H
#define FS_SPEECH_README_H

#include <stddef.h>

struct speech_clip {
    char *path;     /* the .ogg, owned */
    char *name;     /* <level>-<base name>, the .npy name without extension; owned */
    size_t samples; /* at 16 kHz */
    size_t frames;  /* 0: shorter than one window, skipped */
    char *why;      /* NULL, or why this clip failed (owned) */
    int why_errno;  /* the errno behind why, 0 if none */
};

struct speech_speaker {
    char letter;     /* as in *-m-*.ogg */
    const char *dir; /* folder under the set (static string) */
    const char *role;
    struct speech_clip *clips;  /* n of them (cap allocated), owned */
    size_t n, cap;
    size_t frames, skipped;
    double seconds;
};

struct speech_setinfo {
    const char *name, *lang, *out_root;       /* borrowed from the caller */
    char *package, *version, *sha256, *filename; /* from package.txt, owned */
    char created[64];                         /* UTC, ISO 8601 */
    double wall;                              /* build time in seconds */
};

/* README.txt and meta.txt of a set whose nsp speakers are built (malloc'd;
 * the caller frees). The README names this process's command line. */
char *speech_readme_text(const struct speech_setinfo *si, const struct speech_speaker *sp,
                         int nsp);
char *speech_meta_text(const struct speech_setinfo *si, const struct speech_speaker *sp, int nsp);

#endif
