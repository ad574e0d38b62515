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
    FILE *f = fopen(path, "w");
    if (!f)
        error_errno("cannot create '%s'", path);
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
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return error_errno("cannot write '%s'", path);
    return 0;
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

static int nonempty(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

int gnuplot_draw(const char *template, const char *vars, const char *const *outputs, size_t n)
{
    int missing = 0;
    for (size_t i = 0; i < n; i++)
        unlink(outputs[i]);
    if (gnuplot_run(template, vars) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        missing |= !nonempty(outputs[i]);
    if (missing) {
        /* "did not write 'a.png'" or "did not write 'a.png' and 'a.svg'" */
        char *list = xstrdup("");
        for (size_t i = 0; i < n; i++) {
            char *more = xasprintf("%s%s'%s'", list, i ? " and " : "", outputs[i]);
            free(list);
            list = more;
        }
        error("template '%s' did not write %s", template, list);
        free(list);
        return -1;
    }
    return 0;
}
