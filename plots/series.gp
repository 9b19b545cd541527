# One gnuplot script for every series plot of a run: one panel per method
# on one page (shared axes: the units agree), lines of medians with
# quartile bars. gupbench passes only numbers and plot_text() strings:
#   datafile, nblocks, outbase, plottitle (the constant keys, machine),
#   xlab, ylab, xlog (log2 x axis), ylog, ref (the dashed linear-scaling
#   reference from column 6), xint (integer x ticks),
#   xmin xmax ymin ymax (shared by every panel), yticpos, yticlab (the log axis's ticks and labels),
#   xticpos, xticlab: the x values that were run and their labels, as words,
#   npanels, ptitle (panel titles, "|"-separated), pfirst, pcount (each
#   panel's blocks, as words),
#   colors, dts, pts: each block's colour (0xRRGGBB: its folio order),
#   dash type and point type, as words.
# Each data block starts with a header line whose first cell is the legend
# title (only the keys that vary within the figure).

if (xlog) { set logscale x 2 }
if (ylog) { set logscale y }
set xrange [xmin:xmax]
set yrange [ymin:ymax]
if (xint) { set xtics 1 }
set xtics () nomirror
do for [k = 1:words(xticpos)] {
	set xtics add (word(xticlab, k) real(word(xticpos, k)))
}
# a log y axis gets ticks at 1, 2 and 5 of each decade in range (yticpos), not only decades
if (ylog) {
	set ytics () format "%g"
	do for [k = 1:words(yticpos)] { set ytics add (word(yticlab, k) real(word(yticpos, k))) }
}
set grid xtics ytics lc rgb "#e4e4e4"
set bars small
set key outside right top vertical font ",8" noenhanced samplen 2.5 spacing 0.9

cols = npanels < 2 ? 1 : (npanels < 5 ? 2 : 3)
rows = int((npanels + cols - 1) / cols)
width = cols == 1 ? 1100 : 700 * cols
height = 100 + 400 * rows

# the i-th "|"-separated field of s
field(s, i) = i <= 1 ? (strstrt(s, "|") ? s[1:strstrt(s, "|") - 1] : s) : \
	field(strstrt(s, "|") ? s[strstrt(s, "|") + 1:] : "", i - 1)

do for [term in "pngcairo svg"] {
	if (term eq "pngcairo") {
		set terminal pngcairo size width,height enhanced font "DejaVu Sans,10"
		set output outbase.".png"
	} else {
		set terminal svg size width,height enhanced font "DejaVu Sans,10"
		set output outbase.".svg"
	}
	set multiplot layout rows,cols title plottitle noenhanced font ",11"
	do for [p = 1:npanels] {
		set title field(ptitle, p) noenhanced font ",10"
		set xlabel xlab noenhanced font ",9"
		set ylabel ((p - 1) % cols == 0 ? ylab : "") noenhanced
		b0 = int(word(pfirst, p))
		b1 = b0 + int(word(pcount, p)) - 1
		if (ref) {
			plot for [i = b0:b1] datafile index i using 1:2:3:4 with yerrorlines \
				lc rgb int(word(colors, i + 1)) dt int(word(dts, i + 1)) \
				pt int(word(pts, i + 1)) pointsize 0.7 lw 1.5 title columnheader(1), \
			     for [i = b0:b1] datafile index i using 1:($6 > 0 ? $6 : 1/0) with lines \
				lc rgb int(word(colors, i + 1)) dt 3 lw 1 notitle
		} else {
			plot for [i = b0:b1] datafile index i using 1:2:3:4 with yerrorlines \
				lc rgb int(word(colors, i + 1)) dt int(word(dts, i + 1)) \
				pt int(word(pts, i + 1)) pointsize 0.7 lw 1.5 title columnheader(1)
		}
	}
	unset multiplot
	unset output
}
