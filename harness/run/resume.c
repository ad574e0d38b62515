/*
 * resume.c - which journal a resume continues, whether it may, which grid
 * points its rows are, and the provenance of a resumed run (resume.h).
 */
#include "run/resume.h"
#include "lib/util.h"
#include "run/point.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char J_SUFFIX[] = ".h5.journal";

/* Whether name is "<cfg>-YYYYMMDDTHHMMSSZ[-<n>].h5.journal": then *stamp
 * (17 bytes) and *n (1 without a number) are set. */
static int journal_name(const char *name, const char *cfg, char *stamp, long *n)
{
    size_t lc = strlen(cfg), ln = strlen(name), ls = sizeof(J_SUFFIX) - 1;
    const char *p = name + lc + 1, *end = name + ln - ls;
    static const char pattern[] = "ddddddddTddddddZ";

    if (ln < lc + 1 + 16 + ls || strncmp(name, cfg, lc) || name[lc] != '-' ||
        strcmp(end, J_SUFFIX))
        return 0;
    for (int i = 0; i < 16; i++)
        if (pattern[i] == 'd' ? !isdigit((unsigned char)p[i]) : p[i] != pattern[i])
            return 0;
    memcpy(stamp, p, 16);
    stamp[16] = '\0';
    p += 16;
    *n = 1;
    if (p == end)
        return 1;
    if (*p++ != '-' || p == end)
        return 0;
    for (const char *q = p; q < end; q++)
        if (!isdigit((unsigned char)*q))
            return 0;
    *n = strtol(p, NULL, 10);
    return 1;
}

char *resume_find(const char *outdir, const char *name, const char *results)
{
    char best[17] = "", stamp[17];
    long best_n = 0, n;
    char *path = NULL;
    struct dirent *e;
    DIR *d;

    if (results) {
        struct stat st;
        path = xasprintf("%s.journal", results);
        if (stat(path, &st) == 0)
            return path;
        free(path);
        if (stat(results, &st) == 0)
            error("nothing to resume in '%s': its run finished (it has no journal)", results);
        else
            error("nothing to resume: neither '%s' nor its journal exists", results);
        return NULL;
    }
    if (!(d = opendir(outdir))) {
        error_errno("cannot read the output folder '%s'", outdir);
        return NULL;
    }
    while ((e = readdir(d))) {
        struct stat st;
        char *p;
        if (!journal_name(e->d_name, name, stamp, &n))
            continue;
        p = xasprintf("%s/%s", outdir, e->d_name);
        /* An empty journal is a claim whose run died before its first
         * record: nothing to continue. */
        if (stat(p, &st) == 0 && st.st_size > 0 &&
            (strcmp(stamp, best) > 0 || (!strcmp(stamp, best) && n > best_n))) {
            free(path);
            path = p;
            memcpy(best, stamp, sizeof(best));
            best_n = n;
        } else {
            free(p);
        }
    }
    closedir(d);
    if (!path)
        error("nothing to resume: no unfinished run of '%s' in '%s' (no %s-*%s)", name, outdir,
              name, J_SUFFIX);
    return path;
}

int resume_check(const struct journal_head *was, const struct journal_head *now,
                 const char *journal_path, int force)
{
    char what[512] = "";
    size_t len = 0;
    const struct {
        const char *a, *b, *name;
    } f[] = {
        { was->config_text, now->config_text, "the config text" },
        { was->config_sets, now->config_sets, "the --set overrides" },
        { was->dataset_hash, now->dataset_hash, "the data's content hash" },
        { was->harness_version, now->harness_version, "the harness version" },
        { was->git_commit, now->git_commit, "the harness commit" },
        { was->faiss_version, now->faiss_version, "the faiss version" },
    };

    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        int short_values = strlen(f[i].a) < 48 && strlen(f[i].b) < 48 && !strchr(f[i].a, '\n') &&
                           !strchr(f[i].b, '\n');
        if (!strcmp(f[i].a, f[i].b) || len >= sizeof(what))
            continue;
        if (short_values)
            len += (size_t)snprintf(what + len, sizeof(what) - len, "%s%s ('%s', now '%s')",
                                    len ? ", " : "", f[i].name, f[i].a, f[i].b);
        else
            len += (size_t)snprintf(what + len, sizeof(what) - len, "%s%s", len ? ", " : "",
                                    f[i].name);
    }
    if (!len)
        return 0;
    if (!force)
        return error("cannot resume from '%s': %s differ%s from this run's (--force resumes "
                     "anyway)", journal_path, what, strchr(what, ',') ? "" : "s");
    warning("resuming from '%s' although %s differ%s from this run's (--force)", journal_path,
            what, strchr(what, ',') ? "" : "s");
    return 1;
}

