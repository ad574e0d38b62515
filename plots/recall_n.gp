# recall_n.gp - recall@k against the number of base vectors N, one line per
# index family and search setting: whether a fixed setting keeps its recall
# as the data grows along a scale ladder.
#
# Variables (gnuplot -e): plotdir, datafile, outbase, runtitle, k, nseries.

load plotdir.'/common.gp'

set title sprintf("Recall@%d vs N\n%s", k, runtitle)
set xlabel "N (base vectors, log scale)"
set ylabel sprintf("recall@%d (k-recall@k)", k)
set logscale x 10
set yrange [0:1]
set ytics 0.1
if (!many) { set key bottom left }

@png_term
set output outbase.'.png'
if (nseries == 0) {
    @nodata
} else {
    plot for [i=0:nseries-1] datafile index i using 1:2 with linespoints pt shape(i) ps 1.0 lw 2 \
         lc rgb color(i) title columnheader(1)
}
@svg_term
set output outbase.'.svg'
replot
unset output
