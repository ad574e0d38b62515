/*
 * compare_report.c - the terminal table, Markdown, JUnit XML and JSON of a
 * comparison; see compare_report.h. Every writer renders the same items
 * with the same numbers (item_detail).
 */
#include "out/compare_report.h"
#include "lib/util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int compare_exit_code(const struct compare_result *r)
{
    return r->counts[CMP_REGRESSION] ? 1 : 0;
}

/* A value in 4 significant digits, "-" when not measured. */
static const char *num(char *buf, size_t n, double v)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.4g", v);
    return buf;
}

/* What decided, in numbers: "ratio 0.792, p 0.0079, 95% 0.75-0.83, 5 vs 5",
 * "change -0.012, tolerance 0.0061", ... */
static void item_detail(const struct cmp_item *it, char *buf, size_t n)
{
    size_t len = 0;

#define ADD(...)                                                                     \
    do {                                                                             \
        if (len < n)                                                                 \
            len += (size_t)snprintf(buf + len, n - len, __VA_ARGS__);                \
    } while (0)
    buf[0] = '\0';
    if (it->test == CMP_TOLERANCE && isnan(it->ratio)) {
        ADD("change %+.4g, tolerance %.4g", it->cand - it->base, it->tol);
        return;
    }
    if (isfinite(it->ratio))
        ADD("ratio %.3f", it->ratio);
    if (it->test == CMP_TOLERANCE)
        ADD(", tolerance %g%%", 100 * it->tol);
    if (!isnan(it->p))
        ADD(", p %.2g", it->p);
    if (!isnan(it->lo))
        ADD(", 95%% %.3f-%.3f", it->lo, it->hi);
    if (it->test == CMP_MANN_WHITNEY)
        ADD("%s%zu vs %zu samples", len ? ", " : "", it->n_base, it->n_cand);
    if (it->test == CMP_MANN_WHITNEY || it->test == CMP_INTERVALS)
        ADD(", noise floor %g%%", 100 * it->tol);
    if (it->test == CMP_INTERVALS)
        ADD(" (stored intervals)");
#undef ADD
}

static void print_item(FILE *f, const struct cmp_item *it)
{
    char x[32], y[32], d[160];

    item_detail(it, d, sizeof(d));
    fprintf(f, "  %s  %s: %s -> %s", it->point, it->quantity, num(x, sizeof(x), it->base),
            num(y, sizeof(y), it->cand));
    if (*d)
        fprintf(f, " (%s)", d);
    if (*it->note)
        fprintf(f, ": %s", it->note);
    fputc('\n', f);
}

void compare_print(FILE *f, const struct compare_result *r)
{
    static const enum cmp_verdict listed[] = { CMP_REGRESSION, CMP_IMPROVEMENT, CMP_UNDECIDED };
    static const char *const titles[] = { "regressions", "improvements",
                                          ("undecided (too few repetitions to decide, or no "
                                           "timings)") };

    fprintf(f, "baseline  %s\ncandidate %s\n", r->base_path, r->cand_path);
    for (size_t i = 0; i < r->n_notes; i++)
        fprintf(f, "note: %s\n", r->notes[i]);
    for (size_t i = 0; i < r->n_only_base; i++)
        fprintf(f, "only in the baseline: %s\n", r->only_base[i]);
    for (size_t i = 0; i < r->n_only_cand; i++)
        fprintf(f, "only in the candidate: %s\n", r->only_cand[i]);
    for (size_t v = 0; v < 3; v++) {
        if (!r->counts[listed[v]])
            continue;
        fprintf(f, "%s (%zu):\n", titles[v], r->counts[listed[v]]);
        for (size_t i = 0; i < r->n_items; i++)
            if (r->items[i].verdict == listed[v])
                print_item(f, &r->items[i]);
    }
    fprintf(f, "%zu quantities: %zu regressions, %zu improvements, %zu unchanged, "
               "%zu undecided\n",
            r->n_items, r->counts[CMP_REGRESSION], r->counts[CMP_IMPROVEMENT],
            r->counts[CMP_UNCHANGED], r->counts[CMP_UNDECIDED]);
}

