/*
 * main.c - the faiss-sweep command line.
 *
 * One table of commands (commands[] below: name, handler, operands, the
 * options it takes, a help line) drives both the dispatch and the usage
 * text; one table of options (options[]) and one parser serve every command.
 * A command's handler gets its parsed words as struct args and maps them
 * onto the module it drives (run_sweep, plot_results, ...).
 *
 * Exit status: 0; 1 when the command failed (after one error line); 2 for a
 * usage error (unknown command or option, wrong number of operands).
 *
 * The program's own files are found relative to the executable (lib/paths.h):
 * nothing here names the tree it was built from.
 */
#include "lib/backend.h"
#include "core/config.h"
#include "io/dataset.h"
#include "out/compare.h"
#include "out/compare_report.h"
#include "out/history.h"
#include "out/plot.h"
#include "rvc/report.h"
#include "out/results.h"
#include "run/measures.h"
#include "run/run.h"
#include "run/task.h"
#include "out/merge.h"
#include "rvc/speech.h"
#include "out/summary.h"
#include "lib/paths.h"
#include "lib/util.h"
#include "lib/version.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The options, a bit each; a command lists the ones it accepts. */
enum {
    OPT_OUTPUT = 1 << 0,
    OPT_FORMAT = 1 << 1,
    OPT_NO_PLOT = 1 << 2,
    OPT_QUIET = 1 << 3,
    OPT_SET = 1 << 4,
    OPT_NOISE = 1 << 5,
    OPT_ALPHA = 1 << 6,
    OPT_RECALL_TOL = 1 << 7,
    OPT_TARGETS = 1 << 8,
    OPT_ALLOW_DIFF = 1 << 9,
    OPT_MARKDOWN = 1 << 10,
    OPT_JUNIT = 1 << 11,
    OPT_JSON = 1 << 12,
    OPT_BUDGETS = 1 << 13,
    OPT_REFERENCE = 1 << 14,
    OPT_NO_TIMES = 1 << 15,
    OPT_EXACT = 1 << 16,
    OPT_CONFIG = 1 << 17,
    OPT_RESUME = 1 << 18,
    OPT_FORCE = 1 << 19,
    OPT_TASK = 1 << 20, OPT_OF = 1 << 21, OPT_RUN_ID = 1 << 22, OPT_RESOURCES = 1 << 23,
};

/* What a command's words said, after parsing. */
struct args {
    const char *output;       /* -o DIR, --output DIR; NULL when not given */
    const char *format;       /* -f FORMAT, --format FORMAT; NULL when not given */
    int no_plot;              /* --no-plot */
    int quiet;                /* -q, --quiet */
    char **operands;          /* the words that are not options, in order (inside argv) */
    int n_operands;
    const char *typed;        /* the whole command as typed, for provenance */
    const char **sets;        /* --set KEY=VALUE, in order (the strings are argv's) */
    size_t n_sets;
    /* compare's options, as typed (NULL when not given) */
    const char *noise, *alpha, *recall_tol, *targets, *budgets, *reference;
    int allow_different_data;
    int no_times, exact;      /* compare --no-times, --exact */
    const char *config;       /* compare --config CONFIG.yaml: its ci: section */
    const char *markdown, *junit, *json;
    int resume, force, resources;    /* run --resume, --force; plan --resources */
    const char *task, *of, *run_id;  /* run --task, --of, --run-id; plan --of */
};

