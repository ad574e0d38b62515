/*
 * paths.c - the program's own files found relative to its executable, and
 * the XDG cache folder for the data sets it builds (see paths.h).
 */
#include "lib/paths.h"
#include "lib/util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *paths_self_exe(void)
{
    size_t size = 256;

    for (;;) {
        char *buf = xmalloc(size);
        ssize_t n = readlink("/proc/self/exe", buf, size);
        if (n < 0) {
            free(buf);
            error_errno("cannot read '/proc/self/exe'");
            return NULL;
        }
        if ((size_t)n < size) {
            buf[n] = '\0';
            return buf;
        }
        free(buf);
        size *= 2;
    }
}

char *paths_share(const char *exe, const char *name, const char *what, const char *hint)
{
    const char *slash = strrchr(exe, '/');
    int dirlen = slash ? (int)(slash - exe) : 1;
    const char *dir = slash ? exe : ".";
    char *where[2] = {
        xasprintf("%.*s/../" PATHS_SHARE "/%s", dirlen, dir, name),
        xasprintf("%.*s/" PATHS_SHARE "/%s", dirlen, dir, name),
    };
    char *found = NULL;
    struct stat st;

    for (int i = 0; i < 2 && !found; i++)
        if (!stat(where[i], &st))
            found = realpath(where[i], NULL);
    if (!found) {
        if (hint)
            error("cannot find %s: neither '%s' nor '%s' exists (%s)", what, where[0],
                  where[1], hint);
        else
            error("cannot find %s: neither '%s' nor '%s' exists", what, where[0], where[1]);
    }
    free(where[0]);
    free(where[1]);
    return found;
}

char *paths_cache_home(const char *xdg_cache_home, const char *home)
{
    if (xdg_cache_home && xdg_cache_home[0] == '/')
        return xasprintf("%s/faiss-sweep", xdg_cache_home);
    if (home && *home)
        return xasprintf("%s/.cache/faiss-sweep", home);
    error("cannot choose a cache folder: neither XDG_CACHE_HOME nor HOME is set (pass -o DIR)");
    return NULL;
}
