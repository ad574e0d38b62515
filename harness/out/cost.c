/*
 * cost.c - the names of a run's cost phases, as attributes and as text.
 */
#include "out/cost.h"

#include <stdio.h>

static const char *const names[COST_NPHASES] = {
    "load", "groundtruth", "prepare", "train", "add", "size",
    "timed_search", "untimed_search", "write", "other",
};

static const char *const titles[COST_NPHASES] = {
    "load", "ground truth", "prepare", "train", "add", "size",
    "timed search", "untimed search", "write", "other",
};

const char *cost_name(enum cost_phase p)
{
    return p < COST_NPHASES ? names[p] : "?";
}

void cost_attrs(struct cost *c, double wall, struct result_set *rs)
{
    double known = 0;
    char name[64];

    for (int p = 0; p < COST_OTHER; p++)
        known += c->s[p];
    c->s[COST_OTHER] = wall > known ? wall - known : 0;
    for (int p = 0; p < COST_NPHASES; p++) {
        snprintf(name, sizeof(name), "cost_%s_s", names[p]);
        results_attr_float(rs, name, c->s[p]);
    }
}

const char *cost_title(enum cost_phase p)
{
    return p < COST_NPHASES ? titles[p] : "?";
}
