# report_ladder.gp - the findings report's plot of one search parameter
# (nprobe or k_factor, x, log2) against a measure on the left axis (solid)
# and blend error on the right axis (dashed), one colour per index and size.
#
# Variables (gnuplot -e): plotdir, datafile, outbase, ptitle, nseries,
# xlab, ylab, y2lab, ylog (1 = log left axis), has_y2 (0 = no blend errors).
# datafile: one block per series, first line its name; columns x y y2.

load plotdir.'/common.gp'
@pad_x
@pad_y

set title ptitle
set xlabel xlab
set ylabel ylab
set logscale x 2
if (ylog) { set logscale y 10; set format y "%g" }
set border 11
set ytics nomirror
set offsets graph 0.03, graph 0.03, 0, 0
if (has_y2) { set y2label y2lab; set y2tics }

@png_term
set output outbase.'.png'
if (has_y2) {
    plot for [i=0:nseries-1] datafile index i using 1:2 with linespoints pt shape(i) lw 2 \
             lc rgb color(i) title columnheader(1), \
         for [i=0:nseries-1] datafile index i using 1:3 axes x1y2 with linespoints pt shape(i) \
             dt 2 lw 1 lc rgb color(i) notitle
} else {
    plot for [i=0:nseries-1] datafile index i using 1:2 with linespoints pt shape(i) lw 2 \
         lc rgb color(i) title columnheader(1)
}
unset output
