# recall_size.gp - recall@k against the serialized index size, one colour per
# index family: what each MiB of memory buys. An index measured at several
# search settings shows as a vertical run of points.
#
# Variables (gnuplot -e): plotdir, datafile, outbase, runtitle, k, nseries.

load plotdir.'/common.gp'
if (nseries > 0) { @pad_x }

set title sprintf("Recall@%d vs index size\n%s", k, runtitle)
set xlabel "index size (MiB, serialized, log scale)"
set ylabel sprintf("recall@%d (k-recall@k)", k)
set logscale x 10
set format x "%g"
set yrange [0:1]
set ytics 0.1
set mytics 2
if (!many) { set key bottom right }

@png_term
set output outbase.'.png'
if (nseries == 0) {
    @nodata
} else {
    plot for [i=0:nseries-1] datafile index i using 1:2 with points pt shape(i) ps 1.2 \
         lc rgb color(i) title columnheader(1)
}
@svg_term
set output outbase.'.svg'
replot
unset output
