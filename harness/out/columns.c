/*
 * columns.c - names of column roles and types, and unset values.
 */
#include "out/columns.h"

#include <math.h>
#include <string.h>

static const char *const role_names[] = {
    [ROLE_SETTING] = "setting", [ROLE_QUALITY] = "quality", [ROLE_TIME] = "time",
    [ROLE_SIZE] = "size",       [ROLE_STATUS] = "status",   [ROLE_UNKNOWN] = "unknown",
};

const char *col_role_name(enum col_role r)
{
    return r <= ROLE_UNKNOWN ? role_names[r] : "unknown";
}

enum col_role col_role_parse(const char *s)
{
    for (int r = ROLE_SETTING; r < ROLE_UNKNOWN; r++)
        if (!strcmp(s, role_names[r]))
            return (enum col_role)r;
    return ROLE_UNKNOWN;
}

const char *col_type_name(enum col_type t)
{
    return t == COL_STR ? "string" : t == COL_I64 ? "int64" : "float64";
}

union result_cell col_unset(enum col_type t)
{
    union result_cell c;
    if (t == COL_I64)
        c.i = -1;
    else
        c.f = NAN;
    return c;
}
