/*
 * provenance.h - the facts a results file carries about where and how it
 * was measured: versions, machine, threads, measure settings, the config
 * and the data set. Set once, before the first point, so checkpoints and
 * the final file share them.
 */
#ifndef FS_PROVENANCE_H
#define FS_PROVENANCE_H

#include <stddef.h>
#include "core/config.h"
#include "io/dataset.h"
#include "lib/machine.h"
#include "out/measure.h"
#include "out/results.h"

/* Root attributes of rs for a run of cfg on ds: `gt_k` is the depth of the
 * ground truth kept, `batch_threads` the threads of batch searches, the
 * measures add their own, `started` is the UTC start time (ISO 8601). */
void provenance_set(struct result_set *rs, const struct config *cfg, const struct dataset *ds,
                    size_t gt_k, int batch_threads, const struct measure *const *measures,
                    size_t n_measures, const char *started);

/* The machine's state over the run, as root attributes of rs (README:
 * "Results file"): samples the machine now into *end, compares it with
 * `start` (sampled when the run began) into *u, and sets load1_start,
 * load1_end, own_cpu_s, steal_s, steal_share, others_cpu_s,
 * others_cpu_share, machine_busy and cpu_governor (read now). */
void provenance_machine(struct result_set *rs, const struct machine_sample *start,
                        struct machine_sample *end, struct machine_usage *u);

/* When u says the machine was busy (machine_busy), a warning on stderr with
 * the figures; nothing otherwise. */
void provenance_warn_busy(const struct machine_sample *start, const struct machine_sample *end,
                          const struct machine_usage *u);

#endif
