/*
 * gnuplot.c - data files for the templates under plots/ and running
 * gnuplot on them (see gnuplot.h for the data file's form).
 */
#include "out/gnuplot.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void gnuplot_put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        fputc(*s == '"' ? '\'' : *s, f);
    fputc('"', f);
}

char *gnuplot_quote(const char *s)
{
    char *out = xmalloc(2 * strlen(s) + 3), *o = out;
    *o++ = '\'';
    for (; *s; s++) {
        if (*s == '\'')
            *o++ = '\'';
        *o++ = *s;
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

FILE *gnuplot_data_open(const char *path)
{
    char *partial = xasprintf("%s.partial", path);
    FILE *f = fopen(partial, "w");
    if (!f)
        error_errno("cannot create '%s'", partial);
    free(partial);
    return f;
}

void gnuplot_block(FILE *f, size_t i, const char *title)
{
    if (i)
        fputs("\n\n", f);
    gnuplot_put_quoted(f, title);
    fputc('\n', f);
}

int gnuplot_data_close(FILE *f, const char *path)
{
    char *partial = xasprintf("%s.partial", path);
    int bad = fflush(f) != 0 || ferror(f), rc = 0;
    if (fclose(f) != 0 || bad)
        rc = error_errno("cannot write '%s'", partial);
    else if (rename(partial, path) < 0)
        rc = error_errno("cannot rename '%s' to '%s'", partial, path);
    if (rc < 0)
        unlink(partial);
    free(partial);
    return rc;
}

int gnuplot_check_template(const char *template)
{
    if (access(template, R_OK) < 0)
        return error_errno("cannot read template '%s'", template);
    return 0;
}

int gnuplot_run(const char *template, const char *vars)
{
    char *argv[] = { "gnuplot", "-e", (char *)vars, (char *)template, NULL };
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status, rc;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc == ENOENT)
        return error("gnuplot not found on PATH; install it (Debian: gnuplot-nox) to draw plots");
    if (rc) {
        errno = rc;     /* posix_spawnp returns the error instead of setting errno */
        return error_errno("cannot run gnuplot for '%s'", template);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return error_errno("cannot wait for gnuplot on '%s'", template);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return error("gnuplot failed on template '%s' (%s %d)", template,
                     WIFEXITED(status) ? "exit" : "signal",
                     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return 0;
}

/* Does the file at path look complete: non-empty, and a PNG ending in
 * its IEND chunk, an SVG ending in </svg> (gnuplot exits 0 even when a
 * write failed on a full disk, leaving a cut file)? */
static int complete(const char *path)
{
    static const unsigned char iend[8] = { 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
    unsigned char tail[64];
    struct stat st;
    size_t n;
    FILE *f;
    int ok;

    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || !(f = fopen(path, "rb")))
        return 0;
    n = st.st_size < (off_t)sizeof(tail) ? (size_t)st.st_size : sizeof(tail);
    ok = fseeko(f, st.st_size - (off_t)n, SEEK_SET) == 0 && fread(tail, 1, n, f) == n;
    fclose(f);
    if (ok && has_suffix(path, ".png"))
        ok = n >= sizeof(iend) && !memcmp(tail + n - sizeof(iend), iend, sizeof(iend));
    else if (ok && has_suffix(path, ".svg"))
        ok = memmem(tail, n, "</svg>", 6) != NULL;
    return ok;
}

int gnuplot_draw(const char *template, const char *vars, const char *outbase,
                 const char *const *exts, size_t n)
{
    char *tmpbase = xasprintf("%s.partial-%ld", outbase, (long)getpid());
    char *qtmp = gnuplot_quote(tmpbase);
    char *all = xasprintf("%s; outbase=%s", vars, qtmp);
    char **tmps = xcalloc(n ? n : 1, sizeof(*tmps));
    char *list = xstrdup("");
    int rc = -1;

    for (size_t i = 0; i < n; i++)
        tmps[i] = xasprintf("%s%s", tmpbase, exts[i]);
    if (gnuplot_run(template, all) < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (!complete(tmps[i])) {
            /* "did not write 'a.png'" or "did not write 'a.png' and 'a.svg'" */
            char *more = xasprintf("%s%s'%s%s'", list, *list ? " and " : "", outbase, exts[i]);
            free(list);
            list = more;
        }
    if (*list) {
        error("template '%s' did not write %s (or not whole: a full disk?)", template, list);
        goto out;
    }
    rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char *final = xasprintf("%s%s", outbase, exts[i]);
        if (rename(tmps[i], final) < 0)
            rc = error_errno("cannot rename '%s' to '%s'", tmps[i], final);
        free(final);
    }
out:
    for (size_t i = 0; i < n; i++) {
        unlink(tmps[i]);        /* gone already when renamed */
        free(tmps[i]);
    }
    free(tmps);
    free(list);
    free(all);
    free(qtmp);
    free(tmpbase);
    return rc;
}
