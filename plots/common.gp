# common.gp - terminals, colours and legend placement shared by the plot
# templates. Loaded by each of them; needs nseries from the caller.
#
# Every template draws once to outbase.'.png' and replots to outbase.'.svg'.

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
    png_term = "set terminal pngcairo size 1200,800 noenhanced font 'sans,11' linewidth 1.2"
} else {
    png_term = "set terminal png size 1200,800 noenhanced"
}
svg_term = "set terminal svg size 1200,800 noenhanced font 'sans,11' background '#ffffff'"

# Tableau-10: series i gets colour i, and a see-through copy of it for dots.
colors = "1f77b4 ff7f0e 2ca02c d62728 9467bd 8c564b e377c2 7f7f7f bcbd22 17becf"
color(i) = '#'.word(colors, i % 10 + 1)
faint(i) = '#b0'.word(colors, i % 10 + 1)
# Beyond ten series colours repeat, so the point shape changes too.
shape(i) = (i / 10) % 4 * 2 + 5

set grid xtics ytics mxtics mytics lc rgb '#e0e0e0' lw 1, lc rgb '#f0f0f0' lw 1
set border 3
set tics nomirror
# A few series fit in the plot; more go in a column on the right.
many = nseries > 8
if (many) {
    set key outside right top vertical Left reverse spacing 1.1 box lc rgb '#c0c0c0'
} else {
    set key opaque spacing 1.1 Left reverse box lc rgb '#c0c0c0'
}

# A log axis over one value makes gnuplot warn: widen it by 2x each way.
pad_x = "stats datafile using 1 nooutput; if (STATS_min == STATS_max) { set xrange [STATS_min/2:STATS_max*2] }"
pad_y = "stats datafile using 2 nooutput; if (STATS_min == STATS_max) { set yrange [STATS_min/2:STATS_max*2] }"

# Shown instead of a plot when no row fits it.
nodata = "unset logscale; unset key; unset tics; set label 99 'no data for this plot' at graph 0.5, graph 0.5 center; plot [0:1][0:1] NaN notitle"