static const struct option_spec {
    unsigned bit;
    const char *name;         /* long name, without "--" */
    int short_name;           /* 0: long only */
    const char *arg;          /* the value's name, NULL: a flag */
    const char *usage;        /* in a command's usage line */
    const char *help;
} options[] = {
    { OPT_OUTPUT, "output", 'o', "DIR", "[-o DIR]",
      "where the results (run), plots (plot), report (report) or data\n"
      "set (dataset build) go; merge: the merged file" },
    { OPT_FORMAT, "format", 'f', "FORMAT", "[--format FORMAT]",
      "the file format, when the path does not tell it" },
    { OPT_NO_PLOT, "no-plot", 0, NULL, "[--no-plot]", "do not draw plots after a run" },
    { OPT_QUIET, "quiet", 'q', NULL, "[--quiet]", "no progress line or informational messages" },
    { OPT_RESUME, "resume", 0, NULL, "[--resume [RESULTS.h5]]",
      "run: continue an unfinished run of the config (killed, crashed,\n"
      "interrupted): its latest in the output folder, or RESULTS.h5;\n"
      "the points it measured are kept, the others measured" },
    { OPT_FORCE, "force", 0, NULL, "[--force]",
      "run --resume: continue although the config, the data or the\n"
      "versions differ from the run's" },
    { OPT_TASK, "task", 0, "I|auto", "[--task I|auto]",
      "run: only task I (0-based) of --of N (see plan), into <name>-<ID>.task-I-of-N.h5;\n"
      "auto: from SLURM_ARRAY_TASK_ID/_MIN/_COUNT, SLURM_ARRAY_JOB_ID or JOB_COMPLETION_INDEX" },
    { OPT_OF, "of", 0, "N", "[--of N]", "run, plan: the number of tasks" },
    { OPT_RUN_ID, "run-id", 0, "ID", "[--run-id ID]", "run --task: the id all tasks of a run share" },
    { OPT_RESOURCES, "resources", 0, NULL, "[--resources]",
      "plan: one line, name= tasks= cpus= mem_mib= time_min=, for a batch script" },
    { OPT_SET, "set", 0, "KEY=VALUE", "[--set KEY=VALUE ...]",
      "override a config key for this run (repeatable; dotted keys as in\n"
      "the YAML: --set measure.repeats=1, --set dataset.sizes=[1000,5000])" },
    { OPT_NOISE, "noise", 0, "FLOAT", "[--noise FLOAT]",
      "compare: relative change of a time below which it is noise\n"
      "(0.10, for shared machines)" },
    { OPT_ALPHA, "alpha", 0, "FLOAT", "[--alpha FLOAT]",
      "compare: significance level of the Mann-Whitney test (0.01)" },
    { OPT_RECALL_TOL, "recall-tol", 0, "FLOAT", "[--recall-tol FLOAT]",
      "compare: smallest recall drop flagged (0.005; larger when 2\n"
      "standard errors over the trials are)" },
    { OPT_TARGETS, "targets", 0, "LIST", "[--targets LIST]",
      "compare: recall targets of the front gates (0.9,0.95,0.99)" },
    { OPT_BUDGETS, "budgets", 0, "LIST", "[--budgets LIST]",
      "compare: single-query p50 budgets in us: gate the best recall\n"
      "within each (none by default)" },
    { OPT_REFERENCE, "reference", 0, "FACTORY", "[--reference FACTORY]",
      "compare: runs of different machines: divide every time by that\n"
      "of the point FACTORY (e.g. Flat) of its own run" },
    { OPT_CONFIG, "config", 0, "CONFIG.yaml", "[--config CONFIG.yaml]",
      "compare: thresholds from the config's ci: section (options\n"
      "given here override them)" },
    { OPT_NO_TIMES, "no-times", 0, NULL, "[--no-times]",
      "compare: gate qualities, sizes and the fronts' reach, not times" },
    { OPT_EXACT, "exact", 0, NULL, "[--exact]",
      "compare: any change of a quality or size is a regression" },
    { OPT_ALLOW_DIFF, "allow-different-data", 0, NULL, "[--allow-different-data]",
      "compare: compare files of different data or query sets" },
    { OPT_MARKDOWN, "markdown", 0, "FILE", "[--markdown FILE]",
      "compare: also write the verdicts as a Markdown table" },
    { OPT_JUNIT, "junit", 0, "FILE", "[--junit FILE]",
      "compare: also write JUnit XML, one test case per quantity" },
    { OPT_JSON, "json", 0, "FILE", "[--json FILE]", "compare: also write the verdicts as JSON" },
};
#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

struct command;
typedef int command_fn(const struct command *cmd, const struct args *a);

