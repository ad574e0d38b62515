/*
 * merge.h - `faiss-sweep merge TASK.h5 ... -o OUT.h5`: the task files of one
 * scale-out run (run --task I --of N) become one results file, as one
 * uninterrupted run would have written it.
 */
#ifndef FS_MERGE_H
#define FS_MERGE_H

#include <stddef.h>

/* Check that paths (n of them) are tasks 0..N-1 of one run, each once,
 * complete, with the same run id, task count, plan hash, config text and
 * overrides, data hash, harness and faiss versions; then write out
 * atomically: the rows in the grid's order, the side tables' rows with
 * them, /tasks (task, start, wall seconds, rows, host and CPU model as
 * indices into the attributes tasks_hosts and tasks_cpu_models, one line
 * per task), merged_tasks = N. Returns 0; 1 after one line per problem
 * (nothing written); 2 when a file cannot be read. */
int merge_tasks(const char *const *paths, size_t n, const char *out);

#endif
