/*
 * test_main.c - the command line, run as the program itself (FS_BINARY, the
 * build folder's faiss-sweep): --help lists every command, an unknown
 * command or option is one error line and exit 2, --version prints the
 * versions, the build folder's binary finds its templates beside itself, and
 * `dataset build` defaults to $XDG_CACHE_HOME/faiss-sweep.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "out/results.h"
#include "lib/util.h"
#include "lib/version.h"
#include "testutil.h"

/* What one run of the program did. */
struct ran {
    int status;   /* exit status, or -1 when it did not exit */
    char *out;    /* stdout, malloc'd */
    char *err;    /* stderr, malloc'd */
};

static void ran_release(struct ran *r)
{
    free(r->out);
    free(r->err);
}

/*
 * Run FS_BINARY with args (NULL-terminated) in the environment of the test,
 * changed by env: "NAME=value" sets, "NAME" unsets (NULL-terminated, or NULL).
 */
static struct ran run_prog(const char *const *args, const char *const *env)
{
    const char *argv[32] = { FS_BINARY };
    struct ran r = { -1, NULL, NULL };
    int status, n = 1;
    pid_t pid;

    for (; args[n - 1]; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(tmp("stdout"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(tmp("stderr"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        for (int i = 0; env && env[i]; i++) {
            char *eq = strchr(env[i], '=');
            if (eq) {
                char *name = strndup(env[i], (size_t)(eq - env[i]));
                setenv(name, eq + 1, 1);
                free(name);
            } else {
                unsetenv(env[i]);
            }
        }
        execv(FS_BINARY, (char *const *)argv);
        _exit(127);
    }
    assert_true(waitpid(pid, &status, 0) == pid);
    if (WIFEXITED(status))
        r.status = WEXITSTATUS(status);
    r.out = read_file(tmp("stdout"), NULL);
    r.err = read_file(tmp("stderr"), NULL);
    assert_non_null(r.out);
    assert_non_null(r.err);
    return r;
}

#define RUN(...) run_prog((const char *const[]){ __VA_ARGS__, NULL }, NULL)

/* Every command and what names it in the usage text. */
static const char *const commands[] = {
    "run", "plot", "summary", "report", "dataset info", "dataset build", "help-config", "help-results",
    "--version", "--help",
};

static void test_help_lists_every_command(void **state)
{
    (void)state;
    struct ran r = RUN("--help");
    char line[64];

    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, "");
    assert_true(!strncmp(r.out, "usage: faiss-sweep run CONFIG.yaml", 34));
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        /* Its usage line and its help line. */
        snprintf(line, sizeof(line), "faiss-sweep %s", commands[i]);
        assert_has(r.out, line);
        snprintf(line, sizeof(line), "\n%-15s", commands[i]);
        assert_has(r.out, line);
    }
    assert_has(r.out, "faiss-sweep run CONFIG.yaml [-o DIR] [--no-plot] [--quiet]");
    assert_has(r.out, "faiss-sweep dataset info PATH [--format FORMAT]");
    assert_has(r.out, "$XDG_CACHE_HOME/faiss-sweep, else $HOME/.cache/faiss-sweep");
    assert_has(r.out, "FS_PLOTS_DIR");

    /* -h and help are the same; no command at all prints it on stderr, exit 2. */
    struct ran h = RUN("-h"), h2 = RUN("help");
    struct ran none = run_prog((const char *const[]){ NULL }, NULL);
    assert_int_equal(h.status, 0);
    assert_string_equal(h.out, r.out);
    assert_int_equal(h2.status, 0);
    assert_string_equal(h2.out, r.out);
    assert_int_equal(none.status, 2);
    assert_string_equal(none.out, "");
    assert_string_equal(none.err, r.out);
    ran_release(&r);
    ran_release(&h);
    ran_release(&h2);
    ran_release(&none);
}

/* Exit 2, nothing on stdout, exactly one line on stderr holding a and b. */
static void assert_one_line(const char *const *args, const char *a, const char *b)
{
    struct ran r = run_prog(args, NULL);

    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_int_equal(count_lines(r.err), 1);
    assert_true(!strncmp(r.err, "faiss-sweep: ", 13));
    assert_has(r.err, a);
    assert_has(r.err, b);
    ran_release(&r);
}

static void test_unknown_command(void **state)
{
    (void)state;
    assert_one_line((const char *const[]){ "rnu", NULL }, "unknown command 'rnu'",
                    "(did you mean 'run'?)");
    assert_one_line((const char *const[]){ "sumary", "x.h5", NULL },
                    "unknown command 'sumary'", "(did you mean 'summary'?)");
    assert_one_line((const char *const[]){ "--verison", NULL }, "unknown command '--verison'",
                    "(did you mean '--version'?)");
    assert_one_line((const char *const[]){ "frobnicate", NULL },
                    "unknown command 'frobnicate'", "(see 'faiss-sweep --help')");
    assert_one_line((const char *const[]){ "dataset", "bild", "speech-cs", NULL },
                    "unknown dataset command 'bild'", "(did you mean 'build'?)");
}

/* Exit 2, nothing on stdout; stderr: the error line (when err is not NULL)
 * then the command's usage line. */
static void assert_usage_error(const char *const *args, const char *err, const char *usage)
{
    struct ran r = run_prog(args, NULL);
    char *want = err ? xasprintf("faiss-sweep: %s\nusage: %s\n", err, usage)
                     : xasprintf("usage: %s\n", usage);

    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, want);
    free(want);
    ran_release(&r);
}

static void test_bad_options(void **state)
{
    const char *run_usage =
        "faiss-sweep run CONFIG.yaml [-o DIR] [--no-plot] [--quiet] [--resume [RESULTS.h5]] "
        "[--force] [--task I|auto] [--of N] [--run-id ID] [--set KEY=VALUE ...]";

    (void)state;
    assert_usage_error((const char *const[]){ "run", "--bogus", "c.yaml", NULL },
                       "unknown option '--bogus'", run_usage);
    assert_usage_error((const char *const[]){ "run", "c.yaml", "-x", NULL },
                       "unknown option '-x'", run_usage);
    assert_usage_error((const char *const[]){ "run", "-qx", "c.yaml", NULL },
                       "unknown option '-x'", run_usage);
    assert_usage_error((const char *const[]){ "run", NULL }, NULL, run_usage);
    /* A second operand is the results file of --resume, and only of it. */
    assert_usage_error((const char *const[]){ "run", "a.yaml", "b.yaml", NULL },
                       "unexpected operand 'b.yaml': only --resume takes a results file",
                       run_usage);
    assert_usage_error((const char *const[]){ "run", "a.yaml", "--force", NULL },
                       "option '--force' goes with '--resume'", run_usage);
    assert_usage_error((const char *const[]){ "run", "a.yaml", "b.h5", "c.h5", "--resume", NULL },
                       NULL, run_usage);
    assert_usage_error((const char *const[]){ "plot", "r.h5", "-o", NULL },
                       "option '-o' needs a value", "faiss-sweep plot RESULTS.h5 [-o DIR]");
    /* An option of another command is unknown here. */
    assert_usage_error((const char *const[]){ "plot", "--no-plot", "r.h5", NULL },
                       "unknown option '--no-plot'", "faiss-sweep plot RESULTS.h5 [-o DIR]");
    assert_usage_error((const char *const[]){ "summary", NULL }, NULL,
                       "faiss-sweep summary RESULTS.h5");
    assert_usage_error((const char *const[]){ "report", "-o", "docs", NULL }, NULL,
                       "faiss-sweep report RESULTS.h5 [MORE.h5 ...] [-o DIR]");
    assert_usage_error((const char *const[]){ "dataset", "info", "--format", NULL },
                       "option '--format' needs a value",
                       "faiss-sweep dataset info PATH [--format FORMAT]");
    assert_usage_error((const char *const[]){ "help-config", "extra", NULL }, NULL,
                       "faiss-sweep help-config");

    /* A group without its second word: the group's usage lines. */
    struct ran r = RUN("dataset");
    assert_int_equal(r.status, 2);
    assert_string_equal(r.err, "usage: faiss-sweep dataset info PATH [--format FORMAT]\n"
                               "       faiss-sweep dataset build speech-cs|speech-nl [-o DIR]\n");
    ran_release(&r);
}

static void test_version(void **state)
{
    (void)state;
    struct ran r = RUN("--version"), r2 = RUN("version");
    char *want = xasprintf("faiss-sweep %s (commit %s)\nfaiss %s, SIMD %s, OpenMP threads ",
                           fs_version, fs_git_commit, version_faiss(), fs_faiss_simd);

    assert_int_equal(r.status, 0);
    assert_true(!strncmp(r.out, want, strlen(want)));
    assert_int_equal(count_lines(r.out), 3);
    assert_has(r.out, "libraries, C API extras: ");
    assert_string_equal(r.err, "");
    assert_int_equal(r2.status, 0);
    assert_string_equal(r2.out, r.out);
    free(want);
    ran_release(&r);
    ran_release(&r2);
}

/* Bad input (not a usage error): one line naming the file, exit 1. */
static void test_bad_input_exits_1(void **state)
{
    (void)state;
    struct ran r = RUN("summary", "/nonexistent/r.h5");
    assert_int_equal(r.status, 1);
    assert_int_equal(count_lines(r.err), 1);
    assert_has(r.err, "'/nonexistent/r.h5'");
    ran_release(&r);
}

static int count_suffix(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        n += has_suffix(e->d_name, suffix);
    closedir(d);
    return n;
}

/* The build folder's binary draws its plots with the templates copied beside
 * it (share/faiss-sweep/plots), FS_PLOTS_DIR unset. */
static void test_run_with_plots_from_build_folder(void **state)
{
    const char *unset[] = { "FS_PLOTS_DIR", NULL };
    FILE *f = fopen(tmp("base.tsv"), "w");
    uint64_t x = 42;
    struct ran r;

    (void)state;
    assert_non_null(f);
    for (int i = 0; i < 1000; i++)
        for (int j = 0; j < 8; j++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            fprintf(f, "%.5f%c", (double)(x >> 40) / (double)(1 << 24), j < 7 ? '\t' : '\n');
        }
    fclose(f);
    f = fopen(tmp("tiny.yaml"), "w");
    assert_non_null(f);
    fprintf(f, "name: tiny\n"
               "dataset: {format: tsv, base: base.tsv, holdout: 50}\n"
               "k: [1, 10]\n"
               "indexes:\n"
               "  - factory: Flat\n"
               "  - factory: \"IVF{nlist},Flat\"\n"
               "    nlist: [8]\n"
               "search: {nprobe: [1, 8]}\n"
               "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 5}\n");
    fclose(f);
    r = run_prog((const char *const[]){ "run", tmp("tiny.yaml"), "-o", tmp("results"),
                                        "--quiet", NULL }, unset);
    if (r.status != 0)
        fail_msg("run failed (%d): %s", r.status, r.err);
    assert_true(count_suffix(tmp("results"), ".h5") == 1);
    assert_true(count_suffix(tmp("results"), ".png") >= 4);
    ran_release(&r);
}

/* run --set: overrides go through the config's key table (same errors), and
 * the results file records them beside the config's text. */
static void test_run_set(void **state)
{
    struct result_set rs = { 0 };
    struct ran r;
    char *h5;

    (void)state;
    assert_int_equal(write_string(tmp("set-base.tsv"), "1 0\n0 1\n1 1\n2 0\n0 2\n2 2\n3 0\n0 3\n"), 0);
    assert_int_equal(write_string(tmp("set.yaml"),
                                  "name: set\n"
                                  "dataset: {format: tsv, base: set-base.tsv, holdout: 2}\n"
                                  "k: [1]\n"
                                  "indexes:\n  - factory: Flat\n  - factory: HNSW8\n"
                                  "measure: {repeats: 1, warmup: 0, min_time: 0.001, latency_queries: 2}\n"),
                     0);
    r = RUN("run", tmp("set.yaml"), "--set", "measure.repeat=1", "--no-plot");
    assert_int_equal(r.status, 1);
    assert_int_equal(count_lines(r.err), 1);
    assert_has(r.err, "--set measure.repeat: unknown key (did you mean 'repeats'?)");
    ran_release(&r);

    r = RUN("run", tmp("set.yaml"), "--set", "indexes=[{factory: Flat}]", "--set", "name=over",
            "--no-plot", "--quiet", "-o", tmp("set-results"));
    if (r.status != 0)
        fail_msg("run failed (%d): %s", r.status, r.err);
    h5 = strstr(r.out, "results: ");
    assert_non_null(h5);
    h5 += strlen("results: ");
    h5[strcspn(h5, "\n")] = '\0';
    assert_has(h5, "/over-");
    assert_int_equal(results_read(&rs, h5), 0);
    assert_int_equal(rs.n_rows, 1);                 /* the file's HNSW8 entry was replaced */
    assert_string_equal(rs.rows[0].factory, "Flat");
    assert_non_null(results_attr(&rs, "config_sets"));
    assert_string_equal(results_attr(&rs, "config_sets")->s, "indexes=[{factory: Flat}]\nname=over");
    results_release(&rs);
    ran_release(&r);
}

/* `dataset build` without -o: $XDG_CACHE_HOME/faiss-sweep when absolute,
 * else $HOME/.cache/faiss-sweep. A finished set there is not rebuilt. */
static void test_dataset_build_default_folder(void **state)
{
    char *xdg = xasprintf("XDG_CACHE_HOME=%s", tmp("xdg"));
    char *home = xasprintf("HOME=%s", tmp("home"));
    const char *env_xdg[] = { xdg, NULL };
    const char *env_rel[] = { "XDG_CACHE_HOME=relative/ignored", home, NULL };
    char *want_xdg = xasprintf("speech-cs: already built in %s/faiss-sweep/speech-cs\n",
                               tmp("xdg"));
    char *want_home = xasprintf("speech-cs: already built in %s/.cache/faiss-sweep/speech-cs\n",
                                tmp("home"));
    struct ran r;

    (void)state;
    assert_int_equal(make_dirs(tmp("xdg/faiss-sweep/speech-cs")), 0);
    assert_int_equal(make_dirs(tmp("home/.cache/faiss-sweep/speech-cs")), 0);
    fclose(fopen(tmp("xdg/faiss-sweep/speech-cs/.complete"), "w"));
    fclose(fopen(tmp("home/.cache/faiss-sweep/speech-cs/.complete"), "w"));

    r = run_prog((const char *const[]){ "dataset", "build", "speech-cs", NULL }, env_xdg);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, want_xdg);
    ran_release(&r);
    r = run_prog((const char *const[]){ "dataset", "build", "speech-cs", NULL }, env_rel);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, want_home);
    ran_release(&r);
    /* -o still wins. */
    r = run_prog((const char *const[]){ "dataset", "build", "speech-cs", "-o",
                                        tmp("xdg/faiss-sweep"), NULL }, env_rel);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.err, want_xdg);
    ran_release(&r);
    free(xdg);
    free(home);
    free(want_xdg);
    free(want_home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_lists_every_command),
        cmocka_unit_test(test_unknown_command),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_bad_input_exits_1),
        cmocka_unit_test(test_run_with_plots_from_build_folder),
        cmocka_unit_test(test_dataset_build_default_folder),
        cmocka_unit_test(test_run_set),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
