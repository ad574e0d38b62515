/*
 * util.h - small helpers shared by every module: error reporting in one
 * style, checked allocation, a monotonic clock, process memory and hashing.
 */
#ifndef FS_UTIL_H
#define FS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Lists of values, as config axes hold them (v malloc'd, n entries). */
struct long_list { long *v; size_t n; };
struct double_list { double *v; size_t n; };

/* Print "faiss-sweep: <msg>" on stderr; returns -1 so callers can
 * "return error(...)". Messages are lower-case, no full stop. */
/* printf-style checking of a function's format string (argument f) and
 * its arguments (from a). */
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* error() with ": <strerror(errno)>" appended (errno as on entry), for
 * failed system calls: return error_errno("cannot open '%s'", path); */
int error_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, prefixed "warning: "; returns nothing. */
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Informational line on stderr unless quiet mode is set. */
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern int util_quiet;

/* Allocation that never returns NULL (aborts with a message instead). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* malloc'd printf; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Monotonic time in seconds (CLOCK_MONOTONIC). */
double now_s(void);

/* Resident set size of this process in bytes (from /proc/self/statm), 0 if unknown. */
int64_t rss_bytes(void);

/* Peak RSS (VmHWM): reset it to the current RSS (Linux /proc/self/clear_refs),
 * and read it in bytes (0 if unknown). */
void peak_rss_reset(void);
int64_t peak_rss_bytes(void);

/* 64-bit FNV-1a over a buffer, chainable: pass the previous hash as seed
 * (start with HASH_SEED). Used for dataset content hashes and cache keys. */
#define HASH_SEED UINT64_C(14695981039346656037)
uint64_t hash_bytes(uint64_t seed, const void *buf, size_t n);

/*
 * Files that are read must be regular files: a FIFO blocks forever, a
 * device such as /dev/zero never ends, a folder is no data. Every reader
 * opens what it reads through these (results files too).
 *
 * open_regular opens path read-only without blocking on a FIFO
 * (O_NONBLOCK, cleared again once fstat has seen a regular file) and
 * returns the descriptor (caller closes), or -1 after one error line:
 * "cannot open 'P': <strerror>", "cannot read 'P': Is a directory", or
 * "not a regular file 'P' (a FIFO)" (or a character device, ...).
 * fopen_regular is the same as a stdio stream opened "rb" (caller
 * fcloses). check_regular only checks (stat, symlinks followed), for a
 * library that opens the file by name itself (HDF5): 0 or -1 as above.
 */
int open_regular(const char *path);
FILE *fopen_regular(const char *path);
int check_regular(const char *path);

/* Read a whole regular file into a NUL-terminated malloc'd buffer; *len gets
 * the size (may be NULL). Returns NULL and prints an error naming the file
 * on failure (including open_regular's refusals). read_file has no limit
 * but the file's own size; read_file_max refuses a file of more than max
 * bytes: "file too large: 'P' is over <max>, the limit for <what>". */
char *read_file(const char *path, size_t *len);
char *read_file_max(const char *path, size_t *len, size_t max, const char *what);

/* Copy len bytes of s (stopping at a NUL) for a one-line message: control
 * characters (ESC, BEL, CR, ...) become ' ', and text past size - 4 bytes
 * is cut and ends in "...". Returns buf (size >= 8). */
char *clean_copy(char *buf, size_t size, const char *s, size_t len);

/* mkdir -p: create a folder and its parents. Returns 0 or -1 after an error
 * naming the folder. */
int make_dirs(const char *path);

/* Does s end with suffix? Case-insensitive (".NPY" is a .npy file). */
int has_suffix(const char *s, const char *suffix);

/* argv as a shell would need it typed, words with characters a shell treats
 * specially single-quoted; for provenance. Caller frees. */
char *command_line(int argc, char *const *argv);

/* Levenshtein distance, for "did you mean". */
int edit_distance(const char *a, const char *b);

#endif
