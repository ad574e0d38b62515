/*
 * report_text.c - small sets of strings, in first-seen order, that the
 * report's writers collect and print as lists ("a, b, c").
 */
#include "rvc/report_parts.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rep_strs_add(struct rep_strs *s, const char *t)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], t))
            return;
    s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
    s->v[s->n++] = xstrdup(t);
}

void rep_strs_addf(struct rep_strs *s, const char *fmt, long long v)
{
    char b[32];
    snprintf(b, sizeof(b), fmt, v);
    rep_strs_add(s, b);
}

void rep_strs_print(FILE *o, const struct rep_strs *s, const char *quote)
{
    for (size_t i = 0; i < s->n; i++)
        fprintf(o, "%s%s%s%s", i ? ", " : "", quote, s->v[i], quote);
    if (!s->n)
        fputs("-", o);
}

void rep_strs_release(struct rep_strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}
