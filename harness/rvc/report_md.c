/*
 * report_md.c - the findings report as Markdown: the header, the input
 * files, what the numbers are, the verdicts, a section per claim (its claim,
 * rule, verdict per cell, rows and plot), and RVC's index_rate table. The
 * recommendation is in report_md_recommend.c.
 */
#include "rvc/report_parts.h"
#include "lib/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A table cell: no '|' or newline. */
static void put_cell(FILE *o, const char *s)
{
    for (; *s; s++)
        fputc(*s == '|' ? '/' : *s == '\n' ? ' ' : *s, o);
}

/* ---- writing: the input files ---- */

static const char *attr_text(const struct result_set *rs, const char *name, char *buf, size_t len)
{
    const struct result_attr *a = results_attr(rs, name);
    if (!a)
        return "-";
    if (a->type == ATTR_STR)
        return *a->s ? a->s : "-";
    if (a->type == ATTR_INT)
        snprintf(buf, len, "%lld", (long long)a->i);
    else
        snprintf(buf, len, "%s", g3(a->f).s);
    return buf;
}

static void write_inputs(FILE *o, const char *const *paths, const struct result_set *sets,
                         size_t n, const struct rep_rows *rr)
{
    static const char *const names[] = { "name", "d", "N values", "nq", "dataset_base",
        "dataset_queries", "faiss_version", "faiss_simd", "cpu_model", "batch_threads",
        "git_commit", "start_time", "rows (ok of all)" };
    char buf[64];

    fputs("## Inputs\n\n| |", o);
    for (size_t f = 0; f < n; f++) {
        fputs(" `", o);
        put_cell(o, paths[f]);
        fputs("` |", o);
    }
    fputs("\n|---|", o);
    for (size_t f = 0; f < n; f++)
        fputs("---|", o);
    fputc('\n', o);
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        fprintf(o, "| %s |", names[k]);
        for (size_t f = 0; f < n; f++) {
            fputc(' ', o);
            if (!strcmp(names[k], "N values")) {
                struct rep_strs s = { 0 };
                for (size_t i = 0; i < rr->n; i++)
                    if ((rr->v[i].files >> f) & 1u)
                        rep_strs_addf(&s, "%lld", (long long)rr->v[i].r.N);
                rep_strs_print(o, &s, "");
                rep_strs_release(&s);
            } else if (!strcmp(names[k], "rows (ok of all)")) {
                size_t ok = 0;
                for (size_t i = 0; i < rr->n; i++)
                    ok += (rr->v[i].files >> f) & 1u;
                fprintf(o, "%zu of %zu", ok, sets[f].n_rows);
            } else {
                put_cell(o, attr_text(&sets[f], names[k], buf, sizeof(buf)));
            }
            fputs(" |", o);
        }
        fputc('\n', o);
    }
    fputc('\n', o);
}

/* ---- writing: one claim ---- */

static void write_table(FILE *o, const struct rep_row *const *p, size_t n)
{
    long k8 = 8;
    for (size_t i = 0; i < n; i++)
        if (p[i]->k8 != 8)
            k8 = p[i]->k8;
    fprintf(o, "| d | N | family | factory | metric | preprocess | nprobe | k_factor | recall@1 | "
               "recall@%ld | blend err mean | blend err p95 | batch ms/s audio | single ms/s audio "
               "| index MiB | build s | runs |\n", k8);
    fputs("|--:|--:|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n", o);
    for (size_t i = 0; i < n; i++) {
        const struct rep_row *x = p[i];
        fprintf(o, "| %ld | %lld | ", x->d, (long long)x->r.N);
        put_cell(o, x->label);
        fputs(" | `", o);
        put_cell(o, x->r.factory);
        char batch[128];
        if (x->n_runs > 1)
            snprintf(batch, sizeof(batch), "%s (%s-%s)", ms(x).s, ms_of(x->t_lo).s,
                     ms_of(x->t_hi).s);
        else
            snprintf(batch, sizeof(batch), "%s", ms(x).s);
        if (isfinite(x->audio_s_qexpand))
            snprintf(batch + strlen(batch), sizeof(batch) - strlen(batch), " + %s expansion",
                     ms_of(x->audio_s_qexpand).s);
        fprintf(o, "` | %s | %s | %lld | %lld | %s | %s | %s | %s | %s | %s | %s | %s | %d |\n",
                x->r.metric, *x->r.preprocess ? x->r.preprocess : "-", (long long)x->r.nprobe,
                (long long)x->r.k_factor, g3(x->recall1).s, g3(x->recall8).s,
                g3(x->blend_err_mean).s, g3(x->blend_err_p95).s, batch,
                g3(x->audio_s_single * 1e3).s, g3(rep_mib(x)).s, g3(x->r.train_s + x->r.add_s).s,
                x->n_runs);
    }
    if (k8 != 8)
        fprintf(o, "\nrecall@%ld: the files have no k = 8, so the largest k is shown.\n", k8);
    fputc('\n', o);
}

