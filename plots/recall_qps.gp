# recall_qps.gp - recall@k against batch queries per second, one colour per
# index family: every measured point as a faint dot with its qps 95%
# interval as an error bar, the family's Pareto front (computed by the
# harness, in frontfile) as a line.
#
# Variables (gnuplot -e): plotdir, datafile, frontfile, outbase, runtitle, k, nseries.
# Each file has one block per family; its first line is the family's name.

load plotdir.'/common.gp'
# A point's qps 95% interval is in columns 8 and 9, "?" when it has none:
# then a bar from y to y, which shows nothing and keeps a series without
# intervals from "no valid points" warnings. Bars go first: gnuplot blanks
# the bar around its own point, which would erase a dot drawn before.
or_y(c) = valid(c) ? column(c) : column(2)
if (nseries > 0) { @pad_y }

set title sprintf("Recall@%d vs batch throughput (Pareto front per family)\n%s", k, runtitle)
set xlabel sprintf("recall@%d (k-recall@k)", k)
set ylabel "batch queries per second (log scale)"
set xrange [0:1]
set xtics 0.1
set mxtics 2
set logscale y 10
set format y "%g"
if (!many) { set key bottom left }

@png_term
set output outbase.'.png'
if (nseries == 0) {
    @nodata
} else {
    plot for [i=0:nseries-1] datafile index i using 1:2:(or_y(8)):(or_y(9)) with yerrorbars \
             pt 7 ps 0.6 lc rgb faint(i) notitle, \
         for [i=0:nseries-1] datafile index i using 1:2 with points pt 7 ps 0.6 lc rgb faint(i) notitle, \
         for [i=0:nseries-1] frontfile index i using 1:2:(or_y(8)):(or_y(9)) with yerrorbars \
             pt shape(i) ps 1.0 lw 1 lc rgb color(i) notitle, \
         for [i=0:nseries-1] frontfile index i using 1:2 with linespoints pt shape(i) ps 1.0 lw 2 \
             lc rgb color(i) title columnheader(1)
}
@svg_term
set output outbase.'.svg'
replot
unset output