struct command {
    const char *name;         /* the first word, or a group's name ("dataset") */
    const char *sub;          /* the second word within a group ("info"), else NULL */
    const char *alias[2];     /* other spellings of name (NULL-padded) */
    command_fn *fn;
    const char *operands;     /* the operands in the usage line, "" when none */
    int min_operands, max_operands;  /* max -1: no limit */
    unsigned opts;            /* OPT_* accepted */
    const char *help;         /* what it does; '\n' continues on the next line */
};

static command_fn cmd_run, cmd_scale, cmd_plot, cmd_summary, cmd_compare, cmd_history, cmd_report,
    cmd_dataset_info, cmd_dataset_build, cmd_help_config, cmd_help_results, cmd_version, cmd_help;

static const struct command commands[] = {
    { "run", NULL, { NULL }, cmd_run, "CONFIG.yaml", 1, 2,
      OPT_OUTPUT | OPT_NO_PLOT | OPT_QUIET | OPT_SET | OPT_RESUME | OPT_FORCE | OPT_TASK |
          OPT_OF | OPT_RUN_ID,
      "build every index of the config once, run every search setting,\n"
      "write results/<name>-<UTC time>.h5 (or DIR/...) and its plots" },
    { "plan", NULL, { NULL }, cmd_scale, "CONFIG.yaml", 1, 1, OPT_OF | OPT_RESOURCES | OPT_SET,
      "the partition of the builds into --of N tasks: each build's estimated\n"
      "seconds, memory and task, each task's share, the balance (max / mean)" },
    { "prepare", NULL, { NULL }, cmd_scale, "CONFIG.yaml", 1, 1, OPT_OUTPUT | OPT_QUIET | OPT_SET,
      "fill the cache for a run's tasks: ground truths, coarse quantizers" },
    { "merge", NULL, { NULL }, cmd_scale, "TASK.h5 ...", 1, -1, OPT_OUTPUT,
      "merge tasks 0..N-1 of one run into -o OUT.h5 (rows in the grid's order,\n"
      "/tasks); exit 1 when tasks are missing, repeated or of another run" },
    { "plot", NULL, { NULL }, cmd_plot, "RESULTS.h5", 1, 1, OPT_OUTPUT,
      "draw the trade-off plots of a results file (PNG and SVG),\n"
      "beside it or in DIR" },
    { "summary", NULL, { NULL }, cmd_summary, "RESULTS.h5", 1, 1, 0,
      "print the best point per index family at recall 0.90/0.95/0.99" },
    { "compare", NULL, { NULL }, cmd_compare, "BASELINE.h5 CANDIDATE.h5", 2, 2,
      OPT_NOISE | OPT_ALPHA | OPT_RECALL_TOL | OPT_TARGETS | OPT_BUDGETS | OPT_REFERENCE | OPT_CONFIG | OPT_NO_TIMES | OPT_EXACT | OPT_ALLOW_DIFF | OPT_MARKDOWN |
          OPT_JUNIT | OPT_JSON,
      "compare matched points and recall fronts of two runs: recall,\n"
      "sizes, and times by a Mann-Whitney test beyond a noise floor;\n"
      "exit 0 no regression, 1 regression, 2 incomparable files" },
    { "history", NULL, { NULL }, cmd_history, "RESULTS.h5 [MORE.h5 ...]", 1, -1, OPT_OUTPUT,
      "the runs in start-time order: per family and recall target the\n"
      "fastest point's qps with its interval, 'step' where a change\n"
      "beyond the noise started; with -o DIR also DIR/history-qps.png\n"
      "and .svg; exit 0, 1 a plot failed, 2 unreadable files" },
    { "report", NULL, { NULL }, cmd_report, "RESULTS.h5 [MORE.h5 ...]", 1, -1, OPT_OUTPUT,
      "decide the faiss tips' claims C1-C8 from labelled rows and\n"
      "recommend an RVC default: DIR/rvc-findings.md and DIR/img/\n"
      "(DIR: docs)" },
    { "dataset", "info", { NULL }, cmd_dataset_info, "PATH", 1, 1, OPT_FORMAT,
      "format, N, d, clips, norms, NaN/Inf and duplicate rows, content\n"
      "hash" },
    { "dataset", "build", { NULL }, cmd_dataset_build, "speech-cs|speech-nl", 1, 1, OPT_OUTPUT,
      "make the real-speech feature set (log-mel of Debian's fillets-ng\n"
      "voice recordings, in RVC's layout) under DIR, by default\n"
      "$XDG_CACHE_HOME/faiss-sweep, else $HOME/.cache/faiss-sweep" },
    { "help-config", NULL, { NULL }, cmd_help_config, "", 0, 0, 0,
      "print the reference of every config key" },
    { "help-results", NULL, { NULL }, cmd_help_results, "", 0, 0, 0,
      "print the columns of a results file: type, role, unit, meaning" },
    { "--version", NULL, { "version" }, cmd_version, "", 0, 0, 0,
      "print the versions of faiss-sweep and faiss, faiss's SIMD level\n"
      "and the OpenMP threads" },
    { "--help", NULL, { "-h", "help" }, cmd_help, "", 0, 0, 0, "print this text" },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char environment_text[] =
    "FS_PLOTS_DIR   where the gnuplot templates are read from; by default\n"
    "               ../share/faiss-sweep/plots beside the program (installed),\n"
    "               else share/faiss-sweep/plots beside it (the build folder)\n";

/* Print text, its lines after the first indented to column `indent`. */
static void put_indented(FILE *f, const char *text, int indent)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n' && p[1])
            fprintf(f, "%*s", indent, "");
    }
    fputc('\n', f);
}

