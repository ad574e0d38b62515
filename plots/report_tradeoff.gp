# report_tradeoff.gp - the findings report's quality-against-cost plot: blend
# error (x) against batch search time per second of audio (y, log), one
# colour per family, preprocessing, d and N. Lower left is better.
#
# Variables (gnuplot -e): plotdir, datafile, outbase, ptitle, nseries.
# datafile has one block per series; its first line is the name.

load plotdir.'/common.gp'
@pad_y

set title ptitle
set xlabel "blend error: mean |f_ann - f_exact| / |f_exact| (lower = closer to exact search)"
set ylabel "batch search time, ms per second of audio (log scale)"
set logscale y 10
set format y "%g"
set offsets graph 0.04, graph 0.04, 0, 0

@png_term
set output outbase.'.png'
# Shapes and sizes vary too, so that coinciding points of two series both show.
plot for [i=0:nseries-1] datafile index i using 1:2 with points pt 5 + 2 * (i % 4) \
     ps 2.0 - 0.1 * (i % 10) lc rgb color(i) title columnheader(1)
unset output
