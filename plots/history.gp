# history.gp - batch queries per second over runs (faiss-sweep history):
# one line per family and recall target, the qps of that run's fastest
# point reaching the target, with its qps 95% interval as an error bar and
# the runs where a step beyond the noise started ringed.
#
# Variables (gnuplot -e): plotdir, datafile, outbase, k, nseries, nruns.
# The file has one block per series; its first line is the series' name;
# columns: run qps qps_lo qps_hi step ("? ?" without an interval).

load plotdir.'/common.gp'
# Without an interval a bar from y to y, which shows nothing (as in
# recall_qps.gp).
or_y(c) = valid(c) ? column(c) : column(2)
if (nseries > 0) { @pad_y }

set title sprintf("Batch throughput over runs: fastest point reaching each recall@%d target\n(bars: qps 95%% interval; rings: a step beyond the noise starts)", k)
set xlabel "run (ordered by start time)"
set ylabel "batch queries per second (log scale)"
set xrange [-0.5:nruns-0.5]
set xtics 1
set logscale y 10
set format y "%g"
if (!many) { set key bottom left }

@png_term
set output outbase.'.png'
if (nseries == 0) {
    @nodata
} else {
    plot for [i=0:nseries-1] datafile index i using 1:2:(or_y(3)):(or_y(4)) with yerrorbars \
             pt shape(i) ps 1.0 lw 1 lc rgb color(i) notitle, \
         for [i=0:nseries-1] datafile index i using 1:2 with linespoints pt shape(i) ps 1.0 lw 2 \
             lc rgb color(i) title columnheader(1), \
         for [i=0:nseries-1] datafile index i using 1:($5 > 0 ? $2 : NaN) with points pt 6 ps 3 \
             lw 2 lc rgb color(i) notitle
}
@svg_term
set output outbase.'.svg'
replot
unset output