/* "run" or "dataset info". */
static void put_name(FILE *f, const struct command *c)
{
    fputs(c->name, f);
    if (c->sub)
        fprintf(f, " %s", c->sub);
}

/* One usage line, "faiss-sweep run CONFIG.yaml [-o DIR] ...", without the newline. */
static void put_usage(FILE *f, const struct command *c)
{
    fputs("faiss-sweep ", f);
    put_name(f, c);
    if (*c->operands)
        fprintf(f, " %s", c->operands);
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (c->opts & options[i].bit)
            fprintf(f, " %s", options[i].usage);
}

/* The whole usage text, from the two tables. */
static void print_help(FILE *f)
{
    char name[64];

    for (size_t i = 0; i < N_COMMANDS; i++) {
        fputs(i ? "       " : "usage: ", f);
        put_usage(f, &commands[i]);
        fputc('\n', f);
    }
    fputc('\n', f);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const struct command *c = &commands[i];
        snprintf(name, sizeof(name), c->sub ? "%s %s" : "%s", c->name, c->sub);
        fprintf(f, "%-15s", name);
        put_indented(f, c->help, 15);
    }
    fputc('\n', f);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const struct option_spec *o = &options[i];
        if (o->short_name)
            snprintf(name, sizeof(name), "-%c, --%s", o->short_name, o->name);
        else
            snprintf(name, sizeof(name), "--%s", o->name);
        /* A name too long for the column gets its own line. */
        fprintf(f, strlen(name) < 15 ? "%-15s" : "%s\n               ", name);
        put_indented(f, o->help, 15);
    }
    fputc('\n', f);
    fputs(environment_text, f);
}

/* Usage lines on stderr of command c, or (c NULL) of every command of the
 * group `name`; returns 2, the exit status of a usage error. */
static int usage_of(const struct command *c, const char *name)
{
    int first = 1;

    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (c ? c != &commands[i] : strcmp(commands[i].name, name) != 0)
            continue;
        fputs(first ? "usage: " : "       ", stderr);
        put_usage(stderr, &commands[i]);
        fputc('\n', stderr);
        first = 0;
    }
    return 2;
}

/*
 * Parse a command's words (argv[0] is the command's last word: "run", or
 * "info" for "dataset info") with the options it accepts into *a. Returns 0,
 * or 2 after one error line and the command's usage (unknown option, missing
 * value, wrong number of operands). getopt_long reorders argv.
 */
