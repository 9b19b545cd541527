# One gnuplot script for every plot of a run: lines of medians with
# quartile bars, one line per series; gupbench passes
#   datafile, nblocks, outbase, plottitle, xlab, ylab,
#   xlog (log2 x axis), xbin (binary size labels), ylog, ref (draw the
#   dashed linear-scaling reference from column 6), xint (integer x ticks).
# Each data block starts with a header line whose first cell is the title.

if (xlog) { set logscale x 2 }
if (xbin) { set format x "%.0b%BB" }
if (ylog) { set logscale y }
if (!ylog) { set yrange [0:*] }
if (xint) { set xtics 1; set offsets 0.2, 0.2, 0, 0 }
set xlabel xlab
set ylabel ylab
set title plottitle noenhanced
set key outside right top noenhanced
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set bars small

do for [term in "pngcairo svg"] {
	if (term eq "pngcairo") {
		set terminal pngcairo size 1200,650 noenhanced font ",10"
		set output outbase.".png"
	} else {
		set terminal svg size 1200,650 noenhanced font ",10"
		set output outbase.".svg"
	}
	if (ref) {
		plot for [i=0:nblocks-1] datafile index i using 1:2:3:4 \
			with yerrorlines pointsize 0.8 lc i+1 title columnheader(1), \
		     for [i=0:nblocks-1] datafile index i using 1:($6 > 0 ? $6 : 1/0) \
			with lines dt 2 lc i+1 notitle
	} else {
		plot for [i=0:nblocks-1] datafile index i using 1:2:3:4 \
			with yerrorlines pointsize 0.8 title columnheader(1)
	}
	unset output
}
