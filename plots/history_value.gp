# history_value.gp - recall or index size over runs (faiss-sweep history):
# kind 'recall': the best recall@k each family reaches in each run; kind
# 'size': each build's index size. Runs where a change beyond the
# tolerance started are ringed.
#
# Variables (gnuplot -e): plotdir, datafile, outbase, k, nseries, nruns, kind.
# The file has one block per series; its first line is the series' name;
# columns: run value step.

load plotdir.'/common.gp'
if (nseries > 0) { @pad_y }

if (kind eq 'recall') {
    set title sprintf("Best recall@%d each family reaches, over runs\n(rings: a change beyond max(0.005, 2 standard errors) starts)", k)
    set ylabel sprintf("recall@%d", k)
    set yrange [*:1.005]
} else {
    set title "Index size of each build over runs\n(rings: a change beyond 1% starts)"
    set ylabel "serialized index size, MiB (log scale)"
    set logscale y 10
}
scale = (kind eq 'recall') ? 1.0 : 1.0 / 1048576
set xlabel "run (ordered by start time)"
set xrange [-0.5:nruns-0.5]
set xtics 1
set format y "%g"
if (!many) { set key bottom left }

@png_term
set output outbase.'.png'
if (nseries == 0) {
    @nodata
} else {
    plot for [i=0:nseries-1] datafile index i using 1:($2 * scale) with linespoints pt shape(i) \
             ps 1.0 lw 2 lc rgb color(i) title columnheader(1), \
         for [i=0:nseries-1] datafile index i using 1:($3 > 0 ? $2 * scale : NaN) with points \
             pt 6 ps 3 lw 2 lc rgb color(i) notitle
}
@svg_term
set output outbase.'.svg'
replot
unset output
