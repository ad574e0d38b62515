/*
 * report.c - `faiss-sweep report`: read the results files, pool repeated
 * runs, decide the faiss tips' claims C1-C8 and write the Markdown with
 * one plot per claim (report_write). The parts live in the files listed in
 * rvc/report_parts.h.
 */
#include "rvc/report_parts.h"
#include "lib/util.h"
#include "out/pool.h"
#include "rvc/measure.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Every claim's finding from the rows: f[1..8] and f[REPORT_C5_NP1]. */
static void decide(const struct rep_rows *rr, struct finding *f)
{
    report_c1(rr, &f[1]);
    report_c2(rr, &f[2]);
    report_c3(rr, &f[3]);
    report_c4(rr, &f[4]);
    report_c5(rr, &f[5], &f[REPORT_C5_NP1]);
    report_c6(rr, &f[6]);
    report_c7(rr, &f[7]);
    report_c8(rr, &f[8]);
}

int report_write(const char *const *paths, size_t n_paths, const char *outdir,
                 const char *templates_dir, const char *cmdline)
{
    struct result_set *sets = xcalloc(n_paths ? n_paths : 1, sizeof(*sets));
    struct rep_rows rr = { 0 };
    struct finding *f = xcalloc(REPORT_N_FINDINGS, sizeof(*f));
    char *imgdir = xasprintf("%s/img", outdir);
    char *md = xasprintf("%s/rvc-findings.md", outdir);
    char *partial = xasprintf("%s.partial", md);
    FILE *o = NULL;
    int rc = -1;

    for (size_t i = 0; i < n_paths; i++) {
        if (results_read(&sets[i], paths[i]) < 0)
            goto out;
        /* files from before roles were stored: RVC's columns are known here */
        results_know_columns(&sets[i], rvc_measure_cols, rvc_measure_n_cols);
        results_know_columns(&sets[i], rvc_blend_cols, rvc_blend_n_cols);
        /* one run given twice would count its times twice */
        for (size_t j = 0; j < i; j++) {
            const struct result_set *two[2] = { &sets[j], &sets[i] };
            const char *names[2] = { paths[j], paths[i] };
            if (pool_check_distinct(two, names, 2) < 0)
                goto out;
        }
    }
    if (rep_rows_pool(&rr, sets, n_paths) < 0)
        goto out;
    if (!rr.n) {
        error("nothing to report in '%s'%s: no row has status ok", n_paths ? paths[0] : "",
              n_paths > 1 ? " and the other files" : "");
        goto out;
    }
    if (make_dirs(imgdir) < 0)
        goto out;
    decide(&rr, f);
    if (!(o = fopen(partial, "w"))) {
        error_errno("cannot create '%s'", partial);
        goto out;
    }
    if (report_md_write(o, paths, sets, n_paths, &rr, f, imgdir, templates_dir, cmdline) < 0)
        goto out;
    int bad = ferror(o);
    int closed = fclose(o);
    o = NULL;
    if (bad || closed) {
        error_errno("cannot write '%s'", partial);
        goto out;
    }
    if (rename(partial, md) < 0) {
        error_errno("cannot rename '%s' to '%s'", partial, md);
        goto out;
    }
    rc = 0;
out:
    if (o)
        fclose(o);
    if (rc < 0)
        unlink(partial);
    for (size_t i = 0; i < n_paths; i++)
        results_release(&sets[i]);
    free(sets);
    for (int i = 0; i < REPORT_N_FINDINGS; i++)
        finding_release(&f[i]);
    free(f);
    rep_rows_release(&rr);
    free(partial);
    free(md);
    free(imgdir);
    return rc;
}
