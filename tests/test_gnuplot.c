/*
 * test_gnuplot.c - the gnuplot driver: quoting for data fields and -e
 * variables, the block form of data files, how gnuplot reads the plots'
 * interval columns ("?" for none), and the errors of running a template
 * (unreadable, failing, or not writing what it must).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "out/gnuplot.h"
#include "lib/util.h"
#include "testutil.h"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_quote(void **state)
{
    (void)state;
    char *q = gnuplot_quote("it's a 'test'");
    assert_string_equal(q, "'it''s a ''test'''");
    free(q);
    q = gnuplot_quote("");
    assert_string_equal(q, "''");
    free(q);
}

static void test_data_file(void **state)
{
    const char *path = tmp("blocks.dat");
    (void)state;
    FILE *f = gnuplot_data_open(path);
    assert_non_null(f);
    gnuplot_block(f, 0, "first \"one\"");
    fputs("1 2\n", f);
    gnuplot_block(f, 1, "second");
    fputs("3 4\n", f);
    assert_int_equal(gnuplot_data_close(f, path), 0);
    char *text = read_file(path, NULL);
    assert_string_equal(text, "\"first 'one'\"\n1 2\n\n\n\"second\"\n3 4\n");
    free(text);

    /* a folder that does not exist: the error names the file */
    assert_fails(gnuplot_data_open(tmp("no/such/dir.dat")) ? 0 : -1, "cannot create '",
                 "no/such/dir.dat.partial': ");
    /* written under a temporary name, renamed when closed whole */
    f = gnuplot_data_open(tmp("whole.dat"));
    assert_non_null(f);
    fputs("1 2\n", f);
    assert_int_equal(access(tmp("whole.dat"), F_OK), -1);
    assert_int_equal(gnuplot_data_close(f, tmp("whole.dat")), 0);
    assert_int_equal(access(tmp("whole.dat.partial"), F_OK), -1);
    assert_int_equal(access(tmp("whole.dat"), F_OK), 0);
}

static void test_templates(void **state)
{
    const char *good = tmp("good.gp"), *lazy = tmp("lazy.gp"), *bad = tmp("bad.gp");
    const char *out = tmp("out.txt"), *base = xstrdup(tmp("out"));
    const char *exts[] = { ".txt" };
    (void)state;
    write_text(good, "set print outbase.'.txt'\nprint 'drawn'\n");
    write_text(lazy, "x = 1\n");
    write_text(bad, "this is not gnuplot\n");
    char *q = gnuplot_quote(out), *vars = xasprintf("outfile=%s", q);

    assert_int_equal(gnuplot_check_template(good), 0);
    assert_fails(gnuplot_check_template(tmp("missing.gp")), "cannot read template '",
                 "missing.gp': ");
    assert_int_equal(gnuplot_draw(good, vars, base, exts, 1), 0);
    char *text = read_file(out, NULL);
    assert_string_equal(text, "drawn\n");
    free(text);
    /* the template writes a temporary name: one that writes nothing is caught */
    assert_fails(gnuplot_draw(lazy, vars, base, exts, 1), "template '", "did not write '");
    /* gnuplot's own complaint comes first; ours names the template */
    capture_start();
    int rc = gnuplot_run(bad, vars);
    const char *msg = capture_end();
    assert_int_equal(rc, -1);
    assert_has(msg, "faiss-sweep: gnuplot failed on template '");
    assert_has(msg, "bad.gp' (exit");
    free(vars);
    free(q);
    free((char *)base);
}

/* A PNG or SVG cut short (gnuplot exits 0 when a write fails on a full
 * disk) is not taken: an error, and nothing under the final names nor a
 * temporary file left; whole ones are renamed into place. */
static void test_cut_outputs(void **state)
{
    const char *tpl = tmp("cut.gp");
    char *base = xstrdup(tmp("cut"));
    const char *exts[] = { ".png", ".svg" };
    (void)state;
    /* a PNG without its IEND chunk, an SVG without </svg> */
    write_text(tpl, "set print outbase.'.png'\nprint \"\\211PNG\\r\\n\\032\\n...\"\n"
                    "set print outbase.'.svg'\nprint '<svg>'\nunset print\n");
    assert_fails(gnuplot_draw(tpl, "x=1", base, exts, 2), "did not write '",
                 "cut.png' and '");
    assert_int_equal(access(tmp("cut.png"), F_OK), -1);
    assert_int_equal(access(tmp("cut.svg"), F_OK), -1);
    /* the real terminals, whole: both renamed into place, no temporary left */
    write_text(tpl, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo "
                    "size 320,240 } else { set terminal png size 320,240 }\nunset key\n"
                    "set output outbase.'.png'\nplot x\n"
                    "set terminal svg size 320,240\nset output outbase.'.svg'\nplot x\nunset output\n");
    assert_int_equal(gnuplot_draw(tpl, "x=1", base, exts, 2), 0);
    assert_int_equal(access(tmp("cut.png"), F_OK), 0);
    assert_int_equal(access(tmp("cut.svg"), F_OK), 0);
    char *partial = xasprintf("%s.partial-%ld.png", base, (long)getpid());
    assert_int_equal(access(partial, F_OK), -1);
    free(partial);
    free(base);
}

