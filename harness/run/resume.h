/*
 * resume.h - continuing a run that did not finish (`run CONFIG --resume
 * [RESULTS.h5]`): which journal, whether it is this config's run on this
 * data with this program, which of its points are measured, and what the
 * results file says about it.
 */
#ifndef FS_RESUME_H
#define FS_RESUME_H

#include <stddef.h>
#include "core/config.h"
#include "core/grid.h"
#include "out/results.h"
#include "run/journal.h"
#include "run/prepare.h"

/* The journal to resume: "<results>.journal" when results is given (an
 * error when it has none: the run finished, or never started), else the
 * latest unfinished run of the config in outdir (the newest
 * "<name>-<UTC time>[-<n>].h5.journal" by its name's time and number).
 * Returns the journal's path (caller frees) or NULL after an error. */
char *resume_find(const char *outdir, const char *name, const char *results);

/* "what differs" between the run the journal holds and this one: config
 * text, --set overrides, the data's content hash, the harness's version or
 * commit, the faiss version. Without force, a difference is an error naming
 * them all; with force, a warning. Returns 0 (the same run), 1 (differs,
 * forced) or -1. */
int resume_check(const struct journal_head *was, const struct journal_head *now,
                 const char *journal_path, int force);
/* The rows' layout (journal_layout) must match, even with --force: 0, or
 * -1 after an error. */
int resume_check_layout(const struct journal_head *was, const char *layout,
                        const char *journal_path);

/* Which grid points the replayed rows are: a row's recorded ordinal when
 * the grid's point there has the row's settings, else (a config changed
 * under --force) the grid point that has them; a row of no grid point, or
 * of a point already replayed, is dropped. done[ordinal] is set for each
 * kept. */
struct resume_match {
    const struct config *cfg;
    const struct run_vectors *vec;
    const struct grid *grid;
    unsigned char *done;        /* grid->n_points flags, owned by the caller */
    size_t n_dropped;
};
/* A journal_accept_fn over a struct resume_match. */
long resume_accept(void *ctx, size_t ordinal, const struct result_row *row);

/* The attributes of a resumed run: resumed (how many times), resumed_at
 * (the UTC times, comma-separated, this one last), resumed_rows (rows
 * carried over from the journal this time). */
void resume_attrs(struct result_set *rs, const struct journal *j, const char *now,
                  size_t carried);

#endif
