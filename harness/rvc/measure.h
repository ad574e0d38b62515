/*
 * measure.h - RVC's blend fidelity as a per-point measure (out/measure.h):
 * for each point, RVC's blend of the index's blend_k neighbours against
 * the same blend of the exact ones (blend.h), at every index_rate of the
 * sweep, and the search time per second of audio.
 *
 * Columns of /runs: blend_err_mean, blend_err_p95, blend_cos_mean,
 * blend_missing, blend_zero_dist, audio_s_batch, audio_s_single,
 * blend_ir_unit, audio_s_qexpand. Side table /blend: one row per (point,
 * index_rate): run_row, index_rate, blend_err_mean, blend_err_p95,
 * blend_ir_unit. Root attributes rvc_blend_k and rvc_index_rate (the
 * first rate, the one in /runs). Raw inner product has no distance RVC
 * could weight by: under ip only the audio_s_* columns are set.
 */
#ifndef FS_RVC_MEASURE_H
#define FS_RVC_MEASURE_H

#include <stddef.h>
#include "out/measure.h"

/* The columns, for readers of older files that did not store roles. */
extern const struct col_def rvc_measure_cols[];
extern const size_t rvc_measure_n_cols;
extern const struct col_def rvc_blend_cols[];
extern const size_t rvc_blend_n_cols;

/* The measure's settings; holds the struct measure the run uses. */
struct rvc_measure {
    size_t blend_k;             /* neighbours blended (RVC: 8) */
    const double *index_rate;   /* the index_rate axis (borrowed); [0] fills /runs */
    size_t n_rates;
    struct measure m;
};

/* Set up the measure for blend_k neighbours and n_rates index rates
 * (borrowed for the measure's life; none = RVC's 0.75). Returns &rm->m. */
const struct measure *rvc_measure_init(struct rvc_measure *rm, size_t blend_k,
                                       const double *index_rate, size_t n_rates);

#endif
