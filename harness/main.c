/*
 * main.c - the faiss-sweep command: subcommands run, plot, summary, report,
 * help-config, --version, --help.
 */
#include "lib/backend.h"
#include "core/config.h"
#include "io/dataset.h"
#include "out/plot.h"
#include "rvc/report.h"
#include "out/results.h"
#include "run/run.h"
#include "rvc/speech.h"
#include "out/summary.h"
#include "lib/util.h"
#include "lib/version.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: faiss-sweep run CONFIG.yaml [-o DIR] [--no-plot] [--quiet]\n"
    "       faiss-sweep plot RESULTS.h5 [-o DIR]\n"
    "       faiss-sweep summary RESULTS.h5\n"
    "       faiss-sweep report RESULTS.h5 [MORE.h5 ...] [-o DIR]\n"
    "       faiss-sweep dataset info PATH [--format FORMAT]\n"
    "       faiss-sweep dataset build speech-cs|speech-nl [-o DIR]\n"
    "       faiss-sweep help-config\n"
    "       faiss-sweep --version | --help\n"
    "\n"
    "run          build every index of the config once, run every search setting,\n"
    "             write results/<name>-<UTC time>.h5 and its plots\n"
    "plot         draw the trade-off plots of a results file (PNG and SVG)\n"
    "summary      print the best point per index family at recall 0.90/0.95/0.99\n"
    "report       decide the faiss tips' claims C1-C8 from labelled rows and recommend\n"
    "             an RVC default: DIR/rvc-findings.md and DIR/img/ (DIR: docs)\n"
    "dataset info   format, N, d, clips, norms, NaN/Inf and duplicate rows, content hash\n"
    "dataset build  make the real-speech feature set (log-mel of Debian's fillets-ng\n"
    "             voice recordings, in RVC's layout) under datasets/cache (or DIR)\n"
    "help-config  print the reference of every config key\n"
    "\n"
    "-o DIR       where results (run), plots (plot) or the report (report) go\n"
    "--no-plot    do not draw plots after a run\n"
    "--quiet      no progress line or informational messages\n"
    "FS_PLOTS_DIR overrides where the gnuplot templates are read from\n";

static const char *templates_dir(void)
{
    const char *env = getenv("FS_PLOTS_DIR");
    return env && *env ? env : FS_SOURCE_DIR "/plots";
}

static void print_version(void)
{
    printf("faiss-sweep %s (commit %s)\n", fs_version, fs_git_commit);
    printf("faiss %s, SIMD %s, OpenMP threads %d\n", fs_faiss_version, fs_faiss_simd,
           backend_threads());
}

static int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "no-plot", no_argument, NULL, 'P' },
        { "quiet", no_argument, NULL, 'q' },
        { NULL, 0, NULL, 0 },
    };
    struct run_opts o = { .templates_dir = templates_dir(), .plot = 1,
                          .progress = isatty(STDERR_FILENO) };
    char *path = NULL;
    int c, rc;

    while ((c = getopt_long(argc, argv, "o:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o.output_dir = optarg; break;
        case 'P': o.plot = 0; break;
        case 'q': util_quiet = 1; o.progress = 0; break;
        default: fputs(usage_text, stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        fputs(usage_text, stderr);
        return 2;
    }
    rc = run_sweep(argv[optind], &o, &path);
    free(path);
    return rc < 0 ? 1 : rc;
}

static int cmd_plot(int argc, char **argv)
{
    const char *outdir = NULL;
    char *dir = NULL;
    int c, rc;

    while ((c = getopt(argc, argv, "o:")) != -1) {
        if (c != 'o') {
            fputs(usage_text, stderr);
            return 2;
        }
        outdir = optarg;
    }
    if (optind != argc - 1) {
        fputs(usage_text, stderr);
        return 2;
    }
    if (!outdir) {
        /* Default: beside the results file. */
        const char *slash = strrchr(argv[optind], '/');
        dir = slash ? xasprintf("%.*s", (int)(slash - argv[optind]), argv[optind])
                    : xstrdup(".");
        outdir = dir;
    }
    rc = plot_results(argv[optind], outdir, templates_dir());
    free(dir);
    return rc ? 1 : 0;
}

static int cmd_summary(int argc, char **argv)
{
    struct result_set rs = { 0 };
    if (argc != 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    if (results_read(&rs, argv[1]))
        return 1;
    summary_print(stdout, &rs);
    results_release(&rs);
    return 0;
}

static int cmd_report(int argc, char **argv)
{
    const char *outdir = "docs";
    char *line;
    int c, rc;

    {
        char *args = command_line(argc, argv);
        line = xasprintf("faiss-sweep %s", args);
        free(args);
    }
    while ((c = getopt(argc, argv, "o:")) != -1) {
        if (c != 'o') {
            fputs(usage_text, stderr);
            free(line);
            return 2;
        }
        outdir = optarg;
    }
    if (optind >= argc) {
        fputs(usage_text, stderr);
        free(line);
        return 2;
    }
    rc = report_write((const char *const *)argv + optind, (size_t)(argc - optind), outdir,
                      templates_dir(), line);
    free(line);
    return rc ? 1 : 0;
}

static int cmd_dataset(int argc, char **argv)
{
    const char *sub = argc > 1 ? argv[1] : "";
    const char *opt = NULL;
    int c;

    if (strcmp(sub, "info") && strcmp(sub, "build")) {
        fputs(usage_text, stderr);
        return 2;
    }
    argc--;
    argv++;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:o:", (const struct option[]){
                { "format", required_argument, NULL, 'f' },
                { "output", required_argument, NULL, 'o' },
                { NULL, 0, NULL, 0 } }, NULL)) != -1) {
        if (c != 'f' && c != 'o') {
            fputs(usage_text, stderr);
            return 2;
        }
        opt = optarg;
    }
    if (optind != argc - 1) {
        fputs(usage_text, stderr);
        return 2;
    }
    if (!strcmp(sub, "info"))
        return dataset_info(stdout, opt, argv[optind]) ? 1 : 0;
    return speech_build(argv[optind], opt ? opt : FS_SOURCE_DIR "/datasets/cache", FS_SOURCE_DIR "/scripts/fetch-speech.sh") ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (!cmd || !strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_text, cmd ? stdout : stderr);
        return cmd ? 0 : 2;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        print_version();
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot"))
        return cmd_plot(argc - 1, argv + 1);
    if (!strcmp(cmd, "dataset"))
        return cmd_dataset(argc - 1, argv + 1);
    if (!strcmp(cmd, "summary"))
        return cmd_summary(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "help-config")) {
        config_print_reference(stdout);
        return 0;
    }
    error("unknown command '%s' (see 'faiss-sweep --help')", cmd);
    return 2;
}
