/*
 * journal.c - the run's points appended to "<results>.journal" as they are
 * measured, each record framed and checksummed, and their replay on
 * resume (journal.h).
 *
 * A record: "FSJ1", its type (u32), the payload's length (u64), the
 * payload's checksum (u64, hash_bytes), the payload. Integers are in the
 * machine's byte order: a journal is read back by the same build of the
 * program that wrote it (the head says which).
 */
#include "run/journal.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define J_MAGIC "FSJ1"
#define J_SEED UINT64_C(0x6a6f75726e616c31)
#define J_MAX_RECORD (UINT64_C(1) << 32)  /* larger lengths are damage, not data */

enum { J_HEAD = 1, J_POINT = 2, J_RESUME = 3, J_VISIT = 4 };

/* A growing byte buffer for one record's payload. */
struct jbuf {
    char *p;
    size_t n, cap;
};

static void put(struct jbuf *b, const void *x, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = 2 * (b->n + n) + 256;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, x, n);
    b->n += n;
}

static void put_u32(struct jbuf *b, uint32_t v) { put(b, &v, sizeof(v)); }
static void put_u64(struct jbuf *b, uint64_t v) { put(b, &v, sizeof(v)); }

static void put_str(struct jbuf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u32(b, (uint32_t)n);
    put(b, s ? s : "", n);
}

/* A payload being read: get() fails (returns -1) past its end. */
struct jread {
    const char *p;
    size_t n, at;
};

static int get(struct jread *r, void *x, size_t n)
{
    if (n > r->n - r->at)
        return -1;
    memcpy(x, r->p + r->at, n);
    r->at += n;
    return 0;
}

static int get_u32(struct jread *r, uint32_t *v) { return get(r, v, sizeof(*v)); }
static int get_u64(struct jread *r, uint64_t *v) { return get(r, v, sizeof(*v)); }

static char *get_str(struct jread *r)
{
    uint32_t n;
    char *s;
    if (get_u32(r, &n) || n > r->n - r->at)
        return NULL;
    s = xmalloc((size_t)n + 1);
    memcpy(s, r->p + r->at, n);
    s[n] = '\0';
    r->at += n;
    return s;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Frame and append one record, then sync it. Returns 0 or -1 (errno). */
static int append(struct journal *j, uint32_t type, const struct jbuf *b)
{
    struct jbuf rec = { 0 };
    uint64_t len = b->n, sum = hash_bytes(J_SEED, b->p ? b->p : "", b->n);
    double t0 = now_s();
    int rc;

    put(&rec, J_MAGIC, 4);
    put_u32(&rec, type);
    put_u64(&rec, len);
    put_u64(&rec, sum);
    put(&rec, b->p ? b->p : "", b->n);
    rc = write_all(j->fd, rec.p, rec.n);
    if (!rc)
        rc = fdatasync(j->fd);
    free(rec.p);
    j->write_s += now_s() - t0;
    return rc;
}

void journal_head_release(struct journal_head *h)
{
    char **s[] = { &h->config_path, &h->config_text, &h->config_sets, &h->dataset_hash,
                   &h->harness_version, &h->git_commit, &h->faiss_version, &h->layout,
                   &h->start_time };
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        free(*s[i]);
        *s[i] = NULL;
    }
}

char *journal_layout(const struct result_set *rs)
{
    struct jbuf b = { 0 };
    char *s;

    s = xasprintf("row %zu bytes; ks", sizeof(struct result_row));
    put(&b, s, strlen(s));
    free(s);
    for (size_t i = 0; i < rs->n_ks; i++) {
        s = xasprintf(" %ld", rs->ks[i]);
        put(&b, s, strlen(s));
        free(s);
    }
    put(&b, "; cells", 7);
    for (size_t i = 0; i < rs->n_cols; i++) {
        put(&b, " ", 1);
        put(&b, rs->cols[i].name, strlen(rs->cols[i].name));
    }
    for (size_t t = 0; t < rs->n_tables; t++) {
        put(&b, "; /", 3);
        put(&b, rs->tables[t].name, strlen(rs->tables[t].name));
        for (size_t i = 0; i < rs->tables[t].n_cols; i++) {
            put(&b, " ", 1);
            put(&b, rs->tables[t].cols[i].name, strlen(rs->tables[t].cols[i].name));
        }
    }
    put(&b, "", 1);
    return b.p;
}

