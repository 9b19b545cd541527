# GUP's share of an I/O (fio): sys CPU per I/O against block size, one
# line per folio order (and engine, backing, iodepth), in the look of every
# other figure: colour = folio order (Okabe-Ito), point shape = iodepth; solid = fixedbufs off
# (each I/O pins and unpins its buffer), dashed = fixedbufs on (pinned once
# at registration). The gap between a solid line and its dashed twin is
# what pinning per I/O costs.
# gupbench passes datafile, nblocks, outbase, plottitle, xlab, ylab, ymin,
# ymax, and colors, dts, pts: each block's colour (0xRRGGBB), dash and point
# type (the iodepth's rank), as words.
# Each data block starts with a header line whose first cell is the series
# title; then rows: bs sys_ns_per_io.

set logscale x 2
set logscale y
set format x "%.0b%B"
set ytics format "%g"
set yrange [ymin:ymax]
set xlabel xlab noenhanced
set ylabel ylab noenhanced
set title plottitle noenhanced
set key outside right top noenhanced font ",9"
set grid xtics ytics lc rgb "#e4e4e4"
set offsets graph 0.05, graph 0.05, 0, 0

do for [term in "pngcairo svg"] {
	if (term eq "pngcairo") {
		set terminal pngcairo size 1200,650 noenhanced font "DejaVu Sans,10"
		set output outbase.".png"
	} else {
		set terminal svg size 1200,650 noenhanced font "DejaVu Sans,10"
		set output outbase.".svg"
	}
	plot for [i=0:nblocks-1] datafile index i using 1:2 with linespoints \
		lc rgb int(word(colors, i + 1)) dt int(word(dts, i + 1)) pt int(word(pts, i + 1)) pointsize 0.9 lw 1.5 \
		title columnheader(1)
	unset output
}
