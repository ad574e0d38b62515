/*
 * util.c - error reporting, checked allocation, clock, RSS, hashing, file
 * reading: the few things every module needs, done one way.
 */
#include "lib/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

int util_quiet;

/* err > 0 appends ": strerror(err)". */
static void vreport(const char *prefix, int err, const char *fmt, va_list ap)
{
    fprintf(stderr, "faiss-sweep: %s", prefix);
    vfprintf(stderr, fmt, ap);
    if (err > 0)
        fprintf(stderr, ": %s", strerror(err));
    fputc('\n', stderr);
}

int error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("", 0, fmt, ap);
    va_end(ap);
    return -1;
}

int error_errno(const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vreport("", err, fmt, ap);
    va_end(ap);
    errno = err;
    return -1;
}

void warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning: ", 0, fmt, ap);
    va_end(ap);
}

void warning_errno(const char *fmt, ...)
{
    int err = errno;
    va_list ap;
    va_start(ap, fmt);
    vreport("warning: ", err, fmt, ap);
    va_end(ap);
    errno = err;
}

void info(const char *fmt, ...)
{
    va_list ap;
    if (util_quiet)
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void *check(void *p, size_t n)
{
    if (!p && n) {
        fprintf(stderr, "faiss-sweep: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

void *xmalloc(size_t n) { return check(malloc(n ? n : 1), n); }
void *xcalloc(size_t n, size_t size) { return check(calloc(n ? n : 1, size ? size : 1), n * size); }
void *xrealloc(void *p, size_t n) { return check(realloc(p, n ? n : 1), n); }
char *xstrdup(const char *s) { return check(strdup(s), strlen(s) + 1); }

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;
    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return check(n < 0 ? NULL : s, 1);
}

double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int64_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = 0;
    fclose(f);
    return (int64_t)resident * sysconf(_SC_PAGESIZE);
}

void peak_rss_reset(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

int64_t peak_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return (int64_t)kb * 1024;
}

uint64_t hash_bytes(uint64_t h, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* What a file that is not a regular file is, for messages. */
static const char *file_kind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a file";
}

/* 0 for a regular file; else -1 after the error open_regular describes. */
static int regular_or_error(const char *path, const struct stat *st)
{
    if (S_ISREG(st->st_mode))
        return 0;
    if (S_ISDIR(st->st_mode)) {
        errno = EISDIR;
        return error_errno("cannot read '%s'", path);
    }
    return error("not a regular file '%s' (%s)", path, file_kind(st->st_mode));
}

int open_regular(const char *path)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), flags;

    if (fd < 0)
        return error_errno("cannot open '%s'", path);
    if (fstat(fd, &st) < 0) {
        error_errno("cannot read '%s'", path);
        goto fail;
    }
    if (regular_or_error(path, &st) < 0)
        goto fail;
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        error_errno("cannot read '%s'", path);
        goto fail;
    }
    return fd;
fail:
    close(fd);
    return -1;
}

FILE *fopen_regular(const char *path)
{
    int fd = open_regular(path);
    FILE *f;

    if (fd < 0)
        return NULL;
    if (!(f = fdopen(fd, "rb"))) {
        error_errno("cannot open '%s'", path);
        close(fd);
    }
    return f;
}

int check_regular(const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0)
        return error_errno("cannot open '%s'", path);
    return regular_or_error(path, &st);
}

/* "16 MiB" for whole MiB, else bytes. */
static void format_size(char *buf, size_t size, size_t bytes)
{
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
        snprintf(buf, size, "%zu MiB", bytes >> 20);
    else
        snprintf(buf, size, "%zu bytes", bytes);
}

static int too_large(const char *path, size_t max, const char *what)
{
    char limit[64];
    format_size(limit, sizeof(limit), max);
    return error("file too large: '%s' is over %s, the limit for %s", path, limit, what);
}

char *read_file_max(const char *path, size_t *len, size_t max, const char *what)
{
    FILE *f = fopen_regular(path);
    struct stat st;
    char *buf = NULL;
    size_t cap = 0, used = 0;

    if (!f)
        return NULL;
    /* The size fstat gives is a first check only: the file may grow. */
    if (!fstat(fileno(f), &st) && (uint64_t)st.st_size > max) {
        too_large(path, max, what);
        goto fail;
    }
    for (;;) {
        if (used + 1 >= cap) {
            cap = cap ? cap * 2 : 65536;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + used, 1, cap - used - 1, f);
        used += got;
        if (used > max) {
            too_large(path, max, what);
            goto fail;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        error_errno("cannot read '%s'", path);
        goto fail;
    }
    fclose(f);
    buf[used] = '\0';
    if (len)
        *len = used;
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

char *read_file(const char *path, size_t *len)
{
    return read_file_max(path, len, SIZE_MAX - 1, "a file");
}

char *clean_copy(char *buf, size_t size, const char *s, size_t len)
{
    size_t i, max = size - 4;

    for (i = 0; i < len && s[i] && i < max; i++)
        buf[i] = iscntrl((unsigned char)s[i]) ? ' ' : s[i];
    if (i < len && s[i] && i == max) {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}

int make_dirs(const char *path)
{
    char *p;
    int rc = 0;
    if (!*path)
        return error("empty folder name");
    p = xstrdup(path);
    for (char *s = p + 1; ; s++) {
        char c = *s;
        if (c && c != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) < 0) {
            struct stat st;
            /* An existing folder is fine; a file in the way is not. */
            if (errno != EEXIST) {
                rc = error_errno("cannot create folder '%s'", p);
                break;
            }
            if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode)) {
                errno = ENOTDIR;
                rc = error_errno("cannot create folder '%s'", p);
                break;
            }
        }
        *s = c;
        if (!c)
            break;
    }
    free(p);
    return rc;
}

int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int *row = xmalloc((lb + 1) * sizeof(*row));
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (up + 1 < best)
                best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    int d = row[lb];
    free(row);
    return d;
}

int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

/* w single-quoted for a POSIX shell: ' itself becomes '\'' (close, escape, reopen). */
static char *shell_quote(const char *w)
{
    char *q = xmalloc(4 * strlen(w) + 3), *o = q;
    *o++ = '\'';
    for (; *w; w++) {
        if (*w == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *w;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

char *command_line(int argc, char *const *argv)
{
    char *line = xstrdup("");
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        int plain = w[0] && !w[strcspn(w, " \t\n'\"\\$`*?[]{}()<>|&;#~!")];
        char *word = plain ? xstrdup(w) : shell_quote(w);
        char *next = xasprintf("%s%s%s", line, i ? " " : "", word);
        free(word);
        free(line);
        line = next;
    }
    return line;
}