/* s with Markdown's table separator escaped. */
static void md_cell(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
}

/* Close f and report a write error naming path. */
static int finish(FILE *f, const char *path)
{
    int bad = ferror(f);

    if (fclose(f) || bad)
        return error_errno("cannot write '%s'", path);
    return 0;
}

int compare_write_markdown(const struct compare_result *r, const char *path)
{
    FILE *f = fopen(path, "w");
    char x[32], y[32], d[160];

    if (!f)
        return error_errno("cannot create '%s'", path);
    fprintf(f, "### faiss-sweep compare: %s\n\n",
            r->counts[CMP_REGRESSION] ? "regression" : "no regression");
    fprintf(f, "Baseline `%s`, candidate `%s`: %zu quantities, %zu regressions, "
               "%zu improvements, %zu unchanged, %zu undecided.\n\n",
            r->base_path, r->cand_path, r->n_items, r->counts[CMP_REGRESSION],
            r->counts[CMP_IMPROVEMENT], r->counts[CMP_UNCHANGED], r->counts[CMP_UNDECIDED]);
    for (size_t i = 0; i < r->n_notes; i++)
        fprintf(f, "- note: %s\n", r->notes[i]);
    for (size_t i = 0; i < r->n_only_base; i++)
        fprintf(f, "- only in the baseline: `%s`\n", r->only_base[i]);
    for (size_t i = 0; i < r->n_only_cand; i++)
        fprintf(f, "- only in the candidate: `%s`\n", r->only_cand[i]);
    if (r->n_notes || r->n_only_base || r->n_only_cand)
        fputc('\n', f);
    if (r->n_items > r->counts[CMP_UNCHANGED]) {
        fputs("| verdict | point | quantity | baseline | candidate | test | numbers | note |\n"
              "|---|---|---|---:|---:|---|---|---|\n", f);
        for (size_t v = 0; v < CMP_N_VERDICTS; v++)
            for (size_t i = 0; i < r->n_items; i++) {
                const struct cmp_item *it = &r->items[i];
                if (it->verdict != v || v == CMP_UNCHANGED)
                    continue;
                item_detail(it, d, sizeof(d));
                fprintf(f, "| %s | ", cmp_verdict_name(it->verdict));
                md_cell(f, it->point);
                fprintf(f, " | %s | %s | %s | %s | ", it->quantity, num(x, sizeof(x), it->base),
                        num(y, sizeof(y), it->cand), cmp_test_name(it->test));
                md_cell(f, d);
                fputs(" | ", f);
                md_cell(f, it->note);
                fputs(" |\n", f);
            }
    }
    return finish(f, path);
}

/* s escaped for XML text and attributes. */
static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            /* Control characters are not valid XML 1.0. */
            fputc((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' ? ' ' : *s, f);
        }
}

/* One item's numbers as a sentence: "qps 1200 -> 950 (ratio ...): note". */
static void item_sentence(const struct cmp_item *it, char *buf, size_t n)
{
    char x[32], y[32], d[160];

    item_detail(it, d, sizeof(d));
    snprintf(buf, n, "%s %s: %s -> %s%s%s%s%s%s", cmp_verdict_name(it->verdict), it->quantity,
             num(x, sizeof(x), it->base), num(y, sizeof(y), it->cand), *d ? " (" : "", d,
             *d ? ")" : "", *it->note ? ": " : "", it->note);
}

