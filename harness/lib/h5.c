/*
 * h5.c - shared HDF5 helpers (see h5.h): string attributes, the checks a
 * file's claims get before HDF5 acts on them, a probe that reads a file in
 * a child process, and writing a file image to disk.
 */
#include "lib/h5.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *h5_read_string_attr(hid_t attr, hid_t ftype)
{
    hid_t mtype = H5Tcopy(H5T_C_S1);
    char *s = NULL;

    if (mtype < 0)
        return NULL;
    H5Tset_cset(mtype, H5Tget_cset(ftype));
    if (H5Tis_variable_str(ftype) > 0) {
        char *v = NULL;
        H5Tset_size(mtype, H5T_VARIABLE);
        if (H5Aread(attr, mtype, &v) >= 0)
            s = xstrdup(v ? v : "");
        H5free_memory(v);
    } else {
        /* the size the type claims must be what the attribute stores (a
         * corrupt one would have us allocate whatever it says) */
        size_t len = H5Tget_size(ftype);
        if (len == 0 || len > H5_STRING_MAX || (hsize_t)len > H5Aget_storage_size(attr)) {
            H5Tclose(mtype);
            return NULL;
        }
        H5Tset_size(mtype, len + 1);
        H5Tset_strpad(mtype, H5T_STR_NULLTERM);
        s = xcalloc(len + 2, 1);
        if (H5Aread(attr, mtype, s) < 0) {
            free(s);
            s = NULL;
        }
        for (len = s ? strlen(s) : 0; len && s[len - 1] == ' '; len--)
            s[len - 1] = '\0';
    }
    H5Tclose(mtype);
    return s;
}

int h5_write_synced(const char *path, const void *buf, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const char *p = buf;

    if (fd < 0)
        return error_errno("cannot create '%s'", path);
    while (n) {
        ssize_t put = write(fd, p, n);
        if (put < 0 && errno == EINTR)
            continue;
        if (put <= 0) {
            if (put == 0)
                errno = ENOSPC;
            error_errno("cannot write '%s'", path);
            close(fd);
            return -1;
        }
        p += put;
        n -= (size_t)put;
    }
    if (fsync(fd) < 0) {
        error_errno("cannot write '%s'", path);
        close(fd);
        return -1;
    }
    if (close(fd) < 0)
        return error_errno("cannot write '%s'", path);
    return 0;
}

/* What a file may claim before anything is read (HDF5 1.10 trusts its
 * files: a member placed outside its row, or a row count no storage holds,
 * crashes it or asks for terabytes). A row is at most ROW_MAX bytes of at
 * most ROW_MAX_MEMBERS members (ours: under 1 KiB, under 64); a chunk at
 * most CHUNK_MAX bytes; deflate expands at most 1032:1 (zlib's bound), so
 * DEFLATE_MAX times the stored bytes bounds what a filtered dataset holds. */
#define ROW_MAX (64 * 1024)
#define ROW_MAX_MEMBERS 1024
#define CHUNK_MAX ((hsize_t)64 << 20)
#define DEFLATE_MAX 1100

/* Is member type mt what a column can be: an 8-byte IEEE float or integer
 * as H5Tequal sees it (no odd precision or bit layout), or a fixed-length
 * string? */
static int plain_member(hid_t mt)
{
    H5T_class_t cls = H5Tget_class(mt);
    if (cls == H5T_STRING)
        return H5Tis_variable_str(mt) == 0;
    if (cls == H5T_FLOAT)
        return H5Tequal(mt, H5T_IEEE_F64LE) > 0 || H5Tequal(mt, H5T_IEEE_F64BE) > 0;
    if (cls == H5T_INTEGER)
        return H5Tequal(mt, H5T_STD_I64LE) > 0 || H5Tequal(mt, H5T_STD_I64BE) > 0 ||
               H5Tequal(mt, H5T_STD_U64LE) > 0 || H5Tequal(mt, H5T_STD_U64BE) > 0;
    return 0;
}

/* The compound type ftype of dataset `name`: every member plain, inside
 * the row and after the one before (writers place them in order). Returns
 * 0, or -1 after an error naming the file. */
int h5_check_row_type(hid_t ftype, const char *name, const char *path)
{
    size_t size = H5Tget_size(ftype), end = 0;
    int n = H5Tget_nmembers(ftype);

    if (size == 0 || size > ROW_MAX || n <= 0 || n > ROW_MAX_MEMBERS)
        return error("cannot read '%s': /%s has rows of %zu bytes in %d columns (corrupt file?)",
                     path, name, size, n);
    for (int i = 0; i < n; i++) {
        size_t off = H5Tget_member_offset(ftype, (unsigned)i);
        hid_t mt = H5Tget_member_type(ftype, (unsigned)i);
        size_t msize = mt >= 0 ? H5Tget_size(mt) : 0;
        int plain = mt >= 0 && plain_member(mt);
        if (mt >= 0)
            H5Tclose(mt);
        if (!plain || msize == 0 || off < end || off > size || msize > size - off)
            return error("cannot read '%s': /%s column %d is not a number or string inside its "
                         "row (corrupt file?)", path, name, i);
        end = off + msize;
    }
    return 0;
}