static int parse_args(const struct command *c, int argc, char **argv, struct args *a)
{
    struct option longopts[N_OPTIONS + 1];
    char optstring[2 * N_OPTIONS + 2] = ":";
    size_t n = 0, len = 1;
    int ch;

    for (size_t i = 0; i < N_OPTIONS; i++) {
        const struct option_spec *o = &options[i];
        if (!(c->opts & o->bit))
            continue;
        /* Long-only options return 256 + their index, short ones their letter. */
        longopts[n++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
                                         NULL, o->short_name ? o->short_name : 256 + (int)i };
        if (o->short_name) {
            optstring[len++] = (char)o->short_name;
            if (o->arg)
                optstring[len++] = ':';
        }
    }
    longopts[n] = (struct option){ NULL, 0, NULL, 0 };
    optstring[len] = '\0';

    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
        const char *word = argv[optind - 1];
        unsigned bit = 0;
        char letter[3] = { '-', (char)optopt, '\0' };

        if (ch == '?' || ch == ':') {
            if (optopt > 0 && optopt < 256 && strncmp(word, "--", 2))
                word = letter; /* a short option, perhaps inside a group like -qx */
            error(ch == '?' ? "unknown option '%s'" : "option '%s' needs a value", word);
            return usage_of(c, NULL);
        }
        for (size_t i = 0; i < N_OPTIONS; i++)
            if (ch == options[i].short_name || ch == 256 + (int)i)
                bit = options[i].bit;
        switch (bit) {
        case OPT_OUTPUT: a->output = optarg; break;
        case OPT_FORMAT: a->format = optarg; break;
        case OPT_NO_PLOT: a->no_plot = 1; break;
        case OPT_QUIET: a->quiet = 1; break;
        case OPT_NOISE: a->noise = optarg; break;
        case OPT_ALPHA: a->alpha = optarg; break;
        case OPT_RECALL_TOL: a->recall_tol = optarg; break;
        case OPT_TARGETS: a->targets = optarg; break;
        case OPT_BUDGETS: a->budgets = optarg; break;
        case OPT_REFERENCE: a->reference = optarg; break;
        case OPT_ALLOW_DIFF: a->allow_different_data = 1; break;
        case OPT_NO_TIMES: a->no_times = 1; break;
        case OPT_EXACT: a->exact = 1; break;
        case OPT_CONFIG: a->config = optarg; break;
        case OPT_RESUME: a->resume = 1; break;
        case OPT_FORCE: a->force = 1; break;
        case OPT_TASK: a->task = optarg; break;
        case OPT_OF: a->of = optarg; break;
        case OPT_RUN_ID: a->run_id = optarg; break;
        case OPT_RESOURCES: a->resources = 1; break;
        case OPT_MARKDOWN: a->markdown = optarg; break;
        case OPT_JUNIT: a->junit = optarg; break;
        case OPT_JSON: a->json = optarg; break;
        case OPT_SET:
            a->sets = xrealloc(a->sets, (a->n_sets + 1) * sizeof(*a->sets));
            a->sets[a->n_sets++] = optarg;
            break;
        }
    }
    a->operands = argv + optind;
    a->n_operands = argc - optind;
    if (a->n_operands < c->min_operands ||
        (c->max_operands >= 0 && a->n_operands > c->max_operands))
        return usage_of(c, NULL);
    return 0;
}

/* A program file under share/faiss-sweep, found relative to the executable. */
static char *find_share(const char *name, const char *what, const char *hint)
{
    char *exe = paths_self_exe(), *path;

    if (!exe)
        return NULL;
    path = paths_share(exe, name, what, hint);
    free(exe);
    return path;
}

/* The gnuplot templates: FS_PLOTS_DIR, else found beside the program.
 * malloc'd; NULL after an error. */
static char *find_templates(void)
{
    const char *env = getenv("FS_PLOTS_DIR");

    if (env && *env)
        return xstrdup(env);
    return find_share("plots", "the gnuplot templates", "set FS_PLOTS_DIR");
}

