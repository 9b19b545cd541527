# The one figure to paste: per method (its GUP path beside it), grouped
# bars of ns per 4 KiB page at the method's largest size, one bar per op
# and folio order, whiskers at the quartiles. gupbench passes only numbers
# and plot_text() strings:
#   datafile, outbase, plottitle, ylab, ncols (bars per group), ymin, ymax,
#   yticpos, yticlab (1, 2 and 5 of each decade),
#   colors (each bar's colour: its folio order, as in every other figure),
#   dens (each bar's fill density: full for pin, light for unpin, between
#   for pin+unpin), ctitles ("|"-separated legend titles).
# Data: a header line, then per method "label median p25 p75 ..." with
# "?" where the method has no such bar.

set datafile missing "?"
set style data histogram
set style histogram errorbars gap 1.5 lw 1
set logscale y
set yrange [ymin:ymax]
set ytics () format "%g"
do for [k = 1:words(yticpos)] { set ytics add (word(yticlab, k) real(word(yticpos, k))) }
set grid ytics lc rgb "#e4e4e4"
set ylabel ylab noenhanced
set xtics nomirror rotate by -25 noenhanced
set key outside right top vertical font ",9" noenhanced
set title plottitle noenhanced font ",11"

field(s, i) = i <= 1 ? (strstrt(s, "|") ? s[1:strstrt(s, "|") - 1] : s) : \
	field(strstrt(s, "|") ? s[strstrt(s, "|") + 1:] : "", i - 1)

do for [term in "pngcairo svg"] {
	if (term eq "pngcairo") {
		set terminal pngcairo size 1200,600 enhanced font "DejaVu Sans,10"
		set output outbase.".png"
	} else {
		set terminal svg size 1200,600 enhanced font "DejaVu Sans,10"
		set output outbase.".svg"
	}
	plot for [c = 1:ncols] datafile using (column(3 * c - 1)):(column(3 * c)):(column(3 * c + 1)):xtic(1) \
		lc rgb int(word(colors, c)) fs solid real(word(dens, c)) border lc rgb int(word(colors, c)) \
		title field(ctitles, c)
	unset output
}
