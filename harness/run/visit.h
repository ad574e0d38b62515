/*
 * visit.h - a point's timing so far, before its row exists, as journal
 * visit records: its calibration (the batch plan and the first latency
 * round), each later latency round, each batch repetition. A run killed
 * in the middle of a build's interleaved rounds loses only the visit in
 * progress: `run --resume` rebuilds the index and carries on from the
 * samples recorded (see point.h for the schedule).
 */
#ifndef FS_VISIT_H
#define FS_VISIT_H

#include <stddef.h>
#include "core/config.h"
#include "core/search.h"
#include "run/journal.h"

/* A point's samples while its build is measured. Arrays owned. */
struct timing_state {
    struct batch_plan plan;
    double *rep_s;              /* plan.reps seconds, n_reps taken */
    int n_reps;
    size_t lat_n;               /* queries timed per latency round */
    int lat_rounds;             /* rounds planned (0 without latency) */
    int n_rounds;               /* rounds taken */
    double *lat_us;             /* lat_rounds x lat_n microseconds */
};
void timing_state_release(struct timing_state *t);

/* Append to j (NULL: nothing) the visit just made of point `ordinal`: its
 * calibration (plan, lat_n, lat_rounds, latency round 0 if any), its
 * latest latency round, its latest batch repetition. */
void visit_calibrated(struct journal *j, size_t ordinal, const struct timing_state *t);
void visit_latency(struct journal *j, size_t ordinal, const struct timing_state *t);
void visit_batch(struct journal *j, size_t ordinal, const struct timing_state *t);

/* What one visit record holds (for tests and tools): its kind, the
 * round or repetition it is, its samples (*x points into v). 0, or -1
 * when it is not a visit record of this build of the program. */
enum visit_kind { VISIT_CALIBRATED = 1, VISIT_LATENCY = 2, VISIT_BATCH = 3 };
int visit_read(const struct journal_visit *v, enum visit_kind *kind, int *index,
               const double **x, size_t *n);

/* The state point `ordinal` had reached, from j's replayed visits, into
 * *t (zeroed before). 1 when there was a calibration to continue from, 0
 * when none, -1 when the records do not fit this run's measure settings
 * (ms, lat_n queries per round): then *t is left empty and the point is
 * measured from the start. */
int visit_restore(const struct journal *j, size_t ordinal, const struct measure_spec *ms,
                  size_t lat_n, struct timing_state *t);

#endif