static int cmd_run(const struct command *cmd, const struct args *a)
{
    struct run_opts o = { .output_dir = a->output, .plot = !a->no_plot,
                          .progress = !a->quiet && isatty(STDERR_FILENO),
                          .sets = a->sets, .n_sets = a->n_sets };
    char *templates = NULL, *path = NULL;
    struct task_spec task;
    int rc;

    if (a->n_operands > 1 && !a->resume) {
        error("unexpected operand '%s': only --resume takes a results file", a->operands[1]);
        return usage_of(cmd, cmd->name);
    }
    if (a->force && !a->resume) {
        error("option '--force' goes with '--resume'");
        return usage_of(cmd, cmd->name);
    }
    if (task_resolve(a->task, a->of, a->run_id, &task))
        return usage_of(cmd, cmd->name);
    o.task_index = task.index;
    o.task_count = task.count;
    o.run_id = task.run_id;
    o.resume = a->resume;
    o.resume_path = a->n_operands > 1 ? a->operands[1] : NULL;
    o.force = a->force;
    if (a->quiet)
        util_quiet = 1;
    /* Found before the sweep, so a missing install fails at once, not after it. */
    if (o.plot && !(templates = find_templates()))
        return 1;
    o.templates_dir = templates;
    rc = run_sweep(a->operands[0], &o, &path);
    free(path);
    free(templates);
    return rc < 0 ? 1 : rc;
}

/* plan, prepare, merge: the scale-out commands (run/task.h, run/precompute.h, out/merge.h). */
static int cmd_scale(const struct command *cmd, const struct args *a)
{
    int merge = !strcmp(cmd->name, "merge");
    util_quiet |= a->quiet;
    if (!strcmp(cmd->name, "prepare"))
        return precompute_run(a->operands[0], a->output, a->sets, a->n_sets) ? 1 : 0;
    if (!(merge ? a->output : a->of))
        return error("option '%s' is needed", merge ? "-o" : "--of"), usage_of(cmd, cmd->name);
    if (merge)
        return merge_tasks((const char *const *)a->operands, (size_t)a->n_operands, a->output);
    return task_plan_command(a->operands[0], a->sets, a->n_sets, a->of, a->resources);
}

static int cmd_plot(const struct command *cmd, const struct args *a)
{
    const char *results = a->operands[0];
    char *dir = NULL, *templates;
    int rc;

    (void)cmd;
    if (!(templates = find_templates()))
        return 1;
    if (!a->output) {
        /* Default: beside the results file. */
        const char *slash = strrchr(results, '/');
        dir = slash ? xasprintf("%.*s", (int)(slash - results), results) : xstrdup(".");
    }
    rc = plot_results(results, a->output ? a->output : dir, templates);
    free(dir);
    free(templates);
    return rc ? 1 : 0;
}

static int cmd_summary(const struct command *cmd, const struct args *a)
{
    struct result_set rs = { 0 };

    (void)cmd;
    if (results_read(&rs, a->operands[0]))
        return 1;
    summary_print(stdout, &rs);
    results_release(&rs);
    return 0;
}

/* --name VALUE as a number in [lo, hi] (hi_open: below hi) into *v;
 * untouched when not given. Returns 0, or 2 after an error line. */
static int parse_fraction(const char *name, const char *text, double lo, double hi, int hi_open,
                          double *v)
{
    char *end;
    double x;

    if (!text)
        return 0;
    errno = 0;
    x = strtod(text, &end);
    if (end == text || *end || errno || isnan(x) || x < lo || x > hi || (hi_open && x >= hi)) {
        error("bad value '%s' of --%s: expected a number in [%g, %g%c", text, name, lo, hi,
              hi_open ? ')' : ']');
        return 2;
    }
    *v = x;
    return 0;
}

/* --name 0.9,0.95: 1 to CMP_MAX_TARGETS numbers in [lo, hi] into v, *n.
 * Untouched when not given. Returns 0, or 2 after an error line. */
static int parse_list(const char *name, const char *text, double lo, double hi, double *v,
                      size_t *n)
{
    char *copy, *word, *save = NULL;
    int rc = 0;

    if (!text)
        return 0;
    copy = xstrdup(text);
    *n = 0;
    for (word = strtok_r(copy, ",", &save); word && !rc; word = strtok_r(NULL, ",", &save)) {
        if (*n == CMP_MAX_TARGETS) {
            error("too many values in --%s '%s' (at most %d)", name, text, CMP_MAX_TARGETS);
            rc = 2;
        } else {
            rc = parse_fraction(name, word, lo, hi, 0, &v[(*n)++]);
        }
    }
    if (!rc && !*n) {
        error("empty --%s '%s'", name, text);
        rc = 2;
    }
    free(copy);
    return rc;
}

