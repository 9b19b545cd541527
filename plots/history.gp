# A point's value on each kernel of a history, one line per point (a
# method's ops and folio orders), kernels in sweep order on the x axis.
# gupbench passes datafile, nblocks, outbase, plottitle, xlab, ylab, ylog.
# Each data block starts with a header line whose first cell is the
# series title; then rows: kernel-index value "kernel". A kernel where the
# point has no value has no row, so its line breaks there.

if (ylog) { set logscale y }
if (!ylog) { set yrange [0:*] }
set xlabel xlab
set ylabel ylab
set title plottitle noenhanced
set key outside right top noenhanced
set grid xtics ytics lc rgb "#dddddd"
set xtics rotate by -40 noenhanced
set offsets 0.3, 0.3, 0, 0

do for [term in "pngcairo svg"] {
	if (term eq "pngcairo") {
		set terminal pngcairo size 1200,650 noenhanced font ",10"
		set output outbase.".png"
	} else {
		set terminal svg size 1200,650 noenhanced font ",10"
		set output outbase.".svg"
	}
	plot for [i=0:nblocks-1] datafile index i using 1:2:xtic(3) \
		with linespoints pointsize 0.8 lw 1.5 title columnheader(1)
	unset output
}