int compare_write_junit(const struct compare_result *r, const char *path)
{
    FILE *f = fopen(path, "w");
    char s[600];
    size_t fails = r->counts[CMP_REGRESSION], skips = r->counts[CMP_UNDECIDED];

    if (!f)
        return error_errno("cannot create '%s'", path);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<testsuites name=\"faiss-sweep compare\" tests=\"%zu\" failures=\"%zu\" "
               "errors=\"0\" skipped=\"%zu\">\n"
               "  <testsuite name=\"faiss-sweep compare\" tests=\"%zu\" failures=\"%zu\" "
               "errors=\"0\" skipped=\"%zu\">\n    <properties>\n",
            r->n_items, fails, skips, r->n_items, fails, skips);
    const char *props[2][2] = { { "baseline", r->base_path }, { "candidate", r->cand_path } };
    for (int i = 0; i < 2; i++) {
        fprintf(f, "      <property name=\"%s\" value=\"", props[i][0]);
        xml_text(f, props[i][1]);
        fputs("\"/>\n", f);
    }
    for (size_t i = 0; i < r->n_notes; i++) {
        fputs("      <property name=\"note\" value=\"", f);
        xml_text(f, r->notes[i]);
        fputs("\"/>\n", f);
    }
    fputs("    </properties>\n", f);
    for (size_t i = 0; i < r->n_items; i++) {
        const struct cmp_item *it = &r->items[i];
        fputs("    <testcase classname=\"", f);
        xml_text(f, it->point);
        fputs("\" name=\"", f);
        xml_text(f, it->quantity);
        fputs("\"", f);
        if (it->verdict != CMP_REGRESSION && it->verdict != CMP_UNDECIDED) {
            fputs("/>\n", f);
            continue;
        }
        item_sentence(it, s, sizeof(s));
        fprintf(f, ">\n      <%s message=\"", it->verdict == CMP_REGRESSION ? "failure" : "skipped");
        xml_text(f, s);
        if (it->verdict == CMP_REGRESSION) {
            fputs("\" type=\"regression\">", f);
            xml_text(f, s);
            fputs("</failure>\n", f);
        } else {
            fputs("\"/>\n", f);
        }
        fputs("    </testcase>\n", f);
    }
    fputs("  </testsuite>\n</testsuites>\n", f);
    return finish(f, path);
}

/* A JSON string. */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* A JSON number, null when not finite. */
static void json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

static void json_list(FILE *f, const char *name, char *const *v, size_t n)
{
    fprintf(f, ",\n  \"%s\": [", name);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", f);
        json_str(f, v[i]);
    }
    fputc(']', f);
}

static void json_item(FILE *f, const struct cmp_item *it)
{
    fputs("    {\"point\": ", f);
    json_str(f, it->point);
    fputs(", \"quantity\": ", f);
    json_str(f, it->quantity);
    fprintf(f, ", \"verdict\": \"%s\", \"test\": \"%s\"", cmp_verdict_name(it->verdict),
            cmp_test_name(it->test));
    const char *names[] = { "baseline", "candidate", "ratio", "p", "tolerance", "ratio_lo",
                            "ratio_hi" };
    double vals[] = { it->base, it->cand, it->ratio, it->p, it->tol, it->lo, it->hi };
    for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
        fprintf(f, ", \"%s\": ", names[k]);
        json_num(f, vals[k]);
    }
    fprintf(f, ", \"n_baseline\": %zu, \"n_candidate\": %zu, \"note\": ", it->n_base,
            it->n_cand);
    json_str(f, it->note);
    fputc('}', f);
}

int compare_write_json(const struct compare_result *r, const char *path)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return error_errno("cannot create '%s'", path);
    fputs("{\n  \"baseline\": ", f);
    json_str(f, r->base_path);
    fputs(",\n  \"candidate\": ", f);
    json_str(f, r->cand_path);
    fprintf(f, ",\n  \"regression\": %s", compare_exit_code(r) ? "true" : "false");
    fputs(",\n  \"counts\": {", f);
    for (size_t v = 0; v < CMP_N_VERDICTS; v++)
        fprintf(f, "%s\"%s\": %zu", v ? ", " : "", cmp_verdict_name(v), r->counts[v]);
    fputc('}', f);
    json_list(f, "notes", r->notes, r->n_notes);
    json_list(f, "only_in_baseline", r->only_base, r->n_only_base);
    json_list(f, "only_in_candidate", r->only_cand, r->n_only_cand);
    fputs(",\n  \"items\": [\n", f);
    for (size_t i = 0; i < r->n_items; i++) {
        json_item(f, &r->items[i]);
        fputs(i + 1 < r->n_items ? ",\n" : "\n", f);
    }
    fputs("  ]\n}\n", f);
    return finish(f, path);
}
