/*
 * cost.h - where a run's wall time went, phase by phase: the breakdown the
 * run prints at its end and stores in the results file as root attributes
 * cost_<phase>_s (so a reader needs no list of phases to show them).
 */
#ifndef FS_COST_H
#define FS_COST_H

#include "out/results.h"

enum cost_phase {
    COST_LOAD,            /* config, data set, grid, vectors under each metric */
    COST_GROUNDTRUTH,     /* exact neighbours: computed, or read and checked */
    COST_PREPARE,         /* preprocessing before a build (shuffle, k-means, expansion) */
    COST_TRAIN,           /* training, all builds (reused centroids cost nothing here) */
    COST_ADD,             /* adding the base, all builds */
    COST_SIZE,            /* serializing each index to learn its size */
    COST_TIMED_SEARCH,    /* calibration, batch repetitions, latency rounds */
    COST_UNTIMED_SEARCH,  /* searches for recall at other k and for the measures */
    COST_WRITE,           /* checkpoints and the results file */
    COST_OTHER,           /* the rest of the wall time: bookkeeping, measures' arithmetic */
    COST_NPHASES
};

struct cost {
    double s[COST_NPHASES];
};

/* "load", "groundtruth", ...: the attribute is "cost_" name "_s". */
const char *cost_name(enum cost_phase p);

/* COST_OTHER becomes what of wall the other phases do not explain (never
 * below 0), then every phase is set as attribute cost_<name>_s. */
void cost_attrs(struct cost *c, double wall, struct result_set *rs);

/* "load", "ground truth", ...: the phase's name in text. */
const char *cost_title(enum cost_phase p);

#endif