static void head_copy(struct journal_head *to, const struct journal_head *from)
{
    to->config_path = xstrdup(from->config_path ? from->config_path : "");
    to->config_text = xstrdup(from->config_text ? from->config_text : "");
    to->config_sets = xstrdup(from->config_sets ? from->config_sets : "");
    to->dataset_hash = xstrdup(from->dataset_hash ? from->dataset_hash : "");
    to->harness_version = xstrdup(from->harness_version ? from->harness_version : "");
    to->git_commit = xstrdup(from->git_commit ? from->git_commit : "");
    to->faiss_version = xstrdup(from->faiss_version ? from->faiss_version : "");
    to->layout = xstrdup(from->layout ? from->layout : "");
    to->start_time = xstrdup(from->start_time ? from->start_time : "");
}

static void head_put(struct jbuf *b, const struct journal_head *h)
{
    const char *s[] = { h->config_path, h->config_text, h->config_sets, h->dataset_hash,
                        h->harness_version, h->git_commit, h->faiss_version, h->layout,
                        h->start_time };
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        put_str(b, s[i]);
}

static int head_get(struct jread *r, struct journal_head *h)
{
    char **s[] = { &h->config_path, &h->config_text, &h->config_sets, &h->dataset_hash,
                   &h->harness_version, &h->git_commit, &h->faiss_version, &h->layout,
                   &h->start_time };
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        if (!(*s[i] = get_str(r)))
            return -1;
    return 0;
}

int journal_create(struct journal *j, const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    memset(j, 0, sizeof(*j));
    j->fd = -1;
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        int e = errno;
        close(fd);
        unlink(path);
        errno = e;
        return -1;
    }
    j->fd = fd;
    j->path = xstrdup(path);
    return 0;
}

/* Sync the folder holding path, so that the file's name survives a
 * reboot as its records do (a failure only loses that guarantee). */
static void sync_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xasprintf("%.*s", (int)(slash - path + (slash == path)), path)
                      : xstrdup(".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        /* EINVAL: a file system that does not sync folders. */
        if (fsync(fd) && errno != EINVAL)
            warning_errno("cannot sync the folder '%s'", dir);
        close(fd);
    }
    free(dir);
}

int journal_start(struct journal *j, const struct journal_head *h)
{
    struct jbuf b = { 0 };
    int rc;

    head_copy(&j->head, h);
    head_put(&b, &j->head);
    rc = append(j, J_HEAD, &b);
    free(b.p);
    if (!rc)
        sync_folder(j->path);
    return rc ? error_errno("cannot write '%s'", j->path) : 0;
}

/* Read the record at the file's position: 0 with *type and the payload in
 * *pay (caller frees), 1 at the end of the file, 2 when the rest is torn or
 * damaged. */
static int read_record(int fd, uint32_t *type, struct jbuf *pay)
{
    char hdr[24];
    uint64_t len, sum;
    struct stat st;
    ssize_t got = read(fd, hdr, sizeof(hdr));
    off_t at = lseek(fd, 0, SEEK_CUR);

    if (got == 0)
        return 1;
    if (got != (ssize_t)sizeof(hdr) || memcmp(hdr, J_MAGIC, 4))
        return 2;
    memcpy(type, hdr + 4, 4);
    memcpy(&len, hdr + 8, 8);
    memcpy(&sum, hdr + 16, 8);
    /* A length past the file's end is a torn record: nothing is allocated
     * for what the file cannot hold. */
    if (len > J_MAX_RECORD || fstat(fd, &st) || at < 0 || (uint64_t)(st.st_size - at) < len)
        return 2;
    pay->p = xmalloc(len ? (size_t)len : 1);
    pay->n = (size_t)len;
    if (read(fd, pay->p, (size_t)len) != (ssize_t)len ||
        hash_bytes(J_SEED, pay->p, pay->n) != sum) {
        free(pay->p);
        pay->p = NULL;
        return 2;
    }
    return 0;
}