int resume_check_layout(const struct journal_head *was, const char *layout,
                        const char *journal_path)
{
    if (!strcmp(was->layout, layout))
        return 0;
    return error("cannot resume from '%s': its rows were written in another layout of the "
                 "results (another build of the harness, or other measures), not even with "
                 "--force", journal_path);
}

/* Whether grid point p of build b is the point the row was made for. */
static int same_point(const struct resume_match *m, const struct build_point *b,
                      const struct search_point *p, const struct result_row *row)
{
    char family[sizeof(row->family)];

    if (p->nprobe != row->nprobe || p->k_factor != row->k_factor || b->nlist != row->nlist ||
        (int64_t)rv_rows(m->vec, b->metric, b->N) != row->N ||
        strcmp(b->factory, row->factory) || strcmp(metric_name(b->metric), row->metric) ||
        strcmp(b->prep, row->preprocess))
        return 0;
    point_family(m->cfg, b, family, sizeof(family));
    return !strcmp(family, row->family);
}

/* The build holding grid point `ordinal` (builds are in ordinal order). */
static const struct build_point *build_of(const struct grid *g, size_t ordinal)
{
    size_t lo = 0, hi = g->n_builds;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->builds[mid].n_points && g->builds[mid].points[0].ordinal > ordinal)
            hi = mid;
        else
            lo = mid;
    }
    return lo < g->n_builds ? &g->builds[lo] : NULL;
}

long resume_accept(void *ctx, size_t ordinal, const struct result_row *row)
{
    struct resume_match *m = ctx;
    const struct build_point *b = ordinal < m->grid->n_points ? build_of(m->grid, ordinal) : NULL;
    long found = -1;

    if (b && b->n_points && ordinal - b->points[0].ordinal < b->n_points &&
        same_point(m, b, &b->points[ordinal - b->points[0].ordinal], row))
        found = (long)ordinal;
    /* Only a config changed under --force gets here. */
    for (size_t i = 0; found < 0 && i < m->grid->n_builds; i++)
        for (size_t j = 0; found < 0 && j < m->grid->builds[i].n_points; j++)
            if (same_point(m, &m->grid->builds[i], &m->grid->builds[i].points[j], row))
                found = (long)m->grid->builds[i].points[j].ordinal;
    if (found < 0 || m->done[found]) {
        m->n_dropped++;
        return -1;
    }
    m->done[found] = 1;
    return found;
}

void resume_attrs(struct result_set *rs, const struct journal *j, const char *now,
                  size_t carried)
{
    size_t len = strlen(now) + 1;
    char *at;

    for (size_t i = 0; i < j->n_resumes; i++)
        len += strlen(j->resumes[i]) + 2;
    at = xmalloc(len);
    at[0] = '\0';
    for (size_t i = 0; i < j->n_resumes; i++) {
        strcat(at, j->resumes[i]);
        strcat(at, ", ");
    }
    strcat(at, now);
    results_attr_int(rs, "resumed", (int64_t)j->n_resumes + 1);
    results_attr_str(rs, "resumed_at", at);
    results_attr_int(rs, "resumed_rows", (int64_t)carried);
    free(at);
}
