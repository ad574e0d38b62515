/*
 * journal.h - a run's points on disk as they are measured, so that a run
 * that dies (kill -9, a crash, a reboot, a full disk) loses at most the
 * points in progress, and `run --resume` continues it.
 *
 * "<results>.journal" beside the results file: a head record saying what
 * the run is (config text and overrides, data hash, versions, the rows'
 * layout), then one record per finished point (its grid ordinal, its row,
 * its /timings rows and its rows of the other side tables), one record per
 * visit of a point not finished yet (its calibration, each latency round,
 * each batch repetition: run/point.c's encoding, opaque here), and one
 * record per resume (when). A run killed in the middle of a build's
 * interleaved rounds thus loses only the visit in progress. Each record is framed by a magic, its type, its
 * length and a checksum of its payload, and synced to disk when written:
 * a torn or damaged last record is detected on replay and dropped (the
 * file is cut back to the last whole record). The file is held under an
 * exclusive flock(2) while its run goes, so a second process cannot append
 * to it; the lock goes with the process, however it ends.
 */
#ifndef FS_JOURNAL_H
#define FS_JOURNAL_H

#include <stddef.h>
#include "out/results.h"

/* What a run is, as the journal's head says. Strings owned ("" if unset). */
struct journal_head {
    char *config_path, *config_text, *config_sets, *dataset_hash;
    char *harness_version, *git_commit, *faiss_version;
    char *layout;       /* journal_layout of the run's result set */
    char *start_time;   /* UTC, ISO 8601, of the run's first start */
};
void journal_head_release(struct journal_head *h);

/* The layout of a set's rows and side tables as text: a journal's rows can
 * only be replayed into a set with the same one. Caller frees. */
char *journal_layout(const struct result_set *rs);

/* A visit record of a point that has no row yet (replayed). */
struct journal_visit {
    size_t ordinal;             /* the point's grid ordinal, as written */
    void *data;                 /* owned, n bytes */
    size_t n;
};

struct journal {
    char *path;                 /* owned */
    int fd;                     /* -1 when closed */
    struct journal_head head;   /* written (create) or read (open) */
    char **resumes;             /* UTC times of the earlier resumes (read), owned */
    size_t n_resumes;
    size_t rows_seen;           /* rows of the set already in the file */
    size_t tables_seen[RESULTS_MAX_TABLES];
    size_t *ord;                /* the grid ordinal of each of those rows */
    size_t cap_ord;
    struct journal_visit *visits;   /* replayed visits of points without a row, in order */
    size_t n_visits, cap_visits;
    size_t dropped;             /* bytes of a torn or damaged tail cut off on replay */
    double write_s;             /* seconds spent appending and syncing */
    int failed;                 /* an append failed (warned once); later ones are tried */
};

/* Create path exclusively (O_EXCL: it must not exist) and lock it: the
 * claim of a results name. Returns 0, or -1 with errno set (EEXIST: taken)
 * and nothing printed. */
int journal_create(struct journal *j, const char *path);
/* Write the head record (h copied) of a created journal: once the run's
 * layout is known. Returns 0 or -1 after an error naming the file. */
int journal_start(struct journal *j, const struct journal_head *h);

/* Open an existing journal for a resume, lock it (an error when another
 * process holds it: that run is still going) and read its head. Returns 0,
 * 1 when it holds no whole record (its run stopped before it wrote its
 * head: nothing was measured; the file is emptied and kept open and
 * locked, as journal_create leaves a new one), or -1 after an error naming
 * the file. */
int journal_open(struct journal *j, const char *path);

/* Called for each point record of the journal: the row and its grid
 * ordinal as written; returns the ordinal to keep it under (the same,
 * another one, or -1 to drop the record). */
typedef long (*journal_accept_fn)(void *ctx, size_t ordinal, const struct result_row *row);

/* After journal_open: append every point record's row and side rows to rs
 * (set up with the same columns and tables: the head's layout), the
 * column run_row of side tables renumbered to the rows' new places, and
 * read the resume records. A torn or damaged tail is cut off (j->dropped
 * says how many bytes). Returns the number of rows kept, or -1 after an
 * error (a layout that does not match, an unreadable file). */
long journal_replay(struct journal *j, struct result_set *rs, journal_accept_fn accept,
                    void *ctx);

/* Append the rows of rs after the ones already written (normally one: the
 * row just added), each with its side rows, as point records under
 * `ordinal`, and sync. A failure warns (once) and is otherwise ignored:
 * the run goes on, its rows still in memory. */
void journal_row(struct journal *j, const struct result_set *rs, size_t ordinal);

/* Append a visit record of point `ordinal` (n bytes of data, opaque to
 * the journal) and sync; a failure warns once, as journal_row. Replay
 * keeps a point's visits in j->visits until a row of that ordinal comes. */
void journal_visit(struct journal *j, size_t ordinal, const void *data, size_t n);
/* How many points the replayed visits are of. */
size_t journal_visited(const struct journal *j);
/* Forget the replayed visits (a resume that cannot use them). */
void journal_visits_clear(struct journal *j);

/* Append a resume record saying when (UTC, ISO 8601). */
void journal_resumed(struct journal *j, const char *when);

/* Close (and unlock) the file; j->path stays. */
void journal_close(struct journal *j);
/* Close and remove the file (the run's results are complete). */
void journal_remove(struct journal *j);
/* Close and free everything. Safe on a zeroed struct with fd -1 or 0. */
void journal_release(struct journal *j);

#endif
