/*
 * visit.c - a point's timing so far as journal visit records, and back
 * (visit.h). A record: a fixed head, then `n` doubles (a latency round's
 * microseconds, or one repetition's seconds). Native byte order, as the
 * journal: it is read back by the build that wrote it.
 */
#include "run/visit.h"
#include "lib/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct visit_head {
    uint32_t kind;
    int32_t index;              /* the round or repetition the samples are */
    int32_t lat_rounds;         /* CALIBRATED: latency rounds planned */
    uint32_t unused;
    uint64_t lat_n;             /* CALIBRATED: queries per latency round */
    struct batch_plan plan;     /* CALIBRATED */
    uint64_t n;                 /* doubles after the head */
};

void timing_state_release(struct timing_state *t)
{
    free(t->rep_s);
    free(t->lat_us);
    memset(t, 0, sizeof(*t));
}

static void put(struct journal *j, size_t ordinal, struct visit_head *h, const double *x)
{
    size_t n = sizeof(*h) + (size_t)h->n * sizeof(*x);
    char *b;

    if (!j)
        return;
    b = xmalloc(n);
    memcpy(b, h, sizeof(*h));
    if (h->n)
        memcpy(b + sizeof(*h), x, (size_t)h->n * sizeof(*x));
    journal_visit(j, ordinal, b, n);
    free(b);
}

void visit_calibrated(struct journal *j, size_t ordinal, const struct timing_state *t)
{
    struct visit_head h;

    memset(&h, 0, sizeof(h));  /* padding too: the bytes are checksummed */
    h.kind = VISIT_CALIBRATED;
    h.lat_rounds = t->lat_rounds;
    h.lat_n = t->lat_n;
    memcpy(&h.plan, &t->plan, sizeof(h.plan));
    h.n = t->n_rounds ? t->lat_n : 0;
    put(j, ordinal, &h, t->lat_us);
}

void visit_latency(struct journal *j, size_t ordinal, const struct timing_state *t)
{
    struct visit_head h;

    memset(&h, 0, sizeof(h));
    h.kind = VISIT_LATENCY;
    h.index = t->n_rounds - 1;
    h.n = t->lat_n;
    put(j, ordinal, &h, t->lat_us + (size_t)h.index * t->lat_n);
}

void visit_batch(struct journal *j, size_t ordinal, const struct timing_state *t)
{
    struct visit_head h;

    memset(&h, 0, sizeof(h));
    h.kind = VISIT_BATCH;
    h.index = t->n_reps - 1;
    h.n = 1;
    put(j, ordinal, &h, t->rep_s + h.index);
}

/* The calibration record into t, checked against the run's settings: the
 * same measure settings give plans within these bounds. 0 or -1. */
static int restore_plan(const struct visit_head *h, const double *x, const struct measure_spec *ms,
                        size_t lat_n, struct timing_state *t)
{
    if (h->plan.calls < 1 || h->plan.calls > SEARCH_MAX_CALLS || h->plan.reps < 1 ||
        h->plan.reps > ms->repeats || h->lat_n != lat_n ||
        (lat_n && (h->lat_rounds < 1 || h->lat_rounds > ms->latency_rounds || h->n != lat_n)) ||
        (!lat_n && (h->lat_rounds != 0 || h->n != 0)))
        return -1;
    t->plan = h->plan;
    t->rep_s = xcalloc((size_t)t->plan.reps, sizeof(*t->rep_s));
    t->lat_n = lat_n;
    t->lat_rounds = h->lat_rounds;
    if (lat_n) {
        t->lat_us = xcalloc((size_t)t->lat_rounds * lat_n, sizeof(*t->lat_us));
        memcpy(t->lat_us, x, lat_n * sizeof(*x));
        t->n_rounds = 1;
    }
    return 0;
}

/* One later record into t: the next round or repetition, in order. */
static int restore_sample(const struct visit_head *h, const double *x, struct timing_state *t)
{
    if (h->kind == VISIT_LATENCY && t->lat_n && h->index == t->n_rounds &&
        t->n_rounds < t->lat_rounds && h->n == t->lat_n) {
        memcpy(t->lat_us + (size_t)t->n_rounds * t->lat_n, x, t->lat_n * sizeof(*x));
        t->n_rounds++;
        return 0;
    }
    if (h->kind == VISIT_BATCH && h->index == t->n_reps && t->n_reps < t->plan.reps &&
        h->n == 1) {
        t->rep_s[t->n_reps++] = x[0];
        return 0;
    }
    return -1;
}

/* The head and samples of a record, checked for size. 0 or -1. */
static int decode(const struct journal_visit *v, struct visit_head *h, const double **x)
{
    if (v->n < sizeof(*h))
        return -1;
    memcpy(h, v->data, sizeof(*h));
    if (h->n > (v->n - sizeof(*h)) / sizeof(**x) || v->n != sizeof(*h) + h->n * sizeof(**x) ||
        h->kind < VISIT_CALIBRATED || h->kind > VISIT_BATCH)
        return -1;
    /* The samples follow a head of 8-byte fields: aligned for double. */
    *x = (const double *)(const void *)((const char *)v->data + sizeof(*h));
    return 0;
}

int visit_read(const struct journal_visit *v, enum visit_kind *kind, int *index,
               const double **x, size_t *n)
{
    struct visit_head h;
    if (decode(v, &h, x))
        return -1;
    *kind = (enum visit_kind)h.kind;
    *index = h.index;
    *n = (size_t)h.n;
    return 0;
}

int visit_restore(const struct journal *j, size_t ordinal, const struct measure_spec *ms,
                  size_t lat_n, struct timing_state *t)
{
    int found = 0;

    memset(t, 0, sizeof(*t));
    for (size_t i = 0; j && i < j->n_visits; i++) {
        struct visit_head h;
        const double *x;
        int rc;

        if (j->visits[i].ordinal != ordinal)
            continue;
        if (decode(&j->visits[i], &h, &x))
            goto bad;
        if (h.kind == VISIT_CALIBRATED)
            rc = found ? -1 : restore_plan(&h, x, ms, lat_n, t);
        else
            rc = found ? restore_sample(&h, x, t) : -1;
        if (rc)
            goto bad;
        found = 1;
    }
    return found;
bad:
    timing_state_release(t);
    return -1;
}
