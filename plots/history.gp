# A point's value on each kernel of a history, one line per point (a
# method's ops and folio orders), kernels in sweep order on the x axis, in
# the look of every other figure: colour = folio order (Okabe-Ito), dash =
# op (pin solid, unpin dashed); a change point (a regression or an
# improvement from the kernel before) is circled.
# gupbench passes datafile, nblocks, outbase, plottitle, xlab, ylab, ylog,
# ymin, ymax, yticpos, yticlab (a log axis's ticks), and colors, dts: each block's colour (0xRRGGBB) and dash, as
# words. Each data block starts with a header line whose first cell is the
# series title; then rows: kernel-index value "kernel" change. A kernel
# where the point has no value has no row, so its line breaks there.

if (ylog) {
	set logscale y
	set ytics () format "%g"
	do for [k = 1:words(yticpos)] { set ytics add (word(yticlab, k) real(word(yticpos, k))) }
}
set yrange [ymin:ymax]
set xlabel xlab
set ylabel ylab
set title plottitle noenhanced
set key outside right top noenhanced font ",9"
set grid xtics ytics lc rgb "#e4e4e4"
set xtics rotate by -40 noenhanced
set offsets 0.3, 0.3, 0, 0

do for [term in "pngcairo svg"] {
	if (term eq "pngcairo") {
		set terminal pngcairo size 1200,650 noenhanced font "DejaVu Sans,10"
		set output outbase.".png"
	} else {
		set terminal svg size 1200,650 noenhanced font "DejaVu Sans,10"
		set output outbase.".svg"
	}
	plot for [i=0:nblocks-1] datafile index i using 1:2:xtic(3) with linespoints \
		lc rgb int(word(colors, i + 1)) dt int(word(dts, i + 1)) pt 7 pointsize 0.6 lw 1.5 \
		title columnheader(1), \
	     for [i=0:nblocks-1] datafile index i using 1:($4 > 0 ? $2 : 1/0) with points \
		lc rgb int(word(colors, i + 1)) pt 6 pointsize 2.2 lw 1.5 notitle
	unset output
}