/* Whether a journal of `size` bytes holds no whole record: its run was
 * stopped between claiming the name and writing the head (the ground
 * truth is computed in between), so nothing was measured. A whole record
 * that fails its checksum is damage, not absence. */
static int head_absent(int fd, off_t size)
{
    char hdr[24];
    uint64_t len;

    if (size < (off_t)sizeof(hdr))
        return 1;
    if (pread(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) || memcmp(hdr, J_MAGIC, 4))
        return 0;
    memcpy(&len, hdr + 8, 8);
    return len > (uint64_t)(size - (off_t)sizeof(hdr));
}

int journal_open(struct journal *j, const char *path)
{
    struct jbuf pay = { 0 };
    struct jread r;
    uint32_t type = 0;
    struct stat st;
    /* O_NONBLOCK: a FIFO in the journal's place is refused, not waited on
     * (a regular file ignores the flag). */
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);

    memset(j, 0, sizeof(*j));
    j->fd = -1;
    if (fd < 0)
        return error_errno("cannot open '%s'", path);
    j->fd = fd;
    j->path = xstrdup(path);
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        error("cannot resume from '%s': not a regular file", path);
        goto fail;
    }
    if (flock(fd, LOCK_EX | LOCK_NB)) {
        if (errno == EWOULDBLOCK)
            error("cannot resume '%s': its run is still going (another process holds it)",
                  path);
        else
            error_errno("cannot lock '%s'", path);
        goto fail;
    }
    if (head_absent(fd, st.st_size)) {
        if (ftruncate(fd, 0)) {
            error_errno("cannot empty '%s'", path);
            goto fail;
        }
        return 1;
    }
    if (read_record(fd, &type, &pay) || type != J_HEAD) {
        error("cannot resume from '%s': its head record is missing or damaged", path);
        goto fail;
    }
    r = (struct jread){ pay.p, pay.n, 0 };
    if (head_get(&r, &j->head)) {
        error("cannot resume from '%s': its head record is damaged", path);
        goto fail;
    }
    free(pay.p);
    return 0;
fail:
    free(pay.p);
    journal_release(j);
    return -1;
}

static void keep_ord(struct journal *j, size_t ordinal)
{
    if (j->rows_seen == j->cap_ord) {
        j->cap_ord = j->cap_ord ? 2 * j->cap_ord : 64;
        j->ord = xrealloc(j->ord, j->cap_ord * sizeof(*j->ord));
    }
    j->ord[j->rows_seen++] = ordinal;
}

/* A visit record kept until its point's row comes. Returns 0 or -1. */
static int replay_visit(struct journal *j, struct jread *r)
{
    uint64_t ordinal;
    struct journal_visit *v;

    if (get_u64(r, &ordinal))
        return -1;
    if (j->n_visits == j->cap_visits) {
        j->cap_visits = j->cap_visits ? 2 * j->cap_visits : 64;
        j->visits = xrealloc(j->visits, j->cap_visits * sizeof(*j->visits));
    }
    v = &j->visits[j->n_visits++];
    v->ordinal = (size_t)ordinal;
    v->n = r->n - r->at;
    v->data = xmalloc(v->n ? v->n : 1);
    memcpy(v->data, r->p + r->at, v->n);
    return 0;
}

/* A row came for `ordinal`: its visits are done with. */
static void drop_visits(struct journal *j, size_t ordinal)
{
    size_t k = 0;
    for (size_t i = 0; i < j->n_visits; i++) {
        if (j->visits[i].ordinal == ordinal)
            free(j->visits[i].data);
        else
            j->visits[k++] = j->visits[i];
    }
    j->n_visits = k;
}

size_t journal_visited(const struct journal *j)
{
    size_t n = 0;
    for (size_t i = 0; i < j->n_visits; i++) {
        size_t k = 0;
        while (k < i && j->visits[k].ordinal != j->visits[i].ordinal)
            k++;
        n += k == i;
    }
    return n;
}

