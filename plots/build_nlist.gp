# build_nlist.gp - build time (train + add) against nlist, one line per index
# family with an IVF: the cost side of choosing more lists.
#
# Variables (gnuplot -e): plotdir, datafile, outbase, runtitle, k, nseries.
# datafile has one point per built index; its first line is the family.

load plotdir.'/common.gp'
if (nseries > 0) { @pad_x }

set title sprintf("Build time vs nlist\n%s", runtitle)
set xlabel "nlist (inverted lists, log2 scale)"
set ylabel "build time: train + add (seconds)"
set logscale x 2
set yrange [0:*]
if (!many) { set key top left }

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
