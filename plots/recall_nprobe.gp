# recall_nprobe.gp - recall@k against nprobe, one line per resolved factory
# and k_factor: how many inverted lists must be probed for a recall.
#
# Variables (gnuplot -e): plotdir, datafile, outbase, runtitle, k, nseries.
# datafile has one block per (factory, k_factor); its first line is the name.

load plotdir.'/common.gp'
if (nseries > 0) { @pad_x }

set title sprintf("Recall@%d vs nprobe\n%s", k, runtitle)
set xlabel "nprobe (inverted lists probed per query, log2 scale)"
set ylabel sprintf("recall@%d (k-recall@k)", k)
set logscale x 2
set yrange [0:1]
set ytics 0.1
set mytics 2
if (!many) { set key bottom right }

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