/* What was run: the claim's own rows, then what they were compared with. */
static void write_what_ran(FILE *o, const struct rep_rows *rr, const struct finding *f, int claim)
{
    for (int own = 1; own >= 0; own--) {
        struct rep_strs lab = { 0 }, fac = { 0 }, pre = { 0 }, met = { 0 }, ns = { 0 }, ds = { 0 };
        for (size_t i = 0; i < f->n_rows; i++) {
            const struct rep_row *x = &rr->v[f->rows[i]];
            if ((x->claim == claim) != own)
                continue;
            rep_strs_add(&lab, x->label);
            rep_strs_add(&fac, x->r.factory);
            rep_strs_add(&pre, *x->r.preprocess ? x->r.preprocess : "none");
            rep_strs_add(&met, x->r.metric);
            rep_strs_addf(&ns, "%lld", (long long)x->r.N);
            rep_strs_addf(&ds, "%lld", (long long)x->d);
        }
        if (lab.n) {
            fputs(own ? "What was run: families " : "Compared with: families ", o);
            rep_strs_print(o, &lab, "`");
            fputs("; factories ", o);
            rep_strs_print(o, &fac, "`");
            fputs("; preprocessing ", o);
            rep_strs_print(o, &pre, "`");
            fputs("; metrics ", o);
            rep_strs_print(o, &met, "");
            fputs("; N = ", o);
            rep_strs_print(o, &ns, "");
            fputs("; d = ", o);
            rep_strs_print(o, &ds, "");
            fputs(".\n\n", o);
        }
        rep_strs_release(&lab);
        rep_strs_release(&fac);
        rep_strs_release(&pre);
        rep_strs_release(&met);
        rep_strs_release(&ns);
        rep_strs_release(&ds);
    }
}

/* "**supported** (3 of 3 comparisons)" and, when split, where each way. */
static void write_verdict(FILE *o, const char *part, const struct finding *f)
{
    size_t n[2] = { 0, 0 };
    for (size_t i = 0; i < f->n_cells; i++)
        if (f->cells[i].outcome >= 0)
            n[f->cells[i].outcome]++;
    fprintf(o, "**Verdict%s: %s**", part, verdict_name(f->verdict));
    if (n[0] + n[1])
        fprintf(o, " (supported in %zu of %zu comparisons)", n[1], n[0] + n[1]);
    fputs(".\n\n", o);
    for (size_t i = 0; i < f->n_cells; i++) {
        const struct cell *c = &f->cells[i];
        fprintf(o, "- d = %ld, N = %lld, %s%s%s: %s%s%s: %s\n", c->d, (long long)c->N, c->metric,
                *c->what ? ", " : "", c->what, c->outcome < 0 ? "" : "**",
                c->outcome < 0 ? "not decided" : c->outcome ? "supported" : "not supported",
                c->outcome < 0 ? "" : "**", c->why);
    }
    if (f->n_cells)
        fputc('\n', o);
}

/* ---- the blend at each index_rate ---- */