/* The reports a comparison was asked to write; 1 when one failed. */
static int compare_outputs(const struct args *a, const struct compare_result *r)
{
    int bad = 0;

    if (a->markdown && compare_write_markdown(r, a->markdown))
        bad = 1;
    if (a->junit && compare_write_junit(r, a->junit))
        bad = 1;
    if (a->json && compare_write_json(r, a->json))
        bad = 1;
    return bad;
}

/* The thresholds of a config's ci: section into o (the reference is the
 * config's, kept in *ref, caller frees). Returns 0 or -1 after an error. */
static int ci_thresholds(const char *path, struct compare_opts *o, char **ref)
{
    struct config cfg;
    if (config_load(&cfg, path))
        return -1;
    o->noise = cfg.ci.noise;
    o->alpha = cfg.ci.alpha;
    o->recall_tol = cfg.ci.recall_tol;
    o->n_targets = 0;
    for (size_t i = 0; i < cfg.ci.targets.n && i < CMP_MAX_TARGETS; i++)
        o->targets[o->n_targets++] = cfg.ci.targets.v[i];
    o->no_times = cfg.ci.no_times;
    *ref = cfg.ci.reference ? xstrdup(cfg.ci.reference) : NULL;
    o->reference = *ref;
    config_release(&cfg);
    return 0;
}

static int cmd_compare(const struct command *cmd, const struct args *a)
{
    struct result_set base = { 0 }, cand = { 0 };
    struct compare_result r;
    struct compare_opts o;
    const char *pa = a->operands[0], *pb = a->operands[1];
    char *ref = NULL;
    int rc = 2;

    compare_opts_init(&o);
    if (a->config && ci_thresholds(a->config, &o, &ref))
        return 2;
    o.allow_different_data = a->allow_different_data;
    o.no_times |= a->no_times;
    o.exact = a->exact;
    if (a->reference)
        o.reference = a->reference;
    if (parse_fraction("noise", a->noise, 0, 1, 1, &o.noise) ||
        parse_fraction("alpha", a->alpha, 0, 1, 1, &o.alpha) ||
        parse_fraction("recall-tol", a->recall_tol, 0, 1, 1, &o.recall_tol) ||
        parse_list("targets", a->targets, 0, 1, o.targets, &o.n_targets) ||
        parse_list("budgets", a->budgets, 0, 1e12, o.budgets, &o.n_budgets)) {
        free(ref);
        return usage_of(cmd, cmd->name);
    }
    if (results_read(&base, pa) || results_read(&cand, pb))
        goto out;
    if (compare_sets(&base, &cand, pa, pb, &o, &r))
        goto out;
    compare_print(stdout, &r);
    fflush(stdout);
    rc = compare_outputs(a, &r) ? 2 : compare_exit_code(&r);
    compare_result_release(&r);
out:
    results_release(&base);
    results_release(&cand);
    free(ref);
    return rc;
}

static int cmd_history(const struct command *cmd, const struct args *a)
{
    struct history h;
    char *templates = NULL;
    int rc = 0;

    (void)cmd;
    if (history_load(&h, (const char *const *)a->operands, (size_t)a->n_operands) < 0)
        return 2;
    history_print(stdout, &h);
    fflush(stdout);
    if (a->output && (!(templates = find_templates()) ||
                      history_plot(&h, a->output, templates) < 0))
        rc = 1;
    free(templates);
    history_release(&h);
    return rc;
}

static int cmd_report(const struct command *cmd, const struct args *a)
{
    char *templates;
    int rc;

    (void)cmd;
    if (!(templates = find_templates()))
        return 1;
    rc = report_write((const char *const *)a->operands, (size_t)a->n_operands,
                      a->output ? a->output : "docs", templates, a->typed);
    free(templates);
    return rc ? 1 : 0;
}

static int cmd_dataset_info(const struct command *cmd, const struct args *a)
{
    (void)cmd;
    return dataset_info(stdout, a->format, a->operands[0]) ? 1 : 0;
}