void journal_visits_clear(struct journal *j)
{
    for (size_t i = 0; i < j->n_visits; i++)
        free(j->visits[i].data);
    free(j->visits);
    j->visits = NULL;
    j->n_visits = j->cap_visits = 0;
}

/* One point record into rs: the row, then its side rows with run_row set
 * to the row's new place. With apply 0 only checks that the record fits
 * rs's layout. Returns 1 kept, 0 dropped, -1 not of this layout. */
static int replay_point(struct journal *j, struct result_set *rs, struct jread *r,
                        journal_accept_fn accept, void *ctx, int apply)
{
    struct result_row row;
    uint64_t ordinal, n_rows;
    uint32_t size, n_tables, t, n_cols;
    long keep = -1;

    if (get_u64(r, &ordinal) || get_u32(r, &size) || size != sizeof(row) ||
        get(r, &row, sizeof(row)) || get_u32(r, &n_tables))
        return -1;
    if (apply)
        drop_visits(j, (size_t)ordinal);
    if (apply && (keep = accept(ctx, (size_t)ordinal, &row)) >= 0) {
        results_add_row(rs, &row);
        keep_ord(j, (size_t)keep);
    }
    for (uint32_t i = 0; i < n_tables; i++) {
        struct result_table *tb;
        int rc;
        if (get_u32(r, &t) || get_u32(r, &n_cols) || get_u64(r, &n_rows) ||
            t >= rs->n_tables || n_cols != rs->tables[t].n_cols ||
            n_rows > (r->n - r->at) / (n_cols * sizeof(union result_cell)))
            return -1;
        tb = &rs->tables[t];
        rc = results_table_col(tb, "run_row");
        for (uint64_t k = 0; k < n_rows; k++) {
            union result_cell c[RESULTS_MAX_TABLE_COLS];
            if (get(r, c, n_cols * sizeof(*c)))
                return -1;
            if (keep < 0)
                continue;
            if (rc >= 0)
                c[rc].i = (int64_t)rs->n_rows - 1;
            results_table_append(tb, c);
        }
    }
    return r->at == r->n ? keep >= 0 : -1;
}

/* One whole record of the journal (its checksum held): 1 a row kept, 0
 * none, -1 a record of another layout or kind (an error printed). */
static int replay_record(struct journal *j, struct result_set *rs, uint32_t type,
                         const struct jbuf *pay, journal_accept_fn accept, void *ctx)
{
    struct jread r = { pay->p, pay->n, 0 };
    char *when;

    if (type == J_POINT) {
        if (replay_point(j, rs, &r, accept, ctx, 0) < 0)
            return error("cannot resume from '%s': a point record does not fit the rows "
                         "of this run", j->path);
        r.at = 0;
        return replay_point(j, rs, &r, accept, ctx, 1);
    }
    if (type == J_VISIT) {
        if (replay_visit(j, &r) < 0)
            return error("cannot resume from '%s': a visit record is cut short", j->path);
        return 0;
    }
    if (type != J_RESUME || !(when = get_str(&r)))
        return error("cannot resume from '%s': a record of unknown kind %u", j->path,
                     (unsigned)type);
    j->resumes = xrealloc(j->resumes, (j->n_resumes + 1) * sizeof(*j->resumes));
    j->resumes[j->n_resumes++] = when;
    return 0;
}

long journal_replay(struct journal *j, struct result_set *rs, journal_accept_fn accept,
                    void *ctx)
{
    long kept = 0;
    off_t good = lseek(j->fd, 0, SEEK_CUR), end = lseek(j->fd, 0, SEEK_END);

    lseek(j->fd, good, SEEK_SET);
    for (;;) {
        struct jbuf pay = { 0 };
        uint32_t type = 0;
        int rc = read_record(j->fd, &type, &pay);
        /* 1: the end; 2: a torn or damaged tail (a write the run did not
         * finish), dropped with everything after it. */
        if (rc)
            break;
        rc = replay_record(j, rs, type, &pay, accept, ctx);
        free(pay.p);
        if (rc < 0)
            return -1;
        kept += rc;
        good = lseek(j->fd, 0, SEEK_CUR);
    }
    j->dropped = end > good ? (size_t)(end - good) : 0;
    if (j->dropped && ftruncate(j->fd, good))
        return error_errno("cannot cut the damaged tail of '%s'", j->path);
    lseek(j->fd, good, SEEK_SET);
    for (size_t t = 0; t < rs->n_tables; t++)
        j->tables_seen[t] = rs->tables[t].n_rows;
    return kept;
}

