/*
 * compare_report.h - the verdicts of `faiss-sweep compare` for people and
 * for CI: a terminal table, Markdown (a job summary or a pull-request
 * comment), JUnit XML (one test case per gated quantity) and JSON.
 */
#ifndef FS_COMPARE_REPORT_H
#define FS_COMPARE_REPORT_H

#include <stdio.h>
#include "out/compare.h"

/* The terminal table: the files, notes, points in one file only, then the
 * regressions, the improvements and the undecided items, one line each
 * with both values, the ratio and the test's p-value and interval or the
 * tolerance; last a count of every verdict. */
void compare_print(FILE *f, const struct compare_result *r);

/* The same as a Markdown table (unchanged items counted, not listed).
 * Returns 0, or -1 after an error naming the file. */
int compare_write_markdown(const struct compare_result *r, const char *path);
/* JUnit XML: a test suite of one test case per item (classname: the point,
 * name: the quantity); a regression is a failure carrying the numbers, an
 * undecided item is skipped with its reason. Returns 0 or -1 (error). */
int compare_write_junit(const struct compare_result *r, const char *path);
/* JSON: {"baseline", "candidate", "regression": bool, "counts",
 * "notes", "only_in_baseline", "only_in_candidate", "items": [{"point",
 * "quantity", "verdict", "test", "baseline", "candidate", "ratio", "p",
 * "tolerance", "ratio_lo", "ratio_hi", "n_baseline", "n_candidate",
 * "note"}]}; numbers not measured are null. Returns 0 or -1 (error). */
int compare_write_json(const struct compare_result *r, const char *path);

/* 1 when r holds a regression, else 0: the exit status of compare. */
int compare_exit_code(const struct compare_result *r);

#endif
