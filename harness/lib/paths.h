/*
 * paths.h - where the program finds its own files and keeps the data sets it
 * builds, without naming the tree it was built from.
 *
 * The installed program is <prefix>/bin/faiss-sweep beside
 * <prefix>/share/faiss-sweep/ (gnuplot templates in plots/, the speech fetch
 * script, example configs); the build folder mirrors that as
 * <build>/faiss-sweep beside <build>/share/faiss-sweep/. Both are found
 * relative to the executable itself. Nothing here reads the environment: the
 * caller passes the values it read.
 */
#ifndef FS_PATHS_H
#define FS_PATHS_H

/* Folder under share/ that holds the program's files. */
#define PATHS_SHARE "share/faiss-sweep"

/* The running executable's absolute path, symlinks resolved (from
 * /proc/self/exe). malloc'd, caller frees; NULL after an error. */
char *paths_self_exe(void);

/*
 * The first of <dir of exe>/../share/faiss-sweep/<name> (installed) and
 * <dir of exe>/share/faiss-sweep/<name> (the build folder) that exists,
 * resolved to an absolute path without "..". malloc'd, caller frees. NULL
 * after one error line: "cannot find <what>: neither '...' nor '...' exists",
 * followed by " (<hint>)" when hint is not NULL.
 */
char *paths_share(const char *exe, const char *name, const char *what, const char *hint);

/*
 * The default root of the data sets `dataset build` makes:
 * <xdg_cache_home>/faiss-sweep when xdg_cache_home is an absolute path (the
 * XDG base directory rule: a relative or empty value is ignored), else
 * <home>/.cache/faiss-sweep. The arguments are the values of XDG_CACHE_HOME
 * and HOME (NULL when unset). malloc'd, caller frees; NULL after an error
 * when neither gives a folder.
 */
char *paths_cache_home(const char *xdg_cache_home, const char *home);

#endif
