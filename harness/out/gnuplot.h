/*
 * gnuplot.h - the one gnuplot driver: data files in the form the templates
 * under plots/ read, and running a template on them. Used by the trade-off
 * plots (out/plot.c) and the RVC findings report (rvc/report_plots.c).
 *
 * A data file holds one block per series, blocks separated by two blank
 * lines so that a template reaches series i with `index i`; the first line
 * of a block is its title, double-quoted, which the template uses as the
 * legend entry (`title columnheader(1)`). Everything about looks lives in
 * the templates; their inputs are passed as gnuplot variables (-e).
 */
#ifndef FS_GNUPLOT_H
#define FS_GNUPLOT_H

#include <stddef.h>
#include <stdio.h>

/* Write s to f as a gnuplot data field: double-quoted, inner " as '. */
void gnuplot_put_quoted(FILE *f, const char *s);

/* s as a gnuplot single-quoted string for -e variables (' doubled);
 * caller frees. */
char *gnuplot_quote(const char *s);

/* Open a data file for writing (as <path>.partial, renamed to path by
 * gnuplot_data_close once whole); NULL after an error naming it. */
FILE *gnuplot_data_open(const char *path);

/* Start block i (0-based) of a data file: two blank lines before every
 * block but the first, then the quoted title on a line of its own. */
void gnuplot_block(FILE *f, size_t i, const char *title);

/* Close a data file opened by gnuplot_data_open and rename it to path; 0,
 * or -1 after an error naming it when a write, the close or the rename
 * failed (the partial file is then removed). f is closed either way. */
int gnuplot_data_close(FILE *f, const char *path);

/* 0 when the template can be read, else -1 after an error naming it. */
int gnuplot_check_template(const char *template);

/* Run `gnuplot -e vars template` with stdin from /dev/null and wait.
 * Returns 0, or -1 after an error naming the template (gnuplot missing
 * from PATH, non-zero exit, killed by a signal). */
int gnuplot_run(const char *template, const char *vars);

/* gnuplot_run for a template that writes <outbase><ext> for each of the n
 * exts (".png", ".svg"): vars must not set outbase, which is set here to a
 * temporary name, so that no cut file is ever under a final name. Each
 * output must be there and whole (non-empty; a PNG ends in its IEND chunk,
 * an SVG in </svg>), then all are renamed to <outbase><ext>. Returns 0, or
 * -1 after an error naming the template (and the outputs it did not
 * write); the temporary files are removed either way. */
int gnuplot_draw(const char *template, const char *vars, const char *outbase,
                 const char *const *exts, size_t n);

#endif
