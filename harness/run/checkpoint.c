/*
 * checkpoint.c - periodic complete results files while a run goes.
 */
#include "run/checkpoint.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void checkpoint_init(struct checkpoint *cp, const char *results_path, long interval_s)
{
    cp->path = xasprintf("%s.checkpoint", results_path);
    cp->interval_s = interval_s;
    cp->t_last = now_s();
}

void checkpoint_write(struct checkpoint *cp, struct result_set *rs, size_t done, size_t total)
{
    char what[128];

    if (!cp->path || cp->interval_s < 0 || now_s() - cp->t_last < (double)cp->interval_s)
        return;
    snprintf(what, sizeof(what), "%zu of %zu points; the run did not finish", done, total);
    results_attr_str(rs, "checkpoint", what);
    if (results_write(rs, cp->path))
        warning("checkpoint not written; the run goes on");
    results_attr_del(rs, "checkpoint");
    cp->t_last = now_s();
}

void checkpoint_remove(const struct checkpoint *cp)
{
    if (cp->path)
        unlink(cp->path);
}

void checkpoint_release(struct checkpoint *cp)
{
    free(cp->path);
    memset(cp, 0, sizeof(*cp));
}
