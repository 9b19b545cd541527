# ns per 4 KiB page against buffer size, log-log, one line per series
# (method, folio order, zero ratio); points are medians, bars quartiles.
# gupbench passes: datafile, nblocks, outbase, plottitle, ylab.
# Each data block starts with a header line whose first cell is the title.

set logscale x 2
set logscale y
set format x "%.0b%BB"
set xlabel "buffer size (bytes, binary prefixes)"
set ylabel ylab
set title plottitle noenhanced
set key outside right top noenhanced
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set bars small

do for [term in "pngcairo svg"] {
	if (term eq "pngcairo") {
		set terminal pngcairo size 1100,650 noenhanced font ",10"
		set output outbase.".png"
	} else {
		set terminal svg size 1100,650 noenhanced font ",10"
		set output outbase.".svg"
	}
	plot for [i=0:nblocks-1] datafile index i using 1:2:3:4 \
		with yerrorlines pointsize 0.8 title columnheader(1)
	unset output
}