/* A full disk while gnuplot draws (issue 13, item 6): gnuplot exits 0
 * with its PNG and SVG cut short (writes past RLIMIT_FSIZE fail, as on a
 * full tmpfs). gnuplot_draw must fail, with nothing under the final names
 * and no temporary file left. In a child: the limit is inherited by
 * gnuplot. */
static void test_full_disk(void **state)
{
    const char *tpl = tmp("big.gp");
    char *base = xstrdup(tmp("big"));
    const char *exts[] = { ".png", ".svg" };
    int status;
    pid_t pid;
    (void)state;
    write_text(tpl, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo "
                    "size 1200,800 } else { set terminal png size 1200,800 }\n"
                    "set output outbase.'.png'\nset samples 2000\nplot sin(x*50)\n"
                    "set terminal svg size 1200,800\nset output outbase.'.svg'\nplot sin(x*50)\n"
                    "unset output\n");
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit lim = { 4096, 4096 };
        signal(SIGXFSZ, SIG_IGN);
        if (setrlimit(RLIMIT_FSIZE, &lim) < 0)
            _exit(3);
        capture_start();
        int rc = gnuplot_draw(tpl, "x=1", base, exts, 2);
        const char *msg = capture_end();
        _exit(rc == -1 && strstr(msg, "did not write '") ? 0 : 2);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(access(tmp("big.png"), F_OK), -1);
    assert_int_equal(access(tmp("big.svg"), F_OK), -1);
    char *partial = xasprintf("%s.partial-%ld.png", base, (long)pid);
    assert_int_equal(access(partial, F_OK), -1);
    free(partial);
    free(base);
}

/* The interval columns of the plot data files as gnuplot reads them: a
 * quoted factory is one column, so the interval is columns 8 and 9, and "?"
 * there is not valid(), while the point stays in plots of columns 1:2. */
static void test_interval_columns(void **state)
{
    const char *data = tmp("iv.dat"), *tpl = tmp("iv.gp"), *out = tmp("iv.txt");
    char *base = xstrdup(tmp("iv"));
    const char *exts[] = { ".txt" };
    (void)state;
    FILE *f = gnuplot_data_open(data);
    assert_non_null(f);
    gnuplot_block(f, 0, "IVF{nlist},Flat");
    fputs("0.9 5000 4 0 64 0.9 ", f);
    gnuplot_put_quoted(f, "IVF64,Flat");
    fputs(" 4800 5200\n0.95 3000 8 0 64 0.95 ", f);
    gnuplot_put_quoted(f, "IVF64,Flat");
    fputs(" ? ?\n", f);
    assert_int_equal(gnuplot_data_close(f, data), 0);
    write_text(tpl, "or_y(c) = valid(c) ? column(c) : column(2)\n"
                    "stats datafile index 0 using 2 nooutput\n"
                    "n = STATS_records\n"
                    "stats datafile index 0 using 8 nooutput\n"
                    "m = STATS_records; lo = STATS_min\n"
                    "stats datafile index 0 using 9 nooutput\n"
                    "hi = STATS_max\n"
                    "stats datafile index 0 using (or_y(8)) nooutput\n"
                    "set print outbase.'.txt'\n"
                    "print sprintf('%d %d %g %g %d %g', n, m, lo, hi, STATS_records, STATS_min)\n");
    char *qd = gnuplot_quote(data), *qo = gnuplot_quote(out);
    char *vars = xasprintf("datafile=%s; outfile=%s", qd, qo);
    assert_int_equal(gnuplot_draw(tpl, vars, base, exts, 1), 0);
    char *text = read_file(out, NULL);
    /* 2 points; 1 with an interval [4800, 5200]; or_y gives both a value */
    assert_string_equal(text, "2 1 4800 5200 2 3000\n");
    free(text);
    free(vars);
    free(qo);
    free(qd);
    free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_data_file),
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_cut_outputs),
        cmocka_unit_test(test_full_disk),
        cmocka_unit_test(test_interval_columns),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