/* Today's and the 2023-04 default at every index_rate of the sweep. */
static void write_index_rate(FILE *o, const struct rep_rows *rr, const struct result_set *sets)
{
    struct finding all;
    const struct rep_row **p;
    int head = 0;

    finding_init(&all);
    for (size_t i = 0; i < rr->n; i++)
        if (rr->v[i].claim == 1)
            finding_use_row(&all, i);
    p = rep_sorted_rows(rr, &all);
    for (size_t i = 0; i < all.n_rows; i++) {
        struct rep_rate b[16];
        size_t n = rep_blend_rows(sets, p[i], b, 16);
        if (n < 2)
            continue;
        if (!head++)
            fputs("## index_rate\n\n"
                  "RVC's index_rate slider mixes f = index_rate r + (1 - index_rate) q; the study "
                  "sweeps it as an axis of the blend alone (same search). Blend error mean, and in "
                  "brackets the tolerance at that index_rate (5 x blend_ir_unit), for the two C1 "
                  "defaults:\n\n| d | N | family | setting | index_rate: blend error (tolerance) |\n"
                  "|--:|--:|---|---|---|\n", o);
        char set[160];
        rep_setting(p[i], set, sizeof(set));
        fprintf(o, "| %ld | %lld | %s | `%s` | ", p[i]->d, (long long)p[i]->r.N, p[i]->label, set);
        for (size_t j = 0; j < n; j++)
            fprintf(o, "%s%s: %s (%s)", j ? "; " : "", g3(b[j].index_rate).s,
                    g3(b[j].err_mean).s, g3(b[j].ir_unit * (REPORT_IR_TOL / 0.01)).s);
        fputs(" |\n", o);
    }
    if (head)
        fputs("\nThe error grows with index_rate: at 0 RVC ignores the index and both sides "
              "give f = q.\n\n", o);
    free(p);
    finding_release(&all);
}

/* ---- the whole report ---- */

static void write_head(FILE *o, const char *cmdline)
{
    fputs("# RVC index defaults: the faiss tips' claims, measured\n\n", o);
    fprintf(o, "Generated by `%s`. Every number below is read from the rows with status ok of "
               "the files listed; none is typed by hand.\n\n", cmdline);
}

static void write_units(FILE *o)
{
    fputs("## What the numbers are\n\n"
          "- **blend error**: RVC blends the 8 neighbours it finds, weighted by (1/score)^2, "
          "into r and mixes f = 0.75 r + 0.25 q. The blend error is |f_ann - f_exact| / "
          "|f_exact| between f from the index under test and f from the exact neighbours, "
          "mean (and 95th percentile) over the queries: 0 means the index changes nothing RVC "
          "outputs. Each metric's exact neighbours are those of that metric.\n"
          "- **batch ms/s audio**: milliseconds of search per second of source audio (50 frames), "
          "all queries in one call on the batch threads; **single ms/s audio**: the same with "
          "one query at a time on one thread (real-time mode).\n"
          "- **recall@1**, **recall@8**: k-recall@k against exact search (k-means rows have "
          "none: their ids are centroids).\n"
          "- **index MiB**: serialized index size; **build s**: train + add seconds.\n"
          "- **tolerance**: where a rule needs \"no worse in practice\", a blend error no "
          "larger than the change of f that moving RVC's index_rate slider by 0.05 makes "
          "(blend_ir_unit, the mean of 0.01 |r_exact - q| / |f_exact| over the same queries, "
          "times 5). It is a yardstick in RVC's own units, not a listening test.\n"
          "- **runs**: files that measured the same point of the same study (same name, "
          "settings and answers) are pooled: times are their median, `(lo-hi)` their range, and "
          "a speed rule calls one point faster than another only when it is faster in every "
          "run (the ranges do not overlap). Speeds are from shared machines.\n\n", o);
}

/* How many points were pooled from several files, and the widest spread
 * between runs of one point. */
