/*
 * run.h - the `run` subcommand: the whole pipeline for one config,
 * config -> grid -> dataset -> ground truth -> build -> search -> metrics ->
 * results -> plots.
 */
#ifndef FS_RUN_H
#define FS_RUN_H

#include <stddef.h>

struct run_opts {
    const char *output_dir;     /* overrides the config's output_dir when set */
    const char *templates_dir;  /* gnuplot templates (plots/) */
    int plot;                   /* draw plots after writing the results */
    int progress;               /* progress line on stderr */
    const char *const *sets;    /* --set "key=value" overrides of the config (borrowed,
                                   n_sets of them; see config_load_set) */
    size_t n_sets;
    int resume;                 /* continue an unfinished run (its journal) */
    const char *resume_path;    /* ... of this results file; NULL: the config's latest
                                   unfinished run in the output folder */
    int force;                  /* resume although config, data or versions differ */
    /* A task of a scale-out run (task_count > 0): only the builds the
     * partition (run/plan.h) gives task task_index of task_count, into
     * "<name>-<run_id>.task-<I>-of-<N>.h5"; --resume continues that file. */
    long task_index, task_count;
    const char *run_id;         /* borrowed; [A-Za-z0-9._-], 1-64 characters */
};

/* Run the sweep described by the config file. On success returns 0 (or 1 if
 * some points failed, they are in the results with their reason, or Ctrl-C
 * ended it) and sets *results_path (caller frees). Returns -1 after
 * printing an error when nothing was written. Every point is appended to
 * "<results>.journal" as it is measured; the journal goes when the file is
 * complete, and stays after Ctrl-C or a crash for opts->resume (see
 * docs/resume.md). */
int run_sweep(const char *config_path, const struct run_opts *opts, char **results_path);

#endif
