/*
 * columns.h - what a results column is: a name, a value type, a role, a
 * unit and a line of help. The generic columns of /runs (results.c), the
 * columns each measure registers (measure.h) and the columns of side tables
 * are all declared this way, so writing, reading, the README's schema table
 * and comparing runs all come from the same declarations.
 */
#ifndef FS_COLUMNS_H
#define FS_COLUMNS_H

#include <stdint.h>

/* Longest column name, with its NUL. */
#define COL_NAME 32

enum col_type {
    COL_STR,    /* fixed-size NUL-terminated string (generic columns only) */
    COL_I64,    /* int64; "not measured" is -1 */
    COL_F64,    /* float64; "not measured" is NaN */
};

/* What a column says about a point, for pooling and comparing runs. */
enum col_role {
    ROLE_SETTING,   /* part of the point's identity: what was run (factory, nprobe, ...) */
    ROLE_QUALITY,   /* what the index answered, deterministic for the same input (recall) */
    ROLE_TIME,      /* a measured time or rate: differs from run to run */
    ROLE_SIZE,      /* a size or cost of the index (bytes, distance computations) */
    ROLE_STATUS,    /* whether and how the point ran */
    ROLE_UNKNOWN,   /* read from a file that did not say */
};

/* A column as a table declares it; the strings are static. */
struct col_def {
    const char *name;
    enum col_type type;
    enum col_role role;
    const char *unit;   /* "s", "us", "bytes", "1/s", ... or "" */
    const char *help;   /* one line, Markdown, for the schema table */
};

/* One value of a numeric column. */
union result_cell {
    int64_t i;
    double f;
};

/* "setting", "quality", "time", "size", "status", "unknown". */
const char *col_role_name(enum col_role r);
/* The role named s, or ROLE_UNKNOWN. */
enum col_role col_role_parse(const char *s);
/* "string", "int64", "float64". */
const char *col_type_name(enum col_type t);
/* The value of a column that was not measured: -1, or NaN. */
union result_cell col_unset(enum col_type t);

#endif