/* The side rows of table t added since the last record that belong to row
 * `row` (by run_row; all of them go with the first row when t has none). */
static void put_side(struct jbuf *b, const struct result_table *t, size_t ti, size_t from,
                     size_t row, int first, uint32_t *n_put)
{
    int rc = results_table_col(t, "run_row");
    uint64_t n = 0;

    for (size_t i = from; i < t->n_rows; i++)
        n += rc >= 0 ? (size_t)t->cells[i * t->n_cols + (size_t)rc].i == row : first;
    if (!n)
        return;
    put_u32(b, (uint32_t)ti);
    put_u32(b, (uint32_t)t->n_cols);
    put_u64(b, n);
    for (size_t i = from; i < t->n_rows; i++)
        if (rc >= 0 ? (size_t)t->cells[i * t->n_cols + (size_t)rc].i == row : first)
            put(b, &t->cells[i * t->n_cols], t->n_cols * sizeof(*t->cells));
    (*n_put)++;
}

void journal_row(struct journal *j, const struct result_set *rs, size_t ordinal)
{
    int first = 1;

    if (!j->path)
        return;
    while (j->rows_seen < rs->n_rows) {
        struct jbuf b = { 0 };
        uint32_t n_put = 0;
        size_t row = j->rows_seen, at;
        put_u64(&b, ordinal);
        put_u32(&b, (uint32_t)sizeof(rs->rows[row]));
        put(&b, &rs->rows[row], sizeof(rs->rows[row]));
        at = b.n;
        put_u32(&b, 0);
        for (size_t t = 0; t < rs->n_tables; t++)
            put_side(&b, &rs->tables[t], t, j->tables_seen[t], row, first, &n_put);
        memcpy(b.p + at, &n_put, sizeof(n_put));
        keep_ord(j, ordinal);
        first = 0;
        if (j->fd >= 0 && append(j, J_POINT, &b) && !j->failed) {
            warning_errno("cannot append to '%s' (the run goes on; a crash now would lose "
                          "the points measured since)", j->path);
            j->failed = 1;
        }
        free(b.p);
    }
    for (size_t t = 0; t < rs->n_tables; t++)
        j->tables_seen[t] = rs->tables[t].n_rows;
}

void journal_visit(struct journal *j, size_t ordinal, const void *data, size_t n)
{
    struct jbuf b = { 0 };

    if (!j->path || j->fd < 0)
        return;
    put_u64(&b, ordinal);
    put(&b, data, n);
    if (append(j, J_VISIT, &b) && !j->failed) {
        warning_errno("cannot append to '%s' (the run goes on; a crash now would lose "
                      "the points measured since)", j->path);
        j->failed = 1;
    }
    free(b.p);
}

void journal_resumed(struct journal *j, const char *when)
{
    struct jbuf b = { 0 };
    put_str(&b, when);
    if (j->fd >= 0 && append(j, J_RESUME, &b))
        warning_errno("cannot append to '%s'", j->path);
    free(b.p);
}

void journal_close(struct journal *j)
{
    if (j->path && j->fd >= 0)
        close(j->fd);
    j->fd = -1;
}

void journal_remove(struct journal *j)
{
    if (j->path)
        unlink(j->path);
    journal_close(j);
}

void journal_release(struct journal *j)
{
    journal_close(j);
    journal_head_release(&j->head);
    for (size_t i = 0; i < j->n_resumes; i++)
        free(j->resumes[i]);
    free(j->resumes);
    free(j->ord);
    journal_visits_clear(j);
    free(j->path);
    memset(j, 0, sizeof(*j));
    j->fd = -1;
}
