# qps_n.gp - batch throughput against the number of base vectors N, one line
# per index family and search setting: how a setting's cost grows with N
# along a scale ladder.
#
# Variables (gnuplot -e): plotdir, datafile, outbase, runtitle, k, nseries.

load plotdir.'/common.gp'

set title sprintf("Batch throughput vs N\n%s", runtitle)
set xlabel "N (base vectors, log scale)"
set ylabel "batch queries per second (log scale)"
set logscale x 10
set logscale y 10
if (!many) { set key top right }

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
