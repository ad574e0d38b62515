# report_pairs.gp - the findings report's metric comparison: each setting
# measured with both metrics is one point, blend error with l2 (x) against
# with cosine (y); below the dashed diagonal cosine is closer to exact search.
#
# Variables (gnuplot -e): plotdir, datafile, outbase, ptitle, nseries.
# datafile: one block per series (d and N), first line its name.

load plotdir.'/common.gp'
stats datafile using 1 nooutput
top = STATS_max
stats datafile using 2 nooutput
top = (STATS_max > top ? STATS_max : top) * 1.1
if (top <= 0) { top = 1 }
set xrange [0:top]
set yrange [0:top]
set size square

set title ptitle
set xlabel "blend error with l2"
set ylabel "blend error with cosine"

@png_term
set output outbase.'.png'
plot x with lines dt 2 lc rgb '#808080' title 'equal error', \
     for [i=0:nseries-1] datafile index i using 1:2 with points pt shape(i) ps 1.6 \
         lc rgb color(i) title columnheader(1)
unset output