/* Can dataset `name`, of rows rows of ftype, hold them: a chunk of at most
 * CHUNK_MAX bytes, and no more rows than its stored bytes (times
 * DEFLATE_MAX when filtered) hold? Returns 0, or -1 after an error. */
int h5_check_rows(hid_t dset, hid_t ftype, hsize_t rows, const char *name, const char *path)
{
    hid_t dcpl = H5Dget_create_plist(dset);
    hsize_t stored = H5Dget_storage_size(dset), chunk = 0, bound;
    size_t size = H5Tget_size(ftype);
    int filtered = 0, bad = dcpl < 0;

    if (!bad && H5Pget_layout(dcpl) == H5D_CHUNKED)
        bad = H5Pget_chunk(dcpl, 1, &chunk) != 1 || chunk == 0 || chunk > CHUNK_MAX / size;
    if (!bad)
        filtered = H5Pget_nfilters(dcpl) > 0;
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (bad)
        return error("cannot read '%s': /%s has a bad storage layout (corrupt file?)", path, name);
    bound = filtered ? (stored > HSIZE_UNDEF / DEFLATE_MAX ? HSIZE_UNDEF : stored * DEFLATE_MAX)
                     : stored;
    if (rows > bound / size)
        return error("cannot read '%s': /%s claims %llu rows of %zu bytes, more than its %llu "
                     "stored bytes hold (corrupt file?)", path, name, (unsigned long long)rows,
                     size, (unsigned long long)stored);
    return 0;
}

/* What a probe child printed (its error line), as much as fits. */
struct probe_out {
    char text[4096];
    size_t len;
};

/* Read the child's stderr until it closes it or limit_s pass; 0, or -1 on
 * the timeout. */
static int probe_collect(int fd, double limit_s, struct probe_out *out)
{
    double end = now_s() + limit_s;
    for (;;) {
        struct pollfd p = { fd, POLLIN, 0 };
        char buf[1024];
        double left = end - now_s();
        ssize_t got;
        if (left <= 0)
            return -1;
        if (poll(&p, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
            return -1;
        if (!p.revents)
            continue;
        got = read(fd, buf, sizeof(buf));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0;
        size_t keep = (size_t)got < sizeof(out->text) - 1 - out->len ? (size_t)got
                                                                      : sizeof(out->text) - 1 - out->len;
        memcpy(out->text + out->len, buf, keep);
        out->len += keep;
        out->text[out->len] = '\0';
    }
}

/* See h5.h: HDF5 1.10's H5HG_read copies what a corrupt heap reference
 * says, unchecked; a child takes the crash. */
int h5_probe(const char *path, int (*read_fn)(const char *path, void *ctx), void *ctx,
             double base_s, double per_mib_s)
{
    struct probe_out out = { .len = 0 };
    int fds[2], status = 0, timed_out;
    struct stat st;
    double limit_s = base_s;
    pid_t pid, parent;

    if (stat(path, &st) == 0)
        limit_s += per_mib_s * (double)st.st_size / (1 << 20);
    if (pipe(fds) < 0)
        return error_errno("cannot read '%s': pipe", path);
    fflush(NULL);
    parent = getpid();
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return error_errno("cannot read '%s': fork", path);
    }
    if (pid == 0) {
        int rc = -1;
        /* A child HDF5 loops in must not outlive the limit, nor a parent
         * killed before it could kill the child (SIGKILL, a fuzzer's
         * timeout): both end it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(4);
        alarm((unsigned)limit_s + 2);
        close(fds[0]);
        if (dup2(fds[1], 2) < 0)
            _exit(4);
        H5E_BEGIN_TRY {
            rc = read_fn(path, ctx);
        } H5E_END_TRY;
        fflush(stderr);
        _exit(rc < 0 ? 3 : 0);
    }
    close(fds[1]);
    out.text[0] = '\0';
    timed_out = probe_collect(fds[0], limit_s, &out) < 0;
    close(fds[0]);
    if (timed_out)
        kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return error_errno("cannot read '%s': waiting for the reader", path);
    if (timed_out)
        return error("cannot read '%s': the hdf5 library did not finish reading it in %.0f s "
                     "(corrupt file?)", path, limit_s);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 3 && out.len) {
        fputs(out.text, stderr);        /* the child's error line, naming the file */
        return -1;
    }
    if (WIFSIGNALED(status))
        return error("cannot read '%s': the hdf5 library crashed on it (signal %d: corrupt file?)",
                     path, WTERMSIG(status));
    return error("cannot read '%s': the hdf5 library failed on it (exit %d: corrupt file?)", path,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}
