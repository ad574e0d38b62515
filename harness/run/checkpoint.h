/*
 * checkpoint.h - the points measured so far, in a complete results file
 * beside the final one ("<results>.checkpoint"), so a run that dies (a
 * crash, the OOM killer) does not lose hours of work.
 */
#ifndef FS_CHECKPOINT_H
#define FS_CHECKPOINT_H

#include <stddef.h>
#include "out/results.h"

struct checkpoint {
    char *path;         /* "<results>.checkpoint", owned */
    long interval_s;    /* seconds between writes; 0 = every time, -1 = never */
    double t_last;      /* when it was last written (or set up) */
};

/* Set up for a results file; the clock starts now. */
void checkpoint_init(struct checkpoint *cp, const char *results_path, long interval_s);
/* Write rs (done of total points) when interval_s has passed since the last
 * write, with the attribute "checkpoint" saying so (removed again from rs
 * afterwards). A failed write is a warning: the run goes on. */
void checkpoint_write(struct checkpoint *cp, struct result_set *rs, size_t done, size_t total);
/* Remove the file (the run finished); nothing if there is none. */
void checkpoint_remove(const struct checkpoint *cp);
void checkpoint_release(struct checkpoint *cp);

#endif