static void write_pooling(FILE *o, const struct rep_rows *rr)
{
    size_t pooled = 0, most = 1;
    for (size_t i = 0; i < rr->n; i++) {
        pooled += rr->v[i].n_runs > 1;
        most = (size_t)rr->v[i].n_runs > most ? (size_t)rr->v[i].n_runs : most;
    }
    if (pooled)
        fprintf(o, "Pooled: %zu of the %zu points were measured by more than one of these files "
                   "(up to %zu runs); their times are the median, with the range beside.\n\n",
                pooled, rr->n, most);
    if (rr->spread >= 1)
        fprintf(o, "Spread: the widest range between runs of one point is x%s (highest over "
                   "lowest batch time); points that no one file measured together are called "
                   "faster or slower only when they differ by more than that.\n\n",
                g3(rr->spread).s);
    else
        fputs("Spread: no point was measured by two files, so points that no one file measured "
              "together are never called faster or slower.\n\n", o);
}

/* The table of verdicts, one line per claim. */
static void write_verdicts(FILE *o, const struct finding *f)
{
    fputs("## Verdicts\n\n| claim | verdict |\n|---|---|\n", o);
    for (int id = 1; id <= 8; id++) {
        fprintf(o, "| [C%d](#c%d) %s | %s", id, id, report_claims[id].title, verdict_name(f[id].verdict));
        if (id == 5)
            fprintf(o, " (time proportional to nprobe); %s (nprobe 1 is enough)",
                    verdict_name(f[REPORT_C5_NP1].verdict));
        fputs(" |\n", o);
    }
    fputs("\n", o);
}

/* The section of claim `id`: claim, rule, what ran, verdicts, rows, plot.
 * Returns 0, or -1 when its plot could not be drawn. */
static int write_claim(FILE *o, const struct rep_rows *rr, const struct finding *f, int id,
                       const char *imgdir, const char *templates_dir)
{
    char tag[8];
    snprintf(tag, sizeof(tag), "c%d", id);
    fprintf(o, "<a id=\"c%d\"></a>\n## C%d: %s\n\n**Claim.** %s.\n\n**Rule.** %s.\n\n", id, id,
            report_claims[id].title, report_claims[id].claim, report_claims[id].rule);
    if (f[id].verdict == VERDICT_NOT_MEASURED) {
        fprintf(o, "**Not measured in these files**: no row's family starts with `C%d `.\n\n", id);
        return 0;
    }
    write_what_ran(o, rr, &f[id], id);
    if (id == 7)
        fputs("Blend error measures fidelity to the exact neighbours of the original query "
              "in the original base; expansion changes those neighbours by design. The "
              "verdict says what this measure shows, not whether voices sound better.\n\n", o);
    if (id == 2)
        fputs("Each metric is measured against exact search in that metric: this says which "
              "metric the index approximates more faithfully, not which neighbours sound "
              "better.\n\n", o);
    write_verdict(o, id == 5 ? " (time proportional to nprobe)" : "", &f[id]);
    if (id == 5)
        write_verdict(o, " (nprobe 1 is enough)", &f[REPORT_C5_NP1]);
    const struct rep_row **p = rep_sorted_rows(rr, &f[id]);
    write_table(o, p, f[id].n_rows);
    free(p);
    int drawn = report_draw_claim(rr, &f[id], id, tag, imgdir, templates_dir);
    if (drawn < 0)
        return -1;
    if (drawn)
        fprintf(o, "![C%d: %s](img/rvc-%s.png)\n\n", id, report_claims[id].title, tag);
    else
        fputs("(no points with a blend error and a time to plot)\n\n", o);
    return 0;
}

int report_md_write(FILE *o, const char *const *paths, const struct result_set *sets,
                    size_t n_paths, const struct rep_rows *rr, const struct finding *f,
                    const char *imgdir, const char *templates_dir, const char *cmdline)
{
    write_head(o, cmdline);
    write_inputs(o, paths, sets, n_paths, rr);
    write_pooling(o, rr);
    write_units(o);
    write_verdicts(o, f);
    for (int id = 1; id <= 8; id++)
        if (write_claim(o, rr, f, id, imgdir, templates_dir) < 0)
            return -1;
    write_index_rate(o, rr, sets);
    report_md_recommend(o, rr);
    return 0;
}