static int cmd_dataset_build(const struct command *cmd, const struct args *a)
{
    char *root = NULL, *script = NULL;
    int rc = 1;

    (void)cmd;
    if (a->output)
        root = xstrdup(a->output);
    else if (!(root = paths_cache_home(getenv("XDG_CACHE_HOME"), getenv("HOME"))))
        goto out;
    if (!(script = find_share("fetch-speech.sh", "the speech fetch script", NULL)))
        goto out;
    rc = speech_build(a->operands[0], root, script) ? 1 : 0;
out:
    free(root);
    free(script);
    return rc;
}

static int cmd_help_results(const struct command *cmd, const struct args *a)
{
    (void)cmd;
    (void)a;
    run_print_schema(stdout);
    return 0;
}

static int cmd_help_config(const struct command *cmd, const struct args *a)
{
    (void)cmd;
    (void)a;
    config_print_reference(stdout);
    return 0;
}

static int cmd_version(const struct command *cmd, const struct args *a)
{
    (void)cmd;
    (void)a;
    printf("faiss-sweep %s (commit %s)\n", fs_version, fs_git_commit);
    printf("faiss %s, SIMD %s, OpenMP threads %d\n", version_faiss(), fs_faiss_simd,
           backend_threads());
    printf("faiss version from the %s, %s libraries, C API extras: %s\n",
           !strcmp(version_faiss_source(), "runtime") ? "library loaded" : "headers",
           fs_faiss_variant, *fs_faiss_features ? fs_faiss_features : "none");
    return 0;
}

static int cmd_help(const struct command *cmd, const struct args *a)
{
    (void)cmd;
    (void)a;
    print_help(stdout);
    return 0;
}

static int is_named(const struct command *c, const char *word)
{
    return !strcmp(c->name, word) || (c->alias[0] && !strcmp(c->alias[0], word)) ||
           (c->alias[1] && !strcmp(c->alias[1], word));
}

/*
 * The command of the table that argv names: *words gets how many words name
 * it (1, or 2 for a group's command). NULL after one error line naming the
 * unknown word, with the nearest name (edit distance at most 2) when there is
 * one, or after the group's usage when its second word is missing.
 */
static const struct command *find_command(int argc, char **argv, int *words)
{
    const char *word = argv[1], *group = NULL, *guess = NULL;
    int best = 3;

    for (size_t i = 0; i < N_COMMANDS; i++) {
        const struct command *c = &commands[i];
        if (!is_named(c, word))
            continue;
        if (!c->sub) {
            *words = 1;
            return c;
        }
        group = c->name;
        if (argc > 2 && !strcmp(c->sub, argv[2])) {
            *words = 2;
            return c;
        }
    }
    if (group && argc < 3) {
        usage_of(NULL, group);
        return NULL;
    }
    if (group)
        word = argv[2];
    /* Candidates: the group's second words, or every first word and alias. */
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const struct command *c = &commands[i];
        const char *names[3] = { group ? c->sub : c->name, group ? NULL : c->alias[0],
                                 group ? NULL : c->alias[1] };
        if (group && strcmp(c->name, group))
            continue;
        for (int j = 0; j < 3; j++) {
            int d = names[j] ? edit_distance(word, names[j]) : best;
            if (d < best) {
                best = d;
                guess = names[j];
            }
        }
    }
    if (guess)
        error("unknown %s%scommand '%s' (did you mean '%s'?)", group ? group : "",
              group ? " " : "", word, guess);
    else
        error("unknown %s%scommand '%s' (see 'faiss-sweep --help')", group ? group : "",
              group ? " " : "", word);
    return NULL;
}

int main(int argc, char **argv)
{
    const struct command *cmd;
    struct args a = { 0 };
    char *typed, *line;
    int words = 0, rc;

    if (argc < 2) {
        print_help(stderr);
        return 2;
    }
    if (!(cmd = find_command(argc, argv, &words)))
        return 2;
    /* Before parsing: getopt_long reorders the words. */
    typed = command_line(argc - 1, argv + 1);
    line = xasprintf("faiss-sweep %s", typed);
    free(typed);
    a.typed = line;
    rc = parse_args(cmd, argc - words, argv + words, &a);
    if (!rc)
        rc = cmd->fn(cmd, &a);
    free(a.sets);
    free(line);
    return rc;
}
