# recall_qps.gp - recall@k against batch queries per second, one colour per
# index family: every measured point as a faint dot, the family's Pareto
# front (computed by the harness, in frontfile) as a line.
#
# Variables (gnuplot -e): plotdir, datafile, frontfile, outbase, runtitle, k, nseries.
# Each file has one block per family; its first line is the family's name.

load plotdir.'/common.gp'
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
    plot for [i=0:nseries-1] datafile index i using 1:2 with points pt 7 ps 0.6 lc rgb faint(i) notitle, \
         for [i=0:nseries-1] frontfile index i using 1:2 with linespoints pt shape(i) ps 1.0 lw 2 \
             lc rgb color(i) title columnheader(1)
}
@svg_term
set output outbase.'.svg'
replot
unset output
